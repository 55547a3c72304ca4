"""Auditing last period's payouts (P4.4): the seeded ledger, each audit tool finding its anomaly, the independent
recomputation agreeing with the calculator on clean data, and matching a candidate's findings to the truth."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from casekit.cases.t4_incentives import compute_payouts, parse_scheme
from casekit.cases.t4_incentives.audit import ANOMALY_KINDS, Anomaly, Ledger, last_full_month, payout_ledger
from casekit.cases.t4_incentives.audit_tools import (
    budget_variance,
    caps,
    concentration,
    eligibility,
    gaming_signals,
    pay_gaps,
    recompute,
    threshold_bunching,
)
from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.checks import anomalies_found, grading_context
from casekit.cases.t4_incentives.evidence import findings_html
from casekit.cases.t4_incentives.findings import (
    UNSUPPORTED_REASONS,
    AuditFinding,
    FindingError,
    assess_findings,
    match_findings,
    parse_findings,
)
from casekit.cases.t4_incentives.incumbent import incumbent_scheme
from casekit.cases.t4_incentives.profiles import find_anomalies
from casekit.cases.t4_incentives.scheme import SCHEME_ROLES, Scheme
from casekit.errors import UsageError
from casekit.grading import grade_submission
from casekit.i18n import catalog, t
from casekit.kpi import kpis
from casekit.scenario.spec import OrgSpec, find_spec, load_spec
from casekit.scenario.world import World, build_world


@pytest.fixture(scope="module")
def spec() -> OrgSpec:
    return load_spec(find_spec("bank-cards"))


@pytest.fixture(scope="module")
def world(spec: OrgSpec) -> World:
    return build_world(spec, 1, staff=120, days=75)


@pytest.fixture(scope="module")
def other_world() -> World:
    return build_world(load_spec(find_spec("telecom-support")), 2, staff=90, days=70)


@pytest.fixture(scope="module")
def ledger(world: World) -> Ledger:
    return payout_ledger(world)


@pytest.fixture(scope="module")
def clean(world: World) -> Ledger:
    return payout_ledger(world, inject=False)


def _of(ledger: Ledger, kind: str) -> list[Anomaly]:
    return [a for a in ledger.truth if a.kind == kind]


def _ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["staff_id"].astype(str))


# --- the incumbent scheme --------------------------------------------------------------------------------------


def test_incumbent_scheme_follows_the_spec(spec: OrgSpec) -> None:
    scheme = incumbent_scheme(spec)
    assert parse_scheme(json.loads(scheme.model_dump_json())) == scheme  # a valid scheme document
    card, commission = scheme.components
    assert card.type == "scorecard" and commission.type == "commission"
    assert [(m.kpi, m.weight) for m in card.measures] == [("qa", 0.4), ("fcr", 0.3), ("aht_s", 0.3)]
    assert [m.target for m in card.measures] == [88.0, spec.targets.fcr, spec.targets.aht_seconds]
    assert card.gates[0].kpi == "qa" and card.gates[0].threshold == 83.0  # five points under the QA target
    assert commission.gates == card.gates  # a commission per QA-passed sale
    # role pay: bonus share x mid base pay, three quarters of it on the scorecard when the centre sells
    assert card.pay == {"agent": 2700.0, "senior_agent": 3300.0, "team_leader": 4300.0}
    assert set(commission.pay) == {"agent", "senior_agent"}
    assert card.cap is not None and commission.cap is not None
    assert card.cap >= 1.1 * max(card.pay.values()) - 50
    assert incumbent_scheme(spec) == scheme  # deterministic
    smaller = incumbent_scheme(spec, headcount=spec.headcount // 2)
    assert smaller.components == scheme.components
    assert smaller.budget_per_period < scheme.budget_per_period


def test_incumbent_budget_is_about_the_expected_spend(world: World, clean: Ledger) -> None:
    report = budget_variance(clean)
    assert abs(report["variance_pct"]) < 20
    assert 3 < report["paid_pct_of_payroll"] < 15  # variable pay 5-20% of base pay for those paid


# --- the ledger ------------------------------------------------------------------------------------------------


def test_last_full_month(world: World, spec: OrgSpec) -> None:
    assert last_full_month(world) == "2026-02"  # 2026-01-05 .. 2026-03-20
    assert last_full_month(dataclasses.replace(world, days=91)) == "2026-03"
    assert last_full_month(dataclasses.replace(world, days=40)) == "2026-01"  # no full month: the most days


def test_the_ledger_is_deterministic(world: World, ledger: Ledger) -> None:
    again = payout_ledger(world)
    pd.testing.assert_frame_equal(again.paid, ledger.paid)
    assert again.truth == ledger.truth
    assert payout_ledger(world, seed=world.seed).truth == ledger.truth
    assert payout_ledger(world, seed=world.seed + 1).truth != ledger.truth


def test_the_clean_ledger_is_the_calculator_output(world: World, clean: Ledger) -> None:
    lines = compute_payouts(clean.scheme, world.contacts, world.staff, [clean.period]).lines
    pd.testing.assert_frame_equal(clean.paid.drop(columns=["name", "gender"]), lines)
    assert clean.truth == ()
    pay = world.pay
    assert clean.base_payroll == pay.loc[pay["month"] == "2026-02", "base_pay"].sum()


def test_exactly_the_seeded_anomalies(ledger: Ledger, clean: Ledger) -> None:
    assert sorted(a.kind for a in ledger.truth) == sorted(
        ["calculation_error", "calculation_error", "ineligible_payment", "over_cap", "gender_gap"]
    )
    assert set(ANOMALY_KINDS) == {a.kind for a in ledger.truth}
    people = [s for a in ledger.truth for s in a.staff_ids]
    assert len(people) == len(set(people))  # each anomaly touches different people
    assert all(a.period == ledger.period == "2026-02" for a in ledger.truth)
    # the paid ledger differs from the clean one on the anomalies' lines only
    key = ["period", "staff_id", "component"]
    both = ledger.paid.merge(clean.paid, on=key, how="outer", suffixes=("", "_clean"))
    changed = both[(both["amount"] - both["amount_clean"].fillna(0.0)).abs() > 0.005]
    assert _ids(changed) == set(people)
    gap = _of(ledger, "gender_gap")[0]
    assert 0.75 - 0.01 <= gap.paid / gap.expected <= 0.85 + 0.01  # a 15-25% cut
    for a in ledger.truth:
        assert a.note_key in catalog("en")
        assert a.describe("en") != a.describe("zh-TW")


def test_a_world_too_small_to_seed_is_refused(spec: OrgSpec) -> None:
    tiny = build_world(spec, 1, staff=8, days=40)
    with pytest.raises(UsageError):
        payout_ledger(tiny)
    assert payout_ledger(tiny, inject=False).truth == ()


# --- each tool finds its anomaly -------------------------------------------------------------------------------


def test_recompute_finds_the_calculation_errors_and_only_those(ledger: Ledger, world: World) -> None:
    out = recompute(ledger, world)
    calc = {a.staff_ids[0]: a for a in _of(ledger, "calculation_error")}
    mismatch = out[out["issue"] == "mismatch"]
    assert _ids(mismatch) == set(calc) and len(mismatch) == 2
    for row in mismatch.to_dict("records"):
        a = calc[row["staff_id"]]
        assert (row["component"], row["paid"], row["expected"]) == (a.component, a.paid, a.expected)
        assert row["difference"] == pytest.approx(a.paid - a.expected)


def test_recompute_labels_the_other_anomalies(ledger: Ledger, world: World) -> None:
    out = recompute(ledger, world)
    by_issue = {issue: _ids(g) for issue, g in out[out["issue"] != "ok"].groupby("issue")}
    assert by_issue["ineligible"] == set(_of(ledger, "ineligible_payment")[0].staff_ids)
    assert by_issue["over_cap"] == set(_of(ledger, "over_cap")[0].staff_ids)
    assert by_issue["rate"] == set(_of(ledger, "gender_gap")[0].staff_ids)
    assert set(by_issue) == {"mismatch", "ineligible", "over_cap", "rate"}


def test_caps_finds_the_line_over_its_cap(ledger: Ledger) -> None:
    a = _of(ledger, "over_cap")[0]
    out = caps(ledger)
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["staff_id"], row["component"], row["level"]) == (a.staff_ids[0], a.component, "component")
    assert row["amount"] == a.paid and row["excess"] == pytest.approx(a.paid - row["cap"])


def test_caps_checks_the_per_person_cap(clean: Ledger) -> None:
    tight = clean.scheme.model_copy(update={"cap_per_person": 3000.0})
    out = caps(dataclasses.replace(clean, scheme=tight))
    per_person = clean.paid.groupby("staff_id")["amount"].agg(["sum", "size"])
    assert _ids(out) == set(per_person.index[per_person["sum"] > 3000 + 0.005 * per_person["size"]])
    assert set(out["level"]) == {"person"}


def test_eligibility_finds_the_ineligible_payment(ledger: Ledger, world: World) -> None:
    a = _of(ledger, "ineligible_payment")[0]
    out = eligibility(ledger, world)
    assert _ids(out) == set(a.staff_ids)
    row = out.iloc[0]
    assert row["amount"] == a.paid
    expected = "gate_failed" if a.note_key.endswith("gate_failed_paid") else "role_not_eligible"
    assert row["reason"] == expected


def test_eligibility_finds_a_support_role_paid(world: World) -> None:
    # the other variant of the anomaly: find a seed that adds a support-role person
    for seed in range(1, 30):
        led = payout_ledger(world, seed=seed)
        a = _of(led, "ineligible_payment")[0]
        if a.note_key.endswith("support_role_paid"):
            break
    else:
        pytest.fail("no seed added a support-role person")
    out = eligibility(led, world)
    assert list(out["reason"]) == ["role_not_eligible"] and _ids(out) == set(a.staff_ids)
    assert world.staff.set_index("staff_id").loc[a.staff_ids[0], "role"] not in SCHEME_ROLES
    assert set(recompute(led, world).query("issue == 'ineligible'")["staff_id"]) == set(a.staff_ids)


def test_pay_gaps_show_the_seeded_team(ledger: Ledger, clean: Ledger, world: World) -> None:
    a = _of(ledger, "gender_gap")[0]
    by_team = pay_gaps(ledger, world, ("team", "gender")).set_index("team")
    seeded = by_team.loc[a.team, "per_point_gap_pct"]
    others = by_team.drop(index=a.team)["per_point_gap_pct"].abs()
    assert seeded >= 15 and seeded > others.max() + 10
    # the women's results were not lower: the gap is not explained by performance
    assert by_team.loc[a.team, "score_women"] >= by_team.loc[a.team, "score_men"] - 0.05
    before = pay_gaps(clean, world, ("team", "gender")).set_index("team")
    assert by_team.loc[a.team, "bonus_mean_gap_pct"] > before.loc[a.team, "bonus_mean_gap_pct"] + 10
    assert (before["per_point_gap_pct"].abs() < 0.5).all()


def test_pay_gaps_follow_the_uk_method(clean: Ledger, world: World) -> None:
    overall = pay_gaps(clean, world)
    assert len(overall) == 1
    row = overall.iloc[0]
    people = clean.paid.groupby("staff_id").agg(bonus=("amount", "sum"), gender=("gender", "first"))
    women, men = people[people["gender"] == "F"], people[people["gender"] == "M"]
    assert (row["n_women"], row["n_men"]) == (len(women), len(men))
    assert row["bonus_share_women"] == pytest.approx((women["bonus"] > 0).mean(), abs=1e-4)
    wb, mb = women["bonus"][women["bonus"] > 0], men["bonus"][men["bonus"] > 0]  # among those paid a bonus
    assert row["bonus_mean_gap_pct"] == pytest.approx(100 * (mb.mean() - wb.mean()) / mb.mean(), abs=0.01)
    assert row["bonus_median_gap_pct"] == pytest.approx(100 * (mb.median() - wb.median()) / mb.median(), abs=0.01)
    assert np.isfinite(row["hourly_mean_gap_pct"]) and not row["small_group"]
    by_team = pay_gaps(clean, world, ("team", "gender"), min_group=5, lang="en")
    small = by_team[by_team["small_group"]]
    assert (small[["n_women", "n_men"]].min(axis=1) < 5).all()
    assert (small["note"].str.contains("fewer than 5")).all() and (
        by_team.loc[~by_team["small_group"], "note"] == ""
    ).all()
    assert len(pay_gaps(clean, world, ("role", "gender"))) == 3
    with pytest.raises(UsageError):
        pay_gaps(clean, world, ("team",))
    with pytest.raises(UsageError):
        pay_gaps(clean, world, ("gender", "no_such_column"))


# --- money totals and behaviour --------------------------------------------------------------------------------


def test_budget_variance(ledger: Ledger) -> None:
    report = budget_variance(ledger)
    total = ledger.paid["amount"].sum()
    assert report["paid_total"] == pytest.approx(total)
    assert report["budget"] == ledger.scheme.budget_per_period
    assert report["variance"] == pytest.approx(total - report["budget"])
    assert report["paid_pct_of_payroll"] == pytest.approx(100 * total / ledger.base_payroll, abs=0.01)
    assert report["people"] == ledger.paid["staff_id"].nunique()


def test_concentration(ledger: Ledger) -> None:
    report = concentration(ledger)
    per = ledger.paid.groupby("staff_id")["amount"].sum().sort_values(ascending=False)
    top = int(np.ceil(0.1 * len(per)))
    assert report["top10_people"] == top
    assert report["top10_share"] == pytest.approx(per.iloc[:top].sum() / per.sum(), abs=1e-4)
    assert 0 < report["gini"] < 1
    equal = ledger.paid.assign(amount=100.0, cash=True)
    assert concentration(dataclasses.replace(ledger, paid=equal))["gini"] == pytest.approx(0.0)


def test_threshold_bunching_counts_either_side_of_the_gate(ledger: Ledger, world: World) -> None:
    out = threshold_bunching(ledger, world)
    assert list(out["component"]) == ["scorecard", "commission"] and set(out["kind"]) == {"gate"}
    contacts = world.contacts[world.contacts["date"].str.startswith(ledger.period)]
    qa = kpis(contacts, "staff_id")["qa"].dropna()
    row = out.iloc[0]
    assert row["just_meeting"] == ((qa >= 83) & (qa < 83 + row["window"])).sum()
    assert row["just_missing"] == ((qa < 83) & (qa >= 83 - row["window"])).sum()
    assert row["ratio"] == pytest.approx(row["just_meeting"] / row["just_missing"])


def test_threshold_bunching_sees_results_steered_to_the_line(ledger: Ledger, world: World) -> None:
    contacts = world.contacts.copy()
    month = contacts["date"].str.startswith(ledger.period) & (contacts["qa_evals"] > 0)
    qa = kpis(contacts[month], "staff_id")["qa"]
    # everyone up to six points under the gate re-marked to land half a point over it
    lift = (83.5 - qa[(qa >= 77) & (qa < 83)]).rename("lift")
    rows = month & contacts["staff_id"].isin(lift.index)
    contacts.loc[rows, "qa_score"] += contacts.loc[rows, "staff_id"].map(lift)
    steered = dataclasses.replace(world, tables={**world.tables, "contacts": contacts})
    before = threshold_bunching(ledger, world).iloc[0]
    after = threshold_bunching(ledger, steered).iloc[0]
    assert after["just_missing"] == 0 and after["just_meeting"] >= before["just_meeting"] + len(lift) - 1
    assert after["bunching"] and not before["bunching"]


def test_gaming_signals_flag_rushed_calls(world: World) -> None:
    base = gaming_signals(world)
    assert set(base["level"]) == {"person", "team"}
    assert len(base[base["level"] == "team"]) == world.staff["team"].nunique() - 1  # support handles no contacts
    contacts = world.contacts.copy()
    month = contacts["date"].str.slice(0, 7).map({"2026-01": 1.0, "2026-02": 0.85, "2026-03": 0.7})
    rusher = contacts["staff_id"] == "E0001"
    for col in ("talk_s", "hold_s", "acw_s"):
        contacts.loc[rusher, col] = (contacts.loc[rusher, col] * month[rusher]).round().astype("int64")
    contacts.loc[rusher, "fcr_resolved"] = (contacts.loc[rusher, "fcr_resolved"] * month[rusher]).astype("int64")
    out = gaming_signals(dataclasses.replace(world, tables={**world.tables, "contacts": contacts})).set_index("id")
    assert out.loc["E0001", "signal"]
    assert out.loc["E0001", "aht_change_pct"] < -10 and out.loc["E0001", "fcr_change_pts"] < -5
    assert out["signal"].sum() <= base["signal"].sum() + 1


# --- independent recomputation equals the calculator on clean data ---------------------------------------------

KPI_RANGES = {
    "qa": (75.0, 95.0),
    "fcr": (0.65, 0.85),
    "aht_s": (320.0, 450.0),
    "csat": (0.75, 0.92),
    "adherence": (0.82, 0.95),
    "conversion": (0.05, 0.12),
}


@st.composite
def schemes(draw: st.DrawFn) -> Scheme:
    def level(kpi: str) -> float:
        lo, hi = KPI_RANGES[kpi]
        return round(draw(st.floats(lo, hi)), 3)

    components: list[dict[str, Any]] = []
    for k in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["commission", "threshold_bonus", "tiered", "scorecard", "team_bonus", "non_cash"]))
        roles = draw(st.lists(st.sampled_from(SCHEME_ROLES), min_size=1, max_size=3, unique=True))
        pay = {r: float(draw(st.sampled_from([30, 500, 1500, 3200]))) for r in roles}
        c: dict[str, Any] = {"id": f"c{k}", "type": kind, "pay": pay}
        kpi = draw(st.sampled_from(sorted(KPI_RANGES)))
        if kind in ("threshold_bonus", "tiered", "non_cash"):
            c["measures"] = [{"kpi": kpi, "target": level(kpi)}]
        if kind == "tiered":
            c["bands"] = [{"threshold": level(kpi), "fraction": f} for f in draw(st.sampled_from([[0.5, 1.0], [1.0]]))]
        if kind == "non_cash":
            c["non_cash_kind"] = draw(st.sampled_from(["competition", "time_off"]))
            c["top_n"] = draw(st.integers(1, 6))
        if kind in ("scorecard", "team_bonus"):
            kpis_ = draw(st.lists(st.sampled_from(sorted(KPI_RANGES)), min_size=1, max_size=3, unique=True))
            weights = [0.5, 0.5] if len(kpis_) == 2 else [0.4, 0.3, 0.3] if len(kpis_) == 3 else [1.0]
            lvl = "team" if kind == "team_bonus" else draw(st.sampled_from(["individual", "team"]))
            c["measures"] = [
                {"kpi": q, "target": level(q), "weight": w, "level": lvl} for q, w in zip(kpis_, weights, strict=True)
            ]
            c["achievement_cap"] = draw(st.sampled_from([1.0, 1.2, 1.5]))
        gate = draw(st.sampled_from([None, "qa", "adherence", "aht_s"]))
        if gate:
            c["gates"] = [{"kpi": gate, "threshold": level(gate)}]
        if draw(st.booleans()):
            c["cap"] = float(draw(st.sampled_from([800, 2500, 4000])))
        components.append(c)
    cap_per_person = draw(st.sampled_from([None, 2000.0, 5000.0]))
    return parse_scheme({"budget_per_period": 100000, "cap_per_person": cap_per_person, "components": components})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=schemes(), which=st.sampled_from(["world", "other_world"]))
def test_recompute_equals_the_calculator_on_clean_data(scheme: Scheme, which: str, request: Any) -> None:
    w: World = request.getfixturevalue(which)
    led = payout_ledger(w, inject=False, scheme=scheme)
    out = recompute(led, w)
    assert (out["issue"] == "ok").all()
    assert (out["paid"] == out["expected"]).all()  # exactly, to the cent
    assert out["paid_units"].equals(out["units"]) and out["paid_rate"].equals(out["rate"])
    lines = led.paid.sort_values(["period", "staff_id", "component"]).reset_index(drop=True)
    assert list(out["eligible"]) == list(lines["eligible"])
    assert list(out["gates_passed"]) == list(lines["gates_passed"])
    assert eligibility(led, w).empty
    assert caps(led).empty


def test_the_incumbent_recomputes_exactly_on_another_organisation(other_world: World) -> None:
    led = payout_ledger(other_world, inject=False)
    assert (recompute(led, other_world)["difference"] == 0).all()
    seeded = payout_ledger(other_world)
    out = recompute(seeded, other_world)
    calc = {s for a in _of(seeded, "calculation_error") for s in a.staff_ids}
    assert _ids(out[out["issue"] == "mismatch"]) == calc


# --- the candidate's findings ----------------------------------------------------------------------------------


def _finding(kind: str, staff_ids: list[str], **extra: Any) -> AuditFinding:
    data: dict[str, Any] = {
        "kind": kind,
        "staff_ids": staff_ids,
        "period": "2026-02",
        "description": "found in the audit",
        "corrective_action": "correct the payment in the next payroll and tighten the control",
    }
    return AuditFinding.model_validate({**data, **extra})


def _all_found(ledger: Ledger) -> list[AuditFinding]:
    out = []
    for a in ledger.truth:
        ids = list(a.staff_ids) if a.kind != "gender_gap" else []
        extra = {"team": a.team} if a.kind == "gender_gap" else {}
        out.append(_finding(a.kind, ids, **extra))
    return out


def test_match_findings_all_found(ledger: Ledger) -> None:
    matches = match_findings(_all_found(ledger), ledger.truth)
    assert [m.anomaly for m in matches] == list(ledger.truth)
    assert all(m.found for m in matches)
    assert [m.finding for m in matches] == list(range(len(ledger.truth)))


def test_match_findings_one_missed(ledger: Ledger) -> None:
    findings = _all_found(ledger)
    over = next(k for k, a in enumerate(ledger.truth) if a.kind == "over_cap")
    del findings[over]
    found = {m.anomaly.kind: m.found for m in match_findings(findings, ledger.truth)}
    assert found["over_cap"] is False
    assert sum(m.found for m in match_findings(findings, ledger.truth)) == len(ledger.truth) - 1


def test_match_findings_wrong_staff_id_or_kind(ledger: Ledger) -> None:
    calc = _of(ledger, "calculation_error")
    wrong_id = [_finding("calculation_error", ["E9999"])]
    assert not any(m.found for m in match_findings(wrong_id, calc))
    wrong_kind = [_finding("over_cap", [calc[0].staff_ids[0]])]
    assert not any(m.found for m in match_findings(wrong_kind, calc))
    # one finding naming both people counts for one of the two anomalies only
    both = [_finding("calculation_error", [a.staff_ids[0] for a in calc])]
    assert [m.found for m in match_findings(both, calc)] == [True, False]


def test_match_findings_gender_gap_by_team_or_person(ledger: Ledger) -> None:
    gap = _of(ledger, "gender_gap")
    team = gap[0].team or ""
    in_text = _finding("gender_gap", [], description=f"women in team {team.lower()} are paid less per point")
    by_person = _finding("gender_gap", [gap[0].staff_ids[-1]])
    other_team = _finding("gender_gap", [], team="T99", description="women in T99 are paid less")
    assert match_findings([in_text], gap)[0].found
    assert match_findings([by_person], gap)[0].found
    assert not match_findings([other_team], gap)[0].found
    assert not match_findings([_finding("other", [], team=team)], gap)[0].found


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "fraud"}, "kind"),
        ({"period": "Feb 2026"}, "period"),
        ({"description": "x" * 2001}, "description"),
        ({"corrective_action": ""}, "corrective_action"),
        ({"staff_ids": ["E 1"]}, "staff_ids"),
        ({"severity": "high"}, "severity"),
    ],
)
def test_finding_validation_names_the_field(change: dict[str, Any], field: str) -> None:
    good = _finding("other", []).model_dump()
    with pytest.raises(ValidationError) as exc:
        AuditFinding.model_validate({**good, **change})
    assert field in str(exc.value)
    with pytest.raises(FindingError) as err:
        parse_findings([good, {**good, **change}], "answer.json")
    assert [p.field for p in err.value.problems] == [field]
    assert f"answer.json[1]: {field}" in err.value.render("en")


def test_parse_findings_collects_every_problem() -> None:
    good = _finding("over_cap", ["E0001"]).model_dump()
    assert parse_findings([good]) == [_finding("over_cap", ["E0001"])]
    with pytest.raises(FindingError) as err:
        parse_findings([{**good, "kind": "x"}, {**good, "period": "2026-13", "description": ""}])
    assert sorted(p.field for p in err.value.problems) == ["description", "kind", "period"]
    with pytest.raises(FindingError):
        parse_findings({"kind": "other"})


def test_catalogs_name_every_kind() -> None:
    for lang in ("en", "zh-TW"):
        messages = catalog(lang)
        for kind in (*ANOMALY_KINDS, "other"):
            assert f"t4audit.kind_{kind}" in messages
        for reason in UNSUPPORTED_REASONS:
            assert f"t4audit.unsupported_{reason}" in messages


# --- matching on specific evidence, one to one (issue 9, point 4) ------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "answers_t4_v1"


def _teams(world: World) -> list[str]:
    return sorted(str(tm) for tm in world.staff["team"].unique())


def _reasons(findings: list[AuditFinding], ledger: Ledger, world: World) -> list[tuple[int, str]]:
    return [(u.finding, u.reason) for u in assess_findings(findings, ledger, teams=_teams(world)).unsupported]


def _check(world: World, findings: list[AuditFinding]) -> tuple[bool, dict[str, Any]]:
    context = grading_context({"findings": [f.model_dump() for f in findings]}, world)
    outcome = anomalies_found(context, {"min_found": "all"})
    return outcome.met, dict(outcome.evidence)


def test_a_catch_all_answer_finds_nothing(ledger: Ledger, world: World) -> None:
    everyone = sorted(set(ledger.paid["staff_id"].astype(str)))
    # the right kind, period and component for every seeded anomaly, but every staff id of the ledger
    findings = [_finding(a.kind, everyone, component=a.component) for a in ledger.truth]
    result = assess_findings(findings, ledger, teams=_teams(world))
    assert result.found == 0 and not any(m.found for m in match_findings(findings, ledger.truth))
    assert _reasons(findings, ledger, world) == [(k, "too_many_people") for k in range(len(findings))]
    met, evidence = _check(world, findings)
    assert not met and evidence["found"] == 0 and len(evidence["missed"]) == len(ledger.truth)
    assert evidence["unsupported"] == [
        {"finding": k + 1, "kind": f.kind, "reason": "too_many_people"} for k, f in enumerate(findings)
    ]


def test_naming_too_many_people_does_not_count(ledger: Ledger, world: World) -> None:
    calc = _of(ledger, "calculation_error")[0]
    others = sorted(set(ledger.paid["staff_id"].astype(str)) - set(calc.staff_ids))
    person = calc.staff_ids[0]
    # at least half of the staff ids named must be the anomaly's people: one other person is all right, two not
    one_more = _finding("calculation_error", [person, others[0]])
    two_more = _finding("calculation_error", [person, others[0], others[1]])
    assert match_findings([one_more], [calc])[0].found
    assert not match_findings([two_more], [calc])[0].found
    assert _reasons([two_more], ledger, world) == [(0, "too_many_people")]
    # the gap's people by the same rule: all of the women of the team and as many others at most
    gap = _of(ledger, "gender_gap")[0]
    women = list(gap.staff_ids)
    assert match_findings([_finding("gender_gap", women + others[: len(women)])], [gap])[0].found
    assert not match_findings([_finding("gender_gap", women + others[: len(women) + 1])], [gap])[0].found


def test_a_gender_gap_description_naming_every_team_does_not_count(ledger: Ledger, world: World) -> None:
    gap = _of(ledger, "gender_gap")[0]
    assert gap.team
    teams = _teams(world)
    other = next(tm for tm in teams if tm != gap.team)
    every = _finding("gender_gap", [], component=gap.component, description=f"women paid less in {', '.join(teams)}")
    two = _finding("gender_gap", [], description=f"women in {other} and in {gap.team} are paid less")
    assert assess_findings([every], ledger, teams=teams).found == 0
    assert _reasons([every, two], ledger, world) == [(0, "several_teams"), (1, "several_teams")]
    # given the truth alone, the teams known are the anomalies' own (the gap's and the others'): still several
    assert not match_findings([every], ledger.truth)[ledger.truth.index(gap)].found
    _, evidence = _check(world, [every])
    assert evidence["found"] == 0 and evidence["unsupported"][0]["reason"] == "several_teams"
    # the team alone, in the description or in its field, counts; the field naming another team does not
    alone = _finding("gender_gap", [], description=f"women in team {gap.team} are paid less per point")
    field_ = _finding("gender_gap", [], team=gap.team.lower(), description=f"women paid less in {', '.join(teams)}")
    wrong_field = _finding("gender_gap", [], team=other, description=f"women in team {gap.team} are paid less")
    assert [assess_findings([f], ledger, teams=teams).found for f in (alone, field_, wrong_field)] == [1, 1, 0]
    assert _reasons([wrong_field], ledger, world) == [(0, "wrong_people")]


def test_an_invented_finding_is_unsupported_and_changes_nothing(ledger: Ledger, world: World) -> None:
    real = _all_found(ledger)
    calc = _of(ledger, "calculation_error")[0]
    over = _of(ledger, "over_cap")[0]
    invented = [
        _finding("calculation_error", ["E9999"], description="an error nobody made"),
        _finding("over_cap", list(calc.staff_ids)),  # a real person, but not over a cap
        _finding("other", list(over.staff_ids)),
        _finding("calculation_error", list(calc.staff_ids), period="2026-01"),
        _finding("calculation_error", list(calc.staff_ids), component="no_such_component"),
        real[ledger.truth.index(calc)],  # the same finding twice counts once
    ]
    reasons = ["wrong_people", "wrong_people", "no_such_kind", "wrong_period", "wrong_component", "duplicate"]
    findings = real + invented
    result = assess_findings(findings, ledger, teams=_teams(world))
    assert result.found == len(ledger.truth)
    assert [m.finding for m in result.matches] == list(range(len(real)))
    assert _reasons(findings, ledger, world) == [(len(real) + k, r) for k, r in enumerate(reasons)]
    met, evidence = _check(world, findings)
    assert met and evidence["found"] == len(ledger.truth) and evidence["missed"] == []
    assert [(u["finding"], u["kind"], u["reason"]) for u in evidence["unsupported"]] == [
        (len(real) + k + 1, f.kind, r) for k, (f, r) in enumerate(zip(invented, reasons, strict=True))
    ]
    assert _check(world, invented)[1]["found"] == 1  # alone, only the duplicate of a real finding finds anything
    for u in result.unsupported:
        for lang in ("en", "zh-TW"):
            assert u.describe(lang) == t(f"t4audit.unsupported_{u.reason}", lang) != f"t4audit.unsupported_{u.reason}"


def test_a_correct_finding_still_matches(ledger: Ledger, world: World) -> None:
    precise = []
    for a in ledger.truth:
        ids = [s.lower() for s in a.staff_ids] if a.kind != "gender_gap" else list(a.staff_ids[:2])
        precise.append(_finding(a.kind, ids, component=(a.component or "").upper(), team=a.team))
    result = assess_findings(precise, ledger, teams=_teams(world))
    assert [m.finding for m in result.matches] == list(range(len(ledger.truth))) and not result.unsupported
    assert _check(world, precise) == (
        True,
        {"found": len(ledger.truth), "seeded": len(ledger.truth), "missed": [], "unsupported": []},
    )


def test_one_finding_cannot_count_for_two_anomalies(ledger: Ledger, world: World) -> None:
    calc = _of(ledger, "calculation_error")
    assert len(calc) == 2
    both = _finding("calculation_error", [a.staff_ids[0] for a in calc])
    assert assess_findings([both], ledger).found == 1
    assert [m.finding for m in match_findings([both], calc)] == [0, None]
    # the assignment is the best one, not the first come: with a finding for the first alone, both are found
    first = _finding("calculation_error", [calc[0].staff_ids[0]])
    assert [m.finding for m in match_findings([both, first], calc)] == [1, 0]
    # many copies of every correct finding (the answer's limit is 200): each anomaly once, the rest duplicates
    copies = (_all_found(ledger) * 40)[:200]
    result = assess_findings(copies, ledger, teams=_teams(world))
    assert result.found == len(ledger.truth) and [m.finding for m in result.matches] == list(range(5))
    assert {u.reason for u in result.unsupported} == {"duplicate"} and len(result.unsupported) == 195


@pytest.mark.parametrize("which", ["world", "other_world"])
def test_the_simulated_auditors_get_their_verdicts(which: str, request: Any) -> None:
    """strong and competent record every finding the tools show; missed_anomalies only two kinds of them."""
    w: World = request.getfixturevalue(which)
    case = T4Case(w.spec.name, w.seed, "auditor", "en", world=w)
    careful = find_anomalies(case)
    met, evidence = _check(w, careful)
    assert met and evidence["found"] == 5 and evidence["unsupported"] == []
    partial = find_anomalies(case, ("calculation_error", "over_cap"))
    met, evidence = _check(w, partial)
    assert not met and evidence["found"] == 3 and evidence["unsupported"] == []


def test_the_evidence_page_marks_unsupported_findings(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "v1-strong.json").read_text(encoding="utf-8"))
    real = list(doc["findings"])
    invented = {
        **real[0],
        "staff_ids": ["E9999"],
        "description": "<script>alert('x')</script> an error nobody made",
        "corrective_action": "<b>recover</b> it",
    }
    path = tmp_path / "answer.json"
    path.write_text(json.dumps({**doc, "findings": [*real, invented]}, ensure_ascii=False), encoding="utf-8")
    graded = grade_submission(path)
    c09 = next(c for c in graded.result.criteria if c.id == "T4-C09")
    assert c09.state == "met" and c09.evidence["found"] == 5
    assert c09.evidence["unsupported"] == [
        {"finding": len(real) + 1, "kind": real[0]["kind"], "reason": "wrong_people"}
    ]
    for lang in ("en", "zh-TW"):
        page = findings_html(graded, lang)
        assert "<script>" not in page and "<b>recover" not in page
        assert "&lt;script&gt;" in page and "&lt;b&gt;recover&lt;/b&gt;" in page
        matched, unsupported = page.split(t("t4evidence.h_unsupported", lang))
        unsupported = unsupported.split(t("t4audit.heading_recompute", lang))[0]  # the grader's tables follow
        assert t("t4evidence.h_matched", lang) in matched and "nobody made" not in matched
        assert matched.count("<tr><td>") == len(real)  # the matched findings first, one row each
        assert unsupported.count("<tr><td>") == 1 and "nobody made" in unsupported
        assert t("t4evidence.unsupported", lang) in unsupported
        assert t("t4audit.unsupported_wrong_people", lang) in unsupported
        assert not re.search(r"\bt4(?:evidence|audit)\.[a-z_]+", page)  # every message found in the catalogs
    # with nothing unsupported, no unsupported table
    clean = grade_submission(FIXTURES / "v1-strong.json")
    assert t("t4evidence.h_unsupported", "en") not in findings_html(clean, "en")
