"""Shared fixtures: paths, the bundled demo corpus and the real UN General Debate corpus.

The real corpus lives outside the project at ``../shared/corpora/ungdc.zip`` (relative
to the project root). Tests that need it use the ``ungdc_zip`` or ``ungdc_corpus``
fixtures and are skipped, saying why, when it is absent (a user's fresh clone). It is
never copied into the project.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UNGDC_ZIP = Path(os.environ.get("DISCOURSE_UNGDC", ROOT.parent / "shared" / "corpora" / "ungdc.zip"))
SKIP_UNGDC = (
    f"real corpus not found at {UNGDC_ZIP}: these integration tests need the UN General "
    "Debate corpus beside the project (../shared/corpora/ungdc.zip) or DISCOURSE_UNGDC set"
)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "ungdc_zip" in getattr(item, "fixturenames", ()) or "ungdc_corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.ungdc)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def ungdc_zip() -> Path:
    if not UNGDC_ZIP.is_file():
        if os.environ.get("CI", "").lower() == "true":  # CI always has it: a missing corpus is a failure
            pytest.fail(SKIP_UNGDC + " (CI=true: failing instead of skipping)")
        pytest.skip(SKIP_UNGDC)
    return UNGDC_ZIP


@pytest.fixture(scope="session")
def ungdc_corpus(ungdc_zip):
    """The whole UN General Debate corpus, loaded once per test session (read-only!)."""
    from discourse import load_corpus

    return load_corpus(ungdc_zip)


@pytest.fixture(scope="session")
def demo_corpus():
    """The bundled demo corpus in data/demo, loaded once per test session (read-only!)."""
    from discourse import load_corpus

    return load_corpus(ROOT / "data" / "demo")
