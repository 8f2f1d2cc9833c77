"""Policy learning: the places a document names, and whether it learns from, benchmarks against,
closes a gap to, complies with or offers itself to them.

Verbs, places and the typing rules are data (`data/lexicon/learning.csv`). A mention is a verb
directly followed by a list of recognised places (借鉴北京、上海、香港、新加坡等城市 → four rows),
or a verb frame around the list (向广深看齐, 以广深区级大厅为标杆, 到广深对口部门进行学习取经,
与广深的差距). A verb with no recognised place right after it gives no row, which is what keeps
学习贯彻党的二十大精神, 学习交流 and 法治学习 out. Mentions inside a cited title (《…》) are the
other document's words and are skipped. The practice is the quoted name right after the place
(学习广州“‘一门式’政策兑现”做法 → ‘一门式’政策兑现, inner quotes kept).

A place is a `place` row of the file (a named place: 深圳, 广深, 世界银行, 省) or a `level` row (a
generic level that names no place: 先进地区, 国际, 国内一流); `named` is False for a level. A level
takes the relation its verb frame gives, like a named place.

`relation`, one of `RELATIONS`:

- `learns_from`: a named place's practice is adopted (借鉴/学习/参照/复制推广 X 的做法/经验,
  学习取经, 对标X“…”做法 when a practice is named and taken over);
- `benchmarks_against`: reach or align with a place's level or standard (对标广深标准, 向广深看齐,
  以…为标杆, 达到…水平, 与…无差异, 对照世界银行最新标准, 锚定);
- `gap_to`: a gap to the place to close (与广深的差距, 缩小…差距, 没有达到广深水平);
- `compliance`: doing what a higher level requires (参照省“…”工作要求);
- `offers_to_others`: the document offers its practice to others (供各地学习借鉴).

Each mention gets the relation of the first rule that applies, in this order (within a role, in
file order):

1. a `relation_sentence` cue anywhere in the sentence (供…学习借鉴 → offers_to_others);
2. a `relation_after` cue matched right after the place, its quoted practice included
   (“…”工作要求 → compliance; a quoted practice, or 做法/经验 in the same clause → learns_from);
3. a `relation_place` cue anywhere in the sentence whose `{place}` list holds this place
   (与广深…差距, 没有达到广深 → gap_to): scoped to the place, so 对照世界银行最新标准 in a
   sentence that also says 查摆与广深的差距 stays benchmarks_against for 世界银行;
4. the relation of the verb or frame (借鉴 → learns_from, 对标 → benchmarks_against).

One row per sentence and place: a place named twice in a sentence (对标广深… 与广深看齐) keeps its
first verb and the first practice named; its relation is that of the mention decided by the
earliest rule in the order above (the first mention on a tie). Only `learns_from` rows say that a
source learns from a place, and only those with `named` True name the place.
"""

from __future__ import annotations

import re

import pandas as pd

from ..rules.references import LearningRules
from .measures import measure_lines

REFERENCE_COLUMNS = ["source_id", "measure_id", "verb", "place", "named", "relation", "practice", "sentence"]
SENTENCE_END = re.compile(r"[。;；!?！？\n]")


def quoted_after(text: str, pos: int) -> str:
    """The “…” name starting at `pos` (after an optional 的), nested quotes kept; "" when none."""
    if text.startswith("的“", pos):
        pos += 1
    if not text.startswith("“", pos):
        return ""
    depth = 0
    for i in range(pos, min(len(text), pos + 80)):
        depth += {"“": 1, "”": -1}.get(text[i], 0)
        if depth == 0:
            return text[pos + 1:i]
        if text[i] in "。\n":
            break
    return ""


def in_title(text: str, pos: int) -> bool:
    """Whether `pos` sits inside a 《…》 title on its line."""
    line_start = text.rfind("\n", 0, pos) + 1
    before = text[line_start:pos]
    return before.rfind("《") > before.rfind("》")


def find_references(text: str, lex: LearningRules) -> list[dict]:
    """Mentions of one document, one per sentence and place: position, line, verb, place, named,
    relation, practice, sentence."""
    found: dict[tuple[int, str], list[dict]] = {}
    for pat, verb, frame_relation in lex.mentions:
        for m in pat.finditer(text):
            if in_title(text, m.start()):
                continue
            label = lex.first_verb(m["verb"]) if isinstance(verb, list) else verb
            verb_relation = lex.verb_relation[label] if isinstance(verb, list) else frame_relation
            s_from = max((text.rfind(c, 0, m.start()) for c in "。;；!?！？\n"), default=-1) + 1
            s_to = SENTENCE_END.search(text, m.end())
            sentence = text[s_from:s_to.start() if s_to else len(text)].strip()
            places = lex.split_places(text, m.start("places"), m.end("places"))
            # The practice and the text after the place are those after the last place of a list
            # (借鉴广州、深圳“…”做法 names one practice for both).
            practice = quoted_after(text, places[-1][1]) if places else ""
            after = text[places[-1][1]:] if places else ""
            for p_start, _, place in places:
                relation, rank = lex.relation(sentence, after, place, verb_relation)
                found.setdefault((s_from, place), []).append({
                    "pos": m.start(), "line": text.count("\n", 0, m.start()) + 1, "verb": label, "place": place,
                    "named": place not in lex.levels, "relation": relation, "rank": rank, "practice": practice,
                    "sentence": sentence, "order": p_start})
    rows = []
    for mentions in found.values():
        # One row per sentence and place: the first mention gives the verb, the earliest rule the relation.
        mentions.sort(key=lambda r: (r["pos"], r["order"]))
        row = dict(mentions[0])
        row["relation"] = min(mentions, key=lambda r: r["rank"])["relation"]
        row["practice"] = next((r["practice"] for r in mentions if r["practice"]), "")
        rows.append(row)
    return sorted(rows, key=lambda r: (r["pos"], r["order"]))


def references_table(documents: pd.DataFrame, measures: pd.DataFrame, lex: LearningRules) -> pd.DataFrame:
    """`references.csv`: one row per (sentence, place) mentioned in the cleaned documents.

    Rows follow the order of `documents` (as in sources.csv), then the position in the text. An
    empty `measure_id`: the sentence lies in no item of `measures.csv`, so it is a heading (the title,
    or a heading above the items) or a framing paragraph (a preamble, an editor's note).

    `lex`: the compiled rules of `learning.csv` (`Lexicon.learning`).
    """
    rows = []
    lines = measure_lines(measures)  # the first measure (in table order) whose lines hold a line
    for doc in documents.itertuples():
        for r in find_references(doc.text, lex):
            rows.append({"source_id": doc.source_id, "measure_id": lines.get(doc.source_id, {}).get(r["line"], ""),
                         **{k: r[k] for k in ("verb", "place", "named", "relation", "practice", "sentence")}})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS).astype({"named": bool})
