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
Documents are processed in chunks of about 200,000 characters. Each chunk is turned
into a NumPy array of token bytes once (a table gives every character's byte: 0 outside
tokens, else a lower-case byte), from which come the token boundaries, the number of
tokens per document, and an 8-byte key of every token's first (and last) characters. The
keys of the patterns' anchors are looked up through a bitmap and one sorted array. A
pattern is entered by *routes* (:func:`_routes`): each leading alternative is a route
with its own required words, and a leading very frequent word is skipped (the route
anchors on the next token, ``offset`` 1). All routes are filtered at once: a 64-bit
mask per token tells which groups of required words occur within the route's longest
match from there (an anchored regex's, within its longest match in characters); ``near()`` sides keep the candidates with a candidate of the other side
close enough. Only then does Python try the pattern's compiled regex at each remaining
token. Sentences are split only around a ``near()`` pair that is close enough; exclude
regexes are searched near the theme's matches once those are known.

The per-character and per-token steps (tokens, anchor lookups, the route filter) also
exist compiled, in ``_scan.c`` (built by ``setup.py`` where a C compiler is found; it
releases the GIL): two passes over the characters and one over the tokens instead of a
dozen NumPy passes, with the same arrays as results (``tests/test_themes_scan_ext.py``).
``EXTENSION`` says which path runs; ``DISCOURSE_NO_EXTENSION=1`` turns the compiled one
off. Counts never depend on it.
"""

from __future__ import annotations

import bisect
import functools
import os
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from discourse.text import TOKEN_RE, paragraph_spans, sentence_spans
from discourse.themes._patterns import (
    COMMON,
    Group,
    Pattern,
    RE2Regex,
    Seq,
    Word,
    _can_be_empty,
    _is_common,
    _item_anchors,
    _item_required,
    _parse_token_pattern,
    compile_regex,
    utf8_offsets,
)
from discourse.themes._zh import ZhPatterns, refine
from discourse.themes.dictionary import Dictionary

__all__ = ["Matcher", "DocMatches", "Unit"]

_MASK = (1 << 64) - 1

_SCAN_API = 2  # the API number of _scan.c this module is written for

try:  # the compiled loop (setup.py builds it where a C compiler is found)
    from discourse.themes import _scan
except ImportError:  # pragma: no cover - depends on the build
    _scan = None
if _scan is not None and getattr(_scan, "API", None) != _SCAN_API:  # pragma: no cover - a stale build
    _scan = None
#: Whether the compiled loop (``_scan.c``) runs; False: the NumPy path (same results).
#: ``DISCOURSE_NO_EXTENSION=1`` (or ``true``, ``yes``) in the environment turns it off.
EXTENSION = _scan is not None and os.environ.get("DISCOURSE_NO_EXTENSION", "").strip().lower() not in ("1", "true", "yes")

_SCRATCH = threading.local()  # the compiled loop's working memory, one per thread


def _scratch():
    """This thread's working memory of the compiled loop (freed with the thread)."""
    s = getattr(_SCRATCH, "memory", None)
    if s is None:
        s = _SCRATCH.memory = _scan.new_scratch()
    return s


CHUNK_CHARS = 200_000  # measured best: the arrays of a chunk stay in cache, and malloc reuses them (1 MB: 2x slower)


def _tables_of(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Token byte (0 = not a token character) and lower-case byte of the code points ``cps``.

    ``cps`` are sorted code points without the surrogates. The byte is the lower-case code
    point for Latin-1 and a folded value (never 0) beyond; a collision only lets a
    non-matching token reach the exact regex check. Astral characters keep their code point
    as "lower case". Whether a character is a token character does not depend on its
    neighbours (``TOKEN_CHAR`` is one character), so any range gives the values the full
    table has.
    """
    chars = cps.tobytes().decode("utf-32-le")
    flags = np.zeros(len(chars), dtype=np.int8)
    for m in TOKEN_RE.finditer(chars):  # runs of token characters
        flags[m.start() : m.end()] = 1
    low = cps.astype(np.int64)
    bmp = int(np.searchsorted(cps, 0x10000))
    low[:bmp] = np.fromiter((ord(ch.lower()[0]) for ch in chars[:bmp]), dtype=np.int64, count=bmp)
    lower8 = np.where(low < 256, low, (low - 1) % 255 + 1).astype(np.uint8)
    return np.where(flags == 1, lower8, 0).astype(np.uint8), lower8


def _surrogate_fill(comb: np.ndarray, lower8: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables of ``size`` code points from those of every code point below ``size`` but the
    surrogates (token byte 0; lower-case byte: the folded code point)."""
    cps = np.arange(size, dtype=np.int64)
    keep = (cps < 0xD800) | (cps >= 0xE000)
    full_comb = np.zeros(size, dtype=np.uint8)
    full_comb[keep] = comb
    full_low = np.where(cps < 256, cps, (cps - 1) % 255 + 1).astype(np.uint8)
    full_low[keep] = lower8
    return full_comb, full_low


@functools.lru_cache(maxsize=1)
def _bmp_tables() -> tuple[np.ndarray, np.ndarray]:
    """:func:`_char_tables` for the 65,536 code points of the BMP only (built in a
    twentieth of the time: what text without astral characters needs)."""
    cps = np.arange(0x10000, dtype=np.uint32)
    cps = cps[(cps < 0xD800) | (cps >= 0xE000)]
    return _surrogate_fill(*_tables_of(cps), 0x10000)


@functools.lru_cache(maxsize=1)
def _char_tables() -> tuple[np.ndarray, np.ndarray]:
    """For every code point: its token byte (0 = not a token character) and lower-case byte.

    The byte is the lower-case code point for Latin-1 and a folded value (never 0)
    beyond; a collision only lets a non-matching token reach the exact regex check.
    Built only when a text has an astral character (:func:`_bmp_tables` otherwise).
    """
    cps = np.arange(0x10000, 0x110000, dtype=np.uint32)
    comb_hi, low_hi = _tables_of(cps)
    comb_lo, low_lo = _bmp_tables()
    return np.concatenate([comb_lo, comb_hi]), np.concatenate([low_lo, low_hi])


@functools.lru_cache(maxsize=1)
def _char_table16() -> np.ndarray:
    """The token bytes of the 65,536 UTF-16 code units (surrogates: 0, see :func:`_token_bytes`)."""
    return np.ascontiguousarray(_bmp_tables()[0])


@functools.lru_cache(maxsize=1)
def _lower16() -> bytes:
    """The lower-case bytes of the BMP as ``bytes`` (indexing gives an int: fast in Python)."""
    return _bmp_tables()[1].tobytes()


_PAD = 8  # zero bytes before and after a chunk's token bytes (8-byte keys never read outside)


_HAN_FIRST = 0x3007  # the first Han character (discourse.text.HAN_CHAR): no code unit below it is one


def _token_bytes(S: str) -> tuple[np.ndarray, np.ndarray | None]:
    """The token byte of every character of ``S``, with ``_PAD`` zeros on each side, and
    the code unit of every character (None when ``S`` has an astral character).

    The code units are ``S``'s bytes (``np.uint8``) when it is ASCII, its UTF-16 code units
    and a 64 KB table when it has no astral character (one code unit per character, the
    common case); UTF-32 and the full table otherwise.
    """
    n = len(S)
    b = np.zeros(n + 2 * _PAD, dtype=np.uint8)
    if S.isascii():
        units = np.frombuffer(S.encode("ascii"), dtype=np.uint8)
        np.take(_char_table16(), units, out=b[_PAD : _PAD + n])
        return b, units
    units = np.frombuffer(S.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    if len(units) == n:
        np.take(_char_table16(), units, out=b[_PAD : _PAD + n])
        return b, units
    codes = np.frombuffer(S.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    np.take(_char_tables()[0], codes, out=b[_PAD : _PAD + n])
    return b, None


def _may_hold_han(units: np.ndarray | None) -> bool:
    """Whether a text with these code units (:func:`_token_bytes`) may hold a Han character."""
    if units is None:
        return True
    return units.dtype != np.uint8 and bool(units.max() >= _HAN_FIRST)


_PREFIX_LENGTHS = (1, 2, 3, 5, 8)  # prefixes are looked up at these lengths (fewer passes)
_LIVE = np.array([(1 << (8 * k)) - 1 for k in range(9)], dtype=np.uint64)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)
_M3 = np.uint64(0xFF51AFD7ED558CCD)  # mixes a key before its top bits index the bitmap


def _pack(s: str) -> int:
    """The 8-byte key of the first (up to) 8 characters of ``s``, as the scanner computes it."""
    low16 = _lower16()
    key = 0
    for j, ch in enumerate(s[:8]):
        c = ord(ch)
        key |= (low16[c] if c < 0x10000 else int(_char_tables()[1][c])) << (8 * j)
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


def _mix(key: int, salt: int) -> int:
    """The hash under which an anchor is looked up: its 8-byte key mixed with a salt.

    The salt is the token's length for a whole-token anchor and tells prefixes and
    suffixes of each length apart; the top bits of the hash index the bitmap.
    """
    return (key * int(_M1) + salt * int(_M2)) & _MASK


_PRE_SALT = 1 << 32  # + k: a prefix of k characters (a token's length is never that large)
_SUF_SALT = 2 << 32  # + k: a suffix of k characters


@dataclass
class _Probe:
    """One pattern (or one side of a ``near()``), its regex tried where a route leads."""

    unit: int
    side: int
    rx: re.Pattern
    max_tokens: int
    max_chars: int = 0  # for anchored regexes: the longest match, in characters
    # ways into a match (see _routes): (anchor ids of the token at offset, offset,
    # anchor id groups of later tokens a match must contain, anchor ids of the first
    # token or ()); none: searched everywhere
    routes: tuple = ()


_EMPTY = np.zeros(0, dtype=np.int64)


def _csr(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and flat values of a list of int lists (compressed sparse rows)."""
    ptr = np.zeros(len(lists) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(x) for x in lists])
    flat = np.array([v for x in lists for v in x], dtype=np.int64)
    return ptr, flat


def _unique(a: np.ndarray) -> np.ndarray:
    """Sorted unique values (``np.unique`` is several times slower on these arrays)."""
    a = np.sort(a)
    if len(a) > 1:
        a = a[np.concatenate(([True], a[1:] != a[:-1]))]
    return a


def _expand(ptr: np.ndarray, flat: np.ndarray, rows: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every ``i``, the values of row ``rows[i]``: ``(keys[i], value)`` pairs."""
    cnt = ptr.take(rows + 1) - ptr.take(rows)
    # value j of the output is flat[ptr[rows[i]] + (j - where row i's run starts)]
    shift = ptr.take(rows) - (np.cumsum(cnt) - cnt)
    at = np.repeat(shift, cnt) + np.arange(int(cnt.sum()))
    return np.repeat(keys, cnt), flat.take(at)


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
        self._hash_ids: dict[int, int] = {}  # lookup hash -> anchor id
        self._pre_lengths: set[int] = set()
        self._pre3: set[int] | None = set()  # keys of the prefix anchors' first 3 characters (None: one is shorter)
        self._suf_lengths: set[int] = set()
        for ti, theme in enumerate(dictionary.themes):
            for role, pats in theme.pattern_lists():  # its own language's, then other sections'
                for pi, p in enumerate(pats):
                    u = Unit(len(self.units), ti, role, pi, p)
                    self.units.append(u)
                    self._add_unit(u)
        self._build_tables()
        # Chinese patterns are matched on segmented words by discourse.themes._zh
        self.zh_patterns = ZhPatterns((u.index, u.pattern) for u in self.units if u.pattern.kind == "zh")

    def __getstate__(self) -> dict:
        """Pickling leaves out the compiled loop's copies of the tables (made again when used)."""
        state = self.__dict__.copy()
        state["_compiled_anchors"] = state["_compiled_routes"] = None
        return state

    # -- compilation -----------------------------------------------------------------
    def _anchor(self, kind: str, text: str) -> int:
        if kind == "tok":
            k = 0
            h = _tok_key(text)
        else:
            k = max(b for b in _PREFIX_LENGTHS if b <= len(text))
            key = text[:k] if kind == "pre" else text[-k:][::-1]
            (self._pre_lengths if kind == "pre" else self._suf_lengths).add(k)
            if kind == "pre" and self._pre3 is not None:
                if k >= 3:
                    self._pre3.add(_pack(text[:3]))
                else:
                    self._pre3 = None
            h = _mix(_pack(key), (_PRE_SALT if kind == "pre" else _SUF_SALT) + k)
        ident = (kind, k, h)
        if ident not in self._anchor_ids:
            if h in self._hash_ids:  # two anchors, one 64-bit hash: never seen, but never silent
                raise RuntimeError(f"hash collision between anchors {ident} and another one; please report it")
            self._anchor_ids[ident] = self._hash_ids[h] = len(self._anchor_ids)
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
            first_ids = tuple(sorted({self._anchor(k, t) for k, t in first}))
            required_ids = tuple(tuple(sorted({self._anchor(k, t) for k, t in req})) for req in required)
            self.probes.append(_Probe(u.index, 0, rx, 0, max_chars, ((first_ids, 0, required_ids, ()),)))
            return
        parts = p.parts if p.kind == "near" else (p,)
        for side, part in enumerate(parts):
            rx = re.compile(part.regex, re.IGNORECASE)
            if not part.anchors:
                self.scan_probes.append(len(self.probes))
                self.probes.append(_Probe(u.index, side, rx, part.max_tokens))
                continue
            routes = tuple(
                (
                    tuple(sorted({self._anchor(k, t) for k, t in anchors})),
                    offset,
                    # a later token narrows the candidates only if none of its words is common
                    tuple(tuple(sorted({self._anchor(k, t) for k, t in g})) for g in req if not _is_common(g)),
                    tuple(sorted({self._anchor(k, t) for k, t in lead})),
                )
                for anchors, offset, req, lead in _routes(part)
            )
            self.probes.append(_Probe(u.index, side, rx, part.max_tokens, 0, routes))

    def _build_tables(self) -> None:
        """The arrays the scanner works with (see "How it is fast" in the module docstring).

        * one sorted array of the anchors' hashes, their ids, and a bitmap of the hashes'
          top bits that rejects almost every token with one lookup;
        * anchor -> routes it leads into (``_first``, see :func:`_routes`), as compressed
          sparse rows; route -> its probe and its offset;
        * a bit per group of required words (64 bits, shared when there are more groups):
          the groups an anchor belongs to (``_anchor_bits``), and those a route requires;
        * per probe: the token window of its required words, its longest regex match,
          and for a side of ``near()`` the other side and how far it may be.
        """
        n_anchors = len(self._anchor_ids)
        hashes = sorted(self._hash_ids)
        self._keys = np.array(hashes, dtype=np.uint64)
        self._ids = np.array([self._hash_ids[h] for h in hashes], dtype=np.int64)
        self._bits = max(16, min(20, 6 + n_anchors.bit_length()))  # ~1/64 of the slots set; 64 KB stay in cache
        self._bitmap = np.zeros(1 << self._bits, dtype=bool)
        if len(self._keys):
            self._bitmap[self._keys >> np.uint64(64 - self._bits)] = True
        self._compiled_anchors = self._compiled_routes = None  # _scan.c's copies, made when first used
        # for the compiled loop: the lengths as bytes, and an open-addressing table of the
        # anchors' hashes (index into _keys; linear probing from the top bits; at most
        # half full, so that a miss ends at an empty slot after a probe or two)
        self._pre_sorted = bytes(sorted(self._pre_lengths))
        self._suf_sorted = bytes(sorted(self._suf_lengths))
        self._slot_bits = max(self._bits, (2 * len(hashes)).bit_length())
        self._slots = np.full(1 << self._slot_bits, -1, dtype=np.int32)
        mask = (1 << self._slot_bits) - 1
        for k, h in enumerate(hashes):
            at = h >> (64 - self._slot_bits)
            while self._slots[at] >= 0:
                at = (at + 1) & mask
            self._slots[at] = k
        # the tokens whose first 3 characters start a prefix anchor (7% of the UN speeches'
        # tokens): the prefix keys are computed for those only
        self._pre3_bitmap = None
        if self._pre_lengths and self._pre3 is not None:
            self._pre3_bitmap = np.zeros(1 << 16, dtype=bool)
            for key in self._pre3:
                self._pre3_bitmap[((key * int(_M3)) & _MASK) >> 48] = True
        first: list[list[int]] = [[] for _ in range(n_anchors)]
        group_ids: dict[tuple[int, ...], int] = {}  # one id per distinct group of required words
        route_bits: list[int] = []
        route_lead: list[int] = []
        route_probe: list[int] = []
        route_offset: list[int] = []
        route_level: list[int] = []  # the route's required words lie within 2**level tokens
        # an anchored regex's required words: each group must start a token within the
        # regex's longest match (at most 2,000 characters) from the candidate; a bit per
        # group (shared beyond 64) in a mask of their own, checked on the few candidates
        rx_group_ids: dict[tuple[int, ...], int] = {}
        rx_need = [0] * len(self.probes)
        for i, pr in enumerate(self.probes):
            for anchors, offset, required, lead in pr.routes:
                for a in anchors:
                    first[a].append(len(route_probe))
                bits = 0
                if not pr.max_chars:  # a regex's required words may be far: filtered on below
                    for g in required:
                        bits |= 1 << (group_ids.setdefault(g, len(group_ids)) % 64)
                else:
                    for g in required:
                        rx_need[i] |= 1 << (rx_group_ids.setdefault(g, len(rx_group_ids)) % 64)
                route_bits.append(bits)
                route_lead.append(1 << (group_ids.setdefault(lead, len(group_ids)) % 64) if lead else 0)
                route_probe.append(i)
                route_offset.append(offset)
                route_level.append(0 if pr.max_chars else max(0, pr.max_tokens - 1).bit_length())
        anchor_bits = [0] * n_anchors
        for g, gid in group_ids.items():
            for a in g:
                anchor_bits[a] |= 1 << (gid % 64)
        self._first = _csr(first)
        self._anchor_bits = np.array(anchor_bits, dtype=np.uint64)
        self._route_bits = np.array(route_bits, dtype=np.uint64)
        self._route_lead = np.array(route_lead, dtype=np.uint64)
        self._route_probe = np.array(route_probe, dtype=np.int64)
        self._route_offset = np.array(route_offset, dtype=np.int64)
        rx_anchor_bits = [0] * n_anchors
        for g, gid in rx_group_ids.items():
            for a in g:
                rx_anchor_bits[a] |= 1 << (gid % 64)
        self._rx_anchor_bits = np.array(rx_anchor_bits, dtype=np.uint64)
        self._rx_need = np.array(rx_need, dtype=np.uint64)
        self._rx_reach = np.array([pr.max_chars for pr in self.probes], dtype=np.int64)
        # required words are looked for in the 2**k tokens from a candidate (2**k >= longest match)
        longest = max((pr.max_tokens for pr in self.probes if pr.routes and not pr.max_chars), default=1)
        self._reach = 1 << max(0, longest - 1).bit_length()
        self._route_level = np.array(route_level, dtype=np.int64)
        # near(): a candidate of one side needs one of the other side within
        # [t - before, t + after] tokens (sides searched everywhere are not filtered)
        self._partner = np.full(len(self.probes), -1, dtype=np.int64)
        self._before = np.zeros(len(self.probes), dtype=np.int64)
        self._after = np.zeros(len(self.probes), dtype=np.int64)
        sides: dict[int, list] = {}
        for i, pr in enumerate(self.probes):
            if self.units[pr.unit].pattern.kind == "near":
                sides.setdefault(pr.unit, [None, None])[pr.side] = i
        scan = set(self.scan_probes)
        for unit, (ia, ib) in sides.items():
            if ia in scan or ib in scan:
                continue
            n = self.units[unit].pattern.distance
            la, lb = self.probes[ia].max_tokens, self.probes[ib].max_tokens
            self._partner[[ia, ib]] = [ib, ia]
            self._before[[ia, ib]] = [n + lb, n + la]
            self._after[[ia, ib]] = [n + la, n + lb]

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
                han = [True]  # set to False by _scan_chunk when the chunk holds no Han character
                yield from refine(self, self._scan_chunk(buf, base, raw, han), buf, base, raw, han)
                base += len(buf)
                buf, size = [], 0
        if buf:
            han = [True]
            yield from refine(self, self._scan_chunk(buf, base, raw, han), buf, base, raw, han)

    def _anchor_hits(self, b: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (token index, anchor id) where a token is, starts with or ends with an anchor.

        ``b`` is the chunk's token bytes from :func:`_token_bytes`; ``starts`` and
        ``ends`` the tokens' offsets in the chunk. Each token's first (and last) 8
        bytes are read as one little-endian integer through an unaligned view of ``b``.
        """
        n = len(starts)
        if not n or not len(self._keys):
            return _EMPTY, _EMPTY
        words = np.ndarray((len(b) - 7,), dtype="<u8", buffer=b, strides=(1,))  # words[i] = b[i:i+8]
        lengths = ends - starts
        live = _LIVE.take(np.minimum(lengths, 8))  # byte mask of the token's first (last) <= 8 chars
        shift = np.uint64(64 - self._bits)
        bitmap = self._bitmap
        hits, hashes = [], []

        def probe(q: np.ndarray, tokens: np.ndarray | None = None) -> None:
            """Keep the tokens whose hash ``q`` may be an anchor's (bitmap); ``tokens``: the
            token of each hash when not every token has one."""
            hit = np.flatnonzero(bitmap.take((q >> shift).view(np.int64)))
            if len(hit):
                hits.append(hit if tokens is None else tokens.take(hit))
                hashes.append(q.take(hit))

        with np.errstate(over="ignore"):
            head = words.take(starts + _PAD) & live  # .take: several times faster than [] on this view
            probe(head * _M1 + lengths.astype(np.uint64) * _M2)
            if self._pre_lengths:
                sub = None
                if self._pre3_bitmap is not None:  # only tokens starting like a prefix anchor
                    sub = np.flatnonzero(self._pre3_bitmap.take((((head & _LIVE[3]) * _M3) >> np.uint64(48)).view(np.int64)))
                pre_head = head if sub is None else head.take(sub)
                for k in sorted(self._pre_lengths):
                    probe((pre_head & _LIVE[k]) * _M1 + np.uint64(_PRE_SALT + k) * _M2, sub)
            if self._suf_lengths:
                tail = words.take(ends + _PAD - 8).byteswap() & live  # last 8 bytes, last first
                for k in sorted(self._suf_lengths):
                    probe((tail & _LIVE[k]) * _M1 + np.uint64(_SUF_SALT + k) * _M2)
        if not hits:
            return _EMPTY, _EMPTY
        hit = hits[0] if len(hits) == 1 else np.concatenate(hits)
        h = hashes[0] if len(hashes) == 1 else np.concatenate(hashes)
        pos = np.minimum(np.searchsorted(self._keys, h), len(self._keys) - 1)
        ok = self._keys.take(pos) == h
        return hit[ok], self._ids.take(pos[ok])

    def _compiled_scan(self, S: str) -> tuple:
        """Token starts and ends, anchor hits (token, anchor id) and code units of a chunk,
        from the compiled loop (``_scan.c``): the arrays of :func:`_token_bytes` (code
        units: one byte per character for a Latin-1 text, the same values), the edge
        detection and :meth:`_anchor_hits`, in one pass."""
        if self._compiled_anchors is None:  # checked and copied once
            self._compiled_anchors = _scan.anchors(
                _char_table16(), self._keys, self._ids, self._slot_bits, self._slots,
                self._pre_sorted, self._pre3_bitmap, self._suf_sorted)
        r = _scan.scan(_scratch(), self._compiled_anchors, S, None)
        if r is None:  # an astral character: the full table is needed
            r = _scan.scan(_scratch(), self._compiled_anchors, S, _char_tables()[0])
        starts, ends, tok, anchor, units, kind = r
        if units is not None:
            units = np.frombuffer(units, dtype=np.uint8 if kind == 1 else np.uint16)
        if not len(tok):
            tok = anchor = _EMPTY
        else:
            tok, anchor = np.frombuffer(tok, dtype=np.int64), np.frombuffer(anchor, dtype=np.int64)
        return np.frombuffer(starts, dtype=np.int64), np.frombuffer(ends, dtype=np.int64), tok, anchor, units

    def _candidates(self, tok: np.ndarray, anchor: np.ndarray, starts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The (probe, token) pairs worth a regex check, sorted by probe then token.

        A pair is a token where a route of the probe leads (its anchor is ``offset``
        tokens further), with the groups of the route's required words present within the
        longest match from there (checked on a 64-bit mask of groups: a shared bit only
        lets more pairs through), and, for a side of ``near()``, a candidate of the other
        side close enough.
        """
        if not len(tok):
            return _EMPTY, _EMPTY
        nt = len(starts) + 1  # pair key: probe * nt + token
        if EXTENSION:  # the same keys, from the compiled loop
            if self._compiled_routes is None:  # checked and copied once
                self._compiled_routes = _scan.routes(
                    *self._first, self._route_offset, self._route_bits, self._route_lead,
                    self._route_level, self._route_probe, self._anchor_bits, self._reach)
            key = np.frombuffer(_scan.candidates(_scratch(), self._compiled_routes, tok, anchor, nt), dtype=np.int64)
        else:
            key = self._candidate_keys(tok, anchor, nt)
        p, t = np.divmod(key, nt)
        partner = self._partner.take(p)
        near = np.flatnonzero(partner >= 0)
        if len(near):
            q, tn, pn = partner[near], t[near], p[near]
            lo = q * nt + np.maximum(tn - self._before.take(pn), 0)
            hi = q * nt + np.minimum(tn + self._after.take(pn), nt - 1)
            j = np.searchsorted(key, lo)
            ok = (j < len(key)) & (key.take(np.minimum(j, len(key) - 1)) <= hi)
            keep = np.ones(len(key), dtype=bool)
            keep[near[~ok]] = False
            p, t = p[keep], t[keep]
        if len(p) and self._rx_need.any():
            p, t = self._regex_required(p, t, tok, anchor, starts)
        return p, t

    def _candidate_keys(self, tok: np.ndarray, anchor: np.ndarray, nt: int) -> np.ndarray:
        """The sorted distinct keys ``probe * nt + token`` of the routes' candidates whose
        lead and required words are there (NumPy; ``_scan.candidates`` is the compiled one)."""
        t, route = _expand(*self._first, anchor, tok)
        t = t - self._route_offset.take(route)  # where a match would start
        if self._route_offset.any():
            inside = t >= 0
            route, t = route[inside], t[inside]
        need, lead = self._route_bits.take(route), self._route_lead.take(route)
        if need.any() or lead.any():
            # the groups of required words present in each token (the lead words are
            # checked there), then in the tokens a match starting there can reach: OR
            # over 1, 2, 4, ... tokens, each width kept (row i: 2**i tokens), and each
            # route checked over the width of its own longest match (not the longest of all)
            size = nt + self._reach
            levels = self._reach.bit_length()  # rows: widths 1 .. reach
            here = np.zeros((levels, size), dtype=np.uint64)
            np.bitwise_or.at(here[0], tok, self._anchor_bits.take(anchor))
            ok = (here[0].take(t) & lead) == lead
            width = 1
            for i in range(1, levels):
                np.bitwise_or(here[i - 1, :-width], here[i - 1, width:], out=here[i, :-width])
                here[i, -width:] = here[i - 1, -width:]
                width *= 2
            ok &= (here.ravel().take(self._route_level.take(route) * size + t) & need) == need
            route, t = route[ok], t[ok]
        return _unique(self._route_probe.take(route) * nt + t)

    def _regex_required(self, p, t, tok, anchor, starts) -> tuple[np.ndarray, np.ndarray]:
        """Keep the candidates of anchored regexes whose required words all start a token
        within the regex's longest match from the candidate (``_rx_need``; see
        :func:`_regex_anchors`); other candidates pass."""
        need = self._rx_need.take(p)
        sel = np.flatnonzero(need)
        if not len(sel):
            return p, t
        need = need[sel]
        hit_bits = self._rx_anchor_bits.take(anchor)
        has = np.flatnonzero(hit_bits)
        hit_tok, hit_bits = tok[has], hit_bits[has]
        first = t[sel]
        # tokens [first, last) start before the end of the longest match from the candidate
        last = np.searchsorted(starts, starts.take(first) + self._rx_reach.take(p[sel]), side="left")
        ok = np.ones(len(sel), dtype=bool)
        wanted = int(np.bitwise_or.reduce(need))
        while wanted:
            bit = wanted & -wanted
            wanted ^= bit
            b = np.uint64(bit)
            rows = np.flatnonzero(need & b)
            where = np.sort(hit_tok[(hit_bits & b) != 0])
            ok[rows] &= np.searchsorted(where, first[rows]) < np.searchsorted(where, last[rows])
        keep = np.ones(len(p), dtype=bool)
        keep[sel[~ok]] = False
        return p[keep], t[keep]

    def _scan_chunk(self, docs: list[str], base: int, raw: bool, han: list | None = None) -> Iterator[DocMatches]:
        """Match the documents of one chunk; ``han[0]`` becomes False (before the first
        document is yielded) when the chunk holds no Han character."""
        S = "\n".join(docs)
        n_chars = len(S)
        doc_start = np.zeros(len(docs), dtype=np.int64)
        if len(docs) > 1:
            doc_start[1:] = np.cumsum(np.fromiter((len(d) + 1 for d in docs[:-1]), dtype=np.int64, count=len(docs) - 1))
        doc_end = doc_start + np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        if EXTENSION:
            starts, ends, tok, anchor, code_units = self._compiled_scan(S)
        else:
            b, code_units = _token_bytes(S)
        if han is not None:
            han[0] = _may_hold_han(code_units)
        utf8 = None  # (bytes, character -> byte offsets) for the RE2 regexes, made once
        if any(isinstance(rx, RE2Regex) for _u, rx, _l in self.regex_units):
            codes = np.frombuffer(S.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            utf8 = (S.encode("utf-8", "surrogatepass"), utf8_offsets(codes))
            del codes
        if not EXTENSION:
            is_tok = b != 0
            edges = np.flatnonzero(is_tok[1:] != is_tok[:-1])  # alternately a token's start and end
            del is_tok
            starts = edges[0::2] - (_PAD - 1)
            ends = edges[1::2] - (_PAD - 1)
            del edges
            tok, anchor = self._anchor_hits(b, starts, ends)
            del b
        n_tokens = (np.searchsorted(starts, doc_end) - np.searchsorted(starts, doc_start)).tolist()
        cand_probe, cand_tok = self._candidates(tok, anchor, starts)

        per_doc: dict[int, list] = {}  # document -> hits (unit, side, start, end), chunk offsets
        if len(cand_probe):
            pos = starts.take(cand_tok)
            dix = np.searchsorted(doc_start, pos, side="right") - 1
            cut = (np.flatnonzero(np.diff(cand_probe)) + 1).tolist()
            pos, dix, dend = pos.tolist(), dix.tolist(), doc_end.take(dix).tolist()
            for i0, i1 in zip([0, *cut], [*cut, len(pos)], strict=True):
                probe = self.probes[int(cand_probe[i0])]
                rx, unit, side, trim = probe.rx, probe.unit, probe.side, not probe.max_chars
                for i in range(i0, i1):
                    p = pos[i]
                    m = rx.match(S, p, dend[i])
                    if m is not None and m.end() > p:
                        end = _trim_end(S, p, m.end()) if trim else m.end()
                        per_doc.setdefault(dix[i], []).append((unit, side, p, end))
        for i in self.scan_probes:
            probe = self.probes[i]
            for m in probe.rx.finditer(S):
                d = int(np.searchsorted(doc_start, m.start(), side="right") - 1)
                if m.end() <= doc_end[d]:
                    per_doc.setdefault(d, []).append((probe.unit, probe.side, m.start(), _trim_end(S, m.start(), m.end())))
        units = self.units
        # an exclude regex only matters where it can overlap a match of its theme: it is
        # searched after the other patterns, near their matches (all of the text for raw)
        later = [ru for ru in self.regex_units if units[ru[0]].role == "exclude" and not raw]
        window_cache: dict = {}
        for unit, rx, literal in self.regex_units:
            if units[unit].role == "exclude" and not raw:
                continue
            if literal is not None:
                wkey = (literal[0], literal[1], False, literal[3])  # shared by regexes with one literal
                if wkey not in window_cache:
                    window_cache[wkey] = _literal_windows(S, wkey, code_units)
                windows = window_cache[wkey]
            else:
                windows = [(0, n_chars)]
            for ms, me in self._regex_hits(rx, S, windows, utf8):
                d = int(np.searchsorted(doc_start, ms, side="right") - 1)
                if me <= doc_end[d]:
                    per_doc.setdefault(d, []).append((unit, 0, ms, me))

        resolved: dict[int, list] = {}  # document -> spans (unit, start, end), document offsets
        theme_windows: dict[int, list] = {}
        for d, dh in per_doc.items():
            off, ds, de = int(doc_start[d]), int(doc_start[d]), int(doc_end[d])
            spans = resolved[d] = self._resolve_near(dh, docs[d], off, starts)
            if later:
                for unit, s, e in spans:
                    u = units[unit]
                    if u.role == "pattern":
                        theme_windows.setdefault(u.theme, []).append((max(ds, s + off - _WINDOW), min(de, e + off + _WINDOW)))
        for unit, rx, _literal in later:
            for ms, me in self._regex_hits(rx, S, _merge(theme_windows.get(units[unit].theme, [])), utf8):
                d = int(np.searchsorted(doc_start, ms, side="right") - 1)
                if me <= doc_end[d]:
                    off = int(doc_start[d])
                    resolved.setdefault(d, []).append((unit, ms - off, me - off))

        for d in range(len(docs)):
            spans = resolved.get(d)
            if not spans:
                yield DocMatches(base + d, n_tokens[d], [], [] if raw else None)
                continue
            spans.sort()
            matches = self._select(spans)
            yield DocMatches(base + d, n_tokens[d], matches, spans if raw else None)

    @staticmethod
    def _regex_hits(rx, S: str, windows, utf8) -> list[tuple[int, int]]:
        """Non-empty matches of ``rx`` in the windows of ``S``, each once."""
        seen: dict[tuple[int, int], None] = {}
        for ws, we in windows:
            for span in _finditer(rx, S, ws, we, utf8):
                if span[1] > span[0]:
                    seen[span] = None
        return list(seen)

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


_MAX_ROUTES = 64


def _routes(part: Pattern) -> list[tuple[frozenset, int, tuple[frozenset, ...], frozenset]]:
    """Ways into a phrase pattern's matches: ``(anchors, offset, required words, lead)``.

    Every match starting at token ``t`` is found by one of the routes: a token
    ``t + offset`` has one of the route's anchors, each required group has a token
    among the match's, and token ``t`` has one of the ``lead`` anchors (if any). The pattern's leading alternatives are split (each gets its
    own required words, so "(developing countries|the global south)" requires
    "global" and "south" where it starts with "the"), and a leading common word is
    skipped (the route anchors on the next token with offset 1): the common words
    ("the", "to", ...) would otherwise make a candidate of most tokens. Falls back to
    the pattern's own anchors and required words when the split is not simple.
    """
    whole = [(part.anchors, 0, tuple(part.required), frozenset())]
    try:
        seq = _parse_token_pattern(part.text)
    except Exception:  # noqa: BLE001 - the pattern compiled once; any doubt keeps the safe plan
        return whole
    got = _seq_routes(seq, 0)
    if not got:
        return whole
    return list(dict.fromkeys((a, off, tuple(dict.fromkeys(req)), lead) for a, off, req, lead in got))


def _seq_routes(seq: Seq, depth: int) -> list | None:
    items, glued = seq.items, seq.glued
    if not items or depth > 8:
        return None
    head = items[0]
    nxt_glued = len(items) > 1 and glued[1]
    if isinstance(head, Group):
        if nxt_glued:
            return None
        out = []
        rest = Seq(items[1:], (False, *glued[2:])) if len(items) > 1 else None
        if head.optional:
            if rest is None:
                return None
            sub = _seq_routes(rest, depth + 1)
            if sub is None:
                return None
            out.extend(sub)
        for o in head.options:
            if len(items) > 1:
                joined = Seq(o.items + items[1:], o.glued + (False, *glued[2:]))
            else:
                joined = o
            sub = _seq_routes(joined, depth + 1)
            if sub is None:
                return None
            out.extend(sub)
            if len(out) > _MAX_ROUTES:
                return None
        return out
    if not isinstance(head, Word):
        return None
    if not nxt_glued and not head.is_glob and len(items) > 1 and _is_common({("tok", head.text)}):
        sub = _seq_routes(Seq(items[1:], (False, *glued[2:])), depth + 1)
        if sub is not None:
            # a short word that is not one of the very frequent ones ("e" in "e government")
            # is still checked where the match starts
            lead = frozenset() if head.text in COMMON else frozenset({("tok", head.text)})
            return [(a, off + 1, req, lead) for a, off, req, _lead in sub]
    anchors = _item_anchors(head, nxt_glued)
    if not anchors:
        return None
    required = []
    for j, item in enumerate(items):
        if j == 0 or (isinstance(item, Group) and (item.optional or any(_can_be_empty(o) for o in item.options))):
            continue
        if glued[j] or (j + 1 < len(items) and glued[j + 1]):
            continue
        req = _item_required(item)
        if req:
            required.append(frozenset(req))
    return [(frozenset(anchors), 0, tuple(required), frozenset())]


_WINDOW = 300


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _literal_windows(S: str, literal, units: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Merged windows of +-300 characters around the occurrences of a regex's required literal.

    ``units`` (optional): the code unit of every character of ``S`` (:func:`_token_bytes`);
    a case-sensitive literal is then first looked for in them with NumPy (its first two
    characters; several times faster than ``re``'s search) and each place confirmed by
    the same regex, giving exactly the occurrences ``re.finditer`` gives.
    """
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
    for start, end in _literal_spans(S, text, case, finder, units):
        ws, we = max(0, start - _WINDOW), min(n, end + _WINDOW)
        if out and ws <= out[-1][1]:
            out[-1][1] = we
        else:
            out.append([ws, we])
    return [(a, b) for a, b in out]


def _literal_spans(S: str, text: str, case: bool, finder: re.Pattern, units) -> Iterator[tuple[int, int]]:
    """The spans ``finder.finditer(S)`` gives; ``finder`` starts with the literal ``text``."""
    top = 0xFF if units is not None and units.dtype == np.uint8 else 0xFFFF
    if units is None or not case or len(text) < 2 or max(map(ord, text[:2])) > top:
        for m in finder.finditer(S):
            yield m.span()
        return
    c0, c1 = ord(text[0]), ord(text[1])
    at = np.flatnonzero(units[:-1] == c0)  # the first character, then the second where it is
    at = at[units.take(at + 1) == c1].tolist()
    last = 0
    for p in at:  # finditer's matches: the leftmost, then on from its end
        if p < last:
            continue
        m = finder.match(S, p)
        if m is not None:
            yield m.span()
            last = m.end()


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
