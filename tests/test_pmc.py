"""The PMC index on a constructed document, worked out by hand, and its overrides."""

from __future__ import annotations

import pandas as pd
import pytest

from bizenv_analysis import pmc
from bizenv_analysis.errors import BuildError
from bizenv_analysis.lexicon import Lexicon

TEXT = ("关于优化营商环境的实施方案\n为贯彻落实《优化营商环境条例》,制定本方案。\n一、工作目标\n"
        "到2025年,力争营商环境进入全国前列。\n二、主要任务\n1.深化审批制度改革,企业开办压缩至1个工作日,年底前完成。\n"
        "2.加强事中事后监管。")


@pytest.fixture(scope="module")
def lex():
    return Lexicon.load()


def build(lex, overrides=None):
    docs = pd.DataFrame([
        {"source_id": "p", "doc_type": "action_plan", "year": 2023, "admin_level": "city", "date": "2023-05-01",
         "text": TEXT},
        {"source_id": "n", "doc_type": "news_report", "year": 2023, "admin_level": "city", "date": "", "text": "新闻"}])
    measures = pd.DataFrame({"measure_id": ["p:01", "p:02"], "source_id": ["p", "p"]})
    coded = pd.DataFrame([("p:01", "approval_speed", 4.0, True), ("p:02", "supervision", 3.0, True)],
                         columns=["measure_id", "theme_id", "score", "primary"])
    levers = pd.DataFrame([("p:01", "regulation", 4.0, True), ("p:02", "regulation", 4.0, True)],
                          columns=["measure_id", "instrument_id", "score", "primary"])
    targets = pd.DataFrame({"source_id": ["p"], "modality": ["target"]})
    groups = dict(zip(lex.codebook.themes["theme_id"], lex.codebook.themes["group_id"], strict=True))
    types = dict(zip(lex.instruments.themes["theme_id"], lex.instruments.themes["group_id"], strict=True))
    over = overrides if overrides is not None else pd.DataFrame(columns=["source_id", "sub_id", "score", "reason"])
    return pmc.pmc_tables(docs, measures, coded, groups, levers, types, targets, lex.pmc_variables,
                          lex.pmc_params, over)


def test_a_constructed_plan_scored_by_hand(lex):
    out = build(lex)
    subs = out["pmc.csv"].set_index("sub_id")
    score = subs["score"].to_dict()
    # X1 nature: predictive (到2025年 / 力争), supervisory (监管); not advisory, descriptive, guiding: 2/5.
    assert [score[f"X1.{i}"] for i in range(1, 6)] == [1, 1, 0, 0, 0]
    # X2 time span, 2023 document: 2025 is 2 years on (short), 年底前 is within the year: 2/4.
    assert [score[f"X2.{i}"] for i in range(1, 5)] == [0, 0, 1, 1]
    # X3 issuer: a city: 1/4. X9 instruments: only environment-side (regulation): 1/3. X10 published: 1.
    assert [score[f"X3.{i}"] for i in range(1, 5)] == [0, 0, 1, 0]
    assert [score[f"X9.{i}"] for i in range(1, 4)] == [0, 1, 0] and score["X10.1"] == 1
    # X4 domains: approval_speed (government services) and supervision (legal): 2/7.
    assert [score[f"X4.{i}"] for i in range(1, 8)] == [1, 1, 0, 0, 0, 0, 0]
    assert subs.loc["X4.1", "evidence"] == "themes.csv: 1 of 2 measures"
    # X5: stated basis (为贯彻落实《…》), clear goals (工作目标), no assigned units, quantified targets: 3/4.
    assert [score[f"X5.{i}"] for i in range(1, 5)] == [1, 1, 0, 1]
    assert subs.loc["X5.1", "evidence"] == "为贯彻落实《优化营商环境条例》,制定本方案。"
    assert subs.loc["X5.4", "evidence"] == "targets.csv: 1 quantities (target)"
    index = out["pmc_index.csv"].set_index("source_id")
    row = index.loc["p"]
    assert (row["X1"], row["X2"], row["X3"], row["X5"], row["X9"], row["X10"]) == (0.4, 0.5, 0.25, 0.75, 0.3333, 1.0)
    # X6: only 条例 (legal safeguards) of six; X7: only 企业 of five; X8: 审批 and 监管 of six.
    assert (row["X6"], row["X7"], row["X8"]) == (0.1667, 0.2, 0.3333)
    # 0.4 + 0.5 + 0.25 + 2/7 + 0.75 + 1/6 + 0.2 + 2/6 + 1/3 + 1, each mean rounded to 4 places: poor (< 5).
    assert row["pmc"] == pytest.approx(4.219, abs=1e-4) and row["grade"] == "poor"
    assert not index.loc["n", "applicable"] and "doc_type 'news_report' is not one of" in index.loc["n", "reason"]
    assert set(out["pmc.csv"]["source_id"]) == {"p"}


def test_an_override_replaces_the_rule_score_and_is_marked(lex):
    over = pd.DataFrame([{"source_id": "p", "sub_id": "X5.3", "score": "1", "reason": "units named in an annex"}])
    out = build(lex, over)
    row = out["pmc.csv"].set_index("sub_id").loc["X5.3"]
    assert (row["score"], row["rule_score"], row["overridden"]) == (1, 0, True)
    assert row["reason"] == "units named in an annex"
    index = out["pmc_index.csv"].set_index("source_id").loc["p"]
    assert index["X5"] == 1.0 and index["n_overridden"] == 1


@pytest.mark.parametrize("line, problem", [("p,X99.1,1,why", "sub_id 'X99.1' is not a PMC sub-variable"),
                                           ("p,X5.3,yes,why", "score 'yes' is not 0 or 1"),
                                           ("p,X5.3,1,", "no reason given")])
def test_a_bad_override_is_refused_with_the_file_and_the_fix(tmp_path, lex, line, problem):
    (tmp_path / pmc.OVERRIDES).write_text("source_id,sub_id,score,reason\n" + line + "\n", encoding="utf-8")
    with pytest.raises(BuildError) as err:
        pmc.read_overrides(tmp_path, set(lex.pmc_variables["sub_id"]))
    assert problem in str(err.value) and "pmc_overrides.csv" in str(err.value) and "fix:" in str(err.value)


def test_the_surface_is_the_first_nine_variables_in_rows_of_three():
    row = pd.Series({f"X{i}": i / 10 for i in range(1, 11)})
    assert pmc.surface(row, [f"X{i}" for i in range(1, 11)]) == [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]
