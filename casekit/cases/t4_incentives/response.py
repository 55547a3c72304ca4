"""How the simulated staff respond to an incentive scheme (P4.3): contacts for the months after the world.

The model, per handling agent (simple, explicit and monotone; every constant is named below):

1. Baseline: each person's latent means (AHT, adherence when present, availability, occupancy, FCR, CSAT, QA form
   score, sales conversion, absence) are their ratios over the baseline window (the world's last three months), the
   noisy ones shrunk towards the centre (``PSEUDO`` observations). Day-level noise is drawn as in
   ``casekit/scenario/contacts.py``; the new-starter ramp is not continued (people keep their recent level).
2. Strength per KPI and person = the marginal money the scheme pays for a 100 % relative improvement of that KPI,
   over the person's monthly base pay: scorecard ``pay x weight x achievement`` (0 at the achievement cap),
   commission ``pay x monthly sales`` (0 at the component cap), threshold, tier, gate: the money on offer when the
   person is below it but within ``REACH`` (10 %) of it, competition ``pay x top_n / eligible``; a team-level
   measure counts ``TEAM_SIGHT`` of that; beyond reach of a gate the component is given up; over
   ``cap_per_person`` cash strengths are scaled by cap / money on offer.
3. Effort: each paid latent moves in the good direction by ``GAIN x min(EFFORT_CAP, log1p(strength / REF))``.
4. Gaming: a paid speed or volume KPI (aht_s, handled, contacts_per_hour) with no qa/fcr/csat measure or gate for
   the same person shortens calls further and lowers FCR, QA and CSAT (``GAMING``); a commission without a QA gate
   lowers QA. Unpaid latents drift worse by ``ATTENTION x GAIN`` as total strength approaches ``HEAVY``.
   CSAT then follows FCR and QA as in contacts.py (0.5 dFCR + 0.4 dQA).
5. Bunching: a person whose baseline is below an individual threshold, tier or gate by less than ``BAND`` (5 %)
   moves to ``MARGIN`` above it (never down). Same world and scheme give the same frame (the random stream is
   named after a hash of the scheme's JSON); a different scheme gives another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import numpy as np
import pandas as pd

from casekit.cases.t4_incentives.baseline import (
    AUTO_FAIL,
    BASELINE_MONTHS,
    WORKDAYS_PER_MONTH,
    baseline_window,
    implied,
    latent_for,
    latents,
    window_sums,
)
from casekit.cases.t4_incentives.scheme import KPI_DIRECTIONS, Component, Scheme
from casekit.errors import UsageError
from casekit.i18n import t
from casekit.months import start_of_next_month
from casekit.scenario.contacts import HANDLING_ROLES, HOLD, QA_EVALS_PER_DAY, SURVEY_RATE, TALK
from casekit.scenario.rng import stream
from casekit.scenario.world import World

__all__ = [
    "BAND",
    "BASELINE_MONTHS",
    "LATENT_OF",
    "baseline_window",
    "quality_binds",
    "response_plan",
    "scheme_digest",
    "simulate_response",
]

REF = 0.02  # strength (share of monthly base pay) at which effort reaches log(2)
EFFORT_CAP = float(np.log1p(0.25 / REF))  # money beyond 25 % of base pay buys no more effort
TEAM_SIGHT = 0.25  # a person's line of sight to a team-level measure
REACH = 0.10  # below a threshold by up to 10 % of it: worth trying for
BAND = 0.05  # below a threshold by up to 5 % of it: bunch just above it
MARGIN = BAND / 2  # where bunchers aim: this far past the threshold
ATTENTION, HEAVY = 0.4, 0.10  # unpaid KPIs drift worse by ATTENTION x GAIN when strength nears HEAVY
# Effort gain per unit of effort: ("rel", x) multiplies the latent by 1 + x, ("abs", x) adds x (QA in points).
GAIN: dict[str, tuple[str, float]] = {
    "aht": ("rel", -0.03),
    "adh": ("abs", 0.012),
    "avail": ("abs", 0.003),
    "fcr": ("abs", 0.012),
    "csat": ("abs", 0.012),
    "qa": ("abs", 1.5),
    "conv": ("rel", 0.08),
}
GAMING = {"aht": -0.04, "fcr": -0.02, "qa": -2.0, "csat": -0.01, "sales_qa": -1.5}  # per unit of gaming effort
LIMITS = {
    "aht": (60.0, 3600.0),
    "adh": (0.55, 0.99),
    "avail": (0.9, 0.999),
    "fcr": (0.3, 0.97),
    "csat": (0.2, 0.99),
    "qa": (30.0, 100.0),
    "conv": (0.0, 0.9),
}
QUALITY = ("qa", "fcr", "csat")
LATENT_OF = {k: "aht" for k in ("aht_s", "handled", "contacts_per_hour")} | {k: k for k in QUALITY}
LATENT_OF |= {"adherence": "adh", "availability": "avail", "conversion": "conv", "sales": "conv"}  # KPI -> latent
_RATE_KPIS = ("aht_s", "adherence", "availability", "fcr", "csat", "qa", "conversion", "contacts_per_hour")


def scheme_digest(scheme: Scheme) -> str:
    """A short hash of the scheme's JSON: names its random stream."""
    return hashlib.sha256(scheme.model_dump_json().encode("utf-8")).hexdigest()[:16]


def _achievement(value: np.ndarray, target: float, kpi: str) -> np.ndarray:
    return np.asarray(value / target if KPI_DIRECTIONS[kpi] > 0 else target / value, dtype=float)


def _gap(value: np.ndarray, threshold: float, kpi: str) -> np.ndarray:
    """How far ``value`` is short of ``threshold`` as a share of it (<= 0: reached)."""
    return np.asarray((threshold - value) / threshold * KPI_DIRECTIONS[kpi], dtype=float)


def quality_binds(c: Component, value: Callable[[str, str], np.ndarray], p: int) -> np.ndarray:
    """Per person: whether the component's quality constraint can change their pay, at their baseline. A quality
    gate (or a quality threshold or tier) binds a person below it or less than ``REACH`` above it, since that is
    what rushing or a bad month costs; a quality weight binds a person who scores under the achievement cap or
    less than ``REACH`` above it. A target every agent exceeds many times over binds nobody: it is no constraint,
    and the simulated team treats it so (it does not stop rushing) as the checks do (``quality_gated``)."""
    binds = np.zeros(p, dtype=bool)
    for g in c.gates:
        if g.kpi in QUALITY:
            binds |= _gap(value(g.kpi, "individual"), g.threshold, g.kpi) >= -REACH
    if c.type == "commission":
        return binds
    for m in c.measures:
        if m.kpi not in QUALITY:
            continue
        v = value(m.kpi, m.level)
        if c.type in ("scorecard", "team_bonus"):
            binds |= np.nan_to_num(_achievement(v, m.target, m.kpi), nan=np.inf) < c.achievement_cap * (1 + REACH)
        else:
            thresholds = [b.threshold for b in c.bands] if c.type == "tiered" else [m.target]
            for threshold in thresholds:
                binds |= np.nan_to_num(_gap(v, threshold, m.kpi), nan=-np.inf) >= -REACH
    return binds


def _offer(c: Component, rate: np.ndarray, ach: list[np.ndarray], sales: np.ndarray, n_elig: int) -> np.ndarray:
    """Money a component puts on offer per person and month at baseline (gates ignored)."""
    if c.type == "commission":
        raw = rate * sales
    elif c.type in ("scorecard", "team_bonus"):
        raw = rate * sum(m.weight * np.minimum(a, c.achievement_cap) for m, a in zip(c.measures, ach, strict=True))
    elif c.type == "tiered":
        raw = rate * max(b.fraction for b in c.bands)
    elif c.type == "non_cash" and c.non_cash_kind == "competition":
        raw = rate * min(1.0, (c.top_n or 1) / max(n_elig, 1))
    else:
        raw = rate.copy()
    return np.asarray(raw if c.cap is None else np.minimum(raw, c.cap), dtype=float)


def response_plan(world: World, scheme: Scheme) -> pd.DataFrame:
    """Per handling person: baseline latent means (``*_0``), planned means under the scheme, strengths (``s_*``),
    and flags; noise-free, so comparisons between schemes are exact."""
    staff = world.tables["staff"]
    people = staff[staff["role"].isin(HANDLING_ROLES)].reset_index(drop=True)
    ids = people["staff_id"]
    window = baseline_window(world.tables["contacts"])
    sums = window_sums(window, ids)
    L0 = latents(sums, sums.sum())
    p = len(people)
    hours = people["hours_per_day"].to_numpy(dtype=float)
    hourly = (people["pay_basis"] == "hourly").to_numpy()
    base = people["base_pay"].to_numpy(dtype=float) * np.where(hourly, hours * WORKDAYS_PER_MONTH, 1.0)
    frame = window.merge(staff[["staff_id", "team"]], on="staff_id", how="left")
    tsums = _team_sums(frame)
    team_L = latents(tsums.reset_index(drop=True), tsums.sum())
    team_idx = pd.Index(tsums.index).get_indexer(people["team"])
    team_size = people["team"].value_counts().reindex(tsums.index).fillna(0).to_numpy(dtype=float)

    def value(kpi: str, level: str) -> np.ndarray:
        if level == "team":
            v = implied(kpi, team_L, np.full(len(team_size), hours.mean()))
            v = v * team_size if kpi in ("handled", "sales") else v
            return np.asarray(np.where(team_idx >= 0, v[np.maximum(team_idx, 0)], np.nan), dtype=float)
        return implied(kpi, L0, hours)

    roles = staff["role"].to_numpy()
    sales = implied("sales", L0, hours)
    strength = {k: np.zeros(p) for k in GAIN}
    paid = {k: np.zeros(p, dtype=bool) for k in GAIN}  # a measure or gate on the latent for this person
    quality = np.zeros(p, dtype=bool)
    ungated_sales = np.zeros(p)
    bunch: dict[str, np.ndarray] = {}

    def aim(kpi: str, threshold: float, who: np.ndarray) -> None:
        """Record that ``who`` bunch just past ``threshold`` (the most demanding such target wins)."""
        if kpi in _RATE_KPIS and who.any():
            d = KPI_DIRECTIONS[kpi]
            new = np.where(who, threshold * (1 + d * MARGIN), np.nan)
            old = bunch.get(kpi, np.full(p, np.nan))
            bunch[kpi] = np.where(np.isnan(old), new, np.where(np.isnan(new), old, d * np.fmax(d * old, d * new)))

    binding: dict[int, np.ndarray] = {}  # component index -> per person: its quality constraint can cut their pay
    comps = []
    for i, c in enumerate(scheme.components):
        binding[i] = quality_binds(c, value, p)
        rate = people["role"].map({k: float(v) for k, v in c.pay.items()}).fillna(0.0).to_numpy(dtype=float)
        n_elig = int(np.isin(roles, list(c.pay)).sum())
        ach = [np.nan_to_num(_achievement(value(m.kpi, m.level), m.target, m.kpi)) for m in c.measures]
        comps.append((c, rate, ach, _offer(c, rate, ach, sales, n_elig), n_elig))
    cash = sum((o for c, _, _, o, _ in comps if c.type != "non_cash"), start=np.zeros(p))
    scale = np.ones(p)
    if scheme.cap_per_person is not None:
        scale = np.where(cash > scheme.cap_per_person, scheme.cap_per_person / np.maximum(cash, 1e-9), 1.0)

    for i, (c, rate, ach, offer, n_elig) in enumerate(comps):
        on = rate > 0
        binds = on & binding[i]
        per_base = (scale if c.type != "non_cash" else 1.0) / base  # money -> strength
        active = on.copy()
        for g in c.gates:
            paid[LATENT_OF[g.kpi]] |= on
            quality |= binds & (g.kpi in QUALITY)  # a gate nobody comes near stops no one rushing
            gap = _gap(value(g.kpi, "individual"), g.threshold, g.kpi)
            trying = on & (gap > 0) & (gap <= REACH)
            strength[LATENT_OF[g.kpi]] += np.where(trying, offer * per_base, 0.0)
            aim(g.kpi, g.threshold, trying & (gap <= BAND))
            active &= gap <= REACH  # beyond reach of a gate the component is given up
        open_cap = np.ones(p, dtype=bool) if c.cap is None else offer < c.cap
        for m, a in zip(c.measures, ach, strict=True) if c.type != "commission" else ():  # a commission pays sales
            paid[LATENT_OF[m.kpi]] |= on
            quality |= binds & (m.kpi in QUALITY)
            if c.type in ("scorecard", "team_bonus"):
                s = rate * m.weight * a * (a < c.achievement_cap) * open_cap
            elif c.type == "non_cash" and c.non_cash_kind == "competition":
                s = rate * min(1.0, (c.top_n or 1) / max(n_elig, 1))
            else:  # threshold bonus, tiers, time off and recognition: the next step within reach
                v = value(m.kpi, m.level)
                steps = [(b.threshold, b.fraction) for b in c.bands] if c.type == "tiered" else [(m.target, 1.0)]
                got = np.max([np.where(_gap(v, t, m.kpi) <= 0, f, 0.0) for t, f in steps], axis=0)
                s = np.zeros(p)
                for thr, frac in steps:
                    gap = _gap(v, thr, m.kpi)
                    near = (gap > 0) & (gap <= REACH) & (frac > got)
                    s = np.maximum(s, np.where(near, rate * (frac - got), 0.0))
                    if m.level == "individual":
                        aim(m.kpi, thr, active & near & (gap <= BAND))
            sight = TEAM_SIGHT if m.level == "team" else 1.0
            strength[LATENT_OF[m.kpi]] += np.where(active, s * sight * per_base, 0.0)
        if c.type == "commission":
            paid["conv"] |= on
            s = np.where(active & open_cap, rate * sales * per_base, 0.0)
            strength["conv"] += s
            qa_gate = any(g.kpi == "qa" for g in c.gates)
            ungated_sales += np.where(qa_gate & binds, 0.0, s)

    def effort(s: np.ndarray) -> np.ndarray:
        return np.minimum(EFFORT_CAP, np.log1p(s / REF))

    L = {k: v.copy() for k, v in L0.items()}
    total = sum(strength.values(), start=np.zeros(p))
    for k, (mode, gain) in GAIN.items():
        e = effort(strength[k]) - np.where(paid[k], 0.0, ATTENTION * np.minimum(1.0, total / HEAVY))
        L[k] = L[k] * (1 + gain * e) if mode == "rel" else L[k] + gain * e
    gaming = (strength["aht"] > 0) & ~quality
    rush = np.where(gaming, effort(strength["aht"]), 0.0)
    L["aht"] = L["aht"] * (1 + GAMING["aht"] * rush)
    for k in ("fcr", "qa", "csat"):
        L[k] = L[k] + GAMING[k] * rush
    L["qa"] = L["qa"] + GAMING["sales_qa"] * effort(ungated_sales)
    L["csat"] = L["csat"] + 0.5 * (L["fcr"] - L0["fcr"]) + 0.4 * (L["qa"] - L0["qa"]) / 100
    for kpi, target in bunch.items():
        lat = LATENT_OF[kpi]
        want = latent_for(kpi, np.nan_to_num(target, nan=1.0), L)
        best = np.minimum(L[lat], want) if lat == "aht" else np.maximum(L[lat], want)
        L[lat] = np.where(np.isnan(target), L[lat], best)
    for k, (lo, hi) in LIMITS.items():
        L[k] = np.clip(L[k], lo, hi)

    out = pd.DataFrame({"staff_id": ids, "role": people["role"], "team": people["team"], "base_month": base})
    for k in L0:
        out[f"{k}_0"] = L0[k]
        out[k] = L[k]
    for k in GAIN:
        out[f"s_{k}"] = strength[k]
    for i in binding:
        out[f"quality_binds_{i}"] = (comps[i][1] > 0) & binding[i]
    out["gaming"] = gaming
    out["bunching"] = np.zeros(p, dtype=bool)
    for target in bunch.values():
        out["bunching"] |= ~np.isnan(target)
    return out


def _team_sums(frame: pd.DataFrame) -> pd.DataFrame:
    teams = pd.Series(sorted(frame["team"].dropna().unique()))
    sums = window_sums(frame.assign(staff_id=frame["team"]), teams)
    return sums.set_index(pd.Index(teams))


def _month_dates(last: dt.date, months: int) -> list[dt.date]:
    first = start_of_next_month(last)
    end = pd.Timestamp(first) + pd.DateOffset(months=months)
    return [x.date() for x in pd.date_range(first, end - pd.Timedelta(days=1), freq="D")]


def simulate_response(world: World, scheme: Scheme, months: int = 3) -> pd.DataFrame:
    """Contacts (same columns and dtypes as ``world.contacts``) for the ``months`` calendar months after the
    world's last day, produced by the world's own agents under ``scheme``; see the module docstring."""
    if not isinstance(months, int) or months < 1:
        raise UsageError(t("t4review.bad_months", None, months=months))
    contacts = world.tables["contacts"]
    plan = response_plan(world, scheme)
    rng = stream(world.seed, f"t4.response.{scheme_digest(scheme)}.{months}")
    dates = _month_dates(dt.date.fromisoformat(str(contacts["date"].max())), months)
    p, d = len(plan), len(dates)
    staff = world.tables["staff"].set_index("staff_id").loc[plan["staff_id"]]

    # Each person keeps the weekdays they worked in the world (ties and newcomers: at random).
    wd = pd.to_datetime(contacts["date"]).dt.day_of_week
    counts = pd.crosstab(contacts["staff_id"], wd).reindex(index=plan["staff_id"], columns=range(7), fill_value=0)
    score = counts.to_numpy(dtype=float) + rng.random((p, 7)) * 0.5
    workdays = np.argsort(-score, axis=1)[:, :5]
    on_weekday = np.zeros((p, 7), dtype=bool)
    np.put_along_axis(on_weekday, workdays, True, axis=1)
    day = np.array(dates, dtype="datetime64[D]")
    hired = np.array(staff["hire_date"].tolist(), dtype="datetime64[D]")
    weekday = np.array([x.weekday() for x in dates])
    works = on_weekday[:, weekday] & (day[None, :] >= hired[:, None])

    def col(name: str) -> np.ndarray:
        return plan[name].to_numpy(dtype=float)[:, None]

    absent = rng.random((p, d)) < col("absence")
    scheduled = np.rint(staff["hours_per_day"].to_numpy(dtype=float)[:, None] * 3600 * np.ones((1, d)))
    scheduled = scheduled.astype(np.int64)
    present = works & ~absent
    logged = np.where(present, np.rint(scheduled * np.clip(col("logged") + rng.normal(0, 0.02, (p, d)), 0.85, 1.05)), 0)
    adherence = np.clip(col("adh") + rng.normal(0, 0.025, (p, d)), 0.55, 0.99)
    adherent = np.where(present, np.rint(scheduled * adherence), 0)
    available = np.rint(logged * np.clip(col("avail") + rng.normal(0, 0.006, (p, d)), 0.9, 0.999))
    occupancy = np.clip(col("occ") + rng.normal(0, 0.03, (p, d)), 0.5, 0.97)
    aht = col("aht") * np.exp(rng.normal(0, 0.07, (p, d)))
    handled = rng.poisson(np.where(present, available * occupancy / aht, 0))
    handle_s = handled * aht
    talk = np.rint(handle_s * np.clip(rng.normal(TALK, 0.02, (p, d)), 0.5, 0.8)).astype(np.int64)
    hold = np.rint(handle_s * np.clip(rng.normal(HOLD, 0.01, (p, d)), 0.02, 0.15)).astype(np.int64)
    acw = np.maximum(np.rint(handle_s).astype(np.int64) - talk - hold, 0)
    qa_evals = np.where(handled > 0, rng.binomial(1, QA_EVALS_PER_DAY, (p, d)), 0)
    qa_raw = np.clip(col("qa") / 100 + rng.normal(0, 0.05, (p, d)), 0.3, 1.0)
    auto_fail = rng.random((p, d)) < AUTO_FAIL
    qa_score = np.where(qa_evals > 0, np.where(auto_fail, 0.0, np.round(qa_raw * 100, 1)), np.nan)
    resolved = rng.binomial(handled, np.broadcast_to(col("fcr"), (p, d)))
    surveys = rng.binomial(handled, SURVEY_RATE)
    satisfied = rng.binomial(surveys, np.broadcast_to(col("csat"), (p, d)))
    eligible = rng.binomial(handled, np.broadcast_to(col("elig"), (p, d)))
    sales = rng.binomial(eligible, np.broadcast_to(col("conv"), (p, d)))

    rows, cols = np.nonzero(works)
    cells = {
        "scheduled_s": scheduled,
        "logged_in_s": logged,
        "adherent_s": adherent,
        "available_s": available,
        "handled": handled,
        "talk_s": talk,
        "hold_s": hold,
        "acw_s": acw,
        "qa_evals": qa_evals,
        "qa_score": qa_score,
        "fcr_resolved": resolved,
        "csat_surveys": surveys,
        "csat_satisfied": satisfied,
        "sales_eligible": eligible,
        "sales": sales,
    }
    data = {k: v[rows, cols] for k, v in cells.items()}
    data["date"] = np.array([x.isoformat() for x in dates], dtype=object)[cols]
    data["staff_id"] = plan["staff_id"].to_numpy()[rows]
    frame = pd.DataFrame({k: data[k] for k in contacts.columns}).astype(contacts.dtypes.to_dict())
    return frame.sort_values(["date", "staff_id"], kind="stable").reset_index(drop=True)
