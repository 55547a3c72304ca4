"""T4's tables: the audit tools' and the review's columns and coded values, named from the catalogs.

Every value shown goes through :func:`casekit.html.esc` (in :func:`casekit.html.frame_table`): audit tables carry
names, findings and schemes carry a candidate's free text, and none of it may become markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from casekit.html import cell, frame_table
from casekit.i18n import catalog, t

__all__ = ["column_label", "mapping_html", "table_html", "value_label"]

# columns whose values are codes with a message of their own: column -> (catalog domain, key prefix)
_VALUE_KEYS: dict[str, tuple[str, str]] = {
    "issue": ("t4audit", "issue_"),
    "reason": ("t4audit", "reason_"),
    "kpi": ("kpi", ""),
    "role": ("evidence", "role_"),
    "type": ("t4", "type_"),
    "kind": ("widgets", "kind_"),
    "level": ("widgets", "level_"),
}


def _known(key: str, lang: str) -> bool:
    return key in catalog(lang)


def column_label(column: str, lang: str) -> str:
    """A column's heading: its KPI name, or ``widgets.col_<column>``, or the column itself."""
    for key in (f"kpi.{column}", f"widgets.col_{column}"):
        if _known(key, lang):
            return t(key, lang)
    return column


def value_label(column: str, value: Any, lang: str) -> str | None:
    """The message for a coded value (an audit issue, a role, a KPI), or None when the column has no codes."""
    if column not in _VALUE_KEYS or not isinstance(value, str):
        return None
    domain, prefix = _VALUE_KEYS[column]
    key = f"{domain}.{prefix}{value}"
    return t(key, lang) if _known(key, lang) else value


def table_html(frame: pd.DataFrame, lang: str, **options: Any) -> str:
    """A DataFrame as an escaped HTML table (:func:`casekit.html.frame_table`) with T4's headings and codes."""
    return frame_table(
        frame, lang, heading=lambda c: column_label(c, lang), value=lambda c, v: value_label(c, v, lang), **options
    )


def mapping_html(values: Mapping[str, Any], lang: str) -> str:
    """A flat mapping (an audit tool's summary) as a two-column table."""
    frame = pd.DataFrame({"item": [column_label(str(k), lang) for k in values], "value": list(values.values())})
    return table_html(frame, lang, formats={"item": str, "value": lambda v: cell(v, lang)})
