"""Simulated candidates of known quality for the T1 case: the demo's cohort and the rubric's test fixtures.

Each profile works the case through the same :class:`~casekit.cases.t1_recruitment.case.T1Case` API as the
widgets: it writes the specification from the role's profile and its incumbents, advertises it, builds a kit on
the role's skills and reviews the current one, looks for a biased rater before it selects, works out the turnover
figures from the tools' tables, names the drivers the crosstab shows, acts on them, nominates successors and sizes
the hire count with Erlang C. A flawed profile makes one specific mistake, so the rubric must fail exactly the
criteria that mistake targets (``FLAW_TARGETS``).
"""

from __future__ import annotations

import math
from typing import Any

from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.checks import observed_shrinkage
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles, load_skills

__all__ = ["ASSESSOR_VIEW", "FLAW_TARGETS", "PROFILES", "build_case"]

#: profile -> the automatic T1 criteria its flaw makes not yet met.
FLAW_TARGETS: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset({"T1-C12"}),  # overstates a successor's readiness: a non-essential criterion
    "discriminatory_question": frozenset({"T1-C05"}),
    "ad_without_range": frozenset({"T1-C03"}),
    "turnover_miscomputed": frozenset({"T1-C09"}),
    "wrong_driver": frozenset({"T1-C11"}),
    "biased_selection": frozenset({"T1-C07"}),
}
PROFILES: tuple[str, ...] = tuple(FLAW_TARGETS)
#: profile -> the assessor-judged criteria a careful assessor finds not yet met in its written answer.
ASSESSOR_VIEW: dict[str, frozenset[str]] = {
    "strong": frozenset(),
    "competent": frozenset(),
    "discriminatory_question": frozenset({"T1-C15"}),
    "ad_without_range": frozenset(),
    "turnover_miscomputed": frozenset(),
    "wrong_driver": frozenset({"T1-C14"}),
    "biased_selection": frozenset({"T1-C14", "T1-C15"}),
}
#: a rater whose scores for a group differ from the others' by this many points is left out of the panel
BIAS_POINTS = 0.5
#: the "culture fit" bonus the biased profile gives men in its panel scores
BIASED_BONUS = 0.6


def _lang_key(lang: str) -> str:
    return "zh-TW" if lang == "zh-TW" else "en"


def _job(case: T1Case) -> dict[str, Any]:
    """The specification a careful manager writes: the role's profile, its required skills at their levels."""
    vacancy = case.vacancy
    role = next(r for r in load_roles() if r.id == vacancy["role"])
    lang = _lang_key(case.lang)
    return {
        "role": role.id,
        "title": role.text["title"][lang],
        "experience_months": role.min_experience_months,
        "qualifications": role.text["qualifications"][lang],
        "skills": dict(role.required_skills),
        "knowledge": t("t1profile.knowledge", case.lang),
        "special_requirements": role.text["special_requirements"][lang],
        "responsibilities": role.text["responsibilities"][lang],
        "classification": role.classification,
        "pay_grade": role.pay_grade,
        "pay_min": int(vacancy["pay_min"]),
        "pay_max": int(vacancy["pay_max"]),
        "capability": role.text["capability"][lang],
        "reports_to": role.reports_to,
    }


def _advert(case: T1Case, job: dict[str, Any], with_range: bool) -> dict[str, Any]:
    return {
        "title": job["title"],
        "text": t("t1profile.advert_text", case.lang, title=job["title"], duties=job["responsibilities"]),
        "pay_min": job["pay_min"] if with_range else None,
        "pay_max": job["pay_max"] if with_range else None,
        "pay_negotiable": not with_range,
        "requested_data": [t("t1profile.request_cv", case.lang), t("t1profile.request_diploma", case.lang)],
    }


def _kit(case: T1Case, job: dict[str, Any]) -> list[dict[str, Any]]:
    """One behavioural question per required skill, with anchors at 1, 3 and 5."""
    names = {s.id: s.label(case.lang) for s in load_skills()}
    kit = []
    for skill in job["skills"]:
        anchors = {level: t(f"t1profile.anchor_{level}", case.lang, skill=names[skill]) for level in ("1", "3", "5")}
        text = t("t1profile.question", case.lang, skill=names[skill])
        kit.append({"text": text, "competency": skill, "type": "behavioural", "weight": 1.0, "anchors": anchors})
    return kit


def _biased_raters(case: T1Case) -> list[str]:
    """The rater whose scores for some group differ most from the other raters' for the same applicants, when
    that difference reaches BIAS_POINTS (the others then look generous to that group: they are not left out)."""
    worst, rater = 0.0, ""
    for by in ("gender", "age_band"):
        table = case.rater_bias(by)
        for r, d in zip(table["rater"], table["difference"], strict=True):
            if abs(float(d)) > worst:
                worst, rater = abs(float(d)), str(r)
    return [rater] if worst >= BIAS_POINTS else []


def _select(case: T1Case, biased: bool) -> None:
    if biased:  # no look for rater bias, and a "culture fit" bonus for men
        scores = case.panel(exclude_raters=[])
        scores = scores.assign(score=scores["score"] + (scores["gender"] == "M") * BIASED_BONUS)
        scores = scores.sort_values(["score", "applicant_id"], ascending=[False, True], kind="stable")
        case.select(list(scores["applicant_id"][: case.places]), exclude_raters=[])
        return
    excluded = _biased_raters(case)
    scores = case.panel(exclude_raters=excluded)
    case.select(list(scores["applicant_id"][: case.places]), exclude_raters=excluded)


def _turnover(case: T1Case, miscomputed: bool) -> None:
    rates = case.separation_rates
    total = float(rates["leavers"].sum())
    figures = {
        "voluntary_share": round(float(rates["voluntary"].sum()) / total, 4) if total else 0.0,
        "early_tenure_rate": round(case.early_tenure().rate, 4),
        "cost_per_leaver": round(case.turnover_cost().per_leaver),
    }
    if miscomputed:  # the monthly rates summed, but the method stated as compounded
        figures["annual_turnover"] = round(case.annual_turnover("sum"), 4)
    else:
        figures["annual_turnover"] = round(case.annual_turnover("compound"), 4)
    case.set_turnover_figures("compound", **figures)


def _retention(case: T1Case, wrong: bool) -> None:
    drivers = case.find_drivers()  # every driver the crosstab shows
    case.set_drivers([{"factor": d.factor, "scope": d.scope} for d in drivers])
    # the wrong driver: a pay rise and more training for everybody, whatever the leavers said
    wrong_targets = [("better_pay", "all"), ("no_training", "all")]
    targets = wrong_targets if wrong else [(d.factor, d.scope) for d in drivers]
    actions = []
    for factor, scope in targets:
        actions.append(
            {
                "factor": factor,
                "scope": scope,
                "description": t(f"t1profile.action_{factor}", case.lang, scope=scope),
                "cost_per_month": 60000 if scope == "all" else _spend(drivers, factor, scope),
                "owner": t("t1profile.owner", case.lang),
                "measure": t("t1profile.measure", case.lang, factor=factor),
                "expected_reduction": 0.4,
            }
        )
    case.set_actions(actions)
    case.simulate_retention()


def _spend(drivers: Any, factor: str, scope: str) -> int:
    """A month's spend on a driver: NT$10,000 for each excess leaver it explains (at least NT$10,000)."""
    excess = next((float(d.excess) for d in drivers if (d.factor, d.scope) == (factor, scope)), 1.0)
    return int(max(1, round(excess)) * 10000)


def _successors(case: T1Case, overclaim: bool) -> None:
    table = case.readiness()
    leaders = case.team_leaders()
    rank = {"ready_now": 0, "ready_later": 1, "not_ready": 2}
    table = table.assign(rank=table["readiness"].map(rank)).sort_values(["rank", "gap", "staff_id"], kind="stable")
    nominations: list[dict[str, str]] = []
    used: set[str] = set()
    for leader, team in zip(leaders["staff_id"], leaders["team"], strict=True):
        pool = table[~table["staff_id"].isin(used) & (table["readiness"] != "not_ready")]
        if pool.empty:
            continue
        same = pool[pool["team"] == team]
        pick = (same if not same.empty else pool).iloc[0]
        used.add(pick["staff_id"])
        claim = str(pick["readiness"])
        nominations.append({"team_leader": str(leader), "staff_id": str(pick["staff_id"]), "readiness": claim})
    if overclaim:  # one ready-later successor said to be ready now (or the first, when all are ready now)
        later = [n for n in nominations if n["readiness"] == "ready_later"] or nominations[:1]
        for n in later[:1]:
            n["readiness"] = "ready_now"
            if not [x for x in nominations if x["readiness"] == "ready_later"]:
                n["staff_id"] = _not_ready(table, used)
    case.set_successors(nominations)


def _not_ready(table: Any, used: set[str]) -> str:
    rest = table[(table["readiness"] == "not_ready") & ~table["staff_id"].isin(used)]
    return str(rest["staff_id"].iloc[0]) if len(rest) else str(table["staff_id"].iloc[-1])


def _staffing(case: T1Case) -> None:
    shrinkage = math.ceil(observed_shrinkage(case.world) * 100) / 100  # the centre's own, rounded up
    need = case.hiring(shrinkage)
    case.set_staffing(shrinkage, need.min_hires)


def build_case(
    profile: str, org: str, seed: int, candidate_id: str, lang: str = "zh-TW", *, world: World | None = None
) -> T1Case:
    """The case worked as ``profile`` would, ready to save."""
    if profile not in FLAW_TARGETS:
        raise UsageError(t("cases.unknown_profile", lang, profile=profile, profiles=", ".join(PROFILES)))
    case = T1Case(org, seed, candidate_id, lang, world=world)
    job = _job(case)
    case.set_job(job)
    case.set_advert(_advert(case, job, with_range=profile != "ad_without_range"))
    kit = _kit(case, job)
    if profile == "discriminatory_question":
        kit.append({**kit[0], "text": t("t1profile.unfair_question", case.lang)})
    case.set_kit(kit)
    labels = case.world.truth["kit_labels"]
    for qid in case.world.interview_kit["question_id"]:
        case.review_question(str(qid), "keep" if labels[str(qid)]["fair"] else "remove")
    _select(case, biased=profile == "biased_selection")
    _turnover(case, miscomputed=profile == "turnover_miscomputed")
    _retention(case, wrong=profile == "wrong_driver")
    _successors(case, overclaim=profile == "competent")
    _staffing(case)
    case.justification = t(f"t1profile.justification_{'weak' if ASSESSOR_VIEW[profile] else 'good'}", case.lang)
    case.discussion = t(f"t1profile.discussion_{'weak' if 'T1-C15' in ASSESSOR_VIEW[profile] else 'good'}", case.lang)
    case.declare(True)
    return case
