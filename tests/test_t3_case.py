"""The T3 case as the widgets and the simulated candidates drive it: an answer that saves, loads back strictly and
resumes to the same document; bad input named by its field, never adopted; the review period closed until every
member has agreed every KPI of their set."""

from __future__ import annotations

from pathlib import Path

import pytest

from casekit.answers import load_answer
from casekit.cases.t3_performance.case import T3Case
from casekit.cases.t3_performance.kind import KIND
from casekit.cases.t3_performance.profiles import build_case
from casekit.errors import AnswerError, UsageError
from casekit.scenario import World, world_for


@pytest.fixture(scope="module")
def world() -> World:
    return world_for("ecommerce-cs", 4)


def test_the_answer_saves_loads_strictly_and_resumes(world: World, tmp_path: Path) -> None:
    case = build_case("strong", "ecommerce-cs", 4, "cand-1", "en", world=world)
    path = case.save(tmp_path / "t3.json")
    doc = load_answer(path, {"T3": KIND.answers})
    again = T3Case.from_answer(doc, world=world)  # type: ignore[arg-type]
    assert again.to_answer().model_dump() == case.to_answer().model_dump()
    assert again.appraisal_open() and again.ratings().equals(case.ratings())


def test_unknown_members_kpis_and_offers_are_named_and_nothing_is_adopted(world: World) -> None:
    case = build_case("strong", "ecommerce-cs", 4, "cand-1", "en", world=world)
    before = dict(case.agreements)
    first = next(iter(before.values())).model_dump()
    with pytest.raises(AnswerError) as info:
        case.set_agreements([{**first, "staff_id": "E9999"}, {**first, "kpi": "happiness"}])
    text = info.value.render("en")
    assert "agreements.0.staff_id" in text and "'E9999'" in text and "agreements.1.kpi" in text
    assert case.agreements == before
    plan = case.development[0].model_dump() if case.development else None
    if plan is not None:
        with pytest.raises(AnswerError, match="offer_id"):
            case.set_development([{**plan, "action": "training", "offer_id": "TR999"}])
    with pytest.raises(AnswerError, match="kpi_sets"):
        case.set_kpi_sets([{"role": "agent", "kpis": ["qa", "qa"]}])


def test_the_review_period_opens_only_when_every_kpi_is_agreed(world: World) -> None:
    case = T3Case("ecommerce-cs", 4, "cand-2", "en", world=world)
    case.set_kpi_sets({"role": r, "kpis": case.kpis_for(r)[:3]} for r in sorted(set(case.members()["role"])))
    assert not case.appraisal_open()
    with pytest.raises(UsageError, match="every member has agreed"):
        case.results()
    missing = case.missing_agreements()
    assert len(missing) == len(case.wanted()) > 0
    with pytest.raises(UsageError, match="E9999"):
        case.propose([("E9999", "qa", 80.0)])


def test_a_member_objects_from_their_data_and_accepts_their_own_history(world: World) -> None:
    case = T3Case("ecommerce-cs", 4, "cand-3", "zh-TW", world=world)
    bands = case.bands()
    row = bands[(bands["kpi"] == "qa") & (bands["reason"] == "")].iloc[0]
    said = case.propose(
        [(row["staff_id"], "qa", float(row["ceiling"]) + 2.0), (row["staff_id"], "qa", float(row["median"]))]
    )
    assert list(said["verdict"]) == ["object", "accept"]
    assert said["reason"].iloc[0] == "above_best" and said["comment"].iloc[0]
