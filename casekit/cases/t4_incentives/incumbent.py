"""The organisation's current incentive scheme: the one last period's payouts were made under (P4.4).

Derived deterministically from the organisation spec, so the grader rebuilds exactly what the candidate audits:

- a monthly scorecard on QA (40%), first-contact resolution (30%) and handle time (30%) against the spec's
  targets, achievement capped at 120%, with a QA gate five points under the QA target;
- role pay = the spec's ``bonus_share_of_base`` x the role's mid base pay (three quarters of it when the
  centre sells, the rest going to commission), rounded to NT$100;
- where the centre sells, a commission per QA-passed sale for agents and senior agents, priced so that an
  expected month's sales earn a quarter of the agent's bonus share;
- a cap on each component, and a budget of about the expected spend.
"""

from __future__ import annotations

from casekit.cases.t4_incentives.scheme import SCHEME_ROLES, Component, Gate, Measure, Scheme
from casekit.scenario.contacts import blended_aht
from casekit.scenario.spec import OrgSpec

__all__ = ["GATE_MARGIN_POINTS", "expected_sales_per_month", "incumbent_scheme"]

GATE_MARGIN_POINTS = 5.0  # the QA gate sits this many points under the QA target
SCORECARD_ID = "scorecard"
COMMISSION_ID = "commission"
_WORKING_DAYS = 21.7
_EXPECTED_UNITS = 0.95  # a typical scorecard result a little under target
_PASS_RATE = 0.8  # share expected to pass the QA gate


def _mid_pay(spec: OrgSpec, role: str) -> float:
    pay = spec.roles[role].base_pay
    return (pay.min + pay.max) / 2


def expected_sales_per_month(spec: OrgSpec) -> float:
    """Sales a full-time agent is expected to make in a month, from the spec's baselines."""
    perf = spec.performance
    handled = (
        _WORKING_DAYS * (1 - perf.absence_rate) * 8 * 3600 * perf.availability * perf.occupancy / blended_aht(spec)
    )
    return handled * perf.sales_eligible_share * perf.sales_conversion


def _role_headcount(spec: OrgSpec, headcount: int) -> dict[str, float]:
    total = sum(r.share for r in spec.roles.values())
    return {role: headcount * spec.roles[role].share / total for role in SCHEME_ROLES if role in spec.roles}


def incumbent_scheme(spec: OrgSpec, headcount: int | None = None) -> Scheme:
    """The scheme in force; ``headcount`` (default: the spec's) sizes the budget to the world's staff."""
    roles = [r for r in SCHEME_ROLES if r in spec.roles]
    share = spec.pay.bonus_share_of_base
    sales = expected_sales_per_month(spec)
    sells = sales >= 1 and spec.targets.sales_conversion > 0
    card_share = 0.75 if sells else 1.0
    card_pay = {r: float(max(100, round(share * _mid_pay(spec, r) * card_share / 100) * 100)) for r in roles}
    qa_target = round(spec.targets.qa * 100, 1)
    qa_gate = Gate(kpi="qa", threshold=max(1.0, qa_target - GATE_MARGIN_POINTS))
    card = Component(
        id=SCORECARD_ID,
        type="scorecard",
        pay=card_pay,
        measures=[
            Measure(kpi="qa", target=qa_target, weight=0.4),
            Measure(kpi="fcr", target=spec.targets.fcr, weight=0.3),
            Measure(kpi="aht_s", target=spec.targets.aht_seconds, weight=0.3),
        ],
        gates=[qa_gate],
        achievement_cap=1.2,
        cap=float(round(1.1 * max(card_pay.values()) / 100) * 100),
    )
    components = [card]
    count = _role_headcount(spec, spec.headcount if headcount is None else headcount)
    budget = sum(count[r] * card_pay[r] * _EXPECTED_UNITS * _PASS_RATE for r in roles)
    sellers = [r for r in roles if r != "team_leader"]
    if sells and sellers:
        agent_mid = _mid_pay(spec, "agent" if "agent" in spec.roles else sellers[0])
        rate = float(max(5, round(share * agent_mid * (1 - card_share) / sales / 5) * 5))
        components.append(
            Component(
                id=COMMISSION_ID,
                type="commission",
                pay={r: rate for r in sellers},
                gates=[qa_gate],
                cap=float(round(rate * sales * 1.6 / 100) * 100) or rate * 10,
            )
        )
        budget += sum(count[r] * rate * sales * _PASS_RATE for r in sellers)
    return Scheme(
        name=f"{spec.name} incumbent",
        budget_per_period=float(max(10_000, round(budget / 10_000) * 10_000)),
        components=components,
    )
