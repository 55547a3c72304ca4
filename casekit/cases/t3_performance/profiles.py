"""Simulated candidates of known quality for the T3 case: the demo's cohort and the rubric's test fixtures.

Each profile works the case through the same :class:`~casekit.cases.t3_performance.case.T3Case` API as the widgets.
A strong candidate measures every role on a balanced set (efficiency, quality, the role's own work, and learning),
proposes each member a stretch on their own history (a quarter of the way from their median month to their best),
and the role's norm (the peers' median) to those with a reason to differ, listens when they object (a complex queue,
a new starter) and revises to their own history, books a one-to-one every month, the appraisal and each PIP review,
writes the data plan from the systems the data comes from, rates each member as the review period's data gives,
plans development on each low performer's largest gap with a training offer that moves it, and recognises those
above target.

A flawed profile makes one specific mistake, so the rubric must fail exactly the criteria that mistake targets
(``FLAW_TARGETS``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from casekit.cases.t3_performance.case import T3Case
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.catalogs import load_kpi_catalog

__all__ = ["ASSESSOR_VIEW", "FLAW_TARGETS", "PROFILES", "build_case"]

#: profile -> the automatic T3 criteria its flaw makes not yet met.
FLAW_TARGETS: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset({"T3-C10"}),  # the data collected quarterly: a non-essential criterion
    "aht_only": frozenset({"T3-C01", "T3-C02"}),
    "above_p95": frozenset({"T3-C03"}),
    "agreement_unrecorded": frozenset({"T3-C06"}),
    "pip_unreviewed": frozenset({"T3-C09"}),
    "unrelated_plan": frozenset({"T3-C12"}),
}
PROFILES: tuple[str, ...] = tuple(FLAW_TARGETS)
#: profile -> the assessor-judged criteria a careful assessor finds not yet met in its written answer.
ASSESSOR_VIEW: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset(),
    "aht_only": frozenset({"T3-C15"}),
    "above_p95": frozenset({"T3-C15"}),
    "agreement_unrecorded": frozenset({"T3-C16"}),
    "pip_unreviewed": frozenset({"T3-C16"}),
    "unrelated_plan": frozenset({"T3-C15"}),
}
#: KPIs a strong candidate leaves out of a set: a second measure of what another already measures
LEFT_OUT = frozenset({"availability", "contacts_per_hour", "csat", "conversion", "team_aht_s"})
#: how far past the ceiling the ``above_p95`` profile sets its targets (relative)
BEYOND = 0.03
#: the day of each month the one-to-ones fall on, and the days after the period the appraisal falls on
ONE_TO_ONE_DAY = 10
APPRAISAL_AFTER = 5


def _sets(case: T3Case, profile: str) -> None:
    sets = []
    for role in sorted(set(case.members()["role"])):
        if profile == "aht_only" and role in ("agent", "senior_agent"):
            chosen = ["aht_s"]
        else:
            chosen = [k for k in case.kpis_for(role) if k not in LEFT_OUT]
        sets.append({"role": role, "kpis": chosen[:8], "note": t("t3profile.set_note", case.lang)})
    case.set_kpi_sets(sets)


def _better(direction: float, a: float, b: float) -> bool:
    return direction * (a - b) > 0


def _targets(case: T3Case, profile: str) -> pd.DataFrame:
    """Every member x set KPI with the first proposal and the member's own stretch value."""
    wanted = case.wanted()
    bands = case.bands()
    peers = case.peers()
    norm = peers.groupby(["role", "kpi"])["value"].median().rename("norm").reset_index()
    frame = wanted.merge(bands.drop(columns=["role"], errors="ignore"), on=["staff_id", "kpi"], how="left")
    frame = frame.merge(norm, on=["role", "kpi"], how="left")
    sign = frame["direction"].astype(float)
    # the member's stretch: a quarter of the way from their median to their best month, never past the ceiling
    own = frame["median"] + 0.25 * (frame["best"] - frame["median"])
    own = own.where(sign * (own - frame["ceiling"]) <= 0, frame["ceiling"])
    frame["own"] = own.where(own.notna(), frame["floor"])
    norm_v = frame["norm"].where(frame["norm"].notna(), frame["own"])
    # the role's norm first to a member with a reason to differ (a complex queue, a new starter), who says why it is
    # not theirs; everyone else their own stretch
    reason = frame["reason"].isin(["complex_queue", "ramping"])
    frame["first"] = norm_v.where(reason & (sign * (norm_v - frame["floor"]) >= 0), frame["own"])
    if profile == "above_p95":
        plain = frame["reason"].fillna("").eq("")
        beyond = frame["ceiling"] + sign * BEYOND * frame["ceiling"].abs()
        frame.loc[plain & frame["kpi"].eq(_first_quality(case)), "first"] = beyond
    frame["first"] = frame["first"].round(4)
    frame["own"] = frame["own"].round(4)
    return frame


def _first_quality(case: T3Case) -> str:
    return "qa" if "qa" in set(case.wanted()["kpi"]) else str(case.wanted()["kpi"].iloc[0])


def _agree(case: T3Case, profile: str) -> None:
    frame = _targets(case, profile)
    day = case.calendar().history_end + dt.timedelta(days=3)
    rows = list(zip(frame["staff_id"], frame["kpi"], frame["first"], strict=True))
    said = case.propose(rows)
    items: list[dict[str, Any]] = []
    for first, own, r in zip(frame["first"], frame["own"], said.itertuples(index=False), strict=True):
        objected = r.verdict == "object"
        reason, words = (str(r.reason) if objected else None), str(r.comment)
        if profile == "agreement_unrecorded":  # the targets written down, the members never asked
            agreed = own if objected else first
            items.append(_agreement(r, agreed, agreed, day, "accept", None, "", ""))
            continue
        if not objected:
            items.append(_agreement(r, first, first, day, "accept", None, words, ""))
        elif profile == "above_p95" and r.reason == "above_best":  # held against the member's objection
            hold = t("t3profile.hold", case.lang)
            items.append(_agreement(r, first, first, day, "object", reason, words, hold))
        else:
            reply = t("t3profile.revise", case.lang)
            items.append(_agreement(r, first, own, day, "object", reason, words, reply))
    case.set_agreements(items)


def _agreement(
    r: Any, proposed: float, agreed: float, day: dt.date, verdict: str, reason: str | None, comment: str, reply: str
) -> dict[str, Any]:
    return {
        "staff_id": r.staff_id,
        "kpi": r.kpi,
        "proposed": float(proposed),
        "agreed": float(agreed),
        "date": day,
        "member_verdict": verdict,
        "member_reason": reason,
        "member_comment": comment,
        "reply": reply,
        "change": "revised" if agreed != proposed else "none",
    }


def _calendar(case: T3Case, profile: str) -> None:
    cal = case.calendar()
    reviews: list[dict[str, Any]] = []
    for staff_id in case.members()["staff_id"]:
        for month in cal.period_months:
            year, mon = (int(x) for x in month.split("-"))
            reviews.append({"staff_id": staff_id, "kind": "one_to_one", "date": dt.date(year, mon, ONE_TO_ONE_DAY)})
        reviews.append(
            {"staff_id": staff_id, "kind": "appraisal", "date": cal.period_end + dt.timedelta(days=APPRAISAL_AFTER)}
        )
    if profile != "pip_unreviewed":
        first_day = cal.history_end + dt.timedelta(days=1)
        for pip in case.pips().itertuples(index=False):
            start = dt.date.fromisoformat(str(pip.start_date))
            day = max(start + dt.timedelta(days=14), first_day)
            reviews.append({"staff_id": pip.staff_id, "kind": "pip_review", "date": day})
    case.set_reviews(reviews)


def _data_plan(case: T3Case, profile: str) -> None:
    kpis = {k.id: k for k in load_kpi_catalog()}
    owner = {"hr": "team_leader", "lms": "trainer", "activity_log": "team_leader"}
    roles = set(case.members()["role"])
    plan = []
    for kpi in sorted(set(case.wanted()["kpi"])):
        source = kpis[kpi].source
        who = (
            "workforce_planner"
            if source == "wfm" and "workforce_planner" in roles
            else owner.get(source, "team_leader")
        )
        frequency = "quarterly" if profile == "competent" else kpis[kpi].frequency
        plan.append(
            {"kpi": kpi, "source": source, "frequency": frequency, "owner_role": who if who in roles else "team_leader"}
        )
    case.set_data_plan(plan)


def _appraise(case: T3Case, profile: str) -> None:
    ratings = case.ratings()
    case.set_appraisal(
        {"staff_id": s, "rating": int(r), "comment": t("t3profile.rating_comment", case.lang)}
        for s, r in zip(ratings["staff_id"], ratings["rating"], strict=True)
    )
    results = case.results()
    gaps = case.main_gaps()
    members = case.members()
    owners = _owners(members)
    due = case.calendar().appraisal_due + dt.timedelta(days=60)
    low = set(ratings.loc[ratings["rating"] <= 2, "staff_id"])
    plans = []
    for staff_id, kpi in zip(gaps["staff_id"], gaps["kpi"], strict=True):
        if staff_id not in low:
            continue
        measure = str(kpi)
        if profile == "unrelated_plan":  # a plan on what the member already does well
            met = results[(results["staff_id"] == staff_id) & results["met"]]
            measure = str(met["kpi"].iloc[0]) if len(met) else _unlinked_kpi(case, measure)
        offers = case.linked_offers(measure)
        target = (
            float(results.loc[(results["staff_id"] == staff_id) & (results["kpi"] == measure), "target"].iloc[0])
            if ((results["staff_id"] == staff_id) & (results["kpi"] == measure)).any()
            else 0.0
        )
        plans.append(
            {
                "staff_id": staff_id,
                "kpi": measure,
                "action": "training" if offers else "coaching",
                "offer_id": offers[0] if offers else None,
                "owner": owners.get(str(members.set_index("staff_id").loc[staff_id, "team"]), owners["*"]),
                "due": due,
                "measure": measure,
                "target": target,
            }
        )
    case.set_development(plans)
    top = ratings.loc[ratings["rating"] == 4, "staff_id"]
    case.set_recognition({"staff_id": s, "kind": "praise", "note": t("t3profile.praise", case.lang)} for s in top)


def _unlinked_kpi(case: T3Case, kpi: str) -> str:
    others = [k for k in sorted(set(case.wanted()["kpi"])) if k != kpi]
    return others[0] if others else kpi


def _owners(members: pd.DataFrame) -> dict[str, str]:
    """Who owns a member's development: their team leader, else the trainer, else any team leader (``*``)."""
    leaders = members[members["role"] == "team_leader"]
    owners = dict(zip(leaders["team"].astype(str), leaders["staff_id"].astype(str), strict=True))
    trainers = members.loc[members["role"] == "trainer", "staff_id"].astype(str)
    owners["*"] = trainers.iloc[0] if len(trainers) else str(leaders["staff_id"].iloc[0])
    return owners


def build_case(
    profile: str, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
) -> T3Case:
    """The case worked as ``profile`` would, ready to save."""
    if profile not in FLAW_TARGETS:
        raise UsageError(t("cases.unknown_profile", lang, profile=profile, profiles=", ".join(PROFILES)))
    case = T3Case(org, seed, candidate_id, lang, world=world)
    _sets(case, profile)
    _agree(case, profile)
    _calendar(case, profile)
    _data_plan(case, profile)
    _appraise(case, profile)
    view = ASSESSOR_VIEW[profile]
    case.justification = t(f"t3profile.justification_{'weak' if 'T3-C15' in view else 'good'}", case.lang)
    case.discussion = t(f"t3profile.discussion_{'weak' if 'T3-C16' in view else 'good'}", case.lang)
    case.declare(True)
    return case
