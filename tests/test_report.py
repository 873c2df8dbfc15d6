"""Tests of the report machinery (discourse.report) with small notebooks of tests/fixtures.

The real notebooks are executed in tests/test_notebooks.py; here a one-cell "echo"
notebook and a deliberately failing one check execution, HTML, figures, tables, the
index, the manifest, escaping and the atomic replace, in a few seconds each. The
package functions the notebooks call (moved out of the report into corpus, themes,
topics and tracking) are checked on values at the end.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from discourse.errors import NotComputable, ReportError, TopicModelError
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
        raise NotComputable("cannot")
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

    from discourse.report.build import _kernel

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



# --- what can and cannot be computed ----------------------------------------------------------


def test_attempt_notes_only_what_cannot_be_computed(tmp_path):
    from discourse.errors import CorpusError, TooFewGroups, TooFewUnits
    from discourse.report import is_not_computable

    out = ReportOutputs(None, "06-x")
    with out.attempt("needs two events"):
        raise NotComputable("the corpus has one event", hint="add another")
    with out.attempt("topics"):
        raise TooFewUnits("only 1 paragraph contains vocabulary terms, fewer than n_topics=4", item="corpus")
    with out.attempt("distinctive terms"):
        raise TooFewGroups('distinctive terms need at least two groups to compare, and the corpus has 1 by "event"')
    # they stay the analysis modules' own error types for callers outside a report
    assert isinstance(TooFewUnits("x"), TopicModelError) and isinstance(TooFewGroups("x"), CorpusError)
    assert [n["what"] for n in out.notes] == ["needs two events", "topics", "distinctive terms"]
    assert out.notes[0]["why"] == "the corpus has one event. add another."
    # a misspelt column, a bad option or a bug is not "cannot be computed": it fails the build
    misspelt = CorpusError("no column 'evnt' in the corpus (columns: doc_id, text)")
    bad_option = TopicModelError("method='nfm' is not valid", item="TopicModel")
    for err in (misspelt, bad_option, KeyError("evnt")):
        assert not is_not_computable(err)
        with pytest.raises(type(err)):
            with out.attempt("a bug"):
                raise err
    assert len(out.notes) == 3


def test_a_misspelt_column_in_a_notebook_fails_the_build(tmp_path, hostile_csv):
    notebook = tmp_path / "01-misspelt.py"
    notebook.write_text(
        """# %% [markdown]
# # Misspelt

# %% tags=["parameters"]
corpus = None
load_options = {}
output_dir = None
corpus_cache = None
year_min = None
year_max = None
seed = 0

# %%
from discourse.report import ReportOutputs, load_report_corpus
from discourse.themes import theme_frequencies

docs = load_report_corpus(corpus, load_options, cache=corpus_cache)
out = ReportOutputs(output_dir, "01-misspelt")
with out.attempt("Frequencies by event"):
    out.table(theme_frequencies(docs, by="evnt", n_boot=0), "freq")
""",
        encoding="utf-8",
    )
    out = tmp_path / "report"
    with pytest.raises(ReportError) as info:
        build_report(hostile_csv, out, notebooks=[notebook], progress=False)
    assert "01-misspelt.py" in str(info.value) and info.value.ename == "CorpusError"
    assert "no column 'evnt'" in info.value.evalue
    assert not out.exists()


# --- the package functions the notebooks call ---------------------------------------------------


def test_the_report_still_offers_every_name_it_offered():
    import discourse.report as report

    for name in ["build_report", "report_parameters", "corpus_fingerprint", "load_report_corpus", "list_notebooks",
                 "notebooks_dir", "ReportOutputs", "show_table", "show_text", "show_list", "headline_findings",
                 "documents_by", "skipped_table", "corpus_description", "dictionary_table", "theme_labels",
                 "kwic_samples", "theme_groups", "facet", "topics_table", "last_groups", "validity_table",
                 "validity_findings", "validity_caveats", "corrected_shares", "UNKNOWN", "VALIDITY_SHOWN",
                 "GENERATOR", "NOT_COMPUTABLE"]:
        assert callable(getattr(report, name)) or name.isupper(), name
    from discourse.corpus import documents_by as corpus_documents_by
    from discourse.themes import kwic_samples as themes_kwic_samples
    from discourse.topics import topics_table as topics_topics_table

    assert report.documents_by is corpus_documents_by  # one implementation, re-exported
    assert report.kwic_samples is themes_kwic_samples
    assert report.topics_table is topics_topics_table
    # derived from what theme_frequencies returns (by event, as in track_themes tables)
    assert report.FREQUENCY_COLUMNS == [
        "event", "event_series", "scope", "theme", "n_docs", "n_docs_other_language", "docs_with_theme", "share_docs",
        "share_docs_low", "share_docs_high", "count", "n_tokens", "per_1k", "per_1k_low", "per_1k_high"]


def test_filled_columns_and_skipped_files():
    from discourse.corpus import UNKNOWN, filled_columns

    listing = pd.DataFrame({"doc_id": ["a", "b"], "speaker": [None, "Ann"], "country": [" ", UNKNOWN],
                            "source": [None, None]})
    assert filled_columns(listing, ["speaker", "organisation", "country", "source"]) == ["speaker"]
    table = skipped_table([ReportError("the file is empty", path="b.txt", hint="remove it"),
                           {"path": "a.txt", "reason": "binary", "line": 3}])
    assert table.columns.tolist() == ["path", "reason", "line", "hint"]  # empty fields (row, item) left out
    assert table[["path", "reason"]].values.tolist() == [["a.txt", "binary"], ["b.txt", "the file is empty"]]
    assert table["line"].iloc[0] == 3 and pd.isna(table["line"].iloc[1])
    assert pd.isna(table["hint"].iloc[0]) and table["hint"].iloc[1] == "remove it"


def _small_events_corpus() -> pd.DataFrame:
    text = "The digital divide is wide. Cybersecurity matters. "
    rows = []
    for i, (event, series, year) in enumerate([("B 2021", "Forum", 2021), ("A 2022", "Forum", 2022),
                                               ("C 2020", "Summit", 2020), ("B 2021", "Forum", 2021)]):
        rows.append({"doc_id": f"d{i}", "event": event, "event_series": series, "year": year,
                     "text": text * (i + 1) + ("The digital divide again." if i == 1 else "")})
    return pd.DataFrame(rows)


def test_in_event_order_gives_the_rows_of_track_themes():
    from discourse.themes import default_dictionary, overall_frequencies, theme_frequencies
    from discourse.tracking import in_event_order, track_themes

    corpus = _small_events_corpus()
    before = corpus.copy()
    dic = default_dictionary()
    ordered = in_event_order(theme_frequencies(corpus, dic, by="event", n_boot=50, seed=2), corpus)
    track = track_themes(corpus, dic, by="event", n_boot=50, n_perm=0, seed=2)
    assert list(dict.fromkeys(ordered["event"])) == ["C 2020", "B 2021", "A 2022"]  # time order, not names
    assert ordered.loc[ordered["event"] == "C 2020", "event_series"].unique().tolist() == ["Summit"]
    pd.testing.assert_frame_equal(ordered, track[list(ordered.columns)], check_dtype=False)
    divide = ordered[ordered["theme"] == "digital_divide"].set_index("event")
    assert divide.loc["B 2021", "n_docs"] == 2 and divide.loc["B 2021", "count"] == 1 + 4
    assert divide.loc["A 2022", "count"] == 3  # two sentences and "again"
    corpus_total = overall_frequencies(corpus, dic, n_boot=0)
    assert corpus_total["scope"].unique().tolist() == ["all documents"]
    assert corpus_total.set_index("theme").loc["digital_divide", "count"] == divide["count"].sum()
    assert corpus_total.set_index("theme").loc["digital_divide", "n_docs"] == 4
    pd.testing.assert_frame_equal(corpus, before)  # never modified


def test_change_columns_comparisons_and_significant_changes():
    from discourse.tracking import change_columns, has_comparisons, significant_changes

    track = _track_table()
    assert change_columns(track) == {
        "measure": "per_1k", "by": "event", "prev": "prev_event", "item": "theme", "value": "per_1k",
        "change": "per_1k_change", "low": "per_1k_change_low", "high": "per_1k_change_high",
        "flag": "change_per_1k", "q": "per_1k_q"}
    assert change_columns(track, "share_docs")["q"] == "share_q"
    topics = pd.DataFrame(columns=["event", "topic", "prevalence", "prev_year"])
    assert change_columns(topics)["measure"] == "prevalence" and change_columns(topics)["by"] == "year"
    assert change_columns(topics)["item"] == "topic"
    with pytest.raises(ValueError, match="measure"):
        change_columns(track, "bogus")
    assert has_comparisons(track)
    assert not has_comparisons(track[track["event"] == "UNGA 77 (2022)"])
    changed = significant_changes(track.assign(change_per_1k=["", "", "", "fall"]))
    assert changed[["event", "theme"]].values.tolist() == [["UNGA 78 (2023)", "ai_safety"],
                                                          ["UNGA 78 (2023)", "digital_divide"]]
    assert significant_changes(track.assign(change="", change_per_1k="")).empty


def test_findings_about_selection_and_missing_comparisons():
    from types import SimpleNamespace

    from discourse.report import no_comparison_reason, selection_sentence

    sel = SimpleNamespace(n_topics=8, reason="Highest coherence among stable candidates.")
    assert selection_sentence(sel, sample=1500, n_docs=4000) == (
        "Recommended: 8 topics (on a random sample of 1,500 documents). Highest coherence among stable candidates.")
    assert selection_sentence(sel, sample=1500, n_docs=900) == (
        "Recommended: 8 topics. Highest coherence among stable candidates.")
    one = _track_table().iloc[:2]
    assert no_comparison_reason(one) == (
        "No event has a previous event in its series to be compared with (the corpus has 1 event(s)); "
        "add the events before or after to measure change")


def test_last_groups_skips_values_and_keeps_time_order():
    from discourse.report import last_groups

    table = pd.DataFrame({"event": ["A", "A", "B", "(no event)", "C"]})
    assert last_groups(table, "event", 2) == ["(no event)", "C"]
    assert last_groups(table, "event", 2, skip=["(no event)"]) == ["B", "C"]
    assert last_groups(table, "event", 0) == []


def test_theme_tables_of_the_default_dictionary():
    from discourse.themes import default_dictionary, dictionary_table, first_per_theme, theme_labels

    dic = default_dictionary()
    table = dictionary_table(dic)
    assert table["theme"].tolist() == list(dic.theme_ids)
    row = table.set_index("theme").loc["ai_safety"]
    theme = next(t for t in dic.themes if t.id == "ai_safety")
    assert row["label"] == theme_labels(dic)["ai_safety"] == theme.label == "AI safety and risk"
    assert row["parent"] == theme.parent == "challenges"
    assert row["n_patterns"] == len(theme.patterns) == len(row["patterns"].split(" | "))
    assert row["patterns"].split(" | ")[0] == theme.patterns[0]
    assert row["exclude"] == " | ".join(theme.exclude)
    samples = pd.DataFrame({"theme": ["b", "a", "b", "a"], "doc_id": ["1", "2", "3", "4"]})
    assert first_per_theme(samples)["doc_id"].tolist() == ["1", "2"]


def test_topics_and_selection_tables():
    from types import SimpleNamespace

    from discourse.topics import selection_table, topics_table

    class Model:
        def labels(self):
            return pd.DataFrame({"topic": [0, 1], "label": ["data / privacy", "ai / risk"], "guided": ["", ""],
                                 "prevalence": [0.6, 0.4]})

        def top_terms(self, n, by="weight"):
            terms = {"weight": [(0, 1, "data"), (0, 2, "privacy"), (1, 2, "risk"), (1, 1, "ai")],
                     "frex": [(0, 1, "privacy"), (1, 1, "risk")]}[by]
            return pd.DataFrame(terms, columns=["topic", "rank", "term"])

    table = topics_table(Model(), n_terms=2)
    assert table[["topic", "top_terms", "frex_terms"]].values.tolist() == [[0, "data, privacy", "privacy"],
                                                                           [1, "ai, risk", "risk"]]
    sel = SimpleNamespace(table=pd.DataFrame({"n_topics": [4, 6], "coherence": [0.1, 0.2], "fit_seconds": [1.0, 2.0]}))
    assert selection_table(sel).columns.tolist() == ["n_topics", "coherence"]
