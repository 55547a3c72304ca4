"""Grading one submission of any case kind: the graded case, its evidence and its result document."""

from casekit.grading.result import RESULT_MIME, error_html, result_document, write_result
from casekit.grading.sections import Evidence, criteria_html, decision_html, header_html, render_evidence
from casekit.grading.submission import GradedCase, grade_submission

__all__ = [
    "RESULT_MIME",
    "Evidence",
    "GradedCase",
    "criteria_html",
    "decision_html",
    "error_html",
    "grade_submission",
    "header_html",
    "render_evidence",
    "result_document",
    "write_result",
]
