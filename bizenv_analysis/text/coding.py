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
from functools import partial

import pandas as pd

from ..base.workers import map_ordered
from ..rules.coding import Codebook

THEME_COLUMNS = ["measure_id", "theme_id", "score", "primary"]
SENTENCE_END = re.compile(r"(?<=[。;；!！?？])")


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
