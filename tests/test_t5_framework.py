"""T5's legal framework: the obligations catalog validated with every problem named, which obligations apply to
each organisation (industry, size, staff), whom each concerns, and a register's problems of each kind."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import get_args

import pandas as pd
import pytest

from casekit.cases.t5_compliance import framework as fw
from casekit.cases.t5_compliance.answer import SCOPES, FrameworkEntry
from casekit.errors import StandardDataError
from casekit.i18n import LANGS
from casekit.scenario import World, world_for
from casekit.scenario.legal_catalogs import (
    RECORDS,
    load_obligations,
    parse_obligations,
)
from casekit.scenario.legal_catalogs import SCOPES as CATALOG_SCOPES
from casekit.scenario.spec import Exposure, load_spec
from casekit.scenario.world import build_world

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")
DATA = Path(__file__).parent.parent / "casekit" / "data"
INDUSTRY = {"bank_48", "fcpa_9", "fcpa_10", "tma_9"}


@cache
def world(org: str, seed: int = 0) -> World:
    return world_for(org, seed)


@cache
def small(staff: int) -> World:
    return build_world(load_spec(Path(__file__).parent.parent / "scenarios" / "ecommerce-cs.yaml"), 0, staff=staff)


def ids(org_world: World) -> set[str]:
    return {o.id for o in fw.applicable(org_world.spec, org_world.staff)}


def people(n: int, *, hourly: int = 0, roles: tuple[str, ...] = ("agent", "team_leader")) -> pd.DataFrame:
    """A hand-built staff list of ``n``: the roles in turn, the first ``hourly`` paid by the hour."""
    return pd.DataFrame(
        {
            "staff_id": [f"E{i:04d}" for i in range(1, n + 1)],
            "role": [roles[i % len(roles)] for i in range(n)],
            "pay_basis": ["hourly" if i < hourly else "monthly" for i in range(n)],
            "hire_date": ["2024-01-01"] * n,
        }
    )


# --- the catalog ---------------------------------------------------------------------------------------------


def test_the_catalog_covers_every_article_the_issue_names() -> None:
    cat = load_obligations()
    cited = {(o.law, o.article.split(" ")[0]) for o in cat.obligations}
    named = {
        "lsa": ("§21", "§24", "§30", "§32", "§35", "§36", "§38", "§39", "§70"),
        "gea": ("§7", "§10", "§13"),
        "esa": ("§5",),
        "pdpa": ("§6", "§8", "§19", "§20", "§27"),
        "cpa": ("§18", "§19"),
        "fta": ("§21", "§25"),
        "banking": ("§48",),
        "fcpa": ("§9", "§10"),
        "tma": ("§9",),
    }
    assert {(law, a) for law, arts in named.items() for a in arts} <= cited
    assert {o.article for o in cat.obligations if o.law == "esa"} == {"§5 I", "§5 II"}
    laws = {law.id: law for law in cat.laws}
    assert laws["lsa"].label("zh-TW") == "勞動基準法" and laws["tma"].label("en") == "Telecommunications Management Act"
    assert cat.citation(cat.get("lsa_32"), "zh-TW") == "勞動基準法 §32 II"  # type: ignore[arg-type]


def test_every_obligation_is_bilingual_scoped_and_proved_by_known_tables() -> None:
    cat = load_obligations()
    assert set(CATALOG_SCOPES) == set(SCOPES)  # the answer model takes the catalog's scopes
    for o in cat.obligations:
        assert o.scope in SCOPES and o.records and set(o.records) <= set(RECORDS), o.id
        for lang in LANGS:
            assert o.title(lang) and o.duty(lang), o.id
        assert o.title("zh-TW") != o.title("en")
    used = {o.applies.exposure for o in cat.obligations}
    assert set(get_args(Exposure)) <= used  # every exposure a spec can name has its obligations
    assert cat.schedulers == ("team_leader", "workforce_planner")


def test_a_bad_obligations_catalog_names_the_file_and_every_field_wrong() -> None:
    text = (DATA / "obligations.yaml").read_text(encoding="utf-8")
    assert parse_obligations(text) == load_obligations()
    with pytest.raises(StandardDataError) as schema:
        parse_obligations(text.replace("scope: applicants", "scope: job_seekers", 1), "ob.yaml")
    assert "ob.yaml: obligations[14].scope" in schema.value.render("en")
    with pytest.raises(StandardDataError) as records:
        parse_obligations(text.replace("records: [attendance]", "records: [timesheets]", 1))
    assert {p.field for p in records.value.problems} == {"obligations[3].records[0]"}
    wrong = (
        text.replace("law: gea", "law: gender_act", 1)  # obligations[10]
        .replace("exposure: telecom", "exposure: telecoms", 1)  # obligations[30]
        .replace("id: lsa_24", "id: lsa_21", 1)  # obligations[2]
        .replace("min_headcount: 10, max_headcount: 29", "min_headcount: 30, max_headcount: 29", 1)  # [12]
        .replace("[team_leader, workforce_planner]", "[team_leader, roster_clerk]", 1)
        .replace("records: [leave, staff]", "records: [leave, leave]", 1)  # obligations[7]
        .replace("- {id: fta,", "- {id: cpa,", 1)  # laws[5]
    )
    with pytest.raises(StandardDataError) as refs:
        parse_obligations(wrong, "ob.yaml")
    fields = {p.field: p.expected for p in refs.value.problems}
    assert fields == {
        "laws[5].id": "expect.unique_items",
        "obligations[2].id": "expect.unique_items",
        "scope_roles.schedulers": "expect.known_role",
        "obligations[7].records": "expect.unique_items",
        "obligations[10].law": "expect.one_of",
        "obligations[12].applies": "expect.min_le_max",
        "obligations[24].law": "expect.one_of",  # fta's law id is gone: both fta obligations name an unknown law
        "obligations[25].law": "expect.one_of",
        "obligations[30].applies.exposure": "expect.one_of",
    }
    assert {p.file for p in refs.value.problems} == {"ob.yaml"}
    for lang in LANGS:
        assert "ob.yaml: obligations[30].applies.exposure" in refs.value.render(lang)


# --- which obligations apply ---------------------------------------------------------------------------------


def test_the_bank_has_consumer_credit_and_the_retailer_and_the_operator_do_not() -> None:
    bank, shop, telco = (ids(world(org)) for org in ORGS)
    assert {"bank_48", "fcpa_9", "fcpa_10"} <= bank and "tma_9" not in bank
    assert not shop & INDUSTRY
    assert "tma_9" in telco and not telco & {"bank_48", "fcpa_9", "fcpa_10"}
    for found in (bank, shop, telco):  # the laws every centre is under, and selling: consumer protection, fair trade
        assert {"lsa_21", "lsa_24", "lsa_32", "lsa_36", "gea_7", "esa_5_1", "esa_5_2", "pdpa_8", "pdpa_27"} <= found
        assert {"cpa_18", "cpa_19", "fta_21", "fta_25"} <= found
        assert "lsa_21_hourly" in found  # each has part-timers paid by the hour


@pytest.mark.parametrize("org", ORGS)
def test_at_30_staff_and_more_prevention_rules_and_work_rules_apply(org: str) -> None:
    found = ids(world(org))
    assert {"gea_13_prevention", "lsa_70"} <= found and "gea_13_channel" not in found


def test_a_centre_of_10_to_29_needs_a_complaint_channel_and_under_10_neither() -> None:
    twenty = ids(small(20))
    assert "gea_13_channel" in twenty and not twenty & {"gea_13_prevention", "lsa_70"}
    eight = ids(small(8))
    assert not eight & {"gea_13_channel", "gea_13_prevention", "lsa_70"}
    spec = small(20).spec
    for n, channel, prevention in ((9, False, False), (10, True, False), (29, True, False), (30, False, True)):
        found = {o.id for o in fw.applicable(spec, people(n))}
        assert ("gea_13_channel" in found, "gea_13_prevention" in found, "lsa_70" in found) == (
            channel,
            prevention,
            prevention,
        ), n


def test_the_hourly_minimum_wage_applies_only_where_someone_is_paid_by_the_hour() -> None:
    spec = world("ecommerce-cs").spec
    assert "lsa_21_hourly" not in {o.id for o in fw.applicable(spec, people(40))}
    hourly = {o.id: o for o in fw.applicable(spec, people(40, hourly=3))}["lsa_21_hourly"]
    assert hourly.staff_ids == ("E0001", "E0002", "E0003") and hourly.scope == "hourly_staff"


def test_an_exposure_the_spec_lacks_takes_its_obligations_away() -> None:
    w = world("telecom-support")
    spec = w.spec.model_copy(
        update={"regulatory": w.spec.regulatory.model_copy(update={"exposure": ["labour_standards"]})}
    )
    found = {o.id for o in fw.applicable(spec, w.staff)}
    assert found and all(i.startswith("lsa_") for i in found)


@pytest.mark.parametrize("org", ORGS)
def test_each_scope_resolves_to_the_people_it_concerns(org: str) -> None:
    w = world(org)
    staff = w.staff
    by_id = {o.id: o for o in fw.applicable(w.spec, staff)}
    assert by_id["lsa_24"].staff_ids == tuple(staff["staff_id"])
    assert set(by_id["lsa_21_hourly"].staff_ids) == set(staff.loc[staff["pay_basis"] == "hourly", "staff_id"])
    sellers = staff.loc[staff["role"].isin(["agent", "senior_agent"]), "staff_id"]
    assert by_id["fta_21"].staff_ids == tuple(sellers)
    assert by_id["esa_5_1"].staff_ids == () and by_id["pdpa_8"].staff_ids == ()
    assert fw.selling_roles(w.spec) == ("agent", "senior_agent")
    mask = fw.scope_mask("schedulers", by_id["lsa_24"].definition.applies, w.spec, staff)
    assert set(staff.loc[mask, "role"]) == {"team_leader", "workforce_planner"} & set(staff["role"])


def test_a_centre_whose_contacts_never_sell_has_no_selling_obligations() -> None:
    w = world("bank-cards")
    quiet = w.spec.model_copy(
        update={"performance": w.spec.performance.model_copy(update={"sales_eligible_share": 0.0})}
    )
    assert fw.selling_roles(quiet) == ()
    found = {o.id for o in fw.applicable(quiet, w.staff)}
    assert not found & {"fta_21", "fta_25", "fcpa_9", "fcpa_10"} and "bank_48" in found


def test_roles_and_pay_basis_conditions_narrow_an_obligation() -> None:
    text = (DATA / "obligations.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "applies: {exposure: labour_standards, min_headcount: 30}",
        "applies: {exposure: labour_standards, roles: [trainer], pay_basis: monthly}",
        1,
    )
    cat = parse_obligations(text)
    spec = world("ecommerce-cs").spec
    assert "lsa_70" not in {o.id for o in fw.applicable(spec, people(12), cat)}  # no trainer
    staff = people(12, hourly=12, roles=("agent", "trainer"))
    assert "lsa_70" not in {o.id for o in fw.applicable(spec, staff, cat)}  # the trainers are paid by the hour
    staff = people(12, hourly=2, roles=("agent", "trainer"))
    found = {o.id: o for o in fw.applicable(spec, staff, cat)}
    assert found["lsa_70"].staff_ids == tuple(f"E{i:04d}" for i in (4, 6, 8, 10, 12))


# --- the register's problems -----------------------------------------------------------------------------------


def perfect(w: World) -> list[tuple[str, str, str, list[str]]]:
    return [(o.id, o.scope, "A policy.", [o.records[0]]) for o in fw.applicable(w.spec, w.staff)]


@pytest.mark.parametrize("org", ORGS)
def test_a_complete_register_has_no_problems(org: str) -> None:
    w = world(org)
    assert fw.register_problems(perfect(w), w.spec, w.staff) == []
    entries = [FrameworkEntry(obligation=o, scope=s, policy=p, records=r) for o, s, p, r in perfect(w)]
    assert fw.register_problems(entries, w.spec, w.staff) == []


def test_a_register_problem_of_each_kind() -> None:
    w = world("ecommerce-cs")
    entries = [e for e in perfect(w) if e[0] != "lsa_36"]  # missing
    entries = [
        ("lsa_24", "all_staff", "Pay rules.", ["payslips", "job_ads", "contacts"]) if e[0] == "lsa_24" else e
        for e in entries
    ]
    entries = [("esa_5_2", "all_staff", "   ", []) if e[0] == "esa_5_2" else e for e in entries]
    entries += [("bank_48", "customers", "Secrecy.", ["data_events"]), ("lsa_99", "all_staff", "x", ["staff"])]
    found = fw.register_problems(entries, w.spec, w.staff)
    assert [(p.obligation, p.problem, p.given, p.expected) for p in found] == [
        ("lsa_24", "not_proof", "job_ads", "payslips, attendance, pay"),
        ("lsa_24", "not_proof", "contacts", "payslips, attendance, pay"),
        ("esa_5_2", "wrong_scope", "all_staff", "applicants"),
        ("esa_5_2", "no_records", "", "job_ads"),
        ("esa_5_2", "empty_policy", "", ""),
        ("bank_48", "not_applicable", "", ""),  # consumer credit in a retailer
        ("lsa_99", "unknown", "", ""),
        ("lsa_36", "missing", "", "all_staff"),
    ]
    assert {p.problem for p in found} == set(fw.REGISTER_PROBLEMS)
    for lang in LANGS:
        for p in found:
            text = p.message(lang)
            assert text and not text.startswith("t5law.") and "{" not in text
    assert "勞動基準法 §36 例假與休息日" in found[-1].message("zh-TW")
    assert "job applicants" in found[2].message("en") and "all staff" in found[2].message("en")


def test_labels_of_obligations_and_scopes() -> None:
    assert fw.obligation_label("gea_13_channel", "en") == (
        "Gender Equality in Employment Act §13 I A sexual-harassment complaint channel"
    )
    assert fw.obligation_label("nope", "en") == "nope"
    assert fw.scope_label("selling_roles", "zh-TW") == "負責銷售的角色" and fw.scope_label("x", "en") == "x"
    assert [o.id for o in fw.catalog()][:2] == ["lsa_21", "lsa_21_hourly"]
