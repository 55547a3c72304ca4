"""T3's pure logic judged on the real worlds: the history and bands targets are held against, what the simulated
members say to a target, the appraisal's results and ratings, the review calendar and the development plans."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import pytest

from casekit.cases.t3_performance import appraisal, development, history, response
from casekit.cases.t3_performance import calendar as calendar_mod
from casekit.cases.t3_performance.answer import DevPlan
from casekit.kpi import format_kpi, kpis
from casekit.months import period_column
from casekit.scenario import World, world_for
from casekit.scenario.performance import appraisal_calendar, history_months, turnover_months

_WORLDS: dict[tuple[str, int], World] = {}
_BANDS: dict[tuple[str, int], pd.DataFrame] = {}


def world(org: str = "bank-cards", seed: int = 1) -> World:
    if (org, seed) not in _WORLDS:
        _WORLDS[org, seed] = world_for(org, seed)
    return _WORLDS[org, seed]


def bands(org: str = "bank-cards", seed: int = 1) -> pd.DataFrame:
    if (org, seed) not in _BANDS:
        _BANDS[org, seed] = history.bands(world(org, seed))
    return _BANDS[org, seed]


def band(frame: pd.DataFrame, staff_id: str, kpi: str) -> pd.Series:
    row = frame[(frame["staff_id"] == staff_id) & (frame["kpi"] == kpi)]
    assert len(row) == 1, (staff_id, kpi)
    return row.iloc[0]


def plain_agent(w: World) -> str:
    """A general-queue agent who is not ramping up and not on a PIP."""
    m = w.members
    ok = (m["role"] == "agent") & (m["queue"] == "general") & ~m["ramping"].astype(bool)
    ok &= ~m["staff_id"].isin(w.pips["staff_id"])
    return str(m.loc[ok, "staff_id"].iloc[0])


def with_tables(w: World, **tables: pd.DataFrame) -> World:
    return dataclasses.replace(w, tables={**w.tables, **tables})


# ------------------------------------------------------------------------------------------------ history
def test_direction_and_better_follow_the_catalog() -> None:
    assert history.direction("aht_s") == -1 and history.direction("team_aht_s") == -1
    assert history.direction("qa") == 1
    assert history.better("aht_s", 300.0, 320.0) and not history.better("aht_s", 320.0, 300.0)
    assert history.better("qa", 90.0, 80.0) and not history.better("qa", 80.0, 80.0 + 1e-12)


def test_member_history_is_each_role_s_kpis_over_history_months() -> None:
    w = world()
    mh = history.member_history(w)
    roles = dict(zip(w.members["staff_id"], w.members["role"], strict=True))
    retention = mh["kpi"] == "retention"  # known over the turnover history, before the contacts start
    assert set(mh.loc[~retention, "month"]) <= set(history_months(w))
    assert set(mh.loc[retention, "month"]) <= set(turnover_months(w)) and retention.any()
    assert set(mh["staff_id"]) == set(roles)
    for staff_id, kpis_of in mh.groupby("staff_id")["kpi"]:
        assert set(kpis_of) <= set(history.applicable(roles[str(staff_id)])), staff_id
    leaders = {s for s, r in roles.items() if r == "team_leader"}
    assert set(mh.loc[mh["kpi"] == "team_aht_s", "staff_id"]) == leaders
    assert not set(mh.loc[mh["kpi"] == "aht_s", "staff_id"]) & leaders


def test_history_values_are_kpis_of_the_contacts() -> None:
    w = world()
    mh = history.member_history(w).set_index(["staff_id", "kpi", "month"])["value"]
    staff_id, month = plain_agent(w), history_months(w)[0]
    c = w.contacts
    mine = c[(c["staff_id"] == staff_id) & (period_column(c["date"]) == month)]
    expected = kpis(mine, by="staff_id").iloc[0]
    for kpi in ("aht_s", "qa", "fcr", "contacts_per_hour"):
        assert mh[staff_id, kpi, month] == pytest.approx(expected[kpi])
    leader = w.members.loc[w.members["role"] == "team_leader"].iloc[0]
    team_ids = set(w.staff.loc[w.staff["team"] == leader["team"], "staff_id"])
    team = c[c["staff_id"].isin(team_ids) & (period_column(c["date"]) == month)]
    assert mh[leader["staff_id"], "team_aht_s", month] == pytest.approx(
        kpis(team.assign(team="x"), by="team").iloc[0]["aht_s"]
    )


def test_a_member_month_with_seven_worked_days_has_no_contact_kpis() -> None:
    w = world()
    staff_id, month = plain_agent(w), history_months(w)[1]
    c = w.contacts
    in_month = (c["staff_id"] == staff_id) & (period_column(c["date"]) == month) & (c["logged_in_s"] > 0)
    drop = c.index[in_month][7:]  # keep seven worked days
    thin = with_tables(w, contacts=c.drop(index=drop))
    mh = history.member_history(thin)
    mine = mh[(mh["staff_id"] == staff_id) & (mh["month"] == month)]
    assert not set(mine["kpi"]) & set(history.contact_kpis())
    assert "learning_hours" in set(mine["kpi"])  # activity KPIs do not need worked days
    eight = with_tables(w, contacts=c.drop(index=c.index[in_month][8:]))
    mh8 = history.member_history(eight)
    assert "aht_s" in set(mh8.loc[(mh8["staff_id"] == staff_id) & (mh8["month"] == month), "kpi"])


def test_peer_p95_is_direction_aware() -> None:
    w, b = world(), bands()
    peers = history.peer_history(w)
    staff_id = plain_agent(w)
    aht = peers[(peers["role"] == "agent") & (peers["kpi"] == "aht_s")]["value"]
    qa = peers[(peers["role"] == "agent") & (peers["kpi"] == "qa")]["value"]
    assert band(b, staff_id, "aht_s")["team_p95"] == pytest.approx(aht.quantile(0.05))  # only 5 % are faster
    assert band(b, staff_id, "qa")["team_p95"] == pytest.approx(qa.quantile(0.95))
    assert set(peers.loc[(peers["role"] == "agent") & (peers["kpi"] == "aht_s"), "entity"]) > set(
        w.members.loc[w.members["role"] == "agent", "staff_id"]
    )  # the whole world's agents, not only the section's


def test_plain_band_is_worst_month_to_the_better_of_best_and_peers() -> None:
    w, b = world(), bands()
    staff_id = plain_agent(w)
    mh = history.member_history(w)
    own = mh[(mh["staff_id"] == staff_id) & (mh["kpi"] == "aht_s")]["value"]
    row = band(b, staff_id, "aht_s")
    assert row["reason"] == "" and row["direction"] == -1
    assert row["worst"] == pytest.approx(own.max()) and row["best"] == pytest.approx(own.min())
    assert row["floor"] == pytest.approx(own.max())
    assert row["ceiling"] == pytest.approx(min(own.min(), row["team_p95"]))
    qa = band(b, staff_id, "qa")
    assert qa["ceiling"] == pytest.approx(max(qa["best"], qa["team_p95"]))


def test_complex_queue_member_s_speed_band_is_their_own() -> None:
    w, b = world(), bands()
    complex_ids = list(w.members.loc[w.members["queue"] == "complex", "staff_id"])
    assert complex_ids
    staff_id = complex_ids[0]
    for kpi in ("aht_s", "contacts_per_hour"):
        row = band(b, staff_id, kpi)
        assert row["reason"] == "complex_queue"
        assert row["ceiling"] == pytest.approx(row["best"])
    aht = band(b, staff_id, "aht_s")
    assert aht["team_p95"] < aht["best"]  # the general queue's fastest would be out of reach
    assert band(b, staff_id, "qa")["reason"] in ("", "ramping")


def test_ramping_member_is_held_to_their_own_best_on_contact_kpis() -> None:
    w = world()
    staff_id = plain_agent(w)
    members = w.members.assign(ramping=w.members["staff_id"] == staff_id)
    b = history.bands(with_tables(w, members=members))
    mine = b[b["staff_id"] == staff_id].set_index("kpi")
    for kpi in history.contact_kpis():
        assert mine.loc[kpi, "reason"] == "ramping", kpi
        assert mine.loc[kpi, "ceiling"] == pytest.approx(mine.loc[kpi, "best"])
    assert mine.loc["learning_hours", "reason"] == ""


def test_no_history_band_comes_from_the_peers() -> None:
    w = world()
    staff_id = plain_agent(w)
    c = w.contacts
    b = history.bands(with_tables(w, contacts=c[c["staff_id"] != staff_id]))
    peers = history.peer_history(w)
    aht = peers[(peers["role"] == "agent") & (peers["kpi"] == "aht_s") & (peers["entity"] != staff_id)]["value"]
    row = band(b, staff_id, "aht_s")
    assert row["reason"] == "no_history" and np.isnan(row["best"])
    assert row["floor"] == pytest.approx(aht.quantile(0.90))  # the worse side of a lower-is-better KPI
    assert row["ceiling"] == pytest.approx(aht.median())
    said = response.respond(w, staff_id, "aht_s", row["ceiling"] - 10, bands=b)
    assert (said.verdict, said.reason, said.best) == ("object", "above_best", None)
    assert format_kpi("aht_s", row["ceiling"]) in response.comment(said, "zh-TW")


def test_bands_cover_every_member_and_kpi() -> None:
    for org in ("bank-cards", "telecom-support"):
        w, b = world(org), bands(org)
        expected = sum(len(history.applicable(r)) for r in w.members["role"])
        assert len(b) == expected
        assert b["ceiling"].notna().all()
        sign = b["direction"].astype(float)
        assert (sign * (b["ceiling"] - b["floor"]) >= -1e-9).all()


# ----------------------------------------------------------------------------------------------- response
def test_target_better_than_the_ceiling_is_objected_to() -> None:
    w, b = world(), bands()
    staff_id = plain_agent(w)
    qa, aht = band(b, staff_id, "qa"), band(b, staff_id, "aht_s")
    frame = response.respond_all(
        w,
        [
            (staff_id, "qa", qa["ceiling"] + 0.5),
            (staff_id, "qa", qa["ceiling"]),
            (staff_id, "aht_s", aht["ceiling"] - 5),  # faster than the ceiling: better, out of reach
            (staff_id, "aht_s", aht["ceiling"] + 5),
        ],
        bands=b,
    )
    assert list(frame.columns) == list(response.RESPONSE_COLUMNS)
    assert list(frame["verdict"]) == ["object", "accept", "object", "accept"]
    assert frame["reason"].iloc[0] == "above_best" and frame["reason"].iloc[1] is None
    assert frame["reason"].iloc[2] == "above_best"
    one = response.respond(w, staff_id, "qa", qa["ceiling"] + 0.5, bands=b)
    assert (one.verdict, one.reason, one.ceiling) == ("object", "above_best", pytest.approx(qa["ceiling"]))


def test_complex_queue_and_unmeasured_objections() -> None:
    w, b = world(), bands()
    staff_id = str(w.members.loc[w.members["queue"] == "complex", "staff_id"].iloc[0])
    row = band(b, staff_id, "aht_s")
    said = response.respond(w, staff_id, "aht_s", row["team_p95"], bands=b)
    assert (said.verdict, said.reason) == ("object", "complex_queue")
    assert response.respond(w, staff_id, "aht_s", row["best"] + 1, bands=b).verdict == "accept"
    agent = plain_agent(w)
    off = response.respond(w, agent, "team_qa", 80.0, bands=b)
    assert (off.verdict, off.reason, off.ceiling) == ("object", "not_measured", None)


def test_respond_all_matches_respond_in_order() -> None:
    w, b = world(), bands()
    head = b.head(30)
    rows = [(s, k, v) for s, k, v in zip(head["staff_id"], head["kpi"], head["floor"], strict=True)]
    rows += [
        (s, k, c + d * max(abs(c) * 0.1, 0.01))
        for s, k, c, d in zip(head["staff_id"], head["kpi"], head["ceiling"], head["direction"], strict=True)
    ]
    rows = rows[::-1]  # any order: the answer keeps it
    frame = response.respond_all(w, rows, bands=b)
    assert list(zip(frame["staff_id"], frame["kpi"], strict=True)) == [(s, k) for s, k, _ in rows]
    assert set(frame["verdict"]) == {"accept", "object"}
    for (s, k, v), verdict, reason in zip(rows, frame["verdict"], frame["reason"], strict=True):
        one = response.respond(w, s, k, v, bands=b)
        assert (one.verdict, one.reason) == (verdict, reason)


def test_comment_cites_the_figures_in_both_languages() -> None:
    w, b = world(), bands()
    staff_id = plain_agent(w)
    qa = band(b, staff_id, "qa")
    said = response.respond(w, staff_id, "qa", 99.5, bands=b)
    for lang in ("en", "zh-TW"):
        text = response.comment(said, lang)
        assert format_kpi("qa", qa["best"]) in text and format_kpi("qa", 99.5) in text
    aht = response.respond(w, staff_id, "aht_s", 200.0, bands=b)
    assert format_kpi("aht_s", 200.0) in response.comment(aht, "en")
    accepted = response.respond(w, staff_id, "qa", qa["floor"], bands=b)
    assert response.comment(accepted, "en") != response.comment(said, "en")
    root = resources.files("casekit") / "locales"
    keys = [set(json.loads((root / lang / "t3member.json").read_text("utf-8"))) for lang in ("en", "zh-TW")]
    assert keys[0] == keys[1] >= {"accept", *response.REASONS}


# ---------------------------------------------------------------------------------------------- appraisal
def _actual(w: World, staff_id: str, kpi: str) -> float:
    rr = history.review_results(w)
    return float(rr.loc[(rr["staff_id"] == staff_id) & (rr["kpi"] == kpi), "actual"].iloc[0])


def test_review_results_pool_the_period() -> None:
    w = world()
    staff_id = plain_agent(w)
    rc = w.truth["review_contacts"]
    expected = kpis(rc[rc["staff_id"] == staff_id], by="staff_id").iloc[0]
    assert _actual(w, staff_id, "aht_s") == pytest.approx(expected["aht_s"])
    assert _actual(w, staff_id, "qa") == pytest.approx(expected["qa"])


def test_lower_is_better_met_and_exceeded() -> None:
    w = world()
    staff_id = plain_agent(w)
    actual = _actual(w, staff_id, "aht_s")
    margin = w.spec.appraisal.exceed_margin
    agreed = {(staff_id, "aht_s"): actual + 1}
    r = appraisal.results(w, agreed).iloc[0]
    assert bool(r["met"]) and not bool(r["exceeded"]) and r["shortfall"] == 0
    r = appraisal.results(w, {(staff_id, "aht_s"): actual - 10}).iloc[0]  # a faster target than achieved: missed
    assert not bool(r["met"]) and r["shortfall"] == pytest.approx(10 / (actual - 10))
    at_margin = actual / (1 - margin)  # the actual is the target less the margin: just exceeded
    assert bool(appraisal.results(w, {(staff_id, "aht_s"): at_margin}).iloc[0]["exceeded"])
    assert not bool(appraisal.results(w, {(staff_id, "aht_s"): at_margin * 0.99}).iloc[0]["exceeded"])
    assert appraisal.results(w, {(staff_id, "no_such_kpi"): 1.0}).empty


def _results_frame(rows: list[tuple[str, bool, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        [(s, f"k{i}", 1.0, 1.0, met, ex, 0.0 if met else 0.1) for i, (s, met, ex) in enumerate(rows)],
        columns=list(appraisal.RESULT_COLUMNS),
    )


def test_rating_thresholds_at_their_boundaries() -> None:
    base = world()
    rule = base.spec.appraisal.ratings.model_copy(update={"meets": 0.75, "partly": 0.5})
    spec = base.spec.model_copy(update={"appraisal": base.spec.appraisal.model_copy(update={"ratings": rule})})
    w = dataclasses.replace(base, spec=spec)  # the rule of the contract's example, whatever the scenario says
    rows = (
        [("A", True, True)] * 2
        + [("A", True, False)] * 2  # all met, half exceeded: 4
        + [("B", True, True)]
        + [("B", True, False)] * 3  # all met, a quarter exceeded: 3
        + [("C", True, False)] * 3
        + [("C", False, False)]  # 0.75 met: 3
        + [("D", True, False)] * 2
        + [("D", False, False)] * 2  # 0.5 met: 2
        + [("E", True, True)]
        + [("E", False, False)] * 3  # 0.25 met: 1
    )
    rated = appraisal.ratings(w, _results_frame(rows)).set_index("staff_id")
    assert dict(rated["rating"]) == {"A": 4, "B": 3, "C": 3, "D": 2, "E": 1}
    assert rated.loc["C", "share_met"] == 0.75 and rated.loc["A", "exceeded"] == 2
    assert list(appraisal.ratings(w, _results_frame(rows)).columns) == list(appraisal.RATING_COLUMNS)


def test_main_gap_is_the_largest_shortfall() -> None:
    frame = _results_frame([("A", False, False), ("A", False, False), ("B", True, False)])
    frame.loc[1, "shortfall"] = 0.3
    gaps = appraisal.main_gap(frame)
    assert list(gaps["staff_id"]) == ["A"] and gaps["kpi"].iloc[0] == "k1"


# ----------------------------------------------------------------------------------------------- calendar
def _full_calendar(w: World) -> list[tuple[str, str, dt.date]]:
    cal = appraisal_calendar(w)
    reviews = []
    for s in w.members["staff_id"]:
        for m in cal.period_months:
            reviews.append((str(s), "one_to_one", dt.date(int(m[:4]), int(m[5:]), 6)))
        reviews.append((str(s), "appraisal", cal.appraisal_due))
    return reviews


def _pip_reviews(w: World, after_days: int) -> list[tuple[str, str, dt.date]]:
    """A PIP review ``after_days`` days after each PIP's start (30: the last day in time)."""
    return [
        (str(p), "pip_review", dt.date.fromisoformat(str(d)) + dt.timedelta(days=after_days))
        for p, d in zip(w.pips["staff_id"], w.pips["start_date"], strict=True)
    ]


def test_a_full_calendar_has_no_problems_and_one_missing_month_is_one() -> None:
    w = world()
    cal = appraisal_calendar(w)
    pip = w.pips.iloc[0]
    start = dt.date.fromisoformat(str(pip["start_date"]))
    full = _full_calendar(w) + _pip_reviews(w, 30)
    assert calendar_mod.review_problems(w, full).empty
    staff_id = str(w.members["staff_id"].iloc[0])
    month = cal.period_months[1]
    gap = [r for r in full if not (r[0] == staff_id and r[1] == "one_to_one" and r[2].isoformat()[:7] == month)]
    problems = calendar_mod.review_problems(w, gap)
    assert problems.values.tolist() == [[staff_id, "no_one_to_one", month]]
    late = [r for r in full if not (r[0] == pip["staff_id"] and r[1] == "pip_review")]
    late.append((str(pip["staff_id"]), "pip_review", start + dt.timedelta(days=31)))
    problems = calendar_mod.review_problems(w, late)
    assert problems.values.tolist() == [[pip["staff_id"], "pip_late", (start + dt.timedelta(days=30)).isoformat()[:7]]]


def test_appraisal_window_and_past_reviews() -> None:
    w = world()
    cal = appraisal_calendar(w)
    staff_id = str(w.members["staff_id"].iloc[0])
    base = [r for r in _full_calendar(w) if not (r[0] == staff_id and r[1] == "appraisal")]
    base += _pip_reviews(w, 30)

    def problems_with(day: dt.date) -> list[str]:
        frame = calendar_mod.review_problems(w, [*base, (staff_id, "appraisal", day)])
        return list(frame.loc[frame["staff_id"] == staff_id, "problem"])

    assert problems_with(cal.period_end) == ["no_appraisal"]
    assert problems_with(cal.period_end + dt.timedelta(days=1)) == []
    assert problems_with(cal.appraisal_due) == []
    assert problems_with(cal.appraisal_due + dt.timedelta(days=1)) == ["no_appraisal"]
    past = calendar_mod.review_problems(
        w, [*base, (staff_id, "appraisal", cal.appraisal_due), (staff_id, "one_to_one", cal.history_end)]
    )
    assert past.values.tolist() == [[staff_id, "past", cal.history_end.isoformat()[:7]]]


# -------------------------------------------------------------------------------------------- development
def test_linked_offers_train_the_kpi_s_skills() -> None:
    w = world()
    skills = dict(zip(w.training["offer_id"], w.training["skills"], strict=True))
    aht = development.linked_offers(w, "aht_s")
    assert aht and all(set(skills[o].split(";")) & set(history.catalog()["aht_s"].skills) for o in aht)
    assert development.linked_offers(w, "learning_hours") == []


def _plan(**changes: Any) -> DevPlan:
    fields: dict[str, Any] = {
        "staff_id": "",
        "kpi": "qa",
        "action": "coaching",
        "offer_id": None,
        "owner": "",
        "due": dt.date(2000, 1, 1),
        "measure": "qa",
        "target": 90.0,
    }
    return DevPlan(**{**fields, **changes})


def test_plan_problems() -> None:
    w = world()
    cal = appraisal_calendar(w)
    staff_id = plain_agent(w)
    leader = str(w.members.loc[w.members["role"] == "team_leader", "staff_id"].iloc[0])
    actual_qa, actual_aht = _actual(w, staff_id, "qa"), _actual(w, staff_id, "aht_s")
    agreed = {(staff_id, "qa"): actual_qa + 5, (staff_id, "aht_s"): actual_aht + 5}  # qa missed, aht met
    results = appraisal.results(w, agreed)
    rated = appraisal.ratings(w, results)
    assert int(rated["rating"].iloc[0]) <= 2  # one KPI of two missed
    due = cal.appraisal_due + dt.timedelta(days=30)
    skills = dict(zip(w.training["offer_id"], w.training["skills"], strict=True))
    qa_skills = set(history.catalog()["qa"].skills)
    unrelated = next(
        o
        for o, t in zip(w.training["offer_id"], w.training["offer_type"], strict=True)
        if t == "e_learning" and not set(skills[o].split(";")) & qa_skills
    )
    linked = development.linked_offers(w, "qa")[0]
    good = _plan(staff_id=staff_id, owner=leader, due=due, action="training", offer_id=linked)

    def problems(*plans: DevPlan) -> list[str]:
        return list(development.plan_problems(w, results, rated, plans)["problem"])

    assert problems(good) == []
    assert problems() == ["missing"]
    assert problems(
        good.model_copy(update={"kpi": "aht_s", "measure": "aht_s", "offer_id": None, "action": "coaching"})
    ) == ["not_a_gap"]
    assert problems(good.model_copy(update={"offer_id": unrelated})) == ["unlinked"]
    assert problems(good.model_copy(update={"offer_id": "TR999", "action": "coaching"})) == ["unlinked"]
    assert problems(good.model_copy(update={"owner": staff_id})) == ["no_owner"]
    assert problems(good.model_copy(update={"due": cal.appraisal_due + dt.timedelta(days=91)})) == ["late"]
    assert problems(good.model_copy(update={"due": cal.appraisal_due + dt.timedelta(days=90)})) == []
    assert problems(good.model_copy(update={"due": cal.period_end})) == ["late"]
    assert problems(good.model_copy(update={"measure": "fcr"})) == ["measure"]
