"""The dictionary's measured validity in the report and on the command line.

Notebook 02 shows the validity figures shipped for the built-in dictionary (or the
analyst's own, with a labelled validation file); notebook 04 charts the theme shares
corrected for the dictionary's errors; ``discourse validate`` scores a dictionary on
labelled units and ``discourse sample`` draws units to label. The labelled file used
here is a sample of the demo corpus labelled by a rule in the test (deterministic).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

from discourse.cli import main
from discourse.report import (
    build_report,
    corrected_shares,
    validity_caveats,
    validity_findings,
    validity_table,
)
from discourse.themes import default_dictionary, load_dictionary
from discourse.validation import MISSION_THEMES, ValidationError, shipped_scores, validation_sample

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NOTEBOOKS = ROOT / "notebooks"
NB02 = NOTEBOOKS / "02-theme-frequencies.py"
NB04 = NOTEBOOKS / "04-themes-across-events.py"
LIGHT = {"n_boot": 50, "n_perm": 50}


def label_by_rule(sample: pd.DataFrame) -> pd.DataFrame:
    """Label a validation sample deterministically: mostly the dictionary's answer, with known errors.

    Every 4th unit the dictionary finds ai_safety in is labelled 0 (a false positive);
    every 3rd near-miss unit of digital_divide is labelled 1 (a miss).
    """
    out = sample.copy()
    for t in MISSION_THEMES:
        out[f"label_{t}"] = out[f"pred_{t}"].astype(int)
    hits = out.index[out["pred_ai_safety"] == 1]
    out.loc[hits[::4], "label_ai_safety"] = 0
    near = out.index[out["stratum"].str.startswith("near:") & out["stratum"].str.contains("digital_divide")]
    out.loc[near[::3], "label_digital_divide"] = 1
    return out


@pytest.fixture(scope="module")
def labels_csv(tmp_path_factory, demo_corpus) -> Path:
    path = tmp_path_factory.mktemp("labels") / "demo-labels.csv"
    label_by_rule(validation_sample(demo_corpus, n=80, seed=0)).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def report_with_validation(tmp_path_factory, labels_csv) -> Path:
    out = tmp_path_factory.mktemp("validated") / "report"
    build_report(DEMO, out, notebooks=[NB02, NB04], progress=False, seed=0, parameters=LIGHT,
                 validation=labels_csv)
    return out


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def items(manifest: dict, kind: str) -> list[dict]:
    return [it for nb in manifest["notebooks"] for it in nb["items"] if it["kind"] == kind]


# --- the helpers ---------------------------------------------------------------------------


def test_validity_table_shipped_figures_held_out_when_present():
    table = validity_table(default_dictionary())
    shipped = shipped_scores()
    split = "held_out" if (shipped["split"] == "held_out").any() else "development"
    assert set(table["split"]) == {split}
    assert set(MISSION_THEMES) <= set(table["theme"])
    assert table["measured_on"].str.contains("UN General Assembly").all()
    for col in ("precision", "precision_low", "precision_high", "recall", "f1", "precision_unweighted", "fingerprint"):
        assert col in table.columns
    sentences = validity_findings(table)
    assert len(sentences) == len(table)
    assert sentences[0].startswith(f"{table['theme'].iloc[0]}: precision ")


def test_validity_figures_say_which_interval_each_uses():
    from discourse.report import VALIDITY_SHOWN, interval_methods_note
    from discourse.report.findings import INTERVAL_METHOD_WORDS
    from discourse.validation import INTERVAL_METHODS

    assert set(INTERVAL_METHOD_WORDS) == set(INTERVAL_METHODS)  # every method is worded
    table = validity_table(default_dictionary())
    for m in ("precision", "recall", "f1"):
        assert f"{m}_interval_method" in VALIDITY_SHOWN and f"{m}_interval_method" in table.columns
    row = table.iloc[0]
    short = {m: INTERVAL_METHOD_WORDS[row[f"{m}_interval_method"]][0] for m in ("precision", "recall", "f1")}
    sentence = validity_findings(table)[0]
    assert f"{row['precision_high']:.2f}, {short['precision']})" in sentence
    assert f"{row['f1_high']:.2f}, {short['f1']})" in sentence
    note = interval_methods_note(table)
    used = set(table[["precision_interval_method", "recall_interval_method", "f1_interval_method"]].stack())
    for m, (name, meaning) in INTERVAL_METHOD_WORDS.items():
        assert (f"{name} = {meaning}" in note) == (m in used), m
    # every method, in INTERVAL_METHODS order; one this version does not know is named as is
    mixed = table.head(1).assign(precision_interval_method="wilson_kish", recall_interval_method="percentile_bootstrap",
                                 f1_interval_method="other")
    note = interval_methods_note(mixed)
    assert note.index("bootstrap = ") < note.index("Wilson-Kish = ") < note.index("other = ")
    assert "hull = " not in note
    assert interval_methods_note(table.drop(columns=["precision_interval_method", "recall_interval_method",
                                                     "f1_interval_method"])) == ""
    # without the method (an older CSV): the interval alone
    old = validity_findings(table.drop(columns=["precision_interval_method"]))[0]
    assert f"{row['precision_high']:.2f}), recall" in old


def test_validity_caveats_say_where_measured_and_whether_they_apply(fixtures_dir):
    table = validity_table(default_dictionary())
    builtin = default_dictionary()
    caveats = validity_caveats(table, builtin, builtin=True)
    assert "UN General Assembly general debate speeches, 2000-2024" in caveats[0]
    assert "may differ on other corpora" in caveats[0]
    matches = builtin.fingerprint("en") in set(table["fingerprint"])
    assert len(caveats) == (1 if matches else 2)
    # a dictionary of one's own: the shipped figures do not apply to it
    mine = load_dictionary({"themes": {"ai_safety": {"patterns": ["ai safety"]}}})
    caveats = validity_caveats(table, mine, builtin=False)
    assert len(caveats) == 2 and "not the built-in one" in caveats[1] and "do not apply" in caveats[1]
    # own labels: one sentence about the weighting
    assert "your own labelled sample" in validity_caveats(table, mine, builtin=False, own_labels=True)[0]


def test_validity_table_and_corrected_shares_from_own_labels(demo_corpus, labels_csv):
    dic = default_dictionary()
    table = validity_table(dic, demo_corpus, labels_csv, n_boot=50)
    assert list(table["theme"]) == list(MISSION_THEMES)
    assert set(table["split"]) == {"all"} and table["measured_on"].str.contains("demo-labels.csv").all()
    ai = table.set_index("theme").loc["ai_safety"]
    assert ai["precision"] < 1 and ai["fp_unweighted"] > 0  # the planted false positives
    assert table.set_index("theme").loc["governance_deficit", "precision"] == 1
    assert (table["fingerprint"] == dic.fingerprint()).all()

    shares = corrected_shares(demo_corpus, labels_csv, dic, n_boot=50)
    events = shares["event"].drop_duplicates().tolist()
    from discourse.tracking import events as events_of

    assert events == events_of(demo_corpus)["event"].tolist()  # time order
    assert set(shares["theme"]) == set(MISSION_THEMES)
    assert shares["method"].isin(["dsl", "rogan-gladen"]).all()
    ok = shares.dropna(subset=["corrected"])
    # (the logit interval clamps at 1e-6: an estimate of 0 can have a lower bound of 1e-6)
    assert (ok["corrected_low"] <= ok["corrected"] + 1e-5).all() and (ok["corrected"] <= ok["corrected_high"] + 1e-5).all()


def test_labels_of_themes_the_dictionary_lacks(demo_corpus, labels_csv):
    other = load_dictionary({"themes": {"cats": {"patterns": ["cat"]}}})
    with pytest.raises(ValidationError, match="none of the labelled themes"):
        validity_table(other, demo_corpus, labels_csv)
    only_ai = load_dictionary({"themes": {"ai_safety": {"patterns": ["ai safety", "artificial intelligence"]}}})
    table = validity_table(only_ai, demo_corpus, labels_csv, n_boot=0)
    assert list(table["theme"]) == ["ai_safety"]


# --- the report ------------------------------------------------------------------------------


def test_report_shows_shipped_validity_without_a_validation_file(tmp_path):
    out = tmp_path / "report"
    build_report(DEMO, out, notebooks=[NB02], progress=False, parameters=LIGHT)
    manifest = manifest_of(out)
    assert manifest["parameters"]["validation"] is None
    table = pd.read_csv(out / "tables" / "02-dictionary-validity.csv")
    shipped = shipped_scores()
    split = "held_out" if (shipped["split"] == "held_out").any() else "development"
    assert set(table["split"]) == {split} and set(MISSION_THEMES) <= set(table["theme"])
    page = (out / "02-theme-frequencies.html").read_text(encoding="utf-8")
    assert "How far the dictionary can be trusted" in page
    assert "UN General Assembly general debate speeches, 2000-2024" in page
    assert "may differ on other corpora" in page
    assert "which bounds it kept" in page  # the interval methods explained beside the table
    assert {"precision_interval_method", "recall_interval_method", "f1_interval_method"} <= set(table.columns)
    findings = [it for it in items(manifest, "findings") if it["name"] == "Measured validity of the dictionary"]
    assert len(findings) == 1 and findings[0]["sentences"][0].split(":")[0] in set(table["theme"])
    assert items(manifest, "note") == []


def test_report_with_a_custom_dictionary_says_the_shipped_figures_do_not_apply(tmp_path, fixtures_dir):
    dic = tmp_path / "mine.yaml"
    dic.write_text("themes:\n  ai_safety:\n    patterns: [ai safety, artificial intelligence]\n", encoding="utf-8")
    out = tmp_path / "report"
    build_report(DEMO, out, notebooks=[NB02], progress=False, parameters=LIGHT, dictionary=dic)
    page = (out / "02-theme-frequencies.html").read_text(encoding="utf-8")
    assert "not the built-in one" in page and "do not apply" in page


def test_report_with_own_labels(report_with_validation, labels_csv):
    out = report_with_validation
    manifest = manifest_of(out)
    params = manifest["parameters"]
    assert params["validation"] == str(labels_csv.resolve())
    assert params["validation_sha256"] == hashlib.sha256(labels_csv.read_bytes()).hexdigest()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Validation labels" in index and params["validation_sha256"][:16] in index
    assert items(manifest, "note") == []

    validity = pd.read_csv(out / "tables" / "02-dictionary-validity.csv")
    assert list(validity["theme"]) == list(MISSION_THEMES) and set(validity["split"]) == {"all"}
    assert validity["measured_on"].str.contains("your labels").all()
    page = (out / "02-theme-frequencies.html").read_text(encoding="utf-8")
    assert "your own labelled sample" in page

    shares = pd.read_csv(out / "tables" / "04-corrected-shares.csv")
    assert {"event", "theme", "raw", "corrected", "corrected_low", "corrected_high", "method"} <= set(shares.columns)
    assert set(shares["theme"]) == set(MISSION_THEMES)
    png = out / "figures" / "04-corrected-shares.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "figures/04-corrected-shares.png" in index


def test_report_validation_tables_are_byte_identical(report_with_validation, labels_csv, tmp_path):
    again = tmp_path / "again"
    build_report(DEMO, again, notebooks=[NB02, NB04], progress=False, seed=0, parameters=LIGHT,
                 validation=labels_csv)
    for name in ("02-dictionary-validity.csv", "04-corrected-shares.csv"):
        assert (again / "tables" / name).read_bytes() == (report_with_validation / "tables" / name).read_bytes()


def test_report_refuses_labels_of_another_corpus_before_running(tmp_path, labels_csv):
    other = tmp_path / "corpus.csv"
    pd.DataFrame({"doc_id": ["x"], "event": ["E 2020"], "year": [2020],
                  "text": ["AI safety matters. The digital divide too."]}).to_csv(other, index=False)
    out = tmp_path / "report"
    with pytest.raises(ValidationError, match="not in the corpus") as info:
        build_report(other, out, notebooks=[NB02], progress=False, validation=labels_csv)
    assert str(labels_csv.resolve()) in str(info.value)
    assert not out.exists()
    unlabelled = tmp_path / "unlabelled.csv"
    pd.read_csv(labels_csv).assign(label_digital_divide="", label_ai_safety="", label_governance_deficit="").to_csv(
        unlabelled, index=False)
    with pytest.raises(ValidationError, match="no unit is labelled yet"):
        build_report(DEMO, out, notebooks=[NB02], progress=False, validation=unlabelled)
    with pytest.raises(ValidationError, match="does not exist"):
        build_report(DEMO, out, notebooks=[NB02], progress=False, validation=tmp_path / "missing.csv")
    assert not out.exists()


# --- the command line ----------------------------------------------------------------------


def test_cli_sample_writes_a_csv_to_label(tmp_path, capsys, demo_corpus):
    out = tmp_path / "to-label.csv"
    assert main(["sample", str(DEMO), "-n", "30", "--seed", "2", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    expected = validation_sample(demo_corpus, n=30, seed=2)
    assert list(table.columns) == list(expected.columns)
    assert table["unit_id"].tolist() == expected["unit_id"].tolist()
    assert table[[f"label_{t}" for t in MISSION_THEMES]].isna().all().all()
    assert "label_ai_safety" in capsys.readouterr().err
    # a file that may hold labels is not overwritten
    assert main(["sample", str(DEMO), "-n", "30", "-o", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["sample", str(DEMO), "-n", "10", "--unit", "paragraph", "--force", "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) <= 10


def test_cli_validate_with_own_labels(tmp_path, capsys, labels_csv):
    assert main(["validate", str(DEMO), "--labels", str(labels_csv), "--n-boot", "50"]) == 0
    printed = capsys.readouterr().out
    assert "weighted" in printed and "unweighted" in printed
    for theme in MISSION_THEMES:
        assert theme in printed
    assert "precision" in printed and "recall" in printed and "F1" in printed
    assert "[" in printed  # intervals
    out = tmp_path / "scores.csv"
    assert main(["validate", str(DEMO), "--labels", str(labels_csv), "--n-boot", "50", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert list(table["theme"]) == list(MISSION_THEMES) and set(table["split"]) == {"all"}
    for col in ("precision_low", "recall_high", "f1", "precision_unweighted_low", "fingerprint",
                "precision_interval_method", "recall_interval_method", "f1_interval_method"):
        assert col in table.columns
    assert table["fingerprint"].iloc[0] == default_dictionary().fingerprint()


def test_cli_validate_errors(tmp_path, capsys, labels_csv):
    # the shipped labels are UN sentences: on another corpus, a clear error
    assert main(["validate", str(DEMO)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("discourse validate: error:") and "ungdc.zip" in err and "--labels" in err
    assert main(["validate", str(DEMO), "--labels", str(labels_csv), "--split", "held_out"]) == 2
    assert "no 'split' column" in capsys.readouterr().err
    assert main(["validate", str(DEMO), "--labels", str(tmp_path / "missing.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    pd.read_csv(labels_csv).assign(label_ai_safety="maybe").to_csv(bad, index=False)
    assert main(["validate", str(DEMO), "--labels", str(bad)]) == 2
    assert "row 1" in capsys.readouterr().err


def test_cli_report_takes_validation(tmp_path, capsys, labels_csv, monkeypatch):
    seen = {}

    def fake_build_report(source, output, **kwargs):
        seen.update(kwargs, source=source)
        return Path(output) / "index.html"

    monkeypatch.setattr("discourse.report.build_report", fake_build_report)
    assert main(["report", str(DEMO), "-o", str(tmp_path / "r"), "--validation", str(labels_csv)]) == 0
    assert seen["validation"] == str(labels_csv)


@pytest.mark.slow
def test_cli_validate_on_the_un_corpus_reproduces_the_shipped_figures(ungdc_zip, tmp_path, capsys):
    out = tmp_path / "default-validation.csv"
    assert main(["validate", str(ungdc_zip), "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert set(table["split"]) == {"development", "held_out", "test"}
    assert set(table["theme"]) == set(MISSION_THEMES)
    assert "held_out" in capsys.readouterr().out
    shipped = shipped_scores()
    if shipped["fingerprint"].iloc[0] != default_dictionary().fingerprint("en"):
        pytest.skip("the built-in dictionary changed since the shipped figures were measured (make validate)")
    key = ["split", "theme"]
    merged = table.merge(shipped, on=key, suffixes=("", "_shipped"))
    assert len(merged) == len(shipped)
    for col in ("n", "positives", "precision", "recall", "f1", "precision_low", "f1_high"):
        pd.testing.assert_series_equal(merged[col], merged[f"{col}_shipped"], check_names=False, atol=1e-6)
