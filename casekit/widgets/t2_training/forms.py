"""Pure data shaping between T2's form fields and the mappings the case validates. Nothing here validates: every
mapping goes through a :class:`~casekit.cases.t2_training.case.T2Case` method, which names every problem.

A dropdown cannot hold None as a choice, so a data problem of the whole record is the skill :data:`WHOLE` ("") on
the form and None in the document; a measure not chosen yet is "" on the form and left out of the document. An
optional number is a text field (blank = not given); a text that is not a number is passed on as it is, so the
model names the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from casekit.cases.t2_training.answer import LEVELS, DataIssue, Deferral, Evaluation, Induction, Need
from casekit.widgets.render import number_text, optional

__all__ = [
    "LEVELS",
    "WHOLE",
    "booking_data",
    "deferral_data",
    "deferral_fields",
    "evaluation_data",
    "induction_data",
    "issue_data",
    "issue_fields",
    "need_data",
    "need_fields",
    "number_text",
    "optional",
    "step_data",
]

#: the skill of a data problem that concerns the person's whole record
WHOLE = ""


def _whole(value: Any) -> Any:
    """A whole number from a number field; a value with a fraction as it is (the model names it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def issue_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """One data problem's mapping from its row: the whole-record skill as None."""
    skill = row["skill_id"]
    return {
        "staff_id": row["staff_id"],
        "skill_id": None if skill in (WHOLE, None) else skill,
        "problem": row["problem"],
        "action": row["action"],
    }


def issue_fields(issue: DataIssue) -> dict[str, Any]:
    return {
        "staff_id": issue.staff_id,
        "skill_id": WHOLE if issue.skill_id is None else issue.skill_id,
        "problem": issue.problem,
        "action": issue.action,
    }


def need_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "role": row["role"],
        "skill_id": row["skill_id"],
        "kind": row["kind"],
        "people": _whole(row["people"]),
        "priority": row["priority"],
        "critical": bool(row["critical"]),
    }


def need_fields(need: Need) -> dict[str, Any]:
    return need.model_dump()


def step_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"topic": row["topic"], "day": _whole(row["day"]), "owner": row["owner"]}


def induction_data(
    starter_id: str, buddy: str | None, trainer: str | None, go_live_day: Any, steps: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """One starter's induction from its form (a buddy or trainer not chosen yet is "", which the case names)."""
    return {
        "starter_id": starter_id,
        "buddy": buddy or "",
        "trainer": trainer or "",
        "go_live_day": _whole(go_live_day),
        "steps": [step_data(row) for row in steps],
    }


def induction_steps(plan: Induction) -> list[dict[str, Any]]:
    return [step.model_dump() for step in plan.steps]


def booking_data(rows: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"staff_id": s, "session_id": x} for s, x in rows]


def deferral_data(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"staff_id": row["staff_id"], "skill_id": row["skill_id"], "reason": str(row["reason"]).strip()}


def deferral_fields(deferral: Deferral) -> dict[str, Any]:
    return deferral.model_dump()


def evaluation_data(levels: Mapping[str, str], roi_offer: str | None, roi_percent: str, review: str) -> dict[str, Any]:
    """The evaluation's mapping from its form: the levels chosen (blank ones left out), the ROI offer (None when
    none is chosen) and the ROI typed (None when blank), the review as typed."""
    return {
        "levels": {level: m for level, m in levels.items() if m},
        "roi_offer": roi_offer or None,
        "roi_percent": optional(roi_percent),
        "review": review,
    }


def evaluation_fields(evaluation: Evaluation) -> dict[str, Any]:
    return {
        "levels": {level: evaluation.levels.get(level, "") for level in LEVELS},
        "roi_offer": evaluation.roi_offer or "",
        "roi_percent": number_text(evaluation.roi_percent),
        "review": evaluation.review,
    }
