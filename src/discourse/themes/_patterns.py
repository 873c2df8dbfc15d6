"""The pattern language of theme dictionaries: parsing, regex compilation and anchors.

Private to :mod:`discourse.themes`; the language itself is documented in
``docs/dictionaries.md`` and in :mod:`discourse.themes.matcher`.

A pattern is one of

* a *token pattern*: words (tokens of :func:`discourse.text.tokenize`, case-insensitive),
  ``*`` globs inside a word, groups of alternatives ``(a|b c|d)`` (each alternative may
  be a phrase, groups nest), optional groups ``(...)?``; consecutive words must be
  consecutive tokens (anything that is not a letter or digit separates them, so
  ``e-government`` == ``e government``); a group written against a word with no
  separator (``communication(s)?``) continues the same token;
* ``near(A, B, n)``: token patterns A and B within ``n`` tokens of each other, either
  order, in one sentence;
* ``re:REGEX``: a regular expression searched in the original text, case-insensitive
  unless the regex says ``(?-i:...)``. Regexes of users' dictionaries and queries run on
  RE2 (``google-re2``), whose time grows linearly with the text whatever the regex; a
  construct RE2 lacks (lookarounds, backreferences, atomic groups, possessive
  quantifiers) is refused with a :class:`PatternSyntaxError`. Only the built-in
  dictionary, written and measured by us, keeps Python's ``re`` (``engine="re"``).
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field

import numpy as np
import re2

from discourse.text import NON_TOKEN_CHAR, TOKEN_CHAR

__all__ = ["PatternSyntaxError", "Pattern", "parse_pattern", "compile_regex", "glob_regex", "RE2Regex", "SEP", "TOKEN_CHAR"]

#: Regex of the characters that separate tokens (the complement of discourse.text.TOKEN_CHAR).
SEP = NON_TOKEN_CHAR + "+"
_LEFT = f"(?<!{TOKEN_CHAR})"
_RIGHT = f"(?!{TOKEN_CHAR})"

MAX_NEAR = 100
MAX_EXPANSIONS = 500
MAX_PATTERN_CHARS = 10_000  # a longer pattern is refused (no dictionary needs one)
MAX_NESTING = 20  # parentheses nested deeper are refused (the parsers recurse)
ENGINES = ("re2", "re")


class PatternSyntaxError(ValueError):
    """Raised by :func:`parse_pattern`; the dictionary loader adds file, line and theme."""


# --- AST -------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str  # lower-case; may contain "*"

    @property
    def is_glob(self) -> bool:
        return "*" in self.text


@dataclass(frozen=True)
class Group:
    options: tuple[Seq, ...]
    optional: bool = False


@dataclass(frozen=True)
class Seq:
    # items[i] is Word or Group; glued[i] is True when item i follows item i-1 with no
    # separator (it continues the same token). glued[0] is always False.
    items: tuple
    glued: tuple
    lead_sep: bool = False  # a separator right after "(" or "|"
    trail_sep: bool = False  # a separator right before ")" or "|"


_LEX = re.compile(rf"(?P<lp>\()|(?P<rp>\)\??)|(?P<bar>\|)|(?P<word>(?:{TOKEN_CHAR}|\*)+)|(?P<sep>{NON_TOKEN_CHAR})")


def _lex(text: str):
    for m in _LEX.finditer(text):
        kind = m.lastgroup
        if kind == "sep" and m.group() in "?":
            raise PatternSyntaxError(
                "'?' is only allowed right after a closing parenthesis, to make a group optional "
                "(write e.g. '(the )?digital divide')"
            )
        yield kind, m.group()


@functools.lru_cache(maxsize=4096)
def _parse_token_pattern(text: str) -> Seq:
    """The token pattern ``text`` as a :class:`Seq` (immutable, so shared: the dictionary
    parses each pattern, and the matcher's routes read it again from this cache)."""
    toks = list(_lex(text))
    pos = 0

    def parse_alts(depth: int) -> tuple[tuple[Seq, ...], bool]:
        nonlocal pos
        options = [parse_seq(depth)]
        while pos < len(toks) and toks[pos][0] == "bar":
            pos += 1
            options.append(parse_seq(depth))
        return tuple(options), False

    def parse_seq(depth: int) -> Seq:
        nonlocal pos
        items: list = []
        glued: list = []
        sep_before = False
        lead_sep = False
        while pos < len(toks):
            kind, val = toks[pos]
            if kind == "sep":
                sep_before = True
                if not items:
                    lead_sep = True
                pos += 1
                continue
            if kind in ("bar",):
                break
            if kind == "rp":
                if depth == 0:
                    raise PatternSyntaxError("unbalanced parentheses: a ')' has no matching '('")
                break
            if kind == "word":
                if not re.search(TOKEN_CHAR, val):
                    raise PatternSyntaxError(
                        f"the glob {val!r} has no letter or digit; a glob needs a fixed start or end, e.g. 'cyber*'"
                    )
                w = Word(val.lower())
                if w.is_glob and val[0] == "*" and val[-1] == "*":
                    raise PatternSyntaxError(
                        f"the glob {val!r} must start or end with a letter or digit (e.g. 'cyber*' or '*security')"
                    )
                item = w
                pos += 1
            else:  # "lp"
                pos += 1
                options, _ = parse_alts(depth + 1)
                if pos >= len(toks) or toks[pos][0] != "rp":
                    raise PatternSyntaxError("unbalanced parentheses: a '(' is never closed")
                optional = toks[pos][1].endswith("?")
                pos += 1
                for o in options:
                    if not o.items:
                        raise PatternSyntaxError(
                            "empty alternative in a group: write '(a|b)', not '(a|)' or '()'; "
                            "use '(...)?' for an optional group"
                        )
                item = Group(options, optional)
            if items:
                prev = items[-1]
                separated = (
                    sep_before
                    or (isinstance(prev, Group) and any(o.trail_sep for o in prev.options))
                    or (isinstance(item, Group) and any(o.lead_sep for o in item.options))
                )
                glued.append(not separated)
            else:
                glued.append(False)
            items.append(item)
            sep_before = False
        return Seq(tuple(items), tuple(glued), lead_sep, sep_before and bool(items))

    options, _ = parse_alts(0)
    if pos < len(toks):  # a stray ')'
        raise PatternSyntaxError("unbalanced parentheses: a ')' has no matching '('")
    for o in options:
        if not o.items:
            raise PatternSyntaxError("empty pattern or empty alternative ('a||b', a leading or trailing '|')")
    seq = options[0] if len(options) == 1 else Seq((Group(options),), (False,))
    if _can_be_empty(seq):
        raise PatternSyntaxError("the pattern can match nothing: every part of it is optional")
    return seq


def _can_be_empty(node) -> bool:
    if isinstance(node, Word):
        return False
    if isinstance(node, Group):
        return node.optional or any(_can_be_empty(o) for o in node.options)
    return all(_can_be_empty(i) for i in node.items)


# --- regex compilation --------------------------------------------------------------


def _n_tokens_hint(node) -> int:
    if isinstance(node, Word):
        return 1
    if isinstance(node, Group):
        return max(_n_tokens_hint(o) for o in node.options)
    return sum(_n_tokens_hint(i) for i in node.items)


def glob_regex(segments: list[str]) -> str:
    """Regex of a glob inside one token: ``segments`` (regexes) joined by ``*`` wildcards.

    A segment between two wildcards is matched at its first occurrence, in an atomic
    group: the regex then never backtracks into it, so a glob with several ``*`` runs in
    time linear in the token (``a*b*c`` on a 100,000-letter token took minutes). The
    first occurrence is always the right one: what follows it starts with a wildcard,
    which can reach from an earlier position whatever it can reach from a later one.
    """
    if len(segments) == 1:
        return segments[0]
    middle = [seg for seg in segments[1:-1] if seg]  # "a**b" is "a*b"
    return (segments[0] + "".join(f"(?>{TOKEN_CHAR}*?{seg})" for seg in middle)
            + TOKEN_CHAR + "*" + segments[-1])


def _word_regex(w: Word) -> str:
    return glob_regex([re.escape(p) for p in w.text.split("*")])


def _regex(node) -> str:
    if isinstance(node, Word):
        return _word_regex(node)
    if isinstance(node, Group):
        # longest alternatives first, so that the regex prefers the longest match (each
        # option's regex made once: nested groups made them again at every level)
        made = [(_n_tokens_hint(o), _regex(o)) for o in node.options]
        order = sorted(range(len(made)), key=lambda i: (-made[i][0], -len(made[i][1])))  # stable, as before
        return "(?:" + "|".join(made[i][1] for i in order) + ")"
    items, glued = node.items, node.glued
    n = len(items)

    def optional(item) -> bool:
        return isinstance(item, Group) and item.optional

    pieces = []
    leading = True  # before the first mandatory item: separators go after optional items
    for i, item in enumerate(items):
        core = _regex(item)
        if leading and optional(item):
            after = SEP if i + 1 < n and not glued[i + 1] else ""
            pieces.append(f"(?:{core}{after})?")
            continue
        pre = "" if leading or glued[i] else SEP
        leading = False
        if optional(item):
            pieces.append(f"(?:{pre}{core})?")
        else:
            pieces.append(f"{pre}{core}")
    return "".join(pieces)


# --- anchors (first tokens) ----------------------------------------------------------


def _first_anchors(seq: Seq, as_prefix: bool = False) -> set[tuple[str, str]] | None:
    """Return the set of anchors of the first token of ``seq``; None when unanchorable.

    An anchor is ``("tok", word)`` (the whole token), ``("pre", text)`` (the token starts
    with text) or ``("suf", text)`` (the token ends with text).
    """
    out: set[tuple[str, str]] = set()
    items, glued = seq.items, seq.glued
    for i, item in enumerate(items):
        continues = i + 1 < len(items) and glued[i + 1]
        got = _item_anchors(item, as_prefix or continues)
        if got is None:
            return None
        out |= got
        if not (isinstance(item, Group) and (item.optional or any(_can_be_empty(o) for o in item.options))):
            return out
        # the item may be absent: the next item can also start the match
    return out


def _item_anchors(item, as_prefix: bool) -> set[tuple[str, str]] | None:
    if isinstance(item, Word):
        t = item.text
        if "*" in t:
            pre = t.split("*")[0]
            if pre:
                return {("pre", pre)}
            if as_prefix:
                return None
            return {("suf", t.rsplit("*", 1)[1])}
        return {("pre", t)} if as_prefix else {("tok", t)}
    out: set[tuple[str, str]] = set()
    for o in item.options:
        got = _first_anchors(o, as_prefix)
        if got is None:
            return None
        out |= got
    return out


#: Very frequent words: a required-token check on them would cost more than it saves.
COMMON = frozenset(
    """a an and are as at be been but by for from has have he in is it its of on or our
    that the their this to was we were which will with""".split()
)


def _is_common(anchors) -> bool:
    return any(kind == "tok" and (text in COMMON or len(text) < 2) for kind, text in anchors)


def _option_required(seq: Seq):
    """Anchors of one token every match of ``seq`` contains (the least common one found)."""
    fallback = None
    for j, item in enumerate(seq.items):
        if isinstance(item, Group) and (item.optional or any(_can_be_empty(o) for o in item.options)):
            continue
        if seq.glued[j] or (j + 1 < len(seq.items) and seq.glued[j + 1]):
            continue
        got = _item_required(item)
        if got is None:
            continue
        if not _is_common(got):
            return got
        if fallback is None:
            fallback = got
    return fallback


def _item_required(item):
    if isinstance(item, Word):
        return _item_anchors(item, False)
    out = set()
    for o in item.options:
        got = _option_required(o)
        if got is None:
            return None
        out |= got
    return out


# --- expansions (literal phrases, for Dictionary.terms) ------------------------------


def _expand(node) -> list[tuple[str, ...]] | None:
    """Literal token tuples the node can match; None if it holds a glob or explodes."""
    if isinstance(node, Word):
        return None if node.is_glob else [(node.text,)]
    if isinstance(node, Group):
        out: list[tuple[str, ...]] = []
        for o in node.options:
            e = _expand(o)
            if e is not None:
                out.extend(e)
        if node.optional:
            out.append(())
        return out or None
    acc: list[tuple[str, ...]] = [()]
    for item, glued in zip(node.items, node.glued, strict=True):
        e = _expand(item)
        if e is None:
            return None
        new = []
        for a, b in itertools.product(acc, e):
            if glued and a and b:
                new.append(a[:-1] + (a[-1] + b[0],) + b[1:])
            else:
                new.append(a + b)
        acc = new
        if len(acc) > MAX_EXPANSIONS:
            return None
    return acc


# --- top level ----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """A parsed pattern.

    Attributes
    ----------
    text : str
        The pattern as written.
    kind : {"phrase", "near", "regex"}
    regex : str
        For "phrase": a regex matching the pattern at a token start (to compile with
        ``re.IGNORECASE``); for "regex": the user's regex (compile it with
        :func:`compile_regex`).
    anchors : frozenset
        For "phrase": the possible first tokens (see :func:`_first_anchors`), empty when
        the pattern cannot be anchored (it is then searched in the whole text).
    parts : tuple of Pattern
        For "near": the two phrase patterns A and B.
    distance : int
        For "near": n.
    engine : {"re2", "re"}
        For "regex": the engine that runs it.
    """

    text: str
    kind: str
    regex: str = ""
    anchors: frozenset = field(default_factory=frozenset)
    parts: tuple = ()
    distance: int = 0
    literals: tuple = ()
    required: tuple = ()  # anchor sets of later mandatory tokens (each must occur in a match)
    max_tokens: int = 0  # upper bound of the tokens a match spans
    engine: str = "re2"  # for "regex": "re2" (linear time) or "re" (built-in dictionary only)
    language: str = ""  # "" = the dictionary's own language; else the code of its section
    open_start: bool = False  # for "zh": a leading "*" (the match may start inside a word)
    open_end: bool = False  # for "zh": a trailing "*" (the match may end inside a word)

    def terms(self) -> list[str]:
        """Literal phrases this pattern matches (none for globs, regexes; for Chinese, its
        literal forms, simplified)."""
        if self.kind == "near" or self.parts:  # near(), also in a Chinese section
            out: list[str] = []
            for p in self.parts:
                out.extend(p.terms())
            return out
        return list(self.literals)


def _split_args(inner: str) -> list[str]:
    args, depth, cur = [], 0, []
    for ch in inner:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise PatternSyntaxError("unbalanced parentheses in near(...)")
        if ch == "," and depth == 0:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth != 0:
        raise PatternSyntaxError("unbalanced parentheses in near(...)")
    args.append("".join(cur))
    return [a.strip() for a in args]


_NEAR_RE = re.compile(r"^\s*near\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


def _near_args(inner: str, *, unit: str) -> tuple[str, str, int]:
    """The arguments ``A, B, n`` of ``near(A, B, n)`` (``inner``: what stands between its
    brackets), checked: three of them, ``n`` a whole number from 1 to ``MAX_NEAR`` (counted
    in ``unit``, "tokens" or "words", as the error says), A and B neither empty nor
    ``re:`` nor near(). Shared by :func:`parse_pattern` and :func:`parse_zh_pattern`."""
    args = _split_args(inner)
    if len(args) != 3:
        raise PatternSyntaxError(f"near() takes three arguments, near(A, B, n), not {len(args)}")
    a, b, n = args
    if not re.fullmatch(r"\d+", n):
        raise PatternSyntaxError(f"the distance of near() must be a whole number of {unit}, not {n!r}")
    dist = int(n)
    if not 1 <= dist <= MAX_NEAR:
        raise PatternSyntaxError(f"the distance of near() must be between 1 and {MAX_NEAR}, not {dist}")
    for part in (a, b):
        if not part:
            raise PatternSyntaxError("an argument of near() is empty")
        if part.startswith("re:") or _NEAR_RE.match(part):
            raise PatternSyntaxError("the arguments of near() must be words, phrases or groups, not near() or re:")
    return a, b, dist


def _phrase(text: str) -> Pattern:
    seq = _parse_token_pattern(text)
    body = _regex(seq)
    regex = f"{_LEFT}(?:{body}){_RIGHT}"
    try:
        re.compile(regex, re.IGNORECASE)
    except re.error as err:  # pragma: no cover - our own construction
        raise PatternSyntaxError(f"could not compile the pattern ({err})") from None
    anchors = _first_anchors(seq)
    required = []
    if anchors:
        for j, item in enumerate(seq.items):
            if j == 0 or (isinstance(item, Group) and (item.optional or any(_can_be_empty(o) for o in item.options))):
                continue
            if seq.glued[j] or (j + 1 < len(seq.items) and seq.glued[j + 1]):
                continue
            got = _item_required(item)
            if got:
                required.append(frozenset(got))
    exp = _expand(seq)
    literals = tuple(dict.fromkeys(" ".join(t) for t in exp if t)) if exp else ()
    return Pattern(
        text=text,
        kind="phrase",
        regex=regex,
        anchors=frozenset(anchors) if anchors else frozenset(),
        literals=literals,
        required=tuple(required),
        max_tokens=_n_tokens_hint(seq),
    )


_RE2_OPTIONS: dict[bool, re2.Options] = {}


def _re2_options(ignorecase: bool) -> re2.Options:
    if ignorecase not in _RE2_OPTIONS:
        o = re2.Options()
        o.log_errors = False  # the error becomes a PatternSyntaxError, not a line on stderr
        o.case_sensitive = not ignorecase
        _RE2_OPTIONS[ignorecase] = o
    return _RE2_OPTIONS[ignorecase]


_UNSUPPORTED = (
    ("(?=", "a lookahead '(?=...)'"), ("(?!", "a negative lookahead '(?!...)'"),
    ("(?<=", "a lookbehind '(?<=...)'"), ("(?<!", "a negative lookbehind '(?<!...)'"),
    ("(?P=", "a backreference '(?P=name)'"), ("(?>", "an atomic group '(?>...)'"),
    ("(?(", "a conditional '(?(...)'"), ("(?#", "a comment '(?#...)'"),
)


def utf8_offsets(codes) -> np.ndarray:
    """Byte offset in UTF-8 of every character (and of the end), from its code points.

    ``codes`` are the code points of a text (``np.uint32``); lone surrogates count three
    bytes, as ``text.encode("utf-8", "surrogatepass")`` writes them.
    """
    codes = np.asarray(codes, dtype=np.uint32)
    width = 1 + (codes >= 0x80).astype(np.int64) + (codes >= 0x800) + (codes >= 0x10000)
    out = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(width, out=out[1:])
    return out


class _Match:
    """What :class:`RE2Regex` returns: ``start()``, ``end()``, ``span()``, ``group()``."""

    __slots__ = ("string", "_s", "_e")

    def __init__(self, string: str, s: int, e: int):
        self.string, self._s, self._e = string, s, e

    def start(self) -> int:
        return self._s

    def end(self) -> int:
        return self._e

    def span(self) -> tuple[int, int]:
        return self._s, self._e

    def group(self, index: int = 0) -> str:
        if index != 0:
            raise IndexError("only group 0 is available")
        return self.string[self._s : self._e]


class RE2Regex:
    """A regex compiled by RE2, with the part of ``re``'s interface the matcher uses.

    Offsets are characters of the ``str`` searched (any ``str``: lone surrogates too).
    :meth:`finditer_utf8` searches text already encoded once (the matcher encodes a
    chunk once and searches many windows of it: no per-call encoding).
    """

    def __init__(self, pattern: str, compiled):
        self.pattern = pattern
        self._rx = compiled

    def finditer_utf8(self, data: bytes, pos: int, endpos: int):
        """Byte spans ``(start, end)`` of the matches in ``data[pos:endpos]`` (UTF-8)."""
        for m in self._rx.finditer(data, pos, endpos):
            yield m.start(), m.end()

    def _spans(self, text: str, pos: int, endpos: int | None, anchor: str):
        n = len(text)
        endpos = n if endpos is None else max(0, min(endpos, n))
        pos = max(0, min(pos, n))
        if pos > endpos:
            return
        data = text.encode("utf-8", "surrogatepass")
        c2b = utf8_offsets(np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32))
        bp, be = int(c2b[pos]), int(c2b[endpos])
        if anchor == "search":
            found = self._rx.finditer(data, bp, be)
        elif anchor == "match":
            found = [m for m in [self._rx.match(data, bp, be)] if m is not None]
        else:
            found = [m for m in [self._rx.fullmatch(data, bp, be)] if m is not None]
        for m in found:
            s, e = np.searchsorted(c2b, [m.start(), m.end()]).tolist()
            yield _Match(text, s, e)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        return self._spans(text, pos, endpos, "search")

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        return next(self._spans(text, pos, endpos, "search"), None)

    def match(self, text: str, pos: int = 0, endpos: int | None = None):
        return next(self._spans(text, pos, endpos, "match"), None)

    def fullmatch(self, text: str, pos: int = 0, endpos: int | None = None):
        return next(self._spans(text, pos, endpos, "full"), None)


def _re2_problem(rx: str, message: str) -> str:
    """Say which construct RE2 refused, in the user's terms."""
    for token, what in _UNSUPPORTED:
        if token in rx:
            return f"{what} is not supported"
    if re.search(r"\\[1-9]", rx):
        return "a backreference ('\\1') is not supported"
    if re.search(r"[*+?}][+]", rx):
        return "a possessive quantifier ('a++', 'a*+') is not supported"
    if "repetition size" in message or "too large" in message:
        return "it is too large once its repetitions are expanded (at most {1000}, and nested ones multiply)"
    return message


def compile_regex(rx: str, engine: str = "re2"):
    """Compile a ``re:`` pattern's regex, case-insensitive, with its engine.

    ``engine="re2"`` gives an RE2 object (the ``re`` interface: ``match``, ``search``,
    ``finditer`` with ``pos``/``endpos``; character offsets), whose matching time is
    linear in the text; ``engine="re"`` gives Python's ``re`` (trusted patterns only).
    Raises :class:`PatternSyntaxError` when the engine refuses the regex.
    """
    if engine == "re":
        try:
            return re.compile(rx, re.IGNORECASE)
        except (re.error, RecursionError, OverflowError) as err:
            raise PatternSyntaxError(f"invalid regular expression ({err})") from None
    if engine != "re2":
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    bad = re.search("[\ud800-\udfff]", rx)
    if bad:
        raise PatternSyntaxError(
            f"the regular expression holds a lone surrogate ({bad.group()!r}), which is not text; "
            "it comes from a badly decoded file: save the dictionary as UTF-8"
        )
    try:
        return RE2Regex(rx, re2.compile(rx, _re2_options(True)))
    except re2.error as err:
        try:  # a plain syntax error is worded as such (Python's message is the clearer)
            re.compile(rx, re.IGNORECASE)
        except (re.error, RecursionError, OverflowError) as py_err:
            raise PatternSyntaxError(f"invalid regular expression ({py_err})") from None
        msg = err.args[0] if err.args else str(err)
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        problem = _re2_problem(rx, msg)
        raise PatternSyntaxError(
            f"the regular expression cannot run in linear time ({problem}; RE2 says: {msg}). "
            "Regexes run on RE2, which never backtracks: rewrite it without lookarounds, "
            "backreferences, atomic groups or possessive quantifiers (an 'exclude:' pattern "
            "often does what a negative lookaround did), or use a word pattern or near()"
        ) from None


def _check_size(text: str) -> None:
    if len(text) > MAX_PATTERN_CHARS:
        raise PatternSyntaxError(
            f"the pattern is {len(text):,} characters long, more than {MAX_PATTERN_CHARS:,}; "
            "split it into several patterns"
        )
    depth = deepest = 0
    for ch in text:
        if ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch == ")":
            depth = max(0, depth - 1)
    if deepest > MAX_NESTING:
        raise PatternSyntaxError(
            f"parentheses are nested {deepest} deep, more than {MAX_NESTING}; simplify the pattern"
        )


def parse_pattern(text: str, engine: str = "re2") -> Pattern:
    """Parse one pattern string; raise :class:`PatternSyntaxError` when it is invalid.

    ``engine`` runs ``re:`` patterns: ``"re2"`` (the default: linear time, for every
    dictionary a user gives) or ``"re"`` (Python's, for the built-in dictionary only).
    """
    if not isinstance(text, str):
        raise PatternSyntaxError(f"a pattern must be a string, not {type(text).__name__}")
    raw = text
    text = text.strip()
    if not text:
        raise PatternSyntaxError("empty pattern")
    _check_size(text)
    if text.startswith("re:"):
        rx = text[3:]
        if not rx.strip():
            raise PatternSyntaxError("empty regular expression after 're:'")
        compiled = compile_regex(rx, engine)
        if compiled.fullmatch(""):
            raise PatternSyntaxError("the regular expression matches the empty string")
        return Pattern(text=raw.strip(), kind="regex", regex=rx, engine=engine)
    m = _NEAR_RE.match(text)
    if m:
        a, b, dist = _near_args(m.group(1), unit="tokens")
        pa, pb = _phrase(a), _phrase(b)
        return Pattern(text=text, kind="near", parts=(pa, pb), distance=dist)
    if re.match(r"^\s*near\s*\(", text, re.IGNORECASE):
        raise PatternSyntaxError("near(...) is not closed: write near(A, B, n)")
    return _phrase(text)


# --- Chinese patterns ----------------------------------------------------------------------

#: Languages whose patterns are matched on segmented words (:mod:`discourse.themes._zh`).
SEGMENTED_LANGUAGES = ("zh",)


def is_segmented(language: str) -> bool:
    """Whether patterns of ``language`` (a code such as "zh" or "zh-hant") are Chinese ones."""
    return language.split("-")[0].lower() in SEGMENTED_LANGUAGES


def parse_zh_pattern(text: str, language: str = "zh") -> Pattern:
    """Parse a Chinese pattern: literal words or phrases, alternatives, optional groups, near().

    ``数字鸿沟``, ``(弥合|缩小|跨越)数字鸿沟``, ``全球(数字|网络)治理``, ``(全球)?数字治理``,
    ``人工智能*`` (a trailing ``*``: the match may end inside a longer word, and then
    runs to that word's end; a leading ``*`` likewise at the start),
    ``near((人工智能|AI), (风险|威胁), 4)`` (the two within 4 words, either order, in one
    sentence; words are those of the segmenter). Spaces are ignored (Chinese is written
    without them). Traditional characters are simplified
    (:func:`discourse.text.to_simplified`) and letters lower-cased, as the text is before
    matching. ``re:`` is not available in Chinese sections.
    """
    from discourse.text import HAN_CHAR

    if not isinstance(text, str):
        raise PatternSyntaxError(f"a pattern must be a string, not {type(text).__name__}")
    raw = text.strip()
    if not raw:
        raise PatternSyntaxError("empty pattern")
    _check_size(raw)
    if raw.startswith("re:"):
        raise PatternSyntaxError(
            "re: is not available in a Chinese section: write the words or phrases "
            "(alternatives in (a|b), optional groups (a)?, a '*' at the start or end, near(A, B, n))"
        )
    m = _NEAR_RE.match(raw)
    near = _near_args(m.group(1), unit="words") if m else None
    if not re.search(HAN_CHAR, near[0] + near[1] if near else raw):
        raise PatternSyntaxError(
            f"the Chinese pattern {raw!r} holds no Chinese character; put it in the dictionary's own "
            "patterns (or the section of its language)"
        )
    if near:
        a, b, dist = near
        parts = (_zh_phrase(a, language), _zh_phrase(b, language))
        return Pattern(text=raw, kind="zh", parts=parts, distance=dist, language=language)
    return _zh_phrase(raw, language)


def _zh_phrase(raw: str, language: str) -> Pattern:
    """A Chinese phrase pattern (no near()): its literal forms, simplified and lower-cased."""
    from discourse.text import to_simplified

    body = re.sub(r"\s+", "", raw)
    open_start, open_end = body.startswith("*"), body.endswith("*")
    body = body.strip("*")
    if "*" in body:
        raise PatternSyntaxError("in a Chinese pattern '*' is only allowed at its start or end (e.g. '人工智能*')")
    if not body:
        raise PatternSyntaxError("the pattern has no character besides '*'")
    seq = _parse_token_pattern(body)
    exp = _expand(seq)
    if not exp:
        raise PatternSyntaxError("too many alternatives (more than 500 forms)")
    forms = []
    for toks in exp:
        form = to_simplified("".join(toks)).lower()
        if form and form not in forms:
            forms.append(form)
    return Pattern(text=raw, kind="zh", literals=tuple(forms), language=language,
                   open_start=open_start, open_end=open_end)
