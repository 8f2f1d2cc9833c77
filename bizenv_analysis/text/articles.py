"""A regulation's legal structure: its articles (条) with their chapter and part, their paragraphs (款)
and points (项), and the deontic statements of their sentences.

Articles come from the documents whose measures are articles (`structure.measure_style ==
"article"`); each is the row of `measures.csv` that holds it (`measure_id`: articles under 总则 or
附则 are general items there, numbered apart, so the article number is not the measure number). The
chapter (第X章) and section (第X节) of an article are read from the same outline lines the segmenter
reads. A text whose first chapter heading is 第二章 (henan-2020 lost its 第一章 line upstream) has
its articles before it placed in chapter 1, marked `chapter_inferred`.

The part of an article (general, substantive, liability, supplementary) is its chapter's kind,
from the chapter title (`legal_parts.csv`, field `chapter_title`): another titled chapter is
substantive. Without a chapter (yantai-2021), the article's own text decides (field
`article_text`: a purpose or scope clause is general, 本条例自…起施行 supplementary, a sanction
for breaking the regulation liability; anything else substantive). An inferred chapter takes the
part its first article's text gives (the purpose clause 为了…制定本条例: general).

Paragraphs are the lines of the article's text (cleaning keeps one paragraph per line); points
are the lines numbered (一) (二) … (the `section` style), each belonging to the paragraph before it.
A deontic statement is a modality a sentence (cut after 。 or ;) of a paragraph or point gives by
its cues (`deontic.csv`): one statement per modality, at its first cue, so 应当…,不得… gives two and
鼓励和支持 one. Its addressee is the `addressees.csv` match that ends nearest before the cue in the
same sentence (an earlier row wins a tie), else `unspecified`.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from ..rules.legal import MODALITIES, UNSPECIFIED, LegalRules
from ..rules.measures import Grammar
from .outline import cn_number, heading_text, read, runs

ARTICLE_COLUMNS = [
    "article_id", "source_id", "number", "measure_id", "chapter_no", "chapter_title", "chapter_inferred",
    "section_no", "section_title", "chapter_kind", "part", "title", "text", "n_chars", "n_paragraphs", "n_points",
    *(f"n_{m}" for m in MODALITIES), "main_addressee", "line_start", "line_end",
]
PROVISION_COLUMNS = ["unit_id", "article_id", "source_id", "paragraph", "point", "text", "n_chars"]
DEONTIC_COLUMNS = ["statement_id", "unit_id", "article_id", "source_id", "modality", "cue", "addressee",
                   "addressee_text", "offset", "sentence"]
MIN_DIGITS = 3  # article numbers in ids are padded to at least this many digits (…:a007)
NO_CHAPTER = "none"  # the chapter kind of an article in a text without chapters
SUBSTANTIVE = "substantive"
_SENTENCE_END = "。;；"


def article_id(source_id: str, number: int, digits: int) -> str:
    """`<source_id>:a<number>`, the number zero-padded to `digits`, so that ids sort as text."""
    return f"{source_id}:a{number:0{digits}d}"


def chapter_kind(title: str, legal: LegalRules) -> str:
    """The kind of a chapter from its title: the part of the first `chapter_title` rule that matches,
    else substantive."""
    return next((part for part, field, pattern in legal.parts
                 if field == "chapter_title" and pattern.search(title)), SUBSTANTIVE)


def article_part(kind: str, text: str, legal: LegalRules) -> str:
    """An article's part: its chapter's kind, or, without a chapter (`kind` none), the part of the
    first `article_text` rule that matches its text, else substantive."""
    if kind != NO_CHAPTER:
        return kind
    return next((part for part, field, pattern in legal.parts
                 if field == "article_text" and pattern.search(text)), SUBSTANTIVE)


def provisions(article_id: str, text: str, grammar: Grammar) -> list[dict]:
    """The 款 (paragraphs: `<article_id>.k<p>`) and 项 (points: `<article_id>.k<p>.x<q>`, q the
    point's own number) of an article's text, in order; a point belongs to the paragraph before it."""
    rows, p = [], 0
    for line in text.split("\n"):
        point = grammar.levels["section"].match(line)
        if point and p > 0:
            q = cn_number(point["num"])
            rows.append({"unit_id": f"{article_id}.k{p}.x{q}", "paragraph": p, "point": q, "text": line})
        else:
            p += 1
            rows.append({"unit_id": f"{article_id}.k{p}", "paragraph": p, "point": None, "text": line})
    for r in rows:
        r["n_chars"] = len(r["text"])
    return rows


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) for each sentence of `text`, cut after 。 ; ；."""
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in _SENTENCE_END:
            out.append((start, text[start:i + 1]))
            start = i + 1
    if start < len(text):
        out.append((start, text[start:]))
    return out


def _addressee(before: str, legal: LegalRules) -> tuple[str, str]:
    """(addressee, the words matched) ending nearest the end of `before`; an earlier row wins a tie."""
    best: tuple[int, int, str, str] | None = None  # (end, -row, addressee, text)
    for row, (name, pattern) in enumerate(legal.addressees):
        for m in pattern.finditer(before):
            key = (m.end(), -row, name, m.group())
            if best is None or key[:2] > best[:2]:
                best = key
    return (best[2], best[3]) if best else (UNSPECIFIED, "")


def deontic_statements(unit_id: str, text: str, legal: LegalRules) -> list[dict]:
    """The deontic statements of a paragraph or point: per sentence, one per modality its cues give
    (at the first cue of that modality), with the addressee named before the cue."""
    rows = []
    for start, sentence in _sentences(text):
        seen: set[str] = set()
        for m in legal.cue.finditer(sentence):
            modality = legal.modality_of(m)
            if modality in seen:
                continue
            seen.add(modality)
            who, words = _addressee(sentence[:m.start()], legal)
            rows.append({"statement_id": f"{unit_id}.s{len(rows) + 1}", "unit_id": unit_id, "modality": modality,
                         "cue": m.group(), "addressee": who, "addressee_text": words, "offset": start + m.start(),
                         "sentence": sentence})
    return rows


def _chapters(text: str, grammar: Grammar) -> dict[tuple[int, int], dict]:
    """(line number, article number) → the article's chapter and section, from the outline."""
    lines, _ = read(text, grammar)
    chapters = [ln for ln in lines if ln.role == "law_chapter"]
    first = chapters[0].num if chapters and chapters[0].num else 1
    # Articles before a first heading 第二章 (or later) are in the chapter(s) before it, untitled.
    chapter = {"chapter_no": first - 1, "chapter_title": "", "chapter_inferred": True} if first > 1 else \
        {"chapter_no": None, "chapter_title": "", "chapter_inferred": False}
    section: dict = {"section_no": None, "section_title": ""}
    found = {}
    articles = {id(ln) for ln in runs(lines, "article")}
    for ln in lines:
        if ln.role == "law_chapter":
            chapter = {"chapter_no": ln.num, "chapter_title": heading_text(ln), "chapter_inferred": False}
            section = {"section_no": None, "section_title": ""}
        elif ln.role == "law_section":
            section = {"section_no": ln.num, "section_title": heading_text(ln)}
        elif id(ln) in articles and ln.num is not None:
            found[(ln.no, ln.num)] = {**chapter, **section}
    return found


def article_digits(measures: pd.DataFrame, sources: set[str]) -> int:
    """`MIN_DIGITS`, or the digits of the largest article number of `sources` when it has more."""
    numbers = pd.to_numeric(measures.loc[measures["source_id"].isin(sources), "number"], errors="coerce")
    return max(MIN_DIGITS, len(str(int(numbers.max())))) if numbers.notna().any() else MIN_DIGITS


def _main_addressee(statements: list[dict]) -> str:
    """The addressee most of an article's statements name (the first named on a tie); `unspecified`
    when none names one; empty without statements."""
    named = Counter(s["addressee"] for s in statements if s["addressee"] != UNSPECIFIED)
    if named:
        top = max(named.values())
        return next(s["addressee"] for s in statements if named.get(s["addressee"]) == top)
    return UNSPECIFIED if statements else ""


def article_tables(documents: pd.DataFrame, measures: pd.DataFrame, structure: pd.DataFrame,
                   grammar: Grammar, legal: LegalRules) -> dict[str, pd.DataFrame]:
    """articles.csv, provisions.csv and deontics.csv for the documents whose measures are articles;
    an empty dict when no document's are."""
    styled = set(structure.loc[structure["measure_style"] == "article", "source_id"])
    if not styled:
        return {}
    digits = article_digits(measures, styled)
    articles, units, statements = [], [], []
    for doc in documents.itertuples():
        if doc.source_id not in styled:
            continue
        places = _chapters(doc.text, grammar)
        rows = [m for m in measures[measures["source_id"] == doc.source_id].itertuples()
                if str(m.number).isdigit() and (int(m.line_start), int(m.number)) in places]
        inferred_kind = next((article_part(NO_CHAPTER, m.text, legal) for m in rows
                              if places[(int(m.line_start), int(m.number))]["chapter_inferred"]), NO_CHAPTER)
        for m in rows:
            place = places[(int(m.line_start), int(m.number))]
            kind = (inferred_kind if place["chapter_inferred"] else
                    chapter_kind(place["chapter_title"], legal) if place["chapter_no"] is not None else NO_CHAPTER)
            aid = article_id(doc.source_id, int(m.number), digits)
            own_units = [{**u, "article_id": aid, "source_id": doc.source_id} for u in provisions(aid, m.text, grammar)]
            own = [{**s, "article_id": aid, "source_id": doc.source_id}
                   for u in own_units for s in deontic_statements(u["unit_id"], u["text"], legal)]
            modal = Counter(s["modality"] for s in own)
            articles.append({
                "article_id": aid, "source_id": doc.source_id, "number": int(m.number), "measure_id": m.measure_id,
                **place, "chapter_kind": kind, "part": article_part(kind, m.text, legal), "title": m.title,
                "text": m.text, "n_chars": m.n_chars, "n_paragraphs": sum(u["point"] is None for u in own_units),
                "n_points": sum(u["point"] is not None for u in own_units),
                **{f"n_{k}": modal[k] for k in MODALITIES}, "main_addressee": _main_addressee(own),
                "line_start": m.line_start, "line_end": m.line_end,
            })
            units += own_units
            statements += own
    table = pd.DataFrame(articles, columns=ARTICLE_COLUMNS)
    table = table.astype({"chapter_no": "Int64", "section_no": "Int64"})
    provisions_table = pd.DataFrame(units, columns=PROVISION_COLUMNS).astype({"point": "Int64"})
    return {"articles.csv": table, "provisions.csv": provisions_table,
            "deontics.csv": pd.DataFrame(statements, columns=DEONTIC_COLUMNS)}
