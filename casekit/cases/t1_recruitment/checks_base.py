"""What every T1 check shares: T1's check registry, the grading context with its cache, the answer read once,
and the wording of outcomes. The checks themselves are in :mod:`~casekit.cases.t1_recruitment.checks` (the job,
the interview and the selection) and :mod:`~casekit.cases.t1_recruitment.checks_people` (turnover, retention,
succession and the hire count)."""

from __future__ import annotations

from typing import Final

from casekit.cases.checking import close, grading_context, outcomes, world_of
from casekit.cases.t1_recruitment.answer import T1Answer
from casekit.rubric.checks import CheckContext, builtin_checks, cached
from casekit.scenario import World

__all__ = ["CHECKS", "GROUPINGS", "close", "doc", "grading_context", "outcome", "vacancy_role", "world_of"]

#: T1's checks: the generic built-ins and the ones below.
CHECKS: Final = builtin_checks()
#: the outcome of a T1 check, worded from the catalog ``t1check``
outcome: Final = outcomes("t1check")
GROUPINGS: Final = ("gender", "age_band")


def doc(context: CheckContext) -> T1Answer:
    return cached(context, "doc", lambda: T1Answer.model_validate(context.answer))


def vacancy_role(world: World) -> str:
    return str(world.vacancy.iloc[0]["role"])
