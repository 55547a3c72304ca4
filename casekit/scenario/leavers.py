"""Past leavers with exit interviews coded to the eight N4 attrition factors, and the turnover drivers behind them.

Leavers come more from stressed teams and say "stress" more there; new starters leave more (a spec-set share
leave within 90 days), and early leavers are more often dismissed (probation) or cite missing training.

Two drivers are seeded per world (:func:`pick_drivers`, the hidden ``world.truth["turnover_drivers"]``): one
frontline team has a leadership problem and one shift (not "day" where the centre staffs another) is under stress.
The driver's team (1.8 times the leavers of an average team, and at least six where teams are small) or shift
(1.4 times its staffing share) loses more people, and a fixed share of the scope's leavers (rounded) quit because
of the driver and cite it; the others give reasons drawn like everybody else's. Team and shift counts, and each
shift's counts of the other reasons, are apportioned to their expected values rather than drawn freely: with some
18 leavers a year (ecommerce-cs) chance alone would otherwise bury a driver or invent one, while the other seven
factors still appear in every scope.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import EXIT_FACTORS, load_people
from casekit.scenario.people import draw_names
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec
from casekit.scenario.staff import SUPPORT_TEAM, Workforce

__all__ = ["EARLY_TENURE_DAYS", "FRONTLINE_ROLES", "TurnoverDrivers", "build_leavers", "pick_drivers"]

EARLY_TENURE_DAYS = 90
FRONTLINE_ROLES = ("agent", "senior_agent")

#: How many times more leavers the leadership team loses than the average of the other teams.
LEADERSHIP_TEAM_WEIGHT = 1.8
#: ... and at least this many leavers are expected there (at most 2.5 times the average; bank-cards has 13 teams).
MIN_DRIVER_LEAVERS = 6
#: How many times more leavers the stressed shift loses than its staffing share.
STRESS_SHIFT_WEIGHT = 1.4
#: Share of the scope's voluntary leavers who leave because of the driver (and say so).
LEADERSHIP_SHARE = 0.5
STRESS_SHARE = 0.6
#: The weight of "stress" among the other exits off the stressed shift: the drivers hold the centre's stress.
STRESS_ELSEWHERE = 0.6
#: How strongly a team's latent stress raises its leavers and their "stress" exits (exp(k * stress)).
TEAM_STRESS_LEAVERS = 0.5
TEAM_STRESS_EXITS = 0.6
#: The stressed shift's stress falls hardest on the people of stressed teams (their odds of being its leavers).
STRESS_TILT = 1.3


@dataclass(frozen=True)
class TurnoverDrivers:
    """The seeded causes of turnover: a team with a leadership problem and a shift under stress."""

    team: str
    shift: str

    def as_truth(self) -> list[dict[str, str]]:
        return [
            {"factor": "leadership", "scope": f"team:{self.team}"},
            {"factor": "stress", "scope": f"shift:{self.shift}"},
        ]


def _frontline_teams(wf: Workforce) -> list[str]:
    return sorted(t for t in wf.team_stress if t != SUPPORT_TEAM)


def pick_drivers(spec: OrgSpec, seed: int, wf: Workforce) -> TurnoverDrivers:
    """Choose the driver team and shift by seed, among those current frontline staff work in (so that a retention
    plan has people to act on); the stressed shift is not "day" when the centre staffs another shift."""
    rng = stream(seed, "turnover_drivers")
    staff = wf.staff
    frontline = staff[staff["role"].isin(FRONTLINE_ROLES)]
    teams = [t for t in _frontline_teams(wf) if (frontline["team"] == t).any()] or _frontline_teams(wf)
    staffed = [s for s in spec.shifts if spec.shifts[s] > 0 and (frontline["shift"] == s).any()]
    shifts = [s for s in staffed if s != "day"] or staffed or ["day"]
    return TurnoverDrivers(team=teams[rng.integers(len(teams))], shift=shifts[rng.integers(len(shifts))])


def _apportion_counts(rng: np.random.Generator, weight: np.ndarray, n: int) -> np.ndarray:
    """Whole counts adding up to ``n`` in proportion to ``weight`` (largest remainder, ties broken at random)."""
    raw = n * weight / weight.sum()
    counts: np.ndarray = np.floor(raw).astype(int)
    remainder = raw - counts + rng.random(len(weight)) * 1e-9
    for i in np.argsort(-remainder, kind="stable")[: n - int(counts.sum())]:
        counts[i] += 1
    return counts


def _apportion(rng: np.random.Generator, keys: list[str], weight: np.ndarray, n: int) -> np.ndarray:
    """``n`` labels from ``keys`` in proportion to ``weight``, shuffled: the counts sit at their expected values, so
    a small centre still shows where people leave from."""
    labels = np.repeat(np.array(keys, dtype=object), _apportion_counts(rng, weight, n))
    shuffled: np.ndarray = labels[rng.permutation(n)]
    return shuffled


def build_leavers(spec: OrgSpec, seed: int, wf: Workforce, drivers: TurnoverDrivers | None = None) -> pd.DataFrame:
    drivers = drivers or pick_drivers(spec, seed, wf)
    rng = stream(seed, "leavers")
    tv = spec.turnover
    headcount = len(wf.staff)
    n = round(tv.annual_rate * headcount * tv.history_days / 365)
    if n == 0:
        return pd.DataFrame(columns=_COLUMNS)

    leave_offset = rng.integers(1, tv.history_days + 1, n)
    leave_date = [spec.start_date - dt.timedelta(days=int(o)) for o in leave_offset]
    early = rng.random(n) < tv.early_leaver_share
    tenure = np.where(early, rng.integers(7, EARLY_TENURE_DAYS, n), EARLY_TENURE_DAYS + rng.exponential(600, n))
    tenure = tenure.astype(int)
    hire_date = [ld - dt.timedelta(days=int(t)) for ld, t in zip(leave_date, tenure, strict=True)]

    # Which team and shift: more leavers where stress is high, in the leadership team and on the stressed shift.
    frontline = rng.random(n) < 0.93
    teams = _frontline_teams(wf)
    weight = np.array([np.exp(TEAM_STRESS_LEAVERS * wf.team_stress[t]) for t in teams])
    led = np.array(teams) == drivers.team
    n_front = int(frontline.sum())
    if led.any() and not led.all():  # whatever its stress, the leadership team loses more than the average team
        others = weight[~led].sum()
        enough = MIN_DRIVER_LEAVERS * others / max(n_front - MIN_DRIVER_LEAVERS, 1)  # a case to look at
        weight[led] = max(LEADERSHIP_TEAM_WEIGHT * weight[~led].mean(), min(enough, 2.5 * weight[~led].mean()))
    team = np.full(n, SUPPORT_TEAM, dtype=object)
    team[frontline] = _apportion(rng, teams, weight, n_front)
    shares = {str(s): w for s, w in spec.shifts.items() if w > 0}
    shifts = list(shares)
    shift_weight = np.array([shares[s] * (STRESS_SHIFT_WEIGHT if s == drivers.shift else 1.0) for s in shifts])
    shift = np.full(n, "day", dtype=object)
    shift[frontline] = _apportion(rng, shifts, shift_weight, n_front)

    senior = (rng.random(n) < 0.12) & ~early
    role = np.where(frontline, np.where(senior, "senior_agent", "agent"), "trainer")
    role = role.astype(object)
    lead = frontline & ~early & (rng.random(n) < 0.04) & (team != drivers.team)  # that team's leader is still there
    role[lead] = "team_leader"
    shift[lead] = "day"

    exit_factor = _driver_exits(rng, drivers, team, shift, role, wf.team_stress)
    p_vol = np.clip(tv.voluntary_share - np.where(early, 0.15, 0.0), 0, 1)
    voluntary = (rng.random(n) < p_vol) | (exit_factor != "")
    todo = voluntary & (exit_factor == "")
    _other_exits(spec, rng, exit_factor, todo, early, team, shift, drivers.shift, wf.team_stress)

    people = load_people()
    comment = np.empty(n, dtype=object)
    for i in range(n):
        if voluntary[i]:
            options = people["exit_comments"][exit_factor[i]]
        else:
            options = people["involuntary_comments"][:1] if early[i] else people["involuntary_comments"][1:]
        comment[i] = options[rng.integers(len(options))]

    gender = np.where(rng.random(n) < spec.female_share, "F", "M").astype(object)
    names = draw_names(rng, gender, taken=set(wf.staff["name"]))
    frame = pd.DataFrame(
        {
            "leaver_id": [f"X{i + 1:04d}" for i in range(n)],
            "name": names,
            "gender": gender,
            "role": role,
            "team": team,
            "shift": shift,
            "hire_date": [d.isoformat() for d in hire_date],
            "leave_date": [d.isoformat() for d in leave_date],
            "tenure_days": tenure,
            "leaver_type": np.where(voluntary, "voluntary", "involuntary"),
            "exit_factor": exit_factor,
            "exit_comment": comment,
        }
    )
    frame = frame.sort_values(["leave_date", "leaver_id"], kind="stable").reset_index(drop=True)
    frame["leaver_id"] = [f"X{i + 1:04d}" for i in range(n)]
    return frame


def _driver_exits(
    rng: np.random.Generator,
    drivers: TurnoverDrivers,
    team: np.ndarray,
    shift: np.ndarray,
    role: np.ndarray,
    team_stress: dict[str, float],
) -> np.ndarray:
    """The leavers the drivers made leave: a fixed share of the scope's leavers (team leaders apart), chosen at
    random (for stress, with odds rising with their team's stress); they quit (voluntary) and cite the driver.
    The others get ""."""
    exit_factor = np.full(len(team), "", dtype=object)
    staff = role != "team_leader"
    for factor, share, scope in (
        ("leadership", LEADERSHIP_SHARE, staff & (team == drivers.team)),
        ("stress", STRESS_SHARE, staff & (shift == drivers.shift)),
    ):
        # the share counts every leaver of the scope, those the first driver claimed included
        pool = np.flatnonzero(scope & (exit_factor == ""))
        k = min(len(pool), int(np.floor(share * int(scope.sum()) + 0.5)))
        if k:
            tilt = np.array([np.exp(STRESS_TILT * team_stress[team[i]]) for i in pool])
            p = tilt / tilt.sum() if factor == "stress" else None
            exit_factor[pool[rng.choice(len(pool), k, replace=False, p=p)]] = factor
    return exit_factor


def _other_exits(
    spec: OrgSpec,
    rng: np.random.Generator,
    exit_factor: np.ndarray,
    todo: np.ndarray,
    early: np.ndarray,
    team: np.ndarray,
    shift: np.ndarray,
    stressed_shift: str,
    team_stress: dict[str, float],
) -> None:
    """Fill in the exit factor of the voluntary leavers in ``todo`` by the spec's weights: "stress" raised in
    stressed teams (and lowered off the stressed shift, whose stress the drivers already placed), missing training
    for early leavers, career development for the others. Each shift gets the factor counts its leavers'
    propensities add up to (rounded), and who gets which follows the propensities."""
    factors = list(EXIT_FACTORS)
    base = np.array([spec.turnover.exit_factor_weights[f] for f in factors])
    rest = np.flatnonzero(todo)
    p = np.tile(base, (len(rest), 1))
    p[:, factors.index("stress")] *= np.exp(TEAM_STRESS_EXITS * np.array([team_stress[team[i]] for i in rest]))
    p[shift[rest] != stressed_shift, factors.index("stress")] *= STRESS_ELSEWHERE
    p[early[rest], factors.index("no_training")] *= 2.5
    p[~early[rest], factors.index("no_career_development")] *= 1.5
    p /= p.sum(axis=1, keepdims=True)
    for s in sorted(set(shift[rest])):
        members = np.flatnonzero(shift[rest] == s)
        # each shift gets the factor counts its leavers' propensities add up to; who gets which follows them
        remaining = _apportion_counts(rng, p[members].sum(axis=0), len(members))
        for j in rng.permutation(members):
            w = p[j] * remaining
            pick = int(rng.choice(len(factors), p=w / w.sum()))
            exit_factor[rest[j]] = factors[pick]
            remaining[pick] -= 1


_COLUMNS = [
    "leaver_id",
    "name",
    "gender",
    "role",
    "team",
    "shift",
    "hire_date",
    "leave_date",
    "tenure_days",
    "leaver_type",
    "exit_factor",
    "exit_comment",
]
