"""Candidates who want to pass T2 without the competence: each shortcut is written as an answer, and the check it
aims at must say not yet met. Every answer starts from the strong simulated candidate and changes one thing through
the case API (the same calls the widgets make)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from profile_checks import not_met

from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.kind import KIND
from casekit.cases.t2_training.planner import headroom_hours
from casekit.cases.t2_training.profiles import build_case
from casekit.scenario import World, world_for


@pytest.fixture(scope="module")
def world() -> World:
    return world_for("bank-cards", 11)


def _every_record_a_problem(case: T2Case) -> None:
    """Everyone's whole record called stale, so that no real problem can be missed."""
    case.set_data_issues(
        [{"staff_id": s, "problem": "stale", "action": "reassess"} for s in case.world.staff["staff_id"]]
    )


def _records_used_as_they_are(case: T2Case) -> None:
    case.set_data_issues([])


def _one_kind_for_all(case: T2Case) -> None:
    case.set_needs([n.model_copy(update={"kind": "technology"}) for n in case.needs])


def _needs_of_one_role(case: T2Case) -> None:
    first = case.needs[0].role
    case.set_needs([n for n in case.needs if n.role == first])


def _everything_deferred(case: T2Case) -> None:
    above = case.above_threshold()
    reason = "Deferred to next quarter because the team is busy."
    deferred = [
        {"staff_id": s, "skill_id": k, "reason": reason}
        for s, k in zip(above["staff_id"], above["skill_id"], strict=True)
    ]
    case.set_plan(case.bookings[:1], deferred)


def _everyone_on_every_elearning(case: T2Case) -> None:
    """Every member of staff on every e-learning module, whatever their gaps."""
    sessions = case.world.training_sessions.merge(case.world.training[["offer_id", "offer_type"]], on="offer_id")
    first = sessions[sessions["offer_type"] == "e_learning"].drop_duplicates("offer_id")
    people = list(case.world.staff["staff_id"])
    case.set_plan([{"staff_id": p, "session_id": s} for s in first["session_id"] for p in people], [])


def _all_in_the_peak_week(case: T2Case) -> None:
    """The whole plan moved into the quarter's tightest week (where an offer runs that week)."""
    room = headroom_hours(case)
    peak = min(room, key=lambda w: (room[w], w))
    sessions = case.world.training_sessions
    there = sessions[sessions["week"] == peak]
    target = dict(zip(there["offer_id"], there["session_id"], strict=True))
    offer_of = dict(zip(sessions["session_id"], sessions["offer_id"], strict=True))
    moved = list(dict.fromkeys((b.staff_id, target.get(offer_of[b.session_id], b.session_id)) for b in case.bookings))
    case.set_plan([{"staff_id": p, "session_id": s} for p, s in moved], case.deferred)


def _critical_training_late(case: T2Case) -> None:
    """The compliance-critical courses booked in the quarter's last week, after the other training."""
    sessions = case.world.training_sessions
    last = sessions[sessions["week"] == sessions["week"].max()]
    target = dict(zip(last["offer_id"], last["session_id"], strict=True))
    offers = case.world.training.set_index("offer_id")["skills"]
    offer_of = dict(zip(sessions["session_id"], sessions["offer_id"], strict=True))
    late = [
        (b.staff_id, target.get(offer_of[b.session_id], b.session_id))
        if "regulatory_script" in str(offers[offer_of[b.session_id]])
        else (b.staff_id, b.session_id)
        for b in case.bookings
    ]
    case.set_plan([{"staff_id": p, "session_id": s} for p, s in dict.fromkeys(late)], case.deferred)


def _one_coaching_session_for_all(case: T2Case) -> None:
    """The whole staff added to the first coaching session, whatever its seats."""
    sessions = case.world.training_sessions.merge(case.world.training[["offer_id", "offer_type"]], on="offer_id")
    coaching = sessions[sessions["offer_type"] == "internal_coaching"].sort_values(["week", "session_id"])
    first = str(coaching["session_id"].iloc[0])
    everyone = [(str(p), first) for p in case.world.staff["staff_id"]]
    rows = dict.fromkeys([(b.staff_id, b.session_id) for b in case.bookings] + everyone)
    case.set_plan([{"staff_id": p, "session_id": s} for p, s in rows], case.deferred)


def _data_protection_after_go_live(case: T2Case) -> None:
    for plan in list(case.induction.values()):
        steps = [
            s.model_copy(update={"day": plan.go_live_day + 3}) if s.topic == "data_protection" else s
            for s in plan.steps
        ]
        case.set_induction(plan.model_copy(update={"steps": steps}))


def _trainer_as_buddy(case: T2Case) -> None:
    for plan in list(case.induction.values()):
        case.set_induction(plan.model_copy(update={"buddy": plan.trainer}))


def _results_as_behaviour(case: T2Case) -> None:
    case.set_evaluation(
        case.evaluation.model_copy(update={"levels": {"L1": "reaction_survey", "L2": "fcr", "L3": "fcr", "L4": "fcr"}})
    )


def _roi_of_an_unbooked_course(case: T2Case) -> None:
    booked = set(case.world.training_sessions.set_index("session_id").loc[[s for _, s in case.rows], "offer_id"])
    offers = case.world.training
    other = offers[(offers["offer_type"] == "vendor_course") & ~offers["offer_id"].isin(booked)]
    case.set_evaluation(
        case.evaluation.model_copy(update={"roi_offer": str(other["offer_id"].iloc[0]), "roi_percent": 250.0})
    )


def _roi_made_up(case: T2Case) -> None:
    assert case.evaluation.roi_percent is not None
    case.set_evaluation(case.evaluation.model_copy(update={"roi_percent": case.evaluation.roi_percent + 150.0}))


SHORTCUTS: dict[str, tuple[Callable[[T2Case], None], str]] = {
    "every record called a problem": (_every_record_a_problem, "T2-C02"),
    "the records used as they are": (_records_used_as_they_are, "T2-C02"),
    "every need called technology": (_one_kind_for_all, "T2-C04"),
    "the needs of one role only": (_needs_of_one_role, "T2-C03"),
    "everything deferred with a reason": (_everything_deferred, "T2-C06"),
    "compliance-critical courses in the last week": (_critical_training_late, "T2-C05"),
    "the whole staff in one coaching session": (_one_coaching_session_for_all, "T2-C08"),
    "everyone deferred is never scheduled": (_everything_deferred, "T2-C10"),
    "everyone on every e-learning module": (_everyone_on_every_elearning, "T2-C11"),
    "all training in the peak week": (_all_in_the_peak_week, "T2-C09"),
    "data protection after go-live": (_data_protection_after_go_live, "T2-C12"),
    "the trainer as everyone's buddy": (_trainer_as_buddy, "T2-C12"),
    "results measured as behaviour": (_results_as_behaviour, "T2-C13"),
    "the ROI of a course nobody takes": (_roi_of_an_unbooked_course, "T2-C14"),
    "an ROI made up": (_roi_made_up, "T2-C14"),
}


@pytest.mark.parametrize("name", list(SHORTCUTS))
def test_a_shortcut_does_not_pass(world: World, name: str) -> None:
    shortcut, criterion = SHORTCUTS[name]
    case = build_case("strong", "bank-cards", 11, "gamer", "zh-TW", world=world)
    assert criterion not in not_met(KIND, case)
    shortcut(case)
    assert criterion in not_met(KIND, case)


def test_reassessment_changes_the_gaps_the_plan_must_close(world: World) -> None:
    """Reassessment changes what must be trained: the stale levels give other gaps than the current ones."""
    case = build_case("strong", "bank-cards", 11, "gamer", "en", world=world)
    stale = [i for i in case.data_issues if i.problem == "stale"]
    assert stale
    real = case.above_threshold()
    case.set_data_issues([i for i in case.data_issues if i.problem != "stale"])
    seen = case.above_threshold()
    assert len(seen) != len(real) or set(zip(seen["staff_id"], seen["skill_id"], strict=True)) != set(
        zip(real["staff_id"], real["skill_id"], strict=True)
    )
