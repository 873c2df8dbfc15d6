"""Matching Chinese patterns on segmented words; the hook the matcher calls per chunk.

Private to :mod:`discourse.themes`. The rules (``docs/dictionaries.md``, "Chinese"):

* the text and the patterns are compared in simplified characters
  (:func:`discourse.text.to_simplified`, which keeps offsets) and lower case;
* a pattern matches whole words only: a match starts where a token of
  :func:`discourse.text.token_spans` starts and ends where one ends (a Han run is cut
  into words by the segmenter). So 印度 does not match inside 印度尼西亚 (one word),
  and 数字鸿沟 matches 数字/鸿沟 (two words). A leading or trailing ``*`` lifts the
  rule on its side; the match then runs to the start (end) of the word it falls in;
* matches of Chinese patterns join the theme's other matches: excludes and "longest
  match wins" apply to them all, as for any pattern.

Texts without a Han character are not touched (one ``str.isascii`` or one regex search
each), so the English path costs what it did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np

from discourse.text import has_han, to_simplified, token_spans

__all__ = ["ZhPatterns", "refine"]


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


class ZhPatterns:
    """The Chinese patterns (and exclude patterns) of a compiled dictionary.

    Parameters
    ----------
    units : iterable of (int, Pattern)
        Unit index (in the matcher) and its parsed pattern (``kind == "zh"``).
    """

    def __init__(self, units: Iterable):
        self.anchored: dict[str, list[tuple[str, int, bool]]] = {}  # first char -> (form, unit, open_end)
        self.floating: list[tuple[str, int, bool]] = []  # forms of patterns with a leading "*"
        for index, p in units:
            for form in p.literals:
                if p.open_start:
                    self.floating.append((form, index, p.open_end))
                else:
                    self.anchored.setdefault(form[0], []).append((form, index, p.open_end))
        for forms in self.anchored.values():
            forms.sort(key=lambda f: (-len(f[0]), f[0], f[1]))
        self._first = np.array(sorted(ord(c) for c in self.anchored), dtype=np.uint32)

    def __bool__(self) -> bool:
        return bool(self.anchored or self.floating)

    def spans(self, text: str) -> tuple[int, list[tuple[int, int, int]]]:
        """(tokens of ``text``, matches ``(unit, start, end)`` of the Chinese patterns)."""
        tok = token_spans(text)
        if not self or not tok:
            return len(tok), []
        low = _lower_same_length(to_simplified(text))
        arr = np.asarray(tok, dtype=np.int64)
        starts, ends = arr[:, 0], arr[:, 1]
        end_set = set(ends.tolist())
        out: list[tuple[int, int, int]] = []
        if len(self._first):
            codes = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            cand = starts[np.isin(codes[starts], self._first)]
            for s in cand.tolist():
                for form, unit, open_end in self.anchored[low[s]]:
                    if not low.startswith(form, s):
                        continue
                    e = s + len(form)
                    if open_end:
                        e = self._word_end(ends, e)
                    elif e not in end_set:
                        continue
                    out.append((unit, s, e))
        for form, unit, open_end in self.floating:
            p = low.find(form)
            while p >= 0:
                e = p + len(form)
                if open_end or e in end_set:
                    if open_end:
                        e = self._word_end(ends, e)
                    i = int(np.searchsorted(starts, p, side="right")) - 1
                    s = int(starts[i]) if i >= 0 and ends[i] > p else p
                    out.append((unit, s, e))
                p = low.find(form, p + 1)
        return len(tok), out

    @staticmethod
    def _word_end(ends: np.ndarray, e: int) -> int:
        """The end of the token in which position ``e - 1`` lies (``e`` when none does)."""
        i = int(np.searchsorted(ends, e, side="left"))
        return int(ends[i]) if i < len(ends) else e


def refine(matcher, found: Iterable, texts: list[str], base: int, raw: bool) -> Iterator:
    """Give documents with Han characters their word count and their Chinese matches.

    ``found`` are the :class:`~discourse.themes.matcher.DocMatches` of one chunk
    (``texts``, the first of which is document ``base``), as the matcher made them from
    the other patterns, where a run of Han characters was one token. For a text with a
    Han character: ``n_tokens`` becomes the count of :func:`discourse.text.count_tokens`
    (Chinese words), and the Chinese patterns' matches join the counted matches by the
    matcher's own rules (excludes, longest match wins within a theme).
    """
    zh: ZhPatterns = matcher.zh_patterns
    for dm in found:
        text = texts[dm.doc - base]
        if not has_han(text):
            yield dm
            continue
        n_tokens, spans = zh.spans(text)
        dm.n_tokens = n_tokens
        if spans:
            spans = sorted(set(spans))
            prior = [(unit, s, e) for _theme, unit, s, e in dm.matches]
            dm.matches = matcher._select(sorted(prior + spans))
            if dm.raw is not None:
                dm.raw = sorted(dm.raw + spans)
        yield dm
