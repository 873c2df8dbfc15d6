"""Does a supervised classifier generalise better than the default dictionary? (issue 9)

An experiment, not a timing benchmark. Data: the development labels only --
``ungdc-sentences.csv`` rows with ``split == "development"`` (the ``held_out`` rows are
dropped as the file is read, before any text, label or prediction of them is looked at),
all of ``ungdc-sentences-round2.csv`` and all of ``ungdc-sentences-round3.csv``.

Approaches, per mission theme (each a binary problem):

* ``dict``: the default dictionary's prediction (``attach_predictions``).
* ``lr-word``: TF-IDF of word 1-2 grams + LogisticRegression (balanced classes).
* ``lr-word+char``: the same plus TF-IDF of char_wb 2-5 grams.
* ``lr-word+dict``: ``lr-word`` plus the dictionary's three theme predictions and the
  hits of each of the theme's patterns taken alone (one feature per pattern).
* ``dict|lr-word``: the dictionary OR ``lr-word`` (the classifier's threshold chosen so
  that the union keeps precision >= 0.85 inside the training fold).
* ``svm-word``: TF-IDF word 1-2 grams + LinearSVC (balanced), decision threshold as for LR.
* ``[F1 thr]``: the same model with the threshold of best inner F1 (no precision floor),
  to show what the precision floor costs.

Every learned choice is made inside the training data only: C by inner grouped 3-fold
CV (best mean average precision), then the decision threshold on the inner out-of-fold
scores -- the lowest threshold whose precision is >= 0.85 (most recall at that
precision; when no threshold reaches it, the one of best F1).

Two evaluations, unweighted precision / recall / F1 (the labelled rows themselves):

1. Grouped 5-fold CV by ``doc_id`` (StratifiedGroupKFold, seed 0), pooled over the three
   sets, also split by source set. The dictionary was revised on ALL these sentences,
   so its CV figure is in-sample (optimistic); so are the dictionary features of
   ``lr-word+dict`` and the dictionary half of ``dict|lr-word``.
2. Round 3 as a fresh test: train on development + round 2 only, score on round 3.
   The dictionary here is the version before it was revised on round 3 (commit
   ``92b2425``, read from git; its round-3 figures are those the revision started
   from), for ``dict`` and as features; ``dict (now)`` is today's dictionary, in-sample.

Run from the repository root:
``PYTHONPATH=src .venv/bin/python benchmarks/experiment_classifier.py`` (a few minutes
of CPU). Deterministic: fixed seeds, single-threaded liblinear.
"""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, require_ungdc  # noqa: E402

THEMES = ("digital_divide", "ai_safety", "governance_deficit")
DATA = ROOT / "data" / "validation"
OLD_COMMIT = "92b2425"  # default.yaml before the recall revision read on round 3
TARGET_P = 0.85
SEED = 0
N_FOLDS = 5
N_INNER = 3
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0)


# --- data -----------------------------------------------------------------------------------------


def _old_dictionary():
    import yaml

    from discourse.themes.dictionary import load_dictionary

    try:
        text = subprocess.run(["git", "show", f"{OLD_COMMIT}:src/discourse/themes/data/default.yaml"],
                              cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        raise SystemExit(f"cannot read default.yaml at commit {OLD_COMMIT} with git ({err}); "
                         "run the experiment inside the project's git checkout") from None
    return load_dictionary(yaml.safe_load(text))


def _pattern_dictionary(d):
    """One theme per pattern of each mission theme (with the theme's excludes)."""
    from discourse.themes.dictionary import load_dictionary

    themes = {}
    for t in THEMES:
        th = d[t]
        for i, p in enumerate(th.patterns):
            themes[f"{t}__{i:03d}"] = {"label": f"{t} {i}", "patterns": [p], "exclude": list(th.exclude)}
    return load_dictionary({"themes": themes})


def _dictionary_features(labels, corpus, d, tag):
    """Theme predictions (pred_<theme>) and per-pattern hits (pat_<tag>_...) of dictionary d."""
    from discourse.validation import attach_predictions

    out = attach_predictions(labels, corpus, d, themes=list(THEMES))
    pd_ = _pattern_dictionary(d)
    hits = attach_predictions(labels, corpus, pd_, themes=pd_.theme_ids)
    cols = {f"dict_{tag}_{t}": out[f"pred_{t}"].to_numpy() for t in THEMES}
    cols.update({f"pat_{tag}_{k}": hits[f"pred_{k}"].to_numpy() for k in pd_.theme_ids})
    return pd.DataFrame(cols, index=labels.index)


def load_data(corpus):
    from discourse.themes.dictionary import default_dictionary
    from discourse.validation import attach_text, read_labels

    parts = []
    first = read_labels(DATA / "ungdc-sentences.csv")
    first = first[first["split"] == "development"]  # firewall: held_out rows never go further
    for name, df in (("dev", first), ("round2", read_labels(DATA / "ungdc-sentences-round2.csv")),
                     ("round3", read_labels(DATA / "ungdc-sentences-round3.csv"))):
        df = df[["unit_id", "doc_id", "start", "end"] + [f"label_{t}" for t in THEMES]].copy()
        df["source"] = name
        parts.append(df)
    labels = pd.concat(parts, ignore_index=True)
    for t in THEMES:
        if labels[f"label_{t}"].isna().any():
            raise SystemExit(f"label_{t} has empty cells; label every development row first")
        labels[f"label_{t}"] = labels[f"label_{t}"].astype(int)
    labels = attach_text(labels, corpus)
    now = _dictionary_features(labels, corpus, default_dictionary(), "now")
    old = _dictionary_features(labels, corpus, _old_dictionary(), "old")
    return pd.concat([labels, now, old], axis=1)


# --- models ---------------------------------------------------------------------------------------


def _vectoriser(kind):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    word = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True, lowercase=True)
    if kind == "word":
        return word
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True)
    return FeatureUnion([("word", word), ("char", char)])


_CACHE: dict = {}  # (kind, train rows, test rows) -> TF-IDF matrices (same for every C and theme)


class _Model:
    """Text (+ optional dense dictionary columns) -> score, refit per training set."""

    def __init__(self, kind, learner, extra_cols=()):
        self.kind, self.learner, self.extra_cols = kind, learner, list(extra_cols)

    def _est(self, c):
        if self.learner == "lr":
            from sklearn.linear_model import LogisticRegression

            return LogisticRegression(C=c, class_weight="balanced", solver="liblinear", max_iter=1000,
                                      random_state=SEED)
        from sklearn.svm import LinearSVC

        return LinearSVC(C=c, class_weight="balanced", max_iter=5000, random_state=SEED)

    def fit_score(self, train, test, y, c):
        """Fit on train (texts + extras), return scores of test."""
        from scipy import sparse

        key = (self.kind, train.index.to_numpy().tobytes(), test.index.to_numpy().tobytes())
        if key not in _CACHE:
            vec = _vectoriser(self.kind)
            _CACHE[key] = (vec.fit_transform(train["text"]), vec.transform(test["text"]))
        xtr, xte = _CACHE[key]
        if self.extra_cols:
            xtr = sparse.hstack([xtr, sparse.csr_matrix(train[self.extra_cols].to_numpy(float))]).tocsr()
            xte = sparse.hstack([xte, sparse.csr_matrix(test[self.extra_cols].to_numpy(float))]).tocsr()
        est = self._est(c).fit(xtr, y)
        return est.decision_function(xte)


def _threshold(y, s, base=None, rule="precision"):
    """Lowest threshold with precision >= TARGET_P (union with ``base`` when given), else best F1.

    ``rule="f1"``: the threshold of best F1 whatever its precision.
    """
    base = np.zeros(len(y), bool) if base is None else base.astype(bool)
    cands = np.unique(s)
    best_p, best_f = None, (-1.0, None)
    for thr in cands[::-1]:  # descending: recall grows
        p = base | (s >= thr)
        tp = np.sum(p & (y == 1))
        prec = tp / p.sum() if p.sum() else 0.0
        rec = tp / max(y.sum(), 1)
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        if prec >= TARGET_P:
            best_p = thr
        if f1 > best_f[0]:
            best_f = (f1, thr)
    if best_p is not None and rule == "precision":
        return best_p
    return best_f[1] if best_f[1] is not None else np.inf


def _inner(model, train, y, groups, base=None, rule="precision"):
    """Choose C (mean average precision over inner grouped folds), then the threshold."""
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import StratifiedGroupKFold

    folds = list(StratifiedGroupKFold(n_splits=N_INNER, shuffle=True, random_state=SEED + 1).split(train, y, groups))
    best = (-1.0, None, None)
    for c in C_GRID:
        oof = np.zeros(len(y))
        aps = []
        for tr, va in folds:
            oof[va] = model.fit_score(train.iloc[tr], train.iloc[va], y[tr], c)
            aps.append(average_precision_score(y[va], oof[va]) if y[va].any() else 0.0)
        if np.mean(aps) > best[0]:
            best = (float(np.mean(aps)), c, oof)
    _, c, oof = best
    return c, _threshold(y, oof, base, rule)


def predict(model, train, test, theme, base_col=None, rule="precision"):
    """Fit on train with inner choices, predict 0/1 on test."""
    y = train[f"label_{theme}"].to_numpy()
    base_tr = train[base_col].to_numpy() if base_col else None
    c, thr = _inner(model, train, y, train["doc_id"].to_numpy(), base_tr, rule)
    s = model.fit_score(train, test, y, c)
    p = s >= thr
    if base_col:
        p = p | test[base_col].to_numpy().astype(bool)
    return p.astype(int)


def approaches(tag):
    """name -> (model, base column[, threshold rule]) for dictionary version ``tag`` ("now"/"old")."""
    dict_cols = lambda df, t: [f"dict_{tag}_{u}" for u in THEMES] + [c for c in df.columns  # noqa: E731
                                                                       if c.startswith(f"pat_{tag}_{t}__")]
    return {
        "lr-word": lambda df, t: (_Model("word", "lr"), None),
        "lr-word [F1 thr]": lambda df, t: (_Model("word", "lr"), None, "f1"),
        "lr-word+char": lambda df, t: (_Model("word+char", "lr"), None),
        "lr-word+dict": lambda df, t: (_Model("word", "lr", dict_cols(df, t)), None),
        "lr-word+dict [F1 thr]": lambda df, t: (_Model("word", "lr", dict_cols(df, t)), None, "f1"),
        "dict|lr-word": lambda df, t: (_Model("word", "lr"), f"dict_{tag}_{t}"),
        "svm-word": lambda df, t: (_Model("word", "svm"), None),
    }


# --- scoring --------------------------------------------------------------------------------------


def prf(y, p):
    tp = int(np.sum((y == 1) & (p == 1)))
    fp = int(np.sum((y == 0) & (p == 1)))
    fn = int(np.sum((y == 1) & (p == 0)))
    prec = tp / (tp + fp) if tp + fp else float("nan")
    rec = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * prec * rec / (prec + rec) if prec + rec > 0 else 0.0
    return prec, rec, f1, tp + fn


def cross_validate(df):
    from sklearn.model_selection import StratifiedGroupKFold

    preds = {("dict (in-sample)", t): df[f"dict_now_{t}"].to_numpy() for t in THEMES}
    strat = df["label_digital_divide"] * 4 + df["label_ai_safety"] * 2 + df["label_governance_deficit"]
    folds = list(StratifiedGroupKFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED)
                 .split(df, strat, df["doc_id"]))
    for name, make in approaches("now").items():
        for t in THEMES:
            out = np.zeros(len(df), int)
            for tr, te in folds:
                out[te] = predict(*_args(make(df, t), df.iloc[tr], df.iloc[te], t))
            preds[(name, t)] = out
    return preds


def round3_test(df):
    train, test = df[df["source"] != "round3"], df[df["source"] == "round3"]
    preds = {}
    for t in THEMES:
        preds[(f"dict@{OLD_COMMIT}", t)] = test[f"dict_old_{t}"].to_numpy()
        preds[("dict (now, in-sample)", t)] = test[f"dict_now_{t}"].to_numpy()
    for name, make in approaches("old").items():
        for t in THEMES:
            preds[(name, t)] = predict(*_args(make(df, t), train, test, t))
    return test, preds


def _args(made, train, test, theme):
    model, base, *rule = made
    return (model, train, test, theme, base, *rule)


def paired_bootstrap(test, preds, ref, n_boot=2000):
    """F1 difference of each approach minus ``ref`` on the test rows, with a 95% interval
    from resampling documents (paired: the same resample for both)."""
    rng = np.random.default_rng(SEED)
    docs = test["doc_id"].to_numpy()
    uniq, inv = np.unique(docs, return_inverse=True)
    rows_of = [np.flatnonzero(inv == k) for k in range(len(uniq))]
    draws = [np.concatenate([rows_of[k] for k in rng.integers(0, len(uniq), len(uniq))]) for _ in range(n_boot)]
    out = []
    for (name, t), p in preds.items():
        if name == ref:
            continue
        y, q = test[f"label_{t}"].to_numpy(), preds[(ref, t)]
        d = [prf(y[i], p[i])[2] - prf(y[i], q[i])[2] for i in draws]
        out.append({"theme": t, "approach": name, "dF1": prf(y, p)[2] - prf(y, q)[2],
                    "low": float(np.percentile(d, 2.5)), "high": float(np.percentile(d, 97.5)),
                    "dP": prf(y, p)[0] - prf(y, q)[0]})
    return pd.DataFrame(out)


def learning_curve(df, fractions=(0.25, 0.5, 1.0)):
    """Round-3 F1 of lr-word and lr-word+dict trained on a share of the dev+round2 documents."""
    train_all, test = df[df["source"] != "round3"], df[df["source"] == "round3"]
    docs = np.unique(train_all["doc_id"].to_numpy())
    order = np.random.default_rng(SEED).permutation(docs)
    made = approaches("old")
    rows = []
    for frac in fractions:
        keep = set(order[: int(round(frac * len(docs)))])
        train = train_all[train_all["doc_id"].isin(keep)]
        for name in ("lr-word", "lr-word+dict"):
            for t in THEMES:
                p = predict(*_args(made[name](df, t), train, test, t))
                prec, rec, f1, _ = prf(test[f"label_{t}"].to_numpy(), p)
                rows.append({"share": frac, "train_rows": len(train), "approach": name, "theme": t,
                             "P": prec, "R": rec, "F1": f1})
    return pd.DataFrame(rows)


def table(df, preds, by_source):
    rows = []
    groups = [("all", np.ones(len(df), bool))]
    if by_source:
        groups += [(s, (df["source"] == s).to_numpy()) for s in ("dev", "round2", "round3")]
    for (name, t), p in preds.items():
        y = df[f"label_{t}"].to_numpy()
        for g, m in groups:
            prec, rec, f1, n_pos = prf(y[m], p[m])
            rows.append({"theme": t, "set": g, "approach": name, "n": int(m.sum()), "pos": n_pos,
                         "P": prec, "R": rec, "F1": f1, "P>=.85": "yes" if prec >= TARGET_P else "no"})
    out = pd.DataFrame(rows)
    out["theme"] = pd.Categorical(out["theme"], THEMES)
    return out.sort_values(["theme", "set"], kind="stable").reset_index(drop=True)


def main() -> int:
    zip_path = require_ungdc()
    import discourse as dc

    # attach_predictions of ~100 one-pattern themes inserts columns one by one (pandas
    # PerformanceWarning); StratifiedGroupKFold warns about the rare label combinations.
    warnings.filterwarnings("ignore", category=pd.errors.PerformanceWarning)
    warnings.filterwarnings("ignore", message="The least populated class", category=UserWarning)
    t0 = time.process_time()
    corpus = dc.load_corpus(zip_path)
    df = load_data(corpus)
    print(f"development rows: {len(df)} ({df['source'].value_counts().to_dict()}), "
          f"docs: {df['doc_id'].nunique()}, positives: "
          + ", ".join(f"{t} {int(df[f'label_{t}'].sum())}" for t in THEMES))
    pd.set_option("display.width", 160)
    pd.set_option("display.max_rows", 500)
    fmt = {"P": "{:.3f}".format, "R": "{:.3f}".format, "F1": "{:.3f}".format}

    print(f"\n== 1. grouped {N_FOLDS}-fold CV by doc_id, pooled (dictionary figures in-sample) ==")
    cv = table(df, cross_validate(df), by_source=True)
    print(cv.to_string(index=False, formatters=fmt))

    print(f"\n== 2. train dev+round2, test round3 (dictionary features from {OLD_COMMIT}) ==")
    test, preds = round3_test(df)
    r3 = table(test, preds, by_source=False)
    print(r3.to_string(index=False, formatters=fmt))
    print(f"\n-- F1 minus dict@{OLD_COMMIT} on round 3 (95% interval: paired bootstrap of documents) --")
    boot = paired_bootstrap(test, preds, f"dict@{OLD_COMMIT}")
    print(boot.to_string(index=False, float_format="{:+.3f}".format))
    print("\n== 3. learning curve: round-3 F1 by share of dev+round2 documents used for training ==")
    print(learning_curve(df).to_string(index=False, formatters=fmt))
    print(f"\nCPU time: {time.process_time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
