"""The corpus store: a corpus converted once into partitioned Parquet, read back fast.

:func:`convert_corpus` (command line: ``discourse convert SOURCE OUT``) loads any source
:func:`~discourse.corpus.load_corpus` reads, with the same load options, and writes a
folder::

    OUT/
      manifest.json          format and version, source, load options, fingerprint,
                             counts, skip list, columns and dtypes, the files
      part-00000.parquet     the corpus table, rows in corpus order, split into files
      part-00001.parquet     of about ``target_bytes`` of text each (64 MiB)
      ...

``load_corpus(OUT)`` recognises the folder by its manifest and reads it back with
pyarrow (no normalisation or inference again: the store holds the table as it was
loaded), with the manifest's skip list and counts in ``attrs``; with
``backend="dask"`` each file is a partition of a ``dask.dataframe.DataFrame``.

The source is read in batches of files and each Parquet file is written once full:
memory holds one batch and one file, never the corpus. The same source and options give
byte-identical files and manifest whatever the batch size (no time stamp anywhere). Writing is atomic: the store is written in a hidden folder beside ``OUT``,
then renamed; an existing store at ``OUT`` is replaced only once the new one is
complete, and a folder or file that is not a store is never overwritten.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from discourse.corpus import _dask
from discourse.corpus._dask import FILES_PER_PARTITION
from discourse.errors import CorpusError

__all__ = [
    "MANIFEST_NAME",
    "STORE_FORMAT",
    "STORE_VERSION",
    "TARGET_BYTES",
    "convert_corpus",
    "is_store",
    "read_manifest",
    "read_store",
]

#: The file that makes a folder a corpus store.
MANIFEST_NAME = "manifest.json"
#: ``manifest["format"]`` of a corpus store.
STORE_FORMAT = "discourse corpus store"
#: ``manifest["version"]``: the version of the layout written here (read: this one only).
STORE_VERSION = 1
#: Default ``target_bytes`` of :func:`convert_corpus`: UTF-8 bytes of text per file.
TARGET_BYTES = 64 * 2**20

# Options of load_corpus that do not shape the table: accepted when reading a store.
_READ_OPTIONS = {"errors", "progress", "max_bytes", "max_source_bytes"}
_COMPRESSION = "zstd"


def _load_defaults() -> dict[str, Any]:
    from discourse.corpus.readers import load_corpus

    params = inspect.signature(load_corpus).parameters
    return {
        name: p.default
        for name, p in params.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("backend", "progress")
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, pd.DataFrame):
        return f"<DataFrame: {len(value)} rows, columns {', '.join(map(str, value.columns))}>"
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _records(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Skip-list style records, JSON-safe (NaN and numpy scalars as plain values)."""
    out = []
    for item in items:
        rec = {}
        for k, v in item.items():
            if v is not None and not isinstance(v, (str, bool)) and pd.api.types.is_scalar(v):
                v = None if pd.isna(v) else (int(v) if float(v).is_integer() else float(v))
            rec[k] = v
        out.append(rec)
    return out


def is_store(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a corpus store: a folder with a ``manifest.json`` of this format.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    bool
        False for anything else, including a folder with another ``manifest.json``.
    """
    manifest = Path(path) / MANIFEST_NAME
    if not manifest.is_file():
        return False
    try:
        with open(manifest, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"format"' in head and STORE_FORMAT.encode() in head


def read_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a corpus store.

    Parameters
    ----------
    path : str or path-like
        The store folder.

    Returns
    -------
    dict
        ``format``, ``version``, ``source``, ``load_options``, ``fingerprint``,
        ``counts`` (``n_seen``, ``n_loaded``, ``n_skipped``, ``n_ignored``),
        ``skipped``, ``ignored``, ``columns`` (name and dtype), ``files`` (name, rows,
        text bytes, sha256) and, with a sidecar, ``metadata`` and ``metadata_unmatched``.

    Raises
    ------
    CorpusError
        Not a store, a manifest that cannot be read, or a store of another version.
    """
    path = Path(path)
    where = path / MANIFEST_NAME
    try:
        manifest = json.loads(where.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(
            "not a corpus store (no manifest.json)", path=path,
            hint="Convert a corpus into it with discourse.convert_corpus (discourse convert)",
        ) from None
    except (OSError, ValueError) as err:
        raise CorpusError(
            f"the store's manifest cannot be read ({err.__class__.__name__}: {err})", path=where,
            hint="Convert the corpus again (discourse convert SOURCE OUT)",
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
        raise CorpusError(
            "not a corpus store (manifest.json is not a discourse store manifest)", path=where,
            hint="Pass the folder written by discourse convert",
        )
    if manifest.get("version") != STORE_VERSION:
        raise CorpusError(
            f"a store of version {manifest.get('version')!r}; this discourse reads version "
            f"{STORE_VERSION}",
            path=where,
            hint="Convert the corpus again with this version (discourse convert SOURCE OUT)",
        )
    return manifest


def _check_read_options(path: Path, manifest: dict[str, Any], options: dict[str, Any]) -> None:
    defaults = _load_defaults()
    given = [
        name
        for name, value in options.items()
        if name in defaults and name not in _READ_OPTIONS and not _same(value, defaults[name])
    ]
    if given:
        raise CorpusError(
            f"{', '.join(given)} given when reading a corpus store: the store holds the table "
            "as it was converted, with the load options of its manifest",
            path=path,
            hint="Leave these options out, or convert the source again with them "
            f"(source: {manifest.get('source')})",
        )


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return a is b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return list(a) == list(b)
    return a == b


def _store_files(path: Path, manifest: dict[str, Any]) -> list[Path]:
    files = []
    for entry in manifest.get("files", []):
        f = path / entry["name"]
        if not f.is_file() or Path(entry["name"]).name != entry["name"]:
            raise CorpusError(
                f"the store lacks {entry['name']} (listed in its manifest)", path=path,
                hint="Convert the corpus again (discourse convert SOURCE OUT)",
            )
        files.append(f)
    if not files:
        raise CorpusError(
            "the store's manifest lists no file", path=path / MANIFEST_NAME,
            hint="Convert the corpus again (discourse convert SOURCE OUT)",
        )
    return files


def _attrs(path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    counts = manifest["counts"]
    attrs = {
        "source": str(path),
        "format": "store",
        "converted_from": manifest["source"],
        "load_options": manifest["load_options"],
        "fingerprint": manifest["fingerprint"],
        "skipped": [dict(r) for r in manifest["skipped"]],
        "ignored": [dict(r) for r in manifest["ignored"]],
        "n_seen": counts["n_seen"],
        "n_loaded": counts["n_loaded"],
        "n_skipped": counts["n_skipped"],
    }
    for key in ("metadata", "metadata_unmatched"):
        if key in manifest:
            attrs[key] = manifest[key]
    return attrs


def read_store(
    path: str | os.PathLike[str],
    *,
    backend: str = "pandas",
    options: dict[str, Any] | None = None,
):
    """Read a corpus store (what ``load_corpus(store)`` does).

    Parameters
    ----------
    path : str or path-like
        The store folder.
    backend : {"pandas", "dask"}, default "pandas"
    options : dict, optional
        The load options given to :func:`~discourse.corpus.load_corpus`; those that
        shape the table must be at their defaults (the store was shaped when converted).

    Returns
    -------
    pandas.DataFrame or dask.dataframe.DataFrame
        The corpus table as converted; pandas ``attrs``: ``skipped``, ``ignored``,
        ``n_seen``, ``n_loaded``, ``n_skipped`` of the conversion, ``source`` (the store),
        ``format`` (``"store"``), ``converted_from``, ``load_options``, ``fingerprint``.
        For dask, the same through :func:`discourse.corpus.load_report`.

    Raises
    ------
    CorpusError
        Not a store, a damaged or incomplete store, or table-shaping options given.
    """
    path = Path(path)
    manifest = read_manifest(path)
    _check_read_options(path, manifest, options or {})
    files = _store_files(path, manifest)
    dtypes = {c["name"]: c["dtype"] for c in manifest["columns"]}
    if backend == "dask":
        return _dask.read_store_dask(files, dtypes, _attrs(path, manifest))
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        tables = [pq.read_table(f) for f in files]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
    except (OSError, pa.ArrowException) as err:
        raise CorpusError(
            f"a file of the store cannot be read ({err.__class__.__name__}: {err})", path=path,
            hint="Convert the corpus again (discourse convert SOURCE OUT)",
        ) from None
    del tables
    if table.num_rows != manifest["counts"]["n_loaded"] or table.column_names != list(dtypes):
        raise CorpusError(
            f"the store holds {table.num_rows} rows and columns {table.column_names}, its "
            f"manifest says {manifest['counts']['n_loaded']} rows and columns {list(dtypes)}",
            path=path,
            hint="The store was changed after it was written: convert the corpus again",
        )
    df = table.to_pandas()
    del table
    df = _with_dtypes(df, dtypes)
    df.attrs.update(_attrs(path, manifest))
    return df


def _with_dtypes(df: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """Cast columns whose dtype the Parquet round trip did not keep (rare: empty stores)."""
    wrong = {c: d for c, d in dtypes.items() if str(df[c].dtype) != d and d != "object"}
    return df.astype(wrong) if wrong else df


# --- writing ------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_out(out: Path) -> None:
    if out.is_symlink() and not out.exists():
        raise CorpusError(
            "the output is a link that points nowhere", path=out, hint="Choose another output folder"
        )
    if out.exists():
        if not out.is_dir():
            raise CorpusError(
                "a file is in the way: the output must be a folder", path=out,
                hint="Choose another output folder, or move the file away",
            )
        if not is_store(out) and any(out.iterdir()):
            raise CorpusError(
                "the output folder exists and is not a corpus store: it is never overwritten",
                path=out,
                hint="Choose a new or empty folder (an existing store is replaced)",
            )


def convert_corpus(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    target_bytes: int = TARGET_BYTES,
    batch_size: int = FILES_PER_PARTITION,
    **load_options: Any,
) -> Path:
    """Load a corpus batch by batch and write it as a corpus store: Parquet plus a manifest.

    The source is never held whole: a folder or an archive is read ``batch_size`` files
    at a time (by the partition reader of ``load_corpus(..., backend="dask")``, run here
    one partition after the other in this process), a store one of its files at a time;
    each batch goes to the Parquet file being filled, which is written once it holds
    ``target_bytes`` of text. Peak memory is about one batch plus one file of
    ``target_bytes`` of text, whatever the size of the corpus (a table file, CSV, TSV,
    JSON lines or Parquet, is read whole by its reader, as ``load_corpus`` reads it).

    Parameters
    ----------
    source : str or path-like
        Anything :func:`~discourse.corpus.load_corpus` reads (a folder, an archive, a
        table, another store).
    out : str or path-like
        The store folder to write. A new or empty folder, or an existing store (replaced
        once the new one is complete); anything else is refused.
    target_bytes : int, default :data:`TARGET_BYTES` (64 MiB)
        UTF-8 bytes of text per Parquet file (each file is one row group and one dask
        partition); a longer document gets a file of its own.
    batch_size : int, default :data:`~discourse.corpus._dask.FILES_PER_PARTITION` (500)
        Files of a folder or archive read per batch. The store does not depend on it:
        the same source and options give byte-identical files and manifest whatever the
        batch size (documents sharing a ``doc_id``, or a sidecar key, are read in one
        batch so that the first one that loads is kept, as in pandas).
    **load_options
        The options of :func:`~discourse.corpus.load_corpus` (``format``,
        ``filename_pattern``, ``metadata``, ``errors``, ``columns``, ``encoding``,
        ``suffixes``, ``normalise``, ``infer``, ``progress``, ``max_bytes``,
        ``max_source_bytes``), recorded in the manifest.

    Returns
    -------
    pathlib.Path
        ``out``. Its manifest: :func:`read_manifest`.

    Raises
    ------
    CorpusError
        What ``load_corpus`` raises; an output that is a file or a folder that is not a
        store; a bad ``target_bytes`` or ``batch_size``.

    Notes
    -----
    The table is the one ``load_corpus(source, **load_options)`` returns, with the same
    skip list and counts (``n_loaded + n_skipped == n_seen``), the same duplicate
    ``doc_id`` rule (the first document that loads is kept, the others are skipped) and
    the same fingerprint. The fingerprint (:func:`~discourse.corpus.corpus_fingerprint`)
    hashes the documents in ``doc_id`` order: each written file's ``(doc_id, text)``
    pairs are also written sorted, to a temporary run beside it, and the runs are merged
    at the end, a row group at a time (the runs are deleted). With ``errors="raise"``
    the first bad document of the first batch that has one raises; nothing is written.

    Examples
    --------
    >>> from discourse import convert_corpus, demo_corpus_path, load_corpus
    >>> import tempfile, pathlib
    >>> out = convert_corpus(demo_corpus_path(), pathlib.Path(tempfile.mkdtemp()) / "demo")
    >>> load_corpus(out).equals(load_corpus(demo_corpus_path()))
    True
    """
    from discourse.corpus.readers import load_corpus

    for name, value in (("target_bytes", target_bytes), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            what = "number of bytes" if name == "target_bytes" else "number of files"
            raise CorpusError(
                f"{name}={value!r} is not a positive {what}",
                hint=f"Pass {name}= as an int (default {TARGET_BYTES if name == 'target_bytes' else FILES_PER_PARTITION})",
            )
    if "backend" in load_options:
        raise CorpusError(
            "convert_corpus reads the source in batches itself; backend= is not an option here",
            hint="Leave backend out",
        )
    defaults = _load_defaults()
    unknown = sorted(set(load_options) - set(defaults) - {"progress"})
    if unknown:
        raise CorpusError(
            f"{', '.join(unknown)} is not an option of load_corpus",
            hint=f"The load options are: {', '.join(defaults)}",
        )
    out = Path(out).expanduser()
    _check_out(out)
    # the plan of the load (files listed, duplicates and sidecar keys grouped; nothing
    # read yet): the lazy dask load, whose partitions are then read one at a time here
    token = _dask._FILES_PER_PARTITION_NOW.set(batch_size)
    try:
        lazy = load_corpus(source, backend="dask", **load_options)
    finally:
        _dask._FILES_PER_PARTITION_NOW.reset(token)
    options = {name: _jsonable(load_options.get(name, default)) for name, default in defaults.items()}
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.writing-", dir=out.parent))
    try:
        writer = _PartWriter(tmp, target_bytes)
        attrs = _stream(lazy, writer, bool(load_options.get("progress")))
        columns = writer.finish()
        manifest = {
            "format": STORE_FORMAT,
            "version": STORE_VERSION,
            "source": str(Path(source)),
            "source_format": attrs.get("format"),
            "load_options": options,
            "fingerprint": writer.fingerprint(),
            "counts": {
                "n_seen": int(attrs.get("n_seen", writer.n_rows)),
                "n_loaded": writer.n_rows,
                "n_skipped": int(attrs.get("n_skipped", 0)),
                "n_ignored": len(attrs.get("ignored", [])),
            },
            "columns": columns,
            "files": writer.files,
            "skipped": _records(attrs.get("skipped", [])),
            "ignored": _records(attrs.get("ignored", [])),
        }
        if "metadata" in attrs:
            manifest["metadata"] = attrs["metadata"]
            manifest["metadata_unmatched"] = _records(attrs.get("metadata_unmatched", []))
        counts = manifest["counts"]
        if counts["n_loaded"] + counts["n_skipped"] != counts["n_seen"]:  # pragma: no cover
            raise AssertionError(f"loaded + skipped != seen: {counts}")
        (tmp / MANIFEST_NAME).write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=False) + "\n",
            encoding="utf-8",
        )
        os.chmod(tmp, 0o755)  # mkdtemp makes it private; a store is an ordinary folder
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _stream(lazy, writer: _PartWriter, progress: bool) -> dict[str, Any]:
    """Read the partitions of a lazy load one at a time (synchronously, in this process)
    into ``writer``; return the attrs of the whole load (skip list and counts)."""
    import dask

    report = _dask._report_of(lazy)
    if report.tasks is None:  # a store (one file per partition) or a table (read whole)
        # its columns are the pandas table's: an empty column of the user's table stays
        writer.keep_empty = True
        tasks = [dask.delayed(lambda p: (p, None))(p) for p in lazy.to_delayed(optimize_graph=True)]
    else:
        tasks = list(report.tasks)
    if progress and len(tasks) > 1:
        from tqdm.auto import tqdm

        tasks = tqdm(tasks, desc="converting", unit="batch")
    parts: list[dict[str, Any]] = []
    for task in tasks:
        (frame, part), = dask.compute(task, scheduler="sync")
        if part is not None:
            parts.append(part)
            _dask.check_bytes_read(report, parts)  # stop early on an archive bomb
        writer.add(frame)
        del frame
    return dict(report.attrs) if report.tasks is None else _dask._merge(report, parts)


def _text_bytes(table) -> list[int]:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lengths = pc.binary_length(pc.cast(table.column("text"), pa.large_binary())).fill_null(0)
    return np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.int64).tolist()


class _PartWriter:
    """The Parquet files of a store, written as batches come: rows are cut into files of
    about ``target_bytes`` of text (a file ends before the row that would take it past
    ``target_bytes``; a longer row is a file of its own: the same cuts whatever the
    batches), each file written once complete. Also keeps, per file, a sorted run of
    its ``(doc_id, text)`` for the fingerprint, and which extra columns hold a value."""

    def __init__(self, tmp: Path, target_bytes: int) -> None:
        self.tmp = tmp
        self.target = target_bytes
        self.pending: list[pd.DataFrame] = []
        self.pending_rows = 0
        self.pending_bytes = 0
        self.files: list[dict[str, Any]] = []
        self.runs: list[Path] = []
        self.n_rows = 0
        self.template: pd.DataFrame | None = None
        #: the extra columns a document has filled so far
        self.filled: set[str] = set()
        #: True when the columns are those of a pandas table (a table or store source):
        #: then no empty column is dropped; False for files read in batches, whose plan
        #: foresees extra columns (sidecar fields) that pandas has only when filled
        self.keep_empty = False

    def add(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa

        frame = frame.reset_index(drop=True)
        frame.attrs = {}
        if self.template is None:
            self.template = frame.iloc[:0]
        self.filled |= _dask._filled_extras(frame)
        sizes = _text_bytes(pa.Table.from_pandas(frame[["text"]], preserve_index=False))
        start = 0
        for i, n in enumerate(sizes):
            if self.pending_rows and self.pending_bytes + n > self.target:
                self.pending.append(frame.iloc[start:i])
                self._flush()
                start = i
            self.pending_rows += 1
            self.pending_bytes += n
        self.pending.append(frame.iloc[start:])

    def _flush(self) -> None:
        pieces = [p for p in self.pending if len(p)] or self.pending[:1]
        part = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0].reset_index(drop=True)
        self.pending, self.pending_rows, self.pending_bytes = [], 0, 0
        name = f"part-{len(self.files):05d}.parquet"
        rows, text_bytes = _write_part(part, self.tmp / name)
        self.files.append({"name": name, "rows": rows, "text_bytes": text_bytes})
        self.runs.append(_write_run(part, self.tmp / f".run-{len(self.runs):05d}.parquet"))
        self.n_rows += rows

    def finish(self) -> list[dict[str, str]]:
        """Write the last file; drop the extra columns no document has a value in (as
        ``load_corpus`` has no such column), checksum the files; return the columns."""
        if self.template is None:  # pragma: no cover - a load always gives a partition
            raise AssertionError("no partition was read")
        if self.pending_rows or not self.files:
            if not self.pending:
                self.pending = [self.template]
            self._flush()
        empty = [] if self.keep_empty else _dask._unfilled_extras(self.template.columns, self.filled)
        kept = self.template.drop(columns=empty)
        for entry in self.files:
            path = self.tmp / entry["name"]
            if empty:  # rare: an extra column the plan foresaw that no document filled
                _write_part(_read_part(path, self.template).drop(columns=empty), path)
            entry["sha256"] = _sha256(path)
        return [{"name": str(c), "dtype": str(kept[c].dtype)} for c in kept.columns]

    def fingerprint(self) -> str:
        """:func:`~discourse.corpus.corpus_fingerprint` of every row written, from the runs."""
        digest = hashlib.sha256()
        for doc_id, text in _merged_runs(self.runs, self.tmp):
            digest.update(doc_id)
            digest.update(b"\x00")
            digest.update(text)
            digest.update(b"\x00")
        for run in self.runs:
            run.unlink(missing_ok=True)
        return digest.hexdigest()


def _write_part(part: pd.DataFrame, path: Path) -> tuple[int, int]:
    """Write one file of the store (one row group); return its rows and text bytes."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(part, preserve_index=False)
    try:
        # one chunk per column: Parquet's pages follow the chunks, which follow the
        # batches the rows came in; combined, the file is the same whatever the batches
        table = table.combine_chunks()
    except pa.ArrowInvalid:  # pragma: no cover - over 2 GiB of text in one file
        pass
    small = [c for c in table.column_names if c != "text"]
    pq.write_table(
        table,
        path,
        compression=_COMPRESSION,
        row_group_size=max(table.num_rows, 1),
        # texts are all different: a dictionary and min/max statistics of them only
        # cost time (reading the UN corpus: 0.2 s instead of 0.4 s of CPU)
        use_dictionary=small,
        write_statistics=small,
    )
    return table.num_rows, int(sum(_text_bytes(table)))


def _read_part(path: Path, template: pd.DataFrame) -> pd.DataFrame:
    import pyarrow.parquet as pq

    df = pq.read_table(path).to_pandas()
    return _with_dtypes(df, {str(c): str(template[c].dtype) for c in template.columns})


#: Text bytes per row group of a fingerprint run, and runs merged at once.
_RUN_GROUP_BYTES = 2**18
_MAX_RUNS = 64


def _encoded(values: list[str]) -> list[bytes]:
    # surrogatepass, as corpus_fingerprint: UTF-8 byte order is code point order
    return [v.encode("utf-8", "surrogatepass") for v in values]


def _write_run(part: pd.DataFrame, path: Path) -> Path:
    from discourse.corpus.table import corpus_texts

    pairs = sorted(
        zip(_encoded(part["doc_id"].astype(str).tolist()), _encoded(corpus_texts(part)), strict=True)
    )
    _write_pairs(iter(pairs), path)
    return path


def _write_pairs(pairs, path: Path) -> None:
    """Write ``(doc_id, text)`` byte pairs (sorted) in row groups of about 1 MiB of text."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("doc_id", pa.large_binary()), ("text", pa.large_binary())])
    with pq.ParquetWriter(path, schema, compression="lz4") as out:
        ids: list[bytes] = []
        texts: list[bytes] = []
        size = 0
        for doc_id, text in pairs:
            ids.append(doc_id)
            texts.append(text)
            size += len(text)
            if size >= _RUN_GROUP_BYTES:
                out.write_table(pa.table([pa.array(ids, pa.large_binary()), pa.array(texts, pa.large_binary())],
                                         schema=schema))
                ids, texts, size = [], [], 0
        out.write_table(pa.table([pa.array(ids, pa.large_binary()), pa.array(texts, pa.large_binary())],
                                 schema=schema))


def _run_pairs(path: Path):
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    for i in range(pf.num_row_groups):
        group = pf.read_row_group(i)
        yield from zip(group.column(0).to_pylist(), group.column(1).to_pylist(), strict=True)


def _merged_runs(runs: list[Path], tmp: Path):
    """The pairs of every run in sorted order (merged ``_MAX_RUNS`` runs at a time)."""
    import heapq

    level = 0
    while len(runs) > _MAX_RUNS:
        merged = []
        for k in range(0, len(runs), _MAX_RUNS):
            group = runs[k : k + _MAX_RUNS]
            path = tmp / f".run-merged-{level}-{k // _MAX_RUNS:05d}.parquet"
            _write_pairs(heapq.merge(*(_run_pairs(r) for r in group)), path)
            for r in group:
                r.unlink()
            merged.append(path)
        runs[:] = merged
        level += 1
    return heapq.merge(*(_run_pairs(r) for r in runs))


def _swap_in(tmp: Path, out: Path) -> None:
    """Move the complete store ``tmp`` to ``out``, replacing an existing store there."""
    if not out.exists():
        os.rename(tmp, out)
        return
    _check_out(out)  # still a store or an empty folder (nothing changed it meanwhile)
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(old, out)  # put the previous store back
        raise
    shutil.rmtree(old, ignore_errors=True)
