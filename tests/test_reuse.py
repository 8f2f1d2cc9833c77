"""The article alignment (text.reuse, #25 item 4): candidates from shared shingles, Smith–Waterman
spans and scores, relations, scopes and links.csv, with answers worked out by hand; and one real
pair, Shanghai's article 1 of 2020 and of 2024."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pandas as pd
import pytest

from bizenv_analysis.base.errors import BuildError
from bizenv_analysis.base.numerals import cn_int
from bizenv_analysis.base.paths import LEXICON, REGULATIONS
from bizenv_analysis.io.hierarchy import Hierarchy
from bizenv_analysis.rules import alignment as rules
from bizenv_analysis.rules.spec import LexiconFile
from bizenv_analysis.text import reuse
from bizenv_analysis.text.reuse import Alignment, align, article_text, candidate_pairs, links_table, relation

P = rules.parse(LexiconFile(rules.FILE, LEXICON / rules.FILE, "bundled"))

# Normal-form texts (Chinese characters only), so offsets are positions in these very strings.
X = "国家持续深化简政放权放管结合优化服务改革最大限度减少政府对市场资源的直接配置"  # 38
Y = "建立健全统一开放竞争有序的现代市场体系依法平等保护各类市场主体的合法权益不受侵犯"  # 40
S = "推动长三角区域一体化发展"  # 12, the inserted sentence
BOILER = "县级以上人民政府应当加强"  # 12: one shingle, nothing more


def test_the_bundled_parameters_are_read_with_their_types():
    assert (P.shingle_chars, P.min_shared_shingles, P.max_shingle_df) == (12, 3, 60)
    assert (P.match, P.mismatch, P.gap_open, P.gap_extend) == (1.0, -1.0, -2.0, -1.0)
    assert (P.verbatim_identity, P.verbatim_coverage) == (0.95, 0.8) and 0 < P.adapted_min < 1


@pytest.mark.parametrize("name, value, message", [
    ("gap_open", "2", "a penalty"),
    ("match", "0", "a positive score"),
    ("adapted_min", "1.5", "a share between 0 and 1"),
    ("shingle_chars", "3", "a whole number of 4 or more"),
    ("max_shingle_df", "x", "a whole number of 2 or more"),
])
def test_a_bad_parameter_is_refused_with_its_line(tmp_path, name, value, message):
    lines = (LEXICON / rules.FILE).read_text(encoding="utf-8").splitlines()
    bad = [re.sub(r"^([^,]+),[^,]+,", lambda m: f"{m.group(1)},{value}," if m.group(1) == name else m.group(0), line)
           for line in lines]
    path = tmp_path / rules.FILE
    path.write_text("\n".join(bad) + "\n", encoding="utf-8")
    with pytest.raises(BuildError, match=message) as err:
        rules.parse(LexiconFile(rules.FILE, path, "own"))
    assert f"line {1 + [line.split(',')[0] for line in lines].index(name)}:" in str(err.value)


def test_a_missing_parameter_is_named(tmp_path):
    path = tmp_path / rules.FILE
    path.write_text("name,value,note\nmatch,1,\n", encoding="utf-8")
    with pytest.raises(BuildError, match="no row for shingle_chars"):
        rules.parse(LexiconFile(rules.FILE, path, "own"))


def test_identical_texts_are_verbatim():
    al = align(X + Y, X + Y, P)
    assert al == Alignment(78.0, 0, 78, 0, 78, 78, 78, 78, 78)
    assert al.identity == al.score_norm == 1.0 and relation(al, P) == "verbatim"


def test_one_clause_reworded_is_adapted():
    """8 of 86 characters replaced by 8 others: the alignment runs through 8 mismatches (78 − 8 = 70,
    cheaper than two gaps), so 78 of 86 characters match: identity 0.907 < 0.95, score / 86 = 0.814."""
    a, b = X + "提高行政审批效率" + Y, X + "降低企业办事成本" + Y
    al = align(a, b, P)
    assert al == Alignment(70.0, 0, 86, 0, 86, 78, 86, 86, 86)
    assert relation(al, P) == "adapted"


def test_one_inserted_sentence_gives_exact_spans():
    """X + Y against X + S + Y: one gap of 12 costs 2 + 11, so the alignment spans it (78 − 13 = 65 > 40)
    and covers both texts whole; all 78 characters of the shorter match."""
    al = align(X + Y, X + S + Y, P)
    assert al == Alignment(65.0, 0, 78, 0, 90, 78, 90, 78, 90)
    assert al.identity == 1.0 and al.coverage_b == pytest.approx(78 / 90)
    assert relation(al, P) == "verbatim"  # 87 % of the longer text: within verbatim_coverage
    # the spans are where the texts are: an insertion placed later shifts b's start, not a's
    al = align("预先说明" + X + Y, "另起一段开头文字" + X + S + Y, P)
    assert (al.a_start, al.a_end, al.b_start, al.b_end) == (4, 82, 8, 98)


def test_a_shared_boilerplate_shingle_makes_no_candidate_and_no_link():
    a, b = X + BOILER + "组织实施", BOILER + Y
    assert candidate_pairs([a, b], ["d1", "d2"], 12, 1, 60).tolist() == [[0, 1, 1]]  # exactly one shingle shared
    assert candidate_pairs([a, b], ["d1", "d2"], 12, 3, 60).shape == (0, 3)
    al = align(a, b, P)
    assert al.score == 12.0 and al.score_norm == pytest.approx(12 / 52)
    # Aligned all the same, one shared stretch of 12 in an article of 52 reaches the calibrated
    # adapted_min (0.1707): the candidate filter (3 shingles) is what keeps such a pair out.
    assert relation(al, P) == "adapted" and relation(al, dataclasses.replace(P, adapted_min=0.5)) == "none"


def test_shingles_in_more_than_max_df_texts_count_for_no_pair():
    """A 14-character stretch (3 shingles of 12) in four texts: with max_df 3 it is boilerplate."""
    shared = "坚持市场化法治化国际化的原则"
    texts = [shared + t for t in (X, Y, S, BOILER)]
    assert candidate_pairs(texts, ["a", "b", "c", "d"], 12, 3, 3).shape == (0, 3)
    assert candidate_pairs(texts, ["a", "b", "c", "d"], 12, 3, 4)[:, :2].tolist() == [
        [0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    # one group: no pair at all
    assert candidate_pairs(texts, ["a", "a", "b", "b"], 12, 3, 4)[:, :2].tolist() == [[0, 2], [0, 3], [1, 2], [1, 3]]


def _articles(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame([{"article_id": f"{s}:a{n:03d}", "source_id": s, "part": "substantive", "text": t}
                         for s, n, t in ((s, int(a), t) for s, a, t in rows)])


HIER = Hierarchy(parent={"prov": "nat", "city": "prov", "prov2": "nat", "peer": "nat"},
                 version_of={"prov2": "prov"},
                 level={"nat": "national", "prov": "province", "city": "city", "prov2": "province",
                        "peer": "province"},
                 date={"nat": "2019-10-22", "city": "2020-03-01", "prov": "2020-06-01", "prov2": "2024-01-01",
                       "peer": "2021-01-01"})


def test_links_never_pair_two_articles_of_one_document_and_run_from_the_earlier_one():
    arts = _articles([("prov", "1", "第一条" + X + Y), ("prov", "2", X + Y), ("nat", "1", "第一条　" + X + Y)])
    links = links_table(arts, HIER, P)
    assert links[["article_a", "article_b"]].values.tolist() == [["nat:a001", "prov:a001"], ["nat:a001", "prov:a002"]]
    assert list(links.columns) == reuse.LINK_COLUMNS
    assert set(links["relation"]) == {"verbatim"} and set(links["scope"]) == {"national"}
    assert links["link_id"].iloc[0] == "nat:a001~prov:a001"
    # the 第一条 heading is not text: the articles are identical once it is dropped
    assert links["score_norm"].tolist() == [1.0, 1.0] and article_text("第十二条 " + X) == X


def test_scope_comes_from_the_hierarchy_either_way_round():
    """The city predates its province (as Shangqiu does Henan): a is the city, the scope is still parent."""
    arts = _articles([(s, "1", X + Y) for s in ("nat", "prov", "city", "prov2", "peer")])
    links = links_table(arts, HIER, P)
    got = {(a.split(":")[0], b.split(":")[0]): s for a, b, s in links[["article_a", "article_b", "scope"]].values}
    assert got == {("nat", "city"): "national", ("nat", "prov"): "national", ("nat", "peer"): "national",
                   ("nat", "prov2"): "national", ("city", "prov"): "parent", ("city", "peer"): "peer",
                   ("city", "prov2"): "peer", ("prov", "peer"): "peer", ("prov", "prov2"): "version",
                   ("peer", "prov2"): "peer"}
    # without a hierarchy every pair is peer, ordered by source_id when no date is known
    flat = links_table(arts, Hierarchy(), P)
    assert set(flat["scope"]) == {"peer"} and flat["source_a"].iloc[0] == "city"


def test_best_b_in_a_marks_one_link_per_article_and_earlier_document():
    a, b = X + "提高行政审批效率" + Y, X + "降低企业办事成本" + Y
    arts = _articles([("nat", "1", a), ("nat", "2", b), ("prov", "1", a)])
    links = links_table(arts, HIER, P)
    assert links[["article_a", "best_b_in_a"]].values.tolist() == [["nat:a001", True], ["nat:a002", False]]
    assert links["relation"].tolist() == ["verbatim", "adapted"]


def test_shuffled_input_gives_the_same_links_table():
    rows = [("nat", "1", X + Y), ("nat", "2", S + BOILER + Y), ("prov", "1", X + S + Y), ("prov", "10", Y + X),
            ("city", "3", "第三条" + X + "提高行政审批效率" + Y), ("peer", "1", BOILER + X), ("prov2", "2", X + Y + S)]
    arts = _articles(rows)
    links = links_table(arts, HIER, P)
    assert len(links) >= 10
    for seed in range(3):
        shuffled = arts.sample(frac=1, random_state=seed).reset_index(drop=True)
        pd.testing.assert_frame_equal(links_table(shuffled, HIER, P), links)


def test_alignment_on_worker_processes_matches_the_serial_one(monkeypatch):
    texts = [X + Y, X + S + Y, Y + X, BOILER + X + S]
    pairs = np.array([[0, 1, 0], [0, 2, 0], [1, 3, 0], [2, 3, 0]])
    serial = reuse.align_pairs(texts, pairs, P, jobs=1)
    monkeypatch.setattr(reuse, "MIN_PARALLEL_PAIRS", 1)
    assert reuse.align_pairs(texts, pairs, P, jobs=2) == serial


def _raw_articles(source: str) -> dict[int, str]:
    """The articles of a raw regulation, split on the lines that start with 第X条 (a paragraph
    belongs to the article above it; headings and the header are not articles)."""
    text = (REGULATIONS / "raw" / f"{source}.md").read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[1]
    out: dict[int, str] = {}
    number = 0
    for line in text.splitlines():
        if m := re.match(r"第([零〇一二两三四五六七八九十百千]+)条", line):
            number = cn_int(m.group(1))
            out[number] = line
        elif number and line.strip() and not line.startswith("#"):
            out[number] += "\n" + line
    return out


def test_shanghai_article_1_of_2020_is_kept_verbatim_in_2024():
    """2024 drops 主体 (激发市场主体活力 → 激发市场活力) and adds 全面提升上海城市软实力: 115 of the 117
    characters of 2020 match, 91 % of 2024's 126."""
    old, new = _raw_articles("shanghai-2020"), _raw_articles("shanghai-2024")
    assert (len(old), len(new)) == (80, 97)
    arts = _articles([("shanghai-2020", "1", old[1]), ("shanghai-2024", "1", new[1])])
    hier = Hierarchy(version_of={"shanghai-2024": "shanghai-2020"},
                     date={"shanghai-2020": "2020-04-10", "shanghai-2024": "2024-09-27"})
    links = links_table(arts, hier, P)
    assert links[["scope", "relation"]].values.tolist() == [["version", "verbatim"]]
    assert (links["coverage_a"].iloc[0], links["coverage_b"].iloc[0]) == (pytest.approx(115 / 117),
                                                                         pytest.approx(115 / 126))


# --- the hand-coding sample (tools/alignment_sample.py), on a synthetic links table ----------------

def _sample_tool():
    import importlib.util
    import sys

    from bizenv_analysis.base.paths import ROOT

    spec = importlib.util.spec_from_file_location("alignment_sample", ROOT / "tools" / "alignment_sample.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["alignment_sample"] = module
    spec.loader.exec_module(module)
    return module


def _synthetic() -> tuple[pd.DataFrame, pd.DataFrame]:
    """4 documents of 30 articles (parts alternating); 300 links between documents with distinct
    scores 0.001 … 0.300, so decile d holds the links scored (d − 1)·0.03 < s ≤ d·0.03."""
    articles = pd.DataFrame([{"article_id": f"d{d}:a{k:03d}", "source_id": f"d{d}",
                              "part": ("substantive", "general")[k % 2], "text": f"文本{d}-{k}"}
                             for d in range(4) for k in range(30)])
    rng = np.random.default_rng(1)
    rows = []
    while len(rows) < 300:
        d1, d2 = sorted(rng.choice(4, 2, replace=False))
        a, b = f"d{d1}:a{rng.integers(30):03d}", f"d{d2}:a{rng.integers(30):03d}"
        if (a, b) not in {(r["article_a"], r["article_b"]) for r in rows}:
            rows.append({"link_id": f"{a}~{b}", "article_a": a, "article_b": b, "source_a": f"d{d1}",
                         "source_b": f"d{d2}", "scope": "peer"})
    links = pd.DataFrame(rows).assign(score_norm=rng.permutation(np.arange(1, 301)) / 1000)
    return links, articles


def test_the_sample_is_stratified_blind_and_seeded(tmp_path):
    tool = _sample_tool()
    links, articles = _synthetic()
    sample, key = tool.draw(links, articles)
    cand, non = key[key["candidate"]], key[~key["candidate"]]
    assert len(cand) == 150 and cand["decile"].value_counts().to_dict() == dict.fromkeys(range(1, 11), 15)
    assert ((cand["score_norm"] > (cand["decile"] - 1) * 0.03 - 1e-9)
            & (cand["score_norm"] <= cand["decile"] * 0.03 + 1e-9)).all()
    assert set(cand["link_id"]) <= set(links["link_id"])
    # within each decile the halves alternate: 8 and 7 of 15
    assert sorted(cand.groupby("decile")["half"].apply(lambda h: (h == "calibration").sum())) == [8] * 10
    # 30 non-candidates: no link either way, two documents, one part
    assert len(non) == 30 and non["score_norm"].isna().all() and (non["source_a"] != non["source_b"]).all()
    part = dict(zip(articles["article_id"], articles["part"], strict=True))
    assert (non["article_a"].map(part) == non["article_b"].map(part)).all()
    linked = set(zip(links["article_a"], links["article_b"], strict=True))
    assert not any((a, b) in linked or (b, a) in linked for a, b in zip(non["article_a"], non["article_b"],
                                                                          strict=True))
    # blind: the sample holds the texts only, in an order that says nothing of the score
    assert list(sample.columns) == ["pair_id", "text_a", "text_b"]
    assert sample["pair_id"].tolist() == key["pair_id"].tolist() == [f"p{k:03d}" for k in range(1, 181)]
    assert not cand["decile"].is_monotonic_increasing and not cand["decile"].is_monotonic_decreasing
    text = dict(zip(articles["article_id"], articles["text"], strict=True))
    assert sample["text_a"].tolist() == key["article_a"].map(text).tolist()
    # seeded: the same draw again; another seed another
    again = tool.draw(links, articles)
    pd.testing.assert_frame_equal(again[1], key)
    assert not tool.draw(links, articles, seed=1)[1]["link_id"].equals(key["link_id"])
    # the command line writes both files
    links.to_csv(tmp_path / "links.csv", index=False)
    articles.to_csv(tmp_path / "articles.csv", index=False)
    tool.main([str(tmp_path / "links.csv"), str(tmp_path / "articles.csv"), str(tmp_path / "out")])
    written = pd.read_csv(tmp_path / "out" / "alignment_key.csv", keep_default_na=False)
    assert written["pair_id"].tolist() == key["pair_id"].tolist()
    assert list(pd.read_csv(tmp_path / "out" / "alignment_sample.csv").columns) == ["pair_id", "text_a", "text_b"]
