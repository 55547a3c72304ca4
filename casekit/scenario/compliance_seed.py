"""T5's seeded people: the shape each rule's breach or decoy gives a person's days or pay, and the truth row that
names it. One copy for the window (:mod:`casekit.scenario.compliance`) and the next month
(:mod:`casekit.scenario.compliance_next`), where a breach that recurs takes the same shape again.

At the line (decoy) / just past it (boundary) / well past it (beyond):

- ``daily_hours``: a workday of 12.0 / 12.5 / 13-14 h in all (60-minute break);
- ``monthly_overtime``: the month's overtime exactly the cap / cap + 0.5 h / cap + 2-5 h (46 h, or 54 h in a
  consented month), in whole Saturdays and up to 2 h (3.5 h if need be) on workdays;
- ``three_month_overtime``: the three months 138.0 / 138.5 / 142-147 h, no month over (or at) its own cap;
- ``rest_days``: 6 / 7 / 8-10 consecutive days worked from a Monday (Saturday and Sunday worked, no holiday on
  the way), the day after off (annual leave on a workday);
- ``break``: 30 min over an 8.5 h span, or a 4 h half-day without a break / 29 min / 15 or 0 min;
- ``overtime_pay`` (a Saturday worked in the month): the §24 amount / the hours after the tier at the first
  tier's figure / every hour x 1;
- ``minimum_wage_monthly`` (one unpaid personal-leave day, rate the minimum wage): base exactly the floor / the
  floor - 1 / last year's minimum wage prorated;
- ``minimum_wage_hourly``: rate the hourly minimum wage / 1 under / last year's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_law
from casekit.scenario.compliance_pay import PayLaw, base_pay, pay_law, person_month_amount, round_half_up, wage
from casekit.scenario.compliance_records import Mark
from casekit.scenario.compliance_spec import PAY_RULES
from casekit.scenario.compliance_time import (
    ANNUAL,
    HOLIDAY,
    PERSONAL,
    REST_DAY,
    WORKDAY,
    Sched,
    allocate,
    plain_month,
    set_day,
)
from casekit.scenario.spec import T5_RULES, OrgSpec

__all__ = [
    "FULL_TIME",
    "HOURLY",
    "PAY_RULES",
    "PEOPLE_RULES",
    "TRUTH_COLUMNS",
    "Placed",
    "apply_pay",
    "mark_of",
    "monthly_caps_hh",
    "pay_seeds",
    "place",
    "seed_rate",
    "three_month_split",
    "three_month_total",
    "truth_frame",
]

#: the rules about people, in the order the rule library lists them
PEOPLE_RULES = T5_RULES[:8]
#: the rules whose seed needs a person paid monthly (full-time, 8 h days) / by the hour
FULL_TIME = {"daily_hours", "monthly_overtime", "three_month_overtime", "rest_days", "break", "minimum_wage_monthly"}
HOURLY = {"minimum_wage_hourly"}
TRUTH_COLUMNS = ["rule", "staff_id", "date", "month", "ad_id", "event_id", "complaint_id", "back_pay", "boundary",
                 "rows"]  # fmt: skip


@dataclass
class Placed:
    """A seed put on person ``p``: the rule, its kind, the month or first day it sits on, how many days it runs
    (``rest_days``), its variant (``break`` decoy shape, pay mistake) and the rate it pays (pay rules)."""

    rule: str
    kind: str
    p: int
    m: int = -1
    d: int = -1
    length: int = 1
    variant: int = 0
    rate: int = 0


def _workdays(s: Sched, p: int, m: int | None = None) -> np.ndarray:
    ok = s.work[p] & (s.kind == WORKDAY) & (s.leave[p] == 0)
    if m is not None:
        ok &= s.month == m
    return np.flatnonzero(ok)


def three_month_total(kind: str, rng: np.random.Generator) -> int:
    """The half-hours a three-month seed spreads over its months: the cap (138 h) exactly (decoy), half an hour
    more (boundary), 4-9 h more (beyond)."""
    cap = 2 * int(load_law()["overtime"]["three_month_cap_hours"])
    return {"decoy": cap, "boundary": cap + 1}.get(kind, cap + 8 + 2 * int(rng.integers(0, 6)))


def three_month_split(total: int, caps: list[int]) -> list[int] | None:
    """``total`` half-hours over three months as evenly as each month's ``caps`` (half-hours, already short of the
    monthly line) allow; None when they cannot hold it."""
    if sum(caps) < total:
        return None
    vals = [0, 0, 0]
    left = total
    while left:
        for i in (2, 1, 0):
            if left and vals[i] < caps[i]:
                vals[i] += 1
                left -= 1
    return vals


def place(rule: str, kind: str, s: Sched, p: int, rng: np.random.Generator, i: int, caps: list[int],
          m: int | None = None, three: list[int] | None = None) -> Placed | None:  # fmt: skip
    """Put the seed of ``rule`` (``kind`` decoy / boundary / beyond, the ``i``-th of its kind) on person ``p``;
    ``caps`` are each month's monthly overtime cap in half-hours, ``m`` the month (default: drawn), ``three`` the
    three months' targets (``three_month_overtime``). None when ``p``'s days cannot hold it."""
    months = len(s.months)
    month = int(rng.integers(0, months)) if m is None else m
    at_line = {"decoy": 0, "boundary": 1}
    if rule == "daily_hours":
        days = _workdays(s, p)
        if not len(days):
            return None
        d = int(days[rng.integers(0, len(days))])
        total = 24 + at_line.get(kind, int(rng.integers(2, 5)))
        set_day(s, p, d, 16, total - 16, 60)
        return Placed(rule, kind, p, int(s.month[d]), d)
    if rule == "monthly_overtime":
        target = caps[month] + at_line.get(kind, 2 * int(rng.integers(2, 6)))
        return Placed(rule, kind, p, month) if allocate(s, p, month, target) else None
    if rule == "three_month_overtime":
        for j, hh in enumerate(three or []):
            if not allocate(s, p, j, hh):
                return None
        return Placed(rule, kind, p, months - 1)
    if rule == "rest_days":
        return _rest_days(s, p, kind, rng)
    if rule == "break":
        days = _workdays(s, p)
        if not len(days):
            return None
        d = int(days[rng.integers(0, len(days))])
        half = kind == "decoy" and i % 2 == 1
        brk = {"decoy": 30, "boundary": 29}.get(kind, 15 * (i % 2))
        set_day(s, p, d, 8 if half else 16, 0, 0 if half else brk)
        if half:  # a half-day's annual leave, the other half worked: 4 h exactly, no break needed
            s.leave[p, d], s.leave_hours[p, d] = ANNUAL, 4
        return Placed(rule, kind, p, int(s.month[d]), d, variant=int(half))
    in_month = s.days_of(month)
    if rule == "overtime_pay":
        if not (s.work[p, in_month] & (s.kind[in_month] == REST_DAY)).any():
            saturdays = in_month[(s.kind[in_month] == REST_DAY) & s.employed[p, in_month]]
            if not len(saturdays):
                return None
            set_day(s, p, int(saturdays[0]), 0, s.full_hh(p), s.std_break(p))
        return Placed(rule, kind, p, month)
    if rule == "minimum_wage_monthly":
        s.leave[p, in_month] = np.where(s.leave[p, in_month] == PERSONAL, ANNUAL, s.leave[p, in_month])
        days = _workdays(s, p, month)
        if not len(days):
            return None
        day = int(days[rng.integers(0, len(days))])
        s.work[p, day], s.normal[p, day], s.ot[p, day], s.brk[p, day] = False, 0, 0, 0
        s.leave[p, day], s.leave_hours[p, day] = PERSONAL, 8
        return Placed(rule, kind, p, month)
    if rule == "minimum_wage_hourly":
        return Placed(rule, kind, p, month) if len(_workdays(s, p, month)) else None
    raise ValueError(rule)


def _rest_days(s: Sched, p: int, kind: str, rng: np.random.Generator) -> Placed | None:
    length = {"decoy": 6, "boundary": 7}.get(kind, 8 + int(rng.integers(0, 3)))
    n_days = len(s.dates)
    holiday = s.kind == HOLIDAY  # a run through holidays would be overtime past the monthly cap as well
    mondays = [int(d) for d in np.flatnonzero(s.weekday == 0) if d >= 1 and d + length < n_days and s.employed[p, d]
               and not holiday[d : d + length + 1].any()]  # fmt: skip
    if not mondays:
        return None
    d0 = mondays[int(rng.integers(0, len(mondays)))]
    for m in sorted({int(s.month[d]) for d in range(d0, d0 + length + 1)}):
        plain_month(s, p, m)
    for d in range(d0, d0 + length):
        if s.kind[d] == WORKDAY:
            set_day(s, p, d, 16, 0, 60)
        else:
            set_day(s, p, d, 0, 16, 60)
    after = d0 + length
    s.work[p, after], s.normal[p, after], s.ot[p, after], s.brk[p, after] = False, 0, 0, 0
    if s.kind[after] == WORKDAY:
        s.leave[p, after], s.leave_hours[p, after] = ANNUAL, 8
    return Placed("rest_days", kind, p, int(s.month[d0]), d0, length)


def seed_rate(placed: Placed, s: Sched, staff_rate: int) -> int:
    """The rate a pay seed's payslip shows."""
    year = int(s.months[placed.m][:4])
    monthly, hourly = wage(year)
    last_monthly, last_hourly = wage(year - 1)
    if placed.rule == "minimum_wage_monthly":
        return monthly if placed.kind != "beyond" else (last_monthly or monthly - 900)
    if placed.rule == "minimum_wage_hourly":
        return {"decoy": hourly, "boundary": hourly - 1}.get(placed.kind, last_hourly or hourly - 6)
    return staff_rate


def apply_pay(placed: Placed, s: Sched, slips: pd.DataFrame, row: int) -> tuple[list[int], int]:
    """What ``placed``'s seed makes of its payslip (``slips`` row ``row``): ``[rate, base_paid, overtime_paid,
    gross_paid]``, and the back pay owed."""
    law: PayLaw = pay_law()
    p, m = placed.p, placed.m
    rate = int(slips["rate"].to_numpy()[row]) if placed.rule == "overtime_pay" else placed.rate
    month = s.months[m]
    owed = person_month_amount(s, p, m, rate, law)
    paid, back = owed, 0
    if placed.rule == "overtime_pay" and placed.kind != "decoy":
        paid = person_month_amount(s, p, m, rate, law.variant("flat" if placed.kind == "boundary" else "single"))
        back = owed - paid
    base = int(slips["base_paid"].to_numpy()[row])
    d = s.days_of(m)
    employed, unpaid = int(s.employed[p, d].sum()), int((s.leave[p, d] == PERSONAL).sum())
    normal = int(s.normal[p, d].sum())
    if placed.rule == "minimum_wage_monthly":
        floor, prorated = (
            int(base_pay(np.array([r]), np.array([False]), np.array([employed]), np.array([unpaid]),
                         np.array([normal]), len(d), law.divisor)[0])
            for r in (wage(int(month[:4]))[0], rate)
        )  # fmt: skip
        base = {"decoy": floor, "boundary": floor - 1}.get(placed.kind, prorated)
        back = floor - base
    if placed.rule == "minimum_wage_hourly":
        base = int(round_half_up(rate * normal, 2))
        back = int(round_half_up((wage(int(month[:4]))[1] - rate) * normal, 2))
    return [rate, base, paid, base + paid], back


def pay_seeds(placed: list[Placed], s: Sched, slips: pd.DataFrame, where: dict[tuple[int, int], int]) -> list[int]:
    """Pay every pay seed of ``placed`` as it says (``slips`` changed in place); each one's back pay (0 for the
    others), in ``placed``'s order."""
    rows, values, backs = [], [], []
    for pl in placed:
        back = 0
        if pl.rule in PAY_RULES:
            row = where[pl.p, pl.m]
            paid, back = apply_pay(pl, s, slips, row)
            rows.append(row)
            values.append(paid)
        backs.append(back)
    if rows:
        columns = ["rate", "base_paid", "overtime_paid", "gross_paid"]
        slips.loc[rows, columns] = np.array(values, dtype=np.int64)
    return backs


def mark_of(placed: Placed, s: Sched, cells: np.ndarray, back_pay: int = 0) -> Mark:
    """The truth row of ``placed``: its key and the rows that prove it (as the rule library names them)."""
    p, rule = placed.p, placed.rule
    staff_id = str(s.staff_ids[p])
    if rule in ("daily_hours", "break"):
        return Mark(rule, placed.kind, staff_id, str(s.dates[placed.d]), rows=str(cells[p, placed.d]))
    if rule == "rest_days":
        run = [str(cells[p, d]) for d in range(placed.d, placed.d + placed.length)]
        return Mark(rule, placed.kind, staff_id, str(s.dates[placed.d]), rows=";".join(run))
    month = s.months[placed.m]
    span = range(placed.m - 2, placed.m + 1) if rule == "three_month_overtime" else range(placed.m, placed.m + 1)
    ot_days = np.flatnonzero(np.isin(s.month, list(span)) & (s.ot[p] > 0))
    ot_rows = [str(cells[p, d]) for d in ot_days]
    if rule in ("monthly_overtime", "three_month_overtime"):
        return Mark(rule, placed.kind, staff_id, month=month, rows=";".join(ot_rows))
    slip = f"{staff_id}|{month}"
    rows = [slip, *ot_rows] if rule == "overtime_pay" else [slip]
    return Mark(rule, placed.kind, staff_id, month=month, back_pay=back_pay, rows=";".join(rows))


def monthly_caps_hh(spec: OrgSpec, first: int, n: int) -> list[int]:
    """The monthly overtime cap (half-hours) of ``n`` months from window position ``first`` (1-4), by consent."""
    law = load_law()["overtime"]
    return [2 * int(law["monthly_cap_hours_agreed" if first + i in spec.compliance.consent_months else
                        "monthly_cap_hours"]) for i in range(n)]  # fmt: skip


def truth_frame(marks: list[Mark], decoys: bool) -> pd.DataFrame:
    """The breaches (or the decoys) of ``marks`` as a truth table, in rule order, then by key."""
    chosen = [m for m in marks if (m.kind == "decoy") == decoys]
    table = pd.DataFrame(
        {
            "rule": [m.rule for m in chosen],
            "staff_id": [m.staff_id for m in chosen],
            "date": [m.date for m in chosen],
            "month": [m.month for m in chosen],
            "ad_id": [m.ad_id for m in chosen],
            "event_id": [m.event_id for m in chosen],
            "complaint_id": [m.complaint_id for m in chosen],
            "back_pay": np.array([m.back_pay for m in chosen], dtype=np.int64),
            "boundary": np.array([m.kind != "beyond" for m in chosen], dtype=bool),
            "rows": [m.rows for m in chosen],
        },
        columns=TRUTH_COLUMNS,
    )
    order = table["rule"].map({r: i for i, r in enumerate(T5_RULES)})
    table = table.assign(_order=order).sort_values(
        ["_order", "staff_id", "date", "month", "ad_id", "event_id", "complaint_id"]
    )
    return table.drop(columns="_order").reset_index(drop=True)
