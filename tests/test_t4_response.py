"""How simulated staff respond to an incentive scheme, and the effectiveness review of the scheme (P4.3)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.cases.t4_incentives import Scheme, parse_scheme
from casekit.cases.t4_incentives.response import LATENT_OF, baseline_window, response_plan, simulate_response
from casekit.cases.t4_incentives.review import REVIEW_KPIS, review_effectiveness
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS
from casekit.errors import UsageError
from casekit.i18n import catalog
from casekit.kpi import kpis
from casekit.scenario.spec import find_spec, load_spec
from casekit.scenario.world import World, build_world

FIXTURES = Path(__file__).parent / "fixtures"
PAY = {"agent": 3000.0, "senior_agent": 3000.0}


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_spec(find_spec("telecom-support")), 11, staff=120, days=60)


def _scheme(*components: dict[str, Any], budget: float = 400000, name: str = "") -> Scheme:
    return parse_scheme({"name": name, "budget_per_period": budget, "components": list(components)})


def _aht_only(pay: float = 3000) -> Scheme:
    card = {"id": "speed", "type": "scorecard", "pay": {"agent": pay, "senior_agent": pay}}
    return _scheme({**card, "measures": [{"kpi": "aht_s", "target": 300}]}, name="aht only")


def _balanced(budget: float = 400000, pay: float = 3000) -> Scheme:
    measures = [
        {"kpi": "qa", "target": 85, "weight": 0.4},
        {"kpi": "fcr", "target": 0.7, "weight": 0.3},
        {"kpi": "aht_s", "target": 300, "weight": 0.3},
    ]
    card = {"id": "card", "type": "scorecard", "pay": {"agent": pay, "senior_agent": pay}, "measures": measures}
    return _scheme({**card, "gates": [{"kpi": "qa", "threshold": 70}]}, budget=budget, name="balanced")


def _overall(contacts: pd.DataFrame) -> pd.Series:
    return kpis(contacts.assign(_all=1), "_all").iloc[0]


@pytest.fixture(scope="module")
def baseline(world: World) -> pd.Series:
    return _overall(baseline_window(world.tables["contacts"]))


# --- the simulated contacts ------------------------------------------------------------------------------------


def test_same_world_and_scheme_give_the_same_frame(world: World) -> None:
    first = simulate_response(world, _balanced())
    again = simulate_response(world, parse_scheme(_balanced().model_dump()))
    pd.testing.assert_frame_equal(first, again)


def test_another_scheme_gives_another_frame(world: World) -> None:
    first = simulate_response(world, _balanced())
    assert not first.equals(simulate_response(world, _balanced(pay=4000)))
    assert not first.equals(simulate_response(world, _balanced(budget=500000)))  # the stream follows the scheme


def test_schema_and_period_follow_the_world(world: World) -> None:
    contacts = world.tables["contacts"]
    sim = simulate_response(world, _balanced())
    assert list(sim.columns) == list(contacts.columns)
    assert sim.dtypes.equals(contacts.dtypes)
    assert sorted(sim["date"].str.slice(0, 7).unique()) == ["2026-05", "2026-06", "2026-07"]  # world ends 04-02
    assert sim["date"].min() == "2026-05-01" and sim["date"].max() == "2026-07-31"
    assert set(sim["staff_id"]) <= set(contacts["staff_id"])
    assert sim.equals(sim.sort_values(["date", "staff_id"], kind="stable").reset_index(drop=True))
    assert (sim["qa_score"].notna() == (sim["qa_evals"] > 0)).all()
    assert (sim["fcr_resolved"] <= sim["handled"]).all() and (sim["sales"] <= sim["sales_eligible"]).all()
    assert (sim["csat_satisfied"] <= sim["csat_surveys"]).all() and (sim["logged_in_s"] >= 0).all()
    # each person works on five weekdays, as in the world
    days = sim.assign(wd=pd.to_datetime(sim["date"]).dt.day_of_week).groupby("staff_id")["wd"].nunique()
    assert (days == 5).all()
    one = simulate_response(world, _balanced(), months=1)
    assert set(one["date"].str.slice(0, 7)) == {"2026-05"}
    with pytest.raises(UsageError):
        simulate_response(world, _balanced(), months=0)


def test_a_tiny_scheme_reproduces_the_baseline(world: World, baseline: pd.Series) -> None:
    tiny = _scheme({"id": "x", "type": "scorecard", "pay": {"agent": 1}, "measures": [{"kpi": "qa", "target": 90}]})
    sim = _overall(simulate_response(world, tiny))
    for kpi in REVIEW_KPIS:
        assert sim[kpi] == pytest.approx(baseline[kpi], rel=0.03), kpi


# --- gaming, balance, bunching ---------------------------------------------------------------------------------


def test_paying_handle_time_alone_rushes_calls(world: World, baseline: pd.Series) -> None:
    scheme = _aht_only()
    sim = simulate_response(world, scheme)
    after = _overall(sim)
    assert after["aht_s"] < baseline["aht_s"] * 0.95
    assert after["fcr"] < baseline["fcr"] - 0.01
    assert after["qa"] < baseline["qa"] - 1.0
    assert after["csat"] < baseline["csat"]
    review = review_effectiveness(world, scheme, sim)
    assert review.gaming["flagged"] is True
    assert review.gaming["repeat_rate_scheme"] > review.gaming["repeat_rate_baseline"]
    keys = [f.key for f in review.notes]
    assert "t4review.gaming_aht" in keys and "t4review.no_gaming" not in keys
    assert "t4review.unpaid_worse" in keys


def test_a_balanced_scheme_improves_quality_without_gaming(world: World, baseline: pd.Series) -> None:
    review = review_effectiveness(world, _balanced())
    assert review.gaming["flagged"] is False
    assert "t4review.no_gaming" in [f.key for f in review.notes]
    table = review.kpis.set_index("kpi")
    assert table.at["qa", "scheme"] > baseline["qa"] + 0.5
    assert table.at["qa", "change"] > 0 and table.at["aht_s", "change"] > 0 and table.at["fcr", "change"] > 0
    assert bool(table.at["qa", "paid"]) and bool(table.at["qa", "gated"]) and not bool(table.at["csat", "paid"])
    staff = world.tables["staff"]
    handling_teams = set(staff.loc[staff["staff_id"].isin(world.tables["contacts"]["staff_id"]), "team"])
    assert set(review.teams["team"]) == handling_teams
    assert len(review.teams) == len(handling_teams) * len(REVIEW_KPIS)


def test_a_commission_without_a_qa_gate_sells_more_and_lowers_quality(world: World, baseline: pd.Series) -> None:
    scheme = _scheme({"id": "comm", "type": "commission", "pay": {"agent": 80, "senior_agent": 80}})
    review = review_effectiveness(world, scheme)
    table = review.kpis.set_index("kpi")
    assert table.at["conversion", "change"] > 0.03 and table.at["qa", "delta"] < -0.5
    assert "t4review.gaming_sales" in [f.key for f in review.notes]


def test_a_threshold_near_the_median_bunches_people_just_above_it(world: World) -> None:
    person = kpis(baseline_window(world.tables["contacts"]))
    target = round(float(person["qa"].median()), 1)
    bonus = {"id": "qa_bonus", "type": "threshold_bonus", "pay": {"agent": 2000, "senior_agent": 2000}}
    scheme = _scheme({**bonus, "measures": [{"kpi": "qa", "target": target}]})
    plan = response_plan(world, scheme)
    assert plan["bunching"].any()
    review = review_effectiveness(world, scheme)
    row = review.bunching.set_index("component").loc["qa_bonus"]
    assert row["threshold"] == target and row["kind"] == "threshold"
    assert row["scheme_above"] > row["baseline_above"] + 0.05
    assert row["scheme_ratio"] > row["baseline_ratio"] and bool(row["flagged"])
    assert "t4review.bunching" in [f.key for f in review.notes]


# --- cost ------------------------------------------------------------------------------------------------------


def test_budget_variance(world: World) -> None:
    sim = simulate_response(world, _balanced())
    generous = review_effectiveness(world, _balanced(budget=20000), sim)
    assert generous.cost["within_budget"] is False and generous.cost["variance"] > 0
    assert generous.cost["budget"] == 20000 * 3 and generous.months == 3
    assert "t4review.over_budget" in [f.key for f in generous.notes]
    small = review_effectiveness(world, _balanced(budget=2_000_000), sim)
    assert small.cost["within_budget"] is True and small.cost["variance"] < 0
    assert "t4review.within_budget" in [f.key for f in small.notes]
    assert small.cost["total"] == pytest.approx(float(small.cost_periods["total"].sum()))


def test_cost_per_unit_of_improvement(world: World) -> None:
    review = review_effectiveness(world, _balanced())
    units = review.cost_per_unit.set_index("kpi")
    assert set(units.index) == {"qa", "fcr", "aht_s"}
    assert units["cost"].sum() == pytest.approx(review.cost["total"], rel=1e-6)  # one scorecard, split by weight
    for kpi, row in units.iterrows():
        if row["improvement"] > 0:
            assert row["cost_per_unit"] > 0, kpi
            assert row["cost_per_unit"] == pytest.approx(row["cost"] / row["improvement"])
    assert units.at["qa", "unit"] == "pt" and units.at["fcr", "unit"] == "pp" and units.at["aht_s", "unit"] == "s"
    # a period in which the paid KPI got worse: no cost per unit
    qa_paid = _scheme({"id": "q", "type": "scorecard", "pay": PAY, "measures": [{"kpi": "qa", "target": 85}]})
    worse = review_effectiveness(world, qa_paid, simulate_response(world, _aht_only()))
    row = worse.cost_per_unit.set_index("kpi").loc["qa"]
    assert row["improvement"] < 0 and (row["cost_per_unit"] is None or math.isnan(row["cost_per_unit"]))
    assert "t4review.not_improved" in [f.key for f in worse.notes]


def test_review_is_json_and_renders_in_both_languages(world: World) -> None:
    review = review_effectiveness(world, parse_scheme(json.loads((FIXTURES / "scheme_balanced.json").read_text())))
    data = json.loads(json.dumps(review.to_dict(), allow_nan=False))
    assert data["months"] == 3 and len(data["kpis"]) == len(REVIEW_KPIS)
    assert {f["key"] for f in data["notes"]} <= set(catalog("en")) & set(catalog("zh-TW"))
    zh, en = review.render("zh-TW"), review.render("en")
    assert len(zh) == len(en) == len(review.notes) > 0
    assert zh != en and all("{" not in line and "t4review." not in line for line in zh + en)


# --- properties ------------------------------------------------------------------------------------------------

KPI_CHOICES = ("aht_s", "adherence", "fcr", "csat", "qa", "conversion", "contacts_per_hour")


@st.composite
def schemes(draw: st.DrawFn, gated: bool = False) -> dict[str, Any]:
    """Schemes without caps of scorecards, threshold bonuses, tiers and commissions on the main KPIs."""
    components = []
    for i in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["scorecard", "threshold_bonus", "tiered", "commission"]))
        pay = draw(st.floats(200, 5000))
        comp: dict[str, Any] = {"id": f"c{i}", "type": kind, "pay": {"agent": pay, "senior_agent": pay}}
        level = draw(st.floats(0.9, 1.1))
        if kind == "commission":
            comp["pay"] = {"agent": pay / 50, "senior_agent": pay / 50}
        elif kind == "scorecard":
            chosen = draw(st.lists(st.sampled_from(KPI_CHOICES), min_size=1, max_size=3, unique=True))
            comp["measures"] = [{"kpi": k, "target": _target(k, level), "weight": 1 / len(chosen)} for k in chosen]
        else:
            k = draw(st.sampled_from(KPI_CHOICES))
            comp["measures"] = [{"kpi": k, "target": _target(k, level)}]
            if kind == "tiered":
                easier = _target(k, level * (0.95 if KPI_DIRECTIONS[k] > 0 else 1.05))
                comp["bands"] = [
                    {"threshold": easier, "fraction": 0.5},
                    {"threshold": _target(k, level), "fraction": 1},
                ]
        if gated:
            # a gate near the centre's QA (about 81), so that it binds: a token gate far below it would not
            comp["gates"] = [{"kpi": "qa", "threshold": draw(st.floats(85, 95))}]
        components.append(comp)
    return {"budget_per_period": 500000, "components": components}


CENTRE = {"aht_s": 325.0, "adherence": 0.79, "fcr": 0.68, "csat": 0.75, "qa": 81.0, "conversion": 0.11}
CENTRE["contacts_per_hour"] = 9.9


def _target(kpi: str, level: float) -> float:
    value = CENTRE[kpi] * (level if KPI_DIRECTIONS[kpi] > 0 else 1 / level)
    return round(min(value, 0.99) if CENTRE[kpi] < 1 else value, 4)


def _scaled(data: dict[str, Any], factor: float) -> dict[str, Any]:
    out = json.loads(json.dumps(data))
    out["components"][0]["pay"] = {k: v * factor for k, v in out["components"][0]["pay"].items()}
    return out


def _latents_of(component: dict[str, Any]) -> set[str]:
    if component["type"] == "commission":
        return {"conv"}
    return {LATENT_OF[m["kpi"]] for m in component.get("measures", [])}


def _gain(plan: pd.DataFrame, latent: str) -> float:
    sign = -1.0 if latent == "aht" else 1.0
    return float((sign * (plan[latent] - plan[f"{latent}_0"])).mean())


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=schemes(), factor=st.floats(1.0, 4.0))
def test_paying_more_for_a_kpi_never_lowers_its_planned_improvement(
    world: World, data: dict[str, Any], factor: float
) -> None:
    plan = response_plan(world, parse_scheme(data))
    richer = response_plan(world, parse_scheme(_scaled(data, factor)))
    for latent in _latents_of(data["components"][0]):
        assert _gain(richer, latent) >= _gain(plan, latent) - 1e-9, latent


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=schemes(gated=True))
def test_with_quality_gates_no_paid_kpi_gets_worse_beyond_noise(
    world: World, baseline: pd.Series, data: dict[str, Any]
) -> None:
    scheme = parse_scheme(data)
    plan = response_plan(world, scheme)
    binds = plan[[f"quality_binds_{i}" for i in range(len(scheme.components))]].any(axis=1)
    assert not (plan["gaming"] & binds).any()  # nobody a gate can cut rushes
    sim = simulate_response(world, scheme)
    after = _overall(sim)
    paid = {m.kpi for c in scheme.components if c.type != "commission" for m in c.measures}
    paid |= {"conversion"} if any(c.type == "commission" for c in scheme.components) else set()
    for kpi in paid | {"qa"}:
        change = KPI_DIRECTIONS[kpi] * (after[kpi] - baseline[kpi]) / baseline[kpi]
        assert change > -(0.01 + 3 * _relative_se(kpi, sim)), (kpi, change)


def _relative_se(kpi: str, sim: pd.DataFrame) -> float:
    """Sampling noise of the simulated centre-wide KPI, relative to its value (rates: binomial)."""
    counts = {"conversion": ("sales", "sales_eligible"), "csat": ("csat_satisfied", "csat_surveys")}
    counts["fcr"] = ("fcr_resolved", "handled")
    if kpi in counts:
        hits, n = (float(sim[c].sum()) for c in counts[kpi])
        p = hits / n
        return math.sqrt(p * (1 - p) / n) / p
    if kpi == "qa":
        scores = sim["qa_score"].dropna()
        return float(scores.std() / math.sqrt(len(scores)) / scores.mean())
    return 0.0


def test_plan_is_finite(world: World) -> None:
    # speed is measured by benchmarks/, never asserted in a test
    scheme = parse_scheme(json.loads((FIXTURES / "scheme_balanced.json").read_text()))
    simulate_response(world, scheme)
    assert np.isfinite(response_plan(world, scheme).select_dtypes("number").to_numpy()).all()
