"""Regex safety for rule files, read from Python's own parse of a pattern (nothing is matched, so
no check can hang): `catastrophic` refuses nested unbounded repeats and ambiguous alternations inside
one; `check_speed` bounds the worst case of the rest (`backtracking.too_slow`); `check_regex` does
both after compiling. `prefilter` gives the coder a pattern it may search a whole text with first.

The rule of `catastrophic`: an unbounded repeat (`*`, `+`, `{n,}`, lazy or greedy) may not contain
(1) another unbounded repeat, as in `(a+)+$` or `(\\w*)*x`, nor (2) an alternation with an
alternative that can match the empty string or two alternatives that can begin with the same
character, as in `(a|aa)+$` (Python's parser first factors out a prefix common to all
alternatives, so `(学习|学校)+` passes). Possessive repeats (`a++`) and atomic groups (`(?>…)`)
never backtrack and are not checked inside. The rule is conservative: it also refuses some harmless
patterns such as `(?:a+b)*`; write those with a possessive inner repeat (`(?:a++b)*`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ..base.errors import BuildError
from . import backtracking

try:  # Python 3.11+
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)
_POSSESSIVE = getattr(_sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
_OPAQUE = {op for op in (_POSSESSIVE, _ATOMIC, _sre.ASSERT, _sre.ASSERT_NOT) if op is not None}


def _children(op, av) -> list:
    """The sub-sequences of one parsed node."""
    if op is _sre.SUBPATTERN:
        return [av[3]]
    if op in _REPEATS or op is _POSSESSIVE:
        return [av[2]]
    if op is _sre.BRANCH:
        return list(av[1])
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [av[1]]
    if op is _ATOMIC:
        return [av]
    if op is _sre.GROUPREF_EXISTS:
        return [av[1]] + ([av[2]] if av[2] is not None else [])
    return []


def _nodes(seq, into_opaque: bool = True) -> Iterable[tuple]:
    """Every node of a parsed pattern, depth first (not inside possessive/atomic/lookaround parts
    unless `into_opaque`)."""
    for op, av in seq:
        yield op, av
        if into_opaque or op not in _OPAQUE:
            for child in _children(op, av):
                yield from _nodes(child, into_opaque)


def _first(seq) -> tuple[set, bool]:
    """The characters a sequence can begin with (as atoms) and whether it can match nothing."""
    out: set = set()
    for op, av in seq:
        first, nullable = _first_node(op, av)
        out |= first
        if not nullable:
            return out, False
    return out, True


def _first_node(op, av) -> tuple[set, bool]:
    if op in (_sre.LITERAL, _sre.IN, _sre.ANY, _sre.NOT_LITERAL):  # one character, read as the estimate reads it
        return set(backtracking.char_atoms(op, av)), False
    if op is _sre.SUBPATTERN:
        return _first(av[3])
    if op is _ATOMIC:
        return _first(av)
    if op in _REPEATS or op is _POSSESSIVE:
        first, nullable = _first(av[2])
        return first, nullable or av[0] == 0
    if op is _sre.BRANCH:
        found = [_first(b) for b in av[1]]
        return set().union(*(f for f, _ in found)), any(n for _, n in found)
    if op is _sre.GROUPREF_EXISTS:
        yes = _first(av[1])
        no = _first(av[2]) if av[2] is not None else (set(), True)
        return yes[0] | no[0], yes[1] or no[1]
    if op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT):
        return set(), True
    return {backtracking.ANY_CHAR}, True  # a back reference or anything unforeseen: anything, possibly nothing


_CATEGORY_TESTS = {_sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_NOT_DIGIT: r"\D", _sre.CATEGORY_SPACE: r"\s",
                   _sre.CATEGORY_NOT_SPACE: r"\S", _sre.CATEGORY_WORD: r"\w", _sre.CATEGORY_NOT_WORD: r"\W"}


def _overlap(a: tuple, b: tuple, ignore_case: bool) -> bool:
    """Whether two first-character atoms can match the same character (True when unsure)."""
    if a[0] == "lit" and b[0] != "lit":
        a, b = b, a
    if b[0] == "lit":
        ch = chr(b[1])
        if a[0] == "lit":
            return a[1] == b[1] or (ignore_case and chr(a[1]).casefold() == ch.casefold())
        if a[0] == "range":
            return ignore_case or a[1] <= b[1] <= a[2]
        if a[0] == "category" and a[1] in _CATEGORY_TESTS:
            return re.fullmatch(_CATEGORY_TESTS[a[1]], ch) is not None
        return True
    if a[0] == b[0] == "range":
        return ignore_case or (a[1] <= b[2] and b[1] <= a[2])
    return True


def catastrophic(pattern: str) -> str | None:
    """Why a regex can backtrack catastrophically (the rule in the module docstring), else None."""
    parsed = _sre_parse.parse(pattern)
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    for op, av in _nodes(parsed.data):
        if op not in _REPEATS or av[1] != _sre.MAXREPEAT:
            continue
        body = av[2]
        for inner_op, inner_av in _nodes(body, into_opaque=False):
            if inner_op in _REPEATS and inner_av[1] == _sre.MAXREPEAT:
                return "an unbounded repeat (*, +, {n,}) inside another one, as in (a+)+"
            if inner_op is _sre.BRANCH:
                firsts = [_first(b) for b in inner_av[1]]
                if any(nullable for _, nullable in firsts) or any(
                        _overlap(x, y, ignore_case)
                        for i, (fa, _) in enumerate(firsts) for fb, _ in firsts[i + 1:] for x in fa for y in fb):
                    return ("an alternation inside an unbounded repeat has alternatives that can match the same "
                            "start (two begin with the same character, or one is a prefix of another or can be "
                            "empty), as in (a|aa)+")
    return None


def check_regex(pattern: str, path: Path, line: int | None, column: str = "pattern") -> re.Pattern:
    """Compile one regex of a lexicon file, refusing one that does not compile or is catastrophic."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise BuildError.at(path, line, f"{column} `{pattern}` is not a valid regular expression: {exc.msg} "
                            f"at position {exc.pos}",
                            "fix the regular expression (Python `re` syntax; escape a literal ( ) [ ] . * + ? with \\)"
                            ) from None
    why = catastrophic(pattern)
    if why:
        raise BuildError.at(path, line, f"{column} `{pattern}` could take forever to match: {why}",
                            "remove the nesting (a+ instead of (a+)+), let alternatives begin differently "
                            "((?:a|b)+ rather than (?:a|ab)+), or make the inner repeat possessive (a++) "
                            "or atomic (?>…)")
    check_speed(pattern, path, line, column)
    return compiled


def check_speed(pattern: str, path: Path, line: int | None, column: str = "pattern") -> None:
    """Refuse a regex whose worst case on one line is too long (`backtracking.too_slow`)."""
    why = backtracking.too_slow(pattern)
    if why:
        raise BuildError.at(path, line, f"{column} `{pattern}` could take too long to match: {why}",
                            "bound the repeats (.{0,20} rather than .*), put between two repeats a character they "
                            "cannot take ([^的]*的 rather than .*的), use fewer copies ({2} rather than {12}), or make "
                            "a repeat possessive (.*+) or atomic (?>…) so that it never gives characters back")


def prefilter(pattern: str) -> re.Pattern | None:
    """The pattern the coder may first search a whole text with: `pattern` itself when no part of
    it looks outside a match (no anchor, word boundary or lookaround), since a sentence is a piece
    of its text and such a pattern's hit in the sentence is then a hit in the text, so a miss on the
    text rules out every sentence; None for any other (every sentence is searched)."""
    parsed = _sre_parse.parse(pattern)
    if any(op in (_sre.AT, _sre.ASSERT, _sre.ASSERT_NOT) for op, _ in _nodes(parsed.data)):
        return None
    return re.compile(pattern)
