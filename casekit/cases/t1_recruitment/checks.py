"""Automatic checks of the T1 rubric (``rubrics/t1-recruitment.yaml``), in T1's own registry :data:`CHECKS`.

Each check asks what the answer does in the world regenerated from the seed: whether the specification asks for
what the role's incumbents need, whether the advertisement is lawful, whether the kit is structured and fair
against the labelled truth of the organisation's current questions, whom the selection picks against their hidden
job competence and with what adverse impact, whether the turnover figures reproduce and the drivers found are the
ones the world seeded, whether the retention plan acts on them, whether the successors are ready, and whether the
hire count keeps the service level. Figures are computed once per grading (:func:`~casekit.rubric.checks.cached`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import pandas as pd

from casekit.cases.t1_recruitment import selection as sel
from casekit.cases.t1_recruitment import succession, turnover
from casekit.cases.t1_recruitment.advert import check_advert
from casekit.cases.t1_recruitment.answer import ANCHOR_LEVELS, T1Answer
from casekit.cases.t1_recruitment.case import advert_rules, places
from casekit.cases.t1_recruitment.fairness import check_question
from casekit.cases.t1_recruitment.hiring import HiringNeed, hiring_need
from casekit.cases.t1_recruitment.retention import RetentionReview, addresses_driver, simulate_retention
from casekit.rubric.checks import CheckContext, CheckOutcome, builtin_checks, cached
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles
from casekit.scenario.recruitment import interview_ratings, job_competence

__all__ = ["CHECKS", "grading_context", "observed_shrinkage"]

#: T1's checks: the generic built-ins and the ones below.
CHECKS: Final = builtin_checks()
GROUPINGS: Final = ("gender", "age_band")


def grading_context(answer: Mapping[str, Any], world: World) -> CheckContext:
    """A grading context for one T1 answer, with a cache shared by the checks and the evidence."""
    return CheckContext(answer=answer, world=world, extras={"cache": {}})


def doc(context: CheckContext) -> T1Answer:
    return cached(context, "doc", lambda: T1Answer.model_validate(context.answer))


def _world(context: CheckContext) -> World:
    world: World = context.world
    return world


def _outcome(met: bool, key: str, evidence: Mapping[str, Any], **params: Any) -> CheckOutcome:
    return CheckOutcome(
        met=met,
        evidence=dict(evidence),
        message_key=f"t1check.{key}_{'met' if met else 'not_met'}",
        message_params=params,
    )


def _close(reported: float | None, truth: float, tolerance: float) -> bool:
    """Whether a reported figure is within ``tolerance`` (relative; absolute below 1) of the recomputed one."""
    if reported is None:
        return False
    return abs(reported - truth) <= tolerance * max(1.0, abs(truth))


def vacancy_role(world: World) -> str:
    return str(world.vacancy.iloc[0]["role"])


# ------------------------------------------------------------------------------------------- P1.1 the job
@CHECKS.register("spec_matches_role")
def spec_matches_role(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N1/N2 against the world: the vacancy's role, every skill it requires at about its level, nothing above
    what the best incumbents hold, the experience the role asks, and its place in the organisation."""
    tolerance = int(params.get("level_tolerance", 1))
    world, job = _world(context), doc(context).job
    role = next(r for r in load_roles() if r.id == vacancy_role(world))
    ids = world.staff.loc[world.staff["role"] == role.id, "staff_id"]
    incumbents = world.skills[world.skills["staff_id"].isin(ids)]
    ceiling = incumbents.groupby("skill_id")["proficiency"].quantile(0.9).to_dict()
    missing = sorted(s for s in role.required_skills if s not in job.skills)
    off = sorted(
        s for s, need in role.required_skills.items() if s in job.skills and abs(job.skills[s] - need) > tolerance
    )
    beyond = sorted(s for s, lv in job.skills.items() if lv > max(float(ceiling.get(s, 0.0)), 1.0))
    experience_ok = role.min_experience_months <= job.experience_months <= role.min_experience_months + 36
    position = {"classification": role.classification, "pay_grade": role.pay_grade, "reports_to": role.reports_to}
    misplaced = sorted(k for k, v in position.items() if getattr(job, k) != v)
    wrong_role = job.role != role.id
    met = not (missing or off or beyond or misplaced or wrong_role) and experience_ok
    evidence = {
        "role": role.id,
        "missing": missing,
        "off_level": off,
        "beyond_incumbents": beyond,
        "experience_months": job.experience_months,
        "experience_ok": experience_ok,
        "misplaced": misplaced,
    }
    return _outcome(met, "spec", evidence, missing=len(missing) + len(off) + len(beyond) + len(misplaced))


@CHECKS.register("pay_within_band")
def pay_within_band(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N2's pay range within the organisation's band for the role and not below the year's minimum wage; the
    advertisement offers the same range or a narrower one inside it."""
    rules = advert_rules(_world(context))
    answer = doc(context)
    low, high = rules["band"]
    job, ad = answer.job, answer.advert
    within = low <= job.pay_min <= job.pay_max <= high
    above_minimum = job.pay_min >= rules["minimum_monthly"]
    ad_consistent = (ad.pay_min is None or ad.pay_min >= job.pay_min) and (
        ad.pay_max is None or ad.pay_max <= job.pay_max
    )
    evidence = {
        "pay_min": job.pay_min,
        "pay_max": job.pay_max,
        "band_min": low,
        "band_max": high,
        "minimum_wage": rules["minimum_monthly"],
        "advert_consistent": ad_consistent,
    }
    return _outcome(within and above_minimum and ad_consistent, "pay", evidence, low=low, high=high)


@CHECKS.register("advert_lawful")
def advert_lawful(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """就業服務法 §5: no ground of §5 I, no private data the job does not need, the pay range shown below
    NT$40,000, pay not below the minimum wage and within the band."""
    issues = check_advert(doc(context).advert, **advert_rules(_world(context)))
    evidence = {"issues": [{"code": i.code, "article": i.article, "detail": i.detail} for i in issues]}
    return _outcome(not issues, "advert", evidence, count=len(issues))


# -------------------------------------------------------------------------------------- P1.2 the interview
@CHECKS.register("structured_kit")
def structured_kit(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N3/K3: behavioural or situational questions, each on a competency of the specification with anchors at
    1, 3 and 5, covering the role's required skills."""
    lo, hi = int(params.get("min_questions", 5)), int(params.get("max_questions", 15))
    min_cover = float(params.get("min_coverage", 0.8))
    answer, world = doc(context), _world(context)
    role = next(r for r in load_roles() if r.id == vacancy_role(world))
    kit = answer.kit
    unstructured = [i for i, q in enumerate(kit) if q.type == "other"]
    unmapped = [i for i, q in enumerate(kit) if q.competency not in answer.job.skills]
    unanchored = [
        i
        for i, q in enumerate(kit)
        if any(not q.anchors.get(level, "").strip() for level in ANCHOR_LEVELS)
        or len({q.anchors.get(level, "").strip() for level in ANCHOR_LEVELS}) < len(ANCHOR_LEVELS)
    ]
    covered = {q.competency for q in kit} & set(role.required_skills)
    coverage = len(covered) / len(role.required_skills) if role.required_skills else 1.0
    weightless = sum(q.weight for q in kit) <= 0
    met = lo <= len(kit) <= hi and not (unstructured or unmapped or unanchored or weightless) and coverage >= min_cover
    evidence = {
        "questions": len(kit),
        "unstructured": unstructured,
        "unmapped": unmapped,
        "unanchored": unanchored,
        "coverage": round(coverage, 4),
        "uncovered": sorted(set(role.required_skills) - covered),
    }
    return _outcome(met, "kit", evidence, questions=len(kit), coverage=round(coverage * 100))


@CHECKS.register("kit_fair")
def kit_fair(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K2: no question of the candidate's kit touches a §5 ground or asks for private data, and every unfair
    question of the organisation's current kit (the seeded truth) is removed."""
    answer, world = doc(context), _world(context)
    flagged = []
    for i, q in enumerate(answer.kit):
        flags = check_question(q.text)
        if flags:
            flagged.append({"question": i, "grounds": sorted({f.ground for f in flags})})
    labels: Mapping[str, Mapping[str, Any]] = world.truth["kit_labels"]
    kept_unfair = sorted(q for q, lab in labels.items() if not lab["fair"] and answer.kit_review.get(q) != "remove")
    evidence = {
        "flagged": flagged,
        "kept_unfair": kept_unfair,
        "unfair_seeded": sum(not v["fair"] for v in labels.values()),
    }
    return _outcome(not flagged and not kept_unfair, "fair", evidence, count=len(flagged) + len(kept_unfair))


def ratings(context: CheckContext) -> pd.DataFrame:
    answer = doc(context)
    return cached(context, "ratings", lambda: interview_ratings(_world(context), [q.competency for q in answer.kit]))


def _ideal(context: CheckContext) -> list[str]:
    """The applicants a perfect panel would offer this round's places: the highest hidden job competence."""
    world = _world(context)
    truth = job_competence(world).sort_values(ascending=False, kind="stable")
    return [str(a) for a in truth.index[: places(world)]]


@CHECKS.register("selection_quality")
def selection_quality(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """E2: this round's places filled by applicants whose hidden job competence is well above the pool's: the
    selection's gain over the pool mean is at least ``min_quality`` of the best possible gain."""
    minimum = float(params.get("min_quality", 0.35))
    world, chosen = _world(context), doc(context).selection.selected
    truth = job_competence(world)
    ideal = _ideal(context)
    pool = float(truth.mean())
    best = float(truth.loc[ideal].mean()) - pool
    known = [a for a in chosen if a in truth.index]
    quality = (float(truth.loc[known].mean()) - pool) / best if known and best > 0 else 0.0
    right_count = len(chosen) == places(world) and len(known) == len(chosen)
    evidence = {
        "places": places(world),
        "selected": len(chosen),
        "quality": round(quality, 4),
        "in_ideal": len(set(known) & set(ideal)),
    }
    return _outcome(right_count and quality >= minimum, "selection", evidence, quality=round(quality * 100))


def fair_panel(context: CheckContext) -> list[str]:
    """The applicants the evidence justifies: this round's places by the panel score of the kit's ratings
    without the raters the world made biased (what a panel that found and set aside the bias would offer)."""
    answer, world = doc(context), _world(context)

    def compute() -> list[str]:
        raters = world.truth["raters"]
        biased = [str(r) for r, g in zip(raters.index, raters["bias_group"], strict=True) if str(g)]
        weights = {f"Q{i + 1}": q.weight for i, q in enumerate(answer.kit)}
        if not answer.kit or sum(weights.values()) <= 0:
            return _ideal(context)
        scores = sel.panel_scores(ratings(context), weights, exclude_raters=biased)
        return [str(a) for a in scores["applicant_id"][: places(world)]]

    return cached(context, "fair_panel", compute)


@CHECKS.register("selection_fair")
def selection_fair(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K2: no group (gender, age band) selected at under four-fifths of the best group's rate while the panel's
    own evidence, without the biased rater, would have given it at least ``min_shortfall`` more places; the
    adverse-impact ratios reported reproduce."""
    ratio_min = float(params.get("min_ratio", 0.8))
    shortfall = int(params.get("min_shortfall", 2))
    answer, world = doc(context), _world(context)
    applicants = world.applicants.set_index("applicant_id")
    ideal = fair_panel(context)
    biased, wrong = [], []
    known = set(applicants.index)
    chosen = [a for a in answer.selection.selected if a in known]
    for by in GROUPINGS:
        table = sel.adverse_impact(world.applicants, chosen, by)
        ideal_counts = applicants.loc[ideal, by].value_counts()
        for row in table.to_dict("records"):
            group, ratio = str(row["group"]), float(row["ratio"])
            if ratio < ratio_min and int(row["selected"]) <= int(ideal_counts.get(group, 0)) - shortfall:
                biased.append(f"{by}:{group}")
            reported = answer.reported.adverse_impact.get(f"{by}:{group}")
            if ratio == ratio and not _close(reported, ratio, 0.01):
                wrong.append(f"{by}:{group}")
    evidence = {"biased": biased, "misreported": wrong}
    return _outcome(not biased and not wrong, "fair_selection", evidence, count=len(biased) + len(wrong))


@CHECKS.register("ratings_analysed")
def ratings_analysed(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """S3: the inter-rater reliability (with its form) and the count of rater disagreements reproduce."""
    answer = doc(context)
    table = ratings(context)
    result = sel.icc(table, form=answer.reported.icc_form)
    spread = len(sel.disagreements(table))
    icc_ok = _close(answer.reported.icc, float(result.value), float(params.get("tolerance", 0.01)))
    met = icc_ok and answer.reported.disagreements == spread
    evidence = {
        "form": result.form,
        "icc": round(float(result.value), 4),
        "reported_icc": answer.reported.icc,
        "disagreements": spread,
        "reported_disagreements": answer.reported.disagreements,
    }
    return _outcome(met, "ratings", evidence, icc=round(float(result.value), 2))


# ---------------------------------------------------------------------------------------- P1.2 turnover
def rates(context: CheckContext) -> pd.DataFrame:
    return cached(context, "separation_rates", lambda: turnover.separation_rates(_world(context)))


@CHECKS.register("turnover_rates_reproduce")
def turnover_rates_reproduce(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The annual separation rate (by the stated method), the voluntary share, early-tenure attrition and the
    cost per leaver, each recomputed from the leavers and within the tolerance."""
    tolerance = float(params.get("tolerance", 0.02))
    answer, world = doc(context), _world(context)
    table = rates(context)
    reported = answer.reported
    total = float(table["leavers"].sum())
    truth = {
        "annual_turnover": turnover.annualised(table["rate"], method=reported.turnover_method),
        "voluntary_share": float(table["voluntary"].sum()) / total if total else 0.0,
        "early_tenure_rate": turnover.early_tenure_attrition(world).rate,
        "cost_per_leaver": float(turnover.turnover_cost(world).per_leaver),
    }
    wrong = sorted(k for k, v in truth.items() if not _close(getattr(reported, k), v, tolerance))
    evidence = {"method": reported.turnover_method, **{k: round(v, 4) for k, v in truth.items()}, "wrong": wrong}
    return _outcome(not wrong, "turnover", evidence, count=len(wrong))


def detected(context: CheckContext) -> list[dict[str, str]]:
    """The drivers the leavers' data shows (the crosstab tool's list)."""
    world = _world(context)
    return cached(
        context, "detected", lambda: [{"factor": d.factor, "scope": d.scope} for d in turnover.find_drivers(world)]
    )


def required_drivers(context: CheckContext) -> list[dict[str, str]]:
    """The seeded drivers the data makes visible: a driver the world seeded too faintly to show in its leavers
    (a small centre, a quiet year) cannot be asked of a candidate."""
    shown = {(d["factor"], d["scope"]) for d in detected(context)}
    return [d for d in _world(context).truth["turnover_drivers"] if (d["factor"], d["scope"]) in shown]


@CHECKS.register("drivers_found")
def drivers_found(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N4: every driver the world seeded and its data shows is named (factor and where), and at most
    ``max_unsupported`` named drivers have no support in the leavers' data."""
    allowed = int(params.get("max_unsupported", 1))
    answer, world = doc(context), _world(context)
    truth = {(d["factor"], d["scope"]) for d in required_drivers(context)}
    named = {(d.factor, d.scope) for d in answer.drivers}
    seeded = {(d["factor"], d["scope"]) for d in world.truth["turnover_drivers"]}
    supported = {(d["factor"], d["scope"]) for d in detected(context)} | seeded
    missed = sorted(f"{f} @ {s}" for f, s in truth - named)
    unsupported = sorted(f"{f} @ {s}" for f, s in named - supported)
    evidence = {"missed": missed, "unsupported": unsupported, "named": len(named)}
    return _outcome(not missed and len(unsupported) <= allowed, "drivers", evidence, missed=len(missed))


def retention_review(context: CheckContext) -> RetentionReview:
    answer = doc(context)
    return cached(context, "retention", lambda: simulate_retention(_world(context), list(answer.retention)))


@CHECKS.register("retention_effective")
def retention_effective(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The plan acts on the drivers that exist: each seeded driver has an action on it, at most ``max_off_share``
    of the plan's cost goes on actions that address none, the simulated six months avoid leavers, and the
    reported figure reproduces."""
    max_off = float(params.get("max_off_share", 0.5))
    answer, world = doc(context), _world(context)
    required = required_drivers(context)
    real = list(world.truth["turnover_drivers"]) + detected(context)
    actions = list(answer.retention)
    unaddressed = sorted(
        f"{d['factor']} @ {d['scope']}" for d in required if not any(addresses_driver(a, [d]) for a in actions)
    )
    cost = sum(a.cost_per_month for a in actions)
    off = sum(a.cost_per_month for a in actions if not addresses_driver(a, real))
    off_share = off / cost if cost else (1.0 if actions else 0.0)
    review = retention_review(context)
    avoided = float(review.avoided)
    reproduces = _close(answer.reported.avoided_leavers, avoided, float(params.get("tolerance", 0.05)))
    met = bool(actions) and not unaddressed and off_share <= max_off and avoided > 0 and reproduces
    evidence = {
        "unaddressed": unaddressed,
        "off_driver_cost_share": round(off_share, 4),
        "avoided": round(avoided, 2),
        "reported_avoided": answer.reported.avoided_leavers,
    }
    return _outcome(met, "retention", evidence, avoided=round(avoided, 1))


@CHECKS.register("succession_sound")
def succession_sound(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K8: every team leader has a successor, and each readiness claimed holds on skills and performance."""
    answer, world = doc(context), _world(context)
    leaders = [str(x) for x in succession.team_leaders(world)["staff_id"]]
    readiness = succession.succession_readiness(world).set_index("staff_id")["readiness"]
    rank = {"ready_now": 2, "ready_later": 1, "not_ready": 0}
    uncovered = sorted(set(leaders) - {s.team_leader for s in answer.successors})
    wrong = sorted(
        f"{s.staff_id}: {s.readiness}"
        for s in answer.successors
        if rank.get(str(readiness.get(s.staff_id, "not_ready")), 0) < rank[s.readiness]
    )
    evidence = {"team_leaders": len(leaders), "uncovered": uncovered, "overclaimed": wrong}
    return _outcome(not uncovered and not wrong, "succession", evidence, count=len(uncovered) + len(wrong))


# ------------------------------------------------------------------------------------- P1.2 the hire count
def observed_shrinkage(world: World) -> float:
    """The share of scheduled time the handling staff were not available (absence, breaks, off-queue work)."""
    contacts = world.contacts
    scheduled = float(contacts["scheduled_s"].sum())
    return 1 - float(contacts["available_s"].sum()) / scheduled if scheduled else 0.0


def hiring(context: CheckContext, shrinkage: float) -> HiringNeed:
    world = _world(context)
    annual = turnover.annualised(rates(context)["rate"], method="compound")
    return cached(context, f"hiring:{shrinkage}", lambda: hiring_need(world, shrinkage, annual))


@CHECKS.register("hires_meet_service_level")
def hires_meet_service_level(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The hire count keeps the service level at the end of the quarter (Erlang C, the leavers expected) without
    over-hiring, under a shrinkage no lower than the centre's own; the FTE need and service level reproduce."""
    answer, world = doc(context), _world(context)
    staffing = answer.staffing
    if staffing is None:
        return _outcome(False, "hires", {"staffing": None}, hires=0, low=0, high=0)
    floor = observed_shrinkage(world) - float(params.get("shrinkage_slack", 0.02))
    need = hiring(context, staffing.shrinkage)
    level = need.service_level(staffing.hires)
    tolerance = float(params.get("tolerance", 0.01))
    reproduces = _close(answer.reported.fte_need, need.need.fte, tolerance) and _close(
        answer.reported.service_level, level, tolerance
    )
    met = staffing.shrinkage >= floor and need.min_hires <= staffing.hires <= need.max_hires and reproduces
    evidence = {
        "shrinkage": staffing.shrinkage,
        "observed_shrinkage": round(observed_shrinkage(world), 4),
        "hires": staffing.hires,
        "min_hires": need.min_hires,
        "max_hires": need.max_hires,
        "service_level": round(level, 4),
        "target": need.target_sl,
        "fte_need": round(need.need.fte, 2),
        "reproduces": reproduces,
    }
    return _outcome(met, "hires", evidence, hires=staffing.hires, low=need.min_hires, high=need.max_hires)
