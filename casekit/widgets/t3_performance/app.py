"""The T3 candidate app: the section's members and their data, the KPI set of every role, the targets agreed with
each member, the review calendar and the data plan, the appraisal with development and recognition, the written
texts, then save; in the order the candidate works. Changing a KPI set changes the targets to agree; recording
agreements opens (or keeps open) the appraisal."""

from __future__ import annotations

from typing import Any

from casekit.cases.t3_performance.answer import MAX_TEXT
from casekit.cases.t3_performance.case import T3Case
from casekit.cases.t3_performance.kind import KIND
from casekit.widgets.app import CaseApp
from casekit.widgets.t3_performance.appraisal import AppraisalPanel
from casekit.widgets.t3_performance.kpi_sets import KpiSetsPanel
from casekit.widgets.t3_performance.members import MembersPanel
from casekit.widgets.t3_performance.reviews import ReviewsPanel
from casekit.widgets.t3_performance.targets import TargetsPanel
from casekit.widgets.texts import TextField, TextsPanel

__all__ = ["TEXTS", "T3App"]

TEXTS = (
    TextField("justification", "t3widgets.justification", "t3widgets.justification_hint", MAX_TEXT),
    TextField("discussion", "t3widgets.discussion", "t3widgets.discussion_hint", MAX_TEXT),
)


class T3App(CaseApp):
    """The whole T3 case in tabs, over one :class:`~casekit.cases.t3_performance.case.T3Case`."""

    kind = KIND
    case: T3Case

    def panels(self) -> list[tuple[str, Any]]:
        case, lang = self.case, self.lang
        self.members = MembersPanel(case, lang)
        self.sets = KpiSetsPanel(case, lang)
        self.targets = TargetsPanel(case, lang)
        self.reviews = ReviewsPanel(case, lang)
        self.appraisal = AppraisalPanel(case, lang)
        self.texts = TextsPanel(case, lang, TEXTS)
        self.sets.on_change(self.targets.sets_changed)
        self.sets.on_change(self.appraisal.agreements_changed)
        self.targets.on_change(self.appraisal.agreements_changed)
        return [
            ("t3widgets.tab_members", self.members.widget),
            ("t3widgets.tab_sets", self.sets.widget),
            ("t3widgets.tab_targets", self.targets.widget),
            ("t3widgets.tab_reviews", self.reviews.widget),
            ("t3widgets.tab_appraisal", self.appraisal.widget),
            ("t3widgets.tab_texts", self.texts.widget),
        ]
