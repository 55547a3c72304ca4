"""The cohort's moderation report: how far the moderator's second marking agrees with the primary judgement
(percent agreement and Cohen's kappa per criterion and overall, with the Landis & Koch band), and the sample of
submissions chosen for second marking.

A pair is one criterion of one submission's current content that a moderator judged: the primary judgement (the
state the criterion had from its check and its assessor's mark, before moderation) and the moderator's (the same
when they agreed, the other one when they disagreed). Only the moderator's first record on a criterion counts: a
resolution settles a disagreement, it is not a third marking. Criteria not yet met or not met on both sides (an
awaiting or failed check) make no pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casekit.assessment.agreement import Agreement, Pair, agreement, second_marking_sample
from casekit.cohort.records import current_decision
from casekit.rubric import apply_marks
from casekit.store import Gradebook

__all__ = ["ModerationReport", "moderation_pairs", "moderation_report"]

_JUDGED = ("met", "not_yet_met")


@dataclass(frozen=True)
class ModerationReport:
    """The pairs, the agreement figures (per criterion, then overall) and the second-marking sample (submission
    keys, drawn from ``subjects`` graded submissions)."""

    pairs: tuple[Pair, ...]
    agreement: tuple[Agreement, ...]
    sample: tuple[str, ...]
    seed: int
    subjects: int

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "schema": "casekit-moderation-report",
            "schema_version": 1,
            "pairs": [vars(p) for p in self.pairs],
            "agreement": [a.to_json() | {"band": a.band(lang)} for a in self.agreement],
            "sample": {"seed": self.seed, "of": self.subjects, "submissions": list(self.sample)},
        }


def moderation_pairs(book: Gradebook) -> list[Pair]:
    """Every (primary, moderator) pair of judgements the gradebook holds for submissions' current content."""
    pairs = []
    for sub in book.submissions():
        run = book.latest_grading(sub.key)
        if run is None:
            continue
        records = book.moderations(sub.key, run.sha256)
        if not records:
            continue
        base = run.result()
        known = {c.id for c in base.criteria}
        primary = apply_marks(base, [m for m in book.marks(sub.key, run.sha256) if m.criterion_id in known])
        seen: set[str] = set()
        for record in records:
            if record.criterion_id in seen or record.action == "resolve" or record.criterion_id not in known:
                continue
            seen.add(record.criterion_id)
            first = primary.criterion(record.criterion_id).state
            if first not in _JUDGED:
                continue
            second = first if record.action == "agree" else _JUDGED[1 - _JUDGED.index(first)]
            pairs.append(Pair(record.criterion_id, sub.key, first, second))
    return pairs


def moderation_report(book: Gradebook, *, seed: int = 0, share: float = 0.10, minimum: int = 5) -> ModerationReport:
    """The report for the cohort in ``book``: agreement over every pair, and a sample of the graded submissions
    for second marking, stratified by their case decision (reproducible from ``seed``)."""
    pairs = moderation_pairs(book)
    outcomes = {}
    for sub in book.submissions():
        decision = current_decision(book, sub.key)
        if decision is not None:
            outcomes[sub.key] = decision.outcome
    sample = second_marking_sample(outcomes, seed=seed, share=share, minimum=minimum) if outcomes else ()
    return ModerationReport(tuple(pairs), agreement(pairs), sample, seed, len(outcomes))
