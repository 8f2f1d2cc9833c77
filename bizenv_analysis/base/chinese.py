"""Chinese text forms every layer needs: Simplified script (OpenCC) and the normal form in which
formulas and rule terms are compared."""

from __future__ import annotations

import unicodedata
from functools import cache

import opencc


@cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified Chinese with OpenCC's t2s profile."""
    return _converter().convert(text)


@cache
def _keep(ch: str) -> str:
    """What one character becomes after NFKC: its letters, digits and + (possibly none, or several)."""
    return "".join(c for c in unicodedata.normalize("NFKC", ch) if c == "+" or unicodedata.category(c)[0] in "LN")


def normal(text: str) -> str:
    """The form formulas are compared in: NFKC, Simplified, letters, digits and + only."""
    return normal_with_positions(text)[0]


def normal_with_positions(text: str) -> tuple[str, list[int]]:
    """The normal form of `text` and, for each of its characters, the position in `text` it
    comes from (to show a passage as the document wrote it)."""
    pieces = [_keep(ch) for ch in text]
    where = [i for i, piece in enumerate(pieces) for _ in piece]
    kept = "".join(pieces)
    simple = to_simplified(kept)
    if len(simple) != len(kept):  # a phrase conversion changed the length: convert character by character
        converted = [to_simplified(c) for c in kept]
        where = [w for w, c in zip(where, converted, strict=True) for _ in c]
        simple = "".join(converted)
    return simple, where
