"""Scale benchmark: theme_frequencies(by="year") on a 2 GB Parquet store, Dask vs in memory.

The corpus is GENERATED (never committed): the UN General Debate speeches resampled
with perturbations (each copy keeps a random ~90% of its speech's lines, in order, and
gets a new ``doc_id``) until the text reaches ``DISCOURSE_SCALE_GB`` (default 2) GB of
UTF-8, written as a partitioned Parquet store (about 64 MB of text per file) under
``DISCOURSE_SCALE_DIR`` (default ``/tmp/discourse-scale``) by :func:`write_parquet_store`
(pyarrow; the project's ``convert_corpus`` writes the same layout). The store is reused
when it is already there with the same size.

Each run is a separate process, so that peak-memory figures are its own:

- ``dask-1`` and ``dask-2``: a ``distributed.LocalCluster`` of 1 and 2 worker processes
  (one thread each, loopback), ``theme_frequencies(dd.read_parquet(store), by="year")``;
  the client process's peak resident memory is measured (target: under 1 GB while the
  corpus is 2 GB: only per-group sums travel to the client);
- ``memory``: the in-memory path, ``pd.read_parquet`` of the same store then
  ``theme_frequencies`` (the whole text in one process).

Printed: wall and CPU seconds, MB/s per worker (text megabytes per wall second per
worker), the speed-up of 2 workers over 1 (target 1.7x or more), peak memory of the
client, and whether the Dask tables equal the in-memory one (counts identical, estimates
equal). The machine may be shared: the load average is printed beside the figures, and
a speed-up measured on a busy machine understates the real one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, require_ungdc  # noqa: E402


def _peak_mb() -> float:
    """Peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited
    from the parent across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return peak_rss_mb()

STORE = Path(os.environ.get("DISCOURSE_SCALE_DIR", "/tmp/discourse-scale"))
SIZE_GB = float(os.environ.get("DISCOURSE_SCALE_GB", "2"))
FILE_MB = 64


def _ungdc_speeches(zip_path: Path):
    """(name, year, text) of every speech of the archive."""
    with zipfile.ZipFile(zip_path) as z:
        for info in z.infolist():
            name = info.filename
            if not name.endswith(".txt") or "/TXT/" not in name:
                continue
            stem = Path(name).stem  # ISO_NN_YYYY
            try:
                year = int(stem.rsplit("_", 1)[1])
            except (IndexError, ValueError):
                continue
            text = z.read(info).decode("utf-8-sig", errors="replace")
            yield stem, year, text


def write_parquet_store(path: Path, size_gb: float, zip_path: Path, *, seed: int = 0) -> dict:
    """Write the generated corpus as Parquet files ``part-00000.parquet``... and a manifest.

    Columns ``doc_id``, ``text``, ``event``, ``year``, one file per ~64 MB of text.
    Returns the manifest (files, documents, bytes of text).
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("part-*.parquet"):
        old.unlink()
    speeches = list(_ungdc_speeches(zip_path))
    rng = np.random.default_rng(seed)
    target = int(size_gb * 1e9)
    total = n_docs = n_files = 0
    batch: dict[str, list] = {"doc_id": [], "text": [], "event": [], "year": []}
    batch_bytes = 0

    def flush():
        nonlocal n_files, batch, batch_bytes
        if not batch["doc_id"]:
            return
        table = pa.table({"doc_id": pa.array(batch["doc_id"], pa.string()),
                          "text": pa.array(batch["text"], pa.large_string()),
                          "event": pa.array(batch["event"], pa.string()),
                          "year": pa.array(batch["year"], pa.int64())})
        pq.write_table(table, path / f"part-{n_files:05d}.parquet", compression="zstd")
        n_files += 1
        batch = {k: [] for k in batch}
        batch_bytes = 0

    copy = 0
    while total < target:
        for stem, year, text in speeches:
            lines = text.split("\n")
            keep = rng.random(len(lines)) < 0.9
            body = "\n".join(line for line, k in zip(lines, keep, strict=True) if k)
            size = len(body.encode("utf-8"))
            batch["doc_id"].append(f"{stem}-r{copy}")
            batch["text"].append(body)
            batch["event"].append(f"UNGA {year - 1945}")
            batch["year"].append(year)
            batch_bytes += size
            total += size
            n_docs += 1
            if batch_bytes >= FILE_MB * 1e6:
                flush()
            if total >= target:
                break
        copy += 1
    flush()
    manifest = {"size_gb": size_gb, "files": n_files, "documents": n_docs, "text_bytes": total}
    (path / "_scale-manifest.json").write_text(json.dumps(manifest))
    return manifest


def _store(zip_path: Path) -> dict:
    mf = STORE / "_scale-manifest.json"
    if mf.is_file():
        manifest = json.loads(mf.read_text())
        if manifest.get("size_gb") == SIZE_GB and len(list(STORE.glob("part-*.parquet"))) == manifest["files"]:
            return manifest
    t0 = time.perf_counter()
    # in its own process: the speeches it holds would otherwise weigh on the runs' memory
    proc = subprocess.run([sys.executable, __file__, "--generate", str(zip_path)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise SystemExit(f"generating the store failed:\n{proc.stderr[-3000:]}")
    manifest = json.loads(mf.read_text())
    print(f"generated {manifest['text_bytes'] / 1e9:.2f} GB of text, {manifest['documents']:,} documents, "
          f"{manifest['files']} files in {STORE} ({time.perf_counter() - t0:.0f} s)", flush=True)
    return manifest


# --- one run, in its own process ------------------------------------------------------


def _run(kind: str) -> dict:
    import pandas as pd

    from discourse.themes import theme_frequencies

    t0 = time.perf_counter()
    if kind == "memory":
        corpus = pd.read_parquet(STORE, columns=["doc_id", "text", "year"])
        t_read = time.perf_counter() - t0
        t1, c1 = time.perf_counter(), time.process_time()
        table = theme_frequencies(corpus, by="year")
        wall, cpu = time.perf_counter() - t1, time.process_time() - c1
        workers = 1
        worker_cpu = cpu
        per_worker = [cpu]
    else:
        import dask
        import dask.dataframe as dd
        from distributed import LocalCluster

        from discourse._dask import WORKER_CONFIG

        workers = int(kind.split("-")[1])
        with dask.config.set(WORKER_CONFIG), LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, memory_limit="3GB") as cluster, cluster.get_client() as client:
            corpus = dd.read_parquet(str(STORE), columns=["doc_id", "text", "year"])
            t_read = time.perf_counter() - t0
            before = client.run(time.process_time)
            t1, c1 = time.perf_counter(), time.process_time()
            table = theme_frequencies(corpus, by="year")
            wall, cpu = time.perf_counter() - t1, time.process_time() - c1
            after = client.run(time.process_time)
            per_worker = [after[w] - before[w] for w in sorted(after)]
            worker_cpu = sum(per_worker)
    out = STORE.parent / f"discourse-scale-{kind}.parquet"
    table.to_parquet(out)
    return {"kind": kind, "workers": workers, "wall": wall, "client_cpu": cpu, "worker_cpu": worker_cpu,
            "per_worker_cpu": per_worker, "setup": t_read, "peak_mb": _peak_mb(), "table": str(out)}


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--generate":
        write_parquet_store(STORE, SIZE_GB, Path(sys.argv[2]))
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "--run":
        print(json.dumps(_run(sys.argv[2])))
        return 0
    zip_path = require_ungdc()
    manifest = _store(zip_path)
    mb = manifest["text_bytes"] / 1e6
    print(f"store: {STORE} ({mb / 1000:.2f} GB of text, {manifest['documents']:,} documents, "
          f"{manifest['files']} files); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
          flush=True)
    results = {}
    for kind in ("dask-1", "dask-2", "memory"):
        proc = subprocess.run([sys.executable, __file__, "--run", kind], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"{kind} failed:\n{proc.stderr[-3000:]}")
            return 1
        results[kind] = json.loads(proc.stdout.strip().splitlines()[-1])
        r = results[kind]
        print(f"{kind:7s} wall {r['wall']:7.1f} s  {mb / r['wall'] / r['workers']:6.1f} MB/s per worker  "
              f"worker CPU {r['worker_cpu']:7.1f} s ({mb / max(r['worker_cpu'], 1e-9):5.1f} MB per CPU s)  "
              f"client peak {r['peak_mb']:6.0f} MB  load {os.getloadavg()[0]:.1f}", flush=True)
    import pandas as pd

    ref = pd.read_parquet(results["memory"]["table"])
    ok = True
    for kind in ("dask-1", "dask-2"):
        got = pd.read_parquet(results[kind]["table"])
        ints = ["n_docs", "docs_with_theme", "count", "n_tokens"]
        same_counts = got[ints].equals(ref[ints])
        same_est = got[["share_docs", "per_1k"]].equals(ref[["share_docs", "per_1k"]])
        print(f"{kind}: counts identical to the in-memory path: {same_counts}; estimates equal: {same_est}")
        ok &= same_counts and same_est
    speedup = results["dask-1"]["wall"] / results["dask-2"]["wall"]
    split = results["dask-2"]["per_worker_cpu"]
    # on an idle machine the wall time of 2 workers is the busier worker's CPU time
    balanced = results["dask-1"]["worker_cpu"] / max(split)
    print(f"2 workers' CPU seconds: {', '.join(f'{c:.1f}' for c in split)}; speed-up from CPU time "
          f"(1 worker's CPU / the busier of 2 workers' CPU, what an idle machine gives): {balanced:.2f}x")
    client_peak = max(results["dask-1"]["peak_mb"], results["dask-2"]["peak_mb"])
    print(f"speed-up 2 workers / 1 worker: {speedup:.2f}x (target >= 1.7x: "
          f"{'met' if speedup >= 1.7 else 'not met'}; the machine's load average was "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"client peak memory {client_peak:.0f} MB with {mb / 1000:.2f} GB of text (target < 1 GB: "
          f"{'met' if client_peak < 1024 else 'not met'}); in-memory path peak "
          f"{results['memory']['peak_mb']:.0f} MB")
    per_core = mb / results["dask-1"]["worker_cpu"]
    print(f"per-core throughput {per_core:.1f} MB per CPU second: 1 TB on N workers ~ "
          f"{1e6 / per_core / 3600:.1f} / N hours (see docs/scale.md)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
