"""What every T2 check shares: T2's check registry, the grading context with its cache, the answer read once, the
figures computed once per grading (the audit as the candidate handled its data, the true audit, the plan's rows,
the weekly service level) and the wording of outcomes. The checks are in
:mod:`~casekit.cases.t2_training.checks` (audit, needs, plan) and :mod:`~casekit.cases.t2_training.checks_more`
(induction and evaluation)."""

from __future__ import annotations

from typing import Final

import pandas as pd

from casekit.cases.checking import close, grading_context, outcomes, world_of
from casekit.cases.t2_training import audit as audit_mod
from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.answer import T2Answer
from casekit.cases.t2_training.case import handling
from casekit.rubric.checks import CheckContext, builtin_checks, cached

__all__ = [
    "CHECKS",
    "close",
    "doc",
    "grading_context",
    "handled_audit",
    "outcome",
    "rows",
    "true_above",
    "true_audit",
    "weekly",
    "world_of",
]

#: T2's checks: the generic built-ins and T2's own.
CHECKS: Final = builtin_checks()
#: the outcome of a T2 check, worded from the catalog ``t2check``
outcome: Final = outcomes("t2check")


def doc(context: CheckContext) -> T2Answer:
    return cached(context, "doc", lambda: T2Answer.model_validate(context.answer))


def rows(context: CheckContext) -> tuple[tuple[str, str], ...]:
    """The plan's bookings the world knows (an unknown staff or session id books nothing), once per grading."""

    def compute() -> tuple[tuple[str, str], ...]:
        world = world_of(context)
        staff, sessions = set(world.staff["staff_id"]), set(world.training_sessions["session_id"])
        return tuple(
            dict.fromkeys(
                (b.staff_id, b.session_id)
                for b in doc(context).plan
                if b.staff_id in staff and b.session_id in sessions
            )
        )

    return cached(context, "rows", compute)


def handled_audit(context: CheckContext) -> audit_mod.Audit:
    """The audit as the candidate's handling of the data problems leaves it (what they could see)."""

    def compute() -> audit_mod.Audit:
        world = world_of(context)
        known = set(world.staff["staff_id"])
        reassessed, assumed = handling(world, [i for i in doc(context).data_issues if i.staff_id in known])
        return audit_mod.audit(world, reassessed=reassessed, assumed=assumed)

    return cached(context, "handled_audit", compute)


def true_audit(context: CheckContext) -> audit_mod.Audit:
    """The audit with every record at its true current level: the gaps that really exist."""

    def compute() -> audit_mod.Audit:
        world = world_of(context)
        return audit_mod.audit(world, reassessed=frozenset(world.staff["staff_id"]))

    return cached(context, "true_audit", compute)


def true_above(context: CheckContext) -> pd.DataFrame:
    """The real person-skill gaps the organisation's policy says must be closed, with whether the plan closes each."""

    def compute() -> pd.DataFrame:
        world = world_of(context)
        found = true_audit(context)
        above = audit_mod.above_threshold(found, world.spec.training.priority_threshold)
        closed = schedule.closed_gaps(world, found, rows(context))
        keys = ["staff_id", "skill_id"]
        return above.merge(closed[[*keys, "closed", "week"]], on=keys, how="left").fillna({"closed": False})

    return cached(context, "true_above", compute)


def weekly(context: CheckContext) -> pd.DataFrame:
    world = world_of(context)
    return cached(context, "weekly", lambda: schedule.weekly_service_level(world, rows(context)))
