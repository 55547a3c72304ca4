"""The wheel is the product: built from the tracked files, installed in a fresh virtual environment outside the
checkout, it runs ``casekit demo`` and ``casekit grade`` from an empty folder, with the rubrics, notebooks and
organisation specs it carries inside (``casekit.assets``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "CASEKIT_SCENARIOS", "CASEKIT_LANG", "VIRTUAL_ENV")
    }
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def _tracked_copy(dest: Path) -> Path:
    """The source tree as a fresh clone of it would be: the files git tracks, and new ones it does not ignore."""
    command = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    listed = subprocess.run(command, cwd=ROOT, capture_output=True, check=True).stdout
    for name in listed.decode("utf-8").split("\0"):
        if name and (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    src = _tracked_copy(tmp_path_factory.mktemp("src"))
    dist = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)], cwd=dist)
    assert built.returncode == 0, built.stderr
    (found,) = dist.glob("casekit-*.whl")
    return found


def test_the_wheel_carries_every_rubric_notebook_and_spec(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder, pattern in (("rubrics", "*.yaml"), ("scenarios", "*.yaml"), ("notebooks", "*/*.ipynb")):
        for f in (ROOT / folder).glob(pattern):
            assert f"casekit/assets/{folder}/{f.relative_to(ROOT / folder).as_posix()}" in names
    assert not any(n.startswith(("rubrics/", "notebooks/", "scenarios/", "tests/")) for n in names)


def test_the_installed_wheel_runs_the_demo_and_grades_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    installed = _run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], cwd=tmp_path)
    assert installed.returncode == 0, installed.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    casekit = str(bin_dir / "casekit")

    listed = _run([casekit, "scenario", "list", "--lang", "en"], cwd=empty)
    assert listed.returncode == 0 and "bank-cards" in listed.stdout and str(ROOT) not in listed.stdout

    demo = _run([casekit, "demo", "--out", "demo", "--candidates", "2", "--jobs", "1", "--lang", "en"], cwd=empty)
    assert demo.returncode == 0, demo.stderr
    results = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (empty / "demo" / "results").glob("*.json")}
    outcomes = {name.rsplit("-", 1)[0]: r["decision"]["outcome"] for name, r in results.items()}
    # two candidates, each with a case of every kind; the disagreement the moderator overturns (the demo's seeded
    # second-marking sample) falls on one of the strong candidate's assessor-judged criteria, so that case alone is
    # not yet competent, and only for that judgement
    kinds = ("t1", "t2", "t3", "t4", "t5")
    assert sorted(outcomes) == sorted(f"demo-0{n}-{k}" for n in ("1-strong", "2-competent") for k in kinds)
    assert all(outcomes[f"demo-02-competent-{k}"] == "competent" for k in kinds)
    failing = [k for k in kinds if outcomes[f"demo-01-strong-{k}"] != "competent"]
    assert len(failing) == 1 and outcomes[f"demo-01-strong-{failing[0]}"] == "not_yet_competent"
    (result,) = [r for name, r in results.items() if name.startswith(f"demo-01-strong-{failing[0]}-")]
    unmet = [c for c in result["criteria"] if c["state"] != "met"]
    assert unmet and all(c["auto"] is None and c["marks"] for c in unmet)  # an assessor's judgement, overturned
    assert (empty / "demo" / "index.html").is_file()

    graded = _run([casekit, "grade", "demo/submissions", "--out", "again", "--jobs", "1", "--lang", "en"], cwd=empty)
    assert graded.returncode == 0, graded.stderr
    assert len(list((empty / "again" / "portfolios").glob("*.html"))) == 10  # 2 candidates x 5 kinds
    executed = next((empty / "again" / "executed").glob("*.ipynb")).read_text(encoding="utf-8")
    assert str(ROOT) not in executed  # the grading notebook and rubric came from the installed package
