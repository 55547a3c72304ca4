"""The planning quarter of T2: 13 weeks after the history, the workforce plan's FTE on the phones each week, the
timetable of training sessions, and the new starters to induct.

Weeks: week 1 starts the day after the history's last day. ``volume_index`` is the week's contacts relative to the
history's average day (0.90-1.03, and 1.06-1.10 in one or two peak weeks). ``scheduled_fte`` is the FTE the plan
puts on the phones before any training: the Erlang C need of the week's volume with no shrinkage
(:func:`week_need`), times a headroom of 1.03-1.12, or 1.00-1.01 in the peak weeks (the tight weeks, where taking
anyone off the phones breaks the service level), rounded up to a tenth.

Sessions: every e-learning module and internal coaching runs every week, with its capacity as seats; a vendor course
runs one to three times in weeks 2-12, starting on a weekday.

New starters: agents who join in two or three cohorts, each starting on the Monday of one of weeks 1-10, spread over
the frontline teams.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Final

import numpy as np
import pandas as pd

from casekit.scenario.people import draw_names
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec
from casekit.staffing import StaffingNeed, staffing_need

__all__ = [
    "PEAK_HEADROOM",
    "PLANNING_WEEKS",
    "STARTER_WEEKS",
    "WEEK_HEADROOM",
    "build_new_starters",
    "build_sessions",
    "build_weeks",
    "quarter_start",
    "week_need",
]

PLANNING_WEEKS: Final = 13
#: Volume index of ordinary and of peak weeks, and the headroom the plan has in each (uniform ranges).
WEEK_VOLUME: Final = (0.90, 1.03)
PEAK_VOLUME: Final = (1.06, 1.10)
WEEK_HEADROOM: Final = (1.03, 1.12)
PEAK_HEADROOM: Final = (1.00, 1.01)
#: Weeks a peak may fall in, and weeks a vendor course may run in (inclusive).
PEAK_WEEKS: Final = (3, 12)
VENDOR_WEEKS: Final = (2, 12)
#: Weeks new starters may join in (inclusive).
STARTER_WEEKS: Final = (1, 10)
_EVERY_WEEK: Final = ("e_learning", "internal_coaching")


def quarter_start(spec: OrgSpec, days: int) -> dt.date:
    """The first day of the planning quarter: the day after the ``days`` of history from ``spec.start_date``."""
    return spec.start_date + dt.timedelta(days=days)


def _week_starts(spec: OrgSpec, days: int) -> list[dt.date]:
    first = quarter_start(spec, days)
    return [first + dt.timedelta(days=7 * w) for w in range(PLANNING_WEEKS)]


def week_need(spec: OrgSpec, intervals: pd.DataFrame, volume_index: float) -> StaffingNeed:
    """The Erlang C need of a week whose contacts are ``volume_index`` times the history's, at the spec's
    service-level target and no shrinkage (the FTE on the phones; training comes off it)."""
    return staffing_need(
        intervals,
        target_sl=spec.targets.service_level,
        target_seconds=spec.targets.service_level_seconds,
        shrinkage=0.0,
        volume_scale=volume_index,
    )


def build_weeks(spec: OrgSpec, seed: int, intervals: pd.DataFrame, days: int) -> pd.DataFrame:
    rng = stream(seed, "weeks")
    peaks = rng.choice(np.arange(PEAK_WEEKS[0], PEAK_WEEKS[1] + 1), size=int(rng.integers(1, 3)), replace=False)
    peak = np.isin(np.arange(1, PLANNING_WEEKS + 1), peaks)
    volume = np.where(peak, rng.uniform(*PEAK_VOLUME, PLANNING_WEEKS), rng.uniform(*WEEK_VOLUME, PLANNING_WEEKS))
    headroom = np.where(peak, rng.uniform(*PEAK_HEADROOM, PLANNING_WEEKS), rng.uniform(*WEEK_HEADROOM, PLANNING_WEEKS))
    volume = np.round(volume, 2)
    fte = [
        math.ceil(week_need(spec, intervals, float(v)).fte * float(h) * 10 - 1e-9) / 10
        for v, h in zip(volume, headroom, strict=True)
    ]
    return pd.DataFrame(
        {
            "week": np.arange(1, PLANNING_WEEKS + 1),
            "start_date": [d.isoformat() for d in _week_starts(spec, days)],
            "volume_index": volume,
            "scheduled_fte": fte,
        }
    )


def _weekdays(start: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=d) for d in range(7) if (start + dt.timedelta(days=d)).weekday() < 5]


def build_sessions(spec: OrgSpec, seed: int, training: pd.DataFrame, days: int) -> pd.DataFrame:
    """The quarter's timetable: ``session_id, offer_id, week, start_date, seats``, by week then offer."""
    rng = stream(seed, "training_sessions")
    starts = _week_starts(spec, days)
    rows = []
    offers = zip(training["offer_id"], training["offer_type"], training["capacity"], strict=True)
    for offer_id, kind, seats in offers:
        if kind in _EVERY_WEEK:
            weeks = list(range(1, PLANNING_WEEKS + 1))
        else:
            window = np.arange(VENDOR_WEEKS[0], VENDOR_WEEKS[1] + 1)
            weeks = sorted(int(w) for w in rng.choice(window, size=int(rng.integers(1, 4)), replace=False))
        for week in weeks:
            begin = starts[week - 1]
            if kind != "e_learning":  # e-learning opens with the week; a class starts on a weekday
                workdays = _weekdays(begin)
                begin = workdays[int(rng.integers(len(workdays)))]
            rows.append({"offer_id": offer_id, "week": week, "start_date": begin.isoformat(), "seats": int(seats)})
    frame = pd.DataFrame(rows, columns=["offer_id", "week", "start_date", "seats"])
    frame = frame.sort_values(["week", "offer_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "session_id", [f"S{i + 1:03d}" for i in range(len(frame))])
    return frame


def build_new_starters(spec: OrgSpec, seed: int, staff: pd.DataFrame, days: int, taken_names: set[str]) -> pd.DataFrame:
    """``starter_id, name, gender, role, team, shift, start_date, week``: ``spec.training.new_starters`` agents,
    named unlike anyone in ``taken_names``."""
    rng = stream(seed, "new_starters")
    n = spec.training.new_starters
    columns = ["starter_id", "name", "gender", "role", "team", "shift", "start_date", "week"]
    if n == 0:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "week" else np.int64) for c in columns})
    cohorts = min(n, int(rng.integers(2, 4)))
    window = np.arange(STARTER_WEEKS[0], STARTER_WEEKS[1] + 1)
    cohort_weeks = np.sort(rng.choice(window, size=cohorts, replace=False))
    parts = np.array_split(np.arange(n), cohorts)
    week = np.concatenate([np.full(len(part), w) for part, w in zip(parts, cohort_weeks, strict=True)])
    starts = _week_starts(spec, days)
    monday = [next(d for d in _weekdays(starts[w - 1]) if d.weekday() == 0) for w in week]
    teams = sorted(set(staff.loc[staff["role"] == "team_leader", "team"]))
    team = [teams[i % len(teams)] for i in rng.permutation(n)]
    gender = np.where(rng.random(n) < spec.female_share, "F", "M").astype(object)
    shifts = list(spec.shifts)
    p = np.array([spec.shifts[s] for s in shifts], dtype=float)
    shift = [shifts[i] for i in rng.choice(len(shifts), size=n, p=p / p.sum())]
    role = "agent" if "agent" in spec.roles else "senior_agent"
    return pd.DataFrame(
        {
            "starter_id": [f"N{i + 1:03d}" for i in range(n)],
            "name": draw_names(rng, gender, taken=set(taken_names)),
            "gender": gender,
            "role": role,
            "team": team,
            "shift": shift,
            "start_date": [d.isoformat() for d in monday],
            "week": week.astype(np.int64),
        },
        columns=columns,
    )
