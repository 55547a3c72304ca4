"""Pure data shaping between T3's form fields and the mappings the case validates, and the helpers that fill a form
only when the candidate asks (a target prefilled by a rule they choose, a monthly calendar drafted). Nothing here
validates: every mapping goes through a :class:`~casekit.cases.t3_performance.case.T3Case` method, which names every
problem.

A number is a text field (blank = not given; a text that is not a number is passed on as it is, so the model names
the field). A dropdown cannot hold None, so an offer not chosen is "" on the form and None in the document.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from casekit.cases.t3_performance.answer import Agreement, DevPlan
from casekit.scenario.performance import AppraisalCalendar
from casekit.widgets.render import number_text, optional

__all__ = [
    "NO_OFFER",
    "PREFILLS",
    "agreement_data",
    "devplan_data",
    "devplan_fields",
    "draft_reviews",
    "number",
    "number_text",
    "optional",
    "prefill",
    "review_data",
]

#: the offer of a plan without a training offer, on the form
NO_OFFER = ""
#: the rules a target can be prefilled by, in the order offered: the member's own median month, their best month,
#: the median of their team's members of their role, the median of every peer of their role in the world
PREFILLS = ("median", "best", "team_median", "peer_median")


def number(text: str) -> float | str | None:
    """A number field's value: None when blank, the number when it is one, else the text as typed."""
    given = optional(text)
    if given is None:
        return None
    try:
        value = float(given)
    except ValueError:
        return given
    return value if math.isfinite(value) else given


def rounded(value: float) -> float:
    """A prefilled figure as a person would type it: 4 decimals below 10 (shares, scores), else 1."""
    return round(value, 4) if abs(value) < 10 else round(value, 1)


def prefill(
    rule: str, pairs: Iterable[tuple[str, str]], bands: pd.DataFrame, peers: pd.DataFrame, members: pd.DataFrame
) -> dict[tuple[str, str], float]:
    """The target ``rule`` gives each (member, KPI) of ``pairs`` that it has a figure for (no history: left out)."""
    wanted = pd.DataFrame(list(pairs), columns=["staff_id", "kpi"])
    if wanted.empty:
        return {}
    frame = wanted.merge(members[["staff_id", "role", "team"]], on="staff_id", how="left")
    frame = frame.merge(bands[["staff_id", "kpi", "median", "best"]], on=["staff_id", "kpi"], how="left")
    if rule == "team_median":
        own = bands[["staff_id", "kpi", "median"]].merge(members[["staff_id", "role", "team"]], on="staff_id")
        team = own.groupby(["role", "team", "kpi"])["median"].median().rename("value").reset_index()
        frame = frame.merge(team, on=["role", "team", "kpi"], how="left")
    elif rule == "peer_median":
        norm = peers.groupby(["role", "kpi"])["value"].median().rename("value").reset_index()
        frame = frame.merge(norm, on=["role", "kpi"], how="left")
    else:
        frame["value"] = frame["best" if rule == "best" else "median"]
    return {
        (str(s), str(k)): rounded(float(v))
        for s, k, v in zip(frame["staff_id"], frame["kpi"], frame["value"], strict=True)
        if pd.notna(v)
    }


def agreement_data(
    staff_id: str,
    kpi: str,
    proposed: Any,
    agreed: Any,
    date: dt.date | None,
    said: Mapping[str, Any],
    reply: str,
) -> dict[str, Any]:
    """One agreement from its form: the member's side (``said``: their response to the value proposed), the reply,
    the value agreed (the proposal when none is typed) and what changed."""
    agreed = proposed if agreed is None else agreed
    reason = said.get("reason")
    return {
        "staff_id": staff_id,
        "kpi": kpi,
        "proposed": proposed,
        "agreed": agreed,
        "date": date,
        "member_verdict": said.get("verdict", "accept"),
        "member_reason": None if reason is None or (isinstance(reason, float) and math.isnan(reason)) else reason,
        "member_comment": str(said.get("comment", "")),
        "reply": reply.strip(),
        "change": "none" if agreed == proposed else "revised",
    }


def agreement_fields(agreement: Agreement) -> dict[str, str]:
    """The form of a recorded agreement: the proposal, the value agreed and the reply, as the fields show them."""
    return {
        "proposed": number_text(agreement.proposed),
        "agreed": number_text(agreement.agreed),
        "reply": agreement.reply,
    }


def review_data(rows: Iterable[tuple[str, str, dt.date]]) -> list[dict[str, Any]]:
    return [{"staff_id": s, "kind": k, "date": d} for s, k, d in rows]


def _month_day(month: str, day: int) -> dt.date:
    """``day`` of ``month`` ("YYYY-MM"), the month's last day when it is shorter."""
    year, mon = (int(x) for x in month.split("-"))
    nxt = dt.date(year + mon // 12, mon % 12 + 1, 1)
    return min(dt.date(year, mon, 1) + dt.timedelta(days=day - 1), nxt - dt.timedelta(days=1))


def draft_reviews(
    staff_ids: Iterable[str], cal: AppraisalCalendar, day: int, appraisal_after: int
) -> list[tuple[str, str, dt.date]]:
    """A monthly calendar for every member: a one-to-one on ``day`` of each review month, and the appraisal
    ``appraisal_after`` days after the period ends. PIP reviews are the candidate's to place."""
    rows: list[tuple[str, str, dt.date]] = []
    appraisal = cal.period_end + dt.timedelta(days=appraisal_after)
    for staff_id in staff_ids:
        rows += [(str(staff_id), "one_to_one", _month_day(m, day)) for m in cal.period_months]
        rows.append((str(staff_id), "appraisal", appraisal))
    return rows


def devplan_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """A development plan from its row: no offer as None, the target as typed."""
    offer = row.get("offer_id")
    return {
        "staff_id": row["staff_id"],
        "kpi": row["kpi"],
        "action": row["action"],
        "offer_id": None if offer in (NO_OFFER, None) else offer,
        "owner": row["owner"],
        "due": row["due"],
        "measure": row["measure"],
        "target": number(str(row.get("target", ""))),
    }


def devplan_fields(plan: DevPlan) -> dict[str, Any]:
    values = plan.model_dump()
    values["offer_id"] = plan.offer_id or NO_OFFER
    values["target"] = number_text(plan.target)
    return values
