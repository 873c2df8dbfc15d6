"""Label a validation sample one unit at a time, saving after every label.

:func:`discourse.validation.validation_sample` draws the units (sentences by default) a
person labels 0/1 per theme against the codebook. This module is the labeller:

* :class:`LabelSession` is the pure-Python core. It holds the labelled CSV, finds
  where labelling stopped (resume), shows each unit with its context in the document,
  takes labels, skips, notes and steps back, and rewrites the CSV atomically (a
  temporary file then :func:`os.replace`) after **every** change, so that closing the
  notebook, a crash or a power cut loses nothing. Every column and the row order of
  the file are kept; labels are written as ``0``, ``1`` or an empty cell, so the same
  file can be opened and edited in any spreadsheet, and it stays readable by
  :func:`discourse.validation.read_labels`.
* :class:`Labeller` is a thin ipywidgets front end for JupyterLab
  (``notebooks/05-validate-dictionary.py``).

A unit is *done* when every theme of the session is labelled or when it was skipped
(its ``note`` starts with ``skipped``); a session opens at the first unit that is not
done. The dictionary's predictions (``pred_<theme>``) are kept in the file but never
shown, so that they cannot sway the labels.

Examples
--------
>>> from discourse import load_demo_corpus, validation_sample
>>> corpus = load_demo_corpus()
>>> sample = validation_sample(corpus, n=40)                          # doctest: +SKIP
>>> session = LabelSession.start(sample, "labels.csv", corpus=corpus)  # doctest: +SKIP
>>> session.current.text                                              # doctest: +SKIP
>>> session.label_all({"digital_divide": 1, "ai_safety": 0, "governance_deficit": 0})  # doctest: +SKIP
"""

from __future__ import annotations

import html
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from discourse.validation import ValidationError, read_labels

__all__ = ["LabelSession", "Unit", "Labeller", "codebook_lines", "SKIPPED"]

#: What :meth:`LabelSession.skip` writes at the start of a unit's ``note``.
SKIPPED = "skipped"
_SKIP_SEP = "; "


def _split_note(note: str) -> tuple[bool, str]:
    """(skipped, free text) of a note cell."""
    note = note or ""
    if note == SKIPPED:
        return True, ""
    if note.startswith(SKIPPED + _SKIP_SEP):
        return True, note[len(SKIPPED) + len(_SKIP_SEP):]
    return False, note


def _join_note(skipped: bool, text: str) -> str:
    text = (text or "").strip()
    if not skipped:
        return text
    return f"{SKIPPED}{_SKIP_SEP}{text}" if text else SKIPPED


def _label_value(value) -> str:
    """A label as written in the CSV: '0', '1' or '' (not labelled)."""
    if value is None or value is pd.NA:
        return ""
    if isinstance(value, float) and value != value:  # NaN
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    s = str(value).strip()
    if s in ("", "0", "1"):
        return s
    if s in ("0.0", "1.0"):
        return s[0]
    raise ValueError(f"a label is 0, 1 or None (not labelled), not {value!r}")


@dataclass(frozen=True)
class Unit:
    """One unit of a session, as shown to the person labelling it.

    Attributes
    ----------
    position : int
        Row of the unit in the file (0-based).
    total : int
        Rows in the file.
    unit_id, doc_id : str
    start, end : int
        Character offsets of the unit in its document.
    text : str
        The unit (from the corpus when the session has one, else the file's ``text``
        column; empty when neither is there).
    left, right : str
        Up to ``context_chars`` characters of the document before and after the unit
        (empty without a corpus).
    labels : dict
        Theme -> 0, 1 or None (not labelled), for the session's themes.
    note : str
        The free text of the note (without the ``skipped`` marker).
    skipped : bool
        The unit was skipped.
    row : dict
        Every cell of the row, as written in the file (strings).
    """

    position: int
    total: int
    unit_id: str
    doc_id: str
    start: int
    end: int
    text: str
    left: str
    right: str
    labels: dict[str, int | None]
    note: str
    skipped: bool
    row: dict[str, str] = field(repr=False)

    @property
    def number(self) -> int:
        """Position counted from 1 (for people)."""
        return self.position + 1

    @property
    def done(self) -> bool:
        """Every theme labelled, or skipped."""
        return self.skipped or all(v is not None for v in self.labels.values())


class LabelSession:
    """A labelled validation CSV being labelled: resume, label, skip, note, back.

    Every change is written to ``path`` at once (atomically), keeping every column and
    the row order; labels are written as ``0``, ``1`` or empty.

    Parameters
    ----------
    path : path
        The CSV (a sample of :func:`discourse.validation_sample`, as written by
        :meth:`start`, possibly partly labelled, here or in a spreadsheet). It is
        checked with :func:`discourse.validation.read_labels`.
    corpus : DataFrame or path, optional
        The corpus the sample was drawn from (loaded with the same options). Gives the
        text of each unit and its context; offsets and texts are checked against it.
        Without it the file's ``text`` column is shown and there is no context.
    themes : list of str, optional
        Themes to label (default: every ``label_<theme>`` column, in file order).
    context_chars : int, default 300
        Characters of context shown on each side of the unit.

    Raises
    ------
    ValidationError
        The file is missing or not a labelled sample (bad label, missing column), or
        a row does not fit the corpus (naming the row).
    ValueError
        A theme has no ``label_`` column, or ``context_chars`` is negative.
    """

    def __init__(self, path, corpus=None, themes=None, context_chars: int = 300) -> None:
        self.path = Path(path)
        if int(context_chars) < 0:
            raise ValueError(f"context_chars must be 0 or more, not {context_chars!r}")
        self.context_chars = int(context_chars)
        checked = read_labels(self.path)  # raises ValidationError naming file and row
        frame = pd.read_csv(self.path, dtype=str, keep_default_na=False, na_values=[], encoding="utf-8-sig")
        if list(frame.columns) != list(checked.columns) or len(frame) != len(checked):  # pragma: no cover
            raise ValidationError("the labelled file changed while it was read", path=self.path)
        all_themes = [c[len("label_"):] for c in frame.columns if c.startswith("label_")]
        if themes is None:
            chosen = all_themes
        else:
            chosen = [themes] if isinstance(themes, str) else list(themes)
            missing = [t for t in chosen if t not in all_themes]
            if missing:
                raise ValueError(f"no column label_{missing[0]} in {self.path} "
                                 f"(themes of the file: {', '.join(all_themes)})")
        self.themes: list[str] = chosen
        for t in all_themes:  # write labels as 0/1/'' whatever the spreadsheet made of them
            col = f"label_{t}"
            frame[col] = ["" if pd.isna(v) else str(int(v)) for v in checked[col]]
        if "note" not in frame.columns:
            frame["note"] = ""
        self._frame = frame
        self._texts: dict[str, str] | None = None
        if corpus is not None:
            self._texts = self._check_corpus(corpus)
        self._history: list[int] = []
        self._pos = self._first_open()

    # --- creating ------------------------------------------------------------------------

    @classmethod
    def start(cls, sample: pd.DataFrame, path, *, corpus=None, themes=None, context_chars: int = 300,
              overwrite: bool = False) -> LabelSession:
        """Write a sample to ``path`` and open a session on it.

        Parameters
        ----------
        sample : DataFrame
            A sample of :func:`discourse.validation_sample` (any table with ``doc_id``,
            ``start``, ``end`` and ``label_<theme>`` columns).
        path : path
            The CSV to write (its folder is created).
        corpus, themes, context_chars
            As for :class:`LabelSession`.
        overwrite : bool, default False
            Replace an existing file. By default an existing file is an error, so that
            labels are never lost by drawing a sample again: open it with
            ``LabelSession(path)`` instead.

        Returns
        -------
        LabelSession

        Raises
        ------
        FileExistsError
            ``path`` exists and ``overwrite`` is False.
        """
        path = Path(path)
        if path.exists() and not overwrite:
            raise FileExistsError(f"{path} exists: open it with LabelSession({str(path)!r}) to go on labelling, "
                                  "or pass overwrite=True to replace it (its labels are lost)")
        if not isinstance(sample, pd.DataFrame):
            raise TypeError(f"sample must be a DataFrame, not {type(sample).__name__}")
        table = sample.copy()
        table.attrs = {}
        if "note" not in table.columns:
            table["note"] = ""
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_csv_atomic(table, path)
        return cls(path, corpus=corpus, themes=themes, context_chars=context_chars)

    def _check_corpus(self, corpus) -> dict[str, str]:
        if isinstance(corpus, pd.DataFrame):
            frame = corpus
        else:
            from discourse.corpus import load_corpus

            frame = load_corpus(corpus)
        for col in ("doc_id", "text"):
            if col not in frame.columns:
                raise ValidationError(f"the corpus has no {col!r} column", hint="Load it with discourse.load_corpus")
        from discourse.corpus import corpus_texts

        texts = dict(zip(frame["doc_id"].astype(str), corpus_texts(frame), strict=True))
        has_text = "text" in self._frame.columns
        for i, (doc, s, e) in enumerate(zip(self._frame["doc_id"], self._frame["start"], self._frame["end"], strict=True)):
            where = {"path": self.path, "row": i + 1}
            if doc not in texts:
                raise ValidationError(f"doc_id {doc!r} is not in the corpus", **where,
                                      hint="Give the corpus the sample was drawn from (same source and options)")
            try:
                s_i, e_i = int(s), int(e)
            except ValueError:
                raise ValidationError(f"start/end {s!r}/{e!r} are not whole numbers", **where) from None
            if not 0 <= s_i < e_i <= len(texts[doc]):
                raise ValidationError(f"offsets {s_i}-{e_i} do not fit document {doc!r} ({len(texts[doc])} characters)",
                                      **where, hint="Give the corpus the sample was drawn from (same source and options)")
            stored = self._frame["text"].iat[i] if has_text else ""
            if stored and stored.split() != texts[doc][s_i:e_i].split():  # a spreadsheet may trim spaces
                raise ValidationError(f"the text of unit {self._frame['unit_id'].iat[i] if 'unit_id' in self._frame else i + 1} "
                                      "differs from the corpus at its offsets", **where,
                                      hint="Give the corpus the sample was drawn from (same source, options and version)")
        return texts

    # --- state ---------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._frame)

    def __repr__(self) -> str:
        return f"LabelSession({str(self.path)!r}: {self.summary()})"

    @property
    def position(self) -> int:
        """Row of the current unit (0-based); ``len(session)`` when every unit is done."""
        return self._pos

    @property
    def finished(self) -> bool:
        """Every unit is done (labelled for every theme, or skipped)."""
        return self._pos >= len(self._frame)

    def _labels_of(self, i: int) -> dict[str, int | None]:
        return {t: (int(v) if (v := self._frame[f"label_{t}"].iat[i]) != "" else None) for t in self.themes}

    def _skipped(self, i: int) -> bool:
        return _split_note(self._frame["note"].iat[i])[0]

    def _complete_mask(self) -> np.ndarray:
        return np.logical_and.reduce([(self._frame[f"label_{t}"] != "").to_numpy() for t in self.themes]
                                     + [np.ones(len(self._frame), dtype=bool)])

    def _skipped_mask(self) -> np.ndarray:
        note = self._frame["note"]
        return ((note == SKIPPED) | note.str.startswith(SKIPPED + _SKIP_SEP)).to_numpy(dtype=bool)

    def _first_open(self, after: int = -1) -> int:
        """First unit not done after ``after``, else from the top; len when none."""
        n = len(self._frame)
        open_ = np.flatnonzero(~(self._complete_mask() | self._skipped_mask()))
        later = open_[open_ > after]
        if len(later):
            return int(later[0])
        return int(open_[0]) if len(open_) else n

    def unit(self, position: int) -> Unit:
        """The unit of row ``position`` (0-based), with its text and context."""
        n = len(self._frame)
        if not 0 <= position < n:
            raise IndexError(f"position {position} is outside the {n} units")
        row = {str(k): str(v) for k, v in self._frame.iloc[position].items()}
        start, end = int(row["start"]), int(row["end"])
        left = right = ""
        if self._texts is not None:
            doc = self._texts[row["doc_id"]]
            text = doc[start:end]
            left = doc[max(0, start - self.context_chars):start]
            right = doc[end:end + self.context_chars]
        else:
            text = row.get("text", "")
        skipped, note = _split_note(row.get("note", ""))
        return Unit(
            position=position, total=n, unit_id=row.get("unit_id", f"{row['doc_id']}:{start}-{end}"),
            doc_id=row["doc_id"], start=start, end=end, text=text, left=left, right=right,
            labels=self._labels_of(position), note=note, skipped=skipped, row=row,
        )

    @property
    def current(self) -> Unit | None:
        """The unit being labelled, or None when every unit is done."""
        return None if self.finished else self.unit(self._pos)

    def _need_current(self) -> int:
        if self.finished:
            raise IndexError("every unit is done: there is no current unit (use back() or go() to revisit one)")
        return self._pos

    # --- changes (each one written to disk) --------------------------------------------------

    def label(self, theme: str, value) -> None:
        """Set (or, with None, clear) one theme's label of the current unit and save.

        Stays on the unit. When the unit thereby has every label, a ``skipped`` mark
        of its note is dropped.

        Parameters
        ----------
        theme : str
        value : {0, 1, None}
            ``"0"``/``"1"`` and booleans are accepted too.
        """
        self.label_all({theme: value}, advance=False)

    def label_all(self, values: Mapping[str, Any], *, advance: bool = True) -> None:
        """Set the labels of several themes of the current unit, save, and move on.

        Parameters
        ----------
        values : mapping
            Theme -> 0, 1 or None.
        advance : bool, default True
            Then go to the next unit that is not done (:meth:`next`).
        """
        i = self._need_current()
        clean = {}
        for theme, value in values.items():
            if theme not in self.themes:
                raise ValueError(f"no theme {theme!r} in this session (themes: {', '.join(self.themes)})")
            clean[theme] = _label_value(value)
        for theme, v in clean.items():
            self._frame.iat[i, self._frame.columns.get_loc(f"label_{theme}")] = v
        if all(self._frame[f"label_{t}"].iat[i] != "" for t in self.themes) and self._skipped(i):
            self._set_note(i, skipped=False)
        self.save()
        if advance:
            self.next()

    def _set_note(self, i: int, *, skipped: bool | None = None, text: str | None = None) -> None:
        old_skipped, old_text = _split_note(self._frame["note"].iat[i])
        new = _join_note(old_skipped if skipped is None else skipped, old_text if text is None else text)
        self._frame.iat[i, self._frame.columns.get_loc("note")] = new

    def skip(self) -> None:
        """Mark the current unit ``skipped`` in its note (labels untouched), save, move on."""
        i = self._need_current()
        self._set_note(i, skipped=True)
        self.save()
        self.next()

    def note(self, text: str) -> None:
        """Set the free text of the current unit's note (kept after a ``skipped`` mark) and save."""
        i = self._need_current()
        self._set_note(i, text=str(text or "").replace("\r", " ").replace("\n", " "))
        self.save()

    # --- moving ------------------------------------------------------------------------------

    def next(self) -> None:
        """Go to the next unit that is not done (wrapping to the top); finish when none is left."""
        if self.finished:
            return
        self._history.append(self._pos)
        self._pos = self._first_open(self._pos)

    def back(self) -> None:
        """Go back to the unit shown before (or to the previous row); nothing at the first row."""
        if self._history:
            self._pos = self._history.pop()
        elif self._pos > 0:
            self._pos -= 1

    def go(self, position: int) -> None:
        """Show the unit of row ``position`` (0-based), e.g. to correct it."""
        if not 0 <= int(position) < len(self._frame):
            raise IndexError(f"position {position} is outside the {len(self._frame)} units")
        self._history.append(self._pos)
        self._pos = int(position)

    # --- reading -------------------------------------------------------------------------------

    def progress(self) -> pd.DataFrame:
        """Labelled units per theme.

        Returns
        -------
        DataFrame
            One row per theme: ``theme``, ``labelled`` (units with a 0 or 1),
            ``positives`` (units labelled 1), ``total`` (units in the file), ``share``
            (labelled / total).
        """
        n = len(self._frame)
        rows = []
        for t in self.themes:
            col = self._frame[f"label_{t}"]
            done = int((col != "").sum())
            rows.append({"theme": t, "labelled": done, "positives": int((col == "1").sum()),
                         "total": n, "share": done / n if n else 0.0})
        return pd.DataFrame(rows, columns=["theme", "labelled", "positives", "total", "share"])

    @property
    def n_complete(self) -> int:
        """Units labelled for every theme."""
        return int(self._complete_mask().sum())

    @property
    def n_skipped(self) -> int:
        """Units skipped (and not labelled since)."""
        return int(self._skipped_mask().sum())

    @property
    def n_done(self) -> int:
        """Units done: labelled for every theme, or skipped."""
        return int((self._complete_mask() | self._skipped_mask()).sum())

    def summary(self) -> str:
        """One line, e.g. ``'12 of 200 units labelled, 3 skipped'``."""
        return f"{self.n_complete} of {len(self._frame)} units labelled, {self.n_skipped} skipped"

    def labels(self) -> pd.DataFrame:
        """The file as :func:`discourse.validation.read_labels` reads it (labels as Int64)."""
        return read_labels(self.path)

    # --- writing -------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the CSV atomically (done after every change; call it only after editing by hand)."""
        _write_csv_atomic(self._frame, self.path)


def _write_csv_atomic(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` as UTF-8 CSV to a temporary file beside ``path``, then replace ``path``."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            table.to_csv(fh, index=False, lineterminator="\n", na_rep="")
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a CSV is a normal file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the codebook, in one line per theme ------------------------------------------------------


def codebook_lines(themes, dictionary=None, max_chars: int = 200) -> dict[str, tuple[str, str]]:
    """Label and first sentence of each theme's definition, to show beside its buttons.

    Parameters
    ----------
    themes : list of str
    dictionary : Dictionary, path or mapping, optional
        Where the definitions are (default: the built-in dictionary, whose
        descriptions are the codebook's definitions).
    max_chars : int, default 200
        Longer first sentences are cut with an ellipsis.

    Returns
    -------
    dict
        Theme -> (label, one-liner); a theme not in the dictionary gets its id and ``""``.
    """
    from discourse.themes import default_dictionary, load_dictionary

    d = default_dictionary() if dictionary is None else load_dictionary(dictionary)
    out = {}
    for t in themes:
        if t not in d:
            out[t] = (t, "")
            continue
        theme = d[t]
        desc = " ".join((theme.description or "").split())
        first = re.split(r"(?<=[.!?])\s+(?=[A-Z])", desc, maxsplit=1)[0] if desc else ""
        if len(first) > max_chars:
            first = first[: max_chars - 1].rstrip() + "\u2026"
        out[t] = (theme.label or t, first)
    return out


# --- the widget ------------------------------------------------------------------------------------


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as err:  # pragma: no cover - ipywidgets is a dependency
        raise ImportError(
            "the labeller needs ipywidgets (pip install ipywidgets; `make setup` installs it). "
            "Without it, label with LabelSession in code, or edit the CSV in a spreadsheet."
        ) from err
    return ipywidgets


class Labeller:
    """An ipywidgets labeller over a :class:`LabelSession`, for JupyterLab.

    Shows the current unit highlighted in its context, each theme's label and the first
    sentence of its definition with buttons ``0`` and ``1``, buttons *Save & next*,
    *Skip* and *Back*, a note box and a progress bar. Every click is saved to the CSV
    at once.

    **Keyboard.** JupyterLab widgets cannot capture keys globally (keys go to the
    notebook), so the labeller has a command box: click into it once, then type one
    digit per theme in theme order and Enter (e.g. ``101``: first theme 1, second 0,
    third 1), which labels the unit and moves on; ``s`` + Enter skips, ``b`` + Enter
    goes back, ``n`` + Enter goes to the next unit. The box keeps the focus, so a whole
    session can be labelled from the keyboard.

    Parameters
    ----------
    session : LabelSession
    dictionary : Dictionary, path or mapping, optional
        Where the definitions shown beside the buttons come from (default: the
        built-in dictionary).

    Attributes
    ----------
    widget : ipywidgets.VBox
        The whole labeller (displayed by ``display(labeller)`` or as a cell's value).

    Raises
    ------
    ImportError
        ipywidgets is not installed.
    """

    def __init__(self, session: LabelSession, dictionary=None) -> None:
        w = _ipywidgets()
        self.session = session
        self._w = w
        self.codebook = codebook_lines(session.themes, dictionary)
        self.header = w.HTML()
        self.context = w.HTML(layout=w.Layout(width="100%"))
        self.buttons: dict[str, dict[int, Any]] = {}
        rows = []
        for t in session.themes:
            label, line = self.codebook[t]
            b0 = w.Button(description="0", tooltip=f"{label}: no", layout=w.Layout(width="3em"))
            b1 = w.Button(description="1", tooltip=f"{label}: yes", layout=w.Layout(width="3em"))
            b0.on_click(lambda _b, t=t: self._set(t, 0))
            b1.on_click(lambda _b, t=t: self._set(t, 1))
            self.buttons[t] = {0: b0, 1: b1}
            text = w.HTML(f"<b>{html.escape(label)}</b> <code>{html.escape(t)}</code><br>"
                          f"<small>{html.escape(line)}</small>", layout=w.Layout(width="80%"))
            rows.append(w.HBox([b0, b1, text]))
        self.next_button = w.Button(description="Save & next", button_style="primary", icon="check")
        self.skip_button = w.Button(description="Skip", icon="forward")
        self.back_button = w.Button(description="Back", icon="backward")
        self.next_button.on_click(lambda _b: self._act(self._next))
        self.skip_button.on_click(lambda _b: self._act(self.session.skip))
        self.back_button.on_click(lambda _b: self._act(self.session.back))
        self.note_box = w.Text(description="Note", placeholder="why, if unsure (saved on Enter or when you leave the box)",
                               continuous_update=False, layout=w.Layout(width="100%"))
        self.note_box.observe(self._on_note, names="value")
        digits = "".join("10"[i % 2] for i in range(len(session.themes)))
        self.command = w.Text(description="Keys", continuous_update=False, layout=w.Layout(width="100%"),
                              placeholder=f"{digits} + Enter: one digit per theme in order, then next; "
                                          "s: skip; b: back; n: next")
        self.command.observe(self._on_command, names="value")
        self.bar = w.IntProgress(min=0, max=max(1, len(session)), description="Done", layout=w.Layout(width="60%"))
        self.bar_text = w.Label()
        self.status = w.HTML()
        self._updating = False
        self.widget = w.VBox([
            self.header, self.context, *rows,
            w.HBox([self.next_button, self.skip_button, self.back_button]),
            self.note_box, self.command, w.HBox([self.bar, self.bar_text]), self.status,
        ])
        self.refresh()

    # --- display -----------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    def display(self) -> None:
        """Display the labeller in the notebook."""
        from IPython.display import display

        display(self.widget)

    # --- actions -------------------------------------------------------------------------------

    def _act(self, action) -> None:
        try:
            action()
        except (IndexError, ValueError) as err:
            self.refresh(message=str(err))
            return
        self.refresh()

    def _next(self) -> None:
        self._save_note()
        self.session.next()

    def _set(self, theme: str, value: int) -> None:
        unit = self.session.current
        if unit is None:
            return
        new = None if unit.labels[theme] == value else value  # a second click clears the label
        self._act(lambda: self.session.label(theme, new))

    def _save_note(self) -> None:
        unit = self.session.current
        if unit is not None and self.note_box.value.strip() != unit.note:
            self.session.note(self.note_box.value)

    def _on_note(self, change) -> None:
        if not self._updating:
            self._act(self._save_note)

    def _on_command(self, change) -> None:
        if self._updating or not change["new"]:
            return
        self._updating = True
        try:
            self.command.value = ""
        finally:
            self._updating = False
        self.handle_command(change["new"])

    def handle_command(self, text: str) -> str:
        """Carry out a command of the command box, show the result; return the message.

        ``101`` (one 0/1 digit per theme, in theme order; spaces and commas are
        ignored): label every theme and move on. ``s``: skip. ``b``: back. ``n``: next.
        The message is empty when all went well.
        """
        message = self._command(text)
        self.refresh(message=message)
        return message

    def _command(self, text: str) -> str:
        cmd = re.sub(r"[\s,;]", "", str(text)).lower()
        s = self.session
        if cmd in ("s", "skip"):
            if s.finished:
                return "every unit is done"
            self._save_note()
            s.skip()
            return "skipped"
        if cmd in ("b", "back"):
            s.back()
            return ""
        if cmd in ("n", "next"):
            self._save_note()
            s.next()
            return ""
        if cmd and set(cmd) <= {"0", "1"}:
            if len(cmd) != len(s.themes):
                return (f"type {len(s.themes)} digits, one per theme in this order: {', '.join(s.themes)} "
                        f"(not {text.strip()!r})")
            if s.finished:
                return "every unit is done"
            self._save_note()
            s.label_all(dict(zip(s.themes, (int(c) for c in cmd), strict=True)))
            return ""
        return f"unknown command {text.strip()!r}: type {len(s.themes)} digits (0/1, one per theme), s, b or n"

    # --- showing -------------------------------------------------------------------------------

    def refresh(self, message: str = "") -> None:
        """Show the session's current unit, labels, note and progress."""
        s = self.session
        unit = s.current
        self._updating = True
        try:
            finished = unit is None
            for b in (self.next_button, self.skip_button, *[b for d in self.buttons.values() for b in d.values()]):
                b.disabled = finished
            self.note_box.disabled = finished
            if finished:
                self.header.value = (f"<b>Every unit is labelled or skipped</b> ({html.escape(s.summary())}). "
                                     f"The labels are in <code>{html.escape(str(s.path))}</code>; "
                                     "<i>Back</i> revisits the last units.")
                self.context.value = ""
                self.note_box.value = ""
            else:
                where = [f"unit {unit.number} of {unit.total}", html.escape(unit.doc_id)]
                for col in ("year", "stratum"):
                    if unit.row.get(col):
                        where.append(f"{col} {html.escape(unit.row[col])}")
                if unit.skipped:
                    where.append("<i>skipped before</i>")
                self.header.value = " &middot; ".join(where)
                self.context.value = self._context_html(unit)
                for t, pair in self.buttons.items():
                    for v, b in pair.items():
                        b.button_style = ("success" if v == 1 else "danger") if unit.labels[t] == v else ""
                self.note_box.value = unit.note
            self.bar.value = s.n_done
            self.bar_text.value = s.summary()
            self.status.value = f"<span style='color:#b00'>{html.escape(message)}</span>" if message else ""
        finally:
            self._updating = False

    def _context_html(self, unit: Unit) -> str:
        s = self.session
        before = "\u2026" if unit.left and unit.start - len(unit.left) > 0 else ""
        doc_len = None if s._texts is None else len(s._texts[unit.doc_id])
        after = "\u2026" if unit.right and doc_len is not None and unit.end + len(unit.right) < doc_len else ""
        return (
            "<div style='white-space:pre-wrap; line-height:1.5; padding:0.5em; border:1px solid #ccc; "
            "max-height:24em; overflow:auto'>"
            f"<span style='color:#666'>{before}{html.escape(unit.left)}</span>"
            f"<mark style='background:#ffe27a; color:#000'>{html.escape(unit.text)}</mark>"
            f"<span style='color:#666'>{html.escape(unit.right)}{after}</span></div>"
        )
