"""T1 — recruitment and retention (P1.1, P1.2), declared as a case kind: everything casekit needs to offer it to a
candidate, grade it and show its evidence."""

from __future__ import annotations

from typing import Final

from casekit import assets
from casekit.answers import AnswerSchema
from casekit.cases.kind import CaseKind, Profiles
from casekit.cases.t1_recruitment.answer import T1Answer
from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.checks import CHECKS, grading_context
from casekit.cases.t1_recruitment.evidence import SECTIONS
from casekit.cases.t1_recruitment.profiles import ASSESSOR_VIEW, FLAW_TARGETS, build_case

__all__ = ["KIND"]

KIND: Final = CaseKind(
    id="T1",
    title_key="t1.kind_title",
    task="T1",
    elements=("P1.1", "P1.2", "K2", "K3", "K4", "K5", "K8", "S1", "S3", "S4", "E2"),
    answers=AnswerSchema("T1", {1: T1Answer}, {}),
    case=T1Case,
    checks=CHECKS,
    context=grading_context,
    sections=SECTIONS,
    rubrics=(assets.rubric("t1-recruitment.yaml"),),
    profiles=Profiles(FLAW_TARGETS, build_case, ASSESSOR_VIEW),
    notebook=assets.notebook("candidate/t1_recruitment.ipynb"),
    app="casekit.widgets.t1_recruitment:T1App",
)
