"""Benchmark of the text side: segmentation + dictionary scoring throughput.

Usage::

    python benchmarks/bench_text.py            # ~6 MB corpus (UTF-8 bytes)
    python benchmarks/bench_text.py --quick    # ~0.4 MB, for development
    python benchmarks/bench_text.py --mb 10

The corpus is built by reshuffling the paragraphs of the demo documents
(data/raw/demo/texts) into unique documents of 5-15 paragraphs until it reaches the target
size. Every measurement runs in its own process (so peak memory is that step's alone), on
the same corpus, in the same run:

- ``jieba_lcut``: the baseline, raw ``jieba.lcut`` over every document (global tokenizer,
  no user dictionary, no scoring).
- ``ours_jobs1``: ``score_texts`` with ``Segmenter.for_lexicon(default_lexicon())``: private
  tokenizer, domain dictionary, segmentation and scoring, one process.
- ``ours_jobs2``: the same with ``jobs=2`` (this process and one worker; pool start-up
  included).
- ``ours_rjieba``: the same with ``backend="rjieba"``.
- ``ours_rjieba_jobs2``: rjieba with ``jobs=2``.
- ``rjieba_cut``: rjieba's own cut, no dictionary of ours and no scoring: the floor for the
  rjieba steps.
- ``new_tokens``: the one-off cost of a token never seen before, over 100,000 distinct words
  of jieba's dictionary (the corpus, reshuffled from 28 documents, has few distinct tokens).
- ``cache_fill`` / ``rescore_cache``: score once with an on-disk cache, then, in a new
  process, score with an edited lexicon (one term re-weighted, one term added): only the
  documents containing the added term are segmented again; the others are read from the
  cache as token codes and counted without looking at a token string.
- ``cntext``: cntext's dictionary scoring (``cntext.sentiment`` with our lexicon as its
  dictionary) on the same corpus. cntext 2.2.1 pins numpy<2 and pandas<3, so it cannot live in
  the project environment; it is run from a separate virtual environment given with
  ``--cntext-python`` (default ``/tmp/cntext-venv/bin/python``) and skipped if absent.

The steps run in ``--repeat`` rounds (default 3), each round running every step once in
turn, and the fastest run of each step is reported (the machine is shared: interleaving
spreads load spikes over all steps and the minimum is the least disturbed estimate); every
run's time is in the JSON. Prints a table and writes benchmarks/results/bench_text.json.
Times exclude loading the dictionaries (jieba's, and OpenCC's for the conversion to
simplified characters; reported separately as ``setup_s``) and importing the scoring modules,
unless stated above.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "raw" / "demo" / "texts"
RESULTS = ROOT / "benchmarks" / "results"


def build_corpus(target_mb: float, seed: int = 0) -> list[str]:
    """Reshuffle demo paragraphs into unique documents totalling ``target_mb`` MB."""
    import analysis as an

    docs = an.read_texts(DEMO)
    paragraphs = [p for t in docs["text"] for p in t.split("\n") if len(p) > 10]
    rng = random.Random(seed)
    texts: list[str] = []
    seen: set[str] = set()
    size = 0
    while size < target_mb * 1e6:
        k = rng.randint(5, 15)
        text = "\n".join(rng.sample(paragraphs, k))
        if text in seen:
            continue
        seen.add(text)
        texts.append(text)
        size += len(text.encode("utf-8"))
    return texts


def peak_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


# ----------------------------------------------------------------------------- steps


def step_jieba_lcut(texts: list[str], args: argparse.Namespace) -> dict:
    import jieba

    jieba.setLogLevel(60)
    t0 = time.perf_counter()
    jieba.initialize()
    setup = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n = sum(len(jieba.lcut(t)) for t in texts)
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "all_seconds": times, "setup_s": setup, "tokens": n}


def _score(
    texts: list[str],
    *,
    repeat: int,
    backend: str = "jieba",
    jobs: int = 1,
    cache_dir: str | None = None,
    lexicon=None,
) -> dict:
    """Time score_texts ``repeat`` times, each with a fresh segmenter (empty memory cache)."""
    import pandas as pd

    import analysis as an
    from analysis.text.segment import Segmenter

    lex = lexicon or an.default_lexicon()
    docs = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": texts})
    score_texts = an.score_texts  # imports the scoring modules: not part of the timing
    times, setups, calls = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        seg = Segmenter.for_lexicon(lex, backend=backend, cache_dir=cache_dir)
        _ = seg.tokenizer
        setups.append(time.perf_counter() - t0)
        missing = seg._segment_missing
        segmented: list[int] = []

        def counted(batch, *, jobs, missing=missing, segmented=segmented):
            segmented.append(len(batch))
            return missing(batch, jobs=jobs)

        seg._segment_missing = counted  # count texts actually segmented (lexicon terms too)
        t0 = time.perf_counter()
        out = score_texts(docs, lex, segmenter=seg, jobs=jobs)
        times.append(time.perf_counter() - t0)
        calls.append(sum(segmented))
        hits = int(out["n_hits"].sum())
        fingerprint = seg.fingerprint[:12]
        del seg, out, counted, missing
        gc.collect()  # drop this run's tokenizer before the next one
    return {
        "seconds": min(times),
        "all_seconds": times,
        "setup_s": min(setups),
        "hits": hits,
        "segmented_docs": calls,
        "fingerprint": fingerprint,
    }


def step_ours_jobs1(texts, args):
    return _score(texts, repeat=args.repeat)


def step_ours_jobs2(texts, args):
    return _score(texts, repeat=args.repeat, jobs=2)


def step_ours_rjieba(texts, args):
    return _score(texts, repeat=args.repeat, backend="rjieba")


def step_ours_rjieba_jobs2(texts, args):
    return _score(texts, repeat=args.repeat, backend="rjieba", jobs=2)


def step_rjieba_cut(texts: list[str], args: argparse.Namespace) -> dict:
    """rjieba's own cut (default dictionary, no scoring): the floor for the rjieba steps."""
    import rjieba

    t0 = time.perf_counter()
    tok = rjieba.Jieba()
    setup = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        n = sum(len(tok.cut(t, True)) for t in texts)
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "all_seconds": times, "setup_s": setup, "tokens": n}


def step_new_tokens(texts: list[str], args: argparse.Namespace) -> dict:
    """Counting cost of tokens never seen before: 100,000 distinct words of jieba's dictionary.

    The corpus reshuffles 28 documents, so it has few distinct tokens; a real corpus of the
    same size has many more, and each costs a one-off classification. Reported per token.
    """
    import jieba

    import analysis as an
    from analysis.text.segment import Segmenter
    from analysis.text.tally import Tallier

    words = Path(jieba.__file__).with_name("dict.txt").read_text(encoding="utf-8").split("\n")
    vocab = random.Random(0).sample([w.split(" ")[0] for w in words if w], 100_000)
    lex = an.default_lexicon()
    seg = Segmenter.for_lexicon(lex)
    times = []
    for _ in range(args.repeat):
        tallier = Tallier(lex, seg, "document")
        t0 = time.perf_counter()
        tallier.tally([vocab])
        times.append(time.perf_counter() - t0)
    return {"seconds": min(times), "all_seconds": times, "setup_s": 0.0, "tokens": len(vocab)}


def step_cache_fill(texts, args):
    return _score(texts, repeat=1, cache_dir=args.cache)


def _edited_lexicon():
    import dataclasses

    import analysis as an

    lex = an.default_lexicon()
    terms = {d: dict(t) for d, t in lex.terms.items()}
    terms["masses"]["居民"] = 0.25  # re-weighted
    terms["masses"]["红色议事厅"] = 1.0  # added (occurs in no demo paragraph)
    terms["livelihood"]["长者食堂"] = 1.0  # already a term: unchanged
    return dataclasses.replace(lex, version="1.0-edit", terms=terms)


def step_rescore_cache(texts, args):
    return _score(texts, repeat=args.repeat, cache_dir=args.cache, lexicon=_edited_lexicon())


STEPS = {
    "jieba_lcut": step_jieba_lcut,
    "ours_jobs1": step_ours_jobs1,
    "ours_jobs2": step_ours_jobs2,
    "ours_rjieba": step_ours_rjieba,
    "ours_rjieba_jobs2": step_ours_rjieba_jobs2,
    "rjieba_cut": step_rjieba_cut,
    "new_tokens": step_new_tokens,
    "cache_fill": step_cache_fill,
    "rescore_cache": step_rescore_cache,
}

CNTEXT_SCRIPT = r"""
import json, resource, sys, time, logging
texts = json.load(open(sys.argv[1], encoding="utf-8"))
diction = json.load(open(sys.argv[2], encoding="utf-8"))
t0 = time.perf_counter()
import cntext as ct
import jieba
jieba.setLogLevel(60)
jieba.initialize()
setup = time.perf_counter() - t0
times = []
for _ in range(int(sys.argv[3])):
    t0 = time.perf_counter()
    hits = 0
    for t in texts:
        res = ct.sentiment(text=t, diction=diction, lang="chinese")
        hits += sum(v for k, v in res.items() if k.endswith("_num") and k[:-4] in diction)
    times.append(time.perf_counter() - t0)
print(json.dumps({"seconds": min(times), "all_seconds": times, "setup_s": setup, "hits": hits,
                  "version": getattr(ct, "__version__", "?"),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_cntext(corpus: Path, python: str, repeat: int) -> dict:
    import analysis as an

    if not Path(python).exists():
        return {"skipped": f"no cntext environment at {python}"}
    lex = an.default_lexicon()
    diction = {d: list(lex.terms[d]) for d in lex.dimensions}
    with tempfile.TemporaryDirectory() as tmp:
        dpath = Path(tmp) / "diction.json"
        dpath.write_text(json.dumps(diction, ensure_ascii=False), encoding="utf-8")
        spath = Path(tmp) / "run_cntext.py"
        spath.write_text(CNTEXT_SCRIPT, encoding="utf-8")
        proc = subprocess.run(
            [python, str(spath), str(corpus), str(dpath), str(repeat)],
            capture_output=True,
            text=True,
            check=False,
        )
    if proc.returncode != 0:
        return {"skipped": "cntext failed: " + proc.stderr.strip().splitlines()[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_step(name: str, corpus: Path, cache: Path, repeat: int) -> dict:
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--step",
            name,
            "--corpus",
            str(corpus),
            "--cache",
            str(cache),
            "--repeat",
            str(repeat),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best(runs: list[dict]) -> dict:
    """The fastest run of a step, with every run's time and the largest peak memory."""
    if any("skipped" in r for r in runs):
        return next(r for r in runs if "skipped" in r)
    best = dict(min(runs, key=lambda r: r["seconds"]))
    best["all_seconds"] = [r["seconds"] for r in runs]
    best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    if "segmented_docs" in best:
        best["segmented_docs"] = [n for r in runs for n in r["segmented_docs"]]
    return best


def agreement() -> dict:
    """Token agreement of rjieba with jieba on the demo corpus (domain dictionary loaded)."""
    import analysis as an
    from analysis.text.segment import Segmenter

    texts = an.read_texts(DEMO)["text"].tolist()
    out = {}
    for label, kw in (("domain", {}), ("for_lexicon", {"lexicon": True})):
        if kw:
            lex = an.default_lexicon()
            j, r = Segmenter.for_lexicon(lex), Segmenter.for_lexicon(lex, backend="rjieba")
        else:
            j, r = Segmenter(), Segmenter(backend="rjieba")
        same_tokens = n_j = same_bounds = 0
        for t in texts:
            tj = {(x.start, x.end) for x in j.tokens(t) if x.text.strip()}
            tr = {(x.start, x.end) for x in r.tokens(t) if x.text.strip()}
            bj = {e for _, e in tj}
            br = {e for _, e in tr}
            n_j += len(tj)
            same_tokens += len(tj & tr)
            same_bounds += len(bj & br)
        out[label] = {
            "chars": sum(map(len, texts)),
            "jieba_tokens": n_j,
            "identical_tokens": same_tokens / n_j,
            "shared_boundaries": same_bounds / n_j,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~0.4 MB corpus")
    parser.add_argument("--mb", type=float, default=6.0, help="corpus size in MB of UTF-8")
    parser.add_argument("--cntext-python", default="/tmp/cntext-venv/bin/python")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (min kept)")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.step:  # child process: one measurement
        texts = json.loads(Path(args.corpus).read_text(encoding="utf-8"))
        result = STEPS[args.step](texts, args)
        result["peak_rss_mb"], result["workers_peak_rss_mb"] = peak_mb()
        print(json.dumps(result))
        return

    mb = 0.4 if args.quick else args.mb
    texts = build_corpus(mb)
    nbytes = sum(len(t.encode("utf-8")) for t in texts)
    nchars = sum(map(len, texts))
    results: dict = {
        "corpus": {"docs": len(texts), "mb_utf8": nbytes / 1e6, "chars": nchars},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.json"
        corpus.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        runs: dict[str, list[dict]] = {}
        for r in range(args.repeat):  # rounds interleave the steps, so load spikes hit all
            cache = Path(tmp) / f"cache-{r}"
            for name in STEPS:
                runs.setdefault(name, []).append(run_step(name, corpus, cache, 1))
                print(f"  round {r + 1} {name}: {runs[name][-1]['seconds']:.2f} s", file=sys.stderr)
            runs.setdefault("cntext", []).append(run_cntext(corpus, args.cntext_python, 1))
        steps = {name: _best(rs) for name, rs in runs.items()}
    base = steps["jieba_lcut"]["seconds"]
    rows = []
    for name, r in steps.items():
        if name == "new_tokens":
            r["us_per_token"] = r["seconds"] / r["tokens"] * 1e6
            continue
        if "skipped" in r:
            rows.append((name, None, None, None, None, r["skipped"]))
            continue
        rows.append(
            (
                name,
                r["seconds"],
                nbytes / 1e6 / r["seconds"],
                base / r["seconds"],
                r.get("peak_rss_mb"),
                r.get("setup_s"),
            )
        )
        r["mb_per_s"] = nbytes / 1e6 / r["seconds"]
        r["speed_vs_jieba_lcut"] = base / r["seconds"]
    results["steps"] = steps
    results["agreement_rjieba_vs_jieba"] = agreement()

    print(f"\ncorpus: {len(texts)} documents, {nbytes / 1e6:.2f} MB UTF-8, {nchars:,} characters")
    print(f"{'step':<19}{'seconds':>9}{'MB/s':>8}{'x lcut':>8}{'peak MB':>9}{'setup s':>9}")
    for name, sec, rate, ratio, peak, setup in rows:
        if sec is None:
            print(f"{name:<19}  skipped: {setup}")
            continue
        print(f"{name:<19}{sec:>9.2f}{rate:>8.3f}{ratio:>8.2f}{peak:>9.0f}{setup:>9.2f}")
    print(
        f"tokens never seen before: {steps['new_tokens']['us_per_token']:.2f} us each "
        f"(counting {steps['new_tokens']['tokens']:,} distinct words)"
    )
    print(
        "re-score after lexicon edit segmented",
        max(steps["rescore_cache"]["segmented_docs"]),
        "texts (documents with an added term, and the added term itself); corpus:",
        len(texts),
        "documents",
    )
    for k, v in results["agreement_rjieba_vs_jieba"].items():
        print(
            f"rjieba vs jieba ({k}): {v['identical_tokens']:.1%} identical tokens, "
            f"{v['shared_boundaries']:.1%} shared boundaries over {v['chars']:,} characters"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("bench_text_quick.json" if args.quick else "bench_text.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
