"""The gradebook: one SQLite file holding every submission, its automatic results, assessors' marks and decision.

Why SQLite: a batch grades in a process pool and assessors mark afterwards, so several processes write the same
file. WAL mode and a busy timeout let them take turns; every write is one ``BEGIN IMMEDIATE`` transaction, so a
reader never sees half a grading.

What it guarantees (DESIGN decision 5, manual judgement is never overwritten):

- Re-grading a submission replaces its automatic results and decision in one transaction and never touches marks.
- Assessor marks are append-only: a change of mind is a new row with its own time and reason. Triggers refuse
  ``UPDATE`` and ``DELETE`` on the marks table, so not even a hand-written SQL statement can rewrite history.
  The current mark is the latest per (submission, criterion, assessor); the latest of those decides.
- The decision is stored from the automatic results plus the current marks, and recomputed when a mark is added,
  so :meth:`Gradebook.decision` is always current without running any check again.

The schema version is ``PRAGMA user_version``; a file of another version is refused with a clear message.
A :class:`Gradebook` holds a connection: open one per process, never pass it to another.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from casekit.errors import GradebookError, UsageError
from casekit.i18n import t
from casekit.rubric.decision import Decision, decide, decision_from_json
from casekit.rubric.engine import apply_marks
from casekit.rubric.result import (
    AssessorMark,
    CaseResult,
    criterion_from_json,
    criterion_to_json,
    current_marks,
)
from casekit.store.schema import SCHEMA, SCHEMA_VERSION, statements

__all__ = ["DEFAULT_PATH", "SCHEMA_VERSION", "Gradebook", "Submission"]

DEFAULT_PATH: Final = "gradebook.sqlite"

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
_SQLITE_BUSY: Final = 5  # primary result codes; an extended code keeps them in its low byte
_SQLITE_LOCKED: Final = 6


@dataclass(frozen=True)
class Submission:
    """One candidate's answer to one case: who, which case, the content's SHA-256, and the world it was set in.

    Its :attr:`key` (``candidate/case``) names it in the gradebook; a resubmission keeps the key and changes
    the hash.
    """

    candidate_id: str
    case: str
    sha256: str
    seed: int | None = None
    org: str | None = None

    def __post_init__(self) -> None:
        for name in ("candidate_id", "case"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip() or "/" in value:
                raise UsageError(t("gradebook.submission_field", field=name, got=repr(value)))
        if not isinstance(self.sha256, str) or not _SHA256.fullmatch(self.sha256):
            raise UsageError(t("gradebook.submission_sha256", got=repr(self.sha256)))

    @property
    def key(self) -> str:
        return f"{self.candidate_id}/{self.case}"


class Gradebook:
    """The gradebook file at ``path`` (created with the current schema when new); use it as a context manager."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_PATH, *, timeout: float = 60.0) -> None:
        self.path = Path(path)
        self._timeout = timeout
        self._conn = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._open_shared()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise GradebookError(t("gradebook.bad_file", path=str(self.path), error=str(exc))) from None
        except GradebookError:
            self._conn.close()
            raise

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    # --- writes ------------------------------------------------------------------------------------------------

    def add_submission(self, submission: Submission) -> None:
        """Record (or update) a submission without grading it, e.g. before an assessor marks it."""
        with self._write() as db:
            _upsert_submission(db, submission)

    def record_result(self, submission: Submission, result: CaseResult) -> Decision:
        """Store ``result`` as the automatic results of ``submission``, with the decision it gives; return it.

        Idempotent: grading the same submission again replaces its automatic results and decision in one
        transaction. Marks are never touched: marks inside ``result`` are ignored (add them with
        :meth:`add_mark`), and the stored decision applies the gradebook's current marks.
        """
        if result.case != submission.case:
            raise UsageError(t("gradebook.case_mismatch", key=submission.key, case=result.case))
        base = apply_marks(result, ())
        with self._write() as db:
            _upsert_submission(db, submission)
            db.execute("DELETE FROM auto_results WHERE submission_key = ?", (submission.key,))
            db.executemany(
                "INSERT INTO auto_results (submission_key, position, criterion_id, auto_state, result)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        submission.key,
                        i,
                        c.id,
                        None if c.auto is None else c.auto.state,
                        _json(criterion_to_json(c)),
                    )
                    for i, c in enumerate(base.criteria)
                ],
            )
            row = db.execute("SELECT runs FROM decisions WHERE submission_key = ?", (submission.key,)).fetchone()
            runs = 1 if row is None else int(row[0]) + 1
            decision = decide(_with_marks(base, self._history(db, submission.key)))
            db.execute("DELETE FROM decisions WHERE submission_key = ?", (submission.key,))
            db.execute(
                "INSERT INTO decisions (submission_key, rubric_id, case_id, graded_sha256, runs, outcome, score,"
                " decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    submission.key,
                    result.rubric_id,
                    result.case,
                    submission.sha256,
                    runs,
                    decision.outcome,
                    decision.score,
                    _json(decision.to_json()),
                ),
            )
        return decision

    def add_mark(self, submission_key: str, mark: AssessorMark) -> None:
        """Append an assessor's mark; earlier marks stay in the history. Updates the decision if graded."""
        with self._write() as db:
            self._require_submission(db, submission_key)
            base = self._base(db, submission_key)
            if base is not None and all(c.id != mark.criterion_id for c in base.criteria):
                raise UsageError(t("rubric.mark_unknown_criterion", rubric=base.rubric_id, criteria=mark.criterion_id))
            db.execute(
                "INSERT INTO marks (submission_key, criterion_id, assessor, result, reason, time)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (submission_key, mark.criterion_id, mark.assessor, mark.result, mark.reason, mark.time),
            )
            if base is not None:
                decision = decide(_with_marks(base, self._history(db, submission_key)))
                db.execute(
                    "UPDATE decisions SET outcome = ?, score = ?, decision = ? WHERE submission_key = ?",
                    (
                        decision.outcome,
                        decision.score,
                        _json(decision.to_json()),
                        submission_key,
                    ),
                )

    # --- reads -------------------------------------------------------------------------------------------------

    def submission(self, submission_key: str) -> Submission | None:
        row = self._conn.execute(
            "SELECT candidate_id, case_id, sha256, seed, org FROM submissions WHERE submission_key = ?",
            (submission_key,),
        ).fetchone()
        return None if row is None else Submission(*row)

    def submissions(self) -> list[Submission]:
        """Every submission, ordered by key."""
        rows = self._conn.execute(
            "SELECT candidate_id, case_id, sha256, seed, org FROM submissions ORDER BY submission_key"
        ).fetchall()
        return [Submission(*row) for row in rows]

    def marks(self, submission_key: str) -> list[AssessorMark]:
        """The current marks: the latest of each assessor on each criterion, oldest first."""
        return current_marks(self._history(self._conn, submission_key))

    def mark_history(self, submission_key: str, criterion_id: str | None = None) -> list[AssessorMark]:
        """Every mark ever added for the submission (or one criterion of it), in the order added."""
        history = self._history(self._conn, submission_key)
        return [m for m in history if criterion_id is None or m.criterion_id == criterion_id]

    def results(self, submission_key: str) -> CaseResult | None:
        """The criterion results with the current marks applied, or ``None`` when not graded."""
        with self._snapshot() as db:
            base = self._base(db, submission_key)
            return None if base is None else _with_marks(base, self._history(db, submission_key))

    def decision(self, submission_key: str) -> Decision | None:
        """The current decision, or ``None`` when not graded."""
        row = self._conn.execute(
            "SELECT decision FROM decisions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        return None if row is None else decision_from_json(json.loads(row[0]))

    def is_graded(self, submission_key: str, sha256: str) -> bool:
        """True when exactly this content (by SHA-256) of the submission has been graded: a batch can skip it."""
        row = self._conn.execute(
            "SELECT 1 FROM decisions WHERE submission_key = ? AND graded_sha256 = ?", (submission_key, sha256)
        ).fetchone()
        return row is not None

    # --- internals ---------------------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; IMMEDIATE takes the write lock up front, so waiting uses the busy timeout
        instead of failing on a lock upgrade halfway through."""
        self._retry_busy(lambda: self._conn.execute("BEGIN IMMEDIATE"))
        try:
            yield self._conn
        except BaseException:
            if self._conn.in_transaction:  # some SQLite errors have rolled back already
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """A read transaction, so reads that take several statements see one consistent state."""
        self._conn.execute("BEGIN")
        try:
            yield self._conn
        finally:
            self._conn.execute("COMMIT")

    def _open_shared(self) -> None:
        """Switch to WAL (a setting kept in the file) and make sure the schema is there."""
        self._retry_busy(lambda: self._conn.execute("PRAGMA journal_mode = WAL"))
        self._ensure_schema()

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
                if (getattr(exc, "sqlite_errorcode", _SQLITE_BUSY) & 0xFF) not in (_SQLITE_BUSY, _SQLITE_LOCKED):
                    raise
                if time.monotonic() + pause > deadline:
                    raise GradebookError(
                        t("gradebook.locked", path=str(self.path), seconds=self._timeout, error=str(exc))
                    ) from None
            time.sleep(pause)
            pause = min(pause * 2, 0.5)

    def _ensure_schema(self) -> None:
        """Check the schema version; create the schema in a new file. Opening an existing gradebook only reads,
        so it does not wait for a batch that is writing."""
        if self._schema_version(self._conn) == SCHEMA_VERSION:
            return
        with self._write() as db:
            if self._schema_version(db) == SCHEMA_VERSION:  # another process created it meanwhile
                return
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise GradebookError(t("gradebook.foreign_file", path=str(self.path)))
            # not executescript(): it would commit the open transaction first
            for statement in statements(SCHEMA):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _schema_version(self, db: sqlite3.Connection) -> int:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version not in (0, SCHEMA_VERSION):
            raise GradebookError(
                t("gradebook.unknown_version", path=str(self.path), found=version, version=SCHEMA_VERSION)
            )
        return version

    def _require_submission(self, db: sqlite3.Connection, submission_key: str) -> None:
        found = db.execute("SELECT 1 FROM submissions WHERE submission_key = ?", (submission_key,)).fetchone()
        if found is None:
            raise UsageError(t("gradebook.unknown_submission", path=str(self.path), key=submission_key))

    @staticmethod
    def _history(db: sqlite3.Connection, submission_key: str) -> list[AssessorMark]:
        rows = db.execute(
            "SELECT criterion_id, assessor, result, reason, time FROM marks WHERE submission_key = ? ORDER BY mark_id",
            (submission_key,),
        ).fetchall()
        return [AssessorMark(*row) for row in rows]

    @staticmethod
    def _base(db: sqlite3.Connection, submission_key: str) -> CaseResult | None:
        head = db.execute(
            "SELECT rubric_id, case_id FROM decisions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        if head is None:
            return None
        rows = db.execute(
            "SELECT result FROM auto_results WHERE submission_key = ? ORDER BY position", (submission_key,)
        ).fetchall()
        criteria = tuple(criterion_from_json(json.loads(row[0])) for row in rows)
        return CaseResult(rubric_id=head[0], case=head[1], criteria=criteria)


def _with_marks(base: CaseResult, history: list[AssessorMark]) -> CaseResult:
    """``base`` decided by the current marks; marks for criteria the graded rubric lacks stay in the history
    (they are never deleted) but cannot decide anything, so a changed rubric does not block re-grading."""
    known = {c.id for c in base.criteria}
    return apply_marks(base, [m for m in current_marks(history) if m.criterion_id in known])


def _upsert_submission(db: sqlite3.Connection, submission: Submission) -> None:
    db.execute(
        "INSERT INTO submissions (submission_key, candidate_id, case_id, sha256, seed, org)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (submission_key) DO UPDATE SET sha256 = excluded.sha256, seed = excluded.seed,"
        " org = excluded.org",
        (submission.key, submission.candidate_id, submission.case, submission.sha256, submission.seed, submission.org),
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
