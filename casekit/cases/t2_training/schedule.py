"""The training plan: bookings of people on the world's training sessions, what they cost against the budget,
whether a session is overbooked, and the service level of every week of the quarter once the training hours are
taken off the phones.

Method:

- A plan is rows ``(staff_id, session_id)``; a person booked twice on one session holds one seat (the row counts
  once). Each row is joined with its session (offer, week) and offer (type, hours, cost per person, skills).
- Budget: the centre set it at the start of the quarter as ``training.budget_factor`` times what closing every
  gap of the needs at or above the priority threshold would cost on its records as they stand (a blank level taken
  as no skill), each gap at the cheapest offer covering its skill, rounded up to NT$1,000 (:func:`budget`); spend
  = the offers' cost per person summed over the rows. A session is overbooked when more people are booked on it
  than it has seats.
- The weeks of the quarter (``weeks``) each have ``scheduled_fte``: the FTE the workforce plan puts on the phones
  before any training, a little above the week's Erlang-C need at shrinkage 0. Training takes the hours of the
  *handling* people booked that week off the phones: ``training_fte`` = those hours / 40 (a 40-hour week), so
  ``available_fte = scheduled_fte − training_fte``. The week's service level is
  :func:`casekit.staffing.service_level_with` of the week's need (:func:`week_needs`: the interval history's need
  with the volume scaled by the week's ``volume_index``) at ``available_fte``; the week *holds* when it reaches the
  spec's service-level target. :func:`week_needs` is the slow part (one Erlang-C need per week): compute it once per
  world and pass it in.
- A gap is *closed* by the plan when the person is booked on an offer covering the skill (whether the training
  works is for the simulation to say). Spend is *wasted* on a booking where the person has no gap (gap > 0 in the
  audit given) in any skill the offer covers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from casekit.cases.t2_training.audit import Audit, above_threshold, audit, data_issues
from casekit.errors import ProblemCollector
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles
from casekit.scenario.planning import week_need
from casekit.staffing import StaffingNeed, service_level_with

__all__ = [
    "HANDLING_ROLES",
    "PLAN_COLUMNS",
    "WEEK_COLUMNS",
    "WEEK_HOURS",
    "PlanRow",
    "budget",
    "closed_gaps",
    "over_capacity",
    "plan_frame",
    "spend",
    "wasted_spend",
    "week_needs",
    "weekly_service_level",
]

PlanRow = tuple[str, str]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
#: The roles on the phones: their training hours come off the service level.
HANDLING_ROLES: Final = tuple(r.id for r in load_roles() if r.handles_contacts)
#: Contract hours of one FTE a week.
WEEK_HOURS: Final = 40.0
PLAN_COLUMNS: Final = (
    "staff_id",
    "session_id",
    "offer_id",
    "offer_type",
    "week",
    "hours",
    "cost_per_person",
    "skills",
    "handling",
)
WEEK_COLUMNS: Final = (
    "week",
    "volume_index",
    "scheduled_fte",
    "training_hours",
    "training_fte",
    "available_fte",
    "service_level",
    "target",
    "holds",
)


@dataclass(frozen=True)
class _Plan:
    """A plan's rows (a repeated row once, in booking order) as positions: of the person in ``staff``, of the
    session in ``training_sessions`` and of its offer in ``training``."""

    staff: IntArray
    session: IntArray
    offer: IntArray


def _plan(world: World, rows: Any, where: str) -> _Plan:
    """The plan's rows as positions; UsageError naming every malformed row, unknown person and unknown session."""
    check = ProblemCollector(where)
    plan = _positions(check, world, rows)
    check.raise_any()
    return plan


def _positions(check: ProblemCollector, world: World, rows: Any) -> _Plan:
    """The plan's rows as positions, every malformed row and unknown id recorded in ``check`` (and left out)."""
    iterable = isinstance(rows, Iterable) and not isinstance(rows, str | bytes)
    check.need(iterable, "rows", "t2logic.expect_rows", rows)
    staff_ids: list[str] = []
    session_ids: list[str] = []
    bad = []
    for row in rows if iterable else ():
        if isinstance(row, tuple | list) and len(row) == 2 and isinstance(row[0], str) and isinstance(row[1], str):
            staff_ids.append(row[0])
            session_ids.append(row[1])
        else:
            bad.append(row)
    check.need(not bad, "rows", "t2logic.expect_rows", bad[:5])
    who = pd.Index(world.staff["staff_id"]).get_indexer(pd.Index(staff_ids, dtype=object))
    unknown = sorted({s for s, i in zip(staff_ids, who, strict=True) if i < 0})
    check.need(not unknown, "rows.staff_id", "t2logic.expect_known_staff", unknown)
    sessions = world.training_sessions
    at = pd.Index(sessions["session_id"]).get_indexer(pd.Index(session_ids, dtype=object))
    unknown = sorted({s for s, i in zip(session_ids, at, strict=True) if i < 0})
    check.need(not unknown, "rows.session_id", "t2logic.expect_known_session", unknown)
    _, first = np.unique(who * len(sessions) + at, return_index=True)
    keep = np.sort(first[(who[first] >= 0) & (at[first] >= 0)])
    who, at = who[keep].astype(np.int64), at[keep].astype(np.int64)
    offer = pd.Index(world.training["offer_id"]).get_indexer(sessions["offer_id"].to_numpy()[at])
    return _Plan(who, at, offer.astype(np.int64))


def _handling(world: World, plan: _Plan) -> BoolArray:
    handling: BoolArray = world.staff["role"].isin(HANDLING_ROLES).to_numpy(dtype=bool)[plan.staff]
    return handling


def plan_frame(world: World, rows: Iterable[PlanRow], *, where: str = "plan_frame") -> pd.DataFrame:
    """The plan's rows joined with their sessions and offers (:data:`PLAN_COLUMNS`), in booking order, a repeated
    row once; UsageError naming every malformed row, unknown person and unknown session (``where`` names the call
    in it)."""
    return _frame(world, _plan(world, rows, where))


def _frame(world: World, plan: _Plan) -> pd.DataFrame:
    sessions, offers = world.training_sessions, world.training
    return pd.DataFrame(
        {
            "staff_id": world.staff["staff_id"].to_numpy(dtype=object)[plan.staff],
            "session_id": sessions["session_id"].to_numpy(dtype=object)[plan.session],
            "offer_id": offers["offer_id"].to_numpy(dtype=object)[plan.offer],
            "offer_type": offers["offer_type"].to_numpy(dtype=object)[plan.offer],
            "week": sessions["week"].to_numpy(dtype=np.int64)[plan.session],
            "hours": offers["hours"].to_numpy(dtype=float)[plan.offer],
            "cost_per_person": offers["cost_per_person"].to_numpy(dtype=np.int64)[plan.offer],
            "skills": offers["skills"].to_numpy(dtype=object)[plan.offer],
            "handling": _handling(world, plan),
        },
        columns=list(PLAN_COLUMNS),
    )


def budget(world: World) -> int:
    """The quarter's training budget, NT$ (the module's method: ``budget_factor`` x the cheapest cover of the gaps
    above the threshold on the records as they stand, rounded up to NT$1,000)."""
    issues = data_issues(world)
    missing = issues[issues["problem"] == "missing"]
    recorded = audit(world, assumed=set(zip(missing["staff_id"], missing["skill_id"], strict=True)))
    above = above_threshold(recorded, world.spec.training.priority_threshold)
    cheapest: dict[str, float] = {}
    for skills, cost in zip(world.training["skills"], world.training["cost_per_person"], strict=True):
        for skill in str(skills).split(";"):
            cheapest[skill] = min(cheapest.get(skill, math.inf), float(cost))
    total = sum(cheapest.get(str(k), 0.0) for k in above["skill_id"])
    return int(math.ceil(total * float(world.spec.training.budget_factor) / 1000.0) * 1000)


def spend(world: World, rows: Iterable[PlanRow]) -> int:
    """What the plan costs, NT$: the offers' cost per person over its rows."""
    plan = _plan(world, rows, "spend")
    return int(world.training["cost_per_person"].to_numpy(dtype=np.int64)[plan.offer].sum())


def over_capacity(world: World, rows: Iterable[PlanRow]) -> pd.DataFrame:
    """The sessions booked beyond their seats: ``session_id, seats, booked``, in session order."""
    plan = _plan(world, rows, "over_capacity")
    sessions = world.training_sessions
    booked = np.bincount(plan.session, minlength=len(sessions))
    seats = sessions["seats"].to_numpy(dtype=np.int64)
    over = np.flatnonzero(booked > seats)
    ids = sessions["session_id"].to_numpy(dtype=object)[over]
    return pd.DataFrame({"session_id": ids, "seats": seats[over], "booked": booked[over].astype(np.int64)})


def week_needs(world: World) -> tuple[StaffingNeed, ...]:
    """The Erlang-C need of every week of the quarter, in week order: the interval history's need at shrinkage 0
    with the volume scaled by the week's ``volume_index`` (the spec's service-level target), as the world computed
    ``scheduled_fte`` from it (:func:`casekit.scenario.planning.week_need`). Slow: compute it once per world."""
    return tuple(week_need(world.spec, world.intervals, float(scale)) for scale in world.weeks["volume_index"])


def weekly_service_level(
    world: World, rows: Iterable[PlanRow], *, needs: Sequence[StaffingNeed] | None = None
) -> pd.DataFrame:
    """Every week of the quarter with the plan's training off the phones (:data:`WEEK_COLUMNS`; the method is the
    module's). ``needs`` is :func:`week_needs` of the world, computed once by the caller; None computes it."""
    check = ProblemCollector("weekly_service_level")
    plan = _positions(check, world, rows)
    weeks = world.weeks
    if needs is not None:
        fits = len(needs) == len(weeks) and all(isinstance(n, StaffingNeed) for n in needs)
        check.need(fits, "needs", "t2logic.expect_needs", type(needs).__name__, weeks=len(weeks))
    check.raise_any()
    chosen = week_needs(world) if needs is None else tuple(needs)
    number = weeks["week"].to_numpy(dtype=np.int64)
    week = world.training_sessions["week"].to_numpy(dtype=np.int64)[plan.session]
    hours = world.training["hours"].to_numpy(dtype=float)[plan.offer]
    size = max(int(number.max(initial=0)), int(week.max(initial=0))) + 1
    booked = np.bincount(week, weights=hours, minlength=size)[number]
    training_fte = np.bincount(week, weights=hours * _handling(world, plan), minlength=size)[number] / WEEK_HOURS
    scheduled = weeks["scheduled_fte"].to_numpy(dtype=float)
    available = scheduled - training_fte
    levels = [service_level_with(n, max(float(a), 0.0)) for n, a in zip(chosen, available, strict=True)]
    target = float(world.spec.targets.service_level)
    out = pd.DataFrame(
        {
            "week": number,
            "volume_index": weeks["volume_index"].to_numpy(dtype=float),
            "scheduled_fte": scheduled,
            "training_hours": booked,
            "training_fte": training_fte,
            "available_fte": available,
            "service_level": np.asarray(levels, dtype=float),
            "target": target,
        }
    )
    out["holds"] = out["service_level"] >= target
    return out


def _covered(plan: pd.DataFrame) -> pd.DataFrame:
    """One row per plan row and skill its offer covers: the plan's columns plus ``skill_id`` and ``row`` (its index)."""
    out = plan.assign(skill_id=plan["skills"].str.split(";"), row=np.arange(len(plan))).explode("skill_id")
    return pd.DataFrame(out.reset_index(drop=True))


def closed_gaps(world: World, audit: Audit, rows: Iterable[PlanRow]) -> pd.DataFrame:
    """The audit's person-skill gaps (gap > 0) with ``closed`` (a row of the person books an offer covering the
    skill) and ``week`` (the first such week; missing when not closed)."""
    covered = _covered(plan_frame(world, rows, where="closed_gaps"))
    first = covered.groupby(["staff_id", "skill_id"])["week"].min().rename("first_week").reset_index()
    short = audit.gaps[audit.gaps["gap"] > 0]
    out = short.merge(first, on=["staff_id", "skill_id"], how="left", sort=False)
    out["closed"] = out["first_week"].notna()
    out["week"] = out.pop("first_week").astype("Int64")
    return pd.DataFrame(out.reset_index(drop=True))


def wasted_spend(world: World, audit: Audit, rows: Iterable[PlanRow]) -> int:
    """NT$ spent on bookings where the person has no gap (gap > 0) in any skill the offer covers."""
    plan = _frame(world, _plan(world, rows, "wasted_spend"))
    covered = _covered(plan)
    short = audit.gaps[audit.gaps["gap"] > 0]
    gaps = set(zip(short["staff_id"], short["skill_id"], strict=True))
    hit = np.array([p in gaps for p in zip(covered["staff_id"], covered["skill_id"], strict=True)], dtype=bool)
    useful = np.bincount(covered["row"].to_numpy(dtype=int), weights=hit.astype(float), minlength=len(plan)) > 0
    return int(plan.loc[~useful, "cost_per_person"].sum())
