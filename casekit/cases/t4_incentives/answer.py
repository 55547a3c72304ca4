"""The T4 answer document (schema version 1): the scheme, the figures the candidate reports, the audit findings,
and the written justification and case discussion (M2)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from casekit.answers import AnswerDocument
from casekit.cases.t4_incentives.audit import AuditFinding
from casekit.cases.t4_incentives.scheme import Scheme

__all__ = ["MAX_TEXT", "ReportedFigures", "T4Answer"]

MAX_TEXT = 20_000


class ReportedFigures(BaseModel):
    """What the candidate says the figures are; the grader recomputes each from the seed and compares."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    projected_cost_per_period: float | None = Field(default=None, ge=0)
    simulated_cost_total: float | None = Field(default=None, ge=0)
    simulated_kpi_change: dict[str, float] = Field(default_factory=dict)  # good-direction relative change
    audit_budget_variance: float | None = None


class T4Answer(AnswerDocument):
    case: Literal["T4"] = "T4"
    scheme: Scheme
    reported: ReportedFigures = ReportedFigures()
    findings: list[AuditFinding] = Field(default_factory=list, max_length=200)
    justification: str = Field(default="", max_length=MAX_TEXT)
    discussion: str = Field(default="", max_length=MAX_TEXT)
