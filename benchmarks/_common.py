"""Helpers shared by the benchmarks: locating the real corpus, timing, peak memory."""

from __future__ import annotations

import os
import resource
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNGDC_ZIP = Path(os.environ.get("DISCOURSE_UNGDC", ROOT.parent / "shared" / "corpora" / "ungdc.zip"))


def require_ungdc() -> Path:
    """Return the UN General Debate zip, or exit saying why the benchmark is skipped.

    Exit 0 on a user's machine; exit 1 when ``CI=true``, where the corpus is always there.
    """
    if not UNGDC_ZIP.is_file():
        print(f"skipped: the UN General Debate corpus is not at {UNGDC_ZIP}")
        sys.exit(1 if os.environ.get("CI", "").lower() in ("true", "1", "yes") else 0)
    return UNGDC_ZIP


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def timer():
    """``with timer() as t: ...`` then ``t()`` gives the elapsed seconds."""
    start = time.perf_counter()
    end = None

    def elapsed() -> float:
        return (end if end is not None else time.perf_counter()) - start

    try:
        yield elapsed
    finally:
        end = time.perf_counter()


def best_time(fn: Callable[[], object], repeat: int = 3, clock: Callable[[], float] = time.perf_counter) -> float:
    """The shortest of ``repeat`` runs of ``fn()``, in seconds of ``clock``
    (``time.perf_counter``: wall time; ``time.process_time``: this process's CPU time)."""
    best = float("inf")
    for _ in range(repeat):
        t = clock()
        fn()
        best = min(best, clock() - t)
    return best
