"""T3 — performance management (P3.1–P3.3), declared as a case kind: everything casekit needs to offer it to a
candidate, grade it and show its evidence."""

from __future__ import annotations

from typing import Final

from casekit import assets
from casekit.answers import AnswerSchema
from casekit.cases.kind import CaseKind, Profiles
from casekit.cases.t3_performance.answer import T3Answer
from casekit.cases.t3_performance.case import T3Case
from casekit.cases.t3_performance.checks import CHECKS, grading_context
from casekit.cases.t3_performance.evidence import SECTIONS
from casekit.cases.t3_performance.profiles import ASSESSOR_VIEW, FLAW_TARGETS, build_case

__all__ = ["KIND"]

KIND: Final = CaseKind(
    id="T3",
    title_key="t3.kind_title",
    task="T3",
    elements=("P3.1", "P3.2", "P3.3", "S1", "S7", "E1", "K6"),
    answers=AnswerSchema("T3", {1: T3Answer}, {}),
    case=T3Case,
    checks=CHECKS,
    context=grading_context,
    sections=SECTIONS,
    rubrics=(assets.rubric("t3-performance.yaml"),),
    profiles=Profiles(FLAW_TARGETS, build_case, ASSESSOR_VIEW),
    notebook=assets.notebook("candidate/t3_performance.ipynb"),
    app="casekit.widgets.t3_performance:T3App",
)
