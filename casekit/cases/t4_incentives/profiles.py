"""Simulated candidates of known quality for the T4 case: the demo's cohort and the rubric's test fixtures.

Each profile works the case through the same :class:`~casekit.cases.t4_incentives.case.T4Case` API as the widgets: it
designs a scheme sized to its own world, looks at the live preview to set the budget, runs the simulation, uses the
audit tools to find anomalies and writes its justification. A flawed profile makes one specific mistake, so the
rubric must fail exactly the criteria that mistake targets (``FLAW_TARGETS``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from casekit.cases.t4_incentives import audit_tools
from casekit.cases.t4_incentives.case import T4Case, full_months, projected_cost_per_period
from casekit.cases.t4_incentives.findings import AuditFinding
from casekit.cases.t4_incentives.payout import period_kpis
from casekit.cases.t4_incentives.scheme import Scheme, parse_scheme
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario import World

__all__ = ["ASSESSOR_VIEW", "FLAW_TARGETS", "PROFILES", "build_case", "find_anomalies"]

#: profile -> the automatic T4 criteria its flaw makes not yet met (the assessor-judged ones are not listed).
FLAW_TARGETS: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset({"T4-C07"}),  # a narrower, cash-only scheme: a non-essential criterion
    "over_budget": frozenset({"T4-C05"}),
    "handle_time_only": frozenset({"T4-C02", "T4-C03", "T4-C08"}),
    "no_quality_gate": frozenset({"T4-C02"}),
    "missed_anomalies": frozenset({"T4-C09"}),
    "flat_rewards": frozenset({"T4-C04"}),
}
PROFILES: tuple[str, ...] = tuple(FLAW_TARGETS)
#: profile -> the assessor-judged criteria a careful assessor finds not yet met in its written answer: a
#: justification that leaves out quality (handle-time only, no quality gate) or the link between reward and role
#: (flat rewards); a discussion that does not face the overspend; corrective actions for anomalies it never found.
ASSESSOR_VIEW: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset(),
    "over_budget": frozenset({"T4-C12"}),
    "handle_time_only": frozenset({"T4-C11"}),
    "no_quality_gate": frozenset({"T4-C11"}),
    "missed_anomalies": frozenset({"T4-C13"}),
    "flat_rewards": frozenset({"T4-C11"}),
}


def _median_base(case: T4Case, role: str) -> float:
    staff = case.world.staff
    pay = staff.loc[(staff["role"] == role) & (staff["pay_basis"] == "monthly"), "base_pay"]
    return float(pay.median()) if len(pay) else 30000.0


def _role_pay(case: T4Case, share: float, flat: bool = False) -> dict[str, float]:
    """A role's variable pay at target: ``share`` of its median base, rounded to NT$100; or the agent's for all."""
    # more responsibility, a larger variable share as well as a larger base (P4.2)
    weight = {"agent": 1.0, "senior_agent": 1.2, "team_leader": 1.4}
    roles = tuple(weight)
    pay = {r: round(share * weight[r] * _median_base(case, r), -2) for r in roles}
    if flat:
        pay = dict.fromkeys(roles, pay["agent"])
    return pay


def _targets(case: T4Case) -> dict[str, float]:
    tg = case.world.spec.targets
    return {
        "qa": round(tg.qa * 100, 1),
        "fcr": tg.fcr,
        "aht_s": tg.aht_seconds,
        "csat": tg.csat,
        "adherence": tg.adherence,
    }


def _gate(case: T4Case, target: float) -> float:
    """Where a careful designer puts a QA gate: five points under the target, or lower where that would shut out
    more than the weakest fifth of the people paid (their monthly QA in the world's full months, as the explore
    tab shows it), so the gate binds the weak without cutting off the role ladder; rounded down to 0.5."""
    person, _team = period_kpis(case.world.contacts, case.world.staff)
    months = person[person.index.get_level_values("period").isin(full_months(case.world))]
    qa = months["qa"].dropna()
    low = float(qa.quantile(0.2)) if len(qa) else target
    return math.floor(2 * min(target - 5, low)) / 2


def _time_off(tg: dict[str, float]) -> dict[str, Any]:
    """Half a day off for reaching the adherence target: the flawed profiles' third kind of reward (N6), so that
    each fails only what its flaw targets."""
    return {
        "id": "early",
        "type": "non_cash",
        "non_cash_kind": "time_off",
        "pay": {"agent": 800.0, "senior_agent": 800.0},
        "measures": [{"kpi": "adherence", "target": tg["adherence"]}],
    }


def _scheme(case: T4Case, profile: str) -> dict[str, Any]:
    tg = _targets(case)
    quality_gate = [{"kpi": "qa", "threshold": _gate(case, tg["qa"])}]
    flat = profile == "flat_rewards"
    card_pay = _role_pay(case, 0.07, flat)
    team_pay = _role_pay(case, 0.02, flat)
    components: list[dict[str, Any]]
    if profile == "handle_time_only":
        components = [
            {
                "id": "speed",
                "type": "scorecard",
                "pay": card_pay,
                "measures": [{"kpi": "aht_s", "target": tg["aht_s"]}],
            },
            {
                "id": "team_speed",
                "type": "team_bonus",
                "pay": team_pay,
                "measures": [{"kpi": "aht_s", "level": "team", "target": tg["aht_s"]}],
            },
            {
                "id": "fastest",
                "type": "non_cash",
                "non_cash_kind": "recognition",
                "pay": {"agent": 500.0},
                "measures": [{"kpi": "aht_s", "target": tg["aht_s"] * 0.9}],
            },
            _time_off(tg),
        ]
    elif profile == "no_quality_gate":
        components = [
            {
                "id": "card",
                "type": "scorecard",
                "pay": card_pay,
                "measures": [
                    {"kpi": "aht_s", "target": tg["aht_s"], "weight": 0.45},
                    {"kpi": "contacts_per_hour", "target": 8.0, "weight": 0.3},
                    {"kpi": "fcr", "target": tg["fcr"], "weight": 0.15},
                    {"kpi": "qa", "target": tg["qa"], "weight": 0.1},
                ],
            },
            {
                "id": "team",
                "type": "team_bonus",
                "pay": team_pay,
                "measures": [{"kpi": "csat", "level": "team", "target": tg["csat"]}],
            },
            {
                "id": "thanks",
                "type": "non_cash",
                "non_cash_kind": "recognition",
                "pay": {"agent": 500.0},
                "measures": [{"kpi": "csat", "target": tg["csat"]}],
            },
            _time_off(tg),
        ]
    else:
        components = [
            {
                "id": "card",
                "type": "scorecard",
                "pay": card_pay,
                "gates": quality_gate,
                "measures": [
                    {"kpi": "qa", "target": tg["qa"], "weight": 0.4},
                    {"kpi": "fcr", "target": tg["fcr"], "weight": 0.3},
                    {"kpi": "aht_s", "target": tg["aht_s"], "weight": 0.15},
                    {"kpi": "adherence", "target": tg["adherence"], "weight": 0.15},
                ],
            },
            {
                "id": "team",
                "type": "team_bonus",
                "pay": team_pay,
                "measures": [
                    {"kpi": "csat", "level": "team", "target": tg["csat"], "weight": 0.5},
                    {"kpi": "fcr", "level": "team", "target": tg["fcr"], "weight": 0.5},
                ],
            },
        ]
        if case.world.spec.performance.sales_conversion > 0:
            components.append(
                {
                    "id": "sales",
                    "type": "commission",
                    "pay": {"agent": 30.0, "senior_agent": 30.0},
                    "gates": [{"kpi": "qa", "threshold": tg["qa"]}],
                    "cap": 2000.0,
                }
            )
        if profile != "competent":
            components.append(
                {
                    "id": "star",
                    "type": "non_cash",
                    "non_cash_kind": "competition",
                    "top_n": 3,
                    "pay": {"agent": 2000.0, "senior_agent": 2000.0},
                    "measures": [{"kpi": "csat", "target": tg["csat"]}],
                }
            )
    return {
        "name": t(f"t4profile.name_{profile}", case.lang),
        "budget_per_period": 1.0,
        "cap_per_person": round(0.25 * _median_base(case, "team_leader"), -2),
        "components": components,
    }


def _budgeted(case: T4Case, data: dict[str, Any], headroom: float) -> Scheme:
    """Set the budget the way a candidate does with the live preview: projected monthly cost plus headroom."""
    draft = parse_scheme(data)
    cost = projected_cost_per_period(case.preview(draft), case.world)
    return parse_scheme({**data, "budget_per_period": max(1000.0, math.ceil(cost * headroom / 1000) * 1000)})


def find_anomalies(case: T4Case, kinds: tuple[str, ...] | None = None) -> list[AuditFinding]:
    """Findings the way a careful auditor gets them from the audit tools (never from the seeded truth)."""
    lang = case.lang
    period = case.ledger.period
    out: list[AuditFinding] = []

    def add(kind: str, ids: list[str], component: str | None = None, team: str | None = None) -> None:
        if kinds is not None and kind not in kinds:
            return
        out.append(
            AuditFinding(
                kind=kind,
                staff_ids=ids,
                period=period,
                component=component,
                team=team,
                description=t(f"t4profile.finding_{kind}", lang, ids=", ".join(ids), team=team or ""),
                corrective_action=t(f"t4profile.action_{kind}", lang, team=team or ""),
            )
        )

    rc = case.audit("recompute")
    for row in rc[rc["issue"] == "mismatch"].to_dict("records"):
        add("calculation_error", [str(row["staff_id"])], str(row["component"]))
    for row in case.audit("caps").to_dict("records"):
        add("over_cap", [str(row["staff_id"])], str(row["component"]))
    for row in case.audit("eligibility").to_dict("records"):
        add("ineligible_payment", [str(row["staff_id"])], str(row["component"]))
    # look for a gender gap only after correcting the errors already found, as an auditor would: one man's
    # miscalculated bonus in a small team would otherwise look like a gap
    fixed = rc[rc["issue"].isin(["mismatch", "over_cap", "ineligible"])]
    paid = case.ledger.paid.copy()
    for row in fixed.to_dict("records"):
        hit = (paid["staff_id"] == row["staff_id"]) & (paid["component"] == row["component"])
        paid.loc[hit, "amount"] = row["expected"]
    corrected = dataclasses.replace(case.ledger, paid=paid)
    gaps = audit_tools.pay_gaps(corrected, case.world, by=("team", "gender"), lang=lang)
    gaps = gaps[gaps["team"] != "SUP"].dropna(subset=["per_point_gap_pct"])
    if len(gaps):
        worst = gaps.sort_values("per_point_gap_pct", ascending=False).iloc[0]
        add("gender_gap", [], "scorecard", str(worst["team"]))
    return out


def build_case(
    profile: str, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
) -> T4Case:
    """Work the T4 case as the named profile would, ready for ``case.to_answer()`` / ``case.save(path)``."""
    if profile not in FLAW_TARGETS:
        raise UsageError(t("cases.unknown_profile", lang, profile=profile, profiles=", ".join(PROFILES)))
    case = T4Case(org, seed, candidate_id, lang, world=world)
    # a careful candidate leaves room for the improvement the scheme is meant to buy; the flawed one does not
    headroom = 0.85 if profile == "over_budget" else 1.2
    case.set_scheme(_budgeted(case, _scheme(case, profile), headroom))
    review = case.simulate()
    kinds = ("calculation_error", "over_cap") if profile == "missed_anomalies" else None
    for finding in find_anomalies(case, kinds):
        case.add_finding(finding)
    preview = case.preview_summary(case.preview())
    params: dict[str, Any] = {
        "cost": f"{preview['cost_per_period']:,.0f}",
        "budget": f"{preview['budget_per_period']:,.0f}",
        "findings": " ".join(review.render(lang)[:3]),
    }
    writer: Callable[[str], str] = lambda part: t(f"t4profile.{part}_{profile}", lang, **params)  # noqa: E731
    case.justification = writer("justification")
    case.discussion = writer("discussion")
    case.declare(True)  # a simulated candidate declares their answer their own, as a real one does on saving
    return case
