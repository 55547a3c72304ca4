"""Tab 5, the breach register (P5.2): every finding with its rule, subject, evidence and register entry, the
incomplete ones (no owner, due date or root cause) marked; one finding, several, or every finding of a rule
chosen and edited together (:meth:`T5Case.update_findings`): severity, root cause, owner (a person with management
duties), due date, rectification, back pay, preventive action and its note. A field left at "unchanged" (or blank)
keeps each chosen finding's own; one finding chosen shows its entry in the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t5_compliance import rules
from casekit.cases.t5_compliance.answer import PREVENTIONS, RECTIFICATIONS, SEVERITIES, Finding
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.register import OWNER_ROLES, filled
from casekit.errors import CasekitError
from casekit.i18n import t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t5_compliance import forms
from casekit.widgets.t5_compliance.render import (
    INCOMPLETE,
    boxed,
    column_formats,
    left,
    marked_table,
    option_pairs,
    rule_label,
    staff_options,
    title,
)

__all__ = ["COLUMNS", "RegisterPanel", "in_order", "register_frame"]

Key = tuple[str, ...]
#: the register's columns, as the table shows them
COLUMNS = (
    "rule",
    "subject",
    "when",
    "evidence",
    "severity",
    "owner",
    "due",
    "root_cause",
    "rectification",
    "back_pay",
    "prevention",
    "preventive_note",
    "verification",
)
_FIELDS = ("severity", "root_cause", "owner", "due", "rectification", "back_pay", "prevention", "preventive_note")
_WIDE = {"description_width": "initial"}
_TEXT_CHARS = 60


def _short(text: str) -> str:
    return text if len(text) <= _TEXT_CHARS else text[: _TEXT_CHARS - 1] + "…"


def in_order(found: dict[Key, Finding]) -> list[Key]:
    """The findings' keys in the rule library's order of rules, then by key."""
    rank = {r.id: i for i, r in enumerate(rules.RULES)}
    return sorted(found, key=lambda k: (rank.get(found[k].rule, len(rank)), k))


def register_frame(findings: list[Finding], owners: dict[str, str]) -> pd.DataFrame:
    """The findings as the register table shows them: what each is about (the person, ad or event) and when (the
    day or month), long texts cut, the owner by name, the evidence counted."""
    rows = []
    for f in findings:
        row: dict[str, Any] = f.model_dump()
        row["subject"] = f.about
        row["when"] = f.date.isoformat() if f.date is not None else f.month
        row["due"] = f.due.isoformat() if f.due is not None else ""
        row["owner"] = owners.get(f.owner, f.owner)
        row["root_cause"], row["preventive_note"] = _short(f.root_cause), _short(f.preventive_note)
        row["evidence"] = len(f.rows)
        rows.append(row)
    return pd.DataFrame(rows, columns=[*COLUMNS, "rows"]) if rows else pd.DataFrame(columns=list(COLUMNS))


class RegisterPanel(Panel):
    """Tab 5: the register, choosing findings, and editing them."""

    def __init__(self, case: T5Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._changed: list[Callable[[], None]] = []
        keep = (t("t5widgets.unchanged", lang), forms.KEEP)
        managers = staff_options(case.world, lang, OWNER_ROLES)
        self.owner_names = {v: k.split(" · ")[0] for k, v in managers}
        self.table = widgets.HTML()
        self.table.add_class("ck-t5-register")
        self.summary = widgets.HTML()
        self.summary.add_class("ck-t5-register-summary")
        self.chosen = widgets.SelectMultiple(options=[], rows=8, layout=widgets.Layout(width="640px"))
        self.chosen.add_class("ck-t5-chosen")
        self.rule = widgets.Dropdown(options=[], description=t("t5widgets.rule", lang), style=_WIDE)
        self.rule.add_class("ck-t5-register-rule")
        self.choose_rule_button = widgets.Button(description=t("t5widgets.choose_rule", lang))
        self.choose_incomplete_button = widgets.Button(description=t("t5widgets.choose_incomplete", lang))
        self.form: dict[str, Any] = {
            "severity": widgets.Dropdown(options=[keep, *option_pairs("severity", SEVERITIES, lang)]),
            "owner": widgets.Dropdown(options=[keep, *managers], layout=widgets.Layout(width="460px")),
            "due": widgets.DatePicker(),
            "rectification": widgets.Dropdown(options=[keep, *option_pairs("rectification", RECTIFICATIONS, lang)]),
            "back_pay": widgets.Text(placeholder=t("t5widgets.back_pay_hint", lang)),
            "prevention": widgets.Dropdown(options=[keep, *option_pairs("prevention", PREVENTIONS, lang)]),
            "root_cause": widgets.Textarea(layout=widgets.Layout(width="98%", height="52px")),
            "preventive_note": widgets.Textarea(layout=widgets.Layout(width="98%", height="52px")),
        }
        for name, w in self.form.items():
            w.description = t(f"t5widgets.col_{name}", lang)
            w.style.description_width = "initial"
            w.add_class(f"ck-t5-edit-{name}")
        self.apply_button = widgets.Button(description=t("t5widgets.apply", lang), button_style="primary")
        self.remove_button = widgets.Button(description=t("t5widgets.remove_findings", lang))
        self.status = widgets.HTML(message_html(t("t5widgets.register_hint", lang)))
        self.status.add_class("ck-t5-register-status")
        self.when_clicked(self.choose_rule_button, self.choose_rule)
        self.when_clicked(self.choose_incomplete_button, self.choose_incomplete)
        self.when_clicked(self.apply_button, self.apply)
        self.when_clicked(self.remove_button, self.remove)
        self.when_changed(self.chosen, self.load_form)
        f = self.form
        self.widget = widgets.VBox(
            [
                title("t5widgets.register_heading", lang),
                self.summary,
                boxed(self.table, "420px"),
                title("t5widgets.edit_heading", lang, 4),
                left(self.rule, self.choose_rule_button, self.choose_incomplete_button),
                self.chosen,
                left(f["severity"], f["rectification"], f["prevention"]),
                left(f["owner"], f["due"], f["back_pay"]),
                f["root_cause"],
                f["preventive_note"],
                left(self.apply_button, self.remove_button),
                self.status,
                self.alert,
            ]
        )
        self.findings_changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after the register is edited."""
        self._changed.append(callback)

    def _notify(self) -> None:
        for callback in self._changed:
            callback()

    # --------------------------------------------------------------------------------------------- showing
    def findings_changed(self) -> None:
        """The register, its summary and the findings to choose from, as the case holds them now (the choice kept
        where the findings still are)."""
        lang, found = self.lang, self.case.findings
        kept = tuple(k for k in self.chosen.value if k in found)
        order = in_order(found)
        self.chosen.options = [(forms.finding_label(found[k], rule_label(found[k].rule, lang)), k) for k in order]
        self.chosen.value = kept
        in_register = list(dict.fromkeys(found[k].rule for k in order))
        picked = self.rule.value if self.rule.value in in_register else (in_register[0] if in_register else None)
        self.rule.options = [(rule_label(r, lang), r) for r in in_register]
        self.rule.value = picked
        self.show()

    def show(self) -> None:
        lang, found = self.lang, self.case.findings
        items = [found[k] for k in in_order(found)]
        if not items:
            self.summary.value = message_html(t("t5widgets.register_empty", lang))
            self.table.value = ""
            return
        done = [filled(f) for f in items]
        frame = register_frame(items, self.owner_names)
        open_ = len(items) - sum(done)
        total = sum(f.back_pay or 0 for f in items)
        text = t("t5widgets.register_summary", lang, n=len(items), incomplete=open_, back_pay=f"{total:,}")
        self.summary.value = message_html(text, "warn" if open_ else "ok")
        formats = column_formats(lang, money=["back_pay"], counts=["evidence"])
        self.table.value = marked_table(
            frame, lang, COLUMNS, [not d for d in done], INCOMPLETE, formats, css="ck-table ck-t5-register-table"
        )

    # -------------------------------------------------------------------------------------------- choosing
    def choose_rule(self) -> int:
        """Choose every finding of the rule picked."""
        keys = tuple(k for k, f in self.case.findings.items() if f.rule == self.rule.value)
        self.chosen.value = keys
        return len(keys)

    def choose_incomplete(self) -> int:
        """Choose every finding whose entry is incomplete."""
        keys = tuple(k for k, f in self.case.findings.items() if not filled(f))
        self.chosen.value = keys
        return len(keys)

    def load_form(self) -> None:
        """One finding chosen: its entry in the form; several: every field "unchanged"."""
        chosen = list(self.chosen.value)
        one = self.case.findings.get(chosen[0]) if len(chosen) == 1 else None
        f = self.form
        if one is None:
            for name in ("severity", "owner", "rectification", "prevention"):
                f[name].value = forms.KEEP
            f["due"].value = None
            for name in ("back_pay", "root_cause", "preventive_note"):
                f[name].value = ""
            return
        f["severity"].value, f["rectification"].value = one.severity, one.rectification
        f["prevention"].value = one.prevention
        f["owner"].value = one.owner if one.owner in self.owner_names else forms.KEEP
        f["due"].value = one.due
        f["back_pay"].value = forms.number_text(one.back_pay)
        f["root_cause"].value, f["preventive_note"].value = one.root_cause, one.preventive_note

    # ------------------------------------------------------------------------------------------- editing
    def apply(self) -> int:
        """Set the fields given on every finding chosen; how many (0 with the problems shown, the form kept)."""
        lang = self.lang
        keys = list(self.chosen.value)
        if not keys:
            self.status.value = message_html(t("t5widgets.choose_first", lang), "warn")
            return 0
        try:
            fields = forms.update_fields({n: self.form[n].value for n in _FIELDS}, t("t5widgets.register_source", lang))
            if not fields:
                self.status.value = message_html(t("t5widgets.nothing_to_apply", lang), "warn")
                return 0
            self.case.update_findings(keys, **fields)
        except CasekitError as exc:
            self.status.value = problems_html(exc, lang)
            return 0
        self.status.value = message_html(t("t5widgets.applied", lang, n=len(keys)), "ok")
        self.show()
        self._notify()
        return len(keys)

    def remove(self) -> int:
        """Take the findings chosen off the register."""
        keys = set(self.chosen.value)
        if not keys:
            return 0
        self.case.set_findings([f for k, f in self.case.findings.items() if k not in keys])
        self.status.value = message_html(t("t5widgets.removed", self.lang, n=len(keys)), "ok")
        self.findings_changed()
        self._notify()
        return len(keys)
