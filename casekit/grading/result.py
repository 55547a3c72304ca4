"""The result of one graded submission as a plain JSON document (for the cohort index and exports): no pickles."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from casekit.assessment.records import GradingRun
from casekit.atomic import write_atomic
from casekit.errors import CasekitError
from casekit.grading.submission import GradedCase
from casekit.html import esc
from casekit.jsonio import dumps_strict
from casekit.rubric.result import criterion_to_json

__all__ = ["RESULT_MIME", "error_html", "result_document", "run_from_result", "run_to_json", "write_result"]

RESULT_MIME = "application/vnd.casekit.result+json"


def result_document(graded: GradedCase, lang: str) -> dict[str, Any]:
    """The JSON result of one graded submission: who, which case and world, the decision and every criterion."""
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
        "run": None if graded.run is None else run_to_json(graded.run),
    }


def run_to_json(run: GradingRun) -> dict[str, Any]:
    """A grading run as the result document carries it to the parent process, which records it."""
    return {
        "rubric_sha256": run.rubric_sha256,
        "casekit_version": run.casekit_version,
        "source": run.source,
        "body_sha256": run.body_sha256,
        "declared_at": run.declared_at,
        "auto": list(run.criteria),
    }


def run_from_result(doc: Mapping[str, Any]) -> GradingRun:
    """The grading run a result document carries."""
    run = doc["run"]
    return GradingRun(
        candidate_id=str(doc["candidate_id"]),
        case=str(doc["case"]),
        sha256=str(doc["sha256"]),
        rubric_id=str(doc["rubric"]),
        rubric_sha256=str(run["rubric_sha256"]),
        casekit_version=str(run["casekit_version"]),
        criteria=tuple(run["auto"]),
        org=doc.get("org"),
        seed=doc.get("seed"),
        source=str(run.get("source", "")),
        body_sha256=str(run.get("body_sha256", "")),
        declared_at=str(run.get("declared_at", "")),
    )


def write_result(graded: GradedCase, path: str | os.PathLike[str], lang: str) -> Path:
    """Write :func:`result_document` to ``path`` atomically."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = dumps_strict(result_document(graded, lang))
    write_atomic(p, text.encode("utf-8"))
    return p


def error_html(exc: CasekitError, lang: str) -> str:
    """A submission that could not be graded: every problem, escaped (the problems are its evidence)."""
    return f"<pre class='ck-error'>{esc(exc.render(lang))}</pre>"
