"""Shared helpers: paths of the repository and a runner for the real ``casekit`` command line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: A safety net for a command that hangs, far above what a good run needs even at load 12 on 2 cores; raise it
#: with CASEKIT_TEST_TIMEOUT on a slower machine. Never what a test measures.
TIMEOUT = float(os.environ.get("CASEKIT_TEST_TIMEOUT", "1800"))
SCENARIOS = ROOT / "scenarios"
#: T4 answer documents written by the code before the case platform (tests/fixtures/answers_t4_v1/README.md)
FIXTURE_ANSWERS = ROOT / "tests" / "fixtures" / "answers_t4_v1"
# Debian's chromium, driven by Playwright (its own browser download does not work here). Without the
# background-networking flags chromium keeps trying to reach the internet (TESTING.md).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment without the variables that change casekit's language or where it finds specs."""
    env = {k: v for k, v in os.environ.items() if k not in ("CASEKIT_LANG", "CASEKIT_SCENARIOS")}
    env.update(extra)
    return env


def run_casekit(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -m casekit.cli ARGS`` in a fresh interpreter; output decoded as UTF-8."""
    return subprocess.run(
        [sys.executable, "-m", "casekit.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        env=_clean_env(PYTHONIOENCODING="utf-8", **env),
        timeout=TIMEOUT,
        check=False,
    )


def run_casekit_many(calls: Sequence[Sequence[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Several ``run_casekit`` calls, run side by side (each is mostly interpreter start-up); results in order."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        return list(pool.map(lambda args: run_casekit(*args), calls))


def offline(page: Any) -> list[str]:
    """Make a Playwright ``page`` refuse every request but ``file://`` ones; the list of URLs it refused."""
    refused: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return refused


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``python -c CODE`` in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=_clean_env(PYTHONIOENCODING="utf-8", **env),
        timeout=TIMEOUT,
        check=False,
    )


@pytest.fixture(autouse=True)
def _reset_lang() -> Iterator[None]:
    """``casekit.cli.main`` and ``set_lang`` change a process-wide language: restore the default after each test."""
    from casekit.i18n import set_lang

    yield
    set_lang(None)
