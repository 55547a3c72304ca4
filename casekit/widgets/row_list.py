"""A list of rows of the same fields (a component's measures, gates or bands), with add and remove buttons."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from casekit.i18n import t
from casekit.widgets.panel import Panel

__all__ = ["Field", "RowList"]


@dataclass(frozen=True)
class Field:
    """One column of a row: a dropdown when ``options`` (label, value) are given, else a number."""

    name: str
    label: str
    default: Any
    options: tuple[tuple[str, Any], ...] = ()
    width: str = "150px"


class RowList(Panel):
    """Rows of ``fields``; ``value`` is a list of mappings, one per row, in order."""

    def __init__(self, fields: Sequence[Field], lang: str, add_label: str) -> None:
        self.fields = tuple(fields)
        self.lang = lang
        self.rows: list[dict[str, Any]] = []
        self.remove_buttons: list[Any] = []
        self._listeners: list[Callable[[], None]] = []
        self.rows_box = widgets.VBox()
        self.add_button = widgets.Button(description=add_label, layout=widgets.Layout(width="auto"))
        self.when_clicked(self.add_button, self.add_row)
        self.widget = widgets.VBox([self.rows_box, self.add_button, self.alert])

    @property
    def value(self) -> list[dict[str, Any]]:
        return [{name: w.value for name, w in row.items()} for row in self.rows]

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after any row is added, removed or edited."""
        self._listeners.append(callback)

    def add_row(self, values: Mapping[str, Any] | None = None, *, notify: bool = True) -> None:
        values = values or {}
        row: dict[str, Any] = {}
        for f in self.fields:
            value = values.get(f.name, f.default)
            common = {"description": f.label, "style": {"description_width": "initial"}}
            layout = widgets.Layout(width=f.width)
            if f.options:
                options = list(f.options)
                if value not in [v for _, v in options]:
                    options.append((str(value), value))  # keep what came (a form shows, the case validates)
                w = widgets.Dropdown(options=options, value=value, layout=layout, **common)
            else:
                w = widgets.FloatText(value=float(value), layout=layout, **common)
            self.when_changed(w, self._changed)
            row[f.name] = w
        remove = widgets.Button(
            description="✕", tooltip=t("widgets.remove_row", self.lang), layout=widgets.Layout(width="36px")
        )
        self.when_clicked(remove, lambda: self._remove_clicked(remove))
        self.rows.append(row)
        self.remove_buttons.append(remove)
        self._render()
        if notify:
            self._changed()

    def remove_row(self, index: int) -> None:
        _close(self.rows[index], self.remove_buttons[index])
        del self.rows[index]
        del self.remove_buttons[index]
        self._render()
        self._changed()

    def load(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Replace every row (no change is signalled: the caller is loading a scheme, not editing one)."""
        for row, remove in zip(self.rows, self.remove_buttons, strict=True):
            _close(row, remove)
        self.rows, self.remove_buttons = [], []
        for values in rows:
            self.add_row(values, notify=False)
        self._render()

    def _remove_clicked(self, button: Any) -> None:
        self.remove_row(next(i for i, b in enumerate(self.remove_buttons) if b is button))

    def _render(self) -> None:
        self.rows_box.children = [
            widgets.HBox([*row.values(), remove]) for row, remove in zip(self.rows, self.remove_buttons, strict=True)
        ]

    def _changed(self) -> None:
        for callback in self._listeners:
            callback()


def _close(row: Mapping[str, Any], remove: Any) -> None:
    """Close a dropped row's widgets, so that the front end forgets them too."""
    for w in row.values():
        w.close()
    remove.close()
