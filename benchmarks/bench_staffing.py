"""Time the staffing calculations the T1 hiring widget recomputes: ``staffing_need`` on each shipped organisation's
default world, and ``service_level_with`` (a widget recompute, budget 50 ms), against a naive Erlang C that uses the
textbook factorial formula in a plain loop.

Figures per organisation (seed 7, shrinkage 0.30, the organisation's own service-level target):
- casekit ``staffing_need`` (forecast, Erlang C per interval by the Erlang B recursion);
- the agents search alone (the part of the need that is Erlang C), by casekit's recursion and by the factorial
  formula recomputed from scratch at each N = floor(A) + 1, 2, ... (what a spreadsheet-style implementation does);
- casekit ``service_level_with(need, current FTE)`` (Erlang B values precomputed in the need) and the naive loop of
  factorial Erlang C over the same intervals;
then the staffing figures themselves (FTE needed, FTE now, the service level the current staff reach), and where
the factorial formula breaks (it overflows a float past about 170 agents; the recursion does not).

    python benchmarks/bench_staffing.py [--repeat 50] [--seed 7] [--shrinkage 0.3]
"""

from __future__ import annotations

import argparse
import math
import resource

from timing import ms

from casekit.scenario import world_for
from casekit.staffing import (
    QUEUED_CHANNELS,
    StaffingNeed,
    agents_for,
    current_fte,
    erlang_c,
    service_level_with,
    staffing_need,
)

ORGS = ("bank-cards", "telecom-support", "ecommerce-cs")
BUDGET_MS = 50.0


def naive_service_level(a: float, n: int, aht_s: float, target_s: float) -> float:
    """Erlang C service level by the textbook formula: sum of A^k / k! and A^N / N! · N / (N − A)."""
    if a == 0:
        return 1.0
    if n <= a:
        return 0.0
    top = a**n / math.factorial(n) * n / (n - a)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(n)) + top)
    return 1.0 - p_wait * math.exp(-(n - a) * target_s / aht_s)


def naive_need_agents(need: StaffingNeed) -> list[int]:
    """The queued intervals' agents, searched up from floor(A) + 1 with the factorial formula at every step."""
    out = []
    for row in need.intervals.itertuples():
        if row.channel not in QUEUED_CHANNELS or row.calls == 0:
            continue
        n = math.floor(row.traffic) + 1
        while naive_service_level(row.traffic, n, row.aht_s, need.target_seconds) < need.target_sl:
            n += 1
        out.append(n)
    return out


def recursion_need_agents(need: StaffingNeed) -> list[int]:
    """The same search by casekit's ``agents_for`` (the Erlang B recursion, one step per agent)."""
    return [
        agents_for(row.calls, row.aht_s, need.interval_s, need.target_sl, need.target_seconds)
        for row in need.intervals.itertuples()
        if row.channel in QUEUED_CHANNELS and row.calls > 0
    ]


def naive_service_level_with(need: StaffingNeed, fte: float) -> float:
    total = weighted = 0.0
    for row in need.intervals.itertuples():
        if row.channel not in QUEUED_CHANNELS or row.calls == 0:
            continue
        agents = math.floor(row.agents * fte / need.fte + 1e-9)
        level = naive_service_level(row.traffic, agents, row.aht_s, need.target_seconds)
        total, weighted = total + row.calls, weighted + row.calls * level
    return weighted / total


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--shrinkage", type=float, default=0.3)
    args = ap.parse_args()
    figures = []
    for org in ORGS:
        world = world_for(org, args.seed)
        targets = world.spec.targets
        kwargs = {"target_sl": targets.service_level, "target_seconds": targets.service_level_seconds}

        def need_now() -> StaffingNeed:
            return staffing_need(world.intervals, shrinkage=args.shrinkage, **kwargs)  # noqa: B023

        need = need_now()
        fte = current_fte(world.staff)
        queued = need.intervals[need.intervals["channel"].isin(QUEUED_CHANNELS)]
        build = ms(need_now, max(3, args.repeat // 5))
        search = ms(lambda: recursion_need_agents(need), max(3, args.repeat // 5))  # noqa: B023
        naive_build = ms(lambda: naive_need_agents(need), 3)  # noqa: B023
        expected = [int(n) for n in queued[queued["calls"] > 0]["agents"]]
        assert naive_need_agents(need) == recursion_need_agents(need) == expected
        level = service_level_with(need, fte)
        fast = ms(lambda: service_level_with(need, fte), args.repeat)  # noqa: B023
        slow = ms(lambda: naive_service_level_with(need, fte), max(3, args.repeat // 5))  # noqa: B023
        assert abs(naive_service_level_with(need, fte) - level) < 1e-9
        print(
            f"{org}: {len(world.intervals):,} interval rows, {len(queued)} queued forecast intervals, "
            f"up to {int(queued['agents'].max())} agents"
        )
        print(f"  staffing_need            median {build[0]:8.2f} ms  max {build[1]:8.2f} ms")
        print(f"  agents search, recursion median {search[0]:8.2f} ms  max {search[1]:8.2f} ms")
        print(f"  agents search, factorial median {naive_build[0]:8.2f} ms  max {naive_build[1]:8.2f} ms")
        ok = "within" if fast[1] < BUDGET_MS else "OVER"
        budget = f"({ok} the {BUDGET_MS:.0f} ms budget)"
        print(f"  service_level_with       median {fast[0]:8.3f} ms  max {fast[1]:8.3f} ms  {budget}")
        print(f"  naive service level      median {slow[0]:8.3f} ms  max {slow[1]:8.3f} ms")
        figures.append((org, need, fte, level))
    print(f"\nstaffing at seed {args.seed}, shrinkage {args.shrinkage:.0%}:")
    for org, need, fte, level in figures:
        gap = need.fte - fte
        print(
            f"  {org:16s} need {need.fte:7.1f} FTE ({need.hours_per_day:7.1f} productive h/day)  now {fte:6.1f} FTE  "
            f"gap {gap:+7.1f}  SL now {level:6.1%} (target {need.target_sl:.0%} in {need.target_seconds} s)"
        )
    for calls, n in ((1000, 120), (2000, 215), (5000, 520)):
        a = calls * 180 / 1800
        try:
            naive = f"{naive_service_level(a, n, 180, 20):.6f}"
        except OverflowError as exc:
            naive = f"OverflowError ({exc})"
        recursion = erlang_c(calls, 180, 1800, n, 20).service_level
        print(f"  A = {a:5.0f}, N = {n}: recursion SL {recursion:.6f}, factorial {naive}")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
