"""T5's pay: one payslip per person and month from their days, exact to the NT$ by the law's formulas.

- Monthly-paid: ``base_paid = rate x days_employed / days_in_month - (rate / 30) x unpaid_leave_days`` (never under
  the same formula at the minimum wage, the §21 floor); hourly-paid: ``base_paid = rate x normal_hours``.
- ``overtime_paid`` is the §24 / §39 / §40 amount: the hourly rate (``rate / 240`` for monthly pay) x each day's
  overtime hours multiplied by law.yaml's ``overtime_pay`` (by day type and basis, the first ``tier_hours`` at the
  first figure, the rest at the second).

Every figure comes from law.yaml; arithmetic is in integers (multipliers scaled to their common denominator, hours
in half-hours), each amount rounded half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from math import lcm

import numpy as np
import pandas as pd

from casekit import months
from casekit.scenario.catalogs import load_law
from casekit.scenario.compliance_time import DAY_TYPES, PERSONAL, Sched

__all__ = ["BASES", "PayLaw", "payslips_table", "person_month_amount", "round_half_up", "wage"]

BASES = ("monthly", "hourly")
PAYSLIP_COLUMNS = [
    "staff_id",
    "month",
    "pay_basis",
    "rate",
    "days_employed",
    "unpaid_leave_days",
    "normal_hours",
    "overtime_hours",
    "base_paid",
    "overtime_paid",
    "gross_paid",
]


@dataclass(frozen=True)
class PayLaw:
    """law.yaml's pay figures as integers: multipliers x ``scale`` by (basis, day type), the tier in half-hours."""

    scale: int
    tier_hh: int
    first: np.ndarray  # (basis, day type)
    after: np.ndarray
    hours_basis: int
    divisor: int

    def variant(self, how: str) -> PayLaw:
        """The multipliers a payroll mistake uses: ``flat`` (the hours after the tier at the first tier's figure),
        ``single`` (every overtime hour x 1)."""
        if how == "flat":
            return PayLaw(self.scale, self.tier_hh, self.first, self.first, self.hours_basis, self.divisor)
        one = np.full_like(self.first, self.scale)
        return PayLaw(self.scale, self.tier_hh, one, one, self.hours_basis, self.divisor)


@cache
def pay_law() -> PayLaw:
    law = load_law()
    table = law["overtime_pay"]
    pairs = [[[Fraction(str(v)) for v in table[k][b]] for k in DAY_TYPES] for b in BASES]
    scale = lcm(*(f.denominator for basis in pairs for day in basis for f in day))
    first = np.array([[int(day[0] * scale) for day in basis] for basis in pairs], dtype=np.int64)
    after = np.array([[int(day[-1] * scale) for day in basis] for basis in pairs], dtype=np.int64)
    tier = Fraction(str(table["tier_hours"])) * 2
    return PayLaw(
        scale,
        int(tier),
        first,
        after,
        int(law["overtime"]["monthly_hours_basis"]),
        int(law["minimum_wage_daily_divisor"]),
    )


def wage(year: int) -> tuple[int, int]:
    """The monthly and hourly minimum wage of ``year`` (0, 0 when law.yaml lacks the year)."""
    found = load_law()["minimum_wage"].get(year, {"monthly": 0, "hourly": 0})
    return int(found["monthly"]), int(found["hourly"])


def round_half_up(num: np.ndarray | int, den: np.ndarray | int) -> np.ndarray:
    """``num / den`` (integers, ``den`` > 0) to the whole number, a half rounded up."""
    return np.asarray((2 * np.asarray(num, dtype=np.int64) + den) // (2 * np.asarray(den, dtype=np.int64)))


def _units(ot: np.ndarray, kind: np.ndarray, basis: np.ndarray, law: PayLaw) -> np.ndarray:
    """Each cell's overtime half-hours x its multiplier x ``scale``."""
    first = np.minimum(ot, law.tier_hh)
    return np.asarray(first * law.first[basis, kind] + (ot - first) * law.after[basis, kind])


def _amount(rate: np.ndarray | int, units: np.ndarray | int, hourly: np.ndarray | bool, law: PayLaw) -> np.ndarray:
    den = law.scale * 2 * np.where(hourly, 1, law.hours_basis)
    return round_half_up(np.asarray(rate, dtype=np.int64) * units, den)


def person_month_amount(s: Sched, p: int, m: int, rate: int, law: PayLaw) -> int:
    """The overtime amount of person ``p``'s month ``m`` at ``rate`` with ``law``'s multipliers."""
    d = s.days_of(m)
    basis = np.full(len(d), int(s.part[p]))
    units = int(_units(s.ot[p, d], s.kind[d], basis, law).sum())
    return int(_amount(rate, units, bool(s.part[p]), law))


def base_pay(rate: np.ndarray, hourly: np.ndarray, employed: np.ndarray, unpaid: np.ndarray, normal_hh: np.ndarray,
             dim: int, divisor: int) -> np.ndarray:  # fmt: skip
    """``base_paid`` by the brief's formulas (monthly prorated, hourly by the hour), rounded half up."""
    monthly = round_half_up(rate * (divisor * employed - unpaid * dim), divisor * dim)
    return np.where(hourly, round_half_up(rate * normal_hh, 2), monthly)


def payslips_table(s: Sched, rates: np.ndarray) -> tuple[pd.DataFrame, dict[tuple[int, int], int]]:
    """Every person-month of ``s`` with a day employed, paid correctly at ``rates`` (person x month), and where
    each ``(person, month)`` is in the table."""
    law = pay_law()
    hourly = s.part
    basis = hourly.astype(np.int64)[:, None]
    units = _units(s.ot, s.kind[None, :], basis, law)
    frames = []
    for m, month in enumerate(s.months):
        d = s.days_of(m)
        employed = s.employed[:, d].sum(axis=1)
        unpaid = (s.leave[:, d] == PERSONAL).sum(axis=1)
        normal = s.normal[:, d].sum(axis=1)
        rate = rates[:, m].astype(np.int64)
        dim = months.days_in_month(month)
        base = base_pay(rate, hourly, employed, unpaid, normal, dim, law.divisor)
        floor = base_pay(np.full_like(rate, wage(int(month[:4]))[0]), hourly, employed, unpaid, normal, dim,
                         law.divisor)  # fmt: skip
        base = np.where(hourly, base, np.maximum(base, floor))
        paid = _amount(rate, units[:, d].sum(axis=1), hourly, law)
        frames.append(
            pd.DataFrame(
                {
                    "p": np.arange(len(rate)),
                    "m": m,
                    "staff_id": s.staff_ids,
                    "month": month,
                    "pay_basis": np.array(BASES, dtype=object)[basis[:, 0]],
                    "rate": rate,
                    "days_employed": employed.astype(np.int64),
                    "unpaid_leave_days": unpaid.astype(np.int64),
                    "normal_hours": normal / 2.0,
                    "overtime_hours": s.ot[:, d].sum(axis=1) / 2.0,
                    "base_paid": base.astype(np.int64),
                    "overtime_paid": paid.astype(np.int64),
                }
            )[employed > 0]
        )
    table = pd.concat(frames).sort_values(["p", "m"], kind="stable").reset_index(drop=True)
    table["gross_paid"] = table["base_paid"] + table["overtime_paid"]
    where = {(int(p), int(m)): i for i, (p, m) in enumerate(zip(table["p"], table["m"], strict=True))}
    return table[PAYSLIP_COLUMNS], where
