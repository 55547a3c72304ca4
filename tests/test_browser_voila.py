"""The candidate notebook served as a Voila app, driven in Debian's chromium: build a scheme, save, check the file.

Voila takes no papermill parameters, so the notebook reads ``CASEKIT_*`` environment variables (set here on the
Voila process, which its kernels inherit). Every request not to 127.0.0.1 is refused and recorded: the app must
work without the network.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS

from casekit.cases.t4_incentives.answer import T4Answer
from casekit.cases.t4_incentives.scheme import parse_scheme
from casekit.registry import registry

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t4_incentives.ipynb"
SCHEME = json.loads((ROOT / "tests" / "fixtures" / "scheme_balanced.json").read_text(encoding="utf-8"))

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 600) -> None:
    """Until Voila accepts connections (a GET would execute the notebook: only connect)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"voila exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"voila did not answer on port {port} within {timeout} s")


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A Voila server for the candidate notebook on a free port; yields its URL and the answer path."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    answer = tmp_path / "answers" / "browser-t4.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEKIT_")}
    env.update(
        CASEKIT_ORG="ecommerce-cs",
        CASEKIT_SEED="3",
        CASEKIT_CANDIDATE="browser",
        CASEKIT_LANG="en",
        CASEKIT_ANSWER=str(answer),
    )
    port = free_port()
    log = (tmp_path / "voila.log").open("wb")
    voila_bin = Path(sys.executable).with_name("voila")
    proc = subprocess.Popen(
        [str(voila_bin), str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}/", answer
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_a_scheme_built_in_the_browser_is_saved(voila: tuple[str, Path]) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    url, answer = voila
    refused: list[str] = []

    def local_only(route: Route) -> None:
        target = route.request.url
        if target.startswith(("http://127.0.0.1", "ws://127.0.0.1", "file://", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(target)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.route("**/*", local_only)
            errors: list[Any] = []
            page.on("pageerror", lambda exc: errors.append(exc))
            page.goto(url, wait_until="domcontentloaded", timeout=600_000)
            app = page.locator(".ck-app")
            expect(app).to_be_visible(timeout=600_000)

            page.locator(".lm-TabBar-tab", has_text="2. Design").click()
            page.locator(".ck-scheme-json textarea").fill(json.dumps(SCHEME, indent=2))
            page.get_by_role("button", name="Apply JSON").click()
            expect(app.get_by_text("Scheme adopted: 5 component(s)")).to_be_visible(timeout=300_000)
            expect(app.get_by_text("Projected cost NT$")).to_be_visible(timeout=300_000)
            page.screenshot(path=str(answer.parent.parent / "voila-t4.png"), full_page=False)

            page.locator(".lm-TabBar-tab", has_text="6. Save").click()
            page.get_by_role("button", name="Validate and save").click()
            expect(app.get_by_text("Saved to")).to_be_visible(timeout=300_000)
        finally:
            browser.close()

    doc = registry.load_answer(answer)
    assert isinstance(doc, T4Answer)
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T4", "ecommerce-cs", 3, "browser", "en")
    assert doc.scheme == parse_scheme(SCHEME)
    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)  # only the outside world was refused (icon CSS from a CDN)
