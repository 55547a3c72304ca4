"""Turnover (N4): the separation rates per month, the annual rate by the method chosen, early-tenure attrition and
the cost of a leaver, the crosstab and drivers tools; the candidate's figures
(:meth:`T1Case.set_turnover_figures`) and the drivers they name (:meth:`T1Case.set_drivers`)."""

from __future__ import annotations

from typing import get_args

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t1_recruitment.answer import Reported
from casekit.cases.t1_recruitment.case import T1Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count, format_money, format_share
from casekit.scenario.catalogs import EXIT_FACTORS
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.row_list import Field, RowList
from casekit.widgets.t1_recruitment import forms
from casekit.widgets.t1_recruitment.render import (
    SHIFTS,
    field_table,
    left,
    option_pairs,
    table_html,
    title,
    value_label,
)

__all__ = ["CROSS_BY", "METHODS", "TurnoverPanel", "scopes"]

METHODS: tuple[str, ...] = get_args(Reported.model_fields["turnover_method"].annotation)
#: what the crosstab's columns can be (its rows are the exit factors)
CROSS_BY = ("team", "shift", "tenure_band", "role")
_WIDE = {"description_width": "16em"}


def scopes(case: T1Case) -> list[str]:
    """Where a driver or an action can be: everyone, a team, a shift."""
    teams = sorted({str(x) for x in case.world.staff["team"].dropna() if str(x)})
    return ["all", *(f"team:{team}" for team in teams), *(f"shift:{s}" for s in SHIFTS)]


class TurnoverPanel(Panel):
    """Tab 4: the tools' tables, then the candidate's figures and drivers."""

    def __init__(self, case: T1Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.rates = widgets.HTML(self._rates_html())
        self.method = widgets.Dropdown(
            options=option_pairs("method", METHODS, lang),
            value=case.turnover_method,
            description=t("t1widgets.method", lang),
            style=_WIDE,
        )
        self.annual = widgets.HTML()
        self.when_changed(self.method, self.show_annual)
        self.facts = widgets.HTML(self._facts_html())
        self.cross_by = widgets.Dropdown(
            options=[(t(f"t1widgets.cross_{c}", lang), c) for c in CROSS_BY],
            description=t("t1widgets.cross_by", lang),
            style=_WIDE,
        )
        self.crosstab = widgets.HTML()
        self.when_changed(self.cross_by, self.show_crosstab)
        self.drivers_button = widgets.Button(
            description=t("t1widgets.find_drivers", lang), layout=widgets.Layout(width="auto")
        )
        self.found = widgets.HTML()
        self.when_clicked(self.drivers_button, self.show_drivers)
        self.figures = {
            name: widgets.Text(
                value=self._figure_text(name, pct), description=t(f"t1widgets.figure_{name}", lang), style=_WIDE
            )
            for name, pct in forms.FIGURES.items()
        }
        self.record_button = widgets.Button(
            description=t("t1widgets.record_figures", lang), button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.record_button, self.record)
        self.figures_status = widgets.HTML(message_html(t("t1widgets.figures_hint", lang)))
        if case.turnover_figures:
            self.figures_status.value = message_html(t("t1widgets.figures_recorded", lang), "ok")
        choices = tuple(option_pairs("factor", EXIT_FACTORS, lang))
        self.drivers = RowList(
            [
                Field("factor", t("t1widgets.col_factor", lang), EXIT_FACTORS[0], choices, width="300px"),
                Field(
                    "scope",
                    t("t1widgets.col_scope", lang),
                    "all",
                    tuple(option_pairs("scope", scopes(case), lang)),
                    width="300px",
                ),
            ],
            lang,
            t("t1widgets.add_driver", lang),
        )
        self.drivers.add_button.layout.align_self = "flex-start"
        self.drivers.load([{"factor": d.factor, "scope": d.scope} for d in case.drivers])
        self.drivers.on_change(self.guard(self.adopt_drivers))
        self.drivers_status = widgets.HTML(message_html(t("t1widgets.drivers_hint", lang)))
        self.widget = widgets.VBox(
            [
                title("t1widgets.rates_heading", lang),
                self.rates,
                self.method,
                self.annual,
                self.facts,
                title("t1widgets.crosstab_heading", lang),
                self.cross_by,
                self.crosstab,
                left(self.drivers_button),
                self.found,
                title("t1widgets.figures_heading", lang),
                *self.figures.values(),
                left(self.record_button),
                self.figures_status,
                title("t1widgets.drivers_heading", lang),
                self.drivers.widget,
                self.drivers_status,
                self.alert,
            ]
        )
        self.show_annual()
        self.show_crosstab()

    # ------------------------------------------------------------------------------------------------ the tools
    def _rates_html(self) -> str:
        return table_html(
            self.case.separation_rates,
            self.lang,
            shares=("rate", "voluntary_rate", "involuntary_rate"),
            counts=("leavers", "voluntary", "involuntary", "headcount_mid"),
        )

    def show_annual(self) -> None:
        method = self.method.value
        value = self.case.annual_turnover(method)
        label = value_label("method", method, self.lang) or method
        self.annual.value = message_html(t("t1widgets.annual", self.lang, method=label, rate=format_share(value, 2)))

    def _facts_html(self) -> str:
        lang, early, cost = self.lang, self.case.early_tenure(), self.case.turnover_cost()
        rows = [
            ("t1widgets.early_hires", format_count(early.hires)),
            ("t1widgets.early_leavers", format_count(early.early_leavers)),
            (
                "t1widgets.early_rate",
                t("t1widgets.early_rate_value", lang, rate=format_share(early.rate, 2), days=early.days),
            ),
            ("t1widgets.early_cohort", f"{early.cohort_first.isoformat()} – {early.cohort_last.isoformat()}"),
            ("t1widgets.cost_leavers", format_count(cost.leavers)),
            ("t1widgets.cost_per_leaver", format_money(cost.per_leaver, lang)),
            ("t1widgets.cost_total", format_money(cost.total, lang)),
            ("t1widgets.cost_share", format_share(cost.share_of_annual_pay)),
        ]
        parts = pd.DataFrame({"component": list(cost.components), "amount": list(cost.components.values())})
        return (
            f"<h4>{esc(t('t1widgets.early_heading', lang))}</h4>{field_table(rows[:4], lang)}"
            f"<h4>{esc(t('t1widgets.cost_heading', lang))}</h4>{field_table(rows[4:], lang)}"
            + table_html(parts, lang, money=("amount",))
        )

    def show_crosstab(self) -> None:
        cols = self.cross_by.value
        shown = self.case.crosstab(cols).reset_index()
        heads = {c: value_label(cols, str(c), self.lang) or str(c) for c in shown.columns[1:]}
        shown = shown.rename(columns=heads)
        self.crosstab.value = table_html(shown, self.lang, counts=tuple(heads.values()))

    def show_drivers(self) -> None:
        found = self.case.find_drivers()
        frame = pd.DataFrame([vars(d) for d in found], columns=list(_DRIVER_COLUMNS))
        self.found.value = message_html(t("t1widgets.drivers_found", self.lang, n=len(found))) + table_html(
            frame,
            self.lang,
            counts=("leavers", "scope_leavers"),
            shares=("share", "share_elsewhere"),
            numbers={"lift": 2, "excess": 1},
        )

    # ------------------------------------------------------------------------------------------ the candidate's
    def _figure_text(self, name: str, pct: bool) -> str:
        value = self.case.turnover_figures.get(name)
        return forms.to_percent(value) if pct else forms.number_text(value)

    def record(self) -> dict[str, float] | None:
        """Record the figures typed (with the method chosen), or show every problem with them."""
        figures = forms.figure_data({name: w.value for name, w in self.figures.items()})
        try:
            recorded = self.case.set_turnover_figures(self.method.value, **figures)
        except CasekitError as exc:
            self.figures_status.value = problems_html(exc, self.lang)
            return None
        self.figures_status.value = message_html(t("t1widgets.figures_recorded", self.lang), "ok")
        return recorded

    def adopt_drivers(self) -> None:
        try:
            drivers = self.case.set_drivers(self.drivers.value)
        except CasekitError as exc:
            self.drivers_status.value = problems_html(exc, self.lang)
            return
        self.drivers_status.value = message_html(t("t1widgets.drivers_named", self.lang, n=len(drivers)), "ok")


_DRIVER_COLUMNS = ("factor", "scope", "leavers", "scope_leavers", "share", "share_elsewhere", "lift", "excess")
