"""The SQLite gradebook: idempotent re-grading, append-only marks, resume, schema versions, two writers at once."""

from __future__ import annotations

import multiprocessing
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import rubric_fixtures as fx

from casekit.errors import CasekitError, GradebookError, UsageError
from casekit.rubric import decide, grade
from casekit.store import SCHEMA_VERSION, Gradebook, Submission

SUB = Submission("cand-001", "T4", fx.sha("answer v1"), seed=42, org="bank-cards")


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Gradebook]:
    with Gradebook(tmp_path / "gradebook.sqlite") as gradebook:
        yield gradebook


def _rows(book: Gradebook, table: str) -> int:
    with sqlite3.connect(book.path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_record_and_read_back(book: Gradebook) -> None:
    result = grade(fx.rubric(), fx.context())
    decision = book.record_result(SUB, result)
    assert decision == decide(result) and decision.outcome == "awaiting_assessor"
    assert book.results(SUB.key) == result
    assert book.decision(SUB.key) == decision
    assert book.submissions() == [SUB] and book.submission(SUB.key) == SUB
    assert book.results("cand-999/T4") is None and book.decision("cand-999/T4") is None


def test_is_graded_only_for_the_same_content(book: Gradebook) -> None:
    assert not book.is_graded(SUB.key, SUB.sha256)
    book.add_submission(SUB)
    assert not book.is_graded(SUB.key, SUB.sha256)  # registered is not graded
    book.record_result(SUB, grade(fx.rubric(), fx.context()))
    assert book.is_graded(SUB.key, SUB.sha256)
    assert not book.is_graded(SUB.key, fx.sha("answer v2"))
    assert not book.is_graded("cand-002/T4", SUB.sha256)


def test_marks_survive_re_grading(book: Gradebook) -> None:
    book.record_result(SUB, grade(fx.rubric(), fx.context()))
    first = fx.mark()
    moderation = fx.mark("T4-C02", "not_yet_met", assessor="moderator", time="2025-03-02T09:00:00+08:00")
    book.add_mark(SUB.key, first)
    book.add_mark(SUB.key, moderation)
    assert book.decision(SUB.key).outcome == "competent"  # type: ignore[union-attr]

    resubmitted = Submission(SUB.candidate_id, SUB.case, fx.sha("answer v2"), seed=42, org="bank-cards")
    book.record_result(resubmitted, grade(fx.rubric(), fx.context(fx.NO_REWARDS)))
    book.record_result(resubmitted, grade(fx.rubric(), fx.context(fx.NO_REWARDS)))  # idempotent

    assert book.marks(SUB.key) == [first, moderation]
    assert book.mark_history(SUB.key) == [first, moderation]
    assert _rows(book, "marks") == 2 and _rows(book, "auto_results") == 4 and _rows(book, "decisions") == 1
    results = book.results(SUB.key)
    assert results is not None
    assert results.criterion("T4-C03").state == "not_yet_met"  # the auto result was replaced
    assert results.criterion("T4-C04").state == "met"  # the mark still decides
    c02 = results.criterion("T4-C02")
    assert c02.state == "not_yet_met" and c02.auto is not None and c02.auto.state == "met"
    assert book.decision(SUB.key).outcome == "not_yet_competent"  # type: ignore[union-attr]
    assert book.is_graded(SUB.key, resubmitted.sha256) and not book.is_graded(SUB.key, SUB.sha256)
    with sqlite3.connect(book.path) as db:
        assert db.execute("SELECT runs FROM decisions").fetchone()[0] == 3


def test_marks_inside_a_result_are_not_recorded(book: Gradebook) -> None:
    book.record_result(SUB, grade(fx.rubric(), fx.context(), [fx.mark()]))
    assert book.marks(SUB.key) == [] and book.decision(SUB.key).outcome == "awaiting_assessor"  # type: ignore[union-attr]


def test_history_keeps_every_change(book: Gradebook) -> None:
    book.record_result(SUB, grade(fx.rubric(), fx.context()))
    changes = [
        fx.mark(result="met", time="2025-03-01T09:00:00+08:00", reason="first look"),
        fx.mark(result="not_yet_met", time="2025-03-01T10:00:00+08:00", reason="no link to duties"),
        fx.mark(result="met", time="2025-03-01T11:00:00+08:00", reason="link explained on questioning"),
    ]
    outcomes = []
    for change in changes:
        book.add_mark(SUB.key, change)
        outcomes.append(book.decision(SUB.key).outcome)  # type: ignore[union-attr]
    assert outcomes == ["competent", "not_yet_competent", "competent"]
    second = fx.mark(result="not_yet_met", assessor="moderator", time="2025-03-02T09:00:00+08:00", reason="re-check")
    book.add_mark(SUB.key, second)
    assert book.mark_history(SUB.key) == [*changes, second]
    assert book.mark_history(SUB.key, "T4-C02") == []
    assert book.marks(SUB.key) == [changes[-1], second]  # the latest of each assessor
    assert book.results(SUB.key).criterion("T4-C04").state == "not_yet_met"  # type: ignore[union-attr]
    assert book.decision(SUB.key).outcome == "not_yet_competent"  # type: ignore[union-attr]


def test_marks_cannot_be_rewritten_even_with_sql(book: Gradebook) -> None:
    book.add_submission(SUB)
    book.add_mark(SUB.key, fx.mark())
    with sqlite3.connect(book.path) as db:
        for statement in ("UPDATE marks SET result = 'not_yet_met'", "DELETE FROM marks"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
    assert book.mark_history(SUB.key) == [fx.mark()]


def test_mark_before_grading_counts_when_graded(book: Gradebook) -> None:
    book.add_submission(SUB)
    book.add_mark(SUB.key, fx.mark())
    assert book.decision(SUB.key) is None
    assert book.record_result(SUB, grade(fx.rubric(), fx.context())).outcome == "competent"


def test_bad_marks_and_submissions_are_refused(book: Gradebook) -> None:
    with pytest.raises(UsageError, match="cand-001/T4"):
        book.add_mark(SUB.key, fx.mark())  # no such submission yet
    book.record_result(SUB, grade(fx.rubric(), fx.context()))
    with pytest.raises(UsageError, match="T4-C99"):
        book.add_mark(SUB.key, fx.mark("T4-C99"))
    assert book.mark_history(SUB.key) == []  # the refused write left nothing behind
    with pytest.raises(UsageError):
        book.record_result(Submission("cand-002", "T5", SUB.sha256), grade(fx.rubric(), fx.context()))
    for fields in ({"sha256": "not-a-hash"}, {"candidate_id": ""}, {"case": "T4/x"}):
        with pytest.raises(UsageError):
            Submission(**{"candidate_id": "c", "case": "T4", "sha256": SUB.sha256, **fields})  # type: ignore[arg-type]


def test_wal_mode_and_schema_version(book: Gradebook) -> None:
    with sqlite3.connect(book.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    Gradebook(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(GradebookError, match="99") as info:
        Gradebook(path)
    assert isinstance(info.value, CasekitError)
    again = pickle.loads(pickle.dumps(info.value))
    assert type(again) is GradebookError and str(again) == str(info.value)


def test_files_that_are_not_gradebooks_are_refused(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("this is not a database, just text that is long enough to have a header\n" * 20)
    with pytest.raises(GradebookError, match=r"notes\.sqlite"):
        Gradebook(text)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE people (name TEXT)")
    with pytest.raises(GradebookError, match=r"other\.sqlite"):
        Gradebook(other)


def test_default_path_and_closing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with Gradebook() as book:
        book.add_submission(SUB)
    assert (tmp_path / "gradebook.sqlite").is_file()
    with pytest.raises(sqlite3.ProgrammingError):
        book.submissions()
    with Gradebook() as again:  # reopening an existing gradebook keeps its data
        assert again.submissions() == [SUB]


# --- two processes writing at once -------------------------------------------------------------------------------


def _record_twenty(path: str, worker: int, barrier: object, errors: object) -> None:
    """Spawned worker: grade and record 20 submissions (and mark each), as one batch process would."""
    try:
        barrier.wait()  # type: ignore[attr-defined]
        with Gradebook(path, timeout=600) as book:
            result = grade(fx.rubric(), fx.context())
            for i in range(20):
                submission = Submission(f"cand-{worker}-{i:02d}", "T4", fx.sha(f"{worker}-{i}"))
                book.record_result(submission, result)
                book.add_mark(submission.key, fx.mark(assessor=f"assessor-{worker}"))
    except BaseException as exc:
        errors.put(f"{type(exc).__name__}: {exc}")  # type: ignore[attr-defined]
        raise


def test_two_processes_write_the_same_gradebook(tmp_path: Path) -> None:
    path = str(tmp_path / "gradebook.sqlite")
    spawn = multiprocessing.get_context("spawn")
    barrier, errors = spawn.Barrier(2), spawn.Queue()
    workers = [spawn.Process(target=_record_twenty, args=(path, w, barrier, errors)) for w in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=1200)
    reported = []
    while not errors.empty():
        reported.append(errors.get())
    assert [w.exitcode for w in workers] == [0, 0], reported
    with Gradebook(path) as book:
        assert len(book.submissions()) == 40
        assert _rows(book, "decisions") == 40 and _rows(book, "marks") == 40 and _rows(book, "auto_results") == 160
        assert {book.decision(s.key).outcome for s in book.submissions()} == {"competent"}  # type: ignore[union-attr]


def test_a_lock_held_too_long_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.sqlite"
    Gradebook(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Gradebook(path, timeout=0.2) as book, pytest.raises(GradebookError, match=r"0\.2 "):
            book.add_submission(SUB)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
