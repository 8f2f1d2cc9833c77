"""Which terms are names of people, places and organisations, set aside from vocabulary comparisons.

A vocabulary comparison that a document's own place name decides (衢州 in Quzhou's plan, 天河区 in
Tianhe's) says nothing about its reforms, so keyness, the TF-IDF similarity of sources and the
co-word network leave names out by default; `tokens.csv` keeps them and lists them per measure.

A term is a name when, unless `names.csv` keeps it:

- jieba's part-of-speech tagger (`jieba.posseg`, on the project's own tokenizer) tags it a person
  (nr, nrfg, nrt), place (ns) or organisation (nt) in at least one of its uses in the corpus
  (`tokens.PolicyTokenizer.tagged` gives each term the tag of the tagger's word that overlaps it most);
- it is in the gazetteer: the `place` and `province` of every document in `sources.csv`, each
  administrative unit with and without its suffix (广州市天河区 → 广州市, 广州, 天河区, 天河), the
  aliases of `place_aliases.csv` and the places they stand for, and the places of `learning.csv`
  that are plain words (广深, 珠三角, 香港 …);
- `names.csv` marks it `name` (a name jieba does not tag, such as a platform named after its city).

`names.csv` rows marked `keep` are the exceptions: policy words jieba's dictionary tags as names
(城市 ns, 智慧 nr, 上市公司 nt …). A keep row wins over the tagger and the gazetteer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..base.errors import BuildError
from .spec import CsvSpec, LexiconFile, full_frame, read_rows

# jieba's tags for names: people (nr; nrfg and nrt, the forms its dictionary also uses), places
# (ns) and organisations (nt). nz (other proper nouns: the policy dictionary's platforms and
# brands) is not among them.
NAME_TAGS = frozenset({"nr", "nrfg", "nrt", "ns", "nt"})
ACTIONS = ("keep", "name")
SPECS = {
    "names.csv": CsvSpec(("term", "action"), ("note",), ("term", "action"), choices={"action": ACTIONS},
                         unique=("term",), min_rows=0),
    "place_aliases.csv": CsvSpec(("alias", "places"), ("note",), ("alias", "places"), unique=("alias",),
                                 min_rows=0),
}
# Suffixes of Chinese administrative units, longest first (自治州 before 州 is not needed: 州 alone
# is no suffix, as it ends city names such as 衢州 and 广州).
_UNIT = re.compile(r".+?(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|区|县|旗|盟|镇|乡)")
_SUFFIX = re.compile(r"(?:特别行政区|自治区|自治州|自治县|自治旗|地区|省|市|区|县|旗|盟|镇|乡)$")
# Separators inside a place cell: 广州市(越秀区、黄埔区、花都区、南沙区)
_PARTS = re.compile(r"[\s()（）、,，;；/]+")
_HAN_WORD = re.compile(r"[\u3400-\u9fff]+")


def place_forms(place: str) -> list[str]:
    """Every name a place cell gives: each administrative unit, with and without its suffix.

    广州市天河区 → 广州市, 广州, 天河区, 天河; 广东省 → 广东省, 广东. A unit is kept without its
    suffix only where two or more characters remain (市辖区 stays whole, 县 alone is no name).
    """
    out: list[str] = []
    for part in _PARTS.split(place or ""):
        units = _UNIT.findall(part)
        rest = part[sum(len(u) for u in units):]
        for unit in [*units, rest]:
            if len(unit) < 2:
                continue
            out.append(unit)
            short = _SUFFIX.sub("", unit)
            if short != unit and len(short) >= 2:
                out.append(short)
    return list(dict.fromkeys(out))


def gazetteer(places: Iterable[str], aliases: Mapping[str, Iterable[str]] | None = None,
              words: Iterable[str] = ()) -> frozenset[str]:
    """The place names of a corpus: the forms of each `places` cell (`place_forms`), each alias
    of `place_aliases.csv` and the places it stands for, and `words` that are plain Han words
    (the literal places of `learning.csv`; a regex such as 国际(?:先进|一流)? is none)."""
    out = {form for cell in places for form in place_forms(cell)}
    for alias, members in (aliases or {}).items():
        out |= {alias, *members}
    out |= {w for w in words if _HAN_WORD.fullmatch(w)}
    return frozenset(w for w in out if w)


@dataclass(frozen=True)
class Names:
    """What decides a name: the gazetteer and the rows of `names.csv` (terms marked name or keep)."""

    gazetteer: frozenset[str] = frozenset()
    name: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()

    @classmethod
    def from_frame(cls, rows: pd.DataFrame, gazetteer: Iterable[str] = ()) -> Names:
        """From the rows of `names.csv` (term, action, note), checked by `parse`."""
        return cls(frozenset(gazetteer), frozenset(rows.loc[rows["action"] == "name", "term"]),
                   frozenset(rows.loc[rows["action"] == "keep", "term"]))

    def with_gazetteer(self, places: Iterable[str]) -> Names:
        """These rules with `places` as the gazetteer (the build adds the corpus's places)."""
        return Names(frozenset(places), self.name, self.keep)

    def is_name(self, term: str, tags: Iterable[str] = ()) -> bool:
        """Whether `term` is a name, `tags` being jieba's tags for its uses (keep rows win)."""
        if term in self.keep:
            return False
        return term in self.name or term in self.gazetteer or any(t in NAME_TAGS for t in tags)

    def of(self, tagged: Iterable[Iterable[tuple[str, str]]]) -> frozenset[str]:
        """The terms that are names in a corpus of tagged measures ((term, tag) per use): a term
        jieba tags a name in any of its uses is a name in all of them."""
        tags: dict[str, set[str]] = {}
        for measure in tagged:
            for term, tag in measure:
                tags.setdefault(term, set()).add(tag)
        return frozenset(t for t, ts in tags.items() if self.is_name(t, ts))


def parse_aliases(f: LexiconFile) -> dict[str, list[str]]:
    return {row["alias"]: [p.strip() for p in row["places"].split(";") if p.strip()]
            for _, row in read_rows(f.path, SPECS[f.name]).rows}


def parse(f: LexiconFile) -> Names:
    rows = read_rows(f.path, SPECS[f.name])
    for line, row in rows.rows:
        term = row["term"]
        if term != term.strip() or re.search(r"\s", term) or not re.search(r"[\u3400-\u9fff]", term):
            raise BuildError.at(f.path, line, f"term {term!r} can never be a term of tokens.csv (it has a space, "
                                "or no Chinese character)", "write the term as tokens.csv has it, e.g. 广深")
    return Names.from_frame(full_frame(rows, SPECS[f.name]))
