"""The audit panel's table view: a tool's table filtered, sorted and cut into pages.

Pure pandas over the few hundred rows a tool returns (no widgets), so tests call it directly and the panel only
shows what :func:`view_table` returns. Nothing here changes the tool's table: each view is a new frame.

Which rows a tool marks as a problem is read from the columns it returns (:data:`FLAGS`): ``issue`` not ``ok``
(recompute), ``signal`` (gaming signals), ``bunching`` (threshold bunching), ``small_group`` (pay gaps). The
eligibility and caps tools list problems only, and the ledger marks none: they have no flag column.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

__all__ = ["FLAGS", "ONLY", "PAGE_SIZES", "Only", "TableQuery", "TableView", "flag_column", "flag_mask", "view_table"]


def _not_ok(values: pd.Series) -> pd.Series:
    return values.notna() & (values.astype(str) != "ok")


def _true(values: pd.Series) -> pd.Series:
    return values.fillna(False).astype(bool)


#: column a tool returns -> which of its rows are flagged, in the order looked for
FLAGS: dict[str, Callable[[pd.Series], pd.Series]] = {
    "issue": _not_ok,
    "signal": _true,
    "bunching": _true,
    "small_group": _true,
}
#: which rows to keep: every row, only the flagged ones, or only the others
ONLY = ("all", "flagged", "unflagged")
#: rows per page the panel offers (None: all of them)
PAGE_SIZES: tuple[int | None, ...] = (25, 50, 100, 200, None)

Only = Literal["all", "flagged", "unflagged"]
Label = Callable[[str, Any], "str | None"]


@dataclass(frozen=True)
class TableQuery:
    """What the candidate asked to see. ``text``: every word of it must appear (case-insensitively) in one of the
    row's text columns, as stored or as shown (``label``); ``sort_by`` a column (None: the tool's order; a column
    the table lacks is ignored); ``page`` counts from 0 and is clamped to the pages there are."""

    text: str = ""
    only: Only = "all"
    sort_by: str | None = None
    descending: bool = False
    page: int = 0
    page_size: int | None = 50


@dataclass(frozen=True)
class TableView:
    """One page of a filtered, sorted table: ``rows`` (its index that of the tool's table), ``total`` rows in the
    table, ``matched`` by the filter, ``page`` of ``pages`` (from 0), rows ``first`` to ``last`` of the matched
    ones shown (from 1; both 0 when none), and the table's ``flag`` column (None when it has none)."""

    rows: pd.DataFrame
    total: int
    matched: int
    page: int
    pages: int
    first: int
    last: int
    flag: str | None

    @property
    def filtered(self) -> bool:
        """Whether the filter left rows out."""
        return self.matched < self.total


def flag_column(frame: pd.DataFrame) -> str | None:
    """The column that marks the table's problem rows (see :data:`FLAGS`), or None."""
    return next((c for c in FLAGS if c in frame.columns), None)


def flag_mask(frame: pd.DataFrame) -> pd.Series | None:
    """Which rows are flagged, or None when the table has no flag column."""
    column = flag_column(frame)
    return None if column is None else FLAGS[column](frame[column]).reindex(frame.index, fill_value=False)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [
        str(c)
        for c in frame.columns
        if pd.api.types.is_object_dtype(frame[c]) or pd.api.types.is_string_dtype(frame[c])
    ]


def _searchable(frame: pd.DataFrame, label: Label | None) -> list[pd.Series]:
    """Each text column in lower case, with the label shown for each coded value after it."""
    out = []
    for c in _text_columns(frame):
        values = frame[c]
        text = values.astype(str).where(values.notna(), "").str.lower()
        if label is not None:
            shown = {v: label(c, v) for v in values.dropna().unique()}
            extra = values.map({v: s.lower() for v, s in shown.items() if s is not None and s != v})
            text = text + "\x1f" + extra.where(extra.notna(), "").astype(str)
        out.append(text)
    return out


def _matches(frame: pd.DataFrame, text: str, label: Label | None) -> pd.Series:
    words = text.lower().split()
    keep = pd.Series(True, index=frame.index)
    if not words:
        return keep
    columns = _searchable(frame, label)
    for word in words:
        hit = pd.Series(False, index=frame.index)
        for values in columns:
            hit |= values.str.contains(word, regex=False)
        keep &= hit
    return keep


def _sort_key(values: pd.Series) -> pd.Series:
    """Texts compared case-insensitively (and mixed types as text); numbers and booleans as they are."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values
    return values.astype(str).str.lower().where(values.notna())


def view_table(frame: pd.DataFrame, query: TableQuery, label: Label | None = None) -> TableView:
    """The rows of ``frame`` that ``query`` asks for: filtered by its text and flag, sorted, one page of them.

    ``label(column, value)`` is the text a coded value is shown as (an audit issue's name, a role's), so that
    the filter finds what the candidate reads as well as the code; None when the column has no codes."""
    keep = _matches(frame, query.text, label)
    flags = flag_mask(frame)
    if flags is not None and query.only == "flagged":
        keep &= flags
    elif flags is not None and query.only == "unflagged":
        keep &= ~flags
    rows = frame[keep]
    if query.sort_by is not None and query.sort_by in frame.columns:
        rows = rows.sort_values(
            query.sort_by, ascending=not query.descending, kind="stable", na_position="last", key=_sort_key
        )
    matched = len(rows)
    size = query.page_size if query.page_size is not None and query.page_size > 0 else max(matched, 1)
    pages = max(1, math.ceil(matched / size))
    page = min(max(query.page, 0), pages - 1)
    start = page * size
    shown = rows.iloc[start : start + size]
    first, last = (start + 1, start + len(shown)) if len(shown) else (0, 0)
    return TableView(shown, len(frame), matched, page, pages, first, last, flag_column(frame))
