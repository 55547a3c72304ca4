"""Rubric files: the model, every problem reported at once, the check registry and its built-ins, catalogs."""

from __future__ import annotations

import json
import pickle
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import rubric_fixtures as fx
from pydantic import ValidationError

from casekit.errors import GradebookError, NotFoundError, RubricError, SpecError, UsageError
from casekit.i18n import LANGS, t
from casekit.rubric import CheckContext, CheckOutcome, CheckRegistry, load_rubric, parse_rubric
from casekit.rubric.checks import builtin_checks, field_present, min_count

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "casekit" / "locales"

LEVELS = """
    levels:
      - {id: met, descriptor: {zh-TW: 達成, en: Met}}
      - {id: not_yet_met, descriptor: {zh-TW: 未達成, en: Not met}}"""

# One file with one of each kind of mistake; each line of EXPECTED names where and what.
BROKEN = f"""\
schema_version: 1
id: T4 demo
case: T4
title: {{zh-TW: 測試}}
weight: 3
criteria:
  - id: T4-C01
    title: {{zh-TW: 一, en: One}}
    elements: [P9.9, T4, P4.1]
    method: M7
    essential: "yes"{LEVELS}
    judged_by: {{check: no_such_check}}
  - id: T4-C01
    title: {{zh-TW: 二, en: "  "}}
    elements: []
    method: M2{LEVELS}
    judged_by: {{check: min_count, params: {{path: kpis.team}}}}
    weight: 1
  - id: T4-C03
    title: {{zh-TW: 三, en: yes}}
    elements: [E1]
    method: M2
    essential: true
    levels:
      - {{id: met, descriptor: {{zh-TW: 達成, en: Met}}}}
      - {{id: partly, descriptor: {{zh-TW: 部分, en: Partly}}}}
    judged_by: {{check: field_present, params: {{path: a}}, assessor: true}}
  - id: T4-C04
    title: {{zh-TW: 四, en: Four}}
    elements: [E1]
    method: M2
    essential: true
    levels:
      - {{id: met, descriptor: {{zh-TW: 達成, en: Met}}}}
    judged_by: {{assessor: false}}
"""
EXPECTED = {
    ("id", "expect.ident"),
    ("title.en", "expect.present"),
    ("weight", "expect.known_field"),
    ("criteria[0].elements[0]", "expect.rubric_element"),
    ("criteria[0].elements[1]", "expect.rubric_element"),
    ("criteria[0].method", "expect.method_id"),
    ("criteria[0].essential", "expect.bool"),
    ("criteria[0].judged_by.check", "expect.known_check"),
    ("criteria[1].id", "expect.unique_criterion"),
    ("criteria[1].title.en", "expect.nonempty"),
    ("criteria[1].elements", "expect.too_short"),
    ("criteria[1].essential", "expect.present"),
    ("criteria[1].judged_by", "expect.check_params"),
    ("criteria[1].weight", "expect.known_field"),
    ("criteria[2].title.en", "expect.string_not_bool"),
    ("criteria[2].levels[1].id", "expect.one_of"),
    ("criteria[2].judged_by", "expect.judged_by"),
    ("criteria[3].levels", "expect.levels"),
    ("criteria[3].judged_by", "expect.judged_by"),
}


# --- the model ---------------------------------------------------------------------------------------------------


def test_fixture_rubric_loads_as_frozen_values(tmp_path: Path) -> None:
    rubric = load_rubric(fx.write_rubric(tmp_path))
    assert (rubric.id, rubric.case, rubric.title.get("en")) == ("T4-demo", "T4", "Pay and incentives (test)")
    assert [c.id for c in rubric.criteria] == ["T4-C01", "T4-C02", "T4-C03", "T4-C04"]
    assert rubric.elements == ("P4.1", "K6", "E1", "P4.2", "S6")
    assert rubric.methods == ("M2",)
    c02 = rubric.criterion("T4-C02")
    assert c02.elements == ("P4.1", "E1") and c02.method == "M2" and c02.essential is False
    assert (c02.judged_by.check, c02.judged_by.params) == ("min_count", {"path": "kpis.team", "min": 2})
    assert c02.level("met").descriptor.get("zh-TW") == "已訂定"
    c04 = rubric.criterion("T4-C04")
    assert c04.judged_by.assessor is True and not c04.judged_by.automatic
    with pytest.raises(ValidationError):
        rubric.criteria[0].essential = False  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(rubric)) == rubric


def test_unknown_criterion_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="T4-C99"):
        fx.rubric().criterion("T4-C99")


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    path = fx.write_rubric(tmp_path, BROKEN, "broken.yaml")
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    problems = info.value.problems
    assert {(p.field, p.expected) for p in problems} == EXPECTED
    assert len(problems) == len(EXPECTED)
    assert all(p.file == str(path) for p in problems)
    by_field = {p.field: p for p in problems}
    assert by_field["criteria[0].elements[0]"].got == "'P9.9'"
    assert by_field["criteria[0].method"].params["allowed"] == "M1, M2, M3"
    assert "field_present" in by_field["criteria[0].judged_by.check"].params["allowed"]
    assert by_field["criteria[1].judged_by"].params["missing"] == "min"
    assert by_field["criteria[1].id"].params["first"] == 0
    assert "judged_by" in by_field["criteria[1].weight"].params["allowed"]
    for lang in LANGS:  # every problem renders in both languages, with where and what came
        text = info.value.render(lang)
        assert "criteria[0].elements[1]" in text and "'T4'" in text
        assert not re.search(r"\{[a-z_]+\}", text)  # no placeholder left unfilled
    assert "M1, M2, M3" in info.value.render("en")


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("id: [unclosed\ncase: T4\n", "line 2, column 5", "expect.yaml"),
        ("- a list\n- not a mapping\n", "", "expect.top_mapping"),
        ("schema_version: 2\nid: x\n", "schema_version", "expect.schema_version"),
    ],
)
def test_unreadable_documents(text: str, field: str, expected: str) -> None:
    with pytest.raises(RubricError) as info:
        parse_rubric(text, "r.yaml")
    assert [(p.field, p.expected) for p in info.value.problems] == [(field, expected)]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RubricError) as info:
        load_rubric(tmp_path / "nope.yaml")
    assert info.value.problems[0].expected == "expect.file_exists"


def test_check_names_come_from_the_registry_given() -> None:
    text = fx.RUBRIC_YAML.replace("check: field_present, params: {path: rewards}", "check: reward_fit")
    with pytest.raises(RubricError, match="reward_fit"):
        parse_rubric(text, "r.yaml")
    checks = builtin_checks()
    checks.add("reward_fit", lambda context, params: CheckOutcome(met=True))
    assert parse_rubric(text, "r.yaml", registry=checks).criterion("T4-C03").judged_by.check == "reward_fit"
    assert "reward_fit" not in builtin_checks()  # each call gives a new registry: a kind's additions stay its own


def test_exceptions_pickle() -> None:
    with pytest.raises(RubricError) as info:
        parse_rubric(BROKEN, "broken.yaml")
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, RubricError) and isinstance(again, SpecError) and isinstance(again, ValueError)
    assert again.problems == info.value.problems and str(again) == str(info.value)
    error = GradebookError("gradebook.sqlite has schema version 9")
    again_gb = pickle.loads(pickle.dumps(error))
    assert type(again_gb) is GradebookError and str(again_gb) == str(error)


# --- the registry ------------------------------------------------------------------------------------------------


def _always(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
    return CheckOutcome(met=True)


def test_registry_register_get_and_refuse_duplicates() -> None:
    checks = CheckRegistry()

    @checks.register("always", required_params=("x",))
    def always(context: CheckContext, params: Mapping[str, Any]) -> CheckOutcome:
        return CheckOutcome(met=True)

    assert checks.get("always") is always and checks.required_params("always") == ("x",)
    assert checks.names() == ("always",) and "always" in checks
    with pytest.raises(UsageError, match="always"):
        checks.add("always", _always)
    checks.add("always", _always, replace=True)
    assert checks.get("always") is _always
    with pytest.raises(NotFoundError, match="nothing"):
        checks.get("nothing")
    with pytest.raises(UsageError):
        checks.add(" ", _always)


def test_builtins_are_registered() -> None:
    checks = builtin_checks()
    assert set(checks.names()) == {"field_present", "min_count"}
    assert checks.required_params("min_count") == ("path", "min")


# --- built-in checks ---------------------------------------------------------------------------------------------

ANSWER = {
    "kpis": {"team": ["sl", "csat"], "individual": []},
    "name": "  ",
    "note": "ok",
    "zero": 0,
    "staff": [{"id": "A1"}],
}


@pytest.mark.parametrize(
    ("path", "met"),
    [
        ("kpis.team", True),
        ("kpis.individual", False),
        ("name", False),
        ("note", True),
        ("zero", True),
        ("staff.0.id", True),
        ("staff.1.id", False),
        ("missing.deep", False),
    ],
)
def test_field_present(path: str, met: bool) -> None:
    outcome = field_present(CheckContext(ANSWER), {"path": path})
    assert outcome.met is met and outcome.evidence == {"path": path, "present": met}
    assert outcome.message_key == ("rubric.check_field_present_met" if met else "rubric.check_field_present_missing")


@pytest.mark.parametrize(
    ("path", "minimum", "count", "met"),
    [("kpis.team", 2, 2, True), ("kpis.team", 3, 2, False), ("note", 1, 0, False), ("nothing", 0, 0, True)],
)
def test_min_count(path: str, minimum: int, count: int, met: bool) -> None:
    outcome = min_count(CheckContext(ANSWER), {"path": path, "min": minimum})
    assert (outcome.met, outcome.evidence["count"]) == (met, count)
    assert t(outcome.message_key, "en", **outcome.message_params).startswith(path)


@pytest.mark.parametrize(
    "params", [{"path": "kpis.team", "min": "2"}, {"path": "kpis.team", "min": -1}, {"path": "", "min": 1}]
)
def test_builtin_checks_reject_bad_params(params: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        min_count(CheckContext(ANSWER), params)


# --- catalogs ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", ["rubric", "gradebook", "expect"])
def test_catalogs_complete_and_sorted(domain: str) -> None:
    files = {lang: json.loads((LOCALES / lang / f"{domain}.json").read_text(encoding="utf-8")) for lang in LANGS}
    keys = [list(data) for data in files.values()]
    assert all(k == sorted(k) for k in keys)
    assert all(set(k) == set(keys[0]) for k in keys)
    for data in files.values():
        assert all(isinstance(v, str) and v.strip() for v in data.values())


def test_every_key_the_code_uses_exists() -> None:
    sources = [*(ROOT / "casekit" / "rubric").glob("*.py"), ROOT / "casekit" / "store" / "gradebook.py"]
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)
    used = set(re.findall(r"\"((?:rubric|gradebook|expect)\.[a-z_]+)\"", text)) - {"gradebook.sqlite"}
    used |= {f"rubric.state_{s}" for s in ("met", "not_yet_met", "awaiting_assessor", "error")}
    used |= {f"rubric.decision_{d}" for d in ("competent", "not_yet_competent", "awaiting_assessor")}
    used |= {"rubric.mark_met", "rubric.mark_not_yet_met"}
    used |= {f"expect.{k}" for k in ("nonempty", "rubric_element", "method_id", "known_check", "levels", "judged_by")}
    for lang in LANGS:
        catalog = {
            f"{domain}.{k}": v
            for domain in ("rubric", "gradebook", "expect")
            for k, v in json.loads((LOCALES / lang / f"{domain}.json").read_text(encoding="utf-8")).items()
        }
        assert used <= set(catalog), sorted(used - set(catalog))


def test_decision_names_in_both_languages() -> None:
    assert [t(f"rubric.decision_{d}", "zh-TW") for d in ("competent", "not_yet_competent", "awaiting_assessor")] == [
        "具備職能",
        "尚未具備職能",
        "待評量者判定",
    ]
    assert t("rubric.decision_not_yet_competent", "en") == "not yet competent"
