"""Benchmark the survey pipeline against the same work done with pandas + pingouin.

Work measured, on a 问卷星-style CSV export (answers as option texts) with N respondents x
25 items in 5 dimensions (one reverse-worded item per dimension):

- ours: ``read_survey`` (read, validate, recode, quarantine) -> ``score_survey`` ->
  ``reliability`` -> ``item_analysis``;
- baseline: ``pandas.read_csv`` -> label mapping with ``Series.map`` -> reverse items ->
  per-dimension row means (pandas) -> ``pingouin.cronbach_alpha`` per dimension.

Each side runs in its own fresh subprocess, so the peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that side alone; Arrow string
buffers are outside Python's allocator, so tracemalloc would miss them. Results go to
``benchmarks/results/bench_survey.json``.

Usage::

    python benchmarks/bench_survey.py            # 1,000,000 respondents
    python benchmarks/bench_survey.py --quick    # 20,000 respondents
    python benchmarks/bench_survey.py --n 200000
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "results"
SAT = ["非常不满意", "不满意", "一般", "满意", "非常满意"]
AGREE = ["非常不同意", "不同意", "一般", "同意", "非常同意"]
DIMS = ["reform", "development", "livelihood", "masses", "members"]
N_PER_DIM = 5


def item_columns() -> list[tuple[str, str, str, bool]]:
    """(column header, id, dimension, reverse) for the 25 items."""
    out = []
    q = 3
    for dim in DIMS:
        for j in range(N_PER_DIM):
            reverse = j == N_PER_DIM - 1
            text = "办事常常需要反复跑腿" if reverse else "服务的满意程度"
            out.append((f"{q}、{dim}{j + 1}{text}", f"q{q}", dim, reverse))
            q += 1
    return out


def codebook() -> dict:
    return {
        "id_column": "序号",
        "group_column": "1、您所居住的社区：",
        "duration_column": "所用时间",
        "scale": {"min": 1, "max": 5, "labels": {t: i for i, t in enumerate(SAT, 1)}},
        "scales": {"agree": {"min": 1, "max": 5, "labels": {t: i for i, t in enumerate(AGREE, 1)}}},
        "missing": {"skipped": ["(跳过)"], "no_answer": ["(空)"]},
        "covariates": [{"column": "2、您的性别：", "id": "gender"}],
        "items": [
            {
                "column": c,
                "id": i,
                "dimension": d,
                "reverse": r,
                **({"scale": "agree"} if r else {}),
            }
            for c, i, d, r in item_columns()
        ],
    }


def make_csv(n: int, path: Path, seed: int = 1) -> None:
    """Write an N-row export with a latent trait per dimension (alpha around 0.8)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    cols: dict[str, pa.Array] = {
        "序号": pa.array(np.arange(1, n + 1).astype(str)),
        "所用时间": pa.array(np.char.add(rng.integers(60, 900, n).astype(str), "秒")),
        "1、您所居住的社区：": pa.array(
            np.array(["桂花社区", "梅园社区", "竹林社区", "兰亭社区"])[rng.integers(0, 4, n)]
        ),
        "2、您的性别：": pa.array(np.array(["男", "女"])[rng.integers(0, 2, n)]),
    }
    sat = np.array([*SAT, "(跳过)", "(空)"])
    agree = np.array([*AGREE, "(跳过)", "(空)"])
    for dim_i, _dim in enumerate(DIMS):
        trait = rng.normal(0, 1, n)
        for j in range(N_PER_DIM):
            col, _, _, reverse = item_columns()[dim_i * N_PER_DIM + j]
            latent = trait + rng.normal(0, 0.8, n)
            code = np.clip(np.round(3 + latent * 0.9), 1, 5).astype(int) - 1
            if reverse:
                code = 4 - code
            miss = rng.random(n)
            code = np.where(miss < 0.01, 5, np.where(miss < 0.02, 6, code))
            cols[col] = pa.array((agree if reverse else sat)[code])
    table = pa.table(cols)
    opts = pacsv.WriteOptions(quoting_style="needed")
    pacsv.write_csv(table, str(path), write_options=opts)


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024**2


class Stages:
    """Wall-clock and CPU seconds per stage (CPU time is steadier on a shared machine)."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._start = (time.perf_counter(), time.process_time())
        self._last = self._start

    def mark(self, name: str) -> None:
        now = (time.perf_counter(), time.process_time())
        self.times[name] = now[0] - self._last[0]
        self.cpu[name] = now[1] - self._last[1]
        self._last = now

    def skip(self, name: str) -> None:
        self.times[name] = self.cpu[name] = float("nan")

    def result(self, **extra: object) -> dict:
        self.times["total"] = time.perf_counter() - self._start[0]
        self.cpu["total"] = time.process_time() - self._start[1]
        return {"times": self.times, "cpu": self.cpu, "peak_mb": peak_mb(), **extra}


def run_ours(path: Path) -> dict:
    import warnings

    import scipy.stats  # noqa: F401 - loaded outside the timing, as pingouin loads it for the baseline

    from analysis.survey.codebook_file import load_codebook
    from analysis.survey.psychometrics import item_analysis, reliability
    from analysis.survey.reading import read_survey
    from analysis.survey.scores import score_survey

    st = Stages()
    cb = load_codebook(codebook())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = read_survey(path, codebook=cb)
    st.mark("read_recode")
    scores = score_survey(survey)
    st.mark("score")
    rel = reliability(survey)
    st.mark("reliability")
    item_analysis(survey)
    st.mark("item_analysis")
    return st.result(
        n_kept=len(survey.responses),
        alpha=rel["alpha"].tolist(),
        mean_score=float(scores["score"].mean()),
    )


def run_baseline(path: Path) -> dict:
    import pandas as pd
    import pingouin as pg

    st = Stages()
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    sat = {s: i for i, s in enumerate(SAT, 1)}
    agree = {s: i for i, s in enumerate(AGREE, 1)}
    items = {}
    for col, iid, _, reverse in item_columns():
        x = raw[col].map(agree if reverse else sat).astype("float64")
        items[iid] = 6 - x if reverse else x
    data = pd.DataFrame(items)
    st.mark("read_recode")
    means = {}
    for dim in DIMS:
        ids = [i for _, i, d, _ in item_columns() if d == dim]
        means[dim] = data[ids].mean(axis=1)
    st.mark("score")
    alphas = []
    for dim in DIMS:
        ids = [i for _, i, d, _ in item_columns() if d == dim]
        alphas.append(pg.cronbach_alpha(data[ids])[0])
    st.mark("reliability")
    st.skip("item_analysis")
    return st.result(
        n_kept=len(data), alpha=alphas, mean_score=float(pd.concat(means.values()).mean())
    )


def worker(side: str, path: Path) -> None:
    result = run_ours(path) if side == "ours" else run_baseline(path)
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 respondents")
    ap.add_argument("--n", type=int, default=None, help="respondents (default 1,000,000)")
    ap.add_argument("--worker", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    ap.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.path)
        return
    n = args.n or (20_000 if args.quick else 1_000_000)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"survey_{n}.csv"
    t0 = time.perf_counter()
    if not path.exists():
        make_csv(n, path)
    gen = time.perf_counter() - t0
    size_mb = path.stat().st_size / 1024**2
    out = {
        "n": n,
        "items": len(item_columns()),
        "csv_mb": size_mb,
        "generate_s": gen,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    for side in ("ours", "baseline"):
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", side, "--path", str(path)],
            capture_output=True,
            text=True,
            check=True,
        )
        out[side] = json.loads(proc.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(out["ours"]["alpha"], out["baseline"]["alpha"], rtol=1e-6)
    print(f"survey benchmark: {n:,} respondents x 25 items, CSV {size_mb:,.0f} MB")
    head = f"{'stage':<16}{'ours wall / cpu (s)':>22}{'pandas+pingouin wall / cpu (s)':>33}"
    print(head)
    for stage in ("read_recode", "score", "reliability", "item_analysis", "total"):
        a, ac = out["ours"]["times"][stage], out["ours"]["cpu"][stage]
        b, bc = out["baseline"]["times"][stage], out["baseline"]["cpu"][stage]
        print(f"{stage:<16}{a:>13.2f} / {ac:>6.2f}{b:>24.2f} / {bc:>6.2f}")
    peaks = out["ours"]["peak_mb"], out["baseline"]["peak_mb"]
    print(f"{'peak RSS (MB)':<16}{peaks[0]:>22,.0f}{peaks[1]:>33,.0f}")
    print(
        "alphas agree with pingouin (rtol 1e-6); baseline does no quarantine, no missing "
        "kinds and no item analysis"
    )
    (RESULTS / "bench_survey.json").write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
