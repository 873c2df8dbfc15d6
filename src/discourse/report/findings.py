"""The report's findings in words: headline changes, the corpus, the dictionary's validity.

Every sentence is generated from the numbers of a table the package returned, with the
number formatting of this module; nothing here computes a statistic.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from discourse.report.validity import SHIPPED_VALIDATION_CORPUS

__all__ = ["headline_findings", "corpus_description", "validity_findings", "validity_caveats", "interval_methods_note",
           "selection_sentence",
           "no_comparison_reason", "language_name", "languages_sentence", "theme_language_notes", "rates_note",
           "topic_language_note"]


def corpus_description(corpus: pd.DataFrame, events_table: pd.DataFrame | None = None) -> str:
    """Describe a corpus in one or two sentences, from its numbers.

    Parameters
    ----------
    corpus : DataFrame
    events_table : DataFrame, optional
        :func:`discourse.tracking.events` of the corpus (computed if not given).

    Returns
    -------
    str
        E.g. "52 documents (38,211 words) from 9 events in 3 series, 2017 to 2024. The
        largest event is X (8 documents). By language: 40 in English, 12 in Chinese. No
        file was skipped." (the languages when the corpus has a ``language`` column).
    """
    if events_table is None:
        from discourse.tracking import events

        events_table = events(corpus)
    n_docs = len(corpus)
    n_tokens = int(events_table["n_tokens"].sum()) if len(events_table) else 0
    n_events = len(events_table)
    series = events_table["event_series"].dropna().unique() if "event_series" in events_table else []
    years = pd.to_numeric(corpus.get("year", pd.Series(dtype=float)), errors="coerce").dropna()
    parts = [f"{n_docs:,} document{'s' * (n_docs != 1)} ({n_tokens:,} words) from {n_events:,} event{'s' * (n_events != 1)}"]
    if len(series):
        parts.append(f" in {len(series):,} series")
    if len(years):
        lo, hi = int(years.min()), int(years.max())
        parts.append(f", {lo}" if lo == hi else f", {lo} to {hi}")
    text = "".join(parts) + "."
    if n_events:
        top = events_table.sort_values(["n_docs", "event"], ascending=[False, True], kind="stable").iloc[0]
        text += f" The largest event is {top['event']} ({int(top['n_docs']):,} document{'s' * (int(top['n_docs']) != 1)})."
    langs = languages_sentence(corpus)
    if langs:
        text += " " + langs
    skipped = corpus.attrs.get("skipped") or []
    text += f" {len(skipped):,} file{'s were' if len(skipped) != 1 else ' was'} skipped when loading." if skipped else " No file was skipped when loading."
    return text


# --- languages ----------------------------------------------------------------------------

#: Names of the languages a report names most often (others are named by their code).
_NAMES = {"en": "English", "zh": "Chinese", "fr": "French", "es": "Spanish", "ar": "Arabic", "ru": "Russian",
          "de": "German", "pt": "Portuguese", "ja": "Japanese", "ko": "Korean", "mixed": "bilingual",
          "und": "undetermined"}


def language_name(code: str) -> str:
    """The English name of a language code of the corpus (``"zh"`` -> ``"Chinese"``; unknown codes as they are)."""
    code = str(code)
    return _NAMES.get(code.lower(), code)


def _counts(languages) -> list[tuple[str, int]]:
    """(language, documents), most documents first, then by code; bilingual and undetermined last."""
    counts = pd.Series(languages, dtype=object).astype(str).value_counts()
    return sorted(((str(k), int(v)) for k, v in counts.items()),
                  key=lambda kv: (kv[0] in ("mixed", "und"), -kv[1], kv[0]))


def _listing(pairs: list[tuple[str, int]]) -> str:
    return ", ".join(f"{n:,} in {language_name(code)}" if code not in ("mixed", "und") else f"{n:,} {language_name(code)}"
                     for code, n in pairs)


def languages_sentence(corpus: pd.DataFrame) -> str:
    """Say how many documents the corpus has in each language.

    Parameters
    ----------
    corpus : DataFrame
        With the ``language`` column that :func:`discourse.load_corpus` adds.

    Returns
    -------
    str
        E.g. "By language: 150 documents in English, 12 in Chinese, 4 bilingual."; empty
        when the corpus has no ``language`` column.
    """
    if "language" not in corpus.columns or not len(corpus):
        return ""
    pairs = _counts(corpus["language"])
    text = _listing(pairs).replace(" in ", " documents in ", 1) if pairs[0][0] not in ("mixed", "und") else _listing(pairs)
    return f"By language: {text}."


def _word_kinds(languages) -> list[str]:
    """What a word is in each of these languages, for a note on rates per 1,000 words."""
    kinds = []
    for code in sorted({str(c) for c in languages} - {"und"}):
        if code == "mixed":
            continue
        kinds.append("Chinese segmented words" if code == "zh" else f"{language_name(code)} words")
    if "mixed" in {str(c) for c in languages}:
        for kind in ("English words", "Chinese segmented words"):
            if kind not in kinds:
                kinds.append(kind)
    return kinds


def rates_note(corpus: pd.DataFrame, dictionary=None) -> str:
    """A note for charts and tables of rates per 1,000 words that mix languages.

    A rate per 1,000 words counts words of the segmenter in Chinese and runs of letters in
    other languages (``docs/dictionaries.md``): comparable in kind, not in size. When the
    documents counted (those in languages the dictionary speaks) are in more than one
    language, a chart of rates mixes two denominators and must say so.

    Parameters
    ----------
    corpus : DataFrame
    dictionary : discourse.themes.Dictionary, optional
        Default: the built-in one.

    Returns
    -------
    str
        E.g. "Rates per 1,000 words: English words and Chinese segmented words (compare
        rates within one language)."; empty when the counted documents are in one language.
    """
    from discourse.themes import document_languages

    langs = document_languages(corpus, dictionary)
    kinds = _word_kinds(langs.loc[langs["spoken"].to_numpy(dtype=bool), "language"])
    if len(kinds) < 2:
        return ""
    return (f"Rates per 1,000 words: {' and '.join([', '.join(kinds[:-1]), kinds[-1]])} (a segmented Chinese word is "
            "often a compound that English says in two or three words: compare rates within one language).")


def theme_language_notes(corpus: pd.DataFrame, dictionary=None) -> list[str]:
    """Say which documents theme shares and rates leave out for their language, and whether rates mix languages.

    Documents in a language the dictionary has no patterns for are left out of theme
    shares and rates (:func:`discourse.themes.document_languages`), never counted as
    zeros; the report says how many and in which languages, next to the tables.

    Parameters
    ----------
    corpus : DataFrame
    dictionary : discourse.themes.Dictionary, optional
        Default: the built-in one.

    Returns
    -------
    list of str
        Up to three sentences: the languages the dictionary speaks and the documents
        counted; the documents left out, with their languages (when there are any); the
        note of :func:`rates_note` (when rates mix languages). Empty for a corpus whose
        documents are all in one language the dictionary speaks.
    """
    from discourse.themes import default_dictionary, document_languages

    dic = dictionary if dictionary is not None else default_dictionary()
    langs = document_languages(corpus, dic)
    spoken = langs["spoken"].to_numpy(dtype=bool)
    left = _counts(langs.loc[~spoken, "language"])
    counted = _counts(langs.loc[spoken, "language"])
    out = []
    if len(counted) > 1 or left:
        names = " and ".join(language_name(code) for code in dic.languages)
        out.append(f"The dictionary has patterns in {names}; theme shares and rates count {int(spoken.sum()):,} "
                   f"document{'s' * (int(spoken.sum()) != 1)} ({_listing(counted) or 'none'}).")
    if left:
        n = sum(c for _, c in left)
        out.append(f"{n:,} document{'s' * (n != 1)} in languages the dictionary has no patterns for ({_listing(left)}) "
                   f"{'are' if n != 1 else 'is'} left out of theme shares and rates, not counted as zeros; the tables "
                   "give their number per event in n_docs_other_language.")
    note = rates_note(corpus, dic)
    if note:
        out.append(note)
    return out


def topic_language_note(corpus: pd.DataFrame) -> str:
    """Say that one topic model is fitted on documents of several languages, when it is.

    Parameters
    ----------
    corpus : DataFrame
        With the ``language`` column that :func:`discourse.load_corpus` adds.

    Returns
    -------
    str
        A sentence (``docs/topics.md``, "Chinese and bilingual corpora"), or empty when the
        corpus is in one language or has no ``language`` column.
    """
    if "language" not in corpus.columns:
        return ""
    pairs = [(c, n) for c, n in _counts(corpus["language"]) if c != "und"]
    if len(pairs) < 2:
        return ""
    return (f"One topic model is fitted on the documents of every language ({_listing(pairs)}), Chinese as segmented "
            "words: a topic whose top terms are all in one language may stand for that language's documents more than "
            "for a subject. To compare subjects within a language, fit one model per language (docs/topics.md).")


#: How the report names and explains each ``<metric>_interval_method`` of a validity
#: table (the values of :data:`discourse.validation.INTERVAL_METHODS`): a short name
#: beside each interval, the explanation in :func:`interval_methods_note`.
INTERVAL_METHOD_WORDS = {
    "percentile_bootstrap": ("bootstrap", "the stratified percentile bootstrap interval (Wilson's interval at "
                             "Kish's effective sample size lies inside it)"),
    "wilson_kish": ("Wilson-Kish", "Wilson's score interval at Kish's effective sample size (it holds the "
                    "bootstrap interval, or the bootstrap gave one value, as it does for an estimate of 0 or 1)"),
    "hull": ("hull", "the smallest interval holding both: one bound from the bootstrap, the other from "
             "Wilson-Kish"),
    "none": ("none", "no interval (nothing to score, or no bootstrap: n_boot=0)"),
}


def _interval(row, col: str) -> str:
    value, lo, hi = row.get(col), row.get(f"{col}_low"), row.get(f"{col}_high")
    if value is None or pd.isna(value):
        return f"{col} not defined"
    text = f"{col} {value:.2f}"
    if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
        method = row.get(f"{col}_interval_method")
        named = "" if method is None or pd.isna(method) else f", {INTERVAL_METHOD_WORDS.get(method, (method,))[0]}"
        text += f" ({lo:.2f} to {hi:.2f}{named})"
    return text


def interval_methods_note(table: pd.DataFrame) -> str:
    """Which interval each figure of a :func:`validity_table` uses, as a footnote.

    The table's ``<metric>_interval_method`` columns (precision, recall, F1) say where
    the bounds of each interval come from; :func:`validity_findings` names the method
    beside each interval, this sentence explains the methods the table uses, in the
    order of :data:`discourse.validation.INTERVAL_METHODS`. Empty when the table has
    no such column (e.g. a CSV of an older version).

    E.g. *"Each weighted interval is the hull of a stratified bootstrap interval and a
    Wilson-Kish interval, and each figure says which bounds it kept (...): bootstrap =
    the stratified percentile bootstrap interval (...); hull = the smallest interval
    holding both (...)."*
    """
    from discourse.validation import INTERVAL_METHODS

    columns = [f"{m}_interval_method" for m in ("precision", "recall", "f1") if f"{m}_interval_method" in table.columns]
    used = {str(v) for c in columns for v in table[c].dropna()}
    if not used:
        return ""
    known = [m for m in INTERVAL_METHODS if m in used] + sorted(used - set(INTERVAL_METHODS))
    parts = [f"{INTERVAL_METHOD_WORDS[m][0]} = {INTERVAL_METHOD_WORDS[m][1]}" if m in INTERVAL_METHOD_WORDS
             else f"{m} = a method this version does not know" for m in known]
    return ("Each weighted interval is the hull of a stratified bootstrap interval and a Wilson-Kish interval, "
            "and each figure says which bounds it kept (the table's precision, recall and f1_interval_method columns): "
            + "; ".join(parts) + ".")


def validity_findings(table: pd.DataFrame) -> list[str]:
    """Word a :func:`validity_table` as one sentence per theme.

    E.g. *"ai_safety: precision 0.92 (0.84 to 0.98, bootstrap), recall 0.66 (0.56 to
    0.79, hull), F1 0.77 (0.68 to 0.86, Wilson-Kish); 701 labelled sentences, 61 with
    the theme (weighted estimates, 95% intervals)."* Each interval names its method
    (``<metric>_interval_method``, explained by :func:`interval_methods_note`).
    """
    out = []
    for row in table.to_dict("records"):
        parts = [_interval(row, "precision"), _interval(row, "recall"), _interval(row, "f1").replace("f1", "F1", 1)]
        n, pos = int(row.get("n", 0)), int(row.get("positives", 0))
        out.append(f"{row['theme']}: {', '.join(parts)}; {n:,} labelled unit{'s' * (n != 1)}, {pos:,} with the "
                   "theme (weighted estimates of corpus-level values, 95% intervals).")
    return out


def validity_caveats(table: pd.DataFrame, dictionary, *, builtin: bool, own_labels: bool = False) -> list[str]:
    """What a reader must know before using a :func:`validity_table`, in sentences.

    Parameters
    ----------
    table : DataFrame
        From :func:`validity_table`.
    dictionary : discourse.themes.Dictionary
        The dictionary the report uses.
    builtin : bool
        Whether it is the built-in dictionary (no dictionary file was given).
    own_labels : bool
        Whether the table holds the analyst's own scores (else the shipped figures).

    Returns
    -------
    list of str
        For the shipped figures: where they were measured (UN General Assembly speeches
        2000-2024, so they may differ on other corpora) and, when the dictionary's
        fingerprint is not the one they were measured for, that they do not apply.
    """
    if own_labels:
        return [
            "Measured on your own labelled sample of this corpus: weighted by the inverse of each unit's "
            "inclusion probability, to estimate the values over the whole corpus (the CSV also holds the "
            "unweighted figures of the labelled units themselves)."
        ]
    split = str(table["split"].iloc[0]) if len(table) else "development"
    n = int(table["n"].max()) if len(table) else 0
    out = [
        f"These figures were measured on {n:,} hand-labelled sentences of {SHIPPED_VALIDATION_CORPUS} "
        f"(the {split} split), with the built-in dictionary. They may differ on other corpora: to measure "
        "the dictionary on yours, draw a sample (discourse sample), label it and build the report with "
        "--validation FILE."
    ]
    measured = set(table["fingerprint"].astype(str)) if "fingerprint" in table.columns else set()
    from discourse.validation import SHIPPED_LANGUAGE

    # the shipped figures were measured on English sentences: they belong to the patterns
    # that count in English, whatever patterns of other languages the dictionary has
    ours = dictionary.fingerprint(SHIPPED_LANGUAGE)
    if ours not in measured:
        if builtin:
            out.append(
                f"The built-in dictionary has changed since these figures were measured (its fingerprint "
                f"{ours[:12]} is not {', '.join(sorted(f[:12] for f in measured)) or 'recorded'}): they do not "
                "apply to it as it is; make validate measures it again."
            )
        else:
            out.append(
                f"The dictionary used here is not the built-in one (fingerprint {ours[:12]}, not "
                f"{', '.join(sorted(f[:12] for f in measured)) or 'recorded'}): the shipped figures do not "
                "apply to it. Label a sample of this corpus to measure it."
            )
    return out


# --- headline findings ------------------------------------------------------------------------


def headline_findings(
    track: pd.DataFrame,
    *,
    measure: str | None = None,
    labels: Mapping[str, str] | None = None,
    max_findings: int = 8,
    only_significant: bool = True,
) -> list[str]:
    """Word the largest changes between consecutive events as sentences.

    Every sentence is generated from the numbers of ``track``, the output of
    :func:`discourse.tracking.track_themes` or :func:`~discourse.tracking.track_topics`,
    e.g. *"AI safety rose from 0.4 to 2.1 per 1,000 words between UNGA 77 (2022) and
    UNGA 78 (2023) (significant, q = 0.001; 95% interval of the change +1.2 to +2.3)."*

    Parameters
    ----------
    track : DataFrame
        One row per group (event) and theme or topic, with the change from the previous
        group of its series (columns ``prev_<by>``, ``<measure>`` and the change columns
        documented in :func:`~discourse.tracking.track_themes`).
    measure : {"per_1k", "share_docs", "prevalence"}, optional
        The rate described. Default: ``"prevalence"`` for topic tables, else ``"per_1k"``.
    labels : dict, optional
        Theme id (or topic number) -> readable label. Topic tables use their ``label``
        column when not given.
    max_findings : int, default 8
        At most this many sentences: the clearest changes first, i.e. the largest
        relative to the width of their 95% interval (a change of 0.1 known to +-0.02
        comes before a change of 1 known to +-0.9), then the largest.
    only_significant : bool, default True
        Keep only the changes flagged ``rise`` or ``fall`` (Benjamini-Hochberg q-value
        at or below the table's alpha); otherwise every compared pair may be worded,
        saying whether it is significant.

    Returns
    -------
    list of str
        Sentences, clearest changes first; empty when nothing changed significantly or
        when no group has a previous group to compare with (a single event).
    """
    from discourse.tracking import change_columns

    cols = change_columns(track, measure)  # raises ValueError for another measure
    value, change, low, high, flag, qcol = (cols[k] for k in ("value", "change", "low", "high", "flag", "q"))
    unit = _UNITS[cols["measure"]]
    prev_col, by, item_col = cols["prev"], cols["by"], cols["item"]
    if prev_col is None or change not in track.columns:
        return []
    compared = track[track[prev_col].notna() & track[change].notna()]
    if only_significant:
        compared = compared[compared[flag].isin(["rise", "fall"])]
    if compared.empty:
        return []
    size = compared[change].abs().astype(float)
    if low in compared.columns and high in compared.columns:
        width = (compared[high].astype(float) - compared[low].astype(float)).abs()
        clarity = (size / width.where(width > 0)).fillna(float("inf")).where(size > 0, 0.0)
    else:
        clarity = size
    compared = compared.assign(_clarity=clarity.to_numpy(), _abs=size.to_numpy())
    compared = compared.sort_values(
        ["_clarity", "_abs", by, item_col], ascending=[False, False, True, True], kind="stable"
    )
    before = track.set_index([by, item_col])[value]
    names = dict(labels or {})
    sentences = []
    for row in compared.head(max_findings).itertuples(index=False):
        row = row._asdict()
        item = row[item_col]
        if item_col == "topic":
            name = names.get(item) or names.get(str(item)) or f"topic {item} ({row.get('label', '')})"
        else:
            name = names.get(item, str(item))
        old = before.get((row[prev_col], item))
        new = row[value]
        delta = row[change]
        verb = "rose" if delta > 0 else "fell" if delta < 0 else "stayed"
        fmt = _num if unit == "per_1k" else _pct
        if old is None or pd.isna(old):
            frm = f"changed by {_signed(delta, unit)}"
        else:
            frm = f"{verb} from {fmt(old)} to {fmt(new)}"
        where = {"per_1k": " per 1,000 words", "share": " of documents", "prevalence": " of the text"}[unit]
        sig = row[flag] in ("rise", "fall")
        detail = "significant" if sig else "not significant"
        q = row.get(qcol)
        if q is not None and not pd.isna(q):
            detail += f", q {_pval(q)}"
        lo, hi = row.get(low), row.get(high)
        if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
            detail += f"; 95% interval of the change {_signed(lo, unit)} to {_signed(hi, unit)}"
        sentences.append(f"{name} {frm}{where} between {row[prev_col]} and {row[by]} ({detail}).")
    return sentences


#: How each measure is worded: a rate per 1,000 words, a share of documents, a share of the text.
_UNITS = {"per_1k": "per_1k", "share_docs": "share", "prevalence": "prevalence"}


def _num(value: float) -> str:
    """A rate for a sentence: 2 significant digits under 1, else 2 (under 10) or 1 decimal."""
    value = float(value)
    if abs(value) < 1:
        return f"{value:.2g}"
    text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    pct = 100 * float(value)
    return f"{pct:.0f}%" if abs(pct) >= 10 or pct == 0 else f"{pct:.1f}%"


def _signed(value: float, unit: str) -> str:
    if unit == "share":
        pts = 100 * float(value)
        text = f"{pts:+.0f}" if abs(pts) >= 10 else f"{pts:+.1f}"
        return f"{text} points"
    if unit == "prevalence":
        return f"{100 * float(value):+.1f} points"
    text = _num(abs(value))
    return ("-" if value < 0 else "+") + text


def _pval(q: float) -> str:
    return "< 0.001" if q < 0.001 else f"= {q:.3f}" if q < 0.01 else f"= {q:.2f}"


def selection_sentence(selection, *, sample: int | None = None, n_docs: int | None = None) -> str:
    """Say how many topics :func:`~discourse.topics.select_n_topics` recommends, and why.

    Parameters
    ----------
    selection : discourse.topics.TopicSelection
    sample : int, optional
        The candidates were compared on a random sample of this many documents.
    n_docs : int, optional
        Documents in the corpus (the sample is mentioned only when it is smaller).

    Returns
    -------
    str
        E.g. "Recommended: 8 topics (on a random sample of 1,500 documents). <reason>"
    """
    sampled = f" (on a random sample of {sample:,} documents)" if sample and (n_docs is None or sample < n_docs) else ""
    return f"Recommended: {selection.n_topics} topics{sampled}. {selection.reason}"


def no_comparison_reason(track: pd.DataFrame) -> str:
    """Say why a tracked table has no change between groups (no group has a previous one).

    Parameters
    ----------
    track : DataFrame
        From :func:`~discourse.tracking.track_themes` or
        :func:`~discourse.tracking.track_topics`.

    Returns
    -------
    str
        E.g. "No event has a previous event in its series to be compared with (the
        corpus has 1 event(s)); add the events before or after to measure change".
    """
    from discourse.tracking import change_columns

    by = change_columns(track)["by"] or "event"
    n = track[by].nunique() if by in track.columns else 0
    return (f"No {by} has a previous {by} in its series to be compared with (the corpus has {n} {by}(s)); "
            f"add the {by}s before or after to measure change")
