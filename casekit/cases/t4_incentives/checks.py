"""Automatic checks of the T4 rubric (``rubrics/t4-incentives.yaml``), in T4's own registry :data:`CHECKS`.

Each check reads the answer document and, where it needs the truth, the world regenerated from the seed; the
expensive figures (payouts, the simulation, the audit ledger) are computed once per grading through
:func:`grading_context`, whose ``extras`` carry a cache.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from casekit import months
from casekit.cases.t4_incentives.audit import AuditFinding, match_findings, payout_ledger
from casekit.cases.t4_incentives.case import projected_cost_per_period
from casekit.cases.t4_incentives.payout import PayoutResult, compute_payouts
from casekit.cases.t4_incentives.response import simulate_response
from casekit.cases.t4_incentives.review import Review, review_effectiveness
from casekit.cases.t4_incentives.scheme import Scheme
from casekit.rubric.checks import CheckContext, CheckOutcome, builtin_checks
from casekit.scenario import World

__all__ = ["CHECKS", "GAMEABLE", "QUALITY", "grading_context"]

T = TypeVar("T")

QUALITY = frozenset({"qa", "fcr", "csat"})
GAMEABLE = frozenset({"aht_s", "handled", "contacts_per_hour", "sales", "conversion"})


#: T4's checks, namespaced by the kind: the generic built-ins and the ones below.
CHECKS: Final = builtin_checks()


def grading_context(answer: Mapping[str, Any], world: World) -> CheckContext:
    """A grading context for one T4 answer, with a cache shared by the checks."""
    return CheckContext(answer=answer, world=world, extras={"cache": {}})


def _cached(context: CheckContext, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, once per grading: the result is kept in the context's cache (the evidence reads it too)."""
    cache: dict[str, Any] = context.extras.setdefault("cache", {}) if isinstance(context.extras, dict) else {}
    if key not in cache:
        cache[key] = compute()
    value: T = cache[key]
    return value


def _scheme(context: CheckContext) -> Scheme:
    return _cached(context, "scheme", lambda: Scheme.model_validate(context.answer["scheme"]))


def _payouts(context: CheckContext) -> PayoutResult:
    world: World = context.world
    return _cached(context, "payouts", lambda: compute_payouts(_scheme(context), world.contacts, world.staff))


def _review(context: CheckContext) -> Review:
    world: World = context.world

    def run() -> Review:
        scheme = _scheme(context)
        return review_effectiveness(world, scheme, simulate_response(world, scheme))

    return _cached(context, "review", run)


def _outcome(met: bool, key: str, evidence: Mapping[str, Any], **params: Any) -> CheckOutcome:
    return CheckOutcome(
        met=met,
        evidence=dict(evidence),
        message_key=f"t4check.{key}_{'met' if met else 'not_met'}",
        message_params=params,
    )


@CHECKS.register("individual_and_team_kpis")
def individual_and_team_kpis(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """P4.1: KPIs for individuals and for teams are both used by a paying component."""
    scheme = _scheme(context)
    individual = sorted(
        {m.kpi for c in scheme.components for m in c.measures if m.level == "individual"}
        | ({"sales"} if any(c.type == "commission" for c in scheme.components) else set())
    )
    team = sorted({m.kpi for c in scheme.components for m in c.measures if m.level == "team"})
    return _outcome(
        bool(individual and team),
        "kpi_levels",
        {"individual": individual, "team": team},
        individual=", ".join(individual) or "-",
        team=", ".join(team) or "-",
    )


@CHECKS.register("quality_gated", required_params=("min_weight",))
def quality_gated(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Quality is gated or weighted: every cash component has a quality gate, or quality measures carry at least
    ``min_weight`` of its weight."""
    scheme = _scheme(context)
    min_weight = float(params["min_weight"])
    weak = []
    for c in scheme.components:
        if c.type == "non_cash":
            continue
        gated = any(g.kpi in QUALITY for g in c.gates)
        weight = sum(m.weight for m in c.measures if m.kpi in QUALITY)
        if not gated and weight < min_weight:
            weak.append(c.id)
    return _outcome(
        not weak,
        "quality",
        {"components_without_quality": weak},
        components=", ".join(weak) or "-",
        min_weight=min_weight,
    )


@CHECKS.register("no_gameable_alone")
def no_gameable_alone(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """No component pays on a gameable metric (speed, volume, sales) without a quality or outcome constraint."""
    scheme = _scheme(context)
    alone = []
    for c in scheme.components:
        kpis = {m.kpi for m in c.measures} | ({"sales"} if c.type == "commission" else set())
        constrained = bool(kpis & QUALITY) or any(g.kpi in QUALITY for g in c.gates)
        if kpis & GAMEABLE and not constrained:
            alone.append(c.id)
    return _outcome(not alone, "gameable", {"components": alone}, components=", ".join(alone) or "-")


def _pay_at_target(scheme: Scheme, role: str, sales_per_month: float) -> float:
    total = 0.0
    for c in scheme.components:
        if c.type == "non_cash" and c.non_cash_kind == "competition":
            continue  # only the winners get it: not what the role earns at target
        rate = float(c.pay.get(role, 0.0))  # type: ignore[call-overload]
        total += rate * sales_per_month if c.type == "commission" else rate
    return total


@CHECKS.register("rewards_by_responsibility", required_params=("min_ratio",))
def rewards_by_responsibility(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """P4.2: what a role earns at target rises with its responsibility (agent < senior agent < team leader),
    each step at least ``min_ratio``; commission counted at the role's median monthly sales."""
    scheme = _scheme(context)
    world: World = context.world
    person_sales = (
        world.contacts.assign(period=months.period_column(world.contacts["date"]))
        .groupby(["staff_id", "period"])["sales"]
        .sum()
        .reset_index()
        .merge(world.staff[["staff_id", "role"]], on="staff_id")
    )
    median_sales = person_sales.groupby("role")["sales"].median().to_dict()
    ladder = ["agent", "senior_agent", "team_leader"]
    present = [r for r in ladder if (world.staff["role"] == r).any()]
    pay = {r: round(_pay_at_target(scheme, r, float(median_sales.get(r, 0.0))), 2) for r in present}
    ratio = float(params["min_ratio"])
    steps = list(itertools.pairwise(present))
    ok = all(pay[b] >= pay[a] * ratio and pay[b] > 0 for a, b in steps) and all(v > 0 for v in pay.values())
    return _outcome(
        ok,
        "responsibility",
        {"pay_at_target": pay, "min_ratio": ratio},
        pay=", ".join(f"{r} {v:,.0f}" for r, v in pay.items()),
        min_ratio=ratio,
    )


@CHECKS.register("within_budget", required_params=("tolerance",))
def within_budget(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The scheme's projected monthly cost on the world's own figures is within its budget (+ tolerance)."""
    scheme = _scheme(context)
    cost = projected_cost_per_period(_payouts(context), context.world)
    limit = scheme.budget_per_period * (1 + float(params["tolerance"]))
    return _outcome(
        cost <= limit,
        "budget",
        {"projected_cost_per_period": round(cost, 2), "budget_per_period": scheme.budget_per_period},
        cost=round(cost),
        budget=round(scheme.budget_per_period),
    )


@CHECKS.register("budget_reasonable", required_params=("max_share_of_payroll",))
def budget_reasonable(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The budget itself is a sensible share of base payroll (variable pay is typically 5–20% of base)."""
    scheme = _scheme(context)
    world: World = context.world
    eligible = world.staff[world.staff["role"].isin(["agent", "senior_agent", "team_leader"])]
    monthly = eligible["base_pay"].where(eligible["pay_basis"] == "monthly", eligible["base_pay"] * 88).sum()
    share = scheme.budget_per_period / float(monthly) if monthly else math.inf
    ok = share <= float(params["max_share_of_payroll"])
    return _outcome(
        ok,
        "budget_share",
        {"share_of_payroll": round(share, 4)},
        share=round(100 * share, 1),
        max=round(100 * float(params["max_share_of_payroll"]), 1),
    )


@CHECKS.register("reward_range")
def reward_range(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K6: the scheme uses a range of reward and recognition strategies, cash and non-cash."""
    scheme = _scheme(context)
    types = sorted({c.type for c in scheme.components})
    ok = "non_cash" in types and len(types) >= 3
    return _outcome(ok, "range", {"types": types}, types=", ".join(types))


@CHECKS.register("effective", required_params=("min_improvement",))
def effective(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """P4.3: run for three simulated months, the scheme improves what it pays for without gaming."""
    review = _review(context)
    table = review.kpis
    paid = table[table["paid"]]
    improved = sorted(
        str(k)
        for k, v in zip(paid["kpi"], paid["change"], strict=True)
        if v is not None and v == v and v >= float(params["min_improvement"])
    )
    gaming = bool(review.gaming.get("flagged", False))
    ok = bool(improved) and not gaming
    return _outcome(
        ok, "effective", {"improved": improved, "gaming": gaming}, improved=", ".join(improved) or "-", gaming=gaming
    )


@CHECKS.register("anomalies_found", required_params=("min_found",))
def anomalies_found(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """P4.4: the candidate's findings identify the anomalies seeded into last period's payouts ("all" or a count)."""
    ledger = _cached(context, "ledger", lambda: payout_ledger(context.world))
    findings = [AuditFinding.model_validate(f) for f in context.answer.get("findings", [])]
    matches = match_findings(findings, ledger.truth)
    found = sum(m.found for m in matches)
    need = len(matches) if params["min_found"] == "all" else int(params["min_found"])
    missed = [f"{m.anomaly.kind}:{','.join(m.anomaly.staff_ids[:3])}" for m in matches if not m.found]
    return _outcome(
        found >= need,
        "anomalies",
        {"found": found, "seeded": len(matches), "missed": missed},
        found=found,
        seeded=len(matches),
    )


def _close(reported: float | None, actual: float, tolerance: float) -> bool:
    return reported is not None and abs(reported - actual) <= tolerance * max(1.0, abs(actual))


@CHECKS.register("figures_reproduce", required_params=("tolerance",))
def figures_reproduce(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The figures the candidate reports (projected cost, simulated cost and KPI changes) come out the same
    when the grader recomputes them from the seed."""
    tol = float(params["tolerance"])
    reported = context.answer.get("reported") or {}
    cost = projected_cost_per_period(_payouts(context), context.world)
    review = _review(context)
    checks: dict[str, bool] = {
        "projected_cost_per_period": _close(reported.get("projected_cost_per_period"), cost, tol),
        "simulated_cost_total": _close(reported.get("simulated_cost_total"), float(review.cost["total"]), tol),
    }
    changes = reported.get("simulated_kpi_change") or {}
    actual = {
        str(k): float(v)
        for k, v in zip(review.kpis["kpi"], review.kpis["change"], strict=True)
        if v is not None and v == v
    }
    checks["simulated_kpi_change"] = bool(changes) and all(
        k in actual and abs(float(v) - actual[k]) <= max(tol, 1e-4) for k, v in changes.items()
    )
    wrong = [k for k, ok in checks.items() if not ok]
    return _outcome(
        not wrong,
        "figures",
        {
            "checked": checks,
            "recomputed_cost_per_period": round(cost, 2),
            "recomputed_simulated_cost": round(float(review.cost["total"]), 2),
        },
        wrong=", ".join(wrong) or "-",
    )
