"""The T4 candidate app: explore, design (builder beside its live preview), simulate, audit, write, then save;
each adopted scheme re-renders the preview and marks an earlier simulation out of date."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from casekit.cases.t4_incentives.answer import MAX_TEXT
from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.kind import KIND
from casekit.widgets.app import CaseApp
from casekit.widgets.t4_incentives.audit import AuditPanel
from casekit.widgets.t4_incentives.explore import ExplorePanel
from casekit.widgets.t4_incentives.preview import PreviewPanel
from casekit.widgets.t4_incentives.scheme_builder import SchemeBuilder
from casekit.widgets.t4_incentives.simulation import SimulationPanel
from casekit.widgets.texts import TextField, TextsPanel

__all__ = ["TEXTS", "T4App"]

TEXTS = (
    TextField("justification", "widgets.justification", "widgets.justification_hint", MAX_TEXT),
    TextField("discussion", "widgets.discussion", "widgets.discussion_hint", MAX_TEXT),
)


class T4App(CaseApp):
    """The whole T4 case in tabs, over one :class:`~casekit.cases.t4_incentives.case.T4Case`."""

    kind = KIND
    case: T4Case

    def panels(self) -> list[tuple[str, Any]]:
        case, lang = self.case, self.lang
        self.explore = ExplorePanel(case, lang)
        self.builder = SchemeBuilder(case, lang)
        self.preview = PreviewPanel(case, lang)
        self.simulation = SimulationPanel(case, lang)
        self.audit = AuditPanel(case, lang)
        self.texts = TextsPanel(case, lang, TEXTS)
        self.builder.on_adopt(self.preview.refresh)
        self.builder.on_adopt(self.simulation.scheme_changed)
        design = widgets.HBox(
            [self.builder.widget, self.preview.widget], layout=widgets.Layout(flex_flow="row wrap", width="100%")
        )
        self.builder.widget.layout = widgets.Layout(flex="1 1 560px", min_width="0", padding="0 8px 0 0")
        self.preview.widget.layout = widgets.Layout(flex="1 1 480px", min_width="0")
        return [
            ("widgets.tab_explore", self.explore.widget),
            ("widgets.tab_scheme", design),
            ("widgets.tab_simulation", self.simulation.widget),
            ("widgets.tab_audit", self.audit.widget),
            ("widgets.tab_texts", self.texts.widget),
        ]
