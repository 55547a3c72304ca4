"""The simulated T2 candidates are the rubric's fixtures: the strong one is competent for the case once an
assessor has marked the written work, and each flawed one fails exactly the criteria its flaw targets, in all three
organisations over several seeds."""

from __future__ import annotations

import pytest
from profile_checks import assert_fails_exactly_its_flaw, assert_strong_covers

from casekit.cases.t2_training.kind import KIND
from casekit.cases.t2_training.profiles import PROFILES, build_case
from casekit.rubric import Rubric


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


@pytest.mark.parametrize("seed", [31, 131])
@pytest.mark.parametrize("org", ["bank-cards", "ecommerce-cs", "telecom-support"])
@pytest.mark.parametrize("profile", PROFILES)
def test_profile_fails_exactly_its_flaw(rubric: Rubric, org: str, profile: str, seed: int) -> None:
    case = build_case(profile, org, seed + PROFILES.index(profile), f"fixture-{profile}", "en")
    assert_fails_exactly_its_flaw(KIND, rubric, profile, case)


def test_strong_profile_covers_p21_to_p24_and_e3(rubric: Rubric) -> None:
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    assert_strong_covers(KIND, rubric, case, {"P2.1", "P2.2", "P2.3", "P2.4", "E3", "K7", "K9"})
