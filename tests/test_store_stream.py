"""convert_corpus streams: batches of files in, Parquet files out, never the whole corpus.

The store must not depend on the batch size (byte-identical files and manifest), must
hold the table ``load_corpus(source)`` gives (skip list, duplicate ``doc_id`` rule,
sidecar, fingerprint), and the rows held at once must stay bounded by one batch plus
one Parquet file.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from discourse import convert_corpus, load_corpus
from discourse.cli import main
from discourse.corpus import corpus_fingerprint, read_manifest
from discourse.corpus import store as store_mod
from discourse.errors import CorpusError

pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")

WORDS = ("digital governance data trust open standards cyber security artificial intelligence "
         "divide access rights privacy platform regulation").split()


def _text(i: int, n_words: int = 120) -> str:
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(n_words)]
    return f"Speech {i}\n\n" + " ".join(words) + ".\n\nA closing paragraph number " + str(i) + ".\n"


@pytest.fixture
def generated(tmp_path) -> Path:
    """60 speeches in 6 session folders, with ``{session}/{doc_id}.txt`` ids: two bad
    files, and one doc_id that three sessions have (in different batches of a few files:
    they are read in one batch, and the first that loads is kept, as pandas does)."""
    root = tmp_path / "gen"
    for s in range(6):
        d = root / f"s{s}"
        d.mkdir(parents=True)
        for k in range(10):
            (d / f"d{s}{k:02d}.txt").write_text(_text(s * 10 + k), encoding="utf-8")
    (root / "s1" / "shared.txt").write_bytes(b"")  # bad: the first "shared" does not load
    (root / "s2" / "shared.txt").write_text(_text(900), encoding="utf-8")  # kept
    (root / "s3" / "shared.txt").write_text(_text(901), encoding="utf-8")  # a duplicate
    (root / "s3" / "d300.txt").write_bytes(b"\x00\x01" * 40)  # bad: binary
    return root


OPTIONS = {"errors": "skip", "filename_pattern": "{session}/{doc_id}.txt"}


def _files(store: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(store.iterdir())}


def test_store_is_the_same_whatever_the_batch_size(generated, tmp_path):
    stores = [
        convert_corpus(generated, tmp_path / f"b{b}", batch_size=b, target_bytes=4_000, **OPTIONS)
        for b in (2, 7, 10_000)  # 10,000: one batch, the whole corpus (not streamed)
    ]
    first = _files(stores[0])
    assert len(first) > 10  # many Parquet files, cut across batches
    for other in stores[1:]:
        assert _files(other) == first  # byte-identical files and manifest


def test_streamed_store_holds_what_load_corpus_gives(generated, tmp_path):
    expected = load_corpus(generated, **OPTIONS)
    out = convert_corpus(generated, tmp_path / "store", batch_size=4, target_bytes=4_000, **OPTIONS)
    back = load_corpus(out)
    pd.testing.assert_frame_equal(back, expected)
    for key in ("skipped", "ignored", "n_seen", "n_loaded", "n_skipped"):
        assert back.attrs[key] == expected.attrs[key], key
    manifest = read_manifest(out)
    counts = manifest["counts"]
    assert counts["n_loaded"] + counts["n_skipped"] == counts["n_seen"] == 63
    assert counts["n_skipped"] == 3  # the empty file, the binary one, the second "shared"
    reasons = [s["reason"] for s in manifest["skipped"]]
    assert sum("duplicate doc_id 'shared'" in r for r in reasons) == 1
    kept = back.loc[back["doc_id"] == "shared", "text"].tolist()
    assert len(kept) == 1 and "Speech 900" in kept[0]
    assert manifest["fingerprint"] == corpus_fingerprint(expected)
    assert sum(f["rows"] for f in manifest["files"]) == len(expected)
    for entry in manifest["files"]:
        assert hashlib.sha256((out / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # runs removed


class _Spy(store_mod._PartWriter):
    instances: list[_Spy] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.batches: list[int] = []
        #: the most rows held at once: the batch being added and the file being filled
        self.peak_rows = 0
        _Spy.instances.append(self)

    def add(self, frame):
        self.batches.append(len(frame))
        self.peak_rows = max(self.peak_rows, self.pending_rows + len(frame))
        super().add(frame)


def test_rows_held_at_once_are_bounded_by_a_batch_and_a_file(tmp_path, monkeypatch):
    root = tmp_path / "flat"
    root.mkdir()
    for i in range(80):
        (root / f"doc{i:03d}.txt").write_text(_text(i), encoding="utf-8")
    size = len(_text(0).encode("utf-8"))
    monkeypatch.setattr(store_mod, "_PartWriter", _Spy)
    _Spy.instances.clear()
    convert_corpus(root, tmp_path / "streamed", batch_size=5, target_bytes=3 * size)
    convert_corpus(root, tmp_path / "whole", batch_size=1_000, target_bytes=3 * size)
    streamed, whole = _Spy.instances
    assert streamed.batches == [5] * 16  # the source read in 16 batches of 5 files
    # held at once: at most a batch and the rows of a file not yet complete (3 documents)
    assert streamed.peak_rows <= 5 + 3
    assert whole.batches == [80] and whole.peak_rows == 80  # the unstreamed bound
    assert _files(tmp_path / "streamed") == _files(tmp_path / "whole")


def test_fingerprint_merges_many_runs_in_levels(generated, tmp_path, monkeypatch):
    monkeypatch.setattr(store_mod, "_MAX_RUNS", 2)  # 2 runs at a time: three levels or more
    monkeypatch.setattr(store_mod, "_RUN_GROUP_BYTES", 500)  # several row groups per run
    out = convert_corpus(generated, tmp_path / "store", batch_size=3, target_bytes=2_000, **OPTIONS)
    manifest = read_manifest(out)
    assert len(manifest["files"]) > 8
    assert manifest["fingerprint"] == corpus_fingerprint(load_corpus(generated, **OPTIONS))


def test_zip_and_store_sources_stream_to_the_same_store(generated, tmp_path):
    archive = tmp_path / "gen.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in sorted(generated.rglob("*.txt")):
            zf.write(f, f.relative_to(generated).as_posix())
    a = convert_corpus(archive, tmp_path / "a", batch_size=2, target_bytes=3_000, **OPTIONS)
    b = convert_corpus(archive, tmp_path / "b", batch_size=500, target_bytes=3_000, **OPTIONS)
    assert _files(a) == _files(b)
    pd.testing.assert_frame_equal(load_corpus(a), load_corpus(archive, **OPTIONS))
    # a store converted again (read file by file) into other file sizes: the same table
    c = convert_corpus(a, tmp_path / "c", target_bytes=50_000)
    assert len(read_manifest(c)["files"]) < len(read_manifest(a)["files"])
    pd.testing.assert_frame_equal(load_corpus(c), load_corpus(a))
    assert read_manifest(c)["fingerprint"] == read_manifest(a)["fingerprint"]


def test_a_bad_file_raises_and_writes_nothing(generated, tmp_path):
    with pytest.raises(CorpusError, match="the file is empty"):
        convert_corpus(generated, tmp_path / "out", batch_size=3,
                       filename_pattern="{session}/{doc_id}.txt")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]  # no temporary left
    with pytest.raises(CorpusError, match="batch_size=0 is not a positive number of files"):
        convert_corpus(generated, tmp_path / "out", batch_size=0)


def test_cli_convert_batch_size(generated, tmp_path, capsys):
    args = ["convert", str(generated), "--errors", "skip", "--filename-pattern", "{session}/{doc_id}.txt"]
    assert main([*args, str(tmp_path / "a"), "--batch-size", "3"]) == 0
    assert main([*args, str(tmp_path / "b")]) == 0
    assert "wrote 60 documents (3 skipped of 63 seen)" in capsys.readouterr().out
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_extra_columns_no_document_fills_are_dropped_across_batches(tmp_path):
    """Scraped articles: inference foresees columns (events mentioned, role) that no
    document here fills; the pandas table has no such column, nor has the store, whatever
    the batches (its files are rewritten without them at the end)."""
    root = tmp_path / "articles"
    root.mkdir()
    for i in range(7):
        (root / f"a{i}.txt").write_text(f"Title {i}\n| site.org\n\nSome digital text about data {i}.\n",
                                        encoding="utf-8")
    expected = load_corpus(root)
    a = convert_corpus(root, tmp_path / "a", batch_size=2, target_bytes=50)
    b = convert_corpus(root, tmp_path / "b", batch_size=100, target_bytes=50)
    assert _files(a) == _files(b)
    pd.testing.assert_frame_equal(load_corpus(a), expected)
    assert [c["name"] for c in read_manifest(a)["columns"]] == list(expected.columns)
    assert "role" not in expected.columns


def _traced_peak(root: Path, out: Path, **options) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        convert_corpus(root, out, **options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_traced_memory_does_not_grow_with_the_corpus(tmp_path, monkeypatch):
    """Python's own allocations (tracemalloc: the texts read, the records, the frames'
    Python objects) while converting a corpus 4 times larger: the streamed conversion's
    peak stays about the same, and below the text of the corpus, while the unstreamed
    (one batch) peak grows with it."""
    # the fingerprint's merge holds a row group of each sorted run (up to 64 runs at once:
    # at most 16 MiB by default); small row groups here, so that what is measured is the rest
    monkeypatch.setattr(store_mod, "_RUN_GROUP_BYTES", 8_000)
    sizes = {}
    for n in (40, 160):
        root = tmp_path / f"c{n}"
        root.mkdir()
        for i in range(n):
            (root / f"d{i:04d}.txt").write_text(f"Speech {i} on digital governance and open data. " * 600,
                                                encoding="utf-8")
        text = sum(f.stat().st_size for f in root.iterdir())
        if not sizes:  # once: imports and caches
            convert_corpus(root, tmp_path / "warm", batch_size=10, target_bytes=200_000)
        streamed = _traced_peak(root, tmp_path / f"s{n}", batch_size=10, target_bytes=200_000)
        whole = _traced_peak(root, tmp_path / f"w{n}", batch_size=10_000, target_bytes=2**30)
        sizes[n] = (text, streamed, whole)
    (small_text, small_streamed, small_whole), (text, streamed, whole) = sizes[40], sizes[160]
    assert text > 3.5 * small_text
    assert whole > 2.5 * small_whole  # unstreamed: grows with the corpus
    assert streamed < 1.5 * small_streamed  # streamed: one batch and one file, whatever the corpus
    assert streamed < text / 2 and streamed < whole / 2


def test_an_empty_column_of_a_table_source_is_kept(tmp_path):
    """A CSV's own column with no value stays, as load_corpus keeps it; on the Dask path too."""
    from discourse.corpus import compute_corpus

    src = tmp_path / "t.csv"
    pd.DataFrame({"doc_id": ["a", "b"], "text": ["One text.", "Another text."],
                  "note": [None, None], "tag": ["x", "y"]}).to_csv(src, index=False)
    direct = load_corpus(src)
    assert "note" in direct.columns
    stored = load_corpus(convert_corpus(src, tmp_path / "store"))
    pd.testing.assert_frame_equal(stored, direct, check_like=False)
    via_dask = compute_corpus(load_corpus(src, backend="dask"))
    assert list(via_dask.columns) == list(direct.columns)
