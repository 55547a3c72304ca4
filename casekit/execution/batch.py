"""``casekit grade``: grade a folder of submissions through the grading notebook and publish the evidence.

For each ``*.json`` in the folder the grading notebook runs under papermill (:mod:`casekit.execution.runner`: a process
pool, IPC kernels, a timeout per submission, failures recorded, reruns skipping what is graded and unchanged).
Then each executed notebook becomes a self-contained portfolio page and the cohort gets ``index.html``.

Layout of ``OUT``::

    executed/<key>.ipynb   the executed grading notebook (evidence, also for a failed submission)
    results/<key>.json     the result document (decision, criteria) of a graded submission
    portfolios/<key>.html  the portfolio page
    gradebook.sqlite       results, assessor marks and their history
    batch-report.json      what the last batch did
    index.html             the cohort at a glance
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casekit.errors import UsageError
from casekit.i18n import t

__all__ = ["DEFAULT_NOTEBOOK", "DEFAULT_RUBRIC", "GradeOutcome", "grade_folder", "project_root"]


def project_root() -> Path:
    """The folder holding ``notebooks/`` and ``rubrics/`` (the source tree casekit is installed from)."""
    return Path(__file__).resolve().parents[2]


DEFAULT_NOTEBOOK = project_root() / "notebooks" / "grading" / "grade_t4.ipynb"
DEFAULT_RUBRIC = project_root() / "rubrics" / "t4-incentives.yaml"


@dataclass(frozen=True)
class GradeOutcome:
    """One submission after the batch: its key, status, the failure reason, and its result document if graded."""

    key: str
    source: Path
    status: str  # ok | skipped | failed
    reason: str
    result: dict[str, Any] | None
    portfolio: Path | None


def _keys(files: list[Path]) -> dict[Path, str]:
    """A distinct, file-safe key per submission file (two names that sanitise alike get a suffix)."""
    from casekit.portfolio import safe_filename

    keys: dict[Path, str] = {}
    used: set[str] = set()
    for f in files:
        base = safe_filename(f.stem)
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        keys[f] = key
    return keys


def _marks_digests(gradebook: Path, files: list[Path]) -> dict[Path, bytes]:
    """Per submission, a digest of every mark recorded for its candidate and case (empty when there are none).

    The assessors' marks are part of what a portfolio shows, so a new mark makes the submission stale. The
    gradebook is opened once for the whole folder.
    """
    digests = dict.fromkeys(files, b"")
    if not gradebook.is_file():
        return digests
    from casekit.store import Gradebook

    with Gradebook(gradebook) as book:
        for f in files:
            try:
                doc = json.loads(f.read_text(encoding="utf-8"))
                key = f"{doc['candidate_id']}/{doc['case']}"
            except (ValueError, KeyError, TypeError):
                continue  # a malformed submission has no marks to show; grading will report it
            if book.submission(key) is None:
                continue
            history = [m.to_json() for m in book.mark_history(key)]
            if history:
                digests[f] = json.dumps(history, sort_keys=True).encode("utf-8")
    return digests


def grade_folder(
    submissions: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs_n: int = 2,
    lang: str = "zh-TW",
    timeout: float = 600.0,
    rubric: str | os.PathLike[str] | None = None,
    notebook: str | os.PathLike[str] | None = None,
    progress: Callable[[int, int, str, str], None] | None = None,
) -> list[GradeOutcome]:
    """Grade every ``*.json`` in ``submissions`` into ``out``; one broken submission never stops the others."""
    from casekit.execution.runner import Job, run_batch
    from casekit.portfolio import render_index, render_portfolio

    src = Path(submissions)
    if not src.is_dir():
        raise UsageError(t("batch.not_a_folder", lang, path=str(src)))
    files = sorted(p for p in src.glob("*.json") if p.is_file())
    if not files:
        raise UsageError(t("batch.no_submissions", lang, path=str(src)))
    rubric_path = Path(rubric or DEFAULT_RUBRIC).resolve()
    notebook_path = Path(notebook or DEFAULT_NOTEBOOK).resolve()
    for needed in (rubric_path, notebook_path):
        if not needed.is_file():
            raise UsageError(t("batch.missing_file", lang, path=str(needed)))
    root = Path(out).resolve()
    for sub in ("executed", "results", "portfolios"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    gradebook = root / "gradebook.sqlite"
    keys = _keys(files)
    rubric_bytes = rubric_path.read_bytes()
    marks = _marks_digests(gradebook, files)
    jobs = []
    for f in files:
        key = keys[f]
        params = {
            "submission": str(f.resolve()),
            "rubric": str(rubric_path),
            "lang": lang,
            "gradebook": str(gradebook),
            "result_path": str(root / "results" / f"{key}.json"),
        }
        sha = hashlib.sha256(f.read_bytes() + rubric_bytes + marks[f]).hexdigest()
        jobs.append(Job(key, notebook_path, Path("executed") / f"{key}.ipynb", params, sha))
    report = run_batch(jobs, out_dir=root, jobs_n=jobs_n, timeout=timeout, progress=progress)

    outcomes = []
    for f, res in zip(files, report.results, strict=True):
        key = keys[f]
        result_file = root / "results" / f"{key}.json"
        graded = res.status != "failed" and result_file.is_file()
        result = json.loads(result_file.read_text(encoding="utf-8")) if graded else None
        if not graded:
            result_file.unlink(missing_ok=True)  # a stale result must not stand for a failed resubmission
        executed = root / "executed" / f"{key}.ipynb"
        page = root / "portfolios" / f"{key}.html"
        if executed.is_file() and (not page.is_file() or page.stat().st_mtime < executed.stat().st_mtime):
            render_portfolio(executed, page, lang, candidate_id=(result or {}).get("candidate_id", key))
        outcomes.append(
            GradeOutcome(
                key,
                f,
                "failed" if not graded else res.status,
                res.describe(lang),
                result,
                page if page.is_file() else None,
            )
        )

    entries = []
    for o in outcomes:
        if o.result is not None:
            decision = o.result["decision"]
            entries.append(
                {
                    "candidate_id": o.result["candidate_id"],
                    "decision_state": decision["outcome"],
                    "decision_label": decision["label"],
                    "criteria": [(c["id"], c["state"]) for c in o.result["criteria"]],
                    "portfolio_href": f"portfolios/{o.key}.html",
                }
            )
        else:
            entries.append(
                {
                    "candidate_id": o.key,
                    "decision_state": "failed",
                    "portfolio_href": f"portfolios/{o.key}.html" if o.portfolio else "",
                }
            )
    render_index(entries, root / "index.html", lang)
    return outcomes
