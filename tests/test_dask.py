"""The Dask path gives the pandas path's numbers, on a real distributed.LocalCluster.

One module-scoped cluster of 2 worker processes (one thread each, loopback only) runs
every Dask computation here. Counts are identical, point estimates equal; level
intervals equal up to rounding (they come from group sums); the per-document draws
(change intervals, the rate test, topic prevalence intervals) agree with the pandas
path's within Monte-Carlo error, measured against the spread between two pandas seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from discourse import TopicModel, theme_counts, theme_frequencies  # noqa: E402
from discourse._dask import (  # noqa: E402
    bernoulli_labels,
    doc_keys,
    is_dask,
    poisson_weights,
    scheduler,
)
from discourse.errors import DiscourseError  # noqa: E402
from discourse.tracking import distinctive_terms, events, track_themes, track_topics  # noqa: E402

INTS = ["n_docs", "docs_with_theme", "count", "n_tokens"]
ESTIMATES = ["share_docs", "per_1k"]
LEVEL_INTERVALS = ["share_docs_low", "share_docs_high", "per_1k_low", "per_1k_high"]


@pytest.fixture(scope="module")
def client():
    import dask

    from discourse._dask import WORKER_CONFIG

    with dask.config.set(WORKER_CONFIG), distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def demo_dask(demo_corpus):
    return dd.from_pandas(demo_corpus, npartitions=3)


def _same_levels(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    pd.testing.assert_frame_equal(a[keys + ["theme"] + INTS], b[keys + ["theme"] + INTS])
    pd.testing.assert_frame_equal(a[ESTIMATES], b[ESTIMATES], check_exact=True)
    np.testing.assert_allclose(a[LEVEL_INTERVALS], b[LEVEL_INTERVALS], rtol=1e-9, atol=1e-15)


def _mc_agree(pandas0, pandas1, dask_, columns, rows, factor=2.5):
    """Mean |dask - pandas| within ``factor`` x mean |pandas seed 0 - pandas seed 1|."""
    for col in columns:
        dk = np.nanmean(np.abs(dask_[col] - pandas0[col])[rows])
        mc = np.nanmean(np.abs(pandas1[col] - pandas0[col])[rows])
        assert np.isfinite(dk) and dk <= factor * mc + 1e-12, (col, dk, mc)


def test_is_dask_and_keyed_draws():
    frame = dd.from_pandas(pd.DataFrame({"doc_id": ["a"], "text": ["x"]}), npartitions=1)
    assert is_dask(frame) and not is_dask(frame.compute())
    keys = doc_keys(["a", "b", "c"] * 1000)
    assert keys[0] == doc_keys(["a"])[0]  # a function of the id alone
    w = poisson_weights(doc_keys([f"d{i}" for i in range(2000)]), 7, 1, 500)
    assert abs(w.mean() - 1) < 0.01 and abs(w.var() - 1) < 0.02  # Poisson(1)
    np.testing.assert_array_equal(w[:10], poisson_weights(doc_keys([f"d{i}" for i in range(10)]), 7, 1, 500))
    assert not np.array_equal(w, poisson_weights(doc_keys([f"d{i}" for i in range(2000)]), 8, 1, 500))
    lab = bernoulli_labels(doc_keys([f"d{i}" for i in range(2000)]), 0, 1, 200, 0.3)
    assert abs(lab.mean() - 0.3) < 0.01


def test_scheduler_specs(client):
    with scheduler("threads"):
        pass
    with pytest.raises(DiscourseError, match="unknown scheduler"):
        with scheduler("gpu"):
            pass
    address = client.scheduler.address
    frame = dd.from_pandas(pd.DataFrame({"doc_id": ["a", "b"], "text": ["digital divide", "x"],
                                         "year": [2020, 2021]}), npartitions=2)
    with scheduler(address) as c:
        assert c is not None and c.scheduler.address == address
        table = theme_frequencies(frame, by="year")
    assert table.loc[table.theme == "digital_divide", "count"].tolist() == [1, 0]


@pytest.mark.parametrize("unit", ["document", "sentence"])
def test_theme_frequencies_identical(client, demo_corpus, demo_dask, unit):
    for by in ("year", "event", ["event_series", "year"]):
        a = theme_frequencies(demo_corpus, by=by, unit=unit)
        b = theme_frequencies(demo_dask, by=by, unit=unit)
        keys = [by] if isinstance(by, str) else by
        _same_levels(a, b, keys)
        assert list(a.columns) == list(b.columns)
        if unit == "sentence":
            pd.testing.assert_frame_equal(a[["n_units", "units_with_theme", "share_units"]],
                                          b[["n_units", "units_with_theme", "share_units"]], check_exact=True)
            np.testing.assert_allclose(a[["share_units_low", "share_units_high"]],
                                       b[["share_units_low", "share_units_high"]], rtol=1e-9)


def test_languages_the_dictionary_does_not_speak_are_left_out_on_both_paths(client, demo_corpus):
    """Documents in a language the dictionary has no patterns for: out of shares and rates,
    counted in n_docs_other_language, on the Dask path exactly as on the pandas path."""
    corpus = demo_corpus.copy()
    french = corpus.index[::9]
    corpus.loc[french, "language"] = "fr"
    lazy = dd.from_pandas(corpus, npartitions=4)
    for unit in ("document", "sentence"):
        a = theme_frequencies(corpus, by="event", unit=unit)
        b = theme_frequencies(lazy, by="event", unit=unit)
        _same_levels(a, b, ["event"])
        pd.testing.assert_series_equal(a["n_docs_other_language"], b["n_docs_other_language"])
        assert a["n_docs_other_language"].sum() > 0
        assert a.attrs["languages"] == b.attrs["languages"]
    t_a, t_b = track_themes(corpus, by="event"), track_themes(lazy, by="event")
    _same_levels(t_a, t_b, ["event"])
    pd.testing.assert_series_equal(t_a["n_docs_other_language"], t_b["n_docs_other_language"])
    assert t_a.attrs["languages"] == t_b.attrs["languages"] and "fr" not in t_b.attrs["languages"]


def test_theme_counts_is_lazy_and_identical(client, demo_corpus, demo_dask):
    lazy = theme_counts(demo_dask)
    assert is_dask(lazy)
    pd.testing.assert_frame_equal(lazy.compute().reset_index(drop=True), theme_counts(demo_corpus))


def test_events_and_distinctive_terms_identical(client, demo_corpus, demo_dask):
    pd.testing.assert_frame_equal(events(demo_dask), events(demo_corpus))
    for by in ("event", "year"):
        pd.testing.assert_frame_equal(distinctive_terms(demo_dask, by=by, ngram_range=(1, 2)),
                                      distinctive_terms(demo_corpus, by=by, ngram_range=(1, 2)))


def test_track_themes_demo(client, demo_corpus, demo_dask):
    a = track_themes(demo_corpus, by="event")
    b = track_themes(demo_dask, by="event")
    same = ["event", "event_series", "prev_event", "share_change", "per_1k_change", "per_1k_ratio",
            "share_test", "share_p", "share_q", "change"]
    assert list(a.columns) == list(b.columns)
    _same_levels(a, b, ["event"])
    pd.testing.assert_frame_equal(a[same], b[same])  # the share test needs only group sums
    # change intervals of shares and rates come from the level intervals (group sums)
    intervals = ["share_change_low", "share_change_high", "per_1k_change_low", "per_1k_change_high"]
    np.testing.assert_allclose(a[intervals], b[intervals], rtol=1e-9, atol=1e-12)
    # the same table whatever the partitioning (draws keyed by doc_id)
    shuffled = dd.from_pandas(demo_corpus.sample(frac=1, random_state=3), npartitions=5)
    pd.testing.assert_frame_equal(track_themes(shuffled, by="event"), b)


@pytest.mark.slow
def test_track_themes_monte_carlo_agreement(client):
    from discourse.datasets import make_synthetic_corpus

    corpus = make_synthetic_corpus(600, n_events=3, series=("Forum",), seed=2)
    frame = dd.from_pandas(corpus, npartitions=4)
    a0 = track_themes(corpus, n_boot=1000, n_perm=1000, seed=0)
    a1 = track_themes(corpus, n_boot=1000, n_perm=1000, seed=1)
    b = track_themes(frame, n_boot=1000, n_perm=1000, seed=0)
    _same_levels(a0, b, ["event"])
    compared = a0["prev_event"].notna().to_numpy()
    _mc_agree(a0, a1, b, ["share_change_low", "share_change_high"], compared)
    # the rate test: relabelling vs permutation, where the theme is not too rare to
    # tell them apart (docs/scale.md)
    counts = a0.set_index(["event", "theme"])["count"]
    prev_count = np.array([counts.get((e, t), 0) if isinstance(e, str) else 0
                           for e, t in zip(a0["prev_event"], a0["theme"], strict=True)])
    common = compared & (a0["count"].to_numpy() >= 10) & (prev_count >= 10)
    assert common.sum() >= 10
    _mc_agree(a0, a1, b, ["per_1k_change_low", "per_1k_change_high", "per_1k_p"], common)


@pytest.mark.slow
def test_topic_model_on_dask(client, demo_corpus, demo_dask):
    whole = TopicModel(n_topics=4, min_df=2).fit(demo_dask, sample_size=1000)
    np.testing.assert_array_equal(whole.components_, TopicModel(n_topics=4, min_df=2).fit(demo_corpus).components_)
    model = TopicModel(n_topics=4, min_df=2).fit(demo_dask, sample_size=80)
    other = TopicModel(n_topics=4, min_df=2).fit(dd.from_pandas(demo_corpus, npartitions=6), sample_size=80)
    np.testing.assert_array_equal(model.components_, other.components_)  # same sample
    assert len(model.doc_ids_) == 80
    np.testing.assert_array_equal(model.transform(demo_dask).compute(), model.transform(demo_corpus))
    pd.testing.assert_frame_equal(model.doc_topics(demo_dask).compute().reset_index(drop=True),
                                  model.doc_topics(demo_corpus))
    p0 = model.topic_prevalence(demo_corpus, by="year", seed=0, n_boot=500)
    p1 = model.topic_prevalence(demo_corpus, by="year", seed=1, n_boot=500)
    pb = model.topic_prevalence(demo_dask, by="year", seed=0, n_boot=500)
    pd.testing.assert_frame_equal(p0[["year", "topic", "label", "n_docs"]], pb[["year", "topic", "label", "n_docs"]])
    np.testing.assert_allclose(p0["prevalence"], pb["prevalence"], rtol=1e-12)
    _mc_agree(p0, p1, pb, ["prevalence_low", "prevalence_high"], np.ones(len(p0), bool))
    fast = {"n_boot": 500, "n_perm": 500}
    t0 = track_topics(model, demo_corpus, by="year", seed=0, **fast)
    t1 = track_topics(model, demo_corpus, by="year", seed=1, **fast)
    tb = track_topics(model, demo_dask, by="year", seed=0, **fast)
    assert list(t0.columns) == list(tb.columns)
    pd.testing.assert_frame_equal(t0[["year", "topic", "label", "n_docs", "prev_year"]],
                                  tb[["year", "topic", "label", "n_docs", "prev_year"]])
    np.testing.assert_allclose(t0["prevalence_change"], tb["prevalence_change"], rtol=1e-9, atol=1e-15)
    _mc_agree(t0, t1, tb, ["prevalence_change_low", "prevalence_change_high", "p"],
              t0["prev_year"].notna().to_numpy())


def test_dask_corpus_without_doc_id_is_refused(client):
    frame = dd.from_pandas(pd.DataFrame({"text": ["a", "b"], "year": [1, 2]}), npartitions=1)
    with pytest.raises(DiscourseError, match="doc_id"):
        theme_frequencies(frame, by="year")


@pytest.mark.slow
def test_un_2000_2024(client, ungdc_corpus):
    corpus = ungdc_corpus[(ungdc_corpus["year"] >= 2000) & (ungdc_corpus["year"] <= 2024)].reset_index(drop=True)
    frame = dd.from_pandas(corpus, npartitions=6)
    _same_levels(theme_frequencies(corpus, by="year"), theme_frequencies(frame, by="year"), ["year"])
    a0 = track_themes(corpus, by="year", n_boot=400, n_perm=400, seed=0)
    a1 = track_themes(corpus, by="year", n_boot=400, n_perm=400, seed=1)
    b = track_themes(frame, by="year", n_boot=400, n_perm=400, seed=0)
    _same_levels(a0, b, ["year"])
    same = ["prev_year", "share_change", "per_1k_change", "share_p", "share_q", "change"]
    pd.testing.assert_frame_equal(a0[same], b[same])
    compared = a0["prev_year"].notna().to_numpy()
    _mc_agree(a0, a1, b, ["share_change_low", "share_change_high", "per_1k_change_low", "per_1k_change_high"],
              compared)
    common = compared & (a0["count"].to_numpy() >= 10)
    _mc_agree(a0, a1, b, ["per_1k_p"], common)


def test_cli_themes_with_a_scheduler(tmp_path):
    from discourse.cli import main
    from discourse.datasets import demo_corpus_path

    plain, dask_ = tmp_path / "plain.csv", tmp_path / "dask.csv"
    assert main(["themes", str(demo_corpus_path()), "--by", "year", "-o", str(plain)]) == 0
    assert main(["themes", str(demo_corpus_path()), "--by", "year", "--scheduler", "threads", "-o", str(dask_)]) == 0
    _same_levels(pd.read_csv(plain), pd.read_csv(dask_), ["year"])
    assert main(["themes", str(demo_corpus_path()), "--scheduler", "gpu"]) == 2


@pytest.mark.slow
def test_report_with_a_scheduler(tmp_path, demo_corpus):
    import json

    from discourse.report import build_report
    from discourse.report.build import notebooks_dir

    nbs = sorted(notebooks_dir().glob("0[24]-*.py"))
    index = build_report(demo_corpus, tmp_path / "report", notebooks=nbs, scheduler="processes", progress=False,
                         parameters={"n_boot": 200, "n_perm": 200})
    manifest = json.loads((index.parent / "manifest.json").read_text())
    assert manifest["parameters"]["scheduler"] == "processes"
    table = pd.read_csv(index.parent / "tables" / "02-theme-frequencies-by-event.csv")
    ref = theme_frequencies(demo_corpus, by="event")
    merged = table.merge(ref, on=["event", "theme"], suffixes=("", "_ref"))
    assert len(merged) == len(ref)
    for col in ("n_docs", "share_docs", "per_1k"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_ref"], atol=6e-7)  # tables: 6 decimals


def test_load_dask_corpus_reads_a_parquet_store(client, demo_corpus, tmp_path):
    from discourse import convert_corpus
    from discourse._dask import _check_scheduler, load_dask_corpus
    from discourse.datasets import demo_corpus_path

    store = tmp_path / "store"
    convert_corpus(demo_corpus_path(), store, target_bytes=200_000)  # a corpus store of several files
    frame = load_dask_corpus(store)
    assert is_dask(frame) and frame.npartitions >= 2
    _same_levels(theme_frequencies(demo_corpus, by="year"), theme_frequencies(frame, by="year"), ["year"])
    assert _check_scheduler("10.0.0.5:8786") == "tcp://10.0.0.5:8786"
