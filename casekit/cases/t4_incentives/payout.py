"""The payout calculator: what a scheme pays each person each period, explained line by line.

Vectorised over people with pandas so that a widget can recompute on every change (the benchmark in
``benchmarks/bench_payout.py`` times 500 staff x 90 days). Every line keeps the figures it was computed from
(``detail``), so an assessor, an audit and the candidate see the same reasoning.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casekit import months
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS, Component, Measure, Scheme
from casekit.i18n import t
from casekit.kpi import kpis

__all__ = ["PayoutResult", "achievement", "compute_payouts", "explain", "meets", "period_kpis"]


@dataclass(frozen=True)
class PayoutResult:
    """``lines``: one row per person, period and component; ``evidence``: the gate and measure figures behind
    each line; ``people``: per person and period; ``periods``: totals against the budget."""

    lines: pd.DataFrame
    evidence: pd.DataFrame
    people: pd.DataFrame
    periods: pd.DataFrame
    budget_per_period: float

    @property
    def total_cost(self) -> float:
        return float(self.periods["total"].sum())

    @property
    def budget_total(self) -> float:
        return self.budget_per_period * len(self.periods)

    @property
    def within_budget(self) -> bool:
        return self.total_cost <= self.budget_total + 1e-6


def period_kpis(contacts: pd.DataFrame, staff: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """KPIs per (staff_id, period) and per (team, period); a period is a calendar month ``YYYY-MM``."""
    frame = contacts.assign(period=months.period_column(contacts["date"]))
    frame = frame.merge(staff[["staff_id", "team"]], on="staff_id", how="left")
    return kpis(frame, ["staff_id", "period"]), kpis(frame, ["team", "period"])


def achievement(value: pd.Series, target: float, kpi: str, cap: float) -> pd.Series:
    """value / target (target / value when lower is better), within [0, cap]; NaN when there is no value."""
    ratio = value / target if KPI_DIRECTIONS[kpi] > 0 else target / value.where(value > 0)
    return ratio.clip(lower=0, upper=cap)


def meets(value: pd.Series, threshold: float, kpi: str) -> pd.Series:
    """Whether each value reaches ``threshold`` in the KPI's good direction; no value never meets."""
    ok = value >= threshold if KPI_DIRECTIONS[kpi] > 0 else value <= threshold
    return ok & value.notna()


def _grid(staff: pd.DataFrame, periods: list[str]) -> pd.DataFrame:
    people = staff[staff["role"].isin(["agent", "senior_agent", "team_leader"])][["staff_id", "role", "team"]]
    grid = people.merge(pd.DataFrame({"period": periods}), how="cross")
    return grid.sort_values(["period", "staff_id"], kind="stable").reset_index(drop=True)


def _values(grid: pd.DataFrame, person: pd.DataFrame, team: pd.DataFrame, m: Measure) -> pd.Series:
    """The measure's value per grid row. ``person`` and ``team`` are already aligned to the grid's rows.

    Team level comes from the team; individual from the person, falling back to the team for people who handle
    no contacts themselves (team leaders are paid on their team's results)."""
    team_v = team[m.kpi]
    if m.level == "team":
        return team_v
    return person[m.kpi].fillna(team_v)


def _align(grid: pd.DataFrame, person: pd.DataFrame, team: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = person.reindex(pd.MultiIndex.from_frame(grid[["staff_id", "period"]])).reset_index(drop=True)
    tm = team.reindex(pd.MultiIndex.from_frame(grid[["team", "period"]])).reset_index(drop=True)
    return p.set_axis(grid.index), tm.set_axis(grid.index)


def _evidence(
    grid: pd.DataFrame,
    c: Component,
    kind: str,
    kpi: str,
    level: str,
    value: pd.Series,
    target: float,
    weight: float,
    result: pd.Series,
) -> pd.DataFrame:
    """Long-format figures behind a component's lines: one row per person, period and gate or measure."""
    return pd.DataFrame(
        {
            "period": grid["period"],
            "staff_id": grid["staff_id"],
            "component": c.id,
            "kind": kind,
            "kpi": kpi,
            "level": level,
            "value": value,
            "target": target,
            "weight": weight,
            "result": result,  # achievement for a measure, 1.0/0.0 passed for a gate
        }
    )


def _component(
    c: Component, grid: pd.DataFrame, person: pd.DataFrame, team: pd.DataFrame
) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    rate = grid["role"].map({k: float(v) for k, v in c.pay.items()})
    eligible = rate.notna()
    rate = rate.fillna(0.0)
    evidence = []
    gates_ok = pd.Series(True, index=grid.index)
    for g in c.gates:
        v = _values(grid, person, team, Measure(kpi=g.kpi, target=g.threshold))
        ok = meets(v, g.threshold, g.kpi)
        gates_ok &= ok
        evidence.append(_evidence(grid, c, "gate", g.kpi, "individual", v, g.threshold, 0.0, ok.astype(float)))

    measure_values = []
    for m in c.measures:
        v = _values(grid, person, team, m)
        measure_values.append(v)
        ach = achievement(v, m.target, m.kpi, c.achievement_cap)
        evidence.append(_evidence(grid, c, "measure", m.kpi, m.level, v, m.target, m.weight, ach))

    units = pd.Series(np.nan, index=grid.index)
    if c.type == "commission":
        units = person["sales"].fillna(0.0)
        raw = rate * units
    elif c.type == "threshold_bonus" or (c.type == "non_cash" and c.non_cash_kind != "competition"):
        m = c.measures[0]
        units = meets(measure_values[0], m.target, m.kpi).astype(float)
        raw = rate * units
    elif c.type == "tiered":
        m = c.measures[0]
        units = pd.Series(0.0, index=grid.index)
        for band in sorted(c.bands, key=lambda b: b.fraction):
            units = units.where(~meets(measure_values[0], band.threshold, m.kpi), band.fraction)
        raw = rate * units
    elif c.type in ("scorecard", "team_bonus"):
        units = pd.Series(0.0, index=grid.index)
        for m, v in zip(c.measures, measure_values, strict=True):
            units += m.weight * achievement(v, m.target, m.kpi, c.achievement_cap).fillna(0.0)
        raw = rate * units
    else:  # non_cash competition: the top_n per period on the measure, ties broken by staff id
        m = c.measures[0]
        v = measure_values[0].where(eligible & gates_ok)
        key = v * KPI_DIRECTIONS[m.kpi]
        order = grid.assign(_k=key).sort_values(["period", "_k", "staff_id"], ascending=[True, False, True])
        order = order[order["_k"].notna()]
        winners = order.groupby("period").head(c.top_n or 1).index
        units = pd.Series(grid.index.isin(winners).astype(float), index=grid.index)
        raw = rate * units

    raw = raw.where(eligible & gates_ok, 0.0).fillna(0.0)
    amount = raw.clip(upper=c.cap) if c.cap is not None else raw
    lines = pd.DataFrame(
        {
            "period": grid["period"],
            "staff_id": grid["staff_id"],
            "role": grid["role"],
            "team": grid["team"],
            "component": c.id,
            "type": c.type,
            "cash": c.type != "non_cash",
            "eligible": eligible,
            "gates_passed": gates_ok,
            "rate": rate,
            "units": units,  # sales for commission, score for scorecards, band fraction, 1/0 for thresholds
            "amount_raw": raw.round(2),
            "amount": amount.round(2),
            "capped": (amount < raw - 1e-9),
        }
    )
    return lines, evidence


def compute_payouts(
    scheme: Scheme,
    contacts: pd.DataFrame,
    staff: pd.DataFrame,
    periods: list[str] | None = None,
    *,
    kpi_tables: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> PayoutResult:
    """Apply ``scheme`` to every agent, senior agent and team leader for each period of ``contacts``.

    ``kpi_tables`` is :func:`period_kpis` of the same contacts and staff, computed once by a caller that
    recomputes payouts for many schemes (the widget's live preview).
    """
    person_kpis, team_kpis = kpi_tables if kpi_tables is not None else period_kpis(contacts, staff)
    all_periods = sorted(set(person_kpis.index.get_level_values("period")))
    chosen = all_periods if periods is None else [p for p in all_periods if p in set(periods)]
    grid = _grid(staff, chosen)
    person, team = _align(grid, person_kpis, team_kpis)
    parts = [_component(c, grid, person, team) for c in scheme.components]
    lines = pd.concat([p[0] for p in parts], ignore_index=True)
    evidence_parts = [e for p in parts for e in p[1]]
    evidence = (
        pd.concat(evidence_parts, ignore_index=True)
        if evidence_parts
        else pd.DataFrame(
            columns=["period", "staff_id", "component", "kind", "kpi", "level", "value", "target", "weight", "result"]
        )
    )

    if scheme.cap_per_person is not None and len(lines):
        cash = lines["amount"].where(lines["cash"], 0.0)
        total = cash.groupby([lines["period"], lines["staff_id"]]).transform("sum")
        factor = np.where(total > scheme.cap_per_person, scheme.cap_per_person / total.where(total > 0, 1), 1.0)
        scaled = (lines["amount"] * np.where(lines["cash"], factor, 1.0)).round(2)
        lines["capped"] = lines["capped"] | (scaled < lines["amount"] - 1e-9)
        lines["amount"] = scaled

    lines = lines.sort_values(["period", "staff_id", "component"], kind="stable").reset_index(drop=True)
    by = ["period", "staff_id", "role", "team"]
    cash_amount = lines["amount"].where(lines["cash"], 0.0)
    people = (
        lines.assign(cash_amount=cash_amount, non_cash_amount=lines["amount"] - cash_amount)
        .groupby(by, sort=True)[["cash_amount", "non_cash_amount"]]
        .sum()
        .rename(columns={"cash_amount": "cash", "non_cash_amount": "non_cash"})
        .reset_index()
    )
    people["total"] = people["cash"] + people["non_cash"]
    periods_df = people.groupby("period")[["cash", "non_cash", "total"]].sum().reset_index()
    periods_df["budget"] = scheme.budget_per_period
    periods_df["variance"] = periods_df["total"] - periods_df["budget"]
    return PayoutResult(lines, evidence, people, periods_df, scheme.budget_per_period)


def _fmt(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "-"
    return f"{value:,.3g}" if isinstance(value, float) and abs(value) < 10 else f"{value:,.0f}"


def explain(result: PayoutResult, staff_id: str, period: str, lang: str | None = None) -> list[str]:
    """The person's payout for the period, one readable line per component and one per gate and measure."""
    lines = result.lines[(result.lines["staff_id"] == staff_id) & (result.lines["period"] == period)]
    ev = result.evidence[(result.evidence["staff_id"] == staff_id) & (result.evidence["period"] == period)]
    out = []
    for row in lines.to_dict("records"):
        key = "t4.explain_line" if row["eligible"] else "t4.explain_ineligible"
        out.append(
            t(
                key,
                lang,
                component=row["component"],
                type=t(f"t4.type_{row['type']}", lang),
                raw=_fmt(row["amount_raw"]),
                amount=_fmt(row["amount"]),
            )
        )
        for e in ev[ev["component"] == row["component"]].to_dict("records"):
            kpi = t(f"kpi.{e['kpi']}", lang)
            if e["kind"] == "gate":
                key = "t4.explain_gate_ok" if e["result"] else "t4.explain_gate_fail"
                out.append("  " + t(key, lang, kpi=kpi, value=_fmt(e["value"]), threshold=_fmt(e["target"])))
            else:
                out.append(
                    "  "
                    + t(
                        "t4.explain_measure",
                        lang,
                        kpi=kpi,
                        value=_fmt(e["value"]),
                        target=_fmt(e["target"]),
                        achievement=_fmt(e["result"]),
                        weight=_fmt(e["weight"]),
                    )
                )
        if row["capped"]:
            out.append("  " + t("t4.explain_capped", lang))
    return out
