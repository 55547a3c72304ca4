"""The candidate notebook served as a Voila app, driven in Debian's chromium: build a scheme, save, check the file;
and, in a 1280 x 900 window in both languages, the design form fits beside its preview and the audit table filters.

Voila takes no papermill parameters, so the notebook reads ``CASEKIT_*`` environment variables (set here on the
Voila process, which its kernels inherit). Every request not to 127.0.0.1 is refused and recorded: the app must
work without the network.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
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
from casekit.cases.t4_incentives.case import T4Case
from casekit.cases.t4_incentives.scheme import parse_scheme
from casekit.i18n import t
from casekit.registry import registry
from casekit.widgets.t4_incentives.render import value_label
from casekit.widgets.t4_incentives.table_view import TableQuery, view_table

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t4_incentives.ipynb"
SCHEME = json.loads((ROOT / "tests" / "fixtures" / "scheme_balanced.json").read_text(encoding="utf-8"))

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ORG, SEED = "ecommerce-cs", 3
#: where the layout test keeps its screenshots (a temporary folder unless this names one)
SCREENSHOTS = os.environ.get("CASEKIT_TEST_SCREENSHOTS")

# Every control (and description label) in ``root`` that is drawn where the candidate cannot fully see it: past
# the window's right or left edge; outside an ancestor that clips or scrolls sideways (a box with ``overflow`` not
# ``visible``: ipywidgets' boxes scroll, so a row running past its column is cut off there, or needs a sideways
# scroll to reach); outside an ancestor that clips vertically; or a button whose label is cut short ("Remove
# com..."). Scrolled up or down out of a pane that scrolls is what panes are for: not counted; nor hidden ones.
CUT_OFF = """(root) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const el of root.querySelectorAll('button, input, select, textarea, .widget-label')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const what = `${el.tagName} "${(el.textContent || el.value || el.placeholder || '').trim().slice(0, 40)}"`;
    if (box.left < -0.5 || box.right > width + 0.5) {
      found.push(`${what} runs past the window: ${box.left.toFixed(0)}..${box.right.toFixed(0)} of ${width}`);
    }
    let scrolled = false;  // inside a pane that scrolls up and down: where it lies beyond that pane is moot
    for (let up = el.parentElement; up && up !== document.documentElement; up = up.parentElement) {
      const style = getComputedStyle(up);
      const sideways = style.overflowX !== 'visible';
      const vertical = !scrolled && (style.overflowY === 'hidden' || style.overflowY === 'clip');
      scrolled ||= style.overflowY === 'auto' || style.overflowY === 'scroll';
      if (!sideways && !vertical) continue;
      const outer = up.getBoundingClientRect();
      const left = outer.left + up.clientLeft, top = outer.top + up.clientTop;
      const out = (sideways && (box.left < left - 0.5 || box.right > left + up.clientWidth + 0.5))
        || (vertical && (box.top < top - 0.5 || box.bottom > top + up.clientHeight + 0.5));
      if (out) {
        found.push(`${what} is cut off by <${up.tagName.toLowerCase()} class="${up.className}">`);
        break;
      }
    }
    if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) {
      found.push(`${what}: its label is cut short (${el.scrollWidth} px in ${el.clientWidth})`);
    }
  }
  return found;
}"""


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
def voila_lang() -> str:
    """The language the Voila app runs in (a test parametrizes this to run in another)."""
    return "en"


@pytest.fixture
def voila(tmp_path: Path, voila_lang: str) -> Iterator[tuple[str, Path]]:
    """A Voila server for the candidate notebook on a free port; yields its URL and the answer path."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    answer = tmp_path / "answers" / "browser-t4.json"
    with voila_server(NOTEBOOK, tmp_path, org=ORG, seed=SEED, lang=voila_lang, answer=answer) as url:
        yield url, answer


@contextlib.contextmanager
def voila_server(notebook: Path, tmp_path: Path, *, org: str, seed: int, lang: str, answer: Path) -> Iterator[str]:
    """Voila serving ``notebook`` on a free port of 127.0.0.1 for candidate "browser" in ``org``/``seed``/``lang``,
    saving to ``answer`` (no other CASEKIT_ variable leaks in); yields its URL and stops it with SIGINT."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEKIT_")}
    env.update(
        CASEKIT_ORG=org,
        CASEKIT_SEED=str(seed),
        CASEKIT_CANDIDATE="browser",
        CASEKIT_LANG=lang,
        CASEKIT_ANSWER=str(answer),
    )
    port = free_port()
    voila_bin = Path(sys.executable).with_name("voila")
    args = [str(voila_bin), str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]
    with served(args, ROOT, env, tmp_path / "voila.log", port):
        yield f"http://127.0.0.1:{port}/"


@contextlib.contextmanager
def served(args: list[str], cwd: Path, env: dict[str, str], log_path: Path, port: int) -> Iterator[None]:
    """The server ``args`` run in ``cwd`` with ``env`` until it listens on ``port`` (output to ``log_path``);
    stopped with SIGINT (killed when it does not stop within 20 s) when the block ends."""
    log = log_path.open("wb")
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc)
        yield
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def local_only(page: Any) -> list[str]:
    """Let ``page`` reach only this machine; the list of what it was refused."""
    refused: list[str] = []

    def route(route: Any) -> None:
        target = route.request.url
        if target.startswith(("http://127.0.0.1", "ws://127.0.0.1", "file://", "data:", "blob:")):
            route.continue_()
        else:
            refused.append(target)
            route.abort()

    page.route("**/*", route)
    return refused


def test_a_scheme_built_in_the_browser_is_saved(voila: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, answer = voila

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            refused = local_only(page)
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
            expect(app.get_by_text(re.compile("^Saved to"))).to_be_visible(timeout=300_000)
        finally:
            browser.close()

    doc = registry.load_answer(answer)
    assert isinstance(doc, T4Answer)
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T4", "ecommerce-cs", 3, "browser", "en")
    assert doc.scheme == parse_scheme(SCHEME)
    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)  # only the outside world was refused (icon CSS from a CDN)


@pytest.mark.parametrize("voila_lang", ["zh-TW", "en"])
def test_the_design_form_fits_1280_px_beside_its_preview_and_the_audit_table_filters(
    voila: tuple[str, Path], voila_lang: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, _ = voila
    lang = voila_lang
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    recompute = T4Case(ORG, SEED, "browser", lang).audit("recompute")
    discrepancies = view_table(recompute, TableQuery(only="flagged", page_size=None)).rows
    staff = str(discrepancies["staff_id"].iloc[0])
    found = view_table(recompute, TableQuery(text=staff.lower(), only="flagged"), lambda c, v: value_label(c, v, lang))
    assert 0 < found.matched < len(discrepancies) < 50 < len(recompute)

    def button(key: str) -> Any:
        return page.get_by_role("button", name=t(key, lang), exact=True)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            refused = local_only(page)
            errors: list[Any] = []
            page.on("pageerror", lambda exc: errors.append(exc))
            page.goto(url, wait_until="domcontentloaded", timeout=600_000)
            app = page.locator(".ck-app")
            expect(app).to_be_visible(timeout=600_000)
            tabs = app.locator(".lm-TabBar-tab")

            # the design tab, with a scheme of five components, a sixth added as a tiered bonus, and rows added
            tabs.nth(1).click()
            page.locator(".ck-scheme-json textarea").fill(json.dumps(SCHEME, indent=2))
            button("widgets.apply_json").click()
            expect(app.locator(".ck-preview").get_by_text(t("widgets.by_role", lang))).to_be_visible(timeout=300_000)
            button("widgets.add_component").click()
            removes = button("widgets.remove_component")
            expect(removes).to_have_count(6, timeout=300_000)
            # the new component's box: the innermost box of the form holding its remove button
            editor = app.locator(".ck-scheme-form .widget-vbox").filter(has=removes.last).last
            rows = editor.get_by_role("button", name="✕", exact=True)
            expect(rows).to_have_count(1, timeout=300_000)  # the starter measure
            editor.locator("select").nth(0).select_option(label=t("t4.type_tiered", lang))
            for n, key in enumerate(
                ("widgets.add_measure", "widgets.add_gate", "widgets.add_band", "widgets.add_gate")
            ):
                editor.get_by_role("button", name=t(key, lang), exact=True).click()
                expect(rows).to_have_count(n + 2, timeout=300_000)
            page.screenshot(path=str(shots / f"t4-design-{lang}.png"))

            assert page.evaluate(CUT_OFF, app.element_handle()) == []
            form = app.locator(".ck-scheme-form").bounding_box()
            preview = app.locator(".ck-preview").bounding_box()
            assert form is not None and preview is not None
            beside = preview["x"] >= form["x"] + form["width"] - 1
            assert beside or preview["y"] < form["y"] + form["height"], (form, preview)
            # ... and still in sight after editing at the bottom of the form (the last click scrolled there)
            assert preview["y"] < 900 and preview["y"] + preview["height"] > 0, preview
            assert preview["x"] + preview["width"] <= 1280 + 0.5, preview

            # the audit tab: the recomputation's discrepancies, found by the filter, sorted
            tabs.nth(3).click()
            app.locator("select").filter(has_text=t("widgets.tool_ledger", lang)).select_option(
                label=t("widgets.tool_recompute", lang)
            )
            panel = app.locator(".ck-table-view")
            pages = math.ceil(len(recompute) / 50)
            shown = t("widgets.table_showing", lang, first=1, last=50, matched=len(recompute), page=1, pages=pages)
            expect(panel.get_by_text(shown)).to_be_visible(timeout=300_000)
            panel.locator("select").filter(has_text=t("widgets.table_only_all", lang)).select_option(
                label=t("widgets.table_only_issue", lang)
            )
            matched = t(
                "widgets.table_showing_filtered",
                lang,
                first=1,
                last=len(discrepancies),
                matched=len(discrepancies),
                total=len(recompute),
                page=1,
                pages=1,
            )
            expect(panel.get_by_text(matched)).to_be_visible(timeout=300_000)
            expect(panel.locator("tbody tr")).to_have_count(len(discrepancies))
            panel.get_by_placeholder(t("widgets.table_filter_placeholder", lang)).fill(staff.lower())
            expect(panel.locator("tbody tr")).to_have_count(found.matched)
            panel.get_by_placeholder(t("widgets.table_filter_placeholder", lang)).fill("")
            expect(panel.locator("tbody tr")).to_have_count(len(discrepancies))
            page.screenshot(path=str(shots / f"t4-audit-{lang}.png"))
            assert page.evaluate(CUT_OFF, app.element_handle()) == []
        finally:
            browser.close()

    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)
