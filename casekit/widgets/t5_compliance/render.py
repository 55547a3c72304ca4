"""T5's tables and labels: columns and coded values named from the catalogs (``t5widgets``, the rules, the roles),
a scan's rows with the breaches marked, the register with its incomplete entries marked, and a frame cut to the
rows a tab shows.

Every value shown goes through :func:`casekit.html.esc` (in :func:`casekit.html.frame_table`, or here): the tables
carry staff names, ad texts and the candidate's own text, and none of it may become markup. The layout helpers
(headings, boxes, rows of buttons) and the role label are the shared ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from casekit.cases.t5_compliance import rules, training
from casekit.html import cell, esc, frame_table, html_table
from casekit.i18n import catalog, t
from casekit.scenario import World
from casekit.widgets.render import (
    Format,
    boxed,
    column_formats,
    field_table,
    heading,
    left,
    message_html,
    role_label,
    title,
)

__all__ = [
    "ALL",
    "BREACH",
    "INCOMPLETE",
    "boxed",
    "column_formats",
    "column_label",
    "field_table",
    "first_rows",
    "heading",
    "left",
    "marked_table",
    "option_pairs",
    "role_label",
    "rule_label",
    "staff_options",
    "table_html",
    "title",
    "value_label",
]

#: the value of a choice that means "every one" (every person, every month)
ALL = "*"
#: the background of a breach's row in a scan, and of an incomplete register entry
BREACH = "#fde2e1"
INCOMPLETE = "#fff4d6"
# columns whose coded values have a message of their own in t5widgets: column -> key prefix
_CODED = {
    "day_type": "day_",
    "leave_type": "leave_",
    "pay_basis": "basis_",
    "pay_shown": "shown_",
    "channel": "channel_",
    "purpose": "purpose_",
    "body": "body_",
    "scope": "scope_",
    "severity": "severity_",
    "rectification": "rect_",
    "prevention": "prevent_",
    "verification": "verif_",
    "status": "status_",
    "problem": "problem_",
    "note": "note_",
    "regime": "regime_",
    "category": "category_",
}
_RULE_COLUMNS = frozenset({"rule"})


def _known(key: str, lang: str) -> bool:
    return key in catalog(lang)


def column_label(column: str, lang: str) -> str:
    """A column's heading: ``t5widgets.col_<column>``, or the column itself."""
    key = f"t5widgets.col_{column}"
    return t(key, lang) if _known(key, lang) else column


def rule_label(rule_id: str, lang: str) -> str:
    """A rule's title in ``lang`` (its id when the library has no such rule)."""
    found = {r.id: r for r in rules.RULES}.get(rule_id)
    return found.title(lang) if found is not None else rule_id


def _coded(prefix: str, value: str, lang: str) -> str:
    key = f"t5widgets.{prefix}{value}"
    return t(key, lang) if _known(key, lang) else value


def value_label(column: str, value: Any, lang: str) -> str | None:
    """The label of a coded value (a rule, a role, a day type, a severity, a rectification...), or None."""
    if isinstance(value, bool):
        return t("t5widgets.yes", lang) if value else ""
    if not isinstance(value, str):
        return None
    if column in _RULE_COLUMNS:
        return rule_label(value, lang)
    if column == "role":
        return role_label(value, lang)
    if column == "course":
        return training.course_label(value, lang)
    if column in _CODED:
        return _coded(_CODED[column], value, lang) if value else ""
    return None


def option_pairs(column: str, values: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of coded values, for a dropdown."""
    return [(value_label(column, v, lang) or v, v) for v in values]


def staff_options(world: World, lang: str, roles: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(label, staff id) of the staff (only those in ``roles`` when given), in the staff table's order: id, name,
    role and team."""
    staff = world.staff
    if roles is not None:
        staff = staff[staff["role"].isin(set(roles))]
    return [
        (f"{s} {name} · {role_label(str(role), lang)} · {team}", str(s))
        for s, name, role, team in zip(staff["staff_id"], staff["name"], staff["role"], staff["team"], strict=True)
    ]


def table_html(
    frame: pd.DataFrame,
    lang: str,
    columns: Sequence[str] | None = None,
    formats: Mapping[str, Format] | None = None,
) -> str:
    """A DataFrame as an escaped table with T5's headings and labels."""
    return frame_table(
        frame,
        lang,
        columns=[c for c in columns if c in frame.columns] if columns is not None else None,
        formats=dict(formats or {}),
        heading=lambda c: column_label(c, lang),
        value=lambda c, v: value_label(c, v, lang),
    )


def first_rows(frame: pd.DataFrame, limit: int, lang: str) -> tuple[pd.DataFrame, str]:
    """The first ``limit`` rows of ``frame``, and a line saying how many there are and how many are shown."""
    n = len(frame)
    key = "t5widgets.rows_all" if n <= limit else "t5widgets.rows_first"
    return frame.head(limit), message_html(t(key, lang, n=f"{n:,}", shown=f"{min(n, limit):,}"))


def marked_table(
    frame: pd.DataFrame,
    lang: str,
    columns: Sequence[str],
    marked: Sequence[bool],
    colour: str,
    formats: Mapping[str, Format] | None = None,
    css: str = "ck-table",
) -> str:
    """Like :func:`table_html`, each row whose ``marked`` is true on the ``colour`` background (class
    ``ck-marked``)."""
    cols = [c for c in columns if c in frame.columns]
    formats = dict(formats or {})
    body = []
    for mark, record in zip(marked, frame[cols].to_dict("records"), strict=True):
        cells = []
        for c in cols:
            v = record[c]
            label = value_label(c, v, lang) if c not in formats else None
            text = formats[c](v) if c in formats else label if label is not None else cell(v, lang)
            cells.append(f"<td>{esc(text)}</td>")
        attrs = f' class="ck-marked" style="background:{colour}"' if mark else ""
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    if not body:
        return html_table([column_label(c, lang) for c in cols], [], css, empty=t("html.no_rows", lang))
    head = "".join(f"<th>{esc(column_label(c, lang))}</th>" for c in cols)
    return f'<table class="{esc(css)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
