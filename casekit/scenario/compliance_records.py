"""T5's other records: the overtime consent per month, the job advertisements, the personal-data events of the
handling staff, the regulatory-training history, and the seeded breaches and decoys among the ads and events.

- **Job ads**: the spec's ``regulatory.job_ads`` (more when the seeding needs them), each for a role of the
  organisation at a pay within its range, showing a range or a fixed figure (under the 就業服務法 §5 II threshold
  always; at or over it sometimes "negotiable"); texts free of every §5 I ground of the T1 fairness lexicon. Seeded:
  a ground named (one, or two well past the line) / a job-related requirement that names none (decoy); an offer just
  under the threshold (or well under) with "negotiable" / exactly at it (decoy).
- **Data events**: Poisson at ``data_events_per_agent_day`` per agent's day worked; what a purpose collects, the
  個資法 §8 notice always given. Seeded: ``id_number`` collected without the notice (alone, or with more well past
  the line) / nothing collected without it (decoy); one handler per seeded event.
- **Regulatory training**: for everyone employed before the window, each course their role needs: a completion in
  the last 11 months, an overdue one (25-36 months ago, past a 12- or 24-month recurrence) at
  ``training_overdue_share``, none at ``training_never_share``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_law, load_roles
from casekit.scenario.compliance_spec import Seeded
from casekit.scenario.compliance_time import Sched
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = [
    "CATEGORIES",
    "COURSES",
    "Mark",
    "build_data_events",
    "build_job_ads",
    "build_reg_training",
    "consent_table",
    "last_number",
    "seed_data_events",
    "seeded_collection",
]

CATEGORIES = ("name", "phone", "address", "email", "id_number", "card_number", "birth_date")
COURSES = ("personal_data", "anti_harassment", "labour_rules", "consumer_credit", "consumer_protection")
_COLLECTS = {
    "identity_check": ("name", "phone", "birth_date", "id_number"),
    "dispute": ("name", "phone", "card_number"),
    "order": ("name", "phone", "address", "email"),
    "card_replacement": ("name", "address", "id_number", "birth_date"),
    "plan_change": ("name", "phone", "id_number", "address"),
}
_DUTIES = {
    "agent": (
        "以電話與線上文字服務客戶，處理帳務與服務諮詢",
        "serve customers by phone and chat, with billing and service questions",
    ),
    "senior_agent": ("處理升級案件並協助新進同仁", "handle escalated cases and coach new colleagues"),
    "team_leader": ("帶領客服團隊、排班與績效管理", "lead a service team: rosters and performance management"),
    "qa_analyst": ("監聽錄音並評核服務品質", "review recorded contacts and score service quality"),
    "trainer": ("規劃與講授客服訓練課程", "plan and deliver service training"),
    "workforce_planner": ("預測話務量並安排班表", "forecast contact volumes and build rosters"),
}
_REQUIREMENTS = (
    ("需能配合輪班", "Able to work rotating shifts"),
    ("具客服經驗者佳", "Contact-centre experience an advantage"),
    ("熟悉電腦文書操作", "Comfortable with office software"),
    ("可於一個月內到職", "Able to start within a month"),
)
#: sentences naming a 就業服務法 §5 I ground (sex, age, marital status, appearance, blood type)
_GROUNDS = (
    ("限女性", "Women only"),
    ("年齡 35 歲以下", "Aged 35 or under"),
    ("未婚者佳", "Unmarried applicants preferred"),
    ("應徵請附全身照", "Send a full-length photo with your application"),
    ("限男性", "Men only"),
    ("血型 O 型者優先", "Blood type O preferred"),
)
#: job-related requirements that look like a ground and are none (a language the job needs, shifts, the health check)
_LOOKALIKES = (
    ("需能以台語及英語服務客戶", "Must serve customers in Taiwanese and English"),
    ("需能配合夜班與假日輪班", "Must work night and holiday rotations"),
    ("需通過職前體格檢查", "Must pass the pre-employment health check"),
)


@dataclass(frozen=True)
class Mark:
    """A seeded breach (``kind`` ``beyond`` or ``boundary``) or decoy (``decoy``) of ``rule``, by its key."""

    rule: str
    kind: str
    staff_id: str = ""
    date: str = ""
    month: str = ""
    ad_id: str = ""
    event_id: str = ""
    complaint_id: str = ""
    back_pay: int = 0
    rows: str = ""


def last_number(ids: pd.Series) -> int:
    """The highest number of ids like ``A000123`` (a letter, then digits); 0 for none."""
    return int(ids.astype(str).str.slice(1).astype(int).max()) if len(ids) else 0


def consent_table(spec: OrgSpec, month_list: list[str]) -> pd.DataFrame:
    """``overtime_consent``: one row per month of ``month_list`` (the window and the next month)."""
    law = load_law()["overtime"]
    c = spec.compliance
    agreed = [i + 1 for i in range(len(month_list)) if i + 1 in c.consent_months]
    first = month_list[agreed[0] - 1] if agreed else ""
    before = dt.date.fromisoformat(f"{first}-01") - dt.timedelta(days=1) if first else None
    on = before.replace(day=15).isoformat() if before else ""
    consented = [i + 1 in c.consent_months for i in range(len(month_list))]
    return pd.DataFrame(
        {
            "month": month_list,
            "consented": consented,
            "body": [str(c.consent_body or "") if ok else "" for ok in consented],
            "agreed_on": [on if ok else "" for ok in consented],
            "monthly_cap": [int(law["monthly_cap_hours_agreed" if ok else "monthly_cap_hours"]) for ok in consented],
            "three_month_cap": pd.array([int(law["three_month_cap_hours"]) if ok else None for ok in consented],
                                        dtype="Int64"),
        }
    )  # fmt: skip


def _pay_text(shown: str, low: int, high: int) -> tuple[str, str]:
    if shown == "range":
        return f"月薪 NT${low:,}–{high:,}", f"Monthly pay NT${low:,}-{high:,}"
    if shown == "fixed":
        return f"月薪 NT${low:,}", f"Monthly pay NT${low:,}"
    return "薪資面議", "Pay negotiable"


def build_job_ads(
    spec: OrgSpec, seed: int, window: list[str], counts: Mapping[str, Seeded]
) -> tuple[pd.DataFrame, list[Mark]]:
    """``job_ads`` over the window's months, and the seeded ads' marks (``counts`` per rule)."""
    rng = stream(seed, "t5-ads")
    threshold = int(load_law()["job_ad_pay_disclosure_threshold"])
    plan = [(r, k) for r in ("ad_ground", "ad_pay_range") for k in ("boundary", "beyond", "decoy")
            for _ in range(getattr(counts[r], "decoys" if k == "decoy" else k))]  # fmt: skip
    n = max(spec.regulatory.job_ads, len(plan) + 2)
    roles = list(spec.roles)
    share = np.array([spec.roles[r].share for r in roles])
    role = [roles[i] for i in rng.choice(len(roles), size=n, p=share / share.sum())]
    first = dt.date.fromisoformat(f"{window[0]}-01")
    span = (dt.date.fromisoformat(f"{window[-1]}-01") - first).days + 28
    dates = [(first + dt.timedelta(days=int(x))).isoformat() for x in rng.integers(0, span, n)]
    u_pay, u_show, u_req, u_extra = (rng.random(n) for _ in range(4))
    slots = rng.permutation(n)[: len(plan)]
    ads = []
    for i in range(n):
        r = role[i]
        low, high = spec.roles[r].base_pay.min, spec.roles[r].base_pay.max
        offered = int(round((low + (high - low) * u_pay[i]) / 500) * 500)
        shown = "range" if u_show[i] < 0.55 else "fixed"
        if offered >= threshold + 2000 and u_show[i] > 0.75:
            shown = "negotiable"
        req = _REQUIREMENTS[int(u_req[i] * len(_REQUIREMENTS))]
        ads.append({"date": dates[i], "role": r, "offered": offered, "shown": shown, "low": low, "high": high,
                    "req": req, "extra": ("", ""), "mark": None})  # fmt: skip
    for (rule, kind), i in zip(plan, slots, strict=True):
        ad = ads[int(i)]
        pick = int(u_extra[i] * len(_GROUNDS))
        if rule == "ad_ground":
            if kind == "decoy":
                ad["extra"] = _LOOKALIKES[pick % len(_LOOKALIKES)]
            else:
                sentences = [_GROUNDS[pick], _GROUNDS[(pick + 1) % len(_GROUNDS)]][: 1 if kind == "boundary" else 2]
                ad["extra"] = ("，".join(z for z, _ in sentences), ". ".join(e for _, e in sentences))
        else:
            agent = "agent" if "agent" in spec.roles else roles[0]
            ad["role"] = "senior_agent" if kind == "decoy" and "senior_agent" in spec.roles else agent
            cut = {"boundary": 1000, "beyond": 1000 * int(4 + u_pay[i] * 5), "decoy": 0}[kind]
            ad["offered"], ad["shown"] = threshold - cut, "negotiable"
        ad["mark"] = (rule, kind)
    ads.sort(key=lambda a: a["date"])
    rows, marks = [], []
    titles = {r.id: r.text["title"] for r in load_roles()}
    for i, ad in enumerate(ads):
        ad_id = f"AD{i + 1:03d}"
        shown, offered = ad["shown"], ad["offered"]
        low, high = (min(ad["low"], offered), max(ad["high"], offered)) if shown == "range" else (offered, offered)
        pay_zh, pay_en = _pay_text(shown, low, high)
        duty_zh, duty_en = _DUTIES.get(ad["role"], _DUTIES["agent"])
        title = titles.get(ad["role"], {"zh-TW": ad["role"], "en": ad["role"]})
        parts_zh = [f"{spec.title.zh_tw}誠徵{title['zh-TW']}：{duty_zh}", ad["req"][0], ad["extra"][0], pay_zh]
        parts_en = [f"{spec.title.en} is hiring: {title['en']}, to {duty_en}", ad["req"][1], ad["extra"][1], pay_en]
        rows.append(
            {
                "ad_id": ad_id,
                "date": ad["date"],
                "role": ad["role"],
                "text_zh_tw": "。".join(p for p in parts_zh if p) + "。",
                "text_en": ". ".join(p for p in parts_en if p) + ".",
                "pay_shown": shown,
                "pay_min": None if shown == "negotiable" else low,
                "pay_max": None if shown == "negotiable" else high,
                "offered_pay": offered,
            }
        )
        if ad["mark"]:
            marks.append(Mark(ad["mark"][0], ad["mark"][1], ad_id=ad_id, rows=ad_id))
    table = pd.DataFrame(rows)
    for col in ("pay_min", "pay_max"):
        table[col] = pd.array(table[col].tolist(), dtype="Int64")
    table["offered_pay"] = table["offered_pay"].astype(np.int64)
    return table, marks


def _joined(chosen: np.ndarray) -> np.ndarray:
    """Each row of a (events x categories) boolean matrix as its ``;``-joined categories."""
    bits = chosen.astype(np.int64) @ (1 << np.arange(len(CATEGORIES)))
    texts = np.array([";".join(c for j, c in enumerate(CATEGORIES) if k >> j & 1) for k in range(1 << len(CATEGORIES))],
                     dtype=object)  # fmt: skip
    return np.asarray(texts[bits])


def build_data_events(spec: OrgSpec, seed: int, s: Sched, staff: pd.DataFrame, name: str, first_id: int = 1,
                      handlers: frozenset[str] = frozenset()) -> pd.DataFrame:  # fmt: skip
    """``data_events`` of the agents' days worked in ``s``, every notice given (the seeding comes after); each of
    ``handlers`` has at least one (on their first day worked, if the draw gave them none)."""
    rng = stream(seed, name)
    c = spec.compliance
    handling = staff.set_index("staff_id").loc[s.staff_ids, "role"].isin(["agent", "senior_agent"]).to_numpy()
    counts = np.where(s.work & handling[:, None], rng.poisson(c.data_events_per_agent_day, s.work.shape), 0)
    for p in np.flatnonzero(np.isin(s.staff_ids, list(handlers)) & (counts.sum(axis=1) == 0) & s.work.any(axis=1)):
        counts[p, np.argmax(s.work[p])] = 1
    person, day = np.nonzero(counts)
    reps = counts[person, day]
    person, day = np.repeat(person, reps), np.repeat(day, reps)
    n = len(person)
    channels = list(spec.channels)
    share = np.array([spec.channels[ch].share for ch in channels])
    channel = np.array(channels, dtype=object)[rng.choice(len(channels), size=n, p=share / share.sum())]
    purposes = list(c.data_purposes)
    purpose = rng.integers(0, len(purposes), n)
    allowed = np.array([[cat in _COLLECTS[p] for cat in CATEGORIES] for p in purposes], dtype=bool)
    chosen = allowed[purpose] & (rng.random((n, len(CATEGORIES))) < 0.6)
    order = np.lexsort((s.staff_ids[person], s.dates[day]))
    return pd.DataFrame(
        {
            "event_id": [f"D{i:05d}" for i in range(first_id, first_id + n)],
            "date": s.dates[day][order],
            "staff_id": s.staff_ids[person][order],
            "channel": channel[order],
            "collected": _joined(chosen[order]),
            "notice_given": np.ones(n, dtype=bool),
            "purpose": np.array(purposes, dtype=object)[purpose][order],
        }
    )


def seed_data_events(events: pd.DataFrame, seed: int, counts: Seeded) -> list[Mark]:
    """Seed the data-notice breaches and decoys (``counts``) into ``events`` (in place): one event each, of distinct
    handlers."""
    rng = stream(seed, "t5-data-seed")
    plan = ["boundary"] * counts.boundary + ["decoy"] * counts.decoys + ["beyond"] * counts.beyond
    shuffled = events.iloc[rng.permutation(len(events))]
    picks = shuffled.drop_duplicates("staff_id").index.to_numpy()[: len(plan)]
    plan = plan[: len(picks)]
    events.loc[picks, "collected"] = [seeded_collection(kind) for kind in plan]
    events.loc[picks, "notice_given"] = False
    ids = events.loc[picks, "event_id"].astype(str)
    return [Mark("data_notice", kind, event_id=e, rows=e) for kind, e in zip(plan, ids, strict=True)]


def seeded_collection(kind: str) -> str:
    """What a seeded event collects without the notice: nothing (decoy), the ID number alone (boundary), the ID
    number with more (beyond)."""
    if kind == "decoy":
        return ""
    if kind == "boundary":
        return "id_number"
    return ";".join(c for c in CATEGORIES if c in ("name", "phone", "id_number", "birth_date"))


def build_reg_training(spec: OrgSpec, seed: int, staff: pd.DataFrame, window_start: dt.date) -> pd.DataFrame:
    """``reg_training``: past completions of the regulatory courses, before the window's first day."""
    rng = stream(seed, "t5-training")
    c = spec.compliance
    exposure = set(spec.regulatory.exposure)
    needs = {
        "personal_data": None,
        "anti_harassment": None,
        "labour_rules": {"team_leader", "workforce_planner"},
        "consumer_credit": {"agent", "senior_agent", "team_leader"} if "consumer_credit" in exposure else set(),
        "consumer_protection": {"agent", "senior_agent", "team_leader"} if "consumer_protection" in exposure else set(),
    }
    rows = []
    for staff_id, role, hired in zip(staff["staff_id"], staff["role"], staff["hire_date"], strict=True):
        hire = dt.date.fromisoformat(str(hired))
        for course in COURSES:
            roles = needs[course]
            u_never, u_overdue, u_age = rng.random(3)
            if roles is not None and role not in roles:
                continue
            if u_never < c.training_never_share:
                continue
            months_ago = 25 + 11 * u_age if u_overdue < c.training_overdue_share else 0.5 + 10.5 * u_age
            done = window_start - dt.timedelta(days=int(months_ago * 30.4))
            if done < hire:
                done = hire + dt.timedelta(days=int(1 + 13 * u_age))
            if done >= window_start:
                continue
            rows.append((str(staff_id), course, done.isoformat()))
    return pd.DataFrame(rows, columns=["staff_id", "course", "completed"])
