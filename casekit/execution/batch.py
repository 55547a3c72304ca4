"""``casekit grade``: grade a folder of submissions of any case kinds through the one grading notebook.

A batch is a declared sequence of small, verb-named steps (:func:`grade_folder` is that sequence), each a
function tested on its own:

1. :func:`discover` the answer documents (``*.json``) in the folder, each with a file-safe key;
2. :func:`route` each to its case kind and that kind's rubric (the packaged one, or one chosen per kind), so a
   folder mixing kinds grades in one run;
3. :func:`plan` one papermill job per submission: the grading notebook with its parameters, and a fingerprint of
   everything that makes an earlier result stale (the submission, its rubric, its assessors' marks);
4. :func:`run <casekit.execution.runner.run_batch>` the jobs (a process pool, IPC kernels, a timeout each,
   failures recorded, reruns skipping what is graded and unchanged);
5. :func:`publish` each executed notebook as a self-contained portfolio page;
6. :func:`write_index` of the cohort.

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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from casekit import assets
from casekit.errors import Problem, RubricError, UsageError
from casekit.execution.runner import BatchReport, Job, Progress, run_batch
from casekit.i18n import t
from casekit.registry import CaseRegistry, registry
from casekit.validation import load_versioned_yaml, read_text_file

__all__ = [
    "DEFAULT_NOTEBOOK",
    "Found",
    "GradeOutcome",
    "Routed",
    "choose_rubrics",
    "discover",
    "grade_folder",
    "plan",
    "publish",
    "route",
    "write_index",
]

DEFAULT_NOTEBOOK: Final = assets.notebook("grading/grade_case.ipynb")


@dataclass(frozen=True)
class Found:
    """A submission file and the file-safe key its outputs are named by."""

    source: Path
    key: str


@dataclass(frozen=True)
class Routed:
    """A submission with what its header says: the candidate, the case kind (``None`` when the file cannot be
    read as an answer of a known kind: the grading notebook then reports why) and the rubric it is graded by."""

    source: Path
    key: str
    candidate_id: str | None
    case: str | None
    rubric: Path | None


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


def discover(submissions: str | os.PathLike[str], lang: str | None = None) -> list[Found]:
    """Every ``*.json`` file in the folder, sorted, each with a distinct file-safe key (two names that sanitise
    alike get a suffix)."""
    from casekit.portfolio import safe_filename

    src = Path(submissions)
    if not src.is_dir():
        raise UsageError(t("batch.not_a_folder", lang, path=str(src)))
    files = sorted(p for p in src.glob("*.json") if p.is_file())
    if not files:
        raise UsageError(t("batch.no_submissions", lang, path=str(src)))
    found, used = [], set()
    for f in files:
        base = safe_filename(f.stem)
        key, n = base, 2
        while key in used:
            key, n = f"{base}-{n}", n + 1
        used.add(key)
        found.append(Found(f.resolve(), key))
    return found


def choose_rubrics(choices: Sequence[str]) -> dict[str, Path]:
    """The rubric per kind that ``choices`` ask for: ``KIND=PATH``, or ``PATH`` (the kind is the rubric's ``case``).

    :func:`grade_folder` then loads each with its kind's checks, before anything runs.
    """
    chosen: dict[str, Path] = {}
    for choice in choices:
        kind_id, sep, path_text = choice.partition("=")
        if not sep:
            path_text = choice
            data = load_versioned_yaml(read_text_file(path_text, RubricError), path_text, 1, RubricError)
            case = data.get("case")
            if not isinstance(case, str) or not case:
                raise RubricError([Problem(path_text, "case", "expect.present")])
            kind_id = case
        if kind_id in chosen:
            raise UsageError(t("batch.rubric_twice", None, kind=kind_id))
        chosen[kind_id] = Path(path_text).resolve()
    return chosen


def route(found: Sequence[Found], rubrics: Mapping[str, Path], kinds: CaseRegistry | None = None) -> list[Routed]:
    """Each submission with its candidate, kind and rubric, read from its header (the full document is validated
    by the grading notebook, which reports every problem as the submission's evidence)."""
    cases = kinds if kinds is not None else registry
    routed = []
    for f in found:
        candidate = case = None
        try:
            data = json.loads(f.source.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict):
            candidate = data.get("candidate_id") if isinstance(data.get("candidate_id"), str) else None
            case = data.get("case") if isinstance(data.get("case"), str) and data.get("case") in cases else None
        rubric = None if case is None else rubrics.get(case, cases.get(case).rubric)
        routed.append(Routed(f.source, f.key, candidate, case, rubric))
    return routed


def _marks_digests(gradebook: Path, routed: Sequence[Routed]) -> dict[str, bytes]:
    """Per submission key, a digest of every mark recorded for its candidate and case (empty when none).

    The assessors' marks are part of what a portfolio shows, so a new mark makes the submission stale. The
    gradebook is opened once for the whole folder.
    """
    digests = {r.key: b"" for r in routed}
    if not gradebook.is_file():
        return digests
    from casekit.store import Gradebook

    with Gradebook(gradebook) as book:
        for r in routed:
            if r.candidate_id is None or r.case is None:
                continue
            key = f"{r.candidate_id}/{r.case}"
            if book.submission(key) is None:
                continue
            history = [m.to_json() for m in book.mark_history(key)]
            if history:
                digests[r.key] = json.dumps(history, sort_keys=True).encode("utf-8")
    return digests


def plan(routed: Sequence[Routed], root: Path, *, notebook: Path, lang: str) -> list[Job]:
    """One grading job per submission, with the fingerprint that decides whether an earlier result still holds."""
    gradebook = root / "gradebook.sqlite"
    marks = _marks_digests(gradebook, routed)
    rubric_bytes: dict[Path | None, bytes] = {r.rubric: r.rubric.read_bytes() for r in routed if r.rubric is not None}
    rubric_bytes[None] = b""
    jobs = []
    for r in routed:
        params = {
            "submission": str(r.source),
            "rubric": "" if r.rubric is None else str(r.rubric),
            "lang": lang,
            "gradebook": str(gradebook),
            "result_path": str(root / "results" / f"{r.key}.json"),
        }
        basis = r.source.read_bytes() + rubric_bytes[r.rubric] + marks[r.key]
        jobs.append(
            Job(r.key, notebook, Path("executed") / f"{r.key}.ipynb", params, hashlib.sha256(basis).hexdigest())
        )
    return jobs


def publish(routed: Sequence[Routed], report: BatchReport, root: Path, lang: str) -> list[GradeOutcome]:
    """Each submission's outcome; its executed notebook becomes its portfolio page when newer than the page."""
    from casekit.portfolio import render_portfolio

    outcomes = []
    for r, res in zip(routed, report.results, strict=True):
        result_file = root / "results" / f"{r.key}.json"
        graded = res.status != "failed" and result_file.is_file()
        result = json.loads(result_file.read_text(encoding="utf-8")) if graded else None
        if not graded:
            result_file.unlink(missing_ok=True)  # a stale result must not stand for a failed resubmission
        executed = root / "executed" / f"{r.key}.ipynb"
        page = root / "portfolios" / f"{r.key}.html"
        if executed.is_file() and (not page.is_file() or page.stat().st_mtime < executed.stat().st_mtime):
            render_portfolio(executed, page, lang, candidate_id=(result or {}).get("candidate_id", r.key))
        status = "failed" if not graded else res.status
        outcomes.append(
            GradeOutcome(r.key, r.source, status, res.describe(lang), result, page if page.is_file() else None, r.case)
        )
    return outcomes


def write_index(outcomes: Sequence[GradeOutcome], root: Path, lang: str) -> Path:
    """The cohort index: each submission's case, decision, criteria and page."""
    from casekit.portfolio import render_index

    entries = []
    for o in outcomes:
        href = f"portfolios/{o.key}.html" if o.portfolio else ""
        if o.result is not None:
            decision = o.result["decision"]
            entries.append(
                {
                    "candidate_id": o.result["candidate_id"],
                    "case": o.result["case"],
                    "decision_state": decision["outcome"],
                    "decision_label": decision["label"],
                    "criteria": [(c["id"], c["state"]) for c in o.result["criteria"]],
                    "portfolio_href": href,
                }
            )
        else:
            entries.append(
                {"candidate_id": o.key, "case": o.case or "", "decision_state": "failed", "portfolio_href": href}
            )
    return render_index(entries, root / "index.html", lang)


def grade_folder(
    submissions: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    jobs_n: int = 2,
    lang: str = "zh-TW",
    timeout: float = 600.0,
    rubrics: Mapping[str, str | os.PathLike[str]] | None = None,
    notebook: str | os.PathLike[str] | None = None,
    progress: Progress | None = None,
    kinds: CaseRegistry | None = None,
) -> list[GradeOutcome]:
    """Grade every ``*.json`` in ``submissions`` into ``out``; one broken submission never stops the others.

    ``rubrics`` maps a kind to the rubric it is graded by (default: each kind's packaged rubric; see
    :func:`choose_rubrics` for the command line's ``--rubric``). Every rubric chosen is loaded with its kind's
    checks first, so a bad one stops the batch before anything runs.
    """
    cases = kinds if kinds is not None else registry
    found = discover(submissions, lang)
    chosen = {k: Path(p).resolve() for k, p in (rubrics or {}).items()}
    for kind_id, path in chosen.items():
        cases.get(kind_id).load_rubric(path)
    notebook_path = Path(notebook or DEFAULT_NOTEBOOK).resolve()
    if not notebook_path.is_file():
        raise UsageError(t("batch.missing_file", lang, path=str(notebook_path)))
    root = Path(out).resolve()
    for sub in ("executed", "results", "portfolios"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    routed = route(found, chosen, cases)
    jobs = plan(routed, root, notebook=notebook_path, lang=lang)
    report = run_batch(jobs, out_dir=root, jobs_n=jobs_n, timeout=timeout, progress=progress)
    outcomes = publish(routed, report, root, lang)
    write_index(outcomes, root, lang)
    return outcomes
