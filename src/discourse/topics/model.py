"""``TopicModel``: NMF and LDA topic models of a corpus, with tidy outputs.

The model follows scikit-learn's estimator contract (parameters stored verbatim in
``__init__``, validated in :meth:`TopicModel.fit`, learned attributes end in ``_``).
Preprocessing (units, stop words, collocations, pruning) is part of the model and is
saved with it (:meth:`TopicModel.save`, :meth:`TopicModel.load`).

Weights
    ``doc_topics`` weights are topic *proportions*: each document's weights sum to 1
    (0 for all topics when a document has no vocabulary term). For NMF a unit's weight
    on topic k is ``W[u, k] * sum(H[k])`` normalised over topics, i.e. the share of the
    unit's (tf-idf) mass reconstructed by topic k; for LDA it is the posterior mean of
    the topic proportions. With ``unit="paragraph"`` or ``"sentence"`` a document's
    proportions are the token-weighted mean of its units' proportions (units with no
    vocabulary term weigh nothing).

Prevalence
    The prevalence of a topic in a group (an event, a year) is the mean proportion of
    the topic over the group's documents that have at least one vocabulary term; its
    95% interval resamples documents within the group
    (:func:`discourse.stats.bootstrap_ratios`).
"""

from __future__ import annotations

import os
import warnings
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from discourse._dask import is_dask
from discourse.corpus.table import check_corpus, corpus_fingerprint, corpus_texts
from discourse.errors import TooFewUnits, TopicModelError
from discourse.topics._vectorize import TermVectorizer, split_units

__all__ = [
    "METHODS",
    "LDAMethod",
    "NMFMethod",
    "Prepared",
    "TopicMethod",
    "TopicModel",
    "check_term_order",
    "frex_scores",
    "top_term_indices",
    "write_topic_outputs",
]

_UNITS = ("document", "paragraph", "sentence")
_WEIGHT_DECIMALS = 6


def _check_corpus(corpus, what: str = "corpus") -> pd.DataFrame:
    """The corpus as :func:`discourse.corpus.check_corpus` checks it, for a topic model."""
    return check_corpus(corpus, what, require_ids=True, error=TopicModelError)


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray, dtype) -> sp.csr_matrix:
    """Sublinear tf (1 + log tf) x idf, rows l2-normalised."""
    x = counts.astype(dtype, copy=True)
    np.log(x.data, out=x.data)
    x.data += 1
    x = x @ sp.diags(idf.astype(dtype))
    x = sp.csr_matrix(x)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1
    x = sp.diags((1 / norms).astype(dtype)) @ x
    return sp.csr_matrix(x, dtype=dtype)


def _rank01(values: np.ndarray) -> np.ndarray:
    """Empirical CDF of each value within its row (ties share the highest rank)."""
    from scipy.stats import rankdata

    return rankdata(values, method="max", axis=1) / values.shape[1]


def frex_scores(components: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """FREX score of every term in every topic, as in stm.

    The weighted harmonic mean of a term's frequency rank (its weight in the topic)
    and exclusivity rank (its share of its weight across all topics), both as
    empirical CDFs within the topic: 1 = highest on both.

    Parameters
    ----------
    components : ndarray of shape (n_topics, n_terms)
        Non-negative topic-term weights (any scale; e.g. ``TopicModel.components_``,
        an LDA's topic-word distributions).
    weight : float, default 0.5
        Weight of exclusivity (0.5: frequency and exclusivity count alike).

    Returns
    -------
    ndarray of shape (n_topics, n_terms)
    """
    beta = np.asarray(components, dtype=np.float64)
    beta = beta / np.maximum(beta.sum(axis=1, keepdims=True), 1e-300)
    excl = beta / np.maximum(beta.sum(axis=0, keepdims=True), 1e-300)
    return 1.0 / (weight / _rank01(excl) + (1 - weight) / _rank01(beta))


TERM_ORDERS = ("weight", "frex")


def check_term_order(by) -> None:
    """Raise :class:`~discourse.errors.TopicModelError` unless ``by`` is in :data:`TERM_ORDERS`."""
    if by not in TERM_ORDERS:
        raise TopicModelError(
            f"by={by!r} is not a term order", item="top terms", hint='Use by="weight" or by="frex"'
        )


def top_term_indices(components: np.ndarray, n: int, by: str = "weight") -> np.ndarray:
    """Column indices of each topic's ``n`` top terms, shape (n_topics, n).

    ``by="weight"``: highest weight first; ``by="frex"``: highest FREX score first
    (:func:`frex_scores`), ties broken by weight. Remaining ties go to the lower column
    index, so the order is deterministic.
    """
    check_term_order(by)
    components = np.asarray(components)
    idx = np.arange(components.shape[1])
    if by == "weight":
        return np.vstack([np.lexsort((idx, -row))[:n] for row in components])
    frex = frex_scores(components)
    return np.vstack([np.lexsort((idx, -components[k], -frex[k]))[:n] for k in range(len(components))])


class Prepared(NamedTuple):
    """A corpus split into units and counted (:meth:`TopicModel.prepare`)."""

    #: The checked corpus table.
    corpus: pd.DataFrame
    #: Its texts (:func:`discourse.corpus.corpus_texts`).
    texts: list
    #: Document index of each unit.
    owner: np.ndarray
    #: Character span of each unit in its document.
    spans: np.ndarray
    #: The fitted vocabulary.
    vectorizer: TermVectorizer
    #: Term counts, units x terms.
    counts: sp.csr_matrix


class TopicMethod:
    """How one topic method weighs counts, fits a factorisation and projects new units.

    :class:`TopicModel` does everything else (units, vocabulary, guided topics,
    ordering, aggregation to documents). A new method is a subclass registered in
    :data:`METHODS` under the name ``TopicModel(method=...)`` takes.
    """

    #: Name of the method (its key in :data:`METHODS`).
    name = ""
    #: Whether ``guided=`` works with it (guided topics need zeros of W to stay zero).
    supports_guided = False

    def weights(self, counts: sp.csr_matrix, idf: np.ndarray):
        """What the method factorises, from term counts and the training idf."""
        raise NotImplementedError

    def fit(self, model: TopicModel, X, *, random_state, init=None):
        """Fit ``X``; return ``(estimator, theta, H)``: unnormalised unit-topic and topic-term weights."""
        raise NotImplementedError

    def project(self, estimator, X) -> np.ndarray:
        """Unnormalised topic weights of new units (same scale as ``theta`` of :meth:`fit`)."""
        raise NotImplementedError


class NMFMethod(TopicMethod):
    """Non-negative matrix factorisation of sublinear tf-idf (scikit-learn ``NMF``).

    A unit's weight on topic k is ``W[u, k] * sum(H[k])``: the share of its tf-idf mass
    that topic k reconstructs.
    """

    name = "nmf"
    supports_guided = True

    def weights(self, counts, idf):
        return _tfidf(counts, idf, np.float32)

    def fit(self, model, X, *, random_state, init=None):
        from sklearn.decomposition import NMF

        kwargs = dict(
            n_components=model.n_topics,
            solver="mu" if init is not None else model.solver,
            beta_loss="frobenius",
            max_iter=200 if model.max_iter is None else model.max_iter,
            tol=model.tol,
            random_state=random_state,
            alpha_W=model.alpha,
            alpha_H="same",
            l1_ratio=0.5,
        )
        if init is None:
            est = NMF(init="nndsvda" if model.n_topics <= min(X.shape) else "random", **kwargs)
            W = est.fit_transform(X)
        else:
            est = NMF(init="custom", **kwargs)
            W = est.fit_transform(X, W=init[0], H=init[1])
        H = est.components_
        return est, W * H.sum(axis=1)[None, :], H

    def project(self, estimator, X):
        return estimator.transform(X) * estimator.components_.sum(axis=1)[None, :]


class LDAMethod(TopicMethod):
    """Latent Dirichlet allocation of counts (scikit-learn, online variational Bayes)."""

    name = "lda"

    def weights(self, counts, idf):
        return counts

    def fit(self, model, X, *, random_state, init=None):
        from sklearn.decomposition import LatentDirichletAllocation

        est = LatentDirichletAllocation(
            n_components=model.n_topics,
            learning_method="online",
            batch_size=4096,
            learning_offset=10.0,
            max_iter=5 if model.max_iter is None else model.max_iter,
            max_doc_update_iter=50,
            random_state=random_state,
            n_jobs=None,
        )
        theta = est.fit_transform(X)
        return est, theta, est.components_

    def project(self, estimator, X):
        return estimator.transform(X)


#: The topic methods, by the name ``TopicModel(method=...)`` takes. Adding a method is
#: adding one entry (a :class:`TopicMethod`).
METHODS: dict[str, TopicMethod] = {m.name: m for m in (NMFMethod(), LDAMethod())}


class TopicModel(BaseEstimator):
    """A topic model (NMF or LDA) of a corpus, with its preprocessing.

    Parameters
    ----------
    n_topics : int, default 10
        Number of topics (including guided ones).
    method : {"nmf", "lda"}, default "nmf"
        Non-negative matrix factorisation of tf-idf weights (fast, sharp topics) or
        latent Dirichlet allocation of counts (scikit-learn, online variational Bayes).
    random_state : int, default 0
        Seed of the initialisation; same data and seed give identical results.
    unit : {"document", "paragraph", "sentence"}, default "document"
        What is modelled. Long speeches mix many subjects and paragraph topics are
        sharper; results are always aggregated back to documents.
    guided : bool, Dictionary, mapping or path, optional
        Guided NMF: one topic per theme of a theme dictionary (``True``: the default
        dictionary; otherwise anything :func:`discourse.themes.load_dictionary`
        reads). A guided topic may only explain the units (documents, paragraphs...)
        where its theme's patterns match (the matches of
        :func:`discourse.themes.theme_counts`); it starts as the centroid of those
        units with the theme's own words (``Dictionary.terms``) boosted. The other
        ``n_topics - n_matched_themes`` topics are free (random initialisation).
        Guided models are fitted with multiplicative updates, which keep that
        constraint. Guided topics are labelled by their theme id. NMF only.
    stop_words : iterable of str, optional
        Words or phrases to drop in addition to scikit-learn's English list and
        (with ``boilerplate``) :data:`discourse.text.SPEECH_BOILERPLATE`.
    boilerplate : bool, default True
        Drop speech boilerplate ("mr president", "distinguished delegates", ...).
    drop_countries : bool, default True
        Drop country names, demonyms and the distinctive words of multi-word country
        names (see :mod:`discourse.topics._countries`).
    stem : bool, default False
        Stem terms (Snowball); terms are shown as their most frequent surface form.
    lemmatize : bool, default False
        Lemmatise terms with WordNet; needs nltk's ``wordnet`` data (a clear
        ``LookupError`` says how to install it otherwise).
    collocations : bool, default True
        Join frequent two-word collocations into single terms (``climate_change``).
    min_df : int or float, default 5
        Minimum number (int) or share (float) of units a term must occur in.
    max_df : int or float, default 0.5
        Maximum number (int) or share (float) of units a term may occur in.
    max_terms : int or None, default 20000
        Keep at most this many terms (the most frequent). A large vocabulary keeps the
        less frequent but distinctive terms (places, programmes, names of
        initiatives) that the FREX view of a topic shows.
    max_unit_tokens : int, default 150
        With ``unit="paragraph"``, paragraphs longer than this many words are cut at
        sentence boundaries (files without blank lines between paragraphs).
    max_iter : int, optional
        Maximum iterations of NMF (default 200) or passes over the data of LDA
        (default 5).
    tol : float, default 1e-3
        Stopping tolerance of NMF (relative improvement).
    solver : {"cd", "mu"}, default "cd"
        NMF solver: coordinate descent (scikit-learn's default; converges further in
        the same tolerance, which gives more coherent topics: on UN speeches
        1990-2024 at k=20, NPMI 0.203 against 0.194 by weight and 0.311 against
        0.294 by FREX) or multiplicative updates (about 25% faster). Guided models
        always use "mu", which keeps their constraint.
    alpha : float, default 0.0
        NMF regularisation of W and H (``alpha_W``; L1 ratio 0.5). 0 disables it.

    Attributes
    ----------
    terms_ : ndarray of str
        The vocabulary (column order of ``components_``).
    components_ : ndarray of shape (n_topics, n_terms)
        Topic-term weights (rows sum to 1).
    doc_topics_ : ndarray of shape (n_docs, n_topics)
        Topic proportions of the training documents (rows sum to 1 or are all 0).
    doc_ids_ : ndarray
        doc_id of each row of ``doc_topics_``.
    labels_ : list of str
        One short label per topic (FREX terms, or the theme id of guided topics).
    guided_topics_ : dict
        Theme id -> topic index of guided topics (empty when not guided).
    seed_columns_ : dict
        Theme id -> vocabulary columns of the theme's own words (guided topics).
    dictionary_ : Dictionary or None
        The theme dictionary of a guided model.
    vectorizer_ : TermVectorizer
        The fitted preprocessing.
    model_ : sklearn estimator
        The fitted ``NMF`` or ``LatentDirichletAllocation``.
    n_iter_ : int
        Iterations run.
    """

    def __init__(
        self,
        n_topics=10,
        method="nmf",
        *,
        random_state=0,
        unit="document",
        guided=None,
        stop_words=None,
        boilerplate=True,
        drop_countries=True,
        stem=False,
        lemmatize=False,
        collocations=True,
        min_df=5,
        max_df=0.5,
        max_terms=20000,
        max_unit_tokens=150,
        max_iter=None,
        tol=1e-3,
        alpha=0.0,
        solver="cd",
    ):
        self.n_topics = n_topics
        self.method = method
        self.random_state = random_state
        self.unit = unit
        self.guided = guided
        self.stop_words = stop_words
        self.boilerplate = boilerplate
        self.drop_countries = drop_countries
        self.stem = stem
        self.lemmatize = lemmatize
        self.collocations = collocations
        self.min_df = min_df
        self.max_df = max_df
        self.max_terms = max_terms
        self.max_unit_tokens = max_unit_tokens
        self.max_iter = max_iter
        self.tol = tol
        self.alpha = alpha
        self.solver = solver

    # --- validation -------------------------------------------------------------------

    def _validate(self) -> None:
        def bad(name, hint):
            raise TopicModelError(f"{name}={getattr(self, name)!r} is not valid", item="TopicModel", hint=hint)

        if not isinstance(self.n_topics, Integral) or isinstance(self.n_topics, bool) or self.n_topics < 1:
            bad("n_topics", "Pass a positive integer")
        if self.solver not in ("mu", "cd"):
            bad("solver", 'Use "mu" or "cd"')
        if self.method not in METHODS:
            bad("method", f"Use one of {', '.join(map(repr, METHODS))}")
        if self.unit not in _UNITS:
            bad("unit", 'Use "document", "paragraph" or "sentence"')
        if self.random_state is not None and not isinstance(self.random_state, Integral):
            bad("random_state", "Pass an integer seed")
        for name in ("min_df", "max_df"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, Real) or v < 0:
                bad(name, "Pass a count (int) or a share of units (float between 0 and 1)")
            if not isinstance(v, Integral) and v > 1:
                bad(name, "A float is a share of units and must be at most 1")
        if self.max_terms is not None and (not isinstance(self.max_terms, Integral) or self.max_terms < 1):
            bad("max_terms", "Pass a positive integer or None")
        if self.max_iter is not None and (not isinstance(self.max_iter, Integral) or self.max_iter < 1):
            bad("max_iter", "Pass a positive integer or None")
        if self.guided not in (None, False) and not METHODS[self.method].supports_guided:
            able = " or ".join(f"method={name!r}" for name, m in METHODS.items() if m.supports_guided)
            raise TopicModelError(
                f"guided topics need {able}", item="TopicModel",
                hint=f"Use {able} with guided=..., or drop guided",
            )
        if self.stem and self.lemmatize:
            raise TopicModelError(
                "stem and lemmatize cannot both be on", item="TopicModel", hint="Choose one"
            )

    def _new_vectorizer(self, *, relaxed: bool = False) -> TermVectorizer:
        return TermVectorizer(
            extra_stop_words=self.stop_words,
            boilerplate=self.boilerplate,
            drop_countries=self.drop_countries,
            stem=self.stem,
            lemmatize=self.lemmatize,
            collocations=self.collocations,
            min_df=1 if relaxed else self.min_df,
            max_df=1.0 if relaxed else self.max_df,
            max_terms=self.max_terms,
        )

    # --- fitting -----------------------------------------------------------------------

    def prepare(self, corpus: pd.DataFrame) -> Prepared:
        """Check the parameters and the corpus, split it into units and count their terms.

        The first step of :meth:`fit`, public so that :func:`select_n_topics` can
        vectorise a corpus once for many models.

        Parameters
        ----------
        corpus : DataFrame
            A corpus table with ``doc_id`` and ``text``.

        Returns
        -------
        Prepared
            ``corpus``, ``texts``, ``owner`` (document index of each unit), ``spans``
            (each unit's character span in its document), ``vectorizer`` (fitted) and
            ``counts`` (units x terms, sparse).

        Raises
        ------
        TopicModelError
            As :meth:`fit`.
        """
        self._validate()
        corpus = _check_corpus(corpus)
        texts = corpus_texts(corpus)
        if len(texts) == 0:
            raise TooFewUnits("the corpus has no documents", item="corpus", hint="Load a non-empty corpus")
        units, owner, spans = split_units(
            texts, self.unit, max_unit_tokens=self.max_unit_tokens, return_spans=True
        )
        vec = self._new_vectorizer()
        counts = vec.fit_transform(units)
        if counts.shape[1] < self.n_topics or counts.nnz == 0:
            # documented fallback: small corpora lose every term to min_df/max_df
            relaxed = self._new_vectorizer(relaxed=True)
            counts2 = relaxed.fit_transform(units)
            if counts2.shape[1] > counts.shape[1]:
                warnings.warn(
                    f"only {counts.shape[1]} terms survive min_df={self.min_df!r} and "
                    f"max_df={self.max_df!r} in {len(units)} units; relaxed to min_df=1, "
                    f"max_df=1.0 ({counts2.shape[1]} terms)",
                    UserWarning,
                    stacklevel=3,
                )
                vec, counts = relaxed, counts2
        if counts.shape[1] == 0:
            raise TooFewUnits(
                "the vocabulary is empty: every word is a stop word, too short, or a country name",
                item="corpus",
                hint="Use a corpus with more text, fewer stop_words, or drop_countries=False",
            )
        n_nonempty = int((np.diff(counts.indptr) > 0).sum())
        if n_nonempty < self.n_topics:
            raise TooFewUnits(
                f"only {n_nonempty} {self.unit}{'' if n_nonempty == 1 else 's'} "
                f"{'contains' if n_nonempty == 1 else 'contain'} vocabulary terms, fewer than "
                f"n_topics={self.n_topics}",
                item="corpus",
                hint="Lower n_topics, model smaller units (unit='paragraph'), or use a larger corpus",
            )
        if counts.shape[1] < self.n_topics:
            raise TooFewUnits(
                f"the vocabulary has {counts.shape[1]} terms, fewer than n_topics={self.n_topics}",
                item="corpus",
                hint="Lower n_topics or use a corpus with more text",
            )
        return Prepared(corpus, texts, owner, spans, vec, counts)

    def fit_weights(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Learn ``idf_`` from training counts and return their weights for the method.

        Parameters
        ----------
        counts : sparse matrix (n_units, n_terms)
            Term counts (``prepare(corpus).counts``).

        Returns
        -------
        sparse matrix
            What the method factorises (:meth:`TopicMethod.weights`).
        """
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        self.idf_ = np.log((1 + counts.shape[0]) / (1 + df)) + 1
        return self.weights(counts)

    def weights(self, counts: sp.csr_matrix):
        """Weights of term counts for the method, with the learned ``idf_``."""
        return METHODS[self.method].weights(counts, self.idf_)

    def _dictionary(self):
        from discourse.themes import default_dictionary, load_dictionary

        if self.guided is True:
            return default_dictionary()
        if isinstance(self.guided, (str, os.PathLike, dict)) or hasattr(self.guided, "theme_ids"):
            return load_dictionary(self.guided)
        raise TopicModelError(
            f"guided must be True, a theme Dictionary, a mapping or a dictionary file, not {type(self.guided).__name__}",
            item="TopicModel",
            hint="Pass guided=True (default dictionary) or discourse.load_dictionary(path)",
        )

    @staticmethod
    def _theme_units(dictionary, texts, owner, spans) -> np.ndarray:
        """Boolean (n_units, n_themes): the theme's patterns match inside the unit.

        Uses the theme matcher on whole documents (so near() windows and excludes
        behave exactly as in theme_counts) and assigns each match to the unit where
        it starts.
        """
        from discourse.themes import Matcher

        n_units = len(owner)
        mask = np.zeros((n_units, len(dictionary.theme_ids)), dtype=bool)
        first = np.searchsorted(owner, np.arange(len(texts) + 1))
        for dm in Matcher(dictionary).scan(texts):
            if not dm.matches:
                continue
            lo, hi = first[dm.doc], first[dm.doc + 1]
            if hi <= lo:
                continue
            starts = spans[lo:hi, 0]
            for match in dm.matches:
                theme, start = match[0], match[2]
                u = int(np.searchsorted(starts, start, side="right")) - 1
                mask[lo + max(u, 0), theme] = True
        return mask

    def _guided_init(self, X: sp.csr_matrix, vec: TermVectorizer, theme_units: np.ndarray, dictionary):
        theme_ids = list(dictionary.theme_ids)
        present = [j for j in range(len(theme_ids)) if theme_units[:, j].any()]
        missing = [theme_ids[j] for j in range(len(theme_ids)) if j not in present]
        if missing:
            warnings.warn(
                f"theme(s) {', '.join(missing)} match nowhere in the corpus; they get no guided topic",
                UserWarning,
                stacklevel=3,
            )
        if len(present) > self.n_topics:
            raise TopicModelError(
                f"the dictionary has {len(present)} themes that match in the corpus, more "
                f"than n_topics={self.n_topics}",
                item="TopicModel",
                hint=f"Use n_topics >= {len(present)} (guided themes plus free topics)",
            )
        k, v = self.n_topics, X.shape[1]
        rng = np.random.default_rng(self.random_state)
        avg = np.sqrt(X.mean() / k)
        # free topics: scikit-learn's "random" initialisation
        H = avg * np.abs(rng.standard_normal((k, v)))
        W = avg * np.abs(rng.standard_normal((X.shape[0], k)))
        guided = {}
        for j, t in enumerate(present):
            theme = theme_ids[t]
            mask = theme_units[:, t]
            # a guided topic starts as the centroid of the units where its theme
            # matches, its own words boosted, and may only explain those units:
            # multiplicative updates keep the zeros of W, so the mask holds
            centroid = np.asarray(X[mask].mean(axis=0)).ravel()
            words = [c for w in dictionary.terms(theme) if (c := vec.term_columns(w)) and len(c) == 1]
            cols = sorted({c[0] for c in words})
            if cols:
                centroid[cols] += centroid.max()
            H[j] = avg * 1e-3 + centroid * (avg * np.sqrt(v) / max(np.linalg.norm(centroid), 1e-12))
            W[:, j] = np.where(mask, avg, 0.0)
            guided[theme] = j
            self.seed_columns_[theme] = np.asarray(cols, dtype=np.int64)
        return W.astype(X.dtype), H.astype(X.dtype), guided, [theme_ids.index(t) for t in guided]

    def fit_factorisation(self, X: sp.csr_matrix, *, random_state=None, init=None):
        """Fit the method's factorisation to weights ``X`` (no preprocessing, no ordering).

        Parameters
        ----------
        X : sparse matrix (n_units, n_terms)
            Weights from :meth:`fit_weights` (units with no term left out).
        random_state : int, optional
            Seed; default ``self.random_state``.
        init : (W, H), optional
            Starting matrices (guided NMF).

        Returns
        -------
        estimator, theta, beta
            The fitted scikit-learn estimator, the units' topic proportions (rows sum
            to 1, or are 0) and the topic-term distributions (rows sum to 1).
        """
        seed = self.random_state if random_state is None else random_state
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*Maximum number of iterations.*")
            model, theta, H = METHODS[self.method].fit(self, X, random_state=seed, init=init)
        sums = theta.sum(axis=1, keepdims=True)
        theta = np.divide(theta, sums, out=np.zeros_like(theta), where=sums > 0)
        beta = H / np.maximum(H.sum(axis=1, keepdims=True), 1e-300)
        return model, theta, beta

    def fit(self, corpus, y=None, *, sample_size=None):
        """Fit the model on a corpus.

        Parameters
        ----------
        corpus : DataFrame or dask DataFrame
            A corpus table with ``doc_id`` and ``text`` columns. A Dask corpus is
            fitted on a seeded sample of its documents (see ``sample_size``).
        y : ignored
        sample_size : int, optional
            For a Dask corpus only: the documents fitted on (default 20,000), drawn
            from ``random_state`` and each ``doc_id`` (the same sample whatever the
            partitioning), in corpus order; a corpus no larger is fitted whole. The
            whole corpus is then projected partition by partition by ``transform``,
            ``doc_topics`` and ``topic_prevalence`` (``docs/scale.md``).

        Returns
        -------
        self : TopicModel

        Raises
        ------
        TopicModelError
            On invalid parameters, a table without ``doc_id``/``text``, or a corpus too
            small for ``n_topics`` (the message says what to change). When pruning
            leaves fewer terms than topics, ``min_df``/``max_df`` are relaxed to 1 and
            1.0 with a ``UserWarning`` (documented fallback).
        """
        if is_dask(corpus):  # the Dask path: fit on a seeded sample, in memory
            from discourse.topics._dask import dask_sample

            corpus = dask_sample(corpus, sample_size, self.random_state)
        corpus, texts, owner, spans, vec, counts = self.prepare(corpus)
        n_units = counts.shape[0]
        X = self.fit_weights(counts)
        nonempty = np.diff(counts.indptr) > 0
        Xfit = X[nonempty]
        init = None
        self.guided_topics_ = {}
        self.seed_columns_ = {}
        self.dictionary_ = None
        if self.guided not in (None, False):
            dictionary = self._dictionary()
            theme_units = self._theme_units(dictionary, texts, owner, spans)[nonempty]
            W, H, guided, columns = self._guided_init(Xfit, vec, theme_units, dictionary)
            init = (W, H)
            self.guided_topics_ = guided
            self.dictionary_ = dictionary
            self._guided_theme_columns = columns
        model, theta_fit, beta = self.fit_factorisation(Xfit, init=init)
        theta_units = np.zeros((n_units, self.n_topics))
        theta_units[nonempty] = theta_fit
        unit_tokens = np.asarray(counts.sum(axis=1)).ravel()
        doc_theta = self._aggregate(theta_units, unit_tokens, owner, len(texts))
        # order: guided topics first (dictionary order), then by training prevalence
        prevalence = doc_theta[doc_theta.sum(axis=1) > 0].mean(axis=0) if len(doc_theta) else np.zeros(self.n_topics)
        n_guided = len(self.guided_topics_)
        free = np.arange(n_guided, self.n_topics)
        free = free[np.lexsort((free, -np.round(prevalence[free], 12)))]
        order = np.concatenate([np.arange(n_guided), free]).astype(int)
        self.vectorizer_ = vec
        self.model_ = model
        self.n_iter_ = int(getattr(model, "n_iter_", 0))
        self.terms_ = vec.terms_
        self.components_ = beta[order]
        self.topic_order_ = order
        self.doc_topics_ = doc_theta[:, order]
        self.doc_ids_ = corpus["doc_id"].to_numpy()
        self.n_units_ = n_units
        self.train_fingerprint_ = corpus_fingerprint(corpus)
        self.frex_ = frex_scores(self.components_)
        self.labels_ = self._make_labels()
        return self

    @staticmethod
    def _aggregate(theta_units, unit_tokens, owner, n_docs):
        weighted = theta_units * unit_tokens[:, None]
        doc = np.zeros((n_docs, theta_units.shape[1]))
        np.add.at(doc, owner, weighted)
        sums = doc.sum(axis=1, keepdims=True)
        return np.divide(doc, sums, out=np.zeros_like(doc), where=sums > 0)

    def _make_labels(self, n: int = 3) -> list[str]:
        guided_at = {i: t for t, i in self.guided_topics_.items()}
        labels = []
        top_frex = top_term_indices(self.components_, n, "frex")
        for k in range(self.n_topics):
            if k in guided_at:
                labels.append(guided_at[k])
                continue
            top = top_frex[k]
            labels.append(" / ".join(self.terms_[top].tolist()))
        seen: dict[str, int] = {}
        out = []
        for k, lab in enumerate(labels):
            out.append(lab if lab not in seen else f"{lab} ({k})")
            seen.setdefault(lab, k)
        return out

    def check_fitted(self) -> None:
        """Raise :class:`~discourse.errors.TopicModelError` unless the model is fitted."""
        if not hasattr(self, "components_"):
            raise TopicModelError(
                "this TopicModel is not fitted yet", item="TopicModel", hint="Call fit(corpus) first"
            )

    # --- outputs ------------------------------------------------------------------------

    def transform(self, corpus) -> np.ndarray:
        """Topic proportions of the documents of ``corpus`` (n_docs x n_topics).

        The training corpus gets the proportions learned in ``fit``; other corpora
        are projected on the fitted topics. A Dask corpus gives a lazy Dask array,
        projected partition by partition.
        """
        self.check_fitted()
        if is_dask(corpus):  # the Dask path: a lazy Dask array, partition by partition
            from discourse.topics._dask import transform_dask

            return transform_dask(self, corpus)
        corpus = _check_corpus(corpus)
        if self._is_training_corpus(corpus):
            return self.doc_topics_.copy()
        texts = corpus_texts(corpus)
        units, owner, spans = split_units(
            texts, self.unit, max_unit_tokens=self.max_unit_tokens, return_spans=True
        )
        counts = self.vectorizer_.transform(units)
        X = self.weights(counts)
        theta = np.zeros((counts.shape[0], self.n_topics))
        nonempty = np.diff(counts.indptr) > 0
        if nonempty.any():
            Xn = X[nonempty]
            raw = METHODS[self.method].project(self.model_, Xn)
            if self.guided_topics_:
                # as in fit: a guided topic only explains units where its theme matches
                theme_units = self._theme_units(self.dictionary_, texts, owner, spans)[nonempty]
                for j, t in zip(self.guided_topics_.values(), self._guided_theme_columns, strict=False):
                    raw[~theme_units[:, t], j] = 0.0
            raw = raw[:, self.topic_order_]
            sums = raw.sum(axis=1, keepdims=True)
            theta[nonempty] = np.divide(raw, sums, out=np.zeros_like(raw), where=sums > 0)
        unit_tokens = np.asarray(counts.sum(axis=1)).ravel()
        return self._aggregate(theta, unit_tokens, owner, len(texts))

    def _is_training_corpus(self, corpus: pd.DataFrame) -> bool:
        """Same documents, ids and texts, in the same order as the training corpus."""
        if len(corpus) != len(self.doc_ids_):
            return False
        same_order = corpus["doc_id"].astype(str).tolist() == pd.Series(self.doc_ids_).astype(str).tolist()
        return same_order and corpus_fingerprint(corpus) == self.train_fingerprint_

    def top_terms(self, n: int = 10, *, by: str = "weight") -> pd.DataFrame:
        """The top terms of each topic.

        Parameters
        ----------
        n : int, default 10
        by : {"weight", "frex"}, default "weight"
            Order of the terms: by weight in the topic (the most probable words), or by
            FREX score (frequent *and* exclusive words, as stm's ``labelTopics``; the
            view the labels use, and the more coherent one on speeches, see
            ``docs/topics.md``).

        Returns
        -------
        DataFrame
            ``topic`` (int), ``label``, ``rank`` (1 = first in the chosen order),
            ``term``, ``weight`` (the term's share of the topic; a topic's weights over
            the whole vocabulary sum to 1) and ``frex`` (harmonic mean of the term's
            frequency and exclusivity ranks within the topic, as in stm; 1 = both
            highest). Sorted by topic and rank.
        """
        self.check_fitted()
        rows = []
        top_all = top_term_indices(self.components_, n, by)
        for k in range(self.n_topics):
            for r, j in enumerate(top_all[k], start=1):
                rows.append((k, self.labels_[k], r, self.terms_[j], self.components_[k, j], self.frex_[k, j]))
        return pd.DataFrame(rows, columns=["topic", "label", "rank", "term", "weight", "frex"])

    def labels(self) -> pd.DataFrame:
        """Topic labels as a table: ``topic``, ``label``, ``guided`` (theme id or empty), ``prevalence``."""
        self.check_fitted()
        guided_at = {i: t for t, i in self.guided_topics_.items()}
        has = self.doc_topics_.sum(axis=1) > 0
        prev = self.doc_topics_[has].mean(axis=0) if has.any() else np.zeros(self.n_topics)
        return pd.DataFrame(
            {
                "topic": np.arange(self.n_topics),
                "label": self.labels_,
                "guided": [guided_at.get(k, "") for k in range(self.n_topics)],
                "prevalence": prev,
            }
        )

    def doc_topics(self, corpus=None) -> pd.DataFrame:
        """Topic proportions per document, long format.

        Parameters
        ----------
        corpus : DataFrame, optional
            Default: the training corpus. A Dask corpus gives a lazy Dask DataFrame.

        Returns
        -------
        DataFrame
            ``doc_id``, ``topic``, ``label``, ``weight`` (a document's weights sum to
            1, or are all 0 when it has no vocabulary term); one row per document x
            topic, in corpus order then topic.
        """
        self.check_fitted()
        if is_dask(corpus):  # the Dask path: a lazy Dask frame, partition by partition
            from discourse.topics._dask import doc_topics_dask

            return doc_topics_dask(self, corpus)
        if corpus is None:
            theta, ids = self.doc_topics_, self.doc_ids_
        else:
            theta, ids = self.transform(corpus), corpus["doc_id"].to_numpy()
        k = self.n_topics
        return pd.DataFrame(
            {
                "doc_id": np.repeat(ids, k),
                "topic": np.tile(np.arange(k), len(ids)),
                "label": np.tile(np.asarray(self.labels_, dtype=object), len(ids)),
                "weight": theta.ravel(),
            }
        )

    def representative_docs(self, n: int = 3) -> pd.DataFrame:
        """The training documents with the highest proportion of each topic.

        Returns
        -------
        DataFrame
            ``topic``, ``label``, ``rank``, ``doc_id``, ``weight``; ties broken by
            corpus order.
        """
        self.check_fitted()
        rows = []
        pos = np.arange(len(self.doc_ids_))
        for k in range(self.n_topics):
            top = np.lexsort((pos, -self.doc_topics_[:, k]))[:n]
            for r, i in enumerate(top, start=1):
                rows.append((k, self.labels_[k], r, self.doc_ids_[i], self.doc_topics_[i, k]))
        return pd.DataFrame(rows, columns=["topic", "label", "rank", "doc_id", "weight"])

    def topic_prevalence(self, corpus, by="event", *, n_boot=1000, level=0.95, seed=0) -> pd.DataFrame:
        """Mean topic proportion by group, with bootstrap intervals.

        Parameters
        ----------
        corpus : DataFrame
            The corpus (the training corpus, or another one to project), or a Dask
            DataFrame: the same table from sums over its partitions, with intervals by
            a Poisson bootstrap drawn from the seed and ``doc_id`` (``docs/scale.md``).
        by : str or list of str, default "event"
            Group column(s) of ``corpus``.
        n_boot : int, default 1000
            Bootstrap replicates (documents resampled within each group); 0 skips
            the intervals.
        level : float, default 0.95
        seed : int, default 0

        Returns
        -------
        DataFrame
            The group column(s), ``topic``, ``label``, ``prevalence``,
            ``prevalence_low``, ``prevalence_high``, ``n_docs`` (documents of the
            group with at least one vocabulary term). Sorted by group, then topic.
        """
        from discourse.stats import bootstrap_ratios

        self.check_fitted()
        if is_dask(corpus):  # the Dask path: sums per group from the partitions
            from discourse.topics._dask import topic_prevalence_dask

            return topic_prevalence_dask(self, corpus, by, n_boot=n_boot, level=level, seed=seed)
        corpus = _check_corpus(corpus)
        keys = [by] if isinstance(by, str) else list(by)
        missing = [c for c in keys if c not in corpus.columns]
        if missing:
            raise TopicModelError(
                f"the corpus has no column {', '.join(map(repr, missing))}",
                item="by",
                hint=f"Group by one of: {', '.join(map(str, corpus.columns))}",
            )
        theta = self.transform(corpus)
        has = theta.sum(axis=1) > 0
        groups = corpus.loc[has, keys].reset_index(drop=True)
        theta = theta[has]
        valid = groups.notna().all(axis=1).to_numpy()
        groups, theta = groups[valid].reset_index(drop=True), theta[valid]
        uniq = groups.drop_duplicates().sort_values(keys, kind="stable").reset_index(drop=True)
        uniq["_g"] = np.arange(len(uniq))
        codes = groups.merge(uniq, on=keys, how="left", sort=False)["_g"].to_numpy()
        est, lo, hi, n = bootstrap_ratios(
            theta, np.ones(len(theta)), codes, n_boot=n_boot, level=level, seed=seed
        )
        k = self.n_topics
        out = uniq.loc[np.repeat(np.arange(len(uniq)), k), keys].reset_index(drop=True)
        out["topic"] = np.tile(np.arange(k), len(uniq))
        out["label"] = np.tile(np.asarray(self.labels_, dtype=object), len(uniq))
        out["prevalence"] = est.ravel()
        out["prevalence_low"] = lo.ravel()
        out["prevalence_high"] = hi.ravel()
        out["n_docs"] = np.repeat(n, k)
        return out

    # --- persistence ----------------------------------------------------------------------

    def save(self, path) -> str:
        """Save the fitted model, preprocessing included, with joblib; return the path."""
        import joblib

        self.check_fitted()
        path = os.fspath(path)
        joblib.dump(self, path, compress=3)
        return path

    @classmethod
    def load(cls, path) -> TopicModel:
        """Load a model saved by :meth:`save`.

        Raises
        ------
        TopicModelError
            When the file is missing or does not hold a TopicModel.
        """
        import joblib

        path = os.fspath(path)
        if not os.path.isfile(path):
            raise TopicModelError("no such file", path=path, hint="Check the path of the saved model")
        try:
            obj = joblib.load(path)
        except Exception as exc:  # noqa: BLE001 - any unpickling failure means a bad file
            raise TopicModelError(
                f"not a saved topic model ({type(exc).__name__})", path=path,
                hint="Save models with TopicModel.save(path)",
            ) from exc
        if not isinstance(obj, cls):
            raise TopicModelError(
                f"the file holds a {type(obj).__name__}, not a TopicModel", path=path,
                hint="Save models with TopicModel.save(path)",
            )
        return obj


def _round_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_float_dtype(out[c]):
            out[c] = out[c].round(_WEIGHT_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0
    return out


def write_topic_outputs(corpus, outdir, *, n_topics=20, method="nmf", unit="document", random_state=0, by="event", n_terms=10, terms_by="weight", n_boot=1000, sample_size=None, **params):
    """Fit a topic model and write its tables as CSV files (used by ``discourse topics``).

    Parameters
    ----------
    corpus : DataFrame or dask.dataframe.DataFrame
        A Dask corpus: the model is fitted on a seeded sample of ``sample_size``
        documents (:meth:`TopicModel.fit`), ``doc_topics.csv`` and ``prevalence.csv``
        cover every document, computed in the partitions.
    outdir : str or path-like
        Created if needed.
    n_topics, method, unit, random_state
        Passed to :class:`TopicModel` (with ``params``).
    by : str, default "event"
        Group column(s) for prevalence (comma-separated string allowed).
    n_terms : int, default 10
    terms_by : {"weight", "frex"}, default "weight"
        Order of ``top_terms.csv`` (see :meth:`TopicModel.top_terms`).
    n_boot : int, default 1000
    sample_size : int, optional
        For a Dask corpus (see :meth:`TopicModel.fit`); ignored for pandas.

    Returns
    -------
    list of str
        Paths of ``top_terms.csv``, ``labels.csv``, ``doc_topics.csv`` and
        ``prevalence.csv``. Weights are rounded to 6 decimals, rows sorted, so the
        same corpus and seed give byte-identical files.
    """
    outdir = os.fspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    if isinstance(by, str):
        by = [b.strip() for b in by.split(",") if b.strip()]
    check_term_order(terms_by)
    model = TopicModel(n_topics=n_topics, method=method, unit=unit, random_state=random_state, **params)
    model.fit(corpus, sample_size=sample_size)
    tables = {
        "top_terms.csv": model.top_terms(n_terms, by=terms_by),
        "labels.csv": model.labels(),
        # a Dask corpus: the model is fitted on a sample; every document's topics, from the partitions
        "doc_topics.csv": model.doc_topics(corpus).compute().reset_index(drop=True) if is_dask(corpus)
        else model.doc_topics(),
        "prevalence.csv": model.topic_prevalence(corpus, by=by if len(by) > 1 else by[0], n_boot=n_boot, seed=random_state),
    }
    paths = []
    for name, table in tables.items():
        path = os.path.join(outdir, name)
        _round_frame(table).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths
