"""Rubrics as data: the YAML files in ``rubrics/`` that map a case's criteria to the competency unit.

A rubric lists criteria; each names the unit elements it evidences (P, K, S, E ids), its assessment method
(M1–M3), whether it is essential, its two levels with bilingual descriptors, and how it is judged: by a
registered automatic check or by an assessor. Loading collects every problem (YAML syntax, wrong types, missing
or unknown fields, unknown element ids, unknown checks or missing check parameters, duplicate criterion ids)
and raises them together as one :class:`~casekit.errors.RubricError`, so an author fixes a file in one pass.
"""

from __future__ import annotations

import math
import os
import re
from typing import Annotated, Any, Final, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from casekit.errors import NotFoundError, Problem, RubricError
from casekit.i18n import normalise_lang, t
from casekit.rubric.checks import CheckRegistry, builtin_checks
from casekit.standard import load_standard
from casekit.validation import got, load_versioned_yaml, pydantic_problems, read_text_file

__all__ = [
    "ELEMENT_KINDS",
    "SCHEMA_VERSION",
    "Criterion",
    "JudgedBy",
    "Level",
    "Rubric",
    "Text",
    "load_rubric",
    "parse_rubric",
]

SCHEMA_VERSION: Final = 1
_BUILTINS: Final = builtin_checks()

#: The kinds of unit element a criterion may evidence: performance indicators, knowledge, skills, evidence.
ELEMENT_KINDS: Final = ("indicator", "knowledge", "skill", "evidence")

_IDENT: Final = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_LEVEL_IDS: Final = ("met", "not_yet_met")


# --- field validators: each raises a custom error whose type is the ``expect.*`` key that explains it ---------


def _nonblank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("casekit_nonempty", "a non-empty string")
    return value


def _unit_element(value: str) -> str:
    unit = load_standard()
    if value not in unit or unit.get(value).kind not in ELEMENT_KINDS:
        raise PydanticCustomError("casekit_rubric_element", "a P, K, S or E element", {"code": unit.code})
    return value


def _unit_method(value: str) -> str:
    methods = [m.id for m in load_standard().of_kind("method")]
    if value not in methods:
        raise PydanticCustomError("casekit_method_id", "an assessment method", {"allowed": ", ".join(methods)})
    return value


def _check_name(value: str, info: ValidationInfo) -> str:
    checks = _registry_of(info)
    if value not in checks:
        raise PydanticCustomError("casekit_known_check", "a registered check", {"allowed": ", ".join(checks.names())})
    return value


def _finite_params(params: dict[str, Any]) -> dict[str, Any]:
    """Check parameters are finite numbers where they are numbers (YAML reads .nan and .inf as floats)."""
    stack: list[Any] = [params]
    while stack:
        value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("casekit_finite_number", "a finite number")
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return params


def _two_levels(levels: tuple[Level, ...]) -> tuple[Level, ...]:
    if sorted(level.id for level in levels) != sorted(_LEVEL_IDS):
        raise PydanticCustomError("casekit_levels", "one level met and one level not_yet_met")
    return levels


def _registry_of(info: ValidationInfo) -> CheckRegistry:
    checks = info.context.get("registry") if isinstance(info.context, dict) else None
    return checks if isinstance(checks, CheckRegistry) else _BUILTINS


NonBlank = Annotated[StrictStr, AfterValidator(_nonblank)]


def _ident(value: str) -> str:
    if not re.fullmatch(_IDENT, value):
        raise PydanticCustomError("casekit_ident", "an id")
    return value


Ident = Annotated[StrictStr, AfterValidator(_ident)]


# --- the model -----------------------------------------------------------------------------------------------


class _Model(BaseModel):
    # Not strict: strict mode refuses a YAML list where a tuple is declared. Scalars are Strict* instead, so
    # "yes" is not a bool and "1" is not an int.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Text(_Model):
    """A text in each language."""

    zh_tw: NonBlank = Field(alias="zh-TW")
    en: NonBlank

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang`` (default: the current language)."""
        return self.zh_tw if normalise_lang(lang) == "zh-TW" else self.en

    def as_dict(self) -> dict[str, str]:
        return {"zh-TW": self.zh_tw, "en": self.en}


class Level(_Model):
    """One level of a criterion with what it looks like."""

    id: Literal["met", "not_yet_met"]
    descriptor: Text


class JudgedBy(_Model):
    """How a criterion is judged: ``{check: NAME, params: {...}}`` or ``{assessor: true}``."""

    check: Annotated[NonBlank, AfterValidator(_check_name)] | None = None
    params: Annotated[dict[StrictStr, Any], AfterValidator(_finite_params)] = Field(default_factory=dict)
    assessor: StrictBool | None = None

    @model_validator(mode="after")
    def _one_way(self, info: ValidationInfo) -> Self:
        automatic = self.check is not None and self.assessor is None
        by_assessor = self.check is None and self.assessor is True and "params" not in self.model_fields_set
        if not (automatic or by_assessor):
            raise PydanticCustomError("casekit_judged_by", "either a check or an assessor")
        if self.check is not None:
            missing = [p for p in _registry_of(info).required_params(self.check) if p not in self.params]
            if missing:
                raise PydanticCustomError(
                    "casekit_check_params", "missing params", {"check": self.check, "missing": ", ".join(missing)}
                )
        return self

    @property
    def automatic(self) -> bool:
        return self.check is not None


class Criterion(_Model):
    """One criterion: what it evidences, by which method, whether essential, and how it is judged."""

    id: Ident
    title: Text
    elements: tuple[Annotated[StrictStr, AfterValidator(_unit_element)], ...] = Field(min_length=1)
    method: Annotated[StrictStr, AfterValidator(_unit_method)]
    essential: StrictBool
    levels: Annotated[tuple[Level, ...], AfterValidator(_two_levels)]
    judged_by: JudgedBy

    def level(self, level_id: str) -> Level:
        """The level ``met`` or ``not_yet_met``."""
        return next(level for level in self.levels if level.id == level_id)


class Rubric(_Model):
    """A validated rubric for one case."""

    schema_version: StrictInt
    id: Ident
    case: Ident
    title: Text
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion ``criterion_id``; :class:`~casekit.errors.NotFoundError` if the rubric has none."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise NotFoundError(t("rubric.unknown_criterion", rubric=self.id, criterion=criterion_id))

    @property
    def elements(self) -> tuple[str, ...]:
        """Every unit element the criteria name, each once, in the order first named."""
        return tuple(dict.fromkeys(e for c in self.criteria for e in c.elements))

    @property
    def methods(self) -> tuple[str, ...]:
        """Every assessment method the criteria use, each once."""
        return tuple(dict.fromkeys(c.method for c in self.criteria))


# --- loading ---------------------------------------------------------------------------------------------------


def _duplicate_ids(source: str, data: dict[str, Any]) -> list[Problem]:
    """Criterion ids used twice; checked on the raw data so it is reported beside every other problem."""
    criteria = data.get("criteria")
    if not isinstance(criteria, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for i, raw in enumerate(criteria):
        cid = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(cid, str):
            continue
        if cid in first:
            problems.append(
                Problem(source, f"criteria[{i}].id", "expect.unique_criterion", got(cid), {"first": first[cid]})
            )
        else:
            first[cid] = i
    return problems


def parse_rubric(text: str, source: str, *, registry: CheckRegistry | None = None) -> Rubric:
    """Validate the YAML ``text`` of a rubric; ``source`` names it in messages.

    Check names are looked up in ``registry``: the checks of the rubric's case kind (default: only the generic
    built-ins). :meth:`casekit.cases.kind.CaseKind.load_rubric` passes its kind's.
    """
    data = load_versioned_yaml(text, source, SCHEMA_VERSION, RubricError)
    problems = _duplicate_ids(source, data)
    context = {"registry": registry if registry is not None else _BUILTINS}
    try:
        rubric = Rubric.model_validate(data, context=context)
    except ValidationError as exc:
        problems[:0] = pydantic_problems(source, exc, Rubric)
        raise RubricError(problems) from None
    if problems:
        raise RubricError(problems)
    return rubric


def load_rubric(path: str | os.PathLike[str], *, registry: CheckRegistry | None = None) -> Rubric:
    """Read and validate the rubric file at ``path``."""
    text = read_text_file(path, RubricError)
    return parse_rubric(text, str(path), registry=registry)
