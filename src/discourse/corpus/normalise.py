"""Text repair applied to every document on load (also usable on its own).

:func:`normalise_text` runs these steps, in this order (each is documented in
``docs/corpus.md``):

1. **Byte-order marks and invisible characters.** U+FEFF (BOM, anywhere), U+200B
   (zero-width space) and U+00AD (soft hyphen) are removed; no-break spaces become
   spaces.
2. **Mojibake.** Text that *looks* broken (it contains sequences such as ``â€``,
   ``Ã``, ``Â`` that UTF-8 read as cp1252 produces) is repaired with ``ftfy``; clean
   text is not touched (ftfy over 200 MB is slow, and the check is cheap). A
   fallback table then replaces any ``â€…`` sequence ftfy could not fix, so none is
   left.
3. **Line ends.** CRLF and bare CR become LF; U+2028/U+2029/U+0085 too.
4. **Form feeds** (page breaks) are removed with the blank lines around them: a page
   break after a finished sentence becomes a paragraph break, one in mid-sentence
   becomes a plain line break (joined in step 8). Other control characters go.
5. **``¬`` artefacts** (OCR hyphenation signs) are resolved like hyphenated line
   breaks (step 6); a stray ``¬`` elsewhere is removed.
6. **Words hyphenated across line breaks** (``inter-\\nnational``) are joined
   (``international``), unless the hyphen is real: the same document spells the
   hyphenated word elsewhere on one line, the second part starts with a capital or
   a digit, or the first part is a prefix that takes a hyphen (``self``, ``non``,
   ``multi``, ``e``...) and the joined word does not occur elsewhere in the document.
7. **Markup** (optional, on by default): Markdown emphasis asterisks (``**Summit**``,
   ``*Pact*``) are removed, and paragraph numbers of verbatim records (``38.`` at
   the start of a paragraph, before a capital letter) are removed and start a new
   paragraph. A lone ``*`` between spaces is kept.
8. **Hard-wrapped lines** are joined into paragraphs. A blank line is a paragraph
   break. Inside a block without blank lines, lines are joined with one space,
   except that a line ending a sentence and clearly shorter than the block's usual
   line width starts a new paragraph; when a block's lines are long (not wrapped:
   one paragraph per line), every line is a paragraph. Runs of spaces and tabs
   collapse to one space.
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

__all__ = ["normalise_text", "normalize_text", "looks_broken", "HYPHEN_PREFIXES"]

#: First parts that keep their hyphen when a word is broken across lines after them
#: and the joined form does not occur elsewhere in the same document.
HYPHEN_PREFIXES = frozenset(
    """self non multi e cross well vice ex anti semi half long short high low full
    so peace war people nation decision policy""".split()
)

_MOJIBAKE_RE = re.compile("[âÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|â€")
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
_LIGATURES = {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
_INVISIBLE_RE = re.compile("[\ufeff\u200b\u00ad]")
_NBSP_RE = re.compile("[\u00a0\u202f\u2007]")
_LINE_END_RE = re.compile("\r\n?|[\u2028\u2029\u0085]")
_FORM_FEED_RE = re.compile(r"[ \t]*(?:\n[ \t]*)*\f[\s\f]*")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NOT_SIGN_RE = re.compile(r"([^\W\d_]+)¬[ \t]*\n?[ \t]*([^\W_]+)")
_HYPHEN_BREAK_RE = re.compile(r"([^\W\d_]+)-[ \t]*\n[ \t]*([^\W_]+)")
_EMPHASIS_RE = re.compile(r"(?<!\s)\*+|\*+(?!\s)")
_PARA_NUMBER_RE = re.compile(r"(?m)^[ \t]*\d{1,3}\.[ \t]+(?=[\"'\u201c\u2018(]?[A-Z])")
_SPACES_RE = re.compile(r"[ \t\v]+")
_BLANK_RE = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = tuple(".!?:\"\u201d\u2019)")
_ABBREVIATIONS = frozenset("mr mrs ms dr prof st no nos art para vol pp p h.e messrs hon gen sr jr".split())
_PARA_MARK = "\u2029"  # marks a paragraph start found in step 7 (a character no text keeps)


def looks_broken(text: str) -> bool:
    """Return True when ``text`` shows mojibake (UTF-8 decoded as cp1252 or latin-1).

    A cheap test, used to run ``ftfy`` only where it is needed.
    """
    return _MOJIBAKE_RE.search(text) is not None


def _fix_mojibake(text: str) -> str:
    import ftfy

    fixed = ftfy.fix_encoding(text)
    if "â€" in fixed:
        for bad, good in _MOJIBAKE_FALLBACK:
            fixed = fixed.replace(bad, good)
    return fixed


def _join_decision(text: str, left: str, right: str, sep: str) -> str:
    """Join ``left`` and ``right`` (broken across a line or a ``¬``) or keep a hyphen."""
    joined = left + right
    hyphenated = left + "-" + right
    if right[0].isupper() or right[0].isdigit():
        return hyphenated
    if hyphenated in text:
        return hyphenated
    if left.lower() in HYPHEN_PREFIXES and joined not in text:
        return hyphenated
    return joined


def _resolve_breaks(text: str) -> str:
    if "¬" in text:
        text = _NOT_SIGN_RE.sub(lambda m: _join_decision(text, m.group(1), m.group(2), "¬"), text)
        text = text.replace("¬", "")
    if "-\n" in text or "- \n" in text:
        probe = text
        text = _HYPHEN_BREAK_RE.sub(lambda m: _join_decision(probe, m.group(1), m.group(2), "-"), text)
    return text


def _is_sentence_end(line: str) -> bool:
    if not line.endswith(_SENTENCE_END):
        return False
    if line.endswith("."):
        last = line.rsplit(None, 1)[-1].rstrip(".").lower()
        if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
            return False
    return True


def _join_block(block: str) -> str:
    lines = [ln.strip() for ln in block.split("\n")]
    lines = [ln for ln in lines if ln]
    if len(lines) <= 1:
        return lines[0] if lines else ""
    lengths = sorted(len(ln) for ln in lines)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    if width > 200:
        # Not hard-wrapped: one paragraph per line.
        return "\n\n".join(lines)
    short = 0.8 * width
    out: list[str] = []
    current: list[str] = [lines[0]]
    for prev, line in zip(lines, lines[1:]):
        if line.startswith(_PARA_MARK) or (len(prev) < short and len(lines) > 3 and _is_sentence_end(prev)):
            out.append(" ".join(current))
            current = [line]
        else:
            current.append(line)
    out.append(" ".join(current))
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
        Remove Markdown emphasis asterisks and verbatim-record paragraph numbers.
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
    # 1. invisible characters
    text = _INVISIBLE_RE.sub("", text)
    text = _NBSP_RE.sub(" ", text)
    # 2. mojibake
    if fix_mojibake and looks_broken(text):
        text = _fix_mojibake(text)
    # 3. line ends
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\u0085" in text:
        text = _LINE_END_RE.sub("\n", text)
    # 4. form feeds and control characters
    if "\f" in text:
        def _page_break(m: re.Match[str]) -> str:
            before = text[max(0, m.start() - 300) : m.start()].rstrip()
            return "\n\n" if (not before or _is_sentence_end(before[-200:])) else "\n"

        text = _FORM_FEED_RE.sub(_page_break, text)
    text = _CONTROL_RE.sub("", text)
    text = _SPACES_RE.sub(" ", text) if "\t" in text or "  " in text else text
    # 5-6. ¬ and hyphenation across line breaks
    text = _resolve_breaks(text)
    # 7. markup
    if strip_markup:
        if "*" in text:
            text = _EMPHASIS_RE.sub("", text)
        text = _PARA_NUMBER_RE.sub("\n" + _PARA_MARK, text)
    # 8. paragraphs
    if join_lines:
        blocks = _BLANK_RE.split(text)
        text = "\n\n".join(b for b in (_join_block(b) for b in blocks) if b)
        text = text.replace(_PARA_MARK, "")
    else:
        text = text.replace(_PARA_MARK, "")
        text = "\n".join(ln.strip() for ln in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text)
    text = _SPACES_RE.sub(" ", text).strip()
    # 9. Unicode
    if any(ch in text for ch in _LIGATURES):
        for lig, rep in _LIGATURES.items():
            text = text.replace(lig, rep)
    if unicode_form:
        text = unicodedata.normalize(unicode_form, text)
    return text


#: American spelling of :func:`normalise_text`.
normalize_text = normalise_text
