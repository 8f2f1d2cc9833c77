"""What the formula tables add up to: pairs of documents in date order, formulas written against
formulas present in the text, and whether sharing formulas goes with naming the earlier place.

formula_summary.csv, one row, from formulas.csv, formula_pairs.csv and documents.csv (`text.formulas`
finds the formulas and the pairs).
"""

from __future__ import annotations

import pandas as pd

from ..base.chinese import normal
from ..base.order import source_order
from ..text.formulas import date_span, earlier

SUMMARY_COLUMNS = ["n_documents", "n_ordered_pairs", "n_written_shared", "n_mentioned_shared", "n_pairs_naming",
                   "n_pairs_sharing", "n_pairs_both", "fisher_p", "fisher_p_min"]
MAX_MENTION_DOCUMENTS = 50  # above this, searching every written formula in every whole text is left out
DIGITS = 6  # significant digits of the p values


def ordered_pairs(documents: pd.DataFrame) -> int:
    """Pairs (a, b) of documents where a's date span ends before b's begins."""
    spans = [date_span(d) for d in documents["date"]]
    return sum(earlier(a, b) for a in spans for b in spans)


def fisher(table: list[list[int]]) -> float:
    """Fisher's exact test, two-sided, of a 2 × 2 table."""
    from scipy.stats import fisher_exact

    return float(fisher_exact(table).pvalue)


def least_fisher(n: int, row: int, col: int) -> float:
    """The smallest two-sided Fisher p that any 2 × 2 table of `n` with these margins (first row
    `row`, first column `col`) can give: how small a p these counts could ever show."""
    return min(fisher([[k, row - k], [col - k, n - row - col + k]])
               for k in range(max(0, row + col - n), min(row, col) + 1))


def formula_summary(formulas: pd.DataFrame, pairs: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """formula_summary.csv: documents; ordered pairs (a document and an earlier one); quoted or
    numbered formulas written by two or more documents, and of those how many appear (normal form)
    in the whole text of two or more (empty above `MAX_MENTION_DOCUMENTS` documents or without a
    formula); pairs naming the earlier place (`names_place`), sharing a formula or passage, and
    both; Fisher's exact p of that 2 × 2 table over all ordered pairs and the least p its margins
    allow (empty without an ordered pair)."""
    docs = documents.set_index("source_id").loc[source_order(documents)]
    n_ordered = ordered_pairs(docs)
    written = formulas[formulas["kind"] != "passage"]
    row: dict[str, object] = {"n_documents": len(docs), "n_ordered_pairs": n_ordered,
                              "n_written_shared": int((written["n_documents"] >= 2).sum())}
    if len(formulas) and len(docs) <= MAX_MENTION_DOCUMENTS:
        whole = [normal(t) for t in docs["text"]]
        row["n_mentioned_shared"] = sum(sum(f in t for t in whole) >= 2 for f in written["normal"])
    if n_ordered:
        sharing = (pairs["n_formulas"] + pairs["n_passages"] > 0).to_numpy()
        naming = pairs["names_place"].astype(bool).to_numpy()
        n_share, n_name, both = int(sharing.sum()), int(naming.sum()), int((sharing & naming).sum())
        table = [[both, n_name - both], [n_share - both, n_ordered - n_name - n_share + both]]
        row |= {"n_pairs_naming": n_name, "n_pairs_sharing": n_share, "n_pairs_both": both,
                "fisher_p": float(f"{fisher(table):.{DIGITS}g}"),
                "fisher_p_min": float(f"{least_fisher(n_ordered, n_name, n_share):.{DIGITS}g}")}
    return pd.DataFrame([row], columns=SUMMARY_COLUMNS).astype(
        {c: "Int64" for c in SUMMARY_COLUMNS if c.startswith("n_")})
