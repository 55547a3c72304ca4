"""The T1 candidate widgets, driven headless as a candidate would (``.value = ...``, ``.click()``), asserting on the
case object underneath: the widgets only read and write it. The whole case is worked through the tabs with the
values the "strong" simulated candidate chooses through the case API, and the saved document must be the one that
candidate's case saves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notebook_checks import assert_resumes_in_a_kernel

from casekit.cases.t1_recruitment.answer import T1Answer
from casekit.cases.t1_recruitment.case import T1Case
from casekit.cases.t1_recruitment.profiles import build_case
from casekit.html import esc
from casekit.i18n import LANGS, t
from casekit.kpi import format_share
from casekit.registry import registry
from casekit.scenario import World, world_for
from casekit.widgets.t1_recruitment import ANSWER_MIME, T1App, forms
from casekit.widgets.t1_recruitment.kit import flags_html

ORG, SEED = "bank-cards", 7
SCRIPT = "<script>alert(1)</script>"
#: what the widgets keep of a document besides its header (the declaration's time differs)
PARTS = ("job", "advert", "kit", "kit_review", "selection", "drivers", "retention", "successors", "staffing")


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


def make_app(world: World, tmp_path: Path, lang: str = "en", cid: str = "cand-1") -> T1App:
    return T1App.create(ORG, SEED, cid, lang, tmp_path / "answer.json", world=world)


@pytest.fixture
def app(world: World, tmp_path: Path) -> T1App:
    return make_app(world, tmp_path)


def strong(world: World, lang: str = "en") -> T1Case:
    return build_case("strong", ORG, SEED, "ref", lang, world=world)


def texts_of(widget: Any) -> Iterator[str]:
    """Every text a widget tree shows: values, descriptions, placeholders, option labels, tab titles."""
    for name in ("value", "description", "placeholder", "tooltip"):
        v = getattr(widget, name, None)
        if isinstance(v, str):
            yield v
    for option in getattr(widget, "options", ()) or ():
        yield str(option[0] if isinstance(option, tuple) else option)
    yield from (str(x) for x in getattr(widget, "titles", ()) or ())
    for child in getattr(widget, "children", ()) or ():
        yield from texts_of(child)


# --- working the case through the tabs --------------------------------------------------------------------------


def fill_job(app: T1App, ref: T1Case) -> None:
    assert ref.job is not None and ref.advert is not None
    job = app.job
    for name, value in forms.job_fields(ref.job).items():
        job.job_inputs[name].value = value
    for skill, level in ref.job.skills.items():
        job.skills.add_button.click()
        job.skills.rows[-1]["skill"].value = skill
        job.skills.rows[-1]["level"].value = level
    job.adopt_job_button.click()
    for name, value in forms.advert_fields(ref.advert).items():
        job.advert_inputs[name].value = value
    job.adopt_advert_button.click()


def fill_kit(app: T1App, ref: T1Case) -> None:
    for qid, toggle in app.kit.decisions.items():
        toggle.value = ref.kit_review[qid]
    rows = app.kit.questions
    for question in ref.kit:
        rows.add_button.click()
        for name, value in forms.question_fields(question).items():
            rows.rows[-1][name].value = value


def open_tab(app: T1App, panel: Any) -> None:
    app.tab.selected_index = list(app.tab.children).index(panel.widget)


def fill_selection(app: T1App, ref: T1Case) -> None:
    s = app.selection
    open_tab(app, s)
    s.exclude.value = tuple(ref.excluded_raters)
    s.applicants.value = tuple(ref.selected)
    s.select_button.click()


def fill_turnover(app: T1App, ref: T1Case) -> None:
    tv = app.turnover
    tv.method.value = ref.turnover_method
    for name, pct in forms.FIGURES.items():
        value = ref.turnover_figures.get(name)
        tv.figures[name].value = forms.to_percent(value) if pct else forms.number_text(value)
    tv.record_button.click()
    for driver in ref.drivers:
        tv.drivers.add_button.click()
        tv.drivers.rows[-1]["factor"].value = driver.factor
        tv.drivers.rows[-1]["scope"].value = driver.scope


def fill_retention(app: T1App, ref: T1Case) -> None:
    r = app.retention
    for action in ref.actions:
        r.actions.add_button.click()
        for name, value in forms.action_fields(action).items():
            r.actions.rows[-1][name].value = value
    r.simulate_button.click()
    for successor in ref.successors:
        r.successors.add_button.click()
        for name, value in successor.model_dump().items():
            r.successors.rows[-1][name].value = value


def fill_staffing(app: T1App, ref: T1Case) -> None:
    assert ref.staffing is not None
    app.staffing.shrinkage.value = ref.staffing.shrinkage
    app.staffing.hires.value = ref.staffing.hires


def work_the_case(app: T1App, ref: T1Case) -> None:
    fill_job(app, ref)
    fill_kit(app, ref)
    fill_selection(app, ref)
    fill_turnover(app, ref)
    fill_retention(app, ref)
    fill_staffing(app, ref)
    app.texts.areas["justification"].value = ref.justification
    app.texts.areas["discussion"].value = ref.discussion
    app.save.declared.value = True


@pytest.mark.parametrize("lang", LANGS)
def test_every_tab_worked_to_a_saved_valid_answer(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = strong(world, lang)
    work_the_case(app, ref)
    assert all(item.done for item in app.case.checklist())
    assert t("candidate.checklist_all_done", lang) in app.save.checklist.value
    app.save.save_button.click()
    path = app.answer_path
    assert esc(str(path.resolve())) in app.save.status.value
    doc = registry.load_answer(path)
    assert isinstance(doc, T1Answer) and doc == app.case.to_answer()
    expected = ref.to_answer()
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T1", ORG, SEED, "cand-1", lang)
    for part in PARTS:
        assert getattr(doc, part) == getattr(expected, part), part
    got, want = doc.reported.model_dump(), expected.reported.model_dump()
    assert got.keys() == want.keys()
    for name, value in want.items():
        assert got[name] == (pytest.approx(value) if isinstance(value, float) else value), name
    assert doc.declaration is not None and doc.declaration.agreed
    (output,) = app.save.output.outputs
    assert output["data"][ANSWER_MIME] == json.loads(path.read_text(encoding="utf-8"))


def test_a_saved_answer_reopens_in_every_tab(world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path)
    ref = strong(world)
    work_the_case(app, ref)
    app.save.save_button.click()
    again = make_app(world, tmp_path)
    assert "Resumed" in again.header.value
    case = again.case
    assert forms.job_data({k: w.value for k, w in again.job.job_inputs.items()}, again.job.skills.value) == (
        ref.job.model_dump() if ref.job else None
    )
    assert again.job.advert_form_data()["title"] == (ref.advert.title if ref.advert else None)
    assert [forms.question_data(r) for r in again.kit.questions.value] == [q.model_dump() for q in ref.kit]
    assert {q: w.value for q, w in again.kit.decisions.items()} == ref.kit_review
    open_tab(again, again.selection)
    assert again.selection.chosen() == ref.selected and list(again.selection.exclude.value) == ref.excluded_raters
    assert again.turnover.drivers.value == [d.model_dump() for d in ref.drivers]
    assert again.retention.successors.value == [s.model_dump() for s in ref.successors]
    assert len(again.retention.actions.rows) == len(ref.actions)
    assert case.staffing == ref.staffing and again.staffing.hires.value == (ref.staffing.hires if ref.staffing else 0)
    assert again.texts.areas["discussion"].value == ref.discussion


# --- each tab ---------------------------------------------------------------------------------------------------


def test_the_job_form_names_every_problem_and_keeps_nothing_invalid(app: T1App) -> None:
    job = app.job
    job.job_inputs["title"].value = ""
    for _ in range(2):
        job.skills.add_button.click()  # the same (first) skill twice
    job.adopt_job_button.click()
    assert app.case.job is None
    assert "problem" in job.job_status.value and "skills" in job.job_status.value
    job.skills.remove_row(1)
    job.adopt_job_button.click()
    assert "title" in job.job_status.value and app.case.job is None
    job.job_inputs["title"].value = SCRIPT
    job.adopt_job_button.click()
    assert app.case.job is not None and app.case.job.title == SCRIPT
    assert SCRIPT not in job.job_status.value and esc(SCRIPT) in job.job_status.value


def test_an_adopted_job_offers_its_skills_to_the_questions(app: T1App, world: World) -> None:
    ref = strong(world)
    assert ref.job is not None
    app.kit.questions.add_button.click()
    fill_job(app, ref)
    offered = [v for _, v in app.kit.questions.rows[0]["competency"].options]
    assert offered[:-1] == list(ref.job.skills) and offered[-1] == ""


def test_the_advert_is_checked_live(app: T1App, world: World) -> None:
    case, ad = app.case, app.job.advert_inputs
    ad["title"].value = "Agent"
    ad["text"].value = SCRIPT
    ad["pay_negotiable"].value = True
    issues = case.advert_issues(case.set_advert(app.job.advert_form_data()))
    assert issues and all(esc(i.explain("en")) in app.job.advert_check.value for i in issues)
    assert SCRIPT not in app.job.advert_check.value
    band = case.vacancy
    ad["pay_min"].value, ad["pay_max"].value = str(band["pay_min"]), str(band["pay_max"])
    ad["pay_negotiable"].value = False
    left = case.advert_issues(case.set_advert(app.job.advert_form_data()))
    assert len(left) < len(issues)
    ad["pay_min"].value = "lots"
    assert "pay_min" in app.job.advert_check.value and "problem" in app.job.advert_check.value


def test_current_questions_are_reviewed_with_their_flags(app: T1App, world: World) -> None:
    kit = world.interview_kit
    labels = world.truth["kit_labels"]
    unfair = [str(q) for q in kit["question_id"] if not labels[str(q)]["fair"]]
    flagged = [
        str(q) for q, text in zip(kit["question_id"], kit["text_en"], strict=True) if app.case.question_flags(text)
    ]
    assert set(flagged) & set(unfair)
    shown = app.widget
    for q in flagged:
        text = str(kit.loc[kit["question_id"] == q, "text_en"].iloc[0])
        for flag in app.case.question_flags(text):
            assert esc(flag.explain("en")) in "".join(texts_of(shown))
    first = next(iter(app.kit.decisions))
    app.kit.decisions[first].value = "remove"
    assert app.case.kit_review == {first: "remove"}
    assert f"1 of {len(kit)}" in app.kit.review_status.value


def test_a_question_is_flagged_as_it_is_typed(app: T1App) -> None:
    rows = app.kit.questions
    rows.add_button.click()
    assert "problem" in app.kit.status.value  # no text yet: the kit is not adopted
    unfair = t("t1profile.unfair_question", "en")
    rows.rows[0]["text"].value = unfair
    flags = app.case.question_flags(unfair)
    assert flags
    box = rows.boxes[0]
    shown = "".join(texts_of(box))
    assert all(esc(f.explain("en")) in shown for f in flags)
    assert app.case.kit and app.case.kit[0].text == unfair  # adopted live
    rows.rows[0]["text"].value = "Tell me about a difficult call you resolved."
    assert t("t1widgets.no_flags", "en") in "".join(texts_of(box))
    assert flags_html(app.case, "", "en") == ""
    rows.remove_buttons[0].click()
    assert app.case.kit == [] and rows.rows == []


def test_the_selection_tools_follow_their_inputs(app: T1App, world: World) -> None:
    ref = strong(world)
    s = app.selection
    assert s.no_kit.layout.display is None and s.tools.layout.display == "none"
    fill_job(app, ref)
    fill_kit(app, ref)
    assert s.scores.value == ""  # not rendered while the tab is closed
    open_tab(app, s)
    case = app.case
    assert s.exclude.options == tuple(sorted(case.ratings()["rater"].unique()))
    for form in ("ICC(1,1)", "ICC(3,k)"):
        s.form.value = form
        assert esc(case.reliability(form).explain("en")) in s.reliability.value
    s.bias_by.value = "age_band"
    assert "45+" in s.bias.value
    s.exclude.value = ("R1",)
    top = case.panel(["R1"])["applicant_id"].head(case.places)
    s.top_button.click()
    assert s.chosen() == list(top)
    assert f"{case.places} chosen for {case.places} places" in s.count.value
    table = case.adverse_impact("gender", list(top))
    assert format_share(table["rate"].iloc[0]) in s.impact.value
    s.select_button.click()
    assert case.selected == list(top) and case.excluded_raters == ["R1"]
    s.exclude.value = ("R1", "R2", "R3")  # nobody left to score: a problem, shown
    assert "problem" in s.alert.value and case.excluded_raters == ["R1"]


def test_turnover_tools_figures_and_drivers(app: T1App) -> None:
    tv, case = app.turnover, app.case
    tv.method.value = "sum"
    assert format_share(case.annual_turnover("sum"), 2) in tv.annual.value
    tv.cross_by.value = "shift"
    assert t("t1evidence.shift_late", "en") in tv.crosstab.value
    tv.drivers_button.click()
    found = case.find_drivers()
    assert t("t1widgets.drivers_found", "en", n=len(found)) in tv.found.value
    tv.figures["annual_turnover"].value = "many"
    tv.record_button.click()
    assert "problem" in tv.figures_status.value and case.turnover_figures == {}
    tv.figures["annual_turnover"].value = "31.5"
    tv.figures["cost_per_leaver"].value = "52000"
    tv.record_button.click()
    assert case.turnover_figures == {"annual_turnover": pytest.approx(0.315), "cost_per_leaver": 52000}
    assert case.turnover_method == "sum"
    tv.drivers.add_button.click()
    tv.drivers.rows[0]["scope"].value = "shift:late"
    assert [(d.factor, d.scope) for d in case.drivers] == [("better_pay", "shift:late")]


def test_retention_is_marked_out_of_date_when_the_actions_change(app: T1App, world: World) -> None:
    ref = strong(world)
    fill_retention(app, ref)
    r, case = app.retention, app.case
    assert case.retention_is_current and t("t1widgets.simulated", "en") in r.review_status.value
    r.actions.rows[0]["cost_per_month"].value = 1
    assert not case.retention_is_current
    assert t("t1widgets.simulation_stale", "en") in r.review_status.value
    r.simulate_button.click()
    assert case.retention_is_current
    r.actions.rows[0]["owner"].value = "x" * 201
    assert "problem" in r.actions_status.value and "owner" in r.actions_status.value
    assert case.actions[0].owner == ref.actions[0].owner  # the last valid plan stays


def test_staffing_figures_follow_the_inputs(app: T1App) -> None:
    st, case = app.staffing, app.case
    assert case.staffing is None
    st.shrinkage.value = 0.35
    st.hires.value = 12
    need = case.hiring(0.35)
    assert format_share(need.service_level(12), 1) in st.figures.value
    assert case.staffing is not None and (case.staffing.shrinkage, case.staffing.hires) == (0.35, 12)
    st.hires.value = need.min_hires
    assert t("t1widgets.meets", "en", hires=str(need.min_hires)) in st.figures.value


def test_save_before_the_job_shows_the_problem(app: T1App) -> None:
    app.save.save_button.click()
    assert esc(t("t1.no_job", "en")) in app.save.status.value
    assert not app.answer_path.exists()


# --- both languages ---------------------------------------------------------------------------------------------

KEY_LIKE = re.compile(r"\b(?:widgets|t1widgets|t1evidence|t1select|t1|kpi|expect|error|candidate)\.[a-z][a-z0-9_]*\b")


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_without_missing_keys(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = strong(world, lang)
    work_the_case(app, ref)
    app.turnover.drivers_button.click()
    app.job.job_inputs["title"].value = ""
    app.job.adopt_job_button.click()  # problems, in this language
    shown = "\n".join(texts_of(app.widget))
    assert not KEY_LIKE.findall(shown)
    if lang == "zh-TW":
        assert "面試題組" in shown and "人力需求" in shown
    else:
        assert "2. Interview kit" in shown and "6. Staffing" in shown


# --- the pure helpers -------------------------------------------------------------------------------------------


def test_form_helpers() -> None:
    assert forms.lines(" CV \n\n diploma\n") == ["CV", "diploma"]
    assert forms.from_percent("25") == 0.25 and forms.from_percent(" ") is None and forms.from_percent("x") == "x"
    assert forms.to_percent(0.315) == "31.5" and forms.to_percent(None) == ""
    assert forms.number_text(3.0) == "3" and forms.number_text(None) == ""
    row = {"text": " Q ", "competency": "crm_system", "type": "behavioural", "weight": 1.0}
    row |= {"anchor_1": "poor", "anchor_3": "", "anchor_5": " great "}
    assert forms.question_data(row)["anchors"] == {"1": "poor", "5": "great"}
    assert forms.figure_data(
        {"annual_turnover": "", "voluntary_share": "50", "early_tenure_rate": "", "cost_per_leaver": "9"}
    ) == {
        "annual_turnover": None,
        "voluntary_share": 0.5,
        "early_tenure_rate": None,
        "cost_per_leaver": "9",
    }


# --- the notebook in a real kernel ------------------------------------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "candidate" / "t1_recruitment.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_papermill_runs_the_notebook_and_resumes_the_saved_answer(
    lang: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = build_case("strong", ORG, SEED, "nb", lang, world=world)
    assert_resumes_in_a_kernel(NOTEBOOK, case, TAB_KEYS, tmp_path, monkeypatch)


TAB_KEYS = (
    "t1widgets.tab_job",
    "t1widgets.tab_kit",
    "t1widgets.tab_selection",
    "t1widgets.tab_turnover",
    "t1widgets.tab_retention",
    "t1widgets.tab_staffing",
    "t1widgets.tab_texts",
    "widgets.tab_save",
)


def test_the_notebook_has_a_parameters_cell_and_no_logic() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = "".join(code[0]["source"])
    assert "parameters" in code[0]["metadata"]["tags"]
    for name in ("org", "seed", "candidate_id", "roster", "answer_path"):
        assert f"\n{name} = None" in "\n" + params  # not given: nobody is "demo" unasked
    assert '\nlang = "zh-TW"' in "\n" + params
    assert all(not c["outputs"] for c in code)
    assert all(f'"{var}"' in "".join(code[1]["source"]) for var in ("CASEKIT_ORG", "CASEKIT_ANSWER", "CASEKIT_LANG"))
    assert (
        "".join(code[-1]["source"])
        .strip()
        .endswith('open_case("T1", org, seed, candidate_id, lang, answer_path, roster=roster)')
    )
