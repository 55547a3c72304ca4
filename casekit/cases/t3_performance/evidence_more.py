"""T3's evidence of the review calendar and the data plan, and the labels every T3 evidence section uses.

The calendar: every requirement the reviews miss (a month without a one-to-one, no appraisal in its window, a PIP
review later than the policy's days, a review in the past) and the reviews as a compact chart (members x days). The
data plan against the catalog's source and frequency of each KPI.

Figures come from the grading's cache (:mod:`~casekit.cases.t3_performance.checks_base`); every value from the
candidate goes through :func:`~casekit.html.esc`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from casekit.cases.sections import Graded, answer_of
from casekit.cases.t3_performance import checks_base as cb
from casekit.cases.t3_performance import history
from casekit.cases.t3_performance.answer import T3Answer
from casekit.cases.t3_performance.checks_more import review_problems
from casekit.html import esc, html_table
from casekit.i18n import t
from casekit.kpi import format_count
from casekit.scenario.catalogs import load_roles
from casekit.scenario.performance import appraisal_calendar

__all__ = [
    "MAX_ROWS",
    "calendar_html",
    "day",
    "flag",
    "heads",
    "kpi_label",
    "member_names",
    "more_rows",
    "person",
    "role_label",
    "yes",
]

#: A long table shows this many rows (the ones that matter first) and says how many more there are.
MAX_ROWS: Final = 40
_EVERY: Final = {"daily": 0, "weekly": 1, "monthly": 2, "quarterly": 3}
#: the room each item of the calendar chart's legend takes (px)
_LEGEND: Final = 135
_MARKS: Final = {"one_to_one": "#3b7dd8", "appraisal": "#2e9e4f", "pip_review": "#d8663b"}


def heads(lang: str, *columns: str) -> list[str]:
    return [t(f"t3evidence.col_{c}", lang) for c in columns]


def more_rows(shown: int, total: int, lang: str) -> str:
    """A line saying how many rows a cut table leaves out (nothing when it shows them all)."""
    if total <= shown:
        return ""
    return f"<p>{esc(t('t3evidence.more_rows', lang, count=format_count(total - shown)))}</p>"


def yes(flag_: bool, lang: str) -> str:
    return esc(t("t3evidence.yes" if flag_ else "t3evidence.no", lang))


def flag(text: str) -> str:
    """``text`` (plain) marked as a problem the grader found."""
    return f'<strong class="t3-flag">⚠ {esc(text)}</strong>'


def kpi_label(kpi: str, lang: str) -> str:
    """The KPI's name in ``lang`` (its id when the catalog has no such KPI)."""
    found = history.catalog().get(kpi)
    return kpi if found is None else found.zh_tw if lang == "zh-TW" else found.en


def role_label(role: str, lang: str) -> str:
    return {r.id: r.label(lang) for r in load_roles()}.get(role, role)


def member_names(g: Graded) -> dict[str, str]:
    members = g.world.members
    return dict(zip(members["staff_id"].astype(str), members["name"].astype(str), strict=True))


def person(staff_id: str, names: dict[str, str]) -> str:
    """A staff id with the person's name (the id alone when the section has no such member), escaped."""
    name = names.get(staff_id)
    return esc(staff_id) if name is None else f"{esc(staff_id)} {esc(name)}"


def day(value: object) -> dt.date:
    """A date of a world table (a date, a timestamp or ISO text) as a date."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


# --------------------------------------------------------------------------------------------------- calendar
def _problem_text(g: Graded, staff: str, problem: str, month: Any, lang: str) -> str:
    cal = appraisal_calendar(g.world)
    month_text = "" if month is None or month != month else str(month)
    if problem == "pip_late":
        pips = g.world.pips.set_index("staff_id")
        start = day(pips.loc[staff, "start_date"]) if staff in pips.index else cal.period_start
        due = start + dt.timedelta(days=int(g.world.spec.appraisal.pip_review_days))
        return t("t3evidence.problem_pip_late", lang, start=start.isoformat(), due=due.isoformat())
    if problem == "no_appraisal":
        first = cal.period_end + dt.timedelta(days=1)
        return t("t3evidence.problem_no_appraisal", lang, first=first.isoformat(), due=cal.appraisal_due.isoformat())
    if problem in ("no_one_to_one", "past"):
        first = cal.history_end + dt.timedelta(days=1)
        return t(f"t3evidence.problem_{problem}", lang, month=month_text, first=first.isoformat())
    return problem


def _calendar_chart(g: Graded, lang: str) -> str:
    """Members x days from the first PIP start (or the period's start) to the appraisal deadline: a mark per
    review, each PIP's review window and the appraisal window shaded, the months' first days as lines."""
    cal, answer = appraisal_calendar(g.world), answer_of(g, T3Answer)
    pips = {str(s): day(d) for s, d in zip(g.world.pips["staff_id"], g.world.pips["start_date"], strict=True)}
    start = min([cal.period_start, *pips.values()])
    end = cal.appraisal_due
    days = (end - start).days + 1
    members = [str(s) for s in g.world.members["staff_id"]]
    step, row, left, top = max(2, min(5, 520 // max(days, 1))), 10, 80, 34
    width, height = max(left + days * step + 10, 5 * _LEGEND), top + row * len(members) + 30

    def x(d: dt.date) -> float:
        return left + (d - start).days * step

    title = t("t3evidence.chart_calendar", lang)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" class="ck-chart">'
        f'<title>{esc(title)}</title><text x="4" y="14" font-size="13" font-weight="bold">{esc(title)}</text>',
        f'<rect x="{x(cal.period_end) + step:.0f}" y="{top - 4}" width="{(end - cal.period_end).days * step}" '
        f'height="{row * len(members) + 4}" fill="#e4f3e8"/>',
    ]
    d = start
    while d <= end:
        if d.day == 1:
            parts.append(f'<line x1="{x(d):.0f}" y1="{top - 12}" x2="{x(d):.0f}" y2="{height - 26}" stroke="#bbb"/>')
            parts.append(f'<text x="{x(d) + 2:.0f}" y="{top - 6}" font-size="9">{esc(d.strftime("%Y-%m"))}</text>')
        d += dt.timedelta(days=1)
    pip_days = int(g.world.spec.appraisal.pip_review_days)
    by_member: dict[str, list[tuple[str, dt.date]]] = {}
    for r in answer.reviews:
        by_member.setdefault(r.staff_id, []).append((r.kind, r.date))
    for i, staff in enumerate(members):
        y = top + i * row
        parts.append(f'<text x="{left - 4}" y="{y + 8}" font-size="8" text-anchor="end">{esc(staff)}</text>')
        if staff in pips:
            parts.append(
                f'<rect x="{x(pips[staff]) + step:.0f}" y="{y}" width="{pip_days * step}" height="{row - 1}" '
                'fill="#fbe3d6"/>'
            )
        for kind, when in by_member.get(staff, []):
            if start <= when <= end:
                colour = _MARKS.get(kind, "#444")
                label = esc(f"{staff} {t(f't3evidence.review_{kind}', lang)} {when.isoformat()}")
                parts.append(
                    f'<rect x="{x(when):.0f}" y="{y + 1}" width="{step}" height="{row - 3}" fill="{colour}">'
                    f"<title>{label}</title></rect>"
                )
    legend = [(c, t(f"t3evidence.review_{k}", lang)) for k, c in _MARKS.items()]
    legend += [("#fbe3d6", t("t3evidence.legend_pip_window", lang))]
    legend += [("#e4f3e8", t("t3evidence.legend_appraisal_window", lang))]
    for j, (colour, text) in enumerate(legend):
        lx = 4 + j * _LEGEND
        parts.append(f'<rect x="{lx}" y="{height - 18}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 14}" y="{height - 9}" font-size="10">{esc(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _data_plan(g: Graded, lang: str) -> str:
    """Every KPI of the sets with the catalog's source and frequency against the plan's, then KPIs planned that no
    set has."""
    kpis, plan = history.catalog(), {d.kpi: d for d in answer_of(g, T3Answer).data_plan}
    needed = sorted(set(cb.wanted(g.context)["kpi"]))
    rows, wrong = [], 0
    for kpi in [*needed, *sorted(k for k in plan if k not in needed)]:
        item, ref = plan.get(kpi), kpis.get(kpi)
        if kpi not in needed:
            status = "not_in_sets"
        elif item is None:
            status = "missing"
        elif ref is not None and item.source != ref.source:
            status = "wrong_source"
        elif ref is not None and _EVERY[item.frequency] > _EVERY.get(ref.frequency, 3):
            status = "too_rare"
        else:
            status = "ok"
        wrong += status in ("missing", "wrong_source", "too_rare")
        text = t(f"t3evidence.plan_{status}", lang)
        rows.append(
            [
                esc(kpi_label(kpi, lang)),
                esc(t(f"t3evidence.source_{ref.source}", lang)) if ref else "—",
                esc(t(f"t3evidence.freq_{ref.frequency}", lang)) if ref else "—",
                esc(t(f"t3evidence.source_{item.source}", lang)) if item else "—",
                esc(t(f"t3evidence.freq_{item.frequency}", lang)) if item else "—",
                esc(role_label(item.owner_role, lang)) if item else "—",
                esc(text) if status in ("ok", "not_in_sets") else flag(text),
            ]
        )
    intro = t("t3evidence.plan_intro", lang, kpis=format_count(len(needed)), wrong=format_count(wrong))
    columns = heads(lang, "kpi", "source_needed", "frequency_needed", "source", "frequency", "owner_role", "status")
    return f"<p>{esc(intro)}</p>" + html_table(columns, rows, empty=t("t3evidence.no_plan", lang))


def calendar_html(g: Graded, lang: str) -> str:
    """The review calendar's problems by member, the calendar as a chart, then the data plan."""
    problems, names = review_problems(g.context), member_names(g)
    months = problems["month"] if "month" in problems.columns else [None] * len(problems)
    rows = [
        [person(str(s), names), flag(_problem_text(g, str(s), str(p), m, lang))]
        for s, p, m in zip(problems["staff_id"], problems["problem"], months, strict=True)
    ]
    counts = problems["problem"].value_counts()
    kinds = ("no_one_to_one", "no_appraisal", "pip_late", "past")
    summary = t(
        "t3evidence.calendar_summary",
        lang,
        reviews=format_count(len(answer_of(g, T3Answer).reviews)),
        members=format_count(len(g.world.members)),
        pips=format_count(len(g.world.pips)),
        **{k: format_count(int(counts.get(k, 0))) for k in kinds},
    )
    table = html_table(heads(lang, "member", "problem"), rows[:MAX_ROWS], empty=t("t3evidence.no_problems", lang))
    return (
        f'<p class="t3-calendar">{esc(summary)}</p>'
        + table
        + more_rows(min(len(rows), MAX_ROWS), len(rows), lang)
        + _calendar_chart(g, lang)
        + f"<h4>{esc(t('t3evidence.h_data_plan', lang))}</h4>"
        + _data_plan(g, lang)
    )
