"""How long a rule's regex can take on one line at worst: a bound read from the parsed pattern.

Python's `re` backtracks: when a match fails late, it goes back and tries every other way the
earlier parts could have split the text. That is fast unless several repeats can take the same
characters from one another, and a rule file is data anyone can write, so `lexicon` refuses a
pattern whose worst case is too long before anything is matched (`too_slow`). Nothing is run,
so the check itself cannot hang.

The estimate. The pattern is read as a row of parts (a counted repeat `X{n}` or `X{m,n}` is read as
its copies, up to `MAX_COPIES`; a group is read as its contents). Two repeats *trade characters*
when both can take some character and every part between them can match nothing or a character both
can take (`.*的.*`: `的` is such a character; `\\d+\\.\\d+`: `.` is not). Backtracking then tries every
split between them:

- k unbounded repeats (`*`, `+`, `{n,}`) in a chain, each trading with the next, split a stretch of
  L characters in about L^(k-1) ways (each chain adds its k-1 to the *degree*);
- a bounded repeat (`x{0,4}`, `x?`) or an alternation with several lengths that trades with another
  part multiplies the ways by its number of lengths (the *factor*);
- an unbounded repeat whose body, written twice in a row, holds two parts that trade characters
  (`(?:a{1,2})+`, `(?:a?a?)+`) splits a text in exponentially many ways: refused outright;
- one attempt scans the line (one more power of L when the pattern has an unbounded repeat), and an
  unanchored pattern (no leading `^` or `\\A`) is attempted at each of the L starts.

So the worst case is about factor × L^e / e! steps, with e the degree plus those scans. A pattern is
refused when that exceeds `MAX_STEPS` for a line of `LINE_CHARS` characters: `(a+){25}$` (degree 24),
`(.*的){12}XYZ` (degree 11), `(a?){34}a{34}` (factor 2^34) and `.*.*.*x` are; `.*.*x`, `^.*.*.*x` and
the attachment rule of the bundled `chrome.csv` (`^附件…\\s*\\d*[.．]?\\s*.+\\.(xls|…)$`, degree 2 but
anchored) pass. Lookarounds, alternatives and atomic or possessive parts are read on their own and
their ways multiplied in, which overestimates; possessive and atomic parts never give characters
back, so they trade with nothing; a back reference is read as any text, matched one way. The bound
counts ways, not seconds: `tests/test_hostile_corpus.py` holds it against the clock on small lines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

try:  # Python 3.11+
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

LINE_CHARS = 1_000  # a long line of a policy document (the bundled corpus's longest is 730 characters)
MAX_STEPS = 10**9  # a few seconds of backtracking on one such line, built to be the pattern's worst case
MAX_COPIES = 64  # copies of a counted repeat's body that are read (more can only raise the estimate)
MAX_PARTS = 2_000  # parts read from a pattern, its counted repeats written out (bundled rules: 235 at most)
MAX_PAIRS = 250_000  # (repeat, part) pairs one row may hold; the check looks at each (bundled: some 500)

ANY_CHAR = ("any",)  # an atom that may be any character
_REPEATS = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)
_POSSESSIVE = getattr(_sre, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_sre, "ATOMIC_GROUP", None)
_SINGLE = (_sre.LITERAL, _sre.NOT_LITERAL, _sre.ANY, _sre.IN)
_STARTS = (_sre.AT_BEGINNING, _sre.AT_BEGINNING_STRING)
# Character categories that share no character (\d and \s, \s and \w, each and its negation).
_C = _sre
_DISJOINT = {frozenset(p) for p in (
    (_C.CATEGORY_DIGIT, _C.CATEGORY_NOT_DIGIT), (_C.CATEGORY_SPACE, _C.CATEGORY_NOT_SPACE),
    (_C.CATEGORY_WORD, _C.CATEGORY_NOT_WORD), (_C.CATEGORY_DIGIT, _C.CATEGORY_SPACE),
    (_C.CATEGORY_SPACE, _C.CATEGORY_WORD), (_C.CATEGORY_DIGIT, _C.CATEGORY_NOT_WORD))}
_CATEGORY_RE = {_C.CATEGORY_DIGIT: re.compile(r"\d"), _C.CATEGORY_NOT_DIGIT: re.compile(r"\D"),
                _C.CATEGORY_SPACE: re.compile(r"\s"), _C.CATEGORY_NOT_SPACE: re.compile(r"\S"),
                _C.CATEGORY_WORD: re.compile(r"\w"), _C.CATEGORY_NOT_WORD: re.compile(r"\W")}


class _ExponentialError(Exception):
    """A repeat inside an unbounded repeat trades characters with its own next copy."""


@dataclass(frozen=True, eq=False)
class _Part:
    """One part of the pattern's row: the characters it can take and how many it takes."""

    chars: frozenset  # atoms: ("lit", code), ("range", lo, hi), ("category", c), ("any",)
    lo: int  # fewest characters
    hi: float  # most characters (math.inf: unbounded)
    choices: float = 1  # lengths it can take (1: fixed, or never gives characters back)
    copies: frozenset = frozenset()  # the optional copies of a counted repeat it lies in

    @property
    def variable(self) -> bool:
        return self.choices > 1

    @property
    def unbounded(self) -> bool:
        return self.choices == math.inf


@dataclass
class Estimate:
    """The worst case of one pattern: `degree` and `factor` of its ways, and the steps they cost."""

    degree: int = 0
    factor: float = 1.0
    scans: bool = False  # holds an unbounded repeat, so one attempt can scan the whole line
    anchored: bool = False
    exponential: bool = False
    chain: int = 0  # the longest chain of unbounded repeats that trade characters
    notes: list[str] = field(default_factory=list)

    def steps(self, line_chars: int = LINE_CHARS) -> float:
        """Backtracking steps at worst on a line of `line_chars` characters (inf: exponential)."""
        if self.exponential:
            return math.inf
        e = self.degree + self.scans + (not self.anchored)
        try:
            return self.factor * math.exp(e * math.log(line_chars) - math.lgamma(e + 1))
        except OverflowError:
            return math.inf

    def key(self) -> tuple:
        """Orders estimates by their steps on a long line, without computing them."""
        return (self.exponential, self.degree + self.scans, self.factor)

    def add(self, other: Estimate) -> None:
        """Multiply in the ways of a part read on its own (an alternative, a lookaround, a body)."""
        self.degree += other.degree
        self.factor = min(self.factor * other.factor, 1e300)
        self.scans |= other.scans
        self.exponential |= other.exponential
        self.chain = max(self.chain, other.chain)


# --- characters ----------------------------------------------------------------------------------

def char_atoms(op, av) -> frozenset:
    """The characters one single-character node (a literal, a class, `.`, a negated literal) can
    match, as atoms: ("lit", code), ("range", lo, hi), ("category", c), or ANY_CHAR when unsure."""
    if op is _sre.LITERAL:
        return frozenset({("lit", av)})
    if op is _sre.IN:
        out = set()
        for o, a in av:
            if o is _sre.LITERAL:
                out.add(("lit", a))
            elif o is _sre.RANGE:
                out.add(("range", *a))
            elif o is _sre.CATEGORY:
                out.add(("category", a))
            else:  # NEGATE and the rest: any character, to be safe
                return frozenset({ANY_CHAR})
        return frozenset(out)
    return frozenset({ANY_CHAR})  # ANY, NOT_LITERAL


def _has(atom: tuple, ch: str, ignore_case: bool) -> bool:
    """Whether `atom` matches the character `ch` (True when unsure)."""
    kind = atom[0]
    if kind == "lit":
        return chr(atom[1]) == ch or (ignore_case and chr(atom[1]).casefold() == ch.casefold())
    if kind == "range":
        return ignore_case or atom[1] <= ord(ch) <= atom[2]
    if kind == "category" and atom[1] in _CATEGORY_RE:
        return _CATEGORY_RE[atom[1]].fullmatch(ch) is not None
    return True


def _atom_overlap(a: tuple, b: tuple, ignore_case: bool) -> bool:
    if ANY_CHAR in (a, b):
        return True
    if a[0] == "lit":
        return _has(b, chr(a[1]), ignore_case)
    if b[0] == "lit":
        return _has(a, chr(b[1]), ignore_case)
    if a[0] == b[0] == "range":
        return ignore_case or (a[1] <= b[2] and b[1] <= a[2])
    if a[0] == b[0] == "category":
        return frozenset((a[1], b[1])) not in _DISJOINT
    rng, cat = (a, b) if a[0] == "range" else (b, a)
    if rng[0] == "range" and rng[2] - rng[1] < 512:
        return any(_has(cat, chr(c), ignore_case) for c in range(rng[1], rng[2] + 1))
    return True


@lru_cache(maxsize=65536)
def _overlap(a: frozenset, b: frozenset, ignore_case: bool) -> bool:
    """Whether two sets of atoms can match a common character (True when unsure)."""
    return any(_atom_overlap(x, y, ignore_case) for x in a for y in b)


# --- the row of parts --------------------------------------------------------------------------

class _Reader:
    """Reads a parsed pattern into rows of parts; what it reads on its own goes into `inner`."""

    def __init__(self, ignore_case: bool) -> None:
        self.ignore_case = ignore_case
        self.n_copies = 0
        self.n_parts = 0

    def row(self, seq, inner: Estimate, copies: frozenset = frozenset()) -> list[_Part]:
        parts: list[_Part] = []
        for op, av in seq:
            parts += self.node(op, av, inner, copies)
        self.count(len(parts))
        return parts

    def alone(self, seq) -> Estimate:
        """The ways of a sub-pattern read on its own."""
        inner = Estimate()
        parts = self.row(seq, inner)
        est = score(parts, self.ignore_case)
        est.add(inner)
        return est

    def node(self, op, av, inner: Estimate, copies: frozenset) -> list[_Part]:
        if op in _SINGLE:
            return [_Part(char_atoms(op, av), 1, 1, copies=copies)]
        if op is _sre.SUBPATTERN:
            return self.row(av[3], inner, copies)
        if op is _sre.AT:
            return []
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            inner.add(self.alone(av[1]))
            return []
        if op is _ATOMIC or op is _POSSESSIVE:
            body = av if op is _ATOMIC else av[2]
            sub = Estimate()
            parts = self.row(body, sub)
            inner.add(score(parts, self.ignore_case))
            inner.add(sub)
            lo = sum(p.lo for p in parts) * (1 if op is _ATOMIC else av[0])
            return [_Part(_union(parts), lo, _span(parts, op, av), copies=copies)]
        if op in _REPEATS:
            return self.repeat(av, inner, copies)
        if op is _sre.BRANCH:
            return [self.branch(list(av[1]), inner, copies)]
        if op is _sre.GROUPREF_EXISTS:
            return [self.branch([av[1], av[2] if av[2] is not None else []], inner, copies)]
        # a back reference (or anything unforeseen): any characters, but one way only
        return [_Part(frozenset({ANY_CHAR}), 0, math.inf, copies=copies)]

    def repeat(self, av, inner: Estimate, copies: frozenset) -> list[_Part]:
        low, high, body = av
        unbounded = high == _sre.MAXREPEAT
        single = _single(body)
        if single is not None:
            hi = math.inf if unbounded else high
            # a line has no more lengths to offer than its characters
            lengths = math.inf if unbounded else min(high - low + 1, LINE_CHARS + 1)
            return [_Part(char_atoms(*single), low, hi, lengths, copies)]
        sub = Estimate()
        parts = self.row(body, sub)
        if unbounded:
            twice = score(parts + parts, self.ignore_case)
            if twice.degree or twice.factor > 1 or twice.exponential:
                raise _ExponentialError
            inner.add(sub)
            return [_Part(_union(parts), low * sum(p.lo for p in parts), math.inf, math.inf, copies)]
        out: list[_Part] = []
        n = min(high, MAX_COPIES)
        for i in range(n):
            if i == low:  # the number of copies is a choice of its own
                most = high * sum(p.hi for p in parts)
                out.append(_Part(_union(parts), 0, most, min(high - low + 1, LINE_CHARS + 1), copies))
            tag = copies
            if i >= low:  # each optional copy may be absent as a whole
                self.n_copies += 1
                tag = copies | {self.n_copies}
            out += [_in_copies(p, tag) for p in parts]
            inner.add(sub)
            self.count(len(parts))
        return out

    def count(self, n: int) -> None:
        """Count parts read; OverflowError past MAX_PARTS (the check would take too long)."""
        self.n_parts += n
        if self.n_parts > MAX_PARTS:
            raise OverflowError

    def branch(self, alternatives: list, inner: Estimate, copies: frozenset) -> _Part:
        rows = []
        worst = Estimate()
        for alt in alternatives:
            sub = Estimate()
            parts = self.row(alt, sub)
            est = score(parts, self.ignore_case)
            est.add(sub)
            if est.key() > worst.key():
                worst = est
            rows.append((alt, parts))
        inner.add(worst)
        lows = [sum(p.lo for p in parts) for _, parts in rows]
        highs = [sum(p.hi for p in parts) for _, parts in rows]
        if all(lo == hi for lo, hi in zip(lows, highs, strict=True)) and self.distinct(rows):
            choices: float = len(set(lows))  # one way for each length
        elif any(h == math.inf for h in highs):
            choices = math.inf
        else:
            choices = len(rows)
        return _Part(_union([p for _, parts in rows for p in parts]), min(lows, default=0),
                     max(highs, default=0), choices, copies)

    def distinct(self, rows: list) -> bool:
        """Whether no two fixed-length alternatives can match the same text: two different strings
        of literal characters, or two alternatives that cannot begin with the same character."""
        words = [tuple(v for _, v in alt) if all(op is _sre.LITERAL for op, _ in alt) else None for alt, _ in rows]
        literal = [w for w in words if w is not None]
        if len(set(literal)) < len(literal):
            return False
        firsts = [_first(parts) for _, parts in rows]
        return all(not _overlap(firsts[i], firsts[j], self.ignore_case)
                   for i, w in enumerate(words) if w is None for j in range(len(rows)) if j != i)


def _single(body):
    """The one single-character node a repeat's body is (through groups), else None."""
    while len(body) == 1 and body[0][0] is _sre.SUBPATTERN:
        body = body[0][1][3]
    if len(body) == 1 and body[0][0] in _SINGLE:
        return body[0]
    return None


def _union(parts: list[_Part]) -> frozenset:
    return frozenset().union(*(p.chars for p in parts)) or frozenset({ANY_CHAR})


def _span(parts: list[_Part], op, av) -> float:
    one = sum(p.hi for p in parts)
    if op is _ATOMIC:
        return one
    return math.inf if av[1] == _sre.MAXREPEAT else one * av[1]


def _in_copies(p: _Part, copies: frozenset) -> _Part:
    return _Part(p.chars, p.lo, p.hi, p.choices, p.copies | copies)


def _first(parts: list[_Part]) -> frozenset:
    out: set = set()
    for p in parts:
        out |= p.chars
        if p.lo > 0:
            break
    return frozenset(out)


# --- scoring a row -------------------------------------------------------------------------------

def _links(parts: list[_Part], variable: list[int], ignore_case: bool) -> dict[int, set[int]]:
    """Each variable part → the later variable parts it can trade characters with."""
    links: dict[int, set[int]] = {i: set() for i in variable}
    work = 0
    for i in variable:
        pi = parts[i]
        # the parts passed so far that cannot match nothing: (characters, copies, can pi take one?)
        blockers: dict[tuple[frozenset, frozenset], bool] = {}
        for k in range(i + 1, len(parts)):
            q = parts[k]
            if q.variable:
                work += 1 + len(blockers)
                if work > 4 * MAX_PAIRS:
                    raise OverflowError
                if _overlap(pi.chars, q.chars, ignore_case) and all(
                        ok and _overlap(chars, q.chars, ignore_case)
                        for (chars, where), ok in blockers.items() if where <= pi.copies | q.copies):
                    links[i].add(k)
            # a part between two repeats is skippable when it can match nothing, or lies in an
            # optional copy of a counted repeat that holds neither of them
            if q.lo > 0:
                ok = _overlap(q.chars, pi.chars, ignore_case)
                if not ok and q.copies <= pi.copies:
                    break  # no later part can trade characters with pi
                blockers[(q.chars, q.copies)] = ok
    return links


def _components(variable: list[int], links: dict[int, set[int]]) -> list[list[int]]:
    """The groups of linked repeats (union-find), each in pattern order."""
    parent = {i: i for i in variable}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, ks in links.items():
        for k in ks:
            parent[root(i)] = root(k)
    groups: dict[int, list[int]] = {}
    for i in variable:
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def score(parts: list[_Part], ignore_case: bool = False) -> Estimate:
    """The ways of a row of parts: the chains of repeats that trade characters (module docstring)."""
    est = Estimate(scans=any(p.hi == math.inf for p in parts))
    variable = [i for i, p in enumerate(parts) if p.variable]
    if len(variable) * len(parts) > MAX_PAIRS:
        raise OverflowError
    links = _links(parts, variable, ignore_case)
    for members in _components(variable, links):
        if len(members) < 2:
            continue
        longest: dict[int, int] = {}  # the longest chain of unbounded repeats ending at each
        for i in members:  # in pattern order
            if parts[i].unbounded:
                longest[i] = 1 + max((longest[j] for j in members if j < i and j in longest and i in links[j]),
                                     default=0)
        chain = max(longest.values(), default=0)
        est.chain = max(est.chain, chain)
        est.degree += max(0, chain - 1)
        for i in members:
            if not parts[i].unbounded:
                est.factor = min(est.factor * parts[i].choices, 1e300)
    return est


def estimate(pattern: str) -> Estimate:
    """The worst case of a regex on one line (module docstring); `exponential` when it has none."""
    parsed = _sre_parse.parse(pattern)
    reader = _Reader(bool(parsed.state.flags & re.IGNORECASE))
    try:
        est = reader.alone(parsed.data)
    except _ExponentialError:
        return Estimate(exponential=True)
    seq = list(parsed.data)
    while seq and seq[0][0] is _sre.SUBPATTERN:
        seq = list(seq[0][1][3])
    est.anchored = bool(seq) and seq[0][0] is _sre.AT and seq[0][1] in _STARTS
    return est


@lru_cache(maxsize=4096)  # a build and its tests read the same rule files again and again
def too_slow(pattern: str, line_chars: int = LINE_CHARS) -> str | None:
    """Why a regex could take too long on one line (over `MAX_STEPS` at worst), else None."""
    try:
        est = estimate(pattern)
    except (OverflowError, RecursionError):
        return ("once its counted repeats are written out it has too many parts to check "
                f"(more than {MAX_PARTS:,}, or rows of more than {MAX_PAIRS:,} pairs of repeat and part)")
    if est.exponential:
        return ("a repeat inside an unbounded repeat can trade characters with the next copy of itself, "
                "as in (?:a{1,2})+ or (?:a?a?)+, so the ways to split a line grow exponentially")
    steps = est.steps(line_chars)
    if steps <= MAX_STEPS:
        return None
    why = []
    if est.chain > 1:
        why.append(f"{est.chain} unbounded repeats (*, +, {{n,}}) in a row take characters from one another, "
                   "as (a+){25} or (.*的){12} do")
    if est.factor > 1:
        why.append(f"bounded repeats or alternatives that take characters from one another combine in "
                   f"{est.factor:.3g} ways, as (a?){{34}} does")
    if not why:
        why.append("its repeats take characters from one another")
    return (f"at worst about {steps:.1e} steps on a line of {line_chars:,} characters (limit {MAX_STEPS:.0e}): "
            + "; ".join(why))
