"""The next month, as the register makes it: the fixes the register's entries amount to, the world's fourth month of
records under them, and which breaches recurred there.

The grader reads the recurrences from the world (:func:`casekit.scenario.compliance.next_month_truth`, what the
simulation placed); the candidate finds them with the rule library on the fourth month's records
(:func:`next_records` joins them to the window's, so that a three-month total and the month's overtime consent are
there, and :func:`in_next_month` keeps what falls in the fourth month). A test holds the two to each other.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from casekit.cases.t5_compliance import register
from casekit.cases.t5_compliance.answer import Finding
from casekit.scenario import World
from casekit.scenario.compliance import FixKind, handlers, next_month, next_month_and_truth, subject_of

__all__ = [
    "NextMonth",
    "fixes_of",
    "found_subjects",
    "in_next_month",
    "next_month_of",
    "next_records",
    "recurred",
    "subjects",
]

NextMonth = Mapping[str, pd.DataFrame]


def world_handlers(world: World, *records: pd.DataFrame) -> dict[str, str]:
    """Who handled each data event and complaint of ``world`` and of ``records`` (a next month's)."""
    complaints = world.tables.get("complaints")
    return handlers(world.data_events, *(() if complaints is None else (complaints,)), *records)


def subjects(world: World, findings: Iterable[Finding], *records: pd.DataFrame) -> list[tuple[Finding, str]]:
    """Each finding with its subject (the person, or the ad; a data event's or a complaint's handler, from the
    world's records and ``records``)."""
    handler = world_handlers(world, *records)
    return [(f, subject_of(f.rule, f.staff_id, f.ad_id, f.event_id, handler, f.complaint_id)) for f in findings]


def fixes_of(world: World, findings: Iterable[Finding]) -> dict[tuple[str, str], FixKind]:
    """``(rule, subject) -> none | corrected | prevented``: what the register's entries do to each breach."""
    return register.fixes((f.rule, who, register.fix_kind(f)) for f, who in subjects(world, findings))


def next_month_of(world: World, findings: Iterable[Finding]) -> NextMonth:
    """The world's fourth month of records under the register's fixes."""
    month: NextMonth = next_month(world, fixes_of(world, findings))
    return month


def found_subjects(found: pd.DataFrame, handler: Mapping[str, str]) -> set[tuple[str, str]]:
    """``(rule, subject)`` of every breach in ``found`` (the rule library's or the truth's columns)."""
    columns = (found[c].astype(str) for c in ("rule", "staff_id", "ad_id", "event_id", "complaint_id"))
    return {(r, subject_of(r, s, a, e, handler, c)) for r, s, a, e, c in zip(*columns, strict=True)}


def recurred(world: World, findings: Iterable[Finding]) -> dict[tuple[str, str], bool]:
    """``(rule, subject) -> whether it recurred`` in the fourth month, from the world, for every finding."""
    found = list(findings)
    month, truth = next_month_and_truth(world, fixes_of(world, found))
    again = found_subjects(truth, world_handlers(world, month["data_events"], month["complaints"]))
    return {(f.rule, who): (f.rule, who) in again for f, who in subjects(world, found)}


def next_records(world: World, month: NextMonth) -> dict[str, pd.DataFrame]:
    """The records the rule library reads for the fourth month: its attendance and payslips after the window's
    (a three-month total reaches back), the overtime consent of every month, its data events, its complaints (the
    window's still open and its own), and the ads still live."""
    status = month["job_ads_status"]
    live = set(status.loc[status["status"] == "live", "ad_id"])
    ads = world.job_ads
    return {
        "attendance": pd.concat([world.attendance, month["attendance"]], ignore_index=True),
        "payslips": pd.concat([world.payslips, month["payslips"]], ignore_index=True),
        "overtime_consent": world.overtime_consent,
        "data_events": month["data_events"],
        "complaints": month["complaints"],
        "job_ads": ads[ads["ad_id"].isin(live)].reset_index(drop=True),
    }


def in_next_month(found: pd.DataFrame, first_day: str) -> pd.DataFrame:
    """The findings of ``found`` that fall in the fourth month (from ``first_day``, ISO): by day, by month, or
    (ads, data events, complaints) all of them."""
    month = first_day[:7]
    day = found["date"].astype(str)
    keep = (day >= first_day) | (found["month"].astype(str) >= month) | ((day == "") & (found["month"] == ""))
    return found[keep].reset_index(drop=True)
