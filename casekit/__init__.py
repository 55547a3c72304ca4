"""casekit: simulated contact-centre cases and evidence portfolios for iCAP unit BGM4R0172v2.

The package root stays light (no pandas, no Jupyter) so that ``casekit --help`` answers fast; import the
submodules you need (``casekit.standard``, ``casekit.scenario``).
"""

from casekit.errors import CasekitError

__all__ = ["CasekitError", "__version__"]

__version__ = "0.1.0"
