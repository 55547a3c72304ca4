"""T2's evidence sections, rendered from graded submissions without a kernel: a record the candidate missed shows
as missed and one listed wrongly as wrong, induction faults in plain language, the over-spender's spend above the
budget, the failing week of the service level marked on the chart, the ROI recomputed, every candidate text
escaped, both languages complete, and the figures read from the grading's cache rather than computed again."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest

from casekit import assets
from casekit.answers import dumps_answer
from casekit.cases.sections import Section
from casekit.cases.t2_training import audit as audit_mod
from casekit.cases.t2_training import checks_base as cb
from casekit.cases.t2_training import checks_more, evidence, evidence_plan, schedule
from casekit.cases.t2_training import evaluation as ev
from casekit.cases.t2_training.answer import LEVELS, DataIssue, Deferral, T2Answer
from casekit.cases.t2_training.checks import CHECKS
from casekit.cases.t2_training.checks_more import training_outcome
from casekit.cases.t2_training.evidence import SECTIONS
from casekit.cases.t2_training.evidence_plan import skill_label, week_label
from casekit.html import esc, plain_list
from casekit.i18n import catalog, t
from casekit.kpi import format_money, format_number, format_share
from casekit.rubric import CaseResult, CheckContext, Decision, Rubric, decide, load_rubric, run_checks
from casekit.scenario import World, world_for

ORG, SEED = "ecommerce-cs", 1
LANGS = ("en", "zh-TW")


class Graded:
    """A graded T2 submission as the grading notebook's ``GradedCase`` gives it to the sections."""

    def __init__(self, answer: T2Answer, world: World, rubric: Rubric) -> None:
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
    return load_rubric(assets.rubric("t2-training.yaml"), registry=CHECKS)


@cache
def _answer(profile: str) -> T2Answer:
    from casekit.cases.t2_training.profiles import build_case

    answer = build_case(profile, ORG, SEED, "C1", "en", world=world_for(ORG, SEED)).to_answer()
    assert isinstance(answer, T2Answer)
    return answer


def _section(section_id: str) -> Section:
    return next(s for s in SECTIONS if s.id == section_id)


def _render(graded: Graded, section_id: str, lang: str = "en") -> str:
    return _section(section_id).render(graded, lang)


def _row_with(html: str, *texts: str) -> str:
    """The one table row of ``html`` that contains every text."""
    rows: list[str] = [r for r in re.findall(r"<tr>.*?</tr>", html) if all(x in r for x in texts)]
    assert len(rows) == 1, (texts, rows)
    return rows[0]


def test_sections_are_the_six_parts_with_titles_in_both_languages() -> None:
    ids = [s.id for s in SECTIONS]
    assert ids == ["t2-records", "t2-audit", "t2-induction", "t2-plan", "t2-evaluation", "t2-texts"]
    for lang in LANGS:
        assert all(s.title_key in catalog(lang) for s in SECTIONS)


def test_a_missed_record_shows_as_missed_and_a_false_one_as_listed_wrongly(world: World, rubric: Rubric) -> None:
    strong = _answer("strong")
    issues = audit_mod.data_issues(world)
    stale = set(issues.loc[issues["problem"] == "stale", "staff_id"])
    missing = issues[(issues["problem"] == "missing") & ~issues["staff_id"].isin(stale)].iloc[0]
    staff, skill = str(missing["staff_id"]), str(missing["skill_id"])
    kept = [i for i in strong.data_issues if (i.staff_id, i.skill_id) != (staff, skill)]
    assert len(kept) == len(strong.data_issues) - 1
    clean = sorted(set(world.staff["staff_id"]) - set(issues["staff_id"]))[0]
    wrong = DataIssue(staff_id=clean, skill_id=None, problem="stale", action="reassess")
    answer = strong.model_copy(update={"data_issues": [*kept, wrong]})
    graded = Graded(answer, world, rubric)
    html = _render(graded, "t2-records")
    row = _row_with(html, staff, skill_label(skill, "en"))
    assert t("t2evidence.outcome_missed", "en") in row and "<td>—</td>" in row  # no handling listed
    assert t("t2evidence.outcome_wrong", "en") in _row_with(html, clean)
    # the missed and wrong rows come first, and the summary counts them as the check does
    cells = re.findall(r"<tr>.*?</tr>", html)
    assert t("t2evidence.outcome_missed", "en") in cells[1] and t("t2evidence.outcome_wrong", "en") in cells[2]
    assert "1 missed, 1 listed wrongly" in html
    check = next(c for c in graded.result.criteria if c.auto is not None and c.auto.check == "data_problems_handled")
    assert check.evidence["missed_missing"] == [f"{staff}/{skill}"]
    assert check.evidence["false_problems"] == [clean]


def test_the_audit_shows_reported_against_recomputed_by_kind(world: World, rubric: Rubric) -> None:
    strong = _answer("strong")
    answer = strong.model_copy(update={"reported": strong.reported.model_copy(update={"gap_technology": 999.0})})
    graded = Graded(answer, world, rubric)
    html = _render(graded, "t2-audit")
    found = cb.handled_audit(graded.context).totals()
    row = _row_with(html, t("t2evidence.kind_technology", "en"), "<td>999</td>")
    assert "<td>999</td>" in row and f"<td>{found['technology']}</td>" in row
    assert f"+{999 - found['technology']}" in row
    assert "<svg" in html and t("t2evidence.bar_reported", "en", kind=t("t2evidence.kind_technology", "en")) in html
    # every need above the threshold is a row, with the candidate's people against the real ones
    above = cb.true_above(graded.context)
    assert html.count(t("t2evidence.policy_critical", "en")) + html.count(t("t2evidence.policy_above", "en")) == len(
        above.groupby(["role", "skill_id"])
    )


def test_induction_faults_read_in_plain_language(world: World, rubric: Rubric) -> None:
    strong = _answer("strong")
    first, second, *rest = strong.induction
    trainer = first.trainer
    broken = first.model_copy(
        update={"buddy": trainer, "steps": [s for s in first.steps if s.topic != "data_protection"]}
    )
    graded = Graded(strong.model_copy(update={"induction": [broken, *rest]}), world, rubric)
    html = _render(graded, "t2-induction")
    row = _row_with(html, f"{first.starter_id} ")
    topic = evidence_plan.topic_label("data_protection", "en")
    assert esc(t("t2evidence.fault_buddy", "en")) in row
    assert esc(t("t2evidence.fault_missing", "en", topic=topic)) in row
    assert esc(t("t2evidence.fault_no_plan", "en")) in _row_with(html, f"{second.starter_id} ")
    assert "missing:data_protection" not in html  # the check's codes are not shown raw


def test_the_over_budget_plan_shows_spend_above_the_budget(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("over_budget"), world, rubric)
    spend, budget = schedule.spend(world, cb.rows(graded.context)), schedule.budget(world)
    assert spend > budget, "the over_budget profile no longer spends above the budget in this world"
    html = _render(graded, "t2-plan")
    over = t(
        "t2evidence.spend_over",
        "en",
        spend=format_money(spend, "en"),
        budget=format_money(budget, "en"),
        share=format_share(spend / budget),
        over=format_money(spend - budget, "en"),
    )
    assert over in html
    within = Graded(_answer("strong"), world, rubric)
    assert "over the budget" not in _render(within, "t2-plan") and "left." in _render(within, "t2-plan")
    zh = _render(graded, "t2-plan", "zh-TW")
    assert format_money(spend - budget, "zh-TW") in zh and "超出預算" in zh


def test_the_service_level_chart_marks_the_failing_week(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("service_level_broken"), world, rubric)
    weekly = cb.weekly(graded.context)
    failing = [int(w) for w in weekly.loc[~weekly["holds"].astype(bool), "week"]]
    assert failing, "the service_level_broken profile no longer breaks a week in this world"
    html = _render(graded, "t2-plan")
    chart = re.search(r"<svg.*?</svg>", html)
    assert chart is not None
    svg = chart.group(0)
    for week in weekly["week"]:
        w = int(week)
        marked = week_label(w, False, "en")
        assert (marked in svg) == (w in failing), w
        assert (week_label(w, True, "en") + "<") in svg or w in failing
    assert "stroke-dasharray" in svg  # the target as a reference line
    target = format_share(float(weekly["target"].iloc[0]))
    weeks = plain_list([str(w) for w in failing], "en")
    assert t("t2evidence.service_below", "en", target=target, weeks=weeks) in html
    assert week_label(failing[0], False, "zh-TW") in _render(graded, "t2-plan", "zh-TW")


def test_the_calendar_counts_people_per_offer_and_week(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("strong"), world, rubric)
    html = _render(graded, "t2-plan")
    table = re.search(r'<table class="ck-table t2-calendar">.*?</table>', html)
    assert table is not None
    plan = schedule.plan_frame(world, cb.rows(graded.context))
    total = _row_with(table.group(0), t("t2evidence.calendar_people", "en"))
    assert f"<td>{len(plan)}</td></tr>" in total
    weeks = len(world.weeks)
    assert table.group(0).count("<th>") == weeks + 3


def test_the_evaluation_shows_levels_roi_and_months(world: World, rubric: Rubric) -> None:
    answer = _answer("strong")
    graded = Graded(answer, world, rubric)
    html = _render(graded, "t2-evaluation")
    for level in LEVELS:
        assert t(f"t2evidence.level_{level}", "en") in html
    offer = answer.evaluation.roi_offer
    if offer is not None:
        roi = ev.phillips_roi(world, training_outcome(graded.context), cb.rows(graded.context), offer)
        assert f"<td>{format_number(roi.roi_percent, 1)}</td>" in html
    months = re.findall(r"<tr>.*?</tr>", html.split(t("t2evidence.h_months", "en"))[1].split("</table>")[0])
    assert len(months) == 1 + 2 * (ev.MONTHS + 1)  # heading, then trained and untrained for months 0..3


def test_every_candidate_text_is_escaped(world: World, rubric: Rubric) -> None:
    strong = _answer("strong")
    person = str(world.staff["staff_id"].iloc[0])
    answer = strong.model_copy(
        update={
            "justification": "<script>alert(1)</script>",
            "discussion": "line one\n<b>bold</b>",
            "evaluation": strong.evaluation.model_copy(update={"review": "<img src=x onerror=alert(1)>"}),
            "deferred": [
                Deferral(staff_id=person, skill_id="coaching", reason="<script>x</script> later"),
            ],
        }
    )
    graded = Graded(answer, world, rubric)
    for lang in LANGS:
        html = "".join(_render(graded, s.id, lang) for s in SECTIONS)
        assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<b>bold</b>" not in html and "line one<br>&lt;b&gt;" in html
        assert "<img" not in html and "&lt;img src=x" in html
        assert "&lt;script&gt;x&lt;/script&gt; later" in html


@pytest.mark.parametrize("profile", ["strong", "over_budget", "service_level_broken", "someone_unscheduled"])
def test_both_languages_render_with_no_missing_key(world: World, rubric: Rubric, profile: str) -> None:
    graded = Graded(_answer(profile), world, rubric)
    pages = {lang: "".join(s.title(lang) + _render(graded, s.id, lang) for s in SECTIONS) for lang in LANGS}
    for lang, html in pages.items():
        assert "t2evidence." not in html and "kpi." not in html, lang
        assert not re.search(r"\{[a-z_]+\}", html), lang
    assert pages["en"] != pages["zh-TW"]
    assert re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", pages["zh-TW"]))


def test_both_catalogs_have_every_key_the_sections_build() -> None:
    en, zh = catalog("en"), catalog("zh-TW")
    mine = {k for k in en if k.startswith("t2evidence.")}
    assert mine == {k for k in zh if k.startswith("t2evidence.")}
    built = [
        *(f"t2evidence.kind_{k}" for k in audit_mod.CATEGORIES),
        *(f"t2evidence.problem_{p}" for p in audit_mod.DATA_PROBLEMS),
        *(f"t2evidence.action_{a}" for a in ("reassess", "assume_gap")),
        *(f"t2evidence.outcome_{o}" for o in ("found", "missed", "wrong")),
        *(f"t2evidence.owner_{o}" for o in ("trainer", "buddy", "team_leader")),
        *(f"t2evidence.fault_{f}" for f in evidence._FAULTS),
        *(f"t2evidence.level_{lv}" for lv in LEVELS),
        *(f"t2evidence.measure_{m}" for m in ev.MEASURES),
        *(f"t2evidence.offer_{o}" for o in ("e_learning", "internal_coaching", "vendor_course")),
        *(f"t2evidence.policy_{p}" for p in ("critical", "above", "below")),
        *(f"t2evidence.bar_{b}" for b in ("reported", "recomputed")),
    ]
    assert not [k for k in built if k not in mine]
    assert not [k for k in mine if en[k] == zh[k]]


def test_the_sections_read_the_checks_figures_from_the_cache(
    world: World, rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    graded = Graded(_answer("strong"), world, rubric)
    training_outcome(graded.context)  # the ROI check computes it when a booked offer is named; here either way

    def computed_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(schedule, "weekly_service_level", computed_again)
    monkeypatch.setattr(audit_mod, "audit", computed_again)
    monkeypatch.setattr(ev, "simulate_training", computed_again)
    monkeypatch.setattr(checks_more, "_induction_faults", computed_again)
    for lang in LANGS:
        assert all(_render(graded, s.id, lang) for s in SECTIONS)
