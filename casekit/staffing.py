"""Contact-centre staffing by Erlang C: agents per interval, staff (FTE) for a service-level target, and the service
level a given number of staff reaches.

Erlang C (FACTS "Staffing: Erlang C"): traffic ``A = calls x AHT / interval length`` (Erlangs) offered to ``N``
agents; the probability that a contact waits is ``P_wait = N·B / (N − A·(1 − B))`` with ``B`` the Erlang B blocking
probability, found by the recursion ``B(0) = 1``, ``B(k) = A·B(k−1) / (k + A·B(k−1))``. The recursion never forms
``A^N`` or ``N!``, so it stays exact for hundreds of agents, where the textbook factorial formula overflows. Then
``SL(T) = 1 − P_wait·exp(−(N − A)·T / AHT)`` and ``ASA = P_wait·AHT / (N − A)``. Erlang C ignores abandonment (a
caller who hangs up frees the queue), so it overstates the need a little: a safe side for planning.

How :func:`staffing_need` turns a world's interval history into a staffing need (the method shown to candidates and
assessors):

1. Forecast, per half-hour ``interval_start`` and channel: contacts = the mean offered per day over all the days in
   the table (a day with no row for that interval counts as 0), times ``volume_scale`` for a busier or quieter period;
   AHT = the handling time weighted by answered contacts (AHT is measured on handled contacts).
2. Voice and chat are queued: the agents of an interval are the fewest meeting the service-level target (e.g. 80 %
   within 20 s) by Erlang C. Chat is treated as one contact at a time per agent: conservative, since agents who can
   hold two chats at once need fewer seats.
3. Email is deferred work, answered within hours, not seconds: its agents are the workload ``offered x AHT /
   interval length`` at a planned occupancy of 85 % (:data:`EMAIL_OCCUPANCY`), not rounded.
4. Productive agent-hours per day = the sum over intervals and channels of agents x interval length in hours.
5. FTE = hours per day x 7 days / (contract hours per week x (1 − shrinkage)): the centre opens every day of the week,
   and shrinkage (leave, training, meetings, breaks) is the share of paid hours not spent handling contacts.

:func:`service_level_with` answers the reverse question for a number of staff: the productive agents of each
interval are the need's agents scaled by ``fte / need.fte`` (ideal scheduling: staff spread over the day exactly as the
need is), rounded down to whole agents (conservative); its result is the mean service level over the queued intervals
weighted by their contacts (email, not queued, is left out).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from casekit.errors import ProblemCollector

__all__ = [
    "DEFERRED_CHANNELS",
    "EMAIL_OCCUPANCY",
    "INTERVAL_COLUMNS",
    "MAX_SHRINKAGE",
    "QUEUED_CHANNELS",
    "ErlangC",
    "StaffingNeed",
    "agents_for",
    "current_fte",
    "erlang_c",
    "service_level_with",
    "staffing_need",
    "with_shrinkage",
]

#: Channels answered from a queue (Erlang C) and channels worked as a backlog (workload at a planned occupancy).
QUEUED_CHANNELS: Final = ("voice", "chat")
DEFERRED_CHANNELS: Final = ("email",)
#: The planned occupancy of deferred work (email): agents = workload / 0.85.
EMAIL_OCCUPANCY: Final = 0.85
#: Shrinkage must be below this: at 90 % a tenth of paid time is productive, and the need explodes.
MAX_SHRINKAGE: Final = 0.9
#: The interval table's columns that staffing_need reads.
INTERVAL_COLUMNS: Final = ("date", "interval_start", "channel", "offered", "answered", "aht_s")
#: Part-time staff count as half a full-time equivalent.
PART_TIME_FTE: Final = 0.5
_EPS: Final = 1e-9

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def _number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _finite(value: Any, low: float, *, strict: bool = False) -> bool:
    if not _number(value) or not math.isfinite(float(value)):
        return False
    return float(value) > low if strict else float(value) >= low


def _share(value: Any) -> bool:
    return _finite(value, 0.0, strict=True) and float(value) < 1.0


def _check_shrinkage(check: ProblemCollector, shrinkage: Any) -> None:
    ok = _finite(shrinkage, 0.0) and float(shrinkage) < MAX_SHRINKAGE
    check.need(ok, "shrinkage", "staffing.expect_shrinkage", shrinkage, limit=MAX_SHRINKAGE)


@dataclass(frozen=True)
class ErlangC:
    """One interval by Erlang C: traffic ``a`` (Erlangs), ``agents``, the probability a contact waits, the service
    level (share answered within the target seconds), the average speed of answer in seconds and the occupancy
    ``a / agents``.

    With ``agents <= a`` the queue grows without bound: ``p_wait`` is 1, ``service_level`` 0, ``asa_s`` infinite and
    ``occupancy`` 1. With no traffic nobody waits: ``p_wait`` 0, ``service_level`` 1, ``asa_s`` 0, ``occupancy`` 0.
    """

    a: float
    agents: int
    p_wait: float
    service_level: float
    asa_s: float
    occupancy: float


def _erlang_b(a: float, agents: int) -> float:
    b = 1.0
    for k in range(1, agents + 1):
        b = a * b / (k + a * b)
    return b


def _wait_probability(a: float, agents: int, b: float) -> float:
    return agents * b / (agents - a * (1.0 - b))


def erlang_c(calls: float, aht_s: float, interval_s: float, agents: int, target_seconds: float) -> ErlangC:
    """Erlang C for ``calls`` offered in an interval of ``interval_s`` seconds, handled in ``aht_s`` seconds on
    average by ``agents``; the service level counts contacts answered within ``target_seconds``."""
    check = ProblemCollector("erlang_c")
    check.need(_finite(calls, 0.0), "calls", "staffing.expect_non_negative", calls)
    check.need(_finite(aht_s, 0.0, strict=True), "aht_s", "staffing.expect_positive", aht_s)
    check.need(_finite(interval_s, 0.0, strict=True), "interval_s", "staffing.expect_positive", interval_s)
    whole = isinstance(agents, int | np.integer) and not isinstance(agents, bool) and agents >= 0
    check.need(whole, "agents", "staffing.expect_whole", agents)
    check.need(_finite(target_seconds, 0.0), "target_seconds", "staffing.expect_non_negative", target_seconds)
    check.raise_any()
    a = float(calls) * float(aht_s) / float(interval_s)
    n = int(agents)
    if a == 0.0:
        return ErlangC(a, n, 0.0, 1.0, 0.0, 0.0)
    if n <= a:
        return ErlangC(a, n, 1.0, 0.0, math.inf, 1.0)
    p_wait = _wait_probability(a, n, _erlang_b(a, n))
    service_level = 1.0 - p_wait * math.exp(-(n - a) * float(target_seconds) / float(aht_s))
    return ErlangC(a, n, p_wait, service_level, p_wait * float(aht_s) / (n - a), a / n)


def _agents_for(a: float, aht_s: float, target_sl: float, target_seconds: float) -> int:
    """The fewest agents whose service level reaches ``target_sl``: B grows one agent at a time, so the search costs
    what one Erlang C of the answer costs."""
    if a <= 0.0:
        return 0
    b, n = 1.0, 0
    while True:
        n += 1
        b = a * b / (n + a * b)
        if n > a:
            level = 1.0 - _wait_probability(a, n, b) * math.exp(-(n - a) * target_seconds / aht_s)
            if level >= target_sl:
                return n


def agents_for(calls: float, aht_s: float, interval_s: float, target_sl: float, target_seconds: float) -> int:
    """The smallest number of agents whose Erlang C service level is at least ``target_sl`` (a share, e.g. 0.8)
    within ``target_seconds``; 0 when no contacts are offered."""
    check = ProblemCollector("agents_for")
    check.need(_finite(calls, 0.0), "calls", "staffing.expect_non_negative", calls)
    check.need(_finite(aht_s, 0.0, strict=True), "aht_s", "staffing.expect_positive", aht_s)
    check.need(_finite(interval_s, 0.0, strict=True), "interval_s", "staffing.expect_positive", interval_s)
    check.need(_share(target_sl), "target_sl", "staffing.expect_share", target_sl)
    check.need(_finite(target_seconds, 0.0), "target_seconds", "staffing.expect_non_negative", target_seconds)
    check.raise_any()
    a = float(calls) * float(aht_s) / float(interval_s)
    return _agents_for(a, float(aht_s), float(target_sl), float(target_seconds))


def with_shrinkage(n: float, shrinkage: float) -> int:
    """Staff to roster for ``n`` productive agents when ``shrinkage`` of paid time is not productive:
    ``ceil(n / (1 − shrinkage))`` (a hair of tolerance, so 14 / 0.7 is 20, not 21)."""
    check = ProblemCollector("with_shrinkage")
    check.need(_finite(n, 0.0), "n", "staffing.expect_non_negative", n)
    _check_shrinkage(check, shrinkage)
    check.raise_any()
    return math.ceil(float(n) / (1.0 - float(shrinkage)) - _EPS)


@dataclass(frozen=True, eq=False)
class _Queued:
    """The queued intervals with contacts, as arrays, and their Erlang B values for 0..cap agents."""

    traffic: FloatArray
    aht_s: FloatArray
    calls: FloatArray
    agents: FloatArray
    blocking: FloatArray  # shape (intervals, cap + 1): blocking[i, k] = B(traffic[i], k)

    @classmethod
    def build(cls, table: pd.DataFrame) -> _Queued:
        rows = table[table["channel"].isin(QUEUED_CHANNELS) & (table["calls"] > 0)]
        traffic = rows["traffic"].to_numpy(dtype=float)
        agents = rows["agents"].to_numpy(dtype=float)
        cap = int(2 * agents.max()) + 16 if len(agents) else 0
        blocking = np.ones((len(traffic), cap + 1))
        for k in range(1, cap + 1):
            previous = traffic * blocking[:, k - 1]
            blocking[:, k] = previous / (k + previous)
        return cls(traffic, rows["aht_s"].to_numpy(dtype=float), rows["calls"].to_numpy(dtype=float), agents, blocking)

    def service_levels(self, agents: IntArray, target_seconds: float) -> FloatArray:
        """The Erlang C service level of every queued interval with ``agents`` in it."""
        cap = self.blocking.shape[1] - 1
        b = self.blocking[np.arange(len(agents)), np.minimum(agents, cap)]
        for i in np.flatnonzero(agents > cap):  # far above the need: rare, so the slow exact way
            b[i] = _erlang_b(float(self.traffic[i]), int(agents[i]))
        n, a = agents.astype(float), self.traffic
        room = n > a
        with np.errstate(divide="ignore", invalid="ignore"):
            p_wait = np.where(room, n * b / (n - a * (1.0 - b)), 1.0)
            level = 1.0 - p_wait * np.exp(-(n - a) * target_seconds / self.aht_s)
        return np.where(room, level, 0.0)


@dataclass(frozen=True, eq=False)
class StaffingNeed:
    """The staffing need of a centre (the method is in the module's docstring).

    ``intervals`` has one row per interval start and channel: ``interval_start``, ``channel``, ``calls`` (forecast
    contacts per day), ``aht_s``, ``traffic`` (Erlangs) and ``agents`` (whole agents for queued channels, the workload
    at 85 % occupancy for email). ``hours_per_day`` is the productive agent-hours a day, ``fte`` the staff needed
    after shrinkage.
    """

    intervals: pd.DataFrame
    hours_per_day: float
    fte: float
    shrinkage: float
    target_sl: float
    target_seconds: int
    interval_s: int
    week_hours: float
    _queued: _Queued = field(repr=False)


def _forecast(intervals: pd.DataFrame, interval_s: int) -> pd.DataFrame:
    """Mean offered per day and the answered-weighted AHT per interval start and channel (sums by bincount over
    factorised keys: a widget recomputes this, and pandas' groupby on two text columns is several times slower)."""
    days = intervals["date"].nunique()
    starts, start_names = pd.factorize(intervals["interval_start"].astype(str), sort=True)
    channels, channel_names = pd.factorize(intervals["channel"].astype(str), sort=True)
    key = starts * len(channel_names) + channels
    size = len(start_names) * len(channel_names)
    answered = intervals["answered"].to_numpy(dtype=float)
    aht_s = intervals["aht_s"].to_numpy(dtype=float)

    def total(weights: FloatArray | None = None) -> FloatArray:
        return np.bincount(key, weights=weights, minlength=size).astype(float)

    present = total() > 0
    offered, work, handled = total(intervals["offered"].to_numpy(dtype=float)), total(aht_s * answered), total(answered)
    with np.errstate(divide="ignore", invalid="ignore"):
        aht = np.where(handled > 0, work / handled, total(aht_s) / total())  # no contact handled: the plain mean
    calls = offered / days
    return pd.DataFrame(
        {
            "interval_start": np.repeat(np.asarray(start_names, dtype=object), len(channel_names))[present],
            "channel": np.tile(np.asarray(channel_names, dtype=object), len(start_names))[present],
            "calls": calls[present],
            "aht_s": aht[present],
            "traffic": (calls * aht / interval_s)[present],
        }
    ).astype({"interval_start": str, "channel": str})


def _check_table(check: ProblemCollector, intervals: Any) -> bool:
    if not isinstance(intervals, pd.DataFrame):
        got = type(intervals).__name__
        check.need(False, "intervals", "staffing.expect_table", got, columns=", ".join(INTERVAL_COLUMNS))
        return False
    missing = [c for c in INTERVAL_COLUMNS if c not in intervals.columns]
    got = ", ".join(map(str, intervals.columns))
    check.need(not missing, "intervals", "staffing.expect_columns", got, columns=", ".join(missing))
    check.need(len(intervals) > 0, "intervals", "staffing.expect_rows", len(intervals))
    if missing or not len(intervals):
        return False
    known = (*QUEUED_CHANNELS, *DEFERRED_CHANNELS)
    unknown = sorted(set(map(str, intervals["channel"].unique())) - set(known))
    allowed = ", ".join(known)
    check.need(not unknown, "intervals.channel", "staffing.expect_channel", ", ".join(unknown), allowed=allowed)
    for column in ("offered", "answered", "aht_s"):
        values = pd.to_numeric(intervals[column], errors="coerce").astype(float)
        bad = intervals[column][~(np.isfinite(values) & (values >= 0))]
        check.need(bad.empty, f"intervals.{column}", "staffing.expect_counts", None if bad.empty else bad.iloc[0])
    return not check.items


def staffing_need(
    intervals: pd.DataFrame,
    *,
    target_sl: float,
    target_seconds: int,
    shrinkage: float,
    interval_s: int = 1800,
    week_hours: float = 40.0,
    volume_scale: float = 1.0,
) -> StaffingNeed:
    """The staff a centre needs to answer ``target_sl`` of its queued contacts within ``target_seconds``, from its
    interval history (``date, interval_start, channel, offered, answered, aht_s``, one row per day, interval and
    channel), with ``shrinkage`` of paid time unproductive and ``week_hours`` contract hours per FTE.
    ``volume_scale`` multiplies the history's offered and answered contacts before the forecast (1.1: a week with
    10 % more contacts than the history's average; AHT is unchanged).

    The method is the module's: forecast per interval, Erlang C per queued interval, email as workload at 85 %
    occupancy, hours per day, then FTE = hours x 7 / (week_hours x (1 − shrinkage)).
    """
    check = ProblemCollector("staffing_need")
    _check_table(check, intervals)
    check.need(_share(target_sl), "target_sl", "staffing.expect_share", target_sl)
    check.need(_finite(target_seconds, 0.0), "target_seconds", "staffing.expect_non_negative", target_seconds)
    _check_shrinkage(check, shrinkage)
    check.need(_finite(interval_s, 0.0, strict=True), "interval_s", "staffing.expect_positive", interval_s)
    check.need(_finite(week_hours, 0.0, strict=True), "week_hours", "staffing.expect_positive", week_hours)
    check.need(_finite(volume_scale, 0.0, strict=True), "volume_scale", "staffing.expect_positive", volume_scale)
    check.raise_any()
    if float(volume_scale) != 1.0:
        scale = float(volume_scale)
        intervals = intervals.assign(
            offered=pd.to_numeric(intervals["offered"]).astype(float) * scale,
            answered=pd.to_numeric(intervals["answered"]).astype(float) * scale,
        )
    table = _forecast(intervals, interval_s)
    queued = table["channel"].isin(QUEUED_CHANNELS)
    erlang = [
        _agents_for(float(a), float(h), float(target_sl), float(target_seconds)) if q else 0
        for a, h, q in zip(table["traffic"], table["aht_s"], queued, strict=True)
    ]
    table["agents"] = np.where(queued, np.asarray(erlang, dtype=float), table["traffic"] / EMAIL_OCCUPANCY)
    hours = float(table["agents"].sum()) * interval_s / 3600.0
    fte = hours * 7.0 / (float(week_hours) * (1.0 - float(shrinkage)))
    return StaffingNeed(
        intervals=table,
        hours_per_day=hours,
        fte=fte,
        shrinkage=float(shrinkage),
        target_sl=float(target_sl),
        target_seconds=int(target_seconds),
        interval_s=int(interval_s),
        week_hours=float(week_hours),
        _queued=_Queued.build(table),
    )


def service_level_with(need: StaffingNeed, fte: float) -> float:
    """The service level the centre reaches with ``fte`` staff: each queued interval keeps the need's agents scaled by
    ``fte / need.fte`` (ideal scheduling), rounded down to whole agents, and the result is the contact-weighted mean
    Erlang C service level over the queued intervals (email excluded). 1.0 when no queued contacts are offered."""
    check = ProblemCollector("service_level_with")
    check.need(_finite(fte, 0.0), "fte", "staffing.expect_non_negative", fte)
    check.raise_any()
    queued = need._queued
    total = float(queued.calls.sum())
    if total == 0.0:
        return 1.0
    agents = np.floor(queued.agents * (float(fte) / need.fte) + _EPS).astype(np.int64)
    levels = queued.service_levels(agents, float(need.target_seconds))
    return float(np.dot(levels, queued.calls) / total)


def current_fte(staff: pd.DataFrame, roles: Collection[str] = ("agent", "senior_agent")) -> float:
    """The handling staff in full-time equivalents: everyone in ``roles`` counts 1, part-time contracts 0.5."""
    check = ProblemCollector("current_fte")
    columns = list(getattr(staff, "columns", ()))
    missing = [c for c in ("role", "contract") if c not in columns]
    got = ", ".join(map(str, columns))
    check.need(not missing, "staff", "staffing.expect_columns", got, columns=", ".join(missing))
    check.raise_any()
    handling = staff[staff["role"].isin(list(roles))]
    weights = np.where(handling["contract"].astype(str) == "part_time", PART_TIME_FTE, 1.0)
    return float(weights.sum())
