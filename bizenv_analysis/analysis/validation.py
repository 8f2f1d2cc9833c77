"""The validation sample of the theme coder: drawing it, and scoring the coder against it.

The reference codings in `data/validation/` (coder A, coder B) were made by the project's
authors, AI coding-assistant sessions working as coders against the codebook, one reading each;
they are not independent expert codings. No measure is a held-out test set: the round-2
measures were read, and the coder's output and scores on them were on record, while the rules
were still being written (`data/validation/README.md`). What is scored here is therefore
development-set agreement, reported by the round in which a measure was coded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    precision_recall_fscore_support,
)
from sklearn.preprocessing import MultiLabelBinarizer

from ..base import constants
from ..base.errors import BuildError
from ..base.order import sort_by_ids
from ..io.sources import not_a_regular_file
from ..rules.spec import CsvSpec, read_rows
from .inference import wilson

SAMPLE_SEED = constants.SAMPLE_SEED
# Macro-F1 averages per-theme F1 only over themes coder A gave to at least this many measures of
# the split: an F1 resting on one to four measures says little, yet would weigh like any other.
MIN_SUPPORT = 5
# The `split` values of sample.csv, named in the output for what happened to the measures:
# `dev` is the round-1 sample, whose codes the rules were tuned on in both rounds; `holdout` are
# the measures coded in round 2, which were not held out (see the module docstring).
SAMPLE_SPLITS = {"dev": "round1_sample", "holdout": "round2"}
ROUND2 = "round2"
SUMMARY_COLUMNS = ["comparison", "split", "metric", "value", "k", "n", "ci_low", "ci_high"]


def draw_sample(measures: pd.DataFrame, fraction: float = 0.53, seed: int = SAMPLE_SEED
                ) -> pd.DataFrame:
    """A sample stratified by source (about `fraction` of each), split alternately dev/holdout.

    Within each source the drawn measures are shuffled once with a fixed seed; odd draws (1st,
    3rd, …) go to `dev` (rules may be tuned on them), even draws to `holdout` (coded in round 2;
    not in fact held out: see the module docstring).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for sid, grp in sort_by_ids(measures, ["measure_id"]).groupby("source_id", sort=True):
        n = max(2, round(len(grp) * fraction))
        picked = grp.iloc[rng.permutation(len(grp))[:n]]
        for i, mid in enumerate(picked["measure_id"]):
            rows.append({"measure_id": mid, "source_id": sid,
                         "split": "dev" if i % 2 == 0 else "holdout"})
    return sort_by_ids(pd.DataFrame(rows), ["measure_id"], ignore_index=True)


def coding_spec(codes: str = "themes") -> CsvSpec:
    """What a hand coding must hold: measure_id, primary, the codes (`codes`: themes or
    instruments, `;`-separated), an optional note; one row per measure."""
    return CsvSpec(("measure_id", "primary", codes), ("note",), ("measure_id", "primary"), unique=("measure_id",),
                   why_rows="there would be no coded measure to score the coder against")


SAMPLE_SPEC = CsvSpec(("measure_id", "source_id", "split"), ("round1_split",), ("measure_id", "split"),
                      choices={"split": tuple(SAMPLE_SPLITS), "round1_split": ("", *SAMPLE_SPLITS)},
                      unique=("measure_id",), why_rows="no coded measure would belong to a split")


def read_checked(path: Path, spec: CsvSpec, needed_by: str = "") -> pd.DataFrame:
    """A validation table checked like a rule file (`rules.spec.read_rows`); BuildError when it is
    missing (naming the file `needed_by` that needs it) or a row is bad."""
    if not path.is_file():
        what = not_a_regular_file(path)
        raise BuildError((f"is {what}, not a regular file" if what else "not found")
                         + (f" ({needed_by} needs it beside it)" if needed_by else ""), path,
                         f"add it as a CSV file (columns {','.join(spec.required)}), see data/validation/README.md")
    return read_rows(path, spec).frame()


def read_coding(path: Path, ids: Iterable[str] | None = None, codes: str = "themes") -> pd.DataFrame:
    """A coding file (measure_id, primary, themes `;`-separated, note), checked (`coding_spec`);
    with `ids`, every primary and code must be one of them. The codes come back as sorted lists
    under `themes`."""
    spec = coding_spec(codes)
    rows = read_rows(path, spec)
    known = set(ids) if ids is not None else None
    for line, row in rows.rows:
        listed = [c.strip() for c in row[codes].split(";") if c.strip()]
        unknown = [c for c in [row["primary"], *listed] if known is not None and c not in known]
        if unknown:
            raise BuildError(f"line {line}: {unknown[0]!r} is not a code of the codebook", path,
                             f"use the ids of the codebook ({codes}.csv of the lexicon) in primary and {codes}")
    df = rows.frame()
    df["themes"] = df[codes].str.split(";").apply(lambda ts: sorted(t.strip() for t in ts if t.strip()))
    return df


def read_gold(validation_dir: Path, ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Coder A's codings of every round (`coding_a*.csv`), one row per measure (`read_coding`)."""
    return pd.concat([read_coding(p, ids) for p in sorted(validation_dir.glob("coding_a*.csv"))],
                     ignore_index=True)


def predicted_sets(themes: pd.DataFrame) -> pd.DataFrame:
    """The coder's output (themes.csv rows) as one row per measure: primary and theme list."""
    prim = themes[themes["primary"]].set_index("measure_id")["theme_id"].rename("primary")
    sets = themes.groupby("measure_id")["theme_id"].apply(sorted).rename("themes")
    return pd.concat([prim, sets], axis=1).reset_index()


def split_ids(sample: pd.DataFrame) -> dict[str, set[str]]:
    """Measure ids of each reported split of `sample.csv` (columns split, round1_split).

    - `round1_sample`: `split = dev`, the round-1 sample; the rules were tuned on coder A's codes
      of these measures (in round 1 on its dev half, in round 2 on all of it).
    - `round2`: `split = holdout`, the measures coded in round 2. Not held out: their texts and
      the round-1 coder's output on them were read while the rules were written.
    - `all`: both.
    - `round1_holdout`: `round1_split = holdout`, the half of the round-1 sample the round-1 rules
      were not tuned on (by the project's own record).
    """
    ids = {name: set(sample.loc[sample["split"] == value, "measure_id"]) for value, name in SAMPLE_SPLITS.items()}
    ids["all"] = set().union(*ids.values())
    if "round1_split" in sample:
        ids["round1_holdout"] = set(sample.loc[sample["round1_split"] == "holdout", "measure_id"])
    return ids


def _proportion(metric: str, value: float, k: int, n: int) -> tuple[str, float, int, int, float, float]:
    lo, hi = wilson(k, n)
    return (metric, value, k, n, lo, hi)


def _kappa(gold: pd.Series, pred: pd.Series, labels: list[str]) -> float:
    """Cohen's kappa of two primary codings; NaN, without a warning, when it is undefined (one label only)."""
    if len(set(gold) | set(pred)) < 2:
        return float("nan")
    return float(cohen_kappa_score(gold, pred, labels=labels))


def agreement(gold: pd.DataFrame, pred: pd.DataFrame, theme_ids: list[str],
              min_support: int = MIN_SUPPORT) -> dict[str, pd.DataFrame]:
    """Agreement of `pred` with `gold`: summary metrics, per-theme P/R/F1, confusion of primaries, pairs.

    Returns {"summary", "per_theme", "confusion", "pairs"}; "pairs" is the merged gold/pred rows
    (one per shared measure; shared columns suffixed _gold and _pred).

    `gold` and `pred` have measure_id, primary and themes (lists); only shared measures count.
    The summary has columns metric, value, k, n, ci_low, ci_high:

    - `primary_accuracy` and `exact_set_match` (same primary; same theme set) are proportions of
      measures: k agreeing of n, with a 95% Wilson interval (`inference.wilson`).
    - `macro_f1`: mean per-theme F1 over the themes with gold support >= `min_support` (n = their
      number; NaN if none); `macro_f1_all_themes`: over every theme in gold or `pred` (n likewise).
    - `n_measures`, `primary_kappa` and the micro (pooled over labels) precision, recall and F1 have
      no k, n or interval: labels of one measure are not independent trials.

    The per-theme table has theme_id, precision, recall, f1, support (gold measures with the
    theme), predicted and `in_macro_f1`.
    """
    both = gold.merge(pred, on="measure_id", suffixes=("_gold", "_pred"))
    mlb = MultiLabelBinarizer(classes=theme_ids)
    yg, yp = mlb.fit_transform(both["themes_gold"]), mlb.transform(both["themes_pred"])
    p, r, f, s = precision_recall_fscore_support(yg, yp, zero_division=0)
    per_theme = pd.DataFrame({"theme_id": theme_ids, "precision": p, "recall": r, "f1": f,
                              "support": s, "predicted": yp.sum(axis=0)})
    per_theme["in_macro_f1"] = per_theme["support"] >= min_support
    present = per_theme["support"] + per_theme["predicted"] > 0
    micro = precision_recall_fscore_support(yg, yp, average="micro", zero_division=0)
    n = len(both)
    k_primary = int((both["primary_gold"] == both["primary_pred"]).sum())
    k_exact = int(sum(a == b for a, b in zip(both["themes_gold"], both["themes_pred"], strict=True)))
    macro = per_theme.loc[per_theme["in_macro_f1"], "f1"]
    macro_all = per_theme.loc[present, "f1"]
    none = (None, None, None, None)
    summary = pd.DataFrame([
        ("n_measures", n, *none),
        _proportion("primary_accuracy", accuracy_score(both["primary_gold"], both["primary_pred"]), k_primary, n),
        ("primary_kappa", _kappa(both["primary_gold"], both["primary_pred"], theme_ids), *none),
        ("micro_precision", micro[0], *none), ("micro_recall", micro[1], *none), ("micro_f1", micro[2], *none),
        ("macro_f1", float(macro.mean()) if len(macro) else float("nan"), None, len(macro), None, None),
        ("macro_f1_all_themes", float(macro_all.mean()), None, len(macro_all), None, None),
        _proportion("exact_set_match", k_exact / n if n else float("nan"), k_exact, n),
    ], columns=["metric", "value", "k", "n", "ci_low", "ci_high"])
    summary = summary.astype({"value": float, "k": "Int64", "n": "Int64", "ci_low": float, "ci_high": float})
    labels = [t for t in theme_ids if t in set(both["primary_gold"]) | set(both["primary_pred"])]
    counts = (confusion_matrix(both["primary_gold"], both["primary_pred"], labels=labels) if len(labels) > 1
              else np.full((len(labels), len(labels)), len(both)))  # sklearn warns on a 1 x 1 matrix
    confusion = pd.DataFrame(counts, index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="coder"))
    return {"summary": summary, "per_theme": per_theme, "confusion": confusion, "pairs": both}


def validation_tables(themes: pd.DataFrame, validation_dir: Path, theme_ids: list[str],
                      round1_themes: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """`validation_summary.csv`, `validation_per_theme.csv`, `validation_confusion.csv`.

    Gold = coder A (`coding_a.csv` for the round-1 sample, `coding_a_round2.csv` for round 2).
    Splits (`split_ids`): `round1_sample`, `round2`, `all`, `round1_holdout`. Every figure is
    development-set agreement: the rules were tuned on the round-1 sample's codes, and the
    round-2 measures were read, with the coder's output on them, while the rules were written.
    Comparisons: `coder_vs_gold` (the current rules) on `round1_sample`, `round2` and `all`;
    `coder_b_vs_gold`, a second reading of the round-1 sample by the same kind of coder as A
    (its independence from A cannot be established); and `round1_rules_vs_gold`, the frozen
    round-1 rules (`round1_themes`) on `round1_holdout`. Metrics and columns as in `agreement`;
    per-theme rows and the confusion of primaries are those of `coder_vs_gold` (confusion: `round2`).
    """
    sample = read_checked(validation_dir / "sample.csv", SAMPLE_SPEC, "coding_a.csv")
    gold = read_gold(validation_dir, theme_ids)
    pred = predicted_sets(themes)
    ids = split_ids(sample)
    runs = [("coder_vs_gold", split, pred) for split in ("round1_sample", ROUND2, "all")]
    if (validation_dir / "coding_b.csv").is_file():  # a second reading is optional
        runs.append(("coder_b_vs_gold", "round1_sample", read_coding(validation_dir / "coding_b.csv", theme_ids)))
    if round1_themes is not None:
        runs.append(("round1_rules_vs_gold", "round1_holdout", predicted_sets(round1_themes)))
    summaries, per_theme = [], []
    confusion = pd.DataFrame(columns=["gold", "coder", "n"])
    for comparison, split, other in runs:
        g = gold[gold["measure_id"].isin(ids.get(split, set()))]
        if g.empty:
            continue
        res = agreement(g, other[other["measure_id"].isin(ids[split])], theme_ids)
        summaries.append(res["summary"].assign(split=split, comparison=comparison))
        if comparison == "coder_vs_gold":
            per_theme.append(res["per_theme"].assign(split=split))
            if split == ROUND2:
                confusion = res["confusion"].reset_index().melt(id_vars="gold", var_name="coder",
                                                                value_name="n")
    summary = pd.concat(summaries)[SUMMARY_COLUMNS]
    # six decimals, so that a figure shown to three is not rounded twice
    summary[["value", "ci_low", "ci_high"]] = summary[["value", "ci_low", "ci_high"]].round(6)
    pt = pd.concat(per_theme)[["split", "theme_id", "precision", "recall", "f1", "support", "predicted",
                               "in_macro_f1"]]
    pt[["precision", "recall", "f1"]] = pt[["precision", "recall", "f1"]].round(4)
    return {"validation_summary.csv": summary.reset_index(drop=True),
            "validation_per_theme.csv": pt.reset_index(drop=True),
            "validation_confusion.csv": confusion[confusion["n"] > 0].reset_index(drop=True)}


def format_proportion(row: pd.Series) -> str:
    """A summary row of a proportion as 'k/n = 0.929 (95% CI 0.83–0.97)' (read back or built).

    Needs a proportion row with k, n, ci_low and ci_high filled (not n_measures, kappa, micro or macro rows).
    """
    return (f"{int(row['k'])}/{int(row['n'])} = {float(row['value']):.3f} "
            f"(95% CI {float(row['ci_low']):.2f}–{float(row['ci_high']):.2f})")


def overview(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per comparison and split of `validation_summary.csv` (built or read back), as text.

    Proportions are written k/n with their 95% Wilson interval; macro-F1 with the number of themes
    it averages over (support >= MIN_SUPPORT, and all themes).
    """
    def num(m: pd.DataFrame, metric: str, col: str = "value") -> float:
        return float(m.loc[metric, col])

    rows = []
    for (comparison, split), g in summary.groupby(["comparison", "split"], sort=False):
        m = g.set_index("metric")
        rows.append({
            "comparison": comparison, "split": split, "measures": int(num(m, "n_measures")),
            "primary theme agrees": format_proportion(m.loc["primary_accuracy"]),
            "same theme set": format_proportion(m.loc["exact_set_match"]),
            "Cohen's κ (primary)": f"{num(m, 'primary_kappa'):.3f}",
            "micro-F1": f"{num(m, 'micro_f1'):.3f}",
            f"macro-F1 (support ≥ {MIN_SUPPORT})": f"{num(m, 'macro_f1'):.3f} ({int(num(m, 'macro_f1', 'n'))} themes)",
            "macro-F1 (all themes)": f"{num(m, 'macro_f1_all_themes'):.3f} "
                                     f"({int(num(m, 'macro_f1_all_themes', 'n'))} themes)",
        })
    return pd.DataFrame(rows)


def small_support(per_theme: pd.DataFrame, split: str = ROUND2) -> pd.DataFrame:
    """Themes of `validation_per_theme.csv` left out of macro-F1 in `split` (support below MIN_SUPPORT)."""
    rows = per_theme[(per_theme["split"] == split) & (per_theme["support"] < MIN_SUPPORT)]
    return rows.sort_values(["support", "theme_id"])[["theme_id", "support", "predicted", "f1"]].reset_index(drop=True)


def disagreements(gold: pd.DataFrame, themes: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The measures of `ids` whose coded theme set differs from coder A's (`read_gold`), with both codings.

    Columns measure_id, primary (A), coder_primary, gold_themes, coder_themes, added (themes the
    coder gave and A did not), missed (themes A gave and the coder did not), all `;`-joined, and
    `primary_differs`.
    """
    pairs = gold[gold["measure_id"].isin(ids)].merge(predicted_sets(themes), on="measure_id",
                                                      suffixes=("", "_coder"))
    out = pd.DataFrame({"measure_id": pairs["measure_id"], "primary": pairs["primary"],
                        "coder_primary": pairs["primary_coder"],
                        "gold_themes": pairs["themes"].str.join(";"),
                        "coder_themes": pairs["themes_coder"].str.join(";"),
                        "added": [";".join(sorted(set(c) - set(g)))
                                  for g, c in zip(pairs["themes"], pairs["themes_coder"], strict=True)],
                        "missed": [";".join(sorted(set(g) - set(c)))
                                   for g, c in zip(pairs["themes"], pairs["themes_coder"], strict=True)]})
    out["primary_differs"] = out["primary"] != out["coder_primary"]
    return out[out["gold_themes"] != out["coder_themes"]].reset_index(drop=True)


SPLIT_COLUMNS = ["split", "n_measures", "n_coded"]
DISAGREEMENT_COLUMNS = ["measure_id", "title", "primary", "coder_primary", "gold_themes", "coder_themes", "added",
                        "missed", "primary_differs"]


def split_tables(themes: pd.DataFrame, measures: pd.DataFrame, validation_dir: Path) -> dict[str, pd.DataFrame]:
    """validation_splits.csv (each split of `split_ids`, and `round1_development`, the round-1
    sample less its held-out half: its measures and those coder A coded) and
    validation_disagreements.csv (`disagreements` on the round-2 measures, with each measure's
    title); both empty without a reference coding (`sample.csv` and `coding_a.csv`)."""
    if not ((validation_dir / "sample.csv").is_file() and (validation_dir / "coding_a.csv").is_file()):
        return {"validation_splits.csv": pd.DataFrame(columns=SPLIT_COLUMNS),
                "validation_disagreements.csv": pd.DataFrame(columns=DISAGREEMENT_COLUMNS)}
    ids = split_ids(read_checked(validation_dir / "sample.csv", SAMPLE_SPEC, "coding_a.csv"))
    if "round1_holdout" in ids:
        ids["round1_development"] = ids["round1_sample"] - ids["round1_holdout"]
    gold = read_gold(validation_dir)
    coded = set(gold["measure_id"])
    splits = pd.DataFrame([(name, len(m), len(m & coded)) for name, m in ids.items()], columns=SPLIT_COLUMNS)
    diff = disagreements(gold, themes, ids[ROUND2]).merge(measures[["measure_id", "title"]], on="measure_id")
    return {"validation_splits.csv": splits, "validation_disagreements.csv": diff[DISAGREEMENT_COLUMNS]}
