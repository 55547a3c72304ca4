"""The hash chains that make the gradebook's logs tamper-evident.

Each row of an append-only table stores ``row_hash = SHA-256(prev_hash + "\\n" + canonical JSON of its content)``,
where ``prev_hash`` is the ``row_hash`` of the row before it (:data:`GENESIS` for the first). Editing, inserting or
deleting a row breaks the chain from there on, which ``casekit verify`` names. What a chain cannot show is a
rewrite of the whole table with every hash recomputed; the head of each chain (the last ``row_hash``) is printed
in the cohort index and the manifest, so a copy kept elsewhere exposes that too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any, Final, Literal

__all__ = ["GENESIS", "GRADING_FIELDS", "MARK_FIELDS", "Log", "append", "grading_hash", "head", "mark_hash", "row_hash"]

GENESIS: Final = "0" * 64
Log = Literal["marks", "gradings"]
MARK_FIELDS: Final = ("submission_key", "criterion_id", "assessor", "result", "reason", "time", "recorded_at")
GRADING_FIELDS: Final = ("submission_key", "event", "sha256", "rubric_id", "result", "reason", "recorded_at")


def row_hash(prev_hash: str, content: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """The hash of a row: its ``fields`` (in that order, as canonical JSON) chained to ``prev_hash``."""
    canonical = json.dumps([content[f] for f in fields], ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def mark_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return row_hash(prev_hash, content, MARK_FIELDS)


def grading_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    return row_hash(prev_hash, content, GRADING_FIELDS)


def head(db: sqlite3.Connection, table: Log) -> str:
    """The ``row_hash`` of the last row of ``table`` (:data:`GENESIS` when it is empty)."""
    row = db.execute(f"SELECT row_hash FROM {table} ORDER BY rowid DESC LIMIT 1").fetchone()
    return GENESIS if row is None else str(row[0])


def append(db: sqlite3.Connection, table: Log, row: Mapping[str, Any]) -> str:
    """Insert ``row`` at the end of the chain ``table`` (in the caller's transaction); returns its hash."""
    fields = MARK_FIELDS if table == "marks" else GRADING_FIELDS
    prev = head(db, table)
    digest = row_hash(prev, row, fields)
    columns = ", ".join((*fields, "prev_hash", "row_hash"))
    values = ", ".join(f":{f}" for f in (*fields, "prev_hash", "row_hash"))
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", {**row, "prev_hash": prev, "row_hash": digest})
    return digest
