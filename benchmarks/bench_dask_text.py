"""Benchmark: scoring a large corpus on a 2-worker Dask LocalCluster against in memory.

Usage::

    python benchmarks/bench_dask_text.py                  # 0.25, 0.5 and 1 GB
    python benchmarks/bench_dask_text.py --quick          # 5, 10 and 20 MB, for development
    python benchmarks/bench_dask_text.py --gb 0.25 --gb 2

The corpus is generated once, for the largest size, by reshuffling the paragraphs of the demo
documents (data/raw/demo/texts) into unique documents of 5-15 paragraphs (about 2 KB each),
written as a Parquet dataset of ``--part-mb`` MB files (``doc_id``, ``text``); a size uses
the first files up to it. For every size, each path runs in its own process, so peak memory
is that path's alone:

- ``memory_jobs2`` (the baseline): ``pandas.read_parquet`` of the files, then
  ``score_texts(docs, jobs=2)`` (this process and one worker), the result in memory.
  Peak memory: the process and its worker.
- ``dask_2workers``: ``read_texts(folder, engine="dask")``, ``score_texts`` on the lazy frame,
  ``to_parquet`` of the scores, on a ``LocalCluster`` of 2 worker processes with one thread
  each (started before the clock). Peak memory: each worker's own peak RSS (``ru_maxrss``),
  read on the workers after the run, and the client's.

Both paths' total ``n_hits`` and ``weighted_hits`` per dimension are compared (they must be
equal). Prints a table and writes benchmarks/results/bench_dask_text.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo" / "texts"
RESULTS = ROOT / "benchmarks" / "results"


def build_corpus(folder: Path, target_gb: float, part_mb: float, seed: int = 0) -> list[int]:
    """Write unique reshuffled demo documents as Parquet files; return each file's bytes."""
    import warnings

    import pandas as pd

    import analysis as an

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        docs = an.read_texts(DEMO)
    paragraphs = [p for t in docs["text"] for p in t.split("\n") if len(p) > 10]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    sizes: list[int] = []
    total, n = 0, 0
    while total < target_gb * 1e9:
        texts, ids, size = [], [], 0
        while size < part_mb * 1e6:
            text = "\n".join(rng.sample(paragraphs, rng.randint(5, 15)))
            # a running number makes every document unique without a set of all texts
            text = f"第{n}号。{text}"
            texts.append(text)
            ids.append(f"d{n:09d}")
            size += len(text.encode("utf-8"))
            n += 1
        frame = pd.DataFrame({"doc_id": ids, "text": texts})
        frame.to_parquet(folder / f"part-{len(sizes):05d}.parquet", index=False)
        sizes.append(size)
        total += size
    (folder / "sizes.json").write_text(json.dumps(sizes))
    return sizes


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_memory(files: list[str]) -> dict:
    """The in-memory path with two processes, in this (fresh) process."""
    import pandas as pd

    import analysis as an
    from analysis.text.segment import Segmenter

    lexicon = an.default_lexicon()
    segmenter = Segmenter.for_lexicon(lexicon)
    _ = segmenter.tokenizer
    t0 = time.perf_counter()
    docs = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
    scores = an.score_texts(docs, lexicon=lexicon, segmenter=segmenter, jobs=2)
    seconds = time.perf_counter() - t0
    totals = scores.groupby("dimension")[["n_hits", "weighted_hits"]].sum()
    return {
        "seconds": seconds,
        "documents": len(docs),
        "peak_mb_process": _rss_mb(),
        "peak_mb_worker": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "totals": totals.round(6).to_dict(),
    }


def run_dask(folder: str, files: list[str], out: str) -> dict:
    """Read, score and write Parquet on a fresh 2-worker LocalCluster."""
    import dask.dataframe as dd
    import distributed

    import analysis as an

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        lexicon = an.default_lexicon()
        t0 = time.perf_counter()
        docs = an.read_texts(files, engine="dask")
        scores = an.score_texts(docs, lexicon=lexicon)
        scores.to_parquet(out, write_index=False)
        seconds = time.perf_counter() - t0
        workers = client.run(_rss_mb)
        totals = (
            dd.read_parquet(out)
            .groupby("dimension")[["n_hits", "weighted_hits"]]
            .sum()
            .compute()
            .sort_index()
        )
        partitions = docs.npartitions
    return {
        "seconds": seconds,
        "partitions": partitions,
        "peak_mb_workers": sorted(workers.values()),
        "peak_mb_client": _rss_mb(),
        "totals": totals.round(6).to_dict(),
    }


def _child(path: str, fn: str, *args: str) -> dict:
    """Run ``fn`` of this file in a fresh process; return its JSON result."""
    code = (
        f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import bench_dask_text as b; print(json.dumps(b.{fn}(*json.loads(sys.argv[1]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(args))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{fn} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gb", type=float, action="append", help="corpus sizes in GB")
    parser.add_argument("--quick", action="store_true", help="5, 10 and 20 MB")
    parser.add_argument("--part-mb", type=float, default=32.0, help="MB of text per file")
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the corpus here")
    args = parser.parse_args()
    sizes = args.gb or ([0.005, 0.01, 0.02] if args.quick else [0.25, 0.5, 1.0])
    part_mb = min(args.part_mb, 2.0) if args.quick else args.part_mb
    work = Path(tempfile.mkdtemp(prefix="bench_dask_text_"))
    corpus = args.keep or work / "corpus"
    try:
        t0 = time.perf_counter()
        if not (corpus.exists() and any(corpus.glob("*.parquet"))):
            build_corpus(corpus, max(sizes), part_mb)
        files = sorted(corpus.glob("*.parquet"))
        file_bytes = json.loads((corpus / "sizes.json").read_text())
        print(f"corpus: {len(files)} files in {time.perf_counter() - t0:.1f} s")
        rows = []
        for gb in sorted(sizes):
            chosen, total = [], 0
            for f, size in zip(files, file_bytes, strict=True):
                if total >= gb * 1e9:
                    break
                chosen.append(str(f))
                total += size
            memory = _child(__file__, "run_memory", chosen)
            out = work / f"scores-{gb}"
            dask = _child(__file__, "run_dask", str(corpus), chosen, str(out))
            shutil.rmtree(out, ignore_errors=True)
            same = memory["totals"] == dask["totals"]
            rows.append(
                {
                    "gb": total / 1e9,
                    "files": len(chosen),
                    "memory_jobs2": memory,
                    "dask_2workers": dask,
                    "same_totals": same,
                }
            )
            print(
                f"{total / 1e9:6.3f} GB {memory['documents']:>9,} docs | in memory jobs=2 "
                f"{memory['seconds']:8.1f} s, peak {memory['peak_mb_process']:,.0f} + "
                f"{memory['peak_mb_worker']:,.0f} MB | Dask 2 workers {dask['seconds']:8.1f} s "
                f"({dask['partitions']} partitions), worker peaks "
                f"{', '.join(f'{m:,.0f}' for m in dask['peak_mb_workers'])} MB, client "
                f"{dask['peak_mb_client']:,.0f} MB | ratio "
                f"{memory['seconds'] / dask['seconds']:.2f} | same totals: {same}",
                flush=True,
            )
        RESULTS.mkdir(parents=True, exist_ok=True)
        meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "part_mb": part_mb}
        (RESULTS / "bench_dask_text.json").write_text(
            json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False) + "\n"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
