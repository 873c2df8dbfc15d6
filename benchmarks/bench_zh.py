"""Theme counting on Chinese text, against segmentation alone (issue 11).

A Chinese corpus of about 4 MB (UTF-8) is generated from sentences written for this
benchmark (simplified and traditional, some with English words), seeded, in documents of
about 3,000 characters. Printed (CPU time, ``time.process_time``, best of 3):

* segmentation alone: ``discourse.text.count_tokens`` on every document (simplification
  with OpenCC, then rjieba), and rjieba's own ``cut`` on the same text (the floor);
* ``theme_counts`` with the built-in dictionary (English and Chinese patterns), whose
  time includes the segmentation;
* jieba's ``lcut`` on a quarter of the corpus, when jieba is installed (the pure-Python
  segmenter rjieba was chosen over);
* the cost of the Chinese hook on English text: ``theme_counts`` on English documents of
  the synthetic corpus, and the time the Han check takes on them.

Exit 1 when ``theme_counts`` on Chinese runs under 0.5 MB/s.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import best_time  # noqa: E402

SENTENCES = [
    "我们必须弥合数字鸿沟，让发展中国家共享数字红利。",
    "各国应共同应对人工智能安全风险，确保人工智能安全、可靠、可控。",
    "全球数字治理赤字日益凸显，需要加快制定网络空间国际规则。",
    "中方愿同各方携手构建网络空间命运共同体。",
    "印度尼西亚和印度的代表出席了世界互联网大会乌镇峰会。",
    "数据安全和个人信息保护是数字经济健康发展的基础。",
    "联合国全球数字契约为数字合作提供了重要框架。",
    "发展中国家的互联网普及率仍然较低，数字素养与技能培训亟待加强。",
    "推进数字化转型，发展数字政府和电子政务。",
    "深度伪造等技术被滥用，给社会带来新的风险。",
    "坚持多边主义，加强国际合作，推动全球治理体系改革。",
    "绿色数据中心和智能电网有助于实现碳达峰、碳中和目标。",
    "网络攻击和网络犯罪严重威胁关键信息基础设施安全。",
    "我們要彌合數位落差，因應人工智慧的風險。",
    "推動全球數位治理，加強網路安全與個資保護。",
    "今年的会议在杭州举行，来自一百多个国家的代表参加。",
    "与会者就5G网络、云计算和AI大模型的发展进行了深入交流。",
    "The digital divide remains wide, 数字鸿沟依然存在。",
    "会议期间还举办了多场分论坛和展览活动。",
    "专家认为，人工智能伦理审查制度需要进一步完善。",
]


def make_corpus(target_bytes: int = 4_000_000, doc_chars: int = 3_000, seed: int = 0):
    import pandas as pd

    rng = random.Random(seed)
    docs, size = [], 0
    while size < target_bytes:
        parts, n = [], 0
        while n < doc_chars:
            s = rng.choice(SENTENCES)
            parts.append(s)
            n += len(s)
            if rng.random() < 0.1:
                parts.append("\n\n")
        text = "".join(parts)
        docs.append(text)
        size += len(text.encode("utf-8"))
    return pd.DataFrame({"doc_id": [f"zh{i:05d}" for i in range(len(docs))], "text": docs}), size


def best_cpu(fn, repeat: int = 3) -> float:
    """The best of ``repeat`` runs, in CPU seconds."""
    return best_time(fn, repeat, clock=time.process_time)


def main() -> int:
    from discourse import default_dictionary, theme_counts
    from discourse.datasets import make_synthetic_corpus
    from discourse.text import _segmenter, count_tokens, has_han

    corpus, size = make_corpus()
    mb = size / 1e6
    texts = corpus["text"].tolist()
    d = default_dictionary()
    seg = _segmenter()
    theme_counts(corpus.head(2), d)  # loads the segmenter and OpenCC, compiles the dictionary

    t_cut = best_cpu(lambda: [seg.cut(t, True) for t in texts])
    t_seg = best_cpu(lambda: [count_tokens(t) for t in texts])
    t_themes = best_cpu(lambda: theme_counts(corpus, d))
    print(f"Chinese corpus: {len(texts):,} documents, {mb:.2f} MB UTF-8, "
          f"{sum(map(len, texts)) / 1e6:.2f} M characters")
    print(f"{'':38}{'CPU s':>8}{'MB/s':>9}")
    print(f"{'rjieba cut alone':38}{t_cut:8.2f}{mb / t_cut:9.2f}")
    print(f"{'segmentation (count_tokens)':38}{t_seg:8.2f}{mb / t_seg:9.2f}")
    print(f"{'theme_counts (default, en + zh)':38}{t_themes:8.2f}{mb / t_themes:9.2f}")
    print(f"theme_counts / segmentation: {t_themes / t_seg:.2f}x the time")
    try:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        t0 = time.process_time()
        jieba.initialize()
        t_init = time.process_time() - t0
        quarter = texts[: max(1, len(texts) // 4)]
        qmb = sum(len(t.encode("utf-8")) for t in quarter) / 1e6
        t_jieba = best_cpu(lambda: [jieba.lcut(t) for t in quarter], repeat=1)
        print(f"{'jieba lcut (baseline, 1/4 corpus)':38}{t_jieba:8.2f}{qmb / t_jieba:9.2f}"
              f"   (+{t_init:.2f} s to load its dictionary)")
    except ImportError:
        print("jieba is not installed: no pure-Python baseline")

    english = make_synthetic_corpus(2000, seed=0)
    etexts = english["text"].tolist()
    emb = sum(len(t.encode("utf-8")) for t in etexts) / 1e6
    theme_counts(english.head(2), d)
    t_en = best_cpu(lambda: theme_counts(english, d))
    t_check = best_cpu(lambda: [has_han(t) for t in etexts])
    print(f"English synthetic corpus: {emb:.2f} MB; theme_counts {t_en:.2f} s ({emb / t_en:.2f} MB/s); "
          f"the Han check {t_check * 1000:.1f} ms ({100 * t_check / t_en:.2f} % of it)")
    if mb / t_themes < 0.5:
        print("FAIL: theme_counts on Chinese under 0.5 MB/s")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
