"""The audit's independent recomputation of a payout ledger (P4.4): the scheme rules (see
:mod:`casekit.cases.t4_incentives.scheme`) implemented again, person by person in plain Python from the world's
contacts, so that it checks the payout calculator rather than repeating it. KPI definitions are shared
(:func:`casekit.kpi.kpis`): they are the organisation's, not the scheme's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from casekit.cases.t4_incentives.audit import Ledger
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS, SCHEME_ROLES, Component, Scheme
from casekit.kpi import kpis
from casekit.months import period_column
from casekit.scenario.world import World

__all__ = ["ISSUES", "LINE_KEY", "TOLERANCE", "expected_lines", "is_missing", "kpis_in_period", "recompute"]

ISSUES = ("ok", "mismatch", "ineligible", "over_cap", "rate")
TOLERANCE = 0.005  # NT$: amounts are paid to the cent
LINE_KEY = ["period", "staff_id", "component"]
_Kpis = dict[str, dict[Any, Any]]  # id -> KPI name -> value


def kpis_in_period(world: World, period: str) -> tuple[_Kpis, _Kpis]:
    contacts = world.contacts
    frame = contacts[period_column(contacts["date"]) == period]
    frame = frame.merge(world.staff[["staff_id", "team"]], on="staff_id", how="left")
    if frame.empty:
        return {}, {}
    person = {str(k): v for k, v in kpis(frame, "staff_id").to_dict("index").items()}
    team = {str(k): v for k, v in kpis(frame, "team").to_dict("index").items()}
    return person, team


def is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _meets(v: Any, threshold: float, kpi: str) -> bool:
    if is_missing(v):
        return False
    return bool(v >= threshold) if KPI_DIRECTIONS[kpi] > 0 else bool(v <= threshold)


def _achievement(v: Any, target: float, kpi: str, cap: float) -> float:
    if is_missing(v) or (KPI_DIRECTIONS[kpi] < 0 and v <= 0):
        return math.nan
    ratio = float(v) / target if KPI_DIRECTIONS[kpi] > 0 else target / float(v)
    return min(max(ratio, 0.0), cap)


def expected_lines(scheme: Scheme, world: World, period: str) -> pd.DataFrame:
    """What ``scheme`` pays each agent, senior agent and team leader in ``period``: one row per component, with
    the first gate failed (``gate_failed``, e.g. ``qa 80.6 / 83``)."""
    person, team = kpis_in_period(world, period)
    staff = world.staff[world.staff["role"].isin(SCHEME_ROLES)].sort_values("staff_id")
    people = list(zip(staff["staff_id"], staff["role"], staff["team"], strict=True))

    def value(sid: str, tm: str, kpi: str, level: str) -> Any:
        pv = person.get(sid, {}).get(kpi, math.nan)  # no result of one's own: the team's (team leaders)
        return team.get(tm, {}).get(kpi, math.nan) if level == "team" or is_missing(pv) else pv

    rows: list[dict[str, Any]] = []
    for c in scheme.components:
        part = []
        for sid, role, tm in people:
            gates = [(g, value(sid, tm, g.kpi, "individual")) for g in c.gates]
            failed = next(
                (f"{g.kpi} {v:.4g} / {g.threshold:g}" for g, v in gates if not _meets(v, g.threshold, g.kpi)), ""
            )
            vals = [value(sid, tm, m.kpi, m.level) for m in c.measures]
            rate = float(c.pay[role]) if role in c.pay else 0.0
            part.append(
                dict(
                    staff_id=sid,
                    role=role,
                    team=tm,
                    eligible=role in c.pay,
                    gates_passed=not failed,
                    gate_failed=failed,
                    rate=rate,
                    units=_units(c, person.get(sid, {}), vals),
                    _v=vals,
                )
            )
        if c.type == "non_cash" and c.non_cash_kind == "competition":
            _competition(c, part)
        for r in part:
            raw = r["rate"] * r["units"] if r["eligible"] and r["gates_passed"] else 0.0
            raw = 0.0 if is_missing(raw) else raw
            amount = min(raw, c.cap) if c.cap is not None else raw
            rows.append(dict(r, period=period, component=c.id, cash=c.type != "non_cash", raw=raw, amount=amount))
    out = pd.DataFrame(rows).drop(columns="_v", errors="ignore")
    if out.empty:
        return out
    out["capped"] = out["amount"] < out["raw"] - 1e-9
    out["amount"] = np.round(out["amount"].to_numpy(dtype=float), 2)
    if scheme.cap_per_person is not None:
        _cap_person(out, scheme.cap_per_person)
    return out


def _units(c: Component, own: dict[Any, Any], vals: list[Any]) -> float:
    if c.type == "commission":
        sales = own.get("sales", math.nan)
        return 0.0 if is_missing(sales) else float(sales)
    if c.type == "threshold_bonus" or (c.type == "non_cash" and c.non_cash_kind != "competition"):
        return 1.0 if _meets(vals[0], c.measures[0].target, c.measures[0].kpi) else 0.0
    units = 0.0
    if c.type == "tiered":
        for band in sorted(c.bands, key=lambda b: b.fraction):
            units = band.fraction if _meets(vals[0], band.threshold, c.measures[0].kpi) else units
    elif c.type in ("scorecard", "team_bonus"):
        for m, v in zip(c.measures, vals, strict=True):
            a = _achievement(v, m.target, m.kpi, c.achievement_cap)
            units += m.weight * (0.0 if math.isnan(a) else a)
    return units  # a competition's are set by _competition


def _competition(c: Component, rows: list[dict[str, Any]]) -> None:
    """The ``top_n`` eligible people who pass the gates, best on the measure first, ties to the lower staff id."""
    sign = KPI_DIRECTIONS[c.measures[0].kpi]
    runners = [r for r in rows if r["eligible"] and r["gates_passed"] and not is_missing(r["_v"][0])]
    runners.sort(key=lambda r: (-float(r["_v"][0]) * sign, r["staff_id"]))
    winners = {r["staff_id"] for r in runners[: c.top_n or 1]}
    for r in rows:
        r["units"] = 1.0 if r["staff_id"] in winners else 0.0


def _cap_person(out: pd.DataFrame, cap: float) -> None:
    """Scale each person's cash lines down in proportion when their cash total is above ``cap``."""
    amount, capped = out["amount"].astype(float).tolist(), out["capped"].astype(bool).tolist()
    cash = out["cash"].astype(bool).tolist()
    lines: dict[str, list[int]] = {}
    for k, sid in enumerate(out["staff_id"]):
        lines.setdefault(str(sid), []).append(k)
    for idx in lines.values():
        total = sum(amount[k] for k in idx if cash[k])
        for k in idx if total > cap else []:
            if cash[k]:
                scaled = float(np.round(amount[k] * (cap / total), 2))
                capped[k] = capped[k] or scaled < amount[k] - 1e-9
                amount[k] = scaled
    out["amount"], out["capped"] = amount, capped


def recompute(ledger: Ledger, world: World) -> pd.DataFrame:
    """Every paid line against the scheme recomputed from the world's contacts, with the difference.

    ``issue``: ``ok``; ``ineligible`` (paid, but the role is not in the scheme or a gate failed); ``over_cap``
    (paid above the component's cap); ``rate`` (paid at a rate that is not the scheme's rate for the role);
    ``mismatch`` (any other difference: a calculation error)."""
    exp = expected_lines(ledger.scheme, world, ledger.period)
    cols = ["role", "team", "eligible", "gates_passed", "rate", "units", "amount"]
    m = ledger.paid.merge(exp[[*LINE_KEY, *cols]], on=LINE_KEY, how="outer", suffixes=("_paid", ""))
    out = m[[*LINE_KEY, "name", "gender"]].assign(
        role=m["role_paid"].fillna(m["role"]),
        team=m["team_paid"].fillna(m["team"]),
        paid_rate=m["rate_paid"],
        rate=m["rate"],
        paid_units=m["units_paid"],
        units=m["units"],
        eligible=m["eligible"].astype("boolean").fillna(False).astype(bool),
        gates_passed=m["gates_passed"].astype("boolean").fillna(False).astype(bool),
        cap=m["component"].map({c.id: c.cap for c in ledger.scheme.components}).astype(float),
        paid=m["amount_paid"].fillna(0.0),
        expected=m["amount"].fillna(0.0),
    )
    out["difference"] = (out["paid"] - out["expected"]).round(2)
    ok = out["difference"].abs() <= TOLERANCE
    ineligible = (out["paid"] > 0) & ~(out["eligible"] & out["gates_passed"])
    over = out["paid"] > out["cap"].fillna(np.inf) + TOLERANCE
    rate = (out["paid_rate"] - out["rate"]).abs() > TOLERANCE
    out["issue"] = np.select([ok, ineligible, over, rate], ["ok", "ineligible", "over_cap", "rate"], "mismatch")
    return out.sort_values(LINE_KEY, kind="stable").reset_index(drop=True)
