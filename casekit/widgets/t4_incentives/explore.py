"""Exploring the world before designing: KPI tables per person, team or month, and a chart of one KPI."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t4_incentives.case import T4Case
from casekit.html import bar_chart, esc
from casekit.i18n import t
from casekit.kpi import KPI_COLUMNS, format_kpi, kpi_scale
from casekit.widgets.panel import Panel
from casekit.widgets.t4_incentives.render import table_html

__all__ = ["GROUPINGS", "ExplorePanel"]

GROUPINGS = ("team", "staff", "month", "team_month")
_SCROLL = "max-height:460px;overflow:auto"


class ExplorePanel(Panel):
    """Dropdowns for the grouping and the charted KPI over ``case.explore(by)``."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.table: pd.DataFrame | None = None
        style = {"description_width": "initial"}
        self.by = widgets.Dropdown(
            options=[(t(f"widgets.by_{g}", lang), g) for g in GROUPINGS],
            value="team",
            description=t("widgets.group_by", lang),
            style=style,
        )
        self.kpi = widgets.Dropdown(
            options=[(t(f"kpi.{k}", lang), k) for k in KPI_COLUMNS],
            value="qa",
            description=t("widgets.chart_kpi", lang),
            style=style,
        )
        self.chart = widgets.HTML()
        self.html = widgets.HTML()
        self.when_changed(self.by, self.refresh)
        self.when_changed(self.kpi, self.render_chart)
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.explore_heading', lang))}</h3>"),
                widgets.HBox([self.by, self.kpi]),
                self.chart,
                self.html,
                self.alert,
            ]
        )
        self.refresh()

    def refresh(self) -> None:
        """Recompute the table for the grouping chosen, then the chart."""
        table = self.case.explore(self.by.value)
        self.table = table
        formats = {k: (lambda v, k=k: format_kpi(k, v)) for k in table.columns}
        self.html.value = f'<div style="{_SCROLL}">{table_html(table, self.lang, index=True, formats=formats)}</div>'
        self.render_chart()

    def render_chart(self) -> None:
        if self.table is None:
            return
        kpi = self.kpi.value
        factor, unit = kpi_scale(kpi)
        labels = [" ".join(map(str, i)) if isinstance(i, tuple) else str(i) for i in self.table.index]
        values = [0.0 if v != v else factor * float(v) for v in self.table[kpi]]
        title = t("widgets.chart_explore", self.lang, kpi=t(f"kpi.{kpi}", self.lang), by=self.by.label)
        svg = bar_chart(labels, values, title=title, unit=unit)
        self.chart.value = f'<div style="{_SCROLL}">{svg}</div>'
