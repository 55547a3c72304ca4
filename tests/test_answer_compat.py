"""Answer documents saved before the case platform still load and grade the same (issue 6, point 9).

``tests/fixtures/answers_t4_v1`` holds T4 schema-v1 documents written by the code at commit 54f8276, with the
decision and each criterion's state and evidence they got then (see its README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casekit.answers import dumps_answer
from casekit.cases.t4_incentives.answer import T4Answer
from casekit.errors import AnswerError
from casekit.grading import grade_submission
from casekit.registry import registry

FIXTURES = Path(__file__).parent / "fixtures" / "answers_t4_v1"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_v1_document_grades_as_it_did(name: str) -> None:
    path = FIXTURES / f"{name}.json"
    graded = grade_submission(path)
    # read as the current schema (2), upgraded with no declaration: the upgrade cannot declare for the candidate
    assert isinstance(graded.answer, T4Answer) and graded.answer.schema_version == 2
    assert graded.answer.declaration is None
    expected = EXPECTED[name]
    assert graded.decision.outcome == expected["decision"]
    got = {c.id: {"state": c.state, "evidence": json.loads(json.dumps(c.evidence))} for c in graded.result.criteria}
    assert got == expected["criteria"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_v1_document_reads_back_as_v2_with_everything_else_unchanged(name: str) -> None:
    path = FIXTURES / f"{name}.json"
    upgraded = json.loads(dumps_answer(registry.load_answer(path)))
    original = json.loads(path.read_text(encoding="utf-8"))
    assert upgraded == original | {"schema_version": 2, "declaration": None}


def test_a_v1_document_validates_as_v1_first(tmp_path: Path) -> None:
    # a v1 document carrying a v2 field is told in v1's terms: its model has no declaration
    data = json.loads((FIXTURES / "v1-strong.json").read_text(encoding="utf-8"))
    data["declaration"] = {"agreed": True, "time": "2026-11-28T10:00:00+00:00"}
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(data, "v1.json")
    assert [p.field for p in info.value.problems] == ["declaration"]
