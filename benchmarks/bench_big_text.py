"""Benchmark: one very large document (default 30 MB of UTF-8) scored with score_texts.

Usage::

    python benchmarks/bench_big_text.py            # 30 MB, one document
    python benchmarks/bench_big_text.py --mb 3     # for development

The text is built by reshuffling the paragraphs of the demo documents (data/raw/demo/texts)
and sentences made of the default lexicon's terms, until it reaches the target size: no real
corpus. Timed in the same run, after dictionaries are loaded:

- ``jieba_lcut``: the baseline, a private ``jieba.Tokenizer`` cutting the same text (no
  domain dictionary, no scoring);
- ``score_texts``: ``analysis.score_texts`` on a one-row frame holding the text (domain
  dictionary, segmentation, negation, counting).

Prints the seconds of each and their ratio; writes benchmarks/results/bench_big_text.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo" / "texts"
RESULTS = ROOT / "benchmarks" / "results"


def build_text(target_mb: float, seed: int = 0) -> str:
    """Demo paragraphs and lexicon-term sentences, shuffled, until ``target_mb`` MB of UTF-8."""
    import analysis as an

    docs = an.read_texts(DEMO)
    paragraphs = [p for t in docs["text"] for p in t.split("\n") if len(p) > 10]
    terms = sorted(an.default_lexicon().words())
    rng = random.Random(seed)
    parts: list[str] = []
    size = 0
    while size < target_mb * 1e6:
        if rng.random() < 0.8:
            part = rng.choice(paragraphs)
        else:
            part = "社区" + "，".join(rng.sample(terms, 6)) + "。"
        parts.append(part)
        size += len(part.encode("utf-8")) + 1
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=30.0)
    args = parser.parse_args()

    import jieba
    import pandas as pd

    import analysis as an
    from analysis.text.segment import Segmenter

    text = build_text(args.mb)
    mb = len(text.encode("utf-8")) / 1e6
    lexicon = an.default_lexicon()
    segmenter = Segmenter.for_lexicon(lexicon)
    segmenter.cut("社区服务")  # load the dictionaries before timing
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()

    start = time.perf_counter()
    n_tokens = len(tokenizer.lcut(text))
    baseline = time.perf_counter() - start

    frame = pd.DataFrame({"doc_id": ["big"], "text": [text]})
    start = time.perf_counter()
    scores = an.score_texts(frame, lexicon, segmenter=segmenter)
    ours = time.perf_counter() - start

    result = {
        "mb": round(mb, 2),
        "characters": len(text),
        "jieba_tokens": n_tokens,
        "jieba_lcut_s": round(baseline, 2),
        "score_texts_s": round(ours, 2),
        "ratio": round(ours / baseline, 2),
        "n_hits": int(scores["n_hits"].sum()),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "python": platform.python_version(),
    }
    print(f"{mb:.1f} MB, one document, {len(text):,} characters")
    print(f"  private jieba.Tokenizer lcut (baseline): {baseline:7.2f} s")
    print(f"  analysis.score_texts:                    {ours:7.2f} s  ({ours / baseline:.2f}x)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_big_text.json").write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
