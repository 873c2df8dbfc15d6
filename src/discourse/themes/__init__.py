"""Theme dictionaries and a fast, validated theme counter.

* :mod:`discourse.themes.dictionary`: the dictionary formats (discourse's YAML,
  quanteda's YAML, LIWC ``.dic``) and their validation: :class:`Dictionary`,
  :func:`load_dictionary`, :func:`default_dictionary`.
* :mod:`discourse.themes.matcher`: the pattern language compiled for fast matching,
  and the matching semantics (read its docstring before trusting a count).
* :mod:`discourse.themes.frequencies`: :func:`theme_counts`,
  :func:`theme_frequencies`, :func:`kwic`, :func:`theme_cooccurrence`,
  :class:`ThemeCounter`, :func:`suggest_terms`, :func:`validate_dictionary`.
* :mod:`discourse.themes.tables`: a dictionary as tables for the report:
  :func:`dictionary_table`, :func:`theme_labels`, :func:`theme_groups`,
  :func:`kwic_samples`, :func:`first_per_theme`.

The pattern language and file formats are documented in ``docs/dictionaries.md``.
"""

from discourse.themes.dictionary import (
    Dictionary,
    Group,
    Theme,
    default_dictionary,
    load_dictionary,
)
from discourse.themes.frequencies import (
    DictionaryValidation,
    ThemeCounter,
    document_languages,
    kwic,
    overall_frequencies,
    suggest_terms,
    theme_cooccurrence,
    theme_counts,
    theme_frequencies,
    validate_dictionary,
)
from discourse.themes.matcher import Matcher
from discourse.themes.tables import (
    dictionary_table,
    first_per_theme,
    kwic_samples,
    theme_groups,
    theme_labels,
)

__all__ = [
    "Dictionary",
    "Theme",
    "Group",
    "load_dictionary",
    "default_dictionary",
    "Matcher",
    "theme_counts",
    "theme_frequencies",
    "kwic",
    "theme_cooccurrence",
    "ThemeCounter",
    "suggest_terms",
    "validate_dictionary",
    "DictionaryValidation",
    "dictionary_table",
    "theme_labels",
    "theme_groups",
    "kwic_samples",
    "first_per_theme",
    "overall_frequencies",
    "document_languages",
]
