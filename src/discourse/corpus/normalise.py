"""Text repair applied to every document on load (also usable on its own).

:func:`normalise_text` runs these steps, in this order (each is documented in
``docs/corpus.md``):

1. **Mojibake.** Text that *looks* broken (it contains sequences such as ``â€``,
   ``Ã``, ``Â`` that UTF-8 read as cp1252 produces) is repaired with ``ftfy``; clean
   text is not touched (ftfy over 200 MB is slow, and the check is cheap). A
   fallback table then replaces any ``â€…`` sequence ftfy could not fix, so none is
   left. This comes first: a broken "í" is "Ã" + a soft hyphen, which step 2 removes.
2. **Byte-order marks and invisible characters.** U+FEFF (BOM, anywhere), U+200B
   (zero-width space) and U+00AD (soft hyphen) are removed; no-break spaces become
   spaces.
3. **Line ends.** CRLF and bare CR become LF; U+2028/U+2029/U+0085 too.
4. **Form feeds** (page breaks) are removed with the blank lines around them: a page
   break after a finished sentence becomes a paragraph break, one in mid-sentence
   becomes a plain line break (joined in step 8). Other control characters go.
5. **``¬`` artefacts** (OCR hyphenation signs) are resolved like hyphenated line
   breaks (step 6); a stray ``¬`` elsewhere is removed.
6. **Words hyphenated across line breaks** (``inter-\\nnational``, also across
   blank lines) are joined (``international``), unless the hyphen is real: the same
   document spells the hyphenated word elsewhere, the second part starts with a
   capital or a digit, or the first part is a prefix or number word that takes a
   hyphen (:data:`HYPHEN_PREFIXES`: ``self``, ``non``, ``multi``, ``e``, ``fifty``...)
   and the joined word does not occur elsewhere in the document. A suspended hyphen
   (``pre-\\nand post-war``) keeps its space; numbers keep the hyphen (``1990-1995``).
7. **Markup** (optional, on by default): Markdown emphasis asterisks (``**Summit**``,
   ``*Pact*``) and separator runs (``*****``) are removed, and paragraph numbers of
   verbatim records (``38.`` at the start of a line, before a capital letter) are
   removed and start a new paragraph. A single ``*`` between spaces is kept. A
   paragraph that is only page furniture (a page number, a document symbol such as
   ``A/70/PV.22``, a date such as ``01/10/2015``) is removed in step 8.
8. **Hard-wrapped lines** are joined into paragraphs. A blank line is a paragraph
   break. Inside a block without blank lines, lines are joined with one space (none between two CJK characters),
   except that a line ending a sentence and clearly shorter than the block's usual
   line width starts a new paragraph; when a block's lines are long (not wrapped:
   one paragraph per line), every line is a paragraph. A "paragraph" that starts
   with a lower-case letter after one that ends mid-sentence (no closing
   punctuation) continues it: page breaks and stray blank lines inside sentences.
   Runs of spaces and tabs collapse to one space.
9. **Unicode NFC.** Composed and decomposed accents become the same string. NFC,
   not NFKC: NFKC would also rewrite superscripts, fractions, full-width forms and
   non-Latin presentation forms, which changes what was written; the few
   compatibility characters that matter for matching (the Latin ligatures ``ﬁ``,
   ``ﬂ``...) are replaced explicitly.

The result: paragraphs separated by exactly one blank line (``"\\n\\n"``), no line
breaks inside a paragraph, no leading or trailing whitespace.
"""

from __future__ import annotations

import re
import unicodedata

from discourse.text import TOKEN_PATTERN

__all__ = ["normalise_text", "normalize_text", "looks_broken", "HYPHEN_PREFIXES"]

#: First parts that keep their hyphen when a word is broken across lines after them
#: and the joined form does not occur elsewhere in the same document.
HYPHEN_PREFIXES = frozenset(
    """self non multi e cross well vice ex anti semi half long short high low full
    so peace war people nation decision policy one two three four five six seven
    eight nine ten twenty thirty forty fifty sixty seventy eighty ninety""".split()
)

_MOJIBAKE_RE = re.compile(
    "[âÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€"
)
# What is left of a cp1252-as-UTF-8 sequence when ftfy cannot fix it (mixed text).
_MOJIBAKE_FALLBACK = [
    ("â€œ", "\u201c"),
    ("â€\x9d", "\u201d"),
    ("â€\u009d", "\u201d"),
    ("â€™", "\u2019"),
    ("â€˜", "\u2018"),
    ("â€“", "\u2013"),
    ("â€”", "\u2014"),
    ("â€¦", "\u2026"),
    ("â€¢", "\u2022"),
    ("â€\u00a6", "\u2026"),
    ("â€", "\u201d"),  # the last byte was lost: it was a closing quote most of the time
]
_LIGATURES = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
}
_LINE_END_RE = re.compile("\r\n?|[\u2028\u2029\u0085]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NOT_SIGN_RE = re.compile(r"¬[ \t]*\n?[ \t]*")
_HYPHEN_BREAK_RE = re.compile(r"-[ \t]*\n(?:[ \t]*\n)*[ \t]*")
_WORD_END_RE = re.compile(TOKEN_PATTERN + "$")
_CONJUNCTIONS = frozenset({"and", "or", "nor", "to", "as"})
_WORD_START_RE = re.compile(TOKEN_PATTERN)
_ASTERISKS_RE = re.compile(r"\*+")
_PARA_NUMBER_RE = re.compile(r"\n[ \t]*\d{1,3}\.[ \t]+(?=[\"'\u201c\u2018(]?[A-Z])")
# a paragraph that is only page furniture: a page number, a document symbol, a date
_PAGE_DEBRIS_RE = re.compile(r"(?:\d{1,4}\.?|[A-Z]{1,2}(?:/[A-Z0-9.]+)+|\d{1,2}/\d{1,2}/\d{4}|\s)+")
_PARA_NUMBER_LINE_RE = re.compile(r"\d{1,3}\.[ \t]+(?=[\"'\u201c\u2018(]?[A-Z])")
_BLANK_RE = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = tuple('.!?:"\u201d\u2019)\u3002\uff01\uff1f\uff1a\u300d\u300f\uff09')
# Chinese and Japanese text has no spaces between words: wrapped lines join without one
_CJK_EDGE_RE = re.compile("[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _join_lines(lines: list[str]) -> str:
    """Lines of one paragraph joined by a space, or by nothing between two CJK characters."""
    if len(lines) == 1:
        return lines[0]
    out = [lines[0]]
    for line in lines[1:]:
        if _CJK_EDGE_RE.match(out[-1][-1]) and _CJK_EDGE_RE.match(line[0]):
            out.append(line)
        else:
            out.append(" " + line)
    return "".join(out)
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st no nos art para vol pp p h.e messrs hon gen sr jr".split()
)
_PARA_MARK = "\ue000"  # marks a paragraph start found in step 7 (private use: no text has it)
_INVISIBLE = set("\ufeff\u200b\u00ad")
_NBSP = set("\u00a0\u202f\u2007")
_LINE_ENDS = set("\r\u2028\u2029\u0085")
_CONTROLS = {chr(c) for c in [*range(0, 9), 11, *range(14, 32), 127]}
_RARE_RE = re.compile(
    "["
    + re.escape(
        "".join(sorted(_INVISIBLE | _NBSP | _LINE_ENDS | _CONTROLS | set("\f*" + _PARA_MARK)))
    )
    + "]"
)


def looks_broken(text: str) -> bool:
    """Return True when ``text`` shows mojibake (UTF-8 decoded as cp1252 or latin-1).

    A cheap test (three substring searches, then one regular expression), used to run
    ``ftfy`` only where it is needed.

    Parameters
    ----------
    text : str

    Returns
    -------
    bool
        True when ``â``, ``Ã`` or ``Â`` is followed by a character that UTF-8 bytes
        read as cp1252 produce (``€``, ``©``, a C1 control...), or ``â€`` occurs.
    """
    if "â" not in text and "Ã" not in text and "Â" not in text:
        return False
    return _MOJIBAKE_RE.search(text) is not None


def _fix_mojibake(text: str) -> str:
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if "â€" in fixed:
        for bad, good in _MOJIBAKE_FALLBACK:
            fixed = fixed.replace(bad, good)
    return fixed


def _join_decision(text: str, left: str, right: str) -> str:
    """Join ``left`` and ``right`` (broken across a line or a ``¬``) or keep a hyphen."""
    joined = left + right
    hyphenated = left + "-" + right
    if right.lower() in _CONJUNCTIONS:
        return left + "- " + right  # "pre-\nand post-war": a suspended hyphen
    if right[0].isupper() or right[0].isdigit() or left[-1].isdigit():
        return hyphenated
    if hyphenated in text:
        return hyphenated
    if left.lower() in HYPHEN_PREFIXES and joined not in text:
        return hyphenated
    return joined


def _rejoin(text: str, marker_re: re.Pattern[str]) -> str:
    """Resolve every ``word<marker>word`` (marker: ``-`` + line break, or ``¬``).

    The marker is found by a literal scan (fast); the words around it are read with
    anchored patterns, so the cost is linear in the text.
    """
    out: list[str] = []
    last = 0
    for m in marker_re.finditer(text):
        start, end = m.span()
        if start < last:
            continue
        lm = _WORD_END_RE.search(text, max(last, start - 60), start)
        rm = _WORD_START_RE.match(text, end)
        if lm is None or rm is None:
            continue
        left, right = lm.group(), rm.group()
        out.append(text[last : lm.start()])
        out.append(_join_decision(text, left, right))
        last = rm.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def _resolve_breaks(text: str) -> str:
    if "¬" in text:
        text = _rejoin(text, _NOT_SIGN_RE)
        text = text.replace("¬", "")
    if "-\n" in text or "- \n" in text:
        text = _rejoin(text, _HYPHEN_BREAK_RE)
    return text


def _remove_page_breaks(text: str) -> str:
    """Step 4: drop form feeds and the blank lines around them (see the module docstring)."""
    parts = text.split("\f")
    out = [parts[0].rstrip()]
    tail = out[0]
    for part in parts[1:]:
        part = part.strip(" \t\n") if part.strip() == "" else part.lstrip()
        if not part:
            continue
        if tail:
            out.append("\n\n" if _is_sentence_end(tail[-200:]) else "\n")
        piece = part.rstrip()
        out.append(piece)
        tail = piece
    # keep what followed the last page break (including its trailing whitespace) intact
    return "".join(out)


def _strip_emphasis(text: str) -> str:
    """Step 7: remove runs of ``*``, except a single ``*`` between spaces."""
    n = len(text)

    def repl(m: re.Match[str]) -> str:
        start, end = m.span()
        before = text[start - 1] if start else " "
        after = text[end] if end < n else " "
        if end - start > 1:
            return ""  # "**bold**" markers and "*****" separator lines
        return m.group() if before.isspace() and after.isspace() else ""

    return _ASTERISKS_RE.sub(repl, text)


def _is_sentence_end(line: str) -> bool:
    if not line.endswith(_SENTENCE_END):
        return False
    if line.endswith("."):
        last = line.rsplit(None, 1)[-1].rstrip(".").lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            return False
    return True


def _collapse_spaces(text: str) -> str:
    """Tabs and vertical tabs become spaces; runs of spaces become one (C-speed replaces)."""
    if "\t" in text or "\v" in text:
        text = text.replace("\t", " ").replace("\v", " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _strip_number(line: str) -> str | None:
    """``line`` without a leading paragraph number ("38. The..."), or None if it has none."""
    if line[:1].isdigit():
        m = _PARA_NUMBER_LINE_RE.match(line)
        if m:
            return line[m.end() :]
    return None


def _join_block(block: str, strip_numbers: bool) -> str:
    if "\n" not in block:
        block = block.strip()
        if strip_numbers and block:
            rest = _strip_number(block)
            if rest is not None:
                return rest
        return block
    lines = [ln.strip() for ln in block.split("\n")]
    lines = [ln for ln in lines if ln]
    if not lines:
        return ""
    starts = [False] * len(lines)
    if strip_numbers:
        for i in [i for i, ln in enumerate(lines) if ln[0] in "0123456789"]:
            rest = _strip_number(lines[i])
            if rest is not None:
                lines[i] = rest
                starts[i] = True
    if len(lines) == 1:
        return lines[0]
    lengths = sorted(map(len, lines))
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 200:
        # Not hard-wrapped: one paragraph per line.
        return "\n\n".join(lines)
    short = 0.8 * width
    many = len(lines) > 3
    out: list[str] = []
    current: list[str] = [lines[0]]
    for i in range(1, len(lines)):
        prev = lines[i - 1]
        if starts[i] or (many and len(prev) < short and _is_sentence_end(prev)):
            out.append(_join_lines(current))
            current = [lines[i]]
        else:
            current.append(lines[i])
    out.append(_join_lines(current))
    return "\n\n".join(out)


def normalise_text(
    text: str,
    *,
    fix_mojibake: bool = True,
    join_lines: bool = True,
    strip_markup: bool = True,
    unicode_form: str | None = "NFC",
) -> str:
    """Repair a document's text: BOM, mojibake, line ends, page breaks, hyphenation, wrapping.

    The steps and their order are listed in the module docstring and in
    ``docs/corpus.md``. The function is idempotent:
    ``normalise_text(normalise_text(t)) == normalise_text(t)``.

    Parameters
    ----------
    text : str
        Decoded text (any line ends).
    fix_mojibake : bool, default True
        Repair UTF-8-read-as-cp1252 sequences (``â€œ``) with ftfy, only in text that
        looks broken.
    join_lines : bool, default True
        Join hard-wrapped lines into paragraphs (step 8). With False, single line
        breaks are kept (lines are still stripped of trailing spaces).
    strip_markup : bool, default True
        Remove Markdown emphasis asterisks, verbatim-record paragraph numbers and
        paragraphs that are only page furniture (page numbers, document symbols).
    unicode_form : {"NFC", "NFKC", "NFD", "NFKD"} or None, default "NFC"
        Unicode normalisation form; None skips it.

    Returns
    -------
    str
        Paragraphs separated by one blank line, no line breaks inside paragraphs.

    Examples
    --------
    >>> normalise_text("\\ufeffThe inter-\\r\\nnational com¬munity\\r\\nmet.\\r\\n\\r\\nNext.")
    'The international community met.\\n\\nNext.'
    """
    if not isinstance(text, str):
        raise TypeError(f"normalise_text expects a str, not {type(text).__name__}")
    if not text:
        return text
    # which rare characters are there? (one scan instead of one per step)
    rare = set(_RARE_RE.findall(text))
    # 1. mojibake (before step 2: a broken "í" is "Ã" + soft hyphen, an invisible character)
    if fix_mojibake and looks_broken(text):
        text = _fix_mojibake(text)
        rare = set(_RARE_RE.findall(text))
    # 2. invisible characters
    for ch in rare & _INVISIBLE:
        text = text.replace(ch, "")
    for ch in rare & _NBSP:
        text = text.replace(ch, " ")
    # 3. line ends
    if rare & _LINE_ENDS:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        for sep in "\u2028\u2029\u0085":
            text = text.replace(sep, "\n")
    # 4. form feeds and control characters
    if "\f" in rare:
        text = _remove_page_breaks(text)
    if rare & _CONTROLS:
        text = _CONTROL_RE.sub("", text)
    text = _collapse_spaces(text)
    # 5-6. ¬ and hyphenation across line breaks
    text = _resolve_breaks(text)
    # 7. markup
    if strip_markup:
        if "*" in rare:
            text = _collapse_spaces(_strip_emphasis(text))
        # paragraph numbers are removed line by line in step 8 (or here without it)
        if not join_lines:
            text = _PARA_NUMBER_RE.sub("\n" + _PARA_MARK, "\n" + text)[1:]
    # 8. paragraphs
    if join_lines:
        blocks = [
            p
            for b in _BLANK_RE.split(text)
            for p in _join_block(b, strip_markup).split("\n\n")
            if p
        ]
        if strip_markup:
            blocks = [b for b in blocks if not (len(b) < 60 and _PAGE_DEBRIS_RE.fullmatch(b))]
        merged: list[str] = []
        for block in blocks:
            # a "paragraph" that starts in lower case after one that ends mid-sentence
            # continues it (page breaks and stray blank lines in mid-sentence)
            if merged and block[0].islower() and not merged[-1].endswith(_SENTENCE_END):
                merged[-1] = merged[-1] + " " + block
            else:
                merged.append(block)
        text = "\n\n".join(merged)
    else:
        text = text.replace(_PARA_MARK, "\n")
        text = "\n".join(ln.strip() for ln in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
    text = text.strip()
    # 9. Unicode
    if any(ch in text for ch in _LIGATURES):
        for lig, rep in _LIGATURES.items():
            text = text.replace(lig, rep)
    if unicode_form:
        text = unicodedata.normalize(unicode_form, text)
    return text


#: American spelling of :func:`normalise_text`.
normalize_text = normalise_text
