"""Reform formulas: who shares them, who was earlier, who credits whom (stage 8, networks).

The formulas and shared passages are found in the texts by `text.formulas`; this module places each use
in its measure and writes formulas.csv, formula_spread.csv and formula_pairs.csv, and what they add up
to in formula_summary.csv (pairs in date order, formulas written against formulas present in the
text, and whether sharing formulas goes with naming the earlier place).

Each use is placed in the measure whose lines hold it (`measures.csv` line_start–line_end, the
first such measure in table order, as `references.csv` places a mention), or in none: a use in a
framing paragraph, a preamble or a heading outside every item has no measure. The tables name the
first measure holding a use (empty when every use lies outside the measures) and count the uses
outside.

Spread: a document's date (`sources.csv`) is a day, a month or a year, read as the span it
covers; one document is earlier than another when its span ends before the other's begins
(2023-08-20 is earlier than 2024; 2024 and 2024-03-01 are not ordered). A formula's first users
are those no other user is earlier than; the others are adopters; a document with no readable
date is `undated`. The first users are the origin in this corpus, not where the formula was
coined.

Credit is per formula. A document credits a place for a formula when one of its `learns_from`
rows (`references.csv`) names that formula as the practice it takes (学习广州“订制式审批服务”做法:
the formula lies inside the practice's name, or the name inside the formula) or, naming no
practice (借鉴深圳做法,优化“工改工”…), stands in the sentence of one of the document's uses of the
formula or in a sentence next to it (`NEIGHBOURS`). A credit that names a practice covers that
practice only: 借鉴深圳“深i企”做法,以“企莞家”为载体 credits 深圳 for 深i企, not for 企莞家. An
adopter *declares* learning for a formula when it credits, for that formula, a place that covers
an earlier user: the user's place, or a name its place or province begins with (广州 covers
广州市天河区, 浙江 covers 衢州市 in 浙江省; aliases such as 广深 in `place_aliases.csv`).

Not every shared formula is evidence that one document took it from another. For a later and an
earlier user, a shared formula is set apart, first rule that applies, as
- `national`: in `national_formulas.csv` (reforms, strategies and slogans, each with the national
  document or body that set it and its year), or containing one, or, being at least
  `passage_chars` characters long, contained in one; set apart when the earlier used it in or after
  the national year (an earlier use can be where the national formula came from, and counts);
- `generic`: a term of `generic_terms.csv` (大数据, 一窗受理 …), words every place writes;
- `borrowed`: the earlier user itself credits a place for it (dongguan-2023 credits 广州 for
  订制式审批服务): it says where the formula came from, which may be the later user's own place,
  so the later user is not counted as taking it from the earlier one.
The rest count as shared. The rows of set-apart formulas are kept, marked, with the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..base.chinese import normal
from ..base.order import source_order
from ..rules.formulas import Generic, National, Params
from ..rules.references import LEARNS_FROM
from ..text.formulas import KINDS, passage_uses, written_uses
from ..text.measures import measure_lines
from ..text.references import SENTENCE_END  # SENTENCE_END: the split of references.csv's `sentence`

FORMULA_COLUMNS = ["formula_id", "kind", "formula", "normal", "n_chars", "n_documents", "documents", "first_source",
                   "first_date", "n_occurrences", "national", "national_year", "national_basis", "generic",
                   "first_credits", "example_measure"]
SPREAD_COLUMNS = ["formula_id", "source_id", "date", "order", "role", "n_occurrences", "first_measure",
                  "n_outside_measures", "earlier_sources", "credits", "credit_basis", "declares_learning",
                  "credited_place", "earlier_credits", "spread_evidence"]
PAIR_COLUMNS = ["source_id", "earlier_source", "n_formulas", "n_passages", "shared_chars", "n_national", "n_generic",
                "n_borrowed", "counted_formulas", "excluded_formulas", "n_credited", "credited_formulas", "declared",
                "credited_place", "names_place", "agreement"]
# Why a shared formula is not counted as shared between a later and an earlier user (first that applies).
NATIONAL, GENERIC, BORROWED = "national", "generic", "borrowed"
# How a credit reaches a formula, strongest first: it names the formula as its practice; it stands
# in the sentence of a use; in a sentence next to one.
BASES = ("practice", "sentence", "neighbour")
NEIGHBOURS = 1  # sentences either side of a credit that a credit naming no practice reaches
AGREEMENTS = ("declared and shared", "shared, never credited", "place named, nothing shared", "neither")


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

@dataclass(frozen=True)
class Credit:
    """A `learns_from` row of a document as formulas read it."""

    place: str
    practice: str  # the practice it names, in normal form ("" when it names none)
    sentences: tuple[tuple[int, int], ...]  # (first, last) sentence index of each place its sentence stands in the text


def sentence_ends(text: str) -> list[int]:
    """Where each sentence of a text ends (`SENTENCE_END`): sentence k is the text between ends k-1 and k.

    The split is references.py's own: a credit's sentence is found in its document by its text,
    so the split decides only which sentences are neighbours."""
    return [m.start() for m in SENTENCE_END.finditer(text)]


def credits(references: pd.DataFrame, texts: Mapping[str, str]) -> dict[str, list[Credit]]:
    """Per document, its `learns_from` rows of references.csv (columns source_id, place, relation,
    practice, sentence), in order, each with the sentences its `sentence` covers in the document's
    text: every place it stands whole, none when it is not found (such a row reaches a formula only
    through the practice it names)."""
    cols = ["source_id", "place", "relation", "practice", "sentence"]
    rows = references.reindex(columns=cols).fillna("")
    rows = rows[rows["relation"] == LEARNS_FROM]
    out: dict[str, list[Credit]] = {}
    ends: dict[str, list[int]] = {}
    for r in rows.itertuples():
        text = texts.get(r.source_id, "")
        if r.source_id not in ends:
            ends[r.source_id] = sentence_ends(text)
        sentence = str(r.sentence).strip()
        found, at = [], text.find(sentence) if sentence else -1
        while at >= 0:
            found.append((bisect_left(ends[r.source_id], at), bisect_left(ends[r.source_id], at + len(sentence) - 1)))
            at = text.find(sentence, at + 1)
        out.setdefault(r.source_id, []).append(Credit(str(r.place), normal(str(r.practice)), tuple(found)))
    return out


def credits_for(form: str, sentences: Iterable[int], rows: Iterable[Credit], min_chars: int) -> dict[str, str]:
    """The places a document credits for one formula, each with how (`BASES`, the strongest when
    several rows credit it): `form` is the formula's normal form, `sentences` the sentence indexes
    of the document's uses of it, `rows` the document's credits. A row naming a practice credits
    the formula when the formula lies inside the practice's name or the name (of at least
    `min_chars` characters) inside the formula; a row naming none, when one of the uses stands in
    its sentence or within `NEIGHBOURS` sentences of it."""
    near = set(sentences)
    out: dict[str, str] = {}
    for c in rows:
        if c.practice:
            if not (form in c.practice or (len(c.practice) >= min_chars and c.practice in form)):
                continue
            basis = BASES[0]
        else:
            gaps = [0 if lo <= j <= hi else min(abs(j - lo), abs(j - hi)) for lo, hi in c.sentences for j in near]
            if not gaps or min(gaps) > NEIGHBOURS:
                continue
            basis = BASES[1] if min(gaps) == 0 else BASES[2]
        if c.place not in out or BASES.index(basis) < BASES.index(out[c.place]):
            out[c.place] = basis
    return out


class _Document:
    """A document's cleaned text, where its lines and sentences end, and its measures by line."""

    def __init__(self, text: str, measure_of_line: Mapping[int, str]):
        self.text = text
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.ends = sentence_ends(text)
        self.measure_of_line = measure_of_line

    def measure(self, pos: int) -> str:
        """The measure holding the character at `pos` ("" when none does)."""
        return self.measure_of_line.get(bisect_left(self.newlines, pos) + 1, "")

    def sentence(self, pos: int) -> int:
        """The index of the sentence holding the character at `pos`."""
        return bisect_left(self.ends, pos)



@dataclass
class _Found:
    """A formula as the pair table needs it."""

    normal: str
    kind: str
    users: list[str]  # by date
    year: int | None  # national year (None: not national)
    generic: bool
    credits: dict[str, dict[str, str]]  # user → place it credits for the formula → basis
    starts: dict[str, int] = field(default_factory=dict)  # a passage: its first start in each user's normal text
    formula_id: str = ""


def set_apart(year: int | None, generic: bool, earlier_credits: Mapping[str, str], earlier_span: tuple[date, date]
              ) -> str:
    """Why a formula shared by a later and an earlier user is not counted as shared ("" when it is):
    `national` when the earlier used it in or after the national `year`, else `generic`, else
    `borrowed` when the earlier credits a place for it (`earlier_credits`)."""
    if year is not None and earlier_span[0].year >= year:
        return NATIONAL
    if generic:
        return GENERIC
    if earlier_credits:
        return BORROWED
    return ""


def _said(sources: Iterable[str], credited: Mapping[str, Mapping[str, str]]) -> str:
    """The sources of `sources` that credit a place, as 'source: place、place; source: place'."""
    return "; ".join(f"{s}: {'、'.join(credited[s])}" for s in sources if credited[s])


def formula_tables(measures: pd.DataFrame, documents: pd.DataFrame, references: pd.DataFrame,
                   patterns: Iterable[re.Pattern], national: National, aliases: Mapping[str, list[str]],
                   params: Params, provinces: Mapping[str, str] | None = None,
                   generic: Generic | None = None) -> dict[str, pd.DataFrame]:
    """formulas.csv, formula_spread.csv and formula_pairs.csv for a corpus (see the module docstring).

    `documents` needs source_id, date, place and text (the cleaned text, searched whole); `measures`
    needs measure_id, source_id, line_start and line_end (to place each use in its measure);
    `references` the columns of references.csv that `credits` reads; `provinces` (source_id →
    province) lets a credit to a province cover its documents; `generic` the generic terms.
    """
    patterns = list(patterns)
    generic = generic or Generic()
    spans = {r.source_id: date_span(r.date) for r in documents.itertuples()}
    raw = {r.source_id: "" if pd.isna(r.text) else str(r.text) for r in documents.itertuples()}
    far = date.max
    order = sorted((s for s in raw if raw[s].strip()), key=lambda s: (spans[s] or (far, far), s))  # undated last
    dates = {r.source_id: "" if pd.isna(r.date) else str(r.date) for r in documents.itertuples()}
    names = {r.source_id: [str(r.place) if not pd.isna(r.place) else ""] for r in documents.itertuples()}
    for s, province in (provinces or {}).items():
        if s in names and province:
            names[s].append(province + names[s][0])
    rank = {s: i for i, s in enumerate(order)}
    lines = measure_lines(measures)
    docs = {s: _Document(raw[s], lines.get(s, {})) for s in order}

    found = written_uses(raw, order, patterns, params)
    passages, starts = passage_uses(raw, order, found, params)
    found |= passages

    credit = credits(references, raw)
    rows, spread, kept = [], [], []
    for form, (kind, shown, at) in found.items():
        users = [s for s in order if s in at]
        firsts = [s for s in users if spans[s] is not None and not any(earlier(spans[e], spans[s]) for e in users)]
        basis, year = national.of(form, params.passage_chars)
        own = {s: credits_for(form, (docs[s].sentence(p) for p in at[s]), credit.get(s, []), params.min_chars)
               for s in users}
        where = {s: [docs[s].measure(p) for p in at[s]] for s in users}  # "" for a use outside every measure
        within = {s: next((m for m in where[s] if m), "") for s in users}  # the first measure holding a use
        rows.append({"kind": kind, "formula": shown, "normal": form, "n_chars": len(form),
                     "n_documents": len(users), "documents": ";".join(users), "first_source": ";".join(firsts),
                     "first_date": dates[firsts[0]] if firsts else "", "n_occurrences": sum(len(at[s]) for s in users),
                     "national": bool(basis), "national_year": year, "national_basis": basis,
                     "generic": form in generic, "first_credits": _said(firsts, own),
                     "example_measure": within[(firsts or users)[0]]})
        for k, s in enumerate(users, start=1):
            before = [e for e in users if earlier(spans[e], spans[s])]
            credited = [p for p in own[s] if any(covers(p, names[e], aliases) for e in before)]
            spread.append({"normal": form, "source_id": s, "date": dates[s], "order": k,
                           "role": "undated" if spans[s] is None else ("adopter" if before else "first"),
                           "n_occurrences": len(at[s]), "first_measure": within[s],
                           "n_outside_measures": sum(not m for m in where[s]), "earlier_sources": ";".join(before),
                           "credits": ";".join(own[s]),
                           "credit_basis": min(own[s].values(), key=BASES.index, default=""),
                           "declares_learning": bool(credited), "credited_place": ";".join(credited),
                           "earlier_credits": _said(before, own),
                           "spread_evidence": any(not set_apart(year, form in generic, own[e], spans[e])
                                                  for e in before)})
        kept.append(_Found(form, kind, users, year, form in generic, own, starts.get(form, {})))
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
    for f in kept:
        f.formula_id = ids[f.normal]
    pairs = pair_table(sorted(kept, key=lambda f: f.formula_id), order, spans, credit, names, aliases)
    return {"formulas.csv": table, "formula_spread.csv": spread_table, "formula_pairs.csv": pairs}


def covers(credited: str, names: Iterable[str], aliases: Mapping[str, list[str]]) -> bool:
    """Whether crediting `credited` credits a document known by `names` (its place, and its province
    and place): one of the names begins with the credited name, or with a place of its alias
    (广州 covers 广州市天河区, 浙江 covers 浙江省衢州市, 广深 covers 深圳市)."""
    wanted = aliases.get(credited, [credited])
    return any(name and w and name.startswith(w) for name in names for w in wanted)


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


def agreement(declared: bool, shared: bool, names_place: bool) -> str:
    """How a pair's declared learning and its sharing agree (`AGREEMENTS`): a shared formula credited
    (declared and shared), formulas shared but none credited, nothing shared though the later credits
    the earlier's place for something, or neither (the pair shares only formulas set apart)."""
    if shared:
        return AGREEMENTS[0] if declared else AGREEMENTS[1]
    return AGREEMENTS[2] if names_place else AGREEMENTS[3]


def pair_table(found: list[_Found], order: list[str], spans: Mapping[str, tuple[date, date] | None],
               credit: Mapping[str, list[Credit]], names: Mapping[str, list[str]],
               aliases: Mapping[str, list[str]]) -> pd.DataFrame:
    """For each document and each earlier one that it shares a formula with or whose place it
    credits: the shared formulas counted (quoted or numbered ones both write; stretches of text they
    share, overlapping passages merged, in the later document), those set apart (national, generic,
    borrowed: `set_apart`), and the counted ones the later credits to a place covering the earlier."""
    # Counted formula by formula over the pairs of its users, so the work grows with how widely
    # formulas are shared, not with (pairs of documents) × (formulas).
    counted: dict[tuple[str, str], list[str]] = defaultdict(list)
    written: dict[tuple[str, str], int] = defaultdict(int)
    stretches: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    apart: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)  # (reason, what the table shows)
    credited: dict[tuple[str, str], list[str]] = defaultdict(list)
    places: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for f in found:
        for later in f.users:
            for before in f.users:
                if not earlier(spans[before], spans[later]):
                    continue
                key = (later, before)
                why = set_apart(f.year, f.generic, f.credits[before], spans[before])
                if why:
                    said = f" ({'、'.join(f.credits[before])})" if why == BORROWED else ""
                    apart[key].append((why, f"{f.formula_id} {why}{said}"))
                    continue
                counted[key].append(f.formula_id)
                if f.kind == "passage":
                    stretches[key].append((f.starts[later], f.starts[later] + len(f.normal)))
                else:
                    written[key] += 1
                by = [p for p in f.credits[later] if covers(p, names[before], aliases)]
                if by:
                    credited[key].append(f.formula_id)
                    places[key].update(dict.fromkeys(by))
    rows = []
    for later in order:
        for before in order:
            if not earlier(spans[before], spans[later]):
                continue
            key = (later, before)
            named = any(covers(c.place, names[before], aliases) for c in credit.get(later, []))
            if not (key in counted or key in apart or named):
                continue
            n_passages, chars = _union_length(stretches.get(key, []))
            reasons = [why for why, _ in apart.get(key, [])]
            rows.append({"source_id": later, "earlier_source": before, "n_formulas": written.get(key, 0),
                         "n_passages": n_passages, "shared_chars": chars, "n_national": reasons.count(NATIONAL),
                         "n_generic": reasons.count(GENERIC), "n_borrowed": reasons.count(BORROWED),
                         "counted_formulas": ";".join(counted.get(key, [])),
                         "excluded_formulas": "; ".join(shown for _, shown in apart.get(key, [])),
                         "n_credited": len(credited.get(key, [])), "credited_formulas": ";".join(credited.get(key, [])),
                         "declared": key in credited, "credited_place": ";".join(places.get(key, {})),
                         "names_place": named, "agreement": agreement(key in credited, key in counted, named)})
    return pd.DataFrame(rows, columns=PAIR_COLUMNS)


# --- what the formula tables add up to (formula_summary.csv) ----------------------------------------

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
