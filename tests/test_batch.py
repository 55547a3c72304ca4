"""``casekit grade`` end to end: papermill executes the grading notebook per submission in a process pool.

One folder holds good submissions and broken ones (malformed JSON, a wrong schema version, a candidate id with
``../``) and one whose free text holds ``<script>``. The batch grades the good ones, records each failure with its
reason, exits 1, and a rerun skips what is graded and unchanged. An interrupted batch, resumed, grades every
submission once: no lost and no duplicated grade.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, offline, run_casekit

from casekit.cases.t4_incentives.profiles import build_case
from casekit.execution.batch import grade_folder
from casekit.execution.runner import sidecar_path

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert('pwned')</script>"


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("subs")
    strong = build_case("strong", "ecommerce-cs", 11, "cand-strong", "en")
    strong.save(folder / "cand-strong.json")
    flat = build_case("flat_rewards", "ecommerce-cs", 12, "cand-flat", "en")
    flat.justification = f"Equal pay for all. {SCRIPT}"
    flat.save(folder / "cand-flat.json")
    (folder / "broken.json").write_text('{"schema": "casekit-answer", "case": ', encoding="utf-8")
    doc = json.loads((folder / "cand-strong.json").read_text(encoding="utf-8"))
    old = {**doc, "schema_version": 99, "candidate_id": "cand-old"}  # its own candidate: not a duplicate claim
    (folder / "old-version.json").write_text(json.dumps(old), encoding="utf-8")
    (folder / "escape.json").write_text(json.dumps({**doc, "candidate_id": "../evil"}), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def graded(submissions: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object, object]:
    out = tmp_path_factory.mktemp("graded")
    first = run_casekit("grade", str(submissions), "--out", str(out), "--jobs", "2", "--lang", "en")
    second = run_casekit("grade", str(submissions), "--out", str(out), "--jobs", "2", "--lang", "en")
    return out, first, second


def test_batch_goes_on_and_reports_failures(graded) -> None:  # type: ignore[no-untyped-def]
    out, first, _ = graded
    assert first.returncode == 1, first.stderr
    assert "Traceback" not in first.stdout
    failed_lines = [line for line in first.stderr.splitlines() if line.startswith("failed: ")]
    assert len(failed_lines) == 3
    reasons = "\n".join(failed_lines)
    assert "AnswerError" in reasons
    assert "schema_version" in reasons and "candidate_id" in reasons and "line 1" in reasons
    results = sorted(p.name for p in (out / "results").iterdir())
    assert len(results) == 2
    docs = [json.loads((out / "results" / r).read_text(encoding="utf-8")) for r in results]
    outcomes = {d["candidate_id"]: d["decision"]["outcome"] for d in docs}
    # without an assessor's marks the strong candidate awaits the assessor; the flat one fails C04 already
    assert outcomes == {"cand-strong": "awaiting_assessor", "cand-flat": "not_yet_competent"}
    flat = next(d for d in docs if d["candidate_id"] == "cand-flat")
    assert {c["id"] for c in flat["criteria"] if c["state"] == "not_yet_met"} == {"T4-C04"}


def test_failed_submissions_still_leave_evidence(graded) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = graded
    pages = sorted(p.name for p in (out / "portfolios").iterdir())
    assert len(pages) == 5  # every submission, failed ones included, has its executed notebook as evidence
    index = (out / "index.html").read_text(encoding="utf-8")
    failed = index[index.index('id="ck-failed"') :]
    assert "grading failed" in failed and failed.count("<tr><td>") == 3  # the three that failed, each listed
    # a failed submission is listed and linked by its file key, never by its claimed id (its reason may quote it)
    assert 'href="../evil' not in index and "/evil" not in "".join(re.findall(r'href="([^"]*)"', index))


def test_candidate_free_text_is_escaped(graded) -> None:  # type: ignore[no-untyped-def]
    out, _, _ = graded
    page = next((out / "portfolios").glob("cand-flat*.html")).read_text(encoding="utf-8")
    assert SCRIPT not in page
    # shown as text (the exporter may write the quotes back as plain characters, which is safe in text)
    assert "&lt;script&gt;alert(" in page and "pwned" in page
    assert "<script" not in page.lower()


def _runs(db: sqlite3.Connection) -> list[tuple[str, int]]:
    """How many grading runs the gradebook holds per submission."""
    query = "SELECT submission_key, COUNT(*) FROM gradings WHERE event = 'graded' GROUP BY 1 ORDER BY 1"
    return [(str(k), int(n)) for k, n in db.execute(query)]


def test_rerun_skips_what_is_graded_and_unchanged(graded) -> None:  # type: ignore[no-untyped-def]
    out, _, second = graded
    assert second.returncode == 1
    assert "skipped (graded and unchanged) 2" in second.stdout
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        runs = dict(_runs(db))
    assert runs == {"cand-strong/T4": 1, "cand-flat/T4": 1}


def test_interrupted_batch_resumes_without_losing_or_duplicating(submissions: Path, tmp_path: Path) -> None:
    good = tmp_path / "subs"
    good.mkdir()
    for name in ("cand-strong.json", "cand-flat.json"):
        (good / name).write_bytes((submissions / name).read_bytes())
    extra = build_case("competent", "ecommerce-cs", 13, "cand-three", "en")
    extra.save(good / "cand-three.json")
    out = tmp_path / "out"
    seen: list[str] = []

    def stop_after_first(done: int, total: int, key: str, status: str) -> None:
        seen.append(key)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        grade_folder(good, out, jobs_n=1, lang="en", progress=stop_after_first)
    finished = [p for p in (out / "executed").glob("*.ipynb") if sidecar_path(p).is_file()]
    assert len(finished) == 1
    stamp = os.stat(finished[0]).st_mtime_ns

    outcomes = grade_folder(good, out, jobs_n=2, lang="en").outcomes
    assert sorted(o.status for o in outcomes) == ["ok", "ok", "skipped"]
    assert os.stat(finished[0]).st_mtime_ns == stamp  # the finished one was not executed again
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        rows = _runs(db)
    assert rows == [("cand-flat/T4", 1), ("cand-strong/T4", 1), ("cand-three/T4", 1)]  # one grading each, never two
    assert len(list((out / "results").glob("*.json"))) == 3


@pytest.mark.browser
def test_portfolio_renders_offline_in_chromium(graded) -> None:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    out, _, _ = graded
    page_path = next((out / "portfolios").glob("cand-strong*.html"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            refused = offline(page)
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            text = page.inner_text("body")
            charts = page.locator("svg.ck-chart").count()
            rows = page.locator("table.ck-table tr").count()
        finally:
            browser.close()
    assert refused == []
    for heading in ("1. The incentive scheme", "3. Effectiveness over three simulated months", "7. Decision"):
        assert heading in text
    assert charts >= 2 and rows > 20


def test_assessor_marks_survive_regrading_and_refresh_the_portfolio(submissions: Path, tmp_path: Path) -> None:
    good = tmp_path / "subs"
    good.mkdir()
    (good / "cand-strong.json").write_bytes((submissions / "cand-strong.json").read_bytes())
    out = tmp_path / "out"
    first = run_casekit("grade", str(good), "--out", str(out), "--lang", "en")
    assert first.returncode == 0, first.stderr
    book = str(out / "gradebook.sqlite")
    for criterion in ("T4-C11", "T4-C12", "T4-C13"):
        marked = run_casekit(
            "mark",
            book,
            "cand-strong",
            criterion,
            "met",
            "--assessor",
            "Lin",
            "--reason",
            "clear and specific",
            "--lang",
            "en",
        )
        assert marked.returncode == 0, marked.stderr
    assert "decision now: competent" in marked.stdout
    second = run_casekit("mark", book, "cand-strong", "T4-C12", "not_yet_met", "--assessor", "Chen", "--reason", "no")
    assert second.returncode == 2 and "casekit moderate" in second.stderr  # a second opinion is a moderator's
    opinion = "second opinion: no improvement proposed"
    moderate = ("moderate", book, "cand-strong", "T4-C12")
    disagreed = run_casekit(*moderate, "disagree", "--moderator", "Chen", "--reason", opinion, "--lang", "en")
    assert disagreed.returncode == 0, disagreed.stderr
    assert "awaiting moderation" in disagreed.stdout
    resolved = run_casekit(
        *moderate, "resolve", "--outcome", "overturned", "--moderator", "Chen", "--reason", opinion, "--lang", "en"
    )
    assert "not yet competent" in resolved.stdout
    regraded = run_casekit("grade", str(good), "--out", str(out), "--lang", "en")
    assert "graded 1, skipped (graded and unchanged) 0" in regraded.stdout  # new records make the page stale
    result = json.loads(next((out / "results").glob("*.json")).read_text(encoding="utf-8"))
    assert result["decision"]["outcome"] == "not_yet_competent"
    c12 = next(c for c in result["criteria"] if c["id"] == "T4-C12")
    assert [m["assessor"] for m in c12["marks"]] == ["Lin"] and c12["state"] == "not_yet_met"
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        assert db.execute("SELECT COUNT(*) FROM marks").fetchone()[0] == 3
        assert db.execute("SELECT COUNT(*) FROM moderations").fetchone()[0] == 2
    page = next((out / "portfolios").glob("*.html")).read_text(encoding="utf-8")
    assert "second opinion: no improvement proposed" in page
    bad = run_casekit("mark", book, "nobody", "T4-C11", "met", "--assessor", "x", "--reason", "y", "--lang", "en")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
