"""How far each record is from each rule's line, vectorised: one function per rule of
:mod:`casekit.cases.t5_compliance.rules`, giving the breaches (``near`` None), or with ``near`` every row within
that distance of the line too, with the figure measured, the line, a note and the evidence rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd

from casekit.cases.t5_compliance import pay
from casekit.cases.t5_compliance.records import Records, bools, ground_flags, month_text, rows_of, text

__all__ = ["CANDIDATE_COLUMNS", "COLUMNS", "KEY", "MEASURES", "empty"]

KEY: Final = ("rule", "staff_id", "date", "month", "ad_id", "event_id", "complaint_id")
COLUMNS: Final = (*KEY, "back_pay", "rows")
#: a candidate row: the key, the figure measured against the line, the line, whether it is a breach, a note
CANDIDATE_COLUMNS: Final = (*KEY, "value", "limit", "breach", "note", "back_pay", "rows")

Frame = pd.DataFrame
Measure = Callable[[Records, float | None], Frame]
_DEFAULTS: Final[Mapping[str, Any]] = {"value": 0.0, "limit": 0.0, "breach": False, "back_pay": 0}


def _out(rule_id: str, n: int, **columns: Any) -> Frame:
    """A frame of ``n`` candidate rows from the columns given (each in row order), defaults for the rest."""
    data = {
        name: _column(columns[name])
        if name in columns
        else [rule_id if name == "rule" else _DEFAULTS.get(name, "")] * n
        for name in CANDIDATE_COLUMNS
    }
    out = pd.DataFrame(data, columns=list(CANDIDATE_COLUMNS))
    return out.astype({"value": float, "limit": float, "breach": bool, "back_pay": "int64"})


def _column(values: Any) -> Any:
    return values.to_numpy() if isinstance(values, pd.Series) else list(values)


def empty() -> Frame:
    """No findings, with :data:`COLUMNS`."""
    return _out("", 0)[list(COLUMNS)]


def _keep(value: pd.Series, limit: Any, breach: pd.Series, near: float | None) -> pd.Series:
    """The rows to report: the breaches, and with a margin the rows within it of the line too."""
    return breach if near is None else breach | ((value - limit).abs() <= near + 1e-9)


def _hours(rec: Records, name: str) -> float:
    return float(pay.figure(rec.law, name))


def _daily_hours(rec: Records, near: float | None) -> Frame:
    a = rec.attendance
    limit = _hours(rec, "overtime.daily_max_total_hours")
    breach = a["work"] > round(limit * 60)
    keep = _keep(a["work"] / 60, limit, breach, near)
    sel = a[keep]
    return _out(
        "daily_hours",
        len(sel),
        staff_id=sel["staff_id"],
        date=sel["date"],
        value=sel["work"] / 60,
        limit=[limit] * len(sel),
        breach=breach[keep],
        note=sel["day_type"],
        rows=sel["row_id"],
    )


def _monthly_overtime(rec: Records, near: float | None) -> Frame:
    a = rec.attendance
    cap, cap_agreed = _hours(rec, "overtime.monthly_cap_hours"), _hours(rec, "overtime.monthly_cap_hours_agreed")
    m = a.groupby(["staff_id", "mi"], sort=True)["ot"].sum().reset_index()
    agreed = m["mi"].isin(rec.consented)
    limit = agreed.map({True: cap_agreed, False: cap}).astype(float)
    breach = m["ot"] > (limit * 60).round()
    keep = _keep(m["ot"] / 60, limit, breach, near)
    sel = m[keep]
    rows = rows_of(a[a["ot"] > 0], ["staff_id", "mi"], sel)
    return _out(
        "monthly_overtime",
        len(sel),
        staff_id=sel["staff_id"],
        month=month_text(sel["mi"]),
        value=sel["ot"] / 60,
        limit=limit[keep],
        breach=breach[keep],
        note=agreed[keep].map({True: "consented", False: ""}),
        rows=rows,
    )


def _three_month_overtime(rec: Records, near: float | None) -> Frame:
    a = rec.attendance
    cap = _hours(rec, "overtime.three_month_cap_hours")
    recorded = set(a["mi"].unique().tolist())
    parts = [
        a[a["mi"].between(third - 2, third)].groupby("staff_id", sort=True)["ot"].sum().reset_index().assign(mi=third)
        for third in sorted(m for m in rec.consented if {m, m - 1, m - 2} <= recorded)
    ]
    m = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame({"staff_id": [], "ot": [], "mi": []})
    breach = m["ot"] > round(cap * 60)
    keep = _keep(m["ot"] / 60, cap, breach, near)
    sel = m[keep].reset_index(drop=True)
    worked = a[a["ot"] > 0]
    rows = [""] * len(sel)
    for third in sorted(set(sel["mi"].tolist())):  # a person's three months are a block of rows
        these = sel.index[sel["mi"] == third]
        found = rows_of(worked[worked["mi"].between(third - 2, third)], ["staff_id"], sel.loc[these])
        for i, joined in zip(these, found, strict=True):
            rows[i] = joined
    return _out(
        "three_month_overtime",
        len(sel),
        staff_id=sel["staff_id"],
        month=month_text(sel["mi"]),
        value=sel["ot"] / 60,
        limit=[cap] * len(sel),
        breach=breach[keep].to_numpy(),
        rows=rows,
    )


def _rest_days(rec: Records, near: float | None) -> Frame:
    a = rec.attendance  # sorted by person and day: a run is a block of rows
    limit = _hours(rec, "rest_days.max_consecutive_days")
    staff, day = a["staff_id"].to_numpy(dtype=object), a["day"].to_numpy()
    step = np.diff(day)
    joined = (staff[1:] == staff[:-1]) & ((step == 0) | (step == 1))
    starts = np.flatnonzero(np.concatenate(([True], ~joined))) if len(a) else np.zeros(0, dtype=np.int64)
    ends = np.concatenate((starts[1:], [len(a)])).astype(np.int64)
    length = pd.Series(day[ends - 1] - day[starts] + 1 if len(a) else [], dtype=float)
    breach = length > limit
    keep = _keep(length, limit, breach, near).to_numpy()
    ids = a["row_id"].to_numpy(dtype=object).tolist()
    first, last = starts[keep], ends[keep]
    return _out(
        "rest_days",
        len(first),
        staff_id=staff[first],
        date=a["date"].to_numpy(dtype=object)[first],
        value=length[keep],
        limit=[limit] * len(first),
        breach=breach[keep],
        rows=[";".join(ids[i:j]) for i, j in zip(first.tolist(), last.tolist(), strict=True)],
    )


def _break(rec: Records, near: float | None) -> Frame:
    a = rec.attendance
    after = round(_hours(rec, "breaks.after_hours") * 60)
    need = _hours(rec, "breaks.minutes")
    breach = (a["span"] > after) & (a["brk"] < need)
    keep = breach if near is None else breach | ((a["span"] >= after) & (a["brk"] <= need + near))
    sel = a[keep]
    span = [f"{s // 60}:{s % 60:02d}" for s in sel["span"]]
    return _out(
        "break",
        len(sel),
        staff_id=sel["staff_id"],
        date=sel["date"],
        value=sel["brk"],
        limit=[need] * len(sel),
        breach=breach[keep],
        note=span,
        rows=sel["row_id"],
    )


def _overtime_pay(rec: Records, near: float | None) -> Frame:
    s, a = rec.payslips, rec.attendance
    owed = rec.overtime_owed
    paid = s["overtime_paid"]
    breach = (owed - paid) > float(pay.figure(rec.law, "overtime_pay.tolerance"))
    keep = _keep(paid.astype(float), owed.astype(float), breach, near)
    sel = s[keep]
    slip = sel["staff_id"] + "|" + sel["month"]
    worked = rows_of(a[a["ot"] > 0], ["staff_id", "mi"], sel)
    rows = [f"{i};{r}" if r else i for i, r in zip(slip, worked, strict=True)]
    back = (owed[keep] - paid[keep]).where(breach[keep], 0)
    return _out(
        "overtime_pay",
        len(sel),
        staff_id=sel["staff_id"],
        month=sel["month"],
        value=paid[keep],
        limit=owed[keep],
        breach=breach[keep],
        note=sel["pay_basis"],
        back_pay=back,
        rows=rows,
    )


def _minimum_wage_monthly(rec: Records, near: float | None) -> Frame:
    s = rec.payslips
    s = s[s["pay_basis"] == "monthly"]
    floor = pay.minimum_wage_floors(s, rec.law)
    breach = s["base_paid"] < floor
    keep = _keep(s["base_paid"], floor, breach, near)
    sel = s[keep]
    return _out(
        "minimum_wage_monthly",
        len(sel),
        staff_id=sel["staff_id"],
        month=sel["month"],
        value=sel["base_paid"],
        limit=floor[keep],
        breach=breach[keep],
        back_pay=(floor[keep] - sel["base_paid"]).where(breach[keep], 0),
        rows=sel["staff_id"] + "|" + sel["month"],
    )


def _minimum_wage_hourly(rec: Records, near: float | None) -> Frame:
    s = rec.payslips
    s = s[s["pay_basis"] == "hourly"]
    wage = {m: pay.hourly_minimum_wage(m, rec.law) for m in s["month"].unique().tolist()}
    limit = s["month"].map(wage).astype(float)
    breach = s["rate"] < limit
    keep = _keep(s["rate"], limit, breach, near)
    sel = s[keep]
    back = [
        pay.round_half_up((wage[m] - pay.exact(r)) * pay.exact(h)) if b else 0
        for m, r, h, b in zip(sel["month"], sel["rate"], sel["normal_hours"], breach[keep], strict=True)
    ]
    return _out(
        "minimum_wage_hourly",
        len(sel),
        staff_id=sel["staff_id"],
        month=sel["month"],
        value=sel["rate"],
        limit=limit[keep],
        breach=breach[keep],
        back_pay=back,
        rows=sel["staff_id"] + "|" + sel["month"],
    )


def _ad_ground(rec: Records, near: float | None) -> Frame:
    ads = rec.tables["job_ads"]
    grounds = pd.Series([ground_flags(x) for x in text(ads["text_zh_tw"])], index=ads.index, dtype=object)
    breach = grounds.map(bool).astype(bool)
    keep = breach if near is None else pd.Series(True, index=ads.index)
    ids = text(ads.loc[keep, "ad_id"])
    return _out(
        "ad_ground",
        len(ids),
        ad_id=ids,
        value=grounds[keep].map(len),
        breach=breach[keep],
        note=grounds[keep].map(";".join),
        rows=ids,
    )


def _ad_pay_range(rec: Records, near: float | None) -> Frame:
    ads = rec.tables["job_ads"]
    limit = float(pay.figure(rec.law, "job_ad_pay_disclosure_threshold"))
    offered = pd.to_numeric(ads["offered_pay"]).astype(float)
    shown = text(ads["pay_shown"])
    breach = (offered < limit) & (shown == "negotiable")
    keep = breach if near is None else breach | (offered < limit + near)
    ids = text(ads.loc[keep, "ad_id"])
    return _out(
        "ad_pay_range",
        len(ids),
        ad_id=ids,
        value=offered[keep],
        limit=[limit] * len(ids),
        breach=breach[keep],
        note=shown[keep],
        rows=ids,
    )


def _data_notice(rec: Records, near: float | None) -> Frame:
    ev = rec.tables["data_events"]
    collected = text(ev["collected"]).str.strip()
    count = (collected.str.count(";") + 1).where(collected != "", 0).astype(float)
    without = ~bools(ev["notice_given"])
    breach = (count > 0) & without
    keep = breach if near is None else without
    ids = text(ev.loc[keep, "event_id"])
    return _out(
        "data_notice", len(ids), event_id=ids, value=count[keep], breach=breach[keep], note=collected[keep], rows=ids
    )


def _complaint_reply(rec: Records, near: float | None) -> Frame:
    c = rec.complaints
    breach = c["late"] > 0
    keep = breach if near is None else breach | (c["late"] >= -near - 1e-9)
    sel = c[keep]
    return _out(
        "complaint_reply",
        len(sel),
        complaint_id=sel["complaint_id"],
        value=sel["taken"].astype(float),
        limit=sel["allowed"].astype(float),
        breach=breach[keep],
        note=sel["note"],
        rows=sel["complaint_id"],
    )


MEASURES: Final[Mapping[str, Measure]] = {
    "daily_hours": _daily_hours,
    "monthly_overtime": _monthly_overtime,
    "three_month_overtime": _three_month_overtime,
    "rest_days": _rest_days,
    "break": _break,
    "overtime_pay": _overtime_pay,
    "minimum_wage_monthly": _minimum_wage_monthly,
    "minimum_wage_hourly": _minimum_wage_hourly,
    "ad_ground": _ad_ground,
    "ad_pay_range": _ad_pay_range,
    "data_notice": _data_notice,
    "complaint_reply": _complaint_reply,
}
