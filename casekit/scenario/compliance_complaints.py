"""T5's consumer complaints: every complaint received in the records' months, who handled it and when it was answered,
with the complaint-reply breaches and decoys seeded at the line.

- **Volume**: Poisson per day at ``regulatory.complaints_per_10k_contacts`` of the centre's mean handled contacts a
  day (the world's ``contacts``), fewer on a Saturday, Sunday or holiday (half).
- **Regime** (``regime``): ``financial_consumer`` where the organisation sells consumer credit (金融消費者保護法
  §13 II, 30 days), else ``consumer_protection`` (消費者保護法 §43 II, 15 days); the days are law.yaml's
  ``complaint_reply_days``. The last day is the day received plus those days (民法 §120 II: the first day is not
  counted), moved to the next workday when it falls on a Saturday, Sunday or holiday (民法 §122).
- **Handling**: a senior agent at work on the day (a team leader, then an agent, where none is), the reply on a
  workday 1 to (days - 3) days after (about a week on average for 30 days, five for 15); one whose reply would
  fall after the records end is still ``open`` (no reply date) and within its time. The background is compliant
  with margin: §122 never decides a case.
- **Seeded** (distinct handlers while there are any): the reply on the last day exactly (decoy), on the day after
  it (boundary), 3-10 days late or never answered with the last day a week or more before the records end
  (beyond). A seeded complaint's last day is itself a workday.

The next month (:func:`next_complaints`) holds the window's open complaints, now answered, and the month's own;
an unfixed breach recurs as one late reply by the same handler.

The rule library's ``complaint_reply`` finds exactly the seeded breaches (the cross-check test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_law
from casekit.scenario.compliance_records import Mark, last_number
from casekit.scenario.compliance_spec import Seeded
from casekit.scenario.compliance_time import WORKDAY, Sched
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = [
    "COMPLAINT_CATEGORIES",
    "COMPLAINT_COLUMNS",
    "build_complaints",
    "daily_contacts",
    "next_complaints",
    "regime_of",
    "reply_days",
    "seed_complaints",
]

COMPLAINT_CATEGORIES = ("billing", "service_quality", "product", "staff_conduct", "delay")
COMPLAINT_COLUMNS = ["complaint_id", "received", "channel", "category", "regime", "handled_by", "replied", "status"]
_HANDLERS = ("senior_agent", "team_leader", "agent")


def daily_contacts(contacts: pd.DataFrame) -> float:
    """The centre's mean handled contacts a day (the world's ``contacts``)."""
    return float(contacts.groupby("date")["handled"].sum().mean()) if len(contacts) else 0.0


def regime_of(spec: OrgSpec) -> str:
    """The complaint rules this organisation's consumers have: ``financial_consumer`` (a bank's card holders) or
    ``consumer_protection``; "" where it sells to no consumer."""
    exposure = set(spec.regulatory.exposure)
    if "consumer_credit" in exposure:
        return "financial_consumer"
    return "consumer_protection" if "consumer_protection" in exposure else ""


def reply_days(regime: str) -> int:
    """law.yaml's days to answer a complaint of ``regime``."""
    return int(load_law()["complaint_reply_days"][regime])


def _iso(day: dt.date) -> str:
    return day.isoformat()


def build_complaints(
    spec: OrgSpec, seed: int, s: Sched, staff: pd.DataFrame, daily_contacts: float, name: str, first_id: int = 1
) -> pd.DataFrame:
    """``complaints`` received on the days of ``s`` from rng stream ``name``, ids from ``first_id``, every one
    answered in time (or still open, within it, when the records end): the background, before any seeding."""
    regime = regime_of(spec)
    if not regime or not len(s.dates):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COMPLAINT_COLUMNS})
    rng = stream(seed, name)
    days = reply_days(regime)
    dates = [dt.date.fromisoformat(str(d)) for d in s.dates]
    per_day = spec.regulatory.complaints_per_10k_contacts * daily_contacts / 10_000
    counts = rng.poisson(np.where(s.kind == WORKDAY, per_day, per_day / 2))
    role = staff.set_index("staff_id").loc[s.staff_ids, "role"].to_numpy(dtype=object)
    rows = []
    for d in np.repeat(np.arange(len(dates)), counts):
        handler = _handler(s, role, int(d), rng)
        k = int(min(1 + rng.geometric(min(0.25, 4 / days)), days - 3))  # a few days; longer with more time
        if handler >= 0:
            rows.append((dates[d], handler, _workday_within(dates[d], k, days - 1, s)))
    channels = list(spec.channels)
    share = np.array([spec.channels[c].share for c in channels])
    n = len(rows)
    channel = np.array(channels, dtype=object)[rng.choice(len(channels), size=n, p=share / share.sum())]
    category = np.array(COMPLAINT_CATEGORIES, dtype=object)[rng.integers(0, len(COMPLAINT_CATEGORIES), n)]
    replied = [_iso(r[2]) if r[2] <= dates[-1] else "" for r in rows]
    return pd.DataFrame(
        {
            "complaint_id": [f"K{i:05d}" for i in range(first_id, first_id + n)],
            "received": [_iso(r[0]) for r in rows],
            "channel": channel,
            "category": category,
            "regime": regime,
            "handled_by": [str(s.staff_ids[r[1]]) for r in rows],
            "replied": replied,
            "status": ["replied" if r else "open" for r in replied],
        },
        columns=COMPLAINT_COLUMNS,
    )


def seed_complaints(frame: pd.DataFrame, seed: int, s: Sched, counts: Seeded) -> list[Mark]:
    """Seed the window's complaint-reply breaches and decoys (``counts``) into ``frame`` (in place), distinct
    handlers."""
    plan = ["boundary"] * counts.boundary + ["decoy"] * counts.decoys + ["beyond"] * counts.beyond
    if not len(frame):
        return []
    return _seed(frame, [(None, k) for k in plan], s, stream(seed, "t5-complaint-seed"))


def next_complaints(
    world_complaints: pd.DataFrame,
    spec: OrgSpec,
    seed: int,
    s: Sched,
    staff: pd.DataFrame,
    daily_contacts: float,
    recur: Sequence[tuple[str, str]],
) -> tuple[pd.DataFrame, list[Mark]]:
    """The next month's ``complaints`` (``s`` its days): the window's complaints still open, now answered in time
    (or still open), and the month's own; with one late reply by each ``(handler, kind)`` of ``recur`` on a
    complaint due in the month (handed to them)."""
    rng = stream(seed, "t5-next-complaints")
    first = last_number(world_complaints["complaint_id"]) + 1
    new = build_complaints(spec, seed, s, staff, daily_contacts, "t5-next-complaint", first)
    open_ = world_complaints[world_complaints["status"] == "open"]
    due = pd.to_datetime(open_["received"]) + pd.to_timedelta(open_["regime"].map(reply_days).astype(int), unit="D")
    carried = open_[due >= pd.Timestamp(str(s.dates[0]))].copy()  # still within time when the window ended
    end = dt.date.fromisoformat(str(s.dates[-1]))
    for i in carried.index:
        received = dt.date.fromisoformat(str(carried.at[i, "received"]))
        days = reply_days(str(carried.at[i, "regime"]))
        soonest = max((dt.date.fromisoformat(str(s.dates[0])) - received).days, 1)
        k = int(min(soonest + rng.geometric(0.3) - 1, days - 1))
        day = _workday_within(received, k, days - 1, s)
        carried.at[i, "replied"] = _iso(day) if day <= end else ""
    frame = pd.concat([carried, new], ignore_index=True)
    frame["status"] = np.where(frame["replied"] == "", "open", "replied")
    marks = _seed(frame, recur, s, stream(seed, "t5-next-complaint-seed"), reassign=True)
    return frame[COMPLAINT_COLUMNS], marks


def _handler(s: Sched, role: np.ndarray, d: int, rng: np.random.Generator) -> int:
    """A person at work on day ``d`` to handle a complaint, by :data:`_HANDLERS`' order; -1 when nobody is."""
    at_work = s.work[:, d]
    for r in _HANDLERS:
        who = np.flatnonzero(at_work & (role == r))
        if len(who):
            return int(who[rng.integers(0, len(who))])
    return -1


def _is_workday(day: dt.date, s: Sched) -> bool:
    i = np.flatnonzero(s.dates == _iso(day))
    if len(i):
        return bool(s.kind[i[0]] == WORKDAY)
    return day.weekday() < 5


def _workday_within(received: dt.date, k: int, most: int, s: Sched) -> dt.date:
    """The first workday ``k`` or more days after ``received``, or the last one at most ``most`` days after it."""
    day = received + dt.timedelta(k)
    while not _is_workday(day, s) and (day - received).days < most:
        day += dt.timedelta(1)
    while not _is_workday(day, s) or (day - received).days > most:
        day -= dt.timedelta(1)
    return day


def _seed(frame: pd.DataFrame, plan: Sequence[tuple[str | None, str]], s: Sched, rng: np.random.Generator, *,
          reassign: bool = False) -> list[Mark]:  # fmt: skip
    """Seed ``plan``'s ``(handler, kind)`` into ``frame`` (in place) on complaints whose last day is a workday of
    ``s`` with room after it before the records end (ten days in the window; in a next month, ``reassign``, as much
    as the kind needs: a day for a reply the day after, three for a late one): distinct handlers while there are
    any, each complaint of the handler named (``reassign``: any such complaint, handed to them)."""
    received = pd.to_datetime(frame["received"])
    days = frame["regime"].map(reply_days).astype(int)
    last = received + pd.to_timedelta(days, unit="D")
    end = pd.Timestamp(str(s.dates[-1]))
    in_days = set(s.dates[s.kind == WORKDAY])
    room = (end - last).dt.days.to_numpy()
    workday = last.dt.strftime("%Y-%m-%d").isin(in_days).to_numpy()
    order = rng.permutation(len(frame))
    used: set[str] = set()
    taken: set[int] = set()
    marks = []
    for i, (who, kind) in enumerate(plan):
        need = {"decoy": 0, "boundary": 1}.get(kind, 3) if reassign else 10
        pool = [int(j) for j in order if workday[j] and room[j] >= need and int(j) not in taken]
        if who is not None and not reassign:
            pool = [j for j in pool if frame.at[j, "handled_by"] == who]
        if who is None:  # another handler where there is one (a small centre has few)
            fresh = [j for j in pool if frame.at[j, "handled_by"] not in used]
            pool = fresh or pool
        if not pool:
            continue
        j = pool[0]
        taken.add(j)
        if who is not None:
            frame.at[j, "handled_by"] = who
        used.add(str(frame.at[j, "handled_by"]))
        late = (
            {"decoy": 0, "boundary": 1}[kind] if kind != "beyond" else 3 + int(rng.integers(0, min(7, room[j] - 3) + 1))
        )
        never = kind == "beyond" and i % 2 == 1
        frame.at[j, "replied"] = "" if never else _iso(last.iloc[j].date() + dt.timedelta(late))
        frame.at[j, "status"] = "open" if never else "replied"
        cid = str(frame.at[j, "complaint_id"])
        marks.append(Mark("complaint_reply", kind, complaint_id=cid, rows=cid))
    return marks
