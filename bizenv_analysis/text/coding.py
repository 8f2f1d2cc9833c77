"""Stage 6 — themes: code every measure with the codebook's themes, by rules kept as data.

`data/lexicon/themes.csv` lists the 17 themes (ids, groups, labels, definitions);
`data/lexicon/theme_rules.csv` holds the keyword rules: a regex, the field it reads (`text`
sentences, the measure's `title`, or its `kind`), a weight and an optional exclusion regex
that cancels a hit in the same sentence. `data/lexicon/theme_params.csv` holds the
assignment threshold, the most hits a rule counts (`max_hits`) and the fallback theme. A theme
is assigned when its score reaches the threshold; the primary theme is the highest-scoring one,
or the fallback when every score is 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path

import pandas as pd

from ..base.workers import map_ordered

THEME_COLUMNS = ["measure_id", "theme_id", "score", "primary"]
SENTENCE_END = re.compile(r"(?<=[。;；!！?？])")


@dataclass(frozen=True)
class Rule:
    theme_id: str
    field: str  # text | title | kind
    pattern: re.Pattern
    weight: float
    exclude: re.Pattern | None
    # `pattern` without its zero-width assertions: whatever `pattern` finds in a sentence,
    # this finds in the whole text, so a miss on the text rules out every sentence at once.
    prefilter: re.Pattern | None = None


_ASSERTION_OPEN = ("(?=", "(?!", "(?<=", "(?<!")


def _group_end(pattern: str, start: int) -> int:
    """Index just after the `)` closing the group that opens at `start`."""
    depth, i = 0, start
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = _class_end(pattern, i)
            continue
        depth += {"(": 1, ")": -1}.get(c, 0)
        i += 1
        if depth == 0:
            return i
    raise ValueError(f"unbalanced group in {pattern!r}")


def _class_end(pattern: str, start: int) -> int:
    """Index just after the `]` closing the character class that opens at `start`."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def strip_assertions(pattern: str) -> str:
    """The regex without lookarounds, anchors and word boundaries (it matches at least as much)."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1:i + 2] not in ("b", "B", "A", "Z"):
                out.append(pattern[i:i + 2])
            i += 2
        elif c == "[":
            end = _class_end(pattern, i)
            out.append(pattern[i:end])
            i = end
        elif pattern.startswith(_ASSERTION_OPEN, i):
            i = _group_end(pattern, i)
        elif c in "^$":
            i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


@dataclass(frozen=True)
class Codebook:
    """Themes, their rules and the coder's parameters."""

    themes: pd.DataFrame
    rules: tuple[Rule, ...]
    threshold: float
    max_hits: int
    fallback: str

    @cached_property
    def theme_ids(self) -> list[str]:
        return list(self.themes["theme_id"])

    @cached_property
    def groups(self) -> dict[str, str]:
        """Each code's group (a theme's 环境 group; an instrument's type)."""
        return dict(zip(self.themes["theme_id"], self.themes["group_id"], strict=True))

    @cached_property
    def rank(self) -> dict[str, int]:
        """Each theme's position in the codebook (ties between scores go to the earlier theme)."""
        return {t: i for i, t in enumerate(self.theme_ids)}


def codebook_from_frames(themes: pd.DataFrame, rules: pd.DataFrame, params: pd.DataFrame) -> Codebook:
    """The codebook from the rows of themes.csv, theme_rules.csv and theme_params.csv (all cells strings).

    The build reads and checks the three files through `bizenv_analysis.rules.lexicon.Lexicon` (`.codebook`).
    """
    p = dict(zip(params["name"], params["value"], strict=True))
    known = set(themes["theme_id"])
    unknown = sorted(set(rules["theme_id"]) - known)
    if unknown:
        raise ValueError(f"theme_rules.csv names unknown theme ids: {unknown}")
    exclude = rules["exclude"] if "exclude" in rules else [""] * len(rules)
    field = rules["field"] if "field" in rules else [""] * len(rules)
    built = tuple(
        Rule(theme_id, fld or "text", re.compile(pattern), float(weight),
             re.compile(exc) if exc else None, re.compile(strip_assertions(pattern)))
        for theme_id, fld, pattern, weight, exc in zip(rules["theme_id"], field, rules["pattern"], rules["weight"],
                                                        exclude, strict=True)
    )
    return Codebook(themes, built, float(p["threshold"]), int(p["max_hits"]), p["fallback"])


def load_codebook(themes: Path, rules: Path | None = None, params: Path | None = None) -> Codebook:
    """Read the codebook from `themes` (themes.csv), `rules` (theme_rules.csv) and `params` (theme_params.csv).

    Each path may also be a folder holding that file (the older form `load_codebook(lexicon_dir,
    rules_dir)`: themes.csv from the first folder, theme_rules.csv and theme_params.csv from the
    second, by default the first). Files are checked like a build's (`errors.BuildError` on a problem).
    """
    from ..rules.lexicon import read_codebook

    themes = Path(themes)
    themes_csv = themes / "themes.csv" if themes.is_dir() else themes
    rules = Path(rules) if rules is not None else themes_csv.parent
    rules_csv = rules / "theme_rules.csv" if rules.is_dir() else rules
    params = Path(params) if params is not None else rules_csv.parent
    params_csv = params / "theme_params.csv" if params.is_dir() else params
    return read_codebook(themes_csv, rules_csv, params_csv)


def sentences(text: str) -> list[str]:
    """Sentences of a measure (split after 。 ; ! ?, and at line breaks)."""
    return [s for line in text.split("\n") for s in SENTENCE_END.split(line) if s.strip()]


def score_measure(title: str, text: str, kind: str, cb: Codebook) -> dict[str, float]:
    """Score of every theme for one measure (0 where no rule fires)."""
    sents = sentences(text)
    scores = dict.fromkeys(cb.theme_ids, 0.0)
    for rule in cb.rules:
        if rule.field == "kind":
            hits = int(bool(rule.pattern.fullmatch(kind)))
        elif rule.field == "title":
            hits = int(bool(rule.pattern.search(title)) and not
                       (rule.exclude and rule.exclude.search(title)))
        elif rule.prefilter is not None and not rule.prefilter.search(text):
            hits = 0
        else:
            hits = sum(1 for s in sents
                       if rule.pattern.search(s) and not (rule.exclude and rule.exclude.search(s)))
        scores[rule.theme_id] += rule.weight * min(hits, cb.max_hits)
    return scores


def assign(scores: dict[str, float], cb: Codebook) -> tuple[list[str], str]:
    """Assigned themes (codebook order) and the primary one."""
    order = cb.rank
    ranked = sorted(scores, key=lambda t: (-scores[t], order[t]))
    best = ranked[0]
    primary = best if scores[best] > 0 else cb.fallback
    chosen = {t for t in ranked if scores[t] >= cb.threshold} | {primary}
    return sorted(chosen, key=order.get), primary


def _code_one(item: tuple[str, str, str], cb: Codebook) -> tuple[dict[str, float], list[str], str]:
    scores = score_measure(*item, cb)
    return (scores, *assign(scores, cb))


# Below this many measures, starting workers costs more than it saves.
PARALLEL_MIN = 1000


def code_measures(measures: pd.DataFrame, cb: Codebook, jobs: int | None = None) -> pd.DataFrame:
    """`themes.csv`: one row per (measure, assigned theme), exactly one primary per measure."""
    items = list(zip(measures["title"], measures["text"], measures["kind"], strict=True))
    coded = map_ordered(partial(_code_one, cb=cb), items, jobs, min_items=PARALLEL_MIN)
    rows = [{"measure_id": mid, "theme_id": t, "score": round(scores[t], 3), "primary": t == primary}
            for mid, (scores, chosen, primary) in zip(measures["measure_id"], coded, strict=True)
            for t in chosen]
    return pd.DataFrame(rows, columns=THEME_COLUMNS)
