"""Every chart of :mod:`discourse`: tidy DataFrames in, matplotlib Axes out.

Each function takes the table that a :mod:`discourse` function returns, draws it on
``ax`` (a new figure when ``ax`` is None) and returns the Axes. Nothing is computed that
a reader could not find in that table, and nothing is saved: call
``ax.figure.savefig(...)`` yourself.

Style
    One colour-blind-safe palette (Okabe & Ito 2008, :data:`OKABE_ITO`), font sizes
    readable at report size (about 16 cm wide), light grids, no top or right spines.
    The style is applied explicitly to what each function draws, so it does not depend
    on (or change) the user's ``rcParams``; wrap your own figures in :func:`style` to
    match. More series than colours are told apart by line style and marker as well.
    Long event names are shortened with an ellipsis on axes (the full name stays in the
    table) and, when there are many events, only every k-th is labelled.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = [
    "OKABE_ITO",
    "style",
    "palette",
    "plot_corpus_overview",
]

#: The Okabe-Ito colour-blind-safe palette, ordered for lines on white (yellow last).
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)
_LINESTYLES = ("-", "--", ":", "-.")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

FONT_SIZE = 10
TITLE_SIZE = 12
SMALL_SIZE = 8.5
MAX_LABEL_CHARS = 28

_RC = {
    "font.size": FONT_SIZE,
    "axes.titlesize": TITLE_SIZE,
    "axes.labelsize": FONT_SIZE,
    "xtick.labelsize": SMALL_SIZE + 0.5,
    "ytick.labelsize": SMALL_SIZE + 0.5,
    "legend.fontsize": SMALL_SIZE,
    "axes.prop_cycle": mpl.cycler(color=list(OKABE_ITO)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager applying the package's chart style to matplotlib's ``rcParams``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     fig, ax = plt.subplots()
    """
    with mpl.rc_context(_RC):
        yield


def palette(n: int) -> list[tuple[str, str, str]]:
    """Return ``n`` distinct (colour, linestyle, marker) triples, colours first.

    The first 7 use Okabe-Ito colours with solid lines; after that the colours repeat
    with another line style and marker, so 28 series stay distinguishable.
    """
    colours = OKABE_ITO[:7]
    out = []
    for i in range(n):
        c = colours[i % len(colours)]
        ls = _LINESTYLES[(i // len(colours)) % len(_LINESTYLES)]
        m = _MARKERS[i % len(_MARKERS)]
        out.append((c, ls, m))
    return out


def _new_axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    with style():
        _fig, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _finish(ax: Axes, *, title: str | None, xlabel: str | None, ylabel: str | None) -> Axes:
    """Apply the house style explicitly (independent of the caller's rcParams)."""
    if title is not None:
        ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    if xlabel is not None:
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    if ylabel is not None:
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.tick_params(labelsize=SMALL_SIZE + 0.5)
    for side in ("top", "right"):
        if side in ax.spines:
            ax.spines[side].set_visible(False)
    ax.set_axisbelow(True)
    return ax


def _shorten(label: object, n: int = MAX_LABEL_CHARS) -> str:
    text = "" if label is None or (isinstance(label, float) and math.isnan(label)) else str(label)
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


def _category_ticks(ax: Axes, labels: Sequence[object], *, axis: str = "x",
                    max_labels: int = 40) -> None:
    """Label positions 0..n-1 with (shortened) labels, thinning to ``max_labels``."""
    n = len(labels)
    step = max(1, math.ceil(n / max_labels))
    pos = list(range(0, n, step))
    text = [_shorten(labels[i]) for i in pos]
    if axis == "x":
        ax.set_xticks(pos)
        rotate = n > 6 or max((len(t) for t in text), default=0) > 10
        ax.set_xticklabels(text, rotation=45 if rotate else 0, ha="right" if rotate else "center",
                           rotation_mode="anchor", fontsize=SMALL_SIZE + 0.5)
        ax.set_xlim(-0.6, n - 0.4)
    else:
        ax.set_yticks(pos)
        ax.set_yticklabels(text, fontsize=SMALL_SIZE + 0.5)


def _require(df: pd.DataFrame, columns: Sequence[str], func: str, made_by: str) -> None:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{func} needs a DataFrame from {made_by}, not {type(df).__name__}.")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(
            f"{func}: the table has no column {', '.join(map(repr, missing))} "
            f"(it has {', '.join(map(str, df.columns))}). Pass the table returned by {made_by}."
        )


def _group_label_column(df: pd.DataFrame, candidates: Sequence[str] = ("event", "year")) -> str:
    for c in candidates:
        if c in df.columns:
            return c
    raise ValueError(
        f"the table has none of the columns {', '.join(map(repr, candidates))} "
        f"(it has {', '.join(map(str, df.columns))})."
    )


# --- corpus overview ----------------------------------------------------------------


def plot_corpus_overview(events_df: pd.DataFrame, ax: Axes | None = None, *,
                         x: str | None = None, title: str | None = "Corpus overview") -> Axes:
    """Documents (bars) and tokens (line, right axis) per event or per year.

    Parameters
    ----------
    events_df : DataFrame
        The table of :func:`discourse.tracking.events` (or any table with ``n_docs``,
        ``n_tokens`` and a label column such as ``year``), drawn in its row order.
    ax : Axes, optional
        Where to draw; a new figure when None.
    x : str, optional
        The label column; default ``"event"`` if present, else ``"year"``.
    title : str, optional

    Returns
    -------
    Axes
        The documents axis; the token axis is its twin (``ax.figure.axes``).
    """
    x = x or _group_label_column(events_df)
    _require(events_df, [x, "n_docs", "n_tokens"], "plot_corpus_overview", "discourse.events()")
    ax = _new_axes(ax, (max(6.0, min(16.0, 0.22 * len(events_df) + 4)), 4.0))
    pos = np.arange(len(events_df))
    docs = events_df["n_docs"].to_numpy(dtype=float)
    tokens = events_df["n_tokens"].to_numpy(dtype=float)
    bars = ax.bar(pos, docs, color=OKABE_ITO[0], width=0.75, label="documents", zorder=2)
    ax.set_ylim(0, max(1.0, np.nanmax(docs) if len(docs) else 1.0) * 1.12)
    twin = ax.twinx()
    scale, unit = (1e6, "millions") if np.nanmax(tokens, initial=0) >= 5e6 else (1e3, "thousands")
    (line,) = twin.plot(pos, tokens / scale, color=OKABE_ITO[1], marker="o", markersize=3.5,
                        linewidth=1.6, label=f"tokens ({unit})", zorder=3)
    twin.set_ylim(0, max(1e-9, np.nanmax(tokens / scale, initial=0)) * 1.12)
    twin.set_ylabel(f"tokens ({unit})", fontsize=FONT_SIZE, color=OKABE_ITO[1])
    twin.tick_params(axis="y", labelsize=SMALL_SIZE + 0.5, colors=OKABE_ITO[1])
    twin.grid(False)
    twin.spines["top"].set_visible(False)
    _category_ticks(ax, list(events_df[x]))
    ax.grid(axis="x", visible=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    ax.legend([bars, line], ["documents", f"tokens ({unit})"], loc="lower right",
              bbox_to_anchor=(1.0, 1.0), ncol=2, fontsize=SMALL_SIZE, frameon=False,
              borderaxespad=0.2)
    _finish(ax, title=title, xlabel=x.replace("_", " "), ylabel="documents")
    ax.set_ylabel("documents", fontsize=FONT_SIZE, color=OKABE_ITO[0])
    return ax
