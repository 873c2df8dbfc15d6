"""Shared helpers of the Dask path: lazy import, schedulers, partition-wise seeded weights.

The Dask path runs the analysis of a corpus held as a :class:`dask.dataframe.DataFrame`
(one row per document, the columns of :func:`discourse.load_corpus`) partition by
partition: every partition is reduced to small per-group sums, only those sums travel to
the client, and the client finishes with the same statistic implementations as the
in-memory (pandas) path. ``dask`` is imported only when a Dask corpus or a scheduler is
given, so pandas users never pay for it.

Random draws that the pandas path makes per document (the bootstrap of a change, the
permutation test of a rate change, the bootstrap of topic prevalence) are made here by a
*counter-based* generator keyed by the seed, a stream number and a stable hash of the
document's ``doc_id``: a document gets the same draws whatever partition it lands in, so
results are deterministic for a seed whatever the partitioning (see ``docs/scale.md``).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterator

import numpy as np

from discourse.errors import DiscourseError

__all__ = ["is_dask", "require_dask", "scheduler", "SCHEDULERS", "WORKER_CONFIG", "doc_keys", "poisson_weights",
           "bernoulli_labels", "partitions", "compute", "load_dask_corpus", "as_dask", "on_scheduler"]

#: The named schedulers ``--scheduler`` accepts (or the address of a running scheduler).
SCHEDULERS = ("threads", "processes", "synchronous")


def is_dask(obj) -> bool:
    """True for a Dask DataFrame (checked without importing dask)."""
    mod = type(obj).__module__ or ""
    return mod.startswith(("dask.", "dask_expr")) and hasattr(obj, "map_partitions")


def require_dask(what: str = "the Dask path"):
    """Import and return ``dask.dataframe``, or say how to install it."""
    try:
        import dask.dataframe as dd
    except ImportError as err:  # pragma: no cover - dask is a dependency
        raise DiscourseError(
            f"{what} needs dask, which is not installed ({err})",
            hint='install it with: pip install "dask[dataframe]" distributed',
        ) from None
    return dd


def _check_scheduler(spec: str) -> str:
    s = str(spec).strip()
    if s in SCHEDULERS or "://" in s:
        return s
    if ":" in s and s.rsplit(":", 1)[1].isdigit():  # host:port
        return "tcp://" + s
    raise DiscourseError(
        f"unknown scheduler {spec!r}",
        item="--scheduler",
        hint="give threads, processes, or the address of a running Dask scheduler "
        "(e.g. tcp://10.0.0.5:8786)",
    )


@contextlib.contextmanager
def scheduler(spec: str | None) -> Iterator[object | None]:
    """Run the Dask computations of the block on the scheduler ``spec``.

    Parameters
    ----------
    spec : str or None
        ``None``: nothing changes (a Dask corpus uses Dask's default scheduler).
        ``"threads"``, ``"processes"`` or ``"synchronous"``: Dask's local schedulers.
        ``"tcp://host:port"`` (or ``"host:port"``): a ``distributed.Client`` connected to
        that running scheduler for the duration of the block, then closed.

    Yields
    ------
    distributed.Client or None
        The client when ``spec`` is an address.
    """
    if spec is None or spec == "":
        yield None
        return
    s = _check_scheduler(spec)
    require_dask("--scheduler")
    import dask

    if s in SCHEDULERS:
        with dask.config.set(scheduler=s):
            yield None
        return
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise DiscourseError("a scheduler address needs the distributed package",
                             hint="pip install distributed") from None
    try:
        client = Client(s, timeout="20s", set_as_default=False)
    except OSError as err:
        raise DiscourseError(f"cannot reach the Dask scheduler at {s}: {err}", item="--scheduler",
                             hint="start one (dask scheduler; dask worker ADDRESS) or check the address") from None
    try:
        with client.as_current(), dask.config.set(scheduler=client.get):
            yield client
    finally:
        client.close()


#: Dask configuration for worker processes that match text: ``distributed``'s nanny sets
#: ``MALLOC_TRIM_THRESHOLD_`` in its workers, which turns off glibc's dynamic mmap
#: threshold and makes matching take about 1.5x the CPU time; this unsets it (measured in
#: ``docs/scale.md``). Use ``with dask.config.set(WORKER_CONFIG): LocalCluster(...)``, or
#: the same key in a Dask configuration file of the workers.
WORKER_CONFIG = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}


def partitions(frame) -> list:
    """The partitions of a Dask DataFrame as delayed objects."""
    return list(frame.to_delayed(optimize_graph=True))


def compute(*objs):
    """``dask.compute`` of delayed objects on the current scheduler."""
    import dask

    return dask.compute(*objs)


# --- counter-based draws keyed by doc_id ---------------------------------------------

_M64 = np.uint64(0xFFFFFFFFFFFFFFFF)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser (a bijection of uint64 with good avalanche)."""
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def doc_keys(doc_ids) -> np.ndarray:
    """A stable 64-bit key of each ``doc_id`` (first 8 bytes of BLAKE2b of ``str(doc_id)``).

    The same id gives the same key on every machine, Python and NumPy version.
    """
    out = np.empty(len(doc_ids), dtype=np.uint64)
    for i, d in enumerate(doc_ids):
        out[i] = int.from_bytes(hashlib.blake2b(str(d).encode("utf-8"), digest_size=8).digest(), "little")
    return out


def _uniform(keys: np.ndarray, seed: int, stream: int, n_rep: int, start: int = 0) -> np.ndarray:
    """Uniforms in [0, 1), shape (len(keys), n_rep): a hash of (seed, stream, key, replicate)."""
    base = _mix(np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF) ^ _mix(np.uint64(int(stream) & 0xFFFFFFFFFFFFFFFF)
                                                                 + _GOLDEN))
    with np.errstate(over="ignore"):
        k = _mix(keys.astype(np.uint64) ^ base)
        reps = np.arange(start, start + n_rep, dtype=np.uint64) * _GOLDEN
        x = _mix(k[:, None] + reps[None, :] + np.uint64(1))
    return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)


def _poisson1_cdf() -> np.ndarray:
    p = [math.exp(-1.0) / math.factorial(k) for k in range(24)]
    return np.cumsum(p)


_POISSON1_CDF = _poisson1_cdf()


def poisson_weights(keys: np.ndarray, seed: int, stream: int, n_rep: int) -> np.ndarray:
    """Poisson(1) bootstrap weights, shape (len(keys), n_rep), float.

    Weight ``w[i, b]`` is a function of ``(seed, stream, keys[i], b)`` only: the draws
    of a document do not depend on the other documents or on the partitioning.
    """
    u = _uniform(keys, seed, stream, n_rep)
    return np.searchsorted(_POISSON1_CDF, u, side="right").astype(np.float64)


def bernoulli_labels(keys: np.ndarray, seed: int, stream: int, n_rep: int, p: float) -> np.ndarray:
    """0/1 labels with ``P(1) = p``, shape (len(keys), n_rep), keyed as :func:`poisson_weights`."""
    return (_uniform(keys, seed, stream, n_rep) < p).astype(np.float64)


# --- corpora as Dask frames -------------------------------------------------------------


def load_dask_corpus(source, **options):
    """Load a corpus as a Dask DataFrame (for ``--scheduler``): ``load_corpus(source,
    backend="dask", **options)`` (a corpus store, a folder or an archive read in
    partitions of files; a table loaded, then split)."""
    from discourse.corpus import load_corpus

    require_dask("--scheduler")
    return load_corpus(source, backend="dask", **options)


def as_dask(corpus, npartitions: int | None = None):
    """A pandas corpus split into a Dask DataFrame (about 2 partitions per core)."""
    import os

    dd = require_dask()
    if is_dask(corpus):
        return corpus
    n = npartitions or max(1, min(len(corpus), 2 * (os.cpu_count() or 1)))
    return dd.from_pandas(corpus, npartitions=n, sort=False)


def on_scheduler(corpus, spec: str | None):
    """The corpus to compute on: unchanged without a scheduler, else as a Dask frame.

    The report's notebooks call it with their ``scheduler`` parameter, inside
    ``with scheduler(spec):``, so that ``--scheduler`` spreads the theme counts of the
    report over the scheduler's workers.
    """
    if spec is None or spec == "":
        return corpus
    return as_dask(corpus)
