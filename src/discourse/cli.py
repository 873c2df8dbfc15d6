"""The ``discourse`` command line.

Every subcommand that reads a corpus takes the same load options as
:func:`discourse.load_corpus` (``--format``, ``--filename-pattern``, ``--metadata``,
``--errors``, ``--text-column``...). Errors of the package (bad input, bad
dictionary...) are printed as one clear line and exit with status 2, never as a
traceback.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from discourse.errors import DiscourseError

__all__ = ["main", "build_parser"]


def _add_load_options(p: argparse.ArgumentParser) -> None:
    from discourse.corpus.readers import LAYOUTS, READERS

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


def _load(args: argparse.Namespace):
    from discourse.corpus import load_corpus

    columns = _column_mapping(args)
    kwargs = {}
    if columns:
        kwargs["columns"] = columns
    return load_corpus(
        args.source,
        format=args.format,
        filename_pattern=args.filename_pattern,
        metadata=args.metadata,
        errors=args.errors,
        progress=sys.stderr.isatty(),  # a progress bar on a terminal only
        **kwargs,
    )


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
    from discourse.corpus import corpus_summary

    corpus = _load(args)
    print(corpus_summary(corpus))
    return 0


def _cmd_themes(args: argparse.Namespace) -> int:
    from discourse.themes import load_dictionary, theme_frequencies

    corpus = _load(args)
    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
    by = [c.strip() for c in args.by.split(",")] if args.by else "event"
    table = theme_frequencies(corpus, dictionary, by=by, seed=args.seed)
    _write_table(table, args.output)
    return 0


def _cmd_kwic(args: argparse.Namespace) -> int:
    import pandas as pd

    from discourse.themes import kwic, load_dictionary

    corpus = _load(args)
    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
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
    from discourse.topics import write_topic_outputs

    corpus = _load(args)
    paths = write_topic_outputs(
        corpus,
        args.output,
        n_topics=args.k,
        method=args.method,
        unit=args.unit,
        random_state=args.seed,
        by=args.by,
        terms_by=args.terms_by,
    )
    for path in paths:
        print(f"wrote {path}")
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from discourse.report import build_report

    load_options = {
        "format": args.format,
        "filename_pattern": args.filename_pattern,
        "metadata": args.metadata,
        "errors": args.errors,
    }
    columns = _column_mapping(args)
    if columns:
        load_options["columns"] = columns
    index = build_report(
        args.source,
        args.output,
        load_options=load_options,
        dictionary=args.dictionary,
        seed=args.seed,
        show_code=args.show_code,
        year_min=args.year_min,
        year_max=args.year_max,
        validation=args.validation,
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
    for kind, suffix in (("weighted (estimates for the corpus, bootstrap 95% intervals)", ""),
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
        ValidationError,
        read_labels,
        score_validation_set,
        shipped_validation,
    )

    dictionary = load_dictionary(args.dictionary) if args.dictionary else None
    labels = read_labels(args.labels) if args.labels else shipped_validation()
    label_cols = [c for c in labels.columns if str(c).startswith("label_")]
    if not labels[label_cols].notna().any().any():
        raise ValidationError("no unit of the file is labelled yet", path=args.labels,
                              hint="Fill the label_<theme> columns with 1 (about the theme) or 0 (not)")
    if args.split is None:
        splits = ("development", "held_out") if "split" in labels.columns else ("all",)
    else:
        splits = (args.split,)
    if splits != ("all",) and "split" not in labels.columns:
        raise ValidationError(f"--split {args.split} was given but the labelled file has no 'split' column",
                              path=args.labels, hint="Leave --split out, or use --split all")
    corpus = _load(args)
    try:
        table = score_validation_set(corpus, labels, dictionary, n_boot=args.n_boot, seed=args.seed, splits=splits)
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
    corpus = _load(args)
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

    parser = argparse.ArgumentParser(
        prog="discourse",
        description="Analyse digital-governance discourse: corpora, themes, topics, events.",
    )
    parser.add_argument("--version", action="version", version=f"discourse {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is done (and skipped)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("info", help="summarise a corpus: documents, tokens, events, years, speakers, skipped files")
    _add_load_options(p)
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("themes", help="theme frequencies by event (or any metadata column)")
    _add_load_options(p)
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary (YAML, quanteda YAML or LIWC .dic); default: the built-in one")
    p.add_argument("--by", default="event", help="group column(s), comma-separated (default: event)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap intervals")
    p.add_argument("-o", "--output", default=None, help="output CSV/TSV/Parquet (default: stdout)")
    p.set_defaults(func=_cmd_themes)

    p = sub.add_parser("kwic", help="keyword in context for a theme id or a pattern")
    _add_load_options(p)
    p.add_argument("query", help='a theme id (e.g. ai_safety) or a pattern (e.g. "digital divide", "cyber*")')
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary for theme ids")
    p.add_argument("--window", type=int, default=8, help="words of context on each side")
    p.add_argument("--limit", type=int, default=50, help="lines printed (all are written with -o)")
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
    p.add_argument("-o", "--output", required=True, help="output folder")
    p.set_defaults(func=_cmd_topics)

    p = sub.add_parser("report", help="build the full report (notebooks, HTML, figures, tables)")
    _add_load_options(p)
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary (default: the built-in one)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--show-code", action="store_true", help="keep code cells in the HTML")
    p.add_argument("--year-min", type=int, default=None, metavar="YEAR", help="report on documents from this year on")
    p.add_argument("--year-max", type=int, default=None, metavar="YEAR", help="report on documents up to this year")
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
        "--split", default=None, choices=["development", "held_out", "all"],
        help="rows scored (default: development and held_out when the labels have a split column, else all)",
    )
    p.add_argument("--dictionary", "-d", default=None, help="theme dictionary (default: the built-in one)")
    p.add_argument("--n-boot", type=int, default=2000, metavar="N", help="bootstrap resamples per interval")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap")
    p.add_argument("-o", "--output", default=None, metavar="FILE",
                   help="also write the full table to this CSV ('-': CSV on stdout instead of the text table)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("sample", help="draw units of a corpus for people to label (validation_sample) into a CSV")
    _add_load_options(p)
    p.add_argument("-n", type=int, default=400, help="units to draw (about; default 400)")
    p.add_argument("--unit", default="sentence", choices=["sentence", "paragraph", "document"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dictionary", "-d", default=None, help="dictionary whose predictions stratify the sample")
    p.add_argument("-o", "--output", required=True, metavar="FILE.csv", help="the CSV to label")
    p.add_argument("--force", action="store_true", help="replace the output file if it exists")
    p.set_defaults(func=_cmd_sample)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except DiscourseError as err:
        print(f"discourse {args.command}: error: {err}", file=sys.stderr)
        return 2
    except FileNotFoundError as err:
        print(f"discourse {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
