"""Installed, not cloned: a wheel installed in a fresh virtual environment works alone.

The wheel is built from the checkout (``pip wheel .``: setup.py copies ``notebooks/*.py``
and ``data/demo/**`` into ``discourse/_bundled/``), installed with ``--no-deps`` into a
new venv made by ``python -m venv --without-pip``; the dependencies are reused from
``.venv`` by a ``.pth`` line naming ``.venv``'s site-packages (so nothing is downloaded
but the build backend, and the checkout's editable ``discourse`` is not visible: the
editable install is itself a ``.pth`` there, which a plain path line does not process), and
their data files (``share/jupyter``) by a symlink.
Everything then runs from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(cmd, *, cwd, env=None, timeout=300):
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, (
        f"{cmd} failed ({out.returncode}):\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    )
    return out


def _python_json(venv, code: str):
    """Run ``code`` with the fresh venv's Python; what it prints, read as JSON."""
    return json.loads(_run([str(venv["python"]), "-c", code], cwd=venv["cwd"], env=venv["env"]).stdout)


def _source_files(folder: Path, pattern: str) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.glob(pattern))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    }


# what an sdist carries (MANIFEST.in): building from a copy of just these shows the build
# needs nothing else, and keeps the build's own build/ folder out of the checkout (two
# test runs at once would otherwise share it)
SDIST_CONTENT = (
    "pyproject.toml",
    "setup.py",
    "MANIFEST.in",
    "README.md",
    "LICENSE",
    "src",
    "notebooks",
    "data/demo",
    "data/validation",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("source")
    for name in SDIST_CONTENT:
        path = ROOT / name
        if path.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".*", "*.ipynb")
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            shutil.copy2(path, src / name)
    dist = tmp_path_factory.mktemp("dist")
    _run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(dist)],
        cwd=dist,
    )
    (found,) = dist.glob("discourse-*.whl")
    return found


@pytest.fixture(scope="module")
def fresh_venv(wheel, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("fresh")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=base)
    python = venv / "bin" / "python"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "-q",
            str(wheel),
        ],
        cwd=base,
    )
    purelib = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=base
        ).stdout.strip()
    )
    # dependencies from .venv, after the venv's own site-packages (a plain path line)
    (purelib / "zz-reuse-dev-venv.pth").write_text(sysconfig.get_path("purelib") + "\n")
    # ... and their data files (nbconvert's templates, the python3 kernelspec), which an
    # install of the dependencies would put in the venv's share/jupyter
    (venv / "share").mkdir(exist_ok=True)
    (venv / "share" / "jupyter").symlink_to(Path(sys.prefix) / "share" / "jupyter")
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "PYTHONPATH",
            "VIRTUAL_ENV",
            "DISCOURSE_DEMO",
            "DISCOURSE_NOTEBOOKS",
            "JUPYTER_PATH",
        )
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    work = base / "elsewhere"  # outside the checkout
    work.mkdir()
    return {"python": python, "bin": venv / "bin", "purelib": purelib, "env": env, "cwd": work}


def test_wheel_bundles_the_notebooks_and_the_demo_corpus_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        for source, pattern, dest in (
            ("notebooks", "*.py", "notebooks"),
            ("data/demo", "**/*", "demo"),
            ("data/validation", "*", "validation"),
        ):
            expected = _source_files(ROOT / source, pattern)
            assert expected, source
            shipped = {
                n.removeprefix(f"discourse/_bundled/{dest}/"): zf.read(n)
                for n in names
                if n.startswith(f"discourse/_bundled/{dest}/")
            }
            assert shipped == expected, f"{source}: {sorted(set(shipped) ^ set(expected))}"
    assert not any(n.endswith(".ipynb") for n in names)


def test_installed_package_comes_from_the_venv_not_the_checkout(fresh_venv):
    out = _run(
        [
            str(fresh_venv["python"]),
            "-c",
            "import discourse, pandas; print(discourse.__file__); print(pandas.__file__)",
        ],
        cwd=fresh_venv["cwd"],
        env=fresh_venv["env"],
    )
    discourse_file, pandas_file = out.stdout.split()
    assert Path(discourse_file).is_relative_to(fresh_venv["purelib"])
    assert Path(pandas_file).is_relative_to(Path(sysconfig.get_path("purelib")))


def test_load_demo_corpus_from_a_wheel(fresh_venv):
    code = (
        "import json, discourse as dc; c = dc.load_demo_corpus(); "
        "print(json.dumps({'path': str(dc.demo_corpus_path()), 'n': len(c), "
        "'events': int(c['event'].nunique()), 'skipped': len(c.attrs['skipped'])}))"
    )
    got = _python_json(fresh_venv, code)
    assert Path(got["path"]) == fresh_venv["purelib"] / "discourse" / "_bundled" / "demo"
    from discourse import load_corpus

    here = load_corpus(ROOT / "data" / "demo", format="articles")
    assert got["n"] == len(here) == len(list((ROOT / "data" / "demo").rglob("*.txt")))
    assert got["events"] == here["event"].nunique()
    assert got["skipped"] == 0


def test_validation_set_and_shipped_scores_from_a_wheel(fresh_venv):
    """The labelled UN sentences (``validation_path``, ``shipped_validation``, the default
    of ``discourse validate``) and the shipped scores are found in the installed package,
    not by walking up to a checkout; importlib.resources sees them as package files."""
    code = (
        "import json, importlib.resources as ir\n"
        "from discourse.datasets import validation_path\n"
        "from discourse.validation import shipped_validation, shipped_scores\n"
        "root = ir.files('discourse')\n"
        "print(json.dumps({'path': str(validation_path()), 'rows': len(shipped_validation()),\n"
        "    'splits': sorted(set(shipped_validation()['split'])), 'scores': len(shipped_scores()),\n"
        "    'resource': root.joinpath('_bundled', 'validation', 'ungdc-sentences.csv').is_file(),\n"
        "    'scores_resource': root.joinpath('themes', 'data', 'default-validation.csv').is_file()}))\n"
    )
    got = _python_json(fresh_venv, code)
    bundled = fresh_venv["purelib"] / "discourse" / "_bundled" / "validation"
    assert Path(got["path"]) == bundled / "ungdc-sentences.csv"
    assert got["resource"] and got["scores_resource"]
    from discourse.validation import shipped_scores, shipped_validation

    here = shipped_validation()
    assert got["rows"] == len(here) and got["splits"] == sorted(set(here["split"]))
    assert got["scores"] == len(shipped_scores())
    for name in ("ungdc-sentences.csv", "ungdc-sentences-round4.csv", "README.md"):
        assert (bundled / name).read_bytes() == (ROOT / "data" / "validation" / name).read_bytes()


def test_discourse_report_from_a_wheel(fresh_venv):
    env, cwd = fresh_venv["env"], fresh_venv["cwd"]
    demo = _run(
        [str(fresh_venv["python"]), "-c", "import discourse; print(discourse.demo_corpus_path())"],
        cwd=cwd,
        env=env,
    ).stdout.strip()
    out = _run(
        [str(fresh_venv["bin"] / "discourse"), "report", demo, "-o", "rep"],
        cwd=cwd,
        env=env,
        timeout=600,
    )
    report = cwd / "rep"
    assert f"report ready: {report / 'index.html'}" in out.stdout
    assert (report / "index.html").is_file()
    manifest = json.loads((report / "manifest.json").read_text())
    shipped = sorted(
        p.stem
        for p in (fresh_venv["purelib"] / "discourse" / "_bundled" / "notebooks").glob(
            "[0-9][0-9]-*.py"
        )
        if "report: false" not in p.read_text()
    )
    assert sorted(nb["name"] for nb in manifest["notebooks"]) == shipped
    assert manifest["source"] == demo
    items = [item for nb in manifest["notebooks"] for item in nb["items"]]
    kinds = {item["kind"] for item in items}
    assert {"table", "figure"} <= kinds
    for nb in manifest["notebooks"]:
        assert (report / nb["html"]).is_file()
    for item in items:
        if "path" in item:
            assert (report / item["path"]).is_file(), item["path"]
    tables = {p.name for p in (report / "tables").glob("*.csv")}
    assert "01-events.csv" in tables and "01-documents.csv" in tables
    documents = (report / "tables" / "01-documents.csv").read_text().splitlines()
    assert len(documents) - 1 == len(list((ROOT / "data" / "demo").rglob("*.txt")))
