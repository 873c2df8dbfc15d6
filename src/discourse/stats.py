"""Statistics shared by themes, topics and tracking.

Bootstrap intervals resample *documents* within each group (a cluster bootstrap: a
speech is the unit that was sampled, not a word), with a seeded NumPy generator so
that the same inputs and seed give identical intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["bootstrap_ratios", "group_seed"]


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
        den = np.broadcast_to(den[:, None], num.shape)
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
        # weights[b, i] = times document i is drawn in replicate b
        draws = rng.integers(0, n, size=(n_boot, n))
        weights = np.zeros((n_boot, n))
        np.add.at(weights, (np.repeat(np.arange(n_boot), n), draws.ravel()), 1.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps = (weights @ gnum) / (weights @ gden)
        lo[g] = np.nanquantile(reps, alpha, axis=0) if n > 1 else est[g]
        hi[g] = np.nanquantile(reps, 1 - alpha, axis=0) if n > 1 else est[g]
    return est, lo, hi, sizes

