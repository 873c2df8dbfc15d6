"""Tests of the statistical building blocks in discourse.stats, against known values."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats as sps

from discourse.stats import (
    bh_adjust,
    bootstrap_ratio_difference,
    bootstrap_ratios,
    log_odds_dirichlet,
    permutation_test_ratio,
    two_proportion_test,
)

# --- two proportions ------------------------------------------------------------------


def test_z_test_matches_chi_square_without_correction():
    x1, n1, x2, n2 = [12, 30, 7], [100, 120, 50], [25, 28, 20], [90, 110, 60]
    diff, p, used = two_proportion_test(x1, n1, x2, n2, method="z")
    for i in range(3):
        table = [[x1[i], n1[i] - x1[i]], [x2[i], n2[i] - x2[i]]]
        expected = sps.chi2_contingency(table, correction=False).pvalue
        assert p[i] == pytest.approx(expected, rel=1e-10)
        assert diff[i] == pytest.approx(x2[i] / n2[i] - x1[i] / n1[i])
    assert list(used) == ["z", "z", "z"]


def test_hand_computed_z_test():
    # p1 = .1, p2 = .25, pooled .175: se = sqrt(.175 * .825 * (2/100)) = .053736, z = 2.7914
    _, p, _ = two_proportion_test(10, 100, 25, 100)
    assert p[0] == pytest.approx(2 * sps.norm.sf(0.15 / np.sqrt(0.175 * 0.825 * 0.02)))
    assert p[0] == pytest.approx(0.00525, abs=5e-5)


def test_auto_uses_fisher_for_small_counts():
    diff, p, used = two_proportion_test([1, 40], [10, 100], [6, 60], [10, 100])
    assert used[0] == "fisher" and used[1] == "z"
    assert p[0] == pytest.approx(sps.fisher_exact([[1, 9], [6, 4]]).pvalue)
    assert diff[0] == pytest.approx(0.5)


def test_degenerate_proportions():
    diff, p, used = two_proportion_test([0, 5, 1], [10, 5, 0], [0, 8, 1], [12, 8, 3])
    assert p[0] == 1.0 and diff[0] == 0.0  # both zero: no evidence of change
    assert p[1] == 1.0  # both one
    assert np.isnan(p[2]) and used[2] == ""  # no trials in the first group


# --- permutation test ------------------------------------------------------------------


def test_permutation_test_approaches_exact_enumeration():
    num_a = np.array([1.0, 0.0, 2.0, 0.0])
    den_a = np.array([10.0, 12.0, 9.0, 11.0])
    num_b = np.array([3.0, 4.0, 2.0])
    den_b = np.array([10.0, 11.0, 12.0])
    num, den = np.r_[num_a, num_b], np.r_[den_a, den_b]
    obs = num_b.sum() / den_b.sum() - num_a.sum() / den_a.sum()
    stats_ = []
    for a_idx in itertools.combinations(range(7), 4):
        a = np.zeros(7, bool)
        a[list(a_idx)] = True
        stats_.append(num[~a].sum() / den[~a].sum() - num[a].sum() / den[a].sum())
    exact = np.mean(np.abs(stats_) >= abs(obs) - 1e-12)
    diff, p = permutation_test_ratio(num_a, den_a, num_b, den_b, n_perm=20000, seed=1)
    assert diff[0] == pytest.approx(obs)
    assert p[0] == pytest.approx(exact, abs=0.01)


def test_permutation_test_columns_and_seed():
    rng = np.random.default_rng(0)
    a = rng.poisson(2, size=(40, 3)).astype(float)
    b = rng.poisson(2, size=(40, 3)).astype(float)
    b[:, 0] += 3  # only the first column changes
    d1, p1 = permutation_test_ratio(a, np.full(40, 100.0), b, np.full(40, 100.0), n_perm=500)
    d2, p2 = permutation_test_ratio(a, np.full(40, 100.0), b, np.full(40, 100.0), n_perm=500)
    np.testing.assert_array_equal(p1, p2)
    assert p1[0] == pytest.approx(1 / 501) and p1[1] > 0.05 and p1[2] > 0.05
    assert d1[0] > 0


# --- Benjamini-Hochberg --------------------------------------------------------------


def test_bh_matches_hand_values_and_scipy():
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # sorted .01 .03 .04 .5 -> .04, .06, .0533, .5 -> cumulative min from the top
    np.testing.assert_allclose(bh_adjust(p), [0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    rng = np.random.default_rng(3)
    p = rng.uniform(size=50) ** 3
    np.testing.assert_allclose(bh_adjust(p), sps.false_discovery_control(p, method="bh"))


def test_bh_ignores_nan_and_keeps_shape():
    p = np.array([[0.01, np.nan], [0.02, 0.9]])
    q = bh_adjust(p)
    assert q.shape == (2, 2) and np.isnan(q[0, 1])
    np.testing.assert_allclose(q[~np.isnan(q)], bh_adjust([0.01, 0.02, 0.9]))


# --- log-odds with a Dirichlet prior ---------------------------------------------------


def test_log_odds_hand_computed():
    counts = np.array([[10.0, 0.0, 5.0], [2.0, 8.0, 5.0]])
    delta, z = log_odds_dirichlet(counts, prior=np.array([1.0, 1.0, 1.0]))
    # group 0, word 0: y=10, a=1, n=15, a0=3; rest y=2, n=15
    d00 = np.log(11 / (15 + 3 - 11)) - np.log(3 / (15 + 3 - 3))
    assert delta[0, 0] == pytest.approx(d00)
    assert z[0, 0] == pytest.approx(d00 / np.sqrt(1 / 11 + 1 / 3))
    # two groups: each is the mirror of the other
    np.testing.assert_allclose(delta[1], -delta[0])
    assert z[0, 1] < 0 and z[1, 1] > 0


def test_log_odds_informative_prior_scales_with_corpus():
    counts = np.array([[30.0, 10.0], [10.0, 30.0], [20.0, 20.0]])
    delta, z = log_odds_dirichlet(counts, prior=0.1)
    a = 0.1 * counts.sum(0)
    y, yr = counts[0, 0], counts.sum(0)[0] - counts[0, 0]
    n, nr = 40.0, 80.0
    expected = np.log((y + a[0]) / (n + a.sum() - y - a[0])) - np.log(
        (yr + a[0]) / (nr + a.sum() - yr - a[0])
    )
    assert delta[0, 0] == pytest.approx(expected)
    assert z[2, 0] == pytest.approx(0.0, abs=1e-12)  # the middle group is like the rest
    with pytest.raises(ValueError, match="positive"):
        log_odds_dirichlet(counts, prior=0)


# --- bootstrap of a difference ---------------------------------------------------------


def test_bootstrap_difference_estimate_interval_and_seed():
    rng = np.random.default_rng(0)
    num_a = rng.poisson(1.0, size=(200, 2)).astype(float)
    num_b = rng.poisson(2.0, size=(200, 2)).astype(float)
    den = np.full(200, 100.0)
    est, lo, hi = bootstrap_ratio_difference(num_a, den, num_b, den, n_boot=400, seed=5)
    np.testing.assert_allclose(est, num_b.sum(0) / 2e4 - num_a.sum(0) / 2e4)
    assert np.all(lo < est) and np.all(est < hi)
    assert np.all(lo > 0)  # the true difference (0.01) is well away from zero
    again = bootstrap_ratio_difference(num_a, den, num_b, den, n_boot=400, seed=5)
    np.testing.assert_array_equal(again[1], lo)
    other = bootstrap_ratio_difference(num_a, den, num_b, den, n_boot=400, seed=6)
    assert not np.array_equal(other[1], lo)


def test_bootstrap_difference_agrees_with_bootstrap_ratios_spread():
    # The interval of b - a is wider than each group's own interval.
    rng = np.random.default_rng(2)
    num = rng.poisson(3.0, size=(100, 1)).astype(float)
    den = np.full(100, 50.0)
    _, lo1, hi1, _ = bootstrap_ratios(num[:50], den[:50], np.zeros(50, int), n_boot=500)
    _, lo, hi = bootstrap_ratio_difference(num[:50], den[:50], num[50:], den[50:], n_boot=500)
    assert (hi - lo)[0] > (hi1 - lo1)[0, 0]


def test_bootstrap_difference_ratio_and_degenerate_cases():
    ones = np.ones(3)
    est, lo, hi = bootstrap_ratio_difference(
        np.full((3, 1), 2.0), ones, np.full((3, 1), 4.0), ones, statistic="ratio"
    )
    assert est[0] == 2.0 and lo[0] == 2.0 and hi[0] == 2.0  # constant data: no spread
    est, lo, hi = bootstrap_ratio_difference(np.zeros((2, 1)), ones[:2], np.ones((2, 1)),
                                             ones[:2], statistic="ratio")
    assert np.isinf(est[0]) and np.isnan(lo[0])
    est, lo, hi = bootstrap_ratio_difference(np.ones((2, 1)), ones[:2], np.ones((2, 1)),
                                             ones[:2], n_boot=0)
    assert est[0] == 0.0 and np.isnan(lo[0])
    with pytest.raises(ValueError, match="statistic"):
        bootstrap_ratio_difference(ones, ones, ones, ones, statistic="odds")
