"""Review a scheme's effectiveness after a simulated run (P4.3): KPI movement, cost, gaming and bunching.

The baseline is the world's last three months (``baseline_window``); the scheme period is the simulated
contacts (:func:`~casekit.cases.t4_incentives.response.simulate_response`, three months unless given). The review
reports:

- per KPI and per team: baseline, scheme-period value, delta and the relative change in the good direction
  (positive = better, using ``KPI_DIRECTIONS``);
- cost: the scheme's payouts over the simulated months (``compute_payouts``) against ``budget_per_period x months``;
- cost per unit of improvement for each paid KPI: the payouts attributed to that KPI (a scorecard split by measure
  weight, a single-measure component to its KPI, a commission to conversion) over the improvement in display units
  (seconds, percentage points, QA points, contacts per hour); None when the KPI did not improve;
- gaming: AHT falling while FCR or QA fall (and conversion rising while QA falls);
- bunching at each individual threshold, tier and gate: person-months within ``[t, t + band)`` against
  ``[t - band, t)`` (mirrored for lower-is-better KPIs), band = 5 % of t, as a ratio, before and after;
- notes: catalog keys (``t4review.*``) with JSON-able parameters, rendered by :meth:`ReviewNote.text`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from casekit import months
from casekit.cases.t4_incentives.payout import compute_payouts, period_kpis
from casekit.cases.t4_incentives.response import BAND, baseline_window, simulate_response
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS, Scheme
from casekit.i18n import t
from casekit.kpi import format_kpi, kpis
from casekit.scenario.world import World

__all__ = ["REVIEW_KPIS", "Review", "ReviewNote", "review_effectiveness"]

REVIEW_KPIS = ("aht_s", "adherence", "fcr", "csat", "qa", "conversion", "contacts_per_hour")
# Display unit of an improvement and the factor from the KPI's own scale to it.
UNITS: dict[str, tuple[str, float]] = {
    "aht_s": ("s", 1.0),
    "adherence": ("pp", 100.0),
    "fcr": ("pp", 100.0),
    "csat": ("pp", 100.0),
    "qa": ("pt", 1.0),
    "conversion": ("pp", 100.0),
    "contacts_per_hour": ("cph", 1.0),
}
ATTRIBUTE = {"sales": "conversion", "handled": "contacts_per_hour"}  # count KPIs: cost goes to their rate KPI
CHANGE_TOL = 0.01  # a relative change smaller than 1 % is noise
AHT_TOL, FCR_TOL, QA_TOL, CONV_TOL = 0.01, 0.005, 0.5, 0.03  # gaming signals: AHT -1 %, FCR -0.5 pp, QA -0.5 pt
BUNCH_RATIO = 1.5  # bunching: the above/below ratio grows by half or more
MIN_BASELINE_DAYS = 20  # baseline months with fewer days in the window are left out of the bunching shares

_FORMATS = {
    "baseline": "kpi",
    "scheme": "kpi",
    "threshold": "kpi",
    "change": "signed_pct",
    "aht_change": "signed_pct",
    "conversion_change": "signed_pct",
    "pct": "signed_pct",
    "fcr_delta": "signed_pp",
    "qa_delta": "signed_num",
    "cost": "money",
    "budget": "money",
    "variance": "money",
    "cost_per_unit": "money",
    "improvement": "num",
    "before": "num",
    "after": "num",
    "share_before": "pct",
    "share_after": "pct",
}


@dataclass(frozen=True)
class ReviewNote:
    """One finding: a catalog key and raw (JSON-able) parameters; :meth:`text` formats and translates them."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, lang: str | None = None) -> str:
        kpi = str(self.params.get("kpi", ""))
        shown: dict[str, str] = {}
        for name, v in self.params.items():
            kind = _FORMATS.get(name)
            if name == "kpi":
                shown[name] = t(f"kpi.{v}", lang)
            elif name == "unit":
                shown[name] = t(f"t4review.unit_{v}", lang)
            elif v is None or kind is None:
                shown[name] = "-" if v is None else str(v)
            elif kind == "kpi":
                shown[name] = format_kpi(kpi, float(v))
            elif kind == "money":
                shown[name] = f"{v:,.0f}"
            elif kind == "signed_pct":
                shown[name] = f"{v:+.1%}"
            elif kind == "pct":
                shown[name] = f"{v:.1%}"
            elif kind == "signed_pp":
                shown[name] = f"{v * 100:+.1f}"
            elif kind == "signed_num":
                shown[name] = f"{v:+.1f}"
            else:
                shown[name] = f"{v:,.2f}"
        return t(self.key, lang, **shown)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "params": {k: _clean(v) for k, v in self.params.items()}}


@dataclass(frozen=True, eq=False)
class Review:
    """The effectiveness review of one scheme; every table is a DataFrame, :meth:`to_dict` gives JSON."""

    scheme_name: str
    months: int
    baseline_period: tuple[str, str]
    scheme_period: tuple[str, str]
    kpis: pd.DataFrame  # kpi, direction, paid, gated, baseline, scheme, delta, change
    teams: pd.DataFrame  # team, kpi, baseline, scheme, delta, change
    cost: Mapping[str, Any]  # total, cash, non_cash, budget, variance, variance_pct, within_budget
    cost_periods: pd.DataFrame  # period, cash, non_cash, total, budget, variance
    cost_per_unit: pd.DataFrame  # kpi, unit, improvement, cost, cost_per_unit (None: no improvement)
    gaming: Mapping[str, Any]
    bunching: pd.DataFrame  # component, kind, kpi, threshold, band, shares and ratios before/after, flagged
    notes: tuple[ReviewNote, ...]

    def render(self, lang: str | None = None) -> list[str]:
        return [f.text(lang) for f in self.notes]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme_name": self.scheme_name,
            "months": self.months,
            "baseline_period": list(self.baseline_period),
            "scheme_period": list(self.scheme_period),
            "kpis": _records(self.kpis),
            "teams": _records(self.teams),
            "cost": {k: _clean(v) for k, v in self.cost.items()},
            "cost_periods": _records(self.cost_periods),
            "cost_per_unit": _records(self.cost_per_unit),
            "gaming": {k: _clean(v) for k, v in self.gaming.items()},
            "bunching": _records(self.bunching),
            "notes": [f.to_dict() for f in self.notes],
        }


def _clean(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return data


def _overall(contacts: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    return kpis(contacts.assign(_all="all"), "_all" if by is None else by)[list(REVIEW_KPIS)]


def _compare(base: pd.Series, scheme: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({"kpi": list(REVIEW_KPIS), "baseline": base.to_numpy(), "scheme": scheme.to_numpy()})
    out["direction"] = [KPI_DIRECTIONS[k] for k in REVIEW_KPIS]
    out["delta"] = out["scheme"] - out["baseline"]
    out["change"] = out["direction"] * out["delta"] / out["baseline"].abs().where(out["baseline"] != 0)
    return out


def _attributed_cost(scheme: Scheme, lines: pd.DataFrame) -> dict[str, float]:
    """Payouts per review KPI: scorecards split by weight, single measures and commissions whole."""
    by_comp = lines.groupby("component")["amount"].sum()
    cost: dict[str, float] = {}
    for c in scheme.components:
        amount = float(by_comp.get(c.id, 0.0))
        shares = [("conversion", 1.0)] if c.type == "commission" else [(m.kpi, m.weight) for m in c.measures]
        total = sum(w for _, w in shares) or 1.0
        for kpi, w in shares:
            k = ATTRIBUTE.get(kpi, kpi)
            if k in REVIEW_KPIS:
                cost[k] = cost.get(k, 0.0) + amount * w / total
    return cost


def _thresholds(scheme: Scheme) -> list[tuple[str, str, str, float]]:
    found: list[tuple[str, str, str, float]] = []
    for c in scheme.components:
        found += [(c.id, "gate", g.kpi, g.threshold) for g in c.gates]
        single = c.type == "threshold_bonus" or (c.type == "non_cash" and c.non_cash_kind != "competition")
        for m in (m for m in c.measures if m.level == "individual"):
            if single:
                found.append((c.id, "threshold", m.kpi, m.target))
            if c.type == "tiered":
                found += [(c.id, "band", m.kpi, b.threshold) for b in c.bands]
    return list(dict.fromkeys(found))


def _shares(values: pd.Series, kpi: str, thr: float) -> tuple[float, float]:
    v = values.dropna()
    if v.empty:
        return math.nan, math.nan
    band = BAND * thr
    if KPI_DIRECTIONS[kpi] > 0:
        above, below = (v >= thr) & (v < thr + band), (v >= thr - band) & (v < thr)
    else:
        above, below = (v <= thr) & (v > thr - band), (v <= thr + band) & (v > thr)
    return float(above.mean()), float(below.mean())


def _bunching(scheme: Scheme, world: World, base: pd.DataFrame, sim: pd.DataFrame) -> pd.DataFrame:
    staff = world.tables["staff"]
    days = base.groupby(months.period_column(base["date"]))["date"].nunique()
    full = [p for p, n in days.items() if n >= MIN_BASELINE_DAYS] or list(days.index)
    before = period_kpis(base, staff)[0]
    before = before[before.index.get_level_values("period").isin(full)]
    after = period_kpis(sim, staff)[0]
    rows = []
    for comp, kind, kpi, thr in _thresholds(scheme):
        a0, b0 = _shares(before[kpi], kpi, thr)
        a1, b1 = _shares(after[kpi], kpi, thr)
        r0 = a0 / b0 if b0 > 0 else None
        r1 = a1 / b1 if b1 > 0 else None
        grows = a1 > a0 and (r1 is None or r0 is None or r1 >= BUNCH_RATIO * r0)
        rows.append(
            {
                "component": comp,
                "kind": kind,
                "kpi": kpi,
                "threshold": thr,
                "band": BAND * thr,
                "baseline_above": a0,
                "baseline_below": b0,
                "baseline_ratio": r0,
                "scheme_above": a1,
                "scheme_below": b1,
                "scheme_ratio": r1,
                "ratio_change": r1 / r0 if r0 and r1 is not None else None,
                "flagged": bool(grows and a1 > 0),
            }
        )
    cols = ["component", "kind", "kpi", "threshold", "band", "baseline_above", "baseline_below", "baseline_ratio"]
    cols += ["scheme_above", "scheme_below", "scheme_ratio", "ratio_change", "flagged"]
    return pd.DataFrame(rows, columns=cols)


def _gaming(table: pd.DataFrame) -> dict[str, Any]:
    row: dict[str, dict[Any, Any]] = {str(r["kpi"]): r for r in table.to_dict("records")}
    aht, conv = float(row["aht_s"]["change"]), float(row["conversion"]["change"])
    fcr, qa, csat = (float(row[k]["delta"]) for k in ("fcr", "qa", "csat"))
    return {
        "flagged": bool(aht > AHT_TOL and (fcr < -FCR_TOL or qa < -QA_TOL)),
        "sales_flagged": bool(conv > CONV_TOL and qa < -QA_TOL),
        "aht_change": aht,
        "fcr_delta": fcr,
        "qa_delta": qa,
        "csat_delta": csat,
        "conversion_change": conv,
        "repeat_rate_baseline": 1 - float(row["fcr"]["baseline"]),
        "repeat_rate_scheme": 1 - float(row["fcr"]["scheme"]),
    }


def _notes(
    table: pd.DataFrame,
    cost: Mapping[str, Any],
    gaming: Mapping[str, Any],
    bunching: pd.DataFrame,
    unit_rows: list[dict[str, Any]],
) -> tuple[ReviewNote, ...]:
    key = "t4review.within_budget" if cost["within_budget"] else "t4review.over_budget"
    money = {"cost": cost["total"], "budget": cost["budget"], "variance": cost["variance"], "pct": cost["variance_pct"]}
    out = [ReviewNote(key, money)]
    g = {k: gaming[k] for k in ("aht_change", "fcr_delta", "qa_delta")}
    out.append(ReviewNote("t4review.gaming_aht" if gaming["flagged"] else "t4review.no_gaming", g))
    if gaming["sales_flagged"]:
        out.append(ReviewNote("t4review.gaming_sales", {k: gaming[k] for k in ("conversion_change", "qa_delta")}))
    for b in bunching[bunching["flagged"]].to_dict("records"):
        params = {"component": b["component"], "kpi": b["kpi"], "threshold": b["threshold"]}
        out.append(
            ReviewNote(
                "t4review.bunching", {**params, "share_before": b["baseline_above"], "share_after": b["scheme_above"]}
            )
        )
    for r in table.to_dict("records"):
        params = {k: r[k] for k in ("kpi", "baseline", "scheme", "change")}
        if r["paid"]:
            out.append(ReviewNote("t4review.improved" if r["change"] > CHANGE_TOL else "t4review.not_improved", params))
        elif r["change"] < -CHANGE_TOL:
            out.append(ReviewNote("t4review.unpaid_worse", params))
    for u in unit_rows:
        if u["cost_per_unit"] is not None:
            out.append(ReviewNote("t4review.cost_per_unit", {k: u[k] for k in ("kpi", "cost_per_unit", "unit")}))
    return tuple(out)


def review_effectiveness(world: World, scheme: Scheme, simulated: pd.DataFrame | None = None) -> Review:
    """Compare the scheme period (``simulated``, or three simulated months) with the world's last three months."""
    sim = simulate_response(world, scheme, 3) if simulated is None else simulated
    base = baseline_window(world.tables["contacts"])
    staff = world.tables["staff"]
    table = _compare(_overall(base).iloc[0], _overall(sim).iloc[0])
    measured = {ATTRIBUTE.get(m.kpi, m.kpi) for c in scheme.components if c.type != "commission" for m in c.measures}
    measured |= {"conversion"} if any(c.type == "commission" for c in scheme.components) else set()
    gated = {ATTRIBUTE.get(g.kpi, g.kpi) for c in scheme.components for g in c.gates}
    table.insert(2, "paid", table["kpi"].isin(measured))
    table.insert(3, "gated", table["kpi"].isin(gated))

    teams_before = _overall(base.merge(staff[["staff_id", "team"]], on="staff_id"), "team")
    teams_after = _overall(sim.merge(staff[["staff_id", "team"]], on="staff_id"), "team")
    team_rows = []
    for team in sorted(set(teams_before.index) | set(teams_after.index)):
        b = teams_before.loc[team] if team in teams_before.index else pd.Series(math.nan, index=list(REVIEW_KPIS))
        a = teams_after.loc[team] if team in teams_after.index else pd.Series(math.nan, index=list(REVIEW_KPIS))
        team_rows.append(_compare(b, a).drop(columns="direction").assign(team=team))
    teams = pd.concat(team_rows, ignore_index=True)[["team", "kpi", "baseline", "scheme", "delta", "change"]]

    result = compute_payouts(scheme, sim, staff)
    months = len(result.periods)
    total, budget = result.total_cost, result.budget_total
    cost = {
        "total": total,
        "cash": float(result.periods["cash"].sum()),
        "non_cash": float(result.periods["non_cash"].sum()),
        "budget": budget,
        "variance": total - budget,
        "variance_pct": (total - budget) / budget if budget else None,
        "within_budget": result.within_budget,
    }
    attributed = _attributed_cost(scheme, result.lines)
    unit_rows = []
    for r in table[table["paid"]].to_dict("records"):
        unit, factor = UNITS[str(r["kpi"])]
        improvement = float(r["direction"]) * float(r["delta"]) * factor
        spent = attributed.get(str(r["kpi"]), 0.0)
        per_unit = spent / improvement if improvement > 0 and math.isfinite(improvement) else None
        unit_rows.append(
            {"kpi": r["kpi"], "unit": unit, "improvement": improvement, "cost": spent, "cost_per_unit": per_unit}
        )
    per_unit_frame = pd.DataFrame(unit_rows, columns=["kpi", "unit", "improvement", "cost", "cost_per_unit"])
    gaming = _gaming(table)
    bunching = _bunching(scheme, world, base, sim)
    return Review(
        scheme_name=scheme.name,
        months=months,
        baseline_period=(str(base["date"].min()), str(base["date"].max())),
        scheme_period=(str(sim["date"].min()), str(sim["date"].max())),
        kpis=table,
        teams=teams,
        cost=cost,
        cost_periods=result.periods.copy(),
        cost_per_unit=per_unit_frame,
        gaming=gaming,
        bunching=bunching,
        notes=_notes(table, cost, gaming, bunching, unit_rows),
    )
