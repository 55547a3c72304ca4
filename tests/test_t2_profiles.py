"""The simulated T2 candidates are the rubric's fixtures: the strong one is competent for the case once an
assessor has marked the written work, and each flawed one fails exactly the criteria its flaw targets, in all three
organisations over several seeds."""

from __future__ import annotations

import pytest

from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.kind import KIND
from casekit.cases.t2_training.profiles import FLAW_TARGETS, PROFILES, build_case
from casekit.rubric import AssessorMark, CaseResult, Rubric, apply_marks, decide, run_checks


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


def _checked(rubric: Rubric, case: T2Case) -> CaseResult:
    return run_checks(rubric, KIND.grading_context(case.to_answer(), case.world), registry=KIND.checks)


@pytest.mark.parametrize("seed", [31, 131])
@pytest.mark.parametrize("org", ["bank-cards", "ecommerce-cs", "telecom-support"])
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_fails_exactly_its_flaw(rubric: Rubric, org: str, profile: str, seed: int) -> None:
    case = build_case(profile, org, seed + PROFILES.index(profile), f"fixture-{profile}", "en")
    result = _checked(rubric, case)
    automatic = {c.id for c in rubric.criteria if c.judged_by.automatic}
    not_met = {c.id for c in result.criteria if c.state in ("not_yet_met", "error")}
    assert not_met == FLAW_TARGETS[profile], {c.id: c.evidence for c in result.criteria if c.id in not_met}
    assert not_met <= automatic
    awaiting = {c.id for c in result.criteria if c.state == "awaiting_assessor"}
    assert awaiting == {c.id for c in rubric.criteria if not c.judged_by.automatic}
    marks = [AssessorMark(cid, "assessor-a", "met", "read", "2026-12-02T20:00:00+08:00") for cid in sorted(awaiting)]
    decision = decide(apply_marks(result, marks))
    essential = {c.id for c in rubric.criteria if c.essential}
    expected = "competent" if not (FLAW_TARGETS[profile] & essential) else "not_yet_competent"
    assert decision.outcome == expected


def test_strong_profile_covers_p21_to_p24_and_e3(rubric: Rubric) -> None:
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    result = _checked(rubric, case)
    marks = [
        AssessorMark(c.id, "a", "met", "ok", "2026-12-02T20:00:00Z")
        for c in rubric.criteria
        if not c.judged_by.automatic
    ]
    final = apply_marks(result, marks)
    covered = {e for c in final.criteria if c.state == "met" for e in c.elements}
    assert {"P2.1", "P2.2", "P2.3", "P2.4", "E3", "K7", "K9"} <= covered
    assert decide(final).outcome == "competent"
