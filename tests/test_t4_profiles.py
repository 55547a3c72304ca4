"""The simulated candidates are the rubric's fixtures: the strong one is competent for the case once an assessor
has marked the written work, and each flawed one fails exactly the criteria its flaw targets."""

from __future__ import annotations

import pytest

import casekit.cases.t4_incentives.checks  # noqa: F401  (registers the T4 checks)
from casekit.cases.t4_incentives.checks import t4_context
from casekit.cases.t4_incentives.profiles import FLAW_TARGETS, PROFILES, build_case
from casekit.execution.batch import DEFAULT_RUBRIC
from casekit.rubric import AssessorMark, apply_marks, decide, load_rubric, run_checks


@pytest.fixture(scope="module")
def rubric():  # type: ignore[no-untyped-def]
    return load_rubric(DEFAULT_RUBRIC)


@pytest.mark.parametrize("org", ["bank-cards", "ecommerce-cs"])
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_fails_exactly_its_flaw(rubric, org: str, profile: str) -> None:  # type: ignore[no-untyped-def]
    case = build_case(profile, org, 31 + PROFILES.index(profile), f"fixture-{profile}", "en")
    answer = case.to_answer().model_dump(mode="json", by_alias=True)
    result = run_checks(rubric, t4_context(answer, case.world))
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


def test_strong_profile_covers_every_t4_indicator(rubric) -> None:  # type: ignore[no-untyped-def]
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    answer = case.to_answer().model_dump(mode="json", by_alias=True)
    result = run_checks(rubric, t4_context(answer, case.world))
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
