"""Every lexicon and codebook file of a build, resolved, validated and parsed once.

`Lexicon.load(data_dir)` looks up each file of `FILES` on its own: the corpus's
`DIR/lexicon/<name>` when it exists, else the bundled `data/lexicon/<name>` (so a corpus may
bring its own `theme_rules.csv` and keep the bundled `themes.csv`). Each file is then checked
and parsed into what its stage needs (chrome rules, segmentation grammar, tokenizer inputs,
codebook, target topics / cues / time classes, learning rules). A problem stops the build with
an `errors.BuildError` naming the file, the line (the header is line 1) and the fix; an own file
that is a link leading outside the corpus folder is refused before it is read:

- the file is UTF-8 (a byte-order mark is allowed) and, for a CSV, not empty: a header row and,
  where the file needs one, at least one data row; no row has more fields than the header;
- the required columns are present (`SPECS`), required cells are not empty, and cells with a
  fixed vocabulary (chrome `action`, rule `field`, cue `role`, …) hold one of its values;
- every regex compiles, is not catastrophic (`catastrophic`, below) and cannot backtrack for too
  long on one line (`backtracking.too_slow`);
- ids referred to exist: rule and fallback theme ids are in `themes.csv`; numbers parse
  (`weight`, `threshold`, `max_hits`); every required cue role has a cue.

Catastrophic patterns are refused statically, from the parsed pattern (nothing is matched, so
the check cannot hang): an unbounded repeat (`*`, `+`, `{n,}`, lazy or greedy) may not contain
(1) another unbounded repeat, as in `(a+)+$` or `(\\w*)*x`, nor (2) an alternation with an
alternative that can match the empty string or two alternatives that can begin with the same
character, as in `(a|aa)+$` (Python's parser first factors out a prefix common to all
alternatives, so `(学习|学校)+` passes). Possessive repeats (`a++`) and atomic groups
(`(?>…)`) never backtrack and are not checked inside. The rule is conservative: it also refuses
some harmless patterns such as `(?:a+b)*`; write those with a possessive inner repeat (`(?:a++b)*`).
A second check bounds the worst case of bounded and polynomial blow-ups (`(a+){25}$`, `(a?){34}a{34}`,
`.*.*.*x`): `backtracking.too_slow`, read from the parsed pattern too.
Patterns the code composes from several rows (the cue alternations, the learning verb run) are
compiled, not checked for backtracking: each row's own pattern is.

What the stages receive: `Lexicon.chrome` (clean), `.grammar` (measures), `.policy_terms` and
`.stopwords` (or `.tokenizer()`; tokens), `.codebook` (themes; `.codebook_with(rules, params)` for an
older rule set), `.instruments`, `.pmc_variables` and `.pmc_params` (instruments, PMC), `.topics`,
`.topic_labels`, `.cues`, `.time_classes` (targets), `.learning` (references), `.coword` (co-word
network), `.formula_params`, `.formula_patterns`, `.national`, `.generic` and `.place_aliases` (formulas),
`.names` (the names set aside from vocabulary comparisons; `.gazetteer(places)` adds a corpus's places), and
`.overridden(folder, names)` for a folder of older rule files (extractor_check).
`.files[name]` (path and origin), `.path(name)`, `.origin(name)`, `.own()`, `.ignored` (files of the
corpus's lexicon/ that are none of `FILES`) and `.summary()` say which files were used.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from ..analysis import coword
from ..base.errors import BuildError
from ..base.paths import DATA, LEXICON
from ..io import sources
from ..text import clean, coding, formulas, measures, references, targets, tokens
from . import backtracking, names

try:  # Python 3.11+
    from re import _constants as _sre
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _sre  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

FILES = ("chrome.csv", "segmentation.csv", "policy_terms.txt", "stopwords.txt", "themes.csv",
         "theme_rules.csv", "theme_params.csv", "target_topics.csv", "target_cues.csv", "time_classes.csv",
         "learning.csv", "instruments.csv", "instrument_rules.csv", "instrument_params.csv", "pmc_variables.csv",
         "pmc_params.csv", "coword_params.csv", "formula_params.csv", "formula_patterns.csv",
         "national_formulas.csv", "generic_terms.csv", "place_aliases.csv", "names.csv")
OWN, BUNDLED = "own", "bundled"


# --- where each file comes from ----------------------------------------------------------------

@dataclass(frozen=True)
class LexiconFile:
    """One lexicon file in use: its name, its path and where it came from (own | bundled | …)."""

    name: str
    path: Path
    origin: str


def resolve(data_dir: Path | str, name: str) -> LexiconFile:
    """The corpus's own `lexicon/<name>` when it has one, else the bundled file; BuildError for
    an own file that is a link leading outside the corpus folder (`sources.refuse_outside`)."""
    own = Path(data_dir) / "lexicon" / name
    bundled = LEXICON / name
    if own.is_symlink() or own.exists():
        sources.refuse_outside(Path(data_dir), own)
    if own.is_file() and own.resolve() != bundled.resolve():
        return LexiconFile(name, own, OWN)
    return LexiconFile(name, bundled, BUNDLED)


def lexicon_file(data_dir: Path | str, name: str) -> Path:
    """The path of `resolve(data_dir, name)` (the notebooks' form; the build itself reads every
    file through `Lexicon`)."""
    return resolve(data_dir, name).path


# --- reading and checking ----------------------------------------------------------------------

def _problem(path: Path, line: int | None, problem: str, fix: str) -> BuildError:
    return BuildError(f"line {line}: {problem}" if line else problem, path, fix)


def read_text(path: Path) -> str:
    """A lexicon file's text (UTF-8, an optional byte-order mark dropped)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"cannot read the file ({exc.strerror})", path,
                         "check that the file exists and is readable") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _problem(path, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                       "save the file as UTF-8 (e.g. re-encode it from GB18030 with iconv -f gb18030 -t utf-8)"
                       ) from None


@dataclass(frozen=True)
class CsvSpec:
    """What a lexicon CSV must hold."""

    required: tuple[str, ...]  # columns that must be present
    optional: tuple[str, ...] = ()  # columns used when present (empty when absent)
    nonempty: tuple[str, ...] = ()  # cells that must not be empty
    regex: tuple[str, ...] = ()  # cells that hold a Python regex (checked when not empty)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # cells with a fixed vocabulary
    unique: tuple[str, ...] = ()  # columns whose values must not repeat
    min_rows: int = 1
    why_rows: str = ""  # what an empty file would mean, for the error


# The two codebooks coded by the same rule engine (`coding.Codebook`): file names, id and group
# columns, the codes table's optional columns, and what one code is called.
CODEBOOKS = {
    "theme": ("themes.csv", "theme_rules.csv", "theme_params.csv", "theme_id", "group_id",
              ("group_zh", "group_en", "label_zh", "label_en", "definition", "examples_zh")),
    "instrument": ("instruments.csv", "instrument_rules.csv", "instrument_params.csv", "instrument_id", "type_id",
                   ("type_zh", "type_en", "label_zh", "label_en", "definition")),
}


def _codebook_specs(kind: str) -> dict[str, CsvSpec]:
    """The specs of a codebook's three files (codes, rules, parameters): the same for every kind
    but for the id and group columns."""
    codes, rules, params, id_col, group_col, optional = CODEBOOKS[kind]
    return {
        codes: CsvSpec((id_col, group_col), optional, (id_col, group_col), unique=(id_col,),
                       why_rows=f"there would be no {kind} to code measures with"),
        rules: CsvSpec((id_col, "pattern", "weight"), ("field", "exclude", "note"), (id_col, "pattern", "weight"),
                       ("pattern", "exclude"), {"field": ("", "text", "title", "kind")},
                       why_rows=f"every measure would get the fallback {kind} with a score of 0"),
        params: CsvSpec(("name", "value"), (), ("name", "value"), unique=("name",),
                        choices={"name": ("threshold", "max_hits", "fallback")}),
    }


SPECS: dict[str, CsvSpec] = {
    **_codebook_specs("theme"),
    **_codebook_specs("instrument"),
    "chrome.csv": CsvSpec(
        ("rule_id", "action", "pattern"), ("condition", "note"), ("rule_id", "action", "pattern"),
        ("pattern", "condition"), {"action": ("drop", "drop_to_end", "drop_head_until")}, ("rule_id",),
        min_rows=0),
    "segmentation.csv": CsvSpec(
        ("role", "pattern"), ("note",), ("role", "pattern"), ("pattern",),
        why_rows="no line would be recognised as a heading or an item"),
    "pmc_variables.csv": CsvSpec(
        ("variable_id", "sub_id", "source", "rule"), ("variable_zh", "variable_en", "label_zh", "label_en", "note"),
        ("variable_id", "sub_id", "source"), ("rule",),
        {"source": ("text", "horizon", "admin_level", "themes", "instruments", "targets", "published")},
        unique=("sub_id",), why_rows="there would be no PMC variable to score"),
    "pmc_params.csv": CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",),
                              choices={"name": ("doc_types", "grade_perfect", "grade_excellent",
                                                "grade_acceptable", "min_clause_chars", "clause_marks")}),
    "coword_params.csv": CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",),
                                 choices={"name": coword.PARAMS}),
    "formula_params.csv": CsvSpec(("name", "value"), ("note",), ("name", "value"), unique=("name",),
                                  choices={"name": formulas.PARAMS}),
    "formula_patterns.csv": CsvSpec(("pattern",), ("note",), ("pattern",), ("pattern",), min_rows=0),
    "national_formulas.csv": CsvSpec(("formula", "document", "year"), ("kind", "note"), ("formula", "document", "year"),
                                     choices={"kind": ("", "reform", "strategy", "slogan")}, unique=("formula",),
                                     min_rows=0),
    "generic_terms.csv": CsvSpec(("term",), ("note",), ("term",), unique=("term",), min_rows=0),
    "place_aliases.csv": CsvSpec(("alias", "places"), ("note",), ("alias", "places"), unique=("alias",),
                                 min_rows=0),
    "names.csv": CsvSpec(("term", "action"), ("note",), ("term", "action"), choices={"action": names.ACTIONS},
                         unique=("term",), min_rows=0),
    "target_topics.csv": CsvSpec(
        ("applies_to", "pattern"), ("note", "label_en"), ("applies_to", "pattern"), ("pattern",),
        why_rows=f"every quantity would concern {targets.OTHER}"),
    "target_cues.csv": CsvSpec(
        ("role", "pattern"), ("note",), ("role", "pattern"),
        choices={"role": tuple(targets.CUE_ROLES + targets.OPTIONAL_ROLES)}),
    "time_classes.csv": CsvSpec(
        ("time_class", "field", "pattern"), ("note",), ("time_class", "field", "pattern"), ("pattern",),
        {"time_class": tuple(targets.TIME_CLASSES), "field": tuple(targets.CLASS_FIELDS)},
        why_rows="every time limit would be of class `other`"),
    "learning.csv": CsvSpec(
        ("role", "pattern", "label", "relation"), ("note", "label_en"), ("role", "pattern"),
        # `relation` is checked by `_learning`, whose message says what became of a retired relation
        choices={"role": ("verb", *references.PLACE_ROLES, *references.CUE_ROLES)}),
}


@dataclass(frozen=True)
class Rows:
    """A checked CSV: its header and its data rows, each with its line number in the file."""

    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]

    def frame(self) -> pd.DataFrame:
        """The rows as `pd.read_csv(path, dtype=str, keep_default_na=False)` would give them."""
        return pd.DataFrame([r for _, r in self.rows], columns=list(self.header), dtype=object)


def read_rows(path: Path, spec: CsvSpec) -> Rows:
    """Read and check a lexicon CSV against `spec` (every regex compiled and checked as well)."""
    text = read_text(path)
    if not text.strip():
        raise _problem(path, None, "the file is empty",
                       f"write a header row ({','.join(spec.required)}) and at least one rule")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(h.strip() for h in next(reader))
        missing = [c for c in spec.required if c not in header]
        if missing:
            raise _problem(path, 1, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                           f"(the header has {', '.join(header)})",
                           f"the header row must name the columns {', '.join(spec.required)}"
                           + (f" (optional: {', '.join(spec.optional)})" if spec.optional else ""))
        dup = sorted({h for h in header if header.count(h) > 1})
        if dup:
            raise _problem(path, 1, f"column {', '.join(dup)} named twice", "name each column once")
        rows: list[tuple[int, dict[str, str]]] = []
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells) and len(cells) <= 1:
                continue  # a blank line
            if len(cells) > len(header):
                raise _problem(path, line, f"{len(cells)} fields, but the header has {len(header)}",
                               'quote a cell that holds a comma, e.g. a regex with {0,4}: "审批.{0,4}压缩"')
            rows.append((line, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}))
    except csv.Error as exc:
        raise _problem(path, reader.line_num, f"not a valid CSV row ({exc})",
                       'quote a cell that holds a comma or a quote ("" inside quotes)') from None
    if len(rows) < spec.min_rows:
        raise _problem(path, None, "the file has a header but no rows"
                       + (f": {spec.why_rows}" if spec.why_rows else ""),
                       "add at least one row, or delete the file to use the bundled one")
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        for col in spec.nonempty:
            if not row[col].strip():
                raise _problem(path, line, f"empty {col}", f"give every row a {col}")
        for col, allowed in spec.choices.items():
            if col in row and row[col] not in allowed:
                raise _problem(path, line, f"unknown {col} {row[col]!r}",
                               f"use one of: {', '.join(a for a in allowed if a) or '(empty)'}")
        for col in spec.unique:
            if (col, row[col]) in seen:
                raise _problem(path, line, f"{col} {row[col]!r} repeats line {seen[(col, row[col])]}",
                               f"give each row its own {col}")
            seen[(col, row[col])] = line
        for col in spec.regex:
            if row.get(col, ""):
                check_regex(row[col], path, line, col)
    return Rows(path, header, tuple(rows))


# --- regexes -----------------------------------------------------------------------------------

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
        raise _problem(path, line, f"{column} `{pattern}` is not a valid regular expression: {exc.msg} "
                       f"at position {exc.pos}",
                       "fix the regular expression (Python `re` syntax; escape a literal ( ) [ ] . * + ? with \\)"
                       ) from None
    why = catastrophic(pattern)
    if why:
        raise _problem(path, line, f"{column} `{pattern}` could take forever to match: {why}",
                       "remove the nesting (a+ instead of (a+)+), let alternatives begin differently "
                       "((?:a|b)+ rather than (?:a|ab)+), or make the inner repeat possessive (a++) or atomic (?>…)")
    check_speed(pattern, path, line, column)
    return compiled


def check_speed(pattern: str, path: Path, line: int | None, column: str = "pattern", shown: str | None = None) -> None:
    """Refuse a regex whose worst case on one line is too long (`backtracking.too_slow`); `shown`
    names the pattern in the message when `pattern` is derived from it."""
    why = backtracking.too_slow(pattern)
    if why:
        raise _problem(path, line, f"{column} `{shown or pattern}` could take too long to match: {why}",
                       "bound the repeats (.{0,20} rather than .*), put between two repeats a character they cannot "
                       "take ([^的]*的 rather than .*的), use fewer copies ({2} rather than {12}), or make a repeat "
                       "possessive (.*+) or atomic (?>…) so that it never gives characters back")


# --- each part -----------------------------------------------------------------------------------

def _parsed(path: Path, what: str, make: Callable, *args):
    """Run a stage's constructor on checked rows; anything it still refuses becomes a BuildError."""
    try:
        return make(*args)
    except re.error as exc:
        raise _problem(path, None, f"the {what} patterns do not combine into a valid regex: {exc}",
                       "check the patterns for named groups or back references that clash") from None
    except (ValueError, KeyError) as exc:
        raise _problem(path, None, f"{what}: {exc}", "see data/lexicon/README.md for the file's format") from None


def _chrome(f: LexiconFile) -> list[clean.ChromeRule]:
    rows = read_rows(f.path, SPECS[f.name])
    return _parsed(f.path, "chrome rule", clean.chrome_rules, _full(rows, SPECS[f.name]))


def _grammar(f: LexiconFile) -> measures.Grammar:
    read_rows(f.path, SPECS[f.name])
    try:
        return measures.Grammar.load(f.path)
    except KeyError as exc:
        raise _problem(f.path, None, f"no row for the role {exc.args[0]!r} that segmentation needs",
                       "add a row for that role (see the bundled segmentation.csv)") from None
    except re.error as exc:
        raise _problem(f.path, None, f"a segmentation pattern does not compile: {exc}",
                       "fix the regular expression") from None
    except ValueError as exc:
        raise _problem(f.path, None, str(exc), "see data/lexicon/README.md, segmentation.csv") from None
    except Exception as exc:  # the grammar is measures' own: whatever else it refuses, say so without a traceback
        raise _problem(f.path, None, f"measures could not read the file ({type(exc).__name__}: {exc})",
                       "compare it with the bundled segmentation.csv (columns role,pattern,note)") from None


def _terms(f: LexiconFile) -> tuple[tokens.UserTerm, ...]:
    out = []
    for no, line in enumerate(read_text(f.path).splitlines(), start=1):
        try:
            entry = tokens.userdict_entry(line)
        except ValueError as exc:
            raise _problem(f.path, no, str(exc),
                           "write one `word [freq] [tag]` per line, separated by single spaces "
                           "(freq a whole number, tag lower-case letters), e.g. 营商环境 2000 n") from None
        if entry is not None:
            out.append(entry)
    return tuple(out)


def _stopwords(f: LexiconFile) -> frozenset[str]:
    return tokens.parse_stopwords(read_text(f.path))


def _full(rows: Rows, spec: CsvSpec) -> pd.DataFrame:
    """The rows as a frame, with every optional column (empty where the file lacks it)."""
    df = rows.frame()
    for col in spec.optional:
        if col not in df:
            df[col] = ""
    return df


def read_codebook(themes_file: LexiconFile | Path, rules_file: LexiconFile | Path,
                  params_file: LexiconFile | Path, theme_rows: pd.DataFrame | None = None,
                  kind: str = "theme") -> coding.Codebook:
    """The checked codebook from its three files (`theme_rows`: an already checked themes table).

    `kind` "instrument" reads instruments.csv / instrument_rules.csv / instrument_params.csv; the
    codebook then holds instruments where it says themes (ids under `theme_id`, types under `group_id`).
    """
    codes_name, rules_name, params_name, id_col, group_col, _ = CODEBOOKS[kind]
    t_path, r_path, p_path = (getattr(f, "path", f) for f in (themes_file, rules_file, params_file))
    if theme_rows is None:
        theme_rows = read_rows(Path(t_path), SPECS[codes_name]).frame()
    ids = set(theme_rows[id_col] if id_col in theme_rows else theme_rows["theme_id"])
    rules = read_rows(Path(r_path), SPECS[rules_name])
    for line, row in rules.rows:
        if row[id_col] not in ids:
            raise _problem(Path(r_path), line, f"{kind} id {row[id_col]!r} is not in {t_path}",
                           f"use one of the ids of {codes_name}, or give the corpus its own {codes_name} "
                           f"(and {rules_name}) in DIR/lexicon/")
        if not _is_number(row["weight"]):
            raise _problem(Path(r_path), line, f"weight {row['weight']!r} is not a number", "write e.g. 2 or 0.5")
        try:  # the coder's prefilter: the pattern without its lookarounds and anchors
            prefilter = coding.strip_assertions(row["pattern"])
            re.compile(prefilter)
        except (re.error, ValueError) as exc:
            raise _problem(Path(r_path), line, f"pattern `{row['pattern']}` without its lookarounds is no valid "
                           f"regex ({exc})", "write the lookarounds as whole groups: (?=…), (?!…), (?<=…), (?<!…)"
                           ) from None
        check_speed(prefilter, Path(r_path), line, "pattern (without its anchors, as the coder first tries it)",
                    row["pattern"])
    params = read_rows(Path(p_path), SPECS[params_name])
    values = _param_values(Path(p_path), params, SPECS[params_name],
                           f"add name,value rows for threshold (a number), max_hits (a whole number ≥ 1) "
                           f"and fallback (a {id_col})")
    line, v = values["threshold"]
    if not _is_number(v):
        raise _problem(Path(p_path), line, f"threshold {v!r} is not a number", "write e.g. 2")
    line, v = values["max_hits"]
    if not (v.strip().isdigit() and int(v) >= 1):
        raise _problem(Path(p_path), line, f"max_hits {v!r} is not a whole number ≥ 1", "write e.g. 3")
    line, v = values["fallback"]
    if v not in ids:
        raise _problem(Path(p_path), line, f"fallback {v!r} is not a {id_col} of {t_path}",
                       f"name one of the {kind}s of {codes_name}")
    rows = theme_rows.rename(columns={id_col: "theme_id", group_col: "group_id"})
    return _parsed(Path(r_path), f"{kind} rule", coding.codebook_from_frames, rows,
                   _full(rules, SPECS[rules_name]).rename(columns={id_col: "theme_id"}), params.frame())


def _param_values(path: Path, rows: Rows, spec: CsvSpec, fix: str) -> dict[str, tuple[int, str]]:
    """A name,value file's rows as name → (line, value); a problem naming the file if a name of
    the spec's vocabulary has no row."""
    values = {row["name"]: (line, row["value"]) for line, row in rows.rows}
    missing = [n for n in spec.choices["name"] if n not in values]
    if missing:
        raise _problem(path, None, f"no row for {', '.join(missing)}", fix)
    return values


def _read_kind(files: Mapping[str, LexiconFile], kind: str) -> coding.Codebook:
    """The checked codebook of `kind` from its three files among `files`."""
    return read_codebook(*(files[name] for name in CODEBOOKS[kind][:3]), kind=kind)


def _pmc(variables_file: LexiconFile | Path, params_file: LexiconFile | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """The PMC variables (checked by their spec) and parameters (every name present, bands numbers)."""
    v_path, p_path = (Path(getattr(f, "path", f)) for f in (variables_file, params_file))
    variables = read_rows(v_path, SPECS["pmc_variables.csv"]).frame()
    values = _param_values(p_path, read_rows(p_path, SPECS["pmc_params.csv"]), SPECS["pmc_params.csv"],
                           "add name,value rows for doc_types, grade_perfect / grade_excellent / grade_acceptable, "
                           "min_clause_chars and clause_marks (see the bundled pmc_params.csv)")
    for name in ("grade_perfect", "grade_excellent", "grade_acceptable"):
        line, value = values[name]
        if not _is_number(value):
            raise _problem(p_path, line, f"{name} {value!r} is not a number", "write e.g. 7")
    cuts = [float(values[name][1]) for name in ("grade_perfect", "grade_excellent", "grade_acceptable")]
    if not cuts[0] > cuts[1] > cuts[2]:
        raise _problem(p_path, values["grade_acceptable"][0], f"the grade bands {cuts} do not fall from perfect "
                       "to acceptable", "write grade_perfect > grade_excellent > grade_acceptable, e.g. 9, 7, 5")
    line, value = values["min_clause_chars"]
    if not (value.strip().isdigit() and int(value) >= 1):
        raise _problem(p_path, line, f"min_clause_chars {value!r} is not a whole number ≥ 1", "write e.g. 6")
    return variables, {name: value for name, (_, value) in values.items()}


def _numbers(f: LexiconFile, at_least: Mapping[str, int], decimal: tuple[str, ...] = ()) -> dict[str, str]:
    """A name,value parameter file: every name of its spec present; each value a whole number of at
    least `at_least[name]` (0 if not listed), or any number ≥ 0 for the names in `decimal`."""
    spec = SPECS[f.name]
    values = _param_values(f.path, read_rows(f.path, spec), spec,
                           f"add name,value rows for {', '.join(spec.choices['name'])}")
    for name, (line, value) in values.items():
        low = at_least.get(name, 0)
        if name in decimal:
            if not _is_number(value) or float(value) < low:
                raise _problem(f.path, line, f"{name} {value!r} is not a number of {low} or more", "write e.g. 1.0")
        elif not re.fullmatch(r"\d+", value.strip()) or int(value) < low:
            raise _problem(f.path, line, f"{name} {value!r} is not a whole number of {low} or more",
                           f"write a whole number such as {max(low, 3)}")
    return {name: value for name, (_, value) in values.items()}


def _coword(f: LexiconFile) -> coword.Params:
    positive = ("top_terms", "min_df", "source_top_terms", "source_min_df", "min_chars", "min_cooccurrence",
                "source_min_cooccurrence", "min_measures")
    return coword.Params.from_values(_numbers(f, dict.fromkeys(positive, 1), decimal=("resolution",)))


def _formula_params(f: LexiconFile) -> formulas.Params:
    # a passage of fewer than 4 characters would make every common word a shared passage
    return formulas.Params.from_values(_numbers(f, {"min_chars": 1, "max_quote_chars": 1, "passage_chars": 4}))


def _formula_patterns(f: LexiconFile) -> list[re.Pattern]:
    return [re.compile(row["pattern"]) for _, row in read_rows(f.path, SPECS[f.name]).rows]


def _distinct_forms(f: LexiconFile, rows: Rows, col: str) -> None:
    """Every `col` cell has letters or digits, and no two rows give one normal form (formulas.normal)."""
    seen: dict[str, int] = {}
    for line, row in rows.rows:
        form = formulas.normal(row[col])
        if not form:
            raise _problem(f.path, line, f"{col} {row[col]!r} has no letters or digits", f"write the {col}'s words")
        if form in seen:
            raise _problem(f.path, line, f"{col} {row[col]!r} is the {col} of line {seen[form]} "
                           "(punctuation and script aside)", "keep one row for it")
        seen[form] = line


def _national(f: LexiconFile) -> formulas.National:
    rows = read_rows(f.path, SPECS[f.name])
    _distinct_forms(f, rows, "formula")
    for line, row in rows.rows:
        if not re.fullmatch(r"\d{4}", row["year"].strip()):
            raise _problem(f.path, line, f"year {row['year']!r} is not a year", "write the year the document was "
                           "issued, e.g. 2018")
    return formulas.National.from_frame(_full(rows, SPECS[f.name]))


def _generic(f: LexiconFile) -> formulas.Generic:
    rows = read_rows(f.path, SPECS[f.name])
    _distinct_forms(f, rows, "term")
    return formulas.Generic.from_frame(_full(rows, SPECS[f.name]))


def _aliases(f: LexiconFile) -> dict[str, list[str]]:
    return {row["alias"]: [p.strip() for p in row["places"].split(";") if p.strip()]
            for _, row in read_rows(f.path, SPECS[f.name]).rows}


def _names(f: LexiconFile) -> names.Names:
    rows = read_rows(f.path, SPECS[f.name])
    for line, row in rows.rows:
        term = row["term"]
        if term != term.strip() or re.search(r"\s", term) or not re.search(r"[\u3400-\u9fff]", term):
            raise _problem(f.path, line, f"term {term!r} can never be a term of tokens.csv (it has a space, "
                           "or no Chinese character)", "write the term as tokens.csv has it, e.g. 广深")
    return names.Names.from_frame(_full(rows, SPECS[f.name]))


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _topics(f: LexiconFile) -> tuple[list[tuple[str, re.Pattern]], dict[str, str]]:
    df = _full(read_rows(f.path, SPECS[f.name]), SPECS[f.name])
    return (_parsed(f.path, "topic", targets.topics_from_frame, df),
            _parsed(f.path, "topic", targets.labels_from_frame, df))


_DOC_TYPE_ROLES = ("reporting_doc_type", "directive_doc_type")


def _cues(f: LexiconFile) -> targets.Cues:
    rows = read_rows(f.path, SPECS[f.name])
    roles: dict[str, list[int]] = {}
    for line, row in rows.rows:
        roles.setdefault(row["role"], []).append(line)
        if row["role"] not in _DOC_TYPE_ROLES:  # those hold doc_type values, not regexes
            check_regex(row["pattern"], f.path, line)
    missing = [r for r in targets.CUE_ROLES if r not in roles]
    if missing:
        raise _problem(f.path, None, f"no cue for the role{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                       f"give each of {', '.join(targets.CUE_ROLES)} at least one row")
    for role, lines in roles.items():  # the cues of a role are joined into one alternation
        if role not in _DOC_TYPE_ROLES:
            try:
                re.compile("|".join(row["pattern"] for _, row in rows.rows if row["role"] == role))
            except re.error as exc:
                raise _problem(f.path, lines[0], f"the {role} cues (lines {', '.join(map(str, lines))}) do not "
                               f"join into one valid regex: {exc}",
                               "give each cue its own group names, and no back references") from None
    return _parsed(f.path, "cue", targets.cues_from_frame, _full(rows, SPECS[f.name]), f.path)


def _time_classes(f: LexiconFile) -> list[tuple[str, str, re.Pattern]]:
    df = _full(read_rows(f.path, SPECS[f.name]), SPECS[f.name])
    return _parsed(f.path, "time class", targets.time_classes_from_frame, df, f.path)


_PLACE_STANDIN = "\ue000"  # a character no pattern uses, for {place} while checking a verb frame


def _learning(f: LexiconFile) -> references.Lexicon:
    spec = SPECS[f.name]
    rows = read_rows(f.path, spec)
    relations = ", ".join(references.RELATIONS)
    simple_verb = place = False
    for line, row in rows.rows:
        role, pattern, relation = row["role"], row["pattern"], row.get("relation", "")
        framed = role in ("verb", "relation_place")  # patterns in which {place} stands for a list of places
        if framed and "{place}" in pattern:
            check_regex(pattern.replace("{place}", _PLACE_STANDIN), f.path, line)
        else:
            check_regex(pattern, f.path, line)
        if role in ("verb", *references.PLACE_ROLES) and not row["label"].strip():
            raise _problem(f.path, line, f"empty label for a {role}", "give every verb, place and level a label")
        if relation and relation not in references.RELATIONS:
            raise _problem(f.path, line, *references.relation_problem(relation))
        if role in references.PLACE_ROLES and relation:
            raise _problem(f.path, line, f"a {role} with a relation ({relation})",
                           "leave it empty: the verb and the relation_* cues give a mention its relation")
        if (role == "verb" or role in references.CUE_ROLES) and not relation:
            raise _problem(f.path, line, f"a {role} without a relation", f"give it a relation: {relations}")
        if role in references.CUE_ROLES and ("{place}" in pattern) != (role == "relation_place"):
            raise _problem(f.path, line, f"a {role} cue " + ("without {place}" if role == "relation_place"
                                                             else "with {place}"),
                           "a cue that names the place is a relation_place row with {place} in its pattern; "
                           "relation_sentence and relation_after cues hold no {place}")
        simple_verb |= role == "verb" and "{place}" not in pattern
        place |= role in references.PLACE_ROLES
    if not (simple_verb and place):
        raise _problem(f.path, None, "the file needs at least one verb without {place} and at least one place",
                       "add verb rows (借鉴, 学习 …) and place rows (深圳, 上海 …)")
    return _parsed(f.path, "learning", references.Lexicon.from_frame, _full(rows, spec), f.path)


# --- the lexicon -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lexicon:
    """Every lexicon and codebook file in use, checked and parsed: what the stages receive.

    `files`: name → `LexiconFile` (path and origin, own or bundled) for every name in `FILES`.
    """

    files: Mapping[str, LexiconFile]
    chrome: list[clean.ChromeRule]  # clean.clean_document(rules=…)
    grammar: measures.Grammar  # measures.measures_tables(…, grammar)
    policy_terms: tuple[tokens.UserTerm, ...]  # (word, freq, tag) of policy_terms.txt
    stopwords: frozenset[str]
    codebook: coding.Codebook
    instruments: coding.Codebook  # the policy-instrument codebook, coded by the same engine
    pmc_variables: pd.DataFrame  # the PMC index's variables, sub-variables and rules (pmc.py)
    pmc_params: dict[str, str]  # which doc_types are scored; the grade bands
    topics: list[tuple[str, re.Pattern]]  # targets: (applies_to, pattern), file order
    topic_labels: dict[str, str]  # applies_to → English label
    cues: targets.Cues
    time_classes: list[tuple[str, str, re.Pattern]]
    learning: references.Lexicon
    coword: coword.Params  # the co-word network's rules
    formula_params: formulas.Params
    formula_patterns: list[re.Pattern]  # numbered formulas (1+5+16, 五个一)
    national: formulas.National  # formulas set by national documents
    generic: formulas.Generic  # terms every place writes: not evidence that one place learnt from another
    place_aliases: dict[str, list[str]]  # 广深 → 广州, 深圳
    names: names.Names  # names.csv: terms that are names, and words kept although jieba tags them names
    ignored: tuple[str, ...] = ()  # files in the corpus's lexicon/ that are none of `FILES` (a typo?)

    @classmethod
    def load(cls, data_dir: Path | str = DATA) -> Lexicon:
        """Resolve every file for the corpus in `data_dir` (its own, else bundled), check and parse it."""
        lex = cls.from_files({name: resolve(data_dir, name) for name in FILES})
        own_dir = Path(data_dir) / "lexicon"
        if own_dir.is_dir() and own_dir.resolve() != LEXICON.resolve():
            stray = sorted(p.name for p in own_dir.iterdir() if p.is_file() and p.name not in FILES
                           and not p.name.startswith((".", "README")))
            lex = replace(lex, ignored=tuple(stray))
        return lex

    @classmethod
    def from_files(cls, files: Mapping[str, LexiconFile]) -> Lexicon:
        """Check and parse the given files (one per name of `FILES`)."""
        f = dict(files)
        chrome = _chrome(f["chrome.csv"])
        grammar = _grammar(f["segmentation.csv"])
        terms, stopwords = _terms(f["policy_terms.txt"]), _stopwords(f["stopwords.txt"])
        codebook, instruments = _read_kind(f, "theme"), _read_kind(f, "instrument")
        topics, labels = _topics(f["target_topics.csv"])
        pmc_variables, pmc_params = _pmc(f["pmc_variables.csv"], f["pmc_params.csv"])
        return cls(files=f, chrome=chrome, grammar=grammar, policy_terms=terms, stopwords=stopwords,
                   codebook=codebook, instruments=instruments, pmc_variables=pmc_variables, pmc_params=pmc_params,
                   topics=topics, topic_labels=labels,
                   cues=_cues(f["target_cues.csv"]),
                   time_classes=_time_classes(f["time_classes.csv"]), learning=_learning(f["learning.csv"]),
                   coword=_coword(f["coword_params.csv"]), formula_params=_formula_params(f["formula_params.csv"]),
                   formula_patterns=_formula_patterns(f["formula_patterns.csv"]),
                   national=_national(f["national_formulas.csv"]), generic=_generic(f["generic_terms.csv"]),
                   place_aliases=_aliases(f["place_aliases.csv"]), names=_names(f["names.csv"]))

    def path(self, name: str) -> Path:
        """The path in use for a lexicon file."""
        return self.files[name].path

    def origin(self, name: str) -> str:
        """Where a file in use came from: own (the corpus's lexicon/), bundled, or an override's label."""
        return self.files[name].origin

    def own(self) -> list[str]:
        """The names of the files the corpus brings itself."""
        return [n for n, f in self.files.items() if f.origin == OWN]

    def summary(self) -> str:
        """One line for the build's progress output: which files are the corpus's own, and which it ignores."""
        own = self.own()
        line = (f"own {', '.join(own)}; bundled the other {len(self.files) - len(own)}" if own
                else f"all {len(self.files)} files bundled")
        if self.ignored:
            line += f"; ignored {', '.join(self.ignored)} (not a lexicon file: see data/lexicon/README.md)"
        return line

    def tokenizer(self, hmm: bool = True) -> tokens.PolicyTokenizer:
        """A policy-aware tokenizer with this lexicon's terms and stopwords."""
        return tokens.PolicyTokenizer(self.policy_terms, self.stopwords, hmm=hmm)

    def gazetteer(self, places: Iterable[str]) -> names.Names:
        """`names` with the gazetteer of a corpus whose documents lie in `places` (the `place` and
        `province` cells of its sources.csv), this lexicon's place aliases and learning places."""
        learnt = [p.pattern for p, _ in self.learning.places]
        return self.names.with_gazetteer(names.gazetteer(places, self.place_aliases, learnt))

    def codebook_with(self, rules: Path, params: Path | None = None) -> coding.Codebook:
        """This codebook's themes with other rules (and parameters: these by default), checked the same way."""
        return read_codebook(self.files["themes.csv"], rules, params or self.path("theme_params.csv"),
                             self.codebook.themes)

    def overridden(self, folder: Path, names: Iterable[str], origin: str | None = None) -> Lexicon:
        """This lexicon with each of `names` that `folder` holds read from there instead (checked the same way)."""
        label = origin or folder.name
        swap = {n: LexiconFile(n, folder / n, label) for n in names if (folder / n).is_file()}
        if not swap:
            return self
        f = {**self.files, **swap}
        changes: dict = {"files": f}
        if "target_topics.csv" in swap:
            changes["topics"], changes["topic_labels"] = _topics(f["target_topics.csv"])
        parts = {"chrome.csv": ("chrome", _chrome), "segmentation.csv": ("grammar", _grammar),
                 "policy_terms.txt": ("policy_terms", _terms), "stopwords.txt": ("stopwords", _stopwords),
                 "target_cues.csv": ("cues", _cues), "time_classes.csv": ("time_classes", _time_classes),
                 "learning.csv": ("learning", _learning), "coword_params.csv": ("coword", _coword),
                 "formula_params.csv": ("formula_params", _formula_params),
                 "formula_patterns.csv": ("formula_patterns", _formula_patterns),
                 "national_formulas.csv": ("national", _national), "generic_terms.csv": ("generic", _generic),
                 "place_aliases.csv": ("place_aliases", _aliases), "names.csv": ("names", _names)}
        for name, (attr, parse) in parts.items():
            if name in swap:
                changes[attr] = parse(f[name])
        for kind, attr in (("theme", "codebook"), ("instrument", "instruments")):
            if swap.keys() & set(CODEBOOKS[kind][:3]):
                changes[attr] = _read_kind(f, kind)
        return replace(self, **changes)
