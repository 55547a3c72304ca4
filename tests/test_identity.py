"""Who works a case, settled before it opens (pure: no widget), the checklist of what the rubric looks for, and
the draft's name, which a graded folder never takes for an answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casekit.assessment.identity import (
    Identity,
    default_answer_path,
    parse_seed,
    resolve_identity,
    roster_in_folder,
)
from casekit.assessment.plan import load_plan
from casekit.assessment.roster import CandidateRow, Roster, assign, save_roster
from casekit.cases.base import Case
from casekit.cases.t4_incentives.case import T4Case
from casekit.errors import RosterError, UsageError
from casekit.execution.intake import discover
from casekit.limits import MAX_SEED
from casekit.scenario import World, build_world, find_spec, load_spec
from casekit.widgets.save import draft_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEME = json.loads((FIXTURES / "scheme_balanced.json").read_text(encoding="utf-8"))
ORG, SEED = "ecommerce-cs", 3


@pytest.fixture(scope="module")
def roster() -> Roster:
    rows = [CandidateRow("c001"), CandidateRow("c002", org="bank-cards")]
    return assign(load_plan("t4-only"), rows, cohort_seed=2026, orgs=[ORG])


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_spec(find_spec(ORG)), SEED, days=45)


# --- given, or still to be asked ---------------------------------------------------------------------------------


def test_everything_given_is_the_identity_with_the_default_answer_path() -> None:
    found = resolve_identity("T4", "cand-1", ORG, 3)
    assert found == Identity("cand-1", ORG, 3, Path("answers/cand-1-T4.json"))
    assert resolve_identity("T4", " cand-1 ", f" {ORG} ", " 3 ", answer_path="x/a.json") == Identity(
        "cand-1", ORG, 3, Path("x/a.json")
    )


@pytest.mark.parametrize(
    ("cid", "org", "seed"),
    [
        (None, None, None),
        ("cand-1", None, None),
        ("cand-1", ORG, None),
        ("cand-1", None, 3),
        (None, ORG, 3),
        ("", "", ""),
    ],
)
def test_anything_missing_is_still_to_be_asked(cid: str | None, org: str | None, seed: int | str | None) -> None:
    assert resolve_identity("T4", cid, org, seed) is None


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(UsageError) as caught:
        resolve_identity("T4", "../etc", "mars", "-1", lang="en")
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert "'../etc' cannot be a candidate id" in lines[0]
    assert "'mars' is not an organisation" in lines[1] and "bank-cards" in lines[1]
    assert "seed must be a whole number" in lines[2]


@pytest.mark.parametrize("bad", ["a/b", "..", "x..y", ".hidden", "a b", "c" * 65, "名字", "a\\b"])
def test_an_unsafe_id_never_names_a_file(bad: str) -> None:
    with pytest.raises(UsageError):
        resolve_identity("T4", bad, ORG, 3)
    with pytest.raises(UsageError):
        default_answer_path(bad, "T4")


def test_seeds_as_numbers_or_text() -> None:
    assert parse_seed(0) == 0 and parse_seed(MAX_SEED) == MAX_SEED
    assert parse_seed(" 1,001 ") == 1001 and parse_seed("42") == 42
    for bad in (-1, MAX_SEED + 1, True, "1e3", "٣", "", "x", "9" * 40):
        with pytest.raises(UsageError):
            parse_seed(bad)  # type: ignore[arg-type]


# --- from the roster ---------------------------------------------------------------------------------------------


def test_the_roster_gives_the_organisation_and_the_seed(roster: Roster) -> None:
    assigned = roster.assignment("c002", "T4")
    assert assigned is not None
    found = resolve_identity("T4", "c002", roster=roster)
    assert found == Identity("c002", "bank-cards", assigned.seed, Path("answers/c002-T4.json"), "T4")
    assert resolve_identity("T4", "C002", roster=roster) == found  # ids differing in letter case: one candidate
    assert resolve_identity("T4", "c002", "bank-cards", str(assigned.seed), roster=roster) == found  # agreeing


def test_a_roster_by_path(roster: Roster, tmp_path: Path) -> None:
    path = save_roster(roster, tmp_path / "roster.json")
    assert resolve_identity("T4", "c001", roster=path) == resolve_identity("T4", "c001", roster=roster)
    assert resolve_identity("T4", "c001", roster=str(path)) == resolve_identity("T4", "c001", roster=roster)
    assert resolve_identity("T4", None, roster=path) is None  # the candidate is still to be asked
    (tmp_path / "bad.json").write_text('{"schema": "casekit-roster"}', encoding="utf-8")
    with pytest.raises(RosterError):
        resolve_identity("T4", "c001", roster=tmp_path / "bad.json")


def test_a_mismatch_with_the_roster_names_both(roster: Roster) -> None:
    assigned = roster.assignment("c001", "T4")
    assert assigned is not None
    with pytest.raises(UsageError) as caught:
        resolve_identity("T4", "c001", "bank-cards", 7, roster=roster, lang="en")
    org_line, seed_line = str(caught.value).splitlines()
    assert "bank-cards" in org_line and ORG in org_line and "c001" in org_line
    assert "7" in seed_line and str(assigned.seed) in seed_line


def test_a_candidate_or_case_not_on_the_roster(roster: Roster) -> None:
    with pytest.raises(UsageError, match="c999 is not on the roster of plan T4-only"):
        resolve_identity("T4", "c999", roster=roster, lang="en")
    with pytest.raises(UsageError, match=r"gives c001 no Q1 case \(their cases: T4\)"):
        resolve_identity("Q1", "c001", roster=roster, lang="en")


def test_a_roster_the_candidate_names_is_a_file_name_here() -> None:
    assert roster_in_folder(" roster.json ") == Path("roster.json")
    for bad in ("../roster.json", "/etc/passwd", "sub/roster.json", "", "~"):
        with pytest.raises(UsageError):
            roster_in_folder(bad)


# --- the checklist -----------------------------------------------------------------------------------------------


def test_the_t4_checklist_follows_the_work(world: World) -> None:
    case = T4Case(ORG, SEED, "cand-1", "en", world=world)

    def todo() -> list[str]:
        return [i.key.removeprefix("candidate.check_") for i in case.checklist() if not i.done]

    everything = ["t4_scheme", "t4_simulated", "t4_finding", "t4_justification", "t4_discussion", "declared"]
    assert todo() == everything
    case.set_scheme(SCHEME)
    case.simulate()
    assert todo() == everything[2:]
    changed = dict(SCHEME, budget_per_period=SCHEME["budget_per_period"] + 1000)
    case.set_scheme(changed)  # the simulation describes an earlier design now
    assert "t4_simulated" in todo()
    case.simulate()
    finding = {"kind": "other", "period": "2025-01", "description": "d", "corrective_action": "c"}
    case.add_finding(finding)
    case.justification, case.discussion = "because", "   "
    assert todo() == ["t4_discussion", "declared"]
    case.discussion = "and so"
    case.declare(True)
    assert todo() == []


def test_the_default_checklist_is_a_saveable_answer_and_the_declaration(world: World) -> None:
    case = T4Case(ORG, SEED, "cand-1", "en", world=world)
    default = Case.checklist  # what a kind that names nothing of its own gets
    assert [(i.key, i.done) for i in default(case)] == [
        ("candidate.check_complete", False),
        ("candidate.check_declared", False),
    ]
    case.set_scheme(SCHEME)
    case.declare(True)
    assert all(i.done for i in default(case))


# --- a draft is never taken for an answer ------------------------------------------------------------------------


def test_the_draft_is_beside_the_answer_and_grading_sets_it_aside(tmp_path: Path) -> None:
    answer = tmp_path / "c001-T4.json"
    assert draft_path(answer) == tmp_path / "c001-T4.json.draft"
    answer.write_text("{}", encoding="utf-8")
    draft_path(answer).write_text("{}", encoding="utf-8")
    found, set_aside = discover(tmp_path, "en")
    assert [f.source.name for f in found] == ["c001-T4.json"]
    assert len(set_aside) == 1 and "c001-T4.json.draft" in set_aside[0]
