"""The ``compliance`` section of an organisation spec (T5): which months have overtime consent, how often people work
a Saturday or a holiday, the personal-data events and the training history, and the breaches and decoys seeded per
rule; with the checks across its fields a schema cannot express (:func:`compliance_problems`, part of
:func:`casekit.scenario.spec.parse_spec`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from casekit.errors import Problem
from casekit.validation import got as _got

if TYPE_CHECKING:
    from casekit.scenario.spec import OrgSpec

__all__ = [
    "T5_RULES",
    "Compliance",
    "ConsentBody",
    "DataPurpose",
    "Seeded",
    "Seeding",
    "compliance_problems",
    "seed_counts",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


ConsentBody = Literal["union", "labour_management_meeting"]
DataPurpose = Literal["identity_check", "dispute", "order", "card_replacement", "plan_change"]
RuleId = Literal[
    "daily_hours",
    "monthly_overtime",
    "three_month_overtime",
    "rest_days",
    "break",
    "overtime_pay",
    "minimum_wage_monthly",
    "minimum_wage_hourly",
    "ad_ground",
    "ad_pay_range",
    "data_notice",
    "complaint_reply",
]
#: T5's breach rules, in the rule library's order (ids fixed by the T5 design); the people rules come first
T5_RULES: tuple[str, ...] = get_args(RuleId)
#: the rules by what they concern: hours and rest (勞基法 §32 §35 §36), pay (§21 §24), job ads (就服法 §5)
HOURS_RULES: tuple[str, ...] = T5_RULES[:5]
PAY_RULES: tuple[str, ...] = T5_RULES[5:8]
AD_RULES: tuple[str, ...] = T5_RULES[8:10]


class Seeded(_Model):
    """How many breaches of one T5 rule the world seeds well past the line (``beyond``) and just past it
    (``boundary``), and how many decoys exactly at it (no breach)."""

    beyond: int = Field(ge=0, le=20)
    boundary: int = Field(ge=0, le=10)
    decoys: int = Field(ge=0, le=10)


class Seeding(_Model):
    """The seeded breaches and decoys of every T5 rule."""

    daily_hours: Seeded
    monthly_overtime: Seeded
    three_month_overtime: Seeded
    rest_days: Seeded
    break_: Seeded = Field(alias="break")
    overtime_pay: Seeded
    minimum_wage_monthly: Seeded
    minimum_wage_hourly: Seeded
    ad_ground: Seeded
    ad_pay_range: Seeded
    data_notice: Seeded
    complaint_reply: Seeded

    def of(self, rule: str) -> Seeded:
        seeded: Seeded = getattr(self, "break_" if rule == "break" else rule)
        return seeded


class Compliance(_Model):
    """T5's records (three calendar months from the month of ``start_date``, and a next month): which of those
    months (1-4, 4 the next month) have overtime consent and from which body, how often people work a Saturday
    (休息日) or a national holiday, the personal-data events per handling person's working day and what they are
    for, the regulatory-training history, and the breaches and decoys seeded per rule (the consumer complaints'
    volume is the ``regulatory`` section's ``complaints_per_10k_contacts``)."""

    consent_months: list[Annotated[int, Field(ge=1, le=4)]] = Field(max_length=4)
    consent_body: ConsentBody | None = None
    rest_day_work_share: float = Field(ge=0, le=0.3)  # of a person's Saturdays, worked
    holiday_work_share: float = Field(ge=0, le=0.5)  # of a person's national holidays, worked
    data_events_per_agent_day: float = Field(ge=0, le=5)
    data_purposes: list[DataPurpose] = Field(min_length=1)
    training_overdue_share: float = Field(ge=0, le=0.5)  # of the course completions, older than the recurrence
    training_never_share: float = Field(ge=0, le=0.5)  # of the people a course concerns, never trained in it
    seeded: Seeding


def seed_counts(spec: OrgSpec, headcount: int, contacts: float, months: int = 3) -> dict[str, Seeded]:
    """Every rule's seeds in a world of ``headcount`` people and ``contacts`` handled over ``months`` months: the
    spec's counts, and for the four rules the ``regulatory.breach_rates`` name, at least as many breaches well past
    the line as the rate gives (monthly overtime and the monthly minimum wage per person-month, discriminatory ads
    a share of the job ads, data notices per 10,000 contacts)."""
    rates = spec.regulatory.breach_rates
    expected = {
        "monthly_overtime": rates.overtime_over_cap_per_staff_month * headcount * months,
        "minimum_wage_monthly": rates.under_minimum_wage_per_staff_month * headcount * months,
        "ad_ground": rates.discriminatory_job_ad_share * spec.regulatory.job_ads,
        "data_notice": rates.data_handling_per_10k_contacts * contacts / 10_000,
    }
    out = {}
    for rule in T5_RULES:
        base = spec.compliance.seeded.of(rule)
        beyond = max(base.beyond, int(expected.get(rule, 0.0) + 0.5))
        out[rule] = base if beyond == base.beyond else base.model_copy(update={"beyond": beyond})
    return out


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _map(value: Any) -> dict[str, Any]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def compliance_problems(source: str, data: dict[str, Any]) -> list[Problem]:
    """T5's seeding: consent needs its body; every rule seeds a breach just past its line and a decoy at it, but
    the three-month cap applies only in a consented third month (the first with two months before it)."""
    problems: list[Problem] = []
    months = data.get("consent_months")
    months = months if isinstance(months, list) else []
    if len(set(map(str, months))) < len(months):
        problems.append(Problem(source, "compliance.consent_months", "expect.unique_items", _got(months)))
    if months and data.get("consent_body") is None and "consent_months" in data:
        problems.append(Problem(source, "compliance.consent_body", "scenario.consent_body", ""))
    third = 3 in months
    for rule in T5_RULES:
        counts = _map(_map(data.get("seeded")).get(rule))
        if rule == "three_month_overtime" and not third:
            for part in ("beyond", "boundary", "decoys"):
                if (_num(counts.get(part)) or 0) > 0:
                    field = f"compliance.seeded.{rule}.{part}"
                    problems.append(Problem(source, field, "scenario.three_month_no_consent", _got(counts[part])))
            continue
        for part in ("boundary", "decoys"):
            n = _num(counts.get(part))
            if n is not None and n < 1:
                problems.append(
                    Problem(source, f"compliance.seeded.{rule}.{part}", "scenario.seed_at_line", _got(counts[part]))
                )
    return problems
