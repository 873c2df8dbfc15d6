"""discourse.datasets: the bundled demo corpus and the synthetic corpus with planted themes."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from discourse.corpus import CORPUS_COLUMNS
from discourse.datasets import (
    CANONICAL_PHRASES,
    FILLER_WORDS,
    default_theme_rates,
    demo_corpus_path,
    make_synthetic_corpus,
    planted_rates,
)
from discourse.errors import CorpusError
from discourse.text import sentence_spans, split_paragraphs, tokenize

# the synthetic corpus must carry exactly the loader's standard columns, in order
CONTRACT_COLUMNS = list(CORPUS_COLUMNS)


def _phrase_counts(text: str, phrases: dict[str, str]) -> dict[str, int]:
    """Count each phrase as a run of consecutive tokens (the shared tokeniser)."""
    joined = " " + " ".join(tokenize(text)) + " "
    return {theme: joined.count(" " + " ".join(tokenize(p)) + " ") for theme, p in phrases.items()}


@pytest.fixture(scope="module")
def synth():
    return make_synthetic_corpus(800, seed=3, return_counts=True)


# --- synthetic corpus: shape and determinism ---------------------------------------


def test_synthetic_has_contract_columns_and_dtypes(synth):
    corpus, _ = synth
    assert corpus.columns.tolist()[: len(CONTRACT_COLUMNS)] == CONTRACT_COLUMNS
    assert len(corpus) == 800
    assert corpus["doc_id"].is_unique
    assert corpus["doc_id"].iloc[0] == "synth-000001"
    assert str(corpus["year"].dtype) == "Int64"
    assert str(corpus["date"].dtype) == "datetime64[ns]"
    for col in (
        "doc_id",
        "text",
        "title",
        "source",
        "event",
        "event_series",
        "speaker",
        "organisation",
        "country",
        "path",
    ):
        assert pd.api.types.is_string_dtype(corpus[col]), col
        assert corpus[col].notna().all(), col
    assert (corpus["path"] == "").all()
    assert corpus["event"].nunique() == 8
    assert corpus["event_series"].nunique() == 2
    # events in time order, in contiguous blocks of (nearly) equal size
    assert corpus["year"].is_monotonic_increasing
    sizes = corpus.groupby("event", sort=False).size()
    assert sizes.max() - sizes.min() <= 1
    assert corpus.attrs["skipped"] == []


def test_synthetic_matches_loader_columns():
    import discourse.corpus as corpus_mod

    corpus = make_synthetic_corpus(10)
    assert corpus.columns.tolist() == list(corpus_mod.CORPUS_COLUMNS)


def test_synthetic_corpora_concatenate_and_keep_their_rates():
    a = make_synthetic_corpus(10, seed=1)
    both = pd.concat([a.iloc[:4], a.iloc[4:]], ignore_index=True)
    pd.testing.assert_frame_equal(planted_rates(both), planted_rates(a))
    other = pd.concat([a, make_synthetic_corpus(10, seed=2, theme_rates={})], ignore_index=True)
    assert len(other) == 20
    with pytest.raises(CorpusError, match="no planted rates"):
        planted_rates(pd.DataFrame({"doc_id": ["x"]}))


def test_synthetic_is_deterministic():
    a = make_synthetic_corpus(300, seed=7)
    b = make_synthetic_corpus(300, seed=7)
    c = make_synthetic_corpus(300, seed=8)
    assert a.to_csv(index=False).encode() == b.to_csv(index=False).encode()
    pd.testing.assert_frame_equal(planted_rates(a), planted_rates(b))
    assert not a["text"].equals(c["text"])


def test_synthetic_text_has_sentences_and_paragraphs(synth):
    corpus, _ = synth
    text = corpus["text"].iloc[0]
    assert len(split_paragraphs(text)) >= 2
    assert len(sentence_spans(text)) >= 5
    assert text[0].isupper() and text.endswith(".")
    assert "  " not in text and ". ." not in text
    # lengths within doc_length
    n_tokens = corpus["text"].map(lambda t: len(tokenize(t)))
    assert n_tokens.between(150, 600).all()


def test_filler_words_avoid_theme_vocabulary():
    banned = {
        "digital",
        "divide",
        "gap",
        "gaps",
        "access",
        "connectivity",
        "inclusion",
        "ai",
        "artificial",
        "safety",
        "risk",
        "risks",
        "governance",
        "deficit",
        "rules",
        "cyber",
        "cybersecurity",
        "security",
        "data",
        "privacy",
        "protection",
        "economy",
        "government",
        "culture",
        "inclusive",
        "society",
        "green",
        "sustainable",
        "cooperation",
        "multilateral",
        "people",
        "rights",
        "internet",
        "online",
        "technology",
        "network",
    }
    assert not banned & set(FILLER_WORDS)
    phrase_tokens = {t for p in CANONICAL_PHRASES.values() for t in tokenize(p)}
    assert not phrase_tokens & set(FILLER_WORDS)


# --- planted rates ------------------------------------------------------------------


def test_planted_counts_are_exact(synth):
    corpus, counts = synth
    sample = corpus.iloc[::25]
    wide = counts.pivot(index="doc_id", columns="theme", values="count")
    n_tok = counts.groupby("doc_id")["n_tokens"].first()
    for doc_id, text in zip(sample["doc_id"], sample["text"], strict=True):
        found = _phrase_counts(text, CANONICAL_PHRASES)
        assert found == {t: int(wide.loc[doc_id, t]) for t in CANONICAL_PHRASES}, doc_id
        assert len(tokenize(text)) == n_tok.loc[doc_id]


def test_planted_rates_recovered_by_phrase_counting(synth):
    corpus, _ = synth
    planted = planted_rates(corpus)
    assert planted.columns.tolist() == ["event", "event_series", "year", "theme", "rate_per_1k"]
    assert len(planted) == 8 * len(CANONICAL_PHRASES)
    rows = []
    for event, group in corpus.groupby("event", sort=False):
        totals = dict.fromkeys(CANONICAL_PHRASES, 0)
        n_tokens = 0
        for text in group["text"]:
            n_tokens += len(tokenize(text))
            for theme, n in _phrase_counts(text, CANONICAL_PHRASES).items():
                totals[theme] += n
        rows += [(event, t, c, n_tokens) for t, c in totals.items()]
    got = pd.DataFrame(rows, columns=["event", "theme", "count", "n_tokens"])
    both = got.merge(planted, on=["event", "theme"], validate="one_to_one")
    expected = both["rate_per_1k"] * both["n_tokens"] / 1000
    # Poisson counts: within 4 standard deviations (plus one) of the expectation
    assert (np.abs(both["count"] - expected) <= 4 * np.sqrt(expected) + 1).all()
    observed = (
        both.assign(per_1k=both["count"] / both["n_tokens"] * 1000)
        .pivot(index="event", columns="theme", values="per_1k")
        .loc[corpus["event"].unique()]
    )
    # the default trends are visible: AI safety rises, the digital divide falls
    assert observed["ai_safety"].iloc[-1] > 5 * observed["ai_safety"].iloc[0]
    assert observed["digital_divide"].iloc[0] > 3 * observed["digital_divide"].iloc[-1]


def test_custom_rates_events_and_phrases():
    corpus, counts = make_synthetic_corpus(
        60,
        seed=1,
        events=["Harbour Forum 2019", "Harbour Forum 2021", "Lantern Talks 2020"],
        theme_rates={"ai_safety": [0.0, 0.0, 20.0], "cooperation": 5.0},
        return_counts=True,
    )
    assert corpus["event"].unique().tolist() == [
        "Harbour Forum 2019",
        "Harbour Forum 2021",
        "Lantern Talks 2020",
    ]
    assert corpus["event_series"].unique().tolist() == ["Harbour Forum", "Lantern Talks"]
    assert corpus["year"].unique().tolist() == [2019, 2021, 2020]
    per_event = (
        counts.merge(corpus[["doc_id", "event"]], on="doc_id")
        .groupby(["event", "theme"])["count"]
        .sum()
    )
    assert per_event[("Harbour Forum 2019", "ai_safety")] == 0
    assert per_event[("Lantern Talks 2020", "ai_safety")] > 0
    assert per_event[("Harbour Forum 2021", "digital_divide")] == 0  # unnamed themes get 0

    tidy = pd.DataFrame(
        {"event": ["A 2001", "B 2002"], "theme": ["risk", "risk"], "rate_per_1k": [0.0, 10.0]}
    )
    c2, k2 = make_synthetic_corpus(
        20,
        seed=2,
        events=["A 2001", "B 2002"],
        theme_rates=tidy,
        phrases={"risk": "storm warning"},
        return_counts=True,
    )
    assert k2["theme"].unique().tolist() == ["risk"]
    assert "storm warning" in " ".join(c2["text"]).lower()
    assert planted_rates(c2)["rate_per_1k"].tolist() == [0.0, 10.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n_docs": -1}, "n_docs"),
        ({"n_docs": 5, "theme_rates": {"no_such_theme": 1.0}}, "unknown theme"),
        ({"n_docs": 5, "theme_rates": {"ai_safety": [1.0, 2.0]}}, "2 rates for 8 events"),
        ({"n_docs": 5, "theme_rates": {"ai_safety": 400.0}}, "Lower the rates"),
        ({"n_docs": 5, "theme_rates": {"ai_safety": -1.0}}, "non-negative"),
        ({"n_docs": 5, "doc_length": (600, 150)}, "doc_length"),
        ({"n_docs": 5, "events": ["X 2020", "X 2020"]}, "listed twice"),
        ({"n_docs": 5, "events": "X 2020"}, "list of event names"),
        ({"n_docs": 5, "n_events": 0}, "n_events"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs, message):
    with pytest.raises(CorpusError, match=message):
        make_synthetic_corpus(**kwargs)


def test_non_ascii_phrases_keep_documents_whole():
    corpus, counts = make_synthetic_corpus(
        30,
        seed=1,
        phrases={"culture": "café numérique"},
        theme_rates={"culture": 20.0},
        return_counts=True,
    )
    n_tok = counts.set_index("doc_id")["n_tokens"]
    for doc_id, text in zip(corpus["doc_id"], corpus["text"], strict=True):
        assert len(tokenize(text)) == n_tok.loc[doc_id]
        assert text.endswith(".") and text[0].isupper()
        assert (
            _phrase_counts(text, {"culture": "café numérique"})["culture"]
            == counts.set_index("doc_id").loc[doc_id, "count"]
        )


def test_zero_documents():
    corpus = make_synthetic_corpus(0)
    assert corpus.empty and corpus.columns.tolist() == CONTRACT_COLUMNS
    assert len(planted_rates(corpus)) == 8 * len(CANONICAL_PHRASES)


def test_default_theme_rates_trends():
    rates = default_theme_rates(5).pivot(index="event_index", columns="theme", values="rate_per_1k")
    assert (
        rates["ai_safety"].is_monotonic_increasing
        and rates["ai_safety"].iloc[-1] > rates["ai_safety"].iloc[0]
    )
    assert rates["digital_divide"].is_monotonic_decreasing
    assert sorted(rates.columns) == sorted(CANONICAL_PHRASES)


def _themes_module():
    return importlib.import_module("discourse.themes")


def test_theme_counts_recover_planted_counts():
    """theme_counts with the default dictionary finds exactly what was planted.

    A canonical phrase may also count for another theme (one span may count for two
    themes), so the expectation is planted counts times the matrix of what each phrase
    alone matches; the diagonal must be 1 (each phrase matches its own theme once).
    """
    themes = _themes_module()
    ids = list(CANONICAL_PHRASES)
    probe = pd.DataFrame(
        {
            "doc_id": ids,
            "text": [
                f"The cat sat by the river. Then {CANONICAL_PHRASES[t]} was seen near the old barn."
                for t in ids
            ],
        }
    )
    probe_corpus = make_synthetic_corpus(len(ids)).iloc[: len(ids)].copy()
    probe_corpus["doc_id"] = probe["doc_id"].astype("str").to_numpy()
    probe_corpus["text"] = probe["text"].astype("str").to_numpy()
    m = themes.theme_counts(probe_corpus).pivot(index="doc_id", columns="theme", values="count")
    matrix = m.loc[ids, ids].to_numpy()
    assert (np.diag(matrix) == 1).all(), m.loc[ids, ids]

    corpus, counts = make_synthetic_corpus(300, seed=11, return_counts=True)
    got = themes.theme_counts(corpus)
    planted = counts.pivot(index="doc_id", columns="theme", values="count").loc[
        corpus["doc_id"], ids
    ]
    expected = planted.to_numpy() @ matrix
    found = (
        got.pivot(index="doc_id", columns="theme", values="count")
        .loc[corpus["doc_id"], ids]
        .to_numpy()
    )
    np.testing.assert_array_equal(found, expected)
    n_tok = got.groupby("doc_id")["n_tokens"].first().loc[corpus["doc_id"]].to_numpy()
    np.testing.assert_array_equal(
        n_tok, counts.groupby("doc_id")["n_tokens"].first().loc[corpus["doc_id"]].to_numpy()
    )


def test_filler_matches_no_theme_of_the_default_dictionary():
    themes = _themes_module()
    corpus = make_synthetic_corpus(400, seed=4, theme_rates={})
    counts = themes.theme_counts(corpus)
    assert counts["count"].sum() == 0, counts.loc[counts["count"] > 0].head()


def test_theme_frequencies_recover_planted_rates():
    themes = _themes_module()
    corpus = make_synthetic_corpus(
        800, seed=9, theme_rates={"ai_safety": [0.5, 1, 2, 4, 6, 8, 10, 12]}
    )
    freq = themes.theme_frequencies(corpus, by="event", n_boot=50)
    got = freq.loc[freq["theme"] == "ai_safety"].set_index("event")
    planted = planted_rates(corpus).query("theme == 'ai_safety'").set_index("event")
    both = got.join(planted["rate_per_1k"], how="inner")
    assert len(both) == 8
    expected = both["rate_per_1k"] * both["n_tokens"] / 1000
    assert (np.abs(both["count"] - expected) <= 4 * np.sqrt(expected) + 1).all()
    assert (
        both["per_1k"].is_monotonic_increasing
        or both["per_1k"].iloc[-1] > 5 * both["per_1k"].iloc[0]
    )


# --- the bundled demo corpus -----------------------------------------------------


def test_demo_corpus_path_finds_the_bundled_folder():
    path = demo_corpus_path()
    assert path.is_dir() and (path / "README.md").is_file()
    assert len(list(path.rglob("*.txt"))) >= 40


def test_demo_corpus_path_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCOURSE_DEMO", str(tmp_path))
    assert demo_corpus_path() == tmp_path
    monkeypatch.setenv("DISCOURSE_DEMO", str(tmp_path / "missing"))
    with pytest.raises(CorpusError, match="DISCOURSE_DEMO"):
        demo_corpus_path()


def test_demo_articles_follow_the_format():
    for path in sorted(demo_corpus_path().rglob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        nonblank = [ln for ln in lines if ln.strip()]
        assert not nonblank[0].startswith("|"), path
        assert nonblank[1].startswith("| ") and nonblank[1].endswith(".example"), path
        body = " ".join(nonblank[2:])
        # issue 11: Chinese and bilingual articles are measured in Han characters plus
        # the words of their English part (Chinese has no spaces to count words by)
        han = len(re.findall("[\u4e00-\u9fff]", body))
        words = len(tokenize(re.sub("[\u4e00-\u9fff]+", " ", body)))
        if han == 0:
            assert 250 <= words <= 650, (path, words)
        elif words < 20:  # Chinese
            assert 300 <= han <= 700, (path, han)
        else:  # bilingual: a Chinese part and an English part, each of some length
            assert han >= 120 and words >= 150, (path, han, words)


def test_demo_corpus_size(demo_corpus):
    # issue 11 added 12 Chinese and 4 bilingual articles to MWC Shanghai and Wuzhen
    # (150 -> 166 documents, 81 -> 97 speakers)
    assert len(demo_corpus) == 166
    assert demo_corpus.groupby("event").size().tolist() == [13, 13, 13, 12, 12, 12, 14, 15, 15, 15, 16, 16]
    assert demo_corpus["speaker"].nunique() == 97
    assert demo_corpus["language"].value_counts().to_dict() == {"en": 150, "zh": 12, "mixed": 4}
    assert demo_corpus["event"].nunique() >= 8
    assert demo_corpus["year"].nunique() >= 5
    assert demo_corpus["event_series"].nunique() >= 4
    assert (demo_corpus.groupby("event").size() >= 3).all()
    assert demo_corpus.attrs["skipped"] == []


def test_every_demo_document_has_inferred_metadata(demo_corpus):
    for col in ("event", "event_series", "speaker", "organisation", "title", "source"):
        values = demo_corpus[col]
        missing = demo_corpus.loc[
            values.isna() | (values.astype("str").str.strip() == ""), "doc_id"
        ].tolist()
        assert not missing, f"{col} not inferred for {missing}"
    for col in ("year", "date"):
        missing = demo_corpus.loc[demo_corpus[col].isna(), "doc_id"].tolist()
        assert not missing, f"{col} not inferred for {missing}"
    # the year is the event's year, and dates fall in it
    assert (demo_corpus["date"].dt.year == demo_corpus["year"]).all()
    assert (demo_corpus["event"].str[-4:].astype(int) == demo_corpus["year"]).all()
    # the sidecar metadata.csv adds the host city
    assert demo_corpus["city"].notna().all()


def test_demo_articles_naming_an_earlier_event(demo_corpus):
    if "events_mentioned" not in demo_corpus.columns:
        pytest.skip("the loader does not report events_mentioned")
    rows = demo_corpus.set_index("doc_id")
    row = rows.loc["internet-governance-forum/2024-02-ai-safety-institutes-compare-notes"]
    assert row["event"] == "Internet Governance Forum 2024"
    assert "World Internet Conference Wuzhen Summit 2023" in str(row["events_mentioned"])
    row = rows.loc["world-internet-conference-wuzhen-summit/2021-02-village-broadband-two-years-on"]
    assert row["event"] == "World Internet Conference Wuzhen Summit 2021"
    assert "World Internet Conference Wuzhen Summit 2019" in str(row["events_mentioned"])


def test_demo_corpus_example_document(demo_corpus):
    row = demo_corpus.set_index("doc_id").loc[
        "digital-futures-dialogue/2020-01-pandemic-exposes-divide"
    ]
    assert row["event"] == "Digital Futures Dialogue 2020"
    assert row["event_series"] == "Digital Futures Dialogue"
    assert row["date"] == pd.Timestamp("2020-11-03")
    assert row["speaker"] == "Amina Otieno"
    assert row["organisation"] == "Digital Futures Network"
    assert row["source"] == "example-news.example"
    assert row["title"].startswith("Forum chair opens 2020 Digital Futures Dialogue")
    assert not row["text"].startswith("Forum chair")  # the title is not part of the body


def test_demo_story_is_visible_to_plain_phrase_counts(demo_corpus):
    """The planted story, checked without the theme module: AI safety language rises in
    2023-2024 and digital-divide language fades after 2021 (mean matches per document)."""
    ai = r"(?i)\bAI safety\b|safety risks of (?:AI|artificial intelligence)|risks posed by AI|frontier model"
    divide = r"(?i)digital divide|connectivity|unconnected|meaningful access|universal access"
    by_year = (
        demo_corpus.assign(
            ai=demo_corpus["text"].str.count(ai), divide=demo_corpus["text"].str.count(divide)
        )
        .groupby("year")[["ai", "divide"]]
        .mean()
    )
    assert by_year.loc[[2023, 2024], "ai"].min() > 3 * by_year.loc[2019:2022, "ai"].max()
    assert by_year.loc[2019:2021, "divide"].min() > 2 * by_year.loc[2023:2024, "divide"].max()


def test_demo_story_is_visible_to_the_default_dictionary(demo_corpus):
    """What the report must show: AI safety rising in 2023-2024, the digital divide fading."""
    themes = _themes_module()
    freq = themes.theme_frequencies(demo_corpus, by="year", n_boot=20)
    rate = freq.pivot(index="year", columns="theme", values="per_1k")
    assert rate.loc[[2023, 2024], "ai_safety"].min() > 3 * rate.loc[2019:2022, "ai_safety"].max()
    assert (
        rate.loc[2019:2021, "digital_divide"].min()
        > 2 * rate.loc[2022:2024, "digital_divide"].max()
    )


def test_load_demo_corpus_passes_options():
    from discourse.datasets import load_demo_corpus

    corpus = load_demo_corpus(errors="skip")
    assert len(corpus) == len(list(Path(demo_corpus_path()).rglob("*.txt")))
    assert corpus["event"].notna().all()


def test_demo_report_finds_the_planted_changes(demo_corpus):
    """The demo is large enough for the report to show significant changes, and only the
    planted ones (README, "The story planted in it")."""
    from discourse.tracking import track_themes

    table = track_themes(demo_corpus)
    flagged = table[(table["change"] != "") | (table["change_per_1k"] != "")]
    got = sorted(zip(flagged["event"], flagged["theme"], flagged["change"], flagged["change_per_1k"], strict=True))
    assert got == [
        ("Digital Futures Dialogue 2022", "digital_divide", "fall", "fall"),
        ("Digital Futures Dialogue 2024", "ai_safety", "rise", "rise"),
        ("Internet Governance Forum 2022", "digital_divide", "fall", "fall"),
        ("Internet Governance Forum 2024", "ai_safety", "rise", "rise"),
        ("MWC Shanghai 2023", "digital_divide", "fall", "fall"),
        ("World Internet Conference Wuzhen Summit 2023", "ai_safety", "rise", "rise"),
        ("World Internet Conference Wuzhen Summit 2023", "digital_divide", "fall", "fall"),
    ]
    assert (flagged["share_q"] <= 0.05).all() and (flagged["per_1k_q"] <= 0.05).all()
