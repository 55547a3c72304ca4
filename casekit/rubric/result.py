"""Grading results as frozen values: assessor marks, criterion results and the result of a case.

Results leave a kernel and cross processes as data, so every value here converts to plain JSON and back
(:func:`result_to_json`, :func:`result_from_json`) and pickles. "Needs a human" is a state
(``awaiting_assessor``), never a zero; an automatic check that failed is a state too (``error``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast, get_args

from casekit.errors import UsageError
from casekit.i18n import t

__all__ = [
    "MARK_RESULTS",
    "STATES",
    "AssessorMark",
    "AutoResult",
    "CaseResult",
    "CriterionResult",
    "MarkResult",
    "State",
    "criterion_from_json",
    "criterion_to_json",
    "current_marks",
    "mark_order",
    "result_from_json",
    "result_to_json",
]

State = Literal["met", "not_yet_met", "awaiting_assessor", "in_moderation", "error"]
MarkResult = Literal["met", "not_yet_met"]
AutoState = Literal["met", "not_yet_met", "error"]

STATES: Final[tuple[State, ...]] = get_args(State)
MARK_RESULTS: Final[tuple[MarkResult, ...]] = get_args(MarkResult)


_CONTROL_IN_NAME: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_TEXT: Final = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _parse_time(text: str) -> dt.datetime:
    """An ISO-8601 time; a time without an offset is taken as UTC so every mark can be ordered."""
    parsed = dt.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class AssessorMark:
    """An assessor's judgement of one criterion, with the reason and when it was given.

    The caller supplies ``time`` (ISO-8601) so grading stays deterministic. A mark is refused at construction
    when a field is empty or malformed: a judgement without a reason is not evidence.
    """

    criterion_id: str
    assessor: str
    result: MarkResult
    reason: str
    time: str

    def __post_init__(self) -> None:
        for name in ("criterion_id", "assessor", "reason", "time"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise UsageError(t("rubric.mark_field_required", field=name, got=repr(value)))
            # a name or an id is one line of plain text; a reason may have lines, never terminal or bidi controls
            if (_CONTROL_IN_TEXT if name == "reason" else _CONTROL_IN_NAME).search(value):
                raise UsageError(t("rubric.mark_control", field=name, got=repr(value)[:80]))
        if self.result not in MARK_RESULTS:
            raise UsageError(t("rubric.mark_result", got=repr(self.result), allowed=", ".join(MARK_RESULTS)))
        try:
            _parse_time(self.time)
        except ValueError:
            raise UsageError(t("rubric.mark_time", got=repr(self.time))) from None

    @property
    def moment(self) -> dt.datetime:
        """``time`` as an aware datetime (UTC when no offset was given)."""
        return _parse_time(self.time)

    def to_json(self) -> dict[str, str]:
        return {
            "criterion_id": self.criterion_id,
            "assessor": self.assessor,
            "result": self.result,
            "reason": self.reason,
            "time": self.time,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AssessorMark:
        return cls(
            criterion_id=data["criterion_id"],
            assessor=data["assessor"],
            result=data["result"],
            reason=data["reason"],
            time=data["time"],
        )


def mark_order(marks: Iterable[AssessorMark]) -> list[AssessorMark]:
    """``marks`` oldest first by time; marks with the same time keep the order given (the later one wins)."""
    return sorted(marks, key=lambda mark: mark.moment)


def current_marks(history: Iterable[AssessorMark]) -> list[AssessorMark]:
    """The current mark of each (criterion, assessor): the latest one; oldest first.

    An assessor who changes their mind adds a mark; the earlier one stays in the history but is no longer current.
    """
    latest: dict[tuple[str, str], AssessorMark] = {}
    for mark in mark_order(history):
        latest.pop((mark.criterion_id, mark.assessor), None)  # re-insert so the dict keeps time order
        latest[(mark.criterion_id, mark.assessor)] = mark
    return list(latest.values())


@dataclass(frozen=True)
class AutoResult:
    """What an automatic check said, kept even when an assessor's mark decides the criterion."""

    check: str
    state: AutoState
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    message_key: str = ""
    message_params: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class CriterionResult:
    """The result of one criterion: its state, what it evidences, why, and the marks that decided it.

    ``auto`` is ``None`` for an assessor-judged criterion. ``marks`` are the marks considered, oldest first; when
    there are any, the last decides ``state``.
    """

    id: str
    state: State
    elements: tuple[str, ...]
    method: str
    essential: bool
    title: Mapping[str, str] = field(default_factory=dict, hash=False)
    evidence: Mapping[str, Any] = field(default_factory=dict, hash=False)
    message_key: str = ""
    message_params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    auto: AutoResult | None = None
    marks: tuple[AssessorMark, ...] = ()

    @property
    def deciding_mark(self) -> AssessorMark | None:
        """The mark that decided the state, or ``None`` when no assessor has marked this criterion."""
        return self.marks[-1] if self.marks else None

    @property
    def moderated(self) -> bool:
        """True when an assessor's mark decides a criterion that a check also judged."""
        return self.auto is not None and bool(self.marks)

    def message(self, lang: str | None = None) -> str:
        """Why the criterion has its state, in ``lang``."""
        return t(self.message_key, lang, **self.message_params) if self.message_key else ""

    def state_label(self, lang: str | None = None) -> str:
        return t(f"rubric.state_{self.state}", lang)


@dataclass(frozen=True)
class CaseResult:
    """Every criterion result of one case graded against one rubric, in rubric order."""

    rubric_id: str
    case: str
    criteria: tuple[CriterionResult, ...]

    def criterion(self, criterion_id: str) -> CriterionResult:
        for result in self.criteria:
            if result.id == criterion_id:
                return result
        raise UsageError(t("rubric.unknown_criterion", rubric=self.rubric_id, criterion=criterion_id))

    def count(self, state: State) -> int:
        """How many criteria are in ``state``."""
        return sum(1 for c in self.criteria if c.state == state)


# --- JSON ------------------------------------------------------------------------------------------------------


def _auto_to_json(auto: AutoResult) -> dict[str, Any]:
    return {
        "check": auto.check,
        "state": auto.state,
        "evidence": dict(auto.evidence),
        "message_key": auto.message_key,
        "message_params": dict(auto.message_params),
    }


def criterion_to_json(result: CriterionResult) -> dict[str, Any]:
    return {
        "id": result.id,
        "state": result.state,
        "elements": list(result.elements),
        "method": result.method,
        "essential": result.essential,
        "title": dict(result.title),
        "evidence": dict(result.evidence),
        "message_key": result.message_key,
        "message_params": dict(result.message_params),
        "auto": None if result.auto is None else _auto_to_json(result.auto),
        "marks": [mark.to_json() for mark in result.marks],
    }


def criterion_from_json(data: Mapping[str, Any]) -> CriterionResult:
    auto = data.get("auto")
    return CriterionResult(
        id=data["id"],
        state=cast(State, data["state"]),
        elements=tuple(data["elements"]),
        method=data["method"],
        essential=bool(data["essential"]),
        title=dict(data.get("title", {})),
        evidence=dict(data.get("evidence", {})),
        message_key=data.get("message_key", ""),
        message_params=dict(data.get("message_params", {})),
        auto=None
        if auto is None
        else AutoResult(
            check=auto["check"],
            state=cast(AutoState, auto["state"]),
            evidence=dict(auto.get("evidence", {})),
            message_key=auto.get("message_key", ""),
            message_params=dict(auto.get("message_params", {})),
        ),
        marks=tuple(AssessorMark.from_json(m) for m in data.get("marks", [])),
    )


def result_to_json(result: CaseResult) -> dict[str, Any]:
    """``result`` as plain JSON-able data (the form results take between kernels, files and the gradebook)."""
    return {
        "rubric_id": result.rubric_id,
        "case": result.case,
        "criteria": [criterion_to_json(c) for c in result.criteria],
    }


def result_from_json(data: Mapping[str, Any]) -> CaseResult:
    """The :class:`CaseResult` that :func:`result_to_json` wrote."""
    return CaseResult(
        rubric_id=data["rubric_id"],
        case=data["case"],
        criteria=tuple(criterion_from_json(c) for c in data["criteria"]),
    )
