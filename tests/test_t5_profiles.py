"""The simulated T5 candidates are the rubric's fixtures: the strong one is competent for the case once an
assessor has marked the written work, and each flawed one fails exactly the criteria its flaw targets, in all three
organisations over several seeds."""

from __future__ import annotations

import pytest
from profile_checks import assert_fails_exactly_its_flaw, assert_strong_covers

from casekit.cases.t5_compliance.kind import KIND
from casekit.cases.t5_compliance.profiles import PROFILES, build_case
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


def test_strong_profile_covers_p51_p52_and_e4(rubric: Rubric) -> None:
    case = build_case("strong", "telecom-support", 5, "strong-telecom", "zh-TW")
    assert_strong_covers(KIND, rubric, case, {"P5.1", "P5.2", "E4", "K1", "K4", "S2"})


def test_every_indicator_and_e4_is_evidenced_by_more_than_one_criterion(rubric: Rubric) -> None:
    for element in ("P5.1", "P5.2", "E4"):
        assert len([c for c in rubric.criteria if element in c.elements]) > 1, element
