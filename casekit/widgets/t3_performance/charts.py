"""T3 drawn: a member's KPI history against the agreed target as an inline SVG line chart (the history months, then
the review period shaded with its result), and the review calendar as a table (a member a row, a week a column,
each review marked, each PIP review's deadline flagged).

Pure functions of the case's figures, so tests call them; every text goes through :func:`casekit.html.esc`, and
nothing here loads a script or a font.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import pandas as pd

from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_kpi
from casekit.scenario.performance import AppraisalCalendar
from casekit.widgets.t3_performance.render import kpi_defs, kpi_label

__all__ = ["HISTORY", "RESULT_MET", "RESULT_MISSED", "TARGET", "calendar_html", "history_svg", "weeks"]

HISTORY = "#3b7dd8"
RESULT_MET = "#1a7f37"
RESULT_MISSED = "#d8663b"
TARGET = "#c00"
_PERIOD = "#f3f5f7"
_DUE = "background:#fde2e1;color:#b42318;font-weight:bold"
_AFTER = "background:#fff8e5"
_IN_PERIOD = "background:#eef4fc"
_WEEK = dt.timedelta(days=7)


def history_svg(
    history: pd.DataFrame,
    kpi: str,
    target: float | None,
    actual: float | None,
    period_months: Sequence[str],
    lang: str,
    *,
    width: int = 340,
    height: int = 180,
) -> str:
    """One member's ``kpi`` by month (``history``: ``month, value``) as a line, then the review months shaded with
    the period's result (``actual``) across them, met in green and missed in orange by the KPI's direction; the
    agreed ``target`` a dashed line across the whole chart."""
    direction = kpi_defs()[kpi].direction if kpi in kpi_defs() else 1
    months = [str(m) for m in history["month"]]
    values = [float(v) for v in history["value"]]
    axis = [*months, *[m for m in period_months if m not in months]]
    shown = [v for v in [*values, target, actual] if v is not None and not math.isnan(v)]
    low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
    pad = (high - low) * 0.12 or abs(high) * 0.05 or 1.0
    low, high = low - pad, high + pad
    name = kpi_label(kpi, lang)
    better = t("t3widgets.higher_better" if direction > 0 else "t3widgets.lower_better", lang)
    left, right, top, bottom = 52, 8, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(len(axis), 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'class="ck-chart ck-history-chart" data-kpi="{esc(kpi)}"><title>{esc(name)}</title>',
        f'<text x="4" y="14" font-size="12" font-weight="bold">{esc(name)}</text>',
        f'<text x="4" y="27" font-size="10" fill="#666">{esc(better)}</text>',
    ]
    first = next((i for i, m in enumerate(axis) if m in period_months), None)
    if first is not None:
        parts.append(
            f'<rect class="ck-period" x="{left + step * first:.1f}" y="{top}" '
            f'width="{step * (len(axis) - first):.1f}" height="{plot_h}" fill="{_PERIOD}"/>'
        )
    for v in (low + pad, high - pad):
        parts.append(
            f'<text x="{left - 4}" y="{y(v) + 3:.1f}" font-size="9" text-anchor="end">{esc(format_kpi(kpi, v))}</text>'
        )
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
    if values:
        parts.append(f'<polyline class="ck-history" points="{points}" fill="none" stroke="{HISTORY}"/>')
    for i, (month, v) in enumerate(zip(months, values, strict=True)):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{HISTORY}">'
            f"<title>{esc(month)}: {esc(format_kpi(kpi, v))}</title></circle>"
        )
    if actual is not None and first is not None and not math.isnan(actual):
        met = target is None or direction * (actual - target) >= -1e-9
        colour = RESULT_MET if met else RESULT_MISSED
        tip = t("t3widgets.chart_result", lang, value=format_kpi(kpi, actual))
        parts.append(
            f'<line class="ck-result" x1="{left + step * first:.1f}" y1="{y(actual):.1f}" x2="{width - right}" '
            f'y2="{y(actual):.1f}" stroke="{colour}" stroke-width="3"><title>{esc(tip)}</title></line>'
        )
    if target is not None and not math.isnan(target):
        tip = t("t3widgets.chart_target", lang, value=format_kpi(kpi, target))
        parts.append(
            f'<line class="ck-target" x1="{left}" y1="{y(target):.1f}" x2="{width - right}" y2="{y(target):.1f}" '
            f'stroke="{TARGET}" stroke-width="1.2" stroke-dasharray="5 3"><title>{esc(tip)}</title></line>'
        )
    for i, month in enumerate(axis):
        if i % 2 == 0 or i == len(axis) - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 13}" font-size="9" text-anchor="middle">'
                f"{esc(month[2:])}</text>"
            )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#444"/>')
    parts.append("</svg>")
    return "".join(parts)


def weeks(cal: AppraisalCalendar) -> list[dt.date]:
    """The first day of every week the calendar shows: 7-day weeks from the day after the history to the day the
    appraisal is due."""
    first = cal.history_end + dt.timedelta(days=1)
    n = (cal.appraisal_due - first).days // 7 + 1
    return [first + dt.timedelta(days=7 * i) for i in range(n)]


def calendar_html(
    members: pd.DataFrame,
    reviews: Iterable[tuple[str, str, dt.date]],
    cal: AppraisalCalendar,
    pip_review_days: int,
    lang: str,
) -> str:
    """The review calendar: a member a row, a week a column (the review period's weeks shaded, the weeks after it
    in another shade); each review a mark in its week (a review before the first week or after the last in a
    column of its own), the week a PIP review is due by flagged. ``members`` has ``staff_id, name, pip_start``."""
    starts = weeks(cal)
    first, last = starts[0], starts[-1] + dt.timedelta(days=6)
    marks = {kind: t(f"t3widgets.mark_{kind}", lang) for kind in ("one_to_one", "appraisal", "pip_review")}
    cells: dict[tuple[str, int], list[tuple[str, dt.date]]] = {}
    for staff_id, kind, day in reviews:
        column = -1 if day < first else len(starts) if day > last else (day - first).days // 7
        cells.setdefault((str(staff_id), column), []).append((kind, day))
    head = [f"<th>{esc(t('t3widgets.col_member', lang))}</th>", f"<th>{esc(t('t3widgets.week_before', lang))}</th>"]
    for start in starts:
        style = _IN_PERIOD if start <= cal.period_end else _AFTER
        head.append(f'<th style="{style}">{esc(start.isoformat()[5:])}</th>')
    head.append(f"<th>{esc(t('t3widgets.week_after', lang))}</th>")
    body = []
    for staff_id, name, pip_start in zip(members["staff_id"], members["name"], members["pip_start"], strict=True):
        due = None
        if isinstance(pip_start, str | dt.date) and str(pip_start):
            due = dt.date.fromisoformat(str(pip_start)) + dt.timedelta(days=pip_review_days)
        row = [f"<th>{esc(staff_id)} {esc(name)}</th>"]
        for column in range(-1, len(starts) + 1):
            found = sorted(cells.get((str(staff_id), column), []), key=lambda kd: kd[1])
            text = " ".join(marks.get(kind, kind) for kind, _ in found)
            tips = [f"{d.isoformat()} {t(f't3widgets.kind_{kind}', lang)}" for kind, d in found]
            style = ""
            if due is not None and 0 <= column < len(starts) and starts[column] <= due < starts[column] + _WEEK:
                style = _DUE
                tips.append(t("t3widgets.pip_due", lang, date=due.isoformat()))
                text = (text + " " if text else "") + "⚑"
            tip = f' title="{esc("; ".join(tips))}"' if tips else ""
            row.append(f'<td class="ck-cal-cell" style="{style}"{tip}>{esc(text)}</td>')
        body.append("<tr>" + "".join(row) + "</tr>")
    legend = " · ".join(f"{esc(m)} = {esc(t(f't3widgets.kind_{k}', lang))}" for k, m in marks.items())
    legend += " · ⚑ = " + esc(t("t3widgets.pip_deadline", lang))
    return (
        f'<table class="ck-table ck-review-calendar"><thead><tr>{"".join(head)}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table><p class="ck-legend" style="font-size:11px">{legend}</p>'
    )
