"""Draw the items of the held-out validation corpus of the coders (#26): a sample stratified by
document from both bundled corpora, the five sources and the twelve regulations, general parts and
liability articles included, for blind coding by two coders against the two codebooks.

Per document: up to `GENERAL` general items (kind general: 总体要求, 总则, 附则 …), up to `LIABILITY`
liability articles (法律责任, a regulation's articles.csv part), and substantive items to make
`PER_DOCUMENT`, drawn at random (seeded with `SAMPLE_SEED`); a document with fewer items gives
them all. The items are then shuffled (so their order says nothing about their document) and
numbered; the coders see only `items.csv` (item_id, text). `key.csv` keeps where each item comes
from.

    python tools/heldout_sample.py        # writes data/validation/heldout/items.csv and key.csv
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bizenv_analysis.base.constants import SAMPLE_SEED
from bizenv_analysis.base.paths import DATA, REGULATIONS

PER_DOCUMENT = 19  # 16 documents × 19 + the 10 items of the shortest: over the 300 #26 asks for
GENERAL = 2
LIABILITY = 1
OUT = DATA / "validation" / "heldout"


def stratum(measures: pd.DataFrame, articles: pd.DataFrame | None) -> pd.Series:
    """general, liability or substantive for every item (a law's part where it has one)."""
    out = pd.Series(np.where(measures["kind"] == "general", "general", "substantive"), index=measures.index)
    if articles is not None:
        part = measures["measure_id"].map(articles.set_index("measure_id")["part"])
        out[part == "liability"] = "liability"
        out[part.isin(["general", "supplementary"])] = "general"
    return out


def draw(items: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    picked = []
    for _, doc in items.groupby("source_id", sort=True):
        take = []
        for name, limit in (("general", GENERAL), ("liability", LIABILITY)):
            cell = doc[doc["stratum"] == name]
            take += list(cell.index[np.sort(rng.choice(len(cell), min(limit, len(cell)), replace=False))])
        rest = doc[(doc["stratum"] == "substantive")]
        n = max(0, min(PER_DOCUMENT - len(take), len(rest)))
        take += list(rest.index[np.sort(rng.choice(len(rest), n, replace=False))])
        picked.append(doc.loc[take])
    return pd.concat(picked)


def main() -> None:
    corpora = []
    for corpus, folder in (("sources", DATA), ("regulations", REGULATIONS)):
        measures = pd.read_csv(folder / "processed" / "measures.csv", encoding="utf-8-sig", dtype=str,
                               keep_default_na=False)
        arts = folder / "processed" / "articles.csv"
        articles = pd.read_csv(arts, encoding="utf-8-sig", dtype=str, keep_default_na=False) if arts.is_file() else None
        measures = measures.assign(corpus=corpus, stratum=stratum(measures, articles))
        corpora.append(measures[["measure_id", "source_id", "corpus", "kind", "stratum", "text"]])
    items = pd.concat(corpora, ignore_index=True)
    rng = np.random.default_rng(SAMPLE_SEED)
    sample = draw(items, rng)
    sample = sample.iloc[rng.permutation(len(sample))].reset_index(drop=True)
    sample.insert(0, "item_id", [f"h{i:03d}" for i in range(1, len(sample) + 1)])
    OUT.mkdir(parents=True, exist_ok=True)
    sample[["item_id", "text"]].to_csv(OUT / "items.csv", index=False, lineterminator="\n")
    sample[["item_id", "measure_id", "source_id", "corpus", "kind", "stratum"]].to_csv(
        OUT / "key.csv", index=False, lineterminator="\n")
    counts = sample.groupby(["corpus", "stratum"]).size().to_dict()
    print(f"{len(sample)} items from {sample['source_id'].nunique()} documents {counts} → {OUT}")


if __name__ == "__main__":
    main()
