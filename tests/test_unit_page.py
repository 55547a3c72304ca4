"""The unit portfolio page and the cohort index of unit results, rendered from real unit documents: graded, marked,
moderated and signed in a gradebook, decided by casekit.cohort.unit; plus the missing-CJK-font warning, and the page
printed to A4 PDF in chromium with the marks column whole."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS, FIXTURE_ANSWERS, offline
from markupsafe import escape

import casekit.assets as assets
import casekit.fonts as fonts
from casekit.assessment.plan import Plan, load_plan
from casekit.assessment.records import GradingRun, Moderation, SignOff
from casekit.cohort import unit as cohort_unit
from casekit.cohort.unit import unit_decision, unit_document
from casekit.errors import UsageError
from casekit.execution.manifest import SEAL_IN_INDEX
from casekit.grading import grade_submission
from casekit.i18n import LANGS, catalog, t
from casekit.portfolio import render_unit_index, render_unit_page, unit_page
from casekit.rubric import AssessorMark
from casekit.standard import load_standard
from casekit.store import Gradebook

STRONG, COMPETENT = "v1-strong", "v1-competent"
HOSTILE = "<script>alert(1)</script>"
MARKED = "2026-11-28T10:00:00+00:00"  # 18:00 in Taipei
GENERATED = "2026-11-28T13:00:00+00:00"
SECTIONS = ("decision", "reasons", "coverage", "components", "moderation", "signoffs", "provenance")


def _e(text: object) -> str:
    """``text`` as the page shows it (Jinja's autoescape)."""
    return str(escape(text))


KEY_LEAK = re.compile(r"\b(?:unitpage|unit|rubric|portfolio)\.[a-z][a-z0-9_]+\b")


def _pages(candidate: str, up: str = "../") -> dict[str, str]:
    return {f"{candidate}/T4": f"{up}portfolios/{candidate}.html"}


@pytest.fixture(scope="module")
def runs() -> dict[str, GradingRun]:
    return {c: grade_submission(FIXTURE_ANSWERS / f"{c}.json").run for c in (STRONG, COMPETENT)}


@pytest.fixture(scope="module")
def t4_only() -> Plan:
    return load_plan(assets.plan("t4-only.yaml"))


@pytest.fixture(scope="module")
def book(runs: dict[str, GradingRun], t4_only: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1-strong marked (a hostile reason), moderated, signed by its assessor and with a void moderator sign-off;
    v1-competent with one mark, two criteria still awaiting an assessor."""
    path = tmp_path_factory.mktemp("unit") / "g.sqlite"
    with Gradebook(path) as b:
        for run in runs.values():
            b.record_grading(run)
        for c in ("T4-C11", "T4-C12", "T4-C13"):
            b.add_mark(f"{STRONG}/T4", AssessorMark(c, "Lin", "met", f"clear {HOSTILE} ok", MARKED))
        b.add_moderation(f"{STRONG}/T4", Moderation("T4-C12", "Chen", "disagree", "not specific", _at(11)))
        b.add_moderation(
            f"{STRONG}/T4", Moderation("T4-C12", "Chen", "resolve", "discussed", _at(11, 30), outcome="upheld")
        )
        b.add_mark(f"{COMPETENT}/T4", AssessorMark("T4-C11", "Lin", "met", "fine", MARKED))
        _, decision = unit_decision(b, t4_only, STRONG)
        b.add_signoff(SignOff(STRONG, "Lin", "assessor", f"valid, authentic {HOSTILE}", decision.digest, _at(12)))
        b.add_signoff(SignOff(STRONG, "Chen", "moderator", "signed too early", "0" * 64, _at(12, 30)))
    return path


def _at(hour: int, minute: int = 0) -> str:
    return f"2026-11-28T{hour:02d}:{minute:02d}:00+00:00"


DocMaker = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def make_doc(book: Path, t4_only: Plan) -> DocMaker:
    def make(
        candidate: str = STRONG, lang: str = "en", plan: Plan | None = None, *, index: bool = False
    ) -> dict[str, Any]:
        """The candidate's unit document, its case-page links relative to the unit page (or to the index)."""
        with Gradebook(book) as b:
            inputs, decision = unit_decision(b, plan or t4_only, candidate)
        pages = _pages(candidate, "" if index else "../")
        return unit_document(inputs, decision, lang, pages=pages, generated_at=GENERATED)

    return make


def _page(doc: dict[str, Any], tmp_path: Path, lang: str = "en") -> str:
    out = render_unit_page(doc, tmp_path / "units" / f"{doc['candidate_id']}.html", lang)
    return out.read_text(encoding="utf-8")


def _row(page: str, row_id: str) -> str:
    found = re.search(rf'<tr[^>]*id="{re.escape(row_id)}"[^>]*>.*?</tr>', page, re.S)
    assert found, row_id
    return found.group(0)


# --- the unit page ------------------------------------------------------------------------------------------------


def test_the_schema_is_the_cohort_layers() -> None:
    assert unit_page.UNIT_SCHEMA == cohort_unit.UNIT_SCHEMA
    assert unit_page.UNIT_SCHEMA_VERSION == cohort_unit.UNIT_SCHEMA_VERSION


def test_every_label_exists_in_both_catalogs() -> None:
    names = [*unit_page.LABELS, *(f"method_{m.id}" for m in load_standard().of_kind("method"))]
    for lang in LANGS:
        missing = [n for n in names if f"unitpage.{n}" not in catalog(lang)]
        assert not missing, (lang, missing)


def test_sections_in_order_decision_and_reasons_first(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc()
    page = _page(doc, tmp_path)
    where = [page.index(f'id="ck-{s}"') for s in SECTIONS]
    assert where == sorted(where)
    header = page[: page.index('id="ck-coverage"')]
    assert f'<span class="ck-badge ck-badge-big ck-state-{doc["outcome"]}">{_e(doc["label"])}</span>' in header
    assert doc["reasons"], "the document has reasons to show"
    for reason in doc["reasons"]:
        assert _e(reason["text"]) in header
    assert doc["outcome"] == "awaiting_signoff"  # the moderator's sign-off is void
    assert t("unitpage.evidence_says", "en") in header and _e(doc["evidence_label"]) in header
    assert "BGM4R0172v2" in header and STRONG in header
    assert "ck-state-awaiting_signoff" in header


def test_no_reasons_is_said_in_words(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc() | {"reasons": []}
    page = _page(doc, tmp_path)
    assert t("unitpage.no_reasons", "en") in page


def test_matrix_has_every_p_and_e_with_the_uncovered_marked(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc(plan=load_plan())
    page = _page(doc, tmp_path)
    unit = load_standard()
    rows = [e.id for e in unit.elements if e.kind in ("indicator", "evidence")]
    assert len(rows) == 20
    assert "P1.1" in doc["uncovered"]
    for element in rows:
        row = _row(page, f"ck-element-{element}")
        assert _e(unit.get(element).text["en"]) in row
        uncovered = element in doc["uncovered"]
        assert ("ck-uncovered" in row) is uncovered, element
        assert (t("unitpage.uncovered", "en") in row) is uncovered, element
    assert "ck-uncovered" not in _row(page, "ck-element-P4.1")  # covered by T4 under any plan
    methods = page[page.index('class="ck-fixed ck-methods"') :]
    methods = methods[: methods.index("</table>")]
    for m in ("M1", "M2", "M3"):
        assert t(f"unitpage.method_{m}", "en") in methods
    assert methods.count(t("unitpage.uncovered", "en")) == len([u for u in doc["uncovered"] if u.startswith("M")])


def test_the_matrix_under_a_plan_of_t4_alone_links_criteria_to_the_case_page(
    make_doc: DocMaker, tmp_path: Path
) -> None:
    doc = make_doc()
    page = _page(doc, tmp_path)
    assert doc["uncovered"] == []
    assert 'class="ck-uncovered"' not in page
    row = _row(page, "ck-element-P4.4")
    assert t("unitpage.yes", "en") in row
    for criterion in ("T4-C09", "T4-C13"):
        assert f'<a href="../portfolios/{STRONG}.html">{criterion}</a>' in row
    assert f'<a href="../portfolios/{STRONG}.html">{t("unitpage.open_case", "en")}</a>' in page
    assert _row(page, "ck-element-P1.1").count("<a ") == 0


def test_a_link_that_is_not_relative_is_refused(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc()
    for bad in ("javascript:alert(1)", "https://example.org/x.html", "/etc/passwd"):
        hostile = doc | {"components": [doc["components"][0] | {"href": bad}]}
        with pytest.raises(UsageError, match="relative"):
            render_unit_page(hostile, tmp_path / "x.html", "en")
    with pytest.raises(UsageError, match="casekit-unit-result"):
        render_unit_page(doc | {"schema": "casekit-result"}, tmp_path / "x.html", "en")


def test_components_show_attempts_grading_run_and_marks(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc()
    page = _page(doc, tmp_path)
    (comp,) = doc["components"]
    section = page[page.index('id="ck-components"') : page.index('id="ck-moderation"')]
    attempt = comp["attempts"][0]
    assert attempt["sha256"][:12] in section and attempt["sha256"] not in section  # short in the history
    assert attempt["source"] == f"{STRONG}.json" and attempt["source"] in section
    assert t("unitpage.col_recorded", "en") in section and "Asia/Taipei" in t("unitpage.col_recorded", "en")
    graded = comp["graded"]
    for value in (graded["rubric_id"], graded["rubric_sha256"], graded["casekit_version"], graded["local_time"]):
        assert _e(str(value)) in section
    assert _e(comp["decision"]["label"]) in section
    assert _e(t("unitpage.col_mark", "en")) in section
    for criterion in comp["criteria"]:
        row = _row(section, f"ck-criterion-{criterion['id']}")
        assert _e(criterion["title"]) in row and _e(criterion["judgement"]) in row
        assert f"ck-state-{criterion['state']}" in row and _e(criterion["state_label"]) in row
        if criterion["id"] in ("T4-C11", "T4-C12", "T4-C13"):
            assert "Lin" in row and "2026-11-28 18:00" in row  # 10:00 UTC shown in Taipei
            assert _e(f"clear {HOSTILE} ok") in row
        else:
            assert t("unitpage.no_mark", "en") in row


def test_hostile_text_is_escaped_everywhere(make_doc: DocMaker, tmp_path: Path) -> None:
    page = _page(make_doc(), tmp_path)
    assert "<script" not in page.lower()
    assert page.count(_e(HOSTILE)) >= 4  # three mark reasons (and their judgements), the statement
    assert f"valid, authentic {_e(HOSTILE)}" in page


def test_moderation_trail_and_sign_offs_valid_and_void(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc()
    page = _page(doc, tmp_path)
    trail = page[page.index('id="ck-moderation"') : page.index('id="ck-signoffs"')]
    assert trail.count("<tr>") == 1 + 2  # the header and two records
    assert "Chen" in trail and "not specific" in trail and "2026-11-28 19:00" in trail and "2026-11-28 19:30" in trail
    assert t("unit.moderation_disagree", "en") in trail and t("unit.resolution_upheld", "en") in trail
    signoffs = page[page.index('id="ck-signoffs"') : page.index('id="ck-provenance"')]
    rows = re.findall(r'<tr class="ck-(valid|void)">(.*?)</tr>', signoffs, re.S)
    assert [kind for kind, _ in rows] == ["valid", "void"]
    assert "Lin" in rows[0][1] and doc["digest"] in rows[0][1] and "2026-11-28 20:00" in rows[0][1]
    assert "Chen" in rows[1][1] and "0" * 64 in rows[1][1] and t("unitpage.void", "en") in rows[1][1]
    for role in ("assessor", "moderator"):
        assert t(f"unit.role_{role}", "en") in signoffs
    assert t("unitpage.signoff_signed", "en") in signoffs and t("unitpage.signoff_awaiting", "en") in signoffs
    assert doc["digest"] in signoffs[signoffs.index(t("unitpage.current_digest", "en")) :]


def test_provenance_names_every_sha256_and_what_it_covers(make_doc: DocMaker, tmp_path: Path) -> None:
    doc = make_doc()
    page = _page(doc, tmp_path)
    provenance = page[page.index('id="ck-provenance"') :]
    for value in (doc["versions"]["casekit"], doc["plan"]["id"], doc["plan"]["file"], doc["plan"]["sha256"]):
        assert value in provenance
    assert doc["versions"]["rubrics"]["T4"]["file"] in provenance
    assert doc["versions"]["rubrics"]["T4"]["sha256"] in provenance
    assert doc["digest"] in provenance
    assert "2026-11-28 21:00" in provenance  # generated at 13:00 UTC
    for name in ("explain_plan", "explain_rubric", "explain_digest"):
        assert _e(t(f"unitpage.{name}", "en")) in provenance


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_with_no_key_leaking(make_doc: DocMaker, tmp_path: Path, lang: str) -> None:
    for plan in (None, load_plan()):
        doc = make_doc(lang=lang, plan=plan)
        page = _page(doc, tmp_path, lang)
        assert f'<html lang="{lang}">' in page
        assert "unitpage." not in page
        assert not KEY_LEAK.findall(page)
        for name in ("sec_coverage", "sec_components", "sec_signoffs", "col_mark", "void"):
            assert _e(t(f"unitpage.{name}", lang)) in page
    if lang == "zh-TW":
        assert "評量項目" in page and "簽核" in page and "行為指標" in page


# --- the cohort index ---------------------------------------------------------------------------------------------


@pytest.fixture
def index(make_doc: DocMaker, tmp_path: Path) -> tuple[str, list[dict[str, Any]]]:
    units = [make_doc(c, index=True) | {"href": f"units/{c}.html"} for c in (STRONG, COMPETENT)]
    failed = [{"source": "broken.json", "key": "broken/T4", "reason": f"not JSON {HOSTILE}", "href": "logs/b.txt"}]
    out = render_unit_index(units, failed, tmp_path / "index.html", "en", seal="ab" * 32)
    return out.read_text(encoding="utf-8"), units


def test_index_has_a_row_per_candidate_with_badges_and_what_awaits_whom(
    index: tuple[str, list[dict[str, Any]]],
) -> None:
    page, units = index
    rows = re.findall(r'<tr class="ck-candidate">(.*?)</tr>', page, re.S)
    assert len(rows) == 2
    for row, doc in zip(rows, units, strict=True):
        candidate = doc["candidate_id"]
        assert f'<a href="units/{candidate}.html">{candidate}</a>' in row
        assert f'<span class="ck-badge ck-state-{doc["outcome"]}">{_e(doc["label"])}</span>' in row
        (comp,) = doc["components"]
        badge = f'<span class="ck-badge ck-state-{comp["decision"]["outcome"]}">T4 · {comp["decision"]["label"]}'
        assert f'<a href="portfolios/{candidate}.html">{badge}' in row
        for phrase in unit_page.awaiting_phrases(doc, "en"):
            assert _e(phrase) in row
    strong, competent = rows
    assert "sign-off by: moderator" in strong and "T4-C1" not in strong.split("ck-awaits")[1]
    assert _e("an assessor's judgement of T4-C12, T4-C13") in competent
    assert "sign-off by: assessor, moderator" in competent


def test_index_totals_per_criterion(index: tuple[str, list[dict[str, Any]]]) -> None:
    page, _ = index

    def counts(criterion: str) -> list[int]:
        return [int(n) for n in re.findall(r'<td class="ck-num">(\d+)</td>', _row(page, f"ck-total-{criterion}"))]

    # met, not yet met, pending, candidates with it
    assert counts("T4-C01") == [2, 0, 0, 2]
    assert counts("T4-C07") == [1, 1, 0, 2]  # v1-competent's range of rewards is not yet met
    assert counts("T4-C11") == [2, 0, 0, 2]
    assert counts("T4-C12") == [1, 0, 1, 2]


def test_index_lists_failed_gradings_and_carries_the_seal(index: tuple[str, list[dict[str, Any]]]) -> None:
    page, _ = index
    assert "grading failed" in t("unitpage.failed_heading", "en")
    failed = page[page.index(t("unitpage.failed_heading", "en")) :]
    assert "broken.json" in failed and "broken/T4" in failed and '<a href="logs/b.txt">' in failed
    assert _e(HOSTILE) in failed and "<script" not in page.lower()
    assert f'<footer class="ck-footer"><p class="ck-seal" data-seal="{"ab" * 32}">' in page
    found = SEAL_IN_INDEX.search(page)
    assert found and found.group(1) == "ab" * 32


def test_index_awaiting_moderation_and_empty(runs: dict[str, GradingRun], t4_only: Plan, tmp_path: Path) -> None:
    with Gradebook(tmp_path / "g.sqlite") as b:
        b.record_grading(runs[STRONG])
        for c in ("T4-C11", "T4-C12", "T4-C13"):
            b.add_mark(f"{STRONG}/T4", AssessorMark(c, "Lin", "met", "ok", MARKED))
        b.add_moderation(f"{STRONG}/T4", Moderation("T4-C13", "Chen", "disagree", "too thin", _at(11)))
        inputs, decision = unit_decision(b, t4_only, STRONG)
    doc = unit_document(inputs, decision, "zh-TW", pages=_pages(STRONG, "")) | {"href": f"units/{STRONG}.html"}
    assert "rubric.reason_in_moderation" in [r["key"] for r in doc["reasons"]]
    page = render_unit_index([doc], [], tmp_path / "index.html", "zh-TW").read_text(encoding="utf-8")
    assert "審查者裁決 T4-C13" in page
    assert t("unitpage.no_failed", "zh-TW") in page and "ck-seal" not in page
    assert "unitpage." not in page and not KEY_LEAK.findall(page)
    empty = render_unit_index([], [], tmp_path / "empty.html", "en").read_text(encoding="utf-8")
    assert t("unitpage.index_empty", "en") in empty and "ck-total-" not in empty


# --- the font warning ---------------------------------------------------------------------------------------------


@pytest.fixture
def no_fc_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """A PATH with no fc-list, and the font check and the once-per-process warning reset around the test."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(fonts, "_warned", False)
    fonts.has_cjk_font.cache_clear()
    yield
    fonts.has_cjk_font.cache_clear()


@pytest.mark.usefixtures("no_fc_list")
def test_no_fc_list_means_no_cjk_font_and_one_warning(capsys: pytest.CaptureFixture[str]) -> None:
    assert fonts.has_cjk_font() is False
    fonts.warn_if_no_cjk_font("en")
    assert capsys.readouterr().err == ""
    fonts.warn_if_no_cjk_font("zh-TW")
    fonts.warn_if_no_cjk_font("zh_tw")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fonts-noto-cjk" in err and err.strip() == t("unitpage.no_cjk_font", "zh-TW")


@pytest.mark.usefixtures("no_fc_list")
def test_rendering_warns_in_zh_tw_only(make_doc: DocMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _page(make_doc(), tmp_path, "en")
    assert capsys.readouterr().err == ""
    render_unit_page(make_doc(lang="zh-TW"), tmp_path / "zh.html", "zh-TW")
    render_unit_index([], [], tmp_path / "index.html", "zh-TW")
    err = capsys.readouterr().err
    assert err.count("fonts-noto-cjk") == 1


def test_an_fc_list_that_prints_nothing_means_no_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake = tmp_path / "fc-list"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    fonts.has_cjk_font.cache_clear()
    try:
        assert fonts.has_cjk_font() is False
        fake.write_text("#!/bin/sh\necho 'Noto Sans CJK TC'\n")
        fonts.has_cjk_font.cache_clear()
        assert fonts.has_cjk_font() is True
    finally:
        fonts.has_cjk_font.cache_clear()


# --- printed -------------------------------------------------------------------------------------------------------

#: A4's width less the page's 12 mm margins, in CSS pixels: the width a printed page lays out in.
A4_PRINTABLE_PX = round((210 - 2 * 12) / 25.4 * 96)


@pytest.mark.browser
def test_the_printed_page_keeps_the_marks_column_whole(make_doc: DocMaker, tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    doc = make_doc()
    page_path = render_unit_page(doc, tmp_path / "units" / f"{STRONG}.html", "en")
    pdf = tmp_path / "unit.pdf"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": A4_PRINTABLE_PX, "height": 1000})
            refused = offline(page)
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            page.pdf(path=str(pdf), format="A4", print_background=True)
            page.emulate_media(media="print")
            widths = page.evaluate(
                """() => {
                    const root = document.documentElement;
                    const cells = [...document.querySelectorAll('table.ck-criteria, table.ck-criteria *')];
                    const right = Math.max(...cells.map(e => e.getBoundingClientRect().right));
                    const overflowing = cells.filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
                        .map(e => e.tagName + ':' + e.textContent.slice(0, 40));
                    return {scroll: root.scrollWidth, client: root.clientWidth, right, overflowing, n: cells.length};
                }"""
            )
        finally:
            browser.close()
    assert refused == []
    assert widths["n"] > 50
    assert widths["scroll"] <= widths["client"], widths
    assert widths["right"] <= widths["client"] + 0.5, widths
    assert widths["overflowing"] == [], widths
    text = "".join(page_text.extract_text() or "" for page_text in PdfReader(pdf).pages)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", t("unitpage.col_mark", "en")) in flat
    assert flat.count("Lin") >= 4  # three marks and the sign-off
    assert flat.count(re.sub(r"\s+", "", f"clear {HOSTILE} ok")) >= 3
    for criterion in ("T4-C11", "T4-C12", "T4-C13"):
        assert criterion in flat
    assert doc["digest"] in flat and doc["versions"]["rubrics"]["T4"]["sha256"] in flat
