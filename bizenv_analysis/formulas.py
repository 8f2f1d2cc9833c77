"""Reform formulas and how they spread between documents (stage 8, networks).

Chinese reform documents name their reforms in fixed formulas (“最多跑一次”, “证照分离”,
“双随机、一公开”) and share longer fixed passages (行政执法公示、执法全过程记录、重大执法决定法制审核).
Three kinds are found, each in every item of `measures.csv` (general parts included):

- **quoted**: a span inside “…”, 「…」, 『…』 or ‘…’ of at most `max_quote_chars` characters as
  written and at least `min_chars` in normal form, with at least one Chinese character;
- **numbered**: the patterns of `formula_patterns.csv` (1+5+16, 五个一, 多证合一 …);
- **passage**: a stretch of at least `passage_chars` characters that two or more documents share
  verbatim (`shared_passages`). Where two documents share a stretch that a third shares only in
  part, the stretch is listed as overlapping passages, each with the documents holding it.

Texts are compared in a normal form (`normal`): NFKC, Traditional → Simplified (OpenCC), and
every character that is not a letter, a digit or + dropped, so “双随机、一公开” and “双随机一公开”
are one formula. A document *uses* a quoted or numbered formula when it writes it as a formula
(quoted, or matching a pattern): a document that mentions the words without quotation marks
does not use it. It uses a passage when its normal text contains it. A formula both quoted and
matched by a pattern is one quoted formula; a passage that is a written formula held by the
same documents, or lies inside one, is not listed again.

Spread: a document's date (`sources.csv`) is a day, a month or a year, read as the span it
covers; one document is earlier than another when its span ends before the other's begins
(2023-08-20 is earlier than 2024; 2024 and 2024-03-01 are not ordered). A formula's first users
are those no other user is earlier than; the others are adopters; a document with no readable
date is `undated`. The first users are the origin in this corpus, not where the formula was
coined. An adopter *declares* learning from an earlier user when its `references.csv` has a
`learns_from` row naming that user's place, or a name its place or province begins with (广州
covers 广州市天河区, 浙江 covers 衢州市 in 浙江省; aliases such as 广深 in `place_aliases.csv`).

A formula in `national_formulas.csv` (with the national document that set it and its year) is
marked `national`, as is a formula that contains one, or one of at least `passage_chars`
characters that one contains. Two documents sharing a national formula are counted apart
(`n_national`) when the earlier used it in or after the national document's year: sharing it is
then no evidence that one place learnt from the other. An earlier use can be where the national
formula came from, so it counts as shared.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

import numpy as np
import pandas as pd

from .clean import to_simplified
from .references import LEARNS_FROM

KINDS = ("quoted", "numbered", "passage")
FORMULA_COLUMNS = ["formula_id", "kind", "formula", "normal", "n_chars", "n_documents", "documents", "first_source",
                   "first_date", "n_occurrences", "national", "national_year", "national_basis", "example_measure"]
SPREAD_COLUMNS = ["formula_id", "source_id", "date", "order", "role", "n_occurrences", "first_measure",
                  "earlier_sources", "declares_learning", "credited_place"]
PAIR_COLUMNS = ["source_id", "earlier_source", "n_formulas", "n_passages", "shared_chars", "n_national",
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
        return cls(**{name: int(values[name]) for name in PARAMS})


@cache
def _keep(ch: str) -> str:
    """What one character becomes after NFKC: its letters, digits and + (possibly none, or several)."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch) if c == "+" or unicodedata.category(c)[0] in "LN")


def normal(text: str) -> str:
    """The form formulas are compared in: NFKC, Simplified, letters, digits and + only."""
    return normal_with_positions(text)[0]


def normal_with_positions(text: str) -> tuple[str, list[int]]:
    """The normal form of `text` and, for each of its characters, the position in `text` it
    comes from (to show a passage as the document wrote it)."""
    pieces = [_keep(ch) for ch in text]
    where = [i for i, piece in enumerate(pieces) for _ in piece]
    kept = "".join(pieces)
    simple = to_simplified(kept)
    if len(simple) != len(kept):  # a phrase conversion changed the length: convert character by character
        converted = [to_simplified(c) for c in kept]
        where = [w for w, c in zip(where, converted, strict=True) for _ in c]
        simple = "".join(converted)
    return simple, where


_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


def date_span(text: object) -> tuple[date, date] | None:
    """The days a date of sources.csv covers: 2023-08-20 one day, 2023-08 a month, 2023 a year;
    None when it is not such a date."""
    m = _DATE.fullmatch(str(text).strip()) if isinstance(text, str) else None
    if not m:
        return None
    year, month, day = (int(g) if g else None for g in m.groups())
    try:
        if day is not None:
            return date(year, month, day), date(year, month, day)
        if month is not None:
            last = (date(year + month // 12, month % 12 + 1, 1) - date(year, month, 1)).days
            return date(year, month, 1), date(year, month, last)
        return date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None


def earlier(a: tuple[date, date] | None, b: tuple[date, date] | None) -> bool:
    """Whether span `a` ends before span `b` begins (False when either is unknown)."""
    return a is not None and b is not None and a[1] < b[0]


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
    out = [(start, 0, "quoted", span) for start, _, span in quotes]
    whole = {(q0, q1) for q0, q1, _ in quotes}
    out += [(start, 1, "numbered", span) for start, end, span in _numbered_at(text, patterns)
            if (start, end) not in whole]
    return [(kind, span) for _, _, kind, span in sorted(out)]


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
    counts: tuple[int, ...]  # how often it occurs in each user


def _longest_held(text: str, start: int, low: int, high: int, others: list[str]) -> int:
    """The largest L in [low, high] with text[start:start+L] in every one of `others` (0 if not
    even `low`): containment shrinks as L grows, so a binary search finds it."""
    def held(length: int) -> bool:
        piece = text[start:start + length]
        return all(piece in other for other in others)

    if held(high):  # the usual case: the whole run is shared as it is
        return high
    if not held(low):  # a hash collision
        return 0
    while low < high:
        mid = (low + high + 1) // 2
        if held(mid):
            low = mid
        else:
            high = mid - 1
    return low


def shared_passages(texts: Mapping[str, str], n: int) -> list[Passage]:
    """Every stretch of at least n characters that two or more of the normal `texts` share.

    Each n-character shingle of each document is hashed and indexed with the documents holding it.
    In the first document (in the order of `texts`) holding a shingle, a run of consecutive
    shingles held by the same documents is a candidate; it is kept as long as every one of those
    documents contains it whole, and the rest of the run starts a new candidate. So a passage is
    never text that one of its documents lacks, and a stretch two documents share that a third
    shares only in part is listed as overlapping passages, each with its own documents. Finding
    the shingles takes a sort of all of them: time grows with the characters, not with the pairs
    of documents.
    """
    ids = list(texts)
    hashes = [shingle_hashes(texts[s], n) for s in ids]
    if sum(map(len, hashes)) == 0:
        return []
    every = np.concatenate(hashes)
    doc = np.concatenate([np.full(len(h), k, dtype=np.int64) for k, h in enumerate(hashes)])
    order = np.lexsort((doc, every))
    every, doc = every[order], doc[order]
    first = np.ones(len(every), dtype=bool)
    first[1:] = (every[1:] != every[:-1]) | (doc[1:] != doc[:-1])
    u_hash, u_doc = every[first], doc[first]  # one row per (shingle, document)
    starts = np.flatnonzero(np.r_[True, u_hash[1:] != u_hash[:-1]])
    sizes = np.diff(np.r_[starts, len(u_hash)])
    holders = {int(u_hash[start]): tuple(u_doc[start:start + size].tolist())
               for start, size in zip(starts[sizes >= 2].tolist(), sizes[sizes >= 2].tolist(), strict=True)}
    found: dict[str, Passage] = {}
    for k, h in enumerate(hashes):
        text = texts[ids[k]]
        sets = [holders.get(x, ()) for x in h.tolist()]
        i = 0
        while i < len(sets):
            users = sets[i]
            if len(users) < 2 or users[0] != k:  # not shared, or listed from an earlier document
                i += 1
                continue
            j = i
            while j + 1 < len(sets) and sets[j + 1] == users:
                j += 1
            others = [texts[ids[u]] for u in users[1:]]
            while i <= j:
                length = _longest_held(text, i, n, j - i + n, others)
                if length == 0:
                    i += 1
                    continue
                piece = text[i:i + length]
                if piece not in found:
                    names = tuple(ids[u] for u in users)
                    found[piece] = Passage(piece, names, tuple(texts[u].find(piece) for u in names),
                                           tuple(texts[u].count(piece) for u in names))
                i += length - n + 1
            i = j + 1
    return list(found.values())


@dataclass(frozen=True)
class National:
    """The national formulas (`national_formulas.csv`): normal form → (the document that set it, its year)."""

    basis: dict[str, tuple[str, int]]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> National:
        """From the rows of national_formulas.csv (formula, document, year), checked by the lexicon."""
        return cls({normal(r.formula): (r.document, int(r.year)) for r in frame.itertuples()})

    def of(self, form: str, overlap: int) -> tuple[str, int | None]:
        """The national basis of a formula's normal form and the earliest year it names: the formula
        itself; else the national formulas it contains, or that contain it when it is at least
        `overlap` characters long (a shared passage cut short of the national wording)."""
        near = [form] if form in self.basis else sorted(
            f for f in self.basis if f in form or (len(form) >= overlap and form in f))
        if not near:
            return "", None
        return ("; ".join(f"{f}: {self.basis[f][0]} ({self.basis[f][1]})" for f in near),
                min(self.basis[f][1] for f in near))


def formula_tables(measures: pd.DataFrame, documents: pd.DataFrame, references: pd.DataFrame,
                   patterns: Iterable[re.Pattern], national: National, aliases: Mapping[str, list[str]],
                   params: Params, provinces: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """formulas.csv, formula_spread.csv and formula_pairs.csv for a corpus (see the module docstring).

    `documents` needs source_id, date and place; `provinces` (source_id → province) lets a credit
    to a province cover its documents.
    """
    patterns = list(patterns)
    spans = {r.source_id: date_span(r.date) for r in documents.itertuples()}
    present = set(measures["source_id"])
    far = date.max
    order = sorted((s for s in documents["source_id"] if s in present),
                   key=lambda s: (spans[s] or (far, far), s))  # by date, undated last
    dates = {r.source_id: "" if pd.isna(r.date) else str(r.date) for r in documents.itertuples()}
    names = {r.source_id: [str(r.place) if not pd.isna(r.place) else ""] for r in documents.itertuples()}
    for s, province in (provinces or {}).items():
        if s in names and province:
            names[s].append(province + names[s][0])
    rank = {s: i for i, s in enumerate(order)}
    items = measures[["measure_id", "source_id", "text"]].fillna({"text": ""})
    items = items[items["source_id"].isin(present)]
    items = items.iloc[np.argsort(items["source_id"].map(rank).to_numpy(), kind="stable")]

    # Who writes each quoted or numbered formula: normal form → kind, the form first written (in
    # date order), times written per source, and the first measure writing it in each source.
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
    found = {form: (kind, shown, {s: (counts[s], first[s]) for s in counts})
             for form, (kind, shown, counts, first) in written.items()}

    # Shared passages, found in each document's normal text, shown as the earliest user wrote it.
    whole, ends = {}, {}
    for s, g in items.groupby("source_id", sort=False):
        whole[s] = "\n".join(g["text"])
        ends[s] = (np.cumsum([len(t) + 1 for t in g["text"]]), list(g["measure_id"]))  # each text and its "\n"
    normals = {s: normal_with_positions(whole[s]) for s in order}
    texts = {s: form for s, (form, _) in normals.items()}

    def measure_at(source: str, offset: int) -> str:
        cum, ids = ends[source]
        return ids[min(int(np.searchsorted(cum, offset, side="right")), len(ids) - 1)]

    long_written = [(f, set(found[f][2])) for f in found if len(f) >= params.passage_chars]
    where: dict[str, dict[str, int]] = {}  # passage → source → start in its normal text
    for passage in shared_passages(texts, params.passage_chars):
        held = set(passage.users)
        if any((f in passage.text or passage.text in f) and held <= users for f, users in long_written):
            continue  # a written formula (or part of one) that its writers share: counted once
        first = passage.users[0]
        at = normals[first][1]
        start, stop = at[passage.starts[0]], at[passage.starts[0] + len(passage.text) - 1] + 1
        found[passage.text] = ("passage", whole[first][start:stop], {
            s: (count, measure_at(s, normals[s][1][begin]))
            for s, begin, count in zip(passage.users, passage.starts, passage.counts, strict=True)})
        where[passage.text] = dict(zip(passage.users, passage.starts, strict=True))

    rows, spread = [], []
    credit = credits(references)
    for form, (kind, shown, uses) in found.items():
        users = [s for s in order if s in uses]
        firsts = [s for s in users if spans[s] is not None and not any(earlier(spans[e], spans[s]) for e in users)]
        basis, year = national.of(form, params.passage_chars)
        rows.append({"kind": kind, "formula": shown, "normal": form, "n_chars": len(form),
                     "n_documents": len(users), "documents": ";".join(users), "first_source": ";".join(firsts),
                     "first_date": dates[firsts[0]] if firsts else "", "n_occurrences": sum(uses[s][0] for s in users),
                     "national": bool(basis), "national_year": year, "national_basis": basis,
                     "example_measure": uses[(firsts or users)[0]][1]})
        for k, s in enumerate(users, start=1):
            before = [e for e in users if earlier(spans[e], spans[s])]
            credited = _credited(s, before, credit, names, aliases)
            spread.append({"normal": form, "source_id": s, "date": dates[s], "order": k,
                           "role": "undated" if spans[s] is None else ("adopter" if before else "first"),
                           "n_occurrences": uses[s][0], "first_measure": uses[s][1],
                           "earlier_sources": ";".join(before), "declares_learning": bool(credited),
                           "credited_place": ";".join(credited)})
    table = pd.DataFrame(rows, columns=FORMULA_COLUMNS[1:]).astype({"national_year": "Int64"})
    kind_rank = {k: i for i, k in enumerate(KINDS)}
    table = (table.assign(_k=table["kind"].map(kind_rank), _d=[rank[d.split(";")[0]] for d in table["documents"]])
             .sort_values(["_k", "n_documents", "_d", "normal"], ascending=[True, False, True, True])
             .drop(columns=["_k", "_d"]).reset_index(drop=True))
    table.insert(0, "formula_id", [f"F{i:04d}" for i in range(1, len(table) + 1)])
    ids = dict(zip(table["normal"], table["formula_id"], strict=True))
    spread_table = pd.DataFrame(spread, columns=["normal", *SPREAD_COLUMNS[1:]])
    spread_table.insert(0, "formula_id", spread_table["normal"].map(ids))
    spread_table = spread_table[SPREAD_COLUMNS].sort_values(["formula_id", "order"], ignore_index=True)
    pairs = pair_table(table, where, order, spans, dates, credit, names, aliases)
    return {"formulas.csv": table, "formula_spread.csv": spread_table, "formula_pairs.csv": pairs}


def credits(references: pd.DataFrame) -> dict[str, list[str]]:
    """Per document, the places it says it learns from (`learns_from` rows of references.csv), in order."""
    rows = references[references["relation"] == LEARNS_FROM]
    return {s: list(dict.fromkeys(g["place"])) for s, g in rows.groupby("source_id", sort=False)}


def covers(credited: str, names: Iterable[str], aliases: Mapping[str, list[str]]) -> bool:
    """Whether crediting `credited` credits a document known by `names` (its place, and its province
    and place): one of the names begins with the credited name, or with a place of its alias
    (广州 covers 广州市天河区, 浙江 covers 浙江省衢州市, 广深 covers 深圳市)."""
    wanted = aliases.get(credited, [credited])
    return any(name and w and name.startswith(w) for name in names for w in wanted)


def _credited(source: str, before: list[str], credited: Mapping[str, list[str]], names: Mapping[str, list[str]],
              aliases: Mapping[str, list[str]]) -> list[str]:
    """The places `source` credits (`credited`, from `credits`) that cover one of the `before` sources."""
    return [c for c in credited.get(source, []) if any(covers(c, names[e], aliases) for e in before)]


def _union_length(intervals: list[tuple[int, int]]) -> tuple[int, int]:
    """(stretches, characters) of the union of half-open intervals."""
    stretches = chars = 0
    end = -1
    for a, b in sorted(intervals):
        if a >= end:
            stretches += 1
            chars += b - a
        elif b > end:
            chars += b - end
        end = max(end, b)
    return stretches, chars


def pair_table(formulas: pd.DataFrame, where: Mapping[str, Mapping[str, int]], order: list[str],
               spans: Mapping[str, tuple[date, date] | None], dates: Mapping[str, str],
               credit: Mapping[str, list[str]], names: Mapping[str, list[str]],
               aliases: Mapping[str, list[str]]) -> pd.DataFrame:
    """For each document and each earlier one that it shares a formula with or credits: the quoted
    or numbered formulas both write, the stretches of text they share (overlapping passages merged,
    in the later document), the national formulas both use, and whether the later declares
    learning from the earlier's place."""
    # Counted formula by formula over the pairs of its users, so the work grows with how widely
    # formulas are shared, not with (pairs of documents) × (formulas).
    formulas_n: dict[tuple[str, str], int] = defaultdict(int)
    national_n: dict[tuple[str, str], int] = defaultdict(int)
    stretches: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for r in formulas.itertuples():
        users = r.documents.split(";")
        for later in users:
            for before in users:
                if not earlier(spans[before], spans[later]):
                    continue
                if r.national and spans[before][0].year >= r.national_year:
                    national_n[(later, before)] += 1
                elif r.kind == "passage":
                    start = where[r.normal][later]
                    stretches[(later, before)].append((start, start + r.n_chars))
                else:
                    formulas_n[(later, before)] += 1
    rows = []
    for later in order:
        for before in order:
            if not earlier(spans[before], spans[later]):
                continue
            key = (later, before)
            credited = _credited(later, [before], credit, names, aliases)
            n_passages, chars = _union_length(stretches.get(key, []))
            shared = formulas_n.get(key, 0) + n_passages > 0
            if not (shared or credited or national_n.get(key)):
                continue
            rows.append({"source_id": later, "earlier_source": before, "n_formulas": formulas_n.get(key, 0),
                         "n_passages": n_passages, "shared_chars": chars, "n_national": national_n.get(key, 0),
                         "declared": bool(credited), "credited_place": ";".join(credited),
                         "agreement": AGREEMENT[(bool(credited), shared)]})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)
