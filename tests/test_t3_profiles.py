"""The simulated T3 candidates are the rubric's fixtures: the strong one is competent for the case once an
assessor has marked the written work, and each flawed one fails exactly the criteria its flaw targets, in all three
organisations over several seeds."""

from __future__ import annotations

import pytest
from profile_checks import assert_fails_exactly_its_flaw, assert_strong_covers

from casekit.cases.t3_performance.kind import KIND
from casekit.cases.t3_performance.profiles import PROFILES, build_case
from casekit.rubric import Rubric


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


@pytest.mark.parametrize("seed", [41, 141])
@pytest.mark.parametrize("org", ["bank-cards", "ecommerce-cs", "telecom-support"])
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_fails_exactly_its_flaw(rubric: Rubric, org: str, profile: str, seed: int) -> None:
    case = build_case(profile, org, seed + PROFILES.index(profile), f"fixture-{profile}", "en")
    assert_fails_exactly_its_flaw(KIND, rubric, profile, case)


def test_strong_profile_covers_p31_to_p33_and_e1(rubric: Rubric) -> None:
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    assert_strong_covers(KIND, rubric, case, {"P3.1", "P3.2", "P3.3", "E1", "S1", "S7", "K6"})
