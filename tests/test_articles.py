"""Legal structure (issue #25): Markdown cleaning, articles, 款/项, parts and deontic statements.

Known answers come from data/regulations/manifest.csv, from the raw files recounted here by another
method (their `## ` heading lines), from articles read by hand, and from synthetic text."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from bizenv_analysis import legal_steps, steps
from bizenv_analysis.base.paths import DATA, REGULATIONS
from bizenv_analysis.io import sources
from bizenv_analysis.rules.lexicon import Lexicon
from bizenv_analysis.text import articles, clean, measures

LEX = Lexicon.load(REGULATIONS)
LEGAL, GRAMMAR = LEX.legal, LEX.grammar
MANIFEST = pd.read_csv(REGULATIONS / "manifest.csv", dtype={"articles": int, "chapters": int})


@pytest.fixture(scope="module")
def reg() -> dict:
    """The regulations corpus through the build's steps sources → clean → measures → articles."""
    v: dict = {"raws": sources.load_raw_documents(REGULATIONS), "lexicon": LEX, "jobs": 1, "data_dir": REGULATIONS,
               "vdir": REGULATIONS / "validation"}
    for run in (steps.clean_documents, steps.segment, legal_steps.structure):
        v |= run(v)
    return v


# --- Markdown cleaning ----------------------------------------------------------------------------

def test_strip_markdown_on_a_small_file():
    lines = ["# 某市优化营商环境条例", "", "2021年10月28日 某市人民代表大会常务委员会第四十一次会议通过",
             "2022年1月5日 某市人民代表大会常务委员会《关于修改的决定》第一次修正)", "<!-- INFO END -->",
             "## 第一章 总则", "第一条 为了优化营商环境,制定本条例。"]
    kept, removed, meta = clean.strip_markdown(lines, LEGAL)
    assert kept == ["", "", "", "", "", "第一章 总则", "第一条 为了优化营商环境,制定本条例。"]
    assert [(r["line"], r["rule"]) for r in removed] == [
        (1, "markdown_title"), (3, "markdown_info"), (4, "markdown_info"), (5, "markdown_info"),
        (6, "markdown_heading_mark")]
    assert removed[-1]["text"] == "##"
    assert meta == [{"field": "title_line", "value": "某市优化营商环境条例"},
                    {"field": "adopted", "value": "2021-10-28"}, {"field": "amended", "value": "2022-01-05"}]


def test_markdown_is_recognised_only_by_its_title_or_info_line():
    assert clean.is_markdown(["", "# 标题", "正文"]) and clean.is_markdown(["标题", "<!-- INFO END -->"])
    assert not clean.is_markdown(["#标签 不是标题", "正文"]) and not clean.is_markdown(["一、总体要求"])
    # the five bundled sources are plain text: cleaning leaves them as they were
    bundled = sources.load_raw_documents(DATA)
    assert len(bundled) == 5 and not any(clean.is_markdown(r.text.split("\n")) for r in bundled)


def test_header_dates_of_the_regulations_become_metadata(reg):
    meta = reg["metadata.csv"]
    shanghai = meta[meta["source_id"] == "shanghai-2024"]
    assert list(shanghai["field"]) == ["title_line", "adopted", "amended", "amended", "amended"]
    assert list(shanghai["value"][1:]) == ["2020-04-10", "2021-10-28", "2023-11-22", "2024-09-27"]
    national = meta[meta["source_id"] == "cn-national-2019"].set_index("field")["value"]
    assert national.to_dict() == {"title_line": "优化营商环境条例", "adopted": "2019-10-08",
                                  "promulgated": "2019-10-22", "in_force": "2020-01-01"}
    assert not reg["documents.csv"]["text"].str.contains("INFO END|^#", regex=True).any()


# --- articles, chapters and parts -------------------------------------------------------------------

def test_every_article_of_the_manifest_is_found_once(reg):
    arts = reg["articles.csv"]
    assert len(arts) == MANIFEST["articles"].sum() == 799
    expected = dict(zip(MANIFEST["source_id"], MANIFEST["articles"], strict=True))
    assert arts.groupby("source_id").size().to_dict() == expected
    assert arts["article_id"].is_unique and set(arts["measure_id"]) == set(reg["measures.csv"]["measure_id"])
    ids = arts.loc[arts["source_id"] == "shanghai-2024", "article_id"]
    assert list(ids) == [f"shanghai-2024:a{n:03d}" for n in range(1, 98)]


def test_chapters_per_source_and_the_inferred_first_chapter_of_henan(reg):
    arts = reg["articles.csv"]
    headed = arts[~arts["chapter_inferred"]].groupby("source_id")["chapter_no"].nunique()
    assert headed.to_dict() == dict(zip(MANIFEST["source_id"], MANIFEST["chapters"], strict=True))
    henan = arts[arts["source_id"] == "henan-2020"]
    first = henan[henan["number"] <= 9]
    assert first["chapter_inferred"].all() and (first["chapter_no"] == 1).all() and (first["part"] == "general").all()
    assert not henan.loc[henan["number"] > 9, "chapter_inferred"].any()
    assert henan["chapter_no"].nunique() == 8  # its 7 headings (第二章 … 第八章) and the inferred 第一章


def _articles_under_headings(text: str) -> dict[str, int]:
    """Articles (lines starting 第…条) under each `## ` heading of a raw file, by the heading's
    words without its number and spaces: another reading than the build's outline."""
    counts: dict[str, int] = {}
    heading = ""
    for line in text.splitlines():
        if line.startswith("## "):
            heading = re.sub(r"\s", "", line[3:]).split("章", 1)[-1]
        elif heading and re.match(r"第[一二三四五六七八九十百零]+条", line):
            counts[heading] = counts.get(heading, 0) + 1
    return counts


def test_parts_recounted_from_the_raw_headings(reg):
    raw = {r.source_id: _articles_under_headings(r.text) for r in reg["raws"]}
    arts = reg["articles.csv"]
    headed = arts[(arts["chapter_kind"] != "none") & ~arts["chapter_inferred"]]
    for title, part in (("总则", "general"), ("附则", "supplementary"), ("法律责任", "liability")):
        expected = {sid: n[title] for sid, n in raw.items() if n.get(title)}
        got = headed[headed["part"] == part].groupby("source_id").size().to_dict()
        assert got == expected, part
    assert sum(n.get("总则", 0) for n in raw.values()) == 76
    assert sum(n.get("附则", 0) for n in raw.values()) == 14
    assert sum(n.get("法律责任", 0) for n in raw.values()) == 21


def test_general_chapters_are_general_items_in_measures(reg):
    arts, table = reg["articles.csv"], reg["measures.csv"]
    kind = table.set_index("measure_id")["kind"]
    # under a 总则 or 附则 heading; henan's inferred first chapter has no heading, so its articles stay measures
    framed = arts[arts["chapter_kind"].isin(["general", "supplementary"]) & ~arts["chapter_inferred"]]
    assert (framed["measure_id"].map(kind) == "general").all() and len(framed) == 90
    assert (arts.loc[~arts.index.isin(framed.index), "measure_id"].map(kind) == "measure").all()


def test_a_text_without_chapters_takes_its_parts_from_the_article_text(reg):
    yantai = reg["articles.csv"].query("source_id == 'yantai-2021'").set_index("number")
    assert (yantai["chapter_kind"] == "none").all() and yantai["chapter_no"].isna().all()
    assert yantai.loc[1, "part"] == "general" and yantai.loc[23, "part"] == "supplementary"
    assert yantai.loc[21, "part"] == "substantive"  # 不予行政处罚: no sanction for breaking the regulation
    assert articles.article_part("none", "违反本条例规定的,依法给予处分。", LEGAL) == "liability"
    assert articles.article_part("liability", "本条例自2022年1月1日起施行。", LEGAL) == "liability"


def test_ids_of_a_regulation_past_999_articles_sort_as_text():
    text = "\n".join(f"第{n}条 第{n}项规定应当遵守。" for n in range(1, 1006))
    docs = pd.DataFrame({"source_id": ["long-2020"], "text": [text]})
    table, _, structure = measures.measures_tables(docs, {}, GRAMMAR)
    arts = articles.article_tables(docs, table, structure, GRAMMAR, LEGAL)["articles.csv"]
    assert len(arts) == 1005 and arts["article_id"].iloc[-1] == "long-2020:a1005"
    assert arts["article_id"].iloc[0] == "long-2020:a0001"
    assert sorted(arts["article_id"]) == list(arts.sort_values("number")["article_id"])


def test_a_corpus_without_articles_gets_no_table():
    text = "一、优化审批\n压缩审批时限,提高效率。\n二、强化监管\n加强监管。"
    docs = pd.DataFrame({"source_id": ["plan"], "text": [text]})
    table, _, structure = measures.measures_tables(docs, {}, GRAMMAR)
    assert articles.article_tables(docs, table, structure, GRAMMAR, LEGAL) == {}


# --- 款 and 项 -----------------------------------------------------------------------------------------

def test_paragraphs_and_points_of_two_national_articles(reg):
    arts = reg["articles.csv"].set_index("article_id")
    units = reg["provisions.csv"]
    # art. 32: two paragraphs (国家机关…不得违约拖欠 / 县级以上人民政府…应当加大清理力度), no point
    assert tuple(arts.loc["cn-national-2019:a032", ["n_paragraphs", "n_points"]]) == (2, 0)
    # art. 69: one lead-in (有下列情形之一的,依法依规追究责任:) and points (一) … (十一)
    assert tuple(arts.loc["cn-national-2019:a069", ["n_paragraphs", "n_points"]]) == (1, 11)
    own = units[units["article_id"] == "cn-national-2019:a069"]
    lead = "cn-national-2019:a069.k1"
    assert list(own["unit_id"]) == [lead] + [f"{lead}.x{q}" for q in range(1, 12)]
    assert own["text"].iloc[-1].startswith("(十一)其他不履行")
    assert units["unit_id"].is_unique
    assert (arts["n_paragraphs"] + arts["n_points"]).sum() == len(units)


def test_a_paragraph_after_points_is_a_new_paragraph():
    text = "有下列情形之一的,不予处罚:\n(一)首次违法;\n(二)及时改正。\n前款规定的情形除外。"
    rows = articles.provisions("x:a001", text, GRAMMAR)
    assert [r["unit_id"] for r in rows] == ["x:a001.k1", "x:a001.k1.x1", "x:a001.k1.x2", "x:a001.k2"]


# --- deontic statements ------------------------------------------------------------------------------

def _modalities(text: str) -> list[tuple[str, str]]:
    return [(s["modality"], s["addressee"]) for s in articles.deontic_statements("u", text, LEGAL)]


def test_obligation_cues_are_modal_verbs_only():
    assert _modalities("推广应用电子证照,提升应对风险能力,完善相应制度。") == []
    assert _modalities("市场监督管理部门应依法公示。") == [("obligation", "department")]
    assert _modalities("县级以上人民政府应当加强组织领导。") == [("obligation", "government")]


def test_prohibitions():
    assert _modalities("办理时间不得超过5个工作日。") == [("prohibition", "unspecified")]
    assert _modalities("任何单位不可以强制市场主体参加评比。") == [("prohibition", "other")]
    assert _modalities("因不可抗力造成损失的,依法处理。") == []


def test_one_sentence_with_two_modalities_gives_two_statements():
    found = articles.deontic_statements("u", "公用企事业单位应当公开收费标准,不得收取不合理费用。", LEGAL)
    assert [(s["modality"], s["cue"], s["addressee"], s["offset"]) for s in found] == [
        ("obligation", "应当", "department", 7), ("prohibition", "不得", "department", 16)]
    assert [s["statement_id"] for s in found] == ["u.s1", "u.s2"]
    # one modality twice in a sentence is one statement; each sentence has its own
    assert _modalities("国家鼓励和支持企业创新。市场主体可以申请延期;人民法院应当依法审理。") == [
        ("encouragement", "government"), ("permission", "market_entity"), ("obligation", "court")]


def test_deontic_statements_of_the_corpus(reg):
    found, arts = reg["deontics.csv"], reg["articles.csv"]
    assert found["statement_id"].is_unique
    for modality in ("obligation", "permission", "prohibition", "encouragement"):
        per_article = found[found["modality"] == modality].groupby("article_id").size()
        assert arts.set_index("article_id")[f"n_{modality}"].loc[per_article.index].tolist() == per_article.tolist()
    # national art. 32, read by hand: 不得 (国家机关、事业单位), again 不得 in the same sentence, then 应当
    own = found[found["article_id"] == "cn-national-2019:a032"]
    assert list(zip(own["modality"], own["addressee"], strict=True)) == [("prohibition", "department"),
                                                                         ("obligation", "department")]


def test_the_regulations_tables_are_described(reg):
    pkg = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    described = {r["path"].split("/")[-1]: [f["name"] for f in r["schema"]["fields"]]
                 for r in pkg["resources"] if r.get("corpus") == "regulations"}
    # the tables of this step; tests/test_legal_frame.py checks those of the whole build
    names = ("articles.csv", "provisions.csv", "deontics.csv", "hierarchy.csv", "validation_deontic.csv")
    assert {name: described[name] for name in names} == {name: list(reg[name].columns) for name in names}
