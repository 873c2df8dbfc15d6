"""Build the report: find and execute the notebooks, render HTML, write the index and provenance.

:func:`build_report` is what ``make report`` and ``discourse report`` run. It

1. loads the corpus once (with the same options as :func:`discourse.load_corpus`),
   optionally keeps only documents from ``year_min`` on, and fingerprints it;
2. converts every ``notebooks/NN-*.py`` (jupytext ``py:percent`` sources) to a
   notebook and executes it with papermill, passing the parameters the notebook
   declares in its cell tagged ``parameters`` (corpus, load options, dictionary,
   output folder, seed, and sizes scaled to the corpus: see :func:`report_parameters`);
3. renders each executed notebook as HTML with nbconvert (code hidden unless
   ``show_code``), next to the PNG figures and CSV tables the notebooks wrote through
   :class:`~discourse.report.outputs.ReportOutputs`;
4. writes ``index.html`` (linking every notebook, figure and table) and
   ``manifest.json`` (corpus and dictionary fingerprints, parameters, seed, package
   versions, time of the build).

The report is built in a temporary folder beside the output folder
(``.<name>.building-*``) and swapped into place only when every notebook has run
(one atomic exchange of the two folders where the system has it, Linux's
``renameat2``; else two renames): a failing notebook raises
:class:`~discourse.errors.ReportError` naming the notebook and the failing cell's
error, and the previous report is left as it was. Interrupted (Ctrl-C, ``SIGTERM``
through the command line), the build stops its notebook kernels, removes its folder
and leaves the previous report as it was. Killed outright (``SIGKILL``, power cut),
it leaves its build folder behind, and the previous report intact; the next build
beside it removes such stale folders (see :func:`remove_stale_builds`).

What the notebooks show and save is :mod:`discourse.report.outputs`; the findings in
words are :mod:`discourse.report.findings`.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as _dt
import errno
import hashlib
import html
import json
import os
import pickle
import platform
import re
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from discourse.corpus.table import corpus_fingerprint, corpus_texts
from discourse.datasets import shipped_folder
from discourse.errors import DiscourseError, ReportError
from discourse.report.outputs import ITEMS_FILE
from discourse.report.validity import _validation_labels

__all__ = [
    "build_report",
    "report_parameters",
    "load_report_corpus",
    "list_notebooks",
    "notebooks_dir",
    "remove_stale_builds",
    "GENERATOR",
]

#: Generator name written to ``manifest.json``; a folder holding a manifest with this
#: generator is a previous report and may be replaced.
GENERATOR = "discourse report"
NOTEBOOK_PATTERN = re.compile(r"^\d\d-[A-Za-z0-9_.-]+\.py$")
_CORPUS_CACHE = "_corpus.pkl"
_WORK_DIR = "_work"
_KEEP = (".gitkeep",)
#: Written at the top of a build folder while the build runs: who builds (pid, host)
#: and since when, so that a later build can tell a killed build's folder from a
#: running one. Removed just before the folder is moved into place.
_BUILD_MARK = ".discourse-build.json"
_STALE_ELSEWHERE = 24 * 3600  # seconds after which another machine's build is taken as killed


# --- locating the notebooks ----------------------------------------------------------


def notebooks_dir() -> Path:
    """Return the folder holding the report notebooks.

    Looked for, in order: ``$DISCOURSE_NOTEBOOKS`` if set; the ``notebooks/`` folder of
    the checkout the package runs from (beside ``src/``; ``make setup`` installs it
    editable); the copy bundled in the package at build time
    (``discourse/_bundled/notebooks``, present when discourse is installed from a wheel).

    Raises
    ------
    ReportError
        If ``$DISCOURSE_NOTEBOOKS`` names no folder, or neither a checkout nor the
        bundled copy holds the notebooks.
    """
    env = os.environ.get("DISCOURSE_NOTEBOOKS")
    if env:
        folder = Path(env)
        if not folder.is_dir():
            raise ReportError(
                "the report notebooks folder named by DISCOURSE_NOTEBOOKS does not exist",
                path=folder,
                hint="point DISCOURSE_NOTEBOOKS at the notebooks folder of a discourse "
                "checkout, or unset it",
            )
        return folder
    package = Path(__file__).resolve().parents[1]  # src/discourse/report/build.py -> discourse
    found = shipped_folder(("notebooks",), "notebooks", "[0-9][0-9]-*.py")
    if found is not None:
        return found
    raise ReportError(
        "the report notebooks were found neither in a checkout (notebooks/) nor bundled in "
        "the installed package (discourse/_bundled/notebooks)",
        path=package,
        hint="reinstall discourse from a wheel or sdist built by its setup.py (it bundles the "
        "notebooks), install it editable from a checkout (pip install -e .), set "
        "DISCOURSE_NOTEBOOKS to the notebooks folder, or pass notebooks=[...]",
    )


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


# --- corpus and parameters ----------------------------------------------------


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


# The kernels our notebooks run in (pid -> kernel manager), so that an interrupted build
# can stop them at once instead of waiting for their notebooks to finish.
_KERNELS: dict[int, Any] = {}
_KERNELS_LOCK = threading.Lock()
_STOPPING = threading.Event()  # set when interrupted: a kernel starting now is killed at once


def _kernel_manager_class(log_path: Path):
    """A kernel manager whose kernel writes its stderr to ``log_path``, not to our terminal."""
    from jupyter_client.manager import AsyncKernelManager

    class _QuietKernelManager(AsyncKernelManager):
        async def _async_launch_kernel(self, kernel_cmd, **kw):
            with open(log_path, "ab") as fh:  # the child keeps its own copy of the descriptor
                kw["stderr"] = fh
                info = await super()._async_launch_kernel(kernel_cmd, **kw)
            pid = getattr(self.provisioner, "pid", None)
            if pid is not None:
                with _KERNELS_LOCK:
                    _KERNELS[int(pid)] = self
                if _STOPPING.is_set():  # started as the build was being interrupted
                    _kill_kernels()
            return info

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            pid = getattr(self.provisioner, "pid", None)
            with _KERNELS_LOCK:
                _KERNELS.pop(pid, None)
            await super()._async_cleanup_resources(restart=restart)

    return _QuietKernelManager


def _kill_kernels() -> None:
    """Kill the kernels of the notebooks still running (on an interrupted build)."""
    _STOPPING.set()
    with _KERNELS_LOCK:
        pids = list(_KERNELS)
        _KERNELS.clear()
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


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
    scheduler: str | None = None,
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
    scheduler : str, optional
        Run the theme frequencies and theme tracking of the notebooks on Dask:
        ``"threads"``, ``"processes"`` or the address of a running Dask scheduler
        (``docs/scale.md``). Default: in memory, no Dask. Levels and tests of shares
        are the same either way; change intervals and rate tests then use the Dask
        path's draws (equal within Monte-Carlo error). Recorded in the manifest's
        ``parameters``.

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
    started_at = time.time()
    output = Path(output).resolve()
    _check_output_replaceable(output)
    remove_stale_builds(output, before=started_at)
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
    if scheduler:
        from discourse._dask import _check_scheduler

        params["scheduler"] = _check_scheduler(scheduler)
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

    build = _make_build_folder(output, started_at)
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
        (build / ITEMS_FILE).unlink(missing_ok=True)
        (build / _BUILD_MARK).unlink(missing_ok=True)
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

    return int(sum(count_tokens(t) for t in corpus_texts(corpus)))


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
    _STOPPING.clear()
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
                except BaseException as err:
                    for fut in futures:
                        fut.cancel()
                    if not isinstance(err, Exception):
                        # interrupted (Ctrl-C, SIGTERM): stop the notebooks now rather
                        # than wait for them to finish before the pool can close
                        _kill_kernels()
                    raise
    except BaseException as err:
        if not isinstance(err, Exception):
            _kill_kernels()
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
    path = build / ITEMS_FILE
    if not path.is_file():
        return []
    items: dict[tuple, dict] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            items[(item["notebook"], item["kind"], item["name"])] = item  # last one wins
    return list(items.values())


def _make_build_folder(output: Path, started_at: float) -> Path:
    """Create the build folder beside ``output`` and mark it as a running build of ours."""
    output.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(build, 0o777 & ~umask)  # mkdtemp makes it private; a report is a normal folder
    mark = {"generator": GENERATOR, "pid": os.getpid(), "host": socket.gethostname(), "started": started_at}
    (build / _BUILD_MARK).write_text(json.dumps(mark) + "\n", encoding="utf-8")
    return build


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    except OSError:
        return False
    return True


def _is_our_report(folder: Path) -> bool:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and manifest.get("generator") == GENERATOR


def _stale(folder: Path, before: float) -> bool:
    """True for a build folder left by a killed build, or a replaced report left behind."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    try:
        mark = json.loads((folder / _BUILD_MARK).read_text(encoding="utf-8"))
    except FileNotFoundError:
        mark = None
    except (OSError, ValueError):
        return False  # unreadable: not recognisably ours
    if isinstance(mark, dict) and mark.get("generator") == GENERATOR:
        started = mark.get("started")
        if not isinstance(started, (int, float)) or started >= before:
            return False
        pid = mark.get("pid")
        if mark.get("host") != socket.gethostname():
            # another machine's build (a shared folder): its process cannot be asked
            # after, so only one started more than a day ago counts as killed
            return started < before - _STALE_ELSEWHERE
        if isinstance(pid, int) and _pid_alive(pid):
            return False  # a build running now, in another process
        return True
    if mark is not None:
        return False
    # no mark: a previous report set aside by the swap (or a build folder killed before
    # its mark was written, still empty); ours only if it is one of those, and older
    try:
        older = folder.stat().st_mtime < before
    except OSError:
        return False
    return older and (_is_our_report(folder) or not any(folder.iterdir()))


def remove_stale_builds(output: str | os.PathLike[str], *, before: float | None = None) -> list[Path]:
    """Remove the build folders a killed build of ``output`` left beside it.

    A build that is killed outright (``SIGKILL``, a power cut) cannot clean up: it
    leaves ``.<name>.building-*`` (or ``.<name>.old-*``) beside the report folder
    ``<name>``, the report itself intact. :func:`build_report` calls this first. Only
    folders that are recognisably ours are removed: named so, and either marked as a
    build (``.discourse-build.json``) of a process of this machine that is gone (of
    another machine: started more than a day before), or a report of ours set aside by
    a swap (its ``manifest.json``), or empty; and only those older than ``before``.
    Symbolic links and anything else are left alone.

    Parameters
    ----------
    output : path
        The report folder.
    before : float, optional
        Time (seconds since the epoch); only folders from before it are removed.
        Default: now.

    Returns
    -------
    list of Path
        The folders removed.
    """
    output = Path(output).resolve()
    before = time.time() if before is None else before
    prefixes = (f".{output.name}.building-", f".{output.name}.old-")
    try:
        siblings = list(output.parent.iterdir())
    except OSError:
        return []
    removed = []
    for folder in sorted(siblings):
        if folder.name.startswith(prefixes) and _stale(folder, before):
            shutil.rmtree(folder, ignore_errors=True)
            if not folder.exists():
                removed.append(folder)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically (Linux ``renameat2(RENAME_EXCHANGE)``); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # pragma: no cover - glibc < 2.28, musl
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):  # pragma: no cover
        return False  # a file system without the exchange
    raise OSError(code, os.strerror(code), os.fspath(a), None, os.fspath(b))


def _move_into_place(build: Path, output: Path) -> None:
    old = None
    if output.exists():
        for keep in _KEEP:
            if (output / keep).exists() and not (build / keep).exists():
                shutil.copy2(output / keep, build / keep)
        if output.is_dir() and not output.is_symlink() and _exchange(build, output):
            # one atomic step: the new report is in place, the previous one is in `build`
            shutil.rmtree(build, ignore_errors=True)
            return
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
