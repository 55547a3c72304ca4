"""The T5 candidate widgets, driven headless as a candidate would (``.value = ...``, ``.click()``), asserting on the
case object underneath and on what the tabs show: the widgets only read and write it. The whole case is worked
through the tabs with the values the "strong" simulated candidate chooses through the case API, and the saved
document must hold what that candidate's case holds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from notebook_checks import assert_resumes_in_a_kernel
from test_t2_widgets import texts_of

from casekit.cases.t5_compliance import rules
from casekit.cases.t5_compliance.answer import THRESHOLDS, T5Answer
from casekit.cases.t5_compliance.case import T5Case
from casekit.cases.t5_compliance.profiles import SESSION_EVERY, build_case
from casekit.cases.t5_compliance.register import filled
from casekit.errors import AnswerError
from casekit.html import esc
from casekit.i18n import LANGS, t
from casekit.registry import registry
from casekit.scenario import World, world_for
from casekit.scenario.catalogs import load_law
from casekit.widgets.t5_compliance import ANSWER_MIME, T5App, forms
from casekit.widgets.t5_compliance.charts import bookings_by_month, bookings_svg, months_between
from casekit.widgets.t5_compliance.render import ALL, BREACH, INCOMPLETE
from casekit.widgets.t5_compliance.scans import short_rows

ORG, SEED = "bank-cards", 7
SCRIPT = "<script>alert(1)</script>"
#: the parts of a document the widgets must give exactly as the strong candidate's case
PARTS = ("framework", "courses", "sessions", "thresholds", "findings", "next_month_run", "explanation", "discussion")
#: the register fields the strong candidate sets by rule (the owner is set finding by finding)
BY_RULE = ("severity", "root_cause", "due", "rectification", "prevention", "preventive_note")


@pytest.fixture(scope="module")
def world() -> World:
    return world_for(ORG, SEED)


def make_app(world: World, tmp_path: Path, lang: str = "en", cid: str = "cand-1") -> T5App:
    return T5App.create(ORG, SEED, cid, lang, tmp_path / "answer.json", world=world)


@pytest.fixture
def app(world: World, tmp_path: Path) -> T5App:
    return make_app(world, tmp_path)


@pytest.fixture(scope="module")
def strong_en(world: World) -> T5Case:
    return build_case("strong", ORG, SEED, "ref", "en", world=world)


def the_law(case: T5Case) -> dict[str, float]:
    return rules.thresholds(load_law(), int(case.window()[0][:4]))


# --- working the case through the tabs --------------------------------------------------------------------------


def fill_framework(app: T5App, ref: T5Case) -> None:
    for entry in ref.framework.values():
        row = app.framework.rows[entry.obligation]
        row["include"].value = True
        row["scope"].value = entry.scope
        row["policy"].value = entry.policy
        row["records"].value = tuple(entry.records)
    app.framework.save_button.click()


def fill_training(app: T5App, ref: T5Case) -> None:
    first = min(s.date for s in ref.sessions)
    last = max(s.date for s in ref.sessions)
    for course in ref.courses.values():
        row = app.training.rows[course.course]
        row["roles"].value = tuple(course.roles)
        row["within_days"].value = course.within_days
        row["recurrence_months"].value = course.recurrence_months
        row["start"].value = first
        row["every"].value = SESSION_EVERY
        row["count"].value = (last - first).days // SESSION_EVERY + 1
    app.training.book_button.click()


def fill_figures(app: T5App, figures: dict[str, float]) -> None:
    for name, value in figures.items():
        app.rules.figures[name].value = forms.figure_text(value)
    app.rules.save_button.click()


def scan_and_register(app: T5App) -> None:
    for r in rules.RULES:
        app.rules.rule.value = r.id
        app.rules.scan_button.click()
        app.rules.register_button.click()


def fill_register(app: T5App, ref: T5Case) -> None:
    p = app.register
    for rule_id in dict.fromkeys(f.rule for f in ref.findings.values()):
        mine = [f for f in ref.findings.values() if f.rule == rule_id]
        p.rule.value = rule_id
        p.choose_rule_button.click()
        for name in BY_RULE:
            value = getattr(mine[0], name)
            p.form[name].value = value
        p.apply_button.click()
    for key, f in ref.findings.items():
        p.chosen.value = (key,)
        p.form["owner"].value = f.owner
        p.apply_button.click()


def fill_next_month(app: T5App, ref: T5Case) -> None:
    n = app.next_month
    n.run_button.click()
    for rule_id in dict.fromkeys(f.rule for f in ref.findings.values()):
        n.rule.value = rule_id
        for key, choice in n.checks.items():
            choice.value = ref.findings[key].verification


def work_the_case(app: T5App, ref: T5Case) -> None:
    fill_framework(app, ref)
    fill_training(app, ref)
    fill_figures(app, ref.thresholds)
    scan_and_register(app)
    fill_register(app, ref)
    fill_next_month(app, ref)
    app.texts.areas["explanation"].value = ref.explanation
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
    assert isinstance(doc, T5Answer) and doc == app.case.to_answer()
    expected = ref.to_answer()
    assert (doc.case, doc.org, doc.seed, doc.candidate_id, doc.lang) == ("T5", ORG, SEED, "cand-1", lang)
    for part in PARTS:
        assert getattr(doc, part) == getattr(expected, part), part
    assert doc.reported == expected.reported
    assert doc.declaration is not None and doc.declaration.agreed
    (output,) = app.save.output.outputs
    assert output["data"][ANSWER_MIME] == json.loads(path.read_text(encoding="utf-8"))


def test_a_saved_answer_reopens_in_every_tab(world: World, tmp_path: Path, strong_en: T5Case) -> None:
    ref = strong_en
    ref.save(tmp_path / "answer.json")
    again = T5App.create(ORG, SEED, "ref", "en", tmp_path / "answer.json", world=world)
    assert "Resumed" in again.header.value
    assert sorted(again.framework.form_data(), key=str) == sorted(
        (e.model_dump() for e in ref.framework.values()), key=str
    )
    assert sorted(again.training.course_data(), key=str) == sorted(
        (c.model_dump() for c in ref.courses.values()), key=str
    )
    assert forms.figures({n: w.value for n, w in again.rules.figures.items()}, "x") == ref.thresholds
    assert len(again.register.chosen.options) == len(ref.findings)
    assert (
        t("t5widgets.register_summary", "en", n=len(ref.findings), incomplete=0, back_pay="").split("NT$")[0]
        in again.register.summary.value
    )
    assert again.next_month.checks and all(
        c.value == ref.findings[k].verification for k, c in again.next_month.checks.items()
    )
    assert again.texts.areas["discussion"].value == ref.discussion


# --- each tab ---------------------------------------------------------------------------------------------------


def test_the_records_tab_filters_a_table(app: T5App) -> None:
    r, case = app.records, app.case
    assert case.today().isoformat() in "".join(texts_of(r.widget))
    person = str(case.world.staff["staff_id"].iloc[3])
    month = case.window()[1]
    r.table.value, r.person.value, r.month.value = "attendance", person, month
    expected = case.filter("attendance", staff_id=person, month=month)
    assert len(expected) and f"{len(expected):,} rows" in r.count.value
    assert all(esc(row_id) in r.rows.value for row_id in expected["row_id"])
    r.month.value = ALL
    r.date_from.value = dt.date.fromisoformat(month + "-10")
    r.date_to.value = dt.date.fromisoformat(month + "-12")
    found = r.show()
    assert set(found["date"]) <= {f"{month}-10", f"{month}-11", f"{month}-12"}
    r.date_from.value = r.date_to.value = None
    r.table.value = "job_ads"  # no staff_id: the person filter off, every ad shown
    assert r.person.disabled and len(r.show()) == len(case.world.job_ads)
    r.table.value = "staff"
    assert r.month.disabled and len(r.show()) == 1


def test_the_framework_is_saved_and_a_bad_entry_keeps_the_form(app: T5App) -> None:
    f, case = app.framework, app.case
    catalog = case.obligations()
    assert len(f.rows) == len(catalog)  # every obligation offered, applicable or not
    first, second = catalog[0].id, catalog[1].id
    f.rows[first]["include"].value = True
    f.rows[first]["records"].value = ("attendance",)
    f.rows[second]["include"].value = True
    f.rows[second]["policy"].value = SCRIPT * 200  # over the policy's length
    f.save_button.click()
    assert "problem" in f.status.value and SCRIPT not in f.status.value and case.framework == {}
    assert f.rows[second]["policy"].value == SCRIPT * 200
    f.rows[second]["policy"].value = SCRIPT
    f.save_button.click()
    assert set(case.framework) == {first, second} and case.framework[second].policy == SCRIPT
    assert case.framework[first].records == ["attendance"]
    assert t("t5widgets.framework_saved", "en", n=2) in f.status.value


def test_courses_are_booked_their_problems_listed_and_drawn(app: T5App, strong_en: T5Case) -> None:
    p, case = app.training, app.case
    p.book_button.click()  # no role chosen: nothing set
    assert case.courses == {} and case.sessions == []
    course = next(iter(strong_en.courses.values()))
    row = p.rows[course.course]
    row["roles"].value = tuple(course.roles)
    row["count"].value = 3
    p.book_button.click()
    assert set(case.courses) == {course.course}
    booked = [s for s in case.sessions if s.course == course.course]
    assert booked and {s.date for s in booked} <= set(p.dates(course.course))
    assert "ck-t5-bookings-chart" in p.chart.value
    counts = bookings_by_month((s.course, s.date) for s in case.sessions)
    assert p.chart.value.count('class="ck-bar"') == len(counts)
    problems = case.training_problems()
    assert (f"{len(problems):,}" in p.problems.value) if len(problems) else "lacks nothing" in p.problems.value
    row["start"].value = None  # no dates: the case's message, the courses kept
    p.book_button.click()
    assert t("t5.no_dates", "en") in p.status.value and set(case.courses) == {course.course}
    row["roles"].value = ()
    p.book_button.click()  # the course dropped: its bookings go
    assert case.courses == {} and case.sessions == []


def test_figures_are_stated_by_the_candidate_and_a_scan_marks_the_breaches(app: T5App) -> None:
    p, case = app.rules, app.case
    assert all(w.value == "" for w in p.figures.values())  # not prefilled with the law
    p.rule.value = "daily_hours"
    p.scan_button.click()
    assert "problem" in p.scan_status.value and "daily_max_hours" in p.scan_status.value  # the figure it needs
    law = the_law(case)
    p.figures["daily_max_hours"].value = "twelve"
    p.figures["monthly_cap"].value = "46"
    p.save_button.click()
    assert "problem" in p.figures_status.value and case.thresholds == {}
    assert p.figures["monthly_cap"].value == "46"  # the rest kept
    fill_figures(app, law)
    assert case.thresholds == law and t("t5widgets.figures_saved", "en", n=len(THRESHOLDS)) in p.figures_status.value
    assert forms.figure_text(law["premium_first_two_hours"]) == "4/3"
    p.rule.value = "daily_hours"
    found = p.scan()
    assert found is not None and found.equals(case.scan("daily_hours", near=True))
    breaches = int(found["breach"].sum())
    assert 0 < breaches < len(found)  # the decoys at exactly 12 h are shown, not marked
    assert p.result.value.count(f"background:{BREACH}") == min(breaches, len(found))
    p.breaches_only.value = True
    assert p.result.value.count("<tr") == 1 + breaches
    p.register_button.click()
    assert len(case.findings) == breaches and all(f.rule == "daily_hours" for f in case.findings.values())
    assert len(app.register.chosen.options) == breaches
    assert t("t5widgets.next_stale", "en") in app.next_month.status.value


def test_findings_are_edited_one_or_all_of_a_rule_and_incomplete_ones_marked(app: T5App) -> None:
    case, p = app.case, app.register
    case.set_thresholds(the_law(case))
    case.add_scan("overtime_pay")
    case.add_scan("break")
    p.findings_changed()
    n = len(case.findings)
    assert p.table.value.count(f"background:{INCOMPLETE}") == n  # no owner, date or cause yet
    p.rule.value = "break"
    p.choose_rule_button.click()
    breaches = [k for k, f in case.findings.items() if f.rule == "break"]
    assert set(p.chosen.value) == set(breaches)
    due = case.today() + dt.timedelta(days=14)
    p.form["root_cause"].value, p.form["due"].value, p.form["rectification"].value = SCRIPT, due, "schedule_fixed"
    p.apply_button.click()
    assert all(case.findings[k].root_cause == SCRIPT and case.findings[k].due == due for k in breaches)
    assert SCRIPT not in p.table.value and esc(SCRIPT) in p.table.value
    pay = next(k for k, f in case.findings.items() if f.rule == "overtime_pay")
    before = case.findings[pay].back_pay
    p.chosen.value = (pay,)
    assert p.form["back_pay"].value == forms.number_text(before)  # one chosen: its entry shown
    p.form["back_pay"].value = "lots"
    p.apply_button.click()
    assert "problem" in p.status.value and case.findings[pay].back_pay == before
    assert p.form["back_pay"].value == "lots"
    owner = next(v for _, v in p.form["owner"].options if v != forms.KEEP)
    p.form["back_pay"].value = "1234"
    p.form["owner"].value = owner
    p.apply_button.click()
    assert (case.findings[pay].back_pay, case.findings[pay].owner) == (1234, owner)
    manager_roles = set(case.world.staff.set_index("staff_id").loc[[owner], "role"])
    assert manager_roles <= {"team_leader", "workforce_planner", "qa_analyst", "trainer"}
    p.chosen.value = tuple(breaches)
    p.form["owner"].value = owner
    p.apply_button.click()
    assert all(filled(case.findings[k]) for k in breaches)
    assert p.table.value.count(f"background:{INCOMPLETE}") == n - len(breaches)
    p.choose_incomplete_button.click()
    assert set(p.chosen.value) == {k for k, f in case.findings.items() if not filled(f)}
    p.chosen.value = (pay,)
    p.remove_button.click()
    assert pay not in case.findings and len(p.chosen.options) == n - 1


def test_the_next_month_runs_and_each_finding_is_verified(app: T5App) -> None:
    case, n = app.case, app.next_month
    n.run_button.click()
    assert t("t5.no_findings", "en") in n.status.value
    case.set_thresholds(the_law(case))
    app.rules.rule.value = "daily_hours"
    app.rules.register_button.click()
    keys = [k for k, f in case.findings.items() if f.rule == "daily_hours"]
    assert n.rule.value == "daily_hours" and set(n.checks) == set(keys)
    assert all(c.disabled for c in n.checks.values())  # not run yet
    n.run_button.click()
    assert case.next_month_run and esc(t("t5widgets.next_ran", "en", n=len(keys))) in n.status.value
    found = case.next_scan("daily_hours")
    summary = n.summary.value  # every rule: registered, and what the next month shows
    assert summary.count("<tr>") == 1 + len(rules.RULES) and f"<td>{len(found):,}</td>" in summary
    assert esc(t("t5widgets.next_found", "en", rule=rules.rule("daily_hours").title("en"), n=len(found))) in (
        n.rows_html.value
    )
    n.all_held_button.click()
    assert all(case.findings[k].verification == "held" for k in keys) and case.next_month_run
    n.checks[keys[0]].value = "recurred"
    assert case.findings[keys[0]].verification == "recurred"
    assert t("t5widgets.verified_count", "en", n=len(keys), total=len(keys)) in n.verified.value
    assert "recurred" in app.register.table.value
    app.register.chosen.value = (keys[0],)
    app.register.form["severity"].value = "high"
    app.register.apply_button.click()  # the register changed: the run is stale
    assert not case.next_month_run and t("t5widgets.next_stale", "en") in n.status.value


def test_save_shows_the_problems_or_saves(app: T5App) -> None:
    app.save.save_button.click()
    assert app.answer_path.exists() or "problem" in app.save.status.value


# --- both languages ---------------------------------------------------------------------------------------------

KEY_LIKE = re.compile(r"\b(?:widgets|t5widgets|t5|t5rule|expect|error|candidate)\.[a-z][a-z0-9_]*\b")


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_without_missing_keys(lang: str, world: World, tmp_path: Path) -> None:
    app = make_app(world, tmp_path, lang)
    ref = build_case("strong", ORG, SEED, "ref", lang, world=world)
    work_the_case(app, ref)
    app.rules.scan_button.click()
    shown = "\n".join(texts_of(app.widget))
    assert not KEY_LIKE.findall(shown)
    if lang == "zh-TW":
        assert "法規架構" in shown and "違規登記簿" in shown and "次月" in shown
    else:
        assert "2. Framework" in shown and "5. Register" in shown and "6. Next month" in shown


# --- the pure helpers -------------------------------------------------------------------------------------------


def test_form_helpers() -> None:
    assert forms.number(" 4/3 ") == 4 / 3 and forms.number("46") == 46.0 and forms.number("") is None
    assert forms.number("1/0") == "1/0" and forms.number("nan") == "nan" and forms.number("1,234") == 1234.0
    assert forms.figure_text(4 / 3) == "4/3" and forms.figure_text(46.0) == "46" and forms.figure_text(None) == ""
    assert forms.figure_text(0.1) == "0.1" and forms.figure_text(1.5) == "1.5" and forms.figure_text(1 / 7) == "1/7"
    with pytest.raises(AnswerError):
        forms.figures({"monthly_cap": "x", "daily_max_hours": "12"}, "figures")
    assert forms.figures({"monthly_cap": "46", "daily_max_hours": " "}, "f") == {"monthly_cap": 46.0}
    day = dt.date(2026, 4, 8)
    assert forms.session_dates(day, 14, 3) == [day, day + dt.timedelta(days=14), day + dt.timedelta(days=28)]
    assert forms.session_dates(None, 14, 3) == [] and forms.session_dates(day, 0, 2)[1] == day + dt.timedelta(1)
    fields = forms.update_fields(
        {"severity": forms.KEEP, "root_cause": " x ", "due": None, "back_pay": "12", "note": ""}, "r"
    )
    assert fields == {"root_cause": "x", "back_pay": 12}
    with pytest.raises(AnswerError):
        forms.update_fields({"back_pay": "1.5"}, "r")


def test_the_bookings_chart_and_the_evidence_cut() -> None:
    day = dt.date(2026, 4, 8)
    bookings = [("personal_data", day), ("personal_data", day), ("labour_rules", day + dt.timedelta(days=62))]
    counts = bookings_by_month(bookings)
    assert counts == {("2026-04", "personal_data"): 2, ("2026-06", "labour_rules"): 1}
    svg = bookings_svg(counts, [("personal_data", SCRIPT), ("labour_rules", "Labour")], "en")
    assert svg.count('class="ck-bar"') == 2 and SCRIPT not in svg and esc(SCRIPT) in svg
    assert 'data-n="2"' in svg and "<script" not in svg
    assert bookings_svg({}, [], "en") == ""
    assert months_between(dt.date(2025, 11, 5), dt.date(2026, 2, 1)) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    import pandas as pd

    frame = pd.DataFrame({"rows": [";".join(f"A{i:06d}" for i in range(20)), "A000001"]})
    cut = short_rows(frame)["rows"]
    assert cut[1] == "A000001" and cut[0].endswith(")") and "(+" in cut[0] and len(cut[0]) < 70


# --- the notebook -----------------------------------------------------------------------------------------------

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "candidate" / "t5_compliance.ipynb"
TAB_KEYS = (
    "t5widgets.tab_records",
    "t5widgets.tab_framework",
    "t5widgets.tab_training",
    "t5widgets.tab_rules",
    "t5widgets.tab_register",
    "t5widgets.tab_next",
    "t5widgets.tab_texts",
    "widgets.tab_save",
)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_papermill_runs_the_notebook_and_resumes_the_saved_answer(
    lang: str, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = build_case("strong", ORG, SEED, "nb", lang, world=world)
    assert_resumes_in_a_kernel(NOTEBOOK, case, TAB_KEYS, tmp_path, monkeypatch)


def test_the_notebook_is_the_t2_notebook_opening_t5() -> None:
    """The same parameters cell, the same environment overrides and no logic: only the kind opened differs."""

    def code(path: Path) -> list[str]:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert all(not c["outputs"] for c in cells if c["cell_type"] == "code")
        return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]

    mine, model = code(NOTEBOOK), code(NOTEBOOK.with_name("t2_training.ipynb"))
    assert mine[:-1] == model[:-1] and mine[-1] == model[-1].replace('"T2"', '"T5"') != model[-1]
    assert mine[-1].strip().endswith('open_case("T5", org, seed, candidate_id, lang, answer_path, roster=roster)')
