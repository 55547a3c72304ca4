"""The pay the law gives, exact: the 勞動基準法 §24 / §39 / §40 overtime amount, the §21 minimum-wage floor of a
monthly-paid month, and the back pay a pay breach owes. One copy for the rule library, the grader and the
candidate's tools.

Arithmetic is exact (:class:`fractions.Fraction` and integers) and a whole NT$ is rounded half up (never float
banker's rounding). Every figure comes from ``law`` (:func:`casekit.scenario.catalogs.load_law`):

- the hourly rate of a monthly-paid person is ``rate / overtime.monthly_hours_basis`` (240); an hourly-paid
  person's is their ``rate``;
- a day's overtime hours are multiplied by ``overtime_pay.<day type>.<basis>``: ``[first, after]``, the first
  ``overtime_pay.tier_hours`` (2) hours at ``first`` and the rest at ``after`` (a single figure: every hour);
  multipliers are written as fractions (``"4/3"``) or numbers (a decimal such as 1.3333 is read as the nearest
  fraction with a denominator up to 12, so 4/3);
- the §24 amount of a person-month is the hourly rate x the month's multiplied hours, rounded half up;
- the floor of a monthly-paid month is ``MW x days_employed / days_in_month - (MW / divisor) x unpaid_leave_days``
  (divisor ``minimum_wage_daily_divisor``, 30), rounded half up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from math import lcm
from typing import Any, Final

import pandas as pd

from casekit.errors import UsageError
from casekit.i18n import t
from casekit.months import days_in_month

__all__ = [
    "BASES",
    "DAY_TYPES",
    "back_pay",
    "common_denominator",
    "exact",
    "figure",
    "hourly_minimum_wage",
    "hourly_rate",
    "minimum_wage",
    "minimum_wage_floor",
    "minimum_wage_floors",
    "multipliers",
    "overtime_amount",
    "round_half_up",
    "tier_hours",
]

DAY_TYPES: Final = ("workday", "rest_day", "regular_leave", "holiday")
BASES: Final = ("monthly", "hourly")

_MISSING = object()


def _walk(tree: Mapping[str, Any], path: str) -> Any:
    node: Any = tree
    for part in path.split("."):
        node = node.get(part, _MISSING) if isinstance(node, Mapping) else _MISSING
        if node is _MISSING:
            break
    return node


def figure(law: Mapping[str, Any], path: str) -> Any:
    """The figure at the dotted ``path`` of ``law`` (``"overtime.monthly_cap_hours"``); UsageError when absent."""
    node = _walk(law, path)
    if node is _MISSING:
        raise UsageError(t("t5rule.no_law_figure", None, name=path))
    return node


def exact(value: Any) -> Fraction:
    """A number as an exact fraction: ``"4/3"`` -> 4/3, a float by its decimal text (0.5 -> 1/2)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str):
        return Fraction(value.strip())
    return Fraction(repr(float(value)))


def round_half_up(value: Fraction) -> int:
    """``value`` to the whole number, a half rounded up (2.5 -> 3, 28516.67 -> 28517)."""
    return (2 * value.numerator + value.denominator) // (2 * value.denominator)


def _multiplier(value: Any) -> Fraction:
    number = exact(value)
    return number if isinstance(value, str | int) else number.limit_denominator(12)


def multipliers(law: Mapping[str, Any]) -> dict[tuple[str, str], tuple[Fraction, Fraction]]:
    """``(day type, basis) -> (first tier, after)``: what an overtime hour of that day is paid, times the hourly
    rate."""
    out: dict[tuple[str, str], tuple[Fraction, Fraction]] = {}
    for day_type in DAY_TYPES:
        for basis in BASES:
            entry = figure(law, f"overtime_pay.{day_type}.{basis}")
            pair = list(entry) if isinstance(entry, list | tuple) else [entry, entry]
            out[day_type, basis] = (_multiplier(pair[0]), _multiplier(pair[-1]))
    return out


def tier_hours(law: Mapping[str, Any]) -> Fraction:
    """How many overtime hours of a day are paid at the first tier (2)."""
    return exact(figure(law, "overtime_pay.tier_hours"))


def hourly_rate(basis: str, rate: Any, law: Mapping[str, Any]) -> Fraction:
    """The hourly rate: ``rate / monthly_hours_basis`` for monthly pay, the rate itself for hourly."""
    if basis == "monthly":
        return exact(rate) / exact(figure(law, "overtime.monthly_hours_basis"))
    if basis == "hourly":
        return exact(rate)
    raise UsageError(t("t5rule.bad_basis", None, basis=basis, bases=", ".join(BASES)))


def _day_hours(days: Iterable[tuple[str, Any]] | pd.DataFrame) -> list[tuple[str, Fraction]]:
    if isinstance(days, pd.DataFrame):
        pairs: Iterable[tuple[str, Any]] = zip(days["day_type"], days["overtime_hours"], strict=True)
    else:
        pairs = days
    return [(str(kind), exact(hours)) for kind, hours in pairs]


def overtime_amount(
    days: Iterable[tuple[str, Any]] | pd.DataFrame, basis: str, hourly_rate: Any, law: Mapping[str, Any]
) -> int:
    """The §24 / §39 / §40 amount of a person-month, whole NT$ rounded half up: ``hourly_rate`` (a number or
    fraction, e.g. ``Fraction(32000, 240)``) x the multiplied overtime hours of ``days`` (``(day_type,
    overtime_hours)`` pairs, or a frame with those columns)."""
    table, tier = multipliers(law), tier_hours(law)
    weighted = Fraction(0)
    for kind, hours in _day_hours(days):
        if kind not in DAY_TYPES:
            raise UsageError(t("t5rule.bad_day_type", None, day_type=kind, day_types=", ".join(DAY_TYPES)))
        first, after = table[kind, basis]
        weighted += min(hours, tier) * first + max(hours - tier, Fraction(0)) * after
    return round_half_up(exact(hourly_rate) * weighted)


def minimum_wage(law: Mapping[str, Any], year: int) -> Mapping[str, Any]:
    """The minimum wage in force in ``year`` (``{"monthly": ..., "hourly": ...}``)."""
    table: Mapping[Any, Any] = figure(law, "minimum_wage")
    found: Mapping[str, Any] | None = table.get(year, table.get(str(year)))
    if found is None:
        known = ", ".join(str(y) for y in sorted(table, key=str))
        raise UsageError(t("t5rule.no_minimum_wage", None, year=year, years=known))
    return found


def hourly_minimum_wage(month: str, law: Mapping[str, Any]) -> Fraction:
    """The hourly minimum wage of ``month``'s year (``YYYY-MM``), exact."""
    return exact(minimum_wage(law, int(month[:4]))["hourly"])


def minimum_wage_floor(month: str, days_employed: int, unpaid_leave_days: int, law: Mapping[str, Any]) -> int:
    """The §21 floor of a monthly-paid ``month`` (``YYYY-MM``): the minimum wage prorated for the days employed,
    less a day's wage per unpaid leave day, rounded half up (one unpaid day in a full 2026 month: 28,517)."""
    wage = exact(minimum_wage(law, int(month[:4]))["monthly"])
    divisor = exact(figure(law, "minimum_wage_daily_divisor"))
    floor = wage * int(days_employed) / days_in_month(month) - wage / divisor * int(unpaid_leave_days)
    return round_half_up(floor)


def minimum_wage_floors(slips: pd.DataFrame, law: Mapping[str, Any]) -> pd.Series:
    """:func:`minimum_wage_floor` of every row of ``slips`` (``month``, ``days_employed``, ``unpaid_leave_days``)
    at once, in integers: ``(MW x d x p - MW x q x u x D) / (p x D)`` for the divisor p/q and D days in the
    month, rounded half up."""
    months = slips["month"].astype(str)
    known = months.unique().tolist()
    wages = {m: exact(minimum_wage(law, int(m[:4]))["monthly"]) for m in known}
    if any(w.denominator != 1 for w in wages.values()):
        floors = [
            minimum_wage_floor(m, d, u, law)
            for m, d, u in zip(months, slips["days_employed"], slips["unpaid_leave_days"], strict=True)
        ]
        return pd.Series(floors, index=slips.index, dtype="int64")
    divisor = exact(figure(law, "minimum_wage_daily_divisor"))
    p, q = divisor.numerator, divisor.denominator
    wage = months.map({m: w.numerator for m, w in wages.items()}).astype("int64")
    days = months.map({m: days_in_month(m) for m in known}).astype("int64")
    employed = slips["days_employed"].astype("int64")
    unpaid = slips["unpaid_leave_days"].astype("int64")
    num = wage * employed * p - wage * q * unpaid * days
    den = p * days
    return ((2 * num + den) // (2 * den)).astype("int64")


def common_denominator(law: Mapping[str, Any]) -> int:
    """The least common denominator of every multiplier and the tier (so multiplied minutes are whole numbers)."""
    parts = [m.denominator for pair in multipliers(law).values() for m in pair]
    return lcm(*parts, tier_hours(law).denominator)


def _field(finding: Any, name: str) -> str:
    mapping = isinstance(finding, Mapping | pd.Series)
    value = finding.get(name, "") if mapping else getattr(finding, name, "")
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def back_pay(finding: Any, tables: Mapping[str, pd.DataFrame], law: Mapping[str, Any]) -> int:
    """What a finding owes (a mapping, a row or an object with ``rule``, ``staff_id`` and ``month``):
    ``overtime_pay`` the §24 amount - overtime_paid; ``minimum_wage_monthly`` the floor - base_paid;
    ``minimum_wage_hourly`` (hourly minimum wage - rate) x normal_hours, rounded half up; 0 for other rules and
    for a person-month that is no breach."""
    rule, staff_id, month = _field(finding, "rule"), _field(finding, "staff_id"), _field(finding, "month")
    if rule not in ("overtime_pay", "minimum_wage_monthly", "minimum_wage_hourly"):
        return 0
    slips = tables["payslips"]
    slip = slips[(slips["staff_id"].astype(str) == staff_id) & (slips["month"].astype(str) == month)]
    if slip.empty:
        return 0
    row = slip.iloc[0]
    basis = str(row["pay_basis"])
    if rule == "overtime_pay":
        att = tables["attendance"]
        mine = att[(att["staff_id"].astype(str) == staff_id) & (att["date"].astype(str).str[:7] == month)]
        owed = overtime_amount(mine, basis, hourly_rate(basis, row["rate"], law), law) - int(row["overtime_paid"])
        return owed if owed > exact(figure(law, "overtime_pay.tolerance")) else 0
    if rule == "minimum_wage_monthly":
        if basis != "monthly":
            return 0
        floor = minimum_wage_floor(month, int(row["days_employed"]), int(row["unpaid_leave_days"]), law)
        return max(floor - int(row["base_paid"]), 0)
    if basis != "hourly":
        return 0
    short = hourly_minimum_wage(month, law) - exact(row["rate"])
    return round_half_up(short * exact(row["normal_hours"])) if short > 0 else 0
