"""The deontic hand check (analysis.deontic_check): agreement and scores worked out by hand."""

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from bizenv_analysis.analysis.agreement import cohen_kappa, interval
from bizenv_analysis.analysis.deontic_check import deontic_validation
from bizenv_analysis.base.paths import REGULATIONS

SENTENCES = """sent_id,source_id,article,sentence
s1,x,1,甲应当办理。
s2,x,2,乙不得收费。
s3,x,3,国家鼓励创新。
s4,x,4,丙可以申请。
"""
A = """sent_id,modality,addressee,note
s1,obligation,department,
s2,prohibition,market_entity,
s3,encouragement,unspecified,
s4,permission,market_entity,
"""
B = """sent_id,modality,addressee,note
s1,obligation,department,
s2,prohibition,market_entity,
s3,none,government,
s4,permission,market_entity,
"""


def folder(tmp_path: Path) -> Path:
    for name, text in (("deontic_sentences.csv", SENTENCES), ("deontic_a.csv", A), ("deontic_b.csv", B),
                       ("deontic_gold.csv", A)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def rules(sentence: str) -> list[tuple[str, str]]:
    """A stand-in coder: finds 应当 (wrong addressee) and 不得, misses 鼓励, and sees 可以 as an obligation."""
    out = []
    if "应当" in sentence:
        out.append(("obligation", "government"))
    if "不得" in sentence:
        out.append(("prohibition", "market_entity"))
    if "可以" in sentence:
        out.append(("obligation", "market_entity"))
    return out


def test_scores_by_hand(tmp_path):
    t = deontic_validation(folder(tmp_path), rules).set_index(["comparison", "modality", "metric"])
    # Coders: they agree on obligation, prohibition and permission everywhere; on encouragement A has
    # it in s3 and B has not: κ = 0 (expected agreement 3/4 … observed 3/4).
    assert t.loc[("coder_a_vs_b", "obligation", "kappa"), "value"] == pytest.approx(1.0)
    assert t.loc[("coder_a_vs_b", "encouragement", "kappa"), "value"] == pytest.approx(0.0)
    assert t.loc[("coder_a_vs_b", "all", "same_modalities"), ["k", "n"]].tolist() == [3, 4]
    assert t.loc[("coder_a_vs_b", "all", "same_codes"), ["k", "n"]].tolist() == [3, 4]
    # Rules: 3 presences found (obligation s1, prohibition s2, obligation s4), 2 right; 4 in gold.
    assert t.loc[("rules_vs_gold", "all", "precision"), ["k", "n"]].tolist() == [2, 3]
    assert t.loc[("rules_vs_gold", "all", "recall"), ["k", "n"]].tolist() == [2, 4]
    assert t.loc[("rules_vs_gold", "obligation", "precision"), ["k", "n"]].tolist() == [1, 2]
    assert t.loc[("rules_vs_gold", "encouragement", "recall"), ["k", "n"]].tolist() == [0, 1]
    # s1 and s2 have the same modalities; s3 (encouragement missed) and s4 (permission as obligation) not.
    assert t.loc[("rules_vs_gold", "all", "same_modalities"), ["k", "n"]].tolist() == [2, 4]
    # Addressees of the provisions both found: s1 obligation (department vs government), s2 prohibition.
    assert t.loc[("rules_vs_gold", "all", "addressee_agrees"), ["k", "n"]].tolist() == [1, 2]
    low, high = t.loc[("rules_vs_gold", "all", "recall"), ["ci_low", "ci_high"]]
    assert 0 < low < 0.5 < high < 1


def test_no_hand_check_no_table(tmp_path):
    assert deontic_validation(tmp_path, rules) is None


def test_kappa_is_cohens_and_the_interval_holds_it():
    a = np.array([True] * 10 + [False] * 30)
    b = a.copy()
    b[:2] = False  # po = 38/40, pe = (10·8 + 30·32)/1600 = 0.65: κ = 0.3/0.35
    assert cohen_kappa(a, b, 2) == pytest.approx(0.3 / 0.35) == pytest.approx(cohen_kappa_score(a, b))
    assert np.isnan(cohen_kappa(a[10:], b[10:], 2))  # one value only: undefined
    low, high = interval(cohen_kappa, a, b, 2)
    assert low < 0.3 / 0.35 < high <= 1


def test_the_real_hand_check_is_complete():
    """Every sampled sentence is coded by both coders and adjudicated, with the codebook's codes."""
    t = deontic_validation(REGULATIONS / "validation", lambda s: [])
    assert t.loc[t["metric"] == "same_modalities", "n"].tolist() == [40, 40]
    # The coders gave different codes to 5 sentences, which deontic_gold.csv marks as adjudicated.
    assert t.loc[t["metric"] == "same_codes", ["k", "n"]].values.tolist() == [[35, 40]]
    assert (t.loc[(t["comparison"] == "coder_a_vs_b") & (t["metric"] == "kappa"), "value"] > 0.6).all()
