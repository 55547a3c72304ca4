"""The panel's ratings and the selection: the ratings of the kit adopted, panel scores without the raters left out
(:meth:`T1Case.panel`), the disagreements, the reliability (:meth:`T1Case.reliability`), each rater's scores by
group (:meth:`T1Case.rater_bias`), the applicants chosen with the adverse-impact tables for them
(:meth:`T1Case.adverse_impact`), adopted by :meth:`T1Case.select`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, get_args

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t1_recruitment.answer import Reported
from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.selection import small_sample_caution
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count, format_number
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t1_recruitment.render import group_format, table_html, title

__all__ = ["BY", "ICC_FORMS", "SelectionPanel", "ratings_summary"]

ICC_FORMS: tuple[str, ...] = get_args(Reported.model_fields["icc_form"].annotation)
#: the applicants' columns the rater-bias and adverse-impact tools group by
BY = ("gender", "age_band")
_PANEL_COLUMNS = ("rank", "applicant_id", "name", "gender", "age_band", "experience_months", "education", "score")


def ratings_summary(ratings: pd.DataFrame) -> pd.DataFrame:
    """Per rater: how many ratings, their mean and spread."""
    grouped = ratings.groupby("rater")["score"]
    return (
        pd.DataFrame({"ratings": grouped.size(), "mean_score": grouped.mean(), "sd": grouped.std()})
        .rename_axis("rater")
        .reset_index()
    )


class SelectionPanel(Panel):
    """Tab 3: every tool re-renders when the raters left out change, the kit changes, or the chosen applicants
    change; the selection is adopted by its button."""

    def __init__(self, case: T1Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._shown_for: tuple[Any, ...] | None = None
        self._impact_for: frozenset[str] | None = None
        self._offering = False
        wide = {"description_width": "initial"}
        self.exclude = widgets.SelectMultiple(
            options=[], rows=3, description=t("t1widgets.exclude_raters", lang), style=wide
        )
        self.form = widgets.Dropdown(
            options=list(ICC_FORMS), value="ICC(2,1)", description=t("t1widgets.icc_form", lang), style=wide
        )
        self.bias_by = widgets.Dropdown(
            options=[(t(f"t1widgets.by_{b}", lang), b) for b in BY],
            description=t("t1widgets.bias_by", lang),
            style=wide,
        )
        self.applicants = widgets.SelectMultiple(
            options=[],
            rows=12,
            description=t("t1widgets.applicants", lang),
            style=wide,
            layout=widgets.Layout(width="95%"),
        )
        self.top_button = widgets.Button(
            description=t("t1widgets.select_top", lang), layout=widgets.Layout(width="auto")
        )
        self.select_button = widgets.Button(
            description=t("t1widgets.adopt_selection", lang),
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.applicants.add_class("ck-applicants")
        self.exclude.add_class("ck-exclude-raters")
        self.summary = widgets.HTML()
        self.scores = widgets.HTML()
        self.disagreements = widgets.HTML()
        self.reliability = widgets.HTML()
        self.bias = widgets.HTML()
        self.count = widgets.HTML()
        self.impact = widgets.HTML()
        self.status = widgets.HTML()
        self.when_changed(self.exclude, self._excluded)
        self.when_changed(self.form, self.show_reliability)
        self.when_changed(self.bias_by, self.show_bias)
        self.when_changed(self.applicants, self.show_impact)
        self.when_clicked(self.top_button, self.select_top)
        self.when_clicked(self.select_button, self.adopt)
        lang = self.lang
        self.no_kit = widgets.HTML(message_html(t("t1widgets.no_kit_yet", lang)))
        self.tools = widgets.VBox(
            [
                self.summary,
                title("t1widgets.reliability", lang, 4),
                self.form,
                self.reliability,
                title("t1widgets.disagreements", lang, 4),
                self.disagreements,
                title("t1widgets.rater_bias", lang, 4),
                self.bias_by,
                self.bias,
                title("t1widgets.panel_scores", lang, 4),
                self.exclude,
                self.scores,
                title("t1widgets.choose", lang, 4),
                self.applicants,
                widgets.HBox([self.top_button, self.select_button]),
                self.count,
                self.impact,
                self.status,
            ]
        )
        #: whether the candidate has the tab open (the app says); the tools render only then, when they changed
        self.visible = False
        self.widget = widgets.VBox([title("t1widgets.selection_heading", lang), self.no_kit, self.tools, self.alert])
        self.kit_changed()

    # ------------------------------------------------------------------------------------------------ refresh
    def set_visible(self, visible: bool) -> None:
        """The app's tab listener: render the tools when the tab opens, if the kit changed meanwhile."""
        self.visible = visible
        if visible:
            self.kit_changed()

    def kit_changed(self, *_kit: Any) -> None:
        """A kit listener: the ratings are those of the kit adopted; nothing to show before there is one. The tools
        re-render only when the questions' competencies or weights changed (not on every keystroke of a text), and
        only while the tab is open (else when it opens)."""
        case = self.case
        has_kit = bool(case.kit)
        self.no_kit.layout.display = "none" if has_kit else None
        self.tools.layout.display = None if has_kit else "none"
        key = (tuple(q.competency for q in case.kit), tuple(case.weights.items()))
        if not has_kit or key == self._shown_for or not self.visible:
            return
        self._shown_for = key
        raters = sorted(str(r) for r in case.ratings()["rater"].unique())
        kept = tuple(r for r in (self.exclude.value or case.excluded_raters) if r in raters)
        self._offering = True  # the raters offered anew: one refresh below, not one per step
        try:
            self.exclude.options = raters
            self.exclude.value = kept
        finally:
            self._offering = False
        self.summary.value = self._summary_html()
        self.show_reliability()
        self.show_disagreements()
        self.show_bias()
        self.refresh()
        if case.selected:
            self.status.value = message_html(self._selected_text(case.selected), "ok")

    def _summary_html(self) -> str:
        ratings = self.case.ratings()
        line = t(
            "t1widgets.ratings_summary",
            self.lang,
            ratings=format_count(len(ratings)),
            applicants=format_count(ratings["applicant_id"].nunique()),
            questions=format_count(ratings["question_id"].nunique()),
            raters=format_count(ratings["rater"].nunique()),
        )
        table = table_html(ratings_summary(ratings), self.lang, counts=("ratings",), numbers={"mean_score": 2, "sd": 2})
        return message_html(line) + table

    def show_reliability(self) -> None:
        result = self.case.reliability(self.form.value)
        self.reliability.value = message_html(result.explain(self.lang))

    def show_disagreements(self) -> None:
        table = self.case.disagreements()
        line = t("t1widgets.disagreements_count", self.lang, n=format_count(len(table)))
        self.disagreements.value = message_html(line) + table_html(table, self.lang, counts=("low", "high", "spread"))

    def show_bias(self) -> None:
        table = self.case.rater_bias(self.bias_by.value)
        numbers = {"mean_score": 2, "others_mean": 2, "difference": 2}
        formats = {"group": group_format(self.bias_by.value, self.lang)}
        self.bias.value = table_html(table, self.lang, numbers=numbers, formats=formats)

    def _excluded(self) -> None:
        if not self._offering:
            self.refresh()

    def panel_table(self) -> pd.DataFrame:
        scores = self.case.panel(list(self.exclude.value))
        return scores.assign(rank=range(1, len(scores) + 1))

    def refresh(self) -> None:
        """The panel scores without the raters left out, and the applicants offered in that order."""
        scores = self.panel_table()
        columns = [c for c in _PANEL_COLUMNS if c in scores.columns]
        self.scores.value = table_html(
            scores, self.lang, columns=columns, counts=("rank", "experience_months"), numbers={"score": 2}
        )
        chosen = set(self.applicants.value) or set(self.case.selected)
        self._offering = True  # the options change the value twice on the way: one impact at the end
        try:
            self.applicants.options = [
                (f"{r.rank}. {r.applicant_id} {r.name} ({format_number(r.score, 2)})", str(r.applicant_id))
                for r in scores.itertuples()
            ]
            self.applicants.value = tuple(str(r.applicant_id) for r in scores.itertuples() if r.applicant_id in chosen)
        finally:
            self._offering = False
        self.show_impact()

    # ------------------------------------------------------------------------------------------- the selection
    def select_top(self) -> None:
        """Choose the case's number of places from the top of the panel scores."""
        top = self.panel_table()["applicant_id"].head(self.case.places)
        self.applicants.value = tuple(str(a) for a in top)

    def chosen(self) -> list[str]:
        """The applicants chosen, in panel-score order."""
        order = {value: i for i, (_, value) in enumerate(self.applicants.options)}
        return sorted(self.applicants.value, key=lambda a: order.get(a, len(order)))

    def show_impact(self) -> None:
        """How many are chosen, and the adverse-impact tables for them (again only when they changed)."""
        if self._offering:
            return
        chosen = self.chosen()
        n, places = len(chosen), self.case.places
        kind = "ok" if n == places else "warn"
        self.count.value = message_html(t("t1widgets.chosen", self.lang, n=n, places=places), kind)
        if frozenset(chosen) == self._impact_for:
            return
        self._impact_for = frozenset(chosen)
        if not chosen:
            self.impact.value = ""
            return
        parts = [message_html(small_sample_caution(self.lang))]
        for by in BY:
            table = self.case.adverse_impact(by, chosen)
            parts.append(f"<h4>{esc(t(f't1widgets.impact_{by}', self.lang))}</h4>")
            parts.append(
                table_html(
                    table,
                    self.lang,
                    shares=("rate",),
                    counts=("applicants", "selected"),
                    numbers={"ratio": 2, "fisher_p": 3},
                    formats={"group": group_format(by, self.lang)},
                )
            )
        self.impact.value = "".join(parts)

    def _selected_text(self, selected: Sequence[str]) -> str:
        excluded = ", ".join(self.case.excluded_raters) or t("t1widgets.none", self.lang)
        return t("t1widgets.selected", self.lang, n=len(selected), places=self.case.places, excluded=excluded)

    def adopt(self) -> list[str] | None:
        try:
            selected = self.case.select(self.chosen(), list(self.exclude.value))
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        kind = "ok" if len(selected) == self.case.places else "warn"
        self.status.value = message_html(self._selected_text(selected), kind)
        return selected
