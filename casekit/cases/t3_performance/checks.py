"""Automatic checks of the T3 rubric (``rubrics/t3-performance.yaml``): the KPI sets, the targets and their
agreement, in T3's registry :data:`CHECKS` (the calendar, data plan, appraisal and development plans are in
:mod:`~casekit.cases.t3_performance.checks_more`).

Each check asks what the answer does in the world regenerated from the seed: whether every role's KPIs can measure
it and balance efficiency with quality and the role's own work (a sales role judged on conversion of QA-passed
sales, a team leader on the team and its retention), whether each agreed target lies between what the member has
always reached and what they or their peers ever reach (their own history alone where the world gives a reason: a
complex queue, a new starter), and whether every member's side of the agreement is on record as the simulated
member gave it. Figures are computed once per grading.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from casekit.cases.t3_performance import kpi_sets
from casekit.cases.t3_performance.checks_base import (
    CHECKS,
    SHOWN,
    agreements,
    doc,
    grading_context,
    names_of,
    outcome,
    proposed_responses,
    selling_roles,
    target_bands,
    wanted,
    world_of,
)
from casekit.cases.t3_performance.checks_more import review_problems  # and registers P3.3's checks
from casekit.rubric.checks import CheckContext, CheckOutcome
from casekit.scenario.performance import appraisal_calendar

__all__ = ["CHECKS", "grading_context", "review_problems"]


# ------------------------------------------------------------------------------------------- P3.1 KPI sets
def _lacking(context: CheckContext, codes: frozenset[str]) -> list[str]:
    """``role: code kpi ...`` for every role of the section whose set lacks one of ``codes``."""
    sets = {s.role: s.kpis for s in doc(context).kpi_sets}
    selling = selling_roles(context)
    out = []
    for role in sorted(set(world_of(context).members["role"])):
        lacks = [
            f"{c} {k}".strip() for c, k in kpi_sets.set_lacks(role, sets.get(role, []), role in selling) if c in codes
        ]
        if lacks:
            out.append(f"{role}: " + ", ".join(lacks))
    return out


@CHECKS.register("kpi_sets_balanced")
def kpi_sets_balanced(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every role of the section has a KPI set; every KPI of a set can measure the role (the data exists); each set
    has at least one efficiency and one quality measure."""
    roles = sorted(set(world_of(context).members["role"]))
    sets = {s.role: s.kpis for s in doc(context).kpi_sets}
    lacking = _lacking(context, kpi_sets.BALANCE)
    evidence = {"roles": roles, "sets": {r: list(v) for r, v in sets.items()}, "lacking": lacking}
    return outcome(not lacking, "sets", evidence, lacking=names_of(lacking))


@CHECKS.register("role_measures")
def role_measures(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Each role is measured on its own work: a role that sells on conversion of QA-passed sales (or conversion
    together with quality), never on speed alone; a team leader on team measures and the team's retention; a
    support role on a measure of its own."""
    lacking = _lacking(context, kpi_sets.OWN_WORK)
    evidence = {"selling_roles": sorted(selling_roles(context)), "lacking": lacking}
    return outcome(not lacking, "role", evidence, lacking=names_of(lacking))


# ------------------------------------------------------------------------------------------- P3.1 targets
def _agreed_in_bands(context: CheckContext) -> pd.DataFrame:
    """Every agreed target of the sets' KPIs with its band and whether it is ``above`` the ceiling or ``below``
    the floor."""
    frame = target_bands(context)
    return frame.assign(above=frame["position"] == "above", below=frame["position"] == "below")


def _out_of_band(frame: pd.DataFrame, column: str) -> list[str]:
    rows = frame[frame[column]]
    return [f"{s}/{k}" for s, k in zip(rows["staff_id"], rows["kpi"], strict=True)]


@CHECKS.register("targets_attainable")
def targets_attainable(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """No agreed target of a member without a reason to adjust is better than the best the member or their peers
    ever reach (the better of the member's best month and the peers' 95th percentile); every set KPI agreed."""
    frame = _agreed_in_bands(context)
    plain = frame[frame["reason"].isin(["", "no_history"])]
    above = _out_of_band(plain, "above")
    evidence = {"targets": len(plain), "above": above[:SHOWN], "above_count": len(above)}
    return outcome(bool(len(plain)) and not above, "attainable", evidence, count=len(above), items=names_of(above))


@CHECKS.register("targets_stretch")
def targets_stretch(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """No more than ``max_share`` of the agreed targets is trivially low: worse than the member's worst month (a
    target the member has met every month asks nothing of them)."""
    max_share = float(params.get("max_share", 0.05))
    frame = _agreed_in_bands(context)
    below = _out_of_band(frame, "below")
    share = len(below) / len(frame) if len(frame) else 1.0
    evidence = {"targets": len(frame), "below": below[:SHOWN], "below_share": round(share, 4)}
    return outcome(bool(len(frame)) and share <= max_share, "stretch", evidence, share=f"{share:.0%}")


@CHECKS.register("targets_adjusted")
def targets_adjusted(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Where the world gives a reason (a member on the complex queue, a new starter ramping up), the target is
    adjusted to the member's own history: not better than their own best month."""
    frame = _agreed_in_bands(context)
    reasons = frame[frame["reason"].isin(["complex_queue", "ramping"])]
    above = _out_of_band(reasons, "above")
    world = world_of(context)
    expected = int((world.members["queue"] == "complex").sum() + world.members["ramping"].sum())
    evidence = {"adjusted_targets": len(reasons), "members_with_reason": expected, "above": above[:SHOWN]}
    met = not above and (expected == 0 or len(reasons) > 0)
    return outcome(met, "adjusted", evidence, count=len(above), items=names_of(above))


# ------------------------------------------------------------------------------------------ P3.2 agreement
@CHECKS.register("agreements_recorded")
def agreements_recorded(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every member x KPI of the sets is agreed with the member's side on record: their verdict and reason as the
    member gave them to the target proposed, their words, and a date between the history's end and the agreement
    deadline. A KPI recorded as agreed without the member's side is not agreed."""
    calendar = appraisal_calendar(world_of(context))
    first, last = calendar.history_end + dt.timedelta(days=1), calendar.agree_by
    pairs = wanted(context)
    found = {(a.staff_id, a.kpi): a for a in agreements(context)}
    said = proposed_responses(context).set_index(["staff_id", "kpi"])
    missing, mismatched, silent, dated = [], [], [], []
    for key in zip(pairs["staff_id"], pairs["kpi"], strict=True):
        name = "/".join(key)
        a = found.get(key)
        if a is None:
            missing.append(name)
            continue
        truth = said.loc[key]
        reason = truth["reason"] if isinstance(truth["reason"], str) else None
        if a.member_verdict != truth["verdict"] or (a.member_verdict == "object" and a.member_reason != reason):
            mismatched.append(name)
        if len(a.member_comment.strip()) < 2:
            silent.append(name)
        if not first <= a.date <= last:
            dated.append(name)
    bad = missing + mismatched + silent + dated
    evidence = {
        "pairs": len(pairs),
        "missing": missing[:SHOWN],
        "mismatched": mismatched[:SHOWN],
        "no_member_side": silent[:SHOWN],
        "misdated": dated[:SHOWN],
        "window": [first.isoformat(), last.isoformat()],
    }
    counts = {"missing": len(missing), "mismatched": len(mismatched), "silent": len(silent), "dated": len(dated)}
    return outcome(bool(len(pairs)) and not bad, "agreed", evidence, **counts)


@CHECKS.register("objections_answered")
def objections_answered(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every objection on record has the manager's reply (at least ``min_reply`` characters), and every record says
    truly what changed: ``revised`` exactly when the agreed value differs from the one proposed."""
    min_reply = int(params.get("min_reply", 10))
    found = agreements(context)
    objections = [a for a in found if a.member_verdict == "object"]
    unanswered = [f"{a.staff_id}/{a.kpi}" for a in objections if len(a.reply.strip()) < min_reply]
    untrue = [f"{a.staff_id}/{a.kpi}" for a in found if (a.change == "revised") != (a.agreed != a.proposed)]
    evidence = {"objections": len(objections), "unanswered": unanswered[:SHOWN], "change_untrue": untrue[:SHOWN]}
    met = bool(found) and not unanswered and not untrue
    return outcome(met, "answered", evidence, unanswered=len(unanswered), untrue=len(untrue))
