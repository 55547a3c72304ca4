"""Candidates who want to pass T3 without the competence: each shortcut is written as an answer, and the check it
aims at must say not yet met. Every answer starts from the strong simulated candidate and changes one thing through
the case API (the same calls the widgets make)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from profile_checks import not_met

from casekit.cases.t3_performance.case import T3Case
from casekit.cases.t3_performance.kind import KIND
from casekit.cases.t3_performance.profiles import build_case
from casekit.scenario import World, world_for


@pytest.fixture(scope="module")
def world() -> World:
    return world_for("bank-cards", 11)


def _replace_agreements(case: T3Case, change: Callable[[dict[str, object]], dict[str, object]]) -> None:
    items = [change(a.model_dump()) for a in case.agreements.values()]
    case.clear_agreements()
    case.set_agreements(items)


def _targets_at_the_worst_month(case: T3Case) -> None:
    """Every target at what the member reached in their worst month: met before it is set."""
    bands = case.bands().set_index(["staff_id", "kpi"])
    sign = bands["direction"].astype(float)
    worst = (bands["floor"] - sign * bands["floor"].abs() * 0.05).to_dict()

    def lower(a: dict[str, object]) -> dict[str, object]:
        value = float(worst[(a["staff_id"], a["kpi"])])
        return {**a, "proposed": value, "agreed": value, "member_verdict": "accept", "member_reason": None}

    _replace_agreements(case, lower)


def _objections_recorded_as_accepted(case: T3Case) -> None:
    def accept(a: dict[str, object]) -> dict[str, object]:
        return {**a, "member_verdict": "accept", "member_reason": None}

    _replace_agreements(case, accept)


def _agreed_after_the_period(case: T3Case) -> None:
    late = case.calendar().period_end + dt.timedelta(days=1)
    _replace_agreements(case, lambda a: {**a, "date": late})


def _objections_waved_away(case: T3Case) -> None:
    _replace_agreements(case, lambda a: {**a, "reply": "ok"} if a["member_verdict"] == "object" else a)


def _revision_hidden(case: T3Case) -> None:
    _replace_agreements(case, lambda a: {**a, "change": "none"})


def _complex_queue_held_to_the_norm(case: T3Case) -> None:
    """The complex-queue members' objections to the team's AHT overruled: the proposed norm kept."""

    def hold(a: dict[str, object]) -> dict[str, object]:
        if a["member_reason"] in ("complex_queue", "ramping"):
            return {**a, "agreed": a["proposed"], "change": "none"}
        return a

    _replace_agreements(case, hold)


def _every_kpi_for_every_role(case: T3Case) -> None:
    """The agents' KPIs given to every role, team leaders and support staff included."""
    agent = case.kpi_sets["agent"].kpis
    case.set_kpi_sets({"role": r, "kpis": agent} for r in sorted(set(case.members()["role"])))


def _conversion_without_quality(case: T3Case) -> None:
    sets = [s.model_dump() for s in case.kpi_sets.values()]
    for s in sets:
        if s["role"] in ("agent", "senior_agent"):
            s["kpis"] = ["aht_s", "fcr", "conversion"]
    case.set_kpi_sets(sets)


def _team_leader_without_retention(case: T3Case) -> None:
    sets = [s.model_dump() for s in case.kpi_sets.values()]
    for s in sets:
        if s["role"] == "team_leader":
            s["kpis"] = [k for k in s["kpis"] if k != "retention"]
    case.set_kpi_sets(sets)


def _one_to_ones_in_the_first_month(case: T3Case) -> None:
    first = case.calendar().period_start
    case.set_reviews(
        r.model_copy(update={"date": first + dt.timedelta(days=i % 3)}) if r.kind == "one_to_one" else r
        for i, r in enumerate(case.reviews)
    )


def _pip_review_on_day_31(case: T3Case) -> None:
    starts = dict(zip(case.pips()["staff_id"], case.pips()["start_date"], strict=True))
    days = case.world.spec.appraisal.pip_review_days
    case.set_reviews(
        r.model_copy(update={"date": dt.date.fromisoformat(str(starts[r.staff_id])) + dt.timedelta(days=days + 1)})
        if r.kind == "pip_review"
        else r
        for r in case.reviews
    )


def _everyone_meets(case: T3Case) -> None:
    case.set_appraisal({"staff_id": s, "rating": 3, "comment": ""} for s in case.members()["staff_id"])


def _plans_with_an_unrelated_course(case: T3Case) -> None:
    """Each development plan books the first offer of the world, whatever the gap."""
    first = str(case.world.training["offer_id"].iloc[0])
    plans = [p.model_copy(update={"action": "training", "offer_id": first}) for p in case.development]
    unrelated = [p for p in plans if first not in case.linked_offers(p.kpi)]
    assert unrelated
    case.set_development(plans)


def _no_plans(case: T3Case) -> None:
    case.set_development([])


def _everyone_recognised(case: T3Case) -> None:
    case.set_recognition({"staff_id": s, "kind": "praise", "note": ""} for s in case.members()["staff_id"])


def _data_from_the_wrong_system(case: T3Case) -> None:
    case.set_data_plan(d.model_copy(update={"source": "hr"}) for d in case.data_plan)


SHORTCUTS: dict[str, tuple[Callable[[T3Case], None], str]] = {
    "every target at the worst month": (_targets_at_the_worst_month, "T3-C04"),
    "objections recorded as accepted": (_objections_recorded_as_accepted, "T3-C06"),
    "agreed after the period": (_agreed_after_the_period, "T3-C06"),
    "objections waved away": (_objections_waved_away, "T3-C07"),
    "a revision recorded as no change": (_revision_hidden, "T3-C07"),
    "complex queue held to the norm": (_complex_queue_held_to_the_norm, "T3-C05"),
    "the agents' KPIs for every role": (_every_kpi_for_every_role, "T3-C01"),
    "conversion without quality": (_conversion_without_quality, "T3-C02"),
    "a team leader without retention": (_team_leader_without_retention, "T3-C02"),
    "every one-to-one in the first month": (_one_to_ones_in_the_first_month, "T3-C08"),
    "a PIP review on day 31": (_pip_review_on_day_31, "T3-C09"),
    "everyone rated meets": (_everyone_meets, "T3-C11"),
    "plans with an unrelated course": (_plans_with_an_unrelated_course, "T3-C12"),
    "no development plans": (_no_plans, "T3-C12"),
    "everyone recognised": (_everyone_recognised, "T3-C13"),
    "data from the wrong system": (_data_from_the_wrong_system, "T3-C10"),
}


@pytest.mark.parametrize("name", list(SHORTCUTS))
def test_a_shortcut_does_not_pass(world: World, name: str) -> None:
    shortcut, criterion = SHORTCUTS[name]
    case = build_case("strong", "bank-cards", 11, "gamer", "zh-TW", world=world)
    assert criterion not in not_met(KIND, case)
    shortcut(case)
    assert criterion in not_met(KIND, case)
