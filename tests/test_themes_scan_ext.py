"""The compiled loop of the theme matcher (``discourse/themes/_scan.c``) gives what the
NumPy path gives: the same tokens, anchor hits and candidates, hence the same counts.

The extension is optional (``setup.py`` builds it where a C compiler is found); with
``CI=true`` it must be there, so that CI tests the path users get.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.themes import default_dictionary, kwic, load_dictionary, theme_counts
from discourse.themes import matcher as M

needs_ext = pytest.mark.skipif(M._scan is None, reason="the compiled matcher loop (_scan.c) was not built here")

# a dictionary that uses every kind of anchor: whole tokens, prefixes of each length
# (globs), suffixes (leading-* globs), phrases with a frequent first word, near(), regexes
MIXED = {
    "themes": {
        "divide": {"patterns": ["digital divide", "connect*", "*divide", "the unconnected", "near(internet, access*, 5)"]},
        "safety": {"patterns": ["artificial intelligence", "AI", "autonom*", "*bots", "r*t", "deep*fake*"],
                   "exclude": ["AI act"]},
        "rules": {"patterns": ["near(cyber*, norm*, 8)", "re:\\bcyber\\s?space\\b", "governance gap*", "*ité"]},
        "long": {"patterns": ["internationalisation", "telecommunications infrastructure", "straße", "δίκτυο*"]},
        "short": {"patterns": ["a*", "it"]},
    }
}

TEXTS = [
    "",
    "Digital divide, the DIGITAL-\ndivide and the unconnected; connectivity connects.",
    "Artificial intelligence (AI) and autonomous robots: robot, robots, chatbots, deepfakes.",
    "Cyber norms: norms of cyberspace and cyber space; the governance gaps remain.",
    "Internationalisation of telecommunications infrastructure; Straße, STRASSE, straßen.",
    "Égalité, fraternité, société: la fracture numérique. Ça va.",
    "Δίκτυο δίκτυα ΔΙΚΤΥΟ: Greek text, and русский текст интернет.",
    "数字鸿沟 and 人工智能 mixed with digital divide 网络空间.",
    "Astral 😀 emoji, 𝐀𝐈 math letters, and 𝐀I mixed: AI 😀AI😀 digital😀divide.",
    "a it an at AI a1 1a 123 4th 2030 x" * 3,
    "verylongtokenthatkeepsgoingandgoing connectivityconnectivity autonomousautonomous",
    "lone \ud800 surrogate \udfff internet access and access to the internet",
    "\n\n   \t ",
    "AI act; the AI Act and AI; AI.",
]


def _both(texts, d, fn):
    """``fn`` with the compiled loop and with the NumPy path."""
    old = M.EXTENSION
    try:
        M.EXTENSION = True
        a = fn(texts, d)
        M.EXTENSION = False
        b = fn(texts, d)
    finally:
        M.EXTENSION = old
    return a, b


def _scan_all(texts, d):
    m = M.Matcher(d)
    return [(dm.doc, dm.n_tokens, dm.matches, dm.raw) for dm in m.scan(texts, raw=True, chunk_chars=64)]


def test_extension_is_built_where_ci_runs():
    if os.environ.get("CI", "").strip().lower() not in ("true", "1", "yes"):  # as conftest._on_ci
        pytest.skip("only checked on CI (elsewhere the NumPy path is a valid fallback)")
    assert M._scan is not None, "discourse.themes._scan was not built: is a C compiler installed? (setup.py)"
    assert M.EXTENSION, "DISCOURSE_NO_EXTENSION is set in CI"


@needs_ext
@pytest.mark.parametrize("text", TEXTS)
def test_tokens_and_anchor_hits_equal_the_numpy_path(text):
    m = M.Matcher(load_dictionary(MIXED))
    for S in (text, text + "\n" + text[::-1]):
        b, units = M._token_bytes(S)
        is_tok = b != 0
        edges = np.flatnonzero(is_tok[1:] != is_tok[:-1])
        starts, ends = edges[0::2] - (M._PAD - 1), edges[1::2] - (M._PAD - 1)
        tok, anchor = m._anchor_hits(b, starts, ends)
        c_starts, c_ends, c_tok, c_anchor, c_units = m._compiled_scan(S)
        assert np.array_equal(c_starts, starts) and np.array_equal(c_ends, ends)
        assert np.array_equal(c_tok, tok) and np.array_equal(c_anchor, anchor)
        assert M._may_hold_han(c_units) == M._may_hold_han(units)
        if units is None:
            assert c_units is None
        else:  # the same code points (a Latin-1 text comes as bytes here, as UTF-16 there)
            assert np.array_equal(c_units.astype(np.uint32), units.astype(np.uint32))
        if len(tok):
            nt = len(starts) + 1
            m._candidates(c_tok, c_anchor, c_starts)  # makes the compiled route tables
            keys = np.frombuffer(M._scan.candidates(M._scratch(), m._compiled_routes, c_tok, c_anchor, nt), dtype=np.int64)
            assert np.array_equal(keys, m._candidate_keys(tok, anchor, nt))


@needs_ext
def test_suffix_anchors_see_the_last_characters_of_long_tokens():
    # tokens of 9 to 16 characters: the last 8 characters are the suffix key (a
    # regression: the first 8 must not leak into it)
    d = load_dictionary({"themes": {"t": {"patterns": ["*ation", "*connectivity", "*ab"]}}})
    words = ["globalisation", "internationalisation", "hyperconnectivity", "connectivity", "ab", "xab",
             "abcdefghab", "ababababab", "cation"]
    texts = [" ".join(words), "-".join(reversed(words))]
    a, b = _both(texts, d, _scan_all)
    assert a == b
    assert a[0][2], "the suffix patterns matched nothing"


@needs_ext
@pytest.mark.parametrize("name", ["mixed", "default"])
def test_counts_and_kwic_equal_the_numpy_path(name):
    d = load_dictionary(MIXED) if name == "mixed" else default_dictionary()
    a, b = _both(TEXTS, d, _scan_all)
    assert a == b
    texts = [t for t in TEXTS if "\ud800" not in t]  # a table's strings are UTF-8: no lone surrogate
    corpus = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    a, b = _both(corpus, d, lambda c, dd: theme_counts(c, dd))
    pd.testing.assert_frame_equal(a, b)
    for theme in d.theme_ids:
        a, b = _both(corpus, d, lambda c, dd, t=theme: kwic(c, t, dictionary=dd))
        pd.testing.assert_frame_equal(a, b)


_ALPHABET = st.sampled_from(list("aAiIdDgtlvcon rtéÉßΔδ数字 \n-.,😀𝐀\u00a0\u2019") + ["digital", "divide", "AI", "cyber", "norms", "connect"])


@needs_ext
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_ALPHABET, max_size=40).map("".join), min_size=1, max_size=6))
def test_random_texts_give_the_same_matches(texts):
    d = load_dictionary(MIXED)
    a, b = _both(texts, d, _scan_all)
    assert a == b


@needs_ext
def test_threads_share_the_compiled_loop(demo_corpus):
    """The loop releases the GIL and keeps its scratch memory per thread."""
    d = default_dictionary()
    texts = demo_corpus["text"].tolist()
    expected = _scan_all(texts, d)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _i: _scan_all(texts, d), range(8)))
    assert all(r == expected for r in results)


@needs_ext
def test_bad_tables_are_refused_with_a_clear_error():
    m = M.Matcher(default_dictionary())
    t16, scan = M._char_table16(), M._scan
    good = (m._keys, m._ids, m._slot_bits, m._slots, m._pre_sorted, m._pre3_bitmap, m._suf_sorted)
    with pytest.raises(ValueError, match="table16"):
        scan.anchors(b"\x00" * 10, *good)
    with pytest.raises(ValueError, match="slots"):
        scan.anchors(t16, m._keys, m._ids, m._slot_bits + 1, m._slots, *good[4:])
    with pytest.raises(ValueError, match="1 to 8"):
        scan.anchors(t16, *good[:4], b"\x09", None, b"")
    full = np.zeros_like(m._slots)  # no empty slot: a lookup would never end
    with pytest.raises(ValueError, match="full"):
        scan.anchors(t16, m._keys, m._ids, m._slot_bits, full, *good[4:])
    wrong = m._slots.copy()
    wrong[wrong >= 0] = len(m._keys)  # an index past the keys
    with pytest.raises(ValueError, match="index into keys"):
        scan.anchors(t16, m._keys, m._ids, m._slot_bits, wrong, *good[4:])
    routes = scan.routes(*m._first, m._route_offset, m._route_bits, m._route_lead, m._route_level,
                         m._route_probe, m._anchor_bits, m._reach)
    tok = np.array([0], dtype=np.int64)
    with pytest.raises(ValueError, match="out of range"):
        scan.candidates(M._scratch(), routes, tok, np.array([len(m._anchor_bits)], dtype=np.int64), 5)
    with pytest.raises(ValueError, match="nt out of range"):
        scan.candidates(M._scratch(), routes, tok, np.array([0], dtype=np.int64), 2**62)
    with pytest.raises(ValueError, match="out of range"):
        scan.routes(*m._first, m._route_offset, m._route_bits, m._route_lead, m._route_level + 40,
                    m._route_probe, m._anchor_bits, m._reach)
    with pytest.raises(ValueError, match="incorrect name"):
        scan.scan(routes, routes, "text", None)  # the wrong capsule


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@needs_ext
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the resident memory from /proc")
def test_threads_free_their_working_memory():
    """Each thread's working memory goes with the thread: a pool made per call leaks
    nothing (about 14 MB per thread for a 1,000,000-character chunk otherwise)."""
    d = load_dictionary(MIXED)
    texts = ["digital divide, connectivity of the unconnected " * 21000]  # one chunk of 1 million characters
    _scan_all(texts, d)  # the main thread's memory, and the allocator's, warmed up
    gc.collect()
    before = _rss_mb()
    for _ in range(30):
        t = threading.Thread(target=_scan_all, args=(texts, d))
        t.start()
        t.join()
    gc.collect()
    grown = _rss_mb() - before
    assert grown < 150, f"resident memory grew by {grown:.0f} MB over 30 short-lived threads"
    first = M._scratch()  # this thread's memory is made once and reused
    _scan_all(texts, d)
    assert M._scratch() is first


@needs_ext
def test_a_matcher_pickles_without_the_compiled_tables():
    m = M.Matcher(load_dictionary(MIXED))
    before = [(dm.doc, dm.matches) for dm in m.scan(TEXTS[1:4])]
    assert m._compiled_anchors is not None
    again = pickle.loads(pickle.dumps(m))
    assert again._compiled_anchors is None
    assert [(dm.doc, dm.matches) for dm in again.scan(TEXTS[1:4])] == before


@needs_ext
@pytest.mark.ungdc
def test_un_speeches_give_the_same_counts(ungdc_corpus):
    sample = ungdc_corpus[ungdc_corpus["year"] >= 2015].iloc[::7]
    a, b = _both(sample, default_dictionary(), lambda c, dd: theme_counts(c, dd))
    pd.testing.assert_frame_equal(a, b)
    assert a.drop(columns=[c for c in a.columns if not pd.api.types.is_numeric_dtype(a[c])]).to_numpy().sum() > 0
