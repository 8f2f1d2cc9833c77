"""The rules of the references extractor (`learning.csv`): learning verbs, places and generic
levels, and the cues that type a mention's relation."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..base.errors import BuildError
from .regex import check_regex
from .spec import CsvSpec, LexiconFile, full_frame, parsed, read_rows

LEARNS_FROM = "learns_from"
RELATIONS = ["learns_from", "benchmarks_against", "gap_to", "compliance", "offers_to_others"]
# Relations of the earlier four-type typology (until 2026-12-07), with the fix for a file that uses one.
RETIRED = {"others_learn": "rename it offers_to_others",
           "aspiration": "make the row a `level` (a generic level) with no relation: its verb gives the relation"}
PLACE_ROLES = ("place", "level")  # a named place; a generic level that names no place
CUE_ROLES = ("relation_sentence", "relation_after", "relation_place")  # in order of precedence
VERB_RANK = len(CUE_ROLES)  # the verb's own relation comes after every cue
PLACE_SEPARATOR = r"(?:以及|、|和|及|与)"
FILE = "learning.csv"
SPEC = CsvSpec(("role", "pattern", "label", "relation"), ("note", "label_en"), ("role", "pattern"),
               # `relation` is checked by `parse`, whose message says what became of a retired relation
               choices={"role": ("verb", *PLACE_ROLES, *CUE_ROLES)})


def relation_problem(relation: str) -> tuple[str, str]:
    """What is wrong with a relation that is not one of `RELATIONS`, and the fix."""
    if relation in RETIRED:
        return f"unknown relation {relation!r} (retired with the four-type typology)", RETIRED[relation]
    return f"unknown relation {relation!r}", f"use one of: {', '.join(RELATIONS)} (data/lexicon/README.md)"


def place_list(one_place: str) -> str:
    """The pattern of a list of places (a `places` group) that `{place}` stands for."""
    return f"(?P<places>(?:{one_place})(?:{PLACE_SEPARATOR}(?:{one_place}))*)"


@dataclass(frozen=True)
class LearningRules:
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
    def from_frame(cls, df: pd.DataFrame, path: Path | str = "learning.csv") -> LearningRules:
        """Compile the rows of `learning.csv` (`parse` reads and checks the file)."""
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


_PLACE_STANDIN = "\ue000"  # a character no pattern uses, for {place} while checking a verb frame


def parse(f: LexiconFile) -> LearningRules:
    spec = SPEC
    rows = read_rows(f.path, spec)
    relations = ", ".join(RELATIONS)
    simple_verb = place = False
    for line, row in rows.rows:
        role, pattern, relation = row["role"], row["pattern"], row.get("relation", "")
        framed = role in ("verb", "relation_place")  # patterns in which {place} stands for a list of places
        if framed and "{place}" in pattern:
            check_regex(pattern.replace("{place}", _PLACE_STANDIN), f.path, line)
        else:
            check_regex(pattern, f.path, line)
        if role in ("verb", *PLACE_ROLES) and not row["label"].strip():
            raise BuildError.at(f.path, line, f"empty label for a {role}", "give every verb, place and level a label")
        if relation and relation not in RELATIONS:
            raise BuildError.at(f.path, line, *relation_problem(relation))
        if role in PLACE_ROLES and relation:
            raise BuildError.at(f.path, line, f"a {role} with a relation ({relation})",
                                "leave it empty: the verb and the relation_* cues give a mention its relation")
        if (role == "verb" or role in CUE_ROLES) and not relation:
            raise BuildError.at(f.path, line, f"a {role} without a relation", f"give it a relation: {relations}")
        if role in CUE_ROLES and ("{place}" in pattern) != (role == "relation_place"):
            raise BuildError.at(f.path, line, f"a {role} cue " + ("without {place}" if role == "relation_place"
                                                             else "with {place}"),
                                "a cue that names the place is a relation_place row with {place} in its pattern; "
                                "relation_sentence and relation_after cues hold no {place}")
        simple_verb |= role == "verb" and "{place}" not in pattern
        place |= role in PLACE_ROLES
    if not (simple_verb and place):
        raise BuildError.at(f.path, None, "the file needs at least one verb without {place} and at least one place",
                            "add verb rows (借鉴, 学习 …) and place rows (深圳, 上海 …)")
    return parsed(f.path, "learning", LearningRules.from_frame, full_frame(rows, spec), f.path)
