"""Shares of measures per source × category (themes, theme groups, instrument types), with their
intervals and the test of each source against the others; the mix of primary themes; change over time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from . import inference
from .families import UNIT, comparison_gap
from .inference import GroupSums, round_stats

MIN_YEARS = 2  # change over time needs documents from at least two years
# The columns of group_trend.csv, so a skipped comparison still writes its (empty) table.
TREND_COLUMNS = ["group_id", "year", "source_id", "n_measures", "share", "primary_share"]
HEADLINE_THEMES = 4  # the most addressed themes that fig08 shows
HEADLINE_COLUMNS = ["rank", "theme_id", "n_addressing"]
LEADER_COLUMNS = ["source_id", "leaders", "n_leader", "n_measures", "tied"]
CLUSTER_THEME_COLUMNS = ["cluster", "measures", "dominant_theme", "purity", "n_themes", "ari", "nmi"]


def theme_shares(themes: pd.DataFrame, measures: pd.DataFrame, codebook: pd.DataFrame,
                 order: list[str], n_resamples: int = 0, tested: Sequence[str] | None = None) -> pd.DataFrame:
    """Per source × theme: share of measures addressing it (multi-label) and primary share.

    Columns: source_id, theme_id, group_id, n_measures, [n_units], n_addressing, share, [the other
    columns of `share_tests` for the multi-label share: intervals, difference from the rest, p and
    BH q], n_primary, primary_share, primary_low/high (Wilson); the bracketed ones only when
    `n_resamples` > 0. Every theme appears for every source (zeros included); only the sources of
    `tested` (default: all) are tested against each other.
    """
    ids, cats = list(measures["measure_id"]), list(codebook["theme_id"])
    return shares_table(indicator(themes, ids, cats), indicator(themes, ids, cats, primary_only=True), cats,
                        measures, order, "theme_id", n_resamples, tested).merge(
        codebook[["theme_id", "group_id"]], on="theme_id").pipe(_first, ["source_id", "theme_id", "group_id"])


def _first(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df[cols + [c for c in df.columns if c not in cols]]


def shares_table(y: np.ndarray, y_primary: np.ndarray, cats: list[str], measures: pd.DataFrame, order: list[str],
                 category: str, n_resamples: int, tested: Sequence[str] | None = None) -> pd.DataFrame:
    """Shares of measures per source × category, with primary shares and (optionally) the tests."""
    src = measures["source_id"].to_numpy()
    rows = []
    for sid in order:
        g = src == sid
        for j, cat in enumerate(cats):
            k, kp, n = int(y[g, j].sum()), int(y_primary[g, j].sum()), int(g.sum())
            lo, hi = inference.wilson(kp, n)
            rows.append({"source_id": sid, category: cat, "n_measures": n, "n_addressing": k, "share": k / n,
                         "n_primary": kp, "primary_share": kp / n, "primary_low": lo, "primary_high": hi})
    out = pd.DataFrame(rows)
    if n_resamples:
        tests = share_tests(y, cats, measures, order, category=category, n_resamples=n_resamples, tested=tested)
        out = out.merge(tests.drop(columns=["n_measures", "n_addressing", "share"]), on=["source_id", category])
        first = ["source_id", category, "n_measures", "unit", "n_units", "n_addressing", "share"]
        out = out[first + [c for c in tests.columns if c not in first] +
                  ["n_primary", "primary_share", "primary_low", "primary_high"]]
    return round_stats(out)


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


def clusters_vs_themes_table(clusters: pd.DataFrame, themes: pd.DataFrame) -> pd.DataFrame:
    """clusters_vs_themes.csv: `clusters_vs_themes`' purity rows, one per cluster, with the ARI and
    NMI of the two partitions (six decimals, the same on every row); empty without clusters."""
    if clusters.empty:
        return pd.DataFrame(columns=CLUSTER_THEME_COLUMNS)
    cvt = clusters_vs_themes(clusters, themes)
    out = cvt["purity"].rename_axis("cluster").reset_index()
    return out.assign(ari=round(cvt["ari"], 6), nmi=round(cvt["nmi"], 6))[CLUSTER_THEME_COLUMNS]


def headline_themes(profiles: pd.DataFrame, n: int = HEADLINE_THEMES) -> pd.DataFrame:
    """headline_themes.csv: the `n` themes most measures address over all sources (theme_profiles.csv's
    n_addressing summed), most first; a tie keeps the codebook's order."""
    total = (profiles.groupby("theme_id", sort=False)["n_addressing"].sum()
             .sort_values(ascending=False, kind="stable").head(n))
    return pd.DataFrame({"rank": range(1, len(total) + 1), "theme_id": total.index,
                         "n_addressing": total.to_numpy().astype(int)}, columns=HEADLINE_COLUMNS)


def primary_leaders(themes: pd.DataFrame, measures: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """primary_leaders.csv: `leaders` of each source in `order`, from the primary themes of `measures`."""
    prim = themes[themes["primary"]].merge(measures[["measure_id", "source_id"]], on="measure_id")
    return leaders(prim, order)


def group_shares(themes: pd.DataFrame, measures: pd.DataFrame, codebook: pd.DataFrame,
                 order: list[str], n_resamples: int = 0, tested: Sequence[str] | None = None) -> pd.DataFrame:
    """Per source × group of the codebook (seven in the bundled one): share of measures addressing
    any theme of the group.

    Same columns as `theme_shares` without theme_id; a measure counts once per group.
    """
    groups = list(dict.fromkeys(codebook["group_id"]))
    t = themes.merge(codebook[["theme_id", "group_id"]], on="theme_id")
    ids = list(measures["measure_id"])
    return shares_table(indicator(t, ids, groups, "group_id"),
                        indicator(t, ids, groups, "group_id", primary_only=True),
                        groups, measures, order, "group_id", n_resamples, tested)


def shares_by_year(group: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Group shares with each source's document year (one document per year in this corpus);
    undated documents (no year) are left out."""
    years = documents.set_index("source_id")["year"]
    out = group.assign(year=group["source_id"].map(years)).dropna(subset=["year"])
    return out.sort_values(["group_id", "year", "source_id"], ignore_index=True)[
        ["group_id", "year", "source_id", "n_measures", "share", "primary_share"]]


def indicator(themes: pd.DataFrame, measure_ids: list[str], categories: list[str], column: str = "theme_id",
              primary_only: bool = False) -> np.ndarray:
    """Measure × category 0/1 matrix (rows in `measure_ids` order) from (measure_id, category) rows."""
    rows = themes[themes["primary"].astype(bool)] if primary_only else themes
    pos = {m: i for i, m in enumerate(measure_ids)}
    col = {c: j for j, c in enumerate(categories)}
    y = np.zeros((len(measure_ids), len(categories)))
    for m, c in zip(rows["measure_id"], rows[column], strict=True):
        if m in pos and c in col:
            y[pos[m], col[c]] = 1.0
    return y


def share_tests(y: np.ndarray, categories: list[str], measures: pd.DataFrame, order: list[str],
                weights: np.ndarray | None = None, category: str = "theme_id",
                n_resamples: int = inference.N_RESAMPLES, intervals: bool = True,
                tested: Sequence[str] | None = None) -> pd.DataFrame:
    """Per source × category: share with its intervals, and the test of source against the rest.

    `y` is the measure × category indicator (rows as `measures`); the share is Σy·w / Σw (w = 1:
    share of measures; w = characters / 1,000: measures addressing it per 1,000 characters).
    Columns: n_measures, unit (what is resampled and shuffled: the heading), n_units, n_addressing,
    share, share_low/high (Wilson, only for shares of measures), boot_low/high (units resampled),
    rest_share, diff (share − rest), diff_low/high (units resampled within every source:
    `inference.source_differences`), p_value (whole headings reshuffled between sources, each
    source's number of headings kept, two-sided; NaN where the headings are too few for any
    shuffle to reach p < 0.05) and q_value (Benjamini–Hochberg over every cell of the table).
    Like with like: only the sources of `tested` (default: all) are compared, each against the
    others of `tested`; the rest are described (shares and intervals, `tested` False, no
    difference or test). `intervals=False` skips the bootstraps (the sensitivity analysis needs
    only the tests).
    """
    src = measures["source_id"].to_numpy()
    units = inference.units_of(measures)
    w = np.ones(len(src)) if weights is None else np.asarray(weights, dtype=float)
    compared = list(order) if tested is None else [s for s in order if s in set(tested)]
    # The tests and the differences read only the compared sources' measures.
    inside = np.isin(src, compared)
    t_src, t_units, t_w, t_y = src[inside], units[inside], w[inside], y[inside]
    codes = pd.Categorical(t_src, categories=compared).codes.astype(np.int64)
    wy_sums, w_sums = GroupSums(t_y * t_w[:, None]), GroupSums(t_w[:, None])

    def diffs(labels: np.ndarray) -> np.ndarray:
        """share(source) − share(rest) for every compared source × category, flattened source-major."""
        num, den = wy_sums(labels, len(compared)), w_sums(labels, len(compared))
        rest = (num.sum(axis=0) - num) / np.where(den.sum() - den > 0, den.sum() - den, np.nan)
        return (num / den - rest).ravel()

    # One set of shuffles tests every cell: each cell's p is a valid permutation p on its own. The
    # shuffled unit is the heading, the unit the intervals resample.
    testable = len(compared) > 1 and comparison_gap(t_src, t_units) is None
    test = inference.permutation(codes, diffs, n_resamples=n_resamples, units=t_units) if testable else None
    nan = np.full(len(categories), np.nan)
    # Every source's difference from the rest from one bootstrap, units resampled within each source.
    dlow, dhigh = (inference.source_differences(t_y, t_units, codes, len(compared), weights=t_w,
                                                n_resamples=n_resamples)
                   if intervals and len(compared) > 1 else (np.full((len(compared), len(categories)), np.nan),) * 2)
    rows = []
    for sid in order:
        g = src == sid
        i = compared.index(sid) if sid in compared else None
        rest_rows = inside & ~g  # the other compared sources' measures
        # Every category's interval from one bootstrap of this source's units (the same draws
        # each category would get on its own).
        boot = (inference.cluster_bootstrap(y[g], units[g], weights=w[g], n_resamples=n_resamples)
                if intervals else (nan, nan))
        for j, cat in enumerate(categories):
            col = y[:, j]
            share = float((col[g] * w[g]).sum() / w[g].sum())
            lo, hi = inference.wilson(int(col[g].sum()), int(g.sum())) if weights is None else (np.nan, np.nan)
            row = {"source_id": sid, category: cat, "n_measures": int(g.sum()), "unit": UNIT,
                   "n_units": len(set(units[g])),
                   "n_addressing": int(col[g].sum()), "share": share, "share_low": lo, "share_high": hi,
                   "boot_low": float(boot[0][j]), "boot_high": float(boot[1][j]), "tested": i is not None,
                   "rest_share": np.nan, "diff": np.nan, "diff_low": np.nan, "diff_high": np.nan, "p_value": np.nan}
            if i is not None and len(compared) > 1:
                rest = float((col[rest_rows] * w[rest_rows]).sum() / w[rest_rows].sum())
                row.update(rest_share=rest, diff=share - rest, diff_low=float(dlow[i, j]),
                           diff_high=float(dhigh[i, j]))
                if test is not None:
                    row["p_value"] = float(test.p_value[i * len(categories) + j]) if t_y[:, j].any() else 1.0
            rows.append(row)
    out = pd.DataFrame(rows)
    out["q_value"] = inference.bh(out["p_value"])
    return out


def mix_test(categories: np.ndarray, sources: np.ndarray, n_resamples: int = inference.N_RESAMPLES,
             units: np.ndarray | None = None) -> inference.Permutation:
    """Does the mix of categories (primary themes, has a commitment …) differ between sources?

    The χ² of the source × category table is only the yardstick: most cells expect fewer than
    five measures, so its p-value comes from reshuffling between sources, not from χ². With
    `units` whole units (headings) are reshuffled, so a source's number of measures, and with it
    the expected counts, change from shuffle to shuffle: each shuffle's χ² is computed from its
    own margins (equal to `scipy.stats.chi2_contingency`'s, which a test checks). Without units
    single measures are reshuffled.
    """
    src, n_src = pd.factorize(sources)[0], len(set(sources))
    cat, n_cat = pd.factorize(categories)[0], len(set(categories))
    col_total = np.bincount(cat, minlength=n_cat).astype(float)

    def stat(labels: np.ndarray) -> float:
        # Every expected count is positive: each category occurs, and each source keeps at least
        # one unit (or measure) in every shuffle.
        table = np.bincount(labels * n_cat + cat, minlength=n_src * n_cat).reshape(n_src, n_cat)
        expected = np.outer(table.sum(axis=1), col_total) / len(labels)
        return float(((table - expected) ** 2 / expected).sum())

    return inference.permutation(src, stat, n_resamples=n_resamples, alternative="greater", units=units)


def leaders(primary: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Each source's most frequent primary theme(s): ties kept as ties (`;`-joined, sorted).

    primary: measure_id, source_id, theme_id (one primary per measure). Columns: source_id,
    leaders, n_leader (measures with that primary), n_measures, tied (more than one leader).
    """
    rows = []
    for sid in order:
        counts = primary.loc[primary["source_id"] == sid, "theme_id"].value_counts()
        top = sorted(counts[counts == counts.max()].index) if len(counts) else []
        rows.append({"source_id": sid, "leaders": ";".join(top), "n_leader": int(counts.max()) if len(counts) else 0,
                     "n_measures": int(counts.sum()), "tied": len(top) > 1})
    return pd.DataFrame(rows, columns=LEADER_COLUMNS)
