"""The generic path: enumeration styles of other documents, and inputs that differ only in form."""

from __future__ import annotations

import warnings

import opencc
import pandas as pd
import pytest
from bundled import LEX
from corpora import make_corpus

from bizenv_analysis.__main__ import main
from bizenv_analysis.analysis import clusters, families
from bizenv_analysis.base.paths import ROOT
from bizenv_analysis.text.dtm import Dtm
from bizenv_analysis.text.measures import segment_document

DEMO = (ROOT / "tests" / "data" / "demo-2025.txt").read_text(encoding="utf-8")


def segment(text: str) -> list[dict]:
    rows, _ = segment_document("x-2025", text, "某市", LEX.grammar)
    return rows


def test_nested_plan_with_unit_notes_and_attribute_lines():
    rows = {r["measure_id"]: r for r in segment(DEMO)}
    assert [r["kind"] for r in rows.values()] == ["measure"] * 5 + ["safeguard"] * 2
    first = rows["x-2025:01"]
    assert (first["chapter"], first["section"]) == ("提升政务服务效能", "深化“一网通办”")
    assert first["responsible_units"] == "市政务服务数据管理局;各区政府"
    assert rows["x-2025:02"]["responsible_units"] == "市市场监管局;市税务局;市公安局"
    assert rows["x-2025:03"]["responsible_units"] == "市住房城乡建设局"
    assert rows["x-2025:03"]["deadline"] == "2025年12月"
    assert rows["x-2025:03"]["text"] == "工程建设项目审批时间压缩至60个工作日以内。"
    assert rows["x-2025:04"]["responsible_units"] == "市法院"
    assert rows["x-2025:06"]["title"] == "加强组织领导"


def test_fullwidth_brackets_enumeration_commas_and_circled_subitems():
    text = ("一、优化营商环境\n（一）优化政务服务\n1、推行“一网通办”。\n①建设统一平台;\n②推广电子证照。\n"
            "2、压缩审批时限。\n（二）强化监管\n3、推行“双随机、一公开”监管。\n二、保障措施\n加强组织领导,压实责任。")
    rows = segment(text)
    assert [(r["number"], r["kind"]) for r in rows] == [("1", "measure"), ("2", "measure"), ("3", "measure"),
                                                      ("", "safeguard")]
    assert rows[0]["text"] == "推行“一网通办”。\n①建设统一平台;\n②推广电子证照。"
    assert rows[2]["section"] == "强化监管"


def test_three_deep_chapter_section_item_with_subitems():
    """一、 > （一） > 1. > (1): the 1. items are the measures, their (1) points stay inside them,
    even when items and sections are equally many."""
    text = ("一、优化政务服务\n（一）深化一网通办\n1.推进政务服务标准化。\n(1)编制事项清单;\n(2)统一办事指南。\n"
            "2.推行告知承诺制。\n(1)明确承诺事项;\n(2)加强事后核查。\n（二）提升审批效率\n3.压缩审批时限。\n"
            "二、强化市场监管\n（一）推行信用监管\n4.建立信用档案。\n(1)归集信用信息;\n(2)开展信用评价。\n"
            "三、保障措施\n（一）加强组织领导\n各部门要压实责任。")
    rows = segment(text)
    assert [(r["number"], r["kind"], r["section"]) for r in rows[:4]] == [
        ("1", "measure", "深化一网通办"), ("2", "measure", "深化一网通办"), ("3", "measure", "提升审批效率"),
        ("4", "measure", "推行信用监管")]
    assert rows[0]["text"] == "推进政务服务标准化。\n(1)编制事项清单;\n(2)统一办事指南。"
    assert rows[3]["chapter"] == "强化市场监管"
    assert [r["kind"] for r in rows[4:]] == ["safeguard"]


def test_three_deep_item_subitem_circled():
    """一、 > 1. > (1) > ①: the numbered items are the measures, (1) and ① their points."""
    text = ("一、优化政务服务\n1.深化一网通办。\n(1)推进政务服务标准化。\n①编制事项清单;\n②统一办事指南。\n"
            "(2)推行告知承诺制。\n2.提升审批效率。\n(1)压缩审批时限。\n(2)推行并联审批。\n二、强化市场监管\n"
            "3.推行信用监管。\n(1)建立信用档案。\n①归集信用信息;")
    rows = segment(text)
    assert [(r["number"], r["chapter"]) for r in rows] == [("1", "优化政务服务"), ("2", "优化政务服务"),
                                                         ("3", "强化市场监管")]
    assert rows[0]["text"].splitlines() == ["深化一网通办。", "(1)推进政务服务标准化。", "①编制事项清单;",
                                            "②统一办事指南。", "(2)推行告知承诺制。"]


def test_articles():
    text = "第一章 总则\n第一条 为优化营商环境,制定本办法。\n第二条 本办法适用于本市。\n第三条 市政府统筹推进。"
    rows = segment(text)
    assert [r["number"] for r in rows] == ["1", "2", "3"]
    assert rows[1]["text"] == "本办法适用于本市。"


def test_unknown_structure_falls_back_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rows = segment("今年以来,我市持续优化营商环境,推动审批提速。\n下一步,我市将继续深化改革,完善服务体系。")
    assert {r["kind"] for r in rows} == {"paragraph"}
    assert any("no enumerated measures" in str(w.message) for w in caught)


def glossed_traditional(text: str) -> str:
    """The demo in Traditional script with web-page pinyin glosses after some characters."""
    trad = opencc.OpenCC("s2t").convert(text)
    for ch, py in [("發", "fā"), ("業", "yè"), ("環", "huán"), ("務", "wù")]:
        trad = trad.replace(ch, f"{ch}({py})")
    return trad


@pytest.mark.parametrize("variant", ["utf-8-bom", "crlf", "gb18030", "traditional-glossed"])
def test_inputs_differing_only_in_form_give_the_same_measures(tmp_path, variant):
    forms = {
        "utf-8-bom": ("\ufeff" + DEMO).encode("utf-8"),
        "crlf": DEMO.replace("\n", "\r\n").encode("utf-8"),
        "gb18030": DEMO.encode("gb18030"),
        "traditional-glossed": glossed_traditional(DEMO).encode("utf-8"),
    }
    enc = "gb18030" if variant == "gb18030" else "utf-8"
    base = make_corpus(tmp_path / "base", {"demo-2025": (DEMO.encode("utf-8"), "utf-8")})
    other = make_corpus(tmp_path / "other", {"demo-2025": (forms[variant], enc)})
    for corpus in (base, other):
        assert main(["build", "--data", str(corpus), "--quiet"]) == 0
    cols = ["measure_id", "kind", "number", "chapter", "section", "title", "text", "responsible_units", "deadline"]
    got = pd.read_csv(other / "processed" / "measures.csv", keep_default_na=False)[cols]
    want = pd.read_csv(base / "processed" / "measures.csv", keep_default_na=False)[cols]
    pd.testing.assert_frame_equal(got, want)


def test_whole_build_on_a_small_corpus_of_its_own(tmp_path):
    corpus = make_corpus(tmp_path / "c", {
        "demo-2025": (DEMO.encode("utf-8"), "utf-8"),
        "demo-copy-2026": (DEMO.replace("某市", "另一市").encode("utf-8"), "utf-8"),
    })
    assert main(["build", "--data", str(corpus), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    out = tmp_path / "out"
    assert len(pd.read_csv(out / "measures.csv")) == 14
    assert pd.read_csv(out / "themes.csv").groupby("measure_id")["primary"].sum().eq(1).all()
    refs = pd.read_csv(out / "references.csv", keep_default_na=False)
    assert set(refs["place"]) == {"深圳"} and set(refs["practice"]) == {"一站式"}
    assert not (out / "validation_summary.csv").exists()  # no hand coding in this corpus


def test_a_document_with_no_measures_is_named_and_the_rest_is_built(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "c", {
        "demo-2025": (DEMO.encode("utf-8"), "utf-8"),
        "cover-2025": ("关于印发方案的通知\n各区人民政府\n附件".encode(), "utf-8"),
    })
    assert main(["build", "--data", str(corpus), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "warning: cover-2025: no measures and no paragraph" in err and "Traceback" not in err
    measures = pd.read_csv(tmp_path / "out" / "measures.csv")
    assert set(measures["source_id"]) == {"demo-2025"} and len(measures) == 7



@pytest.mark.parametrize(("counts", "gap"), [
    ({"a": 5}, "1 source"),
    ({"a": 2, "b": 2}, "only 6 ways"),        # C(4, 2) = 6 splits: the smallest two-sided p is 2/6
    ({"a": 3, "b": 3}, "only 20 ways"),       # C(6, 3) = 20: two-sided p reaches only 0.1
    ({"a": 3, "b": 4}, "only 35 ways"),       # C(7, 3) = 35: 2/35 = 0.057
    ({"a": 3, "b": 5}, None),                 # C(8, 3) = 56: 2/56 = 0.036
    ({"a": 2, "b": 2, "c": 2}, None),         # 6! / (2! 2! 2!) = 90
    ({"a": 1, "b": 1, "c": 1, "d": 1}, "only 24 ways"),  # 4! = 24
    ({"a": 39, "b": 1}, "only 40 ways"),
    ({"a": 40, "b": 1}, None),                # 41 splits: 2/41 = 0.049
])
def test_sources_are_compared_only_where_a_two_sided_permutation_test_can_reach_p_below_005(counts, gap):
    got = families.comparison_gap([s for s, n in counts.items() for _ in range(n)])
    assert (got is None) if gap is None else (gap in got)


@pytest.mark.parametrize(("n", "bounds"), [
    (121, (2, 0.4)), (10, (2, 0.4)), (9, (1, 0.4)), (5, (1, 0.4)), (4, (1, 2)), (3, (1, 2)), (1, (1, 1)),
])
def test_tfidf_bounds_adapt_to_the_number_of_measures(n, bounds):
    assert clusters.tfidf_bounds(n) == bounds


def test_tfidf_on_three_short_measures_keeps_their_terms():
    model = clusters.fit_tfidf(Dtm.from_lists([["一网通办", "审批"], ["一网通办", "信用"], ["信用", "监管"]]))
    assert list(model.terms) == ["一网通办", "信用", "审批", "监管"]  # 审批/监管 once, 一网通办/信用 twice
    with pytest.warns(clusters.ClusterWarning, match="no terms at all"):
        assert clusters.fit_tfidf(Dtm.from_lists([[], []])).matrix.shape == (2, 0)


@pytest.mark.parametrize(("docs", "skipped"), [
    ({"three-2025": "一、优化服务\n1.推行一网通办,实现全程网办。\n2.推行告知承诺制,减少证明材料。\n"
                    "3.压缩审批时限,提高效率。"},
     ["clusters skipped", "1 source"]),
    ({"a-2024": "一、优化服务\n1.推行一网通办。\n2.推行告知承诺制。",
      "b-2025": "一、加强监管\n1.推行信用监管。\n2.推行双随机抽查。"},
     ["clusters skipped", "only 2 ways"]),  # two headings, one per source
    ({"news-2025": "今年以来,我市持续优化营商环境,推动审批提速,企业开办时间压缩至1天。\n"
                   "下一步,我市将继续深化改革,完善企业服务体系,打造一流营商环境。"},
     ["no enumerated measures", "clusters skipped", "1 source"]),
])
def test_tiny_corpora_build_with_warnings_and_empty_comparison_tables(tmp_path, capsys, docs, skipped):
    corpus = make_corpus(tmp_path / "c", {sid: (text.encode(), "utf-8") for sid, text in docs.items()})
    assert main(["build", "--data", str(corpus), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err and all(s in err for s in skipped), err
    out = corpus / "processed"
    for name in ("keyness", "similarity", "similarity_tests", "clusters"):
        assert pd.read_csv(out / f"{name}.csv").empty
    measures = pd.read_csv(out / "measures.csv")
    assert set(measures["source_id"]) == set(docs)  # nothing vanished


def test_a_source_with_a_single_measure_is_compared_like_the_others(tmp_path, capsys):
    """scipy's independent-samples permutation test needs two units per group; a source with one
    heading must still be tested (every measure under its own heading: 8!/(4!·1!·3!) = 280 splits
    of the headings), not crash the build."""
    corpus = make_corpus(tmp_path / "c", {
        "a-2024": ("一、优化服务\n1.推行一网通办。\n二、推进审批\n1.推行告知承诺制。\n三、强化监管\n1.推行信用监管。\n"
                   "四、创新监管\n1.推行双随机抽查。".encode(), "utf-8"),
        "b-2025": ("一、加强监管\n1.推行信用监管,开展分级分类监管工作。".encode(), "utf-8"),
        "c-2023": ("一、降低成本\n1.清理涉企收费。\n二、降低能耗\n1.降低用电成本。\n"
                   "三、畅通物流\n1.降低物流成本。".encode(), "utf-8"),
    })
    assert main(["build", "--data", str(corpus), "--quiet"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    tests = pd.read_csv(corpus / "processed" / "similarity_tests.csv")
    assert set(tests["source_a"]) >= {"a-2024", "b-2025"} and tests["p_value"].between(0, 1).all()
    profiles = pd.read_csv(corpus / "processed" / "theme_profiles.csv")
    assert profiles.query("source_id == 'b-2025'")["p_value"].notna().all()
