"""Build hook: ship the report notebooks, the demo corpus and the labelled set in the package.

``notebooks/*.py``, ``data/demo/**`` and ``data/validation/*`` at the project root stay
the single source: they are copied at build time into the package as
``discourse/_bundled/notebooks/``, ``discourse/_bundled/demo/`` and
``discourse/_bundled/validation/``, so that a wheel installed in any environment can
build the report (``discourse report``), load the demo corpus (``load_demo_corpus()``)
and score the labelled UN sentences (``discourse validate``, ``shipped_validation()``;
references and labels only, no text of the corpus).

Why a ``build_py`` step and not the alternatives:

* ``[tool.setuptools.data-files]`` installs outside the package (``<prefix>/share/...``),
  where the package cannot find them reliably (user installs, ``--target``, zipapps);
* ``package-data`` only takes files inside the package folder, and committed copies or
  symlinks there would be a second source (symlinks also break on Windows checkouts and
  in sdists);
* a copy made by the build itself, from the sources, cannot drift from them.

An editable install (``make setup``) copies nothing: the package finds the checkout's
folders first. An sdist carries the sources (``MANIFEST.in``), so a wheel built from it
bundles them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# (source folder in the project, glob of files to ship, destination inside the package)
BUNDLED = (
    ("notebooks", "*.py", "notebooks"),
    ("data/demo", "**/*", "demo"),
    ("data/validation", "*", "validation"),
)


class build_py_with_bundled_data(build_py):
    """``build_py`` that also copies the notebooks and the demo corpus into the package."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "discourse" / "_bundled"
        if target.exists():
            shutil.rmtree(target)
        for source, pattern, dest in BUNDLED:
            root = HERE / source
            files = sorted(
                p
                for p in root.glob(pattern)
                if p.is_file()
                and not any(
                    part.startswith(".") or part == "__pycache__"
                    for part in p.relative_to(root).parts
                )
            )
            if not files:
                raise SystemExit(f"setup.py: nothing to bundle in {root} ({pattern})")
            for path in files:
                out = target / dest / path.relative_to(root)
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out)
        (target / "README.txt").write_text(
            "Copies made at build time of the project's notebooks/, data/demo/ and data/validation/ "
            "(the sources); do not edit.\n"
        )


# The compiled inner loop of the theme matcher (src/discourse/themes/_scan.c: tokens and
# anchor lookups of a chunk, the same arrays as the NumPy path, a few times faster).
# Optional: where no C compiler is found the build goes on and the NumPy path runs
# (``discourse.themes.matcher.EXTENSION`` says which one is used).
SCAN_EXTENSION = Extension(
    "discourse.themes._scan",
    sources=["src/discourse/themes/_scan.c"],
    optional=True,
)

setup(cmdclass={"build_py": build_py_with_bundled_data}, ext_modules=[SCAN_EXTENSION])
