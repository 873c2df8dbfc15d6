"""The corpus table: one check, one rule for its texts, one fingerprint.

Every analysis (themes, topics, tracking, validation, the report) takes a corpus table
and goes through the three helpers here, so that they accept the same inputs, read the
same texts and recognise the same corpus:

* :func:`check_corpus` validates a corpus and returns it as a table with ``doc_id`` and
  ``text`` (a DataFrame from :func:`~discourse.corpus.load_corpus`, any DataFrame with a
  ``text`` column, a list or Series of texts);
* :func:`corpus_texts` extracts the texts, with the one rule for cells that are not
  strings (:func:`as_text`);
* :func:`corpus_fingerprint` is the sha256 of the documents (ids and texts), recorded in
  report manifests and used by :class:`~discourse.topics.TopicModel` to recognise its
  training corpus.

Text that is not a string
    A missing text (``None``, ``NaN``, ``pd.NA``, ``NaT``) is the empty document ``""``;
    any other value that is not a string is read as its ``str()`` (``2019`` -> ``"2019"``,
    as a CSV reader would give it). The fingerprint has always read texts this way, so
    every analysis now counts the words that the fingerprint says are in the corpus.
    ``load_corpus`` itself only produces strings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np
import pandas as pd

from discourse.errors import CorpusError, DiscourseError

__all__ = ["as_text", "check_corpus", "corpus_texts", "corpus_fingerprint"]


def as_text(value) -> str:
    """The text of one corpus cell: the rule every analysis applies.

    Parameters
    ----------
    value : object
        A cell of a corpus's ``text`` column.

    Returns
    -------
    str
        ``value`` itself when it is a string; ``""`` when it is missing (``None``,
        ``NaN``, ``pd.NA``, ``NaT``); ``str(value)`` otherwise.

    Examples
    --------
    >>> [as_text(v) for v in ("AI", None, float("nan"), 2019)]
    ['AI', '', '', '2019']
    """
    if isinstance(value, str):
        return value
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    return str(value)


def check_corpus(
    corpus,
    what: str = "corpus",
    *,
    require_ids: bool = False,
    error: type[DiscourseError] = CorpusError,
) -> pd.DataFrame:
    """Check a corpus and return it as a table with ``doc_id`` and ``text``.

    Parameters
    ----------
    corpus : DataFrame, Series or iterable of str
        A corpus table (from :func:`~discourse.corpus.load_corpus`, or any DataFrame
        with a ``text`` column), or the texts alone.
    what : str, default "corpus"
        What the corpus is called in error messages (``"input"``, ``"reference corpus"``).
    require_ids : bool, default False
        Accept only a DataFrame with a ``doc_id`` column whose ids are present and
        unique (what needs to name documents, e.g. topic models). Otherwise a table
        without ``doc_id``, or bare texts, get ids ``0 .. n-1``.
    error : DiscourseError subclass, default CorpusError
        The kind of error raised (a topic model raises
        :class:`~discourse.errors.TopicModelError`).

    Returns
    -------
    DataFrame
        The input itself when it already has ``doc_id`` and ``text`` (never modified,
        never copied); otherwise a new table.

    Raises
    ------
    DiscourseError
        Of the kind ``error``: a string or another object instead of a table, a table
        without ``text`` (or ``doc_id`` with ``require_ids``), a missing or repeated
        ``doc_id`` (with ``require_ids``; the message names the row).
    """
    if isinstance(corpus, pd.DataFrame):
        needed = ["doc_id", "text"] if require_ids else ["text"]
        missing = [c for c in needed if c not in corpus.columns]
        if missing:
            raise error(
                f"the {what} has no {', '.join(map(repr, missing))} column{'s' if len(missing) > 1 else ''} "
                f"(columns: {', '.join(map(str, corpus.columns))})",
                hint="Load it with discourse.load_corpus, or name its columns doc_id and text",
            )
        if "doc_id" not in corpus.columns:
            frame = corpus.copy()
            frame.insert(0, "doc_id", np.arange(len(frame)))
            return frame
        if require_ids:
            _check_ids(corpus["doc_id"], what, error)
        return corpus
    if isinstance(corpus, str):
        raise error(
            f"the {what} is a string, not a table of documents",
            hint="Load it with discourse.load_corpus(path)" + ("" if require_ids else ", or pass a list of texts"),
        )
    if require_ids or not isinstance(corpus, Iterable):
        raise error(
            f"the {what} must be a DataFrame (from discourse.load_corpus)"
            + ("" if require_ids else " or a list of texts")
            + f", not {type(corpus).__name__}",
            hint="Load one with discourse.load_corpus(path)",
        )
    texts = corpus.tolist() if isinstance(corpus, pd.Series) else list(corpus)
    return pd.DataFrame({"doc_id": np.arange(len(texts)), "text": texts})


def _check_ids(ids: pd.Series, what: str, error: type[DiscourseError]) -> None:
    absent = ids.isna().to_numpy()
    if absent.any():
        row = int(np.flatnonzero(absent)[0]) + 1
        raise error("doc_id is missing", item=what, row=row, hint="Give every document an id")
    dup = ids.duplicated().to_numpy()
    if dup.any():
        row = int(np.flatnonzero(dup)[0]) + 1
        raise error(
            f"doc_id {ids[dup].iloc[0]!r} is not unique", item=what, row=row,
            hint="Make doc_id unique (load_corpus does)",
        )


def corpus_texts(corpus) -> list[str]:
    """The texts of a corpus, one string per document, by the rule of :func:`as_text`.

    Parameters
    ----------
    corpus : DataFrame, Series or iterable
        A corpus table (its ``text`` column is read) or the texts alone.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> corpus_texts(pd.DataFrame({"text": ["a b", None, 7]}))
    ['a b', '', '7']
    """
    if isinstance(corpus, pd.DataFrame):
        if "text" not in corpus.columns:
            check_corpus(corpus)  # raises, naming the columns
        values = corpus["text"].tolist()
    elif isinstance(corpus, pd.Series):
        values = corpus.tolist()
    else:
        values = list(check_corpus(corpus)["text"])
    return [as_text(v) for v in values]


def corpus_fingerprint(corpus: pd.DataFrame) -> str:
    """Return the sha256 hex digest of a corpus's documents.

    Computed over the documents sorted by ``doc_id``, each contributing its id and its
    text (:func:`corpus_texts`): independent of row order and of metadata, changed by
    any edit of a text or id.

    Parameters
    ----------
    corpus : DataFrame
        With columns ``doc_id`` and ``text``.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import pandas as pd
    >>> a = pd.DataFrame({"doc_id": ["x", "y"], "text": ["one", "two"]})
    >>> corpus_fingerprint(a) == corpus_fingerprint(a.iloc[::-1])
    True
    """
    digest = hashlib.sha256()
    ids = corpus["doc_id"].astype(str).tolist()
    texts = corpus_texts(corpus)
    for doc_id, text in sorted(zip(ids, texts, strict=True)):
        # surrogatepass: a lone surrogate (a damaged decode) is hashed, not an error;
        # valid text gives the same bytes as plain UTF-8
        digest.update(doc_id.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()
