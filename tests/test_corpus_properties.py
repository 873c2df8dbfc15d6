"""Property-based tests of load_corpus on hostile input (hypothesis).

Whatever bytes, names and archive layouts it is given, ``load_corpus`` either raises
:class:`CorpusError` (strict), or, lenient, either raises ``CorpusError`` for a source it
cannot read at all or returns a table where loaded + skipped == seen, every skip has a
reason, every doc_id is a clean relative path and every path can be written as UTF-8.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.corpus import load_corpus
from discourse.errors import CorpusError

SETTINGS = settings(
    max_examples=int(os.environ.get("DISCOURSE_HYPOTHESIS_EXAMPLES", "40")),  # more: hunt bugs
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SUFFIXES = [".txt", ".zip", ".tar", ".tar.gz", ".csv", ".tsv", ".jsonl", ".parquet", ".md", ""]

# member names built from the pieces that break loaders
NAME_PART = st.one_of(
    st.sampled_from(["..", ".", "", "C:", "\\", "..\\..", "__MACOSX", ".hidden", "README"]),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=8,
    ),
)
MEMBER_NAME = st.builds(
    lambda parts, lead, suffix: lead + "/".join(parts) + suffix,
    st.lists(NAME_PART, min_size=1, max_size=4),
    st.sampled_from(["", "/", "./", "../", "\\"]),
    st.sampled_from([".txt", ".TXT", ".text", ".zip", ".csv", "metadata.csv", "", "/"]),
)
CONTENT = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.sampled_from(
        [b"", b"   \n", b"Title\n| site\n\nBody text here.", b"\xff\xfe" + "hé".encode("utf-16-le")]
    ),
)


def _check(path: Path) -> None:
    """The two properties, for one source."""
    try:
        load_corpus(path)
    except CorpusError:
        pass
    try:
        df = load_corpus(path, errors="skip")
    except CorpusError as err:
        assert str(err)  # a source that cannot be read at all: still a clear error
        return
    a = df.attrs
    assert a["n_loaded"] + a["n_skipped"] == a["n_seen"]
    assert len(df) == a["n_loaded"] and len(a["skipped"]) == a["n_skipped"]
    assert all(s["reason"] and s["path"] for s in a["skipped"])
    assert all(r["reason"] for r in a["ignored"])
    for doc_id in df["doc_id"]:
        assert doc_id
        if a["format"] in ("zip", "tar"):  # member names never escape the archive
            parts = doc_id.split("/")
            assert ".." not in parts and "" not in parts and "\\" not in doc_id
    for value in [*df["path"].dropna(), *(s["path"] for s in a["skipped"]), *df["doc_id"]]:
        value.encode("utf-8")  # writable as UTF-8 (no lone surrogates)
    df["text"].map(lambda t: t.encode("utf-8"))


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_in_any_format(data, suffix):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"source{suffix}"
        path.write_bytes(data)
        if suffix in ("", ".md"):
            for fmt in ("text", "csv", "jsonl", "zip", "tar", "parquet"):
                try:
                    load_corpus(path, format=fmt)
                except CorpusError:
                    pass
        _check(path)


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")  # duplicates are part of the test
@SETTINGS
@given(
    members=st.lists(st.tuples(MEMBER_NAME, CONTENT), max_size=6),
    kind=st.sampled_from(["zip", "tar", "tar.gz"]),
)
def test_random_archive_layouts(members, kind):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"source.{kind}"
        if kind == "zip":
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                for name, data in members:
                    zf.writestr(name or "x", data)
        else:
            with tarfile.open(
                path, "w:gz" if kind == "tar.gz" else "w", format=tarfile.GNU_FORMAT
            ) as tf:
                for name, data in members:
                    info = tarfile.TarInfo(name or "x")
                    info.size = len(data)
                    tf.addfile(info, io.BytesIO(data))
        before = sorted(os.listdir(tmp))
        _check(path)
        assert sorted(os.listdir(tmp)) == before  # read in place: nothing extracted


FILE_NAME = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
        min_size=1,
        max_size=10,
    ),
    st.binary(min_size=1, max_size=10).map(lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_")),
).filter(lambda n: n not in (".", "..", b".", b".."))


@SETTINGS
@given(
    files=st.lists(
        st.tuples(FILE_NAME, st.sampled_from([".txt", ".csv", ".zip", ""]), CONTENT), max_size=6
    ),
    link=st.booleans(),
)
def test_random_folders(files, link):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        broot = os.fsencode(root)
        for name, suffix, data in files:
            bname = (name if isinstance(name, bytes) else os.fsencode(name)) + suffix.encode()
            if len(bname) > 200:
                continue
            with open(os.path.join(broot, bname), "wb") as fh:
                fh.write(data)
        if link:
            (root / "loop.txt").symlink_to(root / "loop.txt")
            (root / "out.txt").symlink_to(Path(tmp))
        _check(root)


ROW_VALUE = st.one_of(
    st.text(max_size=40),
    st.sampled_from(['"', '""', '"open', "a,b", "a\tb", "line\nbreak", "\ufeff", "\r"]),
)


@SETTINGS
@given(
    header=st.lists(
        st.sampled_from(["text", "doc_id", "speaker", "year", "date", "\ufefftext", ""]),
        min_size=1,
        max_size=4,
    ),
    rows=st.lists(st.lists(ROW_VALUE, max_size=5), max_size=6),
    sep=st.sampled_from([",", "\t"]),
)
def test_random_tables(header, rows, sep):
    text = "\n".join(sep.join(r) for r in [header, *rows])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / ("t.csv" if sep == "," else "t.tsv")
        path.write_text(text, encoding="utf-8")
        _check(path)


@SETTINGS
@given(
    lines=st.lists(
        st.one_of(
            st.dictionaries(
                st.sampled_from(["text", "doc_id", "year", "date", "speaker"]),
                st.one_of(
                    st.none(),
                    st.integers(),
                    st.floats(),
                    st.text(max_size=20),
                    st.lists(st.integers(), max_size=2),
                ),
                max_size=4,
            ).map(json.dumps),
            st.text(max_size=30),
            st.sampled_from(['{"text": "\\ud800"}', "[1, 2]", "null", '{"text": "a"', "[" * 3000]),
        ),
        max_size=6,
    )
)
def test_random_jsonl(lines):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        _check(path)
