"""The T5 rule library against hand-computed cases at every rule's line (exactly at it: no breach; just past it:
a breach), each with its exact key and back pay; the §24 amount and the minimum-wage floor worked by hand; a few
properties (the amount grows with the hours, detection does not depend on row order, the vectorised amount is the
exact one); and the cross-check against the world's seeded truth."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casekit.cases.t5_compliance import pay, tools
from casekit.cases.t5_compliance.records import Records, ground_flags
from casekit.cases.t5_compliance.rules import (
    CANDIDATE_COLUMNS,
    COLUMNS,
    KEY,
    RULES,
    candidates,
    detect,
    detect_all,
    filter_rows,
    rule,
    thresholds,
)
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario.catalogs import load_law

LAW = load_law()
ATT_COLUMNS = [
    "row_id",
    "staff_id",
    "date",
    "day_type",
    "start",
    "end",
    "break_minutes",
    "normal_hours",
    "overtime_hours",
]


# ------------------------------------------------------------------------------------------------ builders
def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day(staff: str, date: str, hours: float = 8.0, *, brk: int = 60, start: str = "09:00", kind: str = "") -> dict:
    """One worked day of ``hours`` (normal + overtime) starting at ``start`` with a ``brk``-minute break; the day
    type from the weekday (Saturday rest day, Sunday regular leave) unless given."""
    weekday = dt.date.fromisoformat(date).weekday()
    kind = kind or {5: "rest_day", 6: "regular_leave"}.get(weekday, "workday")
    end = _minutes(start) + round(hours * 60) + brk
    normal = min(hours, 8.0) if kind == "workday" else 0.0
    return {
        "staff_id": staff,
        "date": date,
        "day_type": kind,
        "start": start,
        "end": _hhmm(end),
        "break_minutes": brk,
        "normal_hours": normal,
        "overtime_hours": hours - normal,
    }


def attendance(days: Iterable[dict]) -> pd.DataFrame:
    rows = [{"row_id": f"A{i:06d}", **d} for i, d in enumerate(days, start=1)]
    return pd.DataFrame(rows, columns=ATT_COLUMNS)


def consent(months: Iterable[str], agreed: Iterable[str] = ()) -> pd.DataFrame:
    agreed = set(agreed)
    return pd.DataFrame(
        {
            "month": list(months),
            "consented": [m in agreed for m in months],
            "body": ["union" if m in agreed else "" for m in months],
            "agreed_on": ["" for _ in months],
            "monthly_cap": [54 if m in agreed else 46 for m in months],
            "three_month_cap": [138 if m in agreed else "" for m in months],
        }
    )


def slip(staff: str, month: str, **kw: Any) -> dict:
    out = {
        "staff_id": staff,
        "month": month,
        "pay_basis": "monthly",
        "rate": 32000,
        "days_employed": None,
        "unpaid_leave_days": 0,
        "normal_hours": 176.0,
        "overtime_hours": 0.0,
        "base_paid": None,
        "overtime_paid": 0,
        "gross_paid": 0,
    }
    out.update(kw)
    if out["days_employed"] is None:
        out["days_employed"] = pay.days_in_month(month)
    if out["base_paid"] is None:
        out["base_paid"] = out["rate"] if out["pay_basis"] == "monthly" else round(out["rate"] * out["normal_hours"])
    return out


def workdays(month: str, n: int) -> list[str]:
    """The first ``n`` Monday-to-Friday dates of ``month`` from its 2nd (2026-01-01 is a holiday)."""
    first = dt.date.fromisoformat(f"{month}-02")
    days = [first + dt.timedelta(days=i) for i in range(31)]
    out = [d.isoformat() for d in days if d.weekday() < 5 and d.strftime("%Y-%m") == month]
    assert len(out) >= n
    return out[:n]


def overtime_month(staff: str, month: str, hours: float) -> list[dict]:
    """Workdays of ``month`` whose overtime adds up to ``hours`` (4 h a day, the rest on the last day)."""
    full, rest = divmod(hours, 4.0)
    dates = workdays(month, int(full) + (1 if rest else 0))
    days = [day(staff, d, 12.0) for d in dates[: int(full)]]
    if rest:
        days.append(day(staff, dates[-1], 8.0 + rest))
    return days


def keys(found: pd.DataFrame) -> list[tuple[str, ...]]:
    return [tuple(str(v) for v in row) for row in found[list(KEY)].itertuples(index=False)]


def key(
    rule_id: str, staff: str = "", date: str = "", month: str = "", ad: str = "", event: str = "", complaint: str = ""
) -> tuple:
    return (rule_id, staff, date, month, ad, event, complaint)


# ------------------------------------------------------------------------------------------------ hours
def test_daily_hours_twelve_is_the_line() -> None:
    tables = {"attendance": attendance([day("S1", "2026-01-05", 12.0), day("S2", "2026-01-05", 12.5)])}
    found = detect("daily_hours", tables, LAW)
    assert list(found.columns) == list(COLUMNS)
    assert keys(found) == [key("daily_hours", "S2", "2026-01-05")]
    assert found["rows"].tolist() == ["A000002"] and found["back_pay"].tolist() == [0]


def _hours_tables(people: dict[str, dict[str, float]], agreed: Iterable[str] = ()) -> dict[str, pd.DataFrame]:
    days = [
        d for staff, months in people.items() for month, h in months.items() for d in overtime_month(staff, month, h)
    ]
    months = sorted({m for months in people.values() for m in months})
    return {"attendance": attendance(days), "overtime_consent": consent(months, agreed)}


def test_monthly_overtime_46_without_consent_54_with() -> None:
    tables = _hours_tables(
        {
            "S1": {"2026-01": 46.0},
            "S2": {"2026-01": 46.5},
            "S3": {"2026-02": 54.0},
            "S4": {"2026-02": 54.5},
            "S5": {"2026-02": 46.5},
        },
        agreed=["2026-02"],
    )
    found = detect("monthly_overtime", tables, LAW)
    assert keys(found) == [
        key("monthly_overtime", "S2", month="2026-01"),
        key("monthly_overtime", "S4", month="2026-02"),
    ]
    s2 = tables["attendance"][tables["attendance"]["staff_id"] == "S2"]
    assert found["rows"].iloc[0] == ";".join(s2["row_id"])  # every day with overtime


def test_three_month_overtime_138_over_three_consented_months() -> None:
    months = ["2026-01", "2026-02", "2026-03"]
    tables = _hours_tables(
        {
            "S1": dict(zip(months, [46.0, 46.0, 46.0], strict=True)),
            "S2": dict(zip(months, [46.0, 46.0, 46.5], strict=True)),
            "S3": dict(zip(months, [54.0, 54.0, 30.0], strict=True)),
        },
        agreed=months,
    )
    found = detect("three_month_overtime", tables, LAW)
    assert keys(found) == [key("three_month_overtime", "S2", month="2026-03")]  # only March has two months before
    assert len(found["rows"].iloc[0].split(";")) == len(tables["attendance"].query("staff_id == 'S2'"))
    assert detect("monthly_overtime", tables, LAW).empty  # 46.5 in a consented month is within 54
    # only the third month needs consent; without it there is no three-month rule (the monthly cap applies)
    only_march = _hours_tables({"S2": dict(zip(months, [46.0, 46.0, 46.5], strict=True))}, agreed=["2026-03"])
    assert keys(detect("three_month_overtime", only_march, LAW)) == [key("three_month_overtime", "S2", month="2026-03")]
    none = _hours_tables({"S2": dict(zip(months, [46.0, 46.0, 46.5], strict=True))}, agreed=["2026-02"])
    assert detect("three_month_overtime", none, LAW).empty
    two = _hours_tables({"S2": {"2026-02": 54.0, "2026-03": 54.0}}, agreed=["2026-02", "2026-03"])
    assert detect("three_month_overtime", two, LAW).empty  # the month before the records is not in them


def _run(staff: str, first: str, n: int) -> list[dict]:
    start = dt.date.fromisoformat(first)
    return [day(staff, (start + dt.timedelta(days=i)).isoformat()) for i in range(n)]


def test_rest_days_six_in_a_row_is_the_line() -> None:
    days = _run("S1", "2026-01-05", 6) + _run("S2", "2026-01-05", 7)
    found = detect("rest_days", {"attendance": attendance(days)}, LAW)
    assert keys(found) == [key("rest_days", "S2", "2026-01-05")]
    assert found["rows"].iloc[0] == ";".join(f"A{i:06d}" for i in range(7, 14))


def test_rest_days_runs_across_a_month_end_and_twice() -> None:
    days = _run("S1", "2026-01-28", 7) + _run("S2", "2026-01-05", 7) + _run("S2", "2026-01-19", 14)
    days += _run("S3", "2026-01-05", 6) + _run("S3", "2026-01-12", 6)  # a day off between two six-day runs
    found = detect("rest_days", {"attendance": attendance(days[::-1])}, LAW)  # order of rows does not matter
    assert keys(found) == [
        key("rest_days", "S1", "2026-01-28"),
        key("rest_days", "S2", "2026-01-05"),
        key("rest_days", "S2", "2026-01-19"),
    ]
    assert len(found["rows"].iloc[2].split(";")) == 14


def test_break_30_minutes_after_four_hours() -> None:
    days = [
        day("S1", "2026-01-05", 9.0, brk=30),  # 9.5 h span, 30 min: not a breach
        day("S2", "2026-01-05", 9.0, brk=29),  # 9 h 29 min span, 29 min: a breach
        day("S3", "2026-01-05", 4.0, brk=0),  # exactly 4 h, no break: not more than 4 h
        day("S4", "2026-01-05", 4.5, brk=0),  # 4.5 h, no break: a breach
    ]
    found = detect("break", {"attendance": attendance(days)}, LAW)
    assert keys(found) == [key("break", "S2", "2026-01-05"), key("break", "S4", "2026-01-05")]
    assert found["rows"].tolist() == ["A000002", "A000004"]
    near = candidates("break", {"attendance": attendance(days)}, LAW)
    assert list(near.columns) == list(CANDIDATE_COLUMNS)
    assert set(near["staff_id"]) == {"S1", "S2", "S3", "S4"} and near["breach"].tolist() == [False, True, False, True]


# ------------------------------------------------------------------------------------------------ pay
def test_the_overtime_amount_by_hand() -> None:
    monthly, hourly = Fraction(32000, 240), Fraction(200)
    # a workday with 3 h overtime: 2 x 4/3 + 1 x 5/3 = 13/3 hours' pay
    assert pay.overtime_amount([("workday", 3.0)], "monthly", monthly, LAW) == 578  # 577.78
    assert pay.overtime_amount([("workday", 3.0)], "hourly", hourly, LAW) == 867  # 866.67
    # a rest day of 9 h: monthly 2 x 4/3 + 7 x 5/3 = 43/3; hourly 2 x 7/3 + 7 x 8/3 = 70/3
    assert pay.overtime_amount([("rest_day", 9.0)], "monthly", monthly, LAW) == 1911  # 1911.11
    assert pay.overtime_amount([("rest_day", 9.0)], "hourly", hourly, LAW) == 4667  # 4666.67
    # a holiday (§39) or a regular day off (§40) of 8 h: monthly x 1 (the extra day's wage), hourly x 2
    for kind in ("holiday", "regular_leave"):
        assert pay.overtime_amount([(kind, 8.0)], "monthly", monthly, LAW) == 1067  # 1066.67
        assert pay.overtime_amount([(kind, 8.0)], "hourly", hourly, LAW) == 3200
    # a month: the days add up before rounding (578 + 1911 would be 2489)
    assert pay.overtime_amount([("workday", 3.0), ("rest_day", 9.0)], "monthly", monthly, LAW) == 2489  # 2488.89
    assert (
        pay.overtime_amount(pd.DataFrame({"day_type": ["workday"], "overtime_hours": [3.0]}), "monthly", monthly, LAW)
        == 578
    )
    assert pay.hourly_rate("monthly", 32000, LAW) == monthly and pay.hourly_rate("hourly", 200, LAW) == hourly


def test_amounts_round_half_up_not_to_even() -> None:
    assert [pay.round_half_up(Fraction(n, 2)) for n in (1, 3, 5, 7)] == [1, 2, 3, 4]
    assert pay.overtime_amount([("holiday", 0.5)], "monthly", 5, LAW) == 3  # 2.5: banker's rounding gives 2
    assert pay.overtime_amount([], "monthly", 5, LAW) == 0


def _pay_tables(days: list[dict], slips: list[dict]) -> dict[str, pd.DataFrame]:
    return {"attendance": attendance(days), "payslips": pd.DataFrame(slips)}


def test_overtime_pay_breach_and_back_pay() -> None:
    days = [day(s, "2026-01-05", 11.0) for s in ("S1", "S2", "S3", "S4", "S5")]  # 3 h overtime each
    slips = [
        slip("S1", "2026-01", overtime_paid=578),  # exactly the §24 amount
        slip("S2", "2026-01", overtime_paid=577),  # NT$1 short: within the tolerance
        slip("S3", "2026-01", overtime_paid=533),  # every hour at 4/3: 533.33
        slip("S4", "2026-01", overtime_paid=400),  # every hour at 1.0
        slip("S5", "2026-01", pay_basis="hourly", rate=200, normal_hours=8.0, overtime_paid=800),  # owed 867
    ]
    tables = _pay_tables(days, slips)
    found = detect("overtime_pay", tables, LAW)
    assert keys(found) == [key("overtime_pay", s, month="2026-01") for s in ("S3", "S4", "S5")]
    assert found["back_pay"].tolist() == [45, 178, 67]
    assert found["rows"].tolist() == ["S3|2026-01;A000003", "S4|2026-01;A000004", "S5|2026-01;A000005"]
    for f in found.to_dict("records"):
        assert pay.back_pay(f, tables, LAW) == f["back_pay"]
    assert pay.back_pay({"rule": "overtime_pay", "staff_id": "S2", "month": "2026-01"}, tables, LAW) == 0
    near = candidates("overtime_pay", tables, LAW)
    assert near.loc[near["staff_id"] == "S1", ["value", "limit", "breach"]].values.tolist() == [[578.0, 578.0, False]]


def test_minimum_wage_floor_by_hand() -> None:
    assert pay.minimum_wage_floor("2026-01", 31, 1, LAW) == 28517  # 29,500 - 983.33
    assert pay.minimum_wage_floor("2026-01", 16, 0, LAW) == 15226  # hired on the 16th: 29,500 x 16 / 31 = 15,225.81
    assert pay.minimum_wage_floor("2026-03", 31, 0, LAW) == 29500
    assert pay.minimum_wage_floor("2025-02", 28, 0, LAW) == 28590
    with pytest.raises(UsageError):
        pay.minimum_wage_floor("2019-01", 31, 0, LAW)


def test_minimum_wage_monthly_at_the_floor_and_one_under() -> None:
    slips = [
        slip("S1", "2026-01", unpaid_leave_days=1, base_paid=28517),
        slip("S2", "2026-01", unpaid_leave_days=1, base_paid=28516),
        slip("S3", "2026-01", days_employed=16, base_paid=15226),
        slip("S4", "2026-01", days_employed=16, base_paid=15225),
        slip("S5", "2026-01", rate=29500),
        slip("S6", "2026-01", rate=29499),
        slip("S7", "2026-01", pay_basis="hourly", rate=196, normal_hours=80.0, base_paid=15680),  # not monthly
    ]
    tables = {"payslips": pd.DataFrame(slips)}
    found = detect("minimum_wage_monthly", tables, LAW)
    assert keys(found) == [key("minimum_wage_monthly", s, month="2026-01") for s in ("S2", "S4", "S6")]
    assert found["back_pay"].tolist() == [1, 1, 1]
    assert found["rows"].tolist() == ["S2|2026-01", "S4|2026-01", "S6|2026-01"]
    assert [pay.back_pay(f, tables, LAW) for f in found.to_dict("records")] == [1, 1, 1]


def test_minimum_wage_hourly_by_year() -> None:
    slips = [
        slip("S1", "2026-01", pay_basis="hourly", rate=196, normal_hours=80.5),
        slip("S2", "2026-01", pay_basis="hourly", rate=195, normal_hours=80.5),
        slip("S3", "2025-12", pay_basis="hourly", rate=190, normal_hours=60.0),
        slip("S4", "2025-12", pay_basis="hourly", rate=189, normal_hours=60.0),
        slip("S5", "2025-12", pay_basis="hourly", rate=195, normal_hours=60.0),  # 195 is above 2025's 190
    ]
    tables = {"payslips": pd.DataFrame(slips)}
    found = detect("minimum_wage_hourly", tables, LAW)
    assert keys(found) == [
        key("minimum_wage_hourly", "S2", month="2026-01"),
        key("minimum_wage_hourly", "S4", month="2025-12"),
    ]
    assert found["back_pay"].tolist() == [81, 60]  # 1 x 80.5 rounded half up; 1 x 60
    assert [pay.back_pay(f, tables, LAW) for f in found.to_dict("records")] == [81, 60]


# ------------------------------------------------------------------------------------------------ ads and data
def _ads(*ads: dict) -> pd.DataFrame:
    rows = []
    for i, a in enumerate(ads, start=1):
        rows.append(
            {
                "ad_id": f"AD{i:03d}",
                "date": "2026-01-10",
                "role": "agent",
                "text_zh_tw": "客服專員，需具良好溝通能力",
                "text_en": "",
                "pay_shown": "range",
                "pay_min": 32000,
                "pay_max": 36000,
                "offered_pay": 34000,
                **a,
            }
        )
    return pd.DataFrame(rows)


def test_ad_pay_range_40000_negotiable_is_the_line() -> None:
    ads = _ads(
        {"pay_shown": "negotiable", "pay_min": "", "pay_max": "", "offered_pay": 40000},
        {"pay_shown": "negotiable", "pay_min": "", "pay_max": "", "offered_pay": 39999},
        {"pay_shown": "range", "offered_pay": 34000},  # under 40,000 with its range shown
        {"pay_shown": "fixed", "pay_min": 35000, "pay_max": 35000, "offered_pay": 35000},
    )
    found = detect("ad_pay_range", {"job_ads": ads}, LAW)
    assert keys(found) == [key("ad_pay_range", ad="AD002")]
    assert found["rows"].tolist() == ["AD002"] and found["back_pay"].tolist() == [0]


def test_ad_ground_from_the_t1_lexicon() -> None:
    ads = _ads(
        {"text_zh_tw": "客服專員，限女性，25 歲以下，月薪 32000–35000 元"},
        {"text_zh_tw": "客服專員，月薪 32000–35000 元，可配合輪班，具客服經驗佳"},
        {"text_zh_tw": "客服專員，月薪 32000–35000 元，應徵請註明血型與星座"},
    )
    found = detect("ad_ground", {"job_ads": ads}, LAW)
    assert keys(found) == [key("ad_ground", ad="AD001"), key("ad_ground", ad="AD003")]
    near = candidates("ad_ground", {"job_ads": ads}, LAW)
    assert near["note"].tolist() == ["sex;age", "", "blood_type;zodiac"]


def test_every_discriminatory_ad_phrasing_of_the_incidents_is_found() -> None:
    from importlib import resources

    import yaml

    data = yaml.safe_load((resources.files("casekit") / "data" / "incidents.yaml").read_text(encoding="utf-8"))
    for template in data["job_ads"]["discriminatory"]:
        text = template["zh-TW"].format(role="客服專員", low=32000, high=35000)
        assert ground_flags(text), text
    for template in data["job_ads"]["fair"]:
        text = template["zh-TW"].format(role="客服專員", low=32000, high=35000)
        assert not ground_flags(text), text


def test_data_notice_needs_something_collected() -> None:
    events = pd.DataFrame(
        {
            "event_id": ["D00001", "D00002", "D00003", "D00004"],
            "date": ["2026-01-05"] * 4,
            "staff_id": ["S1", "S2", "S3", "S4"],
            "channel": ["voice", "chat", "email", "voice"],
            "collected": ["", "id_number", "id_number;phone", None],
            "notice_given": [False, False, True, False],
            "purpose": ["identity_check"] * 4,
        }
    )
    found = detect("data_notice", {"data_events": events}, LAW)
    assert keys(found) == [key("data_notice", event="D00002")]
    assert found["rows"].tolist() == ["D00002"]
    as_csv = events.astype(str).replace({"None": ""})  # booleans as text, as a CSV gives them back
    assert keys(detect("data_notice", {"data_events": as_csv}, LAW)) == keys(found)


# ------------------------------------------------------------------------------------------------ complaints
def _complaints(*rows: tuple[str, str, str, str]) -> dict[str, pd.DataFrame]:
    """``complaints`` of ``(id, received, replied, regime)`` rows."""
    return {
        "complaints": pd.DataFrame(
            {
                "complaint_id": [r[0] for r in rows],
                "received": [r[1] for r in rows],
                "channel": "voice",
                "category": "billing",
                "regime": [r[3] for r in rows],
                "handled_by": "S1",
                "replied": [r[2] for r in rows],
                "status": ["replied" if r[2] else "open" for r in rows],
            }
        )
    }


def test_complaint_reply_fifteen_days_from_the_day_after() -> None:
    cp = "consumer_protection"
    tables = _complaints(
        ("K1", "2026-03-02", "2026-03-17", cp),  # Mon + 15 = Tue 03-17: the last day, in time
        ("K2", "2026-03-02", "2026-03-18", cp),  # the day after: a breach
        ("K3", "2026-03-02", "2026-03-03", cp),
        ("K4", "2026-03-20", "", cp),  # open: last day 04-07 (04-04 a Saturday, 04-06 a holiday), after 03-31
        ("K5", "2026-03-06", "", cp),  # open: last day 03-23 (Fri 03-21 -> Sat; moves to Mon 03-23), past at 03-31
    )
    found = detect("complaint_reply", tables, LAW)
    assert keys(found) == [key("complaint_reply", complaint="K2"), key("complaint_reply", complaint="K5")]
    assert found["rows"].tolist() == ["K2", "K5"]
    near = candidates("complaint_reply", tables, LAW)
    row = near.set_index("complaint_id").loc["K1"]
    assert (row["value"], row["limit"], bool(row["breach"])) == (15.0, 15.0, False)


def test_complaint_reply_thirty_days_for_a_financial_consumer_and_the_next_workday() -> None:
    fc, cp = "financial_consumer", "consumer_protection"
    tables = _complaints(
        ("K1", "2026-01-05", "2026-02-04", fc),  # + 30 = Wed 02-04: in time
        ("K2", "2026-01-05", "2026-02-05", fc),  # a day late
        ("K3", "2026-01-05", "2026-01-21", cp),  # the same dates on the 15-day rule: 01-20 is the last day
        # + 30 = Sat 02-14; Sun 02-15; 02-16..02-20 Lunar New Year (law.yaml's holidays): the last day is Mon 02-23
        ("K4", "2026-01-15", "2026-02-23", fc),
        ("K5", "2026-01-15", "2026-02-24", fc),
    )
    found = detect("complaint_reply", tables, LAW)
    assert keys(found) == [key("complaint_reply", complaint=c) for c in ("K2", "K3", "K5")]
    limits = candidates("complaint_reply", tables, LAW, margin=40).set_index("complaint_id")["limit"]
    assert limits.to_dict() == {"K1": 30, "K2": 30, "K3": 15, "K4": 39, "K5": 39}


def test_complaint_reply_uses_the_candidates_figures_and_names_a_bad_regime() -> None:
    tables = _complaints(("K1", "2026-03-02", "2026-03-16", "consumer_protection"))
    assert detect("complaint_reply", tables, LAW).empty
    law = tools.law_from(LAW, {**thresholds(LAW, 2026), "complaint_reply_days": 10}, [2026], "complaint_reply")
    assert keys(detect("complaint_reply", tables, law)) == [key("complaint_reply", complaint="K1")]
    with pytest.raises(UsageError, match="consumer_credit"):
        detect("complaint_reply", _complaints(("K1", "2026-03-02", "", "consumer_credit")), LAW)
    with pytest.raises(UsageError, match="complaint_reply_days"):
        tools.law_from(LAW, {"daily_max_hours": 12}, [2026], "complaint_reply")


# ------------------------------------------------------------------------------------------------ the registry
def test_the_rules_in_the_briefs_order_with_their_articles() -> None:
    from casekit.cases.t5_compliance.answer import RULE_IDS

    assert tuple(r.id for r in RULES) == RULE_IDS
    assert rule("break").citation("zh-TW") == "勞動基準法第35條"
    assert rule("daily_hours").citation("en") == "Labour Standards Act art. 32(2)"
    assert rule("data_notice").citation("zh-TW") == "個人資料保護法第8條"
    assert "第43條第2項" in rule("complaint_reply").citation("zh-TW")
    assert "15" in rule("complaint_reply").explanation(LAW, "en") and "30" in rule("complaint_reply").explanation(
        LAW, "zh-TW"
    )
    for r in RULES:
        assert r.key in (("staff_id", "date"), ("staff_id", "month"), ("ad_id",), ("event_id",), ("complaint_id",))
        for lang in ("zh-TW", "en"):
            for k in (r.title_key, r.article_key, r.explain_key):
                assert t(k, lang) != k, k
            explained = r.explanation(LAW, lang)
            assert "{" not in explained and explained.strip()
    assert "46" in rule("monthly_overtime").explanation(LAW, "en") and "54" in rule("monthly_overtime").explanation(
        LAW, "en"
    )
    assert "40,000" in rule("ad_pay_range").explanation(LAW, "zh-TW")
    with pytest.raises(UsageError):
        rule("no_such_rule")


def test_thresholds_are_the_answers_names_and_the_laws_figures() -> None:
    from casekit.cases.t5_compliance.answer import THRESHOLDS

    figures = thresholds(LAW, 2026)
    assert set(figures) == set(THRESHOLDS)
    assert figures["three_month_cap"] == 138 and figures["minimum_wage_hourly"] == 196
    assert figures["premium_first_two_hours"] == pytest.approx(4 / 3)
    assert set(thresholds(LAW)) == set(THRESHOLDS) - {"minimum_wage_monthly", "minimum_wage_hourly"}


def test_every_figure_comes_from_the_law() -> None:
    import copy

    law = copy.deepcopy(LAW)
    law["overtime"]["daily_max_total_hours"] = 11
    law["overtime_pay"]["workday"]["monthly"] = ["3/2", "2"]
    tables = _pay_tables([day("S1", "2026-01-05", 11.5)], [slip("S1", "2026-01", overtime_paid=578)])
    assert keys(detect("daily_hours", tables, law)) == [key("daily_hours", "S1", "2026-01-05")]
    assert detect("daily_hours", tables, LAW).empty
    # 3.5 h at 3/2 then 2: (2 x 3/2 + 1.5 x 2) x 133.33 = 800
    assert detect("overtime_pay", tables, law)["back_pay"].tolist() == [222]
    del law["breaks"]
    with pytest.raises(UsageError):
        detect("break", tables, law)


def test_a_rule_without_its_tables() -> None:
    tables = {"attendance": attendance([day("S1", "2026-01-05", 12.5)])}
    found = detect_all(tables, LAW)  # a next month's records: no consent, payslips, ads or events
    assert list(found.columns) == list(COLUMNS)
    assert keys(found) == [key("daily_hours", "S1", "2026-01-05")]
    with pytest.raises(UsageError):
        detect("ad_pay_range", tables, LAW)
    assert detect_all({}, LAW).empty


def test_filter_rows() -> None:
    days = [day(s, d) for s in ("S1", "S2") for d in ("2026-01-30", "2026-02-02", "2026-02-03")]
    att = attendance(days)
    assert filter_rows(att, staff_id="S1")["row_id"].tolist() == ["A000001", "A000002", "A000003"]
    assert filter_rows(att, staff_id=["S2"], month="2026-02")["row_id"].tolist() == ["A000005", "A000006"]
    assert filter_rows(att, date_from="2026-02-02", date_to=dt.date(2026, 2, 2))["row_id"].tolist() == [
        "A000002",
        "A000005",
    ]
    slips = pd.DataFrame([slip("S1", "2026-01"), slip("S1", "2026-02"), slip("S2", "2026-03")])
    assert filter_rows(slips, date_from="2026-02-15")["month"].tolist() == ["2026-02", "2026-03"]
    assert filter_rows(slips, month="2026-01", staff_id="S1").shape[0] == 1
    with pytest.raises(UsageError):
        filter_rows(_ads({}), staff_id="S1")


def test_candidates_show_the_rows_at_the_line() -> None:
    days = [day("S1", "2026-01-05", 12.0), day("S2", "2026-01-05", 12.5), day("S3", "2026-01-05", 9.0)]
    near = candidates("daily_hours", {"attendance": attendance(days)}, LAW)
    assert near[["staff_id", "value", "limit", "breach"]].values.tolist() == [
        ["S1", 12.0, 12.0, False],
        ["S2", 12.5, 12.0, True],
    ]
    wider = candidates("daily_hours", {"attendance": attendance(days)}, LAW, margin=3)
    assert wider["staff_id"].tolist() == ["S1", "S2", "S3"]


# ------------------------------------------------------------------------------------------------ properties
def _reference() -> Any:
    """The plain row-by-row implementation of benchmarks/bench_t5_rules.py, a second implementation."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_t5_rules.py"
    spec = importlib.util.spec_from_file_location("bench_t5_rules", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REFERENCE = _reference()
_KINDS = st.sampled_from(pay.DAY_TYPES)
_HALVES = st.integers(min_value=0, max_value=32).map(lambda n: n / 2)


@given(kind=_KINDS, basis=st.sampled_from(pay.BASES), rate=st.integers(150, 60000), hours=_HALVES)
def test_the_amount_grows_with_the_hours(kind: str, basis: str, rate: int, hours: float) -> None:
    hourly = pay.hourly_rate(basis, rate, LAW)
    less = pay.overtime_amount([(kind, hours)], basis, hourly, LAW)
    more = pay.overtime_amount([(kind, hours + 0.5)], basis, hourly, LAW)
    assert 0 <= less <= more


@st.composite
def _records(draw: st.DrawFn) -> dict[str, pd.DataFrame]:
    """A few people's records over 2026-01..03: days of 0.5 to 14 h with breaks at and near the line, runs of days,
    payslips paid at and near the line."""
    start = dt.date(2026, 1, 1)
    worked = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, 89), st.integers(1, 28), st.sampled_from([0, 15, 29, 30, 60])),
            min_size=1,
            max_size=60,
            unique_by=lambda x: (x[0], x[1]),
        )
    )
    days = []
    for person, offset, halves, brk in worked:
        when = (start + dt.timedelta(days=offset)).isoformat()
        kind = "holiday" if offset in (0, 46, 47) else ""
        days.append(day(f"S{person}", when, halves / 2, brk=brk, kind=kind))
    att = attendance(days)
    slips = []
    for person in range(3):
        for month in ("2026-01", "2026-02", "2026-03"):
            hourly = draw(st.booleans())
            rate = draw(st.integers(190, 200)) if hourly else draw(st.integers(28000, 36000))
            basis = "hourly" if hourly else "monthly"
            employed = draw(st.integers(1, pay.days_in_month(month)))
            unpaid = draw(st.integers(0, 2))
            mine = att[(att["staff_id"] == f"S{person}") & (att["date"].str[:7] == month)]
            owed = pay.overtime_amount(mine, basis, pay.hourly_rate(basis, rate, LAW), LAW)
            floor = pay.minimum_wage_floor(month, employed, unpaid, LAW)
            slips.append(
                slip(
                    f"S{person}",
                    month,
                    pay_basis=basis,
                    rate=rate,
                    days_employed=employed,
                    unpaid_leave_days=unpaid,
                    normal_hours=draw(_HALVES) * 10,
                    base_paid=floor + draw(st.integers(-2, 2)),
                    overtime_paid=max(owed + draw(st.integers(-3, 1)), 0),
                )
            )
    agreed = draw(st.lists(st.sampled_from(["2026-01", "2026-02", "2026-03"]), unique=True))
    return {
        "attendance": att,
        "overtime_consent": consent(["2026-01", "2026-02", "2026-03"], agreed),
        "payslips": pd.DataFrame(slips),
    }


@settings(max_examples=40, deadline=None)
@given(tables=_records(), order=st.randoms(use_true_random=False))
def test_detection_is_the_plain_loops_whatever_the_row_order(tables: dict[str, pd.DataFrame], order: Any) -> None:
    rules = [r.id for r in RULES if all(name in tables for name in r.tables)]
    found = detect_all(tables, LAW)
    for rule_id in rules:
        assert REFERENCE.library(rule_id, tables, LAW) == REFERENCE.reference(rule_id, tables, LAW), rule_id
    shuffled = {}
    for name, frame in tables.items():
        index = list(frame.index)
        order.shuffle(index)
        shuffled[name] = frame.loc[index].reset_index(drop=True)
    again = detect_all(shuffled, LAW)
    pd.testing.assert_frame_equal(found, again)


def test_complaints_are_the_plain_loops_on_synthetic_records_and_the_hand_made_ones() -> None:
    tables = REFERENCE.synthetic()
    found = REFERENCE.library("complaint_reply", tables, LAW)
    assert found == REFERENCE.reference("complaint_reply", tables, LAW) and 50 < len(found) < 1200
    hand = _complaints(
        ("K1", "2026-01-15", "2026-02-23", "financial_consumer"),
        ("K2", "2026-01-15", "2026-02-24", "financial_consumer"),
        ("K3", "2026-03-06", "", "consumer_protection"),
    )
    assert REFERENCE.library("complaint_reply", hand, LAW) == REFERENCE.reference("complaint_reply", hand, LAW)
    assert set(REFERENCE.reference("complaint_reply", hand, LAW)) == {
        key("complaint_reply", complaint="K2"),
        key("complaint_reply", complaint="K3"),
    }


def test_the_vectorised_amount_is_the_exact_one() -> None:
    days = [
        day("S1", "2026-01-05", 11.0),
        day("S1", "2026-01-10", 9.0),
        day("S1", "2026-01-11", 8.0),
        day("S1", "2026-01-01", 8.5, kind="holiday"),
        day("S2", "2026-01-10", 9.5),
        day("S2", "2026-01-06", 13.5),
    ]
    slips = [slip("S1", "2026-01", rate=32000), slip("S2", "2026-01", pay_basis="hourly", rate=197, normal_hours=8.0)]
    tables = _pay_tables(days, slips)
    owed = Records(tables, LAW).overtime_owed.tolist()
    att = tables["attendance"]
    for s, got in zip(slips, owed, strict=True):
        mine = att[att["staff_id"] == s["staff_id"]]
        rate = pay.hourly_rate(s["pay_basis"], s["rate"], LAW)
        assert got == pay.overtime_amount(mine, s["pay_basis"], rate, LAW)
    # S1 monthly 32000: workday 3 h 13/3, rest day 9 h 43/3, regular leave 8 h 8, holiday 8.5 h 8.5: 1/240 x 32000
    assert owed[0] == pay.round_half_up(
        Fraction(32000, 240) * (Fraction(13, 3) + Fraction(43, 3) + 8 + Fraction(17, 2))
    )


# ------------------------------------------------------------------------------------------------ the world
ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")


def _truth_keys(frame: pd.DataFrame) -> dict[tuple[str, ...], int]:
    cols = [frame[c].fillna("").astype(str).tolist() for c in KEY]
    return {tuple(k): int(b) for *k, b in zip(*cols, frame["back_pay"].tolist(), strict=True)}


@pytest.mark.slow
@pytest.mark.parametrize("org", ORGS)
@pytest.mark.parametrize("seed", [1, 7])
def test_the_library_finds_exactly_the_seeded_truth(org: str, seed: int) -> None:
    from casekit.scenario.world import TABLES, world_for

    if "attendance" not in TABLES:
        pytest.skip("the world has no T5 tables yet")
    world = world_for(org, seed)
    found = detect_all(world.tables, LAW)
    ours, truth = _truth_keys(found), _truth_keys(world.truth["compliance_breaches"])
    missed, extra = sorted(set(truth) - set(ours)), sorted(set(ours) - set(truth))
    assert not missed and not extra, f"missed {missed[:5]}, not in the truth {extra[:5]}"
    wrong = {k: (ours[k], truth[k]) for k in truth if ours[k] != truth[k]}
    assert not wrong, f"back pay (library, truth): {list(wrong.items())[:5]}"
    decoys = set(_truth_keys(world.truth["compliance_decoys"]))
    assert not decoys & set(ours)
    # the evidence a candidate copies from the library covers the rows the truth names
    rows = dict(zip(map(tuple, found[list(KEY)].astype(str).values.tolist()), found["rows"], strict=True))
    breaches = world.truth["compliance_breaches"]
    for k, need in zip(_truth_keys(breaches), breaches["rows"].fillna("").astype(str), strict=True):
        assert {r for r in need.split(";") if r} <= set(rows[k].split(";")), k
