"""Compiling a dictionary's patterns and matching them fast.

Matching semantics (the rules every count, KWIC line and test rely on)
-----------------------------------------------------------------------
* **Tokens** are those of :mod:`discourse.text` (maximal runs of letters and digits,
  case-insensitive). A phrase matches consecutive tokens whatever separates them
  (spaces, line breaks, hyphens, punctuation): "digital divide" matches
  "Digital-\\ndivide". Hyphenated line breaks inside a word ("govern-\\nance") are
  joined by the corpus normaliser before matching.
* A pattern matches at a token start and ends at a token end (no partial words, except
  what a ``*`` glob allows inside a token). Alternatives are tried longest first.
* ``near(A, B, n)`` matches when A and B occur in the same sentence (the sentences of
  :func:`discourse.text.sentence_spans`), in either order, without overlapping, with
  at most ``n - 1`` tokens between them (``n = 1``: adjacent). Each occurrence of A is
  paired with its nearest B; the match spans from the first to the last of the two.
* ``re:`` patterns are searched in the original text, case-insensitive unless they say
  ``(?-i:...)``; a match must not straddle two documents. Users' regexes run on RE2
  (linear time; ``\\b``, ``\\w``, ``\\d``, ``\\s`` are ASCII there, ``\\pL`` is any
  letter), the built-in dictionary's on Python's ``re``. Shortcuts (documented in
  ``docs/dictionaries.md``): a regex with a literal of two characters or more is searched
  within 300 characters of it; for the built-in dictionary's regexes also: a regex starting with ``\\b`` and literal words is tried
  only where such a word starts (and where its later required words follow within
  2,000 characters); a regex with a case-sensitive word literal is searched within
  300 characters of it; an exclude regex within 300 characters of its theme's matches.
* **Excludes**: a theme's match that overlaps a match of one of the theme's exclude
  patterns is dropped.
* **Counting within a theme (longest match wins)**: the remaining matches of all the
  theme's patterns are sorted by start, longest first, and taken greedily from the
  left; a match is taken when it starts at or after the end of the last taken one. The
  theme's count is the number taken, so overlapping matches of one theme count once
  and the longest of matches starting at one place is the one reported.
* **Across themes** nothing is shared: one span may count for two themes.

How it is fast
--------------
Documents are processed in chunks of about 1 MB. Each chunk is turned into a NumPy array
of code points once; a table gives every character's token byte (0 outside tokens, else
a lower-case byte), from which come the token boundaries, the number of tokens per
document, and an 8-byte key of every token (its first eight lower-case characters) and
of its prefixes. The keys of the patterns' possible first words (their *anchors*) are
looked up through a bitmap, so only the tokens that can start a match, and that have
the pattern's less common required words close enough, reach Python, where the
pattern's compiled regex is tried at that exact position. ``near()`` parts are
pre-filtered against each other the same way; sentences are split only around a pair
that is close enough.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from discourse.text import TOKEN_RE, paragraph_spans, sentence_spans
from discourse.themes._patterns import Pattern, RE2Regex, _is_common, compile_regex, utf8_offsets
from discourse.themes._zh import ZhPatterns, refine
from discourse.themes.dictionary import Dictionary

__all__ = ["Matcher", "DocMatches", "Unit"]

_MASK = (1 << 64) - 1
_B = 0x9E3779B97F4A7C15  # odd multiplier of the rolling hash (64-bit)
_BINV = pow(_B, -1, 1 << 64)
_BITS = 20
_SHIFT = np.uint64(64 - _BITS)
CHUNK_CHARS = 1_000_000  # measured best: the arrays of a chunk stay in cache


@functools.lru_cache(maxsize=1)
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every code point: its token byte (0 = not a token character) and lower-case byte.

    The byte is the lower-case code point for Latin-1 and a folded value (never 0)
    beyond; a collision only lets a non-matching token reach the exact regex check.
    """
    cps = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    allc = "".join(map(chr, cps))
    codes = np.frombuffer(allc.encode("utf-32-le"), dtype=np.uint32)
    flags = np.zeros(len(allc), dtype=np.int8)
    for m in TOKEN_RE.finditer(allc):  # runs of token characters
        flags[m.start() : m.end()] = 1
    istok = np.zeros(0x110000, dtype=np.int8)
    istok[codes] = flags
    low = np.arange(0x110000, dtype=np.int64)
    for c in range(0x10000):  # astral characters keep their code point
        if 0xD800 <= c < 0xE000:
            continue
        lo = chr(c).lower()
        if lo != chr(c):
            low[c] = ord(lo[0])
    lower8 = np.where(low < 256, low, (low - 1) % 255 + 1).astype(np.uint8)
    # one table: 0 for a character that is not part of a token, else its lower-case byte
    comb = np.where(istok == 1, lower8, 0).astype(np.uint8)
    return comb, lower8


_PREFIX_LENGTHS = (1, 2, 3, 5, 8)  # prefixes are looked up at these lengths (fewer passes)
_LIVE = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0xFF51AFD7ED558CCD)  # mixes a key before its top bits index the bitmap


def _pack(s: str) -> int:
    """The 8-byte key of the first (up to) 8 characters of ``s``, as the scanner computes it."""
    lower8 = _char_tables()[1]
    key = 0
    for j, ch in enumerate(s[:8]):
        key |= int(lower8[ord(ch)]) << (8 * j)
    return key


def _tok_key(s: str) -> int:
    """Key of a whole token: its packed first 8 characters mixed with its length."""
    return (_pack(s) * int(_M1) + len(s) * int(_M2)) & _MASK


@dataclass(frozen=True)
class Unit:
    """One pattern of one theme, as matched."""

    index: int
    theme: int  # index of the theme in the dictionary
    role: str  # "pattern" or "exclude"
    position: int  # index of the pattern in the theme's list
    pattern: Pattern


@dataclass
class DocMatches:
    """What :meth:`Matcher.scan` yields per document.

    ``matches`` are the counted matches ``(theme, unit, start, end)`` (character
    offsets into the document), sorted by theme then start; ``raw`` (when asked for)
    are all matches of every pattern and exclude pattern before selection,
    ``(unit, start, end)``.
    """

    doc: int
    n_tokens: int
    matches: list
    raw: list | None = None


class _AnchorTable:
    """Hashes of anchors of one kind and length: hash -> anchor id."""

    def __init__(self):
        self.map: dict[int, int] = {}

    def arrays(self, mixed: bool = False):
        keys = np.array(sorted(self.map), dtype=np.uint64)
        bitmap = np.zeros(1 << _BITS, dtype=bool)
        if len(keys):
            with np.errstate(over="ignore"):
                bitmap[(keys if mixed else keys * _M3) >> _SHIFT] = True
        ids = np.array([self.map[k] for k in sorted(self.map)], dtype=np.int64)
        return keys, bitmap, ids


@dataclass
class _Probe:
    unit: int
    side: int
    rx: re.Pattern
    first: tuple[int, ...]  # anchor ids of the first token
    required: tuple[tuple[int, ...], ...]  # anchor ids of later mandatory tokens
    max_tokens: int
    max_chars: int = 0  # for anchored regexes: the longest match, in characters


_EMPTY = np.zeros(0, dtype=np.int64)


class Matcher:
    """A dictionary compiled for matching.

    Parameters
    ----------
    dictionary : Dictionary

    Notes
    -----
    The semantics are in the module docstring. :meth:`scan` is the one entry point;
    :meth:`counts` adds up a document x theme matrix.
    """

    def __init__(self, dictionary: Dictionary):
        self.dictionary = dictionary
        self.units: list[Unit] = []
        self.n_themes = len(dictionary.themes)
        self.probes: list[_Probe] = []
        self.regex_units: list[tuple[int, re.Pattern, tuple[str, bool] | None]] = []
        self.scan_probes: list[int] = []  # phrase probes without an anchor: searched everywhere
        self._anchor_ids: dict[tuple[str, int, int], int] = {}
        self.tok = _AnchorTable()
        self.pre: dict[int, _AnchorTable] = {}
        self.suf: dict[int, _AnchorTable] = {}
        for ti, theme in enumerate(dictionary.themes):
            for role, pats in theme.pattern_lists():  # its own language's, then other sections'
                for pi, p in enumerate(pats):
                    u = Unit(len(self.units), ti, role, pi, p)
                    self.units.append(u)
                    self._add_unit(u)
        self._tok = self.tok.arrays(mixed=True)
        self._pre = {k: t.arrays() for k, t in sorted(self.pre.items())}
        self._suf = {k: t.arrays() for k, t in sorted(self.suf.items())}
        # Chinese patterns are matched on segmented words by discourse.themes._zh
        self.zh_patterns = ZhPatterns((u.index, u.pattern) for u in self.units if u.pattern.kind == "zh")
        self._near_partner = {}
        for i, pr in enumerate(self.probes):
            if self.units[pr.unit].pattern.kind == "near":
                self._near_partner.setdefault(pr.unit, [None, None])[pr.side] = i

    # -- compilation -----------------------------------------------------------------
    def _anchor(self, kind: str, text: str) -> int:
        if kind == "tok":
            k, table = 0, self.tok
            h = _tok_key(text)
        else:
            k = max(b for b in _PREFIX_LENGTHS if b <= len(text))
            key = text[:k] if kind == "pre" else text[-k:][::-1]
            table = (self.pre if kind == "pre" else self.suf).setdefault(k, _AnchorTable())
            h = _pack(key)
        ident = (kind, k, h)
        if ident not in self._anchor_ids:
            self._anchor_ids[ident] = len(self._anchor_ids)
            table.map[h] = self._anchor_ids[ident]
        return self._anchor_ids[ident]

    def _add_unit(self, u: Unit) -> None:
        p = u.pattern
        if p.kind == "zh":  # matched by discourse.themes._zh, on texts with Han characters
            return
        if p.kind == "regex":
            rx = compile_regex(p.regex, p.engine)
            literal = _required_literal(p.regex)
            if p.engine != "re":
                # RE2's \b and \w are ASCII: the shortcuts below assume Python's Unicode
                # ones, so an RE2 regex keeps only the plain literal prefilter
                if literal is not None:
                    literal = (literal[0], literal[1], False, False)
                self.regex_units.append((u.index, rx, literal))
                return
            # a rare case-sensitive word (e.g. "Al") is the best prefilter; else the first words
            strong = literal is not None and literal[1] and (literal[2] or literal[3])
            plan = _regex_anchors(p.regex) if u.role == "pattern" and not strong else None
            if plan is None:
                self.regex_units.append((u.index, rx, literal))
                return
            first, required, max_chars = plan
            self.probes.append(_Probe(
                u.index, 0, rx,
                tuple(sorted({self._anchor(k, t) for k, t in first})),
                tuple(tuple(sorted({self._anchor(k, t) for k, t in req})) for req in required),
                0, max_chars,
            ))
            return
        parts = p.parts if p.kind == "near" else (p,)
        for side, part in enumerate(parts):
            rx = re.compile(part.regex, re.IGNORECASE)
            if not part.anchors:
                self.scan_probes.append(len(self.probes))
                self.probes.append(_Probe(u.index, side, rx, (), (), part.max_tokens))
                continue
            first = tuple(sorted({self._anchor(k, t) for k, t in part.anchors}))
            # a later token narrows the candidates only if none of its words is common
            required = tuple(
                tuple(sorted({self._anchor(k, t) for k, t in req}))
                for req in part.required
                if not _is_common(req)
            )
            self.probes.append(_Probe(u.index, side, rx, first, required, part.max_tokens))

    # -- matching --------------------------------------------------------------------
    def scan(self, texts: Iterable[str], *, raw: bool = False, chunk_chars: int = CHUNK_CHARS) -> Iterator[DocMatches]:
        """Match every document; yield one :class:`DocMatches` per text, in order."""
        buf: list[str] = []
        size = 0
        base = 0
        for text in texts:
            if not isinstance(text, str):
                text = "" if text is None or (isinstance(text, float) and text != text) else str(text)
            buf.append(text)
            size += len(text) + 1
            if size >= chunk_chars:
                yield from refine(self, self._scan_chunk(buf, base, raw), buf, base, raw)
                base += len(buf)
                buf, size = [], 0
        if buf:
            yield from refine(self, self._scan_chunk(buf, base, raw), buf, base, raw)

    def _anchor_hits(self, b, starts, ends) -> dict[int, np.ndarray]:
        """Token indices where each anchor occurs (sorted arrays), by anchor id.

        ``b`` is the chunk's token bytes (0 outside tokens) padded with 8 zeros.
        """
        out: dict[int, np.ndarray] = {}
        if not len(starts) or not self._anchor_ids:
            return out
        lengths = ends - starts
        live = _LIVE[np.minimum(lengths, 8)]  # byte mask of the token's first (last) <= 8 chars
        windows = np.lib.stride_tricks.sliding_window_view(b, 8)

        with np.errstate(over="ignore"):
            if self._pre or len(self._tok[0]):
                key = np.ascontiguousarray(windows[starts]).view(np.uint64).ravel() & live
                keys, bitmap, ids = self._tok
                if len(keys):
                    h = key * _M1 + lengths.astype(np.uint64) * _M2  # already mixed
                    self._group(h, keys, bitmap, ids, out, mixed=True)
                for k, (keys, bitmap, ids) in self._pre.items():
                    h = key & np.uint64((1 << (8 * k)) - 1) if k < 8 else key
                    self._group(h, keys, bitmap, ids, out)
            if self._suf:
                rev = np.ascontiguousarray(windows[np.maximum(ends - 8, 0)][:, ::-1])
                key = rev.view(np.uint64).ravel()
                short = ends < 8  # (tokens at the very start of a chunk)
                if short.any():
                    key = key.copy()
                    for i in np.flatnonzero(short):
                        e = int(ends[i])
                        key[i] = int.from_bytes(bytes(b[max(0, e - 8) : e][::-1].tolist()).ljust(8, b"\0"), "little")
                key = key & live
                for k, (keys, bitmap, ids) in self._suf.items():
                    h = key & np.uint64((1 << (8 * k)) - 1) if k < 8 else key
                    self._group(h, keys, bitmap, ids, out)
        return out

    @staticmethod
    def _group(h, keys, bitmap, ids, out, mixed: bool = False) -> None:
        with np.errstate(over="ignore"):
            hit = np.flatnonzero(bitmap[(h if mixed else h * _M3) >> _SHIFT])
        if not len(hit):
            return
        pos = np.searchsorted(keys, h[hit])
        pos[pos >= len(keys)] = 0
        ok = keys[pos] == h[hit]
        hit, pos = hit[ok], pos[ok]
        if not len(hit):
            return
        order = np.argsort(pos.astype(np.uint16), kind="stable")  # radix sort
        pos, tok = pos[order], hit[order]
        cut = np.flatnonzero(np.diff(pos)) + 1
        for p, arr in zip(pos[np.r_[0, cut]].tolist(), np.split(tok, cut), strict=True):
            aid = int(ids[p])
            out[aid] = arr if aid not in out else np.union1d(out[aid], arr)

    def _probe_candidates(self, probe: _Probe, hits, starts) -> np.ndarray:
        arrs = [hits[a] for a in probe.first if a in hits]
        if not arrs:
            return _EMPTY
        cand = arrs[0] if len(arrs) == 1 else np.sort(np.concatenate(arrs))
        span = max(probe.max_tokens, 1)
        for req in probe.required:
            ok = np.zeros(len(cand), dtype=bool)
            for a in req:
                r = hits.get(a)
                if r is None:
                    continue
                if probe.max_chars:  # a regex: the required word starts within its longest match
                    rpos, cpos = starts[r], starts[cand]
                    j = np.searchsorted(rpos, cpos)
                    ok |= (j < len(r)) & (rpos[np.minimum(j, len(r) - 1)] <= cpos + probe.max_chars)
                    continue
                j = np.searchsorted(r, cand)
                ok |= (j < len(r)) & (r[np.minimum(j, len(r) - 1)] <= cand + span - 1)
            cand = cand[ok]
            if not len(cand):
                return _EMPTY
        return cand

    def _scan_chunk(self, docs: list[str], base: int, raw: bool) -> Iterator[DocMatches]:
        comb, _ = _char_tables()
        S = "\n".join(docs)
        n_chars = len(S)
        doc_start = np.zeros(len(docs), dtype=np.int64)
        if len(docs) > 1:
            doc_start[1:] = np.cumsum(np.fromiter((len(d) + 1 for d in docs[:-1]), dtype=np.int64, count=len(docs) - 1))
        doc_end = doc_start + np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        codes = np.frombuffer(S.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        b = np.zeros(n_chars + 9, dtype=np.uint8)  # b[0] and the 8 last stay 0
        b[1 : n_chars + 1] = comb[codes]
        utf8 = None  # (bytes, character -> byte offsets) for the RE2 regexes, made once
        if any(isinstance(rx, RE2Regex) for _u, rx, _l in self.regex_units):
            utf8 = (S.encode("utf-8", "surrogatepass"), utf8_offsets(codes))
        del codes
        edges = np.diff((b[: n_chars + 2] != 0).view(np.int8))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        del edges
        n_tokens = (np.searchsorted(starts, doc_end) - np.searchsorted(starts, doc_start)).tolist()
        hits = self._anchor_hits(b[1:], starts, ends)
        del b

        cands = {i: self._probe_candidates(p, hits, starts) for i, p in enumerate(self.probes) if p.first}
        # near(): keep only candidates with a candidate of the other part close enough
        for unit, (ia, ib) in self._near_partner.items():
            n = self.units[unit].pattern.distance
            ca, cb = cands.get(ia, _EMPTY), cands.get(ib, _EMPTY)
            if ia in self.scan_probes or ib in self.scan_probes:
                continue
            la, lb = self.probes[ia].max_tokens, self.probes[ib].max_tokens
            cands[ia] = _near_filter(ca, cb, n + lb, n + la)
            cands[ib] = _near_filter(cb, ca, n + la, n + lb)

        per_doc: dict[int, list] = {}
        for i, cand in cands.items():
            if not len(cand):
                continue
            probe = self.probes[i]
            rx, unit, side = probe.rx, probe.unit, probe.side
            pos = starts[cand]
            dix = np.searchsorted(doc_start, pos, side="right") - 1
            dend = doc_end[dix]
            for p, d, e in zip(pos.tolist(), dix.tolist(), dend.tolist(), strict=True):
                m = rx.match(S, p, e)
                if m is not None and m.end() > p:
                    end = m.end() if probe.max_chars else _trim_end(S, p, m.end())
                    per_doc.setdefault(d, []).append((unit, side, p, end))
        for i in self.scan_probes:
            probe = self.probes[i]
            for m in probe.rx.finditer(S):
                d = int(np.searchsorted(doc_start, m.start(), side="right") - 1)
                if m.end() <= doc_end[d]:
                    per_doc.setdefault(d, []).append((probe.unit, probe.side, m.start(), _trim_end(S, m.start(), m.end())))
        window_cache: dict = {}
        for unit, rx, literal in self.regex_units:
            u = self.units[unit]
            if u.role == "exclude" and not raw:
                # an exclude only matters where it can overlap a match of its theme
                spans = []
                for d, hs in per_doc.items():
                    ds, de = int(doc_start[d]), int(doc_end[d])
                    for h in hs:
                        hu = self.units[h[0]]
                        if hu.theme == u.theme and hu.role == "pattern":
                            spans.append((max(ds, h[2] - _WINDOW), min(de, h[3] + _WINDOW)))
                windows = _merge(spans)
            elif literal is not None:
                wkey = (literal[0], literal[1], False, literal[3])  # shared by regexes with one literal
                if wkey not in window_cache:
                    window_cache[wkey] = _literal_windows(S, wkey)
                windows = window_cache[wkey]
            else:
                windows = [(0, n_chars)]
            seen = set()
            for ws, we in windows:
                for ms, me in _finditer(rx, S, ws, we, utf8):
                    if me == ms or (ms, me) in seen:
                        continue
                    seen.add((ms, me))
                    d = int(np.searchsorted(doc_start, ms, side="right") - 1)
                    if me <= doc_end[d]:
                        per_doc.setdefault(d, []).append((unit, 0, ms, me))

        for d in range(len(docs)):
            dh = per_doc.get(d)
            if not dh:
                yield DocMatches(base + d, n_tokens[d], [], [] if raw else None)
                continue
            off = int(doc_start[d])
            spans = self._resolve_near(dh, docs[d], off, starts)
            spans.sort()
            matches = self._select(spans)
            yield DocMatches(base + d, n_tokens[d], matches, spans if raw else None)

    def _resolve_near(self, hits, text: str, off: int, starts) -> list:
        """Turn raw hits into spans ``(unit, start, end)`` in document offsets."""
        out = []
        hits = list(dict.fromkeys(hits))
        near_parts: dict[int, tuple[list, list]] = {}
        for unit, side, s, e in hits:
            if self.units[unit].pattern.kind == "near":
                near_parts.setdefault(unit, ([], []))[side].append((s, e))
            else:
                out.append((unit, s - off, e - off))
        if near_parts:
            sentences = _SentenceIndex(text)
            for unit, (a_hits, b_hits) in near_parts.items():
                if not a_hits or not b_hits:
                    continue
                n = self.units[unit].pattern.distance
                b_hits = sorted(set(b_hits))
                b_tok = [_tok_range(starts, s, e) for s, e in b_hits]
                b_first = [t[0] for t in b_tok]
                for s, e in sorted(set(a_hits)):
                    a0, a1 = _tok_range(starts, s, e)
                    lo = bisect.bisect_left(b_first, a0 - n - 64)
                    hi = bisect.bisect_right(b_first, a1 + n)
                    options = []
                    for j in range(lo, hi):
                        b0, b1 = b_tok[j]
                        if b0 > a1:
                            gap = b0 - a1
                        elif b1 < a0:
                            gap = a0 - b1
                        else:
                            continue  # overlapping
                        if gap <= n:
                            options.append((gap, b_hits[j][0], j))
                    for _gap, _bs, j in sorted(options):
                        bs, be = b_hits[j]
                        span = (min(s, bs) - off, max(e, be) - off)
                        if sentences.same(span[0], span[1]):
                            out.append((unit, span[0], span[1]))
                            break
        return [(u, s, e) for u, s, e in out]

    def _select(self, spans) -> list:
        """Apply excludes and the longest-match rule; spans are (unit, start, end)."""
        by_theme: dict[int, list] = {}
        excl: dict[int, list] = {}
        units = self.units
        for unit, s, e in spans:
            u = units[unit]
            if u.role == "exclude":
                excl.setdefault(u.theme, []).append((s, e))
            else:
                by_theme.setdefault(u.theme, []).append((s, e, unit))
        out = []
        for theme in sorted(by_theme):
            cand = by_theme[theme]
            if theme in excl:
                ex = excl[theme]
                cand = [c for c in cand if not any(c[0] < xe and xs < c[1] for xs, xe in ex)]
            cand.sort(key=lambda c: (c[0], -c[1], c[2]))
            last = -1
            for s, e, unit in cand:
                if s >= last:
                    out.append((theme, unit, s, e))
                    last = e
        return out

    def counts(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(counts, n_tokens)``: an (n_docs, n_themes) int matrix and token counts."""
        n_tok: list[int] = []
        docs: list[int] = []
        themes: list[int] = []
        for dm in self.scan(texts):
            n_tok.append(dm.n_tokens)
            for m in dm.matches:
                docs.append(dm.doc)
                themes.append(m[0])
        mat = np.zeros((len(n_tok), self.n_themes), dtype=np.int64)
        np.add.at(mat, (np.asarray(docs, dtype=np.int64), np.asarray(themes, dtype=np.int64)), 1)
        return mat, np.asarray(n_tok, dtype=np.int64)


def _finditer(rx, S: str, ws: int, we: int, utf8) -> Iterator[tuple[int, int]]:
    """Character spans of ``rx``'s matches in ``S[ws:we]`` (RE2 regexes on the encoded chunk)."""
    if isinstance(rx, RE2Regex):
        data, c2b = utf8
        spans = list(rx.finditer_utf8(data, int(c2b[ws]), int(c2b[we])))
        if spans:
            chars = np.searchsorted(c2b, np.asarray(spans, dtype=np.int64).ravel()).tolist()
            yield from zip(chars[0::2], chars[1::2], strict=True)
        return
    for m in rx.finditer(S, ws, we):
        yield m.start(), m.end()


def _near_filter(cand: np.ndarray, other: np.ndarray, before: int, after: int) -> np.ndarray:
    """Keep candidates with an ``other`` candidate within ``before`` tokens before or ``after`` after."""
    if not len(cand) or not len(other):
        return _EMPTY
    j = np.searchsorted(other, cand - before)
    ok = (j < len(other)) & (other[np.minimum(j, len(other) - 1)] <= cand + after)
    return cand[ok]


_WINDOW = 300


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _literal_windows(S: str, literal) -> list[tuple[int, int]]:
    """Merged windows of +-300 characters around the occurrences of a regex's required literal."""
    text, case, left_b, right_b = literal
    # the literal first, so that re's fast literal search drives the scan
    rx = re.escape(text)
    if left_b:
        rx += r"(?<!\w" + re.escape(text) + ")"
    if right_b:
        rx += r"(?!\w)"
    finder = re.compile(rx, 0 if case else re.IGNORECASE)
    out: list[list[int]] = []
    n = len(S)
    for m in finder.finditer(S):
        ws, we = max(0, m.start() - _WINDOW), min(n, m.end() + _WINDOW)
        if out and ws <= out[-1][1]:
            out[-1][1] = we
        else:
            out.append([ws, we])
    return [(a, b) for a, b in out]


def _required_literal(regex: str):
    """The longest literal every match of ``regex`` contains.

    Returns ``(text, case_sensitive, word_boundary_before, word_boundary_after)`` or
    None. Only literals of the top-level sequence (or of groups that are part of it)
    count, and only those of two characters or more.
    """
    try:
        from re import _constants as C  # noqa: N812
        from re import _parser
    except ImportError:  # pragma: no cover - other Python versions
        return None
    try:
        tree = _parser.parse(regex, re.IGNORECASE)
    except re.error:
        return None
    runs: list[tuple[str, bool, bool, bool]] = []
    cur: list[tuple[str, bool]] = []
    state = {"left": False}

    def flush(right: bool = False):
        if cur:
            piece: list[str] = []
            case = cur[0][1]
            first = True
            for ch, cs in cur:
                if cs != case:
                    runs.append(("".join(piece), case, state["left"] and first, False))
                    piece, case, first = [], cs, False
                piece.append(ch)
            runs.append(("".join(piece), case, state["left"] and first, right))
        cur.clear()
        state["left"] = False

    def walk(seq, ignorecase: bool):
        for op, av in seq:
            if op is C.LITERAL:
                cur.append((chr(av), not ignorecase))
            elif op is C.SUBPATTERN:
                _group, add, dele, sub = av
                ic = (ignorecase or bool(add & re.IGNORECASE)) and not (dele & re.IGNORECASE)
                walk(sub, ic)
            elif op is C.AT:
                if av is C.AT_BOUNDARY:
                    if cur:
                        flush(right=True)
                    state["left"] = True
            else:
                flush()

    walk(tree, True)
    flush()
    best = None
    for text, case, left, right in runs:
        if len(text) < 2:
            continue
        left = left and (text[0].isalnum() or text[0] == "_")
        right = right and (text[-1].isalnum() or text[-1] == "_")
        score = (case, left + right, len(text))
        if best is None or score > best[0]:
            best = (score, (text if case else text.lower(), case, left, right))
    return None if best is None else best[1]


_MAX_REGEX_CHARS = 2000


def _regex_anchors(regex: str):
    """Plan an anchored search for a regex that starts at a word boundary with literal words.

    Returns ``(first, required, max_chars)`` or None: ``first`` is the set of token
    anchors one of which every match starts with; ``required`` lists anchor sets of
    later words every match contains (each preceded by a word boundary); ``max_chars``
    is the longest possible match. None when the regex does not start with ``\\b`` and a
    literal word (or alternatives of them), or when its matches are unbounded or longer
    than 2000 characters: it is then searched in the whole text.
    """
    try:
        from re import _constants as C  # noqa: N812
        from re import _parser
    except ImportError:  # pragma: no cover
        return None
    try:
        tree = _parser.parse(regex, re.IGNORECASE)
        width = tree.getwidth()[1]
    except (re.error, OverflowError):
        return None
    if width <= 0:
        return None
    width = min(width, _MAX_REGEX_CHARS)  # assumed longest match for the required-word filter

    def flat(seq) -> list:
        out = []
        for op, av in seq:
            if op is C.SUBPATTERN:
                out.extend(flat(av[3]))
            else:
                out.append((op, av))
        return out

    def lead(items: list, prefix: str, depth: int = 0):
        if depth > 6:
            return None
        for i, (op, av) in enumerate(items):
            if op is C.LITERAL:
                prefix += chr(av).lower()
                continue
            if op is C.BRANCH:
                out = set()
                for alt in av[1]:
                    got = lead(flat(alt) + items[i + 1 :], prefix, depth + 1)
                    if got is None:
                        return None
                    out |= got
                return out
            if op is C.AT and av is C.AT_BOUNDARY and prefix:
                return word(prefix, True)
            return word(prefix, nonword_next(items, i))
        return word(prefix, True)

    def nonword_char(op, av) -> bool:
        if op is C.LITERAL:
            return not (chr(av).isalnum())
        if op is C.IN:
            for iop, iav in av:
                if iop is C.CATEGORY and iav in (C.CATEGORY_SPACE, C.CATEGORY_NOT_WORD):
                    continue
                if iop is C.LITERAL and not chr(iav).isalnum():
                    continue
                if iop is C.RANGE and not any(chr(c).isalnum() for c in range(iav[0], min(iav[1], 0x3000) + 1)):
                    continue
                return False
            return True
        return False

    def nonword_next(items: list, i: int) -> bool:
        """Whether whatever follows position i cannot start with a word character."""
        if i >= len(items):
            return True
        op, av = items[i]
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, _hi, sub = av
            sub = flat(sub)
            if not sub or not nonword_char(*sub[0]):
                return False
            return True if lo > 0 else nonword_next(items, i + 1)
        return nonword_char(op, av)

    def word(prefix: str, bounded: bool):
        m = TOKEN_RE.match(prefix)
        if not m:
            return None
        w = m.group()
        if len(w) < len(prefix) or bounded:
            return {("tok", w)}
        return {("pre", w)}

    items = flat(tree)
    if not items or items[0] != (C.AT, C.AT_BOUNDARY):
        return None
    first = lead(items[1:], "")
    if not first:
        return None
    required = []
    for i in range(2, len(items)):
        if items[i - 1] == (C.AT, C.AT_BOUNDARY) and items[i][0] in (C.LITERAL, C.BRANCH):
            got = lead(items[i:], "")
            if got and not _is_common(got):
                required.append(frozenset(got))
    return first, required, int(width)


def _trim_end(S: str, start: int, end: int) -> int:
    while end > start and not S[end - 1].isalnum():
        end -= 1
    return end


def _tok_range(starts: np.ndarray, s: int, e: int) -> tuple[int, int]:
    first = int(np.searchsorted(starts, s))
    last = int(np.searchsorted(starts, e, side="left")) - 1
    return first, max(first, last)


class _SentenceIndex:
    """Lazily split a document into paragraphs, and paragraphs into sentences."""

    def __init__(self, text: str):
        self.text = text
        self._paras: list[tuple[int, int]] | None = None
        self._sent: dict[int, list[tuple[int, int]]] = {}

    def same(self, s: int, e: int) -> bool:
        if self._paras is None:
            self._paras = paragraph_spans(self.text)
            self._pstarts = [p[0] for p in self._paras]
        i = bisect.bisect_right(self._pstarts, s) - 1
        if i < 0:
            return False
        ps, pe = self._paras[i]
        if e > pe:
            return False
        if i not in self._sent:
            self._sent[i] = [(a + ps, b + ps) for a, b in sentence_spans(self.text[ps:pe])]
        for a, b in self._sent[i]:
            if a <= s and e <= b:
                return True
        return False
