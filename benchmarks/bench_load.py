"""Corpus loading: time and peak memory of ``load_corpus`` on the UN General Debate zip.

Baseline, measured in the same run: the raw work any loader must do, i.e. read every
member of the zip and decode it (``zipfile`` + ``bytes.decode``), with no
normalisation, no metadata and no DataFrame. Each part runs in its own process so
that its peak memory is its own. Figures printed: seconds, peak RSS (MB), and the
ratio of ``load_corpus`` to the baseline; plus the time of ``normalise_text`` alone
over all texts and ``load_corpus`` on the bundled demo corpus (scraped articles,
with metadata inference).

Run: ``python benchmarks/bench_load.py`` (or ``make bench``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _common import ROOT, peak_rss_mb, require_ungdc, timer  # noqa: E402


def part_baseline(path: Path) -> dict:
    import zipfile

    with timer() as t:
        n = chars = 0
        with zipfile.ZipFile(path) as zf:
            texts = []
            for info in zf.infolist():
                if info.filename.endswith(".txt") and "/TXT/" in info.filename:
                    texts.append(zf.read(info).decode("utf-8-sig"))
            n = len(texts)
            chars = sum(map(len, texts))
    return {"seconds": t(), "peak_mb": peak_rss_mb(), "docs": n, "chars": chars}


def part_load(path: Path) -> dict:
    from discourse.corpus import load_corpus

    with timer() as t:
        corpus = load_corpus(path)
    return {
        "seconds": t(),
        "peak_mb": peak_rss_mb(),
        "docs": len(corpus),
        "chars": int(corpus["text"].str.len().sum()),
    }


def part_normalise(path: Path) -> dict:
    import zipfile

    from discourse.corpus import normalise_text

    with zipfile.ZipFile(path) as zf:
        texts = [
            zf.read(i).decode("utf-8-sig")
            for i in zf.infolist()
            if i.filename.endswith(".txt") and "/TXT/" in i.filename
        ]
    with timer() as t:
        for text in texts:
            normalise_text(text)
    with timer() as t0:
        for text in texts:
            text.replace("\r\n", "\n")  # one trivial pass over the same text, for scale
    return {
        "seconds": t(),
        "trivial_pass_seconds": t0(),
        "peak_mb": peak_rss_mb(),
        "docs": len(texts),
    }


def part_demo(_: Path) -> dict:
    from discourse.corpus import load_corpus

    demo = ROOT / "data" / "demo"
    with timer() as t:
        corpus = load_corpus(demo)
    return {
        "seconds": t(),
        "peak_mb": peak_rss_mb(),
        "docs": len(corpus),
        "with_event": int(corpus["event"].notna().sum()),
    }


PARTS = {
    "baseline": part_baseline,
    "load": part_load,
    "normalise": part_normalise,
    "demo": part_demo,
}


def run_part(name: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--part", name], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--part":
        print(json.dumps(PARTS[sys.argv[2]](require_ungdc() if sys.argv[2] != "demo" else ROOT)))
        return 0
    path = require_ungdc()
    base = run_part("baseline")
    load = run_part("load")
    norm = run_part("normalise")
    print(f"corpus: {path} ({base['docs']:,} documents, {base['chars'] / 1e6:.0f} M characters)")
    print(f"{'':34} {'seconds':>8} {'peak MB':>8}")
    print(f"{'baseline: zipfile read + decode':34} {base['seconds']:8.2f} {base['peak_mb']:8.0f}")
    print(f"{'load_corpus (full table)':34} {load['seconds']:8.2f} {load['peak_mb']:8.0f}")
    print(f"{'  of which normalise_text':34} {norm['seconds']:8.2f}")
    print(f"{'  (one str.replace pass, scale)':34} {norm['trivial_pass_seconds']:8.2f}")
    print(
        f"ratio load_corpus / baseline: time x{load['seconds'] / base['seconds']:.1f}, peak memory x{load['peak_mb'] / base['peak_mb']:.1f}"
    )
    print(
        f"throughput: {base['chars'] / 1e6 / load['seconds']:.1f} M characters/s ({load['docs']:,} documents loaded)"
    )
    if (ROOT / "data" / "demo").is_dir():
        demo = run_part("demo")
        print(
            f"demo corpus (scraped articles, inference): {demo['docs']} documents in {demo['seconds']:.2f} s, {demo['with_event']} with an event"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
