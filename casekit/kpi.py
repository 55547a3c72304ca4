"""Contact-centre KPIs (note N5) from the daily contact records, per person, team, month or any grouping.

Formulas (see ``../shared/domain/FACTS.md``); every KPI is a ratio of sums over the group, never a mean of
daily ratios, so a day with few contacts weighs what it should:

- ``aht_s``         average handling time = (talk + hold + after-call work) / handled contacts
- ``adherence``     schedule adherence = time in the scheduled state / scheduled time
- ``availability``  ready (available) time / logged-in time
- ``occupancy``     handle time / available time
- ``fcr``           first-contact resolution = contacts resolved without a repeat / handled contacts
- ``csat``          top-2-box share = satisfied survey answers / survey answers
- ``qa``            mean QA form score (0-100) over evaluated contacts; an auto-failed form counts as 0
- ``conversion``    sales / sales-eligible contacts
- ``contacts_per_hour`` handled contacts / logged-in hours
- ``handled`` and ``sales`` are counts for the group

The figures people read are formatted here too, the same way wherever they are shown: KPI values
(:func:`format_kpi`), money (:func:`format_money`, NT$1,234 in English and 1,234 元 in zh-TW), shares
(:func:`format_share`) and counts (:func:`format_count`); none of them ever shows ``-0``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import pandas as pd

from casekit.i18n import t

__all__ = [
    "COUNT_KPIS",
    "KPI_COLUMNS",
    "RATE_KPIS",
    "format_count",
    "format_kpi",
    "format_money",
    "format_number",
    "format_share",
    "kpi_scale",
    "kpis",
]

KPI_COLUMNS = (
    "handled",
    "sales",
    "aht_s",
    "adherence",
    "availability",
    "occupancy",
    "fcr",
    "csat",
    "qa",
    "conversion",
    "contacts_per_hour",
)

#: KPIs that are shares (0-1), shown as percentages, and KPIs that are counts, shown whole.
RATE_KPIS = ("adherence", "availability", "occupancy", "fcr", "csat", "conversion")
COUNT_KPIS = ("handled", "sales")

_SUMS = (
    "scheduled_s",
    "logged_in_s",
    "adherent_s",
    "available_s",
    "handled",
    "talk_s",
    "hold_s",
    "acw_s",
    "fcr_resolved",
    "csat_surveys",
    "csat_satisfied",
    "sales_eligible",
    "sales",
)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def kpis(contacts: pd.DataFrame, by: Sequence[str] | str = "staff_id") -> pd.DataFrame:
    """KPIs of ``contacts`` grouped by the column(s) ``by`` (e.g. ``"staff_id"``, ``["team", "month"]``).

    Columns that ``by`` names but the contacts lack (``team``, ``month``) must be added by the caller; ``month``
    can be derived with ``contacts["date"].str.slice(0, 7)``.
    """
    keys = [by] if isinstance(by, str) else list(by)
    frame = contacts.assign(qa_points=contacts["qa_score"].fillna(0) * contacts["qa_evals"])
    sums = frame.groupby(keys, sort=True)[[*_SUMS, "qa_points", "qa_evals"]].sum()
    handle = sums["talk_s"] + sums["hold_s"] + sums["acw_s"]
    out = pd.DataFrame(index=sums.index)
    out["handled"] = sums["handled"]
    out["sales"] = sums["sales"]
    out["aht_s"] = _ratio(handle, sums["handled"])
    out["adherence"] = _ratio(sums["adherent_s"], sums["scheduled_s"])
    out["availability"] = _ratio(sums["available_s"], sums["logged_in_s"])
    out["occupancy"] = _ratio(handle, sums["available_s"])
    out["fcr"] = _ratio(sums["fcr_resolved"], sums["handled"])
    out["csat"] = _ratio(sums["csat_satisfied"], sums["csat_surveys"])
    out["qa"] = _ratio(sums["qa_points"], sums["qa_evals"])
    out["conversion"] = _ratio(sums["sales"], sums["sales_eligible"])
    out["contacts_per_hour"] = _ratio(sums["handled"], sums["logged_in_s"] / 3600)
    return out.replace([np.inf, -np.inf], np.nan)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or value != value  # None, NA or NaN


_SIGNED_NUMBER = re.compile(r"[+-]([\d.,]*)")


def _unsigned_zero(text: str) -> str:
    """``text``, a formatted number, without its sign when every digit shown is 0: ``-0.0%`` is ``0.0%``."""
    m = _SIGNED_NUMBER.match(text)
    if m and not re.search(r"[1-9]", m.group(1)):
        return text[1:]
    return text


def format_kpi(kpi: str, value: Any) -> str:
    """A KPI value as people read it: shares in %, AHT in seconds, QA in points, counts whole; ``-`` if missing.

    The one formatter for KPI values, in the widgets, the evidence, review texts and the command line alike.
    """
    if _missing(value):
        return "-"
    v = float(value)
    if kpi in RATE_KPIS:
        return format_share(v)
    if kpi in COUNT_KPIS:
        return format_count(v)
    if kpi == "aht_s":
        return _unsigned_zero(f"{v:.0f} s")
    return _unsigned_zero(f"{v:.1f}" if kpi == "qa" else f"{v:,.2f}")


def format_share(value: Any, digits: int = 1, *, signed: bool = False) -> str:
    """A share (0.123) as a percentage (12.3%), with its sign when ``signed`` (none for zero); ``-`` if missing."""
    if _missing(value):
        return "-"
    v = float(value)
    return _unsigned_zero(f"{v:+.{digits}%}" if signed else f"{v:.{digits}%}")


def format_count(value: Any) -> str:
    """A count, whole, with thousands separators (``3.0`` is ``3``); ``-`` if missing."""
    if _missing(value):
        return "-"
    return _unsigned_zero(f"{float(value):,.0f}")


def format_number(value: Any, digits: int = 2, *, signed: bool = False) -> str:
    """A plain number with thousands separators and ``digits`` decimals, with its sign when ``signed`` (none for
    zero); ``-`` if missing."""
    if _missing(value):
        return "-"
    v = float(value)
    return _unsigned_zero(f"{v:+,.{digits}f}" if signed else f"{v:,.{digits}f}")


def format_money(amount: Any, lang: str | None = None, *, cents: bool = False) -> str:
    """An amount of money as people read it: ``NT$1,234`` in English, ``1,234 元`` in zh-TW; ``-`` if missing.

    The one formatter for money on every page. Whole NT$, rounded half up, unless ``cents`` (for a figure that
    needs them, such as a difference of less than NT$1); a negative amount has its sign in front
    (``-NT$1,234``); an amount that rounds to zero is ``0``, never ``-0``; an infinite one is ``-`` too.
    """
    if _missing(amount) or not math.isfinite(float(amount)):
        return "-"
    step = Decimal("0.01") if cents else Decimal(1)
    rounded = Decimal(repr(float(amount))).quantize(step, rounding=ROUND_HALF_UP)
    if rounded == 0:
        return t("kpi.fmt_money", lang, amount="0")
    text = t("kpi.fmt_money", lang, amount=f"{abs(rounded):,.{2 if cents else 0}f}")
    return f"-{text}" if rounded < 0 else text


def kpi_scale(kpi: str) -> tuple[float, str]:
    """Factor and unit that put a KPI on a chart's axis as people read it."""
    if kpi in RATE_KPIS:
        return 100.0, "%"
    return (1.0, " s") if kpi == "aht_s" else (1.0, "")
