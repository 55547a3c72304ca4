"""The scheme builder: a form of the whole scheme and a JSON area; both go through :meth:`T4Case.set_scheme`.

With "live" on (the default) every edit is applied as it is made (a text field on Enter or on leaving it, so
that "2200" is not adopted as 2, 22 and 220 on the way), and the preview follows each valid change; an invalid
form shows every problem and leaves the last valid scheme in force.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.scheme import Scheme
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t4_incentives.component_editor import ComponentEditor
from casekit.widgets.t4_incentives.forms import (
    component_fields,
    number_text,
    scheme_data,
    scheme_from_json,
    scheme_json,
)

__all__ = ["STARTER_COMPONENT", "SchemeBuilder"]

# what a new component starts as: a scorecard with one measure whose target the candidate must set
STARTER_COMPONENT: dict[str, Any] = {
    "type": "scorecard",
    "measures": [{"kpi": "qa", "level": "individual", "weight": 1.0, "target": 0.0}],
}
_WIDE = {"description_width": "initial"}


def _wrap(children: list[Any]) -> Any:
    """A line of fields or buttons that wraps in a narrow column instead of running past its edge."""
    return widgets.HBox(children, layout=widgets.Layout(flex_flow="row wrap", align_items="center"))


class SchemeBuilder(Panel):
    """Edits the case's scheme. ``apply()`` adopts the form, ``apply_json()`` the JSON area; listeners registered
    with :meth:`on_adopt` hear every scheme adopted."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._loading = False
        self._listeners: list[Callable[[Scheme], None]] = []
        self.editors: list[ComponentEditor] = []
        self.name = widgets.Text(
            continuous_update=False,
            description=t("widgets.scheme_name", lang),
            style=_WIDE,
            layout=widgets.Layout(width="420px", max_width="100%"),
        )
        self.budget = widgets.FloatText(
            value=0.0,
            description=t("widgets.budget", lang),
            style=_WIDE,
            layout=widgets.Layout(width="300px", max_width="100%"),
        )
        self.cap_per_person = widgets.Text(
            continuous_update=False,
            description=t("widgets.cap_per_person", lang),
            placeholder=t("widgets.no_cap", lang),
            style=_WIDE,
            layout=widgets.Layout(width="300px", max_width="100%"),
        )
        self.components_box = widgets.VBox()
        self.add_component_button = widgets.Button(
            description=t("widgets.add_component", lang), layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.add_component_button, self.add_component)
        self.live = widgets.Checkbox(
            value=True, description=t("widgets.live", lang), indent=False, layout=widgets.Layout(width="auto")
        )
        self.apply_button = widgets.Button(
            description=t("widgets.apply", lang), button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.apply_button, self.apply)
        self.status = widgets.HTML()
        self.json = widgets.Textarea(
            placeholder=t("widgets.json_placeholder", lang), layout=widgets.Layout(width="98%", height="220px")
        )
        self.json.add_class("ck-scheme-json")
        self.apply_json_button = widgets.Button(
            description=t("widgets.apply_json", lang), button_style="primary", layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.apply_json_button, self.apply_json)
        self.to_json_button = widgets.Button(
            description=t("widgets.to_json", lang), layout=widgets.Layout(width="auto")
        )
        self.when_clicked(self.to_json_button, self.show_json)
        for w in (self.name, self.budget, self.cap_per_person):
            self.when_changed(w, self._changed)

        def heading(key: str) -> Any:
            return widgets.HTML(f"<h3>{esc(t(key, lang))}</h3>")

        self.widget = widgets.VBox(
            [
                heading("widgets.scheme_heading"),
                _wrap([self.name, self.budget, self.cap_per_person]),
                self.components_box,
                self.add_component_button,
                _wrap([self.apply_button, self.live]),
                self.status,
                heading("widgets.json_heading"),
                self.json,
                _wrap([self.apply_json_button, self.to_json_button]),
                self.alert,
            ]
        )
        self.widget.add_class("ck-scheme-form")
        if case.scheme is not None:
            self.load(case.scheme)
            self.status.value = self._adopted_html(case.scheme)
        else:
            self.add_component(STARTER_COMPONENT, notify=False)
            self.status.value = message_html(t("widgets.no_scheme_yet", lang))

    # ------------------------------------------------------------------------------------------------ the form
    def form_data(self) -> dict[str, Any]:
        """The scheme mapping the form holds now (validated only when applied)."""
        return scheme_data(
            name=self.name.value,
            budget_per_period=self.budget.value,
            cap_per_person=self.cap_per_person.value,
            components=[e.value for e in self.editors],
        )

    def load(self, scheme: Scheme) -> None:
        """Show ``scheme`` in the form, without applying it again."""
        self._loading = True
        try:
            self.name.value = scheme.name
            self.budget.value = scheme.budget_per_period
            self.cap_per_person.value = number_text(scheme.cap_per_person)
            for editor in self.editors:
                editor.widget.close()
            self.editors = []
            for c in scheme.components:
                self.add_component(component_fields(c), notify=False)
        finally:
            self._loading = False

    def add_component(self, fields: Mapping[str, Any] | None = None, *, notify: bool = True) -> ComponentEditor:
        given = dict(fields or STARTER_COMPONENT)
        if not given.get("id"):
            taken = {e.id.value for e in self.editors}
            given["id"] = next(f"c{n}" for n in range(1, len(taken) + 2) if f"c{n}" not in taken)
        editor = ComponentEditor(self.lang, given)
        editor.on_change(self._changed)
        self.when_clicked(editor.remove_button, lambda: self.remove_component(editor))
        self.editors.append(editor)
        self.components_box.children = [e.widget for e in self.editors]
        if notify:
            self._changed()
        return editor

    def remove_component(self, editor: ComponentEditor) -> None:
        self.editors.remove(editor)
        editor.widget.close()
        self.components_box.children = [e.widget for e in self.editors]
        self._changed()

    # ------------------------------------------------------------------------------------------ adopting it
    def on_adopt(self, callback: Callable[[Scheme], None]) -> None:
        """Call ``callback(scheme)`` after each scheme the case adopts (the preview re-renders)."""
        self._listeners.append(callback)

    def apply(self) -> Scheme | None:
        """Adopt the form's scheme; on problems show them all and return None (the case keeps its scheme)."""
        return self._adopt(self.form_data(), reload=False)

    def apply_json(self) -> Scheme | None:
        """Adopt the scheme pasted in the JSON area, then show it in the form."""
        try:
            data = scheme_from_json(self.json.value, t("widgets.json_source", self.lang))
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        return self._adopt(data, reload=True)

    def show_json(self) -> None:
        """Put the adopted scheme in the JSON area (to copy, keep or edit)."""
        if self.case.scheme is None:
            self.status.value = message_html(t("widgets.no_scheme_yet", self.lang), "warn")
        else:
            self.json.value = scheme_json(self.case.scheme)

    def _adopt(self, data: Any, *, reload: bool) -> Scheme | None:
        try:
            scheme = self.case.set_scheme(data)
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        if reload:
            self.load(scheme)
        self.status.value = self._adopted_html(scheme)
        for callback in self._listeners:
            callback(scheme)
        return scheme

    def _adopted_html(self, scheme: Scheme) -> str:
        text = t(
            "widgets.scheme_adopted",
            self.lang,
            components=len(scheme.components),
            budget=f"{scheme.budget_per_period:,.0f}",
        )
        return message_html(text, "ok")

    def _changed(self) -> None:
        if not self._loading and self.live.value:
            self.apply()
