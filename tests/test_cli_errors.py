"""How the ``discourse`` command fails, run as a user runs it (``.venv/bin/discourse``).

Expected failures (bad input, bad options, outputs that cannot be written) print one
line ``discourse CMD: error: ...`` and exit 2; a bug exits 1 with one line saying where
its traceback went (or the traceback with ``--debug``); Ctrl-C exits 130 and SIGTERM
143, without a traceback. A bug, a slow command and an interrupt are planted through a
``sitecustomize`` module on ``PYTHONPATH``, so that the real console script runs.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

EXE = Path(sys.executable).parent / "discourse"
ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"

TALKS = """\
doc_id,event,year,text
a1,Harbour Forum 2019,2019,The digital divide is wide.
b1,Harbour Forum 2021,2021,AI safety is now the priority.
"""


def run(*args, env=None, cwd=None, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(EXE), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout
    )


def one_error_line(out: subprocess.CompletedProcess, command: str) -> str:
    """The one line of an expected failure: status 2, nothing on stdout, no traceback."""
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and out.stderr.endswith("\n"), out.stderr
    prefix = f"discourse {command}: error: " if command else "discourse: error: "
    assert out.stderr.startswith(prefix), out.stderr
    assert "Traceback" not in out.stderr
    return out.stderr[len(prefix):].rstrip("\n")


@pytest.fixture
def talks(tmp_path) -> Path:
    path = tmp_path / "talks.csv"
    path.write_text(TALKS, encoding="utf-8")
    return path


def planted_env(tmp_path: Path, body: str) -> dict[str, str]:
    """An environment whose Python runs ``body`` at start-up (a sitecustomize module)."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(body))
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    env["TMPDIR"] = str(tmp_path)  # where a traceback file goes
    return env


# --- bad options and bad input: exit 2, one line -----------------------------------------


@pytest.mark.parametrize(
    ("argv", "command", "message"),
    [
        ([], "", "the following arguments are required: COMMAND (for usage: discourse --help)"),
        (["frobnicate"], "",
         "argument COMMAND: invalid choice: 'frobnicate' (choose from 'info', 'themes', 'kwic', 'topics', "
         "'report', 'validate', 'sample', 'convert') (for usage: discourse --help)"),
        (["topics", "x.csv"], "topics",
         "the following arguments are required: -o/--output (for usage: discourse topics --help)"),
        (["topics", "x.csv", "-k", "ten", "-o", "t"], "topics",
         "argument -k: invalid int value: 'ten' (for usage: discourse topics --help)"),
        (["themes", "x.csv", "--bogus"], "themes",
         "unrecognized arguments: --bogus (for usage: discourse themes --help)"),
        (["info", "x.csv", "--errors", "ignore"], "info",
         "argument --errors: invalid choice: 'ignore' (choose from 'raise', 'skip') "
         "(for usage: discourse info --help)"),
    ],
)
def test_bad_options_are_one_line_and_status_2(argv, command, message, tmp_path):
    out = run(*argv, cwd=tmp_path)
    # the subparser's own wording (argparse) in our one-line form
    assert one_error_line(out, command) == message


def test_a_missing_source_and_a_missing_dictionary(talks, tmp_path):
    out = run("info", tmp_path / "nope", cwd=tmp_path)
    assert one_error_line(out, "info") == (
        f"{tmp_path / 'nope'}: the corpus source does not exist. Check the path (a folder, archive or table)."
    )
    out = run("kwic", talks, "ai_safety", "-d", tmp_path / "none.yaml", cwd=tmp_path)
    assert one_error_line(out, "kwic").startswith(f"{tmp_path / 'none.yaml'}: ")


def test_a_bad_dictionary_file_names_file_and_line(talks, tmp_path):
    dic = tmp_path / "bad.yaml"
    dic.write_text("themes:\n  a: [unclosed\n", encoding="utf-8")
    out = run("themes", talks, "-d", dic, cwd=tmp_path)
    line = one_error_line(out, "themes")
    assert line.startswith(f"{dic}, line ")
    assert list(tmp_path.iterdir()) == [talks, dic]  # nothing written


# --- outputs that cannot be written: exit 2 before any work, nothing written ----------------


def test_a_file_in_the_way_of_an_output_folder(talks, tmp_path):
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    for command, extra in (("report", []), ("topics", ["-k", "2"])):
        out = run(command, talks, *extra, "-o", blocker, cwd=tmp_path)
        assert one_error_line(out, command) == (
            f"{blocker}: a file is in the way: the output folder is a file. "
            "choose another folder with -o, or move the file away."
        )
    out = run("themes", talks, "-o", blocker / "sub" / "themes.csv", cwd=tmp_path)
    assert one_error_line(out, "themes") == (
        f"{blocker}: a file is in the way of the output file: this is a file, not a folder. "
        "choose another output with -o, or move the file away."
    )
    assert blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports", "talks.csv"]


def test_an_output_file_that_is_a_folder(talks, tmp_path):
    (tmp_path / "out").mkdir()
    out = run("kwic", talks, "digital divide", "-o", tmp_path / "out", cwd=tmp_path)
    assert one_error_line(out, "kwic") == (
        f"{tmp_path / 'out'}: the output file is a folder. name a file with -o (e.g. -o out.csv)."
    )
    assert list((tmp_path / "out").iterdir()) == []


def test_an_unwritable_output_folder(talks, tmp_path):
    if os.geteuid() == 0:  # root writes through permissions: /sys takes no new file, even from root
        if not Path("/sys").is_dir():  # pragma: no cover
            pytest.skip("running as root and no /sys to stand for an unwritable folder")
        locked = Path("/sys")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        os.chmod(locked, 0o555)
    before = sorted(os.listdir(locked))
    try:
        for command, extra, target in (
            ("themes", ["-o", locked / "themes.csv"], "file"),
            ("topics", ["-k", "2", "-o", locked / "topics"], "folder"),
            ("report", ["-o", locked / "report"], "folder"),
        ):
            out = run(command, talks, *extra, cwd=tmp_path)
            assert one_error_line(out, command) == (
                f"{locked}: the output {target} cannot be written here: permission denied. "
                "choose a folder you can write in with -o, or change its permissions."
            )
        assert sorted(os.listdir(locked)) == before
    finally:
        if locked != Path("/sys"):
            os.chmod(locked, 0o755)


def test_an_os_error_while_writing_is_one_line(talks, tmp_path):
    # the disk fills up while the table is written: the system's error, worded as ours
    env = planted_env(tmp_path, """
        import errno
        import pandas as pd
        def to_csv(self, path=None, *a, **k):
            if path is not None and str(path).endswith(".csv"):
                raise OSError(errno.ENOSPC, "No space left on device", str(path))
            return _to_csv(self, path, *a, **k)
        _to_csv = pd.DataFrame.to_csv
        pd.DataFrame.to_csv = to_csv
    """)
    out = run("kwic", talks, "digital divide", "-o", tmp_path / "k.csv", env=env, cwd=tmp_path)
    assert one_error_line(out, "kwic") == (
        f"{tmp_path / 'k.csv'}: no space left on the device. free some space, or write elsewhere."
    )


# --- a bug: exit 1, one line, the traceback in a file (or shown with --debug) ----------------

BUG = """
    import discourse.cli
    def _cmd_info(args):
        raise RuntimeError("planted bug")
    discourse.cli._cmd_info = _cmd_info
"""


def test_an_unexpected_error_says_it_is_a_bug_and_where_the_traceback_is(talks, tmp_path):
    env = planted_env(tmp_path, BUG)
    out = run("info", talks, env=env, cwd=tmp_path)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    m = re.fullmatch(
        r"discourse info: internal error: RuntimeError: planted bug\. This is a bug in discourse: please "
        r"report it to its maintainers with the command you ran; the traceback is in (\S+)\.\n",
        out.stderr,
    )
    assert m, out.stderr
    trace = Path(m.group(1))
    assert trace.parent == tmp_path and trace.name.startswith("discourse-traceback-")
    text = trace.read_text()
    assert text.startswith(f"command: discourse info {talks}\n\nTraceback (most recent call last):")
    assert text.rstrip().endswith("RuntimeError: planted bug")
    assert "_cmd_info" in text


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_prints_the_traceback_instead(talks, tmp_path, where):
    env = planted_env(tmp_path, BUG)
    argv = ["--debug", "info", talks] if where == "before" else ["info", talks, "--debug"]
    out = run(*argv, env=env, cwd=tmp_path)
    assert out.returncode == 1
    assert out.stderr.startswith("Traceback (most recent call last):")
    assert "RuntimeError: planted bug\n" in out.stderr
    assert out.stderr.endswith(
        "discourse info: internal error: RuntimeError: planted bug. This is a bug in discourse: please "
        "report it to its maintainers with the command you ran and the traceback above.\n"
    )
    assert not list(tmp_path.glob("discourse-traceback-*"))


def test_out_of_memory_is_one_line(talks, tmp_path):
    env = planted_env(tmp_path, """
        import discourse.cli
        def _cmd_info(args):
            raise MemoryError()
        discourse.cli._cmd_info = _cmd_info
    """)
    out = run("info", talks, env=env, cwd=tmp_path)
    assert one_error_line(out, "info") == (
        "out of memory. Load a smaller corpus or part of it (e.g. --year-min), "
        "or use a machine with more memory."
    )


# --- Ctrl-C and SIGTERM: 130 and 143, no traceback ---------------------------------------------

SLOW = """
    import sys, time
    import discourse.cli
    def _cmd_info(args):
        print("ready", file=sys.stderr, flush=True)
        time.sleep(60)
        return 0
    discourse.cli._cmd_info = _cmd_info
"""


@pytest.mark.parametrize(("sig", "status", "said"), [
    (signal.SIGINT, 130, "interrupted"),
    (signal.SIGTERM, 143, "terminated"),
    (signal.SIGHUP, 129, "hung up"),
])
def test_interrupted_terminated_or_hung_up_without_a_traceback(talks, tmp_path, sig, status, said):
    env = planted_env(tmp_path, SLOW)
    proc = subprocess.Popen([str(EXE), "info", str(talks)], stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr.readline() == "ready\n"
        t0 = time.monotonic()
        proc.send_signal(sig)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == status
        assert time.monotonic() - t0 < 10
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert rest == f"discourse info: {said}\n"


def test_ctrl_c_during_real_work(tmp_path):
    """SIGINT while a topic model is fitted on the demo corpus (no planted code)."""
    proc = subprocess.Popen(
        [str(EXE), "-v", "topics", str(DEMO), "-k", "12", "--unit", "sentence", "-o", str(tmp_path / "t")],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        first = proc.stderr.readline()  # -v: a log line once the command runs
        assert first.startswith(("INFO ", "WARNING ")), first
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        status = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in rest and "KeyboardInterrupt" not in rest
    if status == 0:  # pragma: no cover - it finished before the signal arrived
        pytest.skip("the command finished before SIGINT arrived")
    assert status == 130 and rest.endswith("discourse topics: interrupted\n")


def test_size_limits_on_the_command_line(tmp_path):
    """--max-bytes reaches load_corpus: a document over it is one error line (strict) or listed (skip)."""
    import zipfile

    source = tmp_path / "c.zip"
    with zipfile.ZipFile(source, "w") as zf:
        zf.writestr("a.txt", "Title\n\nThe digital divide persists.\n")
        zf.writestr("big.txt", "x " * 5000)
    out = run("info", str(source), "--max-bytes", "1000")
    assert out.returncode == 2
    assert "big.txt: larger than max_bytes=1,000 bytes (10,000 bytes)" in one_error_line(out, "info")
    out = run("info", str(source), "--max-bytes", "1000", "--errors", "skip")
    assert out.returncode == 0
    assert "1 loaded, 1 skipped, 2 seen" in out.stdout
