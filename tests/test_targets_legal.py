"""Extractors for laws (#25, item 3): quantities in Chinese numerals, the response_deadline class, and
citations of higher law. Known answers built by hand, refusals, and checks on the twelve regulations
(data/regulations) recounted from their raw text by a method of the test's own."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from bundled import LEX

from bizenv_analysis.base.paths import LEXICON, REGULATIONS
from bizenv_analysis.io.sources import load_raw_documents
from bizenv_analysis.io.tables import load
from bizenv_analysis.rules.citations import LAW_LEVELS, RELATIONS
from bizenv_analysis.text import clean, measures
from bizenv_analysis.text.citations import (
    CITATION_COLUMNS,
    citations_table,
    cited_source,
    cites_law,
    measure_citations,
)
from bizenv_analysis.text.targets import cn_value, extract_targets, targets_table


def quantities(text: str, doc_type: str = "regulation") -> list[dict]:
    return extract_targets(text, LEX.topics, LEX.cues, LEX.time_classes, doc_type=doc_type)


def one(text: str) -> dict:
    rows = quantities(text)
    assert len(rows) == 1, rows
    return rows[0]


# --- Chinese-numeral quantities: the known-answer table of design item 3(c) ----------------------

@pytest.mark.parametrize("text, phrase, value, unit, days, day_type, time_class", [
    ("不能即时办结的，应当在五个工作日内办结。", "五个工作日内", "5", "个工作日", 5.0, "working", "processing_limit"),
    ("对投诉应当在三十日内作出处理。", "三十日内", "30", "日", 30.0, "calendar", "processing_limit"),
    ("向社会公开征求意见的期限一般不少于三十日。", "不少于三十日", "30", "日", 30.0, "calendar", "minimum_window"),
    ("临时许可的有效期为一个月。", "一个月", "1", "个月", 30.0, "calendar", "period"),
    ("行政机关应当自受理之日起二十日内作出决定。", "二十日内", "20", "日", 20.0, "calendar", "response_deadline"),
    ("自收到申请之日起十五日内书面答复。", "十五日内", "15", "日", 15.0, "calendar", "response_deadline"),
    ("评估应当在一百零五日内完成。", "一百零五日内", "105", "日", 105.0, "calendar", "processing_limit"),
])
def test_chinese_numeral_time_limits(text, phrase, value, unit, days, day_type, time_class):
    row = one(text)
    assert (row["phrase"], row["value"], row["unit"], row["days"], row["day_type"], row["kind"], row["time_class"]) \
        == (phrase, value, unit, days, day_type, "time_limit", time_class)


def test_chinese_percentages():
    row = one("中小企业采购份额不低于百分之二十。")
    assert (row["phrase"], row["value"], row["unit"], row["kind"]) == ("不低于百分之二十", "20", "%", "percentage")
    assert one("增长百分之二点五。")["value"] == "2.5"


@pytest.mark.parametrize("numeral, value", [("十五", "15"), ("一百零五", "105"), ("十", "10"), ("两", "2"),
                                            ("三十", "30"), ("二十", "20"), ("二〇二〇", None), ("三五", None),
                                            ("十两", None)])
def test_numerals_of_quantities(numeral, value):
    assert cn_value(numeral) == value


@pytest.mark.parametrize("text", [
    "参照省“三年工程两年干”工作要求，加快项目落地。",  # a slogan: no legal cue (dongguan-2023)
    "本条例自二〇二〇年一月一日起施行。",  # a date in Chinese numerals
    "申请人应当于公告期满后第三十日前提出。",  # an ordinal
    "全面推行一网通办，实现一件事一次办。",  # names, no unit
    "项目实施两年来，成效明显。",  # no cue: a narrative's time
])
def test_refused(text):
    assert quantities(text) == []


def test_a_list_of_limits_shares_its_cues():
    rows = quantities("对企业用户报装，应当自报装之日起分别于五个工作日、七个工作日、八个工作日内办结。")
    assert [(r["value"], r["time_class"], r["modality"]) for r in rows] == [
        (v, "response_deadline", "target") for v in ("5", "7", "8")]
    assert [r["phrase"] for r in rows] == ["五个工作日", "七个工作日", "八个工作日内"]


def test_a_law_s_limits_are_targets():
    assert one("低压供电的，供电企业接电时间不得超过八个工作日。")["modality"] == "target"
    assert one("办理时间为一个工作日。")["time_class"] == "processing_limit"
    assert one("行政处罚信息的最短公示期为三个月。")["time_class"] == "period"


def test_arabic_numerals_are_read_as_before():
    row = one("应当在7个工作日内办结。")
    assert (row["phrase"], row["value"], row["time_class"]) == ("7个工作日内", "7", "processing_limit")
    assert quantities("于2020年3月27日通过。") == []


def test_the_bundled_corpus_keeps_no_chinese_numeral_quantity():
    """The five sources' only Chinese-numeral time phrases are the slogan 三年工程两年干: no row."""
    found = targets_table(load("measures"), LEX.topics, LEX.cues, LEX.time_classes)
    assert not found["phrase"].str.contains("[一二两三四五六七八九十百]").any()
    assert "三年工程两年干" in " ".join(load("measures")["text"])


# --- the twelve regulations -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def regulations() -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """(documents, measures, raw text after the header) of data/regulations, built as the build does."""
    raws = load_raw_documents(REGULATIONS)
    docs = clean.documents_table(raws, [clean.clean_document(r, LEX.chrome) for r in raws])
    table, _, _ = measures.measures_tables(docs, {r.source_id: r.meta["place"] for r in raws}, LEX.grammar)
    bodies = {r.source_id: r.text.split("<!-- INFO END -->", 1)[-1] for r in raws}
    return docs, table, bodies


# the test's own count: a Chinese numeral and a time unit, not after 第 or another numeral
RAW_QUANTITY = re.compile(r"(?<![第零〇一二两三四五六七八九十百千])[一二两三四五六七八九十百千]+"
                          r"(?:个工作日|工作日|个小时|小时|个月|日|天|周|年)")


def test_every_chinese_numeral_limit_of_the_regulations_is_kept(regulations):
    """No regulation writes a slogan or a Chinese date in its articles' quantities: every raw hit is kept."""
    _, table, bodies = regulations
    found = targets_table(table, LEX.topics, LEX.cues, LEX.time_classes)
    chinese = found[found["phrase"].str.contains("[一二两三四五六七八九十]")]
    per_source = chinese.groupby("source_id").size().to_dict()
    raw = {sid: n for sid, body in bodies.items() if (n := len(RAW_QUANTITY.findall(body)))}
    assert per_source == raw
    assert set(chinese["time_class"]) <= {"processing_limit", "response_deadline", "minimum_window", "period", "other"}
    # beijing-2020 art. 39 and henan-2020's complaints article, by hand
    assert "不超过十五个工作日" in set(found.loc[found["source_id"] == "beijing-2020", "phrase"])
    complaints = found[(found["source_id"] == "henan-2020") & (found["phrase"] == "三十日内")]  # 三十日内办结并答复
    assert list(complaints["time_class"]) == ["response_deadline"]


@pytest.fixture(scope="module")
def citations(regulations) -> pd.DataFrame:
    docs, table, _ = regulations
    return citations_table(table, dict(zip(docs["source_id"], docs["title"], strict=True)),
                           dict(zip(docs["source_id"], docs["date"], strict=True)), LEX.citations)


def test_the_national_regulation_is_cited_by_eight_local_texts(citations, regulations):
    docs, _, bodies = regulations
    national = docs.loc[docs["admin_level"] == "national", "title"].item()
    local = set(docs.loc[docs["admin_level"] != "national", "source_id"])
    by_raw_text = {sid for sid in local if f"《{national}》" in bodies[sid]}
    rows = citations[citations["cited_title"] == national]
    assert set(rows["source_id"]) == by_raw_text and len(by_raw_text) == 8
    assert set(rows["cited_source_id"]) == {"cn-national-2019"}
    assert set(rows["relation"]) == {"legal_basis"} and set(rows["law_level"]) == {"administrative_regulation"}
    assert rows["sentence"].str.endswith("制定本条例。").all()  # each the law's own basis (its first article)


def test_citations_of_the_regulations_by_level(citations):
    assert list(citations.columns) == CITATION_COLUMNS
    assert set(citations["relation"]) <= set(RELATIONS) and set(citations["law_level"]) <= set(LAW_LEVELS)
    esign = citations[citations["cited_title"] == "中华人民共和国电子签名法"]
    assert set(esign["source_id"]) == {"beijing-2020", "chongqing-2021"} and set(esign["law_level"]) == {"law"}
    shandong = citations[citations["cited_title"] == "山东省优化营商环境条例"].iloc[0]
    assert (shandong["source_id"], shandong["cited_source_id"], shandong["law_level"], shandong["relation"]) == (
        "dezhou-2021", "shandong-2020", "local_regulation", "legal_basis")
    plan = citations[citations["cited_title"] == "北京城市总体规划"].iloc[0]
    assert (plan["relation"], plan["law_level"], plan["cited_source_id"]) == ("cites", "other", "")
    assert citations["citation_id"].is_unique


# --- citations: known answers ----------------------------------------------------------------------

@pytest.mark.parametrize("text, title, relation, law_level", [
    ("为了优化营商环境，根据《中华人民共和国民法典》和国务院《优化营商环境条例》等法律、行政法规，结合本省实际，制定本条例。",
     "优化营商环境条例", "legal_basis", "administrative_regulation"),
    ("为了贯彻实施《中华人民共和国行政许可法》，规范审批行为。", "中华人民共和国行政许可法", "implements", "law"),
    ("各部门应当保障《青岛市优化营商环境条例》的实施。", "青岛市优化营商环境条例", "implements", "local_regulation"),
    ("依照《行政许可法》的规定办理。", "行政许可法", "cites", "law"),
    ("按照《广州市促进中小企业发展管理办法》执行的。", "广州市促进中小企业发展管理办法", "cites", "other"),
    ("参照《中华人民共和国市场主体登记管理条例》。", "中华人民共和国市场主体登记管理条例", "cites",
     "administrative_regulation"),
    ("依据《内蒙古自治区优化营商环境条例》制定实施细则。", "内蒙古自治区优化营商环境条例", "legal_basis",
     "local_regulation"),
])
def test_citation_known_answers(text, title, relation, law_level):
    rows = {r["cited_title"]: r for r in measure_citations(text, LEX.citations)}
    assert (rows[title]["relation"], rows[title]["law_level"]) == (relation, law_level)


def test_a_title_named_twice_gives_one_row_with_its_strongest_relation():
    text = "符合《优化营商环境条例》规定的。根据《优化营商环境条例》，制定本办法。"
    rows = measure_citations(text, LEX.citations)
    assert [(r["cited_title"], r["relation"]) for r in rows] == [("优化营商环境条例", "legal_basis")]
    assert rows[0]["sentence"] == "根据《优化营商环境条例》，制定本办法。"


def test_the_cited_version_is_the_latest_no_later_than_the_citing_text():
    titles = {"sh-2020": "上海市优化营商环境条例", "sh-2024": "上海市优化营商环境条例", "a": "甲", "b": "乙", "c": "丙"}
    dates = {"sh-2020": "2020-04-10", "sh-2024": "2024-09-27", "a": "2022-01-01", "b": "2025-01-01", "c": "2019-01-01"}
    title = "上海市优化营商环境条例"
    assert cited_source(title, "a", titles, dates) == "sh-2020"
    assert cited_source(title, "b", titles, dates) == "sh-2024"
    assert cited_source(title, "c", titles, dates) == ""
    assert cited_source(title, "sh-2024", titles, dates) == "sh-2020"  # never itself
    assert cited_source("不在语料中的条例", "b", titles, dates) == ""


def test_the_bundled_corpus_cites_no_law():
    """It names 《…》 titles (a licence, a catalogue, a pilot rule …) but no law or regulation, so the
    build writes no citations.csv for it."""
    table = load("measures")
    docs = load("documents")
    found = citations_table(table, dict(zip(docs["source_id"], docs["title"], strict=True)),
                            dict(zip(docs["source_id"], docs["date"].astype(str), strict=True)), LEX.citations)
    assert len(found) > 0 and not cites_law(found)
    assert "regulation" not in set(docs["doc_type"])


def test_higher_law_rules_are_documented_with_their_count():
    rules = pd.read_csv(LEXICON / "higher_law.csv", dtype=str, keep_default_na=False)
    readme = (LEXICON / "README.md").read_text(encoding="utf-8")
    stated = re.search(r"## higher_law\.csv: citations of higher law \((\d+) rules\)", readme)
    assert stated and int(stated.group(1)) == len(rules) == len(LEX.citations.rules)
    assert (rules["note"] != "").all()


# --- the regulations' hand check: matching and metrics (analysis.extractor_check) -------------------

CHECK = """cand_id,source_id,article,phrase,value,unit,kind,time_class,is_limit,note
x:a001#1,x,1,五个工作日,5,个工作日,time,processing_limit,yes,
x:a001#2,x,1,一项,1,项,count,,,
x:a002#1,x,2,三年,3,年,time,period,no,
x:a002#2,x,2,三十日,30,日,time,processing_limit,yes,
"""


def test_the_legal_check_is_matched_within_articles(tmp_path):
    from bizenv_analysis.analysis import extractor_check as ec

    (tmp_path / ec.QUANTITIES_CHECK).write_text(CHECK, encoding="utf-8")
    targets = pd.DataFrame([
        {"measure_id": "x:1", "source_id": "x", "phrase": "五个工作日内", "value": "5", "unit": "个工作日",
         "kind": "time_limit", "time_class": "processing_limit", "modality": "target"},
        {"measure_id": "x:2", "source_id": "x", "phrase": "三年", "value": "3", "unit": "年",
         "kind": "time_limit", "time_class": "period", "modality": ""},
        {"measure_id": "x:2", "source_id": "x", "phrase": "两年", "value": "2", "unit": "年",  # not in the check
         "kind": "time_limit", "time_class": "other", "modality": "target"},
        {"measure_id": "y:1", "source_id": "y", "phrase": "一年", "value": "1", "unit": "年",  # y is not coded
         "kind": "time_limit", "time_class": "other", "modality": ""}])
    table = ec.legal_targets_table(targets, {"x:1": 1, "x:2": 2, "y:1": 1}, tmp_path).set_index(["scope", "metric"])
    assert list(table.columns) == [c for c in ec.COLUMNS if c not in ("scope", "metric")]
    k_n = {key: (int(r.k), int(r.n)) for key, r in table.iterrows()}
    assert k_n[("time_quantities", "recall")] == (2, 3)  # 三十日 missed
    assert k_n[("time_quantities", "precision")] == (2, 3)  # 两年 is not in the check
    assert k_n[("time_quantities_arabic", "recall")] == (0, 0)
    assert k_n[("is_limit", "recall")] == (1, 2) and k_n[("is_limit", "precision")] == (1, 2)
    assert k_n[("time_class", "agreement")] == (2, 2)
    # the bundled extractor check leaves a check keyed to articles alone instead of failing on it
    assert ec.extractor_table(targets, pd.DataFrame(), pd.DataFrame(columns=["measure_id", "text"]), tmp_path) is None
