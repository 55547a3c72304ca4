"""The candidate notebooks work in JupyterLab, not only in Voila: a real ``jupyter lab`` server on 127.0.0.1, the
notebook opened in Debian's chromium, every cell run from the Run menu, and the app in the cell's output answering a
click (the T2 plan's tab with its weekly service-level chart and calendar, the T3 review calendar, the T5
training calendar's courses).

The kernel inherits the server's ``CASEKIT_*`` variables, which name the candidate, the world and the answer file.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS
from test_browser_voila import free_port, local_only, served

from casekit.i18n import t

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow]


@contextmanager
def jupyter_lab(folder: Path, env_vars: dict[str, str]) -> Iterator[str]:
    """JupyterLab serving ``folder`` on a free port of 127.0.0.1 with no token; yields its URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEKIT_")} | env_vars
    port = free_port()
    lab = Path(sys.executable).with_name("jupyter")
    args = [str(lab), "lab", "--no-browser", "--ServerApp.token=", "--ServerApp.password=", "--allow-root"]
    args += ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    args += [f"--ServerApp.root_dir={folder}", "--LabApp.news_url="]
    with served(args, folder, env, folder / "lab.log", port):
        yield f"http://127.0.0.1:{port}/"


CASES = [
    ("T2", "t2_training", "t2widgets.tab_plan", (".ck-sl-chart-box svg", ".ck-calendar-box table")),
    ("T3", "t3_performance", "t3widgets.tab_reviews", (".ck-review-calendar",)),
    ("T5", "t5_compliance", "t5widgets.tab_training", (".ck-t5-course", ".ck-t5-bookings")),
]


@pytest.mark.parametrize(("kind", "notebook", "tab_key", "drawn"), CASES)
def test_the_case_runs_in_jupyterlab(
    tmp_path: Path, kind: str, notebook: str, tab_key: str, drawn: tuple[str, ...]
) -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    lang = "zh-TW"
    shutil.copy(ROOT / "notebooks" / "candidate" / f"{notebook}.ipynb", tmp_path / f"{notebook}.ipynb")
    answer = tmp_path / "answers" / f"lab-{kind.lower()}.json"
    env = {
        "CASEKIT_ORG": "ecommerce-cs",
        "CASEKIT_SEED": "3",
        "CASEKIT_CANDIDATE": "lab",
        "CASEKIT_LANG": lang,
        "CASEKIT_ANSWER": str(answer),
    }
    with jupyter_lab(tmp_path, env) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            local_only(page)  # JupyterLab asks the internet for nothing the case needs
            page.goto(f"{url}lab/tree/{notebook}.ipynb", wait_until="domcontentloaded", timeout=600_000)
            expect(page.locator(".jp-Notebook")).to_be_visible(timeout=600_000)
            # the kernel started and connected (the status bar says so), then every cell run from the Run menu
            expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle")).to_have_count(1, timeout=600_000)
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
            page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
            app = page.locator(".ck-app")
            expect(app).to_be_visible(timeout=600_000)
            app.locator(".lm-TabBar-tab", has_text=t(tab_key, lang)).click()
            for selector in drawn:  # the tab's charts, drawn
                expect(app.locator(selector).first).to_be_visible(timeout=300_000)
            page.screenshot(path=str(tmp_path / f"jupyterlab-{kind.lower()}.png"), full_page=False)
        finally:
            browser.close()
