"""Measures: the counts the documents enumerate, and where each item starts and ends."""

from __future__ import annotations

import re
import warnings

import pytest
from bundled import LEX

from bizenv_analysis.text.measures import StructureWarning, parse_units, segment_document

# The counts the documents' own numbering states (line numbers of data/raw/), not the code's output:
EXPECTED = {
    # 一是…三是 (lines 25-29), 一是 二是 (37, 47), 一是…五是 (63-89): 3 + 2 + 5
    ("gz-pilot-2021", "measure"): 10,
    # 二、主要任务 numbers 1.-32. (lines 18-88); 三、保障措施 has (一)-(五) (lines 92-108)
    ("tianhe-2020", "measure"): 32, ("tianhe-2020", "safeguard"): 5,
    # 1.-25. under 一、-六、 (lines 11-40); 七、 (line 41), the safeguards, is one unnumbered block
    ("dongguan-2023", "measure"): 25, ("dongguan-2023", "safeguard"): 1,
    # 1.-24. under 三、 (lines 29-83); 25.-30. under 四、健全工作体系 (lines 87-97)
    ("quzhou-2018", "measure"): 24, ("quzhou-2018", "safeguard"): 6,
    # the 一是… of each case's 主要做法 (not of its 取得成效): 4 + 3 + 3 + 3 + 5 (see below)
    ("gd-cases-2024", "measure"): 18,
}


def test_counts_per_source_and_kind(measures):
    counts = measures.groupby(["source_id", "kind"]).size().to_dict()
    assert counts == EXPECTED
    assert len(measures) == 121  # 109 measures (10 + 32 + 25 + 24 + 18) + 12 safeguards (5 + 1 + 6)
    assert (measures["kind"] == "safeguard").sum() == 12


def test_general_parts_are_kept_apart_without_renumbering_the_measures(built):
    general = built["measures"][built["measures"]["kind"] == "general"]
    assert [(r.measure_id, r.number, r.chapter, r.title) for r in general.itertuples()] == [
        ("tianhe-2020:g01", "", "工作目标", "工作目标"),
        ("quzhou-2018:g01", "1", "总体要求和主要目标", "总体要求"),
        ("quzhou-2018:g02", "2", "总体要求和主要目标", "主要目标"),
        ("quzhou-2018:g03", "", "基本原则", "基本原则")]
    # 二、基本原则 is four —— principles: the chapter's body is one general item, not four measures.
    assert general.set_index("measure_id").loc["quzhou-2018:g03", "text"].count("\n——") == 4


def test_ids_are_stable_and_unique(measures):
    assert measures["measure_id"].is_unique
    assert all(re.fullmatch(r"[a-z0-9-]+:\d{2}", m) for m in measures["measure_id"])
    assert measures.loc["tianhe-2020:33", "title"] == "注重组织领导"
    assert str(measures.loc["quzhou-2018:25", "number"]) == "25"


@pytest.mark.parametrize(("mid", "start", "end"), [
    ("tianhe-2020:01", "深化商事制度改革。深化“一枚公章管审批”", "全面优化市场主体准入准出机制。"),
    ("tianhe-2020:32", "推进公共法律服务平台建设。", "维护港澳青年的合法权益。"),
    ("tianhe-2020:37", "扩大宣传影响。\n各部门要加大舆论宣传力度", "享受到改革带来的变化和红利。"),
    ("dongguan-2023:01", "对照指标评价体系加快实现与广深营商环境的无差异化。", "在莞落地实施。"),
    ("dongguan-2023:25", "强化公共资源交易监管。", "防范围串标等行为。"),
    ("dongguan-2023:26", "保障措施\n市推进政府职能转变", "始终走在前列。"),
    ("quzhou-2018:01", "全面推行“无差别全科受理”改革。", "线上+线下,“最多跑一次”。"),
    ("quzhou-2018:30", "建立容错纠错机制。", "应容尽容。"),
    ("gz-pilot-2021:01", "全面推行“集成服务”", "政策兑现事项超1000项。"),
    ("gz-pilot-2021:03", "创新帮办代办服务", "年度投资总额约4315亿元。"),
    ("gz-pilot-2021:05", "以市场轻微违法经营行为“双免”为抓手", "统一性和协调性。"),
    ("gz-pilot-2021:10", "优化经常性涉企服务", "政务服务事项“跨省通办”。"),
    ("gd-cases-2024:01", "由“两证”办理到“信用”办理升级。", "降低报装成本。"),
    ("gd-cases-2024:13", "创新治理,当好经济发展“法治引擎”。", "法治素养。"),
    ("gd-cases-2024:18", "激活经营主体活力", "法律支援服务3200余人次。"),
])
def test_measure_boundaries(measures, mid, start, end):
    text = measures.loc[mid, "text"]
    assert text.startswith(start)
    assert text.endswith(end)


def test_news_wrap_up_paragraphs_are_not_part_of_items(measures):
    gz = measures[measures["source_id"] == "gz-pilot-2021"]
    assert not gz["text"].str.contains("《意见》").any()
    assert gz.loc["gz-pilot-2021:04", "text"].count("\n") == 4  # the item and its four sub-paragraphs


def test_no_responsible_units_pinyin_or_number_prefix_in_text(measures):
    for m in measures.itertuples():
        assert "责任单位" not in m.text, m.measure_id
        assert not re.search(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+\)", m.text), m.measure_id
        assert not re.match(r"(\d+[.、]|[一二三四五六七八九十]+是|[(（][一二三四五六七八九十]+[)）])", m.text)


def test_quzhou_responsible_units(measures):
    q = measures[measures["source_id"] == "quzhou-2018"]
    assert (q["responsible_units"] != "").all()
    assert q.loc["quzhou-2018:01", "responsible_units"] == "市行政服务中心管理办;市编办;市级相关部门"
    assert q.loc["quzhou-2018:26", "responsible_units"].split(";")[-1] == "各县〔市、区〕"
    assert (measures.loc[measures["source_id"] != "quzhou-2018", "responsible_units"] == "").all()


def test_hierarchy_columns(measures):
    assert measures.loc["tianhe-2020:07", "section"] == "实施项目落地保障工程"
    assert measures.loc["tianhe-2020:07", "chapter"] == "主要任务"
    assert measures.loc["quzhou-2018:25", "chapter"] == "健全工作体系"
    assert measures.loc["quzhou-2018:13", "section"] == "构建诚信开放的投资环境"
    assert measures.loc["gz-pilot-2021:04", "section"] == "与高质量发展相适应的新型监管机制逐步健全"
    assert measures.loc["gd-cases-2024:05", "section"] == "创设筹建合伙人机制,政企协同提升产业项目建设效率"


def test_case_practices_and_places(built, measures):
    """By hand from data/raw/gd-cases-2024.txt: the five cases' 主要做法 list 一是…四是 (lines 13-19,
    越秀区), 一是…三是 (37-41, 黄埔区), 一是…三是 (65-69, 黄埔区), 一是…三是 (89-93, 花都区) and 一是…五是
    (115-123, 南沙区): practices 4, 3, 3, 3, 5; per district 越秀 4, 黄埔 3 + 3 = 6, 花都 3, 南沙 5.
    Case 2's 一是服务效能提升 (line 45) opens its 工作成效, a result."""
    gd = measures[measures["source_id"] == "gd-cases-2024"]
    assert gd["place"].value_counts().to_dict() == {
        "广州市南沙区": 5, "广州市越秀区": 4, "广州市黄埔区": 6, "广州市花都区": 3}
    assert not gd["text"].str.contains("服务效能提升,实现了建设降本增效").any()  # a result, not a practice
    cases = built["cases"]
    assert cases["n_practices"].tolist() == [4, 3, 3, 3, 5]
    assert cases["place"].tolist() == ["广州市越秀区", "广州市黄埔区", "广州市黄埔区", "广州市花都区",
                                       "广州市南沙区"]
    assert cases.loc[1, "results"].startswith("一是服务效能提升")
    assert cases.loc[0, "background"].startswith("为进一步发挥信用")


@pytest.mark.parametrize(("note", "units"), [
    ("责任单位:市发改委、市商务局,市级相关部门", ["市发改委", "市商务局", "市级相关部门"]),
    ("牵头单位:市发改委;责任单位:市财政局、各县〔市、区〕", ["市发改委", "市财政局", "各县〔市、区〕"]),
    ("市发改委牵头,市商务局、市财政局配合", ["市发改委", "市商务局", "市财政局"]),
    ("各有关部门按职责分工负责", ["各有关部门"]),
    ("市工商质监局牵头负责", ["市工商质监局"]),
    ("以下简称《意见》", []),
])
def test_parse_units(note, units):
    assert parse_units(note) == units


def test_unstructured_document_falls_back_to_paragraphs_with_a_warning():
    g = LEX.grammar
    text = ("某市营商环境工作情况\n今年以来,我市持续优化营商环境,推动审批提速。\n"
            "下一步,我市将继续深化改革,完善服务体系。")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows, cases = segment_document("x-2024", text, "某市", g)
    assert [r["kind"] for r in rows] == ["paragraph", "paragraph"]
    assert rows[0]["measure_id"] == "x-2024:01"
    assert any(issubclass(w.category, StructureWarning) and "x-2024" in str(w.message) for w in caught)
    assert cases == []
