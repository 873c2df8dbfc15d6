"""The shortcuts that make the theme counter's setup and scan cheaper change no result.

* the built-in dictionaries are read with libyaml's loader: the same dictionary as the
  pure-Python loader gives (users' files keep the latter);
* the character tables are built for the BMP only unless a text has an astral
  character: the same bytes as the full table;
* a chunk without a Han character skips the Chinese hook: the same counts as a text
  looked at one by one;
* an anchored regex is tried only where its required words follow within its longest
  match: the same matches as trying it at every anchor.
"""

from __future__ import annotations

import re
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from discourse.themes import Matcher, load_dictionary, theme_counts
from discourse.themes import dictionary as dictionary_module
from discourse.themes import matcher as matcher_module


def _built_in_files():
    data = resources.files("discourse.themes") / "data"
    return sorted(p for p in data.iterdir() if p.name.endswith(".yaml"))


def test_built_in_dictionaries_read_the_same_with_both_yaml_loaders(monkeypatch):
    files = _built_in_files()
    assert files, "no built-in dictionary found"
    for ref in files:
        with resources.as_file(ref) as path:
            fast = load_dictionary(path)
            monkeypatch.setattr(dictionary_module, "_BUILT_IN_LOADER", yaml.SafeLoader)
            slow = load_dictionary(path)
            monkeypatch.undo()
        assert fast.fingerprint() == slow.fingerprint(), ref.name
        pd.testing.assert_frame_equal(fast.to_frame(), slow.to_frame())


def test_bmp_tables_equal_the_full_tables():
    comb16 = matcher_module._char_table16()
    comb, lower8 = matcher_module._char_tables()
    assert comb16.shape == (0x10000,)
    assert np.array_equal(comb16, comb[:0x10000])
    assert matcher_module._lower16() == lower8[:0x10000].tobytes()
    # a token's key is the same whichever table it is read from
    for word in ["international", "İstanbul", "ÉTAT", "Straße", "\U0001d400bc", "数字"]:
        expected = sum(int(lower8[ord(ch)]) << (8 * j) for j, ch in enumerate(word[:8]))
        assert matcher_module._pack(word) == expected, word


def test_chunks_without_han_skip_the_chinese_hook_with_the_same_counts():
    d = load_dictionary({
        "themes": {"divide": {"patterns": ["digital divide"], "languages": {"zh": ["数字鸿沟"]}}},
    })
    texts = ["The digital divide – “widening”.", "plain ascii digital divide", "缩小数字鸿沟。 digital divide",
             "Nothing here.", "数字鸿沟"]
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    m = Matcher(d)
    one_by_one = [next(iter(m.scan([t]))) for t in texts]
    for chunk_chars in (1, 40, 10_000):  # one text per chunk, a few, all in one
        together = list(m.scan(texts, chunk_chars=chunk_chars))
        assert [(x.n_tokens, x.matches) for x in together] == [(x.n_tokens, x.matches) for x in one_by_one]
    counts = theme_counts(corpus, d)
    assert counts["count"].tolist() == [1, 1, 2, 0, 1]


def test_anchored_regex_tried_only_with_its_required_words_in_reach(tmp_path, monkeypatch):
    rx = r"re:\b(?:rules|laws?)\b[^.!?;]{0,40}?\b(?:lag\w* behind|outpac\w+)"
    path = tmp_path / "lag.yaml"
    path.write_text(yaml.safe_dump({"themes": {"lag": {"patterns": [rx]}}}), encoding="utf-8")
    # read as a built-in dictionary: its regexes run on Python's re, anchored (a user's run on RE2)
    monkeypatch.setattr(dictionary_module, "_built_in", lambda _path: True)
    d = load_dictionary(path)
    m = Matcher(d)
    assert m._rx_need.any()  # the regex has required words, filtered on
    texts = [
        "The rules lag behind technology.",  # a match
        "Our laws are slowly outpaced by events.",  # a match
        "The rules are clear. Technology lags behind.",  # required word past the sentence: no match
        "The rules are " + "very " * 30 + "old and lag behind.",  # required word beyond the regex's reach
        "Rules and laws everywhere, nothing else.",  # no required word
    ]
    got = [len(dm.matches) for dm in m.scan(texts)]
    expected = [sum(1 for _ in m.probes[0].rx.finditer(t)) for t in texts]
    assert got == expected == [1, 1, 0, 0, 0]


def test_literal_search_on_code_units_finds_what_finditer_finds():
    texts = ["Al-Qaida, Al Shabaab, All, al, ALl, Al", "aaaa aaa Al’s “Al” Al", "AlAl Al\U0001d400 Al",
             "plain ascii Al and Al-x", ""]
    for text in texts:
        _b, units = matcher_module._token_bytes(text)
        for literal, rx in [("Al", r"Al(?!\w)"), ("aa", "aa"), ("Al", r"Al(?<!\wAl)"), ("’s", "’s")]:
            finder = re.compile(rx)
            expected = [m.span() for m in finder.finditer(text)]
            got = list(matcher_module._literal_spans(text, literal, True, finder, units))
            assert got == expected, (text, rx)
            windows = matcher_module._literal_windows(text, (literal, True, False, False), units)
            assert windows == matcher_module._literal_windows(text, (literal, True, False, False)), (text, rx)
