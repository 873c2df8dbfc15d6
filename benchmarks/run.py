"""Run every benchmark in this folder (``bench_*.py``), each in its own process.

Each benchmark measures our code and a baseline in the same run and prints its own
table of figures and ratios; running them in separate processes keeps peak-memory
figures honest. ``make bench`` calls this script. Pass names to run a subset::

    python benchmarks/run.py themes topics validation

The benchmarks: ``bench_load`` (loading the corpus), ``bench_themes`` (theme counts),
``bench_topics`` and ``bench_topics_full`` (topic models), ``bench_validation`` (the
built-in dictionary's precision, recall and F1 on the labelled UN sentences, against
its targets; it prints "met"/"not met" and does not fail on them), ``bench_hostile``
(the regex ``re:(a+)+b`` on 10,000 to 1,000,000 characters: linear time on RE2, against
Python's exponential ``re``), ``bench_zipbomb`` (a zip that expands to 1 GiB refused
in under a second and 200 MB; exits 1 otherwise), ``bench_zh`` (theme counts on 4 MB of
generated Chinese, against segmentation alone and jieba), ``bench_store`` (the corpus store:
converting the UN zip, then loading from the zip against loading from the store),
``bench_scale`` (``theme_frequencies`` on a generated 2 GB corpus under
``/tmp/discourse-scale``, a zip of text files that ``convert_corpus`` turns into a store,
its time and memory printed: Dask with 1 and 2 worker processes against the in-memory path;
speed-up, client memory, MB/s per worker; see ``docs/scale.md``).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if any(name in s.stem for name in argv)]
    if not scripts:
        print("no benchmark matched", file=sys.stderr)
        return 2
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        t0 = time.perf_counter()
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.stem}: exit {rc}, {time.perf_counter() - t0:.1f} s wall", flush=True)
        if rc != 0:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
