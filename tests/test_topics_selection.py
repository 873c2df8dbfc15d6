"""Coherence, stability, alignment and select_n_topics on synthetic corpora."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from discourse.errors import TopicModelError
from discourse.topics import (
    TopicModel,
    align_topics,
    npmi_coherence,
    select_n_topics,
    topic_coherence,
    topic_stability,
)
from test_topics_model import make_corpus


@pytest.fixture(scope="module")
def corpus():
    return make_corpus(n_docs=45, seed=1)


def test_npmi_by_hand():
    # 4 documents x 3 terms: a and b always together, c with a only once
    X = sp.csr_matrix(np.array([[1, 1, 0], [2, 1, 1], [0, 0, 1], [0, 0, 1]]))
    top = np.array([[0, 1], [0, 2], [1, 2]])
    got = npmi_coherence(top, X)
    p_a, p_c, p_ac = 0.5, 0.75, 0.25
    npmi_ac = np.log(p_ac / (p_a * p_c)) / -np.log(p_ac)
    np.testing.assert_allclose(got, [1.0, npmi_ac, npmi_ac])
    never = npmi_coherence(np.array([[0, 2]]), sp.csr_matrix(np.array([[1, 0, 0], [0, 0, 1]])))
    assert never[0] == -1.0


def test_stability_and_alignment(corpus):
    a = TopicModel(5, unit="paragraph", min_df=2, random_state=0).fit(corpus)
    b = TopicModel(5, unit="paragraph", min_df=2, random_state=7, stem=True).fit(corpus)
    assert topic_stability([a.components_, a.components_]) == pytest.approx(1.0)
    al = align_topics(a, b)
    assert list(al.columns) == ["topic_a", "label_a", "topic_b", "label_b", "similarity"]
    assert len(al) == 5 and al["topic_b"].notna().all()
    assert (al["similarity"] > 0.5).all()  # the planted topics are found by both
    c = TopicModel(3, unit="paragraph", min_df=2).fit(corpus)
    al2 = align_topics(a, c)
    assert len(al2) == 5 and al2["topic_b"].isna().sum() == 2
    with pytest.raises(TopicModelError):
        align_topics(a, "not a model")
    with pytest.raises(TopicModelError):
        topic_stability([a.components_])


def test_topic_coherence_table(corpus):
    m = TopicModel(5, unit="paragraph", min_df=2).fit(corpus)
    coh = topic_coherence(m, corpus, n_terms=5)
    assert list(coh.columns) == ["topic", "label", "coherence_npmi", "exclusivity"]
    assert coh["coherence_npmi"].between(-1, 1).all()
    assert coh["exclusivity"].between(0, 1).all()


def test_select_n_topics_nmf(corpus):
    sel = select_n_topics(corpus, candidates=[2, 5, 8], unit="paragraph", min_df=2)
    table, k, reason = sel
    assert list(table["n_topics"]) == [2, 5, 8]
    for col in ["coherence_npmi", "exclusivity", "stability", "perplexity", "fit_seconds", "eligible", "recommended"]:
        assert col in table.columns
    assert table["recommended"].sum() == 1
    # on this fixture k=2 has the best coherence, so the parsimony rule picks it
    assert k == 2 and "k=2 is the smallest k in [2, 5, 8]" in reason
    assert table.loc[table["recommended"], "eligible"].all()
    assert table["perplexity"].isna().all()
    # five planted topics: k=5 is the most stable and exclusive of these
    assert table.set_index("n_topics")["stability"][5] > table.set_index("n_topics")["stability"][8]
    again = select_n_topics(corpus, candidates=[2, 5, 8], unit="paragraph", min_df=2)
    assert again.table.drop(columns="fit_seconds").equals(table.drop(columns="fit_seconds"))


def test_select_n_topics_lda_has_perplexity(corpus):
    sel = select_n_topics(corpus, candidates=[3, 5], method="lda", unit="paragraph", min_df=2, max_iter=5)
    assert sel.table["perplexity"].notna().all()
    assert "perplexity" in sel.reason


def test_select_n_topics_needs_three_seeds(corpus):
    with pytest.raises(TopicModelError, match="at least 3 seeds"):
        select_n_topics(corpus, candidates=[2, 3], seeds=(0, 1))
    with pytest.raises(TopicModelError, match="candidates"):
        select_n_topics(corpus, candidates=[1])


def test_frex_scores_by_hand():
    from discourse.topics import frex_scores

    # 2 topics x 3 terms; exclusivity is a term's share of its weight across topics
    beta = np.array([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]])
    got = frex_scores(beta)
    excl = beta / beta.sum(axis=0)
    # within topic 0: frequency ranks (1, 2/3, 1/3); exclusivity .833, .75, .2 -> ranks (1, 2/3, 1/3)
    # within topic 1: frequency ranks (2/3, 2/3, 1) (tie shares the highest rank); exclusivity
    # .167, .25, .8 -> ranks (1/3, 2/3, 1)
    assert excl[0].argsort().tolist() == [2, 1, 0]
    expected = np.array(
        [[1.0, 2 / 3, 1 / 3], [1 / (0.5 / (1 / 3) + 0.5 / (2 / 3)), 2 / 3, 1.0]]
    )
    np.testing.assert_allclose(got, expected)
    # scale-free: unnormalised weights give the same scores
    np.testing.assert_allclose(frex_scores(beta * 7), got)


def test_top_term_indices_orders_and_ties():
    from discourse.topics import top_term_indices

    comps = np.array([[0.4, 0.4, 0.1, 0.1], [0.1, 0.1, 0.4, 0.4]])
    # equal weights: the lower column first
    assert top_term_indices(comps, 2).tolist() == [[0, 1], [2, 3]]
    assert top_term_indices(comps, 2, by="frex").tolist() == [[0, 1], [2, 3]]
    with pytest.raises(TopicModelError, match='by="frex"'):
        top_term_indices(comps, 2, by="lift")


def test_top_terms_by_frex_matches_labels(corpus):
    model = TopicModel(5, random_state=0).fit(corpus)
    by_weight = model.top_terms(8)
    by_frex = model.top_terms(8, by="frex")
    assert list(by_frex.columns) == list(by_weight.columns)
    for k, grp in by_frex.groupby("topic"):
        grp = grp.sort_values("rank")
        # ranks follow the FREX score, and the label is its first three terms
        assert grp["frex"].is_monotonic_decreasing
        assert model.labels_[k] == " / ".join(grp["term"].head(3))
    for _, grp in by_weight.groupby("topic"):
        assert grp.sort_values("rank")["weight"].is_monotonic_decreasing
    with pytest.raises(TopicModelError, match="term order"):
        model.top_terms(5, by="probability")


def test_coherence_and_selection_by_frex(corpus):
    model = TopicModel(5, random_state=0).fit(corpus)
    w = topic_coherence(model, corpus)
    f = topic_coherence(model, corpus, by="frex")
    assert f["coherence_npmi"].between(-1, 1).all()
    # the scored terms are those top_terms shows
    top = model.top_terms(10, by="frex")
    dtm = model.vectorizer_.transform(corpus["text"].tolist())
    cols = {t: i for i, t in enumerate(model.terms_)}
    idx = np.array([[cols[t] for t in grp.sort_values("rank")["term"]] for _, grp in top.groupby("topic")])
    np.testing.assert_allclose(f["coherence_npmi"], npmi_coherence(idx, dtm))
    assert len(w) == len(f)
    sel = select_n_topics(corpus, candidates=(3, 5), by="frex")
    assert "by frex" in sel.reason
    with pytest.raises(TopicModelError, match="term order"):
        select_n_topics(corpus, candidates=(3, 5), by="lift")


def test_report_topics_table_has_both_views(corpus):
    from discourse.report import topics_table

    model = TopicModel(5, random_state=0).fit(corpus)
    table = topics_table(model, n_terms=6)
    assert {"top_terms", "frex_terms"} <= set(table.columns)
    for _, row in table.iterrows():
        assert row["frex_terms"].split(", ")[:3] == row["label"].split(" / ")
        assert len(row["top_terms"].split(", ")) == 6


def _diagnostics(coherence, sd, stability):
    return pd.DataFrame(
        {
            "n_topics": [5, 10, 15, 20],
            "coherence_npmi": coherence,
            "coherence_npmi_sd": sd,
            "exclusivity": [0.6, 0.5, 0.45, 0.4],
            "stability": stability,
            "perplexity": np.nan,
        }
    )


def test_recommendation_rule_by_hand():
    from discourse.topics.selection import _recommend

    args = ([5, 10, 15, 20], 3, 10, "weight", "nmf", 0.8, 0.05)
    # best 0.200 at k=20; 5% margin 0.010: k=15 (0.192) is out, so k=20... unless
    # the SD over seeds is larger: 0.02 lets k=15 (0.192) in
    t = _diagnostics([0.10, 0.15, 0.188, 0.20], [0.001] * 4, [0.99, 0.95, 0.9, 0.9])
    assert _recommend(t, *args)[0] == 20
    t = _diagnostics([0.10, 0.15, 0.192, 0.20], [0.001, 0.001, 0.001, 0.02], [0.99, 0.95, 0.9, 0.9])
    best, reason = _recommend(t, *args)
    assert best == 15 and "within 0.020 of the best, 0.200 at k=20" in reason
    assert t["eligible"].tolist() == [False, False, True, True]
    # an unstable candidate is never recommended, even the most coherent
    t = _diagnostics([0.10, 0.15, 0.19, 0.30], [0.001] * 4, [0.99, 0.95, 0.9, 0.5])
    assert _recommend(t, *args)[0] == 15
    # no stable candidate: all are considered, and the reason says so
    t = _diagnostics([0.10, 0.15, 0.19, 0.30], [0.001] * 4, [0.5] * 4)
    best, reason = _recommend(t, *args)
    assert best == 20 and "no candidate reached stability" in reason
