"""Evidence portfolios: an executed grading notebook as one self-contained page, the cohort index, and the unit
portfolio page of a candidate with the cohort index of unit results (rendered from unit-result documents)."""

from casekit.portfolio.pages import (
    CRITERION_STATES,
    DECISION_STATES,
    STATIC_MIME_TYPES,
    IndexEntry,
    escape_text,
    render_index,
    render_portfolio,
    safe_filename,
    strip_dynamic_outputs,
)
from casekit.portfolio.unit_page import render_unit_index, render_unit_page

__all__ = [
    "CRITERION_STATES",
    "DECISION_STATES",
    "STATIC_MIME_TYPES",
    "IndexEntry",
    "escape_text",
    "render_index",
    "render_portfolio",
    "render_unit_index",
    "render_unit_page",
    "safe_filename",
    "strip_dynamic_outputs",
]
