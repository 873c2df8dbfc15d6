"""The real UN General Debate corpus (../shared/corpora/ungdc.zip), loaded once per session.

Skipped, saying why, when the corpus is not beside the project. The table is shared
by every module of the suite (the ``ungdc_corpus`` fixture): read-only here.
"""

from __future__ import annotations

import re

import pytest

from discourse.corpus import CORPUS_COLUMNS, corpus_summary


def test_ungdc_rows_years_countries(ungdc_corpus):
    df = ungdc_corpus
    assert list(df.columns[: len(CORPUS_COLUMNS)]) == CORPUS_COLUMNS
    assert len(df) == 10_952
    assert df["doc_id"].is_unique
    assert (int(df["year"].min()), int(df["year"].max())) == (1946, 2024)
    assert df["year"].nunique() == 79
    assert df["country"].nunique() == 200
    assert "EU" in set(df["country"])
    assert (df["session"] == df["year"] - 1945).all()
    assert df["date"].isna().all()


def test_ungdc_nothing_seen_is_lost_and_non_speech_files_are_reported(ungdc_corpus):
    attrs = ungdc_corpus.attrs
    assert attrs["n_seen"] == 10_952 and attrs["skipped"] == [] and attrs["n_loaded"] == 10_952
    ignored = sorted(r["path"].rsplit("!", 1)[1] for r in attrs["ignored"])
    assert ignored == [
        "ungdc/PROVENANCE.md",
        "ungdc/README.txt",
        "ungdc/Speakers_by_session.xlsx",
        "ungdc/manifest.csv",
    ]


def test_ungdc_layout_metadata(ungdc_corpus):
    row = ungdc_corpus.set_index("doc_id").loc["ARG_71_2016"]
    assert row["event"] == "UNGA 71 (2016)"
    assert row["event_series"] == "UN General Debate"
    assert (row["session"], row["year"], row["country"]) == (71, 2016, "ARG")
    assert row["path"].endswith("ungdc.zip!ungdc/TXT/Session 71 - 2016/ARG_71_2016.txt")
    assert ungdc_corpus["event"].nunique() == 79
    # rows in path order: by session, then country
    assert list(ungdc_corpus["doc_id"].iloc[:2]) == ["ARG_01_1946", "AUS_01_1946"]


@pytest.mark.parametrize("artefact", ["â€", "¬", "\f", "\r", "\ufeff", "**", "\t"])
def test_ungdc_no_artefact_left(ungdc_corpus, artefact):
    assert not ungdc_corpus["text"].str.contains(artefact, regex=False).any()


def test_ungdc_text_shape(ungdc_corpus):
    text = ungdc_corpus["text"]
    assert not text.str.contains("\n\n\n", regex=False).any()
    assert not text.str.contains(
        r"[^\n]\n[^\n]", regex=True
    ).any()  # no line break inside a paragraph
    assert (text.str.len() > 0).all()
    # hyphenation across lines joined (no "word-" at a paragraph end followed by a lower-case word)
    assert not text.str.contains(r"[a-z]-\n\n[a-z]", regex=True).any()


def test_ungdc_reference_counts(ungdc_corpus):
    # figures of the corpus README (documents containing the phrase, case-insensitive)
    df = ungdc_corpus
    for phrase, year, expected in [
        ("digital divide", 2000, 20),
        ("digital divide", 2024, 16),
        ("artificial intelligence", 2017, 2),
        ("artificial intelligence", 2024, 55),
    ]:
        sub = df.loc[df["year"] == year, "text"]
        found = int(sub.str.contains(re.escape(phrase), case=False, regex=True).sum())
        assert found == expected, (phrase, year, found)


def test_ungdc_summary(ungdc_corpus):
    text = corpus_summary(ungdc_corpus.head(200).copy())
    assert "documents:  200 loaded" in text
    assert "events:" in text and "UNGA 1 (1946)" in text


def test_ungdc_speakers_from_the_speaker_list(ungdc_corpus):
    df = ungdc_corpus
    assert df["speaker"].notna().sum() > 10_800
    assert not df["speaker"].str.match(r"(?:Mr|Mrs|Ms|H\.E)\b", na=False).any()
    assert df["country_name"].notna().sum() > 10_800


def test_ungdc_normalisation_is_idempotent_on_a_sample(ungdc_corpus):
    from discourse.corpus import normalise_text

    sample = ungdc_corpus["text"].iloc[::20]
    changed = [
        doc
        for doc, text in zip(ungdc_corpus["doc_id"].iloc[::20], sample, strict=True)
        if normalise_text(text) != text
    ]
    assert changed == []
