"""Answers embedded in notebooks: ``casekit answer embed`` writes the metadata, ``extract`` reads it back (or the
answer output a save left in the notebook)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from conftest import run_casekit
from nbformat.v4 import new_code_cell, new_notebook, new_output

from casekit.answers import dumps_answer
from casekit.cases.t4_incentives.profiles import build_case
from casekit.errors import AnswerError
from casekit.notebook_answers import ANSWER_MIME, embed_answer, extract_answer
from casekit.registry import registry


@pytest.fixture(scope="module")
def answer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ans") / "c-7.json"
    build_case("competent", "ecommerce-cs", 7, "c-7", "en").save(path)
    return path


def _notebook(path: Path, outputs: list[object] | None = None) -> Path:
    nb = new_notebook(cells=[new_code_cell("x = 1", outputs=outputs or [])])
    nbformat.write(nb, path)
    return path


def test_embed_then_extract_round_trip(answer_file: Path, tmp_path: Path) -> None:
    nb_path = _notebook(tmp_path / "work.ipynb")
    embed_answer(nb_path, answer_file)
    meta = nbformat.read(nb_path, as_version=4).metadata["casekit"]
    assert meta["candidate_id"] == "c-7" and meta["case"] == "T4"
    assert dumps_answer(extract_answer(nb_path)) == answer_file.read_text(encoding="utf-8")


def test_extract_falls_back_to_the_saved_output(answer_file: Path, tmp_path: Path) -> None:
    doc = json.loads(answer_file.read_text(encoding="utf-8"))
    out = new_output("display_data", data={ANSWER_MIME: doc, "text/plain": "saved"})
    nb_path = _notebook(tmp_path / "saved.ipynb", [out])
    assert extract_answer(nb_path).candidate_id == "c-7"


def test_no_answer_and_not_a_notebook(tmp_path: Path) -> None:
    with pytest.raises(AnswerError) as info:
        extract_answer(_notebook(tmp_path / "empty.ipynb"))
    assert info.value.problems[0].field == "metadata.casekit.answer"
    bad = tmp_path / "bad.ipynb"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(AnswerError):
        extract_answer(bad)


def test_cli_embed_and_extract(answer_file: Path, tmp_path: Path) -> None:
    nb_path = _notebook(tmp_path / "cli.ipynb")
    embedded = run_casekit("answer", "embed", str(nb_path), str(answer_file), "--lang", "en")
    assert embedded.returncode == 0, embedded.stderr
    out = tmp_path / "back.json"
    extracted = run_casekit("answer", "extract", str(nb_path), "--out", str(out), "--lang", "en")
    assert extracted.returncode == 0, extracted.stderr
    assert registry.load_answer(out).candidate_id == "c-7"
    missing = run_casekit("answer", "extract", str(tmp_path / "nope.ipynb"), "--out", str(out), "--lang", "en")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
