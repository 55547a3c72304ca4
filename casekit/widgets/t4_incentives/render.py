"""Static HTML for the panels: tables, problem lists, numbers. Pure functions of data, so tests call them.

Every value shown goes through :func:`casekit.evidence.esc`: audit tables carry names, findings and schemes carry
a candidate's free text, and none of it may become markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from casekit.errors import CasekitError
from casekit.html import cell, esc, frame_table
from casekit.i18n import catalog, t

__all__ = [
    "STYLE",
    "column_label",
    "mapping_html",
    "message_html",
    "problems_html",
    "table_html",
    "value_label",
]

# the tables' look, once per app (an HTML widget's <style> applies to the page; scoped to the app's class)
STYLE = (
    "<style>"
    ".ck-t4-app .ck-table{border-collapse:collapse;font-size:12px;margin:4px 0 10px}"
    ".ck-t4-app .ck-table th,.ck-t4-app .ck-table td{border:1px solid #d0d7de;padding:2px 6px;text-align:left}"
    ".ck-t4-app .ck-table th{background:#f3f5f7;position:sticky;top:0}"
    ".ck-t4-app .ck-table tbody tr:nth-child(even){background:#fafbfc}"
    "</style>"
)

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
_COUNTS = ("handled", "sales")
_RATES = ("adherence", "availability", "occupancy", "fcr", "csat", "conversion")


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


def message_html(text: str, kind: str = "info") -> str:
    """One escaped line of status: ``info``, ``ok`` or ``warn``."""
    colour = {"ok": "#1a7f37", "warn": "#9a6700", "info": "#444"}.get(kind, "#444")
    return f'<p class="ck-msg ck-{esc(kind)}" style="color:{colour}">{esc(text)}</p>'


def problems_html(exc: CasekitError, lang: str) -> str:
    """Every problem of an error, one escaped line each, under a heading saying how many."""
    lines = [line for line in exc.render(lang).splitlines() if line.strip()] or [str(exc)]
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    head = esc(t("widgets.problems", lang, n=len(lines)))
    return f'<div class="ck-problems" style="color:#b42318"><p><strong>{head}</strong></p><ul>{items}</ul></div>'
