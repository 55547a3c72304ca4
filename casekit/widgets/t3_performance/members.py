"""Tab 1, the section and its data: the policy and the dates of the case, the members (role, team, queue, ramping,
PIP) and the PIPs with their notes, then one member's KPI history month by month beside their band (median, worst
and best month, the peers' 95th percentile)."""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd

from casekit.cases.t3_performance.case import T3Case
from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_share
from casekit.widgets.panel import Panel
from casekit.widgets.render import message_html
from casekit.widgets.t3_performance.render import (
    boxed,
    field_table,
    kpi_label,
    kpi_texts,
    member_choice,
    role_label,
    table_html,
    title,
)

__all__ = ["MembersPanel", "history_html", "policy_html"]

_WIDE = {"description_width": "initial"}
_MEMBER_COLUMNS = (
    "staff_id",
    "name",
    "role",
    "team",
    "queue",
    "hire_date",
    "ramping",
    "on_pip",
    "pip_start",
    "pip_kpi",
)
_BAND = ("median", "worst", "best", "team_p95")


def policy_html(case: T3Case, lang: str) -> str:
    """The case's dates and the organisation's performance policy."""
    cal, policy = case.calendar(), case.policy
    rows = [
        ("t3widgets.history_end", cal.history_end.isoformat()),
        ("t3widgets.period", f"{cal.period_start.isoformat()} – {cal.period_end.isoformat()}"),
        ("t3widgets.agree_by", cal.agree_by.isoformat()),
        ("t3widgets.appraisal_due", cal.appraisal_due.isoformat()),
        ("t3widgets.policy_pip_review", t("t3widgets.days", lang, n=policy["pip_review_days"])),
        ("t3widgets.policy_ramp", t("t3widgets.days", lang, n=policy["ramp_days"])),
        (
            "t3widgets.policy_ratings",
            t(
                "t3widgets.rating_rule",
                lang,
                meets=format_share(policy["meets"], 0),
                partly=format_share(policy["partly"], 0),
                margin=format_share(policy["exceed_margin"], 0),
            ),
        ),
    ]
    return field_table(rows, lang)


def history_html(case: T3Case, staff_id: str, lang: str) -> str:
    """One member's KPIs, a KPI a row: each history month's value, then the band the targets are judged against."""
    mine = case.history()
    mine = mine[mine["staff_id"] == staff_id]
    bands = case.bands()
    band = bands[bands["staff_id"] == staff_id].set_index("kpi")
    kpis = list(dict.fromkeys([*mine["kpi"], *band.index]))
    if not kpis:
        return message_html(t("t3widgets.no_history", lang))
    wide = (
        mine.pivot_table(index="kpi", columns="month", values="value", aggfunc="first")
        if len(mine)
        else pd.DataFrame(index=pd.Index(kpis, name="kpi"))
    )
    months = [str(m) for m in sorted(wide.columns)]
    frame = pd.concat([wide.reindex(kpis)[months], band.reindex(kpis)[[*_BAND, "reason"]]], axis=1)
    frame = frame.rename_axis("kpi").reset_index()
    frame["reason"] = frame["reason"].fillna("").astype(str)
    shown = kpi_texts(frame, [*months, *_BAND])
    shown["kpi"] = [kpi_label(k, lang) for k in kpis]
    return table_html(shown, lang, columns=["kpi", *months, *_BAND, "reason"])


class MembersPanel(Panel):
    """Tab 1: the policy, the members and the PIPs, then the history of the member chosen."""

    def __init__(self, case: T3Case, lang: str) -> None:
        self.case = case
        self.lang = lang
        members = case.members()
        self.member = member_choice(members, lang, "ck-t3-history-member")
        self.history = widgets.HTML()
        self.history.add_class("ck-t3-history")
        self.when_changed(self.member, self.show_history)
        pips = case.pips().copy()
        pips["note"] = pips["note_zh_tw" if lang == "zh-TW" else "note_en"]
        pips = pips.merge(members[["staff_id", "name", "role", "team"]], on="staff_id", how="left")
        pips = pips.rename(columns={"start_date": "pip_start", "kpi": "pip_kpi"})
        counts = members["role"].value_counts()
        summary = t(
            "t3widgets.members_summary",
            lang,
            n=len(members),
            teams=members["team"].nunique(),
            pips=len(pips),
            ramping=int(members["ramping"].astype(bool).sum()),
            complex=int((members["queue"] == "complex").sum()),
        )
        roles = esc(", ".join(f"{role_label(str(r), lang)} {int(n)}" for r, n in counts.items()))
        self.widget = widgets.VBox(
            [
                title("t3widgets.policy_heading", lang),
                widgets.HTML(policy_html(case, lang)),
                title("t3widgets.members_heading", lang),
                widgets.HTML(message_html(summary) + f'<p style="font-size:11px;color:#666">{roles}</p>'),
                boxed(widgets.HTML(table_html(members, lang, columns=_MEMBER_COLUMNS)), "420px"),
                title("t3widgets.pips_heading", lang, 4),
                widgets.HTML(
                    table_html(pips, lang, columns=("staff_id", "name", "role", "pip_start", "pip_kpi", "note"))
                ),
                title("t3widgets.history_heading", lang),
                widgets.HTML(message_html(t("t3widgets.history_hint", lang))),
                self.member,
                boxed(self.history, "420px"),
                self.alert,
            ]
        )
        self.show_history()

    def show_history(self) -> None:
        if self.member.value is None:
            self.history.value = ""
            return
        self.history.value = history_html(self.case, str(self.member.value), self.lang)
