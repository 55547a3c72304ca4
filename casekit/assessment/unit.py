"""The unit decision for one candidate: competent / not yet competent for the unit, from every component the plan
names, or what it still awaits (an assessor, a moderator, a sign-off), with every reason.

The rule (DESIGN decision 4, the unit's assessment design):

1. Each plan component contributes the current result of its latest graded attempt (marks on that content, then
   moderation). A component with no graded attempt (none submitted, or the latest could not be graded or is held),
   or graded with a rubric other than the plan's, contributes nothing, and is a reason; so is an attempt its
   candidate has not declared their own work (the authenticity rule of evidence).
2. :func:`casekit.rubric.decision.decide` over those results, requiring what the plan requires
   (:meth:`~casekit.assessment.plan.Plan.required`: every P1.1–P5.2, E1–E5 and method for the unit): every
   essential criterion met, every required element evidenced by a met criterion.
3. Once the components use as many methods as the plan's per-indicator rule asks for, each performance indicator
   must be evidenced by at least that many met criteria from that many methods.
4. When only pending criteria (awaiting an assessor, in moderation) stand between the candidate and competent,
   the decision awaits them; otherwise it is settled.
5. A settled decision stands only once signed by every role the plan names, each sign-off bound to the
   :func:`digest` of the evidence it signed. A later change to the evidence (a new attempt, a mark, a moderation
   record, another rubric or plan) gives another digest: the earlier sign-off is void, shown as such, and the
   decision awaits a new one.

Nothing here reads a file or the gradebook: :mod:`casekit.cohort.unit` gathers the facts.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from casekit.assessment.plan import Component, Plan
from casekit.assessment.records import Attempt, GradingRun, Moderation, SignOff
from casekit.i18n import t
from casekit.rubric import CaseResult, Decision, decide
from casekit.rubric.decision import PENDING, Reason
from casekit.rubric.result import CriterionResult
from casekit.standard import load_standard

__all__ = [
    "UNIT_OUTCOMES",
    "ComponentEvidence",
    "Covering",
    "SignOffState",
    "UnitDecision",
    "UnitInputs",
    "UnitOutcome",
    "decide_unit",
    "digest",
    "unit_reasons",
]

UnitOutcome = Literal["competent", "not_yet_competent", "awaiting_assessor", "awaiting_moderation", "awaiting_signoff"]
UNIT_OUTCOMES: Final[tuple[UnitOutcome, ...]] = get_args(UnitOutcome)
#: graded (counts), failed or held (its latest attempt has no result), missing (never submitted), recorded (new
#: content awaiting its grading), other_rubric
#: (graded with a rubric other than the plan's: it does not count for the plan).
Status = Literal["graded", "failed", "held", "missing", "recorded", "other_rubric"]
#: The kinds of unit element the coverage matrix has rows for, in the unit's order.
COVERED_KINDS: Final = ("indicator", "evidence", "method")


@dataclass(frozen=True)
class ComponentEvidence:
    """What the gradebook holds for one plan component of one candidate: the submission, its attempts, its latest
    grading run and current result (None when it has none), and the moderation records on that content."""

    component: Component
    status: Status
    submission_key: str = ""
    status_reason: str = ""
    attempts: tuple[Attempt, ...] = ()
    run: GradingRun | None = None
    result: CaseResult | None = None
    moderation: tuple[Moderation, ...] = ()

    @property
    def counts(self) -> bool:
        """Whether this component's result is evidence for the plan."""
        return self.status == "graded" and self.result is not None


@dataclass(frozen=True)
class UnitInputs:
    """Every fact the unit decision of one candidate is made from."""

    candidate_id: str
    plan: Plan
    components: tuple[ComponentEvidence, ...]
    signoffs: tuple[SignOff, ...] = ()
    name: str = ""
    #: What the assessor must look at that decides nothing by itself: e.g. an answer identical, apart from its
    #: header, to another candidate's (the authenticity rule of evidence).
    flags: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Covering:
    """One criterion that evidences an element: of which component, by which method, in which state now."""

    component: str
    criterion_id: str
    method: str
    state: str


@dataclass(frozen=True)
class SignOffState:
    """A sign-off and whether it counts (it signed the current evidence), or why it is void."""

    signoff: SignOff
    valid: bool


@dataclass(frozen=True)
class UnitDecision:
    """The unit outcome, what the evidence alone says (``evidence_outcome``: the outcome before sign-off), every
    reason, the digest of the evidence, the coverage of each unit element, and the sign-offs with their state."""

    candidate_id: str
    outcome: UnitOutcome
    evidence_outcome: UnitOutcome
    reasons: tuple[Reason, ...]
    digest: str
    coverage: tuple[tuple[str, tuple[Covering, ...]], ...]
    required: tuple[str, ...]
    signoffs: tuple[SignOffState, ...] = ()
    met: int = 0
    total: int = 0
    flags: tuple[Reason, ...] = ()

    def label(self, lang: str | None = None) -> str:
        return t(f"rubric.decision_{self.outcome}", lang)

    def uncovered(self) -> tuple[str, ...]:
        """Required elements no met criterion evidences."""
        return tuple(e for e, cells in self.coverage if e in self.required and not any(c.state == "met" for c in cells))

    def to_json(self) -> dict[str, Any]:
        """Language-free: the outcome, reasons as catalog keys and parameters, the coverage and sign-offs."""
        return {
            "candidate_id": self.candidate_id,
            "outcome": self.outcome,
            "evidence_outcome": self.evidence_outcome,
            "reasons": [{"key": r.key, "params": dict(r.params)} for r in self.reasons],
            "digest": self.digest,
            "required": list(self.required),
            "coverage": {
                element: [
                    {"component": c.component, "criterion": c.criterion_id, "method": c.method, "state": c.state}
                    for c in cells
                ]
                for element, cells in self.coverage
            },
            "signoffs": [s.signoff.to_json() | {"valid": s.valid} for s in self.signoffs],
            "flags": [{"key": r.key, "params": dict(r.params)} for r in self.flags],
            "met": self.met,
            "total": self.total,
        }


def digest(inputs: UnitInputs) -> str:
    """The SHA-256 of the evidence the decision is made from: the plan, and per component its status, the content
    graded, the rubric it was graded with, each criterion's current state with the mark that decides it, and the
    moderation records. Sign-offs are not part of it (they sign it); nor is the casekit version or when a grading
    ran (re-grading the same content with the same rubric to the same result changes nothing)."""
    parts: list[Any] = [inputs.plan.sha256, inputs.candidate_id]
    for ce in inputs.components:
        part: dict[str, Any] = {"component": ce.component.id, "status": ce.status, "key": ce.submission_key}
        if ce.run is not None:
            part |= {"sha256": ce.run.sha256, "rubric_sha256": ce.run.rubric_sha256, "declared": ce.run.declared_at}
            part["criteria"] = [] if ce.result is None else [_criterion_fact(c) for c in ce.result.criteria]
            part["moderation"] = [m.to_json() for m in ce.moderation]
        parts.append(part)
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _criterion_fact(c: CriterionResult) -> list[Any]:
    mark = c.deciding_mark
    return [c.id, c.state, None if mark is None else mark.to_json()]


def decide_unit(inputs: UnitInputs) -> UnitDecision:
    """The unit decision of one candidate (see the module docstring for the rule)."""
    plan = inputs.plan
    counted = [ce for ce in inputs.components if ce.counts]
    results = [ce.result for ce in counted if ce.result is not None]
    gaps = [_component_gap(ce, plan) for ce in inputs.components if not ce.counts]
    gaps += [
        Reason("unit.reason_no_declaration", {"component": ce.component.id})
        for ce in counted
        if ce.run is not None and not ce.run.declared_at
    ]
    criteria = tuple((ce.component, c) for ce in counted if ce.result is not None for c in ce.result.criteria)
    evidence = decide(results, require=plan.required())
    thin = _thin(plan, [c for _comp, c in criteria], settled={"met"})
    evidence_outcome = _evidence_outcome(evidence, plan, [c for _comp, c in criteria], thin, missing=bool(gaps))
    reasons = [*gaps, *evidence.reasons, *thin]
    the_digest = digest(inputs)
    states = tuple(SignOffState(s, s.digest == the_digest) for s in inputs.signoffs)
    outcome = evidence_outcome
    if evidence_outcome in ("competent", "not_yet_competent"):
        signed = {s.signoff.role for s in states if s.valid}
        waiting = [role for role in plan.model.signoffs if role not in signed]
        reasons += [Reason("unit.reason_signoff_void", _signer(s.signoff)) for s in states if not s.valid]
        reasons += [Reason(f"unit.reason_awaiting_signoff_{role}") for role in waiting]
        if waiting:
            outcome = "awaiting_signoff"
    return UnitDecision(
        candidate_id=inputs.candidate_id,
        outcome=outcome,
        evidence_outcome=evidence_outcome,
        reasons=tuple(reasons),
        digest=the_digest,
        coverage=_coverage(criteria),
        required=plan.required(),
        signoffs=states,
        met=evidence.met,
        total=evidence.total,
        flags=inputs.flags,
    )


def _signer(signoff: SignOff) -> dict[str, str]:
    return {"assessor": signoff.assessor, "time": signoff.time}


def _component_gap(ce: ComponentEvidence, plan: Plan) -> Reason:
    if ce.status == "missing":
        return Reason("unit.reason_component_missing", {"component": ce.component.id})
    if ce.status == "recorded":
        return Reason("unit.reason_component_recorded", {"component": ce.component.id})
    if ce.status == "other_rubric" and ce.run is not None:
        wanted = plan.rubric_sha256[ce.component.id]
        params = {"component": ce.component.id, "graded": ce.run.rubric_sha256[:12], "plan": wanted[:12]}
        return Reason("unit.reason_component_rubric", params)
    return Reason("unit.reason_component_withdrawn", {"component": ce.component.id, "reason": ce.status_reason})


def _evidence_outcome(
    evidence: Decision, plan: Plan, criteria: Sequence[CriterionResult], thin: Sequence[Reason], *, missing: bool
) -> UnitOutcome:
    """What the evidence says before sign-off: competent only when nothing blocks it; awaiting when only pending
    criteria could settle it (counting them met would make it competent); else not yet competent."""
    if missing:
        return "not_yet_competent"
    if evidence.outcome == "competent" and not thin:
        return "competent"
    if evidence.outcome == "not_yet_competent":
        return "not_yet_competent"
    if _thin(plan, criteria, settled={"met", *PENDING}):
        return "not_yet_competent"  # even the pending criteria, once met, would leave an indicator thin
    if any(c.state == "awaiting_assessor" for c in criteria):
        return "awaiting_assessor"
    return "awaiting_moderation"


def _thin(plan: Plan, criteria: Sequence[CriterionResult], *, settled: AbstractSet[str]) -> list[Reason]:
    """The per-indicator rule, once it applies: each required indicator evidenced by enough criteria (in a
    ``settled`` state) from enough methods."""
    if not plan.per_indicator_applies():
        return []
    rule = plan.model.coverage.per_indicator
    unit = load_standard()
    reasons = []
    for element_id in plan.required():
        if unit.get(element_id).kind != "indicator":
            continue
        done = [c for c in criteria if c.state in settled and element_id in c.elements]
        methods = {c.method for c in done}
        if done and (len(done) < rule.criteria or len(methods) < rule.methods):
            params = {"element": element_id, "criteria": len(done), "methods": len(methods)}
            reasons.append(Reason("unit.reason_indicator_thin", params | {"need": rule.criteria, "of": rule.methods}))
    return reasons


def _coverage(criteria: Iterable[tuple[Component, CriterionResult]]) -> tuple[tuple[str, tuple[Covering, ...]], ...]:
    """Every P, E and M of the unit, with the criteria that evidence it (methods: the criteria that use it)."""
    pairs = list(criteria)
    rows = []
    for element in load_standard().elements:
        if element.kind not in COVERED_KINDS:
            continue
        cells = tuple(
            Covering(comp.id, c.id, c.method, c.state)
            for comp, c in pairs
            if (c.method == element.id if element.kind == "method" else element.id in c.elements)
        )
        rows.append((element.id, cells))
    return tuple(rows)


def unit_reasons(data: Mapping[str, Any], lang: str | None = None) -> list[str]:
    """The reasons of a :meth:`UnitDecision.to_json` document as sentences in ``lang``."""
    return [t(r["key"], lang, **r["params"]) for r in data["reasons"]]
