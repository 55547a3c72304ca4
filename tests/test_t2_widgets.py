"""The T2 candidate widgets, driven headless as a candidate would (``.value = ...``, ``.click()``), asserting on the
case object underneath and on what the tabs show: the widgets only read and write it. The whole case is worked
through the tabs with the values the "strong" simulated candidate chooses through the case API, and the saved
document must hold what that candidate's case holds."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from notebook_checks import assert_resumes_in_a_kernel

from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.answer import Evaluation, T2Answer
from casekit.cases.t2_training.case import T2Case
from casekit.cases.t2_training.evaluation import MEASURES
from casekit.cases.t2_training.profiles import build_case
from casekit.html import esc
from casekit.i18n import LANGS, t
from casekit.kpi import format_money
from casekit.registry import registry
from casekit.scenario import World, world_for
from casekit.widgets.t2_training import ANSWER_MIME, T2App, forms
from casekit.widgets.t2_training.charts import HOLDS, MISSES, calendar_html, service_level_svg
from casekit.widgets.t2_training.figures import booked_seats
from casekit.widgets.t2_training.render import ALL

ORG, SEED = "bank-cards", 7
SCRIPT = "<script>alert(1)</script>"
#: what the widgets keep of a document besides its header (the plan's order is the order it was booked in)
PARTS = ("data_issues", "needs", "induction", "deferred", "evaluation", "justification", "discussion")


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


def make_app(world: World, tmp_path: Path, lang: str = "en", cid: str = "cand-1") -> T2App:
    return T2App.create(ORG, SEED, cid, lang, tmp_path / "answer.json", world=world)


@pytest.fixture
def app(world: World, tmp_path: Path) -> T2App:
    return make_app(world, tmp_path)


@pytest.fixture(scope="module")
def strong_en(world: World) -> T2Case:
    return build_case("strong", ORG, SEED, "ref", "en", world=world)


def texts_of(widget: Any) -> Iterator[str]:
    """Every text a widget tree shows: values, descriptions, placeholders, option labels, tab and accordion titles."""
    for name in ("value", "description", "placeholder", "tooltip"):
        v = getattr(widget, name, None)
        if isinstance(v, str):
            yield v
    for option in getattr(widget, "options", ()) or ():
        yield str(option[0] if isinstance(option, tuple) else option)
    yield from (str(x) for x in getattr(widget, "titles", ()) or ())
    for child in getattr(widget, "children", ()) or ():
        yield from texts_of(child)


def buttons_of(widget: Any) -> Iterator[Any]:
    if type(widget).__name__ == "Button":
        yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from buttons_of(child)


# --- working the case through the tabs --------------------------------------------------------------------------


def fill_records(app: T2App, ref: T2Case) -> None:
    rows = app.records.issues
    for issue in ref.data_issues:
        rows.add_button.click()
        for name, value in forms.issue_fields(issue).items():
            rows.rows[-1][name].value = value


def fill_needs(app: T2App, ref: T2Case) -> None:
    rows = app.needs.needs
    for need in ref.needs:
        rows.add_button.click()
        for name, value in forms.need_fields(need).items():
            rows.rows[-1][name].value = value


def fill_induction(app: T2App, ref: T2Case) -> None:
    for starter, plan in ref.induction.items():
        form = app.induction.forms[starter]
        form.buddy.value, form.trainer.value, form.go_live.value = plan.buddy, plan.trainer, plan.go_live_day
        for step in plan.steps:
            form.steps.add_button.click()
            for name, value in step.model_dump().items():
                form.steps.rows[-1][name].value = value
        form.adopt_button.click()


def fill_plan(app: T2App, ref: T2Case) -> None:
    """Book the reference plan session by session: the session's offer, the session, its people, book."""
    p = app.plan
    p.gap_only.value = False
    offer_of = dict(
        zip(ref.world.training_sessions["session_id"], ref.world.training_sessions["offer_id"], strict=True)
    )
    by_session: dict[str, list[str]] = {}
    for staff, session in ref.rows:
        by_session.setdefault(session, []).append(staff)
    for session, people in by_session.items():
        p.offer.value = offer_of[session]
        p.session.value = session
        p.people.value = tuple(people)
        p.book_button.click()
    for deferral in ref.deferred:
        p.deferred.add_button.click()
        for name, value in forms.deferral_fields(deferral).items():
            p.deferred.rows[-1][name].value = value


def fill_evaluation(app: T2App, ref: T2Case) -> None:
    e = app.evaluation
    e.simulate_button.click()
    fields = forms.evaluation_fields(ref.evaluation)
    for level, measure in fields["levels"].items():
        e.levels[level].value = measure
    e.roi_offer.value = fields["roi_offer"]
    e.roi_percent.value = fields["roi_percent"]
    e.review.value = fields["review"]


def work_the_case(app: T2App, ref: T2Case) -> None:
    fill_records(app, ref)
    fill_needs(app, ref)
    fill_induction(app, ref)
    fill_plan(app, ref)
    fill_evaluation(app, ref)
    app.texts.areas["justification"].value = ref.justification
    app.texts.areas["discussion"].value = ref.discussion
    app.save.declared.value = True


@pytest.mark.parametrize("lang", LANGS)
def test_every_tab_worked_to_a_saved_valid_answer(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = build_case("strong", ORG, SEED, "ref", lang, world=world)
    work_the_case(app, ref)
    assert all(item.done for item in app.case.checklist())
    app.save.save_button.click()
    path = app.answer_path
    assert esc(str(path.resolve())) in app.save.status.value
    doc = registry.load_answer(path)
    assert isinstance(doc, T2Answer) and doc == app.case.to_answer()
    expected = ref.to_answer()
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T2", ORG, SEED, "cand-1", lang)
    for part in PARTS:
        assert getattr(doc, part) == getattr(expected, part), part
    assert sorted(doc.plan, key=repr) == sorted(expected.plan, key=repr)
    got, want = doc.reported.model_dump(), expected.reported.model_dump()
    assert got == pytest.approx(want)
    assert doc.declaration is not None and doc.declaration.agreed
    (output,) = app.save.output.outputs
    assert output["data"][ANSWER_MIME] == json.loads(path.read_text(encoding="utf-8"))


def test_a_saved_answer_reopens_in_every_tab(world: World, tmp_path: Path, strong_en: T2Case) -> None:
    ref = strong_en
    ref.save(tmp_path / "answer.json")
    again = T2App.create(ORG, SEED, "ref", "en", tmp_path / "answer.json", world=world)
    assert "Resumed" in again.header.value
    assert [forms.issue_data(r) for r in again.records.issues.value] == [i.model_dump() for i in ref.data_issues]
    assert [forms.need_data(r) for r in again.needs.needs.value] == [n.model_dump() for n in ref.needs]
    for starter, plan in ref.induction.items():
        assert again.induction.forms[starter].form_data() == plan.model_dump()
    assert "✓" in again.induction.accordion.titles[0]
    assert [v for _, v in again.plan.bookings.options] == list(ref.rows)
    assert Evaluation.model_validate(again.evaluation.form_data()) == ref.evaluation
    assert t("t2widgets.simulated", "en", months=3) in again.evaluation.sim_status.value
    assert again.texts.areas["discussion"].value == ref.discussion


# --- each tab ---------------------------------------------------------------------------------------------------


def test_records_filter_mark_blanks_and_the_problems_are_adopted_as_listed(app: T2App) -> None:
    r, case = app.records, app.case
    records = case.records()
    blank = sorted(set(records.loc[records["proficiency"].isna(), "staff_id"]))
    r.problem.value = "missing"
    assert t("t2widgets.records_shown", "en", shown=len(blank), total=len(r.people), date=r.oldest) in r.records.value
    assert r.records.value.count("background:#fde2e1") == int(records["proficiency"].isna().sum())
    r.problem.value = "stale"
    stale = sorted(set(records.loc[records["assessed_on"] < r.oldest, "staff_id"]))
    assert all(s in r.records.value for s in stale) and stale
    r.problem.value, r.role.value = ALL, "trainer"
    trainers = set(case.world.staff.loc[case.world.staff["role"] == "trainer", "staff_id"])
    assert f"Showing {len(trainers)} of" in r.records.value
    # a whole stale record planned as level 0, then a blank skill reassessed
    r.issues.add_button.click()
    row = r.issues.rows[0]
    row["staff_id"].value, row["problem"].value, row["action"].value = stale[0], "stale", "assume_gap"
    assert case.data_issues[0].skill_id is None and case.data_issues[0].action == "assume_gap"
    _, assumed = case.handled
    assert {s for s, _ in assumed} == {stale[0]} and len(assumed) > 1
    assert t("t2widgets.no_reassessment", "en") in r.results.value
    r.issues.add_button.click()
    skill = str(records.loc[(records["staff_id"] == blank[0]) & records["proficiency"].isna(), "skill_id"].iloc[0])
    row = r.issues.rows[1]
    row["staff_id"].value, row["skill_id"].value, row["action"].value = blank[0], skill, "reassess"
    assert case.handled[0] == frozenset({blank[0]})
    found = case.reassessment_results()
    assert set(found["staff_id"]) == {blank[0]} and esc(blank[0]) in r.results.value
    r.issues.remove_buttons[0].click()
    assert len(case.data_issues) == 1 and case.handled[1] == frozenset()


def test_the_audit_follows_the_data_problems_and_the_needs_are_written_not_copied(app: T2App) -> None:
    n, case = app.needs, app.case
    totals = case.audit().totals()
    for category in ("technology", "customer_service"):
        assert t(f"t2widgets.total_{category}", "en", gap=f"{totals[category]:,}") in n.totals.value
    assert "still have a data problem" in n.totals.value
    records = case.records()
    person = str(records.loc[records["proficiency"].isna(), "staff_id"].iloc[0])
    app.records.issues.add_button.click()
    row = app.records.issues.rows[0]
    row["staff_id"].value, row["action"].value = person, "assume_gap"  # whole record as level 0: more gap
    after = case.audit().totals()
    assert sum(after.values()) > sum(totals.values())
    assert t("t2widgets.total_technology", "en", gap=f"{after['technology']:,}") in n.totals.value
    labels = {b.description for b in buttons_of(n.widget)}
    assert labels <= {t("t2widgets.add_need", "en"), "✕"}  # nothing copies the audit's needs
    rows = n.needs
    rows.add_button.click()
    first = case.audit().needs.iloc[0]
    values = {"role": first["role"], "skill_id": first["skill_id"], "kind": first["category"], "people": 3}
    for name, value in values.items():
        rows.rows[0][name].value = value
    rows.rows[0]["critical"].value = True
    assert case.needs[0].people == 3 and case.needs[0].critical and case.needs[0].kind == first["category"]
    rows.add_button.click()
    for name, value in values.items():
        rows.rows[1][name].value = value  # the same need twice: a problem, the last list stays
    assert "problem" in n.status.value and len(case.needs) == 2  # the list adopted before: the new row's defaults
    assert (case.needs[1].role, case.needs[1].skill_id) != (first["role"], first["skill_id"])


def test_an_induction_needs_its_people_and_is_adopted_by_its_button(app: T2App) -> None:
    panel, case = app.induction, app.case
    starter = next(iter(panel.forms))
    form = panel.forms[starter]
    form.adopt_button.click()
    assert starter not in case.induction and "buddy" in form.status.value and "trainer" in form.status.value
    staff = case.world.staff
    trainer = str(staff.loc[staff["role"] == "trainer", "staff_id"].iloc[0])
    form.buddy.value, form.trainer.value, form.go_live.value = str(staff["staff_id"].iloc[0]), trainer, 10
    form.steps.add_button.click()
    form.steps.rows[0]["topic"].value, form.steps.rows[0]["day"].value = "data_protection", 1
    form.adopt_button.click()
    assert case.induction[starter].trainer == trainer and case.induction[starter].steps[0].topic == "data_protection"
    assert panel.accordion.titles[0].endswith("✓") and not panel.accordion.titles[1].endswith("✓")
    other = panel.forms[list(panel.forms)[1]]
    other.copy_from.value = starter
    other.copy_button.click()
    assert other.steps.value == form.steps.value and other.go_live.value == 10
    assert other.starter_id not in case.induction  # copied onto the form, not adopted


def test_booking_updates_spend_the_chart_and_the_calendar(app: T2App) -> None:
    p, case = app.plan, app.case
    before_chart, before_calendar = p.chart.value, p.calendar.value
    sessions = case.world.training_sessions.merge(case.world.training, on="offer_id")
    small = sessions[sessions["offer_type"] == "internal_coaching"].iloc[0]
    p.gap_only.value = False
    p.offer.value = small["offer_id"]
    p.session.value = small["session_id"]
    handling = case.world.staff[case.world.staff["role"] == "agent"]["staff_id"].tolist()
    chosen = tuple(handling[: int(small["seats"]) + 1])  # one more than the seats
    p.people.value = chosen
    p.book_button.click()
    assert case.rows == tuple((s, small["session_id"]) for s in chosen)
    assert format_money(case.spend(), "en") in p.spend.value
    assert p.chart.value != before_chart and p.calendar.value != before_calendar
    assert f"{len(chosen)}/{int(small['seats'])}" in p.calendar.value
    assert "background:#fde2e1" in p.calendar.value  # over capacity, marked
    assert t("t2widgets.over_capacity", "en", n=1) in p.over.value
    weekly = case.weekly_service_level()
    assert weekly["training_hours"].sum() == pytest.approx(len(chosen) * float(small["hours"]))
    p.bookings.value = (case.rows[0],)
    p.remove_button.click()
    assert len(case.rows) == len(chosen) - 1 and t("t2widgets.no_over_capacity", "en") in p.over.value
    p.people.value = ()
    p.book_button.click()
    assert t("t2widgets.choose_to_book", "en") in p.status.value


def test_the_gap_filter_offers_only_people_with_a_gap_in_the_offer(app: T2App) -> None:
    p, case = app.plan, app.case
    p.offer.value = "TR028" if "TR028" in set(case.world.training["offer_id"]) else p.offer.options[0][1]
    offered = {v for _, v in p.people.options}
    gaps = case.audit().gaps
    skills = set(str(case.world.training.set_index("offer_id").loc[p.offer.value, "skills"]).split(";"))
    short = set(gaps.loc[(gaps["gap"] > 0) & gaps["skill_id"].isin(skills), "staff_id"])
    assert offered == short
    p.gap_only.value = False
    assert len(p.people.options) == len(case.world.staff)


def test_deferrals_need_a_reason(app: T2App) -> None:
    p, case = app.plan, app.case
    p.deferred.add_button.click()
    assert "problem" in p.deferred_status.value and case.deferred == []
    p.deferred.rows[0]["reason"].value = SCRIPT
    assert case.deferred[0].reason == SCRIPT and t("t2widgets.deferred_adopted", "en", n=1) in p.deferred_status.value
    p.deferred.rows[0]["reason"].value = SCRIPT * 100  # too long: the problem names it, escaped
    assert "problem" in p.deferred_status.value and SCRIPT not in p.deferred_status.value
    assert case.deferred[0].reason == SCRIPT  # the last valid deferrals stay


def test_the_memo_keeps_the_erlang_c_needs_of_the_weeks(app: T2App, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[World] = []
    real = schedule.week_needs

    def counted(world: World) -> Any:
        calls.append(world)
        return real(world)

    monkeypatch.setattr(schedule, "week_needs", counted)
    p = app.plan
    p.gap_only.value = False
    for person in [v for _, v in p.people.options][:4]:
        p.people.value = (person,)
        p.book_button.click()
    assert len(app.case.rows) == 4 and calls == []  # computed once when the tab was built, then the memo


def test_the_evaluation_marks_old_months_and_shows_the_inputs_not_the_roi(app: T2App, strong_en: T2Case) -> None:
    e, case = app.evaluation, app.case
    assert t("t2widgets.roi_choose", "en") in e.inputs.value
    assert {v for _, v in e.levels["L1"].options} == {"", *MEASURES}
    fill_plan(app, strong_en)
    vendor = strong_en.evaluation.roi_offer
    assert vendor is not None
    assert [v for _, v in e.roi_offer.options][1] == vendor or vendor in [v for _, v in e.roi_offer.options]
    e.roi_offer.value = vendor
    assert t("t2widgets.roi_simulate_first", "en", months=3) in e.inputs.value
    e.simulate_button.click()
    assert case.outcome_is_current and t("t2widgets.simulated", "en", months=3) in e.sim_status.value
    shown = e.inputs.value
    assert t("t2widgets.roi_fees", "en") in shown and "TR" not in e.alert.value
    roi = case.roi(vendor)
    assert f"{roi.roi_percent:.1f}" not in shown and f"{roi.roi_percent:.2f}" not in "".join(texts_of(app.widget))
    e.levels["L1"].value = "reaction_survey"
    e.roi_percent.value = SCRIPT
    assert "problem" in e.status.value and SCRIPT not in e.status.value and esc(SCRIPT) in e.status.value
    e.roi_percent.value = "12.5"
    assert case.evaluation.roi_percent == 12.5 and case.evaluation.levels == {"L1": "reaction_survey"}
    app.plan.bookings.value = (case.rows[0],)
    app.plan.remove_button.click()
    assert not case.outcome_is_current
    assert t("t2widgets.simulation_stale", "en", months=3) in e.sim_status.value
    assert t("t2widgets.roi_simulate_first", "en", months=3) in e.inputs.value


def test_save_shows_the_problems_or_saves(app: T2App) -> None:
    app.save.save_button.click()
    assert app.answer_path.exists() or "problem" in app.save.status.value


# --- both languages ---------------------------------------------------------------------------------------------

KEY_LIKE = re.compile(r"\b(?:widgets|t2widgets|t2|t2logic|kpi|expect|error|candidate)\.[a-z][a-z0-9_]*\b")


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_without_missing_keys(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = build_case("strong", ORG, SEED, "ref", lang, world=world)
    work_the_case(app, ref)
    app.plan.deferred.add_button.click()  # no reason: a problem, in this language
    shown = "\n".join(texts_of(app.widget))
    assert not KEY_LIKE.findall(shown)
    if lang == "zh-TW":
        assert "盤點與需求" in shown and "訓練計畫" in shown and "服務水準" in shown
    else:
        assert "2. Audit & needs" in shown and "4. Training plan" in shown


# --- the pure helpers -------------------------------------------------------------------------------------------


def test_form_helpers() -> None:
    row = {"staff_id": "E1", "skill_id": forms.WHOLE, "problem": "stale", "action": "reassess"}
    assert forms.issue_data(row)["skill_id"] is None
    assert (
        forms.need_data(
            {"role": "a", "skill_id": "b", "kind": "technology", "people": 3.0, "priority": 2, "critical": 1}
        )["people"]
        == 3
    )
    assert forms.evaluation_data({"L1": "fcr", "L2": ""}, "", " ", "x") == {
        "levels": {"L1": "fcr"},
        "roi_offer": None,
        "roi_percent": None,
        "review": "x",
    }
    assert forms.number_text(3.0) == "3" and forms.number_text(None) == "" and forms.optional(" 4 ") == "4"
    assert booked_seats([("a", "S1"), ("a", "S1"), ("b", "S1"), ("b", "S2")]) == {"S1": 2, "S2": 1}


def test_the_chart_marks_the_weeks_below_the_target(world: World) -> None:
    case = T2Case(ORG, SEED, "c", "en", world=world)
    weekly = case.weekly_service_level().copy()
    weekly.loc[2, "service_level"] = 0.5
    weekly["holds"] = weekly["service_level"] >= weekly["target"]
    svg = service_level_svg(weekly, "en")
    assert svg.count('class="ck-sl-bar"') == len(weekly) and svg.count(MISSES) == 1
    assert svg.count(HOLDS) == len(weekly) - 1 and 'class="ck-sl-target"' in svg and "<script" not in svg
    grid = calendar_html(world, {}, set(), weekly, "en")
    assert grid.count("<tr>") == 1 + len(world.training) + 2  # the weeks, the offers, FTE and service level


# --- the notebook -----------------------------------------------------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "candidate" / "t2_training.ipynb"


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TAB_KEYS = (
    "t2widgets.tab_records",
    "t2widgets.tab_needs",
    "t2widgets.tab_induction",
    "t2widgets.tab_plan",
    "t2widgets.tab_evaluation",
    "t2widgets.tab_texts",
    "widgets.tab_save",
)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_papermill_runs_the_notebook_and_resumes_the_saved_answer(
    lang: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = build_case("strong", ORG, SEED, "nb", lang, world=world)
    assert_resumes_in_a_kernel(NOTEBOOK, case, TAB_KEYS, tmp_path, monkeypatch)


def test_the_notebook_has_a_parameters_cell_and_no_logic() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    params = "".join(code[0]["source"])
    assert "parameters" in code[0]["metadata"]["tags"]
    for name in ("org", "seed", "candidate_id", "roster", "answer_path"):
        assert f"\n{name} = None" in "\n" + params
    assert '\nlang = "zh-TW"' in "\n" + params
    assert all(not c["outputs"] for c in code)
    assert all(f'"{var}"' in "".join(code[1]["source"]) for var in ("CASEKIT_ORG", "CASEKIT_ANSWER", "CASEKIT_LANG"))
    assert (
        "".join(code[-1]["source"])
        .strip()
        .endswith('open_case("T2", org, seed, candidate_id, lang, answer_path, roster=roster)')
    )
