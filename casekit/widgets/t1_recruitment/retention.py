"""Retention and succession (N4, K8): the retention actions (:meth:`T1Case.set_actions`) and their six simulated
months (:meth:`T1Case.simulate_retention`), marked out of date when the actions change; the successors' readiness
(:meth:`T1Case.readiness`) and the candidate's nominations (:meth:`T1Case.set_successors`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

import ipywidgets as widgets

from casekit.cases.t1_recruitment.answer import Successor
from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.retention import RetentionReview
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.scenario.catalogs import EXIT_FACTORS
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Field, RowList, Rows
from casekit.widgets.t1_recruitment import forms
from casekit.widgets.t1_recruitment.render import left, option_pairs, table_html, title, value_label
from casekit.widgets.t1_recruitment.review import review_html
from casekit.widgets.t1_recruitment.turnover import scopes

__all__ = ["MONTHS", "READINESS", "RetentionPanel"]

MONTHS = 6
READINESS: tuple[str, ...] = get_args(Successor.model_fields["readiness"].annotation)
_TEXTS = ("description", "owner", "measure")


class RetentionPanel(Panel):
    """Tab 5: the plan (adopted as it is edited), its simulation, then the successors (adopted as edited)."""

    def __init__(self, case: T1Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.scopes = scopes(case)
        self.actions = Rows(self._make_action, lang, t("t1widgets.add_action", lang))
        self.actions.load([forms.action_fields(a) for a in case.actions])
        self.actions.on_change(self.guard(self.adopt_actions))
        self.actions_status = widgets.HTML(message_html(t("t1widgets.actions_hint", lang)))
        self.simulate_button = widgets.Button(
            description=t("t1widgets.simulate", lang, months=MONTHS),
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.when_clicked(self.simulate_button, self.simulate)
        self.review_status = widgets.HTML(message_html(t("t1widgets.simulate_hint", lang, months=MONTHS)))
        self.review = widgets.HTML()
        if case.retention_review is not None:
            self._show_review(case.retention_review)
        self.readiness = widgets.HTML(
            self._readiness_html(), layout=widgets.Layout(max_height="360px", overflow="auto")
        )
        leaders = case.team_leaders()
        leader_options = tuple(
            (f"{s} {name} ({tm})", str(s))
            for s, name, tm in zip(leaders["staff_id"], leaders["name"], leaders["team"], strict=True)
        )
        ready = case.readiness()
        staff_options = tuple(
            (f"{r.staff_id} {r.name} · {r.team} · {value_label('readiness', str(r.readiness), lang)}", str(r.staff_id))
            for r in ready.itertuples()
        )
        self.successors = RowList(
            [
                Field(
                    "team_leader", t("t1widgets.col_team_leader", lang), _first(leader_options), leader_options, "260px"
                ),
                Field("staff_id", t("t1widgets.col_successor", lang), _first(staff_options), staff_options, "360px"),
                Field(
                    "readiness",
                    t("t1widgets.col_readiness", lang),
                    READINESS[-1],
                    tuple(option_pairs("readiness", READINESS, lang)),
                    "240px",
                ),
            ],
            lang,
            t("t1widgets.add_successor", lang),
        )
        self.successors.add_button.layout.align_self = "flex-start"
        self.successors.load([s.model_dump() for s in case.successors])
        self.successors.on_change(self.guard(self.adopt_successors))
        self.successors_status = widgets.HTML(message_html(t("t1widgets.successors_hint", lang)))
        self.widget = widgets.VBox(
            [
                title("t1widgets.actions_heading", lang),
                self.actions.widget,
                self.actions_status,
                left(self.simulate_button),
                self.review_status,
                self.review,
                title("t1widgets.succession_heading", lang),
                self.readiness,
                self.successors.widget,
                self.successors_status,
                self.alert,
            ]
        )

    # -------------------------------------------------------------------------------------------- the actions
    def _make_action(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        factor = values.get("factor", EXIT_FACTORS[0])
        scope = values.get("scope", "all")
        factors = option_pairs("factor", dict.fromkeys([*EXIT_FACTORS, factor]), lang)
        where = option_pairs("scope", dict.fromkeys([*self.scopes, scope]), lang)
        row: dict[str, Any] = {
            "factor": widgets.Dropdown(options=factors, value=factor, description=t("t1widgets.col_factor", lang)),
            "scope": widgets.Dropdown(options=where, value=scope, description=t("t1widgets.col_scope", lang)),
        }
        for name in _TEXTS:
            row[name] = widgets.Text(
                value=str(values.get(name, "")),
                description=t(f"t1widgets.col_{name}", lang),
                layout=widgets.Layout(width="95%" if name == "description" else "48%"),
            )
        row["cost_per_month"] = widgets.BoundedIntText(
            value=int(values.get("cost_per_month", 0)),
            min=0,
            max=10_000_000,
            step=1000,
            description=t("t1widgets.col_cost_per_month", lang),
        )
        row["expected_reduction"] = widgets.BoundedFloatText(
            value=float(values.get("expected_reduction", 0)),
            min=0,
            max=100,
            step=5,
            description=t("t1widgets.col_expected_reduction", lang),
        )
        for w in row.values():
            w.style = {"description_width": "initial"}
        wrap = widgets.Layout(flex_flow="row wrap")
        box = widgets.VBox(
            [
                widgets.HBox([remove, row["factor"], row["scope"]], layout=wrap),
                row["description"],
                widgets.HBox([row["owner"], row["measure"]], layout=wrap),
                widgets.HBox([row["cost_per_month"], row["expected_reduction"]], layout=wrap),
            ],
            layout=widgets.Layout(border="1px solid #e0e0e0", padding="4px", margin="0 0 6px 0"),
        )
        box.add_class("ck-action")
        return row, box

    def adopt_actions(self) -> None:
        """Adopt the actions on the form (or show every problem); a simulation of other actions is out of date."""
        try:
            actions = self.case.set_actions([forms.action_data(row) for row in self.actions.value])
        except CasekitError as exc:
            self.actions_status.value = problems_html(exc, self.lang)
        else:
            self.actions_status.value = message_html(t("t1widgets.actions_adopted", self.lang, n=len(actions)), "ok")
        self._mark()

    def _mark(self) -> None:
        if self.case.retention_review is not None and not self.case.retention_is_current:
            self.review_status.value = message_html(t("t1widgets.simulation_stale", self.lang), "warn")

    def simulate(self) -> RetentionReview | None:
        try:
            review = self.case.simulate_retention(MONTHS)
        except CasekitError as exc:
            self.review_status.value = problems_html(exc, self.lang)
            return None
        self._show_review(review)
        return review

    def _show_review(self, review: RetentionReview) -> None:
        current = self.case.retention_is_current
        key = "t1widgets.simulated" if current else "t1widgets.simulation_stale"
        self.review_status.value = message_html(t(key, self.lang), "ok" if current else "warn")
        self.review.value = review_html(review, self.lang)

    # ----------------------------------------------------------------------------------------- the successors
    def _readiness_html(self) -> str:
        table = self.case.readiness()
        numbers = {"tenure_months": 1, "qa": 1, "performance": 1}
        return table_html(table, self.lang, counts=("gap",), shares=("fcr",), numbers=numbers)

    def adopt_successors(self) -> None:
        try:
            successors = self.case.set_successors(self.successors.value)
        except CasekitError as exc:
            self.successors_status.value = problems_html(exc, self.lang)
            return
        text = t("t1widgets.successors_adopted", self.lang, n=len(successors))
        self.successors_status.value = message_html(text, "ok")


def _first(options: tuple[tuple[str, str], ...]) -> str:
    return options[0][1] if options else ""
