"""T2's evidence of the training plan and its evaluation, and the labels every T2 evidence section uses.

The plan: its spend against the budget, the sessions booked beyond their seats, the gaps above the threshold it
books, the service level of every week with its training off the phones (a chart against the target, the weeks
below it marked), the plan as a calendar (offers x weeks, people booked) and the gaps deferred. The evaluation: the
measure chosen at each Kirkpatrick level, the Phillips ROI reported against the one recomputed from the simulated
months, and the three months' KPI means of the people trained and of those not.

Figures come from the grading's cache (:mod:`~casekit.cases.t2_training.checks_base`), so nothing the checks
computed is computed twice; every value from the candidate goes through :func:`~casekit.html.esc`.
"""

from __future__ import annotations

from typing import Final

from casekit.cases.sections import Graded, answer_of
from casekit.cases.t2_training import checks_base as cb
from casekit.cases.t2_training import evaluation as ev
from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.answer import LEVELS, T2Answer
from casekit.cases.t2_training.audit import CATEGORIES
from casekit.cases.t2_training.checks_more import training_outcome
from casekit.cases.t2_training.review import kpi_months
from casekit.html import bar_chart, esc, html_table, plain_list
from casekit.i18n import t
from casekit.kpi import format_count, format_kpi, format_money, format_number, format_share
from casekit.scenario import World
from casekit.scenario.catalogs import load_induction_topics, load_roles, load_skills

__all__ = [
    "MAX_ROWS",
    "evaluation_html",
    "heads",
    "kind_label",
    "more_rows",
    "offer_label",
    "plan_html",
    "role_label",
    "skill_label",
    "topic_label",
    "week_label",
    "yes",
]

#: A long table shows this many rows (the ones that matter first) and says how many more there are.
MAX_ROWS: Final = 30
_OFFER_TYPES: Final = ("e_learning", "internal_coaching", "vendor_course")
_KPIS: Final = ("qa", "fcr", "aht_s")


def skill_label(skill: str, lang: str) -> str:
    return {s.id: s.label(lang) for s in load_skills()}.get(skill, skill)


def role_label(role: str, lang: str) -> str:
    return {r.id: r.label(lang) for r in load_roles()}.get(role, role)


def topic_label(topic: str, lang: str) -> str:
    return {x.id: x.label(lang) for x in load_induction_topics()}.get(topic, topic)


def kind_label(kind: str, lang: str) -> str:
    return t(f"t2evidence.kind_{kind}", lang) if kind in CATEGORIES else kind


def offer_label(world: World, offer: str, lang: str) -> str:
    """The offer's title in ``lang`` (its id when the world has no such offer)."""
    offers = world.training.set_index("offer_id")
    if offer not in offers.index:
        return offer
    return str(offers.loc[offer, "title_zh_tw" if lang == "zh-TW" else "title_en"])


def _offer_type(kind: str, lang: str) -> str:
    return t(f"t2evidence.offer_{kind}", lang) if kind in _OFFER_TYPES else kind


def yes(flag: bool, lang: str) -> str:
    return esc(t("t2evidence.yes" if flag else "t2evidence.no", lang))


def heads(lang: str, *columns: str) -> list[str]:
    return [t(f"t2evidence.col_{c}", lang) for c in columns]


def more_rows(shown: int, total: int, lang: str) -> str:
    """A line saying how many rows a cut table leaves out (nothing when it shows them all)."""
    if total <= shown:
        return ""
    return f"<p>{esc(t('t2evidence.more_rows', lang, count=format_count(total - shown)))}</p>"


# ------------------------------------------------------------------------------------------------------ plan
def _spend(g: Graded, lang: str) -> str:
    answer = answer_of(g, T2Answer)
    spend, budget = schedule.spend(g.world, cb.rows(g.context)), schedule.budget(g.world)
    money = {"spend": format_money(spend, lang), "budget": format_money(budget, lang)}
    share = format_share(spend / budget) if budget else "-"
    if spend > budget:
        text = t("t2evidence.spend_over", lang, share=share, over=format_money(spend - budget, lang), **money)
    else:
        text = t("t2evidence.spend_within", lang, share=share, left=format_money(budget - spend, lang), **money)
    reported = t("t2evidence.spend_reported", lang, reported=format_money(answer.reported.spend, lang))
    above = cb.true_above(g.context)
    closed = int(above["closed"].astype(bool).sum())
    gaps = t(
        "t2evidence.gaps_booked",
        lang,
        gaps=format_count(len(above)),
        closed=format_count(closed),
        deferred=format_count(len(answer.deferred)),
    )
    over = schedule.over_capacity(g.world, cb.rows(g.context))
    sessions = g.world.training_sessions.set_index("session_id")
    rows = [
        [
            esc(s),
            esc(offer_label(g.world, str(sessions.loc[s, "offer_id"]), lang)),
            esc(format_count(sessions.loc[s, "week"])),
            esc(format_count(n)),
            esc(format_count(b)),
        ]
        for s, n, b in zip(over["session_id"], over["seats"], over["booked"], strict=True)
    ]
    capacity = html_table(
        heads(lang, "session", "offer", "week", "seats", "booked"), rows, empty=t("t2evidence.no_overbooking", lang)
    )
    return (
        f'<p class="t2-spend">{esc(text)} {esc(reported)}</p><p>{esc(gaps)}</p>'
        + f"<h4>{esc(t('t2evidence.h_capacity', lang))}</h4>"
        + capacity
    )


def week_label(week: int, holds: bool, lang: str) -> str:
    return t("t2evidence.week_label" if holds else "t2evidence.week_below", lang, week=week)


def _service(g: Graded, lang: str) -> str:
    answer = answer_of(g, T2Answer)
    weekly = cb.weekly(g.context)
    target = float(weekly["target"].iloc[0]) if len(weekly) else float(g.world.spec.targets.service_level)
    weeks = [int(w) for w in weekly["week"]]
    holds = [bool(h) for h in weekly["holds"]]
    levels = [float(v) for v in weekly["service_level"]]
    chart = bar_chart(
        [week_label(w, h, lang) for w, h in zip(weeks, holds, strict=True)],
        [100 * v for v in levels],
        title=t("t2evidence.chart_service", lang, target=format_share(target)),
        unit="%",
        reference=100 * target,
    )
    failing = [format_count(w) for w, h in zip(weeks, holds, strict=True) if not h]
    if failing:  # week numbers only: the list is plain text
        text = t("t2evidence.service_below", lang, target=format_share(target), weeks=plain_list(failing, lang))
    else:
        text = t("t2evidence.service_holds", lang, target=format_share(target))
    lowest = t(
        "t2evidence.service_lowest",
        lang,
        lowest=format_share(min(levels) if levels else None),
        reported=format_share(answer.reported.lowest_service_level),
    )
    return f'<p class="t2-service">{esc(text)} {esc(lowest)}</p>' + chart


def _calendar(g: Graded, lang: str) -> str:
    plan = schedule.plan_frame(g.world, cb.rows(g.context))
    weeks = [int(w) for w in g.world.weeks["week"]]
    counts = plan.groupby(["offer_id", "week"]).size()
    types = dict(zip(g.world.training["offer_id"], g.world.training["offer_type"], strict=True))
    rows = []
    for offer in sorted(set(plan["offer_id"])):
        cells = [esc(format_count(counts.get((offer, w), 0))) if (offer, w) in counts.index else "" for w in weeks]
        total = format_count(int((plan["offer_id"] == offer).sum()))
        label = esc(offer_label(g.world, offer, lang))
        rows.append([label, esc(_offer_type(str(types.get(offer, "")), lang)), *cells, esc(total)])
    per_week = plan.groupby("week").size()
    rows.append(
        [
            esc(t("t2evidence.calendar_people", lang)),
            "",
            *[esc(format_count(per_week.get(w, 0))) for w in weeks],
            esc(format_count(len(plan))),
        ]
    )
    weekly = cb.weekly(g.context)
    fte = dict(zip(weekly["week"], weekly["training_fte"], strict=True))
    rows.append(
        [esc(t("t2evidence.calendar_fte", lang)), "", *[esc(format_number(fte.get(w, 0.0), 1)) for w in weeks], ""]
    )
    columns = [
        *heads(lang, "offer", "type"),
        *[t("t2evidence.week_short", lang, week=w) for w in weeks],
        *heads(lang, "total"),
    ]
    return html_table(columns, rows, cls="ck-table t2-calendar")


def _deferred(g: Graded, lang: str) -> str:
    deferred = answer_of(g, T2Answer).deferred
    rows = [[esc(d.staff_id), esc(skill_label(d.skill_id, lang)), esc(d.reason)] for d in deferred[:MAX_ROWS]]
    table = html_table(heads(lang, "staff", "skill", "reason"), rows, empty=t("t2evidence.no_deferrals", lang))
    return table + more_rows(len(rows), len(deferred), lang)


def plan_html(g: Graded, lang: str) -> str:
    """Spend and budget, seats, the weekly service level, the calendar and the gaps deferred."""
    return (
        _spend(g, lang)
        + f"<h4>{esc(t('t2evidence.h_service', lang))}</h4>"
        + _service(g, lang)
        + f"<h4>{esc(t('t2evidence.h_calendar', lang))}</h4>"
        + _calendar(g, lang)
        + f"<h4>{esc(t('t2evidence.h_deferred', lang))}</h4>"
        + _deferred(g, lang)
    )


# ------------------------------------------------------------------------------------------------ evaluation
def _measure(measure: str, lang: str) -> str:
    return t(f"t2evidence.measure_{measure}", lang) if measure in ev.MEASURES else measure


def _levels(answer: T2Answer, lang: str) -> str:
    rows = []
    for level in LEVELS:
        chosen = answer.evaluation.levels.get(level)
        fitting = ev.KIRKPATRICK.get(level, ())
        rows.append(
            [
                esc(t(f"t2evidence.level_{level}", lang)),
                esc(_measure(chosen, lang)) if chosen else "—",
                plain_list([esc(_measure(m, lang)) for m in fitting], lang),
                yes(chosen in fitting, lang),
            ]
        )
    return html_table(heads(lang, "level", "measure", "fitting", "right_level"), rows)


def _roi(g: Graded, lang: str) -> str:
    evaluation = answer_of(g, T2Answer).evaluation
    offer = evaluation.roi_offer
    reported = format_number(evaluation.roi_percent, 1)
    if offer is None:
        return f"<p>{esc(t('t2evidence.roi_none', lang, reported=reported))}</p>"
    rows = cb.rows(g.context)
    plan = schedule.plan_frame(g.world, rows)
    name = offer_label(g.world, offer, lang)
    if offer not in set(plan["offer_id"]):
        return f"<p>{esc(t('t2evidence.roi_not_booked', lang, offer=name, reported=reported))}</p>"
    roi = ev.phillips_roi(g.world, training_outcome(g.context), rows, offer)
    kind = str(g.world.training.set_index("offer_id").loc[offer, "offer_type"])
    table = html_table(
        heads(lang, "offer", "type", "people", "benefits", "costs", "roi_reported", "roi_recomputed"),
        [
            [
                esc(name),
                esc(_offer_type(kind, lang)),
                esc(format_count(roi.people)),
                esc(format_money(roi.benefits, lang)),
                esc(format_money(roi.costs, lang)),
                esc(reported),
                esc(format_number(roi.roi_percent, 1)),
            ]
        ],
    )
    note = "" if kind == "vendor_course" else f"<p>{esc(t('t2evidence.roi_not_vendor', lang))}</p>"
    return table + note


def _months(g: Graded, lang: str) -> str:
    outcome = training_outcome(g.context)
    means = kpi_months(outcome)
    means = means.assign(trained=means["group"] == "trained")
    means = means.sort_values(["month", "trained"], ascending=[True, False], kind="mergesort")
    rows = []
    for record in means.to_dict("records"):
        month, trained = int(record["month"]), bool(record["trained"])
        label = t("t2evidence.month_baseline" if month == 0 else "t2evidence.month_n", lang, month=month)
        rows.append(
            [
                esc(label),
                esc(t("t2evidence.group_trained" if trained else "t2evidence.group_untrained", lang)),
                esc(format_count(record["people"])),
                *[esc(format_kpi(k, record[k])) for k in _KPIS],
            ]
        )
    columns = [*heads(lang, "month", "group", "people"), *[t(f"kpi.{k}", lang) for k in _KPIS]]
    reaction = outcome.reaction
    answered = float(reaction["responses"].sum()) if len(reaction) else 0.0
    mean = float((reaction["mean"].fillna(0) * reaction["responses"]).sum()) / answered if answered else float("nan")
    survey = t("t2evidence.reaction", lang, responses=format_count(answered), mean=format_number(mean, 2))
    return html_table(columns, rows) + f"<p>{esc(survey)}</p>"


def evaluation_html(g: Graded, lang: str) -> str:
    """The Kirkpatrick measures, the Phillips ROI and the simulated months, then the candidate's review."""
    answer = answer_of(g, T2Answer)
    review = answer.evaluation.review or t("evidence.empty_text", lang)
    return (
        _levels(answer, lang)
        + f"<h4>{esc(t('t2evidence.h_roi', lang))}</h4>"
        + _roi(g, lang)
        + f"<h4>{esc(t('t2evidence.h_months', lang))}</h4>"
        + _months(g, lang)
        + f"<h4>{esc(t('t2evidence.h_review', lang))}</h4>"
        + f'<blockquote class="ck-text">{esc(review).replace(chr(10), "<br>")}</blockquote>'
    )
