"""Policy learning: which places a document says it learns from, benchmarks against or copies.

Verbs and places are data (`data/lexicon/learning.csv`). A mention is a verb directly followed
by a list of recognised places (借鉴北京、上海、香港、新加坡等城市 → four rows), or a verb frame
around the list (向广深看齐, 以广深区级大厅为标杆, 到广深对口部门进行学习取经). A verb with no
recognised place right after it gives no row, which is what keeps 学习贯彻党的二十大精神,
学习交流, 供各地学习借鉴 and 法治学习 out. Mentions inside a cited title (《…》) are the
other document's words and are skipped. The practice is the quoted name right after the place
(学习广州“‘一门式’政策兑现”做法 → ‘一门式’政策兑现, inner quotes kept).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

REFERENCE_COLUMNS = ["source_id", "measure_id", "verb", "place", "practice", "sentence"]
PLACE_SEPARATOR = r"(?:以及|、|和|及|与)"
SENTENCE_END = re.compile(r"[。;；!?！？\n]")


@dataclass(frozen=True)
class Lexicon:
    """The compiled verb and place patterns of `learning.csv`."""

    places: list[tuple[re.Pattern, str]]  # (anchored place pattern, label), longest pattern first
    mentions: list[tuple[re.Pattern, list[str] | str]]  # (pattern with a `places` group, verb label(s))
    verb_run: list[tuple[re.Pattern, str]]  # simple verbs, to label the first verb of a run

    @classmethod
    def load(cls, path: Path) -> Lexicon:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
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
        return cls(places=[(re.compile(p), lab) for p, lab in place_rows], mentions=mentions,
                   verb_run=[(re.compile(p), lab) for p, lab in simple])

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
    """Mentions of one document: position, line, verb, place, practice, sentence."""
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
            for p_start, _, place in places:
                # One place occurrence belongs to one mention (the first verb that claims it).
                found.setdefault((p_start, place), {
                    "pos": m.start(), "line": text.count("\n", 0, m.start()) + 1, "verb": label,
                    "place": place, "practice": practice, "sentence": sentence, "order": p_start})
    return sorted(found.values(), key=lambda r: (r["pos"], r["order"]))


def references_table(documents: pd.DataFrame, measures: pd.DataFrame, lexicon_path: Path) -> pd.DataFrame:
    """`references.csv`: one row per (mention, place) in the cleaned documents, in source order."""
    lex = Lexicon.load(lexicon_path)
    rows = []
    spans = {sid: list(zip(g["line_start"], g["line_end"], g["measure_id"], strict=True))
             for sid, g in measures.groupby("source_id", sort=False)}
    for doc in documents.itertuples():
        for r in find_references(doc.text, lex):
            # The first measure (in table order) whose lines hold the mention.
            inside = (mid for start, end, mid in spans.get(doc.source_id, []) if start <= r["line"] <= end)
            rows.append({"source_id": doc.source_id, "measure_id": next(inside, ""),
                         **{k: r[k] for k in ("verb", "place", "practice", "sentence")}})
    return pd.DataFrame(rows, columns=REFERENCE_COLUMNS)
