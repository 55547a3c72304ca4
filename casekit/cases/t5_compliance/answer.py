"""The T5 answer document: the legal framework register (E4, K4), the regulatory training calendar (P5.1), the
law's figures as the candidate applies them, the breaches found with their evidence and their register entries
(P5.2), the verification on the next month's records, and the written explanation and case discussion (M2).

Every figure the candidate reports sits in :class:`Reported`; the grader recomputes each from the seed. Schema
version 1 carries the candidate's authenticity declaration from the start.
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from casekit.answers import DeclaredAnswer, repeated
from casekit.errors import Problem
from casekit.scenario.compliance_spec import T5_RULES, RuleId
from casekit.scenario.spec import IsoDate

__all__ = [
    "MAX_TEXT",
    "PREVENTIONS",
    "RECTIFICATIONS",
    "RULE_IDS",
    "SCOPES",
    "SEVERITIES",
    "THRESHOLDS",
    "VERIFICATIONS",
    "CourseRule",
    "Finding",
    "FrameworkEntry",
    "Reported",
    "Session",
    "T5Answer",
    "answer_problems",
    "finding_key",
]

MAX_TEXT = 20_000
SHORT = 2_000
#: the rule library's rules (``casekit.cases.t5_compliance.rules``), in its order
RULE_IDS: Final = T5_RULES
SCOPES: Final = ("all_staff", "hourly_staff", "selling_roles", "schedulers", "applicants", "customers")
Scope = Literal["all_staff", "hourly_staff", "selling_roles", "schedulers", "applicants", "customers"]
SEVERITIES: Final = ("low", "medium", "high")
#: what puts one breach right
RECTIFICATIONS: Final = (
    "back_pay",
    "schedule_fixed",
    "ad_withdrawn",
    "subject_notified",
    "complainant_answered",
    "none",
)
Rectification = Literal[
    "back_pay", "schedule_fixed", "ad_withdrawn", "subject_notified", "complainant_answered", "none"
]
#: what stops it happening again (the root cause addressed)
PREVENTIONS: Final = (
    "roster_rule",
    "payroll_rule",
    "ad_review",
    "notice_script",
    "complaint_tracking",
    "training_only",
    "none",
)
Prevention = Literal[
    "roster_rule", "payroll_rule", "ad_review", "notice_script", "complaint_tracking", "training_only", "none"
]
VERIFICATIONS: Final = ("not_checked", "held", "recurred")
Verification = Literal["not_checked", "held", "recurred"]
#: the law's figures a candidate applies with the case's tools (the names of ``casekit/data/law.yaml`` they set)
THRESHOLDS: Final = (
    "daily_max_hours",
    "monthly_cap",
    "monthly_cap_consented",
    "three_month_cap",
    "max_consecutive_days",
    "break_after_hours",
    "break_minutes",
    "minimum_wage_monthly",
    "minimum_wage_hourly",
    "ad_pay_threshold",
    "premium_first_two_hours",
    "premium_after_two_hours",
    "complaint_reply_days",
    "financial_complaint_reply_days",
)


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FrameworkEntry(_Part):
    """One obligation of the framework register (E4): the obligation (an id of casekit's catalog), who it applies to
    here, the organisation's policy that implements it, and the records (the world's tables) that prove it."""

    obligation: str = Field(max_length=40)
    scope: Scope
    policy: str = Field(default="", max_length=SHORT)
    records: list[str] = Field(default_factory=list, max_length=8)


class CourseRule(_Part):
    """A regulatory course of the training calendar (P5.1): the roles that take it, within how many days of hire
    and how often it recurs."""

    course: str = Field(max_length=40)
    roles: list[str] = Field(min_length=1, max_length=10)
    within_days: int = Field(ge=0, le=365)
    recurrence_months: int = Field(ge=1, le=60)


class Session(_Part):
    """One person booked on one course on one date."""

    staff_id: str = Field(max_length=20)
    course: str = Field(max_length=40)
    date: IsoDate


class Finding(_Part):
    """A breach found in the world's records (P5.2) and its register entry: the rule and the subject it concerns
    (a person and a day or month, a job ad, a data event, a complaint), the evidence rows; severity, root cause,
    owner, due date, the rectification (with the back pay where pay is owed), the preventive action, and the
    verification on the next month's records."""

    rule: RuleId
    staff_id: str = Field(default="", max_length=20)
    date: IsoDate | None = None
    month: str = Field(default="", pattern=r"^(\d{4}-\d{2})?$")
    ad_id: str = Field(default="", max_length=20)
    event_id: str = Field(default="", max_length=20)
    complaint_id: str = Field(default="", max_length=20)
    rows: list[str] = Field(default_factory=list, max_length=200)
    severity: Literal["low", "medium", "high"] = "medium"
    root_cause: str = Field(default="", max_length=SHORT)
    owner: str = Field(default="", max_length=20)
    due: IsoDate | None = None
    rectification: Rectification = "none"
    back_pay: int | None = Field(default=None, ge=0, le=10_000_000)
    prevention: Prevention = "none"
    preventive_note: str = Field(default="", max_length=SHORT)
    verification: Verification = "not_checked"

    @property
    def about(self) -> str:
        """The id of what the finding is about: the person, the ad, the data event or the complaint."""
        return self.staff_id or self.ad_id or self.event_id or self.complaint_id


def finding_key(f: Finding) -> tuple[str, str, str, str, str, str, str]:
    """What identifies a finding, as the rule library's keys do: rule, person, day, month, ad, event, complaint."""
    day = f.date.isoformat() if f.date is not None else ""
    return (f.rule, f.staff_id, day, f.month, f.ad_id, f.event_id, f.complaint_id)


class Reported(_Part):
    """The figures as the candidate saw them; each is recomputed by the grader."""

    findings: int | None = Field(default=None, ge=0)
    back_pay_total: int | None = Field(default=None, ge=0)
    sessions: int | None = Field(default=None, ge=0)


class T5Answer(DeclaredAnswer):
    """Schema version 1 of the T5 answer."""

    case: Literal["T5"] = "T5"
    framework: list[FrameworkEntry] = Field(default_factory=list, max_length=100)
    courses: list[CourseRule] = Field(default_factory=list, max_length=20)
    sessions: list[Session] = Field(default_factory=list, max_length=20_000)
    thresholds: dict[str, float] = Field(default_factory=dict, max_length=len(THRESHOLDS))
    findings: list[Finding] = Field(default_factory=list, max_length=2_000)
    next_month_run: bool = False
    reported: Reported = Reported()
    explanation: str = Field(default="", max_length=MAX_TEXT)
    discussion: str = Field(default="", max_length=MAX_TEXT)

    def rule_problems(self, source: str) -> list[Problem]:
        """Rules across fields: known figures, nothing given twice."""
        return answer_problems(self, source)


def answer_problems(doc: T5Answer, source: str) -> list[Problem]:
    """Every cross-field problem of ``doc`` that needs no world (the case and the grader check ids against it)."""
    problems: list[Problem] = []
    for name in sorted(set(doc.thresholds) - set(THRESHOLDS)):
        problems.append(
            Problem(source, f"thresholds.{name}", "expect.one_of", repr(name), {"expected": ", ".join(THRESHOLDS)})
        )
    for name, value in sorted(doc.thresholds.items()):
        if value < 0:
            problems.append(Problem(source, f"thresholds.{name}", "expect.ge", repr(value), {"limit": "0"}))
    keys: dict[str, list[tuple[str, ...]]] = {
        "framework": [(e.obligation,) for e in doc.framework],
        "courses": [(c.course,) for c in doc.courses],
        "sessions": [(s.staff_id, s.course, s.date.isoformat()) for s in doc.sessions],
        "findings": [finding_key(f) for f in doc.findings],
    }
    for part, items in keys.items():  # nothing given twice
        twice = repeated(items)
        if twice:
            problems.append(Problem(source, part, "expect.unique_items", twice, {}))
    for i, course in enumerate(doc.courses):
        twice = repeated([(r,) for r in course.roles])
        if twice:
            problems.append(Problem(source, f"courses.{i}.roles", "expect.unique_items", twice, {}))
    return problems
