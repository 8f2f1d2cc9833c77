"""Stage 6 (with themes) — policy instruments: which lever each measure pulls.

The codebook is Rothwell & Zegveld's three instrument types (supply, environment, demand) in 13
instruments, kept as data: `data/lexicon/instruments.csv` (ids, type, labels, definitions),
`instrument_rules.csv` (keyword rules) and `instrument_params.csv` (threshold, max_hits,
fallback). The rule engine is the theme coder's (`themes.code_measures`): every measure gets the
instruments whose score reaches the threshold and exactly one primary, the highest-scoring one.

Validation (`validation_table`) compares the rules with the hand coding in `validation/`:
`instruments_coding_a.csv` (coder A, every compared measure), `instruments_coding_b.csv` (coder B,
the held-out measures only, coded without seeing A) and `instruments_sample.csv` (which measures
are `dev`, seen while the rules were written, and which are `holdout`, not seen).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from . import themes, validation

INSTRUMENT_COLUMNS = ["measure_id", "instrument_id", "score", "primary"]
CODING_A, CODING_B, SAMPLE = "instruments_coding_a.csv", "instruments_coding_b.csv", "instruments_sample.csv"
VALIDATION_COLUMNS = ["comparison", "split", "metric", "instrument_id", "value", "k", "n", "ci_low", "ci_high",
                      "support", "predicted"]


def code_measures(measures: pd.DataFrame, codebook: themes.Codebook, jobs: int | None = None) -> pd.DataFrame:
    """`instruments.csv`: one row per (measure, instrument used), exactly one primary per measure."""
    coded = themes.code_measures(measures, codebook, jobs)
    return coded.rename(columns={"theme_id": "instrument_id"})[INSTRUMENT_COLUMNS]


def read_coding(path: Path) -> pd.DataFrame:
    """A hand coding (measure_id, primary, instruments `;`-separated, note) as measure_id, primary,
    themes (a sorted list: the form `validation.agreement` reads)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["themes"] = df["instruments"].str.split(";").apply(lambda xs: sorted(x for x in xs if x))
    return df[["measure_id", "primary", "themes"]]


def _as_coding(coded: pd.DataFrame) -> pd.DataFrame:
    sets = coded.groupby("measure_id")["instrument_id"].apply(sorted)
    primary = coded[coded["primary"]].set_index("measure_id")["instrument_id"]
    return pd.DataFrame({"measure_id": sets.index, "primary": primary.reindex(sets.index).to_numpy(),
                         "themes": sets.to_numpy()})


def _rows(comparison: str, split: str, result: dict[str, pd.DataFrame]) -> list[dict]:
    rows = [{"comparison": comparison, "split": split, "instrument_id": "", **r}
            for r in result["summary"].to_dict("records")]
    rows += [{"comparison": comparison, "split": split, "metric": metric, "instrument_id": r["theme_id"],
              "value": r[metric], "support": r["support"], "predicted": r["predicted"]}
             for r in result["per_theme"].to_dict("records") for metric in ("precision", "recall", "f1")]
    return rows


def validation_table(coded: pd.DataFrame, validation_dir: Path, instrument_ids: list[str]) -> pd.DataFrame | None:
    """`instrument_validation.csv`, or None when the corpus has no instrument coding.

    Rows: the rules against coder A on each split (`dev`, `holdout`, `all`) and coder B against
    coder A on the held-out measures (their agreement, the ceiling a coder can be held to): the
    summary metrics of `validation.agreement` (primary accuracy with its Wilson interval, Cohen's
    kappa of the primaries, micro and macro F1 …), then precision, recall and F1 per instrument
    with its support (measures coder A gave it) and how often it was predicted.
    """
    if not (validation_dir / CODING_A).is_file() or not (validation_dir / SAMPLE).is_file():
        return None
    gold = read_coding(validation_dir / CODING_A)
    split = pd.read_csv(validation_dir / SAMPLE, dtype=str, keep_default_na=False).set_index("measure_id")["split"]
    rules = _as_coding(coded)
    rows = []
    for name in ("dev", "holdout", "all"):
        ids = set(split.index) if name == "all" else set(split.index[split == name])
        rows += _rows("rules_vs_coder_a", name, validation.agreement(
            gold[gold["measure_id"].isin(ids)], rules[rules["measure_id"].isin(ids)], instrument_ids))
    if (validation_dir / CODING_B).is_file():
        second = read_coding(validation_dir / CODING_B)
        held = set(split.index[split == "holdout"])
        rows += _rows("coder_b_vs_coder_a", "holdout", validation.agreement(
            gold[gold["measure_id"].isin(held)], second[second["measure_id"].isin(held)], instrument_ids))
    out = pd.DataFrame(rows).reindex(columns=VALIDATION_COLUMNS)
    out["instrument_id"] = out["instrument_id"].fillna("")
    for col in ("value", "ci_low", "ci_high"):
        out[col] = pd.to_numeric(out[col]).round(4)
    for col in ("k", "n", "support", "predicted"):
        out[col] = pd.to_numeric(out[col]).astype("Int64")
    return out
