"""How the simulated candidates plan training: the way a careful manager works it by hand, written down so the
profiles (:mod:`~casekit.cases.t2_training.profiles`) can follow it and make one mistake each.

Not offered to candidates: the case gives the figures (gaps, priorities, seats, cost, weekly service level) and the
candidate decides. The manager here takes the gaps the policy says must be closed, compliance-critical ones first and
then by priority; for each person books the offer that closes their remaining gaps at the lowest cost per gap
closed (``choose="cheapest"``) or the most expensive one (``choose="premium"``, the over-spender); and puts each
booking in the earliest session with a seat, in a week whose phones can spare the hours (the week's scheduled FTE
above the FTE its forecast needs, with a margin) and, for a critical gap, within the policy's first weeks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from casekit.cases.t2_training.case import T2Case

__all__ = ["HANDLING", "Draft", "draft_plan", "headroom_hours", "vendor_cohort"]

HANDLING = ("agent", "senior_agent")
#: the share of a week's spare phone hours the manager is willing to use
MARGIN = 0.9
WEEK_HOURS = 40.0


@dataclass
class Draft:
    """A plan being drawn up: the bookings, and what each week and session has left."""

    bookings: list[tuple[str, str]] = field(default_factory=list)
    hours_left: dict[int, float] = field(default_factory=dict)
    seats_left: dict[str, int] = field(default_factory=dict)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (staff, skill) with no session found


def headroom_hours(case: T2Case) -> dict[int, float]:
    """Per week, the phone hours that can go to training with the service level still met."""
    weeks = case.world.weeks
    needs = case.week_needs()
    return {
        int(w): max(0.0, (float(f) - n.fte) * WEEK_HOURS * MARGIN)
        for w, f, n in zip(weeks["week"], weeks["scheduled_fte"], needs, strict=True)
    }


def _offers_by_skill(case: T2Case) -> dict[str, list[tuple[str, float, frozenset[str]]]]:
    by_skill: dict[str, list[tuple[str, float, frozenset[str]]]] = defaultdict(list)
    for offer, skills, cost in zip(
        case.world.training["offer_id"],
        case.world.training["skills"],
        case.world.training["cost_per_person"],
        strict=True,
    ):
        covered = frozenset(str(skills).split(";"))
        for s in covered:
            by_skill[s].append((str(offer), float(cost), covered))
    return by_skill


def draft_plan(
    case: T2Case,
    gaps: pd.DataFrame,
    *,
    choose: Literal["cheapest", "premium"] = "cheapest",
    critical_within: int | None = None,
    forced: Mapping[str, str] | None = None,
    mind_phones: bool = True,
    after: Draft | None = None,
) -> Draft:
    """Book every (person, skill) gap of ``gaps`` (columns staff_id, role, skill_id, compliance_critical and
    priority-ordered) as the module says; ``forced`` maps people to an offer tried first for the gaps it covers;
    ``mind_phones=False`` books the earliest seat whatever the week's phones can spare; ``after`` is a draft whose
    bookings stay and whose seats and hours are what is left (a second pass)."""
    forced = dict(forced or {})
    world = case.world
    within = world.spec.training.critical_within_weeks if critical_within is None else critical_within
    sessions = world.training_sessions.sort_values(["week", "session_id"], kind="stable")
    by_offer: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for sid, offer, week in zip(sessions["session_id"], sessions["offer_id"], sessions["week"], strict=True):
        by_offer[str(offer)].append((str(sid), int(week)))
    session_offer = dict(zip(sessions["session_id"].astype(str), sessions["offer_id"].astype(str), strict=True))
    hours = dict(zip(world.training["offer_id"].astype(str), world.training["hours"].astype(float), strict=True))
    draft = after or Draft(
        hours_left=headroom_hours(case),
        seats_left=dict(zip(sessions["session_id"].astype(str), sessions["seats"].astype(int), strict=True)),
    )
    taken = set(draft.bookings)
    earlier: dict[str, set[str]] = defaultdict(set)  # person -> offers the draft already books them on
    for person, sid in taken:
        earlier[person].add(session_offer[sid])
    offers = _offers_by_skill(case)
    roles = dict(zip(world.staff["staff_id"].astype(str), world.staff["role"].astype(str), strict=True))
    ordered = gaps.assign(_c=~gaps["compliance_critical"].astype(bool)).sort_values(["_c"], kind="stable")
    remaining: dict[str, set[str]] = defaultdict(set)
    critical: set[tuple[str, str]] = set()
    for s, k, c in zip(ordered["staff_id"], ordered["skill_id"], ordered["compliance_critical"], strict=True):
        remaining[str(s)].add(str(k))
        if bool(c):
            critical.add((str(s), str(k)))
    for person, skill in zip(ordered["staff_id"].astype(str), ordered["skill_id"].astype(str), strict=True):
        if skill not in remaining[person]:
            continue  # closed by an earlier booking that covers it too
        options = offers.get(skill, [])
        if not options:
            draft.unplaced.append((person, skill))
            continue

        def value(option: tuple[str, float, frozenset[str]], person: str = person) -> tuple[bool, float, str]:
            cost = option[1] / len(option[2] & remaining[person])
            return (forced.get(person) != option[0], cost if choose == "cheapest" else -cost, option[0])

        latest = within if (person, skill) in critical else 10**6
        handling = roles.get(person) in HANDLING
        placed = False
        for offer, _, covered in sorted(options, key=value):
            if offer in earlier[person]:
                continue
            for sid, week in by_offer.get(offer, []):
                if week > latest or draft.seats_left.get(sid, 0) <= 0 or (person, sid) in taken:
                    continue
                if mind_phones and handling and draft.hours_left.get(week, 0.0) < hours[offer]:
                    continue
                draft.bookings.append((person, sid))
                draft.seats_left[sid] -= 1
                if handling:
                    draft.hours_left[week] -= hours[offer]
                remaining[person] -= covered
                placed = True
                break
            if placed:
                break
        if not placed:
            draft.unplaced.append((person, skill))
    return draft


def vendor_cohort(case: T2Case, gaps: pd.DataFrame, spend: float, *, budget_share: float = 0.9) -> dict[str, str]:
    """The people a careful manager sends on a vendor course instead of the cheaper offers: the vendor course whose
    skills most people of ``gaps`` lack (both of them where possible), as many as one session seats and the budget
    left above ``spend`` (up to ``budget_share`` of it) pays for, at least one when the course exists."""
    world = case.world
    offers = world.training[world.training["offer_type"] == "vendor_course"]
    if offers.empty:
        return {}
    lacking: dict[str, set[str]] = defaultdict(set)
    for person, skill in zip(gaps["staff_id"].astype(str), gaps["skill_id"].astype(str), strict=True):
        lacking[person].add(skill)
    best: tuple[int, str, list[str], float] | None = None
    for offer, skills, cost in zip(offers["offer_id"], offers["skills"], offers["cost_per_person"], strict=True):
        covered = set(str(skills).split(";"))
        people = sorted(p for p, k in lacking.items() if covered <= k) or sorted(
            p for p, k in lacking.items() if covered & k
        )
        if people and (best is None or len(people) > best[0]):
            best = (len(people), str(offer), people, float(cost))
    if best is None:
        return {}
    _, offer, people, cost = best
    sessions = world.training_sessions[world.training_sessions["offer_id"] == offer]
    seats = int(sessions["seats"].max()) if len(sessions) else 0
    room = budget_share * float(case.policy["budget"]) - spend
    n = max(1, min(len(people), seats, int(room // cost)))
    return {p: offer for p in people[:n]}
