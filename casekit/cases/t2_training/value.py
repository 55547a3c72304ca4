"""The conventions of the T2 training simulation and its Phillips ROI: ``casekit/data/training_value.yaml``,
validated (every problem at once, as :class:`~casekit.errors.StandardDataError`) and loaded once per process. Every
number in the file is a convention of the simulation, documented there with what it stands for."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casekit.errors import Problem, StandardDataError
from casekit.scenario.catalogs import load_skills
from casekit.scenario.training import OFFER_TYPES
from casekit.validation import load_versioned_yaml, pydantic_problems

__all__ = [
    "KPIS",
    "VALUE_FILE",
    "Effect",
    "Learning",
    "Reaction",
    "TrainingValue",
    "Value",
    "load_training_value",
    "parse_training_value",
]

VALUE_FILE: Final = "training_value.yaml"
#: The KPIs training moves: QA points, first-contact resolution (share), handle time (relative).
KPIS: Final = ("qa", "fcr", "aht")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


Share = Annotated[float, Field(ge=0, le=1)]


class Learning(_Model):
    """Kirkpatrick L2 of an offer type: the chance of each level won and how many a booking can win."""

    step_chance: Share
    max_steps: int = Field(ge=1, le=2)


class Effect(_Model):
    """How a KPI moves per level gained in its linked skills, and its month-to-month noise."""

    per_level: float = Field(ge=-1, le=100)
    noise_sd: float = Field(ge=0, le=100)
    skills: tuple[str, ...] = Field(min_length=1, strict=False)


class Reaction(_Model):
    """Kirkpatrick L1: the end-of-session survey (1-5) by offer type, relevance and noise."""

    response_rate: Share
    noise_sd: float = Field(ge=0, le=5)
    relevant: float = Field(ge=-4, le=4)
    irrelevant: float = Field(ge=-4, le=4)
    base: dict[str, float]


class Value(_Model):
    """What the Phillips ROI prices benefits and people's time at (NT$)."""

    handled_hour_cost: float = Field(gt=0, le=100_000)
    repeat_contact_cost: float = Field(ge=0, le=100_000)
    employer_on_cost: float = Field(ge=0, le=2)


class TrainingValue(_Model):
    """The simulation's conventions (``casekit/data/training_value.yaml``)."""

    schema_version: Literal[1]
    learning: dict[str, Learning]
    kpi_effects: dict[str, Effect]
    reaction: Reaction
    value: Value


def _value_problems(value: TrainingValue, source: str) -> list[Problem]:
    problems, skills = [], {s.id for s in load_skills()}
    types = {"types": ", ".join(OFFER_TYPES)}
    for name, keys in (("learning", set(value.learning)), ("reaction.base", set(value.reaction.base))):
        if keys != set(OFFER_TYPES):
            problems.append(Problem(source, name, "t2logic.expect_offer_types", ", ".join(sorted(keys)), types))
    if set(value.kpi_effects) != set(KPIS):
        problems.append(Problem(source, "kpi_effects", "t2logic.expect_kpis", ", ".join(value.kpi_effects)))
    for kpi, effect in value.kpi_effects.items():
        for skill in sorted(set(effect.skills) - skills):
            problems.append(Problem(source, f"kpi_effects.{kpi}.skills", "t2logic.expect_skill", skill))
    return problems


def parse_training_value(text: str, source: str = VALUE_FILE) -> TrainingValue:
    """Validate the YAML ``text`` of the simulation's conventions; :class:`StandardDataError` with every problem."""
    data = load_versioned_yaml(text, source, 1, StandardDataError)
    try:
        value = TrainingValue.model_validate(data)
    except ValidationError as exc:
        raise StandardDataError(pydantic_problems(source, exc, TrainingValue)) from None
    problems = _value_problems(value, source)
    if problems:
        raise StandardDataError(problems)
    return value


@cache
def load_training_value() -> TrainingValue:
    """The packaged conventions of the simulation (validated once per process)."""
    return parse_training_value((resources.files("casekit") / "data" / VALUE_FILE).read_text(encoding="utf-8"))
