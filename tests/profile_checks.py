"""What every case kind's simulated candidates must show (shared by the kinds' profile tests): each flawed profile
fails exactly the criteria its flaw targets and no assessor-judged one, and once an assessor marks the written work
the case decision follows the essential criteria; the strong profile, marked, is competent and covers its elements."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from casekit.cases.kind import CaseKind
from casekit.rubric import AssessorMark, CaseResult, Rubric, apply_marks, decide, run_checks


def checked(kind: CaseKind, rubric: Rubric, case: Any) -> CaseResult:
    return run_checks(rubric, kind.grading_context(case.to_answer(), case.world), registry=kind.checks)


def not_met(kind: CaseKind, case: Any) -> set[str]:
    """The criteria of the kind's packaged rubric that ``case``'s answer does not meet (or that fail to run)."""
    result = checked(kind, kind.load_rubric(), case)
    return {c.id for c in result.criteria if c.state in ("not_yet_met", "error")}


def assert_fails_exactly_its_flaw(kind: CaseKind, rubric: Rubric, profile: str, case: Any) -> None:
    assert kind.profiles is not None
    targets = kind.profiles.flaw_targets[profile]
    result = checked(kind, rubric, case)
    automatic = {c.id for c in rubric.criteria if c.judged_by.automatic}
    not_met = {c.id for c in result.criteria if c.state in ("not_yet_met", "error")}
    assert not_met == targets, {c.id: c.evidence for c in result.criteria if c.id in not_met}
    assert not_met <= automatic
    awaiting = {c.id for c in result.criteria if c.state == "awaiting_assessor"}
    assert awaiting == {c.id for c in rubric.criteria if not c.judged_by.automatic}
    marks = [AssessorMark(cid, "assessor-a", "met", "read", "2026-12-02T10:00:00+08:00") for cid in sorted(awaiting)]
    decision = decide(apply_marks(result, marks))
    essential = {c.id for c in rubric.criteria if c.essential}
    expected = "competent" if not (targets & essential) else "not_yet_competent"
    assert decision.outcome == expected


def assert_strong_covers(kind: CaseKind, rubric: Rubric, case: Any, elements: Collection[str]) -> None:
    result = checked(kind, rubric, case)
    marks = [
        AssessorMark(c.id, "a", "met", "ok", "2026-12-02T10:00:00Z")
        for c in rubric.criteria
        if not c.judged_by.automatic
    ]
    final = apply_marks(result, marks)
    covered = {e for c in final.criteria if c.state == "met" for e in c.elements}
    assert set(elements) <= covered
    assert decide(final).outcome == "competent"
