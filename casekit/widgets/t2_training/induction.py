"""Induction (P2.1, E3): the new starters of the quarter (:meth:`T2Case.starters`), the induction topics
(``casekit/data/induction.yaml``), and per starter a form: buddy, trainer, go-live day and the steps (topic, working
day, who leads it), adopted by its button (:meth:`T2Case.set_induction`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t2_training.answer import Induction, InductionStep
from casekit.cases.t2_training.case import T2Case
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.scenario.catalogs import load_induction_topics
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Rows
from casekit.widgets.t2_training import forms
from casekit.widgets.t2_training.render import left, option_pairs, staff_options, table_html, title, topic_label

__all__ = ["OWNERS", "InductionPanel", "StarterForm", "topics_frame"]

OWNERS: tuple[str, ...] = get_args(InductionStep.model_fields["owner"].annotation)
_WIDE = {"description_width": "initial"}
_MAX_DAY = 60


def topics_frame() -> pd.DataFrame:
    """The induction topics in the order an induction runs them."""
    return pd.DataFrame(
        [
            {
                "topic": tp.id,
                "required_topic": tp.required,
                "before_go_live": tp.before_go_live,
                "latest_day": tp.latest_day,
            }
            for tp in load_induction_topics()
        ]
    ).astype({"latest_day": "Int64"})


class StarterForm(Panel):
    """One starter's induction: who buddies and trains them, the day they go live, the steps; adopted by its
    button, or every problem with it shown (the last induction adopted stays). A new form's go-live day is
    ``go_live`` (the policy's earliest)."""

    def __init__(
        self, case: T2Case, starter: Mapping[str, Any], staff: list[tuple[str, str]], lang: str, go_live: int = 1
    ) -> None:
        self.case = case
        self.lang = lang
        self.starter_id = str(starter["starter_id"])
        plan = case.induction.get(self.starter_id)
        ids = {v for _, v in staff}
        self.buddy = widgets.Dropdown(
            options=staff,
            value=plan.buddy if plan is not None and plan.buddy in ids else None,
            description=t("t2widgets.buddy", lang),
            style=_WIDE,
            layout=widgets.Layout(width="420px"),
        )
        self.trainer = widgets.Dropdown(
            options=staff,
            value=plan.trainer if plan is not None and plan.trainer in ids else None,
            description=t("t2widgets.trainer", lang),
            style=_WIDE,
            layout=widgets.Layout(width="420px"),
        )
        self.go_live = widgets.BoundedIntText(
            value=plan.go_live_day if plan is not None else go_live,
            min=1,
            max=_MAX_DAY,
            description=t("t2widgets.go_live_day", lang),
            style=_WIDE,
        )
        self.steps = Rows(self._make_step, lang, t("t2widgets.add_step", lang))
        self.steps.add_button.layout.align_self = "flex-start"
        self.steps.load(forms.induction_steps(plan) if plan is not None else [])
        self.adopt_button = widgets.Button(description=t("t2widgets.adopt_induction", lang, starter=self.starter_id))
        self.adopt_button.button_style = "primary"
        self.when_clicked(self.adopt_button, self.adopt)
        self.copy_from = widgets.Dropdown(options=[], description=t("t2widgets.copy_from", lang), style=_WIDE)
        self.copy_button = widgets.Button(description=t("t2widgets.copy_steps", lang))
        self.when_clicked(self.copy_button, self._copy_clicked)
        self.status = widgets.HTML(message_html(t("t2widgets.induction_hint", lang)))
        if plan is not None:
            self.status.value = message_html(self._adopted_text(plan), "ok")
        about = t(
            "t2widgets.starter_about",
            lang,
            name=starter["name"],
            team=starter["team"],
            shift=t(f"t2widgets.shift_{starter['shift']}", lang),
            start=starter["start_date"],
            week=starter["week"],
        )
        self.copy_peer: dict[str, StarterForm] = {}
        self.widget = widgets.VBox(
            [
                widgets.HTML(message_html(about)),
                widgets.HBox([self.buddy, self.trainer, self.go_live], layout=widgets.Layout(flex_flow="row wrap")),
                self.steps.widget,
                left(self.copy_from, self.copy_button),
                left(self.adopt_button),
                self.status,
                self.alert,
            ]
        )
        self.widget.add_class(f"ck-starter-{self.starter_id}")

    def _make_step(self, values: Mapping[str, Any], remove: Any) -> tuple[dict[str, Any], Any]:
        lang = self.lang
        topics = [tp.id for tp in load_induction_topics()]
        topic = values.get("topic", topics[0])
        owner = values.get("owner", OWNERS[0])
        row: dict[str, Any] = {
            "topic": widgets.Dropdown(
                options=[(topic_label(x, lang), x) for x in dict.fromkeys([*topics, topic])],
                value=topic,
                description=t("t2widgets.col_topic", lang),
                layout=widgets.Layout(width="420px"),
            ),
            "day": widgets.BoundedIntText(
                value=int(values.get("day", 1)),
                min=1,
                max=_MAX_DAY,
                description=t("t2widgets.col_day", lang),
                layout=widgets.Layout(width="150px"),
            ),
            "owner": widgets.Dropdown(
                options=option_pairs("owner", dict.fromkeys([*OWNERS, owner]), lang),
                value=owner,
                description=t("t2widgets.col_owner", lang),
            ),
        }
        for w in row.values():
            w.style = _WIDE
        return row, widgets.HBox([remove, *row.values()])

    def offer_copies(self, forms_by_id: Mapping[str, StarterForm]) -> None:
        """The other starters whose steps this form may copy."""
        self.copy_peer = {s: f for s, f in forms_by_id.items() if s != self.starter_id}
        self.copy_from.options = list(self.copy_peer)

    def _copy_clicked(self) -> None:
        if self.copy_from.value in self.copy_peer:
            self.copy(self.copy_peer[self.copy_from.value])

    def copy(self, other: StarterForm) -> None:
        """The steps and go-live day of another starter's form (as shown there), to edit before adopting."""
        self.go_live.value = other.go_live.value
        self.steps.load(other.steps.value)

    def form_data(self) -> dict[str, Any]:
        return forms.induction_data(
            self.starter_id, self.buddy.value, self.trainer.value, self.go_live.value, self.steps.value
        )

    def _adopted_text(self, plan: Induction) -> str:
        return t("t2widgets.induction_adopted", self.lang, starter=plan.starter_id, steps=len(plan.steps))

    def adopt(self) -> Induction | None:
        try:
            plan = self.case.set_induction(self.form_data())
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.status.value = message_html(self._adopted_text(plan), "ok")
        return plan


class InductionPanel(Panel):
    """Tab 3: the starters and the topics, then a form per starter in an accordion (its title ticked once the
    starter's induction is adopted)."""

    def __init__(self, case: T2Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        staff = staff_options(case.world, lang)
        starters = case.starters()
        low, high = case.policy["go_live_days"]
        self.starters = widgets.HTML()
        self.forms: dict[str, StarterForm] = {}
        for record in starters.to_dict("records"):
            form = StarterForm(case, {str(k): v for k, v in record.items()}, staff, lang, int(low))
            self.forms[form.starter_id] = form
            self.when_clicked(form.adopt_button, self.refresh)
        for form in self.forms.values():
            form.offer_copies(self.forms)
        self.accordion = widgets.Accordion(children=[f.widget for f in self.forms.values()])
        self.accordion.add_class("ck-inductions")
        self.widget = widgets.VBox(
            [
                title("t2widgets.starters_heading", lang),
                self.starters,
                title("t2widgets.topics_heading", lang, 4),
                widgets.HTML(message_html(t("t2widgets.topics_hint", lang, low=low, high=high))),
                widgets.HTML(table_html(topics_frame(), lang, counts=("latest_day",))),
                title("t2widgets.inductions_heading", lang),
                self.accordion,
                self.alert,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """The starters' table and the accordion's titles, with who has an induction adopted."""
        starters = self.case.starters()
        columns = ("starter_id", "name", "gender", "role", "team", "shift", "start_date", "week", "planned")
        self.starters.value = table_html(starters, self.lang, columns=columns, counts=("week",))
        names = dict(zip(starters["starter_id"].astype(str), starters["name"].astype(str), strict=True))
        self.accordion.titles = tuple(
            t("t2widgets.starter_title", self.lang, starter=s, name=names.get(s, ""))
            + (" ✓" if s in self.case.induction else "")
            for s in self.forms
        )
