"""What a batch is made of: jobs, their results, the batch report, and the success marker (sidecar) a finished
job leaves, which decides whether a rerun can skip it. Plain data, shared by the parent process and its workers."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from casekit.atomic import write_atomic
from casekit.errors import ExecutionError
from casekit.i18n import t
from casekit.jsonio import dumps_strict

__all__ = [
    "FAILED",
    "OK",
    "SIDECAR_SCHEMA_VERSION",
    "SIDECAR_SUFFIX",
    "SKIPPED",
    "BatchReport",
    "Job",
    "JobResult",
    "Progress",
    "Reason",
    "Status",
    "digest",
    "fingerprint",
    "is_done",
    "product_hashes",
    "products_intact",
    "sidecar_path",
    "write_json_atomic",
]

SIDECAR_SUFFIX = ".done.json"
SIDECAR_SCHEMA_VERSION = 1
Status = Literal["ok", "failed", "skipped"]
Reason = Literal["", "error", "timeout", "lost"]
OK: Status = "ok"
FAILED: Status = "failed"
SKIPPED: Status = "skipped"

Progress = Callable[[int, int, str, str], None]
"""``progress(done, total, key, status)``; status is ``"ok"``, ``"failed"`` or ``"skipped"``."""


@dataclass(frozen=True)
class Job:
    """One submission to grade: run ``input_path`` with ``parameters`` and write ``output_path``.

    ``sha256`` is the digest of the submission's content: with the parameters and the grading notebook it decides
    whether an earlier result is still valid. ``parameters`` must be JSON values (papermill injects them as code).
    ``products`` are other files the notebook writes (a result document): with the executed notebook, their
    SHA-256 is kept in the success marker, and a rerun skips the job only while they are unchanged.
    """

    key: str
    input_path: Path
    output_path: Path
    parameters: Mapping[str, Any] = dataclasses.field(hash=False)
    sha256: str
    products: tuple[Path, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_path", Path(self.input_path))
        object.__setattr__(self, "output_path", Path(self.output_path))
        object.__setattr__(self, "parameters", dict(self.parameters))
        object.__setattr__(self, "products", tuple(Path(p) for p in self.products))


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


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fingerprint(job: Job, notebook_sha: str, kernel_name: str) -> str:
    """Everything that, if changed, makes an earlier result stale."""
    basis = {"sha256": job.sha256, "parameters": job.parameters, "notebook": notebook_sha, "kernel": kernel_name}
    return digest(json.dumps(basis, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))


def product_hashes(job: Job) -> dict[str, str]:
    """The SHA-256 of the job's executed notebook and of each product that exists, by path relative to the folder
    the notebook is written in (so a graded folder can be moved or copied and still be checked)."""
    base = job.output_path.parent
    paths = (job.output_path, *job.products)
    return {os.path.relpath(p, base): digest(p.read_bytes()) for p in paths if p.is_file()}


def _marker(job: Job) -> dict[str, Any] | None:
    marker = sidecar_path(job.output_path)
    if not (job.output_path.is_file() and marker.is_file()):
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def products_intact(job: Job) -> bool:
    """Whether the files a finished job wrote are as it left them (its marker records their SHA-256)."""
    data = _marker(job)
    return data is not None and data.get("products") == product_hashes(job)


def is_done(job: Job, fingerprint: str) -> bool:
    """Whether an earlier run of ``job`` still stands: same fingerprint, same content, its files unchanged."""
    data = _marker(job)
    return (
        data is not None
        and data.get("fingerprint") == fingerprint
        and data.get("sha256") == job.sha256
        and data.get("products") == product_hashes(job)
    )


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    text = dumps_strict(data)
    write_atomic(path, text.encode("utf-8"))
