"""``load_corpus(..., backend="dask")``: the corpus table as a lazy dask DataFrame.

Three kinds of source (``docs/corpus.md``, *Loading with dask*):

* a corpus store (:mod:`discourse.corpus.store`): ``dask.dataframe.read_parquet``, one
  partition per file, cast to the dtypes of the store's manifest;
* a folder or an archive: the documents are listed here (names only, nothing is read),
  then read in partitions of :data:`FILES_PER_PARTITION` files by the same code as
  pandas (``readers._read_docs``: decoding, normalisation, inference, layouts,
  filename patterns), each partition with its own skip list;
* a table: read by pandas here, then split into partitions.

The skip list and counts of a dask load are not in ``attrs`` (dask does not keep
them): :func:`load_report` computes them (the skip lists of all partitions, gathered),
and :func:`compute_corpus` computes the table and its report in one pass, giving the
same table and ``attrs`` as the pandas loader. Either way ``n_loaded + n_skipped ==
n_seen``.
"""

from __future__ import annotations

import collections
import contextvars
import math
import operator
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd

from discourse.corpus import readers
from discourse.errors import CorpusError

__all__ = ["FILES_PER_PARTITION", "compute_corpus", "load_report", "map_corpus", "select_documents",
           "stack_parts", "summary_parts"]

#: Files of a folder or archive read by one partition (the UN General Debate corpus,
#: 10,952 files of 18 KB on average, is 22 partitions of about 9 MB of text).
FILES_PER_PARTITION = 500
#: Files per partition for the loads of the current context (``convert_corpus``'s
#: ``batch_size``); None: :data:`FILES_PER_PARTITION`.
_FILES_PER_PARTITION_NOW: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "discourse_files_per_partition", default=None
)
#: Text bytes per partition when a table is split after loading.
_TABLE_PARTITION_BYTES = 64 * 2**20
#: Columns inference may add beyond CORPUS_COLUMNS (tests/test_store.py checks the demo
#: corpus against this list).
_INFERRED_EXTRAS = ("events_mentioned", "role")

# The reports of the dask loads of this process, by the name of the dask collection.
_REPORTS: collections.OrderedDict[str, _Report] = collections.OrderedDict()
_MAX_REPORTS = 256


def _dd():
    try:
        import dask.dataframe as dd
    except ImportError as err:  # pragma: no cover - a dependency of the package
        raise CorpusError(
            f"backend='dask' needs dask[dataframe] ({err})",
            hint='Install it: pip install "dask[dataframe]" distributed',
        ) from None
    return dd


@dataclass
class _Report:
    """What a dask load knows, or will know once computed, of its skip list and counts."""

    attrs: dict[str, Any]
    #: The partitions' tasks, each a dask Delayed of (table, report); None when the
    #: report is known already (stores, tables).
    tasks: list[Any] | None = None
    max_source_bytes: int | None = None
    unmatched: list[dict[str, Any]] = field(default_factory=list)


def _register(ddf, report: _Report):
    _REPORTS[ddf._name] = report
    while len(_REPORTS) > _MAX_REPORTS:
        _REPORTS.popitem(last=False)
    return ddf


def _report_of(corpus) -> _Report:
    report = _REPORTS.get(getattr(corpus, "_name", None))
    if report is None:
        raise CorpusError(
            "this dask DataFrame is not a corpus as load_corpus(..., backend='dask') returned "
            "it (the skip list belongs to the loaded table, not to tables derived from it)",
            hint="Pass the table load_corpus returned, before selecting or transforming it",
        )
    return report


def _merge(report: _Report, parts: list[dict[str, Any]]) -> dict[str, Any]:
    """The attrs of the whole load from the partitions' reports."""
    attrs = dict(report.attrs)
    # in pandas's order: the files that could not be read, then the duplicates
    skipped = [s for p in parts for s in p["skipped"][: p["n_read_problems"]]]
    skipped += [s for p in parts for s in p["skipped"][p["n_read_problems"] :]]
    check_bytes_read(report, parts)
    attrs["skipped"] = skipped
    attrs["n_seen"] = sum(p["n_seen"] for p in parts)
    attrs["n_loaded"] = sum(p["n_loaded"] for p in parts)
    attrs["n_skipped"] = len(skipped)
    if "metadata" in attrs:
        unmatched = report.unmatched + [u for p in parts for u in p["unmatched"]]
        attrs["metadata_unmatched"] = sorted(unmatched, key=operator.itemgetter("row"))
    if attrs["n_loaded"] + attrs["n_skipped"] != attrs["n_seen"]:  # pragma: no cover
        raise AssertionError(
            f"loaded {attrs['n_loaded']} + skipped {attrs['n_skipped']} != seen {attrs['n_seen']}"
        )
    return attrs


def check_bytes_read(report: _Report, parts: list[dict[str, Any]]) -> None:
    """Raise when the partitions read so far together passed ``max_source_bytes``."""
    used = sum(p["bytes_read"] for p in parts)
    if report.max_source_bytes is not None and used > report.max_source_bytes:
        raise CorpusError(
            f"the source expands to more than max_source_bytes={report.max_source_bytes:,} bytes "
            f"({used:,} bytes read by the partitions together)",
            path=report.attrs["source"],
            hint="It may be an archive bomb: check where it comes from; if it is a genuine "
            "corpus, raise max_source_bytes=",
        )


def load_report(corpus) -> dict[str, Any]:
    """The skip list and counts of a loaded corpus (pandas or dask).

    Parameters
    ----------
    corpus : pandas.DataFrame or dask.dataframe.DataFrame
        As :func:`~discourse.corpus.load_corpus` returned it.

    Returns
    -------
    dict
        ``skipped`` (list of dicts: path, reason, line, row), ``ignored``, ``n_seen``,
        ``n_loaded``, ``n_skipped`` (``n_loaded + n_skipped == n_seen``), ``source``,
        ``format`` and, with a sidecar, ``metadata`` and ``metadata_unmatched``: for
        pandas a copy of ``corpus.attrs``. For a dask load of a folder or archive this
        reads every partition (the skip list is known once all are read): to get the
        table too in the same pass, use :func:`compute_corpus`.

    Raises
    ------
    CorpusError
        A dask DataFrame that is not one ``load_corpus`` returned; with
        ``errors="raise"``, the first bad file a partition met.
    """
    if isinstance(corpus, pd.DataFrame):
        return dict(corpus.attrs)
    import dask

    report = _report_of(corpus)
    if report.tasks is None:
        return dict(report.attrs)
    parts = dask.compute(*[dask.delayed(operator.getitem)(t, 1) for t in report.tasks])
    return _merge(report, list(parts))


def compute_corpus(corpus, **compute_options) -> pd.DataFrame:
    """Compute a dask corpus into the pandas corpus table, with its ``attrs``.

    Parameters
    ----------
    corpus : dask.dataframe.DataFrame
        As ``load_corpus(..., backend="dask")`` returned it.
    **compute_options
        Passed to :func:`dask.compute` (e.g. ``scheduler="processes"``).

    Returns
    -------
    pandas.DataFrame
        The table ``load_corpus(..., backend="pandas")`` gives (rows in the same order,
        a fresh ``RangeIndex``), with ``attrs`` holding the skip list and counts of
        every partition together (:func:`load_report`).
    """
    import dask

    if isinstance(corpus, pd.DataFrame):
        return corpus
    report = _report_of(corpus)
    if report.tasks is None:
        (df,) = dask.compute(corpus, **compute_options)
        attrs = dict(report.attrs)
    else:  # the partitions' tasks themselves: each read once, tables and reports together
        results = dask.compute(*report.tasks, **compute_options)
        df = pd.concat([r[0] for r in results]) if len(results) > 1 else results[0][0]
        attrs = _merge(report, [r[1] for r in results])
    if report.tasks is not None:
        # files read in partitions: the extras no document has (foreseen by the plan, all
        # missing) are not in the pandas table. A table or store keeps its columns, empty or not.
        df = df.drop(columns=_unfilled_extras(df.columns, _filled_extras(df)))
    df = df.reset_index(drop=True)
    df.attrs = attrs
    return df


def map_corpus(corpus, func) -> tuple[list[Any], dict[str, Any], list[str]]:
    """``func(partition)`` for every partition of a dask corpus, in one pass.

    Only what ``func`` returns travels to the client (e.g. the rows of a few documents,
    per-document counts), never the texts of the whole corpus. The files of a folder or
    archive are read once: the skip list and counts come from the same pass.

    Parameters
    ----------
    corpus : dask.dataframe.DataFrame
        As ``load_corpus(..., backend="dask")`` returned it.
    func : callable
        ``pandas.DataFrame -> object``, run inside the partitions (picklable for a
        cluster).

    Returns
    -------
    results : list
        ``func``'s results, in partition (corpus) order.
    attrs : dict
        The load's ``attrs`` (:func:`load_report`).
    empty : list of str
        The extra columns (beyond ``CORPUS_COLUMNS``) no document has a value in: the
        pandas corpus has no such column, drop them from tables built from the results
        (:func:`stack_parts`).
    """
    import dask

    report = _report_of(corpus)
    if report.tasks is None:
        tasks = [dask.delayed(_with_filled, pure=True)(func, p, None)
                 for p in corpus.to_delayed(optimize_graph=True)]
    else:
        tasks = [dask.delayed(_with_filled, pure=True)(func, None, t) for t in report.tasks]
    results = dask.compute(*tasks)
    if report.tasks is None:
        attrs = dict(report.attrs)
    else:
        attrs = _merge(report, [r[2] for r in results])
    filled = set().union(*(r[1] for r in results)) if results else set()
    # only files read in partitions have planned extras pandas lacks (see compute_corpus)
    extras = [] if report.tasks is None else _unfilled_extras(corpus.columns, filled)
    return [r[0] for r in results], attrs, extras


def _with_filled(func, frame, task_result):
    part = None
    if task_result is not None:
        frame, part = task_result
    return func(frame), _filled_extras(frame), part


def _filled_extras(frame: pd.DataFrame) -> set[str]:
    """The extra columns of ``frame`` (beyond ``CORPUS_COLUMNS``) that a document has a value in."""
    return {c for c in frame.columns[len(readers.CORPUS_COLUMNS):] if frame[c].notna().any()}


def _unfilled_extras(columns, filled) -> list[str]:
    """The extra columns among ``columns`` (beyond ``CORPUS_COLUMNS``, in their order) not in ``filled``.

    A load of files in partitions plans its extra columns (sidecar fields) before
    reading; the pandas table has one only when a document fills it. The planned
    extras no partition filled (``filled``: the union of :func:`_filled_extras` of
    every partition) are what ``compute_corpus``, ``map_corpus`` and ``convert_corpus``
    drop to give the pandas table's columns.
    """
    return [c for c in list(columns)[len(readers.CORPUS_COLUMNS):] if c not in filled]


def stack_parts(frames: list[pd.DataFrame], empty=(), attrs: dict[str, Any] | None = None) -> pd.DataFrame:
    """The tables :func:`map_corpus` gave for the partitions as one table.

    Stacked in partition order with a fresh ``RangeIndex``, without the columns of
    ``empty`` (its third result: planned extras no document filled) that they have,
    with ``attrs`` when given (its second result: the load's).
    """
    df = pd.concat(frames) if len(frames) > 1 else frames[0]
    df = df.drop(columns=[c for c in empty if c in df.columns]).reset_index(drop=True)
    if attrs is not None:
        df.attrs = attrs
    return df


def _rows_of(frame: pd.DataFrame, ids: frozenset) -> pd.DataFrame:
    return frame[frame["doc_id"].isin(ids)]


def select_documents(corpus, doc_ids) -> pd.DataFrame:
    """The documents of a dask corpus with the given ``doc_id``, as a pandas corpus.

    The partitions are read where they are (on the scheduler's workers), only the rows
    asked for come back: the table is ``load_corpus(..., backend="pandas")`` restricted
    to those ids (same columns, dtypes, row order), with the load's ``attrs``.
    """
    ids = frozenset(str(d) for d in doc_ids)
    import functools

    frames, attrs, empty = map_corpus(corpus, functools.partial(_rows_of, ids=ids))
    return stack_parts(frames, empty, attrs)


def _summary_part(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    from discourse.corpus.table import corpus_texts
    from discourse.text import count_tokens

    return frame.drop(columns=["text"]), [count_tokens(t) for t in corpus_texts(frame)]


def summary_parts(corpus) -> tuple[pd.DataFrame, list[int]]:
    """What :func:`~discourse.corpus.corpus_summary` needs of a dask corpus, in one pass:
    the corpus table without its texts (with the load's ``attrs``) and each document's
    token count, counted inside the partitions."""
    results, attrs, empty = map_corpus(corpus, _summary_part)
    return stack_parts([r[0] for r in results], empty, attrs), [n for r in results for n in r[1]]


# --- stores and tables ----------------------------------------------------------------------


def read_store_dask(files: list[Path], dtypes: dict[str, str], attrs: dict[str, Any]):
    """A corpus store as a dask DataFrame: one partition per file, the manifest's dtypes."""
    import dask

    dd = _dd()
    with dask.config.set({"dataframe.convert-string": False}):  # keep pandas's own str dtype
        # absolute: the workers of a cluster need not share this process's working folder
        ddf = dd.read_parquet([str(f.resolve()) for f in files])
    wrong = {c: d for c, d in dtypes.items() if str(ddf.dtypes[c]) != d and d != "object"}
    if wrong:
        ddf = ddf.astype(wrong)
    return _register(ddf, _Report(attrs))


def _table_dask(df: pd.DataFrame):
    import dask

    dd = _dd()
    attrs = dict(df.attrs)
    frame = df.copy(deep=False)
    frame.attrs = {}
    text_bytes = int(frame["text"].str.len().sum()) if len(frame) else 0
    n = max(1, min(len(frame), math.ceil(text_bytes / _TABLE_PARTITION_BYTES)))
    with dask.config.set({"dataframe.convert-string": False}):  # keep pandas's own str dtype
        ddf = dd.from_pandas(frame, npartitions=n, sort=True)
    return _register(ddf, _Report(attrs))


# --- folders and archives -------------------------------------------------------------------


@dataclass(frozen=True)
class _Spec:
    """What every partition of one load needs (one object in the task graph)."""

    source: str
    fmt: str
    is_dir: bool
    common: str
    encoding: str | None
    pattern: Any
    article_mode: str
    infer: Any
    normalise: bool
    companion_data: dict[str, Any]
    errors: str
    max_bytes: int
    max_source_bytes: int
    columns: dict[str, str]
    meta: pd.DataFrame


def load_dask(path: Path, fmt: str, options: dict[str, Any]):
    """``load_corpus(path, backend="dask", **options)`` once the format is known."""
    dd = _dd()
    import dask

    reader = readers.READERS[fmt]
    if reader.is_table:
        return _table_dask(readers.load_corpus(path, **options))
    limits = readers._Limits(str(path), options["max_bytes"], options["max_source_bytes"])
    collector = readers._Collector(options["errors"], limits, options["encoding"])
    article_mode = reader.article_mode if options["format"] != "auto" else "auto"
    suffixes = tuple(s.lower() for s in options["suffixes"])
    docs, common, pattern, companion_data, ignored, auto_sidecar = readers._load_files(
        options["metadata"] is None, path, reader, article_mode, options["filename_pattern"],
        collector, options["encoding"], suffixes, options["normalise"], options["infer"], False,
        plan_only=True,
    )
    if not docs:  # the same error as pandas ("no document found ...")
        readers.load_corpus(path, **options)
        raise AssertionError("load_corpus read a source without documents")  # pragma: no cover
    rels = [m.rel[len(common) + 1 :] if common else m.rel for m in docs]
    ids: list[str | None] = []
    extras: set[str] = set()
    outside_layouts = False
    for m, rel in zip(docs, rels, strict=True):
        if m.remainder:  # the damaged rest of an archive: no id, always skipped
            ids.append(None)
            continue
        try:
            doc_id, fields, in_layout = readers._member_identity(m.rel, rel, pattern, companion_data)
        except readers._Problem:
            doc_id, fields, in_layout = None, {}, False
        ids.append(doc_id)
        extras.update(fields)
        outside_layouts |= not in_layout
    extras.update(_record_columns(options["encoding"]))
    if options["infer"] is True or (
        options["infer"] == "auto" and article_mode != "plain" and outside_layouts
    ):
        extras.update(_INFERRED_EXTRAS)
    attrs: dict[str, Any] = {"source": str(path), "format": fmt, "ignored": ignored}
    sidecar = options["metadata"] if options["metadata"] is not None else auto_sidecar
    side_rows: list[tuple[int, list[int]]] = []
    unmatched: list[dict[str, Any]] = []
    if sidecar is not None:
        side_df, key, name = readers._read_sidecar(sidecar)
        attrs["metadata"] = name
        extras.update(c for c in side_df.columns if c not in (key, "doc_id", "path"))
        side_rows, unmatched = _sidecar_candidates(side_df, key, ids, rels)
    # documents sharing an id, and those a sidecar key may name, are read in one partition
    spans = _id_spans(ids) + [(docs_[0], docs_[-1]) for _pos, docs_ in side_rows if len(docs_) > 1]
    groups = _groups(len(ids), spans)
    side_parts: list[Any] = [None] * len(groups)
    if side_rows:
        part_of = {i: g for g, group in enumerate(groups) for i in group}
        rows_of: list[list[int]] = [[] for _ in groups]
        for pos, candidates in side_rows:
            rows_of[part_of[candidates[0]]].append(pos)
        side_parts = [
            (side_df.iloc[r].reset_index(drop=True), [p + 1 for p in r]) if r else None
            for r in rows_of
        ]
    columns = dict(options["columns"] or {})
    extras = _check_renames(columns, extras, path)
    extras -= set(readers.CORPUS_COLUMNS)
    meta = _conform(readers._finalise([]), readers.CORPUS_COLUMNS + sorted(extras))

    spec = _Spec(
        str(path), fmt, path.is_dir(), common, options["encoding"], pattern, article_mode,
        options["infer"], options["normalise"], companion_data, options["errors"],
        options["max_bytes"], options["max_source_bytes"], columns, meta,
    )
    spec_d = dask.delayed(spec, pure=True)
    entries = _entries(docs)
    tasks = [
        dask.delayed(_read_partition, pure=False)(spec_d, [entries[i] for i in group], side)
        for group, side in zip(groups, side_parts, strict=True)
    ]
    frames = [dask.delayed(operator.getitem, pure=True)(t, 0) for t in tasks]
    ddf = dd.from_delayed(frames, meta=meta, verify_meta=False)
    # the total of the partitions is checked once they are read; not for a tar, which
    # every partition streams whole (and the listing above already counted it, as pandas)
    total_limit = None if fmt == "tar" else options["max_source_bytes"]
    return _register(ddf, _Report(attrs, tasks, total_limit, unmatched))


def _record_columns(encoding: str | None) -> set[str]:
    """The columns the reader gives every plain document (beyond its path's fields and
    inference), found by reading a small document through ``readers._read_member``: the
    dask schema follows what the reader does (e.g. a column of the decoding used)."""
    probe = readers._Member("probe.txt", "probe.txt", lambda: b"Probe text.\n")
    try:
        rec = readers._read_member(probe, "probe.txt", encoding, None, "plain", False, False, {})
    except readers._Problem:  # pragma: no cover - an encoding= that cannot read it
        return set()
    return set(rec) - {"text"}


def _id_spans(ids: list[str | None]) -> list[tuple[int, int]]:
    """(first, last) document of every doc_id that more than one document has."""
    first: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for i, doc_id in enumerate(ids):
        if doc_id is None:
            continue
        f = first.setdefault(doc_id, i)
        if f != i:
            spans[doc_id] = (f, i)
    return list(spans.values())


def _groups(n: int, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Documents ``0 .. n-1`` (path order) in partitions of FILES_PER_PARTITION (or the
    context's ``_FILES_PER_PARTITION_NOW``) consecutive
    documents; the partitions a span (first, last) crosses are merged into one. Spans are
    documents sharing a doc_id, and the documents one sidecar key may name: the duplicate
    check and the sidecar then run inside one partition, in path order, exactly as in
    pandas (the first document that loads is kept, or gets the row, wherever it is)."""
    size = _FILES_PER_PARTITION_NOW.get() or FILES_PER_PARTITION
    n_parts = max(1, math.ceil(n / size))
    opens = [0] * (n_parts + 1)
    for f, last in spans:
        if last // size > f // size:
            opens[f // size] += 1
            opens[last // size] -= 1
    groups: list[list[int]] = []
    open_spans = 0
    for k in range(n_parts):
        if k == 0 or open_spans == 0:
            groups.append([])
        groups[-1].extend(range(k * size, min((k + 1) * size, n)))
        open_spans += opens[k]
    return groups


def _entries(docs) -> list[tuple[str, str, int, Any, Any]]:
    """Each document as (rel, display, occurrence, problem known from the listing, the
    archive's entry for it: a zip's ``ZipInfo``)."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for m in docs:
        k = seen.get((m.rel, m.display), 0)
        seen[(m.rel, m.display)] = k + 1
        out.append((m.rel, m.display, k, getattr(m.read, "problem", None), m.info))
    return out


class _ListedZip(zipfile.ZipFile):
    """A zip opened for reading members already listed (their ``ZipInfo`` from the
    listing): its central directory is not read again by every partition (for the UN
    corpus that was 40 % of the work of a partition of 500 files)."""

    def _RealGetContents(self):  # noqa: N802 - zipfile's name
        pass


def _sidecar_candidates(side_df: pd.DataFrame, key: str, ids, rels):
    """For each sidecar row with a key: (its position, the documents the key may name, in
    path order), by the keys of ``readers._apply_sidecar`` (id, path, file name, stem); and
    the rows whose key names no document."""
    index: dict[str, list[int]] = {}
    for i, (doc_id, rel) in enumerate(zip(ids, rels, strict=True)):
        if doc_id is None:
            continue
        for k in dict.fromkeys((doc_id, rel, PurePosixPath(rel).name, PurePosixPath(rel).stem)):
            index.setdefault(k, []).append(i)
    rows = []
    unmatched = []
    for pos, k in enumerate(side_df[key].tolist()):
        if readers._isna(k):
            continue
        k = str(k).strip().replace("\\", "/")
        candidates = index.get(k)
        if candidates is None:
            unmatched.append({"row": pos + 1, "key": k})
        else:
            rows.append((pos, candidates))
    return rows, unmatched


def _check_renames(columns: dict[str, str], extras: set[str], path: Path) -> set[str]:
    """``columns=`` for files, checked against the fields the load can give (as pandas)."""
    present = set(readers.CORPUS_COLUMNS) | extras
    for ours, theirs in columns.items():
        if ours == theirs:
            continue
        readers._check_rename(ours, theirs, present, path, shown=present - {"text"})
        extras = (extras - {theirs}) | {ours}
    return extras


def _conform(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``df`` with exactly ``columns`` (missing ones all missing), in the dask schema:
    CORPUS_COLUMNS with their dtypes, ``year``/``session`` Int64, other extras text."""
    unknown = [c for c in df.columns if c not in columns]
    if unknown:  # pragma: no cover - a column the plan did not foresee is a bug
        raise CorpusError(
            f"internal error: a partition has columns {unknown} the dask schema lacks",
            hint="This is a bug in discourse: load with backend='pandas' and report it",
        )
    out = {}
    for c in columns:
        if c in df.columns:
            s = df[c]
        else:
            s = pd.Series([None] * len(df), index=df.index, dtype=object)
        if c == "date":
            s = s.astype("datetime64[ns]")
        elif c in readers._INT_COLUMNS:
            s = s.astype("Int64")
        elif str(s.dtype) != str(pd.Series([], dtype=readers._STR).dtype):
            s = s.astype(readers._STR)
        out[c] = s
    return pd.DataFrame(out, index=df.index)


def _members(spec: _Spec, entries, limits) -> tuple[list[Any], Any]:
    """The partition's documents as members (whose bytes are read when their turn comes)."""
    Member = readers._Member
    if spec.is_dir:
        root = Path(spec.source)

        def reader_of(rel: str, display: str):
            return lambda: readers._read_file(root / rel, limits, display)

        return [
            Member(rel, display, readers._refuse(problem) if problem else reader_of(rel, display))
            for rel, display, _k, problem, _info in entries
        ], None
    if spec.fmt == "zip":
        try:
            zf = _ListedZip(spec.source)
        except OSError as err:
            raise CorpusError(
                f"cannot be read ({err.__class__.__name__}: {err})", path=spec.source,
                hint="Check the archive; load again once nothing is changing it",
            ) from None

        def zip_reader(info, display: str):
            return lambda: readers._zip_read(zf, info, limits, display)

        return [
            Member(rel, display, readers._refuse(problem) if problem else zip_reader(info, display))
            for rel, display, _k, problem, info in entries
        ], zf
    wanted = {rel for rel, _d, _k, problem, _info in entries if problem is None}
    listed, closer = readers.READERS[spec.fmt].members(
        Path(spec.source), lambda name: name in wanted, limits
    )
    listed.sort(key=lambda m: m.rel)
    by_name: dict[tuple[str, str], list[Any]] = {}
    for m in listed:
        by_name.setdefault((m.rel, m.display), []).append(m)
    out = []
    for rel, display, k, problem, _info in entries:
        if problem is not None:
            out.append(Member(rel, display, readers._refuse(problem)))
            continue
        found = by_name.get((rel, display), [])
        if len(found) <= k:
            if closer is not None:
                closer.close()
            raise CorpusError(
                "the source changed while it was being loaded (a document listed before is gone)",
                path=display,
                hint="Load again once nothing is changing the source",
            )
        out.append(found[k])
    return out, closer


def _read_partition(spec: _Spec, entries, side):
    """Read one partition: (its table in the dask schema, its report)."""
    limits = readers._Limits(spec.source, spec.max_bytes, spec.max_source_bytes)
    collector = readers._Collector(spec.errors, limits, spec.encoding)
    members, closer = _members(spec, entries, limits)
    try:
        records, rels = readers._read_docs(
            members, spec.common, spec.encoding, spec.pattern, spec.article_mode, spec.infer,
            spec.normalise, spec.companion_data, collector,
        )
    finally:
        if closer is not None:
            closer.close()
    n_read_problems = len(collector.skipped)
    records, rels = readers._drop_duplicates(records, rels, collector)
    unmatched = []
    if side is not None:
        side_df, row_numbers = side
        side_attrs: dict[str, Any] = {}
        readers._apply_sidecar(records, rels, side_df, side_attrs)
        unmatched = [
            {"row": row_numbers[u["row"] - 1], "key": u["key"]}
            for u in side_attrs["metadata_unmatched"]
        ]
    for ours, theirs in spec.columns.items():  # checked for the whole load by _check_renames
        if ours != theirs:
            for rec in records:
                if theirs in rec:
                    rec[ours] = rec.pop(theirs)
    df = _conform(readers._finalise(records), list(spec.meta.columns))
    report = {
        "skipped": collector.skipped,
        "n_read_problems": n_read_problems,
        "n_seen": len(entries),
        "n_loaded": len(df),
        "unmatched": unmatched,
        "bytes_read": limits.used,
    }
    return df, report
