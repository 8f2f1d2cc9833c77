"""Stage 5 — clusters: TF-IDF on measure texts, then k-means on LSA vectors or NMF.

k is chosen over a range by two criteria computed on the same TF-IDF matrix: silhouette
(cosine) of the partition, and stability, the mean pairwise adjusted Rand index of the
partitions from `n_seeds` random starts. Rule (`choose_k`): among the k whose stability is
at least `min_stability`, take the one with the highest silhouette; if none is that stable,
take the most stable k.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from sklearn.cluster import KMeans
from sklearn.decomposition import NMF, TruncatedSVD
from sklearn.metrics import adjusted_rand_score, silhouette_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer
from threadpoolctl import threadpool_limits

from ..base import constants
from ..base.workers import map_ordered
from ..text.dtm import Dtm

CLUSTER_COLUMNS = ["measure_id", "source_id", "cluster", "label", "x", "y"]
SELECTION_COLUMNS = ["method", "k", "silhouette", "silhouette_sd", "stability_ari",
                     "stability_ari_min", "chosen"]
SEED = constants.CLUSTER_SEED


class ClusterWarning(UserWarning):
    """Clustering was skipped or degraded (too few measures)."""

K_RANGE = range(4, 17)
MIN_MEASURES = 3 * K_RANGE.start  # each of the smallest k's clusters needs members
N_SEEDS = 10
MIN_STABILITY = 0.75
# k is chosen on at most this many measures (a fixed-seed random subset) so the cost of the
# 2 methods × 13 k × 10 seeds grid stays bounded on large corpora; the chosen partition is
# then fitted on all measures. The bundled corpus (121 measures) is never subsampled.
SELECTION_SAMPLE = 600
LSA_COMPONENTS = 40
# A term must occur in at least 2 measures (a term of one measure cannot link two) and in at
# most 40% of them (anything more common is boilerplate the stopword list missed).
MIN_DF = 2
MAX_DF = 0.4
MIN_DF_FROM = 10  # below this many measures, min_df 2 would drop most of a tiny corpus's terms


@dataclass(frozen=True)
class TfidfModel:
    """The measure × term TF-IDF matrix and its vocabulary."""

    matrix: csr_matrix
    terms: np.ndarray


def tfidf_bounds(n_docs: int) -> tuple[int, int | float]:
    """min_df and max_df for `n_docs` measures: the stated MIN_DF / MAX_DF where they make sense.

    Below MIN_DF_FROM measures a term of one measure is kept (min_df 1); max_df never falls below
    min_df + 1 documents, so a small corpus keeps the terms two of its measures share instead of
    failing with "max_df corresponds to < documents than min_df".
    """
    min_df = MIN_DF if n_docs >= MIN_DF_FROM else 1
    max_df = MAX_DF if MAX_DF * n_docs >= min_df + 1 else min(n_docs, min_df + 1)
    return min_df, max_df


# The document-frequency bounds tfidf_bounds.csv shows beside the chosen MIN_DF / MAX_DF.
TFIDF_GRID = ((1, 1.0), (2, 1.0), (2, 0.4), (3, 0.4), (5, 0.4))
BOUNDS_COLUMNS = ["min_df", "max_df", "terms", "mean_terms_per_measure", "measures_with_no_term"]


def tfidf_bounds_table(dtm: Dtm, grid: Sequence[tuple[int, float]] = TFIDF_GRID) -> pd.DataFrame:
    """tfidf_bounds.csv: for each (min_df, max_df) of `grid`, the TF-IDF vocabulary over the
    clustered measures' terms (`dtm`, their rows of the document-term matrix): its size, the mean
    number of its terms per measure (one decimal) and the measures left with none. Empty when
    there are no measures."""
    rows = []
    for min_df, max_df in grid if dtm.n_measures else ():
        with warnings.catch_warnings():  # bounds that leave no term keep every term; the build warned once
            warnings.simplefilter("ignore", ClusterWarning)
            m = fit_tfidf(dtm, min_df=min_df, max_df=max_df)
        per = m.matrix.getnnz(axis=1)
        rows.append({"min_df": min_df, "max_df": max_df, "terms": m.matrix.shape[1],
                     "mean_terms_per_measure": round(float(per.mean()), 1),
                     "measures_with_no_term": int((per == 0).sum())})
    return pd.DataFrame(rows, columns=BOUNDS_COLUMNS)


def fit_tfidf(dtm: Dtm, min_df: int | float | None = None, max_df: int | float | None = None) -> TfidfModel:
    """Sublinear TF-IDF of the measures of the document-term matrix (`Dtm.tfidf`; the tokenizer
    did all filtering).

    Bounds default to `tfidf_bounds(dtm.n_measures)`. When they leave no term (a handful of very
    short measures), every term is kept; with no term at all the matrix has no columns.
    """
    n = dtm.n_measures
    auto_min, auto_max = tfidf_bounds(n)
    bounds = [(auto_min if min_df is None else min_df, auto_max if max_df is None else max_df), (1, 1.0)]
    for attempt, (lo, hi) in enumerate(bounds):
        try:
            x, terms = dtm.tfidf(lo, hi)
        except ValueError:  # empty vocabulary, or bounds that exclude every term
            continue
        if attempt:
            warnings.warn(f"TF-IDF bounds min_df={bounds[0][0]}, max_df={bounds[0][1]} left no term in "
                          f"{n} measures; every term was kept", ClusterWarning, stacklevel=2)
        return TfidfModel(x, terms)
    warnings.warn(f"the {n} measures have no terms at all (after stopwords): vocabulary, "
                  "clusters and similarity are empty", ClusterWarning, stacklevel=2)
    return TfidfModel(csr_matrix((n, 0)), np.array([], dtype=object))


def lsa(x: csr_matrix, n_components: int = LSA_COMPONENTS, seed: int = SEED) -> np.ndarray:
    """LSA: truncated SVD of the TF-IDF matrix, rows re-normalised to unit length."""
    n = min(n_components, x.shape[1] - 1, x.shape[0] - 1)
    return make_pipeline(TruncatedSVD(n, random_state=seed), Normalizer(copy=False)).fit_transform(x)


def partition(method: str, x: csr_matrix, z: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Cluster labels for one method, k and seed ('kmeans_lsa' or 'nmf')."""
    if method == "kmeans_lsa":
        return KMeans(k, n_init=10, random_state=seed).fit_predict(z)
    if method == "nmf":
        w = NMF(k, init="nndsvdar", random_state=seed, max_iter=1000).fit_transform(x)
        return w.argmax(axis=1)
    raise ValueError(f"unknown clustering method {method!r}")


def selection_row(method: str, k: int, labels: list[np.ndarray], x: csr_matrix) -> dict:
    """Silhouette and seed stability of one method and k from its partitions over the seeds.

    One row of `cluster_selection.csv`: mean and sd of the silhouette (cosine, on the TF-IDF
    matrix), mean and min of the adjusted Rand index over all pairs of seeds.
    """
    sils = [silhouette_score(x, lab, metric="cosine") if len(set(lab)) > 1 else np.nan for lab in labels]
    aris = [adjusted_rand_score(a, b) for a, b in combinations(labels, 2)]
    return {"method": method, "k": k,
            "silhouette": round(float(np.nanmean(sils)), 4),
            "silhouette_sd": round(float(np.nanstd(sils)), 4),
            "stability_ari": round(float(np.mean(aris)), 4),
            "stability_ari_min": round(float(np.min(aris)), 4)}


def _fit(x: csr_matrix, z: np.ndarray, task: tuple[str, int, int]) -> np.ndarray:
    """The partition of one (method, k, seed), fit on one BLAS/OpenMP thread (the same
    arithmetic whatever the machine, so the labels never depend on where a fit ran)."""
    method, k, seed = task
    with threadpool_limits(limits=1):
        return partition(method, x, z, k, seed)


def selection_table(x: csr_matrix, z: np.ndarray, k_range: range = K_RANGE,
                    n_seeds: int = N_SEEDS, methods: tuple[str, ...] = ("kmeans_lsa", "nmf"),
                    jobs: int | None = None) -> pd.DataFrame:
    """Silhouette and seed stability for every method and k (`cluster_selection.csv`).

    Every fit (method × k × seed) has its own seed; the fits are shared among `jobs` joblib
    workers, largest k first so the slowest are handed out early. The table does not depend on
    `jobs`.
    """
    seeds = [SEED + i for i in range(n_seeds)]
    tasks = [(method, k, seed) for k in reversed(k_range) for method in methods for seed in seeds]
    fits: dict[tuple[str, int], list[np.ndarray]] = {}
    for (method, k, _), labels in zip(tasks, map_ordered(partial(_fit, x, z), tasks, jobs), strict=True):
        fits.setdefault((method, k), []).append(labels)
    cells = [(method, k, fits[method, k]) for method in methods for k in k_range]
    with threadpool_limits(limits=1):
        rows = map_ordered(partial(_row, x), cells, jobs)
    return pd.DataFrame(rows)


def _row(x: csr_matrix, cell: tuple[str, int, list[np.ndarray]]) -> dict:
    return selection_row(*cell, x)


def choose_k(selection: pd.DataFrame, min_stability: float = MIN_STABILITY) -> tuple[str, int]:
    """The method and k by the stated rule (stable enough, then best silhouette)."""
    stable = selection[selection["stability_ari"] >= min_stability]
    pool = stable if not stable.empty else selection
    key = "silhouette" if not stable.empty else "stability_ari"
    best = pool.sort_values([key, "k"], ascending=[False, True]).iloc[0]
    return str(best["method"]), int(best["k"])


def top_terms(x: csr_matrix, labels: np.ndarray, terms: np.ndarray, n: int = 10) -> pd.DataFrame:
    """`cluster_terms.csv`: each cluster's terms by mean TF-IDF weight over its members."""
    rows = []
    for c in sorted(set(labels)):
        centroid = np.asarray(x[labels == c].mean(axis=0)).ravel()
        order = np.lexsort((terms, -centroid))[:n]
        rows += [{"cluster": int(c), "rank": r + 1, "term": terms[i], "weight": round(float(centroid[i]), 4)}
                 for r, i in enumerate(order) if centroid[i] > 0]
    return pd.DataFrame(rows, columns=["cluster", "rank", "term", "weight"])


def relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Number clusters 1, 2, … from largest to smallest (ties by first member) for stable ids."""
    ids = sorted(set(labels), key=lambda c: (-(labels == c).sum(), int(np.argmax(labels == c))))
    mapping = {c: i + 1 for i, c in enumerate(ids)}
    return np.array([mapping[c] for c in labels])


def select_k(model: TfidfModel, jobs: int | None = None) -> pd.DataFrame:
    """`cluster_selection.csv` for a TF-IDF model: the grid of methods × k, the chosen row marked.

    Empty (with a ClusterWarning) when there are too few measures, or too few terms, to cluster. On corpora of
    more than SELECTION_SAMPLE measures the grid runs on a fixed-seed random subsample, so
    its cost does not grow with the corpus.
    """
    n = model.matrix.shape[0]
    # Each cluster needs members: k runs up to a third of the measures at most; NMF's
    # factorisation cannot have more components than there are terms.
    k_range = range(K_RANGE.start, min(K_RANGE.stop, n // 3 + 1, model.matrix.shape[1] + 1))
    if len(k_range) == 0 or model.matrix.shape[1] < K_RANGE.start:
        warnings.warn(f"clusters skipped: {n} measures and {model.matrix.shape[1]} terms are too few to "
                      f"cluster (need at least {MIN_MEASURES} measures and {K_RANGE.start} terms)",
                      ClusterWarning, stacklevel=2)
        return pd.DataFrame(columns=SELECTION_COLUMNS)
    z = lsa(model.matrix)
    if n > SELECTION_SAMPLE:
        rows = np.sort(np.random.default_rng(SEED).choice(n, SELECTION_SAMPLE, replace=False))
        selection = selection_table(model.matrix[rows], z[rows], k_range, jobs=jobs)
    else:
        selection = selection_table(model.matrix, z, k_range, jobs=jobs)
    method, k = choose_k(selection)
    selection["chosen"] = (selection["method"] == method) & (selection["k"] == k)
    return selection


def cluster_measures(measures: pd.DataFrame, model: TfidfModel, selection: pd.DataFrame | None = None,
                     k: int | None = None, method: str | None = None,
                     jobs: int | None = None) -> dict[str, pd.DataFrame]:
    """clusters.csv, cluster_terms.csv and cluster_selection.csv for the measures.

    `model` is `fit_tfidf` of the same measures' tokens (fitted once by the build, which also
    uses it to compare sources); `selection` is `select_k(model)`, computed here if not given.
    `k` and `method` override the chosen partition (the selection table marks the override).
    """
    if selection is None:
        selection = select_k(model, jobs)
    if selection.empty:
        return {"clusters.csv": pd.DataFrame(columns=CLUSTER_COLUMNS),
                "cluster_terms.csv": pd.DataFrame(columns=["cluster", "rank", "term", "weight"]),
                "cluster_selection.csv": selection}
    chosen = selection[selection["chosen"]].iloc[0]
    method, k = method or str(chosen["method"]), k or int(chosen["k"])
    selection = selection.assign(chosen=(selection["method"] == method) & (selection["k"] == k))
    z = lsa(model.matrix) if method == "kmeans_lsa" else None
    with threadpool_limits(limits=1, user_api="blas"):
        labels = relabel_by_size(partition(method, model.matrix, z, k, SEED))
    terms = top_terms(model.matrix, labels, model.terms)
    label_of = terms[terms["rank"] <= 3].groupby("cluster")["term"].agg("·".join)
    xy = TruncatedSVD(2, random_state=SEED).fit_transform(model.matrix)
    clusters = pd.DataFrame({
        "measure_id": measures["measure_id"].to_numpy(),
        "source_id": measures["source_id"].to_numpy(),
        "cluster": labels,
        "label": [label_of[c] for c in labels],
        "x": np.round(xy[:, 0], 4),
        "y": np.round(xy[:, 1], 4),
    })
    return {"clusters.csv": clusters, "cluster_terms.csv": terms, "cluster_selection.csv": selection}
