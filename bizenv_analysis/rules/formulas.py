"""The rules of the formulas stage: its parameters (`formula_params.csv`), the patterns of
numbered formulas (`formula_patterns.csv`), the formulas national documents set
(`national_formulas.csv`) and the generic terms every place writes (`generic_terms.csv`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..base.chinese import normal
from ..base.errors import BuildError
from .spec import CsvSpec, LexiconFile, Rows, full_frame, numbers, read_rows

PARAMS = ("min_chars", "max_quote_chars", "passage_chars")
SPECS = {
    "formula_params.csv": CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",),
                                  choices={"name": PARAMS}),
    "formula_patterns.csv": CsvSpec(("pattern",), ("note",), ("pattern",), ("pattern",), min_rows=0),
    "national_formulas.csv": CsvSpec(("formula", "document", "year"), ("kind", "note"), ("formula", "document", "year"),
                                     choices={"kind": ("", "reform", "strategy", "slogan")}, unique=("formula",),
                                     min_rows=0),
    "generic_terms.csv": CsvSpec(("term",), ("note",), ("term",), unique=("term",), min_rows=0),
}


@dataclass(frozen=True)
class Params:
    """The formula rules (`formula_params.csv`)."""

    min_chars: int = 3  # normal-form characters a quoted or numbered formula needs
    max_quote_chars: int = 30  # longer quoted spans are sentences, not formulas
    passage_chars: int = 12  # the shortest shared passage (and the shingle length)

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Params:
        """Parameters from name → text (checked by the lexicon)."""
        return cls(**{name: int(values[name]) for name in PARAMS})


@dataclass(frozen=True)
class National:
    """The national formulas (`national_formulas.csv`): normal form → (the document or body that set
    it, its year)."""

    basis: dict[str, tuple[str, int]]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> National:
        """From the rows of national_formulas.csv (formula, document, year), checked by `parse_national`."""
        return cls({normal(r.formula): (r.document, int(r.year)) for r in frame.itertuples()})

    def of(self, form: str, overlap: int) -> tuple[str, int | None]:
        """The national basis of a formula's normal form and the earliest year it names: the formula
        itself; else the national formulas it contains, or that contain it when it is at least
        `overlap` characters long (a shared passage cut short of the national wording)."""
        near = [form] if form in self.basis else sorted(
            f for f in self.basis if f in form or (len(form) >= overlap and form in f))
        if not near:
            return "", None
        return ("; ".join(f"{f}: {self.basis[f][0]} ({self.basis[f][1]})" for f in near),
                min(self.basis[f][1] for f in near))


@dataclass(frozen=True)
class Generic:
    """The generic terms (`generic_terms.csv`) in normal form: words every place writes (大数据,
    一窗受理), which name no one place's reform. A formula is generic when it is one of them."""

    terms: frozenset[str] = frozenset()

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Generic:
        """From the rows of generic_terms.csv (term), checked by `parse_national`."""
        return cls(frozenset(normal(t) for t in frame["term"]))

    def __contains__(self, form: object) -> bool:
        return form in self.terms


def parse_params(f: LexiconFile) -> Params:
    # a passage of fewer than 4 characters would make every common word a shared passage
    return Params.from_values(numbers(f, SPECS[f.name], {"min_chars": 1, "max_quote_chars": 1, "passage_chars": 4}))


def parse_patterns(f: LexiconFile) -> list[re.Pattern]:
    return [re.compile(row["pattern"]) for _, row in read_rows(f.path, SPECS[f.name]).rows]


def _distinct_forms(f: LexiconFile, rows: Rows, col: str) -> None:
    """Every `col` cell has letters or digits, and no two rows give one normal form (`base.chinese.normal`)."""
    seen: dict[str, int] = {}
    for line, row in rows.rows:
        form = normal(row[col])
        if not form:
            raise BuildError.at(f.path, line, f"{col} {row[col]!r} has no letters or digits",
                                f"write the {col}'s words")
        if form in seen:
            raise BuildError.at(f.path, line,
                                f"{col} {row[col]!r} is the {col} of line {seen[form]} (punctuation and script aside)",
                                "keep one row for it")
        seen[form] = line


def parse_national(f: LexiconFile) -> National:
    rows = read_rows(f.path, SPECS[f.name])
    _distinct_forms(f, rows, "formula")
    for line, row in rows.rows:
        if not re.fullmatch(r"\d{4}", row["year"].strip()):
            raise BuildError.at(f.path, line, f"year {row['year']!r} is not a year", "write the year the document was "
                                "issued, e.g. 2018")
    return National.from_frame(full_frame(rows, SPECS[f.name]))


def parse_generic(f: LexiconFile) -> Generic:
    rows = read_rows(f.path, SPECS[f.name])
    _distinct_forms(f, rows, "term")
    return Generic.from_frame(full_frame(rows, SPECS[f.name]))
