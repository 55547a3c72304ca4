"""T2's tables and labels: columns and coded values named from the catalogs (skills, roles, induction topics and
``t2widgets``), figures formatted as people read them.

Every value shown goes through :func:`casekit.html.esc` (in :func:`casekit.html.frame_table`, or here): the tables
carry staff names and the candidate's own text, and none of it may become markup.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from casekit.html import frame_table
from casekit.i18n import catalog, t
from casekit.scenario import World
from casekit.scenario.catalogs import load_induction_topics, load_skills
from casekit.widgets.render import (
    Format,
    boxed,
    column_formats,
    field_table,
    heading,
    left,
    offer_title,
    role_label,
    title,
)

__all__ = [
    "ALL",
    "boxed",
    "column_label",
    "field_table",
    "heading",
    "left",
    "offer_title",
    "option_pairs",
    "role_label",
    "skill_label",
    "staff_options",
    "table_html",
    "title",
    "topic_label",
    "value_label",
]

#: the value of a filter's "every one" choice
ALL = "*"
# columns whose coded values have a message of their own in t2widgets: column -> key prefix
_CODED = {
    "category": "category_",
    "kind": "category_",
    "status": "status_",
    "problem": "problem_",
    "action": "action_",
    "owner": "owner_",
    "offer_type": "offer_type_",
    "shift": "shift_",
    "gender": "gender_",
    "measure": "measure_",
    "provider": "provider_",
    "group": "group_",
    "pay_basis": "pay_basis_",
}
_SEPARATOR = {"zh-TW": "、"}


def _known(key: str, lang: str) -> bool:
    return key in catalog(lang)


def column_label(column: str, lang: str) -> str:
    """A column's heading: ``t2widgets.col_<column>``, or the column itself."""
    key = f"t2widgets.col_{column}"
    return t(key, lang) if _known(key, lang) else column


@functools.cache
def _skills() -> dict[str, Any]:
    return {s.id: s for s in load_skills()}


@functools.cache
def _topics() -> dict[str, Any]:
    return {tp.id: tp for tp in load_induction_topics()}


def skill_label(skill: str, lang: str) -> str:
    found = _skills().get(skill)
    return found.label(lang) if found is not None else skill


def topic_label(topic: str, lang: str) -> str:
    found = _topics().get(topic)
    return found.label(lang) if found is not None else topic


def _coded(prefix: str, value: str, lang: str) -> str:
    key = f"t2widgets.{prefix}{value}"
    return t(key, lang) if _known(key, lang) else value


def value_label(column: str, value: Any, lang: str) -> str | None:
    """The label of a coded value (a skill, a role, a topic, a status, a category...), or None."""
    if not isinstance(value, str):
        return None
    if column in ("skill_id", "skill"):
        return skill_label(value, lang)
    if column == "role":
        return role_label(value, lang)
    if column == "topic":
        return topic_label(value, lang)
    if column == "skills":
        return _SEPARATOR.get(lang, ", ").join(skill_label(s, lang) for s in value.split(";"))
    if column in _CODED:
        return _coded(_CODED[column], value, lang)
    return None


def option_pairs(column: str, values: Iterable[str], lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs of coded values, for a dropdown."""
    return [(value_label(column, v, lang) or v, v) for v in values]


def staff_options(world: World, lang: str) -> list[tuple[str, str]]:
    """(label, staff id) of every member of staff, in the staff table's order: id, name, role and team."""
    staff = world.staff
    return [
        (f"{s} {name} · {role_label(str(role), lang)} · {team}", str(s))
        for s, name, role, team in zip(staff["staff_id"], staff["name"], staff["role"], staff["team"], strict=True)
    ]


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
) -> str:
    """A DataFrame as an escaped table with T2's headings and labels; ``shares`` in %, ``money`` in NT$,
    ``counts`` whole, ``numbers`` with the digits given, ``formats`` any other way."""
    shown = column_formats(lang, shares, money, counts, numbers) | dict(formats or {})
    return frame_table(
        frame,
        lang,
        columns=[c for c in columns if c in frame.columns] if columns is not None else None,
        formats=shown,
        heading=lambda c: column_label(c, lang),
        value=lambda c, v: value_label(c, v, lang),
    )
