"""The T5 rule library: each breach rule of the brief with its article, exact at its line, vectorised. One copy
serves the grader (the cross-check against the world's seeded truth) and the candidate's tools (filters, the rows
near each line).

``tables`` is a mapping of table name to frame (a World's tables, or a next month's records); ``law`` is
:func:`casekit.scenario.catalogs.load_law`. Every threshold and multiplier comes from ``law``
(:func:`casekit.cases.t5_compliance.pay.figure`). A finding's key is ``rule, staff_id, date, month, ad_id,
event_id, complaint_id`` (empty strings where not part of the key), with ``back_pay`` (whole NT$, 0 for rules that
owe none) and ``rows``, the ``;``-joined evidence:

- ``daily_hours`` (staff_id, date): the day's attendance ``row_id``;
- ``monthly_overtime`` (staff_id, month): the month's attendance rows with overtime;
- ``three_month_overtime`` (staff_id, month, the third month): the three months' attendance rows with overtime;
- ``rest_days`` (staff_id, date, the run's first day): every attendance row of the run;
- ``break`` (staff_id, date): the day's attendance row;
- ``overtime_pay`` (staff_id, month): the payslip ``staff_id|month``, then the month's attendance rows with
  overtime;
- ``minimum_wage_monthly`` / ``minimum_wage_hourly`` (staff_id, month): the payslip ``staff_id|month``;
- ``ad_ground`` / ``ad_pay_range`` (ad_id): the ad_id; ``data_notice`` (event_id): the event_id;
- ``complaint_reply`` (complaint_id): the complaint_id. Its last day is the day received plus law.yaml's
  ``complaint_reply_days`` of its ``regime`` (民法 §120 II), moved to the next workday from a Saturday, Sunday or
  holiday (民法 §122); a breach when answered after it, or still open when the records end after it (the records end
  on the last day of the latest month a complaint was received in).

Hours are compared in whole minutes (0.5-hour steps are exact), pay in exact fractions. A rule whose tables are not
in ``tables`` is left out of :func:`detect_all` (a next month's records have no job ads); :func:`detect` asks for
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from casekit.cases.t5_compliance import pay, tools
from casekit.cases.t5_compliance.measures import CANDIDATE_COLUMNS, COLUMNS, KEY, MEASURES, empty
from casekit.cases.t5_compliance.records import Records, text
from casekit.errors import UsageError
from casekit.i18n import t

Frame = pd.DataFrame

__all__ = [
    "CANDIDATE_COLUMNS",
    "COLUMNS",
    "KEY",
    "MARGINS",
    "RULES",
    "Rule",
    "candidates",
    "detect",
    "detect_all",
    "filter_rows",
    "rule",
    "thresholds",
]


@dataclass(frozen=True)
class Rule:
    """One breach rule: its id, the article it enforces (a key of the ``t5rule`` catalog), the tables it reads,
    its catalog keys (title, citation, one-line explanation) and the columns of its key."""

    id: str
    article: str
    tables: tuple[str, ...]
    key: tuple[str, ...]
    title_key: str
    article_key: str
    explain_key: str

    def title(self, lang: str | None = None) -> str:
        return t(self.title_key, lang)

    def citation(self, lang: str | None = None) -> str:
        """The article (勞動基準法第32條第2項 / Labour Standards Act art. 32(2))."""
        return t(self.article_key, lang)

    def explanation(self, law: Mapping[str, Any], lang: str | None = None) -> str:
        """When it is a breach, in one line, with the figures of ``law``."""
        figures = {
            **thresholds(law),
            "tolerance": pay.figure(law, "overtime_pay.tolerance"),
            "monthly_hours_basis": pay.figure(law, "overtime.monthly_hours_basis"),
            "wage_divisor": pay.figure(law, "minimum_wage_daily_divisor"),
            "complaint_days": pay.figure(law, "complaint_reply_days.consumer_protection"),
            "financial_complaint_days": pay.figure(law, "complaint_reply_days.financial_consumer"),
        }
        return t(self.explain_key, lang, **{k: _number(float(v)) for k, v in figures.items()})


_ATT, _CONSENT, _SLIPS = "attendance", "overtime_consent", "payslips"
RULES: Final = (
    Rule("daily_hours", "lsa_32_2", (_ATT,), ("staff_id", "date"),
         "t5rule.daily_hours", "t5rule.article_lsa_32_2", "t5rule.daily_hours_why"),
    Rule("monthly_overtime", "lsa_32_2", (_ATT, _CONSENT), ("staff_id", "month"),
         "t5rule.monthly_overtime", "t5rule.article_lsa_32_2", "t5rule.monthly_overtime_why"),
    Rule("three_month_overtime", "lsa_32_2", (_ATT, _CONSENT), ("staff_id", "month"),
         "t5rule.three_month_overtime", "t5rule.article_lsa_32_2", "t5rule.three_month_overtime_why"),
    Rule("rest_days", "lsa_36", (_ATT,), ("staff_id", "date"),
         "t5rule.rest_days", "t5rule.article_lsa_36", "t5rule.rest_days_why"),
    Rule("break", "lsa_35", (_ATT,), ("staff_id", "date"),
         "t5rule.break", "t5rule.article_lsa_35", "t5rule.break_why"),
    Rule("overtime_pay", "lsa_24_39", (_ATT, _SLIPS), ("staff_id", "month"),
         "t5rule.overtime_pay", "t5rule.article_lsa_24_39", "t5rule.overtime_pay_why"),
    Rule("minimum_wage_monthly", "lsa_21", (_SLIPS,), ("staff_id", "month"),
         "t5rule.minimum_wage_monthly", "t5rule.article_lsa_21", "t5rule.minimum_wage_monthly_why"),
    Rule("minimum_wage_hourly", "lsa_21", (_SLIPS,), ("staff_id", "month"),
         "t5rule.minimum_wage_hourly", "t5rule.article_lsa_21", "t5rule.minimum_wage_hourly_why"),
    Rule("ad_ground", "esa_5_1", ("job_ads",), ("ad_id",),
         "t5rule.ad_ground", "t5rule.article_esa_5_1", "t5rule.ad_ground_why"),
    Rule("ad_pay_range", "esa_5_2_6", ("job_ads",), ("ad_id",),
         "t5rule.ad_pay_range", "t5rule.article_esa_5_2_6", "t5rule.ad_pay_range_why"),
    Rule("data_notice", "pdpa_8", ("data_events",), ("event_id",),
         "t5rule.data_notice", "t5rule.article_pdpa_8", "t5rule.data_notice_why"),
    Rule("complaint_reply", "cpa_43_fcpa_13", ("complaints",), ("complaint_id",),
         "t5rule.complaint_reply", "t5rule.article_cpa_43_fcpa_13", "t5rule.complaint_reply_why"),
)  # fmt: skip
_BY_ID: Final = {r.id: r for r in RULES}
#: how far from the line :func:`candidates` looks by default, in the rule's unit (hours, days, minutes, NT$)
MARGINS: Final = {
    "daily_hours": 1.0,
    "monthly_overtime": 4.0,
    "three_month_overtime": 8.0,
    "rest_days": 1.0,
    "break": 5.0,
    "overtime_pay": 100.0,
    "minimum_wage_monthly": 100.0,
    "minimum_wage_hourly": 5.0,
    "ad_ground": 0.0,
    "ad_pay_range": 2000.0,
    "data_notice": 0.0,
    "complaint_reply": 3.0,
}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def thresholds(law: Mapping[str, Any], year: int | None = None) -> dict[str, float]:
    """The law's figures by the names a candidate states them (the answer's ``thresholds``); the minimum wage of
    ``year`` when given."""
    first, after = pay.multipliers(law)["workday", "monthly"]
    out = {name: float(pay.figure(law, path)) for name, path in tools.PATHS.items()}
    out |= {"premium_first_two_hours": float(first), "premium_after_two_hours": float(after)}
    if year is not None:
        wage = pay.minimum_wage(law, year)
        out["minimum_wage_monthly"] = float(wage["monthly"])
        out["minimum_wage_hourly"] = float(wage["hourly"])
    return out


def rule(rule_id: str, lang: str | None = None) -> Rule:
    """The rule ``rule_id``; UsageError (in ``lang``) naming the rules for an unknown one."""
    found = _BY_ID.get(rule_id)
    if found is None:
        raise UsageError(t("t5rule.unknown_rule", lang, rule=rule_id, rules=", ".join(_BY_ID)))
    return found


def _need(r: Rule, tables: Mapping[str, Frame]) -> None:
    for name in r.tables:
        if name not in tables:
            raise UsageError(t("t5rule.missing_table", None, rule=r.id, table=name))


def _sorted(frame: Frame, columns: Iterable[str]) -> Frame:
    return frame.sort_values(list(columns), kind="stable").reset_index(drop=True)


def detect(rule_id: str, tables: Mapping[str, Frame], law: Mapping[str, Any]) -> Frame:
    """The breaches of one rule in ``tables``: :data:`COLUMNS`, sorted by the key."""
    r = rule(rule_id)
    _need(r, tables)
    found = MEASURES[r.id](Records(tables, law), None)
    return _sorted(found[list(COLUMNS)], KEY)


def detect_all(tables: Mapping[str, Frame], law: Mapping[str, Any]) -> Frame:
    """The breaches of every rule whose tables ``tables`` has, in :data:`RULES` order, each rule's sorted by key."""
    rec = Records(tables, law)
    parts = [
        _sorted(MEASURES[r.id](rec, None)[list(COLUMNS)], KEY)
        for r in RULES
        if all(name in tables for name in r.tables)
    ]
    if not parts:
        return empty()
    return pd.concat(parts, ignore_index=True)


def candidates(rule_id: str, tables: Mapping[str, Frame], law: Mapping[str, Any], margin: float | None = None) -> Frame:
    """The rows near one rule's line (within ``margin`` of it, by default :data:`MARGINS`), breaches and not:
    :data:`CANDIDATE_COLUMNS`, sorted by the key. ``ad_ground`` lists every ad with the grounds its text names;
    ``data_notice`` every event without the notice."""
    r = rule(rule_id)
    _need(r, tables)
    near = MARGINS[r.id] if margin is None else float(margin)
    return _sorted(MEASURES[r.id](Records(tables, law), near), KEY)


# ------------------------------------------------------------------------------------------------ filters
def filter_rows(
    table: Frame,
    staff_id: str | Iterable[str] | None = None,
    month: str | None = None,
    date_from: Any = None,
    date_to: Any = None,
    lang: str | None = None,
) -> Frame:
    """The rows of ``table`` for a person (or several), a month (``YYYY-MM``, by the ``month`` column or the
    ``date``'s) and a date range (inclusive, ISO dates; by ``month`` where the table has no ``date``)."""
    mask = pd.Series(True, index=table.index)

    def column(name: str) -> pd.Series:
        if name not in table.columns:
            raise UsageError(t("t5rule.no_column", lang, column=name, columns=", ".join(map(str, table.columns))))
        return text(table[name])

    if staff_id is not None:
        wanted = [staff_id] if isinstance(staff_id, str) else [str(s) for s in staff_id]
        mask &= column("staff_id").isin(wanted)
    by_date = "date" in table.columns
    if month is not None:
        mask &= (column("date").str[:7] if by_date and "month" not in table.columns else column("month")) == month
    for bound, low in ((date_from, True), (date_to, False)):
        if bound is None:
            continue
        day = bound.isoformat() if hasattr(bound, "isoformat") else str(bound)
        values, edge = (column("date"), day) if by_date else (column("month"), day[:7])
        mask &= values >= edge if low else values <= edge
    return table[mask].reset_index(drop=True)
