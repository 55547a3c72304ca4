"""The hash chains that make the gradebook's records tamper-evident.

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

__all__ = ["CHAINS", "GENESIS", "Log", "append", "head", "row_hash"]

GENESIS: Final = "0" * 64
Log = Literal["gradings", "marks", "moderations", "signoffs", "reports", "questioning"]

#: Every append-only record, with the columns its hash covers and the column that orders it.
CHAINS: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "gradings": (
        "grading_id",
        (
            "submission_key",
            "event",
            "attempt",
            "sha256",
            "rubric_id",
            "rubric_sha256",
            "casekit_version",
            "result",
            "reason",
            "recorded_at",
        ),
    ),
    "marks": (
        "mark_id",
        ("submission_key", "content_sha256", "criterion_id", "assessor", "result", "reason", "time", "recorded_at"),
    ),
    "moderations": (
        "moderation_id",
        (
            "submission_key",
            "content_sha256",
            "criterion_id",
            "moderator",
            "action",
            "outcome",
            "reason",
            "time",
            "recorded_at",
        ),
    ),
    "signoffs": (
        "signoff_id",
        ("candidate_id", "assessor", "role", "statement", "digest", "time", "recorded_at"),
    ),
    "reports": ("report_id", ("candidate_id", "author", "role", "document", "recorded_at")),
    "questioning": ("record_id", ("candidate_id", "assessor", "document", "recorded_at")),
}


def row_hash(prev_hash: str, content: Mapping[str, Any], fields: tuple[str, ...]) -> str:
    """The hash of a row: its ``fields`` (in that order, as canonical JSON) chained to ``prev_hash``."""
    canonical = json.dumps([content[f] for f in fields], ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def head(db: sqlite3.Connection, table: Log) -> str:
    """The ``row_hash`` of the last row of ``table`` (:data:`GENESIS` when it is empty)."""
    order = CHAINS[table][0]
    row = db.execute(f"SELECT row_hash FROM {table} ORDER BY {order} DESC LIMIT 1").fetchone()
    return GENESIS if row is None else str(row[0])


def append(db: sqlite3.Connection, table: Log, row: Mapping[str, Any]) -> str:
    """Insert ``row`` at the end of the chain ``table`` (in the caller's transaction); returns its hash."""
    fields = CHAINS[table][1]
    prev = head(db, table)
    digest = row_hash(prev, row, fields)
    columns = ", ".join((*fields, "prev_hash", "row_hash"))
    values = ", ".join(f":{f}" for f in (*fields, "prev_hash", "row_hash"))
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({values})", {**row, "prev_hash": prev, "row_hash": digest})
    return digest
