"""The rules of tokenising: the policy dictionary (`policy_terms.txt`, jieba's user-dictionary
format) and the stopwords (`stopwords.txt`)."""

from __future__ import annotations

import re

from ..base.errors import BuildError
from .spec import LexiconFile, read_text

TERMS_FILE, STOPWORDS_FILE = "policy_terms.txt", "stopwords.txt"

# One line of a jieba user dictionary: `word [freq] [tag]`, single spaces (jieba's own format).
USERDICT_LINE = re.compile(r"^(\S+)(?: (\d+))?(?: ([a-z]+))?$")
UserTerm = tuple[str, str | None, str | None]  # (word, freq, tag) as jieba's `add_word` takes them


def userdict_entry(line: str) -> UserTerm | None:
    """The (word, freq, tag) of one user-dictionary line; None for a blank or `#` comment line.

    Raises ValueError for a line jieba would misread (a tab, two spaces, a freq that is no whole number).
    """
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    m = USERDICT_LINE.match(line)
    if not m:
        raise ValueError(f"{line!r} is not `word [freq] [tag]`")
    return m[1], m[2], m[3]


def parse_userdict(text: str) -> list[UserTerm]:
    """Entries of a jieba user dictionary's text (blank and `#` lines skipped)."""
    return [e for ln in text.splitlines() if (e := userdict_entry(ln)) is not None]


def parse_stopwords(text: str) -> frozenset[str]:
    """Stopwords, one a line; `#` lines are comments."""
    return frozenset(ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#"))


def parse_terms(f: LexiconFile) -> tuple[UserTerm, ...]:
    """The checked entries of a user dictionary file."""
    out = []
    for no, line in enumerate(read_text(f.path).splitlines(), start=1):
        try:
            entry = userdict_entry(line)
        except ValueError as exc:
            raise BuildError.at(f.path, no, str(exc),
                                "write one `word [freq] [tag]` per line, separated by single spaces "
                                "(freq a whole number, tag lower-case letters), e.g. 营商环境 2000 n") from None
        if entry is not None:
            out.append(entry)
    return tuple(out)


def parse_stopwords_file(f: LexiconFile) -> frozenset[str]:
    """The stopwords of a file."""
    return parse_stopwords(read_text(f.path))
