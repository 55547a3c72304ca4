"""A candidate's unit decision from the gradebook's facts: the plan's components, each with its latest graded
attempt and current result, the moderation on that content, and the sign-offs; decided by
:func:`casekit.assessment.unit.decide_unit`, kept in the gradebook's cache under the digest of its inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from casekit.assessment.plan import Component, Plan
from casekit.assessment.unit import ComponentEvidence, UnitDecision, UnitInputs, decide_unit
from casekit.cohort.records import current_result
from casekit.rubric.decision import Reason
from casekit.store import Gradebook

__all__ = [
    "UNIT_SCHEMA",
    "UNIT_SCHEMA_VERSION",
    "candidate_ids",
    "outside_plan",
    "unit_decision",
    "unit_document",
    "unit_inputs",
]


def candidate_ids(book: Gradebook) -> list[str]:
    """Every candidate the gradebook knows (from a roster or a submission), by id."""
    return [candidate for candidate, _name in book.candidates()]


def unit_inputs(book: Gradebook, plan: Plan, candidate_id: str) -> UnitInputs:
    """The facts the unit decision of ``candidate_id`` is made from."""
    subs = {s.case: s for s in book.submissions(candidate_id)}
    names = dict(book.candidates())
    components = tuple(_component(book, plan, c, subs) for c in plan.components)
    flags = []
    for ce in components:
        others = [] if ce.run is None else book.same_answers(ce.component.kind, ce.run.body_sha256, candidate_id)
        if others:
            flags.append(Reason("unit.flag_identical", {"component": ce.component.id, "others": ", ".join(others)}))
    return UnitInputs(
        candidate_id=candidate_id,
        plan=plan,
        components=components,
        signoffs=tuple(book.signoffs(candidate_id)),
        name=names.get(candidate_id, ""),
        flags=tuple(flags),
    )


def _component(book: Gradebook, plan: Plan, component: Component, subs: Mapping[str, Any]) -> ComponentEvidence:
    sub = subs.get(component.kind)
    if sub is None:
        return ComponentEvidence(component, "missing")
    status, reason = book.status(sub.key) or ("missing", "")
    attempts = tuple(book.attempts(sub.key))
    found = current_result(book, sub.key)
    if found is None:
        gone = status if status in ("failed", "held", "recorded") else "missing"
        return ComponentEvidence(component, gone, sub.key, reason, attempts)  # type: ignore[arg-type]
    run, result = found
    moderation = tuple(book.moderations(sub.key, run.sha256))
    state = "graded" if run.rubric_sha256 == plan.rubric_sha256[component.id] else "other_rubric"
    return ComponentEvidence(component, state, sub.key, "", attempts, run, result, moderation)  # type: ignore[arg-type]


def unit_decision(book: Gradebook, plan: Plan, candidate_id: str) -> tuple[UnitInputs, UnitDecision]:
    """The candidate's unit decision with the facts behind it; the gradebook's cache keeps the decision (as
    language-free data) under the digest of those facts and their sign-offs."""
    inputs = unit_inputs(book, plan, candidate_id)
    decision = decide_unit(inputs)
    key = _cache_key(decision)
    if book.cached_unit(candidate_id, key) is None and not book.read_only:
        book.cache_unit(candidate_id, key, decision.outcome, decision.to_json())
    return inputs, decision


def outside_plan(book: Gradebook, plan: Plan, candidate_id: str, lang: str) -> list[dict[str, Any]]:
    """The candidate's submissions of case kinds the plan has no component for: shown beside the unit result (the
    assessor graded them), never counted in it. Each with its key, kind, status and case decision."""
    from casekit.cohort.records import current_decision
    from casekit.i18n import t

    kinds = {c.kind for c in plan.components}
    out = []
    for sub in book.submissions(candidate_id):
        if sub.case in kinds:
            continue
        status, _reason = book.status(sub.key) or ("missing", "")
        decision = current_decision(book, sub.key)
        out.append(
            {
                "kind": sub.case,
                "submission_key": sub.key,
                "status": status,
                "status_label": t(f"unit.status_{status}", lang),
                "decision": None if decision is None else {"outcome": decision.outcome, "label": decision.label(lang)},
            }
        )
    return out


def _cache_key(decision: UnitDecision) -> str:
    import hashlib

    signed = "|".join(f"{s.signoff.digest}:{s.signoff.assessor}:{s.signoff.time}" for s in decision.signoffs)
    return hashlib.sha256(f"{decision.digest}|{signed}".encode()).hexdigest()


#: The document ``units/<candidate>.json`` holds (and the unit page is rendered from).
UNIT_SCHEMA = "casekit-unit-result"
UNIT_SCHEMA_VERSION = 1


def unit_document(
    inputs: UnitInputs,
    decision: UnitDecision,
    lang: str,
    *,
    pages: Mapping[str, str] | None = None,
    generated_at: str = "",
    outside: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The candidate's unit result as one JSON-able document, in ``lang``: the decision and its reasons first, the
    coverage of every P, E and M (element id -> the criteria and methods that cover it, each with its state and
    the page showing it), each component with its attempt history, the moderation trail, the sign-offs, and what
    it was decided with (casekit, rubrics and plan, with their SHA-256) and when. ``pages`` maps a submission key
    to the link of its case page; ``outside``: the candidate's submissions the plan does not count
    (:func:`outside_plan`)."""
    from casekit import __version__
    from casekit.assessment.unit import unit_reasons
    from casekit.clock import local_time, utc_now
    from casekit.i18n import t
    from casekit.standard import load_standard

    links = dict(pages or {})
    unit = load_standard()
    plan = inputs.plan
    href_of = {ce.component.id: links.get(ce.submission_key, "") for ce in inputs.components}
    data = decision.to_json()
    coverage = {
        element: [cell | {"href": href_of.get(cell["component"], "")} for cell in cells]
        for element, cells in data["coverage"].items()
    }
    stamp = generated_at or utc_now()
    return {
        "schema": UNIT_SCHEMA,
        "schema_version": UNIT_SCHEMA_VERSION,
        "lang": lang,
        "candidate_id": inputs.candidate_id,
        "name": inputs.name,
        "unit": {"code": unit.code, "title": unit.title[lang]},
        "outcome": decision.outcome,
        "label": decision.label(lang),
        "evidence_outcome": decision.evidence_outcome,
        "evidence_label": t(f"rubric.decision_{decision.evidence_outcome}", lang),
        "reasons": [r | {"text": text} for r, text in zip(data["reasons"], unit_reasons(data, lang), strict=True)],
        "flags": [f | {"text": t(f["key"], lang, **f["params"])} for f in data["flags"]],
        "uncovered": list(decision.uncovered()),
        "required": list(decision.required),
        "elements": [
            {"id": e.id, "kind": e.kind, "text": e.text[lang], "required": e.id in decision.required}
            for e in unit.elements
            if e.id in coverage
        ],
        "coverage": coverage,
        "components": [_component_doc(ce, decision, lang, href_of[ce.component.id]) for ce in inputs.components],
        "outside_plan": [dict(o) | {"href": links.get(o["submission_key"], "")} for o in outside],
        "moderation": [_moderation_doc(ce.component.id, m, lang) for ce in inputs.components for m in ce.moderation],
        "signoffs": [
            s | {"local_time": local_time(s["time"]), "role_label": t(f"unit.role_{s['role']}", lang)}
            for s in data["signoffs"]
        ],
        "signoffs_required": [{"role": r, "label": t(f"unit.role_{r}", lang)} for r in plan.model.signoffs],
        "digest": decision.digest,
        "met": decision.met,
        "total": decision.total,
        "plan": {
            "id": plan.id,
            "title": plan.model.title.get(lang),
            "file": plan.source.name,
            "sha256": plan.sha256,
        },
        "versions": {
            "casekit": __version__,
            "rubrics": {
                c.id: {"file": plan.rubric_paths[c.id].name, "sha256": plan.rubric_sha256[c.id]}
                for c in plan.components
            },
        },
        "generated_at": stamp,
        "generated_local": local_time(stamp),
    }


def _component_doc(ce: ComponentEvidence, decision: UnitDecision, lang: str, href: str) -> dict[str, Any]:
    from casekit.clock import local_time
    from casekit.i18n import t
    from casekit.rubric import decide

    doc: dict[str, Any] = {
        "id": ce.component.id,
        "kind": ce.component.kind,
        "method": ce.component.method,
        "status": ce.status,
        "status_label": t(f"unit.status_{ce.status}", lang),
        "status_reason": ce.status_reason,
        "submission_key": ce.submission_key,
        "href": href,
        "attempts": [
            {
                "n": a.n,
                "sha256": a.sha256,
                "recorded_at": a.recorded_at,
                "local_time": local_time(a.recorded_at),
                "source": a.source,
            }
            for a in ce.attempts
        ],
        "graded": None,
        "decision": None,
        "criteria": [],
    }
    if ce.run is not None and ce.result is not None:
        run = ce.run
        doc["graded"] = {
            "attempt": run.attempt,
            "sha256": run.sha256,
            "rubric_id": run.rubric_id,
            "rubric_sha256": run.rubric_sha256,
            "casekit_version": run.casekit_version,
            "recorded_at": run.recorded_at,
            "local_time": local_time(run.recorded_at),
            "declared_at": run.declared_at,
            "declaration": t("declaration.made", lang, time=local_time(run.declared_at),
                             text=t("declaration.own_work_1", lang))
            if run.declared_at
            else t("declaration.missing", lang),
        }  # fmt: skip
        case_decision = decide(ce.result)
        doc["decision"] = {"outcome": case_decision.outcome, "label": case_decision.label(lang)}
        doc["criteria"] = [_criterion_doc(c, lang) for c in ce.result.criteria]
    return doc


def _criterion_doc(c: Any, lang: str) -> dict[str, Any]:
    from casekit.clock import local_time

    mark = c.deciding_mark
    return {
        "id": c.id,
        "title": c.title.get(lang, c.id),
        "state": c.state,
        "state_label": c.state_label(lang),
        "method": c.method,
        "elements": list(c.elements),
        "essential": c.essential,
        "judgement": c.message(lang),
        "mark": None
        if mark is None
        else {
            "assessor": mark.assessor,
            "result": mark.result,
            "reason": mark.reason,
            "time": mark.time,
            "local_time": local_time(mark.time),
        },
    }


def _moderation_doc(component: str, m: Any, lang: str) -> dict[str, Any]:
    from casekit.clock import local_time
    from casekit.i18n import t

    action = t(f"unit.moderation_{m.action}", lang)
    if m.outcome:
        action = f"{action} · {t(f'unit.resolution_{m.outcome}', lang)}"
    doc: dict[str, Any] = m.to_json()
    return doc | {"component": component, "action_label": action, "local_time": local_time(m.time)}
