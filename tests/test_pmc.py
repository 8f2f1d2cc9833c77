"""The PMC index on constructed documents, worked out by hand, its overrides, the flags for what
does not discriminate, the grade's label and caveat, what counts as evidence; and on the bundled
corpus, the reviewer's saturated variables and weak evidence."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from bizenv_analysis.analysis import pmc
from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.io.tables import load
from bizenv_analysis.report import figure_data
from bizenv_analysis.rules.lexicon import Lexicon

TEXT = ("关于优化营商环境的实施方案\n为贯彻落实《优化营商环境条例》,制定本方案。\n一、工作目标\n"
        "到2025年,力争营商环境进入全国前列。\n二、主要任务\n1.深化审批制度改革,企业开办压缩至1个工作日,年底前完成。\n"
        "2.加强事中事后监管。")


@pytest.fixture(scope="module")
def lex():
    return Lexicon.load()


def plan(source_id="p", text=TEXT, admin_level="city"):
    return {"source_id": source_id, "doc_type": "action_plan", "year": 2023, "admin_level": admin_level,
            "date": "2023-05-01", "text": text}


NEWS = {"source_id": "n", "doc_type": "news_report", "year": 2023, "admin_level": "city", "date": "", "text": "新闻"}


def build(lex, overrides=None, documents=None):
    """pmc_tables on `documents` (default: the plan p and a news report); only p has measures,
    themes, instruments and a target."""
    docs = pd.DataFrame(documents or [plan(), NEWS])
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
                          lex.pmc_params, over, lex.grammar)


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
    # The heading 一、工作目标 is no evidence of goals; the target year under it is.
    assert subs.loc["X5.2", "evidence"] == "到2025年,力争营商环境进入全国前列。"
    assert subs.loc["X5.4", "evidence"] == "targets.csv: 1 quantities (target)"
    index = out["pmc_index.csv"].set_index("source_id")
    row = index.loc["p"]
    assert (row["X1"], row["X2"], row["X3"], row["X5"], row["X9"], row["X10"]) == (0.4, 0.5, 0.25, 0.75, 0.3333, 1.0)
    # X6: only 条例 (legal safeguards) of six; X7: only 企业 of five; X8: 审批 and 监管 of six.
    assert (row["X6"], row["X7"], row["X8"]) == (0.1667, 0.2, 0.3333)
    # 0.4 + 0.5 + 0.25 + 2/7 + 0.75 + 1/6 + 0.2 + 2/6 + 1/3 + 1, each mean rounded to 4 places: poor (< 5).
    assert row["pmc"] == pytest.approx(4.219, abs=1e-4) and row["estrada_grade"] == "poor"
    assert not index.loc["n", "applicable"] and "doc_type 'news_report' is not one of" in index.loc["n", "reason"]
    assert set(out["pmc.csv"]["source_id"]) == {"p"}
    # One scored document: nothing can be said to discriminate, so the flags are NA, not True/False.
    assert out["pmc.csv"]["discriminating"].isna().all()
    assert pd.isna(row["n_constant_variables"]) and pd.isna(row["pmc_index_discriminating"])
    assert row["grade_caveat"] == ("Estrada scale label 'poor' (PMC under 5, bands in pmc_params.csv); the index "
                                   "counts which provisions the text contains, not how well the policy works; with "
                                   "one scored document no variable can be said to discriminate")
    assert pd.isna(index.loc["n", "estrada_grade"]) and pd.isna(index.loc["n", "grade_caveat"])


# p without its supervision item, issued by a district, with no measures, themes, instruments or targets.
TEXT_Q = TEXT.replace("\n2.加强事中事后监管。", "")


def test_variables_two_documents_share_are_flagged_and_left_out_of_the_sensitivity_index(lex):
    out = build(lex, documents=[plan(), plan("q", TEXT_Q, "district")])
    # By hand, q: X1 predictive only 0.2; X2 0.5; X3 district 0.25; X4 0; X5 basis and goals 0.5; X6 1/6;
    # X7 0.2; X8 审批 only 1/6; X9 0; X10 1. p as in the test above. Equal in both: X2, X3, X6, X7, X10.
    index = out["pmc_index.csv"].set_index("source_id")
    assert (index.loc["q", "X1"], index.loc["q", "X5"], index.loc["q", "X8"]) == (0.2, 0.5, 0.1667)
    assert list(index["constant_variables"]) == ["X2;X3;X6;X7;X10"] * 2
    assert list(index["n_constant_variables"]) == [5, 5]
    # p: X1 + X4 + X5 + X8 + X9 = 0.4 + 0.2857 + 0.75 + 0.3333 + 0.3333; q: 0.2 + 0 + 0.5 + 0.1667 + 0.
    assert index.loc["p", "pmc_index_discriminating"] == pytest.approx(2.1023, abs=1e-4)
    assert index.loc["q", "pmc_index_discriminating"] == pytest.approx(0.8667, abs=1e-4)
    assert index.loc["q", "pmc"] == pytest.approx(0.8667 + 0.5 + 0.25 + 0.1667 + 0.2 + 1, abs=1e-4)
    assert index.loc["p", "grade_caveat"].endswith(
        "5 of 10 main variables take the same value in every scored document (X2, X3, X6, X7, X10)")
    flags = out["pmc.csv"].set_index(["source_id", "sub_id"])["discriminating"].xs("p")
    # X3 is constant (one issuer level of four each) while its sub-variables city and district differ.
    assert flags[["X3.3", "X3.4", "X1.2", "X8.2", "X4.1", "X5.4"]].tolist() == [True] * 6
    assert flags[["X3.1", "X3.2", "X10.1", "X8.1", "X1.1", "X6.1"]].tolist() == [False] * 6


@pytest.mark.parametrize("value, grade, band", [
    (9.0, "perfect", "PMC 9 or more"), (8.99, "excellent", "PMC 7 to under 9"), (7.0, "excellent", "PMC 7 to under 9"),
    (6.99, "acceptable", "PMC 5 to under 7"), (5.0, "acceptable", "PMC 5 to under 7"), (4.99, "poor", "PMC under 5")])
def test_the_grade_is_the_estrada_label_of_the_band_in_the_params(lex, value, grade, band):
    assert pmc.grade_of(value, lex.pmc_params) == (grade, band)


def test_the_caveat_counts_the_constant_variables():
    assert pmc.grade_caveat("excellent", "PMC 7 to under 9", ["X3", "X10"], 10) == (
        "Estrada scale label 'excellent' (PMC 7 to under 9, bands in pmc_params.csv); the index counts which "
        "provisions the text contains, not how well the policy works; 2 of 10 main variables take the same value "
        "in every scored document (X3, X10)")
    assert pmc.grade_caveat("poor", "PMC under 5", [], 10).endswith(
        "0 of 10 main variables take the same value in every scored document")


def test_headings_and_titles_are_told_from_statements(lex):
    marks = lex.pmc_params["clause_marks"]
    assert pmc.spans(TEXT, lex.grammar, marks) == [
        ("关于优化营商环境的实施方案", True, 0),  # the document's title
        ("为贯彻落实《优化营商环境条例》,制定本方案。", False, 0),
        ("一、工作目标", True, 2),  # a chapter heading: a paragraph follows
        ("到2025年,力争营商环境进入全国前列。", False, 0),
        ("二、主要任务", True, 2),  # a deeper style (1.) follows
        ("1.深化审批制度改革,企业开办压缩至1个工作日,年底前完成。", False, 2),  # a clause in it: no bare title
        ("2.加强事中事后监管。", False, 2)]  # a short item with no text under it: the measure itself
    titled = "一、主要任务\n1.深化商事制度改革。推行企业开办一网通办。\n——法治引领,制度创新。坚持法治先行。"
    assert pmc.spans(titled, lex.grammar, marks) == [
        ("一、主要任务", True, 2), ("1.深化商事制度改革。", True, 2), ("推行企业开办一网通办。", False, 0),
        ("——法治引领,制度创新。", False, 2), ("坚持法治先行。", False, 0)]


def test_a_clause_runs_between_marks_outside_quotation_marks_and_brackets(lex):
    marks = lex.pmc_params["clause_marks"]
    motto = "力争“广深能做到的,东莞也要努力做到”。"
    assert pmc.clause_chars(motto, 0, 2, marks) == 16  # the comma inside the quotation does not end the clause
    assert pmc.clause_chars(motto.replace("“", "").replace("”", ""), 0, 2, marks) == 8
    assert pmc.clause_chars("——法治引领,制度创新。", 2, 4, marks) == 4  # the dash is no letter
    assert pmc.clause_chars("1.落实减税,优化服务。", 4, 6, marks) == 5
    assert pmc.clause_chars("1.落实减税,优化服务。", 4, 6, marks, begin=2) == 4  # the item marker is not counted
    assert pmc.clause_chars("到2018年底,实现全覆盖。", 0, 7, marks) == 7  # digits count


def test_a_cue_only_in_a_heading_or_a_short_clause_is_not_evidence(lex):
    text = ("关于税收优惠的实施方案\n为贯彻落实《优化营商环境条例》,制定本方案。\n一、落实税收优惠\n"
            "1.落实减税,优化服务流程。\n2.加强事中事后监管。")
    row = build(lex, documents=[plan(text=text)])["pmc.csv"].set_index("sub_id").loc["X6.3"]
    # the title and the chapter heading hold 税收优惠; the item holds 减税 in a clause of four characters
    assert (row["score"], row["rule_score"], row["evidence"]) == (0, 0, "")
    assert row["evidence_note"] == ("not evidence: the rule matches only in a heading or title (2×) or a clause "
                                    "of fewer than 5 characters (1×); first: 关于税收优惠的实施方案")
    rule = re.compile(lex.pmc_variables.set_index("sub_id").loc["X6.3", "rule"]).finditer
    marks, least = lex.pmc_params["clause_marks"], int(lex.pmc_params["min_clause_chars"])
    stated = pmc.spans(text + "\n3.全面落实减税降费政策。", lex.grammar, marks)
    assert pmc.find_evidence(stated, rule, least, marks) == ("3.全面落实减税降费政策。", "")


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
    assert figure_data.surface(row, [f"X{i}" for i in range(1, 11)]) == [
        [0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]]


def test_on_the_bundled_corpus_the_saturated_variables_are_flagged_and_the_weak_evidence_is_gone(built_dir):
    rows = load("pmc", built_dir[0]).set_index(["source_id", "sub_id"])
    index = load("pmc_index", built_dir[0])
    scored = index[index["applicable"]].set_index("source_id")
    assert len(scored) == 3
    # The reviewer: X3 is 0.25 and X8-X10 are 1 for every document. X3, X9 and X10 are flagged as
    # constant; X8's sub-variables but opening up are too: dongguan-2023 names opening up
    # (国际化) only in a chapter heading, so X8 now differs.
    constant = set(scored["constant_variables"].iloc[0].split(";"))
    assert {"X3", "X9", "X10"} <= constant and "X8" not in constant
    assert (scored["n_constant_variables"] == len(constant)).all()
    flags = rows["discriminating"].groupby(level="sub_id").first()
    assert not flags[["X3.1", "X3.2", "X8.1", "X8.2", "X8.3", "X8.4", "X8.6", "X9.1", "X9.2", "X9.3", "X10.1"]].any()
    assert flags[["X3.3", "X3.4", "X8.5"]].all()
    assert "only in a heading or title" in rows.loc[("dongguan-2023", "X8.5"), "evidence_note"]
    kept = [v for v in (f"X{i}" for i in range(1, 11)) if v not in constant]
    assert (scored["pmc_index_discriminating"] - scored[kept].sum(axis=1)).abs().max() < 1e-3
    assert scored["grade_caveat"].str.contains(f"{len(constant)} of 10 main variables take the same value").all()
    # The slogan is not a prediction, export-rebate procedures are not tax relief, the World Bank is
    # not a financial institution the plan addresses.
    assert rows.loc[("dongguan-2023", "X1.1"), "score"] == 0
    assert not rows["evidence"].str.contains("广深能做到的").any()
    assert "退税" not in rows.loc[("quzhou-2018", "X6.3"), "evidence"]
    assert not rows["evidence"].str.contains("世界银行").any()
    # No heading is evidence: 一、工作目标, 一、总体要求和主要目标, ——法治引领,制度创新。 were before.
    assert not rows["evidence"].isin(["一、工作目标", "一、总体要求和主要目标", "——法治引领,制度创新。"]).any()
