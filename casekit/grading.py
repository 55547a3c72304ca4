"""Grading one submission: load the answer, regenerate its world from the seed, run the rubric, merge the
assessors' marks from the gradebook, record the result, and write it as JSON.

The grading notebook (``notebooks/grading/``) calls :func:`grade_submission` and then shows the evidence; the same
function serves tests and tools without a kernel. Pure domain: no Jupyter imports.
"""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casekit.answers import AnswerDocument, document_sha256, dumps_answer, load_answer
from casekit.atomic import write_atomic
from casekit.errors import Problem, RubricError
from casekit.rubric import CaseResult, CheckContext, Decision, Rubric, apply_marks, decide, load_rubric, run_checks
from casekit.rubric.result import criterion_to_json
from casekit.scenario import World, build_world, find_spec, load_spec
from casekit.store import Gradebook, Submission

__all__ = ["CASE_CHECKS", "GradedCase", "grade_submission", "result_document", "write_result"]

#: case -> the module that registers its checks and provides ``<case>_context(answer, world)``
CASE_CHECKS: dict[str, tuple[str, str]] = {"T4": ("casekit.cases.t4_incentives.checks", "t4_context")}


@dataclass(frozen=True, eq=False)
class GradedCase:
    """Everything the grading notebook shows: the answer, its world, the rubric, the result and the decision."""

    answer: AnswerDocument
    world: World
    rubric: Rubric
    result: CaseResult
    decision: Decision
    sha256: str
    context: CheckContext = field(repr=False)

    @property
    def cache(self) -> dict[str, Any]:
        """Figures the checks computed (payouts, review, ledger), reused for the evidence."""
        extras = self.context.extras
        cache = extras.get("cache") if isinstance(extras, dict) else None
        return cache if isinstance(cache, dict) else {}


def _context(answer: AnswerDocument, world: World) -> CheckContext:
    module_name, factory = CASE_CHECKS[answer.case]
    module = importlib.import_module(module_name)
    doc = json.loads(dumps_answer(answer))
    context: CheckContext = getattr(module, factory)(doc, world)
    return context


def grade_submission(
    submission: str | os.PathLike[str],
    rubric: str | os.PathLike[str],
    gradebook: str | os.PathLike[str] | None = None,
    *,
    world: World | None = None,
) -> GradedCase:
    """Grade one answer file against ``rubric``; record it in ``gradebook`` (when given) with the marks kept there.

    Raises :class:`~casekit.errors.AnswerError` for a malformed submission and
    :class:`~casekit.errors.RubricError` for a rubric of another case, before anything is recorded.
    """
    answer = load_answer(submission)
    if answer.case in CASE_CHECKS:
        importlib.import_module(CASE_CHECKS[answer.case][0])  # registers the case's checks before the rubric loads
    rub = load_rubric(rubric)
    if rub.case != answer.case:
        raise RubricError([Problem(str(rubric), "case", "expect.rubric_case", rub.case, {"case": answer.case})])
    if world is None:
        world = build_world(load_spec(find_spec(answer.org)), answer.seed)
    context = _context(answer, world)
    auto = run_checks(rub, context)
    sha = document_sha256(answer)
    if gradebook is not None:
        sub = Submission(answer.candidate_id, answer.case, sha, seed=answer.seed, org=answer.org)
        with Gradebook(gradebook) as book:
            decision = book.record_result(sub, auto)
            marks = book.marks(sub.key)
        result = apply_marks(auto, marks)
    else:
        result, decision = auto, decide(auto)
    return GradedCase(answer, world, rub, result, decision, sha, context)


def result_document(graded: GradedCase, lang: str) -> dict[str, Any]:
    """The JSON result of one graded submission (for the cohort index and exports): no pickles, plain data."""
    a = graded.answer
    return {
        "schema": "casekit-result",
        "schema_version": 1,
        "candidate_id": a.candidate_id,
        "case": a.case,
        "org": a.org,
        "seed": a.seed,
        "sha256": graded.sha256,
        "rubric": graded.rubric.id,
        "decision": {**graded.decision.to_json(), "label": graded.decision.label(lang)},
        "criteria": [
            {**criterion_to_json(c), "state_label": c.state_label(lang), "message": c.message(lang)}
            for c in graded.result.criteria
        ],
    }


def write_result(graded: GradedCase, path: str | os.PathLike[str], lang: str) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result_document(graded, lang), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(p, text.encode("utf-8"))
    return p
