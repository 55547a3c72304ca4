"""Rubrics mapped to the competency unit, automatic checks, grading and the competency decision.

Pure domain code: no Jupyter, widget or notebook-execution imports, so widgets, grading notebooks and the
command line all share it and it is tested as plain Python.
"""

from casekit.rubric.checks import CheckContext, CheckOutcome, CheckRegistry, builtin_checks
from casekit.rubric.decision import Decision, Reason, decide, render_reasons
from casekit.rubric.engine import apply_marks, grade, run_checks
from casekit.rubric.model import Criterion, Rubric, load_rubric, parse_rubric
from casekit.rubric.result import AssessorMark, AutoResult, CaseResult, CriterionResult, current_marks

__all__ = [
    "AssessorMark",
    "AutoResult",
    "CaseResult",
    "CheckContext",
    "CheckOutcome",
    "CheckRegistry",
    "Criterion",
    "CriterionResult",
    "Decision",
    "Reason",
    "Rubric",
    "apply_marks",
    "builtin_checks",
    "current_marks",
    "decide",
    "grade",
    "load_rubric",
    "parse_rubric",
    "render_reasons",
    "run_checks",
]
