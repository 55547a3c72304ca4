"""T5's next month (the world reacting to the breach register's fixes) and the validation of a spec's compliance
section."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS
from t5_simple_rules import consent_of, findings, truth_keys

from casekit.errors import ScenarioError
from casekit.scenario import World, parse_spec, world_for
from casekit.scenario.compliance import next_month, next_month_truth
from casekit.scenario.compliance_next import handlers, subject_of
from casekit.scenario.compliance_time import window_months

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")
CASES = [(o, s) for o in ORGS for s in (7, 11)]


@cache
def world(org: str, seed: int) -> World:
    return world_for(org, seed)


def _fixes(w: World, kind: str) -> dict[tuple[str, str], str]:
    handler = handlers(w.data_events, w.tables["complaints"])
    b = w.truth["compliance_breaches"]
    return {
        (r.rule, subject_of(r.rule, r.staff_id, r.ad_id, r.event_id, handler, r.complaint_id)): kind
        for r in b.itertuples()
    }


def _month_findings(w: World, month: dict[str, pd.DataFrame]) -> dict[Any, Any]:
    m = window_months(w.spec, 4)
    earlier = w.attendance[w.attendance["date"].str.slice(0, 7).isin(m[1:3])]
    tables = {**month, "attendance": pd.concat([earlier, month["attendance"]])}
    return {k: v for k, v in findings(tables, consent_of(w)).items() if m[3] in (k[2][:7], k[3]) or k[5] or k[6]}


def _subjects(truth: pd.DataFrame, *records: pd.DataFrame) -> set[tuple[str, str]]:
    """(rule, subject) of the people rules' breaches in ``truth`` (a data event's or a complaint's subject: its
    handler, from ``records``)."""
    handler = handlers(*records)
    people = truth[~truth["rule"].isin(["ad_ground", "ad_pay_range"])]
    return {
        (r.rule, subject_of(r.rule, r.staff_id, r.ad_id, r.event_id, handler, r.complaint_id))
        for r in people.itertuples()
    }


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_the_next_month_reacts_to_the_register(org: str, seed: int) -> None:
    w = world(org, seed)
    b = w.truth["compliance_breaches"]
    before = _subjects(b, w.data_events, w.tables["complaints"])
    breached_ads = set(b.loc[b["rule"].isin(["ad_ground", "ad_pay_range"]), "ad_id"])
    month4 = window_months(w.spec, 4)[3]
    for kind in ("none", "corrected", "prevented"):
        fixes = _fixes(w, kind)
        month = next_month(w, fixes)
        assert set(month) == {"attendance", "payslips", "data_events", "complaints", "job_ads_status"}
        assert set(month["attendance"]["date"].str.slice(0, 7)) == {month4} == set(month["payslips"]["month"])
        assert month["attendance"]["row_id"].min() > w.attendance["row_id"].max()
        assert month["data_events"]["event_id"].min() > w.data_events["event_id"].max()
        truth = next_month_truth(w, fixes)
        found = _month_findings(w, month)
        # the month holds exactly the breaches the seeding says recurred: everybody else stays compliant
        assert found == truth_keys(truth[~truth["rule"].isin(["ad_ground", "ad_pay_range"])])
        status = month["job_ads_status"].set_index("ad_id")["status"]
        assert set(status.index) == set(w.job_ads["ad_id"])
        assert set(status[status == "withdrawn"].index) == (breached_ads if kind != "none" else set())
        after = _subjects(truth, month["data_events"], month["complaints"])
        # a breach beyond the seeded ones only as a monthly overtime's recurrence on top of two long months
        assert all(r == "three_month_overtime" and ("monthly_overtime", who) in after for r, who in after - before)
        after &= before
        if kind == "none":
            gone = set(w.tables["separations"]["staff_id"])
            # every breach recurs, but for the people who left in the window (their breaches cannot)
            assert after == {(r, who) for r, who in before if who not in gone}
            assert next_month_truth(w, {}).equals(truth)  # no fix named: none
        elif kind == "prevented":
            assert truth.empty and not found
        else:
            assert after < before and 0.2 < len(after) / len(before) < 0.8  # recurs with probability 0.5
            assert truth.equals(next_month_truth(w, fixes))  # deterministic per seed
            again = next_month(w, fixes)
            assert all(again[k].equals(month[k]) for k in month)


def test_a_fix_may_name_the_subject_alone() -> None:
    w = world("bank-cards", 7)
    by_rule = _fixes(w, "prevented")
    by_subject = {who: kind for (_, who), kind in by_rule.items()}
    assert next_month_truth(w, by_subject).empty
    assert next_month(w, by_subject)["attendance"].equals(next_month(w, by_rule)["attendance"])


def _bad(mutate: Any) -> set[str]:
    data = yaml.safe_load((SCENARIOS / "ecommerce-cs.yaml").read_text(encoding="utf-8"))
    mutate(data["compliance"])
    with pytest.raises(ScenarioError) as err:
        parse_spec(yaml.safe_dump(data, allow_unicode=True), "bad.yaml")
    return {p.field for p in err.value.problems}


def test_the_compliance_section_is_validated() -> None:
    assert _bad(lambda c: c["seeded"]["three_month_overtime"].update(boundary=1)) == {
        "compliance.seeded.three_month_overtime.boundary"}  # fmt: skip
    assert _bad(lambda c: c.update(consent_months=[1, 1])) == {"compliance.consent_months", "compliance.consent_body"}
    assert _bad(lambda c: c["seeded"]["break"].update(decoys=0)) == {"compliance.seeded.break.decoys"}
    assert "compliance.seeded.rest_days" in _bad(lambda c: c["seeded"].pop("rest_days"))
    assert _bad(lambda c: c.update(data_purposes=["gossip"])) == {"compliance.data_purposes[0]"}
