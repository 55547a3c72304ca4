"""The cohort export (casekit.cohort.export): the criteria, decisions, marks and moderation tables from a real
gradebook of graded fixture answers, written as CSV and XLSX and read back, pseudonymised or not, in both
languages."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import FIXTURE_ANSWERS
from openpyxl.utils import get_column_letter

from casekit import assets
from casekit.assessment.plan import Plan, load_plan
from casekit.assessment.records import GradingRun, Moderation, SignOff
from casekit.assessment.unit import unit_reasons
from casekit.cohort.export import (
    CRITERIA_COLUMNS,
    DECISION_COLUMNS,
    MARK_COLUMNS,
    MODERATION_COLUMNS,
    PRIVATE_COLUMNS,
    Export,
    csv_cell,
    export,
    export_rows,
)
from casekit.cohort.records import current_result
from casekit.cohort.unit import unit_decision
from casekit.errors import UsageError, WriteError
from casekit.grading import grade_submission
from casekit.rubric import AssessorMark
from casekit.store import Gradebook

ASSESSOR = "林雅婷"
MODERATOR = "陳志明"
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
FORMULA = '=HYPERLINK("http://x","R-1003")'
KEY = b"k" * 32
OTHER_KEY = b"o" * 32
CANDIDATES = ("c-nosub", "v1-competent", "v1-handle-time-only", "v1-missed-anomalies", "v1-strong", "v1-twin")
NAMES = {"c-nosub": "王小明", "v1-strong": "李大華"}
#: What a pseudonymised export must not hold anywhere: ids, names, and a marker from every free text.
SECRETS = (*CANDIDATES, *NAMES.values(), ASSESSOR, MODERATOR, "HYPERLINK", "R-10", "R-20", "R-30", "M-40", "S-50")
SHEETS = {"criteria": CRITERIA_COLUMNS, "decisions": DECISION_COLUMNS, "marks": MARK_COLUMNS}
SHEETS |= {"moderation": MODERATION_COLUMNS}


def _at(hhmm: str) -> str:
    return f"2026-11-28T{hhmm}:00+00:00"


def _mark(criterion: str, result: Any, reason: str, hhmm: str) -> AssessorMark:
    return AssessorMark(criterion, ASSESSOR, result, reason, _at(hhmm))


def _moderation(criterion: str, action: Any, reason: str, hhmm: str, outcome: Any = "") -> Moderation:
    return Moderation(criterion, MODERATOR, action, reason, _at(hhmm), outcome=outcome)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(assets.plan("t4-only.yaml"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, GradingRun]:
    """The fixture answers graded for real, with a twin of v1-strong (same body, another candidate) and a
    resubmission of v1-missed-anomalies."""
    tmp = tmp_path_factory.mktemp("answers")
    paths = {f.stem: f for f in sorted(FIXTURE_ANSWERS.glob("v1-*.json"))}
    twin = json.loads(paths["v1-strong"].read_text(encoding="utf-8")) | {"candidate_id": "v1-twin"}
    revised = json.loads(paths["v1-missed-anomalies"].read_text(encoding="utf-8"))
    revised["discussion"] += " Revised after feedback."
    for name, doc in (("v1-twin", twin), ("revised", revised)):
        paths[name] = tmp / f"{name}.json"
        paths[name].write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    found = {}
    for name, path in paths.items():
        run = grade_submission(path).run
        assert run is not None
        found[name] = run
    return found


@pytest.fixture(scope="module")
def book_path(tmp_path_factory: pytest.TempPathFactory, runs: dict[str, GradingRun], plan: Plan) -> Path:
    path = tmp_path_factory.mktemp("book") / "gradebook.sqlite"
    with Gradebook(path, clock=lambda: NOW) as b:
        for name, run in runs.items():
            if name != "revised":
                b.record_grading(run)
        for candidate, name in NAMES.items():
            b.add_candidate(candidate, name)
        b.add_mark("v1-strong/T4", _mark("T4-C12", "not_yet_met", "初判 R-1001", "09:00"))
        b.add_mark("v1-strong/T4", _mark("T4-C11", "met", FORMULA, "10:00"))
        b.add_mark("v1-strong/T4", _mark("T4-C12", "met", "修正 R-1002", "10:05"))
        b.add_mark("v1-competent/T4", _mark("T4-C11", "met", "清楚 R-2001", "10:00"))
        b.add_mark("v1-missed-anomalies/T4", _mark("T4-C11", "not_yet_met", "缺漏 R-3001", "10:00"))
        assert b.record_grading(runs["revised"]) == 2
        b.add_mark("v1-missed-anomalies/T4", _mark("T4-C11", "met", "修正後 R-3002", "10:30"))
        b.add_moderation("v1-strong/T4", _moderation("T4-C11", "disagree", "理由不夠具體 M-4001", "11:00"))
        b.add_moderation("v1-strong/T4", _moderation("T4-C12", "agree", "同意評分 M-4002", "11:05"))
        b.add_moderation("v1-competent/T4", _moderation("T4-C11", "disagree", "證據不足 M-4003", "11:10"))
        b.add_moderation("v1-competent/T4", _moderation("T4-C11", "resolve", "推翻 M-4004", "11:20", "overturned"))
        digest = unit_decision(b, plan, "v1-handle-time-only")[1].digest
        b.add_signoff(SignOff("v1-handle-time-only", ASSESSOR, "assessor", "本人簽核 S-5001", digest, _at("12:00")))
    return path


@pytest.fixture
def book(book_path: Path) -> Iterator[Gradebook]:
    with Gradebook(book_path, clock=lambda: NOW) as b:
        yield b


def _read_csv(path: Path, columns: tuple[str, ...] = CRITERIA_COLUMNS) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        assert tuple(header) == columns
        return [dict(zip(header, row, strict=True)) for row in reader]


def _read_xlsx(path: Path) -> dict[str, list[dict[str, Any]]]:
    workbook = openpyxl.load_workbook(path)
    sheets = {}
    for ws in workbook.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        header = rows[0]
        sheets[ws.title] = [{h: ("" if v is None else v) for h, v in zip(header, row, strict=True)} for row in rows[1:]]
    return sheets


def _row(rows: list[dict[str, Any]], candidate: str, criterion: str) -> dict[str, Any]:
    (found,) = [r for r in rows if r["candidate_id"] == candidate and r["criterion_id"] == criterion]
    return found


def _current_states(book: Gradebook) -> dict[tuple[str, str], str]:
    """Every (candidate, criterion) of each submission's current result, with its state, computed here."""
    states = {}
    for sub in book.submissions():
        found = current_result(book, sub.key)
        assert found is not None
        states |= {(sub.candidate_id, c.id): c.state for c in found[1].criteria}
    return states


def _pseudonym(prefix: str, key: bytes, text: str) -> str:
    return prefix + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


# --- the rows --------------------------------------------------------------------------------------------------


def test_criteria_rows_are_the_current_results(book: Gradebook, plan: Plan) -> None:
    rows = export_rows(book, plan, "en").criteria.records()
    states = _current_states(book)
    assert len(states) == 5 * 13  # five graded candidates, thirteen T4 criteria each
    assert {(r["candidate_id"], r["criterion_id"]): r["state"] for r in rows} == states
    assert len(rows) == len(states)
    assert states[("v1-strong", "T4-C11")] == "in_moderation" and states[("v1-competent", "T4-C11")] == "not_yet_met"
    strong = _row(rows, "v1-strong", "T4-C12")
    assert (strong["mark_assessor"], strong["mark_result"], strong["mark_reason"]) == (ASSESSOR, "met", "修正 R-1002")
    assert strong["moderation"] == "agreed" and strong["mark_time"] == _at("10:05")
    assert _row(rows, "v1-competent", "T4-C11")["moderation"] == "overturned"
    untouched = _row(rows, "v1-twin", "T4-C01")
    assert untouched["moderation"] == "none" and untouched["mark_assessor"] == "" and untouched["essential"] == "true"
    assert untouched["elements"] == "P4.1 S7 E1" and untouched["submission"] == "v1-twin/T4"


def test_criteria_rows_are_of_the_current_attempt(book: Gradebook, plan: Plan, runs: dict[str, GradingRun]) -> None:
    rows = [r for r in export_rows(book, plan, "en").criteria.records() if r["candidate_id"] == "v1-missed-anomalies"]
    assert {r["attempt"] for r in rows} == {2}
    assert {r["content_sha256"] for r in rows} == {runs["revised"].sha256}
    assert {r["rubric_sha256"] for r in rows} == {plan.rubric_sha256["T4"]}
    c11 = _row(rows, "v1-missed-anomalies", "T4-C11")
    assert (c11["state"], c11["mark_reason"]) == ("met", "修正後 R-3002")


def test_marks_hold_the_whole_history_with_the_content_judged(
    book: Gradebook, plan: Plan, runs: dict[str, GradingRun]
) -> None:
    marks = export_rows(book, plan, "en").marks.records()
    assert len(marks) == sum(len(book.mark_history(s.key)) for s in book.submissions()) == 6
    strong = [(m["criterion_id"], m["result"], m["reason"]) for m in marks if m["candidate_id"] == "v1-strong"]
    first_c12, second_c12 = ("T4-C12", "not_yet_met", "初判 R-1001"), ("T4-C12", "met", "修正 R-1002")
    assert strong == [first_c12, ("T4-C11", "met", FORMULA), second_c12]
    missed = [(m["content_sha256"], m["reason"]) for m in marks if m["candidate_id"] == "v1-missed-anomalies"]
    first, second = runs["v1-missed-anomalies"].sha256[:12], runs["revised"].sha256[:12]
    assert missed == [(first, "缺漏 R-3001"), (second, "修正後 R-3002")] and first != second
    assert {(m["assessor"], m["component"], m["case_kind"]) for m in marks} == {(ASSESSOR, "T4", "T4")}


def test_moderation_holds_every_record(book: Gradebook, plan: Plan) -> None:
    records = export_rows(book, plan, "en").moderation.records()
    got = [(r["candidate_id"], r["criterion_id"], r["action"], r["outcome"], r["reason"]) for r in records]
    assert got == [
        ("v1-strong", "T4-C11", "disagree", "", "理由不夠具體 M-4001"),
        ("v1-strong", "T4-C12", "agree", "", "同意評分 M-4002"),
        ("v1-competent", "T4-C11", "disagree", "", "證據不足 M-4003"),
        ("v1-competent", "T4-C11", "resolve", "overturned", "推翻 M-4004"),
    ]
    assert {r["moderator"] for r in records} == {MODERATOR} and records[0]["time"] == _at("11:00")


@pytest.mark.parametrize("plan_file", ["t4-only.yaml", "BGM4R0172v2.yaml"])
def test_decisions_have_every_candidate_with_its_unit_decision(book: Gradebook, plan_file: str) -> None:
    plan = load_plan(assets.plan(plan_file))
    rows = {r["candidate_id"]: r for r in export_rows(book, plan, "en").decisions.records()}
    assert set(rows) == set(CANDIDATES)
    for candidate, row in rows.items():
        decision = unit_decision(book, plan, candidate)[1]
        assert (row["unit_outcome"], row["evidence_outcome"]) == (decision.outcome, decision.evidence_outcome)
        assert row["reason_keys"] == " | ".join(r.key for r in decision.reasons)
        assert (row["digest"], row["met"], row["total"]) == (decision.digest, decision.met, decision.total)
    assert rows["c-nosub"]["name"] == "王小明" and "unit.reason_component_missing" in rows["c-nosub"]["reason_keys"]
    assert "unit.flag_identical" in rows["v1-twin"]["flag_keys"] and "v1-strong" in rows["v1-twin"]["flags"]
    signed = rows["v1-handle-time-only"]
    valid = "valid" if plan_file == "t4-only.yaml" else "void"  # signed under the T4 plan: the digest is its
    assert signed["signoffs"] == f"assessor:{ASSESSOR}:{valid}" and signed["signoff_statements"] == "本人簽核 S-5001"


def test_labels_are_in_the_language_asked_for_and_the_columns_are_not(book: Gradebook, plan: Plan) -> None:
    zh, en = export_rows(book, plan, "zh-TW"), export_rows(book, plan, "en")
    assert [t.columns for t in zh.tables] == [t.columns for t in en.tables]
    assert zh.lang == "zh-TW" and en.lang == "en"
    pairs = {(_row(x.criteria.records(), "v1-strong", "T4-C11")["state_label"], x.lang) for x in (zh, en)}
    assert pairs == {("審查中", "zh-TW"), ("in moderation", "en")}
    labels = {x.lang: {r["moderation"]: r["moderation_label"] for r in x.criteria.records()} for x in (zh, en)}
    assert labels["zh-TW"] == {"none": "未經審查", "agreed": "同意", "in_moderation": "審查中", "overturned": "推翻"}
    assert labels["en"] == {"none": "not moderated", "agreed": "agreed", "in_moderation": "in moderation",
                            "overturned": "overturned"}  # fmt: skip
    zh_nosub, en_nosub = (next(r for r in x.decisions.records() if r["candidate_id"] == "c-nosub") for x in (zh, en))
    data = unit_decision(book, plan, "c-nosub")[1].to_json()
    assert zh_nosub["reasons"] == " | ".join(unit_reasons(data, "zh-TW"))
    assert en_nosub["reasons"] == " | ".join(unit_reasons(data, "en"))
    assert "尚未繳交" in str(zh_nosub["reasons"]) and "nothing submitted" in str(en_nosub["reasons"])
    assert zh_nosub["reason_keys"] == en_nosub["reason_keys"] and zh_nosub["unit_label"] != en_nosub["unit_label"]


# --- the files -------------------------------------------------------------------------------------------------


def test_csv_is_the_criteria_table_read_back(book: Gradebook, plan: Plan, tmp_path: Path) -> None:
    path = export(book, plan, tmp_path / "cohort.csv", fmt="csv", lang="zh-TW")
    assert path == tmp_path / "cohort.csv" and path.read_bytes().startswith(b"\xef\xbb\xbfcandidate_id,")
    rows = _read_csv(path)
    assert {(r["candidate_id"], r["criterion_id"]): r["state"] for r in rows} == _current_states(book)
    assert len(rows) == 65
    c11 = _row(rows, "v1-strong", "T4-C11")
    assert (c11["mark_assessor"], c11["mark_result"], c11["moderation"]) == (ASSESSOR, "met", "in_moderation")
    assert c11["moderation_label"] == "審查中" and c11["state_label"] == "審查中" and c11["attempt"] == "1"
    assert c11["mark_reason"] == "'" + FORMULA  # guarded: a spreadsheet shows it, never runs it


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_csv_text_cell_that_could_be_a_formula_is_prefixed(start: str) -> None:
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


def test_csv_cells_that_cannot_be_formulas_stay_as_they_are() -> None:
    plain = ("met", "P4.1 S7", "", "a=b", "林雅婷", "2026-11-28T10:00:00+00:00")
    assert [csv_cell(v) for v in plain] == list(plain) and csv_cell(2) == "2"


def test_xlsx_has_every_table_read_back(book: Gradebook, plan: Plan, tmp_path: Path) -> None:
    path = export(book, plan, tmp_path / "cohort.xlsx", fmt="xlsx", lang="en")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == list(SHEETS)
    for ws in workbook.worksheets:
        assert tuple(c.value for c in ws[1]) == SHEETS[ws.title]
        assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
        assert not [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]  # no formula
    sheets = _read_xlsx(path)
    expected = export_rows(book, plan, "en")
    assert [len(sheets[t.name]) for t in expected.tables] == [len(t.rows) for t in expected.tables] == [65, 6, 6, 4]
    assert sheets["criteria"] == expected.criteria.records()  # every value, numbers as numbers
    c11 = _row(sheets["criteria"], "v1-strong", "T4-C11")
    assert (c11["mark_assessor"], c11["mark_result"], c11["moderation_label"]) == (ASSESSOR, "met", "in moderation")
    outcomes = {r["candidate_id"]: r["unit_outcome"] for r in sheets["decisions"]}
    assert outcomes == {c: unit_decision(book, plan, c)[1].outcome for c, _name in book.candidates()}
    criteria = workbook["criteria"]
    assert criteria.cell(2, CRITERIA_COLUMNS.index("attempt") + 1).data_type == "n"
    sha, attempt = (criteria.column_dimensions[get_column_letter(CRITERIA_COLUMNS.index(c) + 1)]
                    for c in ("content_sha256", "attempt"))  # fmt: skip
    assert 6 <= attempt.width < sha.width <= 61
    reasons = [c for c in workbook["marks"]["I"] if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert [(c.data_type, c.value) for c in reasons] == [("s", FORMULA)]  # a string, not a formula


def test_exports_replace_the_file_atomically(book: Gradebook, plan: Plan, tmp_path: Path) -> None:
    target = tmp_path / "cohort.csv"
    target.write_text("old", encoding="utf-8")
    export(book, plan, target, fmt="csv", lang="en")
    export(book, plan, tmp_path / "cohort.xlsx", fmt="xlsx", lang="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.csv", "cohort.xlsx"]
    assert len(_read_csv(target)) == 65
    with pytest.raises(WriteError):
        export(book, plan, tmp_path / "no-such-folder" / "cohort.xlsx", fmt="xlsx", lang="en")


def test_a_read_only_gradebook_exports(book_path: Path, plan: Plan) -> None:
    with Gradebook(book_path, read_only=True) as b:
        assert len(export_rows(b, plan, "en").criteria.rows) == 65


def test_wrong_use_is_refused_in_the_language_asked_for(book: Gradebook, plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="csv, xlsx"):
        export(book, plan, tmp_path / "x.pdf", fmt="pdf", lang="en")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="假名化金鑰"):
        export_rows(book, plan, "zh-TW", pseudonymise=b"")
    with pytest.raises(ValueError, match="zh-TW, en"):
        export_rows(book, plan, "fr")
    assert not list(tmp_path.iterdir())


# --- pseudonymised ---------------------------------------------------------------------------------------------


def _texts(data: Export) -> list[str]:
    return [str(v) for table in data.tables for row in table.rows for v in row] + [
        c for table in data.tables for c in table.columns
    ]


def test_pseudonymised_rows_name_nobody(book: Gradebook, plan: Plan) -> None:
    plain, pseudo = export_rows(book, plan, "en"), export_rows(book, plan, "en", pseudonymise=KEY)
    assert pseudo.pseudonymised and not plain.pseudonymised
    assert [len(t.rows) for t in pseudo.tables] == [len(t.rows) for t in plain.tables]
    for table in pseudo.tables:
        assert not set(table.columns) & PRIVATE_COLUMNS
        assert set(table.columns) == set(getattr(plain, table.name).columns) - PRIVATE_COLUMNS
    found = [s for s in SECRETS for text in _texts(pseudo) if s in text]
    assert not found
    assert any(s in text for s in SECRETS for text in _texts(plain))  # the check can see them
    ids = [r["candidate_id"] for r in pseudo.criteria.records()]
    assert ids == sorted(ids) and all(re.fullmatch(r"p-[0-9a-f]{16}", str(i)) for i in ids)
    strong = _pseudonym("p-", KEY, "v1-strong")
    c11 = _row(pseudo.criteria.records(), strong, "T4-C11")
    assert c11["submission"] == f"{strong}/T4" and c11["mark_assessor"] == _pseudonym("a-", KEY, ASSESSOR)
    assert c11["state"] == "in_moderation" and c11["moderation"] == "in_moderation"
    assert {r["moderator"] for r in pseudo.moderation.records()} == {_pseudonym("a-", KEY, MODERATOR)}
    states = sorted((r["criterion_id"], r["state"], r["moderation"]) for r in plain.criteria.records())
    assert sorted((r["criterion_id"], r["state"], r["moderation"]) for r in pseudo.criteria.records()) == states
    signed = {r["candidate_id"]: r["signoffs"] for r in pseudo.decisions.records()}
    assert signed[_pseudonym("p-", KEY, "v1-handle-time-only")] == f"assessor:{_pseudonym('a-', KEY, ASSESSOR)}:valid"


def test_pseudonyms_are_stable_for_a_key_and_differ_for_another(book: Gradebook, plan: Plan) -> None:
    first, again = (export_rows(book, plan, "en", pseudonymise=KEY) for _ in range(2))
    other = export_rows(book, plan, "en", pseudonymise=OTHER_KEY)
    assert first == again
    ids = {str(r["candidate_id"]) for r in first.decisions.records()}
    other_ids = {str(r["candidate_id"]) for r in other.decisions.records()}
    assert len(ids) == len(other_ids) == len(CANDIDATES) and not ids & other_ids
    assert {_pseudonym("p-", KEY, c) for c in CANDIDATES} == ids
    assert first.marks.records()[0]["assessor"] != other.marks.records()[0]["assessor"]


def test_pseudonymised_files_name_nobody(book: Gradebook, plan: Plan, tmp_path: Path) -> None:
    for lang in ("zh-TW", "en"):
        csv_path = export(book, plan, tmp_path / f"{lang}.csv", fmt="csv", lang=lang, key=KEY)
        xlsx_path = export(book, plan, tmp_path / f"{lang}.xlsx", fmt="xlsx", lang=lang, key=KEY)
        raw = csv_path.read_bytes().decode("utf-8-sig")
        with zipfile.ZipFile(xlsx_path) as z:
            parts = [z.read(name).decode("utf-8") for name in z.namelist()]
        sheets = _read_xlsx(xlsx_path)
        cells = [str(v) for rows in sheets.values() for row in rows for v in [*row, *row.values()]]
        for secret in SECRETS:
            assert secret not in raw, secret
            assert not [p for p in parts if secret in p], secret
            assert not [c for c in cells if secret in c], secret
        kept = tuple(c for c in CRITERIA_COLUMNS if c not in PRIVATE_COLUMNS)
        assert len(_read_csv(csv_path, kept)) == 65 and [len(sheets[s]) for s in SHEETS] == [65, 6, 6, 4]
        assert "mark_reason" not in kept and "name" not in {c for row in sheets["decisions"] for c in row}
    plain = export(book, plan, tmp_path / "plain.csv", fmt="csv", lang="en").read_bytes().decode("utf-8-sig")
    assert ASSESSOR in plain and "v1-strong" in plain  # what the pseudonymised files lack, the plain one has
