"""With ``CI=true`` and no UN corpus, the real-corpus tests fail and say why; without CI they skip.

Runs pytest in a subprocess on one real-corpus test module, with ``DISCOURSE_UNGDC``
pointing at a file that does not exist.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULE = "tests/test_corpus_ungdc.py"  # every test in it needs the UN corpus


def _pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["DISCOURSE_UNGDC"] = str(tmp_path / "missing" / "ungdc.zip")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", MODULE, "-x", "-q", "-rfEs", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("ci", ["true", "TRUE", "1"])
def test_ci_fails_when_the_un_corpus_is_missing_and_says_why(tmp_path, ci):
    out = _pytest(tmp_path, ci)
    assert out.returncode == 1, out.stdout[-2000:]
    missing = tmp_path / "missing" / "ungdc.zip"
    reason = (
        f"real corpus not found at {missing}: these integration tests need the UN General "
        "Debate corpus beside the project (../shared/corpora/ungdc.zip) or DISCOURSE_UNGDC set "
        "(CI=true: failing instead of skipping)"
    )
    assert reason in out.stdout
    assert "1 error" in out.stdout.splitlines()[-1]  # stopped at the first (-x)
    assert "skipped" not in out.stdout.splitlines()[-1]


def test_without_ci_the_same_tests_skip_and_say_why(tmp_path):
    out = _pytest(tmp_path, None)
    assert out.returncode == 0, out.stdout[-2000:]
    last = out.stdout.splitlines()[-1]
    assert (
        "skipped" in last and "passed" not in last and "error" not in last and "failed" not in last
    )
    assert f"real corpus not found at {tmp_path / 'missing' / 'ungdc.zip'}" in out.stdout


def test_un_corpus_tests_find_it_only_through_the_conftest_fixture():
    """No test or benchmark builds the corpus path itself (it would escape the CI rule)."""
    offenders = []
    for folder in ("tests",):
        for path in sorted((ROOT / folder).glob("*.py")):
            if path.name in ("conftest.py", "test_ci.py"):
                continue
            text = path.read_text()
            if "DISCOURSE_UNGDC" in text or 'corpora/ungdc.zip"' in text or '/ "ungdc.zip"' in text:
                offenders.append(path.name)
            if "not available yet" in text or "not importable yet" in text:
                offenders.append(f"{path.name} (a 'not available yet' skip guard)")
    assert offenders == []
