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

__all__ = ["PANE_HEIGHT", "TEXTS", "T4App", "design_layout", "pane"]

#: how tall the design tab's form and preview may grow before each scrolls on its own
PANE_HEIGHT = "85vh"

TEXTS = (
    TextField("justification", "widgets.justification", "widgets.justification_hint", MAX_TEXT),
    TextField("discussion", "widgets.discussion", "widgets.discussion_hint", MAX_TEXT),
)


def design_layout() -> Any:
    """The design tab: the form beside its live preview, 3 : 2, each a pane that scrolls on its own, so the preview
    stays in sight however far down the form the candidate edits (in Voila at 1280 px and in JupyterLab beside
    its file browser alike). Only in a window too narrow for both (under about 600 px) do they wrap, and
    ``wrap-reverse`` stacks the lines from the bottom up: the preview comes above the form, not below all of it.
    Plain flexbox through ipywidgets' layouts, laid out the same in JupyterLab and in Voila."""
    return widgets.Layout(flex_flow="row wrap-reverse", width="100%")


def pane(content: Any, flex: str, **more: str) -> Any:
    """One column of the design tab around ``content``: ``flex`` its share of the width, at most
    :data:`PANE_HEIGHT` tall, then scrolling on its own. The content keeps its height (``flex: 0 0 auto``): a
    flex column of limited height would otherwise squeeze its children instead of scrolling."""
    content.layout.flex = "0 0 auto"
    layout = widgets.Layout(flex=flex, min_width="0", max_height=PANE_HEIGHT, overflow="auto", **more)
    return widgets.VBox([content], layout=layout)


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
        form = pane(self.builder.widget, "3 1 360px", padding="0 8px 0 0")
        preview = pane(self.preview.widget, "2 1 240px", padding="0 0 0 8px", border_left="1px solid #e0e0e0")
        design = widgets.HBox([form, preview], layout=design_layout())
        return [
            ("widgets.tab_explore", self.explore.widget),
            ("widgets.tab_scheme", design),
            ("widgets.tab_simulation", self.simulation.widget),
            ("widgets.tab_audit", self.audit.widget),
            ("widgets.tab_texts", self.texts.widget),
        ]
