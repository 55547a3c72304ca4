"""T2's automatic checks of induction and evaluation (E3, K9): every new starter inducted with the required topics
in time, a qualified buddy and a trainer, and go-live in the policy's window; the evaluation's measures at the right
Kirkpatrick levels; and the Phillips ROI of a booked vendor course recomputed from the three simulated months."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casekit.cases.t2_training import evaluation as ev
from casekit.cases.t2_training.answer import LEVELS
from casekit.cases.t2_training.checks_base import CHECKS, doc, outcome, rows, true_audit, world_of
from casekit.rubric.checks import CheckContext, CheckOutcome, cached
from casekit.scenario.catalogs import load_induction_topics

__all__ = ["induction_faults", "training_outcome"]

#: the roles a buddy can have, and the coaching level a buddy needs
BUDDY_ROLES = ("agent", "senior_agent")
BUDDY_COACHING = 2


def training_outcome(context: CheckContext) -> ev.TrainingOutcome:
    """The three simulated months after the plan, once per grading."""
    world = world_of(context)
    return cached(context, "outcome", lambda: ev.simulate_training(world, true_audit(context), rows(context)))


def induction_faults(context: CheckContext) -> dict[str, list[str]]:
    """starter id -> what is wrong with their induction (codes), for every starter of the world; once per grading."""
    return cached(context, "induction_faults", lambda: _induction_faults(context))


def _induction_faults(context: CheckContext) -> dict[str, list[str]]:
    world = world_of(context)
    low, high = world.spec.training.go_live_days
    topics = load_induction_topics()
    staff = world.staff.set_index("staff_id")
    truth = world.truth["skills_current"]
    coaching = {
        str(s): float(c)
        for s, k, c in zip(truth["staff_id"], truth["skill_id"], truth["proficiency"], strict=True)
        if k == "coaching"
    }
    handling = staff[staff["role"].isin(BUDDY_ROLES)]
    coaches = {
        str(s): str(tm)
        for s, tm in zip(handling.index, handling["team"], strict=True)
        if coaching.get(str(s), 0.0) >= BUDDY_COACHING
    }
    teams = set(coaches.values())
    plans = {p.starter_id: p for p in doc(context).induction}
    faults: dict[str, list[str]] = {}
    for starter in world.new_starters.itertuples():
        plan = plans.get(str(starter.starter_id))
        if plan is None:
            faults[str(starter.starter_id)] = ["no_plan"]
            continue
        found: list[str] = []
        days = {step.topic: step.day for step in plan.steps}
        for topic in topics:
            day = days.get(topic.id)
            if day is None:
                if topic.required:
                    found.append(f"missing:{topic.id}")
                continue
            if topic.before_go_live and day > plan.go_live_day:
                found.append(f"after_go_live:{topic.id}")
            if topic.latest_day is not None and day > topic.latest_day:
                found.append(f"late:{topic.id}")
        if not low <= plan.go_live_day <= high:
            found.append("go_live_window")
        if plan.buddy not in coaches or (coaches[plan.buddy] != str(starter.team) and str(starter.team) in teams):
            found.append("buddy")
        trainer = staff.loc[plan.trainer] if plan.trainer in staff.index else None
        if trainer is None or str(trainer["role"]) != "trainer":
            found.append("trainer")
        if found:
            faults[str(starter.starter_id)] = found
    return faults


@CHECKS.register("induction_complete")
def induction_complete(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every new starter has an induction: each required topic, those before go-live before it, data protection
    on the first day; go-live within the policy's window; a buddy who handles contacts and can coach (level 2 or
    more), from the starter's team when it has one; a trainer who is one."""
    faults = induction_faults(context)
    starters = len(world_of(context).new_starters)
    met = not faults
    evidence = {"starters": starters, "faults": {k: v for k, v in sorted(faults.items())}}
    return outcome(met, "induction", evidence, starters=starters, faulty=len(faults))


@CHECKS.register("evaluation_levels")
def evaluation_levels(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """A measure for each of Kirkpatrick's four levels, each one the world records and at its own level (reaction,
    learning, behaviour on the job, results)."""
    levels = doc(context).evaluation.levels
    wrong = sorted(f"{lv}:{m}" for lv, m in levels.items() if m not in ev.KIRKPATRICK.get(lv, ()))
    absent = [lv for lv in LEVELS if lv not in levels]
    met = not wrong and not absent
    evidence = {"levels": dict(sorted(levels.items())), "wrong_level": wrong, "absent": absent}
    return outcome(met, "levels", evidence, wrong=len(wrong) + len(absent))


@CHECKS.register("roi_reproduces")
def roi_reproduces(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The Phillips ROI of a vendor course the plan books (of another booked offer when it books none), within
    ``tolerance`` of its size (at least one percentage point) of the ROI recomputed from the simulated months."""
    tolerance = float(params.get("tolerance", 0.05))
    world = world_of(context)
    evaluation = doc(context).evaluation
    offer = evaluation.roi_offer
    offers = world.training.set_index("offer_id")
    booked = set(world.training_sessions.set_index("session_id").loc[[s for _, s in rows(context)], "offer_id"])
    vendors_booked = {o for o in booked if str(offers.loc[o, "offer_type"]) == "vendor_course"}
    vendor = offer is not None and offer in offers.index and str(offers.loc[offer, "offer_type"]) == "vendor_course"
    fits = offer in booked and (vendor or not vendors_booked)  # a vendor course when the plan books one
    if offer is None or not fits or evaluation.roi_percent is None:
        evidence = {
            "roi_offer": offer,
            "vendor_course": vendor,
            "booked": offer in booked,
            "reported": evaluation.roi_percent,
        }
        return outcome(False, "roi", evidence, roi="—")
    roi = ev.phillips_roi(world, training_outcome(context), rows(context), offer)
    ok = abs(evaluation.roi_percent - roi.roi_percent) <= max(1.0, tolerance * abs(roi.roi_percent))
    evidence = {
        "roi_offer": offer,
        "reported": evaluation.roi_percent,
        "recomputed": round(roi.roi_percent, 2),
        "benefits": round(roi.benefits),
        "costs": round(roi.costs),
    }
    return outcome(ok, "roi", evidence, roi=round(roi.roi_percent, 1))
