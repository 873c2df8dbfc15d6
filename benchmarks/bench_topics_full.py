"""The topics issue's "done means" at full size: all UN General Debate speeches 1990-2024.

``tests/test_topics_ungdc.py`` checks the same claims on a seeded sample of 50 speeches
a year, within the test budget; this script checks them on all 6,500 speeches and times
each step:

1. a 40-topic NMF model of paragraphs has a topic with ``climate_change`` among its top
   terms whose mean prevalence is higher in 2020-2024 than in 1990-1999;
2. a guided NMF model of paragraphs (the default dictionary's themes plus free topics)
   has an ``ai_safety`` topic whose prevalence in 2023 and 2024 is above its prevalence
   in every year before 2017;
3. ``select_n_topics`` over k = 5, 10, ..., 40 on whole speeches (the recommended set-up)
   returns its table and a recommendation with the reason.

Each check prints PASS or FAIL with its figures; the exit code is 1 if one fails.
Environment: ``BENCH_GUIDED_K`` (30).
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import peak_rss_mb, require_ungdc  # noqa: E402

GUIDED_K = int(os.environ.get("BENCH_GUIDED_K", "30"))


def main() -> int:
    path = require_ungdc()
    import discourse
    from discourse.topics import TopicModel, select_n_topics

    pd.set_option("display.width", 160)
    t0 = time.perf_counter()
    corpus = discourse.load_corpus(path)
    corpus = corpus[(corpus["year"] >= 1990) & (corpus["year"] <= 2024)].reset_index(drop=True)
    print(f"corpus: {len(corpus)} speeches 1990-2024, loaded in {time.perf_counter() - t0:.1f} s")
    failed = []

    # 1. climate topic in a 40-topic paragraph model --------------------------------------
    t = time.perf_counter()
    model = TopicModel(40, unit="paragraph", random_state=0).fit(corpus)
    fit_s = time.perf_counter() - t
    top = model.top_terms(10)
    hits = top[top["term"] == "climate_change"].sort_values(["rank", "topic"], kind="stable")
    print(f"\n1. NMF, 40 topics on paragraphs: fitted in {fit_s:.1f} s")
    if hits.empty:
        print("   FAIL: no topic has climate_change among its top 10 terms")
        failed.append("climate")
    else:
        k = int(hits["topic"].iloc[0])
        prev = model.topic_prevalence(corpus, by="year", n_boot=0)
        by_year = prev[prev["topic"] == k].set_index("year")["prevalence"]
        early, late = by_year.loc[1990:1999].mean(), by_year.loc[2020:2024].mean()
        ok = late > early
        terms = " ".join(top[top["topic"] == k]["term"])
        print(f"   topic {k} ({model.labels_[k]}): {terms}")
        print(f"   mean prevalence 1990-1999 {early:.4f}, 2020-2024 {late:.4f}: {'PASS' if ok else 'FAIL'}")
        if not ok:
            failed.append("climate")

    # 2. guided ai_safety topic -------------------------------------------------------------
    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        guided = TopicModel(GUIDED_K, unit="paragraph", guided=True, random_state=0).fit(corpus)
    fit_s = time.perf_counter() - t
    print(f"\n2. guided NMF, {GUIDED_K} topics on paragraphs ({len(guided.guided_topics_)} guided): fitted in {fit_s:.1f} s")
    for w in caught:
        print(f"   warning: {w.message}")
    if "ai_safety" not in guided.guided_topics_:
        print("   FAIL: no ai_safety topic")
        failed.append("ai_safety")
    else:
        k = guided.guided_topics_["ai_safety"]
        terms = " ".join(guided.top_terms(10).query("topic == @k")["term"])
        prev = guided.topic_prevalence(corpus, by="year", n_boot=0)
        by_year = prev[prev["topic"] == k].set_index("year")["prevalence"]
        before = by_year.loc[:2016].max()
        recent = min(by_year[2023], by_year[2024])
        ok = recent > before
        print(f"   topic {k} (ai_safety): {terms}")
        print(f"   prevalence 2023 {by_year[2023]:.5f}, 2024 {by_year[2024]:.5f}; "
              f"highest before 2017 {before:.5f}: {'PASS' if ok else 'FAIL'}")
        if not ok:
            failed.append("ai_safety")

    # 3. select_n_topics on whole speeches ------------------------------------------------------
    t = time.perf_counter()
    sel = select_n_topics(corpus, candidates=range(5, 41, 5), seeds=(0, 1, 2))
    print(f"\n3. select_n_topics, k = 5..40, 3 seeds, whole speeches: {time.perf_counter() - t:.1f} s")
    cols = ["n_topics", "coherence_npmi", "coherence_npmi_sd", "exclusivity", "stability", "fit_seconds", "eligible", "recommended"]
    print(sel.table[cols].round(3).to_string(index=False))
    ok = len(sel.table) == 8 and sel.n_topics in set(sel.table["n_topics"]) and bool(sel.reason)
    print(f"   recommended k={sel.n_topics}: {sel.reason}")
    print(f"   {'PASS' if ok else 'FAIL'}")
    if not ok:
        failed.append("select_n_topics")

    print(f"\npeak memory {peak_rss_mb():.0f} MB, total {time.perf_counter() - t0:.0f} s")
    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    print("all three checks PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
