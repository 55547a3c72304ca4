"""T2 evaluation: the simulated quarter after a plan (true gaps trained rise, linked KPIs move the right way on
average, people with no gap and people not trained move by noise only, common random numbers), Kirkpatrick's
levels, the Phillips ROI against a hand computation, and the conventions file."""

from __future__ import annotations

import dataclasses
import re
from importlib import resources

import numpy as np
import pandas as pd
import pytest

from casekit.cases.t2_training import audit as au
from casekit.cases.t2_training import evaluation as ev
from casekit.cases.t2_training import schedule as sc
from casekit.cases.t2_training.value import VALUE_FILE, load_training_value, parse_training_value
from casekit.errors import StandardDataError, UsageError
from casekit.scenario import World, world_for

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")


@pytest.fixture(scope="module", params=ORGS)
def world(request: pytest.FixtureRequest) -> World:
    return world_for(request.param, 1)


@pytest.fixture(scope="module")
def big() -> World:
    return world_for("telecom-support", 2)


def _true_gaps(world: World) -> pd.DataFrame:
    """Every person x required skill with its true gap (the audit with everyone reassessed)."""
    return au.audit(world, reassessed=set(world.staff["staff_id"])).gaps


def _offers_for(world: World, skill: str) -> pd.DataFrame:
    offers = world.training
    return offers[offers["skills"].str.split(";").map(lambda s: skill in s)]


def _first_session(world: World, offer_id: str) -> str:
    sessions = world.training_sessions
    return str(sessions.loc[sessions["offer_id"] == offer_id].sort_values("week")["session_id"].iloc[0])


def _plan_for(world: World, skill: str, offer_type: str, *, gap: bool = True) -> list[tuple[str, str]]:
    """Everyone with (or without) a true gap in ``skill`` on the first session of an ``offer_type`` offer covering
    it (seats ignored: the simulation does not enforce them)."""
    gaps = _true_gaps(world)
    rows = gaps[(gaps["skill_id"] == skill) & ((gaps["gap"] > 0) == gap)]
    offers = _offers_for(world, skill)
    offers = offers[offers["offer_type"] == offer_type]
    if offers.empty:
        return []
    session = _first_session(world, str(offers["offer_id"].iloc[0]))
    return [(str(p), session) for p in rows["staff_id"]]


# ---------------------------------------------------------------------------------------------------- levels
def test_the_same_inputs_give_the_same_outcome(world: World) -> None:
    rows = _plan_for(world, "crm_system", "e_learning")
    found = au.audit(world)
    one, two = ev.simulate_training(world, found, rows), ev.simulate_training(world, found, rows)
    for name in ("levels_after", "gains", "months", "reaction"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(two, name))
    # the outcome does not depend on how the audit handled the data problems
    everyone = ev.simulate_training(world, au.audit(world, reassessed=set(world.staff["staff_id"])), rows)
    pd.testing.assert_frame_equal(one.levels_after, everyone.levels_after)
    pd.testing.assert_frame_equal(one.months, everyone.months)


def test_common_random_numbers_keep_a_persons_draws(world: World) -> None:
    rows = _plan_for(world, "crm_system", "e_learning") + _plan_for(world, "product_knowledge", "e_learning")
    alone = rows[:1]
    found = au.audit(world)
    small, large = ev.simulate_training(world, found, alone), ev.simulate_training(world, found, rows)
    person = alone[0][0]
    for name in ("levels_after", "gains", "months"):
        a, b = getattr(small, name), getattr(large, name)
        a, b = a[a["staff_id"] == person], b[b["staff_id"] == person]
        if name == "gains":
            b = b[b["offer_id"].isin(set(a["offer_id"]))]
        pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


@pytest.mark.parametrize("offer_type", ["e_learning", "internal_coaching", "vendor_course"])
def test_training_a_true_gap_raises_it_more_often_than_not(big: World, offer_type: str) -> None:
    rows = [
        r
        for skill in ("crm_system", "regulatory_script", "complaint_handling")
        for r in _plan_for(big, skill, offer_type)
    ]
    if len(rows) < 40:
        pytest.skip(f"too few true gaps covered by {offer_type} here")
    outcome = ev.simulate_training(big, au.audit(big), rows)
    skills = set(sc.plan_frame(big, rows)["skills"].str.split(";").explode())
    gaps = _true_gaps(big).set_index(["staff_id", "skill_id"])
    levels = outcome.levels_after.set_index(["staff_id", "skill_id"])
    booked = [(p, k) for p, _ in rows for k in skills if (p, k) in gaps.index and gaps.loc[(p, k), "gap"] > 0]
    trained = levels.loc[booked]
    raised = trained["after"] > trained["before"]
    assert raised.mean() > 0.5
    required = gaps.loc[booked, "required"]
    assert (trained["after"] <= required).all()  # never above the requirement
    untouched = levels.drop(index=booked, errors="ignore")
    assert (untouched["after"] == untouched["before"]).all()
    chance = load_training_value().learning[offer_type].step_chance
    assert abs(raised.mean() - chance) < 0.15 or offer_type == "vendor_course"


def test_training_someone_with_no_gap_moves_nothing(world: World) -> None:
    rows = _plan_for(world, "crm_system", "e_learning", gap=False)
    assert rows
    found = au.audit(world)
    trained, empty = ev.simulate_training(world, found, rows), ev.simulate_training(world, found, [])
    levels = trained.levels_after
    assert (levels["after"] == levels["before"]).all()
    assert (trained.gains["gain"] == 0).all()
    people = {p for p, _ in rows}
    columns = ["qa", "fcr", "aht_s"]
    mine = trained.months[trained.months["staff_id"].isin(people)].reset_index(drop=True)
    before = empty.months[empty.months["staff_id"].isin(people)].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[columns], before[columns])
    assert mine["trained"].all() and not before["trained"].any()


# ------------------------------------------------------------------------------------------------------ KPIs
@pytest.mark.parametrize(("skill", "kpi", "sign"), [("crm_system", "aht_s", -1), ("product_knowledge", "fcr", 1)])
def test_a_trained_gap_moves_its_kpi_the_right_way_on_average(big: World, skill: str, kpi: str, sign: int) -> None:
    rows = _plan_for(big, skill, "internal_coaching") + _plan_for(big, skill, "e_learning")
    found = au.audit(big)
    outcome, empty = ev.simulate_training(big, found, rows), ev.simulate_training(big, found, [])
    won = outcome.gains[(outcome.gains["gain"] > 0) & (outcome.gains["skill_id"] == skill)]
    people = set(won["staff_id"]) & set(outcome.months["staff_id"])
    assert len(people) >= 30
    months = outcome.months[outcome.months["staff_id"].isin(people)].pivot(
        index="staff_id", columns="month", values=kpi
    )
    baseline = empty.months[empty.months["staff_id"].isin(people)].pivot(index="staff_id", columns="month", values=kpi)
    assert sign * (months[3] - months[0]).mean() > 0  # observed change, noise and all
    effect = (months - baseline)[[1, 2, 3]]
    assert (sign * effect.to_numpy() >= -1e-12).all() and sign * effect[3].mean() > 0  # the effect itself
    assert (months[0] == baseline[0]).all()  # month 0 is the baseline


def test_untrained_people_drift_with_noise_only(world: World) -> None:
    months = ev.simulate_training(world, au.audit(world), []).months
    assert list(months.columns) == ["staff_id", "month", "qa", "fcr", "aht_s", "contacts", "trained"]
    assert sorted(set(months["month"])) == [0, 1, 2, 3] and not months["trained"].any()
    wide = months.pivot(index="staff_id", columns="month", values="aht_s")
    drift = (wide[[1, 2, 3]].div(wide[0], axis=0) - 1).to_numpy()
    sd = load_training_value().kpi_effects["aht"].noise_sd
    assert abs(drift.mean()) < 4 * sd / np.sqrt(drift.size) and 0.5 * sd < drift.std() < 1.5 * sd
    handling = world.staff.loc[world.staff["role"].isin(sc.HANDLING_ROLES), "staff_id"]
    assert set(months["staff_id"]) <= set(handling)
    month0 = months[months["month"] == 0].set_index("staff_id")
    contacts = world.contacts.groupby("staff_id")[["talk_s", "hold_s", "acw_s", "handled"]].sum()
    aht = (contacts["talk_s"] + contacts["hold_s"] + contacts["acw_s"]) / contacts["handled"]
    assert np.allclose(month0["aht_s"], aht.reindex(month0.index))


def test_reaction_surveys(world: World) -> None:
    rows = _plan_for(world, "crm_system", "e_learning") + _plan_for(world, "crm_system", "e_learning", gap=False)
    reaction = ev.simulate_training(world, au.audit(world), rows).reaction
    assert list(reaction.columns) == ["session_id", "offer_id", "booked", "responses", "mean"]
    assert set(reaction["session_id"]) == {s for _, s in rows}
    assert (reaction["responses"] <= reaction["booked"]).all()
    answered = reaction[reaction["responses"] > 0]
    assert ((answered["mean"] >= 1) & (answered["mean"] <= 5)).all()


# ------------------------------------------------------------------------------------------------ Kirkpatrick
def test_kirkpatrick_levels_and_measures() -> None:
    assert list(ev.KIRKPATRICK) == ["L1", "L2", "L3", "L4"]
    assert ev.KIRKPATRICK["L1"] == ("reaction_survey",) and "post_assessment" in ev.KIRKPATRICK["L2"]
    assert set(ev.MEASURES) == {m for ms in ev.KIRKPATRICK.values() for m in ms}
    assert len(ev.MEASURES) == len(set(ev.MEASURES))


# ------------------------------------------------------------------------------------------------ Phillips ROI
def test_phillips_roi_against_a_hand_computation() -> None:
    world = world_for("bank-cards", 1)
    effects = load_training_value().kpi_effects
    assert "knowledge_base" in effects["aht"].skills and "knowledge_base" in effects["fcr"].skills
    assert "crm_system" in effects["aht"].skills and "crm_system" not in effects["fcr"].skills
    p1, p2, p3, c1, c2 = world.staff.loc[world.staff["role"] == "agent", "staff_id"].tolist()[:5]
    offer, other = "TR001", "TR002"
    rows = [(p1, _first_session(world, offer)), (p2, _first_session(world, offer))]
    rows += [(p3, _first_session(world, offer)), (p3, _first_session(world, other))]
    series = {  # (aht by month 0..3, fcr by month 0..3, contacts a month, trained)
        c1: ([300, 300, 300, 300], [0.70] * 4, 800, False),
        c2: ([300, 302, 304, 306], [0.70] * 4, 800, False),  # the control drifts +1, +2, +3 s on average
        p1: ([300, 290, 290, 290], [0.70, 0.72, 0.72, 0.72], 1000, True),
        p2: ([300, 300, 300, 300], [0.70] * 4, 500, True),
        p3: ([300, 280, 280, 280], [0.70, 0.75, 0.75, 0.75], 1000, True),
    }
    months = pd.DataFrame(
        [
            {
                "staff_id": s,
                "month": m,
                "qa": 80.0,
                "fcr": f[m],
                "aht_s": float(a[m]),
                "contacts": float(n),
                "trained": t,
            }
            for s, (a, f, n, t) in series.items()
            for m in range(4)
        ]
    )
    gains = pd.DataFrame(
        [
            (p1, offer, "knowledge_base", 1, 1),
            (p2, offer, "knowledge_base", 1, 0),
            (p3, offer, "crm_system", 1, 1),
            (p3, other, "knowledge_base", 1, 1),
        ],
        columns=["staff_id", "offer_id", "skill_id", "week", "gain"],
    )
    empty = pd.DataFrame()
    outcome = ev.TrainingOutcome(levels_after=empty, gains=gains, months=months, reaction=empty)
    value = load_training_value().value
    second = value.handled_hour_cost / 3600
    p1_value = (11 + 12 + 13) * 1000 * second + 3 * 0.02 * 1000 * value.repeat_contact_cost
    p2_value = (1 + 2 + 3) * 500 * second  # no level won: the whole (drift-adjusted) change, one offer
    p3_value = 0.5 * (21 + 22 + 23) * 1000 * second  # AHT: half the linked levels; FCR: none from this offer
    benefits = p1_value + p2_value + p3_value
    staff = world.staff.set_index("staff_id")
    fee, hours = world.training.set_index("offer_id").loc[offer, ["cost_per_person", "hours"]]
    hourly = [
        float(staff.loc[p, "base_pay"]) * 12 / (52 * 5 * float(staff.loc[p, "hours_per_day"]))
        if staff.loc[p, "pay_basis"] == "monthly"
        else float(staff.loc[p, "base_pay"])
        for p in (p1, p2, p3)
    ]
    costs = 3 * float(fee) + float(hours) * sum(hourly) * (1 + value.employer_on_cost)
    roi = ev.phillips_roi(world, outcome, rows, offer)
    assert roi.benefits == pytest.approx(benefits)
    assert roi.costs == pytest.approx(costs)
    assert roi.roi_percent == pytest.approx((benefits - costs) / costs * 100)
    assert (roi.offer_id, roi.people) == (offer, 3)


def test_phillips_roi_on_a_simulated_plan(world: World) -> None:
    rows = _plan_for(world, "crm_system", "e_learning")
    outcome = ev.simulate_training(world, au.audit(world), rows)
    offer = sc.plan_frame(world, rows)["offer_id"].iloc[0]
    roi = ev.phillips_roi(world, outcome, rows, offer)
    assert roi.costs > sc.spend(world, rows) and np.isfinite(roi.roi_percent)
    assert roi == ev.phillips_roi(world, outcome, rows, offer)


def test_invalid_arguments_are_reported_together(world: World) -> None:
    found = au.audit(world)
    with pytest.raises(UsageError) as caught:
        ev.simulate_training(world, found, [("E9999", "S001"), ("E0001", "S9999")])
    assert "E9999" in str(caught.value) and "S9999" in str(caught.value)
    rows = [("E0001", _first_session(world, "TR001"))]
    outcome = ev.simulate_training(world, found, rows)
    with pytest.raises(UsageError, match="TR999"):
        ev.phillips_roi(world, outcome, rows, "TR999")
    with pytest.raises(UsageError, match="TR002"):
        ev.phillips_roi(world, outcome, rows, "TR002")  # an offer nobody in the plan is booked on


# ---------------------------------------------------------------------------------------------- the conventions
def _packaged() -> str:
    return (resources.files("casekit") / "data" / VALUE_FILE).read_text(encoding="utf-8")


def test_every_number_of_the_conventions_says_it_is_one() -> None:
    numbers = [line for line in _packaged().splitlines() if re.match(r"^\s*[a-z_]+: -?[\d.]+\b", line)]
    numbers = [line for line in numbers if not line.startswith("schema_version")]
    assert len(numbers) >= 15
    assert all("# convention" in line for line in numbers), [x for x in numbers if "# convention" not in x]
    assert load_training_value() == parse_training_value(_packaged())


def test_a_broken_conventions_file_is_refused_with_every_problem() -> None:
    text = _packaged().replace("  vendor_course:\n    step_chance", "  vendor_courses:\n    step_chance")
    text = text.replace("product_knowledge, knowledge_base", "product_knowledge, no_such_skill")
    with pytest.raises(StandardDataError) as caught:
        parse_training_value(text)
    fields = {p.field for p in caught.value.problems}
    assert {"learning", "kpi_effects.fcr.skills"} <= fields
    with pytest.raises(StandardDataError):
        parse_training_value(_packaged().replace("response_rate: 0.75", "response_rate: 1.5"))
    assert dataclasses.is_dataclass(ev.Roi)
