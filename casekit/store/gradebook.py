"""The gradebook: one SQLite file holding every submission, its automatic results, assessors' marks and decision.

What it guarantees (DESIGN decision 5, manual judgement is never overwritten):

- Assessor marks are append-only: a change of mind is a new row with its own time and reason. Triggers refuse
  ``UPDATE`` and ``DELETE`` on the marks, and every mark carries a hash chained to the one before it, so a
  rewritten or removed mark shows (``casekit verify``). A mark may not claim a time in the future, nor one earlier
  than a mark already recorded for the submission: history is told in the order it happened. The current mark is
  the latest per (submission, criterion, assessor); the latest of those decides.
- Every grading, and every withdrawal of a submission whose latest version could not be graded (or was held as a
  duplicate), is appended to the ``gradings`` log, chained the same way. The current results and decision are
  derived from the latest grading and the current marks, recomputed when a mark is added, and checked against the
  log by ``casekit verify``.
- A withdrawn submission has no decision, and takes no marks until it is graded again: the gradebook never holds
  a decision the published pages do not show.

The schema is versioned (:mod:`casekit.store.schema`); version 1 files are upgraded when opened. Any SQLite failure
is a :class:`~casekit.errors.GradebookError` saying what happened (a full disk, a damaged file, a lock held too
long). A :class:`Gradebook` holds a connection: open one per process, never pass it to another.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Literal, ParamSpec, TypeVar

from casekit.errors import UsageError
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
from casekit.store.chain import GENESIS, append, head
from casekit.store.connection import Database, explain
from casekit.store.schema import SCHEMA_VERSION

__all__ = ["DEFAULT_PATH", "SCHEMA_VERSION", "Gradebook", "Submission", "Withdrawal"]

DEFAULT_PATH: Final = "gradebook.sqlite"
#: How far ahead of the gradebook's clock a mark's time may be (clocks drift a little between machines).
CLOCK_SKEW: Final = dt.timedelta(minutes=5)

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
Withdrawal = Literal["failed", "held"]
P = ParamSpec("P")
R = TypeVar("R")


def _sqlite_errors(method: Callable[P, R]) -> Callable[P, R]:
    """Tell any SQLite failure in ``method`` as a GradebookError naming the file (never a traceback)."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a bug in the caller (a closed gradebook, a wrong binding), not a state of the file
        except sqlite3.Error as exc:
            book = args[0]
            raise explain(book.path if isinstance(book, Gradebook) else Path("?"), exc) from None

    return wrapper


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
    """The gradebook file at ``path`` (created with the current schema when new, upgraded when old); use it as a
    context manager. ``clock`` (UTC now by default) stamps what is recorded."""

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_PATH,
        *,
        timeout: float = 60.0,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._db = Database(self.path, timeout)
        self._conn = self._db.conn

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    # --- writes ------------------------------------------------------------------------------------------------

    @_sqlite_errors
    def add_submission(self, submission: Submission) -> None:
        """Record (or update) a submission without grading it, e.g. before an assessor marks it."""
        with self._db.write() as db:
            _upsert_submission(db, submission)

    @_sqlite_errors
    def record_result(self, submission: Submission, result: CaseResult) -> Decision:
        """Store ``result`` as the automatic results of ``submission``, with the decision it gives; return it.

        Grading the same submission again appends to the log and replaces its current results and decision in
        one transaction. Marks are never touched: marks inside ``result`` are ignored (add them with
        :meth:`add_mark`), and the stored decision applies the gradebook's current marks.
        """
        if result.case != submission.case:
            raise UsageError(t("gradebook.case_mismatch", key=submission.key, case=result.case))
        base = apply_marks(result, ())
        criteria = [criterion_to_json(c) for c in base.criteria]
        with self._db.write() as db:
            _upsert_submission(db, submission)
            self._log(db, submission.key, "graded", submission.sha256, result.rubric_id, _json(criteria), "")
            db.execute("DELETE FROM auto_results WHERE submission_key = ?", (submission.key,))
            db.executemany(
                "INSERT INTO auto_results (submission_key, position, criterion_id, auto_state, result)"
                " VALUES (?, ?, ?, ?, ?)",
                [
                    (submission.key, i, c.id, None if c.auto is None else c.auto.state, _json(criteria[i]))
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
            self._set_status(db, submission.key, "graded", "")
        return decision

    @_sqlite_errors
    def withdraw(self, submission_key: str, event: Withdrawal, reason: str, sha256: str = "") -> bool:
        """Withdraw the current results and decision of a submission whose latest version ``failed`` to grade or
        is ``held`` (a duplicate), logging why; False when the gradebook has no such submission. Marks stay."""
        with self._db.write() as db:
            if db.execute("SELECT 1 FROM submissions WHERE submission_key = ?", (submission_key,)).fetchone() is None:
                return False
            self._log(db, submission_key, event, sha256, "", "", reason)
            db.execute("DELETE FROM auto_results WHERE submission_key = ?", (submission_key,))
            db.execute("DELETE FROM decisions WHERE submission_key = ?", (submission_key,))
            self._set_status(db, submission_key, event, reason)
        return True

    @_sqlite_errors
    def add_mark(self, submission_key: str, mark: AssessorMark) -> None:
        """Append an assessor's mark; earlier marks stay in the history. Updates the decision if graded.

        Refused for a withdrawn submission, for a criterion its rubric does not have, and for a time in the future
        or earlier than a mark already recorded for the submission.
        """
        now = self._clock()
        if mark.moment > now + CLOCK_SKEW:
            raise UsageError(t("gradebook.mark_future", key=submission_key, time=mark.time, now=_stamp(now)))
        with self._db.write() as db:
            status = self._require_submission(db, submission_key)
            if status[0] in ("failed", "held"):
                raise UsageError(t("gradebook.withdrawn", key=submission_key, reason=status[1]))
            history = self._history(db, submission_key)
            latest = max((m.moment for m in history), default=None)
            if latest is not None and mark.moment < latest:
                raise UsageError(t("gradebook.mark_backdated", key=submission_key, time=mark.time, latest=latest))
            base = self._base(db, submission_key)
            if base is not None and all(c.id != mark.criterion_id for c in base.criteria):
                raise UsageError(t("rubric.mark_unknown_criterion", rubric=base.rubric_id, criteria=mark.criterion_id))
            append(db, "marks", {"submission_key": submission_key, **mark.to_json(), "recorded_at": _stamp(now)})
            if base is not None:
                decision = decide(_with_marks(base, [*history, mark]))
                db.execute(
                    "UPDATE decisions SET outcome = ?, score = ?, decision = ? WHERE submission_key = ?",
                    (decision.outcome, decision.score, _json(decision.to_json()), submission_key),
                )

    # --- reads -------------------------------------------------------------------------------------------------

    @_sqlite_errors
    def submission(self, submission_key: str) -> Submission | None:
        row = self._conn.execute(
            "SELECT candidate_id, case_id, sha256, seed, org FROM submissions WHERE submission_key = ?",
            (submission_key,),
        ).fetchone()
        return None if row is None else Submission(*row)

    @_sqlite_errors
    def submissions(self) -> list[Submission]:
        """Every submission, ordered by key."""
        rows = self._conn.execute(
            "SELECT candidate_id, case_id, sha256, seed, org FROM submissions ORDER BY submission_key"
        ).fetchall()
        return [Submission(*row) for row in rows]

    @_sqlite_errors
    def status(self, submission_key: str) -> tuple[str, str] | None:
        """``(status, reason)``: ``recorded``, ``graded``, ``failed`` or ``held``; None for an unknown key."""
        row = self._conn.execute(
            "SELECT status, status_reason FROM submissions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    @_sqlite_errors
    def marks(self, submission_key: str) -> list[AssessorMark]:
        """The current marks: the latest of each assessor on each criterion, oldest first."""
        return current_marks(self._history(self._conn, submission_key))

    @_sqlite_errors
    def mark_history(self, submission_key: str, criterion_id: str | None = None) -> list[AssessorMark]:
        """Every mark ever added for the submission (or one criterion of it), in the order added."""
        history = self._history(self._conn, submission_key)
        return [m for m in history if criterion_id is None or m.criterion_id == criterion_id]

    @_sqlite_errors
    def results(self, submission_key: str) -> CaseResult | None:
        """The criterion results with the current marks applied, or ``None`` when not graded."""
        with self._db.snapshot() as db:
            base = self._base(db, submission_key)
            return None if base is None else _with_marks(base, self._history(db, submission_key))

    @_sqlite_errors
    def decision(self, submission_key: str) -> Decision | None:
        """The current decision, or ``None`` when not graded (or withdrawn)."""
        row = self._conn.execute(
            "SELECT decision FROM decisions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        return None if row is None else decision_from_json(json.loads(row[0]))

    @_sqlite_errors
    def is_graded(self, submission_key: str, sha256: str) -> bool:
        """True when exactly this content (by SHA-256) of the submission has been graded: a batch can skip it."""
        row = self._conn.execute(
            "SELECT 1 FROM decisions WHERE submission_key = ? AND graded_sha256 = ?", (submission_key, sha256)
        ).fetchone()
        return row is not None

    @_sqlite_errors
    def heads(self) -> dict[str, str]:
        """The last hash of each chain (``marks``, ``gradings``): what a copy kept elsewhere is checked against."""
        return {"marks": head(self._conn, "marks"), "gradings": head(self._conn, "gradings")}

    @_sqlite_errors
    def counts(self) -> dict[str, int]:
        """How many rows each log holds (``marks``, ``gradings``)."""
        return {
            table: int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("marks", "gradings")
        }

    @_sqlite_errors
    def chain_contains(self, table: Literal["marks", "gradings"], row_hash: str) -> bool:
        """Whether ``row_hash`` is a row of the chain ``table`` (the genesis hash always is)."""
        if row_hash == GENESIS:
            return True
        found = self._conn.execute(f"SELECT 1 FROM {table} WHERE row_hash = ?", (row_hash,)).fetchone()
        return found is not None

    # --- internals ---------------------------------------------------------------------------------------------

    def _log(
        self, db: sqlite3.Connection, key: str, event: str, sha256: str, rubric_id: str, result: str, reason: str
    ) -> None:
        row = {"submission_key": key, "event": event, "sha256": sha256, "rubric_id": rubric_id, "result": result}
        append(db, "gradings", row | {"reason": reason, "recorded_at": _stamp(self._clock())})

    @staticmethod
    def _set_status(db: sqlite3.Connection, key: str, status: str, reason: str) -> None:
        db.execute(
            "UPDATE submissions SET status = ?, status_reason = ? WHERE submission_key = ?", (status, reason, key)
        )

    def _require_submission(self, db: sqlite3.Connection, submission_key: str) -> tuple[str, str]:
        found = db.execute(
            "SELECT status, status_reason FROM submissions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        if found is None:
            raise UsageError(t("gradebook.unknown_submission", path=str(self.path), key=submission_key))
        return str(found[0]), str(found[1])

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


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


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
    return json.dumps(value, ensure_ascii=False, allow_nan=False)
