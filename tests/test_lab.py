"""`make lab`: JupyterLab from .venv, the .py notebooks open as notebooks, on the venv's kernel.

What a browser would do is checked through the server's REST API: the default viewer of
Python files (the docmanager setting the front end reads), the contents model of a
notebook, and the interpreter of a kernel started by the server. The jupytext pairing
set by ``jupytext.toml`` is checked with jupytext's contents manager directly.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"  # what `make lab` runs
NOTEBOOK = "notebooks/02-theme-frequencies.py"


def test_jupyter_lab_runs_from_the_venv():
    jupyter = VENV_BIN / "jupyter"
    assert jupyter.is_file(), f"{jupyter} missing: make setup installs jupyterlab"
    out = subprocess.run(
        [str(jupyter), "lab", "--help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "JupyterLab" in out.stdout


def test_make_help_lists_lab():
    out = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "help"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stdout.splitlines() if ln.split()[:1] == ["\x1b[36mlab"]]
    assert len(lines) == 1 and "Start JupyterLab" in lines[0], out.stdout


def _contents_manager(root: Path):
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from jupytext.sync_contentsmanager import build_sync_jupytext_contents_manager_class

    return build_sync_jupytext_contents_manager_class(FileContentsManager)(root_dir=str(root))


def test_jupytext_config_pairs_the_notebooks_and_nothing_else(tmp_path):
    shutil.copy(ROOT / "jupytext.toml", tmp_path)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "src").mkdir()
    shutil.copy(ROOT / NOTEBOOK, tmp_path / "notebooks")
    (tmp_path / "src" / "module.py").write_text("x = 1\n")
    cm = _contents_manager(tmp_path)

    config = cm.get_config(NOTEBOOK)
    assert config.formats == ["notebooks///ipynb,notebooks///py:percent"]
    model = cm.get(NOTEBOOK)
    assert model["type"] == "notebook"
    nb = model["content"]
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.startswith("# Theme frequencies by event")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)

    cm.save(model, NOTEBOOK)  # what JupyterLab does on Ctrl+S
    paired = tmp_path / "notebooks" / "02-theme-frequencies.ipynb"
    assert paired.is_file()
    assert json.loads(paired.read_text())["nbformat"] == 4
    # the .py stays a py:percent script with the same cells
    import jupytext

    again = jupytext.read(tmp_path / NOTEBOOK)
    assert [c.source for c in again.cells] == [c.source for c in nb.cells]

    # a source file outside notebooks/ opened as a notebook is not paired on save
    model = cm.get("src/module.py")
    cm.save(model, "src/module.py")
    assert sorted(p.name for p in (tmp_path / "src").iterdir()) == ["module.py"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _api(port: int, token: str, path: str, method: str = "GET"):
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        headers={"Authorization": f"token {token}"},
        data=b"{}" if method == "POST" else None,
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def _kernel_argv(kernel_id: str, timeout: float = 30) -> list[str]:
    """Command line of the kernel process (found by its connection file in /proc)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                argv = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if any(f"kernel-{kernel_id}.json".encode() in a for a in argv):
                return [a.decode() for a in argv if a]
        time.sleep(0.2)
    raise AssertionError(f"no process for kernel {kernel_id}")


@pytest.mark.slow
@pytest.mark.skipif(
    not Path("/proc").is_dir() or shutil.which("make") is None, reason="needs Linux and make"
)
def test_make_lab_serves_py_notebooks_as_notebooks_on_the_venv_kernel(tmp_path):
    port, token = _free_port(), "discourse-test-token"
    opts = f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --IdentityProvider.token={token}"
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        opts += " --allow-root"
    env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_CONFIG_PATH", "JUPYTER_PATH")}
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    env["JUPYTERLAB_SETTINGS_DIR"] = str(tmp_path / "user-settings")  # no user settings
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(tmp_path / "workspaces")
    # -o: never rebuild .venv from the test (the suite runs in it)
    proc = subprocess.Popen(
        ["make", "-s", "-C", str(ROOT), "-o", ".venv/.installed", "lab", f"LAB_OPTS={opts}"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                _api(port, token, "/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = (
                        proc.stdout.read().decode(errors="replace")
                        if proc.poll() is not None
                        else ""
                    )
                    raise AssertionError(f"make lab did not start:\n{out[-3000:]}") from None
                time.sleep(0.3)

        # the front end opens Python files with jupytext's notebook viewer by default
        settings = _api(port, token, "/lab/api/settings/@jupyterlab/docmanager-extension:plugin")
        assert (
            settings["schema"]["properties"]["defaultViewers"]["default"]["python"]
            == "Jupytext Notebook"
        )
        # ... and markdown files (README.md) stay text
        assert "markdown" not in settings["schema"]["properties"]["defaultViewers"]["default"]

        model = _api(port, token, f"/api/contents/{NOTEBOOK}?type=notebook&content=1")
        assert model["type"] == "notebook"
        assert model["content"]["metadata"]["kernelspec"]["name"] == "python3"
        assert model["content"]["cells"][0]["source"].startswith("# Theme frequencies by event")

        specs = _api(port, token, "/api/kernelspecs")
        assert specs["default"] == "python3"

        kernel = _api(port, token, "/api/kernels", method="POST")
        try:
            argv = _kernel_argv(kernel["id"])
            assert Path(argv[0]).parent == VENV_BIN, argv  # the venv's python runs the kernel
            assert argv[1:3] == ["-m", "ipykernel_launcher"]
        finally:
            _api(port, token, f"/api/kernels/{kernel['id']}", method="DELETE")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
