"""``python -m casekit.cli``."""

import sys

from casekit.cli import main

sys.exit(main())
