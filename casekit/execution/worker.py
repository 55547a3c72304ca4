"""Inside a worker process: execute one job's notebook with papermill on an isolated kernel, under its time limit,
and leave the success marker only if it succeeded."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from casekit.execution.jobs import (
    FAILED,
    OK,
    SIDECAR_SCHEMA_VERSION,
    Job,
    JobResult,
    Reason,
    Status,
    product_hashes,
    sidecar_path,
    write_json_atomic,
)
from casekit.execution.kernels import isolated_kernels, kill_kernels, stop_if_terminating, wall_clock_limit

__all__ = ["run_job"]


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
                "products": product_hashes(job),
            }
            write_json_atomic(marker, sidecar)
    finally:
        stop_if_terminating()  # told to stop: the kernel is dead and the notebook written; take no more work
    return JobResult(job.key, status, seconds, reason, ename, evalue, timeout if reason == "timeout" else 0.0)
