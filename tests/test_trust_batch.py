"""Issue 7's batch-level faults, each through ``casekit grade`` (and ``casekit verify``) in a real subprocess: a
hostile entry is refused alone with its reason, the batch goes on, and every published file can be checked."""

from __future__ import annotations

import fcntl
import html
import json
import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURE_ANSWERS, run_casekit

pytestmark = pytest.mark.slow


def _answer(folder: Path, name: str, **changes: object) -> Path:
    doc = json.loads((FIXTURE_ANSWERS / "v1-competent.json").read_text(encoding="utf-8"))
    doc.update(changes)
    path = folder / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _grade(subs: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    done = run_casekit("grade", str(subs), "--out", str(out), "--lang", "en", *extra)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def _verify(out: Path) -> tuple[int, str]:
    done = run_casekit("verify", str(out), "--lang", "en")
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def _everything(out: Path) -> str:
    return "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in out.rglob("*") if p.is_file() and p.suffix != ".sqlite"
    )


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One good folder, graded once: two honest submissions."""
    subs = tmp_path_factory.mktemp("subs")
    _answer(subs, "a.json", candidate_id="cand-a")
    _answer(subs, "b.json", candidate_id="cand-b")
    out = tmp_path_factory.mktemp("out") / "graded"
    code, _, err = _grade(subs, out)
    assert code == 0, err
    return subs, out


@pytest.fixture
def copy(graded: tuple[Path, Path], tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    subs, out = graded
    mine = tmp_path / "graded"
    shutil.copytree(out, mine)
    yield subs, mine


# --- 1 and 3: hostile answers fail alone, and leak nothing ---------------------------------------------------------


def test_1_3_an_org_path_a_deep_document_and_a_bad_file_fail_alone(tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("db_password: hunter2-XYZ\n", encoding="utf-8")
    subs = tmp_path / "subs"
    subs.mkdir()
    _answer(subs, "good.json", candidate_id="cand-good")
    _answer(subs, "secret.json", candidate_id="cand-secret", org=str(secret))
    _answer(subs, "zero.json", candidate_id="cand-zero", org="/dev/zero")
    (subs / "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):  # and again: a rerun must not crash on the same files
        code, stdout, stderr = _grade(subs, out)
        assert code == 1
        assert "cand-good" in stdout and stdout.count("failed") + stderr.count("failed: ") >= 3
    assert "hunter2" not in stdout + stderr + _everything(out)
    assert "organisation casekit knows" in html.unescape(_everything(out / "portfolios"))
    assert "nested at most 64 levels" in html.unescape(_everything(out / "portfolios"))


# --- 2 and 14: a candidate's record cannot be overwritten, and never disagrees with the pages ----------------------


def test_2_14_a_second_document_for_a_candidate_is_held_and_withdraws_the_first(copy: tuple[Path, Path]) -> None:
    subs, out = copy
    mine = out.parent / "subs"
    shutil.copytree(subs, mine)
    _answer(mine, "a-again.json", candidate_id="cand-a", justification="another")
    code, _, stderr = _grade(mine, out)
    assert code == 1
    lines = [line for line in stderr.splitlines() if line.startswith("failed: ")]
    assert len(lines) == 2 and all("another T4 submission" in line for line in lines)
    assert any("a.json" in line for line in lines) and any("a-again.json" in line for line in lines)
    book = out / "gradebook.sqlite"
    with sqlite3.connect(book) as db:
        assert db.execute("SELECT status FROM submissions WHERE submission_key = 'cand-a/T4'").fetchone() == ("held",)
        assert db.execute(
            "SELECT event FROM gradings WHERE submission_key = 'cand-a/T4' ORDER BY grading_id DESC LIMIT 1"
        ).fetchone() == ("held",)
    assert not any((out / "results").glob("a-*.json"))  # no result stands for the held candidate
    mark = run_casekit("mark", str(book), "cand-a", "T4-C11", "met", "--assessor", "A", "--reason", "r", "--lang", "en")
    assert mark.returncode == 2 and "not graded" in mark.stderr
    assert _verify(out)[0] == 0


def test_14_a_failed_resubmission_withdraws_the_decision(copy: tuple[Path, Path]) -> None:
    subs, out = copy
    mine = out.parent / "subs"
    shutil.copytree(subs, mine)
    _answer(mine, "a.json", candidate_id="cand-a", seed=-1)  # the same file, now invalid
    code, _, stderr = _grade(mine, out)
    assert code == 1 and "seed" in stderr
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT status FROM submissions WHERE submission_key = 'cand-a/T4'").fetchone() == ("failed",)
        assert db.execute(
            "SELECT event FROM gradings WHERE submission_key = 'cand-a/T4' ORDER BY grading_id DESC LIMIT 1"
        ).fetchone() == ("failed",)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "grading failed" in index and len(list((out / "results").glob("*.json"))) == 1


# --- 5: casekit verify, and grade rechecking what it would skip -----------------------------------------------------


def test_5_an_untouched_folder_verifies_and_prints_its_seal(copy: tuple[Path, Path]) -> None:
    _, out = copy
    code, text = _verify(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert code == 0 and manifest["seal"] in text
    assert f'data-seal="{manifest["seal"]}"' in (out / "index.html").read_text(encoding="utf-8")


def test_5_an_edited_result_is_found_and_graded_again(copy: tuple[Path, Path]) -> None:
    subs, out = copy
    result = next((out / "results").glob("a-*.json"))
    doc = json.loads(result.read_text(encoding="utf-8"))
    doc["decision"]["outcome"] = "competent"
    result.write_text(json.dumps(doc), encoding="utf-8")
    code, text = _verify(out)
    assert code == 1 and f"results/{result.name}" in text
    code, stdout, stderr = _grade(subs, out)
    assert code == 0 and "graded again" in stderr and "graded 1, skipped (graded and unchanged) 1" in stdout
    assert json.loads(result.read_text(encoding="utf-8"))["decision"]["outcome"] != "competent"
    assert _verify(out)[0] == 0


def test_5_an_edited_page_and_index_are_found_and_published_again(copy: tuple[Path, Path]) -> None:
    subs, out = copy
    page = next((out / "portfolios").glob("b-*.html"))
    page.write_text(page.read_text(encoding="utf-8").replace("</body>", "<p>Competent</p></body>"), encoding="utf-8")
    index = out / "index.html"
    index.write_text(index.read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    code, text = _verify(out)
    assert code == 1 and f"portfolios/{page.name}" in text and "index.html" in text
    code, _, _ = _grade(subs, out)
    assert code == 0 and _verify(out)[0] == 0


def test_5_a_rewritten_mark_history_is_found_and_grading_refuses_it(copy: tuple[Path, Path]) -> None:
    subs, out = copy
    book = out / "gradebook.sqlite"
    marked = run_casekit(
        "mark", str(book), "cand-a", "T4-C11", "met", "--assessor", "Lin", "--reason", "ok", "--lang", "en"
    )
    assert marked.returncode == 0, marked.stderr
    assert _verify(out)[0] == 0  # a mark added since publication: the gradebook only grew
    with sqlite3.connect(book) as db:
        db.execute("DROP TRIGGER marks_no_update")
        db.execute("UPDATE marks SET result = 'not_yet_met'")
    code, text = _verify(out)
    assert code == 1 and "trigger marks_no_update" in text and "marks mark_id=1" in text
    code, _, stderr = _grade(subs, out)
    assert code == 2 and "does not verify" in stderr


# --- 9, 10, 17, 18: the folder, the lock, the size, the modes --------------------------------------------------------


def test_9_links_fifos_and_folders_are_refused_or_set_aside(tmp_path: Path, graded: tuple[Path, Path]) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    _answer(subs, "good.json", candidate_id="cand-good")
    (subs / "passwd.json").symlink_to("/etc/passwd")
    (subs / "other.json").symlink_to(graded[0] / "a.json")
    os.mkfifo(subs / "pipe.json")
    (subs / "folder.json").mkdir()
    (subs / "notes.txt").write_text("x", encoding="utf-8")
    code, stdout, stderr = _grade(subs, tmp_path / "out")
    assert code == 1 and "cand-good" in stdout
    for name, why in (("passwd.json", "symbolic link"), ("other.json", "symbolic link"), ("pipe.json", "not a regular"),
                      ("folder.json", "is a folder")):  # fmt: skip
        assert any(name in line and why in line for line in stderr.splitlines()), (name, stderr)
    assert "set aside: notes.txt" in stderr
    assert "root:" not in _everything(tmp_path / "out")


def test_10_a_second_batch_on_the_same_folder_is_refused(copy: tuple[Path, Path]) -> None:
    subs, out = copy
    with (out / ".casekit-grade.lock").open("a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        fh.write("4242")
        fh.flush()
        code, _, stderr = _grade(subs, out)
    assert code == 2 and "another casekit grade is writing" in stderr and "4242" in stderr


def test_17_an_oversize_submission_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    big = _answer(subs, "big.json", candidate_id="cand-big")
    doc = json.loads(big.read_text(encoding="utf-8"))
    doc["discussion"] = "x" * 6_000_000
    big.write_text(json.dumps(doc), encoding="utf-8")
    _answer(subs, "good.json", candidate_id="cand-good")
    code, _, stderr = _grade(subs, tmp_path / "out")
    assert code == 1 and "at most 5,000,000 bytes" in stderr
    assert not list((tmp_path / "out" / "executed").glob("big-*.ipynb"))  # no kernel read it
    code, _, stderr = _grade(subs, tmp_path / "out", "--max-size", "20000000")
    assert code == 1 and "discussion" in stderr  # now read, and refused for what it holds (over 20,000 characters)


def test_18_published_files_are_readable_by_the_assessors_sharing_the_folder(copy: tuple[Path, Path]) -> None:
    _, out = copy
    for path in [
        out / "index.html",
        out / "manifest.json",
        *(out / "results").iterdir(),
        *(out / "portfolios").iterdir(),
    ]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o044 == 0o044, (path, oct(mode))  # group and others may read (umask 022)
