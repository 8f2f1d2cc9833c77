"""Article alignment: which articles of two regulations share text, where, and how closely (#25, links.csv).

Texts are compared in the normal form of `base.chinese.normal` (NFKC, Simplified, letters and
digits only), after the article's own `第X条` heading is dropped; every offset and length here is
in that form. Two steps:

1. **Candidates** (`candidate_pairs`): each text's distinct n-character shingles
   (`text.formulas.shingle_hashes`) go into a sparse text × shingle matrix; its product with its
   transpose counts the shingles every pair shares. A shingle held by more than `max_df` texts
   is boilerplate and dropped first, so the product costs at most `max_df` times the number of
   shingles: time grows with the text, not with the pairs of articles. Pairs of one group (one
   document) are never candidates.
2. **Alignment** (`align`): Smith–Waterman local alignment of each candidate pair (Biopython's
   `PairwiseAligner(mode="local")`, scores from `alignment_params.csv`), giving the best local
   score, the aligned spans, the identical characters and the alignment's length.

`relation` reads a pair as verbatim (nearly identical and covering both articles), adapted
(score / shorter length ≥ `adapted_min`) or none; `links_table` does all of it for a corpus's
articles and writes links.csv's rows, oriented from the earlier document to the later one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

import numpy as np
import pandas as pd
from scipy import sparse

from ..base.chinese import normal
from ..base.workers import map_ordered
from ..io.hierarchy import Hierarchy
from ..rules.alignment import Params
from .formulas import shingle_hashes

LINK_COLUMNS = ["link_id", "source_a", "article_a", "source_b", "article_b", "part_a", "part_b", "scope", "n_shared",
                "score", "score_norm", "identity", "coverage_a", "coverage_b", "a_start", "a_end", "b_start", "b_end",
                "span_a", "span_b", "relation", "best_b_in_a"]
RELATIONS = ("verbatim", "adapted", "none")
SCOPES = ("version", "national", "parent", "peer")
# The article's own number opens its text in the raw file (第十二条 …): not part of what it says.
_HEADING = re.compile(r"^\s*第[零〇一二两三四五六七八九十百千万0-9]+条(之[一二三四五六七八九十]+)?")
MIN_PARALLEL_PAIRS = 2000  # fewer pairs align faster than worker processes start


@dataclass(frozen=True)
class Alignment:
    """The best local alignment of two normal texts of lengths a_len and b_len: its score, the spans
    a[a_start:a_end] and b[b_start:b_end] it covers, the identical characters in it (`matches`) and
    its length in columns (aligned pairs of characters plus gap characters)."""

    score: float
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matches: int
    length: int
    a_len: int
    b_len: int

    @property
    def score_norm(self) -> float:
        """Score per character of the shorter text: 1 for a verbatim copy when a match scores 1."""
        return self.score / min(self.a_len, self.b_len) if self.a_len and self.b_len else 0.0

    @property
    def coverage_a(self) -> float:
        """The share of a's characters matched identically in the alignment."""
        return self.matches / self.a_len if self.a_len else 0.0

    @property
    def coverage_b(self) -> float:
        """The share of b's characters matched identically in the alignment."""
        return self.matches / self.b_len if self.b_len else 0.0

    @property
    def identity(self) -> float:
        """The share of the shorter text's characters matched identically (the larger coverage):
        1 when one text holds the other whole, gaps in the longer one aside."""
        return max(self.coverage_a, self.coverage_b)




def article_text(text: str) -> str:
    """An article's text in normal form, without its leading 第X条 heading."""
    return normal(_HEADING.sub("", text, count=1))


def candidate_pairs(texts: Sequence[str], groups: Sequence[str], n: int, min_shared: int,
                    max_df: int) -> np.ndarray:
    """The pairs of texts sharing at least `min_shared` distinct n-character shingles, as rows
    (i, j, shared) with i < j and groups[i] ≠ groups[j], sorted by i then j. A shingle found in
    more than `max_df` texts is ignored."""
    rows, cols = [], []
    for i, t in enumerate(texts):
        h = np.unique(shingle_hashes(t, n))
        rows.append(np.full(len(h), i, dtype=np.int64))
        cols.append(h)
    if not texts or sum(map(len, cols)) == 0:
        return np.zeros((0, 3), dtype=np.int64)
    doc, hashes = np.concatenate(rows), np.concatenate(cols)
    uniq, shingle, df = np.unique(hashes, return_inverse=True, return_counts=True)
    keep = (df[shingle] >= 2) & (df[shingle] <= max_df)
    x = sparse.csr_matrix((np.ones(int(keep.sum()), dtype=np.int32), (doc[keep], shingle[keep])),
                          shape=(len(texts), len(uniq)))
    shared = sparse.triu(x @ x.T, k=1).tocoo()
    codes = pd.factorize(pd.Series(list(groups), dtype=object))[0]
    ok = (shared.data >= min_shared) & (codes[shared.row] != codes[shared.col])
    out = np.column_stack([shared.row[ok], shared.col[ok], shared.data[ok]]).astype(np.int64)
    return out[np.lexsort((out[:, 1], out[:, 0]))]


@lru_cache(maxsize=8)
def _aligner(params: Params):  # a Bio.Align.PairwiseAligner, built once per process and parameters
    from Bio.Align import PairwiseAligner

    return PairwiseAligner(mode="local", match_score=params.match, mismatch_score=params.mismatch,
                           open_gap_score=params.gap_open, extend_gap_score=params.gap_extend)


def align(a: str, b: str, params: Params) -> Alignment:
    """The best Smith–Waterman local alignment of two normal texts (Biopython's first optimal one)."""
    if not a or not b:
        return Alignment(0.0, 0, 0, 0, 0, 0, 0, len(a), len(b))
    found = _aligner(params).align(a, b)  # the score is known at once; the paths are traced on demand
    score = float(found.score)
    if score <= 0:
        return Alignment(0.0, 0, 0, 0, 0, 0, 0, len(a), len(b))
    ablocks, bblocks = found[0].aligned.tolist()  # the gapless blocks' [start, end) in a, in b
    a0, a1, b0, b1 = ablocks[0][0], ablocks[-1][1], bblocks[0][0], bblocks[-1][1]
    matches = sum(x == y for (s, e), (t, u) in zip(ablocks, bblocks, strict=True)
                  for x, y in zip(a[s:e], b[t:u], strict=True))
    paired = sum(e - s for s, e in ablocks)
    return Alignment(score, a0, a1, b0, b1, matches, (a1 - a0) + (b1 - b0) - paired, len(a), len(b))


def _align_pair(pair: tuple[str, str], params: Params) -> Alignment:
    return align(pair[0], pair[1], params)


def align_pairs(texts: Sequence[str], pairs: np.ndarray, params: Params, jobs: int | None = 1) -> list[Alignment]:
    """The alignment of every pair (rows i, j, … of `pairs`) of `texts`, in the order given. On
    `jobs` worker processes, in contiguous chunks, when there are enough pairs to pay for them; the
    result does not depend on `jobs`."""
    items = [(texts[int(i)], texts[int(j)]) for i, j in pairs[:, :2]]
    return map_ordered(partial(_align_pair, params=params), items, jobs, min_items=MIN_PARALLEL_PAIRS)


def relation(al: Alignment, params: Params) -> str:
    """verbatim when the alignment matches `verbatim_identity` of the shorter text's characters
    identically and `verbatim_coverage` of each text's (so the longer one adds little); else
    adapted when score / shorter length reaches `adapted_min`; else none."""
    if al.score <= 0:
        return "none"
    if al.identity >= params.verbatim_identity and min(al.coverage_a, al.coverage_b) >= params.verbatim_coverage:
        return "verbatim"
    return "adapted" if al.score_norm >= params.adapted_min else "none"


def scope(a: str, b: str, parent: Mapping[str, str], version_of: Mapping[str, str], root: Mapping[str, str]) -> str:
    """How two documents stand in the hierarchy, either way round (a city may predate its
    province): version (one revises the other), national (one is the top of the other's chain of
    parents), parent (one implements the other), else peer."""
    if version_of.get(b) == a or version_of.get(a) == b:
        return "version"
    if (root.get(b, b) == a and a != b) or (root.get(a, a) == b and a != b):
        return "national"
    if parent.get(b) == a or parent.get(a) == b:
        return "parent"
    return "peer"


def _id_order(ids: pd.Series) -> pd.Series:
    """Ids with their numbers compared as numbers (…:a9 < …:a10), as `base.order.id_key` does."""
    return ids.map(lambda v: re.sub("[0-9]+", lambda m: m.group().zfill(12), str(v)))


def links_table(articles: pd.DataFrame, hierarchy: Hierarchy, params: Params, jobs: int | None = 1,
                dates: Mapping[str, str] | None = None) -> pd.DataFrame:
    """links.csv: every candidate pair of articles of two different documents, aligned.

    `articles` has columns article_id, source_id, part, text; `hierarchy` is an
    `io.hierarchy.Hierarchy` (parents, revisions and, unless `dates` is given, the documents'
    dates). `a` is the article of the earlier document (by date, then source_id), `b` the later
    one's. Offsets and spans are in the normal form of `article_text`; score_norm is score /
    the shorter text's length; best_b_in_a marks, for each article b and document a, its link of
    highest score_norm (ties: the first article of a). Rows in the order of a's document, a's
    article, then b's; the input's row order does not matter.
    """
    when = dict(hierarchy.date) if dates is None else dict(dates)
    arts = articles.assign(_date=articles["source_id"].map(lambda s: when.get(s, "")),
                           _key=_id_order(articles["article_id"]))
    arts = arts.sort_values(["_date", "source_id", "_key"], kind="stable").reset_index(drop=True)
    texts = [article_text(t) for t in arts["text"]]
    pairs = candidate_pairs(texts, list(arts["source_id"]), params.shingle_chars, params.min_shared_shingles,
                            params.max_shingle_df)
    found = align_pairs(texts, pairs, params, jobs)
    if not found:
        return pd.DataFrame(columns=LINK_COLUMNS)
    ia, ib = pairs[:, 0], pairs[:, 1]
    roots = {s: hierarchy.root(s) for s in arts["source_id"].unique()}
    out = pd.DataFrame({
        "source_a": arts["source_id"].to_numpy()[ia], "article_a": arts["article_id"].to_numpy()[ia],
        "source_b": arts["source_id"].to_numpy()[ib], "article_b": arts["article_id"].to_numpy()[ib],
        "part_a": arts["part"].to_numpy()[ia], "part_b": arts["part"].to_numpy()[ib], "n_shared": pairs[:, 2],
        **{c: [getattr(al, c) for al in found] for c in ("score", "score_norm", "identity", "coverage_a",
                                                         "coverage_b", "a_start", "a_end", "b_start", "b_end")},
        "span_a": [texts[i][al.a_start:al.a_end] for i, al in zip(ia, found, strict=True)],
        "span_b": [texts[j][al.b_start:al.b_end] for j, al in zip(ib, found, strict=True)],
        "relation": [relation(al, params) for al in found]})
    out.insert(0, "link_id", out["article_a"] + "~" + out["article_b"])
    out["scope"] = [scope(a, b, hierarchy.parent, hierarchy.version_of, roots)
                    for a, b in zip(out["source_a"], out["source_b"], strict=True)]
    # rows are in a's order, so a stable sort keeps a's first article first among equal scores
    best = out.sort_values("score_norm", ascending=False, kind="stable")
    out["best_b_in_a"] = out.index.isin(best.drop_duplicates(["article_b", "source_a"]).index)
    return out[LINK_COLUMNS]
