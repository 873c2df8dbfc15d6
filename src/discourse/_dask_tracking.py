"""Tracking on a Dask corpus: events, theme tracking and distinctive terms, partition by partition.

:func:`discourse.events`, :func:`discourse.track_themes` and
:func:`discourse.distinctive_terms` call these when the corpus is a Dask DataFrame. They
return the same tables as the pandas path:

- the groups and their order come from the pandas path's own functions
  (``tracking._groups``, ``tracking._events_table``) run on one row per *distinct*
  combination of the grouping columns, weighted by its number of documents;
- levels (shares, rates, their intervals) come from per-group sums
  (:mod:`discourse.themes._dask`), so they equal the pandas path's; so do the change
  intervals of shares and rates (the MOVER combination of the level intervals,
  :func:`discourse.stats.difference_interval`), and the share test (two proportions)
  needs only group sums and is identical too;
- what the pandas path resamples per document is drawn here per document from the seed
  and a hash of its ``doc_id`` (:mod:`discourse._dask`): the rate test relabels each
  document of the two groups independently (probability ``n_a / (n_a + n_b)`` of going
  to the earlier group) instead of permuting labels at fixed group sizes, and the change
  intervals of topic prevalence (:mod:`discourse.topics._dask`) are a Poisson bootstrap
  (each document weighted by a Poisson(1) count in each replicate). Both agree with the
  pandas path's within Monte-Carlo error (``docs/scale.md``, ``tests/test_dask.py``) and
  are deterministic for a seed whatever the partitioning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from discourse._dask import bernoulli_labels, compute, doc_keys, partitions, poisson_weights
from discourse.corpus.table import check_corpus
from discourse.stats import (
    percentile_interval,
    permutation_pvalue,
)
from discourse.themes._dask import (
    check_dask_corpus,
    document_moments,
    frequency_levels_from_sums,
    pandas_strings,
    spoken_documents,
)

__all__ = ["events_dask", "track_themes_dask", "group_rows", "tree_sum"]

_CHUNK = 2048  # documents per block of replicate weights


def tree_sum(items: list, add):
    """Add delayed partial results pairwise (on the workers): one result reaches the client."""
    import dask

    items = list(items)
    if not items:
        return None
    while len(items) > 1:
        items = [dask.delayed(add, pure=True)(items[i], items[i + 1]) if i + 1 < len(items) else items[i]
                 for i in range(0, len(items), 2)]
    return items[0]


def _add_dicts(a: dict, b: dict) -> dict:
    return {k: (a[k] | b[k]) if isinstance(a[k], frozenset) else a[k] + b[k] for k in a}


# --- events and groups -----------------------------------------------------------------


def _event_rows_part(part: pd.DataFrame, tokens: bool) -> pd.DataFrame:
    from discourse.text import count_tokens
    from discourse.tracking import _event_rows

    if tokens:
        from discourse.corpus.table import corpus_texts

        n_tok = np.fromiter((count_tokens(t) for t in corpus_texts(part)), dtype=np.int64, count=len(part))
    else:
        n_tok = np.zeros(len(part), dtype=np.int64)
    rows = _event_rows(part, n_tok)
    return rows.groupby(["event", "event_series", "date", "year"], dropna=False, sort=False).agg(
        n_tokens=("n_tokens", "sum"), _w=("_w", "sum")).reset_index()


def events_dask(frame) -> pd.DataFrame:
    """:func:`discourse.events` of a Dask corpus."""
    import dask

    from discourse.tracking import _events_table, _require_columns

    check_dask_corpus(frame, columns=("event", "text"))
    _require_columns(frame._meta, ["event", "text"], "events()")
    cols = [c for c in ("event", "event_series", "date", "year", "text") if c in frame.columns]
    parts = [dask.delayed(_event_rows_part, pure=True)(p, True) for p in partitions(frame[cols])]
    rows = pd.concat([_event_rows_part(frame._meta[cols], True), *compute(*parts)], ignore_index=True)
    rows = rows.groupby(["event", "event_series", "date", "year"], dropna=False, sort=True).agg(
        n_tokens=("n_tokens", "sum"), _w=("_w", "sum")).reset_index()
    return _events_table(rows)


def _distinct_rows(part: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    return part[cols].assign(_w=1).groupby(cols, dropna=False, sort=False, observed=True)["_w"].sum().reset_index()


def group_rows(frame, by: str, series) -> tuple[np.ndarray, pd.DataFrame, str | None, dict, int]:
    """Groups of a Dask corpus as the pandas path's ``_groups`` makes them.

    Returns ``(codes of the distinct rows, table, series column, code of each key, code
    of missing keys)``; :func:`part_codes` gives the code of each document of a partition.
    """
    import dask

    from discourse.tracking import _event_labels, _groups, _is_missing_label, _require_columns

    if not isinstance(by, str):
        _groups(frame._meta, by, series)  # raises the pandas path's error
    _require_columns(frame._meta, [by], f'tracking by "{by}"')
    cols = [by, "event", "event_series", "date", "year"]
    if isinstance(series, str):
        cols.append(series)
    cols = [c for c in dict.fromkeys(cols) if c in frame.columns]
    parts = [dask.delayed(_distinct_rows, pure=True)(p, cols) for p in partitions(frame[cols])]
    rows = pd.concat([_distinct_rows(frame._meta, cols), *compute(*parts)], ignore_index=True)
    rows = rows.groupby(cols, dropna=False, sort=True, observed=True)["_w"].sum().reset_index()
    for c in cols:
        rows[c] = pandas_strings(rows[c].astype(frame._meta[c].dtype))
    codes, table, series_col = _groups(rows, by, series)
    if by == "event":
        keys = _event_labels(rows).to_numpy()
        missing_code = -1
    else:
        col = rows[by]
        missing = col.isna().to_numpy() | _is_missing_label(col)
        keys = col.to_numpy(dtype=object)[~missing]
        missing_code = int(codes[missing][0]) if missing.any() else -1
        codes = codes[~missing]
    code_of = {k: int(c) for k, c in zip(keys, codes, strict=True)}
    return codes, table, series_col, code_of, missing_code


def part_codes(part: pd.DataFrame, by: str, code_of: dict, missing_code: int) -> np.ndarray:
    """Group code of each document of a partition (as ``_groups`` gives them)."""
    from discourse.tracking import _event_labels, _is_missing_label

    if by == "event":
        labels = _event_labels(part).to_numpy(dtype=object)
        return np.fromiter((code_of[v] for v in labels), dtype=np.int64, count=len(labels))
    col = part[by]
    missing = col.isna().to_numpy() | _is_missing_label(col)
    values = col.to_numpy(dtype=object)
    return np.fromiter((missing_code if m else code_of[v] for v, m in zip(values, missing, strict=True)),
                       dtype=np.int64, count=len(values))


# --- track_themes ----------------------------------------------------------------------


def _track_partition(part, d, by, code_of, missing_code, prev, nxt, pi, n_groups, *, seed, n_perm):
    from discourse.themes.frequencies import _document_matrices

    frame = check_corpus(part)
    mat, ntok, _, _ = _document_matrices(frame, d, "document")
    mat = np.asarray(mat, dtype=float)
    ntok = np.asarray(ntok, dtype=float)
    codes = part_codes(part, by, code_of, missing_code)
    # documents in a language the dictionary does not speak: left out, counted apart (as in pandas)
    langs, spoken = spoken_documents(frame, d)
    out = {"_other": np.bincount(codes[~spoken], minlength=n_groups).astype(np.int64),
           "_languages": frozenset(langs[spoken].tolist())}
    if not spoken.all():
        mat, ntok, codes, frame = mat[spoken], ntok[spoken], codes[spoken], frame[spoken]
    moments = document_moments(mat.astype(np.int64), ntok.astype(np.int64))
    for name, v in moments.items():
        out[name] = np.bincount(codes, weights=v, minlength=n_groups).astype(np.int64) \
            if len(codes) else np.zeros(n_groups, dtype=np.int64)
    keys = doc_keys(frame["doc_id"].to_numpy())
    # relabelling sums of the rate test only: the change intervals of shares and rates
    # come from the levels (no bootstrap replicates), the share test from group sums
    rate = replicate_sums(keys, codes, mat, ntok, n_groups, prev, nxt, pi, seed=seed, n_boot=0, n_perm=n_perm)
    out["pm_count"], out["pm_tokens"] = rate["pm_num"], rate["pm_den"]
    return out


def replicate_sums(keys, codes, num, den, n_groups, prev, nxt, pi, *, seed, n_boot, n_perm) -> dict:
    """Replicate sums of one partition for the change step of ratios ``sum(num) / sum(den)``.

    ``bs_num`` (groups x n_boot x items) and ``bs_den`` (groups x n_boot): Poisson(1)
    bootstrap weights of each document (from the seed and its ``doc_id``) times its
    numerators and denominator, summed per group. ``pm_num``, ``pm_den``: for the
    comparison of group ``c`` with ``prev[c]``, the sums over the documents of both
    groups that a relabelling draw (probability ``pi[c]``) puts in the earlier group.
    """
    from discourse.tracking import _DIFF_STREAM, _PERM_STREAM

    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    k = num.shape[1]
    B, P = n_boot, n_perm
    out = {"bs_num": np.zeros((n_groups, B, k)), "bs_den": np.zeros((n_groups, B)),
           "pm_num": np.zeros((n_groups, P, k)), "pm_den": np.zeros((n_groups, P))}
    for s in range(0, len(keys), _CHUNK):
        sl = slice(s, s + _CHUNK)
        kc, cc, nc, dc = keys[sl], codes[sl], num[sl], den[sl]
        W = poisson_weights(kc, seed, _DIFF_STREAM, B) if B > 0 else None
        for g in np.unique(cc):
            idx = np.flatnonzero(cc == g)
            if W is not None:
                Wg = W[idx]
                out["bs_num"][g] += Wg.T @ nc[idx]
                out["bs_den"][g] += Wg.T @ dc[idx]
            if P <= 0:
                continue
            # the relabelling test of comparison c (prev[c] -> c): this group is its
            # later group (c = g) or its earlier one (c = nxt[g])
            for c in (g, nxt[g]):
                if c < 0 or prev[c] < 0:
                    continue
                L = bernoulli_labels(kc[idx], seed, _PERM_STREAM + int(c), P, pi[c])
                out["pm_num"][c] += L.T @ nc[idx]
                out["pm_den"][c] += L.T @ dc[idx]
    return out


def _sums_frame(sums: dict, k: int) -> pd.DataFrame:
    return pd.DataFrame({c: sums[c] for c in ["_n", "_t", "_tt", "_other", *[f"_{x}{j}" for j in range(k)
                                                                             for x in ("p", "c", "cc", "ct")]]})


def _change(est, num_sum, den_sum, n_docs, prev, bs_num, bs_den, *, test, level, pm_num=None, pm_den=None,
            n_perm=0, n_boot=0, alpha, fdr_family, levels=None):
    """The change step (``tracking._group_changes``) from group sums and replicate sums.

    ``levels`` (low, high of each group's level) as in ``tracking._change_step``: the
    change interval is their MOVER combination, else the percentile interval of the
    bootstrap replicate sums ``bs_num``, ``bs_den``; the rate test relabels with the
    sums ``pm_num``, ``pm_den`` of :func:`replicate_sums`.
    """
    from discourse.stats import _ratio
    from discourse.tracking import _group_changes

    def interval(g, p):
        return percentile_interval(_ratio(bs_num[g], bs_den[g]) - _ratio(bs_num[p], bs_den[p]), level)

    def permutation(g, p):
        obs = _ratio(num_sum[g], den_sum[g]) - _ratio(num_sum[p], den_sum[p])
        tot_num, tot_den = num_sum[p] + num_sum[g], den_sum[p] + den_sum[g]
        sa_num, sa_den = pm_num[g], pm_den[g]
        return permutation_pvalue(obs, _ratio(tot_num - sa_num, tot_den - sa_den) - _ratio(sa_num, sa_den))

    return _group_changes(est, num_sum, den_sum, n_docs, prev, test=test, alpha=alpha, fdr_family=fdr_family,
                          levels=levels, interval=interval if n_boot > 0 else None,
                          permutation=permutation if n_perm > 0 else None)


def track_themes_dask(frame, dictionary, by, *, n_boot, level, seed, alpha, n_perm, series, fdr_family):
    """:func:`discourse.track_themes` of a Dask corpus (see the module's description)."""
    import dask

    from discourse.themes.frequencies import _dictionary
    from discourse.tracking import _theme_levels, _themes_table

    check_dask_corpus(frame)
    d = _dictionary(dictionary)
    _, table, series_col, code_of, missing_code = group_rows(frame, by, series)
    n_groups = len(table)
    k = len(d.theme_ids)
    prev = table["_prev"].to_numpy()
    nxt = np.full(n_groups, -1, dtype=np.int64)
    nxt[prev[prev >= 0]] = np.flatnonzero(prev >= 0)
    n_docs = table["n_docs"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        pi = np.where(prev >= 0, n_docs[np.maximum(prev, 0)] / (n_docs[np.maximum(prev, 0)] + n_docs), 0.0)
    cols = [c for c in dict.fromkeys(["doc_id", "text", by, "event", "event_series", "language"]) if c in frame.columns]
    dd_ = dask.delayed(d, pure=True)
    tasks = [dask.delayed(_track_partition, pure=True)(p, dd_, by, code_of, missing_code, prev, nxt, pi, n_groups,
                                                      seed=seed, n_perm=n_perm)
             for p in partitions(frame[cols])]
    total = tree_sum(tasks, _add_dicts)
    sums = compute(total)[0] if total is not None else _track_partition(
        frame._meta[cols], d, by, code_of, missing_code, prev, nxt, pi, n_groups, seed=seed, n_perm=n_perm)
    freq = frequency_levels_from_sums(_sums_frame(sums, k), k, n_boot=n_boot, level=level)
    docs_with, count = freq["docs_with_theme"], freq["count"]
    step = {"level": level, "alpha": alpha, "fdr_family": fdr_family, "n_boot": n_boot}
    share = _change(freq["_share"], docs_with, sums["_n"].astype(float), sums["_n"], prev, None, None,
                    test="two_proportion", levels=_theme_levels(freq, "share_docs"), **step)
    rate = _change(freq["_rate"], count, sums["_t"].astype(float), sums["_n"], prev, None, None,
                   test="permutation", pm_num=sums["pm_count"], pm_den=sums["pm_tokens"], n_perm=n_perm,
                   levels=_theme_levels(freq, "per_1k"), **step)
    return _themes_table(table, by, series_col, list(d.theme_ids), freq, share, rate, alpha=alpha, level=level,
                         languages=sorted(sums["_languages"]))


# --- distinctive_terms -----------------------------------------------------------------


def _terms_partition(part, by, code_of, missing_code, ngram_range, stop, min_length, drop_numbers) -> dict:
    from discourse.corpus.table import corpus_texts
    from discourse.tracking import _term_counts

    codes = part_codes(part, by, code_of, missing_code)
    texts = np.asarray(corpus_texts(part), dtype=object)
    return {int(g): _term_counts(texts[codes == g], ngram_range, stop, min_length, drop_numbers)
            for g in np.unique(codes)}


def _merge_counts(a: dict, b: dict) -> dict:
    out = {g: dict(c) for g, c in a.items()}
    for g, cnt in b.items():
        mine = out.setdefault(g, {})
        for term, c in cnt.items():
            mine[term] = mine.get(term, 0) + c
    return out


def group_term_counts_dask(frame, by, ngram_range, stop, min_length, drop_numbers):
    """Term counts of each group of a Dask corpus (merged on the workers) and the groups table."""
    import dask

    check_dask_corpus(frame, columns=("text",))
    _, table, _, code_of, missing_code = group_rows(frame, by, False)
    cols = [c for c in dict.fromkeys(["text", by, "event"]) if c in frame.columns]
    tasks = [dask.delayed(_terms_partition, pure=True)(p, by, code_of, missing_code, ngram_range, stop,
                                                       min_length, drop_numbers)
             for p in partitions(frame[cols])]
    total = tree_sum(tasks, _merge_counts)
    merged = compute(total)[0] if total is not None else {}
    return [merged.get(g, {}) for g in range(len(table))], table
