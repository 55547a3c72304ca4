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
import json
import math
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from casekit.errors import UsageError
from casekit.execution.jobs import (
    FAILED,
    OK,
    SIDECAR_SUFFIX,
    SKIPPED,
    BatchReport,
    Job,
    JobResult,
    Progress,
    Reason,
    Status,
    digest,
    fingerprint,
    is_done,
    sidecar_path,
    write_json_atomic,
)
from casekit.execution.pool import BatchPool
from casekit.execution.worker import run_job
from casekit.i18n import t

__all__ = [
    "FAILED",
    "OK",
    "SIDECAR_SUFFIX",
    "SKIPPED",
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
        j
        if j.output_path.is_absolute()
        else dataclasses.replace(j, output_path=root / j.output_path, products=tuple(root / p for p in j.products))
        for j in jobs
    ]
    _check(jobs, jobs_n, timeout)
    root.mkdir(parents=True, exist_ok=True)
    notebook_sha: dict[Path, str] = {}
    fingerprints: dict[str, str] = {}
    for job in jobs:
        if job.input_path not in notebook_sha:
            notebook_sha[job.input_path] = digest(job.input_path.read_bytes())
        fingerprints[job.key] = fingerprint(job, notebook_sha[job.input_path], kernel_name)

    results: dict[str, JobResult] = {}

    def record(result: JobResult) -> None:
        results[result.key] = result
        if progress is not None:
            progress(len(results), len(jobs), result.key, result.status)

    pending = []
    for job in jobs:
        if is_done(job, fingerprints[job.key]):
            record(JobResult(job.key, SKIPPED))
        else:
            pending.append(job)
    if pending:
        BatchPool(pending, fingerprints, jobs_n=jobs_n, timeout=timeout, kernel_name=kernel_name, record=record).run()
    report = BatchReport(tuple(results[j.key] for j in jobs), time.monotonic() - started)
    write_json_atomic(root / "batch-report.json", report.to_json())
    return report
