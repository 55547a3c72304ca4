"""Storage: the gradebook (SQLite), where results, assessors' marks and decisions are kept."""

from casekit.store.gradebook import DEFAULT_PATH, SCHEMA_VERSION, Gradebook, Submission

__all__ = ["DEFAULT_PATH", "SCHEMA_VERSION", "Gradebook", "Submission"]
