"""Batch runner: execute one parameterised notebook per submission with papermill, in worker processes.

Why it is built this way:

- Each job runs in a worker *process*, at most ``jobs_n`` at once, each with its own kernel; kernels talk over
  ``ipc`` sockets in private directories, so concurrent starts cannot race for ports (:mod:`casekit.execution.kernels`).
- Results leave a kernel as files only: the notebook writes them and papermill writes the executed notebook. The
  worker hands back a small status record, never grading data.
- After a success the worker writes ``<output>.done.json`` atomically, holding the job's fingerprint (submission
  sha256, parameters, grading notebook). A rerun skips a job whose sidecar matches, so an interrupted batch that is
  resumed grades every submission exactly once; a job that did not finish has no sidecar and runs again.
- A failing job (error, timeout, worker killed) is recorded with its reason and the batch goes on; its executed
  notebook is still written by papermill as evidence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from casekit.atomic import write_atomic
from casekit.errors import ExecutionError, UsageError
from casekit.execution.kernels import (
    init_worker,
    isolated_kernels,
    kill_kernels,
    stop_if_terminating,
    stop_pool,
    wall_clock_limit,
    worker_context,
)
from casekit.i18n import t

__all__ = [
    "SIDECAR_SUFFIX",
    "BatchReport",
    "Job",
    "JobResult",
    "Progress",
    "Reason",
    "Status",
    "run_batch",
    "run_job",
    "sidecar_path",
]

SIDECAR_SUFFIX = ".done.json"
SIDECAR_SCHEMA_VERSION = 1
Status = Literal["ok", "failed", "skipped"]
Reason = Literal["", "error", "timeout", "lost"]
OK: Status = "ok"
FAILED: Status = "failed"
SKIPPED: Status = "skipped"
# Extra time the parent grants a worker beyond the job's own limit (process start, papermill import, writing the
# notebook) before it declares the worker hung and replaces the pool.
HARD_LIMIT_GRACE = 60.0

Progress = Callable[[int, int, str, str], None]
"""``progress(done, total, key, status)``; status is ``"ok"``, ``"failed"`` or ``"skipped"``."""


@dataclass(frozen=True)
class Job:
    """One submission to grade: run ``input_path`` with ``parameters`` and write ``output_path``.

    ``sha256`` is the digest of the submission's content: with the parameters and the grading notebook it decides
    whether an earlier result is still valid. ``parameters`` must be JSON values (papermill injects them as code).
    """

    key: str
    input_path: Path
    output_path: Path
    parameters: Mapping[str, Any] = dataclasses.field(hash=False)
    sha256: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_path", Path(self.input_path))
        object.__setattr__(self, "output_path", Path(self.output_path))
        object.__setattr__(self, "parameters", dict(self.parameters))


@dataclass(frozen=True)
class JobResult:
    """What happened to one job; for a failure, why: ``error`` (``ename``/``evalue`` from the notebook or the
    kernel), ``timeout`` (``limit`` seconds) or ``lost`` (its worker process died, also when run alone)."""

    key: str
    status: Status
    seconds: float = 0.0
    reason: Reason = ""
    ename: str = ""
    evalue: str = ""
    limit: float = 0.0

    def describe(self, lang: str | None = None) -> str:
        """The failure reason in words (empty for a job that did not fail)."""
        if self.status != FAILED:
            return ""
        if self.reason == "timeout":
            return t("runner.reason_timeout", lang, limit=f"{self.limit:g}")
        if self.reason == "lost":
            return t("runner.reason_lost", lang)
        return t("runner.reason_error", lang, ename=self.ename, evalue=self.evalue)


@dataclass(frozen=True)
class BatchReport:
    """The outcome of a batch, one :class:`JobResult` per job in the order the jobs were given."""

    results: tuple[JobResult, ...]
    seconds: float

    def _keys(self, status: Status) -> tuple[str, ...]:
        return tuple(r.key for r in self.results if r.status == status)

    @property
    def ok(self) -> tuple[str, ...]:
        return self._keys(OK)

    @property
    def failed(self) -> tuple[str, ...]:
        return self._keys(FAILED)

    @property
    def skipped(self) -> tuple[str, ...]:
        return self._keys(SKIPPED)

    @property
    def failures(self) -> dict[str, JobResult]:
        return {r.key: r for r in self.results if r.status == FAILED}

    def summary(self, lang: str | None = None) -> str:
        return t(
            "runner.summary",
            lang,
            ok=len(self.ok),
            failed=len(self.failed),
            skipped=len(self.skipped),
            seconds=round(self.seconds, 1),
        )

    def raise_for_failures(self, lang: str | None = None) -> None:
        """Raise :class:`ExecutionError` naming the failed jobs, if any (for callers that want an exit status)."""
        if self.failed:
            message = t(
                "runner.failures", lang, n=len(self.failed), total=len(self.results), keys=", ".join(self.failed)
            )
            raise ExecutionError(message, self.failed)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SIDECAR_SCHEMA_VERSION,
            "seconds": round(self.seconds, 3),
            "results": [dataclasses.asdict(r) for r in self.results],
        }


def sidecar_path(output_path: Path) -> Path:
    """Where the success marker of the job writing ``output_path`` lives."""
    return output_path.with_name(output_path.name + SIDECAR_SUFFIX)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fingerprint(job: Job, notebook_sha: str, kernel_name: str) -> str:
    """Everything that, if changed, makes an earlier result stale."""
    basis = {"sha256": job.sha256, "parameters": job.parameters, "notebook": notebook_sha, "kernel": kernel_name}
    return _digest(json.dumps(basis, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def _is_done(job: Job, fingerprint: str) -> bool:
    marker = sidecar_path(job.output_path)
    if not (job.output_path.is_file() and marker.is_file()):
        return False
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and data.get("fingerprint") == fingerprint and data.get("sha256") == job.sha256


def _write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    write_atomic(path, text.encode("utf-8"))


# --- inside a worker process ----------------------------------------------------------------------------------


def _execute(job: Job, timeout: float, kernel_name: str, socket_root: str | None) -> tuple[Status, Reason, str, str]:
    """Run papermill once with an isolated kernel under a wall-clock limit; ``(status, reason, ename, evalue)``."""
    # lazy: importing papermill costs about a second, which the CLI's start-up should not pay
    from papermill import execute_notebook
    from papermill.exceptions import PapermillExecutionError

    with isolated_kernels(socket_root) as km_class:
        managers = km_class.instances  # type: ignore[attr-defined]
        with wall_clock_limit(timeout, lambda: kill_kernels(managers)) as fired:
            try:
                execute_notebook(
                    str(job.input_path),
                    str(job.output_path),
                    parameters=dict(job.parameters),
                    kernel_name=kernel_name,
                    progress_bar=False,
                    log_output=False,
                    cwd=str(job.output_path.parent),
                    execution_timeout=max(1, math.ceil(timeout)),  # per cell; nbclient wants an int
                    kernel_manager_class=km_class,
                    shutdown_kernel="immediate",
                )
            except PapermillExecutionError as exc:
                return FAILED, "error", str(exc.ename), str(exc.evalue)
            except Exception as exc:  # dead kernel, cell timeout, kernel failed to start, ...
                reason: Reason = "timeout" if fired.is_set() or isinstance(exc, TimeoutError) else "error"
                return FAILED, reason, type(exc).__name__, str(exc)
            if fired.is_set():  # the limit struck just as the last cell ended: do not trust the run
                return FAILED, "timeout", "", ""
            return OK, "", "", ""


def run_job(
    job: Job, *, timeout: float, fingerprint: str, kernel_name: str = "python3", socket_root: str | None = None
) -> JobResult:
    """Execute one job here and now (a worker calls this); write its sidecar only if it succeeded.

    Top-level and picklable on purpose, so any executor (a process pool, a Dask cluster) can run it.
    ``socket_root``: where the kernel's socket directory goes (default: the system's temporary directory).
    """
    marker = sidecar_path(job.output_path)
    job.output_path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in job.output_path.parent.glob(f".{marker.name}.*.tmp"):  # from a worker killed mid-write
        leftover.unlink(missing_ok=True)
    marker.unlink(missing_ok=True)  # a stale marker must never vouch for a run that is about to be replaced
    started = time.monotonic()
    try:
        status, reason, ename, evalue = _execute(job, timeout, kernel_name, socket_root)
        seconds = time.monotonic() - started
        if status == OK:
            sidecar = {
                "schema_version": SIDECAR_SCHEMA_VERSION,
                "key": job.key,
                "sha256": job.sha256,
                "fingerprint": fingerprint,
                "seconds": round(seconds, 3),
                "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            _write_json_atomic(marker, sidecar)
    finally:
        stop_if_terminating()  # told to stop: the kernel is dead and the notebook written; take no more work
    return JobResult(job.key, status, seconds, reason, ename, evalue, timeout if reason == "timeout" else 0.0)


# --- in the parent process ----------------------------------------------------------------------------------


@dataclass
class _Running:
    job: Job
    started: float
    isolated: bool


class _Batch:
    """Schedules jobs on a process pool, replacing the pool when a worker dies or hangs.

    When a worker dies, every job then in flight is a suspect: each is rerun alone, so a job that kills its worker
    twice is known to be the culprit (failed, reason ``lost``) and its neighbours are not blamed.
    """

    def __init__(
        self,
        jobs: Sequence[Job],
        fingerprints: Mapping[str, str],
        *,
        jobs_n: int,
        timeout: float,
        kernel_name: str,
        record: Callable[[JobResult], None],
    ) -> None:
        self.queue: deque[Job] = deque(jobs)
        self.suspects: deque[Job] = deque()
        self.inflight: dict[Future[JobResult], _Running] = {}
        self.fingerprints, self.jobs_n, self.timeout = fingerprints, jobs_n, timeout
        self.kernel_name, self.record = kernel_name, record
        self.pool: ProcessPoolExecutor | None = None
        self.socket_root: str | None = None

    def _submit(self, job: Job, *, isolated: bool) -> None:
        for attempt in (1, 2):
            if self.pool is None:
                self.pool = ProcessPoolExecutor(self.jobs_n, mp_context=worker_context(), initializer=init_worker)
            try:
                future = self.pool.submit(
                    run_job,
                    job,
                    timeout=self.timeout,
                    fingerprint=self.fingerprints[job.key],
                    kernel_name=self.kernel_name,
                    socket_root=self.socket_root,
                )
                break
            except BrokenProcessPool:  # a worker died while idle: the pool is unusable, not the job
                stop_pool(self.pool)
                self.pool = None
                if attempt == 2:
                    raise
        self.inflight[future] = _Running(job, time.monotonic(), isolated)

    def _fill(self) -> None:
        if any(r.isolated for r in self.inflight.values()):
            return
        if self.suspects:
            if not self.inflight:
                self._submit(self.suspects.popleft(), isolated=True)
            return
        while self.queue and len(self.inflight) < self.jobs_n:
            self._submit(self.queue.popleft(), isolated=False)

    def _collect(self) -> None:
        done, _ = wait(list(self.inflight), timeout=0.5, return_when=FIRST_COMPLETED)
        lost: list[_Running] = []
        for future in done:
            running = self.inflight.pop(future)
            try:
                self.record(future.result())
            except BrokenProcessPool:
                lost.append(running)
            except Exception as exc:  # e.g. the job could not be sent to the worker
                self.record(JobResult(running.job.key, FAILED, 0.0, "error", type(exc).__name__, str(exc)))
        now = time.monotonic()
        hard_limit = self.timeout + HARD_LIMIT_GRACE
        overdue = [f for f, r in self.inflight.items() if now - r.started > hard_limit]
        for future in overdue:
            running = self.inflight.pop(future)
            self.record(JobResult(running.job.key, FAILED, now - running.started, "timeout", limit=self.timeout))
        if not (lost or overdue):
            return
        # The pool is broken or holds a hung worker: replace it. Jobs still in flight were cut short: after a
        # worker died they are suspects (rerun alone); after a hang they are bystanders (rerun as usual).
        broken = bool(lost)
        lost.extend(self.inflight.values())
        self.inflight.clear()
        if self.pool is not None:
            stop_pool(self.pool)
            self.pool = None
        for running in lost:
            if running.isolated:
                self.record(JobResult(running.job.key, FAILED, now - running.started, "lost"))
            elif broken:
                self.suspects.append(running.job)
            else:
                self.queue.appendleft(running.job)

    def run(self) -> None:
        # The batch owns its kernels' socket directories, so they go even when a worker could not clean up.
        with tempfile.TemporaryDirectory(prefix="ck-", ignore_cleanup_errors=True) as self.socket_root:
            try:
                while self.queue or self.suspects or self.inflight:
                    self._fill()
                    self._collect()
            except BaseException:
                if self.pool is not None:
                    stop_pool(self.pool)
                    self.pool = None
                raise
            if self.pool is not None:
                self.pool.shutdown(wait=True)
                self.pool = None


def _check(jobs: Sequence[Job], jobs_n: int, timeout: float) -> None:
    """Collect every problem with the arguments, then report them together."""
    problems: list[str] = []
    if isinstance(jobs_n, bool) or not isinstance(jobs_n, int) or jobs_n < 1:
        problems.append(t("runner.bad_jobs_n", None, got=repr(jobs_n)))
    if not isinstance(timeout, int | float) or not math.isfinite(timeout) or timeout <= 0:
        problems.append(t("runner.bad_timeout", None, got=repr(timeout)))
    for what, values in (("key", [j.key for j in jobs]), ("output", [str(j.output_path) for j in jobs])):
        duplicates = sorted(v for v, n in Counter(values).items() if n > 1)
        if duplicates:
            problems.append(t(f"runner.duplicate_{what}", None, values=", ".join(duplicates)))
    for job in jobs:
        if not job.input_path.is_file():
            problems.append(t("runner.missing_notebook", None, key=job.key, path=str(job.input_path)))
        try:
            json.dumps(job.parameters, allow_nan=False)
        except (TypeError, ValueError) as exc:
            problems.append(t("runner.bad_parameters", None, key=job.key, error=str(exc)))
    if problems:
        raise UsageError("\n".join(problems))


def run_batch(
    jobs: Sequence[Job],
    *,
    out_dir: str | os.PathLike[str],
    jobs_n: int = 2,
    timeout: float,
    progress: Progress | None = None,
    kernel_name: str = "python3",
) -> BatchReport:
    """Grade every job not already graded, ``jobs_n`` kernels at a time, and report what happened.

    A relative ``output_path`` is taken under ``out_dir``; the report is also written to
    ``out_dir/batch-report.json``. ``timeout`` (seconds) limits each whole notebook (and each cell). Failures
    never stop the batch; ``KeyboardInterrupt`` stops the workers and their kernels and propagates, leaving no
    success marker for an unfinished job, so running the same batch again resumes it.
    """
    started = time.monotonic()
    root = Path(out_dir)
    jobs = [
        j if j.output_path.is_absolute() else dataclasses.replace(j, output_path=root / j.output_path) for j in jobs
    ]
    _check(jobs, jobs_n, timeout)
    root.mkdir(parents=True, exist_ok=True)
    notebook_sha: dict[Path, str] = {}
    fingerprints: dict[str, str] = {}
    for job in jobs:
        if job.input_path not in notebook_sha:
            notebook_sha[job.input_path] = _digest(job.input_path.read_bytes())
        fingerprints[job.key] = _fingerprint(job, notebook_sha[job.input_path], kernel_name)

    results: dict[str, JobResult] = {}

    def record(result: JobResult) -> None:
        results[result.key] = result
        if progress is not None:
            progress(len(results), len(jobs), result.key, result.status)

    pending = []
    for job in jobs:
        if _is_done(job, fingerprints[job.key]):
            record(JobResult(job.key, SKIPPED))
        else:
            pending.append(job)
    if pending:
        _Batch(pending, fingerprints, jobs_n=jobs_n, timeout=timeout, kernel_name=kernel_name, record=record).run()
    report = BatchReport(tuple(results[j.key] for j in jobs), time.monotonic() - started)
    _write_json_atomic(root / "batch-report.json", report.to_json())
    return report
