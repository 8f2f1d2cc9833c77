"""Regulations compared with documents as units: what share of each law's substantive articles
has a theme, an instrument, a modality or an addressee, and whether provinces and cities differ.

The unit that varies is the document (one law), so a test shuffles the level labels among whole
documents and an interval resamples documents. One law counts once: a text another one revises
(`version_of`) is left out in favour of its latest version, and the national text — one document of
its level — is described, never tested. With few documents every split of the labels can be
enumerated: the permutation test is then exact (all splits, no sampling).
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np
import pandas as pd

from ..base.constants import N_RESAMPLES, RESAMPLE_SEED
from ..io.hierarchy import Hierarchy
from .inference import CONFIDENCE, bh

SUBSTANTIVE = "substantive"
PROFILE_COLUMNS = ["source_id", "level", "date", "dimension", "category", "n_articles", "n_hits", "share"]
LEVEL_TEST_COLUMNS = ["dimension", "category", "contrast", "n_a", "n_b", "share_a", "share_b", "diff", "diff_low",
                      "diff_high", "p_value", "q_value", "n_units", "unit", "n_permutations", "exact", "min_p",
                      "decision"]
EXACT_LIMIT = 10_000  # enumerate every split up to this many; above it, draw N_RESAMPLES of them
ALPHA = 0.05


def current_laws(hierarchy: Hierarchy, source_ids: list[str]) -> list[str]:
    """The sources that are no earlier version of another source (one law counts once)."""
    revised = set(hierarchy.version_of.values())
    return [s for s in source_ids if s not in revised]


def regulation_profiles(articles: pd.DataFrame, hits: pd.DataFrame, hierarchy: Hierarchy) -> pd.DataFrame:
    """One row per document × dimension × category: the share of its substantive articles with it.

    `articles`: article_id, source_id, part. `hits`: article_id, dimension, category — one row per
    article that has the category (its primary theme, its primary instrument, a statement of a
    modality, a statement addressed to someone); the caller builds it from the coders' tables.
    Every category seen in a dimension gets a row for every document (0 hits included).
    """
    sub = articles[articles["part"] == SUBSTANTIVE]
    n = sub.groupby("source_id")["article_id"].nunique()
    got = hits[hits["article_id"].isin(sub["article_id"])].merge(sub[["article_id", "source_id"]], on="article_id")
    counts = got.drop_duplicates(["article_id", "dimension", "category"]).groupby(
        ["source_id", "dimension", "category"]).size()
    rows = []
    for dim in sorted(hits["dimension"].unique()):
        for cat in sorted(hits.loc[hits["dimension"] == dim, "category"].unique()):
            for sid in n.index:
                k = int(counts.get((sid, dim, cat), 0))
                rows.append({"source_id": sid, "level": hierarchy.level.get(sid, ""),
                             "date": hierarchy.date.get(sid, ""), "dimension": dim, "category": cat,
                             "n_articles": int(n[sid]), "n_hits": k, "share": k / int(n[sid])})
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS)


def splits(n: int, k: int, seed: int = RESAMPLE_SEED, limit: int = EXACT_LIMIT) -> tuple[np.ndarray, bool]:
    """Boolean rows: which of n units are in group a (k of them), every split when there are at
    most `limit` (exact), else the observed-free random draws of N_RESAMPLES splits (seeded)."""
    if comb(n, k) <= limit:
        rows = np.zeros((comb(n, k), n), dtype=bool)
        for r, chosen in enumerate(combinations(range(n), k)):
            rows[r, list(chosen)] = True
        return rows, True
    rng = np.random.default_rng(seed)
    rows = np.zeros((N_RESAMPLES, n), dtype=bool)
    for r in range(N_RESAMPLES):
        rows[r, rng.choice(n, k, replace=False)] = True
    return rows, False


def _diff(x: np.ndarray, in_a: np.ndarray) -> np.ndarray:
    """Mean of group a minus mean of the rest, for each row of `in_a` (splits) and column of x."""
    a = in_a.astype(float)
    return (a @ x) / a.sum(1, keepdims=True) - ((1 - a) @ x) / (1 - a).sum(1, keepdims=True)


def _stratified_interval(x: np.ndarray, in_a: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of the difference: documents resampled within each group."""
    rng = np.random.default_rng(seed)
    ia, ib = np.flatnonzero(in_a), np.flatnonzero(~in_a)
    da = rng.integers(0, len(ia), size=(N_RESAMPLES, len(ia)))
    db = rng.integers(0, len(ib), size=(N_RESAMPLES, len(ib)))
    draws = x[ia][da].mean(axis=1) - x[ib][db].mean(axis=1)  # (draws, categories)
    tail = (1 - CONFIDENCE) / 2 * 100
    return np.percentile(draws, tail, axis=0), np.percentile(draws, 100 - tail, axis=0)


def bh_within(table: pd.DataFrame, by: str = "dimension") -> pd.Series:
    """Benjamini–Hochberg q of each row's p_value among the rows of its `by` group (its tested
    categories); NaN where p_value is."""
    q = pd.Series(np.nan, index=table.index)
    for idx in table.groupby(by).groups.values():
        ok = table.loc[idx, "p_value"].notna()
        if ok.any():
            q[idx[ok.to_numpy()]] = bh(table.loc[idx, "p_value"][ok].to_numpy())
    return q


def level_tests(profiles: pd.DataFrame, hierarchy: Hierarchy, a: str = "province", b: str = "city",
                seed: int = RESAMPLE_SEED) -> pd.DataFrame:
    """Level a against level b, each category: difference of mean shares over documents, two-sided
    permutation p over splits of the documents' labels (exact when they can be enumerated), a
    bootstrap interval resampling documents within each level, BH q within each dimension. No rows
    when either level has no document."""
    laws = current_laws(hierarchy, sorted(profiles["source_id"].unique()))
    wide = profiles[profiles["source_id"].isin(laws) & profiles["level"].isin([a, b])].pivot_table(
        index="source_id", columns=["dimension", "category"], values="share")
    out = []
    if wide.empty:
        return pd.DataFrame(columns=LEVEL_TEST_COLUMNS)
    level = np.array([hierarchy.level.get(s, "") for s in wide.index])
    in_a = level == a
    n_a, n_b = int(in_a.sum()), int((~in_a).sum())
    if not (n_a and n_b):  # one level has no document: nothing to compare
        return pd.DataFrame(columns=LEVEL_TEST_COLUMNS)
    x = wide.to_numpy(dtype=float)
    observed = _diff(x, in_a[None, :])[0]
    null, exact = splits(len(in_a), n_a, seed)
    diffs = _diff(x, null)
    # Counting the observed split among the null (it is one of the enumerated ones when exact).
    extreme = (np.abs(diffs) >= np.abs(observed) - 1e-12).sum(0)
    p = extreme / len(null) if exact else (extreme + 1) / (len(null) + 1)
    low, high = _stratified_interval(x, in_a, seed)
    min_p = 1 / len(null) if exact else 1 / (len(null) + 1)
    for j, (dim, cat) in enumerate(wide.columns):
        out.append({"dimension": dim, "category": cat, "contrast": f"{a} - {b}", "n_a": n_a, "n_b": n_b,
                    "share_a": x[in_a, j].mean(), "share_b": x[~in_a, j].mean(),
                    "diff": observed[j], "diff_low": low[j], "diff_high": high[j], "p_value": p[j],
                    "n_units": n_a + n_b, "unit": "document", "n_permutations": len(null), "exact": exact,
                    "min_p": min_p})
    table = pd.DataFrame(out)
    table["q_value"] = bh_within(table)
    table["decision"] = np.where(table["min_p"] >= ALPHA, "cannot be shown",
                                 np.where(table["q_value"] < ALPHA, "shown", "not shown"))
    return table[LEVEL_TEST_COLUMNS]


TREND_COLUMNS = ["dimension", "category", "rho", "rho_low", "rho_high", "p_value", "q_value", "n_units", "unit",
                 "first_date", "last_date", "n_permutations", "decision"]


def _ranks(x: np.ndarray) -> np.ndarray:
    """Average ranks along the last axis (ties share their mean rank), as Spearman's ρ uses."""
    from scipy.stats import rankdata
    return rankdata(x, axis=-1)


def _spearman(ranked_dates: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """ρ of each column of `shares` (documents × categories) with each row of `ranked_dates`
    (draws × documents): the Pearson correlation of the ranks; NaN for a constant column."""
    r = _ranks(shares.T)  # categories × documents
    r = r - r.mean(axis=1, keepdims=True)
    d = ranked_dates - ranked_dates.mean(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (d @ r.T) / np.sqrt((d ** 2).sum(-1, keepdims=True) * (r ** 2).sum(1)[None, :])


def trend_tests(profiles: pd.DataFrame, hierarchy: Hierarchy, levels: tuple[str, ...] = ("province", "city"),
                seed: int = RESAMPLE_SEED) -> pd.DataFrame:
    """Whether each category's share rises or falls with the laws' dates: Spearman's ρ over local
    documents (one law once; the national text, alone at its level and first, left out so that
    level does not pass for time), the dates permuted among documents (N_RESAMPLES draws, seeded;
    two-sided), a percentile bootstrap interval resampling documents, BH within each dimension."""
    laws = current_laws(hierarchy, sorted(profiles["source_id"].unique()))
    wide = profiles[profiles["source_id"].isin(laws) & profiles["level"].isin(levels)].pivot_table(
        index="source_id", columns=["dimension", "category"], values="share")
    if len(wide) < 3:
        return pd.DataFrame(columns=TREND_COLUMNS)
    dates = np.array([hierarchy.date.get(s, "") for s in wide.index])
    order = _ranks(np.unique(dates, return_inverse=True)[1].astype(float))
    x = wide.to_numpy(dtype=float)
    rho = _spearman(order[None, :], x)[0]
    rng = np.random.default_rng(seed)
    shuffled = np.array([rng.permutation(order) for _ in range(N_RESAMPLES)])
    null = _spearman(shuffled, x)
    p = ((np.abs(null) >= np.abs(rho) - 1e-12).sum(0) + 1) / (N_RESAMPLES + 1)
    draws = rng.integers(0, len(order), size=(N_RESAMPLES, len(order)))
    boot = np.stack([_spearman(_ranks(order[d])[None, :], x[d])[0] for d in draws])
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.full(len(rho), np.nan), np.full(len(rho), np.nan)
    some = ~np.isnan(boot).all(axis=0)  # a category constant in every draw has no ρ at all
    low[some] = np.nanpercentile(boot[:, some], tail, axis=0)
    high[some] = np.nanpercentile(boot[:, some], 100 - tail, axis=0)
    table = pd.DataFrame({"dimension": [c[0] for c in wide.columns], "category": [c[1] for c in wide.columns],
                          "rho": rho, "rho_low": low, "rho_high": high, "p_value": np.where(np.isnan(rho), np.nan, p),
                          "n_units": len(order), "unit": "document", "first_date": min(dates),
                          "last_date": max(dates), "n_permutations": N_RESAMPLES})
    table["q_value"] = bh_within(table)
    table["decision"] = np.where(table["q_value"] < ALPHA, "shown", "not shown")
    return table[TREND_COLUMNS]
