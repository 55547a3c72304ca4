"""The live preview: what the adopted scheme would have paid over the world's months, re-rendered on each change.

Fast enough to follow every edit: the case caches the KPI tables, so a preview is one vectorised payout run.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.evidence import cost_chart
from casekit.cases.t4_incentives.payout import PayoutResult, explain
from casekit.errors import CasekitError
from casekit.html import bar_chart, esc, histogram
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t4_incentives.render import table_html

__all__ = ["PreviewPanel", "role_table"]

_WIDE = {"description_width": "initial"}
_SIDEWAYS = "max-width:100%;overflow-x:auto"


def role_table(summary: dict[str, Any]) -> pd.DataFrame:
    """Per role: people-months, mean, median and max payout, from :meth:`T4Case.preview_summary`."""
    by_role: pd.DataFrame = summary["by_role"]
    frame = by_role[["count", "mean", "50%", "max"]].rename(columns={"50%": "median"})
    return frame.rename_axis("role").reset_index()


class PreviewPanel(Panel):
    """Shows ``case.preview()``: payout per role, cost per period against the budget, the distribution, and one
    person's payout explained line by line."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.result: PayoutResult | None = None
        self.summary: dict[str, Any] | None = None
        self.html = widgets.HTML()
        self.staff = widgets.Dropdown(
            description=t("widgets.explain_staff", lang), style=_WIDE, layout=widgets.Layout(max_width="100%")
        )
        self.period = widgets.Dropdown(
            description=t("widgets.explain_period", lang), style=_WIDE, layout=widgets.Layout(width="auto")
        )
        self.explanation = widgets.HTML()
        self.when_changed(self.staff, self.explain)
        self.when_changed(self.period, self.explain)
        self._explain_box = widgets.VBox(
            [
                widgets.HTML(f"<h4>{esc(t('widgets.explain_heading', lang))}</h4>"),
                widgets.HBox([self.staff, self.period], layout=widgets.Layout(flex_flow="row wrap")),
                self.explanation,
            ]
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.preview_heading', lang))}</h3>"),
                self.html,
                self._explain_box,
                self.alert,
            ]
        )
        self.widget.add_class("ck-preview")
        self.refresh()

    def refresh(self, _scheme: Any = None) -> None:
        """Recompute the preview of the case's scheme (a scheme listener: the argument is not needed)."""
        if self.case.scheme is None:
            self.result = self.summary = None
            self.html.value = message_html(t("widgets.preview_none", self.lang))
            self._explain_box.layout.display = "none"
            return
        try:
            self.result = self.case.preview()
        except CasekitError as exc:
            self.html.value = problems_html(exc, self.lang)
            return
        self.summary = self.case.preview_summary(self.result)
        self.html.value = self._render(self.result, self.summary)
        self._explain_box.layout.display = None
        self._update_choices(self.result)

    def explain(self) -> None:
        if self.result is None or self.staff.value is None or self.period.value is None:
            self.explanation.value = ""
            return
        lines = explain(self.result, self.staff.value, self.period.value, self.lang)
        items = "".join(
            f"<li>{esc(line.strip())}</li>" if line.startswith("  ") else f"<li><b>{esc(line)}</b></li>"
            for line in lines
        )
        self.explanation.value = f"<ul>{items}</ul>" if items else message_html(t("html.no_rows", self.lang))

    def _update_choices(self, result: PayoutResult) -> None:
        people = result.people
        staff = [
            (f"{sid} ({t(f'evidence.role_{role}', self.lang)}, {team})", sid)
            for sid, role, team in people[["staff_id", "role", "team"]]
            .drop_duplicates("staff_id")
            .itertuples(index=False)
        ]
        periods = sorted(people["period"].unique())
        ids = [sid for _, sid in staff]
        keep_staff, keep_period = self.staff.value, self.period.value
        self.staff.options = staff
        self.period.options = periods
        # keep the person and month being looked at; else the first (a dropdown left empty explains nothing)
        self.staff.value = keep_staff if keep_staff in ids else (ids[0] if ids else None)
        self.period.value = keep_period if keep_period in periods else (periods[-1] if periods else None)
        self.explain()

    def _render(self, result: PayoutResult, summary: dict[str, Any]) -> str:
        lang = self.lang
        ok = summary["within_budget"]
        line = t(
            "widgets.preview_cost",
            lang,
            cost=f"{summary['cost_per_period']:,.0f}",
            budget=f"{summary['budget_per_period']:,.0f}",
            share=f"{summary['share_paid']:.0%}",
        )
        verdict = t("widgets.within_budget" if ok else "widgets.over_budget", lang)
        head = message_html(f"{line} {verdict}", "ok" if ok else "warn")
        roles = table_html(role_table(summary), lang)
        chart = cost_chart(result.periods, result.budget_per_period, t("widgets.chart_cost", lang))
        labels, counts = histogram(result.people["total"].tolist())
        dist_chart = bar_chart(labels, counts, title=t("widgets.chart_distribution", lang))
        # the charts are drawn 560 px wide: in a narrower column they scroll sideways rather than run past it
        heading = f"<h4>{esc(t('widgets.by_role', lang))}</h4>"
        wide = f'<div style="{_SIDEWAYS}">{roles}</div><div style="{_SIDEWAYS}">{chart}{dist_chart}</div>'
        return f"{head}{heading}{wide}"
