"""The T1 candidate notebook served as a Voila app, driven in Debian's chromium: write the job and its advertisement,
add an interview question, select applicants, set the hire count, declare and save, then check the file on disk.

Voila takes no papermill parameters, so the notebook reads ``CASEKIT_*`` environment variables (set on the Voila
process, which its kernels inherit). Every request not to 127.0.0.1 is refused and recorded: the app must work
without the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS
from test_browser_voila import local_only, voila_server

from casekit.cases.t1_recruitment.advert import JobAdvert
from casekit.cases.t1_recruitment.answer import T1Answer
from casekit.cases.t1_recruitment.case import T1Case
from casekit.i18n import t
from casekit.registry import registry

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t1_recruitment.ipynb"
ORG, SEED, LANG = "bank-cards", 7, "en"
QUESTION = "Tell me about a time you calmed an angry customer. What did you do, and what was the result?"
AD_TEXT = "Handle customer calls and chats on rotating shifts."
UNFAIR = "Are you planning to get married or have children soon?"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def voila(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A Voila server for the T1 notebook on a free port; yields its URL and the answer path."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    answer = tmp_path / "answers" / "browser-t1.json"
    with voila_server(NOTEBOOK, tmp_path, org=ORG, seed=SEED, lang=LANG, answer=answer) as url:
        yield url, answer


def test_a_case_worked_in_the_browser_is_saved(voila: tuple[str, Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, answer = voila
    reference = T1Case(ORG, SEED, "browser", LANG)
    vacancy, places = reference.vacancy, reference.places
    wait = 300_000

    def button(key: str, **params: Any) -> Any:
        return app.get_by_role("button", name=t(key, LANG, **params), exact=True)

    def field(cls: str) -> Any:
        return app.locator(f".{cls} input, .{cls} textarea").first

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            refused = local_only(page)
            errors: list[Any] = []
            page.on("pageerror", lambda exc: errors.append(exc))
            page.goto(url, wait_until="domcontentloaded", timeout=600_000)
            app = page.locator(".ck-app")
            expect(app).to_be_visible(timeout=600_000)
            tabs = app.locator(".lm-TabBar-tab")

            # 1. the job: title, experience, pay, one skill; then the advertisement, checked as it is typed
            field("ck-job-title").fill("Customer service agent")
            field("ck-job-experience-months").fill("6")
            field("ck-job-experience-months").press("Enter")
            field("ck-job-pay-min").fill(str(vacancy["pay_min"]))
            field("ck-job-pay-min").press("Enter")
            field("ck-job-pay-max").fill(str(vacancy["pay_max"]))
            field("ck-job-pay-max").press("Enter")
            button("t1widgets.add_skill").click()
            button("t1widgets.adopt_job").click()
            expect(app.get_by_text("Job specification adopted: Customer service agent, 1 skill(s).")).to_be_visible(
                timeout=wait
            )
            field("ck-advert-title").fill("Customer service agent")
            field("ck-advert-text").fill(AD_TEXT)
            check = app.locator(".ck-advert-check")
            for issue in reference.advert_issues(JobAdvert(title="Customer service agent", text=AD_TEXT)):
                expect(check).to_contain_text(issue.explain(LANG), timeout=wait)  # no pay range yet
            field("ck-advert-pay-min").fill(str(vacancy["pay_min"]))
            field("ck-advert-pay-max").fill(str(vacancy["pay_max"]))
            field("ck-advert-requested-data").fill("CV")
            expect(check).to_contain_text(t("t1widgets.advert_lawful", LANG), timeout=wait)
            button("t1widgets.adopt_advert").click()
            expect(app.get_by_text(t("t1widgets.advert_adopted", LANG, issues=0))).to_be_visible(timeout=wait)

            # 2. the kit: a question flagged as it is typed, then a fair one adopted
            tabs.nth(1).click()
            button("t1widgets.add_question").click()
            question = app.locator(".ck-question-text textarea").first
            question.fill(UNFAIR)
            flags = app.locator(".ck-question-flags").first
            for flag in reference.question_flags(UNFAIR):
                expect(flags).to_contain_text(flag.explain(LANG), timeout=wait)
            question.fill(QUESTION)
            expect(flags).to_contain_text(t("t1widgets.no_flags", LANG), timeout=wait)
            expect(app.get_by_text(t("t1widgets.kit_adopted", LANG, n=1))).to_be_visible(timeout=wait)

            # 3. the selection: the panel's top applicants, adopted
            tabs.nth(2).click()
            expect(app.locator(".ck-applicants select option")).to_have_count(
                len(reference.world.applicants), timeout=wait
            )
            button("t1widgets.select_top").click()
            expect(app.get_by_text(t("t1widgets.chosen", LANG, n=places, places=places))).to_be_visible(timeout=wait)
            button("t1widgets.adopt_selection").click()
            expect(app.get_by_text(re.compile(r"^Selection adopted: "))).to_be_visible(timeout=wait)

            # 6. staffing: the hire count, the figures following it
            tabs.nth(5).click()
            field("ck-hires").fill("12")
            field("ck-hires").press("Enter")
            expect(app.get_by_text(t("t1widgets.staffing_adopted", LANG, shrinkage="30%", hires="12"))).to_be_visible(
                timeout=wait
            )
            page.screenshot(path=str(answer.parent.parent / "voila-t1-staffing.png"))

            # 8. declare and save
            tabs.nth(7).click()
            app.get_by_label(t("widgets.declare", LANG)).check()
            button("widgets.save").click()
            expect(app.get_by_text(re.compile("^Saved to"))).to_be_visible(timeout=wait)
        finally:
            browser.close()

    doc = registry.load_answer(answer)
    assert isinstance(doc, T1Answer)
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T1", ORG, SEED, "browser", LANG)
    assert doc.job.title == "Customer service agent" and doc.job.experience_months == 6
    assert (doc.job.pay_min, doc.job.pay_max) == (vacancy["pay_min"], vacancy["pay_max"])
    assert len(doc.job.skills) == 1
    assert doc.advert.requested_data == ["CV"] and doc.advert.pay_max == vacancy["pay_max"]
    assert [q.text for q in doc.kit] == [QUESTION]
    assert len(doc.selection.selected) == places and doc.selection.excluded_raters == []
    assert doc.staffing is not None and (doc.staffing.shrinkage, doc.staffing.hires) == (0.3, 12)
    assert doc.declaration is not None and doc.declaration.agreed
    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)  # only the outside world was refused (icon CSS from a CDN)
