"""T3's evidence sections: the KPI set of every role and what it lacks, every agreed target against the member's
band (the rows outside it first, with a chart of the member's history months and the target), the agreement of
every member x KPI with the simulated member's answer next to the one recorded, the review calendar and the data
plan, the appraisal, and the written texts. Static HTML (tables and inline SVG), plain functions of the graded
submission, so tests call them without a kernel. The calendar is in
:mod:`~casekit.cases.t3_performance.evidence_more`, the appraisal in
:mod:`~casekit.cases.t3_performance.evidence_appraisal`.

Every value that came from the candidate (ids, notes, replies, comments) goes through :func:`~casekit.html.esc`;
figures go through :func:`~casekit.cases.t3_performance.history.format_value`; the figures the checks computed
(bands, the members' answers, results and ratings) are read from the grading's cache, never computed twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import pandas as pd

from casekit.cases.sections import Graded, Section, answer_of, free_text_section
from casekit.cases.t3_performance import checks_base as cb
from casekit.cases.t3_performance import history
from casekit.cases.t3_performance.answer import Agreement, T3Answer
from casekit.cases.t3_performance.evidence_appraisal import appraisal_html
from casekit.cases.t3_performance.evidence_more import (
    MAX_ROWS,
    calendar_html,
    flag,
    heads,
    kpi_label,
    member_names,
    more_rows,
    person,
    role_label,
    yes,
)
from casekit.cases.t3_performance.kpi_sets import set_lacks
from casekit.html import esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count, format_share
from casekit.rubric.checks import cached
from casekit.scenario.performance import appraisal_calendar

__all__ = ["SECTIONS"]

#: at most this many members get a chart of their targets outside the band
CHARTS: Final = 8


# --------------------------------------------------------------------------------------------------- KPI sets
def _kpi_line(kpi: str, role: str, lang: str) -> str:
    found = history.catalog().get(kpi)
    if found is None or role not in found.roles:
        return flag(t("t3evidence.kpi_not_measurable", lang, kpi=kpi_label(kpi, lang)))
    text = t(
        "t3evidence.kpi_line",
        lang,
        kpi=kpi_label(kpi, lang),
        n5=t(f"t3evidence.n5_{found.n5}", lang),
        dimension=t(f"t3evidence.dim_{found.dimension}", lang),
    )
    return esc(text)


def _sets(g: Graded, lang: str) -> str:
    """Every role of the section with its set (each KPI's N5 category and dimension) and what it lacks."""
    sets = {s.role: s for s in answer_of(g, T3Answer).kpi_sets}
    counts = g.world.members["role"].value_counts()
    selling = cb.selling_roles(g.context)
    roles = [*sorted(counts.index), *sorted(r for r in sets if r not in counts.index)]
    rows, lacking = [], 0
    for role in roles:
        chosen = list(sets[role].kpis) if role in sets else []
        lacks = set_lacks(role, chosen, role in selling) if role in counts.index else []
        lacking += bool(lacks)
        texts = [flag(t(f"t3evidence.lack_{c}", lang, kpi=kpi_label(k, lang))) for c, k in lacks]
        rows.append(
            [
                esc(role_label(role, lang)),
                esc(format_count(counts.get(role, 0))),
                "<br>".join(_kpi_line(k, role, lang) for k in chosen) or "—",
                "<br>".join(texts) or esc(t("t3evidence.lacks_nothing", lang)),
                esc(sets[role].note) if role in sets else "",
            ]
        )
    intro = t(
        "t3evidence.sets_intro",
        lang,
        roles=format_count(len(counts)),
        lacking=format_count(lacking),
        selling=plain_list([esc(role_label(r, lang)) for r in sorted(selling)], lang),
    )
    table = html_table(heads(lang, "role", "members", "kpis", "lacks", "note"), rows)
    return f"<p>{intro}</p>" + table  # the intro's role names are escaped already


# ---------------------------------------------------------------------------------------------------- targets
def _member_history(g: Graded) -> pd.DataFrame:
    return cached(g.context, "member_history", lambda: history.member_history(g.world))


def _strip_chart(g: Graded, staff: str, rows: pd.DataFrame, lang: str) -> str:
    """One strip per KPI of ``rows``: the member's history months as dots, the band shaded, the target a red
    line."""
    hist = _member_history(g)
    hist = hist[hist["staff_id"] == staff]
    width, left, row, pad = 560, 150, 30, 40
    title = t("t3evidence.chart_targets", lang, member=staff)
    height = 24 + row * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" class="ck-chart">'
        f'<title>{esc(title)}</title><text x="4" y="14" font-size="12" font-weight="bold">{esc(title)}</text>'
    ]
    for i, r in enumerate(rows.to_dict("records")):
        kpi, y = str(r["kpi"]), 24 + i * row
        months = hist[hist["kpi"] == kpi]
        values = [float(v) for v in months["value"] if v == v]
        edges = [v for v in (r["floor"], r["ceiling"], r["agreed"]) if v is not None and v == v]
        lo, hi = min([*values, *edges], default=0.0), max([*values, *edges], default=1.0)
        span = (hi - lo) or 1.0

        def x(v: float, lo: float = lo, span: float = span) -> float:
            return left + pad + (v - lo) / span * (width - left - 2 * pad)

        parts.append(
            f'<text x="{left - 6}" y="{y + 14}" font-size="11" text-anchor="end">{esc(kpi_label(kpi, lang))}</text>'
        )
        if r["floor"] == r["floor"] and r["ceiling"] == r["ceiling"]:
            a, b = sorted((x(float(r["floor"])), x(float(r["ceiling"]))))
            band = esc(
                t(
                    "t3evidence.chart_band",
                    lang,
                    floor=history.format_value(kpi, r["floor"]),
                    ceiling=history.format_value(kpi, r["ceiling"]),
                )
            )
            parts.append(
                f'<rect x="{a:.1f}" y="{y + 4}" width="{b - a:.1f}" height="14" fill="#dcefdc">'
                f"<title>{band}</title></rect>"
            )
        parts.append(f'<line x1="{left}" y1="{y + 11}" x2="{width - 4}" y2="{y + 11}" stroke="#ccc"/>')
        for m, v in zip(months["month"], months["value"], strict=True):
            if v == v:
                tip = esc(f"{m}: {history.format_value(kpi, v)}")
                parts.append(
                    f'<circle cx="{x(float(v)):.1f}" cy="{y + 11}" r="3.5" fill="#3b7dd8"><title>{tip}</title></circle>'
                )
        tx = x(float(r["agreed"]))
        tip = esc(t("t3evidence.chart_target", lang, value=history.format_value(kpi, r["agreed"])))
        parts.append(
            f'<line x1="{tx:.1f}" y1="{y + 1}" x2="{tx:.1f}" y2="{y + 21}" stroke="#c00" stroke-width="2">'
            f"<title>{tip}</title></line>"
            f'<text x="{tx:.1f}" y="{y + 29}" font-size="9" text-anchor="middle" fill="#c00">{tip}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _targets(g: Graded, lang: str) -> str:
    """Every agreed target against the member's band, those outside it first; a chart per member outside."""
    frame, names = cb.target_bands(g.context), member_names(g)
    rows = []
    for r in frame.to_dict("records"):
        kpi, position = str(r["kpi"]), str(r["position"])
        text = t(f"t3evidence.position_{position}", lang)
        reason = str(r["reason"])
        rows.append(
            [
                person(str(r["staff_id"]), names),
                esc(kpi_label(kpi, lang)),
                esc(t(f"t3evidence.reason_{reason}", lang)) if reason else "—",
                *[esc(history.format_value(kpi, r[c])) for c in ("floor", "best", "team_p95", "ceiling")],
                esc(history.format_value(kpi, r["proposed"])),
                esc(history.format_value(kpi, r["agreed"])),
                esc(text) if position == "within" else flag(text),
            ]
        )
    counts = frame["position"].value_counts()
    adjusted = frame[(frame["position"] == "above") & frame["reason"].isin(["complex_queue", "ramping"])]
    intro = t(
        "t3evidence.targets_intro",
        lang,
        targets=format_count(len(frame)),
        above=format_count(int(counts.get("above", 0))),
        adjusted=format_count(len(adjusted)),
        below=format_count(int(counts.get("below", 0))),
        share=format_share(counts.get("below", 0) / len(frame) if len(frame) else 0.0),
        missing=format_count(len(cb.wanted(g.context)) - len(frame)),
    )
    columns = heads(lang, "member", "kpi", "reason", "floor", "own_best", "peer_p95", "ceiling", "proposed", "agreed")
    table = html_table([*columns, *heads(lang, "position")], rows[:MAX_ROWS], empty=t("t3evidence.no_targets", lang))
    outside = frame[frame["position"] != "within"]
    staff = list(dict.fromkeys(outside["staff_id"].astype(str)))
    charts = "".join(_strip_chart(g, s, outside[outside["staff_id"] == s], lang) for s in staff[:CHARTS])
    if charts:
        charts = f"<h4>{esc(t('t3evidence.h_target_charts', lang))}</h4>" + charts
    return f"<p>{esc(intro)}</p>" + table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang) + charts


# ------------------------------------------------------------------------------------------------- agreements
def _side(verdict: str, reason: Any, lang: str) -> str:
    if verdict == "accept":
        return t("t3evidence.verdict_accept", lang)
    why = t(f"t3evidence.why_{reason}", lang) if isinstance(reason, str) and reason else "—"
    return t("t3evidence.verdict_object", lang, reason=why)


def _faults(a: Agreement, truth: dict[Any, Any], window: tuple[dt.date, dt.date]) -> list[str]:
    """The codes of what is wrong with an agreement against the member's answer to the value proposed."""
    reason = truth["reason"] if isinstance(truth["reason"], str) else None
    out = []
    if a.member_verdict == "accept" and truth["verdict"] == "object":
        out.append("accept_over_objection")
    elif a.member_verdict != truth["verdict"] or (a.member_verdict == "object" and a.member_reason != reason):
        out.append("mismatch")
    if len(a.member_comment.strip()) < 2:
        out.append("no_words")
    if a.member_verdict == "object" and len(a.reply.strip()) < 10:
        out.append("no_reply")
    if (a.change == "revised") != (a.agreed != a.proposed):
        out.append("change_untrue")
    if not window[0] <= a.date <= window[1]:
        out.append("misdated")
    return out


def _agreements(g: Graded, lang: str) -> str:
    """Every member x KPI of the sets: whether it is on record, the simulated member's answer to the value proposed
    against the one recorded, their words, the reply, the value agreed and what changed; problems first."""
    cal, names = appraisal_calendar(g.world), member_names(g)
    window = (cal.history_end + dt.timedelta(days=1), cal.agree_by)
    found = {(a.staff_id, a.kpi): a for a in cb.agreements(g.context)}
    responses = cb.proposed_responses(g.context)
    said = {(str(r["staff_id"]), str(r["kpi"])): r for r in responses.to_dict("records")}
    wanted = cb.wanted(g.context)
    rows: list[tuple[bool, list[str]]] = []
    tally: dict[str, int] = {}
    for staff, kpi in zip(wanted["staff_id"].astype(str), wanted["kpi"].astype(str), strict=True):
        a = found.get((staff, kpi))
        who, what = person(staff, names), esc(kpi_label(kpi, lang))
        if a is None:
            tally["missing"] = tally.get("missing", 0) + 1
            rows.append((True, [who, what, flag(t("t3evidence.fault_missing", lang)), *["—"] * 7]))
            continue
        truth = said[(staff, kpi)]
        faults = _faults(a, truth, window)
        for f in faults:
            tally[f] = tally.get(f, 0) + 1
        change = t(f"t3evidence.change_{a.change}", lang)
        rows.append(
            (
                bool(faults),
                [
                    who,
                    what,
                    "<br>".join(flag(t(f"t3evidence.fault_{f}", lang)) for f in faults) or yes(True, lang),
                    esc(history.format_value(kpi, a.proposed)),
                    esc(_side(str(truth["verdict"]), truth["reason"], lang)),
                    esc(_side(a.member_verdict, a.member_reason, lang)),
                    esc(a.member_comment),
                    esc(a.reply),
                    esc(history.format_value(kpi, a.agreed)),
                    esc(f"{change} · {a.date.isoformat()}"),
                ],
            )
        )
    rows.sort(key=lambda r: not r[0])
    codes = ("missing", "accept_over_objection", "mismatch", "no_words", "no_reply", "change_untrue", "misdated")
    intro = t(
        "t3evidence.agreements_intro",
        lang,
        pairs=format_count(len(wanted)),
        first=window[0].isoformat(),
        last=window[1].isoformat(),
        objections=format_count(int((responses["verdict"] == "object").sum())),
        **{c: format_count(tally.get(c, 0)) for c in codes},
    )
    columns = heads(lang, "member", "kpi", "on_record", "proposed", "member_said", "recorded", "words", "reply")
    table = html_table(
        [*columns, *heads(lang, "agreed", "change")],
        [c for _, c in rows[:MAX_ROWS]],
        empty=t("t3evidence.no_pairs", lang),
    )
    return f"<p>{esc(intro)}</p>" + table + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)


SECTIONS: Final = (
    Section("t3-kpi-sets", "t3evidence.section_sets", _sets),
    Section("t3-targets", "t3evidence.section_targets", _targets),
    Section("t3-agreements", "t3evidence.section_agreements", _agreements),
    Section("t3-calendar", "t3evidence.section_calendar", calendar_html),
    Section("t3-appraisal", "t3evidence.section_appraisal", appraisal_html),
    free_text_section(
        "t3-texts",
        "t3evidence.section_texts",
        [("justification", "t3evidence.h_justification"), ("discussion", "t3evidence.h_discussion")],
    ),
)
