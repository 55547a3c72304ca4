"""``casekit demo`` end to end, as an assessor opens what it wrote: a plan, a roster, the simulated cohort graded
through ``casekit grade --roster``, a moderator who disagrees on two criteria (one upheld, one overturned), one
resubmission, sign-offs, unit results and pages, the moderation report with kappa, and the exports. Then the same
gradebook decided by the T4-only plan, and the roster refusing a peer's copied answer in ``casekit grade``."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import run_casekit

from casekit.standard import load_standard

pytestmark = pytest.mark.slow

STRONG = "demo-01-strong"
COMPETENT = "demo-02-competent"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "out"
    done = run_casekit("demo", "--out", str(out), "--jobs", "2", "--lang", "en")
    assert done.returncode == 0, done.stderr
    return out


def _units(root: Path) -> dict[str, dict[str, Any]]:
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in (root / "units").glob("*.json")]
    return {d["candidate_id"]: d for d in docs}


def _candidates(root: Path) -> list[str]:
    with (root / "candidates.csv").open(encoding="utf-8", newline="") as f:
        return [row["candidate_id"] for row in csv.DictReader(f)]


def _indicators_and_evidence() -> set[str]:
    return {e.id for e in load_standard().elements if e.id[0] in "PE"}


def test_every_candidate_has_a_unit_result_honestly_not_yet_competent(demo: Path) -> None:
    units = _units(demo)
    assert sorted(units) == sorted(_candidates(demo)) and len(units) >= 7
    required = _indicators_and_evidence()
    for cid, doc in units.items():
        assert doc["schema"] == "casekit-unit-result"
        assert (demo / "units" / f"{cid}.html").is_file()
        # The plan's cases exist but not questioning (M3) or third-party reports (M1): every candidate, the strong
        # one included, is not yet competent for the unit ...
        assert doc["outcome"] == "not_yet_competent", cid
        assert set(doc["coverage"]) >= required
        covered = {e for e, cells in doc["coverage"].items() if any(c["state"] == "met" for c in cells)}
        # ... and the reasons name exactly what no met criterion covers (E5, which questioning evidences, is
        # nobody's yet)
        uncovered = required - covered
        assert "E5" in uncovered
        assert sorted(doc["uncovered"]) == sorted(set(doc["required"]) - covered)
        text = " ".join(r["text"] for r in doc["reasons"])
        for element in uncovered:
            assert element in text, (cid, element)
        for cells in doc["coverage"].values():
            for cell in cells:
                assert {"criterion", "method"} <= set(cell), cell
    # the strong candidate's cases are competent but where the moderator overturned an assessor's judgement in the
    # seeded second-marking sample: every automatic criterion is met, and the unit fails on coverage alone
    strong = units[STRONG]
    overturned = {m["criterion_id"] for m in strong["moderation"] if m.get("outcome") == "overturned"}
    assert {c["kind"] for c in strong["components"]} == {"T1", "T2", "T3", "T4", "T5"}
    for component in strong["components"]:
        not_met = {c["id"] for c in component["criteria"] if c["state"] != "met"}
        assert not_met <= overturned, component["kind"]
        assert component["decision"]["outcome"] == ("not_yet_competent" if not_met else "competent")
    covered = {e for e, cells in strong["coverage"].items() if any(c["state"] == "met" for c in cells)}
    every_task = {"P1.1", "P1.2", "E2", "P2.1", "P2.2", "P2.3", "P2.4", "E3", "P3.1", "P3.2", "P3.3", "E1"}
    assert every_task | {"P4.1", "P4.2", "P4.3", "P4.4", "P5.1", "P5.2", "E4"} <= covered
    assert set(strong["uncovered"]) == {"E5", "M1", "M3"}  # what questioning and third-party reports will bring


def test_the_resubmission_keeps_attempt_one(demo: Path) -> None:
    # the last candidate resubmits the plan's last case (the demo's cohort ends with it); the others keep one attempt
    last = _candidates(demo)[-1]
    components = _units(demo)[last]["components"]
    (again,) = [c for c in components if len(c["attempts"]) > 1]
    assert again["kind"] == components[-1]["kind"] == "T5"
    assert [a["n"] for a in again["attempts"]] == [1, 2]
    assert again["graded"]["attempt"] == 2 and again["attempts"][0]["sha256"] != again["attempts"][1]["sha256"]


def test_moderation_disagreements_are_resolved_both_ways_and_kappa_reported(demo: Path) -> None:
    report = json.loads((demo / "moderation.json").read_text(encoding="utf-8"))
    overall = report["agreement"][-1]
    assert overall["criterion_id"] is None and overall["n"] == len(report["pairs"]) > 0
    assert overall["kappa"] is not None and overall["percent"] < 100 and overall["band"]
    assert len(report["sample"]["submissions"]) >= 5
    trail = [m for doc in _units(demo).values() for m in doc["moderation"]]
    outcomes = {m.get("outcome") for m in trail if m["action"] == "resolve"}
    assert outcomes == {"upheld", "overturned"}


def test_settled_decisions_are_signed_by_both_roles(demo: Path) -> None:
    for cid, doc in _units(demo).items():
        valid = {s["role"] for s in doc["signoffs"] if s["valid"]}
        assert valid == {"assessor", "moderator"}, cid


def test_the_exports_open_back(demo: Path) -> None:
    import openpyxl

    book = openpyxl.load_workbook(demo / "export.xlsx", read_only=True)
    assert len(book.sheetnames) >= 3
    cells = {str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert STRONG in cells
    text = (demo / "export-pseudonymised.csv").read_text(encoding="utf-8")
    assert text.count("\n") > 7
    for cid in _candidates(demo):
        assert cid not in text


def test_the_index_has_one_row_per_candidate(demo: Path) -> None:
    html = (demo / "index.html").read_text(encoding="utf-8")
    for cid in _candidates(demo):
        assert f'href="units/{cid}.html"' in html


def test_the_t4_only_plan_gives_the_strong_profile_competent(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(demo, copy)
    done = run_casekit("unit", str(copy), "--plan", "t4-only", "--lang", "en")
    assert done.returncode == 0, done.stderr
    units = _units(copy)
    assert units[STRONG]["outcome"] in ("competent", "awaiting_signoff")
    assert units[STRONG]["evidence_outcome"] == "competent"
    assert units[COMPETENT]["evidence_outcome"] == "competent"
    assert units[STRONG]["uncovered"] == [] and "P1.1" not in units[STRONG]["required"]


def test_grade_with_the_roster_refuses_a_peers_copied_answer(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    own = json.loads((demo / "submissions" / f"{STRONG}-t4.json").read_text(encoding="utf-8"))
    (folder / f"{STRONG}-t4.json").write_text(json.dumps(own, ensure_ascii=False), encoding="utf-8")
    copied = dict(own, candidate_id=COMPETENT)  # the strong answer, handed in under a peer's id
    (folder / f"{COMPETENT}-t4.json").write_text(json.dumps(copied, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "graded"
    done = run_casekit("grade", str(folder), "--out", str(out), "--roster", str(demo / "roster.json"), "--lang", "en")
    assert done.returncode == 1, done.stdout + done.stderr
    failed = json.loads((out / "failed.json").read_text(encoding="utf-8"))["failed"]
    assert [f["source"] for f in failed] == [f"{COMPETENT}-t4.json"]
    assert "roster assigned" in failed[0]["reason"] and str(own["seed"]) in failed[0]["reason"]
    assert not list((out / "results").glob(f"{COMPETENT}-t4*.json"))
    results = [json.loads(p.read_text(encoding="utf-8")) for p in (out / "results").glob("*.json")]
    assert [r["candidate_id"] for r in results] == [STRONG]
    page = next((out / "portfolios").glob(f"{STRONG}-t4*.html")).read_text(encoding="utf-8")
    # without the roster, the copy is graded, and its page says the assignment was not checked
    plain = tmp_path / "plain"
    again = run_casekit("grade", str(folder), "--out", str(plain), "--lang", "en")
    assert again.returncode == 0, again.stdout + again.stderr
    unchecked = next((plain / "portfolios").glob(f"{COMPETENT}-t4*.html")).read_text(encoding="utf-8")
    assert page != unchecked and "not checked" in unchecked and "not checked" not in page
