"""The README's account of the theme-coder validation states what the build computed.

Every number in the section "How far the theme coding can be trusted" is rebuilt here from a
fresh build's `validation_summary.csv` and `validation_per_theme.csv`; none is typed in.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bizenv_analysis.analysis.validation import MIN_SUPPORT, ROUND2
from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.io.tables import load

HEADING = "### How far the theme coding can be trusted"
# README table row label -> (comparison, split) of validation_summary.csv
ROWS = {
    "final rules vs coder A, round-2 measures": ("coder_vs_gold", ROUND2),
    "final rules vs coder A, round-1 sample (tuned on)": ("coder_vs_gold", "round1_sample"),
    "final rules vs coder A, all measures": ("coder_vs_gold", "all"),
    "round-1 rules vs coder A, round-1 held-out half": ("round1_rules_vs_gold", "round1_holdout"),
    "coder B vs coder A, round-1 sample": ("coder_b_vs_gold", "round1_sample"),
}


def proportion(m: pd.DataFrame, metric: str) -> str:
    r = m.loc[metric]
    return (f"{int(r['k'])}/{int(r['n'])} = {float(r['value']):.3f} "
            f"({float(r['ci_low']):.2f}–{float(r['ci_high']):.2f})")


def table_row(label: str, m: pd.DataFrame) -> str:
    macro = m.loc["macro_f1"]
    return (f"| {label} | {int(float(m.loc['n_measures', 'value']))} | {proportion(m, 'primary_accuracy')} | "
            f"{proportion(m, 'exact_set_match')} | {float(m.loc['micro_f1', 'value']):.3f} | "
            f"{float(macro['value']):.3f} ({int(macro['n'])}) |")


@pytest.fixture(scope="module")
def section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in readme
    return re.split(r"\n#{2,3} ", readme.split(HEADING, 1)[1], maxsplit=1)[0]


@pytest.fixture(scope="module")
def tables(built_dir: tuple[Path, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    return load("validation_summary", built_dir[0]), load("validation_per_theme", built_dir[0])


def metrics(summary: pd.DataFrame, comparison: str, split: str) -> pd.DataFrame:
    return summary[(summary["comparison"] == comparison) & (summary["split"] == split)].set_index("metric")


def test_table_rows_are_the_built_figures(section, tables):
    summary, _ = tables
    for label, (comparison, split) in ROWS.items():
        assert table_row(label, metrics(summary, comparison, split)) in section, label
    assert f"support ≥ {MIN_SUPPORT}" in section


def test_prose_counts_and_the_small_support_themes_are_the_built_figures(section, tables):
    summary, per_theme = tables
    n = {split: int(float(metrics(summary, "coder_vs_gold", split).loc["n_measures", "value"]))
         for split in ("all", "round1_sample", ROUND2)}
    text = " ".join(section.split())
    assert f"all {n['all']} measures" in text
    assert f"the {n['round1_sample']}-measure round-1 sample" in text
    assert f"the {n[ROUND2]} measures coded in round 2" in text
    small = per_theme[(per_theme["split"] == ROUND2) & (per_theme["support"] < MIN_SUPPORT)]
    small = small.sort_values(["support", "theme_id"])
    listed = ", ".join(f"{t} ({s})" for t, s in zip(small["theme_id"], small["support"], strict=True))
    n_themes = (per_theme["split"] == ROUND2).sum()
    assert f"{len(small)} of the {n_themes} themes have support below {MIN_SUPPORT}: {listed}" in text
    all_themes = metrics(summary, "coder_vs_gold", ROUND2).loc["macro_f1_all_themes"]
    assert f"over all {int(all_themes['n'])} themes it is {float(all_themes['value']):.3f}" in text


def test_section_claims_no_held_out_test_and_points_to_the_history(section):
    text = " ".join(section.split()).lower()
    assert "no rule was tuned on" not in text and "never used to tune" not in text
    assert "development-set agreement" in text
    assert "data/validation/README.md".lower() in text and (ROOT / "data" / "validation" / "README.md").is_file()


def test_figures_named_in_the_readme_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for fig in re.findall(r"figures/(fig\d+_\w+?_en\.png)", readme):
        assert (ROOT / "figures" / fig).is_file()
