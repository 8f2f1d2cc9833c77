"""Co-word networks and reform formulas: known answers worked by hand, and the bundled corpus."""

from __future__ import annotations

import io
import math
import re
from datetime import date

import networkx as nx
import pandas as pd
import pytest

from bizenv_analysis.__main__ import main
from bizenv_analysis.analysis import coword, spread
from bizenv_analysis.base.paths import DATA, LEXICON
from bizenv_analysis.io.tables import load
from bizenv_analysis.report import figure_data
from bizenv_analysis.rules import formulas as rules_formulas
from bizenv_analysis.rules.lexicon import Lexicon
from bizenv_analysis.text import formulas
from bizenv_analysis.text.dtm import Dtm

# --- co-word network: four measures whose co-occurrences are counted by hand -------------------

FOUR = [["审批", "服务", "监管"], ["审批", "服务"], ["审批", "监管", "审批"], ["服务", "信用"]]
# df: 审批 3, 服务 3, 监管 2, 信用 1. Both in: 审批·服务 2, 审批·监管 2, 服务·监管 1, 服务·信用 1.
OCHIAI = {("审批", "服务"): 2 / 3, ("审批", "监管"): 2 / math.sqrt(6), ("服务", "监管"): 1 / math.sqrt(6),
          ("服务", "信用"): 1 / math.sqrt(3)}
FOUR_DTM = Dtm.from_lists(FOUR)
LOOSE = coword.Params(min_df=1, min_chars=1, min_cooccurrence=1)


def test_top_terms_rank_by_measures_containing_them_and_keep_ties():
    df = coword.top_terms(FOUR_DTM, n=3, min_df=1)
    assert df.to_dict() == {"审批": 3, "服务": 3, "监管": 2}  # 审批 twice in one measure counts once
    assert list(coword.top_terms(FOUR_DTM, n=1, min_df=1).index) == ["审批", "服务"]  # tied with the first: kept
    assert list(coword.top_terms(FOUR_DTM, n=10, min_df=2).index) == ["审批", "服务", "监管"]
    two = Dtm.from_lists([["a", "bb"], ["a", "bb"]])
    assert list(coword.top_terms(two, n=5, min_df=1, min_chars=2).index) == ["bb"]


def test_the_cooccurrence_matrix_and_ochiai_weights_of_four_measures():
    terms = ["审批", "服务", "监管", "信用"]
    counts = FOUR_DTM.cooccurrence(terms).toarray()
    assert counts.tolist() == [[3, 2, 2, 0], [2, 3, 1, 1], [2, 1, 2, 0], [0, 1, 0, 1]]
    weights = coword.ochiai(FOUR_DTM.cooccurrence(terms)).toarray()
    for (a, b), w in OCHIAI.items():
        assert weights[terms.index(a), terms.index(b)] == pytest.approx(w)
    g = coword.network(FOUR_DTM, n=10, min_df=1, min_cooccurrence=1, params=LOOSE)
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
    strict = coword.network(FOUR_DTM, n=10, min_df=1, min_cooccurrence=2, params=LOOSE)
    assert {tuple(sorted(e)) for e in strict.edges} == {tuple(sorted(p)) for p in [("审批", "服务"), ("审批", "监管")]}


def test_betweenness_follows_association_not_the_number_of_links():
    """甲 and 丙 are linked directly but weakly (Ochiai 1/4, distance 4); through 乙 the path is
    shorter (two links of Ochiai 3/√24, distance 1.63 each), so 乙 lies on it; counting links, it would not."""
    measures = [["甲", "乙"]] * 3 + [["乙", "丙"]] * 3 + [["甲", "丙"]]
    g = coword.network(Dtm.from_lists(measures), n=10, min_df=1, min_cooccurrence=1, params=LOOSE)
    assert g.edges["甲", "丙"]["weight"] == pytest.approx(0.25)
    assert g.nodes["乙"]["betweenness"] == pytest.approx(1.0)
    assert nx.betweenness_centrality(g)["乙"] == 0  # unweighted: the direct link is the shortest path


def test_per_source_networks_need_enough_measures_and_few_enough_sources():
    tokens = pd.DataFrame({"source_id": ["x"] * 8 + ["y"] * 3,
                           "tokens": ["审批 服务 监管"] * 8 + ["审批 服务"] * 3})
    tables, _ = coword.coword_tables(Dtm.from_tokens(tokens), ["x", "y"], coword.Params(min_df=1, source_min_df=1))
    assert set(tables["coword_nodes.csv"]["scope"]) == {coword.ALL, "x"}  # y has 3 measures, fewer than 8
    with pytest.warns(coword.NetworkWarning, match="2 sources, more than max_sources"):
        tables, _ = coword.coword_tables(Dtm.from_tokens(tokens), ["x", "y"], coword.Params(min_df=1, max_sources=1))
    assert set(tables["coword_nodes.csv"]["scope"]) == {coword.ALL}


def test_two_separate_cliques_are_two_communities_whatever_the_seed():
    measures = [["甲", "乙", "丙"]] * 3 + [["丁", "戊", "己"]] * 3
    for seed in (1, 2, 3):
        g = coword.network(Dtm.from_lists(measures), n=10, min_df=1, min_cooccurrence=1, params=coword.Params(
            min_df=1, min_chars=1, min_cooccurrence=1, seed=seed))
        groups = {frozenset(t for t in g if g.nodes[t]["community"] == k) for k in (1, 2)}
        assert groups == {frozenset("甲乙丙"), frozenset("丁戊己")}
        assert coword.community_stability(g, 1.0, range(5))["ari"].eq(1.0).all()


def test_the_gexf_opens_in_networkx_with_labels_and_communities_and_no_date():
    g = coword.network(FOUR_DTM, n=10, min_df=1, min_cooccurrence=1, params=LOOSE)
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
NO_REFERENCES = pd.DataFrame(columns=["source_id", "place", "relation", "practice", "sentence"])


class Framing(str):
    """A line of a test document that is no measure (a framing paragraph, a preamble)."""


def _measures(texts: dict[str, list[str]]) -> pd.DataFrame:
    """One measure per line that is not `Framing`, with its line number in the document's text."""
    return pd.DataFrame([{"measure_id": f"{s}:{k:02d}", "source_id": s, "text": t, "line_start": line,
                          "line_end": line}
                         for s, lines in texts.items()
                         for k, (line, t) in enumerate(((n, t) for n, t in enumerate(lines, start=1)
                                                        if not isinstance(t, Framing)), start=1)])


def _refs(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """learns_from rows of references.csv: (source_id, place, practice, sentence)."""
    return pd.DataFrame([{"source_id": s, "place": p, "relation": "learns_from", "practice": pr, "sentence": se}
                         for s, p, pr, se in rows], columns=NO_REFERENCES.columns)


def _tables(texts: dict[str, list[str]], references: pd.DataFrame = NO_REFERENCES,
            national: dict[str, tuple[str, int]] | None = None, docs: pd.DataFrame = DOCS,
            provinces: dict[str, str] | None = None, generic: set[str] | None = None) -> dict[str, pd.DataFrame]:
    """The formula tables of documents given line by line (each document's text is its lines)."""
    docs = docs.assign(text=[("\n".join(texts[s]) if s in texts else "") for s in docs["source_id"]])
    return spread.formula_tables(_measures(texts), docs, references, [re.compile(r"[二三四五六七八九十]个一")],
                                 rules_formulas.National(national or {}), {"广深": ["甲市", "深圳"]},
                                 rules_formulas.Params(), provinces,
                                 rules_formulas.Generic(frozenset(formulas.normal(t) for t in generic or ())))


def test_normal_form_ignores_punctuation_width_and_script():
    assert formulas.normal("“双随机、一公开”") == formulas.normal("雙隨機一公開") == "双随机一公开"
    assert formulas.normal("１+５＋16") == "1+5+16"
    text = "甲、乙 丙"
    form, where = formulas.normal_with_positions(text)
    assert form == "甲乙丙" and [text[i] for i in where] == list("甲乙丙")
    form, where = formulas.normal_with_positions("①雙隨機")  # NFKC turns ① into 1; Traditional becomes Simplified
    assert form == "1双随机" and where == [0, 1, 2, 3]


def test_quoted_and_numbered_formulas_are_found():
    params = rules_formulas.Params()
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
    assert spread.earlier(spread.date_span("2023-08-20"), spread.date_span("2024"))
    assert not spread.earlier(spread.date_span("2024"), spread.date_span("2024-03-01"))
    assert not spread.earlier(spread.date_span("2024-03-01"), spread.date_span("2024"))
    assert spread.earlier(spread.date_span("2024-6-5"), spread.date_span("2024-10-01"))
    assert spread.date_span("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert spread.date_span("") is None and spread.date_span("undated") is None
    assert not spread.earlier(None, spread.date_span("2024"))


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
    refs = _refs(("b-2021", "甲市", "", "借鉴甲市经验,推行“容缺受理”"))
    out = _tables(texts, refs, national={"容缺受理": ("某国家文件", 2018)})
    table = out["formulas.csv"].set_index("normal")
    assert table.loc["容缺受理", "n_documents"] == 2 and table.loc["容缺受理", "national"]
    assert table.loc["五个一", "kind"] == "numbered" and table.loc["五个一", "n_documents"] == 1
    spread = out["formula_spread.csv"]
    rows = spread[spread["formula_id"] == table.loc["容缺受理", "formula_id"]]
    assert rows["role"].tolist() == ["first", "adopter"]
    assert rows["declares_learning"].tolist() == [False, True] and rows["credited_place"].iloc[1] == "甲市"
    assert rows["credit_basis"].tolist() == ["", "sentence"]
    pair = out["formula_pairs.csv"].iloc[0]
    # the only shared formula was national when a-2019 used it: the place is named, nothing local is shared
    assert (pair["n_formulas"], pair["n_national"], pair["excluded_formulas"]) == (
        0, 1, f"{table.loc['容缺受理', 'formula_id']} national")
    assert (pair["declared"], pair["names_place"], pair["agreement"]) == (False, True, "place named, nothing shared")
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
    texts = {"a-2019": ["推行“拿地即开工”模式。"], "b-2021": ["学习先进经验,全面推广“拿地即开工”。"]}
    pair = _tables(texts)["formula_pairs.csv"].iloc[0]
    assert (pair["source_id"], pair["earlier_source"], pair["n_formulas"]) == ("b-2021", "a-2019", 1)
    assert pair["agreement"] == "shared, never credited"
    # an alias credits every place it stands for; a province credits its documents
    sentence = "学习先进经验,全面推广“拿地即开工”"
    refs = _refs(("b-2021", "广深", "", sentence))
    assert _tables(texts, refs)["formula_pairs.csv"].iloc[0]["agreement"] == "declared and shared"
    refs = _refs(("b-2021", "丙省", "", sentence))
    assert _tables(texts, refs)["formula_pairs.csv"].iloc[0]["agreement"] == "shared, never credited"
    assert _tables(texts, refs, provinces={"a-2019": "丙省"})["formula_pairs.csv"].iloc[0]["declared"]
    assert spread.covers("广州", ["广州市天河区"], {}) and not spread.covers("天河", ["广州市"], {})


def test_national_marking_reaches_a_passage_cut_short_of_the_national_wording():
    wording = "行政执法公示、执法全过程记录、重大执法决定法制审核"
    national = rules_formulas.National({formulas.normal(wording): ("国办发", 2018)})
    assert national.of(formulas.normal("行政执法公示、执法全过程记录、重大"), 12)[1] == 2018
    assert national.of(formulas.normal("执法决定"), 12) == ("", None)  # too short to say


# --- credit per formula, national strategies, generic terms, the whole text (issue 22) -------------

def _row(out: dict[str, pd.DataFrame], written: str) -> pd.Series:
    """The formulas.csv row of a formula as written."""
    return out["formulas.csv"].set_index("normal").loc[formulas.normal(written)]


def _use(out: dict[str, pd.DataFrame], written: str, source: str) -> pd.Series:
    """The formula_spread.csv row of a formula in one document."""
    spread = out["formula_spread.csv"]
    return spread[(spread["formula_id"] == _row(out, written)["formula_id"]) & (spread["source_id"] == source)].iloc[0]


def test_a_national_strategy_is_marked_national_with_the_document_that_set_it():
    texts = {"a-2019": ["融入“一带一路”建设。"], "b-2021": ["服务“一带一路”倡议。"]}
    setting = "国家发展改革委、外交部、商务部《推动共建丝绸之路经济带和21世纪海上丝绸之路的愿景与行动》"
    out = _tables(texts, national={"一带一路": (setting, 2013)})
    row = _row(out, "一带一路")
    assert (row["national"], row["national_year"], row["national_basis"]) == (True, 2013, f"一带一路: {setting} (2013)")
    pair = out["formula_pairs.csv"].iloc[0]
    assert (pair["n_formulas"], pair["n_national"], pair["agreement"]) == (0, 1, "neither")
    assert not _use(out, "一带一路", "b-2021")["spread_evidence"]
    # the bundled list holds national strategies and slogans, not only reform names, each with its year
    lex = pd.read_csv(LEXICON / "national_formulas.csv", dtype=str, keep_default_na=False).set_index("formula")
    assert lex.loc["一带一路", "kind"] == "strategy" and "愿景与行动" in lex.loc["一带一路", "document"]
    assert lex.loc["中小企业能办大事", "kind"] == "slogan"
    assert Lexicon.load().national.of("一带一路", 12)[1] == 2013
    assert "Zhejiang" in lex.loc["最多跑一次", "note"]  # coined provincially, national only from 2018


def test_a_generic_term_is_marked_and_not_counted_in_a_pair():
    texts = {"a-2019": ["运用“大数据”,推行“拿地即开工”。"], "b-2021": ["依托“大数据”,推广“拿地即开工”。"]}
    out = _tables(texts, generic={"大数据"})
    assert _row(out, "大数据")["generic"] and not _row(out, "拿地即开工")["generic"]
    pair = out["formula_pairs.csv"].iloc[0]
    local, common = _row(out, "拿地即开工")["formula_id"], _row(out, "大数据")["formula_id"]
    assert (pair["n_formulas"], pair["n_generic"], pair["counted_formulas"], pair["excluded_formulas"]) == (
        1, 1, local, f"{common} generic")
    assert not _use(out, "大数据", "b-2021")["spread_evidence"] and _use(out, "拿地即开工", "b-2021")["spread_evidence"]
    # a pair that shares only a generic term shares nothing
    only = _tables({"a-2019": ["运用“大数据”。"], "b-2021": ["依托“大数据”。"]}, generic={"大数据"})
    assert tuple(only["formula_pairs.csv"].iloc[0][["n_formulas", "n_generic", "agreement"]]) == (0, 1, "neither")
    # a longer formula that contains a generic term is not generic
    longer = _tables({"a-2019": ["推行“一窗受理、集成服务”。"]}, generic={"一窗受理"})
    assert not _row(longer, "一窗受理、集成服务")["generic"]


def test_a_credit_for_one_practice_does_not_credit_another_formula_of_the_document():
    texts = {"a-2019": ["推行“容缺受理”,实行“拿地即开工”。"],
             "b-2021": ["学习甲市“容缺受理”做法,以“拿地即开工”为抓手。", "其他工作。"]}
    refs = _refs(("b-2021", "甲市", "容缺受理", "学习甲市“容缺受理”做法,以“拿地即开工”为抓手"))
    out = _tables(texts, refs)
    credited, other = _use(out, "容缺受理", "b-2021"), _use(out, "拿地即开工", "b-2021")
    assert tuple(credited[["declares_learning", "credited_place", "credit_basis"]]) == (True, "甲市", "practice")
    assert (other["declares_learning"], other["credits"]) == (False, "")  # same sentence, another practice
    pair = out["formula_pairs.csv"].iloc[0]
    assert (pair["n_formulas"], pair["n_credited"], pair["credited_formulas"], pair["declared"]) == (
        2, 1, _row(out, "容缺受理")["formula_id"], True)
    # crediting the place for a practice the earlier document does not share declares nothing shared
    refs = _refs(("b-2021", "甲市", "首问负责", "学习甲市“首问负责”做法"))
    pair = _tables({**texts, "b-2021": ["学习甲市“首问负责”做法。", "推行“容缺受理”,实行“拿地即开工”。"]},
                   refs)["formula_pairs.csv"].iloc[0]
    assert (pair["n_formulas"], pair["n_credited"], pair["declared"], pair["names_place"], pair["agreement"]) == (
        2, 0, False, True, "shared, never credited")


def test_a_credit_in_the_neighbouring_sentence_counts_and_one_further_away_does_not():
    a = ["推行“拿地即开工”模式。"]
    near = {"a-2019": a, "b-2021": ["借鉴甲市经验。全面推行“拿地即开工”模式。"]}
    refs = _refs(("b-2021", "甲市", "", "借鉴甲市经验"))
    use = _use(_tables(near, refs), "拿地即开工", "b-2021")
    assert (use["declares_learning"], use["credit_basis"]) == (True, "neighbour")
    # the next line is the next sentence too
    below = {"a-2019": a, "b-2021": ["借鉴甲市经验", "全面推行“拿地即开工”模式。"]}
    assert _use(_tables(below, refs), "拿地即开工", "b-2021")["declares_learning"]
    far = {"a-2019": a, "b-2021": ["借鉴甲市经验。加强组织领导。全面推行“拿地即开工”模式。"]}
    assert not _use(_tables(far, refs), "拿地即开工", "b-2021")["declares_learning"]


def test_a_first_user_that_credits_another_place_is_flagged_and_not_counted_as_the_origin():
    # a-2019 (甲市) says it learnt the practice from 乙市; b-2021, a document of 乙市, writes it later
    texts = {"a-2019": ["学习乙市“订制式审批服务”做法,加快项目建设。"], "b-2021": ["推出“订制式审批服务”。"]}
    refs = _refs(("a-2019", "乙市", "订制式审批服务", "学习乙市“订制式审批服务”做法,加快项目建设"))
    out = _tables(texts, refs)
    row = _row(out, "订制式审批服务")
    assert (row["first_source"], row["first_credits"]) == ("a-2019", "a-2019: 乙市")
    later = _use(out, "订制式审批服务", "b-2021")
    assert (later["role"], later["earlier_credits"], later["spread_evidence"]) == ("adopter", "a-2019: 乙市", False)
    pair = out["formula_pairs.csv"].iloc[0]
    assert (pair["n_formulas"], pair["n_borrowed"], pair["excluded_formulas"], pair["agreement"]) == (
        0, 1, f"{row['formula_id']} borrowed (乙市)", "neither")


def test_a_slogan_in_a_framing_paragraph_is_found_and_a_use_keeps_its_measure():
    slogan = "人人都是营商环境、处处优化营商环境"
    texts = {"a-2019": [Framing("甲市营商环境行动方案"), Framing(f"牢固树立“{slogan}”的理念,制定本方案。"),
                        "推行“拿地即开工”模式。"],
             "b-2021": [Framing(f"要求各部门树牢“{slogan}”理念,推广“拿地即开工”。"), "全面推广“拿地即开工”。"]}
    out = _tables(texts)
    assert _row(out, slogan)["n_documents"] == 2 and _row(out, slogan)["example_measure"] == ""
    framing, item = _use(out, slogan, "a-2019"), _use(out, "拿地即开工", "a-2019")
    assert (framing["first_measure"], framing["n_outside_measures"]) == ("", 1)
    assert (item["first_measure"], item["n_outside_measures"]) == ("a-2019:01", 0)  # line 3, the first measure
    # first written in the framing paragraph, then in a measure: the measure is named, the other use counted
    later = _use(out, "拿地即开工", "b-2021")
    assert (later["n_occurrences"], later["first_measure"], later["n_outside_measures"]) == (2, "b-2021:01", 1)
    assert out["formula_pairs.csv"].iloc[0]["n_formulas"] == 2


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
    ("national_formulas.csv", "formula,document,year,kind\n一带一路,甲,2013,plan\n", ["line 2", "unknown kind"]),
    ("generic_terms.csv", "term,note\n大数据,\n大 数 据,\n", ["line 3", "the term of line 2"]),
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
    g = figure_data.graph_from_tables(load("coword_nodes", DATA / "processed"),
                                      load("coword_edges", DATA / "processed"))
    stable = coword.community_stability(g, Lexicon.load().coword.resolution, range(1, 31))
    assert stable["ari"].median() < 0.8 and stable["n_communities"].nunique() > 1


@pytest.fixture(scope="module")
def bundled() -> dict[str, pd.DataFrame]:
    """The formula tables of the bundled corpus, from its committed documents, measures and references
    (the tables spread.py reads, which this stage does not change) and the bundled lexicon."""
    lex = Lexicon.load()
    sources = pd.read_csv(DATA / "sources.csv", dtype=str, keep_default_na=False)
    return spread.formula_tables(load("measures", DATA / "processed"), load("documents", DATA / "processed"),
                                 load("references", DATA / "processed"), lex.formula_patterns, lex.national,
                                 lex.place_aliases, lex.formula_params,
                                 dict(zip(sources["source_id"], sources["province"], strict=True)), lex.generic)


def _pair(out: dict[str, pd.DataFrame], later: str, before: str) -> pd.Series:
    return out["formula_pairs.csv"].set_index(["source_id", "earlier_source"]).loc[(later, before)]


def test_the_bundled_corpus_links_the_reviewer_found_are_national_or_generic(bundled):
    """Issue 22: 一带一路 was the only link of gd-cases-2024 to quzhou-2018; 大数据 and 一窗受理 those of
    tianhe-2020 to quzhou-2018."""
    assert _row(bundled, "一带一路")["national"] and _row(bundled, "一带一路")["national_year"] == 2013
    assert _row(bundled, "大数据")["generic"] and _row(bundled, "一窗受理")["generic"]
    for later in ("gd-cases-2024", "tianhe-2020"):
        pair = _pair(bundled, later, "quzhou-2018")
        assert pair["n_formulas"] + pair["n_passages"] == 0 and pair["agreement"] == "neither"
    assert _row(bundled, "一带一路")["formula_id"] + " national" in _pair(bundled, "gd-cases-2024", "quzhou-2018")[
        "excluded_formulas"].split("; ")


def test_the_bundled_custom_approval_service_is_credited_to_guangzhou_by_its_first_user(bundled):
    """dongguan-2023:11 学习广州“订制式审批服务”做法: the first user in the corpus says where it came from."""
    row = _row(bundled, "订制式审批服务")
    assert (row["first_source"], row["first_credits"], row["example_measure"]) == (
        "dongguan-2023", "dongguan-2023: 广州", "dongguan-2023:11")
    assert not _use(bundled, "订制式审批服务", "gd-cases-2024")["spread_evidence"]
    assert f"{row['formula_id']} borrowed (广州)" in _pair(bundled, "gd-cases-2024", "dongguan-2023")[
        "excluded_formulas"].split("; ")


def test_the_bundled_slogan_is_found_in_the_framing_paragraphs_of_both_documents(bundled):
    slogan = "人人都是营商环境、处处优化营商环境"  # as both documents write it (documents.csv)
    docs = load("documents", DATA / "processed").set_index("source_id")["text"]
    assert f"“{slogan}”" in docs["gz-pilot-2021"] and f"“{slogan}”" in docs["tianhe-2020"]
    row = _row(bundled, slogan)
    assert (row["kind"], row["documents"]) == ("quoted", "tianhe-2020;gz-pilot-2021")
    assert {_use(bundled, slogan, s)["first_measure"] for s in ("tianhe-2020", "gz-pilot-2021")} == {""}


def test_only_dongguan_declares_learning_and_for_the_formulas_it_names(bundled):
    """Declared learning is per formula: dongguan-2023 credits 广州 for ‘一门式’政策兑现, which tianhe-2020
    (a district of 广州) wrote as “一门式”; its credits to 广州 for other practices declare nothing else."""
    pairs = bundled["formula_pairs.csv"]
    assert set(pairs.loc[pairs["declared"], "source_id"]) == {"dongguan-2023"}
    tianhe = _pair(bundled, "dongguan-2023", "tianhe-2020")
    assert tianhe["credited_formulas"].split(";") == [_row(bundled, "一门式")["formula_id"]]
    passage = _row(bundled, "一张表单、一套材料、一次提交")["formula_id"]  # shared, but not what it credits 广州 for
    assert passage in tianhe["counted_formulas"].split(";") and passage not in tianhe["credited_formulas"]
    # every formula two documents share is counted or set apart, once, for a reason its row bears out
    found = bundled["formulas.csv"].set_index("formula_id")
    for r in pairs.itertuples():
        both = found[found["documents"].str.split(";").map(lambda d, r=r: {r.source_id, r.earlier_source} <= set(d))]
        counted = [f for f in r.counted_formulas.split(";") if f]
        apart = dict(e.split(" ")[:2] for e in r.excluded_formulas.split("; ") if e)
        assert sorted(counted + list(apart)) == sorted(both.index)
        assert all(found.loc[f, "national"] for f, why in apart.items() if why == "national")
        assert all(found.loc[f, "generic"] for f, why in apart.items() if why == "generic")
        assert not any(found.loc[f, "generic"] for f in counted)
        assert r.n_formulas == sum(found.loc[f, "kind"] != "passage" for f in counted)
