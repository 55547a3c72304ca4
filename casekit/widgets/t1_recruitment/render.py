"""T1's tables and short lists: columns and coded values named from the catalogs, figures formatted as the evidence
pages format them.

Every value shown goes through :func:`casekit.html.esc` (in :func:`casekit.html.frame_table`, or here): the tables
carry applicants' names and the candidate's own text, and none of it may become markup.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t1_recruitment.evidence import factor_label, scope_label, skill_label
from casekit.html import esc, frame_table
from casekit.i18n import catalog, t
from casekit.scenario.catalogs import EXIT_FACTORS, load_roles
from casekit.widgets.render import Format, column_formats

__all__ = [
    "SHIFTS",
    "column_label",
    "field_table",
    "group_format",
    "heading",
    "items_html",
    "left",
    "option_pairs",
    "role_label",
    "shift_label",
    "table_html",
    "title",
    "value_label",
]

SHIFTS = ("early", "day", "late", "night")
# columns whose coded values have a message of their own in t1widgets: column -> key prefix
_CODED = {"gender": "gender_", "education": "education_", "readiness": "readiness_", "type": "type_"}
_CODED |= {"decision": "decision_", "method": "method_", "component": "cost_"}


def _known(key: str, lang: str) -> bool:
    return key in catalog(lang)


def heading(key: str, lang: str, level: int = 3) -> str:
    """A heading from the catalog, escaped."""
    return f"<h{level}>{esc(t(key, lang))}</h{level}>"


def title(key: str, lang: str, level: int = 3) -> Any:
    """A heading widget."""
    return widgets.HTML(heading(key, lang, level))


def left(*buttons: Any) -> Any:
    """Buttons in a row at the left, at their own width (a box would stretch a button alone across it)."""
    for b in buttons:
        b.layout.width = "auto"
    return widgets.HBox(list(buttons))


def column_label(column: str, lang: str) -> str:
    """A column's heading: ``t1widgets.col_<column>``, or the column itself."""
    key = f"t1widgets.col_{column}"
    return t(key, lang) if _known(key, lang) else column


def role_label(role: str, lang: str) -> str:
    return next((r.label(lang) for r in load_roles() if r.id == role), role)


def shift_label(shift: str, lang: str) -> str:
    return t(f"t1evidence.shift_{shift}", lang) if shift in SHIFTS else shift


def value_label(column: str, value: Any, lang: str) -> str | None:
    """The label of a coded value (an exit factor, a scope, a skill, a role, a readiness...), or None."""
    if not isinstance(value, str):
        return None
    if column in ("factor", "exit_factor"):
        return factor_label(value, lang) if value in EXIT_FACTORS else _coded("factor_", value, lang)
    if column == "scope":
        return scope_label(value, lang)
    if column == "shift":
        return shift_label(value, lang)
    if column in ("skill", "skill_id", "competency"):
        return skill_label(value, lang) if value else t("t1widgets.no_competency", lang)
    if column in ("role", "reports_to"):
        return role_label(value, lang)
    if column in _CODED:
        return _coded(_CODED[column], value, lang)
    return None


def _coded(prefix: str, value: str, lang: str) -> str:
    key = f"t1widgets.{prefix}{value}"
    return t(key, lang) if _known(key, lang) else value


def option_pairs(column: str, values: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of coded values, for a dropdown."""
    return [(value_label(column, v, lang) or v, v) for v in values]


def group_format(by: str, lang: str) -> Format:
    """How an adverse-impact or rater-bias group of ``by`` is shown."""
    return functools.partial(_group, by=by, lang=lang)


def _group(value: Any, by: str, lang: str) -> str:
    return value_label(by, str(value), lang) or str(value)


def table_html(
    frame: pd.DataFrame,
    lang: str,
    *,
    columns: Sequence[str] | None = None,
    shares: Sequence[str] = (),
    money: Sequence[str] = (),
    counts: Sequence[str] = (),
    numbers: Mapping[str, int] | None = None,
    formats: Mapping[str, Format] | None = None,
    index: bool = False,
) -> str:
    """A DataFrame as an escaped table with T1's headings and labels; ``shares`` in %, ``money`` in NT$,
    ``counts`` whole, ``numbers`` with the digits given, ``formats`` any other way."""
    shown = column_formats(lang, shares, money, counts, numbers) | dict(formats or {})
    return frame_table(
        frame,
        lang,
        columns=columns,
        formats=shown,
        heading=lambda c: column_label(c, lang),
        value=lambda c, v: value_label(c, v, lang),
        index=index,
    )


def field_table(rows: Sequence[tuple[str, str]], lang: str) -> str:
    """(catalog key of the label, value as text) pairs as a two-column table, both escaped."""
    cells = "".join(f"<tr><th>{esc(t(key, lang))}</th><td>{esc(value)}</td></tr>" for key, value in rows)
    return f'<table class="ck-table">{cells}</table>'


def items_html(texts: Iterable[str], empty: str = "", kind: str = "warn") -> str:
    """Texts as an escaped list (``empty``, escaped, when there are none)."""
    colours = {"warn": "#9a6700", "error": "#b42318", "ok": "#1a7f37", "info": "#444"}
    items = "".join(f"<li>{esc(text)}</li>" for text in texts)
    if not items:
        return f'<p class="ck-msg" style="color:{colours["ok"]}">{esc(empty)}</p>' if empty else ""
    return f'<ul class="ck-flags" style="color:{colours.get(kind, colours["info"])}">{items}</ul>'
