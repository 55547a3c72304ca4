"""Calendar months as ``YYYY-MM`` periods: the one place casekit does month arithmetic.

Worlds, payouts, pay runs and reviews all count in calendar months; a period is the text ``YYYY-MM`` (what
``"2026-03-15"[:7]`` gives), so periods sort and compare as strings.
"""

from __future__ import annotations

import calendar
import datetime as dt

import pandas as pd

__all__ = [
    "covered_days",
    "dates",
    "days_in_month",
    "full_months",
    "last_full_month",
    "month_end",
    "month_of",
    "period_column",
    "start_of_next_month",
]


def month_of(day: dt.date) -> str:
    """The period ``YYYY-MM`` of ``day``."""
    return f"{day.year:04d}-{day.month:02d}"


def period_column(iso_dates: pd.Series) -> pd.Series:
    """The period of each ISO date text (``2026-03-15`` -> ``2026-03``) in a column of them."""
    return iso_dates.str.slice(0, 7)


def days_in_month(period: str) -> int:
    """How many days the month ``YYYY-MM`` has."""
    return calendar.monthrange(int(period[:4]), int(period[5:7]))[1]


def month_end(period: str) -> dt.date:
    """The last day of the month ``YYYY-MM``."""
    return dt.date(int(period[:4]), int(period[5:7]), days_in_month(period))


def start_of_next_month(day: dt.date) -> dt.date:
    """The first day of the month after ``day``'s."""
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def dates(first: dt.date, days: int) -> list[dt.date]:
    """The ``days`` consecutive dates from ``first``."""
    return [first + dt.timedelta(days=i) for i in range(days)]


def covered_days(first: dt.date, days: int) -> dict[str, int]:
    """Per period, how many of the ``days`` days from ``first`` fall in it (in calendar order)."""
    covered: dict[str, int] = {}
    for day in dates(first, days):
        period = month_of(day)
        covered[period] = covered.get(period, 0) + 1
    return covered


def full_months(first: dt.date, days: int) -> list[str]:
    """The periods that the ``days`` days from ``first`` cover from their first day to their last."""
    return [p for p, n in covered_days(first, days).items() if n == days_in_month(p)]


def last_full_month(first: dt.date, days: int) -> str:
    """The last fully covered period; when none is covered in full, the one with most days (the later on a tie)."""
    covered = covered_days(first, days)
    full = [p for p, n in covered.items() if n == days_in_month(p)]
    return max(full) if full else max(covered, key=lambda p: (covered[p], p))
