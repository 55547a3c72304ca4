"""Every bound casekit puts on what it is given, in one place (and in the README's "Limits").

Each is far above what an honest input needs and low enough that a hostile or mistyped one is refused with a
message, never exhausts the machine.
"""

from __future__ import annotations

from typing import Final

#: Seeds are 63-bit: what SQLite stores and every numpy generator takes.
MAX_SEED: Final = 2**63 - 1
#: The largest world: at the bound (2,000 staff x 365 days, or 1,000 x 730) it takes about 4 s and 400 MB to build
#: (benchmarks/bench_world.py).
MIN_STAFF: Final = 5
MAX_STAFF: Final = 2_000
MIN_DAYS: Final = 7
MAX_DAYS: Final = 730
MAX_PERSON_DAYS: Final = 730_000
#: The largest answer document read (a T4 answer with every finding and text at its limit is under 1 MB);
#: ``casekit grade --max-size`` raises it.
MAX_ANSWER_BYTES: Final = 5_000_000
#: The largest spec or rubric file read (the packaged ones are under 12 kB).
MAX_DATA_FILE: Final = 1_000_000
#: How many values a YAML file may hold once its aliases are expanded (the packaged rubric has about 600).
MAX_YAML_NODES: Final = 100_000
#: Kernels at once: each is a process of its own (about 250 MB).
MAX_JOBS: Final = 64
#: Seconds a submission may take to grade.
MAX_TIMEOUT: Final = 86_400
