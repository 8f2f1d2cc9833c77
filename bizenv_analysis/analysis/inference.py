"""Uncertainty and tests for every comparison the study states (scipy does the statistics).

- `wilson`: the Wilson score interval of a proportion (`scipy.stats.binomtest`).
- `cluster_bootstrap`: a percentile interval for a share, or a difference of shares, resampling
  the *units that group measures* (a chapter, section or case) rather than measures, because
  measures of one chapter share their wording and topic (`scipy.stats.bootstrap` on unit indices).
- `source_differences`: the same for every source's difference from the rest at once, units
  resampled within each source.
- `permutation`: reshuffles the labels (sources) of whole *units* (the same units the bootstrap
  resamples: headings, or documents) between the groups, the number of units in each group kept,
  the measures travelling with their unit (a block permutation; `scipy.stats.permutation_test` on
  unit indices, so one statistic can read any per-measure matrix). Without units, single measures
  are reshuffled, which is right only where measures are exchangeable: measures of one heading
  share wording, so shuffling them one by one makes chance differences look too rare.
- `unit_splits` / `too_few_units`: how many distinct relabellings of the units there are, and
  whether they are too few for a test to reach the significance level at all.
- `bh`: Benjamini–Hochberg adjusted p-values (`scipy.stats.false_discovery_control`).
- `GroupSums`, `unit_rows`, `round_stats`: what the comparisons between sources share (shares,
  similarity, keyness): a measure × feature matrix summed by group for many labellings, rows scaled
  to length 1, and the rounding that keeps their tables' bytes stable.

Every resampling function takes a seed and draws `N_RESAMPLES` (2,000) resamples by default, so a
rebuild gives the same numbers. A permutation test instead enumerates every split (scipy's exact
test) when there are no more of them than that (every ordering of the labels, in the fallback for a
source with one measure).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import lgamma
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix, spmatrix

from ..base import constants

# scipy.stats is imported in the functions that use it: it takes half a second to load, and the
# notebooks that reach this module (through extractor_check) call none of them.

SEED = constants.RESAMPLE_SEED
N_RESAMPLES = constants.N_RESAMPLES
CONFIDENCE = constants.CONFIDENCE
PERMUTATION_BATCH = 100  # shuffles relabelled at once: bounds the working arrays (batch × measures)
BATCH_CELLS = 2_000_000  # statistic values a bootstrap computes at once before it is batched
DENSE_CELLS = 4_000_000  # groups × features up to which group sums are a dense array


def wilson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Wilson score interval of k successes in n trials; (nan, nan) when n is 0."""
    return _wilson(int(k), int(n), confidence)


@lru_cache(maxsize=65536)
def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    from scipy import stats
    # Cached: a table of many sources × categories asks for the same (k, n) again and again.
    if n <= 0:
        return (float("nan"), float("nan"))
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


def bh(p_values: Sequence[float]) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q), in the input order; NaN stays NaN."""
    from scipy import stats
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    if ok.any():
        out[ok] = stats.false_discovery_control(p[ok], method="bh")
    return out


UNIT_LABELS = {"heading": "heading (section, else chapter; a measure without one is its own unit)",
               "document": "document"}


def units_of(measures: pd.DataFrame, level: str = "heading") -> np.ndarray:
    """The unit that groups each measure: its source's finest heading (section, else chapter), or
    with `level="document"` its document (its source_id).

    Measures under one heading (a chapter, a section, a case) share wording and topic, so they
    are resampled and shuffled together. A measure with no heading is its own unit. Documents are
    the unit when the groups compared hold several documents each (genres, levels).
    """
    if level == "document":
        return measures["source_id"].astype(str).to_numpy()
    if level != "heading":
        raise ValueError(f"unit level must be one of {sorted(UNIT_LABELS)}, not {level!r}")
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


def _draw_counts(idx: np.ndarray, n_units: int) -> csr_matrix:
    """How often each unit was drawn in each resample (resamples × units, sparse) from scipy's
    resampled indices, so that the resampled sums are one product rather than a categories ×
    resamples × units array."""
    rows = np.repeat(np.arange(idx.shape[0]), idx.shape[1])
    return csr_matrix((np.ones(idx.size), (rows, idx.astype(int).ravel())), shape=(idx.shape[0], n_units))


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
    from scipy import stats
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
            drawn = _draw_counts(idx, len(size))
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


def source_differences(y: np.ndarray, units: np.ndarray, codes: np.ndarray, n_sources: int,
                       weights: np.ndarray | None = None, n_resamples: int = N_RESAMPLES, seed: int = SEED,
                       confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Percentile intervals of share(source) − share(all other sources), every source × category.

    `y` is measures × categories, `codes` each measure's source (0..n_sources-1); shares are
    Σy·w / Σw. One bootstrap serves every source: in each resample the units of *each* source are
    drawn with replacement from that source's own units (the sources are strata), and every
    source's difference from the rest is read off the same resample, so the cost grows with the
    units, not with sources × units. A source with a single unit keeps it as it is (it has no
    spread of its own to draw from). Returns (lows, highs), sources × categories; NaN where the
    source has fewer than two units, or the rest fewer than two units of resampled sources;
    the value itself where every unit of the source and every unit of the rest have the same share.
    """
    from scipy import stats
    y = np.asarray(y, dtype=float)
    y = y[:, None] if y.ndim == 1 else y
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    units = np.asarray(units)
    # Each source's measures, found by one sort rather than a mask over all measures per source.
    by_source = np.argsort(np.asarray(codes), kind="stable")
    bounds = np.searchsorted(np.asarray(codes)[by_source], np.arange(1, n_sources))
    sums = [_unit_sums(y[i], units[i], w[i]) for i in np.split(by_source, bounds)]
    n_units = np.array([len(size) for _, size in sums])
    drawn_sources = [s for s in range(n_sources) if n_units[s] >= 2]
    low = np.full((n_sources, y.shape[1]), np.nan)
    high = low.copy()
    if not drawn_sources:
        return low, high

    def totals(idx: dict[int, np.ndarray], n_b: int) -> tuple[np.ndarray, np.ndarray]:
        """Per resample: each source's category sums and size (sources × categories × resamples)."""
        num, size = np.zeros((n_sources, y.shape[1], n_b)), np.zeros((n_sources, n_b))
        for s, (unit_num, unit_size) in enumerate(sums):
            if s in idx:
                drawn = _draw_counts(idx[s].reshape(n_b, -1), len(unit_size))
                num[s], size[s] = (drawn @ unit_num.T).T, drawn @ unit_size
            else:  # a source with one unit (or none) is not resampled
                num[s], size[s] = unit_num.sum(axis=1)[:, None], unit_size.sum()
        return num, size

    def differences(num: np.ndarray, size: np.ndarray) -> np.ndarray:
        rest_num, rest_size = num.sum(axis=0) - num, size.sum(axis=0) - size
        with np.errstate(invalid="ignore", divide="ignore"):
            return num / size[:, None, :] - rest_num / rest_size[:, None, :]

    def statistic(*samples: np.ndarray, axis: int = -1) -> np.ndarray:
        n_b = samples[0].reshape(-1, samples[0].shape[-1]).shape[0]
        out = differences(*totals(dict(zip(drawn_sources, samples, strict=True)), n_b))
        return out.reshape(n_sources * y.shape[1], n_b)  # (source, category) rows × resamples

    data = tuple(np.arange(n_units[s], dtype=float) for s in drawn_sources)
    # Many sources × categories: resample in batches so the working arrays stay near BATCH_CELLS
    # numbers (the draws then come in another order, so only large corpora are batched).
    cells = n_sources * y.shape[1]
    batch = None if cells * n_resamples <= BATCH_CELLS else max(1, BATCH_CELLS // cells)
    res = stats.bootstrap(data, statistic, n_resamples=n_resamples, batch=batch, vectorized=True,
                          method="percentile", confidence_level=confidence, rng=np.random.default_rng(seed))
    low = np.asarray(res.confidence_interval.low).reshape(n_sources, y.shape[1])
    high = np.asarray(res.confidence_interval.high).reshape(n_sources, y.shape[1])
    observed = differences(*totals({}, 1))[:, :, 0]
    # Where every unit of the source and of the rest has one share there is no spread to sample.
    # The rest's lowest and highest unit shares come from each category's two extreme sources
    # (so this stays linear in the sources).
    shares = [num / size for num, size in sums]
    lows = np.array([sh.min(axis=1) if sh.shape[1] else np.full(y.shape[1], np.inf) for sh in shares])
    highs = np.array([sh.max(axis=1) if sh.shape[1] else np.full(y.shape[1], -np.inf) for sh in shares])
    rest_low, rest_high = _without_each(lows, np.min), _without_each(highs, np.max)
    alike = (lows == highs) & (rest_low == rest_high)
    low, high = np.where(alike, observed, low), np.where(alike, observed, high)
    # The rest must vary too: count only the units of sources that are resampled (two or more).
    drawn = np.where(n_units >= 2, n_units, 0)
    too_few = (n_units < 2) | (drawn.sum() - drawn < 2)
    low[too_few], high[too_few] = np.nan, np.nan
    return low, high


def _without_each(values: np.ndarray, extreme: Callable[..., np.ndarray]) -> np.ndarray:
    """Row s: the extreme (np.min or np.max) over every row but s, per column (inf/−inf if none)."""
    if len(values) < 2:
        return np.full_like(values, np.inf if extreme is np.min else -np.inf)
    best = np.argsort(values, axis=0)[0 if extreme is np.min else -1]
    cols = np.arange(values.shape[1])
    masked = values.copy()
    masked[best, cols] = np.inf if extreme is np.min else -np.inf
    runner_up = extreme(masked, axis=0)
    return np.where(np.arange(len(values))[:, None] == best[None, :], runner_up[None, :], values[best, cols][None, :])


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


def unit_labels(labels: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's label (units in sorted order) and each measure's unit position.

    A unit must lie inside one group: a heading of one source, a document of one genre.
    """
    labels, units = np.asarray(labels), np.asarray(units)
    _, first, inverse = np.unique(units, return_index=True, return_inverse=True)
    per_unit = labels[first]
    if (per_unit[inverse] != labels).any():
        bad = units[per_unit[inverse] != labels][0]
        raise ValueError(f"unit {bad!r} spans two groups: units must be nested in the groups compared")
    return per_unit, inverse


def unit_splits(labels: np.ndarray, units: np.ndarray | None = None) -> float:
    """The number of distinct relabellings a permutation test draws from: units (or measures)
    split among the groups with each group's count kept, n! / (n_1! ⋯ n_k!) (a float: it can be huge)."""
    per = np.asarray(labels) if units is None else unit_labels(labels, units)[0]
    counts = pd.Series(per).value_counts().to_numpy()
    return float(np.exp(lgamma(int(counts.sum()) + 1) - sum(lgamma(int(c) + 1) for c in counts)))


def too_few_units(labels: np.ndarray, units: np.ndarray | None = None, alpha: float = 0.05,
                  alternative: str = "two-sided") -> bool:
    """Whether no relabelling could give p < alpha: with S relabellings the smallest permutation p
    is 1/S one-sided and 2/S two-sided (the observed labelling is one of them)."""
    s = unit_splits(labels, units)
    return (2 if alternative == "two-sided" else 1) / s >= alpha


def permutation(labels: np.ndarray, statistic: Callable[[np.ndarray], float | np.ndarray],
                n_resamples: int = N_RESAMPLES, seed: int = SEED, alternative: str = "two-sided",
                units: np.ndarray | None = None) -> Permutation:
    """Test a statistic of a labelling against labellings of whole units reshuffled, counts kept.

    `statistic(labels)` gets one label per measure (the observed ones, then shuffled ones; integer
    codes are fastest) and
    returns a number, or a 1-D array of numbers tested side by side on the same shuffles (then
    `statistic`, `p_value` and each row of `null` are arrays). `alternative` is "less" when small
    values are the evidence (sources less alike than chance would make them).

    With `units` (one per measure, each inside one group), the groups' labels are reshuffled
    between whole units, the number of units of each group kept; a group's number of measures
    then varies from shuffle to shuffle with the sizes of the units it draws (a block permutation:
    what is held fixed is the units, their measures and how many units each group has). Without
    `units`, single measures are reshuffled, the number of measures of each group kept.
    """
    if units is not None:
        per_unit, inverse = unit_labels(labels, units)
        return permutation(per_unit, lambda lab: statistic(lab[inverse]), n_resamples, seed, alternative)
    from scipy import stats
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
                                     vectorized=True, n_resamples=n_resamples, batch=PERMUTATION_BATCH,
                                     alternative=alternative, axis=-1, rng=np.random.default_rng(seed))
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

    The share is Σy·w / Σw (w = 1: share of measures). The one-cell form of the test that
    `shares.share_tests` runs for every source × category cell on one shared `permutation`.
    """
    from scipy import stats
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


# --- what every comparison between sources shares ----------------------------------------------

def round_stats(df: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """Float columns rounded (stable CSVs); p and q values to three significant digits."""
    out = df.copy()
    for c in out.columns:
        if c in ("p_value", "q_value"):
            out[c] = out[c].map(lambda p: float(f"{p:.3g}") if pd.notna(p) else p)
        elif out[c].dtype.kind == "f":
            out[c] = out[c].round(digits)
    return out


class GroupSums:
    """Sums of a measure × feature matrix's rows by group, for many labellings of the measures.

    The matrix's entries are read once; each labelling then costs one `np.bincount` over the
    stored entries (O(entries), whatever the number of groups), where a one-hot product would cost
    entries × groups and a sparse one-hot per labelling pays scipy's set-up each time.
    """

    def __init__(self, matrix: np.ndarray | spmatrix) -> None:
        coo = coo_matrix(matrix)
        self.rows, self.cols, self.vals = coo.row, coo.col, coo.data
        self.n_features = matrix.shape[1]

    def __call__(self, codes: np.ndarray, n_groups: int) -> np.ndarray:
        """groups × features: the sum of the rows of each group code 0..n_groups-1."""
        flat = np.asarray(codes, dtype=np.int64)[self.rows] * self.n_features + self.cols
        return np.bincount(flat, weights=self.vals, minlength=n_groups * self.n_features).reshape(
            n_groups, self.n_features)

    def mean_pair_cosine(self, codes: np.ndarray, n_groups: int) -> float:
        """Mean cosine over all pairs of groups' mean rows, in O(entries): no groups × features
        or groups × groups array.

        A group's unit profile is its row sum over that sum's length (the group size cancels), and
        the mean over pairs i < j of u_i·u_j is (|Σu|² − Σ|u|²) / (S(S − 1)), Σ|u|² being the
        number of non-zero profiles.
        """
        if n_groups * self.n_features <= DENSE_CELLS:  # small enough: one bincount beats scipy's set-up
            unit = unit_rows(self(codes, n_groups))
            total, nonzero = unit.sum(axis=0), int((np.abs(unit).sum(axis=1) > 0).sum())
        else:
            sums = coo_matrix((self.vals, (np.asarray(codes, dtype=np.int64)[self.rows], self.cols)),
                              shape=(n_groups, self.n_features)).tocsr()  # duplicates summed
            norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
            inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            total, nonzero = np.asarray(sums.multiply(inverse[:, None]).sum(axis=0)).ravel(), int((norms > 0).sum())
        return float((total @ total - nonzero) / (n_groups * (n_groups - 1)))


def unit_rows(profiles: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero)."""
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    return np.divide(profiles, norms, out=np.zeros_like(profiles), where=norms > 0)
