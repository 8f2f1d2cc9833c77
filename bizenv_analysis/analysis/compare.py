"""Stage 7 — comparisons across sources: theme profiles, keyness, similarity, change over time."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.sparse import coo_matrix, spmatrix
from scipy.spatial.distance import squareform
from scipy.stats import chi2
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from ..base.constants import RESERVED_ID
from ..base.order import sort_by_source
from ..text.tokens import term_occurrences, without_names
from . import inference

# Comparisons between sources need at least this many distinct splits of the measures among the
# sources. With S splits the smallest permutation p is 1/S one-sided and 2/S two-sided, and a
# finding needs p < 0.05: 41 splits let a two-sided test reach 2/41 = 0.049 (20 would let a
# one-sided test reach only 0.05 itself, and a two-sided one 0.1).
MIN_SPLITS = 41
MIN_YEARS = 2  # change over time needs documents from at least two years
# The columns of the comparison tables, so a skipped comparison still writes its (empty) table.
COLUMNS = {
    "keyness.csv": ["source_id", "term", "n_source", "n_rest", "g2", "log_ratio", "unit", "n_units", "p_value",
                    "q_value"],
    "similarity.csv": ["basis", "source_a", "source_b", "similarity"],
    "similarity_tests.csv": ["basis", "source_a", "source_b", "n_a", "n_b", "unit", "n_units_a", "n_units_b",
                             "observed", "null_mean", "null_low", "null_high", "p_value", "q_value"],
    "group_trend.csv": ["group_id", "year", "source_id", "n_measures", "share", "primary_share"],
}


DENSE_CELLS = 4_000_000  # groups × features up to which group sums are a dense array
MAX_PAIR_SOURCES = 30  # similarity is tested pair by pair up to this many sources (435 pairs)
UNIT = "heading"  # the unit the comparisons between sources resample and shuffle (`inference.units_of`)
# Like with like: genres that report what was done rather than set out what will be done. Sources
# are tested against each other within one family of genres (`compared_family`); the others are
# described beside them.
REPORT_GENRES = ("news_report", "case_collection")
POLICY, REPORT = "policy", "report"
FAMILY_NAMES = {POLICY: ("policy documents", "政策文件"), REPORT: ("reports and case collections", "报道和案例集")}


class CompareWarning(UserWarning):
    """A comparison was skipped because the corpus is too small for it."""


def family_of(documents: pd.DataFrame) -> pd.Series:
    """Each source's family of genres (source_id → "policy" or "report")."""
    genre = documents.set_index("source_id")["doc_type"].fillna("").astype(str)
    return genre.isin(REPORT_GENRES).map({True: REPORT, False: POLICY})


def compared_family(measures: pd.DataFrame, documents: pd.DataFrame) -> str:
    """The family whose sources are tested against each other: the policy documents when two or
    more of them have measures, else the reports, else "" (every genre pooled: too few of either)."""
    fam = measures["source_id"].map(family_of(documents))
    for f in (POLICY, REPORT):
        if measures.loc[fam == f, "source_id"].nunique() >= 2:
            return f
    return ""


def tested_sources(measures: pd.DataFrame, documents: pd.DataFrame, order: list[str]) -> tuple[str, list[str]]:
    """The compared family and its sources in `order` (every source of `order` when it is "")."""
    family = compared_family(measures, documents)
    if not family:
        return family, list(order)
    fam = family_of(documents)
    return family, [s for s in order if fam.get(s, POLICY) == family]


def comparison_gap(source_ids: Sequence[str], units: Sequence[str] | None = None) -> str | None:
    """Why the sources cannot be compared (one source, too few units), or None if they can.

    The rule: at least two sources, and at least `MIN_SPLITS` distinct ways to split the units
    (headings, or measures when `units` is None) among them, each source keeping its number of
    units (n! / (n_1! ⋯ n_k!)). With S splits the smallest permutation p is 1/S one-sided and 2/S
    two-sided, so with at least 41 a two-sided test can reach p < 0.05.
    """
    ids = np.asarray(list(source_ids), dtype=object)
    counts = pd.Series(ids, dtype=object).value_counts()
    if len(counts) < 2:
        return f"{len(counts)} source: comparisons between sources need at least 2"
    what = "measures" if units is None else "headings (the unit that is shuffled)"
    per = ids if units is None else inference.unit_labels(ids, np.asarray(list(units), dtype=object))[0]
    if inference.too_few_units(per):  # the rule every test applies: fewer than MIN_SPLITS splits
        return (f"{len(per)} {what} in {len(counts)} sources can be split among them in only "
                f"{round(inference.unit_splits(per))} ways, too few for a two-sided permutation test to reach "
                f"p < 0.05 (needs {MIN_SPLITS})")
    return None


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
    return _shares(indicator(themes, ids, cats), indicator(themes, ids, cats, primary_only=True), cats,
                   measures, order, "theme_id", n_resamples, tested).merge(
        codebook[["theme_id", "group_id"]], on="theme_id").pipe(_first, ["source_id", "theme_id", "group_id"])


def _first(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return df[cols + [c for c in df.columns if c not in cols]]


def _shares(y: np.ndarray, y_primary: np.ndarray, cats: list[str], measures: pd.DataFrame, order: list[str],
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


def group_shares(themes: pd.DataFrame, measures: pd.DataFrame, codebook: pd.DataFrame,
                 order: list[str], n_resamples: int = 0, tested: Sequence[str] | None = None) -> pd.DataFrame:
    """Per source × group of the codebook (seven in the bundled one): share of measures addressing
    any theme of the group.

    Same columns as `theme_shares` without theme_id; a measure counts once per group.
    """
    groups = list(dict.fromkeys(codebook["group_id"]))
    t = themes.merge(codebook[["theme_id", "group_id"]], on="theme_id")
    ids = list(measures["measure_id"])
    return _shares(indicator(t, ids, groups, "group_id"), indicator(t, ids, groups, "group_id", primary_only=True),
                   groups, measures, order, "group_id", n_resamples, tested)


KEYNESS_MIN_FREQ = 5  # a term needs this many uses in a source to be tested as distinctive of it


def keyness(tokens: pd.DataFrame, order: list[str], min_freq: int = KEYNESS_MIN_FREQ,
            with_names: bool = False, units: pd.Series | None = None,
            n_resamples: int = inference.N_RESAMPLES) -> pd.DataFrame:
    """Distinctive terms of each source against all the others: log-likelihood G² and log ratio,
    with a test of over-use at the unit that varies.

    Names of people, places and organisations (the `names` column of `tokens.csv`) are left out
    unless `with_names`: a source's own place name is distinctive of it by construction. They are
    left out of the counts too, so the rest of the corpus is its terms without names.

    G² (Dunning 1993, as in Rayson & Garside 2000) measures how far a term's relative frequency in
    the source is from the rest's; log ratio (Hardie 2014) is the effect size, log2 of the ratio of
    relative frequencies with 0.5 added to zero counts. Only terms used at least `min_freq` times
    in the source are kept. The textbook χ² p-value of G² treats every token as an independent
    draw, and a term repeated down one chapter is not that; so with `units` (measure_id → unit,
    `inference.units_of`) p is a block permutation test: whole headings are reshuffled between the
    sources, each keeping its number of headings, and p is the share of shuffles in which the
    term's signed G² (negative where the source uses it less than the rest) is at least the
    observed one: one-sided, over-use; where the units are too few for any shuffle to reach
    p < 0.05, p is NaN. Without `units` p is the χ² (1 df) p-value and `unit` says "token". q is p
    adjusted by Benjamini–Hochberg over every row of the table (the many terms × sources tested).
    """
    if not with_names:
        tokens = without_names(tokens)
    occ = term_occurrences(tokens)
    counts = occ.groupby(["source_id", "term"]).size().unstack(fill_value=0).reindex(order, fill_value=0)
    a_all = counts.to_numpy(dtype=float)
    src, col = np.nonzero(a_all >= min_freq)  # row-major: sources in `order`, terms sorted
    g2, lr, a, b = _g2(a_all, src, col)
    out = pd.DataFrame({"source_id": np.asarray(order, dtype=object)[src], "term": counts.columns.to_numpy()[col],
                        "n_source": a.astype(int), "n_rest": b.astype(int), "g2": g2, "log_ratio": lr})
    out["unit"], out["n_units"], p = "token", 0, chi2.sf(g2, df=1)
    if units is not None and len(out):
        # Whole units are reshuffled: count terms per unit once, then a shuffle only relabels units.
        per_measure = tokens[["measure_id", "source_id"]].drop_duplicates("measure_id")
        unit_of = per_measure["measure_id"].map(units)
        if unit_of.isna().any():
            raise ValueError(f"no unit for measure {per_measure['measure_id'][unit_of.isna()].iloc[0]!r}")
        unit_source, _ = inference.unit_labels(per_measure["source_id"].to_numpy(), unit_of.to_numpy())
        unit_ids = np.unique(unit_of.to_numpy())
        kept = np.unique(col)
        table = (occ.assign(unit=occ["measure_id"].map(units)).groupby(["unit", "term"]).size()
                 .unstack(fill_value=0).reindex(index=unit_ids, columns=counts.columns, fill_value=0))
        # The totals' column keeps every term's tokens in the source sizes n1, n2.
        grid = table.to_numpy(dtype=float)
        per_unit = np.column_stack([grid[:, kept], grid.sum(axis=1)])
        where = np.searchsorted(kept, col)
        sums = _GroupSums(per_unit)
        codes = pd.Categorical(unit_source, categories=order).codes.astype(np.int64)
        n_units = pd.Series(unit_source).value_counts()
        out["unit"], out["n_units"] = UNIT, out["source_id"].map(n_units).astype(int)

        def signed(labels: np.ndarray) -> np.ndarray:
            grid = sums(labels, len(order))
            g, ratio, *_ = _g2(grid[:, :-1], src, where, totals=grid[:, -1])
            return np.sign(ratio) * g

        if inference.too_few_units(unit_source, alternative="greater"):
            p = np.full(len(out), np.nan)
        else:
            p = np.atleast_1d(inference.permutation(codes, signed, n_resamples, alternative="greater").p_value)
    out["p_value"] = p
    out["q_value"] = inference.bh(out["p_value"])  # every source × term test of the table
    out["q_value"] = out["q_value"].map(lambda q: float(f"{q:.3g}") if pd.notna(q) else q)
    out["g2"] = out["g2"].round(3)
    out["log_ratio"] = out["log_ratio"].round(3)
    out["p_value"] = out["p_value"].map(lambda p: float(f"{p:.3g}") if pd.notna(p) else p)
    return sort_by_source(out, order, ["source_id", "g2", "term"], ascending=[True, False, True])


def _g2(counts: np.ndarray, src: np.ndarray, col: np.ndarray, totals: np.ndarray | None = None
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """G², log ratio and the counts in the source (a) and the rest (b) of the cells (src, col) of a
    sources × terms table; `totals` are the sources' numbers of tokens (default: the row sums)."""
    n1_all = counts.sum(axis=1) if totals is None else np.asarray(totals, dtype=float)
    # The rest of the corpus = everything minus the source, for all sources at once.
    a, b = counts[src, col], counts[:, col].sum(axis=0) - counts[src, col]
    n1, n2 = n1_all[src], n1_all.sum() - n1_all[src]
    with np.errstate(divide="ignore", invalid="ignore"):
        e1 = n1 * (a + b) / (n1 + n2)
        e2 = n2 * (a + b) / (n1 + n2)
        g2 = 2 * (np.where(a > 0, a * np.log(a / e1), 0) + np.where(b > 0, b * np.log(b / e2), 0))
        lr = np.log2((np.where(a > 0, a, 0.5) / n1) / (np.where(b > 0, b, 0.5) / n2))
    return g2, lr, a, b


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


def similarity_order(similarity: pd.DataFrame, basis: str, order: list[str]) -> list[str]:
    """Sources reordered by average-linkage hierarchical clustering (for a clustered heatmap)."""
    grid = similarity[similarity["basis"] == basis].pivot(index="source_a", columns="source_b",
                                                          values="similarity").reindex(index=order, columns=order)
    dist = squareform(np.clip(1 - grid.to_numpy(), 0, None), checks=False)
    leaves = leaves_list(linkage(dist, method="average", optimal_ordering=True))
    return [order[i] for i in leaves]


def shares_by_year(group: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Group shares with each source's document year (one document per year in this corpus);
    undated documents (no year) are left out."""
    years = documents.set_index("source_id")["year"]
    out = group.assign(year=group["source_id"].map(years)).dropna(subset=["year"])
    return out.sort_values(["group_id", "year", "source_id"], ignore_index=True)[
        ["group_id", "year", "source_id", "n_measures", "share", "primary_share"]]


# --- comparisons with their uncertainty -------------------------------------------------------------

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
    wy_sums, w_sums = _GroupSums(t_y * t_w[:, None]), _GroupSums(t_w[:, None])

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


def round_stats(df: pd.DataFrame, digits: int = 4) -> pd.DataFrame:
    """Float columns rounded (stable CSVs); p and q values to three significant digits."""
    out = df.copy()
    for c in out.columns:
        if c in ("p_value", "q_value"):
            out[c] = out[c].map(lambda p: float(f"{p:.3g}") if pd.notna(p) else p)
        elif out[c].dtype.kind == "f":
            out[c] = out[c].round(digits)
    return out


class _GroupSums:
    """Sums of a measure × feature matrix's rows by group, for many labellings of the measures.

    The matrix's entries are read once; each labelling then costs one `np.bincount` over the
    stored entries (O(entries), whatever the number of groups), where a one-hot product would cost
    entries × groups and a sparse one-hot per labelling pays scipy's set-up each time.
    """

    def __init__(self, matrix: np.ndarray | spmatrix) -> None:
        coo = coo_matrix(matrix)
        self.rows, self.cols, self.vals = coo.row, coo.col, coo.data
        self.n_features = matrix.shape[1]

    def __call__(self, codes: np.ndarray, n_groups: int) -> np.ndarray:
        """groups × features: the sum of the rows of each group code 0..n_groups-1."""
        flat = np.asarray(codes, dtype=np.int64)[self.rows] * self.n_features + self.cols
        return np.bincount(flat, weights=self.vals, minlength=n_groups * self.n_features).reshape(
            n_groups, self.n_features)

    def mean_pair_cosine(self, codes: np.ndarray, n_groups: int) -> float:
        """Mean cosine over all pairs of groups' mean rows, in O(entries): no groups × features
        or groups × groups array.

        A group's unit profile is its row sum over that sum's length (the group size cancels), and
        the mean over pairs i < j of u_i·u_j is (|Σu|² − Σ|u|²) / (S(S − 1)), Σ|u|² being the
        number of non-zero profiles.
        """
        if n_groups * self.n_features <= DENSE_CELLS:  # small enough: one bincount beats scipy's set-up
            unit = _unit_rows(self(codes, n_groups))
            total, nonzero = unit.sum(axis=0), int((np.abs(unit).sum(axis=1) > 0).sum())
        else:
            sums = coo_matrix((self.vals, (np.asarray(codes, dtype=np.int64)[self.rows], self.cols)),
                              shape=(n_groups, self.n_features)).tocsr()  # duplicates summed
            norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
            inverse = np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 0)
            total, nonzero = np.asarray(sums.multiply(inverse[:, None]).sum(axis=0)).ravel(), int((norms > 0).sum())
        return float((total @ total - nonzero) / (n_groups * (n_groups - 1)))


def _profiles(matrix: np.ndarray | spmatrix | _GroupSums, codes: np.ndarray, n_groups: int) -> np.ndarray:
    """Mean row of `matrix` per group code 0..n_groups-1 (dense groups × features)."""
    sums = (matrix if isinstance(matrix, _GroupSums) else _GroupSums(matrix))(codes, n_groups)
    return sums / np.bincount(np.asarray(codes, dtype=np.int64), minlength=n_groups)[:, None]


def _cosines(profiles: np.ndarray) -> np.ndarray:
    """Cosine similarity of every pair of rows (a zero row is similar to nothing)."""
    unit = _unit_rows(profiles)
    return unit @ unit.T


def _unit_rows(profiles: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero)."""
    norms = np.linalg.norm(profiles, axis=1, keepdims=True)
    return np.divide(profiles, norms, out=np.zeros_like(profiles), where=norms > 0)


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
        sums = _GroupSums(matrix)

        def stat(labels: np.ndarray, sums: _GroupSums = sums) -> np.ndarray:
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
    return round_stats(pd.DataFrame(rows, columns=COLUMNS["similarity_tests.csv"]))


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
    return pd.DataFrame(rows)
