"""Time building and writing a large simulated world.

Builds a 1,000-staff, 365-day world from ``telecom-support`` (the spec with 24-hour opening and the most
channels), writes it with casekit (atomic files + SHA-256 manifest), and, as the plain alternative in the same
run, writes the same tables with bare ``DataFrame.to_csv``. Prints wall time, rows per second and peak memory.

    python benchmarks/bench_world.py [--staff 1000] [--days 365] [--repeat 3]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from casekit.scenario import build_world, find_spec, load_spec


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--org", default="telecom-support")
    ap.add_argument("--staff", type=int, default=1000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    spec = load_spec(find_spec(args.org))
    build_s, write_s, plain_s = [], [], []
    rows = 0
    for i in range(args.repeat):
        t0 = time.perf_counter()
        world = build_world(spec, 1000 + i, staff=args.staff, days=args.days)
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as d:
            world.write(Path(d) / "casekit")
            t2 = time.perf_counter()
            plain = Path(d) / "plain"
            plain.mkdir()
            for name, table in world.tables.items():
                table.to_csv(plain / f"{name}.csv", index=False)
            t3 = time.perf_counter()
        build_s.append(t1 - t0)
        write_s.append(t2 - t1)
        plain_s.append(t3 - t2)
        rows = sum(len(t) for t in world.tables.values())

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = statistics.median
    print(f"world: {args.org}, {args.staff} staff x {args.days} days, {rows:,} rows in {len(world.tables)} tables")
    print(f"build (median of {args.repeat}):            {med(build_s):6.2f} s  ({rows / med(build_s):,.0f} rows/s)")
    print(f"write, casekit (atomic + sha256): {med(write_s):6.2f} s")
    print(
        f"write, plain DataFrame.to_csv:    {med(plain_s):6.2f} s  (casekit/plain = {med(write_s) / med(plain_s):.2f}x)"
    )
    print(f"build + write:                    {med(build_s) + med(write_s):6.2f} s")
    print(f"peak RSS:                         {peak_mb:6.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
