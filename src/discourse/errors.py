"""The project's exception types and the one helper that words every message.

Every error raised on bad input says *where* (file, and line or row where there is
one), *what* went wrong and *what to do*, in that order, through :func:`describe`::

    corpus/a.txt, line 3: the file is empty. Remove it, or load with errors="skip".

All exception types derive from :class:`DiscourseError`, and those about bad input
also derive from :class:`ValueError`, so ``except ValueError`` keeps working.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = [
    "DiscourseError",
    "CorpusError",
    "DictionaryError",
    "TopicModelError",
    "ReportError",
    "NotComputable",
    "TooFewUnits",
    "TooFewGroups",
    "describe",
]


def describe(
    problem: str,
    *,
    path: str | os.PathLike[str] | None = None,
    line: int | None = None,
    row: int | None = None,
    item: str | None = None,
    hint: str | None = None,
) -> str:
    """Word an error message the project's way.

    Parameters
    ----------
    problem : str
        What went wrong, as a sentence fragment ("the file is empty").
    path : str or path-like, optional
        The file concerned (for archive members, ``archive.zip!member.txt``).
    line, row : int, optional
        1-based line of a text file, or 1-based data row of a table.
    item : str, optional
        A named thing inside the file (a theme id, a column).
    hint : str, optional
        What the user can do about it.

    Returns
    -------
    str
        ``"<where>: <problem>. <hint>"``.
    """
    where = []
    if path is not None:
        where.append(os.fspath(path))
    if line is not None:
        where.append(f"line {line}")
    if row is not None:
        where.append(f"row {row}")
    if item is not None:
        where.append(item)
    text = problem.rstrip(".") + "."
    if where:
        text = ", ".join(where) + ": " + text
    if hint:
        text += " " + hint.rstrip(".") + "."
    return text


class DiscourseError(Exception):
    """Base class of every error raised by :mod:`discourse`.

    The structured fields (``path``, ``line``, ``row``, ``item``, ``problem``,
    ``hint``) are kept as attributes so that callers can act on them; ``str(err)``
    is the full message from :func:`describe`.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        row: int | None = None,
        item: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = None if path is None else os.fspath(path)
        self.line = line
        self.row = row
        self.item = item
        self.hint = hint
        super().__init__(
            describe(problem, path=path, line=line, row=row, item=item, hint=hint)
        )

    def as_record(self) -> dict[str, Any]:
        """Return the error as a flat dict (used for skip lists)."""
        return {
            "path": self.path,
            "line": self.line,
            "row": self.row,
            "item": self.item,
            "reason": self.problem,
            "hint": self.hint,
        }


class CorpusError(DiscourseError, ValueError):
    """A corpus source could not be read: a bad file, row, column or option."""


class DictionaryError(DiscourseError, ValueError):
    """A theme dictionary or pattern is invalid."""


class TopicModelError(DiscourseError, ValueError):
    """A topic model cannot be fitted or used as asked (too few documents, empty vocabulary...)."""


class ReportError(DiscourseError, RuntimeError):
    """A report could not be built (a notebook failed, an output could not be written)."""


class NotComputable(DiscourseError):
    """A statistic cannot be computed for this corpus (too few documents, events or units).

    Not a bug and not bad input: the report says so in a note instead of failing (see
    :meth:`discourse.report.ReportOutputs.attempt`). Raise it, or a subclass, only for
    that; a misspelt column or a bad option is another error and fails the report.
    """




class TooFewUnits(TopicModelError, NotComputable):
    """A topic model cannot be fitted: no documents, an empty vocabulary, or fewer units or
    terms than topics. The report notes it; called directly, it is a TopicModelError."""


class TooFewGroups(CorpusError, NotComputable):
    """A comparison needs at least two groups (events) and the corpus has fewer."""
