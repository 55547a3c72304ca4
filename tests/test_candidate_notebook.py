"""The candidate notebook runs in a real kernel: executed by papermill with parameters, and under nbval.

nbval runs in ``--nbval-lax`` mode: the app cell's output is a widget view whose model id (and the widget state
behind it) differs on every run, so comparing outputs cell by cell would always fail; lax mode checks that every
cell runs without error and compares only cells marked ``# NBVAL_CHECK_OUTPUT`` (none here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from notebook_checks import widget_state

from casekit.assessment.plan import load_plan
from casekit.assessment.roster import CandidateRow, assign, save_roster

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t4_incentives.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ENV_PARAMETERS = (
    "CASEKIT_ORG",
    "CASEKIT_SEED",
    "CASEKIT_CANDIDATE",
    "CASEKIT_ROSTER",
    "CASEKIT_LANG",
    "CASEKIT_ANSWER",
)


def test_the_notebook_has_a_parameters_cell_and_no_logic() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and nb.cells[0] is params[0]
    for name in ("org", "seed", "candidate_id", "roster", "answer_path"):
        assert f"\n{name} = None" in "\n" + params[0].source  # not given: nobody is "demo" unasked
    assert '\nlang = "zh-TW"' in "\n" + params[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs for c in code)
    assert all(var in code[1].source for var in ENV_PARAMETERS)  # Voila's way in, right after the parameters


def run_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parameters: dict[str, Any]) -> Any:
    """The notebook executed by papermill with ``parameters`` in ``tmp_path``, and no ``CASEKIT_*`` variable."""
    return widget_state(NOTEBOOK, parameters, tmp_path, monkeypatch)


def shown(state: Any) -> str:
    """Every HTML value and button label in the saved widget state."""
    return "\n".join(str(s["state"].get("value", "")) + str(s["state"].get("description", "")) for s in state.values())


def has_tabs(state: Any) -> bool:
    return any(s["model_name"] == "TabModel" and "2. Design" in s["state"].get("titles", ()) for s in state.values())


@pytest.mark.slow
def test_papermill_runs_the_notebook_and_shows_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    answer = tmp_path / "answers" / "nb-t4.json"
    parameters = {"org": "ecommerce-cs", "seed": 3, "candidate_id": "nb", "lang": "en", "answer_path": str(answer)}
    state = run_notebook(tmp_path, monkeypatch, parameters)
    assert has_tabs(state)
    assert not answer.exists()  # nothing is saved until the candidate asks
    assert not (tmp_path / "answers" / "nb-t4.json.draft").exists()  # nor kept as a draft before any change


@pytest.mark.slow
def test_papermill_with_a_roster_opens_the_candidates_assigned_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = assign(
        load_plan("t4-only"), [CandidateRow("c001"), CandidateRow("c002")], cohort_seed=9, orgs=["ecommerce-cs"]
    )
    save_roster(roster, tmp_path / "roster.json")
    assigned = roster.assignment("c002", "T4")
    assert assigned is not None
    state = run_notebook(tmp_path, monkeypatch, {"candidate_id": "c002", "roster": "roster.json", "lang": "en"})
    text = shown(state)
    assert has_tabs(state) and "candidate c002" in text and f"(seed {assigned.seed})" in text
    assert "answers/c002-T4.json" in text and not (tmp_path / "answers").exists()


@pytest.mark.slow
def test_papermill_without_parameters_asks_who_the_candidate_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = run_notebook(tmp_path, monkeypatch, {"lang": "en"})
    text = shown(state)
    assert not has_tabs(state) and "Confirm and open the case" in text and "Candidate id" in text
    assert "demo" not in text and not (tmp_path / "answers").exists()


@pytest.mark.slow
def test_nbval_lax_passes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEKIT_")}
    # a small organisation and an answer path of the test's own; the notebook reads them from the environment
    env.update(
        CASEKIT_CANDIDATE="nbval",
        CASEKIT_ORG="ecommerce-cs",
        CASEKIT_SEED="3",
        CASEKIT_ANSWER=str(tmp_path / "nbval-t4.json"),
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-q", str(NOTEBOOK)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "3 passed" in run.stdout  # one item per code cell
