"""The report's sentences on languages (issue 11, items 2 and 6): fast, no report is built.

Documents in languages the dictionary does not speak are counted apart and named; rates
that mix English and Chinese words say so; a joint topic model over languages says so.
The demo report itself is checked in tests/test_notebooks.py (one shared build).
"""

from __future__ import annotations

import pandas as pd

from discourse.report import (
    corpus_description,
    in_languages,
    language_name,
    languages_sentence,
    rates_note,
    theme_language_notes,
    topic_language_note,
)
from discourse.themes import load_dictionary, theme_frequencies

EN = "Closing the digital divide needs broadband for rural schools and artificial intelligence safety tests."
ZH = "弥合数字鸿沟需要农村学校接入宽带，人工智能安全测试也不能少。"
FR = "Réduire la fracture numérique demande du haut débit pour les écoles rurales."
BILINGUAL = ZH + "\n\n" + EN
BOTH = {"themes": {"digital_divide": {"patterns": ["digital divide"], "languages": {"zh": ["数字鸿沟"]}}}}
ENGLISH_ONLY = {"themes": {"digital_divide": {"patterns": ["digital divide"]}}}


def _corpus(rows: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": [f"d{i}" for i in range(len(rows))],
        "text": [t for t, _ in rows],
        "language": [lang for _, lang in rows],
        "event": ["Forum 2023"] * len(rows),
    })


def test_corpus_description_counts_documents_per_language():
    corpus = _corpus([(EN, "en")] * 3 + [(ZH, "zh")] * 2 + [(BILINGUAL, "mixed")])
    assert languages_sentence(corpus) == "By language: 3 documents in English, 2 in Chinese, 1 bilingual."
    assert "By language: 3 documents in English" in corpus_description(corpus)
    assert languages_sentence(corpus.drop(columns="language")) == ""
    assert language_name("zh") == "Chinese" and language_name("xx") == "xx"


def test_documents_left_out_are_counted_and_named_with_the_numbers_of_the_tables():
    corpus = _corpus([(EN, "en")] * 3 + [(FR, "fr")] * 2 + [(ZH, "zh")])
    dic = load_dictionary(ENGLISH_ONLY)
    notes = theme_language_notes(corpus, dic)
    freq = theme_frequencies(corpus, dic, by="event", n_boot=0)
    left = int(freq["n_docs_other_language"].iloc[0])
    assert left == 3
    assert any(n.startswith(f"{left} documents in languages the dictionary has no patterns for "
                            "(2 in French, 1 in Chinese) are left out") for n in notes), notes
    assert any("count 3 documents (3 in English)" in n for n in notes), notes
    # one language counted: the rates do not mix languages
    assert rates_note(corpus, dic) == ""
    assert not any(n.startswith("Rates per 1,000 words") for n in notes)


def test_rates_that_mix_english_and_chinese_words_say_so():
    corpus = _corpus([(EN, "en")] * 2 + [(ZH, "zh")] * 2)
    dic = load_dictionary(BOTH)
    note = rates_note(corpus, dic)
    assert note.startswith("Rates per 1,000 words: English words and Chinese segmented words")
    assert theme_language_notes(corpus, dic)[-1] == note
    # a bilingual document alone mixes both kinds of words
    assert rates_note(_corpus([(BILINGUAL, "mixed")] * 2), dic).startswith(
        "Rates per 1,000 words: English words and Chinese segmented words")


def test_an_english_corpus_gets_no_language_note():
    corpus = _corpus([(EN, "en")] * 4)
    dic = load_dictionary(BOTH)
    assert theme_language_notes(corpus, dic) == []
    assert rates_note(corpus, dic) == "" and topic_language_note(corpus) == ""
    assert theme_language_notes(corpus.drop(columns="language"), dic) == []


def test_topic_note_and_language_selection():
    corpus = _corpus([(EN, "en")] * 2 + [(ZH, "zh"), (BILINGUAL, "mixed")])
    assert topic_language_note(corpus).startswith(
        "One topic model is fitted on the documents of every language (2 in English, 1 in Chinese, 1 bilingual)")
    zh = in_languages(corpus, ["zh", "mixed"])
    assert zh["doc_id"].tolist() == ["d2", "d3"] and zh is not corpus
    assert in_languages(corpus, "en")["doc_id"].tolist() == ["d0", "d1"]
    assert in_languages(corpus.drop(columns="language"), "zh").empty
