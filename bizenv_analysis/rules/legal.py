"""The rules of a regulation's legal structure: the header lines that carry its dates
(`legal_metadata.csv`), the parts its chapters and articles belong to (`legal_parts.csv`), the
deontic cues of its sentences (`deontic.csv`) and whom a provision addresses (`addressees.csv`).

Cleaning reads the first (`text.clean.strip_markdown`); `text.articles` the other three. Every
file keeps its rows in order: the first rule that matches wins (parts), a cue is read whole before
a shorter one inside it (不应当 before 应当), and an addressee row earlier in the file wins a tie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .spec import CsvSpec, LexiconFile, full_frame, parsed, read_rows

METADATA_FILE = "legal_metadata.csv"
PARTS_FILE = "legal_parts.csv"
DEONTIC_FILE = "deontic.csv"
ADDRESSEES_FILE = "addressees.csv"
FILES = (METADATA_FILE, PARTS_FILE, DEONTIC_FILE, ADDRESSEES_FILE)

METADATA_FIELDS = ("adopted", "promulgated", "in_force", "approved", "amended")
PARTS = ("general", "substantive", "liability", "supplementary")
PART_FIELDS = ("chapter_title", "article_text")
MODALITIES = ("obligation", "permission", "prohibition", "encouragement")
ADDRESSEES = ("government", "department", "market_entity", "court", "association", "other")
UNSPECIFIED = "unspecified"  # the addressee of a statement whose sentence names no one before its cue

SPECS = {
    METADATA_FILE: CsvSpec(("field", "pattern"), ("note",), ("field", "pattern"), ("pattern",),
                           {"field": METADATA_FIELDS}),
    PARTS_FILE: CsvSpec(("part", "field", "pattern"), ("note",), ("part", "field", "pattern"), ("pattern",),
                        {"part": PARTS, "field": PART_FIELDS}),
    DEONTIC_FILE: CsvSpec(("modality", "pattern"), ("note",), ("modality", "pattern"), ("pattern",),
                          {"modality": MODALITIES}),
    ADDRESSEES_FILE: CsvSpec(("addressee", "pattern"), ("note",), ("addressee", "pattern"), ("pattern",),
                             {"addressee": ADDRESSEES}),
}


@dataclass(frozen=True)
class LegalRules:
    """The compiled rows of the four legal rule files, each list in file order."""

    metadata: tuple[tuple[str, re.Pattern], ...]  # (field, pattern matched on a header line)
    parts: tuple[tuple[str, str, re.Pattern], ...]  # (part, field chapter_title | article_text, pattern)
    deontic: tuple[tuple[str, re.Pattern], ...]  # (modality, cue pattern)
    addressees: tuple[tuple[str, re.Pattern], ...]  # (addressee, pattern)
    cue: re.Pattern  # every cue in one alternation, file order, each in a group `m<i>` (i: its row)

    def modality_of(self, match: re.Match) -> str:
        """The modality of a `cue` match (the row whose group matched)."""
        return self.deontic[int(match.lastgroup.removeprefix("m"))][0]


def legal_rules(metadata: list[tuple[str, str]], parts: list[tuple[str, str, str]],
                deontic: list[tuple[str, str]], addressees: list[tuple[str, str]]) -> LegalRules:
    """Compile the rows (as strings) of the four files."""
    cues = tuple((m, re.compile(p)) for m, p in deontic)
    return LegalRules(
        metadata=tuple((f, re.compile(p)) for f, p in metadata),
        parts=tuple((part, field, re.compile(p)) for part, field, p in parts),
        deontic=cues,
        addressees=tuple((a, re.compile(p)) for a, p in addressees),
        cue=re.compile("|".join(f"(?P<m{i}>{p.pattern})" for i, (_, p) in enumerate(cues))),
    )


def _rows(f: LexiconFile, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
    df = full_frame(read_rows(f.path, SPECS[f.name]), SPECS[f.name])
    return [tuple(r) for r in df[list(columns)].itertuples(index=False)]


def parse_legal(metadata: LexiconFile, parts: LexiconFile, deontic: LexiconFile,
                addressees: LexiconFile) -> LegalRules:
    """The checked legal rules of the four files (in the order of `FILES`)."""
    rows = (_rows(metadata, ("field", "pattern")), _rows(parts, ("part", "field", "pattern")),
            _rows(deontic, ("modality", "pattern")), _rows(addressees, ("addressee", "pattern")))
    return parsed(deontic.path, "deontic cue", legal_rules, *rows)
