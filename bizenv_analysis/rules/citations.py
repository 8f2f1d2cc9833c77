"""The rules of the citations extractor (`higher_law.csv`): how a citing sentence relates to the
cited title (legal_basis, implements) and what level of law the title is (law,
administrative_regulation, local_regulation).

Each row names a `facet` (relation | law_level), its `value`, and up to three patterns, each
searched in its own field: `before` (the citing sentence up to the title's 《), `title` (the
title inside 《》) and `after` (the sentence after the title's 》). A row applies when every
non-empty pattern of it is found; the first row of a facet that applies, in file order, gives
its value, else the facet's default (`cites`, `other`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from ..base.errors import BuildError
from .spec import CsvSpec, LexiconFile, full_frame, parsed, read_rows

FILE = "higher_law.csv"
RELATIONS = ("legal_basis", "implements", "cites")
LAW_LEVELS = ("law", "administrative_regulation", "local_regulation", "other")
DEFAULTS = {"relation": "cites", "law_level": "other"}  # when no row of the facet applies
FIELDS = ("before", "title", "after")
SPEC = CsvSpec(("facet", "value", *FIELDS), ("note",), ("facet", "value"), FIELDS,
               {"facet": tuple(DEFAULTS), "value": RELATIONS + LAW_LEVELS},
               why_rows="every citation would be `cites` of level `other`")


@dataclass(frozen=True)
class Rule:
    """One row of `higher_law.csv`, compiled: a None pattern is no condition."""

    facet: str
    value: str
    before: re.Pattern | None
    title: re.Pattern | None
    after: re.Pattern | None

    def applies(self, before: str, title: str, after: str) -> bool:
        """Whether every pattern the row has is found in its field."""
        return all(pat is None or pat.search(text) for pat, text in
                   ((self.before, before), (self.title, title), (self.after, after)))


@dataclass(frozen=True)
class CitationRules:
    """The rows of `higher_law.csv` in file order."""

    rules: tuple[Rule, ...]

    def value(self, facet: str, before: str, title: str, after: str) -> str:
        """The value of the first row of `facet` that applies, else the facet's default."""
        return next((r.value for r in self.rules if r.facet == facet and r.applies(before, title, after)),
                    DEFAULTS[facet])


def rules_from_frame(df: pd.DataFrame) -> CitationRules:
    """Compile the rows of `higher_law.csv` (`parse` reads and checks the file); a row needs a pattern,
    and its value must belong to its facet."""
    rules = []
    for r in df.itertuples():
        allowed = RELATIONS if r.facet == "relation" else LAW_LEVELS
        if r.value not in allowed:
            raise ValueError(f"{r.value!r} is no {r.facet} (one of {', '.join(allowed)})")
        if not (r.before or r.title or r.after):
            raise ValueError(f"the {r.facet} row {r.value!r} has no pattern (before, title or after)")
        rules.append(Rule(r.facet, r.value, *(re.compile(p) if p else None for p in (r.before, r.title, r.after))))
    return CitationRules(tuple(rules))


def parse(f: LexiconFile) -> CitationRules:
    rows = read_rows(f.path, SPEC)
    if not rows.rows:
        raise BuildError.at(f.path, None, "no rules", "add relation and law_level rows (data/lexicon/README.md)")
    return parsed(f.path, "citation rule", rules_from_frame, full_frame(rows, SPEC))
