"""T3's evidence sections, rendered from graded submissions without a kernel: a KPI set without quality or the role's
own measure says what it lacks, a target beyond its band comes first and is charted, an agreement not on record or
recorded as accepted where the member objected is marked, a late PIP review shows its deadline, a quarterly data
plan is too rare, a rating that differs from the data, a missing development plan and a forgotten recognition are
marked, every candidate text is escaped, both languages are complete, and the checks' figures are read from the
grading's cache rather than computed again."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from casekit.answers import dumps_answer
from casekit.cases.sections import Section
from casekit.cases.t3_performance import appraisal, calendar, history, response
from casekit.cases.t3_performance import checks_base as cb
from casekit.cases.t3_performance.answer import Agreement, KpiSet, Recognition, T3Answer
from casekit.cases.t3_performance.checks import CHECKS
from casekit.cases.t3_performance.checks_base import target_bands
from casekit.cases.t3_performance.development import PLAN_PROBLEMS
from casekit.cases.t3_performance.evidence import SECTIONS
from casekit.cases.t3_performance.evidence_more import MAX_ROWS, day, person
from casekit.cases.t3_performance.kind import KIND
from casekit.html import esc
from casekit.i18n import catalog, t
from casekit.rubric import CaseResult, CheckContext, Decision, Rubric, decide, run_checks
from casekit.scenario import World, world_for
from casekit.scenario.performance import appraisal_calendar

ORG, SEED = "ecommerce-cs", 1
LANGS = ("en", "zh-TW")


class Graded:
    """A graded T3 submission as the grading notebook's ``GradedCase`` gives it to the sections."""

    def __init__(self, answer: T3Answer, world: World, rubric: Rubric) -> None:
        self.answer, self.world, self.rubric = answer, world, rubric
        self.context: CheckContext = cb.grading_context(json.loads(dumps_answer(answer)), world)
        self.result: CaseResult = run_checks(rubric, self.context, registry=CHECKS)
        self.decision: Decision = decide(self.result)
        self.sha256 = "0" * 64

    @property
    def cache(self) -> Mapping[str, Any]:
        cached: Mapping[str, Any] = self.context.extras["cache"]
        return cached


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


@cache
def _answer(profile: str) -> T3Answer:
    from casekit.cases.t3_performance.profiles import build_case

    answer = build_case(profile, ORG, SEED, "C1", "en", world=world_for(ORG, SEED)).to_answer()
    assert isinstance(answer, T3Answer)
    return answer


@pytest.fixture(scope="module")
def strong(world: World, rubric: Rubric) -> Graded:
    return Graded(_answer("strong"), world, rubric)


def _section(section_id: str) -> Section:
    return next(s for s in SECTIONS if s.id == section_id)


def _render(graded: Graded, section_id: str, lang: str = "en") -> str:
    return _section(section_id).render(graded, lang)


def _rows(html: str, *texts: str) -> list[str]:
    return [r for r in re.findall(r"<tr>.*?</tr>", html) if all(x in r for x in texts)]


def _row_with(html: str, *texts: str) -> str:
    """The one table row of ``html`` that contains every text."""
    rows = _rows(html, *texts)
    assert len(rows) == 1, (texts, rows)
    return rows[0]


def _names(world: World) -> dict[str, str]:
    return dict(zip(world.members["staff_id"], world.members["name"], strict=True))


def _criterion(graded: Graded, check: str) -> Any:
    return next(c for c in graded.result.criteria if c.auto is not None and c.auto.check == check)


def test_sections_are_the_six_parts_with_titles_in_both_languages() -> None:
    ids = [s.id for s in SECTIONS]
    assert ids == ["t3-kpi-sets", "t3-targets", "t3-agreements", "t3-calendar", "t3-appraisal", "t3-texts"]
    for lang in LANGS:
        assert all(s.title_key in catalog(lang) for s in SECTIONS)


def test_the_strong_answer_has_nothing_marked(strong: Graded) -> None:
    assert all(c.state == "met" for c in strong.result.criteria if c.auto is not None)
    for lang in LANGS:
        html = "".join(_render(strong, s.id, lang) for s in SECTIONS)
        assert "t3-flag" not in html, lang


def test_a_set_says_what_it_lacks(world: World, rubric: Rubric, strong: Graded) -> None:
    html = _render(strong, "t3-kpi-sets")
    assert t("t3evidence.lacks_nothing", "en") in html and "t3-flag" not in html
    assert esc(t("t3evidence.n5_quality", "en")) in html and esc(t("t3evidence.dim_efficiency", "en")) in html
    graded = Graded(_answer("aht_only"), world, rubric)
    html = _render(graded, "t3-kpi-sets")
    selling = _rows(html, t("t3evidence.lack_quality", "en"))
    assert selling and all(esc(t("t3evidence.lack_conversion_qa", "en")) in row for row in selling)
    # a team leader measured on an agent's KPI and without retention
    sets = [s for s in strong.answer.kpi_sets if s.role != "team_leader"]
    leader = KpiSet(role="team_leader", kpis=["team_qa", "aht_s"], note="")
    graded = Graded(strong.answer.model_copy(update={"kpi_sets": [*sets, leader]}), world, rubric)
    html = _render(graded, "t3-kpi-sets", "en")
    row = _row_with(html, esc(t("t3evidence.lack_retention", "en")))
    label = history.catalog()["aht_s"].en
    assert esc(t("t3evidence.kpi_not_measurable", "en", kpi=label)) in row
    zh = _render(graded, "t3-kpi-sets", "zh-TW")
    assert t("t3evidence.lack_retention", "zh-TW") in zh


def test_a_target_beyond_its_band_comes_first_and_is_charted(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("above_p95"), world, rubric)
    frame = target_bands(graded.context)
    above = frame[frame["position"] == "above"]
    assert len(above), "the above_p95 profile no longer sets a target beyond the ceiling"
    html = _render(graded, "t3-targets")
    first = re.findall(r"<tr>.*?</tr>", html)[1]
    assert t("t3evidence.position_above", "en") in first and "t3-flag" in first
    staff, kpi = str(above["staff_id"].iloc[0]), str(above["kpi"].iloc[0])
    row = _rows(html, person(staff, _names(world)), esc(history.catalog()[kpi].en))[0]
    agreed = float(above["agreed"].iloc[0])
    assert esc(history.format_value(kpi, agreed)) in row
    assert f"{len(above)} beyond the ceiling" in html
    plain = above[above["reason"].isin(["", "no_history"])]
    assert _criterion(graded, "targets_attainable").evidence["above_count"] == len(plain)
    chart = esc(t("t3evidence.chart_targets", "en", member=staff))
    assert chart in html and "<circle" in html and 'stroke="#c00"' in html
    strong = Graded(_answer("strong"), world, rubric)
    assert "<svg" not in _render(strong, "t3-targets")  # every target inside its band: no chart


def test_a_trivially_low_target_shows_below_the_floor(world: World, rubric: Rubric, strong: Graded) -> None:
    first = strong.answer.agreements[0]
    bands = cb.bands(strong.context)
    band = bands[(bands["staff_id"] == first.staff_id) & (bands["kpi"] == first.kpi)].to_dict("records")[0]
    low = float(band["floor"]) - float(band["direction"]) * max(abs(float(band["floor"])) * 0.2, 1.0)
    changed = first.model_copy(update={"agreed": low, "proposed": low})
    graded = Graded(
        strong.answer.model_copy(update={"agreements": [changed, *strong.answer.agreements[1:]]}), world, rubric
    )
    html = _render(graded, "t3-targets")
    first_row = re.findall(r"<tr>.*?</tr>", html)[1]
    assert t("t3evidence.position_below", "en") in first_row and first.staff_id in first_row
    assert "1 below the floor" in html
    assert "<svg" in html and esc(t("t3evidence.chart_targets", "en", member=first.staff_id)) in html


def test_agreements_mark_the_unrecorded_and_the_accept_over_an_objection(world: World, rubric: Rubric) -> None:
    strong = _answer("strong")
    objections = [a for a in strong.agreements if a.member_verdict == "object"]
    assert objections, "no member objects in this world"
    # recorded as accepted where the member objected to the value proposed
    over = objections[0].model_copy(update={"member_verdict": "accept", "member_reason": None})
    agreements = [over if a == objections[0] else a for a in strong.agreements]
    graded = Graded(strong.model_copy(update={"agreements": agreements}), world, rubric)
    html = _render(graded, "t3-agreements")
    marked = esc(t("t3evidence.fault_accept_over_objection", "en"))
    row = _row_with(html, marked)
    assert row == re.findall(r"<tr>.*?</tr>", html)[1]  # the problems come first
    assert person(over.staff_id, _names(world)) in row and esc(history.catalog()[over.kpi].en) in row
    why = t(f"t3evidence.why_{objections[0].member_reason}", "en")
    said = esc(t("t3evidence.verdict_object", "en", reason=why))
    assert f"<td>{said}</td><td>{esc(t('t3evidence.verdict_accept', 'en'))}</td>" in row
    assert "recorded as accepted where the member objected: 1;" in html
    assert _criterion(graded, "agreements_recorded").evidence["mismatched"] == [f"{over.staff_id}/{over.kpi}"]
    # an agreement not on record
    dropped = strong.agreements[5]
    kept = [a for a in strong.agreements if a != dropped]
    graded = Graded(strong.model_copy(update={"agreements": kept}), world, rubric)
    html = _render(graded, "t3-agreements")
    row = _row_with(html, esc(t("t3evidence.fault_missing", "en")))
    assert row == re.findall(r"<tr>.*?</tr>", html)[1]
    assert person(dropped.staff_id, _names(world)) in row and esc(history.catalog()[dropped.kpi].en) in row
    assert "Not on record: 1;" in html
    assert esc(t("t3evidence.fault_missing", "zh-TW")) in _render(graded, "t3-agreements", "zh-TW")
    # targets written down without the members' side: every row says the member's words are missing
    graded = Graded(_answer("agreement_unrecorded"), world, rubric)
    html = _render(graded, "t3-agreements")
    pairs = len(cb.wanted(graded.context))
    assert f"without the member&#x27;s words: {pairs};" in html
    assert len(_rows(html, esc(t("t3evidence.fault_no_words", "en")))) == min(pairs, MAX_ROWS)


def test_a_late_pip_review_shows_its_deadline_and_the_calendar_is_charted(world: World, rubric: Rubric) -> None:
    assert len(world.pips), "the world has no member on a PIP"
    graded = Graded(_answer("pip_unreviewed"), world, rubric)
    html = _render(graded, "t3-calendar")
    pip = world.pips.iloc[0]
    start = day(pip["start_date"])
    due = start + dt.timedelta(days=int(world.spec.appraisal.pip_review_days))
    text = esc(t("t3evidence.problem_pip_late", "en", start=start.isoformat(), due=due.isoformat()))
    assert text in _row_with(html, text)
    assert f"PIP reviews late or missing: {len(world.pips)}" in html
    svg = re.search(r"<svg.*?</svg>", html)
    assert svg is not None and svg.group(0).count("<rect") > len(world.members)
    strong = Graded(_answer("strong"), world, rubric)
    html = _render(strong, "t3-calendar")
    assert esc(t("t3evidence.no_problems", "en")) in html
    cal = appraisal_calendar(world)
    assert cal.period_months[0] in html  # the months on the chart


def test_a_quarterly_data_plan_is_too_rare(world: World, rubric: Rubric, strong: Graded) -> None:
    graded = Graded(_answer("competent"), world, rubric)
    html = _render(graded, "t3-calendar")
    marked = f"⚠ {esc(t('t3evidence.plan_too_rare', 'en'))}"
    assert _rows(html, marked) and all("t3-flag" in row for row in _rows(html, marked))
    assert marked not in _render(strong, "t3-calendar")


def _easy(agreement: Agreement, actual: float) -> Agreement:
    """The agreement with a target the member's review-period result beats by a fifth."""
    sign = history.direction(agreement.kpi)
    return agreement.model_copy(update={"agreed": actual - sign * max(abs(actual) * 0.2, 0.01)})


def test_the_appraisal_marks_ratings_plans_and_recognition(world: World, rubric: Rubric, strong: Graded) -> None:
    answer = strong.answer
    ratings = cb.ratings(strong.context)
    html = _render(strong, "t3-appraisal")
    assert "t3-flag" not in html.split(t("t3evidence.h_results", "en"))[0]  # every rating as the data gives
    staff, true = str(ratings["staff_id"].iloc[0]), int(ratings["rating"].iloc[0])
    wrong = 1 if true != 1 else 3
    rated = [r.model_copy(update={"rating": wrong}) if r.staff_id == staff else r for r in answer.appraisal]
    # another member's targets made easy: the data rates them 4, and nobody is recognised
    star = str(ratings["staff_id"].iloc[1])
    actual = {(r["staff_id"], r["kpi"]): float(r["actual"]) for r in cb.results(strong.context).to_dict("records")}
    agreements = [_easy(a, actual[(a.staff_id, a.kpi)]) if a.staff_id == star else a for a in answer.agreements]
    low = set(ratings.loc[ratings["rating"] <= 2, "staff_id"]) - {star}
    assert low, "the world needs members below target"
    plans = [p for p in answer.development if p.staff_id not in low]
    update = {"appraisal": rated, "development": plans, "recognition": [], "agreements": agreements}
    graded = Graded(answer.model_copy(update=update), world, rubric)
    top = set(cb.ratings(graded.context).query("rating == 4")["staff_id"])
    assert star in top
    html = _render(graded, "t3-appraisal")
    names = _names(world)
    row = _row_with(html, person(staff, names), esc(t("t3evidence.rating_differs", "en")))
    assert row == re.findall(r"<tr>.*?</tr>", html)[1]
    word = t(f"t3evidence.rating_{appraisal.RATINGS[true]}", "en")
    assert f"<td>{esc(t('t3evidence.rating', 'en', rating=true, word=word))}</td>" in row
    for s in low:
        assert _row_with(html, f"<tr><td>{person(s, names)}</td>", esc(t("t3evidence.plan_problem_missing", "en")))
    forgotten = esc(t("t3evidence.recognition_forgotten", "en"))
    for s in top:
        assert _row_with(html, f"<tr><td>{person(s, names)}</td>", forgotten)
    # recognising a member the data rates below target is marked
    some, note = sorted(low)[0], "an award by mistake"
    wrongly = answer.model_copy(update={"recognition": [Recognition(staff_id=some, kind="award", note=note)]})
    html = _render(Graded(wrongly, world, rubric), "t3-appraisal")
    assert esc(t("t3evidence.recognition_undeserved", "en")) in _row_with(
        html, f"<tr><td>{person(some, names)}</td>", note
    )


def test_every_candidate_text_is_escaped(world: World, rubric: Rubric, strong: Graded) -> None:
    answer = strong.answer
    script = "<script>alert(1)</script>"
    first, *rest = answer.agreements
    late = appraisal_calendar(world).agree_by + dt.timedelta(days=30)  # misdated: its row comes first
    objection = first.model_copy(
        update={"member_comment": script, "reply": "<img src=x onerror=alert(1)>", "date": late}
    )
    sets = [answer.kpi_sets[0].model_copy(update={"note": script}), *answer.kpi_sets[1:]]
    rated = [answer.appraisal[0].model_copy(update={"comment": script}), *answer.appraisal[1:]]
    changed = answer.model_copy(
        update={
            "justification": script,
            "discussion": "line one\n<b>bold</b>",
            "kpi_sets": sets,
            "agreements": [objection, *rest],
            "appraisal": rated,
            "recognition": [Recognition(staff_id=answer.appraisal[0].staff_id, kind="praise", note=script)],
        }
    )
    graded = Graded(changed, world, rubric)
    for lang in LANGS:
        html = "".join(_render(graded, s.id, lang) for s in SECTIONS)
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
        assert "<b>bold</b>" not in html and "line one<br>&lt;b&gt;" in html
        assert "<img" not in html and "&lt;img src=x" in html


@pytest.mark.parametrize("profile", ["strong", "aht_only", "above_p95", "agreement_unrecorded", "unrelated_plan"])
def test_both_languages_render_with_no_missing_key(world: World, rubric: Rubric, profile: str) -> None:
    graded = Graded(_answer(profile), world, rubric)
    pages = {lang: "".join(s.title(lang) + _render(graded, s.id, lang) for s in SECTIONS) for lang in LANGS}
    for lang, html in pages.items():
        assert "t3evidence." not in html and "kpi." not in html, lang
        assert not re.search(r"\{[a-z_]+\}", html), lang
        assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', ""), lang  # nothing fetched
    assert pages["en"] != pages["zh-TW"]
    assert re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", pages["zh-TW"]))


def test_the_unrelated_plan_is_marked_not_a_gap(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("unrelated_plan"), world, rubric)
    html = _render(graded, "t3-appraisal")
    assert esc(t("t3evidence.plan_problem_not_a_gap", "en")) in html


def test_both_catalogs_have_every_key_the_sections_build() -> None:
    en, zh = catalog("en"), catalog("zh-TW")
    mine = {k for k in en if k.startswith("t3evidence.")}
    assert mine == {k for k in zh if k.startswith("t3evidence.")}
    kpis = history.catalog().values()
    built = [
        *(f"t3evidence.n5_{k.n5}" for k in kpis),
        *(f"t3evidence.dim_{k.dimension}" for k in kpis),
        *(f"t3evidence.source_{k.source}" for k in kpis),
        *(f"t3evidence.freq_{k.frequency}" for k in kpis),
        *(f"t3evidence.why_{r}" for r in response.REASONS),
        *(f"t3evidence.reason_{r}" for r in history.BAND_REASONS if r),
        *(f"t3evidence.review_{k}" for k in calendar.REVIEW_KINDS),
        *(f"t3evidence.problem_{p}" for p in calendar.PROBLEMS),
        *(f"t3evidence.plan_problem_{p}" for p in PLAN_PROBLEMS),
        *(f"t3evidence.rating_{w}" for w in appraisal.RATINGS.values()),
        *(f"t3evidence.action_{a}" for a in ("coaching", "training", "mentoring")),
        *(f"t3evidence.recognition_{k}" for k in ("praise", "award", "time_off")),
        *(f"t3evidence.freq_{f}" for f in ("daily", "weekly", "monthly", "quarterly")),
    ]
    assert not [k for k in built if k not in mine]
    assert not [k for k in mine if en[k] == zh[k] and re.search(r"[A-Za-z]", re.sub(r"\{[a-z_]+\}", "", en[k]))]


def test_the_sections_read_the_checks_figures_from_the_cache(
    world: World, rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    graded = Graded(_answer("strong"), world, rubric)

    def computed_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(history, "bands", computed_again)
    monkeypatch.setattr(response, "respond_all", computed_again)
    monkeypatch.setattr(appraisal, "results", computed_again)
    monkeypatch.setattr(appraisal, "ratings", computed_again)
    monkeypatch.setattr(calendar, "review_problems", computed_again)
    for lang in LANGS:
        assert all(_render(graded, s.id, lang) for s in SECTIONS)
