"""The unit decision (issue 8): plan coverage, moderation, sign-off bound to the evidence, the authenticity
declaration, identical answers, and the unit result document, from a real gradebook of really graded answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import run_casekit

from casekit import assets
from casekit.assessment.plan import coverage, load_plan, parse_plan
from casekit.assessment.records import GradingRun, Moderation, SignOff
from casekit.assessment.unit import unit_reasons
from casekit.cases.t4_incentives.kind import KIND as T4
from casekit.cohort.unit import unit_decision, unit_document
from casekit.errors import PlanError, UsageError
from casekit.grading import grade_submission
from casekit.rubric import AssessorMark
from casekit.standard import load_standard
from casekit.store import Gradebook

FIXTURES = Path(__file__).parent / "fixtures" / "answers_t4_v1"
T4_ONLY = assets.plan("t4-only.yaml")
KEY = "cand-a/T4"
ASSESSOR_CRITERIA = ("T4-C11", "T4-C12", "T4-C13")


@pytest.fixture(autouse=True)
def _english() -> None:
    from casekit.i18n import set_lang

    set_lang("en")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GradingRun]:
    """Grading runs of real answers: a strong candidate (declared), a copy of it under another candidate's id
    and world, and a strong v1 document (no declaration)."""
    folder = tmp_path_factory.mktemp("answers")
    strong = T4.profiles.case("strong", "bank-cards", 7, "cand-a", "en").save(folder / "a.json")
    data = json.loads(strong.read_text(encoding="utf-8"))
    copied = folder / "b.json"
    copied.write_text(json.dumps(data | {"candidate_id": "cand-b", "seed": 8}), encoding="utf-8")
    out = {}
    for name, path in (("strong", strong), ("copy", copied), ("v1", FIXTURES / "v1-strong.json")):
        run = grade_submission(path).run
        assert run is not None
        out[name] = run
    return out


@pytest.fixture
def book(tmp_path: Path, runs: dict[str, GradingRun]) -> Iterator[Gradebook]:
    with Gradebook(tmp_path / "gradebook.sqlite") as b:
        b.record_grading(runs["strong"])
        yield b


def _mark_all(book: Gradebook, key: str = KEY, minute: int = 0) -> None:
    for i, criterion in enumerate(ASSESSOR_CRITERIA):
        book.add_mark(key, AssessorMark(criterion, "Lin", "met", "clear", f"2026-11-28T10:{minute + i:02d}:00+00:00"))


def _sign(book: Gradebook, role: str, who: str, digest: str, minute: int = 0) -> None:
    book.add_signoff(SignOff("cand-a", who, role, "valid, authentic, current, sufficient", digest,  # type: ignore[arg-type]
                             f"2026-11-28T12:{minute:02d}:00+00:00"))  # fmt: skip


def test_the_default_plan_lists_exactly_the_uncovered_elements(book: Gradebook) -> None:
    _mark_all(book)
    plan = load_plan()
    _inputs, d = unit_decision(book, plan, "cand-a")
    unit = load_standard()
    t4 = {"P4.1", "P4.2", "P4.3", "P4.4", "E1", "M2"}
    expected = [e.id for e in unit.elements if e.kind in ("indicator", "evidence", "method") and e.id not in t4]
    assert list(d.uncovered()) == expected  # cand-a has only a T4 result
    others = {"P1.1", "P1.2", "E2", "P2.1", "P2.2", "P2.3", "P2.4", "E3", "P3.1", "P3.2", "P3.3", "P5.1", "P5.2", "E4"}
    assert list(coverage(plan).uncovered()) == [e for e in expected if e not in others]  # the plan has T1-T3, T5
    assert d.evidence_outcome == "not_yet_competent" and d.outcome == "awaiting_signoff"
    reasons = unit_reasons(d.to_json(), "en")
    assert "performance indicator P2.1 is not covered by any met criterion" in reasons
    assert "assessment method M3 is not used by any met criterion" in reasons
    assert not any("P4.1" in r for r in reasons)  # what T4 covers is not a reason


def test_the_t4_only_plan_makes_the_strong_candidate_competent_once_signed(book: Gradebook) -> None:
    plan = load_plan(T4_ONLY)
    _inputs, before = unit_decision(book, plan, "cand-a")
    assert before.evidence_outcome == "awaiting_assessor"  # the written discussion awaits its assessor
    _mark_all(book)
    _inputs, d = unit_decision(book, plan, "cand-a")
    assert d.evidence_outcome == "competent" and d.outcome == "awaiting_signoff"
    _sign(book, "assessor", "Lin", d.digest)
    assert unit_decision(book, plan, "cand-a")[1].outcome == "awaiting_signoff"  # the moderator has not signed
    _sign(book, "moderator", "Chen", d.digest, 1)
    _inputs, signed = unit_decision(book, plan, "cand-a")
    assert signed.outcome == "competent" and signed.reasons == ()
    assert [s.valid for s in signed.signoffs] == [True, True]


def test_a_moderators_disagreement_holds_the_decision_until_resolved(book: Gradebook) -> None:
    plan = load_plan(T4_ONLY)
    _mark_all(book)
    disagree = Moderation("T4-C12", "Chen", "disagree", "no improvement is proposed", "2026-11-28T11:00:00+00:00")
    book.add_moderation(KEY, disagree)
    _inputs, held = unit_decision(book, plan, "cand-a")
    assert held.evidence_outcome == "awaiting_moderation"
    assert "T4-C12 is in moderation" in " ".join(unit_reasons(held.to_json(), "en"))
    with pytest.raises(UsageError):  # a second disagreement before the first is resolved
        book.add_moderation(KEY, disagree)
    resolve = Moderation("T4-C12", "Chen", "resolve", "agreed with Lin", "2026-11-28T11:10:00+00:00", outcome="upheld")
    book.add_moderation(KEY, resolve)
    assert unit_decision(book, plan, "cand-a")[1].evidence_outcome == "competent"


def test_an_overturned_judgement_counts_the_other_way(book: Gradebook) -> None:
    plan = load_plan(T4_ONLY)
    _mark_all(book)
    for action, outcome, minute in (("disagree", "", 0), ("resolve", "overturned", 5)):
        when = f"2026-11-28T11:0{minute}:00+00:00"
        record = Moderation("T4-C11", "Chen", action, "the rewards ignore the roles", when, outcome=outcome)  # type: ignore[arg-type]
        book.add_moderation(KEY, record)
    inputs, d = unit_decision(book, plan, "cand-a")
    c11 = inputs.components[0].result.criterion("T4-C11")  # type: ignore[union-attr]
    assert c11.state == "not_yet_met" and d.evidence_outcome == "not_yet_competent"


def test_a_sign_off_is_void_once_the_evidence_changes(book: Gradebook) -> None:
    plan = load_plan(T4_ONLY)
    _mark_all(book)
    _inputs, d = unit_decision(book, plan, "cand-a")
    _sign(book, "assessor", "Lin", d.digest)
    _sign(book, "moderator", "Chen", d.digest, 1)
    assert unit_decision(book, plan, "cand-a")[1].outcome == "competent"
    book.add_mark(
        KEY, AssessorMark("T4-C13", "Lin", "not_yet_met", "on reflection: no review date", "2026-11-28T13:00:00+00:00")
    )
    _inputs, after = unit_decision(book, plan, "cand-a")
    assert after.digest != d.digest
    assert [s.valid for s in after.signoffs] == [False, False]
    assert after.evidence_outcome == "not_yet_competent" and after.outcome == "awaiting_signoff"
    texts = unit_reasons(after.to_json(), "en")
    assert any("sign-off by Lin" in r and "void" in r for r in texts)
    doc = unit_document(*unit_decision(book, plan, "cand-a"), "en")
    assert [s["valid"] for s in doc["signoffs"]] == [False, False]  # kept, and shown as void


def test_the_signoff_command_refuses_what_still_awaits_and_binds_the_digest(book: Gradebook) -> None:
    path = str(book.path)
    book.close()
    plan = ("--plan", str(T4_ONLY), "--lang", "en")
    early = run_casekit(
        "signoff", path, "cand-a", "--assessor", "Lin", "--role", "assessor", "--statement", "ok", *plan
    )
    assert early.returncode == 2 and "nothing to sign" in early.stderr and "Traceback" not in early.stderr
    for criterion in ASSESSOR_CRITERIA:
        marked = run_casekit(
            "mark", path, "cand-a", criterion, "met", "--assessor", "Lin", "--reason", "clear", "--lang", "en"
        )
        assert marked.returncode == 0, marked.stderr
    signed = run_casekit(
        "signoff", path, "cand-a", "--assessor", "Lin", "--role", "assessor", "--statement", "ok", *plan
    )
    assert signed.returncode == 0, signed.stderr
    assert "awaiting sign-off" in signed.stdout  # the moderator's is still needed
    wrong = run_casekit(
        "signoff", path, "cand-a", "--assessor", "Lin", "--role", "moderator", "--statement", "x", *plan
    )
    assert wrong.returncode == 2  # an assessor does not moderate
    last = run_casekit("signoff", path, "cand-a", "--assessor", "Chen", "--role", "moderator", "--statement", "ok",
                       "--lang", "en")  # fmt: skip  # no --plan: the gradebook recorded it
    assert last.returncode == 0 and "unit decision now: competent" in last.stdout


def test_an_undeclared_answer_cannot_make_a_candidate_competent(tmp_path: Path, runs: dict[str, GradingRun]) -> None:
    plan = load_plan(T4_ONLY)
    with Gradebook(tmp_path / "g.sqlite") as book:
        book.record_grading(runs["v1"])  # a schema-1 answer: no declaration
        _mark_all(book, "v1-strong/T4")
        _inputs, d = unit_decision(book, plan, "v1-strong")
    assert d.evidence_outcome == "not_yet_competent"
    assert any("has not declared the answer their own work" in r for r in unit_reasons(d.to_json(), "en"))


def test_identical_answers_under_two_ids_are_flagged(book: Gradebook, runs: dict[str, GradingRun]) -> None:
    assert runs["copy"].body_sha256 == runs["strong"].body_sha256 and runs["copy"].sha256 != runs["strong"].sha256
    book.record_grading(runs["copy"])
    for candidate, other in (("cand-a", "cand-b"), ("cand-b", "cand-a")):
        inputs, d = unit_decision(book, load_plan(T4_ONLY), candidate)
        assert [f.key for f in d.flags] == ["unit.flag_identical"] and d.flags[0].params["others"] == other
    doc = unit_document(inputs, d, "en")
    assert "identical, apart from its header, to the answer of cand-a" in doc["flags"][0]["text"]


def test_an_answer_of_its_own_is_not_flagged(book: Gradebook, tmp_path: Path) -> None:
    other = T4.profiles.case("competent", "bank-cards", 9, "cand-c", "en").save(tmp_path / "c.json")
    run = grade_submission(other).run
    assert run is not None
    book.record_grading(run)
    assert unit_decision(book, load_plan(T4_ONLY), "cand-c")[1].flags == ()


def test_the_unit_document_says_what_covers_each_element(book: Gradebook) -> None:
    _mark_all(book)
    inputs, d = unit_decision(book, load_plan(), "cand-a")
    doc = unit_document(
        inputs, d, "zh-TW", pages={KEY: "../portfolios/a.html"}, generated_at="2026-11-28T10:00:00+00:00"
    )
    assert doc["schema"] == "casekit-unit-result" and doc["candidate_id"] == "cand-a"
    assert doc["outcome"] == "awaiting_signoff" and doc["evidence_outcome"] == "not_yet_competent"
    assert doc["coverage"]["P2.1"] == []
    cells = doc["coverage"]["P4.1"]
    assert {c["criterion"] for c in cells} == {"T4-C01", "T4-C02"} and {c["method"] for c in cells} == {"M2"}
    assert all(c["href"] == "../portfolios/a.html" and c["state"] == "met" for c in cells)
    assert doc["generated_local"] == "2026-11-28 18:00"  # Asia/Taipei
    (component,) = [c for c in doc["components"] if c["kind"] == "T4"]  # T1 is in the plan, not submitted
    assert [a["n"] for a in component["attempts"]] == [1] and component["graded"]["rubric_sha256"]
    assert doc["versions"]["rubrics"]["T4"]["sha256"] == component["graded"]["rubric_sha256"]
    assert all("unit." not in r["text"] for r in doc["reasons"])  # every reason rendered, in zh-TW
    json.dumps(doc, allow_nan=False)


def _plan_text(**changes: Any) -> str:
    base = {
        "schema_version": 1,
        "id": "p",
        "unit": "BGM4R0172v2",
        "title": {"zh-TW": "計畫", "en": "plan"},
        "components": [{"id": "T4", "kind": "T4", "method": "M2"}],
    }
    return json.dumps(base | changes)


def test_a_bad_plan_names_every_problem_at_once(tmp_path: Path) -> None:
    text = _plan_text(
        unit="XYZ",
        components=[
            {"id": "T4", "kind": "T9", "method": "M2"},
            {"id": "T4", "kind": "T4", "method": "M7"},
        ],
    )
    with pytest.raises(PlanError) as info:
        parse_plan(text, tmp_path / "bad.yaml")
    fields = [p.field for p in info.value.problems]
    assert sorted(fields) == ["components[0].kind", "components[1].id", "components[1].method", "unit"]
    rendered = info.value.render("en")
    assert "bad.yaml: components[1].method" in rendered and "M1, M2, M3" in rendered and "'M7'" in rendered


def test_plan_check_exits_1_while_something_is_uncovered() -> None:
    default = run_casekit("plan", "check", "--lang", "en")
    assert default.returncode == 1 and "E5, M1, M3" in default.stdout and "P5.1" not in default.stdout
    t4 = run_casekit("plan", "show", str(T4_ONLY), "--lang", "en")
    assert t4.returncode == 0 and "T4-C01 T4-C02" in t4.stdout
    missing = run_casekit("plan", "check", "no-such-plan.yaml", "--lang", "en")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
