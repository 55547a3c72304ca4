"""Panel selection from structured-interview ratings: panel scores, rater disagreements, inter-rater reliability
(ICC, weighted kappa), adverse impact by the four-fifths rule, and each rater's scores against the other raters'.

Ratings: one row per applicant, rater and question (``applicant_id, rater, question_id, competency, score``, whole
numbers 1..5). Conventions (FACTS "Selection"): the panel score is the panel's mean per question weighted by the
question weights; a spread of 2 points or more on one item is worth a calibration discussion; kappa is read on Landis
& Koch's (1977) scale, the ICC on Koo & Li's (2016), naming the form; a group selected at under four-fifths of the best
group's rate is flagged (US Uniform Guidelines 1978), with Fisher's exact test for small groups. Taiwan has no
statutory four-fifths rule: it is good practice under 就業服務法 §5 and 性別平等工作法 §7. scipy and statsmodels are
imported where used: they are slow to import.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from casekit.errors import ProblemCollector
from casekit.i18n import t

__all__ = [
    "FOUR_FIFTHS",
    "ICC_FORMS",
    "RATING_COLUMNS",
    "SMALL_GROUP",
    "SMALL_SELECTED",
    "IccResult",
    "adverse_impact",
    "disagreements",
    "icc",
    "icc_band",
    "icc_from_matrix",
    "kappa_band",
    "kappa_label",
    "panel_scores",
    "rater_bias",
    "small_sample_caution",
    "weighted_kappa",
]

RATING_COLUMNS: Final = ("applicant_id", "rater", "question_id", "score")
SCORE_RANGE: Final = (1, 5)
#: The six Shrout & Fleiss (1979) forms; "k" is the mean of the k raters.
ICC_FORMS: Final = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")
#: A group's selection rate under this share of the best group's rate flags adverse impact.
FOUR_FIFTHS: Final = 0.8
#: Below these a group is a small sample: the ratio is unstable and Fisher's exact test matters more.
SMALL_GROUP: Final = 30
SMALL_SELECTED: Final = 5
KappaWeights = Literal["linear", "quadratic", "none"]
Unit = Literal["applicant", "item"]


def _check_table(check: ProblemCollector, name: str, table: Any, columns: Sequence[str]) -> bool:
    if not isinstance(table, pd.DataFrame):
        check.need(False, name, "t1select.expect_table", type(table).__name__, columns=", ".join(columns))
        return False
    missing = [c for c in columns if c not in table.columns]
    got = ", ".join(map(str, table.columns))
    check.need(not missing, name, "t1select.expect_columns", got, columns=", ".join(missing))
    check.need(len(table) > 0, name, "t1select.expect_rows", len(table))
    return not missing and len(table) > 0


def _check_ratings(check: ProblemCollector, ratings: Any) -> bool:
    if not _check_table(check, "ratings", ratings, RATING_COLUMNS):
        return False
    scores = pd.to_numeric(ratings["score"], errors="coerce").astype(float)
    low, high = SCORE_RANGE
    bad = ratings["score"][~(np.isfinite(scores) & (scores == np.round(scores)) & (scores >= low) & (scores <= high))]
    check.need(bad.empty, "ratings.score", "t1select.expect_scores", None if bad.empty else bad.iloc[0])
    return bool(bad.empty)


def _question_order(ratings: pd.DataFrame) -> list[str]:
    """Question ids in the order first given (Q1, Q2, ..., Q10, not Q1, Q10, Q2)."""
    return [str(q) for q in dict.fromkeys(ratings["question_id"])]


def panel_scores(
    ratings: pd.DataFrame, weights: Mapping[str, float], exclude_raters: Collection[str] = ()
) -> pd.DataFrame:
    """Each applicant's panel score: the mean of the raters kept (all but ``exclude_raters``) per question, then
    the mean over questions weighted by ``weights`` (question_id -> weight >= 0, normalised to sum to 1 over the
    questions the applicant was rated on; a question without a weight weighs 0). Columns ``applicant_id, score``,
    best first (ties by applicant_id)."""
    check = ProblemCollector("panel_scores")
    if _check_ratings(check, ratings):
        raters = sorted(map(str, ratings["rater"].unique()))
        unknown = sorted(set(map(str, exclude_raters)) - set(raters))
        check.need(not unknown, "exclude_raters", "t1select.expect_known_rater", unknown, allowed=", ".join(raters))
        left = set(raters) - set(map(str, exclude_raters))
        check.need(bool(left), "exclude_raters", "t1select.expect_rater_left", sorted(exclude_raters))
    bad = {q: w for q, w in weights.items() if not _finite(w) or float(w) < 0}
    check.need(not bad, "weights", "t1select.expect_weight", bad)
    check.raise_any()
    kept = ratings[~ratings["rater"].astype(str).isin(set(map(str, exclude_raters)))]
    per_question = kept.groupby(["applicant_id", "question_id"], sort=False)["score"].mean().reset_index()
    w = per_question["question_id"].map(lambda q: float(weights.get(str(q), 0.0))).astype(float)
    questions = ", ".join(_question_order(ratings))
    check.need(bool(w.sum() > 0), "weights", "t1select.expect_some_weight", dict(weights), questions=questions)
    check.raise_any()
    per_question = per_question.assign(_w=w, _ws=w * per_question["score"].astype(float))
    totals = per_question.groupby("applicant_id", sort=False)[["_w", "_ws"]].sum()
    score = (totals["_ws"] / totals["_w"].where(totals["_w"] > 0)).rename("score")
    out = score.reset_index().astype({"applicant_id": str})
    return out.sort_values(["score", "applicant_id"], ascending=[False, True], ignore_index=True)


def disagreements(ratings: pd.DataFrame, min_spread: int = 2) -> pd.DataFrame:
    """The items (applicant, question) whose raters differ by ``min_spread`` points or more: columns
    ``applicant_id, question_id, low, high, spread``, by applicant, then question in kit order."""
    check = ProblemCollector("disagreements")
    _check_ratings(check, ratings)
    whole = isinstance(min_spread, int | np.integer) and not isinstance(min_spread, bool) and min_spread >= 1
    check.need(whole, "min_spread", "t1select.expect_min_spread", min_spread)
    check.raise_any()
    spreads = ratings.groupby(["applicant_id", "question_id"], sort=False)["score"].agg(low="min", high="max")
    items = spreads.reset_index().astype({"applicant_id": str, "question_id": str, "low": int, "high": int})
    items["spread"] = items["high"] - items["low"]
    out = items[items["spread"] >= min_spread]
    order = {q: i for i, q in enumerate(_question_order(ratings))}
    out = out.assign(_q=out["question_id"].map(order)).sort_values(["applicant_id", "_q"])
    return pd.DataFrame(out.drop(columns="_q").reset_index(drop=True))


# ------------------------------------------------------------------------------------------------------- ICC
@dataclass(frozen=True)
class IccResult:
    """An ICC: ``form``, ``value``, the F test of ICC = 0, the ``confidence`` interval, Koo & Li's ``label`` (poor,
    moderate, good, excellent; undefined without variance), for ``targets`` rows (``unit``) by ``raters`` raters."""

    form: str
    value: float
    f_value: float
    df1: int
    df2: int
    p_value: float
    ci_low: float
    ci_high: float
    label: str
    targets: int
    raters: int
    unit: str = "matrix"
    confidence: float = 0.95

    def explain(self, lang: str | None = None) -> str:
        """One line for people: the form, value and label, the interval and the F test."""
        return t("t1select.icc_explain", lang, **{**vars(self), "label": t(f"t1select.icc_{self.label}", lang)})


def _finite(value: Any) -> bool:
    number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    return number and math.isfinite(value)


def _form(form: Any, raters: int) -> str | None:
    """The canonical form for ``form``: "ICC(2,1)", "icc2", "ICC(2,k)", "ICC2k" or "ICC(2,3)" with 3 raters."""
    match = re.fullmatch(r"ICC\(?([123])(?:,?(1|K|\d+))?\)?", re.sub(r"\s+", "", str(form)).upper())
    count = (match.group(2) or "1") if match else ""
    if not match or count not in ("1", "K", str(raters)):
        return None
    return f"ICC({match.group(1)},{'1' if count == '1' else 'k'})"


def icc_band(value: float) -> str:
    """Koo & Li (2016): below 0.50 poor, 0.50-0.75 moderate, 0.75-0.90 good, above 0.90 excellent; ``undefined``
    for NaN. Koo & Li judge by the 95 % interval as well as the estimate."""
    if not math.isfinite(value):
        return "undefined"
    return "poor" if value < 0.5 else "moderate" if value < 0.75 else "good" if value <= 0.9 else "excellent"


def icc_from_matrix(matrix: npt.ArrayLike, form: str = "ICC(2,1)", confidence: float = 0.95) -> IccResult:
    """The ICC of a targets x raters matrix (no missing cells), from the two-way ANOVA mean squares.

    Shrout & Fleiss (1979) forms, with McGraw & Wong's (1996) names: ICC(1,1) one-way random, absolute agreement
    ("ICC(1)"); ICC(2,1) two-way random, absolute agreement, single rater ("ICC(A,1)"); ICC(3,1) two-way mixed,
    consistency, single rater ("ICC(C,1)"); ICC(1,k), ICC(2,k) ("ICC(A,k)") and ICC(3,k) ("ICC(C,k)") the same for
    the mean of the k raters. With n targets, k raters, MSR between targets, MSW within targets, MSC between raters
    and MSE the residual: ICC(1,1) = (MSR − MSW) / (MSR + (k−1)·MSW); ICC(2,1) = (MSR − MSE) / (MSR + (k−1)·MSE +
    k·(MSC − MSE)/n); ICC(3,1) = (MSR − MSE) / (MSR + (k−1)·MSE); the k forms drop the (k−1) and k factors.
    F tests of ICC = 0: MSR/MSW on (n−1, n(k−1)) df for form 1, MSR/MSE on (n−1, (n−1)(k−1)) for forms 2 and 3.
    Intervals: McGraw & Wong's, with Satterthwaite's df for form 2; the k forms' bounds are the single-rater bounds
    stepped up by Spearman-Brown (as R's psych computes them).
    """
    x = np.asarray(matrix, dtype=float)
    check = ProblemCollector("icc")
    shape_ok = x.ndim == 2 and x.shape[0] >= 2 and x.shape[1] >= 2 and bool(np.isfinite(x).all())
    check.need(shape_ok, "matrix", "t1select.expect_icc_size", x.shape)
    canonical = _form(form, x.shape[1] if x.ndim == 2 else 0)
    check.need(canonical is not None, "form", "t1select.expect_form", form, forms=", ".join(ICC_FORMS))
    ok_level = _finite(confidence) and 0 < float(confidence) < 1
    check.need(ok_level, "confidence", "t1select.expect_confidence", confidence)
    check.raise_any()
    assert canonical is not None  # checked above
    from scipy.stats import f as f_dist  # type: ignore[import-untyped]  # slow to import

    n, k = x.shape
    grand = x.mean()
    ss_rows, ss_cols = (
        k * float(((x.mean(axis=1) - grand) ** 2).sum()),
        n * float(((x.mean(axis=0) - grand) ** 2).sum()),
    )
    ss_total = float(((x - grand) ** 2).sum())
    msr, msc = ss_rows / (n - 1), ss_cols / (k - 1)
    msw = (ss_total - ss_rows) / (n * (k - 1))
    mse = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    model, single = canonical[4], canonical.endswith(",1)")
    residual = msw if model == "1" else mse
    agreement = msr + (k - 1) * mse + k * (msc - mse) / n
    denominators = {"ICC(1,1)": msr + (k - 1) * msw, "ICC(2,1)": agreement, "ICC(3,1)": msr + (k - 1) * mse}
    denominator = denominators.get(canonical, msr + (msc - mse) / n if model == "2" else msr)
    df1, df2 = n - 1, (n * (k - 1) if model == "1" else (n - 1) * (k - 1))
    q = 1 - (1 - float(confidence)) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        value, f_value = float((msr - residual) / np.float64(denominator)), float(msr / np.float64(residual))
        if model == "2":
            low, high = _agreement_interval(n, k, msr, msc, mse, q)
        else:
            f_low, f_high = f_value / f_dist.ppf(q, df1, df2), f_value * f_dist.ppf(q, df2, df1)
            low, high = (f_low - 1) / (f_low + k - 1), (f_high - 1) / (f_high + k - 1)
        if not single:  # Spearman-Brown: the bounds for the mean of k raters
            low, high = low * k / (1 + (k - 1) * low), high * k / (1 + (k - 1) * high)
        p_value = float(f_dist.sf(f_value, df1, df2))
    stats = (f_value, df1, df2, p_value, float(low), float(high), icc_band(value), n, k)
    return IccResult(canonical, value, *stats, confidence=float(confidence))


def _agreement_interval(n: int, k: int, msr: float, msc: float, mse: float, q: float) -> tuple[float, float]:
    """McGraw & Wong's interval for ICC(2,1) (absolute agreement), with Satterthwaite's approximate df."""
    from scipy.stats import f as f_dist

    rho = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    fj = msc / mse
    spread = n * (1 + (k - 1) * rho) - k * rho
    v = (k - 1) * (n - 1) * (k * rho * fj + spread) ** 2 / ((n - 1) * k**2 * rho**2 * fj**2 + spread**2)
    f_up, f_down = f_dist.ppf(q, n - 1, v), f_dist.ppf(q, v, n - 1)
    low = n * (msr - f_up * mse) / (f_up * (k * msc + (k * n - k - n) * mse) + n * msr)
    high = n * (f_down * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f_down * msr)
    return float(low), float(high)


def icc(ratings: pd.DataFrame, form: str = "ICC(2,1)", unit: Unit = "applicant", confidence: float = 0.95) -> IccResult:
    """The inter-rater ICC of interview ratings (see :func:`icc_from_matrix` for the forms and formulas).

    ``unit="applicant"``: one row per applicant, a rater's cell the mean of their scores over the questions (how
    the panel decides); ``unit="item"``: one row per applicant and question. Rows missing a rater are left out."""
    check = ProblemCollector("icc")
    _check_ratings(check, ratings)
    check.need(unit in ("applicant", "item"), "unit", "t1select.expect_unit", unit)
    check.raise_any()
    rows = ["applicant_id"] if unit == "applicant" else ["applicant_id", "question_id"]
    matrix = ratings.pivot_table(index=rows, columns="rater", values="score", aggfunc="mean").dropna()
    result = icc_from_matrix(matrix.to_numpy(dtype=float), form, confidence)
    return dataclasses.replace(result, unit=unit)


# ----------------------------------------------------------------------------------------------------- kappa
_KAPPA_BANDS: Final = ((0.0, "poor"), (0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"))


def kappa_band(value: float) -> str:
    """Landis & Koch (1977): <= 0 poor, to 0.20 slight, to 0.40 fair, to 0.60 moderate, to 0.80 substantial, above
    almost_perfect; ``undefined`` for NaN."""
    if not math.isfinite(value):
        return "undefined"
    return next((band for top, band in _KAPPA_BANDS if value <= top), "almost_perfect")


def kappa_label(value: float, lang: str | None = None) -> str:
    """The Landis & Koch label of a kappa, in ``lang``."""
    return t(f"t1select.kappa_{kappa_band(value)}", lang)


def weighted_kappa(
    a: Sequence[int], b: Sequence[int], categories: Sequence[int] = (1, 2, 3, 4, 5), weights: KappaWeights = "linear"
) -> float:
    """Cohen's kappa of two raters' scores of the same items, weighted for an ordinal scale (``linear``: a
    disagreement costs its distance, ``quadratic``: its square, both scaled by the range of ``categories``;
    ``none``: Cohen's unweighted kappa), by statsmodels. NaN when undefined (both raters use one category
    throughout). With two categories every weighting gives the unweighted kappa."""
    check = ProblemCollector("weighted_kappa")
    first, second = list(a), list(b)
    paired = len(first) == len(second) and len(first) > 0
    check.need(paired, "b", "t1select.expect_same_length", len(second), length=len(first))
    cats = list(categories)
    strays = sorted({v for v in (*first, *second) if v not in set(cats)}, key=str)
    allowed = ", ".join(map(str, cats))
    check.need(not strays and len(cats) >= 2, "a, b", "t1select.expect_categories", strays, allowed=allowed)
    check.need(weights in ("linear", "quadratic", "none"), "weights", "t1select.expect_kappa_weights", weights)
    check.raise_any()
    index = {c: i for i, c in enumerate(cats)}
    table = np.zeros((len(cats), len(cats)))
    np.add.at(table, ([index[v] for v in first], [index[v] for v in second]), 1.0)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum() ** 2
    if math.isclose(float(np.trace(expected)), 1.0):
        return math.nan  # chance agreement is certain: kappa = 0 / 0
    from statsmodels.stats.inter_rater import cohens_kappa  # slow to import

    positions = np.asarray(cats, dtype=float) if all(_finite(c) for c in cats) else np.arange(len(cats), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # variance terms of a degenerate table; kappa is fine
        weighted = {} if weights == "none" else {"weights": positions, "wt": weights}
        result = cohens_kappa(table, **weighted)
    return float(result.kappa)


# --------------------------------------------------------------------------------------------- adverse impact
def _check_groups(check: ProblemCollector, applicants: Any, by: str) -> bool:
    if not _check_table(check, "applicants", applicants, ("applicant_id",)):
        return False
    allowed = [str(c) for c in applicants.columns if c != "applicant_id"]
    check.need(by in allowed, "by", "t1select.expect_column", by, allowed=", ".join(allowed))
    return by in allowed


def adverse_impact(applicants: pd.DataFrame, selected_ids: Collection[str], by: str) -> pd.DataFrame:
    """Selection rates per group of ``by`` (e.g. ``gender``, ``age_band``) and the four-fifths rule.

    Columns: ``group, applicants, selected, rate`` (selected / applicants), ``ratio`` (rate / the highest group
    rate; NaN when nobody is selected), ``flagged`` (ratio < 0.8), ``fisher_p`` (Fisher's exact two-sided test of
    the group's selected / not selected against the highest-rate group's; NaN for that group itself) and
    ``small_sample`` (fewer than :data:`SMALL_GROUP` applicants in the group or fewer than :data:`SMALL_SELECTED`
    of them selected: read the ratio with care and the test beside it). Groups sorted by name."""
    check = ProblemCollector("adverse_impact")
    if _check_groups(check, applicants, by):
        known = set(map(str, applicants["applicant_id"]))
        unknown = sorted(set(map(str, selected_ids)) - known)
        check.need(not unknown, "selected_ids", "t1select.expect_known_applicants", unknown)
    check.raise_any()
    from scipy.stats import fisher_exact  # slow to import

    frame = applicants[["applicant_id", by]].dropna(subset=[by])
    frame = frame.assign(_sel=frame["applicant_id"].astype(str).isin(set(map(str, selected_ids))))
    table = frame.groupby(frame[by].astype(str)).agg(applicants=("applicant_id", "size"), selected=("_sel", "sum"))
    table = table.rename_axis("group").reset_index().sort_values("group", ignore_index=True)
    table = table.astype({"applicants": int, "selected": int})
    table["rate"] = table["selected"] / table["applicants"]
    best = int(table["rate"].to_numpy().argmax())
    top = float(table["rate"].iloc[best])
    table["ratio"] = table["rate"] / top if top > 0 else math.nan
    table["flagged"] = (table["ratio"] < FOUR_FIFTHS).fillna(False).astype(bool)
    ref = (int(table["selected"].iloc[best]), int(table["applicants"].iloc[best] - table["selected"].iloc[best]))
    table["fisher_p"] = [
        math.nan if i == best else float(fisher_exact([[s, n - s], list(ref)]).pvalue)
        for i, (s, n) in enumerate(zip(table["selected"], table["applicants"], strict=True))
    ]
    table["small_sample"] = (table["applicants"] < SMALL_GROUP) | (table["selected"] < SMALL_SELECTED)
    return table


def small_sample_caution(lang: str | None = None) -> str:
    """The caution shown beside an adverse-impact table, with the thresholds."""
    return t("t1select.small_sample", lang, applicants=SMALL_GROUP, selected=SMALL_SELECTED)


def rater_bias(ratings: pd.DataFrame, applicants: pd.DataFrame, by: str) -> pd.DataFrame:
    """How each rater scores each group of ``by`` against the other raters on the same items.

    Per rater and group: ``mean_score`` (the rater's mean), ``others_mean`` (the other raters' mean on the same
    applicants and questions) and ``difference`` (the first minus the second), by rater then group. A rater harsh to
    everyone is below the others in every group; one who marks a group down is below them there only."""
    check = ProblemCollector("rater_bias")
    _check_ratings(check, ratings)
    _check_groups(check, applicants, by)
    check.raise_any()
    groups = applicants[["applicant_id", by]].dropna(subset=[by]).astype({"applicant_id": str, by: str})
    frame = ratings[list(RATING_COLUMNS)].astype({"applicant_id": str, "rater": str}).copy()
    frame["score"] = frame["score"].astype(float)
    item = frame.groupby(["applicant_id", "question_id"])["score"]
    total, count = item.transform("sum"), item.transform("count")
    frame["others"] = (total - frame["score"]) / (count - 1).where(count > 1)
    frame = frame.dropna(subset=["others"]).merge(groups.rename(columns={by: "group"}), on="applicant_id")
    out = frame.groupby(["rater", "group"]).agg(mean_score=("score", "mean"), others_mean=("others", "mean"))
    out["difference"] = out["mean_score"] - out["others_mean"]
    return out.reset_index().sort_values(["rater", "group"], ignore_index=True)
