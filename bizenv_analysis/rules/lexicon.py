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
- every regex compiles, is not catastrophic (`regex.catastrophic`) and cannot backtrack for too
  long on one line (`backtracking.too_slow`);
- ids referred to exist: rule and fallback theme ids are in `themes.csv`; numbers parse
  (`weight`, `threshold`, `max_hits`); every required cue role has a cue.

Catastrophic patterns are refused statically, from the parsed pattern (nothing is matched, so
the check cannot hang): `rules.regex` says how. A second check bounds the worst case of bounded and
polynomial blow-ups (`(a+){25}$`, `(a?){34}a{34}`, `.*.*.*x`): `backtracking.too_slow`.
Patterns the code composes from several rows (the cue alternations, the learning verb run) are
compiled, not checked for backtracking: each row's own pattern is.

Each stage's rules — the file names, the spec of each CSV, the parsed type and its parser — are in
the module of `rules/` named after the stage (`rules.targets` for `text.targets` …); this module
only finds the files and runs the parsers (`PARTS`). Reading and checking a CSV is `rules.spec`,
regex safety `rules.regex`. The pipeline loads the lexicon once and hands each stage its part.

What the stages receive: `Lexicon.chrome` (clean), `.grammar` (measures), `.policy_terms` and
`.stopwords` (tokens), `.codebook` (themes), `.instruments`, `.pmc_variables` and `.pmc_params`
(instruments, PMC), `.topics`, `.topic_labels`, `.cues`, `.time_classes` (targets), `.learning`
(references), `.coword` (co-word network), `.formula_params`, `.formula_patterns`, `.national`,
`.generic` and `.place_aliases` (formulas), `.legal` (a regulation's header dates, parts, deontic cues
and addressees: clean, articles), `.citations` (citations of higher law), `.alignment` (the article
alignment's parameters: text.reuse), `.names` (the names set aside from vocabulary comparisons;
`.gazetteer(places)` adds a corpus's places), and `.overridden(folder, names)` for a folder of older
rule files (the extractors' first pass, round 1 of the theme rules).
`.files[name]` (path and origin), `.path(name)`, `.origin(name)`, `.own()`, `.ignored` (files of the
corpus's lexicon/ that are none of `FILES`) and `.summary()` say which files were used.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from ..base.paths import DATA, LEXICON
from ..io import sources
from . import (
    alignment,
    citations,
    clean,
    coding,
    coword,
    formulas,
    legal,
    measures,
    names,
    pmc,
    references,
    targets,
    tokens,
)
from .spec import LexiconFile

OWN, BUNDLED = "own", "bundled"

# Each part of the lexicon: the attribute(s) of `Lexicon` it fills, the file(s) it is parsed from
# and the parser (a stage's `rules/<stage>.parse…`), in the order the files are checked.
PARTS: tuple[tuple[tuple[str, ...], tuple[str, ...], Callable[..., Any]], ...] = (
    (("chrome",), (clean.FILE,), clean.parse),
    (("grammar",), (measures.FILE,), measures.parse),
    (("policy_terms",), (tokens.TERMS_FILE,), tokens.parse_terms),
    (("stopwords",), (tokens.STOPWORDS_FILE,), tokens.parse_stopwords_file),
    (("codebook",), coding.FILES["theme"], partial(coding.parse, kind="theme")),
    (("instruments",), coding.FILES["instrument"], partial(coding.parse, kind="instrument")),
    (("topics", "topic_labels"), (targets.TOPICS,), targets.parse_topics),
    (("pmc_variables", "pmc_params"), (pmc.VARIABLES, pmc.PARAMS), pmc.parse),
    (("cues",), (targets.CUES,), targets.parse_cues),
    (("time_classes",), (targets.TIME_CLASSES_FILE,), targets.parse_time_classes),
    (("learning",), (references.FILE,), references.parse),
    (("coword",), (coword.FILE,), coword.parse),
    (("formula_params",), ("formula_params.csv",), formulas.parse_params),
    (("formula_patterns",), ("formula_patterns.csv",), formulas.parse_patterns),
    (("national",), ("national_formulas.csv",), formulas.parse_national),
    (("generic",), ("generic_terms.csv",), formulas.parse_generic),
    (("place_aliases",), ("place_aliases.csv",), names.parse_aliases),
    (("names",), ("names.csv",), names.parse),
    (("legal",), legal.FILES, legal.parse_legal),
    (("citations",), (citations.FILE,), citations.parse),
    (("alignment",), (alignment.FILE,), alignment.parse),
)
FILES = ("chrome.csv", "segmentation.csv", "policy_terms.txt", "stopwords.txt", "themes.csv",
         "theme_rules.csv", "theme_params.csv", "target_topics.csv", "target_cues.csv", "time_classes.csv",
         "learning.csv", "instruments.csv", "instrument_rules.csv", "instrument_params.csv", "pmc_variables.csv",
         "pmc_params.csv", "coword_params.csv", "formula_params.csv", "formula_patterns.csv",
         "national_formulas.csv", "generic_terms.csv", "place_aliases.csv", "names.csv",
         *legal.FILES, citations.FILE, alignment.FILE)


# --- where each file comes from ----------------------------------------------------------------

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


def _parse_parts(files: Mapping[str, LexiconFile], only: set[str] | None = None) -> dict[str, Any]:
    """attribute → parsed value for every part of `PARTS` (or those reading one of `only`)."""
    values: dict[str, Any] = {}
    for attrs, part_files, parse in PARTS:
        if only is None or only & set(part_files):
            out = parse(*(files[name] for name in part_files))
            values.update(zip(attrs, out if len(attrs) > 1 else (out,), strict=True))
    return values


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
    pmc_variables: pd.DataFrame  # the PMC index's variables, sub-variables and rules (analysis/pmc.py)
    pmc_params: dict[str, str]  # which doc_types are scored; the grade bands
    topics: list[tuple[str, re.Pattern]]  # targets: (applies_to, pattern), file order
    topic_labels: dict[str, str]  # applies_to → English label
    cues: targets.Cues
    time_classes: list[tuple[str, str, re.Pattern]]
    learning: references.LearningRules
    coword: coword.Params  # the co-word network's rules
    formula_params: formulas.Params
    formula_patterns: list[re.Pattern]  # numbered formulas (1+5+16, 五个一)
    national: formulas.National  # formulas set by national documents
    generic: formulas.Generic  # terms every place writes: not evidence that one place learnt from another
    place_aliases: dict[str, list[str]]  # 广深 → 广州, 深圳
    names: names.Names  # names.csv: terms that are names, and words kept although jieba tags them names
    legal: legal.LegalRules  # a regulation's header dates, parts, deontic cues, addressees (clean, articles)
    citations: citations.CitationRules  # higher_law.csv: relation and law level of a cited 《…》 title
    alignment: alignment.Params  # article alignment (text.reuse): candidates, Smith–Waterman scores, relations
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
        return cls(files=f, **_parse_parts(f))

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

    def gazetteer(self, places: Iterable[str]) -> names.Names:
        """`names` with the gazetteer of a corpus whose documents lie in `places` (the `place` and
        `province` cells of its sources.csv), this lexicon's place aliases and learning places."""
        learnt = [p.pattern for p, _ in self.learning.places]
        return self.names.with_gazetteer(names.gazetteer(places, self.place_aliases, learnt))

    def overridden(self, folder: Path, names: Iterable[str], origin: str | None = None) -> Lexicon:
        """This lexicon with each of `names` that `folder` holds read from there instead (checked the same way)."""
        label = origin or folder.name
        swap = {n: LexiconFile(n, folder / n, label) for n in names if (folder / n).is_file()}
        if not swap:
            return self
        f = {**self.files, **swap}
        return replace(self, files=f, **_parse_parts(f, set(swap)))


# --- the lexicon as tables, for the notebooks (which open no rule file) --------------------------

CODEBOOK_COLUMNS = ["kind", "code_id", "group_id", "group_zh", "group_en", "label_zh", "label_en", "definition",
                    "n_rules"]
LABEL_COLUMNS = ["kind", "id", "label_zh", "label_en"]
PARAMETER_COLUMNS = ["file", "name", "value"]
FILE_COLUMNS = ["file", "origin", "n_entries", "n_in_corpus"]


def _codebook_rows(kind: str, book: coding.Codebook) -> pd.DataFrame:
    """One codebook's codes in file order with their rule counts (an instrument's group is its type)."""
    t = book.themes.rename(columns={"theme_id": "code_id", "type_zh": "group_zh", "type_en": "group_en"})
    n_rules = pd.Series([r.theme_id for r in book.rules], dtype=object).value_counts()
    return t.assign(kind=kind, n_rules=t["code_id"].map(n_rules).fillna(0).astype(int))[CODEBOOK_COLUMNS]


def _parameter_rows(lex: Lexicon) -> list[tuple[str, str, str]]:
    """(file, name, value) of every name,value parameter, and the doc types of target_cues.csv's two roles."""
    rows = [(coword.FILE, name, str(getattr(lex.coword, name))) for name in coword.PARAMS]
    rows += [("formula_params.csv", name, str(getattr(lex.formula_params, name))) for name in formulas.PARAMS]
    for kind, book in (("theme", lex.codebook), ("instrument", lex.instruments)):
        rows += [(coding.FILES[kind][2], name, str(getattr(book, name)))
                 for name in ("threshold", "max_hits", "fallback")]
    rows += [(pmc.PARAMS, name, value) for name, value in lex.pmc_params.items()]
    rows += [(targets.CUES, f"{role}_doc_type", t) for role in ("reporting", "directive")
             for t in sorted(getattr(lex.cues, role))]
    rows += [(alignment.FILE, name, str(getattr(lex.alignment, name))) for name in alignment.PARAMS]
    return rows


def described(lex: Lexicon, corpus_terms: Iterable[str]) -> dict[str, pd.DataFrame]:
    """The lexicon in use as four tables, so that a notebook shows it without opening a rule file:

    - codebook.csv: the theme and instrument codebooks (kind, code, group or type, labels,
      definition, number of rules);
    - labels.csv: the English labels of the target topics (target_topics.csv), of the learning
      places (learning.csv, roles place and level) and of the PMC main variables;
    - parameters.csv: every name,value parameter and the doc types that target_cues.csv reads as
      reporting or directive;
    - lexicon.csv: each file in use, own or bundled, its entries (the terms of policy_terms.txt, the
      words of stopwords.txt, the patterns of formula_patterns.csv, else the CSV's rows) and, for
      policy_terms.txt, how many of its terms are tokens of the corpus (`corpus_terms`)."""
    learning = pd.read_csv(lex.path(references.FILE), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    places = learning[learning["role"].isin(references.PLACE_ROLES)].drop_duplicates("label")
    variables = lex.pmc_variables.drop_duplicates("variable_id")
    labels = pd.concat([
        pd.DataFrame({"kind": "topic", "id": list(lex.topic_labels), "label_zh": list(lex.topic_labels),
                      "label_en": list(lex.topic_labels.values())}),
        pd.DataFrame({"kind": "place", "id": places["label"], "label_zh": places["label"],
                      "label_en": places["label_en"] if "label_en" in places else ""}),
        pd.DataFrame({"kind": "pmc_variable", "id": variables["variable_id"], "label_zh": variables["variable_zh"],
                      "label_en": variables["variable_en"]})], ignore_index=True)[LABEL_COLUMNS]
    counted = {tokens.TERMS_FILE: len(lex.policy_terms), tokens.STOPWORDS_FILE: len(lex.stopwords),
               "formula_patterns.csv": len(lex.formula_patterns)}
    terms = set(corpus_terms)
    files = pd.DataFrame(
        [{"file": name, "origin": f.origin,
          "n_entries": counted.get(name) if name in counted else
          len(pd.read_csv(f.path, dtype=str, keep_default_na=False, encoding="utf-8-sig")),
          "n_in_corpus": sum(t in terms for t, _, _ in lex.policy_terms) if name == tokens.TERMS_FILE else None}
         for name, f in lex.files.items()], columns=FILE_COLUMNS).astype({"n_in_corpus": "Int64"})
    return {"codebook.csv": pd.concat([_codebook_rows("theme", lex.codebook),
                                       _codebook_rows("instrument", lex.instruments)], ignore_index=True),
            "labels.csv": labels,
            "parameters.csv": pd.DataFrame(_parameter_rows(lex), columns=PARAMETER_COLUMNS),
            "lexicon.csv": files}
