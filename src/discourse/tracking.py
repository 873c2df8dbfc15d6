"""Track themes and topics across events: the events table, change tests, distinctive terms.

Every function takes the corpus table (one row per document, see
:func:`discourse.load_corpus`) and returns a new tidy DataFrame; nothing here draws
(charts are in :mod:`discourse.plots`, which only draws these tables).

Events and their order
    :func:`events` lists the events of a corpus in time order (first date of their
    documents, then year, then name). Changes are always measured from the previous
    event *of the same series* in that order (UNGA 78 -> UNGA 79, never IGF 2024 ->
    UNGA 79). Documents without an event are gathered in one row named
    :data:`NO_EVENT`, placed last and never compared with anything.

Methods (intervals, tests, multiple comparisons) are described in ``docs/tracking.md``
and implemented in :mod:`discourse.stats`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from discourse.errors import CorpusError
from discourse.text import count_tokens

__all__ = ["NO_EVENT", "events"]

#: Label of the row (and group) that gathers documents whose event is unknown.
NO_EVENT = "(no event)"

_EVENT_COLUMNS = ["event", "event_series", "year", "date", "n_docs", "n_tokens"]


def _require_columns(corpus: pd.DataFrame, columns: list[str], what: str) -> None:
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
        ``year`` are used when present).

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
    _require_columns(corpus, ["event", "text"], "events()")
    n = len(corpus)
    labels = _event_labels(corpus)
    text = corpus["text"].astype("object")
    n_tok = np.fromiter(
        (count_tokens(t) if isinstance(t, str) else 0 for t in text), dtype=np.int64, count=n
    )
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
        }
    )
    if n == 0:
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
            "n_docs": grouped.size(),
            "n_tokens": grouped["n_tokens"].sum(),
        }
    )
    # the series of each event: most frequent non-missing one, ties alphabetically
    ser = work.dropna(subset=["event_series"])
    if len(ser):
        counts = (
            ser.groupby(["event", "event_series"], sort=True).size().rename("k").reset_index()
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
