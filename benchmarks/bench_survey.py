"""Benchmark the survey pipeline against the same work done with pandas + pingouin.

Work measured, on a 问卷星-style CSV export (answers as option texts) with N respondents x
25 items in 5 dimensions (one reverse-worded item per dimension), saved as UTF-8 and as GBK:

- ``pandas.read_csv(path, dtype=str)`` alone (the bar for reading: our read plus recode
  should take at most half of it);
- ours, read only: ``read_survey`` (read, validate, recode, quarantine);
- ours, pipeline: ``read_survey`` -> ``score_survey`` -> ``reliability`` ->
  ``compare_groups`` (scores by community, per dimension), then ``item_analysis``, timed
  apart and left out of the pipeline total;
- baseline: ``pandas.read_csv`` -> label mapping with ``Series.map`` -> reverse items ->
  per-dimension row means (pandas; NaN with fewer than half the items answered, as
  ours) -> ``pingouin.cronbach_alpha`` per dimension ->
  ``pingouin.homoscedasticity`` (Levene), ``pingouin.welch_anova`` and
  ``pingouin.pairwise_gameshowell`` per dimension (the tests ``compare_groups`` chooses
  here).

Each run is its own fresh subprocess, so the peak resident memory
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that run alone; Arrow string
buffers are outside Python's allocator, so tracemalloc would miss them. With ``--repeat``,
the runs are interleaved round by round and each one's fastest round is reported (the
machine may be shared), then every run's range and median over the rounds, with the ratios
taken round by round. ``--versus DIR`` runs another checkout's ``read_survey`` and pipeline
too (``DIR`` first on ``PYTHONPATH``), in the same rounds: before and after a change, on
the same file under the same load. Results go to ``benchmarks/results/bench_survey.json``.

Usage::

    python benchmarks/bench_survey.py            # 1,000,000 respondents, UTF-8 and GBK
    python benchmarks/bench_survey.py --quick    # 20,000 respondents
    python benchmarks/bench_survey.py --n 200000 --repeat 3 --encodings utf-8
    python benchmarks/bench_survey.py --repeat 3 --versus ../main   # main's version too
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
ROOT = HERE.parent
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


def make_gbk(utf8: Path, path: Path) -> None:
    """The same export saved as GBK (as Excel on a Chinese Windows saves a CSV)."""
    import codecs

    dec = codecs.getincrementaldecoder("utf-8")()
    with utf8.open("rb") as src, path.open("wb") as dst:
        while chunk := src.read(8 << 20):
            dst.write(dec.decode(chunk).encode("gbk"))
        dst.write(dec.decode(b"", final=True).encode("gbk"))


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


def run_pandas_read(path: Path, encoding: str) -> dict:
    import pandas as pd

    st = Stages()
    raw = pd.read_csv(path, dtype=str, encoding=encoding)
    st.mark("read")
    return st.result(n_rows=len(raw))


def run_ours_read(path: Path, encoding: str) -> dict:
    import warnings

    from analysis.survey.codebook_file import load_codebook
    from analysis.survey.reading import read_survey

    cb = load_codebook(codebook())
    st = Stages()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = read_survey(path, codebook=cb)
    st.mark("read_recode")
    return st.result(n_kept=len(survey.responses), encoding=survey.source["encoding"])


def run_ours(path: Path, encoding: str) -> dict:
    import warnings

    import scipy.stats  # noqa: F401 - loaded outside the timing, as pingouin loads it for the baseline

    from analysis.stats.compare import compare_groups
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cmp = compare_groups(scores, dv="score", between="group", by="dimension")
    st.mark("compare")
    item_analysis(survey)
    st.mark("item_analysis")
    return st.result(
        n_kept=len(survey.responses),
        alpha=rel["alpha"].tolist(),
        mean_score=float(scores["score"].mean()),
        welch_f=cmp.table["statistic"].tolist(),
    )


def run_baseline(path: Path, encoding: str) -> dict:
    import warnings

    import pandas as pd
    import pingouin as pg

    st = Stages()
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding)
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
        # as score_survey: a score when at least half of the dimension's items are answered
        enough = data[ids].notna().sum(axis=1) >= 0.5 * len(ids)
        means[dim] = data[ids].mean(axis=1).where(enough)
    st.mark("score")
    alphas = []
    for dim in DIMS:
        ids = [i for _, i, d, _ in item_columns() if d == dim]
        alphas.append(pg.cronbach_alpha(data[ids])[0])
    st.mark("reliability")
    welch = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for dim in DIMS:
            long = pd.DataFrame({"score": means[dim], "group": raw["1、您所居住的社区："]})
            long = long.dropna()
            pg.homoscedasticity(long, dv="score", group="group")
            welch.append(float(pg.welch_anova(long, dv="score", between="group")["F"].iloc[0]))
            pg.pairwise_gameshowell(long, dv="score", between="group")
    st.mark("compare")
    st.skip("item_analysis")
    return st.result(
        n_kept=len(data),
        alpha=alphas,
        mean_score=float(pd.concat(means.values()).mean()),
        welch_f=welch,
    )


RUNS = {
    "pandas_read": run_pandas_read,
    "ours_read": run_ours_read,
    "ours": run_ours,
    "baseline": run_baseline,
}
PIPELINE = ("read_recode", "score", "reliability", "compare")


def worker(run: str, path: Path, encoding: str) -> None:
    print(json.dumps(RUNS[run](path, encoding)))


def _measure(run: str, path: Path, encoding: str, root: Path = ROOT) -> dict:
    """One run in a fresh process, with the checkout at ``root`` first on the path."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", run, "--path", str(path), "--enc", encoding],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    if run in ("ours", "baseline"):
        out["times"]["pipeline"] = sum(out["times"][s] for s in PIPELINE)
        out["cpu"]["pipeline"] = sum(out["cpu"][s] for s in PIPELINE)
    return out


def _seconds(result: dict) -> float:
    times = result["times"]
    return times.get("pipeline", times.get("read_recode", times.get("read")))


def _report(enc: str, size_mb: float, res: dict) -> None:
    pd_read = res["pandas_read"]["times"]["read"]
    ours_read = res["ours_read"]["times"]["read_recode"]
    ours, base = res["ours"], res["baseline"]
    print(f"\n{enc} export, {size_mb:,.0f} MB")
    print(f"{'run':<44}{'wall s':>9}{'cpu s':>9}{'peak MB':>10}")
    rows = [
        ("pandas.read_csv(dtype=str) alone", res["pandas_read"], "read"),
        ("ours: read_survey (read + recode)", res["ours_read"], "read_recode"),
    ]
    for label, r, stage in rows:
        t, c = r["times"][stage], r["cpu"][stage]
        print(f"{label:<44}{t:>9.2f}{c:>9.2f}{r['peak_mb']:>10,.0f}")
    print(f"{'stage':<20}{'ours wall / cpu':>24}{'pandas+pingouin wall / cpu':>30}")
    for stage in (*PIPELINE, "pipeline", "item_analysis"):
        a, ac = ours["times"][stage], ours["cpu"][stage]
        b, bc = base["times"][stage], base["cpu"][stage]
        print(f"{stage:<20}{a:>15.2f} / {ac:>6.2f}{b:>21.2f} / {bc:>6.2f}")
    print(f"{'peak RSS (MB)':<20}{ours['peak_mb']:>24,.0f}{base['peak_mb']:>30,.0f}")
    print(
        f"read + recode: {pd_read / ours_read:.2f}x faster than pandas.read_csv alone "
        f"(target 2x); pipeline: {base['times']['pipeline'] / ours['times']['pipeline']:.2f}x "
        "faster than pandas + pingouin (target 3x)"
    )


def _spread(values: list[float], unit: str = "") -> str:
    from statistics import median

    return f"{min(values):.2f}-{max(values):.2f} ({median(values):.2f}){unit}"


def _summary(rounds: dict[str, list[dict]], loads: list[float]) -> dict:
    """Every run's range and median over the rounds (wall / CPU s, peak MB), and the
    ratios taken round by round: ``read_csv`` over ``read_survey``, baseline over pipeline."""
    stage = {
        "pandas_read": "read",
        "baseline": "pipeline",
        "ours": "pipeline",
        "versus": "pipeline",
    }
    print(
        f"\nover {len(loads)} rounds (1-minute load average after each: "
        f"{min(loads):.1f}-{max(loads):.1f}): range (median)"
    )
    print(f"{'run':<24}{'wall s':>22}{'CPU s':>22}{'peak MB':>18}")
    for run, results in rounds.items():
        key = stage.get(run, "read_recode")
        wall = [r["times"][key] for r in results]
        cpu = [r["cpu"][key] for r in results]
        peak = [r["peak_mb"] for r in results]
        print(f"{run:<24}{_spread(wall):>22}{_spread(cpu):>22}{min(peak):>9,.0f}-{max(peak):,.0f}")
    out: dict = {"load": loads}
    pairs = [("read", "pandas_read", "ours_read"), ("pipeline", "baseline", "ours")]
    if "versus" in rounds:
        pairs += [
            ("read, versus", "pandas_read", "versus_read"),
            ("pipeline, versus", "baseline", "versus"),
        ]
    for label, base, ours in pairs:
        for clock in ("times", "cpu"):
            ratios = [
                b[clock][stage.get(base, "read_recode")] / o[clock][stage.get(ours, "read_recode")]
                for b, o in zip(rounds[base], rounds[ours], strict=True)
            ]
            out[f"{label} ({clock})"] = ratios
            print(f"ratio {label}, {'wall' if clock == 'times' else 'CPU'}: {_spread(ratios, 'x')}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="20,000 respondents")
    ap.add_argument("--n", type=int, default=None, help="respondents (default 1,000,000)")
    ap.add_argument("--repeat", type=int, default=1, help="interleaved rounds (fastest kept)")
    ap.add_argument("--encodings", default="utf-8,gbk", help="exports to time (default utf-8,gbk)")
    ap.add_argument(
        "--versus", type=Path, default=None, help="another checkout to time in the same rounds"
    )
    ap.add_argument("--worker", choices=list(RUNS), help=argparse.SUPPRESS)
    ap.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--enc", default="utf-8", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.path, args.enc)
        return
    n = args.n or (20_000 if args.quick else 1_000_000)
    RESULTS.mkdir(parents=True, exist_ok=True)
    paths = {"utf-8": RESULTS / f"survey_{n}.csv", "gbk": RESULTS / f"survey_{n}_gbk.csv"}
    t0 = time.perf_counter()
    if not paths["utf-8"].exists():
        make_csv(n, paths["utf-8"])
    encodings = [e.strip() for e in args.encodings.split(",")]
    if "gbk" in encodings and not paths["gbk"].exists():
        make_gbk(paths["utf-8"], paths["gbk"])
    out: dict = {
        "n": n,
        "items": len(item_columns()),
        "generate_s": time.perf_counter() - t0,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "repeat": args.repeat,
    }
    print(f"survey benchmark: {n:,} respondents x 25 items")
    for enc in encodings:
        path = paths[enc]
        size_mb = path.stat().st_size / 1024**2
        order = list(RUNS)
        if args.versus is not None:  # the other checkout just before this one, each round
            order[1:1] = ["versus_read"]
            order[3:3] = ["versus"]
        rounds: dict[str, list[dict]] = {run: [] for run in order}
        loads: list[float] = []
        for _ in range(args.repeat):
            for run in order:
                if run.startswith("versus"):
                    worker_run = "ours_read" if run == "versus_read" else "ours"
                    rounds[run].append(_measure(worker_run, path, enc, args.versus.resolve()))
                else:
                    rounds[run].append(_measure(run, path, enc))
            loads.append(os.getloadavg()[0])
        res = {run: min(rs, key=_seconds) for run, rs in rounds.items() if run in RUNS}
        np.testing.assert_allclose(res["ours"]["alpha"], res["baseline"]["alpha"], rtol=1e-6)
        np.testing.assert_allclose(res["ours"]["welch_f"], res["baseline"]["welch_f"], rtol=1e-6)
        res["ours_read"]["pandas_read_ratio"] = (
            res["pandas_read"]["times"]["read"] / res["ours_read"]["times"]["read_recode"]
        )
        res["ours"]["pipeline_ratio"] = (
            res["baseline"]["times"]["pipeline"] / res["ours"]["times"]["pipeline"]
        )
        _report(enc, size_mb, res)
        spread = _summary(rounds, loads)
        out[enc] = {"csv_mb": size_mb, **res, "all_rounds": rounds, "rounds": spread}
    print(
        "\nalphas and Welch F agree with pingouin (rtol 1e-6); the baseline does no "
        "quarantine, no missing kinds, no effect sizes, no Shapiro-Wilk and no item analysis"
    )
    (RESULTS / "bench_survey.json").write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
