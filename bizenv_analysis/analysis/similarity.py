"""Similarity of sources: cosine of their mean TF-IDF rows and of their theme profiles, and each
similarity of two sources against its permutation null."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.sparse import spmatrix

from ..base.constants import RESERVED_ID
from . import inference
from .families import UNIT, CompareWarning
from .inference import GroupSums, round_stats, unit_rows

MAX_PAIR_SOURCES = 30  # similarity is tested pair by pair up to this many sources (435 pairs)
# The columns of similarity.csv and similarity_tests.csv, so a skipped comparison still writes its (empty) table.
SIMILARITY_COLUMNS = ["basis", "source_a", "source_b", "similarity"]
SIMILARITY_TEST_COLUMNS = ["basis", "source_a", "source_b", "n_a", "n_b", "unit", "n_units_a", "n_units_b",
                           "observed", "null_mean", "null_low", "null_high", "p_value", "q_value"]


def mean_rows(matrix: spmatrix, groups: np.ndarray) -> pd.DataFrame:
    """Mean row of a sparse measure × term matrix per group (index: the sorted group ids)."""
    ids, inverse = np.unique(groups, return_inverse=True)
    return pd.DataFrame(_profiles(matrix, inverse, len(ids)), index=ids)


def source_similarity(tfidf_rows: pd.DataFrame, shares: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Cosine similarity of every pair of sources, on two bases.

    `tfidf`: the mean TF-IDF vector of each source's measures; `themes`: each source's theme
    profile (share of measures addressing each theme of the codebook). Long format, both triangles.
    """
    out = []
    profile = shares.pivot(index="source_id", columns="theme_id", values="share").reindex(order)
    n = len(order)
    for basis, mat in (("tfidf", tfidf_rows.reindex(order)), ("themes", profile)):
        sim = _cosines(mat.to_numpy(dtype=float))
        out.append(pd.DataFrame({"basis": basis, "source_a": np.repeat(order, n), "source_b": np.tile(order, n),
                                 "similarity": sim.ravel().round(4)}))
    return pd.concat(out, ignore_index=True)


def _profiles(matrix: np.ndarray | spmatrix | GroupSums, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean row of `matrix` per group code 0..n_groups-1 (dense groups × features)."""
    sums = (matrix if isinstance(matrix, GroupSums) else GroupSums(matrix))(codes, n_groups)
    return sums / np.bincount(np.asarray(codes, dtype=np.int64), minlength=n_groups)[:, None]


def _cosines(profiles: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows (a zero row is similar to nothing)."""
    unit = unit_rows(profiles)
    return unit @ unit.T


def similarity_tests(bases: dict[str, np.ndarray | spmatrix], sources: np.ndarray, order: list[str],
                     n_resamples: int = inference.N_RESAMPLES, units: np.ndarray | None = None) -> pd.DataFrame:
    """Is each pair of sources (and are all, on average) less alike than random splits?

    For each basis (a measure × feature matrix: TF-IDF rows, theme indicators), a source's
    profile is the mean row of its measures and similarity the cosine of two profiles. Whole
    `units` (headings; single measures when None) are reshuffled between sources, each source's
    number of units kept; each similarity is compared with its own null (`alternative = less`: a
    small similarity is the evidence that two sources differ). Rows per basis: first one with
    source_a = source_b = "all" (the mean similarity over all pairs; n_a = n_b = every measure; no
    q), then one per pair; columns: n_a, n_b (measures), unit, n_units_a, n_units_b, observed,
    null_mean, null_low/high (central 95% of the null), p_value, q_value (BH over the pairs of a
    basis). Where the units are too few for any shuffle to reach p < 0.05 the p-values are NaN. Above
    MAX_PAIR_SOURCES sources only the mean is tested (a CompareWarning says so): the pairs grow
    with the square of the sources, and so would the null's memory.
    """
    by_pair = len(order) <= MAX_PAIR_SOURCES
    if not by_pair:
        warnings.warn(f"similarity: {len(order)} sources make {len(order) * (len(order) - 1) // 2:,} pairs; only the "
                      f"mean similarity over all pairs is tested (pairs are tested up to {MAX_PAIR_SOURCES} "
                      "sources)",
                      CompareWarning, stacklevel=2)
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]] if by_pair else []
    iu = np.triu_indices(len(order), k=1)
    sizes = pd.Series(sources).value_counts()
    per_unit = pd.Series(sources if units is None else inference.unit_labels(sources, units)[0]).value_counts()
    unit = "measure" if units is None else UNIT
    codes = pd.Categorical(sources, categories=order).codes.astype(np.int64)
    testable = len(order) >= 2 and not inference.too_few_units(sources, units, alternative="less")
    rows = []
    for basis, matrix in bases.items():
        sums = GroupSums(matrix)

        def stat(labels: np.ndarray, sums: GroupSums = sums) -> np.ndarray:
            if by_pair:
                sim = _cosines(_profiles(sums, labels, len(order)))[iu]
                return np.concatenate([[sim.mean()], sim])
            return np.array([sums.mean_pair_cosine(labels, len(order))])

        if len(order) < 2:
            continue
        if testable:
            test = inference.permutation(codes, stat, n_resamples=n_resamples, alternative="less", units=units)
            # One statistic (the mean only) comes back as scalars: read everything as arrays.
            observed, p_value = np.atleast_1d(test.statistic), np.atleast_1d(test.p_value)
            lo, hi = map(np.atleast_1d, test.null_range())
            null_mean = np.atleast_1d(test.null.mean(axis=0))
        else:  # too few units for a test: the similarities, with no null
            observed = np.atleast_1d(stat(codes))
            p_value = lo = hi = null_mean = np.full(len(observed), np.nan)
        q = np.concatenate([[np.nan], inference.bh(p_value[1:])])
        for k, (a, b) in enumerate([(RESERVED_ID, RESERVED_ID), *pairs]):
            rows.append({"basis": basis, "source_a": a, "source_b": b,
                         "n_a": int(len(sources) if a == RESERVED_ID else sizes[a]),
                         "n_b": int(len(sources) if b == RESERVED_ID else sizes[b]), "unit": unit,
                         "n_units_a": int(per_unit.sum() if a == RESERVED_ID else per_unit[a]),
                         "n_units_b": int(per_unit.sum() if b == RESERVED_ID else per_unit[b]),
                         "observed": observed[k], "null_mean": null_mean[k], "null_low": lo[k],
                         "null_high": hi[k], "p_value": p_value[k], "q_value": q[k]})
    return round_stats(pd.DataFrame(rows, columns=SIMILARITY_TEST_COLUMNS))
