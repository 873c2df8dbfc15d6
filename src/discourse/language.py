"""The language of a document: ISO 639-1 code, ``"mixed"`` or ``"und"``.

:func:`detect_language` is what :func:`~discourse.load_corpus` calls for its
``language`` column (see ``docs/corpus.md``, *Language*). The rules:

Sample
    A text of at most :data:`SAMPLE_CHARS` characters is read whole; a longer one
    through three windows of ``SAMPLE_CHARS // 3`` characters (its start, middle and
    end), so that the cost per document is bounded and a bilingual document whose
    second language comes late is still seen.
Scripts
    Letters are counted by script: Han, kana and Hangul (CJK) characters count
    :data:`CJK_WEIGHT` letters each (a Chinese character carries about as much text
    as three Latin letters: a translation into English has about three times as
    many letters as the Chinese has characters); Latin, Cyrillic, Arabic, Greek,
    Hebrew and other letters one each. Fewer than :data:`MIN_LETTERS` weighted
    letters: ``"und"`` (undetermined).
Mixed
    When the two largest scripts (CJK counted as one) each hold at least
    :data:`MIXED_SHARE` (20 %) of the weighted letters, the document is ``"mixed"``
    (a Chinese press release with its English translation). Two languages written
    in one script (English and French) are not told apart: such a document gets the
    language of its sample as a whole.
CJK
    Han characters: ``"zh"`` (simplified and traditional alike); with kana making
    at least a tenth of the CJK characters: ``"ja"``; Hangul the majority: ``"ko"``.
Other scripts
    English is recognised directly when at least a quarter of the words of the
    sample's first :data:`ENGLISH_CHARS` characters are
    common English function words and under 5 % are those of French, Spanish,
    Portuguese, German or Italian (a fast path: the UN General Debate's 10,952
    speeches never reach the library). Everything else goes to `py3langid
    <https://pypi.org/project/py3langid/>`_ (a maintained fork of langid.py: 97
    languages in one small model, numpy only, deterministic), on at most
    :data:`MODEL_CHARS` characters of the sample. Its three-letter codes for
    varieties are folded (``ary``/``arz`` -> ``ar``); a code without an ISO 639-1
    form stays as the library gives it (ISO 639-3); ``zxx`` (no linguistic
    content) is ``"und"``.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "CJK_WEIGHT",
    "ENGLISH_CHARS",
    "MIN_LETTERS",
    "MIXED_SHARE",
    "MODEL_CHARS",
    "SAMPLE_CHARS",
    "detect_language",
    "is_cjk_char",
]

#: Characters read at most per document (three windows of a third each when longer).
SAMPLE_CHARS = 3000
#: Characters of the sample given to the language model at most (its cost is linear).
MODEL_CHARS = 400
#: Characters of the sample read by the English fast path.
ENGLISH_CHARS = 1000
#: Weight of one Han, kana or Hangul character in the letter counts.
CJK_WEIGHT = 3
#: Fewer weighted letters than this: ``"und"``.
MIN_LETTERS = 20
#: Share of the weighted letters that each of two scripts must reach for ``"mixed"``.
MIXED_SHARE = 0.2

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_HAN_RE = re.compile(f"[{_HAN}]")
_KANA_RE = re.compile(f"[{_KANA}]")
_HANGUL_RE = re.compile(f"[{_HANGUL}]")
_CJK_RE = re.compile(f"[{_HAN}{_KANA}{_HANGUL}]")
# scripts of one weight each; anything else that is a letter counts as "other"
_SCRIPTS = {
    "latin": re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]"),
    "cyrillic": re.compile("[\u0400-\u052f]"),
    "arabic": re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]"),
    "greek": re.compile("[\u0370-\u03ff\u1f00-\u1fff]"),
    "hebrew": re.compile("[\u0590-\u05ff]"),
}
# text that is only Latin letters, punctuation and symbols (the common case: one test)
_ONLY_LATIN_RE = re.compile(r"[^\x00-\u024f\u2000-\u206f\u20a0-\u20cf\u2100-\u214f]")
_WORD_RE = re.compile(r"[a-zà-öø-ÿ]+")

_EN = frozenset(
    """the of and to in is that for it with as was on are be by this have from not we has
    which our its an at will been their all these they must can would should also were
    there more than""".split()
)
_OTHER_LATIN = frozenset(
    """de la le les et des du est une pour que qui dans sur pas nous sont aux ces
    el los las y del por con una para es se lo como más pero sus
    os do da em não uma com são ao pelo pela
    der die und das ist nicht mit den von zu sich auf dem ein eine wir für
    il di che per sono della nel alla anche""".split()
)
# the language model's codes for varieties, and codes that mean "no language"
_FOLD = {"ary": "ar", "arz": "ar", "wuu": "zh", "yue": "zh", "uzs": "uz", "zxx": "und"}


def is_cjk_char(ch: str) -> bool:
    """Whether ``ch`` is a Han, kana or Hangul character.

    Parameters
    ----------
    ch : str
        One character.

    Returns
    -------
    bool

    Examples
    --------
    >>> is_cjk_char("中"), is_cjk_char("a"), is_cjk_char("，")
    (True, False, False)
    """
    return bool(_CJK_RE.fullmatch(ch))


def _sample(text: str) -> str:
    n = len(text)
    if n <= SAMPLE_CHARS:
        return text
    w = SAMPLE_CHARS // 3
    mid = (n - w) // 2
    return "\n".join((text[:w], text[mid : mid + w], text[n - w :]))


@lru_cache(maxsize=1)
def _identifier():
    # lazy: the model takes about half a second to load, and most corpora never need it
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=False)


def _english(sample: str) -> bool:
    words = _WORD_RE.findall(sample[:ENGLISH_CHARS].lower())
    if len(words) < 30:
        return False
    en = sum(1 for w in words if w in _EN)
    other = sum(1 for w in words if w in _OTHER_LATIN)
    return en >= 0.25 * len(words) and other < 0.05 * len(words)


def _model(sample: str) -> str:
    if len(sample) > MODEL_CHARS:
        # the middle of the sample: past greetings and titles
        start = (len(sample) - MODEL_CHARS) // 2
        sample = sample[start : start + MODEL_CHARS]
    code = str(_identifier().classify(sample)[0])
    return _FOLD.get(code, code)


def detect_language(text: str) -> str:
    """The language of a text: an ISO 639-1 code, ``"mixed"`` or ``"und"``.

    Parameters
    ----------
    text : str
        Any text; only a bounded sample of it is read (:data:`SAMPLE_CHARS`).

    Returns
    -------
    str
        ``"en"``, ``"zh"``, ``"fr"``, ``"es"``, ``"ar"``, ``"ru"``... (ISO 639-1; ISO
        639-3 for a language without a two-letter code); ``"mixed"`` when two scripts
        each hold at least :data:`MIXED_SHARE` of the letters (CJK characters counted
        :data:`CJK_WEIGHT` times); ``"und"`` for a text with fewer than
        :data:`MIN_LETTERS` weighted letters. Deterministic: same text, same code.

    Examples
    --------
    >>> detect_language("世界互联网大会秘书长在2023年世界互联网大会乌镇峰会开幕式上致辞。")
    'zh'
    >>> detect_language("The minister said that the digital divide is closing, and that "
    ...                 "the rules for artificial intelligence must be written by all of us "
    ...                 "together, in the open, with the people who will live with them.")
    'en'
    >>> detect_language("人工智能安全是国际社会共同关注的问题。 "
    ...                 "AI safety is a question for the whole international community.")
    'mixed'
    >>> detect_language("OK")
    'und'
    """
    if not isinstance(text, str) or not text:
        return "und"
    sample = _sample(text)
    if not _ONLY_LATIN_RE.search(sample):
        # one script: only whether there are enough letters matters (counted on a prefix)
        counts = {"latin": len(_SCRIPTS["latin"].findall(sample, 0, 4 * MIN_LETTERS))}
        if counts["latin"] < MIN_LETTERS:
            counts["latin"] = len(_SCRIPTS["latin"].findall(sample))
        cjk = 0
    else:
        cjk = len(_CJK_RE.findall(sample))
        counts = {name: len(rx.findall(sample)) for name, rx in _SCRIPTS.items()}
        letters = sum(1 for ch in sample if ch.isalpha())
        counts["other"] = max(0, letters - cjk - sum(counts.values()))
    counts["cjk"] = cjk * CJK_WEIGHT
    total = sum(counts.values())
    if total < MIN_LETTERS:
        return "und"
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    top, n_second = ranked[0][0], ranked[1][1]
    if n_second >= MIXED_SHARE * total:
        return "mixed"
    if top == "cjk":
        kana = len(_KANA_RE.findall(sample))
        hangul = len(_HANGUL_RE.findall(sample))
        if hangul > cjk / 2:
            return "ko"
        if kana >= cjk / 10:
            return "ja"
        return "zh"
    rest = _CJK_RE.sub(" ", sample) if cjk else sample
    if top == "latin" and _english(rest):
        return "en"
    return _model(rest)
