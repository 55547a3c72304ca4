"""The skills inventory as HR holds it (T2): each person's record dated by its last assessment, with the data-quality
problems a real inventory has, and the true current levels behind them (the grader's truth).

- Every person's record carries the date of their last assessment: 1 to ``assessment_valid_months - 1`` months
  before ``spec.start_date`` (1-11 months when records are valid for 12).
- Stale: :data:`STALE_SHARE` of the staff were last assessed ``assessment_valid_months + 2`` to
  ``assessment_valid_months + 18`` months before (14-30 months): their recorded level is what they had then, and
  since then each required skill of their role has grown by 0 or 1 level (capped at 4).
- Missing: :data:`MISSING_SHARE` of the staff (none of them stale) have 1-3 of their role's required skills with
  no level recorded; the true level is the one the simulation drew.

All of it draws from the stream ``skills_quality``, after the levels are drawn: the levels themselves, and every other
table, are the same whether or not the problems are seeded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_roles
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec

__all__ = ["MISSING_SHARE", "QUALITY_STREAM", "STALE_SHARE", "SkillRecords", "build_skill_records", "months_before"]

QUALITY_STREAM: Final = "skills_quality"
#: Shares of the staff with missing levels and with an out-of-date record (at least one person each).
MISSING_SHARE: Final = 0.04
STALE_SHARE: Final = 0.08
#: How many of a person's required skills are missing (inclusive).
MISSING_SKILLS: Final = (1, 3)
#: Months after the validity a stale record is older than (inclusive range, added to assessment_valid_months).
STALE_EXTRA_MONTHS: Final = (2, 18)
#: The chance a stale person's required skill grew one level since the assessment.
GROWTH_CHANCE: Final = 0.5


@dataclass(frozen=True)
class SkillRecords:
    """``skills``: the published table (``staff_id, skill_id, category, proficiency`` nullable Int64,
    ``assessed_on`` ISO date); ``current``: the truth (``staff_id, skill_id, proficiency`` int, every row)."""

    skills: pd.DataFrame
    current: pd.DataFrame


def months_before(day: dt.date, months: int) -> dt.date:
    """The date ``months`` calendar months before ``day`` (the last day of a shorter month when it has no such day)."""
    stamp: pd.Timestamp = pd.Timestamp(day) - pd.DateOffset(months=months)
    return stamp.date()


def _dates(rng: np.random.Generator, start: dt.date, months: tuple[int, int], size: int) -> np.ndarray:
    """``size`` dates drawn uniformly from ``months[1]`` to ``months[0]`` calendar months before ``start``."""
    first, last = months_before(start, months[1]), months_before(start, months[0])
    offsets = rng.integers(0, (last - first).days + 1, size)
    return np.array([(first + dt.timedelta(days=int(d))).isoformat() for d in offsets], dtype=object)


def _count(share: float, n: int) -> int:
    return max(1, round(share * n)) if n else 0


def build_skill_records(spec: OrgSpec, seed: int, staff: pd.DataFrame, levels: pd.DataFrame) -> SkillRecords:
    """The published skills table and the true current levels, from the drawn ``levels`` (``staff_id, skill_id,
    category, proficiency``, one row per person and skill, people in ``staff``'s order)."""
    rng = stream(seed, QUALITY_STREAM)
    valid = spec.training.assessment_valid_months
    n = len(staff)
    required = {r.id: r.required_skills for r in load_roles()}
    assessed = _dates(rng, spec.start_date, (1, valid - 1), n)

    stale = rng.choice(n, size=_count(STALE_SHARE, n), replace=False)
    low, high = STALE_EXTRA_MONTHS
    assessed[np.sort(stale)] = _dates(rng, spec.start_date, (valid + low, valid + high), len(stale))
    fresh = np.setdiff1d(np.arange(n), stale)
    missing = np.sort(rng.choice(fresh, size=min(_count(MISSING_SHARE, n), len(fresh)), replace=False))

    recorded = levels["proficiency"].to_numpy(dtype=np.int64)
    current = recorded.copy()
    blank = np.zeros(len(levels), dtype=bool)
    position = {sid: i for i, sid in enumerate(staff["staff_id"])}
    person = levels["staff_id"].map(position).to_numpy()
    skill = levels["skill_id"].to_numpy()
    roles = staff["role"].to_numpy()
    for i in np.sort(stale):
        rows = np.flatnonzero((person == i) & np.isin(skill, list(required[roles[i]])))
        current[rows] = np.minimum(recorded[rows] + (rng.random(len(rows)) < GROWTH_CHANCE), 4)
    for i in missing:
        rows = np.flatnonzero((person == i) & np.isin(skill, list(required[roles[i]])))
        k = int(rng.integers(MISSING_SKILLS[0], MISSING_SKILLS[1] + 1))
        blank[rng.choice(rows, size=min(k, len(rows)), replace=False)] = True

    skills = levels[["staff_id", "skill_id", "category"]].copy()
    skills["proficiency"] = pd.array(np.where(blank, 0, recorded), dtype="Int64")
    skills.loc[blank, "proficiency"] = pd.NA
    skills["assessed_on"] = assessed[person]
    truth = pd.DataFrame(
        {"staff_id": levels["staff_id"].to_numpy(), "skill_id": skill, "proficiency": current.astype(np.int64)}
    )
    return SkillRecords(skills.reset_index(drop=True), truth)
