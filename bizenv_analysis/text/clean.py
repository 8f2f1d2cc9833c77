"""Stage 2 — clean: page chrome, pinyin glosses, Traditional → Simplified, whitespace and quotes.

Raw files are never touched; every removal is recorded (see `CleanDocument.removed`), so what
cleaning did can be inspected line by line in `data/processed/removed.csv` (zero-width characters
only counted, control and bidirectional formatting characters listed by code point).

A document written in Markdown (its first non-empty line a `# title`, or holding the
`<!-- INFO END -->` line that ends a header, as the regulations of LawRefBook/Laws do) loses its
header and its heading marks (`strip_markdown`): a format, not page chrome, so this is code rather
than a `chrome.csv` rule. Its header lines become metadata (`legal_metadata.csv`); a plain-text
document is left exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from ..base.chinese import to_simplified
from ..io.sources import INVISIBLE, LINE_BREAK, RawDocument
from ..rules.clean import ChromeRule
from ..rules.legal import LegalRules

# A gloss is a pinyin syllable with a tone mark in brackets right after a Han character: 發(fā).
# Requiring the tone mark keeps real bracketed Latin such as (PPP) or (e.g.) intact.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
PINYIN_GLOSS = re.compile(
    rf"(?<=[\u3400-\u9fff])[(（](?=[a-z{_TONED}ü]*[{_TONED}])[a-z{_TONED}ü]{{1,7}}[)）]"
)
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_STRAIGHT_QUOTES = re.compile(r'"([^"\n]*)"')
_CORNER = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})
# Full-width ASCII variants (（ ： ； ， ０-９ Ａ-Ｚ …) become their ASCII forms, as this corpus
# already writes them; Chinese marks with no ASCII twin (。、“”《》〔〕) are kept.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH.update({0x3000: 0x20, 0xA0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x09: 0x20})
_GARBLED_INDENT = re.compile(r"^\?+\s*")
# Control characters (C0 and C1, but tab and the line breaks, which become "\n" first) and the
# bidirectional formatting characters (embeddings and overrides U+202A–U+202E, isolates
# U+2066–U+2069, marks U+200E, U+200F, U+061C): invisible, and able to reorder what a reader sees
# (CVE-2021-42574), so cleaning removes them and lists them in removed.csv.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
CONTROL_RULE = "control_character"  # the rule of their rows in removed.csv
DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")
INFO_END = "<!-- INFO END -->"  # the line that closes a LawRefBook/Laws header
MARKDOWN_TITLE = re.compile(r"^#\s+(?P<title>.+)$")
HEADING_MARK = re.compile(r"^#{1,6}\s*")
# The rule of a heading mark strip_markdown takes off: a span of a kept line, not a line removed.
HEADING_MARK_RULE = "markdown_heading_mark"
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


@dataclass
class CleanDocument:
    source_id: str
    text: str
    n_chars_raw: int
    n_glosses: int
    n_converted: int
    removed: list[dict] = field(default_factory=list)
    metadata: list[dict] = field(default_factory=list)
    n_invisible: int = 0  # zero-width characters and BOMs removed (not listed in removed.csv)


def collapse_spaces(line: str) -> str:
    """Unify space characters and punctuation widths; runs of spaces become one."""
    line = line.translate(_FULLWIDTH).translate(_CORNER)
    line = _STRAIGHT_QUOTES.sub(r"“\1”", line)
    return re.sub(r" {2,}", " ", line).strip()


def normalise_line(line: str) -> str:
    """Whitespace and punctuation forms of one line (no content change).

    A leading run of `?` is an indent (full-width spaces) that a web capture could not encode
    (`??(一)提升…`); short `??` lines are page chrome, dropped before this (`garbled_chrome`).
    """
    return _SPACE_NEAR_CJK.sub("", _GARBLED_INDENT.sub("", collapse_spaces(line)))


def strip_glosses(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Remove pinyin glosses; return the text and (line number, gloss) for each removed."""
    found = []
    for i, line in enumerate(text.split("\n"), start=1):
        found += [(i, m.group()) for m in PINYIN_GLOSS.finditer(line)]
    return PINYIN_GLOSS.sub("", text), found


def strip_controls(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Remove `CONTROL` characters; return the text and, for each line that had some, (line
    number, their code points in order of first appearance, with a count when repeated: "U+202E×2 U+202C")."""
    found = []
    for i, line in enumerate(text.split("\n"), start=1):
        chars = CONTROL.findall(line)
        if chars:
            counts = {c: chars.count(c) for c in dict.fromkeys(chars)}
            found.append((i, " ".join(f"U+{ord(c):04X}" + (f"×{n}" if n > 1 else "") for c, n in counts.items())))
    return CONTROL.sub("", text), found


def _notice_metadata(lines: list[str]) -> list[tuple[str, str]]:
    """Fields of an issuing notice (文号, addressees, issuer, date) from the wrapper lines."""
    meta = []
    title = []
    for line in lines:
        title.append(line)
        if line.endswith("通知"):
            break
    meta.append(("notice_title", "".join(title)))
    for i, line in enumerate(lines):
        if DOC_NUMBER.fullmatch(line):
            meta.append(("doc_number", line))
        elif line.endswith(":") and i < len(lines) - 1:
            meta.append(("addressees", line.rstrip(":")))
        elif m := DATE_LINE.match(line):
            if i > 0:
                meta.append(("issuer", lines[i - 1]))
            meta.append(("issued", f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}"))
    return meta


def is_markdown(lines: list[str]) -> bool:
    """Whether a document is Markdown: its first non-empty line starts with `# `, or it holds `INFO_END`."""
    first = next((s for s in lines if s.strip()), "")
    return first.startswith("# ") or any(s.strip() == INFO_END for s in lines)


def strip_markdown(lines: list[str], legal: LegalRules | None = None
                   ) -> tuple[list[str], list[dict], list[dict]]:
    """A Markdown document's lines without its header and heading marks.

    The header is every line through `INFO_END` (or only a first-line `# title` when there is no
    such line). Returns the lines, the same number of them, so that line numbers stay those of the
    raw file (a dropped line becomes ""); the removed rows (line, rule, text: `markdown_title` and
    `markdown_info` for header lines, `markdown_heading_mark` for the `##` taken off a heading,
    whose text stays); and the metadata rows (field, value): `title_line` for the `# title`, and
    per header line the first field of `legal.metadata` whose pattern matches it, its value the
    line's date in ISO form (the line itself when it has none). Call it only when `is_markdown`.
    """
    out = list(lines)
    removed: list[dict] = []
    metadata: list[dict] = []
    end = next((i for i, s in enumerate(lines) if s.strip() == INFO_END), None)
    if end is None:
        end = next((i for i, s in enumerate(lines) if s.strip()), -1)
    for i in range(end + 1):
        line = lines[i].strip()
        out[i] = ""
        if not line:
            continue
        title = MARKDOWN_TITLE.match(line)
        rule = "markdown_title" if title else "markdown_info"
        removed.append({"line": i + 1, "rule": rule, "text": line})
        if title:
            metadata.append({"field": "title_line", "value": title["title"].strip()})
            continue
        flat = normalise_line(line)
        field = next((f for f, pattern in (legal.metadata if legal else ()) if pattern.search(flat)), None)
        if field is not None:
            date = _DATE.search(flat)
            value = f"{int(date[1]):04d}-{int(date[2]):02d}-{int(date[3]):02d}" if date else flat
            metadata.append({"field": field, "value": value})
    for i in range(end + 1, len(lines)):
        if mark := HEADING_MARK.match(lines[i]):
            removed.append({"line": i + 1, "rule": HEADING_MARK_RULE, "text": mark.group().strip()})
            out[i] = lines[i][mark.end():]
    return out, removed, metadata


# A notice's wrapper is dropped only when at least this much text (the attached plan) follows it.
WRAPPED_MIN_CHARS = 200
# Below this many documents, starting workers costs more than it saves.
PARALLEL_MIN = 100


def clean_document(doc: RawDocument, rules: list[ChromeRule], legal: LegalRules | None = None) -> CleanDocument:
    """Clean one raw document; records every removed line and every metadata field found (a
    Markdown document's header dates by `legal.metadata`: `strip_markdown`)."""
    # Zero-width characters go (1.\u200b深化 is 1.深化); every line break str.splitlines knows
    # (\r\n, \r, \v, \f, U+0085, U+2028, U+2029 …) becomes \n, as sources.py counts lines.
    text, n_invisible = INVISIBLE.subn("", doc.text)
    text = LINE_BREAK.sub("\n", text)
    text, controls = strip_controls(text)
    text, glosses = strip_glosses(text)
    simplified = to_simplified(text)
    # OpenCC's t2s maps character for character here; a length change counts as changes too.
    n_converted = (sum(a != b for a, b in zip(text, simplified, strict=False))
                   + abs(len(text) - len(simplified)))
    # Chrome rules see lines with single spaces (page bars are space-separated); the kept
    # lines then lose the spaces that web layout put between Chinese characters.
    lines = [collapse_spaces(s) for s in simplified.split("\n")]

    sid = doc.source_id
    removed = [{"source_id": sid, "line": n, "rule": "pinyin_gloss", "text": g} for n, g in glosses]
    removed += [{"source_id": sid, "line": n, "rule": CONTROL_RULE, "text": c} for n, c in controls]
    metadata: list[dict] = []
    if is_markdown(lines):
        lines, marked, found = strip_markdown(lines, legal)
        removed += [{"source_id": sid, **r} for r in marked]
        metadata += [{"source_id": sid, **m} for m in found]
    drop: dict[int, str] = {}
    # Whole-region rules first, so a region's lines are credited to it, not to a line rule.
    for rule in sorted(rules, key=lambda r: r.action == "drop"):
        if rule.action == "drop_head_until":
            head = "".join(lines[:4])
            if rule.condition and not rule.condition.search(head):
                continue
            end = next((i for i, s in enumerate(lines[:40]) if rule.pattern.match(s)), None)
            # A notice whose own body is the policy ends with its date: nothing follows to unwrap.
            if end is None or sum(len(s) for s in lines[end + 1:]) < WRAPPED_MIN_CHARS:
                continue
            wrapper = [s for s in lines[: end + 1] if s]
            metadata += [{"source_id": sid, "field": k, "value": v} for k, v in _notice_metadata(wrapper)]
            for i in range(end + 1):
                drop.setdefault(i, rule.rule_id)
            continue
        for i, line in enumerate(lines):
            m = rule.pattern.match(line)
            if not m:
                continue
            metadata += [{"source_id": sid, "field": k, "value": v}
                         for k, v in m.groupdict().items() if v]
            stop = len(lines) if rule.action == "drop_to_end" else i + 1
            for j in range(i, stop):
                drop.setdefault(j, rule.rule_id)
            if rule.action == "drop_to_end":
                break
    removed += [{"source_id": sid, "line": i + 1, "rule": r, "text": lines[i]}
                for i, r in sorted(drop.items()) if lines[i]]
    kept = [normalise_line(s) for i, s in enumerate(lines) if i not in drop and s]
    return CleanDocument(
        source_id=sid,
        text="\n".join(kept),
        n_chars_raw=len(doc.text),
        n_glosses=len(glosses),
        n_converted=n_converted,
        removed=sorted(removed, key=lambda r: (r["line"], r["rule"] != "pinyin_gloss")),
        metadata=metadata,
        n_invisible=n_invisible,
    )


def documents_table(raws: list[RawDocument], cleaned: list[CleanDocument]) -> pd.DataFrame:
    """`documents.csv`: one row per source with the cleaned text and what cleaning changed."""
    rows = []
    for raw, doc in zip(raws, cleaned, strict=True):
        rows.append({
            "source_id": doc.source_id,
            "title": raw.meta["title"],
            "date": raw.meta["date"],
            "year": int(str(raw.meta["date"])[:4]) if str(raw.meta["date"])[:4].isdigit() else pd.NA,
            "place": raw.meta["place"],
            "admin_level": raw.meta["admin_level"],
            "doc_type": raw.meta["doc_type"],
            "n_chars_raw": doc.n_chars_raw,
            "n_chars_clean": len(doc.text),
            "n_lines_removed": sum(r["rule"] not in ("pinyin_gloss", CONTROL_RULE, HEADING_MARK_RULE)
                                   for r in doc.removed),
            "n_glosses_removed": doc.n_glosses,
            "n_chars_converted": doc.n_converted,
            "text": doc.text,
        })
    df = pd.DataFrame(rows)
    df["year"] = df["year"].astype("Int64")
    return df


EXAMPLE_LINES = 60  # the lines at the top of a raw file where a document's cleaning example is looked for
EXAMPLE_COLUMNS = ["source_id", "line", "raw", "clean"]


def cleaning_examples(raws: list[RawDocument]) -> pd.DataFrame:
    """cleaning_examples.csv: per document, the line among its first `EXAMPLE_LINES` raw lines that
    glosses, Simplified script and `normalise_line` shorten most (the first such line on a tie), as
    it was and as cleaned; `line` counts from 1."""
    def cleaned(line: str) -> str:
        return normalise_line(to_simplified(strip_glosses(line)[0]))

    rows = []
    for raw in raws:
        lines = raw.text.splitlines()[:EXAMPLE_LINES]
        if lines:
            i = max(range(len(lines)), key=lambda j: len(lines[j]) - len(cleaned(lines[j])))
            rows.append({"source_id": raw.source_id, "line": i + 1, "raw": lines[i], "clean": cleaned(lines[i])})
    return pd.DataFrame(rows, columns=EXAMPLE_COLUMNS)
