"""Stage 4 — tokens: jieba with the policy-term dictionary and stopwords of `data/lexicon/`.

A `jieba.Tokenizer` instance of our own (never the global one) loads `policy_terms.txt`, so
营商环境, 一网通办, 最多跑一次 … stay whole. Terms jieba's own splitter would break at
punctuation (双随机、一公开) are cut out before jieba sees the text. Stopwords, numbers,
units and punctuation are dropped inside the tokenizer, so scikit-learn receives clean terms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import jieba
import pandas as pd

from .paths import LEXICON
from .workers import map_ordered

# A term must contain a Han character; numbers, units written in Latin/digits and punctuation never do.
_HAN = re.compile(r"[\u3400-\u9fff]")
_NUMERIC = re.compile(r"^[\d.,%％×xX+\-~—–/:一二三四五六七八九十百千万亿两]+$")
TOKEN_COLUMNS = ["measure_id", "source_id", "n_tokens", "tokens"]


# One line of a jieba user dictionary: `word [freq] [tag]`, single spaces (jieba's own format).
USERDICT_LINE = re.compile(r"^(\S+)(?: (\d+))?(?: ([a-z]+))?$")
UserTerm = tuple[str, str | None, str | None]  # (word, freq, tag) as jieba's `add_word` takes them


def userdict_entry(line: str) -> UserTerm | None:
    """The (word, freq, tag) of one user-dictionary line; None for a blank or `#` comment line.

    Raises ValueError for a line jieba would misread (a tab, two spaces, a freq that is no whole number).
    """
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    m = USERDICT_LINE.match(line)
    if not m:
        raise ValueError(f"{line!r} is not `word [freq] [tag]`")
    return m[1], m[2], m[3]


def parse_userdict(text: str) -> list[UserTerm]:
    """Entries of a jieba user dictionary's text (blank and `#` lines skipped)."""
    return [e for ln in text.splitlines() if (e := userdict_entry(ln)) is not None]


def parse_stopwords(text: str) -> frozenset[str]:
    """Stopwords, one a line; `#` lines are comments."""
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


def read_terms(path: Path) -> list[str]:
    """Words of a jieba user dictionary (first field of each line)."""
    return [ln.split()[0] for ln in path.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def read_stopwords(path: Path) -> frozenset[str]:
    """Stopwords, one a line; `#` lines are comments."""
    return parse_stopwords(path.read_text(encoding="utf-8"))


class PolicyTokenizer:
    """Callable tokenizer: text → list of policy-aware terms (usable as scikit-learn's `tokenizer`)."""

    def __init__(self, terms: Path | Iterable[UserTerm] | None = LEXICON / "policy_terms.txt",
                 stopwords: Path | Iterable[str] = LEXICON / "stopwords.txt", hmm: bool = True) -> None:
        """`terms`: the user dictionary's path or its parsed entries (`Lexicon.policy_terms`);
        `None` gives plain jieba (for before/after comparisons). `stopwords`: a path or the words."""
        jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG to stderr
        self.jieba = jieba.Tokenizer()
        if isinstance(terms, str | Path):
            terms = parse_userdict(Path(terms).read_text(encoding="utf-8-sig"))
        entries = list(terms or ())
        for word, freq, tag in entries:  # what jieba's load_userdict does with each line
            self.jieba.add_word(word, freq, tag)
        self.hmm = hmm
        self.stopwords = (read_stopwords(Path(stopwords)) if isinstance(stopwords, str | Path)
                          else frozenset(stopwords))
        self.entries = tuple(entries)
        self.terms = frozenset(word for word, _, _ in entries)
        # Terms with characters outside jieba's Han block pattern (e.g. 、) are matched first.
        protected = sorted((t for t in self.terms if re.search(r"[^\u3400-\u9fffA-Za-z0-9]", t)),
                           key=len, reverse=True)
        self._protected = re.compile("|".join(map(re.escape, protected))) if protected else None

    def raw_cut(self, text: str) -> list[str]:
        """jieba segmentation with protected terms kept whole, before any filtering."""
        out: list[str] = []
        pos = 0
        for m in self._protected.finditer(text) if self._protected else ():
            out += self.jieba.lcut(text[pos:m.start()], HMM=self.hmm)
            out.append(m.group())
            pos = m.end()
        out += self.jieba.lcut(text[pos:], HMM=self.hmm)
        return out

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


def tokens_table(measures: pd.DataFrame, tokenizer: PolicyTokenizer, jobs: int | None = None) -> pd.DataFrame:
    """`tokens.csv`: each measure's terms in order, space-separated (large corpora on all cores)."""
    tokenizer.jieba.initialize()  # load the dictionary once (workers build their own, once each)
    toks = map_ordered(tokenizer, list(measures["text"]), jobs, min_items=PARALLEL_MIN)
    return pd.DataFrame({
        "measure_id": measures["measure_id"],
        "source_id": measures["source_id"],
        "n_tokens": [len(t) for t in toks],
        "tokens": [" ".join(t) for t in toks],
    }, columns=TOKEN_COLUMNS)


def token_lists(tokens: pd.DataFrame) -> list[list[str]]:
    """`tokens.csv` back to one list of terms per measure (the input of `clusters.fit_tfidf`)."""
    return [t.split(" ") if t else [] for t in tokens["tokens"].fillna("")]


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
