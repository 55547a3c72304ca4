"""The T1 part of a world: vacancy, applicants, interview kit, raters, and the turnover drivers in the leavers."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS

from casekit.errors import ScenarioError, UsageError
from casekit.scenario import TABLES, OrgSpec, World, build_world, load_spec
from casekit.scenario import recruitment as rec
from casekit.scenario.catalogs import EXIT_FACTORS, load_roles, load_skills
from casekit.scenario.staff import SUPPORT_TEAM

SPECS = sorted(SCENARIOS.glob("*.yaml"))
SEED = 7
DAYS = 7  # nothing of T1 depends on the number of days
SKILLS = [s.id for s in load_skills()]
GROUNDS = ["age", "marital_status", "pregnancy", "blood_type", "zodiac", "religion"]


def stand_in_bank(n_fair: int = 16, n_unfair: int = 6) -> str:
    """A small bank in the format of ``casekit/data/interview_questions.yaml``, for the loader's own tests."""
    items = [
        {
            "id": f"F{i + 1:02d}",
            "zh-TW": f"請描述一次你處理客戶問題的經驗 {i}",
            "en": f"Tell me about a time you handled a customer's problem {i}",
            "fair": True,
            "ground": None,
            "competency": [*SKILLS, ""][i % (len(SKILLS) + 1)],
            "type": "behavioural",
        }
        for i in range(n_fair)
    ]
    items += [
        {
            "id": f"U{i + 1:02d}",
            "zh-TW": f"請問你的{GROUNDS[i % len(GROUNDS)]}？",
            "en": f"What is your {GROUNDS[i % len(GROUNDS)]}?",
            "fair": False,
            "ground": GROUNDS[i % len(GROUNDS)],
            "competency": "",
            "type": "personal",
        }
        for i in range(n_unfair)
    ]
    return yaml.safe_dump({"schema_version": 1, "questions": items}, allow_unicode=True, sort_keys=False)


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def spec(request: pytest.FixtureRequest) -> OrgSpec:
    loaded: OrgSpec = load_spec(request.param)
    return loaded


@pytest.fixture(scope="module")
def world(spec: OrgSpec) -> World:
    return build_world(spec, SEED, days=DAYS)


def _frontline_teams(w: World) -> set[str]:
    return set(w.staff.loc[w.staff["role"] == "team_leader", "team"])


# --- determinism and hiding the truth ----------------------------------------------------------------------------


def test_same_seed_same_t1_tables_and_truth(spec: OrgSpec, world: World) -> None:
    other = build_world(spec, SEED, days=DAYS)
    for name in ("vacancy", "applicants", "interview_kit", "leavers"):
        assert world.csv_bytes(name) == other.csv_bytes(name), name
    truth = {"applicant_skills", "kit_labels", "raters", "turnover_drivers", "skills_current"}
    review = {"review_contacts", "review_activity", "review_leavers"}
    assert set(world.truth) == truth | review | {"compliance_breaches", "compliance_decoys"}
    pd.testing.assert_frame_equal(world.truth["applicant_skills"], other.truth["applicant_skills"])
    pd.testing.assert_frame_equal(world.truth["raters"], other.truth["raters"])
    assert world.truth["kit_labels"] == other.truth["kit_labels"]
    assert world.truth["turnover_drivers"] == other.truth["turnover_drivers"]
    assert build_world(spec, SEED + 1, days=DAYS).csv_bytes("applicants") != world.csv_bytes("applicants")


def test_truth_is_never_written(world: World, tmp_path: Path) -> None:
    manifest = world.write(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(f"{n}.csv" for n in TABLES), "manifest.json"])
    assert {"vacancy", "applicants", "interview_kit"} <= set(TABLES)
    assert {"vacancy", "applicants", "interview_kit"} <= set(manifest["tables"])
    text = json.dumps(manifest) + "".join(p.read_text(encoding="utf-8") for p in tmp_path.glob("*.csv"))
    for hidden in ("truth", "applicant_skills", "kit_labels", "bias_group", "noise_sd", "turnover_drivers"):
        assert hidden not in text
    assert not set(SKILLS) & set(pd.read_csv(tmp_path / "applicants.csv").columns)
    assert "truth" not in repr(world)


# --- shape of the tables -----------------------------------------------------------------------------------------


def test_vacancy_is_a_handling_role_with_the_spec_band(spec: OrgSpec, world: World) -> None:
    v = world.vacancy
    columns = ["role", "team", "shift", "pay_min", "pay_max", "reason_zh_tw", "reason_en"]
    assert (list(v.columns), len(v)) == (columns, 1)
    row = v.iloc[0]
    assert row["role"] in {"agent", "senior_agent"} & set(spec.roles)
    band = spec.roles[row["role"]].base_pay
    assert (int(row["pay_min"]), int(row["pay_max"])) == (band.min, band.max)
    assert row["team"] in _frontline_teams(world)
    assert row["shift"] in spec.shifts
    assert row["reason_zh_tw"] and row["reason_en"] and row["reason_zh_tw"] != row["reason_en"]


def test_vacancy_role_is_mostly_agent(spec: OrgSpec) -> None:
    roles = [build_world(spec, s, staff=40, days=7).vacancy.iloc[0]["role"] for s in range(1, 13)]
    assert roles.count("agent") > roles.count("senior_agent") > 0


def test_applicants(world: World) -> None:
    a = world.applicants
    assert list(a.columns) == ["applicant_id", "name", "gender", "age_band", "experience_months", "education"]
    assert 24 <= len(a) <= 40
    assert list(a["applicant_id"]) == [f"A{i + 1:03d}" for i in range(len(a))]
    assert set(a["gender"]) == {"F", "M"}
    assert set(a["age_band"]) <= {"18-29", "30-44", "45+"}
    assert set(a["education"]) <= {"senior_high", "college", "university", "graduate"}
    assert pd.api.types.is_integer_dtype(a["experience_months"])
    assert (a["experience_months"] >= 0).all()
    assert (a["gender"].value_counts() >= rec.MIN_GROUP).all()
    assert (a["age_band"] == "45+").sum() >= rec.MIN_GROUP
    assert a["name"].is_unique
    assert not set(a["name"]) & (set(world.staff["name"]) | set(world.leavers["name"]))


def test_applicant_skills_truth(world: World) -> None:
    skills = world.truth["applicant_skills"]
    assert list(skills.index) == list(world.applicants["applicant_id"])
    assert skills.index.name == "applicant_id"
    assert list(skills.columns) == SKILLS
    assert all(pd.api.types.is_float_dtype(d) for d in skills.dtypes)
    assert ((skills >= 0) & (skills <= 4)).all().all()
    # a general ability factor: skills go together
    corr = skills.corr().to_numpy()
    assert float(corr[np.triu_indices_from(corr, 1)].mean()) > 0.1


def test_interview_kit_and_labels(world: World) -> None:
    kit = world.interview_kit
    assert list(kit.columns) == ["question_id", "text_zh_tw", "text_en", "competency"]
    assert 10 <= len(kit) <= 14
    assert kit["question_id"].is_unique
    assert set(kit["competency"]) <= {*SKILLS, ""}
    labels = world.truth["kit_labels"]
    assert list(labels) == list(kit["question_id"])
    unfair = [q for q, lab in labels.items() if not lab["fair"]]
    assert 3 <= len(unfair) <= 5
    for lab in labels.values():
        assert set(lab) == {"fair", "ground"}
        assert (lab["ground"] is None) == lab["fair"]
    bank = {q.id: q for q in rec.load_question_bank()}
    for row in kit.itertuples():
        assert (row.text_zh_tw, row.text_en, row.competency) == (
            bank[row.question_id].zh_tw,
            bank[row.question_id].en,
            bank[row.question_id].competency,
        )


def test_raters_truth(world: World) -> None:
    raters = world.truth["raters"]
    assert list(raters.index) == ["R1", "R2", "R3"]
    assert list(raters.columns) == ["bias_group", "bias", "noise_sd"]
    assert list(raters["bias_group"][:2]) == ["", ""]
    assert raters.at["R3", "bias_group"] in {"gender:F", "age_band:45+"}
    assert -1.3 <= raters.at["R3", "bias"] <= -0.7
    assert raters.at["R1", "noise_sd"] < raters.at["R3", "noise_sd"] < raters.at["R2", "noise_sd"]


def test_leavers_have_a_shift(spec: OrgSpec, world: World) -> None:
    lv = world.leavers
    assert "shift" in lv.columns
    assert set(lv["shift"]) <= set(spec.shifts)
    assert (lv.loc[~lv["role"].isin(["agent", "senior_agent"]), "shift"] == "day").all()


# --- ratings -----------------------------------------------------------------------------------------------------


def _required(w: World) -> list[str]:
    role = next(r for r in load_roles() if r.id == w.vacancy.iloc[0]["role"])
    return list(role.required_skills)


def test_ratings_shape(world: World) -> None:
    comps = list(world.interview_kit["competency"])
    r = rec.interview_ratings(world, comps)
    assert list(r.columns) == ["applicant_id", "rater", "question_id", "competency", "score"]
    assert len(r) == len(world.applicants) * 3 * len(comps)
    assert pd.api.types.is_integer_dtype(r["score"])
    assert r["score"].between(1, 5).all()
    assert not r.duplicated(["applicant_id", "rater", "question_id"]).any()
    by_q = r.drop_duplicates("question_id").set_index("question_id")["competency"]
    assert list(by_q.index) == [f"Q{i + 1}" for i in range(len(comps))]
    assert list(by_q) == comps
    empty = rec.interview_ratings(world, [])
    assert list(empty.columns) == list(r.columns) and len(empty) == 0
    with pytest.raises(UsageError):
        rec.interview_ratings(world, ["crm_system", 3])  # type: ignore[list-item]


def _by_occurrence(r: pd.DataFrame) -> pd.Series:
    """Scores keyed by (applicant, rater, competency, how many earlier questions had that competency)."""
    order = r.drop_duplicates("question_id")[["question_id", "competency"]]
    nth = order.groupby("competency").cumcount()
    occurrence = dict(zip(order["question_id"], nth, strict=True))
    key = pd.MultiIndex.from_arrays([r["applicant_id"], r["rater"], r["competency"], r["question_id"].map(occurrence)])
    return pd.Series(r["score"].to_numpy(), index=key).sort_index()


def test_ratings_are_deterministic_and_reorder_stable(spec: OrgSpec, world: World) -> None:
    comps = [*_required(world)[:4], "", "crm_system", "no_such_skill"]
    first = rec.interview_ratings(world, comps)
    pd.testing.assert_frame_equal(first, rec.interview_ratings(world, comps))
    pd.testing.assert_frame_equal(first, rec.interview_ratings(build_world(spec, SEED, days=DAYS), comps))
    reordered = rec.interview_ratings(world, comps[::-1])
    pd.testing.assert_series_equal(_by_occurrence(first), _by_occurrence(reordered))
    longer = rec.interview_ratings(world, ["coaching", *comps])
    kept = _by_occurrence(longer).drop("coaching", level=2, errors="ignore")
    pd.testing.assert_series_equal(kept, _by_occurrence(first).drop("coaching", level=2, errors="ignore"))


def test_ratings_follow_job_competence_on_required_skills_only(world: World) -> None:
    truth = rec.job_competence(world)
    on_skills = rec.interview_ratings(world, _required(world)).groupby("applicant_id")["score"].mean()
    general = rec.interview_ratings(world, [""] * 6).groupby("applicant_id")["score"].mean()
    assert float(on_skills.corr(truth)) > 0.7
    assert float(general.corr(truth)) < float(on_skills.corr(truth)) - 0.2


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_biased_rater_marks_their_group_down(spec: OrgSpec, seed: int) -> None:
    w = build_world(spec, seed, staff=40, days=7)
    raters = w.truth["raters"]
    column, _, value = raters.at["R3", "bias_group"].partition(":")
    r = rec.interview_ratings(w, _required(w))
    scores = r.pivot_table(index="applicant_id", columns="rater", values="score")
    gap = scores["R3"] - scores["R1"]
    in_group = w.applicants.set_index("applicant_id").loc[gap.index, column] == value
    assert float(gap[in_group].mean() - gap[~in_group].mean()) < -0.5
    unbiased = scores["R2"] - scores["R1"]
    assert abs(float(unbiased[in_group].mean() - unbiased[~in_group].mean())) < 0.5


def test_ratings_are_fast(world: World) -> None:
    comps = [*_required(world), "", "", "coaching", "sales_conversation"][:12]
    rec.interview_ratings(world, comps)
    start = time.perf_counter()
    for _ in range(5):
        rec.interview_ratings(world, comps)
    assert (time.perf_counter() - start) / 5 < 0.2  # a safety net; a good run takes some 10 ms


# --- job competence ----------------------------------------------------------------------------------------------


def test_job_competence_is_the_weighted_required_skills(world: World) -> None:
    role = next(r for r in load_roles() if r.id == world.vacancy.iloc[0]["role"])
    skills = world.truth["applicant_skills"]
    expected = sum(skills[s] * level for s, level in role.required_skills.items()) / sum(role.required_skills.values())
    got = rec.job_competence(world)
    assert list(got.index) == list(world.applicants["applicant_id"])
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())


def test_job_competence_is_independent_of_gender_and_age_on_average(spec: OrgSpec) -> None:
    gender_gaps, age_gaps = [], []
    for seed in range(1, 21):
        w = build_world(spec, seed, staff=40, days=7)
        competence = rec.job_competence(w)
        a = w.applicants.set_index("applicant_id")
        gender_gaps.append(competence[a["gender"] == "F"].mean() - competence[a["gender"] == "M"].mean())
        age_gaps.append(competence[a["age_band"] == "45+"].mean() - competence[a["age_band"] != "45+"].mean())
    assert abs(float(np.mean(gender_gaps))) < 0.15
    assert abs(float(np.mean(age_gaps))) < 0.15


# --- turnover drivers --------------------------------------------------------------------------------------------


def _lifts(w: World, kind: str) -> dict[tuple[str, str], tuple[float, int]]:
    """(factor, scope) -> (share among the scope's voluntary leavers / share among the others, leavers citing it)."""
    vol = w.leavers[w.leavers["leaver_type"] == "voluntary"]
    scopes = sorted(_frontline_teams(w)) if kind == "team" else sorted(set(vol["shift"]))
    out: dict[tuple[str, str], tuple[float, int]] = {}
    for scope in scopes:
        inside = (vol[kind] == scope).to_numpy()
        for factor in EXIT_FACTORS:
            cites = (vol["exit_factor"] == factor).to_numpy()
            share_in = cites[inside].mean() if inside.any() else 0.0
            share_out = cites[~inside].mean() if (~inside).any() else 0.0
            lift = share_in / share_out if share_out else (np.inf if share_in else 0.0)
            out[(factor, f"{kind}:{scope}")] = (float(lift), int(cites[inside].sum()))
    return out


@pytest.mark.parametrize("seed", range(1, 11))
def test_turnover_drivers_are_identifiable(spec: OrgSpec, seed: int) -> None:
    w = build_world(spec, seed, days=DAYS)
    drivers = w.truth["turnover_drivers"]
    assert [d["factor"] for d in drivers] == ["leadership", "stress"]
    for driver in drivers:
        kind, _, scope = driver["scope"].partition(":")
        lifts = _lifts(w, kind)
        lift, cites = lifts[(driver["factor"], driver["scope"])]
        assert lift >= 2, (driver, lift)
        assert cites >= 2, (driver, cites)
        rivals = {k: v for k, v in lifts.items() if k != (driver["factor"], driver["scope"]) and v[1] >= 5}
        assert all(v[0] < lift for v in rivals.values()), (driver, lift, rivals)
        # current staff work where the driver is, so a retention plan has people to act on
        frontline = w.staff[w.staff["role"].isin(["agent", "senior_agent"])]
        assert (frontline[kind] == scope).sum() >= 3
    assert drivers[0]["scope"].removeprefix("team:") in _frontline_teams(w)
    staffed = {s for s, share in spec.shifts.items() if share > 0}
    assert drivers[1]["scope"] != "shift:day" or staffed == {"day"}


def test_driver_scopes_lose_more_people_and_other_factors_still_appear(spec: OrgSpec) -> None:
    more_team, more_shift = [], []
    for seed in range(1, 11):
        w = build_world(spec, seed, days=DAYS)
        lv, staff = w.leavers, w.staff
        team = w.truth["turnover_drivers"][0]["scope"].removeprefix("team:")
        shift = w.truth["turnover_drivers"][1]["scope"].removeprefix("shift:")
        teams = sorted(_frontline_teams(w))
        per_team = lv[lv["team"].isin(teams)].groupby("team").size().reindex(teams, fill_value=0)
        more_team.append(per_team[team] / per_team.drop(team).mean())
        front = staff[staff["role"].isin(["agent", "senior_agent"])]
        leaver_share = (lv.loc[lv["team"] != SUPPORT_TEAM, "shift"] == shift).mean()
        more_shift.append(leaver_share / (front["shift"] == shift).mean())
        vol = lv[lv["leaver_type"] == "voluntary"]
        assert vol["exit_factor"].nunique() >= (6 if len(vol) >= 30 else 4)
        for column, scope in (("team", team), ("shift", shift)):
            there = vol[vol[column] == scope]
            if len(there) >= 6:
                assert there["exit_factor"].nunique() >= 2
    assert 1.4 <= float(np.mean(more_team)) <= 2.6, more_team
    assert float(np.mean(more_shift)) > 1.1, more_shift


# --- the question bank -------------------------------------------------------------------------------------------


def test_stand_in_bank_parses() -> None:
    questions = rec.parse_question_bank(stand_in_bank(), "stand-in")
    assert len(questions) == 22
    assert sum(not q.fair for q in questions) == 6
    assert all(q.ground is None for q in questions if q.fair)


def test_shipped_bank_loads() -> None:
    questions = rec.load_question_bank()
    assert rec.load_question_bank() is questions  # cached
    assert (sum(q.fair for q in questions) >= 11, sum(not q.fair for q in questions) >= 5) == (True, True)


def test_malformed_bank_reports_every_problem() -> None:
    text = yaml.safe_dump(
        {
            "schema_version": 1,
            "questions": [
                {"id": "X1", "zh-TW": "題目", "en": "Q", "fair": "yes", "competency": "", "type": "t"},
                {"id": "X2", "zh-TW": "", "en": "Q", "fair": False, "ground": None, "competency": "", "type": "t"},
                {"id": "X3", "zh-TW": "題", "en": "Q", "fair": True, "competency": "juggling", "type": "t"},
                {"id": "X3", "zh-TW": "題", "en": "Q", "fair": True, "competency": "", "type": "t"},
                "not a mapping",
            ],
        },
        allow_unicode=True,
    )
    with pytest.raises(ScenarioError) as info:
        rec.parse_question_bank(text, "bank.yaml")
    fields = [p.field for p in info.value.problems]
    assert fields == [
        "questions[0].fair",
        "questions[1].zh-TW",
        "questions[1].ground",
        "questions[2].competency",
        "questions[3].id",
        "questions[4]",
    ]
    assert "juggling" in info.value.problems[3].render("en")
    with pytest.raises(ScenarioError) as version:
        rec.parse_question_bank("schema_version: 2\nquestions: []\n", "bank.yaml")
    assert [p.field for p in version.value.problems] == ["schema_version"]
    with pytest.raises(ScenarioError) as small:
        rec.parse_question_bank(stand_in_bank(n_fair=5, n_unfair=2), "bank.yaml")
    assert [p.expected for p in small.value.problems] == ["scenario.bank_too_small"]
    for lang in ("en", "zh-TW"):
        assert "11" in small.value.problems[0].render(lang)
