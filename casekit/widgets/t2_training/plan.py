"""The training plan (P2.2, P2.4, S5): the offers, the bookings (people on a session of an offer) and the gaps
deferred with a reason, adopted as they change (:meth:`T2Case.set_plan`); and its live figures after every change:
spend against the budget, the sessions overbooked, the weekly service level with the plan as a chart and a table,
the plan as a calendar and the gaps its bookings cover (:mod:`~casekit.widgets.t2_training.figures`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from casekit.cases.t2_training.case import T2Case
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.scenario.catalogs import load_skills
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Rows
from casekit.widgets.t2_training import forms
from casekit.widgets.t2_training.figures import PlanFigures, offers_frame
from casekit.widgets.t2_training.render import (
    ALL,
    boxed,
    left,
    offer_title,
    option_pairs,
    staff_options,
    table_html,
    title,
)

__all__ = ["PlanPanel"]

_WIDE = {"description_width": "initial"}


class PlanPanel(Panel):
    """Tab 4: the offers, the bookings editor and the deferrals, then the figures, recomputed after every change."""

    def __init__(self, case: T2Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._changed: list[Callable[[], None]] = []
        world = case.world
        self.figures: PlanFigures | None = None
        self._audit = case.audit()
        self.budget = int(case.policy["budget"])  # the world's: read once
        self.staff = staff_options(world, lang)
        self.labels = {v: k for k, v in self.staff}  # id -> label
        sessions = world.training_sessions
        #: session -> (offer, week)
        self.sessions = {
            str(s): (str(o), int(w))
            for s, o, w in zip(sessions["session_id"], sessions["offer_id"], sessions["week"], strict=True)
        }
        self._booking_labels: dict[tuple[str, str], str] = {}
        offers = [str(o) for o in world.training["offer_id"]]
        self.offer = widgets.Dropdown(
            options=[(f"{o} {offer_title(world, o, lang)}", o) for o in offers],
            value=offers[0],
            description=t("t2widgets.col_offer_id", lang),
            style=_WIDE,
            layout=widgets.Layout(width="560px"),
        )
        self.session = widgets.Dropdown(
            options=[],
            description=t("t2widgets.col_session_id", lang),
            style=_WIDE,
            layout=widgets.Layout(width="420px"),
        )
        teams = sorted(str(x) for x in world.staff["team"].unique())
        self.team = widgets.Dropdown(
            options=[(t("t2widgets.every", lang), ALL), *((x, x) for x in teams)],
            value=ALL,
            description=t("t2widgets.col_team", lang),
            style=_WIDE,
        )
        self.gap_only = widgets.Checkbox(value=True, description=t("t2widgets.gap_only", lang), indent=False)
        self.people = widgets.SelectMultiple(
            options=[],
            rows=10,
            description=t("t2widgets.people", lang),
            style=_WIDE,
            layout=widgets.Layout(width="560px"),
        )
        self.people.add_class("ck-plan-people")
        self.offer.add_class("ck-plan-offer")
        self.session.add_class("ck-plan-session")
        self.book_button = widgets.Button(description=t("t2widgets.book", lang), button_style="primary")
        self.bookings = widgets.SelectMultiple(
            options=[],
            rows=10,
            description=t("t2widgets.bookings", lang),
            style=_WIDE,
            layout=widgets.Layout(width="640px"),
        )
        self.bookings.add_class("ck-plan-bookings")
        self.remove_button = widgets.Button(description=t("t2widgets.remove_bookings", lang))
        self.status = widgets.HTML(message_html(t("t2widgets.plan_hint", lang)))
        self.status.add_class("ck-plan-status")
        self.when_changed(self.offer, self.offer_changed)
        for w in (self.team, self.gap_only):
            self.when_changed(w, self.offer_people)
        self.when_clicked(self.book_button, self.book)
        self.when_clicked(self.remove_button, self.remove)
        self.deferred = Rows(self._make_deferral, lang, t("t2widgets.add_deferral", lang))
        self.deferred.add_button.layout.align_self = "flex-start"
        self.deferred.load([forms.deferral_fields(d) for d in case.deferred])
        self.deferred.on_change(self.guard(self.adopt_deferred))
        self.deferred_status = widgets.HTML(message_html(t("t2widgets.deferred_hint", lang)))
        self.spend = widgets.HTML()
        self.over = widgets.HTML()
        self.chart = widgets.HTML()
        self.chart.add_class("ck-sl-chart-box")
        self.weekly = widgets.HTML()
        self.calendar = widgets.HTML()
        self.calendar.add_class("ck-calendar-box")
        self.gaps = widgets.HTML()
        money = ("cost_per_person",)
        offers_table = table_html(
            offers_frame(world, lang), lang, money=money, counts=("capacity",), numbers={"hours": 1}
        )
        self.widget = widgets.VBox(
            [
                title("t2widgets.offers_heading", lang),
                boxed(widgets.HTML(offers_table), "300px"),
                title("t2widgets.bookings_heading", lang),
                widgets.HTML(message_html(t("t2widgets.bookings_hint", lang))),
                widgets.HBox([self.offer, self.session], layout=widgets.Layout(flex_flow="row wrap")),
                left(self.team, self.gap_only),
                self.people,
                left(self.book_button),
                self.bookings,
                left(self.remove_button),
                self.status,
                title("t2widgets.deferred_heading", lang, 4),
                self.deferred.widget,
                self.deferred_status,
                title("t2widgets.figures_heading", lang),
                self.spend,
                self.over,
                self.chart,
                boxed(self.weekly, "300px"),
                title("t2widgets.calendar_heading", lang, 4),
                boxed(self.calendar, "480px"),
                title("t2widgets.gaps_heading", lang, 4),
                boxed(self.gaps),
                self.alert,
            ]
        )
        self.offer_changed()
        self.show_bookings()
        self.recompute()
        if case.bookings:
            self.status.value = message_html(self._adopted_text(), "ok")

    # ------------------------------------------------------------------------------------------- the editor
    def offer_changed(self) -> None:
        """The sessions of the offer chosen, and the people offered for it."""
        sessions = self.case.world.training_sessions
        mine = sessions[sessions["offer_id"] == self.offer.value]
        self.session.options = [
            (t("t2widgets.session_label", self.lang, session=s, week=w, start=d, seats=n), str(s))
            for s, w, d, n in zip(mine["session_id"], mine["week"], mine["start_date"], mine["seats"], strict=True)
        ]
        self.session.value = self.session.options[0][1] if self.session.options else None
        self.offer_people()

    def offer_people(self) -> None:
        """The people the editor offers: the team chosen, only those with a gap in the offer's skills if asked."""
        world = self.case.world
        staff = world.staff
        ids = [str(s) for s in staff["staff_id"]]
        if self.team.value != ALL:
            ids = [str(s) for s, tm in zip(staff["staff_id"], staff["team"], strict=True) if tm == self.team.value]
        if self.gap_only.value:
            offers = world.training.set_index("offer_id")
            skills = set(str(offers.loc[self.offer.value, "skills"]).split(";"))
            gaps = self.case.audit().gaps
            short = set(gaps.loc[(gaps["gap"] > 0) & gaps["skill_id"].isin(skills), "staff_id"])
            ids = [s for s in ids if s in short]
        kept = tuple(p for p in self.people.value if p in set(ids))
        self.people.options = [(self.labels[s], s) for s in ids]
        self.people.value = kept

    def _booking_label(self, staff_id: str, session_id: str) -> str:
        offer, week = self.sessions.get(session_id, ("", ""))
        person = self.labels.get(staff_id, staff_id)
        return t("t2widgets.booking_label", self.lang, person=person, session=session_id, offer=offer, week=week)

    def show_bookings(self) -> None:
        """The plan's bookings to choose from (a label made once per booking)."""
        labels = self._booking_labels
        for row in self.case.rows:
            if row not in labels:
                labels[row] = self._booking_label(*row)
        self.bookings.options = [(labels[row], row) for row in self.case.rows]

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after the plan adopted changes."""
        self._changed.append(callback)

    def _adopted_text(self) -> str:
        case = self.case
        return t("t2widgets.plan_adopted", self.lang, bookings=len(case.bookings), deferred=len(case.deferred))

    def _set(self, rows: list[tuple[str, str]]) -> bool:
        try:
            self.case.set_plan(forms.booking_data(rows), self.case.deferred)
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return False
        self.show_bookings()
        self.status.value = message_html(self._adopted_text(), "ok")
        self.recompute()
        return True

    def book(self) -> bool:
        """Book the people chosen on the session chosen (a booking already in the plan is not repeated)."""
        session = self.session.value
        if session is None or not self.people.value:
            self.status.value = message_html(t("t2widgets.choose_to_book", self.lang), "warn")
            return False
        rows = list(self.case.rows)
        rows += [(p, session) for p in self.people.value if (p, session) not in set(rows)]
        done = self._set(rows)
        if done:
            self.people.value = ()
        return done

    def remove(self) -> bool:
        """Take the bookings chosen off the plan."""
        chosen = set(self.bookings.value)
        if not chosen:
            return False
        return self._set([r for r in self.case.rows if r not in chosen])

    # ----------------------------------------------------------------------------------------- the deferrals
    def _make_deferral(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        staff = self.staff
        skills = [s.id for s in load_skills()]
        person = values.get("staff_id", staff[0][1])
        skill = values.get("skill_id", skills[0])
        row: dict[str, Any] = {
            "staff_id": widgets.Dropdown(
                options=staff,
                value=person,
                description=t("t2widgets.col_staff_id", lang),
                layout=widgets.Layout(width="380px"),
            ),
            "skill_id": widgets.Dropdown(
                options=option_pairs("skill_id", dict.fromkeys([*skills, skill]), lang),
                value=skill,
                description=t("t2widgets.col_skill_id", lang),
                layout=widgets.Layout(width="330px"),
            ),
            "reason": widgets.Text(
                value=str(values.get("reason", "")),
                description=t("t2widgets.col_reason", lang),
                placeholder=t("t2widgets.reason_hint", lang),
                layout=widgets.Layout(width="95%"),
            ),
        }
        for w in row.values():
            w.style = _WIDE
        box = widgets.VBox([widgets.HBox([remove, row["staff_id"], row["skill_id"]]), row["reason"]])
        box.add_class("ck-deferral")
        return row, box

    def adopt_deferred(self) -> None:
        later = [forms.deferral_data(row) for row in self.deferred.value]
        try:
            self.case.set_plan(forms.booking_data(self.case.rows), later)
        except CasekitError as exc:
            self.deferred_status.value = problems_html(exc, self.lang)
            return
        text = t("t2widgets.deferred_adopted", self.lang, n=len(self.case.deferred))
        self.deferred_status.value = message_html(text, "ok")
        for callback in self._changed:
            callback()

    # ------------------------------------------------------------------------------------------- the figures
    def audit_changed(self, *_issues: Any) -> None:
        """A data-problems listener: the people with a gap, and the gaps covered, are those of the audit now (again
        only when the audit changed: the case keeps one audit per way of handling the problems)."""
        found = self.case.audit()
        if found is self._audit:
            return
        self._audit = found
        self.offer_people()
        self.recompute()

    def recompute(self) -> PlanFigures:
        """Every figure of the plan adopted now (the weeks' Erlang-C needs come from the case's memo)."""
        figures = PlanFigures(self.case, self.lang, self.budget)
        self.spend.value = figures.spend
        self.over.value = figures.over
        self.chart.value = figures.chart
        self.weekly.value = figures.weekly
        self.calendar.value = figures.calendar
        self.gaps.value = figures.gaps
        self.figures = figures
        for callback in self._changed:
            callback()
        return figures
