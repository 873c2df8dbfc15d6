"""A zip that expands to 1 GiB is refused quickly and in little memory (issue 13).

Builds a 4.7 MB zip whose one member expands to 1 GiB of zeros (written in 1 MiB
chunks, never held in memory), then times ``load_corpus`` on it:

* with the default limits (``max_bytes`` = 64 MiB per document): the member is refused
  as too large while it is being read;
* with a per-document limit above its size and a 100 MiB limit on the whole source:
  the load stops at the source limit.

Baseline in the same run: ``zipfile`` reading the member whole (what a loader without
limits does), timed on its first 64 MiB only so that the benchmark stays short, and
scaled to 1 GiB. Exits 1 if a refusal takes 1 s or more or peaks at 200 MB or more.
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from discourse import load_corpus
from discourse.errors import CorpusError

TEXT = "The digital divide persists.\n\nLeaders called for action.\n"


def build(path: Path) -> None:
    zero = bytes(2**20)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("good.txt", TEXT)
        info = zipfile.ZipInfo("bomb.txt")
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = 1
        with zf.open(info, "w", force_zip64=True) as fh:
            for _ in range(1024):
                fh.write(zero)


def measure(fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        out = fn()
    except CorpusError as err:
        out = err
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bomb.zip"
        t0 = time.perf_counter()
        build(bomb)
        print(f"built {bomb.stat().st_size / 1e6:.1f} MB zip expanding to 1 GiB in {time.perf_counter() - t0:.1f} s")
        rows = []
        out, s, mb = measure(lambda: load_corpus(bomb, errors="skip"))
        reason = out.attrs["skipped"][0]["reason"] if not isinstance(out, Exception) and out.attrs.get("skipped") else str(out)
        rows.append(("default limits (errors='skip')", s, mb, reason[:70]))
        out, s, mb = measure(lambda: load_corpus(bomb, errors="skip", max_bytes=2**31, max_source_bytes=100 * 2**20))
        rows.append(("max_bytes=2 GiB, max_source_bytes=100 MiB", s, mb, str(out)[:70]))

        def baseline():
            with zipfile.ZipFile(bomb) as zf, zf.open("bomb.txt") as fh:
                return len(fh.read(64 * 2**20))

        _, s64, mb64 = measure(baseline)
        print(f"\n{'case':44} {'seconds':>8} {'peak MB':>8}  what the user sees")
        for name, sec, peak, what in rows:
            print(f"{name:44} {sec:8.3f} {peak:8.1f}  {what}")
        print(f"{'baseline: zipfile read, first 64 MiB':44} {s64:8.3f} {mb64:8.1f}  "
              f"(whole member: ~{s64 * 16:.1f} s, ~{mb64 * 16:.0f} MB)")
        worst_s = max(r[1] for r in rows)
        worst_mb = max(r[2] for r in rows)
        ok = worst_s < 1.0 and worst_mb < 200
        print(f"\ntarget (refused in < 1 s, peak < 200 MB): {'met' if ok else 'NOT met'} "
              f"(worst {worst_s:.2f} s, {worst_mb:.0f} MB); "
              f"{s64 * 16 / max(worst_s, 1e-9):.0f}x faster than reading the member whole")
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
