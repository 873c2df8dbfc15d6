"""Tests of the report machinery (discourse.report) with small notebooks of tests/fixtures.

The real notebooks are executed in tests/test_notebooks.py; here a one-cell "echo"
notebook and a deliberately failing one check execution, HTML, figures, tables, the
index, the manifest, escaping and the atomic replace, in a few seconds each.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from discourse.errors import ReportError, TopicModelError
from discourse.report import (
    ReportOutputs,
    build_report,
    corpus_fingerprint,
    documents_by,
    headline_findings,
    report_parameters,
    skipped_table,
)

FIXTURE_NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "report_notebooks"
ECHO = FIXTURE_NOTEBOOKS / "01-echo.py"
FAILS = FIXTURE_NOTEBOOKS / "02-fails.py"

HOSTILE_TITLE = "Summit <script>alert(1)</script> opens"
HOSTILE_SPEAKER = "<b>Mallory</b> <script>alert('x')</script>"
HOSTILE_TEXT = "The digital divide <b>widens <script>alert(2)</script> and AI safety matters."


def write_csv_corpus(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _hostile_rows() -> list[dict]:
    return [
        {"doc_id": "d1", "title": HOSTILE_TITLE, "speaker": HOSTILE_SPEAKER, "event": "Forum 2020",
         "year": 2020, "text": HOSTILE_TEXT},
        {"doc_id": "d2", "title": "Plain title", "speaker": "Ann Example", "event": "Forum 2021",
         "year": 2021, "text": "Cybersecurity and data protection were discussed at length."},
    ]


@pytest.fixture
def hostile_csv(tmp_path) -> Path:
    return write_csv_corpus(tmp_path / "corpus.csv", _hostile_rows())


@pytest.fixture(scope="module")
def echo_report(tmp_path_factory) -> Path:
    """One build of the echo notebook on the hostile corpus, shared (read-only!)."""
    folder = tmp_path_factory.mktemp("echo")
    source = write_csv_corpus(folder / "corpus.csv", _hostile_rows())
    out = folder / "report"
    index = build_report(source, out, notebooks=[ECHO], progress=False, seed=3)
    assert index == out.resolve() / "index.html"
    return out


def copy_of(report: Path, dest: Path) -> Path:
    shutil.copytree(report, dest)
    return dest


def html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def assert_no_unescaped_script(folder: Path) -> None:
    files = html_files(folder)
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<script>\s*alert", text, re.IGNORECASE), path
        assert "<b>Mallory" not in text, path
        assert "<b>widens" not in text, path


def test_echo_report_files_index_and_manifest(echo_report):
    out = echo_report
    index = out / "index.html"
    assert (out / "01-echo.html").is_file()
    assert (out / "notebooks" / "01-echo.ipynb").is_file()
    png = out / "figures" / "01-lengths.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    table = pd.read_csv(out / "tables" / "01-documents.csv")
    assert list(table["doc_id"]) == ["d1", "d2"]
    assert table.loc[0, "title"] == HOSTILE_TITLE  # CSV keeps the text as it is

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["generator"] == "discourse report"
    assert manifest["seed"] == 3
    assert manifest["corpus"]["n_docs"] == 2
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["corpus"]["fingerprint"])
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["dictionary"]["fingerprint"])
    for name in ("python", "discourse", "pandas", "numpy", "scikit-learn", "matplotlib", "nltk"):
        assert manifest["versions"][name]
    assert manifest["created"]
    (nb,) = manifest["notebooks"]
    assert nb["title"] == "Echo"
    kinds = sorted((it["kind"], it["name"]) for it in nb["items"])
    assert kinds == [("figure", "lengths"), ("findings", "Findings <i>about</i> titles"),
                     ("note", "Something impossible"), ("table", "documents")]

    index_html = index.read_text()
    for link in ("01-echo.html", "figures/01-lengths.png", "tables/01-documents.csv", "manifest.json",
                 "notebooks/01-echo.ipynb"):
        assert f'"{link}"' in index_html
    assert "Not computed: Something impossible" in index_html
    assert "<li>The first title is Summit &lt;script&gt;alert(1)&lt;/script&gt; opens</li>" in index_html
    assert "<h3>Findings &lt;i&gt;about&lt;/i&gt; titles</h3>" in index_html
    # the note is also in the notebook's HTML, and code is hidden by default
    page = (out / "01-echo.html").read_text()
    assert "this corpus is too small for it" in page
    assert "load_report_corpus(" not in page
    # no work files left behind, next to or inside the report
    assert not list(out.glob("_work")) and not list(out.glob(".report-items*"))
    assert sorted(p.name for p in out.parent.iterdir()) == ["corpus.csv", "report"]


def test_escaping_of_titles_speakers_and_text(echo_report):
    out = echo_report
    assert_no_unescaped_script(out)
    page = (out / "01-echo.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, escaped


def test_show_code(tmp_path, hostile_csv):
    out = tmp_path / "report"
    build_report(hostile_csv, out, notebooks=[ECHO], progress=False, show_code=True)
    assert "load_report_corpus" in (out / "01-echo.html").read_text()


def test_failing_notebook_names_cell_and_keeps_previous_report(tmp_path, hostile_csv, echo_report):
    out = copy_of(echo_report, tmp_path / "report")
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with pytest.raises(ReportError) as info:
        build_report(hostile_csv, out, notebooks=[ECHO, FAILS], progress=False)
    message = str(info.value)
    assert "02-fails.py" in message
    assert "RuntimeError" in message and "deliberate failure for the test" in message
    assert 'raise RuntimeError("deliberate failure for the test")' in message  # the failing cell
    assert info.value.ename == "RuntimeError"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failing_first_build_leaves_nothing(tmp_path, hostile_csv):
    out = tmp_path / "report"
    with pytest.raises(ReportError, match="deliberate failure"):
        build_report(hostile_csv, out, notebooks=[FAILS], progress=False)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.csv"]


def test_replaces_previous_report_and_keeps_gitkeep(tmp_path, hostile_csv, echo_report):
    out = copy_of(echo_report, tmp_path / "report")
    (out / ".gitkeep").write_text("")
    (out / "stale.txt").write_text("from an older report")
    build_report(hostile_csv, out, notebooks=[ECHO], progress=False)
    assert (out / ".gitkeep").exists()
    assert not (out / "stale.txt").exists()


def test_refuses_to_replace_a_folder_that_is_not_a_report(tmp_path, hostile_csv):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(ReportError, match="not a discourse report"):
        build_report(hostile_csv, out, notebooks=[ECHO], progress=False)
    assert (out / "thesis.docx").read_text() == "precious"


def test_report_from_a_dataframe(tmp_path):
    corpus = pd.DataFrame(_hostile_rows())
    out = tmp_path / "report"
    build_report(corpus, out, notebooks=[ECHO], progress=False)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == "DataFrame of 2 documents"
    assert list(pd.read_csv(out / "tables" / "01-documents.csv")["doc_id"]) == ["d1", "d2"]
    with pytest.raises(ReportError, match="no column 'text'"):
        build_report(corpus.drop(columns="text"), tmp_path / "x", notebooks=[ECHO], progress=False)


def test_bad_corpus_fails_before_running_anything(tmp_path):
    from discourse.errors import CorpusError

    with pytest.raises(CorpusError):
        build_report(tmp_path / "missing.csv", tmp_path / "out", notebooks=[ECHO], progress=False)
    assert not (tmp_path / "out").exists()


def test_year_filter(tmp_path, hostile_csv):
    out = tmp_path / "report"
    build_report(hostile_csv, out, notebooks=[ECHO], progress=False, year_min=2021)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["corpus"]["n_docs"] == 1 and manifest["year_min"] == 2021
    assert list(pd.read_csv(out / "tables" / "01-documents.csv")["doc_id"]) == ["d2"]
    with pytest.raises(ReportError, match="no document"):
        build_report(hostile_csv, tmp_path / "none", notebooks=[ECHO], progress=False, year_min=2030)


# --- helpers --------------------------------------------------------------------------


def test_corpus_fingerprint_ignores_row_order_and_metadata():
    a = pd.DataFrame({"doc_id": ["x", "y"], "text": ["one", "two"], "event": ["E", "F"]})
    b = a.iloc[::-1].assign(event="G")
    assert corpus_fingerprint(a) == corpus_fingerprint(b)
    assert corpus_fingerprint(a) != corpus_fingerprint(a.assign(text=["one", "two!"]))
    # id and text are delimited: moving characters between them changes the digest
    c = pd.DataFrame({"doc_id": ["xo", "y"], "text": ["ne", "two"]})
    assert corpus_fingerprint(a) != corpus_fingerprint(c)


def test_report_parameters_scale_with_corpus_size():
    small, large = report_parameters(50), report_parameters(11_000)
    assert small["topic_unit"] == "paragraph" and large["topic_unit"] == "document"
    assert large["selection_max_docs"] < 11_000
    assert small["selection_max_docs"] is None
    assert min(small["topic_candidates"]) < min(large["topic_candidates"])
    assert small["n_perm"] >= 1000  # enough for a change to survive the BH correction


def test_documents_by_counts_and_unknowns():
    corpus = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "text": ["one two", "three", "four five six"],
         "year": pd.array([2020, None, 2020], dtype="Int64"),
         "date": pd.to_datetime(["2020-01-02", None, "2020-01-01"])}
    )
    by_year = documents_by(corpus, "year")
    assert by_year.to_dict("list") == {
        "year": ["2020", "(unknown)"], "n_docs": [2, 1], "n_tokens": [5, 1],
        "share_docs": [2 / 3, 1 / 3],
    }
    listing = documents_by(corpus, None)
    assert list(listing["doc_id"]) == ["c", "a", "b"]
    assert list(listing["n_tokens"]) == [3, 2, 1]
    assert documents_by(corpus, "speaker").empty
    assert corpus.columns.tolist() == ["doc_id", "text", "year", "date"]  # not mutated


def test_skipped_table():
    table = skipped_table([{"path": "b.txt", "reason": "empty"}, {"path": "a.txt", "reason": "binary"}])
    assert table.to_dict("list") == {"path": ["a.txt", "b.txt"], "reason": ["binary", "empty"]}
    assert list(skipped_table([]).columns) == ["path", "reason"]


def test_report_outputs_without_folder_write_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = ReportOutputs(None, "05-x")
    out.table(pd.DataFrame({"a": [1]}), "t", show=False)
    with out.attempt("a step"):
        raise TopicModelError("cannot")
    assert out.notes == [{"what": "a step", "why": "cannot."}]
    for bug in (KeyError("bug"), ValueError("too many values to unpack")):
        with pytest.raises(type(bug)):
            with out.attempt("a bug"):
                raise bug
    assert list(tmp_path.iterdir()) == []


def test_report_outputs_tables_are_rounded_and_stable(tmp_path):
    out = ReportOutputs(tmp_path, "07-nb")
    df = pd.DataFrame({"x": [0.1 + 0.2, 1 / 3], "s": ["a", "b"]})
    out.table(df, "numbers", show=False)
    assert (tmp_path / "tables" / "07-numbers.csv").read_text() == "x,s\n0.3,a\n0.333333,b\n"


# --- headline findings ------------------------------------------------------------------


def _track_table():
    # the columns of discourse.tracking.track_themes (two events of one series, two themes)
    return pd.DataFrame(
        {
            "event": ["UNGA 77 (2022)", "UNGA 77 (2022)", "UNGA 78 (2023)", "UNGA 78 (2023)"],
            "event_series": ["UN General Debate"] * 4,
            "theme": ["ai_safety", "digital_divide", "ai_safety", "digital_divide"],
            "share_docs": [0.10, 0.50, 0.45, 0.48],
            "per_1k": [0.4, 1.0, 2.1, 0.95],
            "prev_event": [None, None, "UNGA 77 (2022)", "UNGA 77 (2022)"],
            "share_change": [None, None, 0.35, -0.02],
            "share_change_low": [None, None, 0.25, -0.1],
            "share_change_high": [None, None, 0.45, 0.06],
            "share_q": [None, None, 0.0004, 0.7],
            "per_1k_change": [None, None, 1.7, -0.05],
            "per_1k_change_low": [None, None, 1.2, -0.2],
            "per_1k_change_high": [None, None, 2.3, 0.1],
            "per_1k_q": [None, None, 0.002, 0.6],
            "change": ["", "", "rise", ""],
            "change_per_1k": ["", "", "rise", ""],
        }
    )


def test_headline_findings_words_the_numbers():
    track = _track_table()
    (sentence,) = headline_findings(track, labels={"ai_safety": "AI safety"})
    assert sentence == (
        "AI safety rose from 0.4 to 2.1 per 1,000 words between UNGA 77 (2022) and UNGA 78 (2023) "
        "(significant, q = 0.002; 95% interval of the change +1.2 to +2.3)."
    )
    (share,) = headline_findings(track, measure="share_docs")
    assert share.startswith("ai_safety rose from 10% to 45% of documents between")
    assert "q < 0.001" in share and "+25 points to +45 points" in share
    both = headline_findings(track, only_significant=False)
    assert len(both) == 2
    assert both[1].startswith("digital_divide fell from 1 to 0.95 per 1,000 words")
    assert "(not significant, q = 0.60;" in both[1]


def test_headline_findings_without_comparisons_or_changes():
    track = _track_table()
    assert headline_findings(track[track["event"] == "UNGA 77 (2022)"]) == []
    quiet = track.assign(change_per_1k="", change="")
    assert headline_findings(quiet) == []
    assert headline_findings(track, max_findings=0) == []
    with pytest.raises(ValueError, match="measure"):
        headline_findings(track, measure="bogus")


def test_kernel_runs_this_python_even_when_python3_points_elsewhere(tmp_path, monkeypatch):
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    from discourse.report import _kernel

    with _kernel(None, tmp_path / "a") as name:
        argv0 = KernelSpecManager().get_kernel_spec(name).argv[0]
        assert argv0 in ("python", "python3", sys.executable)
    other = tmp_path / "jupyter" / "kernels" / "python3"
    other.mkdir(parents=True)
    (other / "kernel.json").write_text(json.dumps(
        {"argv": ["/opt/elsewhere/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "elsewhere", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    with _kernel(None, tmp_path / "b") as name:
        assert name == "discourse-python"
        assert KernelSpecManager().get_kernel_spec(name).argv[0] == sys.executable
    assert json.loads((other / "kernel.json").read_text())["display_name"] == "elsewhere"
    with _kernel("my-kernel", tmp_path / "c") as name:
        assert name == "my-kernel"


def test_report_outputs_accepts_axes_figures_and_arrays(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = ReportOutputs(tmp_path, "09-figs")
    fig, axes = plt.subplots(1, 2)
    out.figure(axes, "array", show=False)
    fig, ax = plt.subplots()
    out.figure(ax, "axes", show=False)
    fig = plt.figure()
    out.figure(fig, "figure", show=False)
    assert sorted(p.name for p in (tmp_path / "figures").iterdir()) == ["09-array.png", "09-axes.png", "09-figure.png"]


def test_theme_groups_cover_the_dictionary_in_order_in_chart_sized_groups():
    from discourse.report import theme_groups
    from discourse.themes import default_dictionary

    dic = default_dictionary()
    groups = theme_groups(dic, max_size=7)
    assert [t for _, themes in groups for t in themes] == list(dic.theme_ids)
    assert all(1 <= len(themes) <= 7 for _, themes in groups)
    assert groups[0][0] == "Challenges" and "ai_safety" in groups[0][1]
    sizes = [len(themes) for title, themes in groups if title.startswith("Remedies")]
    assert max(sizes) - min(sizes) <= 1  # balanced, not 7 + 2


def test_kwic_samples_are_seeded_and_bounded():
    from discourse.report import kwic_samples
    from discourse.themes import default_dictionary

    corpus = pd.DataFrame(
        {"doc_id": [f"d{i}" for i in range(8)], "event": "E 2020",
         "text": [f"Talk {i}: the digital divide, then cybersecurity and the digital divide again." for i in range(8)]}
    )
    dic = default_dictionary()
    one = kwic_samples(corpus, dic, n_per_theme=3, seed=1)
    assert one.equals(kwic_samples(corpus, dic, n_per_theme=3, seed=1))
    assert set(one["theme"]) == {"digital_divide", "cybersecurity"}
    assert one.groupby("theme").size().max() == 3
    assert one.groupby("theme")["doc_id"].nunique().max() == 3  # one line per document
    assert {"left", "match", "right", "event"} <= set(one.columns)
    assert kwic_samples(corpus.assign(text="nothing here"), dic).empty
