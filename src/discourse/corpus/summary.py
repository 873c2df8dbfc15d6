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
    corpus : pandas.DataFrame
        A table from :func:`~discourse.corpus.load_corpus` (any table with a
        ``text`` column works; missing metadata columns are reported as such).
    max_items : int, default 8
        How many skipped files (and events) to list by name.

    Returns
    -------
    str
        Documents (seen, loaded, skipped), tokens (total and median per document,
        with :func:`discourse.text.count_tokens`), events and series, years,
        speakers, countries, sources, and the skipped and ignored files with reasons.
    """
    lines = []
    attrs = corpus.attrs or {}
    n = len(corpus)
    if "source" in attrs:
        lines.append(f"source:     {attrs['source']} (format {attrs.get('format', '?')})")
    skipped = list(attrs.get("skipped", []) or [])
    seen = attrs.get("n_seen", n + len(skipped))
    lines.append(f"documents:  {_fmt(n)} loaded, {_fmt(len(skipped))} skipped, {_fmt(seen)} seen")
    if "text" in corpus.columns and n:
        counts = pd.Series([count_tokens(t) for t in corpus_texts(corpus)], dtype="int64")
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
