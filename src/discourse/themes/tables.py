"""Tables about a dictionary's themes: the dictionary as a table, labels, chart groups, KWIC samples.

Moved here from :mod:`discourse.report` (the themes own what is computed about them);
the report's notebooks call these functions. Every function returns a new object and
never changes its input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from discourse.themes.frequencies import kwic, theme_counts

__all__ = ["dictionary_table", "theme_labels", "theme_groups", "kwic_samples", "first_per_theme"]


def dictionary_table(dictionary) -> pd.DataFrame:
    """Return a dictionary's themes as a table: theme, label, parent, patterns, exclusions.

    Parameters
    ----------
    dictionary : discourse.themes.Dictionary

    Returns
    -------
    DataFrame
        One row per theme in dictionary order: ``theme``, ``label``, ``parent``,
        ``n_patterns``, ``patterns`` (as written in the dictionary, separated by
        `` | ``), ``exclude`` (the same for exclusion patterns).
    """
    rows = []
    for theme_id in dictionary.theme_ids:
        theme = _theme_object(dictionary, theme_id)
        patterns = list(getattr(theme, "patterns", None) or dictionary.terms(theme_id))
        exclude = list(getattr(theme, "exclude", None) or [])
        rows.append(
            {
                "theme": theme_id,
                "label": getattr(theme, "label", None) or theme_id,
                "parent": getattr(theme, "parent", None),
                "n_patterns": len(patterns),
                "patterns": " | ".join(map(str, patterns)),
                "exclude": " | ".join(map(str, exclude)),
            }
        )
    return pd.DataFrame(rows, columns=["theme", "label", "parent", "n_patterns", "patterns", "exclude"])


def _theme_object(dictionary, theme_id):
    themes = getattr(dictionary, "themes", None)
    if isinstance(themes, Mapping):
        return themes.get(theme_id)
    if themes is not None:
        for theme in themes:
            if getattr(theme, "id", None) == theme_id or getattr(theme, "theme_id", None) == theme_id:
                return theme
    return None


def theme_labels(dictionary) -> dict[str, str]:
    """Return ``{theme id: label}`` for a dictionary (the id when it has no label)."""
    out = {}
    for theme_id in dictionary.theme_ids:
        theme = _theme_object(dictionary, theme_id)
        out[theme_id] = getattr(theme, "label", None) or theme_id
    return out


def theme_groups(dictionary, max_size: int = 7) -> list[tuple[str, list[str]]]:
    """Split a dictionary's themes into chart-sized groups: by parent group, at most ``max_size`` each.

    Parameters
    ----------
    dictionary : discourse.themes.Dictionary
    max_size : int, default 7
        Themes per group (charts draw interval bands for up to 7 lines).

    Returns
    -------
    list of (title, theme ids)
        In dictionary order; the title is the parent group's label ("Challenges"),
        "Other themes" for themes without a parent, with "(1 of 2)" when split.
    """
    groups = getattr(dictionary, "groups", None) or {}
    order: dict[str, list[str]] = {}
    for theme_id in dictionary.theme_ids:
        theme = _theme_object(dictionary, theme_id)
        parent = getattr(theme, "parent", None) or ""
        order.setdefault(parent, []).append(theme_id)
    out = []
    for parent, ids in order.items():
        group = groups.get(parent) if isinstance(groups, Mapping) else None
        title = getattr(group, "label", None) or (parent.replace("_", " ").capitalize() if parent else "Other themes")
        chunks = [ids[i : i + max_size] for i in range(0, len(ids), max(1, max_size))]
        # balance the chunks: 9 themes -> 5 + 4 rather than 7 + 2
        if len(chunks) > 1:
            size = math.ceil(len(ids) / len(chunks))
            chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        for i, chunk in enumerate(chunks, start=1):
            out.append((title if len(chunks) == 1 else f"{title} ({i} of {len(chunks)})", chunk))
    return out


def kwic_samples(
    corpus: pd.DataFrame,
    dictionary,
    *,
    counts: pd.DataFrame | None = None,
    n_per_theme: int = 5,
    seed: int = 0,
    window: int = 8,
) -> pd.DataFrame:
    """Draw keyword-in-context lines at random for every theme, to validate the dictionary.

    For each theme, up to ``n_per_theme`` documents where it matches are drawn at
    random (seeded), and one of each document's matches, also at random.

    Parameters
    ----------
    corpus : DataFrame
    dictionary : discourse.themes.Dictionary
    counts : DataFrame, optional
        :func:`discourse.themes.theme_counts` of the corpus (computed if not given).
    n_per_theme : int, default 5
    seed : int, default 0
    window : int, default 8
        Words of context on each side.

    Returns
    -------
    DataFrame
        Columns ``theme``, ``doc_id``, ``event``, ``left``, ``match``, ``right``,
        ``pattern``, in dictionary then document order; the text is as in the documents
        (escape it before showing it as HTML: :func:`discourse.report.show_table` does).
    """
    if counts is None:
        counts = theme_counts(corpus, dictionary)
    columns = ["theme", "doc_id", "event", "left", "match", "right", "pattern"]
    frames = []
    for i, theme_id in enumerate(dictionary.theme_ids):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), i]))
        hit = counts[(counts["theme"] == theme_id) & (counts["count"] > 0)]
        doc_ids = sorted(hit["doc_id"].astype(str).unique().tolist())
        if not doc_ids or n_per_theme <= 0:
            continue
        chosen = sorted(rng.choice(doc_ids, size=min(n_per_theme, len(doc_ids)), replace=False).tolist())
        subset = corpus[corpus["doc_id"].astype(str).isin(chosen)]
        lines = kwic(subset, theme_id, window=window, dictionary=dictionary)
        if lines.empty:
            continue
        lines = lines.assign(_doc=lines["doc_id"].astype(str)).sort_values("_doc", kind="stable")
        picked = []
        for _doc, group in lines.groupby("_doc", sort=True):
            picked.append(group.iloc[[int(rng.integers(len(group)))]])
        sample = pd.concat(picked).drop(columns="_doc")
        sample = sample.assign(theme=theme_id)
        if "event" not in sample.columns:
            sample = sample.assign(event=sample["doc_id"].map(subset.set_index("doc_id")["event"]))
        frames.append(sample[[c for c in columns if c in sample.columns]])
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    return pd.concat(frames, ignore_index=True)


def first_per_theme(samples: pd.DataFrame) -> pd.DataFrame:
    """Return the first keyword-in-context line of each theme of :func:`kwic_samples`.

    Parameters
    ----------
    samples : DataFrame
        From :func:`kwic_samples` (themes in dictionary order).

    Returns
    -------
    DataFrame
        One row per theme, in the order of ``samples``.
    """
    return samples.groupby("theme", sort=False).head(1)
