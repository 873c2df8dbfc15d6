"""Tests of discourse.validation: scores by hand, errors naming the row, the sample design,
corrected shares (DSL and Rogan-Gladen) by hand, a coverage simulation, and the shipped
labelled UN sentences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import discourse
from discourse.errors import CorpusError
from discourse.text import sentence_spans
from discourse.themes import load_dictionary, theme_counts, theme_frequencies
from discourse.validation import (
    MISSION_THEMES,
    ValidationError,
    attach_predictions,
    attach_text,
    corrected_frequencies,
    read_labels,
    sample_design,
    validation_sample,
    validation_scores,
)

Z95 = sps.norm.ppf(0.975)


# --- 1. validation_scores against a hand count -----------------------------------------------------

# 12 labelled rows, two themes; row 8 has an empty label for theme a (left out for a only).
#            pred_a label_a pred_b label_b weight stratum
HAND = [
    (1, 1, 0, 0, 1.0, "s1"),   # 1   a: tp        b: tn
    (1, 1, 1, 1, 2.0, "s1"),   # 2   a: tp        b: tp
    (1, 0, 0, 1, 1.0, "s1"),   # 3   a: fp        b: fn
    (0, 1, 1, 0, 4.0, "s2"),   # 4   a: fn        b: fp
    (0, 0, 0, 0, 4.0, "s2"),   # 5   a: tn        b: tn
    (1, 1, 1, 1, 1.5, "s1"),   # 6   a: tp        b: tp
    (0, 1, 0, 1, 4.0, "s2"),   # 7   a: fn        b: fn
    (1, None, 1, 1, 2.0, "s1"),  # 8 a: (empty)   b: tp
    (0, 0, 0, 1, 4.0, "s2"),   # 9   a: tn        b: fn
    (1, 0, 1, 0, 1.0, "s1"),   # 10  a: fp        b: fp
    (0, 0, 0, 0, 4.0, "s2"),   # 11  a: tn        b: tn
    (1, 1, 0, 0, 2.5, "s1"),   # 12  a: tp        b: tn
]


def hand_table() -> pd.DataFrame:
    df = pd.DataFrame(HAND, columns=["pred_a", "label_a", "pred_b", "label_b", "weight", "stratum"])
    df["label_a"] = pd.array(df["label_a"].tolist(), dtype="Int64")
    return df


def test_validation_scores_match_a_hand_count():
    s = validation_scores(hand_table(), n_boot=0).set_index("theme")
    a, b = s.loc["a"], s.loc["b"]

    # theme a (row 8 left out): tp rows 1,2,6,12; fp rows 3,10; fn rows 4,7; tn rows 5,9,11
    assert (a["n"], a["positives"]) == (11, 6)
    assert (a["tp_unweighted"], a["fp_unweighted"], a["fn_unweighted"], a["tn_unweighted"]) == (4, 2, 2, 3)
    assert a["precision_unweighted"] == pytest.approx(4 / (4 + 2))
    assert a["recall_unweighted"] == pytest.approx(4 / (4 + 2))
    assert a["f1_unweighted"] == pytest.approx(2 * 4 / (2 * 4 + 2 + 2))
    tp, fp, fn = 1 + 2 + 1.5 + 2.5, 1 + 1, 4 + 4  # sums of weights: 7, 2, 8
    assert (a["tp"], a["fp"], a["fn"]) == pytest.approx((7.0, 2.0, 8.0))
    assert a["precision"] == pytest.approx(tp / (tp + fp))  # 7/9
    assert a["recall"] == pytest.approx(tp / (tp + fn))  # 7/15
    assert a["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))  # 14/24
    assert a["precision"] == pytest.approx(7 / 9) and a["recall"] == pytest.approx(7 / 15)

    # theme b (all 12 rows): tp rows 2,6,8; fp rows 4,10; fn rows 3,7,9; tn rows 1,5,11,12
    assert (b["n"], b["positives"]) == (12, 6)
    assert (b["tp_unweighted"], b["fp_unweighted"], b["fn_unweighted"], b["tn_unweighted"]) == (3, 2, 3, 4)
    assert b["precision_unweighted"] == pytest.approx(3 / 5)
    assert b["recall_unweighted"] == pytest.approx(3 / 6)
    assert b["f1_unweighted"] == pytest.approx(6 / (6 + 2 + 3))
    tp, fp, fn = 2 + 1.5 + 2, 4 + 1, 1 + 4 + 4  # 5.5, 5, 9
    assert (b["tp"], b["fp"], b["fn"]) == pytest.approx((5.5, 5.0, 9.0))
    assert b["precision"] == pytest.approx(5.5 / 10.5)
    assert b["recall"] == pytest.approx(5.5 / 14.5)
    assert b["f1"] == pytest.approx(11 / 25)

    # no bootstrap: no weighted intervals
    assert np.isnan(a["precision_low"]) and np.isnan(b["f1_high"])


def test_wilson_interval_of_unweighted_precision_by_hand():
    s = validation_scores(hand_table(), n_boot=0).set_index("theme")
    # theme a: 4 of 6 predicted positives are true
    k, n, z = 4, 6, Z95
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert s.loc["a", "precision_unweighted_low"] == pytest.approx(centre - half)
    assert s.loc["a", "precision_unweighted_high"] == pytest.approx(centre + half)
    assert (centre - half, centre + half) == pytest.approx((0.2999996, 0.9032367), abs=1e-4)
    # recall of b: 3 of 6; the Wilson interval of 1/2 is symmetric around 1/2
    lo, hi = s.loc["b", "recall_unweighted_low"], s.loc["b", "recall_unweighted_high"]
    assert lo + hi == pytest.approx(1.0) and 0 < lo < 0.5 < hi < 1


def test_validation_scores_without_weights_equal_unweighted_and_bootstrap_is_seeded():
    df = hand_table().drop(columns="weight")
    s = validation_scores(df, n_boot=0).set_index("theme")
    for t in ("a", "b"):
        for m in ("precision", "recall", "f1"):
            assert s.loc[t, m] == pytest.approx(s.loc[t, f"{m}_unweighted"])
    b1 = validation_scores(hand_table(), n_boot=300, seed=5)
    b2 = validation_scores(hand_table(), n_boot=300, seed=5)
    pd.testing.assert_frame_equal(b1, b2)
    for m in ("precision", "recall", "f1"):
        assert (b1[f"{m}_low"] <= b1[f"{m}_high"]).all()
        assert ((b1[f"{m}_low"] >= 0) & (b1[f"{m}_high"] <= 1)).all()


def _wilson_by_hand(p, n, z=Z95):
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_weighted_intervals_do_not_collapse_when_every_predicted_positive_is_right():
    """No false positive: every bootstrap replicate gives precision 1, and the percentile
    interval was [1, 1]. The interval is then Wilson's at Kish's effective sample size."""
    w = np.array([1.0, 1.0, 3.0, 3.0, 3.0, 1.0, 1.0, 3.0, 1.0, 3.0])
    df = pd.DataFrame({"pred_x": [1] * 6 + [0] * 4, "label_x": [1] * 6 + [1, 0, 0, 0],
                       "weight": w, "stratum": ["a", "a", "b", "b", "b", "a", "a", "b", "a", "b"]})
    r = validation_scores(df, n_boot=500, seed=1).iloc[0]
    assert r["precision"] == 1.0 and r["precision_interval_method"] == "wilson_kish"
    n_eff = w[:6].sum() ** 2 / (w[:6] ** 2).sum()  # 12^2 / 30 = 4.8
    assert (r["precision_low"], r["precision_high"]) == pytest.approx(_wilson_by_hand(1.0, n_eff))
    assert r["precision_low"] < 0.7 and r["precision_high"] == pytest.approx(1.0)
    # recall 12/13 is not degenerate; F1 has a bootstrap spread too
    assert r["recall_interval_method"] in ("percentile_bootstrap", "hull")
    assert r["recall_low"] < r["recall"] <= r["recall_high"]
    # every positive found and none wrongly: recall and F1 are 1, their intervals are not [1, 1]
    perfect = df.assign(label_x=df["pred_x"])
    q = validation_scores(perfect, n_boot=500, seed=1).iloc[0]
    assert (q["precision"], q["recall"], q["f1"]) == (1.0, 1.0, 1.0)
    assert (q["recall_interval_method"], q["f1_interval_method"]) == ("wilson_kish", "wilson_kish")
    assert (q["recall_low"], q["recall_high"]) == pytest.approx(_wilson_by_hand(1.0, n_eff))
    j_low = _wilson_by_hand(1.0, n_eff)[0]  # F1 from the Jaccard index's interval: F1 = 2J / (1 + J)
    assert q["f1_low"] == pytest.approx(2 * j_low / (1 + j_low))
    # all predicted positives wrong: [0, 0] before, now Wilson's [0, upper]
    z = validation_scores(df.assign(label_x=1 - df["pred_x"]), n_boot=500, seed=1).iloc[0]
    assert z["precision"] == 0.0 and z["precision_interval_method"] == "wilson_kish"
    assert z["precision_low"] == pytest.approx(0.0) and z["precision_high"] == pytest.approx(
        _wilson_by_hand(0.0, n_eff)[1])
    # no bootstrap: no interval, and the method says so
    assert set(validation_scores(df, n_boot=0).iloc[0][
        ["precision_interval_method", "recall_interval_method", "f1_interval_method"]]) == {"none"}


def _simulated_table(rng, precision, n_pred, n_other=20):
    """A labelled table: n_pred predicted positives, right with probability ``precision``,
    and n_other predicted negatives, in two strata of weights 1 and 3 (as a design)."""
    n = n_pred + n_other
    stratum = np.where(rng.random(n) < 0.5, "a", "b")
    label = np.r_[(rng.random(n_pred) < precision), (rng.random(n_other) < 0.3)].astype(np.int64)
    return pd.DataFrame({"pred_x": np.r_[np.ones(n_pred), np.zeros(n_other)].astype(np.int64), "label_x": label,
                         "weight": np.where(stratum == "a", 1.0, 3.0), "stratum": stratum})


@pytest.mark.parametrize(("pred_range", "old_at_most"),
                         [((8, 13), 0.5), pytest.param((40, 61), 0.85, marks=pytest.mark.slow)])
def test_weighted_precision_intervals_hold_their_level_where_the_percentile_bootstrap_did_not(
        pred_range, old_at_most):
    """Seeded simulation: true precision 0.95, 300 tables. With about 10 predicted positives
    most tables have no false positive, and the percentile bootstrap (the old interval)
    collapsed to [1, 1]; with about 50 it rarely collapses but still under-covers. The
    intervals given now cover the true precision at about the nominal 95%."""
    from discourse.validation import _bootstrap_prf

    rng = np.random.default_rng(20261202)
    truth, draws = 0.95, 300
    new = old = collapsed = 0
    for i in range(draws):
        t = _simulated_table(rng, truth, int(rng.integers(*pred_range)))
        r = validation_scores(t, n_boot=200, seed=i).iloc[0]
        new += r["precision_low"] <= truth <= r["precision_high"]
        codes = pd.factorize(t["stratum"], sort=True)[0]
        (lo, hi), _, _ = _bootstrap_prf(t["label_x"].to_numpy(), t["pred_x"].to_numpy(), t["weight"].to_numpy(),
                                        codes, 200, 0.95, i)  # the old interval, same replicates
        old += lo <= truth <= hi
        collapsed += r["precision_interval_method"] == "wilson_kish"
    assert new / draws >= 0.93
    assert old / draws <= old_at_most
    if pred_range[1] <= 13:
        assert collapsed / draws > 0.4  # 0.95^10: most tables have no false positive


def test_validation_scores_split_and_csv_path(tmp_path):
    df = hand_table()
    df.insert(0, "doc_id", [f"d{i}" for i in range(12)])
    df.insert(1, "start", 0)
    df.insert(2, "end", 5)
    df["split"] = ["development"] * 6 + ["held_out"] * 6
    path = tmp_path / "labels.csv"
    df.to_csv(path, index=False)
    from_path = validation_scores(path, n_boot=0)
    pd.testing.assert_frame_equal(from_path, validation_scores(df, n_boot=0))
    held = validation_scores(df, n_boot=0, split="held_out").set_index("theme")
    # theme a on rows 7-12 (row 8 empty): tp row 12 (w 2.5), fp row 10 (w 1), fn row 7 (w 4)
    assert (held.loc["a", "tp"], held.loc["a", "fp"], held.loc["a", "fn"]) == pytest.approx((2.5, 1.0, 4.0))
    assert held.loc["a", "n"] == 5


# --- 2. errors name the row -------------------------------------------------------------------------


def _write(tmp_path, text: str):
    p = tmp_path / "labels.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_validation_error_is_a_corpus_and_value_error():
    assert issubclass(ValidationError, CorpusError) and issubclass(ValidationError, ValueError)


def test_read_labels_missing_doc_id_column(tmp_path):
    p = _write(tmp_path, "start,end,weight,label_x\n0,5,1,1\n")
    with pytest.raises(ValidationError, match="no 'doc_id' column") as err:
        read_labels(p)
    assert str(p) in str(err.value)


@pytest.mark.parametrize("bad,row", [("2", 2), ("yes", 3)])
def test_read_labels_bad_label_names_row_and_column(tmp_path, bad, row):
    cells = ["1", "0", "1"]
    cells[row - 1] = bad
    body = "".join(f"d{i},0,5,1,{v}\n" for i, v in enumerate(cells))
    p = _write(tmp_path, "doc_id,start,end,weight,label_x\n" + body)
    with pytest.raises(ValidationError) as err:
        read_labels(p)
    msg = str(err.value)
    assert f"row {row}: label_x is " in msg and bad in msg and str(p) in msg
    assert err.value.row == row


def test_read_labels_weight_below_one_names_row(tmp_path):
    p = _write(tmp_path, "doc_id,start,end,weight,label_x\nd0,0,5,1,1\nd1,0,5,0.5,0\n")
    with pytest.raises(ValidationError, match=r"row 2: weight is .*0\.5.*at least 1") as err:
        read_labels(p)
    assert err.value.row == 2


def test_bad_weight_and_prediction_are_quoted_as_written(tmp_path):
    p = _write(tmp_path, "doc_id,start,end,weight,label_x\nd0,0,5,1,1\nd1,0,5,0.5,0\n")
    with pytest.raises(ValidationError) as err:
        read_labels(p)
    assert "weight is 0.5;" in str(err.value)
    t = pd.DataFrame({"pred_x": [1, 2], "label_x": [1, 0]})
    with pytest.raises(ValidationError) as err:
        validation_scores(t, n_boot=0)
    assert "row 2: pred_x is 2;" in str(err.value)


def test_read_labels_accepts_empty_labels_and_float_spelling(tmp_path):
    p = _write(tmp_path, "doc_id,start,end,weight,label_x,note\nd0,0,5,1,1.0,\nd1,0,5,2,,skip\nd2,0,5,1,0,\n")
    df = read_labels(p)
    assert df["label_x"].tolist()[0] == 1 and df["label_x"].isna().tolist() == [False, True, False]
    assert df["note"].tolist() == ["", "skip", ""] and df["doc_id"].tolist() == ["d0", "d1", "d2"]


@pytest.fixture(scope="module")
def demo():
    return discourse.load_demo_corpus()


def _first_sentences(corpus: pd.DataFrame, k: int) -> pd.DataFrame:
    rows = []
    for doc, text in zip(corpus["doc_id"], corpus["text"], strict=True):
        s, e = sentence_spans(text)[0]
        rows.append({"doc_id": doc, "start": s, "end": e, "weight": 1.0, "label_digital_divide": 0})
        if len(rows) == k:
            break
    return pd.DataFrame(rows)


def test_attach_text_offsets_that_do_not_fit_and_unknown_doc_name_the_row(demo):
    labels = _first_sentences(demo, 3)
    good = attach_text(labels, demo)
    text0 = demo.set_index("doc_id").loc[labels["doc_id"][0], "text"]
    assert good["text"][0] == text0[labels["start"][0]:labels["end"][0]]
    assert list(good.columns).index("text") == list(good.columns).index("end") + 1

    bad = labels.copy()
    n = len(demo.set_index("doc_id").loc[bad.loc[1, "doc_id"], "text"])
    bad.loc[1, "end"] = n + 10
    with pytest.raises(ValidationError, match=rf"row 2: offsets \d+-{n + 10} do not fit document") as err:
        attach_text(bad, demo)
    assert err.value.row == 2
    bad = labels.copy()
    bad.loc[2, "doc_id"] = "no-such-speech"
    with pytest.raises(ValidationError, match="row 3: doc_id 'no-such-speech' is not in the corpus"):
        attach_text(bad, demo)
    with pytest.raises(ValidationError, match="no 'start' column"):
        attach_text(labels.drop(columns="start"), demo)


def test_attach_predictions_of_about_100_themes_adds_the_columns_at_once(demo):
    """One insertion per theme fragmented the table: pandas raised a PerformanceWarning
    from about 100 themes (here and in validation_sample). The columns now come at once,
    with the same values."""
    import collections
    import re
    import warnings

    words = collections.Counter(w.lower() for t in demo["text"] for w in re.findall(r"[A-Za-z]{7,}", t))
    common = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))[:100]
    themes = [f"t{i:03d}" for i in range(len(common))]
    d = {"themes": {t: {"patterns": [w]} for t, (w, _) in zip(themes, common, strict=True)}}
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        s = validation_sample(demo, d, n=80, strata=(), random_share=1.0, seed=0)
        bare = s.drop(columns=[f"pred_{t}" for t in themes])
        added = attach_predictions(bare, demo, d)
        replaced = attach_predictions(s, demo, d)
    assert list(added.columns) == list(bare.columns) + [f"pred_{t}" for t in themes]  # new ones last
    pd.testing.assert_frame_equal(added[list(s.columns)], s)  # the sample's own predictions, dtypes
    pd.testing.assert_frame_equal(replaced, s)  # replaced in place
    assert list(s.columns[-201:]) == [f"pred_{t}" for t in themes] + [f"label_{t}" for t in themes] + ["note"]
    assert added.attrs == s.attrs and added.attrs is not s.attrs
    assert (s[[f"pred_{t}" for t in themes]].sum() > 0).sum() > 50  # most themes are found
    assert list(bare.columns) == [c for c in s.columns if not c.startswith("pred_")]  # input untouched


def test_attach_predictions_errors_name_the_row(demo):
    labels = _first_sentences(demo, 3)
    out = attach_predictions(labels, demo)
    assert [c for c in out.columns if c.startswith("pred_")] == ["pred_digital_divide"]
    assert out["pred_digital_divide"].isin([0, 1]).all()
    bad = labels.copy()
    bad.loc[1, "start"] = -1
    with pytest.raises(ValidationError, match="row 2: offsets -1-"):
        attach_predictions(bad, demo)
    bad = labels.copy()
    bad.loc[0, "doc_id"] = "nowhere"
    with pytest.raises(ValidationError, match="row 1: doc_id 'nowhere' is not in the corpus"):
        attach_predictions(bad, demo)
    bad = labels.copy()
    bad.loc[2, "end"] = bad.loc[2, "end"] - 1  # fits the document, but is not a sentence of it
    with pytest.raises(ValidationError, match="row 3: offsets .* are not one sentence of it"):
        attach_predictions(bad, demo)


def test_corrected_frequencies_errors_name_the_row(demo):
    labels = _first_sentences(demo, 3)
    bad = labels.copy()
    n = len(demo.set_index("doc_id").loc[bad.loc[2, "doc_id"], "text"])
    bad.loc[2, "end"] = n + 1
    with pytest.raises(ValidationError, match=r"row 3: offsets \d+-\d+ do not fit document"):
        corrected_frequencies(demo, bad, by="year", n_boot=0)
    bad = labels.copy()
    bad.loc[1, "end"] = bad.loc[1, "end"] - 2
    with pytest.raises(ValidationError, match="row 2: offsets .* are not one sentence of it"):
        corrected_frequencies(demo, bad, by="year", n_boot=0)
    # a row of another corpus needs the dictionary's prediction where it comes from
    bad = labels.copy()
    bad.loc[0, "doc_id"] = "elsewhere"
    with pytest.raises(ValidationError, match="row 1: doc_id .elsewhere. is not in this corpus .* has no pred_"):
        corrected_frequencies(demo, bad, by="year", n_boot=0)
    bad["pred_digital_divide"] = 0
    out = corrected_frequencies(demo, bad, by="year", n_boot=0)
    assert out["n_labelled"].sum() == 2  # the foreign row is not counted in any group
    with pytest.raises(ValidationError, match="row 2: weight is .*0.*at least 1"):
        corrected_frequencies(demo, labels.assign(weight=[1.0, 0.0, 1.0]), by="year", n_boot=0)


# --- 3. the sample design on the demo corpus -----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_sentences(demo):
    return sum(len(sentence_spans(t)) for t in demo["text"])


def test_validation_sample_is_deterministic_and_seeded(demo):
    a = validation_sample(demo, n=80, seed=3)
    b = validation_sample(demo, n=80, seed=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(sample_design(a), sample_design(b))
    assert a.attrs == b.attrs
    c = validation_sample(demo, n=80, seed=4)
    assert set(a["unit_id"]) != set(c["unit_id"])


def test_validation_sample_rows_text_weights_and_size(demo, demo_sentences):
    n = 80
    s = validation_sample(demo, n=n, seed=11)
    texts = demo.set_index("doc_id")["text"]
    assert 0 < len(s) <= n
    assert s["unit_id"].is_unique
    for row in s.itertuples():
        assert row.text == texts[row.doc_id][row.start:row.end]
        assert row.unit_id == f"{row.doc_id}:{row.start}-{row.end}"
        assert (row.start, row.end) in set(sentence_spans(texts[row.doc_id]))
    design = sample_design(s).set_index("stratum")
    assert design["N"].sum() == demo_sentences
    p_r = design["p_random"].to_numpy()
    assert np.all(p_r == p_r[0]) and p_r[0] == pytest.approx(round(0.2 * n) / demo_sentences)
    pi = 1 - (1 - design["p_random"]) * (1 - design["p_stratified"])
    np.testing.assert_allclose(s["weight"].to_numpy(), 1 / pi.loc[s["stratum"]].to_numpy())
    assert (s["weight"] >= 1).all()
    # the design's draws are exactly there: n_r random draws, n_h stratified draws per stratum
    assert s["draw"].isin(["random", "both"]).sum() == round(0.2 * n)
    strat = s[s["draw"].isin(["stratified", "both"])].groupby("stratum").size()
    alloc = design["n_stratified"][design["n_stratified"] > 0]
    pd.testing.assert_series_equal(strat.sort_index(), alloc.sort_index(), check_names=False)
    assert design["n_stratified"].sum() == n - round(0.2 * n)
    assert (design["p_stratified"] == design["n_stratified"] / design["N"]).all()
    # the class "none" gets draws only from the random stratum
    assert (design.loc[design.index.str.startswith("none|"), "n_stratified"] == 0).all()
    # predictions are the dictionary's, labels are empty
    again = attach_predictions(s.drop(columns=[c for c in s.columns if c.startswith("pred_")]), demo)
    for t in MISSION_THEMES:
        assert again[f"pred_{t}"].tolist() == s[f"pred_{t}"].tolist()
        assert s[f"label_{t}"].isna().all()
    # in corpus order
    pos = {d: i for i, d in enumerate(demo["doc_id"])}
    keys = list(zip(s["doc_id"].map(pos), s["start"], strict=True))
    assert keys == sorted(keys)


def test_simple_random_sample_has_equal_weights(demo, demo_sentences):
    n = 50
    s = validation_sample(demo, n=n, strata=(), random_share=1.0, seed=2)
    N = demo_sentences
    assert len(s) == n
    assert (s["draw"] == "random").all() and (s["stratum"] == "all").all()
    np.testing.assert_allclose(s["weight"], N / n)
    # Horvitz-Thompson: the weights sum to the number of units
    assert s["weight"].sum() == pytest.approx(N)


def test_weighted_sum_over_random_draws_estimates_units(demo, demo_sentences):
    """Horvitz-Thompson: over seeds, the weighted count of a random sample's units with a
    property (here: the dictionary finds digital_divide) averages the corpus total."""
    d = discourse.themes.default_dictionary()
    from discourse.themes.frequencies import unit_theme_matrix

    um = unit_theme_matrix(demo, d, "sentence")
    total = int(um.present[:, d.theme_ids.index("digital_divide")].sum())
    ests = []
    for seed in range(60):
        s = validation_sample(demo, d, n=60, strata=(), random_share=1.0, seed=seed)
        ests.append(float((s["weight"] * s["pred_digital_divide"]).sum()))
        assert s["weight"].sum() == pytest.approx(demo_sentences)
    se = np.std(ests, ddof=1) / math.sqrt(len(ests))
    assert abs(np.mean(ests) - total) < 4 * se
    assert len(set(np.round(ests, 6))) > 5  # the estimate does vary over seeds


def test_validation_samples_concatenate_and_their_design_is_plain_data(demo):
    """pandas compares ``attrs`` in ``pd.concat``: a DataFrame there made concatenating two
    samples fail ("truth value of a DataFrame is ambiguous"). The design is plain records."""
    import json

    s1 = validation_sample(demo, n=40, seed=1)
    s2 = validation_sample(demo, n=40, seed=2)
    both = pd.concat([s1, s2], ignore_index=True)
    assert len(both) == len(s1) + len(s2)
    pd.testing.assert_frame_equal(sample_design(both), sample_design(s1))  # same design: kept
    other = validation_sample(demo, n=30, seed=1, random_share=0.5)
    assert len(pd.concat([s1, other])) == len(s1) + len(other)  # different designs: attrs dropped, no error
    json.dumps(s1.attrs)  # plain data
    design = sample_design(s1)
    assert list(design.columns) == ["stratum", "N", "n_stratified", "p_stratified", "p_random", "excluded"]
    assert design["stratum"].is_monotonic_increasing and (design["n_stratified"] <= design["N"]).all()
    design.loc[0, "N"] = -1  # a new table: the sample's attrs are untouched
    assert sample_design(s1)["N"].min() >= 0
    with pytest.raises(ValidationError, match="no sample design") as read_back:
        sample_design(pd.DataFrame(s1.to_dict("list")))  # e.g. read back from CSV: no attrs
    assert "read back from a file" in str(read_back.value)
    assert "sample_design on each sample before concatenating" in str(read_back.value)


def test_sample_design_of_samples_of_different_designs_says_why_and_what_to_do(demo):
    """pd.concat drops attrs that differ: the error names that cause and the fix."""
    s1 = validation_sample(demo, n=40, seed=1)
    other = validation_sample(demo, n=30, seed=1, random_share=0.5)
    mixed = pd.concat([s1, other], ignore_index=True)
    assert "design" not in mixed.attrs
    with pytest.raises(ValidationError, match="mixes samples of different designs") as err:
        sample_design(mixed)
    text = str(err.value)
    assert "pd.concat drops attrs that differ" in text
    assert "sample_design on each sample before concatenating" in text and "keys=" in text
    # the fix it names works: the designs kept apart, concatenated as tables
    designs = pd.concat([sample_design(s1), sample_design(other)], keys=["s1", "other"])
    assert designs.loc["s1"]["p_random"].iloc[0] != designs.loc["other"]["p_random"].iloc[0]
    # one design twice: kept, no error
    pd.testing.assert_frame_equal(sample_design(pd.concat([s1, s1])), sample_design(s1))


def test_validation_sample_exclude_leaves_named_units_out_of_the_frame(demo, demo_sentences):
    """A fresh draw that shares no unit with a set already read: the excluded units are
    out of the frame, the design is exact for the rest (N counts the rest)."""
    first = validation_sample(demo, n=60, seed=5)
    fresh = validation_sample(demo, n=60, seed=6, exclude=first)
    assert not set(fresh["unit_id"]) & set(first["unit_id"])
    design = sample_design(fresh)
    assert fresh.attrs["excluded"] == len(first) == int(design["excluded"].iloc[0])
    assert design["N"].sum() == demo_sentences - len(first)
    pi = 1 - (1 - design.set_index("stratum")["p_random"]) * (1 - design.set_index("stratum")["p_stratified"])
    np.testing.assert_allclose(fresh["weight"].to_numpy(), 1 / pi.loc[fresh["stratum"]].to_numpy())
    # unit ids work as well as a table; a simple random draw's weights sum to the rest
    by_id = validation_sample(demo, n=60, seed=6, exclude=first["unit_id"].tolist())
    pd.testing.assert_frame_equal(by_id, fresh)
    srs = validation_sample(demo, n=40, strata=(), random_share=1.0, seed=1, exclude=first)
    assert srs["weight"].sum() == pytest.approx(demo_sentences - len(first))
    with pytest.raises(ValueError, match="not a unit id"):
        validation_sample(demo, n=10, exclude=["nonsense"])
    with pytest.raises(ValueError, match="doc_id, start and end"):
        validation_sample(demo, n=10, exclude=pd.DataFrame({"x": [1]}))


def test_validation_sample_equal_allocation_spreads_draws_evenly_over_classes(demo):
    s = validation_sample(demo, n=60, seed=2, random_share=0.0, allocation="equal")
    design = sample_design(s)
    cls = design.assign(cls=design["stratum"].str.split("|").str[0])
    per_class = cls[cls["cls"] != "none"].groupby("cls").agg(n=("n_stratified", "sum"), N=("N", "sum"))
    # every class gets the same number of draws unless it is smaller than that (then all of it)
    full = per_class[per_class["n"] < per_class["N"]]
    assert full["n"].max() - full["n"].min() <= 1
    assert ((per_class["n"] == per_class["N"]) | (per_class["n"] >= full["n"].min())).all()
    with pytest.raises(ValueError, match="allocation must be one of"):
        validation_sample(demo, n=10, allocation="cube")


def test_validation_sample_rejects_bad_arguments(demo):
    with pytest.raises(ValueError, match="n must be a positive whole number"):
        validation_sample(demo, n=0)
    with pytest.raises(ValueError, match="random_share must be between 0 and 1"):
        validation_sample(demo, n=10, random_share=1.5)
    with pytest.raises(CorpusError, match="no such column"):
        validation_sample(demo, n=10, strata=("prediction", "no_column"))


def test_random_and_stratified_draws_are_independent():
    """A unit of stratum h is drawn with probability 1 - (1 - p_random) * (1 - p_h), which
    holds only if the random and stratified draws are independent. Here stratum index 8
    (the 9th sorted stratum) holds nearly the whole corpus: its stratified draw and the
    random draw must overlap in about N_8 * p_random * p_8 (about 9) units, and the
    weights (1/pi) must sum to about N (Horvitz-Thompson)."""
    docs = [{"doc_id": f"big{i}", "year": 2008, "text": " ".join(f"Sentence {k} here." for k in range(8))}
            for i in range(124)]
    docs += [{"doc_id": f"t{y}", "year": y, "text": "One sentence."} for y in range(2000, 2008)]
    c = pd.DataFrame(docs)
    D = {"themes": {"x": {"patterns": ["alpha"]}}}
    both, wsum = [], []
    for seed in range(10):
        s = validation_sample(c, D, n=200, strata=("year",), period=1, random_share=0.5, seed=seed,
                              candidates=None)
        des = sample_design(s)
        assert des["stratum"][8] == "2008-2008" and des["N"][8] == 992
        both.append(int((s["draw"] == "both").sum()))
        wsum.append(float(s["weight"].sum()))
    expected_both = float((des["N"] * des["p_random"] * des["p_stratified"]).sum())  # ~10
    assert np.mean(wsum) == pytest.approx(1000, rel=0.1)
    assert np.mean(both) < 2 * expected_both


# --- 5. unit="sentence" counts and frequencies by hand ---------------------------------------------------

TINY_D = {"themes": {"x": {"patterns": ["alpha"]}, "y": {"patterns": ["nothing"]}}}


def tiny_corpus() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["a", "b", "c", "d"],
        "group": ["g1", "g1", "g2", "g2"],
        "text": [
            "Alpha is here. Nothing is here. Alpha again and alpha once more.",  # 3 sentences
            "No match at all. Still none.",  # 2 sentences
            "",  # no sentence
            "Alpha one. Alpha two. The third one. Nothing fourth.",  # 4 sentences
        ],
    })


def test_theme_counts_by_sentence_by_hand():
    c = tiny_corpus()
    assert [len(sentence_spans(t)) for t in c["text"]] == [3, 2, 0, 4]
    out = theme_counts(c, TINY_D, unit="sentence").set_index(["doc_id", "theme"])
    exp = {  # (count, n_units, units_with_theme)
        ("a", "x"): (3, 3, 2), ("a", "y"): (1, 3, 1),
        ("b", "x"): (0, 2, 0), ("b", "y"): (0, 2, 0),
        ("c", "x"): (0, 0, 0), ("c", "y"): (0, 0, 0),
        ("d", "x"): (2, 4, 2), ("d", "y"): (1, 4, 1),
    }
    for key, (count, n_units, with_theme) in exp.items():
        r = out.loc[key]
        assert (r["count"], r["n_units"], r["units_with_theme"]) == (count, n_units, with_theme), key
    assert out.loc[("a", "x"), "share_units"] == pytest.approx(2 / 3)
    assert out.loc[("d", "y"), "share_units"] == pytest.approx(1 / 4)
    assert out.loc[("b", "x"), "share_units"] == 0
    assert np.isnan(out.loc[("c", "x"), "share_units"])


def test_theme_frequencies_by_sentence_by_hand():
    f = theme_frequencies(tiny_corpus(), TINY_D, by="group", unit="sentence", n_boot=200).set_index(["group", "theme"])
    # g1: a + b = 5 sentences, x in 2, y in 1; g2: c + d = 4 sentences, x in 2, y in 1
    assert f.loc[("g1", "x"), ["n_units", "units_with_theme"]].tolist() == [5, 2]
    assert f.loc[("g1", "y"), ["n_units", "units_with_theme"]].tolist() == [5, 1]
    assert f.loc[("g2", "x"), ["n_units", "units_with_theme"]].tolist() == [4, 2]
    assert f.loc[("g1", "x"), "share_units"] == pytest.approx(2 / 5)
    assert f.loc[("g1", "y"), "share_units"] == pytest.approx(1 / 5)
    assert f.loc[("g2", "x"), "share_units"] == pytest.approx(2 / 4)
    assert f.loc[("g2", "y"), "share_units"] == pytest.approx(1 / 4)
    assert (f["share_units_low"] <= f["share_units"] + 1e-12).all()
    assert (f["share_units"] <= f["share_units_high"] + 1e-12).all()
    # g1: a (2 of 3 sentences), b (0 of 2): share 0.4; Wilson on the effective size n / deff, with the
    # design effect of sentences clustered in speeches 2/1 * (0.8^2 + 0.8^2) / (5 * 0.4 * 0.6) = 32/15
    q, v = sps.t.ppf(0.975, 1), (32 / 15) / 5
    centre = (0.4 + q**2 * v / 2) / (1 + q**2 * v)
    half = q * np.sqrt(v * 0.24 + q**2 * v**2 / 4) / (1 + q**2 * v)
    assert f.loc[("g1", "x"), ["share_units_low", "share_units_high"]].tolist() == pytest.approx(
        [centre - half, centre + half])


# --- 6. corrected_frequencies: DSL and Rogan-Gladen by hand -----------------------------------------------

RG_D = {"themes": {"x": {"patterns": ["alpha"]}}}


def rg_corpus() -> pd.DataFrame:
    return pd.DataFrame({
        "doc_id": ["A", "B"],
        "year": [2000, 2001],
        "text": [
            "Alpha one. Alpha two. Alpha three. Beta four. Beta five. Gamma six. Gamma seven. Gamma eight.",
            "Alpha ay. Alpha bee. Delta cee. Delta dee. Delta eee.",
        ],
    })


def rg_labels(corpus: pd.DataFrame) -> pd.DataFrame:
    spans = sentence_spans(corpus["text"][0])
    assert len(spans) == 8 and len(sentence_spans(corpus["text"][1])) == 5
    # sentence index, label, weight (all in document A, year 2000)
    lab = [(0, 1, 1.0), (1, 1, 2.0), (2, 0, 1.0), (3, 1, 2.0), (4, 0, 1.0), (5, 0, 3.0)]
    return pd.DataFrame({
        "doc_id": "A", "start": [spans[i][0] for i, _, _ in lab], "end": [spans[i][1] for i, _, _ in lab],
        "weight": [w for _, _, w in lab], "label_x": [y for _, y, _ in lab],
    })


def test_corrected_frequencies_dsl_and_rogan_gladen_by_hand():
    c = rg_corpus()
    out = corrected_frequencies(c, rg_labels(c), by="year", dictionary=RG_D, n_boot=0).set_index("year")
    # dictionary: "alpha" in sentences 0-2 of A (3 of 8) and 0-1 of B (2 of 5)
    assert out.loc[2000, ["n_units", "units_with_theme", "n_labelled"]].tolist() == [8, 3, 6]
    assert out.loc[2001, ["n_units", "units_with_theme", "n_labelled"]].tolist() == [5, 2, 0]
    assert out.loc[2000, "raw"] == pytest.approx(3 / 8) and out.loc[2001, "raw"] == pytest.approx(2 / 5)

    # 2000, DSL: (pred sum + sum w * (label - pred)) / N
    #   errors: sentence 2 (pred 1, label 0, w 1): -1; sentence 3 (pred 0, label 1, w 2): +2
    dsl = (3 + (-1 * 1.0) + (1 * 2.0)) / 8  # = 0.5
    assert out.loc[2000, "method"] == "dsl"
    assert out.loc[2000, "corrected"] == pytest.approx(dsl)
    # variance: max(sum (1 - 1/w) w^2 r^2, sum (1 - 1/w) w^2 mean(r^2 in stratum)) / N^2
    #   own: only sentence 3 counts ((1 - 1/2) * 4 * 1 = 2); pooled: mean r^2 = 2/6,
    #   sum over weights 1,2,1,2,1,3 of w^2 - w = 0 + 2 + 0 + 2 + 0 + 6 = 10
    var = max(2.0, 10 * (2 / 6)) / 8**2
    se_logit = math.sqrt(var) / (dsl * (1 - dsl))
    lg = math.log(dsl / (1 - dsl))
    lo, hi = (1 / (1 + math.exp(-(lg + k * Z95 * se_logit))) for k in (-1, 1))
    assert out.loc[2000, "corrected_low"] == pytest.approx(lo)
    assert out.loc[2000, "corrected_high"] == pytest.approx(hi)

    # 2001, Rogan-Gladen with pooled weighted rates:
    #   tp = 1 + 2 = 3, fn = 2, tn = 1 + 3 = 4, fp = 1 -> sens = 3/5, spec = 4/5
    sens, spec, raw = 3 / 5, 4 / 5, 2 / 5
    assert out.loc[2001, "method"] == "rogan-gladen"
    assert out.loc[2001, "corrected"] == pytest.approx((raw + spec - 1) / (sens + spec - 1))  # 0.5
    assert "sensitivity 0.60" in out.loc[2001, "assumption"] and "specificity 0.8000" in out.loc[2001, "assumption"]
    assert np.isnan(out.loc[2001, "corrected_low"])  # n_boot=0: no bootstrap interval

    boot = corrected_frequencies(c, rg_labels(c), by="year", dictionary=RG_D, n_boot=500, seed=1).set_index("year")
    assert boot.loc[2001, "corrected"] == pytest.approx(0.5)
    assert 0 <= boot.loc[2001, "corrected_low"] <= 0.5 <= boot.loc[2001, "corrected_high"] <= 1


def test_rogan_gladen_is_clipped_and_none_without_rates():
    c = rg_corpus()
    lab = rg_labels(c)
    # make the dictionary look worse than chance in its errors (spec low): RG would go below 0
    lab2 = lab.assign(label_x=[1, 1, 0, 1, 0, 0], weight=[1.0, 1.0, 5.0, 1.0, 1.0, 1.0])
    # tp = 2, fp = 5, fn = 1, tn = 2 -> sens 2/3, spec 2/7: sens + spec - 1 < 0 -> no correction
    out = corrected_frequencies(c, lab2, by="year", dictionary=RG_D, n_boot=0).set_index("year")
    assert out.loc[2001, "method"] == "none" and np.isnan(out.loc[2001, "corrected"])
    # all labels 0: no sensitivity -> no Rogan-Gladen either
    out = corrected_frequencies(c, lab.assign(label_x=0), by="year", dictionary=RG_D, n_boot=0).set_index("year")
    assert out.loc[2001, "method"] == "none"
    # sens 1, spec 4/5 and raw 0.1 (below 1 - spec): (0.1 - 0.2) / 0.8 < 0 -> clipped to 0
    c3 = c.copy()
    c3.loc[1, "text"] = "Alpha once. " + " ".join(f"Delta number {k}." for k in range(9))  # raw = 1/10
    assert len(sentence_spans(c3.loc[1, "text"])) == 10
    lab3 = lab.assign(label_x=[1, 1, 0, 0, 0, 0], weight=[1.0, 1.0, 1.0, 1.0, 1.0, 2.0])
    # tp = 2, fn = 0, fp = 1, tn = 1 + 1 + 2 = 4 -> sens 1, spec 4/5
    out = corrected_frequencies(c3, lab3, by="year", dictionary=RG_D, n_boot=0).set_index("year")
    assert out.loc[2001, "raw"] == pytest.approx(0.1)
    assert out.loc[2001, "method"] == "rogan-gladen" and out.loc[2001, "corrected"] == 0.0


# --- 4. simulation: the corrected intervals cover the truth, the raw ones do not ---------------------------

SIM_D = load_dictionary({"themes": {"x": {"patterns": ["alpha"]}}})  # loaded once: one matcher
# Planted true shares per group. The raw share's bias is 0.04 * (1 - s) - 0.3 * s, which
# vanishes near s = 0.118; shares away from it make the dictionary's bias visible in every
# group but one of modest size (0.05).
SIM_SHARES = {2001: 0.02, 2002: 0.05, 2003: 0.20, 2004: 0.30}
SIM_DOCS = 80  # documents per group (6-11 sentences each): about 690 sentences a group
SIM_DRAWS = 200
TP_HIT = ["The alpha signal was clear in the report.", "We saw the alpha signal again."]
TP_MISS = ["The beta signal was clear in the report.", "We saw the beta signal again."]
FP_NOISE = ["The alpha noise was loud.", "Some alpha noise remained."]
FILLER = ["The weather was calm today.", "Members met in the hall.", "The budget was adopted.",
          "Delegates spoke at length."]


def synthetic_corpus(seed: int) -> tuple[pd.DataFrame, dict]:
    """Documents of 6-11 sentences in 4 years; returns the corpus and the truth per
    sentence ((doc_id, start) -> 0/1)."""
    rng = np.random.default_rng([seed, 1])
    rows, truth = [], {}
    for year, share in SIM_SHARES.items():
        for i in range(SIM_DOCS):
            doc = f"{year}-{i}"
            parts, pos = [], 0
            for _ in range(int(rng.integers(6, 12))):
                true = bool(rng.random() < share)
                if true:
                    sent = (TP_HIT if rng.random() < 0.7 else TP_MISS)[rng.integers(2)]
                else:
                    sent = FP_NOISE[rng.integers(2)] if rng.random() < 0.04 else FILLER[rng.integers(4)]
                truth[(doc, pos)] = int(true)
                parts.append(sent)
                pos += len(sent) + 1
            rows.append({"doc_id": doc, "year": year, "text": " ".join(parts)})
    return pd.DataFrame(rows), truth


@pytest.mark.slow
def test_corrected_intervals_cover_the_truth_and_raw_ones_do_not():
    cov_c, cov_r, err_c, err_r, n_lab = [], [], [], [], []
    for draw in range(SIM_DRAWS):
        corpus, truth = synthetic_corpus(draw)
        if draw == 0:  # the sentence splitter sees the planted sentences
            for doc, text in zip(corpus["doc_id"], corpus["text"], strict=True):
                assert [s for s, _ in sentence_spans(text)] == sorted(p for d, p in truth if d == doc)
        true_share = pd.Series(truth).groupby(level=0).agg(["sum", "size"])
        true_share.index = [int(d.split("-")[0]) for d in true_share.index]
        true_share = true_share.groupby(level=0).sum()
        s = validation_sample(corpus, SIM_D, n=300, strata=(), random_share=1.0, seed=draw, candidates=None)
        assert len(s) == 300
        s["label_x"] = [truth[(d, st)] for d, st in zip(s["doc_id"], s["start"], strict=True)]
        cf = corrected_frequencies(corpus, s, by="year", dictionary=SIM_D, n_boot=0).set_index("year")
        tf = theme_frequencies(corpus, SIM_D, by="year", unit="sentence", n_boot=200, seed=draw).set_index("year")
        for year in SIM_SHARES:
            t = true_share.loc[year, "sum"] / true_share.loc[year, "size"]
            assert cf.loc[year, "n_units"] == true_share.loc[year, "size"] == tf.loc[year, "n_units"]
            assert cf.loc[year, "method"] == "dsl"
            cov_c.append(cf.loc[year, "corrected_low"] <= t <= cf.loc[year, "corrected_high"])
            cov_r.append(tf.loc[year, "share_units_low"] <= t <= tf.loc[year, "share_units_high"])
            err_c.append(cf.loc[year, "corrected"] - t)
            err_r.append(tf.loc[year, "share_units"] - t)
            n_lab.append(cf.loc[year, "n_labelled"])
    cov_c, cov_r = np.array(cov_c), np.array(cov_r)
    groups = len(SIM_SHARES)
    assert len(cov_c) == SIM_DRAWS * groups and sum(n_lab) == 300 * SIM_DRAWS
    assert cov_c.mean() >= 0.93, f"corrected coverage {cov_c.mean():.3f}"
    # no group is left behind
    per_group = cov_c.reshape(SIM_DRAWS, groups).mean(axis=0)
    assert per_group.min() >= 0.88, f"corrected coverage per group {per_group}"
    assert abs(np.mean(err_c)) < 0.01
    for g in range(groups):  # unbiased in each group too
        assert abs(np.mean(np.array(err_c).reshape(SIM_DRAWS, groups)[:, g])) < 0.01
    assert cov_r.mean() < 0.60, f"raw coverage {cov_r.mean():.3f}"
    # the raw share is biased in the direction the design plants: up at low shares, down at high
    raw_bias = np.array(err_r).reshape(SIM_DRAWS, groups).mean(axis=0)
    expected = [0.04 * (1 - s) - 0.3 * s for s in SIM_SHARES.values()]
    np.testing.assert_allclose(raw_bias, expected, atol=0.006)


# --- 7. the shipped labelled UN sentences ------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    from discourse.validation import shipped_validation

    return shipped_validation()


def test_shipped_validation_file_is_references_only(shipped):
    from discourse.datasets import validation_path

    header = pd.read_csv(validation_path(), nrows=0).columns.tolist()
    assert "text" not in header
    assert {"doc_id", "start", "end", "weight", "split", "stratum"} <= set(header)
    assert len(shipped) >= 1200
    assert set(shipped["split"]) == {"development", "held_out", "test"}
    for t in MISSION_THEMES:
        col = shipped[f"label_{t}"]
        assert col.notna().all() and col.isin([0, 1]).all()
        assert 0 < col.sum() < len(col)
    assert (shipped["weight"] >= 1).all()
    assert shipped["unit_id"].is_unique
    assert (shipped["unit_id"] == shipped["doc_id"] + ":" + shipped["start"].astype(str) + "-"
            + shipped["end"].astype(str)).all()


def test_shipped_validation_text_comes_back_from_the_un_corpus(shipped, ungdc_corpus):
    withtext = attach_text(shipped, ungdc_corpus)
    assert (withtext["text"].str.strip().str.len() > 0).all()
    assert (withtext["text"] == withtext["text"].str.strip()).all()
    texts = ungdc_corpus.set_index("doc_id")["text"]
    lengths = texts.loc[shipped["doc_id"]].str.len().to_numpy()
    assert ((shipped["start"] >= 0) & (shipped["start"] < shipped["end"]) & (shipped["end"] <= lengths)).all()
    for row in withtext.sample(25, random_state=0).itertuples():
        assert row.text == texts[row.doc_id][row.start:row.end]
        assert (row.start, row.end) in set(sentence_spans(texts[row.doc_id]))
    # every row is one sentence of the corpus (attach_predictions checks it, naming the row)
    pred = attach_predictions(shipped, ungdc_corpus)
    assert all(pred[f"pred_{t}"].isin([0, 1]).all() for t in MISSION_THEMES)
    # the sentence years agree with the corpus
    years = ungdc_corpus.set_index("doc_id")["year"].loc[shipped["doc_id"]].to_numpy()
    assert (shipped["year"].to_numpy() == years).all()


def test_shipped_scores_are_what_the_dictionary_gives_now(ungdc_corpus):
    from discourse.themes import default_dictionary
    from discourse.validation import score_validation_set, shipped_scores

    shipped = shipped_scores()
    fp = default_dictionary().fingerprint("en")
    if not (shipped["fingerprint"] == fp).all():
        pytest.skip("the built-in dictionary changed since the shipped scores were measured (run make validate)")
    now = score_validation_set(ungdc_corpus, n_boot=0)
    cols = ["n", "positives", "tp", "fp", "fn", "precision", "recall", "f1", "precision_unweighted",
            "recall_unweighted", "f1_unweighted"]
    a = shipped.set_index(["split", "theme"])[cols].sort_index()
    b = now.set_index(["split", "theme"])[cols].sort_index()
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-6)


# --- agreement between readers ---------------------------------------------------------------------------


def _readings(pairs, theme="a"):
    rows = []
    for i, (x, y) in enumerate(pairs):
        rows.append({"unit_id": f"u{i}", "reader": "r1", f"label_{theme}": x})
        rows.append({"unit_id": f"u{i}", "reader": "r2", f"label_{theme}": y})
    return pd.DataFrame(rows)


def test_reader_agreement_kappa_and_alpha_by_hand():
    # 10 units read by two readers: 3 both 1, 5 both 0, 1 (1,0), 1 (0,1)
    pairs = [(1, 1)] * 3 + [(0, 0)] * 5 + [(1, 0), (0, 1)]
    r = discourse.reader_agreement(_readings(pairs), n_boot=0).iloc[0]
    assert (r["units"], r["readings"], r["positives"]) == (10, 20, 8)
    assert r["agreement"] == pytest.approx(0.8)
    # Cohen: po = 0.8, both readers say 1 on 4 of 10 -> pe = .4*.4 + .6*.6 = .52
    assert r["cohen_kappa"] == pytest.approx((0.8 - 0.52) / (1 - 0.52))
    # Krippendorff (nominal, binary): n = 20 values, n0 = 12, n1 = 8, o01 = 2 (two mixed units,
    # each 1*1/(2-1)); alpha = 1 - (n-1) o01 / (n0 n1) = 1 - 19*2/96
    assert r["alpha"] == pytest.approx(1 - 19 * 2 / 96)
    assert np.isnan(r["alpha_low"])


def test_reader_agreement_three_readers_units_read_once_and_intervals():
    rows = [
        # u0: three readers, two say 1; u1: all 0; u2: all 1; u3: read once (left out)
        ("u0", "r1", 1), ("u0", "r2", 1), ("u0", "r3", 0),
        ("u1", "r1", 0), ("u1", "r2", 0), ("u1", "r3", 0),
        ("u2", "r1", 1), ("u2", "r2", 1), ("u2", "r3", 1),
        ("u3", "r1", 1),
    ]
    df = pd.DataFrame(rows, columns=["unit_id", "reader", "label_a"])
    r = discourse.reader_agreement(df, n_boot=200, seed=1).iloc[0]
    assert (r["units"], r["readings"], r["positives"]) == (3, 9, 5)
    assert np.isnan(r["cohen_kappa"])  # not two readings per unit
    # pairs: u0 has 3 pairs, 1 agreeing; u1, u2 3 agreeing each -> 7/9
    assert r["agreement"] == pytest.approx(7 / 9)
    # n = 9, n0 = 4, n1 = 5; o01 = u0: 1*2/(3-1) = 1 -> alpha = 1 - 8*1/20
    assert r["alpha"] == pytest.approx(1 - 8 / 20)
    assert r["alpha_low"] <= r["alpha"] <= r["alpha_high"]
    again = discourse.reader_agreement(df, n_boot=200, seed=1)
    pd.testing.assert_frame_equal(again, discourse.reader_agreement(df, n_boot=200, seed=1))


def test_reader_agreement_no_variation_and_bad_input():
    r = discourse.reader_agreement(_readings([(0, 0)] * 5), n_boot=50).iloc[0]
    assert r["agreement"] == 1.0 and np.isnan(r["alpha"]) and np.isnan(r["cohen_kappa"])
    bad = _readings([(0, 2)])
    with pytest.raises(ValidationError, match="row 2: label_a is .2., not 0 or 1"):
        discourse.reader_agreement(bad)
    with pytest.raises(ValidationError, match="no column reader"):
        discourse.reader_agreement(bad.drop(columns="reader"))


def test_reader_agreement_ignores_the_index_and_needs_the_same_two_readers_for_kappa():
    a = _readings([(1, 1), (0, 0), (1, 0)])
    b = _readings([(0, 0), (1, 1)]).assign(unit_id=lambda d: "v" + d["unit_id"], reader=lambda d: d["reader"] + "x")
    both = pd.concat([a, b])  # duplicate index labels, four readers in two pairs
    r = discourse.reader_agreement(both, n_boot=20).iloc[0]
    assert r["units"] == 5 and np.isnan(r["cohen_kappa"]) and np.isfinite(r["alpha"])
    assert np.isfinite(discourse.reader_agreement(a, n_boot=0).iloc[0]["cohen_kappa"])
