"""The T3 answer document: a KPI set per role (P3.1), the agreement of every member's targets with the member's
side recorded (P3.2), the review calendar and the data plan, the appraisal of the review period, development plans
and recognition (P3.3), and the written justification and case discussion (M2).

Every figure the candidate reports sits in :class:`Reported`; the grader recomputes each from the seed. Schema
version 1 carries the candidate's authenticity declaration from the start.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from casekit.answers import DeclaredAnswer, repeated
from casekit.errors import Problem
from casekit.scenario.catalogs import load_kpi_catalog, load_roles
from casekit.scenario.spec import IsoDate

__all__ = [
    "ACTIONS",
    "FREQUENCIES",
    "MAX_TEXT",
    "REVIEW_KINDS",
    "SOURCES",
    "Agreement",
    "DataSource",
    "DevPlan",
    "KpiSet",
    "Rating",
    "Recognition",
    "Reported",
    "Review",
    "T3Answer",
    "answer_problems",
]

MAX_TEXT = 20_000
SHORT = 2_000
REVIEW_KINDS = ("one_to_one", "appraisal", "pip_review")
SOURCES = ("contacts", "qa_forms", "wfm", "survey", "hr", "lms", "activity_log")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly")
ACTIONS = ("coaching", "training", "mentoring")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class KpiSet(_Part):
    """The KPIs every member of a role is measured on (P3.1), ids of the KPI catalog, and why."""

    role: str = Field(max_length=40)
    kpis: list[str] = Field(min_length=1, max_length=8)
    note: str = Field(default="", max_length=SHORT)


class Agreement(_Part):
    """One KPI agreed with one member (P3.2): the target proposed, what the member said (their verdict, the reason
    they gave and their words), the manager's reply, the value agreed and what changed, and the date."""

    staff_id: str = Field(max_length=20)
    kpi: str = Field(max_length=40)
    proposed: float
    agreed: float
    date: IsoDate
    member_verdict: Literal["accept", "object"]
    member_reason: str | None = Field(default=None, max_length=40)
    member_comment: str = Field(default="", max_length=SHORT)
    reply: str = Field(default="", max_length=SHORT)
    change: Literal["none", "revised"] = "none"


class Review(_Part):
    """A dated review meeting with a member: a monthly one-to-one, the appraisal, or a PIP review."""

    staff_id: str = Field(max_length=20)
    kind: Literal["one_to_one", "appraisal", "pip_review"]
    date: IsoDate


class DataSource(_Part):
    """Where the data of a KPI comes from, how often, and which role collects it (the data plan, P3.3)."""

    kpi: str = Field(max_length=40)
    source: Literal["contacts", "qa_forms", "wfm", "survey", "hr", "lms", "activity_log"]
    frequency: Literal["daily", "weekly", "monthly", "quarterly"]
    owner_role: str = Field(max_length=40)


class Rating(_Part):
    """A member's appraisal rating for the review period: 1 below, 2 partly, 3 meets, 4 exceeds."""

    staff_id: str = Field(max_length=20)
    rating: int = Field(ge=1, le=4)
    comment: str = Field(default="", max_length=SHORT)


class DevPlan(_Part):
    """A development plan (P3.3): the KPI gap it addresses, the action (with a training offer of the world for
    training), the owner (a member), the due date, and the measure and target that show it worked."""

    staff_id: str = Field(max_length=20)
    kpi: str = Field(max_length=40)
    action: Literal["coaching", "training", "mentoring"]
    offer_id: str | None = Field(default=None, max_length=20)
    owner: str = Field(max_length=20)
    due: IsoDate
    measure: str = Field(max_length=40)
    target: float


class Recognition(_Part):
    """Recognition of a member above target (K6): praise, an award or time off, with a note."""

    staff_id: str = Field(max_length=20)
    kind: Literal["praise", "award", "time_off"]
    note: str = Field(default="", max_length=SHORT)


class Reported(_Part):
    """The figures as the candidate saw them; each is recomputed by the grader."""

    members: int | None = Field(default=None, ge=0)
    objections: int | None = Field(default=None, ge=0)
    below_target: int | None = Field(default=None, ge=0)
    exceeds: int | None = Field(default=None, ge=0)


class T3Answer(DeclaredAnswer):
    """Schema version 1 of the T3 answer."""

    case: Literal["T3"] = "T3"
    kpi_sets: list[KpiSet] = Field(default_factory=list, max_length=20)
    agreements: list[Agreement] = Field(default_factory=list, max_length=2000)
    reviews: list[Review] = Field(default_factory=list, max_length=2000)
    data_plan: list[DataSource] = Field(default_factory=list, max_length=200)
    appraisal: list[Rating] = Field(default_factory=list, max_length=500)
    development: list[DevPlan] = Field(default_factory=list, max_length=500)
    recognition: list[Recognition] = Field(default_factory=list, max_length=500)
    reported: Reported = Reported()
    justification: str = Field(default="", max_length=MAX_TEXT)
    discussion: str = Field(default="", max_length=MAX_TEXT)

    def rule_problems(self, source: str) -> list[Problem]:
        """Rules across fields: known roles, KPIs and offers; nothing agreed, rated or sourced twice."""
        return answer_problems(self, source)


def answer_problems(doc: T3Answer, source: str) -> list[Problem]:
    """Every cross-field problem of ``doc`` (the same rules the case applies before a part is adopted). Staff and
    offer ids are checked against the world by the case and the grader, not here: a document is read without its
    world."""
    problems: list[Problem] = []
    kpis = {k.id for k in load_kpi_catalog()}
    roles = {r.id for r in load_roles()}

    def add(field: str, key: str, got: str, **params: str) -> None:
        problems.append(Problem(source, field, key, got, params))

    def known(field: str, value: str | None, allowed: set[str]) -> None:
        if value is not None and value not in allowed:
            add(field, "expect.one_of", repr(value), expected=", ".join(sorted(allowed)))

    for i, kpi_set in enumerate(doc.kpi_sets):
        known(f"kpi_sets.{i}.role", kpi_set.role, roles)
        for j, kpi in enumerate(kpi_set.kpis):
            known(f"kpi_sets.{i}.kpis.{j}", kpi, kpis)
        twice = repeated([(k,) for k in kpi_set.kpis])
        if twice:
            add(f"kpi_sets.{i}.kpis", "expect.unique_items", twice)
    for i, agreement in enumerate(doc.agreements):
        known(f"agreements.{i}.kpi", agreement.kpi, kpis)
    for i, item in enumerate(doc.data_plan):
        known(f"data_plan.{i}.kpi", item.kpi, kpis)
        known(f"data_plan.{i}.owner_role", item.owner_role, roles)
    for i, plan in enumerate(doc.development):
        known(f"development.{i}.kpi", plan.kpi, kpis)
        known(f"development.{i}.measure", plan.measure, kpis)
    keys: dict[str, list[tuple[str, ...]]] = {
        "kpi_sets": [(s.role,) for s in doc.kpi_sets],
        "agreements": [(a.staff_id, a.kpi) for a in doc.agreements],
        "reviews": [(r.staff_id, r.kind, r.date.isoformat()) for r in doc.reviews],
        "data_plan": [(d.kpi,) for d in doc.data_plan],
        "appraisal": [(r.staff_id,) for r in doc.appraisal],
        "recognition": [(r.staff_id,) for r in doc.recognition],
    }
    for part, items in keys.items():  # nothing given twice
        twice = repeated(items)
        if twice:
            add(part, "expect.unique_items", twice)
    return problems
