"""Build the report: execute the notebooks, render HTML, write figures, tables and provenance.

:func:`build_report` is what ``make report`` and ``discourse report`` run. It

1. loads the corpus once (with the same options as :func:`discourse.load_corpus`),
   optionally keeps only documents from ``year_min`` on, and fingerprints it;
2. converts every ``notebooks/NN-*.py`` (jupytext ``py:percent`` sources) to a
   notebook and executes it with papermill, passing the parameters the notebook
   declares in its cell tagged ``parameters`` (corpus, load options, dictionary,
   output folder, seed, and sizes scaled to the corpus: see :func:`report_parameters`);
3. renders each executed notebook as HTML with nbconvert (code hidden unless
   ``show_code``), next to the PNG figures and CSV tables the notebooks wrote through
   :class:`ReportOutputs`;
4. writes ``index.html`` (linking every notebook, figure and table) and
   ``manifest.json`` (corpus and dictionary fingerprints, parameters, seed, package
   versions, time of the build).

The report is built in a temporary folder beside the output folder and moved into
place only when every notebook has run: a failing notebook raises
:class:`~discourse.errors.ReportError` naming the notebook and the failing cell's
error, and the previous report is left as it was.

The notebooks are thin: they call package functions and hand their DataFrames and
Axes to :class:`ReportOutputs`, which saves and displays them (text from documents
is always HTML-escaped), and records what could not be computed (a corpus of one
document has no change between events) instead of failing.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import html
import json
import math
import os
import pickle
import platform
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from discourse.errors import DiscourseError, ReportError

__all__ = [
    "build_report",
    "report_parameters",
    "corpus_fingerprint",
    "load_report_corpus",
    "list_notebooks",
    "notebooks_dir",
    "ReportOutputs",
    "show_table",
    "show_text",
    "show_list",
    "headline_findings",
    "documents_by",
    "skipped_table",
    "corpus_description",
    "dictionary_table",
    "theme_labels",
    "kwic_samples",
    "theme_groups",
    "facet",
    "topics_table",
    "last_groups",
    "validity_table",
    "validity_findings",
    "validity_caveats",
    "corrected_shares",
]

#: Generator name written to ``manifest.json``; a folder holding a manifest with this
#: generator is a previous report and may be replaced.
GENERATOR = "discourse report"
NOTEBOOK_PATTERN = re.compile(r"^\d\d-[A-Za-z0-9_.-]+\.py$")
#: Errors that mean "this could not be computed on this corpus" inside a notebook
#: (too few documents, a single event, an empty vocabulary...): the package's own.
#: Anything else is a bug and fails the report.
NOT_COMPUTABLE = (DiscourseError,)
#: The columns of :func:`discourse.themes.theme_frequencies` (by event), as found in
#: :func:`discourse.tracking.track_themes` tables.
FREQUENCY_COLUMNS = [
    "event",
    "event_series",
    "scope",
    "theme",
    "n_docs",
    "docs_with_theme",
    "share_docs",
    "share_docs_low",
    "share_docs_high",
    "count",
    "n_tokens",
    "per_1k",
    "per_1k_low",
    "per_1k_high",
]
_ITEMS_FILE = ".report-items.jsonl"
_CORPUS_CACHE = "_corpus.pkl"
_WORK_DIR = "_work"
_KEEP = (".gitkeep",)


# --- locating the notebooks ----------------------------------------------------------


def notebooks_dir() -> Path:
    """Return the folder holding the report notebooks.

    ``$DISCOURSE_NOTEBOOKS`` if set, else the project's ``notebooks/`` folder (beside
    ``src/``; the package is installed editable by ``make setup``).

    Raises
    ------
    ReportError
        If the folder does not exist.
    """
    env = os.environ.get("DISCOURSE_NOTEBOOKS")
    folder = Path(env) if env else Path(__file__).resolve().parents[2] / "notebooks"
    if not folder.is_dir():
        raise ReportError(
            "the report notebooks were not found",
            path=folder,
            hint="run from a clone of the project (make setup installs it editable), "
            "set DISCOURSE_NOTEBOOKS to the notebooks folder, or pass notebooks=[...]",
        )
    return folder


def list_notebooks(folder: str | os.PathLike[str] | None = None) -> list[Path]:
    """Return the report notebooks ``NN-*.py`` of ``folder``, in order.

    A notebook whose jupytext metadata says ``discourse: {report: false}`` (the
    labeller, ``05-validate-dictionary.py``) is a tool for analysts, not a page of the
    report, and is left out.

    Parameters
    ----------
    folder : path, optional
        Default: :func:`notebooks_dir`.

    Returns
    -------
    list of Path
    """
    folder = Path(folder) if folder is not None else notebooks_dir()
    found = sorted(p for p in folder.iterdir() if NOTEBOOK_PATTERN.match(p.name) and _in_report(p))
    if not found:
        raise ReportError(
            "no report notebook (NN-name.py) in the folder",
            path=folder,
            hint="add jupytext py:percent notebooks named like 01-corpus-overview.py",
        )
    return found


def _in_report(path: Path) -> bool:
    """False for a notebook whose metadata says ``discourse: {report: false}``."""
    import jupytext

    meta = jupytext.read(path).metadata.get("discourse", {})
    return not (isinstance(meta, dict) and meta.get("report", True) is False)


# --- corpus, fingerprints, parameters ----------------------------------------------------


def corpus_fingerprint(corpus: pd.DataFrame) -> str:
    """Return the sha256 hex digest of a corpus's documents.

    Computed over the documents sorted by ``doc_id``, each contributing its id and its
    text: independent of row order and of metadata, changed by any edit of a text.

    Parameters
    ----------
    corpus : DataFrame
        With columns ``doc_id`` and ``text``.

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    ids = corpus["doc_id"].astype(str).tolist()
    texts = corpus["text"].fillna("").astype(str).tolist()
    for doc_id, text in sorted(zip(ids, texts, strict=True)):
        digest.update(doc_id.encode("utf-8"))
        digest.update(b"\x00")
        digest.update(text.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()


def load_report_corpus(
    corpus: str | os.PathLike[str],
    load_options: Mapping[str, Any] | None = None,
    *,
    cache: str | os.PathLike[str] | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
) -> pd.DataFrame:
    """Load the corpus a report notebook works on.

    Inside :func:`build_report` the corpus was loaded once and cached (``cache``);
    run by hand in JupyterLab the notebook loads it from ``corpus``.

    Parameters
    ----------
    corpus : path
        Any source :func:`discourse.load_corpus` reads.
    load_options : dict, optional
        Keywords of :func:`discourse.load_corpus` (``format``, ``errors``...); ``None``
        values are dropped.
    cache : path, optional
        A corpus pickled by :func:`build_report` (read instead of ``corpus`` if it exists).
    year_min, year_max : int, optional
        Keep only documents of these years (inclusive; documents without a year are
        dropped when a bound is given).

    Returns
    -------
    DataFrame
        The corpus table; ``attrs["skipped"]`` lists skipped files.
    """
    if cache is not None and Path(cache).is_file():
        with open(cache, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - our own file, written by build_report
    from discourse.corpus import load_corpus

    options = {k: v for k, v in dict(load_options or {}).items() if v is not None}
    table = load_corpus(corpus, **options)
    return _filter_years(table, year_min, year_max, source=corpus)


def _filter_years(corpus: pd.DataFrame, year_min, year_max, *, source) -> pd.DataFrame:
    if year_min is None and year_max is None:
        return corpus
    years = pd.to_numeric(corpus["year"], errors="coerce")
    keep = years.notna()
    if year_min is not None:
        keep &= years >= int(year_min)
    if year_max is not None:
        keep &= years <= int(year_max)
    out = corpus.loc[keep.fillna(False).to_numpy()].reset_index(drop=True)
    out.attrs = dict(corpus.attrs)
    if out.empty:
        raise ReportError(
            f"no document of the corpus falls in the years {year_min or '...'}-{year_max or '...'}",
            path=source,
            hint="check the year bounds, or the years the corpus has (discourse info SOURCE)",
        )
    return out


def report_parameters(n_docs: int, n_tokens: int | None = None) -> dict[str, Any]:
    """Return the sizes of the report's computations, scaled to the corpus.

    The report must finish in about two minutes on the demo corpus and in under 15
    minutes on the 10,952 speeches of the UN General Debate on two cores. The costly
    step is the choice of the number of topics (one model per candidate and seed,
    fitted on at most ``selection_max_docs`` documents) and the final topic model;
    bootstrap intervals and permutation tests are cheap (about 15 s for the UN corpus
    with 1,000 resamples and 2,000 permutations), and many permutations are needed for
    a rate change to survive the Benjamini-Hochberg correction over hundreds of
    comparisons (the smallest possible p-value is ``1 / (n_perm + 1)``).

    ======================  =================  =================  ==============
    parameter               up to 500 docs     up to 3,000        more
    ======================  =================  =================  ==============
    n_boot                  1000               1000               1000
    n_perm                  2000               2000               2000
    topic_candidates        4, 6, 8, 10        6, 10, 15, 20      10, 15, 20, 25
    topic_unit              paragraph          document           document
    selection_max_docs      all                1500               1500
    selection_n_runs        3                  3                  3
    ======================  =================  =================  ==============

    and for every size ``topic_method="nmf"``, ``n_topics=None`` (the recommended
    number), ``kwic_per_theme=5``, ``top_n_terms=10``, ``max_findings=8``,
    ``n_distinctive=10``.

    Parameters
    ----------
    n_docs : int
        Documents in the corpus.
    n_tokens : int, optional
        Tokens in the corpus (unused for now; kept for finer scaling).

    Returns
    -------
    dict
        Notebook parameters; :func:`build_report` lets ``parameters=`` override any.
    """
    if n_docs <= 500:
        sizes = {"topic_candidates": [4, 6, 8, 10], "topic_unit": "paragraph", "selection_max_docs": None}
    elif n_docs <= 3000:
        sizes = {"topic_candidates": [6, 10, 15, 20], "topic_unit": "document", "selection_max_docs": 1500}
    else:
        sizes = {"topic_candidates": [10, 15, 20, 25], "topic_unit": "document", "selection_max_docs": 1500}
    return {
        "n_boot": 1000,
        "n_perm": 2000,
        **sizes,
        "selection_n_runs": 3,
        "topic_method": "nmf",
        "n_topics": None,
        "kwic_per_theme": 5,
        "top_n_terms": 10,
        "max_findings": 8,
        "n_distinctive": 10,
    }


# --- what notebooks call -------------------------------------------------------------------


def _display(obj) -> None:
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        print(obj)
        return
    display(obj)


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    return get_ipython() is not None


def show_text(text: str, *, kind: str = "p") -> None:
    """Display text in a notebook, HTML-escaped (never interpreted as HTML or Markdown).

    Parameters
    ----------
    text : str
        Plain text (may come from documents).
    kind : {"p", "h3", "note"}
        A paragraph, a sub-heading, or a highlighted note.
    """
    body = html.escape(str(text))
    if kind == "h3":
        markup = f"<h3>{body}</h3>"
    elif kind == "note":
        markup = (
            '<div style="border-left:4px solid #E69F00;background:#fff8e6;padding:.5em 1em;'
            f'margin:.5em 0">{body}</div>'
        )
    else:
        markup = f"<p>{body}</p>"
    if _in_notebook():
        from IPython.display import HTML

        _display(HTML(markup))
    else:
        print(text)


def show_list(items: Iterable[str]) -> None:
    """Display a bulleted list of plain-text items, HTML-escaped."""
    items = [str(i) for i in items]
    if not _in_notebook():
        for item in items:
            print(f"- {item}")
        return
    from IPython.display import HTML

    _display(HTML("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>"))


def show_table(df: pd.DataFrame, *, max_rows: int = 20, caption: str | None = None) -> None:
    """Display a DataFrame with every cell HTML-escaped (titles, speakers, KWIC lines).

    Parameters
    ----------
    df : DataFrame
    max_rows : int, default 20
        Rows shown (the CSV holds all of them).
    caption : str, optional
    """
    shown = df.head(max_rows)
    if not _in_notebook():
        print(shown.to_string(index=False))
        return
    from IPython.display import HTML

    table = shown.to_html(index=False, escape=True, na_rep="", border=0, float_format=_fmt)
    parts = []
    if caption:
        parts.append(f"<p><em>{html.escape(caption)}</em></p>")
    parts.append(table)
    if len(df) > len(shown):
        parts.append(f"<p><small>{len(shown)} of {len(df):,} rows shown.</small></p>")
    _display(HTML("\n".join(parts)))


def _fmt(x: float) -> str:
    """Display format of floats in HTML tables (the CSV keeps 6 decimals)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    if float(x).is_integer() and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) < 0.001:
        return "<0.001" if x > 0 else ">-0.001"
    return f"{x:,.4g}" if abs(x) >= 1000 else f"{x:.3g}"


class ReportOutputs:
    """Save and display a notebook's figures and tables, and record what could not be computed.

    Notebooks create one, then pass it every chart and table they show::

        out = ReportOutputs(output_dir, "01-corpus-overview")
        out.table(events_df, "events", "Events, in time order")
        out.figure(ax, "docs-per-event", "Documents per event")
        with out.attempt("Change between events"):
            ...   # a DiscourseError here becomes a note in the report

    Figures go to ``<output_dir>/figures/<prefix>-<name>.png``, tables to
    ``<output_dir>/tables/<prefix>-<name>.csv`` (floats rounded to 6 decimals, rows as
    given: sort them before, so that tables are byte-identical run to run). With
    ``output_dir=None`` (a notebook run by hand) nothing is written, only shown.

    Parameters
    ----------
    output_dir : path or None
        The report folder.
    notebook : str
        The notebook's name, e.g. ``"01-corpus-overview"``; its number prefixes files.
    dpi : int, default 150
    steps : int, optional
        Number of long steps (:meth:`step`, :meth:`attempt`): a tqdm progress bar
        follows them (on stderr: shown in JupyterLab, left out of the HTML report).
    """

    def __init__(
        self,
        output_dir: str | os.PathLike[str] | None,
        notebook: str,
        *,
        dpi: int = 150,
        steps: int | None = None,
    ):
        self.output_dir = None if output_dir in (None, "") else Path(output_dir)
        self.notebook = notebook
        self.prefix = notebook.split("-", 1)[0] if re.match(r"^\d+-", notebook) else notebook
        self.dpi = dpi
        self.notes: list[dict[str, str]] = []
        self._bar = None
        if steps:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=int(steps), desc=notebook, unit="step")

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Mark a long step: the notebook's progress bar (``steps=``) shows it, then advances."""
        if self._bar is not None:
            self._bar.set_description(what)
        try:
            yield
        finally:
            if self._bar is not None:
                self._bar.update(1)
                if self._bar.n >= self._bar.total:
                    self._bar.close()

    # files
    def _record(self, item: dict[str, Any]) -> None:
        if self.output_dir is None:
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        with open(self.output_dir / _ITEMS_FILE, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"notebook": self.notebook, **item}, ensure_ascii=False) + "\n")

    def _name(self, name: str, suffix: str) -> str:
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "item"
        return f"{self.prefix}-{safe}{suffix}"

    def figure(self, fig_or_ax, name: str, caption: str = "", *, show: bool = True):
        """Save a chart as PNG (when there is an output folder) and display it.

        Parameters
        ----------
        fig_or_ax : matplotlib Figure or Axes
        name : str
            File name stem (prefixed with the notebook number).
        caption : str
            One line saying what the chart shows (in the index).
        show : bool, default True

        The PNG goes to ``<output_dir>/figures/<prefix>-<name>.png``; nothing is returned
        (so that a call ending a notebook cell prints nothing).
        """
        import base64
        import io

        import matplotlib.pyplot as plt

        fig = _root_figure(fig_or_ax)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=self.dpi, bbox_inches="tight", metadata={"Software": None})
        plt.close(fig)
        png = buffer.getvalue()
        if self.output_dir is not None:
            folder = self.output_dir / "figures"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / self._name(name, ".png")
            path.write_bytes(png)
            self._record({"kind": "figure", "name": name, "path": f"figures/{path.name}", "caption": caption})
        if show and _in_notebook():
            from IPython.display import HTML

            # The very PNG that was saved, shown at 100 dpi, with the caption as alternative text.
            width = round(_png_width(png) * 100 / self.dpi)
            alt = html.escape(caption or name, quote=True)
            data = base64.b64encode(png).decode("ascii")
            _display(HTML(f'<img src="data:image/png;base64,{data}" alt="{alt}" style="width:{width}px;max-width:100%">'))

    def table(
        self,
        df: pd.DataFrame,
        name: str,
        caption: str = "",
        *,
        show: int | bool = 20,
        columns: Sequence[str] | None = None,
    ):
        """Save a table as CSV (when there is an output folder) and display its first rows.

        Parameters
        ----------
        df : DataFrame
            Saved as given (sort it first); floats are rounded to 6 decimals.
        name : str
            File name stem (prefixed with the notebook number).
        caption : str
            One line saying what the table holds (in the index).
        show : int or bool, default 20
            Rows displayed (``False``: none).
        columns : list of str, optional
            Columns displayed (the CSV holds all).

        The CSV goes to ``<output_dir>/tables/<prefix>-<name>.csv``; nothing is returned.
        """
        if self.output_dir is not None:
            folder = self.output_dir / "tables"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / self._name(name, ".csv")
            _stable_csv(df, path)
            self._record(
                {
                    "kind": "table",
                    "name": name,
                    "path": f"tables/{path.name}",
                    "caption": caption,
                    "rows": int(len(df)),
                    "columns": [str(c) for c in df.columns],
                }
            )
        if show:
            shown = df if columns is None else df[list(columns)]
            show_table(shown, max_rows=20 if show is True else int(show), caption=caption or None)

    def findings(self, heading: str, sentences: Sequence[str]) -> None:
        """Show findings as a bulleted list and put them in the index too (escaped).

        Parameters
        ----------
        heading : str
            E.g. "Rate per 1,000 words".
        sentences : list of str
            E.g. from :func:`headline_findings`.
        """
        sentences = [str(x) for x in sentences]
        show_list(sentences)
        self._record({"kind": "findings", "name": heading, "caption": "", "sentences": sentences})

    def note(self, what: str, why: str) -> None:
        """Say in the report that ``what`` could not be computed, and ``why``."""
        self.notes.append({"what": what, "why": why})
        self._record({"kind": "note", "name": what, "caption": why})
        show_text(f"Not computed: {what}. {why}", kind="note")

    @contextlib.contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        """Run a step; if the corpus does not allow it, say so instead of failing.

        A :class:`~discourse.errors.DiscourseError` raised in the block (too few
        documents or events, an empty vocabulary...) is turned into a note
        (:meth:`note`); the rest of the block is skipped. Other errors are bugs: they
        propagate and fail the report. The step advances the progress bar (see
        :meth:`step`).
        """
        with self.step(what):
            try:
                yield
            except NOT_COMPUTABLE as err:
                self.note(what, str(err) or type(err).__name__)

    def ok(self, *needed: Any, what: str, why: str | None = None) -> bool:
        """Return True if every object in ``needed`` exists; else note ``what`` as not computed."""
        if all(x is not None for x in needed):
            return True
        self.note(what, why or "it needs a result that could not be computed above")
        return False


def _png_width(png: bytes) -> int:
    """Width in pixels of a PNG (from its IHDR chunk)."""
    return int.from_bytes(png[16:20], "big")


def _root_figure(obj):
    """The Figure of a Figure, Axes, SubFigure or array of Axes."""
    if hasattr(obj, "ravel") and not hasattr(obj, "savefig"):  # array of Axes from subplots
        obj = obj.ravel()[0]
    if hasattr(obj, "savefig"):
        return obj
    try:
        return obj.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        fig = obj.get_figure()
        while not hasattr(fig, "savefig"):
            fig = fig.get_figure()
        return fig


def _stable_csv(df: pd.DataFrame, path: Path) -> None:
    out = df.copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col].dtype):
            out[col] = out[col].round(6)
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


# --- corpus tables for the overview --------------------------------------------------------

_LISTING_COLUMNS = ["doc_id", "event", "event_series", "date", "year", "title", "speaker", "organisation", "country", "source"]
UNKNOWN = "(unknown)"


def documents_by(corpus: pd.DataFrame, by: str | None, *, sort: str | None = None) -> pd.DataFrame:
    """Count documents and words per value of a metadata column, or list the documents.

    Parameters
    ----------
    corpus : DataFrame
        The corpus table. If it has an ``n_tokens`` column (e.g. the listing returned by
        ``documents_by(corpus, None)``) it is used instead of counting tokens again.
    by : str or None
        A metadata column (``"year"``, ``"event_series"``, ``"speaker"``...); ``None``
        lists the documents.
    sort : {None, "n_docs"}
        ``None``: by value (years ascending), unknown values last; ``"n_docs"``: most
        documents first (then by value).

    Returns
    -------
    DataFrame
        With ``by``: columns ``by`` (str; missing values as ``"(unknown)"``),
        ``n_docs``, ``n_tokens``, ``share_docs``. With ``by=None``: ``doc_id``, the
        metadata columns present among event, event_series, date, year, title, speaker,
        organisation, country, source, and ``n_tokens``, ordered by date, year, doc_id.
        An empty table if ``by`` is not a column of the corpus.
    """
    if "n_tokens" in corpus.columns:
        n_tokens = corpus["n_tokens"].to_numpy()
    else:
        from discourse.text import count_tokens

        n_tokens = [count_tokens(t) if isinstance(t, str) else 0 for t in corpus["text"].astype(object)]
    if by is None:
        cols = [c for c in _LISTING_COLUMNS if c in corpus.columns]
        listing = corpus[cols].copy()
        listing["n_tokens"] = pd.array(n_tokens, dtype="int64")
        keys = [c for c in ("date", "year", "doc_id") if c in listing.columns]
        return listing.sort_values(keys, na_position="last", kind="stable").reset_index(drop=True)
    if by not in corpus.columns:
        return pd.DataFrame({by: pd.Series([], dtype=str), "n_docs": pd.Series([], dtype="int64"), "n_tokens": pd.Series([], dtype="int64"), "share_docs": pd.Series([], dtype=float)})
    values = corpus[by].astype(object)
    missing = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
    work = pd.DataFrame({"value": values, "n_tokens": n_tokens, "missing": missing.to_numpy()})
    known = work[~work["missing"]]
    grouped = known.groupby("value", sort=True)
    table = pd.DataFrame({"n_docs": grouped.size(), "n_tokens": grouped["n_tokens"].sum()}).reset_index()
    table["value"] = table["value"].map(lambda v: str(int(v)) if isinstance(v, float) and float(v).is_integer() else str(v))
    if sort == "n_docs":
        table = table.sort_values(["n_docs", "value"], ascending=[False, True], kind="stable")
    if work["missing"].any():
        unknown = work[work["missing"]]
        table = pd.concat(
            [table, pd.DataFrame({"value": [UNKNOWN], "n_docs": [len(unknown)], "n_tokens": [int(unknown["n_tokens"].sum())]})],
            ignore_index=True,
        )
    table = table.rename(columns={"value": by}).reset_index(drop=True)
    table[by] = table[by].astype(str)
    table["n_docs"] = table["n_docs"].astype("int64")
    table["n_tokens"] = table["n_tokens"].astype("int64")
    table["share_docs"] = table["n_docs"] / max(1, len(corpus))
    return table


def skipped_table(skipped: Iterable[Any]) -> pd.DataFrame:
    """Return the files skipped when loading (``corpus.attrs["skipped"]``) as a table.

    Returns
    -------
    DataFrame
        Columns ``path``, ``reason`` (and ``line``/``row``/``hint`` when given), sorted by path.
    """
    rows = []
    for item in skipped:
        if isinstance(item, Mapping):
            rows.append(dict(item))
        elif isinstance(item, DiscourseError):
            rows.append(item.as_record())
        else:
            rows.append({"path": None, "reason": str(item)})
    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame({"path": pd.Series([], dtype=str), "reason": pd.Series([], dtype=str)})
    table = table.dropna(axis=1, how="all")
    first = [c for c in ("path", "reason") if c in table.columns]
    table = table[first + [c for c in table.columns if c not in first]]
    if "path" in table.columns:
        table = table.sort_values("path", kind="stable", na_position="last")
    return table.reset_index(drop=True)


def corpus_description(corpus: pd.DataFrame, events_table: pd.DataFrame | None = None) -> str:
    """Describe a corpus in one or two sentences, from its numbers.

    Parameters
    ----------
    corpus : DataFrame
    events_table : DataFrame, optional
        :func:`discourse.tracking.events` of the corpus (computed if not given).

    Returns
    -------
    str
        E.g. "52 documents (38,211 words) from 9 events in 3 series, 2017 to 2024. The
        largest event is X (8 documents). No file was skipped."
    """
    if events_table is None:
        from discourse.tracking import events

        events_table = events(corpus)
    n_docs = len(corpus)
    n_tokens = int(events_table["n_tokens"].sum()) if len(events_table) else 0
    n_events = len(events_table)
    series = events_table["event_series"].dropna().unique() if "event_series" in events_table else []
    years = pd.to_numeric(corpus.get("year", pd.Series(dtype=float)), errors="coerce").dropna()
    parts = [f"{n_docs:,} document{'s' * (n_docs != 1)} ({n_tokens:,} words) from {n_events:,} event{'s' * (n_events != 1)}"]
    if len(series):
        parts.append(f" in {len(series):,} series")
    if len(years):
        lo, hi = int(years.min()), int(years.max())
        parts.append(f", {lo}" if lo == hi else f", {lo} to {hi}")
    text = "".join(parts) + "."
    if n_events:
        top = events_table.sort_values(["n_docs", "event"], ascending=[False, True], kind="stable").iloc[0]
        text += f" The largest event is {top['event']} ({int(top['n_docs']):,} document{'s' * (int(top['n_docs']) != 1)})."
    skipped = corpus.attrs.get("skipped") or []
    text += f" {len(skipped):,} file{'s were' if len(skipped) != 1 else ' was'} skipped when loading." if skipped else " No file was skipped when loading."
    return text


# --- helpers for the theme and topic notebooks -------------------------------------------------


def dictionary_table(dictionary) -> pd.DataFrame:
    """Return a dictionary's themes as a table: theme, label, parent, patterns, exclusions.

    Parameters
    ----------
    dictionary : discourse.themes.Dictionary

    Returns
    -------
    DataFrame
        One row per theme in dictionary order: ``theme``, ``label``, ``parent``,
        ``n_patterns``, ``patterns`` (as written in the dictionary, separated by
        `` | ``), ``exclude`` (the same for exclusion patterns).
    """
    rows = []
    for theme_id in dictionary.theme_ids:
        theme = _theme_object(dictionary, theme_id)
        patterns = list(getattr(theme, "patterns", None) or dictionary.terms(theme_id))
        exclude = list(getattr(theme, "exclude", None) or [])
        rows.append(
            {
                "theme": theme_id,
                "label": getattr(theme, "label", None) or theme_id,
                "parent": getattr(theme, "parent", None),
                "n_patterns": len(patterns),
                "patterns": " | ".join(map(str, patterns)),
                "exclude": " | ".join(map(str, exclude)),
            }
        )
    return pd.DataFrame(rows, columns=["theme", "label", "parent", "n_patterns", "patterns", "exclude"])


def _theme_object(dictionary, theme_id):
    themes = getattr(dictionary, "themes", None)
    if isinstance(themes, Mapping):
        return themes.get(theme_id)
    if themes is not None:
        for theme in themes:
            if getattr(theme, "id", None) == theme_id or getattr(theme, "theme_id", None) == theme_id:
                return theme
    return None


def theme_labels(dictionary) -> dict[str, str]:
    """Return ``{theme id: label}`` for a dictionary (the id when it has no label)."""
    out = {}
    for theme_id in dictionary.theme_ids:
        theme = _theme_object(dictionary, theme_id)
        out[theme_id] = getattr(theme, "label", None) or theme_id
    return out


def theme_groups(dictionary, max_size: int = 7) -> list[tuple[str, list[str]]]:
    """Split a dictionary's themes into chart-sized groups: by parent group, at most ``max_size`` each.

    Parameters
    ----------
    dictionary : discourse.themes.Dictionary
    max_size : int, default 7
        Themes per group (charts draw interval bands for up to 7 lines).

    Returns
    -------
    list of (title, theme ids)
        In dictionary order; the title is the parent group's label ("Challenges"),
        "Other themes" for themes without a parent, with "(1 of 2)" when split.
    """
    groups = getattr(dictionary, "groups", None) or {}
    order: dict[str, list[str]] = {}
    for theme_id in dictionary.theme_ids:
        theme = _theme_object(dictionary, theme_id)
        parent = getattr(theme, "parent", None) or ""
        order.setdefault(parent, []).append(theme_id)
    out = []
    for parent, ids in order.items():
        group = groups.get(parent) if isinstance(groups, Mapping) else None
        title = getattr(group, "label", None) or (parent.replace("_", " ").capitalize() if parent else "Other themes")
        chunks = [ids[i : i + max_size] for i in range(0, len(ids), max(1, max_size))]
        # balance the chunks: 9 themes -> 5 + 4 rather than 7 + 2
        if len(chunks) > 1:
            size = math.ceil(len(ids) / len(chunks))
            chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
        for i, chunk in enumerate(chunks, start=1):
            out.append((title if len(chunks) == 1 else f"{title} ({i} of {len(chunks)})", chunk))
    return out


def kwic_samples(
    corpus: pd.DataFrame,
    dictionary,
    *,
    counts: pd.DataFrame | None = None,
    n_per_theme: int = 5,
    seed: int = 0,
    window: int = 8,
) -> pd.DataFrame:
    """Draw keyword-in-context lines at random for every theme, to validate the dictionary.

    For each theme, up to ``n_per_theme`` documents where it matches are drawn at
    random (seeded), and one of each document's matches, also at random.

    Parameters
    ----------
    corpus : DataFrame
    dictionary : discourse.themes.Dictionary
    counts : DataFrame, optional
        :func:`discourse.themes.theme_counts` of the corpus (computed if not given).
    n_per_theme : int, default 5
    seed : int, default 0
    window : int, default 8
        Words of context on each side.

    Returns
    -------
    DataFrame
        Columns ``theme``, ``doc_id``, ``event``, ``left``, ``match``, ``right``,
        ``pattern``, in dictionary then document order; the text is as in the documents
        (escape it before showing it as HTML: :func:`show_table` does).
    """
    import numpy as np

    from discourse.themes import kwic, theme_counts

    if counts is None:
        counts = theme_counts(corpus, dictionary)
    columns = ["theme", "doc_id", "event", "left", "match", "right", "pattern"]
    frames = []
    for i, theme_id in enumerate(dictionary.theme_ids):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), i]))
        hit = counts[(counts["theme"] == theme_id) & (counts["count"] > 0)]
        doc_ids = sorted(hit["doc_id"].astype(str).unique().tolist())
        if not doc_ids or n_per_theme <= 0:
            continue
        chosen = sorted(rng.choice(doc_ids, size=min(n_per_theme, len(doc_ids)), replace=False).tolist())
        subset = corpus[corpus["doc_id"].astype(str).isin(chosen)]
        lines = kwic(subset, theme_id, window=window, dictionary=dictionary)
        if lines.empty:
            continue
        lines = lines.assign(_doc=lines["doc_id"].astype(str)).sort_values("_doc", kind="stable")
        picked = []
        for _doc, group in lines.groupby("_doc", sort=True):
            picked.append(group.iloc[[int(rng.integers(len(group)))]])
        sample = pd.concat(picked).drop(columns="_doc")
        sample = sample.assign(theme=theme_id)
        if "event" not in sample.columns:
            sample = sample.assign(event=sample["doc_id"].map(subset.set_index("doc_id")["event"]))
        frames.append(sample[[c for c in columns if c in sample.columns]])
    if not frames:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in columns})
    return pd.concat(frames, ignore_index=True)


def topics_table(model, n_terms: int = 10) -> pd.DataFrame:
    """One row per topic of a fitted :class:`~discourse.topics.TopicModel`: label, prevalence, top terms.

    Returns
    -------
    DataFrame
        ``topic``, ``label``, ``guided`` (theme id or empty), ``prevalence`` (mean share
        of the documents), ``top_terms`` (the ``n_terms`` heaviest terms, comma-separated)
        and ``frex_terms`` (the ``n_terms`` terms with the highest FREX score: frequent
        and exclusive, the view the label comes from).
    """
    labels = model.labels()
    out = labels.copy()
    for column, by in (("top_terms", "weight"), ("frex_terms", "frex")):
        terms = model.top_terms(n_terms, by=by).sort_values(["topic", "rank"], kind="stable")
        joined = terms.groupby("topic", sort=True)["term"].agg(lambda t: ", ".join(map(str, t)))
        out[column] = out["topic"].map(joined).fillna("")
    return out


def facet(plot, table: pd.DataFrame, groups: Sequence[Any], *, ncols: int = 3, panel_size=(4.6, 3.4), **kwargs):
    """Draw one panel per group with a ``plot(table, group, ax=..., **kwargs)`` function.

    Used for charts drawn per event (e.g. :func:`discourse.plots.plot_distinctive_terms`).

    Parameters
    ----------
    plot : callable
        A :mod:`discourse.plots` function taking ``(table, group, ax=...)``.
    table : DataFrame
    groups : sequence
        The groups drawn, one panel each, in this order.
    ncols : int, default 3
    panel_size : (float, float)
        Width and height of one panel, in inches.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    groups = list(groups)
    n = max(1, len(groups))
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows), layout="constrained", squeeze=False
    )
    for ax, group in zip(axes.ravel(), groups, strict=False):
        plot(table, group, ax=ax, **kwargs)
    for ax in axes.ravel()[len(groups):]:
        ax.set_visible(False)
    return fig


def last_groups(table: pd.DataFrame, column: str, n: int) -> list[Any]:
    """Return the last ``n`` distinct values of ``column`` in the table's row order (time order)."""
    seen = list(dict.fromkeys(table[column].tolist()))
    return seen[-n:] if n > 0 else []


# --- the dictionary's measured validity -------------------------------------------------------

#: Where the shipped validity figures of the built-in dictionary were measured.
SHIPPED_VALIDATION_CORPUS = "UN General Assembly general debate speeches, 2000-2024"

#: The columns of :func:`validity_table` shown in the notebook (the CSV holds all).
VALIDITY_SHOWN = [
    "split", "theme", "n", "positives",
    "precision", "precision_low", "precision_high",
    "recall", "recall_low", "recall_high",
    "f1", "f1_low", "f1_high",
    "precision_unweighted", "recall_unweighted", "f1_unweighted",
]


def _validation_labels(labels, dictionary):
    """The labelled table (read if a path), keeping only the themes the dictionary has.

    Raises :class:`~discourse.validation.ValidationError` when none of its themes is in
    the dictionary.
    """
    from discourse.validation import ValidationError, read_labels

    where = {}
    if isinstance(labels, (str, os.PathLike)):
        where = {"path": labels}
        labels = read_labels(labels)
    themes = [c[len("label_"):] for c in labels.columns if str(c).startswith("label_")]
    kept = [t for t in themes if t in dictionary.theme_ids]
    if not kept:
        raise ValidationError(
            f"none of the labelled themes ({', '.join(themes) or 'none'}) is in dictionary "
            f"{getattr(dictionary, 'name', '')!r}",
            hint="Label themes of the dictionary the report uses (label_<theme> columns)",
            **where,
        )
    if not labels[[f"label_{t}" for t in kept]].notna().any().any():
        raise ValidationError("no unit is labelled yet", hint="Fill the label_<theme> columns with 1 (about the "
                              "theme) or 0 (not)", **where)
    dropped = [f"{p}_{t}" for t in themes if t not in kept for p in ("label", "pred") if f"{p}_{t}" in labels.columns]
    return labels.drop(columns=dropped), kept


def validity_table(
    dictionary,
    corpus: pd.DataFrame | None = None,
    labels=None,
    *,
    n_boot: int = 1000,
    seed: int = 0,
    unit: str = "sentence",
) -> pd.DataFrame:
    """How well the dictionary finds the themes: precision, recall and F1 with 95% intervals.

    Without ``labels``: the figures shipped with the package for the built-in dictionary
    (:func:`discourse.validation.shipped_scores`), measured on hand-labelled sentences
    of UN General Assembly general debate speeches 2000-2024; the ``held_out`` split when
    it is there, else ``development``. Whether they apply to ``dictionary`` is for
    :func:`validity_caveats` to say (they measure the dictionary of their
    ``fingerprint``).

    With ``labels`` (an analyst's labelled sample of ``corpus``, drawn with
    :func:`discourse.validation.validation_sample`): the dictionary's predictions are
    recomputed on ``corpus`` (:func:`~discourse.validation.attach_predictions`) and
    scored (:func:`~discourse.validation.validation_scores`), for the labelled themes
    that the dictionary has.

    Parameters
    ----------
    dictionary : discourse.themes.Dictionary
    corpus : DataFrame, optional
        Needed with ``labels``: the corpus they were drawn from.
    labels : DataFrame or path, optional
        A labelled validation table or CSV (:func:`discourse.validation.read_labels`).
    n_boot : int, default 1000
        Bootstrap resamples for the weighted intervals (own labels only).
    seed : int, default 0
    unit : str, default "sentence"
        The unit the labels were drawn at.

    Returns
    -------
    DataFrame
        One row per theme (and split): ``measured_on``, ``split``, then the columns of
        :func:`~discourse.validation.validation_scores` (weighted estimates with
        ``_low``/``_high``, then unweighted figures), then ``fingerprint`` (of the
        dictionary scored).

    Raises
    ------
    ValidationError
        Labels that do not fit the corpus (naming the row), or none of whose themes is
        in the dictionary.
    """
    from discourse.validation import attach_predictions, shipped_scores, validation_scores

    if labels is None:
        table = shipped_scores()
        splits = table["split"].astype(str)
        chosen = "held_out" if (splits == "held_out").any() else "development"
        table = table[splits == chosen].reset_index(drop=True)
        table.insert(0, "measured_on", f"{SHIPPED_VALIDATION_CORPUS} (shipped, {chosen} split)")
        return table
    if corpus is None:
        raise ValueError("validity_table: labels need the corpus they were drawn from (corpus=)")
    name = Path(labels).name if isinstance(labels, (str, os.PathLike)) else "labelled table"
    table, themes = _validation_labels(labels, dictionary)
    scored = attach_predictions(table, corpus, dictionary, themes=themes, unit=unit)
    scores = validation_scores(scored, n_boot=n_boot, seed=seed)
    scores.insert(0, "split", "all")
    scores.insert(0, "measured_on", f"your labels ({name})")
    scores["fingerprint"] = dictionary.fingerprint()
    return scores


def _interval(row, col: str) -> str:
    value, lo, hi = row.get(col), row.get(f"{col}_low"), row.get(f"{col}_high")
    if value is None or pd.isna(value):
        return f"{col} not defined"
    text = f"{col} {value:.2f}"
    if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
        text += f" ({lo:.2f} to {hi:.2f})"
    return text


def validity_findings(table: pd.DataFrame) -> list[str]:
    """Word a :func:`validity_table` as one sentence per theme.

    E.g. *"ai_safety: precision 0.92 (0.84 to 0.98), recall 0.66 (0.56 to 0.79), F1 0.77
    (0.68 to 0.86); 701 labelled sentences, 61 with the theme (weighted estimates, 95%
    intervals)."*
    """
    out = []
    for row in table.to_dict("records"):
        parts = [_interval(row, "precision"), _interval(row, "recall"), _interval(row, "f1").replace("f1", "F1", 1)]
        n, pos = int(row.get("n", 0)), int(row.get("positives", 0))
        out.append(f"{row['theme']}: {', '.join(parts)}; {n:,} labelled unit{'s' * (n != 1)}, {pos:,} with the "
                   "theme (weighted estimates of corpus-level values, 95% intervals).")
    return out


def validity_caveats(table: pd.DataFrame, dictionary, *, builtin: bool, own_labels: bool = False) -> list[str]:
    """What a reader must know before using a :func:`validity_table`, in sentences.

    Parameters
    ----------
    table : DataFrame
        From :func:`validity_table`.
    dictionary : discourse.themes.Dictionary
        The dictionary the report uses.
    builtin : bool
        Whether it is the built-in dictionary (no dictionary file was given).
    own_labels : bool
        Whether the table holds the analyst's own scores (else the shipped figures).

    Returns
    -------
    list of str
        For the shipped figures: where they were measured (UN General Assembly speeches
        2000-2024, so they may differ on other corpora) and, when the dictionary's
        fingerprint is not the one they were measured for, that they do not apply.
    """
    if own_labels:
        return [
            "Measured on your own labelled sample of this corpus: weighted by the inverse of each unit's "
            "inclusion probability, to estimate the values over the whole corpus (the CSV also holds the "
            "unweighted figures of the labelled units themselves)."
        ]
    split = str(table["split"].iloc[0]) if len(table) else "development"
    n = int(table["n"].max()) if len(table) else 0
    out = [
        f"These figures were measured on {n:,} hand-labelled sentences of {SHIPPED_VALIDATION_CORPUS} "
        f"(the {split} split), with the built-in dictionary. They may differ on other corpora: to measure "
        "the dictionary on yours, draw a sample (discourse sample), label it and build the report with "
        "--validation FILE."
    ]
    measured = set(table["fingerprint"].astype(str)) if "fingerprint" in table.columns else set()
    ours = dictionary.fingerprint()
    if ours not in measured:
        if builtin:
            out.append(
                f"The built-in dictionary has changed since these figures were measured (its fingerprint "
                f"{ours[:12]} is not {', '.join(sorted(f[:12] for f in measured)) or 'recorded'}): they do not "
                "apply to it as it is; make validate measures it again."
            )
        else:
            out.append(
                f"The dictionary used here is not the built-in one (fingerprint {ours[:12]}, not "
                f"{', '.join(sorted(f[:12] for f in measured)) or 'recorded'}): the shipped figures do not "
                "apply to it. Label a sample of this corpus to measure it."
            )
    return out


def _event_order(corpus: pd.DataFrame, column: str = "event") -> list[str]:
    """Events in time order (earliest date, then year, then name), as :func:`discourse.events` orders them."""
    from discourse.tracking import NO_EVENT

    work = pd.DataFrame({column: corpus[column].astype(str)})
    work["date"] = pd.to_datetime(corpus["date"], errors="coerce") if "date" in corpus.columns else pd.NaT
    work["year"] = pd.to_numeric(corpus["year"], errors="coerce") if "year" in corpus.columns else float("nan")
    first = work.groupby(column, sort=True).agg(date=("date", "min"), year=("year", "min")).reset_index()
    first = first.sort_values(["date", "year", column], na_position="last", kind="stable")
    order = [e for e in first[column] if e != NO_EVENT]
    return order + ([NO_EVENT] if NO_EVENT in set(first[column]) else [])


def corrected_shares(
    corpus: pd.DataFrame,
    labels,
    dictionary,
    *,
    by: str = "event",
    n_boot: int = 1000,
    seed: int = 0,
    unit: str = "sentence",
) -> pd.DataFrame:
    """Theme shares of units per event, corrected for the dictionary's measured errors, in time order.

    :func:`discourse.validation.corrected_frequencies` of ``corpus`` by ``by`` (units
    without an event are grouped as :data:`discourse.tracking.NO_EVENT`), for the
    labelled themes the dictionary has; with ``by="event"`` the events come in time
    order (as in :func:`discourse.events`), then themes in label order.

    Returns
    -------
    DataFrame
        The columns of :func:`~discourse.validation.corrected_frequencies`: ``by``,
        ``theme``, ``n_units``, ``units_with_theme``, ``raw``, ``n_labelled``,
        ``corrected``, ``corrected_low``, ``corrected_high``, ``method``, ``assumption``.
    """
    from discourse.tracking import NO_EVENT
    from discourse.validation import corrected_frequencies

    table, themes = _validation_labels(labels, dictionary)
    frame = corpus
    if by in corpus.columns:
        values = corpus[by].astype("object")
        blank = values.isna() | values.map(lambda v: isinstance(v, str) and not v.strip()).astype(bool)
        if blank.any() or by == "event":
            frame = corpus.assign(**{by: values.where(~blank, NO_EVENT).map(str)})
    out = corrected_frequencies(frame, table, by=by, dictionary=dictionary, unit=unit, seed=seed,
                                n_boot=n_boot, themes=themes)
    if by == "event":
        rank = {e: i for i, e in enumerate(_event_order(frame))}
        theme_rank = {t: i for i, t in enumerate(themes)}
        out = out.assign(_g=out[by].map(rank), _t=out["theme"].map(theme_rank))
        out = out.sort_values(["_g", "_t"], kind="stable").drop(columns=["_g", "_t"]).reset_index(drop=True)
    return out


# --- headline findings ------------------------------------------------------------------------


def headline_findings(
    track: pd.DataFrame,
    *,
    measure: str | None = None,
    labels: Mapping[str, str] | None = None,
    max_findings: int = 8,
    only_significant: bool = True,
) -> list[str]:
    """Word the largest changes between consecutive events as sentences.

    Every sentence is generated from the numbers of ``track``, the output of
    :func:`discourse.tracking.track_themes` or :func:`~discourse.tracking.track_topics`,
    e.g. *"AI safety rose from 0.4 to 2.1 per 1,000 words between UNGA 77 (2022) and
    UNGA 78 (2023) (significant, q = 0.001; 95% interval of the change +1.2 to +2.3)."*

    Parameters
    ----------
    track : DataFrame
        One row per group (event) and theme or topic, with the change from the previous
        group of its series (columns ``prev_<by>``, ``<measure>`` and the change columns
        documented in :func:`~discourse.tracking.track_themes`).
    measure : {"per_1k", "share_docs", "prevalence"}, optional
        The rate described. Default: ``"prevalence"`` for topic tables, else ``"per_1k"``.
    labels : dict, optional
        Theme id (or topic number) -> readable label. Topic tables use their ``label``
        column when not given.
    max_findings : int, default 8
        At most this many sentences: the clearest changes first, i.e. the largest
        relative to the width of their 95% interval (a change of 0.1 known to +-0.02
        comes before a change of 1 known to +-0.9), then the largest.
    only_significant : bool, default True
        Keep only the changes flagged ``rise`` or ``fall`` (Benjamini-Hochberg q-value
        at or below the table's alpha); otherwise every compared pair may be worded,
        saying whether it is significant.

    Returns
    -------
    list of str
        Sentences, clearest changes first; empty when nothing changed significantly or
        when no group has a previous group to compare with (a single event).
    """
    spec = _measure_spec(track, measure)
    value, change, low, high, flag, qcol, unit = spec
    prev_cols = [c for c in track.columns if c.startswith("prev_")]
    if not prev_cols or change not in track.columns:
        return []
    prev_col = prev_cols[0]
    by = prev_col[len("prev_"):]
    item_col = "theme" if "theme" in track.columns else "topic"
    compared = track[track[prev_col].notna() & track[change].notna()]
    if only_significant:
        compared = compared[compared[flag].isin(["rise", "fall"])]
    if compared.empty:
        return []
    size = compared[change].abs().astype(float)
    if low in compared.columns and high in compared.columns:
        width = (compared[high].astype(float) - compared[low].astype(float)).abs()
        clarity = (size / width.where(width > 0)).fillna(float("inf")).where(size > 0, 0.0)
    else:
        clarity = size
    compared = compared.assign(_clarity=clarity.to_numpy(), _abs=size.to_numpy())
    compared = compared.sort_values(
        ["_clarity", "_abs", by, item_col], ascending=[False, False, True, True], kind="stable"
    )
    before = track.set_index([by, item_col])[value]
    names = dict(labels or {})
    sentences = []
    for row in compared.head(max_findings).itertuples(index=False):
        row = row._asdict()
        item = row[item_col]
        if item_col == "topic":
            name = names.get(item) or names.get(str(item)) or f"topic {item} ({row.get('label', '')})"
        else:
            name = names.get(item, str(item))
        old = before.get((row[prev_col], item))
        new = row[value]
        delta = row[change]
        verb = "rose" if delta > 0 else "fell" if delta < 0 else "stayed"
        fmt = _num if unit == "per_1k" else _pct
        if old is None or pd.isna(old):
            frm = f"changed by {_signed(delta, unit)}"
        else:
            frm = f"{verb} from {fmt(old)} to {fmt(new)}"
        where = {"per_1k": " per 1,000 words", "share": " of documents", "prevalence": " of the text"}[unit]
        sig = row[flag] in ("rise", "fall")
        detail = "significant" if sig else "not significant"
        q = row.get(qcol)
        if q is not None and not pd.isna(q):
            detail += f", q {_pval(q)}"
        lo, hi = row.get(low), row.get(high)
        if lo is not None and hi is not None and not (pd.isna(lo) or pd.isna(hi)):
            detail += f"; 95% interval of the change {_signed(lo, unit)} to {_signed(hi, unit)}"
        sentences.append(f"{name} {frm}{where} between {row[prev_col]} and {row[by]} ({detail}).")
    return sentences


def _measure_spec(track: pd.DataFrame, measure: str | None):
    if measure is None:
        measure = "prevalence" if "prevalence" in track.columns else "per_1k"
    if measure == "per_1k":
        return ("per_1k", "per_1k_change", "per_1k_change_low", "per_1k_change_high", "change_per_1k", "per_1k_q", "per_1k")
    if measure == "share_docs":
        return ("share_docs", "share_change", "share_change_low", "share_change_high", "change", "share_q", "share")
    if measure == "prevalence":
        return ("prevalence", "prevalence_change", "prevalence_change_low", "prevalence_change_high", "change", "q", "prevalence")
    raise ValueError(f"measure must be 'per_1k', 'share_docs' or 'prevalence', not {measure!r}")


def _num(value: float) -> str:
    """A rate for a sentence: 2 significant digits under 1, else 2 (under 10) or 1 decimal."""
    value = float(value)
    if abs(value) < 1:
        return f"{value:.2g}"
    text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return text.rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    pct = 100 * float(value)
    return f"{pct:.0f}%" if abs(pct) >= 10 or pct == 0 else f"{pct:.1f}%"


def _signed(value: float, unit: str) -> str:
    if unit == "share":
        pts = 100 * float(value)
        text = f"{pts:+.0f}" if abs(pts) >= 10 else f"{pts:+.1f}"
        return f"{text} points"
    if unit == "prevalence":
        return f"{100 * float(value):+.1f} points"
    text = _num(abs(value))
    return ("-" if value < 0 else "+") + text


def _pval(q: float) -> str:
    return "< 0.001" if q < 0.001 else f"= {q:.3f}" if q < 0.01 else f"= {q:.2f}"


# --- building -------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for dist in (
        "discourse",
        "pandas",
        "numpy",
        "scikit-learn",
        "scipy",
        "matplotlib",
        "nltk",
        "papermill",
        "nbconvert",
        "jupytext",
    ):
        try:
            out[dist] = md.version(dist)
        except md.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _declared_parameters(nb) -> set[str] | None:
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            names = set()
            for line in cell.source.splitlines():
                m = re.match(r"^([A-Za-z_]\w*)\s*(?::[^=]+)?=", line)
                if m:
                    names.add(m.group(1))
            return names
    return None


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


@contextlib.contextmanager
def _kernel(kernel_name: str | None, workdir: Path) -> Iterator[str]:
    """Yield a kernel name that runs this Python (``sys.executable``)."""
    if kernel_name is not None:
        yield kernel_name
        return
    try:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        spec = KernelSpecManager().get_kernel_spec("python3")
        argv0 = spec.argv[0] if spec.argv else ""
        aliases = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
        if argv0 in aliases or os.path.realpath(argv0) == os.path.realpath(sys.executable):
            yield "python3"
            return
    except (ImportError, NoSuchKernel):  # pragma: no cover - ipykernel missing or odd setup
        pass
    # The python3 kernel found runs another Python: register one that runs ours.
    kdir = workdir / "kernels" / "discourse-python"
    kdir.mkdir(parents=True, exist_ok=True)
    (kdir / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "discourse (Python)",
                "language": "python",
            }
        )
    )
    old = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(workdir) + (os.pathsep + old if old else "")
    try:
        yield "discourse-python"
    finally:
        if old is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = old


def _check_output_replaceable(output: Path) -> None:
    if not output.exists():
        return
    if not output.is_dir():
        raise ReportError(
            "the report folder is a file",
            path=output,
            hint="choose another folder with -o",
        )
    entries = [p for p in output.iterdir() if p.name not in _KEEP]
    if not entries:
        return
    manifest = output / "manifest.json"
    try:
        ours = json.loads(manifest.read_text(encoding="utf-8")).get("generator") == GENERATOR
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise ReportError(
            "the folder exists and is not a discourse report, so it will not be replaced",
            path=output,
            hint="choose another folder with -o, or empty this one",
        )


def _strip_stderr(nb) -> None:
    """Drop stderr streams (warnings, text progress bars) from what goes into the HTML."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]


# The lab template without its remote scripts (require.js, MathJax, mermaid from a CDN):
# the report is self-contained, works offline and loads nothing from third parties.
_HTML_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}<style>.jp-Notebook{max-width:1100px;margin:0 auto}
.jp-RenderedHTMLCommon table{font-size:.85em} .jp-RenderedHTMLCommon td{max-width:40em}</style>{% endblock extra_css %}
"""


def _render_html(nb, title: str, show_code: bool) -> str:
    import jinja2
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"discourse_report.html.j2": _HTML_TEMPLATE})],
        template_file="discourse_report.html.j2",
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


def _kernel_manager_class(log_path: Path):
    """A kernel manager whose kernel writes its stderr to ``log_path``, not to our terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class _QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with open(log_path, "ab") as fh:  # the child keeps its own copy of the descriptor
                kw["stderr"] = fh
                return await super()._async_launch_kernel(kernel_cmd, **kw)

    return _QuietKernelManager


def _execution_error(err, notebook: Path) -> ReportError:
    ename = getattr(err, "ename", type(err).__name__)
    evalue = str(getattr(err, "evalue", err)).strip()
    source = str(getattr(err, "source", "") or "").strip()
    lines = source.splitlines()
    exc = ReportError(
        f"the notebook failed with {ename}: {evalue}",
        path=notebook,
        hint="the previous report was left as it was. Fix the cause, or run the notebook in "
        "JupyterLab to see the full traceback",
    )
    if lines:
        excerpt = "\n".join("    " + s for s in lines[-8:])
        exc.args = (f"{exc}\n  The failing cell{' ends with' if len(lines) > 8 else ''}:\n{excerpt}",)
    exc.ename = ename
    exc.evalue = evalue
    exc.notebook = str(notebook)
    exc.cell_source = source
    return exc


def build_report(
    source: str | os.PathLike[str] | pd.DataFrame,
    output: str | os.PathLike[str] = "reports",
    *,
    load_options: Mapping[str, Any] | None = None,
    dictionary: str | os.PathLike[str] | None = None,
    seed: int = 0,
    show_code: bool = False,
    notebooks: Sequence[str | os.PathLike[str]] | None = None,
    progress: bool = True,
    kernel_name: str | None = None,
    year_min: int | None = None,
    year_max: int | None = None,
    parameters: Mapping[str, Any] | None = None,
    workers: int | None = None,
    validation: str | os.PathLike[str] | None = None,
) -> Path:
    """Build the report for a corpus: notebooks, HTML, figures, tables, index, manifest.

    Parameters
    ----------
    source : path or DataFrame
        The corpus: anything :func:`discourse.load_corpus` reads, or a corpus table
        already loaded (``load_options`` are then ignored).
    output : path, default "reports"
        The report folder. Replaced as a whole when the new report is complete; it must
        be absent, empty, or a previous report (holding its ``manifest.json``).
    load_options : dict, optional
        Keywords of :func:`discourse.load_corpus` (``format``, ``filename_pattern``,
        ``metadata``, ``errors``, ``columns``...); ``None`` values are dropped.
    dictionary : path, optional
        Theme dictionary file; default: the built-in one.
    seed : int, default 0
        Seed of every random step (bootstrap, topic models, samples).
    show_code : bool, default False
        Keep the code cells in the HTML.
    notebooks : list of path, optional
        The notebooks (``NN-name.py`` jupytext sources, or ``.ipynb``); default: every
        ``NN-*.py`` of :func:`notebooks_dir`.
    progress : bool, default True
        Show a progress bar over the notebooks (on stderr).
    kernel_name : str, optional
        Jupyter kernel; default: ``python3`` if it runs this Python, else a kernel
        registered for this Python in the build folder.
    year_min, year_max : int, optional
        Report on the documents of these years only.
    parameters : dict, optional
        Override notebook parameters (see :func:`report_parameters`).
    workers : int, optional
        Notebooks run at the same time, each in its own kernel (default: 2, or 1 on a
        single core). Results do not depend on it.
    validation : path, optional
        A labelled validation CSV of this corpus (drawn with
        :func:`discourse.validation.validation_sample`, then labelled; read with
        :func:`~discourse.validation.read_labels`). The theme notebook then reports the
        dictionary's precision, recall and F1 measured on it (instead of the figures
        shipped for the built-in dictionary), and the notebook on themes across events
        charts the theme shares corrected for the dictionary's errors. It is checked
        against the corpus before anything runs; its path and sha256 go to the
        manifest's ``parameters``.

    Returns
    -------
    Path
        The report's ``index.html``.

    Raises
    ------
    CorpusError, DictionaryError, ValidationError
        The corpus, dictionary or validation file cannot be read, or the validation
        file does not fit the corpus (before anything runs).
    ReportError
        A notebook failed (naming it and the failing cell's error), or the output
        folder cannot be replaced. The previous report is left as it was.
    """
    started = time.perf_counter()
    output = Path(output).resolve()
    _check_output_replaceable(output)
    nb_paths = [Path(p).resolve() for p in notebooks] if notebooks is not None else list_notebooks()
    for p in nb_paths:
        if not p.is_file():
            raise ReportError("the notebook does not exist", path=p, hint="check the notebooks list")

    # Load and check everything before running anything.
    options = {k: v for k, v in dict(load_options or {}).items() if v is not None}
    if isinstance(source, pd.DataFrame):
        missing = [c for c in ("doc_id", "text") if c not in source.columns]
        if missing:
            raise ReportError(
                f"the corpus DataFrame has no column {', '.join(map(repr, missing))}",
                hint="pass a table made by discourse.load_corpus",
            )
        corpus = _filter_years(source, year_min, year_max, source="the corpus DataFrame")
        source_label = f"DataFrame of {len(source):,} documents"
    else:
        reading = dict(options)
        if progress and sys.stderr.isatty():
            reading.setdefault("progress", True)  # load_corpus's bar while reading files
        corpus = load_report_corpus(source, reading, year_min=year_min, year_max=year_max)
        source_label = str(source)
    if corpus.empty:
        raise ReportError("the corpus has no document", path=source_label, hint="check the source and load options")
    dictionary_path = None if dictionary is None else str(Path(dictionary).resolve())
    dictionary_info = _dictionary_info(dictionary_path)
    validation_path = None if validation is None else str(Path(validation).resolve())
    validation_sha256 = None if validation_path is None else _check_validation(validation_path, corpus, dictionary_path)

    params = report_parameters(len(corpus))
    params.update(dict(parameters or {}))
    common = {
        "corpus": None if isinstance(source, pd.DataFrame) else _source_path(source),
        "load_options": options,
        "dictionary": dictionary_path,
        "seed": int(seed),
        "year_min": year_min,
        "year_max": year_max,
        "validation": validation_path,
        **params,
    }

    output.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)  # mkdtemp makes it private; a report is a normal folder
    try:
        work = build / _WORK_DIR
        work.mkdir()
        (build / "notebooks").mkdir()
        cache = work / _CORPUS_CACHE
        with open(cache, "wb") as fh:
            pickle.dump(corpus, fh, protocol=pickle.HIGHEST_PROTOCOL)
        n_tokens = _count_tokens(corpus)
        run_params = {**common, "output_dir": str(build), "corpus_cache": str(cache)}
        if workers is None:
            workers = min(2, os.cpu_count() or 1)
        records = _run_notebooks(nb_paths, build, work, run_params, show_code, progress, kernel_name, int(workers))
        items = _read_items(build)
        manifest = {
            "generator": GENERATOR,
            "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
            "source": source_label,
            "load_options": options,
            "year_min": year_min,
            "year_max": year_max,
            "corpus": {
                "fingerprint": corpus_fingerprint(corpus),
                "n_docs": int(len(corpus)),
                "n_tokens": n_tokens,
                "n_skipped": len(corpus.attrs.get("skipped", []) or []),
            },
            "dictionary": dictionary_info,
            "seed": int(seed),
            "parameters": {
                **{k: v for k, v in common.items() if k not in ("corpus", "load_options", "dictionary", "seed")},
                "validation_sha256": validation_sha256,
            },
            "show_code": bool(show_code),
            "versions": _versions(),
            "notebooks": [
                {**rec, "items": [it for it in items if it["notebook"] == rec["name"]]} for rec in records
            ],
        }
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        (build / "index.html").write_text(_index_html(manifest), encoding="utf-8")
        shutil.rmtree(work)
        (build / _ITEMS_FILE).unlink(missing_ok=True)
        _move_into_place(build, output)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return output / "index.html"


def _source_path(source) -> str:
    path = Path(source)
    return str(path.resolve()) if path.exists() else str(source)


def _dictionary_info(path: str | None) -> dict[str, Any]:
    from discourse.themes import default_dictionary, load_dictionary

    dic = default_dictionary() if path is None else load_dictionary(path)
    return {
        "path": path or "built-in default",
        "name": getattr(dic, "name", None),
        "fingerprint": dic.fingerprint(),
        "themes": list(dic.theme_ids),
    }


def _check_validation(path: str, corpus: pd.DataFrame, dictionary_path: str | None) -> str:
    """Read a labelled validation file and check it against the corpus; return its sha256.

    Raises :class:`~discourse.validation.ValidationError` naming the file (and row) when
    it cannot be read, holds no theme of the dictionary, or does not fit the corpus.
    """
    from discourse.themes import default_dictionary, load_dictionary
    from discourse.validation import ValidationError, attach_predictions

    dic = default_dictionary() if dictionary_path is None else load_dictionary(dictionary_path)
    table, themes = _validation_labels(path, dic)
    try:
        attach_predictions(table, corpus, dic, themes=themes)
    except ValidationError as err:
        raise ValidationError(
            err.problem or str(err), path=path, row=err.row,
            hint=(err.hint or "").rstrip(".") + ("; " if err.hint else "")
            + "the labels must be drawn from the corpus of the report (same source, load options and years)",
        ) from None
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count_tokens(corpus: pd.DataFrame) -> int:
    from discourse.text import count_tokens

    return int(sum(count_tokens(t) for t in corpus["text"].fillna("").astype(str)))


def _run_one(path: Path, build: Path, work: Path, params, show_code: bool, kname: str) -> dict[str, Any]:
    """Convert, execute and render one notebook; return its record for the manifest."""
    import jupytext
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    name = path.stem
    nb = jupytext.read(path) if path.suffix != ".ipynb" else nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": kname, "display_name": "Python 3", "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    declared = _declared_parameters(nb)
    passed = params if declared is None else {k: v for k, v in params.items() if k in declared}
    src = work / f"{name}.ipynb"
    nbformat.write(nb, src)
    executed = build / "notebooks" / f"{name}.ipynb"
    t0 = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(src),
            str(executed),
            parameters=passed,
            kernel_name=kname,
            language="python",
            progress_bar=False,
            log_output=False,
            # no cwd=: papermill would os.chdir the whole process, which is not safe with
            # notebooks running in threads (the notebooks use absolute paths only)
            kernel_manager_class=_kernel_manager_class(work / f"{name}.kernel.log"),
        )
    except PapermillExecutionError as err:
        raise _execution_error(err, path) from None
    except DiscourseError:
        raise
    except Exception as err:  # kernel died, timeout, bad notebook file
        log = _tail(work / f"{name}.kernel.log")
        raise ReportError(
            f"the notebook could not be run: {type(err).__name__}: {err}"
            + (f"\n  the kernel said:\n{log}\n " if log else ""),
            path=path,
            hint="the previous report was left as it was",
        ) from err
    seconds = time.perf_counter() - t0
    done = nbformat.read(executed, as_version=4)
    title = _title(done, name)
    _strip_stderr(done)
    (build / f"{name}.html").write_text(_render_html(done, title, show_code), encoding="utf-8")
    return {
        "name": name,
        "title": title,
        "source": path.name,
        "html": f"{name}.html",
        "ipynb": f"notebooks/{name}.ipynb",
        "seconds": round(seconds, 1),
    }


def _run_notebooks(nb_paths, build, work, params, show_code, progress, kernel_name, workers) -> list[dict]:
    """Run the notebooks, ``workers`` at a time (each in its own kernel); records in notebook order.

    If notebooks fail, the error of the first failing one (in notebook order) is raised,
    after the ones already running have finished.
    """
    from concurrent.futures import ThreadPoolExecutor

    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover
        tqdm = None

    bar = None
    if progress and tqdm is not None:
        bar = tqdm(total=len(nb_paths), desc="report", unit="notebook", file=sys.stderr)
    records = []
    try:
        with _kernel(kernel_name, work) as kname:
            if workers <= 1 or len(nb_paths) <= 1:
                for path in nb_paths:
                    if bar is not None:
                        bar.set_postfix_str(path.stem)
                    records.append(_run_one(path, build, work, params, show_code, kname))
                    if bar is not None:
                        bar.update(1)
                return records
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [pool.submit(_run_one, p, build, work, params, show_code, kname) for p in nb_paths]
                try:
                    for fut in futures:
                        records.append(fut.result())
                        if bar is not None:
                            bar.set_postfix_str(records[-1]["name"])
                            bar.update(1)
                except BaseException:
                    for fut in futures:
                        fut.cancel()
                    raise
    finally:
        if bar is not None:
            bar.close()
    return records


def _tail(path: Path, n: int = 8) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    lines = [ln for ln in lines if "running over TCP without encryption" not in ln]
    return "\n".join("    " + ln for ln in lines[-n:])


def _read_items(build: Path) -> list[dict[str, Any]]:
    path = build / _ITEMS_FILE
    if not path.is_file():
        return []
    items: dict[tuple, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            items[(item["notebook"], item["kind"], item["name"])] = item  # last one wins
    return list(items.values())


def _move_into_place(build: Path, output: Path) -> None:
    old = None
    if output.exists():
        for keep in _KEEP:
            if (output / keep).exists() and not (build / keep).exists():
                shutil.copy2(output / keep, build / keep)
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        old.rmdir()
        os.replace(output, old)
    try:
        os.replace(build, output)
    except OSError:
        if old is not None:
            os.replace(old, output)  # put the previous report back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- index.html ---------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{margin-bottom:.2em} h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
.meta{color:#555;font-size:.92em} code{background:#f4f4f4;padding:0 .25em;border-radius:3px}
.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1em}
figure{margin:0;border:1px solid #e4e4e4;border-radius:6px;padding:.5em;background:#fff}
figure img{width:100%;height:auto} figcaption{font-size:.9em;color:#444}
table{border-collapse:collapse;font-size:.92em} td,th{padding:.2em .6em;border-bottom:1px solid #eee;text-align:left}
.note{border-left:4px solid #E69F00;background:#fff8e6;padding:.4em .8em;margin:.4em 0}
"""


def _index_html(manifest: Mapping[str, Any]) -> str:
    e = html.escape
    c = manifest["corpus"]
    d = manifest["dictionary"]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>discourse report: {e(str(manifest['source']))}</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>discourse report</h1>",
        '<p class="meta">',
        f"Corpus <code>{e(str(manifest['source']))}</code>: {c['n_docs']:,} documents, "
        f"{c['n_tokens']:,} words"
        + (f", {c['n_skipped']:,} files skipped" if c["n_skipped"] else "")
        + ".<br>",
    ]
    years = [f"from {manifest['year_min']}" if manifest.get("year_min") else "", f"to {manifest['year_max']}" if manifest.get("year_max") else ""]
    years = " ".join(y for y in years if y)
    if years:
        parts.append(f"Documents {e(years)} only.<br>")
    params = manifest.get("parameters") or {}
    if params.get("validation"):
        parts.append(
            f"Validation labels: <code>{e(str(params['validation']))}</code> (sha256 "
            f"<code>{e(str(params.get('validation_sha256') or '')[:16])}</code>).<br>"
        )
    parts += [
        f"Dictionary: {e(str(d['path']))} ({len(d['themes'])} themes). Seed {manifest['seed']}. "
        f"Built {e(manifest['created'])} in {manifest['seconds']:.0f} s with discourse "
        f"{e(manifest['versions'].get('discourse', '?'))}.<br>",
        f"Corpus fingerprint <code>{e(c['fingerprint'][:16])}</code>, dictionary fingerprint "
        f"<code>{e(str(d['fingerprint'])[:16])}</code>; provenance in "
        '<a href="manifest.json">manifest.json</a>.</p>',
        "<h2>Contents</h2><ol>",
    ]
    for nb in manifest["notebooks"]:
        parts.append(f'<li><a href="{e(nb["html"])}">{e(nb["title"])}</a></li>')
    parts.append("</ol>")
    for nb in manifest["notebooks"]:
        parts.append(f'<h2 id="{e(nb["name"])}"><a href="{e(nb["html"])}">{e(nb["title"])}</a></h2>')
        parts.append(
            f'<p class="meta">Notebook <a href="{e(nb["ipynb"])}">{e(nb["ipynb"])}</a> '
            f"(source <code>notebooks/{e(nb['source'])}</code>), run in {nb['seconds']:.0f} s.</p>"
        )
        notes = [it for it in nb["items"] if it["kind"] == "note"]
        for it in (it for it in nb["items"] if it["kind"] == "findings"):
            parts.append(f"<h3>{e(it['name'])}</h3><ul>")
            parts.extend(f"<li>{e(sentence)}</li>" for sentence in it.get("sentences", []))
            parts.append("</ul>")
        figures = [it for it in nb["items"] if it["kind"] == "figure"]
        tables = [it for it in nb["items"] if it["kind"] == "table"]
        for it in notes:
            parts.append(f'<div class="note">Not computed: {e(it["name"])}. {e(it["caption"])}</div>')
        if figures:
            parts.append('<div class="figs">')
            for it in figures:
                parts.append(
                    f'<figure><a href="{e(it["path"])}"><img src="{e(it["path"])}" alt="{e(it["caption"] or it["name"])}" loading="lazy"></a>'
                    f"<figcaption>{e(it['caption'] or it['name'])}</figcaption></figure>"
                )
            parts.append("</div>")
        if tables:
            parts.append("<table><tr><th>table (CSV)</th><th>rows</th><th>what it holds</th></tr>")
            for it in tables:
                parts.append(
                    f'<tr><td><a href="{e(it["path"])}">{e(Path(it["path"]).name)}</a></td>'
                    f"<td>{it.get('rows', 0):,}</td><td>{e(it['caption'])}</td></tr>"
                )
            parts.append("</table>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
