"""Known-answer tests of the statistics: `inference` and the comparisons that use it (`shares`,
`similarity`, `keyness`, `families`).

Every expected value is worked out by hand or by an independent route (the closed-form Wilson
interval, exhaustive enumeration of relabellings with itertools, the hypergeometric distribution,
the Benjamini–Hochberg step-up done by hand, the Dunning / Rayson–Garside formula), never by
calling the function under test. Data are tiny and resamples few, so the file runs in seconds.
"""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from scipy.sparse import csr_matrix
from scipy.stats import chi2_contingency, fisher_exact, hypergeom

from bizenv_analysis.analysis import families, inference, keyness, shares, similarity
from bizenv_analysis.text.dtm import Dtm

Z95 = NormalDist().inv_cdf(0.975)


def wilson_closed_form(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval from its textbook formula."""
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def bh_by_hand(p: list[float]) -> list[float]:
    """Benjamini–Hochberg step-up: p·m/rank, then the running minimum from the largest p down."""
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p[i] * m / rank)
        q[i] = running
    return q


def exact_two_sided(values: list[float], observed: float) -> float:
    """scipy's two-sided exact p: 2 × the smaller one-sided share of the null, capped at 1."""
    tol = 1e-12
    ge = sum(v >= observed - tol for v in values) / len(values)
    le = sum(v <= observed + tol for v in values) / len(values)
    return min(1.0, 2 * min(ge, le))


def splits(n: int, k: int) -> list[np.ndarray]:
    """Every in-group mask with k of n measures in the group (all C(n, k) of them)."""
    out = []
    for combo in itertools.combinations(range(n), k):
        mask = np.zeros(n, bool)
        mask[list(combo)] = True
        out.append(mask)
    return out


# --- wilson ------------------------------------------------------------------------------------------

def test_wilson_matches_closed_form_52_of_56() -> None:
    lo, hi = inference.wilson(52, 56)
    exp_lo, exp_hi = wilson_closed_form(52, 56)
    assert lo == pytest.approx(exp_lo, abs=1e-9)
    assert hi == pytest.approx(exp_hi, abs=1e-9)
    assert (round(lo, 3), round(hi, 3)) == (0.830, 0.972)


def test_wilson_zero_successes_has_lower_bound_zero() -> None:
    lo, hi = inference.wilson(0, 10)
    assert lo == pytest.approx(0.0, abs=1e-12)
    # k = 0: the upper bound reduces to z² / (n + z²).
    assert hi == pytest.approx(Z95**2 / (10 + Z95**2), abs=1e-9)
    assert hi == pytest.approx(0.2775, abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(1, 3), (5, 5), (17, 40)])
def test_wilson_other_cases_and_other_confidence(k: int, n: int) -> None:
    assert inference.wilson(k, n) == pytest.approx(wilson_closed_form(k, n), abs=1e-9)
    z90 = NormalDist().inv_cdf(0.95)
    assert inference.wilson(k, n, confidence=0.90) == pytest.approx(wilson_closed_form(k, n, z90), abs=1e-9)


def test_wilson_of_no_trials_is_nan() -> None:
    lo, hi = inference.wilson(0, 0)
    assert math.isnan(lo) and math.isnan(hi)


# --- bh ----------------------------------------------------------------------------------------------

def test_bh_hand_worked_example() -> None:
    # Sorted: 0.01 (rank 1), 0.03 (2), 0.04 (3), 0.20 (4); p·4/rank = 0.04, 0.06, 0.0533, 0.20;
    # running minimum from the top: 0.20, 0.0533, 0.0533 (0.06 pulled down), 0.04.
    q = inference.bh([0.01, 0.04, 0.03, 0.20])
    np.testing.assert_allclose(q, [0.04, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)
    np.testing.assert_allclose(q, bh_by_hand([0.01, 0.04, 0.03, 0.20]), rtol=1e-12)


def test_bh_nan_passes_through_and_is_not_counted() -> None:
    q = inference.bh([0.01, float("nan"), 0.04, 0.03, 0.20])
    assert math.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2, 3, 4]], [0.04, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-12)
    assert np.isnan(inference.bh([float("nan"), float("nan")])).all()
    assert inference.bh([]).shape == (0,)


def test_bh_caps_at_one() -> None:
    np.testing.assert_allclose(inference.bh([0.9, 0.95, 1.0]), [1.0, 1.0, 1.0])


# --- units_of ----------------------------------------------------------------------------------------

def test_units_of_section_wins_and_empty_headings_fall_back_to_measure() -> None:
    measures = pd.DataFrame({
        "source_id": ["s1", "s1", "s1", "s1", "s2", "s2"],
        "measure_id": ["m1", "m2", "m3", "m4", "m5", "m6"],
        "chapter": ["c1", "c1", "c1", "", "c1", "c1"],
        "section": ["a", "b", "", "", "a", ""],
    })
    units = inference.units_of(measures)
    # m1, m2: sections differ though the chapter is shared; m3: no section → its chapter;
    # m4: no heading at all → its own unit; s2's "a" and "c1" are not s1's.
    assert list(units) == ["s1|a", "s1|b", "s1|c1", "s1|m4", "s2|a", "s2|c1"]
    assert len(set(units)) == 6
    assert not set(units[:4]) & set(units[4:])


def test_units_of_without_heading_columns() -> None:
    only_chapter = pd.DataFrame({"source_id": ["s1", "s1", "s2"], "measure_id": ["m1", "m2", "m3"],
                                 "chapter": ["c", "c", "c"]})
    assert list(inference.units_of(only_chapter)) == ["s1|c", "s1|c", "s2|c"]
    bare = pd.DataFrame({"source_id": ["s1", "s2"], "measure_id": ["m1", "m2"]})
    assert list(inference.units_of(bare)) == ["s1|m1", "s2|m2"]


# --- cluster_bootstrap -------------------------------------------------------------------------------

def test_cluster_bootstrap_identical_units_give_degenerate_interval() -> None:
    y = np.array([1, 0, 1, 0], float)
    units = np.array(["u1", "u1", "u2", "u2"])
    assert inference.cluster_bootstrap(y, units, n_resamples=999) == (0.5, 0.5)
    # Weighted: each unit is (1·3 + 0·1) / 4 = 0.75.
    w = np.array([3, 1, 3, 1], float)
    assert inference.cluster_bootstrap(y, units, weights=w, n_resamples=999) == (0.75, 0.75)


def test_cluster_bootstrap_degenerate_difference() -> None:
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0], float)
    units = np.array(["g1", "g1", "g2", "g2", "r1", "r1", "r2", "r2"])
    g = np.array([True] * 4 + [False] * 4)
    assert inference.cluster_bootstrap(y, units, in_group=g, n_resamples=999) == (1.0, 1.0)
    assert inference.cluster_bootstrap(y, units, in_group=~g, n_resamples=999) == (-1.0, -1.0)


def test_cluster_bootstrap_fewer_than_two_units_is_nan() -> None:
    y = np.array([1, 0, 1], float)
    lo, hi = inference.cluster_bootstrap(y, np.array(["u", "u", "u"]), n_resamples=999)
    assert math.isnan(lo) and math.isnan(hi)
    # Difference: the group has two units, the rest only one.
    y = np.array([1, 0, 1, 0, 1], float)
    units = np.array(["g1", "g2", "g1", "r", "r"])
    g = np.array([True, True, True, False, False])
    lo, hi = inference.cluster_bootstrap(y, units, in_group=g, n_resamples=999)
    assert math.isnan(lo) and math.isnan(hi)


def test_cluster_bootstrap_of_several_columns_gives_each_column_its_own_interval() -> None:
    """A measures × categories y: every column is read off the same resamples of units, so each
    gets the interval it gets alone; a column whose units all share one value gets that value."""
    y = np.column_stack([Y6, 1 - Y6, np.ones_like(Y6)])
    lows, highs = inference.cluster_bootstrap(y, UNITS6, n_resamples=999, seed=3)
    for j in range(3):
        assert (lows[j], highs[j]) == inference.cluster_bootstrap(y[:, j], UNITS6, n_resamples=999, seed=3)
    assert (lows[2], highs[2]) == (1.0, 1.0)
    g = np.arange(len(Y6)) < 12
    lows, highs = inference.cluster_bootstrap(y, UNITS6, in_group=g, n_resamples=999, seed=3)
    for j in range(3):
        assert (lows[j], highs[j]) == inference.cluster_bootstrap(y[:, j], UNITS6, in_group=g, n_resamples=999, seed=3)
    # The share of 1 − y is 1 − the share of y, so its interval is the mirror image.
    assert lows[1] == pytest.approx(-highs[0]) and highs[1] == pytest.approx(-lows[0])


# --- source_differences --------------------------------------------------------------------------

def test_source_differences_two_sources_mirror_each_other_and_match_the_clear_cut_bounds() -> None:
    # A's units have shares 1, 0.75, 1, 0.75; B's 0, 0.25, 0, 0.25: every resampled difference of A
    # from the rest (B) lies in [0.75 − 0.25, 1 − 0] = [0.5, 1], and B's is its mirror image,
    # read off the same resamples.
    a = [1, 1, 1, 1,  1, 1, 1, 0,  1, 1, 1, 1,  1, 1, 1, 0]
    b = [0, 0, 0, 0,  1, 0, 0, 0,  0, 0, 0, 0,  1, 0, 0, 0]
    y = np.array(a + b, float)
    units = np.repeat([f"a{i}" for i in range(4)] + [f"b{i}" for i in range(4)], 4)
    codes = np.array([0] * 16 + [1] * 16)
    low, high = inference.source_differences(y, units, codes, 2, n_resamples=999)
    assert low.shape == (2, 1)
    assert 0.5 <= low[0, 0] < 0.875 - 0.125 < high[0, 0] <= 1.0  # the observed difference is 0.75
    assert low[1, 0] == pytest.approx(-high[0, 0]) and high[1, 0] == pytest.approx(-low[0, 0])


def test_source_differences_degenerate_single_unit_and_third_source() -> None:
    # Two categories: the first is 1 everywhere (no spread: the interval is the value, 0); the
    # second tells the sources apart. Source C has a single unit: its interval is NaN, and it
    # stays in every resample of the others' rest as it is.
    y = np.array([[1, 1], [1, 1], [1, 1], [1, 1], [1, 0], [1, 0], [1, 0], [1, 0], [1, 1], [1, 0]], float)
    units = np.array(["a1", "a1", "a2", "a2", "b1", "b1", "b2", "b2", "c1", "c1"])
    codes = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    low, high = inference.source_differences(y, units, codes, 3, n_resamples=999)
    assert (low[:2, 0] == 0).all() and (high[:2, 0] == 0).all()
    # A: share 1 against a rest of (0·4 + 1) / 6. A's units and B's units each share one value and
    # C's single unit is never resampled, so every resample gives the observed difference.
    assert low[0, 1] == pytest.approx(1 - 1 / 6) and high[0, 1] == pytest.approx(1 - 1 / 6)
    assert low[1, 1] == pytest.approx(0 - 5 / 6) and high[1, 1] == pytest.approx(0 - 5 / 6)
    assert np.isnan(low[2]).all() and np.isnan(high[2]).all()


def test_source_differences_a_rest_of_single_unit_sources_has_no_interval() -> None:
    # A has two units; B and C one each, which are never resampled: A's rest cannot vary, so A's
    # interval is NaN rather than falsely narrow (B's rest holds A's two resampled units).
    y = np.array([1, 0, 1, 1, 0, 1], float)
    units = np.array(["a1", "a1", "a2", "b1", "c1", "c1"])
    low, high = inference.source_differences(y, units, np.array([0, 0, 0, 1, 2, 2]), 3, n_resamples=99)
    assert np.isnan(low[0, 0]) and np.isnan(high[0, 0]) and np.isnan(low[1, 0]) and np.isnan(low[2, 0])


def test_without_each_by_hand() -> None:
    v = np.array([[3.0, 1.0], [1.0, 5.0], [2.0, 2.0]])
    np.testing.assert_array_equal(inference._without_each(v, np.min), [[1, 2], [2, 1], [1, 1]])
    np.testing.assert_array_equal(inference._without_each(v, np.max), [[2, 5], [3, 2], [3, 5]])


UNITS6 = np.repeat(["u1", "u2", "u3", "u4", "u5", "u6"], 4)
Y6 = np.array([1, 1, 1, 1,  1, 1, 1, 0,  1, 1, 0, 0,  1, 0, 0, 0,  0, 0, 0, 0,  1, 1, 0, 0], float)


def test_cluster_bootstrap_interval_contains_estimate_and_stays_within_unit_shares() -> None:
    lo, hi = inference.cluster_bootstrap(Y6, UNITS6, n_resamples=999)
    point = Y6.mean()  # 12 / 24
    assert lo < point < hi
    # A resampled share is a mean of unit shares (units of equal size): within [0, 1] here, and
    # not the full range (the interval is central 95%, not min..max).
    assert 0.0 < lo and hi < 1.0


def test_cluster_bootstrap_same_seed_same_interval() -> None:
    a = inference.cluster_bootstrap(Y6, UNITS6, n_resamples=999, seed=7)
    b = inference.cluster_bootstrap(Y6, UNITS6, n_resamples=999, seed=7)
    assert a == b


def test_cluster_bootstrap_difference_sign_on_clear_cut_case() -> None:
    # Group units have shares 1, 0.75, 1, 0.75; rest units 0, 0.25, 0, 0.25. Any resample of the
    # difference is ≥ 0.75 − 0.25 = 0.5 and ≤ 1 − 0 = 1.
    group = [1, 1, 1, 1,  1, 1, 1, 0,  1, 1, 1, 1,  1, 1, 1, 0]
    rest = [0, 0, 0, 0,  1, 0, 0, 0,  0, 0, 0, 0,  1, 0, 0, 0]
    y = np.array(group + rest, float)
    units = np.repeat([f"g{i}" for i in range(4)] + [f"r{i}" for i in range(4)], 4)
    g = np.array([True] * 16 + [False] * 16)
    lo, hi = inference.cluster_bootstrap(y, units, in_group=g, n_resamples=999)
    assert 0.5 <= lo <= 0.875 - 0.125 <= hi <= 1.0
    lo, hi = inference.cluster_bootstrap(y, units, in_group=~g, n_resamples=999)
    assert -1.0 <= lo <= -0.75 <= hi <= -0.5


# --- permutation / permutation_diff ------------------------------------------------------------------

Y10 = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 0], float)
G10 = np.array([True] * 4 + [False] * 6)


def _diff(y: np.ndarray, g: np.ndarray, w: np.ndarray | None = None) -> float:
    w = np.ones(len(y)) if w is None else w
    return float((y[g] * w[g]).sum() / w[g].sum() - (y[~g] * w[~g]).sum() / w[~g].sum())


def test_permutation_diff_exact_matches_enumeration() -> None:
    res = inference.permutation_diff(Y10, G10, n_resamples=999)  # C(10, 4) = 210 < 999: exact
    null = [_diff(Y10, m) for m in splits(10, 4)]
    assert res.statistic == pytest.approx(3 / 4 - 1 / 6)
    assert res.p_value == pytest.approx(exact_two_sided(null, res.statistic))
    # By hand: P(3 or 4 of the 4 ones in the group) = (C(4,3)·C(6,1) + 1) / 210 = 25/210, doubled.
    assert res.p_value == pytest.approx(50 / 210)
    assert len(res.null) == 210
    np.testing.assert_allclose(np.sort(res.null), np.sort(null))


def test_permutation_diff_weighted_exact() -> None:
    y = np.array([1, 0, 1, 0, 0, 1], float)
    w = np.array([3, 1, 1, 1, 2, 2], float)
    g = np.array([True, True, True, False, False, False])
    res = inference.permutation_diff(y, g, weights=w, n_resamples=999)
    assert res.statistic == pytest.approx(4 / 5 - 2 / 5)
    null = [_diff(y, m, w) for m in splits(6, 3)]
    assert res.p_value == pytest.approx(exact_two_sided(null, res.statistic))


def test_permutation_two_sided_capped_at_one() -> None:
    # Observed difference 0 sits in the middle of the null: 2 × min(P≥, P≤) > 1, capped at 1.
    y = np.array([1, 0, 1, 0], float)
    g = np.array([True, True, False, False])
    assert inference.permutation_diff(y, g, n_resamples=999).p_value == 1.0


def test_permutation_exact_matches_enumeration_with_labels() -> None:
    labels = np.where(G10, "in", "out")

    def stat(lab: np.ndarray) -> float:
        return Y10[lab == "in"].mean() - Y10[lab == "out"].mean()

    res = inference.permutation(labels, stat, n_resamples=999)
    null = [_diff(Y10, m) for m in splits(10, 4)]
    assert res.statistic == pytest.approx(7 / 12)
    assert res.p_value == pytest.approx(exact_two_sided(null, 7 / 12))
    np.testing.assert_allclose(np.sort(res.null), np.sort(null))
    lo, hi = res.null_range()
    exp_lo, exp_hi = np.quantile(null, [0.025, 0.975])
    assert (float(lo), float(hi)) == pytest.approx((exp_lo, exp_hi))


def test_permutation_one_sided_equals_fisher_exact() -> None:
    labels = G10.astype(np.int64)

    def ones_in_group(lab: np.ndarray) -> float:
        return float(Y10[lab == 1].sum())

    res = inference.permutation(labels, ones_in_group, n_resamples=999, alternative="greater")
    table = [[3, 1], [1, 5]]  # group: 3 of 4 addressed; rest: 1 of 6
    assert res.statistic == 3.0
    assert res.p_value == pytest.approx(fisher_exact(table, alternative="greater").pvalue)
    assert res.p_value == pytest.approx(hypergeom.sf(2, 10, 4, 4))  # 25 / 210
    less = inference.permutation(labels, ones_in_group, n_resamples=999, alternative="less")
    assert less.p_value == pytest.approx(fisher_exact(table, alternative="less").pvalue)


Z10 = np.array([0, 1, 0, 0, 1, 1, 0, 1, 0, 1], float)


def _vector(lab: np.ndarray) -> np.ndarray:
    return np.array([Y10[lab == 0].mean() - Y10[lab == 1].mean(), Z10[lab == 0].mean() - Z10[lab == 1].mean()])


@pytest.mark.parametrize("n_resamples", [999, 150])  # exact (210 splits) and random
def test_permutation_vector_statistic_equals_separate_scalar_runs(n_resamples: int) -> None:
    labels = np.where(G10, 0, 1).astype(np.int64)
    vec = inference.permutation(labels, _vector, n_resamples=n_resamples, seed=3)
    assert vec.statistic.shape == (2,) and vec.p_value.shape == (2,)
    assert vec.null.shape[1] == 2
    for j in range(2):
        one = inference.permutation(labels, lambda lab, j=j: float(_vector(lab)[j]), n_resamples=n_resamples, seed=3)
        assert vec.statistic[j] == pytest.approx(one.statistic)
        assert vec.p_value[j] == pytest.approx(one.p_value)
        np.testing.assert_allclose(vec.null[:, j], one.null)


def test_permutation_vector_statistic_exact_with_null_larger_than_n_resamples() -> None:
    labels = np.where(G10, 0, 1).astype(np.int64)
    res = inference.permutation(labels, lambda lab: np.repeat(_vector(lab)[:1], 5), n_resamples=999)
    assert res.null.shape == (210, 5)


def test_permutation_seeded_runs_are_reproducible() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 20).astype(float)
    g = np.arange(20) < 10  # C(20, 10) = 184,756 splits: a random test
    a = inference.permutation_diff(y, g, n_resamples=199, seed=11)
    b = inference.permutation_diff(y, g, n_resamples=199, seed=11)
    assert a.p_value == b.p_value
    np.testing.assert_array_equal(a.null, b.null)
    # Random test: p = (shuffles at least as extreme + 1) / (n + 1), two-sided as 2 × min.
    ge = (np.sum(a.null >= a.statistic - 1e-12) + 1) / 200
    le = (np.sum(a.null <= a.statistic + 1e-12) + 1) / 200
    assert a.p_value == pytest.approx(min(1.0, 2 * min(ge, le)))
    labels = g.astype(np.int64)
    c = inference.permutation(labels, lambda lab: _diff(y, lab == 1), n_resamples=199, seed=11)
    d = inference.permutation(labels, lambda lab: _diff(y, lab == 1), n_resamples=199, seed=11)
    assert c.p_value == d.p_value
    np.testing.assert_array_equal(c.null, d.null)


# --- shares: indicator, share_tests --------------------------------------------------------------

def test_indicator() -> None:
    themes = pd.DataFrame({"measure_id": ["m1", "m1", "m2", "m3", "mX"],
                           "theme_id": ["t1", "t2", "t2", "t9", "t1"],
                           "group_id": ["g1", "g1", "g2", "g1", "g1"],
                           "primary": [True, False, True, True, True]})
    y = shares.indicator(themes, ["m1", "m2", "m3"], ["t1", "t2"])
    np.testing.assert_array_equal(y, [[1, 1], [0, 1], [0, 0]])  # t9 and mX are not asked for
    y = shares.indicator(themes, ["m1", "m2", "m3"], ["t1", "t2"], primary_only=True)
    np.testing.assert_array_equal(y, [[1, 0], [0, 1], [0, 0]])
    y = shares.indicator(themes, ["m3", "m2", "m1"], ["g2", "g1"], column="group_id")
    np.testing.assert_array_equal(y, [[0, 1], [1, 0], [0, 1]])


SHARE_MEASURES = pd.DataFrame({
    "source_id": ["A"] * 4 + ["B"] * 4,
    "measure_id": [f"A{i}" for i in range(4)] + [f"B{i}" for i in range(4)],
    "chapter": ["c1", "c1", "c2", "c2", "c1", "c1", "c1", "c1"],
    "section": ["", "", "", "", "s1", "s1", "s2", "s2"],
})
# Columns: x (A 3 of 4, B none), z (one of four in each), none (nobody).
SHARE_Y = np.array([[1, 0, 0], [1, 1, 0], [1, 0, 0], [0, 0, 0],
                    [0, 0, 0], [0, 1, 0], [0, 0, 0], [0, 0, 0]], float)


def test_share_tests_hand_example() -> None:
    out = shares.share_tests(SHARE_Y, ["x", "z", "none"], SHARE_MEASURES, ["A", "B"], n_resamples=999)
    assert list(out["source_id"]) == ["A", "A", "A", "B", "B", "B"]
    assert list(out["theme_id"]) == ["x", "z", "none"] * 2
    assert list(out["n_measures"]) == [4] * 6
    assert list(out["n_units"]) == [2] * 6  # A: chapters c1, c2; B: sections s1, s2
    assert list(out["n_addressing"]) == [3, 1, 0, 0, 1, 0]
    np.testing.assert_allclose(out["share"], [0.75, 0.25, 0, 0, 0.25, 0])
    np.testing.assert_allclose(out["rest_share"], [0, 0.25, 0, 0.75, 0.25, 0])
    np.testing.assert_allclose(out["diff"], [0.75, 0, 0, -0.75, 0, 0])
    for col, lo_hi in ((0, wilson_closed_form(3, 4)), (1, wilson_closed_form(1, 4)), (2, (0.0, Z95**2 / (4 + Z95**2)))):
        assert (out.loc[col, "share_low"], out.loc[col, "share_high"]) == pytest.approx(lo_hi, abs=1e-9)
    assert set(out["unit"]) == {"heading"}
    # 4 headings, 2 per source: C(4, 2) = 6 ways to split them, too few for p < 0.05, so no test
    assert out["p_value"].isna().all() and out["q_value"].isna().all()
    # Unit shares of x: A c1 = 1, c2 = 0.5; B all 0. Bootstraps stay within those ranges.
    a_x, b_x = out.iloc[0], out.iloc[3]
    assert 0.5 <= a_x["boot_low"] <= 0.75 <= a_x["boot_high"] <= 1.0
    assert (b_x["boot_low"], b_x["boot_high"]) == (0.0, 0.0)
    assert 0.5 <= a_x["diff_low"] <= 0.75 <= a_x["diff_high"] <= 1.0
    assert -1.0 <= b_x["diff_low"] <= -0.75 <= b_x["diff_high"] <= -0.5


def test_share_tests_exact_p_where_each_measure_is_its_own_unit() -> None:
    # Without headings each measure is its own unit: 8 units, C(8, 4) = 70 splits.
    # x: 3 addressed, all 3 in A; diff = (2·k_A − 3)/4. P(k_A = 3) = C(5,1)/C(8,4) = 5/70;
    # two-sided 10/70 (the same for B, whose diff is the mirror image). z: diff 0 → p capped at 1;
    # none: nobody addresses it → p = 1.
    bare = SHARE_MEASURES[["source_id", "measure_id"]]
    out = shares.share_tests(SHARE_Y, ["x", "z", "none"], bare, ["A", "B"], n_resamples=999, intervals=False)
    assert list(out["n_units"]) == [4] * 6
    np.testing.assert_allclose(out["p_value"], [10 / 70, 1, 1, 10 / 70, 1, 1])
    np.testing.assert_allclose(out["q_value"], bh_by_hand(list(out["p_value"])))
    np.testing.assert_allclose(out["q_value"], [30 / 70, 1, 1, 30 / 70, 1, 1])


def test_share_tests_compare_only_the_tested_sources() -> None:
    """Like with like: a third source C (a report, say) addressing x in every measure is described
    but not compared; A and B are tested against each other exactly as without C (p = 10/70)."""
    bare = SHARE_MEASURES[["source_id", "measure_id"]]
    with_c = pd.concat([bare, pd.DataFrame({"source_id": ["C"] * 4, "measure_id": [f"C{i}" for i in range(4)]})],
                       ignore_index=True)
    y = np.vstack([SHARE_Y, np.tile([1.0, 0.0, 0.0], (4, 1))])
    out = shares.share_tests(y, ["x", "z", "none"], with_c, ["A", "B", "C"], n_resamples=999, intervals=False,
                              tested=["A", "B"])
    alone = shares.share_tests(SHARE_Y, ["x", "z", "none"], bare, ["A", "B"], n_resamples=999, intervals=False)
    assert list(out["tested"]) == [True] * 6 + [False] * 3
    np.testing.assert_allclose(out["rest_share"].iloc[:6], alone["rest_share"])  # C is not in A's rest
    np.testing.assert_allclose(out["p_value"].iloc[:6], alone["p_value"])
    c = out[out["source_id"] == "C"]
    assert list(c["share"]) == [1.0, 0.0, 0.0] and c[["rest_share", "diff", "p_value"]].isna().all().all()


def test_share_tests_weighted_has_no_wilson() -> None:
    w = np.array([2, 1, 1, 0.5, 1, 1, 1, 1])
    out = shares.share_tests(SHARE_Y, ["x", "z", "none"], SHARE_MEASURES[["source_id", "measure_id"]], ["A", "B"],
                              weights=w, n_resamples=999, intervals=False)
    assert out.loc[0, "share"] == pytest.approx(4 / 4.5)
    assert out.loc[1, "share"] == pytest.approx(1 / 4.5)
    assert out["share_low"].isna().all() and out["boot_low"].isna().all() and out["diff_low"].isna().all()
    np.testing.assert_allclose(out["q_value"], bh_by_hand(list(out["p_value"])))


# --- similarity: _profiles, _cosines, similarity_tests -------------------------------------------

def test_profiles_are_group_means_dense_and_sparse() -> None:
    m = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    codes = np.array([0, 0, 1])
    np.testing.assert_allclose(similarity._profiles(m, codes, 2), [[2, 3], [5, 6]])
    np.testing.assert_allclose(similarity._profiles(csr_matrix(m), codes, 2), [[2, 3], [5, 6]])


def test_cosines_by_hand_and_zero_row() -> None:
    sim = similarity._cosines(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]))
    r = 1 / math.sqrt(2)
    np.testing.assert_allclose(sim, [[1, r, 0], [r, 1, 0], [0, 0, 0]], atol=1e-12)


def test_similarity_tests_identical_and_disjoint_sources() -> None:
    rows = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.0], [0.0, 3.0]])
    same = similarity.similarity_tests({"f": np.vstack([rows, rows])}, np.array(["A"] * 5 + ["B"] * 5), ["A", "B"],
                                    n_resamples=999)
    assert list(same["source_a"]) == ["all", "A"] and list(same["source_b"]) == ["all", "B"]
    assert list(same["observed"]) == [1.0, 1.0]
    assert list(same["p_value"]) == [1.0, 1.0]
    disjoint = np.array([[1.0, 0.0]] * 5 + [[0.0, 1.0]] * 5)
    diff = similarity.similarity_tests({"f": csr_matrix(disjoint)}, np.array(["A"] * 5 + ["B"] * 5), ["A", "B"],
                                    n_resamples=999)
    assert list(diff["observed"]) == [0.0, 0.0]
    # Exact (C(10,5) = 252 splits): cosine 0 only for the observed split and its mirror.
    np.testing.assert_allclose(diff["p_value"], [2 / 252, 2 / 252], rtol=1e-2)
    assert math.isnan(diff.loc[0, "q_value"]) and diff.loc[1, "q_value"] == diff.loc[1, "p_value"]
    assert list(diff["n_a"]) == [10, 5] and list(diff["n_b"]) == [10, 5]


def test_similarity_tests_three_sources_by_hand() -> None:
    m = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]] + [[0.0, 1.0]] * 3 + [[1.0, 0.0]] * 3)
    sources = np.array(["A"] * 3 + ["B"] * 3 + ["C"] * 3)
    out = similarity.similarity_tests({"f": m}, sources, ["A", "B", "C"], n_resamples=999)
    assert list(zip(out["source_a"], out["source_b"], strict=True)) == [("all", "all"), ("A", "B"), ("A", "C"),
                                                                        ("B", "C")]
    # Profiles: A = (2/3, 1/3), B = (0, 1), C = (1, 0).
    pairs = [1 / math.sqrt(5), 2 / math.sqrt(5), 0.0]
    np.testing.assert_allclose(out["observed"][1:], pairs, atol=1e-4)
    assert out.loc[0, "observed"] == pytest.approx(sum(pairs) / 3, abs=1e-4)
    assert out.loc[0, "observed"] == pytest.approx(out["observed"][1:].mean(), abs=1e-4)
    assert (out["null_low"] <= out["null_mean"]).all() and (out["null_mean"] <= out["null_high"]).all()
    assert out.loc[3, "p_value"] < 0.1  # B and C share no feature
    assert math.isnan(out.loc[0, "q_value"])
    np.testing.assert_allclose(out["q_value"][1:], bh_by_hand(list(out["p_value"][1:])), rtol=2e-2)
    assert list(out["n_a"]) == [9, 3, 3, 3]


@pytest.mark.parametrize("dense_cells", [inference.DENSE_CELLS, 0], ids=["dense", "sparse"])
def test_similarity_tests_above_the_pair_limit_test_only_the_mean(monkeypatch, dense_cells) -> None:
    """Above MAX_PAIR_SOURCES only the mean over pairs is tested (with a warning); its value is the
    mean of the pairwise cosines, worked out by hand for the three-source case above, whether the
    group sums are dense or sparse."""
    monkeypatch.setattr(similarity, "MAX_PAIR_SOURCES", 2)
    monkeypatch.setattr(inference, "DENSE_CELLS", dense_cells)
    m = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]] + [[0.0, 1.0]] * 3 + [[1.0, 0.0]] * 3)
    sources = np.array(["A"] * 3 + ["B"] * 3 + ["C"] * 3)
    with pytest.warns(families.CompareWarning, match="3 sources make 3 pairs; only the mean"):
        out = similarity.similarity_tests({"f": csr_matrix(m)}, sources, ["A", "B", "C"], n_resamples=999)
    assert list(zip(out["source_a"], out["source_b"], strict=True)) == [("all", "all")]
    assert out.loc[0, "observed"] == pytest.approx((1 / math.sqrt(5) + 2 / math.sqrt(5) + 0.0) / 3, abs=1e-4)
    assert out.loc[0, "null_low"] <= out.loc[0, "null_mean"] <= out.loc[0, "null_high"]
    assert math.isnan(out.loc[0, "q_value"]) and list(out["n_a"]) == [9]


def test_group_sums_by_hand_for_dense_sparse_and_empty_groups() -> None:
    m = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [4.0, 0.0, 0.0], [0.0, 0.0, 5.0]])
    codes = np.array([2, 0, 2, 0])  # group 1 has no member
    expected = [[0, 3, 5], [0, 0, 0], [5, 0, 2]]
    np.testing.assert_array_equal(inference.GroupSums(m)(codes, 3), expected)
    np.testing.assert_array_equal(inference.GroupSums(csr_matrix(m))(codes, 3), expected)


# --- shares: mix_test ------------------------------------------------------------------------

def test_primary_mix_statistic_is_chi2_contingency() -> None:
    sources = np.array(["A"] * 5 + ["B"] * 4 + ["C"] * 6)
    primary = np.array(list("xxyzx") + list("yyzz") + list("xzzyyx"))
    res = shares.mix_test(primary, sources, n_resamples=199)
    table = pd.crosstab(sources, primary).to_numpy()
    assert res.statistic == pytest.approx(chi2_contingency(table, correction=False).statistic)


def test_primary_mix_separated_and_identical() -> None:
    sources = np.array(["A"] * 5 + ["B"] * 5)
    separated = shares.mix_test(np.array(["x"] * 5 + ["y"] * 5), sources, n_resamples=999)
    assert separated.statistic == pytest.approx(10.0)  # χ² = n·φ² = 10·1
    assert separated.p_value == pytest.approx(2 / 252)  # only the split and its mirror reach 10
    same = shares.mix_test(np.array(list("xxyyz") * 2), sources, n_resamples=999)
    assert same.statistic == pytest.approx(0.0, abs=1e-9)
    assert same.p_value == pytest.approx(1.0)


# --- shares: leaders ------------------------------------------------------------------------------

def test_leaders_ties() -> None:
    primary = pd.DataFrame({
        "measure_id": [f"m{i}" for i in range(8)],
        "source_id": ["A"] * 5 + ["B"] * 3,
        "theme_id": ["y", "x", "y", "x", "z", "z", "z", "x"],
    })
    out = shares.leaders(primary, ["A", "B", "C"])
    assert out.to_dict("records") == [
        {"source_id": "A", "leaders": "x;y", "n_leader": 2, "n_measures": 5, "tied": True},
        {"source_id": "B", "leaders": "z", "n_leader": 2, "n_measures": 3, "tied": False},
        {"source_id": "C", "leaders": "", "n_leader": 0, "n_measures": 0, "tied": False},
    ]


# --- keyness: keyness -----------------------------------------------------------------------------

def rayson_g2(a: float, b: float, n1: float, n2: float) -> float:
    """Log-likelihood of Rayson & Garside (2000): 2 Σ O ln(O/E) over the term's two cells."""
    e1, e2 = n1 * (a + b) / (n1 + n2), n2 * (a + b) / (n1 + n2)
    return 2 * ((a * math.log(a / e1) if a else 0) + (b * math.log(b / e2) if b else 0))


def chi2_1_sf(x: float) -> float:
    """Upper tail of χ² with one degree of freedom: erfc(√(x/2))."""
    return math.erfc(math.sqrt(x / 2))


def test_keyness_hand_example() -> None:
    tokens = pd.DataFrame({
        "measure_id": ["a1", "a2", "a3", "b1", "b2"],
        "source_id": ["A", "A", "A", "B", "B"],
        "tokens": ["w w w w w o o o o o", "w w w w w o o o o o", "", "w w o o o o o o o o o", "o" + " o" * 8],
    })
    # A: w 10, o 10 (20 terms); B: w 2, o 18 (20 terms). B's w (2 < 5) is not kept.
    out = keyness.keyness(Dtm.from_tokens(tokens), ["A", "B"])
    assert list(zip(out["source_id"], out["term"], strict=True)) == [("A", "w"), ("A", "o"), ("B", "o")]
    assert list(out["n_source"]) == [10, 10, 18] and list(out["n_rest"]) == [2, 18, 10]
    # A's w: E1 = E2 = 20·12/40 = 6; G² = 2·(10 ln(10/6) + 2 ln(2/6)) = 5.822.
    assert out.loc[0, "g2"] == pytest.approx(2 * (10 * math.log(10 / 6) + 2 * math.log(2 / 6)), abs=1e-3)
    assert out.loc[0, "g2"] == pytest.approx(5.822, abs=1e-3)
    g2 = [rayson_g2(10, 2, 20, 20), rayson_g2(10, 18, 20, 20), rayson_g2(18, 10, 20, 20)]
    np.testing.assert_allclose(out["g2"], g2, atol=1e-3)
    np.testing.assert_allclose(out["log_ratio"], [math.log2(5), math.log2(10 / 18), math.log2(18 / 10)], atol=1e-3)
    p = [chi2_1_sf(x) for x in g2]
    np.testing.assert_allclose(out["p_value"], p, rtol=5e-3)
    np.testing.assert_allclose(out["q_value"], bh_by_hand(p), rtol=5e-3)
    np.testing.assert_allclose(out["q_value"], bh_by_hand(list(out["p_value"])), rtol=5e-3)


def test_keyness_zero_in_rest_and_order() -> None:
    tokens = pd.DataFrame({"measure_id": ["a", "b"], "source_id": ["A", "B"],
                           "tokens": ["u u u u u u o o o o", "o o o o o o o o o o"]})
    out = keyness.keyness(Dtm.from_tokens(tokens), ["B", "A"], min_freq=4)
    # Rows follow the given order (B first), then G² descending.
    assert list(zip(out["source_id"], out["term"], strict=True)) == [("B", "o"), ("A", "u"), ("A", "o")]
    u = out.iloc[1]
    # u: a = 6, b = 0, n1 = n2 = 10; E1 = 3 → G² = 2·6·ln 2; log ratio with 0.5 for the zero: log2(6 / 0.5).
    assert u["g2"] == pytest.approx(12 * math.log(2), abs=1e-3)
    assert u["log_ratio"] == pytest.approx(math.log2(12), abs=1e-3)
    assert u["n_rest"] == 0


def _headings(term_units: dict[str, int], n_units: int = 4, size: int = 12) -> tuple[pd.DataFrame, pd.Series]:
    """Sources A and B with `n_units` headings of one measure each, every measure `size` terms:
    `term_units[unit]` uses of x in that heading of A (the rest of each measure is filler `o`)."""
    rows, units = [], {}
    for src in ("A", "B"):
        for u in range(n_units):
            mid = f"{src}{u}"
            k = term_units.get(mid, 0)
            rows.append({"measure_id": mid, "source_id": src, "tokens": " ".join(["x"] * k + ["o"] * (size - k))})
            units[mid] = f"{src}|heading {u}"
    return pd.DataFrame(rows), pd.Series(units)


def test_keyness_shuffles_headings_not_tokens() -> None:
    """x used 10 times, all in one heading of A: tokens as independent draws make it hugely
    distinctive (χ² p < 0.001), but of the 8!/(4!·4!) = 70 splits of eight equal headings into
    four and four, the heading holding x stays in A in 35, each with the same G²: p = 35/70."""
    tokens, units = _headings({"A0": 10})
    token_level = keyness.keyness(Dtm.from_tokens(tokens), ["A", "B"], min_freq=5)
    x = token_level[token_level["term"] == "x"].iloc[0]
    assert x["unit"] == "token" and x["p_value"] < 0.001
    block = keyness.keyness(Dtm.from_tokens(tokens), ["A", "B"], min_freq=5, units=units)
    x = block[block["term"] == "x"].iloc[0]
    assert x["g2"] == token_level[token_level["term"] == "x"].iloc[0]["g2"]  # the same statistic
    assert (x["unit"], x["n_units"]) == ("heading", 4)
    assert x["p_value"] == pytest.approx(35 / 70)


def test_keyness_over_use_in_every_heading_is_rare_under_shuffling() -> None:
    """x three times in each of A's four headings, never in B: only the observed split (1 of 70)
    puts all four in A, so p = 1/70; the under-used filler of A (o) gets p near 1 (one-sided)."""
    tokens, units = _headings({f"A{u}": 3 for u in range(4)})
    out = keyness.keyness(Dtm.from_tokens(tokens), ["A", "B"], min_freq=5, units=units).set_index(["source_id", "term"])
    assert out.loc[("A", "x"), "p_value"] == pytest.approx(1 / 70, abs=1e-3)
    assert out.loc[("A", "o"), "log_ratio"] < 0 and out.loc[("A", "o"), "p_value"] == 1.0


def test_permutation_with_a_one_measure_group_is_exact() -> None:
    """A source with a single measure (scipy's independent form needs two per group): labels
    a,b,b,b and y = 10,0,0,0; shuffled, a lands on each of the 4 measures in 6 of the 4! = 24
    orderings, so P(statistic >= 10) = 6/24."""
    y = np.array([10.0, 0.0, 0.0, 0.0])
    res = inference.permutation(np.array(["a", "b", "b", "b"]), lambda lab: y[lab == "a"].mean(),
                                alternative="greater")
    assert res.statistic == 10.0
    assert res.p_value == pytest.approx(6 / 24)
    assert len(res.null) == 24 and int((res.null == 10.0).sum()) == 6


# --- the unit of inference: block permutation ----------------------------------------------------------

def test_block_permutation_exact_matches_enumeration_of_unit_splits() -> None:
    # Four headings, two per source, of unequal sizes; the statistic is share(A) − share(B) over
    # measures. Under the block test whole headings change source: C(4, 2) = 6 splits, each equally
    # likely, and a source's number of measures varies with the headings it draws.
    units = np.array(["u1"] * 3 + ["u2"] * 1 + ["u3"] * 2 + ["u4"] * 4)
    y = np.array([1, 1, 1, 1, 0, 1, 0, 0, 0, 1], dtype=float)
    labels = np.array(["A"] * 4 + ["B"] * 6)  # u1, u2 in A; u3, u4 in B

    def diff(lab: np.ndarray) -> float:
        return float(y[lab == "A"].mean() - y[lab == "B"].mean())

    null = []
    for pair in itertools.combinations(["u1", "u2", "u3", "u4"], 2):
        lab = np.where(np.isin(units, pair), "A", "B")
        null.append(diff(lab))
    res = inference.permutation(labels, diff, n_resamples=999, units=units)
    assert res.statistic == pytest.approx(diff(labels))  # 4/4 − 2/6
    assert sorted(np.round(res.null, 12)) == sorted(np.round(null, 12))
    assert res.p_value == pytest.approx(exact_two_sided(null, diff(labels)))
    # the measure-level test of the same data draws from C(10, 4) = 210 splits instead
    assert len(inference.permutation(labels, diff, n_resamples=999).null) == 210


def test_a_unit_across_two_groups_is_refused() -> None:
    with pytest.raises(ValueError, match="spans two groups"):
        inference.permutation(np.array(["A", "B"]), lambda lab: 0.0, units=np.array(["u", "u"]))


def test_unit_splits_and_too_few_units() -> None:
    labels = np.array(["A"] * 6 + ["B"] * 4)
    units = np.array(["a1", "a1", "a2", "a2", "a3", "a3", "b1", "b1", "b2", "b2"])
    assert inference.unit_splits(labels) == pytest.approx(math.comb(10, 4))
    assert inference.unit_splits(labels, units) == pytest.approx(math.comb(5, 2))  # 10 splits of 5 headings
    # 10 splits: the smallest two-sided p is 2/10 and the one-sided 1/10, neither below 0.05
    assert inference.too_few_units(labels, units) and inference.too_few_units(labels, units, alternative="less")
    assert not inference.too_few_units(labels)
    assert families.comparison_gap(labels, units) is not None and families.comparison_gap(labels) is None


def _clustered_null_rejections(units_test: bool, n_sets: int = 200) -> float:
    """Share of data sets rejected at 0.05 where the two sources do not differ but headings do:
    each heading's rate is 0.1 or 0.9 at random, its five measures drawn from it."""
    rng = np.random.default_rng(7)
    units = np.repeat(np.arange(12), 5)
    labels = np.where(units < 6, 0, 1)  # headings 0–5 in source 0, 6–11 in source 1
    rejected = 0
    for i in range(n_sets):
        rate = rng.choice([0.1, 0.9], size=12)
        y = (rng.random(60) < rate[units]).astype(float)
        res = inference.permutation(labels, lambda lab, y=y: float(y[lab == 0].mean() - y[lab == 1].mean()),
                                    n_resamples=199, seed=i, units=units if units_test else None)
        rejected += res.p_value < 0.05
    return rejected / n_sets


def test_measure_shuffling_is_anti_conservative_where_the_block_test_is_not() -> None:
    # A design where measures of one heading share their rate and the sources do not differ: a test
    # that shuffles single measures rejects far more often than its 5% (it takes the headings' spread
    # for a difference of sources); shuffling whole headings keeps the error near 5%.
    # (Seeded: 55 and 7 of 200 data sets.)
    by_measure = _clustered_null_rejections(units_test=False)
    by_heading = _clustered_null_rejections(units_test=True)
    assert by_measure > 4 * 0.05
    assert by_heading <= 0.09


def test_mix_test_with_units_recomputes_chi2_from_each_shuffles_margins() -> None:
    sources = np.array(["A"] * 5 + ["B"] * 4 + ["C"] * 6)
    primary = np.array(list("xxyzx") + list("yyzz") + list("xzzyyx"))
    units = np.array(["a1", "a1", "a2", "a2", "a2", "b1", "b1", "b2", "b2", "c1", "c1", "c2", "c2", "c3", "c3"])
    res = shares.mix_test(primary, sources, n_resamples=999, units=units)
    assert res.statistic == pytest.approx(chi2_contingency(pd.crosstab(sources, primary).to_numpy(),
                                                           correction=False).statistic)
    # 7 headings split 2/2/3 among the sources: 7!/(2!2!3!) = 210 relabellings, every one enumerated;
    # each shuffle's χ² is chi2_contingency's of the table it makes
    assert len(res.null) == 210
    per_unit = {"a1": "A", "a2": "A", "b1": "B", "b2": "B", "c1": "C", "c2": "C", "c3": "C"}
    moved = dict(per_unit, a2="C", c3="A")
    lab = np.array([moved[u] for u in units])
    chi = chi2_contingency(pd.crosstab(lab, primary).to_numpy(), correction=False).statistic
    assert np.isclose(np.asarray(res.null, dtype=float), chi).any()


def test_heading_sign_test_exact_known_answers() -> None:
    from bizenv_analysis.analysis.findings import heading_sign_test
    # five headings all leaning one way: of 2^5 = 32 sign patterns only the observed one sums as high
    assert heading_sign_test(np.array([1.0, 2.0, 1.0, 3.0, 1.0]), n_resamples=9999) == pytest.approx(1 / 32)
    # balanced headings: half the patterns sum at least as high (0 and its mirror included)
    assert heading_sign_test(np.array([1.0, -1.0]), n_resamples=9999) == pytest.approx(3 / 4)
