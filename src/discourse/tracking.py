"""Track themes and topics across events: the events table, change tests, distinctive terms.

Every function takes the corpus table (one row per document, see
:func:`discourse.load_corpus`) and returns a new tidy DataFrame; nothing here draws
(charts are in :mod:`discourse.plots`, which only draws these tables).

Events and their order
    :func:`events` lists the events of a corpus in time order (first date of their
    documents, then year, then name). Changes are always measured from the previous
    event *of the same series* in that order (UNGA 78 -> UNGA 79, never IGF 2024 ->
    UNGA 79); when no event has a known series, all events form one series. Documents
    without an event are gathered in one row named
    :data:`NO_EVENT`, placed last and never compared with anything.

Methods (intervals, tests, multiple comparisons) are described in ``docs/tracking.md``
and implemented in :mod:`discourse.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from discourse._dask import is_dask
from discourse.corpus.table import corpus_texts
from discourse.errors import CorpusError, TooFewGroups
from discourse.stats import (
    bh_adjust,
    bootstrap_ratio_difference,
    difference_interval,
    permutation_test_ratio,
    two_proportion_test,
)
from discourse.text import count_tokens
from discourse.themes.frequencies import _INT_LEVEL_COLUMNS, LEVEL_COLUMNS, frequency_levels

__all__ = ["NO_EVENT", "events", "track_themes", "track_topics", "distinctive_terms"]

#: Label of the row (and group) that gathers documents whose event is unknown.
NO_EVENT = "(no event)"

_EVENT_COLUMNS = ["event", "event_series", "year", "date", "n_docs", "n_tokens"]


def _require_columns(corpus: pd.DataFrame, columns: list[str], what: str) -> None:
    if is_dask(corpus):  # a Dask corpus: its columns are those of its (empty) meta frame
        corpus = corpus._meta
    if not isinstance(corpus, pd.DataFrame):
        raise CorpusError(
            f"{what} needs a corpus DataFrame, not {type(corpus).__name__}",
            hint="load one with discourse.load_corpus(path)",
        )
    missing = [c for c in columns if c not in corpus.columns]
    if missing:
        raise CorpusError(
            f"the corpus has no column {', '.join(repr(c) for c in missing)} (it has "
            f"{', '.join(map(str, corpus.columns))})",
            item=what,
            hint="load the corpus with discourse.load_corpus, or add the column "
            "(e.g. corpus.assign(event=...))",
        )


def _is_missing_label(values: pd.Series) -> np.ndarray:
    """True where a label is NA or blank."""
    s = values.astype("object")
    blank = s.map(lambda v: isinstance(v, str) and not v.strip())
    return (s.isna() | blank.astype(bool)).to_numpy()


def _event_labels(corpus: pd.DataFrame) -> pd.Series:
    """The ``event`` column as strings, with missing/blank events as :data:`NO_EVENT`."""
    ev = corpus["event"].astype("object")
    missing = _is_missing_label(ev)
    out = ev.map(lambda v: v if isinstance(v, str) else str(v))
    out = out.where(~missing, NO_EVENT)
    return out.astype(str)


def events(corpus: pd.DataFrame) -> pd.DataFrame:
    """List the events of a corpus in time order, with their size.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (columns ``event``, ``text``; ``event_series``, ``date`` and
        ``year`` are used when present), or a Dask DataFrame of one (the same table).

    Returns
    -------
    DataFrame
        One row per event, columns:

        - ``event`` (str): the event label.
        - ``event_series`` (str, NA when unknown): the series it belongs to.
        - ``year`` (Int64): the earliest known year of its documents.
        - ``date`` (datetime64): the earliest known date of its documents (NaT if none).
        - ``n_docs`` (int): number of documents.
        - ``n_tokens`` (int): number of tokens (:func:`discourse.text.count_tokens`).

        Rows are ordered by ``date``, then ``year``, then ``event`` (unknown dates
        and years last; a stable sort). Documents with no event (NA or blank) are
        counted in one row named :data:`NO_EVENT` (series NA), always last, so that the
        table adds up to the corpus. If an event appears in two series the most frequent
        series (then the first alphabetically) is reported.

    Examples
    --------
    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"event": ["B", "A", "A"], "text": ["x y", "z", "w v u"],
    ...                        "year": [2021, 2020, 2020]})
    >>> events(corpus)[["event", "year", "n_docs", "n_tokens"]]
      event  year  n_docs  n_tokens
    0     A  2020       2         4
    1     B  2021       1         2
    """
    if is_dask(corpus):  # the Dask path: the same table from per-partition event rows
        from discourse._dask_tracking import events_dask

        return events_dask(corpus)
    _require_columns(corpus, ["event", "text"], "events()")
    n_tok = np.fromiter((count_tokens(t) for t in corpus_texts(corpus)), dtype=np.int64, count=len(corpus))
    return _events_table(_event_rows(corpus, n_tok))


def _event_rows(corpus: pd.DataFrame, n_tok: np.ndarray) -> pd.DataFrame:
    """One row per document: event label, series, date, year, tokens, weight ``_w`` = 1."""
    n = len(corpus)
    labels = _event_labels(corpus)
    if "event_series" in corpus.columns:
        series = corpus["event_series"].astype("object")
        series = series.where(~_is_missing_label(series), None)
    else:
        series = pd.Series([None] * n, index=corpus.index, dtype="object")
    if "date" in corpus.columns:
        date = pd.to_datetime(corpus["date"], errors="coerce")
    else:
        date = pd.Series(pd.NaT, index=corpus.index, dtype="datetime64[ns]")
    if "year" in corpus.columns:
        year = pd.to_numeric(corpus["year"], errors="coerce").astype("Float64")
    else:
        year = pd.Series(np.nan, index=corpus.index, dtype="Float64")

    work = pd.DataFrame(
        {
            "event": labels.to_numpy(),
            "event_series": series.to_numpy(),
            "date": date.to_numpy(),
            "year": year.to_numpy(),
            "n_tokens": n_tok,
            "_w": np.ones(n, dtype=np.int64),
        }
    )
    return work


def _events_table(work: pd.DataFrame) -> pd.DataFrame:
    """The table of :func:`events` from event rows (a row of weight ``_w`` stands for
    ``_w`` documents with its values and ``n_tokens`` tokens in all)."""
    if len(work) == 0:
        return pd.DataFrame(
            {
                "event": pd.Series([], dtype=str),
                "event_series": pd.Series([], dtype=str),
                "year": pd.Series([], dtype="Int64"),
                "date": pd.Series([], dtype="datetime64[ns]"),
                "n_docs": pd.Series([], dtype="int64"),
                "n_tokens": pd.Series([], dtype="int64"),
            }
        )
    grouped = work.groupby("event", sort=True)
    out = pd.DataFrame(
        {
            "year": grouped["year"].min(),
            "date": grouped["date"].min(),
            "n_docs": grouped["_w"].sum(),
            "n_tokens": grouped["n_tokens"].sum(),
        }
    )
    # the series of each event: most frequent non-missing one, ties alphabetically
    ser = work.dropna(subset=["event_series"])
    if len(ser):
        counts = (
            ser.groupby(["event", "event_series"], sort=True)["_w"].sum().rename("k").reset_index()
        )
        counts = counts.sort_values(["event", "k", "event_series"], ascending=[True, False, True],
                                    kind="stable")
        best = counts.drop_duplicates("event").set_index("event")["event_series"]
    else:
        best = pd.Series(dtype="object")
    out["event_series"] = pd.Series(out.index.map(lambda e: best.get(e, None)), index=out.index,
                                    dtype="object")
    out.loc[out.index == NO_EVENT, "event_series"] = None
    out = out.reset_index()
    out["_none"] = out["event"] == NO_EVENT
    out = out.sort_values(["_none", "date", "year", "event"], na_position="last", kind="stable")
    out = out.drop(columns="_none").reset_index(drop=True)
    out["year"] = out["year"].round().astype("Int64")
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    out["n_docs"] = out["n_docs"].astype("int64")
    out["n_tokens"] = out["n_tokens"].astype("int64")
    out["event_series"] = out["event_series"].astype("str").where(out["event_series"].notna())
    return out[_EVENT_COLUMNS]


# --- groups and their order ---------------------------------------------------------

# seed-stream offsets, so that level intervals, change intervals and permutations of the
# same group never share random numbers
_DIFF_STREAM = 1_000_000
_PERM_STREAM = 2_000_000


def _groups(corpus: pd.DataFrame, by: str, series: str | None | bool) -> tuple[np.ndarray, pd.DataFrame, str | None]:
    """Group each document and order the groups in time.

    Returns
    -------
    codes : ndarray of int, one per corpus row (index into ``table``)
    table : DataFrame with columns ``by``, [series], n_docs, _prev (int, -1 for none)
    series_col : the series column name used, or None
    """
    if not isinstance(by, str):
        raise CorpusError(
            f"by must be one column name, not {by!r}",
            item="by",
            hint='track one grouping at a time, e.g. by="event" or by="year"',
        )
    _require_columns(corpus, [by], f'tracking by "{by}"')
    if series is None and by == "event":
        # no series known at all (column absent or empty): the events form one series
        known = "event_series" in corpus.columns and not _is_missing_label(corpus["event_series"]).all()
        series = "event_series" if known else False
    if series is not None and series is not False:
        _require_columns(corpus, [series], f'series "{series}"')
    series_col = series if isinstance(series, str) else None

    if by == "event":
        labels = _event_labels(corpus)
        order = _events_order(corpus)
        keys = list(order["event"])
        code_of = {k: i for i, k in enumerate(keys)}
        codes = labels.map(code_of).to_numpy(dtype=np.int64)
        table = pd.DataFrame({"event": keys})
        missing_group = table["event"].eq(NO_EVENT).to_numpy()
        ser_values = order["event_series"] if series_col == "event_series" else None
    else:
        col = corpus[by]
        missing = col.isna().to_numpy() | _is_missing_label(col)
        present = col[~missing]
        uniq = pd.Series(pd.unique(present))
        try:
            uniq = uniq.sort_values(kind="stable")
        except TypeError:
            uniq = uniq.astype(str).sort_values(kind="stable")
        keys = list(uniq)
        code_of = {k: i for i, k in enumerate(keys)}
        codes = np.full(len(corpus), len(keys), dtype=np.int64)
        codes[~missing] = present.map(code_of).to_numpy(dtype=np.int64)
        values = pd.Series(keys, dtype=corpus[by].dtype) if len(keys) else corpus[by].iloc[:0]
        if missing.any():
            values = pd.concat([values, corpus[by][missing].iloc[:1]], ignore_index=True)
        table = pd.DataFrame({by: values.reset_index(drop=True)})
        missing_group = np.zeros(len(table), bool)
        if missing.any():
            missing_group[-1] = True
        ser_values = None
    n_groups = len(table)
    # a corpus of weighted rows (``_w`` documents each: the Dask path) counts its weights
    weight = corpus["_w"].to_numpy(dtype=np.int64) if "_w" in corpus.columns else np.ones(len(corpus), np.int64)
    table["n_docs"] = np.bincount(codes, weights=weight, minlength=n_groups).astype("int64")

    if series_col is not None:
        if ser_values is None:  # most frequent series of each group, ties alphabetically
            sv = corpus[series_col].astype("object")
            sv = sv.where(~_is_missing_label(sv), None)
            tmp = pd.DataFrame({"g": codes, "s": sv.to_numpy(), "w": weight}).dropna()
            tmp = tmp.groupby(["g", "s"], sort=True)["w"].sum().rename("k").reset_index()
            tmp = tmp.sort_values(["g", "k", "s"], ascending=[True, False, True], kind="stable")
            best = tmp.drop_duplicates("g").set_index("g")["s"]
            ser_values = pd.Series([best.get(i, None) for i in range(n_groups)], dtype="object")
        table[series_col] = pd.Series(list(ser_values), dtype="object").astype("str").where(
            pd.Series(list(ser_values)).notna().to_numpy())
        table.loc[missing_group, series_col] = None
    # previous group of the same series (all groups form one series when there is none)
    prev = np.full(n_groups, -1, dtype=np.int64)
    last: dict[object, int] = {}
    for i in range(n_groups):
        if missing_group[i]:
            continue
        key = table[series_col].iloc[i] if series_col is not None else "__all__"
        if key is None or (isinstance(key, float) and np.isnan(key)) or pd.isna(key):
            continue
        if key in last:
            prev[i] = last[key]
        last[key] = i
    table["_prev"] = prev
    return codes, table, series_col


def _events_order(corpus: pd.DataFrame) -> pd.DataFrame:
    """The events of :func:`events` in the same order, without counting tokens (cheaper)."""
    _require_columns(corpus, ["event"], "events()")
    cols = ["event", "event_series", "date", "year"]
    if "_w" in corpus.columns:  # weighted event rows (the Dask path)
        rows = _event_rows(corpus, np.zeros(len(corpus), dtype=np.int64)).assign(_w=corpus["_w"].to_numpy())
        return _events_table(rows)[["event", "event_series", "year", "date", "n_docs"]]
    slim = corpus[[c for c in cols if c in corpus.columns]]
    return events(slim.assign(text=""))[["event", "event_series", "year", "date", "n_docs"]]


def _seed_rank(table: pd.DataFrame, by: str) -> np.ndarray:
    """Index of each group in sorted-label order (missing last).

    ``TopicModel.topic_prevalence`` numbers (and seeds) its groups in sorted order;
    :func:`track_topics` groups by this index so that its prevalence intervals are
    those of ``topic_prevalence(corpus, by=by)`` although its rows are in time order.
    """
    labels = table[by]
    missing = labels.isna().to_numpy() | (labels.astype("object") == NO_EVENT).to_numpy() \
        if by == "event" else labels.isna().to_numpy()
    present = np.flatnonzero(~missing)
    values = labels.iloc[present]
    try:
        order = np.argsort(values.to_numpy(), kind="stable")
    except TypeError:
        order = np.argsort(values.astype(str).to_numpy(), kind="stable")
    rank = np.empty(len(table), dtype=np.int64)
    rank[present[order]] = np.arange(len(present))
    rank[np.flatnonzero(missing)] = np.arange(len(present), len(table))
    return rank


def _change_step(
    est: np.ndarray,
    num: np.ndarray,
    den: np.ndarray,
    codes: np.ndarray,
    prev: np.ndarray,
    *,
    test: str,
    n_boot: int,
    n_perm: int,
    level: float,
    seed: int,
    alpha: float,
    fdr_family: str,
    levels: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The change of one measure from the previous group of the series: THE change step.

    Used for every measure of :func:`track_themes` (shares, rates) and
    :func:`track_topics` (prevalence), so that changes, their intervals, tests,
    q-values and flags are computed one way: the group sums and document bootstrap and
    permutations of here go to :func:`_group_changes`, whose loop the Dask path
    (``_dask_tracking._change``, from replicate sums) shares.

    Parameters
    ----------
    est : ndarray of shape (n_groups, n_items)
        The level of each group (``sum(num) / sum(den)`` over its documents).
    num, den : ndarray of shape (n_docs, n_items) and (n_docs,)
        Per-document numerators and denominators of the level.
    codes : ndarray of shape (n_docs,)
        Group of each document (rows of ``est``).
    prev : ndarray of shape (n_groups,)
        Group compared with (-1: none).
    test : {"two_proportion", "permutation"}
        Two-proportion test on the group sums (shares of documents) or a document
        permutation test of the difference of ratios.
    levels : (low, high) of ndarray of shape (n_groups, n_items), optional
        The level intervals of each group (:func:`discourse.stats.ratio_intervals`):
        the change interval is then their MOVER combination
        (:func:`discourse.stats.difference_interval`), as for theme shares and rates;
        NaN levels (``n_boot=0``) give NaN changes. Default: the percentile cluster
        bootstrap of :func:`discourse.stats.bootstrap_ratio_difference` (topic
        prevalence, whose levels are bootstrap intervals too).

    Returns
    -------
    dict of ndarray of shape (n_groups, n_items)
        ``change`` (later minus earlier level), ``low``, ``high`` (interval of the
        change), ``ratio`` (later over earlier level), ``p``, ``q``, ``flag``
        (``"rise"``, ``"fall"`` or ``""`` at ``q <= alpha``), ``test`` (the test used,
        ``""`` where nothing was tested). An item absent from both groups is not
        tested (p and q NaN, left out of the correction).
    """
    n_groups, n_items = est.shape
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=n_groups))])
    num_sum = np.zeros((n_groups, n_items))
    np.add.at(num_sum, codes, num)
    den_sum = np.bincount(codes, weights=den, minlength=n_groups)

    def docs(g: int) -> np.ndarray:
        return order[bounds[g]: bounds[g + 1]]

    def interval(g: int, p: int):  # the percentile cluster bootstrap of the documents
        a, b = docs(p), docs(g)
        _, low, high = bootstrap_ratio_difference(num[a], den[a], num[b], den[b], n_boot=n_boot, level=level,
                                                  seed=seed, index=_DIFF_STREAM + g)
        return low, high

    def permutation(g: int, p: int) -> np.ndarray:  # permutations of the documents' groups
        a, b = docs(p), docs(g)
        return permutation_test_ratio(num[a], den[a], num[b], den[b], n_perm=n_perm, seed=seed,
                                      index=_PERM_STREAM + g)[1]

    return _group_changes(est, num_sum, den_sum, np.diff(bounds), prev, test=test, alpha=alpha,
                          fdr_family=fdr_family, levels=levels, interval=interval,
                          permutation=permutation if n_perm > 0 else None)


def _group_changes(est, num_sum, den_sum, n_docs, prev, *, test: str, alpha: float, fdr_family: str,
                   levels=None, interval=None, permutation=None) -> dict[str, np.ndarray]:
    """The change step from the sums of each group: the one loop of the pandas and Dask paths.

    Parameters
    ----------
    est : ndarray of shape (n_groups, n_items)
        The level of each group.
    num_sum, den_sum : ndarray of shape (n_groups, n_items) and (n_groups,)
        The sums of the level's numerators and denominators over each group's documents
        (the two-proportion test's counts; zero in both groups: the item is not tested).
    n_docs : ndarray of shape (n_groups,)
        Documents of each group: a comparison with a group without any is left out (NaN).
    prev : ndarray of shape (n_groups,)
        Group compared with (-1: none).
    test : {"two_proportion", "permutation"}
    levels : (low, high) of ndarray of shape (n_groups, n_items), optional
        The level intervals: the change interval is their MOVER combination.
    interval : callable ``(g, p) -> (low, high)``, optional
        Without ``levels``: the change interval of group ``g`` from group ``p``, by the
        path's bootstrap (the documents' in pandas, the replicate sums' in Dask). None:
        no interval (NaN).
    permutation : callable ``(g, p) -> p-values``, optional
        With ``test="permutation"``: the path's relabelling test of ``g`` against ``p``.
        None: not tested (``n_perm=0``).

    Returns
    -------
    dict of ndarray
        As :func:`_change_step`.
    """
    n_groups, n_items = est.shape
    nan = np.full((n_groups, n_items), np.nan)
    chg, lo, hi, ratio, pv = nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy()
    used = np.full((n_groups, n_items), "", dtype=object)
    for g in range(n_groups):
        p = prev[g]
        if p < 0 or n_docs[p] == 0 or n_docs[g] == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            chg[g] = est[g] - est[p]
            ratio[g] = est[g] / est[p]
        if levels is not None:
            lo[g], hi[g] = difference_interval(est[p], levels[0][p], levels[1][p],
                                               est[g], levels[0][g], levels[1][g])
        elif interval is not None:
            lo[g], hi[g] = interval(g, p)
        if test == "two_proportion":
            _, pv[g], used[g] = two_proportion_test(num_sum[p], den_sum[p], num_sum[g], den_sum[g])
        elif permutation is not None:
            pv[g] = permutation(g, p)
            used[g] = "permutation"
        untested = (num_sum[p] == 0) & (num_sum[g] == 0)
        pv[g, untested] = np.nan
        used[g, untested] = ""
    return _change_result(chg, lo, hi, ratio, pv, used, alpha, fdr_family)


def _change_result(chg, lo, hi, ratio, pv, used, alpha: float, fdr_family: str) -> dict[str, np.ndarray]:
    """The last part of the change step (q-values and flags), shared with the Dask path."""
    q = _adjust(pv, fdr_family)
    return {"change": chg, "low": lo, "high": hi, "ratio": ratio, "p": pv, "q": q,
            "flag": _flag(chg, q, alpha), "test": used}




def _prev_labels(table: pd.DataFrame, by: str) -> pd.Series:
    prev = table["_prev"].to_numpy()
    labels = table[by].astype("object").to_numpy()
    out = np.array([labels[p] if p >= 0 else None for p in prev], dtype=object)
    s = pd.Series(out, dtype="object")
    if table[by].dtype == "Int64" or pd.api.types.is_integer_dtype(table[by].dtype):
        return s.astype("Int64")
    return s.astype("str").where(s.notna())


def _flag(change: np.ndarray, q: np.ndarray, alpha: float) -> np.ndarray:
    sig = np.nan_to_num(q, nan=1.0) <= alpha
    out = np.where(sig & (change > 0), "rise", np.where(sig & (change < 0), "fall", ""))
    return out.astype(object)


_FDR_FAMILIES = ("table", "theme", "topic", "event")


def _adjust(p: np.ndarray, family: str) -> np.ndarray:
    """BH q-values of a (groups x features) p-value matrix within the chosen family."""
    if family == "table":
        return bh_adjust(p)
    q = np.full_like(p, np.nan)
    if family in ("theme", "topic"):  # each theme's (topic's) changes across events
        for j in range(p.shape[1]):
            q[:, j] = bh_adjust(p[:, j])
    else:  # "event": the themes (topics) of each comparison
        for i in range(p.shape[0]):
            q[i] = bh_adjust(p[i])
    return q


def _check_common(n_boot: int, level: float, alpha: float, n_perm: int,
                  fdr_family: str = "table") -> None:
    if fdr_family not in _FDR_FAMILIES:
        raise ValueError(f"fdr_family must be one of {', '.join(map(repr, _FDR_FAMILIES))}, "
                         f"not {fdr_family!r}")
    if not (0 < level < 1):
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    if not (0 < alpha < 1):
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    if n_boot < 0 or n_perm < 0:
        raise ValueError("n_boot and n_perm must be 0 or more")


# --- themes ------------------------------------------------------------------------


def _counts_matrix(counts: pd.DataFrame, doc_ids: pd.Series) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Pivot a theme_counts table to (themes, count matrix, tokens), rows as ``doc_ids``."""
    need = ["doc_id", "theme", "count", "n_tokens"]
    missing = [c for c in need if c not in counts.columns]
    if missing:
        raise CorpusError(
            f"the theme counts table has no column {', '.join(map(repr, missing))}",
            item="counts",
            hint="pass the table returned by discourse.theme_counts(corpus, dictionary)",
        )
    themes = list(pd.unique(counts["theme"].astype(str)))
    theme_code = {t: i for i, t in enumerate(themes)}
    doc_code = pd.Series(np.arange(len(doc_ids)), index=pd.Index(doc_ids.astype(str)))
    if doc_code.index.has_duplicates:
        dup = doc_code.index[doc_code.index.duplicated()][0]
        raise CorpusError(f"doc_id {dup!r} appears twice in the corpus",
                          hint="give every document a unique doc_id")
    rows = doc_code.reindex(counts["doc_id"].astype(str)).to_numpy()
    if np.isnan(rows.astype(float)).any():
        bad = counts["doc_id"].astype(str)[np.isnan(rows.astype(float))].iloc[0]
        raise CorpusError(
            f"the theme counts table has doc_id {bad!r}, which is not in the corpus",
            item="counts",
            hint="compute the counts on this corpus: theme_counts(corpus, dictionary)",
        )
    rows = rows.astype(np.int64)
    cols = counts["theme"].astype(str).map(theme_code).to_numpy(dtype=np.int64)
    mat = np.zeros((len(doc_ids), len(themes)))
    np.add.at(mat, (rows, cols), counts["count"].to_numpy(dtype=float))
    tokens = np.zeros(len(doc_ids))
    tokens[rows] = counts["n_tokens"].to_numpy(dtype=float)
    return themes, mat, tokens


def _spoken_documents(counts: pd.DataFrame, corpus: pd.DataFrame, dictionary) -> tuple[np.ndarray, list[str]]:
    """Whether each document of ``corpus`` is in a language the dictionary speaks, and the
    sorted languages of those that are.

    From the ``spoken`` and ``language`` columns of a :func:`discourse.theme_counts` table
    when it has them, else from :func:`discourse.themes.frequencies.document_languages`.
    """
    if "spoken" in counts.columns and "language" in counts.columns:
        first = counts.drop_duplicates("doc_id")
        by_doc = first.set_index(first["doc_id"].astype(str))
        ids = corpus["doc_id"].astype(str)
        spoken = by_doc["spoken"].reindex(ids).fillna(True).to_numpy(dtype=bool)
        langs = by_doc["language"].reindex(ids).fillna("und").astype(str).to_numpy()
    else:
        from discourse.themes.frequencies import document_languages

        table = document_languages(corpus, dictionary)
        spoken, langs = table["spoken"].to_numpy(dtype=bool), table["language"].astype(str).to_numpy()
    return spoken, sorted(set(langs[spoken].tolist()))


def track_themes(
    corpus: pd.DataFrame,
    dictionary=None,
    by: str = "event",
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    alpha: float = 0.05,
    n_perm: int = 1000,
    series: str | None | bool = None,
    fdr_family: str = "table",
    counts: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Theme frequencies per event and their change from the previous event of the series.

    For every group (event) and theme: the levels of :func:`discourse.theme_frequencies`
    (the share of documents that mention the theme and its rate per 1,000 tokens, with
    their intervals, :func:`discourse.stats.ratio_intervals`), in time order; then,
    against the previous group of the same series, the change in both, with an interval
    (the MOVER combination of the two level intervals,
    :func:`discourse.stats.difference_interval`), a test, Benjamini-Hochberg q-values and
    a ``rise``/``fall`` flag, computed by the change step that :func:`track_topics` also
    uses. Methods are described in
    ``docs/tracking.md``.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``doc_id``, ``text``, the ``by`` column; ``event_series``,
        ``date``, ``year`` for the order of events), or a Dask DataFrame of one (the same
        table; rate tests then drawn per document from the seed and ``doc_id``, see
        ``docs/scale.md``).
    dictionary : Dictionary, optional
        Theme dictionary; default :func:`discourse.default_dictionary`.
    by : str, default "event"
        Grouping column. ``"event"`` orders groups as :func:`events` does; any other
        column (e.g. ``"year"``) is ordered by its sorted values. Documents with a
        missing value form one last group (``NO_EVENT`` for events) that is reported
        but never compared.
    n_boot : int, default 1000
        0 leaves out every interval (levels and changes, NaN), as in
        :func:`discourse.theme_frequencies`; any other value gives them. The intervals
        are closed-form (no resampling): their values depend neither on ``n_boot`` nor
        on ``seed``.
    level : float, default 0.95
        Confidence level of the intervals.
    seed : int, default 0
        Seeds the permutations of the rate test: same inputs, same table.
    alpha : float, default 0.05
        False discovery rate at which a change is flagged.
    n_perm : int, default 1000
        Permutations of the rate test (0: no rate test).
    series : str or False, optional
        Column whose values define comparable sequences. Default: ``"event_series"`` when
        ``by="event"`` and the corpus has it, otherwise none (every group is compared
        with the one before). ``False`` puts all groups in one sequence.
    fdr_family : {"table", "theme", "event"}, default "table"
        The tests corrected together (Benjamini-Hochberg): every test of the table
        (the strictest), each theme's changes across events, or the themes of each
        comparison. See ``docs/tracking.md``.
    counts : DataFrame, optional
        A precomputed :func:`discourse.theme_counts` table of this corpus (saves
        counting twice when you also need the counts).

    Returns
    -------
    DataFrame
        One row per group and theme (groups in time order, themes in dictionary order):

        - the ``by`` column, and the series column when there is one;
        - ``theme``, ``n_docs``, ``n_docs_other_language`` (documents in a language the
          dictionary has no patterns for, left out of the other columns), ``docs_with_theme``, ``share_docs``,
          ``share_docs_low``, ``share_docs_high``, ``count``, ``n_tokens``, ``per_1k``,
          ``per_1k_low``, ``per_1k_high``: as in :func:`discourse.theme_frequencies`;
        - ``prev_<by>`` (``prev_event``): the group compared with (NA for the first of
          a series);
        - ``share_change`` (difference of shares, later minus earlier),
          ``share_change_low``, ``share_change_high``, ``share_test`` (``"z"`` or
          ``"fisher"``), ``share_p``, ``share_q``;
        - ``per_1k_change`` (difference of rates), ``per_1k_change_low``,
          ``per_1k_change_high``, ``per_1k_ratio`` (later / earlier), ``per_1k_p``
          (document permutation test), ``per_1k_q``;
        - ``change``: ``"rise"``, ``"fall"`` or ``""`` from the share test at
          ``share_q <= alpha``; ``change_per_1k``: the same from the rate test.

        Where a theme occurs in neither of the two groups there is nothing to test: the
        p- and q-values are NA and those comparisons do not count in the correction.
        ``attrs["languages"]`` lists the languages of the documents counted (rates per
        1,000 words of several languages mix denominators: a chart should say so).

    Examples
    --------
    >>> from discourse.datasets import make_synthetic_corpus
    >>> corpus = make_synthetic_corpus(240, n_events=4, series=("Forum",))
    >>> table = track_themes(corpus, n_boot=200, n_perm=200)  # doctest: +SKIP
    >>> table.query("theme == 'ai_safety'")[["event", "share_docs", "change"]]  # doctest: +SKIP
    """
    _check_common(n_boot, level, alpha, n_perm, fdr_family)
    if is_dask(corpus):  # the Dask path: sums and replicate sums from the partitions
        from discourse._dask_tracking import track_themes_dask

        return track_themes_dask(corpus, dictionary, by, n_boot=n_boot, level=level, seed=seed, alpha=alpha,
                                 n_perm=n_perm, series=series, fdr_family=fdr_family)
    _require_columns(corpus, ["doc_id", "text"], "track_themes()")
    codes, table, series_col = _groups(corpus, by, series)
    if counts is None:
        from discourse.themes import theme_counts

        counts = theme_counts(corpus, dictionary)
    themes, mat, tokens = _counts_matrix(counts, corpus["doc_id"])
    # documents in a language the dictionary has no patterns for: left out, counted apart
    spoken, languages = _spoken_documents(counts, corpus, dictionary)
    freq, share, rate = _theme_changes(mat, tokens, codes, table["_prev"].to_numpy(), spoken=spoken,
                                       n_boot=n_boot, n_perm=n_perm, level=level, seed=seed, alpha=alpha,
                                       fdr_family=fdr_family)
    return _themes_table(table, by, series_col, themes, freq, share, rate, alpha=alpha, level=level,
                         languages=languages)


def _theme_changes(mat: np.ndarray, tokens: np.ndarray, codes: np.ndarray, prev: np.ndarray, *,
                   spoken: np.ndarray | None = None, n_boot: int, n_perm: int, level: float, seed: int,
                   alpha: float, fdr_family: str) -> tuple[dict, dict, dict]:
    """Levels, share changes and rate changes of :func:`track_themes` from per-document counts.

    ``mat`` (documents x themes) and ``tokens`` are the counts of every document,
    ``codes`` their groups and ``prev`` the group each is compared with (-1: none).
    Returns ``frequency_levels``' dict and the :func:`_change_step` dicts of shares and
    rates (unscaled). The change intervals are the MOVER combination of the level
    intervals (docs/tracking.md, "Do the change intervals hold their level?").
    """
    n_groups = len(prev)
    if spoken is None:
        spoken = np.ones(len(mat), dtype=bool)
    freq = frequency_levels(mat, tokens, codes, n_groups, n_boot=n_boot, level=level, spoken=spoken)
    if not spoken.all():
        mat, tokens, codes = mat[spoken], tokens[spoken], codes[spoken]
    present = (mat > 0).astype(float)
    step = {"n_boot": n_boot, "n_perm": n_perm, "level": level, "seed": seed, "alpha": alpha,
            "fdr_family": fdr_family}
    share = _change_step(freq["_share"], present, np.ones(len(mat)), codes, prev,
                         test="two_proportion", levels=_theme_levels(freq, "share_docs"), **step)
    rate = _change_step(freq["_rate"], mat, tokens, codes, prev, test="permutation",
                        levels=_theme_levels(freq, "per_1k"), **step)
    return freq, share, rate


def _theme_levels(freq: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The unscaled level intervals of ``share_docs`` or ``per_1k`` (both paths)."""
    scale = 1000.0 if name == "per_1k" else 1.0
    return freq[f"{name}_low"] / scale, freq[f"{name}_high"] / scale


def _themes_table(table, by, series_col, themes, freq, share, rate, *, alpha, level,
                  languages=None) -> pd.DataFrame:
    """The table of :func:`track_themes` from its levels and changes (both paths)."""
    n_groups, n_themes = len(table), len(themes)
    rep = np.repeat(np.arange(n_groups), n_themes)
    out = pd.DataFrame({by: table[by].iloc[rep].reset_index(drop=True)})
    if series_col is not None:
        out[series_col] = table[series_col].iloc[rep].reset_index(drop=True)
    flat = lambda m: np.asarray(m, dtype=float).reshape(-1)  # noqa: E731
    out["theme"] = pd.Series(np.tile(np.array(themes, dtype=object), n_groups), dtype="str")
    for col in LEVEL_COLUMNS:
        values = freq[col].reshape(-1)
        out[col] = values.astype("int64") if col in _INT_LEVEL_COLUMNS else values.astype(float)
    out[f"prev_{by}"] = _prev_labels(table, by).iloc[rep].reset_index(drop=True)
    out["share_change"] = flat(share["change"])
    out["share_change_low"] = flat(share["low"])
    out["share_change_high"] = flat(share["high"])
    out["share_test"] = pd.Series(share["test"].reshape(-1), dtype="str")
    out["share_p"] = flat(share["p"])
    out["share_q"] = flat(share["q"])
    out["per_1k_change"] = flat(rate["change"]) * 1000
    out["per_1k_change_low"] = flat(rate["low"]) * 1000
    out["per_1k_change_high"] = flat(rate["high"]) * 1000
    out["per_1k_ratio"] = flat(rate["ratio"])
    out["per_1k_p"] = flat(rate["p"])
    out["per_1k_q"] = flat(rate["q"])
    out["change"] = pd.Series(share["flag"].reshape(-1), dtype="str")
    out["change_per_1k"] = pd.Series(rate["flag"].reshape(-1), dtype="str")
    out.attrs["alpha"] = alpha
    out.attrs["level"] = level
    if languages is not None:
        out.attrs["languages"] = languages
    return out


# --- topics ------------------------------------------------------------------------


def track_topics(
    model,
    corpus: pd.DataFrame,
    by: str = "event",
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    alpha: float = 0.05,
    n_perm: int = 1000,
    series: str | None | bool = None,
    fdr_family: str = "table",
    doc_topics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Topic prevalence per event and its change from the previous event of the series.

    The levels are those of ``model.topic_prevalence(corpus, by=by)`` (the mean of the
    topic's document weights over the group's documents with a topic mixture, and its
    interval), in time order; the change from the previous group of the same series is
    computed by the same change step as :func:`track_themes`: the difference of
    prevalences, with a bootstrap interval, a document permutation test,
    Benjamini-Hochberg q-values across topics x groups, and a ``rise``/``fall`` flag.

    Parameters
    ----------
    model : TopicModel
        A fitted model (its ``topic_prevalence`` and ``doc_topics`` are used).
    corpus : DataFrame
        The corpus table.
    by, n_boot, level, seed, alpha, n_perm, series
        As in :func:`track_themes`.
    fdr_family : {"table", "topic", "event"}, default "table"
        Tests corrected together: all, each topic's across events, or each comparison's.
    doc_topics : DataFrame, optional
        A precomputed ``model.doc_topics(corpus)`` table (doc_id, topic, weight): the
        per-document weights of the change step.

    Returns
    -------
    DataFrame
        One row per group and topic: the ``by`` column (and series column),
        ``topic``, ``label``, ``n_docs`` (documents with a topic mixture), ``prevalence``, ``prevalence_low``,
        ``prevalence_high``, ``prev_<by>``, ``prevalence_change``,
        ``prevalence_change_low``, ``prevalence_change_high``, ``prevalence_ratio``,
        ``p``, ``q``, ``change`` (``"rise"``, ``"fall"`` or ``""``).
    """
    _check_common(n_boot, level, alpha, n_perm, fdr_family)
    _require_columns(corpus, ["doc_id"], "track_topics()")
    if not hasattr(model, "topic_prevalence"):
        raise CorpusError(
            f"track_topics needs a fitted TopicModel, not {type(model).__name__}",
            item="model",
            hint="fit one with discourse.TopicModel(n_topics=...).fit(corpus)",
        )
    if is_dask(corpus):  # the Dask path: prevalence and replicate sums from the partitions
        from discourse.topics._dask import track_topics_dask

        return track_topics_dask(model, corpus, by, n_boot=n_boot, level=level, seed=seed, alpha=alpha,
                                 n_perm=n_perm, series=series, fdr_family=fdr_family)
    codes, table, series_col = _groups(corpus, by, series)
    n_groups = len(table)
    # levels: the model's own topic_prevalence, grouped by each group's rank in sorted
    # order (its numbering, so the same seeds) and put back in time order
    rank = _seed_rank(table, by)
    key = "_tracking_group"
    prevalence = model.topic_prevalence(corpus.assign(**{key: rank[codes]}), by=key,
                                        n_boot=n_boot, level=level, seed=seed)
    topics = sorted(pd.unique(prevalence["topic"]))
    n_topics = len(topics)
    where = {int(r): g for g, r in enumerate(rank)}
    levels = {c: np.full((n_groups, n_topics), np.nan)
              for c in ("prevalence", "prevalence_low", "prevalence_high", "n_docs")}
    labels = dict(zip(prevalence["topic"], prevalence["label"].astype(str), strict=False))
    col_of = {t: j for j, t in enumerate(topics)}
    rows = prevalence[key].map(where).to_numpy(dtype=np.int64)
    cols = prevalence["topic"].map(col_of).to_numpy(dtype=np.int64)
    for c in levels:
        levels[c][rows, cols] = prevalence[c].to_numpy(dtype=float)
    n_docs = np.nan_to_num(levels["n_docs"][:, 0] if n_topics else np.zeros(n_groups))

    # per-document weights of the change step (documents without a topic mixture left out,
    # as in topic_prevalence)
    if doc_topics is None:
        doc_topics = model.doc_topics(corpus)
    missing = [c for c in ("doc_id", "topic", "weight") if c not in doc_topics.columns]
    if missing:
        raise CorpusError(
            f"the doc-topics table has no column {', '.join(map(repr, missing))}",
            item="doc_topics",
            hint="pass the table returned by model.doc_topics(corpus)",
        )
    as_counts = doc_topics.rename(columns={"topic": "theme", "weight": "count"}).assign(n_tokens=1)
    as_counts["theme"] = as_counts["theme"].astype(str)
    keys, weights, _ = _counts_matrix(as_counts, corpus["doc_id"])
    weights = weights[:, [keys.index(str(t)) for t in topics]]
    has = weights.sum(1) > 0
    weights, codes = weights[has], codes[has]
    chg = _change_step(levels["prevalence"], weights, np.ones(len(weights)), codes,
                       table["_prev"].to_numpy(), test="permutation", n_boot=n_boot,
                       n_perm=n_perm, level=level, seed=seed, alpha=alpha, fdr_family=fdr_family)
    return _topics_table(table, by, series_col, topics, labels, n_docs, levels, chg, alpha=alpha, level=level)


def _topics_table(table, by, series_col, topics, labels, n_docs, levels, chg, *, alpha, level) -> pd.DataFrame:
    """The table of :func:`track_topics` from its levels and changes (both paths)."""
    n_groups, n_topics = len(table), len(topics)
    rep = np.repeat(np.arange(n_groups), n_topics)
    flat = lambda m: np.asarray(m, dtype=float).reshape(-1)  # noqa: E731
    out = pd.DataFrame({by: table[by].iloc[rep].reset_index(drop=True)})
    if series_col is not None:
        out[series_col] = table[series_col].iloc[rep].reset_index(drop=True)
    topic_values = pd.Series(topics * n_groups if n_groups else [], dtype=object)
    out["topic"] = topic_values.infer_objects() if len(topic_values) else pd.Series([], dtype=object)
    out["label"] = pd.Series([labels.get(t, str(t)) for t in topic_values], dtype="str")
    out["n_docs"] = n_docs[rep].astype("int64")
    out["prevalence"] = flat(levels["prevalence"])
    out["prevalence_low"] = flat(levels["prevalence_low"])
    out["prevalence_high"] = flat(levels["prevalence_high"])
    out[f"prev_{by}"] = _prev_labels(table, by).iloc[rep].reset_index(drop=True)
    out["prevalence_change"] = flat(chg["change"])
    out["prevalence_change_low"] = flat(chg["low"])
    out["prevalence_change_high"] = flat(chg["high"])
    out["prevalence_ratio"] = flat(chg["ratio"])
    out["p"] = flat(chg["p"])
    out["q"] = flat(chg["q"])
    out["change"] = pd.Series(chg["flag"].reshape(-1), dtype="str")
    out.attrs["alpha"] = alpha
    out.attrs["level"] = level
    return out


# --- distinctive terms -------------------------------------------------------------


def _term_counts(texts, ngram_range: tuple[int, int], stop: frozenset, min_length: int,
                 drop_numbers: bool):
    """Counter of the terms of ``texts`` (unigrams and/or bigrams of discourse tokens)."""
    from collections import Counter

    from discourse.text import to_simplified, tokenize

    lo, hi = ngram_range
    cnt: Counter = Counter()
    for text in texts:
        if not isinstance(text, str) or not text:
            continue
        toks = tokenize(to_simplified(text))  # Chinese: segmented words, in simplified characters
        if lo <= 1 <= hi:
            cnt.update(toks)
        if lo <= 2 <= hi and len(toks) > 1:
            cnt.update(zip(toks, toks[1:], strict=False))
    keep = {}

    def ok(tok: str) -> bool:
        return len(tok) >= min_length and tok not in stop and not (drop_numbers and tok.isdigit())

    for term, c in cnt.items():
        if isinstance(term, tuple):
            if ok(term[0]) and ok(term[1]):
                keep[term[0] + " " + term[1]] = c
        elif ok(term):
            keep[term] = c
    return keep


def distinctive_terms(
    corpus: pd.DataFrame,
    by: str = "event",
    *,
    n: int = 20,
    prior: float | pd.Series = 0.01,
    min_count: int = 10,
    stop_words: bool | list[str] | frozenset = True,
    ngram_range: tuple[int, int] = (1, 1),
    min_length: int = 2,
    drop_numbers: bool = True,
) -> pd.DataFrame:
    """Terms that set each group apart from the rest: log-odds with an informative Dirichlet prior.

    Terms are the tokens of :func:`discourse.text.tokenize`: in Chinese, the words of the
    segmenter, counted in simplified characters (數位 and 数位 are one term).

    Monroe, Colaresi & Quinn (2008): for each group and term, the log-odds ratio of the
    term in the group against all other documents pooled, shrunk by a Dirichlet prior
    proportional to the term's corpus-wide frequency, and its z-score (the log-odds
    over its approximate standard error). Ranking by ``z`` favours terms that are both
    over-used and frequent enough to be sure of it. Details in ``docs/tracking.md``.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table (``text`` and the ``by`` column).
    by : str, default "event"
        Grouping column (events in :func:`events` order; other columns sorted).
    n : int, default 20
        Terms per group (the ``n`` highest z-scores; fewer if the vocabulary is small).
    prior : float or Series, default 0.01
        A float ``s``: pseudo-count ``s x`` (the term's corpus count) per term, i.e. a
        prior worth ``s`` times the corpus. A Series term -> pseudo-count (e.g. counts
        from a background corpus) gives them directly; terms missing from it get the
        smallest given value.
    min_count : int, default 10
        Terms seen fewer times in the whole corpus are ignored.
    stop_words : bool or list of str, default True
        True: :func:`discourse.text.stop_words` of every shipped language (English and
        Chinese lists, plus the speech boilerplate of both); a list: those words added
        to it; False: keep every word.
    ngram_range : (int, int), default (1, 1)
        ``(1, 2)`` adds bigrams ("digital divide"), ``(2, 2)`` uses bigrams only. A
        bigram is kept when neither word is a stop word (so no bigram spans a removed
        word). Its two words are joined by a space in every language ("数字 鸿沟"), so
        that a Chinese bigram is never mistaken for a word the segmenter keeps whole.
    min_length : int, default 2
        Shorter tokens (the "s" of "AI's"; in Chinese, one-character words, mostly
        particles) are ignored.
    drop_numbers : bool, default True
        Ignore all-digit tokens (years, paragraph and page numbers).

    Returns
    -------
    DataFrame
        Columns: the ``by`` column, ``term``, ``rank`` (1 = most distinctive),
        ``count`` (in the group), ``count_rest`` (in all other groups), ``log_odds``
        (``delta``, natural log), ``z``. Groups in time order, then rank.

    Raises
    ------
    CorpusError
        When the corpus has fewer than two groups (there is no "rest" to compare with).
    """
    from discourse.text import STOP_WORD_LANGUAGES
    from discourse.text import stop_words as _stop_words

    _require_columns(corpus, ["text"], "distinctive_terms()")
    if n < 1:
        raise ValueError(f"n must be 1 or more, not {n!r}")
    lo_n, hi_n = ngram_range
    if not (1 <= lo_n <= hi_n <= 2):
        raise ValueError(f"ngram_range must be (1, 1), (1, 2) or (2, 2), not {ngram_range!r}")
    if stop_words is True:
        stop = _stop_words(language=STOP_WORD_LANGUAGES)
    elif stop_words is False or stop_words is None:
        stop = frozenset()
    else:
        stop = _stop_words(extra=list(stop_words), language=STOP_WORD_LANGUAGES)
    if is_dask(corpus):  # the Dask path: term counts per group from the partitions
        from discourse._dask_tracking import group_term_counts_dask

        per_group, table = group_term_counts_dask(corpus, by, ngram_range, stop, min_length, drop_numbers)
        _check_two_groups(table, by)
        return _distinctive_table(per_group, table, by, n=n, prior=prior, min_count=min_count)
    codes, table, _ = _groups(corpus, by, False)
    _check_two_groups(table, by)
    n_groups = len(table)
    texts = np.asarray(corpus_texts(corpus), dtype=object)
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(codes, minlength=n_groups))])
    per_group = [
        _term_counts(texts[order[bounds[g]: bounds[g + 1]]], ngram_range, stop, min_length,
                     drop_numbers)
        for g in range(n_groups)
    ]
    return _distinctive_table(per_group, table, by, n=n, prior=prior, min_count=min_count)


def _check_two_groups(table: pd.DataFrame, by: str) -> None:
    n_groups = len(table)
    if n_groups < 2:
        raise TooFewGroups(
            f'distinctive terms need at least two groups to compare, and the corpus has '
            f'{n_groups} by "{by}"' + (f" ({table[by].iloc[0]})" if n_groups else ""),
            item="distinctive_terms()",
            hint="group by a column with several values (by=...), or add documents of other events",
        )


def _distinctive_table(per_group: list, table: pd.DataFrame, by: str, *, n: int, prior, min_count: int) -> pd.DataFrame:
    """The table of :func:`distinctive_terms` from the term counts of each group (both paths)."""
    from scipy import sparse

    n_groups = len(table)
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for g, cnt in enumerate(per_group):
        for term, c in cnt.items():
            j = vocab.setdefault(term, len(vocab))
            rows.append(g)
            cols.append(j)
            vals.append(c)
    terms = np.array(sorted(vocab), dtype=object)
    remap = np.empty(len(vocab), dtype=np.int64)
    for new, term in enumerate(terms):
        remap[vocab[term]] = new
    mat = sparse.csr_matrix(
        (np.asarray(vals, dtype=float), (np.asarray(rows, dtype=np.int64),
                                         remap[np.asarray(cols, dtype=np.int64)])),
        shape=(n_groups, len(terms)),
    )
    total = np.asarray(mat.sum(0)).ravel()
    keep = total >= min_count
    terms, mat, total = terms[keep], mat[:, keep], total[keep]
    columns = [by, "term", "rank", "count", "count_rest", "log_odds", "z"]
    if len(terms) == 0 or n_groups == 0:
        empty = pd.DataFrame({c: [] for c in columns})
        empty[by] = table[by].iloc[:0]
        return empty.astype({"term": "str", "rank": "int64", "count": "int64",
                             "count_rest": "int64", "log_odds": float, "z": float})
    if isinstance(prior, pd.Series):
        given = prior.astype(float)
        floor = float(given[given > 0].min()) if (given > 0).any() else 0.01
        prior_arr = given.reindex(terms).fillna(floor).to_numpy(dtype=float)
    else:
        prior_arr = prior
    from discourse.stats import log_odds_dirichlet

    dense = mat.toarray()
    delta, z = log_odds_dirichlet(dense, prior_arr)
    frames = []
    for g in range(n_groups):
        zg = z[g]
        # highest z first; ties by term (terms are sorted, so a stable sort does it)
        top = np.argsort(-zg, kind="stable")[: min(n, len(terms))]
        top = top[np.isfinite(zg[top])]
        frames.append(pd.DataFrame({
            "_g": g,
            "term": terms[top],
            "rank": np.arange(1, len(top) + 1, dtype=np.int64),
            "count": dense[g, top].astype(np.int64),
            "count_rest": (total[top] - dense[g, top]).astype(np.int64),
            "log_odds": delta[g, top],
            "z": zg[top],
        }))
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, by, table[by].iloc[out.pop("_g").to_numpy()].reset_index(drop=True))
    out["term"] = out["term"].astype("str")
    return out[columns]


# --- reading tracked tables (appended; used by the report) ----------------------------------

#: Column names of each measure in :func:`track_themes` / :func:`track_topics` tables:
#: value, change, change interval, flag, q-value.
_MEASURE_COLUMNS = {
    "per_1k": ("per_1k", "per_1k_change", "per_1k_change_low", "per_1k_change_high", "change_per_1k", "per_1k_q"),
    "share_docs": ("share_docs", "share_change", "share_change_low", "share_change_high", "change", "share_q"),
    "prevalence": ("prevalence", "prevalence_change", "prevalence_change_low", "prevalence_change_high", "change",
                   "q"),
}


def change_columns(track: pd.DataFrame, measure: str | None = None) -> dict[str, str | None]:
    """Name the columns of a tracked table that describe one measure and its change.

    Parameters
    ----------
    track : DataFrame
        From :func:`track_themes` or :func:`track_topics`.
    measure : {"per_1k", "share_docs", "prevalence"}, optional
        Default: ``"prevalence"`` for topic tables (they have that column), else
        ``"per_1k"``.

    Returns
    -------
    dict
        ``measure``; ``by`` (the grouping column, read from the ``prev_<by>`` column;
        None when the table has none) and ``prev`` (``prev_<by>``); ``item``
        (``"theme"`` or ``"topic"``); ``value``, ``change``, ``low``, ``high`` (the
        change's interval), ``flag`` (``rise``/``fall`` column) and ``q``.

    Raises
    ------
    ValueError
        For another measure.

    Examples
    --------
    >>> import pandas as pd
    >>> cols = change_columns(pd.DataFrame(columns=["event", "theme", "per_1k", "prev_event"]))
    >>> cols["by"], cols["change"], cols["flag"]
    ('event', 'per_1k_change', 'change_per_1k')
    """
    if measure is None:
        measure = "prevalence" if "prevalence" in track.columns else "per_1k"
    if measure not in _MEASURE_COLUMNS:
        raise ValueError(f"measure must be 'per_1k', 'share_docs' or 'prevalence', not {measure!r}")
    value, change, low, high, flag, q = _MEASURE_COLUMNS[measure]
    prev = next((str(c) for c in track.columns if str(c).startswith("prev_")), None)
    return {
        "measure": measure,
        "by": prev[len("prev_"):] if prev else None,
        "prev": prev,
        "item": "theme" if "theme" in track.columns else "topic",
        "value": value,
        "change": change,
        "low": low,
        "high": high,
        "flag": flag,
        "q": q,
    }


def has_comparisons(track: pd.DataFrame) -> bool:
    """Whether any group of a tracked table has a previous group to be compared with.

    False for a single event, or events each alone in their series.
    """
    prev = change_columns(track)["prev"]
    return bool(prev is not None and track[prev].notna().any())


def significant_changes(track: pd.DataFrame) -> pd.DataFrame:
    """The rows of a tracked table with a significant change (flagged ``rise`` or ``fall``).

    Parameters
    ----------
    track : DataFrame
        From :func:`track_themes` (a row is kept when its share or its rate changed
        significantly) or :func:`track_topics`.

    Returns
    -------
    DataFrame
        Those rows, in the table's order (a new table).
    """
    flags = [c for c in ("change", "change_per_1k") if c in track.columns]
    keep = np.zeros(len(track), dtype=bool)
    for column in flags:
        keep |= track[column].isin(["rise", "fall"]).to_numpy()
    return track[keep].copy()


def changed_topics(track: pd.DataFrame, n: int = 6, *, fallback: int = 3) -> list:
    """The topics of a :func:`track_topics` table that changed significantly most often.

    Parameters
    ----------
    track : DataFrame
        From :func:`track_topics` (columns ``topic`` and ``change``).
    n : int, default 6
        At most this many topics, most flagged changes first (ties: table order).
    fallback : int, default 3
        When no topic changed significantly, the first ``fallback`` topics of the table.

    Returns
    -------
    list
        Topic ids, for ``plots.plot_topic_prevalence(track, topics=...)``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"topic": [0, 1, 2, 0, 1, 2], "change": ["", "rise", "", "", "fall", "rise"]})
    >>> changed_topics(t)
    [1, 2]
    """
    order = list(pd.unique(track["topic"]))
    flagged = track.loc[track["change"].isin(["rise", "fall"]), "topic"]
    if flagged.empty:
        return order[:fallback]
    counts = flagged.value_counts()
    ranked = sorted(counts.index, key=lambda t: (-int(counts[t]), order.index(t)))
    return ranked[:n]


def in_event_order(table: pd.DataFrame, corpus: pd.DataFrame) -> pd.DataFrame:
    """Put a table by event (e.g. ``theme_frequencies(corpus, by="event")``) in time order, with series.

    Rows follow the order of :func:`events` (first date, then year, then name; documents
    without an event last, as :data:`NO_EVENT`), keeping their order within an event;
    the ``event_series`` of each event (as :func:`events` gives it) is inserted after
    ``event`` when the corpus has series. This is the order and the series column of
    :func:`track_themes` tables.

    Parameters
    ----------
    table : DataFrame
        With an ``event`` column (missing values are documents without an event).
    corpus : DataFrame
        The corpus the table was computed on (``event``; ``event_series``, ``date``,
        ``year`` for the order).

    Returns
    -------
    DataFrame
        A new table.
    """
    _require_columns(table, ["event"], "in_event_order()")
    order = _events_order(corpus)
    rank = {e: i for i, e in enumerate(order["event"])}
    labels = table["event"].astype("object")
    labels = labels.where(~_is_missing_label(labels), NO_EVENT).map(str)
    out = table.assign(event=labels.to_numpy())
    known = "event_series" in corpus.columns and not _is_missing_label(corpus["event_series"]).all()
    if known and "event_series" not in out.columns:
        series = dict(zip(order["event"], order["event_series"], strict=True))
        values = pd.Series([series.get(e) for e in labels], dtype="object")
        out.insert(out.columns.get_loc("event") + 1, "event_series",
                   values.astype("str").where(values.notna().to_numpy()).to_numpy())
    position = labels.map(rank).fillna(len(rank)).to_numpy()
    return out.iloc[np.argsort(position, kind="stable")].reset_index(drop=True)


__all__ += ["change_columns", "changed_topics", "has_comparisons", "in_event_order", "significant_changes"]
