"""Each step of a batch alone (discover -> route -> plan -> run -> publish -> index), without running a kernel, and
the evidence of a submission when one of its sections fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from casekit.cases.sections import Section
from casekit.errors import EvidenceError, UsageError
from casekit.execution.batch import DEFAULT_NOTEBOOK, GradeOutcome, discover, plan, publish, route, write_index
from casekit.execution.runner import BatchReport, JobResult
from casekit.grading import grade_submission, render_evidence
from casekit.registry import registry

FIXTURES = Path(__file__).parent / "fixtures" / "answers_t4_v1"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    subs = tmp_path / "subs"
    subs.mkdir()
    shutil.copy(FIXTURES / "v1-strong.json", subs / "a b.json")
    shutil.copy(FIXTURES / "v1-competent.json", subs / "a_b.json")  # sanitises like the one above
    (subs / "unknown-kind.json").write_text(json.dumps({"schema": "casekit-answer", "case": "T9"}), encoding="utf-8")
    (subs / "not-json.json").write_text("{", encoding="utf-8")
    (subs / "notes.txt").write_text("not a submission", encoding="utf-8")
    return subs


def test_discover_finds_answer_files_with_distinct_safe_keys(folder: Path) -> None:
    found, aside = discover(folder, "en")
    assert [f.source.name for f in found] == ["a b.json", "a_b.json", "not-json.json", "unknown-kind.json"]
    keys = [f.key for f in found]
    assert len(set(keys)) == 4 and all("/" not in k and " " not in k for k in keys)
    assert not any(f.refused for f in found)
    assert aside == ["notes.txt is not an answer document (*.json)"]


def test_discover_refuses_what_is_not_a_folder_of_submissions(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        discover(tmp_path / "missing")
    with pytest.raises(UsageError):
        discover(tmp_path)  # empty


def test_route_sends_each_submission_to_its_kind_and_rubric(folder: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    shutil.copy(registry.get("T4").rubric, mine)
    routed = {r.source.name: r for r in route(discover(folder)[0], {"T4": mine})}
    assert (routed["a b.json"].case, routed["a b.json"].rubric) == ("T4", mine)
    assert routed["a b.json"].candidate_id == "v1-strong"
    assert routed["unknown-kind.json"].case is None and routed["unknown-kind.json"].rubric is None
    assert routed["not-json.json"].case is None  # the grading notebook will report why, as its evidence
    default = {r.source.name: r for r in route(discover(folder)[0], {})}
    assert default["a_b.json"].rubric == registry.get("T4").rubric


def test_plan_fingerprints_what_makes_a_result_stale(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "out"
    routed = route(discover(folder)[0], {})
    jobs = {j.key: j for j in plan(routed, root, notebook=DEFAULT_NOTEBOOK, lang="en")}
    first = next(r for r in routed if r.source.name == "a b.json")
    job = jobs[first.key]
    assert job.input_path == DEFAULT_NOTEBOOK and job.output_path == Path("executed") / f"{first.key}.ipynb"
    assert job.parameters["rubric"] == str(registry.get("T4").rubric) and job.parameters["lang"] == "en"
    unknown = next(r for r in routed if r.source.name == "unknown-kind.json")
    assert jobs[unknown.key].parameters["rubric"] == ""
    # another rubric for the same submission is another fingerprint
    other = tmp_path / "other.yaml"
    other.write_text(registry.get("T4").rubric.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    again = {
        j.key: j for j in plan(route(discover(folder)[0], {"T4": other}), root, notebook=DEFAULT_NOTEBOOK, lang="en")
    }
    assert again[first.key].sha256 != job.sha256


def test_publish_and_index_keep_failures_visible_and_drop_stale_results(folder: Path, tmp_path: Path) -> None:
    root = tmp_path / "out"
    (root / "results").mkdir(parents=True)
    routed = route(discover(folder)[0], {})
    graded = routed[0]
    doc = {
        "candidate_id": "v1-strong",
        "case": "T4",
        "decision": {"outcome": "competent", "label": "Competent", "met": 1, "total": 1},
        "criteria": [{"id": "T4-C01", "state": "met"}],
    }
    (root / "results" / f"{graded.key}.json").write_text(json.dumps(doc), encoding="utf-8")
    stale = routed[1]
    (root / "results" / f"{stale.key}.json").write_text(json.dumps(doc), encoding="utf-8")
    results = [
        JobResult(graded.key, "ok"),
        *(JobResult(r.key, "failed", reason="error", ename="E") for r in routed[1:]),
    ]
    outcomes = publish(routed, BatchReport(tuple(results), 0.0), root, "en")
    assert [o.status for o in outcomes] == ["ok", "failed", "failed", "failed"]
    assert not (root / "results" / f"{stale.key}.json").exists()  # a failed resubmission has no result standing
    index = write_index(outcomes, root, "en").read_text(encoding="utf-8")
    failed = index[index.index('id="ck-failed"') :]
    assert "grading failed" in failed and all(r.key in failed for r in routed[1:]) and graded.key not in failed


def test_write_index_escapes_what_a_candidate_wrote(tmp_path: Path) -> None:
    # a failure's reason quotes what the candidate wrote
    outcome = GradeOutcome("k", tmp_path / "k.json", "failed", "candidate_id (got '<b>x</b>')", None, None, "T4")
    index = write_index([outcome], tmp_path, "en").read_text(encoding="utf-8")
    assert "<b>x</b>" not in index and "&lt;b&gt;x&lt;/b&gt;" in index


# --- evidence sections --------------------------------------------------------------------------------------------


def test_a_failing_section_is_shown_in_its_place_and_fails_the_run() -> None:
    graded = grade_submission(FIXTURES / "v1-strong.json")

    def broken(g: object, lang: str) -> str:
        raise KeyError("payouts")

    kind = graded.kind
    sections = (kind.sections[0], Section("broken", "t4evidence.h_review", broken), *kind.sections[1:])
    evidence = render_evidence(graded, sections, "en")
    page = "".join(evidence.parts)
    assert "could not be shown: KeyError" in page
    assert "The incentive scheme" in page and "Criteria and evidence" in page  # the others still shown
    with pytest.raises(EvidenceError, match="KeyError"):
        evidence.raise_for_errors()


def test_every_t4_section_renders_in_both_languages_without_a_kernel() -> None:
    graded = grade_submission(FIXTURES / "v1-strong.json")
    for lang in ("zh-TW", "en"):
        evidence = graded.evidence(lang)
        assert not evidence.errors
        assert len(evidence.parts) == 1 + len(graded.kind.sections) + 2  # header, sections, criteria, decision
    zh = "".join(graded.evidence("zh-TW").parts)
    assert "<h3>一、獎勵方案" in zh and "七、評量結果與理由" in zh


def test_route_refuses_an_unreadable_file_alone(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    found, _ = discover(folder, "en")
    victim = found[0].source
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self == victim:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "open", refuse)
    routed = route(found, {}, lang="en")
    assert "PermissionError" in routed[0].refused
    assert [r.refused for r in routed[1:]] == ["", "", ""]
