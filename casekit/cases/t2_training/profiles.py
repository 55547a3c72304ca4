"""Simulated candidates of known quality for the T2 case: the demo's cohort and the rubric's test fixtures.

Each profile works the case through the same :class:`~casekit.cases.t2_training.case.T2Case` API as the widgets:
it reads the skills records and lists every blank or out-of-date one for reassessment, takes the audit that
follows, writes the needs of every role by kind, inducts every new starter, plans training the way
:mod:`~casekit.cases.t2_training.planner` describes, runs the three months and evaluates them. A flawed profile makes
one specific mistake, so the rubric must fail exactly the criteria that mistake targets (``FLAW_TARGETS``).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.planner import HANDLING, draft_plan, headroom_hours, vendor_cohort
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.catalogs import load_induction_topics, load_skills

__all__ = ["ASSESSOR_VIEW", "FLAW_TARGETS", "PROFILES", "build_case"]

#: profile -> the automatic T2 criteria its flaw makes not yet met.
FLAW_TARGETS: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset({"T2-C14"}),  # a benefit-cost ratio given as the ROI: a non-essential criterion
    "kinds_merged": frozenset({"T2-C04"}),
    "over_budget": frozenset({"T2-C07"}),
    "service_level_broken": frozenset({"T2-C09"}),
    "critical_open": frozenset({"T2-C05", "T2-C06"}),
    "someone_unscheduled": frozenset({"T2-C10"}),
}
PROFILES: tuple[str, ...] = tuple(FLAW_TARGETS)
#: profile -> the assessor-judged criteria a careful assessor finds not yet met in its written answer.
ASSESSOR_VIEW: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset(),
    "kinds_merged": frozenset({"T2-C16"}),
    "over_budget": frozenset({"T2-C15"}),
    "service_level_broken": frozenset({"T2-C15"}),
    "critical_open": frozenset({"T2-C15"}),
    "someone_unscheduled": frozenset(),
}
#: the day a starter goes live, counted from the policy's earliest go-live day
GO_LIVE_AFTER_EARLIEST = 3


def _data_issues(case: T2Case) -> None:
    """Every blank assessment, and every person whose record is older than the policy allows, reassessed."""
    records = case.records()
    limit = case.policy["assessment_valid_months"]
    issues: list[dict[str, Any]] = []
    stale = sorted(set(records.loc[records["age_months"] > limit, "staff_id"].astype(str)))
    issues += [{"staff_id": s, "skill_id": None, "problem": "stale", "action": "reassess"} for s in stale]
    blank = records[records["proficiency"].isna() & ~records["staff_id"].isin(stale)]
    issues += [
        {"staff_id": str(s), "skill_id": str(k), "problem": "missing", "action": "reassess"}
        for s, k in zip(blank["staff_id"], blank["skill_id"], strict=True)
    ]
    case.set_data_issues(issues)


def _needs(case: T2Case, merged: bool) -> None:
    above = case.above_threshold()
    needs = case.audit().needs
    keys = set(zip(above["role"], above["skill_id"], strict=True))
    rows = needs[[(r, s) in keys for r, s in zip(needs["role"], needs["skill_id"], strict=True)]]
    case.set_needs(
        {
            "role": str(r),
            "skill_id": str(s),
            "kind": "customer_service" if merged else str(k),
            "people": int(p),
            "priority": round(float(pr), 2),
            "critical": bool(c),
        }
        for r, s, k, p, pr, c in zip(
            rows["role"],
            rows["skill_id"],
            rows["category"],
            rows["people_affected"],
            rows["priority"],
            rows["compliance_critical"],
            strict=True,
        )
    )


def _inductions(case: T2Case) -> None:
    world, policy = case.world, case.policy
    go_live = int(policy["go_live_days"][0]) + GO_LIVE_AFTER_EARLIEST
    staff = world.staff
    trainer = str(staff.loc[staff["role"] == "trainer", "staff_id"].iloc[0])
    records = case.records()
    fresh = records[(records["skill_id"] == "coaching") & (records["age_months"] <= policy["assessment_valid_months"])]
    coaching = fresh.dropna(subset=["proficiency"]).set_index("staff_id")["proficiency"].astype(float)
    topics = load_induction_topics()
    early = [tp for tp in topics if tp.before_go_live and tp.id != "go_live"]
    for starter in world.new_starters.itertuples():
        handling = staff[staff["role"].isin(HANDLING)]
        levels = coaching.reindex(handling["staff_id"]).fillna(0).to_numpy()
        own_team = (handling["team"] == starter.team).to_numpy()
        order = sorted(range(len(handling)), key=lambda i: (bool(levels[i] < 2), not own_team[i], -float(levels[i]), i))
        buddy = str(handling["staff_id"].iloc[order[0]])
        steps = []
        for i, tp in enumerate(early):
            day = tp.latest_day if tp.latest_day is not None else min(go_live - 1, 1 + i * (go_live - 1) // len(early))
            owner = "buddy" if tp.id in ("shadowing", "nesting") else "trainer"
            steps.append({"topic": tp.id, "day": max(1, day), "owner": owner})
        steps += [
            {"topic": tp.id, "day": go_live if tp.id == "go_live" else go_live + 5, "owner": "team_leader"}
            for tp in topics
            if not tp.before_go_live or tp.id == "go_live"
        ]
        case.set_induction(
            {
                "starter_id": starter.starter_id,
                "buddy": buddy,
                "trainer": trainer,
                "go_live_day": go_live,
                "steps": steps,
            }
        )


def _plan(case: T2Case, profile: str) -> None:
    above = case.above_threshold()
    deferred: list[dict[str, str]] = []
    if profile == "critical_open":  # compliance-critical gaps left for later while the same people train on others
        others = set(above.loc[~above["compliance_critical"].astype(bool), "staff_id"])
        above = above[~(above["compliance_critical"].astype(bool) & above["staff_id"].isin(others))]
    if profile == "someone_unscheduled":  # one person's gaps all put off, no booking
        plain = above.groupby("staff_id")["compliance_critical"].any()
        person = str(plain[~plain].index[0])
        deferred = [
            {"staff_id": person, "skill_id": str(k), "reason": t("t2profile.deferral_reason", case.lang)}
            for k in above.loc[above["staff_id"] == person, "skill_id"]
        ]
        above = above[above["staff_id"] != person]
    if profile == "over_budget":  # every gap anyone has, on the dearest offer and then on a second one too
        gaps = case.audit().gaps
        gaps = gaps[gaps["gap"] > 0]
        first = draft_plan(case, gaps, choose="premium")
        bookings = draft_plan(case, gaps, after=first).bookings
    else:
        plain_plan = draft_plan(case, above)
        spend = float(schedule.spend(case.world, plain_plan.bookings))
        bookings = draft_plan(case, above, forced=vendor_cohort(case, above, spend)).bookings
    if profile == "service_level_broken":
        bookings = _one_week(case, bookings)
    case.set_plan([{"staff_id": s, "session_id": x} for s, x in bookings], deferred)


def _one_week(case: T2Case, bookings: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The plan's training for the phones' staff moved into the quarter's tightest week, as seats allow (a
    compliance-critical course only when that week is early enough): a plan made without looking at the weeks'
    service level."""
    world = case.world
    room = headroom_hours(case)
    week = min(room, key=lambda w: (room[w], w))
    early = week <= int(case.policy["critical_within_weeks"])
    sessions = world.training_sessions
    that_week = sessions[sessions["week"] == week]
    target = dict(zip(that_week["offer_id"].astype(str), that_week["session_id"].astype(str), strict=True))
    seats = dict(zip(sessions["session_id"].astype(str), sessions["seats"].astype(int), strict=True))
    offer_of = dict(zip(sessions["session_id"].astype(str), sessions["offer_id"].astype(str), strict=True))
    critical_skills = {s.id for s in load_skills() if s.compliance_critical}
    critical = {
        str(o)
        for o, k in zip(world.training["offer_id"], world.training["skills"], strict=True)
        if set(str(k).split(";")) & critical_skills
    }
    roles = dict(zip(world.staff["staff_id"].astype(str), world.staff["role"].astype(str), strict=True))
    used = dict.fromkeys(seats, 0)
    for _, sid in bookings:
        used[sid] += 1
    moved: list[tuple[str, str]] = []
    for person, sid in bookings:
        there = target.get(offer_of[sid])
        movable = roles.get(person) in HANDLING and (early or offer_of[sid] not in critical)
        if there and there != sid and movable and used[there] < seats[there]:
            used[there] += 1
            used[sid] -= 1
            moved.append((person, there))
        else:
            moved.append((person, sid))
    return list(dict.fromkeys(moved))


def _evaluate(case: T2Case, profile: str) -> None:
    case.simulate()
    plan = case.world.training_sessions.set_index("session_id").loc[[s for _, s in case.rows], "offer_id"]
    offers = case.world.training.set_index("offer_id")
    vendor = [o for o in plan if offers.loc[o, "offer_type"] == "vendor_course"] or list(plan)
    evaluation: dict[str, Any] = {
        "levels": {"L1": "reaction_survey", "L2": "post_assessment", "L3": "qa_score", "L4": "fcr"},
        "review": t("t2profile.review", case.lang),
    }
    if vendor:
        offer = str(pd.Series(vendor).value_counts().index[0])
        roi = case.roi(offer)
        figure = roi.benefits / roi.costs * 100 if profile == "competent" and roi.costs else roi.roi_percent
        evaluation |= {"roi_offer": offer, "roi_percent": round(float(figure), 2)}
    case.set_evaluation(evaluation)


def build_case(
    profile: str, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
) -> T2Case:
    """The case worked as ``profile`` would, ready to save."""
    if profile not in FLAW_TARGETS:
        raise UsageError(t("cases.unknown_profile", lang, profile=profile, profiles=", ".join(PROFILES)))
    case = T2Case(org, seed, candidate_id, lang, world=world)
    _data_issues(case)
    _needs(case, merged=profile == "kinds_merged")
    _inductions(case)
    _plan(case, profile)
    _evaluate(case, profile)
    view = ASSESSOR_VIEW[profile]
    case.justification = t(f"t2profile.justification_{'weak' if 'T2-C15' in view else 'good'}", case.lang)
    case.discussion = t(f"t2profile.discussion_{'weak' if 'T2-C16' in view else 'good'}", case.lang)
    case.declare(True)
    return case
