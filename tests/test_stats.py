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
    ratio_intervals,
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
    # 4 + 3 documents: all C(7, 4) = 35 splits enumerated. Column 0: a rise in the rate
    # (3 of 35 splits as extreme, the observed one included);
    # column 1: barely a change (24 of 35 splits as extreme)
    num_a = np.array([[1.0, 1.0], [0.0, 0.0], [2.0, 1.0], [0.0, 1.0]])
    den_a = np.array([10.0, 12.0, 9.0, 11.0])
    num_b = np.array([[3.0, 1.0], [4.0, 0.0], [2.0, 1.0]])
    den_b = np.array([10.0, 11.0, 12.0])
    num, den = np.r_[num_a, num_b], np.r_[den_a, den_b]
    obs = num_b.sum(0) / den_b.sum() - num_a.sum(0) / den_a.sum()
    stats_ = []
    for a_idx in itertools.combinations(range(7), 4):
        a = np.zeros(7, bool)
        a[list(a_idx)] = True
        stats_.append(num[~a].sum(0) / den[~a].sum() - num[a].sum(0) / den[a].sum())
    exact = np.mean(np.abs(stats_) >= np.abs(obs) - 1e-12, axis=0)
    assert exact.tolist() == [pytest.approx(3 / 35), pytest.approx(24 / 35)]
    n_perm = 20000
    diff, p = permutation_test_ratio(num_a, den_a, num_b, den_b, n_perm=n_perm, seed=1)
    np.testing.assert_allclose(diff, obs)
    # the estimate (1 + b) / (n_perm + 1) has Monte-Carlo standard error
    # sqrt(p (1 - p) / n_perm): 0.0020 and 0.0033 here; allow 4 of them
    se = np.sqrt(exact * (1 - exact) / n_perm)
    assert np.all(np.abs(p - exact) <= 4 * se + 1 / (n_perm + 1)), (p, exact, se)


def test_permutation_test_columns_and_seed():
    rng = np.random.default_rng(0)
    a = rng.poisson(2, size=(40, 3)).astype(float)
    b = rng.poisson(2, size=(40, 3)).astype(float)
    b[:, 0] += 3  # only the first column changes
    d1, p1 = permutation_test_ratio(a, np.full(40, 100.0), b, np.full(40, 100.0), n_perm=500)
    d2, p2 = permutation_test_ratio(a, np.full(40, 100.0), b, np.full(40, 100.0), n_perm=500)
    np.testing.assert_array_equal(p1, p2)
    np.testing.assert_allclose(d1, b.sum(0) / 4000 - a.sum(0) / 4000)
    assert p1[0] == pytest.approx(1 / 501)  # no permutation comes near a rise of 3 per doc
    # the unchanged columns: each column is its own test on the same permutations, so
    # it equals the test of that column alone; and it agrees, within Monte-Carlo error,
    # with a 20,000-permutation reference (standard error sqrt(p (1 - p) / 500) <= 0.022)
    for j in (1, 2):
        _, alone = permutation_test_ratio(a[:, j], np.full(40, 100.0), b[:, j], np.full(40, 100.0),
                                          n_perm=500)
        assert alone[0] == p1[j]
        _, ref = permutation_test_ratio(a[:, j], np.full(40, 100.0), b[:, j], np.full(40, 100.0),
                                        n_perm=20000, seed=9)
        assert abs(p1[j] - ref[0]) <= 4 * np.sqrt(ref[0] * (1 - ref[0]) / 500)
        assert ref[0] > 0.05
    other = permutation_test_ratio(a, np.full(40, 100.0), b, np.full(40, 100.0), n_perm=500, seed=1)[1]
    assert not np.array_equal(other[1:], p1[1:])


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


# --- bootstrap against scipy.stats.bootstrap -------------------------------------------


def _quantile_mc_se(replicates: np.ndarray, prob: float) -> float:
    """Monte-Carlo standard error of the ``prob`` quantile of ``len(replicates)`` draws.

    ``sqrt(p (1 - p) / B) / f(q)``, the density ``f`` at the quantile read from the
    replicates (the probability mass 0.04 around it over the width it spans).
    """
    lo, hi = np.quantile(replicates, [prob - 0.02, prob + 0.02])
    return np.sqrt(prob * (1 - prob) / len(replicates)) * (hi - lo) / 0.04


@pytest.fixture(scope="module")
def clustered_docs():
    """60 documents of 100-800 tokens; mentions cluster (negative binomial, dispersion 3)."""
    rng = np.random.default_rng(42)
    tokens = rng.integers(100, 801, size=60).astype(float)
    mu = tokens * 3 / 1000
    counts = rng.negative_binomial(1 / 2, 1 / (1 + 2 * mu)).astype(float)
    return counts, tokens


def test_bootstrap_ratios_agree_with_scipy_bootstrap(clustered_docs):
    counts, tokens = clustered_docs
    num = np.column_stack([counts, (counts > 0).astype(float)])
    B = 20000
    est, lo, hi, n = bootstrap_ratios(num, tokens, np.zeros(60, int), n_boot=B, seed=7)
    assert n.tolist() == [60]
    np.testing.assert_allclose(est[0], num.sum(0) / tokens.sum())
    for j in range(2):
        res = sps.bootstrap(
            (np.arange(60),), lambda i, axis=-1, j=j: num[i, j].sum(axis) / tokens[i].sum(axis),
            vectorized=True, method="percentile", n_resamples=B, rng=np.random.default_rng(11))
        reps = res.bootstrap_distribution
        # both are B-replicate estimates of the same percentile interval: they differ by
        # Monte-Carlo error only; allow 4 standard errors of the difference
        for ours, theirs, prob in ((lo[0, j], res.confidence_interval.low, 0.025),
                                   (hi[0, j], res.confidence_interval.high, 0.975)):
            se = np.sqrt(2) * _quantile_mc_se(reps, prob)
            assert abs(ours - theirs) <= 4 * se, (j, prob, ours, theirs, se)
            assert se < 0.02 * abs(theirs)  # and that error is small: the check has teeth


def test_bootstrap_ratio_difference_agrees_with_scipy_bootstrap(clustered_docs):
    counts, tokens = clustered_docs
    a, b = slice(0, 25), slice(25, 60)  # groups of different sizes
    B = 20000
    est, lo, hi = bootstrap_ratio_difference(counts[a], tokens[a], counts[b], tokens[b],
                                             n_boot=B, seed=2)
    ca, ta, cb, tb = counts[a], tokens[a], counts[b], tokens[b]

    def diff(ia, ib, axis=-1):
        return cb[ib].sum(axis) / tb[ib].sum(axis) - ca[ia].sum(axis) / ta[ia].sum(axis)

    res = sps.bootstrap((np.arange(25), np.arange(35)), diff, vectorized=True,
                        method="percentile", n_resamples=B, rng=np.random.default_rng(5))
    assert est[0] == pytest.approx(cb.sum() / tb.sum() - ca.sum() / ta.sum())
    reps = res.bootstrap_distribution
    for ours, theirs, prob in ((lo[0], res.confidence_interval.low, 0.025),
                               (hi[0], res.confidence_interval.high, 0.975)):
        assert abs(ours - theirs) <= 4 * np.sqrt(2) * _quantile_mc_se(reps, prob)


# --- closed-form level intervals ----------------------------------------------------------


def test_ratio_intervals_share_of_documents_is_wilson():
    x = np.array([0, 1, 3, 7, 10])
    n = 10
    num = np.concatenate([np.r_[np.ones(k), np.zeros(n - k)] for k in x])
    groups = np.repeat(np.arange(len(x)), n)
    for level in (0.95, 0.9):
        est, lo, hi, sizes = ratio_intervals(num, np.ones(len(num)), groups, kind="share",
                                             level=level)
        assert sizes.tolist() == [10] * 5
        np.testing.assert_allclose(est[:, 0], x / n)
        for g, k in enumerate(x):
            ci = sps.binomtest(int(k), n).proportion_ci(level, method="wilson")
            assert lo[g, 0] == pytest.approx(ci.low, abs=1e-12)
            assert hi[g, 0] == pytest.approx(ci.high, abs=1e-12)
    # one document: still a Wilson interval (a binomial count of 1)
    _, lo, hi, _ = ratio_intervals([1.0], [1.0], [0], kind="share")
    ci = sps.binomtest(1, 1).proportion_ci(0.95, method="wilson")
    assert (lo[0, 0], hi[0, 0]) == (pytest.approx(ci.low), 1.0)


def test_ratio_intervals_rate_by_hand():
    y = np.array([0.0, 3.0, 1.0, 0.0, 4.0])
    t = np.array([200.0, 300.0, 100.0, 250.0, 150.0])
    est, lo, hi, n = ratio_intervals(y, t, np.zeros(5, int), kind="rate")
    Y, T = 8.0, 1000.0
    R = Y / T
    phi = 5 / 4 * np.sum((y - R * t) ** 2) / (R * T)  # cluster variance / Poisson variance
    q = sps.t.ppf(0.975, 4)
    half = q * np.sqrt(phi * Y + q**2 * phi**2 / 4)
    assert est[0, 0] == R and n.tolist() == [5]
    assert lo[0, 0] == pytest.approx((Y + q**2 * phi / 2 - half) / T, rel=1e-12)
    assert hi[0, 0] == pytest.approx((Y + q**2 * phi / 2 + half) / T, rel=1e-12)
    # the interval is the set of rates the score test (Y - rT)^2 <= q^2 phi r T keeps
    for r in (lo[0, 0], hi[0, 0]):
        assert (Y - r * T) ** 2 == pytest.approx(q**2 * phi * r * T, rel=1e-9)


def test_ratio_intervals_edge_cases():
    y = np.array([[0.0, 2.0], [0.0, 0.0], [0.0, 5.0]])
    t = np.array([100.0, 300.0, 600.0])
    est, lo, hi, _ = ratio_intervals(y, t, np.array([0, 0, 1]), kind="rate")
    q = sps.t.ppf(0.975, 1)
    # absent theme: [0, q^2 / T] (Poisson dispersion assumed: nothing to measure it on)
    assert (est[0, 0], lo[0, 0], hi[0, 0]) == (0.0, 0.0, pytest.approx(q**2 / 400))
    # a group of one document has no between-document spread: no interval
    assert est[1, 1] == 5 / 600 and np.isnan(lo[1, 1]) and np.isnan(hi[1, 1])
    # a group without tokens, an empty group (n_groups=3)
    est, lo, hi, n = ratio_intervals([[1.0], [0.0]], [0.0, 0.0], [0, 0], n_groups=3)
    assert np.isnan(est).all() and np.isnan(lo).all() and n.tolist() == [2, 0, 0]
    with pytest.raises(ValueError, match="kind"):
        ratio_intervals([1.0], [1.0], [0], kind="odds")
    with pytest.raises(ValueError, match="level"):
        ratio_intervals([1.0], [1.0], [0], level=95)


def test_ratio_intervals_clustered_unit_share_uses_the_design_effect():
    # sentences holding a theme / sentences, per document
    x = np.array([0.0, 5.0, 1.0, 0.0, 6.0, 2.0])
    m = np.array([10.0, 8.0, 12.0, 9.0, 7.0, 14.0])
    est, lo, hi, _ = ratio_intervals(x, m, np.zeros(6, int), kind="share")
    X, N = x.sum(), m.sum()
    p = X / N
    deff = 6 / 5 * np.sum((x - p * m) ** 2) / (N * p * (1 - p))
    assert deff > 2  # sentences of one speech go together: far from binomial
    q, v = sps.t.ppf(0.975, 5), deff / N
    centre = (p + q**2 * v / 2) / (1 + q**2 * v)
    half = q * np.sqrt(v * p * (1 - p) + q**2 * v**2 / 4) / (1 + q**2 * v)
    assert lo[0, 0] == pytest.approx(centre - half, rel=1e-12)
    assert hi[0, 0] == pytest.approx(centre + half, rel=1e-12)


def test_ratio_intervals_match_the_cluster_bootstrap_on_large_groups(clustered_docs):
    # with many documents both estimate the same cluster variance: the widths agree
    counts, tokens = clustered_docs
    big_c, big_t = np.tile(counts, 8), np.tile(tokens, 8)  # 480 documents
    groups = np.zeros(len(big_c), int)
    _, lo, hi, _ = ratio_intervals(big_c, big_t, groups, kind="rate")
    _, blo, bhi, _ = bootstrap_ratios(big_c, big_t, groups, n_boot=4000, seed=1)
    assert (hi - lo)[0, 0] == pytest.approx((bhi - blo)[0, 0], rel=0.06)
