"""The T5 case as one object: what the candidate's widgets and the demo's simulated candidates both drive.

It holds the world (regenerated from organisation + seed) and its three months of records at the law's grain
(attendance, leave, overtime consent, payslips, job ads, personal-data events, regulatory training); the framework
register of the obligations that apply here; the regulatory courses and every person's booking; the law's figures
as the candidate states them and the rule library run with them; the breaches found and their register entries;
the next month the register makes, and the verification on it; and the texts. All the logic lives here or in the
modules it calls, never in a widget callback, so tests see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

import pandas as pd
from annotated_types import MaxLen

from casekit.cases.base import Case, ChecklistItem, Memo, parse_part, unknown_id
from casekit.cases.t5_compliance import calendar_review, framework, register, rules, tools, training, verify
from casekit.cases.t5_compliance.answer import (
    THRESHOLDS,
    CourseRule,
    Finding,
    FrameworkEntry,
    Reported,
    Session,
    T5Answer,
    answer_problems,
    finding_key,
)
from casekit.cases.t5_compliance.pay import back_pay
from casekit.errors import AnswerError, Problem, UsageError
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.catalogs import load_law
from casekit.scenario.compliance import T5_TABLES

__all__ = ["RECORDS", "T5Case", "unknown_ids"]

T = TypeVar("T")
#: the world's tables a T5 candidate works with
RECORDS = ("staff", *T5_TABLES)
MEMO_SIZE = 64


def unknown_ids(doc: T5Answer, world: World, source: str = "answer") -> list[Problem]:
    """Ids in ``doc`` the world does not have (people, ads, events, obligations, courses, tables), each named."""
    staff = set(world.staff["staff_id"])
    ads, events = set(world.job_ads["ad_id"]), set(world.data_events["event_id"])
    complaints = set(world.tables["complaints"]["complaint_id"]) if "complaints" in world.tables else set()
    obligations = {o.id for o in framework.catalog()}
    courses = {c.id for c in training.catalog()}
    roles = set(world.staff["role"])
    problems: list[Problem] = []

    def need(ok: bool, field: str, got: str, known: Collection[str]) -> None:
        if not ok:
            problems.append(unknown_id(source, field, got, known))

    for i, e in enumerate(doc.framework):
        need(e.obligation in obligations, f"framework.{i}.obligation", e.obligation, obligations)
        for j, name in enumerate(e.records):
            need(name in world.tables, f"framework.{i}.records.{j}", name, list(world.tables))
    for i, c in enumerate(doc.courses):
        need(c.course in courses, f"courses.{i}.course", c.course, courses)
        for j, role in enumerate(c.roles):
            need(role in roles, f"courses.{i}.roles.{j}", role, roles)
    for i, s in enumerate(doc.sessions):
        need(s.staff_id in staff, f"sessions.{i}.staff_id", s.staff_id, staff)
        need(s.course in courses, f"sessions.{i}.course", s.course, courses)
    for i, f in enumerate(doc.findings):
        if f.staff_id:
            need(f.staff_id in staff, f"findings.{i}.staff_id", f.staff_id, staff)
        if f.owner:
            need(f.owner in staff, f"findings.{i}.owner", f.owner, staff)
        if f.ad_id:
            need(f.ad_id in ads, f"findings.{i}.ad_id", f.ad_id, ads)
        if f.event_id:
            need(f.event_id in events, f"findings.{i}.event_id", f.event_id, events)
        if f.complaint_id:
            need(f.complaint_id in complaints, f"findings.{i}.complaint_id", f.complaint_id, complaints)
    return problems


def _too_many(parts: Mapping[str, Any], source: str) -> list[Problem]:
    """A part with more items than the answer holds, named now rather than when the answer is saved."""
    problems = []
    for name, value in parts.items():
        limit = next((m.max_length for m in T5Answer.model_fields[name].metadata if isinstance(m, MaxLen)), None)
        if limit is not None and len(value) > limit:
            problems.append(Problem(source, name, "expect.too_long", str(len(value)), {"max_length": str(limit)}))
    return problems


class T5Case(Case[T5Answer]):
    """One candidate's T5 case."""

    answer_model = T5Answer

    def __init__(
        self, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> None:
        super().__init__(org, seed, candidate_id, lang, world=world)
        self.framework: dict[str, FrameworkEntry] = {}
        self.courses: dict[str, CourseRule] = {}
        self.sessions: list[Session] = []
        self.thresholds: dict[str, float] = {}
        self.findings: dict[tuple[str, ...], Finding] = {}
        self.next_month_run = False
        self.explanation = ""
        self.discussion = ""
        self._memo = Memo(MEMO_SIZE)
        self._fixed = Memo()

    def _world_figure(self, key: str, compute: Callable[[], T]) -> T:
        return self._fixed.get(key, compute)

    def _adopt(self, source: str, **parts: Any) -> None:
        doc = T5Answer.model_construct(**parts)
        problems = _too_many(parts, source) + answer_problems(doc, source) + unknown_ids(doc, self.world, source)
        if problems:
            raise AnswerError(problems)

    # ------------------------------------------------------------------------------------------- the brief
    def window(self) -> list[str]:
        """The three months of records."""
        return register.window(self.world.spec.start_date)

    def today(self) -> dt.date:
        """The case's today: the day after the records end, when the register is drawn up and the calendar starts."""
        return register.today(self.window()[0])

    def records(self) -> dict[str, pd.DataFrame]:
        """The records the candidate works with, by table."""
        return {name: self.world.tables[name] for name in RECORDS}

    def filter(self, table: str, **filters: Any) -> pd.DataFrame:
        """The rows of one record table for a person, a month or a date range."""
        if table not in RECORDS:
            raise UsageError(t("t5.unknown_table", self.lang, table=table, tables=", ".join(RECORDS)))
        return rules.filter_rows(self.world.tables[table], **filters, lang=self.lang)

    # ---------------------------------------------------------------------------------------- framework
    def obligations(self) -> list[framework.Obligation]:
        """casekit's catalog of obligations (every one, not only those that apply here: choosing is the work)."""
        return list(framework.catalog())

    def set_framework(self, items: Iterable[Any]) -> list[FrameworkEntry]:
        parsed = [parse_part(FrameworkEntry, x, f"framework.{i}") for i, x in enumerate(items)]
        self._adopt("framework", framework=parsed)
        self.framework = {e.obligation: e for e in parsed}
        return parsed

    # ----------------------------------------------------------------------------------------- training
    def course_catalog(self) -> list[training.Course]:
        return list(training.catalog())

    def policy(self) -> dict[str, dict[str, int]]:
        """The organisation's training policy: per course, within how many days of hire and how often."""
        return {
            c.id: {"within_days": c.within_days, "recurrence_months": c.recurrence_months} for c in training.catalog()
        }

    def _course_key(self) -> tuple[tuple[str, tuple[str, ...], int, int], ...]:
        rules = self.courses.values()
        return tuple(sorted((c.course, tuple(c.roles), c.within_days, c.recurrence_months) for c in rules))

    def set_courses(self, items: Iterable[Any]) -> list[CourseRule]:
        parsed = [parse_part(CourseRule, x, f"courses.{i}") for i, x in enumerate(items)]
        self._adopt("courses", courses=parsed)
        self.courses = {c.course: c for c in parsed}
        return parsed

    def due(self) -> pd.DataFrame:
        """When each person's course falls due under the candidate's courses (who takes what): ``staff_id, role,
        course, due, last``."""
        key = ("due", self._course_key())
        return self._memo.get(key, lambda: training.due_for(self.world, list(self.courses.values()), self.today()))

    def schedule(self, course: str, dates: Iterable[dt.date]) -> list[Session]:
        """Book everybody the candidate's course ``course`` concerns on one of ``dates``: the latest on or before
        their due date, or the first after it when none is (late, and shown so). Replaces that course's bookings."""
        if course not in self.courses:
            raise UsageError(t("t5.course_not_set", self.lang, course=course))
        days = sorted(set(dates))
        if not days:
            raise UsageError(t("t5.no_dates", self.lang))
        due = self.due()
        mine = due[due["course"] == course]
        booked = [
            Session(staff_id=s, course=course, date=training.pick(days, d))
            for s, d in zip(mine["staff_id"], mine["due"], strict=True)
        ]
        self.set_sessions([s for s in self.sessions if s.course != course] + booked)
        return booked

    def set_sessions(self, items: Iterable[Any]) -> list[Session]:
        parsed = [parse_part(Session, x, f"sessions.{i}") for i, x in enumerate(items)]
        self._adopt("sessions", sessions=parsed)
        self.sessions = parsed
        return parsed

    def training_problems(self) -> pd.DataFrame:
        """What the calendar still lacks against the law's needs (required pairs unbooked or late)."""
        key = ("training", self._course_key(), tuple(self.sessions))
        needs = self._world_figure("needs", lambda: calendar_review.world_needs(self.world, self.today()))
        courses = list(self.courses.values())
        return self._memo.get(
            key, lambda: calendar_review.calendar_problems_for(self.world, courses, self.sessions, self.today(), needs)
        )

    # ------------------------------------------------------------------------------------ the rule tools
    def set_thresholds(self, figures: Mapping[str, float]) -> dict[str, float]:
        """Adopt the law's figures as the candidate states them; AnswerError naming an unknown or negative one."""
        values = {str(k): float(v) for k, v in figures.items()}
        self._adopt("thresholds", thresholds=values)
        self.thresholds = values
        return values

    def _law(self, rule: str) -> dict[str, Any]:
        years = sorted({int(m[:4]) for m in self.window()})
        return tools.law_from(load_law(), self.thresholds, years, rule, self.lang)

    def scan(self, rule: str, *, near: bool = False) -> pd.DataFrame:
        """The rule library run on the records with the candidate's figures: the breaches it finds (or, with
        ``near``, every row near the line, breach or not)."""
        rules.rule(rule, self.lang)
        key = ("scan", rule, near, tuple(sorted(self.thresholds.items())))
        records = self.records()
        if near:
            return self._memo.get(key, lambda: rules.candidates(rule, records, self._law(rule)))
        return self._memo.get(key, lambda: rules.detect(rule, records, self._law(rule)))

    def back_pay(self, rule: str, staff_id: str, month: str) -> int:
        """What a pay breach owes, computed with the candidate's figures."""
        law = self._law(rule)
        return back_pay({"rule": rule, "staff_id": staff_id, "month": month}, self.records(), law)

    # --------------------------------------------------------------------------------------- the findings
    def set_findings(self, items: Iterable[Any]) -> list[Finding]:
        """Adopt the findings (replacing all); AnswerError naming every problem."""
        parsed = [parse_part(Finding, x, f"findings.{i}") for i, x in enumerate(items)]
        self._adopt("findings", findings=parsed)
        self.findings = {finding_key(f): f for f in parsed}
        self.next_month_run = False
        return parsed

    def add_scan(self, rule: str, **entry: Any) -> list[Finding]:
        """Every breach :meth:`scan` finds for ``rule`` as a finding with its evidence rows (and, for pay, the back
        pay the candidate's figures give), with the register fields in ``entry``; keeps findings already made."""
        found = self.scan(rule)
        new = []
        for row in found.itertuples(index=False):
            data = {
                "rule": rule,
                "staff_id": row.staff_id,
                "date": row.date or None,
                "month": row.month,
                "ad_id": row.ad_id,
                "event_id": row.event_id,
                "complaint_id": row.complaint_id,
                "rows": [r for r in str(row.rows).split(";") if r],
                **entry,
            }
            if rule in register.PAY_RULES and "back_pay" not in entry:
                data["back_pay"] = int(str(row.back_pay))
            new.append(Finding.model_validate(data))
        kept = [f for k, f in self.findings.items() if k not in {finding_key(n) for n in new}]
        self.set_findings(kept + new)
        return new

    def update_findings(self, keys: Iterable[tuple[str, ...]], **fields: Any) -> None:
        """Set register fields (owner, due, root cause, ...) on the findings with ``keys``."""
        self.update_each({k: fields for k in keys})

    def update_each(self, changes: Mapping[tuple[str, ...], Mapping[str, Any]]) -> None:
        """Set each finding's own register fields (``key -> fields``), validated and adopted at once."""
        items = [f.model_copy(update=dict(changes[k])) if k in changes else f for k, f in self.findings.items()]
        edited = {name for fields in changes.values() for name in fields}
        ran = self.next_month_run and edited <= {"verification"}  # verifying does not change the register
        self.set_findings([f.model_dump() for f in items])
        self.next_month_run = ran

    # ------------------------------------------------------------------------------------- next month
    def _register_key(self) -> tuple[Any, ...]:
        """What the next month depends on: each finding and what its entry does to it."""
        return tuple((finding_key(f), f.rectification, f.prevention) for f in self.findings.values())

    def run_next_month(self) -> Mapping[str, pd.DataFrame]:
        """The world's fourth month under the register as it stands (the rectifications and preventive actions)."""
        found = list(self.findings.values())
        if not found:
            raise UsageError(t("t5.no_findings", self.lang))
        month = self._memo.get(("next", self._register_key()), lambda: verify.next_month_of(self.world, found))
        self.next_month_run = True
        return month

    def next_scan(self, rule: str) -> pd.DataFrame:
        """The rule library on the next month's records, with the candidate's figures: what falls in that month."""
        rules.rule(rule, self.lang)
        month = self.run_next_month()
        register_key = self._register_key()
        records = self._memo.get(("next_records", register_key), lambda: verify.next_records(self.world, month))
        key = ("next_scan", register_key, rule, tuple(sorted(self.thresholds.items())))
        found = self._memo.get(key, lambda: rules.detect(rule, records, self._law(rule)))
        return verify.in_next_month(found, self.today().isoformat())

    # --------------------------------------------------------------------------------------------- answer
    def reported(self) -> Reported:
        found = list(self.findings.values())
        total = sum(f.back_pay or 0 for f in found)
        return Reported(findings=len(found), back_pay_total=total, sessions=len(self.sessions))

    def checklist(self) -> list[ChecklistItem]:
        complete = bool(self.findings) and all(register.filled(f) for f in self.findings.values())
        verified = self.next_month_run and all(f.verification != "not_checked" for f in self.findings.values())
        return [
            ChecklistItem("candidate.check_t5_framework", bool(self.framework)),
            ChecklistItem("candidate.check_t5_courses", bool(self.courses)),
            ChecklistItem("candidate.check_t5_sessions", bool(self.sessions)),
            ChecklistItem("candidate.check_t5_figures", set(THRESHOLDS) <= set(self.thresholds)),
            ChecklistItem("candidate.check_t5_findings", bool(self.findings)),
            ChecklistItem("candidate.check_t5_register", complete),
            ChecklistItem("candidate.check_t5_verified", verified),
            ChecklistItem("candidate.check_t5_explanation", bool(self.explanation.strip())),
            ChecklistItem("candidate.check_t5_discussion", bool(self.discussion.strip())),
            ChecklistItem("candidate.check_declared", self.declaration is not None),
        ]

    def _answer(self, header: dict[str, Any]) -> T5Answer:
        return T5Answer(
            **header,
            framework=[self.framework[k] for k in sorted(self.framework)],
            courses=[self.courses[k] for k in sorted(self.courses)],
            sessions=sorted(self.sessions, key=lambda s: (s.course, s.staff_id, s.date)),
            thresholds=dict(sorted(self.thresholds.items())),
            findings=[self.findings[k] for k in sorted(self.findings)],
            next_month_run=self.next_month_run,
            reported=self.reported(),
            explanation=self.explanation,
            discussion=self.discussion,
        )

    def _resume(self, doc: T5Answer) -> None:
        self.framework = {e.obligation: e for e in doc.framework}
        self.courses = {c.course: c for c in doc.courses}
        self.sessions = list(doc.sessions)
        self.thresholds = dict(doc.thresholds)
        self.findings = {finding_key(f): f for f in doc.findings}
        self.next_month_run = doc.next_month_run
        self.explanation, self.discussion = doc.explanation, doc.discussion
