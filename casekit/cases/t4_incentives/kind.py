"""T4 — pay and incentive schemes (P4.1–P4.4), declared as a case kind: everything casekit needs to offer it to a
candidate, grade it and show its evidence."""

from __future__ import annotations

from typing import Final

from casekit import assets
from casekit.answers import AnswerSchema
from casekit.cases.kind import CaseKind, Profiles
from casekit.cases.t4_incentives.answer import T4Answer, T4AnswerV1, upgrade_1
from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.checks import CHECKS, grading_context
from casekit.cases.t4_incentives.evidence import SECTIONS
from casekit.cases.t4_incentives.evidence_text import evidence_text
from casekit.cases.t4_incentives.profiles import ASSESSOR_VIEW, FLAW_TARGETS, build_case

__all__ = ["KIND"]

KIND: Final = CaseKind(
    id="T4",
    title_key="t4.kind_title",
    task="T4",
    elements=("P4.1", "P4.2", "P4.3", "P4.4", "K6", "S1", "S2", "S5", "S6", "S7", "E1"),
    answers=AnswerSchema("T4", {1: T4AnswerV1, 2: T4Answer}, {1: upgrade_1}),
    case=T4Case,
    checks=CHECKS,
    context=grading_context,
    sections=SECTIONS,
    rubrics=(assets.rubric("t4-incentives.yaml"),),
    profiles=Profiles(FLAW_TARGETS, build_case, ASSESSOR_VIEW),
    notebook=assets.notebook("candidate/t4_incentives.ipynb"),
    app="casekit.widgets.t4_incentives:T4App",
    evidence_text=evidence_text,
)
