"""Tab 3, the regulatory training calendar (P5.1): a row per course of the catalog with the roles that take it,
within how many days of hire and how often it recurs (starting from the organisation's policy,
:meth:`T5Case.policy`), and the course's session dates (a first date, every so many days, so many sessions). "Book"
sets the courses that have a role (:meth:`T5Case.set_courses`) and books everybody each concerns on its dates
(:meth:`T5Case.schedule`); a course left without a role is not set, and its bookings go. Then what the calendar
still lacks (:meth:`T5Case.training_problems`) and the bookings drawn month by month."""

from __future__ import annotations

import datetime as dt
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t5_compliance import training
from casekit.cases.t5_compliance.case import T5Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t5_compliance import forms
from casekit.widgets.t5_compliance.charts import bookings_by_month, bookings_svg
from casekit.widgets.t5_compliance.render import boxed, first_rows, left, role_label, table_html, title

__all__ = ["PROBLEMS_SHOWN", "SESSION_COUNT", "SESSION_EVERY", "TrainingPanel", "problems_table"]

#: the calendar's problems listed (the rest counted)
PROBLEMS_SHOWN = 80
#: the session dates a course's row starts with: every two weeks from today, for a year
SESSION_EVERY = 14
SESSION_COUNT = 26
_WIDE = {"description_width": "initial"}


def problems_table(case: T5Case, lang: str, limit: int = PROBLEMS_SHOWN) -> str:
    """What the calendar still lacks, a problem a row, or that it lacks nothing."""
    found = case.training_problems()
    if found.empty:
        return message_html(t("t5widgets.calendar_complete", lang), "ok" if case.sessions else "info")
    shown, line = first_rows(found, limit, lang)
    head = message_html(t("t5widgets.calendar_problems", lang, n=f"{len(found):,}"), "warn")
    return head + line + table_html(shown, lang)


class TrainingPanel(Panel):
    """Tab 3: the courses, booking, the calendar's problems and its chart."""

    def __init__(self, case: T5Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        policy = case.policy()
        staff_roles = [str(r) for r in dict.fromkeys(case.world.staff["role"])]
        roles = [(role_label(r, lang), r) for r in staff_roles]
        first_day = case.today()
        self.labels: dict[str, str] = {}
        self.rows: dict[str, dict[str, Any]] = {}
        boxes = []
        for c in case.course_catalog():
            held = case.courses.get(c.id)
            self.labels[c.id] = training.course_label(c.id, lang)
            row: dict[str, Any] = {
                "roles": widgets.SelectMultiple(
                    options=roles,
                    value=tuple(r for r in (held.roles if held is not None else []) if r in staff_roles),
                    description=t("t5widgets.col_roles", lang),
                    rows=min(len(roles), 6),
                    style=_WIDE,
                    layout=widgets.Layout(width="360px"),
                ),
                "within_days": self._int(
                    held.within_days if held is not None else policy[c.id]["within_days"], 0, 365, "within_days"
                ),
                "recurrence_months": self._int(
                    held.recurrence_months if held is not None else policy[c.id]["recurrence_months"],
                    1,
                    60,
                    "recurrence_months",
                ),
                "start": widgets.DatePicker(
                    value=first_day, description=t("t5widgets.first_session", lang), style=_WIDE
                ),
                "every": self._int(SESSION_EVERY, 1, 366, "every_days"),
                "count": self._int(SESSION_COUNT, 0, 400, "sessions"),
                "booked": widgets.HTML(),
            }
            for name, w in row.items():
                w.add_class(f"ck-t5-course-{name}")
            box = widgets.VBox(
                [
                    widgets.HTML(f"<strong>{esc(self.labels[c.id])}</strong>"),
                    left(row["roles"], widgets.VBox([row["within_days"], row["recurrence_months"]])),
                    left(row["start"], row["every"], row["count"]),
                    row["booked"],
                ],
                layout=widgets.Layout(border="1px solid #d0d7de", padding="4px", margin="0 0 6px 0"),
            )
            box.add_class("ck-t5-course")
            box.add_class(f"ck-t5-course-of-{c.id}")
            self.rows[c.id] = row
            boxes.append(box)
        self.book_button = widgets.Button(description=t("t5widgets.book", lang), button_style="primary")
        self.when_clicked(self.book_button, self.book)
        self.status = widgets.HTML(message_html(t("t5widgets.training_hint", lang)))
        self.status.add_class("ck-t5-training-status")
        self.problems = widgets.HTML()
        self.problems.add_class("ck-t5-training-problems")
        self.chart = widgets.HTML()
        self.chart.add_class("ck-t5-bookings")
        self.widget = widgets.VBox(
            [
                title("t5widgets.training_heading", lang),
                widgets.HTML(message_html(t("t5widgets.training_intro", lang, today=case.today().isoformat()))),
                widgets.VBox(boxes),
                left(self.book_button),
                self.status,
                title("t5widgets.training_problems_heading", lang, 4),
                boxed(self.problems, "320px"),
                title("t5widgets.bookings_heading", lang, 4),
                boxed(self.chart, "320px"),
                self.alert,
            ]
        )
        if case.sessions:
            self.status.value = message_html(
                t("t5widgets.booked", lang, n=f"{len(case.sessions):,}", courses=len(case.courses)), "ok"
            )
        self.show()

    def _int(self, value: int, low: int, high: int, label: str) -> widgets.BoundedIntText:
        return widgets.BoundedIntText(
            value=int(value),
            min=low,
            max=high,
            description=t(f"t5widgets.col_{label}", self.lang),
            style=_WIDE,
            layout=widgets.Layout(width="260px"),
        )

    def course_data(self) -> list[dict[str, Any]]:
        """The courses that have a role, as typed."""
        return [
            {
                "course": cid,
                "roles": list(row["roles"].value),
                "within_days": int(row["within_days"].value),
                "recurrence_months": int(row["recurrence_months"].value),
            }
            for cid, row in self.rows.items()
            if row["roles"].value
        ]

    def dates(self, course: str) -> list[dt.date]:
        row = self.rows[course]
        return forms.session_dates(row["start"].value, int(row["every"].value), int(row["count"].value))

    def book(self) -> int:
        """Set the courses and book every person each concerns on its dates; the number of bookings (0 when the
        courses are not adopted: their problems shown, the form kept)."""
        case = self.case
        try:
            courses = case.set_courses(self.course_data())
            chosen = {c.course for c in courses}
            case.set_sessions([s for s in case.sessions if s.course in chosen])
            for c in courses:
                case.schedule(c.course, self.dates(c.course))
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            self.show()
            return 0
        n = len(case.sessions)
        self.status.value = message_html(t("t5widgets.booked", self.lang, n=f"{n:,}", courses=len(courses)), "ok")
        self.show()
        return n

    def show(self) -> None:
        """Each course's bookings, what the calendar lacks and the chart."""
        case, lang = self.case, self.lang
        booked = pd.Series([s.course for s in case.sessions], dtype=object).value_counts()
        for cid, row in self.rows.items():
            if cid not in case.courses:
                row["booked"].value = message_html(t("t5widgets.course_not_set", lang))
                continue
            row["booked"].value = message_html(t("t5widgets.course_booked", lang, n=int(booked.get(cid, 0))), "ok")
        self.problems.value = problems_table(case, lang) if case.courses else ""
        counts = bookings_by_month((s.course, s.date) for s in case.sessions)
        drawn = bookings_svg(counts, list(self.labels.items()), lang)
        self.chart.value = drawn or message_html(t("t5widgets.no_bookings", lang))
