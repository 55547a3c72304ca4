"""Development plans after the appraisal (P3.3, K7): what each plan still lacks.

Rules (the KPI's ``skills`` in ``casekit/data/kpi_catalog.yaml``; offers in the world's ``training`` table, their
``skills`` separated by ``;``):

- An offer is **linked** to a KPI when it trains at least one of the KPI's skills (:func:`linked_offers`).
- ``missing``: a member the data rates 2 or below with no plan at all.
- ``not_a_gap``: the plan's KPI is not one the member missed in the review period (met, or not in their results).
- ``unlinked``: a ``training`` action whose offer is not linked to the plan's KPI (or names none), or any plan
  naming an offer the world does not have.
- ``no_owner``: the owner is not a member of the section who is a team leader, trainer or QA analyst.
- ``late``: due more than ``DUE_WITHIN_DAYS`` (90) days after ``appraisal_due``, or before the member's appraisal
  (the date given in ``appraised``; without one, the first day after the review period, the earliest an appraisal
  may be held).
- ``measure``: the plan is measured on another KPI than the one it is about.

One row per plan and problem (a plan can have several), then one per member ``missing``; ``kpi`` names the plan's
KPI ("" for ``missing``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, Final, Protocol

import pandas as pd

from casekit.cases.t3_performance.calendar import as_date
from casekit.cases.t3_performance.history import catalog
from casekit.scenario import World
from casekit.scenario.performance import appraisal_calendar

__all__ = ["DUE_WITHIN_DAYS", "OWNER_ROLES", "PLAN_PROBLEMS", "DevPlanLike", "linked_offers", "plan_problems"]

DUE_WITHIN_DAYS: Final = 90
OWNER_ROLES: Final = ("team_leader", "trainer", "qa_analyst")
PLAN_PROBLEMS: Final = ("missing", "not_a_gap", "unlinked", "no_owner", "late", "measure")
_COLUMNS: Final = ["staff_id", "problem", "kpi"]


class DevPlanLike(Protocol):
    """A development plan as the answer's ``DevPlan`` has it."""

    @property
    def staff_id(self) -> str: ...
    @property
    def kpi(self) -> str: ...
    @property
    def action(self) -> str: ...
    @property
    def offer_id(self) -> str | None: ...
    @property
    def owner(self) -> str: ...
    @property
    def due(self) -> Any: ...
    @property
    def measure(self) -> str: ...


@cache
def _offer_skills(pairs: tuple[tuple[str, str], ...]) -> dict[str, frozenset[str]]:
    return {offer: frozenset(s for s in str(skills).split(";") if s) for offer, skills in pairs}


def _offers(world: World) -> dict[str, frozenset[str]]:
    training = world.training
    pairs = tuple(zip(training["offer_id"].astype(str), training["skills"].fillna("").astype(str), strict=True))
    return _offer_skills(pairs)


def linked_offers(world: World, kpi: str) -> list[str]:
    """The world's training offers (ids, in the table's order) whose skills meet ``kpi``'s catalog skills."""
    kpi_def = catalog().get(kpi)
    wanted = frozenset(kpi_def.skills) if kpi_def is not None else frozenset()
    return [offer for offer, skills in _offers(world).items() if skills & wanted]


def plan_problems(
    world: World,
    results_df: pd.DataFrame,
    ratings_df: pd.DataFrame,
    plans: Iterable[DevPlanLike],
    *,
    appraised: Mapping[str, dt.date] | None = None,
) -> pd.DataFrame:
    """What the development plans lack: ``staff_id, problem, kpi`` (rules in the module docstring). ``results_df``
    and ``ratings_df`` are :func:`~casekit.cases.t3_performance.appraisal.results` and ``ratings``; ``appraised``
    the date of each member's appraisal when known."""
    cal = appraisal_calendar(world)
    latest = cal.appraisal_due + dt.timedelta(days=DUE_WITHIN_DAYS)
    earliest = cal.period_end + dt.timedelta(days=1)
    members = world.members
    owners = set(members.loc[members["role"].isin(OWNER_ROLES), "staff_id"].astype(str))
    missed_rows = results_df[~results_df["met"].astype(bool)]
    missed = set(zip(missed_rows["staff_id"].astype(str), missed_rows["kpi"].astype(str), strict=True))
    offers = _offers(world)
    linked: dict[str, set[str]] = {}
    rows: list[tuple[str, str, str]] = []
    planned: set[str] = set()
    for plan in plans:
        staff_id, kpi = str(plan.staff_id), str(plan.kpi)
        planned.add(staff_id)
        if kpi not in linked:
            linked[kpi] = set(linked_offers(world, kpi))
        found: list[str] = []
        if (staff_id, kpi) not in missed:
            found.append("not_a_gap")
        unknown = plan.offer_id is not None and plan.offer_id not in offers
        if unknown or (plan.action == "training" and plan.offer_id not in linked[kpi]):
            found.append("unlinked")
        if str(plan.owner) not in owners:
            found.append("no_owner")
        due = as_date(plan.due)
        start = appraised.get(staff_id, earliest) if appraised is not None else earliest
        if due > latest or due < start:
            found.append("late")
        if str(plan.measure) != kpi:
            found.append("measure")
        rows += [(staff_id, p, kpi) for p in found]
    low = ratings_df.loc[ratings_df["rating"] <= 2, "staff_id"].astype(str)
    rows += [(s, "missing", "") for s in low if s not in planned]
    return pd.DataFrame(rows, columns=_COLUMNS)
