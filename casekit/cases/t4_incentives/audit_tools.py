"""Audit tools for a payout ledger (P4.4): each a pure function of the ledger and the world, returning a table or a
small mapping the candidate can inspect.

:func:`recompute` (in :mod:`~casekit.cases.t4_incentives.audit_recompute`) implements the scheme rules again,
person by person, so that it checks the payout calculator rather than repeating it; the tools here build on it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from casekit.cases.t4_incentives.audit import Ledger
from casekit.cases.t4_incentives.audit_recompute import (
    ISSUES,
    LINE_KEY,
    TOLERANCE,
    expected_lines,
    is_missing,
    kpis_in_period,
    recompute,
)
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.kpi import kpis
from casekit.months import period_column
from casekit.scenario.catalogs import load_law
from casekit.scenario.world import World

__all__ = [
    "GAMING_AHT_PCT",
    "GAMING_QUALITY_PTS",
    "ISSUES",
    "budget_variance",
    "caps",
    "concentration",
    "eligibility",
    "gaming_signals",
    "pay_gaps",
    "recompute",
    "threshold_bunching",
]

GAMING_AHT_PCT = -3.0  # AHT falling at least 3% a month ...
GAMING_QUALITY_PTS = -1.0  # ... while FCR or QA falls at least a point a month


# --- money totals ----------------------------------------------------------------------------------------------


def _per_person(ledger: Ledger) -> pd.DataFrame:
    p = ledger.paid
    cash = p["amount"].where(p["cash"], 0.0)
    frame = p.assign(cash_amount=cash, non_cash_amount=p["amount"] - cash)
    return frame.groupby("staff_id", sort=True)[["cash_amount", "non_cash_amount"]].sum()


def budget_variance(ledger: Ledger) -> dict[str, Any]:
    """Paid against the budget, in NT$ and as a share of the period's base payroll."""
    per = _per_person(ledger)
    cash, non_cash = float(per["cash_amount"].sum()), float(per["non_cash_amount"].sum())
    total, budget, payroll = cash + non_cash, ledger.scheme.budget_per_period, ledger.base_payroll
    return {
        "period": ledger.period,
        "budget": budget,
        "paid_cash": round(cash, 2),
        "paid_non_cash": round(non_cash, 2),
        "paid_total": round(total, 2),
        "variance": round(total - budget, 2),
        "variance_pct": round(100 * (total - budget) / budget, 2),
        "base_payroll": payroll,
        "paid_pct_of_payroll": round(100 * total / payroll, 2) if payroll else math.nan,
        "budget_pct_of_payroll": round(100 * budget / payroll, 2) if payroll else math.nan,
        "people": len(per),
        "people_paid": int((per["cash_amount"] + per["non_cash_amount"] > 0).sum()),
    }


def concentration(ledger: Ledger) -> dict[str, Any]:
    """How concentrated the cash payouts are: the top 10% of people's share and the Gini coefficient."""
    amounts = np.sort(_per_person(ledger)["cash_amount"].to_numpy(dtype=float))[::-1]
    n, total = len(amounts), float(amounts.sum())
    top_n = max(1, math.ceil(0.1 * n)) if n else 0
    ranks = 2 * np.arange(1, n + 1) - n - 1
    return {
        "people": n,
        "people_paid": int((amounts > 0).sum()),
        "total": round(total, 2),
        "top10_people": top_n,
        "top10_share": round(float(amounts[:top_n].sum()) / total, 4) if total > 0 else math.nan,
        "gini": round(float(ranks @ amounts[::-1]) / (n * total), 4) if total > 0 else math.nan,
        "max": float(amounts[0]) if n else math.nan,
        "median": float(np.median(amounts)) if n else math.nan,
    }


# --- lines that break the rules --------------------------------------------------------------------------------


def eligibility(ledger: Ledger, world: World) -> pd.DataFrame:
    """Paid lines the scheme does not allow: someone not on the staff list, a role outside the component's pay,
    or a gate the person failed (recomputed from the world's contacts, not taken from the ledger)."""
    exp = expected_lines(ledger.scheme, world, ledger.period).set_index(LINE_KEY)["gate_failed"].to_dict()
    roles = world.staff.set_index("staff_id")["role"].to_dict()
    pays = {c.id: c.pay for c in ledger.scheme.components}
    cols = ["period", "staff_id", "name", "role", "team", "component", "amount"]
    rows = []
    for r in ledger.paid.loc[ledger.paid["amount"] > 0, cols].to_dict("records"):
        role, failed = roles.get(r["staff_id"]), exp.get((r["period"], r["staff_id"], r["component"]), "")
        if role is None:
            rows.append({**r, "reason": "not_on_staff", "detail": ""})
        elif role not in pays.get(r["component"], {}):
            rows.append({**r, "reason": "role_not_eligible", "detail": str(role)})
        elif failed:
            rows.append({**r, "reason": "gate_failed", "detail": failed})
    return pd.DataFrame(rows, columns=[*cols, "reason", "detail"])


def caps(ledger: Ledger) -> pd.DataFrame:
    """Lines paid above their component's cap, and people whose cash total is above the scheme's per-person cap."""
    p, cols = ledger.paid, ["period", "staff_id", "name", "team", "component", "level", "amount", "cap", "excess"]
    limit = p["component"].map({c.id: c.cap for c in ledger.scheme.components}).astype(float)
    above = p["amount"] > limit.fillna(np.inf) + TOLERANCE
    over = p[above].assign(cap=limit[above], level="component")
    frames = [over]
    if ledger.scheme.cap_per_person is not None:
        per = (
            p[p["cash"]].groupby(["period", "staff_id", "name", "team"], as_index=False)["amount"].agg(["sum", "size"])
        )
        # scaling each line down to the cent may leave the total up to half a cent a line over the cap
        per = per[per["sum"] > ledger.scheme.cap_per_person + TOLERANCE * per["size"]]
        frames.append(per.assign(amount=per["sum"], component="*", cap=ledger.scheme.cap_per_person, level="person"))
    out = pd.concat([f for f in frames if len(f)] or [over], ignore_index=True)
    return out.assign(excess=(out["amount"] - out["cap"]).round(2))[cols]


# --- behaviour around the scheme -------------------------------------------------------------------------------


def threshold_bunching(ledger: Ledger, world: World, width: float = 0.025) -> pd.DataFrame:
    """For each gate, threshold target and band of the scheme: how many people sit just on the paying side of it
    and just on the other (within ``width`` x the threshold), from their own results in the period. Far more just
    meeting than just missing (``bunching``) suggests results steered to the line."""
    person, _ = kpis_in_period(world, ledger.period)
    ids = sorted(set(ledger.paid["staff_id"]) & set(person))
    rows = []
    for c in ledger.scheme.components:
        points = [("gate", g.kpi, g.threshold) for g in c.gates]
        if c.measures and (c.type == "threshold_bonus" or (c.type == "non_cash" and c.non_cash_kind != "competition")):
            points.append(("target", c.measures[0].kpi, c.measures[0].target))
        if c.type == "tiered":
            points += [("band", c.measures[0].kpi, b.threshold) for b in c.bands]
        for kind, kpi, threshold in points:
            values = np.array([person[s][kpi] for s in ids if not is_missing(person[s][kpi])], dtype=float)
            window = width * threshold
            side = (values - threshold) * KPI_DIRECTIONS[kpi]  # >= 0: on the paying side
            meeting = int(((side >= 0) & (side < window)).sum())
            missing = int(((side < 0) & (side >= -window)).sum())
            ratio = meeting / missing if missing else (math.inf if meeting else math.nan)
            bunching = meeting >= 4 and meeting >= 2 * max(missing, 1)
            rows.append((c.id, kind, kpi, threshold, window, len(values), missing, meeting, ratio, bunching))
    cols = ["component", "kind", "kpi", "threshold", "window", "people", "just_missing", "just_meeting", "ratio"]
    return pd.DataFrame(rows, columns=[*cols, "bunching"])


def _slope(y: np.ndarray) -> float:
    """Least-squares change per step of the values that are not NaN."""
    x = np.arange(len(y), dtype=float)
    ok = ~np.isnan(y)
    if ok.sum() < 2:
        return math.nan
    x, y = x[ok], y[ok]
    return float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())


def gaming_signals(world: World, months: int = 3) -> pd.DataFrame:
    """Per person and per team over the last ``months`` months with at least ten days of contacts: the trend of
    AHT (% a month) against the trends of FCR and QA (points a month). ``signal``: handle time falling while first
    contact resolution or quality falls, the pattern of rushing contacts to meet a speed target."""
    frame = world.contacts.assign(month=period_column(world.contacts["date"]))
    frame = frame.merge(world.staff[["staff_id", "team"]], on="staff_id", how="left")
    days = frame.groupby("month")["date"].nunique()
    chosen = sorted(days[days >= 10].index)[-months:]
    frame = frame[frame["month"].isin(chosen)]
    teams = world.staff.set_index("staff_id")["team"].to_dict()
    rows = []
    for level, key in (("person", "staff_id"), ("team", "team")):
        table = kpis(frame, [key, "month"]) if len(frame) else pd.DataFrame()
        for ident, sub in table.groupby(level=0, sort=True):
            sub = sub.droplevel(0).reindex(chosen)
            aht = sub["aht_s"].to_numpy(dtype=float)
            mean_aht = float(np.nanmean(aht)) if (~np.isnan(aht)).any() else math.nan
            aht_pct = 100 * _slope(aht) / mean_aht
            fcr, qa = 100 * _slope(sub["fcr"].to_numpy(dtype=float)), _slope(sub["qa"].to_numpy(dtype=float))
            signal = aht_pct <= GAMING_AHT_PCT and (fcr <= GAMING_QUALITY_PTS or qa <= GAMING_QUALITY_PTS)
            n = int(sub["handled"].notna().sum())
            rows.append((level, ident, teams.get(str(ident), ident), n, aht[0], aht[-1], aht_pct, fcr, qa, signal))
    cols = ["level", "id", "team", "months", "aht_first", "aht_last", "aht_change_pct", "fcr_change_pts"]
    return pd.DataFrame(rows, columns=[*cols, "qa_change_pts", "signal"])


# --- pay and bonus gaps ----------------------------------------------------------------------------------------


def _gap(men: pd.Series, women: pd.Series, how: str = "mean") -> float:
    """(men - women) / men in %, the UK gender-pay-gap convention: positive when women get less."""
    men, women = men.dropna(), women.dropna()
    if men.empty or women.empty:
        return math.nan
    m, w = (men.mean(), women.mean()) if how == "mean" else (men.median(), women.median())
    return round(100 * (m - w) / m, 2) if m else math.nan


def _people(ledger: Ledger, world: World) -> pd.DataFrame:
    """Per person in the ledger: bonus (cash paid), scorecard result, pay per point of it, hourly base pay."""
    p = ledger.paid
    per = _per_person(ledger).rename(columns={"cash_amount": "bonus"})[["bonus"]]
    score_ids = [c.id for c in ledger.scheme.components if c.type in ("scorecard", "team_bonus")][:1]
    scored = p[p["component"].isin(score_ids) & p["eligible"]]
    per["score"] = scored.groupby("staff_id")["units"].mean()
    # bonus paid per point of result, against the role's median: 1.0 when paid as the scheme says
    ok = scored[(scored["amount"] > 0) & (scored["units"] > 0) & ~scored["capped"]]
    per_point = ok["amount"] / ok["units"]
    per["per_point"] = (per_point / per_point.groupby(ok["role"]).transform("median")).groupby(ok["staff_id"]).first()
    per = per.join(p.drop_duplicates("staff_id").set_index("staff_id")[["team", "gender", "role"]])
    per = per.join(world.staff.set_index("staff_id").drop(columns=["team", "gender", "role", "name"]))
    pay = world.pay[world.pay["month"] == ledger.period].set_index("staff_id")
    hours = pay["hours_paid"].where(pay["pay_basis"] == "hourly", float(load_law()["overtime"]["monthly_hours_basis"]))
    per["hourly_pay"] = (pay["base_pay"] / hours.where(hours > 0)).reindex(per.index)
    return per


def pay_gaps(
    ledger: Ledger, world: World, by: Sequence[str] = ("gender",), *, min_group: int = 5, lang: str | None = None
) -> pd.DataFrame:
    """Gender gaps by the UK gender-pay-gap method, overall (``by=("gender",)``) or within groups (e.g.
    ``("team", "gender")``): headcounts; the share of each sex paid a bonus; the mean and median bonus gap among
    those paid one; the mean and median gap in hourly base pay; the mean scorecard result (the performance each
    sex was paid for); and the median gap in scorecard bonus paid per point of that result, each person set
    against the role's median (equal pay for equal results, 性別平等工作法 §10). A group with fewer than
    ``min_group`` women or men is flagged: its gaps are fragile."""
    keys = [k for k in by if k != "gender"]
    people = _people(ledger, world)
    if "gender" not in by or any(k not in people.columns for k in keys):
        raise UsageError(t("t4audit.bad_by", lang, by=", ".join(by), allowed=", ".join(sorted(people.columns))))
    rows = []
    for name, g in people.groupby(keys, sort=True) if keys else [((), people)]:
        label = dict(zip(keys, name if isinstance(name, tuple) else (name,), strict=True))
        w, m = g[g["gender"] == "F"], g[g["gender"] == "M"]
        wb, mb = w["bonus"][w["bonus"] > 0], m["bonus"][m["bonus"] > 0]
        small = min(len(w), len(m)) < min_group
        rows.append(
            {
                **label,
                "n_women": len(w),
                "n_men": len(m),
                "bonus_share_women": round(len(wb) / len(w), 4) if len(w) else math.nan,
                "bonus_share_men": round(len(mb) / len(m), 4) if len(m) else math.nan,
                "bonus_mean_women": round(float(wb.mean()), 2) if len(wb) else math.nan,
                "bonus_mean_men": round(float(mb.mean()), 2) if len(mb) else math.nan,
                "bonus_mean_gap_pct": _gap(mb, wb),
                "bonus_median_gap_pct": _gap(mb, wb, "median"),
                "hourly_mean_gap_pct": _gap(m["hourly_pay"], w["hourly_pay"]),
                "hourly_median_gap_pct": _gap(m["hourly_pay"], w["hourly_pay"], "median"),
                "score_women": round(float(w["score"].mean()), 4),
                "score_men": round(float(m["score"].mean()), 4),
                "per_point_gap_pct": _gap(m["per_point"], w["per_point"], "median"),
                "small_group": small,
                "note": t("t4audit.note_small_group", lang, n=min_group) if small else "",
            }
        )
    return pd.DataFrame(rows)
