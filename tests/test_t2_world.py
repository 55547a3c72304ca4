"""The T2 part of a world: the skills inventory's dates and data-quality problems with their truth, the training
timetable, the planning weeks and their service level, the new starters, and the spec's training section."""

from __future__ import annotations

import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS

from casekit.errors import ScenarioError, UsageError
from casekit.scenario import TABLES, OrgSpec, World, build_world, load_spec, parse_spec
from casekit.scenario import world as world_module
from casekit.scenario.catalogs import load_induction_topics, load_roles, load_skills
from casekit.scenario.planning import PLANNING_WEEKS, week_need
from casekit.scenario.skills_quality import MISSING_SHARE, STALE_SHARE, SkillRecords, months_before
from casekit.scenario.staff import build_workforce
from casekit.staffing import service_level_with, staffing_need

SPECS = sorted(SCENARIOS.glob("*.yaml"))
SEED = 5
NEW_TABLES = ("training_sessions", "weeks", "new_starters")
REQUIRED = {r.id: r.required_skills for r in load_roles()}


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def spec(request: pytest.FixtureRequest) -> OrgSpec:
    loaded: OrgSpec = load_spec(request.param)
    return loaded


@pytest.fixture(scope="module")
def world(spec: OrgSpec) -> World:
    return build_world(spec, SEED)


def _people(world: World) -> pd.DataFrame:
    """Per person: role, assessment date(s), missing rows."""
    sk = world.skills.merge(world.staff[["staff_id", "role"]], on="staff_id")
    return sk.groupby("staff_id").agg(
        role=("role", "first"),
        dates=("assessed_on", "nunique"),
        assessed_on=("assessed_on", "first"),
        missing=("proficiency", lambda s: int(s.isna().sum())),
    )


def _stale_cutoff(world: World) -> str:
    return months_before(world.spec.start_date, world.spec.training.assessment_valid_months).isoformat()


# --- catalogs ------------------------------------------------------------------------------------------------------


def test_every_skill_has_a_criticality_and_two_are_compliance_critical() -> None:
    skills = load_skills()
    assert skills is load_skills()  # cached
    assert all(s.criticality in (1, 2, 3) for s in skills)
    critical = {s.id for s in skills if s.compliance_critical}
    assert critical == {"data_protection_tools", "regulatory_script"}
    assert all(s.criticality == 3 for s in skills if s.compliance_critical)


def test_induction_topics() -> None:
    topics = load_induction_topics()
    assert topics is load_induction_topics()
    ids = [tp.id for tp in topics]
    assert ids == [
        "company_and_policies",
        "data_protection",
        "systems_crm",
        "telephony_acd",
        "product_knowledge",
        "complaint_process",
        "shadowing",
        "nesting",
        "buddy_review",
        "go_live",
    ]
    by_id = {tp.id: tp for tp in topics}
    assert by_id["data_protection"].required and by_id["data_protection"].latest_day == 1
    assert by_id["data_protection"].before_go_live
    assert by_id["go_live"].required and not by_id["go_live"].before_go_live
    assert all(tp.latest_day is None or tp.latest_day >= 1 for tp in topics)
    assert all(tp.label("zh-TW") != tp.label("en") and tp.label("en") for tp in topics)


# --- determinism and independence ----------------------------------------------------------------------------------


def test_same_seed_same_bytes_for_every_table_and_the_truth(spec: OrgSpec, world: World) -> None:
    other = build_world(spec, SEED)
    assert set(NEW_TABLES) <= set(TABLES)
    for name in TABLES:
        assert world.csv_bytes(name) == other.csv_bytes(name), name
    pd.testing.assert_frame_equal(world.truth["skills_current"], other.truth["skills_current"])
    changed = build_world(spec, SEED + 1)
    for name in (*NEW_TABLES, "skills"):
        assert world.csv_bytes(name) != changed.csv_bytes(name), name


def test_new_tables_are_written_and_listed(world: World, tmp_path: Path) -> None:
    manifest = world.write(tmp_path)
    for name in NEW_TABLES:
        assert (tmp_path / f"{name}.csv").is_file()
        assert manifest["tables"][name]["rows"] == len(world.tables[name])
    assert "skills_current" not in manifest["tables"]
    assert not (tmp_path / "skills_current.csv").exists()


def _plain_records(spec: OrgSpec, seed: int, staff: pd.DataFrame, levels: pd.DataFrame) -> SkillRecords:
    """The inventory without the T2 step: every level recorded, one date for all."""
    skills = levels.assign(proficiency=levels["proficiency"].astype("Int64"), assessed_on="2000-01-01")
    return SkillRecords(skills, levels[["staff_id", "skill_id", "proficiency"]])


def test_other_tables_do_not_depend_on_the_t2_streams(
    spec: OrgSpec, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = pd.DataFrame({"x": []})
    monkeypatch.setattr(world_module, "build_skill_records", _plain_records)
    for builder in ("build_sessions", "build_weeks", "build_new_starters"):
        monkeypatch.setattr(world_module, builder, lambda *args, **kwargs: empty)
    plain = build_world(spec, SEED)
    for name in TABLES:
        if name not in (*NEW_TABLES, "skills"):
            assert world.csv_bytes(name) == plain.csv_bytes(name), name
    recorded = world.skills["proficiency"]
    levels = plain.skills["proficiency"]
    assert (recorded[recorded.notna()] == levels[recorded.notna()]).all()  # the T2 step changes no drawn level


# --- the skills inventory ------------------------------------------------------------------------------------------


def test_skills_table_columns_and_types(world: World) -> None:
    sk = world.skills
    assert list(sk.columns) == ["staff_id", "skill_id", "category", "proficiency", "assessed_on"]
    assert str(sk["proficiency"].dtype) == "Int64"
    assert sk["proficiency"].dropna().between(0, 4).all()
    assert sk["assessed_on"].map(lambda d: dt.date.fromisoformat(d).isoformat() == d).all()
    back = pd.read_csv(io.BytesIO(world.csv_bytes("skills")), dtype={"proficiency": "Int64"})
    assert int(back["proficiency"].isna().sum()) == int(sk["proficiency"].isna().sum()) > 0  # blank in the CSV


def test_missing_levels_rates_and_boundaries(world: World) -> None:
    people = _people(world)
    missing = people[people["missing"] > 0]
    assert len(missing) == max(1, round(MISSING_SHARE * len(people)))
    assert missing["missing"].between(1, 3).all()
    blank = world.skills[world.skills["proficiency"].isna()].merge(world.staff[["staff_id", "role"]], on="staff_id")
    assert all(skill in REQUIRED[role] for skill, role in zip(blank["skill_id"], blank["role"], strict=True))


def test_stale_records_rates_and_boundaries(world: World) -> None:
    start, valid = world.spec.start_date, world.spec.training.assessment_valid_months
    people = _people(world)
    assert (people["dates"] == 1).all()  # one assessment date per person
    stale = people[people["assessed_on"] < _stale_cutoff(world)]
    assert len(stale) == max(1, round(STALE_SHARE * len(people)))
    assert (
        stale["assessed_on"]
        .between(months_before(start, valid + 18).isoformat(), months_before(start, valid + 2).isoformat())
        .all()
    )
    fresh = people.drop(stale.index)
    assert (
        fresh["assessed_on"]
        .between(months_before(start, valid - 1).isoformat(), months_before(start, 1).isoformat())
        .all()
    )
    assert not (stale["missing"] > 0).any()  # a person is missing levels or stale, never both


def test_truth_is_every_row_and_matches_the_fresh_records(world: World) -> None:
    truth = world.truth["skills_current"]
    sk = world.skills
    assert list(truth.columns) == ["staff_id", "skill_id", "proficiency"]
    assert pd.api.types.is_integer_dtype(truth["proficiency"]) and str(truth["proficiency"].dtype) != "Int64"
    assert truth["proficiency"].between(0, 4).all()
    assert (truth[["staff_id", "skill_id"]].to_numpy() == sk[["staff_id", "skill_id"]].to_numpy()).all()
    stale_ids = set(sk.loc[sk["assessed_on"] < _stale_cutoff(world), "staff_id"])
    stale = sk["staff_id"].isin(stale_ids).to_numpy()
    recorded = sk["proficiency"].to_numpy(dtype=float, na_value=np.nan)
    fresh = ~stale & ~np.isnan(recorded)
    assert (truth["proficiency"].to_numpy()[fresh] == recorded[fresh]).all()
    growth = (truth["proficiency"].to_numpy()[stale] - recorded[stale]).astype(int)
    assert set(growth) <= {0, 1} and growth.sum() > 0
    roles = sk["staff_id"].map(world.staff.set_index("staff_id")["role"])
    unused = np.array([s not in REQUIRED[r] for s, r in zip(sk["skill_id"], roles, strict=True)])
    assert (growth[unused[stale]] == 0).all()  # only the skills the role uses grew


def test_missing_levels_hold_the_drawn_level_in_the_truth(spec: OrgSpec, world: World) -> None:
    drawn = build_workforce(spec, SEED, world.headcount).skills["proficiency"].to_numpy()
    blank = world.skills["proficiency"].isna().to_numpy()
    assert (world.truth["skills_current"]["proficiency"].to_numpy()[blank] == drawn[blank]).all()
    assert (world.skills["proficiency"].to_numpy(dtype=float, na_value=np.nan)[~blank] == drawn[~blank]).all()


# --- the planning quarter ------------------------------------------------------------------------------------------


def test_weeks_follow_the_history(world: World) -> None:
    weeks = world.weeks
    assert list(weeks.columns) == ["week", "start_date", "volume_index", "scheduled_fte"]
    assert list(weeks["week"]) == list(range(1, PLANNING_WEEKS + 1))
    first = world.spec.start_date + dt.timedelta(days=world.days)
    assert list(weeks["start_date"]) == [(first + dt.timedelta(days=7 * i)).isoformat() for i in range(13)]
    assert weeks["volume_index"].between(0.9, 1.1).all()
    assert 1 <= int((weeks["volume_index"] > 1.05).sum()) <= 2  # one or two peak weeks


def test_scheduled_fte_is_the_need_times_the_headroom_and_meets_the_target(world: World) -> None:
    target = world.spec.targets.service_level
    for week in world.weeks.itertuples():
        need = week_need(world.spec, world.intervals, float(week.volume_index))
        headroom = float(week.scheduled_fte) / need.fte
        peak = float(week.volume_index) > 1.05
        low, high = (1.00, 1.01) if peak else (1.03, 1.12)
        assert low - 1e-9 <= headroom <= high + 0.1 / need.fte + 1e-9, (week.week, headroom)
        assert service_level_with(need, float(week.scheduled_fte)) >= target, week.week  # no training: it holds
        if peak:  # the tight weeks: a few FTE off the phones break it
            few = max(2.0, 0.02 * need.fte)
            assert service_level_with(need, float(week.scheduled_fte) - few) < target, week.week


def test_sessions_within_weeks_and_seats(world: World) -> None:
    sessions = world.training_sessions
    assert list(sessions.columns) == ["session_id", "offer_id", "week", "start_date", "seats"]
    assert list(sessions["session_id"]) == [f"S{i + 1:03d}" for i in range(len(sessions))]
    assert sessions["week"].between(1, PLANNING_WEEKS).all()
    starts = world.weeks.set_index("week")["start_date"].map(dt.date.fromisoformat)
    for week, start in zip(sessions["week"], sessions["start_date"], strict=True):
        assert 0 <= (dt.date.fromisoformat(start) - starts[week]).days < 7
    offers = world.training.set_index("offer_id")
    joined = sessions.join(offers, on="offer_id")
    assert joined["offer_type"].notna().all()
    assert (joined["seats"] == joined["capacity"]).all()
    runs = joined.groupby("offer_id")["week"].agg(list)
    for offer_id, weeks in runs.items():
        kind = offers.loc[offer_id, "offer_type"]
        if kind == "vendor_course":
            assert 1 <= len(weeks) <= 3 and all(2 <= w <= 12 for w in weeks)
            assert len(set(weeks)) == len(weeks)
        else:
            assert weeks == list(range(1, PLANNING_WEEKS + 1)), offer_id
    assert set(runs.index) == set(offers.index)  # every offer runs
    classes = joined[joined["offer_type"] != "e_learning"]["start_date"].map(dt.date.fromisoformat)
    assert all(d.weekday() < 5 for d in classes)


def test_every_skill_has_an_internal_offer(world: World) -> None:
    internal = world.training[world.training["offer_type"] != "vendor_course"]
    assert {s for skills in internal["skills"] for s in skills.split(";")} == {s.id for s in load_skills()}


def test_new_starters(world: World) -> None:
    starters = world.new_starters
    n = world.spec.training.new_starters
    assert list(starters.columns) == ["starter_id", "name", "gender", "role", "team", "shift", "start_date", "week"]
    assert list(starters["starter_id"]) == [f"N{i + 1:03d}" for i in range(n)]
    assert set(starters["role"]) == {"agent"}
    teams = set(world.staff.loc[world.staff["role"] == "team_leader", "team"])
    assert set(starters["team"]) <= teams
    assert set(starters["shift"]) <= set(world.spec.shifts)
    assert set(starters["gender"]) <= {"F", "M"}
    assert starters["week"].between(1, 10).all()
    starts = world.weeks.set_index("week")["start_date"].map(dt.date.fromisoformat)
    for week, start in zip(starters["week"], starters["start_date"], strict=True):
        day = dt.date.fromisoformat(start)
        assert day.weekday() == 0 and 0 <= (day - starts[week]).days < 7
    taken = set(world.staff["name"]) | set(world.leavers["name"]) | set(world.applicants["name"])
    assert starters["name"].is_unique and not set(starters["name"]) & taken


# --- staffing_need(volume_scale) -----------------------------------------------------------------------------------


def test_volume_scale_scales_the_contacts_before_the_forecast(world: World) -> None:
    iv = world.intervals
    args: dict[str, Any] = {"target_sl": 0.8, "target_seconds": 20, "shrinkage": 0.0}
    scaled = staffing_need(iv, volume_scale=1.1, **args)
    by_hand = staffing_need(iv.assign(offered=iv["offered"] * 1.1, answered=iv["answered"] * 1.1), **args)
    assert scaled.fte == by_hand.fte
    pd.testing.assert_frame_equal(scaled.intervals, by_hand.intervals)
    assert staffing_need(iv, volume_scale=1.0, **args).fte == staffing_need(iv, **args).fte
    assert staffing_need(iv, volume_scale=0.9, **args).fte < staffing_need(iv, **args).fte < scaled.fte


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf, "1.1", True])
def test_volume_scale_must_be_positive(world: World, bad: Any) -> None:
    with pytest.raises(UsageError, match="volume_scale"):
        staffing_need(world.intervals, target_sl=0.8, target_seconds=20, shrinkage=0.0, volume_scale=bad)


# --- the spec's training section -----------------------------------------------------------------------------------


def _spec_with(**changes: Any) -> str:
    data: dict[str, Any] = yaml.safe_load((SCENARIOS / "bank-cards.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            del data["training"][key]
        else:
            data["training"][key] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@pytest.mark.parametrize(
    ("changes", "field", "expected"),
    [
        ({"budget_factor": 0.5}, "training.budget_factor", "expect.ge"),
        ({"budget_factor": "many"}, "training.budget_factor", "expect.number"),
        ({"priority_threshold": -0.5}, "training.priority_threshold", "expect.ge"),
        ({"assessment_valid_months": 0}, "training.assessment_valid_months", "expect.ge"),
        ({"critical_within_weeks": 14}, "training.critical_within_weeks", "expect.le"),
        ({"new_starters": -2}, "training.new_starters", "expect.ge"),
        ({"go_live_days": [15, 5]}, "training.go_live_days", "expect.min_le_max"),
        ({"go_live_days": [0, 5]}, "training.go_live_days[0]", "expect.ge"),
        ({"go_live_days": [5]}, "training.go_live_days", "expect.too_short"),
        ({"new_starters": None}, "training.new_starters", "expect.present"),
    ],
)
def test_a_bad_training_value_names_its_field(changes: dict[str, Any], field: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_spec(_spec_with(**changes), "bad.yaml")
    found = {(p.field, p.expected) for p in info.value.problems}
    assert (field, expected) in found, found


def test_the_shipped_organisations_have_a_training_section(spec: OrgSpec) -> None:
    training = spec.training
    assert training.budget_factor >= 1 and training.priority_threshold > 0
    assert training.assessment_valid_months == 12 and training.critical_within_weeks == 4
    assert training.new_starters >= 1
    low, high = training.go_live_days
    assert 1 <= low <= high
