"""The hand-coded validation sample: drawing it, and scoring the coder against it."""

from __future__ import annotations

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

SAMPLE_SEED = 20261122


def draw_sample(measures: pd.DataFrame, fraction: float = 0.53, seed: int = SAMPLE_SEED
                ) -> pd.DataFrame:
    """A sample stratified by source (about `fraction` of each), split alternately dev/holdout.

    Within each source the drawn measures are shuffled once with a fixed seed; odd draws go to
    the development half (rules may be tuned on them), even draws to the held-out half.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for sid, grp in measures.sort_values("measure_id").groupby("source_id", sort=True):
        n = max(2, round(len(grp) * fraction))
        picked = grp.iloc[rng.permutation(len(grp))[:n]]
        for i, mid in enumerate(picked["measure_id"]):
            rows.append({"measure_id": mid, "source_id": sid,
                         "split": "dev" if i % 2 == 0 else "holdout"})
    return pd.DataFrame(rows).sort_values("measure_id", ignore_index=True)


def read_coding(path: Path) -> pd.DataFrame:
    """A hand-coding file (measure_id, primary, themes `;`-separated, note)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["themes"] = df["themes"].str.split(";").apply(lambda ts: sorted(t for t in ts if t))
    return df


def read_gold(validation_dir: Path) -> pd.DataFrame:
    """Coder A's codings of every round (`coding_a*.csv`), one row per measure."""
    return pd.concat([read_coding(p) for p in sorted(validation_dir.glob("coding_a*.csv"))], ignore_index=True)


def predicted_sets(themes: pd.DataFrame) -> pd.DataFrame:
    """The coder's output (themes.csv rows) as one row per measure: primary and theme list."""
    prim = themes[themes["primary"]].set_index("measure_id")["theme_id"].rename("primary")
    sets = themes.groupby("measure_id")["theme_id"].apply(sorted).rename("themes")
    return pd.concat([prim, sets], axis=1).reset_index()


def agreement(gold: pd.DataFrame, pred: pd.DataFrame, theme_ids: list[str]) -> dict[str, pd.DataFrame]:
    """Primary accuracy, Cohen's kappa, per-theme P/R/F1, micro/macro F1 and the confusion of primaries.

    `gold` and `pred` have measure_id, primary and themes (lists); only shared measures count.
    """
    both = gold.merge(pred, on="measure_id", suffixes=("_gold", "_pred"))
    mlb = MultiLabelBinarizer(classes=theme_ids)
    yg, yp = mlb.fit_transform(both["themes_gold"]), mlb.transform(both["themes_pred"])
    p, r, f, s = precision_recall_fscore_support(yg, yp, zero_division=0)
    per_theme = pd.DataFrame({"theme_id": theme_ids, "precision": p, "recall": r, "f1": f,
                              "support": s, "predicted": yp.sum(axis=0)})
    present = per_theme["support"] + per_theme["predicted"] > 0
    micro = precision_recall_fscore_support(yg, yp, average="micro", zero_division=0)
    summary = pd.DataFrame([
        ("n_measures", len(both)),
        ("primary_accuracy", accuracy_score(both["primary_gold"], both["primary_pred"])),
        ("primary_kappa", cohen_kappa_score(both["primary_gold"], both["primary_pred"])),
        ("micro_precision", micro[0]), ("micro_recall", micro[1]), ("micro_f1", micro[2]),
        ("macro_f1", float(per_theme.loc[present, "f1"].mean())),
        ("exact_set_match", float(np.mean([a == b for a, b in zip(both["themes_gold"], both["themes_pred"],
                                                                   strict=True)]))),
    ], columns=["metric", "value"])
    labels = [t for t in theme_ids if t in set(both["primary_gold"]) | set(both["primary_pred"])]
    confusion = pd.DataFrame(confusion_matrix(both["primary_gold"], both["primary_pred"], labels=labels),
                             index=pd.Index(labels, name="gold"), columns=pd.Index(labels, name="coder"))
    return {"summary": summary, "per_theme": per_theme, "confusion": confusion, "pairs": both}


def validation_tables(themes: pd.DataFrame, validation_dir: Path, theme_ids: list[str],
                      round1_themes: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """`validation_summary.csv`, `validation_per_theme.csv`, `validation_confusion.csv`.

    Gold = coder A (`coding_a.csv` for the round-1 sample, `coding_a_round2.csv` for the rest).
    Splits follow `sample.csv`: `dev` (rules were tuned on it) and `holdout` (never used to tune).
    Also reported: coder B (`coding_b.csv`), an independent second reading of the round-1 sample,
    against coder A; and the frozen round-1 rules (`round1_themes`) on the round-1 held-out half.
    """
    sample = pd.read_csv(validation_dir / "sample.csv", dtype=str, keep_default_na=False)
    gold = read_gold(validation_dir)
    second = read_coding(validation_dir / "coding_b.csv")
    pred = predicted_sets(themes)
    ids = {
        "dev": set(sample.loc[sample["split"] == "dev", "measure_id"]),
        "holdout": set(sample.loc[sample["split"] == "holdout", "measure_id"]),
        "round1_sample": set(sample.loc[sample["round1_split"] != "", "measure_id"]),
        "round1_holdout": set(sample.loc[sample["round1_split"] == "holdout", "measure_id"]),
    }
    ids["all"] = ids["dev"] | ids["holdout"]
    runs = [("coder_vs_gold", split, pred) for split in ("dev", "holdout", "all")]
    runs.append(("coder_b_vs_gold", "round1_sample", second))
    if round1_themes is not None:
        runs.append(("round1_rules_vs_gold", "round1_holdout", predicted_sets(round1_themes)))
    summaries, per_theme = [], []
    confusion = pd.DataFrame(columns=["gold", "coder", "n"])
    for comparison, split, other in runs:
        g = gold[gold["measure_id"].isin(ids[split])]
        if g.empty:
            continue
        res = agreement(g, other[other["measure_id"].isin(ids[split])], theme_ids)
        summaries.append(res["summary"].assign(split=split, comparison=comparison))
        if comparison == "coder_vs_gold":
            per_theme.append(res["per_theme"].assign(split=split))
            if split == "holdout":
                confusion = res["confusion"].reset_index().melt(id_vars="gold", var_name="coder",
                                                                value_name="n")
    summary = pd.concat(summaries)[["comparison", "split", "metric", "value"]]
    summary["value"] = summary["value"].astype(float).round(4)
    pt = pd.concat(per_theme)[["split", "theme_id", "precision", "recall", "f1", "support", "predicted"]]
    pt[["precision", "recall", "f1"]] = pt[["precision", "recall", "f1"]].round(4)
    return {"validation_summary.csv": summary.reset_index(drop=True),
            "validation_per_theme.csv": pt.reset_index(drop=True),
            "validation_confusion.csv": confusion[confusion["n"] > 0].reset_index(drop=True)}
