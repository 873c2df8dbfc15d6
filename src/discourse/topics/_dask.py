"""Topic models on a Dask corpus: a seeded sample to fit, the partitions to project.

:class:`discourse.TopicModel` calls these when given a Dask DataFrame:

- ``fit`` fits on a seeded sample of ``sample_size`` documents (default
  :data:`DEFAULT_SAMPLE_SIZE`): the documents whose hash-uniform draw from
  ``(random_state, doc_id)`` is among the ``sample_size`` smallest, in corpus order. The
  sample is the same whatever the partitioning; a corpus no larger than the sample is
  fitted whole, in its order, so the model is the one the pandas path fits.
- ``transform`` (a Dask array), ``doc_topics`` (a Dask DataFrame) project each
  partition with the fitted model (``TopicModel.transform`` on the partition);
- ``topic_prevalence`` sums the projected proportions per group in the partitions; the
  estimates are the pandas path's (means over the same documents), the intervals a
  Poisson bootstrap drawn from ``(seed, doc_id)`` (the pandas path resamples documents
  within groups: the two agree within Monte-Carlo error);
- :func:`discourse.track_topics` takes the levels from that ``topic_prevalence`` and
  the change step from per-group sums and replicate sums
  (:mod:`discourse._dask_tracking`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from discourse._dask import _uniform, compute, doc_keys, partitions, poisson_weights
from discourse.themes._dask import check_dask_corpus, pandas_strings

__all__ = ["DEFAULT_SAMPLE_SIZE", "dask_sample", "transform_dask", "doc_topics_dask",
           "topic_prevalence_dask", "track_topics_dask"]

#: Documents a Dask corpus is fitted on when ``fit(corpus, sample_size=None)``.
DEFAULT_SAMPLE_SIZE = 20_000
_SAMPLE_STREAM = 3_000_000
_PREVALENCE_STREAM = 4_000_000


def _smallest(part: pd.DataFrame, n: int, seed: int, index: int) -> pd.DataFrame:
    u = _uniform(doc_keys(part["doc_id"].to_numpy()), seed, _SAMPLE_STREAM, 1)[:, 0]
    out = part.assign(_u=u, _part=index, _pos=np.arange(len(part)))
    return out.nsmallest(n, "_u", keep="all") if len(out) > n else out


def _keep_smallest(a: pd.DataFrame, b: pd.DataFrame, n: int) -> pd.DataFrame:
    both = pd.concat([a, b])
    return both.nsmallest(n, "_u", keep="all") if len(both) > n else both


def dask_sample(frame, sample_size: int | None, seed) -> pd.DataFrame:
    """The seeded sample of a Dask corpus that ``TopicModel.fit`` fits on (a pandas table)."""
    import dask

    from discourse._dask_tracking import tree_sum

    check_dask_corpus(frame)
    n = DEFAULT_SAMPLE_SIZE if sample_size is None else int(sample_size)
    if n < 1:
        raise ValueError(f"sample_size must be 1 or more, not {sample_size!r}")
    seed = 0 if seed is None else int(seed) if not hasattr(seed, "integers") else 0
    tasks = [dask.delayed(_smallest, pure=True)(p, n, seed, i) for i, p in enumerate(partitions(frame))]
    total = tree_sum(tasks, lambda a, b: _keep_smallest(a, b, n))
    sample = compute(total)[0] if total is not None else _smallest(frame._meta, n, seed, 0)
    sample = sample.sort_values(["_u"], kind="stable").iloc[:n]
    sample = sample.sort_values(["_part", "_pos"], kind="stable").drop(columns=["_u", "_part", "_pos"])
    sample = sample.reset_index(drop=True)
    for c in sample.columns:
        sample[c] = pandas_strings(sample[c])
    return sample


def _theta_frame(part: pd.DataFrame, model) -> pd.DataFrame:
    theta = model.transform(part) if len(part) else np.zeros((0, model.n_topics))
    return pd.DataFrame(theta, columns=[f"topic_{k}" for k in range(model.n_topics)], index=part.index)


def transform_dask(model, frame):
    """Topic proportions of a Dask corpus: a Dask array (n_docs x n_topics), lazy."""
    check_dask_corpus(frame)
    meta = _theta_frame(frame._meta, model)
    return frame.map_partitions(_theta_frame, model, meta=meta).to_dask_array(lengths=True)


def _doc_topics_part(part: pd.DataFrame, model) -> pd.DataFrame:
    theta = model.transform(part) if len(part) else np.zeros((0, model.n_topics))
    k = model.n_topics
    return pd.DataFrame({
        "doc_id": np.repeat(part["doc_id"].to_numpy(), k),
        "topic": np.tile(np.arange(k), len(part)),
        "label": np.tile(np.asarray(model.labels_, dtype=object), len(part)),
        "weight": theta.ravel(),
    })


def doc_topics_dask(model, frame):
    """``doc_topics`` of a Dask corpus: a Dask DataFrame (lazy), partition by partition."""
    check_dask_corpus(frame)
    return frame.map_partitions(_doc_topics_part, model, meta=_doc_topics_part(frame._meta, model))


def _prevalence_part(part, model, keys, n_boot, seed):
    theta = model.transform(part) if len(part) else np.zeros((0, model.n_topics))
    has = theta.sum(axis=1) > 0
    groups = part.loc[has, keys].reset_index(drop=True)
    theta = theta[has]
    valid = groups.notna().all(axis=1).to_numpy()
    groups, theta = groups[valid].reset_index(drop=True), theta[valid]
    ids = part["doc_id"].to_numpy()[has][valid]
    out = {}
    if len(groups) == 0:
        return out
    codes, uniq = pd.MultiIndex.from_frame(groups).factorize() if len(keys) > 1 else \
        pd.factorize(groups[keys[0]])
    W = poisson_weights(doc_keys(ids), seed, _PREVALENCE_STREAM, n_boot) if n_boot > 0 else None
    for g in range(len(uniq)):
        idx = np.flatnonzero(codes == g)
        key = tuple(uniq[g]) if len(keys) > 1 else (uniq[g],)
        entry = {"n": len(idx), "sum": theta[idx].sum(0)}
        if W is not None:
            entry["bs_num"] = W[idx].T @ theta[idx]
            entry["bs_den"] = W[idx].sum(0)
        out[key] = entry
    return out


def _merge_prevalence(a: dict, b: dict) -> dict:
    out = dict(a)
    for key, e in b.items():
        out[key] = {k: out[key][k] + v for k, v in e.items()} if key in out else e
    return out


def topic_prevalence_dask(model, frame, by, *, n_boot, level, seed) -> pd.DataFrame:
    """``topic_prevalence`` of a Dask corpus (same table; intervals by a Poisson bootstrap)."""
    import dask

    from discourse._dask_tracking import tree_sum
    from discourse.errors import TopicModelError
    from discourse.stats import _ratio, percentile_interval

    check_dask_corpus(frame)
    keys = [by] if isinstance(by, str) else list(by)
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        raise TopicModelError(f"the corpus has no column {', '.join(map(repr, missing))}", item="by",
                              hint=f"Group by one of: {', '.join(map(str, frame.columns))}")
    tasks = [dask.delayed(_prevalence_part, pure=True)(p, model, keys, n_boot, seed) for p in partitions(frame)]
    total = tree_sum(tasks, _merge_prevalence)
    sums = compute(total)[0] if total is not None else {}
    uniq = pd.DataFrame(list(sums.keys()), columns=keys)
    for c in keys:
        uniq[c] = pandas_strings(uniq[c].astype(frame._meta[c].dtype))
    order = uniq.sort_values(keys, kind="stable").index.to_numpy() if len(uniq) else np.zeros(0, int)
    entries = [sums[k] for k in sums]
    k = model.n_topics
    G = len(order)
    est = np.full((G, k), np.nan)
    lo, hi = est.copy(), est.copy()
    n = np.zeros(G, dtype=np.int64)
    for row, i in enumerate(order):
        e = entries[i]
        n[row] = e["n"]
        est[row] = e["sum"] / e["n"]
        if n_boot > 0 and e["n"] > 1:
            lo[row], hi[row] = percentile_interval(_ratio(e["bs_num"], e["bs_den"]), level)
        elif n_boot > 0:
            lo[row], hi[row] = est[row], est[row]
    uniq = uniq.iloc[order].reset_index(drop=True)
    out = uniq.loc[np.repeat(np.arange(G), k), keys].reset_index(drop=True)
    out["topic"] = np.tile(np.arange(k), G)
    out["label"] = np.tile(np.asarray(model.labels_, dtype=object), G)
    out["prevalence"] = est.ravel()
    out["prevalence_low"] = lo.ravel()
    out["prevalence_high"] = hi.ravel()
    out["n_docs"] = np.repeat(n, k)
    return out


# --- track_topics ----------------------------------------------------------------------


def _with_rank(part, by, code_of, missing_code, rank, key):
    from discourse._dask_tracking import part_codes

    return part.assign(**{key: rank[part_codes(part, by, code_of, missing_code)]})


def _topic_change_part(part, model, by, code_of, missing_code, prev, nxt, pi, n_groups, *, seed, n_boot, n_perm):
    from discourse._dask_tracking import part_codes, replicate_sums

    theta = model.transform(part) if len(part) else np.zeros((0, model.n_topics))
    codes = part_codes(part, by, code_of, missing_code)
    has = theta.sum(axis=1) > 0
    theta, codes = theta[has], codes[has]
    keys = doc_keys(part["doc_id"].to_numpy()[has])
    out = {"num": np.zeros((n_groups, model.n_topics)), "den": np.zeros(n_groups)}
    np.add.at(out["num"], codes, theta)
    out["den"] += np.bincount(codes, minlength=n_groups)
    out.update(replicate_sums(keys, codes, theta, np.ones(len(theta)), n_groups, prev, nxt, pi, seed=seed,
                              n_boot=n_boot, n_perm=n_perm))
    return out


def track_topics_dask(model, frame, by, *, n_boot, level, seed, alpha, n_perm, series, fdr_family):
    """:func:`discourse.track_topics` of a Dask corpus."""
    import dask

    from discourse._dask_tracking import _add_dicts, _change, group_rows, tree_sum
    from discourse.tracking import _seed_rank, _topics_table

    check_dask_corpus(frame)
    _, table, series_col, code_of, missing_code = group_rows(frame, by, series)
    n_groups = len(table)
    rank = _seed_rank(table, by)
    key = "_tracking_group"
    ranked = frame.map_partitions(_with_rank, by, code_of, missing_code, rank, key,
                                  meta=frame._meta.assign(**{key: np.zeros(0, dtype=np.int64)}))
    prevalence = topic_prevalence_dask(model, ranked, key, n_boot=n_boot, level=level, seed=seed)
    topics = sorted(pd.unique(prevalence["topic"])) if len(prevalence) else list(range(model.n_topics))
    n_topics = len(topics)
    where = {int(r): g for g, r in enumerate(rank)}
    levels = {c: np.full((n_groups, n_topics), np.nan)
              for c in ("prevalence", "prevalence_low", "prevalence_high", "n_docs")}
    labels = dict(zip(prevalence["topic"], prevalence["label"].astype(str), strict=False))
    rows = prevalence[key].map(where).to_numpy(dtype=np.int64)
    cols = prevalence["topic"].to_numpy(dtype=np.int64)
    for c in levels:
        levels[c][rows, cols] = prevalence[c].to_numpy(dtype=float)
    n_docs = np.nan_to_num(levels["n_docs"][:, 0] if n_topics else np.zeros(n_groups))

    prev = table["_prev"].to_numpy()
    nxt = np.full(n_groups, -1, dtype=np.int64)
    nxt[prev[prev >= 0]] = np.flatnonzero(prev >= 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pa = n_docs[np.maximum(prev, 0)]
        pi = np.where(prev >= 0, pa / (pa + n_docs), 0.0)
    tasks = [dask.delayed(_topic_change_part, pure=True)(p, model, by, code_of, missing_code, prev, nxt, pi, n_groups,
                                                        seed=seed, n_boot=n_boot, n_perm=n_perm)
             for p in partitions(frame)]
    total = tree_sum(tasks, _add_dicts)
    sums = compute(total)[0]
    chg = _change(levels["prevalence"], sums["num"], sums["den"], n_docs, prev, sums["bs_num"], sums["bs_den"],
                  test="permutation", pm_num=sums["pm_num"], pm_den=sums["pm_den"], n_perm=n_perm, level=level,
                  alpha=alpha, fdr_family=fdr_family, n_boot=n_boot)

    return _topics_table(table, by, series_col, topics, labels, n_docs, levels, chg, alpha=alpha, level=level)
