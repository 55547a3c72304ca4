"""The regulatory training calendar (P5.1), pure: who needs which course (``casekit/data/reg_courses.yaml``), when
each person's next session falls due, and what is wrong with a candidate's calendar.

Rules:

- The calendar **starts** on :func:`plan_start`: the first day after T5's three months of records. It trains the
  staff list without the people who left in those months (:func:`staff_at`).
- A course is **needed** here when its own ``applies`` holds and at least one obligation it serves applies
  (:func:`~casekit.cases.t5_compliance.framework.applicable`); then by every person of its scope
  (:func:`~casekit.cases.t5_compliance.framework.scope_mask`). :func:`required` lists the (person, course) pairs.
- A pair is **due** (:func:`due_dates`) on the last completion (world table ``reg_training``) plus the recurrence
  (``recurrence``); never trained, on the hire date plus ``within_days`` when that is on or after the start
  (``new_hire``); otherwise (that date, or the recurrence's, is before the start) on the start plus
  ``overdue_grace_days`` (``overdue``).
- A candidate's **courses** (course, roles, within_days, recurrence_months) have these problems
  (:data:`COURSE_PROBLEMS`): ``course_missing`` (a needed course not set), ``course_unknown``, ``roles_missing`` (a
  role with people who need it is not given it), ``within_days_long`` and ``recurrence_long`` (longer than the
  catalog's). A role given a course it does not need is no problem, but counted (``extra_roles``).
- Its **sessions** (person, course, date) have these (:data:`SESSION_PROBLEMS`): ``missing`` (a needed pair with no
  session on or after the start), ``late`` (its first such session after the due date), ``past`` (a session before
  the start; one row a session; it satisfies nothing), ``unknown_staff`` (not on the staff list), ``unknown_course``.
  A session of a pair nobody needs is no problem, but counted (``extra_sessions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Protocol

import numpy as np
import pandas as pd

from casekit.cases.t5_compliance import framework, register
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.legal_catalogs import CourseCatalog, CourseDef, load_reg_courses
from casekit.scenario.spec import OrgSpec

__all__ = [
    "BASES",
    "COURSE_PROBLEMS",
    "DUE_COLUMNS",
    "PROBLEM_COLUMNS",
    "REQUIRED_COLUMNS",
    "SESSION_PROBLEMS",
    "Course",
    "CourseLike",
    "SessionLike",
    "basis_label",
    "catalog",
    "course_label",
    "due_dates",
    "due_for",
    "needed_courses",
    "pick",
    "plan_start",
    "required",
    "role_needs",
    "staff_at",
]

#: a regulatory course as the catalog defines it
Course = CourseDef
REQUIRED_COLUMNS: Final = ("staff_id", "role", "course")
DUE_COLUMNS: Final = ("staff_id", "role", "course", "hire_date", "last", "due", "basis")
BASES: Final = ("recurrence", "new_hire", "overdue")
COURSE_PROBLEMS: Final = ("course_missing", "course_unknown", "roles_missing", "within_days_long", "recurrence_long")
SESSION_PROBLEMS: Final = ("missing", "late", "past", "unknown_staff", "unknown_course")
PROBLEM_COLUMNS: Final = ("staff_id", "course", "problem", "date", "due", "detail")
_MESSAGES: Final = {
    "course_missing": "t5law.course_missing",
    "course_unknown": "t5law.course_unknown",
    "roles_missing": "t5law.course_roles_missing",
    "within_days_long": "t5law.course_within_days_long",
    "recurrence_long": "t5law.course_recurrence_long",
    "missing": "t5law.session_missing",
    "late": "t5law.session_late",
    "past": "t5law.session_past",
    "unknown_staff": "t5law.session_unknown_staff",
    "unknown_course": "t5law.session_unknown_course",
}


def catalog() -> tuple[Course, ...]:
    """casekit's regulatory courses, in the catalog's order."""
    return load_reg_courses().courses


_BASIS_LABELS: Final = {"recurrence": "t5law.basis_recurrence", "new_hire": "t5law.basis_new_hire",
                         "overdue": "t5law.basis_overdue"}  # fmt: skip


def basis_label(basis: str, lang: str) -> str:
    """How a due date was set (:data:`BASES`), in words."""
    return t(_BASIS_LABELS[basis], lang) if basis in _BASIS_LABELS else basis


def course_label(course: str, lang: str) -> str:
    found = load_reg_courses().get(course)
    return course if found is None else found.title(lang)


def plan_start(spec: OrgSpec) -> dt.date:
    """The calendar's first day: the day after the three months of records (the case's today)."""
    return register.today(register.window(spec.start_date)[0])


def needed_courses(spec: OrgSpec, staff: pd.DataFrame, courses: CourseCatalog | None = None) -> list[Course]:
    """The courses this organisation needs (rules in the module docstring), in the catalog's order."""
    cat = courses or load_reg_courses()
    applying = {o.id for o in framework.applicable(spec, staff)}
    return [
        c
        for c in cat.courses
        if framework.conditions_hold(c.applies, spec, staff) and applying.intersection(c.obligations)
    ]


def required(spec: OrgSpec, staff: pd.DataFrame, courses: CourseCatalog | None = None) -> pd.DataFrame:
    """Every (person, course) pair the organisation needs: ``staff_id, role, course``, in the staff list's order,
    then the catalog's."""
    rank = {c.id: i for i, c in enumerate((courses or load_reg_courses()).courses)}
    parts = []
    for c in needed_courses(spec, staff, courses):
        mask = framework.scope_mask(c.scope, c.applies, spec, staff)
        parts.append(staff.loc[mask, ["staff_id", "role"]].assign(course=c.id, _pos=np.flatnonzero(mask)))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in REQUIRED_COLUMNS})
    out = pd.concat(parts, ignore_index=True)
    out = out.assign(_rank=out["course"].map(rank)).sort_values(["_pos", "_rank"], kind="stable")
    return out[list(REQUIRED_COLUMNS)].astype(str).reset_index(drop=True)


def role_needs(spec: OrgSpec, staff: pd.DataFrame, courses: CourseCatalog | None = None) -> dict[str, tuple[str, ...]]:
    """Per needed course (in the catalog's order), the roles (sorted) whose people need it."""
    return _needs(required(spec, staff, courses), courses or load_reg_courses())


def _needs(pairs: pd.DataFrame, cat: CourseCatalog) -> dict[str, tuple[str, ...]]:
    roles: dict[str, set[str]] = {}
    for course, role in zip(pairs["course"], pairs["role"], strict=True):
        roles.setdefault(str(course), set()).add(str(role))
    return {c.id: tuple(sorted(roles[c.id])) for c in cat.courses if c.id in roles}


def _iso(values: pd.Series) -> pd.Series:
    out: pd.Series = values.dt.strftime("%Y-%m-%d").fillna("")
    return out


def due_dates(
    required: pd.DataFrame,
    reg_training: pd.DataFrame,
    staff: pd.DataFrame,
    courses: CourseCatalog | Mapping[str, tuple[int, int]],
    start: dt.date,
    *,
    grace_days: int | None = None,
) -> pd.DataFrame:
    """The next due date of each pair of ``required`` (``staff_id, course``): ``staff_id, role, course, hire_date,
    last, due, basis`` (ISO dates; ``last`` empty when never trained; ``basis`` one of :data:`BASES`), in
    ``required``'s order. ``courses`` gives each course's ``(within_days, recurrence_months)``: the catalog, or a
    mapping (a candidate's own terms); ``grace_days`` defaults to the catalog's ``overdue_grace_days``."""
    if isinstance(courses, CourseCatalog):
        terms = {c.id: (c.within_days, c.recurrence_months) for c in courses.courses}
        grace = courses.overdue_grace_days if grace_days is None else grace_days
    else:
        terms = dict(courses)
        grace = load_reg_courses().overdue_grace_days if grace_days is None else grace_days
    frame = required[["staff_id", "course"]].astype(str).reset_index(drop=True)
    people = staff[["staff_id", "role", "hire_date"]].astype(str)
    frame = frame.merge(people, on="staff_id", how="left", validate="many_to_one")
    done = reg_training.loc[reg_training["completed"].fillna("").astype(str) != "", ["staff_id", "course", "completed"]]
    last = done.astype(str).groupby(["staff_id", "course"], as_index=False)["completed"].max()
    frame = frame.merge(last, on=["staff_id", "course"], how="left", validate="many_to_one")
    hired = pd.to_datetime(frame["hire_date"])
    trained = pd.to_datetime(frame["completed"])
    within = frame["course"].map({c: w for c, (w, _) in terms.items()}).astype(int)
    months = frame["course"].map({c: m for c, (_, m) in terms.items()}).astype(int)
    renewal = pd.Series(pd.NaT, index=frame.index, dtype=trained.dtype)
    for m in months.unique():
        rows = months == m
        renewal[rows] = trained[rows] + pd.DateOffset(months=int(m))
    natural = renewal.where(trained.notna(), hired + pd.to_timedelta(within, unit="D"))
    begin = pd.Timestamp(start)
    overdue = (natural < begin).to_numpy()
    due = natural.where(~overdue, begin + pd.Timedelta(days=grace))
    basis = np.select([overdue, trained.notna().to_numpy()], ["overdue", "recurrence"], "new_hire")
    return pd.DataFrame(
        {
            "staff_id": frame["staff_id"],
            "role": frame["role"],
            "course": frame["course"],
            "hire_date": frame["hire_date"],
            "last": _iso(trained),
            "due": _iso(due),
            "basis": basis,
        }
    )


class CourseLike(Protocol):
    """A candidate's course rule as the answer's ``CourseRule`` has it."""

    @property
    def course(self) -> str: ...
    @property
    def roles(self) -> Sequence[str]: ...
    @property
    def within_days(self) -> int: ...
    @property
    def recurrence_months(self) -> int: ...


class SessionLike(Protocol):
    """A booking as the answer's ``Session`` has it."""

    @property
    def staff_id(self) -> str: ...
    @property
    def course(self) -> str: ...
    @property
    def date(self) -> dt.date: ...


CourseRow = CourseLike | tuple[str, Sequence[str], int, int]
SessionRow = SessionLike | tuple[str, str, "dt.date | str"]


def _course_parts(c: CourseRow) -> tuple[str, list[str], int, int]:
    if isinstance(c, tuple):
        course, roles, within, recurrence = c
    else:
        course, roles, within, recurrence = c.course, c.roles, c.within_days, c.recurrence_months
    return str(course), [str(r) for r in roles], int(within), int(recurrence)


def _sessions_frame(sessions: Iterable[SessionRow] | pd.DataFrame) -> pd.DataFrame:
    if isinstance(sessions, pd.DataFrame):
        frame = sessions[["staff_id", "course", "date"]].copy()
    else:
        rows = [s if isinstance(s, tuple) else (s.staff_id, s.course, s.date) for s in sessions]
        frame = pd.DataFrame(rows, columns=["staff_id", "course", "date"])
    frame = frame.astype({"staff_id": str, "course": str})
    frame["date"] = pd.to_datetime(frame["date"].astype(str).str.slice(0, 10))
    return frame


def due_for(world: World, courses: Iterable[CourseRow], today: dt.date) -> pd.DataFrame:
    """When each person falls due under a candidate's ``courses`` (its roles, deadline and recurrence): the
    :func:`due_dates` columns for every person in a role each course names, courses in the order given."""
    staff = staff_at(world, today)
    rules = [_course_parts(c) for c in courses]
    parts = [staff.loc[staff["role"].isin(roles), ["staff_id", "role"]].assign(course=c) for c, roles, _, _ in rules]
    pairs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(REQUIRED_COLUMNS))
    terms = {c: (w, r) for c, _, w, r in rules}
    return due_dates(pairs, _reg_training(world), staff, terms, today)


def pick(days: Sequence[dt.date], due: dt.date | str) -> dt.date:
    """The latest of ``days`` on or before ``due``, or the first after it when none is (late)."""
    limit = due if isinstance(due, dt.date) else dt.date.fromisoformat(str(due)[:10])
    on_time = [d for d in days if d <= limit]
    return max(on_time) if on_time else min(days)


def staff_at(world: World, day: dt.date) -> pd.DataFrame:
    """``world``'s staff list without the people who left before ``day`` (T5's ``separations``): the people a
    calendar from ``day`` must train."""
    gone = world.tables.get("separations")
    if gone is None or not len(gone):
        return world.staff
    left = set(gone.loc[gone["last_day"].astype(str) < day.isoformat(), "staff_id"].astype(str))
    return world.staff[~world.staff["staff_id"].astype(str).isin(left)].reset_index(drop=True)


def _reg_training(world: World) -> pd.DataFrame:
    return world.tables.get("reg_training", pd.DataFrame(columns=["staff_id", "course", "completed"]))
