"""Coherence, stability, alignment and select_n_topics on synthetic corpora."""

from __future__ import annotations

import numpy as np
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
    for col in ["coherence_npmi", "exclusivity", "stability", "perplexity", "fit_seconds", "score", "recommended"]:
        assert col in table.columns
    assert table["recommended"].sum() == 1
    assert k in (2, 5, 8) and f"k={k}" in reason and "highest score" in reason
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
