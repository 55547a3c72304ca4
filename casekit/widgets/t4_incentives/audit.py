"""The audit: last month's payouts under the organisation's current scheme, the audit tools over them, and the
findings form (P4.4).

A tool's table (or the ledger's paid lines) is shown a page at a time, filtered and sorted as the candidate asks:
the panel only shows what :func:`~casekit.widgets.t4_incentives.table_view.view_table` returns.
"""

from __future__ import annotations

import contextlib
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t4_incentives.audit import Ledger
from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.scheme import Scheme
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t4_incentives.findings import FindingsForm
from casekit.widgets.t4_incentives.render import column_label, mapping_html, table_html, value_label
from casekit.widgets.t4_incentives.table_view import (
    PAGE_SIZES,
    Only,
    TableQuery,
    TableView,
    flag_column,
    view_table,
)

__all__ = ["LEDGER", "AuditPanel", "scheme_rules", "showing_text", "table_of"]

LEDGER = "ledger"  # not a tool: the payouts as paid, and the rules they were paid under
DEFAULT_PAGE_SIZE = 50
_SCROLL = "max-height:460px;overflow:auto"
_WIDE = {"description_width": "initial"}
_WRAP = {"flex_flow": "row wrap", "align_items": "center"}


def scheme_rules(scheme: Scheme, lang: str) -> pd.DataFrame:
    """One row per component of a scheme: type, pay by role, measures, gates and cap, as text."""
    rows = []
    for c in scheme.components:
        rows.append(
            {
                "component": c.id,
                "type": c.type,
                "pay": ", ".join(f"{t(f'evidence.role_{r}', lang)} {v:,.0f}" for r, v in c.pay.items()),
                "measures": "; ".join(f"{t(f'kpi.{m.kpi}', lang)} {m.target:g} × {m.weight:g}" for m in c.measures),
                "gates": "; ".join(f"{t(f'kpi.{g.kpi}', lang)} {g.threshold:g}" for g in c.gates),
                "cap": c.cap,
            }
        )
    return pd.DataFrame(rows, columns=["component", "type", "pay", "measures", "gates", "cap"])


def table_of(output: Any) -> pd.DataFrame | None:
    """The table of a tool's output the candidate filters and sorts: a tool's table, the ledger's paid lines, or
    None (a tool that returns a summary of figures)."""
    if isinstance(output, pd.DataFrame):
        return output
    if isinstance(output, Ledger):
        return output.paid
    return None


def showing_text(view: TableView, lang: str) -> str:
    """Which rows a view shows, of how many."""
    if not view.matched:
        return t("widgets.table_no_match", lang, total=view.total)
    key = "widgets.table_showing_filtered" if view.filtered else "widgets.table_showing"
    return t(
        key,
        lang,
        first=view.first,
        last=view.last,
        matched=view.matched,
        total=view.total,
        page=view.page + 1,
        pages=view.pages,
    )


class AuditPanel(Panel):
    """A dropdown of ``T4Case.AUDIT_TOOLS`` (and the ledger itself) showing each tool's output, above the
    findings form; a tool's table is filtered, sorted and paged by the controls above it."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.output: Any = None
        self.frame: pd.DataFrame | None = None
        self.view: TableView | None = None
        self.page = 0
        self._choosing = False  # while the controls' choices are replaced for another table
        tools = (LEDGER, *T4Case.AUDIT_TOOLS)
        self.tool = widgets.Dropdown(
            options=[(t(f"widgets.tool_{k}", lang), k) for k in tools],
            value=LEDGER,
            description=t("widgets.audit_tool", lang),
            style=_WIDE,
            layout=widgets.Layout(width="460px", max_width="100%"),
        )
        self.help = widgets.HTML()
        self.html = widgets.HTML()
        # the table's controls
        self.filter = widgets.Text(
            description=t("widgets.table_filter", lang),
            placeholder=t("widgets.table_filter_placeholder", lang),
            style=_WIDE,
            layout=widgets.Layout(width="340px", max_width="100%"),
        )
        self.only = widgets.Dropdown(
            options=[(t("widgets.table_only_all", lang), "all")],
            value="all",
            description=t("widgets.table_only", lang),
            style=_WIDE,
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.sort_by = widgets.Dropdown(
            options=[(t("widgets.table_sort_none", lang), "")],
            value="",
            description=t("widgets.table_sort", lang),
            style=_WIDE,
            layout=widgets.Layout(width="auto", max_width="100%"),
        )
        self.descending = widgets.Checkbox(
            value=False,
            description=t("widgets.table_descending", lang),
            indent=False,
            layout=widgets.Layout(width="auto", margin="0 16px 0 4px"),
        )
        self.page_size = widgets.Dropdown(
            options=[(str(n) if n else t("widgets.table_page_all", lang), n or 0) for n in PAGE_SIZES],
            value=DEFAULT_PAGE_SIZE,
            description=t("widgets.table_page_size", lang),
            style=_WIDE,
            layout=widgets.Layout(width="auto"),
        )
        self.previous_button = widgets.Button(
            description=t("widgets.table_previous", lang), layout=widgets.Layout(width="auto")
        )
        self.next_button = widgets.Button(
            description=t("widgets.table_next", lang), layout=widgets.Layout(width="auto")
        )
        self.count = widgets.HTML()
        self.table = widgets.HTML()
        self.table_box = widgets.VBox(
            [
                widgets.HBox([self.filter, self.only], layout=widgets.Layout(**_WRAP)),
                widgets.HBox([self.sort_by, self.descending, self.page_size], layout=widgets.Layout(**_WRAP)),
                widgets.HBox([self.previous_button, self.next_button, self.count], layout=widgets.Layout(**_WRAP)),
                self.table,
            ]
        )
        self.table_box.add_class("ck-table-view")
        self.when_changed(self.tool, self.run)
        for w in (self.filter, self.only, self.sort_by, self.descending, self.page_size):
            self.when_changed(w, self.first_page)
        self.when_clicked(self.previous_button, self.previous_page)
        self.when_clicked(self.next_button, self.next_page)
        period = ""
        # a world too small for the ledger: run() below shows the error where the candidate looks for the ledger
        with contextlib.suppress(CasekitError):
            period = case.ledger.period
        self.findings = FindingsForm(case, lang, period)
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<h3>{esc(t('widgets.audit_heading', lang))}</h3>"),
                self.tool,
                self.help,
                self.html,
                self.table_box,
                self.findings.widget,
                self.alert,
            ]
        )
        self.run()

    def run(self) -> None:
        """Show the chosen tool's output: a summary of figures, or its table from the first page."""
        tool = self.tool.value
        self.help.value = f'<i style="color:#555">{esc(t(f"widgets.tool_help_{tool}", self.lang))}</i>'
        try:
            self.output = self.case.ledger if tool == LEDGER else self.case.audit(tool)
        except CasekitError as exc:
            self.output = None
            self.html.value = problems_html(exc, self.lang)
            self._table(None)
            return
        self.html.value = self._render(self.output)
        self._table(table_of(self.output))

    def query(self) -> TableQuery:
        """What the controls ask for."""
        chosen = self.only.value
        only: Only = "flagged" if chosen == "flagged" else "unflagged" if chosen == "unflagged" else "all"
        return TableQuery(
            text=self.filter.value,
            only=only,
            sort_by=self.sort_by.value or None,
            descending=bool(self.descending.value),
            page=self.page,
            page_size=self.page_size.value or None,
        )

    def show_table(self) -> None:
        """Show the page of the table the controls ask for, and which rows it holds."""
        if self._choosing or self.frame is None:
            return
        view = view_table(self.frame, self.query(), self._label)
        self.view, self.page = view, view.page
        self.count.value = message_html(showing_text(view, self.lang))
        self.table.value = f'<div style="{_SCROLL}">{table_html(view.rows, self.lang)}</div>'
        self.previous_button.disabled = view.page == 0
        self.next_button.disabled = view.page >= view.pages - 1

    def first_page(self) -> None:
        """The filter, flag, sort or page size changed: show the first page of what they ask for."""
        self.page = 0
        self.show_table()

    def next_page(self) -> None:
        self.page += 1
        self.show_table()

    def previous_page(self) -> None:
        self.page -= 1
        self.show_table()

    def _label(self, column: str, value: Any) -> str | None:
        return value_label(column, value, self.lang)

    def _table(self, frame: pd.DataFrame | None) -> None:
        """Put ``frame`` under the controls (None: hide them), keeping the filter, and the flag and sort where the
        new table has them."""
        self.frame, self.view, self.page = frame, None, 0
        self.table_box.layout.display = None if frame is not None else "none"
        if frame is None:
            self.table.value = self.count.value = ""
            return
        lang, flag = self.lang, flag_column(frame)
        only = [(t("widgets.table_only_all", lang), "all")]
        if flag is not None:
            only += [
                (t(f"widgets.table_only_{flag}", lang), "flagged"),
                (t("widgets.table_only_unflagged", lang), "unflagged"),
            ]
        sort = [
            (t("widgets.table_sort_none", lang), ""),
            *((column_label(str(c), lang), str(c)) for c in frame.columns),
        ]
        self._choosing = True
        try:
            keep_only, keep_sort = self.only.value, self.sort_by.value
            self.only.options, self.sort_by.options = only, sort
            self.only.value = keep_only if keep_only in [v for _, v in only] else "all"
            self.sort_by.value = keep_sort if keep_sort in [v for _, v in sort] else ""
        finally:
            self._choosing = False
        self.only.layout.display = None if flag is not None else "none"
        self.show_table()

    def _render(self, output: Any) -> str:
        """What is shown above the table: a summary's figures, or the ledger's rules and budget."""
        lang = self.lang
        if isinstance(output, pd.DataFrame):
            return ""
        if isinstance(output, dict):
            return f'<div style="{_SCROLL}">{mapping_html(output, lang)}</div>'
        # the ledger: the rules first, then what was paid (the table below)
        rules = table_html(scheme_rules(output.scheme, lang), lang)
        scheme = output.scheme
        cap = t("widgets.no_cap", lang) if scheme.cap_per_person is None else f"NT${scheme.cap_per_person:,.0f}"
        budget = t(
            "widgets.ledger_budget", lang, budget=f"{scheme.budget_per_period:,.0f}", cap=cap, period=output.period
        )
        heading = esc(t("t4audit.heading_ledger", lang, period=output.period))
        return f'{message_html(budget)}<div style="overflow-x:auto">{rules}</div><h4>{heading}</h4>'
