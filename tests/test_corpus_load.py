"""load_corpus on small fixtures: every format, layout, option and bad-input case."""

from __future__ import annotations

import io
import logging
import shutil
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from discourse import CorpusError
from discourse.corpus import CORPUS_COLUMNS, corpus_summary, load_corpus

FIX = Path(__file__).resolve().parent / "fixtures" / "corpus"


def _check_contract(df: pd.DataFrame) -> None:
    assert list(df.columns[: len(CORPUS_COLUMNS)]) == CORPUS_COLUMNS
    assert df["doc_id"].is_unique
    assert str(df["year"].dtype) == "Int64"
    assert str(df["date"].dtype).startswith("datetime64")
    assert df.attrs["n_loaded"] + len(df.attrs["skipped"]) == df.attrs["n_seen"]
    assert len(df) == df.attrs["n_loaded"]


# --- scraped articles -------------------------------------------------------------------


def test_issue_example_loads_with_the_fields_shown():
    df = load_corpus(FIX / "articles")
    _check_contract(df)
    row = df.set_index("doc_id").loc["dfd-2021-opening"]
    assert row["title"] == "Forum chair opens 2021 Digital Futures Dialogue in Nairobi"
    assert row["source"] == "example-news.org"
    assert row["event"] == "Digital Futures Dialogue 2021"
    assert row["event_series"] == "Digital Futures Dialogue"
    assert row["year"] == 2021
    assert row["date"] == pd.Timestamp("2021-11-03")
    assert row["speaker"] == "Amina Otieno"
    assert row["organisation"] == "Digital Futures Network"
    # the title and site lines are not part of the text; wrapped lines are joined
    assert row["text"].startswith(
        "Amina Otieno, chair of the Digital Futures Network (DFN), opened the 2021 Digital Futures Dialogue"
    )
    assert "\n\n" in row["text"] and "Digital\nFutures" not in row["text"]


def test_articles_recursive_events_dates_speakers_and_sidecar():
    df = load_corpus(FIX / "articles").set_index("doc_id")
    assert list(df.index) == [
        "2023/mwc-shanghai-networks",
        "2023/wuzhen-preview",
        "dfd-2021-opening",
    ]
    mwc = df.loc["2023/mwc-shanghai-networks"]
    assert mwc["event"] == "MWC Shanghai 2023"  # named in the title
    assert mwc["event_series"] == "MWC Shanghai"
    assert (
        mwc["events_mentioned"]
        == "MWC Shanghai 2023; Internet Governance Forum 2019; WIC Wuzhen Summit 2023"
    )
    assert mwc["date"] == pd.Timestamp("2023-06-28")
    assert (mwc["speaker"], mwc["organisation"]) == ("Jonas Berg", "Nordlink Systems")
    wz = df.loc["2023/wuzhen-preview"]
    assert (
        wz["event"] == "World Internet Conference Wuzhen Summit 2022"
    )  # no event in the title: first in the text
    assert wz["organisation"] == "Lakeside Data Forum"
    # sidecar metadata.csv (auto-detected): adds a column, overrides a value, empty cells do not override
    assert wz["speaker"] == "Li Na (override)"
    assert wz["city"] == "Wuzhen" and df.loc["dfd-2021-opening", "city"] == "Nairobi"
    assert df.loc["dfd-2021-opening", "speaker"] == "Amina Otieno"
    assert pd.isna(mwc["city"])
    ignored = {Path(r["path"]).name: r["reason"] for r in df.attrs["ignored"]}
    assert ignored == {"metadata.csv": "sidecar metadata (used)"}


def test_explicit_sidecar_keyed_by_doc_id_and_unmatched_rows_reported(tmp_path, caplog):
    meta = tmp_path / "extra.csv"
    meta.write_text(
        "doc_id,event,region\ndfd-2021-opening,Renamed Event 2021,East Africa\nnot-a-doc,X,Y\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="discourse.corpus"):
        df = load_corpus(FIX / "articles", metadata=meta).set_index("doc_id")
    assert df.loc["dfd-2021-opening", "event"] == "Renamed Event 2021"
    assert df.loc["dfd-2021-opening", "region"] == "East Africa"
    assert df.attrs["metadata_unmatched"] == [{"row": 2, "key": "not-a-doc"}]
    assert [r["reason"] for r in df.attrs["ignored"]] == [
        "sidecar metadata (not used: metadata= was given)"
    ]
    assert "match no document" in caplog.text


def test_sidecar_without_key_column_or_with_repeated_key(tmp_path):
    bad = tmp_path / "m.csv"
    bad.write_text("name,city\na,b\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="no key column.*Add a doc_id or file column"):
        load_corpus(FIX / "articles", metadata=bad)
    bad.write_text("doc_id,city\na,b\na,c\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"m\.csv, row 2, doc_id: the key 'a' appears twice"):
        load_corpus(FIX / "articles", metadata=bad)


def test_format_folder_reads_plain_text_without_inference():
    df = load_corpus(FIX / "articles", format="folder", metadata=None).set_index("doc_id")
    row = df.loc["dfd-2021-opening"]
    assert pd.isna(row["title"]) and pd.isna(row["event"])
    assert row["text"].startswith("Forum chair opens")


def test_infer_true_fills_plain_files_and_infer_false_keeps_only_layout(tmp_path):
    (tmp_path / "a.txt").write_text(
        "At the 2019 Internet Governance Forum on November 26, delegates met.", encoding="utf-8"
    )
    df = load_corpus(tmp_path, infer=True)
    assert df.loc[0, "event"] == "Internet Governance Forum 2019"
    assert df.loc[0, "date"] == pd.Timestamp("2019-11-26")
    df = load_corpus(tmp_path)
    assert pd.isna(df.loc[0, "event"])


# --- layouts and filename patterns --------------------------------------------------------


def test_ungdc_layout_recognised_without_options():
    df = load_corpus(FIX / "ungdc_layout")
    _check_contract(df)
    assert list(df["doc_id"]) == ["ARG_71_2016", "EU_79_2024", "FRA_79_2024"]
    arg = df.iloc[0]
    assert arg["event"] == "UNGA 71 (2016)"
    assert arg["event_series"] == "UN General Debate"
    assert (arg["session"], arg["year"], arg["country"]) == (71, 2016, "ARG")
    assert df.iloc[1]["country"] == "EU"
    assert str(df["session"].dtype) == "Int64"
    # BOM and CRLF repaired; Markdown asterisks and paragraph numbers removed
    assert (
        df.iloc[1]["text"]
        == "The European Union calls for cooperation. Multilateral cooperation matters."
    )
    assert (
        df.iloc[2]["text"] == "France calls for multilateral cooperation.\n\nThe second paragraph."
    )
    # README and manifest are not documents: ignored and reported, not counted as seen
    assert df.attrs["n_seen"] == 3
    reasons = {Path(r["path"]).name: r["reason"] for r in df.attrs["ignored"]}
    assert reasons["README.txt"].startswith("documentation")
    assert reasons["manifest.csv"].startswith("not a document")


def test_filename_pattern_fields_become_columns():
    df = load_corpus(FIX / "patterned", filename_pattern="{country}_{session}_{year}.txt")
    assert list(df["country"]) == ["FRA", "KEN"]
    assert list(df["session"]) == [70, 71]
    assert list(df["year"]) == [2015, 2016]
    assert str(df["year"].dtype) == "Int64"


def test_filename_pattern_year_alone_and_without_extension(tmp_path):
    (tmp_path / "2019.txt").write_text("Text of 2019.", encoding="utf-8")
    (tmp_path / "2020.txt").write_text("Text of 2020.", encoding="utf-8")
    assert list(load_corpus(tmp_path, filename_pattern="{year}.txt")["year"]) == [2019, 2020]
    assert list(load_corpus(tmp_path, filename_pattern="{year}")["year"]) == [2019, 2020]


def test_filename_pattern_mismatch_raises_or_skips(tmp_path):
    (tmp_path / "FRA_70_2015.txt").write_text("ok", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("no match", encoding="utf-8")
    with pytest.raises(
        CorpusError, match=r"notes\.txt: the file name does not match filename_pattern"
    ):
        load_corpus(tmp_path, filename_pattern="{country}_{session}_{year}.txt")
    df = load_corpus(tmp_path, filename_pattern="{country}_{session}_{year}.txt", errors="skip")
    assert list(df["doc_id"]) == ["FRA_70_2015"]
    assert df.attrs["n_seen"] == 2 and len(df.attrs["skipped"]) == 1


def test_bad_filename_pattern():
    with pytest.raises(CorpusError, match="has no named"):
        load_corpus(FIX / "patterned", filename_pattern="plain.txt")
    with pytest.raises(CorpusError, match="repeats the field"):
        load_corpus(FIX / "patterned", filename_pattern="{a}_{a}.txt")


# --- archives -------------------------------------------------------------------------------


def _archive_source(root: Path) -> list[tuple[str, bytes]]:
    return [
        (p.relative_to(root).as_posix(), p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


def test_zip_read_in_place_same_as_folder(tmp_path):
    zpath = tmp_path / "corpus.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for name, data in _archive_source(FIX / "ungdc_layout"):
            zf.writestr("ungdc/" + name, data)
    from_zip = load_corpus(zpath)
    from_dir = load_corpus(FIX / "ungdc_layout")
    cols = [c for c in from_dir.columns if c != "path"]
    pd.testing.assert_frame_equal(from_zip[cols], from_dir[cols])
    assert from_zip["path"].iloc[0] == f"{zpath}!ungdc/TXT/Session 71 - 2016/ARG_71_2016.txt"
    assert not (tmp_path / "ungdc").exists()  # nothing unpacked


@pytest.mark.parametrize("mode,suffix", [("w:gz", ".tar.gz"), ("w", ".tar")])
def test_tar_archives(tmp_path, mode, suffix):
    tpath = tmp_path / f"articles{suffix}"
    with tarfile.open(tpath, mode) as tf:
        for name, data in _archive_source(FIX / "articles"):
            info = tarfile.TarInfo("articles/" + name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    df = load_corpus(tpath)
    ref = load_corpus(FIX / "articles")
    cols = [c for c in ref.columns if c != "path"]
    pd.testing.assert_frame_equal(df[cols], ref[cols])  # same rows, inference and sidecar


def test_damaged_archive(tmp_path):
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CorpusError, match=r"broken\.zip: not a readable zip archive"):
        load_corpus(bad)
    bad = tmp_path / "broken.tar.gz"
    bad.write_bytes(b"\x1f\x8b not gzip")
    with pytest.raises(CorpusError, match="not a readable tar archive"):
        load_corpus(bad)


# --- tables -------------------------------------------------------------------------------


def test_csv_with_column_mapping():
    df = load_corpus(
        FIX / "tables" / "speeches.csv",
        columns={"doc_id": "id", "text": "body", "speaker": "author"},
    )
    _check_contract(df)
    assert list(df["doc_id"]) == ["s1", "s2", "s3"]
    assert list(df["speaker"]) == ["Ana Ruiz", "Ben Ode", "Cai Lu"]
    assert list(df["year"]) == [2021, 2022, 2022]
    assert df.loc[2, "text"] == "A third text over two lines."
    assert df.loc[0, "event"] == "Forum 2021"


def test_csv_mapping_to_a_missing_column():
    with pytest.raises(
        CorpusError,
        match=r"column 'author_name' \(given for 'speaker'\) is not in the table.*columns are: id, body",
    ):
        load_corpus(
            FIX / "tables" / "speeches.csv", columns={"text": "body", "speaker": "author_name"}
        )


def test_tsv_and_jsonl():
    tsv = load_corpus(FIX / "tables" / "speeches.tsv")
    assert list(tsv["doc_id"]) == ["t1", "t2"] and list(tsv["year"]) == [2020, 2021]
    js = load_corpus(FIX / "tables" / "speeches.jsonl")
    assert list(js["doc_id"]) == ["j1", "j2"]
    assert js.loc[0, "speaker"] == "Dee Ma" and pd.isna(js.loc[1, "speaker"])


def test_parquet_and_generated_ids(tmp_path):
    p = tmp_path / "docs.parquet"
    pd.DataFrame(
        {"text": ["One.", "Two.", "Three."], "year": [2001, 2002, None], "country": ["A", "B", "C"]}
    ).to_parquet(p)
    df = load_corpus(p)
    _check_contract(df)
    assert list(df["doc_id"]) == ["docs-1", "docs-2", "docs-3"]
    assert list(df["year"].astype("object").where(df["year"].notna(), None)) == [2001, 2002, None]


def test_table_without_text_column_always_raises():
    for errors in ("raise", "skip"):
        with pytest.raises(
            CorpusError,
            match=r"no_text\.csv, columns: doc_id, content: the table has no text column.*--text-column",
        ):
            load_corpus(FIX / "tables" / "no_text.csv", errors=errors)


def test_malformed_table_row(caplog):
    with pytest.raises(
        CorpusError,
        match=r"malformed\.csv, line 3, row 2: malformed row: 4 fields where the header has 3",
    ):
        load_corpus(FIX / "tables" / "malformed.csv")
    with caplog.at_level(logging.WARNING, logger="discourse.corpus"):
        df = load_corpus(FIX / "tables" / "malformed.csv", errors="skip")
    assert list(df["doc_id"]) == ["m1", "m3"]
    assert df.attrs["skipped"] == [
        {
            "path": str(FIX / "tables" / "malformed.csv"),
            "reason": "malformed row: 4 fields where the header has 3",
            "line": 3,
            "row": 2,
        }
    ]
    assert df.attrs["n_seen"] == 3
    assert "skipped" in caplog.text and "malformed.csv" in caplog.text


def test_malformed_jsonl_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"text": "ok"}\n{"text": broken}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad\.jsonl, line 2, row 2: malformed JSON"):
        load_corpus(p)
    df = load_corpus(p, errors="skip")
    assert len(df) == 1 and df.attrs["n_seen"] == 3
    assert [s["line"] for s in df.attrs["skipped"]] == [2, 3]


def test_duplicate_doc_id():
    with pytest.raises(
        CorpusError, match=r"duplicate_ids\.csv, row 3: duplicate doc_id 'd1'.*unique id"
    ):
        load_corpus(FIX / "tables" / "duplicate_ids.csv")
    df = load_corpus(FIX / "tables" / "duplicate_ids.csv", errors="skip")
    assert list(df["text"]) == ["First", "Second"]
    assert df.attrs["n_seen"] == 3 and df.attrs["skipped"][0]["row"] == 3


def test_duplicate_doc_id_from_files(tmp_path):
    (tmp_path / "a.txt").write_text("one", encoding="utf-8")
    (tmp_path / "a.text").write_text("two", encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate doc_id 'a'"):
        load_corpus(tmp_path)


def test_empty_text_in_a_row(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("doc_id,text\na,hello\nb,\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"t\.csv, line 3, row 2: the row has no text"):
        load_corpus(p)


# --- bad files ----------------------------------------------------------------------------


def _folder_with(tmp_path: Path, name: str, data: bytes) -> Path:
    (tmp_path / "good.txt").write_text("A good document.", encoding="utf-8")
    (tmp_path / name).write_bytes(data)
    return tmp_path


@pytest.mark.parametrize(
    "name,data,message,line",
    [
        ("empty.txt", b"", "the file is empty", None),
        ("blank.txt", b"  \n\r\n\t\n", "the file is empty", None),
        ("binary.txt", b"abc\n\x00\x01\x02\x03PK\x05\x06" * 10, "binary content, not text", 2),
        (
            "undecodable.txt",
            b"line one\n" + bytes([0x81, 0x8D, 0x8F, 0x90, 0x9D]) * 40,
            "not UTF-8, cp1252 or latin-1 text",
            2,
        ),
    ],
)
def test_bad_file_raise_and_skip(tmp_path, name, data, message, line):
    src = _folder_with(tmp_path, name, data)
    with pytest.raises(CorpusError) as info:
        load_corpus(src)
    err = info.value
    assert err.path == str(src / name)
    assert message in str(err) and err.hint  # says what to do
    assert err.line == line
    df = load_corpus(src, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert df.attrs["n_seen"] == 2
    (skipped,) = df.attrs["skipped"]
    assert skipped["path"] == str(src / name) and skipped["reason"].startswith(message)


def test_unreadable_file(tmp_path):
    # a dangling link: listed as a document, cannot be opened (chmod is no use when tests run as root)
    (tmp_path / "good.txt").write_text("A good document.", encoding="utf-8")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing-target.txt")
    with pytest.raises(
        CorpusError, match=r"gone\.txt: cannot be read \(FileNotFoundError.*permissions"
    ):
        load_corpus(tmp_path)
    df = load_corpus(tmp_path, errors="skip")
    assert df.attrs["n_seen"] == 2 and len(df) == 1
    assert df.attrs["skipped"][0]["reason"].startswith("cannot be read")


def test_cp1252_and_latin1_files_are_decoded():
    df = load_corpus(FIX / "cp1252.txt")
    assert df.loc[0, "text"] == "Café débat \u201cquoted\u201d \u2013 cp1252."
    df = load_corpus(FIX / "latin1.txt")
    assert df.loc[0, "text"] == "Garçon naïve ¿qué? latin-1."


def test_explicit_encoding(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("UTF-16 text without a mark".encode("utf-16-le"))
    with pytest.raises(CorpusError, match="binary content.*utf-16"):
        load_corpus(p)
    assert load_corpus(p, encoding="utf-16-le").loc[0, "text"] == "UTF-16 text without a mark"
    with pytest.raises(CorpusError, match="cannot be decoded as ascii"):
        load_corpus(FIX / "cp1252.txt", encoding="ascii")


def test_missing_source_unknown_format_and_bad_options(tmp_path):
    with pytest.raises(CorpusError, match=r"nowhere: the corpus source does not exist"):
        load_corpus(tmp_path / "nowhere")
    odd = tmp_path / "corpus.docx"
    odd.write_bytes(b"x")
    with pytest.raises(CorpusError, match="cannot tell the format.*Pass format="):
        load_corpus(odd)
    with pytest.raises(CorpusError, match="format='pdf' is not a known format"):
        load_corpus(FIX / "articles", format="pdf")
    with pytest.raises(CorpusError, match="errors='ignore' is not an option"):
        load_corpus(FIX / "articles", errors="ignore")


def test_loaded_plus_skipped_equals_seen_with_many_problems(tmp_path):
    for i in range(3):
        (tmp_path / f"ok{i}.txt").write_text(f"Document {i}.", encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bin.txt").write_bytes(b"\x00" * 50)
    (tmp_path / "notes.md").write_text("not a document", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("hidden", encoding="utf-8")
    df = load_corpus(tmp_path, errors="skip")
    assert (len(df), len(df.attrs["skipped"]), df.attrs["n_seen"]) == (3, 2, 5)
    assert sorted(Path(r["path"]).name for r in df.attrs["ignored"]) == [".hidden.txt", "notes.md"]


# --- determinism and summary ----------------------------------------------------------------


def test_deterministic_ids_and_order(tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(FIX / "articles", dst)
    a = load_corpus(FIX / "articles")
    b = load_corpus(dst)
    cols = [c for c in a.columns if c != "path"]
    pd.testing.assert_frame_equal(a[cols], b[cols])
    assert list(a["doc_id"]) == sorted(a["doc_id"])


def test_corpus_summary_lists_counts_and_skips(tmp_path):
    src = _folder_with(tmp_path, "empty.txt", b"")
    text = corpus_summary(load_corpus(src, errors="skip"))
    assert "documents:  1 loaded, 1 skipped, 2 seen" in text
    assert "tokens:     3" in text
    assert "empty.txt: the file is empty" in text
    text = corpus_summary(load_corpus(FIX / "articles"))
    assert "events:     3" in text and "Digital Futures Dialogue 2021 (1)" in text
    assert "years:      2021-2023" in text
    assert "speakers:   3 distinct" in text


def test_cli_info(capsys):
    from discourse.cli import main

    assert (
        main(
            [
                "info",
                str(FIX / "tables" / "speeches.csv"),
                "--text-column",
                "body",
                "--column",
                "speaker=author",
                "--column",
                "doc_id=id",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "documents:  3 loaded" in out and "speakers:   3 distinct" in out
    assert main(["info", str(FIX / "tables" / "no_text.csv")]) == 2
    assert "the table has no text column" in capsys.readouterr().err


def test_demo_corpus_inference(demo_corpus):
    # the bundled articles (data/demo) carry no metadata but a city sidecar: all the rest is inferred
    df = demo_corpus
    assert len(df) >= 40
    for col in (
        "title",
        "source",
        "event",
        "event_series",
        "date",
        "year",
        "speaker",
        "organisation",
    ):
        assert df[col].notna().all(), col
    assert (df["year"] == df["date"].dt.year).all()
    assert (df["event"] == df["event_series"] + " " + df["year"].astype(str)).all()
    assert df["event"].nunique() >= 8 and df["year"].nunique() >= 5


def _xlsx(rows: list[list[str]]) -> bytes:
    """A minimal .xlsx (inline strings) with one sheet."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = []
    for i, row in enumerate(rows, start=1):
        cs = "".join(
            f'<c r="{chr(65 + j)}{i}" t="inlineStr"><is><t>{v}</t></is></c>'
            for j, v in enumerate(row)
        )
        cells.append(f'<row r="{i}">{cs}</row>')
    sheet = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>{"".join(cells)}</sheetData></worksheet>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def test_ungdc_speaker_list_fills_speaker_role_country_name(tmp_path, caplog):
    src = tmp_path / "ungdc"
    shutil.copytree(FIX / "ungdc_layout", src)
    header = ["Year", "Session", "ISO Code", "Country", "Name of Person Speaking", "Post"]
    rows = [
        header,
        ["2016", "71", "ARG", "Argentina ", "Mr. Ana Example", "Minister for Foreign Affairs"],
        ["2024", "79", "EU", "European Union", "Ms.Bea Sample", ""],
    ]
    (src / "Speakers_by_session.xlsx").write_bytes(_xlsx(rows))
    df = load_corpus(src).set_index("doc_id")
    assert df.loc["ARG_71_2016", ["speaker", "role", "country_name"]].tolist() == [
        "Ana Example",
        "Minister for Foreign Affairs",
        "Argentina",
    ]
    assert df.loc["EU_79_2024", "speaker"] == "Bea Sample" and pd.isna(df.loc["EU_79_2024", "role"])
    assert pd.isna(df.loc["FRA_79_2024", "speaker"])
    reasons = {Path(r["path"]).name: r["reason"] for r in df.attrs["ignored"]}
    assert reasons["Speakers_by_session.xlsx"].startswith("speaker list")
    # a damaged spreadsheet: a warning, and the load goes on without speakers
    (src / "Speakers_by_session.xlsx").write_bytes(b"not a spreadsheet")
    with caplog.at_level(logging.WARNING, logger="discourse.corpus"):
        df = load_corpus(src)
    assert df["speaker"].isna().all() and len(df) == 3
    assert "speaker list not used" in caplog.text


def test_all_files_bad_gives_an_empty_table_with_every_column(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    df = load_corpus(tmp_path, errors="skip")
    assert len(df) == 0 and list(df.columns) == CORPUS_COLUMNS
    assert df.attrs["n_seen"] == 1


def test_table_dates_and_years_are_parsed(tmp_path):
    p = tmp_path / "d.csv"
    p.write_text(
        "doc_id,text,date,year\n"
        "a,One.,2021-11-03,\n"
        'b,Two.,"March 5, 2020",2020\n'
        "c,Three.,not a date,n.d.\n",
        encoding="utf-8",
    )
    df = load_corpus(p)
    assert list(df["date"]) == [pd.Timestamp("2021-11-03"), pd.Timestamp("2020-03-05"), pd.NaT]
    # the year comes from the date when the year cell is empty; a non-number is missing
    assert df["year"].tolist()[:2] == [2021, 2020] and pd.isna(df["year"].iloc[2])
    assert str(df["date"].dtype) == "datetime64[ns]"


def test_columns_rename_pattern_fields_for_files_and_errors():
    df = load_corpus(
        FIX / "patterned", filename_pattern="{iso}_{session}_{year}.txt", columns={"country": "iso"}
    )
    assert list(df["country"]) == ["FRA", "KEN"] and "iso" not in df.columns
    with pytest.raises(
        CorpusError, match="there is no column 'author' to rename.*the fields here are"
    ):
        load_corpus(FIX / "patterned", columns={"speaker": "author"})
    with pytest.raises(CorpusError, match="filename_pattern applies to the files"):
        load_corpus(FIX / "tables" / "speeches.tsv", filename_pattern="{year}.txt")
    with pytest.raises(CorpusError, match="format='folder' needs a folder"):
        load_corpus(FIX / "cp1252.txt", format="folder")
    one = load_corpus(FIX / "articles" / "dfd-2021-opening.txt", format="articles")
    assert one.loc[0, "event"] == "Digital Futures Dialogue 2021"


def test_article_with_site_line_right_under_the_title(tmp_path):
    (tmp_path / "a.txt").write_bytes(
        "\ufeffOperators meet at the 2023 MWC Shanghai\r\n| telecom.example\r\n\r\nJonas Berg, head of networks at Nordlink\r\nSystems, spoke on June 28.\r\n".encode()
    )
    row = load_corpus(tmp_path).iloc[0]
    assert (row["title"], row["source"], row["event"]) == (
        "Operators meet at the 2023 MWC Shanghai",
        "telecom.example",
        "MWC Shanghai 2023",
    )
    assert row["text"] == "Jonas Berg, head of networks at Nordlink Systems, spoke on June 28."
    assert row["date"] == pd.Timestamp("2023-06-28") and row["organisation"] == "Nordlink Systems"


def test_a_source_without_documents_is_an_error(tmp_path):
    (tmp_path / "notes.md").write_text("not a document", encoding="utf-8")
    with pytest.raises(
        CorpusError,
        match=r"no document found \(no file ending in \.txt, \.text\).*1 other file\(s\) were not documents \(notes\.md\)",
    ):
        load_corpus(tmp_path)
    assert load_corpus(tmp_path, suffixes=[".md"]).loc[0, "text"] == "not a document"
    table = tmp_path / "empty.csv"
    table.write_text("doc_id,text\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="the table has no rows"):
        load_corpus(table)


def test_only_a_top_level_sidecar_is_used(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("Top.", encoding="utf-8")
    (tmp_path / "sub" / "b.txt").write_text("Below.", encoding="utf-8")
    (tmp_path / "sub" / "metadata.csv").write_text("file,city\nb.txt,Nowhere\n", encoding="utf-8")
    df = load_corpus(tmp_path)
    assert "city" not in df.columns
    assert df.attrs["ignored"][0]["reason"].startswith("sidecar metadata below the top")
    (tmp_path / "metadata.csv").write_text("file,city\nsub/b.txt,Somewhere\n", encoding="utf-8")
    df = load_corpus(tmp_path).set_index("doc_id")
    assert df.loc["sub/b", "city"] == "Somewhere" and pd.isna(df.loc["a", "city"])


def test_garbage_never_escapes_as_anything_but_corpus_error(tmp_path):
    import random

    rng = random.Random(0)
    for i in range(40):
        kind = i % 4
        if kind == 0:
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 300)))
        elif kind == 1:
            data = "".join(
                chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0x3000)]))
                for _ in range(200)
            ).encode("utf-8", "replace")
        elif kind == 2:
            data = bytes(rng.choice(b"\r\n\f\t -\xac*|0123456789abcXYZ") for _ in range(300))
        else:
            data = ("Title\n\n| \n\n" + "-\n" * rng.randrange(5) + "¬ *** 12.\n\n").encode("cp1252")
        (tmp_path / f"f{i:02d}.txt").write_bytes(data)
    df = load_corpus(tmp_path, errors="skip")
    assert len(df) + len(df.attrs["skipped"]) == df.attrs["n_seen"] == 40
    assert all(isinstance(t, str) and t == t.strip() for t in df["text"])
    with pytest.raises(CorpusError):
        load_corpus(tmp_path)


def test_cp1252_table(tmp_path):
    p = tmp_path / "cp.csv"
    p.write_bytes("doc_id,text\na,Caf\xe9 \x93d\xe9bat\x94\n".encode("latin-1"))
    assert load_corpus(p).loc[0, "text"] == "Café \u201cdébat\u201d"
