"""A report build that is interrupted or killed leaves the previous report as it was.

``discourse report`` runs on the demo corpus in a subprocess (its own session, so that
every process it starts can be found and, at the end, stopped) beside a previous
report; once a notebook kernel runs, the build gets SIGINT (it stops its kernels,
removes its build folder and exits 130) or SIGKILL (it leaves its build folder). The
previous report must be byte-identical, and the next build removes what a killed one
left, and nothing else.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from discourse.report.build import _BUILD_MARK, GENERATOR, remove_stale_builds

EXE = Path(sys.executable).parent / "discourse"
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

TINY_NOTEBOOK = """\
# %% [markdown]
# # Tiny

# %% tags=["parameters"]
output_dir = "."
seed = 0

# %%
from pathlib import Path
Path(output_dir, "tiny.txt").write_text(f"seed {seed}")
"""


def previous_report(folder: Path) -> dict[str, bytes]:
    """A previous report (as a build leaves it: a manifest of ours) and its bytes."""
    (folder / "tables").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"generator": GENERATOR, "seed": 3}) + "\n")
    (folder / "index.html").write_text("<html><body>the previous report</body></html>\n")
    (folder / "tables" / "01-docs.csv").write_bytes(os.urandom(2048))
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def session_processes(sid: int) -> list[int]:
    """Pids of the live processes of session ``sid`` (Linux /proc)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            pids.append(int(stat.parent.name))
    return pids


def start_build(out: Path, env=None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(EXE), "report", str(DEMO), "-o", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True,
    )


def wait_for_a_kernel(proc: subprocess.Popen, out: Path, timeout: float = 90) -> Path:
    """The build folder, once a notebook's kernel has started in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        for build in out.parent.glob(f".{out.name}.building-*"):
            if any(build.glob("_work/*.kernel.log")):
                time.sleep(1.0)  # the kernel is running a cell
                return build
        time.sleep(0.1)
    raise AssertionError("no notebook kernel started")


def stop_session(proc: subprocess.Popen) -> None:
    """Stop whatever the build started and is still running (ours only: its session)."""
    for pid in session_processes(proc.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.poll() is None:
        proc.kill()
    proc.wait(timeout=30)


def siblings(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir())


@pytest.mark.slow
@pytest.mark.parametrize("to", ["process", "group", "sigterm"])
def test_ctrl_c_leaves_the_previous_report_and_no_build_folder(tmp_path, to):
    """SIGINT to the command alone, or to its whole process group as a terminal's Ctrl-C
    does (the kernels then get it too); or SIGTERM (``kill``, a scheduler's time limit)."""
    out = tmp_path / "reports"
    before = previous_report(out)
    proc = start_build(out)
    try:
        wait_for_a_kernel(proc, out)
        t0 = time.monotonic()
        if to == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGTERM if to == "sigterm" else signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        seconds = time.monotonic() - t0
        # the kernels were stopped with the build, not left running
        deadline = time.monotonic() + 10
        while session_processes(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = session_processes(proc.pid)
    finally:
        stop_session(proc)
    status, said = (143, "terminated") if to == "sigterm" else (130, "interrupted")
    assert proc.returncode == status, err
    assert err.endswith(f"discourse report: {said}\n") and "Traceback" not in err, err
    assert seconds < 6  # the kernels are stopped: it does not wait for the notebooks (~10 s here)
    assert left == []
    assert snapshot(out) == before
    assert siblings(out) == ["reports"]


@pytest.mark.slow
def test_sigkill_leaves_the_previous_report_and_the_next_build_cleans_up(tmp_path):
    out = tmp_path / "reports"
    before = previous_report(out)
    proc = start_build(out)
    try:
        build = wait_for_a_kernel(proc, out)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        stop_session(proc)
    assert snapshot(out) == before
    assert build.is_dir() and (build / _BUILD_MARK).is_file()  # what a killed build leaves

    # beside it: folders that are not a killed build of ours, which must stay
    foreign = tmp_path / ".reports.building-by-hand"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    running = tmp_path / ".reports.building-running"
    running.mkdir()
    (running / _BUILD_MARK).write_text(json.dumps({
        "generator": GENERATOR, "pid": os.getpid(), "host": os.uname().nodename, "started": time.time() - 60,
    }))
    other = tmp_path / ".other.building-x"
    other.mkdir()

    # the next build (one tiny notebook, so that it is quick) completes and cleans up
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    (nbdir / "01-tiny.py").write_text(TINY_NOTEBOOK)
    env = {**os.environ, "DISCOURSE_NOTEBOOKS": str(nbdir)}
    proc = start_build(out, env=env)
    try:
        stdout, err = proc.communicate(timeout=120)
    finally:
        stop_session(proc)
    assert proc.returncode == 0, err
    assert stdout == f"report ready: {out / 'index.html'}\n"
    assert (out / "tiny.txt").read_text() == "seed 0"
    # issue 11 added 16 Chinese and bilingual articles to the demo corpus (150 -> 166)
    assert json.loads((out / "manifest.json").read_text())["corpus"]["n_docs"] == 166
    assert not build.exists()
    assert siblings(out) == [".other.building-x", ".reports.building-by-hand", ".reports.building-running",
                             "nb", "reports"]
    assert (foreign / "notes.txt").read_text() == "mine"


def mark(folder: Path, **fields) -> Path:
    folder.mkdir()
    info = {"generator": GENERATOR, "pid": 2**22 + 12345, "host": os.uname().nodename, "started": 1000.0}
    info.update(fields)
    (folder / _BUILD_MARK).write_text(json.dumps(info))
    (folder / "index.html").write_text("x")
    return folder


def test_remove_stale_builds_removes_only_killed_builds_of_ours(tmp_path):
    out = tmp_path / "rep"
    out.mkdir()
    dead = mark(tmp_path / ".rep.building-dead")  # a pid that does not run
    alive = mark(tmp_path / ".rep.building-alive", pid=os.getpid())  # a build running now
    newer = mark(tmp_path / ".rep.building-newer", started=3000.0)  # started after this build
    elsewhere = mark(tmp_path / ".rep.building-host", pid=os.getpid(), host="another-machine")
    elsewhere_old = mark(tmp_path / ".rep.building-host-old", host="another-machine", started=2000.0 - 90_000)
    not_ours = mark(tmp_path / ".rep.building-gen", generator="something else")
    bad_mark = tmp_path / ".rep.building-bad"
    bad_mark.mkdir()
    (bad_mark / _BUILD_MARK).write_text("{not json")
    swapped = tmp_path / ".rep.old-abc"  # a previous report set aside by a swap
    swapped.mkdir()
    (swapped / "manifest.json").write_text(json.dumps({"generator": GENERATOR}))
    empty = tmp_path / ".rep.building-empty"
    empty.mkdir()
    stranger = tmp_path / ".rep.building-stranger"
    stranger.mkdir()
    (stranger / "data.csv").write_text("a,b\n")
    link = tmp_path / ".rep.building-link"
    link.symlink_to(dead, target_is_directory=True)
    other_report = mark(tmp_path / ".other.building-x")
    for folder in (swapped, empty, stranger):
        os.utime(folder, (1000.0, 1000.0))

    removed = remove_stale_builds(out, before=2000.0)
    assert sorted(p.name for p in removed) == [".rep.building-dead", ".rep.building-empty",
                                               ".rep.building-host-old", ".rep.old-abc"]
    assert not any(p.exists() for p in (dead, swapped, empty, elsewhere_old))
    # running here, started after, another machine's of today, not ours, unreadable, not marked
    for kept in (alive, newer, elsewhere, not_ours, bad_mark, stranger, other_report, out):
        assert kept.is_dir(), kept
    assert link.is_symlink()  # the link itself is left alone (its target was removed)
    assert remove_stale_builds(out, before=2000.0) == []
