"""Draw the pairs of a measure and its closest frame article that are hand-coded to choose and test
`frame_min` (#25, the sources in the legal frame).

From a build's frame_links.csv (only each measure's closest article of each frame text, rank 1:
the pair the threshold decides on), the build's measures.csv and the frame's articles.csv, seeded
with `SAMPLE_SEED` so that a rerun writes the same files:

- `PER_DECILE` pairs from each decile of the cosine (deciles of the ranks, ties broken by order),
  drawn at random within the decile;
- every pair gets a `pair_id` in a shuffled order, so the id says nothing about the cosine;
- the pairs of each decile are split into the calibration and the held-out half alternately, in a
  seeded random order.

It writes `frame_sample.csv` (pair_id, measure_text, article_text: the texts only, for blind coding)
and `frame_key.csv` (pair_id, measure_id, source_id, article_id, frame_source_id, cosine, decile,
half) into the bundled corpus's validation folder.

    python tools/frame_sample.py FRAME_LINKS.csv MEASURES.csv ARTICLES.csv [OUT_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bizenv_analysis.base.constants import SAMPLE_SEED
from bizenv_analysis.base.paths import DATA

PER_DECILE = 15
N_DECILES = 10
HALVES = ("calibration", "held_out")


def draw(links: pd.DataFrame, seed: int = SAMPLE_SEED) -> pd.DataFrame:
    """The sampled rank-1 pairs with their decile and half, before ids are given."""
    first = links[links["rank"] == 1].reset_index(drop=True)
    order = first["cosine"].rank(method="first").to_numpy() - 1
    first = first.assign(decile=(order * N_DECILES // len(first)).astype(int))
    rng = np.random.default_rng(seed)
    picked = []
    for decile in range(N_DECILES):
        cell = first[first["decile"] == decile]
        take = cell.iloc[np.sort(rng.choice(len(cell), min(PER_DECILE, len(cell)), replace=False))]
        halves = np.resize(np.array(HALVES), len(take))[rng.permutation(len(take))]
        picked.append(take.assign(half=halves))
    return pd.concat(picked, ignore_index=True)


def main(links_path: str, measures_path: str, articles_path: str, out_dir: str | None = None) -> None:
    links = pd.read_csv(links_path, encoding="utf-8-sig")
    text_of = pd.read_csv(measures_path, encoding="utf-8-sig").set_index("measure_id")["text"]
    article_of = pd.read_csv(articles_path, encoding="utf-8-sig").set_index("article_id")["text"]
    sample = draw(links)
    rng = np.random.default_rng(SAMPLE_SEED + 1)
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    sample.insert(0, "pair_id", [f"f{i:03d}" for i in range(1, len(sample) + 1)])
    out = Path(out_dir) if out_dir else DATA / "validation"
    pd.DataFrame({"pair_id": sample["pair_id"], "measure_text": sample["measure_id"].map(text_of),
                  "article_text": sample["article_id"].map(article_of)}).to_csv(
        out / "frame_sample.csv", index=False, lineterminator="\n")
    sample[["pair_id", "measure_id", "source_id", "article_id", "frame_source_id", "cosine", "decile", "half"]].to_csv(
        out / "frame_key.csv", index=False, lineterminator="\n")
    print(f"{len(sample)} pairs → {out / 'frame_sample.csv'}, {out / 'frame_key.csv'}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
