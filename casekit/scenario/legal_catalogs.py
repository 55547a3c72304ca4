"""T5's package data: the legal obligations casekit knows (``casekit/data/obligations.yaml``: the framework register,
E4 and K4) and the regulatory courses (``casekit/data/reg_courses.yaml``: the training calendar, P5.1).

Each file is validated like the KPI catalog (:func:`casekit.scenario.catalogs.parse_kpi_catalog`): every problem,
the schema's and the cross-references', raised together as one :class:`StandardDataError`, each naming the file and
the field. An obligation's ``applies`` and a course's are the same conditions over an organisation; what they mean
for one organisation is :mod:`casekit.cases.t5_compliance.framework`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from casekit.errors import Problem, StandardDataError
from casekit.scenario.catalogs import load_roles
from casekit.validation import load_versioned_yaml, pydantic_problems

__all__ = [
    "COURSE_IDS",
    "OBLIGATIONS_FILE",
    "RECORDS",
    "REG_COURSES_FILE",
    "SCOPES",
    "STAFF_SCOPES",
    "Applies",
    "CourseCatalog",
    "CourseDef",
    "Law",
    "ObligationCatalog",
    "ObligationDef",
    "load_obligations",
    "load_reg_courses",
    "parse_obligations",
    "parse_reg_courses",
]

OBLIGATIONS_FILE = "obligations.yaml"
REG_COURSES_FILE = "reg_courses.yaml"

#: who an obligation concerns in an organisation (the answer's ``FrameworkEntry.scope`` takes the same codes)
Scope = Literal["all_staff", "hourly_staff", "selling_roles", "schedulers", "applicants", "customers"]
SCOPES: tuple[str, ...] = get_args(Scope)
#: the scopes that are people on the staff list (a course is for one of these)
StaffScope = Literal["all_staff", "hourly_staff", "selling_roles", "schedulers"]
STAFF_SCOPES: tuple[str, ...] = get_args(StaffScope)
#: the world tables a register may name as the record that proves an obligation
Record = Literal[
    "attendance", "leave", "overtime_consent", "payslips", "job_ads", "data_events", "reg_training", "staff", "pay",
    "incidents", "contacts", "complaints", "separations",
]  # fmt: skip
RECORDS: tuple[str, ...] = get_args(Record)
#: the regulatory courses (fixed: the world table ``reg_training`` names them)
CourseId = Literal["personal_data", "anti_harassment", "labour_rules", "consumer_credit", "consumer_protection"]
COURSE_IDS: tuple[str, ...] = get_args(CourseId)


def _lang(lang: str) -> str:
    return "zh-TW" if lang == "zh-TW" else "en"


@dataclass(frozen=True)
class Applies:
    """When an obligation (or a course) applies to an organisation: every condition given holds. ``exposure``: the
    spec's ``regulatory.exposure`` has it; ``min_headcount``/``max_headcount``: the staff list's size is within
    them; ``roles``: it concerns only people in these roles (and applies only if the organisation has any);
    ``pay_basis``: it concerns only people paid on this basis (and applies only if anyone is)."""

    exposure: str | None = None
    min_headcount: int | None = None
    max_headcount: int | None = None
    roles: tuple[str, ...] = ()
    pay_basis: str | None = None


@dataclass(frozen=True)
class Law:
    id: str
    zh_tw: str
    en: str

    def label(self, lang: str) -> str:
        return self.zh_tw if lang == "zh-TW" else self.en


@dataclass(frozen=True)
class ObligationDef:
    """One obligation: its law (a :class:`Law` id) and article, what it requires (bilingual ``title`` and
    ``duty``), when it applies, who it concerns (``scope``) and the world tables that prove it (``records``)."""

    id: str
    law: str
    article: str
    titles: dict[str, str]  # lang -> text
    duties: dict[str, str]
    applies: Applies
    scope: str
    records: tuple[str, ...]

    def title(self, lang: str) -> str:
        return self.titles[_lang(lang)]

    def duty(self, lang: str) -> str:
        return self.duties[_lang(lang)]


@dataclass(frozen=True)
class ObligationCatalog:
    """The laws, the obligations in the file's order, and the roles of the ``schedulers`` scope."""

    laws: tuple[Law, ...]
    obligations: tuple[ObligationDef, ...]
    schedulers: tuple[str, ...]
    _by_id: dict[str, ObligationDef] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {o.id: o for o in self.obligations})

    def get(self, obligation: str) -> ObligationDef | None:
        return self._by_id.get(obligation)

    def law(self, law: str) -> Law:
        return next(item for item in self.laws if item.id == law)

    def citation(self, obligation: ObligationDef, lang: str) -> str:
        """``勞動基準法 §21`` / ``Labour Standards Act §21``."""
        return f"{self.law(obligation.law).label(lang)} {obligation.article}"


@dataclass(frozen=True)
class CourseDef:
    """A regulatory course: the obligations it serves, who takes it (a staff ``scope``, narrowed by ``applies``),
    within how many days of hire and how often."""

    id: str
    titles: dict[str, str]  # lang -> text
    obligations: tuple[str, ...]
    applies: Applies
    scope: str
    within_days: int
    recurrence_months: int

    def title(self, lang: str) -> str:
        return self.titles[_lang(lang)]


@dataclass(frozen=True)
class CourseCatalog:
    """The courses in the file's order, and the grace (days after the plan's start) an overdue person is due in."""

    courses: tuple[CourseDef, ...]
    overdue_grace_days: int

    def get(self, course: str) -> CourseDef | None:
        return next((c for c in self.courses if c.id == course), None)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


class _Texts(_Strict):
    zh_tw: str = Field(alias="zh-TW", min_length=1)
    en: str = Field(min_length=1)


class _Applies(_Strict):
    exposure: str | None = None  # one of the spec's exposures: checked against casekit.scenario.spec.Exposure
    min_headcount: int | None = Field(default=None, ge=1)
    max_headcount: int | None = Field(default=None, ge=1)
    roles: list[str] = Field(default_factory=list)
    pay_basis: Literal["monthly", "hourly"] | None = None


class _Law(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    zh_tw: str = Field(alias="zh-TW", min_length=1)
    en: str = Field(min_length=1)


class _Obligation(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    law: str
    article: str = Field(pattern=r"^§\d+(-\d+)?( [IVX]+)?$")
    title: _Texts
    duty: _Texts
    applies: _Applies
    scope: Scope
    records: list[Record] = Field(min_length=1)


class _ScopeRoles(_Strict):
    schedulers: list[str] = Field(min_length=1)


class _Obligations(_Strict):
    schema_version: Literal[1]
    scope_roles: _ScopeRoles
    laws: list[_Law] = Field(min_length=1)
    obligations: list[_Obligation] = Field(min_length=1)


class _Course(_Strict):
    id: CourseId
    title: _Texts
    obligations: list[str] = Field(min_length=1)
    applies: _Applies = _Applies()
    scope: StaffScope
    within_days: int = Field(ge=0, le=365)
    recurrence_months: int = Field(ge=1, le=60)


class _Courses(_Strict):
    schema_version: Literal[1]
    overdue_grace_days: int = Field(ge=0, le=365)
    courses: list[_Course] = Field(min_length=1)


def _applies(a: _Applies) -> Applies:
    return Applies(a.exposure, a.min_headcount, a.max_headcount, tuple(a.roles), a.pay_basis)


def _unique(source: str, where: str, ids: list[str]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for i, item in enumerate(ids):
        if item in seen:
            out.append(Problem(source, f"{where}[{i}].id", "expect.unique_items", item))
        seen.add(item)
    return out


def _roles_problems(source: str, where: str, roles: list[str]) -> list[Problem]:
    known = sorted(r.id for r in load_roles())
    return [
        Problem(source, where, "expect.known_role", r, {"allowed": ", ".join(known)}) for r in roles if r not in known
    ]


def _applies_problems(source: str, where: str, a: _Applies) -> list[Problem]:
    from casekit.scenario.spec import Exposure  # the spec module loads this package's catalogs: import when used

    exposures = get_args(Exposure)
    out = _roles_problems(source, f"{where}.roles", a.roles)
    if a.exposure is not None and a.exposure not in exposures:
        out.append(
            Problem(source, f"{where}.exposure", "expect.one_of", a.exposure, {"expected": ", ".join(exposures)})
        )
    if a.min_headcount is not None and a.max_headcount is not None and a.min_headcount > a.max_headcount:
        out.append(Problem(source, where, "expect.min_le_max", f"min={a.min_headcount}, max={a.max_headcount}"))
    return out


def _obligation_problems(catalog: _Obligations, source: str) -> list[Problem]:
    """What the schema cannot see: ids used twice, unknown laws, roles and exposures, headcount bounds crossed, a
    record named twice."""
    problems = _unique(source, "laws", [law.id for law in catalog.laws])
    problems += _unique(source, "obligations", [o.id for o in catalog.obligations])
    problems += _roles_problems(source, "scope_roles.schedulers", catalog.scope_roles.schedulers)
    laws = [law.id for law in catalog.laws]
    for i, o in enumerate(catalog.obligations):
        where = f"obligations[{i}]"
        if o.law not in laws:
            problems.append(Problem(source, f"{where}.law", "expect.one_of", o.law, {"expected": ", ".join(laws)}))
        problems += _applies_problems(source, f"{where}.applies", o.applies)
        if len(set(o.records)) < len(o.records):
            problems.append(Problem(source, f"{where}.records", "expect.unique_items", ", ".join(o.records)))
    return problems


def parse_obligations(text: str, source: str = OBLIGATIONS_FILE) -> ObligationCatalog:
    """Validate the YAML ``text`` of the obligations catalog; :class:`StandardDataError` with every problem, each
    naming the file and the field."""
    data = load_versioned_yaml(text, source, 1, StandardDataError)
    try:
        catalog = _Obligations.model_validate(data)
    except ValidationError as exc:
        raise StandardDataError(pydantic_problems(source, exc, _Obligations)) from None
    problems = _obligation_problems(catalog, source)
    if problems:
        raise StandardDataError(problems)
    return ObligationCatalog(
        laws=tuple(Law(law.id, law.zh_tw, law.en) for law in catalog.laws),
        obligations=tuple(
            ObligationDef(
                id=o.id,
                law=o.law,
                article=o.article,
                titles={"zh-TW": o.title.zh_tw, "en": o.title.en},
                duties={"zh-TW": o.duty.zh_tw, "en": o.duty.en},
                applies=_applies(o.applies),
                scope=o.scope,
                records=tuple(o.records),
            )
            for o in catalog.obligations
        ),
        schedulers=tuple(catalog.scope_roles.schedulers),
    )


def parse_reg_courses(
    text: str, source: str = REG_COURSES_FILE, obligations: ObligationCatalog | None = None
) -> CourseCatalog:
    """Validate the YAML ``text`` of the regulatory courses against ``obligations`` (casekit's catalog when None):
    :class:`StandardDataError` with every problem (the schema's, ids used twice, obligations, roles and exposures
    unknown), each naming the file and the field."""
    data = load_versioned_yaml(text, source, 1, StandardDataError)
    try:
        catalog = _Courses.model_validate(data)
    except ValidationError as exc:
        raise StandardDataError(pydantic_problems(source, exc, _Courses)) from None
    known = [o.id for o in (obligations or load_obligations()).obligations]
    problems = _unique(source, "courses", [c.id for c in catalog.courses])
    for i, c in enumerate(catalog.courses):
        for ob in c.obligations:
            if ob not in known:
                expected = {"expected": ", ".join(known)}
                problems.append(Problem(source, f"courses[{i}].obligations", "expect.one_of", ob, expected))
        problems += _applies_problems(source, f"courses[{i}].applies", c.applies)
    if problems:
        raise StandardDataError(problems)
    courses = tuple(
        CourseDef(
            id=c.id,
            titles={"zh-TW": c.title.zh_tw, "en": c.title.en},
            obligations=tuple(c.obligations),
            applies=_applies(c.applies),
            scope=c.scope,
            within_days=c.within_days,
            recurrence_months=c.recurrence_months,
        )
        for c in catalog.courses
    )
    return CourseCatalog(courses, catalog.overdue_grace_days)


def _read(name: str) -> str:
    return (resources.files("casekit") / "data" / name).read_text(encoding="utf-8")


@cache
def load_obligations() -> ObligationCatalog:
    """casekit's obligations catalog (validated once per process)."""
    return parse_obligations(_read(OBLIGATIONS_FILE))


@cache
def load_reg_courses() -> CourseCatalog:
    """casekit's regulatory courses (validated once per process, against :func:`load_obligations`)."""
    return parse_reg_courses(_read(REG_COURSES_FILE))
