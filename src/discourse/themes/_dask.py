"""Theme counts and frequencies of a Dask corpus, partition by partition.

:func:`discourse.theme_counts` and :func:`discourse.theme_frequencies` call these when
the corpus is a :class:`dask.dataframe.DataFrame`. Each partition is matched by the same
kernel as the pandas path (``_document_matrices``) and reduced to per-group sums:
documents, tokens, documents with the theme, matches, and the cross-products that the
between-document spread needs (``sum y^2``, ``sum y t``, ``sum t^2``). Only those sums
travel to the client, which computes the levels and their intervals with
:func:`discourse.stats.ratio_intervals_from_sums`, the implementation behind the pandas
path's :func:`discourse.stats.ratio_intervals`.

Counts, documents, tokens and point estimates are therefore identical to the pandas
path's (integer sums are exact); the intervals are equal up to floating-point rounding
(the spread is summed in another order: relative differences of order 1e-12).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from discourse._dask import compute, partitions, require_dask
from discourse.corpus.table import check_corpus
from discourse.errors import CorpusError
from discourse.stats import ratio_intervals_from_sums

__all__ = ["theme_counts_dask", "theme_frequencies_dask", "group_sums", "frequency_levels_from_sums",
           "check_dask_corpus"]


def check_dask_corpus(frame, what: str = "corpus", columns=("doc_id", "text")):
    """Check that a Dask corpus has the columns the computation needs (no data is read)."""
    require_dask()
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CorpusError(
            f"the Dask {what} has no {', '.join(map(repr, missing))} column "
            f"(columns: {', '.join(map(str, frame.columns))})",
            hint="a Dask corpus needs doc_id (unique ids: positions are not stable across "
            "partitions) and text; load it with discourse.load_corpus(..., backend='dask')",
        )
    return frame


def theme_counts_dask(frame, d, unit: str):
    """``theme_counts`` of every partition: a Dask DataFrame (lazy)."""
    from discourse.themes.frequencies import theme_counts

    check_dask_corpus(frame)
    meta = theme_counts(frame._meta, d, unit=unit)
    return frame.map_partitions(theme_counts, d, unit=unit, meta=meta)


def document_moments(mat, ntok, n_units=None, with_units=None) -> dict[str, np.ndarray]:
    """Per-document terms of the group sums (integers): ``_n``, ``_t``, ``_tt``, and per
    theme ``j`` ``_p{j}`` (has the theme), ``_c{j}`` (matches), ``_cc{j}``, ``_ct{j}``;
    with units ``_u``, ``_uu``, ``_nonbin``, ``_w{j}``, ``_ww{j}``, ``_wu{j}``."""
    mat = np.asarray(mat, dtype=np.int64)
    ntok = np.asarray(ntok, dtype=np.int64)
    k = mat.shape[1]
    data = {"_n": np.ones(len(ntok), dtype=np.int64), "_t": ntok, "_tt": ntok * ntok}
    for j in range(k):
        y = mat[:, j]
        data[f"_p{j}"] = (y > 0).astype(np.int64)
        data[f"_c{j}"] = y
        data[f"_cc{j}"] = y * y
        data[f"_ct{j}"] = y * ntok
    if n_units is not None:
        u = np.asarray(n_units, dtype=np.int64)
        data["_u"], data["_uu"] = u, u * u
        data["_nonbin"] = (u != 1).astype(np.int64)
        for j in range(k):
            w = np.asarray(with_units[:, j], dtype=np.int64)
            data[f"_w{j}"], data[f"_ww{j}"], data[f"_wu{j}"] = w, w * w, w * u
    return data


def spoken_documents(frame: pd.DataFrame, d) -> tuple[np.ndarray, np.ndarray]:
    """Languages of a partition's documents and whether the dictionary speaks them (the
    pandas path's rule, :func:`discourse.themes.frequencies.document_languages`)."""
    from discourse.themes.frequencies import _languages, _spoken

    langs = _languages(frame, d)
    return langs, _spoken(langs, frame, d)


def _partition_sums(part: pd.DataFrame, d, cols: list[str], unit: str) -> pd.DataFrame:
    """Per-group sums of one partition (one row per group present in it). Documents in a
    language the dictionary does not speak add nothing but ``_other`` (as in pandas);
    ``_lang:<code>`` counts the spoken documents of each language."""
    from discourse.themes.frequencies import _document_matrices

    frame = check_corpus(part)
    mat, ntok, n_units, with_units = _document_matrices(frame, d, unit)
    sums = pd.DataFrame(document_moments(mat, ntok, n_units if unit != "document" else None, with_units))
    langs, spoken = spoken_documents(frame, d)
    if len(sums) and not spoken.all():
        sums = sums.mul(spoken.astype(np.int64), axis=0)
    sums["_other"] = (~spoken).astype(np.int64)
    for code in sorted(set(langs[spoken].tolist())):
        sums[f"_lang:{code}"] = (spoken & (langs == code)).astype(np.int64)
    keys = frame[cols].reset_index(drop=True)
    sums = pd.concat([keys, sums], axis=1)
    return sums.groupby(cols, dropna=False, sort=False, observed=True).sum().reset_index()


def group_sums(frame, d, by, unit: str = "document") -> tuple[list[str], pd.DataFrame]:
    """The per-group sums of a Dask corpus, one row per group in the pandas path's order.

    Returns the group columns and a pandas table: the group columns, then integer sums
    (``_n`` documents, ``_t`` tokens, ``_p{j}``, ``_c{j}``... per theme ``j``).
    """
    import dask

    from discourse.themes.frequencies import _group_codes

    check_dask_corpus(frame)
    cols, _, _ = _group_codes(frame._meta, by)  # the pandas path's checks of ``by``
    need = list(dict.fromkeys(["doc_id", "text", *cols, *(["language"] if "language" in frame.columns else [])]))
    slim = frame[need]
    dd_ = dask.delayed(d, pure=True)
    parts = [dask.delayed(_partition_sums, pure=True)(p, dd_, cols, unit) for p in partitions(slim)]
    frames = list(compute(*parts))
    empty = _partition_sums(frame._meta[need], d, cols, unit)
    allp = pd.concat([empty, *frames], ignore_index=True) if frames else empty
    lang_cols = [c for c in allp.columns if c.startswith("_lang:")]
    allp[lang_cols] = allp[lang_cols].fillna(0).astype(np.int64)  # a language absent from a partition
    for c in cols:  # keep the corpus's dtype (an all-NA partition may have changed it)
        allp[c] = allp[c].astype(frame._meta[c].dtype)
    total = allp.groupby(cols, dropna=False, sort=True, observed=True).sum()
    total = total.reset_index()
    for c in cols:
        total[c] = pandas_strings(total[c])
    return cols, total


def pandas_strings(values: pd.Series) -> pd.Series:
    """Dask's string columns (pyarrow strings, NA) as the pandas path has them (``str``)."""
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:
        return values.astype("str")
    return values


def _arr(total: pd.DataFrame, prefix: str, k: int) -> np.ndarray:
    if k == 0:
        return np.zeros((len(total), 0))
    return np.column_stack([total[f"{prefix}{j}"].to_numpy(dtype=np.int64) for j in range(k)])


def _spread(y: np.ndarray, t: np.ndarray, yy: np.ndarray, yt: np.ndarray, tt: np.ndarray) -> np.ndarray:
    """``sum((y_i - R t_i)^2)`` from the group sums, ``R = y / t`` (0 where ``t`` is 0)."""
    y, t, yy, yt, tt = (np.asarray(a, dtype=float) for a in (y, t, yy, yt, tt))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(t > 0, y / np.where(t > 0, t, 1), 0.0)
    return np.maximum(yy - 2 * r * yt + r * r * tt, 0.0)


def frequency_levels_from_sums(total: pd.DataFrame, k: int, *, n_boot: int = 1000,
                               level: float = 0.95) -> dict[str, np.ndarray]:
    """The dict of :func:`discourse.themes.frequencies.frequency_levels` from group sums."""
    n_docs = total["_n"].to_numpy(dtype=np.int64)
    tokens = total["_t"].to_numpy(dtype=np.int64)
    tt = total["_tt"].to_numpy(dtype=np.int64)
    docs_with, count = _arr(total, "_p", k), _arr(total, "_c", k)
    cc, ct = _arr(total, "_cc", k), _arr(total, "_ct", k)
    ones = np.repeat(n_docs[:, None], k, axis=1)
    tok2 = np.repeat(tokens[:, None], k, axis=1)
    out: dict[str, np.ndarray] = {}
    parts = (
        # share of documents: 0/1 numerators, unit denominators (sum p^2 = sum p t = sum p)
        ("share_docs", docs_with, ones, _spread(docs_with, ones, docs_with, docs_with, ones),
         "share", 1, True),
        ("per_1k", count, tok2, _spread(count, tok2, cc, ct, np.repeat(tt[:, None], k, axis=1)),
         "rate", 1000, False),
    )
    for name, y, t, ss, kind, scale, binomial in parts:
        with np.errstate(invalid="ignore", divide="ignore"):
            est = np.where(t > 0, y / np.where(t > 0, t, 1).astype(float), np.nan)
        lo, hi = ratio_intervals_from_sums(y, t, ss, n_docs, kind=kind, level=level, binomial=binomial)
        if n_boot <= 0:
            lo = hi = np.full_like(est, np.nan)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = est * scale, lo * scale, hi * scale
        out[f"_{kind}"] = est
    out["n_docs"] = ones.astype(np.int64)
    other = total["_other"].to_numpy(dtype=np.int64) if "_other" in total.columns else np.zeros(len(total), np.int64)
    out["n_docs_other_language"] = np.repeat(other[:, None], k, axis=1)
    out["docs_with_theme"] = docs_with.astype(float)
    out["count"] = count.astype(float)
    out["n_tokens"] = tok2.astype(float)
    return out


def unit_levels_from_sums(total: pd.DataFrame, k: int, *, n_boot: int, level: float):
    """Share of units holding each theme, and its interval, from group sums."""
    units = total["_u"].to_numpy(dtype=np.int64)
    uu = total["_uu"].to_numpy(dtype=np.int64)
    w, ww, wu = _arr(total, "_w", k), _arr(total, "_ww", k), _arr(total, "_wu", k)
    u2 = np.repeat(units[:, None], k, axis=1)
    ss = _spread(w, u2, ww, wu, np.repeat(uu[:, None], k, axis=1))
    binomial = int(total["_nonbin"].sum()) == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        est = np.where(u2 > 0, w / np.where(u2 > 0, u2, 1).astype(float), np.nan)
    lo, hi = ratio_intervals_from_sums(w, u2, ss, total["_n"].to_numpy(), kind="share", level=level,
                                       binomial=binomial)
    if n_boot <= 0:
        lo = hi = np.full_like(est, np.nan)
    return units, w, est, lo, hi


def theme_frequencies_dask(frame, d, by, *, n_boot: int, level: float, unit: str) -> pd.DataFrame:
    """:func:`discourse.theme_frequencies` of a Dask corpus (same table as the pandas path)."""
    from discourse.themes.frequencies import _INT_LEVEL_COLUMNS, LEVEL_COLUMNS

    cols, total = group_sums(frame, d, by, unit)
    n_themes = len(d.theme_ids)
    n_groups = len(total)
    lv = frequency_levels_from_sums(total, n_themes, n_boot=n_boot, level=level)
    keys = total[cols]
    out = keys.loc[np.repeat(np.arange(n_groups), n_themes)].reset_index(drop=True)
    out["theme"] = np.tile(np.array(d.theme_ids, dtype=object), n_groups)
    for col in LEVEL_COLUMNS:
        values = lv[col].reshape(-1)
        out[col] = values.astype(np.int64) if col in _INT_LEVEL_COLUMNS else values
    if unit != "document":
        units, w, est, lo, hi = unit_levels_from_sums(total, n_themes, n_boot=n_boot, level=level)
        out["n_units"] = np.repeat(units, n_themes)
        out["units_with_theme"] = w.astype(np.int64).ravel()
        out["share_units"] = est.ravel()
        out["share_units_low"] = lo.ravel()
        out["share_units_high"] = hi.ravel()
    out.attrs["languages"] = languages_of(total)
    return out


def languages_of(total: pd.DataFrame) -> list[str]:
    """The languages of the documents counted, from the ``_lang:<code>`` group sums."""
    return sorted(c[len("_lang:"):] for c in total.columns if c.startswith("_lang:") and total[c].sum() > 0)
