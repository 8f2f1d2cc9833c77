"""Stage 6 (with themes) — policy instruments: which lever each measure pulls.

The codebook is Rothwell & Zegveld's three instrument types (supply, environment, demand) in 13
instruments, kept as data: `data/lexicon/instruments.csv` (ids, type, labels, definitions),
`instrument_rules.csv` (keyword rules) and `instrument_params.csv` (threshold, max_hits,
fallback). The rule engine is the theme coder's (`coding.code_measures`): every measure gets the
instruments whose score reaches the threshold and exactly one primary, the highest-scoring one.

Validation (`validation_table`) compares the rules with the hand coding in `validation/`:
`instruments_coding_a.csv` (coder A, every compared measure), `instruments_coding_b.csv` (coder B,
the held-out measures only, coded without seeing A) and `instruments_sample.csv` (which measures
are `dev`, seen while the rules were written, and which are `holdout`, not seen).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..base.constants import RESERVED_ID
from ..rules.spec import CsvSpec
from ..text import coding
from . import families, inference, shares, validation

INSTRUMENT_COLUMNS = ["measure_id", "instrument_id", "score", "primary"]
CODING_A, CODING_B, SAMPLE = "instruments_coding_a.csv", "instruments_coding_b.csv", "instruments_sample.csv"
VALIDATION_COLUMNS = ["comparison", "split", "metric", "instrument_id", "value", "k", "n", "ci_low", "ci_high",
                      "support", "predicted"]


def code_measures(measures: pd.DataFrame, codebook: coding.Codebook, jobs: int | None = None) -> pd.DataFrame:
    """`instruments.csv`: one row per (measure, instrument used), exactly one primary per measure."""
    coded = coding.code_measures(measures, codebook, jobs)
    return coded.rename(columns={"theme_id": "instrument_id"})[INSTRUMENT_COLUMNS]


def read_coding(path: Path, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """A hand coding (measure_id, primary, instruments `;`-separated, note) as measure_id, primary,
    themes (a sorted list: the form `validation.agreement` reads); checked like a rule file
    (`validation.read_coding`; with `ids`, every code must be one of them)."""
    return validation.read_coding(path, ids, codes="instruments")[["measure_id", "primary", "themes"]]


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
    gold = read_coding(validation_dir / CODING_A, instrument_ids)
    split = validation.read_checked(validation_dir / SAMPLE, SAMPLE_SPEC).set_index("measure_id")["split"]
    rules = _as_coding(coded)
    rows = []
    for name in ("dev", "holdout", "all"):
        ids = set(split.index) if name == "all" else set(split.index[split == name])
        rows += _rows("rules_vs_coder_a", name, validation.agreement(
            gold[gold["measure_id"].isin(ids)], rules[rules["measure_id"].isin(ids)], instrument_ids))
    if (validation_dir / CODING_B).is_file():
        second = read_coding(validation_dir / CODING_B, instrument_ids)
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


SAMPLE_SPEC = CsvSpec(("measure_id", "source_id", "split"), (), ("measure_id", "split"),
                      choices={"split": ("dev", "holdout")}, unique=("measure_id",),
                      why_rows="no coded measure would belong to a split")
GRID_COLUMNS = ["scope", "basis", "type_id", "instrument_id", "group_id", "theme_id", "n", "n_measures", "share"]
TEST_COLUMNS = ["test", "statistic", "p_value", "null_low", "null_high", "n_measures", "unit", "n_units", "n_sources",
                "n_categories", "n_resamples"]


def _ids(codebook: coding.Codebook) -> pd.DataFrame:
    """instrument_id → type_id, in codebook order."""
    return pd.DataFrame({"instrument_id": list(codebook.groups), "type_id": list(codebook.groups.values())})


def grid(levers: pd.DataFrame, coded: pd.DataFrame, measures: pd.DataFrame, instrument_book: coding.Codebook,
         theme_book: coding.Codebook, order: list[str]) -> pd.DataFrame:
    """`instrument_grid.csv`: the field's two-dimensional grid, instrument × reform theme.

    For the whole corpus (`scope` all) and each source: `basis` primary counts each measure once,
    in the cell of its primary instrument and primary theme; `basis` all counts a measure in every
    cell of an instrument it uses and a theme it addresses (once a cell). Every cell is listed,
    zeros included; n_measures is the scope's measures and share = n / n_measures.
    """
    ids = list(measures["measure_id"])
    members = measures.groupby("source_id", sort=False)["measure_id"].agg(list)
    lever_rows = levers[levers["measure_id"].isin(ids)]
    theme_rows = coded[coded["measure_id"].isin(ids)]
    pairs = {"primary": lever_rows[lever_rows["primary"]].merge(theme_rows[theme_rows["primary"]], on="measure_id",
                                                                 suffixes=("_i", "_t")),
             "all": lever_rows.merge(theme_rows, on="measure_id", suffixes=("_i", "_t"))}
    cells = _ids(instrument_book).merge(
        theme_book.themes[["theme_id", "group_id"]], how="cross")[["type_id", "instrument_id", "group_id", "theme_id"]]
    out = []
    for scope in [RESERVED_ID, *order]:
        in_scope = ids if scope == RESERVED_ID else members.get(scope, [])
        for basis, rows in pairs.items():
            rows = rows[rows["measure_id"].isin(in_scope)].drop_duplicates(["measure_id", "instrument_id", "theme_id"])
            counts = rows.groupby(["instrument_id", "theme_id"]).size().rename("n").reset_index()
            table = cells.merge(counts, on=["instrument_id", "theme_id"], how="left").fillna({"n": 0})
            table = table.assign(scope=scope, basis=basis, n=table["n"].astype(int), n_measures=len(in_scope))
            table["share"] = (table["n"] / max(1, len(in_scope))).round(4)
            out.append(table[GRID_COLUMNS])
    return pd.concat(out, ignore_index=True)


def type_shares(levers: pd.DataFrame, measures: pd.DataFrame, instrument_book: coding.Codebook,
                order: list[str], n_resamples: int = 0, tested: list[str] | None = None) -> pd.DataFrame:
    """`type_profiles.csv`: per source × instrument type, the share of measures using it and the
    share whose primary instrument is of that type, with the intervals and tests of
    `shares.share_tests` (as `shares.group_shares` does for theme groups)."""
    typed = levers.merge(_ids(instrument_book), on="instrument_id")
    types = list(dict.fromkeys(instrument_book.themes["group_id"]))
    ids = list(measures["measure_id"])
    return shares.shares_table(shares.indicator(typed, ids, types, "type_id"),
                               shares.indicator(typed, ids, types, "type_id", primary_only=True),
                               types, measures, order, "type_id", n_resamples, tested)


def mix_tests(levers: pd.DataFrame, measures: pd.DataFrame, instrument_book: coding.Codebook,
              n_resamples: int) -> pd.DataFrame:
    """`instrument_tests.csv`: does the mix of primary instrument types (and of primary instruments)
    differ between sources? The χ² of the source × category table against random splits of the
    sources' headings, each source's number of headings kept (`shares.mix_test`: most cells
    expect fewer than five measures, so no χ² p-value); null_low/high is the central 95% of the
    statistic under the null; unit and n_units name what was shuffled."""
    primary = levers[levers["primary"]].merge(_ids(instrument_book), on="instrument_id").set_index("measure_id")
    m = measures[measures["measure_id"].isin(primary.index)]
    rows = []
    for test, column in (("primary_type_mix", "type_id"), ("primary_instrument_mix", "instrument_id")):
        cats = primary.loc[m["measure_id"], column].to_numpy()
        units = inference.units_of(m)
        res = shares.mix_test(cats, m["source_id"].to_numpy(), n_resamples, units=units)
        low, high = res.null_range()
        rows.append({"test": test, "statistic": round(float(res.statistic), 4), "p_value": float(f"{res.p_value:.3g}"),
                     "null_low": round(float(low), 4), "null_high": round(float(high), 4), "n_measures": len(m),
                     "unit": families.UNIT, "n_units": len(set(units)),
                     "n_sources": m["source_id"].nunique(), "n_categories": len(set(cats)),
                     "n_resamples": n_resamples})
    return pd.DataFrame(rows, columns=TEST_COLUMNS)
