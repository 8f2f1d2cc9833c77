"""The rules of segmentation (`segmentation.csv`): one pattern per role — each enumeration style,
the case, safeguard, general and practice headings, item ends, unit and deadline lines, tables of
contents."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..base.errors import BuildError
from .spec import CsvSpec, LexiconFile, read_rows

FILE = "segmentation.csv"
SPEC = CsvSpec(("role", "pattern"), ("note",), ("role", "pattern"), ("pattern",),
               why_rows="no line would be recognised as a heading or an item")
# The enumeration styles, from the top (a role each in segmentation.csv).
STYLES = ["law_chapter", "law_section", "chapter", "section", "article", "item",
          "subitem", "circled", "inline", "dash"]
# Roles a corpus's own, older segmentation.csv may lack: they then never match.
OPTIONAL_ROLES = ("law_chapter", "law_section", "dash", "general_heading", "toc")
_NEVER = re.compile(r"(?!)")


@dataclass(frozen=True)
class Grammar:
    """The segmentation patterns, read from `segmentation.csv`."""

    levels: dict[str, re.Pattern]
    case: re.Pattern
    safeguard: re.Pattern
    general: re.Pattern
    practice: re.Pattern
    terminator: re.Pattern
    responsible_line: re.Pattern
    deadline_line: re.Pattern
    toc: re.Pattern

    @classmethod
    def from_patterns(cls, patterns: Mapping[str, str]) -> Grammar:
        """The grammar from role → pattern; a missing required role raises KeyError naming it."""
        pats = {role: _NEVER for role in OPTIONAL_ROLES} | {r: re.compile(p) for r, p in patterns.items()}
        return cls(
            levels={k: pats[k] for k in STYLES},
            case=pats["case"], safeguard=pats["safeguard_heading"], general=pats["general_heading"],
            practice=pats["practice_heading"], terminator=pats["terminator"],
            responsible_line=pats["responsible_line"], deadline_line=pats["deadline_line"],
            toc=pats["toc"],
        )


def parse(f: LexiconFile) -> Grammar:
    """The checked grammar of `f` (the last row of a role wins, as in a dict built in file order)."""
    rows = read_rows(f.path, SPEC)
    try:
        return Grammar.from_patterns({row["role"]: row["pattern"] for _, row in rows.rows})
    except KeyError as exc:
        raise BuildError.at(f.path, None, f"no row for the role {exc.args[0]!r} that segmentation needs",
                            "add a row for that role (see the bundled segmentation.csv)") from None
