"""T5 — legal and regulatory compliance (P5.1, P5.2), declared as a case kind: everything casekit needs to offer it
to a candidate, grade it and show its evidence."""

from __future__ import annotations

from typing import Final

from casekit import assets
from casekit.answers import AnswerSchema
from casekit.cases.kind import CaseKind, Profiles
from casekit.cases.t5_compliance.answer import T5Answer
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.checks import CHECKS, grading_context
from casekit.cases.t5_compliance.evidence import SECTIONS
from casekit.cases.t5_compliance.profiles import ASSESSOR_VIEW, FLAW_TARGETS, build_case

__all__ = ["KIND"]

KIND: Final = CaseKind(
    id="T5",
    title_key="t5.kind_title",
    task="T5",
    elements=("P5.1", "P5.2", "K1", "K4", "S2", "E4", "C2"),
    answers=AnswerSchema("T5", {1: T5Answer}, {}),
    case=T5Case,
    checks=CHECKS,
    context=grading_context,
    sections=SECTIONS,
    rubrics=(assets.rubric("t5-compliance.yaml"),),
    profiles=Profiles(FLAW_TARGETS, build_case, ASSESSOR_VIEW),
    notebook=assets.notebook("candidate/t5_compliance.ipynb"),
    app="casekit.widgets.t5_compliance:T5App",
)
