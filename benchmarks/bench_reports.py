"""Benchmark: 100 community reports (HTML and DOCX), one process against two workers.

A synthetic study of 100 communities x 60 respondents x 5 dimensions is scored and compared
with the toolkit itself (compare_groups, Games-Howell), then ``build_group_reports`` writes
one HTML and one DOCX report per community: first serially (the baseline), then with two
worker processes, in the same run. Peak memory is the largest resident set of this process
and of any worker.

Run: python benchmarks/bench_reports.py [--groups 100] [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def synthetic_inputs(n_groups: int, per_group: int, seed: int = 7):  # type: ignore[no-untyped-def]
    """ReportInputs for a synthetic study, built with the toolkit's own statistics."""
    import analysis as an
    from analysis.report.compose import ReportInputs, overall_scores

    rng = np.random.default_rng(seed)
    groups = [f"第{i + 1:03d}社区" for i in range(n_groups)]
    rows = []
    for g_i, g in enumerate(groups):
        shift = rng.normal(0, 0.15, size=5)
        for r in range(per_group):
            for d_i, dim in enumerate(an.SERVICE_FIVE.ids):
                score = float(np.clip(rng.normal(3.6 + shift[d_i], 0.7), 1, 5))
                rows.append((f"{g_i}-{r}", g, dim, score, 4))
    scores = pd.DataFrame(rows, columns=["respondent_id", "group", "dimension", "score", "n_items"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = an.compare_groups(scores, dv="score", between="group", by="dimension")
    tables = {
        "survey_overall": overall_scores(scores, an.SERVICE_FIVE),
        "survey_descriptives": res.descriptives,
        "survey_compare": res.table,
        "survey_posthoc": res.posthoc,
    }
    return ReportInputs(
        title="基准测试研究",
        title_en="Benchmark study",
        lang="zh",
        min_cell=5,
        framework=an.SERVICE_FIVE,
        tables=tables,
        counts={},
        params={},
        summaries={},
        figures={},
        colophon=(("软件版本", f"analysis {an.__version__}"),),
    ), groups


def peak_rss_mb() -> tuple[float, float]:
    """Peak resident set of this process and of its largest finished child, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--per-group", type=int, default=60)
    parser.add_argument("--quick", action="store_true", help="10 communities")
    args = parser.parse_args()
    n_groups = 10 if args.quick else args.groups

    from analysis.report.community import build_group_reports

    t0 = time.perf_counter()
    inputs, groups = synthetic_inputs(n_groups, args.per_group)
    prep = time.perf_counter() - t0
    results = {
        "groups": n_groups,
        "respondents": n_groups * args.per_group,
        "prepare_s": round(prep, 2),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for jobs in (1, 2):
            folder = Path(tmp) / f"jobs{jobs}"
            t0 = time.perf_counter()
            written = build_group_reports(
                inputs, groups, folder, formats=("html", "docx"), jobs=jobs
            )
            elapsed = time.perf_counter() - t0
            size = sum(Path(p).stat().st_size for p in written)
            results[f"jobs{jobs}_s"] = round(elapsed, 2)
            results[f"jobs{jobs}_files"] = len(written)
            results[f"jobs{jobs}_mb_written"] = round(size / 1e6, 1)
        same = all(
            (Path(tmp) / "jobs1" / p.name).read_bytes() == p.read_bytes()
            for p in (Path(tmp) / "jobs2").iterdir()
        )
    own, child = peak_rss_mb()
    results["speedup_2_workers"] = round(results["jobs1_s"] / results["jobs2_s"], 2)
    results["per_report_s_serial"] = round(results["jobs1_s"] / n_groups, 3)
    results["identical_outputs"] = same
    results["peak_rss_mb_main"] = round(own)
    results["peak_rss_mb_worker"] = round(child)
    print(f"{'measure':<24}{'value':>12}")
    for k, v in results.items():
        print(f"{k:<24}{v!s:>12}")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_reports.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
