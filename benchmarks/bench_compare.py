"""Benchmark compare_groups with Games-Howell on many communities, against pingouin.

Full size: 5 dimensions x 500 communities x 1,000,000 respondents (5,000,000 rows of
scores), Welch's ANOVA and Games-Howell for all 124,750 pairs per dimension.

pingouin.pairwise_gameshowell evaluates scipy's studentized range distribution pair by
pair (milliseconds each), so on the full problem it would run for hours. It is timed on the
same data restricted to the first ``--pg-groups`` communities of one dimension, our code is
timed on exactly that subset too, the p values of both are compared, and pingouin's full-size
time is extrapolated from its cost per pair (printed as an extrapolation).

Usage::

    python benchmarks/bench_compare.py            # full size
    python benchmarks/bench_compare.py --quick    # 100,000 respondents, 100 communities
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import analysis as an
from analysis.core.dimensions import SERVICE_FIVE


def make_scores(n_resp: int, n_groups: int, seed: int = 0) -> pd.DataFrame:
    """Long scores like score_survey gives: respondent_id, group, dimension, score, n_items."""
    rng = np.random.default_rng(seed)
    size = rng.dirichlet(np.full(n_groups, 5.0))
    group_of = rng.choice(n_groups, size=n_resp, p=size)
    names = np.array([f"社区{i:03d}" for i in range(n_groups)], dtype=object)
    dims = SERVICE_FIVE.ids
    frames = []
    for dim in dims:
        mu = 3.6 + rng.normal(0, 0.15, n_groups)
        sd = rng.uniform(0.4, 0.9, n_groups)
        raw = mu[group_of] + sd[group_of] * rng.standard_normal(n_resp)
        score = np.clip(np.round(raw * 4) / 4, 1, 5)  # mean of 4 items on a 1-5 scale
        frames.append(
            pd.DataFrame(
                {
                    "respondent_id": np.arange(n_resp),
                    "group": pd.array(names[group_of], dtype="string"),
                    "dimension": dim,
                    "score": score,
                    "n_items": 4,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def timed(fn, *args, **kwargs):
    """Run twice: once timed (no tracing), once under tracemalloc for the peak memory.

    tracemalloc hooks every allocation and slows numpy- and pandas-heavy code several
    times over, so the two are measured in separate runs.
    """
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    return out, elapsed, peak_mib(fn, *args, **kwargs)


def peak_mib(fn, *args, **kwargs) -> float:
    tracemalloc.start()
    fn(*args, **kwargs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def run_ours(data: pd.DataFrame, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SmallSampleWarning for tiny communities, if any
        return an.compare_groups(
            data,
            dv="score",
            between="group",
            by="dimension",
            method="welch",
            posthoc="games-howell",
            p_adjust="holm",
            **options,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small size for development")
    parser.add_argument("--respondents", type=int, default=None)
    parser.add_argument("--groups", type=int, default=None)
    parser.add_argument("--pg-groups", type=int, default=None, help="communities for pingouin")
    args = parser.parse_args()
    n_resp = args.respondents or (100_000 if args.quick else 1_000_000)
    n_groups = args.groups or (100 if args.quick else 500)
    pg_groups = args.pg_groups or (30 if args.quick else 80)

    t0 = time.perf_counter()
    data = make_scores(n_resp, n_groups)
    gen = time.perf_counter() - t0
    pairs = n_groups * (n_groups - 1) // 2
    print(
        f"data: {len(data):,} rows ({n_resp:,} respondents x 5 dimensions), "
        f"{n_groups} communities, {pairs:,} pairs per dimension; built in {gen:.1f} s"
    )

    # warm the per-k tables of the studentized range once (cached per process)
    from analysis.stats.posthoc import studentized_range_isf, studentized_range_sf

    t0 = time.perf_counter()
    studentized_range_sf(np.array([1.0]), n_groups, np.array([10.0]))
    studentized_range_isf(0.05, n_groups, np.array([10.0]))
    warm = time.perf_counter() - t0

    full, t_full, m_full = timed(run_ours, data)
    _, t_lean, m_lean = timed(run_ours, data, assumptions=False, letters=False)
    n_pairs_out = len(full.posthoc)

    # pingouin on a subset of the same data, ours on the same subset
    import pingouin as pg

    keep = sorted(data["group"].unique())[:pg_groups]
    sub = data[(data["dimension"] == "reform") & data["group"].isin(keep)].copy()
    sub["group"] = sub["group"].astype(object)
    sub_pairs = pg_groups * (pg_groups - 1) // 2
    t0 = time.perf_counter()
    ref = pg.pairwise_gameshowell(data=sub, dv="score", between="group")
    t_pg = time.perf_counter() - t0
    # pingouin's peak memory on a quarter of the subset (a second full run would double
    # the longest part of the benchmark); its memory does not grow with the pairs' cost
    small = sub[sub["group"].isin(keep[: max(3, pg_groups // 4)])]
    m_pg = peak_mib(pg.pairwise_gameshowell, data=small, dv="score", between="group")
    mine, t_sub, m_sub = timed(
        lambda: an.compare_groups(
            sub,
            dv="score",
            between="group",
            method="welch",
            posthoc="games-howell",
            assumptions=False,
            letters=False,
        )
    )
    dp = np.abs(mine.posthoc["p_value"].to_numpy() - ref["pval"].to_numpy())
    dt = np.abs(mine.posthoc["statistic"].to_numpy() + ref["T"].to_numpy())
    per_pair = t_pg / sub_pairs
    pg_full = per_pair * pairs * 5
    # pingouin's cost is scipy's studentized_range.sf, once per pair; its cost grows with k,
    # so also time it on 100 of the real full-size pairs (k = n_groups)
    from scipy.stats import studentized_range

    ph = full.posthoc
    probe = ph.iloc[:: max(1, len(ph) // 100)].head(100)
    q_probe = np.sqrt(2) * np.abs(probe["statistic"].to_numpy())
    t1 = time.perf_counter()
    ref_probe = studentized_range.sf(q_probe, n_groups, probe["df"].to_numpy())
    per_pair_k = (time.perf_counter() - t1) / len(probe)
    pg_full_k = per_pair_k * pairs * 5
    dp_full = np.abs(probe["p_value"].to_numpy() - ref_probe)

    rows = [
        ("analysis.compare_groups, full result (5 dims)", t_full, m_full, pairs * 5),
        ("analysis.compare_groups, no assumptions/letters", t_lean, m_lean, pairs * 5),
        (f"analysis on subset (1 dim, {pg_groups} communities)", t_sub, m_sub, sub_pairs),
        ("pingouin.pairwise_gameshowell on subset", t_pg, m_pg, sub_pairs),
        ("pingouin, extrapolated from its subset cost per pair", pg_full, float("nan"), pairs * 5),
        (
            f"pingouin, extrapolated from scipy cost per pair at k={n_groups}",
            pg_full_k,
            float("nan"),
            pairs * 5,
        ),
    ]
    print(f"\nstudentized-range tables for k = {n_groups}: {warm:.2f} s (once per k)")
    print("(pingouin's peak MiB measured on a quarter of its subset)")
    print(f"{'run':<52} {'seconds':>10} {'peak MiB':>10} {'pairs':>12}")
    for name, sec, mem, npairs in rows:
        print(f"{name:<52} {sec:>10.2f} {mem:>10.1f} {npairs:>12,}")
    print(
        f"\nspeed-up on the subset: {t_pg / t_sub:.0f}x; "
        f"full size vs extrapolated pingouin: {pg_full / t_full:.0f}x"
    )
    print(
        f"agreement with pingouin on the subset: max |Δp| = {dp.max():.2e}, "
        f"max |Δt| = {dt.max():.2e}"
    )
    print(
        f"agreement with scipy at full size (100 pairs, k = {n_groups}): "
        f"max |Δp| = {dp_full.max():.2e}"
    )
    print(
        f"posthoc rows: {n_pairs_out:,}; process max RSS: "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )

    out = {
        "benchmark": "compare",
        "quick": args.quick,
        "respondents": n_resp,
        "groups": n_groups,
        "rows": len(data),
        "pairs_per_dimension": pairs,
        "warm_tables_s": warm,
        "ours_full_s": t_full,
        "ours_full_peak_mib": m_full,
        "ours_lean_s": t_lean,
        "ours_lean_peak_mib": m_lean,
        "subset_groups": pg_groups,
        "subset_pairs": sub_pairs,
        "ours_subset_s": t_sub,
        "pingouin_subset_s": t_pg,
        "pingouin_subset_peak_mib": m_pg,
        "pingouin_full_extrapolated_s": pg_full,
        "scipy_sf_per_pair_at_k_s": per_pair_k,
        "pingouin_full_extrapolated_at_k_s": pg_full_k,
        "max_abs_diff_p_full_vs_scipy": float(dp_full.max()),
        "max_abs_diff_p": float(dp.max()),
        "max_abs_diff_t": float(dt.max()),
        "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python": platform.python_version(),
        "pandas": pd.__version__,
        "numpy": np.__version__,
        "pingouin": pg.__version__,
    }
    folder = Path(__file__).parent / "results"
    folder.mkdir(exist_ok=True)
    name = "compare_quick.json" if args.quick else "compare.json"
    (folder / name).write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {folder / name}")


if __name__ == "__main__":
    main()
