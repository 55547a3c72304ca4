"""Moderation agreement: percent agreement and Cohen's kappa per criterion and overall, their Landis & Koch band,
and the reproducible stratified sample of submissions for second marking."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casekit.assessment.agreement import BANDS, Agreement, Pair, agreement, band_key, second_marking_sample
from casekit.errors import UsageError
from casekit.i18n import LANGS, catalog, set_lang

MET, NOT = "met", "not_yet_met"


def _pairs(criterion: str, counts: dict[tuple[str, str], int], prefix: str = "cand") -> list[Pair]:
    """``counts[(first, second)]`` pairs of ``criterion``, each on its own subject."""
    pairs: list[Pair] = []
    for (first, second), count in counts.items():
        start = len(pairs)
        pairs.extend(Pair(criterion, f"{prefix}-{start + i}/T4", first, second) for i in range(count))
    return pairs


def _overall(pairs: list[Pair]) -> Agreement:
    *_, overall = agreement(pairs)
    assert overall.criterion_id is None
    return overall


# --- kappa and percent -------------------------------------------------------------------------------------------


def test_kappa_of_a_hand_computed_table() -> None:
    #                 second met   second not
    #   first met         20            5       25
    #   first not         10           15       25
    #                     30           20       50
    # po = (20 + 15) / 50 = 0.70
    # pe = (25 * 30 + 25 * 20) / 50**2 = (750 + 500) / 2500 = 0.50
    # kappa = (po - pe) / (1 - pe) = 0.20 / 0.50 = 0.40 -> fair (0.21-0.40)
    pairs = _pairs("T4-C11", {(MET, MET): 20, (NOT, NOT): 15, (MET, NOT): 5, (NOT, MET): 10})
    criterion, overall = agreement(pairs)
    for result in (criterion, overall):
        assert (result.n, result.agreed) == (50, 35)
        assert result.percent == pytest.approx(70.0)
        assert result.kappa == pytest.approx(0.40)
        assert result.band_key == "agreement.band_fair"
    assert criterion.criterion_id == "T4-C11"
    assert criterion.band("en") == "fair"
    assert criterion.band("zh-TW") == "尚可"


def test_the_table_is_square_over_both_markers_categories() -> None:
    # the first marker never says "not_yet_met": the table still has both rows, so kappa is defined
    #   first met: 3 second met, 1 second not; po = 3/4, pe = (4*3 + 0*1)/16 = 0.75, kappa = 0 -> slight
    pairs = _pairs("C1", {(MET, MET): 3, (MET, NOT): 1})
    result = _overall(pairs)
    assert result.kappa == pytest.approx(0.0)
    assert result.band_key == "agreement.band_slight"


def test_perfect_agreement_over_both_categories() -> None:
    result = _overall(_pairs("C1", {(MET, MET): 7, (NOT, NOT): 3}))
    assert result.kappa == pytest.approx(1.0)
    assert result.percent == pytest.approx(100.0)
    assert result.band_key == "agreement.band_almost_perfect"
    assert result.band("en") == "almost perfect"
    assert result.band("zh-TW") == "幾乎完全一致"


def test_complete_disagreement_is_poor() -> None:
    # po = 0, pe = (5*5 + 5*5)/100 = 0.5, kappa = -1
    result = _overall(_pairs("C1", {(MET, NOT): 5, (NOT, MET): 5}))
    assert result.kappa == pytest.approx(-1.0)
    assert result.percent == 0.0
    assert result.band_key == "agreement.band_poor"


def test_all_judgements_in_one_category_leave_kappa_undefined() -> None:
    # pe = 1: kappa = (1 - 1) / (1 - 1) is undefined; only the percent is reported
    criterion, overall = agreement(_pairs("C1", {(MET, MET): 12}))
    for result in (criterion, overall):
        assert result.kappa is None
        assert result.percent == 100.0
        assert result.band_key == "agreement.band_undefined"
    assert overall.band("en") == "undefined"
    assert overall.band("zh-TW") == "無法計算"


def test_no_pairs() -> None:
    assert agreement([]) == (Agreement(None, 0, 0, 0.0, None, "agreement.band_undefined"),)


def test_per_criterion_then_overall() -> None:
    c2 = _pairs("T4-C2", {(MET, MET): 4, (NOT, NOT): 4, (MET, NOT): 2}, prefix="b")  # po 0.8
    c1 = _pairs("T4-C1", {(MET, MET): 5}, prefix="a")  # one category: kappa undefined
    c3 = _pairs("T4-C3", {(MET, NOT): 2, (NOT, MET): 2}, prefix="c")  # po 0
    results = agreement([*c2, *c1, *c3])
    assert [r.criterion_id for r in results] == ["T4-C1", "T4-C2", "T4-C3", None]
    assert [(r.n, r.agreed) for r in results] == [(5, 5), (10, 8), (4, 0), (19, 13)]
    first, second, third, overall = results
    assert first.kappa is None
    # T4-C2: rows met 6 / not 4, columns met 4 / not 6; pe = (6*4 + 4*6)/100 = 0.48; kappa = (0.8-0.48)/0.52
    assert second.kappa == pytest.approx((0.8 - 0.48) / 0.52)
    assert third.kappa == pytest.approx(-1.0)
    # pooled, 19 pairs: agreed 5 + 8 + 0 = 13, po = 13/19; first marker met 5 + 6 + 2 = 13, not 4 + 2 = 6;
    # second marker met 5 + 4 + 2 = 11, not 6 + 2 = 8; pe = (13*11 + 6*8) / 19**2 = 191/361
    pe = 191 / 361
    assert overall.kappa == pytest.approx((13 / 19 - pe) / (1 - pe))
    assert overall.percent == pytest.approx(100 * 13 / 19)


def test_the_same_criterion_of_a_subject_twice_is_refused() -> None:
    pair = Pair("C1", "cand-1/T4", MET, MET)
    with pytest.raises(UsageError):
        agreement([pair, Pair("C1", "cand-1/T4", MET, NOT)])
    assert len(agreement([pair, Pair("C2", "cand-1/T4", MET, NOT)])) == 3  # another criterion is another pair


def test_to_json() -> None:
    result = _overall(_pairs("C1", {(MET, MET): 1, (NOT, NOT): 1}))
    assert result.to_json() == {
        "criterion_id": None,
        "n": 2,
        "agreed": 2,
        "percent": 100.0,
        "kappa": pytest.approx(1.0),
        "band_key": "agreement.band_almost_perfect",
    }


@pytest.mark.parametrize(
    ("kappa", "key"),
    [
        (None, "undefined"),
        (-0.01, "poor"),
        (0.0, "slight"),
        (0.20, "slight"),
        (0.2000000000000001, "slight"),
        (0.21, "fair"),
        (0.40, "fair"),
        (0.41, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.81, "almost_perfect"),
        (1.0, "almost_perfect"),
    ],
)
def test_landis_koch_bands(kappa: float | None, key: str) -> None:
    assert band_key(kappa) == f"agreement.band_{key}"


def test_every_band_has_a_name_in_both_languages() -> None:
    keys = [key for _, key in BANDS] + ["agreement.band_poor", "agreement.band_undefined"]
    for lang in LANGS:
        assert all(catalog(lang)[key] for key in keys)


_judgement = st.sampled_from([MET, NOT])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["C1", "C2", "C3"]), _judgement, _judgement), max_size=60))
def test_kappa_and_percent_properties(marks: list[tuple[str, str, str]]) -> None:
    pairs = [Pair(c, f"cand-{i}/T4", first, second) for i, (c, first, second) in enumerate(marks)]
    results = agreement(pairs)
    assert [r.criterion_id for r in results[:-1]] == sorted({c for c, _, _ in marks})
    assert results[-1].n == len(pairs)
    for result in results:
        chosen = [p for p in pairs if result.criterion_id in (None, p.criterion_id)]
        assert result.n == len(chosen)
        assert result.agreed == sum(p.first == p.second for p in chosen)
        assert result.percent == (pytest.approx(100 * result.agreed / result.n) if result.n else 0.0)
        categories = {p.first for p in chosen} | {p.second for p in chosen}
        if len(categories) < 2:
            assert result.kappa is None
            assert result.band_key == "agreement.band_undefined"
            continue
        assert result.kappa is not None
        assert -1 - 1e-9 <= result.kappa <= 1 + 1e-9
        # the textbook formula agrees with statsmodels
        rows, cols = Counter(p.first for p in chosen), Counter(p.second for p in chosen)
        pe = sum(rows[c] * cols[c] for c in categories) / result.n**2
        assert result.kappa == pytest.approx((result.agreed / result.n - pe) / (1 - pe))
        assert result.band_key == band_key(result.kappa)


# --- the second-marking sample ------------------------------------------------------------------------------------


def _subjects(**strata: int) -> dict[str, str]:
    """``strata[outcome]`` subjects per outcome, keyed ``cand-<n>/T4``."""
    subjects: dict[str, str] = {}
    for outcome, count in strata.items():
        for _ in range(count):
            subjects[f"cand-{len(subjects):03d}/T4"] = outcome
    return subjects


@pytest.mark.parametrize(("n", "size"), [(0, 0), (1, 1), (3, 3), (5, 5), (20, 5), (50, 5), (51, 6), (100, 10)])
def test_sample_size(n: int, size: int) -> None:
    sample = second_marking_sample(_subjects(competent=n), seed=1)
    assert len(sample) == size
    assert len(set(sample)) == size


def test_sample_size_options() -> None:
    subjects = _subjects(competent=100)
    assert len(second_marking_sample(subjects, seed=1, share=0.07)) == 7  # 0.07 * 100 in floats is 7.000000000000001
    assert len(second_marking_sample(subjects, seed=1, share=0.25, minimum=1)) == 25
    assert len(second_marking_sample(subjects, seed=1, share=0.01, minimum=12)) == 12
    assert len(second_marking_sample(subjects, seed=1, share=1.0)) == 100
    assert len(second_marking_sample(_subjects(competent=4), seed=1, minimum=9)) == 4


def _by_outcome(subjects: dict[str, str], sample: tuple[str, ...]) -> dict[str, int]:
    return dict(Counter(subjects[key] for key in sample))


@pytest.mark.parametrize(
    ("strata", "expected"),
    [
        ({"competent": 70, "not_yet_competent": 30}, {"competent": 7, "not_yet_competent": 3}),
        # quotas 3.75 and 1.25 of a sample of 5: floors 3 and 1, the one left to the larger remainder
        ({"competent": 6, "not_yet_competent": 2}, {"competent": 4, "not_yet_competent": 1}),
        # quotas 9.5 and 0.5: the tie goes to the larger stratum, then the smaller one is given one of its places
        ({"competent": 95, "not_yet_competent": 5}, {"competent": 9, "not_yet_competent": 1}),
        # quotas 9.8, 0.1, 0.1: every stratum gets one, taken from the one over its share
        (
            {"competent": 98, "not_yet_competent": 1, "withdrawn": 1},
            {"competent": 8, "not_yet_competent": 1, "withdrawn": 1},
        ),
        ({"a": 40, "b": 40, "c": 20}, {"a": 4, "b": 4, "c": 2}),
    ],
)
def test_sample_is_stratified_proportionally(strata: dict[str, int], expected: dict[str, int]) -> None:
    subjects = _subjects(**strata)
    sample = second_marking_sample(subjects, seed=7)
    assert _by_outcome(subjects, sample) == expected


def test_a_sample_too_small_for_every_stratum_goes_by_the_largest_share() -> None:
    subjects = _subjects(a=2, b=5, c=3)
    sample = second_marking_sample(subjects, seed=3, minimum=1)  # ceil(0.1 * 10) = 1 place, 3 strata
    assert _by_outcome(subjects, sample) == {"b": 1}


def test_sample_is_reproducible_whatever_the_order() -> None:
    subjects = _subjects(competent=60, not_yet_competent=25)
    reordered = dict(reversed(list(subjects.items())))
    sample = second_marking_sample(subjects, seed=2024)
    assert sample == second_marking_sample(subjects, seed=2024)
    assert sample == second_marking_sample(reordered, seed=2024)
    assert list(sample) == sorted(sample)
    assert set(sample) <= set(subjects)


def test_another_seed_gives_another_sample() -> None:
    subjects = _subjects(competent=70, not_yet_competent=30)
    samples = {second_marking_sample(subjects, seed=seed) for seed in range(5)}
    assert len(samples) == 5


@pytest.mark.parametrize(
    "kwargs",
    [
        {"share": 0},
        {"share": -0.1},
        {"share": 1.5},
        {"share": math.nan},
        {"share": True},
        {"minimum": 0},
        {"minimum": -3},
        {"minimum": 2.5},
        {"seed": -1},
        {"seed": 1.5},
    ],
)
def test_sample_refuses_bad_arguments(kwargs: dict[str, object]) -> None:
    set_lang("en")
    arguments: dict[str, object] = {"seed": 1, **kwargs}
    with pytest.raises(UsageError, match=r"\(got "):
        second_marking_sample(_subjects(competent=10), **arguments)  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.text(min_size=1, max_size=6), st.sampled_from(["competent", "nyc", "other"]), max_size=80),
    st.integers(min_value=0, max_value=2**32),
    st.floats(min_value=0.01, max_value=1.0),
    st.integers(min_value=1, max_value=20),
)
def test_sample_properties(subjects: dict[str, str], seed: int, share: float, minimum: int) -> None:
    sample = second_marking_sample(subjects, seed=seed, share=share, minimum=minimum)
    total = len(subjects)
    size = min(total, max(minimum, math.ceil(Fraction(repr(share)) * total)))  # share as the decimal written
    assert len(sample) == size
    assert list(sample) == sorted(set(sample))
    assert set(sample) <= set(subjects)
    counts = _by_outcome(subjects, sample)
    strata = Counter(subjects.values())
    for outcome, n in strata.items():
        count = counts.get(outcome, 0)
        assert count <= n
        if size >= len(strata):
            assert count >= 1
        # largest remainder is within one place of the exact share; each stratum given one can move another by one
        assert abs(count - Fraction(size * n, total)) < len(strata)
    assert sample == second_marking_sample(dict(reversed(subjects.items())), seed=seed, share=share, minimum=minimum)
