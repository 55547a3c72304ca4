"""The gradebook's SQLite schema, its version (``PRAGMA user_version``), and the explicit upgrade from version 1.

Version 2 makes the record tamper-evident: the append-only tables (``marks``, and ``gradings``, the log of every
grading and every withdrawal) carry a hash chain, each row the SHA-256 of its content and of the row before it
(:mod:`casekit.store.chain`); triggers refuse ``UPDATE`` and ``DELETE`` on both, and ``casekit verify`` checks the
triggers are still there. The other tables (``submissions``, ``auto_results``, ``decisions``) are the current
state, derived from the log and the marks, and checked against them.
"""

from __future__ import annotations

import sqlite3
from typing import Final

from casekit.store.chain import append

__all__ = ["SCHEMA", "SCHEMA_VERSION", "TRIGGERS", "statements", "upgrade"]

SCHEMA_VERSION: Final = 2

#: The triggers that keep the logs append-only, by name, as ``casekit verify`` expects to find them.
TRIGGERS: Final = {
    "marks_no_update": "BEFORE UPDATE ON marks",
    "marks_no_delete": "BEFORE DELETE ON marks",
    "gradings_no_update": "BEFORE UPDATE ON gradings",
    "gradings_no_delete": "BEFORE DELETE ON gradings",
}
_REFUSE: Final = "BEGIN SELECT RAISE(ABORT, '{table} are append-only: add a new row instead'); END;"


def _triggers() -> str:
    return "\n".join(
        f"CREATE TRIGGER {name} {when}\n{_REFUSE.format(table=when.split()[-1])}" for name, when in TRIGGERS.items()
    )


SCHEMA: Final = """
CREATE TABLE submissions (
    submission_key TEXT PRIMARY KEY,
    candidate_id   TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    seed           INTEGER,
    org            TEXT,
    status         TEXT NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'graded', 'failed', 'held')),
    status_reason  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE auto_results (
    submission_key TEXT NOT NULL REFERENCES submissions (submission_key),
    position       INTEGER NOT NULL,
    criterion_id   TEXT NOT NULL,
    auto_state     TEXT,             -- NULL for an assessor-judged criterion
    result         TEXT NOT NULL,    -- the criterion result before marks, as JSON
    PRIMARY KEY (submission_key, criterion_id)
);
CREATE TABLE marks (
    mark_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_key TEXT NOT NULL REFERENCES submissions (submission_key),
    criterion_id   TEXT NOT NULL,
    assessor       TEXT NOT NULL,
    result         TEXT NOT NULL CHECK (result IN ('met', 'not_yet_met')),
    reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    time           TEXT NOT NULL,    -- when the assessor says they judged
    recorded_at    TEXT NOT NULL,    -- when the gradebook recorded it (its own clock)
    prev_hash      TEXT NOT NULL,
    row_hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX marks_by_submission ON marks (submission_key, criterion_id);
CREATE TABLE gradings (
    grading_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_key TEXT NOT NULL REFERENCES submissions (submission_key),
    event          TEXT NOT NULL CHECK (event IN ('graded', 'failed', 'held')),
    sha256         TEXT NOT NULL,    -- the submission content graded (or refused)
    rubric_id      TEXT NOT NULL,
    result         TEXT NOT NULL,    -- the automatic CaseResult as JSON ('' for a withdrawal)
    reason         TEXT NOT NULL,    -- why a submission was withdrawn ('' when graded)
    recorded_at    TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    row_hash       TEXT NOT NULL UNIQUE
);
CREATE INDEX gradings_by_submission ON gradings (submission_key, grading_id);
CREATE TABLE decisions (
    submission_key TEXT PRIMARY KEY REFERENCES submissions (submission_key),
    rubric_id      TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    graded_sha256  TEXT NOT NULL,    -- the submission content these results were computed from
    runs           INTEGER NOT NULL, -- how many times it has been graded
    outcome        TEXT NOT NULL,
    score          REAL NOT NULL,
    decision       TEXT NOT NULL     -- the Decision as JSON
);
""" + _triggers()


def statements(script: str) -> list[str]:
    """The statements of ``script``; a trigger body's inner ``;`` stays with its trigger."""
    out: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    return out


_LOG_TABLES: Final = ("CREATE TABLE marks", "CREATE INDEX marks_", "CREATE TABLE gradings", "CREATE INDEX gradings_")


def upgrade(db: sqlite3.Connection, found: int) -> None:
    """Bring a gradebook of schema ``found`` to :data:`SCHEMA_VERSION`, inside the caller's write transaction.

    From version 1: the submission status, the marks' recording time and hash chain (the existing marks, in the
    order they were added, recorded at the time they give), and the gradings log seeded with each current result.
    """
    if found != 1:
        return
    db.execute("ALTER TABLE submissions ADD COLUMN status TEXT NOT NULL DEFAULT 'recorded'")
    db.execute("ALTER TABLE submissions ADD COLUMN status_reason TEXT NOT NULL DEFAULT ''")
    db.execute(
        "UPDATE submissions SET status = 'graded' WHERE submission_key IN (SELECT submission_key FROM decisions)"
    )
    old = db.execute(
        "SELECT submission_key, criterion_id, assessor, result, reason, time FROM marks ORDER BY mark_id"
    ).fetchall()
    for name in ("marks_no_update", "marks_no_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    db.execute("ALTER TABLE marks RENAME TO marks_v1")
    db.execute("DROP INDEX IF EXISTS marks_by_submission")
    for statement in statements(SCHEMA):
        if statement.startswith(_LOG_TABLES):
            db.execute(statement)
    for key, criterion, assessor, result, reason, time in old:
        row = {"submission_key": key, "criterion_id": criterion, "assessor": assessor, "result": result}
        append(db, "marks", row | {"reason": reason, "time": time, "recorded_at": time})
    db.execute("DROP TABLE marks_v1")
    for key, sha, rubric_id in db.execute(
        "SELECT submission_key, graded_sha256, rubric_id FROM decisions ORDER BY submission_key"
    ).fetchall():
        rows = db.execute(
            "SELECT result FROM auto_results WHERE submission_key = ? ORDER BY position", (key,)
        ).fetchall()
        row = {"submission_key": key, "event": "graded", "sha256": sha, "rubric_id": rubric_id}
        append(
            db, "gradings", row | {"result": "[" + ",".join(r[0] for r in rows) + "]", "reason": "", "recorded_at": ""}
        )
    for statement in statements(_triggers()):
        db.execute(statement)
