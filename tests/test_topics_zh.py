"""Topic models and distinctive terms on Chinese and bilingual text (issue 11, item 7).

Chinese words segmented by discourse.text become terms, Chinese stop words are dropped,
traditional and simplified spellings are one term, and English text gives what it gave
before Chinese was supported.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from discourse import text as T
from discourse.topics import TopicModel
from discourse.topics._vectorize import GENERIC_SPEECH_WORDS, TermVectorizer
from discourse.tracking import distinctive_terms

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo"
HAN = re.compile("[\u4e00-\u9fff]")

# short fictional Chinese paragraphs on two subjects, and English ones
ZH_DIVIDE = [
    "我们必须弥合数字鸿沟，让农村学校接入宽带网络。",
    "数字鸿沟仍然存在，偏远山区的学校缺少宽带网络。",
    "政府投资宽带网络，帮助农村学校弥合数字鸿沟。",
    "宽带网络进入山区以后，学校的数字鸿沟正在缩小。",
    "企业和学校合作，让山区儿童跨越数字鸿沟，用上宽带网络。",
    "弥合數位鴻溝需要宽带网络，也需要农村学校的教师。",
]
ZH_SAFETY = [
    "人工智能的安全风险需要监管，模型必须经过测试。",
    "监管机构要求人工智能模型在发布以前接受安全测试。",
    "大模型的安全测试和风险评估是人工智能监管的重点。",
    "专家认为人工智能模型的风险评估应该公开，监管应该独立。",
    "人工智能安全测试发现模型存在风险，监管机构要求整改。",
    "各国监管机构讨论人工智能模型的安全测试标准和风险。",
]
EN = [
    "Broadband networks reach rural schools and close the digital divide.",
    "The digital divide keeps rural schools without broadband networks.",
    "Regulators ask for safety tests of artificial intelligence models.",
    "Safety tests of models are what regulators of artificial intelligence want.",
    "Rural schools need broadband networks to close the digital divide.",
    "Artificial intelligence models need safety tests before regulators approve them.",
]


def _vectorizer(**kw) -> TermVectorizer:
    return TermVectorizer(min_df=2, max_df=1.0, collocations=False, **kw)


def test_chinese_words_are_terms_and_stop_words_are_dropped():
    vec = _vectorizer()
    vec.fit_transform(ZH_DIVIDE + ZH_SAFETY)
    terms = set(vec.terms_)
    assert {"数字", "鸿沟", "宽带", "网络", "人工智能", "监管", "模型"} <= terms
    # no term is a whole clause: every term is a word of the segmenter
    assert max(len(t) for t in terms) <= 4
    # stop words of the shipped Chinese list (我们, 经过...) and one-character words are gone
    zh_stop = T.stop_words(language="zh")
    assert {"我们", "经过", "各国"} <= zh_stop  # the texts hold them, the list too...
    assert not terms & zh_stop  # ...and no term is one of them
    assert all(len(t) >= 2 for t in terms)


def test_traditional_and_simplified_spellings_are_one_term():
    vec = _vectorizer()
    mat = vec.fit_transform(ZH_DIVIDE + ZH_SAFETY)
    terms = list(vec.terms_)
    assert "鴻溝" not in terms and "數位" not in terms
    # 鴻溝 of the last divide paragraph counts as 鸿沟: it is in all six divide paragraphs
    col = terms.index("鸿沟")
    assert int((mat[:6, col].toarray() > 0).sum()) == 6


def test_chinese_collocations_join_words_with_an_underscore():
    vec = TermVectorizer(min_df=2, max_df=1.0, collocation_min_count=3, collocation_threshold=0.2)
    vec.fit_transform(ZH_DIVIDE * 2 + ZH_SAFETY * 2)
    assert "数字_鸿沟" in vec.collocations_ or "宽带_网络" in vec.collocations_
    assert all("_" in c for c in vec.collocations_)
    # a dictionary phrase in Chinese maps to its collocation term
    cols = vec.term_columns("数字鸿沟")
    assert cols is not None and len(cols) >= 1


def test_english_vocabulary_is_unchanged_by_the_chinese_path():
    """English text: the terms and counts of TOKEN_RE tokens and the English lists, as before."""
    vec = _vectorizer()
    mat = vec.fit_transform(EN)
    # the vocabulary before Chinese support: TOKEN_RE tokens of the lower-cased text, minus
    # the English stop words, at least 2 characters, in at least 2 of the texts
    stop = T.stop_words() | set(GENERIC_SPEECH_WORDS)
    df: dict[str, int] = {}
    for text in EN:
        for tok in set(T.TOKEN_RE.findall(text.lower())):
            if tok not in stop and len(tok) >= 2:
                df[tok] = df.get(tok, 0) + 1
    expected = sorted(t for t, n in df.items() if n >= 2)
    assert list(vec.terms_) == expected
    # counts of a word are its occurrences in each text
    col = expected.index("broadband")
    assert mat[:, col].toarray().ravel().tolist() == [t.lower().count("broadband") for t in EN]


def test_topic_model_on_a_bilingual_corpus_has_chinese_and_english_topics():
    """A joint model on two languages: its topics are one language each (docs/topics.md)."""
    texts = ZH_DIVIDE + ZH_SAFETY + EN
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    model = TopicModel(n_topics=4, unit="document", random_state=0, min_df=2, max_df=1.0).fit(corpus)
    top = model.top_terms(5)
    by_topic = top.groupby("topic")["term"].apply(list)
    zh = [terms for terms in by_topic if all(HAN.search(t) for t in terms)]
    en = [terms for terms in by_topic if all(t.isascii() for t in terms)]
    assert len(zh) == 2 and len(en) == 2, by_topic
    words = {w for terms in zh for t in terms for w in t.split("_")}
    assert {"数字", "鸿沟"} <= words and {"人工智能", "监管"} <= words
    # deterministic
    again = TopicModel(n_topics=4, unit="document", random_state=0, min_df=2, max_df=1.0).fit(corpus)
    pd.testing.assert_frame_equal(top, again.top_terms(5))


def test_distinctive_terms_of_chinese_groups_are_segmented_words():
    texts = ZH_DIVIDE + ZH_SAFETY
    corpus = pd.DataFrame({"text": texts, "event": ["Divide"] * 6 + ["Safety"] * 6})
    terms = distinctive_terms(corpus, by="event", n=5, min_count=3)
    divide = terms[terms["event"] == "Divide"]["term"].tolist()
    safety = terms[terms["event"] == "Safety"]["term"].tolist()
    assert {"鸿沟", "宽带"} & set(divide) and {"监管", "模型"} & set(safety)
    assert not set(terms["term"]) & T.stop_words(language="zh")
    # bigrams join Chinese words with a space
    bi = distinctive_terms(corpus, by="event", n=5, min_count=3, ngram_range=(2, 2))
    assert len(bi) and all(re.fullmatch(r"\S+ \S+", t) for t in bi["term"])
    assert "数字 鸿沟" in set(bi["term"])


def test_stop_words_by_language():
    en, zh = T.stop_words(language="en"), T.stop_words(language="zh")
    assert en == T.stop_words()  # English is the default, as before
    assert "的" in zh and "the" not in zh and "the" in en and "的" not in en
    assert T.stop_words(language=T.STOP_WORD_LANGUAGES) == en | zh
    assert "谢谢" in zh and "谢谢" not in T.stop_words(language="zh", boilerplate=False)
    assert all(HAN.search(w) for w in T.stop_words(language="zh", boilerplate=False))
    with pytest.raises(ValueError, match="shipped lists are en, zh"):
        T.stop_words(language="fr")


def test_the_chinese_list_names_its_source_and_licence():
    from importlib.resources import files

    head = files("discourse").joinpath("data", "stopwords-zh.txt").read_text(encoding="utf-8")[:2000]
    assert "stopwords-iso" in head and "MIT" in head
    words = T.stop_words(language="zh", boilerplate=False)
    assert len(words) > 700 and {"的", "我们", "因为"} <= words
    assert not words & {"数字", "鸿沟", "人工智能", "安全", "网络", "治理"}


def test_demo_corpus_topics_hold_chinese_terms():
    from discourse.corpus import load_corpus

    docs = load_corpus(DEMO)
    zh = docs[docs["language"].isin(["zh", "mixed"])]
    model = TopicModel(n_topics=3, unit="paragraph", random_state=0, min_df=2).fit(zh)
    terms = model.top_terms(10)["term"].tolist()
    assert sum(bool(HAN.search(t)) for t in terms) >= 10
    assert not np.isin(terms, list(T.stop_words(language="zh"))).any()


def test_a_long_chinese_paragraph_is_cut_into_units_of_about_150_words():
    from discourse.topics._vectorize import split_units

    sentence = "人工智能正在成为网络运维的重要工具，必须经过充分的安全测试才能上线。"
    para = sentence * 60  # one paragraph, no space: about 900 segmented words
    units, owner = split_units([para], "paragraph", max_unit_tokens=150)
    assert len(units) >= 5 and "".join(units) == para
    assert all(len(T.tokenize(u)) <= 200 for u in units)
    # English: whitespace-separated words, as before
    english = "Broadband reaches rural schools. " * 100
    units, _ = split_units([english], "paragraph", max_unit_tokens=150)
    assert len(units) == 3 and all(len(u.split()) <= 150 for u in units)
