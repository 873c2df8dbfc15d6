"""The public API: every exported name imports and is the object its home module documents.

``discourse.__all__`` is served lazily from a table (``_EXPORTS``: name -> module); a
second list for type checkers sits under ``if TYPE_CHECKING``. Both must name the same
objects, and each subpackage's ``__all__`` must name only what it has.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import pkgutil
import tomllib
from pathlib import Path

import pytest

import discourse

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = sorted(set(discourse.__all__) - {"__version__"})
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(discourse.__path__, "discourse.")
    if not m.name.rsplit(".", 1)[-1].startswith("_")
)


def _type_checking_imports() -> dict[str, str]:
    """name -> module of the imports under ``if TYPE_CHECKING:`` in discourse/__init__.py."""
    tree = ast.parse(Path(discourse.__file__).read_text())
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                for alias in stmt.names:
                    found[alias.asname or alias.name] = stmt.module
    return found


def test_version_matches_the_installed_metadata_and_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert discourse.__version__ == pyproject["project"]["version"]
    assert discourse.__version__ == importlib.metadata.version("discourse")


def test_all_is_sorted_unique_and_matches_the_export_table():
    assert PUBLIC == sorted(discourse._EXPORTS)
    assert len(discourse.__all__) == len(set(discourse.__all__))
    assert set(dir(discourse)) >= set(discourse.__all__)


def test_type_checking_imports_name_the_same_objects():
    assert _type_checking_imports() == discourse._EXPORTS


@pytest.mark.parametrize("name", PUBLIC)
def test_public_name_is_the_object_of_its_home_module(name):
    home = importlib.import_module(discourse._EXPORTS[name])
    obj = getattr(discourse, name)
    assert obj is getattr(home, name)
    assert name in home.__all__, f"{home.__name__}.__all__ lacks {name}"
    if inspect.isfunction(obj) or inspect.isclass(obj):
        # defined inside the package, under the module that exports it
        assert obj.__module__ == home.__name__ or obj.__module__.startswith(home.__name__ + "."), (
            obj.__module__
        )
        # the object of that name (one alias: the American spelling of normalise_text)
        assert obj.__name__ == name or (name, obj) == ("normalize_text", discourse.normalise_text)
        assert (inspect.getdoc(obj) or "").strip(), f"{name} has no docstring"


# public functions whose docstring has no numpydoc Parameters section yet (their owners
# add it; this set then shrinks, and the test says so)
_NO_PARAMETERS_SECTION = {
    "align_topics",
    "split_paragraphs",
    "split_sentences",
}


def test_public_functions_document_their_parameters():
    undocumented = {
        name
        for name in PUBLIC
        if inspect.isfunction(obj := getattr(discourse, name))
        and inspect.signature(obj).parameters
        and "Parameters\n----------" not in (inspect.getdoc(obj) or "")
    }
    assert undocumented == _NO_PARAMETERS_SECTION


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="module 'discourse' has no attribute 'no_such_name'"):
        discourse.no_such_name  # noqa: B018
    assert not hasattr(discourse, "_private_thing")


def test_star_import_gives_exactly_all():
    namespace: dict = {}
    exec("from discourse import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(discourse.__all__)


@pytest.mark.parametrize("module", MODULES)
def test_module_all_names_only_what_it_has(module):
    mod = importlib.import_module(module)
    names = getattr(mod, "__all__", None)
    assert names is not None, f"{module} has no __all__"
    assert len(names) == len(set(names)), f"{module}.__all__ repeats a name"
    missing = [n for n in names if not hasattr(mod, n)]
    assert missing == [], f"{module}.__all__ names what it does not have: {missing}"
    namespace: dict = {}
    exec(f"from {module} import *", namespace)
    assert set(namespace) - {"__builtins__"} == set(names)


def _reexports():
    """(package, name, home module) for functions and classes a package re-exports."""
    out = []
    for module in MODULES:
        mod = importlib.import_module(module)
        for name in getattr(mod, "__all__", ()):
            obj = getattr(mod, name, None)
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ != module:
                if obj.__module__.startswith("discourse."):
                    out.append((module, name, obj.__module__))
    return out


# names a package re-exports that their home module does not list yet (owner: topics)
_NOT_LISTED_AT_HOME: set[tuple[str, str]] = set()


@pytest.mark.parametrize(
    ("package", "name", "home"),
    [
        pytest.param(
            *case,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"{case[2]}.__all__ does not list {case[1]} (owner of that file to add it)",
            ),
        )
        if case[:2] in _NOT_LISTED_AT_HOME
        else case
        for case in _reexports()
    ],
)
def test_reexported_names_are_public_in_their_home_module(package, name, home):
    home_all = getattr(importlib.import_module(home), "__all__", None)
    if home_all is None:  # private helper modules (_patterns...) have no __all__
        assert home.rsplit(".", 1)[-1].startswith("_"), f"{home} has no __all__"
        return
    assert name in home_all, f"{package} exports {name}, which {home}.__all__ does not list"


def test_subpackages_export_their_top_level_names():
    for name, module in discourse._EXPORTS.items():
        if (
            module.count(".") == 1
            and Path(importlib.import_module(module).__file__).name == "__init__.py"
        ):
            assert name in importlib.import_module(module).__all__, (module, name)
