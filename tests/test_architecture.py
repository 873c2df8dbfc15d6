"""The walls of docs/architecture.md, checked on the source.

Analysis (corpus, text, themes, topics, tracking, stats, datasets) knows no screen and
no report layout: it never imports plots, report or cli. Plots draw tables and compute
nothing of their own, so they import no analysis module either.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "discourse"
ANALYSIS = ["corpus", "text.py", "themes", "topics", "tracking.py", "stats.py", "datasets.py", "errors.py"]
FRONT = {"discourse.plots", "discourse.report", "discourse.cli"}


def _modules(entry: str) -> list[Path]:
    path = SRC / entry
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", [p for e in ANALYSIS for p in _modules(e)], ids=lambda p: str(p.relative_to(SRC)))
def test_analysis_never_imports_plots_report_or_cli(path):
    bad = sorted(n for n in _imports(path) if any(n == f or n.startswith(f + ".") for f in FRONT))
    assert not bad, f"{path.relative_to(SRC)} imports {bad}: analysis must not depend on the front end"


def test_plots_import_no_analysis_module():
    imported = _imports(SRC / "plots.py")
    analysis = {"discourse.corpus", "discourse.themes", "discourse.topics", "discourse.tracking", "discourse.stats"}
    bad = sorted(n for n in imported if any(n == a or n.startswith(a + ".") for a in analysis))
    assert not bad, f"plots.py imports {bad}: plots draw tables the package returns, they compute nothing"

