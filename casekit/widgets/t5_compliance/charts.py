"""T5 drawn: the regulatory training calendar as an inline SVG bar chart, the bookings of each course month by
month (a group of bars a month, a bar a course, a legend).

Pure functions of the bookings, so tests call them; every text goes through :func:`casekit.html.esc`, and nothing
here loads a script or a font.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from casekit.html import esc
from casekit.i18n import t

__all__ = ["COLOURS", "bookings_by_month", "bookings_svg", "months_between"]

COLOURS = ("#3b7dd8", "#d8663b", "#1a7f37", "#8250df", "#bf8700", "#cf222e", "#0a7ea4", "#6e7781")


def months_between(first: dt.date, last: dt.date) -> list[str]:
    """Every month from ``first``'s to ``last``'s, as ``YYYY-MM``."""
    a, b = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(a, b + 1)]


def bookings_by_month(bookings: Iterable[tuple[str, dt.date]]) -> dict[tuple[str, str], int]:
    """``(month, course) -> people booked`` from ``(course, date)`` pairs."""
    out: dict[tuple[str, str], int] = {}
    for course, day in bookings:
        key = (day.isoformat()[:7], course)
        out[key] = out.get(key, 0) + 1
    return out


def bookings_svg(
    counts: Mapping[tuple[str, str], int],
    courses: Sequence[tuple[str, str]],
    lang: str,
    *,
    height: int = 240,
    bar: int = 7,
) -> str:
    """People booked per month per course (``counts``: ``(month, course) -> n``; ``courses``: ``(id, label)`` in
    the legend's order) as grouped vertical bars, the months in order from the first booked to the last."""
    shown = [(cid, label) for cid, label in courses if any(c == cid for _, c in counts)]
    if not counts or not shown:
        return ""
    months = sorted({m for m, _ in counts})
    first, last = dt.date.fromisoformat(months[0] + "-01"), dt.date.fromisoformat(months[-1] + "-01")
    axis = months_between(first, last)
    group = bar * len(shown) + 6
    left, right, top, bottom = 40, 10, 28, 34 + 16 * ((len(shown) + 2) // 3)
    width = max(left + right + group * len(axis), 610)
    plot_h = height - top - bottom
    peak = max(counts.values())
    name = t("t5widgets.chart_bookings", lang)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'class="ck-chart ck-t5-bookings-chart"><title>{esc(name)}</title>',
        f'<text x="4" y="14" font-size="12" font-weight="bold">{esc(name)}</text>',
        f'<text x="{left - 4}" y="{y(peak) + 3:.1f}" font-size="9" text-anchor="end">{peak:,}</text>',
        f'<text x="{left - 4}" y="{y(0) + 3:.1f}" font-size="9" text-anchor="end">0</text>',
    ]
    for i, month in enumerate(axis):
        x0 = left + group * i + 3
        for j, (cid, label) in enumerate(shown):
            n = counts.get((month, cid), 0)
            if n:
                tip = t("t5widgets.chart_tip", lang, month=month, course=label, n=n)
                parts.append(
                    f'<rect class="ck-bar" data-course="{esc(cid)}" data-month="{esc(month)}" data-n="{n}" '
                    f'x="{x0 + bar * j:.1f}" y="{y(n):.1f}" width="{bar - 1}" height="{y(0) - y(n):.1f}" '
                    f'fill="{COLOURS[j % len(COLOURS)]}"><title>{esc(tip)}</title></rect>'
                )
        if i % 2 == 0 or i == len(axis) - 1:
            parts.append(
                f'<text x="{x0 + group / 2 - 3:.1f}" y="{top + plot_h + 12}" font-size="9" text-anchor="middle">'
                f"{esc(month[2:])}</text>"
            )
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#444"/>')
    for j, (_, label) in enumerate(shown):
        lx, ly = 4 + 200 * (j % 3), top + plot_h + 26 + 16 * (j // 3)
        parts.append(f'<rect x="{lx}" y="{ly - 8}" width="9" height="9" fill="{COLOURS[j % len(COLOURS)]}"/>')
        parts.append(f'<text x="{lx + 13}" y="{ly}" font-size="10">{esc(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
