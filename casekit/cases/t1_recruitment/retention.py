"""The retention plan (P1.2, N4) and six simulated months in which the world reacts to it.

The model. Every current staff member has a monthly hazard of leaving for each of the eight N4 exit factors plus
an involuntary one: the spec's annual turnover (as a monthly hazard, -ln(1 - rate) / 12) split by the voluntary
share and the exit-factor weights, raised for the seeded drivers in their scope by the hazard ratio the leavers
show (leavers citing the factor per head in the scope / elsewhere, clipped to ``DRIVER_RATIO``), then scaled so the
centre's mean hazard stays the spec's rate (the drivers concentrate the turnover, they do not add to it).

An action cuts the hazard of its factor for the people in its scope: ``TARGETED_CUT`` when it aims at a true
driver in that driver's scope; ``ALL_SHARE`` of that when its scope is "all" (it spreads over everybody, so the
driver's people get less of it); ``GENERIC_CUT`` where its factor drives nothing ("generic actions do little").
An action's money buys its effect: the cut is scaled by 1 - exp(-spend per head per month / ``SPEND_SCALE``), so
an action with no budget changes nothing. Cuts on one person's factor combine (1 - prod(1 - c)), capped at
``MAX_CUT``. The candidate's ``expected_reduction`` is their forecast, compared with the outcome, never used.

The months are drawn ``REPLICATIONS`` times with common random numbers (the same uniform draws, from the stream
``(seed, "retention")``, for the baseline and the plan), so the difference is the plan's effect alone and the
figures are the same every time; leavers are not replaced during the six months.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from casekit.cases.t1_recruitment.turnover import SHIFTS, turnover_cost
from casekit.errors import Problem
from casekit.scenario import World
from casekit.scenario.catalogs import EXIT_FACTORS, ExitFactor
from casekit.scenario.rng import stream

__all__ = [
    "ALL_SHARE",
    "DRIVER_RATIO",
    "GENERIC_CUT",
    "MAX_CUT",
    "REPLICATIONS",
    "SCOPE_PATTERN",
    "SPEND_SCALE",
    "TARGETED_CUT",
    "RetentionAction",
    "RetentionReview",
    "action_problems",
    "addresses_driver",
    "driver_ratio",
    "simulate_retention",
]

#: The hazard cut of an action on a true driver in the driver's own scope, at full spend.
TARGETED_CUT = 0.55
#: An action on the driver's factor for everybody ("all") gives the driver's people this share of the targeted cut.
ALL_SHARE = 0.7
#: The cut of an action on a factor that drives nothing where it acts.
GENERIC_CUT = 0.04
#: At most this much of one factor's hazard can be cut for one person, however many actions pile on it.
MAX_CUT = 0.7
#: NT$ per head per month at which an action reaches 1 - 1/e (63%) of its effect.
SPEND_SCALE = 400.0
#: The range the observed hazard ratio of a seeded driver is clipped to.
DRIVER_RATIO = (2.0, 10.0)
#: How many times the months are drawn (common random numbers): the figures are the means.
REPLICATIONS = 400
#: An upper bound on the monthly cost of one action (NT$), to keep the arithmetic sane.
MAX_COST_PER_MONTH = 100_000_000
SCOPE_PATTERN = r"^(all|team:[A-Za-z0-9_-]{1,20}|shift:(early|day|late|night))$"

Factor = ExitFactor


class RetentionAction(BaseModel):
    """One action of the retention plan: the N4 factor it answers, where (``all``, ``team:<id>`` or
    ``shift:<shift>``), what is done, what it costs a month (NT$), who owns it, how its effect is measured and the
    share of that factor's leavers in that scope the candidate expects it to avoid."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    factor: Factor
    scope: str = Field(pattern=SCOPE_PATTERN, max_length=40)
    description: str = Field(max_length=2000)
    cost_per_month: int = Field(ge=0, le=MAX_COST_PER_MONTH)
    owner: str = Field(max_length=200)
    measure: str = Field(max_length=500)
    expected_reduction: float = Field(ge=0, le=1)


def _scope_values(world: World) -> tuple[list[str], list[str]]:
    staff = world.staff
    teams = sorted(str(x) for x in set(staff["team"]))
    shifts = [s for s in SHIFTS if (staff["shift"] == s).any()]
    return teams, shifts


def action_problems(actions: Sequence[RetentionAction], world: World, source: str) -> list[Problem]:
    """Every action whose scope names a team or a shift the world's staff do not have, with what exists."""
    teams, shifts = _scope_values(world)
    problems = []
    for i, action in enumerate(actions):
        kind, _, value = action.scope.partition(":")
        if kind == "team" and value not in teams:
            allowed = ", ".join(teams)
            problems.append(Problem(source, f"{i}.scope", "t1turnover.scope_team", value, {"allowed": allowed}))
        elif kind == "shift" and value not in shifts:
            allowed = ", ".join(shifts)
            problems.append(Problem(source, f"{i}.scope", "t1turnover.scope_shift", value, {"allowed": allowed}))
    return problems


def _get(driver: Any, name: str) -> str:
    return str(driver[name] if isinstance(driver, Mapping) else getattr(driver, name))


def addresses_driver(action: RetentionAction, drivers: Iterable[Any]) -> bool:
    """Whether ``action`` acts on one of ``drivers`` (mappings or objects with ``factor`` and ``scope``): the same
    factor, in the driver's scope or for everybody ("all")."""
    return any(_get(d, "factor") == action.factor and action.scope in (_get(d, "scope"), "all") for d in drivers)


def _members(staff: pd.DataFrame, scope: str) -> np.ndarray:
    kind, _, value = scope.partition(":")
    if kind in ("team", "shift"):
        return (staff[kind].astype(str) == value).to_numpy()
    return np.ones(len(staff), dtype=bool)


def driver_ratio(world: World, factor: str, scope: str) -> float:
    """The hazard ratio the leavers show for a driver: voluntary leavers citing ``factor`` per current head in
    ``scope`` / the same elsewhere (half a leaver at least), clipped to ``DRIVER_RATIO``."""
    leavers = world.leavers
    cites = ((leavers["leaver_type"] == "voluntary") & (leavers["exit_factor"] == factor)).to_numpy()
    inside = _members(leavers, scope)
    heads = _members(world.staff, scope)
    heads_in, heads_out = int(heads.sum()), int((~heads).sum())
    if heads_in == 0 or heads_out == 0:
        return DRIVER_RATIO[0]
    per_head_in = int((cites & inside).sum()) / heads_in
    per_head_out = max(int((cites & ~inside).sum()), 0.5) / heads_out
    return float(min(max(per_head_in / per_head_out, DRIVER_RATIO[0]), DRIVER_RATIO[1]))


_Drivers = list[tuple[str, str, np.ndarray]]  # (factor, scope, members among the current staff)


def _hazards(world: World) -> tuple[np.ndarray, np.ndarray, _Drivers]:
    """Monthly hazards per person: voluntary by factor (people x 8) and involuntary (people); the drivers."""
    tv = world.spec.turnover
    staff = world.staff
    monthly = -math.log(1 - min(tv.annual_rate, 0.95)) / 12
    weights = np.array([tv.exit_factor_weights.get(f, 0.0) for f in EXIT_FACTORS], dtype=float)
    weights = weights / weights.sum() if weights.sum() > 0 else np.full(len(EXIT_FACTORS), 1 / len(EXIT_FACTORS))
    voluntary = np.tile(monthly * tv.voluntary_share * weights, (len(staff), 1))
    involuntary = np.full(len(staff), monthly * (1 - tv.voluntary_share))
    drivers = []
    for d in world.truth.get("turnover_drivers", []):
        factor, scope = _get(d, "factor"), _get(d, "scope")
        if factor not in EXIT_FACTORS:
            continue
        members = _members(staff, scope)
        voluntary[members, EXIT_FACTORS.index(factor)] *= driver_ratio(world, factor, scope)
        drivers.append((factor, scope, members))
    total = voluntary.sum(axis=1) + involuntary
    if len(staff) and total.mean() > 0:  # the drivers concentrate the centre's turnover, they do not add to it
        scale = monthly / total.mean()
        voluntary, involuntary = voluntary * scale, involuntary * scale
    return voluntary, involuntary, drivers


def _remaining(world: World, actions: Sequence[RetentionAction], drivers: _Drivers) -> np.ndarray:
    """The share of each person's hazard per factor the actions leave (people x 8)."""
    staff = world.staff
    keep = np.ones((len(staff), len(EXIT_FACTORS)))
    for action in actions:
        members = _members(staff, action.scope)
        heads = int(members.sum())
        if heads == 0 or action.cost_per_month <= 0:
            continue
        spend = 1 - math.exp(-action.cost_per_month / heads / SPEND_SCALE)
        driven = np.zeros(len(staff), dtype=bool)
        targeted = np.zeros(len(staff), dtype=bool)
        for factor, scope, in_driver in drivers:
            if factor == action.factor:
                driven |= in_driver
                targeted |= in_driver & (action.scope == scope)
        cut = np.where(driven, TARGETED_CUT * np.where(targeted, 1.0, ALL_SHARE if action.scope == "all" else 0.0), 0)
        cut = np.where(cut > 0, cut, GENERIC_CUT) * spend * members
        keep[:, EXIT_FACTORS.index(action.factor)] *= 1 - cut
    return np.asarray(np.maximum(keep, 1 - MAX_CUT))


def _run(uniforms: np.ndarray, hazard: np.ndarray) -> np.ndarray:
    """Leavers (replications x months x people, bool) for a total monthly hazard per person."""
    p_leave = 1 - np.exp(-hazard)
    present = np.ones((uniforms.shape[0], uniforms.shape[2]), dtype=bool)
    left = np.zeros(uniforms.shape, dtype=bool)
    for m in range(uniforms.shape[1]):
        left[:, m] = present & (uniforms[:, m] < p_leave[None, :])
        present &= ~left[:, m]
    return left


@dataclass(frozen=True)
class RetentionReview:
    """The six simulated months with and without the plan (means over the replications)."""

    months: int
    replications: int
    monthly: pd.DataFrame  # month (1..), baseline_leavers, plan_leavers, avoided
    by_scope: pd.DataFrame  # scope (every team and shift), staff, baseline_leavers, plan_leavers, avoided
    by_action: pd.DataFrame  # action (index in the plan), factor, scope, cost, on_driver, avoided, cost_per_avoided
    baseline_leavers: float
    plan_leavers: float
    avoided: float
    avoided_low: float  # 10th percentile over the replications
    avoided_high: float  # 90th percentile
    cost: int  # sum of cost_per_month x months
    cost_per_avoided: float | None  # None when nothing is avoided
    cost_per_leaver: float  # turnover_cost(world).per_leaver
    saving: float  # avoided x cost_per_leaver
    net_saving: float  # saving - cost


def simulate_retention(world: World, actions: Sequence[RetentionAction], months: int = 6) -> RetentionReview:
    """Run ``months`` simulated months of the world with and without ``actions`` (see the module docstring)."""
    actions = list(actions)
    voluntary, involuntary, drivers = _hazards(world)
    uniforms = stream(world.seed, "retention").random((REPLICATIONS, months, len(world.staff)))
    baseline = _run(uniforms, voluntary.sum(axis=1) + involuntary)

    def plan_of(chosen: Sequence[RetentionAction]) -> np.ndarray:
        keep = _remaining(world, chosen, drivers)
        return _run(uniforms, (voluntary * keep).sum(axis=1) + involuntary)

    plan = plan_of(actions) if actions else baseline
    base_month = baseline.sum(axis=2).mean(axis=0)
    plan_month = plan.sum(axis=2).mean(axis=0)
    monthly = pd.DataFrame(
        {
            "month": np.arange(1, months + 1),
            "baseline_leavers": base_month,
            "plan_leavers": plan_month,
            "avoided": base_month - plan_month,
        }
    )
    per_person_base = baseline.sum(axis=1).mean(axis=0)
    per_person_plan = plan.sum(axis=1).mean(axis=0)
    teams, shifts = _scope_values(world)
    rows = []
    for scope in [f"team:{t}" for t in teams] + [f"shift:{s}" for s in shifts]:
        m = _members(world.staff, scope)
        b, p = float(per_person_base[m].sum()), float(per_person_plan[m].sum())
        rows.append({"scope": scope, "staff": int(m.sum()), "baseline_leavers": b, "plan_leavers": p, "avoided": b - p})
    by_scope = pd.DataFrame(rows, columns=["scope", "staff", "baseline_leavers", "plan_leavers", "avoided"])
    truth = list(world.truth.get("turnover_drivers", []))
    action_rows = []
    for i, action in enumerate(actions):
        solo = float(baseline.sum() - plan_of([action]).sum()) / REPLICATIONS
        cost = action.cost_per_month * months
        action_rows.append(
            {
                "action": i,
                "factor": action.factor,
                "scope": action.scope,
                "cost": cost,
                "on_driver": addresses_driver(action, truth),
                "avoided": solo,
                "cost_per_avoided": cost / solo if solo > 0 else None,
            }
        )
    columns = ["action", "factor", "scope", "cost", "on_driver", "avoided", "cost_per_avoided"]
    by_action = pd.DataFrame(action_rows, columns=columns)
    avoided_each = baseline.sum(axis=(1, 2)) - plan.sum(axis=(1, 2))
    avoided = float(avoided_each.mean())
    cost = sum(a.cost_per_month for a in actions) * months
    per_leaver = float(turnover_cost(world).per_leaver)
    return RetentionReview(
        months=months,
        replications=REPLICATIONS,
        monthly=monthly,
        by_scope=by_scope,
        by_action=by_action,
        baseline_leavers=float(base_month.sum()),
        plan_leavers=float(plan_month.sum()),
        avoided=avoided,
        avoided_low=float(np.percentile(avoided_each, 10)),
        avoided_high=float(np.percentile(avoided_each, 90)),
        cost=int(cost),
        cost_per_avoided=cost / avoided if avoided > 0 else None,
        cost_per_leaver=per_leaver,
        saving=avoided * per_leaver,
        net_saving=avoided * per_leaver - cost,
    )
