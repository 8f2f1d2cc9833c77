"""The one document-term matrix: tokens.csv's terms counted once, measures × terms.

Every statistic of the vocabulary reads it: the TF-IDF that clusters the measures and compares the
sources (`Dtm.tfidf`), the co-word network (`document_frequency`, `cooccurrence`) and keyness
(`by_source`). The names of people, places and organisations (tokens.csv's `names` column) are
columns like any other term, marked in `is_name`; `without_names` drops them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfTransformer

from .tokens import token_lists


@dataclass(frozen=True)
class Dtm:
    """Term counts of the measures (`counts`, int64, one row per measure in tokens.csv's order,
    one column per term of `terms`, sorted), with each row's `measure_ids` and `source_ids` and
    whether each term is a name (`is_name`).

    `first_use` has the sparsity of `counts`: where in its measure a term is first used (1 = the
    measure's first token). The TF-IDF needs it: scikit-learn stores a row's entries in the order
    the corpus first used their terms, and sums the squares of the row norm in that order, so the
    same order gives the same floats.
    """

    counts: csr_matrix
    terms: np.ndarray
    measure_ids: np.ndarray
    source_ids: np.ndarray
    is_name: np.ndarray
    first_use: csr_matrix

    @classmethod
    def from_lists(cls, lists: Sequence[Sequence[str]], measure_ids: Sequence | None = None,
                   source_ids: Sequence | None = None, names: Sequence[Sequence[str]] | None = None) -> Dtm:
        """The matrix of measures given as lists of terms (empty strings are no terms). Without
        `measure_ids` the measures are numbered 0, 1, …; without `source_ids` each has source "";
        `names`: each measure's names (a name of one measure must be one wherever it is used)."""
        n = len(lists)
        terms = np.array(sorted({t for terms in lists for t in terms if t}), dtype=object)
        column = {t: j for j, t in enumerate(terms)}
        indptr, indices, counts, first = [0], [], [], []
        for measure in lists:
            seen: dict[int, list[int]] = {}  # column → [count, position of first use]
            for pos, t in enumerate(measure, start=1):
                if t:
                    cell = seen.setdefault(column[t], [0, pos])
                    cell[0] += 1
            cols = sorted(seen)
            indices += cols
            counts += [seen[j][0] for j in cols]
            first += [seen[j][1] for j in cols]
            indptr.append(len(indices))
        shape = (n, len(terms))
        index = (np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64))
        named = set().union(*(set(m) for m in names)) if names is not None else set()
        is_name = np.array([t in named for t in terms], dtype=bool)
        dtm = cls(counts=csr_matrix((np.asarray(counts, dtype=np.int64), *index), shape=shape),
                  terms=terms,
                  measure_ids=np.asarray(range(n) if measure_ids is None else measure_ids, dtype=object),
                  source_ids=np.asarray([""] * n if source_ids is None else source_ids, dtype=object),
                  is_name=is_name,
                  first_use=csr_matrix((np.asarray(first, dtype=np.int64), *index), shape=shape))
        if names is not None:
            _check_names(dtm, names)
        return dtm

    @classmethod
    def from_tokens(cls, tokens: pd.DataFrame) -> Dtm:
        """The matrix of tokens.csv's rows: its `tokens` (terms joined by spaces), `source_id`,
        `measure_id` (optional: rows numbered 0, 1, … without it) and `names` (optional: no term is
        a name without it). Raises ValueError where a term is a name in one measure and not in
        another that uses it (tokens_table never writes that: a name is one everywhere)."""
        names = [n.split() for n in tokens["names"].fillna("")] if "names" in tokens else None
        return cls.from_lists(token_lists(tokens),
                              tokens["measure_id"].to_numpy() if "measure_id" in tokens else None,
                              tokens["source_id"].to_numpy(), names)

    @property
    def n_measures(self) -> int:
        return self.counts.shape[0]

    def _select(self, rows: np.ndarray | slice = slice(None), columns: np.ndarray | slice = slice(None)) -> Dtm:
        """The measures `rows` and terms `columns` of this matrix."""
        return Dtm(counts=self.counts[rows][:, columns], terms=self.terms[columns],
                   measure_ids=self.measure_ids[rows], source_ids=self.source_ids[rows],
                   is_name=self.is_name[columns], first_use=self.first_use[rows][:, columns])

    def rows(self, which: np.ndarray | Sequence) -> Dtm:
        """The measures `which` (a boolean mask or positions), every term kept (some may be unused)."""
        return self._select(rows=np.asarray(which))

    def without_names(self) -> Dtm:
        """The matrix without the terms that are names (what keyness, the similarity of sources
        and the co-word network read by default)."""
        return self._select(columns=~self.is_name)

    def present(self) -> Dtm:
        """The matrix with every count that is not 0 set to 1: which measures use which terms."""
        ones = self.counts.copy()
        ones.data[:] = 1
        return Dtm(ones, self.terms, self.measure_ids, self.source_ids, self.is_name, self.first_use)

    def document_frequency(self) -> pd.Series:
        """The number of measures using each term (int64, indexed by term, in the order of `terms`)."""
        return pd.Series(self.counts.getnnz(axis=0).astype(np.int64), index=self.terms, name="df")

    def cooccurrence(self, terms: Sequence[str]) -> csr_matrix:
        """Terms × terms (in the order of `terms`, each a term of this matrix): the number of
        measures using both (diagonal: each term's document frequency), int64."""
        columns = pd.Index(self.terms).get_indexer(pd.Index(terms, dtype=object))
        if (columns < 0).any():
            raise KeyError(f"not terms of the matrix: {sorted(set(terms) - set(self.terms))}")
        x = self.present().counts[:, columns]
        return (x.T @ x).tocsr()

    def by(self, keys: Sequence, index: Sequence) -> pd.DataFrame:
        """Term counts summed over the measures of each key of `index` (`keys`: one per measure);
        rows in the order of `index` (a key no measure has gives a row of zeros, a measure whose key
        is not in `index` is left out), columns the terms those measures use."""
        where = pd.Index(index).get_indexer(pd.Index(keys))
        inside = np.flatnonzero(where >= 0)
        group = csr_matrix((np.ones(len(inside), dtype=np.int64), (where[inside], inside)),
                           shape=(len(index), self.n_measures))
        summed = (group @ self.counts).toarray()
        used = np.flatnonzero(self.counts[inside].getnnz(axis=0))
        return pd.DataFrame(summed[:, used], index=pd.Index(index), columns=pd.Index(self.terms[used]))

    def by_source(self, order: Sequence[str]) -> pd.DataFrame:
        """Sources (in `order`) × the terms their measures use: each term's count in each source
        (what keyness compares)."""
        return self.by(self.source_ids, order)

    def tfidf(self, min_df: int | float, max_df: int | float) -> tuple[csr_matrix, np.ndarray]:
        """Sublinear, l2-normalised TF-IDF of the terms these measures use within the
        document-frequency bounds, and those terms (sorted): the matrix and vocabulary that
        scikit-learn's `TfidfVectorizer(sublinear_tf=True, norm="l2", min_df, max_df)` gives on
        these measures' terms, float for float. `min_df`, `max_df`: a number of measures (int) or a
        share of them (float), as scikit-learn reads them. Raises ValueError where scikit-learn
        would: no term at all, max_df below min_df, or no term left within the bounds."""
        n = self.n_measures
        if any(isinstance(bound, float) and not 0 <= bound <= 1 for bound in (min_df, max_df)):
            raise ValueError(f"a share of the measures lies in [0, 1]: min_df={min_df}, max_df={max_df}")
        df = self.counts.getnnz(axis=0)
        if not df.any():
            raise ValueError("empty vocabulary: the measures have no terms")
        high = max_df if isinstance(max_df, Integral) else max_df * n
        low = min_df if isinstance(min_df, Integral) else min_df * n
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        kept = np.flatnonzero((df > 0) & (df <= high) & (df >= low))
        if not len(kept):
            raise ValueError("no term is used by between min_df and max_df measures")
        counts = self._as_vectorizer_counts(kept)
        return TfidfTransformer(sublinear_tf=True, norm="l2").fit_transform(counts).tocsr(), self.terms[kept]

    def _as_vectorizer_counts(self, kept: np.ndarray) -> csr_matrix:
        """The counts of the terms `kept` (float64) laid out as CountVectorizer leaves them: in each
        row, the entries in the order these measures first use their terms (row by row, token by
        token), 32-bit indices."""
        counts, first = self.counts[:, kept], self.first_use[:, kept]
        row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        # The corpus's first use of each term: the first row that uses it, at its first position there.
        by_use = np.lexsort((first.data, row))
        terms_by_use, at = np.unique(counts.indices[by_use], return_index=True)
        rank = np.empty(counts.shape[1], dtype=np.int64)
        rank[terms_by_use[np.argsort(at)]] = np.arange(len(terms_by_use))
        cells = np.lexsort((rank[counts.indices], row))
        return csr_matrix((counts.data[cells].astype(np.float64), counts.indices[cells].astype(np.int32),
                           counts.indptr.astype(np.int32)), shape=counts.shape)


def _check_names(dtm: Dtm, names: Sequence[Sequence[str]]) -> None:
    """Raise ValueError unless every measure lists among its names each name term it uses."""
    for i, listed in enumerate(names):
        used = dtm.counts.indices[dtm.counts.indptr[i]:dtm.counts.indptr[i + 1]]
        if unlisted := sorted(set(dtm.terms[used[dtm.is_name[used]]]) - set(listed)):
            raise ValueError(f"measure {dtm.measure_ids[i]!r} uses {unlisted}, names in other measures, "
                             "without listing them among its names")
