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

import nbformat
import pytest
from papermill import execute_notebook

from casekit.execution.kernels import isolated_kernels

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t4_incentives.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ENV_PARAMETERS = ("CASEKIT_ORG", "CASEKIT_SEED", "CASEKIT_CANDIDATE", "CASEKIT_LANG", "CASEKIT_ANSWER")


def test_the_notebook_has_a_parameters_cell_and_no_logic() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1 and nb.cells[0] is params[0]
    for name in ("org", "seed", "candidate_id", "lang", "answer_path"):
        assert f"\n{name} = " in "\n" + params[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs for c in code)
    assert all(var in code[1].source for var in ENV_PARAMETERS)  # Voila's way in, right after the parameters


@pytest.mark.slow
def test_papermill_runs_the_notebook_and_shows_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_PARAMETERS:
        monkeypatch.delenv(var, raising=False)  # the kernel inherits the environment; it would override
    out = tmp_path / "executed.ipynb"
    answer = tmp_path / "answers" / "nb-t4.json"
    with isolated_kernels() as km_class:
        execute_notebook(
            str(NOTEBOOK),
            str(out),
            parameters={
                "org": "ecommerce-cs",
                "seed": 3,
                "candidate_id": "nb",
                "lang": "en",
                "answer_path": str(answer),
            },
            kernel_name="python3",
            progress_bar=False,
            cwd=str(tmp_path),
            kernel_manager_class=km_class,
        )
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    views = [o for o in outputs if WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 1
    model_id = views[0]["data"][WIDGET_VIEW]["model_id"]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert state[model_id]["model_name"] == "VBoxModel"  # the app's own box, with its tabs in the saved state
    assert any(s["model_name"] == "TabModel" and "2. Design" in s["state"].get("titles", ()) for s in state.values())
    assert not answer.exists()  # nothing is saved until the candidate asks


@pytest.mark.slow
def test_nbval_lax_passes(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEKIT_")}
    # a small organisation and an answer path of the test's own; the notebook reads them from the environment
    env.update(CASEKIT_ORG="ecommerce-cs", CASEKIT_SEED="3", CASEKIT_ANSWER=str(tmp_path / "nbval-t4.json"))
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
