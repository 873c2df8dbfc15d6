"""The topic models' vocabulary: units, terms, collocations, pruning (private).

Everything here uses :mod:`discourse.text` (one tokeniser, one sentence and paragraph
splitter, one stop-word list), so that topics and themes agree on what a word is.

The pipeline, learned by :meth:`TermVectorizer.fit` and replayed by ``transform``:

1. tokenise each unit with :func:`discourse.text.tokenize` (lower-cased tokens; a run of
   Chinese characters is segmented into words, on its simplified form, and the words are
   kept simplified, so that 數位 and 数位 are one term);
2. drop stop words (:func:`discourse.text.stop_words` of every shipped language:
   scikit-learn's English list, the Chinese list of Stopwords ISO, the speech
   boilerplate of both, + ``extra``), tokens shorter than ``min_token_length`` (in
   Chinese: one-character words, mostly particles), tokens without a letter, and
   optionally country names and demonyms;
3. optionally stem (Snowball) or lemmatise (WordNet) the remaining tokens;
4. join frequent collocations: two kept terms adjacent in the text (no dropped word
   between them, same unit) whose pair occurs at least ``collocation_min_count`` times
   with a normalised PMI of at least ``collocation_threshold`` become one term
   (``digital_divide``, ``数字_鸿沟``: Chinese words are joined with ``_`` too, so that a
   collocation never has the label of a word the segmenter keeps whole); joining is
   greedy left to right;
5. prune: keep terms in at least ``min_df`` and at most ``max_df`` units, then the
   ``max_terms`` most frequent (ties by term);
6. the vocabulary is sorted alphabetically; a stemmed term is displayed as its most
   frequent surface form.

All of it is vectorised with NumPy on integer token ids, so the 90 MB of UN General
Debate speeches 1990-2024 are vectorised in a few seconds.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from discourse.errors import TooFewUnits
from discourse.text import (
    STOP_WORD_LANGUAGES,
    TOKEN_RE,
    han_spans,
    has_han,
    lemmatize_tokens,
    stem,
    stop_words,
    to_simplified,
    tokenize,
)

#: Words of diplomatic prose that carry no subject: in most speeches, in every topic.
#: Dropped with the boilerplate (``boilerplate=True``); extend with ``stop_words=``.
GENERIC_SPEECH_WORDS: tuple[str, ...] = tuple(
    """able achieve achieved achieving act action actions address addressing believe
    best better bring called came clear come comes continue continued continues
    continuing current day days did does doing effort efforts end ensure ensuring
    example fact far forward future given goes going good great help hope important
    include includes including issue issues just know known let like long look
    made make makes making matter means need needed needs number particular
    particularly past place play point possible present progress provide put reason
    recent recently regard regards remain remains right role said say says seen
    shall significant situation stand strong support supported supporting sure
    taken taking thing things think time times today true undertaken use used want
    way ways welcome work working yes""".split()
)


def _tokens(text: str) -> list[str]:
    """Lower-cased tokens of ``text``; Chinese words segmented and in simplified characters."""
    if has_han(text):
        return tokenize(to_simplified(text))
    return TOKEN_RE.findall(text.lower())  # what tokenize() does, without its test for Han


def _has_letter(token: str) -> bool:
    return any(ch.isalpha() for ch in token)


class TermVectorizer:
    """Turn texts into a unit x term count matrix (see the module docstring)."""

    def __init__(
        self,
        *,
        extra_stop_words=None,
        boilerplate: bool = True,
        drop_countries: bool = True,
        stem: bool = False,
        lemmatize: bool = False,
        collocations: bool = True,
        collocation_min_count: int | None = None,
        collocation_threshold: float = 0.35,
        min_df: float = 5,
        max_df: float = 0.5,
        max_terms: int | None = 20000,
        min_token_length: int = 2,
    ) -> None:
        self.extra_stop_words = extra_stop_words
        self.boilerplate = boilerplate
        self.drop_countries = drop_countries
        self.stem = stem
        self.lemmatize = lemmatize
        self.collocations = collocations
        self.collocation_min_count = collocation_min_count
        self.collocation_threshold = collocation_threshold
        self.min_df = min_df
        self.max_df = max_df
        self.max_terms = max_terms
        self.min_token_length = min_token_length

    # --- token level -------------------------------------------------------------

    def _drop_sets(self) -> tuple[frozenset[str], frozenset[str]]:
        drop = set(stop_words(self.extra_stop_words, boilerplate=self.boilerplate, language=STOP_WORD_LANGUAGES))
        if self.boilerplate:
            drop.update(GENERIC_SPEECH_WORDS)
        phrases: frozenset[str] = frozenset()
        if self.drop_countries:
            from discourse.topics._countries import country_terms

            tokens, phrases = country_terms()
            drop |= tokens
        return frozenset(drop), phrases

    def _normaliser(self):
        if self.lemmatize:
            lemmatize_tokens(["test"])  # raises LookupError with instructions when absent
            return lambda toks: lemmatize_tokens(toks)
        if self.stem:
            return lambda toks: [stem(t) for t in toks]
        return lambda toks: list(toks)

    @staticmethod
    def _encode(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Token ids of all units concatenated, unit offsets, and the type list."""
        types: dict[str, int] = {}
        ids: list[int] = []
        offsets = np.zeros(len(texts) + 1, dtype=np.int64)
        setdefault = types.setdefault
        for i, text in enumerate(texts):
            toks = _tokens(text)
            ids.extend([setdefault(t, len(types)) for t in toks])
            offsets[i + 1] = len(ids)
        return np.asarray(ids, dtype=np.int64), offsets, list(types)

    def _base_ids(self, types: list[str], *, learn: bool) -> tuple[np.ndarray, np.ndarray]:
        """Map each type to a base-term id (-1 when dropped); return ids and keep mask."""
        drop, _ = self._drop_sets()
        keep = np.array(
            [
                len(t) >= self.min_token_length and t not in drop and _has_letter(t)
                for t in types
            ],
            dtype=bool,
        )
        kept_types = [t for t, k in zip(types, keep, strict=False) if k]
        forms = self._normaliser()(kept_types)
        base = np.full(len(types), -1, dtype=np.int64)
        index = self.base_index_ if not learn else self._learn_index
        kept_pos = np.flatnonzero(keep)
        for pos, form in zip(kept_pos, forms, strict=False):
            if form in drop:
                continue
            bid = index.get(form)
            if bid is None:
                if not learn:
                    continue
                bid = index[form] = len(index)
            base[pos] = bid
        return base, keep

    # --- collocations --------------------------------------------------------------

    @staticmethod
    def _pair_positions(seq: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        """Positions i where seq[i] and seq[i+1] are kept terms of the same unit."""
        if len(seq) < 2:
            return np.zeros(0, dtype=np.int64)
        ok = (seq[:-1] >= 0) & (seq[1:] >= 0)
        starts = offsets[1:-1]
        starts = starts[(starts > 0) & (starts < len(seq))]
        ok[starts - 1] = False  # pair crossing a unit boundary
        return np.flatnonzero(ok)

    def _learn_collocations(self, seq: np.ndarray, offsets: np.ndarray, n_base: int) -> np.ndarray:
        pos = self._pair_positions(seq, offsets)
        if len(pos) == 0:
            return np.zeros(0, dtype=np.int64)
        codes = seq[pos] * n_base + seq[pos + 1]
        uniq, counts = np.unique(codes, return_counts=True)
        n_kept = int((seq >= 0).sum())
        min_count = self.collocation_min_count
        if min_count is None:  # scale with the corpus: 5 for small ones, 20 from 1M tokens
            min_count = int(np.clip(n_kept // 50_000, 5, 20))
        frequent = counts >= min_count
        uniq, counts = uniq[frequent], counts[frequent]
        if len(uniq) == 0:
            return uniq
        uni = np.bincount(seq[seq >= 0], minlength=n_base).astype(float)
        n = float((seq >= 0).sum())
        p12 = counts / n
        p1 = uni[uniq // n_base] / n
        p2 = uni[uniq % n_base] / n
        npmi = np.log(p12 / (p1 * p2)) / -np.log(p12)
        return np.sort(uniq[npmi >= self.collocation_threshold])

    def _join(self, seq: np.ndarray, offsets: np.ndarray, n_base: int) -> np.ndarray:
        """Replace collocation pairs by their term id (n_base + j); drop the second token."""
        colloc = self.collocation_codes_
        seq = seq.copy()
        if len(colloc) == 0:
            return seq
        pos = self._pair_positions(seq, offsets)
        codes = seq[pos] * n_base + seq[pos + 1]
        hit = np.isin(codes, colloc)
        pos, codes = pos[hit], codes[hit]
        if len(pos) == 0:
            return seq
        # greedy left to right: a pair is taken unless its first token was just taken
        # as the second token of the previous pair
        taken = np.ones(len(pos), dtype=bool)
        adjacent = np.flatnonzero(pos[1:] == pos[:-1] + 1) + 1
        if len(adjacent):
            for j in adjacent.tolist():
                if taken[j - 1]:
                    taken[j] = False
        pos, codes = pos[taken], codes[taken]
        seq[pos] = n_base + np.searchsorted(colloc, codes)
        seq[pos + 1] = -1
        return seq

    # --- fit / transform ---------------------------------------------------------------

    def _term_sequence(self, texts: Sequence[str], *, learn: bool):
        ids, offsets, types = self._encode(texts)
        base, keep = self._base_ids(types, learn=learn)
        seq = base[ids] if len(ids) else np.zeros(0, dtype=np.int64)
        if learn:
            # display form of a base term: its most frequent surface type
            type_counts = np.bincount(ids, minlength=len(types)) if len(ids) else np.zeros(len(types))
            n_base = len(self._learn_index)
            best = np.full(n_base, -1, dtype=np.int64)
            best_count = np.full(n_base, -1, dtype=np.int64)
            order = np.lexsort((np.array(types, dtype=object).astype(str), -type_counts))
            for t in order.tolist():
                b = base[t]
                if b >= 0 and best[b] < 0:
                    best[b] = t
                    best_count[b] = type_counts[t]
            self._base_display = [types[t] if t >= 0 else "" for t in best.tolist()]
        return seq, offsets, types

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Learn collocations and vocabulary from ``texts``; return their count matrix."""
        self._learn_index: dict[str, int] = {}
        seq, offsets, _ = self._term_sequence(texts, learn=True)
        self.base_index_ = self._learn_index
        del self._learn_index
        n_base = len(self.base_index_)
        base_forms = [""] * n_base
        for form, i in self.base_index_.items():
            base_forms[i] = form
        if self.collocations:
            self.collocation_codes_ = self._learn_collocations(seq, offsets, n_base)
        else:
            self.collocation_codes_ = np.zeros(0, dtype=np.int64)
        seq = self._join(seq, offsets, n_base)
        display = list(self._base_display)
        _, country_phrases = self._drop_sets()
        dropped_ext = []
        for j, code in enumerate(self.collocation_codes_.tolist()):
            a, b = divmod(code, n_base)
            name = f"{display[a]}_{display[b]}"
            display.append(name)
            if name in country_phrases or f"{base_forms[a]}_{base_forms[b]}" in country_phrases:
                dropped_ext.append(n_base + j)
        n_ext = len(display)
        counts = self._count(seq, offsets, np.arange(n_ext), n_ext)
        keep = self._prune(counts, np.asarray(display, dtype=object), dropped_ext)
        order = sorted(keep.tolist(), key=lambda i: display[i])
        self.ext_to_vocab_ = np.full(n_ext, -1, dtype=np.int64)
        self.ext_to_vocab_[order] = np.arange(len(order))
        self.n_base_ = n_base
        self.base_forms_ = base_forms
        self.terms_ = np.asarray([display[i] for i in order], dtype=object)
        self.collocations_ = [
            display[n_base + j] for j in range(len(self.collocation_codes_))
        ]
        del self._base_display
        return counts[:, order].tocsr()

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Count the fitted vocabulary in ``texts`` (unit x term, CSR)."""
        seq, offsets, _ = self._term_sequence(texts, learn=False)
        seq = self._join(seq, offsets, self.n_base_)
        return self._count(seq, offsets, self.ext_to_vocab_, len(self.terms_))

    @staticmethod
    def _count(seq: np.ndarray, offsets: np.ndarray, mapping: np.ndarray, n_cols: int) -> sp.csr_matrix:
        n_units = len(offsets) - 1
        unit_of = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(offsets))
        ok = seq >= 0
        cols = mapping[seq[ok]] if ok.any() else np.zeros(0, dtype=np.int64)
        rows = unit_of[ok]
        ok2 = cols >= 0
        mat = sp.csr_matrix(
            (np.ones(int(ok2.sum()), dtype=np.float64), (rows[ok2], cols[ok2])),
            shape=(n_units, n_cols),
        )
        mat.sum_duplicates()
        mat.sort_indices()
        return mat

    def _prune(self, counts: sp.csr_matrix, display: np.ndarray, dropped: list[int]) -> np.ndarray:
        n_units = counts.shape[0]
        df = np.bincount(counts.indices, minlength=counts.shape[1])
        total = np.asarray(counts.sum(axis=0)).ravel()
        min_df = self.min_df if isinstance(self.min_df, (int, np.integer)) else int(np.ceil(self.min_df * n_units))
        max_df = self.max_df if isinstance(self.max_df, (int, np.integer)) else int(np.floor(self.max_df * n_units))
        ok = (df >= max(min_df, 1)) & (df <= max_df)
        if dropped:
            ok[dropped] = False
        idx = np.flatnonzero(ok)
        if self.max_terms is not None and len(idx) > self.max_terms:
            order = np.lexsort((display[idx].astype(str), -total[idx]))
            idx = idx[order[: self.max_terms]]
        self.pruned_ = {"min_df": min_df, "max_df": max_df}
        return idx

    def term_columns(self, word: str) -> list[int] | None:
        """Vocabulary columns that together stand for a dictionary word or phrase.

        A two-word phrase that is a collocation of the vocabulary maps to that one
        term; otherwise a phrase maps to the columns of its words (stop words
        dropped). Returns None when a word of the phrase is not in the vocabulary
        (the phrase cannot be recognised), or for an empty phrase.
        """
        toks = _tokens(word.replace("*", ""))
        if not toks:
            return None
        drop, _ = self._drop_sets()
        forms = self._normaliser()(toks)
        if len(forms) == 2 and forms[0] in self.base_index_ and forms[1] in self.base_index_:
            code = self.base_index_[forms[0]] * self.n_base_ + self.base_index_[forms[1]]
            j = np.searchsorted(self.collocation_codes_, code)
            if j < len(self.collocation_codes_) and self.collocation_codes_[j] == code:
                v = self.ext_to_vocab_[self.n_base_ + j]
                if v >= 0:
                    return [int(v)]
        cols = []
        for tok, form in zip(toks, forms, strict=False):
            if tok in drop or form in drop or len(tok) < self.min_token_length:
                continue
            b = self.base_index_.get(form)
            v = self.ext_to_vocab_[b] if b is not None else -1
            if v < 0:
                return None
            cols.append(int(v))
        return sorted(set(cols)) or None


def check_vocabulary(matrix: sp.csr_matrix, n_topics: int, *, what: str) -> None:
    """Raise :class:`TopicModelError` when the matrix cannot hold ``n_topics`` topics."""
    if matrix.shape[1] == 0:
        raise TooFewUnits(
            f"the vocabulary is empty after removing stop words and pruning ({what})",
            hint="Use a corpus with more text, lower min_df, raise max_df, or pass fewer stop words",
        )


def split_units(
    texts: Sequence[str], unit: str, *, max_unit_tokens: int = 150, return_spans: bool = False
):
    """Split documents into modelling units.

    Parameters
    ----------
    texts : sequence of str
    unit : {"document", "paragraph", "sentence"}
        ``"paragraph"`` uses :func:`discourse.text.paragraph_spans` (blank lines); a
        paragraph longer than ``max_unit_tokens`` tokens (typical of files with hard
        line breaks or one paragraph per line and no blank lines) is cut at sentence
        boundaries (:func:`discourse.text.sentence_spans`) into consecutive chunks of
        at most about that many words (whitespace-separated; in Chinese, which has no
        spaces, 1.7 characters make a word). ``"sentence"`` uses sentence spans.
    max_unit_tokens : int, default 150

    Returns
    -------
    units : list of str
    doc_index : ndarray of int
        The document (position in ``texts``) of each unit.
    spans : ndarray of shape (n_units, 2)
        Character offsets of each unit in its document (only with ``return_spans``).
    """
    from discourse.text import paragraph_spans, sentence_spans

    def n_words(text: str, s: int, e: int) -> int:
        # whitespace-separated words: a C-speed proxy for the token count; Chinese has no
        # spaces, so its characters count too (a segmented word has about 1.7 of them)
        n = text.count(" ", s, e) + text.count("\n", s, e) + 1
        if not text.isascii():
            chunk = text[s:e]
            if has_han(chunk):
                n += sum(b - a for a, b in han_spans(chunk)) * 10 // 17
        return n

    if unit == "document":
        idx = np.arange(len(texts), dtype=np.int64)
        if return_spans:
            return list(texts), idx, np.array([(0, len(t)) for t in texts], dtype=np.int64).reshape(-1, 2)
        return list(texts), idx
    units: list[str] = []
    owner: list[int] = []
    spans: list[tuple[int, int]] = []
    for d, text in enumerate(texts):
        if unit == "sentence":
            for s, e in sentence_spans(text):
                units.append(text[s:e])
                owner.append(d)
                spans.append((s, e))
            continue
        for ps, pe in paragraph_spans(text):
            para = text[ps:pe]
            # cheap test first: fewer characters than tokens*3 cannot exceed the cap
            if len(para) <= max_unit_tokens * 3 or n_words(para, 0, len(para)) <= max_unit_tokens:
                units.append(para)
                owner.append(d)
                spans.append((ps, pe))
                continue
            chunk_start = None
            chunk_tokens = 0
            last_end = 0
            for s, e in sentence_spans(para):
                n = n_words(para, s, e)
                if chunk_start is not None and chunk_tokens + n > max_unit_tokens:
                    units.append(para[chunk_start:last_end])
                    owner.append(d)
                    spans.append((ps + chunk_start, ps + last_end))
                    chunk_start, chunk_tokens = None, 0
                if chunk_start is None:
                    chunk_start = s
                chunk_tokens += n
                last_end = e
            if chunk_start is not None:
                units.append(para[chunk_start:last_end])
                owner.append(d)
                spans.append((ps + chunk_start, ps + last_end))
    if return_spans:
        return units, np.asarray(owner, dtype=np.int64), np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    return units, np.asarray(owner, dtype=np.int64)
