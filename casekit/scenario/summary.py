"""What ``casekit scenario show`` prints: headcount, KPI medians, turnover and seeded breaches of a world."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from casekit.kpi import kpis
from casekit.scenario.world import World

__all__ = ["Summary", "summarise", "turnover_rate"]

SUMMARY_KPIS = ("aht_s", "adherence", "availability", "occupancy", "fcr", "csat", "qa", "conversion")


@dataclass(frozen=True)
class Summary:
    headcount_by_role_team: pd.DataFrame  # roles x teams, with totals
    kpi_medians: dict[str, float]  # median over agents of each person's KPI for the whole period
    turnover: dict[str, float]  # annual_rate, voluntary_rate, early_tenure_share, leavers, average_headcount
    breaches: dict[str, int]  # seeded breach count per incident type
    contacts: int
    days: int


def turnover_rate(world: World) -> dict[str, float]:
    """Leavers over the history window as an annual rate of average headcount (period-rate method, FACTS.md).

    Average headcount = (headcount at the window's start + headcount now) / 2, where the start headcount adds back
    the leavers and removes those hired since.
    """
    history = world.spec.turnover.history_days
    window_start = (world.spec.start_date - dt.timedelta(days=history)).isoformat()
    leavers = world.leavers
    now = len(world.staff)
    hired_since = int((world.staff["hire_date"] > window_start).sum())
    start = now + len(leavers) - hired_since
    average = (start + now) / 2
    scale = 365 / history
    n = len(leavers)
    voluntary = int((leavers["leaver_type"] == "voluntary").sum()) if n else 0
    return {
        "leavers": float(n),
        "average_headcount": average,
        "annual_rate": n / average * scale if average else 0.0,
        "voluntary_rate": voluntary / average * scale if average else 0.0,
        "early_tenure_share": float((leavers["tenure_days"] < 90).mean()) if n else 0.0,
    }


def summarise(world: World) -> Summary:
    staff = world.staff
    table = pd.crosstab(staff["role"], staff["team"], margins=True, margins_name="Σ")
    per_person = kpis(world.contacts, "staff_id")
    medians = {k: float(per_person[k].median()) for k in SUMMARY_KPIS}
    inc = world.incidents
    breaches = inc[inc["breach"]].groupby("type").size()
    return Summary(
        headcount_by_role_team=table,
        kpi_medians=medians,
        turnover=turnover_rate(world),
        breaches={str(k): int(v) for k, v in breaches.items()},
        contacts=int(world.contacts["handled"].sum()),
        days=world.days,
    )
