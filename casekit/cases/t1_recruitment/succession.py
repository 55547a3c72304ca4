"""Succession for team leaders (K8): how ready each frontline agent is to lead a team, and whether the successors
a candidate nominates are as ready as claimed.

- ``gap`` = sum over the team-leader role's required skills (``casekit/data/roles.yaml``) of
  max(0, required - proficiency), from the skills inventory;
- ``performance`` = the mean of the person's percentile (0-100, among the frontline staff) of QA and of
  first-contact resolution over the world's contact records (``casekit.kpi``);
- ``readiness``: "ready_now" when gap <= ``READY_NOW_GAP``, performance >= ``READY_NOW_PERCENTILE`` and tenure >=
  ``READY_NOW_TENURE_MONTHS`` months; "ready_later" when gap <= ``READY_LATER_GAP`` and performance >=
  ``READY_LATER_PERCENTILE``; otherwise "not_ready".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from casekit.errors import Problem
from casekit.kpi import kpis
from casekit.scenario import World
from casekit.scenario.catalogs import load_roles

__all__ = [
    "FRONTLINE",
    "READINESS",
    "READY_LATER_GAP",
    "READY_LATER_PERCENTILE",
    "READY_NOW_GAP",
    "READY_NOW_PERCENTILE",
    "READY_NOW_TENURE_MONTHS",
    "assess_successors",
    "nomination_problems",
    "succession_readiness",
    "team_leaders",
]

FRONTLINE = ("agent", "senior_agent")
READINESS = ("ready_now", "ready_later", "not_ready")
READY_NOW_GAP = 2
READY_NOW_PERCENTILE = 60.0
READY_NOW_TENURE_MONTHS = 18
READY_LATER_GAP = 5
READY_LATER_PERCENTILE = 40.0
_RANK = {"ready_now": 2, "ready_later": 1, "not_ready": 0}
_DAYS_PER_MONTH = 365.25 / 12


def _tenure_months(world: World, hire_dates: pd.Series) -> np.ndarray:
    start = pd.Timestamp(world.spec.start_date)
    days = (start - pd.to_datetime(hire_dates)).dt.days.to_numpy()
    return np.asarray(days / _DAYS_PER_MONTH)


def _leader_requirements() -> dict[str, int]:
    return next(r.required_skills for r in load_roles() if r.id == "team_leader")


def _readiness(gap: int, performance: float, tenure_months: float) -> str:
    if gap <= READY_NOW_GAP and performance >= READY_NOW_PERCENTILE and tenure_months >= READY_NOW_TENURE_MONTHS:
        return "ready_now"
    if gap <= READY_LATER_GAP and performance >= READY_LATER_PERCENTILE:
        return "ready_later"
    return "not_ready"


def succession_readiness(world: World) -> pd.DataFrame:
    """Every frontline staff member (agent, senior agent) with their skill gap to the team-leader role, their
    QA and FCR, performance percentile and readiness; the readiest first."""
    staff = world.staff[world.staff["role"].isin(FRONTLINE)].reset_index(drop=True)
    required = _leader_requirements()
    skills = world.skills.pivot_table(index="staff_id", columns="skill_id", values="proficiency", aggfunc="first")
    levels = skills.reindex(index=staff["staff_id"], columns=list(required)).fillna(0).to_numpy()
    gap = np.maximum(0, np.array(list(required.values()))[None, :] - levels).sum(axis=1).astype(int)
    perf = kpis(world.contacts, "staff_id").reindex(staff["staff_id"])
    qa = perf["qa"].to_numpy(dtype=float)
    fcr = perf["fcr"].to_numpy(dtype=float)
    pct_qa = pd.Series(qa).rank(pct=True).fillna(0).to_numpy() * 100
    pct_fcr = pd.Series(fcr).rank(pct=True).fillna(0).to_numpy() * 100
    performance = (pct_qa + pct_fcr) / 2
    tenure = _tenure_months(world, staff["hire_date"])
    out = pd.DataFrame(
        {
            "staff_id": staff["staff_id"],
            "name": staff["name"],
            "team": staff["team"],
            "role": staff["role"],
            "tenure_months": np.round(tenure, 1),
            "gap": gap,
            "qa": qa,
            "fcr": fcr,
            "performance": np.round(performance, 1),
            "readiness": [
                _readiness(int(g), float(p), float(t)) for g, p, t in zip(gap, performance, tenure, strict=True)
            ],
        }
    )
    order = out["readiness"].map(_RANK)
    out = out.assign(_rank=order).sort_values(
        ["_rank", "gap", "performance", "staff_id"], ascending=[False, True, False, True]
    )
    return out.drop(columns="_rank").reset_index(drop=True)


def team_leaders(world: World) -> pd.DataFrame:
    """The team leaders whose roles need a successor, with how many of their team are ready now or later."""
    leaders = world.staff[world.staff["role"] == "team_leader"].reset_index(drop=True)
    ready = succession_readiness(world)
    counts = ready.groupby(["team", "readiness"]).size()
    return pd.DataFrame(
        {
            "staff_id": leaders["staff_id"],
            "name": leaders["name"],
            "team": leaders["team"],
            "tenure_months": np.round(_tenure_months(world, leaders["hire_date"]), 1),
            "ready_now": [int(counts.get((t, "ready_now"), 0)) for t in leaders["team"]],
            "ready_later": [int(counts.get((t, "ready_later"), 0)) for t in leaders["team"]],
        }
    )


Nominations = Mapping[str, Sequence[tuple[str, str]]]


def _check(leader: str, staff_id: str, claim: str, leaders: set[str], ready: Mapping[str, str]) -> tuple[str, str]:
    """(field, catalog key) of what is wrong with one nomination, or ("", "")."""
    if leader not in leaders:
        return "team_leader", "t1turnover.unknown_leader"
    if staff_id not in ready:
        return "staff_id", "t1turnover.unknown_successor"
    if claim not in READINESS:
        return "readiness", "t1turnover.bad_readiness"
    return "", ""


def nomination_problems(world: World, nominations: Nominations, source: str) -> list[Problem]:
    """Every nomination naming an unknown team leader or successor, or a readiness that does not exist."""
    leaders = {str(x) for x in team_leaders(world)["staff_id"]}
    table = succession_readiness(world)
    ready = dict(zip(table["staff_id"], table["readiness"], strict=True))
    problems = []
    for leader, nominated in nominations.items():
        for i, (staff_id, claim) in enumerate(nominated):
            field, key = _check(leader, staff_id, claim, leaders, ready)
            if key:
                allowed = {"team_leader": ", ".join(sorted(leaders)), "readiness": ", ".join(READINESS)}.get(field, "")
                params = {"allowed": allowed} if allowed else {}
                got = {"team_leader": leader, "staff_id": staff_id, "readiness": claim}[field]
                problems.append(Problem(source, f"{leader}.{i}.{field}", key, got, params))
    return problems


def assess_successors(world: World, nominations: Nominations) -> pd.DataFrame:
    """Per nomination (team leader -> [(staff id, claimed readiness)]): the true readiness, whether the claim holds
    (the true readiness is at least the claimed one), whether the successor is in the leader's team, and a
    ``problem`` (a ``t1turnover.*`` catalog key, "" if none) for an unknown leader, successor or readiness;
    :func:`nomination_problems` tells those as :class:`~casekit.errors.Problem`."""
    table = succession_readiness(world)
    ready = dict(zip(table["staff_id"], table["readiness"], strict=True))
    team_of = dict(zip(table["staff_id"], table["team"], strict=True))
    leaders = team_leaders(world)
    leader_team = dict(zip(leaders["staff_id"], leaders["team"], strict=True))
    rows = []
    for leader, nominated in nominations.items():
        for staff_id, claim in nominated:
            _, key = _check(leader, staff_id, claim, set(leader_team), ready)
            truth = ready.get(staff_id, "")
            holds = not key and _RANK[truth] >= _RANK[claim]
            same = bool(truth) and leader in leader_team and team_of.get(staff_id) == leader_team[leader]
            rows.append(
                {
                    "team_leader": leader,
                    "staff_id": staff_id,
                    "claimed": claim,
                    "readiness": truth,
                    "holds": holds,
                    "same_team": same,
                    "problem": key,
                }
            )
    columns = ["team_leader", "staff_id", "claimed", "readiness", "holds", "same_team", "problem"]
    return pd.DataFrame(rows, columns=columns)
