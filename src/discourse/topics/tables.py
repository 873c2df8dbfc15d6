"""Tables about a fitted topic model and a choice of the number of topics, for the report.

Moved here from :mod:`discourse.report` (the topics own what is computed about them).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["topics_table", "selection_table"]


def topics_table(model, n_terms: int = 10) -> pd.DataFrame:
    """One row per topic of a fitted :class:`~discourse.topics.TopicModel`: label, prevalence, top terms.

    Parameters
    ----------
    model : discourse.topics.TopicModel
        Fitted.
    n_terms : int, default 10
        Terms per topic in ``top_terms`` and ``frex_terms``.

    Returns
    -------
    DataFrame
        ``topic``, ``label``, ``guided`` (theme id or empty), ``prevalence`` (mean share
        of the documents), ``top_terms`` (the ``n_terms`` heaviest terms, comma-separated)
        and ``frex_terms`` (the ``n_terms`` terms with the highest FREX score: frequent
        and exclusive, the view the label comes from).
    """
    labels = model.labels()
    out = labels.copy()
    for column, by in (("top_terms", "weight"), ("frex_terms", "frex")):
        terms = model.top_terms(n_terms, by=by).sort_values(["topic", "rank"], kind="stable")
        joined = terms.groupby("topic", sort=True)["term"].agg(lambda t: ", ".join(map(str, t)))
        out[column] = out["topic"].map(joined).fillna("")
    return out


def selection_table(selection) -> pd.DataFrame:
    """The diagnostics of a :func:`~discourse.topics.select_n_topics` result, without timings.

    Parameters
    ----------
    selection : discourse.topics.TopicSelection

    Returns
    -------
    DataFrame
        ``selection.table`` without its ``fit_seconds`` column (which changes from run
        to run), so that the table is the same for the same inputs and seeds.
    """
    return selection.table.drop(columns=["fit_seconds"], errors="ignore")
