"""Publishing a batch: each submission's outcome and portfolio page, the gradebook brought in line with what is
published, the cohort index with the seal, and the manifest.

The gradebook and the published pages never disagree: a submission that failed to grade, or was refused (a
duplicate, too large, unreadable), has no result file and no page standing for an earlier version, and when its
header names a candidate and case the gradebook knows, that record's decision is withdrawn with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casekit.atomic import write_atomic
from casekit.execution.intake import Routed
from casekit.execution.jobs import BatchReport, JobResult, sidecar_path
from casekit.execution.manifest import file_sha256, load_manifest, published_files, seal_of, write_manifest
from casekit.jsonio import dumps_strict
from casekit.store.gradebook import Withdrawal

__all__ = ["FAILED_FILE", "GradeOutcome", "publish", "write_index"]

#: What the last batch could not grade (the cohort index lists it; ``casekit unit`` keeps listing it).
FAILED_FILE = "failed.json"


@dataclass(frozen=True)
class GradeOutcome:
    """One submission after the batch: its key, status, the failure reason, and its result document if graded."""

    key: str
    source: Path
    status: str  # ok | skipped | failed
    reason: str
    result: dict[str, Any] | None
    portfolio: Path | None
    case: str | None = None


def _drop_outputs(root: Path, key: str) -> None:
    """Remove what an earlier grading of ``key`` published: it must not stand for this submission."""
    executed = root / "executed" / f"{key}.ipynb"
    for stale in (
        root / "results" / f"{key}.json",
        root / "portfolios" / f"{key}.html",
        executed,
        sidecar_path(executed),
    ):
        stale.unlink(missing_ok=True)


def publish(
    routed: Sequence[Routed], report: BatchReport, root: Path, lang: str, *, gradebook: Path | None = None
) -> list[GradeOutcome]:
    """Each submission's outcome; its executed notebook becomes its portfolio page when newer than the page. A
    refused submission has no job in ``report``; it and every failed one are withdrawn from ``gradebook``."""
    from casekit.portfolio import render_portfolio

    results: dict[str, JobResult] = {r.key: r for r in report.results}
    listed = (load_manifest(root) or {}).get("files", {})
    outcomes: list[GradeOutcome] = []
    withdraw: list[tuple[Routed, Withdrawal, str]] = []
    for r in routed:
        if r.refused:
            _drop_outputs(root, r.key)
            outcomes.append(GradeOutcome(r.key, r.source, "failed", r.refused, None, None, r.case))
            withdraw.append((r, "held", r.refused))  # set aside for the assessor (a duplicate claim, mostly)
            continue
        res = results[r.key]
        result_file = root / "results" / f"{r.key}.json"
        graded = res.status != "failed" and result_file.is_file()
        result = json.loads(result_file.read_text(encoding="utf-8")) if graded else None
        if not graded:
            result_file.unlink(missing_ok=True)  # a stale result must not stand for a failed resubmission
            withdraw.append((r, "failed", res.describe(lang)))
        executed = root / "executed" / f"{r.key}.ipynb"
        page = root / "portfolios" / f"{r.key}.html"
        if executed.is_file() and _stale(page, executed, listed.get(f"portfolios/{r.key}.html")):
            facts = [] if result is None else [("result_sha256", file_sha256(result_file))]
            candidate = (result or {}).get("candidate_id", r.key)
            render_portfolio(executed, page, lang, candidate_id=candidate, facts=facts)
        status = "failed" if not graded else res.status
        outcomes.append(
            GradeOutcome(r.key, r.source, status, res.describe(lang), result, page if page.is_file() else None, r.case)
        )
    if gradebook is not None:
        # a skipped result is recorded too (once: an identical run is not recorded twice), so a batch cut short
        # between its kernels finishing and this line loses no grading
        _record(gradebook, [o.result for o in outcomes if o.result is not None], withdraw)
    return outcomes


def _stale(page: Path, executed: Path, published: str | None) -> bool:
    """A page is rendered again when missing, older than its notebook, or not what was published (edited)."""
    if not page.is_file() or page.stat().st_mtime < executed.stat().st_mtime:
        return True
    return published is None or file_sha256(page) != published


def _record(gradebook: Path, graded: list[dict[str, Any]], withdrawn: list[tuple[Routed, Withdrawal, str]]) -> None:
    """The parent records what the kernels found (they only read the gradebook): each grading run, and each
    withdrawal of a submission that failed or was refused."""
    from casekit.grading.result import run_from_result
    from casekit.store import Gradebook

    with Gradebook(gradebook) as book:
        for doc in graded:
            book.record_grading(run_from_result(doc))
        for r, event, reason in withdrawn:
            if r.candidate_id is not None and r.case is not None:
                book.withdraw(f"{r.candidate_id}/{r.case}", event, reason, r.sha256)


def write_index(
    outcomes: Sequence[GradeOutcome], root: Path, lang: str, units: Sequence[Mapping[str, Any]] = ()
) -> Path:
    """The cohort index (one row per candidate: the unit outcome, each component's decision and page, what
    awaits whom, totals per criterion; then the submissions that could not be graded) and the seal of what is
    published, then the manifest of every published file."""
    from casekit.execution.units import index_links
    from casekit.portfolio import render_unit_index
    from casekit.store import Gradebook

    failed = [
        {
            "source": o.source.name,
            "key": o.key,
            "reason": o.reason,
            "href": f"portfolios/{o.key}.html" if o.portfolio else "",
        }
        for o in outcomes
        if o.status == "failed"
    ]
    if outcomes or not (root / FAILED_FILE).is_file():
        write_atomic(root / FAILED_FILE, dumps_strict({"failed": failed}).encode("utf-8"))
    else:  # casekit unit: the submissions the last batch could not grade are still not graded
        failed = json.loads((root / FAILED_FILE).read_text(encoding="utf-8")).get("failed", [])
    files = published_files(root)
    heads: dict[str, str] = {}
    if (root / "gradebook.sqlite").is_file():
        with Gradebook(root / "gradebook.sqlite") as book:
            heads = book.heads()
    index = render_unit_index(index_links(units), failed, root / "index.html", lang, seal=seal_of(files, heads))
    write_manifest(root, files, heads)
    return index
