"""The evaluation (P2.4, K9): the three months after the plan, simulated (:meth:`T2Case.simulate`) and marked out
of date when the plan changes; a measure per Kirkpatrick level, the offer whose Phillips ROI the candidate works
out, the ROI they found and their review, adopted as they are edited (:meth:`T2Case.set_evaluation`)."""

from __future__ import annotations

import ipywidgets as widgets

from casekit.cases.t2_training.answer import LEVELS, Evaluation
from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.evaluation import MEASURES, MONTHS, TrainingOutcome
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t2_training import forms
from casekit.widgets.t2_training.outcome import outcome_html, roi_inputs_html
from casekit.widgets.t2_training.render import boxed, left, offer_title, option_pairs, title

__all__ = ["EvaluationPanel"]

_WIDE = {"description_width": "initial"}


class EvaluationPanel(Panel):
    """Tab 5: the simulation and its results, then the evaluation's inputs."""

    def __init__(self, case: T2Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        given = forms.evaluation_fields(case.evaluation)
        world = case.world
        self._offer_of = dict(
            zip(world.training_sessions["session_id"], world.training_sessions["offer_id"], strict=True)
        )
        self._kinds = dict(zip(world.training["offer_id"], world.training["offer_type"], strict=True))
        self._inputs_for: tuple[str, bool] | None = None
        self.simulate_button = widgets.Button(
            description=t("t2widgets.simulate", lang, months=MONTHS), button_style="primary"
        )
        self.when_clicked(self.simulate_button, self.simulate)
        self.sim_status = widgets.HTML(message_html(t("t2widgets.simulate_hint", lang, months=MONTHS)))
        self.results = widgets.HTML()
        measures = [(t("t2widgets.not_chosen", lang), ""), *option_pairs("measure", MEASURES, lang)]
        self.levels = {}
        for level in LEVELS:
            chosen = given["levels"][level]
            kept = [(chosen, chosen)] if chosen and chosen not in MEASURES else []  # the form shows what came
            self.levels[level] = widgets.Dropdown(
                options=[*measures, *kept],
                value=chosen,
                description=t(f"t2widgets.level_{level}", lang),
                style={"description_width": "10em"},
                layout=widgets.Layout(width="520px"),
            )
        self.roi_offer = widgets.Dropdown(
            options=[], description=t("t2widgets.roi_offer", lang), style=_WIDE, layout=widgets.Layout(width="560px")
        )
        self.roi_offer.add_class("ck-roi-offer")
        self.roi_percent = widgets.Text(
            value=given["roi_percent"],
            description=t("t2widgets.roi_percent", lang),
            placeholder=t("t2widgets.roi_percent_hint", lang),
            style=_WIDE,
        )
        self.roi_percent.add_class("ck-roi-percent")
        self.review = widgets.Textarea(
            value=given["review"],
            placeholder=t("t2widgets.review_hint", lang),
            layout=widgets.Layout(width="98%", height="160px"),
        )
        self.inputs = widgets.HTML()
        self.status = widgets.HTML(message_html(t("t2widgets.evaluation_hint", lang)))
        self._offering = False
        self.offer_choices(given["roi_offer"])
        for w in (*self.levels.values(), self.roi_percent, self.review):
            self.when_changed(w, self.adopt)
        self.when_changed(self.roi_offer, self._offer_chosen)
        self.widget = widgets.VBox(
            [
                title("t2widgets.simulation_heading", lang),
                left(self.simulate_button),
                self.sim_status,
                boxed(self.results, "480px"),
                title("t2widgets.kirkpatrick_heading", lang),
                widgets.HTML(message_html(t("t2widgets.kirkpatrick_hint", lang))),
                *self.levels.values(),
                title("t2widgets.roi_heading", lang),
                self.roi_offer,
                boxed(self.inputs, "420px"),
                self.roi_percent,
                title("t2widgets.review_heading", lang, 4),
                self.review,
                self.status,
                self.alert,
            ]
        )
        if case.outcome is not None:
            self._show(case.outcome)
        else:
            self.show_inputs()
        if case.evaluation != Evaluation():
            self.status.value = message_html(t("t2widgets.evaluation_adopted", lang), "ok")

    # ------------------------------------------------------------------------------------------ simulation
    def simulate(self) -> TrainingOutcome | None:
        try:
            outcome = self.case.simulate()
        except CasekitError as exc:
            self.sim_status.value = problems_html(exc, self.lang)
            return None
        self._show(outcome)
        return outcome

    def _show(self, outcome: TrainingOutcome) -> None:
        self.results.value = outcome_html(outcome, self.lang)
        self._inputs_for = None
        self.plan_changed()

    def plan_changed(self) -> None:
        """A plan listener: the offers the ROI may be of are the plan's, and months of another plan are out of date."""
        self.offer_choices(self.roi_offer.value)
        case = self.case
        if case.outcome is None:
            return
        current = case.outcome_is_current
        key = "t2widgets.simulated" if current else "t2widgets.simulation_stale"
        self.sim_status.value = message_html(t(key, self.lang, months=MONTHS), "ok" if current else "warn")
        if self._inputs_for != (self.roi_offer.value, current):
            self.show_inputs()

    def offer_choices(self, chosen: str | None) -> None:
        """The offers booked in the plan (vendor courses first), keeping the one chosen."""
        world = self.case.world
        booked = sorted({self._offer_of.get(x, x) for _, x in self.case.rows})
        booked.sort(key=lambda o: self._kinds.get(o) != "vendor_course")
        if chosen and chosen not in booked:
            booked.append(chosen)
        options = [
            (t("t2widgets.not_chosen", self.lang), ""),
            *((f"{o} {offer_title(world, o, self.lang)}", o) for o in booked),
        ]
        if list(self.roi_offer.options) == options:
            return
        self._offering = True
        try:
            self.roi_offer.options = options
            self.roi_offer.value = chosen or ""
        finally:
            self._offering = False

    def _offer_chosen(self) -> None:
        if self._offering:
            return
        self.show_inputs()
        self.adopt()

    def show_inputs(self) -> None:
        """The ROI inputs of the offer chosen, from the months simulated for the plan now."""
        offer, case = self.roi_offer.value, self.case
        self._inputs_for = (offer, case.outcome_is_current)
        if not offer:
            self.inputs.value = message_html(t("t2widgets.roi_choose", self.lang))
        elif case.outcome is None or not case.outcome_is_current:
            self.inputs.value = message_html(t("t2widgets.roi_simulate_first", self.lang, months=MONTHS), "warn")
        else:
            self.inputs.value = roi_inputs_html(case, case.outcome, offer, self.lang)

    # ----------------------------------------------------------------------------------------- evaluation
    def form_data(self) -> dict[str, object]:
        levels = {level: str(w.value or "") for level, w in self.levels.items()}
        return forms.evaluation_data(levels, self.roi_offer.value, self.roi_percent.value, self.review.value)

    def adopt(self) -> Evaluation | None:
        try:
            evaluation = self.case.set_evaluation(self.form_data())
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.status.value = message_html(t("t2widgets.evaluation_adopted", self.lang), "ok")
        return evaluation
