"""Automatic checks of the T2 rubric (``rubrics/t2-training.yaml``): the audit and the plan, in T2's registry
:data:`CHECKS` (the induction and the evaluation are in :mod:`~casekit.cases.t2_training.checks_more`).

Each check asks what the answer does in the world regenerated from the seed: whether the gap totals reproduce from
the records as the candidate handled them, whether every missing and out-of-date record was noticed and handled
rather than used, whether the needs of every role are found and told apart by kind, whether the plan closes the real
gaps above the organisation's threshold (compliance-critical ones first, within weeks), stays within the budget and
every session's seats, keeps the service level in every week with the training taken off the phones, schedules
everyone who needs it, and spends on real gaps. Figures are computed once per grading.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from casekit.cases.t2_training import audit as audit_mod
from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.checks_base import (
    CHECKS,
    close,
    doc,
    grading_context,
    handled_audit,
    outcome,
    rows,
    true_above,
    weekly,
    world_of,
)
from casekit.cases.t2_training.checks_more import training_outcome
from casekit.rubric.checks import CheckContext, CheckOutcome
from casekit.scenario.catalogs import load_skills

__all__ = ["CHECKS", "grading_context", "training_outcome"]


# ---------------------------------------------------------------------------------------------- P2.1 audit
@CHECKS.register("audit_reproduces")
def audit_reproduces(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The technology and customer-service gap totals, reported apart, within the tolerance of the totals the
    records give as the candidate handled their problems."""
    tolerance = float(params.get("tolerance", 0.02))
    totals = handled_audit(context).totals()
    reported = doc(context).reported
    tech = close(reported.gap_technology, float(totals["technology"]), tolerance)
    service = close(reported.gap_customer_service, float(totals["customer_service"]), tolerance)
    evidence = {
        "gap_technology": reported.gap_technology,
        "gap_technology_recomputed": round(float(totals["technology"]), 2),
        "gap_customer_service": reported.gap_customer_service,
        "gap_customer_service_recomputed": round(float(totals["customer_service"]), 2),
    }
    return outcome(tech and service, "audit", evidence)


@CHECKS.register("data_problems_handled")
def data_problems_handled(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every missing assessment (person and skill) and every out-of-date record (person) is listed with a
    handling; at most ``max_false`` of the listed problems name a record that has none."""
    max_false = float(params.get("max_false", 0.1))
    issues = audit_mod.data_issues(world_of(context))
    listed = doc(context).data_issues
    missing = {
        (str(s), str(k))
        for s, k, p in zip(issues["staff_id"], issues["skill_id"], issues["problem"], strict=True)
        if p == "missing"
    }
    stale = {str(s) for s, p in zip(issues["staff_id"], issues["problem"], strict=True) if p == "stale"}
    found_missing = {(i.staff_id, i.skill_id) for i in listed if i.problem == "missing" and i.skill_id is not None}
    whole_missing = {i.staff_id for i in listed if i.problem == "missing" and i.skill_id is None}
    found_stale = {i.staff_id for i in listed if i.problem == "stale"}
    covered = whole_missing | found_stale  # a whole record reassessed or planned as a gap covers its blanks
    missed_missing = sorted(f"{s}/{k}" for s, k in missing if (s, k) not in found_missing and s not in covered)
    missed_stale = sorted(stale - found_stale)
    real = {s for s, _ in missing} | stale
    false = [i.staff_id for i in listed if i.staff_id not in real]
    false_share = len(false) / len(listed) if listed else 0.0
    met = not missed_missing and not missed_stale and false_share <= max_false
    evidence = {
        "missing": len(missing),
        "stale_people": len(stale),
        "missed_missing": missed_missing,
        "missed_stale": missed_stale,
        "false_problems": sorted(set(false)),
    }
    return outcome(met, "data", evidence, missed=len(missed_missing) + len(missed_stale), false=len(set(false)))


# --------------------------------------------------------------------------------------- P2.2, P2.3 needs
def _required_needs(context: CheckContext) -> dict[tuple[str, str], int]:
    """(role, skill) -> people with a real gap, for the needs the policy says must be addressed."""
    above = true_above(context)
    counts = pd.DataFrame(above.groupby(["role", "skill_id"], as_index=False)["staff_id"].nunique())
    return {
        (str(r), str(s)): int(n) for r, s, n in zip(counts["role"], counts["skill_id"], counts["staff_id"], strict=True)
    }


@CHECKS.register("needs_by_role")
def needs_by_role(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every role's needs above the policy's threshold (and every compliance-critical one) are listed, each with
    the number of people affected within ``people_tolerance`` (relative)."""
    tolerance = float(params.get("people_tolerance", 0.2))
    required = _required_needs(context)
    listed = {(n.role, n.skill_id): n.people for n in doc(context).needs}
    absent = sorted(f"{r}/{s}" for r, s in required if (r, s) not in listed)
    miscounted = sorted(
        f"{r}/{s}"
        for (r, s), n in required.items()
        if (r, s) in listed and abs(listed[(r, s)] - n) > max(1.0, tolerance * n)
    )
    roles = sorted({r for r, _ in required})
    met = bool(required) and not absent and not miscounted
    evidence = {"required": len(required), "roles": roles, "absent": absent, "miscounted": miscounted}
    return outcome(met, "needs", evidence, required=len(required), absent=len(absent) + len(miscounted))


@CHECKS.register("needs_by_kind")
def needs_by_kind(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Each need says whether it is a technology or a customer-service skill, as the skill is; both kinds are
    reported when the organisation's gaps have both."""
    kinds = {s.id: s.category for s in load_skills()}
    needs = doc(context).needs
    wrong = sorted(f"{n.role}/{n.skill_id}" for n in needs if kinds.get(n.skill_id) != n.kind)
    present = {kinds[s] for _, s in _required_needs(context)}
    told = {n.kind for n in needs if kinds.get(n.skill_id) == n.kind}
    both = present <= told
    met = bool(needs) and not wrong and both
    evidence = {"wrong_kind": wrong, "kinds_needed": sorted(present), "kinds_reported": sorted(told)}
    return outcome(met, "kinds", evidence, wrong=len(wrong))


@CHECKS.register("critical_first")
def critical_first(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every real gap in a compliance-critical skill is booked (never deferred) in the policy's first weeks, and the
    needs mark those skills critical."""
    world = world_of(context)
    within = int(params.get("within_weeks", world.spec.training.critical_within_weeks))
    above = true_above(context)
    critical = above[above["compliance_critical"]]
    open_ = critical[~critical["closed"].astype(bool)]
    late = critical[critical["closed"].astype(bool) & (critical["week"] > within)]
    flagged = {(n.role, n.skill_id) for n in doc(context).needs if n.critical}
    unflagged = sorted(
        {f"{r}/{s}" for r, s in zip(critical["role"], critical["skill_id"], strict=True)}
        - {f"{r}/{s}" for r, s in flagged}
    )
    met = open_.empty and late.empty and not unflagged
    evidence = {
        "critical_gaps": len(critical),
        "open": sorted(f"{s}/{k}" for s, k in zip(open_["staff_id"], open_["skill_id"], strict=True)),
        "late": sorted(f"{s}/{k}" for s, k in zip(late["staff_id"], late["skill_id"], strict=True)),
        "not_marked_critical": unflagged,
        "within_weeks": within,
    }
    return outcome(met, "critical", evidence, open=len(open_), late=len(late), weeks=within)


# --------------------------------------------------------------------------------------------- P2.4 plan
@CHECKS.register("gaps_closed")
def gaps_closed(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every real gap above the policy's threshold is closed by a booking on an offer that covers its skill, or
    deferred with a reason; deferrals stay under ``max_deferred`` of those gaps and never a compliance-critical one."""
    max_deferred = float(params.get("max_deferred", 0.2))
    min_reason = int(params.get("min_reason", 15))
    above = true_above(context)
    deferred = {(d.staff_id, d.skill_id) for d in doc(context).deferred if len(d.reason.strip()) >= min_reason}
    keys = list(zip(above["staff_id"], above["skill_id"], strict=True))
    closed = above["closed"].astype(bool).tolist()
    deferred_here = [k in deferred and not c for k, c in zip(keys, closed, strict=True)]
    open_ = [f"{s}/{k}" for (s, k), c, d in zip(keys, closed, deferred_here, strict=True) if not c and not d]
    critical_deferred = [
        f"{s}/{k}" for (s, k), d, cc in zip(keys, deferred_here, above["compliance_critical"], strict=True) if d and cc
    ]
    share = sum(deferred_here) / len(keys) if keys else 0.0
    met = bool(keys) and not open_ and not critical_deferred and share <= max_deferred
    evidence = {
        "gaps": len(keys),
        "closed": int(sum(closed)),
        "deferred": int(sum(deferred_here)),
        "open": sorted(open_)[:50],
        "critical_deferred": sorted(critical_deferred),
    }
    return outcome(met, "closed", evidence, gaps=len(keys), open=len(open_), deferred=int(sum(deferred_here)))


@CHECKS.register("within_budget")
def within_budget(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The plan's fees are within the quarter's training budget, and the spend reported is the plan's."""
    world = world_of(context)
    spend, budget = schedule.spend(world, rows(context)), schedule.budget(world)
    reported = doc(context).reported.spend
    met = bool(rows(context)) and spend <= budget and close(reported, float(spend), 0.01)
    evidence = {"spend": spend, "budget": budget, "reported_spend": reported}
    return outcome(met, "budget", evidence, spend=spend, budget=budget)


@CHECKS.register("within_capacity")
def within_capacity(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """No session is booked beyond its seats."""
    over = schedule.over_capacity(world_of(context), rows(context))
    over = over[over["booked"] > over["seats"]]
    met = bool(rows(context)) and over.empty
    evidence = {
        "over_capacity": [
            f"{s}: {b}/{n}" for s, b, n in zip(over["session_id"], over["booked"], over["seats"], strict=True)
        ]
    }
    return outcome(met, "capacity", evidence, sessions=len(over))


@CHECKS.register("service_level_holds")
def service_level_holds(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """With the plan's training taken off the phones, every week of the quarter meets the service-level target
    (Erlang C on the week's forecast volume); the lowest week reported is the plan's."""
    table = weekly(context)
    failing = table[~table["holds"].astype(bool)]
    lowest = float(table["service_level"].min())
    reported = doc(context).reported.lowest_service_level
    met = bool(rows(context)) and failing.empty and reported is not None and abs(reported - lowest) <= 0.01
    evidence = {
        "failing_weeks": [int(w) for w in failing["week"]],
        "lowest_service_level": round(lowest, 4),
        "reported_lowest": reported,
        "target": float(table["target"].iloc[0]),
    }
    return outcome(met, "service", evidence, weeks=len(failing), lowest=round(100 * lowest, 1))


@CHECKS.register("everyone_scheduled")
def everyone_scheduled(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Everyone with a real gap above the policy's threshold has training booked on one of their gaps."""
    above = true_above(context)
    needing = set(above["staff_id"])
    booked = set(above.loc[above["closed"].astype(bool), "staff_id"])
    never = sorted(needing - booked)
    met = bool(needing) and not never
    evidence = {"need_training": len(needing), "never_scheduled": never[:50]}
    return outcome(met, "everyone", evidence, people=len(needing), never=len(never))


@CHECKS.register("spend_on_gaps")
def spend_on_gaps(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """At most ``max_waste`` of the fees go on bookings where the person has no gap (as the candidate's own audit
    shows it) in any skill the offer covers."""
    max_waste = float(params.get("max_waste", 0.1))
    world = world_of(context)
    spend = schedule.spend(world, rows(context))
    waste = schedule.wasted_spend(world, handled_audit(context), rows(context))
    share = waste / spend if spend else 1.0
    met = spend > 0 and share <= max_waste
    evidence = {"spend": spend, "wasted": waste, "wasted_share": round(share, 4)}
    return outcome(met, "waste", evidence, share=round(100 * share, 1))
