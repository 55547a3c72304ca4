"""The T5 rules recomputed plainly (row by row, exact fractions), for the world tests: an implementation of the
brief's table independent of the world's seeding and of the rule library, to check that the seeded truth is what the
records show and that the background is compliant.

:func:`findings` gives ``{key: (rows, back_pay)}`` with ``key = (rule, staff_id, date, month, ad_id, event_id,
complaint_id)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import pandas as pd

from casekit.cases.t1_recruitment.fairness import check_question
from casekit.months import days_in_month
from casekit.scenario.catalogs import load_law

Key = tuple[str, str, str, str, str, str, str]
#: the days to answer a complaint, by regime (消費者保護法 §43 II, 金融消費者保護法 §13 II)
REPLY_DAYS = {"consumer_protection": 15, "financial_consumer": 30}
MULT = {
    ("workday", "monthly"): (Fraction(4, 3), Fraction(5, 3)),
    ("workday", "hourly"): (Fraction(4, 3), Fraction(5, 3)),
    ("rest_day", "monthly"): (Fraction(4, 3), Fraction(5, 3)),
    ("rest_day", "hourly"): (Fraction(7, 3), Fraction(8, 3)),
    ("holiday", "monthly"): (Fraction(1), Fraction(1)),
    ("holiday", "hourly"): (Fraction(2), Fraction(2)),
    ("regular_leave", "monthly"): (Fraction(1), Fraction(1)),
    ("regular_leave", "hourly"): (Fraction(2), Fraction(2)),
}


def minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def half_up(x: Fraction) -> int:
    return (2 * x.numerator + x.denominator) // (2 * x.denominator)


def amount(days: pd.DataFrame, basis: str, rate: int, mult: Mapping[tuple[str, str], tuple[Fraction, Fraction]] = MULT
           ) -> int:  # fmt: skip
    """The §24 / §39 / §40 amount of one person-month's attendance rows."""
    hourly = Fraction(rate) if basis == "hourly" else Fraction(rate, 240)
    total = Fraction(0)
    for kind, hours in zip(days["day_type"], days["overtime_hours"], strict=True):
        h = Fraction(str(hours))
        first, after = mult[kind, basis]
        total += min(h, 2) * first + max(h - 2, Fraction(0)) * after
    return half_up(hourly * total)


def floor_of(month: str, employed: int, unpaid: int, rate: int | None = None) -> int:
    """The §21 floor of a monthly-paid month (or, with ``rate``, that salary prorated the same way)."""
    mw = Fraction(load_law()["minimum_wage"][int(month[:4])]["monthly"] if rate is None else rate)
    return half_up(mw * employed / days_in_month(month) - mw / 30 * unpaid)


def _key(
    rule: str, staff: str = "", date: str = "", month: str = "", ad: str = "", event: str = "", complaint: str = ""
) -> Key:
    return (rule, staff, date, month, ad, event, complaint)


def complaint_last_day(received: str, regime: str) -> dt.date:
    """The day received plus the regime's days (民法 §120 II), moved off a Saturday, Sunday or holiday (§122)."""
    holidays = {str(d) for days in load_law()["holidays"].values() for d in days}
    day = dt.date.fromisoformat(received) + dt.timedelta(days=REPLY_DAYS[regime])
    while day.weekday() >= 5 or day.isoformat() in holidays:
        day += dt.timedelta(days=1)
    return day


def findings(tables: Mapping[str, pd.DataFrame], consent: Mapping[str, bool]) -> dict[Key, tuple[str, int]]:
    """Every breach in ``tables`` (attendance, payslips, and job_ads / data_events when present)."""
    out: dict[Key, tuple[str, int]] = {}
    att = tables["attendance"].sort_values(["staff_id", "date"], kind="stable")
    att = att.assign(month=att["date"].str.slice(0, 7))
    for r in att.itertuples():
        span = minutes(r.end) - minutes(r.start)
        if r.normal_hours + r.overtime_hours > 12:
            out[_key("daily_hours", r.staff_id, r.date)] = (r.row_id, 0)
        if span > 240 and r.break_minutes < 30:
            out[_key("break", r.staff_id, r.date)] = (r.row_id, 0)
    ot_rows = att[att["overtime_hours"] > 0]
    months = sorted(att["month"].unique())
    sums = att.groupby(["staff_id", "month"])["overtime_hours"].sum()
    for (staff, month), hours in sums.items():
        if hours > (54 if consent.get(month) else 46):
            rows = ";".join(ot_rows[(ot_rows["staff_id"] == staff) & (ot_rows["month"] == month)]["row_id"])
            out[_key("monthly_overtime", staff, month=month)] = (rows, 0)
        i = months.index(month)
        if consent.get(month) and i >= 2:
            three = months[i - 2 : i + 1]
            total = sum(sums.get((staff, m), 0.0) for m in three)
            if total > 138:
                mine = ot_rows[(ot_rows["staff_id"] == staff) & ot_rows["month"].isin(three)]
                out[_key("three_month_overtime", staff, month=month)] = (";".join(mine["row_id"]), 0)
    for staff, mine in att.groupby("staff_id"):
        days = [dt.date.fromisoformat(d) for d in mine["date"]]
        ids = list(mine["row_id"])
        start = 0
        for j in range(1, len(days) + 1):
            if j == len(days) or (days[j] - days[j - 1]).days != 1:
                if j - start >= 7:
                    out[_key("rest_days", str(staff), days[start].isoformat())] = (";".join(ids[start:j]), 0)
                start = j
    mw = load_law()["minimum_wage"]
    by_month = {key: g for key, g in att.groupby(["staff_id", "month"])}
    none = att.iloc[:0]
    for s in tables["payslips"].itertuples():
        slip = f"{s.staff_id}|{s.month}"
        mine = by_month.get((s.staff_id, s.month), none)
        owed = amount(mine, s.pay_basis, int(s.rate))
        if s.overtime_paid < owed - 1:
            rows = ";".join([slip, *mine[mine["overtime_hours"] > 0]["row_id"]])
            out[_key("overtime_pay", s.staff_id, month=s.month)] = (rows, owed - int(s.overtime_paid))
        if s.pay_basis == "monthly":
            floor = floor_of(s.month, int(s.days_employed), int(s.unpaid_leave_days))
            if s.base_paid < floor:
                out[_key("minimum_wage_monthly", s.staff_id, month=s.month)] = (slip, floor - int(s.base_paid))
        hourly = int(mw[int(s.month[:4])]["hourly"])
        if s.pay_basis == "hourly" and s.rate < hourly:
            back = half_up((hourly - Fraction(int(s.rate))) * Fraction(str(s.normal_hours)))
            out[_key("minimum_wage_hourly", s.staff_id, month=s.month)] = (slip, back)
    if "job_ads" in tables:
        for a in tables["job_ads"].itertuples():
            if any(f.kind == "ground" for f in check_question(a.text_zh_tw)):
                out[_key("ad_ground", ad=a.ad_id)] = (a.ad_id, 0)
            if a.offered_pay < 40000 and a.pay_shown == "negotiable":
                out[_key("ad_pay_range", ad=a.ad_id)] = (a.ad_id, 0)
    for e in tables["data_events"].itertuples():
        if e.collected and not e.notice_given:
            out[_key("data_notice", event=e.event_id)] = (e.event_id, 0)
    if "complaints" in tables and len(tables["complaints"]):
        c = tables["complaints"]
        latest = max(c["received"])
        end = dt.date(int(latest[:4]), int(latest[5:7]), days_in_month(latest[:7]))
        for r in c.itertuples():
            last = complaint_last_day(r.received, r.regime)
            answered = dt.date.fromisoformat(r.replied) if isinstance(r.replied, str) and r.replied else None
            if (answered or end) > last:
                out[_key("complaint_reply", complaint=r.complaint_id)] = (r.complaint_id, 0)
    return out


def truth_keys(truth: pd.DataFrame) -> dict[Key, tuple[str, int]]:
    return {
        (r.rule, r.staff_id, r.date, r.month, r.ad_id, r.event_id, r.complaint_id): (r.rows, int(r.back_pay))
        for r in truth.itertuples()
    }


def consent_of(world: Any) -> dict[str, bool]:
    c = world.overtime_consent
    return dict(zip(c["month"], c["consented"], strict=True))
