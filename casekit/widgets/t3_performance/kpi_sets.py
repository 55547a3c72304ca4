"""Tab 2, the KPI set of every role (P3.1): the catalog (n5 category, dimension, direction, level, source), then a
choice of the role's KPIs per role of the section with a note, adopted as they change
(:meth:`T3Case.set_kpi_sets`), and under each a live balance note: whether the set has an efficiency measure, a
quality measure and a measure of the role's own work."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t3_performance.case import T3Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.scenario.catalogs import load_roles
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t3_performance.render import boxed, kpi_defs, kpi_label, role_label, table_html, title, value_label

__all__ = ["BALANCE", "KpiSetsPanel", "balance_html", "catalog_frame", "kpi_option"]

#: the dimensions a balanced set measures (development is welcome, not required)
BALANCE = ("efficiency", "quality", "role")
_CATALOG_COLUMNS = ("id", "name", "n5", "dimension", "direction", "level", "roles", "source", "frequency")


def catalog_frame(lang: str) -> pd.DataFrame:
    """The KPI catalog as a table: id, name in ``lang``, n5 category, dimension, direction, level, roles, source."""
    rows = [
        {
            "id": k.id,
            "name": kpi_label(k.id, lang),
            "n5": k.n5,
            "dimension": k.dimension,
            "direction": t("t3widgets.higher_better" if k.direction > 0 else "t3widgets.lower_better", lang),
            "level": k.level,
            "roles": ";".join(k.roles),
            "source": k.source,
            "frequency": k.frequency,
        }
        for k in kpi_defs().values()
    ]
    return pd.DataFrame(rows, columns=list(_CATALOG_COLUMNS))


def balance_html(kpis: Sequence[str], lang: str) -> str:
    """Which of efficiency, quality and the role's own work the set measures, and with what (a missing one warned)."""
    defs = kpi_defs()
    parts = []
    for dim in BALANCE:
        found = [kpi_label(k, lang) for k in kpis if k in defs and defs[k].dimension == dim]
        label = value_label("dimension", dim, lang) or dim
        if found:
            parts.append(f'<span style="color:#1a7f37">✓ {esc(label)}: {esc(", ".join(found))}</span>')
        else:
            parts.append(f'<span style="color:#9a6700">☐ {esc(label)}: {esc(t("t3widgets.none_yet", lang))}</span>')
    n = len(kpis)
    count = t("t3widgets.set_count", lang, n=n)
    style = "color:#b42318" if n > 8 else ""
    parts.append(f'<span style="{style}">{esc(count)}</span>')
    return f'<p class="ck-balance" style="font-size:12px">{" · ".join(parts)}</p>'


def kpi_option(kpi: str, lang: str) -> tuple[str, str]:
    """A KPI as a set offers it: its name, n5 category and dimension."""
    d = kpi_defs()[kpi]
    n5 = value_label("n5", d.n5, lang) or d.n5
    dim = value_label("dimension", d.dimension, lang) or d.dimension
    return f"{kpi_label(kpi, lang)} · {n5} · {dim}", kpi


class KpiSetsPanel(Panel):
    """Tab 2: the catalog, then a set per role of the section."""

    def __init__(self, case: T3Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._changed: list[Callable[[], None]] = []
        present = set(case.members()["role"])
        self.roles = [r.id for r in load_roles() if r.id in present]
        self.choices: dict[str, widgets.SelectMultiple] = {}
        self.notes: dict[str, widgets.Text] = {}
        self.balance: dict[str, widgets.HTML] = {}
        boxes = []
        for role in self.roles:
            chosen = case.kpi_sets.get(role)
            options = [kpi_option(k, lang) for k in case.kpis_for(role)]
            known = {v for _, v in options}
            kept = [k for k in (chosen.kpis if chosen else []) if k in known]
            self.choices[role] = widgets.SelectMultiple(
                options=options, value=tuple(kept), rows=min(len(options), 10), layout=widgets.Layout(width="520px")
            )
            self.choices[role].add_class(f"ck-t3-set-{role}")
            self.notes[role] = widgets.Text(
                value=chosen.note if chosen else "",
                placeholder=t("t3widgets.set_note_hint", lang),
                layout=widgets.Layout(width="520px"),
            )
            self.balance[role] = widgets.HTML()
            for w in (self.choices[role], self.notes[role]):
                self.when_changed(w, self.adopt)
            boxes.append(
                widgets.VBox(
                    [
                        title("t3widgets.set_role", lang, 4, role=role_label(role, lang)),
                        self.choices[role],
                        self.notes[role],
                        self.balance[role],
                    ]
                )
            )
        self.status = widgets.HTML(message_html(t("t3widgets.sets_hint", lang)))
        self.status.add_class("ck-t3-sets-status")
        self.widget = widgets.VBox(
            [
                title("t3widgets.catalog_heading", lang),
                boxed(widgets.HTML(table_html(catalog_frame(lang), lang)), "340px"),
                title("t3widgets.sets_heading", lang),
                widgets.HTML(message_html(t("t3widgets.sets_intro", lang))),
                widgets.HBox(boxes, layout=widgets.Layout(flex_flow="row wrap")),
                self.status,
                self.alert,
            ]
        )
        self.show_balance()
        if case.kpi_sets:
            self.status.value = message_html(self._adopted_text(), "ok")

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after the sets adopted change."""
        self._changed.append(callback)

    def form_data(self) -> list[dict[str, object]]:
        """The sets on the form: every role with at least one KPI chosen."""
        return [
            {"role": role, "kpis": list(self.choices[role].value), "note": self.notes[role].value.strip()}
            for role in self.roles
            if self.choices[role].value
        ]

    def show_balance(self) -> None:
        for role in self.roles:
            self.balance[role].value = balance_html(list(self.choices[role].value), self.lang)

    def _adopted_text(self) -> str:
        sets = self.case.kpi_sets
        missing = [role_label(r, self.lang) for r in self.roles if r not in sets]
        text = t("t3widgets.sets_adopted", self.lang, n=len(sets), pairs=len(self.case.wanted()))
        return text + (" " + t("t3widgets.sets_missing", self.lang, roles=", ".join(missing)) if missing else "")

    def adopt(self) -> None:
        """Adopt the sets on the form (or show every problem: the last sets adopted stay)."""
        self.show_balance()
        try:
            self.case.set_kpi_sets(self.form_data())
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return
        complete = all(r in self.case.kpi_sets for r in self.roles)
        self.status.value = message_html(self._adopted_text(), "ok" if complete else "warn")
        for callback in self._changed:
            callback()
