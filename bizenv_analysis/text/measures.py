"""Stage 3 — measures: split each cleaned document into the reform items it enumerates itself.

The enumeration styles (第一章 / 第一节 / 一、 / (一) / 第一条 / 1. / (1) / ① / 一是 / ——) and
the headings that mark safeguards, general parts, case practices and item ends are data
(`data/lexicon/segmentation.csv`). The hierarchy is read from the markers and their nesting
(a style first seen inside another sits below it), and the measure level is chosen from that
hierarchy (see `measure_level`), so a short run of one or two items counts where its parent
structure is clear. Items under a safeguard heading are `safeguard`, under a general heading
(总体要求, 指导思想, 总则 …) `general` (kept, but not compared: they frame the reforms); a document
with no recognised enumeration falls back to its paragraphs (kind `paragraph`) with a warning.
Numbers have no cap (item 1000 is an item of its own); a line of the measure style whose number
does not continue the run (5. after 3.) stays in the text of the item before it, with a warning.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from ..base.order import sort_by_source
from ..rules.measures import Grammar
from .outline import (
    CHAPTER_STYLES,
    SECTION_STYLES,
    At,
    Line,
    heading_text,
    headings_above,
    read,
    runs,
    style_ranks,
    walk,
)

MEASURE_COLUMNS = [
    "measure_id", "source_id", "seq", "kind", "number", "chapter", "section", "place",
    "title", "text", "responsible_units", "deadline", "n_chars", "line_start", "line_end",
]
CASE_COLUMNS = ["case_id", "source_id", "case_no", "place", "title", "background",
                "practices_intro", "results", "n_practices", "line_start", "line_end"]
STRUCTURE_COLUMNS = ["source_id", "measure_style", "n_measure", "n_safeguard", "n_general",
                     "n_paragraph", "n_cases", "note"]
KINDS = ("measure", "safeguard", "general", "paragraph")
ANALYSED_KINDS = ("measure", "safeguard", "paragraph")  # what counts, shares and comparisons are about
TITLE_MAX_CHARS = 60  # a first sentence without punctuation is cut here for the title
UNIT_ROLES = re.compile(r"^(责任单位|牵头单位|责任部门|牵头部门|配合单位|协办单位)[:：]\s*")
UNIT_SUFFIX = re.compile(r"(牵头负责|配合负责|牵头|配合|按职责分工负责|按职责负责|负责|参与)$")
_OPEN, _CLOSE = "(（〔【[", ")）〕】]"


class StructureWarning(UserWarning):
    """A document whose structure was not recognised (paragraph fallback)."""


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
    label: str = ""


OWN_TITLE_MAX_CHARS = 10  # an item whose own title is this short and names a part is that part


def _own_flag(ln: Line, g: Grammar) -> str | None:
    """`general`/`safeguard` for a measure-level item that is itself such a heading (一、总体要求 when
    一、 carries the measures): its title clause is short and names the part."""
    title = re.split(r"[。,;:]", (ln.label or ln.rest).strip(), maxsplit=1)[0]
    if not 0 < len(title) <= OWN_TITLE_MAX_CHARS:
        return None
    return "safeguard" if g.safeguard.search(title) else "general" if g.general.search(title) else None


def _strip_trailing_units(text: str) -> tuple[str, list[str]]:
    """Split a trailing responsible-unit note ((…), （…）, 〔…〕, 【…】, […]) off a paragraph."""
    if not text or text[-1] not in _CLOSE:
        return text, []
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        ch = text[i]
        if ch in _CLOSE:
            depth += 1
        elif ch in _OPEN:
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
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        if ch in "、,，;；" and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return [p.strip() for p in [*parts, cur] if p.strip()]


def parse_units(inner: str) -> list[str]:
    """Units named in a responsibility note, or [] when the note is something else.

    Accepts (责任单位:A、B,C), (牵头单位:A;责任单位:B), (A牵头,B、C配合), (A按职责分工负责),
    (A负责).
    """
    labelled = bool(UNIT_ROLES.match(inner))
    # (县人社局负责) names units too, but only as a short note: (由企业自主负责,…) is a sentence.
    short_note = len(inner) <= 40 and inner.endswith("负责") and not re.search(r"[。,，:：]", inner)
    if not labelled and not short_note and not re.search(r"(牵头|配合|按职责分工负责|按职责负责)", inner):
        return []
    units = []
    for chunk in re.split(r"[;；]", inner):
        chunk = UNIT_ROLES.sub("", chunk.strip())
        for part in _split_top(chunk):
            part = UNIT_SUFFIX.sub("", part).strip()
            if part and part not in units:
                units.append(part)
    return units


def _title(first: str) -> str:
    """An item's title: its first sentence, cut at `TITLE_MAX_CHARS` when it has no full stop."""
    title = re.sub(r"[。,;:]+$", "", first.split("。", 1)[0])
    return title[:TITLE_MAX_CHARS] + "…" if len(title) > TITLE_MAX_CHARS else title


def _finish(item: Item, g: Grammar, item_id: str, seq: int, source_id: str) -> dict:
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
    return {
        "measure_id": item_id,
        "source_id": source_id,
        "seq": seq,
        "kind": item.kind,
        "number": item.number,
        "chapter": item.chapter,
        "section": item.section,
        "place": item.place,
        "title": item.label or (_title(paras[0]) if paras else ""),
        "text": text,
        "responsible_units": ";".join(units),
        "deadline": deadline,
        "n_chars": len(text.replace("\n", "")),
        "line_start": item.lines[0].no,
        "line_end": item.lines[-1].no,
    }


def _rows(items: list[Item], g: Grammar, source_id: str) -> list[dict]:
    """Rows in document order; general items are numbered apart (`<source>:gNN`), so adding or
    recognising a general part never renumbers the measures."""
    rows, n, n_general = [], 0, 0
    for it in items:
        if not any((it.head if k == 0 else ln.text).strip() for k, ln in enumerate(it.lines)):
            continue  # a bare number (a capture cut after "1."): nothing to code or compare
        if it.kind == "general":
            n_general += 1
            rows.append(_finish(it, g, f"{source_id}:g{n_general:02d}", n_general, source_id))
        else:
            n += 1
            rows.append(_finish(it, g, f"{source_id}:{n:02d}", n, source_id))
    return rows


def district_of(lines: list[str]) -> str:
    """The district a case is about, from its title lines (广州市越秀区… → 广州市越秀区)."""
    for s in lines:
        for m in re.finditer(r"(?P<city>[\u4e00-\u9fff]{2}市?)(?P<d>[\u4e00-\u9fff]{2}区)", s):
            if m["d"] not in {"开发区", "新区"} and not m["d"].endswith("发区"):
                city = m["city"] if m["city"].endswith("市") else m["city"] + "市"
                return city + m["d"]
    return ""


def _paragraphs(source_id: str, lines: list[Line], place: str, g: Grammar) -> list[dict]:
    """The fallback: every paragraph of 20 or more characters is an item of kind `paragraph`."""
    paras = [ln for ln in lines if ln.role not in ("heading", "toc") and len(ln.text) >= 20]
    if not paras:
        warnings.warn(
            f"{source_id}: no measures and no paragraph of 20 or more characters, so the document "
            "adds nothing to the study — check that its raw file holds the document's full text",
            StructureWarning, stacklevel=4)
        return []
    warnings.warn(
        f"{source_id}: no enumerated measures recognised (styles 第一章 一、 (一) 第一条 1. (1) ① 一是 ——); "
        f"its {len(paras)} paragraphs are compared instead (kind=paragraph) — check the document's numbering",
        StructureWarning, stacklevel=4)
    items = [Item("paragraph", "para", "", "", "", place, [ln], ln.text) for ln in paras]
    return _rows(items, g, source_id)


def segment_document(source_id: str, text: str, place: str, g: Grammar
                     ) -> tuple[list[dict], list[dict]]:
    """Measures (and, for case collections, cases) of one cleaned document."""
    return _segment(source_id, *read(text, g), place, g)


def _segment(source_id: str, lines: list[Line], level: str | None, place: str, g: Grammar
             ) -> tuple[list[dict], list[dict]]:
    """`segment_document` for classified lines and their measure level."""
    if level is None:
        return _paragraphs(source_id, lines, place, g), []
    ranks = style_ranks(lines)
    heading_styles = headings_above(ranks, level)
    valid = {id(ln) for ln in runs(lines, level)}
    b = _Builder(place, g, level)
    for at in walk(lines, g, ranks, level, practice_by_name=True, skip_toc=True):
        ln = at.line
        if ln.role == "case":
            b.start_case(ln)
        elif b.case is not None and at.title:
            b.case["end"] = ln.no
            b.case["title_lines"].append(ln.text)
        elif ln.role == "heading" or ln.role in heading_styles:  # never `level`: a heading is above it
            b.heading(at, ln.role in heading_styles)
        else:
            b.line(at, is_measure=ln.role == level and id(ln) in valid)
    b.close()
    _warn_off_run(source_id, b.off_run)
    rows = _rows(b.items, g, source_id)
    return rows, _case_rows(source_id, b.cases, rows)


class _Builder:
    """The items and cases of one document, built line by line along its outline `walk`."""

    def __init__(self, place: str, g: Grammar, level: str) -> None:
        self.place, self.g, self.level = place, g, level
        self.items: list[Item] = []
        self.cases: list[dict] = []
        self.chapter = self.section = self.heading_name = ""
        self.case: dict | None = None
        self.case_part = ""
        self.cur: Item | None = None
        self.open_body: Item | None = None  # a safeguard/general chapter gathering its body
        self.n_dash = 0  # dash bullets are numbered by position under their parent
        self.off_run: list[Line] = []  # lines of the measure style whose number does not continue the run

    def close(self) -> None:
        if self.cur is not None:
            self.items.append(self.cur)
        self.cur = None

    def start_case(self, ln: Line) -> None:
        self.close()
        self.open_body = None
        self.case = {"case_no": len(self.cases) + 1, "label": ln.text.rstrip(":："), "title_lines": [],
                     "parts": {}, "start": ln.no, "end": ln.no}
        self.cases.append(self.case)
        self.case_part, self.chapter, self.section, self.heading_name = "title", self.case["label"], "", ""

    def heading(self, at: At, numbered: bool) -> None:
        """A heading closes the item before it; inside a case it only switches the case's part."""
        ln = at.line
        self.close()
        self.open_body = None
        self.n_dash = 0
        name = heading_text(ln)
        if self.case is not None:
            self.case["end"] = ln.no
            self.case_part = ("practices" if at.in_practice else
                              "background" if "背景" in name else "results")
            return
        if ln.role in CHAPTER_STYLES:
            self.chapter, self.section, self.heading_name = name, "", ""
        elif ln.role in SECTION_STYLES:
            self.section = name
        else:
            self.heading_name = name
        if at.region != "measure" and numbered:
            # A safeguard or general part written as headings with a body: 三、保障措施
            # (一)… gives one item per section, 七、保障措施 … one item for the chapter.
            if ln.role in CHAPTER_STYLES:
                self.open_body = Item(at.region, ln.role, "", self.chapter, "", self.place, [ln], name)
            else:
                self.cur = Item(at.region, ln.role, str(ln.num), self.chapter, "", self.place, [ln], ln.rest)

    def line(self, at: At, is_measure: bool) -> None:
        """Any other line: a case's text, a new measure, an item's end, or the text of what is open."""
        ln = at.line
        if self.case is not None:
            self.case["end"] = ln.no
            if self.case_part != "practices":
                part = "background" if self.case_part == "title" else self.case_part
                self.case["parts"].setdefault(part, []).append(ln.text)
                return
        if is_measure and at.in_practice:
            self.start_measure(at)
        elif self.cur is not None and (self.g.terminator.match(ln.text) or is_measure):
            self.close()
        elif self.cur is not None:
            if ln.role == self.level:  # its number does not continue the run: kept with the item before, not lost
                self.off_run.append(ln)
            self.cur.lines.append(ln)
        elif self.open_body is not None:
            self.open_body.lines.append(ln)
            if self.open_body not in self.items:
                self.items.append(self.open_body)
        elif self.case is not None:
            self.case["parts"].setdefault("practices_intro", []).append(ln.text)

    def start_measure(self, at: At) -> None:
        ln = at.line
        self.close()
        self.open_body = None
        if self.case is not None:
            sec, where = case_title(self.case["title_lines"]), district_of(self.case["title_lines"])
        else:
            sec, where = self.section or self.heading_name, self.place
        self.n_dash += 1
        number = str(ln.num if ln.num is not None else self.n_dash)
        kind = at.region if at.region != "measure" else _own_flag(ln, self.g) or "measure"
        self.cur = Item(kind, ln.role, number, self.chapter, sec, where, [ln], ln.rest, ln.label)


def _warn_off_run(source_id: str, off_run: list[Line]) -> None:
    if off_run:
        first = off_run[0]
        warnings.warn(f"{source_id}: {len(off_run)} line(s) numbered in the measures' style do not continue their "
                      f"numbering (first: line {first.no}, {first.text[:20]!r}); each is kept in the text of the item "
                      "before it — check the document's numbering", StructureWarning, stacklevel=4)


def _case_rows(source_id: str, cases: list[dict], rows: list[dict]) -> list[dict]:
    """cases.csv rows; a case's practices are the measures that start within its lines."""
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
    return case_rows


def case_title(title_lines: list[str]) -> str:
    """A case's title: its last title line, without a leading `place:`."""
    if not title_lines:
        return ""
    return re.sub(r"^[^:：]{2,12}区[:：]\s*", "", title_lines[-1])


def measures_tables(documents: pd.DataFrame, places: dict[str, str], g: Grammar
                    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """`measures.csv`, `cases.csv` and `structure.csv` (what was found in each document)."""
    rows, cases, found = [], [], []
    for doc in documents.itertuples():
        lines, level = read(doc.text, g)
        r, c = _segment(doc.source_id, lines, level, places.get(doc.source_id, ""), g)
        rows += r
        cases += c
        found.append(structure_row(doc.source_id, level, r, c))
    return (pd.DataFrame(rows, columns=MEASURE_COLUMNS),
            pd.DataFrame(cases, columns=CASE_COLUMNS),
            pd.DataFrame(found, columns=STRUCTURE_COLUMNS))


def structure_row(source_id: str, level: str | None, rows: list[dict], cases: list[dict]) -> dict:
    """One structure.csv row: the measure style, items of each kind, and what to check."""
    n = {k: sum(r["kind"] == k for r in rows) for k in KINDS}
    if not rows:
        note = "nothing found: check that the raw file holds the document's text"
    elif level is None:
        note = "no enumeration recognised: compared by paragraph; check its numbering"
    elif n["measure"] + n["safeguard"] == 0:
        note = "only general parts found: check its numbering"
    else:
        note = ""
    return {"source_id": source_id, "measure_style": level or "", **{f"n_{k}": n[k] for k in KINDS},
            "n_cases": len(cases), "note": note}


def measure_lines(measures: pd.DataFrame) -> dict[str, dict[int, str]]:
    """Per source, each line number (1 = the first line of its cleaned text) → the first measure,
    in table order, whose lines (line_start–line_end) hold it."""
    out: dict[str, dict[int, str]] = defaultdict(dict)
    for r in measures[["measure_id", "source_id", "line_start", "line_end"]].itertuples():
        if pd.isna(r.line_start) or pd.isna(r.line_end):
            continue
        lines = out[r.source_id]
        for line in range(int(r.line_start), int(r.line_end) + 1):
            lines.setdefault(line, r.measure_id)
    return out


def compared(measures: pd.DataFrame) -> pd.DataFrame:
    """The rows every count, share and comparison is about: all kinds but `general`."""
    return measures[measures["kind"].isin(ANALYSED_KINDS)].reset_index(drop=True)


def counts_by_source_kind(measures: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Tidy counts (source_id, kind, n) in the given source order."""
    counts = measures.groupby(["source_id", "kind"]).size().rename("n").reset_index()
    return sort_by_source(counts, order, ["source_id", "kind"])
