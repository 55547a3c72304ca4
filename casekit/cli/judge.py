"""The assessors' judgements, each recorded in the gradebook with who, when and why: ``casekit mark`` (the primary
assessor's judgement of a criterion), ``casekit carry`` (an assessor's marks carried to a resubmission),
``casekit moderate`` (a moderator's agreement, disagreement or resolution) and ``casekit signoff`` (a declaration
bound to the digest of the unit decision it signs; refused while the decision still awaits an assessor or a
moderator)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casekit.cli.base import EXIT_OK, add_command, say
from casekit.i18n import t

if TYPE_CHECKING:
    from casekit.store import Gradebook

__all__ = ["add_parser", "open_gradebook", "submission_key"]


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = add_command(sub, "mark", common, "cli.help_mark")
    _target(p)
    p.add_argument("result", choices=["met", "not_yet_met"], help=t("cli.help_result"))
    p.add_argument("--assessor", required=True, help=t("cli.help_assessor"))
    p.add_argument("--reason", required=True, help=t("cli.help_reason"))
    p.set_defaults(func=run_mark)

    p = add_command(sub, "moderate", common, "cli.help_moderate")
    _target(p)
    p.add_argument("action", choices=["agree", "disagree", "resolve"], help=t("cli.help_action"))
    p.add_argument("--moderator", required=True, help=t("cli.help_moderator"))
    p.add_argument("--reason", required=True, help=t("cli.help_reason"))
    p.add_argument("--outcome", choices=["upheld", "overturned"], help=t("cli.help_outcome"))
    p.set_defaults(func=run_moderate)

    p = add_command(sub, "carry", common, "cli.help_carry")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("candidate", metavar="CANDIDATE_ID", help=t("cli.help_candidate"))
    p.add_argument("case", metavar="KIND", help=t("cli.help_case"))
    p.add_argument("--assessor", required=True, help=t("cli.help_assessor"))
    p.add_argument("--reason", required=True, help=t("cli.help_reason"))
    p.set_defaults(func=run_carry)

    p = add_command(sub, "signoff", common, "cli.help_signoff")
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("candidate", metavar="CANDIDATE_ID", help=t("cli.help_candidate"))
    p.add_argument("--assessor", required=True, help=t("cli.help_signer"))
    p.add_argument("--role", required=True, choices=["assessor", "moderator"], help=t("cli.help_role"))
    p.add_argument("--statement", required=True, help=t("cli.help_statement"))
    p.add_argument("--plan", metavar="PLAN", help=t("cli.help_plan"))
    p.set_defaults(func=run_signoff)


def _target(p: argparse.ArgumentParser) -> None:
    p.add_argument("gradebook", metavar="GRADEBOOK", help=t("cli.help_gradebook"))
    p.add_argument("candidate", metavar="CANDIDATE_ID", help=t("cli.help_candidate"))
    p.add_argument("criterion", metavar="CRITERION_ID", help=t("cli.help_criterion"))
    p.add_argument("--case", metavar="KIND", help=t("cli.help_case"))


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def open_gradebook(path: str, lang: str) -> Gradebook:
    from casekit.errors import UsageError
    from casekit.store import Gradebook

    if not Path(path).is_file():
        raise UsageError(t("cli.no_gradebook", lang, path=path))
    return Gradebook(path)


def run_mark(args: argparse.Namespace, lang: str) -> int:
    from casekit.cohort.records import current_decision
    from casekit.rubric import AssessorMark

    with open_gradebook(args.gradebook, lang) as book:
        key = submission_key(book, args.candidate, args.criterion, args.case, lang)
        book.add_mark(key, AssessorMark(args.criterion, args.assessor, args.result, args.reason, _now()))
        decision = current_decision(book, key)
    label = decision.label(lang) if decision is not None else "-"
    result = t(f"rubric.state_{args.result}", lang)
    say(t("cli.marked", lang, key=key, criterion=args.criterion, result=result, decision=label))
    return EXIT_OK


def run_moderate(args: argparse.Namespace, lang: str) -> int:
    from casekit.assessment.records import Moderation
    from casekit.cohort.records import current_decision

    with open_gradebook(args.gradebook, lang) as book:
        key = submission_key(book, args.candidate, args.criterion, args.case, lang)
        record = Moderation(
            args.criterion, args.moderator, args.action, args.reason, _now(), outcome=args.outcome or ""
        )
        book.add_moderation(key, record)
        decision = current_decision(book, key)
    label = decision.label(lang) if decision is not None else "-"
    say(t("cli.moderated", lang, key=key, criterion=args.criterion, action=args.action, decision=label))
    return EXIT_OK


def run_carry(args: argparse.Namespace, lang: str) -> int:
    with open_gradebook(args.gradebook, lang) as book:
        key = f"{args.candidate}/{args.case}"
        n = book.carry_marks(key, args.assessor, args.reason)
    say(t("cli.carried", lang, key=key, n=n))
    return EXIT_OK


def run_signoff(args: argparse.Namespace, lang: str) -> int:
    from casekit.assessment.records import SignOff
    from casekit.assessment.unit import unit_reasons
    from casekit.cohort.plans import cohort_plan
    from casekit.cohort.unit import unit_decision
    from casekit.errors import UsageError

    with open_gradebook(args.gradebook, lang) as book:
        if args.candidate not in dict(book.candidates()):
            raise UsageError(t("cli.unknown_candidate", lang, candidate=args.candidate))
        plan = cohort_plan(book, args.plan)
        _inputs, decision = unit_decision(book, plan, args.candidate)
        if decision.evidence_outcome not in ("competent", "not_yet_competent"):
            why = "; ".join(unit_reasons(decision.to_json(), lang))
            label = t(f"rubric.decision_{decision.evidence_outcome}", lang)
            raise UsageError(t("cli.nothing_to_sign", lang, candidate=args.candidate, outcome=label, reasons=why))
        book.add_signoff(SignOff(args.candidate, args.assessor, args.role, args.statement, decision.digest, _now()))
        _inputs, after = unit_decision(book, plan, args.candidate)
    evidence = t(f"rubric.decision_{after.evidence_outcome}", lang)
    say(t("cli.signed", lang, candidate=args.candidate, role=args.role, evidence=evidence, outcome=after.label(lang),
          digest=decision.digest[:12]))  # fmt: skip
    return EXIT_OK


def submission_key(book: Gradebook, candidate: str, criterion: str, case: str | None, lang: str) -> str:
    """The candidate's submission a judgement is for: of ``case`` when given, else the one whose latest grading
    has the criterion (criterion ids name their kind's rubric: T4-C11); ambiguous or unknown is a clear error."""
    from casekit.errors import UsageError

    if case is not None:
        key = f"{candidate}/{case}"
        if book.submission(key) is None:
            raise UsageError(t("cli.unknown_submission", lang, key=key))
        return key
    theirs = book.submissions(candidate)
    if not theirs:
        raise UsageError(t("cli.unknown_candidate", lang, candidate=candidate))
    runs = {s.key: book.latest_grading(s.key) for s in theirs}
    matching = [k for k, r in runs.items() if r is not None and criterion in {c["id"] for c in r.criteria}]
    if len(matching) == 1:
        return matching[0]
    if len(theirs) == 1 and not matching and runs[theirs[0].key] is None:
        return theirs[0].key  # recorded but not graded (or withdrawn): the gradebook says which
    cases = ", ".join(sorted(s.case for s in theirs))
    raise UsageError(t("cli.which_case", lang, candidate=candidate, criterion=criterion, cases=cases))
