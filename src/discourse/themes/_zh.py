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

Texts without a Han character are not touched: a chunk of the matcher without one is told
by its largest UTF-16 code unit, found while its token bytes are made; in a chunk with
one, one ``str.isascii`` or one regex search per text. So the English path costs what it
did.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator

import numpy as np

from discourse.text import _segment, has_han, sentence_spans

__all__ = ["ZhPatterns", "refine"]


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


_END = ""  # key of a trie node's list of (unit, open_end) for the forms ending there


class ZhPatterns:
    """The Chinese patterns (and exclude patterns) of a compiled dictionary.

    The literal forms of the patterns anchored at a word start are held in a character
    trie: from each token start whose character begins a form, the text is walked along
    the trie, so each candidate costs a few dictionary look-ups whatever the number of
    patterns.

    Parameters
    ----------
    units : iterable of (int, Pattern)
        Unit index (in the matcher) and its parsed pattern (``kind == "zh"``).
    """

    def __init__(self, units: Iterable):
        self.trie: dict = {}
        self.floating: list[tuple[str, object, bool]] = []  # forms of patterns with a leading "*"
        self.near: dict[int, int] = {}  # unit of a near() pattern -> its distance in words
        for index, p in units:
            if p.parts:  # near(A, B, n): its parts are found as (unit, side), then paired
                self.near[index] = p.distance
                for side, part in enumerate(p.parts):
                    self._add(part, (index, side))
            else:
                self._add(p, index)
        self._first = np.array(sorted(ord(c) for c in self.trie), dtype=np.uint32)

    def _add(self, p, key) -> None:
        for form in p.literals:
            if p.open_start:
                self.floating.append((form, key, p.open_end))
                continue
            node = self.trie
            for ch in form:
                node = node.setdefault(ch, {})
            node.setdefault(_END, []).append((key, p.open_end))

    def __bool__(self) -> bool:
        return bool(self.trie or self.floating)

    def spans(self, text: str) -> tuple[int, list[tuple[int, int, int]]]:
        """(tokens of ``text``, matches ``(unit, start, end)`` of the Chinese patterns)."""
        simple, starts, ends = _segment(text)
        if not self or not len(starts):
            return len(starts), []
        low = _lower_same_length(simple)
        end_set = set(ends.tolist())
        out: list[tuple[int, int, int]] = []
        if len(self._first):
            codes = np.frombuffer(low.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            cand = starts[np.isin(codes[starts], self._first)]
            n = len(low)
            trie = self.trie
            for s in cand.tolist():
                node = trie
                i = s
                while i < n:
                    node = node.get(low[i])
                    if node is None:
                        break
                    i += 1
                    found = node.get(_END)
                    if found is None:
                        continue
                    at_end = i in end_set
                    for unit, open_end in found:
                        if open_end:
                            out.append((unit, s, i if at_end else self._word_end(ends, i)))
                        elif at_end:
                            out.append((unit, s, i))
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
        if self.near:
            out = self._pair(text, out, starts)
        return len(starts), out

    def _pair(self, text: str, found: list, starts: np.ndarray) -> list[tuple[int, int, int]]:
        """Resolve near(A, B, n): each A with its nearest B (either side, not overlapping),
        at most ``n`` words away (``n = 1``: adjacent) and in the same sentence."""
        out = [f for f in found if not isinstance(f[0], tuple)]
        parts: dict[int, tuple[list, list]] = {}
        for (key, s, e) in found:
            if isinstance(key, tuple):
                parts.setdefault(key[0], ([], []))[key[1]].append((s, e))
        sentences = None
        for unit, (a_hits, b_hits) in sorted(parts.items()):
            if not a_hits or not b_hits:
                continue
            if sentences is None:
                sentences = sentence_spans(text)
                sent_starts = [x for x, _ in sentences]
            n = self.near[unit]
            a_arr, (a_first, a_last) = self._words(a_hits, starts)
            b_arr, (b_first, b_last) = self._words(b_hits, starts)
            b_first_list = b_first.tolist()
            for (s, e), a0, a1 in zip(a_arr.tolist(), a_first.tolist(), a_last.tolist(), strict=True):
                lo_j = bisect.bisect_left(b_first_list, a0 - n - 64)  # a B longer than 64 words: none
                hi_j = bisect.bisect_right(b_first_list, a1 + n)
                options = []
                for j in range(lo_j, hi_j):
                    b0, b1 = b_first_list[j], int(b_last[j])
                    if b0 > a1:
                        gap = b0 - a1
                    elif b1 < a0:
                        gap = a0 - b1
                    else:
                        continue  # overlapping
                    if gap <= n:
                        options.append((gap, int(b_arr[j, 0]), int(b_arr[j, 1])))
                for _gap, bs, be in sorted(options):
                    lo, hi = min(s, bs), max(e, be)
                    i = bisect.bisect_right(sent_starts, lo) - 1
                    if i >= 0 and hi <= sentences[i][1]:
                        out.append((unit, lo, hi))
                        break
        return out

    @staticmethod
    def _words(hits: list, starts: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
        """Hits ``(start, end)`` sorted by start, and the indices of their first and last words."""
        arr = np.array(sorted(set(hits)), dtype=np.int64).reshape(-1, 2)
        first = np.maximum(np.searchsorted(starts, arr[:, 0], side="right") - 1, 0)
        last = np.maximum(np.searchsorted(starts, arr[:, 1], side="left") - 1, first)
        return arr, (first, last)

    @staticmethod
    def _word_end(ends: np.ndarray, e: int) -> int:
        """The end of the token in which position ``e - 1`` lies (``e`` when none does)."""
        i = int(np.searchsorted(ends, e, side="left"))
        return int(ends[i]) if i < len(ends) else e


def refine(matcher, found: Iterable, texts: list[str], base: int, raw: bool, han: list | None = None) -> Iterator:
    """Give documents with Han characters their word count and their Chinese matches.

    ``found`` are the :class:`~discourse.themes.matcher.DocMatches` of one chunk
    (``texts``, the first of which is document ``base``), as the matcher made them from
    the other patterns, where a run of Han characters was one token. For a text with a
    Han character: ``n_tokens`` becomes the count of :func:`discourse.text.count_tokens`
    (Chinese words), and the Chinese patterns' matches join the counted matches by the
    matcher's own rules (excludes, longest match wins within a theme). ``han``, when
    given, is a one-item list the scan of the chunk sets to False before yielding its
    first document when the chunk holds no Han character: its documents are then passed
    through without a look at each.
    """
    zh: ZhPatterns = matcher.zh_patterns
    for dm in found:
        if han is not None and not han[0]:  # the chunk holds no Han character (set by the scan)
            yield dm
            continue
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
