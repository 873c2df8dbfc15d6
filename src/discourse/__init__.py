"""discourse: analyse digital-governance discourse across events.

Load a corpus of speeches and news (:func:`load_corpus`), count dictionary themes
(:func:`theme_counts`, :func:`theme_frequencies`, :func:`kwic`), fit topic models
(:class:`TopicModel`, :func:`select_n_topics`) and track both across events
(:func:`track_themes`, :func:`track_topics`, :func:`distinctive_terms`). Charts live
in :mod:`discourse.plots`; reports are built by :func:`build_report`.

Every public analysis function takes a DataFrame and returns a new tidy DataFrame.
Names are imported lazily, so ``import discourse`` is quick.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "DiscourseError": "discourse.errors",
    "CorpusError": "discourse.errors",
    "DictionaryError": "discourse.errors",
    "TopicModelError": "discourse.errors",
    "ReportError": "discourse.errors",
    "NotComputable": "discourse.errors",
    # corpus
    "load_corpus": "discourse.corpus",
    "normalise_text": "discourse.corpus",
    "normalize_text": "discourse.corpus",
    "infer_metadata": "discourse.corpus",
    "CORPUS_COLUMNS": "discourse.corpus",
    "corpus_summary": "discourse.corpus",
    "convert_corpus": "discourse.corpus",
    "load_report": "discourse.corpus",
    "compute_corpus": "discourse.corpus",
    # text
    "tokenize": "discourse.text",
    "split_sentences": "discourse.text",
    "split_paragraphs": "discourse.text",
    "stop_words": "discourse.text",
    # themes
    "Dictionary": "discourse.themes",
    "load_dictionary": "discourse.themes",
    "default_dictionary": "discourse.themes",
    "theme_counts": "discourse.themes",
    "theme_frequencies": "discourse.themes",
    "kwic": "discourse.themes",
    "theme_cooccurrence": "discourse.themes",
    "ThemeCounter": "discourse.themes",
    "suggest_terms": "discourse.themes",
    "validate_dictionary": "discourse.themes",
    # topics
    "TopicModel": "discourse.topics",
    "select_n_topics": "discourse.topics",
    "align_topics": "discourse.topics",
    # tracking
    "events": "discourse.tracking",
    "track_themes": "discourse.tracking",
    "track_topics": "discourse.tracking",
    "distinctive_terms": "discourse.tracking",
    # validation
    "validation_sample": "discourse.validation",
    "validation_scores": "discourse.validation",
    "corrected_frequencies": "discourse.validation",
    "attach_text": "discourse.validation",
    "attach_predictions": "discourse.validation",
    "read_labels": "discourse.validation",
    "reader_agreement": "discourse.validation",
    "ValidationError": "discourse.validation",
    "LabelSession": "discourse.labelling",
    "Labeller": "discourse.labelling",
    # datasets
    "demo_corpus_path": "discourse.datasets",
    "load_demo_corpus": "discourse.datasets",
    "make_synthetic_corpus": "discourse.datasets",
    "planted_rates": "discourse.datasets",
    # report
    "build_report": "discourse.report",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'discourse' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from discourse.corpus import (
        CORPUS_COLUMNS,
        compute_corpus,
        convert_corpus,
        corpus_summary,
        infer_metadata,
        load_corpus,
        load_report,
        normalise_text,
        normalize_text,
    )
    from discourse.datasets import (
        demo_corpus_path,
        load_demo_corpus,
        make_synthetic_corpus,
        planted_rates,
    )
    from discourse.errors import (
        CorpusError,
        DictionaryError,
        DiscourseError,
        NotComputable,
        ReportError,
        TopicModelError,
    )
    from discourse.labelling import Labeller, LabelSession
    from discourse.report import build_report
    from discourse.text import split_paragraphs, split_sentences, stop_words, tokenize
    from discourse.themes import (
        Dictionary,
        ThemeCounter,
        default_dictionary,
        kwic,
        load_dictionary,
        suggest_terms,
        theme_cooccurrence,
        theme_counts,
        theme_frequencies,
        validate_dictionary,
    )
    from discourse.topics import TopicModel, align_topics, select_n_topics
    from discourse.tracking import distinctive_terms, events, track_themes, track_topics
    from discourse.validation import (
        ValidationError,
        attach_predictions,
        attach_text,
        corrected_frequencies,
        read_labels,
        reader_agreement,
        validation_sample,
        validation_scores,
    )
