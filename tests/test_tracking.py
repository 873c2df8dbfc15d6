"""Tests of discourse.tracking: events, theme/topic tracking, distinctive terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from discourse.errors import CorpusError
from discourse.tracking import NO_EVENT, events


def _corpus(**cols):
    return pd.DataFrame(cols)


# --- events -----------------------------------------------------------------------


def test_events_orders_by_date_then_year_then_name_and_counts_tokens():
    corpus = _corpus(
        event=["B 2021", "A 2020", "A 2020", "C", "D", "E"],
        event_series=["S", "S", "S", "T", "T", None],
        text=["one two", "three", "four five-six", "x", "y", ""],
        date=pd.to_datetime(["2021-09-01", "2020-09-02", "2020-09-01", None, None, "2019-01-01"]),
        year=pd.array([2021, 2020, 2020, 2018, None, 2019], dtype="Int64"),
    )
    ev = events(corpus)
    assert list(ev.columns) == ["event", "event_series", "year", "date", "n_docs", "n_tokens"]
    # E (2019-01-01) first; C and D have no date: C by year, D (no year) last
    assert list(ev["event"]) == ["E", "A 2020", "B 2021", "C", "D"]
    a = ev.set_index("event").loc["A 2020"]
    assert a["n_docs"] == 2 and a["n_tokens"] == 4  # "four five-six" is 3 tokens
    assert a["date"] == pd.Timestamp("2020-09-01")
    assert ev["year"].dtype == "Int64" and pd.isna(ev.set_index("event").loc["D", "year"])
    assert pd.isna(ev.set_index("event").loc["E", "event_series"])
    assert ev["n_docs"].sum() == len(corpus)


def test_events_gathers_documents_without_event_last():
    corpus = _corpus(
        event=[None, "A", "  ", "B"],
        text=["a b", "c", "d e f", "g"],
        year=[1990, 2000, 1980, 1999],
    )
    ev = events(corpus)
    assert list(ev["event"]) == ["B", "A", NO_EVENT]
    assert ev.iloc[-1]["n_docs"] == 2 and ev.iloc[-1]["n_tokens"] == 5
    assert pd.isna(ev.iloc[-1]["event_series"])


def test_events_is_stable_and_does_not_mutate():
    corpus = _corpus(event=["b", "a", "c"], text=["x", "y", "z"])
    before = corpus.copy()
    ev = events(corpus)
    assert list(ev["event"]) == ["a", "b", "c"]  # no dates, no years: by name
    pd.testing.assert_frame_equal(corpus, before)
    pd.testing.assert_frame_equal(events(corpus), ev)


def test_events_empty_corpus_and_missing_column():
    ev = events(_corpus(event=pd.Series([], dtype=str), text=pd.Series([], dtype=str)))
    assert len(ev) == 0 and list(ev.columns)[:2] == ["event", "event_series"]
    with pytest.raises(CorpusError, match="no column 'event'"):
        events(_corpus(text=["a"]))
    with pytest.raises(CorpusError, match="corpus DataFrame"):
        events(["a"])
