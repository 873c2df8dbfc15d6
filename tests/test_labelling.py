"""The labeller: LabelSession (resume, label, skip, note, back, atomic saves), the
ipywidgets Labeller and notebooks/05-validate-dictionary.py run headless."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from discourse.labelling import SKIPPED, Labeller, LabelSession, codebook_lines
from discourse.validation import ValidationError, read_labels, validation_sample

ROOT = Path(__file__).resolve().parents[1]
THEMES = ["digital_divide", "ai_safety", "governance_deficit"]


@pytest.fixture(scope="module")
def sample(demo_corpus) -> pd.DataFrame:
    return validation_sample(demo_corpus, n=30, seed=0)


@pytest.fixture
def session(sample, demo_corpus, tmp_path) -> LabelSession:
    return LabelSession.start(sample, tmp_path / "labels.csv", corpus=demo_corpus)


def on_disk(session: LabelSession) -> pd.DataFrame:
    return read_labels(session.path)


def labels_of(df: pd.DataFrame, i: int) -> dict:
    return {t: (None if pd.isna(df[f"label_{t}"].iloc[i]) else int(df[f"label_{t}"].iloc[i])) for t in THEMES}


def test_start_writes_the_sample_and_opens_at_the_first_unit(session, sample):
    df = on_disk(session)
    assert list(df.columns) == list(sample.columns)
    assert df["unit_id"].tolist() == sample["unit_id"].tolist()
    assert df[[f"label_{t}" for t in THEMES]].isna().all().all()
    assert session.themes == THEMES and len(session) == len(sample)
    assert session.position == 0 and not session.finished
    unit = session.current
    assert unit.unit_id == sample["unit_id"].iloc[0] and unit.text == sample["text"].iloc[0]
    assert unit.labels == dict.fromkeys(THEMES) and unit.note == "" and not unit.skipped
    progress = session.progress()
    assert progress["theme"].tolist() == THEMES
    assert progress["labelled"].tolist() == [0, 0, 0] and (progress["total"] == len(sample)).all()
    # drawing again over a file with labels is refused
    with pytest.raises(FileExistsError, match="LabelSession"):
        LabelSession.start(sample, session.path)


def test_every_change_is_on_disk_at_once(session):
    session.label("digital_divide", 1)
    df = on_disk(session)
    assert labels_of(df, 0) == {"digital_divide": 1, "ai_safety": None, "governance_deficit": None}
    assert session.position == 0  # one theme: stays on the unit
    session.label("ai_safety", "0")
    assert labels_of(on_disk(session), 0)["ai_safety"] == 0
    session.label("ai_safety", None)  # clearing is saved too
    assert labels_of(on_disk(session), 0)["ai_safety"] is None
    session.label_all({"ai_safety": 0, "governance_deficit": 1})
    assert labels_of(on_disk(session), 0) == {"digital_divide": 1, "ai_safety": 0, "governance_deficit": 1}
    assert session.position == 1  # all labelled: moved on
    session.note("mentions a gap, not a digital one")
    assert on_disk(session)["note"].iloc[1] == "mentions a gap, not a digital one"
    session.skip()
    df = on_disk(session)
    assert df["note"].iloc[1] == f"{SKIPPED}; mentions a gap, not a digital one"
    assert labels_of(df, 1) == dict.fromkeys(THEMES)  # skipping labels nothing
    assert session.position == 2
    session.label_all({"digital_divide": False, "ai_safety": True, "governance_deficit": 0})
    assert labels_of(on_disk(session), 2) == {"digital_divide": 0, "ai_safety": 1, "governance_deficit": 0}
    # labels are written as 0/1/empty: a spreadsheet reads them as they are
    raw = pd.read_csv(session.path, dtype=str, keep_default_na=False)
    assert raw.loc[:2, "label_digital_divide"].tolist() == ["1", "", "0"]
    assert session.progress().set_index("theme")["labelled"].to_dict() == dict.fromkeys(THEMES, 2)
    assert session.summary() == f"2 of {len(session)} units labelled, 1 skipped"
    # no temporary file is left beside the CSV
    assert sorted(p.name for p in session.path.parent.iterdir()) == ["labels.csv"]


def test_columns_and_order_are_kept(session, sample):
    before = pd.read_csv(session.path, dtype=str, keep_default_na=False)
    session.label_all(dict.fromkeys(THEMES, 0))
    session.skip()
    session.note("x")
    after = pd.read_csv(session.path, dtype=str, keep_default_na=False)
    assert list(after.columns) == list(before.columns)
    kept = [c for c in before.columns if not c.startswith("label_") and c != "note"]
    pd.testing.assert_frame_equal(after[kept], before[kept])


def test_reopening_resumes_at_the_first_unit_not_done(session, demo_corpus):
    session.label_all(dict.fromkeys(THEMES, 0))  # 0 done
    session.skip()  # 1 skipped: done
    session.label_all({"digital_divide": 1, "ai_safety": 0, "governance_deficit": 0})  # 2 done
    session.label("ai_safety", 1)  # 3 only partly labelled
    again = LabelSession(session.path, corpus=demo_corpus)
    assert again.position == 3
    assert again.current.labels == {"digital_divide": None, "ai_safety": 1, "governance_deficit": None}
    again.label_all({"digital_divide": 0, "governance_deficit": 0})
    assert LabelSession(session.path).position == 4
    # a session on one theme resumes at the first unit without that label
    assert LabelSession(session.path, themes=["ai_safety"]).position == 4
    with pytest.raises(ValueError, match="label_nope"):
        LabelSession(session.path, themes=["nope"])


def test_skip_back_and_note(session):
    session.note("first")
    session.skip()
    assert session.position == 1
    session.back()
    unit = session.current
    assert session.position == 0 and unit.skipped and unit.note == "first"
    session.note("changed my mind")  # the skipped mark is kept
    assert on_disk(session)["note"].iloc[0] == f"{SKIPPED}; changed my mind"
    session.label_all(dict.fromkeys(THEMES, 1))  # labelled after all: the mark goes
    assert on_disk(session)["note"].iloc[0] == "changed my mind"
    assert session.position == 1  # the next unit not done
    session.back()
    assert session.position == 0
    session.back()  # nothing before the first unit
    assert session.position == 0
    session.go(5)
    session.back()
    assert session.position == 0
    # back without history steps to the previous row
    reopened = LabelSession(session.path)
    assert reopened.position == 1
    reopened.back()
    assert reopened.position == 0


def test_unit_has_its_context(sample, demo_corpus, tmp_path):
    s = LabelSession.start(sample, tmp_path / "c.csv", corpus=demo_corpus, context_chars=50)
    texts = dict(zip(demo_corpus["doc_id"].astype(str), demo_corpus["text"], strict=True))
    for i in range(len(s)):
        unit = s.unit(i)
        doc = texts[unit.doc_id]
        assert unit.text == doc[unit.start:unit.end] == sample["text"].iloc[i]
        assert unit.left == doc[max(0, unit.start - 50):unit.start]
        assert unit.right == doc[unit.end:unit.end + 50]
    assert any(s.unit(i).left for i in range(len(s))) and any(s.unit(i).right for i in range(len(s)))
    # without the corpus: the file's text, no context
    bare = LabelSession(s.path)
    assert bare.current.text == sample["text"].iloc[0] and bare.current.left == bare.current.right == ""


def test_wrong_corpus_and_bad_labels_are_named(session, demo_corpus, tmp_path):
    other = demo_corpus.copy()
    other["text"] = other["text"].str.upper()
    with pytest.raises(ValidationError, match="differs from the corpus"):
        LabelSession(session.path, corpus=other)
    with pytest.raises(ValidationError, match="not in the corpus"):
        LabelSession(session.path, corpus=demo_corpus.iloc[:0])
    raw = pd.read_csv(session.path, dtype=str, keep_default_na=False)
    raw.loc[2, "label_ai_safety"] = "yes"
    raw.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValidationError, match="row 3"):
        LabelSession(tmp_path / "bad.csv")
    with pytest.raises(ValueError, match="0, 1 or None"):
        session.label("ai_safety", 2)


def test_a_spreadsheet_edited_file_is_taken_as_it_is(session, demo_corpus):
    raw = pd.read_csv(session.path, dtype=str, keep_default_na=False)
    raw.loc[0, [f"label_{t}" for t in THEMES]] = ["1.0", "0", "0"]  # a spreadsheet's numbers
    raw.loc[1, "note"] = "labelled in a spreadsheet"
    raw.loc[2, "text"] = " " + raw.loc[2, "text"] + "  "  # spaces a spreadsheet added
    raw.to_csv(session.path, index=False, encoding="utf-8-sig")  # with a byte-order mark
    again = LabelSession(session.path, corpus=demo_corpus)
    assert again.position == 1 and again.current.note == "labelled in a spreadsheet"
    again.label("digital_divide", 0)
    raw = pd.read_csv(session.path, dtype=str, keep_default_na=False)
    assert raw.loc[0, "label_digital_divide"] == "1" and raw.loc[1, "label_digital_divide"] == "0"
    assert list(raw.columns)[0] == "unit_id"


def test_a_failed_write_leaves_the_file_as_it_was(session, monkeypatch):
    session.label_all(dict.fromkeys(THEMES, 0))
    before = session.path.read_bytes()

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        session.label("ai_safety", 1)
    assert session.path.read_bytes() == before
    assert sorted(p.name for p in session.path.parent.iterdir()) == ["labels.csv"]


def test_finishing(sample, demo_corpus, tmp_path):
    s = LabelSession.start(sample.head(3), tmp_path / "three.csv", corpus=demo_corpus)
    for _ in range(3):
        s.label_all(dict.fromkeys(THEMES, 0))
    assert s.finished and s.current is None and s.position == 3 and s.n_done == 3
    with pytest.raises(IndexError, match="every unit is done"):
        s.label("ai_safety", 1)
    s.next()  # nothing left: stays finished
    assert s.finished
    s.back()
    assert s.position == 2
    assert LabelSession(s.path).finished


def test_codebook_lines_are_the_first_sentence_of_each_definition():
    lines = codebook_lines(THEMES + ["unknown"])
    assert lines["digital_divide"][0] == "Digital divide"
    assert lines["digital_divide"][1].startswith("Unequal access to digital technology")
    assert all(len(line) <= 200 for _, line in lines.values())
    assert lines["unknown"] == ("unknown", "")


# --- the widget ------------------------------------------------------------------------------


def test_labeller_builds_its_widgets_and_obeys_commands(session):
    ipywidgets = pytest.importorskip("ipywidgets")
    lab = Labeller(session)
    assert isinstance(lab.widget, ipywidgets.VBox)
    assert set(lab.buttons) == set(THEMES)
    assert "<mark" in lab.context.value and "unit 1 of" in lab.header.value
    assert "Digital divide" in lab.widget.children[2].children[2].value
    assert lab.bar.max == len(session) and lab.bar.value == 0
    assert lab.handle_command("101") == ""
    assert labels_of(on_disk(session), 0) == {"digital_divide": 1, "ai_safety": 0, "governance_deficit": 1}
    assert session.position == 1 and "unit 2 of" in lab.header.value and lab.bar.value == 1
    assert lab.handle_command("s") == "skipped"
    assert on_disk(session)["note"].iloc[1] == SKIPPED and session.position == 2
    lab.handle_command("b")
    assert session.position == 1
    lab.handle_command("n")
    assert session.position == 2
    message = lab.handle_command("10")  # one digit short: nothing happens
    assert "3 digits" in message and session.position == 2 and "3 digits" in lab.status.value
    assert "unknown command" in lab.handle_command("xyz")
    assert lab.handle_command(" 0, 0, 1 ") == "" and session.position == 3
    # the command box: typing and Enter (the value is cleared after)
    lab.command.value = "000"
    assert lab.command.value == "" and labels_of(on_disk(session), 3) == dict.fromkeys(THEMES, 0)
    # buttons: a click labels, a second click on the same value clears
    lab.buttons["ai_safety"][1].click()
    assert labels_of(on_disk(session), 4)["ai_safety"] == 1
    assert lab.buttons["ai_safety"][1].button_style == "success"
    lab.buttons["ai_safety"][1].click()
    assert labels_of(on_disk(session), 4)["ai_safety"] is None
    # the note box saves when it is left or Enter is pressed
    lab.note_box.value = "hard one"
    assert on_disk(session)["note"].iloc[4] == "hard one"
    lab.skip_button.click()
    assert on_disk(session)["note"].iloc[4] == f"{SKIPPED}; hard one" and session.position == 5
    lab.back_button.click()
    assert session.position == 4 and lab.note_box.value == "hard one"
    lab.next_button.click()
    assert session.position == 5 and lab.note_box.value == ""


def test_labeller_at_the_end(sample, demo_corpus, tmp_path):
    pytest.importorskip("ipywidgets")
    s = LabelSession.start(sample.head(2), tmp_path / "two.csv", corpus=demo_corpus)
    lab = Labeller(s)
    lab.handle_command("000")
    lab.handle_command("111")
    assert s.finished and "Every unit is labelled" in lab.header.value
    assert lab.next_button.disabled and not lab.back_button.disabled
    assert lab.handle_command("101") == "every unit is done"
    lab.back_button.click()
    assert s.position == 1 and not lab.next_button.disabled


# --- the notebook ------------------------------------------------------------------------------


def _run_notebook(tmp_path: Path, **parameters):
    import jupytext
    import nbformat
    import papermill

    nb = jupytext.read(ROOT / "notebooks" / "05-validate-dictionary.py")
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    assert nb.metadata["discourse"] == {"report": False}  # not a page of the report
    converted = tmp_path / "05.ipynb"
    nbformat.write(nb, converted)
    before = sorted(p.name for p in (ROOT / "notebooks").iterdir())
    papermill.execute_notebook(str(converted), str(tmp_path / "05-run.ipynb"), kernel_name="python3",
                               progress_bar=False, cwd=str(ROOT / "notebooks"), parameters=parameters)
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir()) == before
    done = nbformat.read(tmp_path / "05-run.ipynb", as_version=4)
    outputs = [o for c in done.cells for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    return outputs


def _html(outputs) -> str:
    return "".join(o.get("data", {}).get("text/html", "") + o.get("text", "") for o in outputs)


@pytest.mark.slow
def test_notebook_draws_a_sample_and_opens_the_labeller_headless(tmp_path):
    labels = tmp_path / "new" / "labels.csv"
    outputs = _run_notebook(tmp_path, labels_path=str(labels), n=20, seed=1)
    df = read_labels(labels)
    assert 15 <= len(df) <= 20 and df[[f"label_{t}" for t in THEMES]].isna().all().all()
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    text = _html(outputs)
    assert "wrote them to" in text and "No unit is labelled yet" in text


@pytest.mark.slow
def test_notebook_scores_the_labelled_units(sample, demo_corpus, tmp_path):
    s = LabelSession.start(sample, tmp_path / "labels.csv", corpus=demo_corpus)
    for i in range(len(s)):
        pred = {t: int(sample[f"pred_{t}"].iloc[i]) for t in THEMES}
        if i % 4 == 0:  # the dictionary is wrong now and then
            pred["digital_divide"] = 1 - pred["digital_divide"]
        s.label_all(pred)
    before = s.path.read_bytes()
    text = _html(_run_notebook(tmp_path, labels_path=str(s.path)))
    assert "Opened" in text and "Precision, recall and F1" in text
    assert "Raw and corrected shares" in text
    assert s.path.read_bytes() == before  # opening and scoring write nothing


@pytest.mark.slow
def test_notebook_in_a_report_build_creates_nothing(tmp_path):
    labels = tmp_path / "labels.csv"
    text = _html(_run_notebook(tmp_path, labels_path=str(labels), output_dir=str(tmp_path / "report")))
    assert not labels.exists() and not (tmp_path / "report").exists()
    assert "Run by the report build" in text and "No labels file" in text
