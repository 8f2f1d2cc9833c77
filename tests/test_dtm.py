"""The one document-term matrix (issue 24, item 1): counts, document frequencies, co-occurrences and
TF-IDF of a three-measure corpus worked by hand, and on the bundled corpus's tokens the TF-IDF of
scikit-learn's TfidfVectorizer, float for float, and the counts of tokens.csv read row by row."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bizenv_analysis.analysis import clusters
from bizenv_analysis.base.paths import DATA
from bizenv_analysis.io.tables import load
from bizenv_analysis.text import tokens
from bizenv_analysis.text.dtm import Dtm

# 审 U+5BA1 < 服 U+670D < 监 U+76D1 < 衢 U+8862: the terms in sorted order are 审批, 服务, 监管, 衢州.
HAND = pd.DataFrame({
    "measure_id": ["a1", "a2", "b1"],
    "source_id": ["A", "A", "B"],
    "tokens": ["服务 审批 审批 衢州", "服务 监管", "监管 审批 监管 监管"],
    "names": ["衢州", "", ""],
})
TERMS = ["审批", "服务", "监管", "衢州"]
COUNTS = [[2, 1, 0, 1],
          [0, 1, 1, 0],
          [1, 0, 3, 0]]


@pytest.fixture(scope="module")
def hand() -> Dtm:
    return Dtm.from_tokens(HAND)


def test_the_counts_of_three_measures(hand):
    assert hand.counts.dtype == np.int64
    assert list(hand.terms) == TERMS
    assert hand.counts.toarray().tolist() == COUNTS
    assert list(hand.measure_ids) == ["a1", "a2", "b1"] and list(hand.source_ids) == ["A", "A", "B"]
    assert hand.is_name.tolist() == [False, False, False, True]
    # where each term is first used in its measure: 服务 is a1's first token, 审批 its second
    assert hand.first_use.toarray().tolist() == [[2, 1, 0, 4], [0, 1, 2, 0], [2, 0, 1, 0]]


def test_document_frequency_counts_measures_not_uses(hand):
    df = hand.document_frequency()
    assert df.to_dict() == {"审批": 2, "服务": 2, "监管": 2, "衢州": 1}  # 监管 3 times in b1, once counted
    assert df.dtype == np.int64


def test_cooccurrence_counts_the_measures_using_both_terms(hand):
    # 审批·服务 both in a1, 服务·监管 in a2, 审批·监管 in b1; the diagonal is each term's df
    x = hand.cooccurrence(["监管", "审批", "服务"])
    assert x.dtype == np.int64
    assert x.toarray().tolist() == [[2, 1, 1], [1, 2, 1], [1, 1, 2]]
    assert hand.cooccurrence(["衢州", "服务"]).toarray().tolist() == [[1, 1], [1, 2]]
    with pytest.raises(KeyError, match="上海"):
        hand.cooccurrence(["上海"])


def test_by_source_sums_the_counts_of_each_sources_measures(hand):
    by = hand.by_source(["B", "A"])
    assert list(by.index) == ["B", "A"] and list(by.columns) == TERMS
    assert by.to_numpy().tolist() == [[1, 0, 3, 0], [2, 2, 1, 1]]
    # only the terms the sources asked for use; a source without measures is a row of zeros
    only_b = hand.by_source(["B", "C"])
    assert list(only_b.columns) == ["审批", "监管"] and only_b.to_numpy().tolist() == [[1, 3], [0, 0]]


def test_without_names_drops_the_name_columns(hand):
    plain = hand.without_names()
    assert list(plain.terms) == TERMS[:3] and not plain.is_name.any()
    assert plain.counts.toarray().tolist() == [row[:3] for row in COUNTS]
    assert plain.first_use.toarray().tolist() == [[2, 1, 0], [0, 1, 2], [2, 0, 1]]


def test_rows_keep_every_term_and_the_order_asked(hand):
    sub = hand.rows([2, 0])
    assert list(sub.measure_ids) == ["b1", "a1"] and list(sub.terms) == TERMS
    assert sub.counts.toarray().tolist() == [COUNTS[2], COUNTS[0]]
    assert hand.rows(hand.source_ids == "A").document_frequency().tolist() == [1, 2, 1, 1]


def test_a_term_named_in_one_measure_must_be_named_wherever_it_is_used():
    table = HAND.assign(tokens=["服务 审批 衢州", "服务 衢州", "监管"])  # a2 uses 衢州 and does not list it
    with pytest.raises(ValueError, match=r"'a2' uses \['衢州'\]"):
        Dtm.from_tokens(table)
    assert not Dtm.from_tokens(HAND.drop(columns="names")).is_name.any()  # no names column: no names


def _idf(df: int, n: int = 3) -> float:
    """scikit-learn's smoothed idf: ln((1 + n) / (1 + df)) + 1."""
    return math.log((1 + n) / (1 + df)) + 1


def _tf(count: int) -> float:
    """Sublinear tf: 1 + ln(count)."""
    return 1 + math.log(count)


def _unit(row: list[float]) -> list[float]:
    norm = math.sqrt(sum(v * v for v in row))
    return [v / norm for v in row]


def test_tfidf_by_hand(hand):
    x, terms = hand.tfidf(1, 1.0)
    assert list(terms) == TERMS and x.dtype == np.float64
    expected = [_unit([_tf(2) * _idf(2), _tf(1) * _idf(2), 0.0, _tf(1) * _idf(1)]),
                [0.0, 1 / math.sqrt(2), 1 / math.sqrt(2), 0.0],  # 服务 and 监管 weigh the same in a2
                _unit([_tf(1) * _idf(2), 0.0, _tf(3) * _idf(2), 0.0])]
    np.testing.assert_allclose(x.toarray(), expected, rtol=1e-12)
    # min_df 2 drops 衢州 (one measure); the idf keeps n = 3 measures
    x, terms = hand.tfidf(2, 1.0)
    assert list(terms) == TERMS[:3]
    np.testing.assert_allclose(x.toarray()[0], _unit([_tf(2) * _idf(2), _tf(1) * _idf(2), 0.0]), rtol=1e-12)
    # a share: max_df 0.5 of 3 measures is 1.5, so only 衢州 (df 1) is left
    assert list(hand.tfidf(1, 0.5)[1]) == ["衢州"]


def test_tfidf_stores_each_row_in_the_order_the_corpus_first_used_its_terms(hand):
    """a1 is 服务 审批 …: 服务 is the corpus's first term, so a1's row holds 服务 (column 1) before
    审批 (column 0), as CountVectorizer leaves it; the row norm sums its squares in that order."""
    x, _ = hand.tfidf(1, 1.0)
    assert x.indices[x.indptr[0]:x.indptr[1]].tolist() == [1, 0, 3]
    assert x.indices[x.indptr[2]:x.indptr[3]].tolist() == [0, 2]  # 审批 was used before 监管


@pytest.mark.parametrize(("min_df", "max_df", "why"), [(2, 1, "max_df corresponds"), (3, 1.0, "no term is used"),
                                                       (1, 1.5, "share of the measures")])
def test_tfidf_refuses_the_bounds_scikit_learn_refuses(hand, min_df, max_df, why):
    with pytest.raises(ValueError, match=why):
        hand.tfidf(min_df, max_df)
    with pytest.raises(ValueError, match="empty vocabulary"):
        Dtm.from_lists([[], []]).tfidf(1, 1.0)


# --- the bundled corpus --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled() -> pd.DataFrame:
    return load("tokens", DATA / "processed")


def _vectorizer(lists: list[list[str]], min_df: int | float, max_df: int | float):
    """The TF-IDF as clusters.fit_tfidf computed it before the document-term matrix: scikit-learn's
    vectorizer on the measures' terms, tokenised already."""
    vec = TfidfVectorizer(analyzer=lambda doc: doc, lowercase=False, sublinear_tf=True, min_df=min_df,
                          max_df=max_df, norm="l2")
    return vec.fit_transform(lists).tocsr(), vec.get_feature_names_out()


@pytest.mark.parametrize("bounds", [None, (1, 1.0), (5, 0.4)])
@pytest.mark.parametrize("view", ["with_names", "without_names", "odd_rows"])
def test_the_tfidf_is_the_vectorizers_float_for_float(bundled, view, bounds):
    dtm = Dtm.from_tokens(bundled)
    table = bundled
    if view == "without_names":
        dtm, table = dtm.without_names(), tokens.without_names(bundled)
    elif view == "odd_rows":  # a subset re-orders the corpus's first uses
        dtm, table = dtm.rows(np.arange(len(bundled)) % 2 == 1), bundled.iloc[1::2]
    min_df, max_df = bounds or clusters.tfidf_bounds(len(table))
    want, want_terms = _vectorizer(tokens.token_lists(table), min_df, max_df)
    got, got_terms = dtm.tfidf(min_df, max_df)
    assert list(got_terms) == list(want_terms) and got.shape == want.shape and type(got) is type(want)
    assert np.array_equal(got.indptr, want.indptr) and np.array_equal(got.indices, want.indices)
    assert got.indices.dtype == want.indices.dtype
    assert got.data.tobytes() == want.data.tobytes()  # the same bits, not merely close
    model = clusters.fit_tfidf(dtm, min_df, max_df)
    assert model.matrix.data.tobytes() == want.data.tobytes()


def test_the_counts_are_those_of_tokens_csv(bundled):
    dtm = Dtm.from_tokens(bundled)
    assert int(dtm.counts.sum()) == int(bundled["n_tokens"].sum())
    freq = tokens.term_frequencies(bundled).set_index("term")
    df = dtm.document_frequency()
    assert set(df.index) == set(freq.index)
    assert (df[freq.index] == freq["n_measures"]).all()
    by_source = tokens.term_frequencies(bundled, by="source_id")
    order = sorted(set(bundled["source_id"]))
    grid = dtm.by_source(order).stack()
    grid = grid[grid > 0]
    assert grid.to_dict() == {(r.source_id, r.term): r.n for r in by_source.itertuples()}
    named = set().union(*(n.split() for n in bundled["names"].fillna("")))
    assert named and set(dtm.terms[dtm.is_name]) == named
    plain = dtm.without_names()
    assert int(plain.counts.sum()) == int(tokens.without_names(bundled)["n_tokens"].sum())
