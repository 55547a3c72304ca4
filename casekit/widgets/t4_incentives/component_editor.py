"""The form of one scheme component: type, pay by role, measures, gates, bands, caps and the non-cash fields."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets

from casekit.cases.t4_incentives.scheme import COMPONENT_TYPES, KPI_DIRECTIONS, SCHEME_ROLES
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.row_list import Field, RowList
from casekit.widgets.t4_incentives.forms import component_data

__all__ = ["NON_CASH_KINDS", "ComponentEditor", "FormRows"]

NON_CASH_KINDS = ("time_off", "recognition", "competition")
_WIDE = {"description_width": "initial"}
# a line of fields that wraps onto the next line in a narrow column instead of running past its edge
_WRAP = {"flex_flow": "row wrap", "align_items": "center"}


def _wrap(children: list[Any]) -> Any:
    return widgets.HBox(children, layout=widgets.Layout(**_WRAP))


class FormRows(RowList):
    """A :class:`~casekit.widgets.row_list.RowList` whose rows wrap in a narrow column (the design tab beside its
    preview): no field runs past the form's edge, and a line under each row keeps a wrapped row one row."""

    def _render(self) -> None:
        super()._render()
        for box in self.rows_box.children:
            layout = box.layout
            layout.flex_flow, layout.align_items = _WRAP["flex_flow"], _WRAP["align_items"]
            layout.border_bottom, layout.padding = "1px dotted #ccc", "0 0 2px 0"
        for row in self.rows:
            for w in row.values():
                w.layout.max_width = "100%"


def _kpi_options(lang: str) -> tuple[tuple[str, Any], ...]:
    return tuple((t(f"kpi.{k}", lang), k) for k in KPI_DIRECTIONS)


class ComponentEditor(Panel):
    """Edits one component; ``value`` is its mapping for :meth:`T4Case.set_scheme` (not validated here)."""

    def __init__(self, lang: str, fields: Mapping[str, Any] | None = None) -> None:
        self.lang = lang
        self._loading = False
        self._listeners: list[Callable[[], None]] = []
        kpis = _kpi_options(lang)
        levels = tuple((t(f"widgets.level_{k}", lang), k) for k in ("individual", "team"))
        self.id = widgets.Text(
            continuous_update=False,
            description=t("widgets.component_id", lang),
            style=_WIDE,
            layout=widgets.Layout(max_width="100%"),
        )
        self.type = widgets.Dropdown(
            options=[(t(f"t4.type_{k}", lang), k) for k in COMPONENT_TYPES],
            value="scorecard",
            description=t("widgets.component_type", lang),
            style=_WIDE,
            layout=widgets.Layout(max_width="100%"),
        )
        self.remove_button = widgets.Button(
            description=t("widgets.remove_component", lang), button_style="warning", layout=widgets.Layout(width="auto")
        )
        self.help = widgets.HTML()
        self.pay = {
            role: widgets.Text(
                continuous_update=False,
                description=t(f"evidence.role_{role}", lang),
                placeholder=t("widgets.not_paid", lang),
                style=_WIDE,
                layout=widgets.Layout(width="230px", max_width="100%"),
            )
            for role in SCHEME_ROLES
        }
        self.measures = FormRows(
            [
                Field("kpi", t("widgets.field_kpi", lang), "qa", kpis, "300px"),
                Field("level", t("widgets.field_level", lang), "individual", levels, "170px"),
                Field("weight", t("widgets.field_weight", lang), 1.0, width="140px"),
                Field("target", t("widgets.field_target", lang), 0.0, width="230px"),
            ],
            lang,
            t("widgets.add_measure", lang),
        )
        self.gates = FormRows(
            [
                Field("kpi", t("widgets.field_kpi", lang), "qa", kpis, "300px"),
                Field("threshold", t("widgets.field_threshold", lang), 0.0, width="250px"),
            ],
            lang,
            t("widgets.add_gate", lang),
        )
        self.bands = FormRows(
            [
                Field("threshold", t("widgets.field_threshold", lang), 0.0, width="250px"),
                Field("fraction", t("widgets.field_fraction", lang), 1.0, width="160px"),
            ],
            lang,
            t("widgets.add_band", lang),
        )
        self.achievement_cap = widgets.FloatText(
            value=1.2,
            description=t("widgets.achievement_cap", lang),
            style=_WIDE,
            layout=widgets.Layout(width="230px", max_width="100%"),
        )
        self.cap = widgets.Text(
            continuous_update=False,
            description=t("widgets.component_cap", lang),
            placeholder=t("widgets.no_cap", lang),
            style=_WIDE,
            layout=widgets.Layout(width="300px", max_width="100%"),
        )
        self.non_cash_kind = widgets.Dropdown(
            options=[("-", None), *((t(f"widgets.non_cash_{k}", lang), k) for k in NON_CASH_KINDS)],
            value=None,
            description=t("widgets.non_cash_kind", lang),
            style=_WIDE,
            layout=widgets.Layout(max_width="100%"),
        )
        self.top_n = widgets.Text(
            continuous_update=False,
            description=t("widgets.top_n", lang),
            style=_WIDE,
            layout=widgets.Layout(width="200px", max_width="100%"),
        )

        def section(key: str, rows: RowList) -> Any:
            return widgets.VBox([widgets.HTML(f"<b>{esc(t(key, lang))}</b>"), rows.widget])

        self._measures_box = section("widgets.measures", self.measures)
        self._gates_box = section("widgets.gates", self.gates)
        self._bands_box = section("widgets.bands", self.bands)
        self._non_cash_box = _wrap([self.non_cash_kind, self.top_n])
        self.widget = widgets.VBox(
            [
                _wrap([self.id, self.type, self.remove_button]),
                self.help,
                _wrap(list(self.pay.values())),
                self._measures_box,
                self._gates_box,
                self._bands_box,
                _wrap([self.achievement_cap, self.cap]),
                self._non_cash_box,
                self.alert,
            ],
            layout=widgets.Layout(border="1px solid #ccc", padding="6px", margin="4px 0", min_width="0"),
        )
        for w in (
            self.id,
            self.type,
            *self.pay.values(),
            self.achievement_cap,
            self.cap,
            self.non_cash_kind,
            self.top_n,
        ):
            self.when_changed(w, self._changed)
        for rows in (self.measures, self.gates, self.bands):
            rows.on_change(self._changed)
        if fields is not None:
            self.load(fields)
        self._sync()

    @property
    def value(self) -> dict[str, Any]:
        return component_data(
            id=self.id.value,
            type=self.type.value,
            pay={role: w.value for role, w in self.pay.items()},
            measures=self.measures.value,
            gates=self.gates.value,
            bands=self.bands.value,
            achievement_cap=self.achievement_cap.value,
            cap=self.cap.value,
            non_cash_kind=self.non_cash_kind.value,
            top_n=self.top_n.value,
        )

    def on_change(self, callback: Callable[[], None]) -> None:
        self._listeners.append(callback)

    def load(self, fields: Mapping[str, Any]) -> None:
        """Show ``fields`` (see :func:`~.forms.component_fields`) without signalling edits."""
        self._loading = True
        try:
            self.id.value = str(fields.get("id", ""))
            self.type.value = fields.get("type", "scorecard")
            for role, w in self.pay.items():
                w.value = str(fields.get("pay", {}).get(role, ""))
            self.measures.load(fields.get("measures", []))
            self.gates.load(fields.get("gates", []))
            self.bands.load(fields.get("bands", []))
            self.achievement_cap.value = float(fields.get("achievement_cap", 1.2))
            self.cap.value = str(fields.get("cap", ""))
            self.non_cash_kind.value = fields.get("non_cash_kind")
            self.top_n.value = str(fields.get("top_n", ""))
        finally:
            self._loading = False
        self._sync()

    def _sync(self) -> None:
        """Show the help for the type, and only the sections the type uses (or that hold something)."""
        kind = self.type.value
        self.help.value = f'<i style="color:#555">{esc(t(f"widgets.type_help_{kind}", self.lang))}</i>'
        shown = (
            (self._measures_box, kind != "commission" or bool(self.measures.rows)),
            (self._bands_box, kind == "tiered" or bool(self.bands.rows)),
            (self._non_cash_box, kind == "non_cash" or bool(self.non_cash_kind.value or self.top_n.value.strip())),
        )
        for box, visible in shown:
            box.layout.display = None if visible else "none"

    def _changed(self) -> None:
        self._sync()
        if self._loading:
            return
        for callback in self._listeners:
            callback()
