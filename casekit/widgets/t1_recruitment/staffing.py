"""The hire count (Erlang C): the shrinkage assumed and the hires, with the need they give (:meth:`T1Case.hiring`)
recomputed as either changes and adopted by :meth:`T1Case.set_staffing`."""

from __future__ import annotations

import ipywidgets as widgets

from casekit.cases.t1_recruitment.case import DEFAULT_SHRINKAGE, T1Case
from casekit.cases.t1_recruitment.hiring import HiringNeed
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.kpi import format_count, format_number, format_share
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t1_recruitment.render import field_table, title

__all__ = ["MAX_SHRINKAGE", "StaffingPanel", "figures_html"]

#: the slider's top: the model takes shrinkage below 0.9, no centre plans with more than this
MAX_SHRINKAGE = 0.6
_WIDE = {"description_width": "14em"}


def figures_html(need: HiringNeed, hires: int, lang: str) -> str:
    """What a hire count gives under a need: FTE needed, now, leaving, after the hires, and the service level."""
    level = need.service_level(hires)
    rows = [
        ("t1widgets.fte_need", format_number(need.need.fte, 1)),
        ("t1widgets.fte_now", format_number(need.current_fte, 1)),
        ("t1widgets.annual_turnover_used", format_share(need.annual_turnover, 1)),
        ("t1widgets.expected_leavers", format_number(need.expected_leavers, 1)),
        ("t1widgets.fte_after", format_number(need.fte_after(hires), 1)),
        ("t1widgets.service_level", format_share(level, 1)),
        ("t1widgets.target_sl", format_share(need.target_sl, 0)),
    ]
    meets = level >= need.target_sl
    verdict = t("t1widgets.meets" if meets else "t1widgets.misses", lang, hires=format_count(hires))
    return field_table(rows, lang) + message_html(verdict, "ok" if meets else "warn")


class StaffingPanel(Panel):
    """Tab 6: a shrinkage slider and a hire count; every change recomputes the figures and adopts the pair."""

    def __init__(self, case: T1Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        given = case.staffing
        self.shrinkage = widgets.FloatSlider(
            value=given.shrinkage if given is not None else DEFAULT_SHRINKAGE,
            min=0.0,
            max=MAX_SHRINKAGE,
            step=0.01,
            readout_format=".0%",
            continuous_update=False,
            description=t("t1widgets.shrinkage", lang),
            style=_WIDE,
            layout=widgets.Layout(width="520px"),
        )
        self.hires = widgets.BoundedIntText(
            value=given.hires if given is not None else 0,
            min=0,
            max=2000,
            description=t("t1widgets.hires", lang),
            style=_WIDE,
        )
        self.shrinkage.add_class("ck-shrinkage")
        self.hires.add_class("ck-hires")
        self.figures = widgets.HTML()
        self.status = widgets.HTML(message_html(t("t1widgets.staffing_hint", lang)))
        self.when_changed(self.shrinkage, self.recompute)
        self.when_changed(self.hires, self.recompute)
        self.widget = widgets.VBox(
            [
                title("t1widgets.staffing_heading", lang),
                widgets.HTML(message_html(t("t1widgets.staffing_rule", lang))),
                self.shrinkage,
                self.hires,
                self.figures,
                self.status,
                self.alert,
            ]
        )
        self.show()
        if given is not None:
            self.status.value = message_html(self._adopted_text(), "ok")

    def show(self) -> HiringNeed:
        need = self.case.hiring(round(float(self.shrinkage.value), 4))
        self.figures.value = figures_html(need, int(self.hires.value), self.lang)
        return need

    def _adopted_text(self) -> str:
        shrinkage = format_share(self.shrinkage.value, 0)
        return t("t1widgets.staffing_adopted", self.lang, shrinkage=shrinkage, hires=format_count(self.hires.value))

    def recompute(self) -> None:
        """The figures for the values now, and the pair adopted (or every problem with it shown)."""
        self.show()
        try:
            self.case.set_staffing(round(float(self.shrinkage.value), 4), int(self.hires.value))
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return
        self.status.value = message_html(self._adopted_text(), "ok")
