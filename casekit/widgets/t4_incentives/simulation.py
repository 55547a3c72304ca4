"""The simulation: run the adopted scheme for three simulated months and show the effectiveness review (P4.3)."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.evidence import cost_chart
from casekit.cases.t4_incentives.review import Review
from casekit.cases.t4_incentives.scheme import Scheme
from casekit.errors import CasekitError
from casekit.html import bar_chart, esc
from casekit.i18n import t
from casekit.kpi import format_kpi
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t4_incentives.render import table_html

__all__ = ["MONTHS", "SimulationPanel"]

MONTHS = 3


def _pct(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{float(value):+.1%}"


class SimulationPanel(Panel):
    """A button that runs ``case.simulate()`` and the review it returns: KPIs before and under the scheme, cost
    against the budget, and the review's findings."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.review: Review | None = None
        self.run_button = widgets.Button(
            description=t("widgets.simulate", lang, months=MONTHS),
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.when_clicked(self.run_button, self.run)
        self.status = widgets.HTML(message_html(t("widgets.simulate_hint", lang)))
        self.html = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.simulation_heading', lang))}</h3>"),
                self.run_button,
                self.status,
                self.html,
                self.alert,
            ]
        )

    def run(self) -> Review | None:
        try:
            review = self.case.simulate(MONTHS)
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.review = review
        self.status.value = message_html(
            t("widgets.simulated", self.lang, start=review.scheme_period[0], end=review.scheme_period[1]), "ok"
        )
        self.html.value = self._render(review)
        return review

    def scheme_changed(self, scheme: Scheme) -> None:
        """A scheme listener: a review of another scheme is out of date until the simulation runs again."""
        if self.case.review is not None and not self.case.review_is_current:
            self.status.value = message_html(t("widgets.simulation_stale", self.lang), "warn")

    def _render(self, review: Review) -> str:
        lang = self.lang
        k = review.kpis
        shown = pd.DataFrame(
            {
                "kpi": k["kpi"],
                "paid": k["paid"],
                "baseline": [format_kpi(kpi, v) for kpi, v in zip(k["kpi"], k["baseline"], strict=True)],
                "scheme": [format_kpi(kpi, v) for kpi, v in zip(k["kpi"], k["scheme"], strict=True)],
                "change": [_pct(v) for v in k["change"]],
            }
        )
        table = table_html(shown, lang)
        change_chart = bar_chart(
            [t(f"kpi.{x}", lang) for x in k["kpi"]],
            [0.0 if v is None or v != v else 100 * float(v) for v in k["change"]],
            title=t("widgets.chart_change", lang),
            unit="%",
        )
        cost = review.cost
        line = t(
            "widgets.sim_cost",
            lang,
            cost=f"{cost['total']:,.0f}",
            budget=f"{cost['budget']:,.0f}",
            variance=f"{cost['variance']:+,.0f}",
            pct=f"{cost['variance_pct']:+.1%}",
        )
        cost_html = message_html(line, "ok" if cost["within_budget"] else "warn")
        periods = review.cost_periods
        budget = float(periods["budget"].iloc[0]) if len(periods) else None
        chart = cost_chart(periods, budget, t("widgets.chart_cost", lang))
        findings = "".join(f"<li>{esc(text)}</li>" for text in review.render(lang))
        return (
            f"<h4>{esc(t('widgets.kpi_heading', lang))}</h4>{table}{change_chart}"
            f"<h4>{esc(t('widgets.cost_heading', lang))}</h4>{cost_html}{chart}"
            f"<h4>{esc(t('widgets.findings_heading', lang))}</h4><ul>{findings}</ul>"
        )
