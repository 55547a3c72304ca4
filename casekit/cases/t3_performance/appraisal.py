"""The appraisal of the review period (P3.3): each agreed target against what the member did, and the rating the
organisation's rule gives.

Rules (figures from :func:`~casekit.cases.t3_performance.history.review_results`, the hidden review period pooled
over its three months; ``spec.appraisal`` gives the thresholds):

- A KPI is **met** when the actual is not worse than the target (by the KPI's direction, tolerance ``TOL``): for a
  lower-is-better KPI such as ``aht_s``, an actual at or below the target.
- It is **exceeded** when the actual is better than the target by at least ``exceed_margin`` of it (relative,
  direction-aware: ``aht_s`` exceeded at or below target x (1 − margin), a share at or above target x
  (1 + margin)).
- ``shortfall`` = how far the actual is worse than the target, as a share of the target (0 when met; the absolute
  gap when the target is 0).
- Rating: 4 (exceeds) when every KPI is met and at least half of them exceeded; else 3 (meets) when the share met
  is at least ``ratings.meets``; 2 (partly) when at least ``ratings.partly``; else 1 (below). Boundaries count on
  the upper side: a share met exactly equal to ``meets`` is a 3.
- KPIs agreed without a review-period value (nobody measured them) are dropped; a member with none is not rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from casekit.cases.t3_performance.history import TOL, direction, review_results
from casekit.scenario import World

__all__ = ["GAP_COLUMNS", "RATINGS", "RATING_COLUMNS", "RESULT_COLUMNS", "main_gap", "ratings", "results"]

RATINGS: Final = {1: "below", 2: "partly", 3: "meets", 4: "exceeds"}
RESULT_COLUMNS: Final = ("staff_id", "kpi", "target", "actual", "met", "exceeded", "shortfall")
RATING_COLUMNS: Final = ("staff_id", "kpis", "met", "exceeded", "share_met", "rating")
GAP_COLUMNS: Final = ("staff_id", "kpi", "shortfall")


def results(
    world: World, agreed: Mapping[tuple[str, str], float], *, actuals: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Every agreed (member, KPI) with a review-period value: ``staff_id, kpi, target, actual, met, exceeded,
    shortfall``, in the order of ``review_results`` (members, then the catalog's KPIs). ``actuals`` are the
    world's :func:`review_results` when the caller has them."""
    margin = float(world.spec.appraisal.exceed_margin)
    targets = pd.DataFrame(
        [(str(s), str(k), float(v)) for (s, k), v in agreed.items()], columns=["staff_id", "kpi", "target"]
    )
    actual = review_results(world) if actuals is None else actuals
    out = actual.merge(targets, on=["staff_id", "kpi"], how="inner")
    out = out[out["actual"].notna()].reset_index(drop=True)
    sign = out["kpi"].map(direction).to_numpy(dtype=float)
    target = out["target"].to_numpy(dtype=float)
    act = out["actual"].to_numpy(dtype=float)
    scale = np.where(np.abs(target) > TOL, np.abs(target), 1.0)
    ahead = sign * (act - target) / scale  # > 0: better than the target, as a share of it
    out["met"] = ahead >= -TOL
    out["exceeded"] = ahead >= margin - TOL
    out["shortfall"] = np.where(out["met"], 0.0, -ahead)
    return out[list(RESULT_COLUMNS)]


def ratings(world: World, results: pd.DataFrame) -> pd.DataFrame:
    """Each member with results: ``staff_id, kpis, met, exceeded, share_met, rating`` (rule in the module
    docstring), members in the order of ``results``."""
    rule = world.spec.appraisal.ratings
    meets, partly = float(rule.meets), float(rule.partly)
    grouped = results.groupby("staff_id", sort=False)
    out = pd.DataFrame(
        {
            "kpis": grouped.size(),
            "met": grouped["met"].sum().astype(int),
            "exceeded": grouped["exceeded"].sum().astype(int),
        }
    ).reset_index()
    out["share_met"] = out["met"] / out["kpis"]
    share = out["share_met"].to_numpy(dtype=float)
    every = out["met"].to_numpy() == out["kpis"].to_numpy()
    most_exceeded = 2 * out["exceeded"].to_numpy() >= out["kpis"].to_numpy()
    rating = np.select(
        [every & most_exceeded, share >= meets - TOL, share >= partly - TOL],
        [4, 3, 2],
        default=1,
    )
    out["rating"] = rating.astype(int)
    return out[list(RATING_COLUMNS)]


def main_gap(results: pd.DataFrame) -> pd.DataFrame:
    """The largest shortfall of each member with any KPI missed: ``staff_id, kpi, shortfall`` (the first KPI in
    the results' order on a tie)."""
    missed = results[~results["met"].astype(bool)]
    if missed.empty:
        return pd.DataFrame(columns=list(GAP_COLUMNS))
    top = missed.loc[missed.groupby("staff_id", sort=False)["shortfall"].idxmax()]
    return top[list(GAP_COLUMNS)].reset_index(drop=True)
