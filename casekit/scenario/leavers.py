"""Past leavers with exit interviews coded to the eight N4 attrition factors.

Leavers come more from stressed teams and say "stress" more there; new starters leave more (a spec-set share
leave within 90 days), and early leavers are more often dismissed (probation) or cite missing training.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import EXIT_FACTORS, load_people
from casekit.scenario.people import draw_names
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec
from casekit.scenario.staff import SUPPORT_TEAM, Workforce

__all__ = ["EARLY_TENURE_DAYS", "build_leavers"]

EARLY_TENURE_DAYS = 90


def build_leavers(spec: OrgSpec, seed: int, wf: Workforce) -> pd.DataFrame:
    rng = stream(seed, "leavers")
    tv = spec.turnover
    headcount = len(wf.staff)
    n = round(tv.annual_rate * headcount * tv.history_days / 365)
    if n == 0:
        return pd.DataFrame(columns=_COLUMNS)

    leave_offset = rng.integers(1, tv.history_days + 1, n)
    leave_date = [spec.start_date - dt.timedelta(days=int(o)) for o in leave_offset]
    early = rng.random(n) < tv.early_leaver_share
    tenure = np.where(early, rng.integers(7, EARLY_TENURE_DAYS, n), EARLY_TENURE_DAYS + rng.exponential(600, n))
    tenure = tenure.astype(int)
    hire_date = [ld - dt.timedelta(days=int(t)) for ld, t in zip(leave_date, tenure, strict=True)]

    # Which team: more leavers where stress is high.
    teams = sorted(t for t in wf.team_stress if t != SUPPORT_TEAM)
    weight = np.array([np.exp(0.5 * wf.team_stress[t]) for t in teams])
    frontline = rng.random(n) < 0.93
    team = np.where(
        frontline,
        np.array(teams, dtype=object)[rng.choice(len(teams), n, p=weight / weight.sum())],
        SUPPORT_TEAM,
    )
    senior = (rng.random(n) < 0.12) & ~early
    role = np.where(frontline, np.where(senior, "senior_agent", "agent"), "trainer")
    role = role.astype(object)
    lead = frontline & ~early & (rng.random(n) < 0.04)
    role[lead] = "team_leader"

    p_vol = np.clip(tv.voluntary_share - np.where(early, 0.15, 0.0), 0, 1)
    voluntary = rng.random(n) < p_vol

    people = load_people()
    factors = list(EXIT_FACTORS)
    base = np.array([tv.exit_factor_weights[f] for f in factors])
    exit_factor = np.empty(n, dtype=object)
    comment = np.empty(n, dtype=object)
    for i in range(n):
        if voluntary[i]:
            w = base.copy()
            w[factors.index("stress")] *= np.exp(0.9 * wf.team_stress[team[i]])
            if early[i]:
                w[factors.index("no_training")] *= 2.5
            else:
                w[factors.index("no_career_development")] *= 1.5
            f = factors[rng.choice(len(factors), p=w / w.sum())]
            exit_factor[i] = f
            options = people["exit_comments"][f]
        else:
            exit_factor[i] = ""
            options = people["involuntary_comments"][:1] if early[i] else people["involuntary_comments"][1:]
        comment[i] = options[rng.integers(len(options))]

    gender = np.where(rng.random(n) < spec.female_share, "F", "M").astype(object)
    names = draw_names(rng, gender, taken=set(wf.staff["name"]))
    frame = pd.DataFrame(
        {
            "leaver_id": [f"X{i + 1:04d}" for i in range(n)],
            "name": names,
            "gender": gender,
            "role": role,
            "team": team,
            "hire_date": [d.isoformat() for d in hire_date],
            "leave_date": [d.isoformat() for d in leave_date],
            "tenure_days": tenure,
            "leaver_type": np.where(voluntary, "voluntary", "involuntary"),
            "exit_factor": exit_factor,
            "exit_comment": comment,
        }
    )
    frame = frame.sort_values(["leave_date", "leaver_id"], kind="stable").reset_index(drop=True)
    frame["leaver_id"] = [f"X{i + 1:04d}" for i in range(n)]
    return frame


_COLUMNS = [
    "leaver_id",
    "name",
    "gender",
    "role",
    "team",
    "hire_date",
    "leave_date",
    "tenure_days",
    "leaver_type",
    "exit_factor",
    "exit_comment",
]
