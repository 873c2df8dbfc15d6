"""The corpus store (convert_corpus, discourse convert) and load_corpus(..., backend="dask").

Every dask load is compared with the pandas load of the same source and options: the
same table (compute_corpus) and the same skip list and counts (load_report), with
``loaded + skipped == seen`` across partitions. One real ``distributed.LocalCluster``
(two worker processes, loopback only) is shared by the module's cluster tests.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse import compute_corpus, convert_corpus, load_corpus, load_report
from discourse.cli import main
from discourse.corpus import CORPUS_COLUMNS, _dask, corpus_fingerprint, read_manifest
from discourse.corpus.store import MANIFEST_NAME, STORE_VERSION
from discourse.errors import CorpusError

# dask's own Parquet reader still calls reset_index(inplace=True), deprecated in pandas 3.1
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
GOOD = "Digital governance needs open standards and trust.\n\nA second paragraph on data.\n"


def _books_balance(attrs: dict) -> None:
    assert attrs["n_loaded"] + attrs["n_skipped"] == attrs["n_seen"]
    assert attrs["n_skipped"] == len(attrs["skipped"])


def _same_as_pandas(source, *, scheduler="sync", **options) -> pd.DataFrame:
    """Load ``source`` with both backends; assert the same table, skip list and counts."""
    expected = load_corpus(source, **options)
    lazy = load_corpus(source, backend="dask", **options)
    got = compute_corpus(lazy, scheduler=scheduler)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    _books_balance(got.attrs)
    assert list(lazy.columns[: len(CORPUS_COLUMNS)]) == CORPUS_COLUMNS
    assert set(expected.columns) <= set(lazy.columns)
    return got


@pytest.fixture
def bad_folder(tmp_path) -> Path:
    """Seven documents, three of them bad (empty, binary, not UTF-8 at all), spread so
    that with three files per partition each partition meets one."""
    root = tmp_path / "speeches"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    for name in ("a/01.txt", "a/03.txt", "b/05.txt", "b/07.txt"):
        (root / name).write_text(f"{name}\n\n{GOOD}", encoding="utf-8")
    (root / "a/02.txt").write_bytes(b"   \n")
    (root / "b/04.txt").write_bytes(b"\x00\x01binary" * 20)
    (root / "b/06.txt").write_bytes(b"ok \x81\x8d\x8f\x90\x9d" * 50)
    (root / "README.md").write_text("not a document\n")
    return root


@pytest.fixture
def small_partitions(monkeypatch):
    monkeypatch.setattr(_dask, "FILES_PER_PARTITION", 3)


# --- the store ---------------------------------------------------------------------------


def test_convert_then_load_gives_the_same_table_and_skip_list(bad_folder, tmp_path):
    expected = load_corpus(bad_folder, errors="skip")
    out = convert_corpus(bad_folder, tmp_path / "store", errors="skip")
    back = load_corpus(out)
    pd.testing.assert_frame_equal(back, expected)
    for key in ("skipped", "ignored", "n_seen", "n_loaded", "n_skipped"):
        assert back.attrs[key] == expected.attrs[key], key
    assert back.attrs["n_skipped"] == 3
    assert (back.attrs["format"], back.attrs["converted_from"]) == ("store", str(bad_folder))
    manifest = read_manifest(out)
    assert manifest["version"] == STORE_VERSION
    assert manifest["fingerprint"] == corpus_fingerprint(expected) == back.attrs["fingerprint"]
    assert manifest["counts"] == {"n_seen": 7, "n_loaded": 4, "n_skipped": 3, "n_ignored": 1}
    assert manifest["load_options"]["errors"] == "skip"
    assert [c["name"] for c in manifest["columns"]] == list(expected.columns)


def test_demo_store_keeps_sidecar_inference_and_dtypes(tmp_path):
    expected = load_corpus(DEMO)
    out = convert_corpus(DEMO, tmp_path / "demo", target_bytes=50_000)
    manifest = read_manifest(out)
    assert len(manifest["files"]) > 3  # split by text bytes, each file one row group
    assert sum(f["rows"] for f in manifest["files"]) == len(expected)
    back = load_corpus(out)
    pd.testing.assert_frame_equal(back, expected)
    assert back.attrs["metadata_unmatched"] == expected.attrs["metadata_unmatched"]


def test_every_document_bad_gives_an_empty_store_with_all_columns(tmp_path):
    root = tmp_path / "bad"
    root.mkdir()
    (root / "a.txt").write_bytes(b"")
    (root / "b.txt").write_bytes(b"  \n")
    expected = load_corpus(root, errors="skip")
    store = convert_corpus(root, tmp_path / "store", errors="skip")
    pd.testing.assert_frame_equal(load_corpus(store), expected)
    assert load_corpus(store).attrs["n_skipped"] == 2
    got = _same_as_pandas(root, errors="skip")
    assert got.empty and list(got.columns) == CORPUS_COLUMNS
    pd.testing.assert_frame_equal(compute_corpus(load_corpus(store, backend="dask"), scheduler="sync"), expected)


def test_same_source_and_options_give_byte_identical_stores(bad_folder, tmp_path):
    a = convert_corpus(bad_folder, tmp_path / "a", errors="skip", target_bytes=100)
    b = convert_corpus(bad_folder, tmp_path / "b", errors="skip", target_bytes=100)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert len(names) == 1 + 4  # the manifest and one file per document at 100 bytes
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    for entry in read_manifest(a)["files"]:
        import hashlib

        assert hashlib.sha256((a / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]


def test_a_store_is_replaced_but_never_another_folder_or_a_file(bad_folder, tmp_path):
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    with pytest.raises(CorpusError, match="not a corpus store: it is never overwritten"):
        convert_corpus(bad_folder, other, errors="skip")
    assert [p.name for p in other.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(CorpusError, match="a file is in the way"):
        convert_corpus(bad_folder, a_file, errors="skip")
    store = convert_corpus(bad_folder, tmp_path / "store", errors="skip")
    # a failing conversion leaves the previous store as it was and no temporary folder
    before = {p.name: p.read_bytes() for p in store.iterdir()}
    with pytest.raises(CorpusError, match="the file is empty"):
        convert_corpus(bad_folder, store)  # errors="raise": the empty file stops it
    assert {p.name: p.read_bytes() for p in store.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine", "speeches", "store"]
    # a successful one replaces it
    (bad_folder / "b/04.txt").unlink()
    (bad_folder / "b/06.txt").unlink()
    (bad_folder / "a/02.txt").unlink()
    convert_corpus(bad_folder, store)
    assert read_manifest(store)["counts"]["n_skipped"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "mine", "speeches", "store"]


def test_reading_a_store_refuses_shaping_options_and_damage(bad_folder, tmp_path):
    store = convert_corpus(bad_folder, tmp_path / "store", errors="skip")
    with pytest.raises(CorpusError, match="filename_pattern, normalise given when reading a corpus store"):
        load_corpus(store, filename_pattern="{x}.txt", normalise=False)
    load_corpus(store, errors="raise", max_bytes=10)  # options that do not shape the table
    manifest = json.loads((store / MANIFEST_NAME).read_text())
    manifest["version"] = 99
    (store / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(CorpusError, match="a store of version 99"):
        load_corpus(store)
    manifest["version"] = STORE_VERSION
    manifest["counts"]["n_loaded"] += 1
    (store / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(CorpusError, match="The store was changed after it was written"):
        load_corpus(store)
    (store / "part-00000.parquet").unlink()
    with pytest.raises(CorpusError, match="the store lacks part-00000.parquet"):
        load_corpus(store)
    # a manifest.json that is not ours: the folder is an ordinary folder of documents
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "manifest.json").write_text('{"name": "scraper output"}')
    (plain / "one.txt").write_text(GOOD)
    assert load_corpus(plain)["doc_id"].tolist() == ["one"]


def test_cli_convert_then_info(bad_folder, tmp_path, capsys):
    out = tmp_path / "store"
    assert main(["convert", str(bad_folder), str(out), "--errors", "skip", "--partition-mb", "1"]) == 0
    said = capsys.readouterr().out
    assert said.startswith(f"wrote 4 documents (3 skipped of 7 seen) in 1 Parquet file(s) to {out}")
    assert main(["info", str(out)]) == 0
    assert "4" in capsys.readouterr().out
    other = tmp_path / "other"
    other.mkdir()
    (other / "x").write_text("x")
    assert main(["convert", str(bad_folder), str(other), "--errors", "skip"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"discourse convert: error: {other}: the output folder exists and is not a corpus store")


# --- dask: folders and archives in partitions ---------------------------------------------


def test_dask_folder_skips_across_partitions_like_pandas(bad_folder, small_partitions):
    lazy = load_corpus(bad_folder, backend="dask", errors="skip")
    assert lazy.npartitions == 3
    report = load_report(lazy)
    _books_balance(report)
    assert (report["n_seen"], report["n_skipped"]) == (7, 3)
    assert report == load_corpus(bad_folder, errors="skip").attrs
    got = _same_as_pandas(bad_folder, errors="skip")
    assert got["doc_id"].tolist() == ["a/01", "a/03", "b/05", "b/07"]


CONTENTS = {
    "good": GOOD.encode(),
    "article": b"Forum opens 2021 Digital Futures Dialogue\n\n| example.org\n\nAmina Otieno, chair of "
    b"the Digital Futures Network (DFN), opened the 2021 Digital Futures Dialogue on November 3.\n",
    "empty": b"",
    "blank": b" \n\t\n",
    "binary": b"\x00\x01\x02binary" * 8,
    "undecodable": b"ok \x81\x8d\x8f\x90\x9d" * 20,
    "cp1252": "Caf\u00e9 \u201cdigital\u201d governance.".encode("cp1252"),
}


@settings(
    max_examples=int(os.environ.get("DISCOURSE_HYPOTHESIS_EXAMPLES", "15")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(["", "a/", "b/c/"]),
            st.sampled_from(["x", "y", "z", "w", "README", ".hidden", "notes.md"]),
            st.sampled_from(sorted(CONTENTS)),
        ),
        min_size=1,
        max_size=12,
    ),
    per_partition=st.integers(1, 4),
    archive=st.sampled_from(["folder", "zip", "tar.gz"]),
    pattern=st.sampled_from([None, "{doc_id}.txt"]),
    sidecar=st.lists(
        st.sampled_from(["x0.txt", "x1", "y2", "a/x0", "b/c/z1.txt", "w0", "nothere"]),
        unique=True,
        max_size=4,
    ),
)
def test_dask_and_pandas_agree_on_any_mix_of_good_and_bad_files(
    tmp_path_factory, monkeypatch, files, per_partition, archive, pattern, sidecar
):
    """Random folders, zips and tar.gz archives of good, bad and ignored files, duplicate ids and ambiguous
    sidecar keys included, in partitions of 1 to 4 files: the same table, skip list,
    sidecar matches and counts as pandas."""
    monkeypatch.setattr(_dask, "FILES_PER_PARTITION", per_partition)
    root = tmp_path_factory.mktemp("mix") / "src"
    members = {}
    for i, (folder, stem, kind) in enumerate(files):
        name = stem if "." in stem.lstrip(".") else f"{stem}{i % 3}.txt"
        members[f"{folder}{name}"] = CONTENTS[kind]
    if sidecar:
        rows = "".join(f"{key},C{n}\n" for n, key in enumerate(sidecar))
        members["metadata.csv"] = f"file,country\n{rows}".encode()
    if archive == "zip":
        source = root.with_suffix(".zip")
        with zipfile.ZipFile(source, "w") as zf:
            for name, data in members.items():
                zf.writestr(f"src/{name}", data)
    elif archive == "tar.gz":
        source = root.with_suffix(".tar.gz")
        with tarfile.open(source, "w:gz") as tf:
            for name, data in members.items():
                info = tarfile.TarInfo(f"src/{name}")
                info.size = len(data)
                tf.addfile(info, io.BytesIO(data))
    else:
        for name, data in members.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        source = root
    try:
        expected = load_corpus(source, errors="skip", filename_pattern=pattern)
    except CorpusError as err:  # a source with no document at all: the same error
        with pytest.raises(CorpusError) as dask_err:
            load_corpus(source, backend="dask", errors="skip", filename_pattern=pattern)
        assert str(dask_err.value) == str(err)
        return
    lazy = load_corpus(source, backend="dask", errors="skip", filename_pattern=pattern)
    got = compute_corpus(lazy, scheduler="sync")
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs == expected.attrs
    _books_balance(got.attrs)
    assert load_report(lazy) == expected.attrs


def test_dask_raises_the_pandas_error_for_a_bad_file(bad_folder, small_partitions):
    (bad_folder / "b/04.txt").unlink()
    (bad_folder / "b/06.txt").unlink()
    with pytest.raises(CorpusError) as pandas_err:
        load_corpus(bad_folder)
    lazy = load_corpus(bad_folder, backend="dask")  # lazy: nothing is read yet
    with pytest.raises(CorpusError) as dask_err:
        lazy.compute(scheduler="sync")
    assert str(dask_err.value) == str(pandas_err.value)
    assert "a/02.txt: the file is empty" in str(dask_err.value)
    with pytest.raises(CorpusError, match="the file is empty"):
        load_report(lazy)


def test_a_file_that_vanishes_before_its_partition_reads_it_is_listed(bad_folder, small_partitions):
    lazy = load_corpus(bad_folder, backend="dask", errors="skip")  # listed now, read later
    (bad_folder / "b/07.txt").unlink()
    got = compute_corpus(lazy, scheduler="sync")
    _books_balance(got.attrs)
    assert got.attrs["n_seen"] == 7 and got.attrs["n_skipped"] == 4
    assert got.attrs["skipped"][-1] == {
        "path": str(bad_folder / "b/07.txt"),
        "reason": "cannot be read (FileNotFoundError): it vanished while the corpus was loading",
        "line": None,
        "row": None,
    }
    assert got["doc_id"].tolist() == ["a/01", "a/03", "b/05"]


def test_dask_duplicates_in_different_partitions_are_caught(tmp_path, small_partitions):
    root = tmp_path / "dups"
    for folder in ("a", "b", "c"):
        (root / folder).mkdir(parents=True)
        for name in ("x", "y"):
            (root / folder / f"{name}.txt").write_text(f"{folder} {name}\n\n{GOOD}")
    got = _same_as_pandas(root, errors="skip", filename_pattern="{doc_id}.txt")
    assert got["doc_id"].tolist() == ["x", "y"]
    assert got.attrs["n_skipped"] == 4
    assert {s["reason"] for s in got.attrs["skipped"]} == {
        "duplicate doc_id 'x' (also " + str(root / "a/x.txt") + ")",
        "duplicate doc_id 'y' (also " + str(root / "a/y.txt") + ")",
    }


def test_dask_max_source_bytes_counts_every_partition(tmp_path, small_partitions):
    root = tmp_path / "six"
    root.mkdir()
    for i in range(6):
        (root / f"{i}.txt").write_text(f"{i} " + "word " * 19)  # 97 bytes each
    with pytest.raises(CorpusError, match="more than max_source_bytes=400"):
        load_corpus(root, max_source_bytes=400)
    lazy = load_corpus(root, backend="dask", max_source_bytes=400)  # 291 bytes a partition
    with pytest.raises(CorpusError, match=r"more than max_source_bytes=400 bytes \(582 bytes read"):
        compute_corpus(lazy, scheduler="sync")
    with pytest.raises(CorpusError, match="more than max_source_bytes=400"):
        load_report(lazy)
    with pytest.raises(CorpusError, match=r"/[03].txt: larger than max_bytes=50 bytes \(97 bytes\)"):
        compute_corpus(load_corpus(root, backend="dask", max_bytes=50), scheduler="sync")
    # a tar is streamed whole by every partition: its size counts once, as in pandas
    tar = tmp_path / "six.tar"
    with tarfile.open(tar, "w") as tf:
        tf.add(root, arcname="six")
    assert len(load_corpus(tar, max_source_bytes=600)) == 6
    _same_as_pandas(tar, max_source_bytes=600)


def test_dask_zip_with_refused_members_and_sidecar(tmp_path, small_partitions):
    path = tmp_path / "corpus.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(7):
            zf.writestr(f"corpus/doc{i}.txt", f"Document {i}.\n\n{GOOD}")
        link = zipfile.ZipInfo("corpus/link.txt")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
        zf.writestr("corpus/empty.txt", "")
        zf.writestr(
            "corpus/metadata.csv", "file,country,year\ndoc1.txt,KEN,2021\ndoc6,FRA,2019\nnothere,X,1\n"
        )
    got = _same_as_pandas(path, errors="skip")
    assert got.attrs["n_seen"] == 9 and got.attrs["n_skipped"] == 2
    assert got.attrs["metadata_unmatched"] == [{"row": 3, "key": "nothere"}]
    assert got.set_index("doc_id").loc["doc6", "country"] == "FRA"


def test_dask_tar_gz_and_filename_pattern(tmp_path, small_partitions):
    path = tmp_path / "corpus.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        for i, (iso, year) in enumerate([("ARG", 2016), ("KEN", 2017), ("FRA", 2018), ("USA", 2019)]):
            data = f"Speech {i}.\n\n{GOOD}".encode()
            info = tarfile.TarInfo(f"speeches/{iso}_{year}.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        info = tarfile.TarInfo("speeches/badname.txt")
        info.size = len(GOOD)
        tf.addfile(info, io.BytesIO(GOOD.encode()))
    got = _same_as_pandas(path, errors="skip", filename_pattern="{country}_{year}.txt")
    assert got["year"].tolist() == [2016, 2018, 2017, 2019]  # ARG, FRA, KEN, USA: path order
    assert got.attrs["skipped"][0]["path"].endswith("!speeches/badname.txt")


def test_dask_table_and_demo_articles(tmp_path):
    table = tmp_path / "talks.csv"
    table.write_text("id,text,year\na,Open data for all.,2020\nb,,2021\nc,AI safety first.,x\n")
    got = _same_as_pandas(table, errors="skip", columns={"doc_id": "id"})
    assert got.attrs["n_skipped"] == 1
    # scraped articles with inference and a sidecar: the dask schema foresees every column
    _same_as_pandas(DEMO)


def test_dask_store_reads_parquet_with_the_store_dtypes(bad_folder, tmp_path):
    store = convert_corpus(bad_folder, tmp_path / "store", errors="skip", target_bytes=100)
    lazy = load_corpus(store, backend="dask")
    assert lazy.npartitions == 4
    expected = load_corpus(store)
    assert lazy.dtypes.to_dict() == expected.dtypes.to_dict()
    assert load_report(lazy)["skipped"] == expected.attrs["skipped"]
    pd.testing.assert_frame_equal(compute_corpus(lazy, scheduler="sync"), expected, check_like=False)
    with pytest.raises(CorpusError, match="not a corpus as load_corpus"):
        load_report(lazy[["doc_id"]])


def test_bad_backend_is_a_clear_error(bad_folder):
    with pytest.raises(CorpusError, match="backend='spark' is not an option"):
        load_corpus(bad_folder, backend="spark")


# --- a real cluster: two worker processes on the loopback interface ------------------------


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # its HTTP server too: loopback, any free port
        worker_dashboard_address="127.0.0.1:0",
    )
    client = distributed.Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


@pytest.mark.slow
def test_cluster_load_of_files_and_store_matches_pandas(bad_folder, tmp_path, small_partitions, cluster_client):
    assert len(cluster_client.scheduler_info()["workers"]) == 2
    for address in cluster_client.scheduler_info()["workers"]:
        assert address.startswith("tcp://127.0.0.1:")
    got = _same_as_pandas(bad_folder, scheduler=cluster_client, errors="skip")
    assert (got.attrs["n_seen"], got.attrs["n_loaded"], got.attrs["n_skipped"]) == (7, 4, 3)
    # the partitions ran in the worker processes, not here
    pids = cluster_client.run(os.getpid)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    store = convert_corpus(bad_folder, tmp_path / "store", errors="skip", target_bytes=100)
    pd.testing.assert_frame_equal(
        compute_corpus(load_corpus(store, backend="dask"), scheduler=cluster_client), load_corpus(store)
    )


@pytest.mark.slow
def test_cluster_raises_the_pandas_error(bad_folder, small_partitions, cluster_client):
    with pytest.raises(CorpusError) as pandas_err:
        load_corpus(bad_folder)
    with pytest.raises(CorpusError) as dask_err:
        compute_corpus(load_corpus(bad_folder, backend="dask"), scheduler=cluster_client)
    # each partition stops at its first bad file: which partition reports first may
    # differ from pandas (the first in path order), the error is the one pandas gives
    # for that file
    assert pandas_err.value.path == str(bad_folder / "a/02.txt")
    bad = {(s["path"], s["reason"], s["line"]) for s in load_corpus(bad_folder, errors="skip").attrs["skipped"]}
    err = dask_err.value
    assert (err.path, err.problem, err.line) in bad
    assert str(err).startswith(f"{err.path}, line {err.line}: {err.problem}." if err.line else f"{err.path}: {err.problem}.")


# --- the UN General Debate corpus ------------------------------------------------------------


@pytest.mark.slow
def test_ungdc_store_loads_fast_and_equal(ungdc_zip, ungdc_corpus, tmp_path):
    store = convert_corpus(ungdc_zip, tmp_path / "ungdc")
    cpu = []
    for _ in range(2):  # the better of two: the machine is shared, page faults vary
        start = time.process_time()
        back = load_corpus(store)
        cpu.append(time.process_time() - start)
    assert min(cpu) < 1.5, f"{min(cpu):.2f} s of CPU to read the store"
    pd.testing.assert_frame_equal(back, ungdc_corpus)
    assert read_manifest(store)["fingerprint"] == corpus_fingerprint(ungdc_corpus)
    assert back.attrs["n_seen"] == 10952
