"""T4 judged on behaviour, not on presence (issue 9): each gaming answer a candidate could hand in to pass without
the competence, built here from the strong simulated candidate's answer, is judged *not yet met* for the right
criterion, and the honest answers around it are not."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from casekit.answers import save_answer
from casekit.cases.t4_incentives.answer import T4Answer
from casekit.cases.t4_incentives.case import T4Case, projected_cost_per_period
from casekit.cases.t4_incentives.checks import whole_units
from casekit.cases.t4_incentives.kind import KIND
from casekit.cases.t4_incentives.profiles import build_case
from casekit.cases.t4_incentives.response import response_plan
from casekit.cases.t4_incentives.scheme import parse_scheme
from casekit.errors import AnswerError
from casekit.i18n import t
from casekit.registry import registry
from casekit.rubric import CaseResult, Rubric, run_checks

ORG, SEED = "bank-cards", 41


@pytest.fixture(scope="module")
def strong() -> T4Case:
    return build_case("strong", ORG, SEED, "gamer", "en")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


def _doc(case: T4Case) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(case.to_answer().model_dump_json(by_alias=True))
    return data


def _graded(rubric: Rubric, case: T4Case, doc: dict[str, Any]) -> CaseResult:
    answer = registry.parse_answer(doc, "gaming.json")  # a valid document: every gaming answer here is one
    return run_checks(rubric, KIND.grading_context(answer, case.world), registry=KIND.checks)


def _state(result: CaseResult, criterion: str) -> str:
    return result.criterion(criterion).state


# --- 1. one set of scheme rules, on load and on save -------------------------------------------------------------


def _refused(doc: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(doc, "a.json")
    return [(p.field, p.expected) for p in info.value.problems]


def test_1_weights_over_one_negative_pay_and_a_bonus_without_a_measure_are_refused_on_load(strong: T4Case) -> None:
    doc = _doc(strong)
    heavy = copy.deepcopy(doc)
    heavy["scheme"]["components"][0]["measures"][0]["weight"] = 0.7  # 0.7 + 0.3 + 0.15 + 0.15 = 1.3
    assert ("scheme.components[0].measures", "expect.weights_sum") in _refused(heavy)
    deduction = copy.deepcopy(doc)
    deduction["scheme"]["components"][0]["pay"]["agent"] = -2000.0
    assert ("scheme.components[0].pay.agent", "expect.ge") in _refused(deduction)
    bare = copy.deepcopy(doc)
    bare["scheme"]["components"].append({"id": "hit", "type": "threshold_bonus", "pay": {"agent": 500.0}})
    assert ("scheme.components[4].measures", "expect.one_measure") in _refused(bare)


def test_1_the_same_rules_refuse_a_save(strong: T4Case, tmp_path: Path) -> None:
    doc = _doc(strong)
    doc["scheme"]["components"][0]["measures"][0]["weight"] = 0.7
    built = T4Answer.model_validate(doc)  # each field valid on its own: the model alone accepts it
    with pytest.raises(AnswerError) as info:
        save_answer(built, tmp_path / "a.json")
    assert [p.expected for p in info.value.problems] == ["expect.weights_sum"]
    assert not (tmp_path / "a.json").exists()


def test_1_the_widgets_rules_are_the_documents_rules(strong: T4Case) -> None:
    scheme = _doc(strong)["scheme"]
    scheme["components"][1]["measures"][0]["weight"] = 0.9
    from casekit.cases.t4_incentives.scheme import SchemeError

    with pytest.raises(SchemeError) as info:
        parse_scheme(scheme)
    assert [(p.field, p.expected) for p in info.value.problems] == [("components[1].measures", "expect.weights_sum")]


# --- 2. a quality gate counts if it binds ------------------------------------------------------------------------


def _speed_scheme(strong: T4Case, gate: float) -> dict[str, Any]:
    scheme = _doc(strong)["scheme"]
    card = scheme["components"][0]
    card["measures"] = [{"kpi": "aht_s", "level": "individual", "target": 380.0, "weight": 1.0}]
    card["gates"] = [{"kpi": "qa", "threshold": gate}]
    speed = {"kpi": "aht_s", "level": "team", "target": 380.0, "weight": 1.0}
    team = {**scheme["components"][1], "measures": [speed], "gates": [{"kpi": "qa", "threshold": gate}]}
    recognition = {"id": "fastest", "type": "non_cash", "non_cash_kind": "recognition", "pay": {"agent": 500.0},
                   "measures": [{"kpi": "aht_s", "level": "individual", "target": 340.0, "weight": 1.0}]}  # fmt: skip
    scheme["components"] = [card, team, recognition]  # speed only, each cash component behind the same QA gate
    return scheme


def test_2_a_token_quality_gate_is_no_gate(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    token = {**doc, "scheme": _speed_scheme(strong, 20.0)}  # QA 20: every agent scores three to four times that
    result = _graded(rubric, strong, token)
    assert _state(result, "T4-C02") == "not_yet_met"
    assert result.criterion("T4-C02").evidence["components_not_binding"] == ["card", "team"]
    assert _state(result, "T4-C03") == "not_yet_met"
    assert _state(result, "T4-C08") == "not_yet_met"  # the team rushes: the simulation finds the gaming


def test_2_the_simulated_team_rushes_past_a_token_gate_not_past_a_real_one(strong: T4Case) -> None:
    token = response_plan(strong.world, parse_scheme(_speed_scheme(strong, 20.0)))
    assert token["gaming"].mean() > 0.9 and not token["quality_binds_0"].any()
    real = response_plan(strong.world, parse_scheme(_speed_scheme(strong, 85.0)))
    assert real["quality_binds_0"].mean() > 0.5
    assert real["gaming"].sum() < token["gaming"].sum()


def test_2_a_quality_weight_everyone_exceeds_many_times_over_is_no_weight(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    scheme = doc["scheme"]
    card = scheme["components"][0]
    card["gates"] = []
    for m in card["measures"]:
        if m["kpi"] == "qa":
            m["target"] = 10.0  # QA 10: achievement 8x, capped for everyone at 1.2
        if m["kpi"] == "fcr":
            m["target"] = 0.1
    result = _graded(rubric, strong, {**doc, "scheme": scheme})
    assert _state(result, "T4-C02") == "not_yet_met"


# --- 3. rewards by responsibility on what is paid ----------------------------------------------------------------


def test_3_a_ladder_on_paper_that_pays_team_leaders_nothing_fails(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    scheme = doc["scheme"]
    for c in scheme["components"]:
        c["pay"].pop("team_leader", None)
        c["pay"].pop("senior_agent", None)
    scheme["components"].append(
        {
            "id": "ladder",
            "type": "threshold_bonus",
            "pay": {"senior_agent": 9000.0, "team_leader": 15000.0},
            "measures": [{"kpi": "qa", "level": "individual", "target": 99.9, "weight": 1.0}],
        }
    )
    result = _graded(rubric, strong, {**doc, "scheme": scheme})
    assert _state(result, "T4-C04") == "not_yet_met"
    assert result.criterion("T4-C04").evidence["median_paid"]["team_leader"] == 0


def test_3_the_honest_ladder_is_measured_on_pay(strong: T4Case, rubric: Rubric) -> None:
    result = _graded(rubric, strong, _doc(strong))
    paid = result.criterion("T4-C04").evidence["median_paid"]
    assert _state(result, "T4-C04") == "met" and paid["agent"] < paid["senior_agent"] < paid["team_leader"]


# --- 5. money in whole units --------------------------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0.0, -0.004, -0.49])
def test_5_a_budget_typed_as_the_cost_shown_is_within_budget(strong: T4Case, rubric: Rubric, offset: float) -> None:
    doc = _doc(strong)
    cost = projected_cost_per_period(strong.preview(), strong.world)
    budget = round(cost, 2) + offset  # what the tool shows, or up to half a unit under the cost
    doc["scheme"]["budget_per_period"] = budget
    if whole_units(budget) < whole_units(cost):
        pytest.skip("this cost rounds the other way")
    result = _graded(rubric, strong, doc)
    assert _state(result, "T4-C05") == "met", result.criterion("T4-C05").evidence


def test_5_a_failure_never_prints_two_equal_amounts(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    cost = projected_cost_per_period(strong.preview(), strong.world)
    doc["scheme"]["budget_per_period"] = whole_units(cost) - 1
    result = _graded(rubric, strong, doc)
    criterion = result.criterion("T4-C05")
    assert criterion.state == "not_yet_met"
    params = dict(criterion.message_params)
    assert params["cost"] != params["budget"] and "," in params["cost"]
    assert t("t4check.budget_not_met", "en", **params).count("NT$") == 2


# --- 6. figures reproduce, every one of them ---------------------------------------------------------------------


def test_6_a_kpi_change_reported_23_percent_too_high_fails(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    changes = doc["reported"]["simulated_kpi_change"]
    kpi = max(changes, key=lambda k: abs(changes[k]))
    changes[kpi] *= 1.23
    result = _graded(rubric, strong, doc)
    assert _state(result, "T4-C10") == "not_yet_met"
    assert result.criterion("T4-C10").evidence["kpis_wrong"] == [kpi]


def test_6_every_paid_kpi_is_reported(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    changes = doc["reported"]["simulated_kpi_change"]
    doc["reported"]["simulated_kpi_change"] = {"qa": changes["qa"]}  # one KPI of seven
    result = _graded(rubric, strong, doc)
    assert _state(result, "T4-C10") == "not_yet_met"
    assert "fcr" in result.criterion("T4-C10").evidence["kpis_missing"]


def test_6_the_audit_budget_variance_is_checked(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    assert _state(_graded(rubric, strong, doc), "T4-C10") == "met"
    doc["reported"]["audit_budget_variance"] = doc["reported"]["audit_budget_variance"] * 0.5 - 1000
    result = _graded(rubric, strong, doc)
    assert _state(result, "T4-C10") == "not_yet_met"
    assert result.criterion("T4-C10").evidence["checked"]["audit_budget_variance"] is False


# --- 7. the kinds of reward N6 names -----------------------------------------------------------------------------


def test_7_commission_recognition_and_time_off_are_a_range(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    scheme = doc["scheme"]
    sales = [c for c in scheme["components"] if c["type"] == "commission"]
    scheme["components"] = [
        *sales,
        {"id": "thanks", "type": "non_cash", "non_cash_kind": "recognition", "pay": {"agent": 500.0},
         "measures": [{"kpi": "csat", "level": "individual", "target": 0.85, "weight": 1.0}]},
        {"id": "early", "type": "non_cash", "non_cash_kind": "time_off", "pay": {"agent": 800.0},
         "measures": [{"kpi": "adherence", "level": "individual", "target": 0.9, "weight": 1.0}]},
    ]  # fmt: skip
    result = _graded(rubric, strong, {**doc, "scheme": scheme})
    assert _state(result, "T4-C07") == "met"
    assert result.criterion("T4-C07").evidence["kinds"] == ["commission", "recognition", "time_off"]


def test_7_two_bonuses_and_one_recognition_are_two_kinds(strong: T4Case, rubric: Rubric) -> None:
    doc = _doc(strong)
    scheme = doc["scheme"]
    scheme["components"] = [c for c in scheme["components"] if c["type"] in ("scorecard", "team_bonus")] + [
        {"id": "thanks", "type": "non_cash", "non_cash_kind": "recognition", "pay": {"agent": 500.0},
         "measures": [{"kpi": "csat", "level": "individual", "target": 0.85, "weight": 1.0}]},
    ]  # fmt: skip
    result = _graded(rubric, strong, {**doc, "scheme": scheme})
    assert _state(result, "T4-C07") == "not_yet_met"
    assert result.criterion("T4-C07").evidence["kinds"] == ["bonus", "recognition"]


# --- 9. one unit per KPI ------------------------------------------------------------------------------------------


def test_9_a_target_outside_its_kpis_range_is_refused_with_the_range(strong: T4Case) -> None:
    doc = _doc(strong)
    fcr = next(m for m in doc["scheme"]["components"][0]["measures"] if m["kpi"] == "fcr")
    fcr["target"] = 78.0  # a percentage where the document keeps a share: would pay almost nobody
    doc["scheme"]["components"][0]["gates"][0]["threshold"] = 130.0  # QA is in points of 100
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(doc, "a.json")
    problems = {p.field: p for p in info.value.problems}
    assert problems["scheme.components[0].measures[1].target"].expected == "expect.kpi_range"
    assert problems["scheme.components[0].measures[1].target"].params["high"] == "1"
    assert problems["scheme.components[0].gates[0].threshold"].params["high"] == "100"
    assert "0.78" in t("expect.kpi_range", "en", **problems["scheme.components[0].measures[1].target"].params)


def test_9_the_form_takes_rates_in_percent_as_the_explore_tab_shows_them() -> None:
    from casekit.cases.t4_incentives.scheme import Component
    from casekit.widgets.t4_incentives.forms import component_data, component_fields

    data = component_data(
        id="card",
        type="tiered",
        pay={"agent": "1000"},
        measures=[{"kpi": "fcr", "level": "individual", "weight": 1.0, "target": 78.0}],
        gates=[{"kpi": "qa", "threshold": 80.0}, {"kpi": "adherence", "threshold": 85.0}],
        bands=[{"threshold": 70.0, "fraction": 0.5}, {"threshold": 78.0, "fraction": 1.0}],
    )
    assert data["measures"][0]["target"] == 0.78
    assert [g["threshold"] for g in data["gates"]] == [80.0, 0.85]  # QA stays in points
    assert [b["threshold"] for b in data["bands"]] == [0.7, 0.78]
    shown = component_fields(Component.model_validate(data))
    assert shown["measures"][0]["target"] == 78.0 and [b["threshold"] for b in shown["bands"]] == [70.0, 78.0]
