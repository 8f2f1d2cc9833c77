"""Known answers for the theme-coder validation tables, on small constructed codings."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from bizenv_analysis.analysis import validation

THEMES = ["a", "b", "c"]
# gold (coder A) and pred (the coder): primary, theme set
GOLD = {"m1": ("a", ["a"]), "m2": ("a", ["a", "b"]), "m3": ("b", ["a", "b"]), "m4": ("c", ["a", "c"])}
PRED = {"m1": ("a", ["a"]), "m2": ("a", ["a"]), "m3": ("a", ["a", "b"]), "m4": ("c", ["c"])}
Z = 1.959963984540054  # standard normal quantile at 0.975


def codings(d: dict[str, tuple[str, list[str]]]) -> pd.DataFrame:
    return pd.DataFrame([{"measure_id": m, "primary": p, "themes": ts} for m, (p, ts) in d.items()])


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = k / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return centre - half, centre + half


def test_proportions_carry_k_n_and_the_wilson_interval():
    s = validation.agreement(codings(GOLD), codings(PRED), THEMES, min_support=2)["summary"].set_index("metric")
    # primary: m1, m2, m4 agree (m3: b vs a) -> 3/4; theme set: m1, m3 equal -> 2/4
    acc, exact = s.loc["primary_accuracy"], s.loc["exact_set_match"]
    assert (acc["value"], acc["k"], acc["n"]) == (0.75, 3, 4)
    assert (exact["value"], exact["k"], exact["n"]) == (0.5, 2, 4)
    assert (acc["ci_low"], acc["ci_high"]) == pytest.approx(wilson_by_hand(3, 4), abs=1e-9)
    assert (acc["ci_low"], acc["ci_high"]) == pytest.approx((0.3006, 0.9544), abs=1e-4)  # by hand
    assert (exact["ci_low"], exact["ci_high"]) == pytest.approx((0.1500, 0.8500), abs=1e-4)  # symmetric at 1/2
    for metric in ("n_measures", "primary_kappa", "micro_precision", "micro_recall", "micro_f1"):
        assert s.loc[metric, ["k", "n", "ci_low", "ci_high"]].isna().all(), metric


def test_macro_f1_only_over_themes_with_enough_support():
    res = validation.agreement(codings(GOLD), codings(PRED), THEMES, min_support=2)
    pt = res["per_theme"].set_index("theme_id")
    # a: gold m1-m4, pred m1-m3 -> P 1, R 3/4, F1 6/7; b: gold m2, m3, pred m3 -> F1 2/3; c: gold m4 = pred -> 1
    assert list(pt["support"]) == [4, 2, 1]
    assert list(pt["f1"]) == pytest.approx([6 / 7, 2 / 3, 1.0])
    assert list(pt["in_macro_f1"]) == [True, True, False]
    s = res["summary"].set_index("metric")
    assert (s.loc["macro_f1", "value"], s.loc["macro_f1", "n"]) == (pytest.approx((6 / 7 + 2 / 3) / 2), 2)
    assert (s.loc["macro_f1_all_themes", "value"], s.loc["macro_f1_all_themes", "n"]) == (
        pytest.approx((6 / 7 + 2 / 3 + 1) / 3), 3)
    none = validation.agreement(codings(GOLD), codings(PRED), THEMES)["summary"].set_index("metric")
    assert validation.MIN_SUPPORT == 5 and none.loc["macro_f1", "n"] == 0 and math.isnan(none.loc["macro_f1", "value"])


def write_corpus(folder: Path) -> Path:
    """A validation folder: m1, m2 in the round-1 sample (`dev`; m2 its round-1 holdout), m3, m4 in round 2."""
    folder.mkdir()
    pd.DataFrame({"measure_id": ["m1", "m2", "m3", "m4"], "source_id": "s",
                  "split": ["dev", "dev", "holdout", "holdout"],
                  "round1_split": ["dev", "holdout", "", ""]}).to_csv(folder / "sample.csv", index=False)

    def write(name: str, ids: list[str]) -> None:
        pd.DataFrame([{"measure_id": m, "primary": GOLD[m][0], "themes": ";".join(GOLD[m][1]), "note": ""}
                      for m in ids]).to_csv(folder / name, index=False)

    write("coding_a.csv", ["m1", "m2"])
    write("coding_a_round2.csv", ["m3", "m4"])
    write("coding_b.csv", ["m1", "m2"])
    return folder


def test_validation_tables_name_splits_for_what_happened(tmp_path):
    themes = pd.DataFrame([{"measure_id": m, "theme_id": t, "score": 1.0, "primary": t == p}
                           for m, (p, ts) in PRED.items() for t in ts])
    out = validation.validation_tables(themes, write_corpus(tmp_path / "validation"), THEMES, themes)
    s = out["validation_summary.csv"]
    assert list(s.columns) == validation.SUMMARY_COLUMNS
    assert set(zip(s["comparison"], s["split"], strict=True)) == {
        ("coder_vs_gold", "round1_sample"), ("coder_vs_gold", "round2"), ("coder_vs_gold", "all"),
        ("coder_b_vs_gold", "round1_sample"), ("round1_rules_vs_gold", "round1_holdout")}
    assert "holdout" not in set(s["split"]) and set(out["validation_per_theme.csv"]["split"]) == {
        "round1_sample", "round2", "all"}
    r2 = s[(s["comparison"] == "coder_vs_gold") & (s["split"] == "round2")].set_index("metric")
    assert (r2.loc["primary_accuracy", "k"], r2.loc["primary_accuracy", "n"]) == (1, 2)  # m4 agrees, m3 not
    row = validation.overview(s).query("split == 'all'").iloc[0]
    lo, hi = wilson_by_hand(3, 4)
    assert row["primary theme agrees"] == f"3/4 = 0.750 (95% CI {lo:.2f}–{hi:.2f})"
    small = validation.small_support(out["validation_per_theme.csv"], "all")
    assert list(small["theme_id"]) == ["c", "b", "a"]  # support 1, 2, 4 are all below 5


def test_disagreements_lists_differing_theme_sets():
    themes = pd.DataFrame([{"measure_id": m, "theme_id": t, "score": 1.0, "primary": t == p}
                           for m, (p, ts) in PRED.items() for t in ts])
    d = validation.disagreements(codings(GOLD), themes, {"m2", "m3", "m4"})
    assert list(d["measure_id"]) == ["m2", "m4"]  # m3 has the same set, another primary
    assert list(d["primary_differs"]) == [False, False]
    assert list(d["added"]) == ["", ""] and list(d["missed"]) == ["b", "a"]
