"""The case platform: the registry, a kind's declaration, answer upgrades, the case lifecycle, and a second kind
plugged in from outside the package (``tests/plugins/casekit_toy``, found through the ``casekit.cases`` entry
point) graded beside T4 in one ``casekit grade`` run, each with its own rubric and sections."""

from __future__ import annotations

import dataclasses
import html
import json
import shutil
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_casekit

from casekit.answers import AnswerSchema, dumps_answer, save_answer
from casekit.cases import CaseKind
from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.errors import AnswerError, NotFoundError, UsageError
from casekit.grading import grade_submission
from casekit.registry import CaseRegistry, registry
from casekit.store import Gradebook

PLUGINS = Path(__file__).parent / "plugins"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The toy plug-in, imported as another package would be (its folder on the path)."""
    monkeypatch.syspath_prepend(str(PLUGINS))
    import casekit_toy

    yield casekit_toy


@pytest.fixture
def kinds(toy: Any) -> CaseRegistry:
    """A registry with T4 and the toy kind registered explicitly (the shared one is left alone)."""
    own = CaseRegistry()
    own.register(T4)
    own.register(toy.KIND)
    return own


# --- the registry ------------------------------------------------------------------------------------------------


def test_the_shared_registry_holds_t4_and_refuses_what_it_cannot_hold() -> None:
    assert "T4" in registry and registry.get("T4") is T4
    with pytest.raises(NotFoundError, match="T4"):
        registry.get("T9")  # the message names the kinds there are
    own = CaseRegistry()
    own.register(T4)
    with pytest.raises(UsageError, match="T4"):
        own.register(T4)
    own.register(T4, replace=True)
    with pytest.raises(UsageError):
        own.register("T4")  # type: ignore[arg-type]


def test_entry_point_plug_ins_are_loaded_on_first_lookup(monkeypatch: pytest.MonkeyPatch, toy: Any) -> None:
    group = "casekit.cases"
    found = [
        metadata.EntryPoint("TOY", "casekit_toy:KIND", group),
        metadata.EntryPoint("BROKEN", "casekit_no_such_module:KIND", group),
        metadata.EntryPoint("T4", "casekit_toy:KIND", group),  # cannot replace a built-in
    ]
    monkeypatch.setattr(metadata, "entry_points", lambda group: found)
    own = CaseRegistry(entry_points=True)
    own.register(T4)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert own.ids() == ("T4", "TOY")
    assert own.get("T4") is T4 and own.get("TOY") is toy.KIND
    messages = " ".join(str(w.message) for w in caught)
    assert "casekit_no_such_module" in messages


def test_a_kind_declaration_reports_every_problem_at_once(toy: Any) -> None:
    with pytest.raises(UsageError) as info:
        dataclasses.replace(
            toy.KIND,
            id="toy",
            elements=("P3.1", "P9.9"),
            rubrics=(PLUGINS / "nope.yaml",),
            app="not a reference",
        )
    text = str(info.value)
    for part in ("id", "P9.9", "nope.yaml", "app", "answers.case"):
        assert part in text


def test_t4_declares_what_its_rubric_evidences() -> None:
    rubric = T4.load_rubric()
    assert set(rubric.elements) == set(T4.elements)
    assert T4.task == "T4" and rubric.case == "T4"
    assert T4.profiles is not None and set(T4.profiles.names) >= {"strong", "competent"}
    assert T4.notebook is not None and T4.notebook.is_file()


def test_checks_are_namespaced_per_kind(toy: Any) -> None:
    assert "quality_gated" in T4.checks and "quality_gated" not in toy.KIND.checks
    assert "weakest_team_named" in toy.KIND.checks and "weakest_team_named" not in T4.checks
    with pytest.raises(Exception, match="weakest_team_named"):
        T4.load_rubric(toy.KIND.rubric)  # the toy rubric names a check T4 does not have


# --- answers: schema versions and upgrades ------------------------------------------------------------------------


def _toy_doc(**changes: Any) -> dict[str, Any]:
    doc = {
        "schema": "casekit-answer",
        "schema_version": 2,
        "case": "TOY",
        "candidate_id": "toy-1",
        "org": "bank-cards",
        "seed": 5,
        "lang": "en",
        "weakest_team": "T01",
        "qa_target": 80.0,
    }
    doc.update(changes)
    return doc


def test_an_old_version_is_upgraded_explicitly(kinds: CaseRegistry) -> None:
    old = _toy_doc(schema_version=1, team="T03")
    del old["weakest_team"]
    doc = kinds.parse_answer(old, "old.json")
    assert doc.schema_version == 2 and doc.weakest_team == "T03"  # type: ignore[attr-defined]


def test_an_upgraded_document_that_is_still_invalid_names_the_file_and_versions(kinds: CaseRegistry) -> None:
    old = _toy_doc(schema_version=1, team="")
    del old["weakest_team"]
    with pytest.raises(AnswerError) as info:
        kinds.parse_answer(old, "old.json")
    (problem,) = info.value.problems
    assert problem.field == "weakest_team" and "old.json" in problem.file and "1 -> 2" in problem.file


def test_an_old_document_its_upgrade_cannot_read_is_a_problem_not_a_crash(kinds: CaseRegistry) -> None:
    old = _toy_doc(schema_version=1)  # a version-1 document without version 1's "team"
    with pytest.raises(AnswerError) as info:
        kinds.parse_answer(old, "old.json")
    text = info.value.render("en")
    assert "upgrades from schema_version 1 to 2" in text and "KeyError" in text


def test_a_version_with_no_way_up_is_refused_with_the_versions_readable(kinds: CaseRegistry) -> None:
    with pytest.raises(AnswerError) as info:
        kinds.parse_answer(_toy_doc(schema_version=7), "s.json")
    assert "(got 7)" in info.value.render("en") and "TOY (1, 2)" in info.value.render("en")


def test_a_schema_refuses_upgrades_past_its_version(toy: Any) -> None:
    with pytest.raises(UsageError):
        AnswerSchema("TOY", {2: toy.ToyAnswer}, upgrades={2: lambda d: d})
    with pytest.raises(UsageError):
        AnswerSchema("TOY", {})


# --- the case lifecycle ---------------------------------------------------------------------------------------------


def test_the_base_class_owns_save_and_resume(toy: Any, tmp_path: Path) -> None:
    case = toy.KIND.profiles.case("right", "bank-cards", 5, "toy-1", "en")
    path = case.save(tmp_path / "toy-1.json")
    again = toy.ToyCase.from_answer(toy.KIND.answers.read(json.loads(path.read_text()), str(path)))
    assert (again.weakest_team, again.qa_target, again.seed) == (case.weakest_team, case.qa_target, 5)
    case.weakest_team = ""
    with pytest.raises(AnswerError) as info:
        case.save(tmp_path / "bad.json")
    assert [p.field for p in info.value.problems] == ["weakest_team"]
    assert not (tmp_path / "bad.json").exists()


def test_an_unknown_profile_is_a_clear_error(toy: Any) -> None:
    with pytest.raises(UsageError, match="right, wrong_team"):
        toy.KIND.profiles.case("lazy", "bank-cards", 5, "toy-1", "en")


# --- grading the plug-in without a kernel ---------------------------------------------------------------------------


def test_the_toy_is_graded_on_what_its_answer_does_in_the_world(kinds: CaseRegistry, toy: Any, tmp_path: Path) -> None:
    outcomes = {}
    for profile in ("right", "wrong_team"):
        case = toy.KIND.profiles.case(profile, "bank-cards", 5, f"toy-{profile}", "en")
        graded = grade_submission(case.save(tmp_path / f"{profile}.json"), cases=kinds)
        outcomes[profile] = {c.id: c.state for c in graded.result.criteria}
        assert graded.kind is toy.KIND and graded.rubric.id == "TOY-qa"
        page = "".join(graded.evidence("en").parts)
        assert "<h3>1. Quality by team</h3>" in page and "<h3>2. Criteria and evidence</h3>" in page
    assert outcomes["right"] == {"TOY-C01": "met", "TOY-C02": "met"}
    assert outcomes["wrong_team"] == {"TOY-C01": "not_yet_met", "TOY-C02": "not_yet_met"}


# --- one casekit grade run over both kinds, the plug-in found through its entry point --------------------------------


def _toy_answers(folder: Path) -> None:
    import sys

    sys.path.insert(0, str(PLUGINS))
    try:
        import casekit_toy
    finally:
        sys.path.remove(str(PLUGINS))
    for profile in ("right", "wrong_team"):
        case = casekit_toy.KIND.profiles.case(profile, "bank-cards", 5, f"toy-{profile}", "zh-TW")
        case.save(folder / f"toy-{profile}.json")
    old = json.loads((folder / "toy-right.json").read_text(encoding="utf-8"))
    old.update(schema_version=1, team=old.pop("weakest_team"), candidate_id="toy-v1")
    (folder / "toy-v1.json").write_text(json.dumps(old), encoding="utf-8")


@pytest.mark.slow
def test_casekit_grade_grades_a_folder_of_two_kinds_in_one_run(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FIXTURES / "answers_t4_v1" / "v1-strong.json", subs / "t4-strong.json")
    _toy_answers(subs)
    out = tmp_path / "graded"
    env = {"PYTHONPATH": str(PLUGINS)}
    listed = run_casekit("cases", "--lang", "en", **env)
    assert listed.returncode == 0 and "TOY" in listed.stdout and "T4" in listed.stdout
    done = run_casekit("grade", str(subs), "--out", str(out), "--lang", "en", **env)
    assert done.returncode == 0, done.stderr
    results = {r["candidate_id"]: r for r in (json.loads(p.read_text()) for p in (out / "results").glob("*.json"))}
    assert set(results) == {"v1-strong", "toy-right", "toy-wrong_team", "toy-v1"}
    assert results["v1-strong"]["rubric"] == "T4-incentives" and results["toy-right"]["rubric"] == "TOY-qa"
    states = {cid: {c["id"]: c["state"] for c in r["criteria"]} for cid, r in results.items()}
    assert states["toy-right"] == states["toy-v1"] == {"TOY-C01": "met", "TOY-C02": "met"}
    assert states["toy-wrong_team"] == {"TOY-C01": "not_yet_met", "TOY-C02": "not_yet_met"}
    assert results["toy-right"]["decision"]["outcome"] == "competent"
    pages = {p.name: p.read_text(encoding="utf-8") for p in (out / "portfolios").glob("*.html")}
    toy_page = next(text for name, text in pages.items() if name.startswith("toy-right"))
    t4_page = next(text for name, text in pages.items() if name.startswith("t4-strong"))
    assert "Quality by team" in toy_page and "The incentive scheme" not in toy_page
    assert "The incentive scheme" in t4_page and "Quality by team" not in t4_page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "TOY" in index and "T4" in index and "TOY · competent · not counted" in index
    # the plan (the unit's, T4 only of the built kinds) does not count the toy case: shown, marked, not counted
    toy_unit = json.loads((out / "units" / "toy-right.json").read_text(encoding="utf-8"))
    assert [o["kind"] for o in toy_unit["outside_plan"]] == ["TOY"] and toy_unit[
        "evidence_outcome"
    ] == "not_yet_competent"
    assert 'id="ck-outside"' in (out / "units" / "toy-right.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_without_the_plug_in_its_answers_fail_alone_with_the_reason(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FIXTURES / "answers_t4_v1" / "v1-competent.json", subs / "t4.json")
    _toy_answers(subs)
    (subs / "toy-wrong_team.json").unlink()
    (subs / "toy-v1.json").unlink()
    done = run_casekit("grade", str(subs), "--out", str(tmp_path / "graded"), "--lang", "en")
    assert done.returncode == 1  # one failed, the batch went on
    assert "toy-right" in done.stderr and "v1-competent" in done.stdout
    page = next((tmp_path / "graded" / "portfolios").glob("toy-right*.html")).read_text(encoding="utf-8")
    assert "case: one of T1, T2, T3, T4, T5 (got 'TOY')" in html.unescape(page)  # the submission's evidence says why


def test_rubric_choices_name_a_kind_or_are_read_from_the_rubric(tmp_path: Path) -> None:
    from casekit.errors import RubricError
    from casekit.execution.batch import choose_rubrics

    rubric = ROOT / "rubrics" / "t4-incentives.yaml"
    assert choose_rubrics([str(rubric)]) == {"T4": rubric.resolve()}
    assert choose_rubrics([f"T4={rubric}"]) == {"T4": rubric.resolve()}
    with pytest.raises(UsageError, match="T4"):
        choose_rubrics([str(rubric), f"T4={rubric}"])
    caseless = tmp_path / "r.yaml"
    caseless.write_text("schema_version: 1\nid: x\n", encoding="utf-8")
    with pytest.raises(RubricError, match="case"):
        choose_rubrics([str(caseless)])


def test_a_rubric_of_another_kind_stops_the_batch_before_it_runs(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.json").write_text(dumps_answer(registry.load_answer(FIXTURES / "answers_t4_v1" / "v1-strong.json")))
    toy_rubric = PLUGINS / "casekit_toy" / "toy.yaml"
    done = run_casekit("grade", str(subs), "--out", str(tmp_path / "o"), "--rubric", f"T4={toy_rubric}", "--lang", "en")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "toy.yaml" in done.stderr
    assert not (tmp_path / "o" / "executed").exists() or not any((tmp_path / "o" / "executed").iterdir())


def test_save_answer_refuses_a_document_its_model_refuses(tmp_path: Path) -> None:
    doc = registry.load_answer(FIXTURES / "answers_t4_v1" / "v1-strong.json")
    broken = doc.model_copy(update={"seed": -1})  # model_copy does not validate; saving does
    with pytest.raises(AnswerError):
        save_answer(broken, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_kind_is_a_frozen_declaration() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        T4.id = "T5"  # type: ignore[misc]
    assert isinstance(T4, CaseKind)


def test_mark_finds_the_submission_whose_rubric_has_the_criterion(
    kinds: CaseRegistry, toy: Any, tmp_path: Path
) -> None:
    book = tmp_path / "gradebook.sqlite"
    t4 = tmp_path / "t4.json"
    t4.write_text(
        (FIXTURES / "answers_t4_v1" / "v1-strong.json").read_text().replace("v1-strong", "cand-9"), encoding="utf-8"
    )
    case = toy.KIND.profiles.case("right", "bank-cards", 5, "cand-9", "en")
    with Gradebook(book) as records:  # the parent records what grading found
        for path in (t4, case.save(tmp_path / "toy.json")):
            run = grade_submission(path, cases=kinds).run
            assert run is not None
            records.record_grading(run)

    def mark(*extra: str) -> Any:
        return run_casekit("mark", str(book), "cand-9", *extra, "--assessor", "A", "--reason", "seen", "--lang", "en")

    assert "cand-9/T4" in mark("T4-C11", "met").stdout  # only T4's rubric has T4-C11
    assert "cand-9/TOY" in mark("TOY-C01", "not_yet_met").stdout
    unknown = mark("X-C99", "met")
    assert unknown.returncode == 2 and "T4, TOY" in unknown.stderr and "--case" in unknown.stderr
    assert mark("T4-C12", "met", "--case", "T4").returncode == 0


def test_a_kind_opens_a_candidates_case_resumed_or_new_with_the_reason(toy: Any, tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    assert toy.KIND.open("bank-cards", 5, "c1", "en", path).status == "new"
    case = toy.KIND.profiles.case("right", "bank-cards", 5, "c1", "en")
    case.save(path)
    resumed = toy.KIND.open("bank-cards", 5, "c1", "zh-TW", path)
    assert resumed.status == "resumed" and resumed.case.weakest_team == case.weakest_team
    assert resumed.case.lang == "zh-TW"
    other = toy.KIND.open("bank-cards", 6, "c1", "en", path)
    assert other.status == "other" and other.found == {"org": "bank-cards", "seed": 5, "candidate": "c1"}
    assert other.case.weakest_team == ""
    path.write_text("{", encoding="utf-8")
    invalid = toy.KIND.open("bank-cards", 5, "c1", "en", path)
    assert invalid.status == "invalid" and invalid.problems is not None
    assert path.read_text(encoding="utf-8") == "{"  # left alone
