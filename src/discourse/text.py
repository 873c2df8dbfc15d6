"""One tokeniser, sentence and paragraph splitting, stop words and stemming.

Every feature of the package (theme matching, KWIC, topic models, distinctive terms)
uses the definitions here, so that they agree on what a word and a sentence are.

Tokens
    A token is a maximal run of letters and digits (``[^\\W_]+``, Unicode-aware).
    Apostrophes, hyphens and other punctuation separate tokens: ``"AI's"`` gives
    ``["ai", "s"]`` and ``"multi-stakeholder"`` gives ``["multi", "stakeholder"]``.
    Tokens are lower-cased by :func:`tokenize` (``str.lower``). Because dictionary
    patterns are tokenised by the same rule, ``multi-stakeholder`` in a dictionary
    matches "multi-stakeholder", "multi stakeholder" and "multi-\\nstakeholder".

Chinese (one tokeniser, two scripts)
    A run of Han characters (:data:`HAN_CHAR`) is segmented into words by jieba's
    dictionary and HMM, through ``rjieba`` (the Rust port of jieba: the same words as
    ``jieba``, about 20 times faster, no start-up log), on the simplified form of the text
    (:func:`to_simplified`, so traditional text is cut as simplified text is). Every
    other stretch keeps the rule above, and the two meet at script changes: ``"5G网络"``
    gives ``["5g", "网络"]``. The segmentation never depends on a dictionary of themes,
    so the number of tokens of a text (the denominator of every rate) is the same for
    every dictionary. Segmenting is deterministic.

Sentences
    Sentences end at ``.``, ``!`` or ``?`` (optionally followed by closing quotes or
    brackets) when whitespace and an upper-case letter, digit or opening quote
    follow, and the word before the stop is not a known abbreviation ("Mr.", "Dr.",
    "No.", single initials). A blank line (paragraph break) always ends a sentence.
    A lower-case word after a full stop does not start a sentence: this keeps OCR
    and conversion debris ("word. word", where a comma became a period) inside one
    sentence (a Chinese character after the space counts as upper case: Chinese has
    no case). A Chinese full stop, exclamation or question mark or semicolon
    (``。！？；``, optionally followed by closing quotes or brackets) always ends a
    sentence, with or without a space after it. nltk's punkt model is used instead only when asked for
    (``method="punkt"``) and installed.

Paragraphs
    Paragraphs are separated by one or more blank lines (after normalisation).

nltk data (punkt, stopwords, wordnet) is optional: nothing here needs it, and
:func:`nltk_data_status` says what is installed. The Snowball stemmer needs no data.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

import numpy as np

__all__ = [
    "TOKEN_CHAR",
    "NON_TOKEN_CHAR",
    "TOKEN_PATTERN",
    "TOKEN_RE",
    "HAN_CHAR",
    "has_han",
    "han_spans",
    "to_simplified",
    "tokenize",
    "iter_token_spans",
    "token_spans",
    "split_sentences",
    "sentence_spans",
    "split_paragraphs",
    "paragraph_spans",
    "count_tokens",
    "SPEECH_BOILERPLATE",
    "CHINESE_SPEECH_BOILERPLATE",
    "STOP_WORD_LANGUAGES",
    "stop_words",
    "stem",
    "stem_tokens",
    "lemmatize_tokens",
    "nltk_data_status",
]

#: Regular expression of one token character: a letter or digit of any script (``\w``
#: without ``_``; exactly the characters for which ``str.isalnum()`` is true). The one
#: definition of the token character class: every pattern that needs it (the tokeniser,
#: theme patterns, the matcher, the topic vocabulary, text repair) is built from it, and
#: ``tests/test_architecture.py`` fails if another module writes its own.
TOKEN_CHAR = r"[^\W_]"
#: Regular expression of one character that is not part of a token (separates tokens).
NON_TOKEN_CHAR = r"[\W_]"
#: Regular expression (as a string) of one token; usable as scikit-learn's ``token_pattern``.
TOKEN_PATTERN = TOKEN_CHAR + "+"
#: Compiled :data:`TOKEN_PATTERN`.
TOKEN_RE = re.compile(TOKEN_PATTERN)

#: Regular expression of one Han (Chinese) character: the CJK unified ideographs, their
#: extensions A to H, the compatibility ideographs and the ideographic zero. Runs of them
#: are segmented into words (module docstring); all of them are :data:`TOKEN_CHAR`.
HAN_CHAR = "[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_HAN_RE = re.compile(HAN_CHAR)
_HAN_RUN_RE = re.compile(HAN_CHAR + "+")


def has_han(text: str) -> bool:
    """Whether ``text`` holds a Han (Chinese) character.

    Fast on text without one, which is what every English document costs the Chinese
    path: ASCII text is told by a flag, other text by the largest UTF-16 code unit
    (1.7 G characters/s, against 0.2 for a regex search), and only text with a code unit
    from U+3007 up is searched.
    """
    if text.isascii():
        return False
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    return bool(units.max() >= 0x3007) and _HAN_RE.search(text) is not None


def han_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of the maximal runs of Han characters of ``text``."""
    if text.isascii():
        return []
    return [m.span() for m in _HAN_RUN_RE.finditer(text)]


@functools.lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters of ``text`` converted to simplified ones.

    OpenCC's ``t2s`` conversion, characters and phrases (數位落差 -> 数位落差; it
    converts scripts, not vocabulary: Taiwan's 數位 stays 数位, not mainland 数字, so a
    dictionary lists both). The result always has
    the length of ``text`` and keeps every other character where it was, so that
    offsets found in it (matches, tokens) hold in the original text, which is what is
    displayed: a stretch that OpenCC would lengthen or shorten is converted character by
    character instead. Text without a Han character is returned as is.

    Examples
    --------
    >>> to_simplified("彌合數位落差")
    '弥合数位落差'
    """
    if not has_han(text):
        return text
    cc = _opencc()
    try:
        out = cc.convert(text)
        if len(out) == len(text):
            return out
    except UnicodeEncodeError:  # a lone surrogate (badly decoded text): convert the Han runs only
        pass
    # rare: a phrase whose conversion changes length. Convert run by run, and a run
    # that still changes length character by character (offsets must hold)
    parts = []
    last = 0
    for s, e in han_spans(text):
        parts.append(text[last:s])
        run = text[s:e]
        conv = cc.convert(run)
        if len(conv) != len(run):
            conv = "".join(c if len(c) == 1 else ch for ch, c in ((ch, cc.convert(ch)) for ch in run))
        parts.append(conv)
        last = e
    parts.append(text[last:])
    return "".join(parts)


@functools.lru_cache(maxsize=1)
def _segmenter():
    import rjieba

    return rjieba.Jieba()


def _han_word_arrays(simple: str, runs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets of the words of the Han runs of ``simple`` (simplified text)."""
    # one call for all runs: jieba cuts at every character that is not Han, letter or
    # digit, so runs joined by a line break are segmented exactly as one by one
    joined = "\n".join(simple[s:e] for s, e in runs)
    words = _segmenter().cut(joined, True)
    lens = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    jend = np.cumsum(lens)
    if not len(jend) or jend[-1] != len(joined):  # pragma: no cover - the segmenter's contract
        raise RuntimeError("the Chinese segmenter lost characters; please report this text")
    jstart = jend - lens
    run = np.asarray(runs, dtype=np.int64)
    run_len = run[:, 1] - run[:, 0]
    run_jstart = np.zeros(len(runs), dtype=np.int64)
    run_jstart[1:] = np.cumsum(run_len + 1)[:-1]  # +1: the line break joining them
    keep = ~np.isin(jstart, run_jstart[1:] - 1)  # the line breaks
    jstart, lens = jstart[keep], lens[keep]
    idx = np.searchsorted(run_jstart, jstart, side="right") - 1
    starts = jstart + (run[:, 0] - run_jstart)[idx]
    return starts, starts + lens


def _segment(text: str) -> tuple[str, np.ndarray, np.ndarray]:
    """(simplified text, token starts, token ends) of a text: Han runs cut into words."""
    runs = han_spans(text)
    if not runs:
        spans = np.array([m.span() for m in TOKEN_RE.finditer(text)], dtype=np.int64).reshape(-1, 2)
        return text, spans[:, 0], spans[:, 1]
    simple = to_simplified(text)
    blanked = _HAN_RUN_RE.sub(lambda m: " " * (m.end() - m.start()), text)
    other = np.array([m.span() for m in TOKEN_RE.finditer(blanked)], dtype=np.int64).reshape(-1, 2)
    hs, he = _han_word_arrays(simple, runs)
    starts = np.concatenate([other[:, 0], hs])
    ends = np.concatenate([other[:, 1], he])
    order = np.argsort(starts, kind="stable")
    return simple, starts[order], ends[order]


def _han_word_spans(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Word spans of the Han runs of ``text`` (segmented on its simplified form)."""
    starts, ends = _han_word_arrays(to_simplified(text), runs)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _mixed_token_spans(text: str) -> list[tuple[int, int]]:
    """Token spans of a text holding Han characters: other scripts by TOKEN_RE, Han by words."""
    _, starts, ends = _segment(text)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def tokenize(text: str, *, lower: bool = True) -> list[str]:
    """Split ``text`` into tokens (see the module docstring for the rule).

    Parameters
    ----------
    text : str
        Any text.
    lower : bool, default True
        Lower-case the tokens.

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("AI's risks, multi-stakeholder\\ngovernance!")
    ['ai', 's', 'risks', 'multi', 'stakeholder', 'governance']
    >>> tokenize("弥合数字鸿沟, AI安全")
    ['弥合', '数字', '鸿沟', 'ai', '安全']

    Chinese words are returned as written (traditional characters stay traditional);
    they are segmented on the simplified form.
    """
    if has_han(text):
        spans = _mixed_token_spans(text)
        if lower:
            return [text[s:e].lower() for s, e in spans]
        return [text[s:e] for s, e in spans]
    if lower:
        text = text.lower()
    return TOKEN_RE.findall(text)


def iter_token_spans(text: str) -> Iterator[tuple[int, int]]:
    """Yield the ``(start, end)`` character offsets of each token of ``text``."""
    if has_han(text):
        yield from _mixed_token_spans(text)
        return
    for m in TOKEN_RE.finditer(text):
        yield m.span()


def token_spans(text: str) -> list[tuple[int, int]]:
    """Return the ``(start, end)`` character offsets of every token of ``text``.

    Chinese text is segmented into words (module docstring).
    """
    if has_han(text):
        return _mixed_token_spans(text)
    return [m.span() for m in TOKEN_RE.finditer(text)]


def count_tokens(text: str) -> int:
    """Return the number of tokens in ``text`` (same rule as :func:`tokenize`).

    In Chinese a token is a segmented word, so rates per 1,000 tokens of Chinese text are
    per 1,000 words, as for other languages.
    """
    if has_han(text):
        return len(_segment(text)[1])
    return len(TOKEN_RE.findall(text))  # 1.5x faster than counting finditer matches


# --- sentences -------------------------------------------------------------------

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof st no nos art arts para paras vol pp p fig figs sec
    gen col lt maj capt sgt hon rev sr jr messrs mme mlle e.g i.e etc vs cf approx
    jan feb mar apr jun jul aug sep sept oct nov dec inc ltd co corp dept govt u.s
    u.k u.n""".split()
)
# A candidate end of sentence: terminal punctuation, optional closers, then whitespace.
_SENT_END_RE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s)")
# A Chinese end of sentence (always one, whatever follows): 。！？； then closers.
_ZH_SENT_END_RE = re.compile("[\u3002\uff01\uff1f\uff1b]+[\"'\u201d\u2019\u300d\u300f\uff09)\\]]*")
_PARA_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
_OPENERS = "\"'\u201c\u2018([*"
_WORD_BEFORE_RE = re.compile(r"([^\W\d_][\w.]*)\.$")


def _is_boundary(text: str, end: int, stop: int) -> bool:
    """Decide whether the punctuation run ``text[stop:end]`` ends a sentence."""
    n = len(text)
    j = end
    while j < n and text[j].isspace():
        j += 1
    if j >= n:
        return True
    nxt = text[j]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS or _HAN_RE.match(nxt)):
        return False
    if text[stop] == ".":
        m = _WORD_BEFORE_RE.search(text, max(0, stop - 20), stop + 1)
        if m:
            word = m.group(1).lower()
            if word in _ABBREVIATIONS or len(word) == 1:
                return False
    return True


def sentence_spans(text: str, *, method: str = "regex") -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences of ``text``.

    Parameters
    ----------
    text : str
    method : {"regex", "punkt"}, default "regex"
        ``"regex"`` needs no data (rule in the module docstring). ``"punkt"`` uses
        nltk's punkt model inside each paragraph, and raises ``LookupError`` with
        instructions when that model is not installed.

    Returns
    -------
    list of (int, int)
        Spans cover the text without overlap; surrounding whitespace is trimmed.
    """
    spans: list[tuple[int, int]] = []
    for p_start, p_end in paragraph_spans(text):
        para = text[p_start:p_end]
        if method == "punkt":
            for s, e in _punkt().span_tokenize(para):
                spans.append((p_start + s, p_start + e))
            continue
        if method != "regex":
            raise ValueError(f'method must be "regex" or "punkt", not {method!r}')
        start = 0
        ends = [m.end() for m in _SENT_END_RE.finditer(para) if _is_boundary(para, m.end(), m.start())]
        if not para.isascii():
            zh = [m.end() for m in _ZH_SENT_END_RE.finditer(para)]
            if zh:
                ends = sorted(set(ends + zh))
        for end in ends:
            if end <= start:
                continue
            spans.append((p_start + start, p_start + end))
            start = end
            while start < len(para) and para[start].isspace():
                start += 1
        if start < len(para):
            spans.append((p_start + start, p_end))
    return [(s, e) for s, e in spans if e > s]


def split_sentences(text: str, *, method: str = "regex") -> list[str]:
    """Split ``text`` into sentences; see :func:`sentence_spans`.

    Examples
    --------
    >>> split_sentences("Mr. Smith spoke. The divide grows. word. word")
    ['Mr. Smith spoke.', 'The divide grows. word. word']
    """
    return [text[s:e] for s, e in sentence_spans(text, method=method)]


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the blank-line separated paragraphs of ``text``."""
    spans = []
    start = 0
    for m in _PARA_BREAK_RE.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_paragraphs(text: str) -> list[str]:
    """Split ``text`` at blank lines into paragraphs (whitespace-trimmed, none empty)."""
    return [text[s:e] for s, e in paragraph_spans(text)]


# --- stop words ------------------------------------------------------------------

#: Formulas of speeches and conference addresses that carry no subject matter.
#: They are removed from topic models and distinctive terms by default; extend
#: them with ``stop_words(extra=[...])``.
SPEECH_BOILERPLATE: tuple[str, ...] = (
    "mr president", "madam president", "mr chairman", "madam chair", "mr secretary general",
    "secretary general", "distinguished delegates", "distinguished guests",
    "ladies and gentlemen", "excellencies", "excellency", "honourable", "honorable",
    "dear colleagues", "dear friends", "thank you", "general assembly", "session",
    "delegation", "delegations", "allow me", "wish to", "like to", "let me",
    "united nations", "organization", "statement", "today", "year", "years",
    "also", "would", "must", "shall", "may", "us", "one", "new", "world",
    "country", "countries", "people", "peoples", "international", "nations",
    "president", "assembly", "general", "state", "states", "government",
    "pv",
)


#: The same formulas in Chinese speeches (salutations, thanks, and the words every speech
#: at these events repeats: world, countries, international, people, today, this year).
#: Dropped with :data:`SPEECH_BOILERPLATE` when the Chinese list is asked for.
CHINESE_SPEECH_BOILERPLATE: tuple[str, ...] = (
    "女士们", "先生们", "各位", "嘉宾", "朋友们", "同志们", "尊敬", "大家好", "谢谢",
    "世界", "各国", "国家", "国际", "人民", "今天", "今年",
)

#: Languages with a shipped stop-word list: English (scikit-learn's list) and Chinese
#: (Stopwords ISO, ``discourse/data/stopwords-zh.txt``, MIT licence, source in its header).
STOP_WORD_LANGUAGES: tuple[str, ...] = ("en", "zh")


@functools.lru_cache(maxsize=1)
def _chinese_stop_words() -> frozenset[str]:
    from importlib.resources import files

    text = files("discourse").joinpath("data", "stopwords-zh.txt").read_text(encoding="utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


def stop_words(
    extra: Iterable[str] | None = None,
    *,
    boilerplate: bool = True,
    nltk_list: bool = False,
    language: str | Iterable[str] = "en",
) -> frozenset[str]:
    """Return the stop-word set used for topic models and distinctive terms.

    Parameters
    ----------
    extra : iterable of str, optional
        More words (or phrases, which are split into their tokens) to drop.
    boilerplate : bool, default True
        Include the tokens of :data:`SPEECH_BOILERPLATE` (and, with Chinese, of
        :data:`CHINESE_SPEECH_BOILERPLATE`).
    nltk_list : bool, default False
        Add nltk's English stop-word list. Raises ``LookupError`` with install
        instructions when nltk's ``stopwords`` data is not installed.
    language : str or iterable of str, default "en"
        Whose lists: ``"en"`` (scikit-learn's English list), ``"zh"`` (the Chinese list
        of Stopwords ISO, shipped in ``discourse/data/stopwords-zh.txt``, MIT licence),
        or several, e.g. :data:`STOP_WORD_LANGUAGES` for a bilingual corpus (the topic
        models and distinctive terms use that: a Chinese stop word is never an English
        token, so English results do not change). The Chinese list is in simplified
        characters.

    Returns
    -------
    frozenset of str
        Lower-case single tokens: the lists asked for, plus the above.

    Examples
    --------
    >>> "的" in stop_words(language="zh"), "the" in stop_words(language="zh")
    (True, False)
    >>> {"the", "的"} <= stop_words(language=STOP_WORD_LANGUAGES)
    True
    """
    langs = {language} if isinstance(language, str) else set(language)
    unknown = langs - set(STOP_WORD_LANGUAGES)
    if unknown or not langs:
        raise ValueError(
            f"no stop-word list for language {sorted(unknown) or language!r}: the shipped lists are "
            f"{', '.join(STOP_WORD_LANGUAGES)}; pass other words with extra=[...]"
        )
    words: set[str] = set()
    if "en" in langs:
        # imported here: sklearn takes seconds to import, and reading a corpus needs none of it
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        words.update(ENGLISH_STOP_WORDS)
        if boilerplate:
            for phrase in SPEECH_BOILERPLATE:
                words.update(tokenize(phrase))
    if "zh" in langs:
        words.update(_chinese_stop_words())
        if boilerplate:
            for phrase in CHINESE_SPEECH_BOILERPLATE:
                words.update(tokenize(phrase))
    if nltk_list:
        words.update(_nltk_stopwords())
    if extra is not None:
        if isinstance(extra, str):
            extra = [extra]
        for phrase in extra:
            words.update(tokenize(phrase))
    return frozenset(words)


# --- stemming and lemmatisation -----------------------------------------------------


@functools.lru_cache(maxsize=1)
def _snowball():
    from nltk.stem.snowball import SnowballStemmer

    return SnowballStemmer("english")


@functools.lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """Return the Snowball (Porter 2) stem of a lower-case token. Needs no nltk data."""
    return _snowball().stem(token)


def stem_tokens(tokens: Iterable[str]) -> list[str]:
    """Stem every token (cached, so repeated words cost one look-up)."""
    return [stem(t) for t in tokens]


_NLTK_RESOURCES = {
    "punkt": ("tokenizers/punkt_tab", "tokenizers/punkt"),
    "stopwords": ("corpora/stopwords",),
    "wordnet": ("corpora/wordnet", "corpora/wordnet.zip"),
}


def _nltk_has(name: str) -> bool:
    import nltk

    for resource in _NLTK_RESOURCES[name]:
        try:
            nltk.data.find(resource)
            return True
        except LookupError:
            continue
    return False


def nltk_data_status() -> dict[str, bool]:
    """Say which optional nltk data packages are installed.

    Returns
    -------
    dict
        ``{"punkt": bool, "stopwords": bool, "wordnet": bool}``. None of them is
        required; each enables an option (punkt sentences, nltk's stop-word list,
        lemmatisation).
    """
    return {name: _nltk_has(name) for name in _NLTK_RESOURCES}


def _missing(name: str, feature: str) -> LookupError:
    return LookupError(
        f"{feature} needs nltk's '{name}' data, which is not installed. Install it with "
        f"`python -m nltk.downloader {name}` (or copy it into a folder on NLTK_DATA), or "
        f"leave the option off: discourse works without it."
    )


@functools.lru_cache(maxsize=1)
def _punkt():
    if not _nltk_has("punkt"):
        raise _missing("punkt", 'Sentence splitting with method="punkt"')
    try:  # nltk >= 3.8.2 reads the punkt_tab data
        from nltk.tokenize.punkt import PunktTokenizer

        return PunktTokenizer("english")
    except (ImportError, LookupError):
        import nltk

        return nltk.data.load("tokenizers/punkt/english.pickle")


def _nltk_stopwords() -> list[str]:
    if not _nltk_has("stopwords"):
        raise _missing("stopwords", "nltk's stop-word list")
    from nltk.corpus import stopwords

    return stopwords.words("english")


@functools.lru_cache(maxsize=1)
def _wordnet_lemmatizer():
    if not _nltk_has("wordnet"):
        raise _missing("wordnet", "Lemmatisation")
    from nltk.stem import WordNetLemmatizer

    return WordNetLemmatizer()


def lemmatize_tokens(tokens: Iterable[str]) -> list[str]:
    """Lemmatise tokens with nltk's WordNet lemmatiser.

    Raises
    ------
    LookupError
        When nltk's ``wordnet`` data is not installed; the message says how to
        install it. Use :func:`stem_tokens` instead, which needs no data.
    """
    lem = _wordnet_lemmatizer()
    cache: dict[str, str] = {}
    out = []
    for t in tokens:
        if t not in cache:
            cache[t] = lem.lemmatize(t)
        out.append(cache[t])
    return out
