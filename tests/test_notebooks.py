"""Execute the report notebooks (notebooks/*.py) end to end.

One build of the whole report on the demo corpus is shared by several tests (a
module-scoped fixture); a second build checks that the CSV tables are byte-identical;
small hostile corpora check escaping and the notes on what could not be computed; a
slow test builds the report on the UN General Debate speeches from 2000 on.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from discourse.report import build_report, list_notebooks

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
NOTEBOOKS = ["01-corpus-overview", "02-theme-frequencies", "03-topic-models", "04-themes-across-events"]


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "report"
    build_report(DEMO, out, progress=False, seed=0)
    return out


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def items(manifest: dict, kind: str) -> list[dict]:
    return [it for nb in manifest["notebooks"] for it in nb["items"] if it["kind"] == kind]


def test_the_notebooks_are_the_four_of_the_report():
    assert [p.stem for p in list_notebooks()] == NOTEBOOKS
    for path in list_notebooks():
        text = path.read_text(encoding="utf-8")
        assert '# %% tags=["parameters"]' in text, path
        for name in ("corpus = ", "load_options = ", "output_dir = ", "seed = "):
            assert f"\n{name}" in text, (path, name)



# pandas operations that compute something: a notebook that needs one calls a package function instead
COMPUTING = re.compile(r"\.(groupby|isin|merge|pivot|pivot_table|agg|apply|drop|assign|query|nunique|value_counts|"
                       r"sort_values|notna|isna|any|all|sum|mean)\(|\[\[|\]\[")


def test_the_notebooks_hold_calls_not_computations():
    """Notebooks never compute what the package should (issue 12): no pandas logic in their code."""
    import jupytext

    for path in list_notebooks():
        nb = jupytext.read(path)
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            for line in cell.source.splitlines():
                code = line.split("#", 1)[0]
                assert not COMPUTING.search(code), f"{path.name}: {line.strip()}"
    assert COMPUTING.search('first = samples.groupby("theme", sort=False).head(1)')
    assert COMPUTING.search('track[track["change"].isin(["rise", "fall"])]')
    assert not COMPUTING.search("freq = in_event_order(theme_frequencies(docs, dic, by=\"event\"), docs)")

def test_demo_report_has_every_notebook_figure_and_table(demo_report):
    manifest = manifest_of(demo_report)
    assert [nb["name"] for nb in manifest["notebooks"]] == NOTEBOOKS
    index = (demo_report / "index.html").read_text(encoding="utf-8")
    for nb in manifest["notebooks"]:
        assert (demo_report / nb["html"]).stat().st_size > 10_000
        assert (demo_report / nb["ipynb"]).is_file()
        assert f'href="{nb["html"]}"' in index
    figures, tables = items(manifest, "figure"), items(manifest, "table")
    assert len(figures) >= 8 and len(tables) >= 12
    for it in figures:
        data = (demo_report / it["path"]).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000, it["path"]
        assert f'src="{it["path"]}"' in index
    for it in tables:
        table = pd.read_csv(demo_report / it["path"])
        assert list(table.columns) == it["columns"]
        assert f'href="{it["path"]}"' in index
    on_disk = {p.relative_to(demo_report).as_posix() for p in demo_report.glob("*/*.*")}
    listed = {it["path"] for it in figures + tables} | {nb["ipynb"] for nb in manifest["notebooks"]}
    assert on_disk == listed
    # the demo corpus allows everything: nothing was left uncomputed
    assert items(manifest, "note") == []


def test_demo_report_corpus_overview(demo_report):
    """Issue 2's done means: documents and tokens per event and per year, as CSV and PNG."""
    events = pd.read_csv(demo_report / "tables" / "01-events.csv")
    assert {"event", "event_series", "year", "n_docs", "n_tokens"} <= set(events.columns)
    assert len(events) >= 8 and events["n_docs"].sum() >= 40
    years = pd.read_csv(demo_report / "tables" / "01-docs-tokens-per-year.csv")
    assert years["n_docs"].sum() == events["n_docs"].sum()
    assert years["year"].nunique() >= 5
    for name in ("01-docs-tokens-per-event.png", "01-docs-tokens-per-year.png"):
        assert (demo_report / "figures" / name).is_file()


def test_demo_report_manifest(demo_report):
    manifest = manifest_of(demo_report)
    assert manifest["generator"] == "discourse report"
    assert manifest["seed"] == 0
    assert manifest["corpus"]["n_docs"] >= 40
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["corpus"]["fingerprint"])
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["dictionary"]["fingerprint"])
    assert "ai_safety" in manifest["dictionary"]["themes"]
    params = manifest["parameters"]
    assert params["n_boot"] >= 200 and params["topic_candidates"]
    for name in ("discourse", "pandas", "numpy", "scikit-learn", "matplotlib", "nltk", "python"):
        assert manifest["versions"][name]


def test_demo_report_words_findings_from_numbers(demo_report):
    page = (demo_report / "04-themes-across-events.html").read_text(encoding="utf-8")
    tracking = pd.read_csv(demo_report / "tables" / "04-theme-tracking.csv")
    significant = tracking[tracking["change_per_1k"].isin(["rise", "fall"])]
    if significant.empty:
        assert "No theme changed significantly" in page
    else:
        row = significant.loc[significant["per_1k_change"].abs().idxmax()]
        verb = "rose" if row["per_1k_change"] > 0 else "fell"
        assert f"between {row['prev_event']} and {row['event']}" in page
        assert f" {verb} from " in page
    assert "load_report_corpus" not in page  # code hidden


def test_demo_report_kwic_samples_are_escaped_html(demo_report):
    samples = pd.read_csv(demo_report / "tables" / "02-kwic-samples.csv")
    assert len(samples) > 0 and {"theme", "doc_id", "left", "match", "right"} <= set(samples.columns)
    assert samples.groupby("theme").size().max() <= 5


def test_demo_report_tables_are_byte_identical_across_runs(demo_report, tmp_path):
    again = tmp_path / "again"
    build_report(DEMO, again, progress=False, seed=0)
    # same input: if the corpus or dictionary was edited in between, the test says so
    assert manifest_of(again)["corpus"] == manifest_of(demo_report)["corpus"]
    assert manifest_of(again)["dictionary"] == manifest_of(demo_report)["dictionary"]
    first = sorted(p.relative_to(demo_report) for p in (demo_report / "tables").glob("*.csv"))
    second = sorted(p.relative_to(again) for p in (again / "tables").glob("*.csv"))
    assert first == second and first
    for rel in first:
        assert (demo_report / rel).read_bytes() == (again / rel).read_bytes(), rel


# --- small and hostile corpora ------------------------------------------------------------


def _csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


HOSTILE = dict(
    title="Opening <script>alert(1)</script> of the forum",
    speaker="<b>Eve</b> <script>alert('speaker')</script>",
    text=(
        "We must close the digital divide <script>alert(2)</script> now. "
        "<b>AI safety</b> and cybersecurity need multilateral cooperation. " * 6
    ),
)


def _assert_escaped(folder: Path) -> None:
    pages = sorted(folder.glob("*.html"))
    assert len(pages) == len(NOTEBOOKS) + 1
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<script>\s*alert", text, re.IGNORECASE), page.name
        assert "<b>Eve" not in text and "<b>AI safety" not in text, page.name


def test_one_document_report_says_what_could_not_be_computed(tmp_path):
    source = _csv(tmp_path / "one.csv", [{"doc_id": "only", "event": "Forum 2021", "year": 2021, **HOSTILE}])
    out = tmp_path / "report"
    build_report(source, out, progress=False)
    manifest = manifest_of(out)
    notes = {it["name"]: it["caption"] for it in items(manifest, "note")}
    assert "Changes between events" in notes
    assert any("topic" in name.lower() for name in notes), notes
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Not computed: Changes between events" in index
    page = (out / "04-themes-across-events.html").read_text(encoding="utf-8")
    assert "Not computed: Changes between events" in page
    _assert_escaped(out)


def test_one_event_report(tmp_path):
    rows = [
        {"doc_id": f"d{i}", "event": "Forum 2022", "year": 2022, **HOSTILE, "text": HOSTILE["text"] + f" Speech number {i}."}
        for i in range(3)
    ]
    out = tmp_path / "report"
    build_report(_csv(tmp_path / "event.csv", rows), out, progress=False)
    notes = {it["name"] for it in items(manifest_of(out), "note")}
    assert "Changes between events" in notes
    assert pd.read_csv(out / "tables" / "02-theme-frequencies-by-event.csv")["event"].unique().tolist() == ["Forum 2022"]
    _assert_escaped(out)


# --- the real corpus ------------------------------------------------------------------------


@pytest.mark.slow
def test_report_on_un_general_debate_from_2000(ungdc_corpus, tmp_path):
    """The whole report on UN speeches from 2000 on (the corpus loaded once per session)."""
    out = tmp_path / "report"
    light = {
        "n_boot": 50,
        "n_perm": 50,
        "topic_candidates": [8, 12],
        "selection_max_docs": 300,
        "n_topics": 12,
        "kwic_per_theme": 3,
    }
    n_before = len(ungdc_corpus)
    build_report(ungdc_corpus, out, progress=False, year_min=2000, parameters=light)
    assert len(ungdc_corpus) == n_before  # the shared corpus is not modified
    manifest = manifest_of(out)
    assert manifest["year_min"] == 2000
    assert 4000 < manifest["corpus"]["n_docs"] < 5000
    events = pd.read_csv(out / "tables" / "01-events.csv")
    assert events["year"].min() == 2000 and events["year"].max() == 2024
    tracking = pd.read_csv(out / "tables" / "04-theme-tracking.csv")
    tracking = tracking.merge(events[["event", "year"]], on="event", how="left")
    ai = tracking[tracking["theme"] == "ai_safety"].set_index("year")["per_1k"]
    assert ai.loc[[2023, 2024]].min() > ai.loc[2000:2016].max()
    assert len(items(manifest, "figure")) >= 8


def test_a_notebook_runs_by_hand_with_its_defaults(tmp_path):
    """As in JupyterLab: defaults of the parameters cell, run from notebooks/, nothing written."""
    import jupytext
    import nbformat
    import papermill

    source = ROOT / "notebooks" / "01-corpus-overview.py"
    nb = jupytext.read(source)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"  # paired
    converted = tmp_path / "01.ipynb"
    nbformat.write(nb, converted)
    before = sorted(p.name for p in (ROOT / "notebooks").iterdir())
    papermill.execute_notebook(str(converted), str(tmp_path / "01-run.ipynb"), kernel_name="python3",
                               progress_bar=False, cwd=str(ROOT / "notebooks"))
    done = nbformat.read(tmp_path / "01-run.ipynb", as_version=4)
    html_out = "".join(o.get("data", {}).get("text/html", "") for c in done.cells for o in c.get("outputs", []))
    assert "documents (" in html_out and "events" in html_out
    assert sorted(p.name for p in (ROOT / "notebooks").iterdir()) == before


def test_demo_report_shows_the_chinese_articles_and_says_how_languages_are_counted(demo_report):
    """Issue 11 (items 2, 6, 9): documents per language, a Chinese KWIC, and the notes on rates."""
    han = re.compile("[\u4e00-\u9fff]")
    langs = pd.read_csv(demo_report / "tables" / "01-docs-per-language.csv").set_index("language")["n_docs"]
    assert langs["zh"] == 12 and langs["mixed"] == 4 and langs["en"] >= 40
    overview = (demo_report / "01-corpus-overview.html").read_text(encoding="utf-8")
    assert f"By language: {langs['en']} documents in English, 12 in Chinese, 4 bilingual." in overview
    listing = pd.read_csv(demo_report / "tables" / "01-documents.csv")
    assert listing["title"].astype(str).str.contains(han).sum() >= 12  # Chinese text in a table
    zh_kwic = pd.read_csv(demo_report / "tables" / "02-kwic-samples-zh.csv")
    assert zh_kwic["match"].astype(str).str.contains(han).any()
    note = "Rates per 1,000 words: English words and Chinese segmented words"
    for page in ("02-theme-frequencies.html", "04-themes-across-events.html"):
        assert note in (demo_report / page).read_text(encoding="utf-8"), page
    captions = [it["caption"] for it in items(manifest_of(demo_report), "figure") if "heatmap-per-1k" in it["path"]]
    assert captions and all(note in c for c in captions)
    freq = pd.read_csv(demo_report / "tables" / "02-theme-frequencies-by-event.csv")
    assert (freq["n_docs_other_language"] == 0).all()  # the built-in dictionary speaks English and Chinese
    assert "One topic model is fitted on the documents of every language" in (
        demo_report / "03-topic-models.html").read_text(encoding="utf-8")


def test_demo_report_draws_chinese_in_charts_without_font_warnings(demo_report):
    """Issue 11 (item 8): no kernel warned of a missing glyph or font (the executed
    notebooks keep the kernels' stderr), though the charts have Chinese labels."""
    for nb in manifest_of(demo_report)["notebooks"]:
        text = (demo_report / nb["ipynb"]).read_text(encoding="utf-8")
        assert not re.search(r"Glyph \d+|missing from font|findfont", text), nb["ipynb"]
    topics = pd.read_csv(demo_report / "tables" / "03-topics.csv")  # the heatmap's row labels
    assert topics.astype(str).apply(lambda c: c.str.contains("[\u4e00-\u9fff]")).to_numpy().any()
