"""Tab 6, the next month: the world's fourth month of records under the register as it stands
(:meth:`T5Case.run_next_month`: a breach whose root cause was addressed does not recur, one put right only this once
may, one left alone does), each rule run over it with the candidate's figures (:meth:`T5Case.next_scan`; the job ads'
status for the ad rules), and the verification of every finding of a rule, held or recurred, as the candidate reads
it there (:meth:`T5Case.update_findings`). Editing the register after the run asks for the run again."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t5_compliance import rules
from casekit.cases.t5_compliance.answer import VERIFICATIONS
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.register import AD_RULES
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.widgets.app import descendants
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t5_compliance import forms
from casekit.widgets.t5_compliance.findings import in_order
from casekit.widgets.t5_compliance.render import (
    boxed,
    first_rows,
    left,
    option_pairs,
    rule_label,
    table_html,
    title,
)

__all__ = ["ROWS_SHOWN", "NextMonthPanel"]

#: the rows of a next month's scan shown (the rest counted)
ROWS_SHOWN = 100
_WIDE = {"description_width": "initial"}


class NextMonthPanel(Panel):
    """Tab 6: run the next month, a rule's breaches in it, and the verification of that rule's findings."""

    def __init__(self, case: T5Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self.run_button = widgets.Button(description=t("t5widgets.run_next_month", lang), button_style="primary")
        self.status = widgets.HTML()
        self.status.add_class("ck-t5-next-status")
        self.rule = widgets.Dropdown(options=[], description=t("t5widgets.rule", lang), style=_WIDE)
        self.rule.add_class("ck-t5-next-rule")
        self.summary = widgets.HTML()
        self.summary.add_class("ck-t5-next-summary")
        self.rows_html = widgets.HTML()
        self.rows_html.add_class("ck-t5-next-rows")
        self.all_held_button = widgets.Button(description=t("t5widgets.all_held", lang))
        self.all_recurred_button = widgets.Button(description=t("t5widgets.all_recurred", lang))
        self.checks_box = widgets.VBox()
        self.checks_box.add_class("ck-t5-verify")
        self.checks: dict[tuple[str, ...], Any] = {}
        self._quiet = False
        self._changed: list[Callable[[], None]] = []
        self.verified = widgets.HTML()
        self.verified.add_class("ck-t5-verified")
        self.when_clicked(self.run_button, self.run)
        self.when_clicked(self.all_held_button, functools.partial(self.verify_all, "held"))
        self.when_clicked(self.all_recurred_button, functools.partial(self.verify_all, "recurred"))
        self.when_changed(self.rule, self.show_rule)
        self.widget = widgets.VBox(
            [
                title("t5widgets.next_heading", lang),
                widgets.HTML(message_html(t("t5widgets.next_intro", lang))),
                left(self.run_button),
                self.status,
                self.summary,
                left(self.rule),
                boxed(self.rows_html, "360px"),
                title("t5widgets.verify_heading", lang, 4),
                left(self.all_held_button, self.all_recurred_button),
                boxed(self.checks_box, "360px"),
                self.verified,
                self.alert,
            ]
        )
        self.register_changed()
        if case.next_month_run:
            self.status.value = message_html(t("t5widgets.next_ran", lang, n=len(case.findings)), "ok")

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after a verification is recorded."""
        self._changed.append(callback)

    def _notify(self) -> None:
        self._count()
        for callback in self._changed:
            callback()

    # --------------------------------------------------------------------------------------------- the run
    def run(self) -> bool:
        """Run the next month under the register; show each rule's breaches in it."""
        try:
            self.case.run_next_month()
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return False
        self.status.value = message_html(t("t5widgets.next_ran", self.lang, n=len(self.case.findings)), "ok")
        self.summary.value = self.summary_html()
        self.show_rule()
        return True

    def summary_html(self) -> str:
        """Each rule of the library: the findings registered, and the breaches the next month shows (for the ad
        rules, see the ads' status)."""
        lang, found = self.lang, list(self.case.findings.values())
        rows = []
        for r in rules.RULES:
            again = "" if r.id in AD_RULES else f"{len(self.case.next_scan(r.id)):,}"
            rows.append({"rule": r.id, "registered": sum(f.rule == r.id for f in found), "next_month": again})
        return table_html(pd.DataFrame(rows), lang)

    def register_changed(self) -> None:
        """A register listener: the rules to verify follow the findings; a run made stale is cleared."""
        lang = self.lang
        found = self.case.findings
        ruled = list(dict.fromkeys(found[k].rule for k in in_order(found)))
        keep = self.rule.value if self.rule.value in ruled else (ruled[0] if ruled else None)
        self._quiet = True  # the options and the value set together, the rule shown once below
        try:
            self.rule.options = [(rule_label(r, lang), r) for r in ruled]
            self.rule.value = keep
        finally:
            self._quiet = False
        if not self.case.next_month_run:
            key = "t5widgets.next_stale" if self.case.findings else "t5widgets.next_hint"
            self.status.value = message_html(t(key, lang), "warn" if self.case.findings else "info")
            self.rows_html.value = self.summary.value = ""
        self.show_rule()

    # ------------------------------------------------------------------------------------------- one rule
    def next_rows(self, rule_id: str) -> pd.DataFrame:
        """The next month's breaches of ``rule_id`` with the candidate's figures (for an ad rule: the ads' status)."""
        if rule_id in AD_RULES:
            return pd.DataFrame(self.case.run_next_month()["job_ads_status"])
        return self.case.next_scan(rule_id)

    def show_rule(self) -> None:
        """The rule chosen: its breaches next month (once run) and its findings to verify."""
        lang, rule_id = self.lang, self.rule.value
        if self._quiet:
            return
        if rule_id is None:
            self.rows_html.value = ""
            self._checks([])
            return
        if self.case.next_month_run:
            try:
                found = self.next_rows(str(rule_id))
            except CasekitError as exc:
                self.rows_html.value = problems_html(exc, lang)
            else:
                shown, line = first_rows(found, ROWS_SHOWN, lang)
                columns = None if rule_id in AD_RULES else [*rules.rule(str(rule_id)).key, "rows"]
                head = t("t5widgets.next_found", lang, rule=rule_label(str(rule_id), lang), n=len(found))
                if rule_id in AD_RULES:
                    head = t("t5widgets.next_ads", lang)
                self.rows_html.value = message_html(head) + line + table_html(shown, lang, columns=columns)
        register = self.case.findings
        self._checks([k for k in in_order(register) if register[k].rule == rule_id])

    def _checks(self, keys: list[tuple[str, ...]]) -> None:
        for old in self.checks.values():
            for w in descendants(old):
                w.close()
        self.checks = {}
        lang, boxes = self.lang, []
        options = option_pairs("verification", VERIFICATIONS, lang)
        for key in keys:
            f = self.case.findings[key]
            choice = widgets.Dropdown(
                options=options,
                value=f.verification,
                description=forms.finding_label(f, rule_label(f.rule, lang)),
                style={"description_width": "320px"},
                layout=widgets.Layout(width="520px"),
                disabled=not self.case.next_month_run,
            )
            choice.add_class("ck-t5-verification")
            self.when_changed(choice, functools.partial(self.verify, key))
            self.checks[key] = choice
            boxes.append(choice)
        self.checks_box.children = tuple(boxes)
        for b in (self.all_held_button, self.all_recurred_button):
            b.disabled = not (self.case.next_month_run and keys)
        self._count()

    def _count(self) -> None:
        found = list(self.case.findings.values())
        done = sum(f.verification != "not_checked" for f in found)
        text = t("t5widgets.verified_count", self.lang, n=done, total=len(found))
        self.verified.value = message_html(text, "ok" if found and done == len(found) else "info")

    # ------------------------------------------------------------------------------------------ verifying
    def verify(self, key: tuple[str, ...]) -> None:
        """Record what the next month shows for one finding."""
        choice = self.checks.get(key)
        if self._quiet or choice is None or key not in self.case.findings:
            return
        if not self.case.next_month_run:
            self.status.value = message_html(t("t5widgets.run_first", self.lang), "warn")
            return
        self.case.update_findings([key], verification=choice.value)
        self._notify()

    def verify_all(self, verdict: str) -> int:
        """Every finding of the rule chosen held (or recurred); the candidate then changes the exceptions."""
        keys = list(self.checks)
        if not keys or not self.case.next_month_run:
            return 0
        self.case.update_findings(keys, verification=verdict)
        self._quiet = True
        try:
            for key in keys:
                self.checks[key].value = verdict
        finally:
            self._quiet = False
        self._notify()
        return len(keys)
