"""Chinese, traditional-Chinese and bilingual texts in theme counting (issue 11): the
three mission themes in both languages, whole-word matching (印度 / 印度尼西亚), KWIC by
characters, dictionaries in several languages, and languages a dictionary does not speak."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from discourse.errors import DictionaryError
from discourse.text import count_tokens
from discourse.themes import (
    Matcher,
    default_dictionary,
    document_languages,
    kwic,
    load_dictionary,
    theme_counts,
    theme_frequencies,
    validate_dictionary,
)
from discourse.tracking import track_themes

MISSION = ["digital_divide", "ai_safety", "governance_deficit"]


def _counts(texts, dictionary=None, **cols) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts, **cols})
    out = theme_counts(frame, dictionary)
    return out.pivot(index="doc_id", columns="theme", values="count").loc[frame["doc_id"]]


# --- the mission themes in both languages -------------------------------------------------


@pytest.mark.parametrize("text, theme", [
    ("我们必须弥合数字鸿沟，让每个人都能上网。", "digital_divide"),
    ("发展中国家面临日益扩大的智能鸿沟。", "digital_divide"),
    ("我們要彌合數位落差。", "digital_divide"),  # Taiwan's term, traditional characters
    ("各国应共同应对人工智能安全风险。", "ai_safety"),
    ("人工智慧的風險不容忽視。", "ai_safety"),
    ("禁止致命性自主武器系统。", "ai_safety"),
    ("我们要防范人工智能带来的安全风险。", "ai_safety"),  # near()
    ("深度伪造技术被用于散布虚假信息。", "ai_safety"),
    ("全球数字治理赤字日益凸显。", "governance_deficit"),
    ("中方提出全球人工智能治理倡议。", "governance_deficit"),
    ("我们欢迎联合国全球数字契约。", "governance_deficit"),
    ("推動全球數位治理與網絡空間國際規則的制定。", "governance_deficit"),
])
def test_mission_themes_are_found_in_chinese(text, theme):
    assert _counts([text]).loc["d0", theme] >= 1


@pytest.mark.parametrize("text, theme", [
    ("全球治理赤字依然存在。", "governance_deficit"),  # a deficit outside the digital domain
    ("坚持以人为本，推动经济发展。", "ai_safety"),  # people-centred, no AI
    ("网络安全是国家安全的重要组成部分。", "ai_safety"),  # "安全" alone is not AI safety
    ("人工智能为降低灾害风险提供了帮助。", "ai_safety"),  # a risk that is not AI's (exclude)
    ("我们完成了国家光纤骨干网建设。", "digital_divide"),  # networks with no equity framing
    ("印度洋的航运安全。", "digital_divide"),
])
def test_codebook_zeros_stay_zero(text, theme):
    assert _counts([text]).loc["d0", theme] == 0


def test_bilingual_document_counts_both_languages():
    text = ("The digital divide is widening. 数字鸿沟正在扩大。\n\n"
            "AI safety risks must be addressed. 人工智能安全风险必须应对。")
    wide = _counts([text])
    assert wide.loc["d0", "digital_divide"] == 2 and wide.loc["d0", "ai_safety"] == 2
    row = theme_counts(pd.DataFrame({"doc_id": ["x"], "text": [text]})).iloc[0]
    # tokens: English words plus Chinese words (数字/鸿沟/正在/扩大, 人工智能/安全/风险/必须/应对)
    assert row["n_tokens"] == count_tokens(text) == 5 + 4 + 6 + 5
    assert row["language"] == "mixed" and row["spoken"]


def test_every_default_chinese_pattern_matches_its_forms():
    d = default_dictionary()
    assert d.languages == ["en", "zh"]
    for theme in d:
        zh = [lang for lang in theme.languages if lang.language == "zh"]
        assert zh, f"theme {theme.id} has no Chinese patterns"
        forms = [(p.text, form) for p in zh[0].compiled for form in p.literals]
        wide = _counts([f"，{form}，" for _, form in forms], d.subset([theme.id]))
        missed = [f for f, n in zip(forms, wide[theme.id], strict=True) if n != 1]
        assert not missed, (theme.id, missed)


# --- whole words ----------------------------------------------------------------------------

ZH = {"themes": {
    "india": {"patterns": ["india"], "languages": {"zh": ["印度"]}},
    "divide": {"patterns": ["digital divide"],
               "languages": {"zh": {"patterns": ["数字鸿沟", "(弥合|缩小)数字鸿沟"], "exclude": ["数字鸿沟问题"]}}},
    "ai": {"languages": {"zh": ["人工智能*"]}},
    "suffix": {"languages": {"zh": ["*鸿沟"]}},
}}


def test_whole_words_india_is_not_inside_indonesia():
    wide = _counts(["印度尼西亚和印度签署协议。", "印度尼西亚代表发言。", "印度代表发言。"], ZH)
    assert wide["india"].tolist() == [1, 0, 1]
    k = kwic(pd.DataFrame({"doc_id": ["a"], "text": ["印度尼西亚和印度签署协议。"]}), "india", dictionary=ZH)
    assert k["match"].tolist() == ["印度"] and k["start"].tolist() == [6]


def test_phrase_across_segmented_words_longest_match_and_excludes():
    # jieba cuts 数字鸿沟 into 数字/鸿沟: the pattern matches across the two words
    assert _counts(["数字鸿沟"], ZH).loc["d0", "divide"] == 1
    # 弥合数字鸿沟 and 数字鸿沟 overlap: longest match wins, counted once
    k = kwic(pd.DataFrame({"doc_id": ["a"], "text": ["我们要弥合数字鸿沟。"]}), "divide", dictionary=ZH)
    assert k["match"].tolist() == ["弥合数字鸿沟"]
    # the exclude drops an overlapping match, Chinese or not
    assert _counts(["数字鸿沟问题很严重。", "数字鸿沟很严重。"], ZH)["divide"].tolist() == [0, 1]
    # not inside a longer word: 数字鸿沟 must start where a word starts
    assert _counts(["数字鸿沟"], {"themes": {"t": {"languages": {"zh": ["字鸿沟"]}}}}).iloc[0, 0] == 0


def test_globs_at_the_ends_of_chinese_patterns():
    d = pd.DataFrame({"doc_id": ["a"], "text": ["推进数字化转型，发展数字经济，智能鸿沟。"]})
    glob = {"themes": {"t": {"languages": {"zh": ["数字*"]}}}}
    # 数字化 is one word: the match runs to the word's end
    assert kwic(d, "t", dictionary=glob)["match"].tolist() == ["数字化", "数字"]
    assert kwic(d, "suffix", dictionary=ZH)["match"].tolist() == ["鸿沟"]  # 智能/鸿沟: two words
    inside = {"themes": {"t": {"languages": {"zh": ["*字化"]}}}}  # may start inside a word
    assert kwic(d, "t", dictionary=inside)["match"].tolist() == ["数字化"]
    assert _counts(["数字化"], {"themes": {"t": {"languages": {"zh": ["数字"]}}}}).iloc[0, 0] == 0


def test_near_in_chinese_counts_words_within_one_sentence():
    d = {"themes": {"risk": {"languages": {"zh": ["near((人工智能|AI), (风险|威胁), 3)"]}}}}
    frame = pd.DataFrame({"doc_id": list("abcde"), "text": [
        "防范人工智能带来的风险。",        # 人工智能/带来/的/风险: 2 words between, distance 3
        "风险与AI并存。",                  # either order (风险/与/AI)
        "人工智能为降低灾害和其他各类风险提供帮助。",  # too far
        "发展人工智能。风险在别处。",      # another sentence
        "人工智能的威胁。人工智能的风险。"]})
    k = kwic(frame, "risk", dictionary=d)
    assert k["doc_id"].tolist() == ["a", "b", "e", "e"]
    assert k["match"].tolist() == ["人工智能带来的风险", "风险与AI", "人工智能的威胁", "人工智能的风险"]
    assert load_dictionary(d).terms("risk") == ["人工智能", "ai", "风险", "威胁"]


def test_traditional_text_matches_simplified_patterns_and_kwic_shows_the_original():
    d = pd.DataFrame({"doc_id": ["a"], "text": ["我們要彌合數字鴻溝。"]})
    k = kwic(d, "divide", dictionary=ZH)
    assert k["match"].tolist() == ["彌合數字鴻溝"]
    # a traditional pattern matches simplified text too
    assert _counts(["弥合数字鸿沟"], {"themes": {"t": {"languages": {"zh": ["數字鴻溝"]}}}}).iloc[0, 0] == 1


def test_kwic_chinese_context_by_characters():
    text = "一二三四五六七八九十甲乙丙丁戊己庚辛壬癸，我们要弥合数字鸿沟，子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒。"
    frame = pd.DataFrame({"doc_id": ["a"], "text": [text]})
    k = kwic(frame, "数字鸿沟", zh_window=6)  # a Chinese query is a Chinese pattern
    assert k["match"].tolist() == ["数字鸿沟"]
    assert k["left"].iloc[0] == "，我们要弥合" and k["right"].iloc[0] == "，子丑寅卯辰"
    wide = kwic(frame, "digital_divide")
    assert len(wide["left"].iloc[0]) == 20 and len(wide["right"].iloc[0]) == 20
    # English matches of the same document keep token windows
    both = pd.DataFrame({"doc_id": ["b"], "text": ["one two three digital divide four five. 数字鸿沟"]})
    k = kwic(both, "digital_divide", window=2)
    assert k["left"].tolist() == ["two three", "l divide four five."]  # the Chinese match: 20 characters
    assert k["right"].tolist() == ["four five", ""]
    with pytest.raises(ValueError, match="zh_window"):
        kwic(frame, "数字鸿沟", zh_window=-1)


def test_validate_dictionary_lists_chinese_patterns():
    frame = pd.DataFrame({"doc_id": ["a", "b"], "text": ["我们要弥合数字鸿沟。", "印度尼西亚和印度。"]})
    v = validate_dictionary(frame, ZH)
    zh = v.patterns[v.patterns["kind"] == "zh"]
    assert set(zh["pattern"]) >= {"印度", "数字鸿沟", "(弥合|缩小)数字鸿沟", "人工智能*"}
    assert zh.set_index("pattern").loc["印度", "matches"] == 1
    assert zh.set_index("pattern").loc["(弥合|缩小)数字鸿沟", "counted"] == 1
    assert "人工智能*" in set(v.unmatched["pattern"])


# --- the dictionary format ----------------------------------------------------------------


def test_languages_section_and_fingerprint():
    d = load_dictionary(ZH)
    assert d.language == "en" and d.languages == ["en", "zh"]
    frame = d.to_frame()
    assert set(frame.loc[frame["language"] == "zh", "pattern"]) == {
        "印度", "数字鸿沟", "(弥合|缩小)数字鸿沟", "数字鸿沟问题", "人工智能*", "*鸿沟"}
    again = load_dictionary(d.to_dict())
    assert again.fingerprint() == d.fingerprint() and again.languages == d.languages
    # the fingerprint of the English part ignores the Chinese sections
    english = load_dictionary({"themes": {"india": {"patterns": ["india"]},
                                          "divide": {"patterns": ["digital divide"]},
                                          "ai": {"patterns": ["x"]}}})
    assert d.fingerprint() != english.fingerprint()
    assert d.fingerprint("en")[:8] != d.fingerprint("zh")[:8]
    assert load_dictionary({"themes": {"t": {"patterns": ["a"]}}}).fingerprint() == \
        load_dictionary({"themes": {"t": {"patterns": ["a"], "languages": {"zh": ["数字"]}}}}).fingerprint("en")
    assert "数字鸿沟" in d.terms("divide") and "弥合数字鸿沟" in d.terms("divide")


def test_default_dictionary_english_fingerprint_is_unchanged_by_its_chinese_part():
    d = default_dictionary()
    english_only = d.to_dict("en")
    assert all("languages" not in t for t in english_only["themes"].values())
    assert load_dictionary(english_only).fingerprint() == d.fingerprint("en")


def test_a_chinese_dictionary_has_chinese_own_patterns():
    d = load_dictionary({"language": "zh", "themes": {"t": {"patterns": ["数字鸿沟"]}}})
    assert d.languages == ["zh"] and d["t"].compiled[0].kind == "zh"
    assert _counts(["我们要弥合数字鸿沟。"], d).iloc[0, 0] == 1


def test_quanteda_and_liwc_terms_in_chinese_are_chinese_patterns(tmp_path):
    q = tmp_path / "q.yml"
    q.write_text("divide:\n  - digital divide\n  - 数字鸿沟\nai: [人工智能*]\n", encoding="utf-8")
    liwc = tmp_path / "w.dic"
    liwc.write_text("%\n1\tdivide\n%\ndigital divide\t1\n印度\t1\n", encoding="utf-8")
    for path in (q, liwc):
        d = load_dictionary(path)
        assert "zh" in d.languages
    wide = _counts(["弥合数字鸿沟", "印度尼西亚", "推进人工智能化"], load_dictionary(q))
    assert wide["divide"].tolist() == [1, 0, 0] and wide["ai"].tolist() == [0, 0, 1]
    assert _counts(["印度尼西亚和印度"], load_dictionary(liwc)).iloc[0, 0] == 1


def test_language_names_written_out_are_read_as_codes():
    d = load_dictionary({"language": "French", "themes": {"t": {"patterns": ["fracture"],
                                                                "languages": {"Chinese": ["数字鸿沟"]}}}})
    assert d.language == "fr" and d.languages == ["fr", "zh"]


def test_a_dictionary_in_another_own_language(tmp_path):
    path = tmp_path / "fr.yaml"
    path.write_text("language: fr\nthemes:\n  fracture:\n    patterns: [fracture numérique]\n", encoding="utf-8")
    d = load_dictionary(path)
    assert d.languages == ["fr"]
    frame = pd.DataFrame({"doc_id": ["a", "b"], "text": ["La fracture numérique.", "The digital divide."],
                          "language": ["fr", "en"]})
    out = theme_counts(frame, d)
    assert out["spoken"].tolist() == [True, False] and out["count"].tolist() == [1, 0]
    assert np.isnan(out["per_1k"].iloc[1])


@pytest.mark.parametrize("languages, message", [
    ({"mandarin": ["数字鸿沟"]}, "invalid language code"),
    ({"en": ["digital divide"]}, "the dictionary's own"),
    ({"zh": ["near(数字, 鸿沟)"]}, "three arguments"),
    ({"zh": ["near(数字, 鸿沟, 0)"]}, "between 1 and"),
    ({"zh": ["near(AI, risk, 3)"]}, "holds no Chinese character"),
    ({"zh": ["re:数字"]}, "not available in a Chinese section"),
    ({"zh": ["数字*鸿沟"]}, "only allowed at its start or end"),
    ({"zh": ["digital divide"]}, "holds no Chinese character"),
    ({"zh": {"exclude": ["数字"]}}, "no patterns under languages: zh"),
    ({"zh": {"pattern": ["数字"]}}, "unknown key 'pattern'"),
    ({"zh": ["(数字|"]}, "parenthes"),
])
def test_bad_language_sections_are_refused_with_the_theme(languages, message, tmp_path):
    import yaml

    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"themes": {"t": {"patterns": ["a"], "languages": languages}}},
                                   allow_unicode=True), encoding="utf-8")
    with pytest.raises(DictionaryError, match=message) as err:
        load_dictionary(path)
    assert "bad.yaml" in str(err.value) and "theme 't'" in str(err.value)


def test_a_top_level_languages_block_equals_theme_sections(tmp_path):
    path = tmp_path / "top.yaml"
    path.write_text("themes:\n  divide:\n    patterns: [digital divide]\n  ai:\n    label: AI\n"
                    "languages:\n  zh:\n    divide: [数字鸿沟]\n    ai:\n      patterns: [人工智能安全]\n"
                    "      exclude: [人工智能安全法]\n", encoding="utf-8")
    top = load_dictionary(path)
    inline = load_dictionary({"name": "top", "themes": {
        "divide": {"patterns": ["digital divide"], "languages": {"zh": ["数字鸿沟"]}},
        "ai": {"label": "AI", "languages": {"zh": {"patterns": ["人工智能安全"], "exclude": ["人工智能安全法"]}}}}})
    assert top.fingerprint() == inline.fingerprint() and top.languages == ["en", "zh"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  divide:\n    patterns: [digital divide]\n"
                   "languages:\n  zh:\n    divid: [数字鸿沟]\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="no theme 'divid'") as err:
        load_dictionary(bad)
    assert ", line 6," in str(err.value)
    twice = tmp_path / "twice.yaml"
    twice.write_text("themes:\n  divide:\n    patterns: [digital divide]\n    languages: {zh: [数字]}\n"
                     "languages:\n  zh:\n    divide: [数字鸿沟]\n", encoding="utf-8")
    with pytest.raises(DictionaryError, match="twice"):
        load_dictionary(twice)


def test_a_theme_may_have_only_chinese_patterns_but_not_none():
    assert load_dictionary({"themes": {"t": {"languages": {"zh": ["数字"]}}}}).languages == ["zh"]
    with pytest.raises(DictionaryError, match="empty theme"):
        load_dictionary({"themes": {"t": {"label": "x"}}})


# --- languages the dictionary does not speak ---------------------------------------------


@pytest.fixture
def un_speeches():
    return pd.DataFrame({
        "doc_id": ["en1", "en2", "fr1", "es1", "zh1", "und1"],
        "event": ["UNGA 79"] * 6,
        "language": ["en", "en", "fr", "es", "zh", "und"],
        "text": ["We must close the digital divide.", "Peace and security.",
                 "Il faut réduire la fracture numérique.", "Debemos cerrar la brecha digital.",
                 "我们必须弥合数字鸿沟。", ""],
    })


def test_unspoken_languages_are_left_out_not_counted_as_zeros(un_speeches):
    counts = theme_counts(un_speeches)
    dd = counts[counts["theme"] == "digital_divide"].set_index("doc_id")
    assert dd["spoken"].to_dict() == {"en1": True, "en2": True, "fr1": False, "es1": False, "zh1": True,
                                      "und1": True}
    assert dd.loc[["fr1", "es1"], "per_1k"].isna().all()
    freq = theme_frequencies(un_speeches, by="event", n_boot=0).set_index("theme")
    row = freq.loc["digital_divide"]
    assert row["n_docs"] == 4 and row["n_docs_other_language"] == 2
    assert row["docs_with_theme"] == 2 and row["share_docs"] == pytest.approx(2 / 4)  # not 2 / 6
    assert row["n_tokens"] == counts.drop_duplicates("doc_id").query("spoken")["n_tokens"].sum()
    assert freq.attrs["languages"] == ["en", "und", "zh"]  # what the rates mix, for charts to say
    track = track_themes(un_speeches, n_boot=0, n_perm=0).set_index("theme")
    assert track.loc["digital_divide", "n_docs_other_language"] == 2
    assert track.loc["digital_divide", "share_docs"] == pytest.approx(0.5)
    # the same with a precomputed counts table
    again = track_themes(un_speeches, n_boot=0, n_perm=0, counts=counts).set_index("theme")
    assert again.loc["digital_divide", "share_docs"] == pytest.approx(0.5)
    assert track.attrs["languages"] == again.attrs["languages"] == ["en", "und", "zh"]


def test_cooccurrence_leaves_out_unspoken_documents(un_speeches):
    from discourse.themes import theme_cooccurrence

    out = theme_cooccurrence(un_speeches)
    assert (out["n_units"] == 4).all() and out.attrs["n_docs_other_language"] == 2


def test_sentence_units_leave_out_unspoken_documents(un_speeches):
    freq = theme_frequencies(un_speeches, by="event", n_boot=0, unit="sentence").set_index("theme")
    assert freq.loc["digital_divide", "n_units"] == 3  # en1, en2, zh1 (und1 is empty)
    assert freq.loc["digital_divide", "units_with_theme"] == 2


def test_without_a_language_column_the_script_decides():
    frame = pd.DataFrame({"doc_id": ["a", "b", "c", "d"],
                          "text": ["The digital divide.", "我们必须弥合数字鸿沟。",
                                   "The digital divide is a problem of our time. 数字鸿沟是我们时代的问题。",
                                   "The Belt and Road (一带一路) initiative was discussed at length today. "
                                   "The delegates spoke about trade, infrastructure and finance for hours, "
                                   "and about the environment, health and education."]})
    langs = document_languages(frame)
    assert langs["language"].tolist() == ["en", "zh", "mixed", "en"]
    assert langs["spoken"].all()
    zh_only = load_dictionary({"themes": {"t": {"languages": {"zh": ["数字鸿沟"]}}}})
    assert document_languages(frame, zh_only)["spoken"].tolist() == [False, True, True, False]


def test_english_only_texts_count_as_before():
    """The Chinese path is skipped for texts without Han characters: same counts, same tokens."""
    d = default_dictionary()
    english = load_dictionary(d.to_dict("en"))
    texts = ["We must close the digital divide and address AI safety risks.",
             "The Global Digital Compact fills the governance gap. Ünïcode café.", ""]
    a, ta = Matcher(d).counts(texts)
    b, tb = Matcher(english).counts(texts)
    assert (a == b).all() and (ta == tb).all()
    assert ta.tolist() == [count_tokens(t) for t in texts]


# --- the Chinese matcher against a brute-force reading of the rules ----------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from discourse.text import to_simplified, token_spans  # noqa: E402

_ZH_THEMES = {  # 印度 and 尼西亚 are inside the word 印度尼西亚; 安全 inside 网络安全 (one word)
    "a": (["数字鸿沟", "弥合数字鸿沟"], ["鸿沟问题"]),
    "b": (["印度", "鸿沟"], []),
    "c": (["人工智能安全", "安全"], ["网络安全"]),
    "d": (["数字", "尼西亚"], []),
}
_ZH_PIECES = ["数字", "鸿沟", "弥合", "印度", "尼西亚", "人工智能", "安全", "网络", "问题", "數位", "鴻溝",
              "和", "的", "。", "，", " ", "AI", "\n\n"]


def _zh_reference(text: str) -> dict[str, list[tuple[int, int]]]:
    """Counted matches per theme by the documented rules, found the slow way."""
    spans = token_spans(text)
    starts, ends = {s for s, _ in spans}, {e for _, e in spans}
    low = to_simplified(text).lower()

    def find(forms):
        out = []
        for form in forms:
            for i in range(len(low) - len(form) + 1):
                if low.startswith(form, i) and i in starts and i + len(form) in ends:
                    out.append((i, i + len(form)))
        return out

    result = {}
    for theme, (pats, excl) in _ZH_THEMES.items():
        ex = find(excl)
        cand = [m for m in find(pats) if not any(m[0] < e and s < m[1] for s, e in ex)]
        cand = sorted(set(cand), key=lambda m: (m[0], -m[1]))
        taken, last = [], -1
        for s, e in cand:
            if s >= last:
                taken.append((s, e))
                last = e
        result[theme] = taken
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(_ZH_PIECES), max_size=25).map("".join), min_size=1, max_size=3))
@example(["印度尼西亚和印度"])  # a form ending, and one starting, inside a word
@example(["网络安全和人工智能安全。弥合數位鴻溝问题", "数字鸿沟"])  # excludes, traditional text
def test_chinese_matcher_agrees_with_brute_force(texts):
    sections = {t: {"patterns": p, **({"exclude": x} if x else {})} for t, (p, x) in _ZH_THEMES.items()}
    d = load_dictionary({"themes": {t: {"languages": {"zh": sec}} for t, sec in sections.items()}})
    m = Matcher(d)
    for dm, text in zip(m.scan(texts, chunk_chars=16), texts, strict=True):
        got = {t: [] for t in _ZH_THEMES}
        for theme, _u, s, e in dm.matches:
            got[d.theme_ids[theme]].append((s, e))
        assert got == _zh_reference(text), text
        assert dm.n_tokens == count_tokens(text)
