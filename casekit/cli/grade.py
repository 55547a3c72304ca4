"""``casekit grade`` and ``casekit mark``: grade a folder of submissions of any case kinds; record an assessor's
judgement."""

from __future__ import annotations

import argparse
from typing import Any

from casekit.cli.base import EXIT_OK, ProgressBar, add_command, positive_int, print_outcomes
from casekit.i18n import t

__all__ = ["add_parser"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "grade", common, "cli.help_grade")
    p.add_argument("submissions", metavar="SUBMISSIONS_DIR", help=t("cli.help_submissions"))
    p.add_argument("--out", required=True, metavar="DIR", help=t("cli.help_grade_out"))
    p.add_argument("--jobs", type=positive_int, default=2, metavar="N", help=t("cli.help_jobs"))
    p.add_argument("--timeout", type=positive_int, default=600, metavar="SECONDS", help=t("cli.help_timeout"))
    p.add_argument("--rubric", action="append", default=[], metavar="[KIND=]PATH", help=t("cli.help_rubric"))
    p.set_defaults(func=run_grade)

    p = add_command(sub, "mark", common, "cli.help_mark")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("candidate", metavar="CANDIDATE_ID", help=t("cli.help_candidate"))
    p.add_argument("criterion", metavar="CRITERION_ID", help=t("cli.help_criterion"))
    p.add_argument("result", choices=["met", "not_yet_met"], help=t("cli.help_result"))
    p.add_argument("--assessor", required=True, help=t("cli.help_assessor"))
    p.add_argument("--reason", required=True, help=t("cli.help_reason"))
    p.add_argument("--case", default="T4", help=t("cli.help_case"))
    p.set_defaults(func=run_mark)


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
    )
    return print_outcomes(outcomes, args.out, lang)


def run_mark(args: argparse.Namespace, lang: str) -> int:
    import datetime as dt
    from pathlib import Path

    from casekit.errors import UsageError
    from casekit.rubric import AssessorMark
    from casekit.store import Gradebook

    if not Path(args.gradebook).is_file():
        raise UsageError(t("cli.no_gradebook", lang, path=args.gradebook))
    key = f"{args.candidate}/{args.case}"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with Gradebook(args.gradebook) as book:
        if book.submission(key) is None:
            raise UsageError(t("cli.unknown_submission", lang, key=key))
        book.add_mark(key, AssessorMark(args.criterion, args.assessor, args.result, args.reason, now))
        decision = book.decision(key)
    label = decision.label(lang) if decision is not None else "-"
    print(
        t(
            "cli.marked",
            lang,
            key=key,
            criterion=args.criterion,
            result=t(f"rubric.state_{args.result}", lang),
            decision=label,
        )
    )
    return EXIT_OK
