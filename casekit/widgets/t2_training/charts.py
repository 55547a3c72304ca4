"""The training plan drawn: the weekly service level as an inline SVG bar chart with the target line, and the plan as
a calendar (an offer a row, a week a column, each session's seats booked of seats, an overbooked one marked).

Pure functions of the case's figures, so tests call them; every text goes through :func:`casekit.html.esc`, and
nothing here loads a script or a font.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

import pandas as pd

from casekit.html import esc
from casekit.i18n import t
from casekit.kpi import format_number, format_share
from casekit.scenario import World
from casekit.widgets.t2_training.render import value_label

__all__ = ["HOLDS", "MISSES", "calendar_html", "service_level_svg"]

HOLDS = "#3b7dd8"
MISSES = "#d8663b"
_OVER = "background:#fde2e1;color:#b42318;font-weight:bold"
_BOOKED = "background:#dbe9fb"
_NONE = "background:#dfe3e8"


def _floor(low: float) -> float:
    """The chart's lowest level: a tenth below the lowest bar or the target, never below 0."""
    return max(0.0, math.floor(low * 10 - 1e-9) / 10 - 0.1)


def service_level_svg(weekly: pd.DataFrame, lang: str, *, width: int = 720, height: int = 260) -> str:
    """The service level of every week as vertical bars (a week that misses the target in another colour), with the
    target as a dashed line; the y axis starts a little below the lowest bar so the differences show."""
    levels = [float(x) for x in weekly["service_level"]]
    target = float(weekly["target"].iloc[0]) if len(weekly) else 0.0
    heading = t("t2widgets.chart_service_level", lang, target=format_share(target, 0))
    left, right, top, bottom = 48, 76, 30, 34
    low = _floor(min([*levels, target])) if levels else 0.0
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v: float) -> float:
        return top + plot_h * (1 - (min(max(v, low), 1.0) - low) / (1.0 - low or 1.0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'class="ck-chart ck-sl-chart"><title>{esc(heading)}</title>',
        f'<text x="4" y="16" font-size="13" font-weight="bold">{esc(heading)}</text>',
    ]
    step = 0.05 if 1.0 - low <= 0.3 else 0.1
    ticks = [low + i * step for i in range(round((1.0 - low) / step) + 1)]
    for v in ticks:
        parts.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}" stroke="#e6e8eb"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y(v) + 4:.1f}" font-size="10" text-anchor="end">{esc(format_share(v, 0))}</text>'
        )
    n = max(len(levels), 1)
    slot = plot_w / n
    for i, (week, level) in enumerate(zip(weekly["week"], levels, strict=True)):
        x, w = left + i * slot + slot * 0.15, slot * 0.7
        colour = HOLDS if level >= target else MISSES
        parts.append(
            f'<rect class="ck-sl-bar" x="{x:.1f}" y="{y(level):.1f}" width="{w:.1f}" '
            f'height="{top + plot_h - y(level):.1f}" fill="{colour}"><title>'
            f"{esc(t('t2widgets.week_n', lang, week=week))}: {esc(format_share(level, 1))}</title></rect>"
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{y(level) - 3:.1f}" font-size="9" text-anchor="middle">'
            f"{esc(format_share(level, 0))}</text>"
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle">'
            f"{esc(t('t2widgets.week_short', lang, week=week))}</text>"
        )
    ty = y(target)
    parts.append(
        f'<line class="ck-sl-target" x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
        'stroke="#c00" stroke-width="1.5" stroke-dasharray="5 3"/>'
    )
    parts.append(
        f'<text x="{width - right + 4}" y="{ty + 4:.1f}" font-size="10" fill="#c00" text-anchor="start">'
        f"{esc(t('t2widgets.target_line', lang, target=format_share(target, 0)))}</text>"
    )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#444"/>')
    parts.append("</svg>")
    return "".join(parts)


def calendar_html(
    world: World, booked: Mapping[str, int], over: Collection[str], weekly: pd.DataFrame, lang: str
) -> str:
    """The plan as a calendar: an offer a row and a week a column; a session's cell shows its seats booked of its
    seats (an overbooked session marked), a week without a session of the offer is shaded. Under the offers: the
    FTE the plan takes off the phones each week and the week's service level."""
    sessions = world.training_sessions
    weeks = [int(w) for w in world.weeks["week"]]
    starts = dict(zip(world.weeks["week"].astype(int), world.weeks["start_date"].astype(str), strict=True))
    by_cell = {
        (str(o), int(w)): (str(s), int(n))
        for s, o, w, n in zip(
            sessions["session_id"], sessions["offer_id"], sessions["week"], sessions["seats"], strict=True
        )
    }
    title_column = "title_zh_tw" if lang == "zh-TW" else "title_en"
    head = f"<th>{esc(t('t2widgets.col_offer_id', lang))}</th>"
    head += "".join(
        f"<th>{esc(t('t2widgets.week_short', lang, week=w))}<br><small>{esc(starts[w][5:])}</small></th>" for w in weeks
    )
    body = []
    for offer, kind, name in zip(
        world.training["offer_id"], world.training["offer_type"], world.training[title_column], strict=True
    ):
        label = f"{offer} · {value_label('offer_type', str(kind), lang) or kind}"
        cells = [f'<th title="{esc(name)}">{esc(label)}</th>']
        for w in weeks:
            found = by_cell.get((str(offer), w))
            if found is None:
                cells.append(f'<td style="{_NONE}"></td>')
                continue
            session, seats = found
            n = int(booked.get(session, 0))
            style = _OVER if session in over else _BOOKED if n else ""
            tip = t("t2widgets.calendar_cell", lang, session=session, booked=n, seats=seats)
            cells.append(f'<td style="{style}" title="{esc(tip)}">{esc(f"{n}/{seats}" if n else "")}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    fte = dict(zip(weekly["week"].astype(int), weekly["training_fte"].astype(float), strict=True))
    level = dict(zip(weekly["week"].astype(int), weekly["service_level"].astype(float), strict=True))
    holds = dict(zip(weekly["week"].astype(int), weekly["holds"].astype(bool), strict=True))
    fte_row = "".join(f"<td>{esc(format_number(fte.get(w, 0.0), 1))}</td>" for w in weeks)
    sl_row = "".join(
        f'<td style="color:{HOLDS if holds.get(w, True) else MISSES};font-weight:bold">'
        f"{esc(format_share(level.get(w, math.nan), 0))}</td>"
        for w in weeks
    )
    foot = (
        f"<tr><th>{esc(t('t2widgets.calendar_fte', lang))}</th>{fte_row}</tr>"
        f"<tr><th>{esc(t('t2widgets.calendar_sl', lang))}</th>{sl_row}</tr>"
    )
    return (
        f'<table class="ck-table ck-calendar"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody><tfoot>{foot}</tfoot></table>"
    )
