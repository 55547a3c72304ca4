"""Kernels that cannot collide with each other and cannot outlive their job.

Why: several kernels started at once race for TCP ports ("ZMQError: Address already in use", then "Kernel died
before replying to kernel_info"; papermill #511). A kernel that talks over ``ipc`` sockets in a directory of its
own has no port to race for, so the race is impossible rather than retried. ``ipc`` with the default ``ip`` is not
enough: kernels then share socket names and fail with "Invalid Signature".

And a kernel must not outlive its job: not when the notebook runs past its wall-clock limit
(:func:`wall_clock_limit`), not when the worker is told to stop (SIGTERM, see :func:`init_worker`), not when the
worker's parent is killed outright. Otherwise a resumed batch would grade a submission while an orphan still does.

The batch runner uses this for its process pool and inside its workers; jupyter_client is imported lazily (it is
not cheap).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jupyter_client.manager import AsyncKernelManager

__all__ = [
    "init_worker",
    "isolated_kernel_manager_class",
    "isolated_kernels",
    "kill_kernels",
    "stop_if_terminating",
    "stop_pool",
    "wall_clock_limit",
    "worker_context",
]


def isolated_kernel_manager_class(socket_root: str | os.PathLike[str]) -> type[AsyncKernelManager]:
    """A KernelManager class whose kernels use ``ipc`` sockets in a fresh directory under ``socket_root``.

    nbclient instantiates ``kernel_manager_class(kernel_name=..., config=...)`` itself, so the transport, socket
    path and connection file are set in ``__init__``. Every instance is recorded on the class (``instances``) so
    that a kernel that outlives its job can be killed.
    """
    from jupyter_client.manager import AsyncKernelManager

    root = Path(socket_root)

    class IsolatedKernelManager(AsyncKernelManager):
        instances: list[AsyncKernelManager] = []  # noqa: RUF012  (one class per job, on purpose)

        def __init__(self, **kwargs: Any) -> None:
            own = Path(tempfile.mkdtemp(prefix="k", dir=root))
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("ip", str(own / "kernel"))
            kwargs.setdefault("connection_file", str(own / "kernel.json"))
            kwargs.setdefault("cache_ports", False)  # port caching is for tcp only
            super().__init__(**kwargs)
            type(self).instances.append(self)

    return IsolatedKernelManager


def kill_kernels(managers: Sequence[Any]) -> None:
    """Kill every kernel still running (its whole process group: jupyter_client starts it in its own session)."""
    for km in managers:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is None or process.poll() is not None:
            continue  # never started, or already reaped: its pid may belong to someone else now
        with contextlib.suppress(OSError):
            if hasattr(os, "killpg") and os.getpgid(process.pid) == process.pid:
                os.killpg(process.pid, signal.SIGKILL)
            else:
                process.kill()


class _Worker:
    terminating = False
    managers: Sequence[Any] = ()  # the kernel managers of the job running in this process
    socket_dir = ""  # and their sockets' directory


@contextlib.contextmanager
def isolated_kernels(socket_root: str | None = None) -> Iterator[type[AsyncKernelManager]]:
    """A kernel manager class for one job; on leaving, every kernel it started is dead and its sockets gone.

    The sockets live in a new directory under ``socket_root`` (default: the system's temporary directory); a
    batch passes a root of its own, which it removes at the end whatever happened to its workers.
    """
    # prefix short: AF_UNIX socket paths max out near 104 bytes
    with tempfile.TemporaryDirectory(prefix="ck-", dir=socket_root, ignore_cleanup_errors=True) as socket_dir:
        km_class = isolated_kernel_manager_class(socket_dir)
        managers: list[Any] = km_class.instances  # type: ignore[attr-defined]
        _Worker.managers, _Worker.socket_dir = managers, socket_dir
        try:
            yield km_class
        finally:
            kill_kernels(managers)
            _Worker.managers, _Worker.socket_dir = (), ""


@contextlib.contextmanager
def wall_clock_limit(seconds: float, kill: Callable[[], None]) -> Iterator[threading.Event]:
    """Enforce a wall-clock limit on a whole notebook: past it, keep calling ``kill`` until the block ends.

    The yielded event tells whether the limit struck. Killing the kernel (rather than the worker) lets nbclient
    see a dead kernel and stop, and papermill still writes the executed notebook as evidence.
    """
    stop, fired = threading.Event(), threading.Event()

    def watch() -> None:
        if stop.wait(seconds):
            return
        fired.set()
        while True:
            kill()
            if stop.wait(0.25):
                return

    thread = threading.Thread(target=watch, name="casekit-watchdog", daemon=True)
    thread.start()
    try:
        yield fired
    finally:
        stop.set()
        thread.join()


def _on_sigterm(signum: int, frame: object) -> None:
    # Unwind the job (its kernels die on the way out of ``isolated_kernels``); ignore repeats meanwhile.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _Worker.terminating = True
    raise SystemExit(128 + signum)


def _watch_parent() -> None:
    # A worker whose batch process was killed must not finish its job behind a resumed batch's back. The parent's
    # sentinel (a pipe multiprocessing keeps for this) closes when the batch process dies, whatever the start
    # method; the worker's OS parent may be a forkserver that outlives the batch, so ``getppid`` would not do.
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent.join()
    kill_kernels(_Worker.managers)
    if _Worker.socket_dir:
        shutil.rmtree(_Worker.socket_dir, ignore_errors=True)
    os._exit(1)


def init_worker() -> None:
    """Set up a worker process: ignore Ctrl-C (the parent decides, then stops workers with SIGTERM, which unwinds
    the running job), and die with the batch process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _on_sigterm)
    threading.Thread(target=_watch_parent, name="casekit-parent", daemon=True).start()


def stop_if_terminating() -> None:
    """After a job has unwound from SIGTERM, leave at once instead of waiting for more work."""
    if _Worker.terminating:
        os._exit(143)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started, SIGTERM the workers (they kill their kernels), then SIGKILL."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + 10.0
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            with contextlib.suppress(OSError, ValueError):
                process.kill()
            process.join(5.0)


def worker_context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one: each worker forks from a server that imported papermill once (about a
    second saved per worker) and inherits no threads or sockets from the batch; else ``spawn``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["casekit.execution.runner", "papermill", "papermill.exceptions"])  # best effort
    return context
