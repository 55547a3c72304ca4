"""T2 training plan: the plan's rows joined with sessions and offers, budget and spend, overbooked sessions, the
service level of every week with the training hours taken off the phones, gaps closed and spend wasted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from casekit.cases.t2_training import audit as au
from casekit.cases.t2_training import schedule as sc
from casekit.errors import UsageError
from casekit.scenario import World, world_for
from casekit.staffing import StaffingNeed

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")


@pytest.fixture(scope="module", params=ORGS)
def world(request: pytest.FixtureRequest) -> World:
    return world_for(request.param, 1)


@pytest.fixture(scope="module")
def needs(world: World) -> tuple[StaffingNeed, ...]:
    return sc.week_needs(world)


def _handling(world: World) -> list[str]:
    return world.staff.loc[world.staff["role"].isin(sc.HANDLING_ROLES), "staff_id"].tolist()


def _others(world: World) -> list[str]:
    return world.staff.loc[~world.staff["role"].isin(sc.HANDLING_ROLES), "staff_id"].tolist()


def _session(world: World, offer_type: str, week: int | None = None) -> pd.Series:
    offers = world.training.set_index("offer_id")["offer_type"]
    sessions = world.training_sessions
    mine = sessions[sessions["offer_id"].map(offers) == offer_type]
    if week is not None:
        mine = mine[mine["week"] == week]
    return mine.sort_values(["seats", "session_id"]).iloc[0]


# ------------------------------------------------------------------------------------------ rows and money
def test_plan_frame_joins_sessions_and_offers(world: World) -> None:
    person, other = _handling(world)[0], _others(world)[0]
    session = _session(world, "e_learning", week=3)
    rows = [(person, session["session_id"]), (other, session["session_id"]), (person, session["session_id"])]
    plan = sc.plan_frame(world, rows)
    assert list(plan.columns) == list(sc.PLAN_COLUMNS)
    assert len(plan) == 2  # a repeated row holds one seat
    offer = world.training.set_index("offer_id").loc[session["offer_id"]]
    first = plan.iloc[0]
    assert (first["staff_id"], first["session_id"], first["offer_id"]) == (
        person,
        session["session_id"],
        session.offer_id,
    )
    assert (first["week"], first["offer_type"], first["skills"]) == (3, "e_learning", offer["skills"])
    assert (first["hours"], first["cost_per_person"]) == (offer["hours"], offer["cost_per_person"])
    assert plan["handling"].tolist() == [True, False]
    assert sc.plan_frame(world, []).empty


def test_budget_is_the_factor_times_the_cheapest_cover_of_the_recorded_gaps(world: World) -> None:
    from casekit.cases.t2_training import audit as au

    issues = au.data_issues(world)
    blank = issues[issues["problem"] == "missing"]
    recorded = au.audit(world, assumed=set(zip(blank["staff_id"], blank["skill_id"], strict=True)))
    above = au.above_threshold(recorded, world.spec.training.priority_threshold)
    offers = world.training.assign(skill=world.training["skills"].str.split(";")).explode("skill")
    cheapest = offers.groupby("skill")["cost_per_person"].min()
    cover = float(cheapest.reindex(above["skill_id"]).fillna(0).sum())
    budget = sc.budget(world)
    assert budget % 1000 == 0
    assert cover * world.spec.training.budget_factor <= budget < cover * world.spec.training.budget_factor + 1000
    assert len(above) > 0 and cover > 0


def test_budget_and_spend(world: World) -> None:
    people = _handling(world)[:3]
    sessions = world.training_sessions["session_id"].tolist()[:3]
    rows = [(p, s) for p in people for s in sessions]
    offers = world.training.set_index("offer_id")["cost_per_person"]
    by_session = world.training_sessions.set_index("session_id")["offer_id"]
    assert sc.spend(world, rows) == sum(int(offers[by_session[s]]) for _, s in rows)
    assert sc.spend(world, rows + rows[:2]) == sc.spend(world, rows)
    assert sc.spend(world, []) == 0


def test_overbooking_is_found_at_seats_plus_one_and_not_at_seats(world: World) -> None:
    session = _session(world, "internal_coaching")
    seats = int(session["seats"])
    people = world.staff["staff_id"].tolist()
    assert len(people) > seats
    full = [(p, session["session_id"]) for p in people[:seats]]
    assert sc.over_capacity(world, full).empty
    over = sc.over_capacity(world, [*full, (people[seats], session["session_id"])])
    assert over.to_dict("records") == [{"session_id": session["session_id"], "seats": seats, "booked": seats + 1}]
    assert sc.over_capacity(world, [*full, full[0]]).empty  # the same person twice is still one seat


# ------------------------------------------------------------------------------------------ service level
def test_an_empty_plan_holds_in_every_week(world: World, needs: tuple[StaffingNeed, ...]) -> None:
    weeks = sc.weekly_service_level(world, [], needs=needs)
    assert list(weeks.columns) == list(sc.WEEK_COLUMNS)
    assert weeks["week"].tolist() == world.weeks["week"].tolist()
    assert (weeks["scheduled_fte"].to_numpy() >= np.array([n.fte for n in needs])).all()
    assert (weeks["training_fte"] == 0).all() and (weeks["available_fte"] == weeks["scheduled_fte"]).all()
    assert weeks["holds"].all()
    assert (weeks["target"] == world.spec.targets.service_level).all()


def _fill_week(world: World, week: int, fte: float) -> list[tuple[str, str]]:
    """Handling people booked on the week's e-learning and coaching sessions until ``fte`` is off the phones."""
    sessions = world.training_sessions[world.training_sessions["week"] == week]
    hours = world.training.set_index("offer_id")["hours"]
    rows: list[tuple[str, str]] = []
    taken = 0.0
    for session in sessions.itertuples():
        for person in _handling(world)[: int(session.seats)]:
            if taken >= fte * sc.WEEK_HOURS:
                return rows
            rows.append((person, str(session.session_id)))
            taken += float(hours[session.offer_id])
    return rows


def test_a_plan_over_a_tight_week_fails_there(world: World, needs: tuple[StaffingNeed, ...]) -> None:
    headroom = world.weeks["scheduled_fte"].to_numpy() / np.array([n.fte for n in needs])
    week = int(world.weeks["week"].iloc[int(np.argmin(headroom))])
    spare = float(world.weeks.loc[world.weeks["week"] == week, "scheduled_fte"].iloc[0]) - needs[week - 1].fte
    rows = _fill_week(world, week, spare + 1.5)
    weeks = sc.weekly_service_level(world, rows, needs=needs).set_index("week")
    tight = weeks.loc[week]
    assert tight["available_fte"] < needs[week - 1].fte
    assert tight["service_level"] < tight["target"] and not tight["holds"]
    assert weeks.drop(index=week)["holds"].all()  # no training elsewhere
    plan = sc.plan_frame(world, rows)
    assert tight["training_hours"] == pytest.approx(plan["hours"].sum())
    assert tight["training_fte"] == pytest.approx(plan["hours"].sum() / 40)
    assert sc.weekly_service_level(world, rows).equals(sc.weekly_service_level(world, rows, needs=needs))


def test_training_off_the_phones_counts_only_handling_staff(world: World, needs: tuple[StaffingNeed, ...]) -> None:
    session = _session(world, "e_learning", week=2)
    rows = [(p, str(session["session_id"])) for p in _others(world)]
    weeks = sc.weekly_service_level(world, rows, needs=needs).set_index("week")
    assert weeks.loc[2, "training_hours"] > 0 and weeks.loc[2, "training_fte"] == 0
    assert weeks["holds"].all()


def test_needs_of_the_wrong_length_are_refused(world: World, needs: tuple[StaffingNeed, ...]) -> None:
    with pytest.raises(UsageError, match="needs"):
        sc.weekly_service_level(world, [], needs=needs[:-1])


# ------------------------------------------------------------------------------------- gaps closed, money wasted
def _gap_and_offer(world: World, found: au.Audit) -> tuple[str, str, str]:
    """A person with a gap, the skill, and a session of an offer covering it."""
    offers = world.training.assign(skill_id=world.training["skills"].str.split(";")).explode("skill_id")
    short = found.gaps[found.gaps["gap"] > 0]
    row = short[short["skill_id"].isin(set(offers["skill_id"]))].iloc[0]
    offer = offers.loc[offers["skill_id"] == row["skill_id"], "offer_id"].iloc[0]
    session = world.training_sessions.loc[world.training_sessions["offer_id"] == offer].iloc[-1]
    return str(row["staff_id"]), str(row["skill_id"]), str(session["session_id"])


def test_closed_gaps_and_wasted_spend(world: World) -> None:
    found = au.audit(world)
    person, skill, session = _gap_and_offer(world, found)
    covered = set(sc.plan_frame(world, [(person, session)])["skills"].iloc[0].split(";"))
    short = found.gaps[(found.gaps["gap"] > 0) & found.gaps["skill_id"].isin(covered)]
    no_gap = next(p for p in world.staff["staff_id"] if p not in set(short["staff_id"]))
    rows = [(person, session), (no_gap, session)]
    closed = sc.closed_gaps(world, found, rows)
    assert (closed["gap"] > 0).all() and len(closed) == (found.gaps["gap"] > 0).sum()
    mine = closed[(closed["staff_id"] == person) & (closed["skill_id"] == skill)].iloc[0]
    week = int(world.training_sessions.set_index("session_id").loc[session, "week"])
    assert bool(mine["closed"]) and mine["week"] == week
    assert closed["closed"].sum() == ((closed["staff_id"] == person) & closed["skill_id"].isin(covered)).sum()
    assert pd.isna(closed.loc[~closed["closed"], "week"]).all()
    cost = int(sc.plan_frame(world, [(no_gap, session)])["cost_per_person"].iloc[0])
    assert sc.wasted_spend(world, found, rows) == cost
    assert sc.wasted_spend(world, found, rows[:1]) == 0


def test_unknown_ids_are_reported_together(world: World) -> None:
    with pytest.raises(UsageError) as caught:
        sc.spend(world, [("E9999", "S001"), ("E0001", "S9999"), ("E0001",)])  # type: ignore[list-item]
    text = str(caught.value)
    assert "E9999" in text and "S9999" in text and "('E0001',)" in text
    for call in (sc.plan_frame, sc.over_capacity):
        with pytest.raises(UsageError, match="S9999"):
            call(world, [("E0001", "S9999")])
    with pytest.raises(UsageError) as caught:
        sc.weekly_service_level(world, [("E9999", "S001")], needs=())
    assert "E9999" in str(caught.value) and "needs" in str(caught.value)
