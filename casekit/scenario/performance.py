"""T3's world: the section a candidate manages, its dates, the members on a performance improvement plan, the
support roles' own measures, and (hidden truth) the review period that follows the history.

- **Section**: ``spec.appraisal.section_teams`` teams chosen by seed (their agents, senior agents and team leader) and
  one person of each support role the world has (team ``SUP``). Its people are the ``members``.
- **Complex queue**: the section's handling members (not ramping) with the slowest history AHT, senior agents first
  at equal speed: the escalation queue, where the data shows longer contacts.
- **Ramping**: a handling member whose tenure when the history starts is under ``spec.appraisal.ramp_days``: still
  learning through the history (their early months are slower), so the history understates what they can do now.
- **PIPs**: members (handling, not ramping, not on the complex queue) among the section's worst on a KPI (QA, AHT or
  FCR), the plan started in the last 20 days of the history.
- **Role activity**: each support person's monthly measures (QA evaluations, calibration, ...) and everybody's
  learning hours: a persistent personal level plus monthly noise, so a person's history predicts their future.
- **Review period** (``truth``, never written): the three calendar months after the history. Each handling member's
  days are drawn from their own history (a new starter's from their latest days: their current level), then moved
  by a seeded drift: ``decline_share`` of the section clearly worse on everything (handling and support people,
  not ramping), about :data:`STAR_SHARE` of the other handling members clearly better, new starters better as
  they ramp up, and the rest a little better on most measures but slipping on one (everybody has a weak spot).
  A faster or more available person handles more contacts in the same time. Aggregated per person and month with
  the contacts' columns, so :func:`casekit.kpi.kpis` reads it as it reads the history.

Every draw comes from its own rng stream, so every other table of the world stays byte-identical.
"""

from __future__ import annotations

import calendar as cal
import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from casekit import months
from casekit.scenario.catalogs import load_kpi_catalog
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = [
    "ACTIVITY_RANGES",
    "HANDLING",
    "AppraisalCalendar",
    "appraisal_calendar",
    "build_members",
    "build_pips",
    "build_review",
    "build_role_activity",
    "calendar_of",
    "history_months",
    "qa_passed_sales",
    "turnover_months",
]

HANDLING = ("agent", "senior_agent")
SUPPORT = ("qa_analyst", "trainer", "workforce_planner")
#: a month of the history counts when it has at least this many days of it
MONTH_MIN_DAYS = 15
#: the range each activity KPI's monthly values take
ACTIVITY_RANGES: dict[str, tuple[float, float]] = {
    "qa_evaluations": (60.0, 140.0),
    "calibration_agreement": (0.75, 0.97),
    "feedback_on_time": (0.70, 0.99),
    "delivery_hours": (40.0, 110.0),
    "trainee_pass_rate": (0.70, 0.98),
    "trainer_reaction": (3.4, 4.8),
    "forecast_accuracy": (0.85, 0.98),
    "schedule_on_time": (0.80, 1.0),
    "service_level_days": (0.60, 0.95),
    "learning_hours": (0.0, 12.0),
}
#: about this share of the section's steady handling members have a clearly better review period (at least one)
STAR_SHARE = 0.08
_WHOLE = ("qa_evaluations", "delivery_hours")
_SUM_COLUMNS = (
    "scheduled_s",
    "logged_in_s",
    "adherent_s",
    "available_s",
    "handled",
    "talk_s",
    "hold_s",
    "acw_s",
    "qa_evals",
    "fcr_resolved",
    "csat_surveys",
    "csat_satisfied",
    "sales_eligible",
    "sales",
    "qa_passed_sales",
)
_PIP_KPIS = ("qa", "aht_s", "fcr")
_PIP_NOTES = {
    "zh-TW": "近期{kpi}落後團隊水準，已啟動績效改善計畫，需於期限內檢討。",
    "en": "{kpi} behind the team's level lately; a performance improvement plan has started and is due for review.",
}


@dataclass(frozen=True)
class AppraisalCalendar:
    """The case's dates: the history's last day, the three review months, when agreements and the appraisal are
    due."""

    history_end: dt.date
    period_start: dt.date
    period_months: tuple[str, str, str]
    period_end: dt.date
    agree_by: dt.date
    appraisal_due: dt.date


def _month_after(day: dt.date, n: int = 1) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    return dt.date(day.year + y, m + 1, 1)


def calendar_of(spec: OrgSpec, days: int) -> AppraisalCalendar:
    end = spec.start_date + dt.timedelta(days=days - 1)
    start = _month_after(end)
    firsts = [_month_after(end, n) for n in (1, 2, 3)]
    last = _month_after(end, 4) - dt.timedelta(days=1)
    labels = (firsts[0].strftime("%Y-%m"), firsts[1].strftime("%Y-%m"), firsts[2].strftime("%Y-%m"))
    return AppraisalCalendar(
        history_end=end,
        period_start=start,
        period_months=labels,
        period_end=last,
        agree_by=start + dt.timedelta(days=14),
        appraisal_due=last + dt.timedelta(days=spec.appraisal.appraisal_within_days),
    )


def appraisal_calendar(world: Any) -> AppraisalCalendar:
    """The dates of ``world``'s T3 case."""
    return calendar_of(world.spec, world.days)


def history_months(world: Any) -> list[str]:
    """The calendar months ("YYYY-MM") with at least :data:`MONTH_MIN_DAYS` days of the world's history."""
    return _months_of(world.spec, world.days)


def _months_of(spec: OrgSpec, days: int) -> list[str]:
    return _months_of_dates(months.dates(spec.start_date, days))


def _months_of_dates(dates: list[dt.date]) -> list[str]:
    counts = pd.Series([d.strftime("%Y-%m") for d in dates]).value_counts()
    return sorted(str(m) for m, n in counts.items() if n >= MONTH_MIN_DAYS)


def turnover_months(world: Any) -> list[str]:
    """The calendar months of the turnover history (the ``leavers`` table's window, the year or so before the
    contact history starts) with at least :data:`MONTH_MIN_DAYS` days of it: the months a team's retention is known."""
    spec = world.spec
    first = spec.start_date - dt.timedelta(days=spec.turnover.history_days)
    return _months_of_dates(months.dates(first, spec.turnover.history_days))


def qa_passed_sales(contacts: pd.DataFrame, qa_target: float) -> pd.Series:
    """Each day's sales when no QA form failed that day (no evaluation, or a score at least ``qa_target`` x 100),
    else 0: the sales a QA-gated conversion counts."""
    passed = (contacts["qa_evals"] == 0) | (contacts["qa_score"].fillna(0) >= qa_target * 100 - 1e-9)
    return contacts["sales"].where(passed, 0).astype(np.int64)


def _history_aht(contacts: pd.DataFrame) -> pd.Series:
    sums = contacts.groupby("staff_id")[["talk_s", "hold_s", "acw_s", "handled"]].sum()
    return (sums["talk_s"] + sums["hold_s"] + sums["acw_s"]) / sums["handled"].where(sums["handled"] > 0)


def build_members(spec: OrgSpec, seed: int, staff: pd.DataFrame, contacts: pd.DataFrame, days: int) -> pd.DataFrame:
    """The section's members: ``staff_id, name, role, team, queue, hire_date, ramping``."""
    rng = stream(seed, "t3-section")
    teams = sorted(t for t in staff["team"].unique() if t != "SUP")
    chosen = set(rng.choice(teams, size=min(spec.appraisal.section_teams, len(teams)), replace=False))
    in_teams = staff[staff["team"].isin(chosen) & staff["role"].isin([*HANDLING, "team_leader"])]
    support = []
    for role in SUPPORT:
        people = staff.loc[staff["role"] == role, "staff_id"].tolist()
        if people:
            support.append(people[int(rng.integers(0, len(people)))])
    members = staff[staff["staff_id"].isin(set(in_teams["staff_id"]) | set(support))].copy()
    tenure = (pd.Timestamp(spec.start_date) - pd.to_datetime(members["hire_date"], format="%Y-%m-%d")).dt.days
    handling = members["role"].isin(HANDLING)
    members["ramping"] = (handling & (tenure < spec.appraisal.ramp_days)).to_numpy()
    aht = _history_aht(contacts).reindex(members["staff_id"]).to_numpy()
    eligible = (handling & ~members["ramping"]).to_numpy() & ~np.isnan(aht)
    n = max(1, round(spec.appraisal.complex_share * int(handling.sum()))) if eligible.any() else 0
    score = np.where(eligible, aht * np.where(members["role"] == "senior_agent", 1.05, 1.0), -np.inf)
    slowest = set(np.argsort(-score, kind="stable")[:n])
    members["queue"] = ["complex" if i in slowest else "general" for i in range(len(members))]
    columns = ["staff_id", "name", "role", "team", "queue", "hire_date", "ramping"]
    return members[columns].sort_values("staff_id").reset_index(drop=True)


def _pip_values(contacts: pd.DataFrame) -> pd.DataFrame:
    """Each person's history AHT, FCR and QA (mean of the evaluated days), by ``staff_id``."""
    sums = contacts.groupby("staff_id")[["talk_s", "hold_s", "acw_s", "handled", "fcr_resolved", "qa_score"]].agg(
        {"talk_s": "sum", "hold_s": "sum", "acw_s": "sum", "handled": "sum", "fcr_resolved": "sum", "qa_score": "mean"}
    )
    handled = sums["handled"].where(sums["handled"] > 0)
    return pd.DataFrame(
        {
            "aht_s": (sums["talk_s"] + sums["hold_s"] + sums["acw_s"]) / handled,
            "fcr": sums["fcr_resolved"] / handled,
            "qa": sums["qa_score"],
        }
    )


def build_pips(spec: OrgSpec, seed: int, members: pd.DataFrame, contacts: pd.DataFrame, days: int) -> pd.DataFrame:
    """The members on a performance improvement plan: ``staff_id, start_date, kpi, note_zh_tw, note_en``."""
    rng = stream(seed, "t3-pips")
    end = calendar_of(spec, days).history_end
    labels = {k.id: k for k in load_kpi_catalog()}
    pool = members[members["role"].isin(HANDLING) & ~members["ramping"] & (members["queue"] == "general")]
    table = _pip_values(contacts[contacts["staff_id"].isin(pool["staff_id"])])
    taken: set[str] = set()
    rows = []
    for _ in range(spec.appraisal.pip_members):
        kpi = _PIP_KPIS[int(rng.integers(0, len(_PIP_KPIS)))]
        values = table[kpi].dropna()
        values = values[~values.index.isin(taken)]
        if values.empty:
            break
        worst = str(values.idxmax() if labels[kpi].direction < 0 else values.idxmin())
        taken.add(worst)
        start = end - dt.timedelta(days=int(rng.integers(0, 21)))
        rows.append(
            {
                "staff_id": worst,
                "start_date": start.isoformat(),
                "kpi": kpi,
                "note_zh_tw": _PIP_NOTES["zh-TW"].format(kpi=labels[kpi].zh_tw),
                "note_en": _PIP_NOTES["en"].format(kpi=labels[kpi].en),
            }
        )
    columns = ["staff_id", "start_date", "kpi", "note_zh_tw", "note_en"]
    return pd.DataFrame(rows, columns=columns).sort_values("staff_id").reset_index(drop=True)


def _activity_kpis(role: str) -> list[str]:
    return [k.id for k in load_kpi_catalog() if k.source in ("activity_log", "survey", "lms") and role in k.roles
            and k.id in ACTIVITY_RANGES]  # fmt: skip


def _drift_kinds(spec: OrgSpec, seed: int, members: pd.DataFrame) -> dict[str, str]:
    """The section members whose review period moves apart from the rest: ``decline`` (``decline_share`` of the
    section, among the members whose own data it moves: handling and support, not ramping) and ``star`` (about
    :data:`STAR_SHARE` of the other handling members, at least one, clearly better). Everybody else is steady."""
    rng = stream(seed, "t3-decline")
    own = members[~members["ramping"] & (members["role"] != "team_leader")]
    n = min(round(spec.appraisal.decline_share * len(members)), len(own))
    down = [str(s) for s in rng.choice(own["staff_id"].to_numpy(), size=n, replace=False)] if n else []
    pool = own.loc[own["role"].isin(HANDLING) & ~own["staff_id"].isin(down), "staff_id"].to_numpy()
    k = min(max(1, round(STAR_SHARE * len(pool))), len(pool))
    stars = [str(s) for s in stream(seed, "t3-stars").choice(pool, size=k, replace=False)] if k else []
    return {**dict.fromkeys(down, "decline"), **dict.fromkeys(stars, "star")}


def build_role_activity(
    spec: OrgSpec, seed: int, staff: pd.DataFrame, members: pd.DataFrame, days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The role activity of the history months and (truth) of the review months: ``staff_id, month, kpi, value``."""
    rng = stream(seed, "t3-activity")
    history = _months_of(spec, days)
    review = list(calendar_of(spec, days).period_months)
    kinds = _drift_kinds(spec, seed, members)
    rows: list[tuple[str, str, str, float]] = []
    future: list[tuple[str, str, str, float]] = []
    for staff_id, role in zip(staff["staff_id"], staff["role"], strict=True):
        for kpi in _activity_kpis(role):
            low, high = ACTIVITY_RANGES[kpi]
            width = high - low
            level = rng.uniform(low + 0.15 * width, high - 0.15 * width)
            noise = rng.normal(0, 0.06 * width, len(history) + len(review))
            drift = {"decline": -0.15, "star": 0.15}.get(kinds.get(staff_id, ""), 0.06) * width
            values = np.clip(level + noise + np.r_[np.zeros(len(history)), np.full(len(review), drift)], low, high)
            values = np.round(values, 0 if kpi in _WHOLE else 3)
            rows += [(staff_id, m, kpi, float(v)) for m, v in zip(history, values[: len(history)], strict=True)]
            future += [(staff_id, m, kpi, float(v)) for m, v in zip(review, values[len(history) :], strict=True)]
    columns = ["staff_id", "month", "kpi", "value"]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(future, columns=columns)


#: each drift kind's ranges (low, high) of the review period's moves: factors on AHT, FCR, conversion and CSAT,
#: shifts of adherence and availability (shares of the time they count over) and of QA (points). A steady member is
#: a little better on most measures and slips on one (``slip``): everybody has a weak spot.
_DRIFT_KEYS = ("aht", "adh", "avail", "fcr", "qa", "conv", "csat")
_DRIFTS: dict[str, tuple[tuple[float, float], ...]] = {
    "decline": ((1.07, 1.13), (-0.04, -0.02), (-0.012, -0.005), (0.91, 0.95), (-7, -4), (0.72, 0.85), (0.92, 0.96)),
    "star": ((0.87, 0.91), (0.03, 0.05), (0.006, 0.012), (1.07, 1.1), (5, 8), (1.25, 1.4), (1.06, 1.09)),
    "ramp": ((0.85, 0.93), (0.005, 0.015), (0.002, 0.006), (1.03, 1.08), (2, 5), (1.05, 1.2), (1.01, 1.03)),
    "steady": ((0.94, 0.97), (0.02, 0.04), (0.003, 0.006), (1.03, 1.06), (2.5, 4.5), (1.15, 1.3), (1.03, 1.05)),
    "slip": ((1.04, 1.08), (-0.04, -0.02), (-0.008, -0.004), (0.93, 0.96), (-5, -3), (0.7, 0.85), (0.93, 0.96)),
}


def _drift_frame(rng: np.random.Generator, staff_ids: list[str], kinds: list[str]) -> pd.DataFrame:
    """Each person's drift (one row per ``staff_id``, a column per :data:`_DRIFT_KEYS`), drawn for everybody at
    once: a uniform position in their kind's ranges, and for the steady ones the key they slip on."""
    lows, highs = (np.array([[r[i] for r in _DRIFTS[k]] for k in kinds]).reshape(-1, len(_DRIFT_KEYS)) for i in (0, 1))
    position = rng.random((len(kinds), len(_DRIFT_KEYS)))
    weak = rng.integers(0, len(_DRIFT_KEYS), len(kinds))
    steady = np.array([k == "steady" for k in kinds], dtype=bool)
    slip_low, slip_high = (np.array([r[i] for r in _DRIFTS["slip"]]) for i in (0, 1))
    rows = np.flatnonzero(steady)
    lows[rows, weak[rows]], highs[rows, weak[rows]] = slip_low[weak[rows]], slip_high[weak[rows]]
    values = lows + position * (highs - lows)
    return pd.DataFrame(values, index=pd.Index(staff_ids, name="staff_id"), columns=list(_DRIFT_KEYS))


def _apply_drift(sums: dict[str, np.ndarray], qa: np.ndarray, d: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The months' sums (one entry per person and month) moved by each one's drift ``d``, each count kept within
    what it counts: a faster (or more available) person handles more contacts in the same logged-in time, and the
    contacts' outcomes follow."""
    out = {c: v.astype(float) for c, v in sums.items()}
    out["adherent_s"] = np.minimum(out["scheduled_s"], np.round(out["adherent_s"] + d["adh"] * out["scheduled_s"]))
    available = np.round(np.minimum(out["logged_in_s"], out["available_s"] + d["avail"] * out["logged_in_s"]))
    more_time = np.divide(available, out["available_s"], out=np.ones_like(available), where=out["available_s"] > 0)
    out["available_s"] = available
    for c in ("talk_s", "hold_s", "acw_s"):
        out[c] = np.round(out[c] * more_time)
    handled = np.round(out["handled"] * more_time / d["aht"])  # the same time, contacts faster or slower
    kept = np.divide(handled, out["handled"], out=np.zeros_like(handled), where=out["handled"] > 0)
    out["handled"] = handled
    out["fcr_resolved"] = np.minimum(handled, np.round(out["fcr_resolved"] * kept * d["fcr"]))
    out["csat_surveys"] = np.minimum(handled, np.round(out["csat_surveys"] * kept))
    out["csat_satisfied"] = np.minimum(out["csat_surveys"], np.round(out["csat_satisfied"] * kept * d["csat"]))
    out["sales_eligible"] = np.minimum(handled, np.round(out["sales_eligible"] * kept))
    out["sales"] = np.minimum(out["sales_eligible"], np.round(out["sales"] * kept * d["conv"]))
    out["qa_passed_sales"] = np.minimum(out["sales"], np.round(out["qa_passed_sales"] * kept * d["conv"]))
    moved = {c: v.astype(np.int64) for c, v in out.items()}
    return {**moved, "qa_score": np.clip(qa + d["qa"], 0, 100)}


def build_review(
    spec: OrgSpec, seed: int, staff: pd.DataFrame, contacts: pd.DataFrame, members: pd.DataFrame, days: int
) -> dict[str, pd.DataFrame]:
    """The review period's truth: ``review_contacts`` (per handling person and month) and ``review_leavers``."""
    rng = stream(seed, "t3-review")
    calendar = calendar_of(spec, days)
    special = _drift_kinds(spec, seed, members)
    ramping = set(members.loc[members["ramping"], "staff_id"])
    frame = contacts.assign(qa_passed_sales=qa_passed_sales(contacts, spec.targets.qa))
    worked = {m: round(cal.monthrange(int(m[:4]), int(m[5:]))[1] * 5 / 7) for m in calendar.period_months}
    # each person's rows in date order, one segment per person; a new starter draws from their latest 20 days
    order = np.argsort(frame["staff_id"].to_numpy(), kind="stable")
    ids, first, count = np.unique(frame["staff_id"].to_numpy()[order], return_index=True, return_counts=True)
    staff_ids = [str(s) for s in ids]
    kinds = [special.get(s, "ramp" if s in ramping else "steady") for s in staff_ids]
    drift = _drift_frame(rng, staff_ids, kinds)
    latest = np.array([s in ramping for s in staff_ids], dtype=bool)
    pool_size = np.where(latest, np.minimum(count, 20), count)
    start = first + count - pool_size
    days_drawn = np.array(list(worked.values()))  # each review month's working days
    person = np.repeat(np.arange(len(ids)), days_drawn.sum())
    month = np.tile(np.repeat(np.array(list(worked), dtype=object), days_drawn), len(ids))
    picks = order[start[person] + (rng.random(len(person)) * pool_size[person]).astype(np.int64)]
    # sum each person's drawn days per month: the draws come in blocks, person by person, month by month
    blocks = np.r_[0, np.cumsum(np.tile(days_drawn, len(ids)))[:-1]]
    values = frame[list(_SUM_COLUMNS)].to_numpy(np.int64)[picks]
    sums = dict(zip(_SUM_COLUMNS, np.add.reduceat(values, blocks, axis=0).T, strict=True))
    score = frame["qa_score"].to_numpy(float)[picks]
    evaluated = frame["qa_evals"].to_numpy()[picks] > 0
    points = np.add.reduceat(np.where(evaluated, score, 0.0), blocks)
    n_eval = np.add.reduceat(evaluated.astype(np.int64), blocks)
    qa = np.divide(points, n_eval, out=np.full(len(blocks), np.nan), where=n_eval > 0)
    each = np.repeat(np.arange(len(ids)), len(days_drawn))
    moved = _apply_drift(sums, qa, {k: drift[k].to_numpy()[each] for k in _DRIFT_KEYS})
    review = pd.DataFrame({"month": month[blocks], "staff_id": ids[each], **moved})
    review = review[["month", "staff_id", *_SUM_COLUMNS[:9], "qa_score", *_SUM_COLUMNS[9:]]]
    review = review.sort_values(["staff_id", "month"]).reset_index(drop=True)
    teams = staff.loc[staff["team"] != "SUP"].groupby("team").size()
    monthly = spec.turnover.annual_rate / 12
    leavers = [
        {"team": team, "month": m, "leavers": int(rng.poisson(size * monthly))}
        for team, size in teams.items()
        for m in calendar.period_months
    ]
    return {"review_contacts": review, "review_leavers": pd.DataFrame(leavers, columns=["team", "month", "leavers"])}
