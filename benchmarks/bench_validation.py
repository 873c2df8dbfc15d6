"""Validity of the built-in dictionary on the project's labelled UN sentences.

Loads the UN General Debate corpus, then :func:`discourse.validation.score_validation_set`
scores the built-in dictionary on the shipped labelled set
(``data/validation/ungdc-sentences.csv``), split by split (development, held_out).

Printed: one row per theme x split with the labelled rows, the positives, and precision,
recall and F1 with 95% intervals, weighted (estimates of corpus-level values: percentile
bootstrap within strata) and unweighted (the labelled rows themselves: Wilson intervals
for precision and recall); the time taken; and the targets: on held_out, for each
mission theme, weighted precision >= 0.85 and weighted F1 >= 0.85 ("met"/"not met";
the benchmark does not fail on them).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import peak_rss_mb, require_ungdc, timer  # noqa: E402

TARGET_PRECISION = 0.85
TARGET_F1 = 0.85


def _ci(row, name: str) -> str:
    est, lo, hi = row[name], row[f"{name}_low"], row[f"{name}_high"]
    if est != est:  # NaN
        return f"{'n/a':>21}"
    if lo != lo or hi != hi:
        return f"{est:6.3f} {'':14}"
    return f"{est:6.3f} [{lo:5.3f}, {hi:5.3f}]"


def main() -> int:
    zip_path = require_ungdc()
    from discourse import load_corpus
    from discourse.validation import MISSION_THEMES, score_validation_set, shipped_validation

    t0 = time.perf_counter()
    corpus = load_corpus(zip_path)
    print(f"corpus: {len(corpus):,} documents loaded in {time.perf_counter() - t0:.1f} s (not timed below)")
    labelled = shipped_validation()
    print(f"labelled set: {len(labelled):,} sentences "
          f"({', '.join(f'{k} {v}' for k, v in labelled['split'].value_counts().sort_index().items())})")

    with timer() as elapsed:
        scores = score_validation_set(corpus, labelled, n_boot=2000, seed=0, splits=("development", "held_out"))
    print(f"score_validation_set (2,000 bootstrap replicates): {elapsed():.2f} s; "
          f"dictionary fingerprint {scores['fingerprint'].iloc[0][:12]}")
    print()
    head = (f"{'theme':20}{'split':13}{'n':>5}{'pos':>5}  {'':10}"
            f"{'precision [low, high]':>22}{'recall [low, high]':>22}{'F1 [low, high]':>22}")
    print(head)
    print("-" * len(head))
    for row in scores.sort_values(["theme", "split"]).to_dict("records"):
        lead = f"{row['theme']:20}{row['split']:13}{row['n']:5d}{row['positives']:5d}  "
        print(lead + f"{'weighted':10}" + "".join(f" {_ci(row, m)}" for m in ("precision", "recall", "f1")))
        unweighted = {
            "precision": row["precision_unweighted"], "precision_low": row["precision_unweighted_low"],
            "precision_high": row["precision_unweighted_high"],
            "recall": row["recall_unweighted"], "recall_low": row["recall_unweighted_low"],
            "recall_high": row["recall_unweighted_high"],
            "f1": row["f1_unweighted"], "f1_low": float("nan"), "f1_high": float("nan"),
        }
        print(f"{'':45}{'unweighted':10}" + "".join(f" {_ci(unweighted, m)}" for m in ("precision", "recall", "f1")))
    print("(weighted: estimates for the corpus, bootstrap intervals; unweighted: the labelled rows, "
          "Wilson intervals; no interval for unweighted F1)")
    print()
    held = scores[scores["split"] == "held_out"].set_index("theme")
    parts, all_met = [], True
    for t in MISSION_THEMES:
        if t not in held.index:
            parts.append(f"{t}: not scored")
            all_met = False
            continue
        p, f1 = held.loc[t, "precision"], held.loc[t, "f1"]
        ok_p, ok_f = p >= TARGET_PRECISION, f1 >= TARGET_F1
        all_met = all_met and ok_p and ok_f
        parts.append(f"{t}: precision {p:.3f} {'met' if ok_p else 'not met'}, F1 {f1:.3f} {'met' if ok_f else 'not met'}")
    print(f"targets (held_out, weighted, precision >= {TARGET_PRECISION} and F1 >= {TARGET_F1}): " + "; ".join(parts))
    print(f"all targets: {'met' if all_met else 'not met'}")
    print(f"peak memory: {peak_rss_mb():.0f} MB (corpus included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
