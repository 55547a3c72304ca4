"""T5's world: the seven record tables at the law's grain, the seeded breaches and decoys exactly at their lines,
the background compliant (every rule recomputed plainly in :mod:`t5_simple_rules`), the next month reacting to the
register's fixes, and every older table byte-identical."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from t5_simple_rules import MULT, amount, complaint_last_day, consent_of, findings, floor_of, minutes, truth_keys

from casekit.cases.t1_recruitment.fairness import check_question
from casekit.months import days_in_month
from casekit.scenario import TABLES, World, build_world, load_spec, world_for
from casekit.scenario.catalogs import load_law
from casekit.scenario.compliance import T5_TABLES
from casekit.scenario.compliance_spec import seed_counts
from casekit.scenario.compliance_time import window_months
from casekit.scenario.spec import T5_RULES

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")
SEEDS = (7, 11)
CASES = [(o, s) for o in ORGS for s in SEEDS]
S, N, F, B, NI = "str", "int", "float", "bool", "Int64"
SCHEMAS = {
    "attendance": {"row_id": S, "staff_id": S, "date": S, "day_type": S, "start": S, "end": S, "break_minutes": N,
                   "normal_hours": F, "overtime_hours": F},
    "leave": {"staff_id": S, "date": S, "leave_type": S, "paid": B, "hours": N},
    "overtime_consent": {"month": S, "consented": B, "body": S, "agreed_on": S, "monthly_cap": N,
                         "three_month_cap": NI},
    "payslips": {"staff_id": S, "month": S, "pay_basis": S, "rate": N, "days_employed": N, "unpaid_leave_days": N,
                 "normal_hours": F, "overtime_hours": F, "base_paid": N, "overtime_paid": N, "gross_paid": N},
    "job_ads": {"ad_id": S, "date": S, "role": S, "text_zh_tw": S, "text_en": S, "pay_shown": S, "pay_min": NI,
                "pay_max": NI, "offered_pay": N},
    "data_events": {"event_id": S, "date": S, "staff_id": S, "channel": S, "collected": S, "notice_given": B,
                    "purpose": S},
    "reg_training": {"staff_id": S, "course": S, "completed": S},
    "separations": {"staff_id": S, "last_day": S},
    "complaints": {"complaint_id": S, "received": S, "channel": S, "category": S, "regime": S, "handled_by": S,
                   "replied": S, "status": S},
}  # fmt: skip
TRUTH = {"rule": S, "staff_id": S, "date": S, "month": S, "ad_id": S, "event_id": S, "complaint_id": S,
         "back_pay": N, "boundary": B, "rows": S}  # fmt: skip
# sha256 of the 18 tables before T5 (HEAD f05f2d8), bank-cards seed 7; and of all 18 hashes joined for two more
OLD_BANK_7 = {
    "staff": "2322390858aa0bbd8d51ba82b1876152eeb54e38b89b0e48955c7d3dc907b3be",
    "roles": "2308797f0b6dc13f7dccc00a8b4830e129258f629fdf4cd5911e667c78f12da8",
    "skills": "11e876656d08ee9d91a82738438f57ac617febf38ea86826c630d5b280f13e08",
    "contacts": "521b872c79e83253126e653db3864a313cf6a979d5d1f8e8d7761384ff22b657",
    "intervals": "65d3a99e144018a94bac78ca817995013e0e2397de0cb80ce335df53a6293ebc",
    "leavers": "64bc2efca16c1d7baeef71d4c8ecf72d5ed383e232f4bc212b82dd4d032c339d",
    "pay": "b9348af0e1f4f22f3eef4a34c73ef421c040f48c578b613dd23aef9fc0e21d75",
    "training": "48ede61f68bd4c4640be8c232b068e6d5a10128499c851522d02fdbb9a1ba0d9",
    "incidents": "113d80f8d3e9c0633695f762b348b2b2ff4ff0757535286da62a8a9afe1ec350",
    "vacancy": "9b908f9307217878be89ef5481e16e1e582748c2ec0c48691d252ff5773fbe28",
    "applicants": "fcbfcee4909041e9c3e7d618aa7369596196258f63b2cbc4041f354a97a1b619",
    "interview_kit": "823e4c86ba45443fdb7458bfffc4174711b33a4225998142961274c4f7ffeddc",
    "training_sessions": "6069087cc9b6dc9a9becc52625c1f992928f1901a635370a3c9176e1200029a9",
    "weeks": "f21a597e094f74645ecb3e2f76d9a7d90e9ad0d8db176e88593d016c3546eab9",
    "new_starters": "568b2bdfc243a076d8ad6b71b4ac71a4bc1b29e9b58d1311fcaa98dde6ceff01",
    "members": "f91d1b220a2df5f462b62cc1e51484d11a392047a0aeb580720d9bbd801f1308",
    "pips": "7f214223906359ac5f86b79746657f3529517c12776de208cf65284e224d7aee",
    "role_activity": "0e83229f16bed8fdf9b92d1ae0d9f96b4d6cfd714fd2b8dc86fa029cb8a901ab",
}
OLD_JOINED = {
    ("ecommerce-cs", 11): "f1a4edd2dbb8d41e420138a1b0560568888e8b17d13524f81ed61301be136f76",
    ("telecom-support", 7): "1f43f5662f9f44439caabe732149f6a192b5fc927f72d4d977734baa67b24313",
}


@cache
def world(org: str, seed: int) -> World:
    return world_for(org, seed)


def _joined(w: World) -> str:
    text = "".join(f"{n}:{hashlib.sha256(w.csv_bytes(n)).hexdigest()}\n" for n in TABLES[:18])
    return hashlib.sha256(text.encode()).hexdigest()


def test_the_tables_before_t5_are_byte_identical() -> None:
    assert TABLES[:18] == tuple(OLD_BANK_7) and TABLES[18:] == T5_TABLES
    w = world("bank-cards", 7)
    assert {n: hashlib.sha256(w.csv_bytes(n)).hexdigest() for n in OLD_BANK_7} == OLD_BANK_7
    for (org, seed), joined in OLD_JOINED.items():
        assert _joined(world(org, seed)) == joined, org


def _kind(series: pd.Series) -> str:
    if str(series.dtype) == "Int64":
        return NI
    if series.dtype == bool:
        return B
    if pd.api.types.is_integer_dtype(series):
        return N
    if pd.api.types.is_float_dtype(series):
        return F
    return S if all(isinstance(v, str) for v in series) else "mixed"


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_every_table_has_the_briefs_columns_and_types(org: str, seed: int) -> None:
    w = world(org, seed)
    for name, schema in [*SCHEMAS.items(), ("compliance_breaches", TRUTH), ("compliance_decoys", TRUTH)]:
        table = w.tables[name] if name in SCHEMAS else w.truth[name]
        assert list(table.columns) == list(schema), name
        assert {c: _kind(table[c]) for c in table.columns} == schema, name
        assert len(table) > 0, name
    assert len(w.overtime_consent) == 4 and w.overtime_consent["month"].tolist() == window_months(w.spec, 4)


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_attendance_holds_the_invariant_and_the_day_types(org: str, seed: int) -> None:
    w = world(org, seed)
    a = w.attendance
    start, end = a["start"].map(minutes), a["end"].map(minutes)
    worked = (a["normal_hours"] + a["overtime_hours"]) * 60
    assert (end > start).all() and (worked == end - start - a["break_minutes"]).all()
    assert ((a["normal_hours"] * 2) % 1 == 0).all() and ((a["overtime_hours"] * 2) % 1 == 0).all()
    holidays = {str(d) for d in load_law()["holidays"][2026]}
    weekday = pd.to_datetime(a["date"]).dt.day_of_week
    expected = np.where(weekday == 5, "rest_day", np.where(weekday == 6, "regular_leave", "workday"))
    expected = np.where(a["date"].isin(holidays), "holiday", expected)
    assert (a["day_type"] == expected).all()
    workday = a["day_type"] == "workday"
    assert (a.loc[workday, "normal_hours"] <= 8).all() and (a.loc[~workday, "normal_hours"] == 0).all()
    assert (a.loc[workday & (a["overtime_hours"] > 0), "normal_hours"] == 8).all()
    assert a["row_id"].is_unique and a["row_id"].tolist() == sorted(a["row_id"])
    assert set(a["date"].str.slice(0, 7)) == set(window_months(w.spec))
    hired = a.merge(w.staff[["staff_id", "hire_date"]], on="staff_id")
    assert (hired["date"] >= hired["hire_date"]).all()
    part = a["staff_id"].isin(w.staff.loc[w.staff["pay_basis"] == "hourly", "staff_id"])
    assert ((a.loc[part, "normal_hours"] + a.loc[part, "overtime_hours"]) == 4).all()
    assert (a.loc[part, "break_minutes"] == 0).all()
    full_day = ~part & workday & (a["normal_hours"] == 8)
    assert set(a.loc[full_day, "break_minutes"]) <= {0, 15, 29, 30, 60}  # 60, or a seeded break


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_leave_and_the_days_worked_agree(org: str, seed: int) -> None:
    w = world(org, seed)
    leave = w.leave
    assert set(leave["leave_type"]) <= {"annual", "sick", "personal"} and set(leave["hours"]) <= {4, 8}
    assert (leave["paid"] == (leave["leave_type"] != "personal")).all()
    both = leave.merge(w.attendance, on=["staff_id", "date"])
    assert (both["hours"] == 4).all() and (both["normal_hours"] == 4).all()  # a half-day's leave, half worked
    absent = w.spec.performance.absence_rate
    workdays = (w.attendance["day_type"] == "workday").sum()
    assert 0.3 * absent < len(leave) / (workdays + len(leave)) < 2 * absent


def _seeded(w: World) -> set[tuple[str, str]]:
    rows = pd.concat([w.truth["compliance_breaches"], w.truth["compliance_decoys"]])
    return set(zip(rows["staff_id"], rows["month"], strict=True))


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_payslips_follow_the_days_and_the_background_is_paid_to_the_dollar(org: str, seed: int) -> None:
    w = world(org, seed)
    att = w.attendance.assign(month=w.attendance["date"].str.slice(0, 7))
    sums = att.groupby(["staff_id", "month"])[["normal_hours", "overtime_hours"]].sum()
    slips = w.payslips.set_index(["staff_id", "month"])
    assert (slips[["normal_hours", "overtime_hours"]] == sums.reindex(slips.index, fill_value=0.0)).all().all()
    assert (slips["gross_paid"] == slips["base_paid"] + slips["overtime_paid"]).all()
    gone = dict(zip(w.tables["separations"]["staff_id"], w.tables["separations"]["last_day"], strict=True))
    months_of = {sid: [m for m in window_months(w.spec) if m <= gone.get(sid, "9999")[:7]]
                 for sid in w.staff["staff_id"]}  # fmt: skip
    assert len(slips) == sum(map(len, months_of.values()))  # everybody paid for every month they were employed in
    unpaid = w.leave[w.leave["leave_type"] == "personal"].assign(month=lambda x: x["date"].str.slice(0, 7))
    counts = unpaid.groupby(["staff_id", "month"]).size().reindex(slips.index, fill_value=0)
    assert (slips["unpaid_leave_days"] == counts).all()
    seeded, base = _seeded(w), dict(zip(w.staff["staff_id"], w.staff["base_pay"], strict=True))
    by_month = dict(list(att.groupby(["staff_id", "month"])))
    for s in w.payslips.itertuples():
        hired = dt.date.fromisoformat(w.staff.set_index("staff_id").at[s.staff_id, "hire_date"])
        first = dt.date.fromisoformat(f"{s.month}-01")
        last = dt.date.fromisoformat(gone.get(s.staff_id, "9999-12-31"))
        after = max(0, (dt.date.fromisoformat(f"{s.month}-{days_in_month(s.month)}") - last).days)
        assert s.days_employed == days_in_month(s.month) - max(0, (hired - first).days) - after
        if (s.staff_id, s.month) in seeded:
            continue
        assert s.rate == base[s.staff_id]
        assert s.overtime_paid == amount(by_month.get((s.staff_id, s.month), att.iloc[:0]), s.pay_basis, s.rate)
        if s.pay_basis == "hourly":
            assert s.base_paid == int(s.rate * s.normal_hours + 0.5)
        else:
            floor = floor_of(s.month, s.days_employed, s.unpaid_leave_days)
            assert s.base_paid == max(floor, floor_of(s.month, s.days_employed, s.unpaid_leave_days, s.rate))


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_leavers_end_in_the_window_at_the_turnover_rate_and_their_last_month_is_partial(org: str, seed: int) -> None:
    w = world(org, seed)
    sep = w.tables["separations"]
    window = window_months(w.spec)
    assert len(sep) == max(2, round(w.spec.turnover.annual_rate * len(w.staff) * 3 / 12))
    assert sep["staff_id"].is_unique and set(sep["staff_id"]) <= set(w.staff["staff_id"])
    roles = w.staff.set_index("staff_id").loc[sep["staff_id"], "role"]
    assert set(roles) <= {"agent", "senior_agent"}
    for sid, last in zip(sep["staff_id"], sep["last_day"], strict=True):
        day = dt.date.fromisoformat(last)
        assert last[:7] in window and day.weekday() < 5 and day.day < days_in_month(last[:7])
        assert (w.attendance.loc[w.attendance["staff_id"] == sid, "date"] <= last).all()
        assert (w.leave.loc[w.leave["staff_id"] == sid, "date"] <= last).all()
        slip = w.payslips[(w.payslips["staff_id"] == sid) & (w.payslips["month"] == last[:7])]
        assert int(slip["days_employed"].iloc[0]) == day.day  # the last month counts the days up to the last
        assert not ((w.payslips["staff_id"] == sid) & (w.payslips["month"] > last[:7])).any()


@pytest.mark.parametrize("org", ORGS)
def test_a_minimum_wage_decoy_on_a_partial_month_is_under_the_whole_months_minimum_and_no_breach(org: str) -> None:
    """The floor of a leaver's last month is prorated by the days employed: a check against the whole month's
    minimum wage flags the decoy; the rule library (and the truth) does not."""
    w = world(org, 7)
    decoys = w.truth["compliance_decoys"]
    mine = w.payslips.merge(decoys[decoys["rule"] == "minimum_wage_monthly"][["staff_id", "month"]])
    partial = mine[mine["days_employed"] < mine["month"].map(days_in_month)]
    assert len(partial) >= 1
    wage = load_law()["minimum_wage"]
    assert (partial["base_paid"] < partial["month"].map(lambda m: wage[int(m[:4])]["monthly"])).all()
    breaches = w.truth["compliance_breaches"]
    boundary = breaches[(breaches["rule"] == "minimum_wage_monthly") & breaches["boundary"]]
    slips = w.payslips.merge(boundary[["staff_id", "month"]])
    assert (slips["days_employed"] < slips["month"].map(days_in_month)).any()  # and one breach just past it


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_complaints_come_at_the_spec_rate_and_the_background_is_answered_in_time(org: str, seed: int) -> None:
    w = world(org, seed)
    c = w.tables["complaints"]
    window = window_months(w.spec)
    regime = "financial_consumer" if "consumer_credit" in w.spec.regulatory.exposure else "consumer_protection"
    assert set(c["regime"]) == {regime} and c["complaint_id"].is_unique
    assert set(c["received"].str.slice(0, 7)) <= set(window) and set(c["status"]) <= {"open", "replied"}
    assert ((c["replied"] == "") == (c["status"] == "open")).all()
    per_day = w.contacts.groupby("date")["handled"].sum().mean() * w.spec.regulatory.complaints_per_10k_contacts / 1e4
    days = pd.date_range(f"{window[0]}-01", f"{window[-1]}-{days_in_month(window[-1])}")
    assert 0.6 < len(c) / (per_day * len(days) * 0.85) < 1.4  # half the volume on weekends and holidays
    work = set(zip(w.attendance["staff_id"], w.attendance["date"], strict=True))
    seeded = set(w.truth["compliance_breaches"]["complaint_id"]) | set(w.truth["compliance_decoys"]["complaint_id"])
    seeded.discard("")
    end = dt.date.fromisoformat(f"{window[-1]}-{days_in_month(window[-1])}")
    background = c[~c["complaint_id"].isin(seeded)]
    assert len(background) > 0.9 * len(c)
    for r in background.itertuples():
        assert (r.handled_by, r.received) in work  # at work the day it came in
        last = complaint_last_day(r.received, r.regime)
        answered = dt.date.fromisoformat(r.replied) if r.replied else None
        assert answered is None or answered.weekday() < 5  # answered on a workday...
        assert (answered or end) < last or (answered is None and end <= last)  # ...in time, with a day to spare
    roles = w.staff.set_index("staff_id").loc[c["handled_by"], "role"]
    assert set(roles) <= {"senior_agent", "team_leader", "agent"}


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_complaint_seeds_sit_on_the_last_day_the_day_after_and_well_past_it(org: str, seed: int) -> None:
    w = world(org, seed)
    c = w.tables["complaints"].set_index("complaint_id")
    counts = w.spec.compliance.seeded.of("complaint_reply")
    for table, kinds in ((w.truth["compliance_breaches"], ("boundary", "beyond")), (w.truth["compliance_decoys"],
                                                                                  ("decoy",))):  # fmt: skip
        mine = table[table["rule"] == "complaint_reply"]
        for r in mine.itertuples():
            row = c.loc[r.complaint_id]
            last = complaint_last_day(row["received"], row["regime"])
            assert last.weekday() < 5  # a seeded complaint's last day is a workday: §122 decides nothing
            late = (dt.date.fromisoformat(row["replied"]) - last).days if row["replied"] else None
            if "decoy" in kinds:
                assert late == 0
            elif r.boundary:
                assert late == 1
            else:
                assert late is None or 3 <= late <= 10
        if "decoy" in kinds:
            assert len(mine) == counts.decoys
        else:
            assert len(mine) == counts.boundary + counts.beyond
            assert mine["boundary"].sum() == counts.boundary
    handlers = c.loc[[k for k in w.truth["compliance_breaches"]["complaint_id"] if k], "handled_by"]
    seniors = (w.staff["role"] == "senior_agent").sum()
    if seniors >= 10:  # distinct handlers where the centre has them (a small one shares)
        assert handlers.is_unique


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_the_records_show_exactly_the_seeded_truth(org: str, seed: int) -> None:
    """Every breach the plain rules find is in the truth with the same evidence rows and back pay, and every one
    in the truth is found: the background is compliant; no decoy is a breach."""
    w = world(org, seed)
    found = findings(w.tables, consent_of(w))
    assert found == truth_keys(w.truth["compliance_breaches"])
    assert not set(truth_keys(w.truth["compliance_decoys"])) & set(found)


def _span(w: World, row_id: str) -> tuple[Any, ...]:
    r = w.attendance.set_index("row_id").loc[row_id]
    return r["normal_hours"] + r["overtime_hours"], minutes(r["end"]) - minutes(r["start"]), r["break_minutes"]


def _ot(w: World, staff_id: str, months: list[str]) -> float:
    a = w.attendance
    return float(a.loc[(a["staff_id"] == staff_id) & a["date"].str.slice(0, 7).isin(months), "overtime_hours"].sum())


def _check_at_line(w: World, r: Any, decoy: bool) -> None:
    line = "decoy" if decoy else ("boundary" if r.boundary else "beyond")
    consent = consent_of(w)
    window = window_months(w.spec)
    slip = w.payslips.set_index(["staff_id", "month"]).loc[(r.staff_id, r.month)] if r.month else None
    if r.rule == "daily_hours":
        total = _span(w, r.rows)[0]
        assert total == 12.0 if decoy else (total == 12.5 if r.boundary else 13 <= total <= 14)
    elif r.rule == "monthly_overtime":
        over = _ot(w, r.staff_id, [r.month]) - (54 if consent[r.month] else 46)
        assert over == 0 if decoy else (over == 0.5 if r.boundary else 2 <= over <= 5)
    elif r.rule == "three_month_overtime":
        total = _ot(w, r.staff_id, window)
        assert total == 138.0 if decoy else (total == 138.5 if r.boundary else 142 <= total <= 148)
        assert all(_ot(w, r.staff_id, [m]) < (54 if consent[m] else 46) for m in window)
    elif r.rule == "rest_days":
        days = pd.to_datetime(w.attendance.set_index("row_id").loc[r.rows.split(";"), "date"])
        assert (days.diff().dropna() == pd.Timedelta(days=1)).all() and days.iloc[0].weekday() == 0
        assert len(days) == 6 if decoy else (len(days) == 7 if r.boundary else 8 <= len(days) <= 10)
    elif r.rule == "break":
        _, span, brk = _span(w, r.rows)
        if decoy:
            assert (span > 240 and brk == 30) or (span == 240 and brk == 0)
        else:
            assert span > 240 and (brk == 29 if r.boundary else brk in (0, 15))
    elif r.rule == "overtime_pay":
        a = w.attendance
        days = a[(a["staff_id"] == r.staff_id) & (a["date"].str.slice(0, 7) == r.month)]
        assert (days["day_type"] == "rest_day").any()
        flat = {k: (v[0], v[0]) for k, v in MULT.items()}
        single = {k: (v[0] ** 0, v[0] ** 0) for k, v in MULT.items()}
        how = {"decoy": MULT, "boundary": flat}.get(line, single)
        assert slip is not None and slip["overtime_paid"] == amount(
            days, str(slip["pay_basis"]), int(slip["rate"]), how
        )
    elif r.rule == "minimum_wage_monthly":
        assert slip is not None and slip["unpaid_leave_days"] == 1
        short = floor_of(r.month, int(slip["days_employed"]), 1) - slip["base_paid"]
        assert short == 0 if decoy else (short == 1 if r.boundary else short > 1)
        assert slip["rate"] == (29500 if line != "beyond" else 28590)
    elif r.rule == "minimum_wage_hourly":
        assert slip is not None and slip["rate"] == {"decoy": 196, "boundary": 195}.get(line, 190)
    elif r.rule == "ad_pay_range":
        ad = w.job_ads.set_index("ad_id").loc[r.ad_id]
        assert ad["pay_shown"] == "negotiable"
        offered = ad["offered_pay"]
        assert offered == 40000 if decoy else (offered == 39000 if r.boundary else offered < 39000)
    elif r.rule == "ad_ground":
        text = w.job_ads.set_index("ad_id").at[r.ad_id, "text_zh_tw"]
        grounds = [f for f in check_question(text) if f.kind == "ground"]
        assert (not grounds and any(x in text for x in ("台語", "夜班", "體格檢查"))) if decoy else grounds
        assert decoy or len(grounds) == (1 if r.boundary else 2)
    elif r.rule == "data_notice":
        event = w.data_events.set_index("event_id").loc[r.event_id]
        collected = event["collected"].split(";") if event["collected"] else []
        assert not event["notice_given"]
        assert collected == [] if decoy else (collected == ["id_number"] if r.boundary else "id_number" in collected)


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_every_seed_sits_exactly_where_the_brief_says(org: str, seed: int) -> None:
    w = world(org, seed)
    for decoy, name in ((False, "compliance_breaches"), (True, "compliance_decoys")):
        for r in w.truth[name].itertuples():
            try:
                _check_at_line(w, r, decoy)
            except AssertionError as exc:
                raise AssertionError(f"{name}: {r}") from exc


@pytest.mark.parametrize(("org", "seed"), CASES)
def test_each_rule_has_its_seeds_and_the_truth_names_real_rows(org: str, seed: int) -> None:
    w = world(org, seed)
    breaches, decoys = w.truth["compliance_breaches"], w.truth["compliance_decoys"]
    hourly = (w.staff["pay_basis"] == "hourly").sum()
    days = sum(days_in_month(m) for m in window_months(w.spec))
    contacts = w.contacts.groupby("date")["handled"].sum().mean() * days
    counts = seed_counts(w.spec, len(w.staff), contacts)
    rates = w.spec.regulatory.breach_rates
    assert counts["monthly_overtime"].beyond == max(
        w.spec.compliance.seeded.of("monthly_overtime").beyond,
        round(rates.overtime_over_cap_per_staff_month * len(w.staff) * 3),
    )  # the spec's rate, or the spec's count where that is more
    for rule in T5_RULES:
        want = counts[rule]
        mine, fake = breaches[breaches["rule"] == rule], decoys[decoys["rule"] == rule]
        if rule == "minimum_wage_hourly" and hourly < want.boundary + want.decoys + want.beyond:
            want = want.model_copy(update={"beyond": max(0, hourly - want.boundary - want.decoys)})
        assert (mine["boundary"].sum(), (~mine["boundary"]).sum(), len(fake)) == (
            want.boundary, want.beyond, want.decoys), rule  # fmt: skip
    assert (breaches["rule"] == "three_month_overtime").any() == (org != "ecommerce-cs")  # no consent, no cap
    people = pd.concat([breaches, decoys])
    people = people[people["staff_id"] != ""]
    assert people["staff_id"].is_unique  # one seed per person
    known = set(w.attendance["row_id"]) | {
        f"{s}|{m}" for s, m in zip(w.payslips["staff_id"], w.payslips["month"], strict=True)
    }
    known |= set(w.job_ads["ad_id"]) | set(w.data_events["event_id"]) | set(w.tables["complaints"]["complaint_id"])
    for rows in pd.concat([breaches, decoys])["rows"]:
        assert rows and set(rows.split(";")) <= known
    assert (breaches["back_pay"] > 0).tolist() == breaches["rule"].isin(
        ["overtime_pay", "minimum_wage_monthly", "minimum_wage_hourly"]).tolist()  # fmt: skip
    assert (decoys["back_pay"] == 0).all() and decoys["boundary"].all()


def test_consent_by_organisation_tests_both_lines() -> None:
    bank, shop, telecom = (world(o, 7).overtime_consent for o in ORGS)
    assert bank["consented"].all() and set(bank["body"]) == {"union"} and set(bank["monthly_cap"]) == {54}
    assert not shop["consented"].any() and set(shop["monthly_cap"]) == {46} and shop["three_month_cap"].isna().all()
    assert shop["body"].tolist() == [""] * 4 and shop["agreed_on"].tolist() == [""] * 4
    assert telecom["consented"].tolist() == [False, True, True, True]
    assert telecom["monthly_cap"].tolist() == [46, 54, 54, 54] and telecom["agreed_on"][1] == "2026-02-15"
    seeds = world("telecom-support", 7).truth
    months = pd.concat([seeds["compliance_breaches"], seeds["compliance_decoys"]]).query("rule == 'monthly_overtime'")
    assert {False, True} <= {consent_of(world("telecom-support", 7))[m] for m in months["month"]}


@pytest.mark.parametrize("org", ORGS)
def test_ads_events_and_training_are_plausible(org: str) -> None:
    w = world(org, 7)
    seeded = pd.concat([w.truth["compliance_breaches"], w.truth["compliance_decoys"]])
    ads = w.job_ads[~w.job_ads["ad_id"].isin(seeded["ad_id"])]
    assert not any(f.kind == "ground" for t in ads["text_zh_tw"] for f in check_question(t))
    assert len(w.job_ads) >= w.spec.regulatory.job_ads and set(w.job_ads["role"]) <= set(w.spec.roles)
    shown = w.job_ads["pay_shown"]
    assert (w.job_ads.loc[shown == "negotiable", "pay_min"].isna()).all()
    ranged = w.job_ads[shown != "negotiable"]
    assert ((ranged["pay_min"] <= ranged["offered_pay"]) & (ranged["offered_pay"] <= ranged["pay_max"])).all()
    events = w.data_events
    roles = events.merge(w.staff, on="staff_id")["role"]
    assert set(roles) <= {"agent", "senior_agent"} and set(events["purpose"]) <= set(w.spec.compliance.data_purposes)
    worked = events.merge(w.attendance, on=["staff_id", "date"])
    assert len(worked) == len(events) and events["event_id"].tolist() == sorted(events["event_id"])
    assert events["notice_given"].sum() == len(events) - len(seeded[seeded["rule"] == "data_notice"])
    training = w.reg_training.merge(w.staff, on="staff_id")
    start = f"{window_months(w.spec)[0]}-01"
    assert (training["completed"] < start).all() and (training["completed"] >= training["hire_date"]).all()
    assert set(training["course"]) <= {"personal_data", "anti_harassment", "labour_rules", "consumer_credit",
                                       "consumer_protection"}  # fmt: skip
    assert ("consumer_credit" in set(training["course"])) == (org == "bank-cards")
    old = training["completed"] < (dt.date.fromisoformat(start) - dt.timedelta(days=365)).isoformat()
    assert 0.05 < old.mean() < 0.35
    never = 1 - len(training[training["course"] == "personal_data"]) / len(w.staff)
    assert 0 < never < 0.35


def test_same_seed_same_bytes_and_truth() -> None:
    spec = load_spec(SCENARIOS / "ecommerce-cs.yaml")
    a, b = build_world(spec, 5, days=14), build_world(spec, 5, days=14)
    for name in T5_TABLES:
        assert a.csv_bytes(name) == b.csv_bytes(name), name
    for name in ("compliance_breaches", "compliance_decoys"):
        pd.testing.assert_frame_equal(a.truth[name], b.truth[name])
    assert build_world(spec, 6, days=14).csv_bytes("attendance") != a.csv_bytes("attendance")
    assert a.csv_bytes("attendance") == world_for("ecommerce-cs", 5).csv_bytes("attendance")  # days do not matter
