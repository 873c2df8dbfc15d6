"""TopicModel on small synthetic corpora we generate (no real text)."""

from __future__ import annotations

import filecmp
import warnings

import numpy as np
import pandas as pd
import pytest

from discourse.errors import TopicModelError
from discourse.topics import TopicModel, write_topic_outputs

POOLS = {
    "climate": "climate emissions warming carbon adaptation glaciers drought floods".split(),
    "nuclear": "nuclear disarmament warheads proliferation missiles enrichment uranium test".split(),
    "trade": "trade tariffs exports markets investment commodities tariff imports".split(),
    "health": "health pandemic vaccines hospitals disease doctors epidemic nurses".split(),
    "digital": "internet broadband connectivity online software platforms cyberspace mobile".split(),
}
FILLER = "the we our and of to in is that this for with are".split()


def _paragraph(rng, pool, n=40, phrase=None):
    words = list(rng.choice(POOLS[pool], size=n)) + list(rng.choice(FILLER, size=n // 2))
    rng.shuffle(words)
    if phrase:
        words[3:3] = phrase.split()
    return " ".join(words).capitalize() + "."


def make_corpus(n_docs=60, seed=0, years=(2000, 2001, 2002)):
    rng = np.random.default_rng(seed)
    names = list(POOLS)
    rows = []
    for i in range(n_docs):
        year = years[i % len(years)]
        a, b = names[i % 5], names[(i * 2 + 1) % 5]
        paras = [
            _paragraph(rng, a, phrase="digital divide" if a == "digital" else None),
            _paragraph(rng, b, phrase="france" if i % 3 == 0 else None),
        ]
        if year == years[-1]:
            paras.append(_paragraph(rng, "climate"))
        rows.append(
            {
                "doc_id": f"d{i:03d}",
                "text": "\n\n".join(paras),
                "year": year,
                "event": f"Event ({year})",
            }
        )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def corpus():
    return make_corpus()


@pytest.fixture(scope="module")
def fitted(corpus):
    return TopicModel(5, unit="paragraph", min_df=2, random_state=0).fit(corpus)


def test_fit_learns_the_planted_topics(fitted):
    assert fitted.components_.shape == (5, len(fitted.terms_))
    np.testing.assert_allclose(fitted.components_.sum(axis=1), 1.0, rtol=1e-6)
    top = fitted.top_terms(5)
    found = set()
    for _, grp in top.groupby("topic"):
        terms = set(grp["term"])
        for name, pool in POOLS.items():
            if len(terms & set(pool)) >= 4:
                found.add(name)
    assert found == set(POOLS)


def test_top_terms_columns_and_frex(fitted):
    top = fitted.top_terms(3)
    assert list(top.columns) == ["topic", "label", "rank", "term", "weight", "frex"]
    assert len(top) == 15
    assert top["frex"].between(0, 1).all()
    assert (top.groupby("topic")["weight"].apply(lambda s: s.is_monotonic_decreasing)).all()
    assert len(set(fitted.labels_)) == 5


def test_collocations_joined_and_countries_dropped(corpus, fitted):
    assert "digital_divide" in fitted.terms_
    assert "france" not in fitted.terms_
    keep = TopicModel(5, unit="paragraph", min_df=2, drop_countries=False).fit(corpus)
    assert "france" in keep.terms_
    plain = TopicModel(5, unit="paragraph", min_df=2, collocations=False).fit(corpus)
    assert "digital_divide" not in plain.terms_


def test_extra_stop_words(corpus):
    m = TopicModel(5, unit="paragraph", min_df=2, stop_words=["uranium", "drought floods"]).fit(corpus)
    assert not {"uranium", "drought", "floods"} & set(m.terms_)


def test_doc_topics_are_proportions_aggregated_to_documents(corpus, fitted):
    dt = fitted.doc_topics()
    assert list(dt.columns) == ["doc_id", "topic", "label", "weight"]
    assert len(dt) == len(corpus) * 5
    sums = dt.groupby("doc_id")["weight"].sum()
    np.testing.assert_allclose(sums, 1.0, rtol=1e-6)
    # the training corpus gets the fitted weights back
    pd.testing.assert_frame_equal(fitted.doc_topics(corpus), dt)
    # a document about one pool loads on that pool's topic
    new = pd.DataFrame({"doc_id": ["x"], "text": [_paragraph(np.random.default_rng(9), "nuclear", n=80)]})
    theta = fitted.transform(new)[0]
    top_terms = fitted.top_terms(5)
    nuclear_topic = top_terms[top_terms["term"].isin(POOLS["nuclear"])]["topic"].mode()[0]
    assert theta.argmax() == nuclear_topic
    assert theta.sum() == pytest.approx(1.0)


def test_empty_document_gets_zero_weights(corpus, fitted):
    new = pd.DataFrame({"doc_id": ["a", "b"], "text": ["the and of", "climate warming carbon"]})
    theta = fitted.transform(new)
    assert theta[0].sum() == 0
    assert theta[1].sum() == pytest.approx(1.0)


def test_topic_prevalence_with_intervals(corpus, fitted):
    prev = fitted.topic_prevalence(corpus, by="year", n_boot=200, seed=1)
    assert list(prev.columns) == [
        "year", "topic", "label", "prevalence", "prevalence_low", "prevalence_high", "n_docs"
    ]
    assert len(prev) == 3 * 5
    assert (prev["prevalence_low"] <= prev["prevalence"] + 1e-12).all()
    assert (prev["prevalence"] <= prev["prevalence_high"] + 1e-12).all()
    np.testing.assert_allclose(prev.groupby("year")["prevalence"].sum(), 1.0, rtol=1e-6)
    climate = fitted.top_terms(5)
    k = climate[climate["term"].isin(POOLS["climate"])]["topic"].mode()[0]
    by_year = prev[prev["topic"] == k].set_index("year")["prevalence"]
    assert by_year[2002] > by_year[2000]  # the last year has an extra climate paragraph
    again = fitted.topic_prevalence(corpus, by="year", n_boot=200, seed=1)
    pd.testing.assert_frame_equal(prev, again)
    with pytest.raises(TopicModelError, match="no column 'country'"):
        fitted.topic_prevalence(corpus, by="country")


def test_representative_docs(fitted):
    rep = fitted.representative_docs(2)
    assert list(rep.columns) == ["topic", "label", "rank", "doc_id", "weight"]
    assert len(rep) == 10
    assert (rep.groupby("topic")["weight"].apply(lambda s: s.is_monotonic_decreasing)).all()


def test_same_seed_gives_byte_identical_csv(tmp_path, corpus):
    a = write_topic_outputs(corpus, tmp_path / "a", n_topics=5, method="nmf", unit="paragraph", random_state=3, by="year", min_df=2)
    b = write_topic_outputs(corpus, tmp_path / "b", n_topics=5, method="nmf", unit="paragraph", random_state=3, by="year", min_df=2)
    assert [p.split("/")[-1] for p in a] == ["top_terms.csv", "labels.csv", "doc_topics.csv", "prevalence.csv"]
    for pa, pb in zip(a, b, strict=False):
        assert filecmp.cmp(pa, pb, shallow=False), pa


def test_lda_fits(corpus):
    m = TopicModel(5, method="lda", unit="paragraph", min_df=2, random_state=0, max_iter=20).fit(corpus)
    theta = m.doc_topics_
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, rtol=1e-6)
    top = m.top_terms(5)
    assert len(top) == 25


def test_sentence_unit(corpus):
    m = TopicModel(5, unit="sentence", min_df=2).fit(corpus)
    assert m.n_units_ >= len(corpus)


def test_save_and_load(tmp_path, corpus, fitted):
    path = fitted.save(tmp_path / "model.joblib")
    loaded = TopicModel.load(path)
    pd.testing.assert_frame_equal(loaded.top_terms(), fitted.top_terms())
    new = corpus.assign(doc_id=corpus["doc_id"] + "x", text=corpus["text"].str.upper())
    np.testing.assert_allclose(loaded.transform(new), fitted.transform(new))
    bad = tmp_path / "bad.joblib"
    bad.write_text("not a model")
    with pytest.raises(TopicModelError, match="bad.joblib"):
        TopicModel.load(bad)
    with pytest.raises(TopicModelError, match="no such file"):
        TopicModel.load(tmp_path / "missing.joblib")


def test_estimator_contract(corpus):
    from sklearn.base import clone

    m = TopicModel(4, unit="paragraph", max_terms=100)
    assert m.get_params()["max_terms"] == 100
    c = clone(m)
    assert c.get_params() == m.get_params()
    assert not hasattr(c, "components_")
    assert c.fit(corpus) is c


@pytest.mark.parametrize(
    "params, message",
    [
        ({"method": "svd"}, "method='svd'"),
        ({"unit": "page"}, "unit='page'"),
        ({"n_topics": 0}, "n_topics=0"),
        ({"min_df": -1}, "min_df=-1"),
        ({"max_df": 1.5}, "max_df=1.5"),
        ({"method": "lda", "guided": True}, "guided topics need method='nmf'"),
    ],
)
def test_invalid_parameters(corpus, params, message):
    with pytest.raises(TopicModelError, match=message):
        TopicModel(**{"n_topics": 3, **params}).fit(corpus)


def test_bad_corpus_inputs():
    with pytest.raises(TopicModelError, match=r"must be a DataFrame \(from discourse.load_corpus\), not list"):
        TopicModel(2).fit(["a text"])
    with pytest.raises(TopicModelError, match="no 'text' column"):
        TopicModel(2).fit(pd.DataFrame({"doc_id": ["a"]}))
    with pytest.raises(TopicModelError, match="not unique"):
        TopicModel(2).fit(pd.DataFrame({"doc_id": ["a", "a"], "text": ["x", "y"]}))
    with pytest.raises(TopicModelError, match="no documents"):
        TopicModel(2).fit(pd.DataFrame({"doc_id": [], "text": []}))


def test_small_and_odd_corpora():
    tiny = pd.DataFrame({"doc_id": ["a", "b"], "text": ["climate carbon warming", "nuclear treaty missiles"]})
    with pytest.raises(TopicModelError, match="fewer than n_topics=5"), pytest.warns(UserWarning):
        TopicModel(5).fit(tiny)
    stop = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": ["the and of", "we our", "is it"]})
    with pytest.raises(TopicModelError, match="vocabulary is empty"):
        TopicModel(2).fit(stop)
    # min_df=5 prunes everything in three documents: relaxed with a warning
    three = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "text": ["climate carbon warming", "nuclear treaty missiles", "trade tariffs exports"], "event": ["E"] * 3}
    )
    with pytest.warns(UserWarning, match="relaxed to min_df=1"):
        m = TopicModel(2, min_df=5).fit(three)
    prev = m.topic_prevalence(three, by="event", n_boot=50)  # one event
    assert len(prev) == 2 and (prev["n_docs"] == 3).all()


def test_lemmatize_needs_wordnet(corpus):
    from discourse.text import nltk_data_status

    if nltk_data_status()["wordnet"]:
        pytest.skip("wordnet is installed here")
    with pytest.raises(LookupError, match="wordnet"):
        TopicModel(3, lemmatize=True).fit(corpus)


def test_stemming_shows_surface_forms(corpus):
    m = TopicModel(5, unit="paragraph", min_df=2, stem=True).fit(corpus)
    # "tariff" and "tariffs" share a stem; the most frequent surface form is shown
    assert ("tariffs" in m.terms_) != ("tariff" in m.terms_)
    assert "tarif" not in m.terms_


def test_guided_topics_from_a_dictionary(corpus):
    dictionary = {
        "themes": {
            "vaccination": {"patterns": ["vaccines", "epidemic"]},
            "arms": {"patterns": ["warheads", "missiles"]},
        }
    }
    m = TopicModel(5, unit="paragraph", min_df=2, guided=dictionary, random_state=0).fit(corpus)
    assert m.labels_[:2] == ["vaccination", "arms"]
    assert m.guided_topics_ == {"vaccination": 0, "arms": 1}
    top = m.top_terms(5)
    arms = set(top[top["topic"] == 1]["term"])
    assert len(arms & set(POOLS["nuclear"])) >= 4
    # a guided topic only explains text where its theme matches
    new = pd.DataFrame({"doc_id": ["t"], "text": ["trade tariffs exports markets investment"]})
    assert m.transform(new)[0, :2].sum() == 0
    with pytest.raises(TopicModelError, match="more than n_topics=1"):
        TopicModel(1, unit="paragraph", min_df=2, guided=dictionary).fit(corpus)


def test_cli_topics(tmp_path, demo_corpus):
    from discourse.cli import main

    out = tmp_path / "topics"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rc = main(["topics", "data/demo", "-k", "3", "-o", str(out)])
    assert rc == 0
    labels = pd.read_csv(out / "labels.csv")
    assert len(labels) == 3
    prev = pd.read_csv(out / "prevalence.csv")
    assert {"event", "topic", "prevalence", "prevalence_low", "prevalence_high"} <= set(prev.columns)
    # --terms-by frex: the same model, top terms in FREX order (the label's first three)
    out2 = tmp_path / "topics-frex"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        assert main(["topics", "data/demo", "-k", "3", "--terms-by", "frex", "-o", str(out2)]) == 0
    frex = pd.read_csv(out2 / "top_terms.csv")
    for _, grp in frex.groupby("topic"):
        grp = grp.sort_values("rank")
        assert grp["frex"].is_monotonic_decreasing
        assert " / ".join(grp["term"].head(3)) == grp["label"].iloc[0]
    assert pd.read_csv(out2 / "doc_topics.csv").equals(pd.read_csv(out / "doc_topics.csv"))


# --- the method table, public steps, the one fingerprint -------------------------------------


def test_a_method_is_one_entry_of_the_table(corpus, monkeypatch):
    """A strategy registered in METHODS is used by name: no switch elsewhere to update."""
    from discourse.topics.model import METHODS, NMFMethod

    calls = []

    class Counted(NMFMethod):
        name = "counted"

        def fit(self, model, X, *, random_state, init=None):
            calls.append(X.shape)
            return super().fit(model, X, random_state=random_state, init=init)

    monkeypatch.setitem(METHODS, "counted", Counted())
    new = TopicModel(4, method="counted", min_df=2, random_state=1).fit(corpus)
    old = TopicModel(4, method="nmf", min_df=2, random_state=1).fit(corpus)
    assert calls == [(60, old.terms_.size)]
    pd.testing.assert_frame_equal(new.top_terms(8), old.top_terms(8))
    np.testing.assert_array_equal(new.doc_topics_, old.doc_topics_)
    with pytest.raises(TopicModelError, match="Use one of 'nmf', 'lda', 'counted'"):
        TopicModel(4, method="svd").fit(corpus)
    with pytest.raises(TopicModelError, match="guided topics need method='nmf' or method='counted'"):
        TopicModel(4, method="lda", guided=True).fit(corpus)


def test_public_steps_reproduce_fit(corpus):
    """prepare -> fit_weights -> fit_factorisation is what fit does (select_n_topics uses them)."""
    model = TopicModel(4, min_df=2, random_state=2)
    prepared = model.prepare(corpus)
    assert prepared.counts.shape == (60, prepared.vectorizer.terms_.size)
    X = model.fit_weights(prepared.counts)
    _, theta, beta = model.fit_factorisation(X)
    fitted = TopicModel(4, min_df=2, random_state=2).fit(corpus)
    np.testing.assert_array_equal(beta[fitted.topic_order_], fitted.components_)
    np.testing.assert_allclose(theta[:, fitted.topic_order_], fitted.doc_topics_, atol=1e-12)


def test_training_corpus_recognised_in_order_only(corpus):
    from discourse.corpus import corpus_fingerprint

    model = TopicModel(4, min_df=2, random_state=0).fit(corpus)
    assert model.train_fingerprint_ == corpus_fingerprint(corpus)
    np.testing.assert_array_equal(model.transform(corpus), model.doc_topics_)
    # the same documents in another order get their own rows back, not the training order
    flipped = corpus.iloc[::-1].reset_index(drop=True)
    projected = model.transform(corpus.assign(doc_id=corpus["doc_id"] + "-other"))  # other ids: projected
    assert not np.array_equal(projected, model.doc_topics_)
    np.testing.assert_allclose(model.transform(flipped), projected[::-1], atol=1e-9)
    # an edited text is another corpus: projected, not looked up
    edited = corpus.assign(text=corpus["text"].where(corpus.index != 0, "trade tariffs exports markets"))
    theta = model.transform(edited)
    assert not np.allclose(theta[0], model.doc_topics_[0])
    np.testing.assert_allclose(theta[1:], model.transform(corpus.iloc[1:].reset_index(drop=True)))
