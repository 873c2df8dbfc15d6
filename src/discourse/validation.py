"""Validating a theme dictionary against people's labels, and correcting its shares.

A dictionary count means what its patterns match, not necessarily what the theme is.
This module measures the gap and corrects for it:

1. :func:`validation_sample` draws units (sentences by default) for a person to label:
   a seeded, stratified sample that over-draws the units where the dictionary finds the
   theme and where it most likely misses it, plus a simple random stratum, with the
   inclusion probability of every unit recorded as ``weight`` = 1 / probability.
2. A person labels each unit 0/1 per theme by reading it against the codebook
   (``notebooks/05-validate-dictionary.py`` is a labeller for JupyterLab; the CSV
   works in any spreadsheet). Only references are stored (``doc_id``, ``start``,
   ``end``); :func:`attach_text` brings the text back from the corpus.
3. :func:`attach_predictions` (re)computes what a dictionary says of each labelled
   unit, so a revised dictionary is scored on the same labels;
   :func:`validation_scores` gives precision, recall and F1 with intervals, weighted to
   estimate corpus-level values, and unweighted beside them.
4. :func:`corrected_frequencies` corrects the dictionary's share of units per group
   for its measured errors (design-based supervised learning; Rogan-Gladen where a
   group has no labels), with intervals that carry the labelled sample's uncertainty.

The design is documented in ``docs/validation.md``.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as _sps

from discourse.corpus import check_corpus as _corpus
from discourse.corpus import corpus_texts as _texts
from discourse.errors import CorpusError
from discourse.themes.dictionary import Dictionary, default_dictionary, load_dictionary
from discourse.themes.frequencies import (
    UnitMatches,
    _check_unit,
    _group_codes,
    unit_spans,
    unit_theme_matrix,
)

__all__ = [
    "MISSION_THEMES",
    "ValidationError",
    "validation_sample",
    "sample_design",
    "attach_text",
    "attach_predictions",
    "read_labels",
    "validation_scores",
    "corrected_frequencies",
    "candidate_dictionary",
    "shipped_validation",
    "shipped_scores",
    "score_validation_set",
    "reader_agreement",
    "SHIPPED_SCORES",
]

#: The three themes the project exists to measure (defined by the codebook).
MISSION_THEMES = ("digital_divide", "ai_safety", "governance_deficit")

#: The language of the shipped labelled set (UN speeches in English): the shipped figures
#: belong to the dictionary's patterns for it (``Dictionary.fingerprint(SHIPPED_LANGUAGE)``).
SHIPPED_LANGUAGE = "en"

_DATA = Path(__file__).resolve().parent / "themes" / "data"


class ValidationError(CorpusError):
    """A labelled validation file or table is not usable (names the row and what to do)."""


def candidate_dictionary() -> Dictionary:
    """The broad near-miss terms of the mission themes, used to stratify samples.

    A unit with one of a theme's candidate terms but no match of the theme is where the
    theme's misses concentrate; :func:`validation_sample` gives such units strata of
    their own. The terms are in ``themes/data/candidates.yaml``.
    """
    return load_dictionary(_DATA / "candidates.yaml")


def _dictionary(dictionary) -> Dictionary:
    return default_dictionary() if dictionary is None else load_dictionary(dictionary)


def _themes_of(d: Dictionary, themes) -> list[str]:
    if themes is None:
        chosen = [t for t in MISSION_THEMES if t in d]
        return chosen or list(d.theme_ids)
    themes = [themes] if isinstance(themes, str) else list(themes)
    missing = [t for t in themes if t not in d]
    if missing:
        raise ValueError(f"no theme {', '.join(map(repr, missing))} in dictionary {d.name!r} "
                         f"(themes: {', '.join(d.theme_ids)})")
    return themes


# --- the sample ---------------------------------------------------------------------------


_ALLOCATIONS = {"sqrt": math.sqrt, "equal": lambda size: 1.0, "proportional": float}


def _allocate(total: int, sizes: dict, weight=math.sqrt) -> dict:
    """Split ``total`` draws over groups in proportion to ``weight(size)``, capped at size.

    Water-filling: what a capped group cannot take goes to the others. Deterministic
    (largest remainders; ties go to the group given least so far, then by key order).
    """
    alloc = {k: 0 for k in sizes}
    open_ = [k for k in sizes if sizes[k] > 0]
    left = int(total)
    while left > 0 and open_:
        w = np.array([weight(sizes[k]) for k in open_], dtype=float)
        share = left * w / w.sum()
        base = np.floor(share).astype(int)
        rem = left - int(base.sum())
        # largest remainders first; among equal remainders, the groups given least so far
        given = np.array([alloc[k] for k in open_], dtype=float)
        order = np.lexsort((given, -(share - base)))[:rem]
        base[order] += 1
        nxt = []
        for k, b in zip(open_, base, strict=True):
            room = sizes[k] - alloc[k]
            take = min(int(b), room)
            alloc[k] += take
            left -= take
            if sizes[k] - alloc[k] > 0:
                nxt.append(k)
        if nxt == open_ and all(b == 0 for b in base):
            break
        open_ = nxt
    return alloc


def _period_labels(years: pd.Series, period: int) -> pd.Series:
    y = pd.to_numeric(years, errors="coerce")
    if y.notna().sum() == 0:
        return pd.Series(["all years"] * len(years), index=years.index)
    y0 = int(y.min())
    lo = y0 + ((y - y0) // period) * period
    lab = lo.astype("Int64").astype(str) + "-" + (lo + period - 1).astype("Int64").astype(str)
    return lab.where(y.notna(), "no year")


def _prediction_class(pred: np.ndarray, cand: np.ndarray, themes: list[str]) -> np.ndarray:
    """'theme(+theme)' when the dictionary finds themes, 'near:theme(+...)' when only
    candidate terms are there, 'none' otherwise."""
    out = np.full(len(pred), "none", dtype=object)
    names = np.array(themes, dtype=object)
    for i in np.flatnonzero(pred.any(axis=1)):
        out[i] = "+".join(names[pred[i] > 0])
    if cand is not None:
        for i in np.flatnonzero(~pred.any(axis=1) & cand.any(axis=1)):
            out[i] = "near:" + "+".join(names[cand[i] > 0])
    return out


def validation_sample(
    corpus,
    dictionary=None,
    *,
    n: int = 400,
    unit: str = "sentence",
    strata=("prediction", "year"),
    seed: int = 0,
    themes=None,
    random_share: float = 0.2,
    period: int = 5,
    candidates="default",
    exclude=None,
    allocation: str = "sqrt",
) -> pd.DataFrame:
    """Draw units of a corpus for people to label, with known inclusion probabilities.

    The design has two independent draws, whose union is the sample:

    * a **random stratum**: a simple random sample of ``round(random_share * n)`` units
      of the whole corpus, which any unit can enter;
    * **stratified draws**: units are partitioned into strata (by default the
      prediction class crossed with periods of ``period`` years) and the remaining
      draws are spread over the strata in proportion to the square root of their
      sizes (capped at a stratum's size), first over prediction classes, then within
      each class over the other factors. The prediction class ``none`` (neither a
      match nor a candidate term) gets draws only from the random stratum.

    A unit of stratum *h* is drawn with probability
    ``1 - (1 - n_r / N) * (1 - n_h / N_h)`` exactly, and ``weight`` is its inverse, so
    weighted sums over labelled units estimate corpus totals (Horvitz-Thompson). A unit
    drawn by both draws appears once, so the sample can be a few units short of ``n``.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table (``doc_id``, ``text`` and the metadata named in ``strata``).
    dictionary : Dictionary, path or mapping, optional
        The dictionary whose predictions define the prediction classes (default: the
        built-in one).
    n : int, default 400
        Units to draw (about; see above).
    unit : {"sentence", "paragraph", "document"}, default "sentence"
    strata : tuple of str, default ("prediction", "year")
        Factors of the partition: ``"prediction"`` (the class of the unit: the themes
        the dictionary finds in it, ``near:<theme>`` when only a candidate term of a
        theme is there, or ``none``), ``"year"`` (periods of ``period`` years) or any
        metadata column of the corpus. ``()`` gives a simple random sample.
    seed : int, default 0
        Same corpus, dictionary and seed: the same sample.
    themes : list of str, optional
        Themes whose predictions define the classes and get ``pred_``/``label_``
        columns (default: the three mission themes when the dictionary has them, else
        all its themes).
    random_share : float, default 0.2
        Share of ``n`` drawn as the random stratum (0 to 1).
    period : int, default 5
        Years per period for the ``"year"`` factor.
    candidates : "default", Dictionary, path, mapping or None
        Broad terms per theme that mark likely misses (:func:`candidate_dictionary` by
        default; only themes present in both are used). ``None``: no near-miss classes.
    exclude : DataFrame or iterable of str, optional
        Units to leave out of the sampling frame, e.g. units already labelled (a table
        with ``doc_id``, ``start``, ``end``, or ``unit_id`` strings ``doc_id:start-end``).
        The design is then exact for the corpus *without* them: weights estimate totals
        over the remaining units, and the design (:func:`sample_design`) says how many
        were excluded.
        Use it to draw a fresh test set that shares no unit with the sets already read.
    allocation : {"sqrt", "equal", "proportional"}, default "sqrt"
        How the stratified draws are spread over the prediction classes: in proportion
        to the square root of a class's size, equally (capped at a class's size; best
        when every theme's precision must be measured, small themes included), or in
        proportion to size. Within a class, draws are spread over the other factors by
        the square root of their sizes.

    Returns
    -------
    DataFrame
        One row per drawn unit, in corpus order: ``unit_id`` (``doc_id:start-end``),
        ``doc_id``, ``start``, ``end`` (character offsets into the loaded text),
        ``text``, ``stratum``, ``draw`` (``random``, ``stratified`` or ``both``),
        ``weight`` (1 / inclusion probability), ``year`` when the corpus has it,
        ``pred_<theme>`` (0/1: the dictionary finds the theme in the unit) and empty
        ``label_<theme>`` columns, then ``note``. ``attrs["design"]`` holds the stratum
        sizes and allocations as a tuple of plain records (one dict per stratum, Python
        ``str``/``int``/``float`` values: ``stratum``, ``N``, ``n_stratified``,
        ``p_stratified``, ``p_random``, ``excluded``), so that samples concatenate
        (pandas compares ``attrs`` in ``pd.concat``) and the attrs serialise to JSON;
        :func:`sample_design` gives them as a table. ``attrs["unit"]`` and
        ``attrs["excluded"]`` hold the unit and the number of excluded units.
    """
    _check_unit(unit)
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, not {n!r}")
    if not 0 <= random_share <= 1:
        raise ValueError(f"random_share must be between 0 and 1, not {random_share!r}")
    if allocation not in _ALLOCATIONS:
        raise ValueError(f"allocation must be one of {sorted(_ALLOCATIONS)}, not {allocation!r}")
    d = _dictionary(dictionary)
    chosen = _themes_of(d, themes)
    frame = _corpus(corpus)
    um = unit_theme_matrix(frame, d, unit)
    idx = [d.theme_ids.index(t) for t in chosen]
    pred = um.present[:, idx]
    keep = _not_excluded(frame, um, exclude)
    n_excluded = int((~keep).sum())
    um = _subset_units(um, keep)
    pred = pred[keep]
    N = len(um.row)
    if N == 0:
        raise CorpusError("the corpus has no text to sample from", hint="Check that its documents are not empty")
    cand = None
    if candidates is not None and "prediction" in strata:
        cd = candidate_dictionary() if isinstance(candidates, str) and candidates == "default" else load_dictionary(candidates)
        cd = cd.subset([t for t in chosen if t in cd]) if any(t in cd for t in chosen) else None
        if cd is not None:
            cm = unit_theme_matrix(frame, cd, unit)
            cm_present = cm.present[keep]  # same units, same order as um
            cand = np.zeros_like(pred)
            for j, t in enumerate(chosen):
                if t in cd:
                    cand[:, j] = cm_present[:, cd.theme_ids.index(t)]
    factors = {}
    for f in strata:
        if f == "prediction":
            factors[f] = _prediction_class(pred, cand, chosen)
        elif f == "year":
            if "year" not in frame.columns:
                raise CorpusError("strata has 'year' but the corpus has no 'year' column",
                                  hint="Leave 'year' out of strata, or give the corpus a year")
            factors[f] = _period_labels(frame["year"], period).to_numpy(dtype=object)[um.row]
        else:
            if f not in frame.columns:
                raise CorpusError(f"strata has {f!r} but the corpus has no such column",
                                  hint="Use 'prediction', 'year' or a metadata column")
            factors[f] = frame[f].astype(str).to_numpy(dtype=object)[um.row]
    if factors:
        key = pd.Series(["|".join(str(factors[f][i]) for f in strata) for i in range(N)])
    else:
        key = pd.Series(["all"] * N)
    codes, labels = pd.factorize(key, sort=True)
    sizes = np.bincount(codes, minlength=len(labels))
    n_r = min(N, int(round(random_share * n)))
    n_s = max(0, min(int(n) - n_r, N))
    # allocation: over prediction classes first, then over the other factors
    first = [lab.split("|")[0] for lab in labels] if "prediction" in strata and strata[0] == "prediction" else None
    alloc = np.zeros(len(labels), dtype=np.int64)
    if first is not None:
        cls_sizes: dict = {}
        for sz, c0 in zip(sizes, first, strict=True):
            if c0 != "none":
                cls_sizes[c0] = cls_sizes.get(c0, 0) + int(sz)
        if not cls_sizes:  # nothing predicted: spread over everything
            cls_sizes = {c0: 0 for c0 in first}
            for sz, c0 in zip(sizes, first, strict=True):
                cls_sizes[c0] += int(sz)
        by_class = _allocate(n_s, cls_sizes, _ALLOCATIONS[allocation])
        for c0, take in by_class.items():
            members = {i: int(sizes[i]) for i, f0 in enumerate(first) if f0 == c0}
            for i, a in _allocate(take, members).items():
                alloc[i] = a
    else:
        for i, a in _allocate(n_s, {i: int(s) for i, s in enumerate(sizes)}).items():
            alloc[i] = a
    # one stream for the random stratum and one per stratum, never shared (independent draws)
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 0]))
    in_random = np.zeros(N, dtype=bool)
    if n_r:
        in_random[rng.choice(N, size=n_r, replace=False)] = True
    in_strat = np.zeros(N, dtype=bool)
    order = np.argsort(codes, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    for h in range(len(labels)):
        if alloc[h]:
            members = order[bounds[h]:bounds[h + 1]]
            g = np.random.default_rng(np.random.SeedSequence([int(seed), 1, h]))
            in_strat[g.choice(members, size=int(alloc[h]), replace=False)] = True
    p_h = alloc / np.maximum(sizes, 1)
    pi = 1.0 - (1.0 - n_r / N) * (1.0 - p_h[codes])
    take = np.flatnonzero(in_random | in_strat)
    doc_ids = frame["doc_id"].to_numpy()[um.row[take]]
    starts, ends = um.start[take], um.end[take]
    out = pd.DataFrame({
        "unit_id": [f"{a}:{s}-{e}" for a, s, e in zip(doc_ids, starts, ends, strict=True)],
        "doc_id": doc_ids,
        "start": starts,
        "end": ends,
    })
    texts = _texts(frame)
    out["text"] = [texts[r][s:e] for r, s, e in zip(um.row[take], starts, ends, strict=True)]
    out["stratum"] = labels[codes[take]]
    out["draw"] = np.where(in_random[take] & in_strat[take], "both",
                           np.where(in_random[take], "random", "stratified"))
    out["weight"] = 1.0 / pi[take]
    if "year" in frame.columns:
        out["year"] = frame["year"].to_numpy()[um.row[take]]
    # the theme columns at once: one insertion each fragments the table (pandas warns
    # from about 100 themes)
    columns = {f"pred_{t}": pred[take, j].astype(np.int64) for j, t in enumerate(chosen)}
    columns.update({f"label_{t}": pd.array([pd.NA] * len(out), dtype="Int64") for t in chosen})
    columns["note"] = ""
    out = pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)
    # plain records, not a DataFrame: pandas compares ``attrs`` when concatenating, and
    # a DataFrame there makes ``pd.concat([sample1, sample2])`` fail (see sample_design)
    out.attrs["design"] = tuple(
        {"stratum": str(lab), "N": int(sz), "n_stratified": int(a), "p_stratified": float(ph),
         "p_random": float(n_r / N), "excluded": n_excluded}
        for lab, sz, a, ph in zip(labels, sizes, alloc, p_h, strict=True)
    )
    out.attrs["unit"] = unit
    out.attrs["excluded"] = n_excluded
    return out


_DESIGN_COLUMNS = ("stratum", "N", "n_stratified", "p_stratified", "p_random", "excluded")


def sample_design(sample: pd.DataFrame) -> pd.DataFrame:
    """The design of a sample drawn by :func:`validation_sample`, as a table.

    Parameters
    ----------
    sample : DataFrame
        A table returned by :func:`validation_sample` (or derived from one by operations
        that keep its ``attrs``, such as ``pd.concat`` of samples with the same design).

    Returns
    -------
    DataFrame
        One row per stratum, in sorted stratum order: ``stratum``, ``N`` (units of the
        sampling frame in it), ``n_stratified`` (its stratified draws), ``p_stratified``
        (``n_stratified / N``), ``p_random`` (the random stratum's sampling fraction, the
        same on every row) and ``excluded`` (units left out of the frame, same on every
        row). A new table: changing it does not change the sample's ``attrs``.

    Raises
    ------
    ValidationError
        When the table carries no design (not drawn by :func:`validation_sample`, read
        back from a CSV file, or an operation dropped its ``attrs``: ``pd.concat`` of
        samples with different designs does; the message says so when the table shows
        it, a stratum with more than one weight). To keep the designs of several
        samples, call ``sample_design`` on each before concatenating them.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"doc_id": ["a"], "text": ["One. Two. Three."]})
    >>> s = validation_sample(c, {"themes": {"x": {"patterns": ["two"]}}}, n=2, strata=(),
    ...                       random_share=1.0, seed=0)
    >>> sample_design(s)[["stratum", "N", "p_random"]]
      stratum  N  p_random
    0     all  3  0.666667
    """
    records = getattr(sample, "attrs", {}).get("design")
    if records is None:
        problem, hint = _no_design(sample)
        raise ValidationError(problem, hint=hint)
    if isinstance(records, pd.DataFrame):  # a sample pickled by an older version
        return records.copy()
    return pd.DataFrame([dict(r) for r in records], columns=list(_DESIGN_COLUMNS))


def _no_design(sample) -> tuple[str, str]:
    """The message and hint of :func:`sample_design` for a table without a design.

    ``pd.concat`` keeps ``attrs`` only when every table has the same: samples of
    different designs concatenated lose theirs. Such a table shows it: a stratum whose
    units have more than one weight (one design gives every unit of a stratum the same).
    """
    message = "this table carries no sample design (attrs['design'])"
    split = "Call sample_design on each sample before concatenating and keep the designs apart "
    if isinstance(sample, pd.DataFrame) and {"stratum", "weight"} <= set(sample.columns):
        weights = sample.groupby(sample["stratum"].astype(str), sort=True)["weight"].nunique()
        mixed = weights[weights > 1]
        if len(mixed):
            return (f"{message}: it mixes samples of different designs (stratum {mixed.index[0]!r} has "
                    f"{int(mixed.iloc[0])} different weights), and pd.concat drops attrs that differ",
                    split + "(e.g. pd.concat([sample_design(s1), sample_design(s2)], keys=['s1', 's2'])), "
                    "or draw the samples with the same design (same corpus, n, strata, random_share, exclude)")
    return (f"{message}: it was not drawn by validation_sample, was read back from a file, or lost its attrs "
            "(pd.concat of samples with different designs drops them)",
            "Use the table returned by validation_sample (a CSV file read back does not keep the design); "
            + split[0].lower() + split[1:] + "(pd.concat of the sample_design tables)")


def _not_excluded(frame: pd.DataFrame, um: UnitMatches, exclude) -> np.ndarray:
    """Mask of the units of ``um`` that are not named by ``exclude`` (see validation_sample)."""
    keep = np.ones(len(um.row), dtype=bool)
    if exclude is None:
        return keep
    if isinstance(exclude, pd.DataFrame):
        if {"doc_id", "start", "end"} <= set(exclude.columns):
            named = set(zip(exclude["doc_id"].astype(str), exclude["start"].astype(np.int64),
                            exclude["end"].astype(np.int64), strict=True))
        elif "unit_id" in exclude.columns:
            named = {_parse_unit_id(u) for u in exclude["unit_id"]}
        else:
            raise ValueError("exclude: a table needs doc_id, start and end columns (or unit_id)")
    elif isinstance(exclude, str):
        raise ValueError("exclude: give a table or a list of unit ids, not one string")
    else:
        named = {_parse_unit_id(u) for u in exclude}
    if not named:
        return keep
    doc_ids = frame["doc_id"].astype(str).to_numpy()[um.row]
    for i, key in enumerate(zip(doc_ids, um.start.tolist(), um.end.tolist(), strict=True)):
        if key in named:
            keep[i] = False
    return keep


def _parse_unit_id(unit_id) -> tuple[str, int, int]:
    doc, _, span = str(unit_id).rpartition(":")
    a, _, b = span.partition("-")
    if not doc or not a.isdigit() or not b.isdigit():
        raise ValueError(f"exclude: {unit_id!r} is not a unit id of the form doc_id:start-end")
    return doc, int(a), int(b)


def _subset_units(um: UnitMatches, keep: np.ndarray) -> UnitMatches:
    if keep.all():
        return um
    return UnitMatches(row=um.row[keep], start=um.start[keep], end=um.end[keep],
                       present=um.present[keep], counts=um.counts, n_tokens=um.n_tokens)


# --- text and predictions for stored references ----------------------------------------------


def _frame_index(frame: pd.DataFrame) -> dict:
    ids = frame["doc_id"].tolist()
    return {str(k): i for i, k in enumerate(ids)}


def _locate(labels: pd.DataFrame, frame: pd.DataFrame, what: str = "labelled table"):
    """Row of each label in the corpus, checking that offsets fit the text."""
    for col in ("doc_id", "start", "end"):
        if col not in labels.columns:
            raise ValidationError(f"the {what} has no {col!r} column",
                                  hint="Each row needs doc_id, start and end (offsets into the loaded text)")
    index = _frame_index(frame)
    texts = _texts(frame)
    rows = np.empty(len(labels), dtype=np.int64)
    for i, (doc, s, e) in enumerate(zip(labels["doc_id"].astype(str), labels["start"], labels["end"], strict=True)):
        r = index.get(doc)
        if r is None:
            raise ValidationError(f"doc_id {doc!r} is not in the corpus", row=i + 1,
                                  hint="Load the corpus the labels were drawn from (same source and options)")
        try:
            s_i, e_i = int(s), int(e)
        except (TypeError, ValueError):
            raise ValidationError(f"start/end {_plain(s)!r}/{_plain(e)!r} are not whole numbers", row=i + 1,
                                  hint="Give character offsets into the loaded text") from None
        if not 0 <= s_i < e_i <= len(texts[r]):
            raise ValidationError(
                f"offsets {s_i}-{e_i} do not fit document {doc!r} ({len(texts[r])} characters)", row=i + 1,
                hint="Load the corpus the labels were drawn from, with the same options and package version")
        rows[i] = r
    return rows, texts


def attach_text(labels: pd.DataFrame, corpus) -> pd.DataFrame:
    """Bring back the text of labelled units from the corpus they were drawn from.

    Parameters
    ----------
    labels : DataFrame
        Rows with ``doc_id``, ``start``, ``end`` (e.g. :func:`read_labels` of
        ``data/validation/ungdc-sentences.csv``).
    corpus : DataFrame
        The loaded corpus (for the shipped set, ``load_corpus("../shared/corpora/ungdc.zip")``).

    Returns
    -------
    DataFrame
        A copy of ``labels`` with a ``text`` column after ``end``.

    Raises
    ------
    ValidationError
        A doc_id not in the corpus or offsets that do not fit, naming the row.
    """
    frame = _corpus(corpus)
    rows, texts = _locate(labels, frame)
    out = labels.copy()
    text = [texts[r][int(s):int(e)] for r, s, e in zip(rows, labels["start"], labels["end"], strict=True)]
    if "text" in out.columns:
        out["text"] = text
    else:
        out.insert(list(out.columns).index("end") + 1, "text", text)
    return out


def _unit_of(labels: pd.DataFrame, rows: np.ndarray, texts: list[str], unit: str) -> None:
    """Check that each labelled span is one unit of the corpus (raises naming the row)."""
    cache: dict[int, set] = {}
    for i, (r, s, e) in enumerate(zip(rows, labels["start"], labels["end"], strict=True)):
        spans = cache.get(r)
        if spans is None:
            spans = set(unit_spans(texts[r], unit))
            cache[r] = spans
        if (int(s), int(e)) not in spans:
            raise ValidationError(
                f"offsets {int(s)}-{int(e)} of document {_plain(labels['doc_id'].iloc[i])!r} are not one {unit} of it",
                row=i + 1,
                hint=f"Use unit={unit!r} only with labels drawn at that unit (validation_sample(unit=...))")


def attach_predictions(labels: pd.DataFrame, corpus, dictionary=None, *, themes=None,
                       unit: str = "sentence") -> pd.DataFrame:
    """(Re)compute the dictionary's prediction for each labelled unit.

    A unit is predicted to hold a theme when one of the theme's counted matches (in its
    whole document, by the rules of :mod:`discourse.themes.matcher`) starts inside it,
    the rule of :func:`validation_sample` and of ``theme_counts(unit="sentence")``. Use
    it to score a revised dictionary on the same labels.

    Parameters
    ----------
    labels : DataFrame
        Labelled units with ``doc_id``, ``start``, ``end`` (and ``label_<theme>``).
    corpus : DataFrame
        The corpus the units were drawn from.
    dictionary : Dictionary, path or mapping, optional
        Default: the built-in dictionary.
    themes : list of str, optional
        Default: the themes with ``label_`` columns.
    unit : {"sentence", "paragraph", "document"}, default "sentence"
        The unit the labels were drawn at; each row must be one such unit.

    Returns
    -------
    DataFrame
        A copy of ``labels`` whose ``pred_<theme>`` columns are replaced or added.
    """
    d = _dictionary(dictionary)
    chosen = _themes_of(d, themes if themes is not None else _label_themes(labels) or None)
    frame = _corpus(corpus)
    rows, texts = _locate(labels, frame)
    _unit_of(labels, rows, texts, unit)
    keep = np.unique(rows)
    sub = frame.iloc[keep]
    um = unit_theme_matrix(sub, d, unit)
    pos = {(int(keep[r]), int(s)): i for i, (r, s) in enumerate(zip(um.row, um.start, strict=True))}
    at = np.array([pos[(int(r), int(s))] for r, s in zip(rows, labels["start"], strict=True)], dtype=np.int64)
    pred = {f"pred_{t}": np.asarray(um.present[at, d.theme_ids.index(t)], dtype=np.int64) for t in chosen}
    # all columns at once: one insertion per theme fragments the table (pandas warns from
    # about 100 themes); a replaced column keeps its place, a new one comes last
    new = pd.DataFrame(pred, index=labels.index)
    kept = labels.drop(columns=[c for c in pred if c in labels.columns])
    order = list(labels.columns) + [c for c in pred if c not in labels.columns]
    out = pd.concat([kept, new], axis=1)[order]
    out.attrs = copy.deepcopy(labels.attrs)
    return out


# --- reading and checking labels --------------------------------------------------------------------


def _plain(v):
    """A value as the file has it, for messages (no numpy repr)."""
    return v.item() if hasattr(v, "item") else v


def _label_themes(labels: pd.DataFrame) -> list[str]:
    return [c[len("label_"):] for c in labels.columns if str(c).startswith("label_")]


def _clean_labels(labels: pd.DataFrame, *, need_pred: bool = True, need_weight: bool = False,
                  source=None) -> tuple[pd.DataFrame, list[str]]:
    """Check a labelled table and return (copy with 0/1/NA labels, themes)."""
    where = {"path": source} if source is not None else {}
    if not isinstance(labels, pd.DataFrame):
        raise ValidationError(f"labels must be a DataFrame or a CSV path, not {type(labels).__name__}", **where)
    themes = _label_themes(labels)
    if not themes:
        raise ValidationError("the labelled table has no label_<theme> column", **where,
                              hint="Label units drawn by discourse.validation_sample (columns label_<theme>)")
    if need_pred:
        missing = [f"pred_{t}" for t in themes if f"pred_{t}" not in labels.columns]
        if missing:
            raise ValidationError(f"the labelled table has no column {', '.join(map(repr, missing))}", **where,
                                  hint="Add the dictionary's predictions with discourse.validation.attach_predictions")
    if need_weight and "weight" not in labels.columns:
        raise ValidationError("the labelled table has no 'weight' column", **where,
                              hint="Keep the weight column of discourse.validation_sample (1 / inclusion probability)")
    out = labels.copy()
    for t in themes:
        col = f"label_{t}"
        vals = []
        for i, v in enumerate(out[col].tolist()):
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or (isinstance(v, str) and v.strip() == ""):
                vals.append(pd.NA)
                continue
            s = str(v).strip()
            if s in ("0", "1", "0.0", "1.0"):
                vals.append(int(float(s)))
            else:
                raise ValidationError(f"{col} is {_plain(v)!r}; a label is 0, 1 or empty (not labelled yet)",
                                      row=i + 1, **where, hint="Correct the label, or empty the cell to skip the unit")
        out[col] = pd.array(vals, dtype="Int64")
        if need_pred:
            p = pd.to_numeric(out[f"pred_{t}"], errors="coerce")
            bad = ~p.isin([0, 1])
            if bad.any():
                i = int(np.flatnonzero(bad.to_numpy())[0])
                raise ValidationError(f"pred_{t} is {_plain(out[f'pred_{t}'].iloc[i])!r}; a prediction is 0 or 1",
                                      row=i + 1, **where, hint="Recompute it with discourse.validation.attach_predictions")
            out[f"pred_{t}"] = p.astype(np.int64)
    if "weight" in out.columns:
        w = pd.to_numeric(out["weight"], errors="coerce")
        bad = ~(w >= 1.0 - 1e-9)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValidationError(f"weight is {_plain(out['weight'].iloc[i])!r}; a weight is 1 / inclusion probability, at least 1",
                                  row=i + 1, **where, hint="Keep the weights that validation_sample wrote")
        out["weight"] = w.astype(float)
    return out, themes


def read_labels(path) -> pd.DataFrame:
    """Read a labelled validation CSV (as written by the labeller or a spreadsheet).

    Checks the columns and values and raises :class:`ValidationError` naming the file
    and row for a label other than 0, 1 or empty, a missing column or a bad weight.
    Row numbers count data rows from 1 (the header is not counted).

    Parameters
    ----------
    path : str or path
        The CSV file.

    Returns
    -------
    DataFrame
        The rows, with ``label_<theme>`` as nullable integers (0, 1 or NA).
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"doc_id": str, "note": str, "stratum": str}, keep_default_na=False,
                         na_values=[""])
    except FileNotFoundError:
        raise ValidationError("the labelled file does not exist", path=path,
                              hint="Give the CSV written by the labeller (notebooks/05-validate-dictionary.py)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as err:
        raise ValidationError(f"the labelled file is not a readable CSV ({err})", path=path,
                              hint="Save it as UTF-8 CSV with a header row") from None
    for col in ("doc_id", "start", "end"):
        if col not in df.columns:
            raise ValidationError(f"the labelled file has no {col!r} column", path=path,
                                  hint="Keep the columns of discourse.validation_sample")
    if "note" in df.columns:
        df["note"] = df["note"].fillna("")
    clean, _ = _clean_labels(df, need_pred=False, source=os.fspath(path))
    return clean


def shipped_validation() -> pd.DataFrame:
    """The project's labelled sentences of UN General Debate speeches 2000-2024.

    References only (``doc_id``, ``start``, ``end`` into ``load_corpus`` of
    ``ungdc.zip``), with stratum, weight, split, the three mission labels and notes:
    ``ungdc-sentences.csv`` (splits ``development`` and ``held_out``) then, when it is
    there, ``ungdc-sentences-round4.csv`` (split ``test``: sentences no earlier round
    holds, each read by two readers, scored only; its weights are those of its own
    design, so score each split on its own). Rounds 2 and 3 (development data, each
    with a design of its own) are read with :func:`read_labels`. See
    ``data/validation/README.md``.
    """
    from discourse.datasets import validation_path

    first = validation_path()
    parts = [read_labels(first)]
    test = first.with_name("ungdc-sentences-round4.csv")
    if test.is_file():
        parts.append(read_labels(test))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


# --- scores ---------------------------------------------------------------------------------------


def _confusion(y: np.ndarray, p: np.ndarray, w: np.ndarray):
    tp = float(np.sum(w * (y == 1) * (p == 1)))
    fp = float(np.sum(w * (y == 0) * (p == 1)))
    fn = float(np.sum(w * (y == 1) * (p == 0)))
    tn = float(np.sum(w * (y == 0) * (p == 0)))
    return tp, fp, fn, tn


def _prf(tp, fp, fn):
    tp, fp, fn = (np.asarray(x, dtype=float) for x in (tp, fp, fn))
    with np.errstate(invalid="ignore", divide="ignore"):
        prec = np.where(tp + fp > 0, tp / (tp + fp), np.nan)
        rec = np.where(tp + fn > 0, tp / (tp + fn), np.nan)
        f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / (2 * tp + fp + fn), np.nan)
    return prec, rec, f1


def _strata_codes(df: pd.DataFrame) -> np.ndarray:
    if "stratum" in df.columns:
        return pd.factorize(df["stratum"].astype(str), sort=True)[0]
    return np.zeros(len(df), dtype=np.int64)


def _bootstrap_prf(y, p, w, strata, n_boot, level, seed):
    """Percentile intervals of weighted precision, recall and F1: rows resampled within strata."""
    if n_boot <= 0 or len(y) == 0:
        nan = (np.nan, np.nan)
        return nan, nan, nan
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 17]))
    stats = np.empty((n_boot, 3))
    groups = [np.flatnonzero(strata == h) for h in np.unique(strata)]
    cells = np.stack([(y == 1) & (p == 1), (y == 0) & (p == 1), (y == 1) & (p == 0)], axis=1) * w[:, None]
    acc = np.zeros((n_boot, 3))
    for g in groups:
        draws = rng.integers(0, len(g), size=(n_boot, len(g)))
        acc += cells[g][draws].sum(axis=1)
    prec, rec, f1 = _prf(acc[:, 0], acc[:, 1], acc[:, 2])
    stats[:, 0], stats[:, 1], stats[:, 2] = prec, rec, f1
    a = (1 - level) / 2
    out = []
    for j in range(3):
        col = stats[:, j][~np.isnan(stats[:, j])]
        out.append((float(np.quantile(col, a)), float(np.quantile(col, 1 - a))) if len(col) else (np.nan, np.nan))
    return tuple(out)


def _wilson(k: float, n: float, level: float):
    if n <= 0:
        return np.nan, np.nan
    z = _sps.norm.ppf(1 - (1 - level) / 2)
    ph = k / n
    den = 1 + z * z / n
    centre = (ph + z * z / (2 * n)) / den
    half = z * math.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / den
    return max(0.0, centre - half), min(1.0, centre + half)


def _kish(w: np.ndarray) -> float:
    """Kish's effective sample size of weighted rows: ``(sum w)^2 / sum w^2``."""
    s2 = float(np.sum(w * w))
    return float(np.sum(w)) ** 2 / s2 if s2 > 0 else 0.0


#: Values of ``<metric>_interval_method`` in :func:`validation_scores`: which interval
#: gave the bounds of the reported one (the hull of the two; see there).
INTERVAL_METHODS = ("percentile_bootstrap", "wilson_kish", "hull", "none")


def _weighted_intervals(y, p, w, strata, n_boot, level, seed):
    """Intervals of weighted precision, recall and F1, each with the method that gave it.

    Each interval is the hull (smallest interval holding both) of the stratified
    percentile bootstrap interval and Wilson's score interval of the weighted estimate
    at Kish's effective sample size ``(sum w)^2 / sum w^2`` of the rows it is a
    proportion of: predicted positives for precision, labelled positives for recall;
    for F1, Wilson's interval of the Jaccard index ``J = tp / (tp + fp + fn)`` over the
    rows predicted or labelled positive, mapped by ``F1 = 2J / (1 + J)`` (increasing).
    The method says which bounds were kept: ``percentile_bootstrap`` (Wilson's lies
    inside), ``wilson_kish`` (both bounds Wilson's; always so when the bootstrap
    collapses to one value, as it does when the estimate is 0 or 1), ``hull`` (one bound
    of each) or ``none`` (no interval: nothing to score, or ``n_boot=0``).
    """
    boot = _bootstrap_prf(y, p, w, strata, n_boot, level, seed)
    tp, fp, fn, _tn = _confusion(y, p, w)
    prec, rec, _f1 = _prf(tp, fp, fn)
    share = (float(prec), float(rec), tp / (tp + fp + fn) if tp + fp + fn > 0 else np.nan)
    rows = ((p == 1), (y == 1), (p == 1) | (y == 1))
    out = []
    for j, (bl, bh) in enumerate(boot):
        if not (np.isfinite(bl) and np.isfinite(bh) and np.isfinite(share[j])):
            out.append((np.nan, np.nan, "none"))
            continue
        n_eff = _kish(w[rows[j]])
        wl, wh = _wilson(share[j] * n_eff, n_eff, level)
        if j == 2:
            wl, wh = 2 * wl / (1 + wl), 2 * wh / (1 + wh)
        collapsed = bh - bl <= 1e-12  # every replicate gave one value: Wilson's interval alone
        low_w, high_w = collapsed or wl < bl, collapsed or wh > bh  # Wilson's bound is the outer one
        method = ("wilson_kish" if low_w and high_w else "hull" if low_w or high_w
                  else "percentile_bootstrap")
        out.append((min(bl, wl), max(bh, wh), method))
    return tuple(out)


def validation_scores(labelled, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0,
                      split: str | None = None) -> pd.DataFrame:
    """Precision, recall and F1 of the dictionary's predictions against people's labels.

    Parameters
    ----------
    labelled : DataFrame or path
        Rows with ``pred_<theme>`` and ``label_<theme>`` (0, 1 or empty: an empty
        label leaves the row out for that theme), and ``weight`` (1 / inclusion
        probability; all 1 when absent) and ``stratum`` (for the intervals; one stratum
        when absent).
    level : float, default 0.95
    n_boot : int, default 2000
        Bootstrap replicates for the weighted intervals (0: no weighted interval).
    seed : int, default 0
    split : str, optional
        Score only the rows whose ``split`` column has this value (e.g. ``"held_out"``).

    Returns
    -------
    DataFrame
        One row per theme: ``theme``, ``n`` (labelled rows), ``positives`` (rows
        labelled 1), then the **weighted** estimates of corpus-level values: ``tp``,
        ``fp``, ``fn`` (estimated numbers of units: sums of weights), ``precision``,
        ``recall``, ``f1`` each with ``_low``/``_high`` and ``_interval_method`` (see
        Notes), then the **unweighted** figures of the labelled rows
        themselves: ``tp_unweighted``, ``fp_unweighted``, ``fn_unweighted``,
        ``tn_unweighted``, ``precision_unweighted``, ``recall_unweighted`` (with
        Wilson intervals), ``f1_unweighted``.

    Notes
    -----
    The weighted intervals are the hull (smallest interval holding both) of two:

    * the percentile bootstrap, rows resampled within strata (``n_boot`` replicates);
    * Wilson's score interval of the weighted estimate taken as a proportion of Kish's
      effective sample size ``n_eff = (sum w)^2 / sum w^2`` of the rows it is a
      proportion of (predicted positives for precision, labelled positives for
      recall); for F1, Wilson's interval of the Jaccard index ``tp / (tp + fp + fn)``
      over the rows predicted or labelled positive, mapped by ``F1 = 2J / (1 + J)``.

    The bootstrap alone collapses to ``[1, 1]`` when every predicted positive is right
    (or every positive found), claiming certainty from a few units, and under-covers
    near 0 and 1 with few units; Wilson's interval alone ignores the strata. The hull
    holds its level in both cases (coverage measured in ``tests/test_validation.py``,
    see ``docs/validation.md``). ``<metric>_interval_method`` says where the bounds come
    from: ``percentile_bootstrap`` (Wilson's interval lies inside it),
    ``wilson_kish`` (both bounds Wilson's; always so when the bootstrap replicates all
    give one value, as when the estimate is 0 or 1), ``hull`` (one bound of each), or
    ``none`` (no interval: no row to score, or ``n_boot=0``).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"pred_x": [1, 1, 0, 0], "label_x": [1, 0, 1, 0]})
    >>> validation_scores(t, n_boot=0)[["theme", "tp", "fp", "fn", "precision", "recall"]]
      theme   tp   fp   fn  precision  recall
    0     x  1.0  1.0  1.0        0.5     0.5
    """
    if isinstance(labelled, (str, os.PathLike)):
        labelled = read_labels(labelled)
    df, themes = _clean_labels(labelled)
    if split is not None:
        if "split" not in df.columns:
            raise ValidationError("split= was given but the table has no 'split' column")
        df = df[df["split"].astype(str) == split]
        if df.empty:
            raise ValidationError(f"no row has split {split!r}", hint="Use 'development' or 'held_out'")
    if not any(df[f"label_{t}"].notna().any() for t in themes):
        raise ValidationError("no unit is labelled yet (every label_ cell is empty)",
                              hint="Label some units (notebooks/05-validate-dictionary.py or a spreadsheet) first")
    w_all = df["weight"].to_numpy(dtype=float) if "weight" in df.columns else np.ones(len(df))
    strata_all = _strata_codes(df)
    rows = []
    for k, t in enumerate(themes):
        lab = df[f"label_{t}"]
        ok = lab.notna().to_numpy()
        y = lab[ok].to_numpy(dtype=np.int64)
        p = df[f"pred_{t}"].to_numpy(dtype=np.int64)[ok]
        w = w_all[ok]
        tp, fp, fn, _tn = _confusion(y, p, w)
        prec, rec, f1 = (float(x) for x in _prf(tp, fp, fn))
        (pl, ph, pm), (rl, rh, rm), (fl, fh, fm) = _weighted_intervals(y, p, w, strata_all[ok], n_boot, level,
                                                                         seed + k)
        utp, ufp, ufn, utn = (int(round(x)) for x in _confusion(y, p, np.ones(len(y))))
        uprec, urec, uf1 = (float(x) for x in _prf(utp, ufp, ufn))
        upl, uph = _wilson(utp, utp + ufp, level)
        url, urh = _wilson(utp, utp + ufn, level)
        rows.append({
            "theme": t, "n": int(ok.sum()), "positives": int(y.sum()),
            "tp": tp, "fp": fp, "fn": fn,
            "precision": prec, "precision_low": pl, "precision_high": ph, "precision_interval_method": pm,
            "recall": rec, "recall_low": rl, "recall_high": rh, "recall_interval_method": rm,
            "f1": f1, "f1_low": fl, "f1_high": fh, "f1_interval_method": fm,
            "tp_unweighted": utp, "fp_unweighted": ufp, "fn_unweighted": ufn, "tn_unweighted": utn,
            "precision_unweighted": uprec, "precision_unweighted_low": upl, "precision_unweighted_high": uph,
            "recall_unweighted": urec, "recall_unweighted_low": url, "recall_unweighted_high": urh,
            "f1_unweighted": uf1,
        })
    return pd.DataFrame(rows)


# --- corrected shares ----------------------------------------------------------------------------


@dataclass
class _Located:
    index: np.ndarray  # unit index in the corpus's units, -1 for rows of another corpus
    external: np.ndarray  # bool: the row's doc_id is not in this corpus


def _locate_units(df: pd.DataFrame, frame: pd.DataFrame, um, unit: str) -> _Located:
    """Unit index of every labelled row in the corpus (rows of other corpora: -1)."""
    index = _frame_index(frame)
    texts = _texts(frame)
    key = {(int(r), int(s)): i for i, (r, s) in enumerate(zip(um.row, um.start, strict=True))}
    ends = um.end
    out = np.full(len(df), -1, dtype=np.int64)
    ext = np.zeros(len(df), dtype=bool)
    for i, (doc, s, e) in enumerate(zip(df["doc_id"].astype(str), df["start"], df["end"], strict=True)):
        r = index.get(doc)
        if r is None:
            ext[i] = True
            continue
        try:
            s_i, e_i = int(s), int(e)
        except (TypeError, ValueError):
            raise ValidationError(f"start/end {_plain(s)!r}/{_plain(e)!r} are not whole numbers", row=i + 1,
                                  hint="Give character offsets into the loaded text") from None
        j = key.get((r, s_i))
        if j is None or ends[j] != e_i:
            if not 0 <= s_i < e_i <= len(texts[r]):
                problem = f"offsets {s_i}-{e_i} do not fit document {doc!r} ({len(texts[r])} characters)"
            else:
                problem = f"offsets {s_i}-{e_i} of document {doc!r} are not one {unit} of it"
            raise ValidationError(problem, row=i + 1,
                                  hint=f"Load the corpus the labels were drawn from, with the same options, "
                                       f"and use the unit they were drawn at (unit={unit!r})")
        out[i] = j
    return _Located(out, ext)


def corrected_frequencies(
    corpus,
    labelled,
    by="year",
    dictionary=None,
    *,
    unit: str = "sentence",
    level: float = 0.95,
    seed: int = 0,
    n_boot: int = 2000,
    themes=None,
) -> pd.DataFrame:
    """Theme shares per group, corrected for the dictionary's measured errors.

    For each group and theme this gives the dictionary's share of units (``raw``) and
    an estimate of the share of units that truly carry the theme (the labels' sense,
    i.e. the codebook's), with an interval that carries the labelled sample's
    uncertainty.

    **Design-based supervised learning** (DSL; Egami, Hinck, Stewart and Wei, 2023) is
    used for a group that holds labelled units of this corpus::

        share = ( sum over the group's units of pred
                  + sum over its labelled units of weight * (label - pred) ) / N_group

    The dictionary's prediction is corrected by the inverse-probability-weighted mean of
    its errors on the labelled units. The estimate is unbiased whatever the dictionary's
    errors, as long as the labelled units were drawn from this corpus with the recorded
    inclusion probabilities (``weight``). Its variance is the Horvitz-Thompson variance
    of the correction under Poisson sampling, ``sum (1 - pi) * weight^2 *
    (label - pred)^2 / N_group^2``, or, when larger, the same sum with each squared
    error replaced by the mean squared error of its design stratum over all groups (a
    group whose few heavily weighted labelled units all happen to agree with the
    dictionary would otherwise get an interval far too narrow); the interval is normal
    on the logit scale.

    **Rogan-Gladen** with pooled error rates is the fallback for a group with no
    labelled unit of this corpus (another period, another corpus): ``(raw + spec - 1) /
    (sens + spec - 1)``, clipped to [0, 1], with the weighted sensitivity and
    specificity of all labelled units. It assumes that the dictionary errs in the group
    as it does on average in the labelled sample (transportability); its interval is a
    bootstrap of the labelled rows within strata.

    The estimand is the share of this corpus's units that carry the theme (a finite
    population): the intervals say how well the labels pin it down, not how the share
    would vary had other speeches been given. Predictions are recomputed with
    ``dictionary``; the labelled table's ``pred_`` columns are used only for rows of
    another corpus.

    Parameters
    ----------
    corpus : DataFrame
        Corpus table.
    labelled : DataFrame or path
        Labelled units (:func:`validation_sample` labelled, or :func:`read_labels`):
        ``doc_id``, ``start``, ``end`` (the unit), ``weight``, ``label_<theme>`` and,
        for rows of another corpus, ``pred_<theme>``.
    by : str or list of str, default "year"
        Metadata column(s) defining the groups.
    dictionary : Dictionary, path or mapping, optional
        Default: the built-in dictionary.
    unit : {"sentence", "paragraph", "document"}, default "sentence"
        The unit of the labels; a labelled row's ``doc_id``, ``start``, ``end`` must be
        one unit of the corpus.
    level : float, default 0.95
    seed : int, default 0
        Seed of the Rogan-Gladen bootstrap.
    n_boot : int, default 2000
    themes : list of str, optional
        Default: the themes that have ``label_`` columns and are in the dictionary.

    Returns
    -------
    DataFrame
        One row per group x theme: the group column(s), ``theme``, ``n_units``,
        ``units_with_theme`` (the dictionary's), ``raw`` (its share), ``n_labelled``
        (labelled units of this corpus in the group), ``corrected``,
        ``corrected_low``, ``corrected_high``, ``method`` (``"dsl"`` or
        ``"rogan-gladen"``; ``"none"`` when neither can be computed), ``assumption``.
    """
    _check_unit(unit)
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    if isinstance(labelled, (str, os.PathLike)):
        labelled = read_labels(labelled)
    d = _dictionary(dictionary)
    df, label_themes = _clean_labels(labelled, need_pred=False, need_weight=True)
    chosen = [t for t in label_themes if t in d] if themes is None else _themes_of(d, themes)
    missing = [t for t in chosen if f"label_{t}" not in df.columns]
    if missing or not chosen:
        raise ValidationError(
            f"no labels for theme(s) {', '.join(missing) or ', '.join(label_themes)} of dictionary {d.name!r}",
            hint="Label the themes you correct (label_<theme> columns), or pass themes=")
    frame = _corpus(corpus)
    cols, codes, keys = _group_codes(frame, by)
    um = unit_theme_matrix(frame, d, unit)
    loc = _locate_units(df, frame, um, unit)
    if loc.external.any():
        for t in chosen:
            if f"pred_{t}" not in df.columns:
                first = int(np.flatnonzero(loc.external)[0])
                raise ValidationError(
                    f"doc_id {_plain(df['doc_id'].iloc[first])!r} is not in this corpus ({int(loc.external.sum())} "
                    f"such rows) and the table has no pred_{t} to score them with", row=first + 1,
                    hint="Load the corpus the labels were drawn from, or attach the dictionary's predictions "
                         "where the labels come from (attach_predictions)")
    unit_group = codes[um.row]
    n_groups = len(keys)
    n_units = np.bincount(unit_group, minlength=n_groups)
    w_all = df["weight"].to_numpy(dtype=float)
    strata = _strata_codes(df)
    z = _sps.norm.ppf(1 - (1 - level) / 2)
    inside = loc.index >= 0
    lab_group = np.full(len(df), -1, dtype=np.int64)
    lab_group[inside] = unit_group[loc.index[inside]]
    records = []
    for k, t in enumerate(chosen):
        j = d.theme_ids.index(t)
        pred_units = um.present[:, j].astype(float)
        with_theme = np.bincount(unit_group, weights=pred_units, minlength=n_groups)
        y_col = df[f"label_{t}"]
        has = y_col.notna().to_numpy()
        y = np.where(has, y_col.fillna(0).to_numpy(dtype=float), np.nan)
        p = np.full(len(df), np.nan)
        p[inside] = pred_units[loc.index[inside]]
        if loc.external.any():
            p[loc.external] = pd.to_numeric(df.loc[loc.external, f"pred_{t}"], errors="coerce").to_numpy(dtype=float)
        ok = has & ~np.isnan(p)
        # pooled error rates and their bootstrap (for Rogan-Gladen)
        se, sp, se_b, sp_b = _pooled_rates(y[ok], p[ok], w_all[ok], strata[ok], n_boot, seed + k)
        # each labelled unit's squared error smoothed over its design stratum (all groups)
        r2 = np.where(ok, (y - p) ** 2, 0.0)
        r2_sum = np.bincount(strata, weights=r2, minlength=strata.max() + 1 if len(strata) else 0)
        r2_n = np.bincount(strata, weights=ok.astype(float), minlength=len(r2_sum))
        r2_stratum = (r2_sum / np.maximum(r2_n, 1))[strata] if len(strata) else r2
        for g in range(n_groups):
            N = int(n_units[g])
            raw = with_theme[g] / N if N else np.nan
            sel = ok & (lab_group == g)
            rec = {"theme": t, "n_units": N, "units_with_theme": int(with_theme[g]), "raw": raw,
                   "n_labelled": int(sel.sum())}
            if N and sel.any():
                r = y[sel] - p[sel]
                w = w_all[sel]
                corr = (with_theme[g] + float(np.sum(w * r))) / N
                var = float(np.sum((1 - 1 / w) * w * w * r * r)) / N**2
                pooled = float(np.sum((1 - 1 / w) * w * w * r2_stratum[sel])) / N**2
                est = min(max(corr, 0.0), 1.0)
                lo, hi = _logit_interval(corr, max(var, pooled), z)
                rec.update(corrected=est, corrected_low=min(lo, est), corrected_high=max(hi, est), method="dsl",
                           assumption="labelled units drawn from this corpus with the recorded weights")
            elif N and np.isfinite(se) and np.isfinite(sp) and se + sp - 1 > 0:
                est = _rogan_gladen(raw, se, sp)
                reps = _rogan_gladen(raw, se_b, sp_b)
                reps = reps[np.isfinite(reps)]
                a = (1 - level) / 2
                lo, hi = (float(np.quantile(reps, a)), float(np.quantile(reps, 1 - a))) if len(reps) else (np.nan, np.nan)
                lo, hi = min(lo, est), max(hi, est)
                rec.update(corrected=est, corrected_low=lo, corrected_high=hi, method="rogan-gladen",
                           assumption="the dictionary errs here as in the labelled sample (pooled sensitivity "
                                      f"{se:.2f}, specificity {sp:.4f})")
            else:
                rec.update(corrected=np.nan, corrected_low=np.nan, corrected_high=np.nan, method="none",
                           assumption="no labelled unit in the group and no usable pooled error rates")
            records.append((g, rec))
    body = pd.DataFrame([r for _, r in records])
    gidx = np.array([g for g, _ in records], dtype=np.int64)
    out = pd.concat([keys.iloc[gidx].reset_index(drop=True), body], axis=1)
    order = np.lexsort((np.repeat(np.arange(len(chosen)), n_groups), gidx)) if len(out) else []
    return out.iloc[order].reset_index(drop=True)


def _logit_interval(est: float, var: float, z: float) -> tuple[float, float]:
    """Normal interval on the logit scale (delta method), for a share in [0, 1]."""
    e = min(max(est, 1e-6), 1 - 1e-6)
    se = math.sqrt(var) / (e * (1 - e))
    lg = math.log(e / (1 - e))
    lo, hi = (min(max(v, -700.0), 700.0) for v in (lg - z * se, lg + z * se))
    return 1 / (1 + math.exp(-lo)), 1 / (1 + math.exp(-hi))


def _rogan_gladen(raw, se, sp):
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (raw + np.asarray(sp) - 1) / (np.asarray(se) + np.asarray(sp) - 1)
    return np.clip(v, 0.0, 1.0)


def _pooled_rates(y, p, w, strata, n_boot, seed):
    """Weighted sensitivity and specificity, with bootstrap replicates (rows within strata)."""
    if len(y) == 0:
        return np.nan, np.nan, np.array([]), np.array([])
    cells = np.stack([(y == 1) & (p == 1), (y == 1) & (p == 0), (y == 0) & (p == 0), (y == 0) & (p == 1)],
                     axis=1) * w[:, None]

    def rates(c):
        with np.errstate(invalid="ignore", divide="ignore"):
            return c[..., 0] / (c[..., 0] + c[..., 1]), c[..., 2] / (c[..., 2] + c[..., 3])

    se, sp = rates(cells.sum(axis=0))
    if n_boot <= 0:
        return float(se), float(sp), np.array([]), np.array([])
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 23]))
    acc = np.zeros((n_boot, 4))
    for h in np.unique(strata):
        g = np.flatnonzero(strata == h)
        acc += cells[g][rng.integers(0, len(g), size=(n_boot, len(g)))].sum(axis=1)
    se_b, sp_b = rates(acc)
    return float(se), float(sp), se_b, sp_b


#: Where the measured validity of the built-in dictionary is kept (package data).
SHIPPED_SCORES = _DATA / "default-validation.csv"


def shipped_scores() -> pd.DataFrame:
    """The built-in dictionary's measured validity on the project's labelled UN sentences.

    :func:`validation_scores` of the built-in dictionary on the development and held-out
    halves of ``data/validation/ungdc-sentences.csv`` (UN General Debate speeches
    2000-2024), as written by ``make validate``; one row per split x theme, with a
    ``split`` column and the dictionary's ``fingerprint``. Shipped with the package so
    that the report can state them without the UN corpus. They were measured on UN
    speeches: on another corpus, label a sample of your own (:func:`validation_sample`).
    """
    return pd.read_csv(SHIPPED_SCORES)


def score_validation_set(corpus, labelled=None, dictionary=None, *, n_boot: int = 2000, seed: int = 0,
                         splits=("development", "held_out", "test"), language: str | None = None) -> pd.DataFrame:
    """Score a dictionary on a labelled set, per split (the table :func:`shipped_scores` holds).

    Parameters
    ----------
    corpus : DataFrame
        The corpus the labels were drawn from (for the shipped set, the UN corpus).
    labelled : DataFrame or path, optional
        Default: the shipped set (:func:`shipped_validation`).
    dictionary : optional
        Default: the built-in dictionary.
    splits : tuple of str
        Values of the ``split`` column to score one by one; ``"all"`` scores every row.
    language : str, optional
        The language of the labelled units: the ``fingerprint`` column is then that of
        the dictionary's patterns for this language (:meth:`Dictionary.fingerprint`), so
        the figures stay attached to the dictionary when patterns of another language
        are added. Default: the whole dictionary's fingerprint. The shipped set is
        English (``"en"``).

    Returns
    -------
    DataFrame
        :func:`validation_scores` per split, with ``split`` first and the dictionary's
        ``fingerprint`` last.
    """
    d = _dictionary(dictionary)
    if labelled is None:
        labelled = shipped_validation()
    elif isinstance(labelled, (str, os.PathLike)):
        labelled = read_labels(labelled)
    scored = attach_predictions(labelled, corpus, d)
    parts = []
    for sp in splits:
        rows = scored if sp == "all" else scored[scored["split"].astype(str) == sp] if "split" in scored.columns else None
        if rows is None or rows.empty:
            continue
        s = validation_scores(rows, n_boot=n_boot, seed=seed)
        s.insert(0, "split", sp)
        parts.append(s)
    if not parts:
        raise ValidationError("no labelled row to score", hint="Check the split column (development, held_out) or use splits=('all',)")
    out = pd.concat(parts, ignore_index=True)
    out["fingerprint"] = d.fingerprint(language)
    return out


# --- agreement between readers ----------------------------------------------------------------------


def _alpha_binary(counts: np.ndarray) -> float:
    """Krippendorff's alpha (nominal) from per-unit counts of 0s and 1s (units read >= 2 times)."""
    m = counts.sum(axis=1)
    n0, n1 = counts[:, 0].sum(), counts[:, 1].sum()
    n = n0 + n1
    if n < 2 or n0 == 0 or n1 == 0:
        return float("nan")  # no variation: alpha is undefined (agreement is then trivial)
    o01 = float(np.sum(counts[:, 0] * counts[:, 1] / (m - 1)))
    return 1.0 - (n - 1) * o01 / (n0 * n1)


def reader_agreement(readings, *, themes=None, level: float = 0.95, n_boot: int = 2000,
                     seed: int = 0) -> pd.DataFrame:
    """How far independent readers of the same units agree, per theme.

    Labels are only as good as the reading behind them: before a labelled set measures
    a dictionary, a share of its units should be read twice, blind. This gives, per
    theme, the observed agreement, Cohen's kappa (two readers) and Krippendorff's alpha
    (nominal; any number of readers per unit, units read once left out), with a
    percentile interval for alpha from resampling units.

    Parameters
    ----------
    readings : DataFrame
        One row per reading (long): ``unit_id``, ``reader`` and ``label_<theme>``
        columns (0/1; an empty label is no reading of that theme). A unit read once
        counts for nothing here.
    themes : list of str, optional
        Default: every ``label_<theme>`` column.
    level : float, default 0.95
    n_boot : int, default 2000
        Bootstrap resamples of units for alpha's interval (0: no interval).
    seed : int, default 0

    Returns
    -------
    DataFrame
        One row per theme: ``theme``, ``units`` (read at least twice), ``readings``,
        ``positives`` (readings that say 1), ``agreement`` (share of pairs of readings
        of a unit that agree), ``cohen_kappa`` (when the same two readers read every
        such unit, else NaN), ``alpha``, ``alpha_low``, ``alpha_high``. Alpha and kappa
        are NaN when no reading differs from the others at all (all 0, say): agreement
        then says everything there is.

    Notes
    -----
    Kappa and alpha correct agreement for what chance would give with the readers'
    label frequencies; for rare themes agreement alone is inflated by the many units
    everyone reads as 0. Krippendorff (2004) suggests alpha >= 0.8 for data relied on,
    >= 0.667 for tentative conclusions.
    """
    if not isinstance(readings, pd.DataFrame):
        raise TypeError(f"readings must be a DataFrame, not {type(readings).__name__}")
    missing = [c for c in ("unit_id", "reader") if c not in readings.columns]
    if missing:
        raise ValidationError(f"readings: no column {', '.join(missing)}",
                              hint="Give one row per reading with unit_id, reader and label_<theme> columns")
    if themes is None:
        themes = [c[len("label_"):] for c in readings.columns if c.startswith("label_")]
    if not themes:
        raise ValidationError("readings: no label_<theme> column", hint="Name label columns label_<theme>")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level!r}")
    rows = []
    rng_seed = np.random.SeedSequence([int(seed), 7])
    for j, t in enumerate(themes):
        col = f"label_{t}"
        if col not in readings.columns:
            raise ValidationError(f"readings: no column {col!r}", hint="Check the theme names")
        lab = pd.to_numeric(readings[col], errors="coerce")
        bad = lab.notna() & ~lab.isin([0, 1])
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValidationError(f"readings: row {i + 1}: {col} is {str(readings[col].iloc[i])!r}, not 0 or 1",
                                  hint="Labels are 0, 1 or empty")
        df = pd.DataFrame({"unit": readings["unit_id"].astype(str).to_numpy(),
                           "reader": readings["reader"].astype(str).to_numpy(), "y": lab.to_numpy()}).dropna()
        df["y"] = df["y"].astype(np.int64)
        g = df.groupby("unit", sort=True)["y"]
        counts = np.column_stack([g.apply(lambda s: int((s == 0).sum())).to_numpy(),
                                  g.apply(lambda s: int((s == 1).sum())).to_numpy()]) if len(df) else np.zeros((0, 2))
        counts = counts[counts.sum(axis=1) >= 2] if len(counts) else counts
        m = counts.sum(axis=1)
        pairs = m * (m - 1) / 2
        agree_pairs = (counts[:, 0] * (counts[:, 0] - 1) + counts[:, 1] * (counts[:, 1] - 1)) / 2
        agreement = float(agree_pairs.sum() / pairs.sum()) if len(counts) else float("nan")
        alpha = _alpha_binary(counts) if len(counts) else float("nan")
        kappa = float("nan")
        if len(counts) and np.all(m == 2):
            both1, both0 = float(np.sum(counts[:, 1] == 2)), float(np.sum(counts[:, 0] == 2))
            # Cohen's kappa needs which reader said what: readers' own margins
            sub = df[df["unit"].isin(g.size()[g.size() == 2].index)]
            margins = sub.groupby("reader")["y"].agg(["sum", "count"])
            if len(margins) == 2:
                pa = float((both1 + both0) / len(counts))
                p1 = margins["sum"].to_numpy() / margins["count"].to_numpy()
                pe = float(p1[0] * p1[1] + (1 - p1[0]) * (1 - p1[1]))
                kappa = (pa - pe) / (1 - pe) if pe < 1 else float("nan")
        low = high = float("nan")
        if n_boot > 0 and len(counts) >= 2 and np.isfinite(alpha):
            rng = np.random.default_rng(rng_seed.spawn(len(themes))[j])
            boot = np.array([_alpha_binary(counts[rng.integers(0, len(counts), len(counts))]) for _ in range(n_boot)])
            boot = boot[np.isfinite(boot)]
            if len(boot):
                low, high = (float(x) for x in np.quantile(boot, [(1 - level) / 2, (1 + level) / 2]))
        rows.append({"theme": t, "units": len(counts), "readings": int(m.sum()) if len(counts) else 0,
                     "positives": int(counts[:, 1].sum()) if len(counts) else 0,
                     "agreement": agreement, "cohen_kappa": kappa, "alpha": alpha,
                     "alpha_low": low, "alpha_high": high})
    return pd.DataFrame(rows)
