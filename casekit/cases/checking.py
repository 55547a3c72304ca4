"""What the automatic checks of every case kind share: a grading context with a cache the checks and the evidence
share, the world it grades in, the tolerance rule for a reported figure, and outcomes worded from a kind's catalog
(``<domain>.<key>_met`` / ``<domain>.<key>_not_met``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from casekit.rubric.checks import CheckContext, CheckOutcome
from casekit.scenario import World

__all__ = ["OutcomeMaker", "close", "grading_context", "outcomes", "world_of"]

OutcomeMaker = Callable[..., CheckOutcome]
"""``outcome(met, key, evidence, **params) -> CheckOutcome``."""


def grading_context(answer: Mapping[str, Any], world: World) -> CheckContext:
    """A grading context for one answer, with a cache shared by the checks and the evidence."""
    return CheckContext(answer=answer, world=world, extras={"cache": {}})


def world_of(context: CheckContext) -> World:
    world: World = context.world
    return world


def close(reported: float | None, truth: float, tolerance: float) -> bool:
    """Whether a reported figure is within ``tolerance`` (relative; absolute below 1) of the recomputed one."""
    if reported is None:
        return False
    return abs(reported - truth) <= tolerance * max(1.0, abs(truth))


def outcomes(domain: str) -> OutcomeMaker:
    """The outcome maker of a kind whose check messages are in the catalog ``domain``."""

    def outcome(met: bool, key: str, evidence: Mapping[str, Any], **params: Any) -> CheckOutcome:
        return CheckOutcome(
            met=met,
            evidence=dict(evidence),
            message_key=f"{domain}.{key}_{'met' if met else 'not_met'}",
            message_params=params,
        )

    return outcome
