"""Simulated worlds: deterministic files, plausible figures (FACTS.md ranges), seeded breaches, correlations."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS

import casekit
from casekit.errors import UsageError
from casekit.kpi import KPI_COLUMNS, kpis
from casekit.scenario import TABLES, OrgSpec, World, build_world, load_spec
from casekit.scenario.catalogs import EXIT_FACTORS, load_law, load_skills
from casekit.scenario.incidents import INCIDENT_TYPES
from casekit.scenario.summary import summarise, turnover_rate

SPECS = sorted(SCENARIOS.glob("*.yaml"))
SEED = 11
DAYS = 60

WAGE = load_law()["minimum_wage"][2026]
OT_CAP = load_law()["overtime"]["monthly_cap_hours"]

REQUIRED_COLUMNS = {
    "staff": {"staff_id", "name", "role", "team", "hire_date", "gender", "contract", "shift", "base_pay"},
    "roles": {"role", "headcount", "pay_min", "pay_max", "required_skills"},
    "skills": {"staff_id", "skill_id", "category", "proficiency"},
    "contacts": {
        "date",
        "staff_id",
        "scheduled_s",
        "logged_in_s",
        "adherent_s",
        "available_s",
        "handled",
        "talk_s",
        "hold_s",
        "acw_s",
        "qa_score",
        "fcr_resolved",
        "csat_surveys",
        "csat_satisfied",
        "sales_eligible",
        "sales",
    },
    "intervals": {"date", "interval_start", "channel", "offered", "answered", "abandoned", "answered_in_sl", "aht_s"},
    "leavers": {
        "leaver_id",
        "role",
        "team",
        "hire_date",
        "leave_date",
        "tenure_days",
        "leaver_type",
        "exit_factor",
        "exit_comment",
    },
    "pay": {"month", "staff_id", "base_pay", "overtime_hours", "bonus"},
    "training": {"offer_type", "skills", "cost_per_person", "hours", "capacity"},
    "incidents": {"incident_id", "date", "type", "staff_id", "breach", "law", "severity"},
}

# FACTS.md "typical values", as ranges a plausible centre's agent medians fall in
KPI_RANGES = {
    "aht_s": (150, 450),
    "adherence": (0.70, 0.97),
    "availability": (0.95, 0.995),
    "fcr": (0.60, 0.85),
    "qa": (70, 95),
    "occupancy": (0.70, 0.95),
}


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def spec(request: pytest.FixtureRequest) -> OrgSpec:
    loaded: OrgSpec = load_spec(request.param)
    return loaded


@pytest.fixture(scope="module")
def world(spec: OrgSpec) -> World:
    return build_world(spec, SEED, days=DAYS)


def test_three_organisations_are_shipped() -> None:
    assert {"bank-cards", "ecommerce-cs", "telecom-support"} <= {p.stem for p in SPECS}


# --- determinism and the manifest ------------------------------------------------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {str(k) for k in value} | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_same_seed_same_files(spec: OrgSpec, world: World, tmp_path: Path) -> None:
    first = world.write(tmp_path / "a")
    second = build_world(spec, SEED, days=DAYS).write(tmp_path / "b")
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert sorted(a) == sorted([*(f"{name}.csv" for name in TABLES), "manifest.json"])  # no temporary files left
    assert a == b
    assert first == second


def test_manifest_lists_every_table_with_its_hash(spec: OrgSpec, world: World, tmp_path: Path) -> None:
    returned = world.write(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == returned
    assert manifest["spec"] == spec.name
    assert manifest["seed"] == SEED
    assert manifest["casekit_version"] == casekit.__version__
    assert manifest["days"] == DAYS
    assert manifest["headcount"] == spec.headcount
    assert set(manifest["tables"]) == set(TABLES)
    for name in TABLES:
        entry = manifest["tables"][name]
        data = (tmp_path / entry["file"]).read_bytes()
        assert entry["file"] == f"{name}.csv"
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["rows"] == len(world.tables[name]) == len(pd.read_csv(tmp_path / entry["file"]))
        assert entry["columns"] == list(world.tables[name].columns)
    keys = _keys(manifest) - set(TABLES)  # a table's name (overtime_consent) is no time
    timey = {k for k in keys if re.search(r"time|stamp|created|generated|written|_at$|^now$", k)}
    assert not timey, f"time-dependent keys in the manifest: {timey}"


def test_another_seed_other_files(spec: OrgSpec, world: World) -> None:
    other = build_world(spec, SEED + 1, days=DAYS)
    assert other.csv_bytes("contacts") != world.csv_bytes("contacts")
    assert other.csv_bytes("staff") != world.csv_bytes("staff")
    assert other.manifest()["tables"]["contacts"]["sha256"] != world.manifest()["tables"]["contacts"]["sha256"]


def test_staff_and_days_overrides(spec: OrgSpec) -> None:
    small = build_world(spec, 1, staff=60, days=30)
    assert small.headcount == 60
    assert small.days == 30
    assert len(small.staff) == 60
    assert small.staff["staff_id"].is_unique
    dates = sorted(small.contacts["date"].unique())
    assert len(dates) == 30
    assert dates[0] == spec.start_date.isoformat()
    assert dates[-1] == (spec.start_date + dt.timedelta(days=29)).isoformat()
    assert small.intervals["date"].nunique() == 30
    manifest = small.manifest()
    assert (manifest["headcount"], manifest["days"]) == (60, 30)
    assert set(small.contacts["staff_id"]) <= set(small.staff["staff_id"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"seed": -1}, "-1"),
        ({"seed": True}, "True"),
        ({"seed": 1, "staff": 4}, "4"),
        ({"seed": 1, "days": 6}, "6"),
        ({"seed": 1, "days": 731}, "731"),
    ],
)
def test_bad_sizes_are_usage_errors(spec: OrgSpec, kwargs: dict[str, Any], message: str) -> None:
    args = dict(kwargs)
    seed = args.pop("seed")
    with pytest.raises(UsageError, match=message):
        build_world(spec, seed, **args)


def test_write_refuses_a_file_as_folder(world: World, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError):
        world.write(target)


# --- shape of the tables ---------------------------------------------------------------------------------------


def test_every_table_has_the_documented_columns(world: World) -> None:
    assert set(world.tables) == set(TABLES)
    for name, required in REQUIRED_COLUMNS.items():
        missing = required - set(world.tables[name].columns)
        assert not missing, f"{name} lacks {missing}"
        assert len(world.tables[name]) > 0, name


def test_contacts_are_consistent(world: World) -> None:
    c = world.contacts
    assert not c.duplicated(["date", "staff_id"]).any()
    assert (c["logged_in_s"] >= c["available_s"]).all()
    assert (c["scheduled_s"] >= c["adherent_s"]).all()
    assert (c["fcr_resolved"] <= c["handled"]).all()
    assert (c["csat_satisfied"] <= c["csat_surveys"]).all()
    assert (c["sales"] <= c["sales_eligible"]).all()
    assert (c["sales_eligible"] <= c["handled"]).all()
    scored = c["qa_score"].dropna()
    assert ((scored >= 0) & (scored <= 100)).all()
    handlers = world.staff.set_index("staff_id").loc[c["staff_id"].unique(), "role"]
    assert set(handlers) <= {"agent", "senior_agent"}


def test_intervals_are_thirty_minutes(spec: OrgSpec, world: World) -> None:
    iv = world.intervals
    minutes = iv["interval_start"].str.slice(0, 2).astype(int) * 60 + iv["interval_start"].str.slice(3, 5).astype(int)
    assert (minutes % 30 == 0).all()
    opening, closing = spec.open_hours
    assert minutes.min() == opening * 60
    assert minutes.max() == closing * 60 - 30
    for _, group in iv.assign(m=minutes).groupby(["date", "channel"]):
        steps = np.diff(group["m"].to_numpy())
        assert (steps == 30).all()
        assert len(group) == 2 * (closing - opening)
    assert (iv["answered"] + iv["abandoned"] == iv["offered"]).all()
    assert (iv["answered_in_sl"] <= iv["answered"]).all()
    assert set(iv["channel"]) == set(spec.channels)


def test_skills_are_tagged_and_on_the_0_to_4_scale(world: World) -> None:
    sk = world.skills
    assert set(sk["category"]) == {"technology", "customer_service"}
    assert sk["proficiency"].between(0, 4).all()
    assert pd.api.types.is_integer_dtype(sk["proficiency"])
    catalog = {s.id: s.category for s in load_skills()}
    assert (sk["skill_id"].map(catalog) == sk["category"]).all()
    per_person = sk.groupby("staff_id").size()
    assert set(per_person.index) == set(world.staff["staff_id"])
    assert (per_person == len(catalog)).all()


def test_training_offers(world: World) -> None:
    tr = world.training
    assert set(tr["offer_type"]) <= {"internal_coaching", "e_learning", "vendor_course"}
    known = {s.id for s in load_skills()}
    for skills in tr["skills"]:
        assert set(skills.split(";")) <= known
    assert (tr["cost_per_person"] > 0).all()
    assert (tr["hours"] > 0).all()
    assert (tr["capacity"] >= 1).all()
    # every skill can be trained somehow
    assert {s for skills in tr["skills"] for s in skills.split(";")} == known


def test_leavers_are_coded_to_the_n4_factors(spec: OrgSpec, world: World) -> None:
    assert len(EXIT_FACTORS) == 8
    lv = world.leavers
    assert set(lv["leaver_type"]) <= {"voluntary", "involuntary"}
    voluntary = lv[lv["leaver_type"] == "voluntary"]
    assert len(voluntary) > 0
    assert set(voluntary["exit_factor"]) <= set(EXIT_FACTORS)
    involuntary = lv[lv["leaver_type"] == "involuntary"]
    assert (involuntary["exit_factor"].fillna("") == "").all()
    hired = pd.to_datetime(lv["hire_date"])
    left = pd.to_datetime(lv["leave_date"])
    assert ((left - hired).dt.days == lv["tenure_days"]).all()
    assert (lv["leave_date"] < spec.start_date.isoformat()).all()
    assert lv["leaver_id"].is_unique
    assert not set(lv["name"]) & set(world.staff["name"])


def test_incident_types_are_known(world: World) -> None:
    inc = world.incidents
    assert set(inc["type"]) <= set(INCIDENT_TYPES)
    assert inc["incident_id"].is_unique
    assert inc["breach"].dtype == bool
    assert (inc.loc[inc["type"].isin(["overtime_over_cap", "under_minimum_wage", "data_handling"]), "breach"]).all()
    assert not inc.loc[inc["type"] == "complaint", "breach"].any()


# --- plausibility against FACTS.md -----------------------------------------------------------------------------


@pytest.mark.parametrize("kpi", list(KPI_RANGES))
def test_kpi_medians_are_plausible(world: World, kpi: str) -> None:
    per_person = kpis(world.contacts, "staff_id")
    assert list(per_person.columns) == list(KPI_COLUMNS)
    low, high = KPI_RANGES[kpi]
    median = float(per_person[kpi].median())
    assert low <= median <= high, f"{kpi} median {median:.3f} outside {low}-{high}"


def test_summary_agrees_with_kpis(world: World) -> None:
    summary = summarise(world)
    per_person = kpis(world.contacts, "staff_id")
    for kpi in KPI_RANGES:
        assert summary.kpi_medians[kpi] == pytest.approx(float(per_person[kpi].median()))
    assert summary.contacts == int(world.contacts["handled"].sum())
    assert int(summary.headcount_by_role_team.to_numpy()[-1, -1]) == len(world.staff)  # the Σ margin


def test_turnover_is_plausible(spec: OrgSpec, world: World) -> None:
    rate = turnover_rate(world)["annual_rate"]
    target = spec.turnover.annual_rate
    assert 0.15 <= rate <= 1.0
    assert abs(rate - target) <= 0.35 * target, f"annual turnover {rate:.3f} vs spec {target}"


def test_base_pay_at_or_above_minimum_wage(world: World) -> None:
    staff = world.staff
    assert set(staff["pay_basis"]) <= {"monthly", "hourly"}
    assert ((staff["pay_basis"] == "hourly") == (staff["contract"] == "part_time")).all()
    monthly = staff.loc[staff["pay_basis"] == "monthly", "base_pay"]
    hourly = staff.loc[staff["pay_basis"] == "hourly", "base_pay"]
    assert (monthly >= WAGE["monthly"]).all(), monthly.min()
    assert (hourly >= WAGE["hourly"]).all(), hourly.min()


def _breachy(spec: OrgSpec) -> OrgSpec:
    """The spec with breaches seeded often enough that every check below has cases to look at."""
    reg = spec.regulatory
    rates = reg.breach_rates.model_copy(
        update={"overtime_over_cap_per_staff_month": 0.05, "under_minimum_wage_per_staff_month": 0.05}
    )
    return spec.model_copy(update={"regulatory": reg.model_copy(update={"breach_rates": rates})})


@pytest.fixture(scope="module")
def breachy_world(spec: OrgSpec) -> World:
    return build_world(_breachy(spec), SEED, days=DAYS)


def _under_minimum(pay: pd.DataFrame, staff: pd.DataFrame) -> set[tuple[str, str]]:
    basis = pay["staff_id"].map(staff.set_index("staff_id")["pay_basis"])
    monthly = (basis == "monthly") & (pay["base_pay"] < WAGE["monthly"])
    # hourly staff: base pay = rate x hours paid; the rounding of the total moves the rate by well under NT$1
    hours = pay["hours_paid"].where(pay["hours_paid"] > 0)
    hourly = (basis == "hourly") & (pay["base_pay"] / hours < WAGE["hourly"] - 1)
    rows = pay[monthly | hourly]
    return set(zip(rows["staff_id"], rows["month"], strict=True))


def _incident_keys(incidents: pd.DataFrame, kind: str) -> set[tuple[str, str]]:
    rows = incidents[(incidents["type"] == kind) & incidents["breach"]]
    return set(zip(rows["staff_id"], rows["date"].str.slice(0, 7), strict=True))


def _check_pay_breaches(w: World) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """Every base pay under the minimum wage and every overtime above the cap has its incident, and vice versa."""
    pay, inc = w.pay, w.incidents
    assert pay["month"].str.fullmatch(r"\d{4}-\d{2}").all()
    under = _under_minimum(pay, w.staff)
    assert under == _incident_keys(inc, "under_minimum_wage")
    over_rows = pay[pay["overtime_hours"] > OT_CAP]
    over = set(zip(over_rows["staff_id"], over_rows["month"], strict=True))
    assert over == _incident_keys(inc, "overtime_over_cap")
    assert (pay["overtime_hours"] >= 0).all()
    assert (pay["bonus"] >= 0).all()
    return under, over


def test_pay_breaches_appear_in_incidents(world: World) -> None:
    _check_pay_breaches(world)


def test_frequent_pay_breaches_all_appear_in_incidents(breachy_world: World) -> None:
    under, over = _check_pay_breaches(breachy_world)
    assert len(under) >= 3
    assert len(over) >= 3


# --- correlations that matter (telecom-support, the largest centre, full length) ------------------------------


@pytest.fixture(scope="module")
def telecom() -> World:
    return build_world(load_spec(SCENARIOS / "telecom-support.yaml"), 5)


def _tenure_days(contacts: pd.DataFrame, staff: pd.DataFrame) -> pd.Series:
    hired = pd.to_datetime(contacts["staff_id"].map(staff.set_index("staff_id")["hire_date"]))
    return (pd.to_datetime(contacts["date"]) - hired).dt.days


def test_new_starters_are_slower(telecom: World) -> None:
    c = telecom.contacts
    tenure = _tenure_days(c, telecom.staff)
    assert (tenure >= 0).all()
    band = np.where(tenure < 30, "new", np.where(tenure > 365, "experienced", "middle"))
    aht = kpis(c.assign(band=band), "band")["aht_s"]
    assert (band == "new").sum() >= 50, "too few new-starter days to compare"
    assert aht["new"] > 1.1 * aht["experienced"], aht.to_dict()


def test_new_starters_leave_more(telecom: World) -> None:
    lv = telecom.leavers
    early_share = float((lv["tenure_days"] < 90).mean())
    assert early_share > 0.2
    assert turnover_rate(telecom)["early_tenure_share"] == pytest.approx(early_share)


def _stress_spearman(w: World) -> float:
    """Spearman correlation over frontline teams: leavers per team vs the share of voluntary exits coded stress."""
    lv = w.leavers
    teams = sorted(w.staff.loc[w.staff["role"] == "team_leader", "team"])
    leavers = lv[lv["team"].isin(teams)].groupby("team").size().reindex(teams, fill_value=0)
    voluntary = lv[(lv["leaver_type"] == "voluntary") & lv["team"].isin(teams)]
    stress_share = (voluntary["exit_factor"] == "stress").groupby(voluntary["team"]).mean().reindex(teams)
    both = pd.DataFrame({"leavers": leavers, "stress": stress_share}).dropna()
    assert len(both) >= 10
    return float(both["leavers"].rank().corr(both["stress"].rank()))


def test_stress_exits_concentrate_where_more_people_leave(telecom: World) -> None:
    assert _stress_spearman(telecom) > 0


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_stress_exits_concentrate_where_more_people_leave_other_seeds(seed: int) -> None:
    # leavers do not depend on the number of days: a short world is enough
    w = build_world(load_spec(SCENARIOS / "telecom-support.yaml"), seed, days=7)
    assert _stress_spearman(w) > 0


def test_customer_service_skill_goes_with_quality(telecom: World) -> None:
    sk = telecom.skills
    cs = sk[sk["category"] == "customer_service"].groupby("staff_id")["proficiency"].mean()
    qa = kpis(telecom.contacts, "staff_id")["qa"]
    both = pd.DataFrame({"cs": cs, "qa": qa}).dropna()
    assert len(both) > 100
    r = float(both["cs"].corr(both["qa"]))
    assert r > 0.2, r
