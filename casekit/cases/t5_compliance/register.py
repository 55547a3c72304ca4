"""The breach register's rules, pure: which rectification and which preventive action fit each rule's breach, who
can own a fix, when the case's "today" is, and what a register entry makes of the breach in the next month
(corrected only, prevented, or nothing).

The next month is the world's reaction (:func:`casekit.scenario.compliance.next_month`): a breach whose root cause
was addressed does not recur, one put right only this once may, one left alone does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Final

from casekit.cases.t5_compliance.answer import Finding
from casekit.scenario.compliance import FixKind
from casekit.scenario.compliance_spec import AD_RULES, HOURS_RULES, PAY_RULES

__all__ = [
    "AD_RULES",
    "HOURS_RULES",
    "OWNER_ROLES",
    "PAY_RULES",
    "PREVENTION",
    "RECTIFICATION",
    "FixKind",
    "filled",
    "fix_kind",
    "fixes",
    "today",
    "window",
]


#: the rectification that puts one breach of each rule right
RECTIFICATION: Final = {
    **dict.fromkeys(HOURS_RULES, "schedule_fixed"),
    **dict.fromkeys(PAY_RULES, "back_pay"),
    **dict.fromkeys(AD_RULES, "ad_withdrawn"),
    "data_notice": "subject_notified",
    "complaint_reply": "complainant_answered",
}
#: the preventive action that addresses each rule's root cause
PREVENTION: Final = {
    **dict.fromkeys(HOURS_RULES, "roster_rule"),
    **dict.fromkeys(PAY_RULES, "payroll_rule"),
    **dict.fromkeys(AD_RULES, "ad_review"),
    "data_notice": "notice_script",
    "complaint_reply": "complaint_tracking",
}
#: roles with management duties: who can own a fix (an agent cannot fix the roster or the payroll)
OWNER_ROLES: Final = frozenset({"team_leader", "workforce_planner", "qa_analyst", "trainer"})


def window(start_date: dt.date) -> list[str]:
    """The three calendar months of T5's records: from the month of the organisation's ``start_date``."""
    index = start_date.year * 12 + start_date.month - 1
    return [f"{(index + i) // 12:04d}-{(index + i) % 12 + 1:02d}" for i in range(3)]


def today(first_month: str) -> dt.date:
    """The case's today: the day after the three months of records that start with ``first_month``."""
    year, month = (int(x) for x in first_month.split("-"))
    index = year * 12 + month - 1 + 3
    return dt.date(index // 12, index % 12 + 1, 1)


def filled(finding: Finding) -> bool:
    """Whether a register entry has been filled in: an owner, a due date and a root cause (what the candidate's
    checklist and register ask for; the rubric then judges whether they are the right ones)."""
    return bool(finding.owner and finding.due and finding.root_cause.strip())


def fix_kind(finding: Finding) -> FixKind:
    """What ``finding``'s register entry does to the breach: ``prevented`` when the rectification and the preventive
    action both fit the rule, ``corrected`` when only the rectification does, else ``none``. (Whether the back pay
    is right is judged on its own: the next month shows whether the cause was fixed, not the arrears.)"""
    if finding.rectification != RECTIFICATION[finding.rule]:
        return "none"
    return "prevented" if finding.prevention == PREVENTION[finding.rule] else "corrected"


def fixes(items: Iterable[tuple[str, str, FixKind]]) -> dict[tuple[str, str], FixKind]:
    """``(rule, subject) -> fix`` from ``(rule, subject, fix)`` triples, the strongest fix where one subject has
    several entries of a rule (two months of overtime fixed once and prevented once: prevented)."""
    rank = {"none": 0, "corrected": 1, "prevented": 2}
    out: dict[tuple[str, str], FixKind] = {}
    for rule, who, kind in items:
        if rank[kind] >= rank[out.get((rule, who), "none")]:
            out[(rule, who)] = kind
    return out
