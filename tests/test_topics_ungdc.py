"""Done-means of the topics issue on the real UN General Debate corpus.

Within the test budget these run on a seeded sample of 50 speeches a year, 1990-2024
(1,750 speeches, paragraphs as units). The full-size checks (all 6,500 speeches)
are printed by ``benchmarks/bench_topics_full.py`` (``make bench``).
"""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from discourse.topics import TopicModel, select_n_topics


@pytest.fixture(scope="module")
def speeches(ungdc_corpus):
    recent = ungdc_corpus[(ungdc_corpus["year"] >= 1990) & (ungdc_corpus["year"] <= 2024)]
    parts = []
    for i, (_, grp) in enumerate(recent.groupby("year", sort=True)):
        parts.append(grp.sample(n=min(50, len(grp)), random_state=i))
    return pd.concat(parts).sort_values("doc_id", kind="stable").reset_index(drop=True)


def test_forty_topic_nmf_has_a_rising_climate_topic(speeches):
    model = TopicModel(40, unit="paragraph", random_state=0, max_terms=6000, max_iter=100).fit(speeches)
    top = model.top_terms(10)
    climate = top[top["term"] == "climate_change"].sort_values("rank", kind="stable")
    assert len(climate), "no topic has climate_change among its top terms"
    k = int(climate["topic"].iloc[0])
    prev = model.topic_prevalence(speeches, by="year", n_boot=0)
    by_year = prev[prev["topic"] == k].set_index("year")["prevalence"]
    assert by_year.loc[2020:2024].mean() > by_year.loc[1990:1999].mean()


def test_guided_model_has_a_rising_ai_safety_topic(speeches):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # themes with no match in the sample
        model = TopicModel(20, unit="paragraph", guided=True, random_state=0, max_terms=6000, max_iter=100).fit(speeches)
    assert "ai_safety" in model.labels_
    k = model.labels_.index("ai_safety")
    top = set(model.top_terms(10).query("topic == @k")["term"])
    assert {"ai", "artificial_intelligence"} & top
    prev = model.topic_prevalence(speeches, by="year", n_boot=0)
    by_year = prev[prev["topic"] == k].set_index("year")["prevalence"]
    assert min(by_year[2023], by_year[2024]) > by_year.loc[:2016].max()


def test_select_n_topics_recommends(speeches):
    sel = select_n_topics(speeches, candidates=(10, 20), sample=500, unit="paragraph", max_terms=4000, max_iter=60)
    assert list(sel.table["n_topics"]) == [10, 20]
    # 10 is within the margin of the best coherence on this sample, so the smaller k wins
    assert sel.n_topics == 10
    assert sel.table["stability"].between(0, 1).all()
    assert sel.table["coherence_npmi"].between(-1, 1).all()
    assert f"k={sel.n_topics}" in sel.reason
