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


def _bands(ax):
    return [c for c in ax.collections if isinstance(c, matplotlib.collections.PolyCollection)]


def _markers(ax):
    return [c for c in ax.collections if isinstance(c, matplotlib.collections.PathCollection)]


def test_theme_trajectories_one_panel_per_theme_series_by_colour(no_save):
    t = _track_table()
    axes = plots.plot_theme_trajectories(t)
    assert len(axes) == 3 and all(isinstance(a, matplotlib.axes.Axes) for a in axes)
    assert [a.get_title(loc="left") for a in axes] == ["ai_safety", "digital_divide", "cooperation"]
    fig = axes[0].figure
    assert fig.get_suptitle() == "Themes across events"
    for a, theme in zip(axes, ["ai_safety", "digital_divide", "cooperation"], strict=True):
        # one line per series, A at positions 0 and 2, B at 1 and 3, in two colours
        assert len(a.lines) == 2
        np.testing.assert_array_equal(a.lines[0].get_xdata(), [0, 2])
        np.testing.assert_array_equal(a.lines[1].get_xdata(), [1, 3])
        expected = t[(t["theme"] == theme) & (t["event_series"] == "A")]["per_1k"]
        np.testing.assert_allclose(a.lines[0].get_ydata(), expected)
        assert a.lines[0].get_color() != a.lines[1].get_color()
        # one band per series, spanning the interval columns
        bands = _bands(a)
        assert len(bands) == 2
        ys = bands[0].get_paths()[0].vertices[:, 1]
        lo = t[(t["theme"] == theme) & (t["event_series"] == "A")]["per_1k_low"]
        assert ys.min() == pytest.approx(lo.min())
        assert a.get_ylim()[0] == 0
    # the per_1k flag (change_per_1k) marks a fall of ai_safety at "A 2021" (x = 2)
    marks = {i: _markers(a) for i, a in enumerate(axes)}
    assert [len(m) for m in marks.values()] == [1, 0, 0]
    (fall,) = marks[0]
    np.testing.assert_allclose(fall.get_offsets(), [[2, t.loc[6, "per_1k"]]])
    assert fall.get_label() == "significant fall"
    # figure legend: both series, the band and the marker
    legend = fig.legends[0]
    texts = [x.get_text() for x in legend.get_texts()]
    assert texts[:2] == ["A", "B"] and "95% interval" in texts
    assert any("significant fall" in x for x in texts)
    # events named "<series> <year>" are labelled by their year, coloured by series
    ticks = axes[-1].get_xticklabels()
    assert [x.get_text() for x in ticks] == ["2019", "2020", "2021", "2022"]
    assert ticks[0].get_color() == axes[-1].lines[0].get_color()
    assert ticks[1].get_color() == axes[-1].lines[1].get_color()


def test_theme_trajectories_share_flags_and_selection(no_save):
    t = _track_table()
    ax = plots.plot_theme_trajectories(t, themes=["cooperation"], value="share_docs")
    assert isinstance(ax, matplotlib.axes.Axes)  # one theme: one Axes
    assert len(ax.lines) == 2 and ax.get_ylabel() == "share of documents"
    (rise,) = _markers(ax)  # the share flag (change) marks a rise of cooperation at A 2021
    np.testing.assert_allclose(rise.get_offsets(), [[2, t.loc[8, "share_docs"]]])
    assert rise.get_label() == "significant rise"
    with pytest.raises(ValueError, match="no theme 'nope'"):
        plots.plot_theme_trajectories(t, themes=["nope"])
    many = pd.concat([t.assign(theme=t["theme"] + str(k)) for k in range(4)], ignore_index=True)
    axes = plots.plot_theme_trajectories(many, ncols=4)
    assert len(axes) == 12 and all(len(_bands(a)) == 2 for a in axes)
    # x tick labels only under the bottom row
    assert [a.xaxis.get_tick_params()["labelbottom"] for a in axes].count(True) == 4


def test_theme_trajectories_on_given_axes(no_save):
    t = _track_table()
    fig, given = plt.subplots(1, 3)
    out = plots.plot_theme_trajectories(t, ax=given)
    assert list(out) == list(given)
    fig, one = plt.subplots()
    out = plots.plot_theme_trajectories(t, themes=["ai_safety", "cooperation"], ax=one)
    assert len(out) == 2 and one not in fig.axes and all(a.figure is fig for a in out)
    with pytest.raises(ValueError, match="3 panel"):
        plots.plot_theme_trajectories(t, ax=given[:2])


def _un_like_table(n=79):
    """One series over many numbered years, like the UN General Debate tracked by year."""
    years = list(range(1946, 1946 + n))
    rows = []
    for i, y in enumerate(years):
        v = 0.1 * i
        rows.append({"year": y, "theme": "ai_safety", "per_1k": v, "per_1k_low": v * 0.8,
                     "per_1k_high": v * 1.2, "change_per_1k": "rise" if i == n - 1 else ""})
    return pd.DataFrame(rows)


def test_theme_trajectories_many_years_legible(no_save):
    u = _un_like_table()
    ax = plots.plot_theme_trajectories(u)
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), u["year"])  # placed at the year
    lo, hi = ax.get_xlim()
    assert lo < 1946 and hi > 2024
    shown = [x for x in ax.get_xticks() if lo <= x <= hi]
    assert 3 <= len(shown) <= 10 and all(float(x).is_integer() for x in shown)  # thinned years
    (rise,) = _markers(ax)
    np.testing.assert_allclose(rise.get_offsets(), [[2024, 7.8]])
    events = u.assign(event=[f"UNGA {i + 1} ({y})" for i, y in enumerate(u["year"])],
                      event_series="UN General Debate").drop(columns="year")
    ax = plots.plot_theme_trajectories(events)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert 4 <= len(labels) <= 14 and labels[-1] == "UNGA 79 (2024)"  # thinned, latest labelled


def _prevalence_table():
    """Four topics over five events; each topic peaks at a different event."""
    events = ["S 2019", "S 2020", "S 2021", "S 2022", "S 2023"]
    peaks = {0: 3, 1: 0, 2: 4, 3: 1}
    rows = []
    for i, ev in enumerate(events):
        for k, peak in peaks.items():
            p = 0.4 - 0.08 * abs(i - peak)
            rows.append({"event": ev, "event_series": "S", "topic": k, "label": f"label {k}",
                         "prevalence": p, "prevalence_low": p - 0.05, "prevalence_high": p + 0.05,
                         "change": "rise" if (k == 0 and i == 3) else ("fall" if (k == 1 and i == 1) else "")})
    return pd.DataFrame(rows)


def test_topic_prevalence_small_multiples(no_save):
    table = _prevalence_table()
    axes = plots.plot_topic_prevalence(table, topics=[2, 0])
    assert len(axes) == 2
    assert [a.get_title(loc="left") for a in axes] == ["2: label 2", "0: label 0"]
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), [0.16, 0.24, 0.32, 0.4, 0.32])
    assert all(len(_bands(a)) == 1 for a in axes)
    (rise,) = _markers(axes[1])
    np.testing.assert_allclose(rise.get_offsets(), [[3, 0.4]])
    assert axes[0].get_shared_y_axes().joined(axes[0], axes[1])  # one scale for prevalences
    ax = plots.plot_topic_prevalence(table, topics=[1])
    assert isinstance(ax, matplotlib.axes.Axes) and len(_markers(ax)) == 1
    with pytest.raises(ValueError, match="no topic 9"):
        plots.plot_topic_prevalence(table, topics=[9])


def test_topic_prevalence_of_topic_prevalence_table(no_save):
    rows = []
    for i, ev in enumerate(["E1", "E2", "E3"]):
        for k in range(2):
            p = 0.3 + 0.1 * i * (1 if k else -1)
            rows.append({"event": ev, "topic": k, "label": f"label {k}", "prevalence": p,
                         "prevalence_low": p - 0.05, "prevalence_high": p + 0.05})
    axes = plots.plot_topic_prevalence(pd.DataFrame(rows))
    assert [a.get_title(loc="left") for a in axes] == ["0: label 0", "1: label 1"]
    np.testing.assert_allclose(axes[1].lines[0].get_ydata(), [0.3, 0.4, 0.5])
    assert not any(_markers(a) for a in axes)  # no change column, no markers


def test_topic_heatmap_orders_topics_by_peak_time(no_save):
    table = _prevalence_table()
    ax = plots.plot_topic_heatmap(table)
    labels = [x.get_text() for x in ax.get_yticklabels()]
    peak_event = table.loc[table.groupby("topic")["prevalence"].idxmax(), ["topic", "event"]]
    expected = peak_event.sort_values("event", kind="stable")["topic"].tolist()
    assert expected == [1, 3, 0, 2]
    assert labels == [f"{k}: label {k}" for k in expected]
    arr = ax.get_images()[0].get_array()
    assert arr.shape == (4, 5)
    # row 0 is topic 1 (peak at the first event), its values in event order
    np.testing.assert_allclose(arr[0], [0.4, 0.32, 0.24, 0.16, 0.08])
    assert [x.get_text() for x in ax.get_xticklabels()] == list(table["event"].unique())
    assert len(ax.texts) == 20 and ax.texts[0].get_text() == "40%"
    # flagged changes: a rise of topic 0 at S 2022 (row 2, column 3), a fall of topic 1
    marks = {c.get_label(): c.get_offsets() for c in _markers(ax)}
    np.testing.assert_allclose(marks["significant rise"], [[3.3, 2 - 0.28]])
    np.testing.assert_allclose(marks["significant fall"], [[1.3, 0 - 0.28]])
    rel = plots.plot_topic_heatmap(table, scale="topic", annotate=False)
    np.testing.assert_allclose(np.nanmax(rel.get_images()[0].get_array(), axis=1), 1.0)
    assert len(rel.texts) == 0
    with pytest.raises(ValueError, match="scale"):
        plots.plot_topic_heatmap(table, scale="row")


def test_topic_heatmap_ties_and_missing_topic(no_save):
    table = _prevalence_table()
    table.loc[table["topic"] == 2, "prevalence"] = np.nan  # never measured: last
    table.loc[table["topic"] == 3, "prevalence"] = 0.4  # flat: peak at its first event
    ax = plots.plot_topic_heatmap(table.drop(columns=["label", "change"]))
    assert [x.get_text() for x in ax.get_yticklabels()] == ["1", "3", "0", "2"]


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
    charts = [plots.plot_theme_trajectories(t)[0], plots.plot_theme_heatmap(t),
              plots.plot_corpus_overview(_events_table(4)), plots.plot_topic_heatmap(_prevalence_table()),
              plots.plot_topic_prevalence(_prevalence_table(), topics=[0, 1])[0]]
    for i, ax in enumerate(charts):
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
        axes = plots.plot_theme_trajectories(one)
        assert len(axes) == 3 and all(len(a.lines) == 1 for a in axes)
        axes[0].figure.canvas.draw()
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
