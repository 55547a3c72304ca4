"""The package list, which pyproject.toml cannot give: casekit's packages (data folders included, as namespace
packages), plus the top-level rubrics/, notebooks/ and scenarios/ folders, which ``[tool.setuptools.package-dir]``
maps into the package as ``casekit.assets.*`` (their files are listed in ``[tool.setuptools.package-data]``).
Everything else is in pyproject.toml. ``tests/test_packaging.py`` checks that the wheel holds every such file."""

from setuptools import find_namespace_packages, setup

ASSETS = [
    "casekit.assets.rubrics",
    "casekit.assets.scenarios",
    "casekit.assets.plans",
    "casekit.assets.notebooks",
    "casekit.assets.notebooks.candidate",
    "casekit.assets.notebooks.grading",
]

setup(packages=[*find_namespace_packages(include=["casekit", "casekit.*"], exclude=["*.__pycache__"]), *ASSETS])
