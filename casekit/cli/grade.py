"""``casekit grade``: grade a folder of submissions of any case kinds."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from casekit.cli.base import ProgressBar, add_command, bounded_int, print_outcomes
from casekit.i18n import t
from casekit.limits import MAX_ANSWER_BYTES, MAX_JOBS, MAX_TIMEOUT

if TYPE_CHECKING:
    pass

__all__ = ["JOBS", "add_parser"]

#: Kernels at once (each a process of its own).
JOBS = bounded_int(1, MAX_JOBS)
TIMEOUT = bounded_int(1, MAX_TIMEOUT)
#: A submission's size may be raised up to 200 MB (the default is 5 MB).
MAX_SIZE = bounded_int(1_000, 200_000_000)


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "grade", common, "cli.help_grade")
    p.add_argument("submissions", metavar="SUBMISSIONS_DIR", help=t("cli.help_submissions"))
    p.add_argument("--out", required=True, metavar="DIR", help=t("cli.help_grade_out"))
    p.add_argument("--jobs", type=JOBS, default=2, metavar="N", help=t("cli.help_jobs"))
    p.add_argument(
        "--timeout", type=bounded_int(1, MAX_TIMEOUT), default=600, metavar="SECONDS", help=t("cli.help_timeout")
    )
    p.add_argument("--rubric", action="append", default=[], metavar="[KIND=]PATH", help=t("cli.help_rubric"))
    p.add_argument("--max-size", type=MAX_SIZE, default=MAX_ANSWER_BYTES, metavar="BYTES", help=t("cli.help_max_size"))
    p.set_defaults(func=run_grade)


def run_grade(args: argparse.Namespace, lang: str) -> int:
    from casekit.execution.batch import choose_rubrics, grade_folder

    outcomes = grade_folder(
        args.submissions,
        args.out,
        jobs_n=args.jobs,
        lang=lang,
        timeout=float(args.timeout),
        rubrics=choose_rubrics(args.rubric),
        progress=ProgressBar(),
        max_bytes=args.max_size,
    )
    return print_outcomes(outcomes, args.out, lang)
