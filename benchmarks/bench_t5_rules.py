"""Time each T5 rule of the rule library (``casekit.cases.t5_compliance.rules.detect``, as a candidate's tool calls
it) against a plain row-by-row Python loop doing the same detection, on telecom-support's records (420 staff x 3
months), against the 50 ms budget. Each as median and maximum of ``--repeat`` calls; the two must find the same
breaches with the same back pay (checked once per rule before timing).

The records are the world's (``casekit.scenario.world_for``) once its tables include ``attendance``; until then
a synthetic set of the same size (every person's weekdays of three months with some overtime, weekend work,
short breaks and pay errors, 60 job ads, 6,000 data events, 1,200 complaints). The plain loop, :func:`reference`,
is also the test suite's second implementation (tests/test_t5_rules.py loads this file).

    python benchmarks/bench_t5_rules.py [--org telecom-support] [--seed 7] [--repeat 20] [--synthetic]
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from casekit.cases.t5_compliance import pay
from casekit.cases.t5_compliance.records import ground_flags
from casekit.cases.t5_compliance.rules import RULES, detect

BUDGET_MS = 50.0
Found = dict[tuple[str, ...], int]  # key -> back pay


# ------------------------------------------------------------------------------------------------ the plain loop
def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict("records")


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "yes")


def _minutes(hours: Any) -> int:
    return round(float(hours) * 60)


def _clock(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


def _key(
    rule: str, staff: str = "", date: str = "", month: str = "", ad: str = "", event: str = "", complaint: str = ""
) -> tuple:
    return (rule, staff, date, month, ad, event, complaint)


def _month_index(month: str) -> int:
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def reference(rule_id: str, tables: Mapping[str, pd.DataFrame], law: Mapping[str, Any]) -> Found:
    """The breaches of ``rule_id``, one row at a time in plain Python (the scalar, Fraction-based pay helpers)."""
    fig = lambda path: pay.figure(law, path)  # noqa: E731
    out: Found = {}
    if rule_id in ("daily_hours", "break", "rest_days", "monthly_overtime", "three_month_overtime"):
        rows = _records(tables["attendance"])
    if rule_id == "daily_hours":
        for r in rows:
            if _minutes(r["normal_hours"]) + _minutes(r["overtime_hours"]) > round(
                fig("overtime.daily_max_total_hours") * 60
            ):
                out[_key(rule_id, r["staff_id"], r["date"])] = 0
    elif rule_id == "break":
        after, need = round(fig("breaks.after_hours") * 60), fig("breaks.minutes")
        for r in rows:
            if _clock(r["end"]) - _clock(r["start"]) > after and int(r["break_minutes"]) < need:
                out[_key(rule_id, r["staff_id"], r["date"])] = 0
    elif rule_id == "rest_days":
        days: dict[str, set[dt.date]] = defaultdict(set)
        for r in rows:
            days[r["staff_id"]].add(dt.date.fromisoformat(r["date"]))
        for staff, worked in days.items():
            ordered = sorted(worked)
            start = 0
            for i in range(1, len(ordered) + 1):
                if i == len(ordered) or ordered[i] - ordered[i - 1] != dt.timedelta(days=1):
                    if i - start > fig("rest_days.max_consecutive_days"):
                        out[_key(rule_id, staff, ordered[start].isoformat())] = 0
                    start = i
    elif rule_id in ("monthly_overtime", "three_month_overtime"):
        consented = {str(c["month"]) for c in _records(tables["overtime_consent"]) if _true(c["consented"])}
        total: dict[tuple[str, int], int] = defaultdict(int)
        months = set()
        for r in rows:
            month = _month_index(r["date"])
            months.add(month)
            total[r["staff_id"], month] += _minutes(r["overtime_hours"])
        if rule_id == "monthly_overtime":
            for (staff, month), minutes in total.items():
                name = f"{month // 12:04d}-{month % 12 + 1:02d}"
                cap = fig("overtime.monthly_cap_hours_agreed" if name in consented else "overtime.monthly_cap_hours")
                if minutes > round(cap * 60):
                    out[_key(rule_id, staff, month=name)] = 0
        else:
            for name in consented:
                third = _month_index(name)
                if not {third, third - 1, third - 2} <= months:
                    continue
                for staff in {s for s, _ in total}:
                    minutes = sum(total.get((staff, m), 0) for m in (third - 2, third - 1, third))
                    if minutes > round(fig("overtime.three_month_cap_hours") * 60):
                        out[_key(rule_id, staff, month=name)] = 0
    elif rule_id == "overtime_pay":
        by_month: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
        for r in _records(tables["attendance"]):
            by_month[r["staff_id"], r["date"][:7]].append((r["day_type"], r["overtime_hours"]))
        for s in _records(tables["payslips"]):
            rate = pay.hourly_rate(s["pay_basis"], s["rate"], law)
            owed = pay.overtime_amount(by_month.get((s["staff_id"], s["month"]), []), s["pay_basis"], rate, law)
            if owed - int(s["overtime_paid"]) > fig("overtime_pay.tolerance"):
                out[_key(rule_id, s["staff_id"], month=s["month"])] = owed - int(s["overtime_paid"])
    elif rule_id == "minimum_wage_monthly":
        for s in _records(tables["payslips"]):
            if s["pay_basis"] == "monthly":
                floor = pay.minimum_wage_floor(s["month"], s["days_employed"], s["unpaid_leave_days"], law)
                if int(s["base_paid"]) < floor:
                    out[_key(rule_id, s["staff_id"], month=s["month"])] = floor - int(s["base_paid"])
    elif rule_id == "minimum_wage_hourly":
        for s in _records(tables["payslips"]):
            wage = pay.hourly_minimum_wage(s["month"], law)
            if s["pay_basis"] == "hourly" and s["rate"] < wage:
                owed = (wage - pay.exact(s["rate"])) * pay.exact(s["normal_hours"])
                out[_key(rule_id, s["staff_id"], month=s["month"])] = pay.round_half_up(owed)
    elif rule_id == "ad_ground":
        for a in _records(tables["job_ads"]):
            if ground_flags(str(a["text_zh_tw"])):
                out[_key(rule_id, ad=a["ad_id"])] = 0
    elif rule_id == "ad_pay_range":
        for a in _records(tables["job_ads"]):
            if a["pay_shown"] == "negotiable" and float(a["offered_pay"]) < fig("job_ad_pay_disclosure_threshold"):
                out[_key(rule_id, ad=a["ad_id"])] = 0
    elif rule_id == "data_notice":
        for e in _records(tables["data_events"]):
            if str(e["collected"] or "").strip() and not _true(e["notice_given"]):
                out[_key(rule_id, event=e["event_id"])] = 0
    elif rule_id == "complaint_reply":
        rows = _records(tables["complaints"])
        off = {str(d) for days in (law.get("holidays") or {}).values() for d in days}
        latest = max((str(c["received"]) for c in rows), default="")
        if latest:
            nxt = dt.date(int(latest[:4]) + int(latest[5:7]) // 12, int(latest[5:7]) % 12 + 1, 1)
            end = nxt - dt.timedelta(days=1)
        for c in rows:
            last = dt.date.fromisoformat(str(c["received"])) + dt.timedelta(
                days=int(law["complaint_reply_days"][c["regime"]])
            )
            while last.weekday() >= 5 or last.isoformat() in off:
                last += dt.timedelta(days=1)
            replied = str(c["replied"] or "")
            if (dt.date.fromisoformat(replied) if replied else end) > last:
                out[_key(rule_id, complaint=c["complaint_id"])] = 0
    return out


def library(rule_id: str, tables: Mapping[str, pd.DataFrame], law: Mapping[str, Any]) -> Found:
    """The rule library's breaches in :func:`reference`'s form."""
    found = detect(rule_id, tables, law)
    cols = ["rule", "staff_id", "date", "month", "ad_id", "event_id", "complaint_id"]
    return {tuple(map(str, k)): int(b) for *k, b in found[[*cols, "back_pay"]].itertuples(index=False)}


# ------------------------------------------------------------------------------------------------ records
def synthetic(staff: int = 420, first: str = "2026-02-01", seed: int = 7) -> dict[str, pd.DataFrame]:
    """Three months of records for ``staff`` people, with a sprinkling of breaches of every rule."""
    rng = np.random.default_rng(seed)
    start = dt.date.fromisoformat(first)
    days = [start + dt.timedelta(days=i) for i in range(89)]
    att, slips, ot_total = [], [], defaultdict(float)
    for p in range(staff):
        sid = f"S{p:04d}"
        for d in days:
            weekend = d.weekday() >= 5
            if weekend and rng.random() > 0.08:
                continue
            ot = float(rng.choice([0, 0, 0, 0.5, 1, 2, 3, 4.5]))
            brk = int(rng.choice([60, 60, 60, 30, 29]))
            kind = "rest_day" if d.weekday() == 5 else "regular_leave" if d.weekday() == 6 else "workday"
            normal = 0.0 if weekend else 8.0
            work = normal + ot if not weekend else 4.0 + ot
            begin = 9 * 60
            att.append((sid, d.isoformat(), kind, begin, begin + round(work * 60) + brk, brk, normal, work - normal))
            ot_total[sid, d.isoformat()[:7]] += work - normal
        for month in sorted({d.isoformat()[:7] for d in days}):
            hourly = p % 10 == 0
            rate = int(rng.choice([195, 196, 200])) if hourly else int(rng.choice([29499, 30000, 34000]))
            slips.append((sid, month, "hourly" if hourly else "monthly", rate, ot_total[sid, month]))
    frame = pd.DataFrame(att, columns=["staff_id", "date", "day_type", "s", "e", "break_minutes", "n", "o"])
    attendance = pd.DataFrame(
        {
            "row_id": [f"A{i:06d}" for i in range(1, len(frame) + 1)],
            "staff_id": frame["staff_id"],
            "date": frame["date"],
            "day_type": frame["day_type"],
            "start": [f"{m // 60:02d}:{m % 60:02d}" for m in frame["s"]],
            "end": [f"{m // 60:02d}:{m % 60:02d}" for m in frame["e"]],
            "break_minutes": frame["break_minutes"],
            "normal_hours": frame["n"],
            "overtime_hours": frame["o"],
        }
    )
    s = pd.DataFrame(slips, columns=["staff_id", "month", "pay_basis", "rate", "overtime_hours"])
    s["days_employed"] = [pd.Period(m).days_in_month for m in s["month"]]
    s["unpaid_leave_days"] = rng.choice([0, 0, 0, 1], len(s))
    s["normal_hours"] = 168.0
    s["base_paid"] = np.where(s["pay_basis"] == "hourly", s["rate"] * 168, s["rate"] - s["unpaid_leave_days"] * 983)
    s["overtime_paid"] = np.round(
        s["overtime_hours"] * s["rate"].where(s["pay_basis"] == "hourly", s["rate"] / 240) * 1.4
    )
    s["gross_paid"] = s["base_paid"] + s["overtime_paid"]
    months = sorted(s["month"].unique())
    consent = pd.DataFrame({"month": months, "consented": [i % 2 == 1 for i in range(len(months))]})
    texts = ["客服專員，月薪 32000–35000 元，需具良好溝通能力", "客服專員，限女性，25 歲以下，月薪 32000–35000 元"]
    ads = pd.DataFrame(
        {
            "ad_id": [f"AD{i:03d}" for i in range(1, 61)],
            "text_zh_tw": [texts[i % 7 == 0] for i in range(60)],
            "pay_shown": rng.choice(["range", "negotiable", "fixed"], 60),
            "offered_pay": rng.choice([36000, 39999, 40000, 45000], 60),
        }
    )
    events = pd.DataFrame(
        {
            "event_id": [f"D{i:05d}" for i in range(1, 6001)],
            "staff_id": rng.choice([f"S{p:04d}" for p in range(staff)], 6000),
            "collected": rng.choice(["", "name;phone", "id_number", "card_number;name"], 6000),
            "notice_given": rng.random(6000) > 0.05,
        }
    )
    received = pd.Timestamp(first) + pd.to_timedelta(rng.integers(0, 89, 1200), unit="D")
    late = rng.integers(1, 20, 1200)
    complaints = pd.DataFrame(
        {
            "complaint_id": [f"K{i:05d}" for i in range(1, 1201)],
            "received": received.strftime("%Y-%m-%d"),
            "channel": "voice",
            "category": "billing",
            "regime": "consumer_protection",
            "handled_by": rng.choice([f"S{p:04d}" for p in range(staff)], 1200),
            "replied": np.where(late < 18, (received + pd.to_timedelta(late, unit="D")).strftime("%Y-%m-%d"), ""),
        }
    )
    complaints["status"] = np.where(complaints["replied"] == "", "open", "replied")
    return {
        "attendance": attendance,
        "overtime_consent": consent,
        "payslips": s,
        "job_ads": ads,
        "data_events": events,
        "complaints": complaints,
    }


def records(org: str, seed: int, force_synthetic: bool) -> tuple[str, dict[str, pd.DataFrame]]:
    from casekit.scenario.world import TABLES, world_for

    if force_synthetic or "attendance" not in TABLES:
        return "synthetic, 420 staff x 3 months", synthetic()
    world = world_for(org, seed)
    return f"{org} seed {seed}", dict(world.tables)


def _ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    from timing import ms

    return ms(fn, repeat)


def main() -> int:
    from casekit.cases.t1_recruitment.fairness import initialise
    from casekit.scenario.catalogs import load_law

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--org", default="telecom-support")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--synthetic", action="store_true", help="synthetic records even when the world has them")
    args = ap.parse_args()
    law = load_law()
    initialise()  # the lexicon's matcher is built once per process (about a second), not per call
    label, tables = records(args.org, args.seed, args.synthetic)
    names = ("attendance", "payslips", "job_ads", "data_events", "complaints")
    rows = ", ".join(f"{name} {len(tables[name]):,}" for name in names)
    print(f"T5 rules on {label} ({rows}); budget {BUDGET_MS:.0f} ms a rule")
    print(f"{'rule':<22}{'found':>7}{'library ms (med/max)':>24}{'plain loop ms (med/max)':>27}{'speed-up':>10}")
    worst = 0.0
    for r in RULES:
        ours, plain = library(r.id, tables, law), reference(r.id, tables, law)
        if ours != plain:
            print(
                f"{r.id}: the library and the plain loop differ: {sorted(set(ours.items()) ^ set(plain.items()))[:5]}"
            )
            return 1
        lib = _ms(lambda rid=r.id: detect(rid, tables, law), args.repeat)
        ref = _ms(lambda rid=r.id: reference(rid, tables, law), max(3, args.repeat // 4))
        worst = max(worst, lib[0])
        times = f"{lib[0]:>14.1f} /{lib[1]:>7.1f}{ref[0]:>17.1f} /{ref[1]:>7.1f}"
        print(f"{r.id:<22}{len(ours):>7}{times}{ref[0] / lib[0]:>9.1f}x")
    verdict = "within" if worst < BUDGET_MS else "OVER"
    print(f"slowest rule {worst:.1f} ms (median): {verdict} the {BUDGET_MS:.0f} ms budget")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
