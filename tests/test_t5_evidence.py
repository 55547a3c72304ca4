"""T5's evidence sections, rendered from graded submissions without a kernel: an obligation left out of the register
shows as missing and one that does not apply here as such, a role never given its course shows what it lacks and who
is not booked, a boundary breach missed and a record exactly at the line reported are marked, back pay at the wrong
rate shows given against owed, an entry without owner says so, the next month's verification is checked against
its records, every candidate text is escaped, both languages are complete, the checks' figures are read from the
grading's cache, and the page of a case graded end to end renders."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from casekit.answers import dumps_answer
from casekit.cases.sections import Section
from casekit.cases.t5_compliance import calendar_review, framework, register, training, verify
from casekit.cases.t5_compliance import checks_base as cb
from casekit.cases.t5_compliance.answer import (
    PREVENTIONS,
    RECTIFICATIONS,
    SEVERITIES,
    VERIFICATIONS,
    Finding,
    FrameworkEntry,
    T5Answer,
    finding_key,
)
from casekit.cases.t5_compliance.checks import CHECKS
from casekit.cases.t5_compliance.evidence import SECTIONS
from casekit.cases.t5_compliance.evidence_more import MAX_ROWS, person, role_label
from casekit.cases.t5_compliance.kind import KIND
from casekit.grading import grade_submission
from casekit.html import esc
from casekit.i18n import catalog, t
from casekit.kpi import format_money
from casekit.registry import CaseRegistry
from casekit.rubric import CaseResult, CheckContext, Decision, Rubric, decide, run_checks
from casekit.scenario import World, world_for

ORG, SEED = "bank-cards", 7
LANGS = ("en", "zh-TW")
SCRIPT = "<script>alert(1)</script>"


class Graded:
    """A graded T5 submission as the grading notebook's ``GradedCase`` gives it to the sections."""

    def __init__(self, answer: T5Answer, world: World, rubric: Rubric) -> None:
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
def _answer(profile: str) -> T5Answer:
    from casekit.cases.t5_compliance.profiles import build_case

    answer = build_case(profile, ORG, SEED, "C1", "en", world=world_for(ORG, SEED)).to_answer()
    assert isinstance(answer, T5Answer)
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


def _first_row(html: str) -> str:
    return re.findall(r"<tr>.*?</tr>", html)[1]  # after the heading row


def _evidence(graded: Graded, check: str) -> Mapping[str, Any]:
    return next(c for c in graded.result.criteria if c.auto is not None and c.auto.check == check).evidence


def _names(world: World) -> dict[str, str]:
    return dict(zip(world.staff["staff_id"], world.staff["name"], strict=True))


def test_sections_are_the_six_parts_with_titles_in_both_languages() -> None:
    ids = [s.id for s in SECTIONS]
    assert ids == ["t5-framework", "t5-training", "t5-findings", "t5-register", "t5-next-month", "t5-texts"]
    for lang in LANGS:
        assert all(s.title_key in catalog(lang) for s in SECTIONS)


def test_the_strong_answer_has_nothing_marked(strong: Graded) -> None:
    assert all(c.state == "met" for c in strong.result.criteria if c.auto is not None)
    for lang in LANGS:
        html = "".join(_render(strong, s.id, lang) for s in SECTIONS)
        assert "t5-flag" not in html, lang
    html = _render(strong, "t5-training")
    assert esc(t("t5evidence.no_session_problems", "en")) in html
    first = min(s.date for s in strong.answer.sessions).isoformat()[:7]
    assert f"<td>{first}</td>" in html  # the bookings per month


def test_the_framework_marks_the_missing_and_the_inapplicable(world: World, rubric: Rubric, strong: Graded) -> None:
    applying = {o.id for o in framework.applicable(world.spec, world.staff)}
    extra = next(o.id for o in framework.catalog() if o.id not in applying)
    dropped = strong.answer.framework[0]
    kept = [e for e in strong.answer.framework if e != dropped]
    wrong = FrameworkEntry(obligation=extra, scope="all_staff", policy="a policy for it", records=["staff"])
    graded = Graded(strong.answer.model_copy(update={"framework": [*kept, wrong]}), world, rubric)
    html = _render(graded, "t5-framework")
    missing = _row_with(html, esc(framework.obligation_label(dropped.obligation, "en")))
    assert f"⚠ {esc(t('t5evidence.status_missing', 'en'))}" in missing
    inapplicable = _row_with(html, esc(framework.obligation_label(extra, "en")))
    assert esc(t("t5evidence.status_not_applicable", "en")) in inapplicable and "t5-flag" in inapplicable
    assert {_first_row(html), re.findall(r"<tr>.*?</tr>", html)[2]} == {missing, inapplicable}  # problems first
    assert "0 applicable obligations are missing" not in html and "1 applicable obligations are missing" in html
    evidence = _evidence(graded, "framework_complete")
    assert evidence["missing"] == [dropped.obligation] and evidence["not_applicable"] == [extra]
    # whom each obligation concerns here, counted
    people = next(o for o in framework.applicable(world.spec, world.staff) if o.scope == "all_staff")
    label = framework.scope_label("all_staff", "en")
    text = esc(t("t5evidence.scope_people", "en", scope=label, count=f"{len(people.staff_ids):,}"))
    assert text in _render(strong, "t5-framework")


def test_a_role_never_trained_shows_what_the_course_lacks_and_who_is_not_booked(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("role_untrained"), world, rubric)
    html = _render(graded, "t5-training")
    needs = training.role_needs(world.spec, world.staff)
    given = {c.course: c for c in graded.answer.courses}
    lacking = {c: sorted(set(roles) - set(given[c].roles)) for c, roles in needs.items()}
    course, roles = next((c, r) for c, r in lacking.items() if r)
    courses = html.split(esc(t("t5evidence.h_sessions", "en")))[0]
    row = _row_with(courses, f"<tr><td>{esc(training.course_label(course, 'en'))}</td>")
    assert "t5-flag" in row and esc(role_label(roles[0], "en")) in row
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", re.sub(r"<[^>]+>", "", row))  # roles by their names, not ids
    evidence = _evidence(graded, "training_scheduled")
    assert evidence["missing"] > 0
    assert f"{evidence['missing']:,} not booked" in html
    assert esc(t("t5evidence.more_rows", "en", count=f"{evidence['missing'] - MAX_ROWS:,}")) in html
    first = _first_row(html.split(esc(t("t5evidence.h_sessions", "en")))[1])
    assert "is not booked on" in first
    zh = _render(graded, "t5-training", "zh-TW").split(esc(t("t5evidence.h_sessions", "zh-TW")))[0]
    label = esc(training.course_label(course, "zh-TW"))
    assert esc(role_label(roles[0], "zh-TW")) in _row_with(zh, f"<tr><td>{label}</td>")


def test_a_record_at_the_line_reported_and_a_boundary_breach_missed_are_marked(
    world: World, rubric: Rubric, strong: Graded
) -> None:
    # the boundary_missed profile leaves out the days just past the daily line: each is marked missed
    graded = Graded(_answer("boundary_missed"), world, rubric)
    html = _render(graded, "t5-findings")
    missed_keys = _evidence(graded, "breaches_boundaries")["missed"]
    assert missed_keys and all(k.startswith("daily_hours") for k in missed_keys)
    assert len(_rows(html, f"⚠ {esc(t('t5evidence.outcome_missed', 'en'))}")) >= len(missed_keys)
    # a record exactly at a line reported as a breach: marked
    m = cb.matched(strong.context)
    decoy = sorted(m.decoys)[0]
    rule, staff_id, day, month, ad_id, event_id, complaint_id = decoy
    extra = Finding(rule=rule, staff_id=staff_id, date=day or None, month=month, ad_id=ad_id, event_id=event_id,  # type: ignore[arg-type]
                    complaint_id=complaint_id)  # fmt: skip
    graded = Graded(strong.answer.model_copy(update={"findings": [*strong.answer.findings, extra]}), world, rubric)
    html = _render(graded, "t5-findings")
    reported = _evidence(graded, "breaches_boundaries")["decoys_reported"]
    assert reported == [cb.key_of(decoy)]
    marked = _rows(html, f"⚠ {esc(t('t5evidence.outcome_reported', 'en'))}")
    assert len(marked) == len(reported)
    assert marked[0] == _first_row(html.split(esc(t("t5evidence.h_boundary", "en")))[1])
    assert "1 findings that are not breaches" in html or "1 finding that is not a breach" in html
    # a breach just past the line left out
    key = next(k for k, row in m.truth.items() if bool(row["boundary"]) and k[1])
    kept = [f for f in strong.answer.findings if finding_key(f) != key]
    dropped = Graded(strong.answer.model_copy(update={"findings": kept}), world, rubric)
    html = _render(dropped, "t5-findings")
    who = person(key[1], _names(world))
    missed = _rows(html, who, f"⚠ {esc(t('t5evidence.outcome_missed', 'en'))}")
    assert len(missed) == 1 and missed[0] == _first_row(html.split(esc(t("t5evidence.h_boundary", "en")))[1])
    proof = [r for r in str(m.truth[key]["rows"]).split(";") if r]
    assert proof[0] in missed[0]
    listed = html.split(esc(t("t5evidence.h_missed", "en", count="1")))[1]
    assert who in _first_row(listed) and proof[0] in _first_row(listed)
    assert "1 missed" in html
    assert _evidence(dropped, "breaches_boundaries")["missed"] == [cb.key_of(key)]


def test_back_pay_at_the_wrong_rate_shows_given_against_owed(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("wrong_rate"), world, rubric)
    html = _render(graded, "t5-register")
    wrong = [r for r in _evidence(graded, "back_pay_recomputed")["pay_breaches"] if r["given"] != r["owed"]]
    assert wrong
    for r in wrong:
        given, owed = format_money(r["given"], "en"), format_money(r["owed"], "en")
        row = _row_with(html, esc(t("t5evidence.back_pay", "en", given=given, owed=owed)))
        assert esc(t("t5evidence.lack_back_pay", "en", given=given, owed=owed)) in row
    assert f"{len(wrong)} of them incomplete" in html
    assert "t5-flag" in _first_row(html)  # the wrong ones first


def test_an_entry_without_owner_says_so_first(world: World, rubric: Rubric) -> None:
    graded = Graded(_answer("no_owner"), world, rubric)
    html = _render(graded, "t5-register")
    row = _row_with(html, f"⚠ {esc(t('t5evidence.lack_no_owner', 'en'))}")
    assert row == _first_row(html) and "1 of them incomplete" in html
    zh = _render(graded, "t5-register", "zh-TW")
    assert esc(t("t5evidence.lack_no_owner", "zh-TW")) in _first_row(zh)
    # an agent as owner: without management duties
    answer = _answer("strong")
    agent = str(world.staff.loc[world.staff["role"] == "agent", "staff_id"].iloc[0])
    first = answer.findings[0].model_copy(update={"owner": agent})
    graded = Graded(answer.model_copy(update={"findings": [first, *answer.findings[1:]]}), world, rubric)
    text = t("t5evidence.lack_owner_role", "en", owner=agent, role=role_label("agent", "en"))
    assert esc(text) in _first_row(_render(graded, "t5-register"))


def test_the_next_month_checks_each_verification(world: World, rubric: Rubric, strong: Graded) -> None:
    html = _render(strong, "t5-next-month")
    found = len(cb.matched(strong.context).found)
    assert len(_rows(html, esc(t("t5evidence.held", "en")))) == min(found, MAX_ROWS)
    # a verification the records contradict
    first = strong.answer.findings[0].model_copy(update={"verification": "recurred"})
    answer = strong.answer.model_copy(update={"findings": [first, *strong.answer.findings[1:]]})
    graded = Graded(answer, world, rubric)
    html = _render(graded, "t5-next-month")
    row = _first_row(html)
    assert f"⚠ {esc(t('t5evidence.verification_recurred', 'en'))}" in row
    assert "1 of the candidate&#x27;s verifications are contradicted" in html
    # corrected only: the fix is marked; not run: nothing verified
    corrected = strong.answer.findings[0].model_copy(update={"prevention": "training_only"})
    assert register.fix_kind(corrected) == "corrected"
    answer = strong.answer.model_copy(update={"findings": [corrected, *strong.answer.findings[1:]]})
    html = _render(Graded(answer, world, rubric), "t5-next-month")
    assert f"⚠ {esc(t('t5evidence.fix_corrected', 'en'))}" in html
    idle = Graded(strong.answer.model_copy(update={"next_month_run": False}), world, rubric)
    html = _render(idle, "t5-next-month")
    assert f"⚠ {esc(t('t5evidence.next_not_run', 'en'))}" in html and "<td>—</td>" in html


def test_every_candidate_text_is_escaped(world: World, rubric: Rubric, strong: Graded) -> None:
    answer = strong.answer
    entry = answer.framework[0].model_copy(update={"policy": SCRIPT, "records": [SCRIPT]})
    finding = answer.findings[0].model_copy(
        update={"root_cause": SCRIPT, "preventive_note": SCRIPT, "owner": "<b>x</b>", "rows": [SCRIPT]}
    )
    changed = answer.model_copy(
        update={
            "framework": [entry, *answer.framework[1:]],
            "findings": [finding, *answer.findings[1:]],
            "explanation": SCRIPT,
            "discussion": "line one\n<b>bold</b>",
        }
    )
    graded = Graded(changed, world, rubric)
    for lang in LANGS:
        html = "".join(_render(graded, s.id, lang) for s in SECTIONS)
        assert "<script>" not in html and "<b>" not in html
        assert html.count(esc(SCRIPT)) >= 5
        assert "line one<br>&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


PROFILES = ("strong", "competent", "boundary_missed", "wrong_rate", "role_untrained", "no_owner")


@pytest.mark.parametrize("profile", PROFILES)
def test_both_languages_render_with_no_missing_key(world: World, rubric: Rubric, profile: str) -> None:
    graded = Graded(_answer(profile), world, rubric)
    pages = {lang: "".join(s.title(lang) + _render(graded, s.id, lang) for s in SECTIONS) for lang in LANGS}
    for lang, html in pages.items():
        assert not re.search(r"t5(evidence|law|rule|check)\.", html), lang
        assert not re.search(r"\{[a-z_]+\}", html), lang
        assert "http" not in html, lang  # nothing fetched
    assert pages["en"] != pages["zh-TW"]
    assert re.search(r"[\u4e00-\u9fff]", re.sub(r"<[^>]+>", "", pages["zh-TW"]))
    if profile == "competent":  # each breach with its first evidence row only: the rows not given are marked
        lacking = pages["en"].split(esc(t("t5evidence.h_lacking", "en", count="")).split("(")[0])[1]
        assert esc(t("t5evidence.no_lacking", "en")) not in lacking and "t5-flag" in _first_row(lacking)


def test_both_catalogs_have_every_key_the_sections_build() -> None:
    en, zh = catalog("en"), catalog("zh-TW")
    mine = {k for k in en if k.startswith("t5evidence.")}
    assert mine == {k for k in zh if k.startswith("t5evidence.")}
    built = [
        *(f"t5evidence.rect_{r}" for r in RECTIFICATIONS),
        *(f"t5evidence.prev_{p}" for p in PREVENTIONS),
        *(f"t5evidence.severity_{s}" for s in SEVERITIES),
        *(f"t5evidence.verification_{v}" for v in VERIFICATIONS),
        *(f"t5evidence.fix_{k}" for k in ("none", "corrected", "prevented")),
        *(f"t5evidence.status_{s}" for s in ("listed", "missing", "not_applicable", "unknown")),
    ]
    assert not [k for k in built if k not in mine]
    assert not [k for k in mine if en[k] == zh[k] and re.search(r"[A-Za-z]", re.sub(r"\{[a-z_]+\}", "", en[k]))]


def test_the_sections_read_the_checks_figures_from_the_cache(
    world: World, rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    graded = Graded(_answer("strong"), world, rubric)

    def computed_again(*args: object, **kwargs: object) -> None:
        raise AssertionError("computed again")

    monkeypatch.setattr(framework, "register_problems", computed_again)
    monkeypatch.setattr(calendar_review, "calendar_problems", computed_again)
    monkeypatch.setattr(verify, "next_month_of", computed_again)
    monkeypatch.setattr(verify, "recurred", computed_again)
    for lang in LANGS:
        assert all(_render(graded, s.id, lang) for s in SECTIONS)


def test_the_page_of_a_case_graded_end_to_end_renders(tmp_path: Path) -> None:
    from casekit.cases.t5_compliance.profiles import build_case

    case = build_case("no_owner", ORG, SEED, "cand-t5", "en", world=world_for(ORG, SEED))
    path = tmp_path / "answer.json"
    path.write_text(dumps_answer(case.to_answer()), encoding="utf-8")
    kinds = CaseRegistry()
    kinds.register(KIND)
    graded = grade_submission(path, world=case.world, cases=kinds)
    assert graded.kind is KIND
    for lang in LANGS:
        evidence = graded.evidence(lang)
        assert not evidence.errors, evidence.errors
        assert len(evidence.parts) == 1 + len(SECTIONS) + 2  # header, sections, criteria, decision
        page = "".join(evidence.parts)
        assert all(esc(s.title(lang)) in page for s in SECTIONS)
        assert esc(t("t5evidence.lack_no_owner", lang)) in page
