"""The payout calculator on hand-computed small worlds, and its properties."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.cases.t4_incentives import SchemeError, compute_payouts, parse_scheme
from casekit.cases.t4_incentives.payout import explain, period_kpis

FIXTURES = Path(__file__).parent / "fixtures"


def _day(
    date: str,
    staff_id: str,
    *,
    handled: int,
    aht: int,
    qa: float | None,
    fcr: int,
    sat: int,
    surveys: int,
    sales: int = 0,
    eligible: int = 0,
    adherent: int = 25000,
) -> dict[str, object]:
    return {
        "date": date,
        "staff_id": staff_id,
        "scheduled_s": 28800,
        "logged_in_s": 28000,
        "adherent_s": adherent,
        "available_s": 27000,
        "handled": handled,
        "talk_s": handled * aht,
        "hold_s": 0,
        "acw_s": 0,
        "qa_evals": 0 if qa is None else 1,
        "qa_score": np.nan if qa is None else qa,
        "fcr_resolved": fcr,
        "csat_surveys": surveys,
        "csat_satisfied": sat,
        "sales_eligible": eligible,
        "sales": sales,
    }


@pytest.fixture()
def small() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two agents, a senior agent and their team leader; one month, numbers chosen to compute by hand.

    A: AHT 300 s, QA 90, FCR 0.8, CSAT 0.9, 12 sales.  B: AHT 400 s, QA 70, FCR 0.6, CSAT 0.5, 4 sales.
    S: AHT 360 s, QA 85, FCR 0.7, CSAT 0.8, 0 sales.   Team T01 (A+B+S): FCR 210/300 = 0.7, CSAT 22/30.
    """
    staff = pd.DataFrame(
        {
            "staff_id": ["A", "B", "S", "L", "Q"],
            "role": ["agent", "agent", "senior_agent", "team_leader", "qa_analyst"],
            "team": ["T01", "T01", "T01", "T01", "SUP"],
            "gender": ["F", "M", "F", "M", "F"],
        }
    )
    contacts = pd.DataFrame(
        [
            _day("2026-01-05", "A", handled=100, aht=300, qa=90, fcr=80, sat=9, surveys=10, sales=12, eligible=40),
            _day("2026-01-05", "B", handled=100, aht=400, qa=70, fcr=60, sat=5, surveys=10, sales=4, eligible=40),
            _day("2026-01-05", "S", handled=100, aht=360, qa=85, fcr=70, sat=8, surveys=10),
        ]
    )
    return contacts, staff


def _scheme(**components: object) -> dict[str, object]:
    return {"budget_per_period": 100000, "components": list(components.values())}


def test_scorecard_by_hand(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    contacts, staff = small
    scheme = parse_scheme(
        _scheme(
            card={
                "id": "card",
                "type": "scorecard",
                "pay": {"agent": 1000, "senior_agent": 2000, "team_leader": 3000},
                "measures": [
                    {"kpi": "qa", "target": 80, "weight": 0.5},
                    {"kpi": "aht_s", "target": 360, "weight": 0.5},
                ],
                "achievement_cap": 1.2,
            }
        )
    )
    r = compute_payouts(scheme, contacts, staff)
    paid = r.lines.set_index("staff_id")["amount"]
    # A: 0.5 * min(90/80, 1.2) + 0.5 * min(360/300, 1.2) = 0.5625 + 0.6 = 1.1625 -> 1162.50
    assert paid["A"] == pytest.approx(1162.5)
    # B: 0.5 * 70/80 + 0.5 * 360/400 = 0.4375 + 0.45 = 0.8875 -> 887.50
    assert paid["B"] == pytest.approx(887.5)
    # S: 0.5 * 85/80 + 0.5 * 1 = 1.03125 -> x 2000
    assert paid["S"] == pytest.approx(2062.5)
    # L handles no contacts: paid on the team's QA (mean 81.67) and AHT (336.67 s)
    team_qa, team_aht = (90 + 70 + 85) / 3, (300 + 400 + 360) / 3
    assert paid["L"] == pytest.approx(3000 * (0.5 * team_qa / 80 + 0.5 * 360 / team_aht), abs=0.01)
    assert "Q" not in paid.index  # support roles are outside incentive schemes
    assert r.total_cost == pytest.approx(paid.sum())


def test_gates_commission_caps_by_hand(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    contacts, staff = small
    scheme = parse_scheme(
        {
            "budget_per_period": 1000,
            "cap_per_person": 900,
            "components": [
                {
                    "id": "comm",
                    "type": "commission",
                    "pay": {"agent": 100},
                    "gates": [{"kpi": "qa", "threshold": 85}],
                    "cap": 1000,
                },
                {
                    "id": "fcr",
                    "type": "threshold_bonus",
                    "pay": {"agent": 300, "senior_agent": 500},
                    "measures": [{"kpi": "fcr", "target": 0.7}],
                },
            ],
        }
    )
    r = compute_payouts(scheme, contacts, staff)
    lines = r.lines.set_index(["staff_id", "component"])
    # A passes the QA gate: 12 sales x 100 = 1200, component cap 1000
    assert lines.loc[("A", "comm"), "amount_raw"] == 1200
    assert bool(lines.loc[("A", "comm"), "capped"])
    # B fails the gate (QA 70 < 85): nothing, whatever the sales
    assert lines.loc[("B", "comm"), "amount"] == 0
    assert not bool(lines.loc[("B", "comm"), "gates_passed"])
    # FCR threshold 0.7: A (0.8) and S (0.7) reach it, B (0.6) does not
    assert lines.loc[("S", "fcr"), "amount"] == 500
    assert lines.loc[("B", "fcr"), "amount"] == 0
    # A's cash total 1000 + 300 = 1300 is scaled to the person cap of 900
    a_total = r.people.set_index("staff_id").loc["A", "cash"]
    assert a_total == pytest.approx(900, abs=0.02)
    assert not r.within_budget  # 900 + 500 > 1000


def test_tiered_and_competition_by_hand(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    contacts, staff = small
    scheme = parse_scheme(
        {
            "budget_per_period": 5000,
            "components": [
                {
                    "id": "tier",
                    "type": "tiered",
                    "pay": {"agent": 1000, "senior_agent": 1000},
                    "measures": [{"kpi": "csat", "target": 0.8}],
                    "bands": [
                        {"threshold": 0.5, "fraction": 0.25},
                        {"threshold": 0.8, "fraction": 0.75},
                        {"threshold": 0.9, "fraction": 1.0},
                    ],
                },
                {
                    "id": "star",
                    "type": "non_cash",
                    "non_cash_kind": "competition",
                    "top_n": 1,
                    "pay": {"agent": 2000, "senior_agent": 2000},
                    "measures": [{"kpi": "aht_s", "target": 300}],
                },
            ],
        }
    )
    r = compute_payouts(scheme, contacts, staff)
    lines = r.lines.set_index(["staff_id", "component"])["amount"]
    assert lines[("A", "tier")] == 1000  # CSAT 0.9
    assert lines[("S", "tier")] == 750  # 0.8
    assert lines[("B", "tier")] == 250  # 0.5
    # the shortest AHT (A, 300 s) wins: lower is better for AHT
    assert lines[("A", "star")] == 2000 and lines[("S", "star")] == 0 and lines[("B", "star")] == 0
    people = r.people.set_index("staff_id")
    assert people.loc["A", "non_cash"] == 2000 and people.loc["A", "cash"] == 1000


def test_explain_names_every_component_and_gate(small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    contacts, staff = small
    scheme = parse_scheme(json.loads((FIXTURES / "scheme_balanced.json").read_text()))
    r = compute_payouts(scheme, contacts, staff)
    for lang in ("zh-TW", "en"):
        text = "\n".join(explain(r, "B", "2026-01", lang))
        for c in scheme.components:
            assert c.id in text
    en = "\n".join(explain(r, "B", "2026-01", "en"))
    assert "misses 80" in en  # B's QA 70 fails the scorecard's QA gate


def test_scheme_errors_are_all_reported() -> None:
    bad = {
        "budget_per_period": -5,
        "components": [
            {
                "id": "x",
                "type": "scorecard",
                "pay": {"agent": 100},
                "measures": [{"kpi": "qa", "target": 80, "weight": 0.5}],
            },
            {"id": "x", "type": "threshold_bonus", "pay": {"cleaner": 1}, "measures": []},
            {"id": "y", "type": "bogus", "pay": {"agent": 1}},
        ],
    }
    with pytest.raises(SchemeError) as info:
        parse_scheme(bad, "answer.json")
    fields = {p.field for p in info.value.problems}
    assert "budget_per_period" in fields
    assert "components[1].pay.cleaner" in fields
    assert "components[2].type" in fields
    # checks across fields in the same report: the valid component 0 has weights adding up to 0.5
    assert "components[0].measures" in fields
    text = info.value.render("en")
    assert all(line.startswith("answer.json: ") for line in text.splitlines())


def test_scheme_consistency_errors() -> None:
    bad = {
        "budget_per_period": 10,
        "components": [
            {
                "id": "x",
                "type": "scorecard",
                "pay": {"agent": 100},
                "measures": [{"kpi": "qa", "target": 80, "weight": 0.5}],
            },
            {"id": "x", "type": "tiered", "pay": {"agent": 1}, "measures": [{"kpi": "qa", "target": 80}]},
            {"id": "z", "type": "non_cash", "pay": {"agent": 1}, "measures": [{"kpi": "qa", "target": 80}]},
        ],
    }
    with pytest.raises(SchemeError) as info:
        parse_scheme(bad, "s")
    fields = [p.field for p in info.value.problems]
    assert fields == [
        "components[0].measures",
        "components[1].id",
        "components[1].bands",
        "components[2].non_cash_kind",
    ]


# ---------------------------------------------------------------------------------------------- properties


@pytest.fixture(scope="module")
def world_tables() -> tuple[pd.DataFrame, pd.DataFrame, tuple[pd.DataFrame, pd.DataFrame]]:
    from casekit.scenario import build_world, find_spec, load_spec

    w = build_world(load_spec(find_spec("ecommerce-cs")), 5, days=40)
    return w.contacts, w.staff, period_kpis(w.contacts, w.staff)


kpis_st = st.sampled_from(["qa", "fcr", "csat", "aht_s", "adherence", "conversion"])
targets = {
    "qa": (70.0, 95.0),
    "fcr": (0.5, 0.9),
    "csat": (0.5, 0.95),
    "aht_s": (200.0, 450.0),
    "adherence": (0.7, 0.95),
    "conversion": (0.02, 0.15),
}


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, object]:
    kpi = draw(kpis_st)
    lo, hi = targets[kpi]
    target = draw(st.floats(lo, hi))
    pay = draw(st.floats(0, 10000))
    kind = draw(st.sampled_from(["scorecard", "threshold_bonus", "commission"]))
    comp: dict[str, object] = {"id": "c", "type": kind, "pay": {"agent": pay, "senior_agent": pay * 1.5}}
    if kind != "commission":
        comp["measures"] = [{"kpi": kpi, "target": target}]
    if draw(st.booleans()):
        comp["gates"] = [{"kpi": "qa", "threshold": draw(st.floats(60, 95))}]
    if draw(st.booleans()):
        comp["cap"] = draw(st.floats(1, 20000))
    cap = draw(st.one_of(st.none(), st.floats(1, 20000)))
    return {"budget_per_period": 1e6, "cap_per_person": cap, "components": [comp]}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=schemes())
def test_payouts_never_negative_and_caps_hold(world_tables, data) -> None:  # type: ignore[no-untyped-def]
    contacts, staff, kt = world_tables
    scheme = parse_scheme(data)
    r = compute_payouts(scheme, contacts, staff, kpi_tables=kt)
    assert (r.lines["amount"] >= 0).all()
    comp = scheme.components[0]
    if comp.cap is not None:
        assert (r.lines["amount"] <= comp.cap + 0.01).all()
    if scheme.cap_per_person is not None:
        assert (r.people["cash"] <= scheme.cap_per_person + 0.05).all()
    assert r.total_cost == pytest.approx(r.lines["amount"].sum(), abs=0.5)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kpi=kpis_st, frac=st.floats(0.0, 1.0), pay=st.floats(100, 5000))
def test_scorecard_monotonic_in_achievement(world_tables, kpi, frac, pay) -> None:  # type: ignore[no-untyped-def]
    """A lower target (higher for AHT) is easier to reach: nobody is paid less for it."""
    contacts, staff, kt = world_tables
    lo, hi = targets[kpi]
    hard, easy = (hi, lo + frac * (hi - lo)) if kpi != "aht_s" else (lo, lo + frac * (hi - lo))
    amounts = []
    for target in (hard, easy):
        scheme = parse_scheme(
            {
                "budget_per_period": 1e6,
                "components": [
                    {
                        "id": "c",
                        "type": "scorecard",
                        "pay": {"agent": pay},
                        "measures": [{"kpi": kpi, "target": target}],
                    }
                ],
            }
        )
        amounts.append(compute_payouts(scheme, contacts, staff, kpi_tables=kt).lines["amount"].to_numpy())
    assert (amounts[1] >= amounts[0] - 0.01).all()


def test_precomputed_kpis_give_the_same_result(world_tables) -> None:  # type: ignore[no-untyped-def]
    contacts, staff, kt = world_tables
    scheme = parse_scheme(json.loads((FIXTURES / "scheme_balanced.json").read_text()))
    a = compute_payouts(scheme, contacts, staff)
    b = compute_payouts(scheme, contacts, staff, kpi_tables=kt)
    pd.testing.assert_frame_equal(a.lines, b.lines)
    pd.testing.assert_frame_equal(a.evidence, b.evidence)
