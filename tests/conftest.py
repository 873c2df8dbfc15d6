"""Shared fixtures: paths, the bundled demo corpus and the real UN General Debate corpus.

The real corpus lives outside the project at ``../shared/corpora/ungdc.zip`` (relative
to the project root; ``DISCOURSE_UNGDC`` names another path). Tests that need it use
the ``ungdc_zip`` or ``ungdc_corpus`` fixtures (the only way a test finds it; they are
marked ``ungdc``) and are skipped, saying why, when it is absent (a user's fresh clone).
With ``CI=true`` a missing corpus fails those tests, saying why: a CI run always has it,
so a skip would hide a broken set-up. It is never copied into the project.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
UNGDC_ZIP = Path(
    os.environ.get("DISCOURSE_UNGDC", ROOT.parent / "shared" / "corpora" / "ungdc.zip")
)
# tests/fixtures holds notebooks and sources read by tests, never imported as modules
# (--doctest-modules would import them)
collect_ignore_glob = ["fixtures/*"]

SKIP_UNGDC = (
    f"real corpus not found at {UNGDC_ZIP}: these integration tests need the UN General "
    "Debate corpus beside the project (../shared/corpora/ungdc.zip) or DISCOURSE_UNGDC set"
)


def _on_ci() -> bool:
    """True when the CI environment variable says so (``true``, ``1`` or ``yes``)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "ungdc_zip" in getattr(item, "fixturenames", ()) or "ungdc_corpus" in getattr(
            item, "fixturenames", ()
        ):
            item.add_marker(pytest.mark.ungdc)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def ungdc_zip() -> Path:
    if not UNGDC_ZIP.is_file():
        if _on_ci():  # CI always has it: a missing corpus is a failure
            pytest.fail(SKIP_UNGDC + " (CI=true: failing instead of skipping)", pytrace=False)
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
