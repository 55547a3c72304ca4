"""The training plan's live figures as HTML: what it costs against the budget, the sessions booked beyond their
seats, the weekly service level as a table, the gaps the plan's bookings cover and those still open, and the
offers on sale. Pure functions of what the case returns, so tests and the benchmark call them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import pandas as pd

from casekit.cases.t2_training.case import T2Case
from casekit.i18n import t
from casekit.kpi import format_count, format_money, format_share
from casekit.scenario import World
from casekit.widgets.render import message_html
from casekit.widgets.t2_training.charts import calendar_html, service_level_svg
from casekit.widgets.t2_training.render import field_table, table_html

__all__ = ["OPEN_SHOWN", "PlanFigures", "booked_seats", "gaps_html", "offers_frame", "over_html", "spend_html"]

#: the open gaps listed under the figures (the rest counted): a table rendered after every change stays small
OPEN_SHOWN = 100
_OPEN_COLUMNS = ("staff_id", "role", "team", "skill_id", "required", "current", "gap", "compliance_critical", "status")


def offers_frame(world: World, lang: str) -> pd.DataFrame:
    """The offers with their title in ``lang``."""
    offers = world.training.copy()
    offers["title"] = offers["title_zh_tw" if lang == "zh-TW" else "title_en"]
    columns = ["offer_id", "offer_type", "title", "skills", "category", "cost_per_person", "hours", "capacity"]
    return pd.DataFrame(offers[[*columns, "provider"]])


def booked_seats(rows: Iterable[tuple[str, str]]) -> Counter[str]:
    """Seats booked per session (a person booked twice on one session holds one seat)."""
    return Counter(session for _, session in dict.fromkeys(rows))


def spend_html(spend: int, budget: int, lang: str) -> str:
    """The plan's cost against the budget, and what is left (or how far over it is)."""
    share = spend / budget if budget else float("nan")
    rows = [
        ("t2widgets.spend", format_money(spend, lang)),
        ("t2widgets.budget", format_money(budget, lang)),
        ("t2widgets.budget_used", format_share(share, 1)),
    ]
    within = spend <= budget
    key = "t2widgets.within_budget" if within else "t2widgets.over_budget"
    verdict = t(key, lang, amount=format_money(abs(budget - spend), lang))
    return field_table(rows, lang) + message_html(verdict, "ok" if within else "warn")


def over_html(over: pd.DataFrame, lang: str) -> str:
    if over.empty:
        return message_html(t("t2widgets.no_over_capacity", lang), "ok")
    line = message_html(t("t2widgets.over_capacity", lang, n=len(over)), "warn")
    return line + table_html(over, lang, counts=("seats", "booked"))


def weekly_html(weekly: pd.DataFrame, lang: str) -> str:
    missed = weekly[~weekly["holds"]]
    parts = []
    if len(weekly):
        at = int(weekly["service_level"].to_numpy(dtype=float).argmin())
        week, level = int(weekly["week"].iloc[at]), float(weekly["service_level"].iloc[at])
        text = t("t2widgets.lowest_week", lang, week=week, level=format_share(level, 1), missed=len(missed))
        parts.append(message_html(text, "warn" if len(missed) else "ok"))
    columns = ("week", "volume_index", "scheduled_fte", "training_hours", "training_fte", "available_fte")
    parts.append(
        table_html(
            weekly,
            lang,
            columns=(*columns, "service_level", "holds"),
            counts=("week",),
            numbers={"volume_index": 2, "scheduled_fte": 1, "training_hours": 1, "training_fte": 2, "available_fte": 1},
            shares=("service_level",),
        )
    )
    return "".join(parts)


def gaps_html(closed: pd.DataFrame, lang: str, limit: int = OPEN_SHOWN) -> str:
    """How many of the audit's gaps a booking covers, and the first ``limit`` of those still open."""
    n_closed = int(closed["closed"].sum()) if len(closed) else 0
    line = t("t2widgets.gaps_covered", lang, closed=format_count(n_closed), total=format_count(len(closed)))
    still = closed[~closed["closed"]] if len(closed) else closed
    table = table_html(still.head(limit), lang, columns=_OPEN_COLUMNS, counts=("required", "current", "gap"))
    more = len(still) - limit
    return message_html(line) + table + (message_html(t("t2widgets.more_rows", lang, n=more)) if more > 0 else "")


class PlanFigures:
    """Every live figure of a plan, as HTML: spend, over capacity, the chart, the weekly table, the calendar, the
    gaps; one recompute from the case (its memo holds the weeks' Erlang-C needs). ``budget`` is the policy's,
    read once: it depends on the world alone."""

    def __init__(self, case: T2Case, lang: str, budget: int) -> None:
        weekly = case.weekly_service_level()
        over = case.over_capacity()
        self.spend = spend_html(case.spend(), budget, lang)
        self.over = over_html(over, lang)
        self.chart = service_level_svg(weekly, lang)
        self.weekly = weekly_html(weekly, lang)
        booked = booked_seats(case.rows)
        self.calendar = calendar_html(case.world, booked, set(over["session_id"]), weekly, lang)
        self.gaps = gaps_html(case.closed_gaps(), lang)
