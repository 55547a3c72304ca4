"""The skills audit (K7, P2.3): every person against the skills their role requires, with the data problems of the
skills records found and handled first.

Method (FACTS "Skills audit and training"):

- The rows are every person of ``staff`` x every skill their role requires (``casekit/data/roles.yaml``), at the
  required level 0..4; the current level is the ``skills`` table's ``proficiency``.
- Data problems: a required skill whose proficiency is blank is *missing*; a level assessed more than the spec's
  ``training.assessment_valid_months`` calendar months before ``start_date`` is *stale* (it may have grown since).
  A missing row is missing even when it is old too.
- Each problem is handled one of two ways: the person is *reassessed* (every required skill of theirs then takes
  the level the world's truth gives, ``truth["skills_current"]``), or the (person, skill) pair is *assumed* a full gap
  (level 0: plan as if they had none). A reassessment wins over an assumption for the same person. A row left
  unhandled keeps its status: a missing one has no level and no gap (NaN), a stale one keeps its recorded level.
- gap = max(0, required − current); coverage of a (role, skill) = the share of the role's people with a level who
  are at or above the required level (people with no level are left out of both counts).
- A need is a (role, skill) with any gap: ``gap_total`` sums the gaps of its people, ``priority`` = gap_total x the
  skill's criticality 1..3 (FACTS' "gap x criticality x people affected", the people counted through the sum).
  Compliance-critical needs come first whatever their priority, then priority, highest first.
- Gaps are reported separately for technology and customer-service skills (P2.3).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from casekit.errors import ProblemCollector
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles, load_skills

__all__ = [
    "CATEGORIES",
    "COVERAGE_COLUMNS",
    "DATA_PROBLEMS",
    "GAP_COLUMNS",
    "NEED_COLUMNS",
    "STATUSES",
    "Audit",
    "above_threshold",
    "audit",
    "data_issues",
    "pair_codes",
    "requirements",
    "stale_before",
    "true_levels",
]

DATA_PROBLEMS: Final = ("missing", "stale")
STATUSES: Final = ("ok", "missing", "stale", "reassessed", "assumed")
CATEGORIES: Final = ("technology", "customer_service")
GAP_COLUMNS: Final = (
    "staff_id",
    "role",
    "team",
    "skill_id",
    "category",
    "required",
    "current",
    "gap",
    "criticality",
    "compliance_critical",
    "status",
)
COVERAGE_COLUMNS: Final = ("role", "skill_id", "category", "required", "people", "at_level", "coverage")
NEED_COLUMNS: Final = (
    "role",
    "skill_id",
    "category",
    "people_affected",
    "gap_total",
    "criticality",
    "compliance_critical",
    "priority",
)
_KEYS: Final = ["role", "skill_id"]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@cache
def _requirements() -> pd.DataFrame:
    skills = {s.id: s for s in load_skills()}
    rows = [
        (role.id, skill, skills[skill].category, level, skills[skill].criticality, skills[skill].compliance_critical)
        for role in load_roles()
        for skill, level in role.required_skills.items()
    ]
    columns = ["role", "skill_id", "category", "required", "criticality", "compliance_critical"]
    return pd.DataFrame(rows, columns=columns)


@cache
def _by_role() -> dict[str, IntArray]:
    """The rows of :func:`_requirements` of each role."""
    roles = _requirements()["role"].to_numpy(dtype=object)
    return {str(r): np.flatnonzero(roles == r) for r in dict.fromkeys(roles)}


def requirements() -> pd.DataFrame:
    """Every (role, required skill): ``role, skill_id, category, required, criticality, compliance_critical``, in
    the order of ``roles.yaml``."""
    return _requirements().copy()


def stale_before(world: World) -> dt.date:
    """The oldest assessment date still valid: ``assessment_valid_months`` calendar months before ``start_date``
    (the last day of the month when that day does not exist). A level assessed before it is stale."""
    start, months = world.spec.start_date, world.spec.training.assessment_valid_months
    index = start.year * 12 + start.month - 1 - months
    year, month = divmod(index, 12)
    first_of_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return dt.date(year, month + 1, min(start.day, (first_of_next - dt.timedelta(days=1)).day))


@dataclass(frozen=True)
class _Rows:
    """Person x required skill as arrays: the person's row in ``staff`` (``who``), the requirement's row in
    :func:`_requirements` (``need``), the row of the pair in the ``skills`` table (``record``, -1 when absent), the
    recorded ``level`` (NaN when blank), ``assessed_on`` and the data ``problem`` ("" when none). ``code`` is
    ``who x skills + skill`` (skill = position in skills.yaml), the key :func:`pair_codes` gives a (person, skill)."""

    staff_ids: npt.NDArray[np.object_]
    who: IntArray
    need: IntArray
    code: IntArray
    record: IntArray
    level: FloatArray
    assessed_on: npt.NDArray[np.object_]
    problem: npt.NDArray[np.object_]


_SKILL_INDEX: Final = pd.Index([s.id for s in load_skills()])


def pair_codes(world: World, staff_ids: Any, skill_ids: Any) -> IntArray:
    """A whole-number key of every (staff id, skill id) pair given, for joins without merges: the person's row in
    ``staff`` x the number of skills + the skill's position in ``skills.yaml``; -1 when either is unknown."""
    who = pd.Index(world.staff["staff_id"]).get_indexer(pd.Index(staff_ids, dtype=object))
    skill = _SKILL_INDEX.get_indexer(pd.Index(skill_ids, dtype=object))
    codes: IntArray = np.where((who >= 0) & (skill >= 0), who * len(_SKILL_INDEX) + skill, -1)
    return codes


def _rows(world: World) -> _Rows:
    staff_ids = world.staff["staff_id"].to_numpy(dtype=object)
    parts = [_by_role().get(str(r), np.empty(0, dtype=np.int64)) for r in world.staff["role"]]
    who = np.repeat(np.arange(len(parts), dtype=np.int64), [len(p) for p in parts])
    need = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    skill = _SKILL_INDEX.get_indexer(pd.Index(_requirements()["skill_id"].to_numpy()[need]))
    code: IntArray = who * len(_SKILL_INDEX) + skill.astype(np.int64)
    skills = world.skills
    lookup = np.full(len(parts) * len(_SKILL_INDEX), -1)
    found = pair_codes(world, skills["staff_id"], skills["skill_id"])
    lookup[found[found >= 0]] = np.flatnonzero(found >= 0)
    record, some = lookup[code], lookup[code] >= 0
    recorded = pd.to_numeric(skills["proficiency"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    level: FloatArray = np.where(some, recorded[np.maximum(record, 0)], np.nan)
    dated = skills["assessed_on"]
    old_record = (dated.notna() & (dated.astype(str) < stale_before(world).isoformat())).to_numpy(dtype=bool)
    old = some & old_record[np.maximum(record, 0)]
    assessed: npt.NDArray[np.object_] = dated.to_numpy(dtype=object)[np.maximum(record, 0)]
    assessed[~some] = None
    problem: npt.NDArray[np.object_] = np.select([np.isnan(level), old], list(DATA_PROBLEMS), "").astype(object)
    return _Rows(staff_ids, who, need, code, record, level, assessed, problem)


def data_issues(world: World) -> pd.DataFrame:
    """The data problems of the skills records: ``staff_id, skill_id, problem (missing|stale), assessed_on``, one row
    per person and required skill (a stale person has a row per required skill), in staff and role-skill order."""
    rows = _rows(world)
    at = np.flatnonzero(rows.problem != "")
    skill_ids = _requirements()["skill_id"].to_numpy(dtype=object)
    return pd.DataFrame(
        {
            "staff_id": rows.staff_ids[rows.who[at]],
            "skill_id": skill_ids[rows.need[at]],
            "problem": rows.problem[at],
            "assessed_on": rows.assessed_on[at],
        }
    )


def _collection(value: Any) -> bool:
    return isinstance(value, Collection) and not isinstance(value, str | bytes)


def _handling(world: World, rows: _Rows, reassessed: Any, assumed: Any) -> tuple[BoolArray, BoolArray]:
    """Which rows are reassessed and which assumed at 0 (a reassessment wins); UsageError naming every unknown
    person and every pair that is not a person and a skill their role requires."""
    check = ProblemCollector("audit")
    people = [str(s) for s in reassessed] if _collection(reassessed) else []
    unknown = sorted(set(people) - set(rows.staff_ids)) if _collection(reassessed) else reassessed
    check.need(unknown == [], "reassessed", "t2logic.expect_known_staff", unknown)
    given = list(assumed) if _collection(assumed) else []
    shaped = [p for p in given if isinstance(p, tuple | list) and len(p) == 2]
    codes = pair_codes(world, [str(p[0]) for p in shaped], [str(p[1]) for p in shaped])
    valid = np.isin(codes, rows.code)
    bad = [p for p in given if not (isinstance(p, tuple | list) and len(p) == 2)]
    bad += [p for p, ok in zip(shaped, valid, strict=True) if not ok]
    check.need(_collection(assumed) and not bad, "assumed", "t2logic.expect_known_pair", bad or assumed)
    check.raise_any()
    again = np.isin(rows.who, pd.Index(world.staff["staff_id"]).get_indexer(pd.Index(people, dtype=object)))
    return again, ~again & np.isin(rows.code, codes)


def _truth_at(world: World, codes: IntArray) -> FloatArray:
    truth = world.truth["skills_current"]
    lookup = np.full(len(world.staff) * len(_SKILL_INDEX), np.nan)
    found = pair_codes(world, truth["staff_id"], truth["skill_id"])
    lookup[found[found >= 0]] = truth["proficiency"].to_numpy(dtype=float)[found >= 0]
    levels: FloatArray = np.where(codes >= 0, lookup[codes], np.nan)
    return levels


def true_levels(world: World, staff_ids: Any, skill_ids: Any) -> FloatArray:
    """The true current level (``truth["skills_current"]``) of every (staff id, skill id) pair given; NaN where the
    truth has none."""
    return _truth_at(world, pair_codes(world, staff_ids, skill_ids))


@dataclass(frozen=True)
class Audit:
    """The skills audit (the method is the module's): ``gaps`` one row per person x required skill
    (:data:`GAP_COLUMNS`), ``coverage`` per role and required skill (:data:`COVERAGE_COLUMNS`), ``needs`` per role
    and skill with any gap, compliance-critical first, then priority (:data:`NEED_COLUMNS`)."""

    gaps: pd.DataFrame = field(repr=False, compare=False)
    coverage: pd.DataFrame = field(repr=False, compare=False)
    needs: pd.DataFrame = field(repr=False, compare=False)

    def totals(self) -> dict[str, int]:
        """The gap total of each skill category (unknown gaps left out): technology and customer_service."""
        gap = self.gaps["gap"].to_numpy(dtype=float)
        by = self.gaps["category"].to_numpy()
        return {c: int(np.nansum(gap[by == c])) for c in CATEGORIES}


def audit(world: World, reassessed: Collection[str] = (), assumed: Collection[tuple[str, str]] = ()) -> Audit:
    """The audit of ``world``'s skills records with the people in ``reassessed`` at their true current level and the
    (staff_id, skill_id) pairs in ``assumed`` at level 0; UsageError naming every unknown person and pair."""
    rows = _rows(world)
    again, zero = _handling(world, rows, reassessed, assumed)
    current = rows.level.copy()
    status = np.where(rows.problem == "", "ok", rows.problem).astype(object)
    if again.any():
        current[again], status[again] = _truth_at(world, rows.code[again]), "reassessed"
    current[zero], status[zero] = 0.0, "assumed"
    req = _requirements()
    required = req["required"].to_numpy(dtype=float)[rows.need]
    gap = np.maximum(required - current, 0.0)
    staff = world.staff
    gaps = pd.DataFrame(
        {
            "staff_id": rows.staff_ids[rows.who],
            "role": staff["role"].to_numpy(dtype=object)[rows.who],
            "team": staff["team"].to_numpy(dtype=object)[rows.who],
            **{c: req[c].to_numpy()[rows.need] for c in ("skill_id", "category", "required")},
            "current": current,
            "gap": gap,
            **{c: req[c].to_numpy()[rows.need] for c in ("criticality", "compliance_critical")},
            "status": status,
        }
    )
    return Audit(gaps, _coverage(rows.need, current, required), _needs(rows.need, gap))


def _count(need: IntArray, weights: Any) -> IntArray:
    counts: IntArray = np.rint(
        np.bincount(need, weights=np.asarray(weights, dtype=float), minlength=len(_requirements()))
    ).astype(np.int64)
    return counts


def _coverage(need: IntArray, current: FloatArray, required: FloatArray) -> pd.DataFrame:
    known = ~np.isnan(current)
    people, at_level = _count(need, known), _count(need, known & (current >= required))
    held = np.isin(np.arange(len(people)), need)
    out = _requirements()[["role", "skill_id", "category", "required"]].assign(people=people, at_level=at_level)
    out["coverage"] = (out["at_level"] / out["people"].where(out["people"] > 0)).astype(float)
    return pd.DataFrame(out[held].reset_index(drop=True))


def _needs(need: IntArray, gap: FloatArray) -> pd.DataFrame:
    short = np.nan_to_num(gap) > 0
    out = _requirements().assign(people_affected=_count(need, short), gap_total=_count(need, np.where(short, gap, 0)))
    out = out[out["people_affected"] > 0].drop(columns="required")
    out["priority"] = out["gap_total"] * out["criticality"]
    order = ["compliance_critical", "priority", "role", "skill_id"]
    out = out.sort_values(order, ascending=[False, False, True, True], kind="mergesort")
    return pd.DataFrame(out[list(NEED_COLUMNS)].reset_index(drop=True))


def above_threshold(audit: Audit, threshold: float) -> pd.DataFrame:
    """The person-skill gaps (gap > 0) the policy says to close: those whose need has ``priority >= threshold`` or is
    compliance-critical. The audit's gap columns plus the need's ``priority``, in the needs' order, then staff id."""
    check = ProblemCollector("above_threshold")
    number = isinstance(threshold, int | float | np.integer | np.floating) and not isinstance(threshold, bool)
    check.need(number and math.isfinite(float(threshold)), "threshold", "t2logic.expect_number", threshold)
    check.raise_any()
    needs = audit.needs.reset_index(names="_rank")
    chosen = needs[(needs["priority"] >= float(threshold)) | needs["compliance_critical"]]
    short = audit.gaps[audit.gaps["gap"] > 0]
    out = short.merge(chosen[[*_KEYS, "priority", "_rank"]], on=_KEYS, how="inner")
    out = out.sort_values(["_rank", "staff_id"], kind="mergesort").drop(columns="_rank")
    return pd.DataFrame(out.reset_index(drop=True))
