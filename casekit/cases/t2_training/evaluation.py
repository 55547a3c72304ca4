"""The three months after the training plan, simulated, and their evaluation: Kirkpatrick's four levels and the
Phillips ROI of an offer.

The simulation (every number in ``casekit/data/training_value.yaml``, each a convention of the simulation):

- Levels (Kirkpatrick L2). The truth of the world is what training meets: ``before`` is the person's true current
  level (``truth["skills_current"]``), whatever the audit recorded. A booking of a person on an offer raises each
  covered skill the person's role requires and the person truly lacks, by a level with the offer type's
  ``step_chance`` (a vendor course can win a second level); a skill never rises above the required level, and a
  person with no gap gains nothing. Several bookings on one skill count in week order until the gap is closed.
- KPIs (L3, L4). Month 0 is each handling person's baseline from the world's contacts (:func:`casekit.kpi.kpis`:
  QA = QA points / evaluations, FCR = resolved / handled, AHT = (talk + hold + ACW) / handled). In months 1-3 each
  level gained in a linked skill moves QA (points), FCR (share) or AHT (relative) by its ``per_level``, scaled by
  the share of the month after the training week; every person's KPIs also wobble by normal noise, trained or not.
- Reaction (L1). Of the people booked on a session, some answer the survey (``response_rate``): the offer type's
  base score, up when the session covers a skill the person lacks, down when it covers none, plus noise, rounded
  and kept within 1..5.
- Common random numbers: every draw of a booking comes from its own stream keyed by (world seed, staff id, offer
  id), and every person's noise from one keyed by (seed, staff id, "kpi"): the stream is BLAKE2b of the key's text
  and a block counter, read as 64-bit words (53 bits each make a uniform in [0, 1); normals by Box-Muller). So the
  same person on the same offer gets the same draws whatever else is booked, and the same inputs give the same
  outcome, on any machine.
- The outcome does not depend on how the audit handled the data problems: the audit gives the rows (person x
  required skill), the truth gives the levels. A grader recomputes it from the world and the plan alone.

Phillips ROI of an offer: benefits are monetised over the three months for the handling people booked on it. A
person's change from month 0 is isolated from the general drift by the control group (the change of the untrained
people, averaged, is taken off), AHT seconds saved x contacts x ``handled_hour_cost`` / 3600 plus FCR gain x contacts x
``repeat_contact_cost``; a person booked on several offers shares their change among them in proportion to the
levels each offer won in the skills linked to that KPI (equally when none won any). Fully loaded costs are the
fees plus the paid hours in training at the person's hourly cost (monthly base pay x 12 / (52 x 5 x hours a day),
or the hourly rate, plus ``employer_on_cost``). ROI % = (benefits − costs) / costs x 100. QA gains are not
monetised: Phillips counts them among the intangible benefits, reported beside the ROI, not in it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from casekit.cases.t2_training import schedule
from casekit.cases.t2_training.audit import Audit, pair_codes, true_levels
from casekit.cases.t2_training.value import KPIS, TrainingValue, load_training_value
from casekit.errors import ProblemCollector
from casekit.kpi import kpis
from casekit.scenario import World

__all__ = [
    "KIRKPATRICK",
    "MEASURES",
    "MONTHS",
    "Roi",
    "TrainingOutcome",
    "hourly_cost",
    "load_training_value",
    "phillips_roi",
    "simulate_training",
]

#: Kirkpatrick's four levels and the measures that fit each.
KIRKPATRICK: Final = {
    "L1": ("reaction_survey",),
    "L2": ("post_assessment",),
    "L3": ("qa_score",),
    "L4": ("fcr", "aht", "csat"),
}
MEASURES: Final = tuple(m for level in KIRKPATRICK.values() for m in level)
#: Months simulated after the plan (the quarter); month 0 is the baseline.
MONTHS: Final = 3
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: Uniforms per booking: two per covered skill (four slots), one for answering the survey, two for its noise.
_DRAWS: Final = 11
_SLOTS: Final = 4
_ANSWER, _SCORE = 8, 9


@dataclass(frozen=True)
class TrainingOutcome:
    """The simulated quarter after a plan (the method is the module's).

    ``levels_after``: ``staff_id, skill_id, before, after`` per person x required skill (true levels);
    ``gains``: ``staff_id, offer_id, skill_id, week, gain`` per booking (person x offer, its first week) and covered
    skill the person's role requires, with the levels it won (0 when none);
    ``months``: ``staff_id, month (0..3), qa, fcr, aht_s, contacts (a month's), trained`` per handling person;
    ``reaction``: ``session_id, offer_id, booked, responses, mean`` per session booked (mean NaN without answers).
    """

    levels_after: pd.DataFrame = field(repr=False, compare=False)
    gains: pd.DataFrame = field(repr=False, compare=False)
    months: pd.DataFrame = field(repr=False, compare=False)
    reaction: pd.DataFrame = field(repr=False, compare=False)


@dataclass(frozen=True)
class Roi:
    """The Phillips ROI of one offer: benefits and fully loaded costs (NT$) over the three months, ROI in %, and
    how many people the offer trained."""

    benefits: float
    costs: float
    roi_percent: float
    offer_id: str = ""
    people: int = 0


def _uniforms(seed: int, keys: Iterable[tuple[str, str]], n: int) -> FloatArray:
    """``n`` uniforms in [0, 1) per key from the key's own stream: BLAKE2b of "seed, key, block", 8 words a block."""
    blocks = -(-n // 8)
    texts = [f"{int(seed)}\x1f{a}\x1f{b}\x1f{block}" for a, b in keys for block in range(blocks)]
    data = b"".join(hashlib.blake2b(text.encode("utf-8"), digest_size=64).digest() for text in texts)
    words = np.frombuffer(data, dtype="<u8").reshape(-1, blocks * 8)[:, :n]
    uniforms: FloatArray = (words >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return uniforms


def _normal(u1: FloatArray, u2: FloatArray) -> FloatArray:
    """Standard normal draws from two uniforms (Box-Muller)."""
    result: FloatArray = np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)
    return result


def _bookings(plan: pd.DataFrame) -> tuple[pd.DataFrame, IntArray]:
    """One row per person and offer booked, in the order first booked (``staff_id, offer_id, offer_type, skills,
    week`` = the first week), and the booking of every plan row."""
    staff, _ = pd.factorize(plan["staff_id"])
    offer, names = pd.factorize(plan["offer_id"])
    _, first, inverse = np.unique(staff * max(len(names), 1) + offer, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    at = rank[inverse].astype(np.int64)
    week = np.full(len(order), np.iinfo(np.int64).max)
    np.minimum.at(week, at, plan["week"].to_numpy(dtype=np.int64))
    chosen = plan.iloc[first[order]][["staff_id", "offer_id", "offer_type", "skills"]]
    return chosen.reset_index(drop=True).assign(week=week), at


def _gains(world: World, bookings: pd.DataFrame, rows: pd.Index, gap: IntArray, draws: FloatArray) -> pd.DataFrame:
    """Every booking x covered skill the person's role requires (``row``: its row of the audit): the levels won,
    counted in week order (booking order within a week) per person and skill and capped at the true gap."""
    lists = [str(s).split(";") for s in bookings["skills"]]
    counts = np.array([len(x) for x in lists], dtype=np.int64)
    booking = np.repeat(np.arange(len(lists)), counts)
    skill = np.array([k for x in lists for k in x], dtype=object)
    slot = np.minimum(np.arange(len(booking)) - np.repeat(np.cumsum(counts) - counts, counts), _SLOTS - 1)
    staff = bookings["staff_id"].to_numpy(dtype=object)[booking]
    row = rows.get_indexer(pd.Index(pair_codes(world, staff, skill)))
    keep = row >= 0
    booking, skill, slot, staff, row = booking[keep], skill[keep], slot[keep], staff[keep], row[keep]
    learning = load_training_value().learning
    kind = bookings["offer_type"].to_numpy(dtype=object)[booking]
    chance = np.array([learning[str(k)].step_chance for k in kind], dtype=float)
    two = np.array([learning[str(k)].max_steps >= 2 for k in kind], dtype=bool)
    first = draws[booking, 2 * slot] < chance
    raw = first.astype(np.int64) + (first & two & (draws[booking, 2 * slot + 1] < chance))
    week = bookings["week"].to_numpy(dtype=np.int64)[booking]
    order = np.lexsort((booking, week, row))
    r, g = row[order], raw[order]
    start = np.ones(len(r), dtype=bool)
    start[1:] = r[1:] != r[:-1]
    head = np.maximum.accumulate(np.where(start, np.arange(len(r)), 0))
    total = np.cumsum(g)
    capped = np.minimum(total - total[head] + g[head], gap[r])
    previous = np.zeros_like(capped)
    previous[1:] = capped[:-1]
    gain = np.empty_like(capped)
    gain[order] = capped - np.where(start, 0, previous)
    offers = bookings["offer_id"].to_numpy(dtype=object)[booking]
    columns = {"staff_id": staff, "offer_id": offers, "skill_id": skill, "week": week, "gain": gain}
    return pd.DataFrame({**columns, "booking": booking, "row": row, "lacked": gap[row] > 0})


def _baseline(world: World) -> pd.DataFrame:
    """Month 0 per handling person: QA, FCR and AHT from the contacts (:func:`casekit.kpi.kpis`) and the contacts
    they handle in a month (handled / the history's months)."""
    found = kpis(world.contacts, "staff_id")
    found = found[found["handled"] > 0]
    months = world.days * 12 / 365.25
    return pd.DataFrame(
        {
            "staff_id": found.index.astype(str),
            **{k: found[k].to_numpy(dtype=float) for k in ("qa", "fcr", "aht_s")},
            "contacts": found["handled"].to_numpy(dtype=float) / months,
        }
    )


def _effects(gains: pd.DataFrame, people: pd.Index, weeks: int, value: TrainingValue) -> dict[str, FloatArray]:
    """Per KPI, each person's change in months 1..3 from the levels gained: per level x the share of the month
    after the training week (a month is a third of the quarter's weeks)."""
    won = gains[gains["gain"] > 0]
    row = people.get_indexer(pd.Index(won["staff_id"]))
    won, row = won[row >= 0], row[row >= 0]
    span = weeks / MONTHS
    ends = np.arange(1, MONTHS + 1) * span
    share = np.clip((ends[None, :] - won["week"].to_numpy(dtype=float)[:, None]) / span, 0.0, 1.0)
    out = {}
    for kpi in KPIS:
        effect = value.kpi_effects[kpi]
        step = won["skill_id"].isin(effect.skills).to_numpy() * won["gain"].to_numpy(dtype=float) * effect.per_level
        total = np.zeros((len(people), MONTHS))
        np.add.at(total, row, step[:, None] * share)
        out[kpi] = total
    return out


def _months(world: World, gains: pd.DataFrame, trained: set[str], value: TrainingValue) -> pd.DataFrame:
    base = _baseline(world)
    people = pd.Index(base["staff_id"])
    effects = _effects(gains, people, len(world.weeks), value)
    noise = _uniforms(world.seed, [(s, "kpi") for s in people.tolist()], 2 * MONTHS * len(KPIS))
    z = _normal(noise[:, 0::2], noise[:, 1::2]).reshape(len(people), MONTHS, len(KPIS))
    sd = [value.kpi_effects[k].noise_sd for k in KPIS]
    qa0, fcr0, aht0 = (base[k].to_numpy()[:, None] for k in ("qa", "fcr", "aht_s"))
    later = {
        "qa": np.clip(qa0 + effects["qa"] + sd[0] * z[:, :, 0], 0.0, 100.0),
        "fcr": np.clip(fcr0 + effects["fcr"] + sd[1] * z[:, :, 1], 0.0, 1.0),
        "aht_s": aht0 * np.maximum(1.0 + effects["aht"] + sd[2] * z[:, :, 2], 0.5),
    }
    first = {"qa": qa0, "fcr": fcr0, "aht_s": aht0}
    n = MONTHS + 1
    return pd.DataFrame(
        {
            "staff_id": np.repeat(people.to_numpy(dtype=object), n),
            "month": np.tile(np.arange(n), len(people)),
            **{k: np.column_stack([first[k], v]).ravel() for k, v in later.items()},
            "contacts": np.repeat(base["contacts"].to_numpy(), n),
            "trained": np.repeat(people.isin(trained), n),
        }
    )


def _reaction(plan: pd.DataFrame, at: IntArray, gains: pd.DataFrame, draws: FloatArray) -> pd.DataFrame:
    """The L1 survey of every session booked: ``session_id, offer_id, booked, responses, mean``, by session id."""
    reaction = load_training_value().reaction
    lacked = np.zeros(draws.shape[0], dtype=bool)
    lacked[gains.loc[gains["lacked"], "booking"].to_numpy(dtype=np.int64)] = True
    base = np.array([reaction.base[str(k)] for k in plan["offer_type"]], dtype=float)
    noise = reaction.noise_sd * _normal(draws[at, _SCORE], draws[at, _SCORE + 1])
    score = np.clip(np.round(base + np.where(lacked[at], reaction.relevant, reaction.irrelevant) + noise), 1, 5)
    answered = draws[at, _ANSWER] < reaction.response_rate
    code, sessions = pd.factorize(plan["session_id"], sort=True)
    offer = np.empty(len(sessions), dtype=object)
    offer[code] = plan["offer_id"].to_numpy(dtype=object)
    responses = np.bincount(code, weights=answered, minlength=len(sessions))
    points = np.bincount(code, weights=np.where(answered, score, 0.0), minlength=len(sessions))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(responses > 0, points / responses, np.nan)
    booked = np.bincount(code, minlength=len(sessions))
    return pd.DataFrame(
        {
            "session_id": np.asarray(sessions, dtype=object),
            "offer_id": offer,
            "booked": booked.astype(np.int64),
            "responses": responses.astype(np.int64),
            "mean": mean,
        }
    )


def simulate_training(world: World, audit: Audit, rows: Iterable[schedule.PlanRow]) -> TrainingOutcome:
    """The three months after the plan ``rows`` ((staff_id, session_id) pairs), simulated as the module says;
    UsageError naming every malformed row, unknown person and unknown session."""
    value = load_training_value()
    plan = schedule.plan_frame(world, rows, where="simulate_training")
    gaps = audit.gaps
    truth = true_levels(world, gaps["staff_id"], gaps["skill_id"])
    known = np.where(np.isnan(truth), gaps["current"].to_numpy(dtype=float), truth)
    before = np.nan_to_num(known, nan=0.0).astype(np.int64)
    gap = np.maximum(gaps["required"].to_numpy(dtype=np.int64) - before, 0)
    index = pd.Index(pair_codes(world, gaps["staff_id"], gaps["skill_id"]))
    bookings, at = _bookings(plan)
    keys = zip(bookings["staff_id"].tolist(), bookings["offer_id"].tolist(), strict=True)
    draws = _uniforms(world.seed, keys, _DRAWS)
    gains = _gains(world, bookings, index, gap, draws)
    won = np.bincount(gains["row"].to_numpy(dtype=np.int64), weights=gains["gain"], minlength=len(gaps))
    after = before + won.astype(np.int64)
    levels_after = pd.DataFrame({"staff_id": gaps["staff_id"], "skill_id": gaps["skill_id"], "before": before})
    levels_after["after"] = after
    months = _months(world, gains, set(plan["staff_id"]), value)
    kept = ["staff_id", "offer_id", "skill_id", "week", "gain"]
    return TrainingOutcome(levels_after, pd.DataFrame(gains[kept]), months, _reaction(plan, at, gains, draws))


def hourly_cost(world: World) -> pd.Series:
    """Each person's fully loaded hourly cost, NT$, by staff id: monthly base pay x 12 / (52 x 5 x hours a day), or
    the hourly rate, plus the employer's on-costs (``employer_on_cost``)."""
    staff = world.staff.set_index("staff_id")
    pay = staff["base_pay"].astype(float)
    monthly = pay * 12 / (52 * 5 * staff["hours_per_day"].astype(float))
    rate = pay.where(staff["pay_basis"] == "hourly", monthly)
    return rate * (1.0 + load_training_value().value.employer_on_cost)


def phillips_roi(world: World, outcome: TrainingOutcome, rows: Iterable[schedule.PlanRow], offer_id: str) -> Roi:
    """The Phillips ROI of ``offer_id`` in the plan ``rows`` whose simulated quarter is ``outcome`` (the method is the
    module's); UsageError naming every problem (malformed rows, unknown ids, an offer not booked in the plan)."""
    check = ProblemCollector("phillips_roi")
    plan = schedule.plan_frame(world, rows, where="phillips_roi")
    offers = set(world.training["offer_id"])
    check.need(offer_id in offers, "offer_id", "t2logic.expect_known_offer", offer_id)
    booked_here = offer_id not in offers or offer_id in set(plan["offer_id"])
    check.need(booked_here, "offer_id", "t2logic.expect_booked", offer_id)
    check.raise_any()
    value = load_training_value().value
    mine = plan[plan["offer_id"] == offer_id]
    pay = hourly_cost(world).reindex(mine["staff_id"]).to_numpy(dtype=float)
    costs = float(mine["cost_per_person"].sum()) + float((mine["hours"].to_numpy(dtype=float) * pay).sum())
    months = outcome.months.sort_values(["staff_id", "month"], kind="mergesort")
    people = pd.Index(months["staff_id"].drop_duplicates())
    shape = (len(people), MONTHS + 1)
    control = ~months["trained"].to_numpy(dtype=bool).reshape(shape)[:, 0]
    change = {}
    for kpi in ("fcr", "aht_s"):
        level = months[kpi].to_numpy(dtype=float).reshape(shape)
        moved = level[:, 1:] - level[:, :1]
        drift = np.nanmean(moved[control], axis=0) if control.any() else np.zeros(MONTHS)
        change[kpi] = np.nansum(moved - np.nan_to_num(drift), axis=1)
    contacts = months["contacts"].to_numpy(dtype=float).reshape(shape)[:, 0]
    booked = mine["staff_id"].drop_duplicates()
    at = people.get_indexer(booked)
    booked, at = booked[at >= 0], at[at >= 0]
    share = {k: _attribution(outcome.gains, plan, booked, offer_id, k) for k in ("fcr", "aht")}
    saved = -change["aht_s"][at] * contacts[at] * value.handled_hour_cost / 3600
    repeats = change["fcr"][at] * contacts[at] * value.repeat_contact_cost
    benefits = float((share["aht"] * saved).sum() + (share["fcr"] * repeats).sum())
    roi = (benefits - costs) / costs * 100 if costs > 0 else float("nan")
    return Roi(benefits, costs, roi, offer_id, int(mine["staff_id"].nunique()))


def _attribution(gains: pd.DataFrame, plan: pd.DataFrame, booked: pd.Series, offer_id: str, kpi: str) -> FloatArray:
    """The share of each booked person's change in ``kpi`` credited to ``offer_id``: the levels it won in the linked
    skills over those all their offers won, or an equal share of their offers when none won any."""
    linked = gains[gains["skill_id"].isin(load_training_value().kpi_effects[kpi].skills)]
    total = linked.groupby("staff_id")["gain"].sum().reindex(booked, fill_value=0).to_numpy(dtype=float)
    own = linked[linked["offer_id"] == offer_id].groupby("staff_id")["gain"].sum()
    mine = own.reindex(booked, fill_value=0).to_numpy(dtype=float)
    offers = plan.groupby("staff_id")["offer_id"].nunique().reindex(booked).to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share: FloatArray = np.where(total > 0, mine / total, 1.0 / offers)
    return share
