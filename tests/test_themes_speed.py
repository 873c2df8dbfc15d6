"""The fast theme counter against a plain reference on real UN speeches (issue 10).

The matcher prefilters candidates with hashed token keys, routes into each pattern's
alternatives, bit masks of required words and ``near()`` windows (see
``discourse.themes.matcher``). The reference here shares none of that: it walks the
tokens of each speech with :data:`discourse.text.TOKEN_RE`, tries a pattern's regex at
every token that is, starts or ends with one of the pattern's first words as the
pattern parser states them (``Pattern.anchors``; a word of a shorter prefix or suffix
counts when its first or last letters are the anchor), runs every other regex over the whole
speech, and then applies the same near() pairing and counting rules.
"""

from __future__ import annotations

import numpy as np
import pytest

from discourse.text import TOKEN_RE
from discourse.themes import Matcher, default_dictionary
from discourse.themes.matcher import _regex_anchors, _trim_end

pytestmark = [pytest.mark.slow]


def _first_words(m: Matcher):
    """For every probe: the anchors of its first token, as the pattern parser gives them."""
    out = []
    for probe in m.probes:
        pattern = m.units[probe.unit].pattern
        if pattern.kind == "regex":
            out.append(set(_regex_anchors(pattern.regex)[0]))
        elif pattern.kind == "near":
            out.append(set(pattern.parts[probe.side].anchors))
        else:
            out.append(set(pattern.anchors))
    return out


def _index(anchors):
    """word -> probes, and for each prefix (suffix) length: text -> probes; probes searched everywhere."""
    whole, pre, suf, everywhere = {}, {}, {}, []
    for i, first in enumerate(anchors):
        if not first:
            everywhere.append(i)
        for kind, a in first:
            if kind == "tok":
                whole.setdefault(a, []).append(i)
            else:
                (pre if kind == "pre" else suf).setdefault(len(a), {}).setdefault(a, []).append(i)
    return whole, pre, suf, everywhere


def _reference(m: Matcher, index, text: str):
    whole, pre, suf, everywhere = index
    tokens = [(t.start(), t.group().lower()) for t in TOKEN_RE.finditer(text)]
    hits = []
    for start, word in tokens:
        tried = set(everywhere)
        tried.update(whole.get(word, ()))
        for k, table in pre.items():
            tried.update(table.get(word[:k], ()))
        for k, table in suf.items():
            tried.update(table.get(word[-k:], ()))
        for i in tried:
            probe = m.probes[i]
            mm = probe.rx.match(text, start)
            if mm and mm.end() > start:
                end = mm.end() if probe.max_chars else _trim_end(text, start, mm.end())
                hits.append((probe.unit, probe.side, start, end))
    for unit, rx, _literal in m.regex_units:
        for mm in rx.finditer(text):
            if mm.end() > mm.start():
                hits.append((unit, 0, mm.start(), mm.end()))
    spans = m._resolve_near(hits, text, 0, np.array([s for s, _ in tokens], dtype=np.int64))
    spans.sort()
    return m._select(spans)


def test_fast_counts_equal_a_plain_reference_on_un_speeches(ungdc_corpus):
    """Every match of the default dictionary on a sample of 2015-2024 speeches, both ways."""
    recent = ungdc_corpus[ungdc_corpus["year"] >= 2015]
    texts = recent["text"].tolist()[::4]  # about 480 speeches, 9 MB, where the themes are frequent
    m = Matcher(default_dictionary())
    index = _index(_first_words(m))
    fast = list(m.scan(texts, chunk_chars=200_000))  # several chunks, several speeches per chunk
    n_matches = 0
    per_theme = [0] * m.n_themes
    for dm, text in zip(fast, texts, strict=True):
        ref = _reference(m, index, text)
        assert dm.matches == ref, f"speech {dm.doc}: {set(dm.matches) ^ set(ref)}"
        assert dm.n_tokens == len(TOKEN_RE.findall(text))
        n_matches += len(ref)
        for theme, *_ in ref:
            per_theme[theme] += 1
    # the sample exercises the dictionary: most themes match, thousands of matches
    assert n_matches > 1000
    assert sum(n > 0 for n in per_theme) >= m.n_themes - 3
