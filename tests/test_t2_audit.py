"""T2 skills audit: gaps against a hand-made tiny centre, the data problems (missing, stale) and how handling them
changes the audit (reassessed people take the truth, assumed pairs count as level 0), needs ordered
compliance-critical first, totals by category, and argument problems reported all at once."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from casekit.cases.t2_training import audit as au
from casekit.errors import UsageError
from casekit.scenario import World, world_for
from casekit.scenario.catalogs import load_skills

ORGS = ("bank-cards", "ecommerce-cs", "telecom-support")
FRESH, OLD = "2025-10-01", "2024-07-01"  # ecommerce-cs starts 2026-03-02: valid from 2025-03-02


@pytest.fixture(scope="module", params=ORGS)
def world(request: pytest.FixtureRequest) -> World:
    return world_for(request.param, 1)


def _required(role: str) -> dict[str, int]:
    req = au.requirements()
    mine = req[req["role"] == role]
    return dict(zip(mine["skill_id"], mine["required"], strict=True))


@pytest.fixture(scope="module")
def tiny() -> World:
    """Four people: E1 and E2 agents, E3 a senior agent assessed long ago, E4 a trainer with no gap."""
    base = world_for("ecommerce-cs", 1)
    staff = pd.DataFrame(
        {"staff_id": ["E1", "E2", "E3", "E4"], "role": ["agent", "agent", "senior_agent", "trainer"]}
        | {"team": ["T01", "T01", "T02", "T02"]}
    )
    levels = {
        "E1": _required("agent") | {"crm_system": 0, "active_listening": 0, "knowledge_base": 3},
        "E2": _required("agent") | {"crm_system": None, "active_listening": 0, "regulatory_script": 1},
        "E3": _required("senior_agent") | {"crm_system": 2},
        "E4": _required("trainer"),
    }
    truth_changes = {("E3", "crm_system"): 3, ("E2", "crm_system"): 1}
    category = {s: c for s, c in zip(au.requirements()["skill_id"], au.requirements()["category"], strict=False)}
    rows = [
        (person, skill, category[skill], level, OLD if person == "E3" else FRESH)
        for person, skills in levels.items()
        for skill, level in skills.items()
    ]
    skills = pd.DataFrame(rows, columns=["staff_id", "skill_id", "category", "proficiency", "assessed_on"])
    skills["proficiency"] = skills["proficiency"].astype("Int64")
    truth = skills[["staff_id", "skill_id"]].copy()
    truth["proficiency"] = [
        truth_changes.get((p, s), level)
        for p, s, level in zip(skills["staff_id"], skills["skill_id"], skills["proficiency"], strict=True)
    ]
    tables = dict(base.tables) | {"staff": staff, "skills": skills}
    return dataclasses.replace(base, tables=tables, truth={"skills_current": truth.astype({"proficiency": int})})


def _gap(found: au.Audit, person: str, skill: str) -> float:
    gaps = found.gaps
    return float(gaps.loc[(gaps["staff_id"] == person) & (gaps["skill_id"] == skill), "gap"].iloc[0])


def _status(found: au.Audit, person: str) -> set[str]:
    return set(found.gaps.loc[found.gaps["staff_id"] == person, "status"])


# ------------------------------------------------------------------------------------------- the tiny centre
def test_gaps_against_a_hand_made_case(tiny: World) -> None:
    found = au.audit(tiny)
    assert list(found.gaps.columns) == list(au.GAP_COLUMNS)
    assert len(found.gaps) == 8 + 8 + 10 + 5  # one row per person x required skill
    assert _gap(found, "E1", "crm_system") == 2
    assert _gap(found, "E1", "active_listening") == 2
    assert _gap(found, "E1", "knowledge_base") == 0  # above the requirement is no gap, never negative
    assert _gap(found, "E2", "regulatory_script") == 1
    assert math.isnan(_gap(found, "E2", "crm_system"))  # missing: unknown, not zero
    assert _gap(found, "E3", "crm_system") == 1  # stale: the recorded level still counts
    assert found.totals() == {"technology": 2 + 1, "customer_service": 2 + 2 + 1}
    assert set(found.gaps.loc[found.gaps["staff_id"] == "E4", "gap"]) == {0.0}
    e1 = found.gaps[found.gaps["staff_id"] == "E1"].set_index("skill_id")
    assert e1.loc["crm_system", ["role", "team", "category", "required", "current"]].tolist() == [
        "agent",
        "T01",
        "technology",
        2,
        0.0,
    ]


def test_data_issues_of_the_tiny_case(tiny: World) -> None:
    issues = au.data_issues(tiny)
    assert list(issues.columns) == ["staff_id", "skill_id", "problem", "assessed_on"]
    missing = issues[issues["problem"] == "missing"]
    assert list(zip(missing["staff_id"], missing["skill_id"], strict=True)) == [("E2", "crm_system")]
    stale = issues[issues["problem"] == "stale"]
    assert set(stale["staff_id"]) == {"E3"} and len(stale) == len(_required("senior_agent"))
    assert au.stale_before(tiny) == dt.date(2025, 3, 2)
    found = au.audit(tiny)
    assert _status(found, "E3") == {"stale"} and _status(found, "E4") == {"ok"}
    assert (
        found.gaps.loc[(found.gaps["staff_id"] == "E2") & (found.gaps["skill_id"] == "crm_system"), "status"].item()
        == "missing"
    )


def test_reassessed_people_take_the_truth(tiny: World) -> None:
    found = au.audit(tiny, reassessed={"E3", "E2"})
    assert _gap(found, "E3", "crm_system") == 0  # truly at level 3 now
    assert _gap(found, "E2", "crm_system") == 1  # the missing level is found: 1 of 2
    assert _status(found, "E3") == {"reassessed"} and _status(found, "E2") == {"reassessed"}
    assert found.totals() == {"technology": 2 + 1, "customer_service": 2 + 2 + 1}


def test_assumed_pairs_count_as_level_zero(tiny: World) -> None:
    found = au.audit(tiny, assumed=[("E2", "crm_system")])
    assert _gap(found, "E2", "crm_system") == 2
    row = found.gaps[(found.gaps["staff_id"] == "E2") & (found.gaps["skill_id"] == "crm_system")]
    assert row["current"].item() == 0 and row["status"].item() == "assumed"
    assert found.totals()["technology"] == 2 + 2 + 1
    both = au.audit(tiny, reassessed=["E2"], assumed=[("E2", "crm_system")])
    assert _gap(both, "E2", "crm_system") == 1  # a reassessment wins over an assumption
    assert both.totals()["technology"] == 2 + 1 + 1


#: The tiny centre's needs by hand: (role, skill) -> (people affected, gap total).
HAND_NEEDS = {
    ("agent", "regulatory_script"): (1, 1),
    ("agent", "active_listening"): (2, 4),
    ("agent", "crm_system"): (1, 2),
    ("senior_agent", "crm_system"): (1, 1),
}


def _hand_priority() -> dict[tuple[str, str], int]:
    critical = {s.id: s.criticality for s in load_skills()}
    return {key: total * critical[key[1]] for key, (_, total) in HAND_NEEDS.items()}


def test_needs_sort_compliance_critical_first_then_priority(tiny: World) -> None:
    needs = au.audit(tiny).needs
    assert list(needs.columns) == list(au.NEED_COLUMNS)
    keys = list(zip(needs["role"], needs["skill_id"], strict=True))
    priority = _hand_priority()
    rest = sorted((k for k in HAND_NEEDS if k[1] != "regulatory_script"), key=lambda k: (-priority[k], k))
    assert keys == [("agent", "regulatory_script"), *rest]
    # compliance-critical first although its priority (gap 1 x at most 3) is below the next need's (4 x at least 1)
    assert needs["priority"].iloc[0] < needs["priority"].iloc[1]
    for row in needs.itertuples():
        assert (row.people_affected, row.gap_total) == HAND_NEEDS[(row.role, row.skill_id)]
        assert row.priority == priority[(row.role, row.skill_id)]
        assert row.compliance_critical == (row.skill_id == "regulatory_script")


def test_coverage_counts_only_people_with_a_level(tiny: World) -> None:
    cover = au.audit(tiny).coverage.set_index(["role", "skill_id"])
    assert list(au.audit(tiny).coverage.columns) == list(au.COVERAGE_COLUMNS)
    crm = cover.loc[("agent", "crm_system")]
    assert (crm["people"], crm["at_level"], crm["coverage"]) == (1, 0, 0.0)  # E2's level is missing
    assert cover.loc[("agent", "telephony_acd"), "coverage"] == 1.0
    assert cover.loc[("agent", "knowledge_base"), "at_level"] == 2  # above the requirement counts
    assert ("workforce_planner", "telephony_acd") not in cover.index  # nobody holds the role


def test_above_threshold_keeps_compliance_critical_needs(tiny: World) -> None:
    found = au.audit(tiny)
    only = au.above_threshold(found, 1000)
    assert only[["staff_id", "skill_id"]].to_numpy().tolist() == [["E2", "regulatory_script"]]
    everyone = au.above_threshold(found, 0)
    assert len(everyone) == (found.gaps["gap"] > 0).sum()
    priority = _hand_priority()
    cut = priority[("agent", "active_listening")]
    chosen = au.above_threshold(found, cut)
    kept = {k for k, p in priority.items() if p >= cut or k[1] == "regulatory_script"}
    assert set(zip(chosen["role"], chosen["skill_id"], strict=True)) == kept
    assert chosen.loc[chosen["skill_id"] == "active_listening", "staff_id"].tolist() == ["E1", "E2"]
    assert (chosen["gap"] > 0).all() and chosen["skill_id"].iloc[0] == "regulatory_script"


def test_unknown_people_and_pairs_are_reported_together(tiny: World) -> None:
    with pytest.raises(UsageError) as caught:
        au.audit(tiny, reassessed=["E9"], assumed=[("E1", "coaching"), ("E7", "crm_system")])
    text = str(caught.value)
    assert "E9" in text and "coaching" in text and "E7" in text
    assert "reassessed" in text and "assumed" in text
    with pytest.raises(UsageError, match="threshold"):
        au.above_threshold(au.audit(tiny), float("nan"))


# -------------------------------------------------------------------------------------------- the real worlds
def test_totals_split_by_category_sum_to_the_gap_total(world: World) -> None:
    found = au.audit(world)
    totals = found.totals()
    assert set(totals) == set(au.CATEGORIES)
    assert sum(totals.values()) == np.nansum(found.gaps["gap"])
    for category, total in totals.items():
        assert total == found.gaps.loc[found.gaps["category"] == category, "gap"].sum()
    assert sum(totals.values()) == found.needs["gap_total"].sum()


def test_the_world_seeds_both_data_problems(world: World) -> None:
    issues = au.data_issues(world)
    assert set(issues["problem"]) == set(au.DATA_PROBLEMS)
    required = {r: len(_required(r)) for r in set(world.staff["role"])}
    role = world.staff.set_index("staff_id")["role"]
    stale = issues[issues["problem"] == "stale"]
    for person, rows in stale.groupby("staff_id"):
        missing = ((issues["staff_id"] == person) & (issues["problem"] == "missing")).sum()
        assert len(rows) + missing == required[role[person]]  # every required skill of a stale person
    cutoff = au.stale_before(world).isoformat()
    assert (stale["assessed_on"] < cutoff).all()


def test_reassessing_everyone_gives_the_truth(world: World) -> None:
    found = au.audit(world, reassessed=set(world.staff["staff_id"]))
    truth = world.truth["skills_current"].set_index(["staff_id", "skill_id"])["proficiency"]
    keys = pd.MultiIndex.from_frame(found.gaps[["staff_id", "skill_id"]])
    assert (found.gaps["current"].to_numpy() == truth.reindex(keys).to_numpy()).all()
    assert set(found.gaps["status"]) == {"reassessed"}
    plain = au.audit(world)
    fresh = plain.gaps["status"] == "ok"
    assert (plain.gaps.loc[fresh, "current"].to_numpy() == found.gaps.loc[fresh, "current"].to_numpy()).all()


def test_handling_every_problem_leaves_no_unknown_gap(world: World) -> None:
    issues = au.data_issues(world)
    missing = issues[issues["problem"] == "missing"]
    stale = sorted(set(issues.loc[issues["problem"] == "stale", "staff_id"]) - set(missing["staff_id"]))
    found = au.audit(world, reassessed=stale, assumed=list(zip(missing["staff_id"], missing["skill_id"], strict=True)))
    assert not found.gaps["gap"].isna().any()
    assert set(found.gaps["status"]) <= {"ok", "reassessed", "assumed"}
    assert (found.gaps.loc[found.gaps["status"] == "assumed", "current"] == 0).all()
    needs = found.needs
    critical = needs["compliance_critical"].to_numpy()
    assert not (np.diff(critical.astype(int)) > 0).any()  # compliance-critical needs form the first block
    for _, block in needs.groupby("compliance_critical"):
        assert (np.diff(block["priority"].to_numpy()) <= 0).all()
