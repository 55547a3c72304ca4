"""Evidence portfolios: an executed grading notebook as one self-contained page, and the cohort index."""

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

__all__ = [
    "CRITERION_STATES",
    "DECISION_STATES",
    "STATIC_MIME_TYPES",
    "IndexEntry",
    "escape_text",
    "render_index",
    "render_portfolio",
    "safe_filename",
    "strip_dynamic_outputs",
]
