"""Batch grading throughput: ``casekit grade --jobs N`` against a sequential ``papermill`` CLI loop.

Both run the same grading notebook over the same demo submissions in the same run. casekit's figure includes
writing each portfolio page and the index; the loop only executes notebooks (it does strictly less work).

    python benchmarks/bench_grade.py [--submissions 40] [--jobs 2] [--loop 40]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from casekit.cases.t4_incentives.profiles import PROFILES, build_case
from casekit.execution.batch import DEFAULT_NOTEBOOK, grade_folder
from casekit.registry import registry


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--submissions", type=int, default=40)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--loop", type=int, default=40, help="how many of them the sequential loop runs")
    ap.add_argument("--org", default="bank-cards")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="casekit-bench-"))
    try:
        subs = work / "submissions"
        subs.mkdir()
        t0 = time.perf_counter()
        for i in range(args.submissions):
            profile = PROFILES[i % len(PROFILES)]
            build_case(profile, args.org, 5000 + i, f"bench-{i:03d}", "en").save(subs / f"bench-{i:03d}.json")
        made = time.perf_counter() - t0
        print(f"{args.submissions} submissions written in {made:.1f} s ({args.org})")

        t0 = time.perf_counter()
        outcomes = grade_folder(subs, work / "casekit", jobs_n=args.jobs, lang="en").outcomes
        ours = time.perf_counter() - t0
        ok = sum(o.status == "ok" for o in outcomes)
        print(
            f"casekit grade --jobs {args.jobs}: {ok}/{len(outcomes)} graded in {ours:.1f} s "
            f"= {ok / ours:.2f} portfolios/s (execution + portfolio pages + index)"
        )

        t0 = time.perf_counter()
        runs = 0
        files = sorted(subs.glob("*.json"))[: args.loop]
        loop_out = work / "loop"
        loop_out.mkdir()
        for f in files:
            subprocess.run(
                [
                    "papermill",
                    str(DEFAULT_NOTEBOOK),
                    str(loop_out / f"{f.stem}.ipynb"),
                    "-p",
                    "submission",
                    str(f),
                    "-p",
                    "rubric",
                    str(registry.get("T4").rubric),
                    "-p",
                    "lang",
                    "en",
                    "--no-progress-bar",
                ],
                check=True,
                capture_output=True,
            )
            runs += 1
        loop = time.perf_counter() - t0
        print(f"sequential papermill CLI loop: {runs} notebooks in {loop:.1f} s = {runs / loop:.2f} notebooks/s")
        print(f"ratio casekit / loop: {(ok / ours) / (runs / loop):.2f}x")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
