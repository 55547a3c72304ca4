"""Automatic checks of the T4 rubric (``rubrics/t4-incentives.yaml``), in T4's own registry :data:`CHECKS`.

Each check reads the answer document and, where it needs the truth, the world regenerated from the seed; the
expensive figures (payouts, the simulation, the audit ledger) are computed once per grading through
:func:`grading_context`, whose ``extras`` carry a cache.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Final, TypeVar

import pandas as pd

from casekit.cases.checking import grading_context, outcomes
from casekit.cases.t4_incentives.audit import payout_ledger
from casekit.cases.t4_incentives.audit_tools import budget_variance
from casekit.cases.t4_incentives.case import full_months, projected_cost_per_period
from casekit.cases.t4_incentives.findings import AuditFinding, assess_findings
from casekit.cases.t4_incentives.payout import PayoutResult, compute_payouts
from casekit.cases.t4_incentives.response import response_plan, simulate_response
from casekit.cases.t4_incentives.review import Review, review_effectiveness
from casekit.cases.t4_incentives.scheme import Scheme
from casekit.rubric.checks import CheckContext, CheckOutcome, builtin_checks
from casekit.rubric.checks import cached as _cached
from casekit.scenario import World

__all__ = ["CHECKS", "GAMEABLE", "MIN_BINDING_SHARE", "QUALITY", "grading_context", "whole_units"]

T = TypeVar("T")

QUALITY = frozenset({"qa", "fcr", "csat"})
GAMEABLE = frozenset({"aht_s", "handled", "contacts_per_hour", "sales", "conversion"})


#: T4's checks, namespaced by the kind: the generic built-ins and the ones below.
CHECKS: Final = builtin_checks()
_outcome: Final = outcomes("t4check")


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


def _plan(context: CheckContext) -> pd.DataFrame:
    """The simulated team's response plan (baseline per person, and where each quality constraint binds)."""
    world: World = context.world
    return _cached(context, "plan", lambda: response_plan(world, _scheme(context)))


#: A quality constraint counts for a component when it can change the pay of at least this share of the people
#: the component pays (rubric parameter ``min_binding_share``): a gate nobody comes near is no gate.
MIN_BINDING_SHARE: Final = 0.5


def _binding_share(context: CheckContext, index: int) -> float:
    """The share of the handling staff component ``index`` pays whose pay its quality constraint can change."""
    plan = _plan(context)
    component = _scheme(context).components[index]
    paid = plan["role"].map({k: float(v) for k, v in component.pay.items()}).fillna(0.0) > 0
    if not paid.any():
        return 1.0  # pays no handling staff: nothing to constrain
    return float(plan.loc[paid, f"quality_binds_{index}"].mean())


def _unconstrained(context: CheckContext, params: Mapping[str, Any], index: int) -> bool:
    """Whether component ``index``'s quality constraint (gate or weight) binds too few of the people it pays."""
    share = float(params.get("min_binding_share", MIN_BINDING_SHARE))
    return _binding_share(context, index) < share


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
    """Quality is gated or weighted, and it binds: every cash component has a quality gate, or quality measures
    carry at least ``min_weight`` of its weight, and that constraint can change the pay of at least
    ``min_binding_share`` (default 0.5) of the people it pays at the world's baseline (a gate below what every
    agent already scores, or a target everyone exceeds many times over, binds nobody: it does not count)."""
    scheme = _scheme(context)
    min_weight = float(params["min_weight"])
    weak, token = [], []
    for i, c in enumerate(scheme.components):
        if c.type == "non_cash":
            continue
        gated = any(g.kpi in QUALITY for g in c.gates)
        weight = sum(m.weight for m in c.measures if m.kpi in QUALITY)
        if not gated and weight < min_weight:
            weak.append(c.id)
        elif _unconstrained(context, params, i):
            token.append(c.id)
    shares = {
        c.id: round(_binding_share(context, i), 3) for i, c in enumerate(scheme.components) if c.type != "non_cash"
    }
    return _outcome(
        not weak and not token,
        "quality",
        {"components_without_quality": weak, "components_not_binding": token, "binding_share": shares},
        components=", ".join(weak + token) or "-",
        min_weight=min_weight,
    )


@CHECKS.register("no_gameable_alone")
def no_gameable_alone(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """No component pays on a gameable metric (speed, volume, sales) without a quality or outcome constraint that
    binds (see :func:`quality_gated`: a token gate leaves the metric alone)."""
    scheme = _scheme(context)
    alone = []
    for i, c in enumerate(scheme.components):
        kpis = {m.kpi for m in c.measures} | ({"sales"} if c.type == "commission" else set())
        constrained = bool(kpis & QUALITY) or any(g.kpi in QUALITY for g in c.gates)
        if kpis & GAMEABLE and (not constrained or _unconstrained(context, params, i)):
            alone.append(c.id)
    return _outcome(not alone, "gameable", {"components": alone}, components=", ".join(alone) or "-")


@CHECKS.register("rewards_by_responsibility", required_params=("min_ratio",))
def rewards_by_responsibility(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """P4.2: what each role is actually paid under the scheme in the world rises with its responsibility (agent <
    senior agent < team leader), each step at least ``min_ratio``: the median per person and full month of what
    the payout calculator pays (cash and non-cash), not the rates on paper (a bonus nobody reaches pays nothing)."""
    world: World = context.world
    people = _payouts(context).people
    people = people[people["period"].isin(full_months(world))] if full_months(world) else people
    median = people.groupby("role")["total"].median().to_dict()
    ladder = ["agent", "senior_agent", "team_leader"]
    present = [r for r in ladder if (world.staff["role"] == r).any()]
    pay = {r: round(float(median.get(r, 0.0)), 2) for r in present}
    ratio = float(params["min_ratio"])
    steps = list(itertools.pairwise(present))
    ok = all(pay[b] >= pay[a] * ratio and pay[b] > 0 for a, b in steps) and all(v > 0 for v in pay.values())
    return _outcome(
        ok,
        "responsibility",
        {"median_paid": pay, "min_ratio": ratio},
        pay=", ".join(f"{r} {v:,.0f}" for r, v in pay.items()),
        min_ratio=ratio,
    )


def whole_units(amount: float) -> int:
    """An amount of money in whole NT$, rounded half up: how the budget and the cost are compared and shown, so
    a budget typed as the cost the tool shows is never short by a fraction of a cent, and two equal printed
    figures never make a failure."""
    return int(Decimal(repr(float(amount))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@CHECKS.register("within_budget", required_params=("tolerance",))
def within_budget(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The scheme's projected monthly cost on the world's own figures is within its budget (+ tolerance), both in
    whole NT$."""
    scheme = _scheme(context)
    cost = whole_units(projected_cost_per_period(_payouts(context), context.world))
    limit = whole_units(scheme.budget_per_period * (1 + float(params["tolerance"])))
    return _outcome(
        cost <= limit,
        "budget",
        {"projected_cost_per_period": cost, "budget_per_period": whole_units(scheme.budget_per_period)},
        cost=f"{cost:,}",
        budget=f"{limit:,}",
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


#: The kinds of reward N6 names, by component: commission; a bonus (threshold, tiers, scorecard, team bonus);
#: each non-cash kind on its own (time off, recognition, competitions).
_REWARD_KIND: Final = {"commission": "commission"} | dict.fromkeys(
    ("threshold_bonus", "tiered", "scorecard", "team_bonus"), "bonus"
)


@CHECKS.register("reward_range")
def reward_range(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K6, N6: a range of reward and recognition strategies, non-cash included: at least three of the kinds N6
    names (commission, bonus, time off, recognition, competitions), at least one of them non-cash."""
    scheme = _scheme(context)
    kinds = sorted({_REWARD_KIND[c.type] if c.type != "non_cash" else str(c.non_cash_kind) for c in scheme.components})
    non_cash = any(c.type == "non_cash" for c in scheme.components)
    ok = non_cash and len(kinds) >= 3
    return _outcome(ok, "range", {"kinds": kinds}, types=", ".join(kinds))


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
    """P4.4: the candidate's findings identify the anomalies seeded into last period's payouts ("all" or a count),
    matched one to one on specific evidence (:func:`~casekit.cases.t4_incentives.findings.assess_findings`); the
    evidence lists each finding that identifies no seeded anomaly as unsupported, by its number in the answer's
    list (from 1), with the reason. The assessment is cached for the evidence page."""
    world: World = context.world
    ledger = _cached(context, "ledger", lambda: payout_ledger(world))
    findings = [AuditFinding.model_validate(f) for f in context.answer.get("findings", [])]
    teams = [str(tm) for tm in world.staff["team"].dropna().unique()]
    assessment = _cached(context, "findings_assessment", lambda: assess_findings(findings, ledger, teams=teams))
    matches = assessment.matches
    found = assessment.found
    need = len(matches) if params["min_found"] == "all" else int(params["min_found"])
    missed = [f"{m.anomaly.kind}:{','.join(m.anomaly.staff_ids[:3])}" for m in matches if not m.found]
    unsupported = [
        {"finding": u.finding + 1, "kind": findings[u.finding].kind, "reason": u.reason} for u in assessment.unsupported
    ]
    return _outcome(
        found >= need,
        "anomalies",
        {"found": found, "seeded": len(matches), "missed": missed, "unsupported": unsupported},
        found=found,
        seeded=len(matches),
    )


def _close(reported: float | None, actual: float, tolerance: float, floor: float) -> bool:
    """Relative agreement: within ``tolerance`` of the recomputed figure, or within ``floor`` of it when that is
    near zero (a change of 0.0 cannot be matched relatively)."""
    return reported is not None and abs(reported - actual) <= max(tolerance * abs(actual), floor)


#: Where a relative tolerance stops making sense: NT$1 for money, 0.0005 (0.05 %) for a relative KPI change.
MONEY_FLOOR: Final = 1.0
CHANGE_FLOOR: Final = 0.0005


@CHECKS.register("figures_reproduce", required_params=("tolerance",))
def figures_reproduce(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every figure the candidate reports comes out the same, within a relative ``tolerance``, when the grader
    recomputes it from the seed: the projected cost, the simulated cost, the change of every KPI the scheme pays
    (each one reported, none left out) and the audit's budget variance."""
    tol = float(params["tolerance"])
    reported = context.answer.get("reported") or {}
    cost = projected_cost_per_period(_payouts(context), context.world)
    review = _review(context)
    checks: dict[str, bool] = {
        "projected_cost_per_period": _close(reported.get("projected_cost_per_period"), cost, tol, MONEY_FLOOR),
        "simulated_cost_total": _close(
            reported.get("simulated_cost_total"), float(review.cost["total"]), tol, MONEY_FLOOR
        ),
    }
    changes = reported.get("simulated_kpi_change") or {}
    table = review.kpis
    actual = {str(k): float(v) for k, v in zip(table["kpi"], table["change"], strict=True) if v is not None and v == v}
    paid = sorted(str(k) for k in table.loc[table["paid"], "kpi"] if str(k) in actual)
    missing = [k for k in paid if k not in changes]
    wrong_kpis = sorted(
        str(k) for k, v in changes.items() if k not in actual or not _close(float(v), actual[k], tol, CHANGE_FLOOR)
    )
    checks["simulated_kpi_change"] = bool(changes) and not missing and not wrong_kpis
    variance = None
    if context.answer.get("findings"):
        ledger = _cached(context, "ledger", lambda: payout_ledger(context.world))
        variance = float(budget_variance(ledger)["variance"])
        checks["audit_budget_variance"] = _close(reported.get("audit_budget_variance"), variance, tol, MONEY_FLOOR)
    wrong = [k for k, ok in checks.items() if not ok]
    return _outcome(
        not wrong,
        "figures",
        {
            "checked": checks,
            "kpis_missing": missing,
            "kpis_wrong": wrong_kpis,
            "recomputed_cost_per_period": round(cost, 2),
            "recomputed_simulated_cost": round(float(review.cost["total"]), 2),
            "recomputed_audit_budget_variance": variance,
        },
        wrong=", ".join(wrong) or "-",
    )
