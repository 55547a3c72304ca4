"""What every T3 check shares: T3's check registry, the grading context with its cache, the answer read once, and
the figures computed once per grading (the members' bands, what each member says to the target proposed to them,
the KPIs each set asks to agree, the review period's results against the agreed targets and the ratings they give).
The checks are in :mod:`~casekit.cases.t3_performance.checks` (KPI sets, targets, agreements) and
:mod:`~casekit.cases.t3_performance.checks_more` (calendar, data plan, appraisal, development)."""

from __future__ import annotations

from typing import Final

import pandas as pd

from casekit.cases.checking import close, grading_context, outcomes, world_of
from casekit.cases.t3_performance import appraisal, history, kpi_sets, response
from casekit.cases.t3_performance.answer import Agreement, T3Answer
from casekit.cases.t3_performance.case import agreed_targets, set_kpis
from casekit.rubric.checks import CheckContext, builtin_checks, cached
from casekit.scenario.catalogs import KpiDef, load_kpi_catalog

__all__ = [
    "CHECKS",
    "SHOWN",
    "agreements",
    "bands",
    "catalog",
    "close",
    "doc",
    "grading_context",
    "names_of",
    "outcome",
    "proposed_responses",
    "ratings",
    "results",
    "selling_roles",
    "target_bands",
    "wanted",
    "world_of",
]

#: how many examples an outcome's evidence names
SHOWN = 10
#: T3's checks: the generic built-ins and T3's own.
CHECKS: Final = builtin_checks()
#: the outcome of a T3 check, worded from the catalog ``t3check``
outcome: Final = outcomes("t3check")


def names_of(items: list[str]) -> str:
    """The first :data:`SHOWN` of ``items``, comma-joined, with an ellipsis when there are more."""
    return ", ".join(items[:SHOWN]) + (", ..." if len(items) > SHOWN else "")


def doc(context: CheckContext) -> T3Answer:
    return cached(context, "doc", lambda: T3Answer.model_validate(context.answer))


def catalog() -> dict[str, KpiDef]:
    return {k.id: k for k in load_kpi_catalog()}


def agreements(context: CheckContext) -> list[Agreement]:
    """The agreements with a member of the section on a KPI that can measure them (others agree nothing)."""

    def compute() -> list[Agreement]:
        world = world_of(context)
        roles = dict(zip(world.members["staff_id"], world.members["role"], strict=True))
        kpis = catalog()
        return [
            a
            for a in doc(context).agreements
            if a.staff_id in roles and a.kpi in kpis and roles[a.staff_id] in kpis[a.kpi].roles
        ]

    return cached(context, "agreements", compute)


def wanted(context: CheckContext) -> pd.DataFrame:
    """Every member x KPI of their role's set: what must be agreed, reviewed and appraised."""
    return cached(context, "wanted", lambda: set_kpis(world_of(context), doc(context).kpi_sets))


def bands(context: CheckContext) -> pd.DataFrame:
    return cached(context, "bands", lambda: history.bands(world_of(context)))


def proposed_responses(context: CheckContext) -> pd.DataFrame:
    """What each member says to the value proposed to them (and to the value agreed), for every agreement:
    ``staff_id, kpi, proposed, agreed, verdict, reason, agreed_verdict`` with the band's floor and ceiling."""

    def compute() -> pd.DataFrame:
        world, found = world_of(context), agreements(context)
        band = bands(context)
        asked = response.respond_all(world, [(a.staff_id, a.kpi, a.proposed) for a in found], bands=band)
        after = response.respond_all(world, [(a.staff_id, a.kpi, a.agreed) for a in found], bands=band)
        out = asked[["staff_id", "kpi", "verdict", "reason", "ceiling"]].copy()
        out["proposed"] = [a.proposed for a in found]
        out["agreed"] = [a.agreed for a in found]
        out["agreed_verdict"] = after["verdict"].to_numpy()
        return out

    return cached(context, "proposed_responses", compute)


def results(context: CheckContext) -> pd.DataFrame:
    """The review period's result of every agreed KPI of the sets against its agreed target."""

    def compute() -> pd.DataFrame:
        wanted_pairs = set(zip(wanted(context)["staff_id"], wanted(context)["kpi"], strict=True))
        agreed = {k: v for k, v in agreed_targets(agreements(context)).items() if k in wanted_pairs}
        return appraisal.results(world_of(context), agreed)

    return cached(context, "results", compute)


def ratings(context: CheckContext) -> pd.DataFrame:
    """The rating the data gives each member with agreed KPIs (the organisation's rule on the results)."""
    return cached(context, "ratings", lambda: appraisal.ratings(world_of(context), results(context)))


def selling_roles(context: CheckContext) -> set[str]:
    return cached(context, "selling_roles", lambda: kpi_sets.selling_roles(world_of(context)))


def target_bands(context: CheckContext) -> pd.DataFrame:
    """Every agreed target of the sets' KPIs with its band and proposal: ``staff_id, kpi, proposed, agreed,
    direction, worst, best, team_p95, floor, ceiling, reason, position`` (``above`` the ceiling, ``below`` the
    floor, else ``within``), the rows outside the band first."""

    def compute() -> pd.DataFrame:
        found = pd.DataFrame(
            [(a.staff_id, a.kpi, a.proposed, a.agreed) for a in agreements(context)],
            columns=["staff_id", "kpi", "proposed", "agreed"],
        )
        columns = ["staff_id", "kpi", "direction", "worst", "best", "team_p95", "floor", "ceiling", "reason"]
        band = bands(context)[columns]
        frame = wanted(context)[["staff_id", "kpi"]].merge(found, on=["staff_id", "kpi"])
        frame = frame.merge(band, on=["staff_id", "kpi"], how="left")
        frame["reason"] = frame["reason"].fillna("").astype(str)
        frame["position"] = kpi_sets.positions(frame)
        order = frame["position"].map({"above": 0, "below": 1, "within": 2})
        return frame.assign(order=order).sort_values("order", kind="mergesort").drop(columns="order")

    return cached(context, "target_bands", compute)
