"""Tab 5, the appraisal (P3.3): closed until every member has agreed every KPI of their role's set; then the review
period's result of every agreed target, each member's KPI history against their target drawn, the rating the data
gives beside the candidate's own rating and comment (:meth:`T3Case.set_appraisal`), and the development plans and
recognition (:mod:`~casekit.widgets.t3_performance.development`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t3_performance.appraisal import RATINGS
from casekit.cases.t3_performance.case import T3Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_share
from casekit.widgets.panel import Panel
from casekit.widgets.render import column_formats, message_html, problems_html
from casekit.widgets.t3_performance.charts import history_svg
from casekit.widgets.t3_performance.development import DevelopmentPanel
from casekit.widgets.t3_performance.render import (
    boxed,
    kpi_texts,
    member_choice,
    records,
    role_label,
    table_html,
    title,
    with_names,
)

__all__ = ["AppraisalPanel", "charts_html", "computed_html", "results_html"]

_WIDE = {"description_width": "initial"}
#: the rating dropdown's "not rated yet"
NOT_RATED = 0


def results_html(case: T3Case, lang: str) -> str:
    """Every agreed target against the review period's result: met, exceeded, the shortfall."""
    found = case.results()
    shown = with_names(kpi_texts(found, ["target", "actual"]), case.world.members)
    met = int(found["met"].sum())
    line = t("t3widgets.results_line", lang, met=met, n=len(found), share=format_share(met / max(len(found), 1), 0))
    return message_html(line) + table_html(shown, lang, formats=column_formats(lang, shares=("shortfall",)))


def computed_html(rated: Mapping[str, Any] | None, lang: str) -> str:
    """The rating the data gives one member (the ratings row), with the figures behind it."""
    if rated is None:
        return message_html(t("t3widgets.not_rated_by_data", lang))
    rating = int(rated["rating"])
    text = t(
        "t3widgets.computed_rating",
        lang,
        rating=rating,
        label=t(f"t3widgets.rating_{RATINGS[rating]}", lang),
        met=int(rated["met"]),
        kpis=int(rated["kpis"]),
        exceeded=int(rated["exceeded"]),
    )
    return f'<span class="ck-t3-computed" data-rating="{rating}" style="font-size:12px">{esc(text)}</span>'


def charts_html(history: pd.DataFrame, results: pd.DataFrame, months: Sequence[str], lang: str) -> str:
    """One member's KPIs, a chart each (``history``: their ``month, kpi, value``; ``results``: their rows of
    :meth:`T3Case.results`): the history by month, the review period's result and the agreed target."""
    charts = []
    for kpi, target, actual in zip(results["kpi"], results["target"], results["actual"], strict=True):
        monthly = history[history["kpi"] == kpi].sort_values("month")
        charts.append(history_svg(monthly, str(kpi), float(target), float(actual), months, lang))
    if not charts:
        return message_html(t("t3widgets.no_results", lang))
    return '<div style="display:flex;flex-wrap:wrap;gap:8px">' + "".join(charts) + "</div>"


class AppraisalPanel(Panel):
    """Tab 5: closed, or the results, the charts, the ratings, then development and recognition."""

    def __init__(self, case: T3Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        members = case.members()
        self.members = members
        self._histories: dict[str, pd.DataFrame] | None = None
        self.closed = widgets.HTML()
        self.closed.add_class("ck-t3-appraisal-closed")
        self.results = widgets.HTML()
        self.results.add_class("ck-t3-results")
        self.member = member_choice(members, lang, "ck-t3-chart-member")
        self.charts = widgets.HTML()
        self.charts.add_class("ck-t3-charts")
        self.when_changed(self.member, self.show_charts)
        choices = [(t("t3widgets.not_rated", lang), NOT_RATED)]
        choices += [(f"{r} · {t(f't3widgets.rating_{name}', lang)}", r) for r, name in RATINGS.items()]
        self.ratings: dict[str, widgets.Dropdown] = {}
        self.comments: dict[str, widgets.Text] = {}
        self.computed: dict[str, widgets.HTML] = {}
        rows = []
        for staff_id, name, role in zip(members["staff_id"], members["name"], members["role"], strict=True):
            s = str(staff_id)
            given = case.appraisal.get(s)
            self.ratings[s] = widgets.Dropdown(
                options=choices, value=given.rating if given else NOT_RATED, layout=widgets.Layout(width="170px")
            )
            self.comments[s] = widgets.Text(
                value=given.comment if given else "",
                placeholder=t("t3widgets.rating_comment_hint", lang),
                layout=widgets.Layout(width="360px"),
            )
            self.computed[s] = widgets.HTML()
            for w in (self.ratings[s], self.comments[s]):
                self.when_changed(w, self.adopt)
            who = widgets.HTML(
                f"<span style='font-size:12px'>{esc(s)} {esc(name)} · {esc(role_label(str(role), lang))}</span>",
                layout=widgets.Layout(width="300px"),
            )
            box = widgets.HBox([who, self.computed[s], self.ratings[s], self.comments[s]])
            box.add_class("ck-t3-rating-row")
            rows.append(box)
        self.ratings_box = widgets.VBox(rows)
        self.status = widgets.HTML(message_html(t("t3widgets.ratings_hint", lang)))
        self.status.add_class("ck-t3-ratings-status")
        self.development = DevelopmentPanel(case, lang)
        self.content = widgets.VBox(
            [
                title("t3widgets.results_heading", lang),
                boxed(self.results, "360px"),
                title("t3widgets.charts_heading", lang, 4),
                widgets.HTML(message_html(t("t3widgets.charts_hint", lang))),
                self.member,
                self.charts,
                title("t3widgets.ratings_heading", lang),
                boxed(self.ratings_box, "420px"),
                self.status,
                self.development.widget,
            ]
        )
        self.widget = widgets.VBox([title("t3widgets.appraisal_heading", lang), self.closed, self.content, self.alert])
        self.agreements_changed()
        if case.appraisal:
            self.status.value = message_html(t("t3widgets.ratings_adopted", lang, n=len(case.appraisal)), "ok")

    def agreements_changed(self) -> None:
        """An agreements listener (and a KPI-set one): open or close the appraisal, and show its figures again."""
        case, lang = self.case, self.lang
        if not case.appraisal_open():
            missing = len(case.missing_agreements()) if case.kpi_sets else 0
            key = "t3widgets.appraisal_closed_missing" if missing else "t3widgets.appraisal_closed"
            self.closed.value = message_html(t(key, lang, n=missing), "warn")
            self.content.layout.display = "none"
            return
        self.closed.value = message_html(t("t3widgets.appraisal_open", lang), "ok")
        self.content.layout.display = None
        self.results.value = results_html(case, lang)
        rated = {str(r["staff_id"]): r for r in records(case.ratings())}
        for s, shown in self.computed.items():
            shown.value = computed_html(rated.get(s), lang)
        self.show_charts()
        self.development.refresh()

    def show_charts(self) -> None:
        if self.member.value is None or not self.case.appraisal_open():
            self.charts.value = ""
            return
        staff_id = str(self.member.value)
        if self._histories is None:  # the world's: grouped once
            self._histories = {str(s): g for s, g in self.case.history().groupby("staff_id")}
        found = self.case.results()
        mine = self._histories.get(staff_id, self.case.history().head(0))
        months = self.case.calendar().period_months
        self.charts.value = charts_html(mine, found[found["staff_id"] == staff_id], months, self.lang)

    def form_data(self) -> list[dict[str, object]]:
        """The ratings on the form: every member rated, with the comment."""
        return [
            {"staff_id": s, "rating": int(w.value), "comment": self.comments[s].value.strip()}
            for s, w in self.ratings.items()
            if w.value != NOT_RATED
        ]

    def adopt(self) -> None:
        try:
            rated = self.case.set_appraisal(self.form_data())
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return
        left = len(self.ratings) - len(rated)
        text = t("t3widgets.ratings_adopted", self.lang, n=len(rated))
        if left:
            text += " " + t("t3widgets.ratings_left", self.lang, n=left)
        self.status.value = message_html(text, "warn" if left else "ok")
