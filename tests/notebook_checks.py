"""What every candidate notebook must do in a real kernel: papermill runs it with the parameters of a saved answer,
the app resumes that answer, shows its tabs in order, and writes nothing (shared by the T1 and T2 widget tests)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from casekit.cases.base import Case
from casekit.html import esc
from casekit.i18n import t

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
ENV = ("CASEKIT_ORG", "CASEKIT_SEED", "CASEKIT_CANDIDATE", "CASEKIT_ROSTER", "CASEKIT_LANG", "CASEKIT_ANSWER")


def widget_state(notebook: Path, parameters: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The saved widget state of ``notebook`` executed by papermill with ``parameters`` in ``tmp_path`` and no
    ``CASEKIT_*`` variable; the run has no error and no stderr, and shows one widget view, the app's box."""
    import nbformat
    from papermill import execute_notebook

    from casekit.execution.kernels import isolated_kernels

    for var in ENV:
        monkeypatch.delenv(var, raising=False)  # the kernel inherits the environment; it would override
    out = tmp_path / "executed.ipynb"
    with isolated_kernels() as km_class:
        execute_notebook(
            str(notebook),
            str(out),
            parameters=parameters,
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
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    assert state[views[0]["data"][WIDGET_VIEW]["model_id"]]["model_name"] == "VBoxModel"
    return state


def assert_resumes_in_a_kernel(
    notebook: Path,
    case: Case[Any],
    tab_keys: Sequence[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Save ``case``, run ``notebook`` on it with papermill and check the app resumed it as the module says."""
    lang = case.lang
    answer = tmp_path / "answers" / f"{case.candidate_id}.json"
    before = case.save(answer).read_bytes()
    parameters = {"org": case.org, "seed": case.seed, "candidate_id": case.candidate_id, "lang": lang}
    state = widget_state(notebook, {**parameters, "answer_path": str(answer)}, tmp_path, monkeypatch)
    titles = [s["state"].get("titles", ()) for s in state.values() if s["model_name"] == "TabModel"]
    expected = tuple(t("widgets.tab_numbered", lang, n=n, title=t(k, lang)) for n, k in enumerate(tab_keys, 1))
    assert expected in [tuple(x) for x in titles]
    shown = "\n".join(str(s["state"].get("value", "")) for s in state.values())
    assert esc(t("widgets.resumed", lang, path=str(answer))) in shown
    assert answer.read_bytes() == before  # opening saves nothing
    assert not answer.with_name(answer.name + ".draft").exists()
