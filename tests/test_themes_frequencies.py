"""Counts, frequencies, KWIC, co-occurrence, ThemeCounter, suggestions, validation, CLI."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from discourse.cli import main
from discourse.errors import CorpusError, DictionaryError
from discourse.themes import (
    ThemeCounter,
    kwic,
    load_dictionary,
    suggest_terms,
    theme_cooccurrence,
    theme_counts,
    theme_frequencies,
    validate_dictionary,
)


@pytest.fixture(scope="module")
def small(fixtures_dir):
    return load_dictionary(fixtures_dir / "themes" / "small.yaml")


@pytest.fixture()
def corpus():
    return pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "text": [
            "The digital divide grows. Cyber attacks too, and the technological gap.",
            "E-government and digital public services. Road connectivity matters.",
            "Nothing about it at all.",
            "The digital\ndivide and internet connectivity; cybersecurity.",
        ],
        "event": ["IGF 2019", "IGF 2019", None, "Wuzhen 2020"],
        "year": pd.array([2019, 2019, pd.NA, 2020], dtype="Int64"),
    })


def test_theme_counts(corpus, small):
    before = corpus.copy()
    out = theme_counts(corpus, small)
    pd.testing.assert_frame_equal(corpus, before)  # input untouched
    assert list(out.columns) == ["doc_id", "theme", "count", "n_tokens", "per_1k", "language", "spoken"]
    assert len(out) == 4 * 4
    assert out["doc_id"].tolist()[:4] == ["a"] * 4
    wide = out.pivot(index="doc_id", columns="theme", values="count")
    assert wide.loc["a"].to_dict() == {"divide": 2, "cyber": 1, "egov": 0, "ai_risk": 0}
    assert wide.loc["b"].to_dict() == {"divide": 0, "cyber": 0, "egov": 2, "ai_risk": 0}
    assert wide.loc["d"].to_dict() == {"divide": 2, "cyber": 1, "egov": 0, "ai_risk": 0}
    row = out[(out.doc_id == "a") & (out.theme == "divide")].iloc[0]
    assert row["n_tokens"] == 11 and row["per_1k"] == pytest.approx(2000 / 11)
    # a list of texts works too; doc_id is the position
    assert theme_counts(corpus["text"].tolist(), small)["doc_id"].tolist()[::4] == [0, 1, 2, 3]


def test_theme_frequencies_by_event_keeps_missing_group(corpus, small):
    out = theme_frequencies(corpus, small, by="event", n_boot=200, seed=1)
    assert list(out.columns) == [
        "event", "theme", "n_docs", "n_docs_other_language", "docs_with_theme", "share_docs", "share_docs_low",
        "share_docs_high", "count", "n_tokens", "per_1k", "per_1k_low", "per_1k_high"]
    assert out["event"].iloc[:4].tolist() == ["IGF 2019"] * 4
    assert out["event"].isna().sum() == 4  # documents without an event: their own group
    igf = out[(out.event == "IGF 2019") & (out.theme == "divide")].iloc[0]
    assert igf["n_docs"] == 2 and igf["docs_with_theme"] == 1 and igf["share_docs"] == 0.5
    assert igf["count"] == 2 and igf["per_1k"] == pytest.approx(2000 / (11 + 9))
    assert igf["share_docs_low"] <= igf["share_docs"] <= igf["share_docs_high"]
    again = theme_frequencies(corpus, small, by="event", n_boot=200, seed=1)
    pd.testing.assert_frame_equal(out, again)
    no_boot = theme_frequencies(corpus, small, by=["event", "year"], n_boot=0)
    assert list(no_boot.columns[:3]) == ["event", "year", "theme"]
    assert no_boot["share_docs_low"].isna().all()


def test_theme_frequencies_bad_by(corpus, small):
    with pytest.raises(CorpusError, match="no column 'country'"):
        theme_frequencies(corpus, small, by="country")
    with pytest.raises(CorpusError, match="no 'text' column"):
        theme_counts(corpus.drop(columns="text"), small)


def test_kwic_theme_and_pattern(corpus, small):
    out = kwic(corpus, "divide", window=2, dictionary=small)
    assert list(out.columns[:8]) == ["doc_id", "theme", "pattern", "left", "match", "right", "start", "end"]
    assert {"event", "year"} <= set(out.columns) and "text" not in out.columns
    assert out["doc_id"].tolist() == ["a", "a", "d", "d"]
    first = out.iloc[0]
    assert (first["left"], first["match"], first["right"]) == ("The", "digital divide", "grows. Cyber")
    assert out.iloc[2]["match"] == "digital divide"  # line break squashed
    assert out.iloc[3]["pattern"] == "near(connectivity, (internet|broadband), 5)"
    for row in out.itertuples():
        text = corpus.set_index("doc_id").loc[row.doc_id, "text"]
        assert " ".join(text[row.start:row.end].split()) == row.match
    pat = kwic(corpus, "cyber*", window=1)
    assert pat["theme"].unique().tolist() == ["cyber*"] and len(pat) == 2
    assert pat.iloc[0]["right"] == "attacks"
    assert kwic(corpus, "zebra crossing").empty
    with pytest.raises(DictionaryError, match="neither a theme id"):
        kwic(corpus, "(unclosed", dictionary=small)


def test_cooccurrence(corpus, small):
    out = theme_cooccurrence(corpus, small)
    assert list(out.columns) == ["theme_a", "theme_b", "n_units", "n_a", "n_b", "n_both", "jaccard", "lift", "pmi"]
    assert len(out) == 6
    row = out[(out.theme_a == "divide") & (out.theme_b == "cyber")].iloc[0]
    assert (row.n_units, row.n_a, row.n_b, row.n_both) == (4, 2, 2, 2)
    assert row.jaccard == 1.0 and row.lift == 2.0 and row.pmi == 1.0
    assert np.isnan(out[(out.theme_a == "divide") & (out.theme_b == "ai_risk")].iloc[0].pmi)
    sent = theme_cooccurrence(corpus, small, unit="sentence")
    srow = sent[(sent.theme_a == "divide") & (sent.theme_b == "cyber")].iloc[0]
    # 6 sentences; divide in 3 of them (two in doc a), cyber in 2, both in 2
    assert (srow.n_units, srow.n_a, srow.n_b, srow.n_both) == (6, 3, 2, 2)
    with pytest.raises(ValueError, match="unit"):
        theme_cooccurrence(corpus, small, unit="paragraph")


def test_theme_counter(corpus, small):
    tc = ThemeCounter(small)
    with pytest.raises(NotFittedError):
        tc.transform(corpus)
    X = tc.fit(corpus).transform(corpus)
    assert X.shape == (4, 4) and X.toarray()[0].tolist() == [2, 1, 0, 0]
    assert tc.get_feature_names_out().tolist() == ["divide", "cyber", "egov", "ai_risk"]
    dense = clone(tc).set_params(sparse=False).fit_transform(corpus["text"])
    assert isinstance(dense, np.ndarray) and (dense == X.toarray()).all()
    assert ThemeCounter().fit().get_feature_names_out()[0] == "digital_divide"


def test_suggest_terms(small):
    texts = [f"Rural schools face the digital divide in remote areas, said report {i}." for i in range(6)]
    texts += ["The digital divide hurts remote areas and rural schools."] * 2
    out = suggest_terms(pd.DataFrame({"doc_id": range(8), "text": texts}), "divide", dictionary=small, n=50)
    assert list(out.columns) == ["term", "n_words", "freq", "score", "measure"]
    assert "remote areas" in out["term"].tolist() and "rural schools" in out["term"].tolist()
    assert not any(t.startswith("the ") for t in out["term"])
    lr = suggest_terms(pd.DataFrame({"doc_id": range(8), "text": texts}), "divide", dictionary=small,
                       measure="likelihood_ratio")
    assert (lr["measure"] == "likelihood_ratio").all()
    with pytest.raises(DictionaryError, match="no theme 'nope'"):
        suggest_terms(texts, "nope", dictionary=small)


def test_validate_dictionary(corpus, small):
    v = validate_dictionary(corpus, small, sample=1, seed=3)
    pats = v["patterns"]
    assert len(pats) == 10
    row = pats[(pats.theme == "divide") & (pats.pattern_index == 0) & (pats.role == "pattern")].iloc[0]
    assert (row.matches, row.docs, row.counted) == (2, 2, 2)
    excl = pats[pats.role == "exclude"].iloc[0]
    assert excl.matches == 1 and excl.excluded == 0  # "Road connectivity" has no theme match to drop
    assert set(v.unmatched["pattern"]) >= {"computer security", "re:(?-i:\\bAl\\b)\\s+safety"}
    assert v.kwic.groupby(["theme", "role", "pattern_index"]).size().max() == 1
    assert v.themes.set_index("theme").loc["divide"].tolist() == [2, 4]
    again = validate_dictionary(corpus, small, sample=1, seed=3)
    pd.testing.assert_frame_equal(v.kwic, again.kwic)
    assert set(v.to_dict()) == {"patterns", "unmatched", "kwic", "themes"}


def test_done_means_scraped_article(fixtures_dir):
    """A news article about the three mission themes counts them and shows them in KWIC."""
    text = (fixtures_dir / "themes" / "article.txt").read_text()
    corpus = pd.DataFrame({"doc_id": ["wuzhen-article"], "text": [text]})
    counts = theme_counts(corpus).set_index("theme")["count"]
    for theme in ("digital_divide", "ai_safety", "governance_deficit"):
        assert counts[theme] >= 1, theme
        lines = kwic(corpus, theme)
        assert len(lines) >= 1 and (lines["theme"] == theme).all()
    assert "artificial intelligence" in " ".join(kwic(corpus, "ai_safety")["match"]).lower()


def test_cli_themes_and_kwic(tmp_path, fixtures_dir, capsys):
    src = tmp_path / "corpus"
    src.mkdir()
    shutil.copy(fixtures_dir / "themes" / "article.txt", src / "wuzhen-2023.txt")
    (src / "other.txt").write_text("Cyber attacks and the digital divide.\n")
    out = tmp_path / "freq.csv"
    assert main(["themes", str(src), "--by", "doc_id", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert set(table["theme"]) >= {"digital_divide", "ai_safety"} and len(table) % 2 == 0
    assert main(["kwic", str(src), "digital_divide", "--window", "3"]) == 0
    printed = capsys.readouterr().out
    assert "[digital divide]" in printed
    dic = fixtures_dir / "themes" / "bad_pattern.yaml"
    assert main(["kwic", str(src), "divide", "-d", str(dic)]) == 2
    assert "line 8" in capsys.readouterr().err
