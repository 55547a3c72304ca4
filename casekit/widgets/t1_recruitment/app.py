"""The T1 candidate app: the vacancy and the job, the interview kit, the selection, turnover, retention and
succession, staffing, the written texts, then save; in the order the candidate works. An adopted job offers its
skills to the kit's questions; an adopted kit is what the panel rates."""

from __future__ import annotations

from typing import Any

from casekit.cases.t1_recruitment.answer import MAX_TEXT
from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.kind import KIND
from casekit.widgets.app import CaseApp
from casekit.widgets.t1_recruitment.job import JobPanel
from casekit.widgets.t1_recruitment.kit import KitPanel
from casekit.widgets.t1_recruitment.retention import RetentionPanel
from casekit.widgets.t1_recruitment.selection import SelectionPanel
from casekit.widgets.t1_recruitment.staffing import StaffingPanel
from casekit.widgets.t1_recruitment.turnover import TurnoverPanel
from casekit.widgets.texts import TextField, TextsPanel

__all__ = ["TEXTS", "T1App"]

TEXTS = (
    TextField("justification", "t1widgets.justification", "t1widgets.justification_hint", MAX_TEXT),
    TextField("discussion", "t1widgets.discussion", "t1widgets.discussion_hint", MAX_TEXT),
)


class T1App(CaseApp):
    """The whole T1 case in tabs, over one :class:`~casekit.cases.t1_recruitment.case.T1Case`."""

    kind = KIND
    case: T1Case

    def panels(self) -> list[tuple[str, Any]]:
        case, lang = self.case, self.lang
        self.job = JobPanel(case, lang)
        self.kit = KitPanel(case, lang)
        self.selection = SelectionPanel(case, lang)
        self.turnover = TurnoverPanel(case, lang)
        self.retention = RetentionPanel(case, lang)
        self.staffing = StaffingPanel(case, lang)
        self.texts = TextsPanel(case, lang, TEXTS)
        self.job.on_adopt(self.kit.job_changed)
        self.kit.on_adopt(self.selection.kit_changed)
        return [
            ("t1widgets.tab_job", self.job.widget),
            ("t1widgets.tab_kit", self.kit.widget),
            ("t1widgets.tab_selection", self.selection.widget),
            ("t1widgets.tab_turnover", self.turnover.widget),
            ("t1widgets.tab_retention", self.retention.widget),
            ("t1widgets.tab_staffing", self.staffing.widget),
            ("t1widgets.tab_texts", self.texts.widget),
        ]

    def _start(self) -> None:
        """The tabs; the selection tab is told when it opens and closes (its tools render only while it is open)."""
        super()._start()
        self.when_changed(self.tab, self._tab_changed, names="selected_index")

    def _tab_changed(self) -> None:
        index = self.tab.selected_index
        self.selection.set_visible(index is not None and self.tab.children[index] is self.selection.widget)
