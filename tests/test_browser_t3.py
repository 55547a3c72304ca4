"""The T3 candidate notebook served as a Voila app, driven in Debian's chromium, in zh-TW and in English, worked end
to end: the strong candidate's KPI set for every role; every member's targets prefilled by the peers' median for
every member, one target proposed beyond the member's best so that they object in their words, revised and
replied to, then every member recorded; the monthly calendar drafted, each PIP review added by its date and the
problems gone, the data plan a row per KPI; the appraisal open, every member rated as the data rates them (read
from the page), the texts written; declared and saved, then the file on disk checked.

Voila takes no papermill parameters, so the notebook reads ``CASEKIT_*`` environment variables (set on the Voila
process, which its kernels inherit). Every request not to 127.0.0.1 is refused and recorded: the app must work
without the network.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS
from test_browser_t2 import _until
from test_browser_voila import local_only, voila_server

from casekit.cases.t3_performance.answer import T3Answer
from casekit.cases.t3_performance.case import T3Case
from casekit.cases.t3_performance.profiles import build_case
from casekit.i18n import LANGS, t
from casekit.registry import registry
from casekit.widgets.t3_performance import forms
from casekit.widgets.t3_performance.kpi_sets import kpi_option
from casekit.widgets.t3_performance.render import kpi_label, member_options

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "candidate" / "t3_performance.ipynb"
ORG, SEED = "bank-cards", 7

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(params=LANGS)
def voila(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path, str]]:
    """A Voila server for the T3 notebook on a free port, in one language; yields its URL, the answer path and
    the language."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    lang = str(request.param)
    answer = tmp_path / "answers" / "browser-t3.json"
    with voila_server(NOTEBOOK, tmp_path, org=ORG, seed=SEED, lang=lang, answer=answer) as url:
        yield url, answer, lang


def _objection(ref: T3Case) -> tuple[str, str, float, float]:
    """A member and KPI of theirs without a band reason, a target beyond their ceiling, and their median."""
    bands = ref.bands()
    wanted = ref.wanted().merge(bands, on=["staff_id", "kpi"], how="inner")
    plain = wanted[(wanted["reason"].fillna("") == "") & (wanted["kpi"] == "qa")]
    row = plain.iloc[0]
    beyond = round(float(row["ceiling"]) + 2.0, 1)
    return str(row["staff_id"]), "qa", beyond, round(float(row["median"]), 1)


def test_the_case_worked_end_to_end_and_saved_in_the_browser(voila: tuple[str, Path, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, answer, lang = voila
    ref = build_case("strong", ORG, SEED, "browser", lang)
    members = ref.members()
    labels = dict((v, k) for k, v in member_options(members, lang))
    person, kpi, beyond, median = _objection(ref)
    said = ref.propose([(person, kpi, beyond)]).iloc[0]
    assert said["verdict"] == "object"
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
            expect(app.locator(".ck-t3-history")).to_contain_text(kpi_label("aht_s", lang), timeout=wait)

            # 2. a KPI set for every role, as the strong candidate chooses it
            tabs.nth(1).click()
            status = app.locator(".ck-t3-sets-status")
            for role, chosen in ref.kpi_sets.items():
                app.locator(f".ck-t3-set-{role} select").select_option(
                    label=[kpi_option(k, lang)[0] for k in chosen.kpis]
                )
            expect(status).to_contain_text(
                t("t3widgets.sets_adopted", lang, n=len(ref.kpi_sets), pairs=len(ref.wanted())), timeout=wait
            )

            # 3. every member prefilled by the peers' median; one target beyond the member's best, objected to
            tabs.nth(2).click()
            app.locator(".ck-t3-prefill select").select_option(label=t("t3widgets.prefill_peer_median", lang))
            button("t3widgets.scope_all").click()
            button("t3widgets.fill").click()
            targets_status = app.locator(".ck-t3-targets-status")
            expect(targets_status).to_contain_text(_until(t("t3widgets.filled", lang, n="{n}", blank=0)), timeout=wait)
            app.locator(".ck-t3-target-member select").select_option(label=labels[person])
            row = app.locator(f".ck-t3-target-row.ck-t3-of-{person}", has_text=kpi_label(kpi, lang))
            peer = forms.prefill("peer_median", [(person, kpi)], ref.bands(), ref.peers(), members)[(person, kpi)]
            expect(row.locator(".ck-t3-proposed input")).to_have_value(forms.number_text(peer), timeout=wait)
            row.locator(".ck-t3-proposed input").fill(str(beyond))
            row.locator(".ck-t3-proposed input").press("Enter")
            expect(row.locator(".ck-t3-response")).to_contain_text(str(said["comment"]), timeout=wait)
            row.locator(".ck-t3-agreed input").fill(str(median))
            row.locator(".ck-t3-agreed input").press("Enter")
            row.locator(".ck-t3-reply input").fill("OK")
            row.locator(".ck-t3-reply input").press("Enter")
            expect(row.locator(".ck-t3-at-agreed")).to_be_visible(timeout=wait)
            button("t3widgets.record_all").click()
            expect(app.locator(".ck-t3-missing")).to_contain_text(
                t("t3widgets.all_agreed", lang, n=len(ref.wanted())), timeout=wait
            )

            # 4. the calendar drafted, the PIP reviews added, nothing missing; the data plan a row per KPI
            tabs.nth(3).click()
            button("t3widgets.draft_calendar").click()
            problems = app.locator(".ck-t3-review-problems")
            expect(problems).to_contain_text(_until(t("t3widgets.calendar_problems", lang, n="{n}")), timeout=wait)
            first_day = ref.calendar().history_end + dt.timedelta(days=1)
            pip_days = []
            for pip in ref.pips().itertuples(index=False):
                day = max(dt.date.fromisoformat(str(pip.start_date)) + dt.timedelta(days=10), first_day)
                pip_days.append((str(pip.staff_id), day))
                app.locator(".ck-t3-review-member select").select_option(label=labels[str(pip.staff_id)])
                app.locator(".ck-t3-review-kind select").select_option(label=t("t3widgets.kind_pip_review", lang))
                app.locator(".ck-t3-review-date input").fill(day.isoformat())
                app.locator(".ck-t3-review-date input").press("Enter")
                button("t3widgets.add_review").click()
            expect(problems).to_contain_text(t("t3widgets.calendar_complete", lang), timeout=wait)
            expect(app.locator(".ck-t3-calendar")).to_contain_text("⚑", timeout=wait)
            app.locator(".ck-t3-calendar").screenshot(path=str(answer.parent.parent / f"voila-t3-calendar-{lang}.png"))
            button("t3widgets.plan_every_kpi").click()
            n_kpis = len(set(ref.wanted()["kpi"]))
            expect(app.locator(".ck-t3-plan-status")).to_contain_text(
                t("t3widgets.plan_adopted", lang, n=n_kpis), timeout=wait
            )

            # 5. the appraisal open: every member rated as the data rates them
            tabs.nth(4).click()
            rows = app.locator(".ck-t3-rating-row")
            expect(rows).to_have_count(len(members), timeout=wait)
            for i in range(len(members)):
                rating = rows.nth(i).locator(".ck-t3-computed").get_attribute("data-rating")
                assert rating is not None
                rows.nth(i).locator("select").select_option(index=int(rating))
            expect(app.locator(".ck-t3-ratings-status")).to_contain_text(
                t("t3widgets.ratings_adopted", lang, n=len(members)), timeout=wait
            )
            expect(app.locator(".ck-t3-charts svg").first).to_be_visible(timeout=wait)
            app.locator(".ck-t3-charts").screenshot(path=str(answer.parent.parent / f"voila-t3-charts-{lang}.png"))

            # 6. the texts; 7. declare and save
            tabs.nth(5).click()
            areas = app.locator("textarea")
            areas.nth(0).fill("Balanced sets; objections heard.")
            areas.nth(1).fill("Next: calibrate the QA targets.")
            areas.nth(1).press("Tab")
            tabs.nth(6).click()
            app.get_by_label(t("widgets.declare", lang)).check()
            button("widgets.save").click()
            expect(app.get_by_text(_until(t("widgets.saved", lang, path="{path}")))).to_be_visible(timeout=wait)
        finally:
            browser.close()

    doc = registry.load_answer(answer)
    assert isinstance(doc, T3Answer)
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T3", ORG, SEED, "browser", lang)
    assert {(s.role, tuple(s.kpis)) for s in doc.kpi_sets} == {(r, tuple(s.kpis)) for r, s in ref.kpi_sets.items()}
    assert len(doc.agreements) == len(ref.wanted())
    objected = next(a for a in doc.agreements if (a.staff_id, a.kpi) == (person, kpi))
    assert (objected.proposed, objected.agreed, objected.member_verdict, objected.change, objected.reply) == (
        beyond,
        median,
        "object",
        "revised",
        "OK",
    )
    assert objected.member_comment == said["comment"]
    peers = forms.prefill(
        "peer_median", [(a.staff_id, a.kpi) for a in doc.agreements], ref.bands(), ref.peers(), members
    )
    others = [a for a in doc.agreements if (a.staff_id, a.kpi) != (person, kpi)]
    assert all(a.proposed == pytest.approx(peers[(a.staff_id, a.kpi)]) for a in others)
    assert {(r.staff_id, r.date) for r in doc.reviews if r.kind == "pip_review"} == set(pip_days)
    assert len(doc.data_plan) == len(set(ref.wanted()["kpi"]))
    ref.set_agreements(doc.agreements)
    rated = dict(zip(ref.ratings()["staff_id"], ref.ratings()["rating"], strict=True))
    assert {r.staff_id: r.rating for r in doc.appraisal} == rated
    assert doc.declaration is not None and doc.declaration.agreed
    assert not errors, errors
    assert all("127.0.0.1" not in u for u in refused)  # only the outside world was refused (icon CSS from a CDN)
