"""Choosing the number of topics: coherence, exclusivity, perplexity, stability.

Coherence (NPMI)
    For each topic, the mean normalised pointwise mutual information of every pair of
    its ``n_terms`` top terms, from their co-occurrence in the *documents* of the
    reference corpus (binary document-term matrix)::

        NPMI(a, b) = log(P(a, b) / (P(a) P(b))) / -log P(a, b)

    from -1 (never together) through 0 (independent) to 1 (always together); a pair
    that never co-occurs scores -1. Computed with one sparse product for all topics.

Exclusivity
    The mean, over a topic's top terms, of the term's share of its weight across all
    topics (``beta[k, v] / sum_j beta[j, v]``), as in FREX; 1/k means "shared by all".

Stability
    Topics of models fitted with different seeds (each on its own random 80% of the
    units, by default) are matched one to one (Hungarian
    algorithm, :func:`scipy.optimize.linear_sum_assignment`) on the cosine
    similarity of their topic-term vectors; stability is the mean similarity of the
    matched pairs, averaged over all pairs of seeds.

Perplexity (LDA)
    scikit-learn's perplexity of held-out units (a seeded random share, ``holdout``),
    the models being fitted on the other units.
"""

from __future__ import annotations

import time
from itertools import combinations
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment

from discourse.corpus.table import check_corpus, corpus_texts
from discourse.errors import TopicModelError
from discourse.topics.model import TopicModel, check_term_order, top_term_indices

__all__ = [
    "TopicSelection",
    "align_topics",
    "npmi_coherence",
    "select_n_topics",
    "topic_coherence",
    "topic_stability",
]


def npmi_coherence(top_terms: np.ndarray, doc_term: sp.spmatrix) -> np.ndarray:
    """NPMI coherence of topics from document co-occurrence.

    Parameters
    ----------
    top_terms : ndarray of int, shape (n_topics, n_terms)
        Column indices of each topic's top terms in ``doc_term``.
    doc_term : sparse matrix, shape (n_docs, n_vocabulary)
        Document-term counts (only presence matters).

    Returns
    -------
    ndarray of shape (n_topics,)
        Mean NPMI over the pairs of each topic's top terms.
    """
    top_terms = np.asarray(top_terms)
    n_docs = doc_term.shape[0]
    if n_docs == 0:
        raise TopicModelError("the reference corpus has no documents", hint="Pass a non-empty corpus")
    cols, inverse = np.unique(top_terms, return_inverse=True)
    inverse = inverse.reshape(top_terms.shape)
    sub = sp.csc_matrix(doc_term)[:, cols]
    sub = (sub > 0).astype(np.float64)
    co = (sub.T @ sub).toarray()  # documents containing both terms
    p = np.diag(co) / n_docs
    pij = co / n_docs
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(pij) - np.log(p)[:, None] - np.log(p)[None, :]
        npmi = pmi / -np.log(pij)
    npmi[pij == 0] = -1.0
    npmi[(pij == 1)] = 1.0  # both terms in every document
    n = top_terms.shape[1]
    iu, ju = np.triu_indices(n, k=1)
    out = np.empty(top_terms.shape[0])
    for k, row in enumerate(inverse):
        out[k] = npmi[row[iu], row[ju]].mean() if len(iu) else np.nan
    return out


def _exclusivity(components: np.ndarray, top: np.ndarray) -> np.ndarray:
    excl = components / np.maximum(components.sum(axis=0, keepdims=True), 1e-300)
    return np.array([excl[k, top[k]].mean() for k in range(len(top))])


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    return an @ bn.T


def _match(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    sim = _cosine(a, b)
    rows, cols = linear_sum_assignment(-sim)
    return rows, cols, sim[rows, cols]


def topic_stability(components: list[np.ndarray]) -> float:
    """Mean best-match cosine similarity of topics across models (see module docstring).

    Parameters
    ----------
    components : list of ndarray
        Topic-term matrices on the same vocabulary (one per seed), at least two.

    Returns
    -------
    float
    """
    if len(components) < 2:
        raise TopicModelError("stability needs models from at least two seeds", hint="Pass two or more")
    return float(np.mean([_match(a, b)[2].mean() for a, b in combinations(components, 2)]))


def topic_coherence(model: TopicModel, corpus, *, n_terms: int = 10, by: str = "weight") -> pd.DataFrame:
    """NPMI coherence and exclusivity of each topic of a fitted model.

    Parameters
    ----------
    model : TopicModel
        A fitted model.
    corpus : DataFrame
        Reference corpus; co-occurrence is counted in its *documents*.
    n_terms : int, default 10
    by : {"weight", "frex"}, default "weight"
        Which top terms are scored: those of ``model.top_terms(n_terms, by=by)``.

    Returns
    -------
    DataFrame
        ``topic``, ``label``, ``coherence_npmi``, ``exclusivity``.
    """
    model.check_fitted()
    check_term_order(by)
    corpus = check_corpus(corpus, "reference corpus", require_ids=True, error=TopicModelError)
    dtm = model.vectorizer_.transform(corpus_texts(corpus))
    top = top_term_indices(model.components_, n_terms, by)
    return pd.DataFrame(
        {
            "topic": np.arange(model.n_topics),
            "label": model.labels_,
            "coherence_npmi": npmi_coherence(top, dtm),
            "exclusivity": _exclusivity(model.components_, top),
        }
    )


def align_topics(model_a: TopicModel, model_b: TopicModel) -> pd.DataFrame:
    """Match the topics of two fitted models one to one.

    The models may differ in corpus, period, vocabulary and number of topics: their
    topic-term vectors are compared on the union of their vocabularies (cosine
    similarity) and matched with the Hungarian algorithm.

    Returns
    -------
    DataFrame
        ``topic_a``, ``label_a``, ``topic_b``, ``label_b``, ``similarity``; one row
        per topic of ``model_a`` (sorted), and a row per unmatched topic of either
        model with missing values on the other side and similarity NaN.
    """
    for m in (model_a, model_b):
        if not isinstance(m, TopicModel):
            raise TopicModelError(
                f"align_topics needs two fitted TopicModels, got {type(m).__name__}",
                hint="Fit both with TopicModel(...).fit(corpus)",
            )
        m.check_fitted()
    vocab = sorted(set(model_a.terms_.tolist()) | set(model_b.terms_.tolist()))
    index = {t: i for i, t in enumerate(vocab)}

    def embed(m):
        out = np.zeros((m.n_topics, len(vocab)))
        out[:, [index[t] for t in m.terms_.tolist()]] = m.components_
        return out

    rows, cols, sims = _match(embed(model_a), embed(model_b))
    matched = dict(zip(rows.tolist(), zip(cols.tolist(), sims.tolist(), strict=False), strict=False))
    records = []
    for a in range(model_a.n_topics):
        if a in matched:
            b, s = matched[a]
            records.append((a, model_a.labels_[a], b, model_b.labels_[b], s))
        else:
            records.append((a, model_a.labels_[a], pd.NA, pd.NA, np.nan))
    used = set(cols.tolist())
    for b in range(model_b.n_topics):
        if b not in used:
            records.append((pd.NA, pd.NA, b, model_b.labels_[b], np.nan))
    out = pd.DataFrame(records, columns=["topic_a", "label_a", "topic_b", "label_b", "similarity"])
    out["topic_a"] = out["topic_a"].astype("Int64")
    out["topic_b"] = out["topic_b"].astype("Int64")
    return out


class TopicSelection(NamedTuple):
    """Result of :func:`select_n_topics` (unpacks as ``table, n_topics, reason``)."""

    #: One row per candidate number of topics (see :func:`select_n_topics`).
    table: pd.DataFrame
    #: The recommended number of topics.
    n_topics: int
    #: Why, in words (the rule and the winning figures).
    reason: str


def _recommend(table, candidates, n_seeds, n_terms, by, method, min_stability, tolerance):
    """Apply the parsimony rule of :func:`select_n_topics`; adds ``eligible`` and ``recommended``."""
    coh = table["coherence_npmi"].to_numpy(dtype=float)
    stable = table["stability"].to_numpy(dtype=float) >= min_stability
    pool = stable if stable.any() else np.ones(len(table), dtype=bool)
    masked = np.where(pool & np.isfinite(coh), coh, -np.inf)
    top = int(np.argmax(masked))
    sd = table["coherence_npmi_sd"].iloc[top]
    margin = max(float(sd) if np.isfinite(sd) else 0.0, tolerance * abs(coh[top]))
    eligible = pool & (coh >= coh[top] - margin - 1e-12)
    pick = int(np.flatnonzero(eligible)[0])  # candidates are sorted: the smallest k
    best = int(table["n_topics"].iloc[pick])
    table["eligible"] = eligible
    table["recommended"] = table["n_topics"] == best
    r = table.iloc[pick]
    unstable = "" if stable.any() else f" (no candidate reached stability {min_stability}, so all were considered)"
    reason = (
        f"k={best} is the smallest k in {candidates} whose NPMI coherence (top {n_terms} terms by {by}) "
        f"is within {margin:.3f} of the best, {coh[top]:.3f} at k={int(table['n_topics'].iloc[top])} "
        f"(the margin is the larger of that coherence's SD over seeds and {tolerance:.0%} of it), among "
        f"candidates whose topics are stable across seeds (stability >= {min_stability}){unstable}: "
        f"NPMI coherence {r.coherence_npmi:.3f}, exclusivity {r.exclusivity:.3f}, "
        f"stability {r.stability:.3f} over {n_seeds} seeds"
        + (f", held-out perplexity {r.perplexity:.0f}" if method == "lda" else "")
        + "."
    )
    return best, reason


def select_n_topics(
    corpus,
    candidates=range(5, 41, 5),
    *,
    method: str = "nmf",
    seeds=(0, 1, 2),
    n_terms: int = 10,
    by: str = "weight",
    min_stability: float = 0.8,
    tolerance: float = 0.05,
    holdout: float = 0.2,
    subsample: float = 0.8,
    sample: int | None = None,
    random_state: int = 0,
    **params,
) -> TopicSelection:
    """Compare numbers of topics and recommend one.

    The corpus is vectorised once; for each candidate ``k`` a model is fitted with
    each seed. Coherence is counted in the corpus's documents (whatever the unit).

    Parameters
    ----------
    corpus : DataFrame
    candidates : iterable of int, default range(5, 41, 5)
    method : {"nmf", "lda"}, default "nmf"
    seeds : sequence of int, default (0, 1, 2)
        At least three seeds (stability is the mean over all pairs).
    n_terms : int, default 10
        Top terms per topic for coherence and exclusivity.
    by : {"weight", "frex"}, default "weight"
        Which top terms: highest weight, or highest FREX score (the terms
        ``top_terms(by="frex")`` shows and the labels use).
    min_stability : float, default 0.8
        Candidates whose stability is below this are not recommended (unless none
        reaches it).
    tolerance : float, default 0.05
        Coherence within this share of the best (or within its SD over seeds, if
        larger) counts as "as coherent" (see Notes).
    holdout : float, default 0.2
        Share of units held out for LDA perplexity (LDA models are fitted on the
        rest). Ignored for NMF.
    subsample : float, default 0.8
        Each seed's model is fitted on its own seeded random share of the (training)
        units, so that stability measures robustness to the data as well as to the
        initialisation (NMF's NNDSVD start hardly depends on the seed). 1.0 fits
        every seed on all units.
    sample : int, optional
        Use a seeded random sample of this many documents (quick looks).
    random_state : int, default 0
        Seed of the sample and of the held-out split.
    **params
        Other :class:`TopicModel` parameters (``unit``, ``max_terms``, ...).

    Returns
    -------
    TopicSelection
        ``table``: one row per candidate with ``n_topics``, ``method``,
        ``coherence_npmi``, ``coherence_npmi_sd`` (over seeds), ``exclusivity``,
        ``exclusivity_sd``, ``stability`` (mean matched cosine similarity over seed
        pairs), ``stability_sd``, ``perplexity`` and ``perplexity_sd`` (LDA; NaN for
        NMF), ``fit_seconds`` (mean per seed), ``eligible`` (passes the rule below)
        and ``recommended``; ``n_topics``: the recommendation; ``reason``: the rule
        and figures.

    Notes
    -----
    The rule is one of parsimony, like the one-standard-error rule of
    cross-validation. Among the candidates whose topics are reproducible (stability
    at least ``min_stability``), take the best mean coherence; recommend the
    *smallest* k whose coherence is within a margin of it. The margin is the larger
    of the best coherence's SD over seeds and ``tolerance`` times its value.
    Exclusivity, which falls as k grows, and perplexity (LDA), a poor guide to
    interpretable topics, are reported beside it but do not choose. A sum of
    standardised diagnostics was used before; it swung between the extremes of the
    range when one diagnostic moved, picking k=5 for 6,500 UN speeches.
    """
    corpus = check_corpus(corpus, require_ids=True, error=TopicModelError)
    check_term_order(by)
    candidates = sorted({int(k) for k in candidates})
    seeds = list(dict.fromkeys(int(s) for s in seeds))
    if len(seeds) < 3:
        raise TopicModelError(
            f"select_n_topics needs at least 3 seeds, got {len(seeds)}", item="seeds",
            hint="Pass seeds=(0, 1, 2) or more",
        )
    if not 0 < subsample <= 1:
        raise TopicModelError(f"subsample={subsample!r} is not a share", item="subsample",
                              hint="Pass a number in (0, 1]")
    if not candidates or candidates[0] < 2:
        raise TopicModelError("candidates must be integers of at least 2", item="candidates",
                              hint="Pass e.g. range(5, 41, 5)")
    if sample is not None and sample < len(corpus):
        rng = np.random.default_rng(random_state)
        keep = np.sort(rng.choice(len(corpus), size=int(sample), replace=False))
        corpus = corpus.iloc[keep].reset_index(drop=True)
    base = TopicModel(n_topics=max(candidates), method=method, random_state=random_state, **params)
    corpus, texts, owner, _, vec, counts = base.prepare(corpus)
    n_units = counts.shape[0]
    X = base.fit_weights(counts)
    nonempty = np.diff(counts.indptr) > 0
    train = nonempty.copy()
    test = np.zeros_like(nonempty)
    if method == "lda":
        rng = np.random.default_rng(random_state)
        held = rng.random(n_units) < holdout
        train = nonempty & ~held
        test = nonempty & held
    doc_term = vec.transform(texts) if base.unit != "document" else counts
    rows = []
    for k in candidates:
        comps, coh, exc, perp, secs = [], [], [], [], []
        for seed in seeds:
            model = TopicModel(n_topics=k, method=method, random_state=seed, **params)
            rows_fit = train
            if subsample < 1.0:
                draw = np.random.default_rng([random_state, seed]).random(n_units) < subsample
                rows_fit = train & draw
            t0 = time.perf_counter()
            fitted, _, beta = model.fit_factorisation(X[rows_fit])
            secs.append(time.perf_counter() - t0)
            top = top_term_indices(beta, n_terms, by)
            comps.append(beta)
            coh.append(npmi_coherence(top, doc_term).mean())
            exc.append(_exclusivity(beta, top).mean())
            if method == "lda" and test.any():
                perp.append(fitted.perplexity(X[test]))
        pair_stab = [_match(a, b)[2].mean() for a, b in combinations(comps, 2)]
        rows.append(
            {
                "n_topics": k,
                "method": method,
                "coherence_npmi": np.mean(coh),
                "coherence_npmi_sd": np.std(coh, ddof=1),
                "exclusivity": np.mean(exc),
                "exclusivity_sd": np.std(exc, ddof=1),
                "stability": np.mean(pair_stab),
                "stability_sd": np.std(pair_stab, ddof=1),
                "perplexity": np.mean(perp) if perp else np.nan,
                "perplexity_sd": np.std(perp, ddof=1) if len(perp) > 1 else np.nan,
                "fit_seconds": np.mean(secs),
            }
        )
    table = pd.DataFrame(rows)
    best, reason = _recommend(table, candidates, len(seeds), n_terms, by, method, min_stability, tolerance)
    table.attrs["recommendation"] = {"n_topics": best, "reason": reason}
    return TopicSelection(table, best, reason)
