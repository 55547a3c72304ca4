"""T1's automatic checks of the people side (P1.2, N4, K8): the turnover figures recomputed, the drivers found
against those the world seeded and its data shows, the retention plan's cost on real drivers and its simulated six
months, the successors' readiness, and the service level the hire count keeps (Erlang C)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from casekit.cases.t1_recruitment import succession, turnover
from casekit.cases.t1_recruitment.checks_base import CHECKS, close, doc, outcome, world_of
from casekit.cases.t1_recruitment.hiring import HiringNeed, hiring_need
from casekit.cases.t1_recruitment.retention import (
    RetentionAction,
    RetentionReview,
    addresses_driver,
    simulate_retention,
)
from casekit.rubric.checks import CheckContext, CheckOutcome, cached
from casekit.scenario import World

__all__ = ["detected", "hiring", "observed_shrinkage", "rates", "required_drivers", "retention_review"]


# ---------------------------------------------------------------------------------------- P1.2 turnover
def rates(context: CheckContext) -> pd.DataFrame:
    return cached(context, "separation_rates", lambda: turnover.separation_rates(world_of(context)))


@CHECKS.register("turnover_rates_reproduce")
def turnover_rates_reproduce(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The annual separation rate (by the stated method), the voluntary share, early-tenure attrition and the
    cost per leaver, each recomputed from the leavers and within the tolerance."""
    tolerance = float(params.get("tolerance", 0.02))
    answer, world = doc(context), world_of(context)
    table = rates(context)
    reported = answer.reported
    total = float(table["leavers"].sum())
    truth = {
        "annual_turnover": turnover.annualised(table["rate"], method=reported.turnover_method),
        "voluntary_share": float(table["voluntary"].sum()) / total if total else 0.0,
        "early_tenure_rate": turnover.early_tenure_attrition(world).rate,
        "cost_per_leaver": float(turnover.turnover_cost(world).per_leaver),
    }
    wrong = sorted(k for k, v in truth.items() if not close(getattr(reported, k), v, tolerance))
    evidence = {"method": reported.turnover_method, **{k: round(v, 4) for k, v in truth.items()}, "wrong": wrong}
    return outcome(not wrong, "turnover", evidence, count=len(wrong))


def detected(context: CheckContext) -> list[dict[str, str]]:
    """The drivers the leavers' data shows (the crosstab tool's list)."""
    world = world_of(context)
    return cached(
        context, "detected", lambda: [{"factor": d.factor, "scope": d.scope} for d in turnover.find_drivers(world)]
    )


def required_drivers(context: CheckContext) -> list[dict[str, str]]:
    """The seeded drivers the data makes visible: a driver the world seeded too faintly to show in its leavers
    (a small centre, a quiet year) cannot be asked of a candidate."""
    shown = {(d["factor"], d["scope"]) for d in detected(context)}
    return [d for d in world_of(context).truth["turnover_drivers"] if (d["factor"], d["scope"]) in shown]


@CHECKS.register("drivers_found")
def drivers_found(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N4: every driver the world seeded and its data shows is named (factor and where), and at most
    ``max_unsupported`` named drivers have no support in the leavers' data."""
    allowed = int(params.get("max_unsupported", 1))
    answer, world = doc(context), world_of(context)
    truth = {(d["factor"], d["scope"]) for d in required_drivers(context)}
    named = {(d.factor, d.scope) for d in answer.drivers}
    seeded = {(d["factor"], d["scope"]) for d in world.truth["turnover_drivers"]}
    supported = {(d["factor"], d["scope"]) for d in detected(context)} | seeded
    missed = sorted(f"{f} @ {s}" for f, s in truth - named)
    unsupported = sorted(f"{f} @ {s}" for f, s in named - supported)
    evidence = {"missed": missed, "unsupported": unsupported, "named": len(named)}
    return outcome(not missed and len(unsupported) <= allowed, "drivers", evidence, missed=len(missed))


def retention_review(context: CheckContext) -> RetentionReview:
    answer = doc(context)
    return cached(context, "retention", lambda: simulate_retention(world_of(context), list(answer.retention)))


#: What the reference plan spends a month on each driver (NT$): the yardstick for "avoids leavers".
REFERENCE_SPEND = 30_000


def reference_avoided(context: CheckContext, required: list[dict[str, str]]) -> float:
    """The leavers a plain plan avoids in six simulated months: one action on each required driver, in its own
    scope, at :data:`REFERENCE_SPEND` a month. A plan must avoid a share of that, so token money on the right
    drivers does not pass."""

    def compute() -> float:
        plan = [
            RetentionAction(
                factor=d["factor"],
                scope=d["scope"],
                description="reference",
                cost_per_month=REFERENCE_SPEND,
                owner="reference",
                measure="reference",
                expected_reduction=0.5,
            )
            for d in required
        ]
        return float(simulate_retention(world_of(context), plan).avoided) if plan else 0.0

    return cached(context, "reference_avoided", compute)


@CHECKS.register("retention_effective")
def retention_effective(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The plan acts on the drivers that exist: each seeded driver has an action on it, at most ``max_off_share``
    of the plan's cost goes on actions that address none, the simulated six months avoid at least
    ``min_avoided_share`` of what a plain plan on those drivers avoids, and the reported figure reproduces."""
    max_off = float(params.get("max_off_share", 0.5))
    answer, world = doc(context), world_of(context)
    required = required_drivers(context)
    real = list(world.truth["turnover_drivers"]) + detected(context)
    actions = list(answer.retention)
    unaddressed = sorted(
        f"{d['factor']} @ {d['scope']}" for d in required if not any(addresses_driver(a, [d]) for a in actions)
    )
    cost = sum(a.cost_per_month for a in actions)
    off = sum(a.cost_per_month for a in actions if not addresses_driver(a, real))
    off_share = off / cost if cost else (1.0 if actions else 0.0)
    review = retention_review(context)
    avoided = float(review.avoided)
    floor = float(params.get("min_avoided_share", 0.25)) * reference_avoided(context, required)
    reproduces = close(answer.reported.avoided_leavers, avoided, float(params.get("tolerance", 0.05)))
    effective = avoided > 0 and avoided >= floor
    met = bool(actions) and not unaddressed and off_share <= max_off and effective and reproduces
    evidence = {
        "unaddressed": unaddressed,
        "off_driver_cost_share": round(off_share, 4),
        "avoided": round(avoided, 2),
        "floor": round(floor, 2),
        "reported_avoided": answer.reported.avoided_leavers,
    }
    return outcome(met, "retention", evidence, avoided=round(avoided, 1))


@CHECKS.register("succession_sound")
def succession_sound(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K8: every team leader has a successor, and each readiness claimed holds on skills and performance."""
    answer, world = doc(context), world_of(context)
    leaders = [str(x) for x in succession.team_leaders(world)["staff_id"]]
    readiness = succession.succession_readiness(world).set_index("staff_id")["readiness"]
    rank = {"ready_now": 2, "ready_later": 1, "not_ready": 0}
    uncovered = sorted(set(leaders) - {s.team_leader for s in answer.successors})
    wrong = sorted(
        f"{s.staff_id}: {s.readiness}"
        for s in answer.successors
        if rank.get(str(readiness.get(s.staff_id, "not_ready")), 0) < rank[s.readiness]
    )
    evidence = {"team_leaders": len(leaders), "uncovered": uncovered, "overclaimed": wrong}
    return outcome(not uncovered and not wrong, "succession", evidence, count=len(uncovered) + len(wrong))


# ------------------------------------------------------------------------------------- P1.2 the hire count
def observed_shrinkage(world: World) -> float:
    """The share of scheduled time the handling staff were not available (absence, breaks, off-queue work)."""
    contacts = world.contacts
    scheduled = float(contacts["scheduled_s"].sum())
    return 1 - float(contacts["available_s"].sum()) / scheduled if scheduled else 0.0


def hiring(context: CheckContext, shrinkage: float) -> HiringNeed:
    world = world_of(context)
    annual = turnover.annualised(rates(context)["rate"], method="compound")
    return cached(context, f"hiring:{shrinkage}", lambda: hiring_need(world, shrinkage, annual))


@CHECKS.register("hires_meet_service_level")
def hires_meet_service_level(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The hire count keeps the service level at the end of the quarter (Erlang C, the leavers expected) without
    over-hiring, under a shrinkage no lower than the centre's own; the FTE need and service level reproduce."""
    answer, world = doc(context), world_of(context)
    staffing = answer.staffing
    if staffing is None:
        return outcome(False, "hires", {"staffing": None}, hires=0, low=0, high=0)
    floor = observed_shrinkage(world) - float(params.get("shrinkage_slack", 0.02))
    need = hiring(context, staffing.shrinkage)
    level = need.service_level(staffing.hires)
    tolerance = float(params.get("tolerance", 0.01))
    reproduces = close(answer.reported.fte_need, need.need.fte, tolerance) and close(
        answer.reported.service_level, level, tolerance
    )
    met = staffing.shrinkage >= floor and need.min_hires <= staffing.hires <= need.max_hires and reproduces
    evidence = {
        "shrinkage": staffing.shrinkage,
        "observed_shrinkage": round(observed_shrinkage(world), 4),
        "hires": staffing.hires,
        "min_hires": need.min_hires,
        "max_hires": need.max_hires,
        "service_level": round(level, 4),
        "target": need.target_sl,
        "fte_need": round(need.need.fte, 2),
        "reproduces": reproduces,
    }
    return outcome(met, "hires", evidence, hires=staffing.hires, low=need.min_hires, high=need.max_hires)
