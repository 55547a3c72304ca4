"""The audit: last month's payouts under the organisation's current scheme, the audit tools over them, and the
findings form (P4.4)."""

from __future__ import annotations

import contextlib
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.scheme import Scheme
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t4_incentives.findings import FindingsForm
from casekit.widgets.t4_incentives.render import mapping_html, table_html

__all__ = ["LEDGER", "AuditPanel", "scheme_rules"]

LEDGER = "ledger"  # not a tool: the payouts as paid, and the rules they were paid under
_SCROLL = "max-height:460px;overflow:auto"


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


class AuditPanel(Panel):
    """A dropdown of ``T4Case.AUDIT_TOOLS`` (and the ledger itself) showing each tool's output, above the
    findings form."""

    def __init__(self, case: T4Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.output: Any = None
        tools = (LEDGER, *T4Case.AUDIT_TOOLS)
        self.tool = widgets.Dropdown(
            options=[(t(f"widgets.tool_{k}", lang), k) for k in tools],
            value=LEDGER,
            description=t("widgets.audit_tool", lang),
            style={"description_width": "initial"},
            layout=widgets.Layout(width="460px"),
        )
        self.help = widgets.HTML()
        self.html = widgets.HTML()
        self.when_changed(self.tool, self.run)
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
                self.findings.widget,
                self.alert,
            ]
        )
        self.run()

    def run(self) -> None:
        """Show the chosen tool's output (a table, or a summary of figures)."""
        tool = self.tool.value
        self.help.value = f'<i style="color:#555">{esc(t(f"widgets.tool_help_{tool}", self.lang))}</i>'
        try:
            self.output = self.case.ledger if tool == LEDGER else self.case.audit(tool)
        except CasekitError as exc:
            self.output = None
            self.html.value = problems_html(exc, self.lang)
            return
        self.html.value = f'<div style="{_SCROLL}">{self._render(self.output)}</div>'

    def _render(self, output: Any) -> str:
        lang = self.lang
        if isinstance(output, pd.DataFrame):
            return table_html(output, lang)
        if isinstance(output, dict):
            return mapping_html(output, lang)
        # the ledger: the rules first, then what was paid
        rules = table_html(scheme_rules(output.scheme, lang), lang)
        scheme = output.scheme
        cap = t("widgets.no_cap", lang) if scheme.cap_per_person is None else f"NT${scheme.cap_per_person:,.0f}"
        budget = t(
            "widgets.ledger_budget", lang, budget=f"{scheme.budget_per_period:,.0f}", cap=cap, period=output.period
        )
        paid = table_html(output.paid, lang)
        heading = esc(t("t4audit.heading_ledger", lang, period=output.period))
        return f"{message_html(budget)}{rules}<h4>{heading}</h4>{paid}"
