"""``casekit grade``: grade a folder of submissions of any case kinds through the one grading notebook.

A batch is a declared sequence of small, verb-named steps (:func:`grade_folder` is that sequence), each a
function tested on its own:

1. :func:`~casekit.execution.intake.discover` the answer documents (``*.json`` regular files) in the folder, each
   with a file-safe key; other entries are set aside and named;
2. :func:`~casekit.execution.intake.route` each to its case kind and that kind's rubric, refusing what cannot be
   read, is too large, or claims a candidate and case another file claims too;
3. :func:`plan` one papermill job per submission taken in, with a fingerprint of everything that makes an earlier
   result stale (the submission, its rubric, its assessors' marks);
4. :func:`recheck` what a rerun would skip: a result or executed notebook changed since it was written is graded
   again;
5. :func:`run <casekit.execution.runner.run_batch>` the jobs (a process pool, IPC kernels, a timeout each,
   failures recorded, reruns skipping what is graded and unchanged);
6. :func:`~casekit.execution.publish.publish` each executed notebook as a self-contained portfolio page, and bring
   the gradebook in line with what is published;
7. :func:`~casekit.execution.publish.write_index` of the cohort with the seal, and the manifest.

One batch at a time writes a folder (a lock); a gradebook whose records do not verify stops the batch before it
runs. Layout of ``OUT``::

    executed/<key>.ipynb   the executed grading notebook (evidence, also for a failed submission)
    results/<key>.json     the result document (decision, criteria) of a graded submission
    portfolios/<key>.html  the portfolio page
    gradebook.sqlite       results, assessor marks and their history, hash-chained
    batch-report.json      what the last batch did
    index.html             the cohort at a glance, with the seal of the folder
    manifest.json          the SHA-256 of every published file (casekit verify)
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from casekit import assets
from casekit.errors import UsageError
from casekit.execution.intake import Found, Routed, choose_rubrics, discover, route
from casekit.execution.jobs import Job, Progress, products_intact, sidecar_path
from casekit.execution.publish import GradeOutcome, publish, write_index
from casekit.execution.runner import run_batch
from casekit.execution.units import write_units
from casekit.i18n import t
from casekit.limits import MAX_ANSWER_BYTES
from casekit.registry import CaseRegistry, registry

if TYPE_CHECKING:
    from casekit.assessment.plan import Plan
    from casekit.assessment.roster import Roster

__all__ = [
    "DEFAULT_NOTEBOOK",
    "Batch",
    "Found",
    "GradeOutcome",
    "Routed",
    "choose_rubrics",
    "discover",
    "grade_folder",
    "plan",
    "recheck",
    "route",
]

DEFAULT_NOTEBOOK: Final = assets.notebook("grading/grade_case.ipynb")
LOCK: Final = ".casekit-grade.lock"


@dataclass(frozen=True)
class Batch:
    """What a batch did: one outcome per ``*.json`` entry, the entries set aside (not answer documents), and the
    keys graded again because their published files no longer matched the manifest."""

    outcomes: tuple[GradeOutcome, ...]
    set_aside: tuple[str, ...] = ()
    rechecked: tuple[str, ...] = ()
    #: The candidates' unit results (``casekit-unit-result`` documents, each with the ``href`` of its page).
    units: tuple[dict[str, Any], ...] = ()


def _marks_digests(gradebook: Path, routed: Sequence[Routed]) -> dict[str, bytes]:
    """Per submission key, a digest of every mark and moderation record for its candidate and case (empty when
    none).

    The assessors' judgements are part of what a portfolio shows, so a new mark or moderation record makes the
    submission stale. The gradebook is opened once for the whole folder.
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
            history: list[object] = [m.to_json() for m in book.mark_history(key)]
            history += [m.to_json() for k, m in book.all_moderations() if k == key]
            if history:
                digests[r.key] = json.dumps(history, sort_keys=True).encode("utf-8")
    return digests


def plan(
    routed: Sequence[Routed],
    root: Path,
    *,
    notebook: Path,
    lang: str,
    max_bytes: int = MAX_ANSWER_BYTES,
    roster_sha256: str = "",
) -> list[Job]:
    """One grading job per submission taken in (none for a refused one), with the fingerprint that decides
    whether an earlier result still holds."""
    gradebook = root / "gradebook.sqlite"
    taken = [r for r in routed if not r.refused]
    marks = _marks_digests(gradebook, taken)
    rubric_bytes: dict[Path | None, bytes] = {r.rubric: r.rubric.read_bytes() for r in taken if r.rubric is not None}
    rubric_bytes[None] = b""
    jobs = []
    for r in taken:
        params = {
            "submission": str(r.source),
            "rubric": "" if r.rubric is None else str(r.rubric),
            "lang": lang,
            # relative to the notebook's folder (executed/), where the kernel runs: a graded folder can be moved
            "gradebook": "../gradebook.sqlite",
            "result_path": f"../results/{r.key}.json",
            "max_bytes": max_bytes,
            "roster_sha256": roster_sha256,
        }
        basis = r.sha256.encode() + rubric_bytes[r.rubric] + marks[r.key]
        sha = hashlib.sha256(basis).hexdigest()
        result = root / "results" / f"{r.key}.json"
        jobs.append(Job(r.key, notebook, Path("executed") / f"{r.key}.ipynb", params, sha, products=(result,)))
    return jobs


def recheck(jobs: Sequence[Job], root: Path) -> list[str]:
    """The finished jobs whose executed notebook or result was changed since they wrote it (their success marker
    records the SHA-256): the marker goes, so the run grades them again instead of skipping them. Their keys."""
    again = []
    for job in jobs:
        placed = dataclasses.replace(job, output_path=root / job.output_path)
        if sidecar_path(placed.output_path).is_file() and not products_intact(placed):
            sidecar_path(placed.output_path).unlink(missing_ok=True)
            again.append(job.key)
    return again


@contextlib.contextmanager
def _locked(root: Path, lang: str) -> Iterator[None]:
    """Hold the folder's batch lock: a second ``casekit grade`` on the same ``--out`` is refused, clearly."""
    path = root / LOCK
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            raise UsageError(t("batch.locked", lang, path=str(root), pid=holder)) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _verified_gradebook(root: Path, lang: str) -> None:
    """Refuse to build on a gradebook whose records do not verify (its triggers, chains and derived state)."""
    book_path = root / "gradebook.sqlite"
    if not book_path.is_file():
        return
    from casekit.store import Gradebook
    from casekit.store.verify import verify_gradebook

    with Gradebook(book_path) as book:
        problems = verify_gradebook(book)
    if problems:
        lines = "\n".join(p.render(lang) for p in problems)
        raise UsageError(t("batch.gradebook_tampered", lang, path=str(book_path), problems=lines))


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
    max_bytes: int = MAX_ANSWER_BYTES,
    roster: str | os.PathLike[str] | None = None,
    plan_path: str | os.PathLike[str] | None = None,
) -> Batch:
    """Grade every ``*.json`` in ``submissions`` into ``out``; one broken submission never stops the others.

    ``rubrics`` maps a kind to the rubric it is graded by (default: each kind's packaged rubric; see
    :func:`choose_rubrics` for the command line's ``--rubric``). Every rubric chosen is loaded with its kind's
    checks first, so a bad one stops the batch before anything runs. ``max_bytes`` caps a submission's size.

    Given a ``roster`` (``casekit assign``), a submission whose header is not what the roster assigned its
    candidate is refused with the reason, and the roster's assignments are recorded in the gradebook; without one,
    each page says the assignment was not checked. The unit decisions follow the plan at ``plan_path`` (recorded
    in the gradebook for later commands), else the one the gradebook recorded, else the packaged plan.
    """
    cases = kinds if kinds is not None else registry
    found, set_aside = discover(submissions, lang)
    chosen = {k: Path(p).resolve() for k, p in (rubrics or {}).items()}
    for kind_id, path in chosen.items():
        cases.get(kind_id).load_rubric(path)
    notebook_path = Path(notebook or DEFAULT_NOTEBOOK).resolve()
    if not notebook_path.is_file():
        raise UsageError(t("batch.missing_file", lang, path=str(notebook_path)))
    root = Path(out).resolve()
    for sub in ("executed", "results", "portfolios"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    with _locked(root, lang):
        _verified_gradebook(root, lang)
        the_plan, the_roster, roster_sha = _cohort(root, plan_path, roster)
        routed = route(found, chosen, cases, max_bytes=max_bytes, lang=lang, roster=the_roster)
        jobs = plan(routed, root, notebook=notebook_path, lang=lang, max_bytes=max_bytes, roster_sha256=roster_sha)
        again = recheck(jobs, root)
        report = run_batch(jobs, out_dir=root, jobs_n=jobs_n, timeout=timeout, progress=progress)
        outcomes = publish(routed, report, root, lang, gradebook=root / "gradebook.sqlite")
        units = write_units(root, the_plan, lang)
        write_index(outcomes, root, lang, units)
    return Batch(tuple(outcomes), tuple(set_aside), tuple(again), tuple(units))


def rebuild_units(root: Path, lang: str, *, plan_path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """Decide every candidate's unit again from the gradebook in ``root`` and write the unit pages, the index and
    the manifest (``casekit unit``); the case pages are left as the last ``casekit grade`` published them."""
    from casekit.cohort.plans import cohort_plan
    from casekit.store import Gradebook

    root = root.resolve()
    with _locked(root, lang):
        _verified_gradebook(root, lang)
        with Gradebook(root / "gradebook.sqlite") as book:
            the_plan = cohort_plan(book, None if plan_path is None else str(plan_path))
        units = write_units(root, the_plan, lang)
        write_index((), root, lang, units)
    return units


def _cohort(
    root: Path, plan_path: str | os.PathLike[str] | None, roster_path: str | os.PathLike[str] | None
) -> tuple[Plan, Roster | None, str]:
    """The plan the unit is decided by and the roster (with its SHA-256) headers are checked against, each
    recorded in the gradebook: the roster's assignments, and the plan for later commands."""
    from casekit.assessment.roster import load_roster
    from casekit.cohort.plans import cohort_plan
    from casekit.store import Gradebook

    roster = None if roster_path is None else load_roster(roster_path)
    roster_sha = "" if roster_path is None else hashlib.sha256(Path(roster_path).read_bytes()).hexdigest()
    with Gradebook(root / "gradebook.sqlite") as book:
        the_plan = cohort_plan(book, None if plan_path is None else str(plan_path))
        if roster is not None:
            if roster.plan_sha256 != the_plan.sha256:
                params = {"roster": str(roster_path), "plan": roster.plan_id, "sha": roster.plan_sha256[:12]}
                params |= {"used": the_plan.id, "used_sha": the_plan.sha256[:12]}
                raise UsageError(t("batch.roster_plan", None, **params))
            for entry in roster.entries:
                book.add_candidate(entry.candidate_id, entry.name)
                for c in entry.components:
                    book.set_assignment(entry.candidate_id, c.component, c.case, entry.org, c.seed, roster_sha)
    return the_plan, roster, roster_sha
