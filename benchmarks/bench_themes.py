"""Benchmark of theme_counts on the UN General Debate corpus, against a regex baseline.

Ours: :func:`discourse.themes.theme_counts` with the default dictionary over the whole
corpus (already loaded), one process. Baseline, in the same run: ONE compiled ``re``
alternation of the dictionary's literal phrases (the expansions of its phrase
patterns), word-bounded (``\\b...\\b``) and case-insensitive, run with ``finditer``
over every text.

Printed: MB/s (UTF-8 megabytes of text per second, wall clock; CPU seconds too, since
the machine may be shared), documents/s, peak memory, the speed ratio to the baseline,
and, on the literal phrases, where the two disagree and why. Targets (issue 3): 40 MB/s
or more, and 6x the baseline or more.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, require_ungdc  # noqa: E402


def _clock():
    return time.perf_counter(), time.process_time()


def main() -> int:
    zip_path = require_ungdc()
    from discourse import load_corpus
    from discourse.themes import Matcher, default_dictionary, load_dictionary, theme_counts
    from discourse.themes.matcher import _char_tables

    try:
        d = default_dictionary()
    except (FileNotFoundError, OSError) as err:
        print(f"skipped: the default dictionary (discourse/themes/data/default.yaml) is missing: {err}")
        return 0

    t0 = time.perf_counter()
    corpus = load_corpus(zip_path)
    print(f"corpus: {len(corpus):,} documents loaded in {time.perf_counter() - t0:.1f} s (not timed below)")
    texts = corpus["text"].tolist()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    n_docs = len(texts)
    print(f"text: {mb:.1f} MB (UTF-8), dictionary {d.name!r}: {len(d)} themes, "
          f"{len(d.to_frame())} patterns, fingerprint {d.fingerprint()[:12]}")

    w, c = _clock()
    _char_tables()
    Matcher(d)
    print(f"one-time setup (character tables, compiling): {time.perf_counter() - w:.2f} s")

    # --- ours --------------------------------------------------------------------------
    w, c = _clock()
    counts = theme_counts(corpus, d)
    ours_wall, ours_cpu = time.perf_counter() - w, time.process_time() - c

    # --- baseline ------------------------------------------------------------------------
    phrases: list[str] = []
    for t in d.themes:
        for p in t.compiled:
            if p.kind == "phrase":
                phrases.extend(p.terms())
    phrases = sorted(set(phrases), key=lambda s: (-len(s), s))
    baseline_rx = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)
    w, c = _clock()
    base_spans = [[m.span() for m in baseline_rx.finditer(t)] for t in texts]
    base_wall, base_cpu = time.perf_counter() - w, time.process_time() - c

    print()
    print(f"{'':28}{'wall s':>9}{'cpu s':>9}{'MB/s':>9}{'docs/s':>10}")
    print(f"{'ours: theme_counts':28}{ours_wall:9.2f}{ours_cpu:9.2f}{mb / ours_wall:9.1f}{n_docs / ours_wall:10.0f}")
    print(f"{'baseline: one re alternation':28}{base_wall:9.2f}{base_cpu:9.2f}{mb / base_wall:9.1f}{n_docs / base_wall:10.0f}")
    print(f"ratio (baseline / ours): {base_wall / ours_wall:.1f}x wall, {base_cpu / ours_cpu:.1f}x cpu  "
          f"({len(phrases)} literal phrases in the baseline alternation)")
    print(f"peak memory: {peak_rss_mb():.0f} MB")
    print(f"targets: >= 40 MB/s: {'met' if mb / ours_wall >= 40 else 'NOT met'} (cpu: "
          f"{'met' if mb / ours_cpu >= 40 else 'NOT met'}); >= 6x baseline: "
          f"{'met' if base_wall / ours_wall >= 6 else 'NOT met'}")
    print(f"matches counted by ours: {int(counts['count'].sum()):,}")

    # --- where the two disagree on literal phrases ------------------------------------------
    # ours with one theme per literal phrase (so that phrases do not hide each other)
    per_phrase = load_dictionary({"themes": {f"p{i}": {"patterns": [p]} for i, p in enumerate(phrases)}})
    m = Matcher(per_phrase)
    ours_n: Counter = Counter()
    base_n: Counter = Counter()
    reasons: dict[str, Counter] = {}
    space_re = re.compile(r"\s+")
    for dm in m.scan(texts):
        text = texts[dm.doc]
        base = base_spans[dm.doc]
        base_set = set(base)
        starts = sorted(base)
        for theme, _u, s, e in dm.matches:
            phrase = phrases[theme]
            ours_n[phrase] += 1
            if (s, e) in base_set:
                continue
            segment = text[s:e]
            if re.search(r"[^\w\s]|_", segment) or "\n" in segment:
                why = "separator: hyphen, punctuation or line break between the words (tokens still consecutive)"
            elif any(bs <= s < be or s <= bs < e for bs, be in starts):
                why = "overlap: the single alternation took another phrase at this place (leftmost, non-overlapping)"
            elif space_re.search(segment) and "  " in segment or "\t" in segment:
                why = "separator: several spaces or a tab between the words"
            else:
                why = "case folding or word boundary (\\b counts '_' as a letter)"
            reasons.setdefault(phrase, Counter())[why] += 1
        for bs, be in base:
            phrase = space_re.sub(" ", text[bs:be].lower())
            base_n[phrase] += 1
    print()
    diffs = sorted(((ours_n[p] - base_n[p], p) for p in phrases if ours_n[p] != base_n[p]),
                   key=lambda x: (-abs(x[0]), x[1]))
    agree = sum(1 for p in phrases if ours_n[p] == base_n[p])
    print(f"literal phrases: {agree} of {len(phrases)} counted identically by both; "
          f"top disagreements (ours - baseline, and why):")
    for diff, p in diffs[:15]:
        why = reasons.get(p, Counter())
        if diff < 0 and not why:
            text_why = "baseline counts it where ours counts a longer phrase? no: ours counts each phrase alone; " \
                       "baseline-only matches (e.g. Unicode case folding of the regex, or '_' boundaries)"
        else:
            text_why = "; ".join(f"{n} x {r}" for r, n in why.most_common(3))
        print(f"  {p!r:40} ours {ours_n[p]:6} baseline {base_n[p]:6} ({diff:+d}): {text_why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
