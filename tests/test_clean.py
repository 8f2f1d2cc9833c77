"""Cleaning: page chrome gone, glosses removed, Simplified script, metadata kept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bizenv_analysis.base.chinese import to_simplified
from bizenv_analysis.base.paths import DATA
from bizenv_analysis.io.sources import RawDocument
from bizenv_analysis.text.clean import clean_document, normalise_line, strip_glosses

CHROME = ["返回首页", "返回顶部", "相关新闻", "扫码分享", "责任编辑", "无障碍阅读", "当前位置",
          "浏览量", "关于国脉", "11.jpg", "更多精彩", "东府办〔2023〕14号", "现印发给你们",
          "发表时间", "专题|", "摘要:", "联通", ".xls"]
# Traditional forms that occur in the raw Dongguan page and must all be gone, and their
# Simplified forms written out by hand, character for character.
TRADITIONAL = "東廣營環區辦發業關於為與會議審務個時條劃機構經濟權對傳統實現鎮當處"
SIMPLIFIED = "东广营环区办发业关于为与会议审务个时条划机构经济权对传统实现镇当处"
# Tone-marked pinyin vowels, typed here (not taken from the cleaner's regex).
TONE_MARKED = set("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ")


def pinyin_brackets(source_id: str) -> list[str]:
    """Brackets of a raw file that hold nothing but lower-case pinyin letters (this test's own pattern)."""
    raw = (DATA / "raw" / f"{source_id}.txt").read_text(encoding="utf-8")
    return re.findall(r"[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]", raw)


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
    """283 is counted in the raw file by a pattern of this test, not by the cleaner's regex: every
    bracket in data/raw/dongguan-2023.txt that holds nothing but lower-case pinyin letters
    (`grep -oE '[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+[)）]' data/raw/dongguan-2023.txt | wc -l`:
    283, each with a tone mark). After cleaning no tone-marked vowel is left anywhere."""
    brackets = pinyin_brackets("dongguan-2023")
    assert len(brackets) == 283 and all(TONE_MARKED & set(b) for b in brackets)
    docs = built["documents"].set_index("source_id")
    assert docs.loc["dongguan-2023", "n_glosses_removed"] == 283
    assert docs["n_glosses_removed"].drop("dongguan-2023").eq(0).all()
    for sid, text in docs["text"].items():
        assert not TONE_MARKED & set(text), sid
    assert "(PPP)" in docs.loc["quzhou-2018", "text"]
    meta = built["metadata"]
    assert "各镇人民政府(街道办事处)、市直有关各单位" in set(meta["value"])


def test_cleaned_text_is_simplified(built):
    """No hand-listed Traditional form survives, and Dongguan's count of converted characters is
    at least the number of times those 33 forms occur in its raw file (600, by str.count)."""
    for doc in built["documents"].itertuples():
        assert not set(TRADITIONAL) & set(doc.text), doc.source_id
    raw = (DATA / "raw" / "dongguan-2023.txt").read_text(encoding="utf-8")
    assert sum(raw.count(c) for c in TRADITIONAL) == 600
    assert built["documents"].set_index("source_id").loc["dongguan-2023", "n_chars_converted"] >= 600


def test_to_simplified_known_pairs():
    """Each Traditional form maps to the Simplified form written by hand; Simplified text,
    quotes and Latin letters pass unchanged."""
    assert len(TRADITIONAL) == len(SIMPLIFIED) == 33
    assert to_simplified(TRADITIONAL) == SIMPLIFIED
    assert to_simplified("東莞市人民政府辦公室關於印發") == "东莞市人民政府办公室关于印发"
    assert to_simplified("营商环境“最多跑一次”改革(PPP)") == "营商环境“最多跑一次”改革(PPP)"


def test_clean_document_of_a_two_line_page():
    """A two-line page cleaned with no chrome rules, every count by hand.

    Raw: 東莞市優化營商環(huán)境方案 (17 characters) + newline + 投資(PPP)項目按時辦結。(14) = 32.
    One gloss, (huán) on line 1; (PPP) has no tone mark and stays. Characters converted: line 1
    東 優 營 環 (4), line 2 資 項 時 辦 結 (5) = 9.
    """
    raw = "東莞市優化營商環(huán)境方案\n投資(PPP)項目按時辦結。"
    doc = clean_document(RawDocument("t-2025", Path("t-2025.txt"), {}, raw, len(raw.encode())), [])
    assert doc.text == "东莞市优化营商环境方案\n投资(PPP)项目按时办结。"
    assert (doc.n_chars_raw, doc.n_glosses, doc.n_converted) == (32, 1, 9)
    assert doc.removed == [{"source_id": "t-2025", "line": 1, "rule": "pinyin_gloss", "text": "(huán)"}]


def test_strip_glosses_finds_each_gloss_with_its_line():
    """Line 1: (huán) after 環 and （fā） after 發 are glosses; (PPP) has no tone mark and x(fā)
    follows no Han character, so both stay. Line 2: one gloss, (yè) after 業. Three in all."""
    text, found = strip_glosses("環(huán)境、發（fā）展、投資(PPP)、x(fā)\n企業(yè)")
    assert text == "環境、發展、投資(PPP)、x(fā)\n企業"
    assert found == [(1, "(huán)"), (1, "（fā）"), (2, "(yè)")]


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
    # the removed glosses are exactly the raw file's pinyin brackets (counted by this test's pattern)
    glosses = removed.loc[removed["rule"] == "pinyin_gloss", "text"]
    assert len(glosses) == 283 and sorted(glosses) == sorted(pinyin_brackets("dongguan-2023"))
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
