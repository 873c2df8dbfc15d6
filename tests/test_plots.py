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
    assert "\u2026" in labels[0] and labels[0].endswith("ive name")  # the end is kept
    assert ax.get_title(loc="left") and ax.get_ylabel() == "documents"


def test_corpus_overview_on_given_axes_and_many_events(no_save):
    fig, ax = plt.subplots()
    out = plots.plot_corpus_overview(_events_table(80), ax=ax)
    assert out is ax
    assert len(ax.get_xticklabels()) <= 26  # thinned


def test_corpus_overview_rejects_wrong_table():
    with pytest.raises(ValueError, match="n_tokens"):
        plots.plot_corpus_overview(pd.DataFrame({"event": ["a"], "n_docs": [1]}))


# --- the other charts, on small tables built here ------------------------------------------


def _track_table():
    events = ["A 2019", "B 2020", "A 2021", "B 2022"]
    series = ["A", "B", "A", "B"]
    rows = []
    for i, (ev, ser) in enumerate(zip(events, series, strict=True)):
        for j, theme in enumerate(["ai_safety", "digital_divide", "cooperation"]):
            v = 1.0 + i * (j - 1) * 0.5 + j
            rows.append({"event": ev, "event_series": ser, "theme": theme, "per_1k": v,
                         "per_1k_low": v - 0.3, "per_1k_high": v + 0.3, "share_docs": v / 10,
                         "share_docs_low": v / 10 - 0.02, "share_docs_high": v / 10 + 0.02,
                         "change": "rise" if (i == 2 and j == 2) else "",
                         "change_per_1k": "fall" if (i == 2 and j == 0) else ""})
    return pd.DataFrame(rows)


def test_theme_trajectories_lines_bands_and_markers(no_save):
    t = _track_table()
    ax = plots.plot_theme_trajectories(t)
    # 3 themes x 2 series = 6 lines, 6 bands
    assert len(ax.lines) == 6
    assert len(ax.collections) == 6 + 1  # bands + one "fall" marker
    labels = [x.get_text() for x in ax.get_legend().get_texts()]
    assert labels[:3] == ["ai_safety", "digital_divide", "cooperation"]
    assert "A" in labels and "B" in labels
    assert [x.get_text() for x in ax.get_xticklabels()] == list(t["event"].unique())
    # the first series' line of ai_safety goes through A 2019 and A 2021 (positions 0 and 2)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [0, 2])
    assert ax.get_ylabel() == "mentions per 1,000 tokens"


def test_theme_trajectories_selection_and_share(no_save):
    t = _track_table()
    ax = plots.plot_theme_trajectories(t, themes=["cooperation"], value="share_docs")
    assert len(ax.lines) == 2 and ax.get_ylabel() == "share of documents"
    with pytest.raises(ValueError, match="no theme 'nope'"):
        plots.plot_theme_trajectories(t, themes=["nope"])
    many = pd.concat([t.assign(theme=t["theme"] + str(k)) for k in range(4)], ignore_index=True)
    ax = plots.plot_theme_trajectories(many)
    assert "intervals shown for up to 7" in ax.get_title(loc="left")
    assert len(ax.lines) == 24  # 12 themes x 2 series, no bands
    assert all(not isinstance(c, matplotlib.collections.PolyCollection) for c in ax.collections)


def test_theme_heatmap(no_save):
    t = _track_table()
    ax = plots.plot_theme_heatmap(t)
    img = ax.get_images()[0]
    arr = img.get_array()
    assert arr.shape == (3, 4)
    pivot = t.pivot(index="theme", columns="event", values="per_1k")
    assert arr[0, 0] == pytest.approx(pivot.loc["ai_safety", "A 2019"])
    assert len(ax.texts) == 12  # annotated cells
    assert [x.get_text() for x in ax.get_yticklabels()] == ["ai_safety", "digital_divide", "cooperation"]
    ax2 = plots.plot_theme_heatmap(t, value="share_docs", annotate=False)
    assert len(ax2.texts) == 0
    ax3 = plots.plot_theme_heatmap(t, scale="theme")
    rel = ax3.get_images()[0].get_array()
    np.testing.assert_allclose(np.nanmax(rel, axis=1), 1.0)
    assert ax3.texts[0].get_text() == f"{pivot.loc['ai_safety', 'A 2019']:.2g}"


def test_topic_prevalence(no_save):
    rows = []
    for i, ev in enumerate(["E1", "E2", "E3"]):
        for k in range(2):
            p = 0.3 + 0.1 * i * (1 if k else -1)
            rows.append({"event": ev, "topic": k, "label": f"label {k}", "prevalence": p,
                         "prevalence_low": p - 0.05, "prevalence_high": p + 0.05})
    ax = plots.plot_topic_prevalence(pd.DataFrame(rows))
    assert len(ax.lines) == 2
    assert [x.get_text() for x in ax.get_legend().get_texts()] == ["0: label 0", "1: label 1"]
    np.testing.assert_allclose(ax.lines[1].get_ydata(), [0.3, 0.4, 0.5])


def test_distinctive_terms_chart(no_save):
    dt = pd.DataFrame({"event": ["E1"] * 20 + ["E2"], "term": [f"t{i}" for i in range(21)],
                       "rank": list(range(1, 21)) + [1], "count": 5, "count_rest": 1,
                       "log_odds": 1.0, "z": np.linspace(10, 1, 21)})
    ax = plots.plot_distinctive_terms(dt, "E1", n=15)
    assert len(ax.patches) == 15
    assert ax.get_yticklabels()[0].get_text() == "t0"
    with pytest.raises(ValueError, match="no rows for event 'E9'"):
        plots.plot_distinctive_terms(dt, "E9")


def test_topic_diagnostics(no_save):
    sel = pd.DataFrame({"n_topics": [5, 10, 15], "coherence_npmi": [0.2, 0.3, 0.25],
                        "exclusivity": [0.5, 0.6, 0.7], "stability": [0.9, 0.8, 0.7],
                        "perplexity": [np.nan] * 3, "recommended": [False, True, False]})
    ax = plots.plot_topic_diagnostics(sel)
    # three diagnostics (perplexity is all NaN) and the recommended-k line
    assert len(ax.lines) == 4
    assert any("recommended k = 10" in t.get_text() for t in ax.texts)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0, 1, 0.5])

    class Selection:  # the object returned by select_n_topics has .table
        table = sel

    assert len(plots.plot_topic_diagnostics(Selection()).lines) == 4


def test_kwic_table_escapes_nothing_and_draws_literally(no_save):
    kw = pd.DataFrame({"doc_id": ["d1", "d2"], "theme": "ai_safety",
                       "left": ["costs $5 and $6 for", "x " * 100],
                       "match": ["AI safety", "AI"], "right": ["<script>alert(1)</script>", "end"]})
    ax = plots.plot_kwic(kw)
    texts = [t.get_text() for t in ax.texts]
    assert "costs $5 and $6 for" in texts and "<script>alert(1)</script>" in texts
    bold = [t for t in ax.texts if t.get_fontweight() == "bold" and t.get_text() == "AI safety"]
    assert len(bold) == 1
    long = [t for t in texts if t.startswith("\u2026")]
    assert long and len(long[0]) <= 51
    ax.figure.canvas.draw()  # renders without mathtext errors
    empty = plots.plot_kwic(kw.iloc[:0])
    assert any(t.get_text() == "no matches" for t in empty.texts)


def test_kwic_labels_lines_with_their_theme_when_several(no_save):
    kw = pd.DataFrame({"doc_id": ["d1", "d2"], "event": ["E1", "E2"],
                       "theme": ["ai_safety", "digital_divide"],
                       "left": ["a", "b"], "match": ["AI safety", "digital divide"], "right": ["c", "d"]})
    texts = [t.get_text() for t in plots.plot_kwic(kw).texts]
    assert "ai_safety" in texts and "digital_divide" in texts
    one_theme = kw.assign(theme="ai_safety")
    texts = [t.get_text() for t in plots.plot_kwic(one_theme).texts]
    assert "E1" in texts and "E2" in texts
    texts = [t.get_text() for t in plots.plot_kwic(kw, label="doc_id").texts]
    assert "d1" in texts and "d2" in texts
    with pytest.raises(ValueError, match="speaker"):
        plots.plot_kwic(kw, label="speaker")


def test_every_chart_renders_to_png(tmp_path):
    """Rendering (done by the caller, never by the functions) works for each chart."""
    t = _track_table()
    for i, ax in enumerate([plots.plot_theme_trajectories(t), plots.plot_theme_heatmap(t),
                            plots.plot_corpus_overview(_events_table(4))]):
        path = tmp_path / f"chart{i}.png"
        ax.figure.savefig(path)
        assert path.stat().st_size > 5_000


def test_charts_of_one_event_and_of_nothing(no_save):
    import warnings

    t = _track_table()
    one = t[t["event"] == "A 2019"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no singular-limit warnings
        ax = plots.plot_theme_heatmap(one)
        ax.figure.canvas.draw()
        assert ax.get_images()[0].get_array().shape == (3, 1)
        ax = plots.plot_theme_trajectories(one)
        ax.figure.canvas.draw()
        ax = plots.plot_corpus_overview(_events_table(0))
        ax.figure.canvas.draw()
        assert len(ax.patches) == 0


def _corrected_table():
    rows = []
    for g, ev in enumerate(["Forum 2020", "Forum 2021", "Summit 2022"]):
        for t in ("ai_safety", "digital_divide"):
            rows.append({"event": ev, "theme": t, "n_units": 100, "units_with_theme": 10 + g, "raw": 0.10 + g / 100,
                         "n_labelled": 5 if g < 2 else 0, "corrected": 0.15 + g / 100, "corrected_low": 0.08,
                         "corrected_high": 0.25, "method": "dsl" if g < 2 else "rogan-gladen", "assumption": ""})
    return pd.DataFrame(rows)


def test_corrected_shares_one_panel_per_theme(no_save):
    table = _corrected_table()
    axes = plots.plot_corrected_shares(table)
    assert len(axes) == 2 and all(isinstance(a, matplotlib.axes.Axes) for a in axes)
    assert axes[0].get_title(loc="left") == "ai_safety"
    # raw points, then the corrected ones with error bars (dsl and rogan-gladen markers)
    raw = axes[0].lines[0]
    np.testing.assert_allclose(raw.get_ydata(), [0.10, 0.11, 0.12])
    assert len(axes[0].containers) == 2  # two errorbar groups: dsl, rogan-gladen
    ax = plots.plot_corrected_shares(table, themes=["digital_divide"])
    assert isinstance(ax, matplotlib.axes.Axes)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Forum 2020", "Forum 2021", "Summit 2022"]
    fig, given = plt.subplots(1, 2)
    assert list(plots.plot_corrected_shares(table, ax=given)) == list(given)
    with pytest.raises(ValueError, match="no theme 'x'"):
        plots.plot_corrected_shares(table, themes=["x"])
    with pytest.raises(ValueError, match="corrected_frequencies"):
        plots.plot_corrected_shares(table.drop(columns="corrected"))
