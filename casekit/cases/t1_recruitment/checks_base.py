"""What every T1 check shares: T1's check registry, the grading context with its cache, the answer read once,
and the wording of outcomes. The checks themselves are in :mod:`~casekit.cases.t1_recruitment.checks` (the job,
the interview and the selection) and :mod:`~casekit.cases.t1_recruitment.checks_people` (turnover, retention,
succession and the hire count)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from casekit.cases.t1_recruitment.answer import T1Answer
from casekit.rubric.checks import CheckContext, CheckOutcome, builtin_checks, cached
from casekit.scenario import World

__all__ = ["CHECKS", "GROUPINGS", "close", "doc", "grading_context", "outcome", "vacancy_role", "world_of"]

#: T1's checks: the generic built-ins and the ones below.
CHECKS: Final = builtin_checks()
GROUPINGS: Final = ("gender", "age_band")


def grading_context(answer: Mapping[str, Any], world: World) -> CheckContext:
    """A grading context for one T1 answer, with a cache shared by the checks and the evidence."""
    return CheckContext(answer=answer, world=world, extras={"cache": {}})


def doc(context: CheckContext) -> T1Answer:
    return cached(context, "doc", lambda: T1Answer.model_validate(context.answer))


def world_of(context: CheckContext) -> World:
    world: World = context.world
    return world


def outcome(met: bool, key: str, evidence: Mapping[str, Any], **params: Any) -> CheckOutcome:
    return CheckOutcome(
        met=met,
        evidence=dict(evidence),
        message_key=f"t1check.{key}_{'met' if met else 'not_met'}",
        message_params=params,
    )


def close(reported: float | None, truth: float, tolerance: float) -> bool:
    """Whether a reported figure is within ``tolerance`` (relative; absolute below 1) of the recomputed one."""
    if reported is None:
        return False
    return abs(reported - truth) <= tolerance * max(1.0, abs(truth))


def vacancy_role(world: World) -> str:
    return str(world.vacancy.iloc[0]["role"])
