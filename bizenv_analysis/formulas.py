"""Reform formulas and how they spread between documents (stage 8, networks).

Chinese reform documents name their reforms in fixed formulas (“最多跑一次”, “证照分离”,
“双随机、一公开”) and share longer fixed passages (行政执法公示、执法全过程记录、重大执法决定法制审核).
Three kinds are found, each in every item of `measures.csv` (general parts included):

- **quoted**: a span inside “…”, 「…」, 『…』 or ‘…’ of `min_chars`–`max_quote_chars` characters
  with at least one Chinese character;
- **numbered**: the patterns of `formula_patterns.csv` (1+5+16, 五个一, 多证合一 …);
- **passage**: a stretch of at least `passage_chars` characters that two or more documents share
  verbatim (`shared_passages`: every `passage_chars`-character shingle of each document is
  hashed and indexed; a passage is a maximal run of shingles held by the same documents).

Texts are compared in a normal form (`normal`): NFKC, Traditional → Simplified (OpenCC), and
every character that is not a letter, a digit or + dropped, so “双随机、一公开” and “双随机一公开”
are one formula. A document *uses* a quoted or numbered formula when it writes it
as a formula (quoted, or matching a pattern); it uses a passage when its normal text contains it.
A formula both quoted and matched by a pattern is one quoted formula.

Spread: documents are ordered by date; the first user of a formula is its origin in this corpus
(not necessarily where it was coined), later users are adopters. An adopter *declares* learning
from an earlier user when its `references.csv` has a `learns_from` row naming that user's place
(or a place containing it: 广州 covers 广州市天河区; aliases such as 广深 in `place_aliases.csv`).
A formula in `national_formulas.csv` (with the national document that set it) is marked
`national`, as is a formula that contains one, or a passage that one contains: sharing it is no
evidence that one place learnt from another.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from .references import LEARNS_FROM

KINDS = ("quoted", "numbered", "passage")
FORMULA_COLUMNS = ["formula_id", "kind", "formula", "normal", "n_chars", "n_documents", "documents", "first_source",
                   "first_date", "n_occurrences", "national", "national_basis", "example_measure"]
SPREAD_COLUMNS = ["formula_id", "source_id", "date", "order", "role", "n_occurrences", "first_measure",
                  "earlier_sources", "declares_learning", "credited_place"]
PAIR_COLUMNS = ["source_id", "earlier_source", "n_shared", "n_shared_national", "n_passages", "shared_chars",
                "declared", "credited_place", "agreement"]
PARAMS = ("min_chars", "max_quote_chars", "passage_chars")
QUOTES = [("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’")]
_CJK = re.compile(r"[\u4e00-\u9fff]")
AGREEMENT = {(True, True): "declared and shared", (False, True): "shared, never credited",
             (True, False): "declared, nothing shared", (False, False): "neither"}


@dataclass(frozen=True)
class Params:
    """The formula rules (`formula_params.csv`)."""

    min_chars: int = 3  # normal-form characters a quoted or numbered formula needs
    max_quote_chars: int = 30  # longer quoted spans are sentences, not formulas
    passage_chars: int = 12  # the shortest shared passage (and the shingle length)

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Params:
        """Parameters from name → text (checked by the lexicon)."""
        return cls(**{name: int(float(values[name])) for name in PARAMS})


_converter = None


def _t2s(text: str) -> str:
    global _converter
    if _converter is None:
        import opencc

        _converter = opencc.OpenCC("t2s")
    return _converter.convert(text)


@cache
def _keep(ch: str) -> str:
    """What one (Simplified) character becomes in the normal form: its NFKC letters, digits and +."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch) if c == "+" or unicodedata.category(c)[0] in "LN")


def normal(text: str) -> str:
    """The form formulas are compared in: NFKC, Simplified, letters, digits and + only."""
    return normal_with_positions(text)[0]


def normal_with_positions(text: str) -> tuple[str, list[int]]:
    """The normal form of `text` and, for each of its characters, the position in `text` it
    comes from (to show a passage as the document wrote it)."""
    simple = _t2s(text)
    if len(simple) != len(text):  # a phrase conversion changed the length: positions of the converted text
        text = simple
    out, where = [], []
    for i, ch in enumerate(simple):
        kept = _keep(ch)
        out.append(kept)
        where += [i] * len(kept)
    return "".join(out), where


def _quoted_at(text: str, params: Params) -> list[tuple[int, int, str]]:
    """(start, end, span) of each quoted span that can be a formula, in order."""
    found = []
    for left, right in QUOTES:
        pattern = re.compile(f"{re.escape(left)}([^{re.escape(left + right)}\n]{{1,{params.max_quote_chars}}})"
                             f"{re.escape(right)}")
        found += [(m.start(1), m.end(1), m.group(1)) for m in pattern.finditer(text)]
    return [f for f in sorted(found) if _CJK.search(f[2]) and len(normal(f[2])) >= params.min_chars]


def _numbered_at(text: str, patterns: Iterable[re.Pattern]) -> list[tuple[int, int, str]]:
    """(start, end, span) of each numbered formula, in order."""
    return sorted((m.start(), m.end(), m.group(0)) for p in patterns for m in p.finditer(text))


def quoted(text: str, params: Params) -> list[str]:
    """The quoted spans of a text that can be formulas, in order (inner quotes kept)."""
    return [span for _, _, span in _quoted_at(text, params)]


def numbered(text: str, patterns: Iterable[re.Pattern]) -> list[str]:
    """The numbered formulas (1+5+16, 五个一 …) of a text, in order."""
    return [span for _, _, span in _numbered_at(text, patterns)]


def written_formulas(text: str, patterns: Iterable[re.Pattern], params: Params) -> list[tuple[str, str]]:
    """(kind, span) of each formula written in a text: quoted spans, and numbered formulas that
    are not the whole of a quoted one (“一窗受理” is one quoted formula, not also a numbered one;
    in “一窗受理、集成服务” both are written)."""
    quotes = _quoted_at(text, params)
    out = [(start, "quoted", span) for start, _, span in quotes]
    whole = {(q0, q1) for q0, q1, _ in quotes}
    out += [(start, "numbered", span) for start, end, span in _numbered_at(text, patterns) if (start, end) not in whole]
    return [(kind, span) for _, kind, span in sorted(out)]


# Shingles are hashed, not stored: a polynomial hash of their code points in wrapping uint64
# arithmetic, the same on every machine (Python's str hash changes from run to run).
_BASE = np.uint64(1_000_003)


def shingle_hashes(text: str, n: int) -> np.ndarray:
    """The hash of every n-character shingle of `text`, by start position."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - n + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    out = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(n):
            out = out * _BASE + codes[j:j + count]
    return out


@dataclass(frozen=True)
class Passage:
    """A stretch of normal text shared verbatim by several documents."""

    text: str  # normal form
    users: tuple[str, ...]  # the documents containing it, in the order given
    starts: tuple[int, ...]  # where it first starts in each user's normal text
    counts: tuple[int, ...]  # how often its first n characters occur in each user


def shared_passages(texts: Mapping[str, str], n: int) -> list[Passage]:
    """Every stretch of at least n characters that two or more of the normal `texts` share.

    Each n-character shingle of each document is hashed and indexed with the documents holding it;
    a passage is a maximal run of consecutive shingles of one document held by the same set of
    two or more documents (a longer stretch shared by fewer documents is a passage of its own).
    Exact up to a hash collision (64 bits). Time grows with the characters (a sort of all shingles),
    not with the pairs of documents. Passages are listed from the first document (in the order of
    `texts`) that holds them.
    """
    ids = list(texts)
    hashes = [shingle_hashes(texts[s], n) for s in ids]
    if sum(map(len, hashes)) == 0:
        return []
    every = np.concatenate(hashes)
    doc = np.concatenate([np.full(len(h), k, dtype=np.int64) for k, h in enumerate(hashes)])
    pos = np.concatenate([np.arange(len(h), dtype=np.int64) for h in hashes])
    # one row per (shingle, document): its first position there
    order = np.lexsort((pos, doc, every))
    every, doc, pos = every[order], doc[order], pos[order]
    first = np.ones(len(every), dtype=bool)
    first[1:] = (every[1:] != every[:-1]) | (doc[1:] != doc[:-1])
    u_hash, u_doc, u_pos = every[first], doc[first], pos[first]
    u_count = np.diff(np.r_[np.flatnonzero(first), len(every)])
    starts = np.flatnonzero(np.r_[True, u_hash[1:] != u_hash[:-1]])
    sizes = np.diff(np.r_[starts, len(u_hash)])
    holders: dict[int, tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]] = {}
    for start, size in zip(starts[sizes >= 2].tolist(), sizes[sizes >= 2].tolist(), strict=True):
        cut = slice(start, start + size)
        holders[int(u_hash[start])] = (tuple(u_doc[cut].tolist()), tuple(u_pos[cut].tolist()),
                                       tuple(u_count[cut].tolist()))
    found: dict[str, Passage] = {}
    for k, h in enumerate(hashes):
        sets = [holders.get(int(x), ((),))[0] for x in h.tolist()]
        i = 0
        while i < len(sets):
            users = sets[i]
            if len(users) < 2 or users[0] != k:  # not shared, or listed from an earlier document
                i += 1
                continue
            j = i
            while j + 1 < len(sets) and sets[j + 1] == users:
                j += 1
            text = texts[ids[k]][i:j + n]
            if text not in found:
                _, where, counts = holders[int(h[i])]
                found[text] = Passage(text, tuple(ids[u] for u in users), where, counts)
            i = j + 1
    return list(found.values())


@dataclass(frozen=True)
class National:
    """The national formulas (`national_formulas.csv`): normal form → the document that set it."""

    basis: dict[str, str]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> National:
        return cls({normal(r.formula): f"{r.document} ({r.year})" for r in frame.itertuples()})

    def of(self, form: str, overlap: int) -> str:
        """The national basis of a formula's normal form: its own; else that of the national
        formulas it contains, or that contain it when it is at least `overlap` characters long
        (a shared passage cut short of the national wording)."""
        if form in self.basis:
            return self.basis[form]
        near = sorted(f for f in self.basis if f in form or (len(form) >= overlap and form in f))
        return "; ".join(f"{f}: {self.basis[f]}" for f in near)


def formula_tables(measures: pd.DataFrame, documents: pd.DataFrame, references: pd.DataFrame,
                   patterns: Iterable[re.Pattern], national: National, aliases: Mapping[str, list[str]],
                   params: Params) -> dict[str, pd.DataFrame]:
    """formulas.csv, formula_spread.csv and formula_pairs.csv for a corpus (see the module docstring)."""
    patterns = list(patterns)
    docs = documents.sort_values(["date", "source_id"])
    order = [s for s in docs["source_id"] if s in set(measures["source_id"])]
    dates = dict(zip(docs["source_id"], docs["date"].astype(str), strict=True))
    places = dict(zip(docs["source_id"], docs["place"].fillna("").astype(str), strict=True))
    items = measures[["measure_id", "source_id", "text"]].fillna({"text": ""})

    # Who writes each quoted or numbered formula: normal form → kind, the form first written,
    # times written per source, and the first measure writing it in each source.
    written: dict[str, tuple[str, str, dict[str, int], dict[str, str]]] = {}
    for item in items.itertuples():
        for kind, span in written_formulas(item.text, patterns, params):
            form = normal(span)
            if len(form) < params.min_chars:
                continue
            was, shown, counts, first = written.get(form, (kind, span.strip(), {}, {}))
            if kind == "quoted" and was != "quoted":  # quoted somewhere: a quoted formula
                was, shown = kind, span.strip()
            counts[item.source_id] = counts.get(item.source_id, 0) + 1
            first.setdefault(item.source_id, item.measure_id)
            written[form] = (was, shown, counts, first)
    # Shared passages, found in each document's normal text, shown as the earliest user wrote it.
    whole = {s: "\n".join(g["text"]) for s, g in items.groupby("source_id", sort=False)}
    normals = {s: normal_with_positions(whole[s]) for s in order}
    texts = {s: form for s, (form, _) in normals.items()}
    found = {form: (kind, shown, {s: (counts[s], first[s]) for s in counts})
             for form, (kind, shown, counts, first) in written.items()}
    # where each measure's text ends in its source's joined text (each text and its "\n")
    ends = {s: (np.cumsum([len(t) + 1 for t in g["text"]]), list(g["measure_id"]))
            for s, g in items.groupby("source_id", sort=False)}

    def measure_at(source: str, offset: int) -> str:
        cum, ids = ends[source]
        return ids[min(int(np.searchsorted(cum, offset, side="right")), len(ids) - 1)]

    for passage in shared_passages(texts, params.passage_chars):
        if passage.text in found:  # a quoted or numbered formula is not listed again as a passage
            continue
        where = normals[passage.users[0]][1]
        start = passage.starts[0]
        shown = whole[passage.users[0]][where[start]:where[start + len(passage.text) - 1] + 1]
        found[passage.text] = ("passage", shown, {
            s: (count, measure_at(s, normals[s][1][at]))
            for s, at, count in zip(passage.users, passage.starts, passage.counts, strict=True)})

    rows, spread = [], []
    credit = credits(references)
    for form, (kind, shown, uses) in found.items():
        users = [s for s in order if s in uses]
        basis = national.of(form, params.passage_chars)
        rows.append({"kind": kind, "formula": shown, "normal": form, "n_chars": len(form),
                     "n_documents": len(users), "documents": ";".join(users), "first_source": users[0],
                     "first_date": dates[users[0]], "n_occurrences": sum(uses[s][0] for s in users),
                     "national": bool(basis), "national_basis": basis, "example_measure": uses[users[0]][1]})
        for k, s in enumerate(users, start=1):
            earlier = [e for e in users[:k - 1] if dates[e] < dates[s]]
            credited = _credited(s, earlier, credit, places, aliases)
            spread.append({"normal": form, "source_id": s, "date": dates[s], "order": k,
                           "role": "first" if k == 1 else ("adopter" if earlier else "same date as first"),
                           "n_occurrences": uses[s][0], "first_measure": uses[s][1],
                           "earlier_sources": ";".join(earlier), "declares_learning": bool(credited),
                           "credited_place": ";".join(credited)})
    table = pd.DataFrame(rows, columns=FORMULA_COLUMNS[1:])
    kind_rank = {k: i for i, k in enumerate(KINDS)}
    table = (table.assign(_k=table["kind"].map(kind_rank))
             .sort_values(["_k", "n_documents", "first_date", "normal"], ascending=[True, False, True, True])
             .drop(columns="_k").reset_index(drop=True))
    table.insert(0, "formula_id", [f"F{i:04d}" for i in range(1, len(table) + 1)])
    ids = dict(zip(table["normal"], table["formula_id"], strict=True))
    spread_table = pd.DataFrame(spread, columns=["normal", *SPREAD_COLUMNS[1:]])
    spread_table.insert(0, "formula_id", spread_table["normal"].map(ids))
    spread_table = spread_table[SPREAD_COLUMNS].sort_values(["formula_id", "order"], ignore_index=True)
    return {"formulas.csv": table, "formula_spread.csv": spread_table,
            "formula_pairs.csv": pair_table(table, order, dates, references, places, aliases)}


def credits(references: pd.DataFrame) -> dict[str, list[str]]:
    """Per document, the places it says it learns from (`learns_from` rows of references.csv), in order."""
    rows = references[references["relation"] == LEARNS_FROM]
    return {s: list(dict.fromkeys(g["place"])) for s, g in rows.groupby("source_id", sort=False)}


def covers(credited: str, place: str, aliases: Mapping[str, list[str]]) -> bool:
    """Whether crediting `credited` credits a document of `place`: the same place or one inside it
    (广州 covers 广州市天河区), directly or through an alias (广深 → 广州, 深圳)."""
    names = aliases.get(credited, [credited])
    return bool(place) and any(name and place.startswith(name) for name in names)


def _credited(source: str, earlier: list[str], credited: Mapping[str, list[str]], places: Mapping[str, str],
              aliases: Mapping[str, list[str]]) -> list[str]:
    """The places `source` credits (`credited`, from `credits`) that cover one of the `earlier` sources' places."""
    return [c for c in credited.get(source, []) if any(covers(c, places[e], aliases) for e in earlier)]


def pair_table(formulas: pd.DataFrame, order: list[str], dates: Mapping[str, str], references: pd.DataFrame,
               places: Mapping[str, str], aliases: Mapping[str, list[str]]) -> pd.DataFrame:
    """For every pair of a document and a strictly earlier one: the formulas they share (national
    ones apart), and whether the later declares learning from the earlier's place."""
    # Counted formula by formula over the pairs of its users, so the work grows with how widely
    # formulas are shared, not with (pairs of documents) × (formulas).
    shared: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in formulas.itertuples():
        users = r.documents.split(";")
        for later in users:
            for earlier in users:
                if dates[earlier] < dates[later]:
                    counts = shared[(later, earlier)]
                    if r.national:
                        counts[1] += 1
                    else:
                        counts[0] += 1
                        if r.kind == "passage":
                            counts[2] += 1
                            counts[3] += r.n_chars
    credit = credits(references)
    rows = []
    for later in order:
        for earlier in order:
            if not dates[earlier] < dates[later]:
                continue
            local, national, passages, chars = shared.get((later, earlier), (0, 0, 0, 0))
            credited = _credited(later, [earlier], credit, places, aliases)
            rows.append({"source_id": later, "earlier_source": earlier, "n_shared": local,
                         "n_shared_national": national, "n_passages": passages, "shared_chars": chars,
                         "declared": bool(credited), "credited_place": ";".join(credited),
                         "agreement": AGREEMENT[(bool(credited), local > 0)]})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)
