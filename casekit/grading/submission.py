"""Grading one submission of any case kind: load the answer, find its kind in the case registry, regenerate its
world from the seed, run the kind's rubric with the kind's checks, merge the assessors' marks from the gradebook,
and return everything the evidence shows.

The one grading notebook (``notebooks/grading/grade_case.ipynb``) calls :func:`grade_submission` and then shows
the evidence; the same function serves tests and tools without a kernel. Pure domain: no Jupyter imports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from casekit.answers import AnswerDocument, document_sha256
from casekit.cases.kind import CaseKind
from casekit.grading.sections import Evidence, render_evidence
from casekit.limits import MAX_ANSWER_BYTES
from casekit.registry import CaseRegistry, registry
from casekit.rubric import CaseResult, CheckContext, Decision, Rubric, apply_marks, decide, run_checks
from casekit.scenario import World, world_for
from casekit.store import Gradebook, Submission

__all__ = ["GradedCase", "grade_submission"]


@dataclass(frozen=True, eq=False)
class GradedCase:
    """Everything the grading notebook shows: the answer, its kind and world, the rubric, the result, the decision."""

    answer: AnswerDocument
    kind: CaseKind
    world: World
    rubric: Rubric
    result: CaseResult
    decision: Decision
    sha256: str
    context: CheckContext = field(repr=False)

    @property
    def cache(self) -> Mapping[str, Any]:
        """Figures the checks computed (a kind's expensive results), reused for the evidence."""
        extras = self.context.extras
        cache = extras.get("cache") if isinstance(extras, Mapping) else None
        return cache if isinstance(cache, Mapping) else {}

    def evidence(self, lang: str) -> Evidence:
        """The header, the kind's sections, the criteria and the decision, as HTML parts in order."""
        return render_evidence(self, self.kind.sections, lang)


def grade_submission(
    submission: str | os.PathLike[str],
    rubric: str | os.PathLike[str] | None = None,
    gradebook: str | os.PathLike[str] | None = None,
    *,
    world: World | None = None,
    cases: CaseRegistry | None = None,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> GradedCase:
    """Grade one answer file against ``rubric`` (default: its kind's packaged rubric); record it in ``gradebook``
    (when given) with the marks kept there.

    Raises :class:`~casekit.errors.AnswerError` for a malformed submission and
    :class:`~casekit.errors.RubricError` for a malformed rubric or one of another case, before anything is recorded.
    """
    kinds = cases if cases is not None else registry
    answer = kinds.load_answer(submission, max_bytes=max_bytes)
    kind = kinds.get(answer.case)
    rub = kind.load_rubric(rubric)
    if world is None:
        world = world_for(answer.org, answer.seed)
    context = kind.grading_context(answer, world)
    auto = run_checks(rub, context, registry=kind.checks)
    sha = document_sha256(answer)
    if gradebook is not None:
        sub = Submission(answer.candidate_id, answer.case, sha, seed=answer.seed, org=answer.org)
        with Gradebook(gradebook) as book:
            decision = book.record_result(sub, auto)
            marks = book.marks(sub.key)
        result = apply_marks(auto, marks)
    else:
        result, decision = auto, decide(auto)
    return GradedCase(answer, kind, world, rub, result, decision, sha, context)
