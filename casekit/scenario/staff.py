"""Staff, roles (N1/N2) and the skills inventory, with the latent traits that drive performance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from casekit.scenario.catalogs import load_roles, load_skills
from casekit.scenario.people import draw_names
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec, minimum_wage

__all__ = ["SUPPORT_TEAM", "Workforce", "build_workforce", "roles_table"]

SUPPORT_TEAM = "SUP"
HOURS_PER_DAY = {"permanent": 8, "fixed_term": 8, "part_time": 4}


@dataclass(frozen=True)
class Workforce:
    """The staff tables plus hidden traits (not published: they are the simulation's truth)."""

    staff: pd.DataFrame
    skills: pd.DataFrame
    traits: pd.DataFrame  # index staff_id: tenure_days, cs_skill, tech_skill, sales_skill, stress
    team_stress: dict[str, float]


def _role_counts(spec: OrgSpec, headcount: int) -> dict[str, int]:
    """Largest-remainder apportionment of ``headcount`` over the role shares, at least one leader and agent."""
    shares = {r: s.share for r, s in spec.roles.items()}
    raw = {r: headcount * s / sum(shares.values()) for r, s in shares.items()}
    counts = {r: int(np.floor(v)) for r, v in raw.items()}
    for r in sorted(raw, key=lambda r: (-(raw[r] - counts[r]), r))[: headcount - sum(counts.values())]:
        counts[r] += 1
    for must in ("team_leader", "agent" if "agent" in counts else "senior_agent"):
        if counts.get(must, 0) == 0:
            donor = max(counts, key=lambda r: counts[r])
            counts[donor] -= 1
            counts[must] = 1
    return counts


def _choice(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def build_workforce(spec: OrgSpec, seed: int, headcount: int) -> Workforce:
    rng = stream(seed, "staff")
    roles = {r.id: r for r in load_roles()}
    counts = _role_counts(spec, headcount)
    role = np.array([r for r in spec.roles for _ in range(counts[r])], dtype=object)
    n = len(role)
    n_teams = counts["team_leader"]
    teams = [f"T{i + 1:02d}" for i in range(n_teams)]

    team = np.empty(n, dtype=object)
    frontline = np.flatnonzero(np.isin(role, ["agent", "senior_agent"]))
    order = rng.permutation(frontline)
    team[order] = [teams[i % n_teams] for i in range(len(order))]
    team[np.flatnonzero(role == "team_leader")] = teams
    support = np.flatnonzero(~np.isin(role, ["agent", "senior_agent", "team_leader"]))
    team[support] = SUPPORT_TEAM

    gender = np.where(rng.random(n) < spec.female_share, "F", "M").astype(object)
    contract = _choice(rng, {str(k): v for k, v in spec.contracts.items()}, n)
    contract[~np.isin(role, ["agent", "senior_agent"])] = "permanent"
    shift = _choice(rng, {str(k): v for k, v in spec.shifts.items()}, n)
    shift[~np.isin(role, ["agent", "senior_agent"])] = "day"

    # Tenure: exponential with the mean stay the turnover rate implies; senior roles need experience first.
    mean_stay = 365.0 / spec.turnover.annual_rate
    tenure = rng.exponential(mean_stay, n)
    min_months = np.array([roles[r].min_experience_months for r in role], dtype=float)
    tenure = np.minimum(tenure + min_months * 30.4 * rng.uniform(0.8, 1.5, n), 15 * 365).astype(int) + 1
    hire_date = [spec.start_date - dt.timedelta(days=int(d)) for d in tenure]

    # Latent traits.
    team_stress = {tm: float(rng.normal(0, 1)) for tm in [*teams, SUPPORT_TEAM]}
    stress = np.array([0.7 * team_stress[tm] for tm in team]) + rng.normal(0, 0.7, n)
    stress += np.where(shift == "night", 0.4, 0.0)
    ability = rng.normal(0, 0.6, n)

    # Skills inventory: required level of the role, moved by ability and experience; gaps arise naturally.
    skill_rows = []
    years = np.minimum(tenure / 365.0, 3.0)
    cs_levels = np.zeros(n)
    tech_levels = np.zeros(n)
    sales_level = np.zeros(n)
    skills = load_skills()
    for s in skills:
        req = np.array([roles[r].required_skills.get(s.id, 0) for r in role], dtype=float)
        base = np.where(req > 0, req - 0.6, 0.8)
        level = np.clip(np.rint(base + ability + 0.35 * years + rng.normal(0, 0.6, n)), 0, 4).astype(int)
        skill_rows.append(level)
        if s.category == "customer_service":
            cs_levels += level
        else:
            tech_levels += level
        if s.id == "sales_conversation":
            sales_level = level.astype(float)
    n_cs = sum(1 for s in skills if s.category == "customer_service")
    cs_skill = cs_levels / n_cs
    tech_skill = tech_levels / (len(skills) - n_cs)

    # Pay: within the role's range, rising with tenure; part-timers are paid by the hour.
    pay_min = np.array([spec.roles[r].base_pay.min for r in role], dtype=float)
    pay_max = np.array([spec.roles[r].base_pay.max for r in role], dtype=float)
    position = np.clip(0.55 * rng.random(n) + 0.45 * years / 3.0, 0, 1)
    monthly = np.round((pay_min + (pay_max - pay_min) * position) / 100) * 100
    wage = minimum_wage(spec.start_date.year) or {"monthly": 0, "hourly": 0}
    hourly = np.maximum(np.round(monthly / 240 * rng.uniform(1.0, 1.1, n)), wage["hourly"])
    part_time = contract == "part_time"
    pay_basis = np.where(part_time, "hourly", "monthly")
    base_pay = np.where(part_time, hourly, monthly).astype(int)

    staff_ids = [f"E{i + 1:04d}" for i in range(n)]
    names = draw_names(rng, gender)
    staff = pd.DataFrame(
        {
            "staff_id": staff_ids,
            "name": names,
            "gender": gender,
            "role": role,
            "team": team,
            "hire_date": [d.isoformat() for d in hire_date],
            "contract": contract,
            "shift": shift,
            "hours_per_day": [HOURS_PER_DAY[c] for c in contract],
            "pay_basis": pay_basis,
            "base_pay": base_pay,
        }
    )
    skills_df = pd.DataFrame(
        {
            "staff_id": np.repeat(staff_ids, len(skills)),
            "skill_id": np.tile([s.id for s in skills], n),
            "category": np.tile([s.category for s in skills], n),
            "proficiency": np.stack(skill_rows, axis=1).reshape(-1),
        }
    )
    traits = pd.DataFrame(
        {
            "tenure_days": tenure,
            "cs_skill": cs_skill,
            "tech_skill": tech_skill,
            "sales_skill": sales_level,
            "stress": stress,
        },
        index=pd.Index(staff_ids, name="staff_id"),
    )
    return Workforce(staff, skills_df, traits, team_stress)


def roles_table(spec: OrgSpec, staff: pd.DataFrame) -> pd.DataFrame:
    """Job specification (N1) and job description (N2) per role staffed by the organisation."""
    headcount = staff["role"].value_counts()
    rows = []
    for r in load_roles():
        if r.id not in spec.roles:
            continue
        row: dict[str, object] = {
            "role": r.id,
            "classification": r.classification,
            "pay_grade": r.pay_grade,
            "reports_to": r.reports_to,
            "handles_contacts": r.handles_contacts,
            "headcount": int(headcount.get(r.id, 0)),
            "pay_min": spec.roles[r.id].base_pay.min,
            "pay_max": spec.roles[r.id].base_pay.max,
            "min_experience_months": r.min_experience_months,
        }
        for field, texts in r.text.items():
            row[f"{field}_zh_tw"] = texts["zh-TW"]
            row[f"{field}_en"] = texts["en"]
        row["required_skills"] = ";".join(f"{k}:{v}" for k, v in r.required_skills.items())
        rows.append(row)
    return pd.DataFrame(rows)
