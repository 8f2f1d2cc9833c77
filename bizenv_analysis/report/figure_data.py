"""The rows a figure draws, computed from built tables: orders and layouts that only a figure needs
(a network's layout, the sources' order in a clustered heatmap, a PMC surface)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

from ..analysis.coword import graph_from_tables
from ..analysis.spread import date_span

DRAW_COLUMNS = ["scope", "element", "term", "x", "y", "df", "community", "labelled", "source", "target", "ochiai",
                "x_end", "y_end"]


def drawing(nodes: pd.DataFrame, edges: pd.DataFrame, scope: str, *, n_labels: int, max_edges: int,
            seed: int, largest_part: bool = False) -> pd.DataFrame:
    """What a figure draws of one scope's network: each term at its position (a spring layout on the
    Ochiai weights, seeded) and the `max_edges` strongest links; the `n_labels` most frequent terms
    are labelled. With `largest_part`, only the largest connected part is drawn (a small separate
    part would squeeze the rest into a corner)."""
    g = graph_from_tables(nodes, edges, scope)
    if largest_part and len(g):
        g = g.subgraph(max(nx.connected_components(g), key=lambda c: (len(c), -min(g.nodes[t]["rank"] for t in c))))
    mine = nodes[(nodes["scope"] == scope) & nodes["term"].isin(set(g))]
    links = edges[(edges["scope"] == scope) & edges["source"].isin(set(g)) & edges["target"].isin(set(g))]
    # spread the terms a little more than networkx's default distance (1/√n) so that labels fit
    pos = nx.spring_layout(g, weight="weight", seed=seed, k=1.6 / max(1, len(g)) ** 0.5) if len(g) else {}
    at = {t: (round(float(x), 4), round(float(y), 4)) for t, (x, y) in pos.items()}
    labelled = set(mine.nsmallest(n_labels, "rank")["term"])
    rows = [{"scope": scope, "element": "node", "term": r.term, "x": at[r.term][0], "y": at[r.term][1], "df": r.df,
             "community": r.community, "labelled": r.term in labelled} for r in mine.itertuples()]
    rows += [{"scope": scope, "element": "edge", "source": r.source, "target": r.target, "ochiai": r.ochiai,
              "x": at[r.source][0], "y": at[r.source][1], "x_end": at[r.target][0], "y_end": at[r.target][1]}
             for r in links.head(max_edges).itertuples()]
    return pd.DataFrame(rows, columns=DRAW_COLUMNS).astype({"df": "Int64", "community": "Int64"})



def similarity_order(similarity: pd.DataFrame, basis: str, order: list[str]) -> list[str]:
    """Sources reordered by average-linkage hierarchical clustering (for a clustered heatmap)."""
    grid = similarity[similarity["basis"] == basis].pivot(index="source_a", columns="source_b",
                                                          values="similarity").reindex(index=order, columns=order)
    dist = squareform(np.clip(1 - grid.to_numpy(), 0, None), checks=False)
    leaves = leaves_list(linkage(dist, method="average", optimal_ordering=True))
    return [order[i] for i in leaves]


def surface(index_row: pd.Series, variable_ids: list[str]) -> list[list[float]]:
    """The PMC surface: the first nine main variables as a 3 × 3 matrix (X1–X3, X4–X6, X7–X9)."""
    values = [float(index_row[v]) for v in variable_ids[:9]]
    return [values[0:3], values[3:6], values[6:9]]


TIMELINE_COLUMNS = ["formula_id", "label", "national", "source_id", "date", "year", "role", "credits"]
LABEL_CHARS = 14  # longer formulas are cut, with …, in fig19's row labels


def _year(date: object) -> float:
    """The middle of the span a document's date covers, as a decimal year (2024: mid-2024); NaN when undated."""
    span = date_span(date)
    if span is None:
        return float("nan")
    middle = span[0] + (span[1] - span[0]) / 2
    return round(middle.year + (middle.timetuple().tm_yday - 1) / 365.25, 3)


def formula_timeline_rows(spread: pd.DataFrame, drawn: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """fig19's rows: each use (formula_spread.csv) of the formulas of `drawn` (formulas.csv rows), at
    the decimal year of its document's date; uses of undated documents are left out."""
    rows = spread[spread["formula_id"].isin(drawn["formula_id"])].merge(
        drawn[["formula_id", "formula", "national"]], on="formula_id")
    rows["year"] = rows["source_id"].map(documents.set_index("source_id")["date"].map(_year))
    rows["label"] = [f if len(f) <= LABEL_CHARS else f[:LABEL_CHARS - 1] + "…" for f in rows["formula"]]
    return rows.dropna(subset=["year"])[TIMELINE_COLUMNS]
