"""Known answers on inputs small enough to check by hand (issue #11, item 3).

Every expected value below is stated by hand, with the working in a comment or docstring; none
is computed by the code under test or copied from its earlier output. Each test fails if the
rule it states is implemented wrongly.
(The 2×2 keyness table worked by hand is `test_inference.py::test_keyness_hand_example`.)
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest
from bundled import LEX

from bizenv_analysis.analysis.clusters import choose_k
from bizenv_analysis.rules.coding import Codebook, codebook_from_frames
from bizenv_analysis.rules.regex import prefilter
from bizenv_analysis.text.coding import score_measure
from bizenv_analysis.text.measures import segment_document
from bizenv_analysis.text.targets import extract_targets, processing_commitments

# --- clusters.choose_k: a four-row k-selection table ---------------------------------------------

SELECTION = pd.DataFrame({
    "method":        ["kmeans_lsa", "nmf", "kmeans_lsa", "nmf"],
    "k":             [6,            4,     5,            7],
    "silhouette":    [0.12,         0.12,  0.30,         0.05],
    "stability_ari": [0.80,         0.75,  0.74,         0.95],
})


def test_choose_k_stable_enough_then_best_silhouette_ties_to_the_smaller_k():
    """Rule: keep the rows with stability_ari >= 0.75, take the best silhouette, ties by smaller k.

    By hand: stable rows are kmeans_lsa 6 (0.80), nmf 4 (0.75: the bound is inclusive) and
    nmf 7 (0.95); kmeans_lsa 5 has the best silhouette overall (0.30) but 0.74 < 0.75, so it is
    out. Among the stable rows the best silhouette is 0.12, shared by kmeans_lsa 6 and nmf 4;
    the smaller k wins: (nmf, 4). (kmeans_lsa 6 comes first in the table, so a rule without the
    k tie-break would pick it.)
    """
    assert choose_k(SELECTION) == ("nmf", 4)


def test_choose_k_bound_is_a_parameter():
    """min_stability 0.70: kmeans_lsa 5 (0.74) is now stable and its silhouette 0.30 is the best."""
    assert choose_k(SELECTION, min_stability=0.70) == ("kmeans_lsa", 5)


def test_choose_k_falls_back_to_the_most_stable_when_nothing_is_stable_enough():
    """min_stability 0.99: no row reaches it, so the most stable row wins, whatever its
    silhouette: nmf 7 (0.95), though its silhouette (0.05) is the worst."""
    assert choose_k(SELECTION, min_stability=0.99) == ("nmf", 7)


def test_choose_k_fallback_ties_to_the_smaller_k():
    """Nothing reaches 0.75; stability ties at 0.60 between k = 8 (listed first) and k = 5:
    the smaller k, 5, wins. k = 4 is less stable (0.50) despite the best silhouette."""
    table = pd.DataFrame({"method": ["nmf", "kmeans_lsa", "nmf"], "k": [8, 5, 4],
                          "silhouette": [0.20, 0.10, 0.40], "stability_ari": [0.60, 0.60, 0.50]})
    assert choose_k(table) == ("kmeans_lsa", 5)


# --- a ten-line document: items, responsible units, deadlines, quantities -------------------------

TEN_LINES = (
    "某县优化营商环境工作方案\n"                                                   # 1 title
    "一、提升审批效率\n"                                                            # 2 chapter
    "1.将企业开办时间压缩至1个工作日内。\n"                                          # 3 item 1
    "责任单位:县市场监管局、县税务局\n"                                              # 4 its units
    "完成时限:2025年6月底\n"                                                        # 5 its deadline
    "2.工程建设项目审批时限不超过60个工作日。(县住房城乡建设局牵头,县自然资源局配合)\n"  # 6 item 2
    "二、优化法治环境\n"                                                            # 7 chapter
    "3.健全涉企纠纷多元化解机制,受理率达到95%。(责任单位:县法院)\n"                 # 8 item 3
    "三、保障措施\n"                                                                # 9 safeguard chapter
    "加强组织领导,各部门要压实责任。"                                               # 10 its body
)


@pytest.fixture(scope="module")
def ten_line_items() -> dict[str, dict]:
    rows, cases = segment_document("x-2025", TEN_LINES, "某县", LEX.grammar)
    assert cases == []
    return {r["measure_id"]: r for r in rows}


def test_ten_line_document_items_and_where_they_stand(ten_line_items):
    """By hand: three numbered items 1. 2. 3. under the chapters 一、 and 二、, then 三、保障措施 whose
    body is one safeguard; ids run on in document order (x-2025:01 … :04). Line numbers are the
    document's 1-based lines (item 1 spans its units and deadline lines 4-5)."""
    got = [(m, r["kind"], r["number"], r["chapter"], r["line_start"], r["line_end"])
           for m, r in ten_line_items.items()]
    assert got == [
        ("x-2025:01", "measure", "1", "提升审批效率", 3, 5),
        ("x-2025:02", "measure", "2", "提升审批效率", 6, 6),
        ("x-2025:03", "measure", "3", "优化法治环境", 8, 8),
        ("x-2025:04", "safeguard", "", "保障措施", 9, 10),
    ]


def test_ten_line_document_units_deadlines_and_texts(ten_line_items):
    """By hand: item 1's units are on a 责任单位: line (split at 、) and its deadline on a 完成时限:
    line; item 2's note (A牵头,B配合) names two units; item 3's (责任单位:…) names one. The notes
    and the attribute lines are not part of the text; the title is the first sentence without 。."""
    units = {m: r["responsible_units"] for m, r in ten_line_items.items()}
    assert units == {"x-2025:01": "县市场监管局;县税务局", "x-2025:02": "县住房城乡建设局;县自然资源局",
                     "x-2025:03": "县法院", "x-2025:04": ""}
    assert {m: r["deadline"] for m, r in ten_line_items.items()} == {
        "x-2025:01": "2025年6月底", "x-2025:02": "", "x-2025:03": "", "x-2025:04": ""}
    one, two = ten_line_items["x-2025:01"], ten_line_items["x-2025:02"]
    assert one["text"] == "将企业开办时间压缩至1个工作日内。"
    assert one["title"] == "将企业开办时间压缩至1个工作日内"
    assert two["text"] == "工程建设项目审批时限不超过60个工作日。"
    # n_chars by hand: 工程建设项目 6 + 审批时限 4 + 不超过 3 + 60 2 + 个工作日 4 + 。1 = 20
    assert two["n_chars"] == 20
    assert ten_line_items["x-2025:03"]["text"] == "健全涉企纠纷多元化解机制,受理率达到95%。"


def test_ten_line_document_quantities(ten_line_items):
    """By hand, in an action plan (a directive document):
    item 1: 压缩至1个工作日内 — 1 working day, a processing limit (…内), a target (压缩至); the
      nearest topic word before it is 企业开办 → 开办企业.
    item 2: 不超过60个工作日 — 60 working days, a processing limit (不超过), a target; 工程建设 →
      工程建设审批.
    item 3: 达到95% — a percentage target (达到); no topic word in the sentence → 其他.
    The safeguard holds no number. Items 1 and 2 are the committed processing limits (fig. 12)."""
    topics = LEX.topics
    rows = [{"measure_id": m, **t} for m, r in ten_line_items.items()
            for t in extract_targets(r["text"], topics, LEX.cues, LEX.time_classes, doc_type="action_plan")]
    got = [(r["measure_id"], r["phrase"], r["value"], r["unit"], r["days"], r["day_type"], r["kind"],
            r["time_class"], r["modality"], r["applies_to"]) for r in rows]
    assert got == [
        ("x-2025:01", "压缩至1个工作日内", "1", "个工作日", 1.0, "working", "time_limit", "processing_limit",
         "target", "开办企业"),
        ("x-2025:02", "不超过60个工作日", "60", "个工作日", 60.0, "working", "time_limit", "processing_limit",
         "target", "工程建设审批"),
        ("x-2025:03", "达到95%", "95", "%", "", "", "percentage", "", "target", "其他"),
    ]
    committed = pd.DataFrame(rows)[processing_commitments(pd.DataFrame(rows))]
    assert committed["measure_id"].tolist() == ["x-2025:01", "x-2025:02"]


# --- the theme coder's prefilter -------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "searched"), [
    ("审批(?:提速|压缩)", True),      # nothing outside the match is looked at: the text is searched first
    ("[^(?=]审批", True),              # "(?=" inside a character class is literal
    (r"\(?=x", True),                 # an escaped bracket opens no group
    (r"\$\d+", True),                 # an escaped $ is no anchor
    ("x(?:ab){2}", True),
    ("(?<!不)审批(?=改革)", False),    # a look-behind or look-ahead reads outside the match
    ("^审批$", False),                 # anchors do
    (r"\b开放\B", False),             # and word boundaries
    ("x(?=y){2}", False),              # a repeated look-ahead: stripping it left x{2}, which misses "xy"
    ("(?m)审批$", False),
])
def test_the_prefilter_by_hand(pattern, searched):
    """A pattern is searched in the whole text first only when nothing in it looks outside its
    match: then a sentence hit is a hit in the text (a sentence is a piece of its text)."""
    found = prefilter(pattern)
    assert (found is not None) == searched
    if searched:
        assert found.pattern == pattern


def test_a_repeated_lookahead_is_no_longer_missed():
    """x(?=y){2}: the old prefilter x{2} missed the text "xy", so the rule could be skipped where
    its pattern matches; without a prefilter the sentence is searched and the hit counts (weight 1)."""
    assert re.search("x(?=y){2}", "xy") and not re.search("x{2}", "xy")
    cb = _codebook([("b", "text", "x(?=y){2}", "1")])
    assert cb.rules[0].prefilter is None
    assert score_measure("", "xy。", "measure", cb) == {"a": 0.0, "b": 1.0}


def _codebook(rules: list[tuple[str, str, str, str]]) -> Codebook:
    """Themes a and b (fallback a, threshold 2, max_hits 3) with the given (theme, field, pattern, weight) rules."""
    themes = pd.DataFrame({"theme_id": ["a", "b"], "group_id": ["g", "g"]})
    frame = pd.DataFrame(rules, columns=["theme_id", "field", "pattern", "weight"]).assign(exclude="")
    params = pd.DataFrame({"name": ["threshold", "max_hits", "fallback"], "value": ["2", "3", "a"]})
    return codebook_from_frames(themes, frame, params)


def test_the_prefilter_never_hides_a_sentence_match():
    """The coder skips a rule when its prefilter misses the whole text, so the prefilter must find
    whatever the rule finds in any one sentence (the rules with an anchor or a lookaround have none).

    Text: 加快改革。审批提速。审批再提速。不开放。扩大开放。 — five sentences.
    a, ^审批, weight 2: sentences 2 and 3 start with 审批 → 2 hits → 4. The whole text does not
      start with 审批, so a prefilter that kept the ^ would miss it and give 0.
    b, 外资, weight 5: the only rule searched in the whole text first.
    b, (?<!不)开放, weight 1: 不开放 is excluded by the look-behind, 扩大开放 is a hit → 1.
    b, 外资, weight 5: nowhere in the text → 0 (here the prefilter skips the rule).
    """
    cb = _codebook([("a", "text", "^审批", "2"), ("b", "text", "(?<!不)开放", "1"), ("b", "text", "外资", "5")])
    assert [r.prefilter and r.prefilter.pattern for r in cb.rules] == [None, None, "外资"]
    scores = score_measure("标题", "加快改革。审批提速。审批再提速。不开放。扩大开放。", "measure", cb)
    assert scores == {"a": 4.0, "b": 1.0}


def test_the_prefilter_gives_the_scores_of_the_rules_without_it():
    """Anchored rules scored with and without their prefilters give the same hand scores.

    a, ^审批(?=提速), weight 2; b, (?<!不)开放$, weight 1. Sentences end after 。 (kept with the
    sentence) and at line breaks.
    加快改革。审批提速。审批再提速。不开放。扩大开放。: a hits 审批提速 only (1 → 2); b: no sentence
      ends in 开放, as 。 follows it (0).
    扩大开放 / 审批提速 on two lines: a 1 hit (2); b: 扩大开放 ends its sentence (1). Searched in
      the whole text, 开放$ would miss (the text ends in 提速): the prefilter must drop the $.
    扩大开放。: no 审批 → a 0, whether the prefilter skips the rule or not.
    """
    cb = _codebook([("a", "text", "^审批(?=提速)", "2"), ("b", "text", "(?<!不)开放$", "1")])
    plain = replace(cb, rules=tuple(replace(r, prefilter=None) for r in cb.rules))
    for text, expected in [("加快改革。审批提速。审批再提速。不开放。扩大开放。", {"a": 2.0, "b": 0.0}),
                           ("扩大开放\n审批提速", {"a": 2.0, "b": 1.0}),
                           ("扩大开放。", {"a": 0.0, "b": 0.0})]:
        assert score_measure("", text, "measure", cb) == expected, text
        assert score_measure("", text, "measure", plain) == expected, text
