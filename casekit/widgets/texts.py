"""The written parts of a case (M2): one text area per free-text field of the case, bound to the case object."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from casekit.cases.base import Case
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html

__all__ = ["TextField", "TextsPanel"]


@dataclass(frozen=True)
class TextField:
    """A free-text attribute of the case, with the catalog keys of its heading and hint, and its length limit."""

    attr: str
    heading_key: str
    hint_key: str
    limit: int


class TextsPanel(Panel):
    """One text area per field; every edit is written to the case attribute as it is typed, with a count of
    characters against the limit (going over is a problem the answer document names when saved)."""

    def __init__(self, case: Case[Any], lang: str, fields: Sequence[TextField]) -> None:
        self.case = case
        self.lang = lang
        self.fields = tuple(fields)
        area = widgets.Layout(width="98%", height="220px")
        self.areas: dict[str, Any] = {}
        self.counts: dict[str, Any] = {}
        children: list[Any] = []
        for f in self.fields:
            self.areas[f.attr] = widgets.Textarea(
                value=str(getattr(case, f.attr) or ""), placeholder=t(f.hint_key, lang), layout=area
            )
            self.counts[f.attr] = widgets.HTML()
            self.when_changed(self.areas[f.attr], self._sync)
            children += [
                widgets.HTML(f"<h3>{esc(t(f.heading_key, lang))}</h3>"),
                self.areas[f.attr],
                self.counts[f.attr],
            ]
        self.widget = widgets.VBox([*children, self.alert])
        self._sync()

    def _sync(self) -> None:
        for f in self.fields:
            value = self.areas[f.attr].value
            setattr(self.case, f.attr, value)
            n = len(value)
            text = t("widgets.chars", self.lang, n=f"{n:,}", limit=f"{f.limit:,}")
            self.counts[f.attr].value = message_html(text, "warn" if n > f.limit else "info")
