"""The one static-HTML toolkit: escaping, tables, inline SVG charts, and numbers as people read them.

Grading evidence, portfolio pages and the candidate widgets all build their HTML here. Nothing here runs a
script or loads anything: tables are plain ``<table>`` elements and charts are inline SVG, so a page made of them
renders offline and under a Content-Security-Policy that forbids scripts.

Everything that may have come from a candidate (ids, names, free text, table cells) goes through :func:`esc`;
:func:`html_table` escapes its headings and takes cells that are already HTML, :func:`frame_table` escapes every
cell of a DataFrame itself.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from casekit.i18n import catalog, t

__all__ = [
    "bar_chart",
    "cell",
    "esc",
    "frame_table",
    "histogram",
    "html_table",
    "money",
    "num",
    "pct",
    "plain_list",
]


def esc(value: object) -> str:
    """``value`` as text safe inside HTML elements and quoted attributes (``None`` is empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float | np.floating) and math.isnan(value))


def num(value: Any, digits: int = 0) -> str:
    """A number with thousands separators and ``digits`` decimals; ``-`` when missing."""
    return "-" if _missing(value) else f"{float(value):,.{digits}f}"


def money(value: Any) -> str:
    """An amount in NT$, whole dollars with thousands separators; ``-`` when missing."""
    return "-" if _missing(value) else f"NT${float(value):,.0f}"


def pct(value: Any, digits: int = 1, *, signed: bool = False) -> str:
    """A share (0.123) as a percentage (12.3%), with a sign when ``signed``; ``-`` when missing."""
    if _missing(value):
        return "-"
    return f"{float(value):+.{digits}%}" if signed else f"{float(value):.{digits}%}"


def cell(value: Any, lang: str | None = None) -> str:
    """One table value as text: '-' for missing, yes/blank for flags, thousands separators, 4 significant digits."""
    if _missing(value):
        return "-"
    if isinstance(value, bool | np.bool_):
        return t("html.yes", lang) if value else ""
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


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "ck-table", *, empty: str = "") -> str:
    """A table of ``rows`` whose cells are HTML already (escape what came from outside); headings are escaped.

    With no rows, ``empty`` (text, escaped here) fills one row across the table.
    """
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    if not body and empty:
        body = f'<tr><td colspan="{len(headers)}">{esc(empty)}</td></tr>'
    return f'<table class="{esc(cls)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _kpi_heading(column: str, lang: str | None) -> str:
    key = f"kpi.{column}"
    return t(key, lang) if key in catalog("en") else column


def frame_table(
    frame: pd.DataFrame,
    lang: str | None = None,
    *,
    columns: Sequence[str] | None = None,
    formats: Mapping[str, Callable[[Any], str]] | None = None,
    heading: Callable[[str], str] | None = None,
    value: Callable[[str, Any], str | None] | None = None,
    index: bool = False,
    cls: str = "ck-table",
) -> str:
    """A DataFrame as an escaped HTML table.

    ``heading(column)`` names a column (default: its KPI name, else the column); ``formats[column](v)`` formats
    its values; else ``value(column, v)`` may give a coded value's label; else :func:`cell` formats it.
    """
    data = frame.reset_index() if index else frame
    cols = list(columns) if columns is not None else [str(c) for c in data.columns]
    formats = formats or {}
    name = heading or (lambda c: _kpi_heading(c, lang))
    rows = []
    for record in data[cols].to_dict("records"):
        cells = []
        for c in cols:
            v = record[c]
            label = value(c, v) if value is not None and c not in formats else None
            text = formats[c](v) if c in formats else label if label is not None else cell(v, lang)
            cells.append(esc(text))
        rows.append(cells)
    return html_table([name(c) for c in cols], rows, cls, empty=t("html.no_rows", lang))


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    unit: str = "",
    reference: float | None = None,
    width: int = 560,
) -> str:
    """A horizontal bar chart as inline SVG (negative values to the left of the axis); ``reference`` draws a line."""
    n = len(values)
    # room for the longest label: CJK characters are about twice as wide as Latin ones at this size
    label_px = max([sum(12 if ord(ch) > 0x2E80 else 7 for ch in str(label)) for label in labels] + [40])
    row, left, pad = 24, min(300, label_px + 12), 10
    height = n * row + 40
    span = max([abs(v) for v in values] + ([abs(reference)] if reference is not None else []) + [1e-9])
    has_neg = any(v < 0 for v in values)
    zero = left + (width - left - pad) / 2 if has_neg else left
    scale = (width - zero - pad - 60) / span
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'class="ck-chart"><title>{esc(title)}</title>',
        f'<text x="4" y="14" font-size="13" font-weight="bold">{esc(title)}</text>',
    ]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = 26 + i * row
        w = abs(v) * scale
        x = zero if v >= 0 else zero - w
        parts.append(f'<text x="{left - 6}" y="{y + 14}" font-size="12" text-anchor="end">{esc(label)}</text>')
        parts.append(
            f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{"#3b7dd8" if v >= 0 else "#d8663b"}"/>'
        )
        tx = x + w + 4 if v >= 0 else x - 4
        anchor = "start" if v >= 0 else "end"
        parts.append(
            f'<text x="{tx:.1f}" y="{y + 14}" font-size="11" text-anchor="{anchor}">{esc(f"{v:,.1f}{unit}")}</text>'
        )
    parts.append(f'<line x1="{zero}" y1="22" x2="{zero}" y2="{height - 10}" stroke="#444"/>')
    if reference is not None:
        rx = zero + reference * scale
        parts.append(
            f'<line x1="{rx:.1f}" y1="22" x2="{rx:.1f}" y2="{height - 10}" stroke="#c00" stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: Sequence[float], bins: int = 8) -> tuple[list[str], list[float]]:
    """Equal-width bins over the values: labels 'low–high' (whole numbers) and the count in each."""
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


def plain_list(items: list[str], lang: str) -> str:
    """Texts joined as a sentence joins them (``a, b and c``; ``甲、乙和丙``); ``none`` when there are none. The
    items are joined as given: escape them first for HTML."""
    if not items:
        return esc(t("evidence.none", lang))
    if len(items) == 1:
        return items[0]
    head = esc(t("evidence.list_sep", lang)).join(items[:-1])
    return t("evidence.list_and", lang, head=head, last=items[-1])  # the items are HTML already
