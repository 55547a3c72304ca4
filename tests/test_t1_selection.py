"""Selection statistics against published values (Shrout & Fleiss 1979 with R psych's output, Cohen's kappa
example, FACTS' four-fifths example), hand-computed formulas and scipy / statsmodels."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from casekit.cases.t1_recruitment.selection import (
    ICC_FORMS,
    adverse_impact,
    disagreements,
    icc,
    icc_band,
    icc_from_matrix,
    kappa_band,
    kappa_label,
    panel_scores,
    rater_bias,
    small_sample_caution,
    weighted_kappa,
)
from casekit.errors import UsageError
from casekit.i18n import set_lang

# Shrout & Fleiss (1979), Table 2: 6 targets x 4 judges
SF = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
# their Table 4 (two decimals), and R psych::ICC on the same data (F, df, p, 95 % bounds; as printed in
# dwoll/RExRepos interRaterICC.md)
PUBLISHED = {
    "ICC(1,1)": (0.17, 1.8, 5, 18, 0.16477, -0.133, 0.72),
    "ICC(2,1)": (0.29, 11.0, 5, 15, 0.00013, 0.019, 0.76),
    "ICC(3,1)": (0.71, 11.0, 5, 15, 0.00013, 0.342, 0.95),
    "ICC(1,k)": (0.44, 1.8, 5, 18, 0.16477, -0.884, 0.91),
    "ICC(2,k)": (0.62, 11.0, 5, 15, 0.00013, 0.071, 0.93),
    "ICC(3,k)": (0.91, 11.0, 5, 15, 0.00013, 0.676, 0.99),
}


@pytest.fixture
def english() -> Iterator[None]:
    set_lang("en")
    yield
    set_lang(None)


def _ratings(rows: dict[tuple[str, str], list[int]], raters: tuple[str, ...] = ("R1", "R2", "R3")) -> pd.DataFrame:
    """{(applicant, question): [score by each rater]} -> a ratings table."""
    return pd.DataFrame(
        [
            {"applicant_id": a, "rater": r, "question_id": q, "competency": "", "score": s}
            for (a, q), scores in rows.items()
            for r, s in zip(raters, scores, strict=True)
        ]
    )


# ---------------------------------------------------------------------------------------------------- ICC
@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_reproduces_shrout_and_fleiss(form: str) -> None:
    value, f_value, df1, df2, p, low, high = PUBLISHED[form]
    r = icc_from_matrix(SF, form)
    assert r.form == form
    assert round(r.value, 2) == value
    assert (r.df1, r.df2) == (df1, df2)
    assert r.f_value == pytest.approx(f_value, abs=0.05)
    assert r.p_value == pytest.approx(p, abs=5e-6)
    assert round(r.ci_low, 3) == pytest.approx(low, abs=0.0011)
    assert round(r.ci_high, 2) == pytest.approx(high, abs=0.011)
    assert (r.targets, r.raters, r.confidence) == (6, 4, 0.95)


@pytest.mark.filterwarnings("ignore:.*is deprecated and will be removed")  # statsmodels on import, not ours
def test_the_f_tests_agree_with_scipy_and_statsmodels() -> None:
    one_way = stats.f_oneway(*[np.asarray(row, dtype=float) for row in SF])  # targets as groups: MSR / MSW
    r1 = icc_from_matrix(SF, "ICC(1,1)")
    assert r1.f_value == pytest.approx(one_way.statistic)
    assert r1.p_value == pytest.approx(one_way.pvalue)
    from statsmodels.stats.anova import AnovaRM

    long = pd.DataFrame(
        [{"target": i, "judge": j, "score": float(v)} for i, row in enumerate(SF) for j, v in enumerate(row)]
    )
    # targets as the repeated factor and judges as subjects: the target F is MSR / MSE on (n-1, (n-1)(k-1))
    table = AnovaRM(long, "score", "judge", within=["target"]).fit().anova_table
    r3 = icc_from_matrix(SF, "ICC(3,1)")
    assert r3.f_value == pytest.approx(table.loc["target", "F Value"])
    assert r3.p_value == pytest.approx(table.loc["target", "Pr > F"])
    assert r3.p_value == pytest.approx(stats.f.sf(r3.f_value, 5, 15))


def test_form_names_and_errors(english: None) -> None:
    assert icc_from_matrix(SF, "icc2").form == "ICC(2,1)"
    assert icc_from_matrix(SF, "ICC 3k").form == "ICC(3,k)"
    assert icc_from_matrix(SF, "ICC(2,4)").form == "ICC(2,k)"  # k written as the number of raters
    with pytest.raises(UsageError, match=r"icc: form: an ICC form: ICC\(1,1\), .* \(got 'ICC\(2,3\)'\)"):
        icc_from_matrix(SF, "ICC(2,3)")
    with pytest.raises(UsageError, match="at least 2 targets by 2 raters"):
        icc_from_matrix([[1, 2, 3]])
    with pytest.raises(UsageError, match="confidence"):
        icc_from_matrix(SF, confidence=95)


def test_icc_of_ratings_by_applicant_and_by_item() -> None:
    rows = {
        ("A1", "Q1"): [5, 4, 5],
        ("A1", "Q2"): [4, 4, 3],
        ("A2", "Q1"): [2, 1, 2],
        ("A2", "Q2"): [3, 2, 2],
        ("A3", "Q1"): [3, 3, 4],
        ("A3", "Q2"): [4, 3, 4],
    }
    ratings = _ratings(rows)
    by_applicant = icc(ratings, "ICC(2,1)")
    means = [[(rows[(a, "Q1")][r] + rows[(a, "Q2")][r]) / 2 for r in range(3)] for a in ("A1", "A2", "A3")]
    assert by_applicant.value == pytest.approx(icc_from_matrix(means, "ICC(2,1)").value)
    assert by_applicant.unit == "applicant"
    by_item = icc(ratings, "ICC(3,k)", unit="item")
    assert by_item.value == pytest.approx(icc_from_matrix(list(rows.values()), "ICC(3,k)").value)
    assert (by_item.targets, by_item.raters, by_item.unit) == (6, 3, "item")


def test_koo_and_li_bands() -> None:
    cases = [(0.49, "poor"), (0.5, "moderate"), (0.74, "moderate"), (0.75, "good"), (0.9, "good"), (0.91, "excellent")]
    for value, band in cases:
        assert icc_band(value) == band
    assert icc_band(math.nan) == "undefined"
    assert icc_from_matrix(SF, "ICC(3,k)").label == "excellent"


def test_explain_in_both_languages() -> None:
    r = icc_from_matrix(SF, "ICC(2,1)")
    assert r.explain("en").startswith("ICC(2,1) = 0.29: poor (Koo & Li 2016); 95% confidence interval 0.02 to 0.76")
    assert "不佳" in r.explain("zh-TW")


# --------------------------------------------------------------------------------------------------- kappa
# Wikipedia "Cohen's kappa", first worked example: 50 applications, both yes 20, A yes B no 5, A no B yes 10, both no 15
KAPPA_A = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
KAPPA_B = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15


def test_cohens_kappa_published_example() -> None:
    assert weighted_kappa(KAPPA_A, KAPPA_B, categories=(0, 1), weights="none") == pytest.approx(0.4)
    # with two categories every weighting is the unweighted kappa
    assert weighted_kappa(KAPPA_A, KAPPA_B, categories=(0, 1)) == pytest.approx(0.4)
    assert weighted_kappa(KAPPA_A, KAPPA_B, categories=(0, 1), weights="quadratic") == pytest.approx(0.4)
    assert kappa_band(0.4) == "fair"


def _kappa_by_hand(a: list[int], b: list[int], cats: list[int], power: int) -> float:
    """1 - sum(w * observed) / sum(w * expected), w = (|i - j| / (k - 1)) ** power."""
    k = len(cats)
    observed = np.zeros((k, k))
    for x, y in zip(a, b, strict=True):
        observed[cats.index(x), cats.index(y)] += 1
    observed /= observed.sum()
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0))
    i, j = np.indices((k, k))
    w = (np.abs(i - j) / (k - 1)) ** power
    return float(1 - (w * observed).sum() / (w * expected).sum())


def test_weighted_kappa_by_hand() -> None:
    a = [1, 2, 3, 4, 5, 3, 2, 4, 5, 1, 3, 3]
    b = [1, 3, 3, 5, 4, 2, 2, 4, 5, 2, 3, 4]
    cats = [1, 2, 3, 4, 5]
    assert weighted_kappa(a, b, weights="linear") == pytest.approx(_kappa_by_hand(a, b, cats, 1))
    assert weighted_kappa(a, b, weights="quadratic") == pytest.approx(_kappa_by_hand(a, b, cats, 2))
    # unweighted: (p_o - p_e) / (1 - p_e)
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / len(a)
    p_e = sum((a.count(c) / len(a)) * (b.count(c) / len(b)) for c in cats)
    assert weighted_kappa(a, b, weights="none") == pytest.approx((p_o - p_e) / (1 - p_e))
    assert weighted_kappa(a, a) == pytest.approx(1.0)


def test_kappa_undefined_and_errors(english: None) -> None:
    assert math.isnan(weighted_kappa([3, 3, 3], [3, 3, 3]))
    assert kappa_band(math.nan) == "undefined"
    with pytest.raises(UsageError, match=r"weighted_kappa: b: as many ratings as the first rater's \(3\)"):
        weighted_kappa([1, 2, 3], [1, 2])
    with pytest.raises(UsageError, match=r"categories 1, 2, 3, 4, 5 .*\(got \[0, 7\]\)"):
        weighted_kappa([1, 0, 3], [1, 7, 3])
    with pytest.raises(UsageError, match="linear, quadratic or none"):
        weighted_kappa([1, 2], [1, 2], weights="cubic")  # type: ignore[arg-type]


def test_landis_and_koch_bands_and_labels() -> None:
    cases = [(-0.1, "poor"), (0.0, "poor"), (0.1, "slight"), (0.2, "slight"), (0.21, "fair"), (0.5, "moderate")]
    cases += [(0.61, "substantial"), (0.8, "substantial"), (0.81, "almost_perfect"), (1.0, "almost_perfect")]
    for value, band in cases:
        assert kappa_band(value) == band
    assert kappa_label(0.7, "en") == "substantial"
    assert kappa_label(0.7, "zh-TW") == "高度一致"


# ------------------------------------------------------------------------------------------- panel scores
PANEL = {
    ("A001", "Q1"): [4, 4, 1],
    ("A001", "Q2"): [3, 3, 3],
    ("A002", "Q1"): [5, 5, 5],
    ("A002", "Q2"): [1, 2, 3],
    ("A003", "Q1"): [2, 2, 2],
    ("A003", "Q2"): [5, 5, 2],
}


def test_panel_scores_by_hand() -> None:
    scores = panel_scores(_ratings(PANEL), {"Q1": 3, "Q2": 1})
    got = dict(zip(scores["applicant_id"], scores["score"], strict=True))
    assert got["A001"] == pytest.approx((3 * 3 + 1 * 3) / 4)
    assert got["A002"] == pytest.approx((3 * 5 + 1 * 2) / 4)
    assert got["A003"] == pytest.approx((3 * 2 + 1 * 4) / 4)
    assert list(scores["applicant_id"]) == ["A002", "A001", "A003"]
    assert list(scores.columns) == ["applicant_id", "score"]


def test_panel_scores_without_a_rater_and_with_a_missing_weight() -> None:
    scores = panel_scores(_ratings(PANEL), {"Q1": 1.0}, exclude_raters=["R3"])  # Q2 weighs 0
    assert dict(zip(scores["applicant_id"], scores["score"], strict=True)) == {"A002": 5.0, "A001": 4.0, "A003": 2.0}
    tied = panel_scores(_ratings({("B", "Q1"): [3, 3, 3], ("A", "Q1"): [3, 3, 3]}), {"Q1": 1})
    assert list(tied["applicant_id"]) == ["A", "B"]


def test_panel_scores_errors(english: None) -> None:
    ratings = _ratings(PANEL)
    with pytest.raises(UsageError, match=r"a weight above 0 for at least one question rated \(Q1, Q2\)"):
        panel_scores(ratings, {"Q1": 0, "Q9": 2})
    with pytest.raises(UsageError) as caught:
        panel_scores(ratings, {"Q1": -1}, exclude_raters=["R9"])
    text = str(caught.value)
    assert "panel_scores: exclude_raters: raters who appear in the ratings: R1, R2, R3 (got ['R9'])" in text
    assert "panel_scores: weights: weights that are finite numbers of at least 0 (got {'Q1': -1})" in text
    with pytest.raises(UsageError, match="at least one rater not excluded"):
        panel_scores(ratings, {"Q1": 1}, exclude_raters=["R1", "R2", "R3"])
    with pytest.raises(UsageError, match=r"ratings.score: whole-number scores from 1 to 5 \(got 6\)"):
        panel_scores(ratings.assign(score=6), {"Q1": 1})
    with pytest.raises(UsageError, match="the columns it lacks: score"):
        panel_scores(ratings.drop(columns="score"), {"Q1": 1})


def test_disagreements_in_kit_order() -> None:
    rows = {("A1", "Q2"): [1, 3, 2], ("A1", "Q10"): [5, 1, 3], ("A1", "Q1"): [3, 3, 4], ("A0", "Q10"): [2, 4, 4]}
    table = disagreements(_ratings(rows))
    assert list(table.columns) == ["applicant_id", "question_id", "low", "high", "spread"]
    assert table.values.tolist() == [["A0", "Q10", 2, 4, 2], ["A1", "Q2", 1, 3, 2], ["A1", "Q10", 1, 5, 4]]
    assert len(disagreements(_ratings(rows), min_spread=3)) == 1
    assert len(disagreements(_ratings(rows), min_spread=1)) == 4


# ---------------------------------------------------------------------------------------- adverse impact
def _pool(groups: dict[str, int]) -> pd.DataFrame:
    rows = [(g, i) for g, n in groups.items() for i in range(n)]
    return pd.DataFrame({"applicant_id": [f"{g}{i:03d}" for g, i in rows], "gender": [g for g, _ in rows]})


def test_four_fifths_facts_example() -> None:
    # FACTS: 48 / 120 = 40 % against 20 / 80 = 25 %: ratio 0.625, flagged
    pool = _pool({"F": 120, "M": 80})
    chosen = [f"F{i:03d}" for i in range(48)] + [f"M{i:03d}" for i in range(20)]
    table = adverse_impact(pool, chosen, "gender")
    assert list(table.columns) == [
        "group",
        "applicants",
        "selected",
        "rate",
        "ratio",
        "flagged",
        "fisher_p",
        "small_sample",
    ]
    f, m = table.set_index("group").loc["F"], table.set_index("group").loc["M"]
    assert (f["applicants"], f["selected"], f["rate"], f["ratio"], bool(f["flagged"])) == (120, 48, 0.4, 1.0, False)
    assert (m["applicants"], m["selected"], m["rate"], bool(m["flagged"])) == (80, 20, 0.25, True)
    assert m["ratio"] == pytest.approx(0.625)
    assert m["fisher_p"] == pytest.approx(stats.fisher_exact([[20, 60], [48, 72]]).pvalue)
    assert math.isnan(f["fisher_p"])
    assert not table["small_sample"].any()


def test_small_samples_and_nobody_selected() -> None:
    pool = _pool({"F": 12, "M": 10})
    table = adverse_impact(pool, ["F000", "F001", "F002", "M000"], "gender").set_index("group")
    assert table["small_sample"].all()
    assert table.loc["M", "ratio"] == pytest.approx((1 / 10) / (3 / 12))
    assert bool(table.loc["M", "flagged"])
    empty = adverse_impact(pool, [], "gender")
    assert empty["ratio"].isna().all()
    assert not empty["flagged"].any()
    assert "30" in small_sample_caution("en") and "5" in small_sample_caution("zh-TW")


def test_adverse_impact_errors(english: None) -> None:
    pool = _pool({"F": 3, "M": 3})
    with pytest.raises(UsageError, match=r"selected_ids: applicant ids of the applicants table \(got \['X1'\]\)"):
        adverse_impact(pool, ["F000", "X1"], "gender")
    with pytest.raises(UsageError, match=r"by: a column of the applicants table: gender \(got 'shoe_size'\)"):
        adverse_impact(pool, [], "shoe_size")


# ------------------------------------------------------------------------------------------- rater bias
def test_rater_bias_finds_the_rater_who_marks_a_group_down() -> None:
    # R3 gives women one point less than the others on every item, and men the same
    rows = {
        ("A1", "Q1"): [4, 4, 3],
        ("A1", "Q2"): [3, 3, 2],
        ("A2", "Q1"): [2, 2, 2],
        ("A2", "Q2"): [5, 5, 5],
    }
    applicants = pd.DataFrame({"applicant_id": ["A1", "A2"], "gender": ["F", "M"], "age_band": ["18-29", "45+"]})
    table = rater_bias(_ratings(rows), applicants, "gender")
    assert list(table.columns) == ["rater", "group", "mean_score", "others_mean", "difference"]
    got = table.set_index(["rater", "group"])
    assert got.loc[("R3", "F"), "mean_score"] == pytest.approx(2.5)
    assert got.loc[("R3", "F"), "others_mean"] == pytest.approx(3.5)
    assert got.loc[("R3", "F"), "difference"] == pytest.approx(-1.0)
    assert got.loc[("R3", "M"), "difference"] == pytest.approx(0.0)
    # R1 against R2 and R3 on A1: 3.5 against the mean of (4, 3) and (3, 2)
    assert got.loc[("R1", "F"), "difference"] == pytest.approx(3.5 - 3.0)
    assert list(table["rater"]) == ["R1", "R1", "R2", "R2", "R3", "R3"]


# ------------------------------------------------------------------------------------------- on a world
@pytest.fixture(scope="module")
def world_ratings() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from casekit.scenario import world_for
    from casekit.scenario.recruitment import interview_ratings

    world = world_for("bank-cards", 7)
    ratings = interview_ratings(world, [str(c) for c in world.interview_kit["competency"].fillna("")])
    return ratings, world.applicants, world.truth["raters"]


def test_rater_bias_finds_the_worlds_biased_rater(world_ratings: tuple[pd.DataFrame, ...]) -> None:
    ratings, applicants, raters = world_ratings
    biased = raters[raters["bias"] < 0]
    assert len(biased) == 1
    column, group = str(biased["bias_group"].iloc[0]).split(":")
    table = rater_bias(ratings, applicants, column)
    worst = table.loc[table["difference"].idxmin()]
    assert (worst["rater"], worst["group"]) == (biased.index[0], group)
    assert worst["difference"] < -0.3


def test_the_statistics_run_on_a_world(world_ratings: tuple[pd.DataFrame, ...]) -> None:
    ratings, applicants, _ = world_ratings
    result = icc(ratings)
    assert -1 <= result.value <= 1 and result.ci_low <= result.value <= result.ci_high
    assert result.targets == applicants["applicant_id"].nunique() and result.raters == 3
    weights = dict.fromkeys(ratings["question_id"].unique(), 1.0)
    scores = panel_scores(ratings, weights)
    assert set(scores["applicant_id"]) == set(applicants["applicant_id"])
    table = adverse_impact(applicants, list(scores["applicant_id"][:8]), "gender")
    assert table["selected"].sum() == 8 and table["small_sample"].all()
