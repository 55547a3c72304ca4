"""``casekit grade`` and ``casekit mark``: grade a folder of submissions of any case kinds; record an assessor's
judgement."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from casekit.cli.base import EXIT_OK, ProgressBar, add_command, bounded_int, print_outcomes, say
from casekit.i18n import t
from casekit.limits import MAX_ANSWER_BYTES, MAX_JOBS, MAX_TIMEOUT

if TYPE_CHECKING:
    from casekit.store import Gradebook

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

    p = add_command(sub, "mark", common, "cli.help_mark")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("candidate", metavar="CANDIDATE_ID", help=t("cli.help_candidate"))
    p.add_argument("criterion", metavar="CRITERION_ID", help=t("cli.help_criterion"))
    p.add_argument("result", choices=["met", "not_yet_met"], help=t("cli.help_result"))
    p.add_argument("--assessor", required=True, help=t("cli.help_assessor"))
    p.add_argument("--reason", required=True, help=t("cli.help_reason"))
    p.add_argument("--case", metavar="KIND", help=t("cli.help_case"))
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
        max_bytes=args.max_size,
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
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    with Gradebook(args.gradebook) as book:
        key = _submission_key(book, args.candidate, args.criterion, args.case, lang)
        book.add_mark(key, AssessorMark(args.criterion, args.assessor, args.result, args.reason, now))
        decision = book.decision(key)
    label = decision.label(lang) if decision is not None else "-"
    say(
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


def _submission_key(book: Gradebook, candidate: str, criterion: str, case: str | None, lang: str) -> str:
    """The candidate's submission the mark is for: of ``case`` when given, else the one whose rubric has the
    criterion (criterion ids name their kind's rubric: T4-C11); ambiguous or unknown is a clear error."""
    from casekit.errors import UsageError

    if case is not None:
        key = f"{candidate}/{case}"
        if book.submission(key) is None:
            raise UsageError(t("cli.unknown_submission", lang, key=key))
        return key
    theirs = [s for s in book.submissions() if s.candidate_id == candidate]
    if not theirs:
        raise UsageError(t("cli.unknown_candidate", lang, candidate=candidate))
    graded = {s.key: book.results(s.key) for s in theirs}
    matching = [k for k, r in graded.items() if r is not None and criterion in {c.id for c in r.criteria}]
    if len(matching) == 1:
        return matching[0]
    if len(theirs) == 1 and not matching and graded[theirs[0].key] is None:
        return theirs[0].key  # recorded but not graded yet: the gradebook checks the criterion once it is
    cases = ", ".join(sorted(s.case for s in theirs))
    raise UsageError(t("cli.which_case", lang, candidate=candidate, criterion=criterion, cases=cases))
