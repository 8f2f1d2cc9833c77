"""Agreement of two coders (analysis.agreement): κ and α worked out by hand."""

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from bizenv_analysis.analysis.agreement import agreement, cohen_kappa, krippendorff_alpha


def test_kappa_and_alpha_by_hand():
    a, b = np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1])
    # κ: observed 3/4, chance 1/2·1/4 + 1/2·3/4 = 1/2 → 1/2.
    assert cohen_kappa(a, b, 2) == pytest.approx(0.5) == pytest.approx(cohen_kappa_score(a, b))
    # α: N = 8 values, 1 unit coded differently (2 off-diagonal coincidences), n_0 = 3, n_1 = 5:
    # α = 1 − (N − 1)·2 / (2·3·5) = 1 − 14/30.
    assert krippendorff_alpha(a, b, 2) == pytest.approx(1 - 14 / 30)


def test_perfect_and_undefined_agreement():
    a = np.array([0, 1, 2, 1])
    assert cohen_kappa(a, a, 3) == 1 and krippendorff_alpha(a, a, 3) == 1
    same = np.zeros(5, dtype=int)
    assert np.isnan(cohen_kappa(same, same, 1)) and np.isnan(krippendorff_alpha(same, same, 1))


def test_agreement_of_labels_with_intervals():
    a = ["x", "y", "z", "x"] * 10
    b = ["x", "y", "z", "y"] * 10
    out = agreement(a, b)
    assert out["n"] == 40 and out["agree"] == 0.75
    assert out["kappa"] == pytest.approx(cohen_kappa_score(a, b))
    assert out["kappa_low"] < out["kappa"] < out["kappa_high"] and out["alpha_low"] < out["alpha"] < out["alpha_high"]
