"""The T5 candidate notebook served as a Voila app, driven in Debian's chromium, in zh-TW and in English: the case
opened on its records; the law's figures stated one by one; the daily-hours rule scanned near its line, its
breaches marked and registered; the register showing them; the next month run and every finding of the rule
verified as held; declared and saved, then the file on disk checked against the case API.

Voila takes no papermill parameters, so the notebook reads ``CASEKIT_*`` environment variables (set on the Voila
process, which its kernels inherit). Every request not to 127.0.0.1 is refused and recorded: the app must work
without the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS
from test_browser_t2 import _until
from test_browser_voila import local_only, voila_server

from casekit.cases.t5_compliance import rules
from casekit.cases.t5_compliance.answer import T5Answer, finding_key
from casekit.cases.t5_compliance.case import T5Case
from casekit.i18n import LANGS, t
from casekit.registry import registry
from casekit.scenario.catalogs import load_law
from casekit.widgets.t5_compliance import forms

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t5_compliance.ipynb"
ORG, SEED = "bank-cards", 7
RULE = "daily_hours"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(params=LANGS)
def voila(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """A Voila server for the T5 notebook on a free port, in one language; yields its URL, the answer path and
    the language."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    lang = str(request.param)
    answer = tmp_path / "answers" / "browser-t5.json"
    with voila_server(NOTEBOOK, tmp_path, org=ORG, seed=SEED, lang=lang, answer=answer) as url:
        yield url, answer, lang


def test_the_figures_a_scan_the_register_and_the_next_month_saved_in_the_browser(
    voila: tuple[str, Path, str],
) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, answer, lang = voila
    ref = T5Case(ORG, SEED, "browser", lang)
    figures = rules.thresholds(load_law(), int(ref.window()[0][:4]))
    ref.set_thresholds(figures)
    scanned = ref.scan(RULE, near=True)
    breaches = int(scanned["breach"].sum())
    assert breaches > 0
    wait = 300_000

    def button(key: str, **params: Any) -> Any:
        return app.get_by_role("button", name=t(key, lang, **params), exact=True)

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
            tabs = app.locator(".lm-TabBar-tab")
            expect(tabs).to_have_count(8, timeout=wait)
            # 1. the brief and the records
            expect(app.locator(".ck-t5-count")).to_contain_text(_until(t("t5widgets.rows_first", lang)), timeout=wait)
            expect(app.get_by_text(ref.today().isoformat()).first).to_be_visible(timeout=wait)

            # 4. the figures stated, then the rule scanned near its line and its breaches registered
            tabs.nth(3).click()
            for name, value in figures.items():
                box = app.locator(f".ck-t5-figure-{name} input")
                box.fill(forms.figure_text(value))
                box.press("Enter")
            button("t5widgets.save_figures").click()
            expect(app.locator(".ck-t5-figures-status")).to_contain_text(
                t("t5widgets.figures_saved", lang, n=len(figures)), timeout=wait
            )
            app.locator(".ck-t5-rule select").select_option(label=rules.rule(RULE).title(lang))
            button("t5widgets.scan").click()
            status = app.locator(".ck-t5-scan-status")
            expect(status).to_contain_text(
                t("t5widgets.scanned", lang, breaches=breaches, near=len(scanned)), timeout=wait
            )
            expect(app.locator(".ck-t5-scan .ck-marked").first).to_be_visible(timeout=wait)
            app.locator(".ck-t5-scan").screenshot(path=str(answer.parent.parent / f"voila-t5-scan-{lang}.png"))
            button("t5widgets.register_breaches").click()
            expect(status).to_contain_text(
                _until(t("t5widgets.registered", lang, n=breaches, rule="{rule}", total=breaches)), timeout=wait
            )

            # 5. the register shows them, every one incomplete yet
            tabs.nth(4).click()
            expect(app.locator(".ck-t5-register-table .ck-marked")).to_have_count(breaches, timeout=wait)

            # 6. the next month run, every finding of the rule verified as held
            tabs.nth(5).click()
            button("t5widgets.run_next_month").click()
            expect(app.locator(".ck-t5-next-status")).to_contain_text(
                t("t5widgets.next_ran", lang, n=breaches), timeout=wait
            )
            expect(app.locator(".ck-t5-next-rows")).to_contain_text(
                _until(t("t5widgets.next_found", lang, rule=rules.rule(RULE).title(lang), n="{n}")), timeout=wait
            )
            button("t5widgets.all_held").click()
            expect(app.locator(".ck-t5-verified")).to_contain_text(
                t("t5widgets.verified_count", lang, n=breaches, total=breaches), timeout=wait
            )

            # 8. declare and save
            tabs.nth(7).click()
            app.get_by_label(t("widgets.declare", lang)).check()
            button("widgets.save").click()
            expect(app.get_by_text(_until(t("widgets.saved", lang, path="{path}")))).to_be_visible(timeout=wait)
        finally:
            browser.close()

    doc = registry.load_answer(answer)
    assert isinstance(doc, T5Answer)
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T5", ORG, SEED, "browser", lang)
    assert doc.thresholds == figures
    expected = ref.add_scan(RULE)
    assert sorted(finding_key(f) for f in doc.findings) == sorted(finding_key(f) for f in expected)
    assert [f.rows for f in sorted(doc.findings, key=finding_key)] == [
        f.rows for f in sorted(expected, key=finding_key)
    ]
    assert doc.next_month_run and all(f.verification == "held" for f in doc.findings)
    assert doc.declaration is not None and doc.declaration.agreed
    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)  # only the outside world was refused (icon CSS from a CDN)
