"""The gradebook's SQLite schema: its tables, the triggers that keep assessors' marks append-only, and its version
(``PRAGMA user_version``)."""

from __future__ import annotations

import sqlite3
from typing import Final

__all__ = ["SCHEMA", "SCHEMA_VERSION", "statements"]

SCHEMA_VERSION: Final = 1

SCHEMA: Final = """
CREATE TABLE submissions (
    submission_key TEXT PRIMARY KEY,
    candidate_id   TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    seed           INTEGER,
    org            TEXT
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
    time           TEXT NOT NULL
);
CREATE INDEX marks_by_submission ON marks (submission_key, criterion_id);
CREATE TRIGGER marks_no_update BEFORE UPDATE ON marks
BEGIN SELECT RAISE(ABORT, 'assessor marks are append-only: add a new mark instead'); END;
CREATE TRIGGER marks_no_delete BEFORE DELETE ON marks
BEGIN SELECT RAISE(ABORT, 'assessor marks are append-only: add a new mark instead'); END;
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
"""


def statements(script: str) -> list[str]:
    """The statements of ``script``; a trigger body's inner ``;`` stays with its trigger."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements
