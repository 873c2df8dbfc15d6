"""A hostile dictionary regex: ``re:(a+)+b`` on long lines of ``a`` (issue 13).

Python's ``re`` backtracks on nested quantifiers: each extra character doubles its time
(30 characters took 40 s). Users' ``re:`` patterns run on RE2, in time linear in the text.

Printed: the time of ``theme_counts`` with the one-theme dictionary ``re:(a+)+b`` on one
line of 10,000, 20,000, 50,000, 100,000 and 1,000,000 ``a`` (best of 5), the ratio of
the 100,000 to the 10,000 time (10 is linear, 100 quadratic; less where the fixed cost of
a call dominates) and of the 1,000,000 to the 100,000 time, and as the baseline Python's ``re`` on
16 to 22 characters (its time doubling per character). Exit 1 when the 10,000-character
line takes a second or more, or the ratio is over 30.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_time, timer  # noqa: E402

SIZES = (10_000, 20_000, 50_000, 100_000, 1_000_000)


def main() -> int:
    import pandas as pd

    from discourse import theme_counts
    from discourse.themes import load_dictionary

    d = load_dictionary({"themes": {"bomb": {"patterns": ["re:(a+)+b"]}}})
    print("theme_counts with re:(a+)+b (RE2) on one line of 'a' characters, best of 5")
    print(f"{'characters':>12} {'seconds':>10} {'us/1k chars':>12}")
    times = {}
    for n in SIZES:
        corpus = pd.DataFrame({"doc_id": ["line"], "text": ["a" * n + "!"]})
        assert int(theme_counts(corpus, d)["count"].iloc[0]) == 0
        times[n] = best_time(lambda corpus=corpus: theme_counts(corpus, d), repeat=5)
        print(f"{n:>12,} {times[n]:>10.4f} {times[n] / n * 1e9:>12.1f}")
    ratio = times[100_000] / times[10_000]
    print(f"ratio 100,000 / 10,000 characters: {ratio:.1f} (linear: 10, quadratic: 100)")
    print(f"ratio 1,000,000 / 100,000 characters: {times[1_000_000] / times[100_000]:.1f}")

    print("\nbaseline: Python's re, the same regex, case-insensitive")
    rx = re.compile("(a+)+b", re.IGNORECASE)
    for n in (16, 18, 20, 22):
        with timer() as t:
            rx.search("a" * n + "!")
        print(f"{n:>12,} {t():>10.4f}")
    print("(each extra character doubles the time: 30 characters take minutes)")

    ok = times[10_000] < 1.0 and ratio <= 30
    print("\n" + ("met" if ok else "NOT MET") + ": 10,000 characters in under a second, time linear in the text")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
