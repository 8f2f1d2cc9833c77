"""Co-word networks and reform formulas: known answers worked by hand, and the bundled corpus."""

from __future__ import annotations

import io
import math
import re
from datetime import date

import networkx as nx
import pandas as pd
import pytest

from bizenv_analysis import coword, formulas
from bizenv_analysis.__main__ import main
from bizenv_analysis.lexicon import Lexicon
from bizenv_analysis.paths import DATA, LEXICON
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
    # on distances 1/Ochiai, 服务 lies on the shortest paths of 信用–审批 and 信用–监管: 2 of the 3 pairs
    # it is not part of; every other shortest path is a direct link
    assert g.nodes["服务"]["betweenness"] == pytest.approx(2 / 3, abs=1e-6)
    assert [g.nodes[t]["betweenness"] for t in ("审批", "监管", "信用")] == [0, 0, 0]
    assert g.nodes["服务"]["strength"] == pytest.approx(2 / 3 + 1 / math.sqrt(6) + 1 / math.sqrt(3), abs=1e-5)
    # a higher threshold keeps only the pairs in two measures
    strict = coword.network(FOUR, n=10, min_df=1, min_cooccurrence=2, params=LOOSE)
    assert {tuple(sorted(e)) for e in strict.edges} == {tuple(sorted(p)) for p in [("审批", "服务"), ("审批", "监管")]}


def test_betweenness_follows_association_not_the_number_of_links():
    """甲 and 丙 are linked directly but weakly (Ochiai 1/4, distance 4); through 乙 the path is
    shorter (two links of Ochiai 3/√24, distance 1.63 each), so 乙 lies on it; counting links, it would not."""
    measures = [["甲", "乙"]] * 3 + [["乙", "丙"]] * 3 + [["甲", "丙"]]
    g = coword.network(measures, n=10, min_df=1, min_cooccurrence=1, params=LOOSE)
    assert g.edges["甲", "丙"]["weight"] == pytest.approx(0.25)
    assert g.nodes["乙"]["betweenness"] == pytest.approx(1.0)
    assert nx.betweenness_centrality(g)["乙"] == 0  # unweighted: the direct link is the shortest path


def test_per_source_networks_need_enough_measures_and_few_enough_sources():
    tokens = pd.DataFrame({"source_id": ["x"] * 8 + ["y"] * 3,
                           "tokens": ["审批 服务 监管"] * 8 + ["审批 服务"] * 3})
    tables, _ = coword.coword_tables(tokens, ["x", "y"], coword.Params(min_df=1, source_min_df=1))
    assert set(tables["coword_nodes.csv"]["scope"]) == {coword.ALL, "x"}  # y has 3 measures, fewer than 8
    with pytest.warns(coword.NetworkWarning, match="2 sources, more than max_sources"):
        tables, _ = coword.coword_tables(tokens, ["x", "y"], coword.Params(min_df=1, max_sources=1))
    assert set(tables["coword_nodes.csv"]["scope"]) == {coword.ALL}


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
    assert b"lastmodifieddate" not in files["coword.gexf"] and b"NetworkX" not in files["coword.gexf"]
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
NO_REFERENCES = pd.DataFrame(columns=["source_id", "place", "relation"])


def _measures(texts: dict[str, list[str]]) -> pd.DataFrame:
    return pd.DataFrame([{"measure_id": f"{s}:{i:02d}", "source_id": s, "text": t}
                         for s, items in texts.items() for i, t in enumerate(items, start=1)])


def _tables(texts: dict[str, list[str]], references: pd.DataFrame = NO_REFERENCES,
            national: dict[str, tuple[str, int]] | None = None, docs: pd.DataFrame = DOCS,
            provinces: dict[str, str] | None = None) -> dict[str, pd.DataFrame]:
    return formulas.formula_tables(_measures(texts), docs, references, [re.compile(r"[二三四五六七八九十]个一")],
                                   formulas.National(national or {}), {"广深": ["甲市", "深圳"]},
                                   formulas.Params(), provinces)


def test_normal_form_ignores_punctuation_width_and_script():
    assert formulas.normal("“双随机、一公开”") == formulas.normal("雙隨機一公開") == "双随机一公开"
    assert formulas.normal("１+５＋16") == "1+5+16"
    text = "甲、乙 丙"
    form, where = formulas.normal_with_positions(text)
    assert form == "甲乙丙" and [text[i] for i in where] == list("甲乙丙")
    form, where = formulas.normal_with_positions("①雙隨機")  # NFKC turns ① into 1; Traditional becomes Simplified
    assert form == "1双随机" and where == [0, 1, 2, 3]


def test_quoted_and_numbered_formulas_are_found():
    params = formulas.Params()
    text = "推行“最多跑一次”和「一网通办」,打造‘一门’与『证照分离』"
    assert formulas.quoted(text, params) == ["最多跑一次", "一网通办", "证照分离"]  # ‘一门’ is too short
    assert formulas.quoted("“" + "长" * 40 + "”", params) == []  # a sentence, not a formula
    assert formulas.numbered("打造“五个一”服务", [re.compile("[二三四五六七八九十]个一")]) == ["五个一"]
    patterns = Lexicon.load().formula_patterns
    assert formulas.numbered("构建1+5+16体系,推行1+N模式,一网通办", patterns) == ["1+5+16", "1+N", "一网通办"]
    assert formulas.numbered("增加5+2个项目,打造一个一站式平台", patterns) == []  # a sum; 一个一站式
    # a numbered formula that is a whole quoted span is written once, as quoted; inside a longer quote, it is both
    pats = [re.compile("一网通办")]
    assert formulas.written_formulas("推进“一网通办”", pats, params) == [("quoted", "一网通办")]
    assert formulas.written_formulas("推进“一网通办、一窗受理”", pats, params) == [
        ("quoted", "一网通办、一窗受理"), ("numbered", "一网通办")]


def test_dates_are_spans_ordered_only_when_they_do_not_overlap():
    assert formulas.earlier(formulas.date_span("2023-08-20"), formulas.date_span("2024"))
    assert not formulas.earlier(formulas.date_span("2024"), formulas.date_span("2024-03-01"))
    assert not formulas.earlier(formulas.date_span("2024-03-01"), formulas.date_span("2024"))
    assert formulas.earlier(formulas.date_span("2024-6-5"), formulas.date_span("2024-10-01"))
    assert formulas.date_span("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert formulas.date_span("") is None and formulas.date_span("undated") is None
    assert not formulas.earlier(None, formulas.date_span("2024"))


def test_two_documents_sharing_a_passage_give_exactly_that_passage():
    texts = {"a-2019": ["一、全面" + PASSAGE + "。另外的内容完全不同甲乙丙丁。"],
             "b-2021": ["（三）" + PASSAGE.replace("、", ",") + ",其余文字各不相同子丑寅卯。"]}
    normal = {s: formulas.normal(t[0]) for s, t in texts.items()}
    shared = formulas.shared_passages(normal, 12)
    assert [(p.text, p.users, p.counts) for p in shared] == [(formulas.normal(PASSAGE), ("a-2019", "b-2021"), (1, 1))]
    first = shared[0]
    assert [normal[s][at:at + len(first.text)] for s, at in zip(first.users, first.starts, strict=True)] == \
        [first.text] * 2
    out = _tables(texts)
    row = out["formulas.csv"].query("kind == 'passage'").iloc[0]
    assert row["formula"] == PASSAGE  # shown as the earlier document wrote it
    assert row["documents"] == "a-2019;b-2021" and row["first_source"] == "a-2019"
    pair = out["formula_pairs.csv"].iloc[0]
    assert (pair["n_passages"], pair["shared_chars"]) == (1, len(formulas.normal(PASSAGE)))
    # a passage shorter than passage_chars is not shared
    assert formulas.shared_passages({"x": "甲乙丙丁戊己庚辛壬癸", "y": "甲乙丙丁戊己庚辛壬癸"}, 12) == []


def test_a_passage_is_never_text_one_of_its_documents_lacks():
    # every 3-shingle of abcde is in B, but B never has abcde in one piece
    found = {p.text: p for p in formulas.shared_passages({"A": "xxabcdeyy", "B": "abcQbcdeZ"}, 3)}
    assert set(found) == {"abc", "bcde"}
    assert found["bcde"].starts == (3, 4) and found["abc"].starts == (2, 0)


def test_a_stretch_two_documents_share_and_a_third_shares_in_part_is_counted_once():
    common, pair = "甲乙丙丁戊己庚辛壬癸子丑", "寅卯辰巳午未申酉戌亥天地"
    texts = {"a": "开头" + common + pair + "结尾一", "b": "起首" + common + pair + "末了二",
             "c": "另起" + common + "别的话三"}
    found = {p.text: p.users for p in formulas.shared_passages(texts, 12)}
    # listed as overlapping passages, each with its documents ...
    assert found == {common: ("a", "b", "c"), common[1:] + pair: ("a", "b")}
    # ... and counted as the one 24-character stretch a and b share
    docs = pd.DataFrame({"source_id": ["a", "b", "c"], "date": ["2019", "2020", "2021"], "place": ["", "", ""]})
    out = _tables({s: [t] for s, t in texts.items()}, docs=docs)
    pairs = out["formula_pairs.csv"].set_index(["source_id", "earlier_source"])
    assert tuple(pairs.loc[("b", "a"), ["n_passages", "shared_chars"]]) == (1, 24)
    assert tuple(pairs.loc[("c", "a"), ["n_passages", "shared_chars"]]) == (1, 12)


def test_spread_marks_first_user_adopter_and_declared_learning():
    texts = {"a-2019": ["推行“容缺受理”改革,打造五个一服务。"], "b-2021": ["借鉴甲市经验,推行“容缺受理”。"]}
    refs = pd.DataFrame({"source_id": ["b-2021"], "place": ["甲市"], "relation": ["learns_from"]})
    out = _tables(texts, refs, national={"容缺受理": ("某国家文件", 2018)})
    table = out["formulas.csv"].set_index("normal")
    assert table.loc["容缺受理", "n_documents"] == 2 and table.loc["容缺受理", "national"]
    assert table.loc["五个一", "kind"] == "numbered" and table.loc["五个一", "n_documents"] == 1
    spread = out["formula_spread.csv"]
    rows = spread[spread["formula_id"] == table.loc["容缺受理", "formula_id"]]
    assert rows["role"].tolist() == ["first", "adopter"]
    assert rows["declares_learning"].tolist() == [False, True] and rows["credited_place"].iloc[1] == "甲市"
    pair = out["formula_pairs.csv"].iloc[0]
    # the only shared formula was national when a-2019 used it: declared, but nothing local shared
    assert (pair["n_formulas"], pair["n_national"], pair["agreement"]) == (0, 1, "declared, nothing shared")
    # had the national document come after a-2019, the sharing would count
    later = _tables(texts, refs, national={"容缺受理": ("某国家文件", 2020)})["formula_pairs.csv"].iloc[0]
    assert (later["n_formulas"], later["n_national"], later["agreement"]) == (1, 0, "declared and shared")


def test_documents_of_the_same_date_are_all_first_and_a_year_only_date_is_not_ordered_within_its_year():
    docs = pd.DataFrame({"source_id": ["p", "q", "r"], "date": ["2024", "2024-03-01", "2023-08-20"],
                         "place": ["", "", ""]})
    texts = {s: ["推行“拿地即开工”模式。"] for s in ["p", "q", "r"]}
    out = _tables(texts, docs=docs)
    assert out["formulas.csv"]["first_source"].iloc[0] == "r"
    roles = out["formula_spread.csv"].set_index("source_id")["role"]
    assert roles.to_dict() == {"r": "first", "p": "adopter", "q": "adopter"}
    pairs = out["formula_pairs.csv"]
    assert set(zip(pairs["source_id"], pairs["earlier_source"], strict=True)) == {("p", "r"), ("q", "r")}  # not p, q
    same = _tables(texts, docs=docs.assign(date=["2024-01-01", "2024-01-01", ""]))
    assert same["formulas.csv"]["first_source"].iloc[0] == "p;q"
    assert same["formula_spread.csv"].set_index("source_id")["role"].to_dict() == {
        "p": "first", "q": "first", "r": "undated"}
    assert same["formula_pairs.csv"].empty


def test_a_shared_local_formula_that_is_never_credited_is_called_so():
    texts = {"a-2019": ["推行“拿地即开工”模式。"], "b-2021": ["全面推广“拿地即开工”。"]}
    pair = _tables(texts)["formula_pairs.csv"].iloc[0]
    assert (pair["source_id"], pair["earlier_source"], pair["n_formulas"]) == ("b-2021", "a-2019", 1)
    assert pair["agreement"] == "shared, never credited"
    # an alias credits every place it stands for; a province credits its documents
    refs = pd.DataFrame({"source_id": ["b-2021"], "place": ["广深"], "relation": ["learns_from"]})
    assert _tables(texts, refs)["formula_pairs.csv"].iloc[0]["agreement"] == "declared and shared"
    refs = pd.DataFrame({"source_id": ["b-2021"], "place": ["丙省"], "relation": ["learns_from"]})
    assert _tables(texts, refs)["formula_pairs.csv"].iloc[0]["agreement"] == "shared, never credited"
    assert _tables(texts, refs, provinces={"a-2019": "丙省"})["formula_pairs.csv"].iloc[0]["declared"]
    assert formulas.covers("广州", ["广州市天河区"], {}) and not formulas.covers("天河", ["广州市"], {})


def test_national_marking_reaches_a_passage_cut_short_of_the_national_wording():
    wording = "行政执法公示、执法全过程记录、重大执法决定法制审核"
    national = formulas.National({formulas.normal(wording): ("国办发", 2018)})
    assert national.of(formulas.normal("行政执法公示、执法全过程记录、重大"), 12)[1] == 2018
    assert national.of(formulas.normal("执法决定"), 12) == ("", None)  # too short to say


def test_the_bundled_corpus_shares_the_passages_the_issue_names():
    table = load("formulas", DATA / "processed")
    passages = table[table["kind"] == "passage"].set_index("normal")
    assert formulas.normal("一张表单、一套材料、一次提交") in passages.index
    assert any(p.startswith(formulas.normal("行政执法公示、执法全过程记录")) for p in passages.index)
    assert table.set_index("normal").loc["双随机一公开", "national"]


@pytest.mark.parametrize("file, text, said", [
    ("formula_params.csv", "name,value\nmin_chars,three\nmax_quote_chars,30\npassage_chars,12\n",
     ["line 2", "min_chars", "whole number"]),
    ("formula_params.csv", "name,value\nmin_chars,3\nmax_quote_chars,0\npassage_chars,12\n",
     ["line 3", "max_quote_chars", "1 or more"]),
    ("formula_params.csv", "name,value\nmin_chars,3\nmax_quote_chars,30\npassage_chars,2\n",
     ["line 4", "passage_chars", "4 or more"]),
    ("national_formulas.csv", "formula,document,year\n双随机、一公开,甲,2015\n双随机一公开,乙,2016\n",
     ["line 3", "the formula of line 2"]),
    ("national_formulas.csv", "formula,document,year\n、、,甲,2015\n", ["line 2", "no letters or digits"]),
    ("national_formulas.csv", "formula,document,year\n证照分离,甲,2018年\n", ["line 2", "not a year"]),
    ("coword_params.csv", "name,value\ntop_terms,60.5\n", ["top_terms", "whole number"]),
])
def test_a_bad_network_or_formula_file_names_the_file_the_line_and_the_fix(corpus, capsys, file, text, said):
    (corpus / "lexicon").mkdir()
    if file == "coword_params.csv":  # every other name as bundled, top_terms broken
        bundled = (LEXICON / file).read_text(encoding="utf-8").splitlines()
        text = "\n".join(["name,value,note", "top_terms,60.5,"] + [ln for ln in bundled[1:]
                                                                   if not ln.startswith("top_terms")]) + "\n"
    (corpus / "lexicon" / file).write_text(text, encoding="utf-8")
    assert main(["build", "--data", str(corpus), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert file in err and all(s in err for s in said) and "fix: " in err and "Traceback" not in err


def test_the_lexicon_readme_states_the_bundled_network_and_formula_parameters():
    readme = (LEXICON / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Co-word network and reform formulas"):readme.index("## formula_patterns.csv")]
    stated = dict(re.findall(r"`(\w+)` \((\d+(?:\.\d+)?)", section))
    values = {}
    for name in ("coword_params.csv", "formula_params.csv"):
        values |= dict(pd.read_csv(LEXICON / name, dtype=str)[["name", "value"]].itertuples(index=False))
    assert stated and {k: values[k] for k in stated} == stated


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
        local = both[~both["national"] & (both["kind"] != "passage")]
        assert r.n_formulas == len(local)
