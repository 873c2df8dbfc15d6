"""A plain-text summary of a corpus table (used by ``discourse info``)."""

from __future__ import annotations

import pandas as pd

from discourse.corpus.table import corpus_texts
from discourse.text import count_tokens

__all__ = ["corpus_summary"]


def _fmt(n: int) -> str:
    return f"{n:,}"


def corpus_summary(corpus: pd.DataFrame, *, max_items: int = 8) -> str:
    """Summarise a corpus table in a few lines of text.

    Parameters
    ----------
    corpus : pandas.DataFrame or dask.dataframe.DataFrame
        A table from :func:`~discourse.corpus.load_corpus` (any table with a
        ``text`` column works; missing metadata columns are reported as such). A Dask
        corpus (``backend="dask"``) is read partition by partition: the tokens are
        counted inside the partitions, only the metadata columns and the counts come
        back; the summary is the same as for the pandas corpus.
    max_items : int, default 8
        How many skipped files (and events) to list by name.

    Returns
    -------
    str
        Documents (seen, loaded, skipped), tokens (total and median per document,
        with :func:`discourse.text.count_tokens`), events and series, years,
        speakers, countries, sources, languages and encodings (documents of each),
        and the skipped and ignored files with reasons.
    """
    from discourse._dask import is_dask

    tokens = None
    if is_dask(corpus):  # the Dask path: tokens counted in the partitions, no text comes back
        from discourse.corpus._dask import summary_parts

        corpus, tokens = summary_parts(corpus)
    lines = []
    attrs = corpus.attrs or {}
    n = len(corpus)
    if "source" in attrs:
        lines.append(f"source:     {attrs['source']} (format {attrs.get('format', '?')})")
    skipped = list(attrs.get("skipped", []) or [])
    seen = attrs.get("n_seen", n + len(skipped))
    lines.append(f"documents:  {_fmt(n)} loaded, {_fmt(len(skipped))} skipped, {_fmt(seen)} seen")
    if ("text" in corpus.columns or tokens is not None) and n:
        if tokens is None:
            tokens = [count_tokens(t) for t in corpus_texts(corpus)]
        counts = pd.Series(tokens, dtype="int64")
        lines.append(
            f"tokens:     {_fmt(int(counts.sum()))} (median {_fmt(int(counts.median()))} per document)"
        )

    def distinct(col: str) -> list:
        if col not in corpus.columns:
            return []
        return sorted(corpus[col].dropna().unique().tolist(), key=str)

    if "event" in corpus.columns:
        events = corpus["event"].dropna()
        n_missing = int(corpus["event"].isna().sum())
        counts = events.value_counts()
        order = (
            corpus.dropna(subset=["event"])
            .sort_values(["year", "event"], kind="stable")["event"]
            .drop_duplicates()
            .tolist()
            if "year" in corpus.columns
            else sorted(counts.index)
        )
        shown = ", ".join(f"{e} ({counts[e]})" for e in order[:max_items])
        more = f", ... {len(order) - max_items} more" if len(order) > max_items else ""
        lines.append(
            f"events:     {len(order)}"
            + (f": {shown}{more}" if order else "")
            + (f"; {n_missing} documents without event" if n_missing else "")
        )
        series = distinct("event_series")
        if series:
            lines.append(
                f"series:     {len(series)}: "
                + ", ".join(map(str, series[:max_items]))
                + (" ..." if len(series) > max_items else "")
            )
    if "year" in corpus.columns:
        years = corpus["year"].dropna()
        if len(years):
            lines.append(
                f"years:      {int(years.min())}-{int(years.max())} ({years.nunique()} distinct; {int(corpus['year'].isna().sum())} documents without year)"
            )
        else:
            lines.append("years:      none known")
    for col, label in (
        ("speaker", "speakers"),
        ("organisation", "orgs"),
        ("country", "countries"),
        ("source", "sources"),
    ):
        if col in corpus.columns:
            vals = distinct(col)
            missing = int(corpus[col].isna().sum())
            if vals:
                lines.append(
                    f"{label + ':':<11} {len(vals)} distinct ({missing} documents without)"
                )
            elif col == "speaker":
                lines.append(f"{label + ':':<11} none known")
    for col, label in (("language", "languages"), ("encoding", "encodings")):
        if col in corpus.columns and corpus[col].notna().any():
            counts = corpus[col].dropna().astype(str).value_counts()
            counts = counts.sort_index().sort_values(ascending=False, kind="stable")
            lines.append(f"{label + ':':<11} " + ", ".join(f"{k} {_fmt(int(v))}" for k, v in counts.items()))
    lines.append(f"skipped:    {len(skipped)} file(s)/row(s)" + (":" if skipped else ""))
    for rec in skipped[:max_items]:
        where = rec.get("path", "?")
        if rec.get("line"):
            where += f", line {rec['line']}"
        if rec.get("row"):
            where += f", row {rec['row']}"
        lines.append(f"  - {where}: {rec.get('reason')}")
    if len(skipped) > max_items:
        lines.append(f"  ... {len(skipped) - max_items} more (see corpus.attrs['skipped'])")
    ignored = list(attrs.get("ignored", []) or [])
    if ignored:
        lines.append(f"ignored:    {len(ignored)} file(s) that are not documents:")
        for rec in ignored[:max_items]:
            lines.append(f"  - {rec['path']}: {rec['reason']}")
        if len(ignored) > max_items:
            lines.append(f"  ... {len(ignored) - max_items} more (see corpus.attrs['ignored'])")
    return "\n".join(lines)


# --- tables of documents (the report's corpus overview) --------------------------------------
# (moved here from discourse.report: counting documents is the corpus's job)

_LISTING_COLUMNS = ["doc_id", "event", "event_series", "date", "year", "title", "speaker", "organisation", "country", "source"]
#: The value :func:`documents_by` gives documents whose metadata value is missing.
UNKNOWN = "(unknown)"


def documents_by(corpus: pd.DataFrame, by: str | None, *, sort: str | None = None) -> pd.DataFrame:
    """Count documents and words per value of a metadata column, or list the documents.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table. If it has an ``n_tokens`` column (e.g. the listing returned by
        ``documents_by(corpus, None)``) it is used instead of counting tokens again.
    by : str or None
        A metadata column (``"year"``, ``"event_series"``, ``"speaker"``...); ``None``
        lists the documents.
    sort : {None, "n_docs"}
        ``None``: by value (years ascending), unknown values last; ``"n_docs"``: most
        documents first (then by value).

    Returns
    -------
    DataFrame
        With ``by``: columns ``by`` (str; missing values as ``"(unknown)"``),
        ``n_docs``, ``n_tokens``, ``share_docs``. With ``by=None``: ``doc_id``, the
        metadata columns present among event, event_series, date, year, title, speaker,
        organisation, country, source, and ``n_tokens``, ordered by date, year, doc_id.
        An empty table if ``by`` is not a column of the corpus.
    """
    if "n_tokens" in corpus.columns:
        n_tokens = corpus["n_tokens"].to_numpy()
    else:
        from discourse.corpus.table import corpus_texts

        n_tokens = [count_tokens(t) for t in corpus_texts(corpus)]
    if by is None:
        cols = [c for c in _LISTING_COLUMNS if c in corpus.columns]
        listing = corpus[cols].copy()
        listing["n_tokens"] = pd.array(n_tokens, dtype="int64")
        keys = [c for c in ("date", "year", "doc_id") if c in listing.columns]
        return listing.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)
    if by not in corpus.columns:
        return pd.DataFrame({by: pd.Series([], dtype=str), "n_docs": pd.Series([], dtype="int64"), "n_tokens": pd.Series([], dtype="int64"), "share_docs": pd.Series([], dtype=float)})
    values = corpus[by].astype(object)
    missing = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
    work = pd.DataFrame({"value": values, "n_tokens": n_tokens, "missing": missing.to_numpy()})
    known = work[~work["missing"]]
    grouped = known.groupby("value", sort=True)
    table = pd.DataFrame({"n_docs": grouped.size(), "n_tokens": grouped["n_tokens"].sum()}).reset_index()
    table["value"] = table["value"].map(lambda v: str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v))
    if sort == "n_docs":
        table = table.sort_values(["n_docs", "value"], ascending=[False, True], kind="stable")
    if work["missing"].any():
        unknown = work[work["missing"]]
        table = pd.concat(
            [table, pd.DataFrame({"value": [UNKNOWN], "n_docs": [len(unknown)], "n_tokens": [int(unknown["n_tokens"].sum())]})],
            ignore_index=True,
        )
    table = table.rename(columns={"value": by}).reset_index(drop=True)
    table[by] = table[by].astype(str)
    table["n_docs"] = table["n_docs"].astype("int64")
    table["n_tokens"] = table["n_tokens"].astype("int64")
    table["share_docs"] = table["n_docs"] / max(1, len(corpus))
    return table


def skipped_table(skipped) -> pd.DataFrame:
    """Return the files skipped when loading (``corpus.attrs["skipped"]``) as a table.

    Parameters
    ----------
    skipped : iterable of dict or DiscourseError
        ``corpus.attrs["skipped"]`` of :func:`~discourse.corpus.load_corpus` (records
        with ``path`` and ``reason``), or errors.

    Returns
    -------
    DataFrame
        Columns ``path``, ``reason`` (and ``line``/``row``/``hint`` when given), sorted by path.
    """
    from collections.abc import Mapping

    from discourse.errors import DiscourseError

    rows = []
    for item in skipped:
        if isinstance(item, Mapping):
            rows.append(dict(item))
        elif isinstance(item, DiscourseError):
            rows.append(item.as_record())
        else:
            rows.append({"path": None, "reason": str(item)})
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame({"path": pd.Series([], dtype=str), "reason": pd.Series([], dtype=str)})
    table = table.dropna(axis=1, how="all")
    first = [c for c in ("path", "reason") if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]
    if "path" in table.columns:
        table = table.sort_values("path", kind="stable", na_position="last")
    return table.reset_index(drop=True)




def filled_columns(table: pd.DataFrame, columns) -> list[str]:
    """Return the columns of ``columns`` that ``table`` has and fills for at least one row.

    A value is missing when it is NA, blank, or :data:`UNKNOWN` (the value
    :func:`documents_by` gives missing metadata).

    Parameters
    ----------
    table : DataFrame
        A corpus table, or the listing of ``documents_by(corpus, None)``.
    columns : list of str
        Metadata columns, e.g. ``["speaker", "organisation", "country", "source"]``.

    Returns
    -------
    list of str
        In the order given.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"speaker": [None, "Ann"], "country": [None, " "]})
    >>> filled_columns(docs, ["speaker", "country", "source"])
    ['speaker']
    """
    out = []
    for column in columns:
        if column not in table.columns:
            continue
        values = table[column].astype(object)
        known = values.notna() & ~values.map(lambda v: isinstance(v, str) and (not v.strip() or v == UNKNOWN)).astype(bool)
        if known.any():
            out.append(column)
    return out


__all__ += ["UNKNOWN", "documents_by", "filled_columns", "skipped_table"]
