"""A submission's current result from the gradebook's facts: its latest grading, decided by the marks on that
content, then moderated (:func:`casekit.assessment.records.case_result`)."""

from __future__ import annotations

from casekit.assessment.records import GradingRun, case_result
from casekit.rubric import CaseResult, Decision, decide
from casekit.store import Gradebook

__all__ = ["current_decision", "current_result"]


def current_result(book: Gradebook, submission_key: str) -> tuple[GradingRun, CaseResult] | None:
    """The latest grading of the submission and its current result; None when it is not graded (or withdrawn)."""
    run = book.latest_grading(submission_key)
    if run is None:
        return None
    marks = book.marks(submission_key, run.sha256)
    return run, case_result(run, marks, book.moderations(submission_key, run.sha256))


def current_decision(book: Gradebook, submission_key: str) -> Decision | None:
    """The case decision of the submission's current result; None when it has none."""
    found = current_result(book, submission_key)
    return None if found is None else decide(found[1])
