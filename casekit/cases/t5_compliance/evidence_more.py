"""T5's evidence of the legal framework register and the regulatory training calendar, and the labels every T5
evidence section uses.

The framework: every obligation that applies to this organisation (law, article, title, whom it concerns here and
how many people that is) against the candidate's register: listed or missing, the scope, policy and records given,
and each problem the grader found, worded; then the entries that do not apply here. The calendar: per course, the
roles that need it against the candidate's, the deadline and recurrence against the policy, and how many people are
booked in time, late or not at all; the first bookings that fall short; the bookings per month.

Figures come from the grading's cache (:mod:`~casekit.cases.t5_compliance.checks_base` and the checks' own
``_register`` and ``_calendar``); every value from the candidate goes through :func:`~casekit.html.esc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

import pandas as pd

from casekit.cases.sections import Graded, answer_of
from casekit.cases.t5_compliance import calendar_review, checks, framework, training
from casekit.cases.t5_compliance import checks_base as cb
from casekit.cases.t5_compliance.answer import T5Answer
from casekit.html import esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count
from casekit.scenario.catalogs import load_roles
from casekit.scenario.legal_catalogs import STAFF_SCOPES

__all__ = [
    "MAX_ROWS",
    "ROWS_SHOWN",
    "flag",
    "framework_html",
    "heads",
    "more_rows",
    "names_of",
    "params_of",
    "person",
    "role_label",
    "rows_plain",
    "rows_text",
    "training_html",
    "yes",
]

#: A long table shows this many rows (the ones that matter first) and says how many more there are (as T3's).
MAX_ROWS: Final = 40
#: the evidence rows a cell names before it says how many more there are
ROWS_SHOWN: Final = 8
#: the order a calendar's session problems are shown in
_SESSION_ORDER: Final = {p: i for i, p in enumerate(("missing", "late", "past", "unknown_staff", "unknown_course"))}


# ------------------------------------------------------------------------------------------------------- labels
def heads(lang: str, *columns: str) -> list[str]:
    return [t(f"t5evidence.col_{c}", lang) for c in columns]


def more_rows(shown: int, total: int, lang: str) -> str:
    """A line saying how many rows a cut table leaves out (nothing when it shows them all)."""
    if total <= shown:
        return ""
    return f"<p>{esc(t('t5evidence.more_rows', lang, count=format_count(total - shown)))}</p>"


def yes(value: bool, lang: str) -> str:
    return esc(t("t5evidence.yes" if value else "t5evidence.no", lang))


def flag(text: str) -> str:
    """``text`` (plain) marked as a problem the grader found."""
    return f'<strong class="t5-flag">⚠ {esc(text)}</strong>'


def role_label(role: str, lang: str) -> str:
    return {r.id: r.label(lang) for r in load_roles()}.get(role, role)


def names_of(g: Graded) -> dict[str, str]:
    """Staff id -> name, from the world's staff list."""
    staff = g.world.staff
    return dict(zip(staff["staff_id"].astype(str), staff["name"].astype(str), strict=True))


def person(staff_id: str, names: Mapping[str, str]) -> str:
    """A staff id with the person's name (the id alone when the staff list has no such person), escaped."""
    name = names.get(staff_id)
    return esc(staff_id) if name is None else f"{esc(staff_id)} {esc(name)}"


def rows_plain(rows: Iterable[str], lang: str) -> str:
    """Evidence rows (ids), the first :data:`ROWS_SHOWN` of them and how many more, as plain text; ``—`` for
    none."""
    items = [r for r in rows if r]
    if not items:
        return "—"
    text = ", ".join(items[:ROWS_SHOWN])
    if len(items) > ROWS_SHOWN:
        text += " " + t("t5evidence.rows_more", lang, count=format_count(len(items) - ROWS_SHOWN))
    return text


def rows_text(rows: Iterable[str], lang: str) -> str:
    """:func:`rows_plain` as HTML, escaped."""
    return f'<span class="t5-rows">{esc(rows_plain(rows, lang))}</span>'


def params_of(g: Graded, check: str) -> Mapping[str, Any]:
    """The parameters the graded rubric gives ``check`` (none when no criterion is judged by it)."""
    for c in g.rubric.criteria:
        if c.judged_by.check == check:
            return c.judged_by.params
    return {}


# ---------------------------------------------------------------------------------------------------- framework
def _scope_cell(scope: str, people: int | None, lang: str) -> str:
    label = framework.scope_label(scope, lang)
    if people is None:
        return esc(label)
    return esc(t("t5evidence.scope_people", lang, scope=label, count=format_count(people)))


def framework_html(g: Graded, lang: str) -> str:
    """Every obligation that applies against the register (those with problems first), then the entries that do
    not apply here or that casekit does not know."""
    answer = answer_of(g, T5Answer)
    applies = cb.applicable(g.context)
    problems = checks._register(g.context)
    min_policy = int(params_of(g, "framework_grounded").get("min_policy", 10))
    entries = {e.obligation: e for e in answer.framework}
    by_obligation: dict[str, list[framework.RegisterProblem]] = {}
    for p in problems:
        by_obligation.setdefault(p.obligation, []).append(p)
    rows: list[tuple[bool, list[str]]] = []
    for o in applies:
        entry = entries.get(o.id)
        people = len(o.staff_ids) if o.scope in STAFF_SCOPES else None
        found = [p for p in by_obligation.get(o.id, []) if p.problem != "missing"]
        texts = [flag(p.message(lang)) for p in found]
        if entry is not None and 0 < len(entry.policy.strip()) < min_policy:
            texts.append(flag(t("t5evidence.policy_short", lang, count=format_count(min_policy))))
        listed = entry is not None
        status = esc(t("t5evidence.status_listed", lang)) if listed else flag(t("t5evidence.status_missing", lang))
        rows.append(
            (
                entry is None or bool(texts),
                [
                    esc(o.label(lang)),
                    _scope_cell(o.scope, people, lang),
                    status,
                    esc(framework.scope_label(entry.scope, lang)) if entry is not None else "—",
                    esc(entry.policy) if entry is not None and entry.policy.strip() else "—",
                    esc(", ".join(entry.records)) if entry is not None and entry.records else "—",
                    "<br>".join(texts) or esc(t("t5evidence.no_problem", lang)),
                ],
            )
        )
    applying = {o.id for o in applies}
    extra = [e for e in answer.framework if e.obligation not in applying]
    for e in extra:
        kind = next((p.problem for p in by_obligation.get(e.obligation, [])), "not_applicable")
        message = next((p.message(lang) for p in by_obligation.get(e.obligation, [])), kind)
        rows.append(
            (
                True,
                [
                    esc(framework.obligation_label(e.obligation, lang)),
                    "—",
                    flag(t(f"t5evidence.status_{kind}", lang)),
                    esc(framework.scope_label(e.scope, lang)),
                    esc(e.policy) if e.policy.strip() else "—",
                    esc(", ".join(e.records)) if e.records else "—",
                    flag(message),
                ],
            )
        )
    rows.sort(key=lambda r: not r[0])
    missing = sum(1 for o in applies if o.id not in entries)
    intro = t(
        "t5evidence.framework_intro",
        lang,
        applies=format_count(len(applies)),
        headcount=format_count(len(g.world.staff)),
        entries=format_count(len(answer.framework)),
        missing=format_count(missing),
        extra=format_count(len(extra)),
        problems=format_count(sum(1 for flagged, _ in rows if flagged)),
    )
    columns = heads(lang, "obligation", "applies_to", "status", "scope_given", "policy", "records", "problems")
    table = html_table(columns, [c for _, c in rows[:MAX_ROWS]], empty=t("t5evidence.no_obligations", lang))
    return f"<p>{esc(intro)}</p>" + table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


# ----------------------------------------------------------------------------------------------------- training
def _terms(given: int | None, policy: int | None, unit: str, lang: str) -> str:
    shown = "—" if given is None else format_count(given)
    limit = "—" if policy is None else format_count(policy)
    text = esc(t(f"t5evidence.terms_{unit}", lang, given=shown, policy=limit))
    return text


def _course_problem(p: calendar_review.CourseProblem, lang: str) -> str:
    """A course rule's problem in words; the roles a course lacks by their names."""
    if p.problem != "roles_missing":
        return p.message(lang)

    def labels(ids: str) -> str:
        return plain_list([role_label(r.strip(), lang) for r in ids.split(",") if r.strip()], lang)

    course = training.course_label(p.course, lang)
    return t("t5evidence.roles_missing", lang, course=course, roles=labels(p.given), needed=labels(p.expected))


def _courses(g: Graded, review: calendar_review.CalendarReview, lang: str) -> str:
    answer = answer_of(g, T5Answer)
    catalog = {c.id: c for c in training.catalog()}
    given = {c.course: c for c in answer.courses}
    due, sessions = review.due, review.sessions
    needed = list(dict.fromkeys(due["course"].astype(str)))
    order = [*needed, *(c for c in given if c not in needed)]
    course_problems: dict[str, list[str]] = {}
    for p in review.courses:
        course_problems.setdefault(p.course, []).append(_course_problem(p, lang))
    extra_roles: dict[str, list[str]] = {}
    for course, role in review.extra_roles:
        extra_roles.setdefault(course, []).append(role)
    rows: list[tuple[bool, list[str]]] = []
    for course in order:
        rule, ref = given.get(course), catalog.get(course)
        pairs = due[due["course"] == course]
        mine = sessions[sessions["course"] == course]
        missing, late = int((mine["problem"] == "missing").sum()), int((mine["problem"] == "late").sum())
        need_roles = sorted(set(pairs["role"].astype(str)))
        texts = [flag(m) for m in course_problems.get(course, [])]
        if course not in needed and course in catalog:
            texts.append(esc(t("t5evidence.course_not_needed", lang)))
        if extra_roles.get(course):
            roles = plain_list([esc(role_label(r, lang)) for r in extra_roles[course]], lang)
            texts.append(esc(t("t5evidence.extra_roles", lang)) + " " + roles)
        in_time = len(pairs) - missing - late
        rows.append(
            (
                bool(course_problems.get(course)) or bool(missing or late),
                [
                    esc(training.course_label(course, lang)),
                    plain_list([esc(role_label(r, lang)) for r in need_roles], lang) if need_roles else "—",
                    plain_list([esc(role_label(r, lang)) for r in rule.roles], lang) if rule is not None else "—",
                    _terms(rule.within_days if rule else None, ref.within_days if ref else None, "days", lang),
                    _terms(
                        rule.recurrence_months if rule else None, ref.recurrence_months if ref else None, "months", lang
                    ),
                    esc(format_count(len(pairs))),
                    esc(format_count(in_time)),
                    flag(format_count(late)) if late else esc(format_count(0)),
                    flag(format_count(missing)) if missing else esc(format_count(0)),
                    "<br>".join(texts) or esc(t("t5evidence.no_problem", lang)),
                ],
            )
        )
    columns = heads(lang, "course", "roles_needed", "roles_given", "within_days", "recurrence", "needed")
    columns += heads(lang, "in_time", "late", "missing", "problems")
    return html_table(columns, [c for _, c in rows], empty=t("t5evidence.no_courses", lang))


def _session_rows(g: Graded, review: calendar_review.CalendarReview, lang: str) -> tuple[list[list[str]], int]:
    found = review.sessions
    if found.empty:
        return [], 0
    basis = review.due[["staff_id", "course", "basis", "last"]]
    frame = found.merge(basis, on=["staff_id", "course"], how="left")
    frame = frame.assign(_order=frame["problem"].map(_SESSION_ORDER)).sort_values(
        ["_order", "due", "staff_id"], kind="stable"
    )
    names = names_of(g)
    roles = dict(zip(g.world.staff["staff_id"].astype(str), g.world.staff["role"].astype(str), strict=True))
    rows = []
    for r in frame.head(MAX_ROWS).to_dict("records"):
        staff = str(r["staff_id"])
        how = r.get("basis")
        rows.append(
            [
                person(staff, names),
                esc(role_label(roles[staff], lang)) if staff in roles else "—",
                esc(training.course_label(str(r["course"]), lang)),
                flag(calendar_review.session_message(r, lang)),
                esc(training.basis_label(str(how), lang)) if isinstance(how, str) and how else "—",
                esc(str(r["last"])) if isinstance(r.get("last"), str) and r["last"] else "—",
            ]
        )
    return rows, len(frame)


def _by_month(g: Graded, lang: str) -> str:
    """The candidate's bookings per month and course."""
    sessions = answer_of(g, T5Answer).sessions
    if not sessions:
        return f"<p>{esc(t('t5evidence.no_sessions', lang))}</p>"
    frame = pd.DataFrame({"month": [s.date.isoformat()[:7] for s in sessions], "course": [s.course for s in sessions]})
    counts = frame.groupby(["month", "course"]).size().unstack(fill_value=0)
    rank = {c.id: i for i, c in enumerate(training.catalog())}
    courses = sorted(counts.columns, key=lambda c: (rank.get(str(c), len(rank)), str(c)))
    rows = []
    for month, row in counts.iterrows():
        cells = [esc(format_count(int(row[c]))) for c in courses]
        rows.append([esc(str(month)), *cells, esc(format_count(int(row.sum())))])
    headers = [
        t("t5evidence.col_month", lang),
        *(training.course_label(str(c), lang) for c in courses),
        t("t5evidence.col_total", lang),
    ]
    return html_table(headers, rows[:MAX_ROWS]) + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


def training_html(g: Graded, lang: str) -> str:
    """The courses against the policy, the bookings that fall short (missing, late, the rest), the bookings per
    month."""
    review = checks._calendar(g.context)
    problems = review.sessions["problem"].value_counts()
    other = int(sum(v for k, v in problems.items() if k not in ("missing", "late")))
    intro = t(
        "t5evidence.training_intro",
        lang,
        start=training.plan_start(g.world.spec).isoformat(),
        pairs=format_count(len(review.due)),
        in_time=format_count(review.in_time),
        late=format_count(int(problems.get("late", 0))),
        missing=format_count(int(problems.get("missing", 0))),
        other=format_count(other),
        extra=format_count(review.extra_sessions),
    )
    rows, total = _session_rows(g, review, lang)
    columns = heads(lang, "person", "role", "course", "problem", "due_basis", "last_completed")
    table = html_table(columns, rows, empty=t("t5evidence.no_session_problems", lang))
    return (
        f"<p>{esc(intro)}</p>"
        + _courses(g, review, lang)
        + f"<h4>{esc(t('t5evidence.h_sessions', lang))}</h4>"
        + table
        + more_rows(len(rows), total, lang)
        + f"<h4>{esc(t('t5evidence.h_by_month', lang))}</h4>"
        + _by_month(g, lang)
    )
