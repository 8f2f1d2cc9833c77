"""Reform formulas and shared passages, found in the documents' texts (stage 8, networks).

Chinese reform documents name their reforms in fixed formulas (“最多跑一次”, “证照分离”,
“双随机、一公开”) and share longer fixed passages (行政执法公示、执法全过程记录、重大执法决定法制审核).
Three kinds are found in the whole cleaned text of every document (`documents.csv` text: title,
preamble, framing paragraphs, headings and items alike):

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

Who shares which formula, who was earlier and who credits whom: `analysis.spread`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from ..base.chinese import normal, normal_with_positions
from ..rules.formulas import Params

KINDS = ("quoted", "numbered", "passage")
QUOTES = [("“", "”"), ("「", "」"), ("『", "』"), ("‘", "’")]
_CJK = re.compile(r"[\u4e00-\u9fff]")

# normal form → (kind, the form first written, where each source writes it in its text)
Uses = dict[str, tuple[str, str, dict[str, list[int]]]]


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


def written_at(text: str, patterns: Iterable[re.Pattern], params: Params) -> list[tuple[int, str, str]]:
    """(start, kind, span) of each formula written in a text, in order: quoted spans, and numbered
    formulas that are not the whole of a quoted one (“一窗受理” is one quoted formula, not also a
    numbered one; in “一窗受理、集成服务” both are written)."""
    quotes = _quoted_at(text, params)
    out = [(start, 0, "quoted", span) for start, _, span in quotes]
    whole = {(q0, q1) for q0, q1, _ in quotes}
    out += [(start, 1, "numbered", span) for start, end, span in _numbered_at(text, patterns)
            if (start, end) not in whole]
    return [(start, kind, span) for start, _, kind, span in sorted(out)]


def written_formulas(text: str, patterns: Iterable[re.Pattern], params: Params) -> list[tuple[str, str]]:
    """(kind, span) of each formula written in a text, in order (`written_at` without positions)."""
    return [(kind, span) for _, kind, span in written_at(text, patterns, params)]


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


def _occurrences(text: str, piece: str) -> list[int]:
    """Where `piece` starts in `text`, occurrences not overlapping (as str.count counts them)."""
    out, at = [], text.find(piece)
    while at >= 0:
        out.append(at)
        at = text.find(piece, at + len(piece))
    return out


def written_uses(texts: Mapping[str, str], order: Iterable[str], patterns: Iterable[re.Pattern],
                 params: Params) -> Uses:
    """Who writes each quoted or numbered formula: normal form → kind, the form first written (in
    `order`, the documents by date) and where each source writes it in its text."""
    found: Uses = {}
    for s in order:
        for start, kind, span in written_at(texts[s], patterns, params):
            form = normal(span)
            if len(form) < params.min_chars:
                continue
            was, shown, at = found.get(form, (kind, span.strip(), {}))
            if kind == "quoted" and was != "quoted":  # quoted somewhere: a quoted formula
                was, shown = kind, span.strip()
            at.setdefault(s, []).append(start)
            found[form] = (was, shown, at)
    return found


def passage_uses(texts: Mapping[str, str], order: Iterable[str], found: Uses, params: Params
                 ) -> tuple[Uses, dict[str, dict[str, int]]]:
    """Shared passages, found in each document's normal text, shown as the earliest user wrote it
    (the first in `order`), and, per passage, each user's first start in its normal text. A passage
    that is a written formula of `found` (or part of one) shared by its writers is left out: counted once."""
    normals = {s: normal_with_positions(texts[s]) for s in order}
    forms = {s: form for s, (form, _) in normals.items()}
    long_written = [(f, set(found[f][2])) for f in found if len(f) >= params.passage_chars]
    uses: Uses = {}
    starts: dict[str, dict[str, int]] = {}
    for passage in shared_passages(forms, params.passage_chars):
        held = set(passage.users)
        if any((f in passage.text or passage.text in f) and held <= users for f, users in long_written):
            continue
        first = passage.users[0]
        at = normals[first][1]
        start, stop = at[passage.starts[0]], at[passage.starts[0] + len(passage.text) - 1] + 1
        uses[passage.text] = ("passage", texts[first][start:stop], {
            s: [normals[s][1][i] for i in _occurrences(forms[s], passage.text)] for s in passage.users})
        starts[passage.text] = dict(zip(passage.users, passage.starts, strict=True))
    return uses, starts
