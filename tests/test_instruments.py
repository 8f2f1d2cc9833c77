"""Policy instruments: the codebook as data, the coder on constructed measures, and the validation
table worked out by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from bizenv_analysis.analysis import instruments
from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.paths import LEXICON
from bizenv_analysis.rules.coding import read_codebook
from bizenv_analysis.rules.lexicon import Lexicon


@pytest.fixture(scope="module")
def codebook():
    return Lexicon.load().instruments


def test_the_codebook_holds_the_13_instruments_of_the_three_types_in_codebook_order(codebook):
    table = codebook.themes
    assert list(table["theme_id"]) == ["talent", "funding", "tech_info", "public_service", "infrastructure",
                                       "goal_planning", "finance_support", "tax_incentive", "regulation",
                                       "strategic", "procurement", "trade", "demonstration"]
    assert table.groupby("group_id", sort=False).size().to_dict() == {"supply": 5, "environment": 5, "demand": 3}
    assert codebook.fallback == "public_service"


def measure(mid: str, title: str, body: str, kind: str = "measure") -> dict:
    return {"measure_id": mid, "title": title, "text": f"{title}。{body}", "kind": kind}


def test_constructed_measures_get_the_lever_they_pull(codebook):
    m = pd.DataFrame([
        measure("d:01", "强化涉企执法监管", "全面推行行政执法公示制度。实施双随机抽查。"),
        measure("d:02", "改善企业融资环境", "引导银行扩大信贷投放。设立风险补偿资金池,为中小企业融资提供担保。"),
        measure("d:03", "建立督查考核机制", "定期开展督查。", kind="safeguard"),
        measure("d:04", "优化纳税服务", "推行网上办税,缩短办税时间,简并涉税表单。"),
    ])
    coded = instruments.code_measures(m, codebook, jobs=1)
    assert list(coded.columns) == instruments.INSTRUMENT_COLUMNS
    assert coded.groupby("measure_id")["primary"].sum().to_dict() == {"d:01": 1, "d:02": 1, "d:03": 1, "d:04": 1}
    primary = coded[coded["primary"]].set_index("measure_id")["instrument_id"].to_dict()
    assert primary == {"d:01": "regulation", "d:02": "finance_support", "d:03": "strategic", "d:04": "tax_incentive"}
    # 网上办税 is also a platform, named once: below the threshold, so not a second instrument.
    assert "tech_info" not in set(coded.loc[coded["measure_id"] == "d:04", "instrument_id"])


def write(path: Path, rows: list[dict]) -> None:
    pd.DataFrame(rows).to_csv(path, index=False)


def test_validation_table_by_hand(tmp_path):
    ids = ["t:1", "t:2", "t:3", "t:4"]
    write(tmp_path / instruments.SAMPLE, [{"measure_id": m, "source_id": "t", "split": s}
                                          for m, s in zip(ids, ["dev", "dev", "holdout", "holdout"], strict=True)])
    write(tmp_path / instruments.CODING_A, [
        {"measure_id": "t:1", "primary": "regulation", "instruments": "regulation", "note": ""},
        {"measure_id": "t:2", "primary": "public_service", "instruments": "tech_info;public_service", "note": ""},
        {"measure_id": "t:3", "primary": "strategic", "instruments": "strategic", "note": ""},
        {"measure_id": "t:4", "primary": "talent", "instruments": "talent;regulation", "note": ""}])
    write(tmp_path / instruments.CODING_B, [
        {"measure_id": "t:3", "primary": "strategic", "instruments": "strategic", "note": ""},
        {"measure_id": "t:4", "primary": "regulation", "instruments": "talent;regulation", "note": ""}])
    coded = pd.DataFrame([  # the rules: right on t:1 and t:3, wrong primary on t:2 and t:4
        ("t:1", "regulation", 5.0, True), ("t:2", "tech_info", 4.0, True), ("t:2", "public_service", 2.0, False),
        ("t:3", "strategic", 4.0, True), ("t:4", "regulation", 3.0, True)], columns=instruments.INSTRUMENT_COLUMNS)
    ids13 = list(Lexicon.load().instruments.theme_ids)
    table = instruments.validation_table(coded, tmp_path, ids13)
    assert list(table.columns) == instruments.VALIDATION_COLUMNS

    def summary(comparison: str, split: str, metric: str) -> pd.Series:
        rows = table[(table["comparison"] == comparison) & (table["split"] == split) & (table["metric"] == metric)
                     & (table["instrument_id"] == "")]
        assert len(rows) == 1
        return rows.iloc[0]

    dev = summary("rules_vs_coder_a", "dev", "primary_accuracy")
    assert (dev["k"], dev["n"], dev["value"]) == (1, 2, 0.5)
    assert summary("rules_vs_coder_a", "holdout", "primary_accuracy")["k"] == 1
    every = summary("rules_vs_coder_a", "all", "primary_accuracy")
    assert (every["k"], every["n"]) == (2, 4) and every["ci_low"] < 0.5 < every["ci_high"]
    # Sets on all four: gold 6 labels, predicted 5, all 5 shared (t:1 reg, t:2 both, t:3 strat,
    # t:4 reg); t:4's talent is missed.
    assert summary("rules_vs_coder_a", "all", "micro_precision")["value"] == pytest.approx(1.0)
    assert summary("rules_vs_coder_a", "all", "micro_recall")["value"] == pytest.approx(5 / 6, abs=1e-4)
    b = summary("coder_b_vs_coder_a", "holdout", "primary_accuracy")
    assert (b["k"], b["n"]) == (1, 2)
    talent = table[(table["comparison"] == "rules_vs_coder_a") & (table["split"] == "all")
                   & (table["instrument_id"] == "talent") & (table["metric"] == "recall")].iloc[0]
    assert (talent["value"], talent["support"], talent["predicted"]) == (0.0, 1, 0)


def test_no_validation_files_no_table(tmp_path):
    assert instruments.validation_table(pd.DataFrame(columns=instruments.INSTRUMENT_COLUMNS), tmp_path, []) is None


def test_a_rule_naming_an_unknown_instrument_is_refused_with_the_file_and_the_fix(tmp_path):
    shutil.copy(LEXICON / "instrument_rules.csv", tmp_path / "instrument_rules.csv")
    with (tmp_path / "instrument_rules.csv").open("a", encoding="utf-8") as fh:
        fh.write("subsidies,text,补贴,1,,not an instrument id\n")
    with pytest.raises(BuildError) as err:
        read_codebook(LEXICON / "instruments.csv", tmp_path / "instrument_rules.csv",
                      LEXICON / "instrument_params.csv", kind="instrument")
    message = str(err.value)
    assert "instrument_rules.csv" in message and "instrument id 'subsidies'" in message
    assert "use one of the ids of instruments.csv" in message


def test_the_grid_counts_by_hand():
    """Two sources, three measures: primary cells hold one measure each; 'all' counts a measure
    once in every (instrument used, theme addressed) cell; every cell is listed."""
    lex = Lexicon.load()
    measures = pd.DataFrame({"measure_id": ["a:1", "a:2", "b:1"], "source_id": ["a", "a", "b"]})
    levers = pd.DataFrame([("a:1", "regulation", 5.0, True), ("a:1", "tech_info", 2.0, False),
                           ("a:2", "regulation", 3.0, True), ("b:1", "talent", 3.0, True)],
                          columns=instruments.INSTRUMENT_COLUMNS)
    coded = pd.DataFrame([("a:1", "rule_of_law", 4.0, True), ("a:1", "credit", 2.0, False),
                          ("a:2", "rule_of_law", 2.0, True), ("b:1", "rule_of_law", 2.0, True)],
                         columns=["measure_id", "theme_id", "score", "primary"])
    grid = instruments.grid(levers, coded, measures, lex.instruments, lex.codebook, ["a", "b"])
    assert len(grid) == 3 * 2 * 13 * len(lex.codebook.theme_ids)  # scopes × bases × cells
    nonzero = grid[grid["n"] > 0].set_index(["scope", "basis", "instrument_id", "theme_id"])["n"].to_dict()
    assert nonzero == {
        ("all", "primary", "regulation", "rule_of_law"): 2, ("all", "primary", "talent", "rule_of_law"): 1,
        ("all", "all", "regulation", "rule_of_law"): 2, ("all", "all", "regulation", "credit"): 1,
        ("all", "all", "tech_info", "rule_of_law"): 1, ("all", "all", "tech_info", "credit"): 1,
        ("all", "all", "talent", "rule_of_law"): 1,
        ("a", "primary", "regulation", "rule_of_law"): 2,
        ("a", "all", "regulation", "rule_of_law"): 2, ("a", "all", "regulation", "credit"): 1,
        ("a", "all", "tech_info", "rule_of_law"): 1, ("a", "all", "tech_info", "credit"): 1,
        ("b", "primary", "talent", "rule_of_law"): 1, ("b", "all", "talent", "rule_of_law"): 1}
    cell = grid[(grid["scope"] == "a") & (grid["basis"] == "primary") & (grid["instrument_id"] == "regulation")
                & (grid["theme_id"] == "rule_of_law")].iloc[0]
    assert (cell["type_id"], cell["n_measures"], cell["share"]) == ("environment", 2, 1.0)


def test_mix_tests_separated_sources_reach_the_exact_minimum_p():
    """Five measures each, all of A's primaries supply-side and all of B's environment-side: only
    the observed split and its mirror reach the largest χ² (10), so p = 2 / C(10, 5) = 2/252."""
    lex = Lexicon.load()
    ids = [f"a:{i}" for i in range(5)] + [f"b:{i}" for i in range(5)]
    measures = pd.DataFrame({"measure_id": ids, "source_id": ["a"] * 5 + ["b"] * 5})
    levers = pd.DataFrame([(m, "talent" if m.startswith("a") else "regulation", 3.0, True) for m in ids],
                          columns=instruments.INSTRUMENT_COLUMNS)
    tests = instruments.mix_tests(levers, measures, lex.instruments, n_resamples=999).set_index("test")
    for test in ("primary_type_mix", "primary_instrument_mix"):
        assert tests.loc[test, "statistic"] == pytest.approx(10.0)
        assert tests.loc[test, "p_value"] == pytest.approx(2 / 252, rel=1e-2)
        assert (tests.loc[test, "n_measures"], tests.loc[test, "n_sources"], tests.loc[test, "n_categories"]) == (
            10, 2, 2)
