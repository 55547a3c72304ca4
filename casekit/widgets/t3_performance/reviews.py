"""Tab 4, the review calendar and the data plan (P3.3): the one-to-ones, the appraisal and the PIP reviews of every
member, drafted month by month when the candidate asks and edited one by one (:meth:`T3Case.set_reviews`); what the
calendar still lacks, listed live (:meth:`T3Case.review_problems`); the calendar drawn (a member a row, a week a
column); then the data plan, a row per KPI (source, frequency, the role that collects it), adopted as edited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import ipywidgets as widgets

from casekit.cases.t3_performance.answer import FREQUENCIES, REVIEW_KINDS, SOURCES
from casekit.cases.t3_performance.case import T3Case
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.scenario.catalogs import load_roles
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Field, RowList
from casekit.widgets.t3_performance import forms
from casekit.widgets.t3_performance.charts import calendar_html
from casekit.widgets.t3_performance.render import (
    ALL,
    boxed,
    kpi_defs,
    kpi_label,
    left,
    member_choice,
    member_options,
    option_pairs,
    table_html,
    title,
    with_names,
)

__all__ = ["PROBLEMS_SHOWN", "ReviewsPanel", "problems_table"]

#: the calendar's problems listed (the rest counted)
PROBLEMS_SHOWN = 80
_WIDE = {"description_width": "initial"}
Row = tuple[str, str, dt.date]


def problems_table(case: T3Case, lang: str, limit: int = PROBLEMS_SHOWN) -> str:
    """What the calendar still lacks, a problem a row, or that it lacks nothing."""
    found = case.review_problems()
    if found.empty:
        return message_html(t("t3widgets.calendar_complete", lang), "ok" if case.reviews else "info")
    shown = with_names(found.head(limit), case.world.members)
    line = message_html(t("t3widgets.calendar_problems", lang, n=len(found)), "warn")
    more = len(found) - limit
    tail = message_html(t("t3widgets.more_rows", lang, n=more)) if more > 0 else ""
    return line + table_html(shown, lang) + tail


class ReviewsPanel(Panel):
    """Tab 4: drafting and editing the reviews, their problems and the calendar, then the data plan."""

    def __init__(self, case: T3Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.cal = cal = case.calendar()
        members = case.members()
        self.members = members
        self.labels = dict((v, k) for k, v in member_options(members, lang))
        self.day = widgets.BoundedIntText(
            value=10,
            min=1,
            max=28,
            description=t("t3widgets.draft_day", lang),
            style=_WIDE,
            layout=widgets.Layout(width="220px"),
        )
        self.after = widgets.BoundedIntText(
            value=5,
            min=1,
            max=int(case.policy["appraisal_within_days"]),
            description=t("t3widgets.draft_after", lang),
            style=_WIDE,
            layout=widgets.Layout(width="300px"),
        )
        self.draft_button = widgets.Button(description=t("t3widgets.draft_calendar", lang), button_style="primary")
        self.person = member_choice(members, lang, "ck-t3-review-member", every=True)
        self.person.value = ALL
        self.kind = widgets.Dropdown(
            options=option_pairs("kind", REVIEW_KINDS, lang), description=t("t3widgets.col_kind", lang), style=_WIDE
        )
        self.kind.add_class("ck-t3-review-kind")
        self.date = widgets.DatePicker(
            value=cal.history_end + dt.timedelta(days=1), description=t("t3widgets.col_date", lang), style=_WIDE
        )
        self.date.add_class("ck-t3-review-date")
        self.add_button = widgets.Button(description=t("t3widgets.add_review", lang))
        self.reviews = widgets.SelectMultiple(options=[], rows=10, layout=widgets.Layout(width="640px"))
        self.reviews.add_class("ck-t3-reviews")
        self.remove_button = widgets.Button(description=t("t3widgets.remove_reviews", lang))
        self.status = widgets.HTML(message_html(t("t3widgets.reviews_hint", lang)))
        self.status.add_class("ck-t3-reviews-status")
        self.problems = widgets.HTML()
        self.problems.add_class("ck-t3-review-problems")
        self.calendar = widgets.HTML()
        self.calendar.add_class("ck-t3-calendar")
        self.when_clicked(self.draft_button, self.draft)
        self.when_clicked(self.add_button, self.add)
        self.when_clicked(self.remove_button, self.remove)
        self.plan = RowList(self._fields(), lang, t("t3widgets.add_source", lang))
        self.plan.widget.add_class("ck-t3-data-plan")
        self.plan.load([d.model_dump() for d in case.data_plan])
        self.plan.on_change(self.guard(self.adopt_plan))
        self.fill_plan_button = widgets.Button(description=t("t3widgets.plan_every_kpi", lang))
        self.when_clicked(self.fill_plan_button, self.plan_every_kpi)
        self.plan_status = widgets.HTML(message_html(t("t3widgets.plan_hint", lang)))
        self.plan_status.add_class("ck-t3-plan-status")
        dates = t(
            "t3widgets.calendar_dates",
            lang,
            months=", ".join(cal.period_months),
            end=cal.period_end.isoformat(),
            due=cal.appraisal_due.isoformat(),
            pip=int(case.policy["pip_review_days"]),
        )
        self.widget = widgets.VBox(
            [
                title("t3widgets.reviews_heading", lang),
                widgets.HTML(message_html(dates)),
                left(self.day, self.after, self.draft_button),
                left(self.person, self.kind, self.date, self.add_button),
                self.reviews,
                left(self.remove_button),
                self.status,
                title("t3widgets.problems_heading", lang, 4),
                boxed(self.problems, "300px"),
                title("t3widgets.calendar_heading", lang, 4),
                boxed(self.calendar, "520px"),
                title("t3widgets.data_plan_heading", lang),
                widgets.HTML(message_html(t("t3widgets.data_plan_intro", lang))),
                left(self.fill_plan_button),
                self.plan.widget,
                self.plan_status,
                self.alert,
            ]
        )
        self.show()
        if case.data_plan:
            self.plan_status.value = message_html(t("t3widgets.plan_adopted", lang, n=len(case.data_plan)), "ok")

    # ------------------------------------------------------------------------------------------ the reviews
    @property
    def rows(self) -> list[Row]:
        return [(r.staff_id, r.kind, r.date) for r in self.case.reviews]

    def _set(self, rows: Iterable[Row]) -> bool:
        ordered = sorted(dict.fromkeys(rows), key=lambda r: (r[2], r[0], r[1]))
        try:
            self.case.set_reviews(forms.review_data(ordered))
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return False
        self.status.value = message_html(t("t3widgets.reviews_adopted", self.lang, n=len(ordered)), "ok")
        self.show()
        return True

    def draft(self) -> bool:
        """Add a monthly one-to-one and the appraisal of every member to the calendar (what is there stays)."""
        drafted = forms.draft_reviews(self.members["staff_id"], self.cal, self.day.value, self.after.value)
        return self._set([*self.rows, *drafted])

    def add(self) -> bool:
        """Add the review chosen, for the member chosen or every member."""
        if self.date.value is None:
            self.status.value = message_html(t("t3widgets.choose_date", self.lang), "warn")
            return False
        people = [str(s) for s in self.members["staff_id"]] if self.person.value == ALL else [str(self.person.value)]
        return self._set([*self.rows, *((s, str(self.kind.value), self.date.value) for s in people)])

    def remove(self) -> bool:
        chosen = set(self.reviews.value)
        if not chosen:
            return False
        return self._set([r for r in self.rows if r not in chosen])

    def show(self) -> None:
        """The reviews to choose from, what the calendar lacks and the calendar drawn."""
        lang = self.lang
        self.reviews.options = [
            (f"{d.isoformat()} · {t(f't3widgets.kind_{k}', lang)} · {self.labels.get(s, s)}", (s, k, d))
            for s, k, d in self.rows
        ]
        self.problems.value = problems_table(self.case, lang)
        pip = int(self.case.policy["pip_review_days"])
        self.calendar.value = calendar_html(self.members, self.rows, self.cal, pip, lang)

    # --------------------------------------------------------------------------------------- the data plan
    def _fields(self) -> list[Field]:
        lang = self.lang
        kpis = tuple((f"{k} · {kpi_label(k, lang)}", k) for k in kpi_defs())
        roles = tuple(option_pairs("role", [r.id for r in load_roles()], lang))
        return [
            Field("kpi", t("t3widgets.col_kpi", lang), kpis[0][1], kpis, "330px"),
            Field(
                "source",
                t("t3widgets.col_source", lang),
                SOURCES[0],
                tuple(option_pairs("source", SOURCES, lang)),
                "250px",
            ),
            Field(
                "frequency",
                t("t3widgets.col_frequency", lang),
                "monthly",
                tuple(option_pairs("frequency", FREQUENCIES, lang)),
                "220px",
            ),
            Field("owner_role", t("t3widgets.col_owner_role", lang), roles[0][1], roles, "300px"),
        ]

    def plan_every_kpi(self) -> int:
        """A row for every KPI of the sets not in the plan yet, with its source as the catalog gives it; how often
        and who collects it are the candidate's to choose."""
        have = {row["kpi"] for row in self.plan.value}
        new = [k for k in dict.fromkeys(self.case.wanted()["kpi"]) if k not in have]
        for kpi in new:
            self.plan.add_row({"kpi": kpi, "source": kpi_defs()[kpi].source}, notify=False)
        self.adopt_plan()
        return len(new)

    def adopt_plan(self) -> None:
        try:
            plan = self.case.set_data_plan(self.plan.value)
        except CasekitError as exc:
            self.plan_status.value = problems_html(exc, self.lang)
            return
        self.plan_status.value = message_html(t("t3widgets.plan_adopted", self.lang, n=len(plan)), "ok")
