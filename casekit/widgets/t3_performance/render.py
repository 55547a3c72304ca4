"""T3's tables and labels: columns and coded values named from the catalogs (the KPI catalog, roles and
``t3widgets``), KPI values formatted by :func:`casekit.kpi.format_kpi` row by row (a table of many KPIs formats each
value by its own KPI).

Every value shown goes through :func:`casekit.html.esc` (in :func:`casekit.html.frame_table`, or here): the tables
carry staff names, PIP notes and the candidate's own text, and none of it may become markup. The layout helpers
(headings, boxes, rows of buttons) and the role and offer labels are T2's, shared.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.html import frame_table
from casekit.i18n import catalog, t
from casekit.kpi import format_kpi
from casekit.scenario.catalogs import KpiDef, load_kpi_catalog
from casekit.widgets.render import Format, boxed, field_table, heading, left, offer_title, role_label, title

__all__ = [
    "ALL",
    "boxed",
    "column_label",
    "field_table",
    "heading",
    "kpi_defs",
    "kpi_label",
    "kpi_texts",
    "left",
    "member_choice",
    "member_options",
    "offer_title",
    "option_pairs",
    "records",
    "role_label",
    "table_html",
    "title",
    "value_label",
    "with_names",
]

#: the value of a choice that means "every one" (every member, every role)
ALL = "*"
# columns whose coded values have a message of their own in t3widgets: column -> key prefix
_CODED = {
    "n5": "n5_",
    "dimension": "dim_",
    "verdict": "verdict_",
    "member_verdict": "verdict_",
    "agreed_verdict": "verdict_",
    "reason": "reason_",
    "member_reason": "reason_",
    "kind": "kind_",
    "source": "source_",
    "frequency": "freq_",
    "action": "action_",
    "problem": "problem_",
    "queue": "queue_",
    "change": "change_",
    "level": "level_",
}
_KPI_COLUMNS = frozenset({"kpi", "pip_kpi", "measure"})


@functools.cache
def kpi_defs() -> dict[str, KpiDef]:
    """The KPI catalog by id."""
    return {k.id: k for k in load_kpi_catalog()}


def kpi_label(kpi: str, lang: str) -> str:
    """A KPI's name in ``lang`` (its id when the catalog has no such KPI)."""
    found = kpi_defs().get(kpi)
    if found is None:
        return kpi
    return str(found.zh_tw if lang == "zh-TW" else found.en)


def _coded(prefix: str, value: str, lang: str) -> str:
    key = f"t3widgets.{prefix}{value}"
    return t(key, lang) if key in catalog(lang) else value


def column_label(column: str, lang: str) -> str:
    """A column's heading: ``t3widgets.col_<column>``, or the column itself."""
    key = f"t3widgets.col_{column}"
    return t(key, lang) if key in catalog(lang) else column


def value_label(column: str, value: Any, lang: str) -> str | None:
    """The label of a coded value (a KPI, a role, a dimension, a verdict, a reason, a review kind...), or None."""
    if isinstance(value, bool):
        return t("t3widgets.yes", lang) if value else ""
    if not isinstance(value, str):
        return None
    if column in _KPI_COLUMNS:
        return kpi_label(value, lang)
    if column in ("role", "owner_role"):
        return role_label(value, lang)
    if column == "roles":
        return ", ".join(role_label(r, lang) for r in value.split(";"))
    if column in _CODED:
        return _coded(_CODED[column], value, lang) if value else ""
    return None


def option_pairs(column: str, values: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of coded values, for a dropdown."""
    return [(value_label(column, v, lang) or v, v) for v in values]


def member_options(members: pd.DataFrame, lang: str) -> list[tuple[str, str]]:
    """(label, staff id) of every member, in the members table's order: id, name, role and team."""
    return [
        (f"{s} {name} · {role_label(str(role), lang)} · {team}", str(s))
        for s, name, role, team in zip(
            members["staff_id"], members["name"], members["role"], members["team"], strict=True
        )
    ]


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as mappings from column name to value."""
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


def member_choice(members: pd.DataFrame, lang: str, css: str, *, every: bool = False) -> widgets.Dropdown:
    """A dropdown of the section's members (first "every member" when ``every``), with the class ``css``."""
    options = member_options(members, lang)
    if every:
        options = [(t("t3widgets.every_member", lang), ALL), *options]
    choice = widgets.Dropdown(
        options=options,
        description=t("t3widgets.col_member", lang),
        style={"description_width": "initial"},
        layout=widgets.Layout(width="520px"),
    )
    choice.add_class(css)
    return choice


def with_names(frame: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` (with a ``staff_id`` column) with each member's name after the first column."""
    names = dict(zip(members["staff_id"].astype(str), members["name"].astype(str), strict=True))
    out = frame.copy()
    out.insert(1, "name", [names.get(str(s), "") for s in frame["staff_id"]])
    return out


def kpi_texts(frame: pd.DataFrame, columns: Sequence[str], kpi_column: str = "kpi") -> pd.DataFrame:
    """A copy of ``frame`` whose ``columns`` hold each row's value as text, formatted by the row's KPI."""
    out = frame.copy()
    kpis = [str(k) for k in frame[kpi_column]]
    for c in columns:
        if c in out.columns:
            out[c] = [format_kpi(k, v) for k, v in zip(kpis, frame[c], strict=True)]
    return out


def table_html(
    frame: pd.DataFrame,
    lang: str,
    columns: Sequence[str] | None = None,
    formats: Mapping[str, Format] | None = None,
) -> str:
    """A DataFrame as an escaped table with T3's headings and labels (``formats`` by column, e.g. from
    :func:`casekit.widgets.render.column_formats`)."""
    return frame_table(
        frame,
        lang,
        columns=[c for c in columns if c in frame.columns] if columns is not None else None,
        formats=dict(formats or {}),
        heading=lambda c: column_label(c, lang),
        value=lambda c, v: value_label(c, v, lang),
    )
