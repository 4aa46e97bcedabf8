"""Benchmark of labelling whole documents by passage: what reading each passage's context costs.

Usage::

    python benchmarks/bench_classify.py            # ~2 MB of documents (UTF-8 bytes)
    python benchmarks/bench_classify.py --quick    # ~0.3 MB, for development

The documents are the public corpus's (``../shared/corpora/documents.jsonl``, in file order up
to the size asked), real reports and regulations whose passages seldom repeat; without the
corpus, the demo paragraphs reshuffled as in ``bench_text.py`` (whose passages repeat a great
deal, which flatters the baseline: a repeated passage is read once, its context every time).
Two steps, run in
the same process on the same documents, in ``--repeat`` interleaved rounds (the fastest run of
each is reported; every run is in the JSON):

- ``alone``: the baseline, ``classify_texts(docs, by_passage=True, context=False)``: every
  passage read alone, the default ``ensemble`` method;
- ``with_context``: the same with the packaged context classifier mixed in (the default).

The lexicon evidence is not worked out (``n_evidence=0``) in either, and segmentation runs
once beforehand so that neither step pays jieba's dictionary load. Writes
``benchmarks/results/bench_classify.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_text import RESULTS, build_corpus  # noqa: E402


def documents(target_mb: float) -> tuple[list[str], str]:
    """Real documents up to ``target_mb`` MB, or the reshuffled demo without the corpus."""
    from analysis.text.corpus import find_corpus

    corpus = find_corpus(None)
    if corpus is None:
        return build_corpus(target_mb), "demo paragraphs reshuffled"
    texts: list[str] = []
    size = 0
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            if size >= target_mb * 1e6:
                break
            texts.append(json.loads(line)["text"])
            size += len(texts[-1].encode("utf-8"))
    return texts, "public corpus documents"


def main() -> None:
    import analysis as an

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~0.3 MB of documents")
    parser.add_argument("--mb", type=float, default=2.0, help="documents in MB of UTF-8")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (min kept)")
    args = parser.parse_args()
    texts, source = documents(0.3 if args.quick else args.mb)
    an.classify_texts(texts[:3], by_passage=True, n_evidence=0)  # load every model once
    runs: dict[str, list[float]] = {"alone": [], "with_context": []}
    passages = 0
    for _ in range(args.repeat):
        for step, context in (("alone", False), ("with_context", True)):
            started = time.perf_counter()
            out = an.classify_texts(texts, by_passage=True, context=context, n_evidence=0)
            runs[step].append(time.perf_counter() - started)
            passages = int(out["n_passages"].sum())
    best = {step: min(times) for step, times in runs.items()}
    result = {
        "source": source,
        "documents": len(texts),
        "mb": round(sum(len(t.encode("utf-8")) for t in texts) / 1e6, 2),
        "passages": passages,
        "best_s": best,
        "runs_s": runs,
        "passages_per_s": {step: passages / s for step, s in best.items()},
        "context_overhead": best["with_context"] / best["alone"] - 1,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "analysis": an.__version__,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "bench_classify.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"{len(texts)} documents ({source}), {result['mb']} MB, {passages} passages")
    for step, s in best.items():
        print(f"{step:>13}: {s:7.2f} s  {passages / s:8.0f} passages/s")
    print(f"context overhead: {result['context_overhead']:+.0%}")


if __name__ == "__main__":
    main()
