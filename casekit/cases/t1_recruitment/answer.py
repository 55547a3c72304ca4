"""The T1 answer document: the job specification and description (N1, N2) with the advertisement, the structured
interview kit and the review of the organisation's current one (N3), the panel selection, the turnover analysis
(N4), the retention plan, the successors for team leaders (K8), the hire count (Erlang C) and the written
justification and case discussion (M2).

Every figure the candidate reports sits in :class:`Reported`; the grader recomputes each from the seed. Schema
version 1 carries the candidate's authenticity declaration from the start.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from casekit.answers import DeclaredAnswer
from casekit.cases.t1_recruitment.advert import JobAdvert
from casekit.cases.t1_recruitment.retention import RetentionAction
from casekit.errors import Problem
from casekit.scenario.catalogs import EXIT_FACTORS, load_roles, load_skills

__all__ = [
    "ANCHOR_LEVELS",
    "MAX_TEXT",
    "Driver",
    "InterviewQuestion",
    "JobSpec",
    "Reported",
    "Selection",
    "Staffing",
    "Successor",
    "T1Answer",
]

MAX_TEXT = 20_000
SHORT = 2_000
#: The levels of the 1-5 rating scale that must each have a behavioural anchor.
ANCHOR_LEVELS = ("1", "3", "5")


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class JobSpec(_Part):
    """Job specification (N1: experience, qualifications, skills and knowledge with levels, special requirements,
    responsibilities) and job description (N2: classification, pay grade and range, capability statement, position
    in the organisation) for the vacancy's role."""

    role: str = Field(max_length=40)
    title: str = Field(min_length=1, max_length=200)
    experience_months: int = Field(ge=0, le=240)
    qualifications: str = Field(default="", max_length=SHORT)
    skills: dict[str, int] = Field(default_factory=dict, max_length=30)  # skill id -> required level 0-4
    knowledge: str = Field(default="", max_length=SHORT)
    special_requirements: str = Field(default="", max_length=SHORT)
    responsibilities: str = Field(default="", max_length=SHORT)
    classification: str = Field(default="", max_length=40)
    pay_grade: str = Field(default="", max_length=40)
    pay_min: int = Field(ge=0, le=1_000_000)
    pay_max: int = Field(ge=0, le=1_000_000)
    capability: str = Field(default="", max_length=SHORT)
    reports_to: str = Field(default="", max_length=40)


class InterviewQuestion(_Part):
    """One question of the structured kit: its competency (a skill id of the job specification), its kind, its
    weight in the panel score, and behavioural anchors for the rating scale (levels "1" to "5")."""

    text: str = Field(min_length=1, max_length=SHORT)
    competency: str = Field(max_length=40)
    type: Literal["behavioural", "situational", "other"] = "behavioural"
    weight: float = Field(default=1.0, ge=0, le=10)
    anchors: dict[str, str] = Field(default_factory=dict, max_length=5)


class Selection(_Part):
    """The panel's decision: raters left out of the panel score (with the reason in the justification), the
    applicants offered a place, in order."""

    excluded_raters: list[str] = Field(default_factory=list, max_length=3)
    selected: list[str] = Field(default_factory=list, max_length=100)


class Driver(_Part):
    """A driver of turnover the candidate found: an N4 exit factor and where it concentrates."""

    factor: str = Field(max_length=40)
    scope: str = Field(max_length=40)  # "team:T03", "shift:late" or "all"


class Successor(_Part):
    """A nominated successor for a team leader (K8) and how ready the candidate judges them."""

    team_leader: str = Field(max_length=20)
    staff_id: str = Field(max_length=20)
    readiness: Literal["ready_now", "ready_later"]


class Staffing(_Part):
    """The recruitment target: the shrinkage assumed and how many to hire this quarter."""

    shrinkage: float = Field(ge=0, lt=0.9)
    hires: int = Field(ge=0, le=2000)


class Reported(_Part):
    """The figures as the candidate saw them; each is recomputed by the grader."""

    icc_form: Literal["ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)"] = "ICC(2,1)"
    icc: float | None = Field(default=None, ge=-1, le=1)
    disagreements: int | None = Field(default=None, ge=0)
    adverse_impact: dict[str, float] = Field(default_factory=dict, max_length=20)  # "gender:F" -> ratio
    turnover_method: Literal["compound", "sum"] = "compound"
    annual_turnover: float | None = Field(default=None, ge=0, le=5)
    voluntary_share: float | None = Field(default=None, ge=0, le=1)
    early_tenure_rate: float | None = Field(default=None, ge=0, le=1)
    cost_per_leaver: float | None = Field(default=None, ge=0)
    fte_need: float | None = Field(default=None, ge=0)
    service_level: float | None = Field(default=None, ge=0, le=1)
    avoided_leavers: float | None = Field(default=None, ge=0)


class T1Answer(DeclaredAnswer):
    """Schema version 1 of the T1 answer."""

    case: Literal["T1"] = "T1"
    job: JobSpec
    advert: JobAdvert
    kit: list[InterviewQuestion] = Field(default_factory=list, max_length=40)
    kit_review: dict[str, Literal["keep", "remove"]] = Field(default_factory=dict, max_length=40)
    selection: Selection = Selection()
    drivers: list[Driver] = Field(default_factory=list, max_length=20)
    retention: list[RetentionAction] = Field(default_factory=list, max_length=30)
    successors: list[Successor] = Field(default_factory=list, max_length=100)
    staffing: Staffing | None = None
    reported: Reported = Reported()
    justification: str = Field(default="", max_length=MAX_TEXT)
    discussion: str = Field(default="", max_length=MAX_TEXT)

    def rule_problems(self, source: str) -> list[Problem]:
        """Rules across fields: known role, skills, levels, factors and anchor levels; a pay range the right
        way round; no applicant selected twice."""
        return answer_problems(self, source)


def answer_problems(doc: T1Answer, source: str) -> list[Problem]:
    """Every cross-field problem of ``doc`` (the same rules the widgets apply before a part is adopted)."""
    problems: list[Problem] = []
    skills = {s.id for s in load_skills()}
    roles = {r.id for r in load_roles()}

    def add(field: str, key: str, got: str, **params: str) -> None:
        problems.append(Problem(source, field, key, got, params))

    job = doc.job
    if job.role not in roles:
        add("job.role", "expect.one_of", repr(job.role), expected=", ".join(sorted(roles)))
    for skill, level in job.skills.items():
        if skill not in skills:
            add(f"job.skills.{skill}", "expect.one_of", repr(skill), expected=", ".join(sorted(skills)))
        elif not 0 <= level <= 4:
            add(f"job.skills.{skill}", "expect.level_range", str(level), low="0", high="4")
    if job.pay_min > job.pay_max:
        add("job.pay_min", "expect.min_le_max", f"min={job.pay_min}, max={job.pay_max}")
    for i, q in enumerate(doc.kit):
        if q.competency and q.competency not in skills:
            add(f"kit.{i}.competency", "expect.one_of", repr(q.competency), expected=", ".join(sorted(skills)))
        for anchor in q.anchors:
            if anchor not in ("1", "2", "3", "4", "5"):
                add(f"kit.{i}.anchors.{anchor}", "expect.one_of", repr(anchor), expected="1, 2, 3, 4, 5")
    selected = doc.selection.selected
    if len(set(selected)) != len(selected):
        add(
            "selection.selected",
            "expect.unique_items",
            ", ".join(sorted({s for s in selected if selected.count(s) > 1})),
        )
    for i, d in enumerate(doc.drivers):
        if d.factor not in EXIT_FACTORS:
            add(f"drivers.{i}.factor", "expect.one_of", repr(d.factor), expected=", ".join(EXIT_FACTORS))
    return problems
