"""Organisation specs: the YAML files in ``scenarios/`` that, with a seed, define a simulated contact centre.

Loading collects every problem (YAML syntax, wrong type, missing field, unknown field, inconsistent values) and
raises them together as one :class:`~casekit.errors.ScenarioError`.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from casekit import assets
from casekit.errors import NotFoundError, Problem, ScenarioError
from casekit.i18n import t
from casekit.scenario.catalogs import EXIT_FACTORS, load_law, load_roles
from casekit.scenario.compliance_spec import T5_RULES, Compliance, Seeded, compliance_problems
from casekit.validation import ORG_NAME, load_versioned_yaml, pydantic_problems, read_text_file
from casekit.validation import got as _got

__all__ = [
    "SCHEMA_VERSION",
    "T5_RULES",
    "Compliance",
    "OrgSpec",
    "Seeded",
    "find_spec",
    "list_specs",
    "load_spec",
    "parse_spec",
    "scenario_dirs",
    "spec_by_name",
]

SCHEMA_VERSION = 1

Channel = Literal["voice", "chat", "email"]
Contract = Literal["permanent", "fixed_term", "part_time"]
Shift = Literal["early", "day", "late", "night"]
Exposure = Literal[
    "labour_standards",
    "gender_equality",
    "employment_services",
    "personal_data",
    "consumer_credit",
    "consumer_protection",
    "fair_trade",
    "telecom",
]


def _iso_date(value: Any) -> Any:
    """A quoted ISO date ("2026-01-05") as a date: strict mode alone would reject the string it asks for."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value  # left to the schema, which reports it as expect.date
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _slug(value: str) -> str:
    if not ORG_NAME.fullmatch(value):
        raise PydanticCustomError("casekit_slug", "a slug")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class Text(_Model):
    zh_tw: str = Field(alias="zh-TW", min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str) -> str:
        return self.zh_tw if lang == "zh-TW" else self.en


class PayRange(_Model):
    min: int = Field(gt=0)
    max: int = Field(gt=0)


class RoleSpec(_Model):
    share: float = Field(gt=0, le=1)
    base_pay: PayRange


class ChannelSpec(_Model):
    share: float = Field(gt=0, le=1)
    aht_seconds: float = Field(gt=30, le=3600)


class Performance(_Model):
    """Centre-wide baselines the simulated staff scatter around."""

    adherence: float = Field(gt=0.5, le=1)
    availability: float = Field(gt=0.5, le=1)
    occupancy: float = Field(gt=0.3, le=1)
    fcr: float = Field(gt=0, le=1)
    csat: float = Field(gt=0, le=1)
    qa: float = Field(gt=0, le=1)
    sales_eligible_share: float = Field(ge=0, le=1)
    sales_conversion: float = Field(ge=0, le=1)
    absence_rate: float = Field(ge=0, lt=0.5)


class Targets(_Model):
    aht_seconds: float = Field(gt=0)
    adherence: float = Field(gt=0, le=1)
    fcr: float = Field(gt=0, le=1)
    csat: float = Field(gt=0, le=1)
    qa: float = Field(gt=0, le=1)
    service_level: float = Field(gt=0, le=1)
    service_level_seconds: int = Field(gt=0)
    sales_conversion: float = Field(ge=0, le=1)


class PaySpec(_Model):
    overtime_hours_mean: float = Field(ge=0, le=46)
    bonus_share_of_base: float = Field(ge=0, le=1)


class Turnover(_Model):
    annual_rate: float = Field(gt=0, le=2)
    voluntary_share: float = Field(ge=0, le=1)
    early_leaver_share: float = Field(ge=0, le=1)
    history_days: int = Field(ge=90, le=1095)
    exit_factor_weights: dict[str, float]


class BreachRates(_Model):
    """How often each seeded breach occurs; each rate is per the unit named in its field."""

    overtime_over_cap_per_staff_month: float = Field(ge=0, le=1)
    under_minimum_wage_per_staff_month: float = Field(ge=0, le=1)
    discriminatory_job_ad_share: float = Field(ge=0, le=1)
    data_handling_per_10k_contacts: float = Field(ge=0, le=1000)


class Regulatory(_Model):
    exposure: list[Exposure] = Field(min_length=1)
    complaints_per_10k_contacts: float = Field(ge=0, le=1000)
    job_ads: int = Field(ge=0, le=1000)
    breach_rates: BreachRates


class Training(_Model):
    """Training offers and the T2 planning quarter: the budget, how gaps are prioritised, when a skills record is
    out of date, and the new starters to induct."""

    cost_scale: float = Field(gt=0, le=10)
    vendor_courses: bool
    # the quarter's budget: this many times the cheapest cover of the gaps above the threshold on the records
    budget_factor: float = Field(ge=1, le=5)
    priority_threshold: float = Field(ge=0, le=100_000)  # a need at or above it (gap total x criticality) is trained
    assessment_valid_months: int = Field(ge=3, le=36)  # a skills record older than this before start_date is stale
    critical_within_weeks: int = Field(ge=1, le=13)  # compliance-critical gaps closed within this many weeks
    new_starters: int = Field(ge=0, le=200)
    go_live_days: list[Annotated[int, Field(ge=1, le=60)]] = Field(min_length=2, max_length=2)  # [min, max] days


class Ratings(_Model):
    """The share of a member's KPIs met that rates them "meets" (3) and "partly" (2); below is 1."""

    meets: float = Field(gt=0, le=1)
    partly: float = Field(gt=0, le=1)


class Appraisal(_Model):
    """T3's performance-management case: the section the candidate manages, when a new starter is still ramping
    up, the members on a performance improvement plan and how soon each is reviewed, the appraisal's rating rule,
    and how the review period drifts from the history."""

    section_teams: int = Field(ge=1, le=10)
    ramp_days: int = Field(ge=0, le=365)
    pip_members: int = Field(ge=0, le=5)
    pip_review_days: int = Field(ge=7, le=90)
    complex_share: float = Field(ge=0, le=0.5)  # of the section's handling members, on the complex queue
    appraisal_within_days: int = Field(ge=1, le=60)
    ratings: Ratings
    exceed_margin: float = Field(ge=0, le=0.5)  # better than target by this much (relative) is "exceeded"
    decline_share: float = Field(ge=0, le=0.5)  # of the handling members, whose review period is clearly worse


class OrgSpec(_Model):
    """A validated organisation spec."""

    schema_version: int
    name: Annotated[str, AfterValidator(_slug)]
    title: Text
    description: Text
    industry: str = Field(min_length=1)
    start_date: IsoDate
    days: int = Field(ge=7, le=730)
    headcount: int = Field(ge=5, le=2000)
    open_hours: list[int] = Field(min_length=2, max_length=2)
    roles: dict[str, RoleSpec]
    female_share: float = Field(ge=0, le=1)
    contracts: dict[Contract, float]
    shifts: dict[Shift, float]
    channels: dict[Channel, ChannelSpec]
    performance: Performance
    targets: Targets
    pay: PaySpec
    turnover: Turnover
    regulatory: Regulatory
    training: Training
    appraisal: Appraisal
    compliance: Compliance


def _pydantic_problems(source: str, err: ValidationError) -> list[Problem]:
    return pydantic_problems(source, err, OrgSpec)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _map(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _year(value: Any) -> int | None:
    if isinstance(value, dt.date):
        return value.year
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).year
        except ValueError:
            return None
    return None


def _semantic_problems(source: str, data: dict[str, Any]) -> list[Problem]:
    """Checks across fields that a schema cannot express.

    They read the raw data defensively (a field of the wrong type is skipped here: the schema reports it), so a
    spec with both kinds of problem gets all of them in one report.
    """
    problems: list[Problem] = []

    def add(field: str, expected: str, got: str = "", **params: Any) -> None:
        problems.append(Problem(source, field, expected, got, params))

    def share_sum(field: str, shares: dict[str, Any]) -> None:
        values = [_num(v) for v in shares.values()]
        if values and all(v is not None for v in values):
            total = sum(v for v in values if v is not None)
            if abs(total - 1.0) > 0.011:
                add(field, "expect.shares_sum", f"{total:.3f}")

    known_roles = {r.id for r in load_roles()}
    year = _year(data.get("start_date"))
    wage = minimum_wage(year) if year is not None else None
    if year is not None and wage is None:
        years = ", ".join(str(y) for y in sorted(load_law()["minimum_wage"]))
        add("start_date", "expect.wage_year", _got(str(data.get("start_date"))), years=years)
    roles = _map(data.get("roles"))
    for role, spec in roles.items():
        if role not in known_roles:
            add(f"roles.{role}", "expect.known_role", _got(role), allowed=", ".join(sorted(known_roles)))
        pay = _map(_map(spec).get("base_pay"))
        low, high = _num(pay.get("min")), _num(pay.get("max"))
        if low is not None and high is not None and low > high:
            add(f"roles.{role}.base_pay", "expect.min_le_max", f"min={low:g}, max={high:g}")
        if low is not None and wage is not None and low < wage["monthly"]:
            add(f"roles.{role}.base_pay.min", "expect.min_wage", _got(pay.get("min")), wage=wage["monthly"], year=year)
    if isinstance(data.get("roles"), dict):
        if not any(r in roles for r in ("agent", "senior_agent")):
            add("roles", "expect.has_agents", ", ".join(roles))
        if "team_leader" not in roles:
            add("roles", "expect.has_team_leader", ", ".join(roles))
    share_sum("roles", {k: _map(v).get("share") for k, v in roles.items()})
    share_sum("contracts", _map(data.get("contracts")))
    share_sum("shifts", _map(data.get("shifts")))
    share_sum("channels", {k: _map(v).get("share") for k, v in _map(data.get("channels")).items()})
    hours = data.get("open_hours")
    if isinstance(hours, list) and len(hours) == 2 and all(_num(h) is not None for h in hours):
        opening, closing = hours
        if not (0 <= opening < closing <= 24):
            add("open_hours", "expect.open_hours", _got(hours))
    go_live = _map(data.get("training")).get("go_live_days")
    if isinstance(go_live, list) and len(go_live) == 2 and all(_num(d) is not None for d in go_live):
        first, last = go_live
        if first > last:
            add("training.go_live_days", "expect.min_le_max", f"min={first:g}, max={last:g}")
    problems += compliance_problems(source, _map(data.get("compliance")))
    weights = _map(_map(data.get("turnover")).get("exit_factor_weights"))
    if isinstance(_map(data.get("turnover")).get("exit_factor_weights"), dict):
        for factor in sorted(set(weights) - set(EXIT_FACTORS)):
            add(
                f"turnover.exit_factor_weights.{factor}",
                "expect.exit_factor",
                _got(factor),
                allowed=", ".join(EXIT_FACTORS),
            )
        missing = [f for f in EXIT_FACTORS if f not in weights]
        if missing:
            add("turnover.exit_factor_weights", "expect.all_exit_factors", "", missing=", ".join(missing))
        for factor, weight in weights.items():
            value = _num(weight)
            if value is not None and value <= 0:
                add(f"turnover.exit_factor_weights.{factor}", "expect.gt", _got(weight), limit=0)
    return problems


def minimum_wage(year: int) -> dict[str, int] | None:
    """The minimum wage in force in ``year`` (勞動基準法 §21), or None when casekit does not know it."""
    table: dict[int, dict[str, int]] = load_law()["minimum_wage"]
    return table.get(year)


def parse_spec(text: str, source: str) -> OrgSpec:
    """Validate the YAML ``text`` of a spec; ``source`` names it in messages."""
    data = load_versioned_yaml(text, source, SCHEMA_VERSION, ScenarioError)
    problems: list[Problem] = []
    spec = None
    try:
        spec = OrgSpec.model_validate(data)
    except ValidationError as exc:
        problems += _pydantic_problems(source, exc)
    problems += _semantic_problems(source, data)
    if problems or spec is None:
        raise ScenarioError(problems)
    return spec


def load_spec(path: str | os.PathLike[str]) -> OrgSpec:
    """Read and validate the spec file at ``path``."""
    text = read_text_file(path, ScenarioError)
    return parse_spec(text, str(path))


def scenario_dirs() -> list[Path]:
    """Where named organisations are looked up, in order: ``$CASEKIT_SCENARIOS`` (os.pathsep-separated),
    ``./scenarios``, and the organisations casekit ships (:func:`casekit.assets.scenarios_dir`)."""
    dirs: list[Path] = []
    env = os.environ.get("CASEKIT_SCENARIOS")
    if env:
        dirs += [Path(d) for d in env.split(os.pathsep) if d]
    dirs.append(Path.cwd() / "scenarios")
    dirs.append(assets.scenarios_dir())
    seen: set[Path] = set()
    out = []
    for d in dirs:
        r = d.resolve()
        if r not in seen and r.is_dir():
            seen.add(r)
            out.append(r)
    return out


def list_specs() -> dict[str, Path]:
    """Named organisations: file stem -> path (the first directory that has a name wins)."""
    found: dict[str, Path] = {}
    for d in scenario_dirs():
        for f in sorted(d.glob("*.yaml")):
            found.setdefault(f.stem, f)
    return found


def spec_by_name(name: str) -> Path:
    """The spec of the organisation named ``name``: only a name casekit lists (:func:`list_specs`), never a path,
    so an answer document naming its organisation cannot point the grader at a file."""
    specs = list_specs() if isinstance(name, str) and ORG_NAME.fullmatch(name) else {}
    if name in specs:
        return specs[name]
    raise NotFoundError(t("scenario.unknown_org", None, name=str(name)[:80], names=", ".join(list_specs()) or "-"))


def find_spec(name_or_path: str) -> Path:
    """Resolve an organisation name (``bank-cards``) or a path to a spec file, for ``casekit scenario``, where the
    person running it names the file (grading uses :func:`spec_by_name`)."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists() or os.sep in name_or_path:
        return p
    specs = list_specs()
    if name_or_path in specs:
        return specs[name_or_path]
    raise NotFoundError(t("scenario.unknown_org", None, name=name_or_path, names=", ".join(specs) or "-"))
