"""Provisions that spread between local laws beyond the national text, and whether a city copies
its own province more than other provinces, with documents as units.

A provision is a connected component of counting links (verbatim or adapted) between substantive
local articles that carry no national article; it counts when it spans two or more laws (a law's
versions are one law). Its first adopter is the earliest by date (ties flagged). The test asks
whether a city's articles that match some earlier province come from its own province more often
than the provinces' sizes would make them; the labels shuffled are which earlier province is a
city's own, every assignment enumerated (an exact test) when there are few.
"""

from __future__ import annotations

from itertools import product

import networkx as nx
import numpy as np
import pandas as pd

from ..io.hierarchy import Hierarchy
from .implementation import RELATIONS, counting_pairs, strongest

DIFFUSION_COLUMNS = ["provision_id", "article_id", "source_id", "law", "date", "order", "role", "n_documents",
                     "first_source_id", "tied_first", "from_parent"]
TEST_COLUMNS = ["test", "source_id", "own_province", "n_matched", "n_own", "share_own", "expected", "statistic",
                "p_value", "n_units", "unit", "n_permutations", "exact", "decision", "note"]
ALPHA = 0.05
EXACT_LIMIT = 100_000


def _law(hierarchy: Hierarchy, sid: str) -> str:
    """The first text of a law: versions of one law are one law."""
    while sid in hierarchy.version_of:
        sid = hierarchy.version_of[sid]
    return sid


def provisions(origin_rows: pd.DataFrame, links: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """diffusion.csv: every article of every provision beyond the national text spanning ≥ 2 laws."""
    local = origin_rows.loc[origin_rows["origin"] != "national", ["article_id", "source_id"]]
    keep = set(local["article_id"])
    ok = links[links["relation"].isin(RELATIONS) & links["article_a"].isin(keep) & links["article_b"].isin(keep)]
    graph = nx.Graph()
    graph.add_edges_from(zip(ok["article_a"], ok["article_b"], strict=True))
    source_of = dict(zip(local["article_id"], local["source_id"], strict=True))
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: c[0])
    rows, number = [], 0
    for members in components:
        laws = {_law(hierarchy, source_of[a]) for a in members}
        if len(laws) < 2:
            continue
        number += 1
        dated = sorted(members, key=lambda a: (hierarchy.date.get(source_of[a], ""), source_of[a], a))
        first_date = hierarchy.date.get(source_of[dated[0]], "")
        firsts = {source_of[a] for a in dated if hierarchy.date.get(source_of[a], "") == first_date}
        for order, aid in enumerate(dated, start=1):
            sid = source_of[aid]
            earlier = {source_of[b] for b in dated[:order - 1]}
            rows.append({"provision_id": f"p{number:03d}", "article_id": aid, "source_id": sid,
                         "law": _law(hierarchy, sid), "date": hierarchy.date.get(sid, ""), "order": order,
                         "role": "first" if sid in firsts else "adopter", "n_documents": len(laws),
                         "first_source_id": source_of[dated[0]], "tied_first": len(firsts) > 1,
                         "from_parent": hierarchy.parent.get(sid, "") in earlier})
    return pd.DataFrame(rows, columns=DIFFUSION_COLUMNS)


def own_province_test(articles: pd.DataFrame, origin_rows: pd.DataFrame, links: pd.DataFrame,
                      hierarchy: Hierarchy) -> pd.DataFrame:
    """Rows per city (its share of matched articles from its own province against the share the
    provinces' sizes give), then the test: the mean of those differences over cities, its p over
    every assignment of an 'own' province among each city's earlier provinces."""
    date, level = hierarchy.date, hierarchy.level
    sizes = articles[articles["part"] == "substantive"].groupby("source_id").size()
    pairs = counting_pairs(links)
    provinces = [s for s in sizes.index if level.get(s) == "province" and s not in hierarchy.version_of.values()]
    rows, units = [], []
    for city in [s for s in sizes.index if level.get(s) == "city"]:
        own = hierarchy.parent.get(city, "")
        earlier = sorted(p for p in provinces if date.get(p, "") < date.get(city, ""))
        base = {"test": "city", "source_id": city, "own_province": own, "unit": "document"}
        if own not in earlier:
            rows.append({**base, "decision": "excluded", "note": f"its province's law ({own or 'none'}) is not "
                         "dated before it, so it cannot have copied it"})
            continue
        mine = origin_rows[(origin_rows["source_id"] == city) & (origin_rows["origin"] != "national")]
        cand = pairs[pairs["from_article"].isin(mine["article_id"]) & pairs["to_source"].isin(earlier)]
        best = strongest(cand, ["from_article"])
        matched = best["to_source"].value_counts()
        n = int(matched.sum())
        weights = sizes.reindex(earlier).to_numpy(dtype=float)
        units.append((city, earlier, matched.reindex(earlier, fill_value=0).to_numpy(), n, weights / weights.sum()))
        k = int(matched.get(own, 0))
        expected = float(sizes[own] / weights.sum())
        rows.append({**base, "n_matched": n, "n_own": k, "share_own": k / n if n else np.nan, "expected": expected,
                     "statistic": (k / n - expected) if n else np.nan, "n_units": 1, "decision": "",
                     "note": f"earlier provinces: {', '.join(earlier)}"})
    rows.append(_test_row([u for u in units if u[3]], {u[0]: hierarchy.parent[u[0]] for u in units}))
    return pd.DataFrame(rows, columns=TEST_COLUMNS)


def _test_row(units: list, own: dict[str, str]) -> dict:
    """Mean over cities of (share from own province − expected), exact over every assignment."""
    row = {"test": "own_province", "source_id": "all", "unit": "document", "n_units": len(units)}
    if len(units) < 1:
        return {**row, "decision": "cannot be shown", "note": "no city with an earlier province and a matched article"}

    def stat(choice: tuple[int, ...]) -> float:
        return float(np.mean([counts[c] / n - share[c] for (_, _, counts, n, share), c in zip(units, choice,
                                                                                             strict=True)]))
    observed = tuple(earlier.index(own[city]) for city, earlier, *_ in units)
    n_assign = int(np.prod([len(u[1]) for u in units]))
    if n_assign > EXACT_LIMIT:
        return {**row, "decision": "not run", "note": f"{n_assign} assignments: above the exact limit"}
    null = np.array([stat(c) for c in product(*(range(len(u[1])) for u in units))])
    obs = stat(observed)
    p = float((null >= obs - 1e-12).mean())  # one-sided: more from the own province than the others
    min_p = 1 / n_assign
    decision = "cannot be shown" if min_p >= ALPHA else ("shown" if p < ALPHA else "not shown")
    return {**row, "statistic": obs, "p_value": p, "n_permutations": n_assign, "exact": True, "decision": decision,
            "note": f"one-sided; the smallest p these {len(units)} cities allow is {min_p:.4f}"}
