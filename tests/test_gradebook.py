"""The SQLite gradebook: idempotent re-grading, append-only marks, resume, schema versions, two writers at once."""

from __future__ import annotations

import multiprocessing
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import rubric_fixtures as fx

from casekit.assessment.records import GradingRun, Moderation
from casekit.cohort.records import current_decision, current_result
from casekit.errors import CasekitError, GradebookError, UsageError
from casekit.rubric import CaseResult, decide, grade
from casekit.rubric.result import criterion_to_json
from casekit.store import SCHEMA_VERSION, Gradebook, Submission

SUB = Submission("cand-001", "T4", fx.sha("answer v1"), seed=42, org="bank-cards")


@pytest.fixture(autouse=True)
def _english() -> None:
    from casekit.i18n import set_lang

    set_lang("en")  # messages asserted on are in English; conftest restores the default after each test


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Gradebook]:
    with Gradebook(tmp_path / "gradebook.sqlite") as gradebook:
        yield gradebook


def _rows(book: Gradebook, table: str) -> int:
    with sqlite3.connect(book.path) as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def run_of(sub: Submission, result: CaseResult) -> GradingRun:
    """A grading run of ``sub``'s content finding ``result`` (as the grading kernel returns it)."""
    criteria = tuple(criterion_to_json(c) for c in result.criteria)
    return GradingRun(sub.candidate_id, sub.case, sub.sha256, result.rubric_id, fx.sha("rubric"), "test", criteria,
                      org=sub.org, seed=sub.seed)  # fmt: skip


def _current(book: Gradebook, key: str) -> CaseResult | None:
    found = current_result(book, key)
    return None if found is None else found[1]


def test_record_and_read_back(book: Gradebook) -> None:
    result = grade(fx.rubric(), fx.context())
    assert book.record_grading(run_of(SUB, result)) == 1
    assert _current(book, SUB.key) == result
    assert current_decision(book, SUB.key) == decide(result) and decide(result).outcome == "awaiting_assessor"
    assert book.submissions() == [SUB] and book.submission(SUB.key) == SUB
    assert _current(book, "cand-999/T4") is None and current_decision(book, "cand-999/T4") is None
    (run,) = book.gradings(SUB.key)
    assert (run.attempt, run.rubric_sha256, run.casekit_version) == (1, fx.sha("rubric"), "test")


def test_a_resubmission_is_a_new_attempt_and_earlier_ones_stay(book: Gradebook) -> None:
    result = grade(fx.rubric(), fx.context())
    assert book.record_grading(run_of(SUB, result)) == 1
    assert book.record_grading(run_of(SUB, result)) == 1  # the same run recorded again: the same attempt, once
    v2 = Submission(SUB.candidate_id, SUB.case, fx.sha("answer v2"), seed=42, org="bank-cards")
    assert book.record_grading(run_of(v2, grade(fx.rubric(), fx.context(fx.NO_REWARDS)))) == 2
    assert [(a.n, a.sha256) for a in book.attempts(SUB.key)] == [(1, SUB.sha256), (2, v2.sha256)]
    assert [r.attempt for r in book.gradings(SUB.key)] == [1, 2]
    assert book.submission(SUB.key) == v2
    assert book.record_grading(run_of(SUB, result)) == 1  # attempt 1's content again: a new run of attempt 1
    assert [r.attempt for r in book.gradings(SUB.key)] == [1, 2, 1] and book.submission(SUB.key) == SUB


def test_marks_are_bound_to_the_content_they_judged(book: Gradebook) -> None:
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context())))
    first = fx.mark()
    book.add_mark(SUB.key, first)
    assert current_decision(book, SUB.key).outcome == "competent"  # type: ignore[union-attr]
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context())))  # re-graded: the same content keeps it
    assert current_decision(book, SUB.key).outcome == "competent"  # type: ignore[union-attr]

    v2 = Submission(SUB.candidate_id, SUB.case, fx.sha("answer v2"), seed=42, org="bank-cards")
    book.record_grading(run_of(v2, grade(fx.rubric(), fx.context())))
    assert book.marks(SUB.key) == [] and book.mark_history(SUB.key) == [first]  # new content: not inherited
    assert _current(book, SUB.key).criterion("T4-C04").state == "awaiting_assessor"  # type: ignore[union-attr]
    assert book.carry_marks(SUB.key, "Lin", "the discussion is unchanged") == 1  # carried only by an explicit act
    (carried,) = book.marks(SUB.key)
    assert carried.result == "met" and "carried by Lin" in carried.reason and first.reason in carried.reason
    assert current_decision(book, SUB.key).outcome == "competent"  # type: ignore[union-attr]
    with pytest.raises(UsageError):
        Gradebook.carry_marks(book, "cand-002/T4", "Lin", "x")


def test_marks_inside_a_result_are_not_recorded(book: Gradebook) -> None:
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context(), [fx.mark()])))
    assert book.marks(SUB.key) == [] and current_decision(book, SUB.key).outcome == "awaiting_assessor"  # type: ignore[union-attr]


def test_history_keeps_every_change_and_one_assessor_decides(book: Gradebook) -> None:
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context())))
    changes = [
        fx.mark(result="met", time="2025-03-01T09:00:00+08:00", reason="first look"),
        fx.mark(result="not_yet_met", time="2025-03-01T10:00:00+08:00", reason="no link to duties"),
        fx.mark(result="met", time="2025-03-01T11:00:00+08:00", reason="link explained on questioning"),
    ]
    outcomes = []
    for change in changes:
        book.add_mark(SUB.key, change)
        outcomes.append(current_decision(book, SUB.key).outcome)  # type: ignore[union-attr]
    assert outcomes == ["competent", "not_yet_competent", "competent"]
    second = fx.mark(result="not_yet_met", assessor="another", time="2025-03-02T09:00:00+08:00", reason="re-check")
    with pytest.raises(UsageError, match="moderator"):
        book.add_mark(SUB.key, second)  # a second opinion is a moderator's, not a silent override
    assert book.mark_history(SUB.key) == changes
    assert book.mark_history(SUB.key, "T4-C02") == []
    assert book.assessor_of(SUB.key) == "assessor-a"


def test_moderation_states_and_resolution(book: Gradebook) -> None:
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context())))
    book.add_mark(SUB.key, fx.mark())
    assert current_decision(book, SUB.key).outcome == "competent"  # type: ignore[union-attr]

    def moderation(action: str, outcome: str = "", criterion: str = "T4-C04") -> Moderation:
        time = "2025-03-05T09:00:00+08:00"
        return Moderation(criterion, "Chen", action, f"{action} {outcome}", time, outcome=outcome)  # type: ignore[arg-type]

    book.add_moderation(SUB.key, moderation("agree", criterion="T4-C01"))
    book.add_moderation(SUB.key, moderation("disagree"))
    c04 = _current(book, SUB.key).criterion("T4-C04")  # type: ignore[union-attr]
    assert c04.state == "in_moderation" and "Chen" in c04.message("en")
    assert current_decision(book, SUB.key).outcome == "awaiting_moderation"  # type: ignore[union-attr]
    with pytest.raises(UsageError, match="resolve it first"):
        book.add_moderation(SUB.key, moderation("agree"))
    book.add_moderation(SUB.key, moderation("resolve", "overturned"))
    assert _current(book, SUB.key).criterion("T4-C04").state == "not_yet_met"  # type: ignore[union-attr]
    assert current_decision(book, SUB.key).outcome == "not_yet_competent"  # type: ignore[union-attr]
    book.add_moderation(SUB.key, moderation("disagree"))
    book.add_moderation(SUB.key, moderation("resolve", "upheld"))
    assert _current(book, SUB.key).criterion("T4-C04").state == "met"  # type: ignore[union-attr]
    with pytest.raises(UsageError, match="no open disagreement"):
        book.add_moderation(SUB.key, moderation("resolve", "upheld"))
    with pytest.raises(UsageError, match="one person, one role"):
        book.add_moderation(SUB.key, Moderation("T4-C04", "assessor-a", "agree", "me", "2025-03-06T09:00:00+08:00"))


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
    assert current_decision(book, SUB.key) is None
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context())))
    assert current_decision(book, SUB.key).outcome == "competent"  # type: ignore[union-attr]


def test_bad_marks_and_submissions_are_refused(book: Gradebook) -> None:
    with pytest.raises(UsageError, match="cand-001/T4"):
        book.add_mark(SUB.key, fx.mark())  # no such submission yet
    book.record_grading(run_of(SUB, grade(fx.rubric(), fx.context())))
    with pytest.raises(UsageError, match="T4-C99"):
        book.add_mark(SUB.key, fx.mark("T4-C99"))
    assert book.mark_history(SUB.key) == []  # the refused write left nothing behind
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
                book.record_grading(run_of(submission, result))
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
        assert _rows(book, "gradings") == 40 and _rows(book, "marks") == 40 and _rows(book, "attempts") == 40
        assert {current_decision(book, s.key).outcome for s in book.submissions()} == {"competent"}  # type: ignore[union-attr]
        from casekit.store.verify import verify_gradebook

        assert verify_gradebook(book) == []  # two writers, one unbroken chain


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
