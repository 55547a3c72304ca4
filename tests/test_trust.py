"""Hostile and careless input refused alone, with a message naming what and where (issue 7). Numbered as the issue
numbers the faults; the batch-level ones run through ``casekit grade`` in tests/test_trust_batch.py."""

from __future__ import annotations

import json
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURE_ANSWERS, run_casekit

from casekit.answers import dumps_answer
from casekit.cases.t4_incentives.scheme import parse_scheme
from casekit.cohort.records import current_decision, current_result
from casekit.errors import AnswerError, GradebookError, NotFoundError, RubricError, ScenarioError, UsageError
from casekit.grading import grade_submission, result_document
from casekit.registry import registry
from casekit.rubric import AssessorMark
from casekit.scenario import build_world, load_spec, world_for
from casekit.scenario.spec import find_spec, parse_spec
from casekit.store import Gradebook, Submission
from casekit.store.connection import explain
from casekit.validation import got

STRONG = FIXTURE_ANSWERS / "v1-strong.json"


@pytest.fixture(autouse=True)
def _english() -> None:
    from casekit.i18n import set_lang

    set_lang("en")  # messages asserted on are in English; conftest restores the default after each test


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(STRONG.read_text(encoding="utf-8"))
    doc.update(changes)
    return doc


def _refused(data: Any) -> list[tuple[str, str]]:
    with pytest.raises(AnswerError) as info:
        registry.parse_answer(data, "a.json")
    return [(p.field, p.expected) for p in info.value.problems]


def _load_text(tmp_path: Path, text: str) -> AnswerError:
    path = tmp_path / "a.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnswerError) as info:
        registry.load_answer(path)
    return info.value


# --- 1. an answer names its organisation, never a path ------------------------------------------------------------


@pytest.mark.parametrize("org", ["/etc/passwd", "../scenarios/bank-cards.yaml", "bank-cards.yaml", "/dev/zero", "Bank"])
def test_1_org_is_a_registered_name_not_a_path(org: str) -> None:
    assert ("org", "expect.org_name") in _refused(_doc(org=org))


def test_1_the_grader_regenerates_worlds_by_name_only(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("db_password: hunter2-XYZ\n", encoding="utf-8")
    with pytest.raises(NotFoundError) as info:
        world_for(str(secret), 1)
    assert "hunter2" not in str(info.value)
    with pytest.raises(NotFoundError):
        world_for("no-such-org", 1)
    assert world_for("ecommerce-cs", 1).spec.name == "ecommerce-cs"


def test_1_a_spec_file_is_read_capped_and_regular_only(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_spec("/dev/zero")
    assert info.value.problems[0].expected == "expect.regular_file"
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 1_100_000, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_spec(big)
    assert info.value.problems[0].expected == "expect.size"


# --- 3. one bad file is refused alone: deep nesting, unreadable ---------------------------------------------------


def test_3_deeply_nested_json_is_a_problem_not_a_recursion_error(tmp_path: Path) -> None:
    error = _load_text(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert error.problems[0].expected == "expect.depth"
    error = _load_text(tmp_path, '{"a":' * 200 + "1" + "}" * 200)
    assert error.problems[0].expected == "expect.depth"


def test_3_an_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}", encoding="utf-8")
    real_open = Path.open

    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(AnswerError) as info:
        registry.load_answer(path)
    assert info.value.problems[0].expected == "expect.readable" and "PermissionError" in info.value.problems[0].got


# --- 4. specs cannot exhaust memory ---------------------------------------------------------------------------------


def _bomb(levels: int = 9) -> str:
    lines = ["schema_version: 1", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_4_a_yaml_alias_bomb_is_refused_at_once() -> None:
    started = time.process_time()
    with pytest.raises(ScenarioError) as info:
        parse_spec(_bomb(), "bomb.yaml")
    assert info.value.problems[0].expected == "expect.yaml_size"
    assert time.process_time() - started < 5  # CPU time, not wall clock: the bomb is never walked


def test_4_got_is_bounded_while_it_is_built() -> None:
    nested: list[Any] = ["x"]
    for _ in range(40):
        nested = [nested] * 9  # 9**40 leaves if walked
    started = time.process_time()
    assert len(got(nested)) <= 60 and len(got(list(range(10**6)))) <= 60
    assert time.process_time() - started < 1


def test_4_world_size_is_bounded() -> None:
    spec = load_spec(find_spec("ecommerce-cs"))
    for staff, days in ((10_000_000, 90), (2_001, 90), (2_000, 731), (2_000, 730)):
        with pytest.raises(UsageError):
            build_world(spec, 1, staff=staff, days=days)
    with pytest.raises(UsageError):
        build_world(spec, 2**63, staff=5, days=7)


# --- 5. tamper evidence in the gradebook ----------------------------------------------------------------------------


def _book(tmp_path: Path) -> Path:
    path = tmp_path / "gradebook.sqlite"
    run = grade_submission(STRONG).run
    assert run is not None
    with Gradebook(path) as book:
        book.record_grading(run)
        book.add_mark("v1-strong/T4", AssessorMark("T4-C11", "Lin", "met", "clear", "2026-11-28T10:00:00+00:00"))
        book.add_mark("v1-strong/T4", AssessorMark("T4-C12", "Lin", "met", "clear", "2026-11-28T10:05:00+00:00"))
    return path


def _verify(path: Path) -> list[str]:
    from casekit.store.verify import verify_gradebook

    with Gradebook(path) as book:
        return [d.render("en") for d in verify_gradebook(book)]


def test_5_an_untouched_gradebook_verifies(tmp_path: Path) -> None:
    assert _verify(_book(tmp_path)) == []


def test_5_a_dropped_trigger_and_a_rewritten_mark_are_found(tmp_path: Path) -> None:
    path = _book(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TRIGGER marks_no_update")
        db.execute("UPDATE marks SET result = 'not_yet_met' WHERE criterion_id = 'T4-C11'")
    found = " | ".join(_verify(path))
    assert "trigger marks_no_update" in found and "marks mark_id=1: this marks row was changed" in found


def test_5_a_deleted_mark_an_edited_grading_and_a_swapped_content_are_found(tmp_path: Path) -> None:
    path = _book(tmp_path)
    with sqlite3.connect(path) as db:
        for name in ("marks_no_delete", "gradings_no_update"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DELETE FROM marks WHERE mark_id = 1")
        db.execute("UPDATE gradings SET rubric_sha256 = ?", ("f" * 64,))
        db.execute("UPDATE submissions SET sha256 = ?", ("0" * 64,))
    found = " | ".join(_verify(path))
    assert "marks mark_id=2: the marks chain is broken" in found
    assert "trigger marks_no_delete" in found and "trigger gradings_no_update" in found
    assert "gradings grading_id=1: this gradings row was changed" in found
    assert "submission v1-strong/T4: its current content is not what its latest grading graded" in found


def test_5_a_forged_backdated_mark_is_refused_or_found(tmp_path: Path) -> None:
    path = _book(tmp_path)
    with Gradebook(path) as book, pytest.raises(UsageError, match="before a mark already recorded"):
        book.add_mark("v1-strong/T4", AssessorMark("T4-C13", "Lin", "met", "backdated", "2026-01-01T00:00:00+00:00"))
    with Gradebook(path) as book, pytest.raises(UsageError, match="later than the gradebook's clock"):
        book.add_mark("v1-strong/T4", AssessorMark("T4-C13", "Lin", "met", "future", "2099-01-01T00:00:00+00:00"))
    # inserted behind the gradebook's back, with a correctly recomputed chain: its date still gives it away
    from casekit.store.chain import append

    with sqlite3.connect(path) as db:
        content = db.execute("SELECT sha256 FROM submissions").fetchone()[0]
        row = {"submission_key": "v1-strong/T4", "content_sha256": content, "criterion_id": "T4-C13"}
        row |= {"assessor": "Lin", "result": "met", "reason": "forged", "time": "2026-01-01T00:00:00+00:00"}
        append(db, "marks", row | {"recorded_at": "2026-11-28T11:00:00+00:00"})
    assert any("mark_id=3: dated 2026-01-01" in line for line in _verify(path))


def test_5_a_version_1_gradebook_is_upgraded_and_verifies(tmp_path: Path) -> None:
    from casekit.store import schema

    path = tmp_path / "v1.sqlite"
    v1 = (Path(__file__).parent / "fixtures" / "gradebook_v1.sql").read_text(encoding="utf-8")
    with sqlite3.connect(path) as db:
        db.executescript(v1)
    with Gradebook(path) as book:
        assert current_decision(book, "c1/T4") is not None
        assert [m.reason for m in book.marks("c1/T4")] == ["first", "second"]  # kept, bound to the graded content
        assert book.status("c1/T4") == ("graded", "")
        assert [a.n for a in book.attempts("c1/T4")] == [1]
        found = current_result(book, "c1/T4")
        assert found is not None and found[1].criterion("T4-C11").state == "not_yet_met"  # the later mark decides
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert _verify(path) == []


# --- 6. NaN and Infinity ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_6_non_finite_numbers_are_refused_in_json(tmp_path: Path, number: str) -> None:
    text = STRONG.read_text(encoding="utf-8").replace(
        '"budget_per_period": ', f'"budget_per_period": {number}, "x": ', 1
    )
    assert _load_text(tmp_path, text).problems[0].expected == "expect.finite_number"


def test_6_non_finite_numbers_are_refused_by_the_models() -> None:
    from casekit.cases.t4_incentives.scheme import SchemeError

    scheme = _doc()["scheme"]
    scheme["components"][0]["pay"]["agent"] = float("nan")
    with pytest.raises(SchemeError) as info:
        parse_scheme(scheme)
    assert [p.expected for p in info.value.problems] == ["expect.finite_number"]
    reported = {**_doc()["reported"], "simulated_cost_total": float("inf")}
    assert ("reported.simulated_cost_total", "expect.finite_number") in _refused(_doc(reported=reported))
    with pytest.raises(RubricError):
        from casekit.rubric import parse_rubric

        text = (Path(__file__).parents[1] / "rubrics" / "t4-incentives.yaml").read_text(encoding="utf-8")
        parse_rubric(
            text.replace("{tolerance: 0.0}", "{tolerance: .nan}"), "r.yaml", registry=registry.get("T4").checks
        )


def test_6_results_are_strict_json_even_when_evidence_is_not_finite() -> None:
    graded = grade_submission(STRONG)
    text = json.dumps(result_document(graded, "en"), allow_nan=False)  # raises on NaN
    assert "NaN" not in text
    from casekit.rubric.engine import _plain

    assert _plain({"a": float("nan"), "b": [float("inf"), 1.0]}) == {"a": None, "b": [None, 1.0]}


# --- 7, 8, 13, 15: the answer document's own rules -------------------------------------------------------------------


def test_7_a_key_given_twice_is_refused_naming_it(tmp_path: Path) -> None:
    text = STRONG.read_text(encoding="utf-8").replace(
        '"candidate_id": "v1-strong"', '"candidate_id": "a", "candidate_id": "b"'
    )
    error = _load_text(tmp_path, text)
    assert error.problems[0].expected == "expect.unique_key" and "candidate_id" in error.problems[0].got


@pytest.mark.parametrize("cid", ["x\n", "x\r", " x", "x y", "a/b", "..", "é"])
def test_8_ids_are_matched_in_full(cid: str) -> None:
    assert ("candidate_id", "expect.safe_id") in _refused(_doc(candidate_id=cid))


def test_8_kind_ids_and_org_names_are_matched_in_full() -> None:
    import dataclasses

    from casekit.cases.t4_incentives.kind import KIND

    with pytest.raises(UsageError):
        dataclasses.replace(KIND, id="T4\n")
    assert ("org", "expect.org_name") in _refused(_doc(org="bank-cards\n"))


@pytest.mark.parametrize("seed", [str(2**63), "-1", "9" * 5000], ids=["2**63", "-1", "5000-digits"])
def test_13_seeds_are_bounded_and_named(tmp_path: Path, seed: str) -> None:
    text = STRONG.read_text(encoding="utf-8").replace('"seed": 3101', f'"seed": {seed}')
    error = _load_text(tmp_path, text)
    assert error.problems[0].field in ("seed", "")  # the model names seed; a 5000-digit number is refused on reading
    assert "Exceeds the limit" not in error.render("en")


@pytest.mark.parametrize(("field", "value"), [("seed", True), ("seed", "3101"), ("seed", 3101.0), ("org", 5)])
def test_15_answer_types_are_strict(field: str, value: Any) -> None:
    assert any(f == field for f, _ in _refused(_doc(**{field: value})))


# --- 11: control characters in names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["\x1b[2JLin", "Lin\n", "Lin\u202e", "Lin\x00"])
def test_11_names_with_control_characters_are_refused(name: str) -> None:
    with pytest.raises(UsageError, match="control characters"):
        AssessorMark("T4-C11", name, "met", "ok", "2026-11-28T10:00:00+00:00")


def test_11_a_reason_may_have_lines_but_no_escapes() -> None:
    AssessorMark("T4-C11", "Lin", "met", "line one\nline two\ttabbed", "2026-11-28T10:00:00+00:00")
    with pytest.raises(UsageError):
        AssessorMark("T4-C11", "Lin", "met", "\x1b]8;;http://x\x07link", "2026-11-28T10:00:00+00:00")


def test_11_the_cli_prints_control_characters_as_escapes(tmp_path: Path) -> None:
    from casekit.cli.base import terminal_safe

    assert terminal_safe("a\x1b[31mb\u202ec\n") == "a\\x1b[31mb\\u202ec\n"
    path = tmp_path / "a.json"
    path.write_text(json.dumps({**_doc(), "\x1b[31mevil": 1}), encoding="utf-8")
    done = run_casekit("answer", "embed", str(tmp_path / "nb.ipynb"), str(path), "--lang", "en")
    assert done.returncode == 2 and "\x1b" not in done.stderr and "\\x1b[31mevil" in done.stderr


# --- 12, 16: messages, never tracebacks -------------------------------------------------------------------------------


def test_12_sqlite_failures_say_what_happened() -> None:
    def failure(code: int, text: str) -> sqlite3.OperationalError:
        exc = sqlite3.OperationalError(text)
        exc.sqlite_errorcode = code  # type: ignore[attr-defined]
        return exc

    full = explain(Path("g.sqlite"), failure(13, "database or disk is full")).message
    assert "full" in full and "SQLite file" not in full
    assert "damaged" in explain(Path("g.sqlite"), failure(11, "database disk image is malformed")).message
    assert "not a gradebook" in explain(Path("g.sqlite"), failure(26, "file is not a database")).message


def test_12_a_damaged_gradebook_is_a_message(tmp_path: Path) -> None:
    path = _book(tmp_path)
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page after the schema: the tables' b-trees
    path.write_bytes(bytes(data))
    (tmp_path / "gradebook.sqlite-wal").unlink(missing_ok=True)
    done = run_casekit(
        "mark", str(path), "v1-strong", "T4-C13", "met", "--assessor", "A", "--reason", "r", "--lang", "en"
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    with pytest.raises(GradebookError), Gradebook(path) as book:
        book.submissions()
        book.mark_history("v1-strong/T4")
        book.gradings("v1-strong/T4")


def test_12_a_full_disk_while_writing_is_a_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import errno
    import os

    from nbformat import v4, write

    import casekit.atomic
    import casekit.cli
    from casekit.notebook_answers import embed_answer

    nb = tmp_path / "nb.ipynb"
    write(v4.new_notebook(), nb)
    embed_answer(nb, STRONG)

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(casekit.atomic.os, "fsync", full)
    out = tmp_path / "out"
    out.mkdir()
    code = casekit.cli.main(["answer", "extract", str(nb), "--out", str(out / "x.json"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "could not write" in err and "No space left on device" in err and "Traceback" not in err
    assert list(out.iterdir()) == []  # no temporary file left behind


def test_12_answer_files_that_cannot_be_written_or_read_are_messages(tmp_path: Path) -> None:
    from nbformat import v4, write

    nb = tmp_path / "nb.ipynb"
    write(v4.new_notebook(), nb)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 50_000 + "]" * 50_000, encoding="utf-8")
    digits = tmp_path / "digits.json"
    digits.write_text('{"seed": ' + "9" * 5000 + "}", encoding="utf-8")
    for bad in (deep, digits):
        done = run_casekit("answer", "embed", str(nb), str(bad), "--lang", "en")
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    embedded = run_casekit("answer", "embed", str(nb), str(STRONG), "--lang", "en")
    assert embedded.returncode == 0, embedded.stderr
    file_in_the_way = tmp_path / "file"
    file_in_the_way.write_text("x", encoding="utf-8")
    for out in (tmp_path, file_in_the_way / "a.json"):
        done = run_casekit("answer", "extract", str(nb), "--out", str(out), "--lang", "en")
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "could not write" in done.stderr


def test_16_usage_messages_say_what_is_wrong() -> None:
    jobs = run_casekit("grade", ".", "--out", "x", "--jobs", "0", "--lang", "en")
    assert jobs.returncode == 2 and "from 1 to 64" in jobs.stderr and "non-negative" not in jobs.stderr
    bogus = run_casekit("--bogus", "--lang", "en")
    assert bogus.returncode == 2 and "unrecognized arguments: --bogus" in bogus.stderr
    assert "required" not in bogus.stderr


# --- 18: one file-mode policy --------------------------------------------------------------------------------------


def test_18_files_casekit_writes_get_the_umask_mode(tmp_path: Path) -> None:
    import os

    from casekit.atomic import write_atomic

    old = os.umask(0o022)
    try:
        import casekit.atomic

        casekit.atomic.file_mode.cache_clear()
        write_atomic(tmp_path / "page.html", b"x")
        assert stat.S_IMODE((tmp_path / "page.html").stat().st_mode) == 0o644
    finally:
        os.umask(old)
        casekit.atomic.file_mode.cache_clear()


def test_a_submission_in_the_gradebook_claims_its_own_sha(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        Submission("c", "T4", "not-a-sha")
    current = tmp_path / "current.json"  # a current document reads back to exactly its bytes (its SHA is stable)
    current.write_text(dumps_answer(registry.load_answer(STRONG)), encoding="utf-8")
    assert dumps_answer(registry.load_answer(current)) == current.read_text(encoding="utf-8")
    assert registry.load_answer(current).schema_version == 2  # the v1 fixture was upgraded on reading
