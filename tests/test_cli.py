"""The ``discourse`` command line: every subcommand, its exit status, outputs and errors.

A corpus of four talks whose theme counts are known by reading them (tokens counted by
hand) drives most tests; ``topics`` uses the demo corpus, ``report`` a one-cell notebook
(the real notebooks run from a wheel in tests/test_wheel.py).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from discourse import __version__
from discourse.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

TALKS = """\
doc_id,event,year,author,text
a1,Harbour Forum 2019,2019,Ada,"The digital divide is wide. We must close the digital divide in rural areas.

Cybersecurity matters too."
a2,Harbour Forum 2019,2019,Ben,"Rural schools lack broadband. The digital divide hurts children."
b1,Harbour Forum 2021,2021,Ada,"AI safety is now the priority. Frontier models need AI safety testing."
b2,Harbour Forum 2021,2021,Cy,"Data protection laws and AI safety institutes were discussed."
"""
# tokens: a1 14 + 3, a2 9, b1 12, b2 9 -> 2019: 26, 2021: 21
SUBCOMMANDS = ("info", "themes", "kwic", "topics", "report", "validate", "sample", "convert")


@pytest.fixture
def talks(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "talks.csv"
    path.write_text(TALKS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def test_every_subcommand_is_tested_here():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert tuple(sub.choices) == SUBCOMMANDS


def test_version_and_help_through_the_console_script():
    exe = Path(sys.executable).parent / "discourse"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True, timeout=60)
    assert (out.returncode, out.stdout.strip()) == (0, f"discourse {__version__}")
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert f"    {name} " in out.stdout, name


def test_no_subcommand_and_unknown_options_are_usage_errors(capsys):
    for argv in ([], ["frobnicate"], ["info"], ["topics", "x.csv"], ["themes", "x.csv", "--bogus"]):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 2, argv
        assert "usage: discourse" in capsys.readouterr().err


# --- errors on bad input: one line, the project's wording, status 2 -----------------


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        ("info", []),
        ("themes", []),
        ("kwic", ["digital_divide"]),
        ("topics", ["-o", "topics"]),
        ("report", ["-o", "rep"]),
        ("validate", []),
        ("sample", ["-o", "s.csv"]),
        ("convert", ["store"]),
    ],
)
def test_a_missing_source_is_one_clear_line_for_every_subcommand(
    command, extra, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert main([command, "nope.csv", *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"discourse {command}: error: nope.csv: the corpus source does not exist. "
        "Check the path (a folder, archive or table).\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing written


def test_bad_column_option_and_bad_dictionary(talks, tmp_path, capsys):
    assert main(["info", str(talks), "--column", "speaker"]) == 2
    assert capsys.readouterr().err == (
        "discourse info: error: --column 'speaker' is not of the form OURS=THEIRS. "
        "write e.g. --column speaker=author.\n"
    )
    assert main(["themes", str(talks), "-d", str(tmp_path / "none.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"discourse themes: error: {tmp_path / 'none.yaml'}")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_table_without_text_column_names_the_file(tmp_path, capsys):
    src = tmp_path / "notext.csv"
    src.write_text("doc_id,body\nx,hello there\n")
    assert main(["info", str(src)]) == 2
    assert capsys.readouterr().err == (
        f"discourse info: error: {src}, columns: doc_id, body: the table has no text column. "
        'Name the text column with columns={"text": "<column>"} (CLI: --text-column).\n'
    )


# --- info ---------------------------------------------------------------------------


def test_info(talks, capsys):
    assert main(["info", str(talks), "--column", "speaker=author"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"source:     {talks} (format csv)",
        "documents:  4 loaded, 0 skipped, 4 seen",
        "tokens:     47 (median 10 per document)",
        "events:     2: Harbour Forum 2019 (2), Harbour Forum 2021 (2)",
        "years:      2019-2021 (2 distinct; 0 documents without year)",
        "speakers:   3 distinct (0 documents without)",
        "languages:  en 4",  # issue 11: the language and encoding columns
        "encodings:  utf-8 4",
        "skipped:    0 file(s)/row(s)",
    ]


def test_info_text_column_option(tmp_path, capsys):
    src = tmp_path / "t.csv"
    src.write_text("doc_id,body\nx,one two three\ny,four\n")
    assert main(["info", str(src), "--text-column", "body"]) == 0
    out = capsys.readouterr().out
    assert "documents:  2 loaded, 0 skipped, 2 seen" in out
    assert "tokens:     4 (median 2 per document)" in out


# --- themes ---------------------------------------------------------------------------


def test_themes_counts_on_stdout(talks, capsys):
    assert main(["themes", str(talks)]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out)).set_index(["event", "theme"])
    dd = table.loc[("Harbour Forum 2019", "digital_divide")]
    # "digital divide" x3 and "schools lack broadband" (a pattern of the theme)
    assert (dd["n_docs"], dd["docs_with_theme"], dd["count"], dd["n_tokens"]) == (2, 2, 4, 26)
    assert dd["per_1k"] == pytest.approx(4 / 26 * 1000)
    assert dd["share_docs"] == 1.0
    ai = table.loc[("Harbour Forum 2021", "ai_safety")]
    assert (ai["docs_with_theme"], ai["count"], ai["n_tokens"]) == (2, 3, 21)
    assert table.loc[("Harbour Forum 2021", "digital_divide"), "count"] == 0
    assert (table["share_docs_low"] <= table["share_docs"]).all()
    assert (table["share_docs"] <= table["share_docs_high"]).all()


def test_themes_to_a_file_by_two_columns_is_deterministic(talks, tmp_path, capsys):
    out1, out2 = tmp_path / "a.csv", tmp_path / "b.csv"
    for out in (out1, out2):
        assert (
            main(["themes", str(talks), "--by", "event,author", "--seed", "3", "-o", str(out)]) == 0
        )
    err = capsys.readouterr().err
    n = len(pd.read_csv(out1))
    assert err.splitlines() == [f"wrote {n} rows to {out1}", f"wrote {n} rows to {out2}"]
    assert out1.read_bytes() == out2.read_bytes()
    table = pd.read_csv(out1)
    assert list(table.columns[:3]) == ["event", "author", "theme"]
    ada19 = table.query(
        "event == 'Harbour Forum 2019' and author == 'Ada' and theme == 'digital_divide'"
    )
    assert ada19[["n_docs", "count", "n_tokens"]].to_numpy().tolist() == [[1, 2, 17]]


def test_themes_to_parquet(talks, tmp_path):
    out = tmp_path / "sub" / "t.parquet"
    assert main(["themes", str(talks), "-o", str(out)]) == 0
    table = pd.read_parquet(out)
    assert table.loc[table["theme"] == "ai_safety", "count"].sum() == 3


# --- kwic ---------------------------------------------------------------------------


def test_kwic_pattern_lines(talks, capsys):
    assert main(["kwic", str(talks), "digital divide", "--window", "2"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "a1: ...The [digital divide] is wide...",
        "a1: ...close the [digital divide] in rural...",
        "a2: ...broadband. The [digital divide] hurts children...",
    ]


def test_kwic_limit_and_file(talks, tmp_path, capsys):
    assert main(["kwic", str(talks), "ai_safety", "--limit", "1"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1 and "[AI safety]" in captured.out
    assert captured.err == "(2 more; use -o FILE for all)\n"
    out = tmp_path / "k.csv"
    assert main(["kwic", str(talks), "ai_safety", "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert table["doc_id"].tolist() == ["b1", "b1", "b2"]
    # two patterns of the theme: "AI safety" and AI near a risk word (within 20 tokens)
    assert table["match"].tolist() == ["AI safety", "Frontier models need AI safety", "AI safety"]
    assert table[["start", "end"]].to_numpy().tolist() == [[0, 9], [31, 61], [25, 34]]


def test_kwic_no_match_is_not_an_error(talks, capsys):
    assert main(["kwic", str(talks), "zebra crossing"]) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "no match for 'zebra crossing'\n")


def test_kwic_theme_of_an_own_dictionary(talks, tmp_path, capsys):
    dic = tmp_path / "d.yaml"
    dic.write_text(
        "themes:\n  schooling:\n    label: Schooling\n    patterns: [school*, children]\n"
    )
    assert main(["kwic", str(talks), "schooling", "-d", str(dic), "--window", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "a2: ...Rural [schools] lack...",
        "a2: ...hurts [children] ...",
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes:\n  schooling:\n    patterns: [\n")
    assert main(["kwic", str(talks), "schooling", "-d", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"discourse kwic: error: {bad}, line ")
    assert err.count("\n") == 1


# --- topics ---------------------------------------------------------------------------


def test_topics_writes_its_tables(tmp_path, capsys):
    out = tmp_path / "topics"
    assert (
        main(["topics", str(DEMO), "-k", "3", "--unit", "document", "--seed", "1", "-o", str(out)])
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    written = sorted(Path(line.removeprefix("wrote ")).name for line in lines)
    assert all(line.startswith("wrote ") for line in lines)
    assert written == sorted(p.name for p in out.iterdir())
    top = pd.read_csv(out / "top_terms.csv")
    assert sorted(top["topic"].unique().tolist()) == [0, 1, 2]
    doc_topics = pd.read_csv(out / "doc_topics.csv")
    assert doc_topics["doc_id"].nunique() == len(list(DEMO.rglob("*.txt")))


# --- sample and validate ------------------------------------------------------------


def test_sample_then_validate(talks, tmp_path, capsys):
    sample = tmp_path / "s.csv"
    assert main(["sample", str(talks), "-n", "6", "--seed", "1", "-o", str(sample)]) == 0
    table = pd.read_csv(sample)
    err = capsys.readouterr().err
    assert err.startswith(
        f"wrote {len(table)} sentences to {sample}: label the columns label_digital_divide"
    )
    assert set(table["doc_id"]) <= {"a1", "a2", "b1", "b2"}
    # every unit is a sentence of its document, at its offsets
    texts = pd.read_csv(talks).set_index("doc_id")["text"]
    for row in table.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text

    # refuses to overwrite labels
    assert main(["sample", str(talks), "-o", str(sample)]) == 2
    assert capsys.readouterr().err == (
        f"discourse sample: error: {sample}: the output file exists (it may hold labels). "
        "choose another file with -o, or pass --force to replace it.\n"
    )

    # an unlabelled file is refused before the corpus is read
    assert main(["validate", str(talks), "--labels", str(sample)]) == 2
    assert capsys.readouterr().err == (
        f"discourse validate: error: {sample}: no unit of the file is labelled yet. "
        "Fill the label_<theme> columns with 1 (about the theme) or 0 (not).\n"
    )

    # label by reading: digital_divide where the sentence says so
    for theme, words in (
        ("digital_divide", ("digital divide", "broadband")),
        ("ai_safety", ("AI safety",)),
    ):
        table[f"label_{theme}"] = table["text"].map(lambda t, w=words: int(any(x in t for x in w)))
    table["label_governance_deficit"] = 0
    table.to_csv(sample, index=False)
    scores = tmp_path / "scores.csv"
    assert (
        main(["validate", str(talks), "--labels", str(sample), "--n-boot", "50", "-o", str(scores)])
        == 0
    )
    text = capsys.readouterr().out
    assert text.startswith("weighted (estimates for the corpus")
    got = pd.read_csv(scores).set_index("theme")
    for theme in ("digital_divide", "ai_safety"):
        positives = int(table[f"label_{theme}"].sum())
        assert got.loc[theme, "n"] == len(table)
        assert got.loc[theme, "positives"] == positives
        if positives:
            # the dictionary finds exactly these sentences: perfect unweighted scores
            assert got.loc[theme, "precision_unweighted"] == 1.0
            assert got.loc[theme, "recall_unweighted"] == 1.0


# --- report ---------------------------------------------------------------------------

NOTEBOOK = """\
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

docs = load_report_corpus(corpus, load_options, cache=corpus_cache, year_min=year_min, year_max=year_max)
out = ReportOutputs(output_dir, "01-count")
table = docs[["doc_id", "speaker", "year"]].sort_values("doc_id").reset_index(drop=True)
table["seed"] = seed
out.table(table, "docs", "Documents")
"""


@pytest.mark.slow
def test_report(talks, tmp_path, monkeypatch, capsys):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    (nbdir / "01-count.py").write_text(textwrap.dedent(NOTEBOOK))
    monkeypatch.setenv("DISCOURSE_NOTEBOOKS", str(nbdir))
    rep = tmp_path / "rep"
    argv = [
        "report",
        str(talks),
        "--column",
        "speaker=author",
        "--year-min",
        "2021",
        "--seed",
        "7",
        "-o",
        str(rep),
    ]
    assert main(argv) == 0
    assert capsys.readouterr().out == f"report ready: {rep / 'index.html'}\n"
    assert (rep / "index.html").is_file() and (rep / "01-count.html").is_file()
    table = pd.read_csv(rep / "tables" / "01-docs.csv")
    assert table.to_dict("list") == {
        "doc_id": ["b1", "b2"],
        "speaker": ["Ada", "Cy"],
        "year": [2021, 2021],
        "seed": [7, 7],
    }
    manifest = json.loads((rep / "manifest.json").read_text())
    assert manifest["seed"] == 7 and manifest["year_min"] == 2021
    assert manifest["load_options"]["columns"] == {"speaker": "author"}

    # a notebook that fails: status 2, the notebook named, the old report kept
    (nbdir / "02-broken.py").write_text("# %%\nraise RuntimeError('boom in the notebook')\n")
    assert main(["report", str(talks), "-o", str(rep)]) == 2
    err = capsys.readouterr().err
    head, sep, msg = err.partition("discourse report: error: ")
    assert sep, err
    # before the message only the progress bar over the notebooks
    assert all(part.startswith("report:") for part in head.replace("\r", "\n").split("\n") if part)
    assert "02-broken" in msg and "boom in the notebook" in msg
    assert "Traceback (most recent call last)" not in err
    assert pd.read_csv(rep / "tables" / "01-docs.csv")["seed"].tolist() == [7, 7]


# --- output to a closed pipe ----------------------------------------------------------


def test_output_into_a_closed_pipe_is_not_a_traceback(talks):
    exe = Path(sys.executable).parent / "discourse"
    proc = subprocess.Popen(
        [str(exe), "themes", str(DEMO), "--by", "doc_id"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    first = proc.stdout.readline()  # like `| head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert first.startswith(b"doc_id,theme,")
    assert "Traceback" not in err and "BrokenPipeError" not in err
    assert proc.returncode == 141  # 128 + SIGPIPE, as a shell reports `cmd | head`
