"""T1 retention plan (N4) and its six simulated months, and succession readiness for team leaders (K8)."""

from __future__ import annotations

from typing import Any, get_args

import numpy as np
import pytest
from pydantic import ValidationError

from casekit.cases.t1_recruitment import retention as rt
from casekit.cases.t1_recruitment import succession as su
from casekit.cases.t1_recruitment.turnover import Driver, turnover_cost
from casekit.scenario import World, world_for
from casekit.scenario.catalogs import EXIT_FACTORS, load_roles

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")


@pytest.fixture(scope="module", params=ORGS)
def world(request: pytest.FixtureRequest) -> World:
    return world_for(request.param, 7)


def _drivers(world: World) -> list[dict[str, str]]:
    drivers = list(world.truth.get("turnover_drivers", [])) if hasattr(world, "truth") else []
    if not drivers:
        pytest.skip("world.truth has no turnover_drivers yet (helper C's world change has not landed)")
    return drivers


def action(factor: str, scope: str, cost: int = 30_000, **extra: Any) -> rt.RetentionAction:
    fields = {"description": "-", "owner": "HR", "measure": "leavers a month", "expected_reduction": 0.4}
    return rt.RetentionAction(factor=factor, scope=scope, cost_per_month=cost, **(fields | extra))


def _wrong(world: World, driver: dict[str, str]) -> str:
    """A factor that drives nothing in ``driver``'s scope."""
    true = {d["factor"] for d in _drivers(world) if d["scope"] == driver["scope"]}
    return next(f for f in ("better_pay", "no_training", "recognition_reward") if f not in true)


# ------------------------------------------------------------------------------------------------ the actions
def test_action_model() -> None:
    assert get_args(rt.Factor) == EXIT_FACTORS
    ok = action("stress", "shift:late")
    assert ok.scope == "shift:late"
    for scope in ("all", "team:T03", "shift:night"):
        assert action("leadership", scope).scope == scope
    bad: list[dict[str, Any]] = [
        {"factor": "morale"},
        {"scope": "everyone"},
        {"scope": "shift:weekend"},
        {"scope": "team:"},
        {"cost_per_month": -1},
        {"expected_reduction": 1.5},
        {"description": "x" * 2001},
        {"owner": "x" * 201},
        {"measure": "x" * 501},
        {"budget": 10},
    ]
    base = ok.model_dump()
    for change in bad:
        with pytest.raises(ValidationError):
            rt.RetentionAction.model_validate(base | change)
    with pytest.raises(ValidationError):
        ok.scope = "all"  # type: ignore[misc]


def test_action_problems_name_what_exists(world: World) -> None:
    teams = sorted(set(world.staff["team"]))
    shifts = set(world.staff["shift"])
    missing_shift = next(s for s in ("night", "early", "late") if s not in shifts) if len(shifts) < 4 else None
    actions = [action("stress", "all"), action("leadership", f"team:{teams[0]}"), action("leadership", "team:T99")]
    if missing_shift:
        actions.append(action("stress", f"shift:{missing_shift}"))
    problems = rt.action_problems(actions, world, "retention")
    assert [p.field for p in problems] == ["2.scope"] + (["3.scope"] if missing_shift else [])
    assert problems[0].expected == "t1turnover.scope_team" and problems[0].got == "T99"
    for lang in ("en", "zh-TW"):
        text = problems[0].render(lang)
        assert "T99" in text and teams[0] in text and "t1turnover." not in text
    if missing_shift:
        assert problems[1].expected == "t1turnover.scope_shift" and missing_shift not in problems[1].params["allowed"]
    assert rt.action_problems(actions[:2], world, "retention") == []


def test_addresses_driver() -> None:
    drivers = [{"factor": "leadership", "scope": "team:T03"}, {"factor": "stress", "scope": "shift:late"}]
    assert rt.addresses_driver(action("leadership", "team:T03"), drivers)
    assert rt.addresses_driver(action("stress", "all"), drivers)
    assert not rt.addresses_driver(action("stress", "team:T03"), drivers)
    assert not rt.addresses_driver(action("better_pay", "team:T03"), drivers)
    assert not rt.addresses_driver(action("leadership", "team:T03"), [])
    found = [Driver("stress", "shift:late", 8, 12, 0.67, 0.15, 4.5, 6.2, 0.0001)]
    assert rt.addresses_driver(action("stress", "shift:late"), found)


# ------------------------------------------------------------------------------------------------- simulation
def test_an_empty_plan_avoids_nothing(world: World) -> None:
    review = rt.simulate_retention(world, [])
    assert review.avoided == 0 and review.cost == 0 and review.cost_per_avoided is None
    assert review.baseline_leavers == review.plan_leavers > 0
    assert len(review.monthly) == 6 and review.by_action.empty
    # the baseline keeps the spec's turnover: six months of the annual rate, roughly
    expected = len(world.staff) * (1 - (1 - world.spec.turnover.annual_rate) ** 0.5)
    assert review.baseline_leavers == pytest.approx(expected, rel=0.15)


def test_the_simulation_is_deterministic(world: World) -> None:
    plan = [action(d["factor"], d["scope"]) for d in _drivers(world)]
    one, two = rt.simulate_retention(world, plan), rt.simulate_retention(world, plan)
    assert one.avoided == two.avoided and one.monthly.equals(two.monthly) and one.by_action.equals(two.by_action)
    # the same draws whatever the plan: the baseline never moves
    assert rt.simulate_retention(world, [action("better_pay", "all")]).baseline_leavers == one.baseline_leavers


def test_acting_on_the_true_drivers_beats_the_same_money_elsewhere(world: World) -> None:
    drivers = _drivers(world)
    right = rt.simulate_retention(world, [action(d["factor"], d["scope"]) for d in drivers])
    wrong_factor = rt.simulate_retention(world, [action(_wrong(world, d), d["scope"]) for d in drivers])
    generic = rt.simulate_retention(world, [action("better_pay", "all", 60_000), action("no_training", "all", 60_000)])
    assert right.cost == wrong_factor.cost == 6 * 60_000
    assert right.avoided > 0.5
    assert right.avoided > 5 * wrong_factor.avoided
    assert right.avoided > 5 * generic.avoided
    assert bool(right.by_action["on_driver"].all()) and not bool(generic.by_action["on_driver"].any())
    for d in drivers:  # each true-driver action on its own beats the wrong factor in the same scope
        alone = rt.simulate_retention(world, [action(d["factor"], d["scope"])]).avoided
        assert alone > 3 * rt.simulate_retention(world, [action(_wrong(world, d), d["scope"])]).avoided


def test_everybody_dilutes_and_money_buys_the_effect(world: World) -> None:
    d = _drivers(world)[1]
    targeted = rt.simulate_retention(world, [action(d["factor"], d["scope"], 100_000)]).avoided
    everybody = rt.simulate_retention(world, [action(d["factor"], "all", 100_000)]).avoided
    assert 0 < everybody < targeted
    assert rt.simulate_retention(world, [action(d["factor"], d["scope"], 0)]).avoided == 0
    cheap = rt.simulate_retention(world, [action(d["factor"], d["scope"], 1_000)]).avoided
    assert 0 < cheap < targeted
    # piling actions on one driver is capped
    once = rt.simulate_retention(world, [action(d["factor"], d["scope"], 1_000_000)]).avoided
    piled = rt.simulate_retention(world, [action(d["factor"], d["scope"], 1_000_000)] * 5).avoided
    assert once < piled <= once * rt.MAX_CUT / rt.TARGETED_CUT * 1.05


def test_review_figures_add_up(world: World) -> None:
    drivers = _drivers(world)
    plan = [action(d["factor"], d["scope"], 25_000 + 5_000 * i) for i, d in enumerate(drivers)]
    plan.append(action("physical_environment", "all", 10_000))
    review = rt.simulate_retention(world, plan)
    assert review.months == 6 and review.replications == rt.REPLICATIONS
    assert review.monthly["avoided"].sum() == pytest.approx(review.avoided)
    assert review.baseline_leavers - review.plan_leavers == pytest.approx(review.avoided)
    assert review.avoided_low <= review.avoided <= review.avoided_high
    assert review.cost == sum(a.cost_per_month for a in plan) * 6
    assert review.cost_per_avoided == pytest.approx(review.cost / review.avoided)
    assert review.cost_per_leaver == pytest.approx(turnover_cost(world).per_leaver)
    assert review.net_saving == pytest.approx(review.avoided * review.cost_per_leaver - review.cost)
    teams = review.by_scope[review.by_scope["scope"].str.startswith("team:")]
    shifts = review.by_scope[review.by_scope["scope"].str.startswith("shift:")]
    for part in (teams, shifts):
        assert part["staff"].sum() == len(world.staff)
        assert part["avoided"].sum() == pytest.approx(review.avoided)
    assert list(review.by_action["action"]) == [0, 1, 2]
    assert list(review.by_action["on_driver"]) == [True, True, False]
    assert (review.by_action["avoided"] >= 0).all()
    assert review.by_action["avoided"].iloc[:2].min() > review.by_action["avoided"].iloc[2]
    for d in drivers:  # most is avoided where the driver is
        part = teams if d["scope"].startswith("team:") else shifts
        assert part.set_index("scope")["avoided"].idxmax() == d["scope"]


def test_driver_ratio_reads_the_leavers(world: World) -> None:
    for d in _drivers(world):
        ratio = rt.driver_ratio(world, d["factor"], d["scope"])
        assert rt.DRIVER_RATIO[0] <= ratio <= rt.DRIVER_RATIO[1]
        assert ratio > rt.DRIVER_RATIO[0]  # the seeded drivers show well above the floor


# -------------------------------------------------------------------------------------------------- succession
def test_succession_readiness(world: World) -> None:
    table = su.succession_readiness(world)
    frontline = world.staff[world.staff["role"].isin(su.FRONTLINE)]
    assert set(table["staff_id"]) == set(frontline["staff_id"])
    for col in ("staff_id", "name", "team", "role", "gap", "performance", "readiness"):
        assert col in table.columns
    assert table["performance"].between(0, 100).all() and (table["gap"] >= 0).all()
    required = next(r for r in load_roles() if r.id == "team_leader").required_skills
    person = str(table.iloc[len(table) // 2]["staff_id"])
    levels = world.skills[world.skills["staff_id"] == person].set_index("skill_id")["proficiency"]
    gap = sum(max(0, need - int(levels.get(skill, 0))) for skill, need in required.items())
    assert int(table.set_index("staff_id").loc[person, "gap"]) == gap
    for _, row in table.iterrows():
        now = row["gap"] <= su.READY_NOW_GAP and row["performance"] >= su.READY_NOW_PERCENTILE
        now = now and row["tenure_months"] >= su.READY_NOW_TENURE_MONTHS - 0.1
        later = row["gap"] <= su.READY_LATER_GAP and row["performance"] >= su.READY_LATER_PERCENTILE
        expected = "ready_now" if now else ("ready_later" if later else "not_ready")
        assert row["readiness"] == expected or abs(row["tenure_months"] - su.READY_NOW_TENURE_MONTHS) < 0.1
    assert (table["readiness"] == "ready_now").sum() >= 1
    ranks = table["readiness"].map({"ready_now": 2, "ready_later": 1, "not_ready": 0}).to_numpy()
    assert (np.diff(ranks) <= 0).all()


def test_team_leaders(world: World) -> None:
    leaders = su.team_leaders(world)
    expected = world.staff[world.staff["role"] == "team_leader"]
    assert list(leaders["staff_id"]) == list(expected["staff_id"])
    assert leaders["team"].is_unique
    ready = su.succession_readiness(world)
    assert (
        leaders["ready_now"].sum() == ((ready["readiness"] == "ready_now") & ready["team"].isin(leaders["team"])).sum()
    )


def test_assess_successors(world: World) -> None:
    leaders = su.team_leaders(world)
    table = su.succession_readiness(world)
    leader, team = str(leaders.iloc[0]["staff_id"]), str(leaders.iloc[0]["team"])
    now = str(table[table["readiness"] == "ready_now"].iloc[0]["staff_id"])
    weak = str(table[table["readiness"] == "not_ready"].iloc[0]["staff_id"])
    nominations = {
        leader: [(now, "ready_now"), (now, "ready_later"), (weak, "ready_now")],
        "E9999": [(now, "ready_now")],
        str(leaders.iloc[-1]["staff_id"]): [("E0000", "ready_later"), (now, "soon")],
    }
    result = su.assess_successors(world, nominations)
    assert list(result["holds"]) == [True, True, False, False, False, False]
    assert list(result["readiness"].iloc[:3]) == ["ready_now", "ready_now", "not_ready"]
    assert list(result["problem"]) == [
        "",
        "",
        "",
        "t1turnover.unknown_leader",
        "t1turnover.unknown_successor",
        "t1turnover.bad_readiness",
    ]
    assert bool(result["same_team"].iloc[0]) == (table.set_index("staff_id").loc[now, "team"] == team)
    problems = su.nomination_problems(world, nominations, "successors")
    assert [p.field for p in problems] == [
        "E9999.0.team_leader",
        f"{leaders.iloc[-1]['staff_id']}.0.staff_id",
        f"{leaders.iloc[-1]['staff_id']}.1.readiness",
    ]
    for lang in ("en", "zh-TW"):
        assert all("t1turnover." not in p.render(lang) for p in problems)
    assert su.nomination_problems(world, {leader: [(now, "ready_now")]}, "successors") == []
