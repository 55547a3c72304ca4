"""Candidates who want to pass T5 without the competence: each shortcut is written as an answer, and the check it
aims at must say not yet met. Every answer starts from the strong simulated candidate and changes one thing through
the case API (the same calls the widgets make). The world is telecom-support, which has months with and without
overtime consent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from profile_checks import not_met

from casekit.cases.t5_compliance import register, rules, verify
from casekit.cases.t5_compliance.answer import Finding, finding_key
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.kind import KIND
from casekit.cases.t5_compliance.profiles import build_case
from casekit.scenario import World, world_for

ORG, SEED = "telecom-support", 11


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


def _findings(case: T5Case, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    case.set_findings([change(f.model_dump()) for f in case.findings.values()])


def _everything_near_the_lines(case: T5Case) -> None:
    """Every row the tools show near a line reported as a breach: nothing is judged."""
    for r in rules.RULES:
        near = case.scan(r.id, near=True)
        items = [
            {"rule": r.id, "staff_id": x.staff_id, "date": x.date or None, "month": x.month, "ad_id": x.ad_id,
             "event_id": x.event_id, "complaint_id": x.complaint_id, "rows": [p for p in str(x.rows).split(";") if p]}
            for x in near.head(120).itertuples(index=False)
        ]  # fmt: skip
        have = {finding_key(f) for f in case.findings.values()}
        new = [i for i in items if finding_key(Finding.model_validate(i)) not in have]
        case.set_findings([f.model_dump() for f in case.findings.values()] + new)


def _the_consented_cap_for_every_month(case: T5Case) -> None:
    """54 hours taken as the monthly cap whether or not the month has consent."""
    case.set_thresholds({**case.thresholds, "monthly_cap": case.thresholds["monthly_cap_consented"]})
    case.set_findings([f for f in case.findings.values() if f.rule != "monthly_overtime"])
    case.add_scan("monthly_overtime", **_register_fields(case))


def _last_years_minimum_wage(case: T5Case) -> None:
    case.set_thresholds({**case.thresholds, "minimum_wage_hourly": case.thresholds["minimum_wage_hourly"] - 6})
    case.set_findings([f for f in case.findings.values() if f.rule != "minimum_wage_hourly"])
    case.add_scan("minimum_wage_hourly", **_register_fields(case))


def _complaints_rescanned(case: T5Case, figures: dict[str, float]) -> None:
    case.set_thresholds({**case.thresholds, **figures})
    case.set_findings([f for f in case.findings.values() if f.rule != "complaint_reply"])
    case.add_scan("complaint_reply", **_register_fields(case))


def _the_day_received_counted(case: T5Case) -> None:
    """The day a complaint came in counted as the first of the 15 (民法 §120 II says not): the replies on the last
    day reported as late."""
    _complaints_rescanned(case, {"complaint_reply_days": 14, "financial_complaint_reply_days": 29})


def _a_day_of_grace(case: T5Case) -> None:
    """ "Sixteen days is still the fifteenth working day's business": the replies a day late missed."""
    _complaints_rescanned(case, {"complaint_reply_days": 16, "financial_complaint_reply_days": 31})


def _every_open_complaint_late(case: T5Case) -> None:
    """Every complaint still open when the records end reported as late, whether or not its time has run out."""
    c = case.world.tables["complaints"]
    have = {f.complaint_id for f in case.findings.values() if f.rule == "complaint_reply"}
    extra = [
        {"rule": "complaint_reply", "complaint_id": cid, "rows": [cid]}
        for cid in c.loc[c["status"] == "open", "complaint_id"]
        if cid not in have
    ]
    case.set_findings([f.model_dump() for f in case.findings.values()] + extra)


def _register_fields(case: T5Case) -> dict[str, Any]:
    first = next(iter(case.findings.values()))
    return {k: getattr(first, k) for k in ("owner", "due", "root_cause", "severity", "verification")} | {
        "rectification": "schedule_fixed",
        "prevention": "roster_rule",
    }


def _only_the_hours_rules_scanned(case: T5Case) -> None:
    """The roster checked, the payroll, the ads and the call records never looked at."""
    case.set_findings([f for f in case.findings.values() if f.rule in register.HOURS_RULES])


def _every_obligation_listed(case: T5Case) -> None:
    have = {e.obligation for e in case.framework.values()}
    extra = [{"obligation": o.id, "scope": o.scope, "policy": "we comply with it", "records": list(o.records[:1])}
             for o in case.obligations() if o.id not in have]  # fmt: skip
    assert extra
    case.set_framework([e.model_dump() for e in case.framework.values()] + extra)


def _the_staff_list_proves_everything(case: T5Case) -> None:
    case.set_framework([{**e.model_dump(), "records": ["staff"]} for e in case.framework.values()])


def _recurrence_of_three_years(case: T5Case) -> None:
    case.set_courses([{**c.model_dump(), "recurrence_months": 36} for c in case.courses.values()])


def _everyone_booked_at_the_end_of_the_year(case: T5Case) -> None:
    late = case.today() + dt.timedelta(days=360)
    case.set_sessions([{**s.model_dump(), "date": late} for s in case.sessions])


def _back_pay_left_out(case: T5Case) -> None:
    _findings(case, lambda f: {**f, "back_pay": None})


def _evidence_of_someone_else(case: T5Case) -> None:
    _findings(case, lambda f: {**f, "rows": ["A000001"]})


def _the_agent_owns_the_fix(case: T5Case) -> None:
    _findings(case, lambda f: {**f, "owner": f["staff_id"]} if f["staff_id"] else f)


def _due_next_year(case: T5Case) -> None:
    _findings(case, lambda f: {**f, "due": case.today() + dt.timedelta(days=365)})


def _a_cause_of_one_word(case: T5Case) -> None:
    _findings(case, lambda f: {**f, "root_cause": "staff"})


def _held_without_the_next_month(case: T5Case) -> None:
    _findings(case, lambda f: {**f, "verification": "held"})  # re-adopting the register: the next month not run
    assert not case.next_month_run


def _put_right_once_and_called_held(case: T5Case) -> None:
    """Every breach corrected this once with training as the 'prevention', run, and every entry recorded held."""
    _findings(case, lambda f: {**f, "prevention": "training_only"})
    case.run_next_month()
    again = verify.recurred(case.world, list(case.findings.values()))
    assert any(again.values())  # something comes back when the cause is left
    case.update_findings(list(case.findings), verification="held")


SHORTCUTS: dict[str, tuple[Callable[[T5Case], None], str]] = {
    "every row near a line reported": (_everything_near_the_lines, "T5-C06"),
    "every row near a line reported, at the line too": (_everything_near_the_lines, "T5-C07"),
    "the consented cap for every month": (_the_consented_cap_for_every_month, "T5-C07"),
    "last year's hourly minimum wage": (_last_years_minimum_wage, "T5-C07"),
    "only the hours rules scanned": (_only_the_hours_rules_scanned, "T5-C05"),
    "the day a complaint came in counted": (_the_day_received_counted, "T5-C07"),
    "a day of grace on complaints": (_a_day_of_grace, "T5-C07"),
    "every open complaint reported late": (_every_open_complaint_late, "T5-C06"),
    "every obligation of the catalog listed": (_every_obligation_listed, "T5-C01"),
    "the staff list proves everything": (_the_staff_list_proves_everything, "T5-C02"),
    "a recurrence of three years": (_recurrence_of_three_years, "T5-C03"),
    "everyone booked at the end of the year": (_everyone_booked_at_the_end_of_the_year, "T5-C04"),
    "back pay left out": (_back_pay_left_out, "T5-C09"),
    "the evidence of someone else": (_evidence_of_someone_else, "T5-C08"),
    "the agent owns the fix": (_the_agent_owns_the_fix, "T5-C10"),
    "due next year": (_due_next_year, "T5-C10"),
    "a cause of one word": (_a_cause_of_one_word, "T5-C10"),
    "held without running the next month": (_held_without_the_next_month, "T5-C11"),
    "put right once and called held": (_put_right_once_and_called_held, "T5-C11"),
}


@pytest.mark.parametrize("name", list(SHORTCUTS))
def test_a_shortcut_does_not_pass(world: World, name: str) -> None:
    shortcut, criterion = SHORTCUTS[name]
    case = build_case("strong", ORG, SEED, "gamer", "zh-TW", world=world)
    assert criterion not in not_met(KIND, case)
    shortcut(case)
    assert criterion in not_met(KIND, case)
