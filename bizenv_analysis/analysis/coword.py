"""Co-word network: which policy terms occur together in the same measures (stage 8, networks).

The field's co-word analysis, with every choice stated and read from
`data/lexicon/coword_params.csv`:

- **Terms.** A term's document frequency (df) is the number of measures whose tokens contain it
  (`tokens.csv`, so stopwords are already out; names of people, places and organisations, its
  `names` column, are left out by default, so no place links the terms of its own document).
  Terms of at least `min_chars` characters with df ≥ `min_df` are ranked by df; the network
  keeps the first `top_terms` and every term tied with the last of them (no tie is broken
  arbitrarily).
- **Links.** Two terms are linked when at least `min_cooccurrence` measures contain both
  (`source_min_cooccurrence` in a source's own network). The
  link's weight is the Ochiai coefficient c_ij / √(df_i · df_j) (the cosine of the two terms'
  measure sets), so a link between two frequent terms does not outweigh a closer pair of rarer ones.
- **Communities.** Louvain (networkx, `resolution`, `seed`) on the Ochiai weights; communities are
  numbered from 1 by size, then by their most frequent term.
- **Centrality.** Degree centrality (links / (nodes − 1)), strength (sum of Ochiai weights) and
  betweenness on distances 1 / Ochiai (a strong association is a short path), normalised.

The network is built for all compared measures (scope `all`) and for each source on its own
measures (its own top `source_top_terms`, `source_min_df`), for sources with at least
`min_measures` measures, and only when there are at most `max_sources` sources (each network's
betweenness takes a moment; hundreds of them would take minutes). `coword_edges.csv` and
`coword_nodes.csv` hold every scope; `coword.gexf` and `coword.graphml` hold the overall network
with labels, df, community and centralities, for Gephi.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse

from ..base.constants import RESERVED_ID as ALL  # the scope of the network over every source
from ..rules.coword import Params
from ..text.dtm import Dtm

NODE_COLUMNS = ["scope", "term", "df", "df_share", "n_measures", "degree", "strength", "degree_centrality",
                "betweenness", "community", "community_size", "rank"]
EDGE_COLUMNS = ["scope", "source", "target", "cooccurrence", "ochiai"]
SUMMARY_COLUMNS = ["scope", "n_terms", "n_links", "density", "n_communities", "modularity", "betweenness_df_rho",
                   "betweenness_df_p"]
STABILITY_COLUMNS = ["seed", "n_communities", "ari"]
COMMUNITY_COLUMNS = ["community", "n_terms", "most_frequent", "largest_source", "share_of_occurrences",
                     "share_of_measures"]
STABILITY_SEEDS = range(1, 31)  # Louvain reruns that measure how far the communities depend on the seed
MOST_FREQUENT = 8  # terms named per community in coword_communities.csv


class NetworkWarning(UserWarning):
    """A co-word network the build did not draw up, and why."""


DIGITS = 6  # decimals written for the weights and centralities: the same bytes on every machine


def top_terms(dtm: Dtm, n: int, min_df: int, min_chars: int = 1) -> pd.Series:
    """Document frequency of the top `n` terms of the measures of `dtm` (df ≥ `min_df`, ≥
    `min_chars` characters) and of every term tied with the n-th, most frequent first, then by term."""
    df = dtm.document_frequency()
    ranked = sorted((-c, t) for t, c in df.items() if c >= max(min_df, 1) and len(t) >= min_chars)
    if len(ranked) > n > 0:
        cut = -ranked[n - 1][0]
        ranked = [r for r in ranked if -r[0] >= cut]
    return pd.Series({t: -c for c, t in ranked}, dtype="int64", name="df")


def ochiai(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Ochiai coefficients c_ij / √(c_ii · c_jj) of a co-occurrence matrix (diagonal kept as 1)."""
    d = counts.diagonal().astype(float)
    scale = sparse.diags(np.divide(1.0, np.sqrt(d), out=np.zeros_like(d), where=d > 0))
    return (scale @ counts @ scale).tocsr()


def network(dtm: Dtm, n: int, min_df: int, min_cooccurrence: int, params: Params) -> nx.Graph:
    """The co-word graph of the measures of `dtm`: nodes are the top `n` terms (attribute df), links join
    terms in ≥ `min_cooccurrence` common measures (attributes cooccurrence, weight = Ochiai,
    distance = 1 / Ochiai); then communities and centralities as node attributes."""
    df = top_terms(dtm, n, min_df, params.min_chars)
    terms = list(df.index)
    g = nx.Graph()
    g.graph["n_measures"] = dtm.n_measures
    for t in terms:  # the insertion order (df, then term) fixes every later traversal
        g.add_node(t, label=t, df=int(df[t]))
    if terms:
        counts = dtm.cooccurrence(terms).tocoo()
        weights = ochiai(counts.tocsr())
        for i, j, c in sorted(zip(counts.row.tolist(), counts.col.tolist(), counts.data.tolist(), strict=True)):
            if i < j and c >= min_cooccurrence:
                w = round(float(weights[i, j]), DIGITS)
                g.add_edge(terms[i], terms[j], cooccurrence=int(c), weight=w, distance=1.0 / w)
    _annotate(g, params)
    return g


def communities(g: nx.Graph, resolution: float, seed: int) -> list[set[str]]:
    """Louvain communities of `g` on the Ochiai weights, largest first, then by their most frequent term."""
    if not g.number_of_nodes():
        return []
    found = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    order = {t: i for i, t in enumerate(g.nodes)}  # df rank
    return sorted(found, key=lambda c: (-len(c), min(order[t] for t in c)))


def community_stability(g: nx.Graph, resolution: float, seeds: Iterable[int]) -> pd.DataFrame:
    """How far the communities depend on Louvain's seed: for each seed, the adjusted Rand index
    between its partition and the network's own (the `community` node attribute)."""
    from sklearn.metrics import adjusted_rand_score

    terms = list(g.nodes)
    reference = [g.nodes[t]["community"] for t in terms]
    rows = []
    for seed in seeds:
        label = {t: k for k, c in enumerate(communities(g, resolution, seed)) for t in c}
        rows.append({"seed": seed, "n_communities": len(set(label.values())),
                     "ari": adjusted_rand_score(reference, [label[t] for t in terms])})
    return pd.DataFrame(rows, columns=["seed", "n_communities", "ari"])


def _annotate(g: nx.Graph, params: Params) -> None:
    """Louvain communities (numbered by size, then top term) and centralities, as node attributes."""
    ranked = communities(g, params.resolution, params.seed)
    between = nx.betweenness_centrality(g, weight="distance", normalized=True)
    degree = nx.degree_centrality(g) if g.number_of_nodes() > 1 else dict.fromkeys(g.nodes, 0.0)
    for k, members in enumerate(ranked, start=1):
        for t in members:
            g.nodes[t]["community"] = k
            g.nodes[t]["community_size"] = len(members)
    for rank, t in enumerate(g.nodes, start=1):
        node = g.nodes[t]
        node["rank"] = rank
        node["degree"] = g.degree(t)
        node["strength"] = round(sum(w for _, _, w in g.edges(t, data="weight")), DIGITS)
        node["degree_centrality"] = round(degree[t], DIGITS)
        node["betweenness"] = round(between[t], DIGITS)


def nodes_table(g: nx.Graph, scope: str) -> pd.DataFrame:
    """One row per term of `g` (coword_nodes.csv), in df order."""
    n = g.graph["n_measures"]
    rows = [{"scope": scope, "term": t, "df": a["df"], "df_share": round(a["df"] / n, DIGITS) if n else 0.0,
             "n_measures": n, **{c: a[c] for c in NODE_COLUMNS[5:]}} for t, a in g.nodes(data=True)]
    return pd.DataFrame(rows, columns=NODE_COLUMNS)


def edges_table(g: nx.Graph, scope: str) -> pd.DataFrame:
    """One row per link of `g` (coword_edges.csv): the more frequent term first, strongest links first."""
    rank = {t: a["rank"] for t, a in g.nodes(data=True)}
    rows = []
    for a, b, d in g.edges(data=True):
        a, b = sorted((a, b), key=rank.__getitem__)
        rows.append({"scope": scope, "source": a, "target": b, "cooccurrence": d["cooccurrence"],
                     "ochiai": d["weight"]})
    out = pd.DataFrame(rows, columns=EDGE_COLUMNS)
    if out.empty:
        return out
    out["_a"], out["_b"] = out["source"].map(rank), out["target"].map(rank)
    return out.sort_values(["ochiai", "_a", "_b"], ascending=[False, True, True]).drop(columns=["_a", "_b"])


def coword_tables(dtm: Dtm, order: list[str], params: Params,
                  with_names: bool = False) -> tuple[dict[str, pd.DataFrame], nx.Graph]:
    """coword_nodes.csv and coword_edges.csv for every scope (all, then each source in `order`
    with at least `min_measures` measures), and the overall graph, from the document-term matrix
    of the compared measures; the names (its `is_name` terms) are left out unless `with_names`."""
    if not with_names:
        dtm = dtm.without_names()
    overall = network(dtm, params.top_terms, params.min_df, params.min_cooccurrence, params)
    nodes, edges = [nodes_table(overall, ALL)], [edges_table(overall, ALL)]
    if len(order) > params.max_sources:
        warnings.warn(f"co-word networks per source skipped: {len(order)} sources, more than max_sources "
                      f"({params.max_sources}, coword_params.csv); the overall network is built",
                      NetworkWarning, stacklevel=2)
        order = []
    for source in order:
        mine = dtm.rows(dtm.source_ids == source)
        if mine.n_measures < params.min_measures:
            continue
        g = network(mine, params.source_top_terms, params.source_min_df, params.source_min_cooccurrence, params)
        nodes.append(nodes_table(g, source))
        edges.append(edges_table(g, source))
    tables = {"coword_nodes.csv": pd.concat(nodes, ignore_index=True),
              "coword_edges.csv": pd.concat(edges, ignore_index=True)}
    return tables, overall


# networkx stamps the GEXF with the day it was written and its own version; the build's files
# must change with neither.
_GEXF_DATE = re.compile(rb' lastmodifieddate="[^"]*"')
_GEXF_CREATOR = re.compile(rb"\s*<creator>[^<]*</creator>")


def graph_files(g: nx.Graph, stem: str = "coword") -> dict[str, bytes]:
    """The graph as GEXF 1.2 and GraphML bytes (labels, df, community, centralities; link weights),
    with no date or software version in them."""
    h = nx.Graph()
    h.add_nodes_from(g.nodes(data=True))
    h.add_edges_from((a, b, {k: v for k, v in d.items() if k != "distance"}) for a, b, d in g.edges(data=True))
    gexf = io.BytesIO()
    nx.write_gexf(h, gexf, encoding="utf-8", version="1.2draft")
    graphml = io.BytesIO()
    nx.write_graphml(h, graphml, encoding="utf-8")
    return {f"{stem}.gexf": _GEXF_CREATOR.sub(b"", _GEXF_DATE.sub(b"", gexf.getvalue())),
            f"{stem}.graphml": graphml.getvalue()}


def graph_from_tables(nodes: pd.DataFrame, edges: pd.DataFrame, scope: str = ALL) -> nx.Graph:
    """One scope's network rebuilt from coword_nodes.csv and coword_edges.csv (node attributes as
    in the table; link attributes cooccurrence and weight = Ochiai), nodes in df order and links
    strongest first, as the tables list them."""
    g = nx.Graph()
    mine = nodes[nodes["scope"] == scope]
    g.graph["n_measures"] = int(mine["n_measures"].iloc[0]) if len(mine) else 0
    for r in mine.to_dict("records"):
        g.add_node(r["term"], **{k: v for k, v in r.items() if k not in ("scope", "term")})
    for r in edges[edges["scope"] == scope].itertuples():
        g.add_edge(r.source, r.target, cooccurrence=r.cooccurrence, weight=r.ochiai)
    return g


def _significant(p: float) -> float:
    """A p value to six significant digits (a small p keeps its digits, unlike round(p, 6))."""
    return float(f"{p:.6g}")


def statistics_tables(nodes: pd.DataFrame, edges: pd.DataFrame, dtm: Dtm, params: Params,
                      seeds: Iterable[int] = STABILITY_SEEDS) -> dict[str, pd.DataFrame]:
    """The overall network's statistics, computed on the network as coword_nodes.csv and
    coword_edges.csv hold it (`graph_from_tables`, so the order of nodes and links that Louvain
    sees is the tables'):

    - coword_summary.csv: terms, links, density, Louvain communities, modularity of the partition
      shown (Ochiai weights), and Spearman's ρ between betweenness and df with its p;
    - coword_stability.csv: per Louvain seed of `seeds`, its number of communities and the
      adjusted Rand index of its partition against the one shown (`community_stability`);
    - coword_communities.csv: per community, its terms, the `MOST_FREQUENT` most frequent, and the
      source whose measures hold most of its term occurrences (each term counted once per
      measure), with that share and the source's share of the measures.

    Without a link (too few shared terms) the modularity, ρ and the other two tables are empty."""
    from scipy.stats import spearmanr

    g = graph_from_tables(nodes, edges)
    overall = nodes[nodes["scope"] == ALL]
    summary = {"scope": ALL, "n_terms": g.number_of_nodes(), "n_links": g.number_of_edges(),
               "density": round(nx.density(g), DIGITS) if len(g) else 0.0,
               "n_communities": overall["community"].nunique()}
    empty = {name: pd.DataFrame(columns=cols) for name, cols in
             (("coword_stability.csv", STABILITY_COLUMNS), ("coword_communities.csv", COMMUNITY_COLUMNS))}
    if not g.number_of_edges():
        return {"coword_summary.csv": pd.DataFrame([summary], columns=SUMMARY_COLUMNS), **empty}
    parts = [{t for t in g if g.nodes[t]["community"] == k} for k in sorted(set(overall["community"]))]
    rho = spearmanr(overall["betweenness"], overall["df"])
    summary |= {"modularity": round(nx.community.modularity(g, parts, weight="weight"), DIGITS),
                "betweenness_df_rho": round(float(rho.statistic), DIGITS),
                "betweenness_df_p": _significant(float(rho.pvalue))}
    stable = community_stability(g, params.resolution, seeds)
    stable["ari"] = stable["ari"].round(DIGITS)
    return {"coword_summary.csv": pd.DataFrame([summary], columns=SUMMARY_COLUMNS),
            "coword_stability.csv": stable,
            "coword_communities.csv": community_sources(overall, dtm)}


def community_sources(overall: pd.DataFrame, dtm: Dtm) -> pd.DataFrame:
    """coword_communities.csv (see `statistics_tables`) from the overall network's nodes and the
    document-term matrix of the measures (names kept: every term of the network is one of its terms)."""
    sources = np.unique(dtm.source_ids)  # a tie goes to the first source id in sorted order
    present = dtm.present().by(dtm.source_ids, sources).reindex(columns=overall["term"], fill_value=0)
    by_source = present.T.groupby(overall["community"].to_numpy()).sum()
    top = by_source.idxmax(axis=1)
    measure_share = pd.Series(dtm.source_ids).value_counts(normalize=True)
    out = (overall.groupby("community")
           .agg(n_terms=("term", "size"), most_frequent=("term", lambda s: "、".join(s[:MOST_FREQUENT]))))
    out["largest_source"] = top
    out["share_of_occurrences"] = (by_source.max(axis=1) / by_source.sum(axis=1)).round(DIGITS)
    out["share_of_measures"] = top.map(measure_share).round(DIGITS)
    return out.reset_index()[COMMUNITY_COLUMNS]
