"""The rules of the article alignment (`alignment_params.csv`): which pairs of articles are
candidates (shared shingles), how Smith–Waterman scores them, and when a scored pair is a
verbatim or an adapted link (`text.reuse`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..base.errors import BuildError
from .spec import CsvSpec, LexiconFile, is_number, param_values, read_rows

FILE = "alignment_params.csv"
WHOLE = ("shingle_chars", "min_shared_shingles", "max_shingle_df", "frame_top")
SCORES = ("match", "mismatch", "gap_open", "gap_extend")
SHARES = ("verbatim_identity", "verbatim_coverage", "adapted_min", "frame_min")
PARAMS = WHOLE + SCORES + SHARES
SPEC = CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",), choices={"name": PARAMS})


@dataclass(frozen=True)
class Params:
    """The alignment rules (`alignment_params.csv`)."""

    shingle_chars: int = 12  # characters of a shingle (normal form)
    min_shared_shingles: int = 3  # distinct shingles two articles must share to be a candidate pair
    max_shingle_df: int = 60  # a shingle in more articles than this is boilerplate and ignored
    match: float = 1.0  # Smith–Waterman score of an identical character
    mismatch: float = -1.0  # of two different characters
    gap_open: float = -2.0  # of the first character of a gap
    gap_extend: float = -1.0  # of each further character of it
    verbatim_identity: float = 0.95  # identical aligned characters / the shorter article, for a verbatim link
    verbatim_coverage: float = 0.8  # share of each article inside the alignment for a verbatim link
    adapted_min: float = 0.5  # score / shorter length for an adapted link (the bundled file's is calibrated: its note)
    frame_top: int = 3  # articles of each frame text kept per measure (analysis.frame)
    frame_min: float = 0.3  # cosine at which a measure implements its closest frame article (its note says how chosen)

    @classmethod
    def from_values(cls, values: Mapping[str, str]) -> Params:
        """Parameters from name → text (checked by `parse`)."""
        return cls(**{name: (int(values[name]) if name in WHOLE else float(values[name])) for name in PARAMS})


def _bad(f: LexiconFile, line: int, name: str, value: str, what: str, example: str) -> BuildError:
    return BuildError.at(f.path, line, f"{name} {value!r} is not {what}", f"write e.g. {example}")


def parse(f: LexiconFile) -> Params:
    """alignment_params.csv: every name present; the shingle counts whole numbers (a shingle of at
    least 4 characters, as formulas' passages), match > 0, the penalties ≤ 0 (Biopython's signs),
    the shares between 0 and 1."""
    values = param_values(f.path, read_rows(f.path, SPEC), SPEC, f"add name,value rows for {', '.join(PARAMS)}")
    low = {"shingle_chars": 4, "min_shared_shingles": 1, "max_shingle_df": 2, "frame_top": 1}
    for name, (line, value) in values.items():
        text = value.strip()
        if name in WHOLE:
            if not re.fullmatch(r"\d+", text) or int(text) < low[name]:
                raise _bad(f, line, name, value, f"a whole number of {low[name]} or more", str(max(low[name], 3)))
        elif not is_number(text):
            raise _bad(f, line, name, value, "a number", "0.5")
        elif name == "match" and float(text) <= 0:
            raise _bad(f, line, name, value, "a positive score", "1")
        elif name in SCORES and name != "match" and float(text) > 0:
            raise _bad(f, line, name, value, "a penalty (a score of 0 or less)", "-1")
        elif name in SHARES and not 0 <= float(text) <= 1:
            raise _bad(f, line, name, value, "a share between 0 and 1", "0.8")
    return Params.from_values({name: value.strip() for name, (_, value) in values.items()})
