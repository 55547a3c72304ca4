"""The T2 answer document: the skills audit's data problems and how each was handled, the skill needs by role and
kind (technology or customer service, P2.3), the induction of every new starter, the training plan (bookings on the
world's sessions and the gaps deferred with a reason), the evaluation (Kirkpatrick levels, a Phillips ROI) and the
written justification and case discussion (M2).

Every figure the candidate reports sits in :class:`Reported`; the grader recomputes each from the seed. Schema
version 1 carries the candidate's authenticity declaration from the start.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from casekit.answers import DeclaredAnswer, repeated
from casekit.errors import Problem
from casekit.scenario.catalogs import load_induction_topics, load_roles, load_skills

__all__ = [
    "LEVELS",
    "MAX_TEXT",
    "Booking",
    "DataIssue",
    "Deferral",
    "Evaluation",
    "Induction",
    "InductionStep",
    "Need",
    "Reported",
    "T2Answer",
]

MAX_TEXT = 20_000
SHORT = 2_000
#: Kirkpatrick's four levels: reaction, learning, behaviour, results.
LEVELS = ("L1", "L2", "L3", "L4")

SkillKind = Literal["technology", "customer_service"]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class DataIssue(_Part):
    """A problem of the skills records the candidate noticed (a missing or out-of-date assessment) and how they
    handled it: reassess the person before planning, or plan as if the skill were at level 0. ``skill_id`` None
    means every skill of the person (a stale record is stale as a whole)."""

    staff_id: str = Field(max_length=20)
    skill_id: str | None = Field(default=None, max_length=40)
    problem: Literal["missing", "stale"]
    action: Literal["reassess", "assume_gap"]


class Need(_Part):
    """A skill need of a role (P2.2): the skill, its kind (P2.3), the people of the role with a gap, the priority
    the candidate gives it, and whether they judge it critical."""

    role: str = Field(max_length=40)
    skill_id: str = Field(max_length=40)
    kind: SkillKind
    people: int = Field(ge=0, le=5000)
    priority: float = Field(ge=0, le=1_000_000)
    critical: bool = False


class InductionStep(_Part):
    """One step of a starter's first weeks: a topic of the induction catalog, on which working day, led by whom."""

    topic: str = Field(max_length=40)
    day: int = Field(ge=1, le=60)
    owner: Literal["trainer", "buddy", "team_leader"]


class Induction(_Part):
    """The induction of one new starter: their buddy and trainer (staff ids), the working day they go live on the
    phones, and the steps before and after."""

    starter_id: str = Field(max_length=20)
    buddy: str = Field(max_length=20)
    trainer: str = Field(max_length=20)
    go_live_day: int = Field(ge=1, le=60)
    steps: list[InductionStep] = Field(default_factory=list, max_length=40)


class Booking(_Part):
    """A member of staff booked on a session of a training offer."""

    staff_id: str = Field(max_length=20)
    session_id: str = Field(max_length=20)


class Deferral(_Part):
    """A gap left for a later quarter, with the reason."""

    staff_id: str = Field(max_length=20)
    skill_id: str = Field(max_length=40)
    reason: str = Field(min_length=1, max_length=SHORT)


class Evaluation(_Part):
    """How the training is evaluated: a measure per Kirkpatrick level, the vendor course whose Phillips ROI is
    worked out and the ROI found, and the review of the three months after."""

    levels: dict[str, str] = Field(default_factory=dict, max_length=4)
    roi_offer: str | None = Field(default=None, max_length=20)
    roi_percent: float | None = Field(default=None, ge=-100_000, le=100_000)
    review: str = Field(default="", max_length=MAX_TEXT)


class Reported(_Part):
    """The figures as the candidate saw them; each is recomputed by the grader."""

    gap_technology: float | None = Field(default=None, ge=0)
    gap_customer_service: float | None = Field(default=None, ge=0)
    spend: float | None = Field(default=None, ge=0)
    lowest_service_level: float | None = Field(default=None, ge=0, le=1)


class T2Answer(DeclaredAnswer):
    """Schema version 1 of the T2 answer."""

    case: Literal["T2"] = "T2"
    data_issues: list[DataIssue] = Field(default_factory=list, max_length=2000)
    needs: list[Need] = Field(default_factory=list, max_length=200)
    induction: list[Induction] = Field(default_factory=list, max_length=200)
    plan: list[Booking] = Field(default_factory=list, max_length=10_000)
    deferred: list[Deferral] = Field(default_factory=list, max_length=2000)
    evaluation: Evaluation = Evaluation()
    reported: Reported = Reported()
    justification: str = Field(default="", max_length=MAX_TEXT)
    discussion: str = Field(default="", max_length=MAX_TEXT)

    def rule_problems(self, source: str) -> list[Problem]:
        """Rules across fields: known roles, skills, topics and levels; no booking or need given twice."""
        return answer_problems(self, source)


def answer_problems(doc: T2Answer, source: str) -> list[Problem]:
    """Every cross-field problem of ``doc`` (the same rules the case applies before a part is adopted). Ids of
    staff, starters and sessions are checked against the world by the case and the grader, not here: a document
    is read without its world."""
    problems: list[Problem] = []
    skills = {s.id for s in load_skills()}
    roles = {r.id for r in load_roles()}
    topics = {t.id for t in load_induction_topics()}

    def add(field: str, key: str, got: str, **params: str) -> None:
        problems.append(Problem(source, field, key, got, params))

    for i, issue in enumerate(doc.data_issues):
        if issue.skill_id is not None and issue.skill_id not in skills:
            add(f"data_issues.{i}.skill_id", "expect.one_of", repr(issue.skill_id), expected=", ".join(sorted(skills)))
    for i, need in enumerate(doc.needs):
        if need.role not in roles:
            add(f"needs.{i}.role", "expect.one_of", repr(need.role), expected=", ".join(sorted(roles)))
        if need.skill_id not in skills:
            add(f"needs.{i}.skill_id", "expect.one_of", repr(need.skill_id), expected=", ".join(sorted(skills)))
    twice = repeated([(n.role, n.skill_id) for n in doc.needs])
    if twice:
        add("needs", "expect.unique_items", twice)
    for i, plan in enumerate(doc.induction):
        for j, step in enumerate(plan.steps):
            if step.topic not in topics:
                add(
                    f"induction.{i}.steps.{j}.topic",
                    "expect.one_of",
                    repr(step.topic),
                    expected=", ".join(sorted(topics)),
                )
    twice = repeated([(p.starter_id,) for p in doc.induction])
    if twice:
        add("induction", "expect.unique_items", twice)
    twice = repeated([(b.staff_id, b.session_id) for b in doc.plan])
    if twice:
        add("plan", "expect.unique_items", twice)
    for i, d in enumerate(doc.deferred):
        if d.skill_id not in skills:
            add(f"deferred.{i}.skill_id", "expect.one_of", repr(d.skill_id), expected=", ".join(sorted(skills)))
    for level in doc.evaluation.levels:
        if level not in LEVELS:
            add(f"evaluation.levels.{level}", "expect.one_of", repr(level), expected=", ".join(LEVELS))
    return problems
