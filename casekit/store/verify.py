"""Checking a gradebook against itself: the append-only triggers are in place, each hash chain is unbroken, marks
are in time order, and the current state of each submission (its status, its latest content, its attempts) is what
the gradings log says.

Each thing that does not hold is one :class:`Discrepancy`: where (a table and row, or a submission) and what, in
either language. An empty list means the gradebook is as casekit wrote it (or was rewritten by someone who also
recomputed every hash: see :mod:`casekit.store.chain`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from casekit.i18n import t
from casekit.rubric.result import AssessorMark
from casekit.store.chain import CHAINS, GENESIS, row_hash
from casekit.store.gradebook import CLOCK_SKEW, Gradebook
from casekit.store.schema import TRIGGERS

__all__ = ["Discrepancy", "verify_gradebook"]


@dataclass(frozen=True)
class Discrepancy:
    """One thing that does not hold: where, and a catalog key (``verify.*``) with its parameters."""

    where: str
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str | None = None) -> str:
        return f"{self.where}: {t(self.key, lang, **self.params)}"


def _triggers(db: sqlite3.Connection) -> list[Discrepancy]:
    found = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    out = []
    for name, when in TRIGGERS.items():
        sql = " ".join(str(found.get(name, "")).split())
        if when not in sql or "RAISE(ABORT" not in sql:
            out.append(Discrepancy(f"trigger {name}", "verify.trigger_missing", {"when": when}))
    return out


def _chain(db: sqlite3.Connection, table: str) -> list[Discrepancy]:
    id_column, fields = CHAINS[table]
    rows = db.execute(
        f"SELECT {id_column}, {', '.join(fields)}, prev_hash, row_hash FROM {table} ORDER BY {id_column}"
    ).fetchall()
    out, prev = [], GENESIS
    for row in rows:
        row_id, content, stored_prev, stored = row[0], dict(zip(fields, row[1:-2], strict=True)), row[-2], row[-1]
        where = f"{table} {id_column}={row_id}"
        if stored_prev != prev:
            out.append(Discrepancy(where, "verify.chain_broken", {"table": table}))
        if row_hash(stored_prev, content, fields) != stored:
            out.append(Discrepancy(where, "verify.row_changed", {"table": table}))
        prev = stored
    return out


def _mark_order(db: sqlite3.Connection) -> list[Discrepancy]:
    """Marks of a submission in the order recorded are in time order, and none is dated after its recording."""
    out = []
    latest: dict[str, AssessorMark] = {}
    for mark_id, key, criterion, assessor, result, reason, time, recorded in db.execute(
        "SELECT mark_id, submission_key, criterion_id, assessor, result, reason, time, recorded_at FROM marks"
        " ORDER BY mark_id"
    ).fetchall():
        mark = AssessorMark(criterion, assessor, result, reason, time)
        where = f"marks mark_id={mark_id}"
        before = latest.get(key)
        if before is not None and mark.moment < before.moment:
            out.append(Discrepancy(where, "verify.mark_backdated", {"time": time, "latest": before.time}))
        if mark.moment > AssessorMark(criterion, assessor, result, reason, recorded).moment + CLOCK_SKEW:
            out.append(Discrepancy(where, "verify.mark_future", {"time": time, "recorded": recorded}))
        if before is None or mark.moment >= before.moment:
            latest[key] = mark
    return out


def _state(db: sqlite3.Connection) -> list[Discrepancy]:
    """Each submission's status and current content against its latest logged event and its attempts."""
    out = []
    latest = {
        str(key): (str(event), int(attempt), str(sha))
        for key, event, attempt, sha in db.execute(
            "SELECT submission_key, event, attempt, sha256 FROM gradings g WHERE grading_id ="
            " (SELECT max(grading_id) FROM gradings WHERE submission_key = g.submission_key)"
        ).fetchall()
    }
    attempts = {(str(k), int(n)): str(s) for k, n, s in db.execute("SELECT submission_key, n, sha256 FROM attempts")}
    for key, status, sha in db.execute("SELECT submission_key, status, sha256 FROM submissions").fetchall():
        where = f"submission {key}"
        event = latest.get(key)
        if status == "recorded" and event is not None and event[0] == "graded" and sha != event[2]:
            continue  # new content recorded since its last grading, awaiting its own: no current result
        expected = "recorded" if event is None else event[0]
        if status != expected:
            out.append(Discrepancy(where, "verify.status", {"status": status, "expected": expected}))
        if event is not None and event[0] == "graded":
            if attempts.get((key, event[1])) != event[2]:
                out.append(Discrepancy(where, "verify.attempt_changed", {"attempt": event[1]}))
            if sha != event[2]:
                out.append(Discrepancy(where, "verify.content_changed"))
    return out


def verify_gradebook(book: Gradebook) -> list[Discrepancy]:
    """Everything in ``book`` that does not hold, in one list (empty when all holds)."""
    with book._db.snapshot() as db:
        return [
            *_triggers(db),
            *(d for table in CHAINS for d in _chain(db, table)),
            *_mark_order(db),
            *_state(db),
        ]
