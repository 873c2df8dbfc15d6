"""Corpus loading: folders, archives and tables into one table of documents.

Public API: :func:`load_corpus`, :func:`normalise_text` (alias
:func:`normalize_text`), :func:`infer_metadata`, :data:`CORPUS_COLUMNS` and
:func:`corpus_summary`; for analyses, :func:`check_corpus`, :func:`corpus_texts`
(one rule for text that is not a string, :func:`as_text`) and :func:`corpus_fingerprint`.
A corpus store (partitioned Parquet, loaded fast): :func:`convert_corpus`,
:func:`read_manifest`; ``load_corpus(..., backend="dask")`` and its skip list:
:func:`load_report`, :func:`compute_corpus`.
The table's columns, the scraped-article format, the
inference rules and how to override them are documented in ``docs/corpus.md``.
"""

from __future__ import annotations

from discourse.corpus._dask import compute_corpus, load_report
from discourse.corpus.metadata import infer_metadata, parse_article
from discourse.corpus.normalise import normalise_text, normalize_text
from discourse.corpus.readers import CORPUS_COLUMNS, DOCUMENT_SUFFIXES, FORMATS, load_corpus
from discourse.corpus.store import convert_corpus, read_manifest
from discourse.corpus.summary import (
    UNKNOWN,
    corpus_summary,
    documents_by,
    filled_columns,
    skipped_table,
)
from discourse.corpus.table import as_text, check_corpus, corpus_fingerprint, corpus_texts

__all__ = [
    "CORPUS_COLUMNS",
    "UNKNOWN",
    "DOCUMENT_SUFFIXES",
    "FORMATS",
    "as_text",
    "check_corpus",
    "compute_corpus",
    "convert_corpus",
    "corpus_fingerprint",
    "corpus_summary",
    "corpus_texts",
    "documents_by",
    "filled_columns",
    "infer_metadata",
    "load_corpus",
    "load_report",
    "normalise_text",
    "normalize_text",
    "parse_article",
    "read_manifest",
    "skipped_table",
]
