"""T5's working time: the window's calendar, every person's days (worked, on leave, off) as arrays, the shapes a
seeded breach or decoy gives a day or a month, and the ``attendance`` and ``leave`` tables they make.

- **Window**: three calendar months from the first day of the month of ``spec.start_date``, and the fourth (the next
  month) on demand. A day's type: Monday to Friday ``workday``, Saturday ``rest_day`` (休息日), Sunday
  ``regular_leave`` (例假), a national holiday of law.yaml's ``holidays`` ``holiday``.
- **Leavers** (:func:`window_leavers`): frontline people whose employment ends in the window, as many as the spec's
  annual turnover rate gives for its months (at least two), each on a workday that is not the last of its month, so
  their last month is a partial one (table ``separations``; their payslip's ``days_employed`` is short).
- **Background**: everybody employed (``hire_date <= day``, and ``day <= last_day`` for a leaver) works their
  workdays from their shift's start, clocking in a few minutes either side (full-timers 8 h with a 60-minute
  break, part-timers 4 h with none); takes leave at the spec's absence rate; now and then stays 0.5-2 h longer
  (full-timers) or works a Saturday or a holiday (a whole shift, every hour overtime); never a Sunday. No
  person-month has more than :data:`BACKGROUND_CAP_HH` half-hours of overtime, well inside every cap: the
  background is compliant with margin.

Hours are whole half-hours (``hh``) and times whole minutes throughout, so the attendance invariant is exact.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit import months
from casekit.scenario.catalogs import load_law
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = [
    "ANNUAL",
    "BACKGROUND_CAP_HH",
    "DAY_TYPES",
    "HOLIDAY",
    "LEAVE_TYPES",
    "PERSONAL",
    "REST_DAY",
    "WORKDAY",
    "Sched",
    "allocate",
    "attendance_table",
    "build_schedule",
    "leave_table",
    "plain_month",
    "set_day",
    "window_leavers",
    "window_months",
    "with_last_day",
]

DAY_TYPES = ("workday", "rest_day", "regular_leave", "holiday")
WORKDAY, REST_DAY, REGULAR_LEAVE, HOLIDAY = range(4)
LEAVE_TYPES = ("", "annual", "sick", "personal")
ANNUAL, SICK, PERSONAL = 1, 2, 3
_LEAVE_SHARES = (0.45, 0.35, 0.2)
#: a person-month of the background has at most this many half-hours of overtime (30 h, 16 under the 46 h cap)
BACKGROUND_CAP_HH = 60
#: the minute each shift starts (a 24-hour centre's night shift runs from midnight), within the opening hours
_SHIFT_START = {"early": 7 * 60, "day": 9 * 60, "late": 13 * 60, "night": 0}
_LATEST_END = 23 * 60 + 30
_TIMES = np.array([f"{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)], dtype=object)


def window_months(spec: OrgSpec, n: int = 3) -> list[str]:
    """The window's months ``YYYY-MM`` from the month of ``start_date`` (``n=4``: with the next month)."""
    index = spec.start_date.year * 12 + spec.start_date.month - 1
    return [f"{(index + i) // 12:04d}-{(index + i) % 12 + 1:02d}" for i in range(n)]


def window_leavers(spec: OrgSpec, seed: int, staff: pd.DataFrame, window: list[str]) -> pd.DataFrame:
    """``separations`` (``staff_id, last_day``): the frontline people hired before the window whose employment ends
    in it, ``round(annual turnover rate x headcount x months / 12)`` of them (at least two where there are people),
    each on a workday at least a week into the window and not the last day of its month; by ``staff_id``."""
    rng = stream(seed, "t5-leavers")
    first = dt.date.fromisoformat(f"{window[0]}-01")
    frontline = staff[staff["role"].isin(["agent", "senior_agent"]) & (staff["hire_date"] < first.isoformat())]
    ids = np.sort(frontline["staff_id"].to_numpy(dtype=object))
    want = max(2, round(spec.turnover.annual_rate * len(staff) * len(window) / 12))
    days = [first + dt.timedelta(i) for i in range(7, sum(months.days_in_month(m) for m in window))]
    holidays = _holidays({d.year for d in days})
    last = [d for d in days if d.weekday() < 5 and d.isoformat() not in holidays
            and (d + dt.timedelta(1)).month == d.month]  # fmt: skip
    chosen = np.sort(rng.choice(len(ids), size=min(want, len(ids)), replace=False)) if len(ids) else np.zeros(0, int)
    on = rng.integers(0, len(last), len(chosen))
    return pd.DataFrame(
        {"staff_id": ids[chosen].astype(object), "last_day": [last[i].isoformat() for i in on]},
        columns=["staff_id", "last_day"],
    )


def with_last_day(staff: pd.DataFrame, separations: pd.DataFrame) -> pd.DataFrame:
    """``staff`` with each leaver's ``last_day`` from ``separations`` (NaN for everybody else)."""
    return staff.merge(separations[["staff_id", "last_day"]], on="staff_id", how="left", validate="one_to_one")


def _holidays(years: set[int]) -> set[str]:
    table = load_law().get("holidays", {})
    return {str(d) for y in years for d in table.get(y, [])}


@dataclass
class Sched:
    """Every person's days over some months, as (person x day) arrays; people in ``staff_id`` order."""

    staff_ids: np.ndarray
    part: np.ndarray  # paid by the hour: 4 h days without a break
    base_start: np.ndarray  # minute of the day the person's shift starts
    lo: int  # the centre opens (minute)
    hi: int  # the latest a day may end (minute)
    dates: np.ndarray  # ISO dates
    weekday: np.ndarray  # 0 Monday .. 6 Sunday
    kind: np.ndarray  # day type per day (index of DAY_TYPES)
    month: np.ndarray  # month position per day
    months: list[str]
    employed: np.ndarray
    work: np.ndarray
    normal: np.ndarray  # half-hours
    ot: np.ndarray  # half-hours
    brk: np.ndarray  # minutes
    jitter: np.ndarray  # minutes the day's clock-in is off the shift start
    leave: np.ndarray  # index of LEAVE_TYPES
    leave_hours: np.ndarray

    def days_of(self, m: int) -> np.ndarray:
        return np.flatnonzero(self.month == m)

    def full_hh(self, p: int) -> int:
        return 8 if self.part[p] else 16

    def std_break(self, p: int) -> int:
        return 0 if self.part[p] else 60

    def month_ot(self) -> np.ndarray:
        """Overtime half-hours per person and month."""
        return np.stack([self.ot[:, self.month == m].sum(axis=1) for m in range(len(self.months))], axis=1)


def build_schedule(
    spec: OrgSpec, seed: int, staff: pd.DataFrame, month_list: list[str], name: str, cap_hh: np.ndarray | None = None
) -> Sched:
    """The background days of ``staff`` over ``month_list`` from rng stream ``name``; ``cap_hh`` per person (default
    :data:`BACKGROUND_CAP_HH`) bounds a month's overtime."""
    rng = stream(seed, name)
    c = spec.compliance
    staff = staff.sort_values("staff_id")
    days = [d for m in month_list for d in (dt.date.fromisoformat(f"{m}-01") + dt.timedelta(i)
            for i in range(months.days_in_month(m)))]  # fmt: skip
    dates = np.array([d.isoformat() for d in days], dtype=object)
    holidays = _holidays({d.year for d in days})
    weekday = np.array([d.weekday() for d in days])
    kind = np.where(weekday < 5, WORKDAY, np.where(weekday == 5, REST_DAY, REGULAR_LEAVE))
    kind = np.where(np.isin(dates, list(holidays)), HOLIDAY, kind)
    month = np.array([month_list.index(d.isoformat()[:7]) for d in days])
    n, n_days = len(staff), len(days)
    part = (staff["pay_basis"] == "hourly").to_numpy()
    employed = staff["hire_date"].to_numpy(dtype=object)[:, None] <= dates[None, :]
    if "last_day" in staff.columns:  # a leaver (T5's separations): employed up to and including the last day
        last = staff["last_day"].fillna("9999-12-31").to_numpy(dtype=object)
        employed &= dates[None, :] <= last[:, None]
    # every draw for every cell, in a fixed order, so the numbers never depend on who is employed
    u_leave, u_kind, u_ot, u_weekend = (rng.random((n, n_days)) for _ in range(4))
    ot_size = rng.integers(1, 5, (n, n_days))
    priority = rng.random((n, n_days))
    jitter = rng.integers(-10, 6, (n, n_days))
    workday = (kind == WORKDAY)[None, :] & employed
    leave = np.where(workday & (u_leave < spec.performance.absence_rate), 1 + np.searchsorted(
        np.cumsum(_LEAVE_SHARES), u_kind * sum(_LEAVE_SHARES), side="right"), 0)  # fmt: skip
    leave = np.minimum(leave, PERSONAL)
    full = np.where(part, 8, 16)[:, None]
    work = workday & (leave == 0)
    normal = np.where(work, full, 0)
    weekend_share = np.where(
        kind == REST_DAY, c.rest_day_work_share, np.where(kind == HOLIDAY, c.holiday_work_share, 0)
    )
    extra = employed & (u_weekend < weekend_share[None, :])
    expected = 4.3 * c.rest_day_work_share * 8
    p_ot = float(np.clip((spec.pay.overtime_hours_mean - expected) / (21 * 1.25), 0.02, 0.4))
    ot = np.where(work & ~part[:, None] & (u_ot < p_ot), ot_size, 0) + np.where(extra, full, 0)
    work |= extra
    brk = np.where(work, np.where(part, 0, 60)[:, None], 0)
    hours = (spec.open_hours[0] * 60, min(spec.open_hours[1] * 60, _LATEST_END))
    s = Sched(
        staff["staff_id"].to_numpy(dtype=object), part, _starts(spec, staff), *hours, dates, weekday, kind, month,
        list(month_list), employed, work, normal, ot, brk, jitter, leave, np.where(leave > 0, full // 2, 0),
    )  # fmt: skip
    _trim(s, priority, np.full(n, BACKGROUND_CAP_HH) if cap_hh is None else cap_hh)
    return s


def _starts(spec: OrgSpec, staff: pd.DataFrame) -> np.ndarray:
    opening, closing = spec.open_hours[0] * 60, spec.open_hours[1] * 60
    shift = staff["shift"].to_numpy(dtype=object)
    base = np.array([_SHIFT_START.get(str(x), 9 * 60) for x in shift])
    day = shift == "day"
    base = np.where(day, np.maximum(base, opening + 60), base)
    return np.asarray(np.clip(base, opening, max(opening, closing - 9 * 60)))


def _trim(s: Sched, priority: np.ndarray, cap: np.ndarray) -> None:
    """Drop overtime (a workday's extra hours, a weekend or holiday worked) in random order until every
    person-month is within ``cap`` half-hours."""
    person, day = np.nonzero(s.ot > 0)
    if not len(person):
        return
    group = person * len(s.months) + s.month[day]
    order = np.lexsort((priority[person, day], group))
    person, day, group = person[order], day[order], group[order]
    total = pd.Series(s.ot[person, day]).groupby(group).cumsum().to_numpy()
    drop = total > cap[person]
    p, d = person[drop], day[drop]
    weekday = s.kind[d] == WORKDAY
    s.ot[p, d] = 0
    s.work[p[~weekday], d[~weekday]] = False
    s.normal[p[~weekday], d[~weekday]] = 0
    s.brk[p[~weekday], d[~weekday]] = 0


def plain_month(s: Sched, p: int, m: int) -> None:
    """Person ``p``'s month ``m`` without overtime: their workdays as scheduled, no weekend or holiday worked."""
    d = s.days_of(m)
    work = s.employed[p, d] & (s.kind[d] == WORKDAY) & (s.leave[p, d] == 0)
    s.work[p, d] = work
    s.normal[p, d] = np.where(work, s.full_hh(p), 0)
    s.ot[p, d] = 0
    s.brk[p, d] = np.where(work, s.std_break(p), 0)


def set_day(s: Sched, p: int, d: int, normal: int, ot: int, brk: int) -> None:
    """Person ``p`` works day ``d``: ``normal`` and ``ot`` half-hours, ``brk`` minutes of break; no leave."""
    s.work[p, d], s.normal[p, d], s.ot[p, d], s.brk[p, d] = True, normal, ot, brk
    s.leave[p, d], s.leave_hours[p, d] = 0, 0


def allocate(s: Sched, p: int, m: int, target: int) -> bool:
    """Give full-timer ``p``'s plain month ``m`` exactly ``target`` half-hours of overtime without touching any
    other line: whole Saturdays first, then up to 2 h (then 3.5 h) on workdays, then whole holidays. False when
    the month cannot hold it."""
    plain_month(s, p, m)
    d = s.days_of(m)
    left = target
    for day in d[(s.kind[d] == REST_DAY) & s.employed[p, d]]:
        if left >= 16:
            set_day(s, p, int(day), 0, 16, 60)
            left -= 16
    for cap in (4, 7):
        for day in d[s.work[p, d] & (s.kind[d] == WORKDAY)]:
            add = min(cap - int(s.ot[p, day]), left)
            s.ot[p, day] += add
            left -= add
    for day in d[(s.kind[d] == HOLIDAY) & s.employed[p, d]]:
        if left >= 16:
            set_day(s, p, int(day), 0, 16, 60)
            left -= 16
    return left == 0


def _times(s: Sched) -> tuple[np.ndarray, np.ndarray]:
    span = (s.normal + s.ot) * 30 + s.brk
    start = np.minimum(np.maximum(s.base_start[:, None] + s.jitter, s.lo), s.hi - span)
    start = np.clip(start, 0, 24 * 60 - 1 - span)
    return start, start + span


def attendance_table(s: Sched, first_id: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """The ``attendance`` rows of ``s`` (by person, then date) and each cell's ``row_id`` ("" where not worked)."""
    person, day = np.nonzero(s.work)
    ids = np.array([f"A{i:06d}" for i in range(first_id, first_id + len(person))], dtype=object)
    start, end = _times(s)
    table = pd.DataFrame(
        {
            "row_id": ids,
            "staff_id": s.staff_ids[person],
            "date": s.dates[day],
            "day_type": np.array(DAY_TYPES, dtype=object)[s.kind[day]],
            "start": _TIMES[start[person, day]],
            "end": _TIMES[end[person, day]],
            "break_minutes": s.brk[person, day].astype(np.int64),
            "normal_hours": s.normal[person, day] / 2.0,
            "overtime_hours": s.ot[person, day] / 2.0,
        }
    )
    cells = np.full(s.work.shape, "", dtype=object)
    cells[person, day] = ids
    return table, cells


def leave_table(s: Sched) -> pd.DataFrame:
    """The ``leave`` rows of ``s``: personal leave unpaid, annual and sick paid."""
    person, day = np.nonzero(s.leave > 0)
    kind = s.leave[person, day]
    return pd.DataFrame(
        {
            "staff_id": s.staff_ids[person],
            "date": s.dates[day],
            "leave_type": np.array(LEAVE_TYPES, dtype=object)[kind],
            "paid": kind != PERSONAL,
            "hours": s.leave_hours[person, day].astype(np.int64),
        }
    )
