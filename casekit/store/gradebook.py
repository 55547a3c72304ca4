"""The gradebook: one SQLite file of facts about a cohort: candidates, assignments, attempts, grading runs, marks,
moderation, sign-offs. The domain decides from them (:mod:`casekit.assessment`); the gradebook only keeps them.

What it guarantees (DESIGN decision 5, manual judgement is never overwritten):

- Records are append-only: a change of mind is a new row with its own time and reason. Triggers refuse ``UPDATE``
  and ``DELETE``, and every record carries a hash chained to the one before it, so a rewritten or removed row shows
  (``casekit verify``).
- A resubmission is a new attempt; earlier attempts and their gradings stay. Marks and moderation records are bound
  to the content they judged: a new attempt starts without them, unless an assessor carries them over
  (:meth:`Gradebook.carry_marks`), which is itself a recorded act.
- One primary assessor marks a submission; a second opinion is a moderator's (:meth:`Gradebook.add_moderation`).
  A mark may not claim a time in the future, nor one earlier than a mark already recorded for the submission.
- A submission whose latest version could not be graded (or was held as a duplicate) is withdrawn: it has no current
  result, and takes no marks until it is graded again.

Any SQLite failure is a :class:`~casekit.errors.GradebookError` saying what happened. A :class:`Gradebook` holds a
connection: open one per process, never pass it to another. The grading kernel opens it ``read_only``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Final, Literal, ParamSpec, TypeVar

from casekit.assessment.records import GradingRun, Moderation, SignOff
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.rubric.result import AssessorMark
from casekit.store.chain import append
from casekit.store.connection import Database, sqlite_errors
from casekit.store.reads import GradebookReads, Submission
from casekit.store.schema import SCHEMA_VERSION

__all__ = ["CLOCK_SKEW", "DEFAULT_PATH", "SCHEMA_VERSION", "Gradebook", "Submission", "Withdrawal"]

DEFAULT_PATH: Final = "gradebook.sqlite"
#: How far ahead of the gradebook's clock a mark's time may be (clocks drift a little between machines).
CLOCK_SKEW: Final = dt.timedelta(minutes=5)

_SHA256: Final = re.compile(r"[0-9a-f]{64}")
Withdrawal = Literal["failed", "held"]
Role = Literal["assessor", "moderator"]
P = ParamSpec("P")
R = TypeVar("R")


class Gradebook(GradebookReads):
    """The gradebook file at ``path`` (created with the current schema when new, upgraded when old); use it as a
    context manager. ``clock`` (UTC now by default) stamps what is recorded; ``read_only`` opens an existing file
    without ever writing it (what the grading kernel does)."""

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_PATH,
        *,
        timeout: float = 60.0,
        clock: Callable[[], dt.datetime] | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._db = Database(self.path, timeout, read_only=read_only)
        self._conn = self._db.conn

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def now(self) -> str:
        """The gradebook's clock, as recorded times are written."""
        return _stamp(self._clock())

    # --- who ----------------------------------------------------------------------------------------------------

    @sqlite_errors
    def add_candidate(self, candidate_id: str, name: str = "") -> None:
        """Record a candidate (a second call updates the name)."""
        with self._db.write() as db:
            db.execute(
                "INSERT INTO candidates (candidate_id, name) VALUES (?, ?)"
                " ON CONFLICT (candidate_id) DO UPDATE SET name = excluded.name",
                (candidate_id, name),
            )

    @sqlite_errors
    def candidates(self) -> list[tuple[str, str]]:
        """Every candidate with their name, by id."""
        return [(str(a), str(b)) for a, b in self._conn.execute("SELECT candidate_id, name FROM candidates ORDER BY 1")]

    @sqlite_errors
    def set_assignment(
        self, candidate_id: str, component: str, case: str, org: str, seed: int, roster_sha: str
    ) -> None:
        """What a roster assigned a candidate for a component (a later roster replaces it)."""
        with self._db.write() as db:
            db.execute("INSERT OR IGNORE INTO candidates (candidate_id) VALUES (?)", (candidate_id,))
            db.execute(
                "INSERT OR REPLACE INTO assignments (candidate_id, component_id, case_id, org, seed, roster_sha256)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (candidate_id, component, case, org, seed, roster_sha),
            )

    @sqlite_errors
    def assignments(self, candidate_id: str) -> dict[str, tuple[str, str, int, str]]:
        """Per component: (case, org, seed, roster SHA-256)."""
        rows = self._conn.execute(
            "SELECT component_id, case_id, org, seed, roster_sha256 FROM assignments WHERE candidate_id = ?",
            (candidate_id,),
        ).fetchall()
        return {str(c): (str(k), str(o), int(s), str(r)) for c, k, o, s, r in rows}

    @sqlite_errors
    def register_assessor(self, name: str, role: Role) -> None:
        """Record a person's role; a person has one role in a gradebook (an assessor does not moderate)."""
        with self._db.write() as db:
            self._role(db, name, role)

    @sqlite_errors
    def role_of(self, name: str) -> str | None:
        row = self._conn.execute("SELECT role FROM assessors WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    # --- what was submitted and graded ---------------------------------------------------------------------------

    @sqlite_errors
    def add_submission(self, submission: Submission) -> None:
        """Record (or update) a submission without grading it, e.g. before an assessor marks it. New content for
        a graded submission is *recorded*: it has no current result until it is graded (the earlier attempts and
        their gradings stay)."""
        with self._db.write() as db:
            before = db.execute("SELECT sha256 FROM submissions WHERE submission_key = ?", (submission.key,)).fetchone()
            _upsert_submission(db, submission)
            if before is not None and before[0] != submission.sha256:
                self._set_status(db, submission.key, "recorded", "")

    @sqlite_errors
    def record_grading(self, run: GradingRun) -> int:
        """Record a grading run of one attempt's content; returns the attempt's number (a content not seen before
        for the submission is a new attempt; the same content graded again is the same attempt). A run identical to
        the submission's latest (same content, rubric, version and results) is recorded once, so a resumed batch
        never duplicates a grading."""
        sub = Submission(run.candidate_id, run.case, run.sha256, seed=run.seed, org=run.org)
        with self._db.write() as db:
            _upsert_submission(db, sub)
            row = db.execute(
                "SELECT n FROM attempts WHERE submission_key = ? AND sha256 = ?", (sub.key, run.sha256)
            ).fetchone()
            if row is None:
                last = db.execute("SELECT max(n) FROM attempts WHERE submission_key = ?", (sub.key,)).fetchone()[0]
                n = int(last or 0) + 1
                db.execute(
                    "INSERT INTO attempts (submission_key, n, sha256, source, recorded_at, body_sha256, declared_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (sub.key, n, run.sha256, run.source, self.now(), run.body_sha256, run.declared_at),
                )
            else:
                n = int(row[0])
            criteria = json.dumps(list(run.criteria), ensure_ascii=False, allow_nan=False)
            last_run = db.execute(
                "SELECT event, sha256, rubric_sha256, casekit_version, result FROM gradings"
                " WHERE submission_key = ? ORDER BY grading_id DESC LIMIT 1",
                (sub.key,),
            ).fetchone()
            if last_run == ("graded", run.sha256, run.rubric_sha256, run.casekit_version, criteria):
                return n  # the same grading recorded again (a batch resumed after it was recorded): not a new run
            self._log(db, sub.key, "graded", n, run.sha256, run.rubric_id, run.rubric_sha256, run.casekit_version,
                      criteria, "")  # fmt: skip
            db.execute("INSERT OR IGNORE INTO candidates (candidate_id) VALUES (?)", (run.candidate_id,))
            self._set_status(db, sub.key, "graded", "")
        return n

    @sqlite_errors
    def withdraw(self, submission_key: str, event: Withdrawal, reason: str, sha256: str = "") -> bool:
        """Withdraw the current result of a submission whose latest version ``failed`` to grade or is ``held`` (a
        duplicate), logging why; False when the gradebook has no such submission. Marks stay."""
        with self._db.write() as db:
            if db.execute("SELECT 1 FROM submissions WHERE submission_key = ?", (submission_key,)).fetchone() is None:
                return False
            self._log(db, submission_key, event, 0, sha256, "", "", "", "", reason)
            self._set_status(db, submission_key, event, reason)
        return True

    # --- judgements ---------------------------------------------------------------------------------------------

    @sqlite_errors
    def add_mark(self, submission_key: str, mark: AssessorMark) -> None:
        """Append the primary assessor's mark on the submission's current content.

        Refused for a withdrawn submission, for a criterion its rubric does not have, from a moderator or a second
        assessor, and for a time in the future or earlier than a mark already recorded for the submission.
        """
        now = self._clock()
        if mark.moment > now + CLOCK_SKEW:
            raise UsageError(t("gradebook.mark_future", key=submission_key, time=mark.time, now=_stamp(now)))
        with self._db.write() as db:
            content = self._current_content(db, submission_key)
            self._role(db, mark.assessor, "assessor")
            primary = db.execute(
                "SELECT assessor FROM marks WHERE submission_key = ? AND assessor != ? LIMIT 1",
                (submission_key, mark.assessor),
            ).fetchone()
            if primary is not None and self._roles(db, [str(primary[0])]) == {"assessor"}:
                raise UsageError(t("gradebook.second_assessor", key=submission_key, primary=primary[0]))
            history = self._marks(db, submission_key, None)
            latest = max((m.moment for m in history), default=None)
            if latest is not None and mark.moment < latest:
                raise UsageError(t("gradebook.mark_backdated", key=submission_key, time=mark.time, latest=latest))
            self._require_criterion(db, submission_key, mark.criterion_id)
            append(db, "marks", {"submission_key": submission_key, "content_sha256": content, **mark.to_json(),
                                 "recorded_at": _stamp(now)})  # fmt: skip

    @sqlite_errors
    def carry_marks(self, submission_key: str, assessor: str, reason: str) -> int:
        """Carry the primary assessor's current marks from the previous attempt to the current one, each as a new
        mark saying so; how many were carried. Refused when there is no earlier attempt."""
        with self._db.write() as db:
            content = self._current_content(db, submission_key)
            rows = db.execute(
                "SELECT n, sha256 FROM attempts WHERE submission_key = ? ORDER BY n", (submission_key,)
            ).fetchall()
            shas = [str(sha) for _n, sha in rows]
            if content not in shas or shas.index(content) == 0:
                raise UsageError(t("gradebook.nothing_to_carry", key=submission_key))
            previous = shas[shas.index(content) - 1]
            from casekit.rubric.result import current_marks

            carried = current_marks(self._marks(db, submission_key, previous))
            stamp = self.now()
            for mark in carried:
                text = t("gradebook.carried", None, assessor=assessor, reason=reason, earlier=mark.reason)
                row = {**mark.to_json(), "reason": text, "time": stamp, "recorded_at": stamp}
                append(db, "marks", {"submission_key": submission_key, "content_sha256": content, **row})
        return len(carried)

    @sqlite_errors
    def add_moderation(self, submission_key: str, record: Moderation) -> None:
        """Append a moderator's record on the submission's current content (a moderator who is not its assessor;
        a resolution only of an open disagreement)."""
        with self._db.write() as db:
            content = self._current_content(db, submission_key)
            self._role(db, record.moderator, "moderator")
            self._require_criterion(db, submission_key, record.criterion_id)
            mine = [m for m in self._moderations(db, submission_key, content) if m.criterion_id == record.criterion_id]
            open_ = bool(mine) and mine[-1].action == "disagree"
            if record.action == "resolve" and not open_:
                raise UsageError(t("gradebook.nothing_to_resolve", key=submission_key, criterion=record.criterion_id))
            if record.action != "resolve" and open_:
                raise UsageError(t("gradebook.resolve_first", key=submission_key, criterion=record.criterion_id))
            row = {"submission_key": submission_key, **record.to_json(), "content_sha256": content}
            append(db, "moderations", row | {"recorded_at": self.now()})

    @sqlite_errors
    def add_signoff(self, signoff: SignOff) -> None:
        """Append a sign-off of a candidate's unit decision (its digest is what it signs)."""
        with self._db.write() as db:
            if (
                db.execute("SELECT 1 FROM candidates WHERE candidate_id = ?", (signoff.candidate_id,)).fetchone()
                is None
            ):
                raise UsageError(t("gradebook.unknown_candidate", candidate=signoff.candidate_id))
            self._role(db, signoff.assessor, signoff.role)
            append(db, "signoffs", signoff.to_json() | {"recorded_at": self.now()})

    # --- internals ---------------------------------------------------------------------------------------------

    def _log(self, db: sqlite3.Connection, key: str, event: str, attempt: int, *fields: str) -> None:
        """Append a grading (or a withdrawal): ``fields`` are sha256, rubric id, rubric sha256, version, result,
        reason."""
        sha256, rubric_id, rubric_sha256, version, result, reason = fields
        row = {"submission_key": key, "event": event, "attempt": attempt, "sha256": sha256, "rubric_id": rubric_id}
        row |= {"rubric_sha256": rubric_sha256, "casekit_version": version, "result": result, "reason": reason}
        append(db, "gradings", row | {"recorded_at": self.now()})

    def _role(self, db: sqlite3.Connection, name: str, role: str) -> None:
        found = db.execute("SELECT role FROM assessors WHERE name = ?", (name,)).fetchone()
        if found is None:
            db.execute("INSERT INTO assessors (name, role) VALUES (?, ?)", (name, role))
        elif found[0] != role:
            raise UsageError(t("gradebook.role_taken", name=name, role=found[0], wanted=role))

    @staticmethod
    def _roles(db: sqlite3.Connection, names: Sequence[str]) -> set[str]:
        marks = ",".join("?" * len(names))
        return {str(r[0]) for r in db.execute(f"SELECT role FROM assessors WHERE name IN ({marks})", list(names))}

    @staticmethod
    def _set_status(db: sqlite3.Connection, key: str, status: str, reason: str) -> None:
        db.execute(
            "UPDATE submissions SET status = ?, status_reason = ? WHERE submission_key = ?", (status, reason, key)
        )

    def _current_content(self, db: sqlite3.Connection, submission_key: str) -> str:
        """The current content of a submission that can be judged: refused for an unknown or withdrawn one."""
        found = db.execute(
            "SELECT sha256, status, status_reason FROM submissions WHERE submission_key = ?", (submission_key,)
        ).fetchone()
        if found is None:
            raise UsageError(t("gradebook.unknown_submission", path=str(self.path), key=submission_key))
        if found[1] in ("failed", "held"):
            raise UsageError(t("gradebook.withdrawn", key=submission_key, reason=found[2]))
        return str(found[0])

    def _require_criterion(self, db: sqlite3.Connection, submission_key: str, criterion_id: str) -> None:
        runs = self._runs(db, submission_key)
        if runs and all(c["id"] != criterion_id for c in runs[-1].criteria):
            rubric = runs[-1].rubric_id
            raise UsageError(t("rubric.mark_unknown_criterion", rubric=rubric, criteria=criterion_id))


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def _upsert_submission(db: sqlite3.Connection, submission: Submission) -> None:
    db.execute(
        "INSERT INTO submissions (submission_key, candidate_id, case_id, sha256, seed, org)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (submission_key) DO UPDATE SET sha256 = excluded.sha256, seed = excluded.seed,"
        " org = excluded.org",
        (submission.key, submission.candidate_id, submission.case, submission.sha256, submission.seed, submission.org),
    )
    db.execute("INSERT OR IGNORE INTO candidates (candidate_id) VALUES (?)", (submission.candidate_id,))
