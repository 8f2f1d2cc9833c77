"""Segmentation of the styles real plans use, on short texts whose items are stated by hand.

Each text is written in one of the forms other places publish (regulations, short runs, dash
bullets, 一要/一是, (1) under 一、, flattened reposts, contents pages, bracketed unit notes);
the expected items are read off the text, not produced by the code.
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from bundled import LEX

from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.io.sources import RawDocument, load_raw_documents
from bizenv_analysis.text.clean import clean_document, documents_table
from bizenv_analysis.text.measures import StructureWarning, measures_tables, segment_document
from bizenv_analysis.text.outline import classify, measure_level, unflatten

G = LEX.grammar


def items(text: str) -> list[tuple]:
    """(kind, number, chapter, section, first characters of the text) of every item."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows, _ = segment_document("x-2025", text, "某市", G)
    return [(r["kind"], r["number"], r["chapter"], r["section"], r["text"][:6]) for r in rows]


REGULATION = """某市优化营商环境条例
目录
第一章 总则
第二章 市场环境
第一节 市场准入
第二节 公平竞争
第三章 附则
第一章 总则
第一条【立法目的】为了持续优化营商环境,根据有关法律法规,结合本市实际,制定本条例。
第二条【适用范围】本市行政区域内优化营商环境工作,适用本条例。
第二章 市场环境
第一节 市场准入
第三条 本市全面落实市场准入负面清单制度。
第四条 市场监管部门应当推行下列措施:
(一)企业登记全程网上办理;
(二)推行电子营业执照。
第二节 公平竞争
第五条 政府采购不得设置不合理条件。
第三章 附则
第六条 本条例自2025年1月1日起施行。"""


def test_regulation_with_contents_parts_labels_and_clauses():
    assert items(REGULATION) == [
        ("general", "1", "总则", "", "为了持续优化"),
        ("general", "2", "总则", "", "本市行政区域"),
        ("measure", "3", "市场环境", "市场准入", "本市全面落实"),
        ("measure", "4", "市场环境", "市场准入", "市场监管部门"),
        ("measure", "5", "市场环境", "公平竞争", "政府采购不得"),
        ("general", "6", "附则", "", "本条例自20"),
    ]
    rows, _ = segment_document("x-2025", REGULATION, "某市", G)
    assert rows[0]["title"] == "立法目的" and rows[0]["measure_id"] == "x-2025:g01"
    assert rows[3]["text"] == "市场监管部门应当推行下列措施:\n(一)企业登记全程网上办理;\n(二)推行电子营业执照。"
    assert [r["measure_id"] for r in rows if r["kind"] == "measure"] == ["x-2025:01", "x-2025:02", "x-2025:03"]


def test_traditional_article_marker():
    assert [i[1] for i in items("第一條 為優化營商環境制定本辦法。\n第二條 本辦法適用於本市。")] == ["1", "2"]


def test_short_runs_under_clear_parents_and_a_cut_off_excerpt():
    text = ("某县优化营商环境工作方案\n一、提升政务服务\n(一)推行一网通办,实现全程网办。\n"
            "二、加强监管\n(一)推行信用监管,建立信用档案。\n(二)推行包容审慎监管,减免轻微违法处罚。")
    assert items(text) == [("measure", "1", "提升政务服务", "", "推行一网通办"),
                           ("measure", "1", "加强监管", "", "推行信用监管"),
                           ("measure", "2", "加强监管", "", "推行包容审慎")]
    excerpt = "某区营商环境改革措施\n一、优化审批\n1.推行告知承诺制,压缩审批时限。\n2.推行并联审批,实现一窗受理。"
    assert [i[1] for i in items(excerpt)] == ["1", "2"]


def test_dash_bullets_under_chapters_are_numbered_by_position():
    text = ("一、优化政务服务\n——推行一网通办,实现全程网办。\n——推行告知承诺制,减少证明材料。\n"
            "二、加强市场监管\n——推行信用分级分类监管。\n三、保障措施\n加强组织领导,压实工作责任。")
    assert items(text) == [("measure", "1", "优化政务服务", "", "推行一网通办"),
                           ("measure", "2", "优化政务服务", "", "推行告知承诺"),
                           ("measure", "1", "加强市场监管", "", "推行信用分级"),
                           ("safeguard", "", "保障措施", "", "保障措施\n加")]


@pytest.mark.parametrize("word", ["是", "要"])
def test_yishi_and_yiyao_items_under_chapters(word):
    text = (f"一、优化政务服务\n一{word}推行一网通办。\n二{word}推行告知承诺制。\n"
            f"二、加强监管\n一{word}推行信用监管。\n二{word}推行双随机抽查。\n三{word}推行包容审慎监管。")
    assert [(i[1], i[2]) for i in items(text)] == [("1", "优化政务服务"), ("2", "优化政务服务"),
                                                  ("1", "加强监管"), ("2", "加强监管"), ("3", "加强监管")]


def test_subitems_directly_under_chapters_are_the_measures():
    text = ("一、优化政务服务\n(1)推行一网通办。\n(2)推行告知承诺制。\n二、加强监管\n(1)推行信用监管。\n"
            "三、降低成本\n(1)清理涉企收费。")
    assert [(i[1], i[2]) for i in items(text)] == [("1", "优化政务服务"), ("2", "优化政务服务"),
                                                  ("1", "加强监管"), ("1", "降低成本")]


def test_points_inside_top_level_items_stay_inside():
    text = "1.推行一网通办。\n(1)建设统一平台;\n(2)推广电子证照。\n2.推行告知承诺制。\n(1)明确事项。\n3.压缩审批时限。"
    rows = items(text)
    assert [i[1] for i in rows] == ["1", "2", "3"]


def test_a_list_inside_one_of_many_sections_stays_inside_it():
    text = ("一、优化政务服务\n(一)推行一网通办,实现全程网办。\n(二)推行告知承诺制,包括:\n1.企业开办;\n2.工程建设;\n"
            "3.不动产登记。\n(三)压缩审批时限。\n(四)推行帮办代办。\n二、加强监管\n(一)推行信用监管。\n(二)推行双随机抽查。")
    rows = items(text)
    assert [(i[1], i[2]) for i in rows] == [("1", "优化政务服务"), ("2", "优化政务服务"), ("3", "优化政务服务"),
                                          ("4", "优化政务服务"), ("1", "加强监管"), ("2", "加强监管")]


def test_mixed_punctuation_of_one_style():
    # After cleaning, full-width 1． becomes 1. and （一） becomes (一); 1、 is the same style.
    text = "(一)优化服务\n1.推行一网通办。\n2、推行告知承诺制。\n(二)加强监管\n3.推行信用监管。\n4、推行双随机抽查。"
    assert [(i[1], i[3]) for i in items(text)] == [("1", "优化服务"), ("2", "优化服务"), ("3", "加强监管"),
                                                  ("4", "加强监管")]


def test_general_chapters_are_their_own_kind_and_do_not_shift_measure_ids():
    text = ("一、总体要求\n(一)指导思想。以习近平新时代中国特色社会主义思想为指导。\n(二)基本原则。坚持问题导向。\n"
            "(三)主要目标。到2025年,营商环境进入全省前列。\n二、主要任务\n(一)优化政务服务\n1.推行一网通办。\n2.推行告知承诺制。\n"
            "(二)加强监管\n3.推行信用监管。\n三、保障措施\n(一)加强组织领导。成立领导小组。\n(二)强化督查考核。纳入年度考核。")
    rows, _ = segment_document("x-2025", text, "某市", G)
    assert [(r["measure_id"], r["kind"], r["number"]) for r in rows] == [
        ("x-2025:g01", "general", "1"), ("x-2025:g02", "general", "2"), ("x-2025:g03", "general", "3"),
        ("x-2025:01", "measure", "1"), ("x-2025:02", "measure", "2"), ("x-2025:03", "measure", "3"),
        ("x-2025:04", "safeguard", "1"), ("x-2025:05", "safeguard", "2")]
    assert rows[0]["title"] == "指导思想"


FLAT = ("一、优化政务服务 (一)深化一网通办 1.推进政务服务事项全程网办,实现可网办率100%。2.推行电子证照应用,"
        "减少证明材料提交。(二)优化审批流程 3.工程建设项目审批时间压缩至60个工作日以内,推行并联审批和联合验收。"
        "二、加强市场监管 (一)推行信用监管 4.建立企业信用档案,开展信用分级分类监管,依法依规实施联合奖惩,"
        "统一、规范执法标准,依照本条例第一条规定执行,做到严格规范公正文明执法,保护市场主体合法权益。")


def test_a_flattened_repost_is_read_as_if_its_lines_were_broken():
    assert len(FLAT) >= 200
    parts = unflatten(FLAT, G)
    assert [p[:4] for p in parts] == ["一、优化", "(一)深", "1.推进", "2.推行", "(二)优", "3.工程",
                                      "二、加强", "(一)推", "4.建立"]
    assert "统一、规范执法标准,依照本条例第一条规定执行" in parts[-1]  # 统一、 and 第一条 inside a sentence stay
    assert [(i[1], i[2], i[3]) for i in items(FLAT)] == [
        ("1", "优化政务服务", "深化一网通办"), ("2", "优化政务服务", "深化一网通办"),
        ("3", "优化政务服务", "优化审批流程"), ("4", "加强市场监管", "推行信用监管")]


def test_short_lines_are_never_unflattened():
    line = "一、优化服务 (一)推行网办 1.推进 2.推行"
    assert unflatten(line, G) == [line]


@pytest.mark.parametrize(("note", "units"), [
    ("〔牵头单位:市政务服务数据管理局;责任单位:各县(市、区)政府〕", "市政务服务数据管理局;各县(市、区)政府"),
    ("【责任单位:市市场监管局、市税务局】", "市市场监管局;市税务局"),
    ("[市发展改革委牵头,市财政局配合]", "市发展改革委;市财政局"),
])
def test_unit_notes_in_every_bracket_form(note, units):
    rows, _ = segment_document("x-2025", f"一、优化服务\n1.推行一网通办。{note}\n2.推行告知承诺制。\n3.压缩时限。",
                               "某市", G)
    assert rows[0]["text"] == "推行一网通办。"
    assert rows[0]["responsible_units"] == units


def test_item_without_punctuation_gets_a_bounded_title():
    long = ("推行一网通办实现政务服务事项全程网上办理并推广电子证照"
            "在各类场景中的应用减少企业群众提交材料提高办事效率") * 2
    rows, _ = segment_document("x-2025", f"一、优化服务\n1.{long}\n2.推行告知承诺制\n3.压缩时限", "某市", G)
    assert rows[0]["title"] == long[:60] + "…"
    assert rows[1]["title"] == "推行告知承诺制"


def test_a_single_top_level_number_is_not_a_structure():
    lines = classify("今年以来,我市持续优化营商环境。\n1.推进改革,取得成效。\n下一步,我市将继续深化改革。", G)
    assert measure_level(lines, G) is None


def test_a_document_of_paragraphs_is_kept_as_paragraphs():
    text = ("某市营商环境工作情况\n今年以来,我市持续优化营商环境,推动审批提速,企业开办时间压缩至1天。\n"
            "下一步,我市将继续深化改革,完善企业服务体系。")
    assert [i[0] for i in items(text)] == ["paragraph", "paragraph"]


DEMO = ROOT / "tests" / "data" / "demo_corpus"
CHROME = LEX.chrome


def test_the_demo_corpus_gives_every_item_stated_by_hand():
    """Fourteen synthetic documents, one or more styles each (tests/data/demo_corpus/README.md);
    tests/data/demo_expected.csv states their 128 items, written from the texts by a second coder."""
    raws = load_raw_documents(DEMO)
    docs = documents_table(raws, [clean_document(r, CHROME) for r in raws])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StructureWarning)
        got, _, structure = measures_tables(docs, {r.source_id: r.meta["place"] for r in raws}, G)
    want = pd.read_csv(ROOT / "tests" / "data" / "demo_expected.csv", dtype=str, keep_default_na=False)
    assert len(want) == 128 and want["source_id"].nunique() == 14
    cols = ["source_id", "kind", "number", "chapter", "section", "responsible_units"]
    assert got[cols].astype(str).values.tolist() == want[cols].values.tolist()
    for g, w in zip(got.itertuples(), want.itertuples(), strict=True):
        assert g.text.startswith(w.text_start), (g.measure_id, g.text[:20], w.text_start)
        if w.title:
            assert g.title == w.title, g.measure_id
    assert structure.set_index("source_id").loc["bingxian-news-2019", "note"].startswith("no enumeration")
    assert (structure["note"] != "").sum() == 1


def test_a_repost_that_starts_mid_regulation_and_runs_articles_together():
    """A web capture that begins at 第三条 and lost its line breaks (and 第五条's marker)."""
    text = ("第三条 优化营商环境应当坚持市场化、法治化原则。第四条 各级人民政府应当加强领导。\n"
            "第二章 政务环境第六条 政务服务事项应当集中办理。第七条 推行一网通办。")
    assert [(i[0], i[1], i[2], i[4]) for i in items(text)] == [
        ("measure", "3", "", "优化营商环境"), ("measure", "4", "", "各级人民政府"),
        ("measure", "6", "政务环境", "政务服务事项"), ("measure", "7", "政务环境", "推行一网通办")]


def test_cross_references_to_articles_do_not_break_a_line():
    line = "第五条 依照本条例第三条规定,市场主体依法享有经营自主权。"
    assert unflatten(line, G) == [line]


def test_a_numbered_chapter_that_is_itself_a_general_part():
    """一、 carries the measures here (nothing deeper), and 一、总体要求 is one of them: general."""
    text = ("一、总体要求\n以习近平新时代中国特色社会主义思想为指导,持续优化营商环境。\n"
            "二、推行一网通办\n实现政务服务事项全程网办。\n三、推行告知承诺制\n减少证明材料。\n"
            "四、加强组织领导\n压实工作责任。")
    assert [(i[0], i[1]) for i in items(text)] == [("general", "1"), ("measure", "2"), ("measure", "3"),
                                                  ("safeguard", "4")]


def test_a_lost_indent_is_not_page_chrome():
    raw = "某市营商环境方案\n??首页 > 政务公开\n??(一)提升线上政务服务水平,推行一网通办。\n??(二)强化线下综合服务。\n"
    doc = clean_document(RawDocument("x-2025", ROOT, {}, raw, len(raw.encode())), CHROME)
    assert doc.text.split("\n") == ["某市营商环境方案", "(一)提升线上政务服务水平,推行一网通办。",
                                    "(二)强化线下综合服务。"]
    assert [r["rule"] for r in doc.removed] == ["garbled_chrome"]


def test_points_with_a_body_under_bare_titles_are_the_measures():
    """二、 > (一) > 1. title > (1) measure with its text: the (1) items carry the measures."""
    text = ("二、重点任务\n(一)打造便捷高效的政务环境\n1.优化企业开办服务\n"
            "(1)加快推进“一网通办”。推进企业开办、变更、注销等全程网上办理。\n"
            "(2)压缩开办时间。企业开办时间压缩至1个工作日以内。\n2.优化不动产登记\n"
            "(1)推行不动产登记“一窗受理”。实现交易、税务、登记一窗办理。")
    assert [(i[1], i[3], i[4]) for i in items(text)] == [("1", "打造便捷高效的政务环境", "加快推进“一"),
                                                       ("2", "打造便捷高效的政务环境", "压缩开办时间"),
                                                       ("1", "打造便捷高效的政务环境", "推行不动产登")]


def test_a_notice_that_is_itself_the_policy_keeps_its_body():
    """印发…通知 wrappers are dropped up to their date line only when a plan follows the date."""
    raw = ("关于进一步优化营商环境的通知\n各区人民政府:\n为贯彻落实市政府办公厅印发的方案,现作如下通知:\n"
           "一、提高站位\n优化营商环境是激发市场活力的关键举措,各区要高度重视。\n"
           "二、抓细抓实\n各区要对照任务清单逐项落实,按时完成。\n市人民政府办公厅\n2021年3月24日")
    doc = clean_document(RawDocument("x-2021", ROOT, {}, raw, len(raw.encode())), CHROME)
    assert "一、提高站位" in doc.text.split("\n") and not [r for r in doc.removed if r["rule"] == "notice_wrapper"]


def test_numbered_points_run_into_one_paragraph_are_the_measures():
    """1.深化商事制度改革。(1)…。(2)…。 on one line: each (n) opens a sentence, so each is a measure."""
    text = ("一、优化营商环境\n1.深化商事制度改革。(1)全面落实“多证合一”改革。加快推进。(2)完善企业登记全程电子化。"
            "推行网办。(3)推进企业名称登记改革。\n2.优化审批服务。(1)推行并联审批。(2)推行告知承诺,减少材料。")
    assert [(i[1], i[3], i[4]) for i in items(text)] == [
        ("1", "深化商事制度改革", "全面落实“多"), ("2", "深化商事制度改革", "完善企业登记"),
        ("3", "深化商事制度改革", "推进企业名称"), ("1", "优化审批服务", "推行并联审批"),
        ("2", "优化审批服务", "推行告知承诺")]
    assert unflatten("统筹推进以下工作:(1)一网通办", G) == ["统筹推进以下工作:(1)一网通办"]  # one alone is no run


def test_yishi_runs_inside_a_paragraph_carry_the_measures_only_when_nothing_else_does():
    """一、目标任务 …。一是…;二是…。: with no numbering below the chapters, the 一是 run is the measures;
    under 1. items, the same run is the points of one measure and stays inside it."""
    flat = ("一、指导思想\n深入贯彻新发展理念,持续优化营商环境。\n二、目标任务\n着力优化施工环境,加快发展步伐。"
            "一是维护重点工程建设环境,重点抓好项目协调。二是整治企业周边环境,完善应急处置机制。")
    assert [(i[0], i[1], i[2], i[4]) for i in items(flat)] == [
        ("general", "", "指导思想", "指导思想\n深"), ("measure", "1", "目标任务", "维护重点工程"),
        ("measure", "2", "目标任务", "整治企业周边")]
    nested = ("一、优化服务\n1.推行一网通办。一是建设统一平台;二是推广电子证照。\n2.推行告知承诺制。\n3.压缩审批时限。")
    assert [i[1] for i in items(nested)] == ["1", "2", "3"]


def test_a_bare_number_cut_off_by_the_capture_is_not_an_item():
    assert [i[1] for i in items("一、优化服务\n1.推行一网通办。\n2.推行告知承诺制。\n3.")] == ["1", "2"]
