"""The corpus store: convert the UN General Debate zip once, then load it from the store.

Parts, each in its own process (so that its peak memory is its own), on the same
machine in the same run:

* ``convert``: ``convert_corpus(ungdc.zip, <temporary folder>)`` (a full pandas load,
  then the Parquet files and the manifest);
* ``zip``: ``load_corpus(ungdc.zip)``, what every analysis paid before the store;
* ``store``: ``load_corpus(store)``, the same table read back with pyarrow;
* ``dask-store``: ``compute_corpus(load_corpus(store, backend="dask"))`` on dask's
  threads (one partition per Parquet file).

Printed: wall seconds, CPU seconds (``time.process_time``: the machine is shared, CPU
time is the steadier figure), peak RSS, and the ratio zip / store. The store is
written to a temporary folder (never into the project) and removed at the end.

Run: ``python benchmarks/bench_store.py`` (``--dask-zip`` adds a dask load of the zip
itself, partitioned by files: slow on two busy cores, it shows the partitioned reader,
not a speed-up).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import peak_rss_mb, require_ungdc, timer  # noqa: E402


def _measure(fn) -> dict:
    cpu = time.process_time()
    with timer() as t:
        corpus = fn()
    return {
        "seconds": t(),
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": peak_rss_mb(),
        "docs": len(corpus),
    }


def part_convert(zip_path: Path, store: Path) -> dict:
    from discourse.corpus import convert_corpus, read_manifest

    out = _measure(lambda: (convert_corpus(zip_path, store), read_manifest(store))[1]["files"])
    manifest = read_manifest(store)
    out["docs"] = manifest["counts"]["n_loaded"]
    out["files"] = len(manifest["files"])
    out["store_mb"] = sum(p.stat().st_size for p in store.iterdir()) / 1e6
    return out


def part_zip(zip_path: Path, store: Path) -> dict:
    from discourse.corpus import load_corpus

    return _measure(lambda: load_corpus(zip_path))


def part_store(zip_path: Path, store: Path) -> dict:
    from discourse.corpus import load_corpus

    return _measure(lambda: load_corpus(store))


def part_dask_store(zip_path: Path, store: Path) -> dict:
    from discourse.corpus import compute_corpus, load_corpus

    return _measure(lambda: compute_corpus(load_corpus(store, backend="dask"), scheduler="threads"))


def part_dask_zip(zip_path: Path, store: Path) -> dict:
    from discourse.corpus import compute_corpus, load_corpus

    return _measure(lambda: compute_corpus(load_corpus(zip_path, backend="dask"), scheduler="threads"))


PARTS = {
    "convert": part_convert,
    "zip": part_zip,
    "store": part_store,
    "dask-store": part_dask_store,
    "dask-zip": part_dask_zip,
}


def run_part(name: str, store: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--part", name, str(store)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--part":
        print(json.dumps(PARTS[sys.argv[2]](require_ungdc(), Path(sys.argv[3]))))
        return 0
    path = require_ungdc()
    tmp = Path(tempfile.mkdtemp(prefix="discourse-bench-store-"))
    store = tmp / "ungdc"
    try:
        conv = run_part("convert", store)
        rows = [("convert zip -> store", conv), ("load_corpus(zip)", run_part("zip", store))]
        rows.append(("load_corpus(store)", run_part("store", store)))
        rows.append(("dask: store, compute (threads)", run_part("dask-store", store)))
        if "--dask-zip" in sys.argv:
            rows.append(("dask: zip by files (threads)", run_part("dask-zip", store)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"corpus: {path} ({conv['docs']:,} documents); store: {conv['files']} Parquet files, "
        f"{conv['store_mb']:.0f} MB"
    )
    print(f"{'':34} {'seconds':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, r in rows:
        print(f"{name:34} {r['seconds']:8.2f} {r['cpu_seconds']:8.2f} {r['peak_mb']:8.0f}")
    z, s = rows[1][1], rows[2][1]
    print(
        f"load from the store: x{z['seconds'] / s['seconds']:.0f} faster than from the zip "
        f"(CPU x{z['cpu_seconds'] / s['cpu_seconds']:.0f}); peak memory x{s['peak_mb'] / z['peak_mb']:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
