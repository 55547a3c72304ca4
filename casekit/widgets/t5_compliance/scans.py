"""Tab 4, the rules (P5.2): the law's figures as the candidate states them (empty at first: knowing the line is the
competence; :meth:`T5Case.set_thresholds`), then a rule of the library with its article, scanned over the records
with those figures (:meth:`T5Case.scan` with ``near``: every row near the line, the breaches marked) and its
breaches registered with their evidence (:meth:`T5Case.add_scan`). A rule whose figures are not stated yet says
which it needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t5_compliance import rules, tools
from casekit.cases.t5_compliance.answer import THRESHOLDS
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.register import PAY_RULES
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t5_compliance import forms
from casekit.widgets.t5_compliance.render import (
    BREACH,
    boxed,
    column_formats,
    first_rows,
    left,
    marked_table,
    title,
)

__all__ = ["ROWS_SHOWN", "RulesPanel", "figure_label", "scan_columns", "short_rows"]

#: the rows of a scan shown (the rest counted)
ROWS_SHOWN = 100
_EVIDENCE_CHARS = 48
_WIDE = {"description_width": "initial"}


def figure_label(name: str, lang: str) -> str:
    return t(f"t5widgets.figure_{name}", lang)


def scan_columns(rule_id: str) -> list[str]:
    """The columns a scan of ``rule_id`` shows: its key, the figure measured and the line, whether it is a breach,
    the note, the back pay of a pay rule and the evidence."""
    r = rules.rule(rule_id)
    money = ["back_pay"] if rule_id in PAY_RULES else []
    return [*r.key, "value", "limit", "breach", "note", *money, "rows"]


def short_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with each ``rows`` cut to its first few ids (the count of the rest after them)."""
    out = frame.copy()
    shown = []
    for rows_text in frame["rows"].astype(str):
        ids = [r for r in rows_text.split(";") if r]
        text = ";".join(ids)
        if len(text) > _EVIDENCE_CHARS:
            head = text[:_EVIDENCE_CHARS].rsplit(";", 1)[0]
            text = f"{head}… (+{len(ids) - head.count(';') - 1})"
        shown.append(text)
    out["rows"] = shown
    return out


class RulesPanel(Panel):
    """Tab 4: the figures, then a rule scanned and its breaches registered."""

    def __init__(self, case: T5Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._changed: list[Callable[[], None]] = []
        self.figures: dict[str, Any] = {}
        for name in THRESHOLDS:
            held = case.thresholds.get(name)
            box = widgets.Text(
                value=forms.figure_text(held),
                description=figure_label(name, lang),
                style={"description_width": "340px"},
                layout=widgets.Layout(width="470px"),
            )
            box.add_class(f"ck-t5-figure-{name}")
            self.figures[name] = box
        self.save_button = widgets.Button(description=t("t5widgets.save_figures", lang), button_style="primary")
        self.figures_status = widgets.HTML(message_html(t("t5widgets.figures_hint", lang)))
        self.figures_status.add_class("ck-t5-figures-status")
        if case.thresholds:
            self.figures_status.value = message_html(t("t5widgets.figures_saved", lang, n=len(case.thresholds)), "ok")
        self.rule = widgets.Dropdown(
            options=[(r.title(lang), r.id) for r in rules.RULES],
            description=t("t5widgets.rule", lang),
            style=_WIDE,
            layout=widgets.Layout(width="520px"),
        )
        self.rule.add_class("ck-t5-rule")
        self.about = widgets.HTML()
        self.about.add_class("ck-t5-rule-about")
        self.breaches_only = widgets.Checkbox(value=False, description=t("t5widgets.breaches_only", lang))
        self.scan_button = widgets.Button(description=t("t5widgets.scan", lang), button_style="primary")
        self.register_button = widgets.Button(description=t("t5widgets.register_breaches", lang))
        self.scan_status = widgets.HTML()
        self.scan_status.add_class("ck-t5-scan-status")
        self.result = widgets.HTML()
        self.result.add_class("ck-t5-scan")
        self.when_clicked(self.save_button, self.save_figures)
        self.when_clicked(self.scan_button, self.scan)
        self.when_clicked(self.register_button, self.register)
        self.when_changed(self.rule, self.rule_chosen)
        self.when_changed(self.breaches_only, self.scan)
        self.scanned: pd.DataFrame | None = None
        self.widget = widgets.VBox(
            [
                title("t5widgets.figures_heading", lang),
                widgets.HTML(message_html(t("t5widgets.figures_intro", lang))),
                widgets.VBox(list(self.figures.values())),
                left(self.save_button),
                self.figures_status,
                title("t5widgets.rules_heading", lang),
                left(self.rule),
                self.about,
                left(self.scan_button, self.breaches_only, self.register_button),
                self.scan_status,
                boxed(self.result, "460px"),
                self.alert,
            ]
        )
        self.rule_chosen()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after breaches are registered."""
        self._changed.append(callback)

    # ------------------------------------------------------------------------------------------ the figures
    def save_figures(self) -> dict[str, float] | None:
        """Adopt the figures typed (blank ones not stated), or show every problem with them (the form kept)."""
        lang = self.lang
        try:
            typed = forms.figures({n: w.value for n, w in self.figures.items()}, t("t5widgets.figures_source", lang))
            saved = self.case.set_thresholds(typed)
        except CasekitError as exc:
            self.figures_status.value = problems_html(exc, lang)
            return None
        missing = [figure_label(n, lang) for n in THRESHOLDS if n not in saved]
        text = t("t5widgets.figures_saved", lang, n=len(saved))
        if missing:
            text += " " + t("t5widgets.figures_missing", lang, figures=", ".join(missing))
        self.figures_status.value = message_html(text, "warn" if missing else "ok")
        self.rule_chosen()
        return saved

    # ---------------------------------------------------------------------------------------------- a rule
    def rule_chosen(self) -> None:
        """The rule's article and the figures it needs (those not stated marked); the last scan cleared."""
        lang, rule_id = self.lang, str(self.rule.value)
        r = rules.rule(rule_id)
        needs = tools.NEEDS[rule_id]
        stated = [f"{esc(figure_label(n, lang))}{'' if n in self.case.thresholds else ' ☐'}" for n in needs] or [
            esc(t("t5widgets.needs_none", lang))
        ]
        self.about.value = (
            f"<p><strong>{esc(r.citation(lang))}</strong></p>"
            f'<p style="font-size:11px">{esc(t("t5widgets.needs", lang))}: {", ".join(stated)}</p>'
        )
        self.scanned = None
        self.result.value = ""
        self.scan_status.value = message_html(t("t5widgets.scan_hint", lang))

    def scan(self) -> pd.DataFrame | None:
        """The rows near the rule's line with the candidate's figures, the breaches first and marked (only those when
        asked); the message naming the figures still needed when the rule cannot run yet."""
        lang, rule_id = self.lang, str(self.rule.value)
        try:
            found = self.case.scan(rule_id, near=True)
        except CasekitError as exc:
            self.scanned = None
            self.result.value = ""
            self.scan_status.value = problems_html(exc, lang)
            return None
        self.scanned = found
        breach = found["breach"].astype(bool)
        shown = found[breach] if self.breaches_only.value else pd.concat([found[breach], found[~breach]])
        head, line = first_rows(shown, ROWS_SHOWN, lang)
        n_breach, n_near = int(breach.sum()), len(found)
        key = "t5widgets.scanned" if n_breach else "t5widgets.scanned_none"
        self.scan_status.value = message_html(
            t(key, lang, breaches=n_breach, near=n_near), "warn" if n_breach else "ok"
        )
        formats = column_formats(lang, money=["back_pay"], numbers={"value": 2, "limit": 2})
        self.result.value = line + marked_table(
            short_rows(head),
            lang,
            scan_columns(rule_id),
            list(head["breach"].astype(bool)),
            BREACH,
            formats,
            css="ck-table ck-t5-scan-table",
        )
        return found

    def register(self) -> int:
        """Register every breach the scan of the rule finds (with its evidence and back pay); how many."""
        lang, rule_id = self.lang, str(self.rule.value)
        try:
            new = self.case.add_scan(rule_id)
        except CasekitError as exc:
            self.scan_status.value = problems_html(exc, lang)
            return 0
        text = t(
            "t5widgets.registered",
            lang,
            n=len(new),
            rule=rules.rule(rule_id).title(lang),
            total=len(self.case.findings),
        )
        self.scan_status.value = message_html(text, "ok")
        for callback in self._changed:
            callback()
        return len(new)
