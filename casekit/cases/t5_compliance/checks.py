"""Automatic checks of the T5 rubric (``rubrics/t5-compliance.yaml``): the framework register and the regulatory
training calendar, in T5's registry :data:`CHECKS` (breach detection, the register and the verification are in
:mod:`~casekit.cases.t5_compliance.checks_breaches`).

Each check asks what the answer does in the world regenerated from the seed: which obligations apply to this
organisation (its industry, its size, who it employs), whether each is tied to the record that proves it, which
roles need which regulatory course, and whether every person on the staff list is booked before their course
falls due (from their hire date, or their last completion plus the recurrence, or within the grace period when
already overdue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casekit.cases.t5_compliance import calendar_review, checks_breaches, framework, register, training
from casekit.cases.t5_compliance.checks_base import (
    CHECKS,
    applicable,
    doc,
    grading_context,
    names_of,
    outcome,
    world_of,
)
from casekit.rubric.checks import CheckContext, CheckOutcome, cached

__all__ = ["CHECKS", "grading_context"]

assert checks_breaches.CHECKS is CHECKS  # P5.2's checks registered in the same registry


def _register(context: CheckContext) -> list[framework.RegisterProblem]:
    world = world_of(context)
    entries = doc(context).framework
    return cached(context, "framework", lambda: framework.register_problems(entries, world.spec, world.staff))


@CHECKS.register("framework_complete")
def framework_complete(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every obligation that applies to this organisation is listed, and none that does not (or is unknown)."""
    found = _register(context)
    missing = [p.obligation for p in found if p.problem == "missing"]
    extra = [p.obligation for p in found if p.problem in ("not_applicable", "unknown")]
    applies = [o.id for o in applicable(context)]
    evidence = {"applicable": applies, "missing": missing, "not_applicable": extra}
    met = not missing and not extra
    return outcome(met, "framework", evidence, missing=len(missing), extra=len(extra), items=names_of(missing + extra))


@CHECKS.register("framework_grounded")
def framework_grounded(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Each listed obligation that applies has the right scope, a proving record (only records that prove it) and
    a policy of at least ``min_policy`` characters."""
    min_policy = int(params.get("min_policy", 10))
    found = [p for p in _register(context) if p.problem in ("wrong_scope", "no_records", "not_proof", "empty_policy")]
    short = [e.obligation for e in doc(context).framework if 0 < len(e.policy.strip()) < min_policy]
    lang = context.answer.get("lang", "zh-TW") if isinstance(context.answer, Mapping) else "zh-TW"
    items = [p.message(str(lang)) for p in found] + [f"{o}: policy" for o in short]
    bad = sorted({p.obligation for p in found} | set(short))
    entries = doc(context).framework
    evidence = {"entries": len(entries), "problems": items[:50]}
    met = bool(entries) and not bad
    return outcome(met, "grounded", evidence, count=len(bad), items=names_of(bad))


def _calendar(context: CheckContext) -> calendar_review.CalendarReview:
    world = world_of(context)
    answer = doc(context)
    today = register.today(register.window(world.spec.start_date)[0])
    reg = world.tables["reg_training"]

    def compute() -> calendar_review.CalendarReview:
        return calendar_review.calendar_problems(
            answer.courses, answer.sessions, world.spec, training.staff_at(world, today), reg, start=today
        )

    return cached(context, "calendar", compute)


@CHECKS.register("training_courses")
def training_courses(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every course this organisation needs is set for every role that needs it, within the policy's deadline and
    recurrence."""
    review = _calendar(context)
    items = [f"{c.course}: {c.problem} {c.given}".strip() for c in review.courses]
    evidence = {"problems": items, "extra_roles": [f"{c}: {r}" for c, r in review.extra_roles]}
    return outcome(not review.courses and bool(doc(context).courses), "courses", evidence, items=names_of(items))


@CHECKS.register("training_scheduled")
def training_scheduled(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every person on the staff list is booked on each course they need by its due date."""
    review = _calendar(context)
    s = review.sessions
    missing = s[s["problem"] == "missing"]
    late = s[s["problem"] == "late"]
    other = s[~s["problem"].isin(["missing", "late"])]
    shown = [f"{r.staff_id} {r.course} ({r.problem})" for r in s.itertuples(index=False)]
    evidence = {
        "needed": len(review.due),
        "in_time": review.in_time,
        "missing": len(missing),
        "late": len(late),
        "other": len(other),
        "examples": shown[:50],
    }
    met = len(review.due) > 0 and s.empty
    return outcome(
        met, "scheduled", evidence, pairs=review.in_time, missing=len(missing), late=len(late), items=names_of(shown)
    )
