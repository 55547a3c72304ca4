"""Static HTML that every panel uses: the app's style, one line of status, and a list of problems.

Pure functions of data, so tests call them; every text goes through :func:`casekit.html.esc`.
"""

from __future__ import annotations

from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t

__all__ = ["STYLE", "message_html", "problems_html"]

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
