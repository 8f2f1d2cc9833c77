"""Names of people, places and organisations: found per term, kept in tokens.csv, left out of
keyness, the similarity of sources and the co-word network (issue #22, part 2)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from bizenv_analysis.analysis import clusters, coword, keyness, similarity
from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.paths import DATA, LEXICON
from bizenv_analysis.io import tables
from bizenv_analysis.rules import names
from bizenv_analysis.rules.lexicon import Lexicon
from bizenv_analysis.text import tokens
from bizenv_analysis.text.dtm import Dtm


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


@pytest.fixture(scope="module")
def tokenizer(lex: Lexicon) -> tokens.PolicyTokenizer:
    return tokens.PolicyTokenizer(lex.policy_terms, lex.stopwords)


# --- the gazetteer -------------------------------------------------------------------------------

@pytest.mark.parametrize(("place", "forms"), [
    ("广州市天河区", ["广州市", "广州", "天河区", "天河"]),
    ("广东省", ["广东省", "广东"]),
    ("衢州市", ["衢州市", "衢州"]),  # 州 ends the city's name: it is no suffix
    ("广州市(越秀区、黄埔区)", ["广州市", "广州", "越秀区", "越秀", "黄埔区", "黄埔"]),
    ("香港特别行政区", ["香港特别行政区", "香港"]),
    ("上海", ["上海"]),
    ("", []),
])
def test_a_place_cell_gives_each_unit_with_and_without_its_suffix(place, forms):
    assert names.place_forms(place) == forms


def test_the_gazetteer_holds_the_places_the_aliases_and_only_the_plain_learning_places():
    gaz = names.gazetteer(["东莞市", "广东省"], {"广深": ["广州", "深圳"]}, ["香港", "国际(?:先进|一流)?", "世界银行"])
    assert gaz == {"东莞市", "东莞", "广东省", "广东", "广深", "广州", "深圳", "香港", "世界银行"}


def test_the_bundled_gazetteer_takes_every_place_of_sources_csv(lex):
    src = tables.sources(DATA)
    found = lex.gazetteer([*src["place"], *src["province"]]).gazetteer
    assert {"广州市", "广州", "天河区", "天河", "东莞", "衢州", "广东", "浙江", "越秀", "南沙"} <= found
    assert {"广深", "珠三角", "北上广深", "深圳", "香港", "杭州", "世界银行"} <= found  # aliases, learning.csv
    assert not {"国际", "省", "先进地区"} & found  # learning places that are patterns or no names


# --- the decision --------------------------------------------------------------------------------

def test_a_keep_row_wins_over_the_tagger_and_the_gazetteer():
    rules = names.Names(gazetteer=frozenset({"和平"}), name=frozenset({"穗好办"}), keep=frozenset({"城市", "和平"}))
    assert rules.is_name("衢州", ["ns"]) and rules.is_name("饶洁怡", ["nr"]) and rules.is_name("世界银行", ["nt"])
    assert rules.is_name("穗好办", ["nz"])  # a name row: jieba does not tag it
    assert not rules.is_name("城市", ["ns"]) and not rules.is_name("和平", ["n"])  # kept
    assert not rules.is_name("一带一路", ["nz"])  # nz is no name tag
    # a term tagged a name in one use is a name in every use
    assert rules.of([[("城市", "ns"), ("天英汇", "x")], [("天英汇", "nr")]]) == {"天英汇"}


def test_a_token_takes_the_tag_of_the_tagged_word_that_covers_most_of_it():
    """The tokenizer and jieba's tagger can cut a run of unknown characters differently."""
    assert tokens._overlap_tags(["陈加", "猛", "书记"], [("陈加猛", "nr"), ("书记", "n")]) == ["nr", "nr", "n"]
    assert tokens._overlap_tags(["谭明鹤代"], [("谭明鹤", "nr"), ("代", "v")]) == ["nr"]
    assert tokens._overlap_tags(["与京"], [("与", "p"), ("京", "ns")]) == ["ns"]  # a tie: the name's tag
    assert tokens._overlap_tags(["及琶洲"], [("及", "c"), ("琶", "x"), ("洲", "n")]) == ["c"]  # the first word's
    assert tokens._overlap_tags(["甲乙"], [("甲", "n")]) == ["x"]  # cuts of different texts: no tag


MEASURES = pd.DataFrame({
    "measure_id": ["A:01", "A:02", "B:01"],
    "source_id": ["A", "A", "B"],
    "text": ["由饶洁怡副区长担任组长，邀请北京大学专家，在衢州建设智慧城市，衢州再推进一网通办。",
             "在海珠推广信用承诺制。",
             "推进一网通办和信用承诺制。"],
})


def test_person_place_and_organisation_names_land_in_names_and_stay_in_tokens(tokenizer, lex):
    toks = tokens.tokens_table(MEASURES, tokenizer, jobs=1, names=lex.names)
    assert list(toks.columns) == tokens.TOKEN_COLUMNS
    # a person (nr), an organisation (nt) and a place (ns), in order of first use, each once;
    # 智慧 (nr) and 城市 (ns) in jieba's dictionary are kept by names.csv
    assert list(toks["names"]) == ["饶洁怡 北京大学 衢州", "", ""]
    first = toks.loc[0, "tokens"].split()
    assert first.count("衢州") == 2 and {"饶洁怡", "北京大学", "智慧", "城市"} <= set(first)
    without = tokens.without_names(toks)
    assert without.loc[0, "tokens"].split() == [t for t in first if t not in {"饶洁怡", "北京大学", "衢州"}]
    assert list(without["n_tokens"]) == [toks.loc[0, "n_tokens"] - 4, *toks["n_tokens"][1:]]
    # without names.csv's keep rows, jieba's tags alone make names of 智慧 and 城市
    bare = tokens.tokens_table(MEASURES, tokenizer, 1, names.Names())
    assert bare.loc[0, "names"] == "饶洁怡 北京大学 衢州 智慧 城市"


def test_a_place_of_sources_csv_is_a_name_where_jieba_does_not_tag_it(tokenizer, lex):
    assert ("海珠", "n") in tokenizer.tagged("在海珠推广信用承诺制。")  # jieba: a common noun
    assert tokens.tokens_table(MEASURES, tokenizer, 1, lex.names).loc[1, "names"] == ""
    haizhu = lex.gazetteer(["广州市海珠区"])  # a corpus with a document of Haizhu district
    assert tokens.tokens_table(MEASURES, tokenizer, 1, haizhu).loc[1, "names"] == "海珠"


def test_without_names_needs_no_names_column():
    plain = pd.DataFrame({"source_id": ["A"], "n_tokens": [2], "tokens": ["衢州 审批"]})
    assert tokens.without_names(plain) is plain


# --- what leaves the names out -------------------------------------------------------------------

HAND = pd.DataFrame({
    "measure_id": ["a1", "a2", "b1", "b2"],
    "source_id": ["A", "A", "B", "B"],
    "tokens": ["衢州 审批 审批 审批 衢州 监管", "审批 审批 监管 监管 衢州 衢州",
               "审批 监管 监管 监管", "监管 监管 监管 审批"],
    "names": ["衢州", "衢州", "", ""],
})


def g2(a: float, b: float, n1: float, n2: float) -> float:
    e1, e2 = n1 * (a + b) / (n1 + n2), n2 * (a + b) / (n1 + n2)
    return 2 * ((a * math.log(a / e1) if a else 0) + (b * math.log(b / e2) if b else 0))


def test_keyness_leaves_the_names_out_of_the_terms_and_of_the_counts():
    out = keyness.keyness(Dtm.from_tokens(HAND), ["A", "B"], min_freq=2)
    assert "衢州" not in set(out["term"])
    # without 衢州, A has 审批 5 and 监管 3 (8 terms), B has 审批 2 and 监管 6 (8 terms)
    row = out[(out["source_id"] == "A") & (out["term"] == "审批")].iloc[0]
    assert (row["n_source"], row["n_rest"]) == (5, 2)
    assert row["g2"] == pytest.approx(g2(5, 2, 8, 8), abs=1e-3)
    kept = keyness.keyness(Dtm.from_tokens(HAND), ["A", "B"], min_freq=2, with_names=True)
    name = kept[kept["term"] == "衢州"].iloc[0]
    assert (name["source_id"], name["n_source"], name["n_rest"]) == ("A", 4, 0)
    row = kept[(kept["source_id"] == "A") & (kept["term"] == "审批")].iloc[0]
    assert row["g2"] == pytest.approx(g2(5, 2, 12, 8), abs=1e-3)  # A then has 12 terms


def test_the_coword_network_leaves_the_names_out():
    params = coword.Params(min_df=1, min_cooccurrence=1, source_min_df=1, min_measures=1)
    tables_, graph = coword.coword_tables(Dtm.from_tokens(HAND), ["A", "B"], params)
    assert "衢州" not in set(tables_["coword_nodes.csv"]["term"]) and "衢州" not in graph
    assert set(tables_["coword_nodes.csv"]["term"]) == {"审批", "监管"}
    kept, _ = coword.coword_tables(Dtm.from_tokens(HAND), ["A", "B"], params, with_names=True)
    assert set(kept["coword_nodes.csv"].query("scope == 'A'")["term"]) == {"衢州", "审批", "监管"}


def test_the_tfidf_of_the_similarity_has_no_name_among_its_terms():
    model = clusters.fit_tfidf(Dtm.from_tokens(HAND).without_names(), min_df=1, max_df=1.0)
    assert list(model.terms) == ["审批", "监管"]
    assert "衢州" in clusters.fit_tfidf(Dtm.from_tokens(HAND), min_df=1, max_df=1.0).terms


# --- names.csv -----------------------------------------------------------------------------------

def test_every_row_of_the_bundled_names_file_says_why_and_is_a_term_of_the_corpus(built):
    rows = pd.read_csv(LEXICON / "names.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert set(rows["action"]) == {"keep", "name"} and (rows["note"].str.strip() != "").all()
    terms = {t for line in built["tokens"]["tokens"] for t in line.split()}
    assert sorted(set(rows["term"]) - terms) == []  # a row for a term the tokenizer never gives does nothing


@pytest.mark.parametrize(("text", "said"), [
    ("term,action\n衢州,drop\n", ["line 2", "unknown action 'drop'"]),
    ("term,action\n衢州,name\n衢州,keep\n", ["line 3", "repeats line 2"]),
    ("term,action\n衢州 市,name\n", ["line 2", "'衢州 市'", "never be a term"]),
    ("term,action\nWTO,name\n", ["line 2", "no Chinese character"]),
    ("term\n衢州\n", ["missing column action"]),
])
def test_a_bad_names_file_names_the_line_and_the_fix(tmp_path, text, said):
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "names.csv").write_text(text, encoding="utf-8")
    with pytest.raises(BuildError) as err:
        Lexicon.load(tmp_path)
    message = str(err.value)
    assert "names.csv" in message and "fix: " in message and all(s in message for s in said)


def test_a_corpus_may_bring_its_own_names_file(tmp_path):
    (tmp_path / "lexicon").mkdir()
    (tmp_path / "lexicon" / "names.csv").write_text("term,action,note\n城市,name,\n", encoding="utf-8")
    own = Lexicon.load(tmp_path)
    assert own.origin("names.csv") == "own" and own.names.name == {"城市"} and own.names.keep == frozenset()


# --- the bundled corpus ----------------------------------------------------------------------------

PLACES = {"衢州", "天河区", "天河", "广深", "深圳", "东莞", "广州", "广州市", "南沙", "杭州", "香港", "粤港澳大湾区"}


@pytest.fixture(scope="module")
def names_found(built) -> set[str]:
    return {n for line in built["tokens"]["names"] for n in line.split()}


def test_the_names_of_each_measure_are_its_own_terms_in_order_of_first_use(built):
    toks = built["tokens"]
    assert list(toks.columns) == tokens.TOKEN_COLUMNS
    for terms, found in zip(toks["tokens"], toks["names"], strict=True):
        terms, found = terms.split(), found.split()
        assert found == sorted(set(found), key=terms.index)


def test_the_bundled_corpus_names_its_places_people_and_organisations(built, names_found):
    assert PLACES <= names_found
    assert {"饶洁怡", "陈加", "猛", "谭明鹤代", "钟南山", "施一公等", "联合国", "世界银行"} <= names_found
    assert not {"城市", "智慧", "上市公司", "许可", "一带一路", "港澳青年", "营商环境"} & names_found
    by_source = built["tokens"].groupby("source_id")["names"].agg(lambda s: set(" ".join(s).split()))
    assert "衢州" in by_source["quzhou-2018"] and {"广深", "深圳"} <= by_source["dongguan-2023"]
    assert {"天河区", "天河"} <= by_source["tianhe-2020"]


def test_no_term_of_keyness_and_no_node_of_the_coword_network_is_a_name(built_dir, names_found):
    out = built_dir[0]
    keyness, nodes = tables.load("keyness", out), tables.load("coword_nodes", out)
    edges = tables.load("coword_edges", out)
    assert len(keyness) and len(nodes)
    for terms in (set(keyness["term"]), set(nodes["term"]), set(edges["source"]) | set(edges["target"])):
        assert not terms & (PLACES | names_found)


def test_the_similarity_of_sources_is_that_of_their_terms_without_names(built_dir, built):
    """similarity.csv's TF-IDF cosines, recomputed from tokens.csv with the names taken out (and
    not with them kept)."""
    toks, order = built["tokens"], list(dict.fromkeys(built["tokens"]["source_id"]))
    sim = tables.load("similarity", built_dir[0]).query("basis == 'tfidf'")
    built_grid = sim.pivot(index="source_a", columns="source_b", values="similarity").loc[order, order].to_numpy()

    def grid(table: pd.DataFrame) -> np.ndarray:
        model = clusters.fit_tfidf(Dtm.from_tokens(table))
        rows = similarity.mean_rows(model.matrix, table["source_id"].to_numpy()).loc[order].to_numpy()
        unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return unit @ unit.T

    np.testing.assert_allclose(built_grid, grid(tokens.without_names(toks)), atol=1e-4)
    assert np.abs(built_grid - grid(toks)).max() > 0.01
