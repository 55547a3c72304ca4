"""Package data the simulation draws on: roles (N1/N2), skills (P2.3), induction topics, the KPI catalog (N5),
Taiwan labour-law figures, people."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casekit.errors import Problem, StandardDataError
from casekit.validation import load_versioned_yaml, pydantic_problems

__all__ = [
    "EXIT_FACTORS",
    "ExitFactor",
    "InductionTopic",
    "KpiDef",
    "Role",
    "Skill",
    "load_induction_topics",
    "load_kpi_catalog",
    "load_law",
    "load_people",
    "load_roles",
    "load_skills",
    "parse_kpi_catalog",
]

#: The eight attrition factors of note N4, as a closed code set (a type for answer models, and its values).
ExitFactor = Literal[
    "better_pay",
    "no_career_development",
    "no_feedback",
    "no_training",
    "leadership",
    "physical_environment",
    "recognition_reward",
    "stress",
]
EXIT_FACTORS: tuple[str, ...] = get_args(ExitFactor)


@dataclass(frozen=True)
class Skill:
    id: str
    category: str  # "technology" or "customer_service"
    zh_tw: str
    en: str
    criticality: int  # 1..3: how much a gap matters (priority = gap x criticality)
    compliance_critical: bool  # a gap is a legal exposure: closed first whatever its priority

    def label(self, lang: str) -> str:
        return self.zh_tw if lang == "zh-TW" else self.en


@dataclass(frozen=True)
class InductionTopic:
    """One step of a new starter's induction (``casekit/data/induction.yaml``): whether every starter needs it,
    whether it comes before go-live, and the latest working day it may fall on (None: no deadline)."""

    id: str
    zh_tw: str
    en: str
    required: bool
    before_go_live: bool
    latest_day: int | None

    def label(self, lang: str) -> str:
        return self.zh_tw if lang == "zh-TW" else self.en


@dataclass(frozen=True)
class KpiDef:
    """A KPI of note N5 (``casekit/data/kpi_catalog.yaml``): what it measures, its dimension, its direction (+1
    higher is better, -1 lower), whether it is the member's own data or their team's, the roles it can measure,
    where its data comes from and how often, its unit, and the skills whose training moves it."""

    id: str
    zh_tw: str
    en: str
    n5: str
    dimension: str  # efficiency | quality | role | development
    direction: int
    level: str  # member | team
    roles: tuple[str, ...]
    source: str
    frequency: str  # daily | weekly | monthly
    unit: str
    skills: tuple[str, ...]

    def label(self, lang: str) -> str:
        return self.zh_tw if lang == "zh-TW" else self.en


@dataclass(frozen=True)
class Role:
    id: str
    handles_contacts: bool
    classification: str
    pay_grade: str
    reports_to: str
    min_experience_months: int
    text: dict[str, dict[str, str]]  # field -> lang -> text
    required_skills: dict[str, int]

    def label(self, lang: str) -> str:
        return self.text["title"]["zh-TW" if lang == "zh-TW" else "en"]


def _data(name: str) -> dict[str, Any]:
    raw = (resources.files("casekit") / "data" / name).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(raw)
    return data


@cache
def load_skills() -> tuple[Skill, ...]:
    return tuple(
        Skill(s["id"], s["category"], s["zh-TW"], s["en"], int(s["criticality"]), bool(s["compliance_critical"]))
        for s in _data("skills.yaml")["skills"]
    )


@cache
def load_induction_topics() -> tuple[InductionTopic, ...]:
    """The induction topics in the order an induction runs them."""
    return tuple(
        InductionTopic(
            id=s["id"],
            zh_tw=s["zh-TW"],
            en=s["en"],
            required=bool(s["required"]),
            before_go_live=bool(s["before_go_live"]),
            latest_day=None if s["latest_day"] is None else int(s["latest_day"]),
        )
        for s in _data("induction.yaml")["topics"]
    )


KPI_CATALOG_FILE = "kpi_catalog.yaml"


class _KpiEntry(BaseModel):
    """One KPI of ``kpi_catalog.yaml`` as the file spells it."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh_tw: str = Field(alias="zh-TW", min_length=1)
    en: str = Field(min_length=1)
    n5: Literal[
        "adherence", "availability", "aht", "calls", "quality", "retention", "role_specific", "sales", "conversion",
        "learning",
    ]  # fmt: skip
    dimension: Literal["efficiency", "quality", "role", "development"]
    direction: Literal[-1, 1]
    level: Literal["member", "team"]
    roles: list[str] = Field(min_length=1)
    source: Literal["contacts", "qa_forms", "wfm", "survey", "hr", "lms", "activity_log"]
    frequency: Literal["daily", "weekly", "monthly"]
    unit: Literal["share", "seconds", "points", "rate", "hours", "count", "score"]
    skills: list[str]


class _KpiCatalog(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    schema_version: Literal[1]
    kpis: list[_KpiEntry] = Field(min_length=1)


def _kpi_problems(catalog: _KpiCatalog, source: str) -> list[Problem]:
    """What the schema cannot see: ids used twice, roles and skills the other catalogs do not define."""
    problems, seen = [], set[str]()
    roles, skills = sorted(r.id for r in load_roles()), sorted(s.id for s in load_skills())
    for i, k in enumerate(catalog.kpis):
        if k.id in seen:
            problems.append(Problem(source, f"kpis[{i}].id", "expect.unique_items", k.id))
        seen.add(k.id)
        for role in k.roles:
            if role not in roles:
                problems.append(
                    Problem(source, f"kpis[{i}].roles", "expect.known_role", role, {"allowed": ", ".join(roles)})
                )
        for skill in k.skills:
            if skill not in skills:
                problems.append(
                    Problem(source, f"kpis[{i}].skills", "expect.one_of", skill, {"expected": ", ".join(skills)})
                )
    return problems


def parse_kpi_catalog(text: str, source: str = KPI_CATALOG_FILE) -> tuple[KpiDef, ...]:
    """Validate the YAML ``text`` of the KPI catalog; :class:`StandardDataError` with every problem, each naming
    the file and the field."""
    data = load_versioned_yaml(text, source, 1, StandardDataError)
    try:
        catalog = _KpiCatalog.model_validate(data)
    except ValidationError as exc:
        raise StandardDataError(pydantic_problems(source, exc, _KpiCatalog)) from None
    problems = _kpi_problems(catalog, source)
    if problems:
        raise StandardDataError(problems)
    return tuple(
        KpiDef(
            k.id,
            k.zh_tw,
            k.en,
            k.n5,
            k.dimension,
            k.direction,
            k.level,
            tuple(k.roles),
            k.source,
            k.frequency,
            k.unit,
            tuple(k.skills),
        )
        for k in catalog.kpis
    )


@cache
def load_kpi_catalog() -> tuple[KpiDef, ...]:
    """The KPI catalog in its file's order (validated once per process)."""
    return parse_kpi_catalog((resources.files("casekit") / "data" / KPI_CATALOG_FILE).read_text(encoding="utf-8"))


_ROLE_TEXT_FIELDS = ("title", "qualifications", "special_requirements", "responsibilities", "capability")


@cache
def load_roles() -> tuple[Role, ...]:
    roles = []
    for r in _data("roles.yaml")["roles"]:
        roles.append(
            Role(
                id=r["id"],
                handles_contacts=bool(r["handles_contacts"]),
                classification=r["classification"],
                pay_grade=r["pay_grade"],
                reports_to=r["reports_to"],
                min_experience_months=int(r["min_experience_months"]),
                text={f: dict(r[f]) for f in _ROLE_TEXT_FIELDS},
                required_skills={k: int(v) for k, v in r["required_skills"].items()},
            )
        )
    return tuple(roles)


@cache
def load_law() -> dict[str, Any]:
    return _data("law.yaml")


@cache
def load_people() -> dict[str, Any]:
    return _data("people.yaml")
