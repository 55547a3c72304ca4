"""Tab 2, the legal framework (E4, K4): casekit's whole catalog of obligations, those that apply here and those that
do not (choosing is the candidate's work), each with whether it is in the framework, who it applies to here, the
organisation's policy that implements it and the records (the world's tables) that prove it; saved together
(:meth:`T5Case.set_framework`). What the catalog does not say is never filled in: the scope starts at the first
choice and the records empty. A save that fails shows every problem and keeps the form as typed."""

from __future__ import annotations

import functools
from typing import Any

import ipywidgets as widgets

from casekit.cases.t5_compliance import framework
from casekit.cases.t5_compliance.answer import SCOPES, FrameworkEntry
from casekit.cases.t5_compliance.case import RECORDS, T5Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import catalog, t
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t5_compliance.render import left, option_pairs, title

__all__ = ["FrameworkPanel", "obligation_head", "table_options"]

_WIDE = {"description_width": "initial"}


def table_options(tables: list[str], lang: str) -> list[tuple[str, str]]:
    """(label, table) of the world's tables, the case's records first."""
    ordered = [*(n for n in RECORDS if n in tables), *(n for n in tables if n not in RECORDS)]
    out = []
    for name in ordered:
        key = f"t5widgets.table_{name}"
        out.append((f"{t(key, lang)} ({name})" if key in catalog(lang) else name, name))
    return out


def obligation_head(obligation: framework.Obligation, lang: str) -> str:
    """An obligation's law, article and title, and what it requires, escaped."""
    return (
        f"<strong>{esc(framework.obligation_label(obligation.id, lang))}</strong>"
        f'<br><span style="font-size:11px;color:#555">{esc(obligation.duty(lang))}</span>'
    )


class FrameworkPanel(Panel):
    """Tab 2: a row per obligation of the catalog, then save."""

    def __init__(self, case: T5Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        tables = table_options(list(case.world.tables), lang)
        scopes = option_pairs("scope", SCOPES, lang)
        self.rows: dict[str, dict[str, Any]] = {}
        boxes = []
        for o in case.obligations():
            held = case.framework.get(o.id)
            row: dict[str, Any] = {
                "include": widgets.Checkbox(
                    value=held is not None,
                    description=t("t5widgets.include", lang),
                    indent=False,
                    layout=widgets.Layout(width="120px"),
                ),
                "scope": widgets.Dropdown(
                    options=scopes,
                    value=held.scope if held is not None else SCOPES[0],
                    description=t("t5widgets.col_scope", lang),
                    style=_WIDE,
                    layout=widgets.Layout(width="320px"),
                ),
                "policy": widgets.Textarea(
                    value=held.policy if held is not None else "",
                    placeholder=t("t5widgets.policy_hint", lang),
                    layout=widgets.Layout(width="98%", height="52px"),
                ),
                "records": widgets.SelectMultiple(
                    options=tables,
                    value=tuple(n for n in (held.records if held is not None else []) if n in dict(tables).values()),
                    description=t("t5widgets.col_records", lang),
                    rows=6,
                    style=_WIDE,
                    layout=widgets.Layout(width="420px"),
                ),
            }
            for name, w in row.items():
                w.add_class(f"ck-t5-ob-{name}")
            chosen = widgets.HTML(layout=widgets.Layout(width="320px"))
            chosen.add_class("ck-t5-ob-chosen")
            self.when_changed(row["records"], functools.partial(self._show_chosen, row["records"], chosen))
            self._show_chosen(row["records"], chosen)
            box = widgets.VBox(
                [
                    widgets.HTML(obligation_head(o, lang)),
                    left(row["include"], row["scope"], row["records"], chosen),
                    row["policy"],
                ],
                layout=widgets.Layout(border="1px solid #d0d7de", padding="4px", margin="0 0 6px 0"),
            )
            box.add_class("ck-t5-obligation")
            box.add_class(f"ck-t5-ob-{o.id}")
            self.rows[o.id] = row
            boxes.append(box)
        self.save_button = widgets.Button(description=t("t5widgets.save_framework", lang), button_style="primary")
        self.when_clicked(self.save_button, self.save)
        self.status = widgets.HTML(message_html(t("t5widgets.framework_hint", lang)))
        self.status.add_class("ck-t5-framework-status")
        if case.framework:
            self.status.value = message_html(t("t5widgets.framework_saved", lang, n=len(case.framework)), "ok")
        self.widget = widgets.VBox(
            [
                title("t5widgets.framework_heading", lang),
                widgets.HTML(message_html(t("t5widgets.framework_intro", lang))),
                widgets.VBox(boxes),
                left(self.save_button),
                self.status,
                self.alert,
            ]
        )

    def _show_chosen(self, records: Any, shown: Any) -> None:
        """The records chosen, in words (a long list scrolls in its box)."""
        names = list(records.value)
        text = ", ".join(
            t(f"t5widgets.table_{n}", self.lang) if f"t5widgets.table_{n}" in catalog(self.lang) else n for n in names
        )
        shown.value = f'<span style="font-size:11px">✓ {esc(text)}</span>' if names else ""

    def form_data(self) -> list[dict[str, Any]]:
        """The obligations included, as typed."""
        return [
            {
                "obligation": oid,
                "scope": row["scope"].value,
                "policy": row["policy"].value.strip(),
                "records": list(row["records"].value),
            }
            for oid, row in self.rows.items()
            if row["include"].value
        ]

    def save(self) -> list[FrameworkEntry] | None:
        """Adopt the framework as typed, or show every problem with it (the form kept)."""
        try:
            saved = self.case.set_framework(self.form_data())
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return None
        self.status.value = message_html(t("t5widgets.framework_saved", self.lang, n=len(saved)), "ok")
        return saved
