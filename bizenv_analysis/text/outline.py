"""The document's structure: each line's role, the hierarchy of its numbering, and the measure level.

The enumeration styles (第一章 / 第一节 / 一、 / (一) / 第一条 / 1. / (1) / ① / 一是 / ——) and
the headings that mark safeguards, general parts, case practices and item ends are data
(`data/lexicon/segmentation.csv`). The hierarchy is read from the markers and their nesting
(a style first seen inside another sits below it), and the measure level is chosen from that
hierarchy (see `measure_level`), so a short run of one or two items counts where its parent
structure is clear. `text.measures` cuts the items out of the lines read here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from ..base.numerals import cn_int
from ..rules.measures import STYLES, Grammar

# Numbered styles, in the order that breaks ties between styles first seen at the same depth.
# Points inside a measure (or, under 一、 chapter headings, the measures themselves).
POINT_STYLES = ("subitem", "circled", "inline", "dash")
CHAPTER_STYLES = ("law_chapter", "chapter")
SECTION_STYLES = ("law_section", "section")
HEADING_MAX_CHARS = 40
# A run of one or two items is a run only under a recognised parent; at the top it needs this many.
MIN_TOP_RUN = 2
COVERAGE_MIN = 0.5  # share of parent nodes a deeper style must fill to be the measure level
FLAT_MIN_CHARS = 200  # a line this long with several markers is a flattened repost
_FLAT_STYLES = ("law_chapter", "law_section", "chapter", "section", "article", "item")
_LAW_STYLES = ("law_chapter", "law_section", "article")
_FLAT_BOUNDARY = set("。;；!?！？ ”’)）:：")
_MARKER_START = set("第一二三四五六七八九十(（0123456789")
_LABEL = re.compile(r"^【(?P<label>[^】]{1,20})】\s*(?P<rest>.*)$")


@dataclass
class Line:
    no: int  # 1-based line number in the cleaned text (a flattened line's parts share it)
    text: str
    role: str  # a STYLES name, case, heading, toc or para
    num: int | None = None
    rest: str = ""
    label: str = ""  # an article's bracketed label: 第一条【立法目的】


BIG_NUMBER = 10**18  # a number of more digits than this (int() refuses over 4300) counts as this


def cn_number(s: str) -> int:
    """Chinese numeral (一 … 九十九, 一百零五, 一千零五: `base.numerals.cn_int`), circled (①) or Arabic digits → int."""
    if s[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":  # before isdigit(): '①'.isdigit() is True
        return ord(s[0]) - ord("①") + 1
    if s.isascii() and s.isdigit():
        return int(s) if len(s) <= 18 else BIG_NUMBER
    value = cn_int(s)
    if value is None:  # a marker pattern let through something no numeral reader reads
        raise ValueError(f"{s!r} is not a number")
    return value


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


def runs(lines: list[Line], role: str) -> list[Line]:
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


def heading_text(ln: Line) -> str:
    """A heading's name: its text after the marker, without a closing full stop."""
    return (ln.rest or ln.text).rstrip("。")


def region_flag(ln: Line, g: Grammar) -> str | None:
    """`safeguard` or `general` when a heading names such a part (its title, not its body)."""
    name = heading_text(ln).split("。", 1)[0]
    if g.safeguard.search(name):
        return "safeguard"
    if g.general.search(name):
        return "general"
    return None



class Regions:
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


def headings_above(ranks: dict[str, tuple[int, int]], level: str) -> set[str]:
    """The numbered styles above `level`: headings. Point styles ((1) ① 一是 ——) never are."""
    return {s for s in ranks if ranks[s] < ranks[level] and s not in POINT_STYLES}


def has_practice_parts(lines: list[Line], g: Grammar, heading_styles: set[str]) -> bool:
    """Whether a heading names a practice part (主要做法): then only such parts hold measures."""
    return any((ln.role == "heading" or ln.role in heading_styles) and g.practice.search(ln.text)
               for ln in lines)


class At(NamedTuple):
    """A line and the part of the document it lies in, as `walk` yields them."""

    line: Line
    region: str  # measure, safeguard or general, from the headings above the line
    in_practice: bool  # inside a practice part (every line is, when no heading names one)
    case_no: int  # the case the line belongs to, counted from 1 (0: before the first case)
    title: bool  # a heading line of its case's title: it opens no part


def walk(lines: list[Line], g: Grammar, ranks: dict[str, tuple[int, int]], level: str, *,
         practice_by_name: bool, skip_toc: bool) -> Iterator[At]:
    """Each line with its part of the document, when `level` is the style that carries the items.

    The headings are the unnumbered headings and the numbered styles above `level`
    (`headings_above`). A heading of those styles that names a safeguard or general part opens it
    until a heading of the same or a higher rank; when some heading names a practice part (主要做法),
    only the lines under such headings are `in_practice`. A case marker starts afresh, and the
    unnumbered headings right after it that name neither practices nor a background are its title.

    The two walkers differ in two ways, kept as they were: `measures` tests a heading for a
    practice part on its name (`heading_text`: after the marker, without a closing 。) and leaves
    contents lines out (`practice_by_name`, `skip_toc`); `coverage` tests the whole line and walks
    contents lines too (their role, `toc`, counts for nothing there).
    """
    heading_styles = headings_above(ranks, level)
    practice_only = has_practice_parts(lines, g, heading_styles)
    regions = Regions()
    in_practice, case_no, in_title = not practice_only, 0, False
    for ln in lines:
        if skip_toc and ln.role == "toc":
            continue
        if ln.role == "case":
            regions.reset()
            in_practice, case_no, in_title = not practice_only, case_no + 1, True
        elif ln.role == "heading" or ln.role in heading_styles:
            if (in_title and ln.role == "heading" and not g.practice.search(ln.text)
                    and "背景" not in ln.text):
                yield At(ln, regions.current, in_practice, case_no, True)
                continue
            in_title = False
            if practice_only:
                in_practice = bool(g.practice.search(heading_text(ln) if practice_by_name else ln.text))
            if ln.role in heading_styles:
                regions.enter(ranks[ln.role], region_flag(ln, g))
        yield At(ln, regions.current, in_practice, case_no, False)


def coverage(lines: list[Line], g: Grammar, style: str, parent: str,
             ranks: dict[str, tuple[int, int]]) -> float:
    """Share of the body's `parent` nodes that hold at least one `style` item of a run.

    The body excludes safeguard and general parts and, in a case collection, everything outside
    the practice parts; a document that is all general or safeguard parts is measured whole.
    1.0 when there is no `parent` node but there are `style` items.
    """
    valid = {id(ln) for ln in runs(lines, style)}
    heading_styles = headings_above(ranks, style)
    # [body, whole document]: parent nodes, covered parent nodes, items
    parents, covered, items = [[], []], [set(), set()], [0, 0]
    current: tuple[int | None, int | None] = (None, None)
    for at in walk(lines, g, ranks, style, practice_by_name=False, skip_toc=False):
        role = at.line.role
        if role == "case" or role in heading_styles:
            current = (None, None)
            if role == parent and at.in_practice:
                body = len(parents[0]) if at.region == "measure" else None
                if body is not None:
                    parents[0].append(body)
                current = (body, len(parents[1]))
                parents[1].append(current[1])
        elif role == style and id(at.line) in valid and at.in_practice:
            for k, in_body in ((0, at.region == "measure"), (1, True)):
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
    counts = {s: len(runs(lines, s)) for s in ranks}

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
