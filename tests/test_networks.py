"""Co-word networks and reform formulas: known answers worked by hand, and the bundled corpus."""

from __future__ import annotations

import io
import math
import re

import networkx as nx
import pandas as pd
import pytest

from bizenv_analysis import coword, formulas
from bizenv_analysis.__main__ import main
from bizenv_analysis.lexicon import Lexicon
from bizenv_analysis.paths import DATA
from bizenv_analysis.tables import load

# --- co-word network: four measures whose co-occurrences are counted by hand -------------------

FOUR = [["审批", "服务", "监管"], ["审批", "服务"], ["审批", "监管", "审批"], ["服务", "信用"]]
# df: 审批 3, 服务 3, 监管 2, 信用 1. Both in: 审批·服务 2, 审批·监管 2, 服务·监管 1, 服务·信用 1.
OCHIAI = {("审批", "服务"): 2 / 3, ("审批", "监管"): 2 / math.sqrt(6), ("服务", "监管"): 1 / math.sqrt(6),
          ("服务", "信用"): 1 / math.sqrt(3)}
LOOSE = coword.Params(min_df=1, min_chars=1, min_cooccurrence=1)


def test_top_terms_rank_by_measures_containing_them_and_keep_ties():
    df = coword.top_terms(FOUR, n=3, min_df=1)
    assert df.to_dict() == {"审批": 3, "服务": 3, "监管": 2}  # 审批 twice in one measure counts once
    assert list(coword.top_terms(FOUR, n=1, min_df=1).index) == ["审批", "服务"]  # tied with the first: kept
    assert list(coword.top_terms(FOUR, n=10, min_df=2).index) == ["审批", "服务", "监管"]
    assert list(coword.top_terms([["a", "bb"], ["a", "bb"]], n=5, min_df=1, min_chars=2).index) == ["bb"]


def test_the_cooccurrence_matrix_and_ochiai_weights_of_four_measures():
    terms = ["审批", "服务", "监管", "信用"]
    counts = coword.cooccurrence(FOUR, terms).toarray()
    assert counts.tolist() == [[3, 2, 2, 0], [2, 3, 1, 1], [2, 1, 2, 0], [0, 1, 0, 1]]
    weights = coword.ochiai(coword.cooccurrence(FOUR, terms)).toarray()
    for (a, b), w in OCHIAI.items():
        assert weights[terms.index(a), terms.index(b)] == pytest.approx(w)
    g = coword.network(FOUR, n=10, min_df=1, min_cooccurrence=1, params=LOOSE)
    assert {tuple(sorted(e)) for e in g.edges} == {tuple(sorted(k)) for k in OCHIAI}
    assert g.edges["审批", "服务"]["cooccurrence"] == 2
    assert g.edges["服务", "信用"]["weight"] == pytest.approx(1 / math.sqrt(3), abs=1e-6)
    # 服务 is linked to all three others: degree centrality 1; the only way to 信用 runs through it
    assert g.nodes["服务"]["degree_centrality"] == 1 and g.nodes["信用"]["degree"] == 1
    assert g.nodes["服务"]["betweenness"] > 0 and g.nodes["信用"]["betweenness"] == 0
    assert g.nodes["服务"]["strength"] == pytest.approx(2 / 3 + 1 / math.sqrt(6) + 1 / math.sqrt(3), abs=1e-5)
    # a higher threshold keeps only the pairs in two measures
    strict = coword.network(FOUR, n=10, min_df=1, min_cooccurrence=2, params=LOOSE)
    assert {tuple(sorted(e)) for e in strict.edges} == {tuple(sorted(p)) for p in [("审批", "服务"), ("审批", "监管")]}


def test_two_separate_cliques_are_two_communities_whatever_the_seed():
    measures = [["甲", "乙", "丙"]] * 3 + [["丁", "戊", "己"]] * 3
    for seed in (1, 2, 3):
        g = coword.network(measures, n=10, min_df=1, min_cooccurrence=1, params=coword.Params(
            min_df=1, min_chars=1, min_cooccurrence=1, seed=seed))
        groups = {frozenset(t for t in g if g.nodes[t]["community"] == k) for k in (1, 2)}
        assert groups == {frozenset("甲乙丙"), frozenset("丁戊己")}
        assert coword.community_stability(g, 1.0, range(5))["ari"].eq(1.0).all()


def test_the_gexf_opens_in_networkx_with_labels_and_communities_and_no_date():
    g = coword.network(FOUR, n=10, min_df=1, min_cooccurrence=1, params=LOOSE)
    files = coword.graph_files(g)
    assert b"lastmodifieddate" not in files["coword.gexf"]
    read = nx.read_gexf(io.BytesIO(files["coword.gexf"]))
    assert {read.nodes[n]["label"] for n in read} == {"审批", "服务", "监管", "信用"}
    assert read.nodes["服务"]["community"] == g.nodes["服务"]["community"]
    assert read.edges["审批", "服务"]["weight"] == pytest.approx(2 / 3, abs=1e-6)
    graphml = nx.read_graphml(io.BytesIO(files["coword.graphml"]))
    assert graphml.nodes["信用"]["df"] == 1 and graphml.number_of_edges() == 4
    assert coword.graph_files(g) == files  # the same bytes again


def test_the_bundled_network_files_open_and_match_the_tables():
    nodes = load("coword_nodes", DATA / "processed")
    overall = nodes[nodes["scope"] == coword.ALL].set_index("term")
    g = nx.read_gexf(DATA / "processed" / "coword.gexf")
    assert set(g.nodes) == set(overall.index)
    assert all(g.nodes[t]["community"] == overall.loc[t, "community"] for t in g)
    edges = load("coword_edges", DATA / "processed")
    assert g.number_of_edges() == (edges["scope"] == coword.ALL).sum()
    params = Lexicon.load().coword
    assert (overall["df"] >= params.min_df).all() and overall.index.str.len().min() >= params.min_chars
    assert (edges["cooccurrence"][edges["scope"] == coword.ALL] >= params.min_cooccurrence).all()


# --- reform formulas: two documents sharing a known passage -------------------------------------

PASSAGE = "推行行政执法公示、执法全过程记录、重大执法决定法制审核制度"
DOCS = pd.DataFrame({"source_id": ["a-2019", "b-2021"], "date": ["2019-05-01", "2021-03-01"],
                     "place": ["甲市", "乙市"]})


def _measures(texts: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"measure_id": f"{s}:{i:02d}", "source_id": s, "text": t}
                         for s, items in texts.items() for i, t in enumerate(items, start=1)])


def _tables(texts: dict[str, list[str]], references: pd.DataFrame | None = None,
            national: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    refs = references if references is not None else pd.DataFrame(columns=["source_id", "place", "relation"])
    return formulas.formula_tables(_measures(texts), DOCS, refs, [re.compile(r"[一二三四五六七八九十]个一")],
                                   formulas.National(national or {}), {"广深": ["甲市", "深圳"]},
                                   formulas.Params())


def test_normal_form_ignores_punctuation_width_and_script():
    assert formulas.normal("“双随机、一公开”") == formulas.normal("雙隨機一公開") == "双随机一公开"
    assert formulas.normal("１+５＋16") == "1+5+16"
    text = "甲、乙 丙"
    form, where = formulas.normal_with_positions(text)
    assert form == "甲乙丙" and [text[i] for i in where] == list("甲乙丙")


def test_quoted_and_numbered_formulas_are_found():
    params = formulas.Params()
    assert formulas.quoted("推行“最多跑一次”和「一网通办」,打造‘一门’", params) == ["最多跑一次", "一网通办"]
    assert formulas.quoted("“" + "长" * 40 + "”", params) == []  # a sentence, not a formula
    assert formulas.numbered("打造“五个一”服务", [re.compile("[一二三四五六七八九十]个一")]) == ["五个一"]


def test_two_documents_sharing_a_passage_give_exactly_that_passage():
    texts = {"a-2019": ["一、全面" + PASSAGE + "。另外的内容完全不同甲乙丙丁。"],
             "b-2021": ["（三）" + PASSAGE.replace("、", ",") + ",其余文字各不相同子丑寅卯。"]}
    normal = {s: formulas.normal(t[0]) for s, t in texts.items()}
    shared = formulas.shared_passages(normal, 12)
    assert [(p.text, p.users, p.counts) for p in shared] == [(formulas.normal(PASSAGE), ("a-2019", "b-2021"), (1, 1))]
    first = shared[0]
    assert [normal[s][at:at + len(first.text)] for s, at in zip(first.users, first.starts, strict=True)] == \
        [first.text] * 2
    table = _tables(texts)["formulas.csv"]
    row = table[table["kind"] == "passage"].iloc[0]
    assert row["formula"] == PASSAGE  # shown as the earlier document wrote it
    assert row["documents"] == "a-2019;b-2021" and row["first_source"] == "a-2019"
    # a passage shorter than passage_chars is not shared
    assert formulas.shared_passages({"x": "甲乙丙丁戊己庚辛壬癸", "y": "甲乙丙丁戊己庚辛壬癸"}, 12) == []


def test_a_passage_held_by_three_documents_is_split_from_the_longer_stretch_two_of_them_share():
    common, pair = "甲乙丙丁戊己庚辛壬癸子丑", "寅卯辰巳午未申酉戌亥天地"
    texts = {"a": "开头" + common + pair + "结尾一", "b": "起首" + common + pair + "末了二",
             "c": "另起" + common + "别的话三"}
    found = {p.text: p.users for p in formulas.shared_passages(texts, 12)}
    # the 12 characters all three share, then what only a and b go on to share (its shingles
    # start inside `common`: the run of shingles held by exactly a and b)
    assert found[common] == ("a", "b", "c")
    assert found[common[1:] + pair] == ("a", "b")
    assert len(found) == 2


def test_spread_marks_first_user_adopter_and_declared_learning():
    texts = {"a-2019": ["推行“容缺受理”改革,打造五个一服务。"], "b-2021": ["借鉴甲市经验,推行“容缺受理”。"]}
    refs = pd.DataFrame({"source_id": ["b-2021"], "place": ["甲市"], "relation": ["learns_from"]})
    out = _tables(texts, refs, national={"容缺受理": "某国家文件 (2018)"})
    table = out["formulas.csv"].set_index("normal")
    assert table.loc["容缺受理", "n_documents"] == 2 and table.loc["容缺受理", "national"]
    assert table.loc["五个一", "kind"] == "numbered" and table.loc["五个一", "n_documents"] == 1
    spread = out["formula_spread.csv"]
    rows = spread[spread["formula_id"] == table.loc["容缺受理", "formula_id"]]
    assert rows["role"].tolist() == ["first", "adopter"]
    assert rows["declares_learning"].tolist() == [False, True] and rows["credited_place"].iloc[1] == "甲市"
    pair = out["formula_pairs.csv"].iloc[0]
    # the only shared formula is national: declared, but no local formula shared
    assert (pair["n_shared"], pair["n_shared_national"], pair["agreement"]) == (0, 1, "declared, nothing shared")


def test_a_shared_local_formula_that_is_never_credited_is_called_so():
    texts = {"a-2019": ["推行“拿地即开工”模式。"], "b-2021": ["全面推广“拿地即开工”。"]}
    pair = _tables(texts)["formula_pairs.csv"].iloc[0]
    assert (pair["source_id"], pair["earlier_source"], pair["n_shared"]) == ("b-2021", "a-2019", 1)
    assert pair["agreement"] == "shared, never credited"
    # an alias credits every place it stands for
    refs = pd.DataFrame({"source_id": ["b-2021"], "place": ["广深"], "relation": ["learns_from"]})
    assert _tables(texts, refs)["formula_pairs.csv"].iloc[0]["agreement"] == "declared and shared"
    assert formulas.covers("广州", "广州市天河区", {}) and not formulas.covers("天河", "广州市", {})


def test_national_marking_reaches_a_passage_cut_short_of_the_national_wording():
    wording = "行政执法公示、执法全过程记录、重大执法决定法制审核"
    national = formulas.National({formulas.normal(wording): "国办发 (2018)"})
    assert national.of(formulas.normal("行政执法公示、执法全过程记录、重大"), 12)
    assert not national.of(formulas.normal("执法决定"), 12)  # too short to say


def test_the_bundled_corpus_shares_the_passages_the_issue_names():
    table = load("formulas", DATA / "processed")
    passages = table[table["kind"] == "passage"].set_index("normal")
    assert formulas.normal("一张表单、一套材料、一次提交") in passages.index
    assert any(p.startswith(formulas.normal("行政执法公示、执法全过程记录")) for p in passages.index)
    assert table.set_index("normal").loc["双随机一公开", "national"]


def test_a_bad_formula_parameter_names_the_file_and_the_fix(corpus, capsys):
    (corpus / "lexicon").mkdir()
    (corpus / "lexicon" / "formula_params.csv").write_text(
        "name,value\nmin_chars,three\nmax_quote_chars,30\npassage_chars,12\n",
        encoding="utf-8")
    assert main(["build", "--data", str(corpus), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "formula_params.csv" in err and "line 2" in err and "min_chars" in err and "Traceback" not in err


# --- what notebook 11 says about the bundled corpus ----------------------------------------------

def test_the_bundled_communities_depend_on_the_seed_as_notebook_11_says():
    """Notebook 11 calls the communities a rough grouping because other seeds disagree."""
    g = coword.graph_from_tables(load("coword_nodes", DATA / "processed"), load("coword_edges", DATA / "processed"))
    stable = coword.community_stability(g, Lexicon.load().coword.resolution, range(1, 31))
    assert stable["ari"].median() < 0.8 and stable["n_communities"].nunique() > 1


def test_only_dongguan_credits_an_earlier_document_and_national_formulas_are_kept_apart():
    pairs = load("formula_pairs", DATA / "processed")
    declared = pairs[pairs["declared"]]
    assert set(declared["source_id"]) == {"dongguan-2023"}  # it names 广州 and 广深 (references.csv)
    assert set(declared["earlier_source"]) == {"tianhe-2020", "gz-pilot-2021"}
    found = load("formulas", DATA / "processed").set_index("formula_id")
    for r in pairs.itertuples():
        both = found[found["documents"].str.split(";").map(lambda d, r=r: {r.source_id, r.earlier_source} <= set(d))]
        assert (r.n_shared, r.n_shared_national) == ((~both["national"]).sum(), both["national"].sum())
