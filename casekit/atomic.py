"""Atomic file writes: a reader sees the old file or the new one, never half of one.

Files casekit writes get the mode any file the process creates gets (``0666`` less the umask, usually
``0644``), like the executed notebooks papermill writes: a graded folder is shared with assessors, so its pages
are readable by them, and a stricter umask keeps them private. A write that fails (a full disk, a folder that is a
file, no permission) is a :class:`~casekit.errors.WriteError` naming the file and why, and leaves no temporary
file behind.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from casekit.errors import WriteError

__all__ = ["file_mode", "write_atomic"]


@functools.cache
def file_mode() -> int:
    """``0666`` less the process's umask: the mode ``open()`` gives a new file."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)  # no /proc: read the umask by setting it, and put it back at once
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, fsync'd, then renamed over it."""
    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(str(target), exc.strerror or type(exc).__name__) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), file_mode())
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(str(target), exc.strerror or type(exc).__name__) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
