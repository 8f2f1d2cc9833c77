"""Keyness: the terms distinctive of each source against the others (G², log ratio), with a test of
over-use that reshuffles whole headings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2

from ..base.order import sort_by_source
from ..text.dtm import Dtm
from . import inference
from .families import UNIT
from .inference import GroupSums

# The columns of keyness.csv, so a skipped comparison still writes its (empty) table.
KEYNESS_COLUMNS = ["source_id", "term", "n_source", "n_rest", "g2", "log_ratio", "unit", "n_units", "p_value",
                   "q_value"]
KEYNESS_MIN_FREQ = 5  # a term needs this many uses in a source to be tested as distinctive of it


def keyness(dtm: Dtm, order: list[str], min_freq: int = KEYNESS_MIN_FREQ,
            with_names: bool = False, units: pd.Series | None = None,
            n_resamples: int = inference.N_RESAMPLES) -> pd.DataFrame:
    """Distinctive terms of each source against all the others: log-likelihood G² and log ratio,
    with a test of over-use at the unit that varies.

    `dtm`: the document-term matrix of the measures compared. Names of people, places and
    organisations (its `is_name` terms, the `names` column of `tokens.csv`) are left out
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
        dtm = dtm.without_names()
    counts = dtm.by_source(order)
    a_all = counts.to_numpy(dtype=float)
    src, col = np.nonzero(a_all >= min_freq)  # row-major: sources in `order`, terms sorted
    g2, lr, a, b = _g2(a_all, src, col)
    out = pd.DataFrame({"source_id": np.asarray(order, dtype=object)[src], "term": counts.columns.to_numpy()[col],
                        "n_source": a.astype(int), "n_rest": b.astype(int), "g2": g2, "log_ratio": lr})
    out["unit"], out["n_units"], p = "token", 0, chi2.sf(g2, df=1)
    if units is not None and len(out):
        # Whole units are reshuffled: count terms per unit once, then a shuffle only relabels units.
        unit_of = pd.Series(dtm.measure_ids).map(units)
        if unit_of.isna().any():
            raise ValueError(f"no unit for measure {dtm.measure_ids[unit_of.isna().to_numpy()][0]!r}")
        unit_source, _ = inference.unit_labels(dtm.source_ids, unit_of.to_numpy())
        unit_ids = np.unique(unit_of.to_numpy())
        kept = np.unique(col)
        table = dtm.by(unit_of.to_numpy(), unit_ids).reindex(columns=counts.columns, fill_value=0)
        # The totals' column keeps every term's tokens in the source sizes n1, n2.
        grid = table.to_numpy(dtype=float)
        per_unit = np.column_stack([grid[:, kept], grid.sum(axis=1)])
        where = np.searchsorted(kept, col)
        sums = GroupSums(per_unit)
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
