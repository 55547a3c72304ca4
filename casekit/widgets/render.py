"""Static HTML that every panel uses: the app's style, one line of status, and a list of problems.

Pure functions of data, so tests call them; every text goes through :func:`casekit.html.esc`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets

from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_count, format_money, format_number, format_share
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles

Format = Callable[[Any], str]
"""How one column's values are shown."""

__all__ = [
    "STYLE",
    "Format",
    "boxed",
    "column_formats",
    "field_table",
    "heading",
    "left",
    "message_html",
    "number_text",
    "offer_title",
    "optional",
    "problems_html",
    "role_label",
    "title",
]

# the tables' look, once per app (an HTML widget's <style> applies to the page; scoped to the app's class)
STYLE = (
    "<style>"
    ".ck-app .ck-table{border-collapse:collapse;font-size:12px;margin:4px 0 10px}"
    ".ck-app .ck-table th,.ck-app .ck-table td{border:1px solid #d0d7de;padding:2px 6px;text-align:left}"
    ".ck-app .ck-table th{background:#f3f5f7;position:sticky;top:0}"
    ".ck-app .ck-table tbody tr:nth-child(even){background:#fafbfc}"
    "</style>"
)
_COLOURS = {"ok": "#1a7f37", "warn": "#9a6700", "error": "#b42318", "info": "#444"}


def message_html(text: str, kind: str = "info") -> str:
    """One escaped line of status: ``info``, ``ok``, ``warn`` or ``error``."""
    colour = _COLOURS.get(kind, _COLOURS["info"])
    return f'<p class="ck-msg ck-{esc(kind)}" style="color:{colour}">{esc(text)}</p>'


def problems_html(exc: CasekitError, lang: str) -> str:
    """Every problem of an error, one escaped line each, under a heading saying how many."""
    lines = [line for line in exc.render(lang).splitlines() if line.strip()] or [str(exc)]
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    head = esc(t("widgets.problems", lang, n=len(lines)))
    style = f"color:{_COLOURS['error']}"
    return f'<div class="ck-problems" style="{style}"><p><strong>{head}</strong></p><ul>{items}</ul></div>'


def column_formats(
    lang: str,
    shares: Sequence[str] = (),
    money: Sequence[str] = (),
    counts: Sequence[str] = (),
    numbers: Mapping[str, int] | None = None,
) -> dict[str, Format]:
    """How a table's columns are shown: ``shares`` in %, ``money`` in NT$, ``counts`` whole, ``numbers`` with the
    digits given."""
    out: dict[str, Format] = {c: format_share for c in shares}
    out |= {c: functools.partial(format_money, lang=lang) for c in money}
    out |= {c: format_count for c in counts}
    out |= {c: functools.partial(format_number, digits=d) for c, d in (numbers or {}).items()}
    return out


def optional(text: str) -> str | None:
    """A text field's value: None when blank, else the stripped text (the model reads a number from it)."""
    stripped = text.strip()
    return stripped or None


def number_text(value: float | int | None) -> str:
    """A number as a text field shows it: whole numbers without '.0'; blank for None."""
    if value is None:
        return ""
    v = float(value)
    return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(round(v, 10))


def heading(key: str, lang: str, level: int = 3, **params: Any) -> str:
    """A heading from the catalog, escaped."""
    return f"<h{level}>{esc(t(key, lang, **params))}</h{level}>"


def title(key: str, lang: str, level: int = 3, **params: Any) -> Any:
    """A heading widget."""
    return widgets.HTML(heading(key, lang, level, **params))


def left(*items: Any) -> Any:
    """Buttons (and other inputs) in a row at the left, buttons at their own width."""
    for b in items:
        if isinstance(b, widgets.Button):
            b.layout.width = "auto"
    return widgets.HBox(list(items), layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


def boxed(html: Any, height: str = "360px") -> Any:
    """An HTML widget in a box that scrolls when the table is taller than ``height``."""
    html.layout = widgets.Layout(max_height=height, overflow="auto")
    return html


@functools.cache
def _roles() -> dict[str, Any]:
    return {r.id: r for r in load_roles()}


def role_label(role: str, lang: str) -> str:
    """A role's title in ``lang`` (its id when the catalog has no such role)."""
    found = _roles().get(role)
    return found.label(lang) if found is not None else role


def offer_title(world: World, offer_id: str, lang: str) -> str:
    """An offer's title in ``lang`` (its id when the world has no such offer)."""
    column = "title_zh_tw" if lang == "zh-TW" else "title_en"
    titles = dict(zip(world.training["offer_id"], world.training[column], strict=True))
    return str(titles.get(offer_id, offer_id))


def field_table(rows: Sequence[tuple[str, str]], lang: str) -> str:
    """(catalog key of the label, value as text) pairs as a two-column table, both escaped."""
    cells = "".join(f"<tr><th>{esc(t(key, lang))}</th><td>{esc(value)}</td></tr>" for key, value in rows)
    return f'<table class="ck-table">{cells}</table>'
