"""Step 1 of the response model (see :mod:`casekit.cases.t4_incentives.response`): each person's latent means over
the baseline window (the world's last ``BASELINE_MONTHS`` months), the noisy ones shrunk towards the centre, and the
monthly KPIs those means imply."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "AUTO_FAIL",
    "BASELINE_MONTHS",
    "PSEUDO",
    "WORKDAYS_PER_MONTH",
    "baseline_window",
    "implied",
    "latent_for",
    "latents",
    "window_sums",
]

BASELINE_MONTHS = 3
WORKDAYS_PER_MONTH = 365.25 / 12 * 5 / 7
AUTO_FAIL = 0.01  # share of QA forms failed on a compliance item (score 0), as in contacts.py
PSEUDO = {"qa": 4.0, "csat": 30.0, "conv": 30.0, "absence": 20.0}  # shrinkage towards the centre, in observations


def baseline_window(contacts: pd.DataFrame) -> pd.DataFrame:
    """The world's last ``BASELINE_MONTHS`` months of contacts (all of them when the world is shorter)."""
    last = pd.Timestamp(str(contacts["date"].max()))
    cutoff = (last - pd.DateOffset(months=BASELINE_MONTHS)).date().isoformat()
    return contacts[contacts["date"] > cutoff]


def window_sums(frame: pd.DataFrame, ids: pd.Series) -> pd.DataFrame:
    f = frame.assign(
        handle_s=frame["talk_s"] + frame["hold_s"] + frame["acw_s"],
        present=(frame["logged_in_s"] > 0).astype(float),
        sched_present=frame["scheduled_s"].where(frame["logged_in_s"] > 0, 0),
        adh_present=frame["adherent_s"].where(frame["logged_in_s"] > 0, 0),
        qa_ok=((frame["qa_evals"] > 0) & (frame["qa_score"] > 0)).astype(float),
        qa_pts=frame["qa_score"].where(frame["qa_score"] > 0, 0).fillna(0),
        rows=1.0,
    )
    cols = ["scheduled_s", "logged_in_s", "available_s", "handled", "handle_s", "fcr_resolved", "csat_surveys"]
    cols += ["csat_satisfied", "sales_eligible", "sales", "present", "sched_present", "adh_present", "qa_ok"]
    cols += ["qa_pts", "rows"]
    sums = f.groupby("staff_id")[cols].sum().astype(float)
    return sums.reindex(ids).fillna(0.0).reset_index(drop=True)


def latents(s: pd.DataFrame, centre: pd.Series) -> dict[str, np.ndarray]:
    """Per-person latent means from window sums ``s``; ``centre`` is the same sums over everyone."""

    def ratio(num: str, den: str, k: float = 0.0) -> np.ndarray:
        p = float(centre[num] / centre[den]) if centre[den] > 0 else 0.0
        n, d = s[num].to_numpy(), s[den].to_numpy()
        return np.asarray(np.where(d + k > 0, (n + k * p) / np.maximum(d + k, 1e-12), p), dtype=float)

    return {
        "aht": ratio("handle_s", "handled"),
        "adh": ratio("adh_present", "sched_present"),
        "avail": ratio("available_s", "logged_in_s"),
        "occ": ratio("handle_s", "available_s"),
        "logged": ratio("logged_in_s", "sched_present"),
        "fcr": ratio("fcr_resolved", "handled"),
        "csat": ratio("csat_satisfied", "csat_surveys", k=PSEUDO["csat"]),
        "qa": ratio("qa_pts", "qa_ok", k=PSEUDO["qa"]),
        "conv": ratio("sales", "sales_eligible", k=PSEUDO["conv"]),
        "absence": 1 - ratio("present", "rows", k=PSEUDO["absence"]),
        "elig": np.full(len(s), float(centre["sales_eligible"] / max(centre["handled"], 1.0))),
    }


def implied(kpi: str, L: dict[str, np.ndarray], hours: np.ndarray) -> np.ndarray:
    """The expected monthly KPI from latent means."""
    cph = 3600 * L["avail"] * L["occ"] / L["aht"]
    handled = WORKDAYS_PER_MONTH * (1 - L["absence"]) * hours * L["logged"] * cph
    values = {
        "aht_s": L["aht"],
        "adherence": L["adh"] * (1 - L["absence"]),
        "availability": L["avail"],
        "fcr": L["fcr"],
        "csat": L["csat"],
        "qa": L["qa"] * (1 - AUTO_FAIL),
        "conversion": L["conv"],
        "contacts_per_hour": cph,
        "handled": handled,
        "sales": handled * L["elig"] * L["conv"],
    }
    return np.asarray(values[kpi], dtype=float)


def latent_for(kpi: str, value: np.ndarray, L: dict[str, np.ndarray]) -> np.ndarray:
    """The latent mean of ``LATENT_OF[kpi]`` at which the implied KPI equals ``value`` (rate KPIs only)."""
    if kpi == "adherence":
        return np.asarray(value / (1 - L["absence"]), dtype=float)
    if kpi == "qa":
        return np.asarray(value / (1 - AUTO_FAIL), dtype=float)
    if kpi == "contacts_per_hour":
        return np.asarray(3600 * L["avail"] * L["occ"] / value, dtype=float)
    return np.asarray(value, dtype=float)
