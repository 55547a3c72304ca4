"""Grading and the competency decision: states, failing checks, marks and moderation, every decision rule."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Mapping
from typing import Any

import pytest
import rubric_fixtures as fx
from hypothesis import given, settings
from hypothesis import strategies as st

from casekit.errors import UsageError
from casekit.rubric import (
    AssessorMark,
    CaseResult,
    CheckContext,
    CheckOutcome,
    CriterionResult,
    apply_marks,
    current_marks,
    decide,
    grade,
    parse_rubric,
    render_reasons,
    run_checks,
)
from casekit.rubric.checks import builtin_checks
from casekit.rubric.decision import decision_from_json
from casekit.rubric.result import result_from_json, result_to_json

# --- grading -----------------------------------------------------------------------------------------------------


def test_automatic_criteria_checked_assessor_criterion_awaits() -> None:
    result = grade(fx.rubric(), fx.context())
    states = {c.id: c.state for c in result.criteria}
    assert states == {"T4-C01": "met", "T4-C02": "met", "T4-C03": "met", "T4-C04": "awaiting_assessor"}
    c02 = result.criterion("T4-C02")
    assert c02.evidence == {"path": "kpis.team", "count": 2, "min": 2}
    assert c02.auto is not None and c02.auto.check == "min_count" and c02.marks == ()
    assert c02.message("en") == "kpis.team has 2 item(s); at least 2 needed"
    c04 = result.criterion("T4-C04")
    assert c04.auto is None and c04.deciding_mark is None and c04.evidence == {}
    assert c04.state_label("zh-TW") == "待評量者判定" and c04.message("zh-TW")
    assert c04.title == {"zh-TW": "個案討論", "en": "Case discussion"}
    assert (c04.elements, c04.method, c04.essential) == (("P4.2",), "M2", True)


def test_grading_is_deterministic() -> None:
    marks = [fx.mark()]
    assert grade(fx.rubric(), fx.context(), marks) == grade(fx.rubric(), fx.context(), marks)


def _registry_with(name: str, check: Any) -> Any:
    checks = builtin_checks()
    checks.add(name, check)
    return checks


def _boom(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    raise RuntimeError("the world has no pay table")


@pytest.mark.parametrize(
    ("check", "error"),
    [
        (_boom, "RuntimeError: the world has no pay table"),
        (lambda context, params: {"met": True}, "TypeError"),
        (lambda context, params: CheckOutcome(met=True, evidence={"thing": object()}), "TypeError"),
    ],
)
def test_failing_check_is_an_error_state_and_grading_goes_on(check: Any, error: str) -> None:
    checks = _registry_with("flaky", check)
    text = fx.RUBRIC_YAML.replace("check: field_present, params: {path: rewards}", "check: flaky")
    result = grade(parse_rubric(text, "r.yaml", registry=checks), fx.context(), [fx.mark()], registry=checks)
    c03 = result.criterion("T4-C03")
    assert c03.state == "error" and c03.auto is not None and c03.auto.state == "error"
    assert c03.message_key == "rubric.check_error" and error in c03.message_params["error"]
    assert error in c03.message("en")
    assert [c.state for c in result.criteria] == ["met", "met", "error", "met"]  # the others were graded
    decision = decide(result)
    assert decision.outcome == "not_yet_competent"
    assert [r.key for r in decision.reasons] == ["rubric.reason_check_error"]


def test_check_missing_at_grading_time_is_an_error_state() -> None:
    checks = _registry_with("flaky", _boom)
    text = fx.RUBRIC_YAML.replace("check: field_present, params: {path: rewards}", "check: flaky")
    result = grade(parse_rubric(text, "r.yaml", registry=checks), fx.context())  # shared registry lacks it
    assert result.criterion("T4-C03").state == "error"
    assert result.criterion("T4-C03").message_key == "rubric.check_missing"


def test_evidence_becomes_plain_data_and_params_are_a_copy() -> None:
    class Scalar:  # stands for a numpy scalar, which converts itself with .item()
        def item(self) -> int:
            return 7

    def figures(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
        params["path"] = "changed"  # type: ignore[index]
        evidence: dict[Any, Any] = {"day": dt.date(2025, 3, 1), "ids": {"b", "a"}, "n": Scalar(), 1: "x"}
        return CheckOutcome(True, evidence)

    checks = _registry_with("figures", figures)
    text = fx.RUBRIC_YAML.replace("check: field_present, params: {path: rewards}", "check: figures, params: {path: p}")
    rubric = parse_rubric(text, "r.yaml", registry=checks)
    c03 = grade(rubric, fx.context(), registry=checks).criterion("T4-C03")
    assert c03.evidence == {"day": "2025-03-01", "ids": ["a", "b"], "n": 7, "1": "x"}
    assert c03.message_key == "rubric.check_met" and c03.message_params == {"check": "figures"}
    assert rubric.criterion("T4-C03").judged_by.params == {"path": "p"}


# --- marks -------------------------------------------------------------------------------------------------------


def test_assessor_mark_decides_an_assessor_criterion() -> None:
    result = grade(fx.rubric(), fx.context(), [fx.mark(result="not_yet_met")])
    c04 = result.criterion("T4-C04")
    assert c04.state == "not_yet_met" and c04.deciding_mark == fx.mark(result="not_yet_met")
    assert "assessor-a" in c04.message("en") and "duties" in c04.message("zh-TW")


def test_mark_overrides_an_automatic_result_and_keeps_it() -> None:
    moderation = fx.mark("T4-C02", "not_yet_met", assessor="moderator", reason="team KPIs copied from the template")
    c02 = grade(fx.rubric(), fx.context(), [moderation]).criterion("T4-C02")
    assert c02.state == "not_yet_met" and c02.moderated
    assert c02.auto is not None and c02.auto.state == "met"
    assert c02.evidence == c02.auto.evidence == {"path": "kpis.team", "count": 2, "min": 2}
    assert "team KPIs copied" in c02.message("en")


def test_latest_mark_decides_by_time_not_by_order() -> None:
    later = fx.mark(result="not_yet_met", assessor="moderator", time="2025-03-01T03:00:00Z")  # 11:00 in Taipei
    earlier = fx.mark(result="met", assessor="assessor-a", time="2025-03-01T10:00:00+08:00")
    c04 = grade(fx.rubric(), fx.context(), [later, earlier]).criterion("T4-C04")
    assert c04.state == "not_yet_met" and c04.marks == (earlier, later)


def test_same_time_later_mark_wins() -> None:
    first, second = fx.mark(result="met"), fx.mark(result="not_yet_met", assessor="b")
    assert grade(fx.rubric(), fx.context(), [first, second]).criterion("T4-C04").state == "not_yet_met"
    assert grade(fx.rubric(), fx.context(), [second, first]).criterion("T4-C04").state == "met"


def test_current_marks_keep_the_latest_of_each_assessor() -> None:
    a1 = fx.mark(result="met", time="2025-03-01T09:00:00+08:00")
    a2 = fx.mark(result="not_yet_met", time="2025-03-02T09:00:00+08:00")
    b1 = fx.mark(result="met", assessor="b", time="2025-03-01T12:00:00+08:00")
    assert current_marks([a2, b1, a1]) == [b1, a2]


def test_apply_marks_replaces_earlier_marks() -> None:
    marked = grade(fx.rubric(), fx.context(), [fx.mark()])
    assert apply_marks(marked, ()) == run_checks(fx.rubric(), fx.context())


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": ""},
        {"reason": "   "},
        {"assessor": ""},
        {"criterion_id": ""},
        {"result": "partly"},
        {"time": "yesterday"},
        {"time": ""},
    ],
)
def test_invalid_marks_are_refused(fields: dict[str, str]) -> None:
    values = {"criterion_id": "T4-C04", "assessor": "a", "result": "met", "reason": "ok", "time": "2025-03-01"}
    with pytest.raises(UsageError):
        AssessorMark(**{**values, **fields})  # type: ignore[arg-type]


def test_mark_for_an_unknown_criterion_is_refused() -> None:
    with pytest.raises(UsageError, match="T4-C99"):
        grade(fx.rubric(), fx.context(), [fx.mark("T4-C99")])


# --- the decision ------------------------------------------------------------------------------------------------


def _criterion(
    cid: str, state: str, elements: tuple[str, ...] = ("P4.1",), method: str = "M2", essential: bool = False
) -> CriterionResult:
    return CriterionResult(id=cid, state=state, elements=elements, method=method, essential=essential)  # type: ignore[arg-type]


def _case(*criteria: CriterionResult) -> CaseResult:
    return CaseResult("T4-demo", "T4", criteria)


def _reasons(result: CaseResult) -> list[tuple[str, dict[str, Any]]]:
    return [(r.key, dict(r.params)) for r in decide(result).reasons]


def test_competent_when_everything_required_is_met() -> None:
    decision = decide(grade(fx.rubric(), fx.context(), [fx.mark()]))
    assert (decision.outcome, decision.reasons, decision.score) == ("competent", (), 1.0)
    assert decision.label("zh-TW") == "具備職能" and decision.label("en") == "competent"
    assert render_reasons(decision, "en") == []


def test_essential_criterion_not_met() -> None:
    result = grade(fx.rubric(), fx.context(fx.NO_REWARDS), [fx.mark()])
    decision = decide(result)
    assert decision.outcome == "not_yet_competent" and decision.label("zh-TW") == "尚未具備職能"
    assert _reasons(result) == [("rubric.reason_essential_not_met", {"criterion": "T4-C03"})]
    assert render_reasons(decision, "zh-TW") == ["必要評量項目 T4-C03 尚未達成"]
    assert render_reasons(decision, "en") == ["essential criterion T4-C03 is not yet met"]


def test_awaiting_assessor() -> None:
    result = grade(fx.rubric(), fx.context())
    decision = decide(result)
    assert decision.outcome == "awaiting_assessor" and decision.label("zh-TW") == "待評量者判定"
    assert _reasons(result) == [("rubric.reason_awaiting", {"criterion": "T4-C04"})]
    assert render_reasons(decision, "zh-TW") == ["評量項目 T4-C04 待評量者判定"]


def test_indicator_uncovered() -> None:
    result = _case(_criterion("C1", "met", ("P4.1",)), _criterion("C2", "not_yet_met", ("P4.2",)))
    assert decide(result).outcome == "not_yet_competent"
    assert _reasons(result) == [("rubric.reason_indicator_uncovered", {"element": "P4.2"})]
    assert "P4.2" in render_reasons(decide(result), "zh-TW")[0]


def test_evidence_uncovered() -> None:
    result = _case(_criterion("C1", "met", ("P4.1",)), _criterion("C2", "not_yet_met", ("P4.1", "E1")))
    assert _reasons(result) == [("rubric.reason_evidence_uncovered", {"element": "E1"})]


def test_method_unused() -> None:
    result = _case(_criterion("C1", "met"), _criterion("C2", "not_yet_met", method="M3"))
    assert _reasons(result) == [("rubric.reason_method_unused", {"method": "M3"})]
    assert render_reasons(decide(result), "en") == ["assessment method M3 is not used by any met criterion"]


def test_knowledge_and_skills_are_not_coverage_requirements() -> None:
    result = _case(_criterion("C1", "met"), _criterion("C2", "not_yet_met", ("P4.1", "K6", "S6")))
    assert decide(result).outcome == "competent"


def test_not_yet_competent_lists_every_gap_and_what_awaits() -> None:
    result = _case(
        _criterion("C1", "not_yet_met", ("P4.1",), essential=True),
        _criterion("C2", "error", ("P4.2",)),
        _criterion("C3", "awaiting_assessor", ("P4.3",)),
    )
    assert decide(result).outcome == "not_yet_competent"
    assert _reasons(result) == [
        ("rubric.reason_essential_not_met", {"criterion": "C1"}),
        ("rubric.reason_indicator_uncovered", {"element": "P4.1"}),
        ("rubric.reason_indicator_uncovered", {"element": "P4.2"}),
        ("rubric.reason_indicator_uncovered", {"element": "P4.3"}),
        ("rubric.reason_method_unused", {"method": "M2"}),
        ("rubric.reason_check_error", {"criterion": "C2"}),
        ("rubric.reason_awaiting", {"criterion": "C3"}),
    ]
    for lang in ("zh-TW", "en"):
        assert len(render_reasons(decide(result), lang)) == 7


def test_awaiting_only_when_the_pending_marks_could_settle_it() -> None:
    # a non-essential criterion not met while its indicator is covered elsewhere does not block
    settle = _case(
        _criterion("C1", "met"), _criterion("C2", "not_yet_met"), _criterion("C3", "awaiting_assessor", ("P4.2",))
    )
    assert decide(settle).outcome == "awaiting_assessor"
    cannot = _case(_criterion("C1", "not_yet_met", essential=True), _criterion("C2", "awaiting_assessor"))
    assert decide(cannot).outcome == "not_yet_competent"


def test_score_is_feedback_not_the_decision() -> None:
    high = _case(*(_criterion(f"C{i}", "met") for i in range(9)), _criterion("C9", "not_yet_met", essential=True))
    low = _case(_criterion("C1", "met"), *(_criterion(f"C{i}", "not_yet_met") for i in range(2, 5)))
    assert (decide(high).score, decide(high).outcome) == (0.9, "not_yet_competent")
    assert (decide(low).score, decide(low).outcome) == (0.25, "competent")
    assert decide(high).feedback("en").startswith("9 of 10 criteria met (90%)")
    assert "90%" in decide(high).feedback("zh-TW")


def test_require_adds_unit_elements_and_combines_cases() -> None:
    t4 = grade(fx.rubric(), fx.context(), [fx.mark()])
    assert decide(t4, require=["P4.3"]).reasons[0].params == {"element": "P4.3"}
    other = _case(_criterion("T5-C01", "met", ("P4.3",), method="M3"))
    assert decide([t4, other], require=["P4.3", "M3"]).outcome == "competent"
    with pytest.raises(UsageError, match="K1, X9"):
        decide(t4, require=["X9", "K1"])


# --- values ------------------------------------------------------------------------------------------------------


def test_results_and_decisions_round_trip_through_json_and_pickle() -> None:
    checks = _registry_with("flaky", _boom)
    text = fx.RUBRIC_YAML.replace("check: min_count, params: {path: kpis.team, min: 2}", "check: flaky")
    moderation = fx.mark("T4-C01", "not_yet_met", assessor="moderator")
    result = grade(
        parse_rubric(text, "r.yaml", registry=checks), fx.context(), [fx.mark(), moderation], registry=checks
    )
    assert result_from_json(result_to_json(result)) == result
    assert pickle.loads(pickle.dumps(result)) == result
    decision = decide(result)
    assert decision_from_json(decision.to_json()) == decision
    assert pickle.loads(pickle.dumps(decision)) == decision


# --- property: a met mark never makes things worse ---------------------------------------------------------------

RANK = {"not_yet_competent": 0, "awaiting_assessor": 1, "competent": 2}
CRITERIA = ("T4-C01", "T4-C02", "T4-C03", "T4-C04")


def _flag(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    value = context.answer[params["key"]]
    if value == "raise":
        raise ValueError("flagged to fail")
    return CheckOutcome(met=value == "met")


FLAG_CHECKS = _registry_with("flag", _flag)
FLAG_RUBRIC = parse_rubric(
    fx.RUBRIC_YAML.replace("check: field_present, params: {path: kpis.individual}", "check: flag, params: {key: a}")
    .replace("check: min_count, params: {path: kpis.team, min: 2}", "check: flag, params: {key: b}")
    .replace("check: field_present, params: {path: rewards}", "check: flag, params: {key: c}"),
    "flag.yaml",
    registry=FLAG_CHECKS,
)

times = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2025, 12, 31)).map(dt.datetime.isoformat)
marks = st.builds(
    AssessorMark,
    criterion_id=st.sampled_from(CRITERIA),
    assessor=st.sampled_from(["a", "b"]),
    result=st.sampled_from(["met", "not_yet_met"]),
    reason=st.just("observed in the case discussion"),
    time=times,
)


@settings(max_examples=200, deadline=None)
@given(
    flags=st.fixed_dictionaries({k: st.sampled_from(["met", "not", "raise"]) for k in "abc"}),
    earlier=st.lists(marks, max_size=6),
    new=st.builds(
        AssessorMark,
        criterion_id=st.sampled_from(CRITERIA),
        assessor=st.sampled_from(["a", "b", "c"]),
        result=st.just("met"),
        reason=st.just("moderated: evidence is sufficient"),
        time=times,
    ),
)
def test_adding_a_met_mark_never_lowers_the_decision(
    flags: dict[str, str], earlier: list[AssessorMark], new: AssessorMark
) -> None:
    context = CheckContext(answer=flags)
    before = decide(grade(FLAG_RUBRIC, context, earlier, registry=FLAG_CHECKS))
    after = decide(grade(FLAG_RUBRIC, context, [*earlier, new], registry=FLAG_CHECKS))
    if before.outcome == "competent":
        assert after.outcome == "competent"
    assert RANK[after.outcome] >= RANK[before.outcome]
    assert after.met >= before.met
