"""The assessment plan: which components (case kinds, later questioning and third-party reports) a candidate is
assessed by, with which rubric and method, what the unit decision requires them to cover, and who must sign.

A plan is YAML with ``schema_version`` (the packaged default is ``plans/BGM4R0172v2.yaml``). Loading validates it
against the unit and the case registry and reports every problem at once. :func:`coverage` tells, element by
element, which criteria of which component evidence it and by which method, and what no component covers yet.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from casekit import assets
from casekit.cases.kind import CaseKind
from casekit.errors import CasekitError, PlanError, Problem
from casekit.registry import CaseRegistry, registry
from casekit.rubric import Rubric
from casekit.rubric.model import Text
from casekit.standard import load_standard
from casekit.validation import load_versioned_yaml, pydantic_problems, read_text_file

__all__ = [
    "DEFAULT_PLAN",
    "SCHEMA_VERSION",
    "Component",
    "Coverage",
    "CoverageCell",
    "Plan",
    "load_plan",
    "parse_plan",
    "plan_source",
]

SCHEMA_VERSION: Final = 1
DEFAULT_PLAN: Final = "BGM4R0172v2.yaml"
Role = Literal["assessor", "moderator"]


#: A method id (M1-M3), checked against the unit with the plan's other problems (:func:`_problems`).
Method = StrictStr


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class PerIndicator(_Model):
    """How many criteria, from how many methods, must evidence each indicator once the plan's components use that
    many methods (a plan of one method cannot ask for two)."""

    criteria: StrictInt = Field(default=2, ge=1, le=10)
    methods: StrictInt = Field(default=2, ge=1, le=3)


class CoverageRule(_Model):
    """What the unit decision requires: every indicator (P) and evidence item (E) of the unit (``all``), or only
    those the plan's components evidence (``components``); the methods that must be used."""

    indicators: Literal["all", "components"] = "all"
    evidence: Literal["all", "components"] = "all"
    methods: tuple[Method, ...] = ("M1", "M2", "M3")
    per_indicator: PerIndicator = PerIndicator()


class Component(_Model):
    """One part of the assessment: a case kind graded by its rubric (the packaged one unless named), by a method."""

    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")]
    kind: StrictStr
    method: Method
    rubric: StrictStr | None = None


class PlanModel(_Model):
    schema_version: StrictInt
    id: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    unit: StrictStr
    title: Text
    components: tuple[Component, ...] = Field(min_length=1)
    coverage: CoverageRule = CoverageRule()
    signoffs: tuple[Role, ...] = ("assessor", "moderator")


@dataclass(frozen=True)
class Plan:
    """A validated plan, with each component's kind and rubric resolved, and the SHA-256 of its file."""

    model: PlanModel
    source: Path
    sha256: str
    kinds: Mapping[str, CaseKind]
    rubrics: Mapping[str, Rubric]
    rubric_paths: Mapping[str, Path]
    rubric_sha256: Mapping[str, str]

    @property
    def id(self) -> str:
        return self.model.id

    @property
    def components(self) -> tuple[Component, ...]:
        return self.model.components

    def component_for(self, kind_id: str) -> Component | None:
        """The component that grades case kind ``kind_id`` (None when the plan has none)."""
        return next((c for c in self.components if c.kind == kind_id), None)

    def required(self) -> tuple[str, ...]:
        """The P, E and M ids the unit decision requires met criteria to cover, in the unit's order."""
        unit = load_standard()
        rule = self.model.coverage
        named = {e for rubric in self.rubrics.values() for e in rubric.elements}
        wanted: set[str] = set(rule.methods)
        for kind, scope in (("indicator", rule.indicators), ("evidence", rule.evidence)):
            wanted |= {e.id for e in unit.of_kind(kind) if scope == "all" or e.id in named}
        return tuple(e.id for e in unit.elements if e.id in wanted)

    def methods_in_use(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.method for c in self.components))

    def per_indicator_applies(self) -> bool:
        """The per-indicator rule holds once the components use as many methods as it asks for."""
        return len(self.methods_in_use()) >= self.model.coverage.per_indicator.methods


@dataclass(frozen=True)
class CoverageCell:
    """The criteria of one component that evidence one element, with their method."""

    component: str
    method: str
    criteria: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """Element by element (the required ones, in the unit's order): the cells that cover it."""

    rows: tuple[tuple[str, tuple[CoverageCell, ...]], ...]
    required: tuple[str, ...]

    def uncovered(self) -> tuple[str, ...]:
        """Required elements no component's criteria evidence (methods: no component uses them)."""
        return tuple(e for e, cells in self.rows if not cells)

    def cells(self, element_id: str) -> tuple[CoverageCell, ...]:
        return dict(self.rows).get(element_id, ())


def coverage(plan: Plan) -> Coverage:
    """Which criteria of which component evidence each required element, and by which method."""
    rows = []
    for element_id in plan.required():
        cells = []
        for component in plan.components:
            rubric = plan.rubrics[component.id]
            if element_id.startswith("M"):
                ids = tuple(c.id for c in rubric.criteria if c.method == element_id)
            else:
                ids = tuple(c.id for c in rubric.criteria if element_id in c.elements)
            if ids:
                cells.append(CoverageCell(component.id, component.method, ids))
        rows.append((element_id, tuple(cells)))
    return Coverage(tuple(rows), plan.required())


def _problems(model: PlanModel, source: Path, kinds: CaseRegistry) -> tuple[list[Problem], dict[str, Any]]:
    src = str(source)
    problems: list[Problem] = []
    unit = load_standard()
    if model.unit != unit.code:
        problems.append(Problem(src, "unit", "expect.one_of", repr(model.unit), {"expected": unit.code}))
    methods = [m.id for m in unit.of_kind("method")]
    allowed = {"allowed": ", ".join(methods)}
    for i, m in enumerate(model.coverage.methods):
        if m not in methods:
            problems.append(Problem(src, f"coverage.methods[{i}]", "expect.method_id", repr(m), allowed))
    seen: dict[str, int] = {}
    resolved: dict[str, Any] = {"kinds": {}, "rubrics": {}, "paths": {}, "shas": {}}
    for i, c in enumerate(model.components):
        where = f"components[{i}]"
        if c.method not in methods:
            problems.append(Problem(src, f"{where}.method", "expect.method_id", repr(c.method), allowed))
        if c.id in seen:
            problems.append(Problem(src, f"{where}.id", "expect.unique_component", repr(c.id)))
        seen[c.id] = i
        if c.kind not in kinds:
            problems.append(
                Problem(src, f"{where}.kind", "expect.one_of", repr(c.kind), {"expected": ", ".join(kinds.ids())})
            )
            continue
        kind = kinds.get(c.kind)
        path = kind.rubric if c.rubric is None else (source.parent / c.rubric)
        try:
            rubric = kind.load_rubric(path)
        except CasekitError as exc:
            problems.append(Problem(src, f"{where}.rubric", "expect.plan_rubric", exc.render()[:200]))
            continue
        resolved["kinds"][c.id], resolved["rubrics"][c.id], resolved["paths"][c.id] = kind, rubric, path.resolve()
        resolved["shas"][c.id] = hashlib.sha256(path.read_bytes()).hexdigest()
    return problems, resolved


def parse_plan(text: str, source: str | os.PathLike[str], *, kinds: CaseRegistry | None = None) -> Plan:
    """Validate the YAML ``text`` of a plan against the unit and the case registry; every problem at once."""
    path = Path(source)
    data = load_versioned_yaml(text, str(path), SCHEMA_VERSION, PlanError)
    try:
        model = PlanModel.model_validate(data)
    except ValidationError as exc:
        raise PlanError(pydantic_problems(str(path), exc, PlanModel)) from None
    problems, resolved = _problems(model, path, kinds if kinds is not None else registry)
    if problems:
        raise PlanError(problems)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Plan(model, path, sha, resolved["kinds"], resolved["rubrics"], resolved["paths"], resolved["shas"])


def plan_source(path: str | os.PathLike[str] | None) -> Path:
    """The plan file ``path`` names: the packaged default for ``None`` or ``"default"``; a packaged plan by name
    (``"t4-only"``); else the path itself (whose absence the loader reports)."""
    if path is None or str(path) == "default":
        return assets.plan(DEFAULT_PLAN)
    given = Path(path)
    if given.suffix in (".yaml", ".yml") or given.exists() or os.sep in str(path):
        return given
    packaged = assets.plans_dir() / f"{path}.yaml"
    return packaged if packaged.is_file() else given


def load_plan(path: str | os.PathLike[str] | None = None, *, kinds: CaseRegistry | None = None) -> Plan:
    """The plan ``path`` names (:func:`plan_source`; default: the packaged ``plans/BGM4R0172v2.yaml``)."""
    source = plan_source(path)
    return parse_plan(read_text_file(source, PlanError), source, kinds=kinds)
