"""The candidate's tools over the rule library: the law as the candidate states its figures. A candidate scans the
records with the figures they give (46 hours, 30 minutes, NT$196, the §24 premiums), not with casekit's: knowing the
line is the competence, so a wrong figure finds the wrong breaches, exactly as the grader will see.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any, Final

from casekit.errors import UsageError
from casekit.i18n import t

__all__ = ["NEEDS", "PATHS", "law_from", "missing_figures"]

#: the figures (the answer's ``thresholds``) each rule needs from the candidate
NEEDS: Final[Mapping[str, tuple[str, ...]]] = {
    "daily_hours": ("daily_max_hours",),
    "monthly_overtime": ("monthly_cap", "monthly_cap_consented"),
    "three_month_overtime": ("three_month_cap",),
    "rest_days": ("max_consecutive_days",),
    "break": ("break_after_hours", "break_minutes"),
    "overtime_pay": ("premium_first_two_hours", "premium_after_two_hours"),
    "minimum_wage_monthly": ("minimum_wage_monthly",),
    "minimum_wage_hourly": ("minimum_wage_hourly",),
    "ad_ground": (),
    "ad_pay_range": ("ad_pay_threshold",),
    "data_notice": (),
    "complaint_reply": ("complaint_reply_days", "financial_complaint_reply_days"),
}
#: where each figure sits in law.yaml (a dotted path); the minimum wage (by year) and the §24 premiums (by day type
#: and pay basis) are placed by :func:`law_from`
PATHS: Final = {
    "daily_max_hours": "overtime.daily_max_total_hours",
    "monthly_cap": "overtime.monthly_cap_hours",
    "monthly_cap_consented": "overtime.monthly_cap_hours_agreed",
    "three_month_cap": "overtime.three_month_cap_hours",
    "max_consecutive_days": "rest_days.max_consecutive_days",
    "break_after_hours": "breaks.after_hours",
    "break_minutes": "breaks.minutes",
    "ad_pay_threshold": "job_ad_pay_disclosure_threshold",
    "complaint_reply_days": "complaint_reply_days.consumer_protection",
    "financial_complaint_reply_days": "complaint_reply_days.financial_consumer",
}


def missing_figures(rules: Iterable[str], figures: Mapping[str, float]) -> list[str]:
    """The figures ``rules`` need that ``figures`` lacks, in :data:`NEEDS` order."""
    out: list[str] = []
    for rule in rules:
        out += [n for n in NEEDS[rule] if n not in figures and n not in out]
    return out


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def law_from(
    base: Mapping[str, Any], figures: Mapping[str, float], years: Iterable[int], rule: str, lang: str | None = None
) -> dict[str, Any]:
    """``base`` (casekit's law: its structure, holidays and multipliers the candidate does not state) with the
    candidate's ``figures`` in place of casekit's for ``rule``; UsageError naming the figures ``rule`` still needs."""
    lacking = missing_figures([rule], figures)
    if lacking:
        raise UsageError(t("t5.figures_needed", lang, rule=rule, figures=", ".join(lacking)))
    law = copy.deepcopy(dict(base))
    for name, path in PATHS.items():
        if name in figures:
            _set(law, path, figures[name])
    wage = {y: dict(law.get("minimum_wage", {}).get(y, {})) for y in years}
    for y in wage:
        if "minimum_wage_monthly" in figures:
            wage[y]["monthly"] = figures["minimum_wage_monthly"]
        if "minimum_wage_hourly" in figures:
            wage[y]["hourly"] = figures["minimum_wage_hourly"]
    law["minimum_wage"] = {**law.get("minimum_wage", {}), **wage}
    if "premium_first_two_hours" in figures and "premium_after_two_hours" in figures:
        first, after = figures["premium_first_two_hours"], figures["premium_after_two_hours"]
        pay = law.setdefault("overtime_pay", {})
        pay["workday"] = {"monthly": [first, after], "hourly": [first, after]}
        pay["rest_day"] = {"monthly": [first, after], "hourly": [first + 1, after + 1]}
    return law
