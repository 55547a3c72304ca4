"""Tab 1, the brief and the records: the organisation, the three months of records and the case's today, then one
record table at a time (attendance, leave, overtime consent, payslips, job ads, personal-data events, regulatory
training, the staff), filtered by person, month and date range (:meth:`T5Case.filter`), its first rows shown and
the rows counted. A filter the table has no column for is switched off for it."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t5_compliance.case import RECORDS, T5Case
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html
from casekit.widgets.t5_compliance.render import (
    ALL,
    boxed,
    field_table,
    first_rows,
    left,
    staff_options,
    table_html,
    title,
)

__all__ = ["ROWS_SHOWN", "RecordsPanel", "brief_html"]

#: the rows of a record table shown (the rest counted)
ROWS_SHOWN = 60
_WIDE = {"description_width": "initial"}


def brief_html(case: T5Case, lang: str) -> str:
    """Who the organisation is, the three months of records and the case's today."""
    spec = case.world.spec
    months = case.window()
    rows = [
        ("t5widgets.organisation", spec.title.get(lang) or case.org),
        ("t5widgets.staff_count", f"{len(case.world.staff):,}"),
        ("t5widgets.window", f"{months[0]} – {months[-1]}"),
        ("t5widgets.today", case.today().isoformat()),
    ]
    return field_table(rows, lang) + message_html(t("t5widgets.brief_hint", lang))


class RecordsPanel(Panel):
    """Tab 1: the brief, then a record table filtered."""

    def __init__(self, case: T5Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.table = widgets.Dropdown(
            options=[(t(f"t5widgets.table_{name}", lang), name) for name in RECORDS],
            value="attendance",
            description=t("t5widgets.table", lang),
            style=_WIDE,
        )
        self.table.add_class("ck-t5-table")
        self.person = widgets.Dropdown(
            options=[(t("t5widgets.every_person", lang), ALL), *staff_options(case.world, lang)],
            value=ALL,
            description=t("t5widgets.col_staff_id", lang),
            style=_WIDE,
            layout=widgets.Layout(width="460px"),
        )
        self.person.add_class("ck-t5-person")
        self.month = widgets.Dropdown(
            options=[(t("t5widgets.every_month", lang), ALL), *((m, m) for m in case.window())],
            value=ALL,
            description=t("t5widgets.col_month", lang),
            style=_WIDE,
        )
        self.month.add_class("ck-t5-month")
        self.date_from = widgets.DatePicker(description=t("t5widgets.date_from", lang), style=_WIDE)
        self.date_to = widgets.DatePicker(description=t("t5widgets.date_to", lang), style=_WIDE)
        self.count = widgets.HTML()
        self.count.add_class("ck-t5-count")
        self.rows = widgets.HTML()
        self.rows.add_class("ck-t5-rows")
        for w in (self.table, self.person, self.month, self.date_from, self.date_to):
            self.when_changed(w, self.show)
        self.widget = widgets.VBox(
            [
                title("t5widgets.brief_heading", lang),
                widgets.HTML(brief_html(case, lang)),
                title("t5widgets.records_heading", lang),
                widgets.HTML(message_html(t("t5widgets.records_hint", lang))),
                left(self.table, self.person, self.month),
                left(self.date_from, self.date_to),
                self.count,
                boxed(self.rows, "460px"),
                self.alert,
            ]
        )
        self.show()

    def filters(self) -> dict[str, Any]:
        """The filters chosen that the table chosen has a column for (the others switched off)."""
        columns = set(self.case.records()[str(self.table.value)].columns)
        dated = bool(columns & {"date", "month"})
        self.person.disabled = "staff_id" not in columns
        self.month.disabled = self.date_from.disabled = self.date_to.disabled = not dated
        out: dict[str, Any] = {}
        if not self.person.disabled and self.person.value != ALL:
            out["staff_id"] = self.person.value
        if dated and self.month.value != ALL:
            out["month"] = self.month.value
        if dated and self.date_from.value is not None:
            out["date_from"] = self.date_from.value
        if dated and self.date_to.value is not None:
            out["date_to"] = self.date_to.value
        return out

    def show(self) -> pd.DataFrame:
        """The table chosen, filtered: the count and the first rows."""
        found = self.case.filter(str(self.table.value), **self.filters())
        shown, line = first_rows(found, ROWS_SHOWN, self.lang)
        self.count.value = line
        self.rows.value = table_html(shown, self.lang)
        return found
