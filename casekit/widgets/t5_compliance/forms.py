"""T5's forms as data: what the inputs hold turned into what the case takes (a figure typed, the session dates of
a start, a step and a count, a register edit), and back. Pure functions, so tests call them; no rule of the law
here: the case and its rule library judge what is typed."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from casekit.cases.t5_compliance.answer import Finding
from casekit.errors import AnswerError, Problem
from casekit.widgets.render import number_text

__all__ = [
    "KEEP",
    "figure_text",
    "figures",
    "finding_label",
    "number",
    "number_text",
    "session_dates",
    "update_fields",
]

#: the value of an edit's choice that leaves each selected finding's field as it is
KEEP = "__keep__"


def number(text: str) -> float | str | None:
    """A number typed (a fraction such as ``4/3`` too): None when blank, the float when it parses (and is finite),
    else the text itself."""
    stripped = text.strip().replace(",", "")
    if not stripped:
        return None
    try:
        value = float(Fraction(stripped)) if "/" in stripped else float(stripped)
    except (ValueError, ZeroDivisionError):
        return text.strip()
    return value if math.isfinite(value) else text.strip()


def figure_text(value: float | None) -> str:
    """A figure as its field shows it: a number, or a fraction of a small denominator (``4/3``) when it has no short
    decimal (typed back, it gives the same figure)."""
    if value is None:
        return ""
    text = number_text(value)
    simple = Fraction(value).limit_denominator(12)
    if len(text.partition(".")[2]) > 4 and float(simple) == value:
        return f"{simple.numerator}/{simple.denominator}"
    return text


def figures(typed: Mapping[str, str], source: str) -> dict[str, float]:
    """The law's figures typed (blank ones left out); AnswerError naming every one that is not a number."""
    out: dict[str, float] = {}
    problems = []
    for name, text in typed.items():
        value = number(text)
        if isinstance(value, str):
            problems.append(Problem(source, f"thresholds.{name}", "expect.number", repr(value), {}))
        elif value is not None:
            out[name] = value
    if problems:
        raise AnswerError(problems)
    return out


def session_dates(start: dt.date | None, every_days: int, count: int) -> list[dt.date]:
    """``count`` session dates from ``start``, ``every_days`` apart (none without a start)."""
    if start is None or count <= 0:
        return []
    step = max(int(every_days), 1)
    return [start + dt.timedelta(days=step * i) for i in range(int(count))]


def update_fields(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The register fields an edit sets: every field not left as :data:`KEEP` (a blank text or date, a blank back
    pay); the back pay typed as a whole number of NT$. AnswerError when it is not one."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is KEEP or value == KEEP or value is None:
            continue
        if name == "back_pay":
            typed = number(str(value))
            if typed is None:
                continue
            if isinstance(typed, str) or not float(typed).is_integer() or typed < 0:
                raise AnswerError([Problem(source, "back_pay", "expect.int", repr(str(value).strip()), {})])
            out[name] = int(typed)
        elif isinstance(value, str):
            if value.strip():
                out[name] = value.strip()
        else:
            out[name] = value
    return out


def finding_label(f: Finding, rule_title: str) -> str:
    """One finding in a list: the rule, its subject and its day or month."""
    subject = f.about
    when = f.date.isoformat() if f.date is not None else f.month
    return " · ".join(part for part in (rule_title, subject, when) if part)
