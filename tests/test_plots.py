"""Tests of discourse.plots: every chart returns Axes, draws its table, never saves."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from discourse import plots  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def no_save(monkeypatch):
    """Fail if a plot function saves a figure."""

    def boom(*args, **kwargs):
        raise AssertionError("plot functions must never save")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", boom)


def _events_table(n=5):
    return pd.DataFrame(
        {
            "event": [f"Event number {i} with a rather long descriptive name" for i in range(n)],
            "event_series": ["S"] * n,
            "year": pd.array(range(2000, 2000 + n), dtype="Int64"),
            "date": pd.to_datetime([f"{2000 + i}-09-01" for i in range(n)]),
            "n_docs": np.arange(1, n + 1) * 10,
            "n_tokens": np.arange(1, n + 1) * 20_000,
        }
    )


def test_palette_is_okabe_ito_and_distinct():
    pal = plots.palette(20)
    assert pal[0][0] == "#0072B2"
    assert len(set(pal)) == 20
    assert all(c in plots.OKABE_ITO for c, _, _ in pal)


def test_corpus_overview(no_save):
    ev = _events_table(6)
    ax = plots.plot_corpus_overview(ev)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(ax.patches) == 6  # one bar per event
    twin = [a for a in ax.figure.axes if a is not ax]
    assert len(twin) == 1 and len(twin[0].lines) == 1
    np.testing.assert_allclose(twin[0].lines[0].get_ydata(), ev["n_tokens"] / 1e3)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert len(labels) == 6 and all(len(t) <= plots.MAX_LABEL_CHARS for t in labels)
    assert labels[0].endswith("\u2026")
    assert ax.get_title(loc="left") and ax.get_ylabel() == "documents"


def test_corpus_overview_on_given_axes_and_many_events(no_save):
    fig, ax = plt.subplots()
    out = plots.plot_corpus_overview(_events_table(80), ax=ax)
    assert out is ax
    assert len(ax.get_xticklabels()) <= 40  # thinned


def test_corpus_overview_rejects_wrong_table():
    with pytest.raises(ValueError, match="n_tokens"):
        plots.plot_corpus_overview(pd.DataFrame({"event": ["a"], "n_docs": [1]}))
