"""Monthly pay: base pay, overtime (勞動基準法 §24 premium) and bonus, with seeded breaches.

Breaches are seeded at the spec's rates: overtime above §32's monthly cap and base pay under §21's minimum wage.
The returned ``breaches`` frame records each one, so the incidents table and later checks know the truth.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit import months
from casekit.scenario.catalogs import load_law
from casekit.scenario.contacts import dates_of
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec, minimum_wage
from casekit.scenario.staff import Workforce

__all__ = ["PayBreach", "build_pay", "months_of"]


@dataclass(frozen=True)
class PayBreach:
    """A breach seeded into the pay table: what, when, who, and the figure that breaks the rule."""

    kind: str  # "overtime_over_cap" or "under_minimum_wage"
    month: str
    date: str  # last day of the month
    staff_id: str
    value: float  # overtime hours, or the base pay (monthly) / hourly rate (hourly) paid
    hourly: bool
    wage_monthly: int
    wage_hourly: int


def months_of(spec: OrgSpec, days: int) -> list[str]:
    return sorted({months.month_of(d) for d in dates_of(spec, days)})


def build_pay(
    spec: OrgSpec, seed: int, wf: Workforce, contacts: pd.DataFrame, days: int
) -> tuple[pd.DataFrame, list[PayBreach]]:
    rng = stream(seed, "pay")
    law = load_law()["overtime"]
    staff = wf.staff
    month_col = months.period_column(contacts["date"])
    worked = contacts.assign(month=month_col, present=contacts["logged_in_s"] > 0)
    hours = (worked[worked["present"]].groupby(["staff_id", "month"])["scheduled_s"].sum() / 3600).to_dict()
    qa = worked.groupby(["staff_id", "month"])["qa_score"].mean().to_dict()
    stress = wf.traits["stress"].to_dict()
    rows = []
    breaches: list[PayBreach] = []
    people = list(
        zip(
            staff["staff_id"].astype(str).tolist(),
            staff["hire_date"].astype(str).tolist(),
            staff["pay_basis"].astype(str).tolist(),
            staff["base_pay"].astype(float).tolist(),
            strict=True,
        )
    )
    for month in months_of(spec, days):
        wage = minimum_wage(int(month[:4])) or {"monthly": 0, "hourly": 0}
        month_end = months.month_end(month).isoformat()
        for staff_id, hire_date, pay_basis, base_pay in people:
            if hire_date > month_end:
                continue
            hourly_basis = pay_basis == "hourly"
            hours_paid = round(hours.get((staff_id, month), 0.0), 1) if hourly_basis else np.nan
            base = float(base_pay * hours_paid) if hourly_basis else float(base_pay)
            rate = float(base_pay) if hourly_basis else base_pay / law["monthly_hours_basis"]
            underpaid = rng.random() < spec.regulatory.breach_rates.under_minimum_wage_per_staff_month
            # an hourly rate is only underpaid when hours are paid at it: with none, the pay table could not show it
            if underpaid and not (hourly_basis and hours_paid == 0):
                if hourly_basis:
                    rate = float(wage["hourly"] - rng.integers(4, 15))
                    base = rate * hours_paid
                else:
                    base = float(wage["monthly"] - rng.integers(2, 15) * 100)
                    rate = base / law["monthly_hours_basis"]
                breaches.append(
                    PayBreach(
                        "under_minimum_wage",
                        month,
                        month_end,
                        staff_id,
                        round(rate if hourly_basis else base),
                        hourly_basis,
                        wage["monthly"],
                        wage["hourly"],
                    )
                )
            mean_ot = spec.pay.overtime_hours_mean * np.exp(0.25 * stress[staff_id])
            ot = float(np.clip(np.round(rng.gamma(2.0, mean_ot / 2.0), 1), 0, law["monthly_cap_hours"]))
            if rng.random() < spec.regulatory.breach_rates.overtime_over_cap_per_staff_month:
                ot = float(np.round(rng.uniform(law["monthly_cap_hours"] + 1, law["monthly_cap_hours"] + 18), 1))
                breaches.append(
                    PayBreach(
                        "overtime_over_cap",
                        month,
                        month_end,
                        staff_id,
                        ot,
                        hourly_basis,
                        wage["monthly"],
                        wage["hourly"],
                    )
                )
            ot_pay = round(ot * rate * law["premium_first_two_hours"])
            q = qa.get((staff_id, month), np.nan)
            perf = 1.0 if np.isnan(q) else (q / 100 / spec.performance.qa) ** 2
            bonus_base = float(base_pay) if not hourly_basis else base
            gets = rng.random() > 0.12
            bonus = round(max(0.0, spec.pay.bonus_share_of_base * bonus_base * perf * rng.normal(1, 0.3)) / 10) * 10
            bonus = bonus if gets else 0
            rows.append(
                (
                    month,
                    staff_id,
                    pay_basis,
                    hours_paid,
                    round(base),
                    ot,
                    ot_pay,
                    int(bonus),
                    round(base) + ot_pay + int(bonus),
                )
            )
    pay = pd.DataFrame(
        rows,
        columns=[
            "month",
            "staff_id",
            "pay_basis",
            "hours_paid",
            "base_pay",
            "overtime_hours",
            "overtime_pay",
            "bonus",
            "gross_pay",
        ],
    )
    return pay, breaches
