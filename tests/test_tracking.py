"""Tests of discourse.tracking: events, theme/topic tracking, distinctive terms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from discourse.errors import CorpusError
from discourse.stats import bh_adjust
from discourse.tracking import NO_EVENT, distinctive_terms, events, track_themes, track_topics


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


# --- track_themes -----------------------------------------------------------------


def _small_corpus():
    """Two series: S (A1 -> A2 -> A3) and T (B1 -> B2), plus a document without event."""
    rows = []
    spec = {  # event: (series, year, docs, docs mentioning "x")
        "A1": ("S", 2001, 40, 4),
        "B1": ("T", 2002, 30, 15),
        "A2": ("S", 2003, 40, 30),
        "B2": ("T", 2004, 30, 14),
        "A3": ("S", 2005, 40, 31),
    }
    for ev, (ser, year, n, k) in spec.items():
        for i in range(n):
            rows.append({"doc_id": f"{ev}-{i}", "event": ev, "event_series": ser, "year": year,
                         "date": pd.Timestamp(f"{year}-06-01"), "text": "w " * 99 + "w",
                         "x": 2 if i < k else 0})
    rows.append({"doc_id": "lost", "event": None, "event_series": None, "year": 2003,
                 "date": pd.NaT, "text": "w w", "x": 1})
    corpus = pd.DataFrame(rows)
    counts = pd.concat([
        pd.DataFrame({"doc_id": corpus["doc_id"], "theme": "x", "count": corpus["x"]}),
        pd.DataFrame({"doc_id": corpus["doc_id"], "theme": "never", "count": 0}),
    ]).assign(n_tokens=lambda d: d["doc_id"].map(dict(zip(corpus.doc_id, corpus.text.str.count("w"), strict=True))))
    counts["per_1k"] = counts["count"] / counts["n_tokens"] * 1000
    return corpus.drop(columns="x"), counts


def test_track_themes_levels_changes_and_flags():
    corpus, counts = _small_corpus()
    before = corpus.copy()
    t = track_themes(corpus, counts=counts, n_boot=200, n_perm=300)
    pd.testing.assert_frame_equal(corpus, before)
    assert list(t["event"].unique()) == ["A1", "B1", "A2", "B2", "A3", NO_EVENT]
    assert list(t["theme"].unique()) == ["x", "never"]
    x = t[t["theme"] == "x"].set_index("event")
    assert x.loc["A2", "prev_event"] == "A1" and x.loc["B2", "prev_event"] == "B1"
    assert x.loc["A3", "prev_event"] == "A2"
    assert pd.isna(x.loc["A1", "prev_event"]) and pd.isna(x.loc[NO_EVENT, "prev_event"])
    assert x.loc["A2", "share_docs"] == pytest.approx(0.75)
    assert x.loc["A2", "share_change"] == pytest.approx(0.75 - 0.1)
    assert x.loc["A2", "per_1k"] == pytest.approx(30 * 2 / 4000 * 1000)
    assert x.loc["A2", "per_1k_ratio"] == pytest.approx(7.5)
    # A1 -> A2 is a large rise; B1 -> B2 and A2 -> A3 are not changes
    assert x.loc["A2", "change"] == "rise" and x.loc["A2", "change_per_1k"] == "rise"
    assert x.loc["B2", "change"] == "" and x.loc["A3", "change"] == ""
    assert x.loc["A2", "share_change_low"] > 0
    # levels: Wilson interval of 30 of 40 documents (z = 1.959964)
    lo, hi = x.loc["A2", ["share_docs_low", "share_docs_high"]]
    wilson = sps.binomtest(30, 40).proportion_ci(0.95, method="wilson")
    assert (lo, hi) == (pytest.approx(wilson.low, abs=1e-12), pytest.approx(wilson.high, abs=1e-12))
    # rate: 30 documents of 100 tokens with 2 mentions, 10 with none; R = 60 / 4000;
    # residuals 2 - 1.5 (30 times) and -1.5 (10 times): phi = 40/39 * 30 / 60;
    # q = t(0.975, 39 df); quasi-Poisson score interval (60 + q^2 phi/2 +- q sqrt(...)) / 4000
    phi, q = 40 / 39 * 30 / 60, sps.t.ppf(0.975, 39)
    half = q * np.sqrt(phi * 60 + q**2 * phi**2 / 4)
    assert x.loc["A2", "per_1k_low"] == pytest.approx((60 + q**2 * phi / 2 - half) / 4, abs=1e-12)
    assert x.loc["A2", "per_1k_high"] == pytest.approx((60 + q**2 * phi / 2 + half) / 4, abs=1e-12)
    # the two-proportion test is the z-test here (expected counts >= 5)
    assert x.loc["A2", "share_test"] == "z"
    # a theme absent from both events is not tested and not counted in the correction
    never = t[t["theme"] == "never"]
    assert never["share_p"].isna().all() and (never["change"] == "").all()
    tested = t["share_p"].notna()
    np.testing.assert_allclose(t.loc[tested, "share_q"], bh_adjust(t.loc[tested, "share_p"]))
    assert x.loc[NO_EVENT, "n_docs"] == 1


def test_track_themes_is_deterministic_and_seeded():
    corpus, counts = _small_corpus()
    a = track_themes(corpus, counts=counts, n_boot=100, n_perm=100, seed=3)
    b = track_themes(corpus, counts=counts, n_boot=100, n_perm=100, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a.to_csv(index=False) == b.to_csv(index=False)
    c = track_themes(corpus, counts=counts, n_boot=100, n_perm=100, seed=4)
    # the seed moves the permutation test, not the closed-form level and change intervals
    pd.testing.assert_series_equal(a["share_change_low"], c["share_change_low"])
    pd.testing.assert_series_equal(a["per_1k_change_high"], c["per_1k_change_high"])
    pd.testing.assert_series_equal(a["share_docs_low"], c["share_docs_low"])
    pd.testing.assert_series_equal(a["per_1k_high"], c["per_1k_high"])
    from discourse.datasets import make_synthetic_corpus

    synth = make_synthetic_corpus(120, n_events=2, series=("Forum",), seed=0)
    p3, p4 = (track_themes(synth, n_boot=100, n_perm=100, seed=s)["per_1k_p"] for s in (3, 4))
    assert not np.allclose(p3.fillna(0), p4.fillna(0))


def test_track_themes_p_and_q_values_worked_by_hand():
    corpus, counts = _small_corpus()
    n_perm = 999
    t = track_themes(corpus, counts=counts, n_boot=0, n_perm=n_perm)
    x = t[t["theme"] == "x"].set_index("event")

    def z_test(x1, n1, x2, n2):  # pooled two-proportion z-test, two-sided
        pool = (x1 + x2) / (n1 + n2)
        z = (x2 / n2 - x1 / n1) / np.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
        return 2 * sps.norm.sf(abs(z))

    # documents mentioning x: A1 4/40 -> A2 30/40 -> A3 31/40; B1 15/30 -> B2 14/30.
    # Every expected cell count is >= 5 (smallest 40 * 34/80 = 17, 9.5, 14.5): z-tests.
    p_a2, p_a3, p_b2 = z_test(4, 40, 30, 40), z_test(30, 40, 31, 40), z_test(15, 30, 14, 30)
    assert p_a2 == pytest.approx(2 * sps.norm.sf(0.65 / np.sqrt(0.425 * 0.575 * 2 / 40)))
    assert x.loc["A2", "share_p"] == pytest.approx(p_a2, rel=1e-12)
    assert x.loc["A3", "share_p"] == pytest.approx(p_a3, rel=1e-12)
    assert x.loc["B2", "share_p"] == pytest.approx(p_b2, rel=1e-12)
    assert list(x["share_test"]) == ["", "", "z", "z", "z", ""]
    # BH over the three tests ("never" is in neither group: not a test): sorted
    # p_a2 < p_a3 < p_b2, q = min over the larger ones of p * 3 / rank
    assert p_a2 < p_a3 < p_b2
    assert x.loc["A2", "share_q"] == pytest.approx(p_a2 * 3, rel=1e-12)
    assert x.loc["A3", "share_q"] == pytest.approx(min(p_a3 * 3 / 2, p_b2), rel=1e-12)
    assert x.loc["B2", "share_q"] == pytest.approx(p_b2, rel=1e-12)
    # rates: every document has 100 tokens and 0 or 2 mentions, so the difference of
    # rates is 2/100 * (k_b - k_a)/n and the permutation distribution is hypergeometric.
    # A2 -> A3 (30 vs 31 of 80) and B1 -> B2 (15 vs 14 of 60): the total is odd, so every
    # split differs by at least one document: exact p = 1, and the estimate is
    # (1 + n_perm) / (n_perm + 1) = 1. A1 -> A2 (4 vs 30): exact p is
    # 2 * P(k_a <= 4) under Hypergeom(80, 34, 40) = 3.6e-9, so no permutation is as
    # extreme and p = 1 / (n_perm + 1).
    exact_a2 = 2 * sps.hypergeom(80, 34, 40).cdf(4)
    assert exact_a2 == pytest.approx(3.64e-9, rel=1e-2)
    assert x.loc["A2", "per_1k_p"] == 1 / (n_perm + 1)
    assert x.loc["A3", "per_1k_p"] == 1.0 and x.loc["B2", "per_1k_p"] == 1.0
    assert x.loc["A2", "per_1k_q"] == pytest.approx(3 / (n_perm + 1))
    assert x.loc["A3", "per_1k_q"] == 1.0 and x.loc["B2", "per_1k_q"] == 1.0
    assert list(x["change"]) == ["", "", "rise", "", "", ""]
    assert list(x["change_per_1k"]) == ["", "", "rise", "", "", ""]


def test_track_themes_by_year_compares_consecutive_years():
    corpus, counts = _small_corpus()
    t = track_themes(corpus, counts=counts, by="year", n_boot=0, n_perm=0)
    x = t[t["theme"] == "x"]
    assert list(x["year"]) == [2001, 2002, 2003, 2004, 2005]
    assert list(x["prev_year"].astype("object").fillna(0)) == [0, 2001, 2002, 2003, 2004]
    assert "event_series" not in t.columns
    assert x["share_docs_low"].isna().all()  # n_boot=0: no intervals
    # 2003 holds A2 and the event-less document: 31 of 41 mention x
    assert x.set_index("year").loc[2003, "docs_with_theme"] == 31


def test_track_themes_one_event_and_bad_input():
    corpus, counts = _small_corpus()
    one = corpus[corpus["event"] == "A1"]
    t = track_themes(one, counts=counts[counts.doc_id.isin(one.doc_id)], n_boot=50, n_perm=50)
    assert len(t) == 2 and t["share_change"].isna().all() and (t["change"] == "").all()
    with pytest.raises(CorpusError, match="not in the corpus"):
        track_themes(one, counts=counts, n_boot=0, n_perm=0)
    with pytest.raises(CorpusError, match="no column 'speaker'"):
        track_themes(corpus, counts=counts, by="speaker")
    with pytest.raises(ValueError, match="alpha"):
        track_themes(corpus, counts=counts, alpha=2)


def test_track_themes_flags_planted_trends_in_synthetic_corpus():
    from discourse.datasets import make_synthetic_corpus

    corpus = make_synthetic_corpus(600, n_events=6, series=("Forum",), seed=2)
    t = track_themes(corpus, n_boot=200, n_perm=400)  # through the real theme counter
    ai = t[t["theme"] == "ai_safety"]
    # ai_safety rises from 0.2 to 4 per 1,000 tokens (0.2, 0.35, 0.81, 1.57, 2.63, 4.0):
    # the rate rises are flagged from the fourth event on; no share change passes BH
    assert list(ai["change_per_1k"]) == ["", "", "", "rise", "rise", "rise"]
    assert list(ai["change"]) == [""] * 6
    dd = t[t["theme"] == "digital_divide"]
    # digital_divide falls from 4 to 0.5: one fall is large enough (2019)
    assert list(dd["change_per_1k"]) == ["", "", "", "", "fall", ""]
    assert list(dd["change"]) == ["", "", "", "", "fall", ""]
    flat = t[t["theme"] == "cybersecurity"]
    assert (flat["change"] == "").all()
    last, first = ai.iloc[-1], ai.iloc[0]
    assert last["per_1k_low"] > first["per_1k_high"]


# --- track_topics -----------------------------------------------------------------


def _fake_topic_model(table, labels=("climate change", "digital rules")):
    """A TopicModel whose document weights are ``table`` (doc_id, topic, weight).

    Only ``transform`` and ``doc_topics`` are replaced: ``topic_prevalence`` (the levels
    of track_topics) is the real method.
    """
    from discourse.topics import TopicModel

    class FakeTopicModel(TopicModel):
        def check_fitted(self):
            return None

        _check_fitted = check_fitted

        def transform(self, corpus):
            wide = table.pivot(index="doc_id", columns="topic", values="weight")
            return wide.reindex(corpus["doc_id"]).fillna(0.0).to_numpy()

        def doc_topics(self, corpus=None):
            return table[table["doc_id"].isin(corpus["doc_id"])].copy()

    model = FakeTopicModel(n_topics=table["topic"].nunique())
    model.labels_ = list(labels)
    return model


def test_track_topics_prevalence_and_change():
    corpus, _ = _small_corpus()
    rng = np.random.default_rng(0)
    w1 = np.where(corpus["event"].isin(["A2", "A3"]), 0.8, 0.2) + rng.uniform(-0.05, 0.05, len(corpus))
    dt = pd.concat([
        pd.DataFrame({"doc_id": corpus["doc_id"], "topic": 1, "weight": w1}),
        pd.DataFrame({"doc_id": corpus["doc_id"], "topic": 0, "weight": 1 - w1}),
    ])
    t = track_topics(_fake_topic_model(dt), corpus, n_boot=200, n_perm=300)
    assert list(t.columns[:4]) == ["event", "event_series", "topic", "label"]
    assert list(t["topic"].unique()) == [0, 1]
    r = t[t["topic"] == 1].set_index("event")
    assert r.loc["A1", "label"] == "digital rules"
    assert r.loc["A2", "prevalence"] == pytest.approx(w1[corpus["event"] == "A2"].mean())
    assert r.loc["A2", "change"] == "rise" and r.loc["A2", "prev_event"] == "A1"
    assert r.loc["A2", "prevalence_change_low"] > 0.5
    assert r.loc["B2", "change"] == "" and r.loc["A3", "change"] == ""
    assert (t[t["topic"] == 0].set_index("event").loc["A2", "change"]) == "fall"
    again = track_topics(_fake_topic_model(dt), corpus, n_boot=200, n_perm=300)
    pd.testing.assert_frame_equal(t, again)
    with pytest.raises(CorpusError, match="fitted TopicModel"):
        track_topics(object(), corpus)


# --- distinctive_terms -------------------------------------------------------------


def test_distinctive_terms_ranks_group_specific_words():
    corpus = _corpus(
        event=["E1", "E1", "E2", "E2"],
        year=[2001, 2001, 2002, 2002],
        text=[
            "the harbour harbour lantern shared shared words " * 5,
            "harbour kettle shared shared of the " * 5,
            "meadow meadow willow shared shared words " * 5,
            "meadow willow shared 2024 AI's " * 5,
        ],
    )
    dt = distinctive_terms(corpus, n=3, min_count=1)
    assert list(dt.columns) == ["event", "term", "rank", "count", "count_rest", "log_odds", "z"]
    e1 = dt[dt["event"] == "E1"]
    assert e1.iloc[0]["term"] == "harbour" and e1.iloc[0]["rank"] == 1
    assert e1.iloc[0]["count"] == 15 and e1.iloc[0]["count_rest"] == 0
    assert dt[dt["event"] == "E2"].iloc[0]["term"] == "meadow"
    # stop words, numbers and one-letter tokens are not terms
    assert not dt["term"].isin(["the", "of", "2024", "s"]).any()
    # z and log-odds are those of discourse.stats.log_odds_dirichlet on the group counts
    shared = dt[(dt["term"] == "shared")].iloc[0]
    assert shared["count"] + shared["count_rest"] == 35
    assert (dt.groupby("event")["z"].apply(lambda z: z.is_monotonic_decreasing)).all()


def test_distinctive_terms_log_odds_and_z_by_hand():
    # Monroe, Colaresi & Quinn (2008), eq. 16-22, computed by hand on three groups
    corpus = _corpus(
        event=["E1", "E2", "E3"],
        year=[2001, 2002, 2003],
        text=["harbour lantern harbour kettle meadow", "meadow willow meadow lantern kettle",
              "kettle kettle willow harbour lantern"],
    )
    dt = distinctive_terms(corpus, n=5, min_count=1, prior=0.5, stop_words=False)
    # counts: E1 harbour 2, lantern 1, kettle 1, meadow 1 (n = 5); corpus totals harbour 3,
    # lantern 3, kettle 4, meadow 3, willow 2 (15 tokens). Prior a_w = 0.5 x total:
    # harbour 1.5, lantern 1.5, kettle 2, meadow 1.5, willow 1; a0 = 7.5.
    # E1 "harbour": y = 2, rest y_r = 1, n_i = 5, n_r = 10
    d_harbour = np.log((2 + 1.5) / (5 + 7.5 - 2 - 1.5)) - np.log((1 + 1.5) / (10 + 7.5 - 1 - 1.5))
    z_harbour = d_harbour / np.sqrt(1 / (2 + 1.5) + 1 / (1 + 1.5))
    # E1 "willow": y = 0, y_r = 2
    d_willow = np.log((0 + 1) / (5 + 7.5 - 0 - 1)) - np.log((2 + 1) / (10 + 7.5 - 2 - 1))
    z_willow = d_willow / np.sqrt(1 / 1 + 1 / 3)
    # E1 "kettle": y = 1, y_r = 3
    d_kettle = np.log((1 + 2) / (5 + 7.5 - 1 - 2)) - np.log((3 + 2) / (10 + 7.5 - 3 - 2))
    z_kettle = d_kettle / np.sqrt(1 / 3 + 1 / 5)
    e1 = dt[dt["event"] == "E1"].set_index("term")
    assert e1.loc["harbour", "log_odds"] == pytest.approx(d_harbour, rel=1e-12)
    assert e1.loc["harbour", "z"] == pytest.approx(z_harbour, rel=1e-12)
    assert e1.loc["kettle", "z"] == pytest.approx(z_kettle, rel=1e-12)
    assert e1.loc["willow", "log_odds"] == pytest.approx(d_willow, rel=1e-12)
    assert e1.loc["willow", "z"] == pytest.approx(z_willow, rel=1e-12)
    assert e1.loc["harbour", ["count", "count_rest"]].tolist() == [2, 1]
    # ranks by z: harbour, then lantern and meadow (both y=1 against y_r=2, tie
    # broken by the term), kettle, willow
    assert list(e1.index) == ["harbour", "lantern", "meadow", "kettle", "willow"]
    assert list(e1["rank"]) == [1, 2, 3, 4, 5]


def test_distinctive_terms_bigrams_and_min_count():
    corpus = _corpus(
        event=["E1", "E2"],
        text=["digital divide digital divide and the digital divide", "green growth of the green growth"],
    )
    dt = distinctive_terms(corpus, n=5, min_count=2, ngram_range=(1, 2))
    assert "digital divide" in set(dt["term"]) and "green growth" in set(dt["term"])
    assert not dt["term"].str.contains(r"\bthe\b|\band\b").any()  # no bigram spans a stop word
    only = distinctive_terms(corpus, n=5, min_count=2, ngram_range=(2, 2))
    assert set(only["term"]) == {"digital divide", "green growth"}
    assert only[only["event"] == "E1"].set_index("term").loc["digital divide", "count"] == 3
    none = distinctive_terms(corpus, n=5, min_count=100)
    assert len(none) == 0 and list(none.columns)[1] == "term"


def test_track_topics_leaves_out_documents_without_topic_mixture():
    corpus, _ = _small_corpus()
    w = np.where(corpus["event"].eq("A1"), 0.3, 0.6)
    w[0] = 0.0  # document A1-0 has no vocabulary term: all weights 0
    dt = pd.concat([
        pd.DataFrame({"doc_id": corpus["doc_id"], "topic": 0, "label": "zero", "weight": w}),
        pd.DataFrame({"doc_id": corpus["doc_id"], "topic": 1, "label": "one",
                      "weight": np.where(w > 0, 1 - w, 0.0)}),
    ])
    t = track_topics(_fake_topic_model(dt, ("zero", "one")), corpus, doc_topics=dt,
                     n_boot=50, n_perm=50)
    a1 = t[(t["event"] == "A1") & (t["topic"] == 0)].iloc[0]
    assert a1["n_docs"] == 39 and a1["prevalence"] == pytest.approx(0.3)
    assert a1["label"] == "zero"


def test_events_without_any_series_form_one_series():
    corpus, counts = _small_corpus()
    t = track_themes(corpus.assign(event_series=None), counts=counts, n_boot=0, n_perm=0)
    x = t[t["theme"] == "x"].set_index("event")
    assert x.loc["B1", "prev_event"] == "A1" and x.loc["A2", "prev_event"] == "B1"
    assert "event_series" not in t.columns  # no series to show


def test_distinctive_terms_needs_two_groups():
    with pytest.raises(CorpusError, match="at least two groups"):
        distinctive_terms(_corpus(event=["E1", "E1"], text=["a b c", "d e f"]))


# --- on real data ----------------------------------------------------------------------


def test_distinctive_terms_on_un_speeches(ungdc_corpus):
    recent = ungdc_corpus[ungdc_corpus["year"].between(2019, 2021)]
    dt = distinctive_terms(recent, by="year", n=10)
    top_2020 = set(dt.loc[dt["year"] == 2020, "term"])
    assert {"pandemic", "covid"} <= top_2020
    assert (dt["z"] > 0).all()
    assert not dt["term"].isin(["the", "united", "nations"]).any()


def test_track_topics_matches_topic_prevalence_of_a_fitted_model():
    from discourse.datasets import make_synthetic_corpus
    from discourse.topics import TopicModel

    corpus = make_synthetic_corpus(160, n_events=4, seed=0)
    model = TopicModel(n_topics=3, random_state=0).fit(corpus)
    t = track_topics(model, corpus, n_boot=100, n_perm=100)
    p = model.topic_prevalence(corpus, n_boot=100)
    merged = t.merge(p, on=["event", "topic"], suffixes=("", "_model"))
    assert len(merged) == len(t) == 12
    np.testing.assert_allclose(merged["prevalence"], merged["prevalence_model"])
    # same seeds per group, although our rows are in time order and theirs sorted by name
    np.testing.assert_allclose(merged["prevalence_low"], merged["prevalence_low_model"])
    assert (merged["label"] == merged["label_model"]).all()
    assert (merged["n_docs"] == merged["n_docs_model"]).all()


def test_track_themes_levels_are_those_of_theme_frequencies():
    from discourse.datasets import make_synthetic_corpus
    from discourse.themes import theme_counts, theme_frequencies

    corpus = make_synthetic_corpus(120, n_events=3, seed=4)
    corpus.loc[corpus.index[:2], "event"] = None  # documents without event: a group too
    counts = theme_counts(corpus)
    for kwargs in ({"counts": counts}, {}):  # precomputed counts or counted here
        t = track_themes(corpus, n_boot=100, n_perm=0, **kwargs)
        f = theme_frequencies(corpus.assign(event=corpus["event"].fillna(NO_EVENT)), n_boot=100)
        merged = t.merge(f, on=["event", "theme"], suffixes=("", "_f"))
        assert len(merged) == len(t) == len(f) == 4 * t["theme"].nunique()
        for col in ["n_docs", "docs_with_theme", "share_docs", "share_docs_low",
                    "share_docs_high", "count", "n_tokens", "per_1k", "per_1k_low",
                    "per_1k_high"]:
            np.testing.assert_allclose(merged[col].astype(float),
                                       merged[f"{col}_f"].astype(float), rtol=1e-13,
                                       err_msg=col)
    # time order, not theme_frequencies' alphabetical one
    assert list(t["event"].unique())[-1] == NO_EVENT


def test_fdr_family_options():
    corpus, counts = _small_corpus()
    table = track_themes(corpus, counts=counts, n_boot=0, n_perm=100)
    theme = track_themes(corpus, counts=counts, n_boot=0, n_perm=100, fdr_family="theme")
    x = theme[theme["theme"] == "x"]
    tested = x["share_p"].notna()
    np.testing.assert_allclose(x.loc[tested, "share_q"], bh_adjust(x.loc[tested, "share_p"]))
    assert (theme["share_q"].fillna(0) <= table["share_q"].fillna(0) + 1e-12).all()
    with pytest.raises(ValueError, match="fdr_family"):
        track_themes(corpus, counts=counts, fdr_family="everything")


def test_track_themes_shows_the_rise_of_ai_safety_in_un_speeches(ungdc_corpus):
    recent = ungdc_corpus[ungdc_corpus["year"] >= 2014]
    t = track_themes(recent, by="event", n_boot=100, n_perm=1000)
    ai = t[t["theme"] == "ai_safety"].set_index("event")
    assert list(ai.index[-3:]) == ["UNGA 77 (2022)", "UNGA 78 (2023)", "UNGA 79 (2024)"]
    assert ai.loc["UNGA 78 (2023)", "prev_event"] == "UNGA 77 (2022)"
    assert ai.loc["UNGA 78 (2023)", "change_per_1k"] == "rise"
    before_2017 = ai.iloc[:3]  # UNGA 69 (2014) .. UNGA 71 (2016)
    assert before_2017.index[-1] == "UNGA 71 (2016)"
    assert ai.loc["UNGA 79 (2024)", "share_docs"] > before_2017["share_docs"].max()
    assert not (ai["change"] == "fall").any()


def test_distinctive_terms_prior_as_series_equals_scaled_corpus_counts():
    corpus = _corpus(
        event=["E1", "E2", "E3"],
        text=["harbour lantern harbour kettle meadow", "meadow willow meadow lantern kettle",
              "kettle kettle willow harbour lantern"],
    )
    a = distinctive_terms(corpus, n=5, min_count=1, prior=0.5)
    totals = pd.Series({"harbour": 3, "lantern": 3, "kettle": 4, "meadow": 3, "willow": 2})
    b = distinctive_terms(corpus, n=5, min_count=1, prior=0.5 * totals)
    pd.testing.assert_frame_equal(a, b)
    c = distinctive_terms(corpus, n=5, min_count=1, prior=0.5 * totals.drop("willow"))
    assert not np.allclose(a["z"], c["z"])  # willow now gets the smallest given pseudo-count
