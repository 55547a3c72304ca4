"""The section's KPI history, the peers' distribution and the band every target is judged against (P3.1).

Rules (formulas: FACTS "Contact-centre KPIs"; KPI definitions in ``casekit/data/kpi_catalog.yaml``):

- A member is measured on the catalog KPIs whose ``roles`` include their role, in the catalog's unit.
- History months are the world's months with at least 15 days of history (``history_months``). A member-month
  counts for a person's contact KPIs only when they worked (were logged in) on at least ``MIN_DAYS`` (8) days of it.
- Contact KPIs (``level: member``, computed from the contact records) come from :func:`casekit.kpi.kpis` by
  person x month, ratios of sums; ``conversion_qa`` is sales on days whose QA did not fail (no evaluation that day,
  or a score at or above the organisation's QA target) over sales-eligible contacts.
- Team KPIs (``level: team``, for team leaders) are the same formulas over every contact of the team's people that
  month (the ``team`` of the staff table), ``team_aht_s`` being ``aht_s`` of the team, and so on; ``retention`` of a
  team and month is 1 − the team's leavers that month / its headcount in the staff table, over the months of the
  turnover history (``turnover_months``: the leavers table's window, before the contact history).
- Support-role KPIs and ``learning_hours`` are read from the world's ``role_activity`` table as they are.
- Peers are every person of the same role in the whole world (every team, for team KPIs), not only the section.
- Direction: +1 higher is better, -1 lower is better (``aht_s``, ``team_aht_s``); *better*, *worse*, *best* and
  *worst* are always meant by direction. For a lower-is-better KPI the peers' "95th percentile" is the value only
  5 % of peer member-months beat, i.e. the 5th percentile of the raw values, and their "10th percentile on the worse
  side" is the 90th percentile of the raw values. Percentiles are pandas' linear quantiles.
- The band of a member and KPI: ``floor`` = the member's worst history month; ``ceiling`` = the better of their best
  month and the peers' 95th percentile (``team_p95``). A member on the complex queue (for ``aht_s`` and
  ``contacts_per_hour``) or ramping up (for every contact KPI) has their own best month as ceiling, with
  ``reason`` ``complex_queue`` or ``ramping``; peers' figures are not theirs to reach. A member with no history on
  the KPI has floor = the peers' 10th percentile on the worse side, ceiling = the peers' median and reason
  ``no_history``.
- A target is attainable when it is not better than the ceiling, and not trivially low when it is not worse than
  the floor (both with a tolerance of ``TOL``).
- The review period's result (:func:`review_results`) pools the three review months: ratios of sums for contact
  and team KPIs, the mean of the months for activity KPIs and for ``retention`` (a monthly figure, so that it
  compares with the monthly targets agreed).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Final

import numpy as np
import pandas as pd

from casekit.kpi import KPI_COLUMNS, format_kpi, kpis
from casekit.months import period_column
from casekit.scenario import World
from casekit.scenario.catalogs import KpiDef, load_kpi_catalog
from casekit.scenario.performance import appraisal_calendar, history_months, qa_passed_sales, turnover_months

__all__ = [
    "BAND_COLUMNS",
    "BAND_REASONS",
    "MIN_DAYS",
    "TOL",
    "applicable",
    "band_reason_kpis",
    "bands",
    "better",
    "catalog",
    "contact_kpis",
    "direction",
    "format_value",
    "member_history",
    "peer_history",
    "review_results",
]

MIN_DAYS: Final = 8  # worked days a member-month needs to count for contact KPIs
TOL: Final = 1e-9
PEER_TOP: Final = 0.95  # the peers' figure a ceiling may reach (direction-aware)
PEER_FLOOR: Final = 0.10  # the floor of a member with no history (on the worse side)
BAND_REASONS: Final = ("", "complex_queue", "ramping", "no_history")
BAND_COLUMNS: Final = (
    "staff_id",
    "role",
    "kpi",
    "direction",
    "median",
    "worst",
    "best",
    "team_p95",
    "floor",
    "ceiling",
    "reason",
)
_COMPLEX_KPIS: Final = ("aht_s", "contacts_per_hour")  # what the complex queue's contacts make slower
_QA_PASSED: Final = "conversion_qa"
_LONG: Final = ["role", "entity", "month", "kpi", "value"]
# How a figure of each catalog unit is shown: through format_kpi as the kpi.py KPI of the same unit.
_FORMAT_AS: Final = {"share": "adherence", "seconds": "aht_s", "points": "qa", "count": "handled"}


@cache
def catalog() -> dict[str, KpiDef]:
    """The KPI catalog by id, in the catalog's order."""
    return {k.id: k for k in load_kpi_catalog()}


def direction(kpi: str) -> int:
    """+1 when a higher value of ``kpi`` is better, -1 when lower is better."""
    return 1 if int(catalog()[kpi].direction) > 0 else -1


def better(kpi: str, a: float, b: float) -> bool:
    """Whether ``a`` is better than ``b`` on ``kpi`` (by its direction), by more than ``TOL``."""
    return direction(kpi) * (float(a) - float(b)) > TOL


def applicable(role: str) -> list[str]:
    """The catalog's KPIs that can measure a person of ``role``."""
    return [k.id for k in catalog().values() if role in k.roles]


@cache
def contact_kpis() -> tuple[str, ...]:
    """The member-level KPIs computed from the contact records."""
    return tuple(
        k.id for k in catalog().values() if k.level == "member" and (k.id in KPI_COLUMNS or k.id == _QA_PASSED)
    )


@cache
def _team_bases() -> dict[str, str]:
    """Team KPI id -> the contact KPI it is of the team (``team_aht_s`` -> ``aht_s``)."""
    out = {}
    for k in catalog().values():
        base = k.id.removeprefix("team_")
        if k.level == "team" and base in KPI_COLUMNS:
            out[k.id] = base
    return out


def band_reason_kpis(reason: str) -> tuple[str, ...]:
    """The KPIs a band reason applies to: ``complex_queue`` the speed KPIs, ``ramping`` every contact KPI."""
    return _COMPLEX_KPIS if reason == "complex_queue" else contact_kpis() if reason == "ramping" else ()


def format_value(kpi: str, value: object) -> str:
    """A figure of ``kpi`` as people read it (:func:`casekit.kpi.format_kpi` by the catalog's unit)."""
    unit = catalog()[kpi].unit if kpi in catalog() else ""
    return format_kpi(_FORMAT_AS.get(unit, kpi), value)


@cache
def _applicability() -> pd.DataFrame:
    rows = [(role, k.id, k.level) for k in catalog().values() for role in k.roles]
    return pd.DataFrame(rows, columns=["role", "kpi", "level"])


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def _wide_to_long(wide: pd.DataFrame, keys: list[str], ids: Sequence[str]) -> pd.DataFrame:
    ids = [k for k in ids if k in wide.columns]
    flat = wide[ids].reset_index()
    long = flat.melt(id_vars=keys, value_vars=ids, var_name="kpi", value_name="value")
    return long[long["value"].notna() & np.isfinite(long["value"].astype(float))]


def _contact_long(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Member contact KPIs of ``frame`` (contacts with ``qa_passed_sales``) by ``keys``, long."""
    wide = kpis(frame, by=keys)
    sums = frame.groupby(keys, sort=True)[["qa_passed_sales", "sales_eligible"]].sum()
    wide[_QA_PASSED] = _ratio(sums["qa_passed_sales"], sums["sales_eligible"])
    return _wide_to_long(wide, keys, contact_kpis())


def _team_long(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Team contact KPIs by ``keys`` (``team`` first), long, named by their team ids."""
    bases = _team_bases()
    wide = kpis(frame, by=keys)
    for team_id, base in bases.items():
        wide[team_id] = wide[base]
    return _wide_to_long(wide, keys, list(bases))


def _with_roles(long: pd.DataFrame, staff_roles: pd.Series) -> pd.DataFrame:
    """``long`` keyed by ``staff_id``, with its role, kept where the KPI can measure the role: ``entity`` rows."""
    out = long.rename(columns={"staff_id": "entity"})
    out["role"] = out["entity"].map(staff_roles)
    keep = _applicability()[["role", "kpi"]]
    return out.merge(keep, on=["role", "kpi"], how="inner")


def _for_leaders(long: pd.DataFrame) -> pd.DataFrame:
    """Team rows (``team``, ...) as the rows of every role the team KPI applies to (team leaders)."""
    roles = _applicability()
    roles = roles.loc[roles["level"] == "team", ["role", "kpi"]]
    return long.rename(columns={"team": "entity"}).merge(roles, on="kpi", how="inner")


def _leader_teams(world: World) -> list[str]:
    staff = world.staff
    return sorted(set(staff.loc[staff["role"] == "team_leader", "team"].astype(str)))


def _retention(world: World, leavers: pd.DataFrame, months: Sequence[str]) -> pd.DataFrame:
    """``team, month, value``: 1 − leavers / headcount for every team with a team leader and month."""
    teams = _leader_teams(world)
    headcount = world.staff.groupby("team").size().reindex(teams).astype(float)
    grid = pd.MultiIndex.from_product([teams, list(months)], names=["team", "month"])
    left = leavers.groupby(["team", "month"])["leavers"].sum().reindex(grid, fill_value=0)
    value = 1 - left.to_numpy(dtype=float) / headcount.reindex(grid.get_level_values("team")).to_numpy()
    out = grid.to_frame(index=False)
    out["kpi"] = "retention"
    out["value"] = value
    return out if "retention" in catalog() else out.iloc[0:0]


def _history_contacts(world: World, months: Sequence[str]) -> pd.DataFrame:
    c = world.contacts
    frame = c.assign(month=period_column(c["date"]), qa_passed_sales=qa_passed_sales(c, world.spec.targets.qa))
    return frame[frame["month"].isin(list(months))]


def peer_history(world: World) -> pd.DataFrame:
    """Every person (every team, for team KPIs) of the world x history month x applicable KPI: ``role, month, kpi,
    value, entity`` (entity = staff_id, or the team for team KPIs): the distribution targets are judged against."""
    months = list(history_months(world))
    roles = world.staff.set_index("staff_id")["role"]
    frame = _history_contacts(world, months)
    frame = frame.assign(team=frame["staff_id"].map(world.staff.set_index("staff_id")["team"]))
    days = frame[frame["logged_in_s"] > 0].groupby(["staff_id", "month"]).size()
    member = _contact_long(frame, ["staff_id", "month"])
    worked = pd.MultiIndex.from_frame(member[["staff_id", "month"]])
    member = member[days.reindex(worked, fill_value=0).to_numpy() >= MIN_DAYS]
    teams = frame[frame["team"].isin(_leader_teams(world))]
    team = _team_long(teams, ["team", "month"])
    left = world.leavers.assign(month=period_column(world.leavers["leave_date"]), leavers=1)
    retention = _retention(world, left[["team", "month", "leavers"]], turnover_months(world))
    activity = world.role_activity
    activity = activity[activity["month"].isin(months)][["staff_id", "month", "kpi", "value"]]
    parts = [
        _with_roles(member, roles),
        _for_leaders(team),
        _for_leaders(retention),
        _with_roles(activity, roles),
    ]
    out = pd.concat([p[_LONG] for p in parts], ignore_index=True)
    out["value"] = out["value"].astype(float)
    return _ordered(out, "entity")[["role", "month", "kpi", "value", "entity"]]


def _ordered(frame: pd.DataFrame, who: str) -> pd.DataFrame:
    order = {k: i for i, k in enumerate(catalog())}
    keys = [who, "kpi_order", "month"] if "month" in frame.columns else [who, "kpi_order"]
    out = frame.assign(kpi_order=frame["kpi"].map(order)).sort_values(keys, kind="stable")
    return out.drop(columns="kpi_order").reset_index(drop=True)


def _to_members(world: World, peers: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``peers`` (``role, entity, kpi, ...``) that are the section's members' own: ``staff_id`` first."""
    members = world.members[["staff_id", "role", "team"]].astype({"team": str})
    level = peers["kpi"].map({k.id: k.level for k in catalog().values()})
    own = peers[level == "member"].merge(
        members[["staff_id", "role"]], left_on=["role", "entity"], right_on=["role", "staff_id"]
    )
    team = peers[level == "team"].merge(members, left_on=["role", "entity"], right_on=["role", "team"])
    return pd.concat([own, team], ignore_index=True).drop(columns=["entity", "team"], errors="ignore")


def member_history(world: World) -> pd.DataFrame:
    """Every member x applicable KPI x history month with data: ``staff_id, month, kpi, value`` (long)."""
    return _member_history(world, peer_history(world))


def _member_history(world: World, peers: pd.DataFrame) -> pd.DataFrame:
    out = _to_members(world, peers)
    return _ordered(out, "staff_id")[["staff_id", "month", "kpi", "value"]]


def review_results(world: World) -> pd.DataFrame:
    """Each member's pooled review-period value per applicable KPI: ``staff_id, kpi, actual`` (ratios of sums over
    the three months for contact and team KPIs, the mean of the months for activity KPIs and retention)."""
    roles = world.staff.set_index("staff_id")["role"]
    frame = world.truth["review_contacts"]
    frame = frame.assign(team=frame["staff_id"].map(world.staff.set_index("staff_id")["team"]))
    member = _contact_long(frame, ["staff_id"])
    team = _team_long(frame[frame["team"].isin(_leader_teams(world))], ["team"])
    retention = _retention(world, world.truth["review_leavers"], list(appraisal_calendar(world).period_months))
    pooled = retention.groupby(["team", "kpi"], as_index=False).agg(value=("value", "mean"))
    activity = world.truth["review_activity"].groupby(["staff_id", "kpi"], as_index=False).agg(value=("value", "mean"))
    parts = [_with_roles(member, roles), _for_leaders(team), _for_leaders(pooled), _with_roles(activity, roles)]
    peers = pd.concat([p[["role", "entity", "kpi", "value"]] for p in parts], ignore_index=True)
    out = _to_members(world, peers).rename(columns={"value": "actual"})
    out["actual"] = out["actual"].astype(float)
    return _ordered(out, "staff_id")[["staff_id", "kpi", "actual"]]


def bands(world: World) -> pd.DataFrame:
    """Every member x applicable KPI with its band: ``staff_id, role, kpi, direction, median, worst, best, team_p95,
    floor, ceiling, reason`` (``team_p95``: the peers' 95th percentile, direction-aware; the rules are in the module
    docstring). Members keep the order of the ``members`` table, KPIs the catalog's."""
    peers = peer_history(world)
    own = _member_history(world, peers)
    members = world.members
    grid = members[["staff_id", "role"]].merge(_applicability()[["role", "kpi"]], on="role")
    order = {s: i for i, s in enumerate(members["staff_id"])}
    kpi_order = {k: i for i, k in enumerate(catalog())}
    grid = grid.assign(o1=grid["staff_id"].map(order), o2=grid["kpi"].map(kpi_order)).sort_values(["o1", "o2"])
    grid = grid.drop(columns=["o1", "o2"]).reset_index(drop=True)
    sign_of = {k: direction(k) for k in catalog()}
    grid["direction"] = grid["kpi"].map(sign_of).astype(int)

    # Signed values (value x direction): higher is better for every KPI, so best = max, worst = min.
    own_s = own.assign(s=own["value"] * own["kpi"].map(sign_of))
    mine = own_s.groupby(["staff_id", "kpi"])["s"].agg(["median", "min", "max"])
    peer_s = peers.assign(s=peers["value"] * peers["kpi"].map(sign_of))
    peer_q = peer_s.groupby(["role", "kpi"])["s"].quantile(np.array([PEER_FLOOR, 0.5, PEER_TOP])).unstack()
    m = grid.join(mine, on=["staff_id", "kpi"]).join(peer_q, on=["role", "kpi"])
    sign = m["direction"].to_numpy(dtype=float)
    best_s, worst_s, top_s = m["max"].to_numpy(float), m["min"].to_numpy(float), m[PEER_TOP].to_numpy(float)

    reason = np.full(len(m), "", dtype=object)
    queue = m["staff_id"].map(members.set_index("staff_id")["queue"]).to_numpy(dtype=object)
    ramping = m["staff_id"].map(members.set_index("staff_id")["ramping"]).fillna(False).to_numpy(dtype=bool)
    kpi = m["kpi"].to_numpy(dtype=object)
    reason[ramping & np.isin(kpi, contact_kpis())] = "ramping"
    reason[(queue == "complex") & np.isin(kpi, _COMPLEX_KPIS)] = "complex_queue"
    no_history = np.isnan(best_s)
    reason[no_history] = "no_history"

    ceiling_s = np.where(np.isnan(top_s), best_s, np.fmax(best_s, top_s))
    ceiling_s = np.where(np.isin(reason, ["complex_queue", "ramping"]), best_s, ceiling_s)
    ceiling_s = np.where(no_history, m[0.5].to_numpy(float), ceiling_s)
    floor_s = np.where(no_history, m[PEER_FLOOR].to_numpy(float), worst_s)
    out = m[["staff_id", "role", "kpi", "direction"]].copy()
    out["median"] = m["median"].to_numpy(float) * sign
    out["worst"] = worst_s * sign
    out["best"] = best_s * sign
    out["team_p95"] = top_s * sign
    out["floor"] = floor_s * sign
    out["ceiling"] = ceiling_s * sign
    out["reason"] = reason.astype(str)
    return out[list(BAND_COLUMNS)]
