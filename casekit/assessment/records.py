"""The facts the unit level is decided from, as frozen values, and the rule that turns one submission's facts into
its current result.

The gradebook stores these facts (:mod:`casekit.store`); nothing here reads or writes a file. A grading run says
what the checks found for one attempt's content; marks and moderation records are bound to the content they judged,
so a new attempt starts without them (until an assessor carries them over explicitly); the current result of a
submission is its latest grading, decided by the primary assessor's marks on that content, then by moderation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from casekit.errors import UsageError
from casekit.i18n import t
from casekit.rubric import AssessorMark, CaseResult, apply_marks
from casekit.rubric.result import State, criterion_from_json

__all__ = [
    "ACTIONS",
    "Action",
    "Attempt",
    "GradingRun",
    "Moderation",
    "SignOff",
    "case_result",
    "moderate",
    "parse_time",
]

Action = Literal["agree", "disagree", "resolve"]
ACTIONS: tuple[Action, ...] = ("agree", "disagree", "resolve")
Resolution = Literal["", "upheld", "overturned"]


def parse_time(text: str) -> dt.datetime:
    """An ISO-8601 time, UTC when it gives no offset."""
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Attempt:
    """One version of a candidate's answer to a case: its number (1, 2, ...), content SHA-256, when recorded, the
    file it came from, the SHA-256 of its body (the answer without its header: what two candidates' identical
    answers share) and when its candidate declared it their own work (``""``: no declaration)."""

    n: int
    sha256: str
    recorded_at: str
    source: str = ""
    body_sha256: str = ""
    declared_at: str = ""


@dataclass(frozen=True)
class GradingRun:
    """What one grading run found for one attempt: the automatic criterion results before any mark, and what it
    was graded with (rubric and its SHA-256, casekit version), so the record says how the result was reached."""

    candidate_id: str
    case: str
    sha256: str
    rubric_id: str
    rubric_sha256: str
    casekit_version: str
    criteria: tuple[Mapping[str, Any], ...]
    org: str | None = None
    seed: int | None = None
    source: str = ""
    attempt: int = 0
    recorded_at: str = ""
    body_sha256: str = ""
    declared_at: str = ""

    @property
    def key(self) -> str:
        return f"{self.candidate_id}/{self.case}"

    def result(self) -> CaseResult:
        """The automatic result (assessor criteria awaiting their mark)."""
        return CaseResult(self.rubric_id, self.case, tuple(criterion_from_json(c) for c in self.criteria))


@dataclass(frozen=True)
class Moderation:
    """A moderator's second judgement of one criterion of one attempt's content: ``agree`` with the primary
    assessor (or the check), ``disagree`` (the criterion is then in moderation), or ``resolve`` a disagreement
    (``upheld``: the primary judgement stands; ``overturned``: it is reversed), always with a reason."""

    criterion_id: str
    moderator: str
    action: Action
    reason: str
    time: str
    content_sha256: str = ""
    outcome: Resolution = ""

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise UsageError(t("assessment.moderation_action", None, got=repr(self.action)))
        if (self.action == "resolve") != (self.outcome in ("upheld", "overturned")):
            raise UsageError(t("assessment.moderation_outcome", None, action=self.action, got=repr(self.outcome)))
        # the same rules as an assessor's mark: named, with a reason, at a time
        AssessorMark(self.criterion_id, self.moderator, "met", self.reason, self.time)

    def to_json(self) -> dict[str, str]:
        return {
            "criterion_id": self.criterion_id,
            "moderator": self.moderator,
            "action": self.action,
            "outcome": self.outcome,
            "reason": self.reason,
            "time": self.time,
            "content_sha256": self.content_sha256,
        }


@dataclass(frozen=True)
class SignOff:
    """A declaration signed by an assessor or moderator, bound to the digest of the unit decision it signs: a later
    change to the evidence gives another digest, and the sign-off no longer counts (it stays, shown as void)."""

    candidate_id: str
    assessor: str
    role: Literal["assessor", "moderator"]
    statement: str
    digest: str
    time: str

    def __post_init__(self) -> None:
        AssessorMark("signoff", self.assessor, "met", self.statement, self.time)
        if self.role not in ("assessor", "moderator"):
            raise UsageError(t("assessment.signoff_role", None, got=repr(self.role)))

    def to_json(self) -> dict[str, str]:
        return {
            "candidate_id": self.candidate_id,
            "assessor": self.assessor,
            "role": self.role,
            "statement": self.statement,
            "digest": self.digest,
            "time": self.time,
        }


def _flip(state: State) -> State:
    flipped: dict[State, State] = {"met": "not_yet_met", "not_yet_met": "met"}
    return flipped.get(state, state)


def moderate(result: CaseResult, records: Sequence[Moderation]) -> CaseResult:
    """``result`` with moderation applied, criterion by criterion, in the order the records were made: a
    disagreement not yet resolved puts the criterion ``in_moderation`` (pending, never met); a resolution that
    overturns it reverses its state; agreement and upheld resolutions leave it as it is."""
    by_criterion: dict[str, list[Moderation]] = {}
    for record in records:
        by_criterion.setdefault(record.criterion_id, []).append(record)
    criteria = []
    for c in result.criteria:
        own = by_criterion.get(c.id, [])
        state: State = c.state
        key, params = c.message_key, dict(c.message_params)
        for record in own:
            if record.action == "disagree":
                state, key = "in_moderation", "assessment.moderation_open"
                params = {"moderator": record.moderator, "reason": record.reason}
            elif record.action == "resolve":
                state = c.state if record.outcome == "upheld" else _flip(c.state)
                key = f"assessment.moderation_{record.outcome}"
                params = {"moderator": record.moderator, "reason": record.reason}
        criteria.append(replace(c, state=state, message_key=key, message_params=params) if own else c)
    return replace(result, criteria=tuple(criteria))


def case_result(run: GradingRun, marks: Sequence[AssessorMark], moderation: Sequence[Moderation] = ()) -> CaseResult:
    """The current result of a submission: its grading, decided by the marks on that content, then moderated.
    Marks of criteria the rubric does not have stay in the history but decide nothing."""
    base = run.result()
    known = {c.id for c in base.criteria}
    decided = apply_marks(base, [m for m in marks if m.criterion_id in known])
    return moderate(decided, [r for r in moderation if r.criterion_id in known])
