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
from casekit.grading import grade_submission
from casekit.registry import registry

FIXTURES = Path(__file__).parent / "fixtures" / "answers_t4_v1"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_v1_document_grades_as_it_did(name: str) -> None:
    path = FIXTURES / f"{name}.json"
    graded = grade_submission(path)
    assert isinstance(graded.answer, T4Answer) and graded.answer.schema_version == 1
    expected = EXPECTED[name]
    assert graded.decision.outcome == expected["decision"]
    got = {c.id: {"state": c.state, "evidence": json.loads(json.dumps(c.evidence))} for c in graded.result.criteria}
    assert got == expected["criteria"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_v1_document_reads_back_byte_for_byte(name: str) -> None:
    path = FIXTURES / f"{name}.json"
    assert dumps_answer(registry.load_answer(path)) == path.read_text(encoding="utf-8")
