"""T5's regulatory training calendar: the courses catalog validated with every problem named, who needs which
course in each organisation, due dates by hand for each branch (and at each boundary), and a calendar's problems
of each kind."""

from __future__ import annotations

import calendar
import datetime as dt
import time
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from casekit.cases.t5_compliance import calendar_review as cr
from casekit.cases.t5_compliance import training as tr
from casekit.cases.t5_compliance.answer import CourseRule, Session
from casekit.errors import StandardDataError
from casekit.i18n import LANGS
from casekit.scenario import World, world_for
from casekit.scenario.legal_catalogs import COURSE_IDS, load_obligations, load_reg_courses, parse_reg_courses
from casekit.scenario.spec import load_spec
from casekit.scenario.world import build_world

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")
DATA = Path(__file__).parent.parent / "casekit" / "data"
NO_TRAINING = pd.DataFrame({"staff_id": [], "course": [], "completed": []}, dtype=object)
START = dt.date(2026, 4, 1)


@cache
def world(org: str, seed: int = 0) -> World:
    return world_for(org, seed)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- the catalog ---------------------------------------------------------------------------------------------


def test_the_courses_are_the_fixed_ids_serving_known_obligations() -> None:
    cat = load_reg_courses()
    assert tuple(c.id for c in cat.courses) == COURSE_IDS and cat.overdue_grace_days == 30
    known = {o.id for o in load_obligations().obligations}
    for c in cat.courses:
        assert set(c.obligations) <= known and c.title("zh-TW") != c.title("en"), c.id
    terms = {c.id: (c.within_days, c.recurrence_months, c.scope) for c in cat.courses}
    assert terms["labour_rules"] == (30, 24, "schedulers") and terms["consumer_credit"][2] == "selling_roles"
    assert tr.catalog() == cat.courses and tr.course_label("personal_data", "zh-TW") == "個人資料保護實務"


def test_a_bad_courses_catalog_names_the_file_and_every_field_wrong() -> None:
    text = (DATA / "reg_courses.yaml").read_text(encoding="utf-8")
    assert parse_reg_courses(text) == load_reg_courses()
    schema = (
        text.replace("scope: schedulers", "scope: customers", 1)  # not people on the staff list
        .replace("within_days: 14", "within_days: -1", 1)
        .replace("id: consumer_credit", "id: card_sales", 1)
        .replace("overdue_grace_days: 30", "overdue_grace_days: 30.5", 1)
    )
    with pytest.raises(StandardDataError) as bad:
        parse_reg_courses(schema, "rc.yaml")
    fields = {p.field for p in bad.value.problems}
    assert fields == {"overdue_grace_days", "courses[0].within_days", "courses[2].scope", "courses[3].id"}
    refs = (
        text.replace("[pdpa_6, pdpa_8,", "[pdpa_6, pdpa_9,", 1)
        .replace("id: anti_harassment", "id: personal_data", 1)
        .replace("applies: {exposure: consumer_protection}", "applies: {exposure: retail, roles: [cashier]}", 1)
    )
    with pytest.raises(StandardDataError) as wrong:
        parse_reg_courses(refs, "rc.yaml")
    assert {p.field: p.expected for p in wrong.value.problems} == {
        "courses[0].obligations": "expect.one_of",
        "courses[1].id": "expect.unique_items",
        "courses[4].applies.roles": "expect.known_role",
        "courses[4].applies.exposure": "expect.one_of",
    }
    for lang in LANGS:
        assert "rc.yaml: courses[0].obligations" in wrong.value.render(lang)


# --- who needs what --------------------------------------------------------------------------------------------


def test_the_calendar_starts_the_day_after_the_three_months_of_records() -> None:
    starts = {org: tr.plan_start(world(org).spec) for org in ORGS}
    assert starts == {
        "bank-cards": d("2026-04-01"),
        "ecommerce-cs": d("2026-06-01"),
        "telecom-support": d("2026-05-01"),
    }


def test_each_organisation_needs_its_own_courses() -> None:
    bank, shop, telco = (tr.role_needs(world(org).spec, world(org).staff) for org in ORGS)
    every = ("agent", "qa_analyst", "senior_agent", "team_leader", "trainer", "workforce_planner")
    assert bank == {
        "personal_data": every,
        "anti_harassment": every,
        "labour_rules": ("team_leader", "workforce_planner"),
        "consumer_credit": ("agent", "senior_agent"),
        "consumer_protection": ("agent", "senior_agent"),
    }
    assert "consumer_credit" not in shop and shop["labour_rules"] == ("team_leader",)  # the retailer has no planner
    assert "consumer_credit" not in telco and set(telco) == set(COURSE_IDS) - {"consumer_credit"}


def test_anti_harassment_training_only_where_prevention_rules_are_due() -> None:
    spec = load_spec(Path(__file__).parent.parent / "scenarios" / "ecommerce-cs.yaml")
    twenty = build_world(spec, 0, staff=20)
    assert "anti_harassment" not in tr.role_needs(spec, twenty.staff)
    assert "anti_harassment" in tr.role_needs(spec, world("ecommerce-cs").staff)


@pytest.mark.parametrize("org", ORGS)
def test_required_pairs_cover_every_person_of_each_course_scope(org: str) -> None:
    w = world(org)
    pairs = tr.required(w.spec, w.staff)
    assert tuple(pairs.columns) == tr.REQUIRED_COLUMNS and not pairs.duplicated(["staff_id", "course"]).any()
    counts = pairs["course"].value_counts()
    assert counts["personal_data"] == len(w.staff)
    assert counts["consumer_protection"] == w.staff["role"].isin(["agent", "senior_agent"]).sum()
    assert list(pairs["staff_id"].drop_duplicates()) == list(w.staff["staff_id"])  # the staff list's order


# --- due dates, by hand --------------------------------------------------------------------------------------

STAFF = pd.DataFrame(
    {
        "staff_id": ["A", "B", "C", "D", "E", "F", "G", "H"],
        "role": ["agent"] * 6 + ["team_leader", "team_leader"],
        "hire_date": [
            "2020-05-01",  # A trained 2025-06-15: recurrence
            "2020-05-01",  # B trained 2025-03-31: a year on is the day before the start, overdue
            "2020-05-01",  # C trained 2025-04-01: due on the start itself (not overdue)
            "2026-03-25",  # D new, never trained: hire + 14 days
            "2026-03-18",  # E new: hire + 14 = the start (not overdue)
            "2026-03-17",  # F hire + 14 is the day before the start: overdue
            "2023-01-10",  # G labour_rules every 24 months, trained twice: the latest counts
            "2015-02-01",  # H never trained, hired long ago: overdue
        ],
    }
)
TRAINED = pd.DataFrame(
    {
        "staff_id": ["A", "B", "C", "G", "G", "A", "H"],
        "course": ["personal_data"] * 3 + ["labour_rules", "labour_rules", "consumer_credit", "personal_data"],
        "completed": ["2025-06-15", "2025-03-31", "2025-04-01", "2022-03-01", "2024-05-10", "2025-01-01", ""],
    }
)


def test_due_dates_by_hand_for_each_branch() -> None:
    pairs = pd.DataFrame({"staff_id": [*"ABCDEFH", "G", "H"], "course": ["personal_data"] * 7 + ["labour_rules"] * 2})
    due = tr.due_dates(pairs, TRAINED, STAFF, load_reg_courses(), START)
    assert tuple(due.columns) == tr.DUE_COLUMNS
    got = {
        (s, c): (last, when, basis)
        for s, c, last, when, basis in due[["staff_id", "course", "last", "due", "basis"]].itertuples(index=False)
    }
    assert got == {
        ("A", "personal_data"): ("2025-06-15", "2026-06-15", "recurrence"),
        ("B", "personal_data"): ("2025-03-31", "2026-05-01", "overdue"),
        ("C", "personal_data"): ("2025-04-01", "2026-04-01", "recurrence"),
        ("D", "personal_data"): ("", "2026-04-08", "new_hire"),
        ("E", "personal_data"): ("", "2026-04-01", "new_hire"),
        ("F", "personal_data"): ("", "2026-05-01", "overdue"),
        ("H", "personal_data"): ("", "2026-05-01", "overdue"),  # an empty completion is no completion
        ("G", "labour_rules"): ("2024-05-10", "2026-05-10", "recurrence"),
        ("H", "labour_rules"): ("", "2026-05-01", "overdue"),
    }
    assert list(due["staff_id"]) == list(pairs["staff_id"])  # in the pairs' order


def test_a_recurrence_from_a_month_end_lands_on_the_last_day_of_a_shorter_month() -> None:
    trained = pd.DataFrame({"staff_id": ["A"], "course": ["labour_rules"], "completed": ["2024-02-29"]})
    pairs = pd.DataFrame({"staff_id": ["A"], "course": ["labour_rules"]})
    due = tr.due_dates(pairs, trained, STAFF, load_reg_courses(), d("2026-02-01"))
    assert due.loc[0, "due"] == "2026-02-28" and due.loc[0, "basis"] == "recurrence"


def test_own_terms_and_grace_for_the_due_dates() -> None:
    pairs = pd.DataFrame({"staff_id": ["A", "D"], "course": ["personal_data", "personal_data"]})
    due = tr.due_dates(pairs, TRAINED, STAFF, {"personal_data": (30, 6)}, START, grace_days=10)
    assert list(due["due"]) == ["2026-04-11", "2026-04-24"]  # A: 2025-12-15 is past, start + 10; D: hire + 30
    assert tr.basis_label("overdue", "en").startswith("overdue") and tr.basis_label("x", "en") == "x"


def reference_due(hired: str, last: str, within: int, months: int, start: dt.date, grace: int) -> tuple[str, str]:
    """One pair's due date and basis, the slow way."""
    if last:
        done = dt.date.fromisoformat(last)
        index = done.year * 12 + done.month - 1 + months
        year, month = index // 12, index % 12 + 1
        natural = dt.date(year, month, min(done.day, calendar.monthrange(year, month)[1]))
    else:
        natural = dt.date.fromisoformat(hired) + dt.timedelta(days=within)
    if natural < start:
        return (start + dt.timedelta(days=grace)).isoformat(), "overdue"
    return natural.isoformat(), "recurrence" if last else "new_hire"


def check_against_reference(w: World, trained: pd.DataFrame) -> pd.DataFrame:
    cat, start = load_reg_courses(), tr.plan_start(w.spec)
    due = tr.due_dates(tr.required(w.spec, w.staff), trained, w.staff, cat, start)
    terms = {c.id: (c.within_days, c.recurrence_months) for c in cat.courses}
    columns = [due[c].astype(str).tolist() for c in ("course", "hire_date", "last", "due", "basis")]
    for course, hired, last, when, basis in zip(*columns, strict=True):
        within, months = terms[course]
        expected = reference_due(hired, last, within, months, start, cat.overdue_grace_days)
        assert (when, basis) == expected, (course, hired, last)
    return due


@pytest.mark.parametrize("org", ORGS)
def test_due_dates_match_a_slow_reference_on_the_real_staff_lists(org: str) -> None:
    w = world(org)
    rng = np.random.default_rng(5)
    pairs = tr.required(w.spec, w.staff)
    chosen = pairs[rng.random(len(pairs)) < 0.7]
    days = rng.integers(30, 900, len(chosen))
    window = tr.plan_start(w.spec) - dt.timedelta(days=91)
    trained = pd.DataFrame(
        {
            "staff_id": chosen["staff_id"],
            "course": chosen["course"],
            "completed": [(window - dt.timedelta(days=int(n))).isoformat() for n in days],
        }
    )
    due = check_against_reference(w, trained)
    assert set(due["basis"]) == {"recurrence", "overdue"}  # nobody was hired in the last two weeks


@pytest.mark.parametrize("org", ORGS)
def test_due_dates_on_the_world_s_own_past_training(org: str) -> None:
    w = world(org)
    if "reg_training" not in w.tables:
        pytest.skip("the world has no reg_training table yet")
    trained = w.tables["reg_training"]
    assert (trained["completed"] < tr.plan_start(w.spec).isoformat()).all()
    due = check_against_reference(w, trained)
    assert (due["due"] >= tr.plan_start(w.spec).isoformat()).all()


def test_pick_takes_the_latest_day_in_time_else_the_first() -> None:
    days = [d("2026-04-08"), d("2026-04-22"), d("2026-05-06")]
    assert tr.pick(days, "2026-04-22") == d("2026-04-22")
    assert tr.pick(days, d("2026-05-05")) == d("2026-04-22")
    assert tr.pick(days, "2026-04-01") == d("2026-04-08")  # none in time: the first, late


# --- a calendar's problems -----------------------------------------------------------------------------------


def rules_for(needs: dict[str, tuple[str, ...]]) -> list[CourseRule]:
    policy = {c.id: c for c in load_reg_courses().courses}
    return [
        CourseRule(
            course=c, roles=list(r), within_days=policy[c].within_days, recurrence_months=policy[c].recurrence_months
        )
        for c, r in needs.items()
    ]


def booked_in_time(due: pd.DataFrame, start: dt.date) -> list[Session]:
    """Everybody on a fortnightly session on or before their due date (the profiles' way)."""
    days = [start + dt.timedelta(days=14 * i) for i in range(30)]
    return [
        Session(staff_id=s, course=c, date=tr.pick(days, when))
        for s, c, when in zip(due["staff_id"], due["course"], due["due"], strict=True)
    ]


@pytest.mark.parametrize("org", ORGS)
def test_a_calendar_with_every_course_and_person_in_time_has_no_problems(org: str) -> None:
    w = world(org)
    trained = w.tables.get("reg_training", NO_TRAINING)
    start = tr.plan_start(w.spec)
    staff = tr.staff_at(w, start)  # the window's leavers have gone: nobody trains them
    assert len(staff) == len(w.staff) - len(w.tables["separations"])
    needs = tr.role_needs(w.spec, staff)
    due = tr.due_for(w, rules_for(needs), start)
    began = time.perf_counter()
    review = cr.calendar_problems(rules_for(needs), booked_in_time(due, start), w.spec, staff, trained)
    assert time.perf_counter() - began < 5  # vectorised: telecom's 420 people, ~1,250 pairs
    assert review.ok and review.table().empty and review.extra_sessions == 0 and review.extra_roles == ()
    assert review.in_time == len(review.due) == len(tr.required(w.spec, staff))
    assert (review.due["due"] >= start.isoformat()).all()
    assert cr.calendar_problems_for(w, rules_for(needs), booked_in_time(due, start), start).empty
    assert not set(due["staff_id"]) & set(w.tables["separations"]["staff_id"])


def test_a_calendar_problem_of_each_kind() -> None:
    w = world("ecommerce-cs")
    staff, start = w.staff, tr.plan_start(w.spec)
    needs = tr.role_needs(w.spec, staff)
    rules = [r for r in rules_for(needs) if r.course != "anti_harassment"]  # course_missing
    rules = [r.model_copy(update={"within_days": 45}) if r.course == "personal_data" else r for r in rules]
    rules = [
        r.model_copy(update={"recurrence_months": 36, "roles": ["team_leader", "trainer"]})
        if r.course == "labour_rules"
        else r
        for r in rules
    ]
    rules = [r.model_copy(update={"roles": ["agent"]}) if r.course == "consumer_protection" else r for r in rules]
    rules.append(CourseRule(course="ethics", roles=["agent"], within_days=10, recurrence_months=12))
    due = tr.due_dates(tr.required(w.spec, staff), NO_TRAINING, staff, load_reg_courses(), start)
    sessions = booked_in_time(due, start)
    first, second, third = (str(s) for s in staff["staff_id"][:3])
    sessions = [s for s in sessions if not (s.staff_id == first and s.course == "personal_data")]  # missing
    late = start + dt.timedelta(days=31)  # due: start + 30 (everyone overdue without past training)
    sessions = [
        s.model_copy(update={"date": late}) if (s.staff_id, s.course) == (second, "personal_data") else s
        for s in sessions
    ]
    sessions += [
        Session(staff_id=first, course="personal_data", date=start - dt.timedelta(days=1)),  # past
        Session(staff_id="E9999", course="personal_data", date=start),  # unknown_staff
        Session(staff_id=third, course="ethics", date=start),  # unknown_course
        Session(staff_id=third, course="consumer_credit", date=start),  # nobody here needs it: counted
    ]
    review = cr.calendar_problems(rules, sessions, w.spec, staff, NO_TRAINING)
    assert [(c.course, c.problem, c.given, c.expected) for c in review.courses] == [
        ("anti_harassment", "course_missing", "", "agent, senior_agent, team_leader, trainer"),
        ("personal_data", "within_days_long", "45", "14"),
        ("labour_rules", "recurrence_long", "36", "24"),
        ("consumer_protection", "roles_missing", "senior_agent", "agent, senior_agent"),
        ("ethics", "course_unknown", "ethics", ""),
    ]
    assert review.extra_roles == (("labour_rules", "trainer"),)
    got = {(r.staff_id, r.course, r.problem, r.date, r.due) for r in review.sessions.itertuples(index=False)}
    due_day = (start + dt.timedelta(days=30)).isoformat()
    assert got == {
        (first, "personal_data", "missing", "", due_day),
        (second, "personal_data", "late", late.isoformat(), due_day),
        (first, "personal_data", "past", (start - dt.timedelta(days=1)).isoformat(), ""),
        ("E9999", "personal_data", "unknown_staff", start.isoformat(), ""),
        (third, "ethics", "unknown_course", start.isoformat(), ""),
    }
    assert review.extra_sessions == 1 and review.in_time == len(review.due) - 2 and not review.ok
    table = review.table()
    assert tuple(table.columns) == tr.PROBLEM_COLUMNS and len(table) == 10
    assert set(table["problem"]) == set(tr.COURSE_PROBLEMS) | set(tr.SESSION_PROBLEMS)
    for lang in LANGS:
        texts = [c.message(lang) for c in review.courses]
        texts += [cr.session_message(row, lang) for row in review.sessions.to_dict("records")]
        assert all(x and not x.startswith("t5law.") and "{" not in x for x in texts)
    assert "45" in review.courses[1].message("en") and "個人資料保護實務" in review.courses[1].message("zh-TW")


def test_a_session_on_the_start_or_the_due_day_is_in_time() -> None:
    w = world("ecommerce-cs")
    staff, start = w.staff.iloc[:2], tr.plan_start(w.spec)
    needs = tr.role_needs(w.spec, staff)
    due = tr.due_dates(tr.required(w.spec, staff), NO_TRAINING, staff, load_reg_courses(), start)
    edge = [start, pd.Timestamp(due["due"].iloc[0]).date()]
    sessions = [(s, c, edge[i % 2]) for i, (s, c) in enumerate(zip(due["staff_id"], due["course"], strict=True))]
    review = cr.calendar_problems(rules_for(needs), sessions, w.spec, staff, NO_TRAINING)
    assert review.ok and review.in_time == len(due)
