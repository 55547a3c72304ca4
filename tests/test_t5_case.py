"""The T5 case object: the API the widgets and the simulated candidates drive. Bad input is refused with every
problem named and nothing lost; the candidate's tools use the candidate's figures; the next month's recurrences the
tools find are the ones the world placed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from casekit.cases.t5_compliance import rules, verify
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.profiles import build_case
from casekit.errors import AnswerError, UsageError
from casekit.scenario import World, world_for

ORG, SEED = "telecom-support", 23


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


def test_a_saved_case_resumes_to_the_same_answer(world: World, tmp_path: Path) -> None:
    case = build_case("strong", ORG, SEED, "cand-1", "en", world=world)
    path = case.save(tmp_path / "a.json")
    again = T5Case.from_answer(T5Case.answer_model.model_validate_json(path.read_text(encoding="utf-8")), world=world)
    assert again.to_answer() == case.to_answer()
    assert again.next_month_run and again.findings.keys() == case.findings.keys()


def test_a_scan_needs_the_candidates_own_figures(world: World) -> None:
    case = T5Case(ORG, SEED, "cand-2", "en", world=world)
    with pytest.raises(UsageError, match="monthly_cap, monthly_cap_consented"):
        case.scan("monthly_overtime")
    case.set_thresholds({"monthly_cap": 46, "monthly_cap_consented": 54})
    right = case.scan("monthly_overtime")
    assert len(right) > 0
    case.set_thresholds({"monthly_cap": 60, "monthly_cap_consented": 60})  # a wrong line finds fewer
    assert len(case.scan("monthly_overtime")) < len(right)


def test_unknown_figures_and_ids_are_refused_with_each_named(world: World) -> None:
    case = T5Case(ORG, SEED, "cand-3", "en", world=world)
    with pytest.raises(AnswerError) as err:
        case.set_thresholds({"monthly_kap": 46, "break_minutes": -1})
    text = str(err.value)
    assert "thresholds.monthly_kap" in text and "thresholds.break_minutes" in text
    with pytest.raises(AnswerError) as err:
        case.set_findings([{"rule": "break", "staff_id": "E9999", "date": "2026-03-02", "owner": "nobody"}])
    assert "findings.0.staff_id" in str(err.value) and "findings.0.owner" in str(err.value)
    assert case.findings == {} and case.thresholds == {}  # nothing adopted, nothing lost
    with pytest.raises(UsageError):
        case.filter("salaries")
    with pytest.raises(UsageError):
        case.schedule("personal_data", [dt.date(2026, 5, 1)])  # the course is not set
    with pytest.raises(UsageError):
        case.run_next_month()  # nothing registered


def test_the_tools_find_the_recurrences_the_world_placed(world: World) -> None:
    """A register that only corrects (training instead of fixing the cause): some breaches come back next month,
    and the rule library on the next month's records finds exactly those the world placed."""
    case = build_case("strong", ORG, SEED, "cand-4", "en", world=world)
    case.set_findings([{**f.model_dump(), "prevention": "training_only"} for f in case.findings.values()])
    month = case.run_next_month()
    truth = verify.recurred(world, list(case.findings.values()))
    assert any(truth.values()) and not all(truth.values())
    handler = verify.world_handlers(world, month["data_events"], month["complaints"])
    seen = set().union(*(verify.found_subjects(case.next_scan(r.id), handler) for r in rules.RULES))
    assert {k for k, again in truth.items() if again} == {k for k in truth if k in seen}


def test_the_brief_dates(world: World) -> None:
    case = T5Case(ORG, SEED, "cand-5", "en", world=world)
    assert case.window() == ["2026-02", "2026-03", "2026-04"]
    assert case.today() == dt.date(2026, 5, 1)
    assert set(case.records()) >= {"attendance", "payslips", "job_ads", "data_events", "reg_training"}


def test_more_findings_than_an_answer_holds_are_refused_when_given(world: World) -> None:
    case = T5Case(ORG, SEED, "cand-6", "en", world=world)
    staff = list(world.staff["staff_id"])
    many = [{"rule": "break", "staff_id": staff[i % len(staff)], "date": f"2026-03-{1 + i // len(staff):02d}"}
            for i in range(2001)]  # fmt: skip
    with pytest.raises(AnswerError, match="findings"):
        case.set_findings(many)
    assert case.findings == {}


def test_one_list_of_rules_for_the_world_the_answer_and_the_library() -> None:
    from casekit.cases.t5_compliance.answer import RULE_IDS
    from casekit.cases.t5_compliance.tools import NEEDS

    assert RULE_IDS == tuple(r.id for r in rules.RULES) == tuple(NEEDS)


def test_the_grader_finds_with_the_library_exactly_what_the_world_seeded(world: World) -> None:
    from casekit.cases.t5_compliance.checks_base import KEY, the_breaches

    found = the_breaches(world)
    seeded = world.truth["compliance_breaches"]
    columns = [*KEY, "back_pay", "rows", "boundary"]
    left = found[columns].astype(str).sort_values(list(KEY)).reset_index(drop=True)
    right = seeded[columns].astype(str).sort_values(list(KEY)).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right)
