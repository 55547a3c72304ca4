"""Reading the gradebook's facts (the part of :class:`~casekit.store.gradebook.Gradebook` that never writes)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from casekit.assessment.records import Attempt, GradingRun, Moderation, SignOff
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.rubric.result import AssessorMark
from casekit.store.chain import CHAINS, GENESIS, Log, head
from casekit.store.connection import Database, sqlite_errors

__all__ = ["GradebookReads", "Submission"]

_SHA256: Final = re.compile(r"[0-9a-f]{64}")


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


class GradebookReads:
    """Every read of the gradebook's facts; :class:`~casekit.store.gradebook.Gradebook` adds the writes."""

    path: Path
    _conn: sqlite3.Connection
    _db: Database

    @property
    def read_only(self) -> bool:
        """Whether this connection never writes (the grading kernel's)."""
        return self._db.read_only

    # --- reads --------------------------------------------------------------------------------------------------

    @sqlite_errors
    def submission(self, submission_key: str) -> Submission | None:
        row = self._conn.execute(
            "SELECT candidate_id, case_id, sha256, seed, org FROM submissions WHERE submission_key = ?",
            (submission_key,),
        ).fetchone()
        return None if row is None else Submission(*row)

    @sqlite_errors
    def submissions(self, candidate_id: str | None = None) -> list[Submission]:
        """Every submission (of one candidate), ordered by key."""
        rows = self._conn.execute(
            "SELECT candidate_id, case_id, sha256, seed, org FROM submissions"
            " WHERE ? IS NULL OR candidate_id = ? ORDER BY submission_key",
            (candidate_id, candidate_id),
        ).fetchall()
        return [Submission(*row) for row in rows]

    @sqlite_errors
    def status(self, submission_key: str) -> tuple[str, str] | None:
        """``(status, reason)``: ``recorded``, ``graded``, ``failed`` or ``held``; None for an unknown key."""
        row = self._conn.execute(
            "SELECT status, status_reason FROM submissions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))

    @sqlite_errors
    def attempts(self, submission_key: str) -> list[Attempt]:
        rows = self._conn.execute(
            "SELECT n, sha256, recorded_at, source, body_sha256, declared_at FROM attempts WHERE submission_key = ?"
            " ORDER BY n",
            (submission_key,),
        ).fetchall()
        return [Attempt(int(n), str(s), str(r), str(src), str(b), str(d)) for n, s, r, src, b, d in rows]

    @sqlite_errors
    def same_answers(self, case: str, body_sha256: str, candidate_id: str) -> list[str]:
        """The other candidates whose current answer to ``case`` has the body ``body_sha256`` (identical apart
        from the header), by id."""
        if not body_sha256:
            return []
        rows = self._conn.execute(
            "SELECT DISTINCT s.candidate_id FROM submissions s JOIN attempts a"
            " ON a.submission_key = s.submission_key AND a.sha256 = s.sha256"
            " WHERE s.case_id = ? AND a.body_sha256 = ? AND s.candidate_id != ? ORDER BY 1",
            (case, body_sha256, candidate_id),
        ).fetchall()
        return [str(r[0]) for r in rows]

    @sqlite_errors
    def gradings(self, submission_key: str) -> list[GradingRun]:
        """Every grading run of the submission, oldest first (withdrawals are not runs)."""
        return self._runs(self._conn, submission_key)

    @sqlite_errors
    def latest_grading(self, submission_key: str) -> GradingRun | None:
        """The grading the current result is decided from: the latest run, unless the submission was withdrawn
        since (its latest version failed or is held)."""
        status = self.status(submission_key)
        if status is None or status[0] != "graded":
            return None
        runs = self._runs(self._conn, submission_key)
        return runs[-1] if runs else None

    @sqlite_errors
    def marks(self, submission_key: str, content_sha256: str | None = None) -> list[AssessorMark]:
        """Every mark on the given content (default: the submission's current content), in the order added."""
        content = content_sha256 if content_sha256 is not None else self._content(self._conn, submission_key)
        return self._marks(self._conn, submission_key, content)

    @sqlite_errors
    def mark_history(self, submission_key: str, criterion_id: str | None = None) -> list[AssessorMark]:
        """Every mark ever added for the submission (or one criterion of it), any attempt, in the order added."""
        history = self._marks(self._conn, submission_key, None)
        return [m for m in history if criterion_id is None or m.criterion_id == criterion_id]

    @sqlite_errors
    def assessor_of(self, submission_key: str) -> str | None:
        """The primary assessor: the person whose marks decide the submission's criteria."""
        row = self._conn.execute(
            "SELECT assessor FROM marks WHERE submission_key = ? ORDER BY mark_id LIMIT 1", (submission_key,)
        ).fetchone()
        return None if row is None else str(row[0])

    @sqlite_errors
    def moderations(self, submission_key: str, content_sha256: str | None = None) -> list[Moderation]:
        content = content_sha256 if content_sha256 is not None else self._content(self._conn, submission_key)
        return self._moderations(self._conn, submission_key, content)

    @sqlite_errors
    def all_moderations(self) -> list[tuple[str, Moderation]]:
        """Every moderation record with its submission key, in the order made."""
        rows = self._conn.execute(
            "SELECT submission_key, criterion_id, moderator, action, reason, time, content_sha256, outcome"
            " FROM moderations ORDER BY moderation_id"
        ).fetchall()
        return [(str(r[0]), Moderation(*r[1:])) for r in rows]

    @sqlite_errors
    def signoffs(self, candidate_id: str) -> list[SignOff]:
        rows = self._conn.execute(
            "SELECT candidate_id, assessor, role, statement, digest, time FROM signoffs WHERE candidate_id = ?"
            " ORDER BY signoff_id",
            (candidate_id,),
        ).fetchall()
        return [SignOff(*row) for row in rows]

    @sqlite_errors
    def cached_unit(self, candidate_id: str, digest: str) -> dict[str, Any] | None:
        row = self._conn.execute(
            "SELECT result FROM unit_decisions WHERE candidate_id = ? AND digest = ?", (candidate_id, digest)
        ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    @sqlite_errors
    def cache_unit(self, candidate_id: str, digest: str, outcome: str, result: dict[str, Any]) -> None:
        """Keep a candidate's unit result under the digest of its inputs (a cache: derivable from the facts)."""
        with self._db.write() as db:
            db.execute(
                "INSERT OR REPLACE INTO unit_decisions (candidate_id, digest, outcome, result) VALUES (?, ?, ?, ?)",
                (candidate_id, digest, outcome, json.dumps(result, ensure_ascii=False, allow_nan=False)),
            )

    @sqlite_errors
    def setting(self, name: str) -> str | None:
        row = self._conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    @sqlite_errors
    def set_setting(self, name: str, value: str) -> None:
        """Record a cohort choice (a later one replaces it: a setting, not a record)."""
        with self._db.write() as db:
            db.execute("INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)", (name, value))

    @sqlite_errors
    def heads(self) -> dict[str, str]:
        """The last hash of each record's chain: what a copy kept elsewhere is checked against."""
        return {table: head(self._conn, table) for table in CHAINS}  # type: ignore[arg-type]

    @sqlite_errors
    def counts(self) -> dict[str, int]:
        """How many rows each record holds."""
        return {table: int(self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in CHAINS}

    @sqlite_errors
    def chain_contains(self, table: Log, row_hash: str) -> bool:
        """Whether ``row_hash`` is a row of the chain ``table`` (the genesis hash always is)."""
        if row_hash == GENESIS:
            return True
        found = self._conn.execute(f"SELECT 1 FROM {table} WHERE row_hash = ?", (row_hash,)).fetchone()
        return found is not None

    @staticmethod
    def _content(db: sqlite3.Connection, submission_key: str) -> str:
        row = db.execute("SELECT sha256 FROM submissions WHERE submission_key = ?", (submission_key,)).fetchone()
        return "" if row is None else str(row[0])

    @staticmethod
    def _runs(db: sqlite3.Connection, submission_key: str) -> list[GradingRun]:
        rows = db.execute(
            "SELECT g.attempt, g.sha256, g.rubric_id, g.rubric_sha256, g.casekit_version, g.result, g.recorded_at,"
            " s.candidate_id, s.case_id, s.org, s.seed, a.source, a.body_sha256, a.declared_at FROM gradings g"
            " JOIN submissions s ON s.submission_key = g.submission_key"
            " LEFT JOIN attempts a ON a.submission_key = g.submission_key AND a.n = g.attempt"
            " WHERE g.submission_key = ? AND g.event = 'graded' ORDER BY g.grading_id",
            (submission_key,),
        ).fetchall()
        return [
            GradingRun(
                candidate_id=str(r[7]),
                case=str(r[8]),
                sha256=str(r[1]),
                rubric_id=str(r[2]),
                rubric_sha256=str(r[3]),
                casekit_version=str(r[4]),
                criteria=tuple(json.loads(r[5])),
                org=r[9],
                seed=r[10],
                source=str(r[11] or ""),
                attempt=int(r[0]),
                recorded_at=str(r[6]),
                body_sha256=str(r[12] or ""),
                declared_at=str(r[13] or ""),
            )
            for r in rows
        ]

    @staticmethod
    def _marks(db: sqlite3.Connection, submission_key: str, content: str | None) -> list[AssessorMark]:
        rows = db.execute(
            "SELECT criterion_id, assessor, result, reason, time FROM marks WHERE submission_key = ?"
            " AND (? IS NULL OR content_sha256 = ?) ORDER BY mark_id",
            (submission_key, content, content),
        ).fetchall()
        return [AssessorMark(*row) for row in rows]

    @staticmethod
    def _moderations(db: sqlite3.Connection, submission_key: str, content: str) -> list[Moderation]:
        rows = db.execute(
            "SELECT criterion_id, moderator, action, reason, time, content_sha256, outcome FROM moderations"
            " WHERE submission_key = ? AND content_sha256 = ? ORDER BY moderation_id",
            (submission_key, content),
        ).fetchall()
        return [Moderation(*row) for row in rows]
