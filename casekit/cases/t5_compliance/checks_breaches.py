"""T5's checks of P5.2: the breaches found against the world's seeded truth (recall, precision, exact at every
rule's line, with their evidence), back pay against the amount the law gives, the register's entries, and the
rectification verified on the next month's records.

The breaches are what casekit's rule library finds in the records with the law's figures (the library the
candidate's tools run, tested to find exactly what the world seeded, in every organisation); which of them sit just
past a line, and the decoys exactly on it, are what the world seeded. A finding counts when its key (rule, person,
day or month, ad, event) is a breach's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from casekit.cases.t5_compliance import register, verify
from casekit.cases.t5_compliance.answer import Finding, finding_key
from casekit.cases.t5_compliance.checks_base import (
    CHECKS,
    doc,
    key_of,
    matched,
    names_of,
    outcome,
    recurred,
    register_review,
    world_of,
)
from casekit.rubric.checks import CheckContext, CheckOutcome

__all__ = ["CHECKS"]


def _named(f: Finding) -> str:
    """A finding in a check's evidence: its rule and what it is about (person, ad or event, month)."""
    return " ".join(p for p in (f.rule, f.staff_id, f.ad_id, f.event_id, f.complaint_id, f.month) if p)


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


@CHECKS.register("breaches_recall")
def breaches_recall(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """At least ``min_recall`` of the seeded breaches found, and at least one of every rule that has any."""
    m = matched(context)
    recall = len(m.found) / len(m.truth) if m.truth else 1.0
    rules = {k[0] for k in m.truth}
    unfound_rules = sorted(rules - {k[0] for k in m.found})
    met = recall >= float(params.get("min_recall", 0.9)) and not unfound_rules
    evidence = {
        "breaches": len(m.truth),
        "found": len(m.found),
        "recall": round(recall, 4),
        "rules_missed": unfound_rules,
        "missed": [key_of(k) for k in m.missed[:50]],
    }
    share = _share(len(m.found), len(m.truth))
    return outcome(
        met, "recall", evidence, found=len(m.found), total=len(m.truth), share=share, rules=names_of(unfound_rules)
    )


@CHECKS.register("breaches_precision")
def breaches_precision(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """At least ``min_precision`` of the findings are seeded breaches (none found at all is not met)."""
    m = matched(context)
    claimed = len(m.found) + len(m.false)
    precision = len(m.found) / claimed if claimed else 0.0
    met = claimed > 0 and precision >= float(params.get("min_precision", 0.9))
    false = [_named(f) for f in m.false]
    evidence = {"claimed": claimed, "true": len(m.found), "precision": round(precision, 4), "false": false[:50]}
    return outcome(
        met,
        "precision",
        evidence,
        true=len(m.found),
        claimed=claimed,
        share=_share(len(m.found), claimed),
        items=names_of(false),
    )


@CHECKS.register("breaches_boundaries")
def breaches_boundaries(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every breach seeded just past its rule's line found, and no record seeded exactly at the line reported."""
    m = matched(context)
    boundary = [k for k, row in m.truth.items() if bool(row["boundary"])]
    missed = sorted(k for k in boundary if k not in m.found)
    claimed_decoys = sorted(finding_key(f) for f in m.false if finding_key(f) in m.decoys)
    evidence = {
        "boundary_breaches": len(boundary),
        "decoys": len(m.decoys),
        "missed": [key_of(k) for k in missed],
        "decoys_reported": [key_of(k) for k in claimed_decoys],
    }
    met = not missed and not claimed_decoys
    items = names_of([key_of(k) for k in missed] + [key_of(k) for k in claimed_decoys])
    return outcome(met, "boundaries", evidence, missed=len(missed), decoys=len(claimed_decoys), items=items)


@CHECKS.register("findings_evidenced")
def findings_evidenced(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every true finding lists every record row that proves it (the seeded breach's rows)."""
    m = matched(context)
    short = []
    for key, f in sorted(m.found.items()):
        need = {r for r in str(m.truth[key]["rows"]).split(";") if r}
        if not need <= set(f.rows):
            short.append(key_of(key))
    evidence = {"found": len(m.found), "without_evidence": short[:50]}
    return outcome(bool(m.found) and not short, "evidenced", evidence, count=len(short), items=names_of(short))


@CHECKS.register("back_pay_recomputed")
def back_pay_recomputed(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every pay breach found carries back pay within ``tolerance`` NT$ of what the law gives (recomputed by the
    world's seeding from the records)."""
    m = matched(context)
    tolerance = float(params.get("tolerance", 1))
    rows, wrong = [], []
    for key, f in sorted(m.found.items()):
        if f.rule not in register.PAY_RULES:
            continue
        owed = int(m.truth[key]["back_pay"])
        rows.append({"breach": key_of(key), "owed": owed, "given": f.back_pay})
        if f.back_pay is None or abs(f.back_pay - owed) > tolerance:
            wrong.append(f"{key_of(key)} ({f.back_pay if f.back_pay is not None else '-'} / {owed})")
    met = bool(rows) and not wrong
    return outcome(
        met, "back_pay", {"pay_breaches": rows[:50], "wrong": wrong[:50]}, count=len(wrong), items=names_of(wrong)
    )


@CHECKS.register("register_complete")
def register_complete(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """Every finding's entry has an owner with management duties, a due date from today to ``within_days`` after,
    a root cause of ``min_cause`` characters, and the rectification and preventive action that fit its rule."""
    review = register_review(context, int(params.get("within_days", 30)), int(params.get("min_cause", 10)))
    findings = doc(context).findings
    problems = [f"{_named(f)}: {'/'.join(lacks)}" for f, lacks in zip(findings, review.lacks, strict=True) if lacks]
    evidence = {
        "entries": len(findings),
        "today": review.today.isoformat(),
        "last_due": review.last_due.isoformat(),
        "incomplete": problems[:50],
    }
    met = bool(findings) and not problems
    return outcome(met, "register", evidence, count=len(problems), items=names_of(problems))


@CHECKS.register("rectification_verified")
def rectification_verified(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    """The next month was run; every true finding's verification says what the next month's records show (held or
    recurred), and nothing recurred."""
    answer = doc(context)
    found = list(matched(context).found.values())
    again = recurred(context)
    if again is None:
        unrun = {"next_month_run": answer.next_month_run, "found": len(found)}
        return outcome(False, "verified", unrun, count=len(found), recurred=0, items="")
    wrong, recurring = [], []
    for f, who in verify.subjects(world_of(context), found):
        came_back = again[(f.rule, who)]
        if came_back:
            recurring.append(f"{f.rule} {who}")
        if f.verification != ("recurred" if came_back else "held"):
            wrong.append(f"{f.rule} {who}: {f.verification}")
    evidence = {"verified": len(found), "wrong": wrong[:50], "recurred": sorted(set(recurring))[:50]}
    met = not wrong and not recurring
    items = names_of(wrong + recurring)
    return outcome(met, "verified", evidence, count=len(wrong), recurred=len(set(recurring)), items=items)
