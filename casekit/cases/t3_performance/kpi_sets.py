"""The rules a T3 answer's KPI sets and targets are judged by, once for the checks, the evidence and the widgets.

- A KPI set of a role **balances** when it has a set, every KPI can measure the role (the catalog's ``roles``: the
  data exists), and it has at least one efficiency and one quality measure.
- A role is measured on **its own work** when a role that sells (its members have sales-eligible contacts) has
  conversion of QA-passed sales, or conversion together with QA, never speed alone; a team leader has a team measure
  and the team's retention; any other role has a measure of its own (``dimension: role``).
- A target's **position** in its band: ``above`` when better than the ceiling, ``below`` when worse than the floor
  (each beyond a relative tolerance of :data:`EDGE`), else ``within``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import pandas as pd

from casekit.scenario import World
from casekit.scenario.catalogs import load_kpi_catalog

__all__ = ["BALANCE", "EDGE", "OWN_WORK", "SELLING", "positions", "selling_roles", "set_lacks"]

#: a target this close to its band's edge (relative) is on the edge, not past it
EDGE: Final = 1e-6
#: the roles that can sell (handle contacts)
SELLING: Final = ("agent", "senior_agent")
#: what a set can lack of its balance, and of the role's own work
BALANCE: Final = frozenset({"no_set", "not_measurable", "efficiency", "quality"})
OWN_WORK: Final = frozenset({"conversion_qa", "role", "team", "retention"})


def set_lacks(role: str, chosen: Iterable[str], sells: bool) -> list[tuple[str, str]]:
    """What the set of ``role`` lacks, as ``(code, kpi)``: ``no_set``, ``not_measurable`` (that KPI), no
    ``efficiency`` or ``quality`` measure (:data:`BALANCE`); no measure of the role's own work (:data:`OWN_WORK`:
    ``conversion_qa`` for a selling role, ``team`` measures and ``retention`` for a team leader, ``role`` else)."""
    kpis = {k.id: k for k in load_kpi_catalog()}
    picked = list(chosen)
    if not picked:
        return [("no_set", "")]
    fits = [k for k in picked if k in kpis and role in kpis[k].roles]
    out = [("not_measurable", k) for k in picked if k not in fits]
    dims = {kpis[k].dimension for k in fits}
    out += [(d, "") for d in ("efficiency", "quality") if d not in dims]
    own = {k for k in fits if kpis[k].dimension == "role"}
    if role in SELLING:
        if sells and "conversion_qa" not in picked and not {"conversion", "qa"} <= set(picked):
            out.append(("conversion_qa", ""))
        elif not own and not sells:
            out.append(("role", ""))
    elif role == "team_leader":
        if not any(kpis[k].level == "team" and kpis[k].dimension != "role" for k in fits):
            out.append(("team", ""))
        elif "retention" not in picked:
            out.append(("retention", ""))
    elif not own:
        out.append(("role", ""))
    return out


def selling_roles(world: World) -> set[str]:
    """The section's roles whose members have sales-eligible contacts in the history."""
    eligible = world.contacts.groupby("staff_id")["sales_eligible"].sum()
    sellers = eligible[eligible > 0].index
    return set(world.members.loc[world.members["staff_id"].isin(sellers), "role"])


def positions(frame: pd.DataFrame, value: str = "agreed") -> pd.Series:
    """``above``, ``below`` or ``within`` for each row of ``frame`` (columns ``value``, ``floor``, ``ceiling``,
    ``direction``)."""
    sign = frame["direction"].astype(float)
    scale = frame[["floor", "ceiling"]].abs().max(axis=1).clip(lower=1e-9) * EDGE
    above = sign * (frame[value] - frame["ceiling"]) > scale
    below = sign * (frame["floor"] - frame[value]) > scale
    return pd.Series(
        ["above" if a else "below" if b else "within" for a, b in zip(above, below, strict=True)], index=frame.index
    )
