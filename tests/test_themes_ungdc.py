"""Integration tests of the theme counter on the real UN General Debate corpus."""

from __future__ import annotations

import re

import pytest

from discourse.themes import load_dictionary, theme_counts, theme_frequencies


@pytest.fixture(scope="module")
def slice_2000_2017_2024(ungdc_corpus):
    return ungdc_corpus[ungdc_corpus["year"].isin([2000, 2017, 2024])]


def test_literal_phrases_agree_with_a_regex_and_the_readme(slice_2000_2017_2024):
    """Documents containing a phrase: ours equals a separator-tolerant regex, and the README figures."""
    corpus = slice_2000_2017_2024
    d = load_dictionary({"themes": {
        "dd": {"patterns": ["digital divide*"]},  # the README counts "divides" too
        "ai": {"patterns": ["artificial intelligence"]},
        "cs": {"patterns": ["cybersecurity"]},
    }})
    counts = theme_counts(corpus, d).merge(corpus[["doc_id", "year"]], on="doc_id")
    docs = counts[counts["count"] > 0].groupby(["theme", "year"]).size()
    rx = {"dd": r"(?<![^\W_])digital[\W_]+divide[^\W_]*", "ai": r"(?<![^\W_])artificial[\W_]+intelligence(?![^\W_])",
          "cs": r"(?<![^\W_])cybersecurity(?![^\W_])"}
    for theme, pattern in rx.items():
        expected = re.compile(pattern, re.IGNORECASE)
        per_doc = corpus["text"].map(lambda t, e=expected: len(e.findall(t)))
        ours = counts[counts.theme == theme].set_index("doc_id")["count"]
        assert (ours.loc[corpus["doc_id"]].to_numpy() == per_doc.to_numpy()).all(), theme
    # README: "digital divide" in 20 speeches of 2000 and 16 of 2024;
    # "artificial intelligence" in 2 of 2017 and 55 of 2024
    assert docs[("dd", 2000)] == 20 and docs[("dd", 2024)] == 16
    assert docs[("ai", 2017)] == 2 and docs[("ai", 2024)] == 55


def test_done_means_year_trends_with_the_default_dictionary(ungdc_corpus):
    freq = theme_frequencies(ungdc_corpus, by="year", n_boot=0)
    share = freq.pivot(index="year", columns="theme", values="share_docs")
    ai = share["ai_safety"]
    assert ai.loc[2024] > ai.loc[ai.index < 2017].max()
    dd = share["digital_divide"]
    assert dd.loc[2000] > dd.loc[1999] and dd.loc[2000] > dd.loc[2010]
    assert freq["n_docs"].groupby(freq["year"]).first().sum() == len(ungdc_corpus)


def test_governance_deficit_rises_2015_to_2024_as_the_codebook_defines_it(ungdc_corpus):
    """The codebook's governance_deficit (diagnosis and calls for global digital rules) rises on UN speeches."""
    recent = ungdc_corpus[ungdc_corpus["year"].between(2015, 2024)]
    freq = theme_frequencies(recent, by="year", n_boot=0)
    gd = freq[freq.theme == "governance_deficit"].set_index("year")
    # speeches with the theme: a handful in 2015, a quarter of all speeches by 2024
    assert gd.loc[2015, "docs_with_theme"] <= 5
    assert gd.loc[2024, "share_docs"] > 0.2
    assert gd.loc[2024, "share_docs"] > 5 * gd.loc[2015:2017, "share_docs"].max()
    late, early = gd.loc[2020:2024, "share_docs"].mean(), gd.loc[2015:2019, "share_docs"].mean()
    assert late > 2 * early
