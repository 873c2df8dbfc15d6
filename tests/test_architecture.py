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



# --- no import cycles ----------------------------------------------------------------------


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top_level_imports(path: Path, known: set[str]) -> set[str]:
    """Modules of the package imported when ``path`` is imported (not inside functions).

    ``from discourse.x import y`` imports ``discourse.x`` and, when ``y`` is a module,
    ``discourse.x.y``; importing a module also imports its parent packages, except the
    packages the importing module belongs to (they are already being imported).
    """
    own = _module_name(path).split(".")
    ancestors = {".".join(own[:i]) for i in range(1, len(own) + 1)}
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:  # module level only: imports inside functions are lazy
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    out = set()
    for name in names:
        parts = name.split(".")
        out.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
    return {n for n in out if n in known and n not in ancestors}


def _import_graph() -> dict[str, set[str]]:
    paths = sorted(SRC.rglob("*.py"))
    known = {_module_name(p) for p in paths}
    return {_module_name(p): _top_level_imports(p, known) - {_module_name(p)} for p in paths}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycles():
    graph = _import_graph()
    assert "discourse.corpus.table" in graph["discourse.topics.model"]  # the graph sees real edges
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph))}"


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_text_is_the_base_of_analysis():
    """The tokeniser depends on no other module of the package (all analysis depends on it)."""
    imported = {n for n in _imports(SRC / "text.py") if n.startswith("discourse")}
    assert imported == set(), f"text.py imports {sorted(imported)}"


# --- one token character class -----------------------------------------------------------

#: Spellings of the token character class (and of its complement) in regular expressions.
TOKEN_CLASS_LITERALS = ("[^\\W_]", "[^_\\W]", "[\\W_]", "[_\\W]", "\\w\\w+")

#: Modules still awaiting the change that imports the class from discourse.text (their
#: owner was asked for it); an entry must go as soon as the module is fixed, see
#: test_awaiting_list_is_current.
AWAITING: set[str] = set()


def _token_class_literals(path: Path) -> list[tuple[int, str]]:
    """(line, literal) of every string constant (not a docstring) that spells the class."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [(node.lineno, lit) for lit in TOKEN_CLASS_LITERALS if lit in node.value]
    return found


def test_the_token_class_is_defined_once_in_text():
    from discourse.text import NON_TOKEN_CHAR, TOKEN_CHAR, TOKEN_PATTERN

    assert (TOKEN_CHAR, NON_TOKEN_CHAR, TOKEN_PATTERN) == (r"[^\W_]", r"[\W_]", r"[^\W_]+")
    assert [lit for _, lit in _token_class_literals(SRC / "text.py")] == ["[^\\W_]", "[\\W_]"]
    offenders = {
        str(p.relative_to(SRC)): hits
        for p in sorted(SRC.rglob("*.py"))
        if p != SRC / "text.py" and str(p.relative_to(SRC)) not in AWAITING
        and (hits := _token_class_literals(p))
    }
    assert not offenders, (
        f"{offenders}: import TOKEN_CHAR / NON_TOKEN_CHAR / TOKEN_PATTERN / TOKEN_RE from discourse.text "
        "instead of writing the token character class again"
    )


def test_awaiting_list_is_current():
    for entry in AWAITING:
        assert _token_class_literals(SRC / entry), f"{entry} no longer defines the class: remove it from AWAITING"


def test_the_literal_finder_sees_code_not_docstrings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""Tokens are [^\\\\W_]+ runs."""\nimport re\nWORD = re.compile(r"[^\\W_]+")\n')
    assert _token_class_literals(sample) == [(3, "[^\\W_]")]
