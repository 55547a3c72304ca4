"""The simulated candidates are the rubric's fixtures: the strong one is competent for the case once an assessor
has marked the written work, and each flawed one fails exactly the criteria its flaw targets."""

from __future__ import annotations

import pytest

from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.kind import KIND
from casekit.cases.t4_incentives.profiles import FLAW_TARGETS, PROFILES, build_case
from casekit.rubric import AssessorMark, CaseResult, Rubric, apply_marks, decide, run_checks


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


def _checked(rubric: Rubric, case: T4Case) -> CaseResult:
    return run_checks(rubric, KIND.grading_context(case.to_answer(), case.world), registry=KIND.checks)


@pytest.mark.parametrize("seed", [31, 131])
@pytest.mark.parametrize("org", ["bank-cards", "ecommerce-cs", "telecom-support"])
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_fails_exactly_its_flaw(rubric: Rubric, org: str, profile: str, seed: int) -> None:
    """In all three organisations over several seeds (issue 9: the checks judge behaviour, and the simulated
    candidates keep their verdicts)."""
    case = build_case(profile, org, seed + PROFILES.index(profile), f"fixture-{profile}", "en")
    result = _checked(rubric, case)
    automatic = {c.id for c in rubric.criteria if c.judged_by.automatic}
    not_met = {c.id for c in result.criteria if c.state in ("not_yet_met", "error")}
    assert not_met == FLAW_TARGETS[profile]
    assert not_met <= automatic
    awaiting = {c.id for c in result.criteria if c.state == "awaiting_assessor"}
    assert awaiting == {c.id for c in rubric.criteria if not c.judged_by.automatic}

    marks = [
        AssessorMark(cid, "assessor-a", "met", "read and discussed", "2026-11-28T10:00:00+08:00")
        for cid in sorted(awaiting)
    ]
    decision = decide(apply_marks(result, marks))
    essential = {c.id for c in rubric.criteria if c.essential}
    expected = "competent" if not (FLAW_TARGETS[profile] & essential) else "not_yet_competent"
    assert decision.outcome == expected


def test_strong_profile_covers_every_t4_indicator(rubric: Rubric) -> None:
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    result = _checked(rubric, case)
    marks = [
        AssessorMark(c.id, "a", "met", "ok", "2026-11-28T10:00:00Z")
        for c in rubric.criteria
        if not c.judged_by.automatic
    ]
    final = apply_marks(result, marks)
    covered = {e for c in final.criteria if c.state == "met" for e in c.elements}
    assert {"P4.1", "P4.2", "P4.3", "P4.4", "E1", "K6", "S6", "S7"} <= covered
    assert decide(final).outcome == "competent"


def test_profiles_use_the_audit_tools_not_the_truth() -> None:
    """The weak auditor reports only what its two tools show; the strong one finds every seeded anomaly."""
    strong = build_case("strong", "bank-cards", 77, "s", "en")
    weak = build_case("missed_anomalies", "bank-cards", 77, "w", "en")
    assert strong.findings_found() == len(strong.ledger.truth) == 5
    assert {f.kind for f in weak.findings} <= {"calculation_error", "over_cap"}
    assert weak.findings_found() < 5
