"""The alignment's hand check (analysis.alignment_check): the threshold and the scores, by hand."""

import numpy as np
import pandas as pd
import pytest

from bizenv_analysis.analysis.alignment_check import alignment_validation, choose_threshold, f1
from bizenv_analysis.rules.alignment import Params


def test_the_threshold_that_maximises_f1():
    scores = np.array([0.1, 0.3, 0.5, 0.7, np.nan])
    truth = np.array([False, True, False, True, True])  # the last pair is no candidate: never found
    none = np.zeros(5, dtype=bool)
    # t = 0.1: tp 2 of 4 called, 3 true → F1 4/7; t = 0.3: 2 of 3 → 4/6; t = 0.5: 1 of 2 → 2/5; t = 0.7: 2/4
    assert choose_threshold(scores, none, truth) == 0.3
    assert f1(truth, np.array([False, True, True, True, False])) == pytest.approx(4 / 6)
    # a verbatim pair is a link whatever its score: with the 0.1 pair verbatim and true, 0.3 still wins
    assert choose_threshold(scores, np.array([True, False, False, False, False]),
                            np.array([True, True, False, True, False])) == 0.3


def test_equal_f1_takes_the_stricter_threshold():
    assert choose_threshold(np.array([0.2, 0.4]), np.zeros(2, dtype=bool), np.array([True, True])) == 0.2
    assert choose_threshold(np.array([0.2, 0.4, 0.6]), np.zeros(3, dtype=bool), np.array([False, True, True])) == 0.4


def test_the_table_by_hand(tmp_path):
    key = pd.DataFrame({"pair_id": ["p1", "p2", "p3", "p4", "p5"], "link_id": ["x~y", "x~z", "y~z", "y~w", ""],
                        "candidate": ["True"] * 4 + ["False"], "score_norm": ["0.9", "0.3", "0.5", "0.1", ""],
                        "half": ["calibration", "calibration", "held_out", "held_out", "held_out"]})
    key.to_csv(tmp_path / "alignment_key.csv", index=False)
    gold = pd.DataFrame({"pair_id": ["p1", "p2", "p3", "p4", "p5"],
                         "relation": ["verbatim", "adapted", "none", "adapted", "adapted"]})
    for name in ("a", "b", "gold"):
        gold.to_csv(tmp_path / f"alignment_{name}.csv", index=False)
    links = pd.DataFrame({"link_id": ["x~y", "x~z", "y~z", "y~w"], "score_norm": [0.9, 0.3, 0.5, 0.1],
                          "relation": ["verbatim", "none", "adapted", "none"]})
    params = Params(12, 3, 60, 1, -1, -2, -1, 0.95, 0.8, 0.4)
    t = alignment_validation(tmp_path, links, params).set_index(["metric", "half"])
    assert t.loc[("kappa3", "all"), "value"] == 1 and t.loc[("kappa2", "all"), "k"] == 5
    assert t.loc[("threshold", "calibration"), "value"] == 0.3  # p1 verbatim, p2 a link at 0.3
    # held out at 0.4: p3 called a link (wrong), p4 (0.1) and p5 (no candidate) missed
    assert t.loc[("precision", "held_out"), ["k", "n"]].tolist() == [0, 1]
    assert t.loc[("recall", "held_out"), ["k", "n"]].tolist() == [0, 2]
    assert t.loc[("missed_by_candidates", "all"), ["k", "n"]].tolist() == [1, 1]


def test_kappa_is_cohens():
    from sklearn.metrics import cohen_kappa_score

    from bizenv_analysis.analysis.agreement import cohen_kappa
    a, b = np.array([0, 0, 1, 2, 2, 1, 0]), np.array([0, 1, 1, 2, 0, 1, 0])
    assert cohen_kappa(a, b, 3) == pytest.approx(cohen_kappa_score(a, b))
    assert np.isnan(cohen_kappa(np.zeros(4, dtype=int), np.zeros(4, dtype=int), 3))


def test_no_hand_check_no_table(tmp_path):
    assert alignment_validation(tmp_path, pd.DataFrame(), Params(12, 3, 60, 1, -1, -2, -1, 0.95, 0.8, 0.4)) is None
