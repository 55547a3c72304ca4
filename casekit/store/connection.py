"""The gradebook's SQLite connection: opening (WAL, busy timeout, schema created or upgraded), transactions, and
every SQLite failure told as a :class:`~casekit.errors.GradebookError` that says what happened to which file.

Why SQLite: a batch grades in a process pool and assessors mark afterwards, so several processes write the same
file. WAL mode and a busy timeout let them take turns; every write is one ``BEGIN IMMEDIATE`` transaction, so a
reader never sees half a grading.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, ParamSpec, TypeVar

from casekit.errors import GradebookError
from casekit.i18n import t
from casekit.store.schema import SCHEMA, SCHEMA_VERSION, statements, upgrade

__all__ = ["Database", "explain", "sqlite_errors"]

P = ParamSpec("P")
R = TypeVar("R")

# SQLite's primary result codes (an extended code keeps them in its low byte)
_BUSY, _LOCKED, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 10, 11, 13, 14, 26
_KEYS: Final = {
    _IOERR: "gradebook.io_error",
    _CORRUPT: "gradebook.damaged",
    _FULL: "gradebook.disk_full",
    _CANTOPEN: "gradebook.cannot_open",
    _NOTADB: "gradebook.not_sqlite",
}


def explain(path: Path, exc: sqlite3.Error) -> GradebookError:
    """A message for an SQLite failure on ``path``: a full disk, a damaged file, a file that is not a database
    and an I/O error are each told as what they are."""
    code = getattr(exc, "sqlite_errorcode", None)
    key = _KEYS.get(code & 0xFF, "gradebook.bad_file") if isinstance(code, int) else "gradebook.bad_file"
    text = str(exc).lower()
    if key == "gradebook.bad_file" and ("malformed" in text or "corrupt" in text):
        key = "gradebook.damaged"
    elif key == "gradebook.bad_file" and "full" in text:
        key = "gradebook.disk_full"
    elif key == "gradebook.bad_file" and "not a database" in text:
        key = "gradebook.not_sqlite"
    return GradebookError(t(key, None, path=str(path), error=str(exc)))


class Database:
    """One connection to the gradebook file at ``path``; the schema is created in a new file and upgraded in an
    old one. Open one per process, never pass it to another."""

    def __init__(self, path: str | os.PathLike[str], timeout: float, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self._timeout = timeout
        self.read_only = read_only
        try:
            if read_only:
                uri = f"file:{self.path.resolve()}?mode=ro"
                self.conn = sqlite3.connect(uri, uri=True, timeout=timeout, isolation_level=None)
            else:
                self.conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise explain(self.path, exc) from None
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            if read_only:
                if self._version(self.conn) != SCHEMA_VERSION:
                    raise GradebookError(
                        t("gradebook.unknown_version", path=str(self.path), found=self._version(self.conn),
                          version=SCHEMA_VERSION)
                    )  # fmt: skip
                return
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._retry_busy(lambda: self.conn.execute("PRAGMA journal_mode = WAL"))
            self._ensure_schema()
        except sqlite3.Error as exc:
            self.conn.close()
            raise explain(self.path, exc) from None
        except GradebookError:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front, so waiting uses the busy timeout
        instead of failing on a lock upgrade halfway through."""
        self._retry_busy(lambda: self.conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self.conn
        except BaseException:
            if self.conn.in_transaction:  # some SQLite errors have rolled back already
                self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction, so reads that take several statements see one consistent state."""
        self.conn.execute("BEGIN")
        try:
            yield self.conn
        finally:
            self.conn.execute("COMMIT")

    def _retry_busy(self, action: Callable[[], object]) -> None:
        """Run ``action``, retrying while SQLite says the file is busy, until the timeout.

        The busy timeout covers ordinary waits, but SQLite answers "database is locked" at once, without its busy
        handler, while another connection switches the journal mode or recovers the WAL of a new file: several
        batch processes opening a new gradebook together meet exactly that.
        """
        deadline = time.monotonic() + self._timeout
        pause = 0.01
        while True:
            try:
                action()
                return
            except sqlite3.OperationalError as exc:
                if (getattr(exc, "sqlite_errorcode", _BUSY) & 0xFF) not in (_BUSY, _LOCKED):
                    raise
                if time.monotonic() + pause > deadline:
                    raise GradebookError(
                        t("gradebook.locked", path=str(self.path), seconds=self._timeout, error=str(exc))
                    ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def _ensure_schema(self) -> None:
        """Check the schema version; create the schema in a new file, upgrade an old one. Opening a current
        gradebook only reads, so it does not wait for a batch that is writing."""
        if self._version(self.conn) == SCHEMA_VERSION:
            return
        with self.write() as db:
            found = self._version(db)
            if found == SCHEMA_VERSION:  # another process created or upgraded it meanwhile
                return
            if found == 0:
                if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise GradebookError(t("gradebook.foreign_file", path=str(self.path)))
                for statement in statements(SCHEMA):  # not executescript(): it would commit the transaction
                    db.execute(statement)
            else:
                upgrade(db, found)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _version(self, db: sqlite3.Connection) -> int:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version not in (0, 1, SCHEMA_VERSION):
            raise GradebookError(
                t("gradebook.unknown_version", path=str(self.path), found=version, version=SCHEMA_VERSION)
            )
        return version


def sqlite_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Tell any SQLite failure in ``method`` as a GradebookError naming the file (never a traceback)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a bug in the caller (a closed gradebook, a wrong binding), not a state of the file
        except sqlite3.Error as exc:
            raise explain(getattr(args[0], "path", Path("?")), exc) from None

    return wrapper
