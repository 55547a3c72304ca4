"""How far a moderator's second marking agrees with the primary assessor's, and which submissions to second-mark.

A primary assessor marks each assessor criterion of a submission ``met`` or ``not_yet_met``; a moderator second-marks
some of them. Each second-marked criterion is a :class:`Pair` of judgements. :func:`agreement` reports, per criterion
and over all pairs, the percent agreement and Cohen's kappa (agreement corrected for what chance alone would give),
with its band on the Landis & Koch (1977) scale, so a moderation report can say not only how often the two agreed but
whether that is more than two people marking at random with the same leanings would.

Kappa is computed by statsmodels (:func:`statsmodels.stats.inter_rater.cohens_kappa`) from the contingency table of
the two markings. It is undefined when there are no pairs, or when chance agreement is certain: every judgement of
both markers falls in one category (say, all ``met``), so ``1 - p_e`` is zero. Then :attr:`Agreement.kappa` is
``None``, the band is ``agreement.band_undefined``, and the report gives the percent agreement only.

:func:`second_marking_sample` chooses which submissions a moderator second-marks: a share of the cohort, at least a
minimum, stratified by decision outcome so competent and not-yet-competent decisions are both checked, and
reproducible from a seed so the choice can be re-derived and audited. Nothing here reads or writes a file.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Final

import numpy as np

from casekit.errors import UsageError
from casekit.i18n import t

__all__ = [
    "BANDS",
    "Agreement",
    "Pair",
    "agreement",
    "band_key",
    "second_marking_sample",
]

# Landis & Koch (1977): the upper bound of each band (inclusive) and its catalog key; below 0 is poor
BANDS: Final[tuple[tuple[float, str], ...]] = (
    (0.20, "agreement.band_slight"),
    (0.40, "agreement.band_fair"),
    (0.60, "agreement.band_moderate"),
    (0.80, "agreement.band_substantial"),
    (1.00, "agreement.band_almost_perfect"),
)
_POOR: Final = "agreement.band_poor"
_UNDEFINED: Final = "agreement.band_undefined"
# kappa is rounded this far before banding, so float noise (0.2000000000000001) does not move it up a band
_BAND_DIGITS: Final = 9


@dataclass(frozen=True)
class Pair:
    """Two judgements of one criterion of one subject (e.g. the submission key ``"cand-1/T4"``): the primary
    assessor's (``first``) and the moderator's (``second``), normally ``"met"`` or ``"not_yet_met"``."""

    criterion_id: str
    subject: str
    first: str
    second: str


@dataclass(frozen=True)
class Agreement:
    """Agreement over ``n`` pairs of one criterion (``criterion_id``), or over every pair (``criterion_id`` None).

    ``percent`` is ``100 * agreed / n`` (0 when ``n`` is 0). ``kappa`` is Cohen's kappa, ``None`` when undefined:
    no pairs, or expected agreement 1 (every judgement of both markers in one category), when only the percent
    means anything. ``band_key`` is the catalog key of its Landis & Koch band (``agreement.band_undefined`` when
    kappa is ``None``).
    """

    criterion_id: str | None
    n: int
    agreed: int
    percent: float
    kappa: float | None
    band_key: str

    def band(self, lang: str | None = None) -> str:
        """The band's name in ``lang`` (default: the current language)."""
        return t(self.band_key, lang)

    def to_json(self) -> dict[str, Any]:
        return {
            "criterion_id": self.criterion_id,
            "n": self.n,
            "agreed": self.agreed,
            "percent": self.percent,
            "kappa": self.kappa,
            "band_key": self.band_key,
        }


def band_key(kappa: float | None) -> str:
    """The catalog key of the Landis & Koch band ``kappa`` falls in: below 0 poor, up to 0.20 slight, 0.40 fair,
    0.60 moderate, 0.80 substantial, 1.00 almost perfect (each bound inclusive); undefined for ``None``."""
    if kappa is None:
        return _UNDEFINED
    value = round(kappa, _BAND_DIGITS)
    if value < 0:
        return _POOR
    for upper, key in BANDS:
        if value <= upper:
            return key
    return BANDS[-1][1]


def agreement(pairs: Sequence[Pair]) -> tuple[Agreement, ...]:
    """Agreement for each criterion (sorted by criterion id), then over every pair (``criterion_id`` None), last.

    The overall figure pools the pairs of every criterion into one table. The same criterion of the same subject
    given twice is a :class:`~casekit.errors.UsageError`: it would count one second marking twice.
    """
    seen: set[tuple[str, str]] = set()
    by_criterion: dict[str, list[Pair]] = defaultdict(list)
    for pair in pairs:
        where = (pair.criterion_id, pair.subject)
        if where in seen:
            raise UsageError(t("agreement.duplicate_pair", criterion=pair.criterion_id, subject=pair.subject))
        seen.add(where)
        by_criterion[pair.criterion_id].append(pair)
    per_criterion = tuple(_agreement(cid, by_criterion[cid]) for cid in sorted(by_criterion))
    return (*per_criterion, _agreement(None, list(pairs)))


def _agreement(criterion_id: str | None, pairs: Sequence[Pair]) -> Agreement:
    n = len(pairs)
    agreed = sum(1 for p in pairs if p.first == p.second)
    percent = 100.0 * agreed / n if n else 0.0
    kappa = _kappa(pairs)
    return Agreement(criterion_id, n, agreed, percent, kappa, band_key(kappa))


def _kappa(pairs: Sequence[Pair]) -> float | None:
    """Cohen's kappa of the pairs by statsmodels, ``None`` when undefined (no pairs, or one category in all)."""
    categories = sorted({p.first for p in pairs} | {p.second for p in pairs})
    if len(categories) < 2:
        # no pairs, or both markers put everything in the one category: p_e = 1, kappa = 0 / 0
        return None
    import pandas as pd
    from statsmodels.stats.inter_rater import cohens_kappa  # slow to import: only when there is a kappa to compute

    # square table, both axes over the same categories in the same order: rows the first marking, columns the second
    table = pd.crosstab(
        pd.Categorical([p.first for p in pairs], categories=categories),
        pd.Categorical([p.second for p in pairs], categories=categories),
        dropna=False,
    ).reindex(index=categories, columns=categories, fill_value=0)
    # cohens_kappa returns a KappaResults (a dict whose keys are also attributes); its variance terms can divide by
    # zero for a degenerate table (one marker in one category), which only touches statistics not read here
    with np.errstate(divide="ignore", invalid="ignore"):
        result = cohens_kappa(table.to_numpy(dtype=float))
    kappa = float(result.kappa)
    return kappa if math.isfinite(kappa) else None


def second_marking_sample(
    subjects: Mapping[str, str], *, seed: int, share: float = 0.10, minimum: int = 5
) -> tuple[str, ...]:
    """The subjects (e.g. submission keys) a moderator second-marks, sorted.

    ``subjects`` maps each subject to its decision outcome (e.g. ``"competent"``, ``"not_yet_competent"``), its
    stratum. The sample has ``max(minimum, ceil(share * N))`` subjects, at most all ``N``; ``share`` counts as the
    decimal it is written as (0.07 of 100 is 7). It is allocated to the strata in proportion to their size (largest
    remainder: floors first, the rest one each by the largest fractional part, ties to the larger stratum, then by
    outcome), and every stratum gets at least one when the sample has room for one each (taken from the stratum
    furthest over its exact share). Within each stratum (in outcome order) subjects are drawn without replacement
    from its sorted keys by ``numpy.random.default_rng(seed)``, so the same subjects and seed always give the same
    sample, whatever the mapping's order.
    """
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise UsageError(t("agreement.bad_share", got=share))
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 1:
        raise UsageError(t("agreement.bad_minimum", got=minimum))
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(t("agreement.bad_seed", got=seed))
    total = len(subjects)
    if total == 0:
        return ()
    size = min(total, max(minimum, math.ceil(Fraction(str(share)) * total)))
    strata: dict[str, list[str]] = defaultdict(list)
    for key in sorted(subjects):
        strata[subjects[key]].append(key)
    sizes = {outcome: len(strata[outcome]) for outcome in sorted(strata)}
    rng = np.random.default_rng(seed)
    chosen: list[str] = []
    for outcome, count in _allocate(sizes, size).items():
        keys = strata[outcome]
        picked = rng.choice(len(keys), size=count, replace=False)
        chosen.extend(keys[int(i)] for i in picked)
    return tuple(sorted(chosen))


def _allocate(sizes: Mapping[str, int], size: int) -> dict[str, int]:
    """``size`` split over the strata in proportion to ``sizes`` (largest remainder), at least one each when
    ``size`` allows; in the strata's sorted order."""
    total = sum(sizes.values())
    quota = {s: Fraction(size * n, total) for s, n in sizes.items()}
    counts = {s: math.floor(q) for s, q in quota.items()}
    by_remainder = sorted(sizes, key=lambda s: (-(quota[s] - counts[s]), -sizes[s], s))
    for s in by_remainder[: size - sum(counts.values())]:
        counts[s] += 1
    if size >= len(sizes):
        for empty in sorted((s for s in sizes if counts[s] == 0), key=lambda s: (-quota[s], s)):
            donor = min((s for s in sizes if counts[s] > 1), key=lambda s: (-(counts[s] - quota[s]), -sizes[s], s))
            counts[donor] -= 1
            counts[empty] += 1
    return {s: counts[s] for s in sorted(sizes)}
