"""T1 turnover analysis (P1.2, N4): headcount, DOL separation rates, annualising, early-tenure attrition, exit
cross-tabs, the drivers found against the drivers the world seeded, and the cost of a leaver."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from casekit.cases.t1_recruitment import turnover as tv
from casekit.scenario import World, world_for
from casekit.scenario.catalogs import EXIT_FACTORS

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")
#: FACTS.md: the cost of a replaced agent is often quoted as 60-70% of a year's pay.
FACTS_COST_SHARE = (0.6, 0.7)


@pytest.fixture(scope="module", params=ORGS)
def world(request: pytest.FixtureRequest) -> World:
    return world_for(request.param, 7)


def _truth(world: World) -> set[tuple[str, str]]:
    drivers = world.truth.get("turnover_drivers") if hasattr(world, "truth") else None
    if not drivers:
        pytest.skip("world.truth has no turnover_drivers yet (helper C's world change has not landed)")
    return {(d["factor"], d["scope"]) for d in drivers}


def _count_on(world: World, day: dt.date) -> int:
    """Headcount on ``day`` the slow way: every person, one by one."""
    n = sum(dt.date.fromisoformat(h) <= day for h in world.staff["hire_date"])
    for hired, left in zip(world.leavers["hire_date"], world.leavers["leave_date"], strict=True):
        n += dt.date.fromisoformat(hired) <= day < dt.date.fromisoformat(left)
    return n


# ------------------------------------------------------------------------------------------------- headcount
def test_history_window_holds_every_leave_date(world: World) -> None:
    first, last = tv.history_window(world)
    assert last == world.spec.start_date - dt.timedelta(days=1)
    assert (last - first).days + 1 == world.spec.turnover.history_days
    dates = world.leavers["leave_date"].map(dt.date.fromisoformat)
    assert dates.min() >= first and dates.max() <= last


def test_headcount_is_reconstructed_person_by_person(world: World) -> None:
    heads = tv.headcount_by_month(world)
    assert list(heads.columns) == ["month", "start", "end", "mid", "average"]
    for _, row in heads.iloc[[0, len(heads) // 2, -1]].iterrows():
        first = dt.date.fromisoformat(f"{row['month']}-01")
        assert row["start"] == _count_on(world, first)
        assert row["mid"] == _count_on(world, first.replace(day=15))
        assert row["average"] == (row["start"] + row["end"]) / 2
    # on the window's last day only the current staff are left
    assert _count_on(world, tv.history_window(world)[1]) == len(world.staff)


def test_separation_rates_are_dol_rates_over_the_full_months(world: World) -> None:
    rates = tv.separation_rates(world)
    first = tv.history_window(world)[0]
    assert len(rates) == 11  # a 365-day window not starting on the 1st holds eleven whole months
    months = [dt.date.fromisoformat(f"{m}-01") for m in rates["month"]]
    assert months[0] >= first and months[0] - first < dt.timedelta(days=31)
    month = world.leavers["leave_date"].str.slice(0, 7)
    assert rates["leavers"].sum() == month.isin(rates["month"]).sum()
    assert (rates["voluntary"] + rates["involuntary"] == rates["leavers"]).all()
    assert np.allclose(rates["rate"], rates["leavers"] / rates["headcount_mid"])
    assert np.allclose(rates["rate"], rates["voluntary_rate"] + rates["involuntary_rate"])
    assert rates.loc[0, "headcount_mid"] == tv.headcount_by_month(world).loc[0, "mid"]


def test_annualised_compound_and_sum() -> None:
    twelve = pd.Series([0.02] * 12)
    assert tv.annualised(twelve, "sum") == pytest.approx(0.24)
    assert tv.annualised(twelve, "compound") == pytest.approx(1 - 0.98**12)
    assert tv.annualised(twelve) == tv.annualised(twelve, "compound")
    # eleven months are scaled to twelve
    assert tv.annualised([0.02] * 11, "sum") == pytest.approx(0.24)
    assert tv.annualised([0.02] * 11, "compound") == pytest.approx(1 - 0.98**12)
    assert tv.annualised([], "sum") == 0.0
    with pytest.raises(ValueError):
        tv.annualised(twelve, "mean")


def test_annual_rates_match_the_spec(world: World) -> None:
    rate = world.spec.turnover.annual_rate
    annual = tv.annualised(tv.separation_rates(world)["rate"], "sum")
    assert abs(tv.period_rate(world) - rate) < 0.08
    assert abs(annual - rate) < 0.12
    assert tv.annualised(tv.separation_rates(world)["rate"], "compound") < annual


# ------------------------------------------------------------------------------------------------ early tenure
def test_early_tenure_cohort(world: World) -> None:
    early = tv.early_tenure_attrition(world)
    first, last = tv.history_window(world)
    assert early.days == 90 and early.cohort_first == first and early.cohort_last == last - dt.timedelta(days=90)
    hired = pd.concat([world.staff["hire_date"], world.leavers["hire_date"]]).map(dt.date.fromisoformat)
    assert early.hires == int(((hired >= first) & (hired <= early.cohort_last)).sum())
    leavers = world.leavers
    in_cohort = leavers["hire_date"].map(dt.date.fromisoformat).between(first, early.cohort_last)
    assert early.early_leavers == int((in_cohort & (leavers["tenure_days"] < 90)).sum())
    assert 0 < early.rate < 1 and early.rate == early.early_leavers / early.hires
    assert tv.early_tenure_attrition(world, days=30).early_leavers <= early.early_leavers


def test_tenure_bands() -> None:
    assert [tv.tenure_band(d) for d in (0, 89, 90, 364, 365, 729, 730, 5000)] == [
        "<90d",
        "<90d",
        "90d-1y",
        "90d-1y",
        "1-2y",
        "1-2y",
        "2y+",
        "2y+",
    ]


# -------------------------------------------------------------------------------------------------- cross-tabs
def test_exit_crosstab_counts_the_voluntary_leavers(world: World) -> None:
    voluntary = world.leavers[world.leavers["leaver_type"] == "voluntary"]
    by_team = tv.exit_crosstab(world)
    assert list(by_team.index) == list(EXIT_FACTORS)
    assert by_team.to_numpy().sum() == len(voluntary)
    assert by_team.loc["leadership"].sum() == (voluntary["exit_factor"] == "leadership").sum()
    by_band = tv.exit_crosstab(world, cols="tenure_band")
    assert list(by_band.columns) == list(tv.TENURE_BANDS)
    by_shift = tv.exit_crosstab(world, cols="shift")
    assert list(by_shift.columns) == [s for s in tv.SHIFTS if s in set(voluntary["shift"])]
    everyone = tv.exit_crosstab(world, cols="shift", voluntary_only=False)
    assert everyone.loc["involuntary"].sum() == (world.leavers["leaver_type"] == "involuntary").sum()
    assert everyone.to_numpy().sum() == len(world.leavers)
    with pytest.raises(ValueError):
        tv.exit_crosstab(world, cols="salary")


# ----------------------------------------------------------------------------------------------------- drivers
def test_drivers_are_what_the_leavers_show(world: World) -> None:
    _truth(world)
    drivers = tv.find_drivers(world)
    assert drivers
    assert len({(d.factor, d.scope) for d in drivers}) == len(drivers)
    for d in drivers:
        assert d.factor in EXIT_FACTORS and d.scope.partition(":")[0] in ("team", "shift")
        assert d.leavers >= tv.MIN_CITING and d.share == pytest.approx(d.leavers / d.scope_leavers)
        assert d.lift >= 2.0 and d.p_value <= 0.05
    # the first driver is the plain figures of the crosstab
    top = drivers[0]
    kind, _, value = top.scope.partition(":")
    table = tv.exit_crosstab(world, cols=kind)
    assert table.loc[top.factor, value] == top.leavers and table[value].sum() == top.scope_leavers
    assert all(d.lift >= 50 for d in tv.find_drivers(world, min_lift=50.0))


def test_the_true_drivers_come_first_over_seeds() -> None:
    """Over ten seeds an organisation, both seeded drivers are among the first three found in at least nine and
    are exactly the first two in at least eight (a small centre sometimes shows a chance cluster as strongly)."""
    for org in ORGS:
        top2 = top3 = 0
        for seed in range(10):
            world = world_for(org, seed)
            truth = _truth(world)
            found = [(d.factor, d.scope) for d in tv.find_drivers(world)]
            top2 += set(found[:2]) == truth
            top3 += truth <= set(found[:3])
        assert top3 >= 9 and top2 >= 8, (org, top2, top3)


def test_a_driver_casts_no_shadow() -> None:
    """The team with the leadership problem makes its leavers' shift look led badly too; that shadow is explained
    by the team and not reported."""
    for org in ORGS:
        for seed in range(4):
            world = world_for(org, seed)
            truth = _truth(world)
            found = {(d.factor, d.scope) for d in tv.find_drivers(world)}
            echoes = {(f, s) for f, s in found if f == "leadership" and s.startswith("shift:")}
            assert not echoes, (org, seed, echoes, truth)


# -------------------------------------------------------------------------------------------------------- cost
def test_turnover_cost_components(world: World) -> None:
    cost = tv.turnover_cost(world)
    assert cost.leavers == len(world.leavers)
    assert set(cost.components) == {"recruitment", "training_wages", "trainer_time", "ramp"}
    assert all(v > 0 for v in cost.components.values())
    assert cost.per_leaver == pytest.approx(sum(cost.components.values()))
    assert cost.total == pytest.approx(cost.per_leaver * cost.leavers)
    pay = tv.role_pay(world)
    agent = pay["agent"]
    assert world.spec.roles["agent"].base_pay.min <= agent <= world.spec.roles["agent"].base_pay.max
    assert tv.ramp_loss_days() == pytest.approx(45 * math.log(1.45))
    flat = tv.turnover_cost(world, recruitment_per_hire=10_000)
    assert flat.components["recruitment"] == pytest.approx(10_000)
    longer = tv.turnover_cost(world, training_weeks=10)
    assert longer.components["training_wages"] > cost.components["training_wages"]


def test_turnover_cost_against_a_years_pay(world: World) -> None:
    """Plausible (20%-100% of a year's base pay), and below the 60-70% FACTS quotes, which counts indirect costs
    (cover while the seat is empty, lost sales, management time) these direct components leave out."""
    cost = tv.turnover_cost(world)
    assert cost.share_of_annual_pay == pytest.approx(cost.per_leaver / cost.annual_pay)
    assert 0.2 <= cost.share_of_annual_pay <= 1.0
    assert cost.share_of_annual_pay < FACTS_COST_SHARE[0]
