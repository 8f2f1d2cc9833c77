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
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .measures import measure_lines

REFERENCE_COLUMNS = ["source_id", "measure_id", "verb", "place", "named", "relation", "practice", "sentence"]
LEARNS_FROM = "learns_from"
RELATIONS = ["learns_from", "benchmarks_against", "gap_to", "compliance", "offers_to_others"]
# Relations of the earlier four-type typology (until 2026-12-07), with the fix for a file that uses one.
RETIRED = {"others_learn": "rename it offers_to_others",
           "aspiration": "make the row a `level` (a generic level) with no relation: its verb gives the relation"}
PLACE_ROLES = ("place", "level")  # a named place; a generic level that names no place
CUE_ROLES = ("relation_sentence", "relation_after", "relation_place")  # in order of precedence
VERB_RANK = len(CUE_ROLES)  # the verb's own relation comes after every cue
PLACE_SEPARATOR = r"(?:以及|、|和|及|与)"
SENTENCE_END = re.compile(r"[。;；!?！？\n]")


def relation_problem(relation: str) -> tuple[str, str]:
    """What is wrong with a relation that is not one of `RELATIONS`, and the fix."""
    if relation in RETIRED:
        return f"unknown relation {relation!r} (retired with the four-type typology)", RETIRED[relation]
    return f"unknown relation {relation!r}", f"use one of: {', '.join(RELATIONS)} (data/lexicon/README.md)"


def place_list(one_place: str) -> str:
    """The pattern of a list of places (a `places` group) that `{place}` stands for."""
    return f"(?P<places>(?:{one_place})(?:{PLACE_SEPARATOR}(?:{one_place}))*)"


@dataclass(frozen=True)
class Lexicon:
    """The compiled verbs, places and typing rules of `learning.csv`."""

    places: list[tuple[re.Pattern, str]]  # (anchored place or level pattern, label), longest pattern first
    # (pattern with a `places` group, verb label(s), relation of a frame; "" for the verb run)
    mentions: list[tuple[re.Pattern, list[str] | str, str]]
    verb_run: list[tuple[re.Pattern, str]]  # simple verbs, to label the first verb of a run
    verb_relation: dict[str, str] = field(default_factory=dict)  # simple verb label → its relation
    levels: frozenset[str] = frozenset()  # labels of the generic levels (`named` False)
    sentence_rules: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (cue, relation)
    after_rules: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (cue, relation)
    place_rules: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (cue with `places`, relation)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Compile `learning.csv` (role, pattern, label, note, label_en, relation)."""
        return cls.from_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), path)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, path: Path | str = "learning.csv") -> Lexicon:
        """Compile the rows of `learning.csv` (the build reads and checks the file through
        `bizenv_analysis.rules.lexicon.Lexicon`, whose `.learning` this is)."""
        if "relation" not in df:
            df = df.assign(relation="")
        for r in df.itertuples():
            if r.relation and r.relation not in RELATIONS:
                raise ValueError(f"{path}: " + "; ".join(relation_problem(r.relation)))
            if r.role in PLACE_ROLES and r.relation:
                raise ValueError(f"{path}: the {r.role} {r.label!r} has a relation ({r.relation}); a place has none, "
                                 "its verb and the relation_* cues give it")
            if (r.role == "verb" or r.role in CUE_ROLES) and not r.relation:
                raise ValueError(f"{path}: the {r.role} {r.pattern!r} has no relation "
                                 f"(use one of {', '.join(RELATIONS)})")
            if r.role in CUE_ROLES and ("{place}" in r.pattern) != (r.role == "relation_place"):
                raise ValueError(f"{path}: the {r.role} cue {r.pattern!r} " + (
                    "needs {place}" if r.role == "relation_place" else "may not hold {place} (use relation_place)"))
        place_rows = sorted(((r.pattern, r.label) for r in df.itertuples() if r.role in PLACE_ROLES),
                            key=lambda pl: -len(pl[0]))
        places = place_list("|".join(f"(?:{p})" for p, _ in place_rows))
        verbs = [(r.pattern, r.label, r.relation) for r in df.itertuples() if r.role == "verb"]
        simple = sorted(((p, lab) for p, lab, _ in verbs if "{place}" not in p), key=lambda v: -len(v[0]))
        verb_relation: dict[str, str] = {}
        for p, lab, rel in verbs:
            if "{place}" not in p and verb_relation.setdefault(lab, rel) != rel:
                raise ValueError(f"{path}: the verbs labelled {lab!r} have two relations "
                                 f"({verb_relation[lab]}, {rel}); give them one, or two labels")
        run = "|".join(f"(?:{p})" for p, _ in simple)
        mentions: list[tuple[re.Pattern, list[str] | str, str]] = [
            (re.compile(f"(?P<verb>(?:{run})+){places}"), [lab for _, lab in simple], "")]
        mentions += [(re.compile(p.replace("{place}", places)), lab, rel) for p, lab, rel in verbs if "{place}" in p]
        rules = {role: [(re.compile(r.pattern.replace("{place}", places)), r.relation)
                        for r in df.itertuples() if r.role == role] for role in CUE_ROLES}
        return cls(places=[(re.compile(p), lab) for p, lab in place_rows], mentions=mentions,
                   verb_run=[(re.compile(p), lab) for p, lab in simple], verb_relation=verb_relation,
                   levels=frozenset(r.label for r in df.itertuples() if r.role == "level"),
                   sentence_rules=rules["relation_sentence"], after_rules=rules["relation_after"],
                   place_rules=rules["relation_place"])

    def relation(self, sentence: str, after: str, place: str, verb_relation: str) -> tuple[str, int]:
        """The relation of a mention of `place` in `sentence` (`after`: the text right after the
        place; `verb_relation`: its verb's), and the rank of the rule that gave it (0 = the first
        of `CUE_ROLES`, `VERB_RANK` = the verb)."""
        for pat, rel in self.sentence_rules:
            if pat.search(sentence):
                return rel, 0
        for pat, rel in self.after_rules:
            if pat.match(after):
                return rel, 1
        for pat, rel in self.place_rules:
            for m in pat.finditer(sentence):
                if place in {lab for _, _, lab in self.split_places(sentence, m.start("places"), m.end("places"))}:
                    return rel, 2
        return verb_relation, VERB_RANK

    def split_places(self, text: str, start: int, end: int) -> list[tuple[int, int, str]]:
        """(start, end, label) of each place in the place list at text[start:end].

        Matched in the whole text, as some place patterns look ahead (先进 before 经验).
        """
        out, pos = [], start
        while pos < end:
            sep = re.compile(PLACE_SEPARATOR).match(text, pos) if out else None
            pos = sep.end() if sep else pos
            for pat, label in self.places:
                if (m := pat.match(text, pos)) and pos < m.end() <= end:
                    out.append((m.start(), m.end(), label))
                    pos = m.end()
                    break
            else:
                break
        return out

    def first_verb(self, run: str) -> str:
        """The label of the first verb of a run such as 学习借鉴 or 对标对表."""
        starts = [(-len(m.group()), lab) for pat, lab in self.verb_run if (m := pat.match(run))]
        return min(starts)[1] if starts else run


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


def find_references(text: str, lex: Lexicon) -> list[dict]:
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


def references_table(documents: pd.DataFrame, measures: pd.DataFrame, lexicon: Path | Lexicon) -> pd.DataFrame:
    """`references.csv`: one row per (sentence, place) mentioned in the cleaned documents.

    Rows follow the order of `documents` (as in sources.csv), then the position in the text. An
    empty `measure_id`: the sentence lies in no item of `measures.csv`, so it is a heading (the title,
    or a heading above the items) or a framing paragraph (a preamble, an editor's note).

    `lexicon`: the path of `learning.csv` or its compiled rules (`bizenv_analysis.rules.lexicon.Lexicon.learning`).
    """
    lex = lexicon if isinstance(lexicon, Lexicon) else Lexicon.load(Path(lexicon))
    rows = []
    lines = measure_lines(measures)  # the first measure (in table order) whose lines hold a line
    for doc in documents.itertuples():
        for r in find_references(doc.text, lex):
            rows.append({"source_id": doc.source_id, "measure_id": lines.get(doc.source_id, {}).get(r["line"], ""),
                         **{k: r[k] for k in ("verb", "place", "named", "relation", "practice", "sentence")}})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS).astype({"named": bool})
