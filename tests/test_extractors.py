"""Targets (quantitative commitments) and references (policy learning) on the real corpus."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from bizenv_analysis.paths import LEXICON
from bizenv_analysis.references import REFERENCE_COLUMNS, Lexicon, find_references, references_table
from bizenv_analysis.tables import load
from bizenv_analysis.targets import TARGET_COLUMNS, extract_targets, load_topics, targets_table


@pytest.fixture(scope="module")
def corpus_measures() -> pd.DataFrame:
    return load("measures")


@pytest.fixture(scope="module")
def corpus_documents() -> pd.DataFrame:
    return load("documents")


@pytest.fixture(scope="module")
def targets(corpus_measures: pd.DataFrame) -> pd.DataFrame:
    return targets_table(corpus_measures, LEXICON / "target_topics.csv")


@pytest.fixture(scope="module")
def references(corpus_documents: pd.DataFrame, corpus_measures: pd.DataFrame) -> pd.DataFrame:
    return references_table(corpus_documents, corpus_measures, LEXICON / "learning.csv")


def _row(targets: pd.DataFrame, measure_id: str, phrase: str) -> pd.Series:
    hits = targets[(targets["measure_id"] == measure_id) & targets["phrase"].str.contains(phrase, regex=False)]
    assert len(hits) == 1, f"{measure_id}: {phrase!r} found {len(hits)} times"
    return hits.iloc[0]


# --- targets -------------------------------------------------------------------------------------------

def test_targets_schema(targets):
    assert list(targets.columns) == TARGET_COLUMNS
    assert set(targets["kind"]) == {"time_limit", "percentage", "count"}
    assert set(targets["modality"]) <= {"target", "reported", ""}
    assert set(targets["day_type"]) <= {"working", "calendar", ""}
    assert targets["value"].map(lambda v: isinstance(v, str) and bool(re.fullmatch(r"\d+(\.\d+)?万?", v))).all()
    is_time = targets["kind"] == "time_limit"
    assert targets.loc[is_time, "days"].notna().all() and targets.loc[~is_time, "days"].isna().all()
    assert (targets.loc[is_time, "day_type"] != "").all() and (targets.loc[~is_time, "day_type"] == "").all()
    assert (targets.loc[targets["kind"] == "percentage", "unit"] == "%").all()


def test_targets_sorted_deterministic_and_phrases_verbatim(targets, corpus_measures):
    again = targets_table(corpus_measures, LEXICON / "target_topics.csv")
    pd.testing.assert_frame_equal(targets, again)
    assert list(targets["measure_id"]) == sorted(targets["measure_id"])
    text = corpus_measures.set_index("measure_id")["text"]
    for r in targets.itertuples():
        assert r.phrase in text[r.measure_id] and r.value in r.phrase


@pytest.mark.parametrize(("measure_id", "phrase", "value", "unit", "days", "day_type", "topic"), [
    ("tianhe-2020:01", "0.5天办结", "0.5", "天", 0.5, "calendar", "开办企业"),
    ("quzhou-2018:17", "3个工作日内", "3", "个工作日", 3, "working", "开办企业"),
    ("quzhou-2018:04", "最多90天", "90", "天", 90, "calendar", "工程建设审批"),
    ("tianhe-2020:08", "80个工作日", "80", "个工作日", 80, "working", "工程建设审批"),
    ("tianhe-2020:08", "35个工作日", "35", "个工作日", 35, "working", "工程建设审批"),
    ("tianhe-2020:08", "28天", "28", "天", 28, "calendar", "工程建设审批"),
    ("tianhe-2020:09", "5个工作日", "5", "个工作日", 5, "working", "电水气报装"),
    ("tianhe-2020:02", "1小时办结", "1", "小时", 1 / 24, "calendar", "不动产登记"),
    ("tianhe-2020:02", "1天办结", "1", "天", 1, "calendar", "不动产登记"),
    ("dongguan-2023:13", "压缩至2个月内", "2", "个月", 60, "calendar", "用地审批"),
])
def test_known_time_limits(targets, measure_id, phrase, value, unit, days, day_type, topic):
    r = _row(targets, measure_id, phrase)
    assert (r["value"], r["unit"], r["day_type"], r["kind"], r["modality"], r["applies_to"]) == \
        (value, unit, day_type, "time_limit", "target", topic)
    assert math.isclose(r["days"], days, abs_tol=1e-4)


@pytest.mark.parametrize(("measure_id", "phrase", "kind", "modality"), [
    ("gz-pilot-2021:01", "达98.48%", "percentage", "reported"),  # 截至2021年10月31日 …
    ("dongguan-2023:06", "提升至100%", "percentage", "target"),
    ("dongguan-2023:06", "提升至90%", "percentage", "target"),
    ("gz-pilot-2021:06", "缩短超6个月", "time_limit", "reported"),
    ("dongguan-2023:04", "不少于100项", "count", "target"),
    ("dongguan-2023:04", "突破1000项", "count", "target"),
    ("dongguan-2023:08", "增加至150个", "count", "target"),
    ("dongguan-2023:08", "控制在3%以下", "percentage", "target"),
    ("gd-cases-2024:03", "超过6个月", "time_limit", ""),  # a condition (… 仍未缴纳), no commitment
])
def test_known_kinds_and_modalities(targets, measure_id, phrase, kind, modality):
    r = _row(targets, measure_id, phrase)
    assert (r["kind"], r["modality"]) == (kind, modality)


def test_sentence_cues_decide_ambiguous_cues(targets):
    rows = targets[(targets["measure_id"] == "dongguan-2023:07") & (targets["phrase"] == "超70%")]
    assert len(rows) == 2 and set(rows["modality"]) == {"target"}  # 年底前 … 占比超70%
    baselines = targets[(targets["measure_id"] == "dongguan-2023:06") & (targets["phrase"] == "从80%")]
    assert len(baselines) == 2 and set(baselines["modality"]) == {"reported"}  # 从80%提升至…


def test_no_years_dates_or_uncued_counts(targets):
    assert not targets["unit"].isin(["年", "月"]).any()
    assert not targets["phrase"].str.contains(r"\d+月\d+日|\d{4}年").any()
    time = targets[targets["kind"] == "time_limit"]
    assert not time["value"].astype(float).between(1990, 2030).any()
    # Reported counts without a target cue (超1000项, 共44个部门) are not commitments.
    gz = targets[targets["source_id"] == "gz-pilot-2021"]
    assert (gz["kind"] != "count").all()
    assert set(targets.loc[targets["kind"] == "count", "modality"]) == {"target"}


def test_counts_per_source_and_kind(targets):
    counts = targets.groupby("source_id").size().to_dict()
    assert counts == {"dongguan-2023": 28, "gd-cases-2024": 5, "gz-pilot-2021": 9, "quzhou-2018": 3,
                      "tianhe-2020": 16}


@pytest.mark.parametrize("text", [
    "截至2023年8月20日,已完成", "1.推进改革", "提供7×24小时服务", "实现24小时申请不打烊", "给予1-2年包容期",
    "打造“1+5+16”机制", "加快实现“4个1”", "共44个部门1844个政务服务事项进驻",
])
def test_non_quantities_give_nothing(text):
    assert extract_targets(text, load_topics(LEXICON / "target_topics.csv")) == []


def test_topic_fallback_is_other():
    rows = extract_targets("年内完成率达到95%", load_topics(LEXICON / "target_topics.csv"))
    assert [(r["phrase"], r["applies_to"], r["modality"]) for r in rows] == [("达到95%", "其他", "target")]


# --- references ----------------------------------------------------------------------------------------

def test_references_schema_and_places_from_lexicon(references):
    assert list(references.columns) == REFERENCE_COLUMNS
    lex = pd.read_csv(LEXICON / "learning.csv", dtype=str, keep_default_na=False)
    assert set(references["place"]) <= set(lex.loc[lex["role"] == "place", "label"])
    assert set(references["verb"]) <= set(lex.loc[lex["role"] == "verb", "label"])
    assert (references["place"] != "").all()


def test_references_sorted_by_source_order(references, corpus_documents):
    order = list(corpus_documents["source_id"])
    ranks = references["source_id"].map(order.index)
    assert ranks.is_monotonic_increasing


@pytest.mark.parametrize(("place", "practice", "measure_id", "verb"), [
    ("深圳", "政务服务体验官", "dongguan-2023:03", "学习"),
    ("广州", "清单之外无审批", "dongguan-2023:09", "借鉴"),
    ("广州", "‘一门式’政策兑现", "dongguan-2023:16", "学习"),
    ("深圳", "接诉即办", "dongguan-2023:03", "对标"),
    ("广深", "用地清单制", "dongguan-2023:10", "对标"),
])
def test_dongguan_named_practices(references, place, practice, measure_id, verb):
    hits = references[(references["source_id"] == "dongguan-2023") & (references["practice"] == practice)]
    assert hits[["place", "measure_id", "verb"]].values.tolist() == [[place, measure_id, verb]]


def test_dongguan_benchmarks_throughout(references):
    dg = references[references["source_id"] == "dongguan-2023"]
    assert len(dg) >= 20
    assert (dg["place"] == "广深").sum() >= 15
    assert dg["measure_id"].nunique() >= 20
    # 对标广深 without a named practice
    assert (dg.loc[dg["place"] == "广深", "practice"] == "").sum() >= 8


def test_tianhe_four_place_list(references):
    th = references[references["sentence"].str.contains("借鉴北京、上海、香港、新加坡", regex=False)]
    assert th["place"].tolist() == ["北京", "上海", "香港", "新加坡"]
    assert set(th["source_id"]) == {"tianhe-2020"} and set(th["measure_id"]) == {""}
    assert set(th["verb"]) == {"借鉴"} and set(th["practice"]) == {""}


def test_other_sources(references):
    by = {s: sorted(zip(g["verb"], g["place"], strict=True)) for s, g in references.groupby("source_id")}
    assert by["gz-pilot-2021"] == [("借鉴", "香港")]
    assert by["gd-cases-2024"] == [("复制推广", "珠三角")]  # not 供各地学习借鉴
    assert ("对照", "世界银行") in by["dongguan-2023"] and ("参照", "省") in by["dongguan-2023"]
    assert ("借鉴", "国际") in by["quzhou-2018"]


@pytest.mark.parametrize("text", [
    "为深入学习贯彻党的二十大精神。",
    "供各地学习借鉴,扎实推进。",
    "主动深化穗莞、深莞营商环境动态学习交流。",
    "加强人才培训和学习,建立常态化法治学习机制。",
    "贯彻《广州市对标国际先进水平、全面优化营商环境的若干措施》。",
    "参照省委有关规定执行。",
])
def test_no_false_positives(text):
    assert find_references(text, Lexicon.load(LEXICON / "learning.csv")) == []


def test_nested_quotes_and_lists():
    lex = Lexicon.load(LEXICON / "learning.csv")
    rows = find_references("学习广州“‘一门式’政策兑现”做法;向广深看齐;借鉴北京、上海等城市的先进经验。", lex)
    assert [(r["verb"], r["place"], r["practice"]) for r in rows] == [
        ("学习", "广州", "‘一门式’政策兑现"), ("看齐", "广深", ""), ("借鉴", "北京", ""), ("借鉴", "上海", "")]
