"""Candidates who want to pass T1 without the competence: each shortcut is written as an answer, and the check
it aims at must say not yet met. Every answer starts from the strong simulated candidate and changes one thing
through the case API (the same calls the widgets make)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from profile_checks import not_met

from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.kind import KIND
from casekit.cases.t1_recruitment.profiles import build_case
from casekit.scenario import World, world_for


@pytest.fixture(scope="module")
def world() -> World:
    return world_for("bank-cards", 11)


def _every_skill_expert(case: T1Case) -> None:
    assert case.job is not None
    case.set_job(case.job.model_copy(update={"skills": dict.fromkeys(case.job.skills, 4)}))


def _women_only_advert(case: T1Case) -> None:
    assert case.advert is not None
    text = case.advert.text + (" 限女性，35歲以下。" if case.lang == "zh-TW" else " Women under 35 only.")
    case.set_advert(case.advert.model_copy(update={"text": text}))


def _one_skill_kit(case: T1Case) -> None:
    case.set_kit([q.model_copy(update={"competency": case.kit[0].competency}) for q in case.kit])


def _everyone_selected(case: T1Case) -> None:
    case.select(list(case.world.applicants["applicant_id"]))


def _worst_selected(case: T1Case) -> None:
    scores = case.panel()
    case.select(list(scores["applicant_id"][-case.places :]))


def _every_driver_named(case: T1Case) -> None:
    teams = sorted(set(case.world.staff["team"]))[:9]  # the answer holds at most 20 drivers
    named = [{"factor": f, "scope": f"team:{t}"} for f in ("better_pay", "physical_environment") for t in teams]
    case.set_drivers([{"factor": d.factor, "scope": d.scope} for d in case.drivers] + named)


def _every_factor_everyone(case: T1Case) -> None:
    base = case.actions[0]
    factors = [
        "better_pay",
        "no_career_development",
        "no_feedback",
        "no_training",
        "physical_environment",
        "recognition_reward",
        "leadership",
        "stress",
    ]
    case.set_actions([base.model_copy(update={"factor": f, "scope": "all"}) for f in factors])
    case.simulate_retention()


def _token_money(case: T1Case) -> None:
    case.set_actions([a.model_copy(update={"cost_per_month": 1}) for a in case.actions])
    case.simulate_retention()


def _everyone_ready_now(case: T1Case) -> None:
    case.set_successors(
        [s.model_copy(update={"readiness": "ready_now", "staff_id": s.staff_id}) for s in case.successors]
        + [
            {
                "team_leader": case.successors[0].team_leader,
                "staff_id": str(case.readiness().sort_values("gap").iloc[-1]["staff_id"]),
                "readiness": "ready_now",
            }
        ]
    )


def _no_shrinkage(case: T1Case) -> None:
    case.set_staffing(0.0, case.hiring(0.0).min_hires)


def _hire_an_army(case: T1Case) -> None:
    assert case.staffing is not None
    case.set_staffing(case.staffing.shrinkage, case.staffing.hires + 200)


def _tampered_turnover(case: T1Case) -> None:
    case.set_turnover_figures("compound", **{**case.turnover_figures, "annual_turnover": 0.05})


SHORTCUTS: dict[str, tuple[Callable[[T1Case], None], str]] = {
    "every skill at expert level": (_every_skill_expert, "T1-C01"),
    "an advert for young women": (_women_only_advert, "T1-C03"),
    "every question on one skill": (_one_skill_kit, "T1-C04"),
    "everyone selected": (_everyone_selected, "T1-C06"),
    "the lowest scores selected": (_worst_selected, "T1-C06"),
    "every factor in every team named": (_every_driver_named, "T1-C10"),
    "an action on every factor for everyone": (_every_factor_everyone, "T1-C11"),
    "the right drivers, token money": (_token_money, "T1-C11"),
    "every successor ready now": (_everyone_ready_now, "T1-C12"),
    "no shrinkage, fewer hires": (_no_shrinkage, "T1-C13"),
    "two hundred hires more": (_hire_an_army, "T1-C13"),
    "a turnover rate made up": (_tampered_turnover, "T1-C09"),
}


@pytest.mark.parametrize("name", list(SHORTCUTS))
def test_a_shortcut_does_not_pass(world: World, name: str) -> None:
    shortcut, criterion = SHORTCUTS[name]
    case = build_case("strong", "bank-cards", 11, "gamer", "zh-TW", world=world)
    assert criterion not in not_met(KIND, case)
    shortcut(case)
    assert criterion in not_met(KIND, case)
