"""The batch runner, with real papermill and real kernels: failures recorded, batch goes on, resume exactly once."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from casekit.errors import CasekitError, ExecutionError, UsageError
from casekit.execution.runner import SIDECAR_SUFFIX, BatchReport, Job, JobResult, run_batch, sidecar_path
from casekit.i18n import LANGS, catalog

NOTEBOOKS = Path(__file__).parent / "notebooks"
LOCALES = Path(__file__).resolve().parents[1] / "casekit" / "locales"
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")


def good(out: Path, key: str, value: int = 1, **params: object) -> Job:
    """A job whose notebook writes ``<key>.json`` and appends one line to ``<key>.log`` per completed run."""
    parameters = {"result_path": str(out / f"{key}.json"), "log_path": str(out / f"{key}.log"), "value": value}
    return Job(key, NOTEBOOKS / "write_result.ipynb", f"{key}.ipynb", {**parameters, **params}, sha256=f"sha-{key}")


def runs(out: Path, key: str) -> int:
    log = out / f"{key}.log"
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def _files_under(root: Path) -> list[str]:
    """The files left in the kernels' socket folders (``os.walk`` skips a folder removed while it is being read,
    where ``Path.glob`` would raise)."""
    left = []
    for top, _dirs, files in os.walk(root):
        parts = Path(top).relative_to(root).parts
        if parts and parts[0].startswith("ck-"):
            left += [os.path.join(top, name) for name in files]
    return left


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return state not in ("Z", "X")  # a zombie is dead, only not yet reaped


# Limits are safety nets far above what a good run needs on a loaded 2-core machine; the one limit that must
# strike is given to the slow fixture alone, whose cells each stay under it while the whole notebook does not.
LIMIT = 600  # seconds for a whole notebook (and each cell)
SLOW_LIMIT = 8  # the slow fixture's own batch
SLEEP = 6.0  # each of the slow fixture's three cells: under its cell limit, 18 s in all: over its notebook's


def assert_no_half_written_sidecars(out: Path) -> None:
    assert not list(out.glob(f".*{SIDECAR_SUFFIX}.*.tmp"))
    for marker in out.glob(f"*{SIDECAR_SUFFIX}"):
        assert json.loads(marker.read_text(encoding="utf-8"))["fingerprint"]


def test_batch_records_failures_goes_on_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    goods = [good(out, f"g{i}", value=i) for i in range(4)]
    bad = Job("bad", NOTEBOOKS / "raises.ipynb", "bad.ipynb", {"value": 7}, sha256="sha-bad")
    jobs = [goods[0], bad, goods[1], goods[2], goods[3]]
    calls: list[tuple[int, int, str, str]] = []

    report = run_batch(jobs, out_dir=out, jobs_n=2, timeout=LIMIT, progress=lambda *a: calls.append(a))

    assert report.ok == ("g0", "g1", "g2", "g3")
    assert report.failed == ("bad",)
    assert report.skipped == ()
    failure = report.failures["bad"]
    assert (failure.reason, failure.ename, failure.evalue) == ("error", "ValueError", "bad submission 7")
    assert failure.describe("en") == "ValueError: bad submission 7"
    # evidence of the failure is written, but no success marker
    assert "bad submission 7" in (out / "bad.ipynb").read_text(encoding="utf-8")
    assert not sidecar_path(out / "bad.ipynb").exists()
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5] and {c[1] for c in calls} == {5}
    assert sorted((c[2], c[3]) for c in calls) == sorted((r.key, r.status) for r in report.results)
    assert json.loads((out / "batch-report.json").read_text(encoding="utf-8"))["results"][1]["ename"] == "ValueError"
    # each kernel ran this venv's python over ipc sockets in a private directory, now removed
    results = [json.loads((out / f"g{i}.json").read_text(encoding="utf-8")) for i in range(4)]
    assert {r["executable"] for r in results} == {sys.executable}
    assert {r["transport"] for r in results} == {"ipc"}
    assert len({r["ip"] for r in results}) == 4
    assert not any(Path(r["ip"]).parent.parent.parent.exists() for r in results)  # the batch's socket root
    assert {r["cwd"] for r in results} == {str(out)}
    assert_no_half_written_sidecars(out)

    again = run_batch(jobs, out_dir=out, jobs_n=2, timeout=LIMIT)
    assert again.skipped == ("g0", "g1", "g2", "g3")
    assert again.failed == ("bad",)  # failures are retried
    assert [runs(out, f"g{i}") for i in range(4)] == [1, 1, 1, 1]

    changed = [dataclasses.replace(goods[0], sha256="sha-g0-resubmitted"), *goods[1:]]
    regraded = run_batch(changed, out_dir=out, jobs_n=2, timeout=LIMIT)
    assert regraded.ok == ("g0",) and regraded.skipped == ("g1", "g2", "g3")
    assert [runs(out, f"g{i}") for i in range(4)] == [2, 1, 1, 1]


def test_the_wall_clock_limit_strikes_when_every_cell_stays_under_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    slow = Job("slow", NOTEBOOKS / "sleeps.ipynb", "slow.ipynb", {"seconds": SLEEP}, sha256="sha-slow")
    report = run_batch([slow], out_dir=out, jobs_n=1, timeout=SLOW_LIMIT)
    assert report.failed == ("slow",) and report.failures["slow"].reason == "timeout"
    assert report.failures["slow"].seconds < 3 * SLEEP  # the limit struck, not the notebook's end
    assert report.failures["slow"].describe("en") == f"exceeded the time limit of {SLOW_LIMIT} s"
    assert (out / "slow.ipynb").exists() and not sidecar_path(out / "slow.ipynb").exists()


DRIVER = """
import json, sys
from casekit.execution.runner import Job, run_batch
spec = json.load(open(sys.argv[1]))
run_batch([Job(**job) for job in spec["jobs"]], out_dir=spec["out"], jobs_n=2, timeout=600)
"""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c", "killed"])
def test_interrupted_batch_resumes_grading_each_submission_once(tmp_path: Path, how: str) -> None:
    out, gate, started = tmp_path / "out", tmp_path / "gate", tmp_path / "slow.started"
    # "slow" and "later" wait at the gate, so the interruption finds "done" graded, "slow" running, "later" not done
    jobs = [
        good(out, "done"),
        good(out, "slow", started_path=str(started), gate_path=str(gate)),
        good(out, "later", gate_path=str(gate)),
    ]
    spec = {"out": str(out), "jobs": [{**dataclasses.asdict(j), "input_path": str(j.input_path),
                                       "output_path": str(j.output_path)} for j in jobs]}  # fmt: skip
    (tmp_path / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    scratch = Path(tempfile.mkdtemp(prefix="ckt-"))  # the batch's TMPDIR: short, as AF_UNIX socket paths must be
    env = {**os.environ, "TMPDIR": str(scratch)}
    with (tmp_path / "driver.log").open("wb") as log:
        batch = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(tmp_path / "spec.json")],
            stdout=log,
            stderr=log,
            start_new_session=True,
            env=env,
        )
        try:
            wait_for(lambda: started.exists() and sidecar_path(out / "done.ipynb").exists(), 600)
            kernel_pid = int(started.read_text().split()[0])
            if how == "ctrl-c":  # what a terminal sends: SIGINT to the whole foreground process group
                os.killpg(batch.pid, signal.SIGINT)
            else:
                batch.kill()
            assert batch.wait(300) != 0
        finally:
            if batch.poll() is None:
                batch.kill()
    wait_for(lambda: not alive(kernel_pid), 120)  # the interrupted job's kernel did not outlive the batch
    # its sockets are gone too (a killed batch cannot remove its own, now empty, socket root)
    try:
        wait_for(lambda: not _files_under(scratch), 120)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    assert not sidecar_path(out / "slow.ipynb").exists()
    assert_no_half_written_sidecars(out)
    gate.touch()

    resumed = run_batch(jobs, out_dir=out, jobs_n=2, timeout=600)

    assert resumed.skipped == ("done",) and resumed.ok == ("slow", "later")
    assert [runs(out, j.key) for j in jobs] == [1, 1, 1]


@pytest.mark.slow
def test_a_job_that_kills_its_worker_fails_alone_and_neighbours_are_not_blamed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    crash = Job("crash", NOTEBOOKS / "kills_worker.ipynb", "crash.ipynb", {}, sha256="sha-crash")
    # the neighbour is still sleeping when the worker next to it dies, so it must be rerun, once
    jobs = [crash, good(out, "neighbour", delay=2.0), good(out, "later")]

    report = run_batch(jobs, out_dir=out, jobs_n=2, timeout=600)

    assert report.failed == ("crash",) and report.failures["crash"].reason == "lost"
    assert report.failures["crash"].describe("en").startswith("the worker process died")
    assert report.ok == ("neighbour", "later")
    assert (runs(out, "neighbour"), runs(out, "later")) == (1, 1)
    assert_no_half_written_sidecars(out)


@pytest.mark.slow
def test_a_hung_worker_is_replaced_and_its_kernel_does_not_survive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate a worker whose own limit failed: the parent's backstop (limit + grace) strikes after 45 s instead,
    # time enough for the kernel to start and block even on a loaded machine.
    monkeypatch.setattr("casekit.execution.pool.HARD_LIMIT_GRACE", 45.0 - 60)
    out, started = tmp_path / "out", tmp_path / "stuck.started"
    stuck = good(out, "stuck", started_path=str(started), gate_path=str(tmp_path / "never"))

    report = run_batch([stuck], out_dir=out, jobs_n=1, timeout=60)

    assert report.failed == ("stuck",) and report.failures["stuck"].reason == "timeout"
    wait_for(lambda: not alive(int(started.read_text().split()[0])), 120)
    assert runs(out, "stuck") == 0 and not sidecar_path(out / "stuck.ipynb").exists()


def test_bad_arguments_are_reported_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEKIT_LANG", "en")
    jobs = [
        good(tmp_path, "x"),
        good(tmp_path, "x"),
        Job("y", tmp_path / "missing.ipynb", "y.ipynb", {"when": object()}, sha256="sha-y"),
    ]
    with pytest.raises(UsageError) as caught:
        run_batch(jobs, out_dir=tmp_path, jobs_n=0, timeout=-1)
    message = str(caught.value)
    for fragment in ("jobs_n", "timeout", "repeated: x", "x.ipynb", "missing.ipynb", "job y: parameters"):
        assert fragment in message
    assert not (tmp_path / "batch-report.json").exists()


def test_results_and_errors_survive_pickling() -> None:
    result = JobResult("k", "failed", 1.5, "timeout", "DeadKernelError", "Kernel died", 3.0)
    report = BatchReport((result, JobResult("j", "ok", 0.5)), 2.0)
    assert pickle.loads(pickle.dumps(report)) == report
    job = Job("k", Path("in.ipynb"), Path("out.ipynb"), {"a": [1, 2]}, "abc")
    assert pickle.loads(pickle.dumps(job)) == job
    with pytest.raises(ExecutionError) as caught:
        report.raise_for_failures("en")
    error = pickle.loads(pickle.dumps(caught.value))
    assert isinstance(error, CasekitError) and isinstance(error, RuntimeError)
    assert error.keys == ("k",) and str(error) == str(caught.value) == "1 of 2 jobs failed: k"


def test_runner_catalog_is_complete_in_both_languages() -> None:
    files = {lang: json.loads((LOCALES / lang / "runner.json").read_text(encoding="utf-8")) for lang in LANGS}
    assert files["zh-TW"].keys() == files["en"].keys()
    for data in files.values():
        assert list(data) == sorted(data)
    assert all(f"runner.{key}" in catalog(lang) for lang in LANGS for key in files["en"])
