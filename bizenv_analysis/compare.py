"""Stage 6 — comparisons across sources: theme profiles, keyness, similarity, change over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.sparse import csr_matrix, spmatrix
from scipy.spatial.distance import squareform
from scipy.stats import chi2
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.pairwise import cosine_similarity

from .tables import sort_by_source
from .tokens import term_occurrences


def theme_shares(themes: pd.DataFrame, measures: pd.DataFrame, codebook: pd.DataFrame,
                 order: list[str]) -> pd.DataFrame:
    """Per source × theme: share of measures addressing it (multi-label) and primary share.

    Columns: source_id, theme_id, group_id, n_measures, n_addressing, share, n_primary,
    primary_share. Every theme appears for every source (zeros included).
    """
    m = measures[["measure_id", "source_id"]]
    t = themes.merge(m, on="measure_id")
    n = m.groupby("source_id").size().rename("n_measures")
    addr = t.groupby(["source_id", "theme_id"]).size().rename("n_addressing")
    prim = t[t["primary"]].groupby(["source_id", "theme_id"]).size().rename("n_primary")
    grid = pd.MultiIndex.from_product([order, list(codebook["theme_id"])], names=["source_id", "theme_id"])
    out = pd.concat([addr, prim], axis=1).reindex(grid).fillna(0).reset_index()
    out = out.merge(n.reset_index(), on="source_id").merge(codebook[["theme_id", "group_id"]], on="theme_id")
    out["share"] = (out["n_addressing"] / out["n_measures"]).round(4)
    out["primary_share"] = (out["n_primary"] / out["n_measures"]).round(4)
    cols = ["source_id", "theme_id", "group_id", "n_measures", "n_addressing", "share", "n_primary",
            "primary_share"]
    return out[cols].astype({"n_addressing": int, "n_primary": int})


def clusters_vs_themes(clusters: pd.DataFrame, themes: pd.DataFrame) -> dict[str, object]:
    """How the unsupervised clusters line up with the primary themes.

    Returns the contingency table (cluster × primary theme), ARI and NMI of the two partitions,
    and per cluster its dominant theme and purity (share of its measures with that primary).
    """
    prim = themes[themes["primary"]][["measure_id", "theme_id"]]
    both = clusters[["measure_id", "cluster"]].merge(prim, on="measure_id")
    table = pd.crosstab(both["cluster"], both["theme_id"])
    purity = pd.DataFrame({
        "measures": table.sum(axis=1),
        "dominant_theme": table.idxmax(axis=1),
        "purity": (table.max(axis=1) / table.sum(axis=1)).round(3),
        "n_themes": (table > 0).sum(axis=1),
    })
    return {
        "contingency": table,
        "ari": float(adjusted_rand_score(both["theme_id"], both["cluster"])),
        "nmi": float(normalized_mutual_info_score(both["theme_id"], both["cluster"])),
        "purity": purity,
    }


def group_shares(themes: pd.DataFrame, measures: pd.DataFrame, codebook: pd.DataFrame,
                 order: list[str]) -> pd.DataFrame:
    """Per source × group (the seven 环境): share of measures addressing any theme of the group."""
    t = themes.merge(codebook[["theme_id", "group_id"]], on="theme_id").merge(
        measures[["measure_id", "source_id"]], on="measure_id")
    n = measures.groupby("source_id").size()
    addr = t.groupby(["source_id", "group_id"])["measure_id"].nunique()
    prim = t[t["primary"]].groupby(["source_id", "group_id"]).size()
    groups = list(dict.fromkeys(codebook["group_id"]))
    grid = pd.MultiIndex.from_product([order, groups], names=["source_id", "group_id"])
    out = pd.DataFrame({"n_addressing": addr, "n_primary": prim}).reindex(grid).fillna(0).astype(int)
    out = out.reset_index()
    out["n_measures"] = out["source_id"].map(n)
    out["share"] = (out["n_addressing"] / out["n_measures"]).round(4)
    out["primary_share"] = (out["n_primary"] / out["n_measures"]).round(4)
    return out[["source_id", "group_id", "n_measures", "n_addressing", "share", "n_primary", "primary_share"]]


def keyness(tokens: pd.DataFrame, order: list[str], min_freq: int = 5) -> pd.DataFrame:
    """Distinctive terms of each source against all the others: log-likelihood G² and log ratio.

    G² (Dunning 1993, as in Rayson & Garside 2000) tests whether a term's relative frequency in the
    source differs from the rest; log ratio (Hardie 2014) is the effect size, log2 of the ratio
    of relative frequencies with 0.5 added to zero counts. Only terms used at least `min_freq`
    times in the source are kept; p is from χ² with one degree of freedom.
    """
    counts = (term_occurrences(tokens).groupby(["source_id", "term"]).size().unstack(fill_value=0)
              .reindex(order, fill_value=0))
    a_all = counts.to_numpy(dtype=float)
    n1_all = a_all.sum(axis=1)
    # The rest of the corpus = everything minus the source, for all sources at once.
    b_all, n2_all = a_all.sum(axis=0) - a_all, n1_all.sum() - n1_all
    src, col = np.nonzero(a_all >= min_freq)  # row-major: sources in `order`, terms sorted
    a, b = a_all[src, col], b_all[src, col]
    n1, n2 = n1_all[src], n2_all[src]
    e1 = n1 * (a + b) / (n1 + n2)
    e2 = n2 * (a + b) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (np.where(a > 0, a * np.log(a / e1), 0) + np.where(b > 0, b * np.log(b / e2), 0))
    lr = np.log2((np.where(a > 0, a, 0.5) / n1) / (np.where(b > 0, b, 0.5) / n2))
    out = pd.DataFrame({"source_id": np.asarray(order, dtype=object)[src], "term": counts.columns.to_numpy()[col],
                        "n_source": a.astype(int), "n_rest": b.astype(int), "g2": g2, "log_ratio": lr})
    out["p_value"] = chi2.sf(out["g2"], df=1)
    out["g2"] = out["g2"].round(3)
    out["log_ratio"] = out["log_ratio"].round(3)
    out["p_value"] = out["p_value"].map(lambda p: float(f"{p:.3g}"))
    return sort_by_source(out, order, ["source_id", "g2", "term"], ascending=[True, False, True])


def mean_rows(matrix: spmatrix, groups: np.ndarray) -> pd.DataFrame:
    """Mean row of a sparse measure × term matrix per group (index: the sorted group ids).

    A sparse group-indicator product, so a large corpus never needs the dense matrix.
    """
    ids, inverse = np.unique(groups, return_inverse=True)
    counts = np.bincount(inverse)
    indicator = csr_matrix((1.0 / counts[inverse], (inverse, np.arange(len(groups)))), shape=(len(ids), len(groups)))
    return pd.DataFrame((indicator @ matrix).toarray(), index=ids)


def source_similarity(tfidf_rows: pd.DataFrame, shares: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Cosine similarity of every pair of sources, on two bases.

    `tfidf`: the mean TF-IDF vector of each source's measures; `themes`: each source's theme
    profile (share of measures addressing each of the 17 themes). Long format, both triangles.
    """
    out = []
    profile = shares.pivot(index="source_id", columns="theme_id", values="share").reindex(order)
    n = len(order)
    for basis, mat in (("tfidf", tfidf_rows.reindex(order)), ("themes", profile)):
        sim = cosine_similarity(mat.to_numpy())
        out.append(pd.DataFrame({"basis": basis, "source_a": np.repeat(order, n), "source_b": np.tile(order, n),
                                 "similarity": sim.ravel().round(4)}))
    return pd.concat(out, ignore_index=True)


def similarity_order(similarity: pd.DataFrame, basis: str, order: list[str]) -> list[str]:
    """Sources reordered by average-linkage hierarchical clustering (for a clustered heatmap)."""
    grid = similarity[similarity["basis"] == basis].pivot(index="source_a", columns="source_b",
                                                          values="similarity").reindex(index=order, columns=order)
    dist = squareform(np.clip(1 - grid.to_numpy(), 0, None), checks=False)
    leaves = leaves_list(linkage(dist, method="average", optimal_ordering=True))
    return [order[i] for i in leaves]


def shares_by_year(group: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Group shares with each source's document year (one document per year in this corpus)."""
    years = documents.set_index("source_id")["year"]
    out = group.assign(year=group["source_id"].map(years))
    return out.sort_values(["group_id", "year", "source_id"], ignore_index=True)[
        ["group_id", "year", "source_id", "n_measures", "share", "primary_share"]]
