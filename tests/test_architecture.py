"""What the import contracts cannot see: that they name every built-in case kind, that modules stay small, that
case attributes need no ``type: ignore``, and that importing the registry pulls in no Jupyter front end."""

from __future__ import annotations

import re
import tomllib

from conftest import ROOT, run_python

from casekit.registry import registry

PACKAGE = ROOT / "casekit"
MAX_LINES = 400


def _contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_the_generic_contract_forbids_every_built_in_kind() -> None:
    (generic,) = [c for c in _contracts() if "no concrete case kind" in str(c["name"])]
    forbidden = set(generic["forbidden_modules"])  # type: ignore[call-overload]
    for kind in registry:
        package = kind.case.__module__.rsplit(".", 1)[0]
        if not package.startswith("casekit."):
            continue  # a plug-in, outside casekit
        assert package in forbidden, f"add {package} to the contract's forbidden_modules"
        if kind.app is not None:
            app_module = kind.app.split(":")[0]
            assert any(app_module == f or app_module.startswith(f + ".") for f in forbidden), app_module


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert not long


def test_no_type_ignore_for_case_attributes() -> None:
    pattern = re.compile(r"type: ignore\[attr-defined\]")
    offenders = [
        str(p.relative_to(ROOT))
        for folder in ("cases", "grading", "widgets")
        for p in (PACKAGE / folder).rglob("*.py")
        if pattern.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_grading_and_the_registry_load_no_widgets_or_notebook_runtime() -> None:
    code = (
        "import sys, casekit.grading, casekit.registry\n"
        "heavy = [m for m in ('ipywidgets', 'IPython', 'papermill', 'nbclient', 'nbformat') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
