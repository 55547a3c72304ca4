"""An incentive scheme (N6) as data: the candidate designs it, the answer document stores it, the grader rebuilds it.

A scheme pays per period (a calendar month). Each component pays a role-specific base amount (``pay``: rewards
set by responsibility, P4.2) scaled by how the type turns KPI results into money:

- ``commission``       ``pay`` NT$ per sale, counted only when the person passes the component's gates (a QA gate
                       makes it a commission per QA-passed sale)
- ``threshold_bonus``  ``pay`` when the single measure reaches its target
- ``tiered``           ``pay`` x the fraction of the highest band the single measure reaches
- ``scorecard``        ``pay`` x sum(weight x achievement), each achievement capped at ``achievement_cap``
- ``team_bonus``       a scorecard on team-level measures, paid to every eligible member of the team
- ``non_cash``         time off, recognition or a competition (the ``top_n`` best on the measure), budgeted at
                       ``pay`` as its cash equivalent

Gates (quality, attendance) set a component to zero for a person below them; ``cap`` limits a component per
person and period; the scheme's ``cap_per_person`` limits a person's cash total; ``budget_per_period`` is what
the centre can spend. Achievement = value / target, or target / value for a KPI where lower is better (AHT).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casekit.errors import Problem, SpecError
from casekit.validation import pydantic_problems

__all__ = [
    "COMPONENT_TYPES",
    "KPI_DIRECTIONS",
    "KPI_RANGES",
    "SCHEME_ROLES",
    "Band",
    "Component",
    "Gate",
    "Measure",
    "Scheme",
    "SchemeError",
    "parse_scheme",
    "scheme_problems",
]

# +1: higher is better; -1: lower is better.
KPI_DIRECTIONS: dict[str, int] = {
    "aht_s": -1,
    "adherence": 1,
    "availability": 1,
    "fcr": 1,
    "csat": 1,
    "qa": 1,
    "conversion": 1,
    "contacts_per_hour": 1,
    "handled": 1,
    "sales": 1,
}
SCHEME_ROLES = ("agent", "senior_agent", "team_leader")
#: The range a target or threshold of each KPI can take, in the document's unit: rates are shares (0.78, shown as
#: 78 %), QA is in points of 100, AHT in seconds. A value outside is refused with the range (an FCR target of 78
#: would pay almost nobody); counts (handled, sales) have no upper bound.
KPI_RANGES: dict[str, tuple[float, float]] = {
    **dict.fromkeys(("adherence", "availability", "fcr", "csat", "conversion"), (0.0, 1.0)),
    "qa": (0.0, 100.0),
    "aht_s": (0.0, 7200.0),
    "contacts_per_hour": (0.0, 120.0),
    "handled": (0.0, float("inf")),
    "sales": (0.0, float("inf")),
}
COMPONENT_TYPES = ("commission", "threshold_bonus", "tiered", "scorecard", "team_bonus", "non_cash")

Kpi = Literal[
    "aht_s", "adherence", "availability", "fcr", "csat", "qa", "conversion", "contacts_per_hour", "handled", "sales"
]
RoleName = Literal["agent", "senior_agent", "team_leader"]


class _Model(BaseModel):
    # NaN and Infinity are not amounts: a NaN rate would pass every comparison a check makes and pay nobody
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Measure(_Model):
    kpi: Kpi
    level: Literal["individual", "team"] = "individual"
    weight: float = Field(default=1.0, gt=0, le=1)
    target: float = Field(gt=0)


class Gate(_Model):
    """A minimum (or, for lower-is-better KPIs, a maximum) a person must reach for the component to pay."""

    kpi: Kpi
    threshold: float = Field(gt=0)


class Band(_Model):
    threshold: float = Field(gt=0)
    fraction: float = Field(ge=0, le=3)


class Component(_Model):
    id: str = Field(min_length=1, max_length=40)
    type: Literal["commission", "threshold_bonus", "tiered", "scorecard", "team_bonus", "non_cash"]
    pay: dict[RoleName, float] = Field(min_length=1)
    measures: list[Measure] = Field(default_factory=list)
    bands: list[Band] = Field(default_factory=list)
    gates: list[Gate] = Field(default_factory=list)
    achievement_cap: float = Field(default=1.2, ge=1, le=3)
    cap: float | None = Field(default=None, gt=0)
    non_cash_kind: Literal["time_off", "recognition", "competition"] | None = None
    top_n: int | None = Field(default=None, ge=1)


class Scheme(_Model):
    schema_version: Literal[1] = 1
    name: str = Field(default="", max_length=200)
    budget_per_period: float = Field(gt=0)
    cap_per_person: float | None = Field(default=None, gt=0)
    components: list[Component] = Field(min_length=1)


class SchemeError(SpecError):
    """A scheme is malformed or inconsistent (all problems at once)."""


def _valid_components(data: object) -> list[tuple[int, Component]]:
    """The components that are valid on their own, with their positions (the others are reported by the schema)."""
    raw = data.get("components") if isinstance(data, dict) else None
    found = []
    for i, item in enumerate(raw if isinstance(raw, list) else []):
        try:
            found.append((i, Component.model_validate(item)))
        except ValidationError:
            continue
    return found


def scheme_problems(scheme: Scheme, source: str, prefix: str = "") -> list[Problem]:
    """The rules across fields of a scheme whose fields are each valid (the same rules :func:`parse_scheme`
    applies): an answer document checks them on load and on save, the widgets when they adopt a scheme.
    ``prefix``: where the scheme sits in the document (``"scheme."``)."""
    return _consistency(list(enumerate(scheme.components)), source, prefix)


def _consistency(components: list[tuple[int, Component]], source: str, prefix: str = "") -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, c in components:
        where = f"{prefix}components[{i}]"
        if c.id in seen:
            problems.append(Problem(source, f"{where}.id", "expect.unique_component", repr(c.id)))
        seen.add(c.id)
        for role, amount in c.pay.items():
            if amount < 0:
                problems.append(Problem(source, f"{where}.pay.{role}", "expect.ge", repr(amount), {"limit": 0}))
        problems += _ranges(c, where, source)
        single = c.type in ("threshold_bonus", "tiered", "non_cash")
        if single and len(c.measures) != 1:
            problems.append(Problem(source, f"{where}.measures", "expect.one_measure", str(len(c.measures))))
        if c.type in ("scorecard", "team_bonus") and not c.measures:
            problems.append(Problem(source, f"{where}.measures", "expect.too_short", "0", {"min_length": 1}))
        if c.type in ("scorecard", "team_bonus") and c.measures:
            total = sum(m.weight for m in c.measures)
            if abs(total - 1) > 0.011:
                problems.append(Problem(source, f"{where}.measures", "expect.weights_sum", f"{total:.3f}"))
        if c.type == "team_bonus" and any(m.level != "team" for m in c.measures):
            problems.append(Problem(source, f"{where}.measures", "expect.team_level", ""))
        if c.type == "tiered" and not c.bands:
            problems.append(Problem(source, f"{where}.bands", "expect.too_short", "0", {"min_length": 1}))
        if c.type == "non_cash":
            if c.non_cash_kind is None:
                problems.append(Problem(source, f"{where}.non_cash_kind", "expect.present"))
            if c.non_cash_kind == "competition" and c.top_n is None:
                problems.append(Problem(source, f"{where}.top_n", "expect.present"))
    return problems


def _ranges(c: Component, where: str, source: str) -> list[Problem]:
    """Targets and thresholds outside their KPI's range (:data:`KPI_RANGES`)."""
    values = [(f"measures[{k}].target", m.kpi, m.target) for k, m in enumerate(c.measures)]
    values += [(f"gates[{k}].threshold", g.kpi, g.threshold) for k, g in enumerate(c.gates)]
    if c.measures:
        values += [(f"bands[{k}].threshold", c.measures[0].kpi, b.threshold) for k, b in enumerate(c.bands)]
    problems = []
    for field, kpi, value in values:
        low, high = KPI_RANGES[kpi]
        if not low < value <= high:
            params = {"kpi": kpi, "low": f"{low:g}", "high": f"{high:g}"}
            problems.append(Problem(source, f"{where}.{field}", "expect.kpi_range", repr(value), params))
    return problems


def parse_scheme(data: object, source: str = "scheme") -> Scheme:
    """Validate ``data`` (a mapping, e.g. from an answer document) into a :class:`Scheme`; all problems at once."""
    problems: list[Problem] = []
    scheme = None
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(source, exc, Scheme)
    # the checks across fields run on every component that is valid by itself, so one report holds everything
    problems += _consistency(_valid_components(data), source)
    if problems or scheme is None:
        raise SchemeError(problems)
    return scheme
