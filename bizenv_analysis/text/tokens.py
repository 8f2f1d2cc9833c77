"""Stage 4 — tokens: jieba with the policy-term dictionary and stopwords of `data/lexicon/`.

A `jieba.Tokenizer` instance of our own (never the global one) loads `policy_terms.txt`, so
营商环境, 一网通办, 最多跑一次 … stay whole. Terms jieba's own splitter would break at
punctuation (双随机、一公开) are cut out before jieba sees the text. Stopwords, numbers,
units and punctuation are dropped inside the tokenizer, so scikit-learn receives clean terms.
`tokens.csv` also lists each measure's names of people, places and organisations (`names.py`),
which the vocabulary comparisons leave out by default (`without_names`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

import jieba
import pandas as pd

from ..base.workers import map_ordered
from ..rules.names import NAME_TAGS, Names
from ..rules.tokens import UserTerm

if TYPE_CHECKING:
    from jieba.posseg import POSTokenizer

# A term must contain a Han character; numbers, units written in Latin/digits and punctuation never do.
_HAN = re.compile(r"[\u3400-\u9fff]")
_NUMERIC = re.compile(r"^[\d.,%％×xX+\-~—–/:一二三四五六七八九十百千万亿两]+$")
TOKEN_COLUMNS = ["measure_id", "source_id", "n_tokens", "tokens", "names"]
EFFECT_COLUMNS = ["measure_id", "source_id", "plain", "with_dictionary"]


class PolicyTokenizer:
    """Callable tokenizer: text → list of policy-aware terms (usable as scikit-learn's `tokenizer`)."""

    def __init__(self, terms: Iterable[UserTerm] | None, stopwords: Iterable[str], hmm: bool = True) -> None:
        """`terms`: the user dictionary's parsed entries (`Lexicon.policy_terms`); `None` gives plain
        jieba (for before/after comparisons). `stopwords`: the words (`Lexicon.stopwords`)."""
        jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr
        self.jieba = jieba.Tokenizer()
        entries = list(terms or ())
        for word, freq, tag in entries:  # what jieba's load_userdict does with each line
            self.jieba.add_word(word, freq, tag)
        self.hmm = hmm
        self.stopwords = frozenset(stopwords)
        self.entries = tuple(entries)
        self.terms = frozenset(word for word, _, _ in entries)
        self._user_tags = {word: tag for word, _, tag in entries}
        self._pos: POSTokenizer | None = None
        # Terms with characters outside jieba's Han block pattern (e.g. 、) are matched first.
        protected = sorted((t for t in self.terms if re.search(r"[^\u3400-\u9fffA-Za-z0-9]", t)),
                           key=len, reverse=True)
        self._protected = re.compile("|".join(map(re.escape, protected))) if protected else None

    def _pieces(self, text: str) -> Iterator[tuple[str, bool]]:
        """The text in order as (piece, is a protected term): jieba cuts only the other pieces."""
        pos = 0
        for m in self._protected.finditer(text) if self._protected else ():
            yield text[pos:m.start()], False
            yield m.group(), True
            pos = m.end()
        yield text[pos:], False

    def raw_cut(self, text: str) -> list[str]:
        """jieba segmentation with protected terms kept whole, before any filtering."""
        out: list[str] = []
        for piece, protected in self._pieces(text):
            out += [piece] if protected else self.jieba.lcut(piece, HMM=self.hmm)
        return out

    @property
    def pos(self) -> POSTokenizer:
        """jieba's part-of-speech tagger on this tokenizer's own dictionary (built on first use:
        it reads jieba's dictionary once more for the tags)."""
        if self._pos is None:
            # imported here: importing jieba.posseg loads its models and reads jieba's dictionary
            # (about half a second), which a reader of tokens.csv never needs
            from jieba.posseg import POSTokenizer

            self._pos = POSTokenizer(self.jieba)
        return self._pos

    def raw_tagged(self, text: str) -> list[tuple[str, str]]:
        """`raw_cut`'s tokens, each with a part-of-speech tag from jieba's tagger.

        The tagger cuts unknown words with its own HMM, which can split a run of characters
        differently from the tokenizer (陈加猛 where the tokenizer has 陈加 / 猛), so each token
        takes the tag of the tagger's word that overlaps it most (`_overlap_tags`). A protected
        term takes its dictionary tag.
        """
        out: list[tuple[str, str]] = []
        for piece, protected in self._pieces(text):
            if protected:
                out.append((piece, self._user_tags.get(piece) or "x"))
                continue
            toks = self.jieba.lcut(piece, HMM=self.hmm)
            words = [(w.word, w.flag) for w in self.pos.cut(piece, HMM=self.hmm)]
            out += zip(toks, _overlap_tags(toks, words), strict=True)
        return out

    def tagged(self, text: str) -> list[tuple[str, str]]:
        """The terms `__call__` gives, each with its part-of-speech tag (`raw_tagged`)."""
        return [(t.strip(), tag) for t, tag in self.raw_tagged(text) if self.keep(t)]

    def keep(self, token: str) -> bool:
        """Whether a raw token is a term: has a Han character, is no number/unit, no stopword."""
        token = token.strip()
        return bool(token) and bool(_HAN.search(token)) and not _NUMERIC.match(token) \
            and token not in self.stopwords

    def __call__(self, text: str) -> list[str]:
        return [t.strip() for t in self.raw_cut(text) if self.keep(t)]

    def __reduce__(self) -> tuple:
        # A worker gets the recipe, not the jieba instance (its lock cannot be pickled), and
        # builds the tokenizer once: later chunks find it in `_tokenizer`'s cache.
        return _tokenizer, (self.entries, self.stopwords, self.hmm)


@lru_cache(maxsize=4)
def _tokenizer(entries: tuple[UserTerm, ...], stopwords: frozenset[str], hmm: bool) -> PolicyTokenizer:
    """A PolicyTokenizer built once per process from its dictionary entries and stopwords."""
    tk = PolicyTokenizer(entries, stopwords, hmm)
    tk.jieba.initialize()
    return tk


# Below this many measures, starting workers costs more than it saves.
PARALLEL_MIN = 1000


def _overlap_tags(tokens: list[str], words: list[tuple[str, str]]) -> list[str]:
    """The tag of each token: that of the tagged word covering most of its characters; on a tie a
    name's tag (与京 from 与 / 京 ns: half of it is a name), else the first word's. Both cuts cover
    the same text; where they do not, each token gets "x" (no tag)."""
    if "".join(tokens) != "".join(w for w, _ in words):
        return ["x"] * len(tokens)
    owner = [k for k, (w, _) in enumerate(words) for _ in w]  # the word of every character
    out, pos = [], 0
    for tok in tokens:
        span = owner[pos:pos + len(tok)]
        pos += len(tok)
        best = max(dict.fromkeys(span), key=lambda k: (span.count(k), words[k][1] in NAME_TAGS), default=None)
        out.append("x" if best is None else words[best][1])
    return out


def tokens_table(measures: pd.DataFrame, tokenizer: PolicyTokenizer, jobs: int | None = None,
                 names: Names | None = None) -> pd.DataFrame:
    """`tokens.csv`: each measure's terms in order, space-separated (large corpora on all cores),
    and its names (`names`: the terms `names` decides are names, in order of first use; a term
    jieba tags a name anywhere in the corpus counts as one everywhere). With `names` None, no
    term is tagged and the column is empty."""
    tokenizer.jieba.initialize()  # load the dictionary once (workers build their own, once each)
    texts = list(measures["text"])
    if names is None:
        toks = map_ordered(tokenizer, texts, jobs, min_items=PARALLEL_MIN)
        found: frozenset[str] = frozenset()
    else:
        tagged = map_ordered(tokenizer.tagged, texts, jobs, min_items=PARALLEL_MIN)
        toks = [[t for t, _ in m] for m in tagged]
        found = names.of(tagged)
    return pd.DataFrame({
        "measure_id": measures["measure_id"],
        "source_id": measures["source_id"],
        "n_tokens": [len(t) for t in toks],
        "tokens": [" ".join(t) for t in toks],
        "names": [" ".join(dict.fromkeys(w for w in t if w in found)) for t in toks],
    }, columns=TOKEN_COLUMNS)


def dictionary_effect(measures: pd.DataFrame, tokenizer: PolicyTokenizer) -> pd.DataFrame:
    """tokenizer_effect.csv: the measures whose terms differ between plain jieba (the same stopwords,
    no policy dictionary) and `tokenizer`, with both cuts (terms joined by spaces), in the order
    of `measures`."""
    plain = PolicyTokenizer(None, tokenizer.stopwords, tokenizer.hmm)
    rows = []
    for r in measures[["measure_id", "source_id", "text"]].itertuples(index=False):
        before, after = plain(r.text), tokenizer(r.text)
        if before != after:
            rows.append({"measure_id": r.measure_id, "source_id": r.source_id, "plain": " ".join(before),
                         "with_dictionary": " ".join(after)})
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def token_lists(tokens: pd.DataFrame) -> list[list[str]]:
    """`tokens.csv` back to one list of terms per measure (the input of `clusters.fit_tfidf`)."""
    return [t.split(" ") if t else [] for t in tokens["tokens"].fillna("")]


def without_names(tokens: pd.DataFrame) -> pd.DataFrame:
    """`tokens.csv` with each measure's names (its `names` column) taken out of its terms and
    `n_tokens` recounted: what keyness, the similarity of sources and the co-word network read by
    default. A table without a `names` column is returned as it is."""
    if "names" not in tokens:
        return tokens
    found = [set(n.split()) for n in tokens["names"].fillna("")]
    kept = [[t for t in terms if t not in names] for terms, names in zip(token_lists(tokens), found, strict=True)]
    return tokens.assign(n_tokens=[len(t) for t in kept], tokens=[" ".join(t) for t in kept])


def term_occurrences(tokens: pd.DataFrame) -> pd.DataFrame:
    """`tokens.csv` rows exploded to one row per term occurrence (column `term`)."""
    long = tokens.assign(term=tokens["tokens"].str.split(" ")).explode("term")
    return long[long["term"].fillna("") != ""]


def term_frequencies(tokens: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Term counts overall (columns term, n, n_measures) or per `by` group, most frequent first."""
    long = term_occurrences(tokens)
    keys = [by, "term"] if by else ["term"]
    freq = (long.groupby(keys).agg(n=("term", "size"), n_measures=("measure_id", "nunique"))
            .reset_index())
    return freq.sort_values([*([by] if by else []), "n", "term"],
                            ascending=[*([True] if by else []), False, True], ignore_index=True)


def kwic(measures: pd.DataFrame, term: str, width: int = 14) -> pd.DataFrame:
    """Key-word-in-context lines for a term in the measure texts."""
    rows = []
    for m in measures.itertuples():
        text = m.text.replace("\n", " ")
        for hit in re.finditer(re.escape(term), text):
            rows.append({"measure_id": m.measure_id,
                         "left": text[max(0, hit.start() - width):hit.start()],
                         "term": term,
                         "right": text[hit.end():hit.end() + width]})
    return pd.DataFrame(rows, columns=["measure_id", "left", "term", "right"])
