"""The T5 candidate app: the brief and the records, the legal framework, the regulatory training calendar, the
law's figures and the rule library's scans, the breach register, the next month and its verification, the written
texts, then save; in the order the candidate works. Registering breaches fills the register; editing the register
asks for the next month again; verifying shows in the register."""

from __future__ import annotations

from typing import Any

from casekit.cases.t5_compliance.answer import MAX_TEXT
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.kind import KIND
from casekit.widgets.app import CaseApp
from casekit.widgets.t5_compliance.courses import TrainingPanel
from casekit.widgets.t5_compliance.findings import RegisterPanel
from casekit.widgets.t5_compliance.obligations import FrameworkPanel
from casekit.widgets.t5_compliance.records import RecordsPanel
from casekit.widgets.t5_compliance.scans import RulesPanel
from casekit.widgets.t5_compliance.verification import NextMonthPanel
from casekit.widgets.texts import TextField, TextsPanel

__all__ = ["TEXTS", "T5App"]

TEXTS = (
    TextField("explanation", "t5widgets.explanation", "t5widgets.explanation_hint", MAX_TEXT),
    TextField("discussion", "t5widgets.discussion", "t5widgets.discussion_hint", MAX_TEXT),
)


class T5App(CaseApp):
    """The whole T5 case in tabs, over one :class:`~casekit.cases.t5_compliance.case.T5Case`."""

    kind = KIND
    case: T5Case

    def panels(self) -> list[tuple[str, Any]]:
        case, lang = self.case, self.lang
        self.records = RecordsPanel(case, lang)
        self.framework = FrameworkPanel(case, lang)
        self.training = TrainingPanel(case, lang)
        self.rules = RulesPanel(case, lang)
        self.register = RegisterPanel(case, lang)
        self.next_month = NextMonthPanel(case, lang)
        self.texts = TextsPanel(case, lang, TEXTS)
        self.rules.on_change(self.register.findings_changed)
        self.rules.on_change(self.next_month.register_changed)
        self.register.on_change(self.next_month.register_changed)
        self.next_month.on_change(self.register.show)
        return [
            ("t5widgets.tab_records", self.records.widget),
            ("t5widgets.tab_framework", self.framework.widget),
            ("t5widgets.tab_training", self.training.widget),
            ("t5widgets.tab_rules", self.rules.widget),
            ("t5widgets.tab_register", self.register.widget),
            ("t5widgets.tab_next", self.next_month.widget),
            ("t5widgets.tab_texts", self.texts.widget),
        ]
