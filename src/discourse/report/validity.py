"""The dictionary's measured validity in the report: scores against people's labels, corrected shares.

:func:`validity_table` gives precision, recall and F1 with intervals (the figures shipped
for the built-in dictionary, or the analyst's own labels scored on the corpus);
:func:`corrected_shares` gives theme shares per event corrected for the dictionary's
errors. Both are thin layers over :mod:`discourse.validation` (which the lead owns; they
may move there). Their wording is in :mod:`discourse.report.findings`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

__all__ = ["validity_table", "corrected_shares", "SHIPPED_VALIDATION_CORPUS", "VALIDITY_SHOWN"]

#: Where the shipped validity figures of the built-in dictionary were measured.
SHIPPED_VALIDATION_CORPUS = "UN General Assembly general debate speeches, 2000-2024"

#: The columns of :func:`validity_table` shown in the notebook (the CSV holds all).
VALIDITY_SHOWN = [
    "split", "theme", "n", "positives",
    "precision", "precision_low", "precision_high", "precision_interval_method",
    "recall", "recall_low", "recall_high", "recall_interval_method",
    "f1", "f1_low", "f1_high", "f1_interval_method",
    "precision_unweighted", "recall_unweighted", "f1_unweighted",
]


def _validation_labels(labels, dictionary):
    """The labelled table (read if a path), keeping only the themes the dictionary has.

    Raises :class:`~discourse.validation.ValidationError` when none of its themes is in
    the dictionary.
    """
    from discourse.validation import ValidationError, read_labels

    where = {}
    if isinstance(labels, (str, os.PathLike)):
        where = {"path": labels}
        labels = read_labels(labels)
    themes = [c[len("label_"):] for c in labels.columns if str(c).startswith("label_")]
    kept = [t for t in themes if t in dictionary.theme_ids]
    if not kept:
        raise ValidationError(
            f"none of the labelled themes ({', '.join(themes) or 'none'}) is in dictionary "
            f"{getattr(dictionary, 'name', '')!r}",
            hint="Label themes of the dictionary the report uses (label_<theme> columns)",
            **where,
        )
    if not labels[[f"label_{t}" for t in kept]].notna().any().any():
        raise ValidationError("no unit is labelled yet", hint="Fill the label_<theme> columns with 1 (about the "
                              "theme) or 0 (not)", **where)
    dropped = [f"{p}_{t}" for t in themes if t not in kept for p in ("label", "pred") if f"{p}_{t}" in labels.columns]
    return labels.drop(columns=dropped), kept


def validity_table(
    dictionary,
    corpus: pd.DataFrame | None = None,
    labels=None,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    unit: str = "sentence",
) -> pd.DataFrame:
    """How well the dictionary finds the themes: precision, recall and F1 with 95% intervals.

    Without ``labels``: the figures shipped with the package for the built-in dictionary
    (:func:`discourse.validation.shipped_scores`), measured on hand-labelled sentences
    of UN General Assembly general debate speeches 2000-2024; the ``held_out`` split when
    it is there, else ``development``. Whether they apply to ``dictionary`` is for
    :func:`validity_caveats` to say (they measure the dictionary of their
    ``fingerprint``).

    With ``labels`` (an analyst's labelled sample of ``corpus``, drawn with
    :func:`discourse.validation.validation_sample`): the dictionary's predictions are
    recomputed on ``corpus`` (:func:`~discourse.validation.attach_predictions`) and
    scored (:func:`~discourse.validation.validation_scores`), for the labelled themes
    that the dictionary has.

    Parameters
    ----------
    dictionary : discourse.themes.Dictionary
    corpus : DataFrame, optional
        Needed with ``labels``: the corpus they were drawn from.
    labels : DataFrame or path, optional
        A labelled validation table or CSV (:func:`discourse.validation.read_labels`).
    n_boot : int, default 1000
        Bootstrap resamples for the weighted intervals (own labels only).
    seed : int, default 0
    unit : str, default "sentence"
        The unit the labels were drawn at.

    Returns
    -------
    DataFrame
        One row per theme (and split): ``measured_on``, ``split``, then the columns of
        :func:`~discourse.validation.validation_scores` (weighted estimates with
        ``_low``/``_high``, then unweighted figures), then ``fingerprint`` (of the
        dictionary scored).

    Raises
    ------
    ValidationError
        Labels that do not fit the corpus (naming the row), or none of whose themes is
        in the dictionary.
    """
    from discourse.validation import attach_predictions, shipped_scores, validation_scores

    if labels is None:
        table = shipped_scores()
        splits = table["split"].astype(str)
        chosen = "held_out" if (splits == "held_out").any() else "development"
        table = table[splits == chosen].reset_index(drop=True)
        table.insert(0, "measured_on", f"{SHIPPED_VALIDATION_CORPUS} (shipped, {chosen} split)")
        return table
    if corpus is None:
        raise ValueError("validity_table: labels need the corpus they were drawn from (corpus=)")
    name = Path(labels).name if isinstance(labels, (str, os.PathLike)) else "labelled table"
    table, themes = _validation_labels(labels, dictionary)
    scored = attach_predictions(table, corpus, dictionary, themes=themes, unit=unit)
    scores = validation_scores(scored, n_boot=n_boot, seed=seed)
    scores.insert(0, "split", "all")
    scores.insert(0, "measured_on", f"your labels ({name})")
    scores["fingerprint"] = dictionary.fingerprint()
    return scores


def _event_order(corpus: pd.DataFrame, column: str = "event") -> list[str]:
    """Events in time order (earliest date, then year, then name), as :func:`discourse.events` orders them."""
    from discourse.tracking import NO_EVENT

    work = pd.DataFrame({column: corpus[column].astype(str)})
    work["date"] = pd.to_datetime(corpus["date"], errors="coerce") if "date" in corpus.columns else pd.NaT
    work["year"] = pd.to_numeric(corpus["year"], errors="coerce") if "year" in corpus.columns else float("nan")
    first = work.groupby(column, sort=True).agg(date=("date", "min"), year=("year", "min")).reset_index()
    first = first.sort_values(["date", "year", column], na_position="last", kind="stable")
    order = [e for e in first[column] if e != NO_EVENT]
    return order + ([NO_EVENT] if NO_EVENT in set(first[column]) else [])


def corrected_shares(
    corpus: pd.DataFrame,
    labels,
    dictionary,
    *,
    by: str = "event",
    n_boot: int = 1000,
    seed: int = 0,
    unit: str = "sentence",
) -> pd.DataFrame:
    """Theme shares of units per event, corrected for the dictionary's measured errors, in time order.

    :func:`discourse.validation.corrected_frequencies` of ``corpus`` by ``by`` (units
    without an event are grouped as :data:`discourse.tracking.NO_EVENT`), for the
    labelled themes the dictionary has; with ``by="event"`` the events come in time
    order (as in :func:`discourse.events`), then themes in label order.

    Returns
    -------
    DataFrame
        The columns of :func:`~discourse.validation.corrected_frequencies`: ``by``,
        ``theme``, ``n_units``, ``units_with_theme``, ``raw``, ``n_labelled``,
        ``corrected``, ``corrected_low``, ``corrected_high``, ``method``, ``assumption``.
    """
    from discourse.tracking import NO_EVENT
    from discourse.validation import corrected_frequencies

    table, themes = _validation_labels(labels, dictionary)
    frame = corpus
    if by in corpus.columns:
        values = corpus[by].astype("object")
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        if blank.any() or by == "event":
            frame = corpus.assign(**{by: values.where(~blank, NO_EVENT).map(str)})
    out = corrected_frequencies(frame, table, by=by, dictionary=dictionary, unit=unit, seed=seed,
                                n_boot=n_boot, themes=themes)
    if by == "event":
        rank = {e: i for i, e in enumerate(_event_order(frame))}
        theme_rank = {t: i for i, t in enumerate(themes)}
        out = out.assign(_g=out[by].map(rank), _t=out["theme"].map(theme_rank))
        out = out.sort_values(["_g", "_t"], kind="stable").drop(columns=["_g", "_t"]).reset_index(drop=True)
    return out
