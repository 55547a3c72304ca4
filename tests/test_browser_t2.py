"""The T2 candidate notebook served as a Voila app, driven in Debian's chromium, in zh-TW and in English: list a
data problem of the skills records (a blank level, reassessed) and see what the reassessment found, book people on
a session and see the weekly service-level chart and the calendar follow, declare and save, then check the file on
disk.

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

from casekit.cases.t2_training.answer import T2Answer
from casekit.cases.t2_training.case import T2Case
from casekit.i18n import LANGS, t
from casekit.kpi import format_share
from casekit.registry import registry
from casekit.widgets.t2_training.render import offer_title, skill_label, staff_options

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t2_training.ipynb"
ORG, SEED = "bank-cards", 7
#: people booked on the e-learning session: enough hours off the phones to move the week's service level
BOOKED = 20

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(params=LANGS)
def voila(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """A Voila server for the T2 notebook on a free port, in one language; yields its URL, the answer path and
    the language."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    lang = str(request.param)
    answer = tmp_path / "answers" / "browser-t2.json"
    with voila_server(NOTEBOOK, tmp_path, org=ORG, seed=SEED, lang=lang, answer=answer) as url:
        yield url, answer, lang


def _until(text: str) -> re.Pattern[str]:
    """A message's text up to its first placeholder, as a pattern its beginning must match."""
    return re.compile("^" + re.escape(text.split("{", 1)[0]))


def test_a_data_problem_a_booking_and_the_save_in_the_browser(voila: tuple[str, Path, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, answer, lang = voila
    reference = T2Case(ORG, SEED, "browser", lang)
    world = reference.world
    records = reference.records()
    blank = records[records["proficiency"].isna()].iloc[0]
    person, skill = str(blank["staff_id"]), str(blank["skill_id"])
    labels = dict((v, k) for k, v in staff_options(world, lang))
    sessions = world.training_sessions.merge(world.training[["offer_id", "offer_type"]], on="offer_id")
    session = sessions[(sessions["offer_type"] == "e_learning") & (sessions["week"] == 1)].iloc[0]
    offer = str(session["offer_id"])
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
            expect(tabs).to_have_count(7, timeout=wait)

            # 1. the records: the blank level found with the filter, listed as a data problem, reassessed
            app.locator(".ck-records-problem select").select_option(label=t("t2widgets.filter_missing", lang))
            expect(app.locator(".ck-records")).to_contain_text(person, timeout=wait)
            button("t2widgets.add_issue").click()
            row = app.locator(".ck-issues select")
            expect(row).to_have_count(4, timeout=wait)
            row.nth(0).select_option(label=labels[person])
            row.nth(1).select_option(label=skill_label(skill, lang))
            status = app.locator(".ck-issues-status")
            adopted = t("t2widgets.issues_adopted", lang, n=1, people=1, pairs=0)
            expect(status).to_contain_text(adopted, timeout=wait)
            expect(app.locator(".ck-results")).to_contain_text(person, timeout=wait)

            # 4. the plan: people with a gap booked on a week-1 e-learning session; the chart and calendar follow
            tabs.nth(3).click()
            app.locator(".ck-plan-offer select").select_option(label=f"{offer} {offer_title(world, offer, lang)}")
            session_label = t(
                "t2widgets.session_label",
                lang,
                session=session["session_id"],
                week=1,
                start=session["start_date"],
                seats=session["seats"],
            )
            app.locator(".ck-plan-session select").select_option(label=session_label)
            people = app.locator(".ck-plan-people select")
            expect(people.locator("option").first).to_be_attached(timeout=wait)
            offered = people.locator("option").all_inner_texts()[:BOOKED]
            chart = app.locator(".ck-sl-chart")
            before = chart.inner_html()
            people.select_option(label=offered)
            button("t2widgets.book").click()
            plan_status = app.locator(".ck-plan-status")
            expect(plan_status).to_contain_text(
                t("t2widgets.plan_adopted", lang, bookings=len(offered), deferred=0), timeout=wait
            )
            booked = [(re.split(r"\s", label, maxsplit=1)[0], str(session["session_id"])) for label in offered]
            issue = {"staff_id": person, "skill_id": skill, "problem": "missing", "action": "reassess"}
            reference.set_data_issues([issue])
            reference.set_plan([{"staff_id": s, "session_id": x} for s, x in booked])
            weekly = reference.weekly_service_level()
            week_one = t("t2widgets.week_n", lang, week=1) + ": " + format_share(weekly["service_level"].iloc[0], 1)
            expect(chart.locator("rect.ck-sl-bar title").first).to_have_text(week_one, timeout=wait)
            assert chart.inner_html() != before
            calendar = app.locator(".ck-calendar")
            expect(calendar).to_contain_text(f"{len(offered)}/{int(session['seats'])}", timeout=wait)
            shots = answer.parent.parent
            page.screenshot(path=str(shots / f"voila-t2-plan-{lang}.png"))
            chart.screenshot(path=str(shots / f"voila-t2-chart-{lang}.png"))
            calendar.screenshot(path=str(shots / f"voila-t2-calendar-{lang}.png"))

            # 7. declare and save
            tabs.nth(6).click()
            app.get_by_label(t("widgets.declare", lang)).check()
            button("widgets.save").click()
            expect(app.get_by_text(_until(t("widgets.saved", lang, path="{path}")))).to_be_visible(timeout=wait)
        finally:
            browser.close()

    doc = registry.load_answer(answer)
    assert isinstance(doc, T2Answer)
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T2", ORG, SEED, "browser", lang)
    assert [(i.staff_id, i.skill_id, i.problem, i.action) for i in doc.data_issues] == [
        (person, skill, "missing", "reassess")
    ]
    assert [(b.staff_id, b.session_id) for b in doc.plan] == booked
    assert doc.reported.lowest_service_level == pytest.approx(round(float(weekly["service_level"].min()), 4))
    assert doc.declaration is not None and doc.declaration.agreed
    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)  # only the outside world was refused (icon CSS from a CDN)
