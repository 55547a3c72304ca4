"""The simulated T1 candidates are the rubric's fixtures: the strong one is competent for the case once an
assessor has marked the written work, and each flawed one fails exactly the criteria its flaw targets, in all three
organisations over several seeds."""

from __future__ import annotations

import pytest

from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.kind import KIND
from casekit.cases.t1_recruitment.profiles import FLAW_TARGETS, PROFILES, build_case
from casekit.rubric import AssessorMark, CaseResult, Rubric, apply_marks, decide, run_checks


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


def _checked(rubric: Rubric, case: T1Case) -> CaseResult:
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
    marks = [AssessorMark(cid, "assessor-a", "met", "read", "2026-12-02T10:00:00+08:00") for cid in sorted(awaiting)]
    decision = decide(apply_marks(result, marks))
    essential = {c.id for c in rubric.criteria if c.essential}
    expected = "competent" if not (FLAW_TARGETS[profile] & essential) else "not_yet_competent"
    assert decision.outcome == expected


def test_strong_profile_covers_p11_p12_and_e2(rubric: Rubric) -> None:
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    result = _checked(rubric, case)
    marks = [
        AssessorMark(c.id, "a", "met", "ok", "2026-12-02T10:00:00Z")
        for c in rubric.criteria
        if not c.judged_by.automatic
    ]
    final = apply_marks(result, marks)
    covered = {e for c in final.criteria if c.state == "met" for e in c.elements}
    assert {"P1.1", "P1.2", "E2", "K2", "K3", "K8"} <= covered
    assert decide(final).outcome == "competent"
