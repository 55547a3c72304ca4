"""The toy case's own logic: which team's quality is lowest in the world, and what a fair QA target for it is.

The candidate names the team with the lowest mean QA score and sets it a target; the grader checks both against the
world regenerated from the seed (behaviour, not presence: a team that exists but is not the weakest does not pass).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from casekit.rubric import CheckContext, CheckOutcome, builtin_checks
from casekit.scenario import World

CHECKS = builtin_checks()


def team_qa(world: World) -> pd.Series:
    """Mean QA score (0-100) per agent team, over every evaluated contact of the world."""
    contacts = world.contacts.merge(world.staff[["staff_id", "team"]], on="staff_id")
    contacts = contacts[(contacts["qa_evals"] > 0) & (contacts["team"] != "SUP")]
    points = (contacts["qa_score"].fillna(0) * contacts["qa_evals"]).groupby(contacts["team"]).sum()
    return (points / contacts.groupby("team")["qa_evals"].sum()).sort_values()


def grading_context(answer: Mapping[str, Any], world: World) -> CheckContext:
    return CheckContext(answer=answer, world=world, extras={"cache": {"team_qa": team_qa(world)}})


def _qa(context: CheckContext) -> pd.Series:
    cached: pd.Series = context.extras["cache"]["team_qa"]
    return cached


@CHECKS.register("weakest_team_named")
def weakest_team_named(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    qa = _qa(context)
    named, weakest = context.answer.get("weakest_team"), str(qa.index[0])
    return CheckOutcome(named == weakest, {"named": named, "weakest": weakest, "qa": round(float(qa.iloc[0]), 2)})


@CHECKS.register("target_attainable", required_params=("max_quantile",))
def target_attainable(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Above the team's own QA (it must ask for improvement) and no higher than the given quantile of all teams."""
    qa = _qa(context)
    team = str(context.answer.get("weakest_team"))
    target = float(context.answer.get("qa_target", 0.0))
    own = float(qa.get(team, float("nan")))
    ceiling = float(qa.quantile(float(params["max_quantile"])))
    met = own < target <= ceiling
    return CheckOutcome(met, {"target": target, "team_qa": round(own, 2), "ceiling": round(ceiling, 2)})
