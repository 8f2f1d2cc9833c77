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
from ..rules.measures import STYLES, Grammar

MEASURE_COLUMNS = [
    "measure_id", "source_id", "seq", "kind", "number", "chapter", "section", "place",
    "title", "text", "responsible_units", "deadline", "n_chars", "line_start", "line_end",
]
CASE_COLUMNS = ["case_id", "source_id", "case_no", "place", "title", "background",
                "practices_intro", "results", "n_practices", "line_start", "line_end"]
STRUCTURE_COLUMNS = ["source_id", "measure_style", "n_measure", "n_safeguard", "n_general",
                     "n_paragraph", "n_cases", "note"]
# Numbered styles, in the order that breaks ties between styles first seen at the same depth.
# Points inside a measure (or, under 一、 chapter headings, the measures themselves).
POINT_STYLES = ("subitem", "circled", "inline", "dash")
CHAPTER_STYLES = ("law_chapter", "chapter")
SECTION_STYLES = ("law_section", "section")
KINDS = ("measure", "safeguard", "general", "paragraph")
ANALYSED_KINDS = ("measure", "safeguard", "paragraph")  # what counts, shares and comparisons are about
HEADING_MAX_CHARS = 40
TITLE_MAX_CHARS = 60  # a first sentence without punctuation is cut here for the title
# A run of one or two items is a run only under a recognised parent; at the top it needs this many.
MIN_TOP_RUN = 2
COVERAGE_MIN = 0.5  # share of parent nodes a deeper style must fill to be the measure level
FLAT_MIN_CHARS = 200  # a line this long with several markers is a flattened repost
_FLAT_STYLES = ("law_chapter", "law_section", "chapter", "section", "article", "item")
_LAW_STYLES = ("law_chapter", "law_section", "article")
_FLAT_BOUNDARY = set("。;；!?！？ ”’)）:：")
_MARKER_START = set("第一二三四五六七八九十(（0123456789")
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", start=0)} | {"〇": 0}
UNIT_ROLES = re.compile(r"^(责任单位|牵头单位|责任部门|牵头部门|配合单位|协办单位)[:：]\s*")
UNIT_SUFFIX = re.compile(r"(牵头负责|配合负责|牵头|配合|按职责分工负责|按职责负责|负责|参与)$")
_OPEN, _CLOSE = "(（〔【[", ")）〕】]"
_LABEL = re.compile(r"^【(?P<label>[^】]{1,20})】\s*(?P<rest>.*)$")


class StructureWarning(UserWarning):
    """A document whose structure was not recognised (paragraph fallback)."""


@dataclass
class Line:
    no: int  # 1-based line number in the cleaned text (a flattened line's parts share it)
    text: str
    role: str  # a STYLES name, case, heading, toc or para
    num: int | None = None
    rest: str = ""
    label: str = ""  # an article's bracketed label: 第一条【立法目的】


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


BIG_NUMBER = 10**18  # a number of more digits than this (int() refuses over 4300) counts as this


def cn_number(s: str) -> int:
    """Chinese numeral (一 … 九十九, 一百零五, 一千零五) or Arabic digits → int."""
    if s[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":  # before isdigit(): '①'.isdigit() is True
        return ord(s[0]) - ord("①") + 1
    if s.isascii() and s.isdigit():
        return int(s) if len(s) <= 18 else BIG_NUMBER
    total, cur = 0, 0
    for ch in s:
        if ch in "千百":
            total += (cur or 1) * (1000 if ch == "千" else 100)
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        else:
            cur = CN_DIGITS[ch]
    return total + cur


def _marker_at(s: str, i: int, g: Grammar) -> tuple[str, int] | None:
    """The numbered style and number whose marker starts `s` at `i`, if any (flattened lines)."""
    if i >= len(s) or s[i] not in _MARKER_START:
        return None
    for style in _FLAT_STYLES:
        if m := g.levels[style].match(s[i:]):
            return style, cn_number(m["num"])
    return None


def unflatten(s: str, g: Grammar, inline: bool = False) -> list[str]:
    """Break a repost flattened onto one line ("一、… (一)… 1.… 2.…") before each marker.

    Lines of `FLAT_MIN_CHARS` or more are broken before every marker that continues a numbering
    (n = previous + 1 of the same style, or a new run at 1), when there are at least two. A
    regulation's markers (第三条, 第二章, 第一节) break a line of any length wherever they open a
    sentence (after 。;: or right after a 第二章 heading), as reposts run articles together.
    一、 / 第一章 / 第一条 must follow a sentence end, so "统一、规范" or "依照本条例第一条" never break
    a line. A run of (1) (2) … opening sentences is broken too (`_point_cuts`), and with
    `inline`, a run of 一是 二是 … (see `read`).
    """
    long = len(s) >= FLAT_MIN_CHARS
    first = _marker_at(s, 0, g)
    last: dict[str, int] = {first[0]: first[1]} if first else {}
    cuts, law_cuts = [], []
    for i in range(1, len(s)):
        prev = s[i - 1]
        if (prev.isascii() and prev.isalnum()) or prev in "第.．":
            continue
        found = _marker_at(s, i, g)
        if found is None:
            continue
        style, n = found
        if style in _LAW_STYLES:
            start = (law_cuts or cuts or [0])[-1]
            after_heading = bool(re.fullmatch(r"第[一二三四五六七八九十百零〇\d]+[章节].{0,20}", s[start:i]))
            if prev in _FLAT_BOUNDARY or after_heading:
                law_cuts.append(i)
            continue
        if not long or (style not in ("section", "item") and prev not in _FLAT_BOUNDARY):
            continue
        if n == last.get(style, 0) + 1 or n == 1:
            cuts.append(i)
            last[style] = n
    cuts = sorted(set(law_cuts + (cuts if len(cuts) >= 2 else []) + _point_cuts(s, g, "subitem")
                      + (_point_cuts(s, g, "inline") if inline else [])))
    if not cuts:
        return [s]
    return [p.strip() for p in (s[a:b] for a, b in zip([0, *cuts], [*cuts, len(s)], strict=True))
            if p.strip()]


def _point_cuts(s: str, g: Grammar, style: str) -> list[int]:
    """Where (1) (2) … (or 一是 二是 …, style `inline`) open sentences inside a line
    (1.深化改革。(1)全面落实…。(2)完善…): a run from 1 of at least two, each after a sentence end
    (or a closing bracket: a unit note), is broken onto lines of its own."""
    found, want = [], 1
    for i in range(1, len(s)):
        if s[i - 1] in "。;；:：)）" and (m := g.levels[style].match(s[i:])) and cn_number(m["num"]) == want:
            found.append(i)
            want += 1
    return found if len(found) >= 2 else []


def _classify_line(no: int, s: str, g: Grammar) -> Line:
    line = Line(no, s, "para")
    if g.case.match(s):
        line.role = "case"
    elif g.responsible_line.match(s) or g.deadline_line.match(s):
        pass  # 责任单位:… / 完成时限:… lines belong to the item above, never a heading
    else:
        for role, pat in g.levels.items():
            if m := pat.match(s):
                line.role, line.rest = role, m["rest"]
                line.num = cn_number(m["num"]) if "num" in m.groupdict() and m["num"] else None
                if role == "article" and (lab := _LABEL.match(line.rest)):
                    line.label, line.rest = lab["label"], lab["rest"]
                break
        else:
            if len(s) <= HEADING_MAX_CHARS and not re.search(r"[。;；]|[:：]$", s):
                line.role = "heading"
    return line


def _toc_key(s: str) -> str:
    """A contents entry without its page number or leader dots ("第一章 总则……1" → "第一章总则")."""
    return re.sub(r"[\s.…·．]+\d*$", "", s).replace(" ", "")


def _mark_toc(lines: list[Line], g: Grammar) -> None:
    """A 目录 line and the short entries after it, up to the first entry repeated, are `toc`."""
    i = 0
    while i < len(lines):
        if not g.toc.match(lines[i].text):
            i += 1
            continue
        lines[i].role = "toc"
        first, j = None, i + 1
        while j < len(lines):
            ln = lines[j]
            if len(ln.text) > HEADING_MAX_CHARS or re.search(r"[。;；]", ln.text):
                break
            key = _toc_key(ln.text)
            if first is None:
                first = key
            elif key == first:
                break  # the body starts: its first heading repeats the first entry
            ln.role = "toc"
            j += 1
        i = j


def classify(text: str, g: Grammar, inline: bool = False) -> list[Line]:
    """Give every line of a cleaned document its structural role (`inline`: see `read`)."""
    out = [_classify_line(no, part, g)
           for no, s in enumerate(text.split("\n"), start=1) for part in unflatten(s, g, inline)]
    _mark_toc(out, g)
    return out


def read(text: str, g: Grammar) -> tuple[list[Line], str | None]:
    """A document's classified lines and its measure level.

    一是…。二是…。 inside a paragraph usually lists the points of one measure, so such runs are
    split onto lines of their own only when the document has no measure level below its
    chapters otherwise (一、目标任务 …。一是…;二是…): then they may carry its measures.
    """
    lines = classify(text, g)
    level = measure_level(lines, g)
    if level is None or level in CHAPTER_STYLES:
        split = classify(text, g, inline=True)
        if len(split) > len(lines) and measure_level(split, g) == "inline":
            return split, "inline"
    return lines, level


def style_ranks(lines: list[Line]) -> dict[str, tuple[int, int]]:
    """Each numbered style's place in the document's hierarchy (smaller = outer).

    A style's depth is the nesting depth at which it is first seen: a style that appears while
    another is open sits below it (第十条 holding (一) clauses: the clauses are below the
    article; 一、 holding (一) sections: the sections are below the chapters). A case marker
    starts a new hierarchy, and 第X章 / 第X节 always close what is open below them (a repost
    that starts at 第三条 still has its 第二章 above the articles). Ties are broken by the order
    of `STYLES`.
    """
    depth: dict[str, int] = {}
    stack: list[str] = []
    for ln in lines:
        if ln.role == "case":
            stack = []
        if ln.role not in STYLES:
            continue
        if ln.role in ("law_chapter", "law_section"):  # 第二章 never sits inside an article or an item
            stack = [st for st in stack if ln.role == "law_section" and st == "law_chapter"]
        if ln.role in stack:
            del stack[stack.index(ln.role) + 1:]
        else:
            stack.append(ln.role)
        depth.setdefault(ln.role, stack.index(ln.role))
    return {s: (d, STYLES.index(s)) for s, d in depth.items()}


def _runs(lines: list[Line], role: str) -> list[Line]:
    """Lines of `role` that continue a numbering run (1, 2, 3 …; may restart at 1).

    The first run may start above 1 when the next line of the style continues it (第三条, 第四条 …:
    an excerpt or a repost that starts in the middle of a document). Articles are numbered through
    the whole regulation and never restart, so any higher article number continues their run (a
    repost that lost a marker skips a number).
    """
    seq = [ln for ln in lines if ln.role == role]
    kept, last = [], 0
    for i, ln in enumerate(seq):
        if ln.num is None:  # dash bullets: numbered by position
            kept.append(ln)
        elif (ln.num == last + 1 or ln.num == 1 or (role == "article" and ln.num > last)
              or (last == 0 and i + 1 < len(seq) and seq[i + 1].num == ln.num + 1)):
            kept.append(ln)
            last = ln.num
    return kept


def _heading_text(ln: Line) -> str:
    return (ln.rest or ln.text).rstrip("。")


def _region_flag(ln: Line, g: Grammar) -> str | None:
    """`safeguard` or `general` when a heading names such a part (its title, not its body)."""
    name = _heading_text(ln).split("。", 1)[0]
    if g.safeguard.search(name):
        return "safeguard"
    if g.general.search(name):
        return "general"
    return None


OWN_TITLE_MAX_CHARS = 10  # an item whose own title is this short and names a part is that part


def _own_flag(ln: Line, g: Grammar) -> str | None:
    """`general`/`safeguard` for a measure-level item that is itself such a heading (一、总体要求 when
    一、 carries the measures): its title clause is short and names the part."""
    title = re.split(r"[。,;:]", (ln.label or ln.rest).strip(), maxsplit=1)[0]
    if not 0 < len(title) <= OWN_TITLE_MAX_CHARS:
        return None
    return "safeguard" if g.safeguard.search(title) else "general" if g.general.search(title) else None


class _Regions:
    """The kind of part (measure / safeguard / general) each line sits in, from its headings."""

    def __init__(self) -> None:
        self.stack: list[tuple[tuple[int, int], str]] = []

    def enter(self, rank: tuple[int, int], flag: str | None) -> str:
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        kind = flag or self.current
        self.stack.append((rank, kind))
        return kind

    def reset(self) -> None:
        self.stack = []

    @property
    def current(self) -> str:
        return self.stack[-1][1] if self.stack else "measure"


def _heading_styles(ranks: dict[str, tuple[int, int]], level: str) -> set[str]:
    """The numbered styles above `level`: headings. Point styles ((1) ① 一是 ——) never are."""
    return {s for s in ranks if ranks[s] < ranks[level] and s not in POINT_STYLES}


def _has_practice(lines: list[Line], g: Grammar, heading_styles: set[str]) -> bool:
    return any((ln.role == "heading" or ln.role in heading_styles) and g.practice.search(ln.text)
               for ln in lines)


def coverage(lines: list[Line], g: Grammar, style: str, parent: str,
             ranks: dict[str, tuple[int, int]]) -> float:
    """Share of the body's `parent` nodes that hold at least one `style` item of a run.

    The body excludes safeguard and general parts and, in a case collection, everything outside
    the practice parts; a document that is all general or safeguard parts is measured whole.
    1.0 when there is no `parent` node but there are `style` items.
    """
    valid = {id(ln) for ln in _runs(lines, style)}
    heading_styles = _heading_styles(ranks, style)
    practice_only = _has_practice(lines, g, heading_styles)
    in_practice = not practice_only
    regions = _Regions()
    # [body, whole document]: parent nodes, covered parent nodes, items
    parents, covered, items = [[], []], [set(), set()], [0, 0]
    current: tuple[int | None, int | None] = (None, None)
    for ln in lines:
        if ln.role == "case":
            regions.reset()
            current, in_practice = (None, None), not practice_only
            continue
        if ln.role == "heading" and practice_only:
            in_practice = bool(g.practice.search(ln.text))
        if ln.role in heading_styles:
            if practice_only:
                in_practice = bool(g.practice.search(ln.text))
            kind = regions.enter(ranks[ln.role], _region_flag(ln, g))
            current = (None, None)
            if ln.role == parent and in_practice:
                body = len(parents[0]) if kind == "measure" else None
                if body is not None:
                    parents[0].append(body)
                current = (body, len(parents[1]))
                parents[1].append(current[1])
        elif ln.role == style and id(ln) in valid and in_practice:
            for k, in_body in ((0, regions.current == "measure"), (1, True)):
                if in_body:
                    items[k] += 1
                    if current[k] is not None:
                        covered[k].add(current[k])
    k = 0 if parents[0] or items[0] else 1
    if not parents[k]:
        return 1.0 if items[k] else 0.0
    return len(covered[k]) / len(parents[k])


def measure_level(lines: list[Line], g: Grammar) -> str | None:
    """The enumeration style that carries the measures, from the document's hierarchy.

    - Articles (第一条) when a run of them exists: a regulation's unit is the article.
    - Otherwise, among the structural styles (第一章 第一节 一、 (一) 1.) with a run, the
      deepest one that fills at least half of its parent's nodes in the body (four （一）
      sections each holding 1. items: the items; one section of twenty holding a 1. list: the
      sections, the list stays inside its section).
    - Under 一、/第一章 chapter headings with no deeper structural style, or under a style whose
      lines are mostly bare titles (1.优化企业开办服务 > (1)加快推进…。), a point style ((1), ①,
      一是, ——) that fills at least half of them carries the measures.
    - With no structural style, the shallowest point style with a run.
    A run of one or two items counts under a recognised parent style; at the top of the
    hierarchy a run needs `MIN_TOP_RUN` items.
    """
    ranks = style_ranks(lines)
    counts = {s: len(_runs(lines, s)) for s in ranks}

    def enough(s: str) -> bool:
        nested = ranks[s][0] > 0  # first seen inside another style: its parent structure is clear
        return counts[s] >= (1 if nested else MIN_TOP_RUN)

    if counts.get("article", 0) >= 1 and enough("article"):
        return "article"
    structural = sorted((s for s in counts if s not in POINT_STYLES and enough(s)), key=ranks.get)
    points = sorted((s for s in counts if s in POINT_STYLES and enough(s)), key=ranks.get)
    if not structural:
        return points[0] if points else None
    chosen = structural[0]
    for deeper, parent in reversed(list(zip(structural[1:], structural, strict=False))):
        if coverage(lines, g, deeper, parent, ranks) >= COVERAGE_MIN:
            chosen = deeper
            break
    chapter_heads = chosen == structural[0] and chosen in CHAPTER_STYLES
    for p in points:
        if (ranks[p] > ranks[chosen] and (chapter_heads or (_titles(lines, chosen) and not _titles(lines, p)))
                and coverage(lines, g, p, chosen, ranks) >= COVERAGE_MIN):
            return p
    return chosen


def _titles(lines: list[Line], style: str) -> bool:
    """Are most lines of `style` bare titles (1.优化企业开办服务), not measures with a body
    ((1)加快推进“一网通办”。推进企业开办…)? A title is short and has no clause after it."""
    own = [ln for ln in lines if ln.role == style]
    bare = sum(len(ln.rest) <= HEADING_MAX_CHARS and not re.search(r"[。;；,，]", ln.rest.rstrip("。;；"))
               for ln in own)
    return bool(own) and bare > len(own) / 2


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
    heading_styles = _heading_styles(ranks, level)
    valid = {id(ln) for ln in _runs(lines, level)}
    has_practice = _has_practice(lines, g, heading_styles)
    items: list[Item] = []
    cases: list[dict] = []
    chapter = section = heading = ""
    regions = _Regions()
    in_practice = not has_practice
    case: dict | None = None
    case_part = ""
    cur: Item | None = None
    open_body: Item | None = None  # a safeguard/general chapter gathering its body
    n_dash = 0  # dash bullets are numbered by position under their parent
    off_run: list[Line] = []  # lines of the measure style whose number does not continue the run

    def close() -> None:
        nonlocal cur
        if cur is not None:
            items.append(cur)
        cur = None

    for ln in lines:
        role = ln.role
        if role == "toc":
            continue
        is_measure = role == level and id(ln) in valid
        if role == "case":
            close()
            open_body = None
            regions.reset()
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
        if (role == "heading" or role in heading_styles) and not is_measure:
            close()
            open_body = None
            n_dash = 0
            name = _heading_text(ln)
            if has_practice:
                in_practice = bool(g.practice.search(name))
            region = (regions.enter(ranks[role], _region_flag(ln, g)) if role in heading_styles
                      else regions.current)
            if case is not None:  # inside a case, headings only switch its part
                case_part = ("practices" if in_practice else
                             "background" if "背景" in name else "results")
                continue
            if role in CHAPTER_STYLES:
                chapter, section, heading = name, "", ""
            elif role in SECTION_STYLES:
                section = name
            else:
                heading = name
            if region != "measure" and role in heading_styles:
                # A safeguard or general part written as headings with a body: 三、保障措施
                # (一)… gives one item per section, 七、保障措施 … one item for the chapter.
                if role in CHAPTER_STYLES:
                    open_body = Item(region, role, "", chapter, "", place, [ln], name)
                else:
                    cur = Item(region, role, str(ln.num), chapter, "", place, [ln], ln.rest)
            continue
        if case is not None and case_part != "practices":
            part = "background" if case_part == "title" else case_part
            case["parts"].setdefault(part, []).append(ln.text)
            continue
        if is_measure and in_practice:
            close()
            open_body = None
            if case is not None:
                sec, where = case_title(case["title_lines"]), district_of(case["title_lines"])
            else:
                sec, where = section or heading, place
            n_dash += 1
            number = str(ln.num if ln.num is not None else n_dash)
            kind = regions.current if regions.current != "measure" else _own_flag(ln, g) or "measure"
            cur = Item(kind, role, number, chapter, sec, where, [ln], ln.rest, ln.label)
            continue
        if cur is not None and (g.terminator.match(ln.text) or (role == level and id(ln) in valid)):
            close()
            continue
        if cur is not None:
            if role == level:  # its number does not continue the run: kept with the item before, not lost
                off_run.append(ln)
            cur.lines.append(ln)
        elif open_body is not None:
            open_body.lines.append(ln)
            if open_body not in items:
                items.append(open_body)
        elif case is not None:
            case["parts"].setdefault("practices_intro", []).append(ln.text)
    close()
    if off_run:
        first = off_run[0]
        warnings.warn(f"{source_id}: {len(off_run)} line(s) numbered in the measures' style do not continue their "
                      f"numbering (first: line {first.no}, {first.text[:20]!r}); each is kept in the text of the item "
                      "before it — check the document's numbering", StructureWarning, stacklevel=3)
    rows = _rows(items, g, source_id)
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
