"""Stage 3 — measures: split each cleaned document into the reform items it enumerates itself.

The enumeration styles (一、 / (一) / 1. / (1) / ① / 第一条 / 一是) and the headings that mark
safeguards, case practices and item ends are data (`data/lexicon/segmentation.csv`). The
deepest numbered style that forms a run 1, 2, 3 … is the measure level; items under a
safeguard heading are `safeguard`; a document with no recognised enumeration falls back to
its paragraphs (kind `paragraph`) with a warning.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .tables import sort_by_source

MEASURE_COLUMNS = [
    "measure_id", "source_id", "seq", "kind", "number", "chapter", "section", "place",
    "title", "text", "responsible_units", "deadline", "n_chars", "line_start", "line_end",
]
CASE_COLUMNS = ["case_id", "source_id", "case_no", "place", "title", "background",
                "practices_intro", "results", "n_practices", "line_start", "line_end"]
# Levels from outermost to innermost; a numbered style nests inside the ones before it.
LEVELS = ["chapter", "section", "article", "item", "subitem", "circled"]
HEADING_MAX_CHARS = 40
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)} | {"〇": 0}
UNIT_ROLES = re.compile(r"^(责任单位|牵头单位|责任部门|牵头部门|配合单位|协办单位)[:：]\s*")
UNIT_SUFFIX = re.compile(r"(牵头|配合|按职责分工负责|按职责负责|负责|参与)$")


class StructureWarning(UserWarning):
    """A document whose structure was not recognised (paragraph fallback)."""


@dataclass
class Line:
    no: int  # 1-based line number in the cleaned text
    text: str
    role: str  # a LEVELS name, inline, case, heading or para
    num: int | None = None
    rest: str = ""


@dataclass
class Item:
    kind: str
    role: str
    number: str
    chapter: str
    section: str
    place: str
    lines: list[Line] = field(default_factory=list)
    head: str = ""  # the item's first line without its number


def cn_number(s: str) -> int:
    """Chinese numeral (一 … 九十九, also 百) or Arabic digits → int."""
    if s[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":  # before isdigit(): '①'.isdigit() is True
        return ord(s[0]) - ord("①") + 1
    if s.isascii() and s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = CN_DIGITS[ch]
    return total + cur


@dataclass(frozen=True)
class Grammar:
    """The segmentation patterns, read from `segmentation.csv`."""

    levels: dict[str, re.Pattern]
    inline: re.Pattern
    case: re.Pattern
    safeguard: re.Pattern
    practice: re.Pattern
    terminator: re.Pattern
    responsible_line: re.Pattern
    deadline_line: re.Pattern

    @classmethod
    def load(cls, path: Path) -> Grammar:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        pats = {r.role: re.compile(r.pattern) for r in df.itertuples()}
        return cls(
            levels={k: pats[k] for k in LEVELS},
            inline=pats["inline"], case=pats["case"], safeguard=pats["safeguard_heading"],
            practice=pats["practice_heading"], terminator=pats["terminator"],
            responsible_line=pats["responsible_line"], deadline_line=pats["deadline_line"],
        )


def classify(text: str, g: Grammar) -> list[Line]:
    """Give every line of a cleaned document its structural role."""
    out = []
    for no, s in enumerate(text.split("\n"), start=1):
        line = Line(no, s, "para")
        if g.case.match(s):
            line.role = "case"
        elif g.responsible_line.match(s) or g.deadline_line.match(s):
            pass  # 责任单位:… / 完成时限:… lines belong to the item above, never a heading
        else:
            for role, pat in [*g.levels.items(), ("inline", g.inline)]:
                if m := pat.match(s):
                    line.role, line.num, line.rest = role, cn_number(m["num"]), m["rest"]
                    break
            else:
                if len(s) <= HEADING_MAX_CHARS and not re.search(r"[。;；]|[:：]$", s):
                    line.role = "heading"
        out.append(line)
    return out


def _runs(lines: list[Line], role: str) -> list[Line]:
    """Lines of `role` that continue a numbering run (1, 2, 3 …; may restart at 1)."""
    kept, last = [], 0
    for ln in lines:
        if ln.role != role:
            continue
        if ln.num == last + 1 or ln.num == 1:
            kept.append(ln)
            last = ln.num
    return kept


def measure_level(lines: list[Line]) -> str | None:
    """The enumeration style that carries the measures.

    Among numbered styles with a run of at least three (and 一是-style items, at least two),
    the one with the most items, the deeper one on a tie (four （一） sections holding four
    1. items: the items are the measures); sub-item styles ((1), ①) only when no item style
    exists, so sub-points inside a measure never become measures themselves.
    """
    counts = {r: len(_runs(lines, r)) for r in LEVELS}
    counts = {r: n for r, n in counts.items() if n >= 3}
    if any(r in counts for r in ("chapter", "section", "article", "item")):
        counts.pop("subitem", None)
        counts.pop("circled", None)
    n_inline = sum(ln.role == "inline" for ln in lines)
    if n_inline >= 2:
        counts["inline"] = n_inline
    if not counts:
        return None
    order = [*LEVELS, "inline"]
    return max(counts, key=lambda r: (counts[r], order.index(r)))


def _strip_trailing_units(text: str) -> tuple[str, list[str]]:
    """Split a trailing responsible-unit parenthesis off a paragraph."""
    if not text or text[-1] not in ")）":
        return text, []
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in ")）":
            depth += 1
        elif ch in "(（":
            depth -= 1
            if depth == 0:
                inner = text[i + 1:-1]
                units = parse_units(inner)
                return (text[:i].rstrip(), units) if units else (text, [])
    return text, []


def _split_top(s: str) -> list[str]:
    """Split on 、,，;； outside brackets (units such as 各县〔市、区〕 keep their 、)."""
    parts, depth, cur = [], 0, ""
    for ch in s:
        if ch in "(（〔[【":
            depth += 1
        elif ch in ")）〕]】":
            depth -= 1
        if ch in "、,，;；" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in [*parts, cur] if p.strip()]


def parse_units(inner: str) -> list[str]:
    """Units named in a responsibility note, or [] when the note is something else.

    Accepts (责任单位:A、B,C), (牵头单位:A;责任单位:B), (A牵头,B、C配合), (A按职责分工负责).
    """
    labelled = bool(UNIT_ROLES.match(inner))
    if not labelled and not re.search(r"(牵头|配合|按职责分工负责|按职责负责)", inner):
        return []
    units = []
    for chunk in re.split(r"[;；]", inner):
        chunk = UNIT_ROLES.sub("", chunk.strip())
        for part in _split_top(chunk):
            part = UNIT_SUFFIX.sub("", part).strip()
            if part and part not in units:
                units.append(part)
    return units


def _finish(item: Item, g: Grammar, source_id: str, seq: int) -> dict:
    """One measures.csv row from an item's lines."""
    paras, units, deadline = [], [], ""
    for k, ln in enumerate(item.lines):
        s = item.head if k == 0 else ln.text
        if m := g.responsible_line.match(s):
            units += parse_units("责任单位:" + m["value"])
            continue
        if m := g.deadline_line.match(s):
            deadline = m["value"].rstrip("。")
            continue
        s, found = _strip_trailing_units(s)
        units += [u for u in found if u not in units]
        if s:
            paras.append(s)
    text = "\n".join(paras)
    first = paras[0] if paras else ""
    title = re.sub(r"[。,;:]+$", "", first.split("。", 1)[0]) if first else ""
    return {
        "measure_id": f"{source_id}:{seq:02d}",
        "source_id": source_id,
        "seq": seq,
        "kind": item.kind,
        "number": item.number,
        "chapter": item.chapter,
        "section": item.section,
        "place": item.place,
        "title": title,
        "text": text,
        "responsible_units": ";".join(units),
        "deadline": deadline,
        "n_chars": len(text.replace("\n", "")),
        "line_start": item.lines[0].no,
        "line_end": item.lines[-1].no,
    }


def _heading_text(ln: Line) -> str:
    return (ln.rest or ln.text).rstrip("。")


def district_of(lines: list[str]) -> str:
    """The district a case is about, from its title lines (广州市越秀区… → 广州市越秀区)."""
    for s in lines:
        for m in re.finditer(r"(?P<city>[\u4e00-\u9fff]{2}市?)(?P<d>[\u4e00-\u9fff]{2}区)", s):
            if m["d"] not in {"开发区", "新区"} and not m["d"].endswith("发区"):
                city = m["city"] if m["city"].endswith("市") else m["city"] + "市"
                return city + m["d"]
    return ""


def segment_document(source_id: str, text: str, place: str, g: Grammar
                     ) -> tuple[list[dict], list[dict]]:
    """Measures (and, for case collections, cases) of one cleaned document."""
    lines = classify(text, g)
    level = measure_level(lines)
    if level is None:
        paras = [ln for ln in lines if ln.role != "heading" and len(ln.text) >= 20]
        if not paras:
            warnings.warn(
                f"{source_id}: no measures and no paragraph of 20 or more characters, so the document "
                "adds nothing to the study — check that its raw file holds the document's full text",
                StructureWarning, stacklevel=2)
            return [], []
        warnings.warn(
            f"{source_id}: no enumerated measures recognised (styles 一、 (一) 1. (1) ① 第一条 一是); "
            "fell back to paragraphs with kind=paragraph — check the document's numbering",
            StructureWarning, stacklevel=2)
        items = [Item("paragraph", "para", "", "", "", place, [ln], ln.text) for ln in paras]
        return [_finish(it, g, source_id, i) for i, it in enumerate(items, start=1)], []

    depth = LEVELS.index(level) if level in LEVELS else len(LEVELS)
    valid = {id(ln) for ln in _runs(lines, level)} if level in LEVELS else None
    has_practice = any(
        (ln.role == "heading" or (ln.role in LEVELS and LEVELS.index(ln.role) < depth))
        and g.practice.search(ln.text) for ln in lines)
    items: list[Item] = []
    cases: list[dict] = []
    chapter = section = heading = ""
    chapter_is_safeguard = False
    in_practice = not has_practice
    case: dict | None = None
    case_part = ""
    cur: Item | None = None
    safeguard_open: Item | None = None  # a safeguard chapter/section gathering its body

    def close() -> None:
        nonlocal cur
        if cur is not None:
            items.append(cur)
        cur = None

    for ln in lines:
        role = ln.role
        is_measure = role == level and (valid is None or id(ln) in valid)
        if role == "case":
            close()
            safeguard_open = None
            case = {"case_no": len(cases) + 1, "label": ln.text.rstrip(":："), "title_lines": [],
                    "parts": {}, "start": ln.no, "end": ln.no}
            cases.append(case)
            case_part, chapter, section, heading = "title", case["label"], "", ""
            in_practice = not has_practice
            continue
        if case is not None:
            case["end"] = ln.no
            if case_part == "title" and role == "heading" and not g.practice.search(ln.text) \
                    and "背景" not in ln.text:
                case["title_lines"].append(ln.text)
                continue
        is_heading = role == "heading" or (role in LEVELS and LEVELS.index(role) < depth)
        if is_heading and not is_measure:
            close()
            safeguard_open = None
            name = _heading_text(ln)
            if has_practice:
                in_practice = bool(g.practice.search(name))
            if case is not None:  # inside a case, headings only switch its part
                case_part = ("practices" if in_practice else
                             "background" if "背景" in name else "results")
                continue
            if role == "chapter":
                chapter, section, heading = name, "", ""
                chapter_is_safeguard = bool(g.safeguard.search(name))
            elif role == "section":
                section = name
            else:
                heading = name
            if chapter_is_safeguard and role in ("chapter", "section"):
                # Safeguards written as headings with a body: 三、保障措施 (一)… or 七、保障措施 ….
                item = Item("safeguard", role, str(ln.num) if role == "section" else "",
                            chapter, "", place, [ln], ln.rest if role == "section" else name)
                if role == "section":
                    cur = item
                else:
                    safeguard_open = item
            continue
        if case is not None and case_part != "practices":
            part = "background" if case_part == "title" else case_part
            case["parts"].setdefault(part, []).append(ln.text)
            continue
        if is_measure and in_practice:
            close()
            safeguard_open = None
            kind = "safeguard" if chapter_is_safeguard else "measure"
            if case is not None:
                sec, where = case_title(case["title_lines"]), district_of(case["title_lines"])
            else:
                sec, where = section or heading, place
            cur = Item(kind, role, str(ln.num), chapter, sec, where, [ln], ln.rest)
            continue
        if cur is not None and (g.terminator.match(ln.text) or role == level):
            close()
            continue
        if cur is not None:
            cur.lines.append(ln)
        elif safeguard_open is not None:
            safeguard_open.lines.append(ln)
            if safeguard_open not in items:
                items.append(safeguard_open)
        elif case is not None:
            case["parts"].setdefault("practices_intro", []).append(ln.text)
    close()
    rows = [_finish(it, g, source_id, i) for i, it in enumerate(items, start=1)]
    case_rows = []
    for c in cases:
        practices = [r for r in rows if c["start"] <= r["line_start"] <= c["end"]]
        case_rows.append({
            "case_id": f"{source_id}:case{c['case_no']}",
            "source_id": source_id,
            "case_no": c["case_no"],
            "place": district_of(c["title_lines"]),
            "title": case_title(c["title_lines"]),
            "background": "\n".join(c["parts"].get("background", [])),
            "practices_intro": "\n".join(c["parts"].get("practices_intro", [])),
            "results": "\n".join(c["parts"].get("results", [])),
            "n_practices": len(practices),
            "line_start": c["start"],
            "line_end": c["end"],
        })
    return rows, case_rows


def case_title(title_lines: list[str]) -> str:
    """A case's title: its last title line, without a leading `place:`."""
    if not title_lines:
        return ""
    return re.sub(r"^[^:：]{2,12}区[:：]\s*", "", title_lines[-1])


def measures_tables(documents: pd.DataFrame, places: dict[str, str], grammar_path: Path
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`measures.csv` and `cases.csv` for all cleaned documents."""
    g = Grammar.load(grammar_path)
    rows, cases = [], []
    for doc in documents.itertuples():
        r, c = segment_document(doc.source_id, doc.text, places.get(doc.source_id, ""), g)
        rows += r
        cases += c
    return (pd.DataFrame(rows, columns=MEASURE_COLUMNS),
            pd.DataFrame(cases, columns=CASE_COLUMNS))


def counts_by_source_kind(measures: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Tidy counts (source_id, kind, n) in the given source order."""
    counts = measures.groupby(["source_id", "kind"]).size().rename("n").reset_index()
    return sort_by_source(counts, order, ["source_id", "kind"])
