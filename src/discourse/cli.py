"""The ``discourse`` command line.

Every subcommand that reads a corpus takes the same load options as
:func:`discourse.load_corpus` (``--format``, ``--filename-pattern``, ``--metadata``,
``--errors``, ``--text-column``...).

Exit statuses and what is printed on stderr:

- 0: done.
- 2: an expected failure: bad input (any :class:`~discourse.errors.DiscourseError`),
  a bad option, a missing file, an output that cannot be written (no permission, a
  file in the way of a folder, a folder in the way of a file, a full disk). One line
  ``discourse CMD: error: <where>: <what>. <what to do>.``, never a traceback (a
  failing report notebook adds the failing cell's last lines, indented, below it).
- 1: an unexpected error, a bug: one line saying so and where its traceback was
  written (a ``discourse-traceback-*.txt`` file in the temporary folder), to send with
  the report of the bug; ``--debug`` prints the traceback instead.
- 130: interrupted with Ctrl-C (SIGINT), 143: terminated (SIGTERM), 129: hung up
  (SIGHUP, the terminal closed); no traceback, and
  a report being built is abandoned with the previous one left as it was.
- 141: the reader of the output went away (``discourse themes SOURCE | head``).
"""

from __future__ import annotations

import argparse
import errno
import io
import logging
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from discourse.errors import DiscourseError

__all__ = ["main", "build_parser"]


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: ``discourse CMD: error: ...``."""

    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (for usage: {self.prog} --help)\n")

    def parse_args(self, args=None, namespace=None):
        ns, extras = self.parse_known_args(args, namespace)
        if extras:  # said by the subcommand's parser, whose options they are not
            target = getattr(self, "commands", {}).get(getattr(ns, "command", None), self)
            target.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised in the main thread so that cleanups run as on Ctrl-C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum, frame):  # pragma: no cover - exercised in a subprocess
    raise _Terminated(signum)


#: Signals that end the command as Ctrl-C does (cleanups run), and how it says so.
_ENDING_SIGNALS = {signal.SIGTERM: "terminated", getattr(signal, "SIGHUP", None): "hung up"}
_ENDING_SIGNALS.pop(None, None)  # no SIGHUP on Windows


def _add_load_options(p: argparse.ArgumentParser) -> None:
    from discourse.corpus.readers import LAYOUTS, READERS

    p.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS,
        help="on an unexpected error, print its traceback instead of writing it to a file",
    )

    endings = ", ".join(s for r in READERS.values() for s in r.suffixes)
    p.add_argument("source", help=f"corpus: a folder, or a file ending in {endings}")
    g = p.add_argument_group("load options (as discourse.load_corpus)")
    g.add_argument(
        "--format",
        default="auto",
        choices=["auto", *READERS],
        help="source format (default: auto, from the path). "
        + "; ".join(f"{r.name}: {r.description}" for r in READERS.values())
        + ". Recognised in folders and archives with no option: "
        + "; ".join(lay.description for lay in LAYOUTS.values()),
    )
    g.add_argument(
        "--filename-pattern",
        default=None,
        metavar="PATTERN",
        help='metadata in file names, e.g. "{country}_{session}_{year}.txt"',
    )
    g.add_argument(
        "--metadata",
        default=None,
        metavar="CSV",
        help="sidecar metadata CSV keyed by file name or doc_id (default: metadata.csv in the source, if any)",
    )
    g.add_argument(
        "--errors",
        default="raise",
        choices=["raise", "skip"],
        help="stop at the first bad file (raise) or skip and list it (skip)",
    )
    g.add_argument("--max-bytes", type=int, default=None, metavar="N",
                   help="largest document in bytes, once decompressed (default 64 MiB); larger ones are bad files")
    g.add_argument("--max-source-bytes", type=int, default=None, metavar="N",
                   help="most bytes read from the whole source, decompressed (default 2 GiB); past it the load stops")
    g.add_argument("--encoding", default=None, metavar="ENC",
                   help="decode every file with this encoding (e.g. gb18030, big5, cp1252); "
                   "default: detect it per file (the corpus's encoding column says which)")
    g.add_argument(
        "--text-column",
        default=None,
        metavar="COL",
        help="for tables: the column holding the text (default: text)",
    )
    g.add_argument(
        "--column",
        action="append",
        default=[],
        metavar="OURS=THEIRS",
        help="for tables: map a corpus column to a table column, e.g. --column speaker=author (repeatable)",
    )


def _column_mapping(args: argparse.Namespace) -> dict[str, str]:
    """The --column OURS=THEIRS and --text-column options as load_corpus's ``columns``."""
    columns = {}
    for item in args.column:
        if "=" not in item:
            raise DiscourseError(
                f"--column {item!r} is not of the form OURS=THEIRS",
                hint="write e.g. --column speaker=author",
            )
        ours, theirs = item.split("=", 1)
        columns[ours.strip()] = theirs.strip()
    if args.text_column:
        columns["text"] = args.text_column
    return columns


def _limits(args: argparse.Namespace) -> dict:
    """The size limits and encoding given on the command line (load_corpus's defaults otherwise)."""
    return {name: getattr(args, name) for name in ("max_bytes", "max_source_bytes", "encoding")
            if getattr(args, name, None) is not None}


def _load_options(args: argparse.Namespace) -> dict:
    """load_corpus's options from the command line: format, filename pattern, sidecar,
    errors, the size limits and encoding, and ``columns`` when --column/--text-column
    give any. Shared by every command that loads a corpus (and passed on by convert and
    report)."""
    options = {
        "format": args.format,
        "filename_pattern": args.filename_pattern,
        "metadata": args.metadata,
        "errors": args.errors,
        **_limits(args),
    }
    columns = _column_mapping(args)
    if columns:
        options["columns"] = columns
    return options


def _load(args: argparse.Namespace):
    from discourse.corpus import load_corpus

    # a progress bar on a terminal only
    return load_corpus(args.source, progress=sys.stderr.isatty(), **_load_options(args))


def _load_for(args: argparse.Namespace):
    """The corpus of a corpus-wide command: a Dask frame with ``--scheduler``, else pandas."""
    if not getattr(args, "scheduler", None):
        return _load(args)
    from discourse._dask import load_dask_corpus

    return load_dask_corpus(args.source, **_load_options(args))


def _positive_int(value: str) -> int:
    """argparse type of a count option (1 or more), with a message naming the value."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number; give 1 or more") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{value} is too small; give 1 or more")
    return n


def _add_scheduler(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument(
        "--scheduler", default=None, metavar="SPEC",
        help="run on Dask: threads, processes, or the address of a running Dask scheduler "
        "(tcp://host:8786); default: in memory, no Dask (docs/scale.md)" + (f". {what}" if what else ""),
    )


def _pandas_after_dask(args: argparse.Namespace):
    """The pandas corpus, loaded on the scheduler (``--scheduler``: the files are read,
    decoded, normalised and inferred in Dask partitions, then gathered), else as always."""
    if not getattr(args, "scheduler", None):
        return _load(args)
    from discourse.corpus import compute_corpus

    return compute_corpus(_load_for(args))


def _check_output(output: str | os.PathLike[str] | None, *, folder: bool = False, beside: bool = False) -> None:
    """Fail before any work if ``output`` cannot be written.

    A file where a folder is needed (the output itself, or a folder above it), a folder
    where a file is needed, or a folder one cannot write in (tried by creating a
    temporary file there, which is removed at once): a :class:`DiscourseError` naming
    the path. ``beside``: the output is built beside itself and moved into place (the
    report), so its parent folder must be writable.
    """
    if output is None or output == "-":
        return
    out = Path(output)
    what = "folder" if folder else "file"
    if out.exists():
        if folder and not out.is_dir():
            raise DiscourseError(
                "a file is in the way: the output folder is a file", path=out,
                hint="choose another folder with -o, or move the file away",
            )
        if not folder and out.is_dir():
            raise DiscourseError(
                "the output file is a folder", path=out, hint="name a file with -o (e.g. -o out.csv)",
            )
    parent = out if folder and not beside and out.is_dir() else out.parent
    while not parent.exists():
        if parent.is_symlink():  # a dangling link
            raise DiscourseError(
                f"the output {what} cannot be created: this link points nowhere", path=parent,
                hint="choose another output with -o",
            )
        parent = parent.parent
    if not parent.is_dir():
        raise DiscourseError(
            f"a file is in the way of the output {what}: this is a file, not a folder", path=parent,
            hint="choose another output with -o, or move the file away",
        )
    try:
        if not folder and out.is_file():
            with open(out, "ab"):  # appends nothing: only asks whether it may be written
                pass
        else:
            tempfile.TemporaryFile(dir=parent).close()
    except OSError as err:
        problem = _OS_PROBLEMS.get(err.errno, (err.strerror or type(err).__name__, ""))[0]
        raise DiscourseError(
            f"the output {what} cannot be written here: {problem}", path=out if out.is_file() else parent,
            hint="choose a folder you can write in with -o, or change its permissions",
        ) from None


_OS_PROBLEMS = {
    errno.ENOENT: ("no such file or folder", "check the path"),
    errno.EACCES: ("permission denied", "check its permissions, or choose another path"),
    errno.EPERM: ("operation not permitted", "check its permissions, or choose another path"),
    errno.EISDIR: ("this is a folder, where a file is needed", "name a file"),
    errno.ENOTDIR: ("a file is in the way: a part of this path is a file, not a folder",
                    "choose another path, or move the file away"),
    errno.EEXIST: ("it already exists", "choose another path, or remove it"),
    errno.ENOSPC: ("no space left on the device", "free some space, or write elsewhere"),
    errno.EROFS: ("the file system is read-only", "write elsewhere"),
    errno.ENAMETOOLONG: ("the name is too long", "choose a shorter path"),
    errno.EDQUOT: ("disk quota exceeded", "free some space, or write elsewhere"),
}


def _os_error_message(err: OSError) -> str:
    """An OSError (a missing file, no permission, a full disk...) in the project's wording."""
    from discourse.errors import describe

    problem, hint = _OS_PROBLEMS.get(err.errno, (err.strerror or str(err) or type(err).__name__, "check the path"))
    path = err.filename
    if err.filename2 is not None:
        path = f"{err.filename} -> {err.filename2}"
    return describe(problem, path=path, hint=hint)


def _write_table(df, output: str | None) -> None:
    if output is None or output == "-":
        df.to_csv(sys.stdout, index=False)
        return
    out = Path(output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        df.to_parquet(out, index=False)
    else:
        df.to_csv(out, index=False, sep="\t" if out.suffix == ".tsv" else ",")
    print(f"wrote {len(df)} rows to {out}", file=sys.stderr)


# --- subcommands -------------------------------------------------------------------


def _cmd_info(args: argparse.Namespace) -> int:
    from discourse._dask import scheduler
    from discourse.corpus import corpus_summary

    with scheduler(args.scheduler):
        corpus = _load_for(args)
        summary = corpus_summary(corpus)  # a Dask corpus: tokens counted in the partitions
    print(summary)
    return 0


def _cmd_convert(args: argparse.Namespace) -> int:
    from discourse.corpus.store import convert_corpus, read_manifest

    _check_output(args.output, folder=True, beside=True)  # written beside, then renamed
    out = convert_corpus(
        args.source,
        args.output,
        target_bytes=args.partition_mb * 2**20,
        # unset: convert_corpus's default (a constant of the package, not repeated here)
        **({} if args.batch_size is None else {"batch_size": args.batch_size}),
        progress=sys.stderr.isatty(),
        **_load_options(args),
    )
    manifest = read_manifest(out)
    n = manifest["counts"]
    print(f"wrote {n['n_loaded']} documents ({n['n_skipped']} skipped of {n['n_seen']} seen) "
          f"in {len(manifest['files'])} Parquet file(s) to {out}; load it with discourse.load_corpus"
          f"({str(out)!r}) or any command (fingerprint {manifest['fingerprint'][:12]})")
    return 0


def _cmd_themes(args: argparse.Namespace) -> int:
    from discourse._dask import scheduler
    from discourse.themes import load_dictionary, theme_frequencies

    _check_output(args.output)
    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
    by = [c.strip() for c in args.by.split(",")] if args.by else "event"
    with scheduler(args.scheduler):
        corpus = _load_for(args)
        table = theme_frequencies(corpus, dictionary, by=by, seed=args.seed)
    _write_table(table, args.output)
    return 0


def _cmd_kwic(args: argparse.Namespace) -> int:
    import pandas as pd

    from discourse._dask import scheduler
    from discourse.themes import kwic, load_dictionary

    _check_output(args.output)
    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
    with scheduler(args.scheduler):
        corpus = _load_for(args)
        if getattr(args, "scheduler", None):  # kwic of each partition; only the lines come back
            import functools

            from discourse.corpus._dask import map_corpus, stack_parts

            parts, _attrs, empty = map_corpus(corpus, functools.partial(
                kwic, query=args.query, window=args.window, dictionary=dictionary))
            table = stack_parts(parts, empty)
        else:
            table = kwic(corpus, args.query, window=args.window, dictionary=dictionary)
    if args.output:
        _write_table(table, args.output)
        return 0
    if table.empty:
        print(f"no match for {args.query!r}", file=sys.stderr)
        return 0
    shown = table.head(args.limit)
    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        for row in shown.itertuples(index=False):
            print(f"{row.doc_id}: ...{row.left} [{row.match}] {row.right}...")
    if len(table) > len(shown):
        print(f"({len(table) - len(shown)} more; use -o FILE for all)", file=sys.stderr)
    return 0


def _cmd_topics(args: argparse.Namespace) -> int:
    from discourse._dask import scheduler
    from discourse.topics import write_topic_outputs

    _check_output(args.output, folder=True)
    if args.sample_size is not None and not args.scheduler:
        raise DiscourseError(
            "--sample-size was given without --scheduler: in memory the model is fitted on every document",
            hint="Add --scheduler (threads, processes or a scheduler address), or leave --sample-size out",
        )
    with scheduler(args.scheduler):
        corpus = _load_for(args)
        paths = write_topic_outputs(
            corpus,
            args.output,
            n_topics=args.k,
            method=args.method,
            unit=args.unit,
            random_state=args.seed,
            by=args.by,
            terms_by=args.terms_by,
            sample_size=args.sample_size,
        )
    for path in paths:
        print(f"wrote {path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from discourse.report import build_report

    _check_output(args.output, folder=True, beside=True)
    index = build_report(
        args.source,
        args.output,
        load_options=_load_options(args),
        dictionary=args.dictionary,
        seed=args.seed,
        show_code=args.show_code,
        year_min=args.year_min,
        year_max=args.year_max,
        validation=args.validation,
        scheduler=args.scheduler,
    )
    print(f"report ready: {index}")
    return 0


def _rounded(df):
    """Floats rounded to 6 decimals (as the report's tables and the shipped scores)."""
    import pandas as pd

    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = out[col].round(6)
    return out


def _with_interval(value, low, high) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if low is None or high is None or any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        return f"{value:.2f}"
    return f"{value:.2f} [{low:.2f}, {high:.2f}]"


def format_scores(table) -> str:
    """The table of ``score_validation_set`` as text: weighted, then unweighted, per split and theme."""
    lines = []
    for kind, suffix in (("weighted (estimates for the corpus, 95% intervals: bootstrap and Wilson-Kish hull)", ""),
                         ("unweighted (the labelled units themselves, Wilson 95% intervals)", "_unweighted")):
        lines.append(f"{kind}:")
        header = f"  {'split':<12} {'theme':<22} {'n':>5} {'pos':>5}  {'precision':<19} {'recall':<19} {'F1':<19}"
        lines.append(header.rstrip())
        for row in table.to_dict("records"):
            cells = []
            for m in ("precision", "recall", "f1"):
                col = f"{m}{suffix}"
                cells.append(f"{_with_interval(row.get(col), row.get(f'{col}_low'), row.get(f'{col}_high')):<19}")
            lines.append(f"  {str(row.get('split', '')):<12} {str(row['theme']):<22} {int(row['n']):>5} "
                         f"{int(row['positives']):>5}  " + " ".join(cells).rstrip())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cmd_validate(args: argparse.Namespace) -> int:
    from discourse.datasets import validation_path
    from discourse.themes import load_dictionary
    from discourse.validation import (
        SHIPPED_LANGUAGE,
        ValidationError,
        read_labels,
        score_validation_set,
        shipped_validation,
    )

    _check_output(args.output)
    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
    labels = read_labels(args.labels) if args.labels else shipped_validation()
    label_cols = [c for c in labels.columns if str(c).startswith("label_")]
    if not labels[label_cols].notna().any().any():
        raise ValidationError("no unit of the file is labelled yet", path=args.labels,
                              hint="Fill the label_<theme> columns with 1 (about the theme) or 0 (not)")
    if args.split is None:
        splits = ("development", "held_out", "test") if "split" in labels.columns else ("all",)
    else:
        splits = (args.split,)
    if splits != ("all",) and "split" not in labels.columns:
        raise ValidationError(f"--split {args.split} was given but the labelled file has no 'split' column",
                              path=args.labels, hint="Leave --split out, or use --split all")
    from discourse._dask import scheduler

    with scheduler(args.scheduler):
        if args.scheduler and "doc_id" in labels.columns:  # only the labelled documents come back
            from discourse.corpus._dask import select_documents

            corpus = select_documents(_load_for(args), labels["doc_id"].dropna().astype(str).unique())
        else:
            corpus = _pandas_after_dask(args)
    try:
        table = score_validation_set(corpus, labels, dictionary, n_boot=args.n_boot, seed=args.seed, splits=splits,
                                     language=None if args.labels else SHIPPED_LANGUAGE)
    except ValidationError as err:
        if args.labels:
            raise ValidationError(err.problem or str(err), path=args.labels, row=err.row, hint=err.hint) from None
        raise ValidationError(
            err.problem or str(err), path=validation_path(), row=err.row,
            hint="They are sentences of the UN General Debate corpus (../shared/corpora/ungdc.zip); "
            "for another corpus, label a sample of it (discourse sample) and pass --labels FILE",
        ) from None
    if args.output is not None and args.output != "-":
        _write_table(_rounded(table), args.output)
    if args.output == "-":
        _rounded(table).to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        sys.stdout.write(format_scores(table))
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from discourse.themes import load_dictionary
    from discourse.validation import validation_sample

    out = Path(args.output)
    if out.exists() and not args.force:
        raise DiscourseError(
            "the output file exists (it may hold labels)", path=out,
            hint="choose another file with -o, or pass --force to replace it",
        )
    from discourse._dask import scheduler

    _check_output(out)
    with scheduler(args.scheduler):
        corpus = _pandas_after_dask(args)
    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
    sample = validation_sample(corpus, dictionary, n=args.n, unit=args.unit, seed=args.seed)
    out.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out, index=False, lineterminator="\n")
    themes = [c[len("label_"):] for c in sample.columns if c.startswith("label_")]
    print(f"wrote {len(sample)} {args.unit}s to {out}: label the columns "
          f"{', '.join('label_' + t for t in themes)} with 1 (about the theme), 0 (not) or leave empty, "
          "then pass the file to discourse validate --labels or discourse report --validation", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Return the ``discourse`` argument parser."""
    from discourse import __version__

    parser = _Parser(
        prog="discourse",
        description="Analyse digital-governance discourse: corpora, themes, topics, events.",
    )
    parser.add_argument("--version", action="version", version=f"discourse {__version__}")
    parser.add_argument(
        "--debug", action="store_true",
        help="on an unexpected error, print its traceback instead of writing it to a file",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done (and skipped)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("info", help="summarise a corpus: documents, tokens, events, years, speakers, skipped files")
    _add_load_options(p)
    _add_scheduler(p, "Tokens are counted in the partitions; only metadata and counts come back")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("themes", help="theme frequencies by event (or any metadata column)")
    _add_load_options(p)
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary (YAML, quanteda YAML or LIWC .dic); default: the built-in one")
    p.add_argument("--by", default="event", help="group column(s), comma-separated (default: event)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap intervals")
    _add_scheduler(p)
    p.add_argument("-o", "--output", default=None, help="output CSV/TSV/Parquet (default: stdout)")
    p.set_defaults(func=_cmd_themes)

    p = sub.add_parser("kwic", help="keyword in context for a theme id or a pattern")
    _add_load_options(p)
    p.add_argument("query", help='a theme id (e.g. ai_safety) or a pattern (e.g. "digital divide", "cyber*")')
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary for theme ids")
    p.add_argument("--window", type=int, default=8, help="words of context on each side")
    p.add_argument("--limit", type=int, default=50, help="lines printed (all are written with -o)")
    _add_scheduler(p, "Each partition is searched where it is; only the lines come back")
    p.add_argument("-o", "--output", default=None, help="write all lines to this CSV")
    p.set_defaults(func=_cmd_kwic)

    p = sub.add_parser("topics", help="fit a topic model and write top terms, labels, doc-topics, prevalence")
    _add_load_options(p)
    p.add_argument("-k", type=int, default=20, help="number of topics")
    p.add_argument("--method", default="nmf", choices=["nmf", "lda"])
    p.add_argument("--unit", default="document", choices=["document", "paragraph", "sentence"])
    p.add_argument("--by", default="event", help="group column for prevalence")
    p.add_argument(
        "--terms-by", default="weight", choices=["weight", "frex"],
        help="order of top_terms.csv: by weight in the topic, or by FREX (frequent and exclusive)",
    )
    p.add_argument("--seed", type=int, default=0)
    _add_scheduler(p, "The model is fitted in memory on a seeded sample of --sample-size documents "
                   "(the whole corpus when it is no larger: then the same model as without Dask); "
                   "doc_topics.csv and prevalence.csv are computed in the partitions")
    p.add_argument("--sample-size", type=_positive_int, default=None, metavar="N",
                   help="with --scheduler: documents the model is fitted on (default 20000)")
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.set_defaults(func=_cmd_topics)

    p = sub.add_parser("report", help="build the full report (notebooks, HTML, figures, tables)")
    _add_load_options(p)
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary (default: the built-in one)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    p.add_argument("--year-min", type=int, default=None, metavar="YEAR", help="report on documents from this year on")
    p.add_argument("--year-max", type=int, default=None, metavar="YEAR", help="report on documents up to this year")
    _add_scheduler(p)
    p.add_argument("-o", "--output", default="reports", help="report folder (replaced when complete)")
    p.add_argument(
        "--validation", default=None, metavar="FILE",
        help="labelled validation CSV of this corpus (discourse sample, then labelled): the report gives the "
        "dictionary's precision and recall on it and theme shares corrected for its errors",
    )
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "validate",
        help="precision, recall and F1 of the dictionary against labelled units, with intervals, per theme and split",
    )
    _add_load_options(p)
    p.add_argument(
        "--labels", default=None, metavar="FILE",
        help="labelled CSV drawn from SOURCE (default: the shipped labels of UN General Debate sentences, "
        "for ../shared/corpora/ungdc.zip)",
    )
    p.add_argument(
        "--split", default=None, choices=["development", "held_out", "test", "all"],
        help="rows scored (default: each split the labels have (development, held_out, test) one by one, else all)",
    )
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary (default: the built-in one)")
    p.add_argument("--n-boot", type=int, default=2000, metavar="N", help="bootstrap resamples per interval")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    _add_scheduler(p, "The corpus is read in the partitions and only the labelled documents come back; "
                   "the dictionary's predictions and the scores are then computed in memory (pandas) on them")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="also write the full table to this CSV ('-': CSV on stdout instead of the text table)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("sample", help="draw units of a corpus for people to label (validation_sample) into a CSV")
    _add_load_options(p)
    p.add_argument("-n", type=int, default=400, help="units to draw (about; default 400)")
    p.add_argument("--unit", default="sentence", choices=["sentence", "paragraph", "document"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dictionary", "-d", default=None, help="dictionary whose predictions stratify the sample")
    _add_scheduler(p, "Only the loading (reading, decoding, normalising files) runs in the partitions: "
                   "the sample needs every unit of the corpus, so it is drawn in memory (pandas) "
                   "from the loaded table")
    p.add_argument("-o", "--output", required=True, metavar="FILE.csv", help="the CSV to label")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.set_defaults(func=_cmd_sample)
    p = sub.add_parser(
        "convert",
        help="convert a corpus into a corpus store (partitioned Parquet + manifest.json) that loads fast",
    )
    _add_load_options(p)
    p.add_argument("output", metavar="OUT",
                   help="the store folder: new, empty, or a store (replaced once the new one is complete)")
    p.add_argument("--partition-mb", type=_positive_int, default=64, metavar="MB",
                   help="MiB of text per Parquet file, one dask partition each (default 64)")
    p.add_argument("--batch-size", type=_positive_int, metavar="FILES",
                   help="files of a folder or archive read at a time: memory holds one batch and one "
                   "Parquet file, never the corpus; the store is the same whatever it is (default: "
                   "convert_corpus's, 500)")
    p.set_defaults(func=_cmd_convert)
    parser.commands = dict(sub.choices)
    return parser


def _report_bug(command: str, err: BaseException, debug: bool) -> None:
    """An unexpected error: one line saying so, the traceback in a file (or on stderr with --debug)."""
    text = "".join(traceback.format_exception(err))
    name = _name(command)
    what = f"{type(err).__name__}: {' '.join(str(err).split())}".rstrip(": ")
    if debug:
        sys.stderr.write(text)
        print(f"{name}: internal error: {what}. This is a bug in discourse: please report it to its "
              "maintainers with the command you ran and the traceback above.", file=sys.stderr)
        return
    try:
        fd, path = tempfile.mkstemp(prefix="discourse-traceback-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(f"command: discourse {' '.join(sys.argv[1:])}\n\n{text}")
        where = f"the traceback is in {path}"
    except OSError:
        where = "run it again with --debug to see the traceback"
    print(f"{name}: internal error: {what}. This is a bug in discourse: please report it to its "
          f"maintainers with the command you ran; {where}.", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status.

    0 done, 1 an unexpected error (a bug), 2 an expected failure (bad input or
    options, an output that cannot be written), 130 Ctrl-C, 141 closed pipe, 143
    SIGTERM, 129 SIGHUP. See the module's documentation.
    """
    command = ""
    debug = "--debug" in (sys.argv[1:] if argv is None else argv)
    previous = {}
    try:
        if _in_main_thread():
            previous = {sig: signal.signal(sig, _on_signal) for sig in _ENDING_SIGNALS}
        parser = build_parser()
        args = parser.parse_args(argv)
        command = args.command
        debug = bool(getattr(args, "debug", False))
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return args.func(args)
    except DiscourseError as err:
        print(f"{_name(command)}: error: {err}", file=sys.stderr)
        return 2
    except _Terminated as err:
        print(f"{_name(command)}: {_ENDING_SIGNALS.get(err.signum, 'terminated')}", file=sys.stderr)
        return 128 + int(err.signum)
    except KeyboardInterrupt:
        print(f"{_name(command)}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`discourse themes SOURCE | head`): stop quietly as Unix
        # tools do; stdout goes to /dev/null so that the flush at exit cannot fail again
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, io.UnsupportedOperation):  # pragma: no cover - no real stdout
            pass
        return 128 + 13  # 128 + SIGPIPE, what a shell reports for `cmd | head`
    except OSError as err:  # the system's refusal (no such file, no permission, disk full...), not a bug
        print(f"{_name(command)}: error: {_os_error_message(err)}", file=sys.stderr)
        return 2
    except MemoryError as err:
        detail = f" ({' '.join(str(err).split())})" if str(err) else ""
        print(f"{_name(command)}: error: out of memory{detail}. "
              "Load a smaller corpus or part of it (e.g. --year-min), or use a machine with more memory.",
              file=sys.stderr)
        return 2
    except Exception as err:
        _report_bug(command, err, debug)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _name(command: str) -> str:
    return f"discourse {command}" if command else "discourse"


def _in_main_thread() -> bool:
    """True in the main thread (the only one that may set signal handlers)."""
    import threading

    return threading.current_thread() is threading.main_thread()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
