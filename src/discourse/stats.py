"""Statistics shared by themes, topics and tracking.

The level of a theme in a group (a share of documents, a rate per token) has a
closed-form interval that holds its level on small groups and rare themes
(:func:`ratio_intervals`: Wilson score intervals for shares, quasi-Poisson score
intervals for rates, with the dispersion measured between *documents*). Changes between
two groups have bootstrap intervals that resample *documents* within each group (a
cluster bootstrap: a speech is the unit that was sampled, not a word), with a seeded
NumPy generator so that the same inputs and seed give identical intervals.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import stats as _sps

__all__ = [
    "ratio_intervals",
    "ratio_intervals_from_sums",
    "bootstrap_ratios",
    "bootstrap_ratio_difference",
    "difference_interval",
    "group_seed",
    "two_proportion_test",
    "permutation_test_ratio",
    "bh_adjust",
    "log_odds_dirichlet",
]


def group_seed(seed: int, index: int) -> np.random.Generator:
    """Return the generator for the ``index``-th group of a seeded computation.

    Each group gets its own stream (``SeedSequence(seed).spawn``-like keys), so adding a
    group does not change the intervals of the others.
    """
    return np.random.default_rng(np.random.SeedSequence([int(seed), int(index)]))


def bootstrap_ratios(
    numerators: np.ndarray,
    denominators: np.ndarray,
    groups: np.ndarray,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ratio estimates ``sum(num) / sum(den)`` per group, with percentile bootstrap intervals.

    Documents are resampled with replacement within each group; every column of
    ``numerators`` is computed on the same resamples (so intervals of several themes
    in one group are mutually consistent).

    Parameters
    ----------
    numerators : ndarray of shape (n_docs, n_features)
        Per-document numerators (e.g. theme counts, or 0/1 indicators).
    denominators : ndarray of shape (n_docs,) or (n_docs, n_features)
        Per-document denominators (e.g. token counts, or ones for shares).
    groups : ndarray of shape (n_docs,)
        Integer group codes ``0..n_groups-1`` (e.g. from :func:`pandas.factorize`).
    n_boot : int, default 1000
        Bootstrap replicates. ``0`` skips the intervals (returned as NaN).
    level : float, default 0.95
        Confidence level of the percentile interval.
    seed : int, default 0

    Returns
    -------
    estimate, low, high : ndarray of shape (n_groups, n_features)
    n : ndarray of shape (n_groups,)
        Documents per group.

    Notes
    -----
    A group of one document has a degenerate interval (low == high == estimate); a
    group whose denominators sum to zero gives NaN.
    """
    num = np.asarray(numerators, dtype=float)
    if num.ndim == 1:
        num = num[:, None]
    den = np.asarray(denominators, dtype=float)
    if den.ndim == 1:
        den = den[:, None]  # broadcast over features after the sums
    groups = np.asarray(groups)
    if not (0 < level < 1):
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    n_groups = int(groups.max()) + 1 if len(groups) else 0
    n_feat = num.shape[1]
    est = np.full((n_groups, n_feat), np.nan)
    lo = np.full((n_groups, n_feat), np.nan)
    hi = np.full((n_groups, n_feat), np.nan)
    sizes = np.bincount(groups, minlength=n_groups) if len(groups) else np.zeros(0, int)
    alpha = (1 - level) / 2
    order = np.argsort(groups, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for g in range(n_groups):
        idx = order[bounds[g] : bounds[g + 1]]
        if len(idx) == 0:
            continue
        gnum, gden = num[idx], den[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            est[g] = gnum.sum(0) / gden.sum(0)
        if n_boot <= 0:
            continue
        n = len(idx)
        rng = group_seed(seed, g)
        weights = _resample_weights(rng, n_boot, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps = (weights @ gnum) / (weights @ gden)
        lo[g] = np.nanquantile(reps, alpha, axis=0) if n > 1 else est[g]
        hi[g] = np.nanquantile(reps, 1 - alpha, axis=0) if n > 1 else est[g]
    return est, lo, hi, sizes



# --- level of a ratio in each group: count-model intervals ----------------------------

_RATIO_KINDS = ("rate", "share")


def _group_sums(values: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Column sums of ``values`` (n_docs x n_features) within each group."""
    out = np.zeros((n_groups, values.shape[1]))
    np.add.at(out, groups, values)
    return out


def ratio_intervals(
    numerators: np.ndarray,
    denominators: np.ndarray,
    groups: np.ndarray,
    *,
    kind: str = "rate",
    level: float = 0.95,
    n_groups: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ratio estimates ``sum(num) / sum(den)`` per group, with score intervals.

    The one implementation of the level intervals of :func:`discourse.theme_frequencies`
    (and so of :func:`discourse.track_themes`). Documents are the sampled units: the
    spread of the ratio is measured between the documents of a group (the cluster, or
    sandwich, variance ``sum((num_i - R den_i)^2) / sum(den)^2``), and the interval is
    the score interval of a count model with that variance, which stays inside the
    range of the ratio and holds its level for rare themes, where percentile bootstrap
    intervals do not (a theme seen in no document of a group has a bootstrap interval
    of [0, 0]). Coverage measured on synthetic corpora is in ``docs/tracking.md``.

    Parameters
    ----------
    numerators : ndarray of shape (n_docs, n_features) or (n_docs,)
        Per-document numerators (theme counts, 0/1 indicators, units holding a theme).
    denominators : ndarray of shape (n_docs,) or (n_docs, n_features)
        Per-document denominators (token counts, ones for shares of documents, units).
    groups : ndarray of shape (n_docs,)
        Integer group codes ``0..n_groups-1``.
    kind : {"rate", "share"}, default "rate"
        ``"rate"``: a rate per token, score interval of a quasi-Poisson count (see
        Notes). ``"share"``: a proportion in [0, 1], Wilson score interval;
        with 0/1 numerators and unit denominators (a share of documents) it is the
        plain Wilson interval of a binomial count, otherwise (units clustered in
        documents) the Wilson interval on the effective sample size ``T / deff``.
    level : float, default 0.95
        Confidence level.
    n_groups : int, optional
        Number of groups (default ``max(groups) + 1``); groups without documents give NaN.

    Returns
    -------
    estimate, low, high : ndarray of shape (n_groups, n_features)
    n : ndarray of shape (n_groups,)
        Documents per group.

    Notes
    -----
    For a group of ``n`` documents with numerators ``y_i``, denominators ``t_i``,
    totals ``Y`` and ``T`` and estimate ``R = Y / T``, the dispersion is the cluster
    variance of ``R`` over the variance the count model would give,

    - rate: ``phi = n / (n - 1) * sum((y_i - R t_i)^2) / (R T)`` (1 for Poisson
      counts; larger when a theme clusters in some speeches),
    - share: ``deff = n / (n - 1) * sum((y_i - R t_i)^2) / (T R (1 - R))`` (the
      design effect), or exactly 1 for a share of documents (0/1 numerators, unit
      denominators: a binomial count, nothing to estimate),

    taken as 1 where it cannot be estimated (``Y = 0``, or a share of 0 or 1). With
    ``q`` the ``(1 + level) / 2`` quantile of Student's t with ``n - 1`` degrees of
    freedom (of the normal distribution when nothing is estimated), the interval is the
    set of ratios ``r`` not rejected by the score test:

    - rate: ``(Y - r T)^2 <= q^2 phi r T``, i.e.
      ``r = (Y + q^2 phi / 2 +- q sqrt(phi Y + q^2 phi^2 / 4)) / T``;
    - share: ``(R - r)^2 <= q^2 v r (1 - r)`` with ``v = deff / T``, i.e.
      ``r = (R + q^2 v / 2 +- q sqrt(v R (1 - R) + q^2 v^2 / 4)) / (1 + q^2 v)``.

    A theme absent from a group (``Y = 0``) gets ``[0, q^2 / T]`` (rate) or
    ``[0, q^2 / (T + q^2)]`` (share). A group of one document has no between-document
    spread to measure: its interval is NaN, except for a share of documents (Wilson with
    ``n = 1``). A group whose denominators sum to 0 gives NaN.

    Examples
    --------
    >>> est, lo, hi, n = ratio_intervals([1, 0, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0], kind="share")
    >>> float(est[0, 0]), round(float(lo[0, 0]), 4), round(float(hi[0, 0]), 4)
    (0.75, 0.3006, 0.9544)
    """
    if kind not in _RATIO_KINDS:
        raise ValueError(f'kind must be "rate" or "share", not {kind!r}')
    if not (0 < level < 1):
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    num = _as_2d(numerators)
    den = np.asarray(denominators, dtype=float)
    den2 = den[:, None] if den.ndim == 1 else den
    if den2.shape[0] != num.shape[0]:
        raise ValueError(f"{den2.shape[0]} denominators for {num.shape[0]} numerator rows")
    groups = np.asarray(groups, dtype=np.int64)
    if n_groups is None:
        n_groups = int(groups.max()) + 1 if len(groups) else 0
    sizes = np.bincount(groups, minlength=n_groups) if len(groups) else np.zeros(n_groups, int)
    y_sum = _group_sums(num, groups, n_groups)
    t_sum = _group_sums(den2, groups, n_groups)
    if t_sum.shape[1] == 1:
        t_sum = np.repeat(t_sum, num.shape[1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(t_sum > 0, y_sum / t_sum, np.nan)
        resid = num - np.nan_to_num(est)[groups] * den2
    ss = _group_sums(resid**2, groups, n_groups)
    binomial = kind == "share" and bool(np.all(den == 1)) and bool(np.all((num == 0) | (num == 1)))
    lo, hi = ratio_intervals_from_sums(y_sum, t_sum, ss, sizes, kind=kind, level=level, binomial=binomial)
    return est, lo, hi, sizes


def ratio_intervals_from_sums(
    y_sum: np.ndarray,
    t_sum: np.ndarray,
    ss: np.ndarray,
    sizes: np.ndarray,
    *,
    kind: str = "rate",
    level: float = 0.95,
    binomial: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The intervals of :func:`ratio_intervals` from per-group sums (its second half).

    :func:`ratio_intervals` computes the sums from per-document values and calls this;
    the Dask path (``discourse.themes._dask``) computes the same sums partition by
    partition and calls it too, so both paths share one implementation.

    Parameters
    ----------
    y_sum, t_sum : ndarray of shape (n_groups, n_features)
        Group totals of numerators and denominators.
    ss : ndarray of shape (n_groups, n_features)
        ``sum((y_i - R t_i)^2)`` over the group's documents, ``R = y_sum / t_sum`` (0
        where ``t_sum`` is 0).
    sizes : ndarray of shape (n_groups,)
        Documents per group.
    kind, level
        As in :func:`ratio_intervals`.
    binomial : bool, default False
        Every numerator is 0 or 1 and every denominator 1 (a share of documents).

    Returns
    -------
    low, high : ndarray of shape (n_groups, n_features)
    """
    if kind not in _RATIO_KINDS:
        raise ValueError(f'kind must be "rate" or "share", not {kind!r}')
    y_sum = np.asarray(y_sum, dtype=float)
    t_sum = np.asarray(t_sum, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(t_sum > 0, y_sum / t_sum, np.nan)
    n_col = np.asarray(sizes)[:, None].astype(float)
    binomial = kind == "share" and binomial
    alpha = 1 - level
    if binomial:
        q = np.full(n_col.shape, _sps.norm.ppf(1 - alpha / 2))
        disp = np.ones_like(est)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            q = _sps.t.ppf(1 - alpha / 2, n_col - 1)
            scale = est * t_sum if kind == "rate" else t_sum * est * (1 - est)
            disp = n_col / (n_col - 1) * ss / scale
        disp = np.where(np.isfinite(disp) & (scale > 0), disp, 1.0)
    q2 = q**2
    with np.errstate(invalid="ignore", divide="ignore"):
        if kind == "rate":
            centre = y_sum + q2 * disp / 2
            half = q * np.sqrt(disp * y_sum + q2 * disp**2 / 4)
            lo, hi = (centre - half) / t_sum, (centre + half) / t_sum
        else:
            v = disp / t_sum
            centre = est + q2 * v / 2
            half = q * np.sqrt(v * est * (1 - est) + q2 * v**2 / 4)
            lo, hi = (centre - half) / (1 + q2 * v), (centre + half) / (1 + q2 * v)
    lo = np.where(y_sum == 0, 0.0, np.clip(lo, 0.0, None))
    lo = np.minimum(lo, est)
    hi = np.maximum(hi, est)
    if kind == "share":
        hi = np.where(est == 1, 1.0, np.minimum(hi, 1.0))
    undefined = ~np.isfinite(est) | (np.broadcast_to(n_col, est.shape) < (1 if binomial else 2))
    lo = np.where(undefined, np.nan, lo)
    hi = np.where(undefined, np.nan, hi)
    return lo, hi


# --- change between two groups -------------------------------------------------------


def _as_2d(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    return a[:, None] if a.ndim == 1 else a


def _ratio_parts(num, den):
    """Numerators as 2-D; denominators as 1-D (shared by all columns) or 2-D (per column)."""
    num = _as_2d(num)
    den = np.asarray(den, dtype=float)
    if den.ndim == 1:
        if den.shape[0] != num.shape[0]:
            raise ValueError(f"{den.shape[0]} denominators for {num.shape[0]} numerator rows")
        return num, den
    if den.shape != num.shape:
        raise ValueError(f"denominators of shape {den.shape} do not match numerators {num.shape}")
    return num, den


def _ratio(num_sum: np.ndarray, den_sum: np.ndarray) -> np.ndarray:
    """``num_sum / den_sum``, broadcasting a per-row denominator over the columns."""
    if den_sum.ndim < num_sum.ndim:
        den_sum = den_sum[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        return num_sum / den_sum


def _resample_weights(rng: np.random.Generator, n_boot: int, n: int) -> np.ndarray:
    """``w[b, i]`` = times document ``i`` is drawn in replicate ``b`` (n draws per replicate)."""
    draws = rng.integers(0, n, size=(n_boot, n))
    flat = (np.arange(n_boot)[:, None] * n + draws).ravel()
    return np.bincount(flat, minlength=n_boot * n).reshape(n_boot, n).astype(float)


def bootstrap_ratio_difference(
    num_a: np.ndarray,
    den_a: np.ndarray,
    num_b: np.ndarray,
    den_b: np.ndarray,
    *,
    statistic: str = "difference",
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    index: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bootstrap interval of the change of a ratio ``sum(num)/sum(den)`` from group a to b.

    Documents are resampled with replacement *within* each group independently (a
    cluster bootstrap, as in :func:`bootstrap_ratios`); every column of the numerators
    is computed on the same resamples.

    Parameters
    ----------
    num_a, num_b : ndarray of shape (n_a, n_features) and (n_b, n_features)
        Per-document numerators of the earlier (a) and later (b) group.
    den_a, den_b : ndarray of shape (n_a,) / (n_b,) or matching the numerators
        Per-document denominators (token counts, or ones for shares and means).
    statistic : {"difference", "ratio"}, default "difference"
        ``b - a`` or ``b / a``.
    n_boot : int, default 1000
        Replicates; ``0`` gives NaN intervals.
    level : float, default 0.95
    seed, index : int
        The generator is ``group_seed(seed, index)``: give each comparison its own
        ``index`` so that results do not depend on which other comparisons are run.

    Returns
    -------
    estimate, low, high : ndarray of shape (n_features,)
        Percentile interval. A group of one document contributes no sampling
        variation (it is resampled as itself).
    """
    if statistic not in ("difference", "ratio"):
        raise ValueError(f'statistic must be "difference" or "ratio", not {statistic!r}')
    if not (0 < level < 1):
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    na_, da_ = _ratio_parts(num_a, den_a)
    nb_, db_ = _ratio_parts(num_b, den_b)
    if na_.shape[1] != nb_.shape[1]:
        raise ValueError("both groups need the same number of features (columns)")

    def combine(ra, rb):
        with np.errstate(invalid="ignore", divide="ignore"):
            return rb - ra if statistic == "difference" else rb / ra

    est = combine(_ratio(na_.sum(0), da_.sum(0)), _ratio(nb_.sum(0), db_.sum(0)))
    n_feat = na_.shape[1]
    if n_boot <= 0 or len(na_) == 0 or len(nb_) == 0:
        return est, np.full(n_feat, np.nan), np.full(n_feat, np.nan)
    rng = group_seed(seed, index)

    def replicate(num, den):
        w = _resample_weights(rng, n_boot, len(num))
        return _ratio(w @ num, w @ den)

    reps = combine(replicate(na_, da_), replicate(nb_, db_))
    lo, hi = percentile_interval(reps, level)
    return est, lo, hi


def difference_interval(
    est_a: np.ndarray,
    low_a: np.ndarray,
    high_a: np.ndarray,
    est_b: np.ndarray,
    low_b: np.ndarray,
    high_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the difference ``b - a`` of two independent estimates from their own intervals.

    The MOVER construction (Method Of Variance Estimates Recovery; Newcombe 1998,
    method 10, for two proportions; Zou & Donner 2008 in general): each side of the
    difference takes the distance from each estimate to the bound of its own interval
    that moves the difference that way,

    ``low = d - sqrt((est_b - low_b)^2 + (high_a - est_a)^2)``,
    ``high = d + sqrt((high_b - est_b)^2 + (est_a - low_a)^2)``, ``d = est_b - est_a``.

    With the score intervals of :func:`ratio_intervals` (Wilson for shares of
    documents, quasi-Poisson for rates) it is the change interval of
    :func:`discourse.track_themes`: asymmetric where a level is near 0 (a theme absent
    from one group still has an upper bound there), so it holds its level for rare
    themes and groups of a few dozen documents, where the percentile bootstrap of
    :func:`bootstrap_ratio_difference` falls short (coverage in ``docs/tracking.md``).

    Parameters
    ----------
    est_a, low_a, high_a : array-like
        Estimate and interval of the earlier group (a).
    est_b, low_b, high_b : array-like
        Estimate and interval of the later group (b). All broadcast together.

    Returns
    -------
    low, high : ndarray
        NaN where either interval is.

    Examples
    --------
    Newcombe's (1998) worked example, 56 of 70 against 48 of 80 (his interval:
    0.0524 to 0.3339):

    >>> from discourse.stats import ratio_intervals
    >>> est, lo, hi, _ = ratio_intervals([1] * 48 + [0] * 32 + [1] * 56 + [0] * 14, [1] * 150,
    ...                                  [0] * 80 + [1] * 70, kind="share")
    >>> low, high = difference_interval(est[0], lo[0], hi[0], est[1], lo[1], hi[1])
    >>> round(float(low[0]), 4), round(float(high[0]), 4)
    (0.0524, 0.3339)
    """
    est_a, low_a, high_a, est_b, low_b, high_b = (
        np.asarray(v, dtype=float) for v in (est_a, low_a, high_a, est_b, low_b, high_b))
    d = est_b - est_a
    with np.errstate(invalid="ignore"):
        low = d - np.sqrt((est_b - low_b) ** 2 + (high_a - est_a) ** 2)
        high = d + np.sqrt((high_b - est_b) ** 2 + (est_a - low_a) ** 2)
    return low, high


def percentile_interval(reps: np.ndarray, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of bootstrap replicates (rows), non-finite replicates left out.

    The last step of :func:`bootstrap_ratio_difference`; the Dask path calls it on its
    Poisson-bootstrap replicates.
    """
    reps = np.where(np.isfinite(reps), reps, np.nan)
    alpha = (1 - level) / 2
    with warnings.catch_warnings():  # all-NaN columns (undefined ratios) give NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        lo = np.nanquantile(reps, alpha, axis=0)
        hi = np.nanquantile(reps, 1 - alpha, axis=0)
    return lo, hi


def two_proportion_test(
    x1: np.ndarray,
    n1: np.ndarray,
    x2: np.ndarray,
    n2: np.ndarray,
    *,
    method: str = "auto",
    min_expected: float = 5.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-sided test that two proportions ``x1/n1`` and ``x2/n2`` are equal.

    Parameters
    ----------
    x1, n1, x2, n2 : array-like of int
        Successes and trials of each group (broadcast together).
    method : {"auto", "z", "fisher"}, default "auto"
        ``"z"``: the pooled two-proportion z-test (no continuity correction).
        ``"fisher"``: Fisher's exact test on the 2x2 table. ``"auto"``: Fisher where any
        expected cell count is below ``min_expected``, the z-test elsewhere.
    min_expected : float, default 5

    Returns
    -------
    difference : ndarray
        ``x2/n2 - x1/n1``.
    pvalue : ndarray
        Two-sided p-value (1 when both proportions are 0 or both 1; NaN when a group
        has no trials).
    method_used : ndarray of str
        ``"z"``, ``"fisher"`` or ``""`` (no test).

    Examples
    --------
    >>> d, p, m = two_proportion_test(10, 100, 25, 100)
    >>> round(float(d[0]), 2), round(float(p[0]), 4), str(m[0])
    (0.15, 0.0052, 'z')
    """
    if method not in ("auto", "z", "fisher"):
        raise ValueError(f'method must be "auto", "z" or "fisher", not {method!r}')
    x1, n1, x2, n2 = (np.atleast_1d(np.asarray(v, dtype=float)) for v in (x1, n1, x2, n2))
    x1, n1, x2, n2 = np.broadcast_arrays(x1, n1, x2, n2)
    shape = x1.shape
    x1, n1, x2, n2 = (v.ravel() for v in (x1, n1, x2, n2))
    valid = (n1 > 0) & (n2 > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p1, p2 = x1 / n1, x2 / n2
        diff = p2 - p1
        pool = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        z = diff / se
    pz = 2 * _sps.norm.sf(np.abs(z))
    pz = np.where(valid & (se == 0), 1.0, pz)
    tot = n1 + n2
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.minimum.reduce(
            [n1 * (x1 + x2) / tot, n1 * (tot - x1 - x2) / tot,
             n2 * (x1 + x2) / tot, n2 * (tot - x1 - x2) / tot]
        )
    if method == "z":
        use_fisher = np.zeros(len(x1), bool)
    elif method == "fisher":
        use_fisher = valid.copy()
    else:
        use_fisher = valid & (expected < min_expected) & (se > 0)
    pvalue = np.where(valid, pz, np.nan)
    used = np.where(valid, "z", "").astype(object)
    for i in np.flatnonzero(use_fisher):
        table = [[x1[i], n1[i] - x1[i]], [x2[i], n2[i] - x2[i]]]
        pvalue[i] = _sps.fisher_exact(np.asarray(table, dtype=np.int64)).pvalue
        used[i] = "fisher"
    return diff.reshape(shape), np.minimum(pvalue, 1.0).reshape(shape), used.reshape(shape)


def permutation_test_ratio(
    num_a: np.ndarray,
    den_a: np.ndarray,
    num_b: np.ndarray,
    den_b: np.ndarray,
    *,
    n_perm: int = 1000,
    seed: int = 0,
    index: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided permutation test of a change in ``sum(num)/sum(den)`` between two groups.

    Documents (rows) are shuffled between the groups, keeping the group sizes; the
    statistic is the difference of ratios ``b - a``. Every column is tested on the same
    permutations. Because whole documents are permuted, the test respects that words
    cluster in documents (a Poisson test on word counts would not).

    Parameters
    ----------
    num_a, den_a, num_b, den_b : ndarray
        As in :func:`bootstrap_ratio_difference`.
    n_perm : int, default 1000
        Random permutations. The smallest attainable p-value is ``1 / (n_perm + 1)``.
    seed, index : int
        Generator ``group_seed(seed, index)``.

    Returns
    -------
    difference : ndarray of shape (n_features,)
    pvalue : ndarray of shape (n_features,)
        ``(1 + #{|T*| >= |T|}) / (n_perm + 1)`` (Phipson & Smyth 2010); NaN where the
        observed difference is undefined.
    """
    na_, da_ = _ratio_parts(num_a, den_a)
    nb_, db_ = _ratio_parts(num_b, den_b)
    if (da_.ndim == 1) != (db_.ndim == 1):
        da_ = da_ if da_.ndim == 2 else np.repeat(da_[:, None], na_.shape[1], axis=1)
        db_ = db_ if db_.ndim == 2 else np.repeat(db_[:, None], nb_.shape[1], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        obs = _ratio(nb_.sum(0), db_.sum(0)) - _ratio(na_.sum(0), da_.sum(0))
    n_feat = na_.shape[1]
    if n_perm <= 0 or len(na_) == 0 or len(nb_) == 0:
        return obs, np.full(n_feat, np.nan)
    num = np.vstack([na_, nb_])
    den = np.concatenate([da_, db_])
    n, k = len(num), len(na_)
    rng = group_seed(seed, index)
    labels = np.zeros(n)
    labels[:k] = 1.0
    in_a = rng.permuted(np.broadcast_to(labels, (n_perm, n)), axis=1)
    tot_num, tot_den = num.sum(0), den.sum(0)
    sa_num, sa_den = in_a @ num, in_a @ den
    perm = _ratio(tot_num - sa_num, tot_den - sa_den) - _ratio(sa_num, sa_den)
    return obs, permutation_pvalue(obs, perm)


def permutation_pvalue(obs: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Two-sided p-value ``(1 + #{|T*| >= |T|}) / (n + 1)`` of ``n`` replicate statistics.

    The last step of :func:`permutation_test_ratio`; the Dask path calls it on its
    relabelling replicates.
    """
    n_perm = perm.shape[0]
    # tolerance: ties in floating point count as "at least as extreme"
    tol = 1e-12 * np.maximum(1.0, np.abs(obs))
    extreme = np.abs(perm) >= np.abs(obs) - tol
    extreme &= np.isfinite(perm)
    p = (1 + extreme.sum(0)) / (n_perm + 1)
    return np.where(np.isfinite(obs), p, np.nan)


def bh_adjust(pvalues: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) controlling the false discovery rate.

    Parameters
    ----------
    pvalues : array-like
        Any shape; NaN entries are ignored (stay NaN) and do not count as tests.

    Returns
    -------
    ndarray
        Same shape: ``min over j >= i of p_(j) * m / j``, capped at 1. Rejecting where
        ``q <= alpha`` controls the FDR at ``alpha`` (for independent or positively
        dependent tests).

    Examples
    --------
    >>> bh_adjust([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(pvalues, dtype=float)
    flat = p.ravel()
    out = np.full(flat.shape, np.nan)
    ok = np.flatnonzero(~np.isnan(flat))
    m = len(ok)
    if m:
        order = ok[np.argsort(flat[ok], kind="stable")]
        ranked = flat[order] * m / np.arange(1, m + 1)
        ranked = np.minimum.accumulate(ranked[::-1])[::-1]
        out[order] = np.minimum(ranked, 1.0)
    return out.reshape(p.shape)


def log_odds_dirichlet(
    counts: np.ndarray,
    prior: np.ndarray | float = 0.01,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds ratios with an informative Dirichlet prior, each group vs the rest.

    Monroe, Colaresi & Quinn (2008), "Fightin' words", eq. 16-22: for group i and word
    w, with ``y`` the counts, ``a`` the prior pseudo-counts (``a0 = sum(a)``) and ``n``
    the group totals,

    ``delta_iw = log((y_iw + a_w) / (n_i + a0 - y_iw - a_w))
    - log((y_rw + a_w) / (n_r + a0 - y_rw - a_w))``

    where ``r`` is every other group pooled, with variance
    ``1 / (y_iw + a_w) + 1 / (y_rw + a_w)`` and ``z = delta / sqrt(variance)``.

    Parameters
    ----------
    counts : array-like of shape (n_groups, n_terms)
        Term counts per group (dense or scipy sparse).
    prior : float or array-like of shape (n_terms,), default 0.01
        A float ``s`` sets the informative prior ``a_w = s * (corpus count of w)``
        (the corpus-wide frequencies, scaled so that ``a0 = s * total tokens``); an
        array gives the pseudo-counts ``a_w`` directly (e.g. from a background corpus).

    Returns
    -------
    delta, z : ndarray of shape (n_groups, n_terms)
    """
    y = counts.toarray() if hasattr(counts, "toarray") else np.asarray(counts)
    y = np.asarray(y, dtype=float)
    if y.ndim != 2:
        raise ValueError("counts must be a 2-D (groups x terms) array")
    total_w = y.sum(0)
    if np.ndim(prior) == 0:
        if not float(prior) > 0:
            raise ValueError(f"prior must be positive, not {prior!r}")
        a = float(prior) * total_w
    else:
        a = np.asarray(prior, dtype=float)
        if a.shape != (y.shape[1],) or np.any(a <= 0):
            raise ValueError("an array prior needs one positive pseudo-count per term")
    a0 = a.sum()
    n_i = y.sum(1, keepdims=True)
    y_r = total_w[None, :] - y
    n_r = n_i.sum() - n_i
    with np.errstate(invalid="ignore", divide="ignore"):
        li = np.log(y + a) - np.log(n_i + a0 - y - a)
        lr = np.log(y_r + a) - np.log(n_r + a0 - y_r - a)
        delta = li - lr
        var = 1.0 / (y + a) + 1.0 / (y_r + a)
        z = delta / np.sqrt(var)
    return delta, z
