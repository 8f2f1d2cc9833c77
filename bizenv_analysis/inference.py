"""Uncertainty and tests for every comparison the study states (scipy does the statistics).

- `wilson`: the Wilson score interval of a proportion (`scipy.stats.binomtest`).
- `cluster_bootstrap`: a percentile interval for a share, or a difference of shares, resampling
  the *units that group measures* (a chapter, section or case) rather than measures, because
  measures of one chapter share their wording and topic (`scipy.stats.bootstrap` on unit indices).
- `permutation`: reshuffles measures between sources, group sizes kept (`scipy.stats.permutation_test`
  on measure indices, so one statistic can read any per-measure matrix).
- `bh`: Benjamini–Hochberg adjusted p-values (`scipy.stats.false_discovery_control`).

Every resampling function takes a seed and draws at least 1,000 resamples by default, so a
rebuild gives the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import csr_matrix

SEED = 20261130
N_RESAMPLES = 2000
CONFIDENCE = 0.95


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of k successes in n trials; (nan, nan) when n is 0."""
    return _wilson(int(k), int(n), confidence)


@lru_cache(maxsize=65536)
def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    # Cached: a table of many sources × categories asks for the same (k, n) again and again.
    if n <= 0:
        return (float("nan"), float("nan"))
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def bh(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q), in the input order; NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


def units_of(measures: pd.DataFrame) -> np.ndarray:
    """The unit that groups each measure: its source's finest heading (section, else chapter).

    Measures under one heading (a chapter, a section, a case) share wording and topic, so they
    are resampled together. A measure with no heading is its own unit.
    """
    chapter = measures.get("chapter", pd.Series("", index=measures.index)).fillna("").astype(str)
    section = measures.get("section", pd.Series("", index=measures.index)).fillna("").astype(str)
    head = section.where(section != "", chapter)
    own = measures["measure_id"].astype(str)
    return (measures["source_id"].astype(str) + "|" + head.where(head != "", own)).to_numpy()


def _unit_sums(y: np.ndarray, units: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per unit (units in sorted order): the sums of each column of y (weighted), columns × units,
    and the sum of the weights (sizes)."""
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    _, inverse = np.unique(units, return_inverse=True)
    size = np.bincount(inverse, weights=w)
    num = np.stack([np.bincount(inverse, weights=col * w, minlength=len(size)) for col in y.T])
    return num, size


def cluster_bootstrap(y: np.ndarray, units: np.ndarray, in_group: np.ndarray | None = None,
                      weights: np.ndarray | None = None, n_resamples: int = N_RESAMPLES,
                      seed: int = SEED, confidence: float = CONFIDENCE) -> tuple[Any, Any]:
    """Percentile interval of a ratio share Σy·w / Σw, resampling whole units with replacement.

    With `in_group` (a boolean per measure), the interval is of share(in group) − share(rest),
    units resampled separately in each part (the parts are the sources compared, so a unit never
    spans both). `weights` turns "share of measures" into e.g. "per character". (nan, nan) when
    a part has fewer than two units: one chapter says nothing about chapter-to-chapter variation.
    A 2-D `y` (measures × categories) gives an array of lows and one of highs, every category
    read off the same resamples of units: the numbers each column would get on its own.
    """
    y, units = np.asarray(y, dtype=float), np.asarray(units)
    one = y.ndim == 1
    y2 = y[:, None] if one else y
    w = None if weights is None else np.asarray(weights, dtype=float)
    parts = [np.ones(len(y2), bool)] if in_group is None else [np.asarray(in_group), ~np.asarray(in_group)]
    sums = [_unit_sums(y2[p], units[p], None if w is None else w[p]) for p in parts]
    low, high = np.full(y2.shape[1], np.nan), np.full(y2.shape[1], np.nan)
    if all(len(size) >= 2 for _, size in sums):

        def ratio(k: int, idx: np.ndarray) -> np.ndarray:
            num, size = sums[k]
            # How often each unit was drawn in each resample (resamples × units, sparse), so the
            # sums are one product, not a categories × resamples × units array.
            rows = np.repeat(np.arange(idx.shape[0]), idx.shape[1])
            drawn = csr_matrix((np.ones(idx.size), (rows, idx.astype(int).ravel())), shape=(idx.shape[0], len(size)))
            return (drawn @ num.T).T / (drawn @ size)  # categories × resamples: scipy reads the last axis

        def statistic(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
            out = ratio(0, samples[0])
            return out - ratio(1, samples[1]) if len(samples) == 2 else out

        data = tuple(np.arange(len(size), dtype=float) for _, size in sums)
        res = stats.bootstrap(data, statistic, n_resamples=n_resamples, vectorized=True, method="percentile",
                              confidence_level=confidence, rng=np.random.default_rng(seed))
        low, high = np.asarray(res.confidence_interval.low), np.asarray(res.confidence_interval.high)
        # Where every unit has the same share there is no spread to sample: the interval is the value.
        alike = np.all([np.ptp(num / size, axis=1) == 0 for num, size in sums], axis=0)
        if alike.any():
            value = statistic(*(d[None, :] for d in data))[:, 0]
            low, high = np.where(alike, value, low), np.where(alike, value, high)
    if one:
        return (float(low[0]), float(high[0]))
    return (low.astype(float), high.astype(float))


@dataclass(frozen=True)
class Permutation:
    """A permutation test's observed statistic, p-value and null distribution."""

    statistic: float | np.ndarray
    p_value: float | np.ndarray
    null: np.ndarray  # one row per shuffle

    def null_range(self, confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
        """The central `confidence` range of the statistic under the null (per statistic)."""
        lo, hi = np.quantile(self.null, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)
        return (lo, hi)


def permutation(labels: np.ndarray, statistic: Callable[[np.ndarray], float | np.ndarray],
                n_resamples: int = N_RESAMPLES, seed: int = SEED, alternative: str = "two-sided") -> Permutation:
    """Test a statistic of a labelling against labellings with measures reshuffled, sizes kept.

    `statistic(labels)` gets one label per measure (the observed ones, then shuffled ones; integer
    codes are fastest) and
    returns a number, or a 1-D array of numbers tested side by side on the same shuffles (then
    `statistic`, `p_value` and each row of `null` are arrays). `alternative` is "less" when small
    values are the evidence (sources less alike than chance would make them).
    """
    labels = np.asarray(labels)
    groups = list(dict.fromkeys(labels.tolist()))
    samples = tuple(np.flatnonzero(labels == g).astype(float) for g in groups)
    values = np.array(groups, dtype=labels.dtype)

    def relabelled(*idx: np.ndarray, axis: int = -1) -> np.ndarray:
        # scipy passes a batch of shuffles (one per row); vector statistics stack on the last axis.
        batch = np.arange(idx[0].shape[0])[:, None]
        lab = np.empty((len(batch), len(labels)), dtype=labels.dtype)
        for g, i in enumerate(idx):  # one pass per group for the whole batch of shuffles
            lab[batch, i.reshape(len(batch), -1).astype(int)] = values[g]
        return np.stack([np.asarray(statistic(row), dtype=float) for row in lab])

    def reordered(codes: np.ndarray, axis: int = -1) -> np.ndarray:
        out = np.stack([np.asarray(statistic(values[row.astype(int)]), dtype=float) for row in np.atleast_2d(codes)])
        return out if codes.ndim > 1 else out[0]

    if min(len(s) for s in samples) >= 2:
        res = stats.permutation_test(tuple(s[None, :] for s in samples), relabelled, permutation_type="independent",
                                     vectorized=True, n_resamples=n_resamples, alternative=alternative, axis=-1,
                                     rng=np.random.default_rng(seed))
    else:
        # scipy's independent-samples form needs two measures per group; a source with one measure
        # gets the same null (labels shuffled, sizes kept) by reordering the label vector itself.
        codes = np.array([groups.index(v) for v in labels.tolist()], dtype=float)
        res = stats.permutation_test((codes,), reordered, permutation_type="pairings", vectorized=True,
                                     n_resamples=n_resamples, alternative=alternative, axis=-1,
                                     rng=np.random.default_rng(seed))
    stat, p = np.squeeze(res.statistic), np.squeeze(res.pvalue)
    null = np.asarray(res.null_distribution).reshape(-1, *np.shape(stat))  # rows: shuffles (or all splits)
    return Permutation(stat if stat.ndim else float(stat), p if p.ndim else float(p), null)


def permutation_diff(y: np.ndarray, in_group: np.ndarray, weights: np.ndarray | None = None,
                     n_resamples: int = N_RESAMPLES, seed: int = SEED) -> Permutation:
    """Two-sided test of share(in group) − share(rest), measures reshuffled, sizes kept.

    The share is Σy·w / Σw (w = 1: share of measures). Vectorised, so hundreds of these
    (every theme × source) stay cheap.
    """
    y = np.asarray(y, dtype=float)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    g = np.asarray(in_group, dtype=bool)
    num, den = y * w, w
    idx = np.arange(len(y), dtype=float)  # measures travel by index, so y and w move together

    def diff(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
        a, b = a.astype(int), b.astype(int)
        return num[a].sum(axis) / den[a].sum(axis) - num[b].sum(axis) / den[b].sum(axis)

    res = stats.permutation_test((idx[g], idx[~g]), diff, permutation_type="independent",
                                 vectorized=True, n_resamples=n_resamples, alternative="two-sided",
                                 rng=np.random.default_rng(seed))
    return Permutation(float(res.statistic), float(res.pvalue), np.asarray(res.null_distribution))
