"""How many to hire this quarter, and whether a hire count keeps the service level: Erlang C on the world's
interval volumes (:mod:`casekit.staffing`), the shrinkage the candidate assumes, and the leavers the quarter is
expected to lose at the centre's own turnover rate.

The rule, stated to candidates and assessors alike: staff at the end of the quarter = the handling staff's FTE
now + hires - expected leavers (the annual separation rate, compounded from the monthly rates, over a quarter);
the hire count meets the need when the service level those staff reach (ideal scheduling, Erlang C per interval)
is at or above the centre's target. The smallest such count is the need; more than the need plus an allowance
(:data:`OVER_HIRE_ALLOWANCE`, at least :data:`OVER_HIRE_MIN` people) is over-hiring.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from casekit.scenario import World
from casekit.staffing import StaffingNeed, current_fte, service_level_with, staffing_need

__all__ = [
    "HORIZON_MONTHS",
    "OVER_HIRE_ALLOWANCE",
    "OVER_HIRE_MIN",
    "HiringNeed",
    "hiring_need",
]

#: The hiring horizon: the quarter the hires join in.
HORIZON_MONTHS: Final = 3
#: Hires beyond the need by more than this share of it (and at least OVER_HIRE_MIN people) over-hire.
OVER_HIRE_ALLOWANCE: Final = 0.1
OVER_HIRE_MIN: Final = 2
_MAX_SEARCH: Final = 2000


@dataclass(frozen=True)
class HiringNeed:
    """The need for a given shrinkage: the Erlang C staffing, the FTE now, the quarter's expected leavers, and
    the smallest hire count that keeps the service level."""

    need: StaffingNeed
    current_fte: float
    annual_turnover: float
    expected_leavers: float
    min_hires: int
    target_sl: float

    def fte_after(self, hires: int) -> float:
        """The handling FTE at the end of the quarter with ``hires`` more people."""
        return max(0.0, self.current_fte + hires - self.expected_leavers)

    def service_level(self, hires: int) -> float:
        """The service level the centre reaches at the end of the quarter with ``hires``."""
        return service_level_with(self.need, self.fte_after(hires))

    def meets(self, hires: int) -> bool:
        return self.service_level(hires) >= self.target_sl

    @property
    def max_hires(self) -> int:
        """The most hires that are not over-hiring."""
        return self.min_hires + max(OVER_HIRE_MIN, math.ceil(OVER_HIRE_ALLOWANCE * self.min_hires))


def hiring_need(world: World, shrinkage: float, annual_turnover: float) -> HiringNeed:
    """The hiring need of ``world`` under ``shrinkage``, losing staff at ``annual_turnover`` a year."""
    targets = world.spec.targets
    need = staffing_need(
        world.intervals,
        target_sl=targets.service_level,
        target_seconds=targets.service_level_seconds,
        shrinkage=shrinkage,
    )
    fte = current_fte(world.staff)
    monthly = 1 - (1 - min(annual_turnover, 0.99)) ** (1 / 12)
    expected = fte * (1 - (1 - monthly) ** HORIZON_MONTHS)
    partial = HiringNeed(need, fte, annual_turnover, expected, 0, targets.service_level)
    # the smallest count that meets the target: the service level rises with staff, so search up from the gap
    start = max(0, math.floor(need.fte - fte + expected) - 2)
    hires = start
    while hires < _MAX_SEARCH and not partial.meets(hires):
        hires += 1
    while hires > 0 and partial.meets(hires - 1):
        hires -= 1
    return HiringNeed(need, fte, annual_turnover, expected, hires, targets.service_level)
