"""The tables of formats and layouts: load_corpus and the command line read them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from discourse.cli import build_parser
from discourse.corpus import FORMATS, _ungdc, load_corpus
from discourse.corpus.readers import LAYOUTS, READERS, Layout, Reader, _detect_format
from discourse.errors import CorpusError

FIX = Path(__file__).resolve().parent / "fixtures" / "corpus"


def test_formats_are_the_table():
    assert FORMATS == ("auto", "folder", "articles", "text", "zip", "tar", "csv", "tsv", "jsonl", "parquet")
    assert FORMATS[1:] == tuple(READERS)
    assert all(name == r.name for name, r in READERS.items())
    assert all((r.members is None) != (r.rows is None) for r in READERS.values())
    assert [n for n, r in READERS.items() if r.is_table] == ["csv", "tsv", "jsonl", "parquet"]


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.zip", "zip"), ("a.TAR.GZ", "tar"), ("a.tar.bz2", "tar"), ("a.tgz", "tar"), ("a.tar", "tar"),
        ("a.csv", "csv"), ("a.tab", "tsv"), ("a.ndjson", "jsonl"), ("a.pq", "parquet"), ("a.txt", "text"),
    ],
)
def test_detected_by_the_endings_of_the_table(tmp_path, name, fmt):
    path = tmp_path / name
    path.write_bytes(b"")
    assert _detect_format(path) == fmt
    assert _detect_format(tmp_path) == "folder"


def test_unknown_ending_names_the_formats(tmp_path):
    path = tmp_path / "a.gz"
    path.write_bytes(b"x")
    with pytest.raises(CorpusError, match="Pass format= one of folder, articles, text, zip, tar, csv"):
        load_corpus(path)


def _subcommand(name):
    return build_parser()._subparsers._group_actions[0].choices[name]


def _format_choices(name="info"):
    return next(a for a in _subcommand(name)._actions if a.dest == "format").choices


@pytest.mark.parametrize("command", ["info", "themes", "topics", "report"])
def test_the_cli_offers_the_formats_of_the_table(command):
    assert _format_choices(command) == list(FORMATS)
    text = " ".join(_subcommand(command).format_help().split())
    assert "jsonl: JSON lines, one object per document" in text
    assert "UN General Debate: Session NN - YYYY/ISO_NN_YYYY.txt" in text


def test_a_format_is_one_entry(tmp_path, monkeypatch):
    """A new table format, registered once, is detected, listed and read like the others."""

    def read_json_array(path, collector):
        items = json.loads(path.read_text(encoding="utf-8"))
        header = sorted({k for it in items for k in it})
        return header, [(i, None, it) for i, it in enumerate(items, start=1)]

    monkeypatch.setitem(
        READERS, "jsonarray", Reader("jsonarray", "a JSON array of objects", (".json",), rows=read_json_array)
    )
    path = tmp_path / "talks.json"
    path.write_text(json.dumps([{"doc_id": "a", "text": "One talk.", "year": 2020},
                                {"doc_id": "b", "text": "Another talk."}]), encoding="utf-8")
    df = load_corpus(path)
    assert df.attrs["format"] == "jsonarray"
    assert df[["doc_id", "text"]].values.tolist() == [["a", "One talk."], ["b", "Another talk."]]
    assert df["year"].tolist()[0] == 2020
    assert load_corpus(path, format="jsonarray").equals(df)
    assert _format_choices() == [*FORMATS, "jsonarray"]


def test_a_layout_is_one_entry(tmp_path, monkeypatch):
    def fields(rel, data):
        name = rel.rsplit("/", 1)[-1]
        if not name.startswith("talk-"):
            return None
        return name[5:-4].upper(), {"event": "Talks", "speaker": (data or {}).get(name[5:-4])}

    monkeypatch.setitem(LAYOUTS, "talks", Layout(
        "talks", "talk-ID.txt", fields, companion="speakers.json",
        read_companion=lambda data, where: json.loads(data), companion_reason="speakers of the talks",
    ))
    (tmp_path / "talk-ab.txt").write_text("First talk.", encoding="utf-8")
    (tmp_path / "other.txt").write_text("Not a talk.", encoding="utf-8")
    (tmp_path / "speakers.json").write_text('{"ab": "Ada"}', encoding="utf-8")
    df = load_corpus(tmp_path).set_index("doc_id")
    assert df.loc["AB", ["event", "speaker"]].tolist() == ["Talks", "Ada"]
    assert df.loc["other", "event"] != "Talks"
    assert {r["reason"] for r in df.attrs["ignored"]} == {"speakers of the talks"}


def test_the_un_layout_lives_in_its_module():
    assert LAYOUTS["ungdc"].fields is _ungdc.document_fields
    doc_id, fields = _ungdc.document_fields(
        "x/Session 71 - 2016/ARG_71_2016.txt", {("ARG", 71): {"speaker": "A. B."}}
    )
    assert doc_id == "ARG_71_2016"
    assert fields == {
        "event": "UNGA 71 (2016)", "event_series": "UN General Debate", "session": 71, "year": 2016,
        "country": "ARG", "source": "UN General Debate Corpus", "speaker": "A. B.",
    }
    assert _ungdc.document_fields("x/Session 71/ARG_71_2016.txt") is None
    df = load_corpus(FIX / "ungdc_layout")
    assert df["doc_id"].tolist() == ["ARG_71_2016", "EU_79_2024", "FRA_79_2024"]
