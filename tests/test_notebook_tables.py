"""The tables the build writes so that notebooks only read and show (issue 24, step 7): known answers
on hand-made networks, pairs, profiles and codes, and the bundled corpus's lexicon and hand checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bizenv_analysis.analysis import clusters, coword, extractor_check, families, shares, spread, validation
from bizenv_analysis.base.paths import DATA, LEXICON
from bizenv_analysis.io.sources import RawDocument
from bizenv_analysis.io.tables import load
from bizenv_analysis.report import figure_data
from bizenv_analysis.rules.coword import Params
from bizenv_analysis.rules.lexicon import Lexicon, described
from bizenv_analysis.text import clean, tokens
from bizenv_analysis.text.dtm import Dtm

# Two triangles, a–b–c and d–e–f, joined by the bridge c–d; every weight 1.
TRIANGLES = [("a", "b"), ("a", "c"), ("b", "c"), ("d", "e"), ("d", "f"), ("e", "f"), ("c", "d")]


def network_tables(links: list[tuple[str, str]] = TRIANGLES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """coword_nodes.csv and coword_edges.csv of the two triangles (scope all): c and d, the bridge's
    ends, are the most frequent terms and the only ones between others."""
    terms = ["c", "d", "a", "b", "e", "f"]  # df order
    df = {"c": 5, "d": 5, "a": 2, "b": 2, "e": 2, "f": 2}
    between = {"c": 0.6, "d": 0.6}
    nodes = pd.DataFrame([{"scope": "all", "term": t, "df": df[t], "n_measures": 5, "betweenness": between.get(t, 0.0),
                           "community": 1 if t in "abc" else 2, "rank": i} for i, t in enumerate(terms, start=1)])
    edges = pd.DataFrame([{"scope": "all", "source": a, "target": b, "cooccurrence": 3, "ochiai": 1.0}
                          for a, b in links], columns=coword.EDGE_COLUMNS)
    return nodes, edges


TOKENS = pd.DataFrame({"measure_id": ["A:1", "A:2", "B:1", "B:2", "B:3"], "source_id": ["A", "A", "B", "B", "B"],
                       "tokens": ["a b c", "a b", "d e f", "d", "x"]})


def test_network_statistics_on_two_triangles():
    nodes, edges = network_tables()
    out = coword.statistics_tables(nodes, edges, Dtm.from_tokens(TOKENS), Params(), seeds=range(1, 6))
    s = out["coword_summary.csv"].iloc[0]
    assert (s["n_terms"], s["n_links"], s["n_communities"]) == (6, 7, 2)
    assert s["density"] == pytest.approx(7 / 15, abs=1e-6)
    # Q = sum over communities of L_c/m - (d_c/2m)^2 = 2 (3/7 - (7/14)^2)
    assert s["modularity"] == pytest.approx(2 * (3 / 7 - 0.25), abs=1e-6)
    assert s["betweenness_df_rho"] == pytest.approx(1.0)  # the same ranking of the six terms
    stable = out["coword_stability.csv"]
    assert list(stable["seed"]) == [1, 2, 3, 4, 5]
    assert (stable["n_communities"] == 2).all() and (stable["ari"] == 1.0).all()  # the triangles, whatever the seed
    comm = out["coword_communities.csv"]
    assert list(comm.columns) == coword.COMMUNITY_COLUMNS
    # community 1 (c, a, b): 5 of its occurrences in A's two measures, none in B's; A has 2 of 5 measures
    assert comm.iloc[0].tolist() == [1, 3, "c、a、b", "A", 1.0, 0.4]
    assert comm.iloc[1].tolist() == [2, 3, "d、e、f", "B", 1.0, 0.6]


def test_a_network_without_links_has_no_modularity_and_no_communities_to_test():
    nodes, edges = network_tables(links=[])
    out = coword.statistics_tables(nodes, edges, Dtm.from_tokens(TOKENS), Params())
    s = out["coword_summary.csv"].iloc[0]
    assert (s["n_terms"], s["n_links"], s["density"]) == (6, 0, 0.0) and pd.isna(s["modularity"])
    assert out["coword_stability.csv"].empty and list(out["coword_stability.csv"].columns) == coword.STABILITY_COLUMNS
    assert out["coword_communities.csv"].empty


def test_fisher_on_the_tea_tasting_table():
    # Fisher's lady tasting tea: 3 of 4 cups right; two-sided p = 34/70, and the best these margins allow 2/70.
    assert spread.fisher([[3, 1], [1, 3]]) == pytest.approx(34 / 70)
    assert spread.least_fisher(8, 4, 4) == pytest.approx(2 / 70)


def test_formula_summary_on_three_dated_documents_and_an_undated_one():
    documents = pd.DataFrame({"source_id": ["d1", "d2", "d3", "d4"], "date": ["2020", "2021-06", "2022-01-05", ""],
                              "year": [2020, 2021, 2022, None],
                              "text": ["推进一网通办和五个一", "一网通办", "五个一", "一网通办"]})
    found = pd.DataFrame({"kind": ["quoted", "numbered", "passage"], "n_documents": [2, 1, 3],
                          "normal": ["一网通办", "五个一", "一网通办和"]})
    # the three ordered pairs: two share, one names the earlier place, and that one shares
    pairs = pd.DataFrame({"n_formulas": [1, 0, 0], "n_passages": [0, 1, 0], "names_place": [True, False, False]})
    row = spread.formula_summary(found, pairs, documents).iloc[0]
    assert (row["n_documents"], row["n_ordered_pairs"]) == (4, 3)  # d4 is undated: in no ordered pair
    assert (row["n_written_shared"], row["n_mentioned_shared"]) == (1, 2)  # 五个一 is written once, found in two
    assert (row["n_pairs_naming"], row["n_pairs_sharing"], row["n_pairs_both"]) == (1, 2, 1)
    # [[1, 0], [1, 1]]: the two possible tables have p 1/3 and 2/3, so p = 1 and the least p 1/3
    assert row["fisher_p"] == pytest.approx(1.0) and row["fisher_p_min"] == pytest.approx(1 / 3, abs=1e-6)


def test_formula_summary_without_formulas_or_ordered_pairs_leaves_the_tests_empty():
    documents = pd.DataFrame({"source_id": ["d1", "d2"], "date": ["2020", "2020"], "year": [2020, 2020],
                              "text": ["甲", "乙"]})
    found = pd.DataFrame(columns=["kind", "n_documents", "normal"])
    row = spread.formula_summary(found, pd.DataFrame(columns=["n_formulas", "n_passages", "names_place"]),
                                 documents).iloc[0]
    assert row["n_ordered_pairs"] == 0  # the same year: neither is earlier
    assert pd.isna(row["n_mentioned_shared"]) and pd.isna(row["fisher_p"]) and pd.isna(row["n_pairs_naming"])


def test_headline_themes_sum_over_sources_and_keep_the_codebook_order_on_ties():
    profiles = pd.DataFrame({"theme_id": ["t1", "t2", "t3", "t1", "t2", "t3"], "source_id": list("aaabbb"),
                             "n_addressing": [1, 5, 2, 3, 0, 2]})
    out = shares.headline_themes(profiles, n=2)
    assert out.to_dict("list") == {"rank": [1, 2], "theme_id": ["t2", "t1"], "n_addressing": [5, 4]}
    assert shares.headline_themes(profiles, n=3)["theme_id"].tolist() == ["t2", "t1", "t3"]  # t1 and t3 tie at 4
    assert shares.headline_themes(profiles.assign(n_addressing=1), n=3)["theme_id"].tolist() == ["t1", "t2", "t3"]


def test_primary_leaders_keep_ties():
    themes = pd.DataFrame({"measure_id": ["a1", "a2", "b1", "b2"], "theme_id": ["x", "x", "y", "z"],
                           "primary": [True, True, True, True]})
    measures = pd.DataFrame({"measure_id": ["a1", "a2", "b1", "b2"], "source_id": ["a", "a", "b", "b"]})
    out = shares.primary_leaders(themes, measures, ["b", "a"])
    assert out.values.tolist() == [["b", "y;z", 1, 2, True], ["a", "x", 2, 2, False]]


def test_clusters_that_are_the_themes_agree_fully():
    measures = [f"m{i}" for i in range(6)]
    clustered = pd.DataFrame({"measure_id": measures, "cluster": [1, 1, 1, 2, 2, 2]})
    themes = pd.DataFrame({"measure_id": measures, "theme_id": list("xxxyyy"), "primary": True})
    out = shares.clusters_vs_themes_table(clustered, themes)
    assert out[["cluster", "measures", "dominant_theme", "purity", "n_themes"]].values.tolist() == [
        [1, 3, "x", 1.0, 1], [2, 3, "y", 1.0, 1]]
    assert (out["ari"] == 1.0).all() and (out["nmi"] == 1.0).all()
    assert shares.clusters_vs_themes_table(clustered.iloc[:0], themes).empty


def test_comparison_scope_of_one_source_says_why_it_cannot_be_compared():
    measures = pd.DataFrame({"measure_id": ["a:1", "a:2"], "source_id": ["a", "a"], "chapter": ["一", "二"]})
    documents = pd.DataFrame({"source_id": ["a"], "doc_type": ["action_plan"]})
    out = families.comparison_scope(measures, documents, ["a"])
    assert out[["source_id", "tested", "n_measures", "n_units"]].values.tolist() == [["a", True, 2, 2]]
    assert out["gap"].iloc[0].startswith("1 source")


def test_tfidf_bounds_count_the_terms_each_bound_keeps():
    lists = [["a", "b"], ["a", "c"], ["a", "d"]]
    out = clusters.tfidf_bounds_table(Dtm.from_lists(lists), [(1, 1.0), (2, 1.0)])
    # min_df 1 keeps a–d; min_df 2 only a, which every measure has
    assert out.values.tolist() == [[1, 1.0, 4, 2.0, 0], [2, 1.0, 1, 1.0, 0]]
    assert clusters.tfidf_bounds_table(Dtm.from_lists([])).empty


def test_the_dictionary_effect_lists_only_the_measures_it_cuts_differently():
    measures = pd.DataFrame({"measure_id": ["m1", "m2"], "source_id": ["s", "s"],
                             "text": ["推进证照联办改革", "深化改革"]})
    out = tokens.dictionary_effect(measures, tokens.PolicyTokenizer([("证照联办", None, "n")], []))
    assert out["measure_id"].tolist() == ["m1"]
    assert "证照联办" in out["with_dictionary"].iloc[0].split() and "证照联办" not in out["plain"].iloc[0].split()


def test_the_cleaning_example_is_the_line_cleaning_shortens_most():
    # glosses take 13 characters off line 2, spaces 6 off line 3, a gloss 7 off line 4
    text = "第一行\n营(yíng)商(shāng)环境\n  提升  服务  \n营商(shāng)"
    raw = RawDocument("s", Path("s.txt"), {}, text, len(text.encode()))
    out = clean.cleaning_examples([raw])
    assert out.values.tolist() == [["s", 2, "营(yíng)商(shāng)环境", "营商环境"]]


def test_the_lexicon_tables_describe_the_bundled_files():
    lex = Lexicon.load(DATA)
    out = described(lex, ["一网通办", "not a term"])
    book = out["codebook.csv"]
    rules = pd.read_csv(LEXICON / "theme_rules.csv", dtype=str, keep_default_na=False)
    themes = book[book["kind"] == "theme"].set_index("code_id")["n_rules"]
    assert themes.to_dict() == {t: int((rules["theme_id"] == t).sum()) for t in lex.codebook.theme_ids}
    assert set(book.loc[book["kind"] == "instrument", "code_id"]) == set(lex.instruments.theme_ids)
    params = out["parameters.csv"].set_index(["file", "name"])["value"]
    own = pd.read_csv(LEXICON / "coword_params.csv", dtype=str).set_index("name")["value"]
    assert {n: params["coword_params.csv", n] for n in own.index} == own.to_dict()
    assert set(out["parameters.csv"].query("name == 'reporting_doc_type'")["value"]) == set(lex.cues.reporting)
    files = out["lexicon.csv"].set_index("file")
    assert files.loc["policy_terms.txt", "n_in_corpus"] == 1  # 一网通办 is a policy term; the other is not
    assert files.loc["themes.csv", "n_entries"] == len(lex.codebook.theme_ids)
    assert set(files["origin"]) == {"bundled"} and len(files) == len(lex.files)
    labels = out["labels.csv"]
    assert labels.query("kind == 'topic'").set_index("id")["label_en"].to_dict() == lex.topic_labels
    assert labels.query("kind == 'place' and id == '广州'")["label_en"].tolist() == ["Guangzhou"]


def test_the_hand_check_tables_are_empty_with_their_columns_without_the_hand_files(tmp_path):
    lex = Lexicon.load(DATA)
    empty = pd.DataFrame(columns=["measure_id", "source_id", "text", "title", "phrase", "offset"])
    out = extractor_check.matched_tables(empty, empty, empty, tmp_path, lex.learning)
    assert list(out["targets_matched.csv"].columns) == extractor_check.TARGET_MATCH_COLUMNS
    assert list(out["references_matched.csv"].columns) == extractor_check.REFERENCE_MATCH_COLUMNS
    assert all(t.empty for t in out.values())
    split = validation.split_tables(empty, empty, tmp_path)
    assert list(split["validation_splits.csv"].columns) == validation.SPLIT_COLUMNS
    assert all(t.empty for t in split.values())


def test_the_hand_check_tables_of_the_bundled_corpus_keep_every_checked_row(built_dir):
    check = pd.read_csv(DATA / "validation" / extractor_check.TARGETS_CHECK, dtype=str, keep_default_na=False)
    matched = load("targets_matched", built_dir[0])
    assert matched["cand_id"].tolist() == check["cand_id"].tolist()
    assert matched["note"].tolist() == check["note"].tolist()
    sizes = load("validation_splits", built_dir[0]).set_index("split")["n_measures"]
    assert sizes["all"] == sizes["round1_sample"] + sizes[validation.ROUND2]
    assert sizes["round1_development"] == sizes["round1_sample"] - sizes["round1_holdout"]


def test_the_formula_timeline_places_a_year_in_its_middle_and_leaves_out_the_undated():
    spread_rows = pd.DataFrame({"formula_id": ["F1", "F1", "F2"], "source_id": ["d1", "d2", "d1"],
                                "date": ["2024", "", "2024"], "role": ["first", "later", "first"],
                                "credits": ["", "", ""]})
    drawn = pd.DataFrame({"formula_id": ["F1"], "formula": ["一个很长很长很长很长的改革提法名字"], "national": [False]})
    documents = pd.DataFrame({"source_id": ["d1", "d2"], "date": ["2024", ""]})
    out = figure_data.formula_timeline_rows(spread_rows, drawn, documents)
    assert out["source_id"].tolist() == ["d1"]  # F2 is not drawn, d2 has no date
    assert out["year"].iloc[0] == pytest.approx(2024 + 182 / 365.25, abs=1e-3)  # 1 July 2024
    assert out["label"].iloc[0] == "一个很长很长很长很长的改革…"  # 13 characters and …
