"""The T4 answer document: the scheme, the figures the candidate reports, the audit findings, and the written
justification and case discussion (M2).

Schema version 2 (current) adds the candidate's authenticity declaration to the header; a version 1 document
upgrades with no declaration (it never had one: the upgrade cannot make it for the candidate)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from casekit.answers import AnswerDocument, DeclaredAnswer
from casekit.cases.t4_incentives.findings import AuditFinding
from casekit.cases.t4_incentives.scheme import Scheme, scheme_problems
from casekit.errors import Problem

__all__ = ["MAX_TEXT", "ReportedFigures", "T4Answer", "T4AnswerV1", "upgrade_1"]

MAX_TEXT = 20_000


class ReportedFigures(BaseModel):
    """What the candidate says the figures are; the grader recomputes each from the seed and compares."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    projected_cost_per_period: float | None = Field(default=None, ge=0)
    simulated_cost_total: float | None = Field(default=None, ge=0)
    simulated_kpi_change: dict[str, float] = Field(default_factory=dict)  # good-direction relative change
    audit_budget_variance: float | None = None


class T4AnswerV1(AnswerDocument):
    """Schema version 1: no declaration."""

    case: Literal["T4"] = "T4"
    scheme: Scheme
    reported: ReportedFigures = ReportedFigures()
    findings: list[AuditFinding] = Field(default_factory=list, max_length=200)
    justification: str = Field(default="", max_length=MAX_TEXT)
    discussion: str = Field(default="", max_length=MAX_TEXT)

    def rule_problems(self, source: str) -> list[Problem]:
        """The scheme's rules across fields (weights summing to 1, pay >= 0, one measure where a component needs
        one, ...): the same rules the widgets apply, so a document the widgets would refuse is never graded."""
        return scheme_problems(self.scheme, source, "scheme.")


class T4Answer(T4AnswerV1, DeclaredAnswer):
    """Schema version 2: version 1 with the candidate's authenticity declaration."""

    schema_version: int = 2


def upgrade_1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 1 -> 2: the same answer, with no declaration."""
    return {**doc, "declaration": None}
