"""Chinese in the one tokeniser: segmentation by script run, traditional characters,
Chinese sentence ends (issue 11)."""

from __future__ import annotations

import pytest

import discourse.text as text_module
from discourse.text import (
    TOKEN_RE,
    count_tokens,
    han_spans,
    has_han,
    iter_token_spans,
    sentence_spans,
    split_sentences,
    to_simplified,
    token_spans,
    tokenize,
)


def test_chinese_is_segmented_into_words():
    assert tokenize("弥合数字鸿沟") == ["弥合", "数字", "鸿沟"]
    assert tokenize("印度尼西亚和印度") == ["印度尼西亚", "和", "印度"]
    assert tokenize("全球数字治理赤字") == ["全球", "数字", "治理", "赤字"]


def test_scripts_meet_at_script_changes():
    # a run of letters and digits that changes script is cut where it changes
    assert tokenize("5G网络和AI安全") == ["5g", "网络", "和", "ai", "安全"]
    assert tokenize("The digital divide, 数字鸿沟!", lower=False) == ["The", "digital", "divide", "数字", "鸿沟"]
    # punctuation (Chinese or not) is never a token
    assert tokenize("数字鸿沟，数字鸿沟。") == ["数字", "鸿沟", "数字", "鸿沟"]


def test_offsets_hold_and_all_functions_agree():
    text = "We must close it. 我們要彌合數位落差，應對人工智慧的風險！5G网络 e-government"
    spans = token_spans(text)
    assert list(iter_token_spans(text)) == spans
    assert [text[s:e].lower() for s, e in spans] == tokenize(text)
    assert count_tokens(text) == len(spans) == len(tokenize(text))
    assert spans == sorted(spans) and all(e > s for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))  # no overlap


def test_traditional_text_is_segmented_as_its_simplified_form_and_shown_as_written():
    trad, simp = "我們要彌合數位落差，因應人工智慧的風險", "我们要弥合数位落差，因应人工智慧的风险"
    assert token_spans(trad) == token_spans(simp)
    words = tokenize(trad)
    assert "彌合" in words and "弥合" not in words  # the original characters are kept


def test_english_text_keeps_its_rule():
    text = "AI's risks, multi-stakeholder\ngovernance! Ünïcode wörds 123"
    assert not has_han(text)
    assert tokenize(text) == TOKEN_RE.findall(text.lower())
    assert token_spans(text) == [m.span() for m in TOKEN_RE.finditer(text)]
    assert count_tokens(text) == len(TOKEN_RE.findall(text))


def test_han_detection():
    assert has_han("数") and has_han("abc 數位") and not has_han("abc") and not has_han("Ünï カタカナ")
    assert han_spans("ab数字cd 鸿沟") == [(2, 4), (7, 9)]
    assert han_spans("plain ascii") == []


def test_to_simplified_keeps_length_and_other_text():
    assert to_simplified("彌合數位落差") == "弥合数位落差"
    assert to_simplified("人工智慧風險 AI risks") == "人工智慧风险 AI risks"
    assert to_simplified("digital divide") == "digital divide"
    text = "網絡空間命運共同體。Ünïcode, 資訊鴻溝"
    out = to_simplified(text)
    assert len(out) == len(text) and out.endswith("资讯鸿沟") and "Ünïcode" in out


def test_lone_surrogates_do_not_stop_segmentation():
    text = "\ud800 數位落差 \udfff 中"
    assert to_simplified(text) == "\ud800 数位落差 \udfff 中"
    assert tokenize(text) == ["數位", "落差", "中"]


def test_to_simplified_falls_back_to_characters_when_a_phrase_changes_length(monkeypatch):
    class Lengthening:  # a conversion that changes length (OpenCC's t2s does not; others may)
        def convert(self, s):
            return s.replace("數位", "数字化") if len(s) > 1 else {"數": "数", "位": "位"}.get(s, s)

    monkeypatch.setattr(text_module, "_opencc", lambda: Lengthening())
    text = "ab 數位落差 cd"
    out = to_simplified(text)
    assert len(out) == len(text)
    assert out == "ab 数位落差 cd"


def test_segmenting_runs_together_equals_one_by_one():
    text = "数字鸿沟。人工智能安全风险！印度尼西亚和印度；全球数字治理赤字"
    runs = han_spans(text)
    together = text_module._han_word_spans(text, runs)
    seg = text_module._segmenter()
    one_by_one = []
    for s, e in runs:
        pos = s
        for w in seg.cut(text[s:e], True):
            one_by_one.append((pos, pos + len(w)))
            pos += len(w)
    assert together == one_by_one


def test_segmentation_is_deterministic():
    text = "我们要弥合数字鸿沟，应对人工智能安全风险。" * 50
    assert tokenize(text) == tokenize(text) == tokenize(str(text))


@pytest.mark.parametrize("text, expected", [
    ("我们要弥合数字鸿沟。应对人工智能安全风险！真的吗？是的；好。",
     ["我们要弥合数字鸿沟。", "应对人工智能安全风险！", "真的吗？", "是的；", "好。"]),
    ("他说：“数字鸿沟正在扩大。”我们同意。", ["他说：“数字鸿沟正在扩大。”", "我们同意。"]),
    ("The divide grows. 数字鸿沟扩大。Mr. Smith agrees", ["The divide grows.", "数字鸿沟扩大。", "Mr. Smith agrees"]),
    ("数字鸿沟，仍在扩大", ["数字鸿沟，仍在扩大"]),  # a comma does not end a sentence
])
def test_chinese_sentence_ends(text, expected):
    assert split_sentences(text) == expected
    assert all(text[s:e] == x for (s, e), x in zip(sentence_spans(text), expected, strict=True))


# --- properties on random mixed text -------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = ["数字", "鸿沟", "印度", "尼西亚", "人工智能", "安全", "風險", "數位", "落差", "和", "。", "，", "！",
           "AI", "5G", "digital", " ", "\n\n", "-", "é", "\ud800", "\U00020000", "〇", "“", "”", "；"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PIECES), max_size=30).map("".join))
def test_token_spans_cover_every_token_character_once(text):
    spans = token_spans(text)
    assert spans == sorted(spans) and all(s < e for s, e in spans)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
        piece = text[s:e]
        # a token never mixes Han and other characters
        han = [bool(han_spans(c)) for c in piece]
        assert all(han) or not any(han), piece
    assert covered == {i for i, c in enumerate(text) if TOKEN_RE.match(c)}
    assert count_tokens(text) == len(spans) == len(tokenize(text))
    assert len(to_simplified(text)) == len(text)
    for s, e in sentence_spans(text):
        assert text[s:e].strip() == text[s:e] and e > s
