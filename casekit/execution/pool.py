"""In the parent process: schedule jobs on a process pool of workers, and replace the pool when a worker dies or
hangs, so that one submission that kills its worker is found and failed alone."""

from __future__ import annotations

import tempfile
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from casekit.execution.jobs import FAILED, Job, JobResult
from casekit.execution.kernels import init_worker, stop_pool, worker_context
from casekit.execution.worker import run_job

__all__ = ["HARD_LIMIT_GRACE", "BatchPool"]

# Extra time the parent grants a worker beyond the job's own limit (process start, papermill import, writing the
# notebook) before it declares the worker hung and replaces the pool.
HARD_LIMIT_GRACE = 60.0


@dataclass
class _Running:
    job: Job
    started: float
    isolated: bool


class BatchPool:
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
