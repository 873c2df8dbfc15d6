"""Theme counts, frequencies by group, KWIC, co-occurrence, term suggestions and validation.

Every function takes a corpus table (one row per document, with ``doc_id`` and
``text``; see :func:`discourse.load_corpus`) and returns a new tidy DataFrame; the
corpus is never modified. The matching rules are those of
:mod:`discourse.themes.matcher`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import NotFittedError

from discourse._dask import is_dask
from discourse.corpus.table import check_corpus, corpus_texts
from discourse.errors import CorpusError, DictionaryError
from discourse.stats import ratio_intervals
from discourse.text import (
    HAN_CHAR,
    TOKEN_RE,
    han_spans,
    has_han,
    paragraph_spans,
    sentence_spans,
    stop_words,
    token_spans,
)
from discourse.themes._patterns import PatternSyntaxError, parse_pattern, parse_zh_pattern
from discourse.themes.dictionary import (
    Dictionary,
    LanguagePatterns,
    Theme,
    default_dictionary,
    load_dictionary,
)
from discourse.themes.matcher import Matcher

__all__ = [
    "theme_counts",
    "theme_frequencies",
    "kwic",
    "theme_cooccurrence",
    "ThemeCounter",
    "suggest_terms",
    "validate_dictionary",
    "DictionaryValidation",
    "document_languages",
]

_MATCHERS: dict[int, tuple[Dictionary, Matcher]] = {}


def _matcher(dictionary: Dictionary) -> Matcher:
    key = id(dictionary)
    hit = _MATCHERS.get(key)
    if hit is None or hit[0] is not dictionary:
        if len(_MATCHERS) > 16:
            _MATCHERS.clear()
        hit = (dictionary, Matcher(dictionary))
        _MATCHERS[key] = hit
    return hit[1]


def _dictionary(dictionary) -> Dictionary:
    if dictionary is None:
        return default_dictionary()
    return load_dictionary(dictionary)


def _count_matrix(frame: pd.DataFrame, dictionary: Dictionary) -> tuple[np.ndarray, np.ndarray]:
    if not len(frame):  # nothing to match (e.g. a Dask frame's empty meta): no matcher to build
        return np.zeros((0, len(dictionary.themes)), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return _matcher(dictionary).counts(corpus_texts(frame))


# --- languages the dictionary speaks ---------------------------------------------------------

#: Values of a ``language`` column that name no one language: "und" (undetermined: too
#: short or empty) and "mixed" (several languages; see :func:`document_languages`).
UNDETERMINED, MIXED = "und", "mixed"
_HAN_ANY = re.compile(HAN_CHAR)


def _script_language(text: str, own: str) -> str:
    """A document's language from its script alone: "zh", "mixed", or ``own``.

    Without a ``language`` column only Chinese can be told apart: words are estimated from
    characters (a Chinese word ~1.5 Han characters, another word ~5 letters); a text whose
    other-script words are at most a tenth is "zh", one whose Chinese words are at most a
    tenth is in the dictionary's own language, any other is "mixed".
    """
    if not has_han(text):
        return own
    han = sum(e - s for s, e in han_spans(text))
    other = sum(len(t) for t in TOKEN_RE.findall(text)) - han
    zh_words, other_words = han / 1.5, other / 5.0
    total = zh_words + other_words
    if other_words <= 0.1 * total:
        return "zh"
    if zh_words <= 0.1 * total:
        return own
    return MIXED


def _base(code: str) -> str:
    return code.split("-")[0].split("_")[0].strip().lower()


def document_languages(corpus, dictionary=None) -> pd.DataFrame:
    """The language of every document and whether the dictionary speaks it.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table; its ``language`` column (ISO 639-1 codes, "mixed", "und", as
        :func:`discourse.load_corpus` gives it) is used when present.
    dictionary : Dictionary, path or mapping, optional
        Default: :func:`default_dictionary`.

    Returns
    -------
    DataFrame
        ``doc_id``, ``language`` (the column's value, lower-cased; without the column:
        "zh" or "mixed" from the script, else the dictionary's own language, assumed),
        ``spoken`` (the dictionary has patterns in that language, see
        :attr:`Dictionary.languages`; an "und" document counts as spoken; a "mixed" one is
        spoken when the dictionary has patterns for Chinese and the text has Chinese
        characters, or patterns in a language other than Chinese). Documents that are not
        spoken are left out of theme shares and rates (``docs/dictionaries.md``).

    Examples
    --------
    >>> import pandas as pd
    >>> corpus = pd.DataFrame({"doc_id": ["a", "b"], "text": ["La fracture numérique.", "数字鸿沟"],
    ...                        "language": ["fr", "zh"]})
    >>> document_languages(corpus)
      doc_id language  spoken
    0      a       fr   False
    1      b       zh    True
    """
    d = _dictionary(dictionary)
    frame = check_corpus(corpus)
    langs = _languages(frame, d)
    return pd.DataFrame({"doc_id": frame["doc_id"].to_numpy(), "language": langs,
                         "spoken": _spoken(langs, frame, d)})


def _languages(frame: pd.DataFrame, d: Dictionary) -> np.ndarray:
    if "language" in frame.columns:
        col = frame["language"]
        return np.array([UNDETERMINED if not isinstance(v, str) or not v.strip() else v.strip().lower()
                         for v in col.astype(object)], dtype=object)
    return np.array([_script_language(t, d.language) for t in corpus_texts(frame)], dtype=object)


def _spoken(langs: np.ndarray, frame: pd.DataFrame, d: Dictionary) -> np.ndarray:
    """Which documents the dictionary speaks (see :func:`document_languages`); the text of
    a document is read only where its language is "mixed" and the answer depends on it."""
    speaks = {_base(x) for x in d.languages}
    other = bool(speaks - {"zh"})
    out = np.ones(len(langs), dtype=bool)
    mixed = []
    for i, lang in enumerate(langs):
        base = _base(lang)
        if base in ("", UNDETERMINED):
            continue
        if base == MIXED:
            if other or "zh" not in speaks:
                out[i] = other
            else:
                mixed.append(i)
        else:
            out[i] = base in speaks
    if mixed:
        texts = corpus_texts(frame.iloc[mixed])
        out[mixed] = [_HAN_ANY.search(t) is not None for t in texts]
    return out


#: The units a theme can be found in: a sentence or paragraph holds a theme when one of
#: the theme's counted matches starts in it (sentences of
#: :func:`discourse.text.sentence_spans`, paragraphs of :func:`discourse.text.paragraph_spans`).
UNITS = ("document", "sentence", "paragraph")


def _check_unit(unit: str, allowed=UNITS) -> str:
    if unit not in allowed:
        raise ValueError(f"unit must be one of {', '.join(map(repr, allowed))}, not {unit!r}")
    return unit


def unit_spans(text: str, unit: str) -> list[tuple[int, int]]:
    """Character spans of the units of one text (a document is one unit, even when empty)."""
    _check_unit(unit)
    if unit == "sentence":
        return sentence_spans(text)
    if unit == "paragraph":
        return paragraph_spans(text)
    return [(0, len(text))]


@dataclass
class UnitMatches:
    """Units of a corpus and the themes found in each (see :func:`unit_theme_matrix`)."""

    row: np.ndarray  # position of the unit's document in the corpus table
    start: np.ndarray  # character offsets of the unit in its document's text
    end: np.ndarray
    present: np.ndarray  # (n_units, n_themes) 0/1: a counted match starts in the unit
    counts: np.ndarray  # (n_docs, n_themes) matches per document, as theme_counts counts them
    n_tokens: np.ndarray  # tokens per document


def unit_theme_matrix(corpus, dictionary=None, unit: str = "sentence") -> UnitMatches:
    """Split every document into units and say which themes each unit holds.

    One scan of the corpus gives both the per-document counts of :func:`theme_counts`
    and the per-unit presence: a unit holds a theme when one of the theme's counted
    matches starts inside it (the same rule as :func:`theme_cooccurrence`).
    """
    _check_unit(unit)
    d = _dictionary(dictionary)
    frame = check_corpus(corpus)
    texts = corpus_texts(frame)
    k = len(d.theme_ids)
    m = _matcher(d)
    rows, starts, ends, hits = [], [], [], []
    counts = np.zeros((len(texts), k), dtype=np.int64)
    n_tok = np.zeros(len(texts), dtype=np.int64)
    base = 0
    for dm in m.scan(texts):
        n_tok[dm.doc] = dm.n_tokens
        spans = unit_spans(texts[dm.doc], unit)
        u_starts = [s for s, _ in spans]
        for theme, _u, s, _e in dm.matches:
            counts[dm.doc, theme] += 1
            if spans:
                hits.append((base + max(0, bisect.bisect_right(u_starts, s) - 1), theme))
        rows.extend([dm.doc] * len(spans))
        starts.extend(u_starts)
        ends.extend(e for _, e in spans)
        base += len(spans)
    present = np.zeros((base, k), dtype=np.int8)
    if hits:
        h = np.asarray(hits, dtype=np.int64)
        present[h[:, 0], h[:, 1]] = 1
    return UnitMatches(np.asarray(rows, dtype=np.int64), np.asarray(starts, dtype=np.int64),
                       np.asarray(ends, dtype=np.int64), present, counts, n_tok)


# --- counts and frequencies -------------------------------------------------------------


def theme_counts(corpus, dictionary=None, *, unit: str = "document") -> pd.DataFrame:
    """Count each theme in each document.

    Parameters
    ----------
    corpus : DataFrame
        A corpus table with ``doc_id`` and ``text`` (a list of texts also works; its
        doc_id is then the position). A Dask DataFrame gives a lazy Dask DataFrame of
        the same rows, partition by partition (``docs/scale.md``).
    dictionary : Dictionary, path or mapping, optional
        Default: :func:`default_dictionary`.
    unit : {"document", "sentence", "paragraph"}, default "document"
        With ``"sentence"`` (or ``"paragraph"``) three columns are added:
        ``n_units`` (sentences of the document, by :func:`discourse.text.sentence_spans`),
        ``units_with_theme`` (sentences in which one of the theme's counted matches
        starts) and ``share_units`` (their share; NaN for a document with no text).

    Returns
    -------
    DataFrame
        One row per document x theme, zeros included, in corpus then dictionary order:
        ``doc_id``, ``theme``, ``count`` (matches counted by the rules of
        :mod:`discourse.themes.matcher`), ``n_tokens`` (tokens of the document),
        ``per_1k`` (count per 1,000 tokens; NaN for an empty document, and for a
        document in a language the dictionary has no patterns for), the unit columns
        above, then ``language`` and ``spoken`` (:func:`document_languages`: a row with
        ``spoken`` False is not a zero, its document is left out of shares and rates).
        Tokens of Chinese text are its segmented words (:mod:`discourse.text`).

    Examples
    --------
    >>> import pandas as pd
    >>> d = {"themes": {"divide": {"patterns": ["digital divide"]}}}
    >>> theme_counts(pd.DataFrame({"doc_id": ["a"], "text": ["The digital divide."]}), d)
      doc_id   theme  count  n_tokens  per_1k language  spoken
    0      a  divide      1         3  333.33...       en    True
    """
    _check_unit(unit)
    d = _dictionary(dictionary)
    if is_dask(corpus):  # the Dask path: a lazy Dask frame of the same rows
        from discourse.themes._dask import theme_counts_dask

        return theme_counts_dask(corpus, d, unit)
    frame = check_corpus(corpus)
    mat, ntok, n_units, with_theme = _document_matrices(frame, d, unit)
    n_docs, n_themes = mat.shape
    langs = _languages(frame, d)
    spoken = _spoken(langs, frame, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_1k = np.where((ntok[:, None] > 0) & spoken[:, None], mat * 1000.0 / np.maximum(ntok[:, None], 1),
                          np.nan)
    out = pd.DataFrame({
        "doc_id": np.repeat(frame["doc_id"].to_numpy(), n_themes),
        "theme": np.tile(np.array(d.theme_ids, dtype=object), n_docs),
        "count": mat.ravel(),
        "n_tokens": np.repeat(ntok, n_themes),
        "per_1k": per_1k.ravel(),
    })
    if unit != "document":
        out["n_units"] = np.repeat(n_units, n_themes)
        out["units_with_theme"] = with_theme.ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            out["share_units"] = np.where((out["n_units"] > 0) & np.repeat(spoken, n_themes),
                                          out["units_with_theme"] / out["n_units"].clip(lower=1), np.nan)
    out["language"] = np.repeat(langs, n_themes)
    out["spoken"] = np.repeat(spoken, n_themes)
    return out


def _document_matrices(frame: pd.DataFrame, d: Dictionary, unit: str):
    """(matches per document x theme, tokens per document, units per document, units per
    document holding each theme); the last two are None for ``unit="document"``."""
    if unit == "document":
        mat, ntok = _count_matrix(frame, d)
        return mat, ntok, None, None
    um = unit_theme_matrix(frame, d, unit)
    n_units, with_theme = _units_per_doc(um, len(frame))
    return um.counts, um.n_tokens, n_units, with_theme


def _units_per_doc(um: UnitMatches, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """(units per document, units holding each theme per document)."""
    n_units = np.bincount(um.row, minlength=n_docs).astype(np.int64)
    with_theme = np.zeros((n_docs, um.present.shape[1]), dtype=np.int64)
    np.add.at(with_theme, um.row, um.present.astype(np.int64))
    return n_units, with_theme


def _group_codes(frame: pd.DataFrame, by) -> tuple[list[str], np.ndarray, pd.DataFrame]:
    cols = [by] if isinstance(by, str) else list(by)
    if not cols:
        raise CorpusError("by is empty", hint="Give a metadata column, e.g. by='event' or by=['event_series', 'year']")
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise CorpusError(
            f"no column {', '.join(map(repr, missing))} in the corpus (columns: {', '.join(map(str, frame.columns))})",
            hint="Group by an existing metadata column, e.g. by='event' or by='year'",
        )
    if "theme" in cols:
        raise CorpusError("cannot group by a column named 'theme'", hint="Rename that column")
    g = frame.groupby(cols, dropna=False, sort=True, observed=True)
    codes = g.ngroup().to_numpy()
    keys = g.size().index.to_frame(index=False)
    return cols, codes, keys


#: The level columns of :func:`theme_frequencies` (and of :func:`discourse.track_themes`).
LEVEL_COLUMNS = ("n_docs", "n_docs_other_language", "docs_with_theme", "share_docs", "share_docs_low", "share_docs_high",
                 "count", "n_tokens", "per_1k", "per_1k_low", "per_1k_high")
_INT_LEVEL_COLUMNS = ("n_docs", "n_docs_other_language", "docs_with_theme", "count", "n_tokens")


def frequency_levels(mat: np.ndarray, n_tokens: np.ndarray, codes: np.ndarray, n_groups: int, *,
                     n_boot: int = 1000, level: float = 0.95,
                     spoken: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The statistics of :func:`theme_frequencies` from per-document counts, by group.

    The one implementation of theme levels: ``theme_frequencies`` and
    :func:`discourse.track_themes` both call it. Shares of documents and rates per 1,000
    tokens with the intervals of :func:`discourse.stats.ratio_intervals` (``n_boot=0``:
    no intervals, NaN).

    Parameters
    ----------
    mat : ndarray of shape (n_docs, n_themes)
        Matches per document and theme.
    n_tokens : ndarray of shape (n_docs,)
    codes : ndarray of shape (n_docs,)
        Group code ``0..n_groups-1`` of each document.
    n_groups : int
    spoken : ndarray of bool, shape (n_docs,), optional
        Documents in a language the dictionary speaks (:func:`document_languages`); the
        others are left out of every statistic and counted in ``n_docs_other_language``.
        Default: all.

    Returns
    -------
    dict of str to ndarray of shape (n_groups, n_themes)
        One array per name of :data:`LEVEL_COLUMNS`, plus ``_share`` and ``_rate`` (the
        unscaled estimates).
    """
    mat = np.asarray(mat, dtype=float)
    n_tokens = np.asarray(n_tokens, dtype=float)
    codes = np.asarray(codes)
    other = np.zeros(n_groups, dtype=np.int64)
    if spoken is not None and not np.all(spoken):
        spoken = np.asarray(spoken, dtype=bool)
        other = np.bincount(codes[~spoken], minlength=n_groups)
        mat, n_tokens, codes = mat[spoken], n_tokens[spoken], codes[spoken]
    n_themes = mat.shape[1]
    present = (mat > 0).astype(float)
    out: dict[str, np.ndarray] = {}
    for name, num, den, kind, scale in (("share_docs", present, np.ones(len(mat)), "share", 1),
                                        ("per_1k", mat, n_tokens, "rate", 1000)):
        est, lo, hi, sizes = ratio_intervals(num, den, codes, kind=kind, level=level, n_groups=n_groups)
        if n_boot <= 0:  # no intervals asked for
            lo = hi = np.full_like(est, np.nan)
        out[name], out[f"{name}_low"], out[f"{name}_high"] = est * scale, lo * scale, hi * scale
        out[f"_{kind}"] = est
    g_docs = np.zeros((n_groups, n_themes))
    g_count = np.zeros((n_groups, n_themes))
    np.add.at(g_docs, codes, present)
    np.add.at(g_count, codes, mat)
    out["n_docs"] = np.repeat(np.bincount(codes, minlength=n_groups)[:, None], n_themes, axis=1)
    out["n_docs_other_language"] = np.repeat(other[:, None], n_themes, axis=1)
    out["docs_with_theme"] = g_docs
    out["count"] = g_count
    out["n_tokens"] = np.repeat(np.bincount(codes, weights=n_tokens, minlength=n_groups)[:, None], n_themes, axis=1)
    return out


def theme_frequencies(
    corpus,
    dictionary=None,
    by="event",
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    seed: int = 0,
    unit: str = "document",
) -> pd.DataFrame:
    """Theme frequencies by group (event, year, series... or several columns).

    Parameters
    ----------
    corpus : DataFrame
        Corpus table, or a Dask DataFrame of one: the same table is returned, computed
        from per-group sums of the partitions (``docs/scale.md``).
    dictionary : Dictionary, path or mapping, optional
        Default: :func:`default_dictionary`.
    by : str or list of str, default "event"
        Metadata column(s) defining the groups. Documents whose value is missing form
        their own group, shown with a missing value (NA) in the group column; filter
        them out beforehand (``corpus.dropna(subset=[...])``) to leave them out.
    n_boot : int, default 1000
        0 leaves the intervals out (NaN); any other value gives them. The intervals
        are computed in closed form (no resampling), so their values do not depend on
        ``n_boot``; the argument is kept for compatibility and for ``n_boot=0``.
    level : float, default 0.95
        Confidence level.
    seed : int, default 0
        Kept for compatibility: the intervals involve no random draw.
    unit : {"document", "sentence", "paragraph"}, default "document"
        With ``"sentence"`` (or ``"paragraph"``) the share of the group's sentences
        that hold the theme is added: ``n_units``, ``units_with_theme``,
        ``share_units``, ``share_units_low``, ``share_units_high`` (a Wilson interval
        on the effective number of sentences: a speech's sentences are not
        independent, and their clustering in documents widens the interval).

    Returns
    -------
    DataFrame
        One row per group x theme, sorted by group then dictionary order: the group
        column(s), ``theme``, ``n_docs`` (documents counted), ``n_docs_other_language``
        (documents of the group in a language the dictionary has no patterns for, left
        out of every other column: :func:`document_languages`), ``docs_with_theme``, ``share_docs`` (share of
        the group's documents with at least one match), ``share_docs_low``,
        ``share_docs_high``, ``count`` (matches), ``n_tokens``, ``per_1k`` (matches
        per 1,000 tokens of the group), ``per_1k_low``, ``per_1k_high``, and the unit
        columns above. Intervals are score intervals with the spread measured between
        the group's documents (:func:`discourse.stats.ratio_intervals`): Wilson for
        ``share_docs``, quasi-Poisson for ``per_1k``; they hold their level for rare
        themes and groups of about 50 documents (``docs/tracking.md``). A group of one
        document has no ``per_1k`` interval (NaN). ``attrs["languages"]`` lists the
        languages of the documents counted: rates per 1,000 words of several languages
        mix two denominators (``docs/dictionaries.md``), which a chart should say.
    """
    _check_unit(unit)
    d = _dictionary(dictionary)
    if is_dask(corpus):  # the Dask path: per-group sums from the partitions, same statistics
        from discourse.themes._dask import theme_frequencies_dask

        return theme_frequencies_dask(corpus, d, by, n_boot=n_boot, level=level, unit=unit)
    frame = check_corpus(corpus)
    cols, codes, keys = _group_codes(frame, by)
    mat, ntok, n_units, with_units = _document_matrices(frame, d, unit)
    n_themes = len(d.theme_ids)
    n_groups = len(keys)
    langs = _languages(frame, d)
    spoken = _spoken(langs, frame, d)
    lv = frequency_levels(mat, ntok, codes, n_groups, n_boot=n_boot, level=level, spoken=spoken)
    if not spoken.all():  # documents in a language the dictionary does not speak: left out
        codes = codes[spoken]
        if unit != "document":
            n_units, with_units = n_units[spoken], with_units[spoken]
    out = keys.loc[np.repeat(np.arange(n_groups), n_themes)].reset_index(drop=True)
    out["theme"] = np.tile(np.array(d.theme_ids, dtype=object), n_groups)
    for col in LEVEL_COLUMNS:
        values = lv[col].reshape(-1)
        out[col] = values.astype(np.int64) if col in _INT_LEVEL_COLUMNS else values

    def levels(num, den, kind):
        est, lo, hi, n = ratio_intervals(num, den, codes, kind=kind, level=level, n_groups=n_groups)
        if n_boot <= 0:  # no intervals asked for
            lo, hi = np.full_like(est, np.nan), np.full_like(est, np.nan)
        return est, lo, hi, n

    if unit != "document":
        ushare, ushare_lo, ushare_hi, _ = levels(with_units.astype(float), n_units.astype(float), "share")
        g_units = np.bincount(codes, weights=n_units, minlength=n_groups).astype(np.int64)
        g_with = np.zeros((n_groups, n_themes), dtype=np.int64)
        np.add.at(g_with, codes, with_units)
        out["n_units"] = np.repeat(g_units, n_themes)
        out["units_with_theme"] = g_with.ravel()
        out["share_units"] = ushare.ravel()
        out["share_units_low"] = ushare_lo.ravel()
        out["share_units_high"] = ushare_hi.ravel()
    out.attrs["languages"] = sorted(set(langs[spoken].tolist()))
    return out


# --- KWIC -------------------------------------------------------------------------------


def _query_dictionary(query: str, dictionary) -> tuple[Dictionary, bool]:
    """(dictionary restricted to the query, whether the query is a theme id)."""
    if not isinstance(query, str) or not query.strip():
        raise DictionaryError("the query is empty", item="query",
                              hint="Give a theme id (e.g. ai_safety) or a pattern (e.g. \"digital divide\")")
    d = _dictionary(dictionary)
    if query in d:
        return d.subset([query]), True
    try:
        if _HAN_ANY.search(query):  # a Chinese pattern: matched on segmented words
            p = parse_zh_pattern(query)
            theme = Theme(id=query, label=query, languages=(LanguagePatterns("zh", (query,), compiled=(p,)),))
            return Dictionary([theme], name="query"), False
        p = parse_pattern(query)
    except PatternSyntaxError as err:
        raise DictionaryError(
            f"{query!r} is neither a theme id of dictionary {d.name!r} nor a valid pattern: {err}",
            item="query", hint="Theme ids are: " + ", ".join(d.theme_ids),
        ) from None
    theme = Theme(id=query, label=query, patterns=(query,), compiled=(p,))
    return Dictionary([theme], name="query"), False


def _context(text: str, spans: list[tuple[int, int]], starts: list[int], s: int, e: int, window: int,
             zh_window: int = 20):
    if _HAN_ANY.search(text, s, e):  # Chinese: context by characters
        return (_squash(text[max(0, s - zh_window):s]), _squash(text[s:e]),
                _squash(text[e:e + zh_window]))
    i = bisect.bisect_left(starts, s)  # first token of the match
    j = bisect.bisect_left(starts, e)  # first token after the match
    left_start = spans[max(0, i - window)][0] if i > 0 and window > 0 else s
    right_end = spans[min(len(spans), j + window) - 1][1] if j < len(spans) and window > 0 else e
    return _squash(text[left_start:s]), _squash(text[s:e]), _squash(text[e:right_end])


_WS = re.compile(r"\s+")


def _squash(s: str) -> str:
    return _WS.sub(" ", s).strip()


def kwic(corpus, query: str, window: int = 8, *, dictionary=None, zh_window: int = 20) -> pd.DataFrame:
    """Keyword in context: every counted match of a theme, or every match of a pattern.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    query : str
        A theme id of the dictionary (its counted matches, as in
        :func:`theme_counts`) or a pattern of the dictionary language (e.g.
        ``"digital divide"``, ``"cyber*"``, ``"near(AI, risk*, 5)"``); a query with
        Chinese characters is a Chinese pattern (``"数字鸿沟"``, ``"(弥合|缩小)数字鸿沟"``).
    window : int, default 8
        Tokens of context on each side.
    dictionary : Dictionary, path or mapping, optional
        Where theme ids are looked up (default: the built-in dictionary).
    zh_window : int, default 20
        Characters of context on each side of a match that holds a Chinese character
        (Chinese is read by characters; 20 are about ten words).

    Returns
    -------
    DataFrame
        One row per match, in corpus order then position: ``doc_id``, ``theme`` (the
        theme id, or the query for a pattern), ``pattern`` (the pattern that matched),
        ``left``, ``match``, ``right`` (original text, whitespace squashed; left and
        right hold ``window`` tokens, or ``zh_window`` characters for a Chinese match), ``start``, ``end`` (character offsets of the
        match in the text), then the corpus's metadata columns (all but ``text``).
    """
    if not isinstance(window, (int, np.integer)) or window < 0:
        raise ValueError(f"window must be a non-negative whole number of tokens, not {window!r}")
    if not isinstance(zh_window, (int, np.integer)) or zh_window < 0:
        raise ValueError(f"zh_window must be a non-negative whole number of characters, not {zh_window!r}")
    frame = check_corpus(corpus)
    d, _is_theme = _query_dictionary(query, dictionary)
    m = _matcher(d)
    texts = corpus_texts(frame)
    rows = []
    for dm in m.scan(texts):
        if not dm.matches:
            continue
        text = texts[dm.doc]
        spans = token_spans(text)
        starts = [x[0] for x in spans]
        for _theme, unit, s, e in dm.matches:
            left, match, right = _context(text, spans, starts, s, e, int(window), int(zh_window))
            rows.append((dm.doc, d.themes[0].id, m.units[unit].pattern.text, left, match, right, s, e))
    base = pd.DataFrame(rows, columns=["_row", "theme", "pattern", "left", "match", "right", "start", "end"])
    meta_cols = [c for c in frame.columns if c not in ("text",)]
    meta = frame[meta_cols].iloc[base["_row"].to_numpy()].reset_index(drop=True)
    out = pd.concat([meta[["doc_id"]], base.drop(columns="_row"),
                     meta.drop(columns="doc_id")], axis=1)
    return out


# --- co-occurrence ----------------------------------------------------------------------


def theme_cooccurrence(corpus, dictionary=None, unit: str = "document") -> pd.DataFrame:
    """How often two themes occur in the same document or sentence.

    Parameters
    ----------
    corpus : DataFrame
    dictionary : Dictionary, path or mapping, optional
    unit : {"document", "sentence"}, default "document"
        A sentence holds a theme when one of the theme's counted matches starts in it
        (sentences of :func:`discourse.text.sentence_spans`).

    Returns
    -------
    DataFrame
        One row per pair of themes (``theme_a`` before ``theme_b`` in dictionary
        order): ``theme_a``, ``theme_b``, ``n_units`` (documents or sentences),
        ``n_a``, ``n_b`` (units with each theme), ``n_both`` (units with both),
        ``jaccard`` = n_both / (n_a + n_b - n_both), ``lift`` = n_both * n_units /
        (n_a * n_b) (1: as often as if independent; > 1: more often), ``pmi`` =
        log2(lift) (NaN when n_both is 0). Pairs are in dictionary order. Documents in
        a language the dictionary has no patterns for are left out (their number is in
        ``attrs["n_docs_other_language"]``).
    """
    _check_unit(unit, ("document", "sentence"))
    d = _dictionary(dictionary)
    frame = check_corpus(corpus)
    spoken = _spoken(_languages(frame, d), frame, d)
    if not spoken.all():  # documents in a language the dictionary does not speak: left out
        frame = frame[spoken].reset_index(drop=True)
    k = len(d.theme_ids)
    if unit == "document":
        mat, _ = _count_matrix(frame, d)
        X = (mat > 0).astype(np.int64)
        n_units = len(frame)
    else:
        um = unit_theme_matrix(frame, d, unit)
        n_units = len(um.row)
        X = sparse.csr_matrix(um.present.astype(np.int64)) if n_units else sparse.csr_matrix((1, k), dtype=np.int64)
    Xs = sparse.csr_matrix(X)
    both = (Xs.T @ Xs).toarray()
    n_each = np.asarray(Xs.sum(axis=0)).ravel()
    ia, ib = np.triu_indices(k, 1)
    n_a, n_b, n_ab = n_each[ia], n_each[ib], both[ia, ib]
    with np.errstate(invalid="ignore", divide="ignore"):
        union = n_a + n_b - n_ab
        jac = np.where(union > 0, n_ab / np.maximum(union, 1), np.nan)
        lift = np.where((n_a > 0) & (n_b > 0), n_ab * float(n_units) / (n_a * n_b).astype(float), np.nan)
        pmi = np.where(n_ab > 0, np.log2(np.where(n_ab > 0, lift, 1.0)), np.nan)
    ids = np.array(d.theme_ids, dtype=object)
    out = pd.DataFrame({
        "theme_a": ids[ia], "theme_b": ids[ib], "n_units": n_units,
        "n_a": n_a, "n_b": n_b, "n_both": n_ab, "jaccard": jac, "lift": lift, "pmi": pmi,
    })
    out.attrs["n_docs_other_language"] = int((~spoken).sum())
    return out


# --- scikit-learn transformer --------------------------------------------------------------


class ThemeCounter(TransformerMixin, BaseEstimator):
    """Document x theme count matrix, as a scikit-learn transformer.

    Parameters
    ----------
    dictionary : Dictionary, path or mapping, optional
        Default: the built-in dictionary.
    sparse : bool, default True
        Return a SciPy CSR matrix (else a dense ndarray).

    Attributes
    ----------
    dictionary_ : Dictionary
        The validated dictionary.
    feature_names_out_ : ndarray of str
        Theme ids (the columns).

    Examples
    --------
    >>> tc = ThemeCounter({"themes": {"divide": {"patterns": ["digital divide"]}}}, sparse=False)
    >>> tc.fit_transform(["the digital divide", "nothing"])
    array([[1],
           [0]])
    """

    def __init__(self, dictionary=None, *, sparse: bool = True):
        self.dictionary = dictionary
        self.sparse = sparse

    def fit(self, X=None, y=None):
        """Validate and compile the dictionary. ``X`` is not used."""
        self.dictionary_ = _dictionary(self.dictionary)
        self._matcher = Matcher(self.dictionary_)
        self.feature_names_out_ = np.array(self.dictionary_.theme_ids, dtype=object)
        return self

    def transform(self, X):
        """Count the themes of each document.

        Parameters
        ----------
        X : DataFrame with a ``text`` column, Series, or iterable of str

        Returns
        -------
        scipy.sparse.csr_matrix or ndarray of shape (n_documents, n_themes)
        """
        if not hasattr(self, "dictionary_"):
            raise NotFittedError("This ThemeCounter is not fitted yet: call fit() first.")
        frame = check_corpus(X, "input")
        mat, _ = self._matcher.counts(corpus_texts(frame))
        return sparse.csr_matrix(mat) if self.sparse else mat

    def get_feature_names_out(self, input_features=None):
        """Theme ids, the names of the output columns."""
        if not hasattr(self, "dictionary_"):
            raise NotFittedError("This ThemeCounter is not fitted yet: call fit() first.")
        return self.feature_names_out_.copy()


# --- term suggestions ----------------------------------------------------------------------


def suggest_terms(
    corpus,
    theme: str,
    *,
    n: int = 20,
    window: int = 5,
    measure: str = "pmi",
    dictionary=None,
    min_freq: int = 3,
) -> pd.DataFrame:
    """Candidate multi-word terms for a theme, from collocations around its matches.

    The ``window`` tokens left and right of every counted match of ``theme`` are
    collected (left and right as separate sequences, so no n-gram bridges the match);
    nltk's bigram and trigram collocation finders score their n-grams. N-grams with a
    stop word at either end, made of digits only, seen fewer than ``min_freq`` times,
    or already matched by the theme's patterns are left out.

    Parameters
    ----------
    corpus : DataFrame
    theme : str
        Theme id.
    n : int, default 20
        Rows returned.
    window : int, default 5
    measure : {"pmi", "likelihood_ratio"}, default "pmi"
    dictionary : Dictionary, path or mapping, optional
    min_freq : int, default 3

    Returns
    -------
    DataFrame
        ``term``, ``n_words``, ``freq``, ``score``, ``measure``; best first.
    """
    from nltk.collocations import (
        BigramAssocMeasures,
        BigramCollocationFinder,
        TrigramAssocMeasures,
        TrigramCollocationFinder,
    )

    if measure not in ("pmi", "likelihood_ratio"):
        raise ValueError(f'measure must be "pmi" or "likelihood_ratio", not {measure!r}')
    d = _dictionary(dictionary)
    if theme not in d:
        raise DictionaryError(f"no theme {theme!r} in dictionary {d.name!r}", item="theme",
                              hint="Themes are: " + ", ".join(d.theme_ids))
    sub = d.subset([theme])
    m = _matcher(sub)
    frame = check_corpus(corpus)
    texts = corpus_texts(frame)
    seqs: list[list[str]] = []
    for dm in m.scan(texts):
        if not dm.matches:
            continue
        text = texts[dm.doc]
        spans = token_spans(text)
        starts = [s for s, _ in spans]
        for _t, _u, s, e in dm.matches:
            i = bisect.bisect_left(starts, s)
            j = bisect.bisect_left(starts, e)
            seqs.append([text[a:b].lower() for a, b in spans[max(0, i - window) : i]])
            seqs.append([text[a:b].lower() for a, b in spans[j : j + window]])
    columns = ["term", "n_words", "freq", "score", "measure"]
    if not seqs:
        return pd.DataFrame(columns=columns)
    stops = stop_words(boilerplate=False)

    def bad(gram) -> bool:
        return gram[0] in stops or gram[-1] in stops or all(w.isdigit() for w in gram)

    rows = []
    for finder_cls, measures, k in ((BigramCollocationFinder, BigramAssocMeasures, 2),
                                    (TrigramCollocationFinder, TrigramAssocMeasures, 3)):
        finder = finder_cls.from_documents(seqs)
        finder.apply_freq_filter(min_freq)
        finder.apply_ngram_filter(lambda *g: bad(g))
        for gram, score in finder.score_ngrams(getattr(measures, measure)):
            rows.append((" ".join(gram), k, int(finder.ngram_fd[gram]), float(score)))
    if not rows:
        return pd.DataFrame(columns=columns)
    covered = {dm.doc for dm in m.scan([r[0] for r in rows]) if dm.matches}
    rows = [r for i, r in enumerate(rows) if i not in covered]
    out = pd.DataFrame(rows, columns=columns[:4])
    out["measure"] = measure
    out = out.sort_values(["score", "freq", "term"], ascending=[False, False, True], kind="stable")
    return out.head(n).reset_index(drop=True)


# --- validation -------------------------------------------------------------------------------


@dataclass
class DictionaryValidation:
    """What :func:`validate_dictionary` returns; also usable as a dict of its tables.

    Attributes
    ----------
    patterns : DataFrame
        One row per pattern and exclude pattern: ``theme``, ``role`` ("pattern" or
        "exclude"), ``pattern_index``, ``pattern``, ``kind``, ``matches`` (its matches in
        the corpus, after the theme's excludes, before the longest-match rule),
        ``docs`` (documents with one), ``counted`` (matches it contributed to the
        theme's count, after the longest-match rule), ``excluded`` (its matches dropped
        by excludes; for an exclude pattern: theme matches it dropped).
    unmatched : DataFrame
        The rows of ``patterns`` whose pattern never matched.
    kwic : DataFrame
        Up to ``sample`` KWIC lines per pattern (seeded random sample of its matches;
        for exclude patterns, of its own matches), with ``theme``, ``role``,
        ``pattern_index``, ``pattern``, ``doc_id``, ``left``, ``match``, ``right``,
        ``start``, ``end``.
    themes : DataFrame
        Per theme: ``theme``, ``docs``, ``count``.
    """

    patterns: pd.DataFrame
    unmatched: pd.DataFrame
    kwic: pd.DataFrame
    themes: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        return getattr(self, name)

    def keys(self) -> list[str]:
        return ["patterns", "unmatched", "kwic", "themes"]

    def to_dict(self) -> dict[str, pd.DataFrame]:
        return {k: self[k] for k in self.keys()}


def validate_dictionary(corpus, dictionary=None, sample: int = 20, seed: int = 0) -> DictionaryValidation:
    """Check a dictionary against a corpus: counts per pattern, unused patterns, KWIC to read.

    Parameters
    ----------
    corpus : DataFrame
    dictionary : Dictionary, path or mapping, optional
        Default: the built-in dictionary. Loading it validates it (bad dictionaries
        raise :class:`~discourse.errors.DictionaryError`).
    sample : int, default 20
        KWIC lines per pattern.
    seed : int, default 0
        Seed of the KWIC samples.

    Returns
    -------
    DictionaryValidation
        Tables ``patterns``, ``unmatched``, ``kwic``, ``themes`` (see its docstring).
    """
    d = _dictionary(dictionary)
    frame = check_corpus(corpus)
    texts = corpus_texts(frame)
    m = Matcher(d)
    n_units = len(m.units)
    matches = np.zeros(n_units, dtype=np.int64)
    docs = np.zeros(n_units, dtype=np.int64)
    counted = np.zeros(n_units, dtype=np.int64)
    excluded = np.zeros(n_units, dtype=np.int64)
    occurrences: list[list[tuple[int, int, int]]] = [[] for _ in range(n_units)]
    theme_docs = np.zeros(len(d.themes), dtype=np.int64)
    theme_count = np.zeros(len(d.themes), dtype=np.int64)
    for dm in m.scan(texts, raw=True):
        if not dm.raw:
            continue
        ex: dict[int, list[tuple[int, int, int]]] = {}
        for unit, s, e in dm.raw:
            u = m.units[unit]
            if u.role == "exclude":
                ex.setdefault(u.theme, []).append((s, e, unit))
        in_doc = set()
        for unit, s, e in dm.raw:
            u = m.units[unit]
            if u.role == "exclude":
                matches[unit] += 1
                in_doc.add(unit)
                occurrences[unit].append((dm.doc, s, e))
                continue
            hitters = [x for x in ex.get(u.theme, ()) if s < x[1] and x[0] < e]
            if hitters:
                excluded[unit] += 1
                for x in {h[2] for h in hitters}:
                    excluded[x] += 1
                continue
            matches[unit] += 1
            in_doc.add(unit)
            occurrences[unit].append((dm.doc, s, e))
        for unit in in_doc:
            docs[unit] += 1
        themes_here = set()
        for theme, unit, _s, _e in dm.matches:
            counted[unit] += 1
            theme_count[theme] += 1
            themes_here.add(theme)
        for t in themes_here:
            theme_docs[t] += 1
    patterns = pd.DataFrame({
        "theme": [d.themes[u.theme].id for u in m.units],
        "role": [u.role for u in m.units],
        "pattern_index": [u.position for u in m.units],
        "pattern": [u.pattern.text for u in m.units],
        "kind": [u.pattern.kind for u in m.units],
        "matches": matches,
        "docs": docs,
        "counted": counted,
        "excluded": excluded,
    })
    unmatched = patterns[patterns["matches"] == 0].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    rows = []
    doc_ids = frame["doc_id"].tolist()
    token_cache: dict[int, tuple[list, list]] = {}
    for u in m.units:
        occ = occurrences[u.index]
        if not occ:
            continue
        pick = sorted(rng.choice(len(occ), size=min(sample, len(occ)), replace=False).tolist()) if sample > 0 else []
        for i in pick:
            doc, s, e = occ[i]
            if doc not in token_cache:
                if len(token_cache) > 256:
                    token_cache.clear()
                spans = token_spans(texts[doc])
                token_cache[doc] = (spans, [a for a, _ in spans])
            spans, starts = token_cache[doc]
            left, match, right = _context(texts[doc], spans, starts, s, e, 8)
            rows.append((d.themes[u.theme].id, u.role, u.position, u.pattern.text, doc_ids[doc],
                         left, match, right, s, e))
    kwic_table = pd.DataFrame(rows, columns=["theme", "role", "pattern_index", "pattern", "doc_id",
                                             "left", "match", "right", "start", "end"])
    themes = pd.DataFrame({"theme": d.theme_ids, "docs": theme_docs, "count": theme_count})
    return DictionaryValidation(patterns, unmatched, kwic_table, themes)


# --- over the whole corpus (appended; used by the report) ----------------------------------


def overall_frequencies(corpus, dictionary=None, *, n_boot: int = 1000, level: float = 0.95, seed: int = 0,
                        scope: str = "all documents") -> pd.DataFrame:
    """Theme frequencies over the whole corpus: :func:`theme_frequencies` with one group.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table (never modified).
    dictionary : Dictionary, path or mapping, optional
        Default: :func:`default_dictionary`.
    n_boot, level, seed
        As in :func:`theme_frequencies`.
    scope : str, default "all documents"
        The label of the one group, in the ``scope`` column.

    Returns
    -------
    DataFrame
        The columns of :func:`theme_frequencies` with ``scope`` as the group column: one
        row per theme, in dictionary order.
    """
    frame = check_corpus(corpus)
    return theme_frequencies(frame.assign(scope=scope), dictionary, by="scope", n_boot=n_boot, level=level,
                             seed=seed)


__all__ += ["overall_frequencies"]
