"""A check never raises on a valid document (issue 9, point 1): for any scheme the answer model accepts (every
component type, levels, gates, tiers, caps, non-cash kinds, targets anywhere in their KPI's range), every T4 check
gives *met* or *not yet met*, never *error*; and a scheme the model refuses is refused on load with the field
named, never graded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casekit.cases.t4_incentives.kind import KIND
from casekit.cases.t4_incentives.profiles import build_case
from casekit.cases.t4_incentives.scheme import KPI_RANGES, SCHEME_ROLES
from casekit.errors import AnswerError
from casekit.registry import registry
from casekit.rubric import Rubric, run_checks
from casekit.scenario import World, build_world, find_spec, load_spec

KPIS = tuple(KPI_RANGES)
BOUNDED = {k: (lo, hi if hi != float("inf") else 5000.0) for k, (lo, hi) in KPI_RANGES.items()}


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(load_spec(find_spec("ecommerce-cs")), 23, staff=80, days=70)


@pytest.fixture(scope="module")
def base_doc(world: World) -> dict[str, Any]:
    case = build_case("strong", "ecommerce-cs", 23, "robust", "en", world=world)
    data: dict[str, Any] = json.loads(case.to_answer().model_dump_json(by_alias=True))
    return data


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return KIND.load_rubric()


@st.composite
def values(draw: st.DrawFn, kpi: str) -> float:
    low, high = BOUNDED[kpi]
    return draw(st.floats(low + (high - low) * 1e-4, high, allow_nan=False))


@st.composite
def measures(draw: st.DrawFn, n: int, level: str | None = None) -> list[dict[str, Any]]:
    kpis = draw(st.lists(st.sampled_from(KPIS), min_size=n, max_size=n))
    raw = draw(st.lists(st.integers(1, 10), min_size=n, max_size=n))
    weights = [w / sum(raw) for w in raw]
    weights[-1] = 1 - sum(weights[:-1])  # sums to 1 within the scheme's tolerance
    return [
        {
            "kpi": k,
            "level": level or draw(st.sampled_from(["individual", "team"])),
            "weight": w,
            "target": draw(values(k)),
        }
        for k, w in zip(kpis, weights, strict=True)
        if w > 0
    ]


@st.composite
def components(draw: st.DrawFn, i: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["commission", "threshold_bonus", "tiered", "scorecard", "team_bonus", "non_cash"]))
    roles = draw(st.lists(st.sampled_from(SCHEME_ROLES), min_size=1, max_size=3, unique=True))
    pay = {r: draw(st.floats(0, 20000)) for r in roles}
    comp: dict[str, Any] = {"id": f"c{i}", "type": kind, "pay": pay}
    if kind in ("threshold_bonus", "tiered", "non_cash"):
        comp["measures"] = draw(measures(1))
        comp["measures"][0]["weight"] = 1.0
    elif kind == "scorecard":
        comp["measures"] = draw(measures(draw(st.integers(1, 4))))
    elif kind == "team_bonus":
        comp["measures"] = draw(measures(draw(st.integers(1, 3)), "team"))
    if kind == "tiered":
        kpi = comp["measures"][0]["kpi"]
        comp["bands"] = [{"threshold": draw(values(kpi)), "fraction": draw(st.floats(0, 3))} for _ in range(2)]
    if kind == "non_cash":
        comp["non_cash_kind"] = draw(st.sampled_from(["time_off", "recognition", "competition"]))
        if comp["non_cash_kind"] == "competition":
            comp["top_n"] = draw(st.integers(1, 50))
    gates = draw(st.lists(st.sampled_from(KPIS), max_size=2))
    comp["gates"] = [{"kpi": k, "threshold": draw(values(k))} for k in gates]
    if draw(st.booleans()):
        comp["cap"] = draw(st.floats(1, 50000))
    comp["achievement_cap"] = draw(st.floats(1, 3))
    return comp


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 4))
    scheme: dict[str, Any] = {
        "budget_per_period": draw(st.floats(1, 5_000_000)),
        "components": [draw(components(i)) for i in range(n)],
    }
    if draw(st.booleans()):
        scheme["cap_per_person"] = draw(st.floats(1, 100000))
    return scheme


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scheme=schemes())
def test_no_check_raises_on_a_valid_document(
    world: World, base_doc: dict[str, Any], rubric: Rubric, scheme: dict[str, Any]
) -> None:
    doc = {**base_doc, "scheme": scheme}
    try:
        answer = registry.parse_answer(doc, "robust.json")
    except AnswerError as exc:  # refused with the fields named: never graded
        assert exc.problems and all(p.field.startswith("scheme") for p in exc.problems)
        return
    result = run_checks(rubric, KIND.grading_context(answer, world), registry=KIND.checks)
    errors = {c.id: c.evidence for c in result.criteria if c.state == "error"}
    assert not errors
