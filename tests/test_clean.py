"""Cleaning: page chrome gone, glosses removed, Simplified script, metadata kept."""

from __future__ import annotations

import re

import pytest

from bizenv_analysis.clean import PINYIN_GLOSS, normalise_line, strip_glosses, to_simplified

CHROME = ["返回首页", "返回顶部", "相关新闻", "扫码分享", "责任编辑", "无障碍阅读", "当前位置",
          "浏览量", "关于国脉", "11.jpg", "更多精彩", "东府办〔2023〕14号", "现印发给你们",
          "发表时间", "专题|", "摘要:", "联通", ".xls"]
# Traditional forms that occur in the raw Dongguan page and must all be gone.
TRADITIONAL = "東廣營環區辦發業關於為與會議審務個時條劃機構經濟權對傳統實現鎮當處"


def test_no_page_chrome_in_any_cleaned_document(built):
    for doc in built["documents"].itertuples():
        for chrome in CHROME:
            assert chrome not in doc.text, f"{doc.source_id} still contains {chrome!r}"


def test_documents_start_with_their_content(built):
    docs = built["documents"].set_index("source_id")["text"]
    assert docs["tianhe-2020"].startswith("天河区全面优化营商环境行动方案\n为贯彻落实")
    assert docs["dongguan-2023"].startswith("关于加快打造与广深一体化的营商环境行动方案\n为深入学习")
    assert docs["gd-cases-2024"].startswith("编者按:")
    assert docs["gd-cases-2024"].endswith("改革创新“十佳亮点”项目。")
    assert docs["quzhou-2018"].endswith("应容尽容。(责任单位:市纪委〔监委〕、市委组织部、大督考工作专班)")


def test_all_283_dongguan_glosses_removed_and_real_parentheses_kept(built):
    docs = built["documents"].set_index("source_id")
    assert docs.loc["dongguan-2023", "n_glosses_removed"] == 283
    assert docs["n_glosses_removed"].drop("dongguan-2023").eq(0).all()
    for text in docs["text"]:
        assert not PINYIN_GLOSS.search(text)
    assert "(PPP)" in docs.loc["quzhou-2018", "text"]
    meta = built["metadata"]
    assert "各镇人民政府(街道办事处)、市直有关各单位" in set(meta["value"])


def test_cleaned_text_is_simplified(built):
    for doc in built["documents"].itertuples():
        assert to_simplified(doc.text) == doc.text
        assert not set(TRADITIONAL) & set(doc.text), doc.source_id
    assert built["documents"].set_index("source_id").loc["dongguan-2023", "n_chars_converted"] > 1000


def test_metadata_extracted_from_page_chrome(built):
    meta = {(r.source_id, r.field): r.value for r in built["metadata"].itertuples()}
    assert meta[("dongguan-2023", "doc_number")] == "东府办〔2023〕14号"
    assert meta[("dongguan-2023", "issued")] == "2023-08-20"
    assert meta[("dongguan-2023", "issuer")] == "东莞市人民政府办公室"
    assert meta[("tianhe-2020", "attachment")] == "天河区全面优化营商环境任务清单.xls"
    assert meta[("tianhe-2020", "published")] == "2020-04-01"
    assert meta[("gz-pilot-2021", "author")] == "皮泽红"
    assert meta[("quzhou-2018", "published")] == "2018-07-06 07:28"


def test_every_removed_line_is_recorded_with_its_rule(built):
    removed = built["removed"]
    rules = removed.groupby("source_id")["rule"].apply(set)
    assert "notice_wrapper" in rules["dongguan-2023"]
    assert "advert" in rules["gd-cases-2024"]
    assert (removed["rule"] == "pinyin_gloss").sum() == 283
    advert = removed[(removed["source_id"] == "gd-cases-2024") & (removed["rule"] == "advert")]
    assert advert["text"].iloc[0] == "关于国脉"


@pytest.mark.parametrize(("raw", "clean"), [
    ("進一步優化營商環(huán)境", "進一步優化營商環境"),
    ("事處)(fā)", "事處)(fā)"),  # a gloss must follow a Han character
    ("投資(PPP)項目", "投資(PPP)項目"),
    ("環（huán）境", "環境"),
])
def test_strip_glosses(raw, clean):
    assert strip_glosses(raw)[0] == clean


def test_normalise_line_unifies_widths_and_spaces():
    assert normalise_line("“最多跑一次” 改革（试点）：　一窗") == "“最多跑一次”改革(试点):一窗"
    assert normalise_line('推行"一网通办"') == "推行“一网通办”"
    assert normalise_line("300万panel RF/FC-CSP") == "300万panel RF/FC-CSP"
    assert re.fullmatch(r"\S+", normalise_line("产品设计 、加工"))
