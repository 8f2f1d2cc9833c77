"""Stage 6 — comparisons across sources: theme profiles, keyness, similarity, change over time."""

from __future__ import annotations

import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


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
