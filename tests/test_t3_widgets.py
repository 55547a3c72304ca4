"""The T3 candidate widgets, driven headless as a candidate would (``.value = ...``, ``.click()``), asserting on the
case object underneath and on what the tabs show: the widgets only read and write it. The whole case is worked
through the tabs with the values the "strong" simulated candidate chooses through the case API, and the saved
document must hold what that candidate's case holds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from notebook_checks import assert_resumes_in_a_kernel
from test_t2_widgets import texts_of

from casekit.cases.t3_performance.answer import Agreement, T3Answer
from casekit.cases.t3_performance.case import T3Case
from casekit.cases.t3_performance.profiles import build_case
from casekit.html import esc
from casekit.i18n import LANGS, t
from casekit.kpi import format_kpi
from casekit.registry import registry
from casekit.scenario import World, world_for
from casekit.widgets.t3_performance import ANSWER_MIME, T3App, forms
from casekit.widgets.t3_performance.charts import RESULT_MET, RESULT_MISSED, calendar_html, history_svg, weeks
from casekit.widgets.t3_performance.kpi_sets import balance_html
from casekit.widgets.t3_performance.render import ALL, records

ORG, SEED = "bank-cards", 7
SCRIPT = "<script>alert(1)</script>"
#: the parts of a document the widgets must give exactly as the strong candidate's case (in its order)
PARTS = ("kpi_sets", "agreements", "appraisal", "recognition", "justification", "discussion")


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


def make_app(world: World, tmp_path: Path, lang: str = "en", cid: str = "cand-1") -> T3App:
    return T3App.create(ORG, SEED, cid, lang, tmp_path / "answer.json", world=world)


@pytest.fixture
def app(world: World, tmp_path: Path) -> T3App:
    return make_app(world, tmp_path)


@pytest.fixture(scope="module")
def strong_en(world: World) -> T3Case:
    return build_case("strong", ORG, SEED, "ref", "en", world=world)


def band_of(case: T3Case, staff_id: str, kpi: str) -> dict[str, Any]:
    """One member's band for one KPI (empty when the bands have none)."""
    found = records(case.bands())
    return next((r for r in found if (r["staff_id"], r["kpi"]) == (staff_id, kpi)), {})


# --- working the case through the tabs --------------------------------------------------------------------------


def fill_sets(app: T3App, ref: T3Case) -> None:
    for role, chosen in ref.kpi_sets.items():
        app.sets.notes[role].value = chosen.note
        app.sets.choices[role].value = tuple(chosen.kpis)


def fill_targets(app: T3App, ref: T3Case) -> None:
    """Member by member: every KPI's proposal, the value agreed and the reply typed, then "record"."""
    p = app.targets
    by_member: dict[str, list[Agreement]] = {}
    for a in ref.agreements.values():
        by_member.setdefault(a.staff_id, []).append(a)
    for staff_id, items in by_member.items():
        p.member.value = staff_id
        for a in items:
            row = p.rows[a.kpi]
            row["proposed"].value = forms.number_text(a.proposed)
            row["agreed"].value = forms.number_text(a.agreed)
            row["reply"].value = a.reply
        p.date.value = items[0].date
        p.record_button.click()


def fill_reviews(app: T3App, ref: T3Case) -> None:
    r = app.reviews
    r.day.value, r.after.value = 10, 5
    r.draft_button.click()
    for review in ref.reviews:
        if review.kind == "pip_review":
            r.person.value, r.kind.value, r.date.value = review.staff_id, "pip_review", review.date
            r.add_button.click()
    for source in ref.data_plan:
        r.plan.add_button.click()
        for name, value in source.model_dump().items():
            r.plan.rows[-1][name].value = value


def fill_appraisal(app: T3App, ref: T3Case) -> None:
    a = app.appraisal
    for staff_id, rating in ref.appraisal.items():
        a.comments[staff_id].value = rating.comment
        a.ratings[staff_id].value = rating.rating
    d = a.development
    for plan in ref.development:
        d.plans.add_button.click()
        row = d.plans.rows[-1]
        for name in ("staff_id", "kpi", "action", "offer_id", "owner", "due", "measure", "target"):
            row[name].value = forms.devplan_fields(plan)[name]
    for given in ref.recognition:
        d.recognition.add_button.click()
        for name, value in given.model_dump().items():
            d.recognition.rows[-1][name].value = value


def work_the_case(app: T3App, ref: T3Case) -> None:
    fill_sets(app, ref)
    fill_targets(app, ref)
    fill_reviews(app, ref)
    fill_appraisal(app, ref)
    app.texts.areas["justification"].value = ref.justification
    app.texts.areas["discussion"].value = ref.discussion
    app.save.declared.value = True


@pytest.mark.parametrize("lang", LANGS)
def test_every_tab_worked_to_a_saved_valid_answer(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = build_case("strong", ORG, SEED, "ref", lang, world=world)
    work_the_case(app, ref)
    assert all(item.done for item in app.case.checklist()), app.case.checklist()
    app.save.save_button.click()
    path = app.answer_path
    assert esc(str(path.resolve())) in app.save.status.value
    doc = registry.load_answer(path)
    assert isinstance(doc, T3Answer) and doc == app.case.to_answer()
    expected = ref.to_answer()
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T3", ORG, SEED, "cand-1", lang)
    for part in PARTS:
        assert getattr(doc, part) == getattr(expected, part), part
    for part in ("reviews", "data_plan", "development"):
        assert sorted(getattr(doc, part), key=repr) == sorted(getattr(expected, part), key=repr), part
    assert doc.reported == expected.reported
    assert doc.declaration is not None and doc.declaration.agreed
    (output,) = app.save.output.outputs
    assert output["data"][ANSWER_MIME] == json.loads(path.read_text(encoding="utf-8"))


def test_a_saved_answer_reopens_in_every_tab(world: World, tmp_path: Path, strong_en: T3Case) -> None:
    ref = strong_en
    ref.save(tmp_path / "answer.json")
    again = T3App.create(ORG, SEED, "ref", "en", tmp_path / "answer.json", world=world)
    assert "Resumed" in again.header.value
    by_role = sorted(again.sets.form_data(), key=lambda s: str(s["role"]))
    assert by_role == [ref.kpi_sets[r].model_dump() for r in sorted(ref.kpi_sets)]
    first = next(iter(ref.agreements.values()))
    again.targets.member.value = first.staff_id
    assert again.targets.rows[first.kpi]["proposed"].value == forms.number_text(first.proposed)
    assert t("t3widgets.all_agreed", "en", n=len(ref.agreements)) in again.targets.missing.value
    assert len(again.reviews.reviews.options) == len(ref.reviews)
    assert [r.model_dump() for r in ref.data_plan] == again.reviews.plan.value
    assert again.appraisal.content.layout.display is None
    assert again.appraisal.form_data() == [r.model_dump() for r in ref.appraisal.values()]
    assert [forms.devplan_data(r) for r in again.appraisal.development.plans.value] == [
        p.model_dump() for p in ref.development
    ]
    assert again.texts.areas["discussion"].value == ref.discussion


# --- each tab ---------------------------------------------------------------------------------------------------


def test_the_members_tab_shows_the_section_and_a_members_history(app: T3App) -> None:
    m, case = app.members, app.case
    members = case.members()
    shown = "".join(texts_of(m.widget))
    assert all(esc(name) in shown for name in members["name"])
    for note in case.pips()["note_en"]:
        assert esc(note) in shown
    person = str(members["staff_id"].iloc[-1])
    m.member.value = person
    history = case.history()
    months = sorted(set(history.loc[history["staff_id"] == person, "month"]))
    assert months and all(month in m.history.value for month in months)


def test_a_sets_balance_note_follows_the_choice(app: T3App) -> None:
    s, case = app.sets, app.case
    s.choices["agent"].value = ("aht_s",)
    assert case.kpi_sets["agent"].kpis == ["aht_s"]
    note = s.balance["agent"].value
    assert "✓" in note and note.count("☐") == 2  # efficiency only: quality and the role's own work missing
    s.choices["agent"].value = ("aht_s", "qa", "conversion_qa")
    assert "☐" not in s.balance["agent"].value
    assert balance_html(["qa"], "en").count("☐") == 2
    assert t("t3widgets.sets_missing", "en", roles="").rstrip(".") in s.status.value  # other roles still without


def test_proposals_get_the_members_words_and_agreements_are_recorded(app: T3App) -> None:
    case, p = app.case, app.targets
    app.sets.choices["agent"].value = ("aht_s", "qa")
    agent = str(case.members().query("role == 'agent'")["staff_id"].iloc[0])
    p.member.value = agent
    assert set(p.rows) == {"aht_s", "qa"}
    qa = band_of(case, agent, "qa")
    ceiling = float(qa["ceiling"])
    p.rows["qa"]["proposed"].value = str(min(ceiling + 5, 100.0)) if ceiling < 100 else "101"
    said = case.propose([(agent, "qa", float(p.rows["qa"]["proposed"].value))]).iloc[0]
    assert said["verdict"] == "object"
    assert t("t3widgets.verdict_object", "en") in p.rows["qa"]["response"].value
    assert esc(said["comment"]) in p.rows["qa"]["response"].value
    median = float(qa["median"])
    p.rows["qa"]["agreed"].value = str(round(median, 2))
    again = t("t3widgets.at_agreed_accept", "en", value=format_kpi("qa", round(median, 2)))
    assert again in p.rows["qa"]["response"].value
    p.rows["qa"]["reply"].value = SCRIPT
    p.record_button.click()  # aht_s has no proposal yet: only qa recorded
    a = case.agreements[(agent, "qa")]
    assert (a.member_verdict, a.change, a.reply, a.member_comment) == ("object", "revised", SCRIPT, said["comment"])
    assert a.agreed == pytest.approx(round(median, 2)) and (agent, "aht_s") not in case.agreements
    assert t("t3widgets.recorded", "en", n=1, members=1, objections=1) in p.status.value
    assert esc(agent) in p.missing.value and not case.appraisal_open()
    p.rows["aht_s"]["proposed"].value = "fast"
    assert t("t3widgets.not_a_number", "en") in p.rows["aht_s"]["response"].value
    p.record_button.click()
    assert "problem" in p.status.value and SCRIPT not in p.status.value


def test_prefill_is_applied_only_by_its_button_and_recording_every_member_opens_the_appraisal(
    app: T3App, strong_en: T3Case
) -> None:
    case, p = app.case, app.targets
    fill_sets(app, strong_en)
    assert not any(row["proposed"].value for row in p.rows.values())  # nothing typed until asked
    assert app.appraisal.content.layout.display == "none"
    p.rule.value, p.scope.value = "median", "all"
    p.fill_button.click()
    filled = sum(1 for v in p.forms.values() if v["proposed"])
    wanted = case.wanted()
    assert 0 < filled <= len(wanted)
    staff_id = str(p.member.value)
    for kpi, row in p.rows.items():
        median = band_of(case, staff_id, kpi).get("median")
        if median is not None and pd.notna(median):
            assert float(row["proposed"].value) == pytest.approx(float(median), rel=1e-3)
    # the KPIs without a figure are typed by hand, then every member recorded at once
    for s, k in zip(wanted["staff_id"], wanted["kpi"], strict=True):
        if not p.forms.get((s, k), {}).get("proposed"):
            floor = forms.number_text(float(band_of(case, s, k)["floor"]))
            p.forms[(s, k)] = {"proposed": floor, "agreed": "", "reply": ""}
    p.record_all_button.click()
    assert case.missing_agreements().empty and case.appraisal_open()
    assert t("t3widgets.all_agreed", "en", n=len(case.agreements)) in p.missing.value
    a = app.appraisal
    assert a.content.layout.display is None and "ck-table" in a.results.value
    rated = dict(zip(case.ratings()["staff_id"], case.ratings()["rating"], strict=True))
    first = next(iter(a.computed))
    assert f'data-rating="{int(rated[first])}"' in a.computed[first].value
    a.member.value = first
    results = case.results()
    assert a.charts.value.count("ck-history-chart") == int((results["staff_id"] == first).sum())


def test_the_calendar_is_drafted_on_request_and_its_problems_follow(app: T3App) -> None:
    r, case = app.reviews, app.case
    assert case.reviews == []
    r.draft_button.click()
    members, cal = case.members(), case.calendar()
    assert len(case.reviews) == len(members) * (len(cal.period_months) + 1)
    problems = case.review_problems()
    assert set(problems["problem"]) <= {"pip_late"} and len(problems) == len(case.pips())
    pip = case.pips().iloc[0]
    assert "⚑" in r.calendar.value and esc(str(pip["staff_id"])) in r.problems.value
    r.person.value, r.kind.value = str(pip["staff_id"]), "pip_review"
    r.date.value = max(
        dt.date.fromisoformat(str(pip["start_date"])) + dt.timedelta(days=7), cal.history_end + dt.timedelta(days=1)
    )
    r.add_button.click()
    assert not (case.review_problems()["staff_id"] == pip["staff_id"]).any()
    r.reviews.value = (next(v for _, v in r.reviews.options if v[1] == "one_to_one"),)
    r.remove_button.click()
    assert len(case.reviews) == len(members) * (len(cal.period_months) + 1)  # one off, the PIP review on
    assert "no_one_to_one" in set(case.review_problems()["problem"])
    r.person.value, r.date.value = ALL, cal.history_end
    r.add_button.click()  # a review dated in the history: a problem listed, the review kept
    assert "past" in set(case.review_problems()["problem"])


def test_the_data_plan_rows_take_the_catalog_source_and_are_adopted(app: T3App) -> None:
    r, case = app.reviews, app.case
    app.sets.choices["agent"].value = ("aht_s", "qa")
    r.fill_plan_button.click()
    assert [(d.kpi, d.source) for d in case.data_plan] == [("aht_s", "contacts"), ("qa", "qa_forms")]
    r.plan.rows[0]["frequency"].value = "daily"
    assert case.data_plan[0].frequency == "daily"
    r.plan.rows[1]["kpi"].value = "aht_s"  # the same KPI twice: a problem, the last plan stays
    assert "problem" in r.plan_status.value and [d.kpi for d in case.data_plan] == ["aht_s", "qa"]


def test_the_development_offers_follow_the_kpi_and_bad_input_is_escaped(app: T3App, strong_en: T3Case) -> None:
    d, case = app.appraisal.development, app.case
    d.plans.add_button.click()
    row = d.plans.rows[0]
    row["kpi"].value = "qa"
    assert [v for _, v in row["offer_id"].options][1:] == case.linked_offers("qa")
    row["target"].value = SCRIPT
    assert "problem" in d.plan_status.value and SCRIPT not in d.plan_status.value
    d.recognition.add_button.click()
    d.recognition.rows[0]["note"].value = SCRIPT
    assert case.recognition[0].note == SCRIPT


def test_save_shows_the_problems_or_saves(app: T3App) -> None:
    app.save.save_button.click()
    assert app.answer_path.exists() or "problem" in app.save.status.value


# --- both languages ---------------------------------------------------------------------------------------------

KEY_LIKE = re.compile(r"\b(?:widgets|t3widgets|t3|t3member|kpi|expect|error|candidate)\.[a-z][a-z0-9_]*\b")


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_without_missing_keys(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = build_case("strong", ORG, SEED, "ref", lang, world=world)
    work_the_case(app, ref)
    app.appraisal.development.plans.add_button.click()
    shown = "\n".join(texts_of(app.widget))
    assert not KEY_LIKE.findall(shown)
    if lang == "zh-TW":
        assert "目標與共識" in shown and "考核" in shown and "面談行事曆" in shown
    else:
        assert "3. Targets & agreement" in shown and "5. Appraisal" in shown


# --- the pure helpers -------------------------------------------------------------------------------------------


def test_form_helpers(world: World) -> None:
    assert forms.number(" 4.5 ") == 4.5 and forms.number("") is None and forms.number("x") == "x"
    assert forms.number("nan") == "nan"
    said = {"verdict": "object", "reason": "ramping", "comment": "new"}
    a = forms.agreement_data("E1", "qa", 80.0, None, dt.date(2024, 1, 2), said, " ok ")
    assert (a["agreed"], a["change"], a["reply"], a["member_reason"]) == (80.0, "none", "ok", "ramping")
    assert forms.agreement_data("E1", "qa", 80.0, 78.0, None, {}, "")["change"] == "revised"
    case = T3Case(ORG, SEED, "c", "en", world=world)
    cal = case.calendar()
    drafted = forms.draft_reviews(["E1"], cal, 31, 5)
    assert [k for _, k, _ in drafted] == ["one_to_one"] * 3 + ["appraisal"]
    assert [d.strftime("%Y-%m") for _, _, d in drafted[:3]] == list(cal.period_months)
    members = case.members()
    person = str(members["staff_id"].iloc[0])
    kpi = case.kpis_for(str(members["role"].iloc[0]))[0]
    for rule in forms.PREFILLS:
        got = forms.prefill(rule, [(person, kpi)], case.bands(), case.peers(), members)
        assert set(got) <= {(person, kpi)}


def test_the_charts_mark_the_target_the_result_and_the_pip_deadlines(world: World) -> None:
    case = T3Case(ORG, SEED, "c", "en", world=world)
    cal = case.calendar()
    history = pd.DataFrame({"month": ["2024-01", "2024-02", "2024-03"], "value": [300.0, 320.0, 310.0]})
    svg = history_svg(history, "aht_s", 305.0, 315.0, cal.period_months, "en")
    assert 'class="ck-target"' in svg and 'class="ck-result"' in svg and RESULT_MISSED in svg  # lower is better
    assert RESULT_MET in history_svg(history, "aht_s", 305.0, 300.0, cal.period_months, "en")
    assert "<script" not in svg and svg.count("<circle") == 3
    members = case.members().assign(name=SCRIPT)
    reviews = [(str(members["staff_id"].iloc[0]), "one_to_one", cal.period_start)]
    grid = calendar_html(members, reviews, cal, 30, "en")
    assert SCRIPT not in grid and esc(SCRIPT) in grid
    assert grid.count("<tr>") == 1 + len(members) and grid.count("⚑") >= len(case.pips())
    assert len(weeks(cal)) >= 13


# --- the notebook -----------------------------------------------------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "candidate" / "t3_performance.ipynb"
TAB_KEYS = (
    "t3widgets.tab_members",
    "t3widgets.tab_sets",
    "t3widgets.tab_targets",
    "t3widgets.tab_reviews",
    "t3widgets.tab_appraisal",
    "t3widgets.tab_texts",
    "widgets.tab_save",
)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_papermill_runs_the_notebook_and_resumes_the_saved_answer(
    lang: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = build_case("strong", ORG, SEED, "nb", lang, world=world)
    assert_resumes_in_a_kernel(NOTEBOOK, case, TAB_KEYS, tmp_path, monkeypatch)


def test_the_notebook_is_the_t2_notebook_opening_t3() -> None:
    """The same parameters cell, the same environment overrides and no logic: only the kind opened differs."""

    def code(path: Path) -> list[str]:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert all(not c["outputs"] for c in cells if c["cell_type"] == "code")
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]

    mine, model = code(NOTEBOOK), code(NOTEBOOK.with_name("t2_training.ipynb"))
    assert mine[:-1] == model[:-1] and mine[-1] == model[-1].replace('"T2"', '"T3"') != model[-1]
    assert mine[-1].strip().endswith('open_case("T3", org, seed, candidate_id, lang, answer_path, roster=roster)')
