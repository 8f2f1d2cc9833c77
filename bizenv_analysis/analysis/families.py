"""Like with like: the families of genres whose sources are tested against each other, and when a
corpus has enough sources and units for a test between them at all."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import inference

# Comparisons between sources need at least this many distinct splits of the measures among the
# sources. With S splits the smallest permutation p is 1/S one-sided and 2/S two-sided, and a
# finding needs p < 0.05: 41 splits let a two-sided test reach 2/41 = 0.049 (20 would let a
# one-sided test reach only 0.05 itself, and a two-sided one 0.1).
MIN_SPLITS = 41
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


SCOPE_COLUMNS = ["source_id", "family", "tested", "n_measures", "n_units", "gap"]


def comparison_scope(measures: pd.DataFrame, documents: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """comparison_scope.csv: each source of `order` with its compared measures and units (headings),
    whether it is tested (`tested_sources`), and on every row the family tested (its key, "" when
    every genre is) and why the tested sources cannot be compared (`comparison_gap`; "" when they can)."""
    family, tested = tested_sources(measures, documents, order)
    inside = measures[measures["source_id"].isin(tested)]
    gap = comparison_gap(inside["source_id"], inference.units_of(inside)) or ""
    units = pd.Series(inference.units_of(measures), index=measures.index)
    rows = [{"source_id": s, "family": family, "tested": s in tested,
             "n_measures": int((measures["source_id"] == s).sum()),
             "n_units": int(units[measures["source_id"] == s].nunique()), "gap": gap} for s in order]
    return pd.DataFrame(rows, columns=SCOPE_COLUMNS)
