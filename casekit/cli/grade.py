"""``casekit grade``: grade a folder of submissions of any case kinds, then decide each candidate's unit;
``casekit unit``: decide the units again from the gradebook (after marks, moderation or sign-offs)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from casekit.cli.base import EXIT_OK, ProgressBar, add_command, bounded_int, print_outcomes, say, table
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
    p.add_argument("--roster", metavar="ROSTER", help=t("cli.help_roster"))
    p.add_argument("--plan", metavar="PLAN", help=t("cli.help_plan"))
    p.set_defaults(func=run_grade)

    p = add_command(sub, "unit", common, "cli.help_unit")
    p.add_argument("out", metavar="OUT_DIR", help=t("cli.help_unit_out"))
    p.add_argument("--plan", metavar="PLAN", help=t("cli.help_plan"))
    p.set_defaults(func=run_unit)


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
        roster=args.roster,
        plan_path=args.plan,
    )
    code = print_outcomes(outcomes, args.out, lang)
    print_units(outcomes.units, lang)
    return code


def run_unit(args: argparse.Namespace, lang: str) -> int:
    """Decide every candidate's unit again from the gradebook in OUT_DIR and write their pages and the index."""
    from pathlib import Path

    from casekit.errors import UsageError
    from casekit.execution.batch import rebuild_units

    root = Path(args.out)
    if not (root / "gradebook.sqlite").is_file():
        raise UsageError(t("cli.no_gradebook", lang, path=str(root / "gradebook.sqlite")))
    units = rebuild_units(root, lang, plan_path=args.plan)
    print_units(units, lang)
    say(t("cli.units_done", lang, n=len(units), index=str(root.resolve() / "index.html")))
    return EXIT_OK


def print_units(units: Sequence[Mapping[str, Any]], lang: str) -> None:
    """One line per candidate: the unit outcome, and what the evidence says while it awaits sign-off; then each
    flag for the assessor (an answer identical to another candidate's) on stderr."""
    if not units:
        return
    rows: list[Sequence[str]] = [tuple(t(f"cli.col_{h}", lang) for h in ("candidate", "unit", "evidence"))]
    for doc in units:
        rows.append((str(doc["candidate_id"]), str(doc["label"]), str(doc["evidence_label"])))
    say("")
    say(table(rows))
    for doc in units:
        for flag in doc.get("flags", []):
            say(t("cli.flag_line", lang, candidate=doc["candidate_id"], text=flag["text"]), err=True)
