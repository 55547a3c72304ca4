"""Judging a candidate's regulatory training calendar (P5.1) against what the organisation needs
(:mod:`~casekit.cases.t5_compliance.training`: who needs which course and when each person falls due); the problems
are those the rules there name (:data:`~casekit.cases.t5_compliance.training.COURSE_PROBLEMS`,
:data:`~casekit.cases.t5_compliance.training.SESSION_PROBLEMS`). What the organisation needs is the same for every
calendar of a world (:func:`needs_for`): a case computes it once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from casekit.cases.t5_compliance.training import (
    _MESSAGES,
    PROBLEM_COLUMNS,
    CourseRow,
    SessionRow,
    _course_parts,
    _iso,
    _needs,
    _reg_training,
    _sessions_frame,
    course_label,
    due_dates,
    plan_start,
    required,
    staff_at,
)
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.legal_catalogs import CourseCatalog, load_reg_courses
from casekit.scenario.spec import OrgSpec

__all__ = [
    "CalendarReview",
    "CourseProblem",
    "Needs",
    "calendar_problems",
    "calendar_problems_for",
    "needs_for",
    "session_message",
    "world_needs",
]


@dataclass(frozen=True)
class CourseProblem:
    """One problem of a candidate's course rules (:data:`COURSE_PROBLEMS`): what was given and what the catalog
    expects (days, months, or the roles lacking)."""

    course: str
    problem: str
    given: str = ""
    expected: str = ""

    def message(self, lang: str) -> str:
        label = course_label(self.course, lang)
        return t(_MESSAGES[self.problem], lang, course=label, given=self.given, expected=self.expected)


def session_message(row: Mapping[Any, Any], lang: str) -> str:
    """A session problem (a row of :attr:`CalendarReview.sessions`) in words."""
    fields = {k: str(row.get(k, "")) for k in ("staff_id", "date", "due")}
    return t(_MESSAGES[str(row["problem"])], lang, course=course_label(str(row["course"]), lang), **fields)


@dataclass(frozen=True, eq=False)
class CalendarReview:
    """What :func:`calendar_problems` finds: the course rules' problems, the sessions' problems (``staff_id,
    course, problem, date, due``), the due table of every needed pair, what is counted but fine, and how many needed
    pairs are booked in time."""

    courses: tuple[CourseProblem, ...]
    sessions: pd.DataFrame
    due: pd.DataFrame
    extra_sessions: int
    extra_roles: tuple[tuple[str, str], ...]
    in_time: int

    @property
    def ok(self) -> bool:
        return not self.courses and self.sessions.empty

    def table(self) -> pd.DataFrame:
        """Every problem as one frame (:data:`PROBLEM_COLUMNS`): the course rules' first (no person, the detail
        ``given / expected``), then the sessions'."""
        head = pd.DataFrame(
            [("", c.course, c.problem, "", "", f"{c.given} / {c.expected}".strip(" /")) for c in self.courses],
            columns=list(PROBLEM_COLUMNS),
        )
        return pd.concat([head, self.sessions.assign(detail="")], ignore_index=True)[list(PROBLEM_COLUMNS)]


def _course_problems(
    rules: list[tuple[str, list[str], int, int]], needs: dict[str, tuple[str, ...]], cat: CourseCatalog
) -> tuple[list[CourseProblem], list[tuple[str, str]]]:
    out, extra = [], []
    given = {c for c, *_ in rules}
    out += [CourseProblem(c, "course_missing", "", ", ".join(roles)) for c, roles in needs.items() if c not in given]
    for course, roles, within, recurrence in rules:
        known = cat.get(course)
        if known is None:
            out.append(CourseProblem(course, "course_unknown", course))
            continue
        lacking = [r for r in needs.get(course, ()) if r not in roles]
        if lacking:
            out.append(CourseProblem(course, "roles_missing", ", ".join(lacking), ", ".join(needs[course])))
        if within > known.within_days:
            out.append(CourseProblem(course, "within_days_long", str(within), str(known.within_days)))
        if recurrence > known.recurrence_months:
            out.append(CourseProblem(course, "recurrence_long", str(recurrence), str(known.recurrence_months)))
        extra += [(course, r) for r in roles if r not in needs.get(course, ())]
    return out, extra


@dataclass(frozen=True, eq=False)
class Needs:
    """What an organisation needs whatever the candidate plans: the roles of each course and every person's due
    date per course from ``start``."""

    roles: dict[str, tuple[str, ...]]
    due: pd.DataFrame


def needs_for(
    spec: OrgSpec, staff: pd.DataFrame, reg_training: pd.DataFrame, start: dt.date, catalog: CourseCatalog | None = None
) -> Needs:
    cat = catalog or load_reg_courses()
    pairs = required(spec, staff, cat)
    return Needs(_needs(pairs, cat), due_dates(pairs, reg_training, staff, cat, start))


def calendar_problems(
    courses: Iterable[CourseRow],
    sessions: Iterable[SessionRow] | pd.DataFrame,
    spec: OrgSpec,
    staff: pd.DataFrame,
    reg_training: pd.DataFrame,
    *,
    start: dt.date | None = None,
    catalog: CourseCatalog | None = None,
    needs: Needs | None = None,
) -> CalendarReview:
    """Judge a candidate's calendar, its course rules and its sessions, against what this organisation needs
    (rules in the module docstring); ``start`` defaults to :func:`plan_start`. ``needs`` is what the organisation
    needs (:func:`needs_for`, the same for every calendar of a world: a case computes it once)."""
    cat = catalog or load_reg_courses()
    begin = plan_start(spec) if start is None else start
    world_needs = needs if needs is not None else needs_for(spec, staff, reg_training, begin, cat)
    course_problems, extra_roles = _course_problems([_course_parts(c) for c in courses], world_needs.roles, cat)
    due = world_needs.due

    booked = _sessions_frame(sessions)
    on_staff = booked["staff_id"].isin(staff["staff_id"].astype(str))
    known = booked["course"].isin([c.id for c in cat.courses])
    valid = on_staff & known
    begin_ts = pd.Timestamp(begin)
    rows = []
    for problem, chosen in (
        ("unknown_staff", ~on_staff),
        ("unknown_course", on_staff & ~known),
        ("past", valid & (booked["date"] < begin_ts)),
    ):
        part = booked[chosen]
        rows.append(part.assign(problem=problem, date=_iso(part["date"]), due=""))
    ahead = booked[valid & (booked["date"] >= begin_ts)]
    first = ahead.groupby(["staff_id", "course"], as_index=False)["date"].min()
    judged = due.merge(first, on=["staff_id", "course"], how="left", validate="one_to_one")
    dues = pd.to_datetime(judged["due"])
    for problem, chosen in (("missing", judged["date"].isna()), ("late", judged["date"] > dues)):
        rows.append(judged[chosen].assign(problem=problem, date=_iso(judged.loc[chosen, "date"])))
    found = pd.concat(rows, ignore_index=True)[["staff_id", "course", "problem", "date", "due"]]
    needed = set(zip(due["staff_id"], due["course"], strict=True))
    extra = sum((s, c) not in needed for s, c in zip(ahead["staff_id"], ahead["course"], strict=True))
    in_time = int((judged["date"].notna() & (judged["date"] <= dues)).sum())
    return CalendarReview(tuple(course_problems), found, due, int(extra), tuple(extra_roles), in_time)


def world_needs(world: World, today: dt.date) -> Needs:
    """:func:`needs_for` ``world``'s staff list and past training from ``today``."""
    return needs_for(world.spec, staff_at(world, today), _reg_training(world), today)


def calendar_problems_for(
    world: World,
    courses: Iterable[CourseRow],
    sessions: Iterable[SessionRow] | pd.DataFrame,
    today: dt.date,
    needs: Needs | None = None,
) -> pd.DataFrame:
    """:func:`calendar_problems` on ``world``'s staff list and past training from ``today``, as one frame
    (:meth:`CalendarReview.table`)."""
    reg = _reg_training(world)
    review = calendar_problems(courses, sessions, world.spec, staff_at(world, today), reg, start=today, needs=needs)
    return review.table()
