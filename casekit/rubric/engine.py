"""Grading: run a rubric's automatic checks on an answer and combine them with assessors' marks.

Grading is two steps, kept apart so that a new mark never needs the checks to run again:

1. :func:`grade` runs each automatic check once (:func:`run_checks`); a check that raises, or returns something
   that is not a :class:`~casekit.rubric.checks.CheckOutcome`, becomes an ``error`` result for that criterion
   and grading goes on with the others. An assessor-judged criterion starts as ``awaiting_assessor``.
2. :func:`apply_marks` lets the marks decide: for each criterion the latest mark (by time) sets the state. A mark
   may also override an automatic result (moderation); the automatic result is kept beside it.

Nothing here reads a clock or the file system: the caller supplies mark times, so the same inputs always give
the same result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from casekit.errors import NotFoundError, UsageError
from casekit.i18n import t
from casekit.rubric.checks import CheckContext, CheckOutcome, CheckRegistry, builtin_checks
from casekit.rubric.model import Criterion, Rubric
from casekit.rubric.result import AssessorMark, AutoResult, CaseResult, CriterionResult, mark_order

__all__ = ["apply_marks", "grade", "run_checks"]


def grade(
    rubric: Rubric,
    context: CheckContext,
    marks: Sequence[AssessorMark] = (),
    *,
    registry: CheckRegistry | None = None,
) -> CaseResult:
    """Grade one case: run ``rubric``'s checks on ``context``, then let ``marks`` decide where they apply.

    ``marks`` are the current marks (see :func:`~casekit.rubric.result.current_marks`); a mark naming a criterion
    the rubric does not have is refused with :class:`~casekit.errors.UsageError`, since it would otherwise be
    silently lost.
    """
    return apply_marks(run_checks(rubric, context, registry=registry), marks)


def run_checks(rubric: Rubric, context: CheckContext, *, registry: CheckRegistry | None = None) -> CaseResult:
    """The result before any assessor has marked: automatic criteria checked, the others awaiting an assessor."""
    checks = registry if registry is not None else builtin_checks()
    return CaseResult(
        rubric_id=rubric.id,
        case=rubric.case,
        criteria=tuple(_unmarked(criterion, _auto(criterion, context, checks)) for criterion in rubric.criteria),
    )


def apply_marks(result: CaseResult, marks: Sequence[AssessorMark]) -> CaseResult:
    """``result`` with its criteria decided again from their automatic outcomes and ``marks``.

    Marks already in ``result`` are replaced by ``marks``, so applying the current marks to a stored result
    always gives the current state.
    """
    known = {c.id for c in result.criteria}
    unknown = sorted({m.criterion_id for m in marks} - known)
    if unknown:
        raise UsageError(t("rubric.mark_unknown_criterion", rubric=result.rubric_id, criteria=", ".join(unknown)))
    ordered = mark_order(marks)
    return dataclasses.replace(
        result,
        criteria=tuple(
            _decided(criterion, tuple(m for m in ordered if m.criterion_id == criterion.id))
            for criterion in result.criteria
        ),
    )


def _unmarked(criterion: Criterion, auto: AutoResult | None) -> CriterionResult:
    result = CriterionResult(
        id=criterion.id,
        state="awaiting_assessor",
        elements=criterion.elements,
        method=criterion.method,
        essential=criterion.essential,
        title=criterion.title.as_dict(),
        auto=auto,
    )
    return _decided(result, ())


def _decided(criterion: CriterionResult, marks: tuple[AssessorMark, ...]) -> CriterionResult:
    """The criterion's state from its marks (the latest decides), else from its check, else awaiting."""
    auto = criterion.auto
    if marks:
        last = marks[-1]
        return dataclasses.replace(
            criterion,
            state=last.result,
            evidence={} if auto is None else auto.evidence,
            message_key=f"rubric.mark_{last.result}",
            message_params={"assessor": last.assessor, "reason": last.reason, "time": last.time},
            marks=marks,
        )
    if auto is not None:
        return dataclasses.replace(
            criterion,
            state=auto.state,
            evidence=auto.evidence,
            message_key=auto.message_key,
            message_params=auto.message_params,
            marks=(),
        )
    return dataclasses.replace(
        criterion,
        state="awaiting_assessor",
        evidence={},
        message_key="rubric.awaiting_message",
        message_params={},
        marks=(),
    )


def _auto(criterion: Criterion, context: CheckContext, checks: CheckRegistry) -> AutoResult | None:
    """Run the criterion's check; any failure becomes an ``error`` result instead of stopping the grading."""
    name = criterion.judged_by.check
    if name is None:
        return None
    try:
        check = checks.get(name)
    except NotFoundError:
        return AutoResult(name, "error", {}, "rubric.check_missing", {"check": name})
    try:
        outcome = check(context, dict(criterion.judged_by.params))  # a copy: a check cannot change the rubric
        if not isinstance(outcome, CheckOutcome):
            raise TypeError(t("rubric.check_bad_return", check=name, got=type(outcome).__name__))
        met = bool(outcome.met)
        evidence = _plain(outcome.evidence)
        params = _plain(outcome.message_params)
    except Exception as exc:  # a faulty check is recorded against its criterion; the others still get graded
        error = f"{type(exc).__name__}: {exc}"
        return AutoResult(name, "error", {"error": error}, "rubric.check_error", {"check": name, "error": error})
    if outcome.message_key:
        key = outcome.message_key
    else:
        key = "rubric.check_met" if met else "rubric.check_not_met"
        params = {"check": name, **params}
    return AutoResult(name, "met" if met else "not_yet_met", evidence, key, params)


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """``mapping`` as plain, strict JSON data, so a result can be stored and sent between processes as data; a NaN
    or infinite number becomes ``None`` ("not computed")."""
    plain = _plain_value(dict(mapping))
    json.dumps(plain, allow_nan=False)  # what is left must be strict JSON
    return dict(plain)


def _plain_value(value: Any) -> Any:
    # numpy and pandas scalars and arrays convert themselves; imported by neither name to keep the core light
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _plain_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain_value(v) for v in value]
    if isinstance(value, set | frozenset):
        return [_plain_value(v) for v in sorted(value, key=repr)]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if callable(getattr(value, "tolist", None)):
        return _plain_value(value.tolist())
    if callable(getattr(value, "item", None)):
        return _plain_value(value.item())
    raise TypeError(t("rubric.evidence_not_json", type=type(value).__name__))
