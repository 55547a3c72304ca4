"""Development plans and recognition (P3.3, K6), under the appraisal: each member's largest gap, then the plans (the
gap's KPI, the action, a training offer of the world among those that move the KPI, the owner, the due date, the
measure and its target), adopted as edited (:meth:`T3Case.set_development`) with what they still lack listed live;
then recognition of those above target (:meth:`T3Case.set_recognition`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from casekit.cases.t3_performance.answer import ACTIONS
from casekit.cases.t3_performance.case import T3Case
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import column_formats, message_html, problems_html
from casekit.widgets.row_list import Rows
from casekit.widgets.t3_performance import forms
from casekit.widgets.t3_performance.render import (
    kpi_defs,
    kpi_label,
    member_options,
    offer_title,
    option_pairs,
    table_html,
    title,
    with_names,
)

__all__ = ["RECOGNITION_KINDS", "DevelopmentPanel", "gaps_html", "plan_problems_html"]

RECOGNITION_KINDS = ("praise", "award", "time_off")
_WIDE = {"description_width": "initial"}


def gaps_html(case: T3Case, lang: str) -> str:
    """Each member's largest shortfall in the review period, with the rating the data gives."""
    gaps = case.main_gaps()
    if gaps.empty:
        return message_html(t("t3widgets.no_gaps", lang), "ok")
    rated = case.ratings().set_index("staff_id")["rating"]
    shown = with_names(gaps, case.world.members)
    shown["rating"] = [int(rated[s]) if s in rated.index else None for s in gaps["staff_id"]]
    return table_html(shown, lang, formats=column_formats(lang, shares=("shortfall",)))


def plan_problems_html(case: T3Case, lang: str) -> str:
    found = case.development_problems()
    if found.empty:
        return message_html(t("t3widgets.plans_complete", lang), "ok")
    return message_html(t("t3widgets.plan_problems", lang, n=len(found)), "warn") + table_html(found, lang)


class DevelopmentPanel(Panel):
    """The gaps, the development plans and their problems, then recognition."""

    def __init__(self, case: T3Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        members = case.members()
        self.people = member_options(members, lang)
        self.kpis = [(kpi_label(k, lang), k) for k in kpi_defs()]
        self.default_due = case.calendar().appraisal_due + dt.timedelta(days=30)
        self.gaps = widgets.HTML()
        self.plans = Rows(self._make_plan, lang, t("t3widgets.add_plan", lang))
        self.plans.widget.add_class("ck-t3-plans")
        self.plans.load([forms.devplan_fields(p) for p in case.development])
        self.plans.on_change(self.guard(self.adopt_plans))
        self.plan_status = widgets.HTML(message_html(t("t3widgets.plans_hint", lang)))
        self.plan_status.add_class("ck-t3-plans-status")
        self.problems = widgets.HTML()
        self.problems.add_class("ck-t3-plan-problems")
        self.recognition = Rows(self._make_recognition, lang, t("t3widgets.add_recognition", lang))
        self.recognition.widget.add_class("ck-t3-recognition")
        self.recognition.load([r.model_dump() for r in case.recognition])
        self.recognition.on_change(self.guard(self.adopt_recognition))
        self.recognition_status = widgets.HTML(message_html(t("t3widgets.recognition_hint", lang)))
        self.widget = widgets.VBox(
            [
                title("t3widgets.gaps_heading", lang),
                self.gaps,
                title("t3widgets.plans_heading", lang, 4),
                self.plans.widget,
                self.plan_status,
                self.problems,
                title("t3widgets.recognition_heading", lang, 4),
                self.recognition.widget,
                self.recognition_status,
                self.alert,
            ]
        )

    def refresh(self) -> None:
        """The gaps and the plans' problems against the results now (the appraisal is open)."""
        self.gaps.value = gaps_html(self.case, self.lang)
        self.problems.value = plan_problems_html(self.case, self.lang)

    # ------------------------------------------------------------------------------------------ the rows
    def _offers(self, kpi: str, chosen: str) -> list[tuple[str, str]]:
        world = self.case.world
        linked = self.case.linked_offers(kpi)
        kept = [chosen] if chosen and chosen not in linked else []
        return [
            (t("t3widgets.no_offer", self.lang), forms.NO_OFFER),
            *((f"{o} {offer_title(world, o, self.lang)}", o) for o in [*linked, *kept]),
        ]

    def _dropdown(self, options: list[tuple[str, Any]], value: Any, label: str, width: str) -> widgets.Dropdown:
        known = [v for _, v in options]
        shown = options if value in known else [*options, (str(value), value)]
        return widgets.Dropdown(
            options=shown,
            value=value,
            description=t(label, self.lang),
            style=_WIDE,
            layout=widgets.Layout(width=width),
        )

    def _make_plan(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        kpi = str(values.get("kpi", self.kpis[0][1]))
        offer = str(values.get("offer_id", forms.NO_OFFER))
        row: dict[str, Any] = {
            "staff_id": self._dropdown(
                self.people, values.get("staff_id", self.people[0][1]), "t3widgets.col_member", "420px"
            ),
            "kpi": self._dropdown(self.kpis, kpi, "t3widgets.col_gap", "300px"),
            "action": self._dropdown(
                option_pairs("action", ACTIONS, lang), values.get("action", ACTIONS[0]), "t3widgets.col_action", "220px"
            ),
            "offer_id": self._dropdown(self._offers(kpi, offer), offer, "t3widgets.col_offer_id", "520px"),
            "owner": self._dropdown(
                self.people, values.get("owner", self.people[0][1]), "t3widgets.col_owner", "420px"
            ),
            "due": widgets.DatePicker(
                value=values.get("due", self.default_due), description=t("t3widgets.col_due", lang), style=_WIDE
            ),
            "measure": self._dropdown(self.kpis, values.get("measure", kpi), "t3widgets.col_measure", "300px"),
            "target": widgets.Text(
                value=str(values.get("target", "")),
                description=t("t3widgets.col_target", lang),
                style=_WIDE,
                layout=widgets.Layout(width="200px"),
            ),
        }
        self.when_changed(row["kpi"], lambda: self._kpi_chosen(row))
        box = widgets.VBox(
            [
                widgets.HBox([remove, row["staff_id"], row["kpi"], row["action"]]),
                widgets.HBox([row["offer_id"], row["owner"]]),
                widgets.HBox([row["due"], row["measure"], row["target"]]),
            ]
        )
        box.add_class("ck-t3-plan")
        return row, box

    def _kpi_chosen(self, row: dict[str, Any]) -> None:
        """The offers a plan may name are those that move its KPI (the one chosen kept when it does)."""
        kpi, chosen = str(row["kpi"].value), str(row["offer_id"].value)
        options = self._offers(kpi, "")
        row["offer_id"].options = options
        row["offer_id"].value = chosen if chosen in [v for _, v in options] else forms.NO_OFFER

    def _make_recognition(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        row: dict[str, Any] = {
            "staff_id": self._dropdown(
                self.people, values.get("staff_id", self.people[0][1]), "t3widgets.col_member", "420px"
            ),
            "kind": self._dropdown(
                option_pairs("kind", RECOGNITION_KINDS, lang),
                values.get("kind", RECOGNITION_KINDS[0]),
                "t3widgets.col_kind",
                "220px",
            ),
            "note": widgets.Text(
                value=str(values.get("note", "")),
                placeholder=t("t3widgets.note_hint", lang),
                layout=widgets.Layout(width="420px"),
            ),
        }
        box = widgets.HBox([remove, row["staff_id"], row["kind"], row["note"]])
        box.add_class("ck-t3-recognition-row")
        return row, box

    # -------------------------------------------------------------------------------------------- adopting
    def adopt_plans(self) -> None:
        try:
            plans = self.case.set_development([forms.devplan_data(r) for r in self.plans.value])
        except CasekitError as exc:
            self.plan_status.value = problems_html(exc, self.lang)
            return
        self.plan_status.value = message_html(t("t3widgets.plans_adopted", self.lang, n=len(plans)), "ok")
        if self.case.appraisal_open():
            self.problems.value = plan_problems_html(self.case, self.lang)

    def adopt_recognition(self) -> None:
        try:
            given = self.case.set_recognition([{**r, "note": str(r["note"]).strip()} for r in self.recognition.value])
        except CasekitError as exc:
            self.recognition_status.value = problems_html(exc, self.lang)
            return
        text = t("t3widgets.recognition_adopted", self.lang, n=len(given))
        self.recognition_status.value = message_html(text, "ok")
