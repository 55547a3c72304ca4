"""Turnover analysis (P1.2, N4): headcount, separation rates, early-tenure attrition, exit factors and their
drivers, and the cost of a leaver, all recomputed from a world's ``staff`` and ``leavers`` tables.

Conventions (see ``../shared/domain/FACTS.md``, "Turnover and retention"):

- The *history window* is the ``turnover.history_days`` days before the spec's ``start_date`` (the last day of the
  window is the day before it): every leave date lies in it. Only the calendar months wholly inside it are
  analysed month by month (for a 365-day window, eleven months).
- Headcount on a day is reconstructed: a person counts if hired on or before that day and, for a leaver, left
  after it; the current staff (``staff``) have not left. Every role counts.
- Monthly separation rate (US DOL) = separations in the month / headcount at mid-month (the 15th), as a share
  (x 100 for the percentage). Voluntary = quits; involuntary = dismissals (the leavers table has no "other").
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.scenario import World
from casekit.scenario.catalogs import EXIT_FACTORS
from casekit.scenario.contacts import RAMP_DAYS

__all__ = [
    "DEFAULT_TRAINING_WEEKS",
    "RAMP_AHT_PENALTY",
    "SHIFTS",
    "TENURE_BANDS",
    "TRAINEES_PER_TRAINER",
    "Driver",
    "EarlyTenure",
    "TurnoverCost",
    "annualised",
    "early_tenure_attrition",
    "exit_crosstab",
    "find_drivers",
    "headcount_by_month",
    "history_window",
    "period_rate",
    "role_pay",
    "separation_rates",
    "tenure_band",
    "turnover_cost",
]

SHIFTS = ("early", "day", "late", "night")
TENURE_BANDS = ("<90d", "90d-1y", "1-2y", "2y+")
#: Weeks of classroom training a new agent is paid for before taking contacts (a contact-centre norm is 4-8).
DEFAULT_TRAINING_WEEKS = 6
#: New starters per trainer in a training class: each trainee takes this share of a trainer's time.
TRAINEES_PER_TRAINER = 8
#: The contacts model's handle-time penalty of a new starter: AHT x (1 + 0.45 e^(-days / RAMP_DAYS)).
RAMP_AHT_PENALTY = 0.45
#: Smallest share "elsewhere" a lift divides by: half a leaver among those elsewhere (so a lift stays finite).
_HALF_LEAVER = 0.5
#: A driver needs at least this many of the scope's voluntary leavers citing its factor.
MIN_CITING = 2


def _dates(values: Iterable[str]) -> np.ndarray:
    return np.array([dt.date.fromisoformat(str(v)) for v in values], dtype="datetime64[D]")


def history_window(world: World) -> tuple[dt.date, dt.date]:
    """First and last day of the leavers' history window (the ``history_days`` days before ``start_date``)."""
    last = world.spec.start_date - dt.timedelta(days=1)
    return world.spec.start_date - dt.timedelta(days=world.spec.turnover.history_days), last


def _full_months(world: World) -> list[tuple[str, dt.date, dt.date]]:
    """(``YYYY-MM``, first day, last day) of every calendar month wholly inside the history window."""
    first, last = history_window(world)
    months: list[tuple[str, dt.date, dt.date]] = []
    day = first if first.day == 1 else (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    while True:
        end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        if end > last:
            return months
        months.append((day.strftime("%Y-%m"), day, end))
        day = end + dt.timedelta(days=1)


def _spans(world: World) -> tuple[np.ndarray, np.ndarray]:
    """Hire dates and leave dates (NaT for the current staff) of everybody who worked in the history."""
    leavers = world.leavers
    hired = np.concatenate([_dates(world.staff["hire_date"]), _dates(leavers["hire_date"])])
    left = np.concatenate(
        [np.full(len(world.staff), np.datetime64("NaT"), dtype="datetime64[D]"), _dates(leavers["leave_date"])]
    )
    return hired, left


def _headcount(hired: np.ndarray, left: np.ndarray, day: dt.date) -> int:
    d = np.datetime64(day, "D")
    staying = np.isnat(left) | (left > d)
    return int(((hired <= d) & staying).sum())


def headcount_by_month(world: World) -> pd.DataFrame:
    """Reconstructed headcount per full month of the history window: on the first day (``start``), the last day
    (``end``), the 15th (``mid``) and ``average`` = (start + end) / 2."""
    hired, left = _spans(world)
    rows = []
    for month, first, last in _full_months(world):
        start, end = _headcount(hired, left, first), _headcount(hired, left, last)
        mid = _headcount(hired, left, first.replace(day=15))
        rows.append({"month": month, "start": start, "end": end, "mid": mid, "average": (start + end) / 2})
    return pd.DataFrame(rows, columns=["month", "start", "end", "mid", "average"])


def separation_rates(world: World) -> pd.DataFrame:
    """Separations per full month of the history window and the US DOL rates (shares of the mid-month
    headcount): ``rate`` for all leavers, ``voluntary_rate`` (quits), ``involuntary_rate`` (dismissals)."""
    heads = headcount_by_month(world)
    leavers = world.leavers
    month = leavers["leave_date"].astype(str).str.slice(0, 7)
    voluntary = leavers["leaver_type"] == "voluntary"
    counts = pd.DataFrame(
        {
            "leavers": month.value_counts(),
            "voluntary": month[voluntary].value_counts(),
            "involuntary": month[~voluntary].value_counts(),
        }
    )
    counts = counts.reindex(heads["month"]).fillna(0).astype(int).reset_index(drop=True)
    out = pd.DataFrame({"month": heads["month"], **{c: counts[c] for c in counts.columns}})
    out["headcount_mid"] = heads["mid"]
    mid = out["headcount_mid"].where(out["headcount_mid"] > 0)
    for col, name in (("leavers", "rate"), ("voluntary", "voluntary_rate"), ("involuntary", "involuntary_rate")):
        out[name] = (out[col] / mid).fillna(0.0).astype(float)
    return out


def annualised(rates: pd.Series | Iterable[float], method: str = "compound") -> float:
    """An annual rate from monthly rates (shares), scaled to twelve months when fewer or more are given.

    ``compound``: 1 - prod(1 - m)^(12 / n) (the share of a fixed group that would leave in a year); ``sum``:
    sum(m) x 12 / n (the DOL habit of adding the months up). With twelve months these are 1 - prod(1 - m) and
    sum(m) exactly; with the eleven full months of a 365-day window, the scaling adds the missing month.
    """
    values = [float(v) for v in rates]
    if not values:
        return 0.0
    scale = 12 / len(values)
    if method == "sum":
        return sum(values) * scale
    if method == "compound":
        stay = math.prod(1 - min(max(v, 0.0), 1.0) for v in values)
        return 1 - stay**scale
    raise ValueError(method)


def period_rate(world: World) -> float:
    """Leavers of the whole history window / average headcount ((first day + last day) / 2), annualised by the
    window's length (x 365 / days)."""
    first, last = history_window(world)
    hired, left = _spans(world)
    average = (_headcount(hired, left, first) + _headcount(hired, left, last)) / 2
    if average <= 0:
        return 0.0
    return len(world.leavers) / average * 365 / world.spec.turnover.history_days


@dataclass(frozen=True)
class EarlyTenure:
    """Early-tenure attrition of the hires that could be watched for ``days`` days."""

    hires: int
    early_leavers: int
    rate: float
    days: int
    cohort_first: dt.date  # the cohort: hired from this day ...
    cohort_last: dt.date  # ... to this one, ``days`` before the history ends


def early_tenure_attrition(world: World, days: int = 90) -> EarlyTenure:
    """Leavers with tenure under ``days`` days / hires of the cohort. The cohort is everybody (staff and leavers)
    hired in the history window at least ``days`` days before it ended, so each could be seen for ``days`` days."""
    first, last = history_window(world)
    cohort_last = last - dt.timedelta(days=days)
    hired, left = _spans(world)
    in_cohort = (hired >= np.datetime64(first, "D")) & (hired <= np.datetime64(cohort_last, "D"))
    early = in_cohort & ~np.isnat(left) & ((left - hired).astype(int) < days)
    hires = int(in_cohort.sum())
    rate = int(early.sum()) / hires if hires else 0.0
    return EarlyTenure(hires, int(early.sum()), rate, days, first, cohort_last)


def tenure_band(days: int | float) -> str:
    """The tenure band of a stay of ``days`` days: "<90d", "90d-1y", "1-2y" or "2y+"."""
    return TENURE_BANDS[bisect.bisect_right((90, 365, 730), days)]


_CROSS = ("exit_factor", "team", "shift", "tenure_band", "leaver_type", "role")


def _order(column: str, values: Iterable[str]) -> list[str]:
    present = sorted(set(values))
    fixed = {"exit_factor": (*EXIT_FACTORS, "involuntary"), "shift": SHIFTS, "tenure_band": TENURE_BANDS}
    if column in fixed:
        return [v for v in fixed[column] if v in present or column != "shift"]
    return present


def exit_crosstab(
    world: World, rows: str = "exit_factor", cols: str = "team", *, voluntary_only: bool = True
) -> pd.DataFrame:
    """Leavers counted by ``rows`` x ``cols`` (exit_factor, team, shift, tenure_band, leaver_type, role).

    Exit factors list all eight N4 codes (an involuntary leaver, who gives none, is "involuntary" when
    ``voluntary_only`` is off); tenure bands are "<90d", "90d-1y", "1-2y", "2y+"; shifts keep their day order.
    """
    for name in (rows, cols):
        if name not in _CROSS:
            raise ValueError(name)
    leavers = world.leavers.copy()
    leavers["tenure_band"] = [tenure_band(d) for d in leavers["tenure_days"]]
    leavers["exit_factor"] = leavers["exit_factor"].fillna("").astype(str).replace("", "involuntary")
    if voluntary_only:
        leavers = leavers[leavers["leaver_type"] == "voluntary"]
    table = pd.crosstab(leavers[rows], leavers[cols])
    row_keys = _order(rows, leavers[rows])
    if rows == "exit_factor" and voluntary_only:
        row_keys = list(EXIT_FACTORS)
    table = table.reindex(index=row_keys, columns=_order(cols, leavers[cols]), fill_value=0)
    table.index.name, table.columns.name = rows, cols
    return table.astype(int)


@dataclass(frozen=True)
class Driver:
    """An exit factor over-represented among the voluntary leavers of a team or a shift.

    ``leavers`` of the scope's ``scope_leavers`` voluntary leavers cite ``factor``: ``share`` of them, against
    ``share_elsewhere`` among the voluntary leavers outside the scope; ``lift`` = share / share elsewhere;
    ``excess`` = leavers beyond what the share elsewhere would give; ``p_value`` = the chance of at least
    ``leavers`` citing the factor if it were cited as often as elsewhere (binomial upper tail).
    """

    factor: str
    scope: str
    leavers: int
    scope_leavers: int
    share: float
    share_elsewhere: float
    lift: float
    excess: float
    p_value: float


def _scopes(leavers: pd.DataFrame) -> list[tuple[str, np.ndarray]]:
    scopes = [(f"team:{tm}", (leavers["team"] == tm).to_numpy()) for tm in sorted(set(leavers["team"]))]
    shifts = _order("shift", leavers["shift"])
    return scopes + [(f"shift:{s}", (leavers["shift"] == s).to_numpy()) for s in shifts]


def _binomial_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    return min(1.0, sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1)))


def _candidates(
    members: np.ndarray, codes: np.ndarray, explained: np.ndarray, big: np.ndarray, min_lift: float
) -> list[tuple[float, int, int, int, int, float, float]]:
    """(p, factor index, scope index, k, n, share elsewhere, lift) of every (factor, scope) meeting the thresholds; the
    leavers ``explained`` for a factor are left out of that factor's comparison."""
    out = []
    for f in range(len(EXIT_FACTORS)):
        keep = ~explained[f]
        inside = members & keep[:, None]  # (leavers, scopes)
        n_in = inside.sum(axis=0)
        n_out = int(keep.sum()) - n_in
        cites = keep & (codes == f)
        k_in = (inside & cites[:, None]).sum(axis=0)
        k_out = int(cites.sum()) - k_in
        for s in np.flatnonzero(big & (k_in >= MIN_CITING) & (n_out > 0)):
            elsewhere = k_out[s] / n_out[s]
            floor = max(elsewhere, _HALF_LEAVER / n_out[s])
            lift = float(k_in[s] / n_in[s] / floor)
            if lift >= min_lift:
                p = _binomial_tail(int(k_in[s]), int(n_in[s]), float(floor))
                out.append((p, f, int(s), int(k_in[s]), int(n_in[s]), float(elsewhere), lift))
    return out


def find_drivers(world: World, min_leavers: int = 5, min_lift: float = 2.0, max_p: float = 0.05) -> list[Driver]:
    """Exit factors that concentrate in a team or a shift, strongest evidence first.

    A (factor, scope) qualifies when the scope had at least ``min_leavers`` leavers (of either type), at least
    ``MIN_CITING`` of its voluntary leavers cite the factor, the factor's share among them is at least
    ``min_lift`` times its share among the voluntary leavers elsewhere (floored at half a leaver, so that a factor
    nobody cites elsewhere has a finite lift), and ``p_value`` <= ``max_p``.

    The drivers are picked one at a time, the smallest p-value first (a large lift on two leavers is weak
    evidence, so the list is not sorted by lift); once one is picked, its leavers (the scope's leavers citing the
    factor) are explained and left out of that factor's later comparisons. So the shadow a driver casts (a team
    with a leadership problem makes its leavers' shift look led badly too) is not reported as a driver of its own.
    The figures of each driver are those it was picked on: the plain ones, unless an earlier driver on the same
    factor explained some of its leavers.
    """
    leavers = world.leavers
    voluntary = leavers[leavers["leaver_type"] == "voluntary"]
    scopes = _scopes(voluntary)
    if not scopes:
        return []
    members = np.stack([m for _, m in scopes], axis=1)
    sizes = {f"{col}:{v}": int(c) for col in ("team", "shift") for v, c in leavers[col].value_counts().items()}
    big = np.array([sizes.get(name, 0) >= min_leavers for name, _ in scopes])
    index = {f: i for i, f in enumerate(EXIT_FACTORS)}
    codes = np.array([index.get(str(f), -1) for f in voluntary["exit_factor"]])
    explained = np.zeros((len(EXIT_FACTORS), len(voluntary)), dtype=bool)
    found: list[Driver] = []
    taken: set[tuple[int, int]] = set()
    while True:
        options = [c for c in _candidates(members, codes, explained, big, min_lift) if (c[1], c[2]) not in taken]
        options = [c for c in options if c[0] <= max_p]
        if not options:
            return found
        p, f, s, k, n, elsewhere, lift = min(options, key=lambda c: (c[0], -c[3], c[2], c[1]))
        taken.add((f, s))
        explained[f] |= members[:, s] & (codes == f)
        found.append(Driver(EXIT_FACTORS[f], scopes[s][0], k, n, k / n, elsewhere, lift, k - n * elsewhere, p))


def role_pay(world: World) -> dict[str, float]:
    """Median monthly base pay per role among the monthly-paid staff; a role nobody holds on monthly pay gets
    the middle of the spec's band."""
    staff = world.staff[world.staff["pay_basis"] == "monthly"]
    pay = {r: (spec.base_pay.min + spec.base_pay.max) / 2 for r, spec in world.spec.roles.items()}
    pay.update({str(r): float(v) for r, v in staff.groupby("role")["base_pay"].median().items()})
    return pay


@dataclass(frozen=True)
class TurnoverCost:
    """What replacing the leavers costs: the mean per leaver, the total over the history window, the mean of each
    component per leaver, and the comparison with a year's base pay (12 months, no year-end bonus)."""

    per_leaver: float
    total: float
    components: dict[str, float]
    leavers: int
    annual_pay: float  # mean year's base pay of the leavers' roles
    share_of_annual_pay: float


def ramp_loss_days(ramp_days: float = RAMP_DAYS, penalty: float = RAMP_AHT_PENALTY) -> float:
    """Calendar days of a full output lost while a new starter ramps up: with handle time x (1 + p e^(-t/r)),
    output is 1 / (1 + p e^(-t/r)) of a full one and the loss integrates to r x ln(1 + p)."""
    return ramp_days * math.log1p(penalty)


def turnover_cost(
    world: World,
    *,
    recruitment_per_hire: float | None = None,
    training_weeks: float = DEFAULT_TRAINING_WEEKS,
    ramp_days: float = RAMP_DAYS,
) -> TurnoverCost:
    """Cost of replacing each leaver of the history window, from the median base pay of the leaver's role:

    - ``recruitment``: ``recruitment_per_hire`` NT$, by default one month of the role's median base pay
      (advertising, screening, interviews, onboarding administration);
    - ``training_wages``: the trainee's pay for ``training_weeks`` weeks off the phones (weekly = monthly x 12/52);
    - ``trainer_time``: 1/``TRAINEES_PER_TRAINER`` of a trainer's pay for the same weeks;
    - ``ramp``: output lost while ramping up (:func:`ramp_loss_days`, 45 days at 45% longer handle time fading
      exponentially, as in the contacts model), valued at the role's pay per calendar day (monthly x 12/365).

    FACTS quotes 60-70% of a year's pay for a replaced agent; that figure also counts indirect costs (cover and
    overtime while the seat is empty, lost sales, management time), which these direct components leave out, so
    this estimate is lower (about a quarter of a year's pay).
    """
    pay = role_pay(world)
    trainer = pay.get("trainer", pay.get("team_leader", max(pay.values())))
    lost_days = ramp_loss_days(ramp_days)
    roles = [str(r) for r in world.leavers["role"]]
    parts: dict[str, list[float]] = {"recruitment": [], "training_wages": [], "trainer_time": [], "ramp": []}
    for role in roles:
        monthly = pay.get(role, pay.get("agent", trainer))
        parts["recruitment"].append(monthly if recruitment_per_hire is None else float(recruitment_per_hire))
        parts["training_wages"].append(monthly * 12 / 52 * training_weeks)
        parts["trainer_time"].append(trainer * 12 / 52 * training_weeks / TRAINEES_PER_TRAINER)
        parts["ramp"].append(monthly * 12 / 365 * lost_days)
    n = len(roles)
    components = {k: (sum(v) / n if n else 0.0) for k, v in parts.items()}
    per_leaver = sum(components.values())
    annual = sum(12 * pay.get(r, pay.get("agent", trainer)) for r in roles) / n if n else 0.0
    share = per_leaver / annual if annual else 0.0
    return TurnoverCost(per_leaver, per_leaver * n, components, n, annual, share)
