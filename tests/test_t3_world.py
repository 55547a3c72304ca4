"""T3's world: the section, its dates, the PIPs, the support roles' activity and the hidden review period, in the
three organisations; new tables drawn from their own rng streams, the review period never written."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from casekit.errors import StandardDataError
from casekit.kpi import kpis
from casekit.scenario import World, world_for
from casekit.scenario.catalogs import load_kpi_catalog, load_roles, load_skills, parse_kpi_catalog
from casekit.scenario.performance import ACTIVITY_RANGES, appraisal_calendar, history_months, turnover_months

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")


@cache
def world(org: str, seed: int = 3) -> World:
    return world_for(org, seed)


def test_the_kpi_catalog_names_known_roles_and_skills_and_covers_n5() -> None:
    skills, roles = {s.id for s in load_skills()}, {r.id for r in load_roles()}
    catalog = load_kpi_catalog()
    for k in catalog:
        assert set(k.skills) <= skills and set(k.roles) <= roles, k.id
        assert k.direction in (-1, 1) and k.level in ("member", "team")
    n5 = {"adherence", "availability", "aht", "calls", "quality", "retention", "role_specific", "sales", "conversion",
          "learning"}  # fmt: skip
    assert {k.n5 for k in catalog} == n5
    for role in roles:  # every role can be measured on efficiency and quality
        dims = {k.dimension for k in catalog if role in k.roles}
        assert {"efficiency", "quality"} <= dims, role


def test_a_bad_kpi_catalog_names_the_file_and_every_field_wrong() -> None:
    text = (Path(__file__).parent.parent / "casekit" / "data" / "kpi_catalog.yaml").read_text(encoding="utf-8")
    assert parse_kpi_catalog(text) == load_kpi_catalog()
    with pytest.raises(StandardDataError) as schema:
        parse_kpi_catalog(text.replace("unit: seconds", "unit: minutes", 1))
    assert "kpi_catalog.yaml: kpis[2].unit" in schema.value.render("en")
    wrong = text.replace("roles: [trainer]", "roles: [coach]", 1).replace("skills: [telephony_acd]", "skills: [x]", 1)
    with pytest.raises(StandardDataError) as refs:
        parse_kpi_catalog(wrong.replace("id: fcr", "id: qa", 1), "kpis.yaml")
    fields = {p.field for p in refs.value.problems}
    assert fields == {"kpis[0].skills", "kpis[5].id", "kpis[17].roles"} and {p.file for p in refs.value.problems} == {
        "kpis.yaml"
    }


@pytest.mark.parametrize("org", ORGS)
def test_the_section_is_two_teams_and_one_person_per_support_role(org: str) -> None:
    w = world(org)
    members = w.members
    assert 20 <= len(members) <= 45
    teams = set(members.loc[members["role"] != "qa_analyst", "team"]) - {"SUP"}
    assert len(teams) == w.spec.appraisal.section_teams
    for team in teams:  # the whole team, its leader included
        whole = w.staff[(w.staff["team"] == team) & w.staff["role"].isin(["agent", "senior_agent", "team_leader"])]
        assert set(whole["staff_id"]) <= set(members["staff_id"])
    support = members[members["team"] == "SUP"]["role"].value_counts()
    assert (support == 1).all() and set(support.index) == set(w.staff.loc[w.staff["team"] == "SUP", "role"])


@pytest.mark.parametrize("org", ORGS)
def test_the_complex_queue_is_where_the_history_shows_the_longest_contacts(org: str) -> None:
    w = world(org)
    m = w.members
    handling = m[m["role"].isin(["agent", "senior_agent"]) & ~m["ramping"]]
    aht = kpis(w.contacts[w.contacts["staff_id"].isin(handling["staff_id"])])["aht_s"]
    complex_ = set(m.loc[m["queue"] == "complex", "staff_id"])
    assert complex_ and complex_ <= set(handling["staff_id"])
    assert aht[list(complex_)].min() >= aht.drop(list(complex_)).median()
    assert set(m.loc[~m["role"].isin(["agent", "senior_agent"]), "queue"]) == {"general"}


@pytest.mark.parametrize("org", ORGS)
def test_ramping_members_started_shortly_before_the_history(org: str) -> None:
    w = world(org)
    tenure = (pd.Timestamp(w.spec.start_date) - pd.to_datetime(w.members["hire_date"])).dt.days
    handling = w.members["role"].isin(["agent", "senior_agent"])
    assert (w.members["ramping"] == (handling & (tenure < w.spec.appraisal.ramp_days))).all()


@pytest.mark.parametrize("org", ORGS)
def test_pips_are_the_section_s_weakest_on_their_kpi_and_start_before_the_period(org: str) -> None:
    w = world(org)
    cal = appraisal_calendar(w)
    pips = w.pips
    assert len(pips) == w.spec.appraisal.pip_members
    members = w.members.set_index("staff_id")
    for pip in pips.itertuples():
        start = dt.date.fromisoformat(pip.start_date)
        assert cal.history_end - dt.timedelta(days=20) <= start <= cal.period_start
        assert (
            members.loc[pip.staff_id, "role"] in ("agent", "senior_agent") and not members.loc[pip.staff_id, "ramping"]
        )
        pool = members[members["role"].isin(["agent", "senior_agent"]) & ~members["ramping"]].index
        values = kpis(w.contacts[w.contacts["staff_id"].isin(pool)])[pip.kpi].dropna()
        rank = values.rank(ascending=(pip.kpi == "aht_s" and False) or pip.kpi != "aht_s")[pip.staff_id]
        assert rank <= len(pips) + 2  # among the weakest (a few PIPs share the pool)
        assert pip.note_zh_tw and pip.note_en


@pytest.mark.parametrize("org", ORGS)
def test_the_calendar_follows_the_history(org: str) -> None:
    w = world(org)
    cal = appraisal_calendar(w)
    assert cal.history_end == w.spec.start_date + dt.timedelta(days=w.days - 1)
    assert cal.period_start.day == 1 and cal.period_start > cal.history_end
    assert cal.period_months[0] == cal.period_start.strftime("%Y-%m") and len(set(cal.period_months)) == 3
    assert cal.period_end.strftime("%Y-%m") == cal.period_months[2] and (cal.period_end + dt.timedelta(days=1)).day == 1
    assert set(w.contacts["date"].str.slice(0, 7)) >= set(history_months(w))
    assert max(turnover_months(w)) < min(history_months(w))


@pytest.mark.parametrize("org", ORGS)
def test_role_activity_is_persistent_per_person_and_in_range(org: str) -> None:
    w = world(org)
    history, review = w.role_activity, w.truth["review_activity"]
    assert set(history["month"]) == set(history_months(w))
    assert set(review["month"]) == set(appraisal_calendar(w).period_months)
    for frame in (history, review):
        for kpi, values in frame.groupby("kpi")["value"]:
            low, high = ACTIVITY_RANGES[str(kpi)]
            assert values.between(low, high).all(), kpi
    learning = history[history["kpi"] == "learning_hours"]
    assert set(learning["staff_id"]) == set(w.staff["staff_id"])
    # a person's history predicts their review period: the two correlate across people
    h = history.groupby(["staff_id", "kpi"])["value"].mean()
    r = review.groupby(["staff_id", "kpi"])["value"].mean()
    both = pd.concat([h, r], axis=1, keys=["h", "r"]).dropna()
    assert both.loc[(slice(None), "learning_hours"), :].corr().iloc[0, 1] > 0.5


@pytest.mark.parametrize("org", ORGS)
def test_the_review_period_reads_like_the_contacts_and_follows_each_member(org: str) -> None:
    w = world(org)
    review = w.truth["review_contacts"]
    assert set(review["month"]) == set(appraisal_calendar(w).period_months)
    handling = w.staff.loc[w.staff["role"].isin(["agent", "senior_agent"]), "staff_id"]
    assert set(review["staff_id"]) == set(handling)
    assert (review["qa_passed_sales"] <= review["sales"]).all() and (review["sales"] <= review["sales_eligible"]).all()
    assert (review["adherent_s"] <= review["scheduled_s"]).all() and (review["fcr_resolved"] <= review["handled"]).all()
    before, after = kpis(w.contacts), kpis(review)
    both = pd.concat([before["fcr"], after["fcr"]], axis=1, keys=["h", "r"]).dropna()
    assert both.corr().iloc[0, 1] > 0.5  # people stay who they are
    assert abs(after["aht_s"].median() / before["aht_s"].median() - 1) < 0.1


def test_the_new_tables_are_written_and_the_review_period_is_not(tmp_path: Path) -> None:
    w = world("ecommerce-cs")
    manifest = w.write(tmp_path)
    assert {"members", "pips", "role_activity"} <= set(manifest["tables"])
    written = {p.name for p in tmp_path.iterdir()}
    assert {"members.csv", "pips.csv", "role_activity.csv"} <= written
    text = json.dumps(manifest)
    for hidden in ("review_contacts", "review_activity", "review_leavers"):
        assert hidden in w.truth and hidden not in text and f"{hidden}.csv" not in written


def test_same_seed_same_section_and_review_other_seed_other() -> None:
    a, b = world_for("bank-cards", 9), world_for("bank-cards", 9)
    assert a.csv_bytes("members") == b.csv_bytes("members") and a.csv_bytes("pips") == b.csv_bytes("pips")
    assert a.truth["review_contacts"].equals(b.truth["review_contacts"])
    assert a.csv_bytes("members") != world_for("bank-cards", 10).csv_bytes("members")


@pytest.mark.parametrize("org", ORGS)
def test_decliners_are_clearly_worse_and_stars_clearly_better_than_their_history(org: str) -> None:
    from casekit.scenario.performance import _drift_kinds

    w = world(org)
    kinds = _drift_kinds(w.spec, w.seed, w.members)
    assert "star" in kinds.values() and "decline" in kinds.values()
    assert not set(kinds) & set(w.members.loc[w.members["ramping"] | (w.members["role"] == "team_leader"), "staff_id"])
    before, after = kpis(w.contacts), kpis(w.truth["review_contacts"])
    for staff_id, kind in kinds.items():
        if staff_id not in after.index:  # a support person: their activity moves instead
            continue
        sign = 1 if kind == "star" else -1
        assert sign * (before.loc[staff_id, "aht_s"] - after.loc[staff_id, "aht_s"]) > 0, (staff_id, kind)
        assert sign * (after.loc[staff_id, "contacts_per_hour"] - before.loc[staff_id, "contacts_per_hour"]) > 0
        assert sign * (after.loc[staff_id, "fcr"] - before.loc[staff_id, "fcr"]) > 0


@pytest.mark.parametrize("org", ORGS)
def test_with_targets_at_the_history_median_most_member_kpis_are_met(org: str) -> None:
    """The review period's calibration, on the contact KPIs of the section's handling members: targets at each
    member's monthly history median (months with >= 8 worked days), pooled review values."""
    w = world(org)
    handling = w.members.loc[w.members["role"].isin(["agent", "senior_agent"]), "staff_id"]
    c = w.contacts[w.contacts["staff_id"].isin(handling)].assign(month=lambda f: f["date"].str.slice(0, 7))
    c = c[c["month"].isin(history_months(w))]
    worked = c.groupby(["staff_id", "month"]).size()
    monthly = kpis(c, by=["staff_id", "month"]).loc[worked[worked >= 8].index]
    ids = ["adherence", "availability", "aht_s", "contacts_per_hour", "qa", "fcr", "csat", "conversion"]
    target = monthly.groupby(level="staff_id")[ids].median()
    actual = kpis(w.truth["review_contacts"].query("staff_id in @handling")).loc[target.index, ids]
    direction = pd.Series({k.id: k.direction for k in load_kpi_catalog()})[ids]
    met = (actual - target).mul(direction, axis=1) >= -1e-9
    assert 0.55 <= met.to_numpy().mean() <= 0.85
    assert met.all(axis=1).any()  # somebody meets every one
