"""The T2 candidate app: the skills records and their data problems, the audit and the needs, the induction of
every new starter, the training plan with its live figures, the evaluation of the three months after, the written
texts, then save; in the order the candidate works. Adopting the data problems changes the audit the needs and the
plan read; changing the plan makes the simulated months out of date."""

from __future__ import annotations

from typing import Any

from casekit.cases.t2_training.answer import MAX_TEXT
from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.kind import KIND
from casekit.widgets.app import CaseApp
from casekit.widgets.t2_training.evaluation import EvaluationPanel
from casekit.widgets.t2_training.induction import InductionPanel
from casekit.widgets.t2_training.needs import NeedsPanel
from casekit.widgets.t2_training.plan import PlanPanel
from casekit.widgets.t2_training.records import RecordsPanel
from casekit.widgets.texts import TextField, TextsPanel

__all__ = ["TEXTS", "T2App"]

TEXTS = (
    TextField("justification", "t2widgets.justification", "t2widgets.justification_hint", MAX_TEXT),
    TextField("discussion", "t2widgets.discussion", "t2widgets.discussion_hint", MAX_TEXT),
)


class T2App(CaseApp):
    """The whole T2 case in tabs, over one :class:`~casekit.cases.t2_training.case.T2Case`."""

    kind = KIND
    case: T2Case

    def panels(self) -> list[tuple[str, Any]]:
        case, lang = self.case, self.lang
        self.records = RecordsPanel(case, lang)
        self.needs = NeedsPanel(case, lang)
        self.induction = InductionPanel(case, lang)
        self.plan = PlanPanel(case, lang)
        self.evaluation = EvaluationPanel(case, lang)
        self.texts = TextsPanel(case, lang, TEXTS)
        self.records.on_adopt(self.needs.audit_changed)
        self.records.on_adopt(self.plan.audit_changed)
        self.plan.on_change(self.evaluation.plan_changed)
        return [
            ("t2widgets.tab_records", self.records.widget),
            ("t2widgets.tab_needs", self.needs.widget),
            ("t2widgets.tab_induction", self.induction.widget),
            ("t2widgets.tab_plan", self.plan.widget),
            ("t2widgets.tab_evaluation", self.evaluation.widget),
            ("t2widgets.tab_texts", self.texts.widget),
        ]
