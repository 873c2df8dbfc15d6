"""Sources that fight back: archives, folders and tables built to break a loader.

Each bad input gives a clear :class:`CorpusError` naming the file (and row) or, with
``errors="skip"``, a listed skip with its reason; nothing is read past the byte limits,
nothing escapes the source. The rows of ``docs/reliability.md`` for the corpus point here.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import stat
import struct
import tarfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from discourse.corpus import _ungdc, load_corpus, readers
from discourse.errors import CorpusError

TEXT = b"Digital governance needs open standards and trust."


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]], **kw) -> Path:
    with tarfile.open(path, "w:gz", **kw) as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                tf.addfile(info, io.BytesIO(m[1]))
    return path


def _skipped(df: pd.DataFrame) -> dict[str, str]:
    """{path: reason} of the skipped files, after checking the books balance."""
    a = df.attrs
    assert a["n_loaded"] + a["n_skipped"] == a["n_seen"] == len(df) + len(a["skipped"])
    return {s["path"]: s["reason"] for s in a["skipped"]}


def _ignored(df: pd.DataFrame) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in df.attrs["ignored"]}


# --- archives: names ---------------------------------------------------------------------

HOSTILE_NAMES = {
    "../../evil.txt": "evil",
    "/etc/abs.txt": "etc/abs",
    "dir\\sub\\win.txt": "dir/sub/win",
    "C:/drive.txt": "drive",
    "./ok/./dots/../fine.txt": "ok/dots/fine",
}


def test_zip_member_names_never_escape(tmp_path):
    src = _zip(tmp_path / "names.zip", {n: TEXT for n in HOSTILE_NAMES})
    before = sorted(p.name for p in tmp_path.iterdir())
    df = load_corpus(src)
    assert sorted(df["doc_id"]) == sorted(HOSTILE_NAMES.values())
    assert not any(".." in d or d.startswith("/") or "\\" in d for d in df["doc_id"])
    # the user still sees the member's real name, after the archive's path
    assert f"{src}!../../evil.txt" in set(df["path"])
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert not (tmp_path.parent / "evil.txt").exists()


def test_tar_member_names_never_escape(tmp_path):
    src = _tar(tmp_path / "names.tar.gz", [(n, TEXT) for n in HOSTILE_NAMES])
    df = load_corpus(src)
    assert sorted(df["doc_id"]) == sorted(HOSTILE_NAMES.values())
    assert len(list(tmp_path.iterdir())) == 1


def test_member_names_that_clean_to_the_same_id_are_duplicates(tmp_path):
    src = _zip(tmp_path / "dupe.zip", {"a/doc.txt": TEXT, "a\\doc.txt": TEXT + b" Twice."})
    with pytest.raises(CorpusError, match="duplicate doc_id 'doc'"):
        load_corpus(src)
    df = load_corpus(src, errors="skip")
    assert list(df["doc_id"]) == ["doc"] and len(_skipped(df)) == 1


# --- archives: bombs and limits --------------------------------------------------------------


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """A 4.7 MB zip whose one member expands to 1 GiB of zeros, written in 1 MiB chunks."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    zero = bytes(2**20)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("good.txt", TEXT)
        info = zipfile.ZipInfo("bomb.txt")
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1  # fastest; still 230:1
        with zf.open(info, "w", force_zip64=True) as fh:
            for _ in range(1024):
                fh.write(zero)
    assert path.stat().st_size < 8 * 2**20
    return path


def _peak_mb(fn) -> tuple[object, float]:
    tracemalloc.start()
    try:
        out = fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out, peak


def test_zip_bomb_refused_fast_and_small(bomb):
    t = time.perf_counter()
    with pytest.raises(CorpusError, match=r"bomb\.txt: larger than max_bytes=67,108,864 bytes"):
        load_corpus(bomb)
    assert time.perf_counter() - t < 1.0
    df, peak = _peak_mb(lambda: load_corpus(bomb, errors="skip"))
    assert peak < 200
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {
        f"{bomb}!bomb.txt": "larger than max_bytes=67,108,864 bytes (1,073,741,824 bytes)"
    }


def test_zip_bomb_with_generous_limits_stops_while_reading(bomb):
    # per-document limit above the bomb: the source limit stops it, counted while reading
    t = time.perf_counter()
    err, peak = _peak_mb(
        lambda: pytest.raises(
            CorpusError,
            load_corpus,
            bomb,
            errors="skip",
            max_bytes=2**31,
            max_source_bytes=100 * 2**20,
        )
    )
    assert "expands to more than max_source_bytes=104,857,600 bytes" in str(err.value)
    assert "bomb.txt" in str(err.value) and err.value.hint
    assert time.perf_counter() - t < 5.0 and peak < 200


def test_a_lying_header_does_not_bypass_the_limit(tmp_path):
    # a member of 2 MB whose headers claim 100 bytes: zipfile stops at the claimed size,
    # the checksum fails, the member is skipped as damaged (never read past the claim)
    src = _zip(tmp_path / "liar.zip", {"good.txt": TEXT, "liar.txt": b"word " * 400_000})
    raw = bytearray(src.read_bytes())
    local = raw.find(b"PK\x03\x04", raw.find(b"liar.txt") - 40)
    central = [i for i in range(len(raw)) if raw.startswith(b"PK\x01\x02", i)][1]
    struct.pack_into("<I", raw, local + 22, 100)
    struct.pack_into("<I", raw, central + 24, 100)
    src.write_bytes(bytes(raw))
    df = load_corpus(src, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    (reason,) = _skipped(df).values()
    assert reason.startswith("a damaged archive member (BadZipFile: Bad CRC-32")


def test_bounded_read_stops_an_endless_stream():
    class Endless:
        read_calls = 0

        def read(self, n):
            Endless.read_calls += 1
            return b"x" * n

    limits = readers._Limits("src", max_bytes=3 * 2**20, max_source_bytes=2**40)
    with pytest.raises(readers._Problem, match="larger than max_bytes=3,145,728 bytes"):
        readers._bounded_read(Endless(), limits, "src!endless")
    assert limits.used == 3 * 2**20 + 1 and Endless.read_calls == 4


def test_per_source_limit_across_members_and_tables(tmp_path):
    src = _zip(tmp_path / "many.zip", {f"d{i}.txt": b"word " * 100_000 for i in range(5)})
    assert len(load_corpus(src)) == 5
    with pytest.raises(CorpusError, match=r"many\.zip: the source expands to more than"):
        load_corpus(src, errors="skip", max_source_bytes=1_200_000)
    table = tmp_path / "big.csv"
    table.write_text("text\n" + "a long row\n" * 1000)
    with pytest.raises(CorpusError, match="the table is larger than max_source_bytes=1,000"):
        load_corpus(table, max_source_bytes=1000)


def test_huge_tar_member_and_row_refused(tmp_path):
    src = _tar(tmp_path / "big.tar.gz", [("good.txt", TEXT), ("huge.txt", b"a" * 5000)])
    df = load_corpus(src, errors="skip", max_bytes=1000)
    assert _skipped(df) == {f"{src}!huge.txt": "larger than max_bytes=1,000 bytes (5,000 bytes)"}
    table = tmp_path / "t.jsonl"
    table.write_text(json.dumps({"text": "x" * 2000}) + "\n" + json.dumps({"text": "short"}) + "\n")
    with pytest.raises(CorpusError, match=r"t\.jsonl, line 1, row 1: larger than max_bytes=1,000"):
        load_corpus(table, max_bytes=1000)


@pytest.mark.parametrize("bad", [{"max_bytes": 0}, {"max_source_bytes": -1}, {"max_bytes": 1.5}])
def test_limits_must_be_positive_ints(tmp_path, bad):
    with pytest.raises(CorpusError, match="is not a positive number of bytes"):
        load_corpus(_zip(tmp_path / "a.zip", {"a.txt": TEXT}), **bad)


# --- archives: members that are not plain files ----------------------------------------------


def _set_zip_flag(path: Path, bit: int) -> None:
    raw = bytearray(path.read_bytes())
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = -1
        while (i := raw.find(sig, i + 1)) >= 0:
            if raw[i + (30 if sig == b"PK\x03\x04" else 46) :].startswith(b"secret.txt"):
                struct.pack_into(
                    "<H", raw, i + off, struct.unpack_from("<H", raw, i + off)[0] | bit
                )
    path.write_bytes(bytes(raw))


def test_encrypted_zip_member_skipped(tmp_path):
    src = _zip(tmp_path / "enc.zip", {"good.txt": TEXT, "secret.txt": TEXT})
    _set_zip_flag(src, 0x1)
    with pytest.raises(CorpusError, match=r"secret\.txt: encrypted \(password-protected\)"):
        load_corpus(src)
    df = load_corpus(src, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {f"{src}!secret.txt": "encrypted (password-protected)"}


def test_zip_symlink_member_skipped(tmp_path):
    src = tmp_path / "link.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr("good.txt", TEXT)
        info = zipfile.ZipInfo("link.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    df = load_corpus(src, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {f"{src}!link.txt": "a symbolic link member (not followed)"}


def test_tar_link_and_device_members_skipped(tmp_path):
    sym = tarfile.TarInfo("sym.txt")
    sym.type, sym.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("hard.txt")
    hard.type, hard.linkname = tarfile.LNKTYPE, "good.txt"
    dev = tarfile.TarInfo("dev.txt")
    dev.type = tarfile.CHRTYPE
    src = _tar(tmp_path / "links.tar.gz", [("good.txt", TEXT), sym, hard, dev])
    with pytest.raises(CorpusError, match=r"dev\.txt: not a regular file"):
        load_corpus(src)
    df = load_corpus(src, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {
        f"{src}!sym.txt": "a symbolic link member (to '/etc/passwd'; not followed)",
        f"{src}!hard.txt": "a hard link member (to 'good.txt'; not followed)",
        f"{src}!dev.txt": "not a regular file (a device or FIFO member)",
    }


def test_nested_archives_listed_not_opened(tmp_path):
    inner = _zip(tmp_path / "inner.zip", {"inside.txt": TEXT})
    src = _zip(tmp_path / "outer.zip", {"good.txt": TEXT, "more/inner.zip": inner.read_bytes()})
    tgz = _tar(tmp_path / "t.tgz", [("x.txt", TEXT)])
    src2 = _tar(tmp_path / "outer.tar.gz", [("good.txt", TEXT), ("nested.tgz", tgz.read_bytes())])
    for s, member in ((src, "more/inner.zip"), (src2, "nested.tgz")):
        df = load_corpus(s)
        assert list(df["doc_id"]) == ["good"]
        assert _ignored(df)[f"{s}!{member}"].startswith("a nested archive (not opened")


def test_non_utf8_member_names(tmp_path):
    src = _zip(tmp_path / "names.zip", {"good.txt": TEXT, "cafX.txt": TEXT, "menuY.txt": TEXT})
    raw = src.read_bytes()
    raw = raw.replace(b"cafX", b"caf\xe9")  # latin-1: not UTF-8, no UTF-8 flag
    raw = raw.replace(b"menuY", b"m\xc3\xa9nu")  # UTF-8 bytes without the flag: read
    src.write_bytes(raw)
    with pytest.raises(CorpusError, match=r"names\.zip!caf\\xe9\.txt: the name is not valid UTF-8"):
        load_corpus(src)
    df = load_corpus(src, errors="skip")
    assert sorted(df["doc_id"]) == ["good", "ménu"]
    assert list(_skipped(df)) == [f"{src}!caf\\xe9.txt"]

    tsrc = _tar(
        tmp_path / "names.tar",
        [("good.txt", TEXT), ("caf\udce9.txt", TEXT)],
        format=tarfile.GNU_FORMAT,
        encoding="utf-8",
        errors="surrogateescape",
    )
    df = load_corpus(tsrc, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {
        f"{tsrc}!caf\\xe9.txt": "the name is not valid UTF-8 (shown with \\xNN for its undecodable bytes)"
    }
    df.to_csv(io.StringIO())  # every path in the table can be written
    json.dumps(df.attrs["skipped"]).encode("utf-8")


@pytest.mark.parametrize("suffix", [".zip", ".tar.gz"])
def test_damaged_archives(tmp_path, suffix):
    good = (
        _zip(tmp_path / "g.zip", {"a.txt": TEXT * 50, "b.txt": TEXT * 50})
        if suffix == ".zip"
        else _tar(tmp_path / "g.tar.gz", [("a.txt", TEXT * 50), ("b.txt", TEXT * 50)])
    )
    bad = tmp_path / f"bad{suffix}"
    data = good.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorpusError, match=r"bad\..*: not a readable (zip|tar) archive"):
        load_corpus(bad, errors="skip")


def test_speaker_list_bomb_is_not_used(tmp_path, monkeypatch, caplog):
    xlsx = io.BytesIO()
    with zipfile.ZipFile(xlsx, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * 10_000 + b"</a>")
    monkeypatch.setattr(_ungdc, "MAX_PART_BYTES", 1000)
    assert _ungdc.read_speakers(xlsx.getvalue(), "Speakers_by_session.xlsx") == {}
    assert "expands to more than 1,000 bytes" in caplog.text


# --- folders ---------------------------------------------------------------------------------


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.txt").write_bytes(TEXT)
    return root


def test_symlink_loops_end(tmp_path):
    root = _folder(tmp_path)
    (root / "a.txt").symlink_to(root / "b.txt")
    (root / "b.txt").symlink_to(root / "a.txt")
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to(root, target_is_directory=True)
    with pytest.raises(CorpusError, match=r"a\.txt: cannot be read \(OSError.*symbolic links"):
        load_corpus(root)
    df = load_corpus(root, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert set(_skipped(df)) == {str(root / "a.txt"), str(root / "b.txt")}
    assert _ignored(df)[str(root / "sub" / "up")] == "a link to a folder (not followed)"


def test_links_leaving_the_root_are_not_followed(tmp_path):
    root = _folder(tmp_path)
    (tmp_path / "secret.txt").write_bytes(b"Outside the corpus.")
    (root / "out.txt").symlink_to(tmp_path / "secret.txt")
    (root / "in.txt").symlink_to(root / "good.txt")  # inside: read
    with pytest.raises(CorpusError, match=r"out\.txt: a link to a file outside the source folder"):
        load_corpus(root)
    df = load_corpus(root, errors="skip")
    assert sorted(df["doc_id"]) == ["good", "in"]
    assert _skipped(df) == {
        str(
            root / "out.txt"
        ): f"a link to a file outside the source folder ({tmp_path / 'secret.txt'}; not followed)"
    }


def test_unreadable_file(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    (root / "locked.txt").write_bytes(TEXT)
    real_open = open

    def fake_open(file, *a, **kw):
        if Path(file).name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *a, **kw)

    monkeypatch.setattr(readers, "open", fake_open, raising=False)
    with pytest.raises(CorpusError, match=r"locked\.txt: cannot be read \(PermissionError") as info:
        load_corpus(root)
    assert "permissions" in info.value.hint
    df = load_corpus(root, errors="skip")
    assert list(df["doc_id"]) == ["good"] and len(_skipped(df)) == 1


def test_non_utf8_file_names(tmp_path):
    root = _folder(tmp_path)
    with open(os.path.join(os.fsencode(root), b"caf\xe9.txt"), "wb") as fh:
        fh.write(TEXT)
    with pytest.raises(CorpusError, match=r"caf\\xe9\.txt: the name is not valid UTF-8"):
        load_corpus(root)
    df = load_corpus(root, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert list(_skipped(df)) == [f"{root}/caf\\xe9.txt"]
    json.dumps(df.attrs).encode("utf-8")


def test_file_vanishing_while_loading(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    (root / "gone.txt").write_bytes(TEXT)
    listed = readers._folder_members

    def list_then_delete(*a, **kw):
        out = listed(*a, **kw)
        (root / "gone.txt").unlink()  # deleted after listing, before reading
        return out

    monkeypatch.setitem(
        readers.READERS,
        "folder",
        dataclasses.replace(readers.READERS["folder"], members=list_then_delete),
    )
    with pytest.raises(
        CorpusError, match=r"gone\.txt: cannot be read \(FileNotFoundError\): it vanished"
    ):
        load_corpus(root)
    (root / "gone.txt").write_bytes(TEXT)
    df = load_corpus(root, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert list(_skipped(df)) == [str(root / "gone.txt")]


def test_file_changing_while_read(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    (root / "growing.txt").write_bytes(TEXT)
    read = readers._bounded_read

    def read_while_appended(fh, limits, where):
        data = read(fh, limits, where)
        if where.endswith("growing.txt"):
            with open(where, "ab") as other:
                other.write(b" More words arrive.")
        return data

    monkeypatch.setattr(readers, "_bounded_read", read_while_appended)
    df = load_corpus(root, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {str(root / "growing.txt"): "the file changed while it was being read"}


def test_fifo_in_folder_skipped_without_blocking(tmp_path):
    root = _folder(tmp_path)
    os.mkfifo(root / "pipe.txt")  # opening it for reading would wait for a writer forever
    df = load_corpus(root, errors="skip")
    assert list(df["doc_id"]) == ["good"]
    assert _skipped(df) == {str(root / "pipe.txt"): "not a regular file (a device, FIFO or socket)"}


def test_huge_file_in_folder_refused_before_reading(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    (root / "huge.txt").write_bytes(b"word " * 1000)
    monkeypatch.setattr(readers, "_bounded_read", None)  # never reached for huge.txt
    with pytest.raises(CorpusError, match=r"huge\.txt: larger than max_bytes=100 bytes \(5,000"):
        load_corpus(root / "huge.txt", max_bytes=100)


def test_unlistable_folder_is_listed(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    (root / "private").mkdir()
    walk = os.walk

    def walk_with_error(top, onerror=None, **kw):
        for dirpath, dirnames, filenames in walk(top, onerror=onerror, **kw):
            if Path(dirpath).name == "private":
                onerror(PermissionError(13, "Permission denied", dirpath))
                continue
            yield dirpath, dirnames, filenames

    monkeypatch.setattr(readers.os, "walk", walk_with_error)
    df = load_corpus(root)
    assert list(df["doc_id"]) == ["good"]
    assert _ignored(df)[str(root / "private")] == (
        "a folder that cannot be listed (PermissionError: Permission denied)"
    )


# --- tables ----------------------------------------------------------------------------------


def test_unterminated_quote(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('doc_id,text\na,"First talk."\nb,"Second talk, never closed\nc,Third talk.\n')
    with pytest.raises(CorpusError) as info:
        load_corpus(p)
    err = info.value
    assert (err.path, err.row, err.line) == (str(p), 2, 3)
    assert "an unterminated quote" in str(err) and "quoting" in err.hint
    df = load_corpus(p, errors="skip")
    assert list(df["doc_id"]) == ["a"]
    assert df.attrs["skipped"][0]["row"] == 2


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_in_the_header(tmp_path, encoding):
    p = tmp_path / "t.csv"
    p.write_bytes("text,speaker\nOpen standards.,Ana\n".encode(encoding))
    df = load_corpus(p)
    assert df.loc[0, "text"] == "Open standards." and df.loc[0, "speaker"] == "Ana"


def test_too_few_fields(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text("doc_id\ttext\tspeaker\na\tFirst.\tAna\nb\tSecond.\n")
    with pytest.raises(
        CorpusError, match=r"t\.tsv, line 3, row 2: malformed row: 2 fields where the header has 3"
    ):
        load_corpus(p)
    assert list(load_corpus(p, errors="skip")["doc_id"]) == ["a"]


def test_corrupt_parquet(tmp_path):
    p = tmp_path / "t.parquet"
    pd.DataFrame({"text": ["Open standards."] * 10}).to_parquet(p)
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2 : len(raw) // 2 + 64] = b"\xff" * 64
    p.write_bytes(bytes(raw[: len(raw) - 20]))
    for errors in ("raise", "skip"):
        with pytest.raises(CorpusError, match=r"t\.parquet: not a readable Parquet file"):
            load_corpus(p, errors=errors)


def test_non_string_text(tmp_path):
    p = tmp_path / "t.jsonl"
    rows = [
        {"text": "A real text."},
        {"text": 42},
        {"text": ["a", "list"]},
        {"text": {"a": 1}},
        {"text": True},
    ]
    p.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with pytest.raises(
        CorpusError, match=r"t\.jsonl, line 2, row 2: the text is a int \(42\), not a string"
    ):
        load_corpus(p)
    df = load_corpus(p, errors="skip")
    assert list(df["text"]) == ["A real text."]
    assert [(s["row"], s["reason"].split(" (")[0]) for s in df.attrs["skipped"]] == [
        (2, "the text is a int"),
        (3, "the text is a list"),
        (4, "the text is a dict"),
        (5, "the text is a bool"),
    ]
    q = tmp_path / "t.parquet"
    pd.DataFrame({"text": [1.5, 2.5]}).to_parquet(q)
    with pytest.raises(CorpusError, match=r"t\.parquet, row 1: the text is a float"):
        load_corpus(q)


def test_jsonl_lone_surrogate_and_deep_nesting(tmp_path):
    p = tmp_path / "t.jsonl"
    deep = '{"x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    p.write_text('{"text": "fine"}\n{"text": "bad \\ud800 half"}\n' + deep + "\n")
    with pytest.raises(
        CorpusError, match=r"t\.jsonl, line 2, row 2: malformed JSON \(a lone surrogate"
    ):
        load_corpus(p)
    df = load_corpus(p, errors="skip")
    assert list(df["text"]) == ["fine"]
    assert [(s["row"], s["reason"]) for s in df.attrs["skipped"]] == [
        (2, "malformed JSON (a lone surrogate escape (\\ud800-\\udfff))"),
        (3, "JSON nested too deeply"),
    ]
    df.to_parquet(tmp_path / "out.parquet")  # nothing unencodable reached the table


def test_csv_field_longer_than_the_csv_module_default(tmp_path):
    p = tmp_path / "t.csv"
    long = "word " * 60_000  # 300,000 characters: past csv's 131,072 default
    p.write_text(f'text\n"{long}"\nshort\n')
    df = load_corpus(p)
    assert len(df.loc[0, "text"]) == len(long.strip()) and df.loc[1, "text"] == "short"


def test_oversized_sidecar_refused(tmp_path, monkeypatch):
    root = _folder(tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text("doc_id,speaker\n" + "good,Ana\n" * 100)
    monkeypatch.setattr(readers, "MAX_SOURCE_BYTES", 500)
    with pytest.raises(CorpusError, match=r"meta\.csv: the metadata file is larger than 500 bytes"):
        load_corpus(root, metadata=meta)
