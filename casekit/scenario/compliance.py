"""T5's world: the records of three calendar months at the grain the law uses, with breaches seeded at the spec's
counts and at every rule's line, and (hidden truth) which records are breaches and which are decoys.

Tables (:data:`T5_TABLES`): ``attendance`` and ``leave`` (:mod:`~casekit.scenario.compliance_time`),
``overtime_consent``, ``job_ads``, ``data_events`` and ``reg_training``
(:mod:`~casekit.scenario.compliance_records`), ``payslips`` (:mod:`~casekit.scenario.compliance_pay`),
``separations`` (the window's leavers, whose last month is a partial one; :func:`window_leavers`), ``complaints``
(the consumers' complaints and their handling, :mod:`~casekit.scenario.compliance_complaints`). Truth:
``compliance_breaches`` and ``compliance_decoys`` (:data:`TRUTH_COLUMNS`), built by the seeding itself
(:mod:`~casekit.scenario.compliance_seed`), never by running the rule library: the test that the library finds
exactly this truth is the cross-check between two implementations.

Each seeded person carries one seed. People are taken in a seeded order, every rule's breaches just past its line
first, then its decoys, then the breaches well past it, so a small organisation still has one of each where its
staff allow. The next month is :func:`next_month` (:mod:`~casekit.scenario.compliance_next`).

Every draw comes from a ``t5-...`` rng stream, so every other table of the world stays byte-identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.scenario.compliance_complaints import build_complaints, daily_contacts, seed_complaints
from casekit.scenario.compliance_next import (
    FixKind,
    handlers,
    next_month,
    next_month_and_truth,
    next_month_truth,
    subject_of,
)
from casekit.scenario.compliance_pay import payslips_table
from casekit.scenario.compliance_records import (
    build_data_events,
    build_job_ads,
    build_reg_training,
    consent_table,
    seed_data_events,
)
from casekit.scenario.compliance_seed import (
    FULL_TIME,
    HOURLY,
    PAY_RULES,
    PEOPLE_RULES,
    TRUTH_COLUMNS,
    Placed,
    mark_of,
    monthly_caps_hh,
    pay_seeds,
    place,
    seed_rate,
    three_month_split,
    three_month_total,
    truth_frame,
)
from casekit.scenario.compliance_spec import Seeded, seed_counts
from casekit.scenario.compliance_time import (
    Sched,
    attendance_table,
    build_schedule,
    leave_table,
    window_leavers,
    window_months,
    with_last_day,
)
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = [
    "T5_TABLES",
    "TRUTH_COLUMNS",
    "ComplianceWorld",
    "FixKind",
    "build_compliance",
    "handlers",
    "monthly_caps_hh",
    "next_month",
    "next_month_and_truth",
    "next_month_truth",
    "subject_of",
    "truth_frame",
]

T5_TABLES = (
    "attendance",
    "leave",
    "overtime_consent",
    "payslips",
    "job_ads",
    "data_events",
    "reg_training",
    "separations",
    "complaints",
)


@dataclass(frozen=True)
class ComplianceWorld:
    """T5's tables and its truth."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame]


def _plan(counts: Mapping[str, Seeded]) -> list[tuple[str, str, int]]:
    """``(rule, kind, i)`` for every people seed: all boundary breaches, then the decoys, then the breaches beyond."""
    return [(rule, kind, i) for kind in ("boundary", "decoy", "beyond") for rule in PEOPLE_RULES
            for i in range(getattr(counts[rule], "decoys" if kind == "decoy" else kind))]  # fmt: skip


def _seed_people(spec: OrgSpec, s: Sched, rng: np.random.Generator, counts: Mapping[str, Seeded]) -> list[Placed]:
    caps = monthly_caps_hh(spec, 1, len(s.months))
    order = rng.permutation(len(s.staff_ids))
    whole = s.employed[order, 0] & s.employed[order, -1]  # employed from the window's first day to its last
    leaver = s.employed[order, 0] & ~s.employed[order, -1]
    last_month = s.month[len(s.dates) - 1 - np.argmax(s.employed[order, ::-1], axis=1)]
    part = s.part[order]
    free = np.ones(len(order), dtype=bool)
    placed: list[Placed] = []
    for rule, kind, i in _plan(counts):
        if rule == "minimum_wage_monthly" and kind != "beyond" and i == 0 and (free & leaver & ~part).any():
            # the first decoy and boundary on a leaver's last, partial month: the floor is prorated by the days
            # employed, so the decoy is under the whole month's minimum wage and still no breach
            j = int(np.flatnonzero(free & leaver & ~part)[0])
            got = place(rule, kind, s, int(order[j]), rng, i, caps, int(last_month[j]))
            if got is not None:
                free[j] = False
                placed.append(got)
                continue
        three = None
        if rule == "three_month_overtime":
            three = three_month_split(three_month_total(kind, rng), [c - 2 for c in caps])
            if three is None:
                continue
        month = i % len(s.months) if rule == "monthly_overtime" else None
        ok = free & whole & (~part if rule in FULL_TIME else True) & (part if rule in HOURLY else True)
        for j in np.flatnonzero(ok)[:10]:
            free[j] = False
            got = place(rule, kind, s, int(order[j]), rng, i, caps, month, three)
            if got is not None:
                placed.append(got)
                break
    return placed


def build_compliance(spec: OrgSpec, seed: int, staff: pd.DataFrame, contacts: pd.DataFrame) -> ComplianceWorld:
    """T5's tables (:data:`T5_TABLES`) and two truth tables for ``staff`` (the world's staff table); ``contacts``
    (the world's) sets the complaints' volume."""
    window = window_months(spec)
    separations = window_leavers(spec, seed, staff, window)
    s = build_schedule(spec, seed, with_last_day(staff, separations), window, "t5-time")
    daily = daily_contacts(contacts)
    counts = seed_counts(spec, len(staff), daily * len(s.dates), len(window))
    placed = _seed_people(spec, s, stream(seed, "t5-seed"), counts)
    base = staff.set_index("staff_id").loc[s.staff_ids, "base_pay"].to_numpy(dtype=np.int64)
    rates = np.repeat(base[:, None], len(window), axis=1)
    for pl in placed:
        if pl.rule in PAY_RULES:
            pl.rate = seed_rate(pl, s, int(base[pl.p]))
            rates[pl.p, pl.m] = pl.rate
    attendance, cells = attendance_table(s)
    slips, where = payslips_table(s, rates)
    backs = pay_seeds(placed, s, slips, where)
    marks = [mark_of(pl, s, cells, back) for pl, back in zip(placed, backs, strict=True)]
    ads, ad_marks = build_job_ads(spec, seed, window, counts)
    events = build_data_events(spec, seed, s, staff, "t5-data")
    marks += ad_marks + seed_data_events(events, seed, counts["data_notice"])
    complaints = build_complaints(spec, seed, s, staff, daily, "t5-complaints")
    marks += seed_complaints(complaints, seed, s, counts["complaint_reply"])
    start = pd.Timestamp(f"{window[0]}-01").date()
    tables = {
        "attendance": attendance,
        "leave": leave_table(s),
        "overtime_consent": consent_table(spec, window_months(spec, 4)),
        "payslips": slips,
        "job_ads": ads,
        "data_events": events,
        "reg_training": build_reg_training(spec, seed, staff, start),
        "separations": separations,
        "complaints": complaints,
    }
    truth = {"compliance_breaches": truth_frame(marks, False), "compliance_decoys": truth_frame(marks, True)}
    return ComplianceWorld(tables, truth)
