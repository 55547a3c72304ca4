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
from typing import Any

import pandas as pd

from casekit.cases.t1_recruitment import selection as sel
from casekit.cases.t1_recruitment.advert import check_advert
from casekit.cases.t1_recruitment.answer import ANCHOR_LEVELS
from casekit.cases.t1_recruitment.case import advert_rules, places
from casekit.cases.t1_recruitment.checks_base import (
    CHECKS,
    GROUPINGS,
    close,
    doc,
    grading_context,
    outcome,
    vacancy_role,
    world_of,
)
from casekit.cases.t1_recruitment.checks_people import hiring, observed_shrinkage, rates, retention_review
from casekit.cases.t1_recruitment.fairness import check_question
from casekit.rubric.checks import CheckContext, CheckOutcome, cached
from casekit.scenario.catalogs import load_roles
from casekit.scenario.recruitment import interview_ratings, job_competence

__all__ = [
    "CHECKS",
    "GROUPINGS",
    "grading_context",
    "hiring",
    "observed_shrinkage",
    "rates",
    "ratings",
    "retention_review",
]


# ------------------------------------------------------------------------------------------- P1.1 the job
@CHECKS.register("spec_matches_role")
def spec_matches_role(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N1/N2 against the world: the vacancy's role, every skill it requires at about its level, nothing above
    what the best incumbents hold, the experience the role asks, and its place in the organisation."""
    tolerance = int(params.get("level_tolerance", 1))
    world, job = world_of(context), doc(context).job
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
    return outcome(met, "spec", evidence, missing=len(missing) + len(off) + len(beyond) + len(misplaced))


@CHECKS.register("pay_within_band")
def pay_within_band(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N2's pay range within the organisation's band for the role and not below the year's minimum wage; the
    advertisement offers the same range or a narrower one inside it."""
    rules = advert_rules(world_of(context))
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
    return outcome(within and above_minimum and ad_consistent, "pay", evidence, low=low, high=high)


@CHECKS.register("advert_lawful")
def advert_lawful(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """就業服務法 §5: no ground of §5 I, no private data the job does not need, the pay range shown below
    NT$40,000, pay not below the minimum wage and within the band."""
    issues = check_advert(doc(context).advert, **advert_rules(world_of(context)))
    evidence = {"issues": [{"code": i.code, "article": i.article, "detail": i.detail} for i in issues]}
    return outcome(not issues, "advert", evidence, count=len(issues))


# -------------------------------------------------------------------------------------- P1.2 the interview
@CHECKS.register("structured_kit")
def structured_kit(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """N3/K3: behavioural or situational questions, each on a competency of the specification with anchors at
    1, 3 and 5, covering the role's required skills."""
    lo, hi = int(params.get("min_questions", 5)), int(params.get("max_questions", 15))
    min_cover = float(params.get("min_coverage", 0.8))
    answer, world = doc(context), world_of(context)
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
    return outcome(met, "kit", evidence, questions=len(kit), coverage=round(coverage * 100))


@CHECKS.register("kit_fair")
def kit_fair(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """K2: no question of the candidate's kit touches a §5 ground or asks for private data, and every unfair
    question of the organisation's current kit (the seeded truth) is removed."""
    answer, world = doc(context), world_of(context)
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
    return outcome(not flagged and not kept_unfair, "fair", evidence, count=len(flagged) + len(kept_unfair))


def ratings(context: CheckContext) -> pd.DataFrame:
    answer = doc(context)
    return cached(context, "ratings", lambda: interview_ratings(world_of(context), [q.competency for q in answer.kit]))


def _ideal(context: CheckContext) -> list[str]:
    """The applicants a perfect panel would offer this round's places: the highest hidden job competence."""
    world = world_of(context)
    truth = job_competence(world).sort_values(ascending=False, kind="stable")
    return [str(a) for a in truth.index[: places(world)]]


@CHECKS.register("selection_quality")
def selection_quality(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """E2: this round's places filled by applicants whose hidden job competence is well above the pool's: the
    selection's gain over the pool mean is at least ``min_quality`` of the best possible gain."""
    minimum = float(params.get("min_quality", 0.35))
    world, chosen = world_of(context), doc(context).selection.selected
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
    return outcome(right_count and quality >= minimum, "selection", evidence, quality=round(quality * 100))


def fair_panel(context: CheckContext) -> list[str]:
    """The applicants the evidence justifies: this round's places by the panel score of the kit's ratings
    without the raters the world made biased (what a panel that found and set aside the bias would offer)."""
    answer, world = doc(context), world_of(context)

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
    answer, world = doc(context), world_of(context)
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
            if ratio == ratio and not close(reported, ratio, 0.01):
                wrong.append(f"{by}:{group}")
    evidence = {"biased": biased, "misreported": wrong}
    return outcome(not biased and not wrong, "fair_selection", evidence, count=len(biased) + len(wrong))


@CHECKS.register("ratings_analysed")
def ratings_analysed(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """S3: the inter-rater reliability (with its form) and the count of rater disagreements reproduce."""
    answer = doc(context)
    table = ratings(context)
    result = sel.icc(table, form=answer.reported.icc_form)
    spread = len(sel.disagreements(table))
    icc_ok = close(answer.reported.icc, float(result.value), float(params.get("tolerance", 0.01)))
    met = icc_ok and answer.reported.disagreements == spread
    evidence = {
        "form": result.form,
        "icc": round(float(result.value), 4),
        "reported_icc": answer.reported.icc,
        "disagreements": spread,
        "reported_disagreements": answer.reported.disagreements,
    }
    return outcome(met, "ratings", evidence, icc=round(float(result.value), 2))
