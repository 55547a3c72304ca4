"""Static HTML for the panels: tables, problem lists, numbers. Pure functions of data, so tests call them.

Every value shown goes through :func:`casekit.evidence.esc`: audit tables carry names, findings and schemes carry
a candidate's free text, and none of it may become markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from casekit.cases.t4_incentives.review import format_value
from casekit.errors import CasekitError
from casekit.evidence import esc
from casekit.i18n import catalog, t

__all__ = [
    "STYLE",
    "cell",
    "column_label",
    "histogram",
    "kpi_scale",
    "kpi_text",
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


def cell(value: Any, lang: str) -> str:
    """One value as text: '-' for missing, yes/blank for flags, thousands separators, 4 significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return "-"
    if isinstance(value, bool | np.bool_):
        return t("widgets.yes", lang) if value else ""
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        v = float(value)
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        if v.is_integer():
            return f"{v:,.0f}"
        return f"{v:,.2f}" if abs(v) >= 100 else f"{v:.4g}"
    return str(value)


def kpi_text(kpi: str, value: Any) -> str:
    """A KPI value as people read it (rates in %, AHT in seconds, counts whole)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if kpi in _COUNTS:
        return f"{float(value):,.0f}"
    if kpi == "occupancy":
        return f"{float(value):.1%}"
    return format_value(kpi, float(value))


def kpi_scale(kpi: str) -> tuple[float, str]:
    """Factor and unit that put a KPI on a chart's axis as people read it."""
    if kpi in _RATES:
        return 100.0, "%"
    return (1.0, " s") if kpi == "aht_s" else (1.0, "")


def table_html(
    frame: pd.DataFrame,
    lang: str,
    *,
    columns: Sequence[str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    index: bool = False,
    cls: str = "ck-table",
) -> str:
    """A DataFrame as an escaped HTML table with localized headings; ``formats`` overrides a column's format."""
    data = frame.reset_index() if index else frame
    cols = list(columns) if columns is not None else [str(c) for c in data.columns]
    formats = formats or {}
    head = "".join(f"<th>{esc(column_label(c, lang))}</th>" for c in cols)
    rows = []
    for record in data[cols].to_dict("records"):
        cells = []
        for c in cols:
            v = record[c]
            text = formats[c](v) if c in formats else value_label(c, v, lang) or cell(v, lang)
            cells.append(f"<td>{esc(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        rows.append(f'<tr><td colspan="{len(cols)}">{esc(t("widgets.no_rows", lang))}</td></tr>')
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def mapping_html(values: Mapping[str, Any], lang: str) -> str:
    """A flat mapping (an audit tool's summary) as a two-column table."""
    frame = pd.DataFrame({"item": [column_label(str(k), lang) for k in values], "value": list(values.values())})
    return table_html(frame, lang, formats={"item": str, "value": lambda v: cell(v, lang)})


def histogram(values: Sequence[float], bins: int = 8) -> tuple[list[str], list[float]]:
    """Equal-width bins over the values: labels 'low–high' (NT$, whole) and the count in each."""
    arr = np.asarray(list(values), dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return [], []
    low, high = float(arr.min()), float(arr.max())
    if high <= low:
        return [f"{low:,.0f}"], [float(arr.size)]
    counts, edges = np.histogram(arr, bins=bins, range=(low, high))
    labels = [f"{edges[i]:,.0f}–{edges[i + 1]:,.0f}" for i in range(len(counts))]
    return labels, [float(c) for c in counts]


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
