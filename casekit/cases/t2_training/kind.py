"""T2 — induction and training (P2.1–P2.4), declared as a case kind: everything casekit needs to offer it to a
candidate, grade it and show its evidence."""

from __future__ import annotations

from typing import Final

from casekit import assets
from casekit.answers import AnswerSchema
from casekit.cases.kind import CaseKind, Profiles
from casekit.cases.t2_training.answer import T2Answer
from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.checks import CHECKS, grading_context
from casekit.cases.t2_training.evidence import SECTIONS
from casekit.cases.t2_training.profiles import ASSESSOR_VIEW, FLAW_TARGETS, build_case

__all__ = ["KIND"]

KIND: Final = CaseKind(
    id="T2",
    title_key="t2.kind_title",
    task="T2",
    elements=("P2.1", "P2.2", "P2.3", "P2.4", "K7", "K9", "S3", "S5", "E3"),
    answers=AnswerSchema("T2", {1: T2Answer}, {}),
    case=T2Case,
    checks=CHECKS,
    context=grading_context,
    sections=SECTIONS,
    rubrics=(assets.rubric("t2-training.yaml"),),
    profiles=Profiles(FLAW_TARGETS, build_case, ASSESSOR_VIEW),
    notebook=assets.notebook("candidate/t2_training.ipynb"),
    app="casekit.widgets.t2_training:T2App",
)
