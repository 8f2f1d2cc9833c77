"""Policy learning: which places a document says it learns from, benchmarks against or copies.

Verbs, places and relations are data (`data/lexicon/learning.csv`). A mention is a verb directly
followed by a list of recognised places (借鉴北京、上海、香港、新加坡等城市 → four rows), or a
verb frame around the list (向广深看齐, 以广深区级大厅为标杆, 到广深对口部门进行学习取经,
与广深的差距). A verb with no recognised place right after it gives no row, which is what keeps
学习贯彻党的二十大精神, 学习交流 and 法治学习 out. Mentions inside a cited title (《…》) are the
other document's words and are skipped. The practice is the quoted name right after the place
(学习广州“‘一门式’政策兑现”做法 → ‘一门式’政策兑现, inner quotes kept).

One row per sentence and place: a place named twice in a sentence (对标广深… 与广深看齐) keeps
its first verb (and the first practice named). `relation`, first rule that applies:
1. a `relation_sentence` cue anywhere in the sentence (供各地学习借鉴) → `others_learn`: the
   document offers itself to be learnt from;
2. a `relation_after` cue right after the place and its practice (参照省“…”工作要求) →
   `compliance`: doing what a higher level requires;
3. the place's own relation: the generic levels (先进地区, 国际一流) → `aspiration`;
4. otherwise `learns_from`. Only `learns_from` rows say that a source learns from a place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

REFERENCE_COLUMNS = ["source_id", "measure_id", "verb", "place", "relation", "practice", "sentence"]
RELATIONS = ["learns_from", "others_learn", "compliance", "aspiration"]
LEARNS_FROM = "learns_from"
PLACE_SEPARATOR = r"(?:以及|、|和|及|与)"
SENTENCE_END = re.compile(r"[。;；!?！？\n]")


@dataclass(frozen=True)
class Lexicon:
    """The compiled verb and place patterns of `learning.csv`."""

    places: list[tuple[re.Pattern, str]]  # (anchored place pattern, label), longest pattern first
    mentions: list[tuple[re.Pattern, list[str] | str]]  # (pattern with a `places` group, verb label(s))
    verb_run: list[tuple[re.Pattern, str]]  # simple verbs, to label the first verb of a run
    place_relation: dict[str, str] = field(default_factory=dict)  # place label → its relation
    sentence_rules: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (cue, relation)
    after_rules: list[tuple[re.Pattern, str]] = field(default_factory=list)  # (cue, relation)

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        """Compile `learning.csv` (role, pattern, label, note, label_en, relation)."""
        return cls.from_frame(pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig"), path)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, path: Path | str = "learning.csv") -> Lexicon:
        """Compile the rows of `learning.csv` (the build reads and checks the file through
        `bizenv_analysis.lexicon.Lexicon`, whose `.learning` this is)."""
        if "relation" not in df:
            df = df.assign(relation="")
        bad = sorted(set(df["relation"]) - set(RELATIONS) - {""})
        if bad:
            raise ValueError(f"{path}: unknown relation {bad} (use {RELATIONS})")
        place_rows = sorted(((r.pattern, r.label) for r in df.itertuples() if r.role == "place"),
                            key=lambda pl: -len(pl[0]))
        one_place = "|".join(f"(?:{p})" for p, _ in place_rows)
        place_list = f"(?P<places>(?:{one_place})(?:{PLACE_SEPARATOR}(?:{one_place}))*)"
        verbs = [(r.pattern, r.label) for r in df.itertuples() if r.role == "verb"]
        simple = sorted(((p, lab) for p, lab in verbs if "{place}" not in p), key=lambda v: -len(v[0]))
        run = "|".join(f"(?:{p})" for p, _ in simple)
        mentions: list[tuple[re.Pattern, list[str] | str]] = [
            (re.compile(f"(?P<verb>(?:{run})+){place_list}"), [lab for _, lab in simple])]
        mentions += [(re.compile(p.replace("{place}", place_list)), lab) for p, lab in verbs
                     if "{place}" in p]
        rules = {role: [(re.compile(r.pattern), r.relation) for r in df.itertuples() if r.role == role]
                 for role in ("relation_sentence", "relation_after")}
        return cls(places=[(re.compile(p), lab) for p, lab in place_rows], mentions=mentions,
                   verb_run=[(re.compile(p), lab) for p, lab in simple],
                   place_relation={r.label: r.relation for r in df.itertuples() if r.role == "place" and r.relation},
                   sentence_rules=rules["relation_sentence"], after_rules=rules["relation_after"])

    def relation(self, sentence: str, after: str, place: str) -> str:
        """The relation of a mention of `place` in `sentence`, `after` being the text after it."""
        for pat, rel in self.sentence_rules:
            if pat.search(sentence):
                return rel
        for pat, rel in self.after_rules:
            if pat.match(after):
                return rel
        return self.place_relation.get(place, LEARNS_FROM)

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


def practice_end(text: str, pos: int, practice: str) -> int:
    """Where the text after a place continues, past its quoted practice when there is one."""
    if not practice:
        return pos
    return pos + (1 if text.startswith("的“", pos) else 0) + len(practice) + 2


def find_references(text: str, lex: Lexicon) -> list[dict]:
    """Mentions of one document, one per sentence and place: position, line, verb, place, relation,
    practice, sentence."""
    found: dict[tuple[int, str], dict] = {}
    for pat, verb in lex.mentions:
        for m in pat.finditer(text):
            if in_title(text, m.start()):
                continue
            label = lex.first_verb(m["verb"]) if isinstance(verb, list) else verb
            s_from = max((text.rfind(c, 0, m.start()) for c in "。;；!?！？\n"), default=-1) + 1
            s_to = SENTENCE_END.search(text, m.end())
            sentence = text[s_from:s_to.start() if s_to else len(text)].strip()
            places = lex.split_places(text, m.start("places"), m.end("places"))
            practice = quoted_after(text, places[-1][1]) if places else ""
            after = text[practice_end(text, places[-1][1], practice):] if places else ""
            for p_start, _, place in places:
                row = {"pos": m.start(), "line": text.count("\n", 0, m.start()) + 1, "verb": label,
                       "place": place, "relation": lex.relation(sentence, after, place),
                       "practice": practice, "sentence": sentence, "order": p_start}
                # One row per sentence and place: the mention that starts first keeps its verb.
                key = (s_from, place)
                if key not in found or (row["pos"], row["order"]) < (found[key]["pos"], found[key]["order"]):
                    if key in found and not practice:
                        row["practice"] = found[key]["practice"]
                    found[key] = row
                elif not found[key]["practice"]:
                    found[key]["practice"] = practice
    return sorted(found.values(), key=lambda r: (r["pos"], r["order"]))


def references_table(documents: pd.DataFrame, measures: pd.DataFrame, lexicon: Path | Lexicon) -> pd.DataFrame:
    """`references.csv`: one row per (sentence, place) mentioned in the cleaned documents.

    Rows follow the order of `documents` (as in sources.csv), then the position in the text.

    `lexicon`: the path of `learning.csv` or its compiled rules (`bizenv_analysis.lexicon.Lexicon.learning`).
    """
    lex = lexicon if isinstance(lexicon, Lexicon) else Lexicon.load(Path(lexicon))
    rows = []
    spans = {sid: list(zip(g["line_start"], g["line_end"], g["measure_id"], strict=True))
             for sid, g in measures.groupby("source_id", sort=False)}
    for doc in documents.itertuples():
        for r in find_references(doc.text, lex):
            # The first measure (in table order) whose lines hold the mention.
            inside = (mid for start, end, mid in spans.get(doc.source_id, []) if start <= r["line"] <= end)
            rows.append({"source_id": doc.source_id, "measure_id": next(inside, ""),
                         **{k: r[k] for k in ("verb", "place", "relation", "practice", "sentence")}})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)
