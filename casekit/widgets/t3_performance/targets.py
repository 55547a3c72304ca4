"""Tab 3, targets and their agreement (P3.2): for the member chosen, every KPI of their role's set with the band it
is judged against, the target proposed, what the simulated member says to it (live, in their words:
:meth:`T3Case.propose`), the manager's reply and the value agreed; recorded with its date for the member or for
every member (:meth:`T3Case.set_agreements`), and the member x KPI pairs still without an agreement.

A proposal is only ever typed by the candidate, or prefilled by a rule they choose and apply with a button (the
member's own median, their best month, their team's median, the peers' median): never the answer. The form keeps
what is typed for every member, recorded or not; the case holds only what is recorded.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t3_performance.case import T3Case
from casekit.errors import CasekitError
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_kpi
from casekit.widgets.app import descendants
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html, problems_html
from casekit.widgets.t3_performance import forms
from casekit.widgets.t3_performance.render import (
    boxed,
    kpi_label,
    left,
    member_choice,
    records,
    table_html,
    title,
    with_names,
)

__all__ = ["MISSING_SHOWN", "TargetsPanel", "missing_html", "response_html"]

#: the members listed under "still to agree" (the rest counted)
MISSING_SHOWN = 60
_WIDE = {"description_width": "initial"}
_VERDICT = {"accept": "#1a7f37", "object": "#b42318"}
Said = Mapping[str, Any]


def response_html(said: Said | None, at_agreed: Said | None, lang: str) -> str:
    """What the member says to the proposal (verdict and their words), and to the agreed value when it differs."""
    if said is None:
        return message_html(t("t3widgets.no_proposal", lang))
    verdict = str(said["verdict"])
    label = t(f"t3widgets.verdict_{verdict}", lang)
    out = (
        f'<p class="ck-t3-response ck-{esc(verdict)}"><strong style="color:{_VERDICT.get(verdict, "#444")}">'
        f"{esc(label)}</strong> — “{esc(said['comment'])}”</p>"
    )
    if at_agreed is not None:
        value = format_kpi(str(at_agreed["kpi"]), at_agreed["target"])
        again = t(f"t3widgets.at_agreed_{at_agreed['verdict']}", lang, value=value)
        out += f'<p class="ck-t3-at-agreed" style="font-size:11px">{esc(again)}</p>'
    return out


def missing_html(case: T3Case, lang: str, limit: int = MISSING_SHOWN) -> str:
    """The members with KPIs of their set not agreed yet, a member a row with those KPIs."""
    if not case.kpi_sets:
        return message_html(t("t3widgets.no_sets_yet", lang), "warn")
    missing = case.missing_agreements()
    if missing.empty:
        return message_html(t("t3widgets.all_agreed", lang, n=len(case.agreements)), "ok")
    grouped = missing.groupby("staff_id", sort=False)
    frame = pd.DataFrame(
        {
            "staff_id": list(grouped.groups),
            "role": [str(g["role"].iloc[0]) for _, g in grouped],
            "missing": [len(g) for _, g in grouped],
            "kpis": [", ".join(kpi_label(k, lang) for k in g["kpi"]) for _, g in grouped],
        }
    )
    frame = with_names(frame, case.world.members)
    line = t("t3widgets.still_to_agree", lang, pairs=len(missing), members=len(frame))
    more = len(frame) - limit
    tail = message_html(t("t3widgets.more_rows", lang, n=more)) if more > 0 else ""
    return message_html(line, "warn") + table_html(frame.head(limit), lang) + tail


class TargetsPanel(Panel):
    """Tab 3: the prefill helpers, the member chosen and their KPIs, recording, and what is still to agree."""

    def __init__(self, case: T3Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        self._changed: list[Callable[[], None]] = []
        members = case.members()
        self.members = members
        #: what the form holds per (member, KPI): proposed, agreed and reply as typed
        self.forms: dict[tuple[str, str], dict[str, str]] = {
            key: forms.agreement_fields(a) for key, a in case.agreements.items()
        }
        self.rows: dict[str, dict[str, Any]] = {}
        cal = case.calendar()
        self.rule = widgets.Dropdown(
            options=[(t(f"t3widgets.prefill_{r}", lang), r) for r in forms.PREFILLS],
            description=t("t3widgets.prefill", lang),
            style=_WIDE,
        )
        self.rule.add_class("ck-t3-prefill")
        self.scope = widgets.ToggleButtons(
            options=[(t("t3widgets.scope_member", lang), "member"), (t("t3widgets.scope_all", lang), "all")]
        )
        self.fill_button = widgets.Button(description=t("t3widgets.fill", lang))
        self.member = member_choice(members, lang, "ck-t3-target-member")
        self.date = widgets.DatePicker(
            value=cal.history_end + dt.timedelta(days=1), description=t("t3widgets.agreed_on", lang), style=_WIDE
        )
        self.rows_box = widgets.VBox()
        self.rows_box.add_class("ck-t3-targets")
        self.record_button = widgets.Button(description=t("t3widgets.record", lang), button_style="primary")
        self.record_all_button = widgets.Button(description=t("t3widgets.record_all", lang))
        self.status = widgets.HTML(message_html(t("t3widgets.targets_hint", lang, date=cal.agree_by.isoformat())))
        self.status.add_class("ck-t3-targets-status")
        self.missing = widgets.HTML()
        self.missing.add_class("ck-t3-missing")
        self.when_clicked(self.fill_button, self.fill)
        self.when_clicked(self.record_button, self.record)
        self.when_clicked(self.record_all_button, self.record_all)
        self.when_changed(self.member, self.show_member)
        self.widget = widgets.VBox(
            [
                title("t3widgets.targets_heading", lang),
                widgets.HTML(message_html(t("t3widgets.prefill_hint", lang))),
                left(self.rule, self.scope, self.fill_button),
                left(self.member, self.date),
                self.rows_box,
                left(self.record_button, self.record_all_button),
                self.status,
                title("t3widgets.missing_heading", lang, 4),
                boxed(self.missing, "360px"),
                self.alert,
            ]
        )
        self.sets_changed()

    def on_change(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after agreements are recorded."""
        self._changed.append(callback)

    # --------------------------------------------------------------------------------------------- the form
    def kpis_of(self, staff_id: str) -> list[str]:
        wanted = self.case.wanted()
        return [str(k) for k in wanted.loc[wanted["staff_id"] == staff_id, "kpi"]]

    def sets_changed(self) -> None:
        """A KPI-set listener: the member's rows and the list still to agree follow the sets."""
        self.show_member()
        self.missing.value = missing_html(self.case, self.lang)

    def show_member(self) -> None:
        """The rows of the member chosen: a KPI each, with what the form holds for it."""
        for old in self.rows.values():
            for w in descendants(old["box"]):
                w.close()
        self.rows = {}
        staff_id = self.member.value
        if staff_id is None:
            return
        bands = self.case.bands()
        band = bands[bands["staff_id"] == staff_id].set_index("kpi")
        boxes = []
        for kpi in self.kpis_of(staff_id):
            held = self.forms.get((staff_id, kpi), {})
            row: dict[str, Any] = {
                "proposed": self._number(held.get("proposed", ""), "t3widgets.col_proposed", ""),
                "agreed": self._number(held.get("agreed", ""), "t3widgets.col_agreed", "t3widgets.agreed_hint"),
                "reply": widgets.Text(
                    value=held.get("reply", ""),
                    placeholder=t("t3widgets.reply_hint", self.lang),
                    layout=widgets.Layout(width="420px"),
                ),
                "response": widgets.HTML(),
                "recorded": widgets.HTML(),
            }
            for name in ("proposed", "agreed", "reply"):
                row[name].add_class(f"ck-t3-{name}")
                self.when_changed(row[name], functools.partial(self.edited, kpi))
            head = widgets.HTML(self._kpi_head(kpi, band.loc[kpi] if kpi in band.index else None))
            row["box"] = widgets.VBox(
                [head, widgets.HBox([row["proposed"], row["agreed"], row["reply"]]), row["response"], row["recorded"]]
            )
            row["box"].add_class("ck-t3-target-row")
            row["box"].add_class(f"ck-t3-of-{staff_id}")
            self.rows[kpi] = row
            boxes.append(row["box"])
        if not boxes:
            boxes.append(widgets.HTML(message_html(t("t3widgets.no_set_for_role", self.lang), "warn")))
        self.rows_box.children = tuple(boxes)
        self.respond()
        self.show_recorded()

    def _number(self, value: str, label: str, hint: str) -> widgets.Text:
        placeholder = t(hint, self.lang) if hint else ""
        return widgets.Text(
            value=value,
            description=t(label, self.lang),
            placeholder=placeholder,
            style=_WIDE,
            layout=widgets.Layout(width="190px"),
        )

    def _kpi_head(self, kpi: str, band: pd.Series | None) -> str:
        name = f"<strong>{esc(kpi_label(kpi, self.lang))}</strong>"
        if band is None:
            return f"<p>{name}</p>"
        figures = t(
            "t3widgets.band_line",
            self.lang,
            median=format_kpi(kpi, band["median"]),
            worst=format_kpi(kpi, band["worst"]),
            best=format_kpi(kpi, band["best"]),
            p95=format_kpi(kpi, band["team_p95"]),
        )
        return f'<p>{name} <span style="font-size:11px;color:#555">{esc(figures)}</span></p>'

    def edited(self, kpi: str) -> None:
        """A field of a row changed: the form keeps it, and the member answers again."""
        row = self.rows.get(kpi)
        if row is None or self.member.value is None:
            return
        key = (str(self.member.value), kpi)
        self.forms[key] = {name: str(row[name].value) for name in ("proposed", "agreed", "reply")}
        self.respond()

    def _asked(self, staff_id: str, kpis: list[str]) -> list[tuple[str, str, float]]:
        """The (member, KPI, value) rows to ask the member about: each proposal, and each agreed value typed."""
        rows = []
        for kpi in kpis:
            held = self.forms.get((staff_id, kpi), {})
            for name in ("proposed", "agreed"):
                value = forms.number(held.get(name, ""))
                if isinstance(value, float):
                    rows.append((staff_id, kpi, value))
        return rows

    def respond(self) -> pd.DataFrame | None:
        """What the member chosen says to every proposal and agreed value on the form (live)."""
        staff_id = self.member.value
        if staff_id is None or not self.rows:
            return None
        asked = self._asked(staff_id, list(self.rows))
        said = self.case.propose(asked) if asked else None
        by_value = {} if said is None else {(r["kpi"], r["target"]): r for r in records(said)}
        for kpi, row in self.rows.items():
            held = self.forms.get((staff_id, kpi), {})
            proposed, agreed = forms.number(held.get("proposed", "")), forms.number(held.get("agreed", ""))
            if isinstance(proposed, str) or isinstance(agreed, str):
                row["response"].value = message_html(t("t3widgets.not_a_number", self.lang), "warn")
                continue
            first = by_value.get((kpi, proposed)) if proposed is not None else None
            again = by_value.get((kpi, agreed)) if agreed is not None and agreed != proposed else None
            row["response"].value = response_html(first, again, self.lang)
        return said

    def show_recorded(self) -> None:
        staff_id = self.member.value
        for kpi, row in self.rows.items():
            found = self.case.agreements.get((str(staff_id), kpi))
            if found is None:
                row["recorded"].value = message_html(t("t3widgets.not_recorded", self.lang))
                continue
            text = t(
                "t3widgets.recorded_line",
                self.lang,
                proposed=format_kpi(kpi, found.proposed),
                agreed=format_kpi(kpi, found.agreed),
                date=found.date.isoformat(),
            )
            row["recorded"].value = message_html(text, "ok")

    def fill(self) -> int:
        """Prefill the proposals of the member chosen (or every member) by the rule chosen; the values agreed are
        cleared (they follow the proposal until typed), the replies kept."""
        case = self.case
        staff = [str(self.member.value)] if self.scope.value == "member" else [str(s) for s in self.members["staff_id"]]
        wanted = case.wanted()
        pairs = [(s, k) for s, k in zip(wanted["staff_id"], wanted["kpi"], strict=True) if s in set(staff)]
        values = forms.prefill(self.rule.value, pairs, case.bands(), case.peers(), self.members)
        for key, value in values.items():
            reply = self.forms.get(key, {}).get("reply", "")
            self.forms[key] = {"proposed": forms.number_text(value), "agreed": "", "reply": reply}
        self.show_member()
        text = t("t3widgets.filled", self.lang, n=len(values), blank=len(pairs) - len(values))
        self.status.value = message_html(text, "ok" if len(values) == len(pairs) else "warn")
        return len(values)

    # ------------------------------------------------------------------------------------------ recording
    def items(self, staff_ids: list[str]) -> list[dict[str, Any]]:
        """The agreements on the form of ``staff_ids`` that have a proposal, with each member's side."""
        wanted = self.case.wanted()
        keep = set(staff_ids)
        pairs = [(s, k) for s, k in zip(wanted["staff_id"], wanted["kpi"], strict=True) if s in keep]
        typed = [
            (key, self.forms[key])
            for key in pairs
            if forms.number(self.forms.get(key, {}).get("proposed", "")) is not None
        ]
        asked = [(s, k, p) for (s, k), held in typed if isinstance(p := forms.number(held["proposed"]), float)]
        said = self.case.propose(asked) if asked else pd.DataFrame(columns=["staff_id", "kpi", "target"])
        by_key = {(r["staff_id"], r["kpi"]): r for r in records(said)}
        out = []
        for (s, k), held in typed:
            proposed = forms.number(held["proposed"])
            out.append(
                forms.agreement_data(
                    s,
                    k,
                    proposed,
                    forms.number(held.get("agreed", "")),
                    self.date.value,
                    by_key.get((s, k), {}),
                    held.get("reply", ""),
                )
            )
        return out

    def _record(self, staff_ids: list[str]) -> int:
        items = self.items(staff_ids)
        if not items:
            self.status.value = message_html(t("t3widgets.nothing_to_record", self.lang), "warn")
            return 0
        try:
            self.case.set_agreements(items)
        except CasekitError as exc:
            self.status.value = problems_html(exc, self.lang)
            return 0
        objections = sum(i["member_verdict"] == "object" for i in items)
        text = t(
            "t3widgets.recorded",
            self.lang,
            n=len(items),
            members=len({i["staff_id"] for i in items}),
            objections=objections,
        )
        self.status.value = message_html(text, "ok")
        self.show_recorded()
        self.missing.value = missing_html(self.case, self.lang)
        for callback in self._changed:
            callback()
        return len(items)

    def record(self) -> int:
        """Record the agreements of the member chosen."""
        return 0 if self.member.value is None else self._record([str(self.member.value)])

    def record_all(self) -> int:
        """Record the agreements on the form of every member."""
        return self._record([str(s) for s in self.members["staff_id"]])
