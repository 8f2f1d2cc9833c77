"""The sources in the legal frame (analysis.frame): candidates, coverage and summary, by hand."""

import pandas as pd
import pytest

from bizenv_analysis.analysis.frame import frame_coverage, frame_links, frame_sources, frame_summary
from bizenv_analysis.io.hierarchy import Hierarchy

FRAME = Hierarchy(parent={"gd": "nat", "zj-city": "nat"}, level={"nat": "national", "gd": "province",
                                                                   "zj-city": "city"},
                  date={"nat": "2019-10-22", "gd": "2022-06-01", "zj-city": "2021"})
ARTICLES = pd.DataFrame([
    {"article_id": "nat:a001", "source_id": "nat", "chapter_no": 1, "chapter_title": "总则", "part": "general",
     "text": "为了持续优化营商环境，制定本条例。"},
    {"article_id": "nat:a002", "source_id": "nat", "chapter_no": 2, "chapter_title": "政务服务", "part": "substantive",
     "text": "政府及其有关部门应当推行当场办结、一次办结、限时办结等制度，"
             "实现集中办理、就近办理、网上办理、异地可办。"},
    {"article_id": "nat:a003", "source_id": "nat", "chapter_no": 2, "chapter_title": "政务服务", "part": "substantive",
     "text": "国家建立知识产权侵权惩罚性赔偿制度，推动建立知识产权快速协同保护机制。"},
    {"article_id": "gd:a001", "source_id": "gd", "chapter_no": 1, "chapter_title": "市场环境", "part": "substantive",
     "text": "省人民政府应当推进粤港澳大湾区规则衔接，推动跨境贸易便利化。"},
])
MEASURES = pd.DataFrame([
    {"measure_id": "s1:01", "source_id": "s1",
     "text": "推行当场办结、一次办结、限时办结等制度，实现集中办理、就近办理、网上办理、异地可办。"},
    {"measure_id": "s1:02", "source_id": "s1", "text": "开展城市更新项目，建设公共停车场。"},
    {"measure_id": "s2:01", "source_id": "s2", "text": "建立知识产权快速协同保护机制，推行侵权惩罚性赔偿。"},
])
DOCUMENTS = pd.DataFrame([{"source_id": "s1", "province": "广东省"}, {"source_id": "s2", "province": "浙江省"}])


def test_which_frame_texts_a_source_meets():
    compared = frame_sources(DOCUMENTS, FRAME, {"nat": "", "gd": "广东省", "zj-city": "浙江省"})
    assert compared == {"s1": ["nat", "gd"], "s2": ["nat"]}  # a city's law is no provincial frame


def test_a_paraphrase_is_found_and_an_unrelated_measure_is_not():
    links = frame_links(MEASURES, ARTICLES, {"s1": ["nat", "gd"], "s2": ["nat"]}, frame_min=0.3)
    first = links[links["rank"] == 1].set_index(["measure_id", "frame_source_id"])
    assert first.loc[("s1:01", "nat"), "article_id"] == "nat:a002" and first.loc[("s1:01", "nat"), "implements"]
    assert first.loc[("s2:01", "nat"), "article_id"] == "nat:a003" and first.loc[("s2:01", "nat"), "implements"]
    assert not first.loc[("s1:02", "nat"), "implements"] and first.loc[("s1:02", "nat"), "cosine"] < 0.1
    assert "nat:a001" not in set(links["article_id"])  # general articles are not compared
    assert links.groupby(["measure_id", "frame_source_id"]).size().max() == 2  # nat has 2 substantive articles


def test_coverage_and_summary():
    links = frame_links(MEASURES, ARTICLES, {"s1": ["nat", "gd"], "s2": ["nat"]}, frame_min=0.3)
    cov = frame_coverage(links, ARTICLES).set_index(["source_id", "frame_source_id", "chapter_no"])
    assert cov.loc[("s1", "nat", 2), ["n_articles", "n_implemented", "share"]].tolist() == [2, 1, 0.5]
    assert cov.loc[("s1", "gd", 1), "n_implemented"] == 0
    summ = frame_summary(links, MEASURES, {"s1": "2021-03-01", "s2": "2020"},
                         {"nat": "2019-10-22", "gd": "2022-06-01"}).set_index(["source_id", "frame_source_id"])
    assert summ.loc[("s1", "nat"), ["n_measures", "n_implementing", "n_beyond", "timing"]].tolist() == \
        [2, 1, 1, "after"]
    assert summ.loc[("s1", "gd"), "timing"] == "before"  # s1 predates Guangdong's law: no implementation of it
    assert summ.loc[("s1", "nat"), "share"] == pytest.approx(0.5)
    assert summ.loc[("s1", "nat"), "share_low"] < 0.5 < summ.loc[("s1", "nat"), "share_high"]


def test_which_frame_a_build_gets(tmp_path):
    from bizenv_analysis.base.errors import BuildError
    from bizenv_analysis.base.paths import DATA, REGULATIONS
    from bizenv_analysis.pipeline import AUTO, frame_folder

    assert frame_folder(DATA, AUTO) == REGULATIONS  # the bundled study is placed in its legal frame
    assert frame_folder(tmp_path, AUTO) is None  # anyone else's corpus gets none unless asked
    assert frame_folder(DATA, "none") is None and frame_folder(DATA, None) is None
    assert frame_folder(tmp_path, REGULATIONS) == REGULATIONS
    with pytest.raises(BuildError, match="the legal frame is the corpus itself"):
        frame_folder(REGULATIONS, REGULATIONS)
    with pytest.raises(BuildError):  # not a data folder
        frame_folder(DATA, tmp_path / "nowhere")


def test_a_frame_without_laws_is_refused(corpus):
    from bizenv_analysis.base.errors import BuildError
    from bizenv_analysis.legal_steps import frame_articles

    with pytest.raises(BuildError, match="holds no law enumerated in articles") as err:
        frame_articles(corpus)  # the five sources: plans and reports, no 第X条
    assert "--frame" in err.value.fix


def test_the_bundled_build_places_its_sources_in_the_frame(built_dir):
    out, printed = built_dir
    summary = pd.read_csv(out / "frame_summary.csv", encoding="utf-8-sig")
    # four Guangdong sources meet the national and the provincial law, Quzhou (Zhejiang) the national one
    assert sorted(summary.groupby("source_id").size().items()) == [
        ("dongguan-2023", 2), ("gd-cases-2024", 2), ("gz-pilot-2021", 2), ("quzhou-2018", 1), ("tianhe-2020", 2)]
    assert set(summary.loc[summary["source_id"] == "tianhe-2020", "timing"]) == {"after", "before"}
    assert "      frame     measures implementing a frame article" in printed


def test_the_frame_threshold_in_use_is_the_one_the_calibration_half_chose(built_dir):
    """frame_min was set from the hand-coded calibration half; changing it without coding anew fails here."""
    from bizenv_analysis.rules.lexicon import Lexicon

    t = pd.read_csv(built_dir[0] / "validation_frame.csv", encoding="utf-8-sig").set_index(["metric", "half"])
    chosen, in_use = t.loc[("threshold", "calibration"), "value"], Lexicon.load().alignment.frame_min
    assert in_use <= chosen < in_use + 0.0001
    assert t.loc[("kappa3", "all"), "n"] == 150 and t.loc[("recall", "held_out"), "n"] > 0


def test_timing_at_the_precision_both_dates_have():
    from bizenv_analysis.analysis.frame import timing

    assert timing("2024", "2022-06-01") == "after" and timing("2021-11-26", "2022-06-01") == "before"
    assert timing("2022", "2022-06-01") == "unknown" and timing("", "2019-10-22") == "unknown"
    assert timing("2022-06-02", "2022-06-01") == "after"
