"""What the report notebooks show and save: :class:`ReportOutputs` and the ``show_*`` helpers.

Notebooks hand their DataFrames and Axes to :class:`ReportOutputs`, which saves them
(PNG figures, CSV tables with floats rounded to 6 decimals), displays them (text from
documents is always HTML-escaped) and records them for the index; a step that cannot
be computed for the corpus (:class:`~discourse.errors.NotComputable`) becomes a note in
the report instead of failing it, while any other error (a misspelt column, a bad
option) fails the build.
"""

from __future__ import annotations

import contextlib
import html
import json
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from discourse.errors import DiscourseError, NotComputable

__all__ = [
    "ReportOutputs",
    "NOT_COMPUTABLE",
    "is_not_computable",
    "show_table",
    "show_text",
    "show_list",
    "facet",
    "last_groups",
    "in_languages",
]

#: Errors that mean "this could not be computed on this corpus" inside a notebook
#: (too few documents, a single event, an empty vocabulary...). Anything else is a bug
#: or bad input and fails the report.
NOT_COMPUTABLE = (NotComputable,)

#: Where :class:`ReportOutputs` records what it saved, in the report folder (read by the build).
ITEMS_FILE = ".report-items.jsonl"


def is_not_computable(err: BaseException) -> bool:
    """Whether an error means that a statistic cannot be computed for this corpus.

    True for :class:`~discourse.errors.NotComputable` and its subclasses (too few units
    for a topic model, fewer than two groups to compare); False for anything else, such
    as a missing column or a bad option.
    """
    return isinstance(err, NOT_COMPUTABLE)


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
        with open(self.output_dir / ITEMS_FILE, "a", encoding="utf-8") as fh:
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

        A :class:`~discourse.errors.NotComputable` raised in the block (too few
        documents or events, an empty vocabulary...; see :func:`is_not_computable`) is
        turned into a note (:meth:`note`); the rest of the block is skipped. Other
        errors (a misspelt column, a bad option, a bug) propagate and fail the report. The step advances the progress bar (see
        :meth:`step`).
        """
        with self.step(what):
            try:
                yield
            except DiscourseError as err:
                if not is_not_computable(err):
                    raise
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


def last_groups(table: pd.DataFrame, column: str, n: int, *, skip: Iterable[Any] = ()) -> list[Any]:
    """Return the last ``n`` distinct values of ``column`` in the table's row order (time order).

    Parameters
    ----------
    table : DataFrame
    column : str
    n : int
    skip : iterable, optional
        Values left out (e.g. :data:`discourse.tracking.NO_EVENT`).

    Returns
    -------
    list
    """
    skipped = set(skip)
    seen = [v for v in dict.fromkeys(table[column].tolist()) if v not in skipped]
    return seen[-n:] if n > 0 else []


def in_languages(corpus: pd.DataFrame, languages: Iterable[str]) -> pd.DataFrame:
    """The documents of ``corpus`` in one of ``languages`` (its ``language`` column), a copy.

    For the report's sections on one language, e.g. keyword-in-context lines of the Chinese
    documents: ``kwic_samples(in_languages(docs, ["zh", "mixed"]), dic)``.

    Parameters
    ----------
    corpus : DataFrame
        With the ``language`` column that :func:`discourse.load_corpus` adds.
    languages : iterable of str
        Language codes (``"zh"``, ``"mixed"``...).

    Returns
    -------
    DataFrame
        The matching rows, in corpus order, attrs kept; no row when the corpus has no
        ``language`` column.
    """
    if isinstance(languages, str):
        languages = [languages]
    if "language" not in corpus.columns:
        return corpus.iloc[:0].copy()
    keep = corpus["language"].astype(str).str.lower().isin([str(code).lower() for code in languages])
    return corpus[keep.to_numpy()].copy()
