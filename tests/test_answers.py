"""Answer documents: validated on save and on load; a bad document names the field, what was expected and got."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from casekit.answers import dumps_answer, save_answer
from casekit.cases.t4_incentives.answer import T4Answer
from casekit.errors import AnswerError, CasekitError
from casekit.registry import registry

FIXTURES = Path(__file__).parent / "fixtures"


def _doc(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "schema": "casekit-answer",
        "schema_version": 1,
        "case": "T4",
        "candidate_id": "c-001",
        "org": "bank-cards",
        "seed": 7,
        "lang": "en",
        "scheme": json.loads((FIXTURES / "scheme_balanced.json").read_text()),
        "justification": "because",
        "discussion": "",
    }
    doc.update(changes)
    return doc


def test_round_trip_is_byte_stable(tmp_path: Path) -> None:
    answer = registry.parse_answer(_doc(), "x.json")
    assert isinstance(answer, T4Answer)
    path = save_answer(answer, tmp_path / "a" / "c-001.json")
    again = registry.load_answer(path)
    assert dumps_answer(again) == path.read_text(encoding="utf-8")
    assert [p.name for p in path.parent.iterdir()] == ["c-001.json"]  # no temporary file left behind


@pytest.mark.parametrize(
    ("changes", "field", "got"),
    [
        ({"candidate_id": "../evil"}, "candidate_id", "'../evil'"),
        ({"candidate_id": "a/b"}, "candidate_id", "'a/b'"),
        ({"seed": -1}, "seed", "-1"),
        ({"lang": "fr"}, "lang", "'fr'"),
        ({"extra": 1}, "extra", "1"),
        ({"justification": 5}, "justification", "5"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, object], field: str, got: str) -> None:
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(_doc(**changes), "sub.json")
    (problem,) = [p for p in info.value.problems if p.field == field]
    assert problem.file == "sub.json" and problem.got == got
    assert info.value.render("en").startswith(f"sub.json: {field}: ")


def test_every_problem_at_once() -> None:
    doc = _doc(candidate_id="../x", seed="seven")
    doc["scheme"]["components"][0]["type"] = "bogus"  # type: ignore[index]
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(doc, "s.json")
    fields = {p.field for p in info.value.problems}
    assert {"candidate_id", "seed", "scheme.components[0].type"} <= fields


def test_wrong_schema_version_is_refused_clearly() -> None:
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(_doc(schema_version=3), "s.json")
    text = info.value.render("en")
    assert "schema_version" in text and "(got 3)" in text and "T4 (1, 2)" in text


def test_unknown_case_and_missing_marker() -> None:
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(_doc(case="T9", schema="something"), "s.json")
    fields = [p.field for p in info.value.problems]
    assert fields == ["schema", "case"]


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "casekit-answer",\n  "case": T4}', encoding="utf-8")
    with pytest.raises(AnswerError) as info:
        registry.load_answer(bad)
    (problem,) = info.value.problems
    assert problem.field == "line 2, column 11" and problem.file == str(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AnswerError) as info:
        registry.load_answer(tmp_path / "nope.json")
    assert isinstance(info.value, CasekitError) and isinstance(info.value, ValueError)


def test_error_pickles() -> None:
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(_doc(seed=-3), "s.json")
    again = pickle.loads(pickle.dumps(info.value))
    assert again.problems == info.value.problems
