"""Grading one submission of any case kind: load the answer, find its kind in the case registry, regenerate its
world from the seed, run the kind's rubric with the kind's checks, decide it by the marks and moderation the
gradebook holds for this content (read only), and return everything the evidence shows, with the grading run for
the parent process to record.

The one grading notebook (``notebooks/grading/grade_case.ipynb``) calls :func:`grade_submission` and then shows
the evidence; the same function serves tests and tools without a kernel. Pure domain: no Jupyter imports.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casekit.answers import AnswerDocument, body_sha256, document_sha256
from casekit.assessment.records import GradingRun, Moderation, case_result
from casekit.cases.kind import CaseKind
from casekit.grading.sections import Evidence, render_evidence
from casekit.limits import MAX_ANSWER_BYTES
from casekit.registry import CaseRegistry, registry
from casekit.rubric import AssessorMark, CaseResult, CheckContext, Decision, Rubric, decide, run_checks
from casekit.rubric.result import criterion_to_json
from casekit.scenario import World, world_for
from casekit.store import Gradebook

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
    run: GradingRun | None = field(default=None, repr=False)
    #: The SHA-256 of the roster the header was checked against before grading (``""``: not checked).
    roster_sha256: str = ""

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
    roster_sha256: str = "",
) -> GradedCase:
    """Grade one answer file against ``rubric`` (default: its kind's packaged rubric), decided by the marks and
    moderation ``gradebook`` holds for exactly this content (read only: grading records nothing; the parent process
    records the run it returns, :attr:`GradedCase.run`).

    Raises :class:`~casekit.errors.AnswerError` for a malformed submission and
    :class:`~casekit.errors.RubricError` for a malformed rubric or one of another case.
    """
    from casekit import __version__

    kinds = cases if cases is not None else registry
    answer = kinds.load_answer(submission, max_bytes=max_bytes)
    kind = kinds.get(answer.case)
    rubric_path = Path(rubric) if rubric is not None else kind.rubric
    rub = kind.load_rubric(rubric_path)
    if world is None:
        world = world_for(answer.org, answer.seed)
    context = kind.grading_context(answer, world)
    auto = run_checks(rub, context, registry=kind.checks)
    sha = document_sha256(answer)
    run = GradingRun(
        candidate_id=answer.candidate_id,
        case=answer.case,
        sha256=sha,
        rubric_id=rub.id,
        rubric_sha256=hashlib.sha256(rubric_path.read_bytes()).hexdigest(),
        casekit_version=__version__,
        criteria=tuple(criterion_to_json(c) for c in auto.criteria),
        org=answer.org,
        seed=answer.seed,
        source=Path(submission).name,
        body_sha256=body_sha256(answer),
        declared_at=declaration.time if (declaration := getattr(answer, "declaration", None)) is not None else "",
    )
    marks: list[AssessorMark] = []
    moderation: list[Moderation] = []
    if gradebook is not None and Path(gradebook).is_file():
        with Gradebook(gradebook, read_only=True) as book:
            key = f"{answer.candidate_id}/{answer.case}"
            marks, moderation = book.marks(key, sha), book.moderations(key, sha)
    result = case_result(run, marks, moderation)
    return GradedCase(answer, kind, world, rub, result, decide(result), sha, context, run, roster_sha256)
