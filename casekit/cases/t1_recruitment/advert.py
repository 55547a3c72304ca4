"""Is a job advertisement lawful? The check beside the candidate's advert form, and the grader's.

- ``ground`` / ``private_data``: the title, each sentence of the text and each item of data requested go through
  :func:`~casekit.cases.t1_recruitment.fairness.check_question` (就業服務法 §5 I grounds; §5 II item 2 private
  data), one issue per ground and field.
- ``pay_range_missing`` (§5 II item 6): a vacancy whose regular pay can be under the disclosure threshold
  (NT$40,000 a month) must show its pay range, both ends; "negotiable" alone, or one end, is not enough. The lowest
  pay the vacancy can offer is the advert's minimum, or the organisation's band minimum when the advert gives none
  (a 面議 advert for a band of 30,000-36,000 pays under the threshold; one for a band starting at 42,000 does not).
- ``below_minimum_wage`` (勞動基準法 §21): the lowest pay offered is under the monthly minimum wage.
- ``outside_band``: a figure of the advert is outside the organisation's band for the role.

The figures (band, minimum wage, threshold) are parameters; the case takes them from the world and
``casekit/data/law.yaml`` (:func:`casekit.scenario.spec.minimum_wage`, ``job_ad_pay_disclosure_threshold``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Annotated, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from casekit.cases.t1_recruitment.fairness import MAX_QUESTION, Flag, article_text, check_question
from casekit.i18n import t

__all__ = ["MAX_ADVERT_TEXT", "AdvertIssue", "IssueCode", "JobAdvert", "check_advert"]

MAX_TITLE: Final = 120
MAX_ADVERT_TEXT: Final = 5_000
MAX_REQUESTED: Final = 30
MAX_PAY: Final = 10_000_000
_SENTENCE_END: Final = re.compile(r"(?<=[。！？!?；;\n])|(?<=\.)\s")

IssueCode = Literal["ground", "private_data", "pay_range_missing", "below_minimum_wage", "outside_band"]
_Pay = Annotated[int | None, Field(ge=0, le=MAX_PAY)]


class JobAdvert(BaseModel):
    """A job advertisement as the candidate writes it: title, text, the monthly pay range (either end may be
    missing), whether it says "negotiable" (面議), and the personal data applicants are asked to send."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    title: str = Field(max_length=MAX_TITLE)
    text: str = Field(default="", max_length=MAX_ADVERT_TEXT)
    pay_min: _Pay = None
    pay_max: _Pay = None
    pay_negotiable: bool = False
    requested_data: list[Annotated[str, Field(max_length=100)]] = Field(default_factory=list, max_length=MAX_REQUESTED)

    @model_validator(mode="after")
    def _min_not_above_max(self) -> Self:
        if self.pay_min is not None and self.pay_max is not None and self.pay_min > self.pay_max:
            raise PydanticCustomError("casekit_min_le_max", "min not above max")
        return self


@dataclass(frozen=True)
class AdvertIssue:
    """One thing unlawful in an advert: its code, the article (a citation id), a short detail (the term that
    matched, or the figures), and where: ``field`` is ``title``, ``text`` or ``requested_data[i]`` for a ground or
    private-data issue, ``pay`` otherwise."""

    code: IssueCode
    article: str
    detail: str
    field: str = "pay"
    flag: Flag | None = None
    figures: dict[str, int | None] = dataclasses.field(default_factory=dict)

    @property
    def ground(self) -> str:
        return self.flag.ground if self.flag is not None else ""

    def explain(self, lang: str | None = None) -> str:
        """What is wrong and which article says so, in ``lang``."""
        if self.flag is not None:
            where = t(f"t1fair.field_{self.field.split('[')[0]}", lang)
            return t("t1fair.issue_in", lang, field=where, message=self.flag.explain(lang))
        shown = {k: f"{v:,}" if v is not None else t("t1fair.no_figure", lang) for k, v in self.figures.items()}
        return t(f"t1fair.issue_{self.code}", lang, article=article_text(self.article, lang), **shown)


def _sentences(text: str) -> list[str]:
    """The text in sentences (each at most MAX_QUESTION characters, so one check_question call each)."""
    out = []
    for part in _SENTENCE_END.split(text):
        part = part.strip()
        out += [part[i : i + MAX_QUESTION] for i in range(0, len(part), MAX_QUESTION)]
    return [s for s in out if s]


def _flag_issues(where: str, texts: list[str]) -> list[AdvertIssue]:
    issues: list[AdvertIssue] = []
    seen: set[str] = set()
    for text in texts:
        for flag in check_question(text):
            if flag.ground not in seen:
                seen.add(flag.ground)
                issues.append(AdvertIssue(flag.kind, flag.article, flag.term, where, flag))
    return issues


def _pay_issues(
    advert: JobAdvert, band: tuple[int, int], minimum_monthly: int, disclosure_threshold: int
) -> list[AdvertIssue]:
    issues: list[AdvertIssue] = []
    low, high = advert.pay_min, advert.pay_max
    shown = f"{low if low is not None else '-'}-{high if high is not None else '-'}"
    lowest_possible = low if low is not None else band[0]
    if lowest_possible < disclosure_threshold and (low is None or high is None):
        figures: dict[str, int | None] = {"threshold": disclosure_threshold}
        issues.append(AdvertIssue("pay_range_missing", "esa_5_2_6", shown, figures=figures))
    lowest_offered = low if low is not None else high
    if lowest_offered is not None and lowest_offered < minimum_monthly:
        figures = {"pay": lowest_offered, "minimum": minimum_monthly}
        issues.append(AdvertIssue("below_minimum_wage", "lsa_21", shown, figures=figures))
    given = [v for v in (low, high) if v is not None]
    if any(v < band[0] or v > band[1] for v in given):
        figures = {"low": low, "high": high, "band_low": band[0], "band_high": band[1]}
        issues.append(AdvertIssue("outside_band", "org_band", shown, figures=figures))
    return issues


def check_advert(
    advert: JobAdvert, *, band: tuple[int, int], minimum_monthly: int, disclosure_threshold: int
) -> list[AdvertIssue]:
    """Every issue of ``advert``: grounds and private data (title, text, data requested, in that order), then
    pay. ``band`` is the organisation's monthly pay band for the role, ``minimum_monthly`` the minimum wage in
    force, ``disclosure_threshold`` the §5 II item 6 threshold."""
    issues = _flag_issues("title", [advert.title[:MAX_QUESTION]] if advert.title.strip() else [])
    issues += _flag_issues("text", _sentences(advert.text))
    for i, item in enumerate(advert.requested_data):
        issues += _flag_issues(f"requested_data[{i}]", [item] if item.strip() else [])
    return issues + _pay_issues(advert, band, minimum_monthly, disclosure_threshold)
