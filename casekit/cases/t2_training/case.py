"""The T2 case as one object: what the candidate's widgets and the demo's simulated candidates both drive.

It holds the world (regenerated from organisation + seed), the skills records and the data problems the candidate
found in them with how each is handled (a reassessment, whose result the world gives back, or planning as if the
skill were at level 0), the audit that follows, the needs by role and kind, the induction of each new starter, the
training plan (bookings on the world's sessions, gaps deferred), its cost and the service level of every week with
it, the three simulated months after, the evaluation and the texts, and turns them into the answer document. All
the logic lives here or in the modules it calls, never in a widget callback, so tests see it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any, TypeVar

import pandas as pd

from casekit.cases.base import Case, ChecklistItem, Memo, parse_part, unknown_id
from casekit.cases.t2_training import audit as audit_mod
from casekit.cases.t2_training import evaluation as ev
from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.answer import (
    Booking,
    DataIssue,
    Deferral,
    Evaluation,
    Induction,
    Need,
    Reported,
    T2Answer,
    answer_problems,
)
from casekit.errors import AnswerError, Problem
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles
from casekit.staffing import StaffingNeed

__all__ = ["MEMO_SIZE", "T2Case", "handling", "rows_of", "unknown_ids"]

T = TypeVar("T")
#: How many figures a case keeps memoised (weekly tables, spends, audits by handling).
MEMO_SIZE = 64


def handling(world: World, issues: Iterable[DataIssue]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The people reassessed and the (person, skill) pairs planned as level 0, from the data problems handled.
    A whole-record entry (``skill_id`` None) planned as level 0 covers every required skill of the person."""
    reassessed: set[str] = set()
    assumed: set[tuple[str, str]] = set()
    whole: set[str] = set()
    for issue in issues:
        if issue.action == "reassess":
            reassessed.add(issue.staff_id)
        elif issue.skill_id is not None:
            assumed.add((issue.staff_id, issue.skill_id))
        else:
            whole.add(issue.staff_id)
    if whole:
        required = {r.id: tuple(r.required_skills) for r in load_roles()}
        staff = world.staff[world.staff["staff_id"].isin(sorted(whole))]
        for person, role in zip(staff["staff_id"].astype(str), staff["role"].astype(str), strict=True):
            assumed.update((person, s) for s in required.get(role, ()))
    return frozenset(reassessed), frozenset(assumed)


def rows_of(bookings: Iterable[Booking]) -> tuple[tuple[str, str], ...]:
    """The plan as the schedule's rows: (staff id, session id), in booking order."""
    return tuple((b.staff_id, b.session_id) for b in bookings)


def unknown_ids(doc: T2Answer, world: World, source: str = "answer") -> list[Problem]:
    """Ids in ``doc`` the world does not have (staff, starters, sessions, offers), each named with its field."""
    staff = set(world.staff["staff_id"])
    starters = set(world.new_starters["starter_id"])
    sessions = set(world.training_sessions["session_id"])
    offers = set(world.training["offer_id"])
    problems: list[Problem] = []

    def need(ok: bool, field: str, got: str, known: Collection[str]) -> None:
        if not ok:
            problems.append(unknown_id(source, field, got, known))

    for i, issue in enumerate(doc.data_issues):
        need(issue.staff_id in staff, f"data_issues.{i}.staff_id", issue.staff_id, staff)
    for i, plan in enumerate(doc.induction):
        need(plan.starter_id in starters, f"induction.{i}.starter_id", plan.starter_id, starters)
        need(plan.buddy in staff, f"induction.{i}.buddy", plan.buddy, staff)
        need(plan.trainer in staff, f"induction.{i}.trainer", plan.trainer, staff)
    for i, b in enumerate(doc.plan):
        need(b.staff_id in staff, f"plan.{i}.staff_id", b.staff_id, staff)
        need(b.session_id in sessions, f"plan.{i}.session_id", b.session_id, sessions)
    for i, d in enumerate(doc.deferred):
        need(d.staff_id in staff, f"deferred.{i}.staff_id", d.staff_id, staff)
    roi = doc.evaluation.roi_offer
    if roi is not None:
        need(roi in offers, "evaluation.roi_offer", roi, offers)
    return problems


class T2Case(Case[T2Answer]):
    """One candidate's T2 case."""

    answer_model = T2Answer

    def __init__(
        self, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
    ) -> None:
        super().__init__(org, seed, candidate_id, lang, world=world)
        self.data_issues: list[DataIssue] = []
        self.needs: list[Need] = []
        self.induction: dict[str, Induction] = {}
        self.bookings: list[Booking] = []
        self.deferred: list[Deferral] = []
        self.evaluation = Evaluation()
        self.outcome: ev.TrainingOutcome | None = None
        self._simulated_rows: tuple[tuple[str, str], ...] | None = None
        self.justification = ""
        self.discussion = ""
        #: figures that depend only on the world and a part of the answer, by that part: a draft save and every
        #: widget recompute ask for them after each change
        self._memo = Memo(MEMO_SIZE)
        #: figures of the world alone (the weekly Erlang-C needs, the budget): kept for the case's life
        self._fixed = Memo()

    def _memoised(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return self._memo.get(key, compute)

    def _world_figure(self, key: str, compute: Callable[[], T]) -> T:
        return self._fixed.get(key, compute)

    def _check_ids(self, doc: T2Answer, source: str) -> None:
        problems = answer_problems(doc, source) + unknown_ids(doc, self.world, source)
        if problems:
            raise AnswerError(problems)

    def _adopt(self, source: str, **parts: Any) -> T2Answer:
        """Validate ``parts`` as they will sit in the answer (ids against the world) and return the document."""
        doc = T2Answer.model_construct(**parts)  # the other parts at their defaults; the header is not read
        self._check_ids(doc, source)
        return doc

    # ---------------------------------------------------------------------------------------- the records
    @property
    def policy(self) -> dict[str, Any]:
        """The organisation's training policy: budget, priority threshold, how old an assessment may be, how soon
        a critical gap is trained, the go-live window for new starters, the service-level target."""
        training, targets = self.world.spec.training, self.world.spec.targets
        return {
            "budget": self._world_figure("budget", lambda: schedule.budget(self.world)),
            "priority_threshold": training.priority_threshold,
            "assessment_valid_months": training.assessment_valid_months,
            "critical_within_weeks": training.critical_within_weeks,
            "go_live_days": tuple(training.go_live_days),
            "service_level": targets.service_level,
            "service_level_seconds": targets.service_level_seconds,
        }

    def records(self) -> pd.DataFrame:
        """The skills records as the organisation holds them, with each record's age in months at the case's
        start date (a blank proficiency is a missing assessment)."""
        records = self.world.skills.merge(self.world.staff[["staff_id", "name", "role", "team"]], on="staff_id")
        start = self.world.spec.start_date
        age = pd.Timestamp(start) - pd.to_datetime(records["assessed_on"], format="%Y-%m-%d")
        records["age_months"] = (age.dt.days / 30.44).round(1)
        return records

    def set_data_issues(self, issues: Iterable[Any]) -> list[DataIssue]:
        """Adopt the data problems found and how each is handled; AnswerError naming every problem."""
        parsed = [parse_part(DataIssue, x, f"data_issues.{i}") for i, x in enumerate(issues)]
        self._adopt("data_issues", data_issues=parsed)
        self.data_issues = parsed
        return parsed

    @property
    def handled(self) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
        return handling(self.world, self.data_issues)

    def reassessment_results(self) -> pd.DataFrame:
        """What the reassessments found: the current level of every required skill of each person reassessed."""
        reassessed, _ = self.handled
        gaps = self.audit().gaps
        return gaps[gaps["staff_id"].isin(sorted(reassessed))].reset_index(drop=True)

    def audit(self) -> audit_mod.Audit:
        """The skills audit with the data problems handled as the candidate chose."""
        reassessed, assumed = self.handled
        key = ("audit", reassessed, assumed)
        return self._memoised(key, lambda: audit_mod.audit(self.world, reassessed=reassessed, assumed=assumed))

    def above_threshold(self) -> pd.DataFrame:
        """The person-skill gaps the organisation's policy says must be closed (or deferred with a reason)."""
        threshold = self.world.spec.training.priority_threshold
        key = ("above", *self.handled)
        return self._memoised(key, lambda: audit_mod.above_threshold(self.audit(), threshold))

    # -------------------------------------------------------------------------------------------- needs
    def set_needs(self, needs: Iterable[Any]) -> list[Need]:
        parsed = [parse_part(Need, x, f"needs.{i}") for i, x in enumerate(needs)]
        self._adopt("needs", needs=parsed)
        self.needs = parsed
        return parsed

    # ---------------------------------------------------------------------------------------- induction
    def starters(self) -> pd.DataFrame:
        """The new starters the world hires during the quarter, with whether each has an induction plan."""
        starters = self.world.new_starters.copy()
        starters["planned"] = [s in self.induction for s in starters["starter_id"]]
        return starters

    def set_induction(self, plan: Any) -> Induction:
        """Adopt (or replace) the induction of one starter."""
        parsed: Induction = parse_part(Induction, plan, "induction")
        others = [p for s, p in self.induction.items() if s != parsed.starter_id]
        self._adopt("induction", induction=[*others, parsed])
        self.induction[parsed.starter_id] = parsed
        return parsed

    # --------------------------------------------------------------------------------------------- plan
    @property
    def rows(self) -> tuple[tuple[str, str], ...]:
        return rows_of(self.bookings)

    def set_plan(self, bookings: Iterable[Any], deferred: Iterable[Any] = ()) -> list[Booking]:
        """Adopt the bookings and the deferred gaps; AnswerError naming every problem (unknown ids, a booking
        given twice). Whether the plan fits the budget, capacity and service level is shown, not refused."""
        parsed = [parse_part(Booking, x, f"plan.{i}") for i, x in enumerate(bookings)]
        later = [parse_part(Deferral, x, f"deferred.{i}") for i, x in enumerate(deferred)]
        self._adopt("plan", plan=parsed, deferred=later)
        self.bookings, self.deferred = parsed, later
        return parsed

    def week_needs(self) -> tuple[StaffingNeed, ...]:
        return self._world_figure("week_needs", lambda: tuple(schedule.week_needs(self.world)))

    def weekly_service_level(self, rows: Collection[tuple[str, str]] | None = None) -> pd.DataFrame:
        """The service level of every week of the quarter with the plan's training taken off the phones."""
        chosen = self.rows if rows is None else tuple(rows)
        return self._memoised(
            ("weekly", chosen), lambda: schedule.weekly_service_level(self.world, chosen, needs=self.week_needs())
        )

    def spend(self) -> int:
        return self._memoised(("spend", self.rows), lambda: schedule.spend(self.world, self.rows))

    def over_capacity(self) -> pd.DataFrame:
        return schedule.over_capacity(self.world, self.rows)

    def closed_gaps(self) -> pd.DataFrame:
        return schedule.closed_gaps(self.world, self.audit(), self.rows)

    # --------------------------------------------------------------------------------------- evaluation
    def simulate(self) -> ev.TrainingOutcome:
        """Run the three months after the plan (the world reacts: trained skills rise, linked KPIs move)."""
        self.outcome = ev.simulate_training(self.world, self.audit(), self.rows)
        self._simulated_rows = self.rows
        return self.outcome

    @property
    def outcome_is_current(self) -> bool:
        return self.outcome is not None and self._simulated_rows == self.rows

    def roi(self, offer_id: str) -> ev.Roi:
        outcome = self.outcome if self.outcome_is_current and self.outcome is not None else self.simulate()
        return ev.phillips_roi(self.world, outcome, self.rows, offer_id)

    def set_evaluation(self, data: Any) -> Evaluation:
        parsed: Evaluation = parse_part(Evaluation, data, "evaluation")
        self._adopt("evaluation", evaluation=parsed)
        self.evaluation = parsed
        return parsed

    # ------------------------------------------------------------------------------------------- answer
    def reported(self) -> Reported:
        """The figures as the candidate saw them; the grader recomputes each one."""
        totals = self.audit().totals()
        figures: dict[str, Any] = {
            "gap_technology": round(float(totals["technology"]), 2),
            "gap_customer_service": round(float(totals["customer_service"]), 2),
        }
        if self.bookings:
            figures["spend"] = float(self.spend())
            weekly = self.weekly_service_level()
            figures["lowest_service_level"] = round(float(weekly["service_level"].min()), 4)
        return Reported(**figures)

    def checklist(self) -> list[ChecklistItem]:
        """What the T2 rubric looks for, in the order the candidate works."""
        starters = set(self.world.new_starters["starter_id"])
        return [
            ChecklistItem("candidate.check_t2_issues", bool(self.data_issues)),
            ChecklistItem("candidate.check_t2_needs", bool(self.needs)),
            ChecklistItem("candidate.check_t2_induction", starters <= set(self.induction)),
            ChecklistItem("candidate.check_t2_plan", bool(self.bookings)),
            ChecklistItem("candidate.check_t2_evaluation", bool(self.evaluation.levels) and self.outcome_is_current),
            ChecklistItem("candidate.check_t2_justification", bool(self.justification.strip())),
            ChecklistItem("candidate.check_t2_discussion", bool(self.discussion.strip())),
            ChecklistItem("candidate.check_declared", self.declaration is not None),
        ]

    def _answer(self, header: dict[str, Any]) -> T2Answer:
        return T2Answer(
            **header,
            data_issues=list(self.data_issues),
            needs=list(self.needs),
            induction=[self.induction[s] for s in sorted(self.induction)],
            plan=list(self.bookings),
            deferred=list(self.deferred),
            evaluation=self.evaluation,
            reported=self.reported(),
            justification=self.justification,
            discussion=self.discussion,
        )

    def _resume(self, doc: T2Answer) -> None:
        self.data_issues = list(doc.data_issues)
        self.needs = list(doc.needs)
        self.induction = {p.starter_id: p for p in doc.induction}
        self.bookings, self.deferred = list(doc.plan), list(doc.deferred)
        self.evaluation = doc.evaluation
        if self.evaluation.levels or self.evaluation.roi_offer:
            self.simulate()  # the months the saved evaluation reviewed (deterministic: the same months)
        self.justification, self.discussion = doc.justification, doc.discussion
