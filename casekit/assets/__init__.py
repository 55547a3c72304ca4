"""The data casekit ships: rubrics, notebooks, organisation specs and assessment plans, found with
:mod:`importlib.resources`.

The repository keeps them in its top-level ``rubrics/``, ``notebooks/``, ``scenarios/`` and ``plans/`` folders;
the build maps those folders into the package as ``casekit.assets.*`` (``[tool.setuptools.package-dir]`` in
``pyproject.toml``), so an installed wheel, an editable install and a source checkout all find the same files, and
there are no copies to keep in sync.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["notebook", "plan", "plans_dir", "rubric", "scenarios_dir"]


def _folder(package: str) -> Path:
    # casekit is installed as files (papermill and nbconvert need real paths), never run from a zip
    return Path(str(resources.files(package)))


def rubric(name: str) -> Path:
    """The packaged rubric file ``name`` (e.g. ``t4-incentives.yaml``)."""
    return _folder("casekit.assets.rubrics") / name


def notebook(relative: str) -> Path:
    """The packaged notebook at ``relative`` (e.g. ``grading/grade_case.ipynb``)."""
    return _folder("casekit.assets.notebooks") / relative


def plan(name: str) -> Path:
    """The packaged assessment plan ``name`` (e.g. ``BGM4R0172v2.yaml``)."""
    return plans_dir() / name


def plans_dir() -> Path:
    """The folder of the packaged assessment plans."""
    return _folder("casekit.assets.plans")


def scenarios_dir() -> Path:
    """The folder of the packaged organisation specs."""
    return _folder("casekit.assets.scenarios")
