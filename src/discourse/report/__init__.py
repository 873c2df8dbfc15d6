"""The report: notebooks executed on a corpus, rendered as HTML with figures, tables and provenance.

One module per job:

* :mod:`discourse.report.build`: :func:`build_report` (what ``make report`` and
  ``discourse report`` run): finds the notebooks, loads the corpus once, executes the
  notebooks with papermill on a kernel running this Python, renders HTML, writes the
  index and ``manifest.json`` and swaps the new report into place atomically;
* :mod:`discourse.report.outputs`: what the notebooks show and save,
  :class:`ReportOutputs` and the ``show_*`` helpers (everything from documents is
  HTML-escaped); a step that cannot be computed for the corpus becomes a note;
* :mod:`discourse.report.findings`: the findings in words (headline changes, the
  corpus, the dictionary's validity), generated from the package's tables;
* :mod:`discourse.report.validity`: the dictionary's measured validity and the shares
  corrected for its errors.

The analysis the notebooks show lives where it belongs and is re-exported here for
compatibility: :func:`~discourse.corpus.corpus_fingerprint`,
:func:`~discourse.corpus.documents_by` and
:func:`~discourse.corpus.skipped_table` (corpus), :func:`~discourse.themes.dictionary_table`,
:func:`~discourse.themes.theme_labels`, :func:`~discourse.themes.theme_groups`,
:func:`~discourse.themes.kwic_samples` (themes), :func:`~discourse.topics.topics_table`
(topics). See ``docs/report.md``.
"""

from __future__ import annotations

from discourse.corpus.summary import UNKNOWN, documents_by, skipped_table
from discourse.corpus.table import corpus_fingerprint
from discourse.report.build import (
    GENERATOR,
    NOTEBOOK_PATTERN,
    build_report,
    list_notebooks,
    load_report_corpus,
    notebooks_dir,
    report_parameters,
)
from discourse.report.findings import (
    corpus_description,
    headline_findings,
    interval_methods_note,
    language_name,
    languages_sentence,
    no_comparison_reason,
    rates_note,
    selection_sentence,
    theme_language_notes,
    topic_language_note,
    validity_caveats,
    validity_findings,
)
from discourse.report.outputs import (
    NOT_COMPUTABLE,
    ReportOutputs,
    facet,
    in_languages,
    is_not_computable,
    last_groups,
    show_list,
    show_table,
    show_text,
)
from discourse.report.validity import (
    SHIPPED_VALIDATION_CORPUS,
    VALIDITY_SHOWN,
    corrected_shares,
    validity_table,
)
from discourse.themes.tables import dictionary_table, kwic_samples, theme_groups, theme_labels
from discourse.topics.tables import topics_table

__all__ = [
    "build_report",
    "report_parameters",
    "corpus_fingerprint",
    "load_report_corpus",
    "list_notebooks",
    "notebooks_dir",
    "ReportOutputs",
    "show_table",
    "show_text",
    "show_list",
    "headline_findings",
    "documents_by",
    "skipped_table",
    "corpus_description",
    "dictionary_table",
    "theme_labels",
    "kwic_samples",
    "theme_groups",
    "facet",
    "topics_table",
    "last_groups",
    "validity_table",
    "validity_findings",
    "validity_caveats",
    "interval_methods_note",
    "corrected_shares",
    "selection_sentence",
    "no_comparison_reason",
    "language_name",
    "languages_sentence",
    "theme_language_notes",
    "rates_note",
    "topic_language_note",
    "in_languages",
    "is_not_computable",
    "NOT_COMPUTABLE",
    "GENERATOR",
    "NOTEBOOK_PATTERN",
    "UNKNOWN",
    "VALIDITY_SHOWN",
    "SHIPPED_VALIDATION_CORPUS",
]


def __getattr__(name: str):
    # FREQUENCY_COLUMNS (the columns of theme_frequencies by event, as in track_themes
    # tables) is derived from what theme_frequencies returns, not copied here.
    if name == "FREQUENCY_COLUMNS":
        return _frequency_columns()
    raise AttributeError(f"module 'discourse.report' has no attribute {name!r}")


def _frequency_columns() -> list[str]:
    import pandas as pd

    from discourse.themes import theme_frequencies
    from discourse.tracking import in_event_order

    tiny = pd.DataFrame({"doc_id": ["a"], "text": ["digital divide"], "event": ["E"], "event_series": ["S"]})
    table = in_event_order(theme_frequencies(tiny, {"themes": {"t": {"patterns": ["digital"]}}}, by="event", n_boot=0),
                           tiny)
    return ["event", "event_series", "scope"] + [c for c in table.columns if c not in ("event", "event_series")]
