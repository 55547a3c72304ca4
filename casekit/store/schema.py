"""The gradebook's SQLite schema, its version (``PRAGMA user_version``), and the explicit upgrade from version 1.

The gradebook stores facts; the domain decides from them (:mod:`casekit.assessment`). Version 2 holds:

- who: ``candidates``, ``assessors`` (each with a role: assessor or moderator), ``assignments`` (the organisation
  and seed each candidate was given for each component, from a roster);
- what they submitted: ``submissions`` (the latest content of each candidate's answer to a case, and whether it is
  graded, failed or held) and ``attempts`` (every version; a resubmission is attempt n + 1, earlier ones kept);
- the records, append-only and hash-chained (:mod:`casekit.store.chain`; triggers refuse ``UPDATE`` and
  ``DELETE``, and ``casekit verify`` checks the triggers are still there): ``gradings`` (every grading run, with
  the rubric's SHA-256 and casekit's version, and every withdrawal), ``marks`` and ``moderations`` (each bound to
  the content they judged), ``signoffs``, ``reports`` (third-party workplace reports, M1) and ``questioning``
  (written and oral questioning, M3);
- ``settings``: the cohort's choices that later commands default to (the assessment plan: its path and SHA-256);
- ``unit_decisions``: a cache of each candidate's unit result, keyed by the digest of its inputs.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Final

from casekit.store.chain import CHAINS, append

__all__ = ["SCHEMA", "SCHEMA_VERSION", "TRIGGERS", "statements", "upgrade"]

SCHEMA_VERSION: Final = 2

#: The triggers that keep the records append-only, by name, as ``casekit verify`` expects to find them.
TRIGGERS: Final = {
    f"{table}_no_{verb}": f"BEFORE {verb.upper()} ON {table}"
    for table in (*CHAINS, "attempts")
    for verb in ("update", "delete")
}
_REFUSE: Final = "BEGIN SELECT RAISE(ABORT, '{table} are append-only: add a new row instead'); END;"


def _triggers() -> str:
    return "\n".join(
        f"CREATE TRIGGER {name} {when}\n{_REFUSE.format(table=when.split()[-1])}" for name, when in TRIGGERS.items()
    )


_CHAINED: Final = "recorded_at TEXT NOT NULL, prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL UNIQUE"

SCHEMA: Final = f"""
CREATE TABLE candidates (
    candidate_id   TEXT PRIMARY KEY,
    name           TEXT NOT NULL DEFAULT ''
);
CREATE TABLE assessors (
    name           TEXT PRIMARY KEY,
    role           TEXT NOT NULL CHECK (role IN ('assessor', 'moderator'))
);
CREATE TABLE assignments (
    candidate_id   TEXT NOT NULL,
    component_id   TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    org            TEXT NOT NULL,
    seed           INTEGER NOT NULL,
    roster_sha256  TEXT NOT NULL,
    PRIMARY KEY (candidate_id, component_id)
);
CREATE TABLE submissions (
    submission_key TEXT PRIMARY KEY,
    candidate_id   TEXT NOT NULL,
    case_id        TEXT NOT NULL,
    sha256         TEXT NOT NULL,    -- the content of the latest attempt
    seed           INTEGER,
    org            TEXT,
    status         TEXT NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'graded', 'failed', 'held')),
    status_reason  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE attempts (
    submission_key TEXT NOT NULL REFERENCES submissions (submission_key),
    n              INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    recorded_at    TEXT NOT NULL,
    body_sha256    TEXT NOT NULL DEFAULT '', -- the answer without its header (identical answers share it)
    declared_at    TEXT NOT NULL DEFAULT '', -- when the candidate declared it their own work ('' none)
    PRIMARY KEY (submission_key, n),
    UNIQUE (submission_key, sha256)
);
CREATE TABLE gradings (
    grading_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_key  TEXT NOT NULL REFERENCES submissions (submission_key),
    event           TEXT NOT NULL CHECK (event IN ('graded', 'failed', 'held')),
    attempt         INTEGER NOT NULL, -- 0 for a withdrawal of content that made no attempt
    sha256          TEXT NOT NULL,    -- the content graded (or refused)
    rubric_id       TEXT NOT NULL,
    rubric_sha256   TEXT NOT NULL,
    casekit_version TEXT NOT NULL,
    result          TEXT NOT NULL,    -- the automatic criterion results as a JSON list ('' for a withdrawal)
    reason          TEXT NOT NULL,    -- why a submission was withdrawn ('' when graded)
    {_CHAINED}
);
CREATE INDEX gradings_by_submission ON gradings (submission_key, grading_id);
CREATE TABLE marks (
    mark_id        INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_key TEXT NOT NULL REFERENCES submissions (submission_key),
    content_sha256 TEXT NOT NULL,    -- the attempt's content this judgement is of
    criterion_id   TEXT NOT NULL,
    assessor       TEXT NOT NULL,
    result         TEXT NOT NULL CHECK (result IN ('met', 'not_yet_met')),
    reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    time           TEXT NOT NULL,    -- when the assessor says they judged
    {_CHAINED}
);
CREATE INDEX marks_by_submission ON marks (submission_key, content_sha256);
CREATE TABLE moderations (
    moderation_id  INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_key TEXT NOT NULL REFERENCES submissions (submission_key),
    content_sha256 TEXT NOT NULL,
    criterion_id   TEXT NOT NULL,
    moderator      TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('agree', 'disagree', 'resolve')),
    outcome        TEXT NOT NULL CHECK (outcome IN ('', 'upheld', 'overturned')),
    reason         TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    time           TEXT NOT NULL,
    {_CHAINED}
);
CREATE TABLE signoffs (
    signoff_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id   TEXT NOT NULL,
    assessor       TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('assessor', 'moderator')),
    statement      TEXT NOT NULL CHECK (length(trim(statement)) > 0),
    digest         TEXT NOT NULL,    -- the unit decision signed (a changed decision has another)
    time           TEXT NOT NULL,
    {_CHAINED}
);
CREATE TABLE reports (
    report_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id   TEXT NOT NULL,
    author         TEXT NOT NULL,
    role           TEXT NOT NULL,
    document       TEXT NOT NULL,    -- the report as JSON (filled by the third-party reports component, M1)
    {_CHAINED}
);
CREATE TABLE questioning (
    record_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    candidate_id   TEXT NOT NULL,
    assessor       TEXT NOT NULL,
    document       TEXT NOT NULL,    -- a session's record as JSON (filled by the questioning component, M3)
    {_CHAINED}
);
CREATE TABLE settings (
    name           TEXT PRIMARY KEY, -- e.g. 'plan': the assessment plan the cohort is decided by
    value          TEXT NOT NULL
);
CREATE TABLE unit_decisions (
    candidate_id   TEXT PRIMARY KEY,
    digest         TEXT NOT NULL,    -- of the facts the result was decided from
    outcome        TEXT NOT NULL,
    result         TEXT NOT NULL     -- the unit result as JSON
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


def upgrade(db: sqlite3.Connection, found: int) -> None:
    """Bring a gradebook of schema ``found`` to :data:`SCHEMA_VERSION`, inside the caller's write transaction.

    From version 1 (submissions, auto results, marks, decisions): each graded submission becomes attempt 1 with
    one grading run of its stored results; each mark is kept, bound to that content and recorded at the time it
    gives; the decisions, derived, are dropped (the domain decides them again from the facts).
    """
    if found != 1:
        return
    old_subs = db.execute("SELECT submission_key, candidate_id, case_id, sha256, seed, org FROM submissions").fetchall()
    graded = dict(db.execute("SELECT submission_key, graded_sha256 FROM decisions").fetchall())
    rubric_of = dict(db.execute("SELECT submission_key, rubric_id FROM decisions").fetchall())
    results = {
        key: [json.loads(r[0]) for r in db.execute(
            "SELECT result FROM auto_results WHERE submission_key = ? ORDER BY position", (key,)
        ).fetchall()]
        for key in graded
    }  # fmt: skip
    old_marks = db.execute(
        "SELECT submission_key, criterion_id, assessor, result, reason, time FROM marks ORDER BY mark_id"
    ).fetchall()
    for name in ("marks_no_update", "marks_no_delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("auto_results", "decisions", "marks", "submissions"):
        db.execute(f"DROP TABLE {table}")
    db.execute("DROP INDEX IF EXISTS marks_by_submission")
    body = [s for s in statements(SCHEMA) if not s.startswith("CREATE TRIGGER")]
    for statement in body:
        db.execute(statement)
    for key, candidate, case, sha, seed, org in old_subs:
        status = "graded" if key in graded else "recorded"
        db.execute(
            "INSERT INTO submissions (submission_key, candidate_id, case_id, sha256, seed, org, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, candidate, case, graded.get(key, sha), seed, org, status),
        )
        db.execute("INSERT OR IGNORE INTO candidates (candidate_id) VALUES (?)", (candidate,))
        if key in graded:
            db.execute(
                "INSERT INTO attempts (submission_key, n, sha256, source, recorded_at) VALUES (?, 1, ?, '', '')",
                (key, graded[key]),
            )
            row = {"submission_key": key, "event": "graded", "attempt": 1, "sha256": graded[key]}
            row |= {"rubric_id": rubric_of[key], "rubric_sha256": "", "casekit_version": "schema 1"}
            row |= {"result": json.dumps(results[key], ensure_ascii=False), "reason": "", "recorded_at": ""}
            append(db, "gradings", row)
    content = {key: sha for key, _c, _k, sha, _s, _o in old_subs} | graded
    for key, criterion, assessor, result, reason, time in old_marks:
        row = {"submission_key": key, "content_sha256": content.get(key, ""), "criterion_id": criterion}
        row |= {"assessor": assessor, "result": result, "reason": reason, "time": time, "recorded_at": time}
        append(db, "marks", row)
        db.execute("INSERT OR IGNORE INTO assessors (name, role) VALUES (?, 'assessor')", (assessor,))
    for statement in statements(_triggers()):
        db.execute(statement)
