"""The T1 case's answer document: saved and resumed whole, every cross-field problem named at once, and the
evidence sections render it with the candidate's text escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casekit.answers import load_answer
from casekit.cases.t1_recruitment.kind import KIND
from casekit.cases.t1_recruitment.profiles import build_case
from casekit.errors import AnswerError
from casekit.rubric import decide, run_checks
from casekit.scenario import World, world_for


@pytest.fixture(scope="module")
def world() -> World:
    return world_for("ecommerce-cs", 5)


def test_saved_answer_resumes_to_the_same_document(world: World, tmp_path: Path) -> None:
    case = build_case("strong", "ecommerce-cs", 5, "c-1", "en", world=world)
    path = case.save(tmp_path / "c-1.json")
    doc = load_answer(path, {"T1": KIND.answers})
    again = KIND.case.from_answer(doc, world=world)
    assert again.to_answer() == case.to_answer()
    assert all(item.done for item in case.checklist())


def test_cross_field_problems_are_all_named(world: World, tmp_path: Path) -> None:
    data = json.loads(
        build_case("strong", "ecommerce-cs", 5, "c-2", "en", world=world).to_answer().model_dump_json(by_alias=True)
    )
    data["job"]["skills"]["telepathy"] = 2
    data["job"]["pay_min"], data["job"]["pay_max"] = 50000, 30000
    data["drivers"].append({"factor": "bad_luck", "scope": "all"})
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(AnswerError) as info:
        load_answer(path, {"T1": KIND.answers})
    text = info.value.render("en")
    for field in ("job.skills.telepathy", "job.pay_min", "drivers."):
        assert field in text


def test_evidence_sections_escape_the_candidates_text(world: World) -> None:
    case = build_case("strong", "ecommerce-cs", 5, "c-3", "en", world=world)
    case.justification = "<script>alert(1)</script>"
    assert case.job is not None
    case.set_job(case.job.model_copy(update={"title": "<b>boss</b>"}))
    answer = case.to_answer()
    context = KIND.grading_context(answer, world)
    result = run_checks(KIND.load_rubric(), context, registry=KIND.checks)

    class Graded:
        def __init__(self) -> None:
            self.answer, self.world, self.rubric, self.result = answer, world, KIND.load_rubric(), result
            self.decision, self.sha256, self.context, self.cache = decide(result), "0" * 64, context, {}

    for lang in ("en", "zh-TW"):
        html = "".join(s.render(Graded(), lang) for s in KIND.sections)  # type: ignore[arg-type]
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "<b>boss</b>" not in html
