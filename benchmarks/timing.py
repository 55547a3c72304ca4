"""What the benchmark scripts share: timing a call repeatedly (run as ``python benchmarks/bench_*.py``, this folder
is on ``sys.path``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and maximum wall time of ``repeat`` calls of ``fn``, in milliseconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)
