"""Draw the pairs of articles that are hand-coded to validate the article alignment (#25 item 4).

From a links table (links.csv of `text.reuse.links_table`) and the articles it was built from
(article_id, source_id, part, text), seeded with `SAMPLE_SEED` so that a rerun writes the same files:

- `PER_DECILE` candidate links from each of the ten deciles of score_norm (deciles of the links'
  ranks, ties broken by link order), drawn at random within the decile;
- `N_NON_CANDIDATES` pairs of articles of two different documents with the same part that are not
  in the links table at all, drawn at random (what shingling misses before alignment);
- every pair gets a `pair_id` in a shuffled order, so the id says nothing about the score;
- the pairs of each decile (and the non-candidates) are split into the calibration and the
  held-out half alternately, in a seeded random order.

It writes `alignment_sample.csv` (pair_id, text_a, text_b: the texts only, no score, no source,
for blind coding) and `alignment_key.csv` (pair_id, link_id, article_a, article_b, source_a,
source_b, scope, candidate, score_norm, decile, half).

    python tools/alignment_sample.py LINKS.csv ARTICLES.csv [OUT_DIR]   # OUT_DIR: data/regulations/validation
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bizenv_analysis.base.constants import SAMPLE_SEED
from bizenv_analysis.base.paths import REGULATIONS

PER_DECILE = 15
N_DECILES = 10
N_NON_CANDIDATES = 30
HALVES = ("calibration", "held_out")
SAMPLE_COLUMNS = ["pair_id", "text_a", "text_b"]
KEY_COLUMNS = ["pair_id", "link_id", "article_a", "article_b", "source_a", "source_b", "scope", "candidate",
               "score_norm", "decile", "half"]


def _halves(n: int, rng: np.random.Generator) -> list[str]:
    """calibration, held_out, calibration, … over a random order of n pairs."""
    order = rng.permutation(n)
    out = [""] * n
    for k, i in enumerate(order):
        out[i] = HALVES[k % 2]
    return out


def candidate_sample(links: pd.DataFrame, rng: np.random.Generator, per_decile: int = PER_DECILE) -> pd.DataFrame:
    """`per_decile` links drawn from each decile of score_norm (all of a decile that has fewer), with
    their decile (1 = lowest) and half."""
    ranks = links["score_norm"].rank(method="first")
    deciles = np.ceil(ranks * N_DECILES / len(links)).astype(int).clip(1, N_DECILES)
    parts = []
    for d in range(1, N_DECILES + 1):
        pool = links[deciles == d]
        picked = pool.iloc[np.sort(rng.choice(len(pool), min(per_decile, len(pool)), replace=False))]
        parts.append(picked.assign(decile=d, half=_halves(len(picked), rng), candidate=True))
    return pd.concat(parts, ignore_index=True)


def non_candidates(links: pd.DataFrame, articles: pd.DataFrame, rng: np.random.Generator,
                   n: int = N_NON_CANDIDATES) -> pd.DataFrame:
    """n random pairs of articles of two different documents and the same part, none of them a
    link (either way round); fewer if the articles have fewer such pairs."""
    linked = set(zip(links["article_a"], links["article_b"], strict=True))
    ids, sources, parts = (articles[c].to_numpy() for c in ("article_id", "source_id", "part"))
    chosen: list[tuple[int, int]] = []
    for _ in range(1000 * n):  # rejection sampling; a corpus with too few pairs gives fewer
        if len(chosen) == n:
            break
        i, j = sorted(int(x) for x in rng.choice(len(articles), 2, replace=False))
        if (sources[i] == sources[j] or parts[i] != parts[j] or (ids[i], ids[j]) in linked
                or (ids[j], ids[i]) in linked or (i, j) in chosen):
            continue
        chosen.append((i, j))
    rows = pd.DataFrame({"link_id": "", "article_a": [ids[i] for i, _ in chosen],
                         "article_b": [ids[j] for _, j in chosen], "source_a": [sources[i] for i, _ in chosen],
                         "source_b": [sources[j] for _, j in chosen], "scope": "", "candidate": False,
                         "score_norm": np.nan, "decile": 0})
    return rows.assign(half=_halves(len(rows), rng))


def draw(links: pd.DataFrame, articles: pd.DataFrame, seed: int = SAMPLE_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(alignment_sample, alignment_key) for the links and articles given."""
    rng = np.random.default_rng(seed)
    key = pd.concat([candidate_sample(links, rng), non_candidates(links, articles, rng)], ignore_index=True)
    key = key.iloc[rng.permutation(len(key))].reset_index(drop=True)
    width = max(3, len(str(len(key))))
    key["pair_id"] = [f"p{k + 1:0{width}d}" for k in range(len(key))]
    text = dict(zip(articles["article_id"], articles["text"], strict=True))
    sample = pd.DataFrame({"pair_id": key["pair_id"], "text_a": key["article_a"].map(text),
                           "text_b": key["article_b"].map(text)})
    return sample[SAMPLE_COLUMNS], key[KEY_COLUMNS]


def main(argv: list[str]) -> None:
    links = pd.read_csv(argv[0], dtype={"article_a": str, "article_b": str}, keep_default_na=False,
                        na_values={"score_norm": [""]})
    articles = pd.read_csv(argv[1], dtype=str, keep_default_na=False)
    out = Path(argv[2]) if len(argv) > 2 else REGULATIONS / "validation"
    sample, key = draw(links, articles)
    out.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out / "alignment_sample.csv", index=False, lineterminator="\n")
    key.to_csv(out / "alignment_key.csv", index=False, lineterminator="\n")
    print(f"{int(key['candidate'].sum())} candidate links and {int((~key['candidate']).sum())} non-candidate pairs "
          f"→ {out / 'alignment_sample.csv'}, {out / 'alignment_key.csv'}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__.rsplit("\n\n", 1)[1])
    main(sys.argv[1:])
