"""Automatic checks of the T3 rubric for P3.3: the review calendar, the data plan, the appraisal of the review
period against the agreed targets, the development plans and recognition, and the figures reported (registered in
T3's :data:`~casekit.cases.t3_performance.checks_base.CHECKS`).

The calendar is judged on the world's dates (a one-to-one in every month of the period, the appraisal after it,
every member on a performance improvement plan reviewed within the organisation's days of its start); ratings on
the review period's data against the targets the candidate agreed; a development plan on whether it addresses the
gap the data shows, with an action that can move it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casekit.cases.t3_performance import calendar as calendar_mod
from casekit.cases.t3_performance import development
from casekit.cases.t3_performance.checks_base import (
    CHECKS,
    SHOWN,
    agreements,
    catalog,
    doc,
    outcome,
    ratings,
    results,
    wanted,
    world_of,
)
from casekit.rubric.checks import CheckContext, CheckOutcome, cached

__all__ = ["CHECKS"]

_EVERY = {"daily": 0, "weekly": 1, "monthly": 2, "quarterly": 3}


def review_problems(context: CheckContext) -> Any:
    def compute() -> Any:
        world = world_of(context)
        members = set(world.members["staff_id"])
        rows = [(r.staff_id, r.kind, r.date) for r in doc(context).reviews if r.staff_id in members]
        return calendar_mod.review_problems(world, rows)

    return cached(context, "review_problems", compute)


@CHECKS.register("reviews_scheduled")
def reviews_scheduled(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every member has a one-to-one in each month of the review period and the appraisal after it, none dated in
    the past."""
    problems = review_problems(context)
    found = problems[problems["problem"].isin(["no_one_to_one", "no_appraisal", "past"])]
    names = [f"{s}:{p}" for s, p in zip(found["staff_id"], found["problem"], strict=True)]
    evidence = {"reviews": len(doc(context).reviews), "problems": names[:SHOWN], "count": len(names)}
    return outcome(bool(doc(context).reviews) and not names, "reviews", evidence, count=len(names))


@CHECKS.register("pip_reviewed")
def pip_reviewed(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every member on a performance improvement plan has a PIP review within the organisation's days of its
    start."""
    problems = review_problems(context)
    late = sorted(set(problems.loc[problems["problem"] == "pip_late", "staff_id"]))
    pips = world_of(context).pips
    evidence = {
        "pip_members": sorted(pips["staff_id"]),
        "late": late,
        "days": world_of(context).spec.appraisal.pip_review_days,
    }
    return outcome(not late, "pip", evidence, members=", ".join(late) or "-")


@CHECKS.register("data_plan_complete")
def data_plan_complete(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every KPI of the sets has a data source in the plan: the system its data comes from and collected at least as
    often as that data comes (the catalog's source and frequency)."""
    kpis = catalog()
    plan = {d.kpi: d for d in doc(context).data_plan}
    needed = sorted(set(wanted(context)["kpi"]))
    wrong = []
    for kpi in needed:
        item = plan.get(kpi)
        if item is None:
            wrong.append(f"{kpi}: -")
        elif item.source != kpis[kpi].source:
            wrong.append(f"{kpi}: {item.source}")
        elif _EVERY[item.frequency] > _EVERY[kpis[kpi].frequency]:
            wrong.append(f"{kpi}: {item.frequency}")
    evidence = {"kpis": needed, "wrong": wrong}
    return outcome(bool(needed) and not wrong, "data_plan", evidence, items=", ".join(wrong[:SHOWN]) or "-")


@CHECKS.register("ratings_consistent")
def ratings_consistent(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every member is rated, and each rating is the one the review period's data gives against the agreed
    targets under the organisation's rule."""
    computed = ratings(context)
    given = {r.staff_id: r.rating for r in doc(context).appraisal}
    members = list(world_of(context).members["staff_id"])
    truth = dict(zip(computed["staff_id"], computed["rating"], strict=True))
    unrated = [s for s in members if s not in given]
    wrong = [f"{s}: {given[s]}≠{truth[s]}" for s in members if s in given and s in truth and given[s] != truth[s]]
    no_data = [s for s in members if s not in truth]
    evidence = {"members": len(members), "unrated": unrated[:SHOWN], "inconsistent": wrong[:SHOWN]}
    met = not unrated and not wrong and not no_data
    return outcome(met, "ratings", evidence, unrated=len(unrated) + len(no_data), wrong=len(wrong))


@CHECKS.register("development_addresses_gap")
def development_addresses_gap(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every member the data rates below target has a development plan; every plan names a KPI the member missed,
    an action that can move it (a training offer whose skills are the KPI's), an owner, a due date and the KPI as
    its measure."""
    plans = [p for p in doc(context).development if p.staff_id in set(world_of(context).members["staff_id"])]
    problems = development.plan_problems(world_of(context), results(context), ratings(context), plans)
    names = [f"{s}:{p}" for s, p in zip(problems["staff_id"], problems["problem"], strict=True)]
    below = int((ratings(context)["rating"] <= 2).sum())
    evidence = {"below_target": below, "plans": len(plans), "problems": names[:SHOWN], "count": len(names)}
    return outcome(not names and (below == 0 or bool(plans)), "development", evidence, count=len(names))


@CHECKS.register("recognition_given")
def recognition_given(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every member the data rates above target (4) is recognised, and nobody the data rates below (1 or 2)."""
    computed = ratings(context)
    top = set(computed.loc[computed["rating"] == 4, "staff_id"])
    low = set(computed.loc[computed["rating"] <= 2, "staff_id"])
    given = {r.staff_id for r in doc(context).recognition}
    forgotten, undeserved = sorted(top - given), sorted(low & given)
    evidence = {"exceeds": sorted(top), "recognised": sorted(given), "forgotten": forgotten, "undeserved": undeserved}
    return outcome(
        not forgotten and not undeserved, "recognition", evidence, forgotten=len(forgotten), undeserved=len(undeserved)
    )


@CHECKS.register("figures_reproduce")
def figures_reproduce(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The figures reported (members, objections on record, members below target and above) are those the answer
    gives when recomputed."""
    reported = doc(context).reported
    computed = ratings(context)
    truth = {
        "members": len(world_of(context).members),
        "objections": sum(a.member_verdict == "object" for a in agreements(context)),
        "below_target": int((computed["rating"] <= 2).sum()),
        "exceeds": int((computed["rating"] == 4).sum()),
    }
    given = reported.model_dump()
    wrong = [k for k, v in truth.items() if given.get(k) != v]
    evidence = {"reported": given, "recomputed": truth}
    return outcome(not wrong, "figures", evidence, items=", ".join(wrong) or "-")
