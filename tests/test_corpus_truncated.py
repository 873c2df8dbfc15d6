"""Tar archives cut short or damaged: the members before the damage load, the damage is
one skipped entry (lenient) or a CorpusError naming the archive and member (strict)."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse import convert_corpus
from discourse.corpus import load_corpus
from discourse.errors import CorpusError

SETTINGS = settings(
    max_examples=int(os.environ.get("DISCOURSE_HYPOTHESIS_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# sizes spanning one, two and three 512-byte blocks; a README that is not a document
MEMBERS = [
    ("corpus/README.md", b"About this corpus.\n"),
    ("corpus/d0.txt", b"The first speech on digital governance. " * 5),
    ("corpus/d1.txt", b"A second speech about artificial intelligence and its risks. " * 20),
    ("corpus/d2.txt", b"Third: the digital divide between countries. " * 3),
    ("corpus/d3.txt", b"Fourth and last, on data protection rules. " * 30),
]
SUFFIX = {"": ".tar", "gz": ".tar.gz", "bz2": ".tar.bz2", "xz": ".tar.xz"}


def _tar_bytes() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
        for name, data in MEMBERS:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


RAW = _tar_bytes()


def _layout() -> tuple[list[tuple[str, int, int]], int]:
    """Each member (name, header offset, end of its last data block), and where the
    end-of-archive marker starts."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(RAW)) as tf:
        for info in tf.getmembers():
            end = info.offset_data + -(-info.size // 512) * 512
            out.append((info.name, info.offset, end))
    return out, out[-1][2]


LAYOUT, MARKER = _layout()


def _compress(kind: str, raw: bytes) -> bytes:
    if kind == "gz":
        return gzip.compress(raw, mtime=0)
    if kind == "bz2":
        return bz2.compress(raw)
    if kind == "xz":
        return lzma.compress(raw)
    return raw


def _readable(kind: str, data: bytes) -> int:
    """How many bytes of the tar a stream of the cut (compressed) ``data`` gives."""
    if kind == "":
        return len(data)
    if kind == "gz":
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif kind == "bz2":
        d = bz2.BZ2Decompressor()
    else:
        d = lzma.LZMADecompressor()
    try:
        return len(d.decompress(data))
    except (zlib.error, OSError, EOFError, lzma.LZMAError):
        return 0


def _expected(kind: str, cut: int) -> tuple[list[str], bool]:
    """The documents a load of the archive cut at ``cut`` keeps, and whether it is damaged."""
    compressed = _compress(kind, RAW)
    n = _readable(kind, compressed[:cut])
    kept = [name for name, _start, end in LAYOUT if end <= n]
    if n >= MARKER + 512:
        return kept, False
    at_boundary = n == MARKER or any(start == n for _name, start, _end in LAYOUT)
    # a plain tar that ends at a member boundary is read as complete (as GNU tar does);
    # a compressed one is cut short all the same (its stream did not reach its end)
    damaged = not (kind == "" and at_boundary and n > 0)
    return kept, damaged


def _cut(tmp_path: Path, kind: str, cut: int) -> Path:
    path = tmp_path / f"cut{cut}{SUFFIX[kind]}"
    path.write_bytes(_compress(kind, RAW)[:cut])
    return path


def _docs(names: list[str]) -> list[str]:
    return [Path(n).stem for n in names if n.endswith(".txt")]


def _check(path: Path, kind: str, cut: int) -> None:
    kept, damaged = _expected(kind, cut)
    if not damaged:
        df = load_corpus(path)
        assert list(df["doc_id"]) == _docs(kept)
        assert df.attrs["skipped"] == []
        return
    if not kept:  # nothing readable: an error whatever errors= says
        for errors in ("raise", "skip"):
            with pytest.raises(CorpusError, match="not a readable tar archive") as info:
                load_corpus(path, errors=errors)
            assert str(path) in str(info.value)
        return
    df = load_corpus(path, errors="skip")
    assert list(df["doc_id"]) == _docs(kept)
    (skip,) = df.attrs["skipped"]
    assert skip["path"] == str(path)
    assert skip["reason"].startswith("the archive is damaged ")
    assert "nothing after this point could be read" in skip["reason"]
    assert f"({len(kept)} member(s) before it were read)" in skip["reason"]
    assert any(f"member {name!r}" in skip["reason"] for name, _s, _e in LAYOUT)
    assert df.attrs["n_loaded"] + df.attrs["n_skipped"] == df.attrs["n_seen"]
    assert df.attrs["n_seen"] == len(_docs(kept)) + 1  # the damaged rest counts as one
    again = load_corpus(path, errors="skip")
    assert again.equals(df) and again.attrs["skipped"] == df.attrs["skipped"]
    with pytest.raises(CorpusError) as info:
        load_corpus(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: the archive is damaged ")
    assert 'errors="skip"' in msg and "download it again" in msg


def _points() -> list[tuple[str, int, str]]:
    """(compression, cut, what is cut) at chosen points of the plain and compressed tars."""
    by_name = {name: (start, end) for name, start, end in LAYOUT}
    d1, d2 = by_name["corpus/d1.txt"], by_name["corpus/d2.txt"]
    points = [
        ("", d2[0] + 100, "inside a header"),
        ("", d1[0] + 512 + 700, "inside member data"),
        ("", d1[1] - 5, "inside the padding of a member"),
        ("", d2[0], "at a member boundary (read as complete, as GNU tar does)"),
        ("", 300, "inside the first header"),
        ("", MARKER + 100, "inside the end-of-archive marker"),
    ]
    for kind in ("gz", "bz2", "xz"):
        n = len(_compress(kind, RAW))
        points += [(kind, n // 2, "inside the compressed stream"), (kind, n - 30, "near its end"),
                   (kind, 20, "inside the compression header")]
    return points


@pytest.mark.parametrize(("kind", "cut", "what"), _points())
def test_truncated_tar(tmp_path, kind, cut, what):
    _check(_cut(tmp_path, kind, cut), kind, cut)


@SETTINGS
@given(kind=st.sampled_from(["", "gz", "bz2", "xz"]), frac=st.floats(0, 1))
def test_truncated_tar_anywhere(tmp_path_factory, kind, frac):
    cut = int(frac * len(_compress(kind, RAW)))
    _check(_cut(tmp_path_factory.mktemp("t"), kind, cut), kind, cut)


def test_damage_names_the_member(tmp_path):
    by_name = {name: (start, end) for name, start, end in LAYOUT}
    path = _cut(tmp_path, "gz", len(_compress("gz", RAW)))  # whole
    # cut inside the data of d1
    plain = tmp_path / "cut.tar"
    plain.write_bytes(RAW[: by_name["corpus/d1.txt"][0] + 600])
    df = load_corpus(plain, errors="skip")
    assert list(df["doc_id"]) == ["d0"]
    assert df.attrs["skipped"][0]["reason"].startswith(
        "the archive is damaged in member 'corpus/d1.txt' (ReadError: unexpected end of data)"
    )
    # cut inside the header after d2
    plain.write_bytes(RAW[: by_name["corpus/d3.txt"][0] + 200])
    with pytest.raises(CorpusError, match=r"cut\.tar: the archive is damaged after member 'corpus/d2\.txt' "
                       r"\(a header cut short"):
        load_corpus(plain)
    assert list(load_corpus(path)["doc_id"]) == ["d0", "d1", "d2", "d3"]  # whole: untouched


def test_damaged_header_checksum(tmp_path):
    """A header with a wrong checksum: tarfile would end the archive there without a word."""
    start = dict((n, s) for n, s, _e in LAYOUT)["corpus/d2.txt"]
    raw = bytearray(RAW)
    raw[start + 10] ^= 0x55  # a byte of the name: the checksum no longer matches
    path = tmp_path / "bad.tar"
    path.write_bytes(bytes(raw))
    df = load_corpus(path, errors="skip")
    assert list(df["doc_id"]) == ["d0", "d1"]
    reason = df.attrs["skipped"][0]["reason"]
    assert reason.startswith("the archive is damaged after member 'corpus/d1.txt' (a damaged header")
    with pytest.raises(CorpusError, match="bad checksum"):
        load_corpus(path)


def test_whole_tar_without_end_marker(tmp_path):
    """A plain tar written without its end-of-archive marker is read whole."""
    path = tmp_path / "nomarker.tar"
    path.write_bytes(RAW[:MARKER])
    assert list(load_corpus(path)["doc_id"]) == ["d0", "d1", "d2", "d3"]
    gz = tmp_path / "nomarker.tar.gz"
    gz.write_bytes(gzip.compress(RAW[:MARKER], mtime=0))  # a complete gzip stream
    assert list(load_corpus(gz)["doc_id"]) == ["d0", "d1", "d2", "d3"]


def test_truncated_tar_dask_and_store(tmp_path):
    pytest.importorskip("dask.dataframe")
    from discourse.corpus import compute_corpus, load_report

    n = len(_compress("gz", RAW))
    path = _cut(tmp_path, "gz", int(n * 0.6))
    pandas = load_corpus(path, errors="skip")
    assert 0 < len(pandas) < 4
    lazy = load_corpus(path, errors="skip", backend="dask")
    df = compute_corpus(lazy)
    assert list(df["doc_id"]) == list(pandas["doc_id"])
    report = load_report(lazy)
    assert report["skipped"] == pandas.attrs["skipped"]
    assert report["n_seen"] == pandas.attrs["n_seen"]
    with pytest.raises(CorpusError, match="the archive is damaged"):
        compute_corpus(load_corpus(path, backend="dask"))
    store = convert_corpus(path, tmp_path / "store", errors="skip")
    back = load_corpus(store)
    assert list(back["doc_id"]) == list(pandas["doc_id"])
    assert back.attrs["skipped"] == pandas.attrs["skipped"]
    with pytest.raises(CorpusError, match="the archive is damaged"):
        convert_corpus(path, tmp_path / "store2")


def test_truncated_zip_says_what_to_do(tmp_path):
    """A zip cut short has no central directory: nothing can be listed, in either mode."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in MEMBERS:
            zf.writestr(name, data)
    path = tmp_path / "cut.zip"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) - 30])
    for errors in ("raise", "skip"):
        with pytest.raises(CorpusError, match=r"cut\.zip: not a readable zip archive .*download it again"):
            load_corpus(path, errors=errors)
