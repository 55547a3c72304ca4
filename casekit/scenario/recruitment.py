"""Recruitment: the vacancy, the applicants with their hidden skills, the current interview kit, and the raters.

The applicants' latent skills (``world.truth["applicant_skills"]``, 0..4 per skill id) share a general ability
factor and are drawn from their own stream, apart from gender and age, so a fair selection shows no real group
difference in competence on average. Three interviewers rate every applicant on every question of a kit
(:func:`interview_ratings`): R1 is accurate, R2 noisy and R3 marks one group (chosen by seed) down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from casekit.errors import Problem, ScenarioError, UsageError
from casekit.i18n import t
from casekit.scenario.catalogs import load_roles, load_skills
from casekit.scenario.people import draw_names
from casekit.scenario.rng import stream
from casekit.scenario.spec import OrgSpec
from casekit.scenario.staff import Workforce
from casekit.validation import load_versioned_yaml

if TYPE_CHECKING:
    from casekit.scenario.world import World

__all__ = [
    "AGE_BANDS",
    "EDUCATION",
    "QUESTION_BANK",
    "RATERS",
    "Question",
    "Recruitment",
    "build_recruitment",
    "interview_ratings",
    "job_competence",
    "load_question_bank",
    "parse_question_bank",
]

QUESTION_BANK = "interview_questions.yaml"
AGE_BANDS: dict[str, float] = {"18-29": 0.42, "30-44": 0.36, "45+": 0.22}
EDUCATION: dict[str, float] = {"senior_high": 0.2, "college": 0.22, "university": 0.48, "graduate": 0.1}
RATERS = ("R1", "R2", "R3")
RATING_COLUMNS = ["applicant_id", "rater", "question_id", "competency", "score"]
#: Reasons a vacancy is opened, as catalog keys ``scenario.vacancy_reason_<id>``, with how often each is drawn.
VACANCY_REASONS: dict[str, float] = {"backfill_growth": 0.5, "backfill": 0.25, "new_product": 0.25}
#: The biased interviewer's group: one of these, by seed.
BIAS_GROUPS = ("gender:F", "age_band:45+")
MIN_GROUP = 4  # applicants at least in each gender and in the 45+ band, so group comparisons have people
KIT_SIZE = (10, 14)
KIT_UNFAIR = (3, 5)
_GENERAL_MEAN = 3.0  # a general-impression question centres on the middle of the 1..5 scale


@dataclass(frozen=True)
class Question:
    """One labelled question of the bank: its texts, whether it is lawful and job-related, and what it asks."""

    id: str
    zh_tw: str
    en: str
    fair: bool
    ground: str | None  # the discrimination ground or private-data item an unfair question touches
    competency: str  # a skill id, or "" for a question on no skill
    type: str


@dataclass(frozen=True)
class Recruitment:
    """The world's recruitment tables, and the truth behind them (applicant_skills, kit_labels, raters)."""

    vacancy: pd.DataFrame
    applicants: pd.DataFrame
    interview_kit: pd.DataFrame
    truth: dict[str, Any]


# --------------------------------------------------------------------------------------------- question bank
def parse_question_bank(text: str, source: str) -> tuple[Question, ...]:
    """The questions of a bank file's ``text``; every problem found is reported together (``ScenarioError``)."""
    data = load_versioned_yaml(text, source, 1, ScenarioError)
    items = data.get("questions")
    if not isinstance(items, list):
        raise ScenarioError([Problem(source, "questions", "expect.list", type(items).__name__)])
    skills = {s.id for s in load_skills()}
    problems: list[Problem] = []
    questions: list[Question] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"questions[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(source, where, "expect.mapping", type(item).__name__))
            continue
        before = len(problems)
        for key in ("id", "zh-TW", "en", "type"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(Problem(source, f"{where}.{key}", "expect.text", repr(item.get(key))[:40]))
        fair, ground, competency = item.get("fair"), item.get("ground"), item.get("competency") or ""
        if not isinstance(fair, bool):
            problems.append(Problem(source, f"{where}.fair", "expect.bool", repr(fair)[:40]))
        if fair is False and not (isinstance(ground, str) and ground.strip()):
            problems.append(Problem(source, f"{where}.ground", "expect.text", repr(ground)[:40]))
        if not isinstance(competency, str) or (competency and competency not in skills):
            allowed = {"expected": ", ".join(sorted(skills)) + ', ""'}
            problems.append(Problem(source, f"{where}.competency", "expect.one_of", repr(competency)[:40], allowed))
        if item.get("id") in seen:
            problems.append(Problem(source, f"{where}.id", "expect.unique_items", str(item.get("id"))))
        if isinstance(item.get("id"), str):
            seen.add(item["id"])
        if len(problems) > before:
            continue
        questions.append(
            Question(
                id=item["id"],
                zh_tw=item["zh-TW"],
                en=item["en"],
                fair=fair is True,
                ground=ground if fair is False else None,
                competency=competency,
                type=item["type"],
            )
        )
    n_fair = sum(q.fair for q in questions)
    if not problems and (n_fair < KIT_SIZE[1] - KIT_UNFAIR[0] or len(questions) - n_fair < KIT_UNFAIR[1]):
        counts = {"fair": n_fair, "unfair": len(questions) - n_fair}
        need = {"fair": KIT_SIZE[1] - KIT_UNFAIR[0], "unfair": KIT_UNFAIR[1]}
        problems.append(Problem(source, "questions", "scenario.bank_too_small", str(counts), need))
    if problems:
        raise ScenarioError(problems)
    return tuple(questions)


@cache
def load_question_bank() -> tuple[Question, ...]:
    """The labelled question bank casekit ships (``casekit/data/interview_questions.yaml``)."""
    source = f"casekit/data/{QUESTION_BANK}"
    try:
        text = (resources.files("casekit") / "data" / QUESTION_BANK).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError([Problem(source, "", "expect.file_exists")]) from None
    return parse_question_bank(text, source)


# --------------------------------------------------------------------------------------------- the world's part
def _choice(rng: np.random.Generator, options: dict[str, float], size: int) -> np.ndarray:
    keys = list(options)
    p = np.array([options[k] for k in keys], dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=size, p=p / p.sum())]


def _at_least(rng: np.random.Generator, values: np.ndarray, value: str, k: int) -> None:
    """Make at least ``k`` entries of ``values`` equal ``value``, changing others chosen at random."""
    others = np.flatnonzero(values != value)
    missing = k - (len(values) - len(others))
    if missing > 0:
        values[rng.permutation(others)[:missing]] = value


def _vacancy(spec: OrgSpec, seed: int, wf: Workforce) -> pd.DataFrame:
    rng = stream(seed, "vacancy")
    handling = [r.id for r in load_roles() if r.handles_contacts and r.id in spec.roles]
    senior = "senior_agent" in handling and (rng.random() < 0.25 or "agent" not in handling)
    role = "senior_agent" if senior else "agent"
    staff = wf.staff
    frontline = staff[staff["role"].isin(handling)]
    teams = sorted(set(frontline["team"])) or sorted(set(staff["team"]))
    shifts = {str(s): w for s, w in spec.shifts.items() if w > 0}
    reason = str(_choice(rng, VACANCY_REASONS, 1)[0])
    band = spec.roles[role].base_pay
    row = {
        "role": role,
        "team": teams[rng.integers(len(teams))],
        "shift": str(_choice(rng, shifts, 1)[0]),
        "pay_min": band.min,
        "pay_max": band.max,
        "reason_zh_tw": t(f"scenario.vacancy_reason_{reason}", "zh-TW"),
        "reason_en": t(f"scenario.vacancy_reason_{reason}", "en"),
    }
    return pd.DataFrame([row])


def _applicants(spec: OrgSpec, seed: int, taken: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = stream(seed, "applicants")
    n = int(rng.integers(24, 41))
    gender = np.where(rng.random(n) < spec.female_share, "F", "M").astype(object)
    _at_least(rng, gender, "F", MIN_GROUP)
    _at_least(rng, gender, "M", MIN_GROUP)
    age_band = _choice(rng, AGE_BANDS, n)
    _at_least(rng, age_band, "45+", MIN_GROUP)
    education = _choice(rng, EDUCATION, n)
    names = draw_names(rng, gender, taken=set(taken))

    # Skills from their own stream: nothing about gender or age enters them.
    skill_rng = stream(seed, "applicant_skills")
    ability = skill_rng.normal(0, 1, n)
    ids = [s.id for s in load_skills()]
    levels = 2.0 + 0.5 * ability[:, None] + 0.7 * skill_rng.normal(0, 1, (n, len(ids)))
    applicant_ids = [f"A{i + 1:03d}" for i in range(n)]
    skills = pd.DataFrame(
        np.round(np.clip(levels, 0, 4), 2), index=pd.Index(applicant_ids, name="applicant_id"), columns=ids
    )

    # Contact-centre experience grows with age and a little with ability; many applicants have none.
    mean_months = np.select([age_band == "18-29", age_band == "30-44"], [18.0, 40.0], 60.0)
    none = rng.random(n) < np.select([age_band == "18-29", age_band == "30-44"], [0.35, 0.25], 0.2)
    months = rng.exponential(mean_months) * np.exp(0.3 * ability)
    experience = np.where(none, 0, np.minimum(np.rint(months), 300)).astype(int)
    applicants = pd.DataFrame(
        {
            "applicant_id": applicant_ids,
            "name": names,
            "gender": gender,
            "age_band": age_band,
            "experience_months": experience,
            "education": education,
        }
    )
    return applicants, skills


def _kit(seed: int) -> tuple[pd.DataFrame, dict[str, dict[str, Any]]]:
    rng = stream(seed, "interview_kit")
    bank = load_question_bank()
    fair = [q for q in bank if q.fair]
    unfair = [q for q in bank if not q.fair]
    size = int(rng.integers(KIT_SIZE[0], KIT_SIZE[1] + 1))
    n_unfair = int(rng.integers(KIT_UNFAIR[0], KIT_UNFAIR[1] + 1))
    picked = [fair[i] for i in rng.choice(len(fair), size - n_unfair, replace=False)]
    picked += [unfair[i] for i in rng.choice(len(unfair), n_unfair, replace=False)]
    kit = [picked[i] for i in rng.permutation(len(picked))]
    frame = pd.DataFrame(
        {
            "question_id": [q.id for q in kit],
            "text_zh_tw": [q.zh_tw for q in kit],
            "text_en": [q.en for q in kit],
            "competency": [q.competency for q in kit],
        }
    )
    labels = {q.id: {"fair": q.fair, "ground": q.ground} for q in kit}
    return frame, labels


def _raters(seed: int) -> pd.DataFrame:
    rng = stream(seed, "raters")
    group = BIAS_GROUPS[int(rng.integers(len(BIAS_GROUPS)))]
    bias = round(float(rng.uniform(-1.2, -0.8)), 1)
    return pd.DataFrame(
        {"bias_group": ["", "", group], "bias": [0.0, 0.0, bias], "noise_sd": [0.5, 1.0, 0.6]},
        index=pd.Index(list(RATERS), name="rater"),
    )


def build_recruitment(spec: OrgSpec, seed: int, wf: Workforce, taken_names: set[str]) -> Recruitment:
    """The recruitment tables and their hidden truth; applicants' names avoid ``taken_names``."""
    applicants, skills = _applicants(spec, seed, taken_names)
    kit, labels = _kit(seed)
    truth = {"applicant_skills": skills, "kit_labels": labels, "raters": _raters(seed)}
    return Recruitment(_vacancy(spec, seed, wf), applicants, kit, truth)


# --------------------------------------------------------------------------------------------- ratings and truth
def _in_group(applicants: pd.DataFrame, group: str) -> np.ndarray:
    if not group:
        return np.zeros(len(applicants), dtype=bool)
    column, _, value = group.partition(":")
    return (applicants[column].astype(str) == value).to_numpy()


def interview_ratings(world: World, competencies: Sequence[str]) -> pd.DataFrame:
    """The three raters' scores (1..5) of every applicant on every question of a kit.

    ``competencies`` lists the kit's questions in order (question ids Q1..Qn): each a skill id, or "" (or an id
    that is no skill) for a question rated on general impression, which says little about job competence.
    score = round-half-up(clip(1 + latent level + the rater's bias for their group + noise, 1, 5)).

    The noise is drawn from a stream of (seed, competency): the k-th question on a competency always gets the
    k-th draw of that stream, wherever it stands in the kit, so reordering a kit moves its scores with the
    questions and adding a question on another competency changes no other score.
    """
    comps = [_competency(c, i) for i, c in enumerate(competencies)]
    applicants = world.applicants
    skills: pd.DataFrame = world.truth["applicant_skills"]
    raters: pd.DataFrame = world.truth["raters"]
    n_app, n_q, n_r = len(applicants), len(comps), len(raters)
    if n_q == 0 or n_app == 0:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "score" else object) for c in RATING_COLUMNS})
    groups = [_in_group(applicants, str(g)) for g in raters["bias_group"]]
    bias = np.stack(groups) * raters["bias"].to_numpy(dtype=float)[:, None]
    noise_sd = raters["noise_sd"].to_numpy(dtype=float)
    raw = np.empty((n_app, n_r, n_q))
    impression: np.ndarray | None = None
    for comp in dict.fromkeys(comps):
        positions = [i for i, c in enumerate(comps) if c == comp]
        rng = stream(world.seed, f"ratings:{comp}")
        if comp in skills.columns:
            level = skills.loc[applicants["applicant_id"], comp].to_numpy(dtype=float)
        else:
            if impression is None:
                impression = _impression(world, skills.loc[applicants["applicant_id"]])
            level = impression
        for pos in positions:
            z = rng.standard_normal((n_app, n_r))
            raw[:, :, pos] = 1.0 + level[:, None] + bias.T + z * noise_sd[None, :]
    score = np.floor(np.clip(raw, 1.0, 5.0) + 0.5).astype("int64")
    return pd.DataFrame(
        {
            "applicant_id": np.repeat(applicants["applicant_id"].to_numpy(dtype=object), n_r * n_q),
            "rater": np.tile(np.repeat(np.array(raters.index, dtype=object), n_q), n_app),
            "question_id": np.tile(np.array([f"Q{i + 1}" for i in range(n_q)], dtype=object), n_app * n_r),
            "competency": np.tile(np.array(comps, dtype=object), n_app * n_r),
            "score": score.reshape(-1),
        }
    )


def _competency(value: object, position: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UsageError(t("scenario.bad_competency", None, position=position + 1, value=repr(value)[:40]))
    return value


def _impression(world: World, skills: pd.DataFrame) -> np.ndarray:
    """A general impression on the 0..4 scale: mostly the person's manner on the day, a little their skills."""
    rng = stream(world.seed, "impression")
    overall = skills.to_numpy(dtype=float).mean(axis=1)
    level = _GENERAL_MEAN - 1.0 + 0.3 * (overall - 2.0) + 0.8 * rng.standard_normal(len(skills))
    return np.asarray(np.clip(level, 0.0, 4.0))


def job_competence(world: World) -> pd.Series:
    """The hidden true job competence of each applicant: the mean of their latent levels over the vacancy role's
    required skills, weighted by the level the role requires (0..4)."""
    role_id = str(world.vacancy.iloc[0]["role"])
    role = next(r for r in load_roles() if r.id == role_id)
    skills: pd.DataFrame = world.truth["applicant_skills"]
    weights = pd.Series(role.required_skills, dtype=float)
    values = skills[list(weights.index)].to_numpy(dtype=float) @ weights.to_numpy() / weights.sum()
    return pd.Series(values, index=skills.index.copy(), name="job_competence")
