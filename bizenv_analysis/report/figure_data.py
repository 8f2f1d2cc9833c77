"""The rows a figure draws, computed from built tables: orders and layouts that only a figure needs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform


def similarity_order(similarity: pd.DataFrame, basis: str, order: list[str]) -> list[str]:
    """Sources reordered by average-linkage hierarchical clustering (for a clustered heatmap)."""
    grid = similarity[similarity["basis"] == basis].pivot(index="source_a", columns="source_b",
                                                          values="similarity").reindex(index=order, columns=order)
    dist = squareform(np.clip(1 - grid.to_numpy(), 0, None), checks=False)
    leaves = leaves_list(linkage(dist, method="average", optimal_ordering=True))
    return [order[i] for i in leaves]
