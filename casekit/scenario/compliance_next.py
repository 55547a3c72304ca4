"""T5's next month: the world's fourth month of records as the breach register leaves it.

``fixes`` maps a breach's ``(rule, subject)`` (or just its subject, for every rule) to what the register did:
``"none"``, ``"corrected"`` (this instance put right) or ``"prevented"`` (put right and the root cause addressed).
The subject is the person (``staff_id``), the ad (``ad_id``), or for a data event or a complaint the person who
handled it (a complaint's recurrence: a complaint due in the month answered late by them). A
breach with no fix recurs (the same shape, just past the line or well past it as in the window), a corrected-only
one recurs with probability 0.5 (one draw per seeded breach, from the seed alone), a prevented one does not; an ad
with any fix is withdrawn. Everybody else has a compliant background month (overtime kept so that no three-month
sum reaches the cap either). :func:`next_month_truth` names the breaches the month holds: those that recurred, a
monthly overtime that recurred on top of two long months also as a three-month one, and the breaching ads still
live.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_law
from casekit.scenario.compliance_complaints import COMPLAINT_COLUMNS, daily_contacts, next_complaints
from casekit.scenario.compliance_pay import payslips_table
from casekit.scenario.compliance_records import Mark, build_data_events, last_number, seeded_collection
from casekit.scenario.compliance_seed import (
    PAY_RULES,
    PEOPLE_RULES,
    Placed,
    mark_of,
    monthly_caps_hh,
    pay_seeds,
    place,
    seed_rate,
    three_month_total,
    truth_frame,
)
from casekit.scenario.compliance_spec import AD_RULES
from casekit.scenario.compliance_time import (
    BACKGROUND_CAP_HH,
    Sched,
    attendance_table,
    build_schedule,
    window_months,
    with_last_day,
)
from casekit.scenario.rng import stream

__all__ = ["AD_RULES", "FixKind", "handlers", "next_month", "next_month_and_truth", "next_month_truth", "subject_of"]

FixKind = Literal["none", "corrected", "prevented"]
_NEXT_TABLES = ("attendance", "payslips", "data_events", "complaints", "job_ads_status")


def subject_of(
    rule: str, staff_id: str, ad_id: str, event_id: str, handler: Mapping[str, str], complaint_id: str = ""
) -> str:
    """Who or what a breach is about: the ad, the data event's or the complaint's handler, else the person."""
    if rule in AD_RULES:
        return ad_id
    if rule == "complaint_reply":
        return handler.get(complaint_id, "")
    return handler.get(event_id, "") if rule == "data_notice" else staff_id


def handlers(*records: pd.DataFrame) -> dict[str, str]:
    """``id -> staff_id`` of the data events (``event_id``, ``staff_id``) and complaints (``complaint_id``,
    ``handled_by``) in ``records``: their breaches are about their handlers."""
    out: dict[str, str] = {}
    for frame in records:
        key, who = ("event_id", "staff_id") if "event_id" in frame.columns else ("complaint_id", "handled_by")
        out |= dict(zip(frame[key].astype(str), frame[who].astype(str), strict=True))
    return out


def _fix(fixes: Mapping[Any, str], rule: str, subject: str) -> str:
    found = fixes.get((rule, subject), fixes.get(subject, "none"))
    return str(found)


def _next(world: Any, fixes: Mapping[Any, str]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    spec, seed = world.spec, world.seed
    staff = world.tables["staff"]
    month_list = window_months(spec, 4)
    month = month_list[3]
    att = world.tables["attendance"]
    earlier = att[att["date"].str.slice(0, 7).isin(month_list[1:3])]
    ids = np.sort(staff["staff_id"].to_numpy(dtype=object))
    prior = (earlier.groupby("staff_id")["overtime_hours"].sum() * 2).reindex(ids, fill_value=0).to_numpy(dtype=int)
    three_cap = 2 * int(load_law()["overtime"]["three_month_cap_hours"])
    cap = monthly_caps_hh(spec, 4, 1)[0]
    consented = 4 in spec.compliance.consent_months
    limit = np.clip(three_cap - 4 - prior, 0, BACKGROUND_CAP_HH) if consented else np.full(len(ids), BACKGROUND_CAP_HH)
    gone = world.tables.get("separations", pd.DataFrame(columns=["staff_id", "last_day"]))
    s = build_schedule(spec, seed, with_last_day(staff, gone), [month], "t5-next-time", limit)
    breaches = world.truth["compliance_breaches"]
    draws = stream(seed, "t5-next-recur").random(len(breaches))
    rng = stream(seed, "t5-next-seed")
    events_before = world.tables["data_events"]
    complaints_before = world.tables.get("complaints", pd.DataFrame(columns=COMPLAINT_COLUMNS))
    handler = handlers(events_before, complaints_before)
    index = {str(sid): i for i, sid in enumerate(s.staff_ids)}
    status = dict.fromkeys(world.tables["job_ads"]["ad_id"], "live")
    placed: list[Placed] = []
    notices: list[tuple[str, str]] = []
    late: list[tuple[str, str]] = []
    for b, u in zip(breaches.itertuples(index=False), draws, strict=True):
        rule = str(b.rule)
        who = subject_of(rule, str(b.staff_id), str(b.ad_id), str(b.event_id), handler, str(b.complaint_id))
        fix = _fix(fixes, rule, who)
        recurs = fix == "none" or (fix == "corrected" and u < 0.5)
        kind = "boundary" if b.boundary else "beyond"
        if rule in AD_RULES:
            status[who] = "live" if fix == "none" else "withdrawn"
        elif not recurs or who not in index:
            continue
        elif rule == "data_notice":
            notices.append((who, kind))
        elif rule == "complaint_reply":
            if s.employed[index[who]].any():  # a leaver handles no complaint
                late.append((who, kind))
        elif rule in PEOPLE_RULES:
            p = index[who]
            three = None
            if rule == "three_month_overtime":
                total = three_month_total(kind, rng)
                if not (consented and 0 <= total - prior[p] <= cap - 2):
                    continue
                three = [int(total - prior[p])]
            got = place(rule, kind, s, p, rng, 0, [cap], 0, three)
            if got is not None:
                placed.append(got)
    base = staff.set_index("staff_id").loc[s.staff_ids, "base_pay"].to_numpy(dtype=np.int64)
    rates = base[:, None].copy()
    for pl in placed:
        if pl.rule in PAY_RULES:
            pl.rate = seed_rate(pl, s, int(base[pl.p]))
            rates[pl.p, 0] = pl.rate
    attendance, cells = attendance_table(s, last_number(att["row_id"]) + 1)
    slips, where = payslips_table(s, rates)
    marks = []
    for pl, back in zip(placed, pay_seeds(placed, s, slips, where), strict=True):
        mark = mark_of(pl, s, cells, back)
        if pl.rule == "three_month_overtime":
            mark = _three_months(mark.kind, pl.p, s, cells, earlier)
        marks.append(mark)
        total = prior[pl.p] + int(s.ot[pl.p].sum())
        if consented and pl.rule != "three_month_overtime" and total > three_cap:
            # overtime past the monthly cap again, on top of two long months: past the three-month cap as well
            marks.append(_three_months("boundary" if total == three_cap + 1 else "beyond", pl.p, s, cells, earlier))
    first_event = last_number(events_before["event_id"]) + 1
    events = build_data_events(spec, seed, s, staff, "t5-next-data", first_event, frozenset(w for w, _ in notices))
    for who, kind in notices:
        mine = events.index[events["staff_id"] == who]
        if not len(mine):
            continue
        i = mine[int(rng.integers(0, len(mine)))]
        events.loc[i, "collected"], events.loc[i, "notice_given"] = seeded_collection(kind), False
        marks.append(
            Mark("data_notice", kind, event_id=str(events.at[i, "event_id"]), rows=str(events.at[i, "event_id"]))
        )
    contacts = world.tables.get("contacts", pd.DataFrame(columns=["date", "handled"]))
    complaints, complaint_marks = next_complaints(
        complaints_before, spec, seed, s, staff, daily_contacts(contacts), late
    )
    marks += complaint_marks
    ads = pd.DataFrame({"ad_id": list(status), "status": list(status.values())})
    for b in breaches.itertuples(index=False):
        if b.rule in AD_RULES and status[str(b.ad_id)] == "live":
            marks.append(
                Mark(str(b.rule), "boundary" if b.boundary else "beyond", ad_id=str(b.ad_id), rows=str(b.ad_id))
            )
    tables = {
        "attendance": attendance,
        "payslips": slips,
        "data_events": events,
        "complaints": complaints,
        "job_ads_status": ads,
    }
    return tables, truth_frame(marks, False)


def _three_months(kind: str, p: int, s: Sched, cells: np.ndarray, earlier: pd.DataFrame) -> Mark:
    """The three-month breach of person ``p`` in the next month: the two months before from the world's records."""
    staff_id = str(s.staff_ids[p])
    before = earlier[(earlier["staff_id"] == staff_id) & (earlier["overtime_hours"] > 0)]
    rows = [*before["row_id"], *(str(cells[p, d]) for d in np.flatnonzero(s.ot[p] > 0))]
    return Mark("three_month_overtime", kind, staff_id, month=s.months[0], rows=";".join(rows))


def next_month(world: Any, fixes: Mapping[Any, FixKind]) -> dict[str, pd.DataFrame]:
    """The fourth month's ``attendance``, ``payslips``, ``data_events``, ``complaints`` and ``job_ads_status`` of
    ``world`` (a
    :class:`~casekit.scenario.world.World`) under the register's ``fixes``; deterministic from the world's seed."""
    return _next(world, fixes)[0]


def next_month_and_truth(world: Any, fixes: Mapping[Any, FixKind]) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """:func:`next_month` and :func:`next_month_truth` from one simulation of the month."""
    return _next(world, fixes)


def next_month_truth(world: Any, fixes: Mapping[Any, FixKind]) -> pd.DataFrame:
    """The breaches the fourth month holds under ``fixes`` (the truth's columns): those that recurred, and the
    breaching ads still live."""
    return _next(world, fixes)[1]
