"""The competency decision for a case (or several): competent, not yet competent, or awaiting an assessor.

The decision is competency-based, never a score threshold. A candidate is *competent* only when

- every essential criterion is met,
- every performance indicator (P) and every evidence item (E) the criteria name is evidenced by a met criterion,
- every assessment method (M) the criteria use is used by a met criterion,

plus whatever ``require`` adds (a unit-level decision passes every P1.1–P5.2 and E1–E5).

When that fails only because some criteria still await an assessor — counting them as met would make the
candidate competent — the decision is *awaiting assessor*: it cannot be "not yet competent" while the marks that
could settle it are missing. Otherwise it is *not yet competent*. A criterion whose check failed (``error``)
counts as not met until the check is fixed or an assessor marks it.

Each gap is a :class:`Reason` (a catalog key and its parameters), so it renders in zh-TW or English. The score
(share of criteria met) is feedback for the candidate and plays no part in the decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, Final, Literal, cast, get_args

from casekit.errors import UsageError
from casekit.i18n import t
from casekit.rubric.result import CaseResult, CriterionResult
from casekit.standard import load_standard

__all__ = ["OUTCOMES", "PENDING", "Decision", "Outcome", "Reason", "decide", "decision_from_json", "render_reasons"]

Outcome = Literal["competent", "not_yet_competent", "awaiting_assessor", "awaiting_moderation"]
#: States that are not settled yet: never counted as met, and a decision they could still change is pending.
PENDING: Final = frozenset({"awaiting_assessor", "in_moderation"})
OUTCOMES: Final[tuple[Outcome, ...]] = get_args(Outcome)

# Catalog key of the reason for an element of each kind that no met criterion evidences.
_UNCOVERED_KEY: Final = {
    "indicator": "rubric.reason_indicator_uncovered",
    "evidence": "rubric.reason_evidence_uncovered",
    "method": "rubric.reason_method_unused",
}


@dataclass(frozen=True)
class Reason:
    """One gap behind a decision, told by a catalog key (``rubric.reason_*``) and its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def render(self, lang: str | None = None) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Decision:
    """The outcome, the gaps that explain it (none when competent) and the feedback score."""

    outcome: Outcome
    reasons: tuple[Reason, ...]
    met: int
    total: int

    @property
    def score(self) -> float:
        """The share of criteria met, 0–1: feedback only, never the decision."""
        return self.met / self.total if self.total else 0.0

    def label(self, lang: str | None = None) -> str:
        """The outcome's name in ``lang``: 具備職能 / 尚未具備職能 / 待評量者判定."""
        return t(f"rubric.decision_{self.outcome}", lang)

    def feedback(self, lang: str | None = None) -> str:
        """The score told as feedback: how many criteria are met, and that this is not the decision."""
        return t("rubric.score", lang, met=self.met, total=self.total, percent=round(100 * self.score))

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reasons": [{"key": r.key, "params": dict(r.params)} for r in self.reasons],
            "met": self.met,
            "total": self.total,
            "score": self.score,
        }


def decision_from_json(data: Mapping[str, Any]) -> Decision:
    """The :class:`Decision` that :meth:`Decision.to_json` wrote."""
    return Decision(
        outcome=cast(Outcome, data["outcome"]),
        reasons=tuple(Reason(r["key"], dict(r.get("params", {}))) for r in data["reasons"]),
        met=int(data["met"]),
        total=int(data["total"]),
    )


def decide(results: CaseResult | Iterable[CaseResult], *, require: Iterable[str] = ()) -> Decision:
    """The competency decision over one case result or several.

    ``require`` names further unit elements (P, E or M ids) that must be evidenced by a met criterion even if
    no criterion names them — for the unit decision, every indicator and evidence item of the unit.
    """
    cases = (results,) if isinstance(results, CaseResult) else tuple(results)
    criteria = tuple(c for case in cases for c in case.criteria)
    required = _required(criteria, require)
    met = sum(1 for c in criteria if c.state == "met")
    if not _blocked(criteria, required, settled={"met"}):
        return Decision("competent", (), met, len(criteria))
    pending = any(c.state in PENDING for c in criteria)
    could_settle = pending and not _blocked(criteria, required, settled={"met", *PENDING})
    reasons = [
        *(
            Reason("rubric.reason_essential_not_met", {"criterion": c.id})
            for c in criteria
            if c.essential and c.state == "not_yet_met"
        ),
        *_uncovered(criteria, required),
        *(Reason("rubric.reason_check_error", {"criterion": c.id}) for c in criteria if c.state == "error"),
        *(Reason("rubric.reason_awaiting", {"criterion": c.id}) for c in criteria if c.state == "awaiting_assessor"),
        *(Reason("rubric.reason_in_moderation", {"criterion": c.id}) for c in criteria if c.state == "in_moderation"),
    ]
    if not could_settle:
        outcome: Outcome = "not_yet_competent"
    elif any(c.state == "awaiting_assessor" for c in criteria):
        outcome = "awaiting_assessor"
    else:
        outcome = "awaiting_moderation"
    return Decision(outcome, tuple(reasons), met, len(criteria))


def render_reasons(decision: Decision, lang: str | None = None) -> list[str]:
    """Each reason of ``decision`` as a sentence in ``lang`` (default: the current language)."""
    return [reason.render(lang) for reason in decision.reasons]


def _required(criteria: Sequence[CriterionResult], require: Iterable[str]) -> tuple[str, ...]:
    """The P, E and M ids that met criteria must cover, in the unit's order."""
    unit = load_standard()
    extra = set(require)
    wrong = sorted(e for e in extra if e not in unit or unit.get(e).kind not in _UNCOVERED_KEY)
    if wrong:
        raise UsageError(t("rubric.require_kind", ids=", ".join(wrong)))
    named = {e for c in criteria for e in c.elements} | {c.method for c in criteria} | extra
    return tuple(e.id for e in unit.elements if e.id in named and e.kind in _UNCOVERED_KEY)


def _blocked(criteria: Sequence[CriterionResult], required: Sequence[str], *, settled: AbstractSet[str]) -> bool:
    """Whether something stops the decision being competent, counting criteria in ``settled`` states as met."""
    if any(c.essential and c.state not in settled for c in criteria):
        return True
    return bool(_uncovered(criteria, required, settled=settled))


def _uncovered(
    criteria: Sequence[CriterionResult],
    required: Sequence[str],
    *,
    settled: AbstractSet[str] = frozenset({"met"}),
) -> list[Reason]:
    """A reason for each required P, E or M id that no criterion in a ``settled`` state covers."""
    unit = load_standard()
    done = [c for c in criteria if c.state in settled]
    covered = {e for c in done for e in c.elements} | {c.method for c in done}
    reasons = []
    for element_id in required:
        if element_id not in covered:
            kind = unit.get(element_id).kind
            reasons.append(Reason(_UNCOVERED_KEY[kind], {"method" if kind == "method" else "element": element_id}))
    return reasons
