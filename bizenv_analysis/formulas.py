"""Reform formulas and how they spread between documents (stage 7).

Chinese reform documents name their reforms in fixed formulas (“最多跑一次”, “证照分离”,
“双随机、一公开”) and share longer fixed passages (行政执法公示、执法全过程记录、重大执法决定法制审核).
Three kinds are found, each in every item of `measures.csv` (general parts included):

- **quoted**: a span inside “…”, 「…」, 『…』 or ‘…’ of `min_chars`–`max_quote_chars` characters
  with at least one Chinese character;
- **numbered**: the patterns of `formula_patterns.csv` (1+5+16, 五个一, 多证合一 …);
- **passage**: a stretch of at least `passage_chars` characters that two documents share
  verbatim. Exact: every `passage_chars`-character shingle of each document is indexed, and for
  each pair of documents sharing one, the longest common stretch is grown from its start.

Texts are compared in a normal form (`normal`): NFKC, Traditional → Simplified (OpenCC), and
every character that is not a letter or a digit dropped, so “双随机、一公开” and “双随机一公开”
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

import pandas as pd

from .references import LEARNS_FROM

KINDS = ("quoted", "numbered", "passage")
FORMULA_COLUMNS = ["formula_id", "kind", "formula", "normal", "n_chars", "n_documents", "documents", "first_source",
                   "first_date", "n_occurrences", "national", "national_basis", "example_measure"]
SPREAD_COLUMNS = ["formula_id", "source_id", "date", "order", "role", "n_occurrences", "first_measure",
                  "earlier_sources", "declares_learning", "credited_place"]
PAIR_COLUMNS = ["source_id", "earlier_source", "n_shared", "n_shared_national", "n_passages", "shared_chars",
                "declared", "credited_place", "agreement"]
PARAMS = ("min_chars", "max_quote_chars", "passage_chars", "max_passage_chars")
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
    max_passage_chars: int = 200  # a longer shared stretch is cut here (copied paragraphs)

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


def quoted(text: str, params: Params) -> list[str]:
    """The quoted spans of a text that can be formulas, in order (inner quotes kept)."""
    found = []
    for left, right in QUOTES:
        pattern = re.compile(f"{re.escape(left)}([^{re.escape(left + right)}\n]{{1,{params.max_quote_chars}}})"
                             f"{re.escape(right)}")
        found += [(m.start(), m.group(1)) for m in pattern.finditer(text)]
    return [span for _, span in sorted(found)
            if _CJK.search(span) and len(normal(span)) >= params.min_chars]


def numbered(text: str, patterns: Iterable[re.Pattern]) -> list[str]:
    """The numbered formulas (1+5+16, 五个一 …) of a text, in order."""
    found = [(m.start(), m.group(0)) for p in patterns for m in p.finditer(text)]
    return [span for _, span in sorted(found)]


def _longest_prefix_in(a: str, start: int, b: str, low: int, high: int) -> int:
    """The largest L in [low, high] with a[start:start+L] in b (given a[start:start+low] is):
    containment is monotone in L, so a binary search finds it."""
    while low < high:
        mid = (low + high + 1) // 2
        if a[start:start + mid] in b:
            low = mid
        else:
            high = mid - 1
    return low


def shared_passages(texts: Mapping[str, str], n: int, longest: int = 200) -> list[tuple[str, str, str]]:
    """(source_a, source_b, passage) for every stretch of ≥ n characters that two of the normal
    `texts` share, each pair's passages grown left to right from their first shared shingle."""
    index: dict[str, set[str]] = defaultdict(set)
    for source, text in texts.items():
        for i in range(len(text) - n + 1):
            index[text[i:i + n]].add(source)
    ids = sorted(texts)
    out = []
    for x, a in enumerate(ids):
        text_a = texts[a]
        for b in ids[x + 1:]:
            text_b = texts[b]
            i = 0
            while i <= len(text_a) - n:
                if b not in index.get(text_a[i:i + n], ()):
                    i += 1
                    continue
                length = _longest_prefix_in(text_a, i, text_b, n, min(longest, len(text_a) - i))
                out.append((a, b, text_a[i:i + length]))
                i += length
    return out


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
    items = items.assign(_normal=[normal(t) for t in items["text"]])

    # Who writes each quoted or numbered formula (normal form → kind, first written form, sources).
    written: dict[str, list] = {}
    for item in items.itertuples():
        for kind, spans in (("quoted", quoted(item.text, params)), ("numbered", numbered(item.text, patterns))):
            for span in spans:
                form = normal(span)
                if len(form) < params.min_chars:
                    continue
                entry = written.setdefault(form, [kind, span.strip(), set()])
                entry[2].add(item.source_id)
                if kind == "quoted" and entry[0] != "quoted":  # quoted somewhere: a quoted formula
                    entry[0], entry[1] = kind, span.strip()
    # Shared passages, found in each document's normal text, shown as the earlier document wrote them.
    whole = {s: "\n".join(g["text"]) for s, g in items.groupby("source_id", sort=False)}
    normals = {s: normal_with_positions(whole[s]) for s in order}
    texts = {s: n for s, (n, _) in normals.items()}
    passages: dict[str, tuple[str, set[str]]] = {}
    for a, b, passage in shared_passages(texts, params.passage_chars, params.max_passage_chars):
        if passage in written or passage in passages:
            continue
        first = a if order.index(a) < order.index(b) else b
        where = normals[first][1]
        start = texts[first].index(passage)
        shown = whole[first][where[start]:where[start + len(passage) - 1] + 1]
        passages[passage] = (shown, {s for s in order if passage in texts[s]})
    passages = {p: v for p, v in passages.items() if not _inside_longer(p, v[1], passages)}
    found = {form: (kind, shown, users) for form, (kind, shown, users) in written.items()}
    found |= {form: ("passage", shown, users) for form, (shown, users) in passages.items()}

    rows, spread = [], []
    for form, (kind, shown, writers) in found.items():
        users = [s for s in order if s in writers]
        uses = {s: items[(items["source_id"] == s) & items["_normal"].str.contains(form, regex=False)] for s in users}
        counts = {s: sum(t.count(form) for t in uses[s]["_normal"]) for s in users}
        basis = national.of(form, params.passage_chars)
        rows.append({"kind": kind, "formula": shown, "normal": form, "n_chars": len(form),
                     "n_documents": len(users), "documents": ";".join(users), "first_source": users[0],
                     "first_date": dates[users[0]], "n_occurrences": sum(counts.values()),
                     "national": bool(basis), "national_basis": basis,
                     "example_measure": uses[users[0]]["measure_id"].iloc[0] if len(uses[users[0]]) else ""})
        for k, s in enumerate(users, start=1):
            earlier = [e for e in users[:k - 1] if dates[e] < dates[s]]
            credited = _credited(s, earlier, references, places, aliases)
            spread.append({"normal": form, "source_id": s, "date": dates[s], "order": k,
                           "role": "first" if k == 1 else ("adopter" if earlier else "same date as first"),
                           "n_occurrences": counts[s],
                           "first_measure": uses[s]["measure_id"].iloc[0] if len(uses[s]) else "",
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


def _inside_longer(passage: str, users: set[str], passages: Mapping[str, tuple[str, set[str]]]) -> bool:
    """Whether a longer shared passage contains `passage` and is used by the same documents (then
    the shorter one says nothing more)."""
    return any(len(other) > len(passage) and passage in other and others == users
               for other, (_, others) in passages.items())


def credits(source: str, references: pd.DataFrame) -> list[str]:
    """The places a document says it learns from (`learns_from` rows of references.csv), in order."""
    rows = references[(references["source_id"] == source) & (references["relation"] == LEARNS_FROM)]
    return list(dict.fromkeys(rows["place"]))


def covers(credited: str, place: str, aliases: Mapping[str, list[str]]) -> bool:
    """Whether crediting `credited` credits a document of `place`: the same place or one inside it
    (广州 covers 广州市天河区), directly or through an alias (广深 → 广州, 深圳)."""
    names = aliases.get(credited, [credited])
    return bool(place) and any(name and place.startswith(name) for name in names)


def _credited(source: str, earlier: list[str], references: pd.DataFrame, places: Mapping[str, str],
              aliases: Mapping[str, list[str]]) -> list[str]:
    """The places `source` credits that cover one of the `earlier` sources' places."""
    return [c for c in credits(source, references) if any(covers(c, places[e], aliases) for e in earlier)]


def pair_table(formulas: pd.DataFrame, order: list[str], dates: Mapping[str, str], references: pd.DataFrame,
               places: Mapping[str, str], aliases: Mapping[str, list[str]]) -> pd.DataFrame:
    """For every pair of a document and a strictly earlier one: the formulas they share (national
    ones apart), and whether the later declares learning from the earlier's place."""
    users = {r.formula_id: (set(r.documents.split(";")), r.national, r.kind, r.n_chars)
             for r in formulas.itertuples()}
    rows = []
    for later in order:
        for earlier in order:
            if not dates[earlier] < dates[later]:
                continue
            both = [(nat, kind, n) for docs, nat, kind, n in users.values() if {later, earlier} <= docs]
            local = [(kind, n) for nat, kind, n in both if not nat]
            credited = _credited(later, [earlier], references, places, aliases)
            rows.append({"source_id": later, "earlier_source": earlier, "n_shared": len(local),
                         "n_shared_national": len(both) - len(local),
                         "n_passages": sum(kind == "passage" for kind, _ in local),
                         "shared_chars": sum(n for kind, n in local if kind == "passage"),
                         "declared": bool(credited), "credited_place": ";".join(credited),
                         "agreement": AGREEMENT[(bool(credited), bool(local))]})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)
