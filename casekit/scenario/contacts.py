"""Daily contact records per agent and 30-minute queue volumes.

The model, per agent and day: scheduled time from the contract; logged-in, adherent and available (ready) time
scatter around the centre's baselines; handled contacts = available time x occupancy / AHT; AHT is longer for new
starters (a ramp that fades over the first months) and weaker system skills; QA, first-contact resolution and CSAT
rise with customer-service skills and fall with stress and inexperience.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from casekit import months
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec
from casekit.scenario.staff import Workforce

__all__ = ["HANDLING_ROLES", "build_contacts", "build_intervals", "dates_of"]

HANDLING_ROLES = ("agent", "senior_agent")
TALK, HOLD = 0.68, 0.08  # shares of handle time; the rest is after-call work
QA_EVALS_PER_DAY = 4 / 21  # about four evaluations a month
SURVEY_RATE = 0.12
RAMP_DAYS = 45.0


def dates_of(spec: OrgSpec, days: int) -> list[dt.date]:
    return months.dates(spec.start_date, days)


def blended_aht(spec: OrgSpec) -> float:
    return sum(c.share * c.aht_seconds for c in spec.channels.values()) / sum(c.share for c in spec.channels.values())


def build_contacts(spec: OrgSpec, seed: int, wf: Workforce, days: int) -> pd.DataFrame:
    rng = stream(seed, "contacts")
    perf = spec.performance
    staff = wf.staff[wf.staff["role"].isin(HANDLING_ROLES)].reset_index(drop=True)
    tr = wf.traits.loc[staff["staff_id"]].reset_index(drop=True)
    p, d = len(staff), days
    dates = dates_of(spec, days)
    start = np.array([dt.date.fromisoformat(h) for h in staff["hire_date"]], dtype="datetime64[D]")
    day = np.array(dates, dtype="datetime64[D]")
    tenure = (day[None, :] - start[:, None]).astype(int)  # (p, d)

    # Five days on, two off, the days off staggered across staff.
    offset = rng.integers(0, 7, p)
    weekday = (np.arange(d)[None, :] + offset[:, None]) % 7
    works = (weekday < 5) & (tenure >= 0)

    stress = tr["stress"].to_numpy()[:, None]
    cs = tr["cs_skill"].to_numpy()[:, None]
    tech = tr["tech_skill"].to_numpy()[:, None]
    sales_skill = tr["sales_skill"].to_numpy()[:, None]
    newness = np.exp(-np.maximum(tenure, 0) / RAMP_DAYS)

    def person(mean: float, sd: float) -> np.ndarray:
        return mean + rng.normal(0, sd, (p, 1))

    absent = rng.random((p, d)) < perf.absence_rate * np.exp(0.3 * stress)
    sched_h = staff["hours_per_day"].to_numpy()[:, None] * np.ones((1, d))
    scheduled = np.rint(sched_h * 3600).astype(np.int64)
    present = works & ~absent
    logged = np.where(present, np.rint(scheduled * np.clip(rng.normal(0.985, 0.02, (p, d)), 0.85, 1.05)), 0)
    adherence = np.clip(person(perf.adherence, 0.02) - 0.02 * stress + rng.normal(0, 0.025, (p, d)), 0.55, 0.99)
    adherent = np.where(present, np.rint(scheduled * adherence), 0)
    availability = np.clip(person(perf.availability, 0.006) + rng.normal(0, 0.006, (p, d)), 0.9, 0.999)
    available = np.rint(logged * availability)
    occupancy = np.clip(perf.occupancy + 0.02 * stress + rng.normal(0, 0.03, (p, d)), 0.5, 0.97)

    aht_factor = np.exp(-0.08 * (tech - 2) - 0.05 * (cs - 2) + rng.normal(0, 0.07, (p, 1)))
    aht = blended_aht(spec) * aht_factor * (1 + 0.45 * newness) * np.exp(rng.normal(0, 0.07, (p, d)))
    handled = rng.poisson(np.where(present, available * occupancy / aht, 0))
    handle_s = handled * aht
    talk = np.rint(handle_s * np.clip(rng.normal(TALK, 0.02, (p, d)), 0.5, 0.8)).astype(np.int64)
    hold = np.rint(handle_s * np.clip(rng.normal(HOLD, 0.01, (p, d)), 0.02, 0.15)).astype(np.int64)
    acw = np.maximum(np.rint(handle_s).astype(np.int64) - talk - hold, 0)

    qa_person = person(perf.qa, 0.025) + 0.03 * (cs - 2) - 0.015 * stress
    qa_evals = np.where(handled > 0, rng.binomial(1, QA_EVALS_PER_DAY, (p, d)), 0)
    qa_raw = np.clip(qa_person - 0.06 * newness + rng.normal(0, 0.05, (p, d)), 0.3, 1.0)
    auto_fail = rng.random((p, d)) < 0.01  # a compliance item failed: the form scores zero
    qa_score = np.where(qa_evals > 0, np.where(auto_fail, 0.0, np.round(qa_raw * 100, 1)), np.nan)

    fcr_p = np.clip(person(perf.fcr, 0.02) + 0.03 * (cs - 2) - 0.06 * newness, 0.3, 0.97)
    resolved = rng.binomial(handled, fcr_p)
    surveys = rng.binomial(handled, SURVEY_RATE)
    csat_p = np.clip(
        person(perf.csat, 0.02) + 0.5 * (fcr_p - perf.fcr) + 0.4 * (qa_person - perf.qa) - 0.01 * stress,
        0.2,
        0.99,
    )
    satisfied = rng.binomial(surveys, csat_p)
    eligible = rng.binomial(handled, perf.sales_eligible_share)
    conv = np.clip(perf.sales_conversion * np.exp(0.25 * (sales_skill - 2)) * (1 - 0.3 * newness), 0, 0.9)
    sales = rng.binomial(eligible, conv)

    rows, cols = np.nonzero(works)
    frame = pd.DataFrame(
        {
            "date": np.array([x.isoformat() for x in dates], dtype=object)[cols],
            "staff_id": staff["staff_id"].to_numpy()[rows],
            "scheduled_s": scheduled[rows, cols],
            "logged_in_s": logged[rows, cols].astype(np.int64),
            "adherent_s": adherent[rows, cols].astype(np.int64),
            "available_s": available[rows, cols].astype(np.int64),
            "handled": handled[rows, cols],
            "talk_s": talk[rows, cols],
            "hold_s": hold[rows, cols],
            "acw_s": acw[rows, cols],
            "qa_evals": qa_evals[rows, cols],
            "qa_score": qa_score[rows, cols],
            "fcr_resolved": resolved[rows, cols],
            "csat_surveys": surveys[rows, cols],
            "csat_satisfied": satisfied[rows, cols],
            "sales_eligible": eligible[rows, cols],
            "sales": sales[rows, cols],
        }
    )
    return frame.sort_values(["date", "staff_id"], kind="stable").reset_index(drop=True)


def _intraday_profile(open_h: int, close_h: int) -> np.ndarray:
    """Relative arrival rate per 30-minute interval of the opening hours: a morning and an afternoon peak."""
    t = np.arange(open_h * 2, close_h * 2) / 2 + 0.25
    shape = 0.25 + np.exp(-((t - 10.5) ** 2) / 3.0) + 0.85 * np.exp(-((t - 14.5) ** 2) / 4.0)
    shape += 0.35 * np.exp(-((t - 20.0) ** 2) / 3.0)
    return np.asarray(shape / shape.sum())


def build_intervals(spec: OrgSpec, seed: int, contacts: pd.DataFrame, days: int) -> pd.DataFrame:
    """Offered, answered and abandoned contacts per day, 30-minute interval and channel."""
    rng = stream(seed, "intervals")
    open_h, close_h = spec.open_hours
    profile = _intraday_profile(open_h, close_h)
    k = len(profile)
    labels = [f"{(open_h * 60 + 30 * i) // 60:02d}:{(30 * i) % 60:02d}" for i in range(k)]
    handled_by_day = contacts.groupby("date")["handled"].sum()
    dates = [x.isoformat() for x in dates_of(spec, days)]
    frames = []
    total_share = sum(c.share for c in spec.channels.values())
    for name, ch in spec.channels.items():
        abandon = {"voice": 0.05, "chat": 0.03, "email": 0.0}[name]
        daily = handled_by_day.reindex(dates, fill_value=0).to_numpy() * ch.share / total_share
        lam = daily[:, None] / (1 - abandon) * profile[None, :] * np.exp(rng.normal(0, 0.08, (days, k)))
        offered = rng.poisson(lam)
        # Abandonment and service level worsen in the peaks, where queues form.
        load = profile[None, :] / profile.max()
        abandoned = rng.binomial(offered, np.clip(abandon * (0.5 + load), 0, 0.5))
        answered = offered - abandoned
        in_sl = rng.binomial(answered, np.clip(0.97 - 0.25 * load + rng.normal(0, 0.03, (days, k)), 0.3, 1.0))
        aht = np.rint(ch.aht_seconds * np.exp(rng.normal(0, 0.06, (days, k))))
        frames.append(
            pd.DataFrame(
                {
                    "date": np.repeat(dates, k),
                    "interval_start": np.tile(labels, days),
                    "channel": name,
                    "offered": offered.reshape(-1),
                    "answered": answered.reshape(-1),
                    "abandoned": abandoned.reshape(-1),
                    "answered_in_sl": in_sl.reshape(-1),
                    "aht_s": np.where(answered > 0, aht, 0).reshape(-1).astype(np.int64),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["date", "interval_start", "channel"], kind="stable").reset_index(drop=True)
