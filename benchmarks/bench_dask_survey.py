"""Benchmark: 10,000,000 survey rows compared by community through sufficient statistics.

Usage::

    python benchmarks/bench_dask_survey.py            # 1, 5 and 10 million rows
    python benchmarks/bench_dask_survey.py --quick    # 40,000, 100,000 and 200,000 rows

The export is generated as CSV files of ``--rows-per-file`` respondents x 25 items each (the
问卷星-style export of ``bench_survey.py``, one seed per file); a size uses the first files
up to it. Each run is a fresh process:

- ``memory`` (the baseline, for the smallest size only: all rows must fit one process):
  ``read_survey`` of each file, the scores concatenated, ``compare_groups`` (Welch, Games-
  Howell) by dimension and ``reliability`` on the rows.
- ``dask_2workers``: ``read_survey_partitioned`` -> ``score_partitioned`` ->
  ``group_moments`` -> ``compare_groups`` on the moments, and ``reliability`` of
  ``partitioned_item_moments``, on a ``LocalCluster`` of 2 worker processes with one thread
  each (started before the clock). Only per-partition summaries reach the client.

Peak memory: each worker's own peak RSS (``ru_maxrss``, read on the workers after the run),
and the client's. At the smallest size both paths' omnibus statistics and alphas are compared
(they must agree to 1e-9). Prints a table and writes benchmarks/results/bench_dask_survey.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
OPTIONS = {"method": "welch", "posthoc": "games-howell"}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _summary(result, alphas) -> dict:
    table = result.table.sort_values("dimension")
    return {
        "statistic": table["statistic"].round(9).tolist(),
        "n": table["n"].astype(int).tolist(),
        "alpha": [round(float(a), 9) for a in alphas],
    }


def run_memory(files: list[str], codebook: str) -> dict:
    import pandas as pd

    import analysis as an

    cb = an.load_codebook(codebook)
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        surveys = [an.read_survey(f, codebook=cb) for f in files]
        scores = pd.concat([an.score_survey(s) for s in surveys], ignore_index=True)
        result = an.compare_groups(scores, dv="score", between="group", by="dimension", **OPTIONS)
        responses = pd.concat([s.responses for s in surveys], ignore_index=True)
    survey = surveys[0].__class__(
        responses=responses,
        missing=pd.concat([s.missing for s in surveys], ignore_index=True),
        quarantine=surveys[0].quarantine.iloc[:0],
        codebook=cb,
        source=surveys[0].source,
    )
    alphas = an.reliability(survey)["alpha"].tolist()
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "peak_mb": _rss_mb(), **_summary(result, alphas)}


def run_dask(files: list[str], codebook: str) -> dict:
    import distributed

    import analysis as an

    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.wait_for_workers(2)
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            survey = an.read_survey_partitioned(files, codebook=codebook)
            scores = an.score_partitioned(survey)
            moments = an.group_moments(scores, dv="score", between="group", by="dimension")
            result = an.compare_groups(moments, **OPTIONS)
            alphas = an.reliability(an.partitioned_item_moments(survey))["alpha"].tolist()
        seconds = time.perf_counter() - t0
        workers = client.run(_rss_mb)
    return {
        "seconds": seconds,
        "peak_mb_workers": sorted(workers.values()),
        "peak_mb_client": _rss_mb(),
        **_summary(result, alphas),
    }


def _child(fn: str, *args) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); "
        f"import bench_dask_survey as b; print(json.dumps(b.{fn}(*json.loads(sys.argv[1]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, json.dumps(list(args))],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"{fn} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    sys.path.insert(0, str(HERE))
    import yaml
    from bench_survey import codebook, make_csv

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--million", type=float, action="append", help="sizes, million rows")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows-per-file", type=int, default=500_000)
    args = parser.parse_args()
    per_file = 20_000 if args.quick else args.rows_per_file
    sizes = [0.04, 0.1, 0.2] if args.quick else (args.million or [1.0, 5.0, 10.0])
    work = Path(tempfile.mkdtemp(prefix="bench_dask_survey_"))
    try:
        book = work / "codebook.yaml"
        book.write_text(yaml.safe_dump(codebook(), allow_unicode=True), encoding="utf-8")
        n_files = -(-int(max(sizes) * 1e6) // per_file)
        t0 = time.perf_counter()
        files = []
        for i in range(n_files):
            path = work / f"wave-{i:03d}.csv"
            make_csv(per_file, path, seed=i + 1)
            files.append(str(path))
        print(f"export: {n_files} files of {per_file:,} rows in {time.perf_counter() - t0:.0f} s")
        rows = []
        for k, million in enumerate(sorted(sizes)):
            chosen = files[: -(-int(million * 1e6) // per_file)]
            n = len(chosen) * per_file
            memory = _child("run_memory", chosen, str(book)) if k == 0 else None
            dask = _child("run_dask", chosen, str(book))
            row = {"rows": n, "files": len(chosen), "memory": memory, "dask_2workers": dask}
            line = f"{n:>11,} rows, {len(chosen):>3} files | "
            if memory:
                same = _close(memory, dask)
                row["same_results"] = same
                line += f"in memory {memory['seconds']:7.1f} s, peak {memory['peak_mb']:,.0f} MB | "
            line += (
                f"Dask 2 workers {dask['seconds']:7.1f} s, worker peaks "
                f"{', '.join(f'{m:,.0f}' for m in dask['peak_mb_workers'])} MB, client "
                f"{dask['peak_mb_client']:,.0f} MB"
            )
            if memory:
                line += f" | same results: {row['same_results']}"
            print(line, flush=True)
            rows.append(row)
        RESULTS.mkdir(parents=True, exist_ok=True)
        meta = {"python": platform.python_version(), "cpus": os.cpu_count(), "per_file": per_file}
        (RESULTS / "bench_dask_survey.json").write_text(
            json.dumps({"meta": meta, "rows": rows}, indent=2, ensure_ascii=False) + "\n"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _close(a: dict, b: dict) -> bool:
    import numpy as np

    return (
        a["n"] == b["n"]
        and np.allclose(a["statistic"], b["statistic"], rtol=1e-9, atol=1e-9)
        and np.allclose(a["alpha"], b["alpha"], rtol=1e-9, atol=1e-9)
    )


if __name__ == "__main__":
    main()
