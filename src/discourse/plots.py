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

Fonts
    Latin text is set in matplotlib's own default, DejaVu Sans (:data:`LATIN_FONT`);
    Chinese characters, simplified and traditional, which DejaVu Sans lacks, fall back
    glyph by glyph to Noto Sans SC (:data:`CJK_FONT`, SIL Open Font License), whose file
    comes with the ``pylopdf-fonts-zh-cn`` dependency: nothing is downloaded, and no
    system font is needed. The font file is registered with matplotlib on the first
    chart (:func:`font_family`). Every text of the Axes a function draws on gets this
    font list, whatever the caller's ``rcParams``; :func:`style` sets it for your own
    figures.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import math
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.text import Text

__all__ = [
    "OKABE_ITO",
    "LATIN_FONT",
    "CJK_FONT",
    "cjk_font_path",
    "font_family",
    "style",
    "palette",
    "plot_corpus_overview",
    "plot_theme_trajectories",
    "plot_theme_heatmap",
    "plot_topic_heatmap",
    "plot_topic_prevalence",
    "plot_distinctive_terms",
    "plot_topic_diagnostics",
    "plot_kwic",
    "plot_corrected_shares",
]

#: Most lines drawn with interval bands by the trajectory charts.
MAX_LINES = 7

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
MAX_LABEL_CHARS = 32

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


#: The font of Latin letters, digits and symbols: matplotlib's default (it ships with matplotlib).
LATIN_FONT = "DejaVu Sans"
#: The font of the Chinese characters (and other CJK glyphs) that :data:`LATIN_FONT` lacks.
CJK_FONT = "Noto Sans SC"

_FONT_LOCK = threading.Lock()
_FONT_FAMILY: list[str] | None = None


def cjk_font_path() -> Path:
    """Return the path of the Noto Sans SC font file that charts use for Chinese.

    The file (OpenType, SIL Open Font License 1.1) is installed with the
    ``pylopdf-fonts-zh-cn`` package, a dependency of :mod:`discourse`; it covers
    simplified and traditional Chinese characters.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ModuleNotFoundError
        When ``pylopdf-fonts-zh-cn`` is not installed (the message says how to install it).
    """
    try:
        import pylopdf_fonts_zh_cn
    except ModuleNotFoundError as err:
        raise ModuleNotFoundError(
            "discourse.plots: the Chinese font of the charts comes with the package "
            "pylopdf-fonts-zh-cn, which is not installed. Install it with "
            "`pip install pylopdf-fonts-zh-cn` (a dependency of discourse)."
        ) from err
    return Path(pylopdf_fonts_zh_cn.sans_path())


def font_family() -> list[str]:
    """Return the font list of every chart: :data:`LATIN_FONT`, then :data:`CJK_FONT`.

    matplotlib draws each character in the first font of the list that has it (glyph
    by glyph fallback, matplotlib >= 3.6), so Latin text keeps DejaVu Sans and Chinese
    characters are drawn in Noto Sans SC. The first call registers the Noto Sans SC
    file (:func:`cjk_font_path`) with matplotlib's font manager, once per process.
    Noto Sans SC comes in one weight (regular), also registered as its bold: bold
    Chinese text (panel titles) is drawn at regular weight, bold Latin text in
    DejaVu Sans Bold.

    When the font package is missing, a warning says so and the list is
    ``[LATIN_FONT]`` alone: charts are still drawn, and matplotlib warns of each
    Chinese character it cannot draw.

    Returns
    -------
    list of str
        A new list, to pass as ``rcParams["font.family"]`` or ``Text.set_fontfamily``.
    """
    global _FONT_FAMILY
    with _FONT_LOCK:
        if _FONT_FAMILY is None:
            from matplotlib import font_manager
            from matplotlib.ft2font import FT2Font

            try:
                path = cjk_font_path()
            except ModuleNotFoundError as err:
                warnings.warn(f"{err} Chinese characters cannot be drawn in charts.",
                              RuntimeWarning, stacklevel=2)
                _FONT_FAMILY = [LATIN_FONT]
            else:
                manager = font_manager.fontManager
                regular = font_manager.ttfFontProperty(FT2Font(str(path)))
                name = regular.name
                if name not in {f.name for f in manager.ttflist}:
                    # The font has one weight: bold Chinese (panel titles) is drawn in it,
                    # registered as its bold too, so that matplotlib does not log
                    # "Failed to find font weight bold" for every bold title.
                    manager.ttflist.append(dataclasses.replace(regular, weight=700))
                    manager.addfont(path)  # the regular weight; clears the font cache
                _FONT_FAMILY = [LATIN_FONT, name]
        return list(_FONT_FAMILY)


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Context manager applying the package's chart style to matplotlib's ``rcParams``.

    Sizes, colours, grid, and the fonts (:func:`font_family`: Latin text in DejaVu Sans,
    Chinese characters in Noto Sans SC).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     fig, ax = plt.subplots()
    ...     _ = ax.set_title("数字鸿沟 / digital divide")
    """
    with mpl.rc_context({**_RC, "font.family": font_family()}):
        yield


_F = TypeVar("_F", bound=Callable[..., Any])


def _axes_of(result: Any) -> list[Axes]:
    """The Axes a plot function returned (one, or an array), with their twins."""
    found: list[Axes] = []
    for a in np.atleast_1d(np.asarray(result, dtype=object)).ravel():
        if isinstance(a, Axes):
            for b in (a, *a.get_shared_x_axes().get_siblings(a), *a.get_shared_y_axes().get_siblings(a)):
                if b not in found:
                    found.append(b)
    return found


def _with_fonts(func: _F) -> _F:
    """Draw with the chart fonts: texts made by ``func`` get them from ``rcParams`` and
    the texts its Axes had before (titles, axis labels and tick labels of an Axes the
    caller made) get them afterwards, so that Chinese labels never depend on the
    caller's ``rcParams``."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        family = font_family()
        with mpl.rc_context({"font.family": family}):
            result = func(*args, **kwargs)
        for a in _axes_of(result):
            for text in a.findobj(Text):
                text.set_fontfamily(family)
        return result

    return wrapper  # type: ignore[return-value]


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
    if len(text) <= n:
        return text
    # ellipsis in the middle: event names end with what tells them apart (the year)
    tail = min(12, (n - 1) // 2)
    return text[: n - 1 - tail].rstrip() + "\u2026" + text[len(text) - tail:].lstrip()


def _category_ticks(ax: Axes, labels: Sequence[object], *, axis: str = "x",
                    max_labels: int = 26) -> None:
    """Label positions 0..n-1 with (shortened) labels, thinning to ``max_labels``."""
    n = len(labels)
    step = max(1, math.ceil(n / max_labels))
    pos = list(range(n - 1, -1, -step))[::-1]  # thinned from the end: the latest is labelled
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


@_with_fonts
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
    ax.set_ylim(0, max(1.0, np.nanmax(docs) if len(docs) else 1.0) * 1.22)
    twin = ax.twinx()
    scale, unit = (1e6, "millions") if np.nanmax(tokens, initial=0) >= 5e6 else (1e3, "thousands")
    (line,) = twin.plot(pos, tokens / scale, color=OKABE_ITO[1], marker="o", markersize=3.5,
                        linewidth=1.6, label=f"tokens ({unit})", zorder=3)
    twin.set_ylim(0, max(1e-9, np.nanmax(tokens / scale, initial=0)) * 1.22)
    twin.set_ylabel(f"tokens ({unit})", fontsize=FONT_SIZE, color=OKABE_ITO[1])
    twin.tick_params(axis="y", labelsize=SMALL_SIZE + 0.5, colors=OKABE_ITO[1])
    twin.grid(False)
    twin.spines["top"].set_visible(False)
    _category_ticks(ax, list(events_df[x]))
    ax.grid(axis="x", visible=False)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    # inside, in headroom kept free above the bars and line (no clash with the title)
    twin.legend([bars, line], ["documents", f"tokens ({unit})"], loc="upper left", ncol=2,
                fontsize=SMALL_SIZE, frameon=True, framealpha=0.9, edgecolor="none")
    _finish(ax, title=title, xlabel=x.replace("_", " "), ylabel="documents")
    ax.set_ylabel("documents", fontsize=FONT_SIZE, color=OKABE_ITO[0])
    return ax


# --- trajectories (themes and topics): small multiples -------------------------------------

#: Columns that can label the groups (events, years, sessions) of a tracked table, in order.
_GROUP_COLUMNS = ("event", "year", "session")
_NOT_GROUPS = {"theme", "topic", "label", "event_series"}


def _ordered_unique(values: pd.Series) -> list:
    return list(pd.unique(values))


def _panel_group_column(df: pd.DataFrame) -> str:
    """The column whose values are the x positions: event, year or session, else the first."""
    for c in _GROUP_COLUMNS:
        if c in df.columns:
            return c
    for c in df.columns:
        if c not in _NOT_GROUPS:
            return c
    raise ValueError(f"the table has no group column (it has {', '.join(map(str, df.columns))}).")


def _panel_axes(ax, n: int, ncols: int, *, figsize: tuple[float, float], sharey: bool,
                func: str) -> tuple[np.ndarray, bool]:
    """One Axes per panel: a new figure, the given sequence, or one Axes split into a grid.

    Returns the Axes (flat, ``n`` of them) and whether the figure was made here.
    """
    nrows = math.ceil(n / ncols)
    if ax is None:
        with style():
            _fig, grid = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained",
                                      sharex=True, sharey=sharey, squeeze=False)
        flat = grid.ravel()
        for extra in flat[n:]:
            extra.remove()
        return flat[:n], True
    if isinstance(ax, Axes):
        if n == 1:
            return np.array([ax], dtype=object), False
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError(f"{func}: {n} panels need a sequence of {n} Axes, or an Axes made by "
                             "plt.subplots (whose area is split into panels), or ax=None.")
        fig = ax.figure
        ax.remove()
        sub = spec.subgridspec(nrows, ncols)
        first = None
        out = []
        for i in range(n):
            a = fig.add_subplot(sub[i // ncols, i % ncols], sharex=first,
                                sharey=first if sharey else None)
            first = first or a
            out.append(a)
        return np.array(out, dtype=object), False
    flat = np.asarray(ax, dtype=object).ravel()
    if len(flat) != n:
        raise ValueError(f"{func}: {n} panel(s) need as many Axes, not {len(flat)} "
                         "(pass fewer themes or topics, or ax=None).")
    return flat, False


def _x_positions(groups: list) -> tuple[dict, bool]:
    """x of each group: its value when groups are numbers (years, sessions), else its rank."""
    numeric = len(groups) > 0 and all(
        isinstance(g, (int, np.integer, float, np.floating)) and not isinstance(g, (bool, np.bool_))
        and np.isfinite(float(g)) for g in groups)
    if numeric:
        return {g: float(g) for g in groups}, True
    return {g: float(i) for i, g in enumerate(groups)}, False


def _small_multiples(
    df: pd.DataFrame,
    *,
    key: str,
    keys: list,
    title_of: dict,
    value: str,
    low: str | None,
    high: str | None,
    flag: str | None,
    ax,
    ncols: int | None,
    sharey: bool,
    ylabel: str,
    percent: bool,
    title: str,
    func: str,
):
    """One panel per key: a line per series (colour), its interval band, change markers."""
    group = _panel_group_column(df)
    series_col = "event_series" if "event_series" in df.columns else None
    groups = _ordered_unique(df[group].dropna())
    pos_of, numeric = _x_positions(groups)
    series_values: list = [None]
    if series_col is not None:
        series_values = _ordered_unique(df[series_col].dropna())
        if df[series_col].isna().any() or not series_values:
            series_values = [*series_values, None]
    many = len(groups) > 30
    # events named "<series> <year>" are labelled by what follows the series name, in the
    # series' colour (the legend names the series)
    series_of: dict = {}
    if series_col is not None:
        firsts = df[df[group].notna()].drop_duplicates(group)
        series_of = dict(zip(firsts[group], firsts[series_col], strict=True))
    short_of = {g: str(g) for g in groups}
    if not numeric and series_of and all(
            isinstance(series_of.get(g), str) and str(g).startswith(series_of[g])
            and str(g)[len(series_of[g]):].strip() for g in groups):
        short_of = {g: str(g)[len(series_of[g]):].strip() for g in groups}
    n = len(keys)
    if ncols is None:
        ncols = (1 if n <= 2 else 2) if many else min(3, n)
    ncols = max(1, min(int(ncols), n))
    nrows = math.ceil(n / ncols)
    labels_long = not numeric and max((len(_shorten(short_of[g])) for g in groups), default=0) > 8
    width = min(16.0, (6.5 if many else 4.3) * ncols + 0.4)
    height = 2.3 * nrows + (1.7 if labels_long else 0.6) + 0.9
    axes, made = _panel_axes(ax, n, ncols, figsize=(width, height), sharey=sharey, func=func)
    colours = [c for c, _, _ in palette(max(1, len(series_values)))]
    colour_of = {s: colours[j] for j, s in enumerate(series_values)}
    styles = {s: _LINESTYLES[(j // 7) % len(_LINESTYLES)] for j, s in enumerate(series_values)}
    flagged = {"rise": False, "fall": False}
    banded = False
    for i, (k, a) in enumerate(zip(keys, axes, strict=True)):
        sub = df[df[key] == k]
        for ser in series_values:
            if series_col is None:
                part = sub
            elif ser is None:
                part = sub[sub[series_col].isna()]
            else:
                part = sub[sub[series_col] == ser]
            part = part[part[group].notna()]
            if part.empty:
                continue
            colour = colour_of[ser]
            x = part[group].map(pos_of).to_numpy(dtype=float)
            y = part[value].to_numpy(dtype=float)
            a.plot(x, y, color=colour, linestyle=styles[ser], marker="o",
                   markersize=0 if many else 3.5, linewidth=1.2 if many else 1.6, zorder=3)
            if low is not None and high is not None and low in part and high in part:
                lo, hi = part[low].to_numpy(dtype=float), part[high].to_numpy(dtype=float)
                if np.isfinite(lo).any():
                    a.fill_between(x, lo, hi, color=colour, alpha=0.14, linewidth=0, zorder=2)
                    banded = True
            if flag is not None and flag in part:
                f = part[flag].fillna("").astype(str).to_numpy()
                for kind, m in (("rise", "^"), ("fall", "v")):
                    hit = f == kind
                    if hit.any():
                        a.scatter(x[hit], y[hit], marker=m, s=40 if many else 70, color=colour,
                                  edgecolor="black", linewidth=0.9, zorder=5,
                                  label=f"significant {kind}")
                        flagged[kind] = True
        a.set_title(_shorten(title_of.get(k, k), 44), fontsize=FONT_SIZE, loc="left",
                    fontweight="bold")
        if percent:
            a.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0, decimals=None))
        a.set_ylim(bottom=0)
        a.grid(axis="x", visible=False)
        _finish(a, title=None, xlabel=None, ylabel=ylabel if i % ncols == 0 else None)
        a.yaxis.label.set_fontsize(SMALL_SIZE)
    # x axis: labelled under the last panel of each column only
    for i, a in enumerate(axes):
        bottom = i + ncols >= n
        if numeric:
            a.xaxis.set_major_locator(mpl.ticker.MaxNLocator(nbins=8 if many else 6, integer=True))
            if groups:
                lo_x, hi_x = min(pos_of.values()), max(pos_of.values())
                pad = 0.6 if hi_x - lo_x < 30 else 1.0
                a.set_xlim(lo_x - pad, hi_x + pad)
        else:
            _category_ticks(a, [short_of[g] for g in groups],
                            max_labels=max(4, 14 // ncols) if many else 26)
            for tick in a.xaxis.get_major_ticks():
                t, p = tick.label1, int(round(tick.get_loc()))
                t.set_fontsize(SMALL_SIZE)
                ser = series_of.get(groups[p]) if 0 <= p < len(groups) else None
                if short_of[groups[0]] != str(groups[0]) and ser in colour_of:
                    t.set_color(colour_of[ser])
        a.tick_params(axis="x", labelbottom=bottom)
        if bottom and i // ncols == nrows - 1:
            shortened = bool(groups) and short_of[groups[0]] != str(groups[0])
            a.set_xlabel(group.replace("_", " ") + (" (series by colour)" if shortened else ""),
                         fontsize=FONT_SIZE)
    # one legend for the figure: series colours, band, change markers
    handles, labels = [], []
    if series_col is not None and len(series_values) > 1:
        for ser in series_values:
            handles.append(mpl.lines.Line2D([], [], color=colour_of[ser], linestyle=styles[ser],
                                            linewidth=2))
            labels.append(_shorten("series unknown" if ser is None else ser, 40))
    if banded:
        handles.append(mpl.patches.Patch(color="#777777", alpha=0.3, linewidth=0))
        labels.append("95% interval")
    for kind, m in (("rise", "^"), ("fall", "v")):
        if flagged[kind]:
            handles.append(mpl.lines.Line2D([], [], marker=m, linestyle="", markersize=8,
                                            markerfacecolor="#aaaaaa", markeredgecolor="black"))
            labels.append(f"significant {kind} from the previous event of the series")
    fig = axes[0].figure
    if made:
        if handles:
            fig.legend(handles, labels, loc="outside lower center",
                       ncol=min(len(handles), 3 if width < 10 else 4), fontsize=SMALL_SIZE,
                       frameon=False)
        fig.suptitle(title, fontsize=TITLE_SIZE, x=0.01, ha="left")
    else:
        if handles:
            axes[0].legend(handles, labels, loc="upper left", fontsize=SMALL_SIZE - 0.5,
                           frameon=True, framealpha=0.85, edgecolor="none")
        if n > 1:
            axes[0].figure.suptitle(title, fontsize=TITLE_SIZE, x=0.01, ha="left")
        else:
            axes[0].set_title(f"{title}: {_shorten(title_of.get(keys[0], keys[0]), 40)}",
                              fontsize=TITLE_SIZE, loc="left")
    return axes[0] if n == 1 else axes


def _check_keys(chosen, all_keys: list, what: str, func: str) -> list:
    if chosen is None:
        chosen = all_keys
    elif isinstance(chosen, (str, int, np.integer)):
        chosen = [chosen]
    chosen = list(chosen)
    known = set(all_keys)
    unknown = [t for t in chosen if t not in known]
    if unknown:
        raise ValueError(f"{func}: no {what} {', '.join(map(repr, unknown))} in the table "
                         f"(it has {', '.join(map(str, all_keys[:30]))}"
                         f"{'...' if len(all_keys) > 30 else ''}).")
    if not chosen:
        raise ValueError(f"{func}: no {what} to draw (the table is empty or {what}s=[] was passed).")
    return chosen


@_with_fonts
def plot_theme_trajectories(
    track_df: pd.DataFrame,
    themes: Sequence[str] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    value: str = "per_1k",
    title: str | None = None,
    ncols: int | None = None,
):
    """Theme frequencies across events: one panel per theme, series by colour, 95% bands.

    Parameters
    ----------
    track_df : DataFrame
        The table of :func:`discourse.track_themes` (or
        :func:`discourse.theme_frequencies`), rows in time order. Its group column
        (``event``, ``year`` or ``session``, else its first column) is the x axis:
        numbers (years, sessions) are placed at their value, labels (events) in table
        order, with only every k-th labelled when there are many.
    themes : list of str, optional
        Themes drawn, one panel each, in this order (default: all, in table order).
    ax : Axes or sequence of Axes, optional
        Where to draw: one Axes per theme, or one Axes whose area is split into the
        panels. Default: a new figure.
    value : {"per_1k", "share_docs"}, default "per_1k"
        What to draw, with its ``<value>_low``/``<value>_high`` interval as a band.
        Significant changes from the previous event of the same series (the
        ``change_per_1k`` flag for ``per_1k``, ``change`` for ``share_docs``: the
        rate or share test at ``q <= alpha`` in :func:`discourse.track_themes`) are
        marked with filled triangles pointing up (rise) or down (fall).
    title : str, optional
        The figure's title (default "Themes across events").
    ncols : int, optional
        Panels per row (default 3, or 2 when there are more than 30 events).

    Returns
    -------
    Axes or ndarray of Axes
        The Axes when one theme is drawn, else an array of Axes, one per theme (as
        ``plt.subplots`` returns them); ``axes[0].figure`` is the figure.

    Notes
    -----
    A line joins only events of the same series (``event_series``), each series in its
    own colour (one figure legend); each panel has its own y scale, starting at 0.
    """
    _require(track_df, ["theme", value], "plot_theme_trajectories", "discourse.track_themes()")
    chosen = _check_keys(themes, _ordered_unique(track_df["theme"]), "theme",
                         "plot_theme_trajectories")
    flag = {"per_1k": "change_per_1k", "share_docs": "change"}.get(value)
    group = _panel_group_column(track_df)
    ylabel = {"per_1k": "per 1,000 words", "share_docs": "share of documents"}.get(
        value, value.replace("_", " "))
    return _small_multiples(
        track_df, key="theme", keys=chosen, title_of={}, value=value,
        low=f"{value}_low", high=f"{value}_high", flag=flag, ax=ax, ncols=ncols,
        sharey=False, ylabel=ylabel, percent=value.startswith("share"),
        title=title or f"Themes across {group}s", func="plot_theme_trajectories",
    )


def _topic_labels(prev_df: pd.DataFrame) -> dict:
    label_of: dict = {}
    if "label" in prev_df.columns:
        for t, lab in zip(prev_df["topic"], prev_df["label"], strict=True):
            label_of.setdefault(t, f"{t}: {lab}")
    return label_of


@_with_fonts
def plot_topic_prevalence(
    prev_df: pd.DataFrame,
    topics: Sequence | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    title: str | None = None,
    ncols: int | None = None,
):
    """Topic prevalence across events: one panel per topic, series by colour, 95% bands.

    For an overview of all topics use :func:`plot_topic_heatmap`; this chart is for a
    few chosen topics (``topics=[...]``).

    Parameters
    ----------
    prev_df : DataFrame
        The table of ``TopicModel.topic_prevalence`` or :func:`discourse.track_topics`
        (columns ``topic``, ``prevalence``, ``prevalence_low``, ``prevalence_high``,
        optionally ``label``, ``event_series`` and ``change``), rows in time order.
    topics : list, optional
        Topics drawn (ids as in the ``topic`` column), one panel each, in this order;
        default all.
    ax : Axes or sequence of Axes, optional
        One Axes per topic, or one Axes whose area is split into the panels. Default:
        a new figure.
    title : str, optional
    ncols : int, optional
        Panels per row (default 3, or 2 when there are more than 30 events).

    Returns
    -------
    Axes or ndarray of Axes
        The Axes when one topic is drawn, else an array of Axes, one per topic.

    Notes
    -----
    The panels share their y axis (prevalences are on one scale). Significant changes
    from the previous event of the series (``change`` of :func:`discourse.track_topics`)
    are marked with filled triangles.
    """
    _require(prev_df, ["topic", "prevalence"], "plot_topic_prevalence",
             "TopicModel.topic_prevalence() or discourse.track_topics()")
    chosen = _check_keys(topics, _ordered_unique(prev_df["topic"]), "topic",
                         "plot_topic_prevalence")
    group = _panel_group_column(prev_df)
    return _small_multiples(
        prev_df, key="topic", keys=chosen, title_of=_topic_labels(prev_df), value="prevalence",
        low="prevalence_low", high="prevalence_high",
        flag="change" if "change" in prev_df.columns else None, ax=ax, ncols=ncols, sharey=True,
        ylabel="mean topic share", percent=True,
        title=title or f"Topic prevalence across {group}s", func="plot_topic_prevalence",
    )


# --- heatmap ---------------------------------------------------------------------------


@_with_fonts
def plot_theme_heatmap(
    freq_df: pd.DataFrame,
    value: str = "per_1k",
    ax: Axes | None = None,
    *,
    annotate: bool | None = None,
    scale: str = "global",
    title: str | None = None,
) -> Axes:
    """Theme x event heatmap of a frequency column.

    Parameters
    ----------
    freq_df : DataFrame
        :func:`discourse.theme_frequencies` or :func:`discourse.track_themes` output
        (one row per group and theme; groups in time order).
    value : str, default "per_1k"
        The column shown (``"share_docs"`` for the share of documents).
    ax : Axes, optional
    annotate : bool, optional
        Write the value in each cell; default when the grid is at most 20 x 20.
    scale : {"global", "theme"}, default "global"
        ``"global"``: one colour scale for all cells. ``"theme"``: each row is coloured
        relative to that theme's own maximum, so a rare theme's rise is as visible as a
        common one's (the cell labels still show the values).
    title : str, optional

    Returns
    -------
    Axes
        The colour bar is drawn in the same figure.
    """
    _require(freq_df, ["theme", value], "plot_theme_heatmap", "discourse.theme_frequencies()")
    group = _group_label_column(freq_df)
    groups = _ordered_unique(freq_df[group])
    themes = _ordered_unique(freq_df["theme"])
    grid = (
        freq_df.pivot_table(index="theme", columns=group, values=value, aggfunc="first",
                            dropna=False, sort=False)
        .reindex(index=themes, columns=groups)
        .to_numpy(dtype=float)
    )
    ax = _new_axes(ax, (max(6.0, min(16.0, 0.45 * len(groups) + 3.5)),
                        max(3.0, 0.38 * len(themes) + 1.8)))
    if scale not in ("global", "theme"):
        raise ValueError(f'scale must be "global" or "theme", not {scale!r}')
    colours = grid
    if scale == "theme":
        with np.errstate(invalid="ignore", divide="ignore"):
            row_max = np.nanmax(np.where(np.isfinite(grid), grid, np.nan), axis=1, keepdims=True) \
                if grid.size else grid
            colours = np.where(row_max > 0, grid / row_max, 0.0)
    finite = colours[np.isfinite(colours)]
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    n_rows, n_cols = max(len(themes), 1), max(len(groups), 1)
    image = ax.imshow(colours if colours.size else np.full((1, 1), np.nan), aspect="auto",
                      cmap="cividis", vmin=0, vmax=vmax, interpolation="nearest",
                      extent=(-0.5, n_cols - 0.5, n_rows - 0.5, -0.5))
    ax.grid(False)
    _category_ticks(ax, groups, axis="x", max_labels=36)
    ax.set_ylim(n_rows - 0.5, -0.5)
    _category_ticks(ax, themes, axis="y", max_labels=60)
    if annotate is None:
        annotate = len(groups) <= 20 and len(themes) <= 20
    if annotate:
        fmt = "{:.0%}" if value.startswith("share") else "{:.2g}"
        for r in range(grid.shape[0]):
            for c in range(grid.shape[1]):
                v = grid[r, c]
                if np.isfinite(v):
                    ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=SMALL_SIZE - 1,
                            color="black" if colours[r, c] > 0.6 * vmax else "white")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    label = {"per_1k": "mentions per 1,000 tokens", "share_docs": "share of documents"}.get(
        value, value.replace("_", " "))
    bar.set_label(label if scale == "global" else f"{label}, share of the theme's maximum",
                  fontsize=SMALL_SIZE + 0.5)
    bar.ax.tick_params(labelsize=SMALL_SIZE)
    if value.startswith("share") or scale == "theme":
        bar.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    for spine in ax.spines.values():
        spine.set_visible(False)
    _finish(ax, title=title or f"Themes by {group}: {label}", xlabel=group.replace("_", " "),
            ylabel=None)
    ax.grid(False)
    return ax


@_with_fonts
def plot_topic_heatmap(
    prevalence_table: pd.DataFrame,
    ax: Axes | None = None,
    *,
    scale: str = "global",
    annotate: bool | None = None,
    title: str | None = None,
) -> Axes:
    """Topics x events heatmap of prevalence, topics ordered by the time of their peak.

    Parameters
    ----------
    prevalence_table : DataFrame
        The table of :func:`discourse.track_topics` (or ``TopicModel.topic_prevalence``):
        the group column (``event``, ``year`` or ``session``), ``topic``,
        ``prevalence``, optionally ``label`` and ``change``. Columns of the heatmap are
        the groups in table order (``track_topics`` gives time order).
    ax : Axes, optional
    scale : {"global", "topic"}, default "global"
        ``"global"``: one colour scale for all cells. ``"topic"``: each row relative
        to its own maximum, so a small topic's peak is as visible as a large one's.
    annotate : bool, optional
        Write the prevalence in each cell; default when the grid is at most 20 x 20.
    title : str, optional

    Returns
    -------
    Axes
        The colour bar is drawn in the same figure.

    Notes
    -----
    Rows are ordered by the position of each topic's highest prevalence (its peak),
    earliest first, ties by the order of the table; a topic with no value goes last.
    The top row is the earliest peak, so the chart reads as a diagonal from the top
    left when topics come and go. Significant changes from the previous event of the
    series (``change`` = ``"rise"``/``"fall"``) are marked with a small triangle in the
    cell's corner.
    """
    _require(prevalence_table, ["topic", "prevalence"], "plot_topic_heatmap",
             "discourse.track_topics() or TopicModel.topic_prevalence()")
    if scale not in ("global", "topic"):
        raise ValueError(f'plot_topic_heatmap: scale must be "global" or "topic", not {scale!r}')
    group = _panel_group_column(prevalence_table)
    groups = _ordered_unique(prevalence_table[group].dropna())
    topics = _ordered_unique(prevalence_table["topic"])
    wide = prevalence_table.pivot_table(index="topic", columns=group, values="prevalence",
                                        aggfunc="first", dropna=False, sort=False)
    grid = wide.reindex(index=topics, columns=groups).to_numpy(dtype=float)
    peak = np.array([np.nanargmax(r) if np.isfinite(r).any() else len(groups) for r in grid])
    order = np.argsort(peak, kind="stable")
    grid = grid[order]
    topics = [topics[i] for i in order]
    label_of = _topic_labels(prevalence_table)
    colours = grid
    if scale == "topic" and grid.size:
        with np.errstate(invalid="ignore", divide="ignore"):
            row_max = np.nanmax(np.where(np.isfinite(grid), grid, np.nan), axis=1, keepdims=True)
            colours = np.where(row_max > 0, grid / row_max, 0.0)
    finite = colours[np.isfinite(colours)]
    vmax = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    n_rows, n_cols = max(len(topics), 1), max(len(groups), 1)
    ax = _new_axes(ax, (max(6.5, min(16.0, 0.5 * n_cols + 5.0)), max(3.0, 0.34 * n_rows + 2.2)))
    image = ax.imshow(colours if colours.size else np.full((1, 1), np.nan), aspect="auto",
                      cmap="cividis", vmin=0, vmax=vmax, interpolation="nearest",
                      extent=(-0.5, n_cols - 0.5, n_rows - 0.5, -0.5))
    ax.grid(False)
    _category_ticks(ax, groups, axis="x", max_labels=36)
    ax.set_ylim(n_rows - 0.5, -0.5)
    ax.set_yticks(range(len(topics)))
    ax.set_yticklabels([_shorten(label_of.get(t, t), 40) for t in topics],
                       fontsize=SMALL_SIZE + 0.5)
    if annotate is None:
        annotate = len(groups) <= 20 and len(topics) <= 20
    if annotate:
        for r in range(grid.shape[0]):
            for c in range(grid.shape[1]):
                v = grid[r, c]
                if np.isfinite(v):
                    ax.text(c, r, f"{v:.0%}", ha="center", va="center", fontsize=SMALL_SIZE - 1,
                            color="black" if colours[r, c] > 0.6 * vmax else "white")
    if "change" in prevalence_table.columns and len(topics) and len(groups):
        row_of = {t: i for i, t in enumerate(topics)}
        col_of = {g: i for i, g in enumerate(groups)}
        flags = prevalence_table[prevalence_table[group].notna()]
        for kind, m, dy in (("rise", "^", -0.28), ("fall", "v", -0.28)):
            hit = flags[flags["change"].fillna("").astype(str) == kind]
            if not hit.empty:
                xs = hit[group].map(col_of).to_numpy(dtype=float) + 0.3
                ys = hit["topic"].map(row_of).to_numpy(dtype=float) + dy
                ax.scatter(xs, ys, marker=m, s=22, color="white", edgecolor="black",
                           linewidth=0.6, zorder=4, label=f"significant {kind}")
    bar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label("mean topic share" if scale == "global" else "share of the topic's maximum",
                  fontsize=SMALL_SIZE + 0.5)
    bar.ax.tick_params(labelsize=SMALL_SIZE)
    bar.ax.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
    for spine in ax.spines.values():
        spine.set_visible(False)
    _finish(ax, title=title or f"Topic prevalence by {group} (topics ordered by peak)",
            xlabel=group.replace("_", " "), ylabel=None)
    ax.grid(False)
    return ax


# --- distinctive terms -------------------------------------------------------------------


@_with_fonts
def plot_distinctive_terms(
    dt_df: pd.DataFrame,
    group,
    n: int = 15,
    ax: Axes | None = None,
    *,
    title: str | None = None,
) -> Axes:
    """Horizontal bars of the z-scores of a group's most distinctive terms.

    Parameters
    ----------
    dt_df : DataFrame
        The table of :func:`discourse.distinctive_terms`.
    group : object
        The group (e.g. event name or year) whose terms are drawn.
    n : int, default 15
        Terms drawn (ranks 1..n).
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    Axes
    """
    _require(dt_df, ["term", "rank", "z", "count"], "plot_distinctive_terms",
             "discourse.distinctive_terms()")
    col = dt_df.columns[0]
    sub = dt_df[dt_df[col] == group]
    if sub.empty:
        raise ValueError(f"plot_distinctive_terms: no rows for {col} {group!r} (the table has "
                         f"{', '.join(map(str, _ordered_unique(dt_df[col])[:10]))}...).")
    sub = sub.sort_values("rank", kind="stable").head(n)
    ax = _new_axes(ax, (6.0, max(2.5, 0.3 * len(sub) + 1.2)))
    y = np.arange(len(sub))
    z = sub["z"].to_numpy(dtype=float)
    ax.barh(y, z, color=OKABE_ITO[0], height=0.7, zorder=2)
    ax.set_yticks(y)
    ax.set_yticklabels([_shorten(t, 30) for t in sub["term"]], fontsize=SMALL_SIZE + 0.5)
    ax.set_ylim(len(sub) - 0.5, -0.5)
    zmax = float(np.nanmax(z)) if len(z) else 1.0
    for yi, zi, c in zip(y, z, sub["count"].to_numpy(), strict=True):
        ax.text(zi + 0.01 * zmax, yi, f"{int(c):,}", va="center", ha="left",
                fontsize=SMALL_SIZE - 0.5, color="#444444")
    ax.set_xlim(0, zmax * 1.15 if zmax > 0 else 1)
    ax.grid(axis="y", visible=False)
    _finish(ax, title=title or _shorten(f"Distinctive terms: {group}", 60),
            xlabel="z-score of the log-odds ratio vs the rest (count in the group at bar end)",
            ylabel=None)
    ax.xaxis.label.set_fontsize(SMALL_SIZE)
    return ax


# --- topic-model diagnostics ---------------------------------------------------------------

_DIAGNOSTICS = (
    ("coherence_npmi", "NPMI coherence", "higher is better"),
    ("exclusivity", "exclusivity", "higher is better"),
    ("stability", "stability", "higher is better"),
    ("perplexity", "held-out perplexity", "lower is better"),
)


@_with_fonts
def plot_topic_diagnostics(selection_df, ax: Axes | None = None, *,
                           title: str | None = "Choosing the number of topics") -> Axes:
    """Candidate numbers of topics against their diagnostics, with the recommended k marked.

    Parameters
    ----------
    selection_df : DataFrame or TopicSelection
        The table of :func:`discourse.select_n_topics` (``n_topics``,
        ``coherence_npmi``, ``exclusivity``, ``stability``, ``perplexity``,
        ``recommended``), or the selection object itself.
    ax : Axes, optional
    title : str, optional

    Returns
    -------
    Axes

    Notes
    -----
    The diagnostics have different scales, so each is drawn rescaled to its range over
    the candidates (0 = its lowest value, 1 = its highest); the legend gives each
    one's actual range, and the table has the values. Diagnostics that are all NaN
    (perplexity of NMF) are left out.
    """
    table = getattr(selection_df, "table", selection_df)
    _require(table, ["n_topics"], "plot_topic_diagnostics", "discourse.select_n_topics()")
    table = table.sort_values("n_topics", kind="stable")
    k = table["n_topics"].to_numpy(dtype=float)
    ax = _new_axes(ax, (8.0, 4.2))
    handles, labels = [], []
    for i, (col, name, better) in enumerate(_DIAGNOSTICS):
        if col not in table.columns:
            continue
        v = table[col].to_numpy(dtype=float)
        if not np.isfinite(v).any():
            continue
        lo, hi = np.nanmin(v), np.nanmax(v)
        scaled = (v - lo) / (hi - lo) if hi > lo else np.full_like(v, 0.5)
        colour, _, marker = palette(4)[i]
        (line,) = ax.plot(k, scaled, color=colour, marker=marker, linewidth=1.8, markersize=5,
                          linestyle=_LINESTYLES[i], zorder=3)
        handles.append(line)
        labels.append(f"{name} ({lo:.3g} to {hi:.3g}; {better})")
    if "recommended" in table.columns and table["recommended"].astype(bool).any():
        best = float(table.loc[table["recommended"].astype(bool), "n_topics"].iloc[0])
        ax.axvline(best, color="#555555", linestyle="--", linewidth=1.2, zorder=2)
        # inside the axes, on the side of the line with more room
        right_half = len(k) > 1 and best > (k.min() + k.max()) / 2
        ax.annotate(f"recommended k = {int(best)}", xy=(best, 0.5), xycoords=("data", "axes fraction"),
                    xytext=(-5 if right_half else 5, 0), textcoords="offset points",
                    ha="right" if right_half else "left", va="center", fontsize=SMALL_SIZE,
                    color="#333333", zorder=5,
                    bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none",
                          "alpha": 0.85})
    ax.set_xticks(k)
    ax.set_xticklabels([str(int(v)) for v in k], fontsize=SMALL_SIZE + 0.5)
    ax.set_ylim(-0.05, 1.05)
    ax.set_yticks([0, 0.5, 1])
    ax.set_yticklabels(["lowest", "", "highest"])
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2,
              fontsize=SMALL_SIZE, frameon=False)
    _finish(ax, title=title, xlabel="number of topics (k)",
            ylabel="value, rescaled to its range")
    return ax


# --- KWIC ----------------------------------------------------------------------------------


def _clip_left(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else "\u2026" + text[len(text) - n + 1:].lstrip()


def _clip_right(text: str, n: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


@_with_fonts
def plot_kwic(kwic_df: pd.DataFrame, n: int = 15, ax: Axes | None = None, *,
              context_chars: int = 50, title: str | None = None,
              label: str | None = None) -> Axes:
    """Keyword-in-context lines rendered as a table: left context, **match**, right context.

    Parameters
    ----------
    kwic_df : DataFrame
        The table of :func:`discourse.kwic` (``left``, ``match``, ``right``; ``doc_id``
        and ``theme`` or ``event`` are shown when present). The first ``n`` rows are drawn,
        in table order.
    n : int, default 15
    ax : Axes, optional
    context_chars : int, default 50
        Characters of context kept on each side (clipped with an ellipsis).
    title : str, optional
    label : str, optional
        Column shown on the left of each line. Default: ``theme`` when the lines come
        from several themes, else ``event``, else ``doc_id``.

    Returns
    -------
    Axes

    Notes
    -----
    Text is drawn literally: dollar signs and backslashes in documents are not read as
    mathematics, and no markup in them is interpreted.
    """
    _require(kwic_df, ["left", "match", "right"], "plot_kwic", "discourse.kwic()")
    rows = kwic_df.head(n)
    ax = _new_axes(ax, (11.0, 0.32 * max(len(rows), 1) + 0.9))
    ax.set_axis_off()
    ax.set_xlim(0, 1)
    ax.set_ylim(max(len(rows), 1) - 0.5, -1.2)
    if label is not None:
        _require(kwic_df, [label], "plot_kwic", "discourse.kwic()")
        source = label
    elif "theme" in rows.columns and rows["theme"].nunique() > 1:
        source = "theme"
    else:
        source = next((c for c in ("event", "doc_id") if c in rows.columns), None)
    x_src, x_left = 0.0, 0.48
    fs = SMALL_SIZE
    if source is not None:
        ax.text(x_src, -0.9, source.replace("_", " "), fontsize=fs, color="#555555",
                fontweight="bold", parse_math=False, va="center")
    if rows.empty:
        ax.text(0.5, 0, "no matches", ha="center", va="center", fontsize=FONT_SIZE,
                color="#555555")
    for i, r in enumerate(rows.itertuples(index=False)):
        rec = r._asdict()
        if i % 2 == 0:
            ax.axhspan(i - 0.5, i + 0.5, color="#f2f2f2", zorder=0, linewidth=0)
        if source is not None:
            ax.text(x_src, i, _shorten(rec[source], 24), fontsize=fs - 0.5, color="#555555",
                    va="center", ha="left", parse_math=False)
        ax.text(x_left, i, _clip_left(rec["left"], context_chars), fontsize=fs, va="center",
                ha="right", parse_math=False)
        # the match starts just after the left context, the right context just after
        # the match: positions are resolved when drawn (robust to layout changes)
        match = ax.annotate(_clip_right(rec["match"], 40), xy=(x_left, i), xycoords="data",
                            xytext=(3, 0), textcoords="offset points", fontsize=fs,
                            va="center", ha="left", fontweight="bold", color=OKABE_ITO[1],
                            parse_math=False, annotation_clip=False)
        ax.annotate(_clip_right(rec["right"], context_chars), xy=(1.0, 0.5), xycoords=match,
                    xytext=(3, 0), textcoords="offset points", fontsize=fs, va="center",
                    ha="left", parse_math=False, annotation_clip=False)
    if title is None:
        title = "Keyword in context"
        if "theme" in rows.columns and rows["theme"].nunique() == 1:
            title += f": {rows['theme'].iloc[0]}"
        title += f" (first {len(rows)} of {len(kwic_df)} matches)"
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    return ax


# --- corrected shares ---------------------------------------------------------------------


@_with_fonts
def plot_corrected_shares(
    table: pd.DataFrame,
    themes: Sequence[str] | None = None,
    ax: Axes | Sequence[Axes] | None = None,
    *,
    title: str | None = None,
):
    """The dictionary's raw share of units per group beside the share corrected for its errors.

    One panel per theme, groups on the x axis in the table's row order: the raw share
    (the dictionary's, grey open circles) and the corrected share (filled, coloured)
    with its interval as an error bar. Groups corrected by the Rogan-Gladen fallback
    (no labelled unit in the group: the pooled error rates are assumed to hold there)
    are drawn with an open square; groups that could not be corrected show the raw
    share only.

    Parameters
    ----------
    table : DataFrame
        The table of :func:`discourse.validation.corrected_frequencies`: the group
        column(s) first, then ``theme``, ``raw``, ``corrected``, ``corrected_low``,
        ``corrected_high`` and ``method``.
    themes : list of str, optional
        Themes drawn, one panel each (default: all, in table order).
    ax : Axes or sequence of Axes, optional
        Where to draw: one Axes per theme. Default: a new figure with the panels
        stacked, sharing the x axis.
    title : str, optional
        Title of the first panel (default: "Share of units with the theme: raw and
        corrected"); each panel is labelled with its theme.

    Returns
    -------
    Axes or ndarray of Axes
        The Axes when one theme is drawn, else an array of Axes, one per theme (as
        ``plt.subplots`` returns them).
    """
    _require(table, ["theme", "raw", "corrected", "corrected_low", "corrected_high"],
             "plot_corrected_shares", "discourse.validation.corrected_frequencies()")
    cols = list(table.columns)
    group_cols = cols[: cols.index("theme")]
    if not group_cols:
        raise ValueError("plot_corrected_shares: the table has no group column before 'theme'. "
                         "Pass the table returned by discourse.validation.corrected_frequencies().")
    all_themes = _ordered_unique(table["theme"])
    themes = list(all_themes if themes is None else ([themes] if isinstance(themes, str) else themes))
    unknown = [t for t in themes if t not in set(all_themes)]
    if unknown or not themes:
        raise ValueError(f"plot_corrected_shares: no theme {', '.join(map(repr, unknown))} in the table "
                         f"(it has {', '.join(map(str, all_themes))}).")
    key = table[group_cols].astype(str).agg(" / ".join, axis=1) if len(group_cols) > 1 else table[group_cols[0]]
    groups = _ordered_unique(key)
    pos_of = {g: i for i, g in enumerate(groups)}
    if ax is None:
        width = max(6.5, min(16.0, 0.35 * len(groups) + 4))
        with style():
            fig, axes = plt.subplots(len(themes), 1, figsize=(width, 2.6 * len(themes) + 0.6),
                                     layout="constrained", sharex=True, squeeze=False)
        axes = axes[:, 0]
    else:
        axes = np.atleast_1d(np.asarray(ax, dtype=object))
        if len(axes) != len(themes):
            raise ValueError(f"plot_corrected_shares: {len(themes)} theme(s) need as many Axes, "
                             f"not {len(axes)} (pass themes=[...] or ax=None).")
    colours = palette(len(themes))
    for i, (t, a) in enumerate(zip(themes, axes, strict=True)):
        colour = colours[i][0]
        sub = table[table["theme"] == t]
        x = key[sub.index].map(pos_of).to_numpy(dtype=float)
        raw = sub["raw"].to_numpy(dtype=float)
        est = sub["corrected"].to_numpy(dtype=float)
        lo = sub["corrected_low"].to_numpy(dtype=float)
        hi = sub["corrected_high"].to_numpy(dtype=float)
        method = sub["method"].astype(str).to_numpy() if "method" in sub.columns else np.full(len(sub), "dsl")
        a.plot(x - 0.12, raw, linestyle="", marker="o", markersize=5, markerfacecolor="white",
               markeredgecolor="#666666", markeredgewidth=1.2, zorder=3, label="dictionary (raw)")
        for m, marker, face, label in (("dsl", "o", colour, "corrected, 95% interval"),
                                       ("rogan-gladen", "s", "white", "corrected from pooled error rates")):
            hit = (method == m) & np.isfinite(est)
            if not hit.any():
                continue
            yerr = np.vstack([np.clip(est[hit] - lo[hit], 0, None), np.clip(hi[hit] - est[hit], 0, None)])
            yerr = np.where(np.isfinite(yerr), yerr, 0.0)
            a.errorbar(x[hit] + 0.12, est[hit], yerr=yerr, linestyle="", marker=marker, markersize=5,
                       color=colour, markerfacecolor=face, markeredgecolor=colour, ecolor=colour,
                       elinewidth=1.3, capsize=2.5, zorder=4, label=label)
        top = np.nanmax(np.concatenate([raw, hi[np.isfinite(hi)], [0.0]])) if len(raw) else 0.0
        a.set_ylim(0, max(0.01, float(top)) * 1.12)
        a.yaxis.set_major_formatter(mpl.ticker.PercentFormatter(1.0))
        _category_ticks(a, groups)
        a.grid(axis="x", visible=False)
        if i == 0 or ax is not None:
            a.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=SMALL_SIZE, frameon=False,
                     borderaxespad=0.0)
        _finish(a, title=None, xlabel=None, ylabel="share of units")
        a.set_title(_shorten(t, 60), fontsize=FONT_SIZE, loc="left", color=colour, fontweight="bold")
        if len(axes) > 1 and i < len(axes) - 1 and ax is None:
            a.tick_params(axis="x", labelbottom=False)
    heading = title if title is not None else "Share of units with the theme: raw and corrected"
    if ax is None and len(axes) > 1:
        axes[0].figure.suptitle(heading, fontsize=TITLE_SIZE, x=0.02, ha="left")
    elif heading:
        axes[0].set_title(f"{heading}: {_shorten(themes[0], 40)}", fontsize=TITLE_SIZE, loc="left")
    axes[-1].set_xlabel(" / ".join(c.replace("_", " ") for c in group_cols), fontsize=FONT_SIZE)
    return axes[0] if len(axes) == 1 else axes
