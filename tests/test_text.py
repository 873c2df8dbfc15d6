"""discourse.text: tokens, sentences, paragraphs, stop words, stemming and the optional nltk data."""

from __future__ import annotations

import re

import nltk
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from discourse import text as T

# --- tokens ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "tokens"),
    [
        (
            "AI's risks, multi-stakeholder\ngovernance!",
            ["ai", "s", "risks", "multi", "stakeholder", "governance"],
        ),
        ("multi-\nstakeholder", ["multi", "stakeholder"]),
        ("snake_case and 5G, 2024.", ["snake", "case", "and", "5g", "2024"]),
        ("Ünïcode Straße 中国 Ελλάδα", ["ünïcode", "straße", "中国", "ελλάδα"]),
        ("e-government & AI/ML", ["e", "government", "ai", "ml"]),
        ("", []),
        ("... --- !!!", []),
    ],
)
def test_tokenize(raw, tokens):
    assert T.tokenize(raw) == tokens
    assert T.count_tokens(raw) == len(tokens)


def test_tokenize_keeps_case_when_asked():
    assert T.tokenize("The UN and 5G", lower=False) == ["The", "UN", "and", "5G"]


def test_token_spans_are_offsets_of_the_tokens():
    raw = "AI-safety:  2024 (Wuzhen)"
    spans = T.token_spans(raw)
    assert spans == [(0, 2), (3, 9), (12, 16), (18, 24)]
    assert list(T.iter_token_spans(raw)) == spans
    assert [raw[s:e].lower() for s, e in spans] == T.tokenize(raw)


def test_token_pattern_is_letters_and_digits_of_any_script():
    assert T.TOKEN_PATTERN == T.TOKEN_CHAR + "+"
    assert T.TOKEN_RE.pattern == T.TOKEN_PATTERN
    char = re.compile(T.TOKEN_CHAR)
    non = re.compile(T.NON_TOKEN_CHAR)
    for c in "aZé中٣5ß":
        assert char.fullmatch(c) and not non.fullmatch(c), c
    for c in "_- '.,\n’":
        assert non.fullmatch(c) and not char.fullmatch(c), repr(c)


# --- sentences ------------------------------------------------------------------


def test_sentences_end_at_terminal_punctuation_before_a_capital():
    raw = "The divide grows. Is it closing? No! 2024 was different."
    assert T.split_sentences(raw) == [
        "The divide grows.",
        "Is it closing?",
        "No!",
        "2024 was different.",
    ]


@pytest.mark.parametrize(
    "raw",
    [
        "Mr. Smith spoke.",
        "Dr. Ban Ki-moon spoke.",
        "See Art. 5 of the Charter.",
        "We met J. K. Rowling there.",
        "It was e.g. Monday.",
        "In Jan. Parliament voted.",
        "The U.N. Charter holds.",
    ],
)
def test_abbreviations_and_initials_do_not_end_a_sentence(raw):
    assert T.split_sentences(raw) == [raw]


def test_un_word_dot_word_stays_one_sentence():
    # OCR and conversion debris in UN speeches: a comma read as a period
    raw = "We welcome the agenda. and we call on all States. Thank you."
    assert T.split_sentences(raw) == [
        "We welcome the agenda. and we call on all States.",
        "Thank you.",
    ]
    assert T.split_sentences("Mr. Smith spoke. The divide grows. word. word") == [
        "Mr. Smith spoke.",
        "The divide grows. word. word",
    ]


def test_closing_quotes_and_brackets_stay_with_their_sentence():
    raw = 'He said "We agree." (They did.) Then "Why?" she asked.'
    assert T.split_sentences(raw) == [
        'He said "We agree."',
        "(They did.)",
        'Then "Why?" she asked.',
    ]


def test_a_blank_line_always_ends_a_sentence():
    raw = "no stop here\n\nnext paragraph starts lower. and goes on"
    assert T.split_sentences(raw) == ["no stop here", "next paragraph starts lower. and goes on"]


def test_sentence_spans_are_trimmed_ordered_and_disjoint():
    raw = "  One.  Two!\n\n  Three? four.  "
    spans = T.sentence_spans(raw)
    assert spans == [(2, 6), (8, 12), (16, 28)]
    assert [raw[s:e] for s, e in spans] == ["One.", "Two!", "Three? four."]
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))


def test_sentences_of_empty_and_blank_text():
    assert T.sentence_spans("") == []
    assert T.split_sentences(" \n\n \t") == []
    assert T.split_sentences("no punctuation at all") == ["no punctuation at all"]


def test_unknown_sentence_method_is_refused():
    with pytest.raises(ValueError, match='method must be "regex" or "punkt"'):
        T.sentence_spans("A. B.", method="spacy")


# --- paragraphs ------------------------------------------------------------------


def test_paragraphs_split_at_blank_lines_and_are_trimmed():
    raw = "  First line\nstill first.\n\n\n  Second. \n \t\n Third\n"
    assert T.split_paragraphs(raw) == ["First line\nstill first.", "Second.", "Third"]
    spans = T.paragraph_spans(raw)
    assert [raw[s:e] for s, e in spans] == T.split_paragraphs(raw)
    assert spans[0] == (2, 25)


def test_paragraphs_of_text_without_blank_lines_and_of_blank_text():
    assert T.split_paragraphs("one\ntwo") == ["one\ntwo"]
    assert T.paragraph_spans("") == []
    assert T.split_paragraphs("\n\n  \n") == []


# --- stop words ------------------------------------------------------------------


def test_stop_words_are_sklearn_plus_speech_boilerplate():
    plain = T.stop_words(boilerplate=False)
    assert plain == frozenset(ENGLISH_STOP_WORDS)
    full = T.stop_words()
    boiler = {tok for phrase in T.SPEECH_BOILERPLATE for tok in T.tokenize(phrase)}
    assert full == frozenset(ENGLISH_STOP_WORDS) | boiler
    assert {"excellencies", "delegation", "pv", "madam"} <= full - plain
    assert "digital" not in full and "governance" not in full


def test_stop_words_extra_words_and_phrases_are_tokenised():
    words = T.stop_words(["Wuzhen Summit", "AI's"], boilerplate=False)
    assert words - frozenset(ENGLISH_STOP_WORDS) == {"wuzhen", "summit", "ai", "s"} - frozenset(
        ENGLISH_STOP_WORDS
    )
    assert T.stop_words("Wuzhen", boilerplate=False) - frozenset(ENGLISH_STOP_WORDS) == {"wuzhen"}


# --- stemming --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "stemmed"),
    [
        ("governance", "govern"),
        ("governing", "govern"),
        ("running", "run"),
        ("runs", "run"),
        ("cybersecurity", "cybersecur"),
        ("countries", "countri"),
        ("5g", "5g"),
    ],
)
def test_snowball_stems(token, stemmed):
    assert T.stem(token) == stemmed


def test_stem_tokens_keeps_order_and_length():
    tokens = ["divides", "divided", "the", "divides"]
    assert T.stem_tokens(tokens) == ["divid", "divid", "the", "divid"]
    assert T.stem_tokens(iter([])) == []


# --- optional nltk data ----------------------------------------------------------


@pytest.fixture
def empty_nltk_data(monkeypatch, tmp_path):
    """nltk looks only in an empty folder: no data package is installed."""
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    T._punkt.cache_clear()
    T._wordnet_lemmatizer.cache_clear()
    yield tmp_path
    T._punkt.cache_clear()
    T._wordnet_lemmatizer.cache_clear()


def test_nltk_data_status_with_nothing_installed(empty_nltk_data):
    assert T.nltk_data_status() == {"punkt": False, "stopwords": False, "wordnet": False}


def test_nltk_data_status_sees_an_installed_package(empty_nltk_data):
    (empty_nltk_data / "corpora" / "stopwords").mkdir(parents=True)
    (empty_nltk_data / "tokenizers" / "punkt_tab").mkdir(parents=True)
    assert T.nltk_data_status() == {"punkt": True, "stopwords": True, "wordnet": False}


@pytest.mark.parametrize(
    ("call", "package", "feature"),
    [
        (lambda: T.split_sentences("A b. C d.", method="punkt"), "punkt", 'method="punkt"'),
        (lambda: T.stop_words(nltk_list=True), "stopwords", "stop-word list"),
        (lambda: T.lemmatize_tokens(["policies"]), "wordnet", "Lemmatisation"),
    ],
)
def test_a_missing_nltk_package_raises_saying_how_to_install_it(
    empty_nltk_data, call, package, feature
):
    with pytest.raises(LookupError) as info:
        call()
    msg = str(info.value)
    assert feature in msg
    assert f"nltk's '{package}' data, which is not installed" in msg
    assert f"python -m nltk.downloader {package}" in msg
    assert "NLTK_DATA" in msg
    assert "works without it" in msg


def test_options_that_need_no_nltk_data_work_without_it(empty_nltk_data):
    assert T.split_sentences("Alpha beta. Gamma delta.") == ["Alpha beta.", "Gamma delta."]
    assert T.split_sentences("Plan b. Gamma delta.") == ["Plan b. Gamma delta."]  # b. is an initial
    assert T.stem("policies") == "polici"
    assert "the" in T.stop_words()
