"""The review calendar of the section (P3.3): what it still lacks, member by member.

Rules (dates from :func:`casekit.scenario.performance.appraisal_calendar`; centres run seven days a week, so a review
may fall on any day, a weekend too):

- ``no_one_to_one``: a member and a month of the review period (``period_months``) without a ``one_to_one`` dated in
  that month; one row per such member and month.
- ``no_appraisal``: a member without an ``appraisal`` dated after the period ends and no later than
  ``appraisal_due`` (``period_end`` + ``spec.appraisal.appraisal_within_days``), i.e. in (period_end, appraisal_due].
- ``pip_late``: a member on a PIP (world table ``pips``) without a ``pip_review`` in (start_date, start_date +
  ``spec.appraisal.pip_review_days``]: day 30 of a 30-day PIP is in time, day 31 is late.
- ``past``: a review dated on or before ``history_end`` (the candidate plans from the day after it); one row per
  such review. A past review satisfies nothing above.

Only the section's members are judged; reviews of anyone else are ignored. ``month`` tells when the problem falls:
the period month for ``no_one_to_one``, the month of the deadline for ``no_appraisal`` and ``pip_late``, the
review's own month for ``past``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

import pandas as pd

from casekit.months import month_of
from casekit.scenario import World
from casekit.scenario.performance import appraisal_calendar

__all__ = ["PROBLEMS", "PROBLEM_COLUMNS", "REVIEW_KINDS", "as_date", "review_problems"]

REVIEW_KINDS: Final = ("one_to_one", "appraisal", "pip_review")
PROBLEMS: Final = ("no_one_to_one", "no_appraisal", "pip_late", "past")
PROBLEM_COLUMNS: Final = ("staff_id", "problem", "month")


def as_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def review_problems(world: World, reviews: Iterable[tuple[str, str, dt.date]]) -> pd.DataFrame:
    """Every missing requirement of the review calendar: ``staff_id, problem, month`` (rules in the module
    docstring), members in the order of the ``members`` table, then by problem and month."""
    cal = appraisal_calendar(world)
    members = [str(s) for s in world.members["staff_id"]]
    known = set(members)
    rows: list[tuple[str, str, str]] = []
    held: dict[tuple[str, str], list[dt.date]] = {}
    for staff_id, kind, when in reviews:
        if str(staff_id) not in known:
            continue
        day = as_date(when)
        if day <= cal.history_end:
            rows.append((str(staff_id), "past", month_of(day)))
            continue
        held.setdefault((str(staff_id), str(kind)), []).append(day)

    for staff_id in members:
        one_to_one = {month_of(d) for d in held.get((staff_id, "one_to_one"), [])}
        rows += [(staff_id, "no_one_to_one", m) for m in cal.period_months if m not in one_to_one]
        appraised = held.get((staff_id, "appraisal"), [])
        if not any(cal.period_end < d <= cal.appraisal_due for d in appraised):
            rows.append((staff_id, "no_appraisal", month_of(cal.appraisal_due)))

    window = dt.timedelta(days=int(world.spec.appraisal.pip_review_days))
    for staff_id, start in zip(world.pips["staff_id"], world.pips["start_date"], strict=True):
        if str(staff_id) not in known:
            continue
        first = as_date(start)
        reviewed = held.get((str(staff_id), "pip_review"), [])
        if not any(first < d <= first + window for d in reviewed):
            rows.append((str(staff_id), "pip_late", month_of(first + window)))

    order = {s: i for i, s in enumerate(members)}
    rank = {p: i for i, p in enumerate(PROBLEMS)}
    rows.sort(key=lambda r: (order[r[0]], rank[r[1]], r[2]))
    return pd.DataFrame(rows, columns=list(PROBLEM_COLUMNS))
