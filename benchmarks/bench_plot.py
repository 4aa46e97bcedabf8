"""Benchmark the charts against the same pictures drawn with plain matplotlib.

Work measured, per side, in its own fresh subprocess (so start-up costs and the peak
resident memory, ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, belong to that side alone):

- ``font``: the first call that needs the CJK font (ours: ``find_cjk_font``, which scans
  the installed fonts and registers the bundled Noto Sans CJK SC; baseline:
  ``fontManager.addfont`` of the same file, the least a script must do);
- ``radar_per_group``: one radar per community against the overall mean, rendered to PNG
  in memory (the per-community report loop): ``plot_radar`` + ``figure_to_base64_png``
  versus a hand-written polar plot + ``savefig``;
- ``means_heatmap``: one means-with-CI chart and one heatmap of all communities saved as
  PNG (``plot_means_ci``/``plot_heatmap`` + ``save_figure`` versus ``errorbar``/``imshow``);
- ``distributions``: box plots of N respondents x 5 dimensions by dimension
  (``plot_distributions`` versus ``Axes.boxplot``).

Usage::

    python benchmarks/bench_plot.py            # 40 communities, 200,000 respondents
    python benchmarks/bench_plot.py --quick    # 8 communities, 20,000 respondents
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
RESULTS = HERE / "results"
DIMS = ["reform", "development", "livelihood", "masses", "members"]
ZH = ["服务改革", "服务发展", "服务民生", "服务群众", "服务党员"]
DPI = 100


def make_scores(n: int, groups: int, seed: int = 1):
    import pandas as pd

    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    names = np.array([f"第{i + 1}社区" for i in range(groups)])
    frames = []
    for k, d in enumerate(DIMS):
        frames.append(
            pd.DataFrame(
                {
                    "respondent_id": np.arange(n),
                    "group": names[g],
                    "dimension": d,
                    "score": np.clip(rng.normal(3.2 + 0.1 * k + 0.02 * g, 0.8), 1, 5),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def describe(scores):
    from scipy import stats

    out = scores.groupby(["dimension", "group"], sort=False)["score"].agg(["count", "mean", "std"])
    out = out.reset_index().rename(columns={"count": "n", "std": "sd"})
    half = stats.t.ppf(0.975, out["n"] - 1) * out["sd"] / np.sqrt(out["n"])
    return out.assign(ci_low=out["mean"] - half, ci_high=out["mean"] + half)


def peak_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 1024 if sys.platform != "darwin" else rss / 1024**2


def run_ours(n: int, groups: int) -> dict:
    import io

    scores = make_scores(n, groups)
    desc = describe(scores)
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    from analysis.report.charts.distributions import plot_distributions
    from analysis.report.charts.fonts import find_cjk_font
    from analysis.report.charts.groups import plot_heatmap, plot_means_ci, plot_radar
    from analysis.report.charts.output import figure_to_base64_png, save_figure

    find_cjk_font()
    t["font"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    sizes = 0
    for g in desc["group"].unique():
        ax = plot_radar(desc, groups=[g], limits=(1, 5))
        sizes += len(figure_to_base64_png(ax, dpi=DPI))
    t["radar_per_group"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    out = Path(tempfile.mkdtemp())
    save_figure(plot_means_ci(desc), out / "means.png", dpi=DPI)
    save_figure(plot_heatmap(desc), out / "heat.png", dpi=DPI)
    t["means_heatmap"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    ax = plot_distributions(scores)
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png", dpi=DPI)
    t["distributions"] = time.perf_counter() - t1
    t["total"] = time.perf_counter() - t0
    return {"times": t, "peak_mb": peak_mb(), "png_chars": sizes}


def run_baseline(n: int, groups: int) -> dict:
    import base64
    import io

    scores = make_scores(n, groups)
    desc = describe(scores)
    t: dict[str, float] = {}
    t0 = time.perf_counter()
    from importlib.util import find_spec

    from matplotlib import font_manager
    from matplotlib.figure import Figure

    path = Path(find_spec("mplfonts").submodule_search_locations[0]) / "fonts"
    font_manager.fontManager.addfont(str(path / "NotoSansCJKsc-Regular.otf"))
    family = ["Noto Sans CJK SC", "DejaVu Sans"]
    t["font"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    angles = np.linspace(0, 2 * np.pi, 5, endpoint=False)
    closed = np.append(angles, angles[:1])
    overall = scores.groupby("dimension")["score"].mean().reindex(DIMS).to_numpy()
    sizes = 0
    for g in desc["group"].unique():
        vals = desc[desc["group"] == g].set_index("dimension")["mean"].reindex(DIMS).to_numpy()
        fig = Figure(figsize=(6.4, 5.6))
        ax = fig.add_subplot(projection="polar")
        ax.set_theta_offset(np.pi / 2)
        ax.set_theta_direction(-1)
        ax.plot(closed, np.append(vals, vals[:1]), marker="o", label=g)
        ax.plot(closed, np.append(overall, overall[:1]), "--", color="#333333", label="总体均值")
        ax.set_xticks(angles)
        ax.set_xticklabels(ZH, fontfamily=family)
        ax.set_ylim(1, 5)
        ax.legend(prop={"family": family})
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
        sizes += len(base64.b64encode(buf.getvalue()))
    t["radar_per_group"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    fig = Figure(figsize=(8, 4.4))
    ax = fig.add_subplot()
    names = list(desc["group"].unique())
    step = 0.75 / len(names)
    for j, g in enumerate(names):
        rows = desc[desc["group"] == g].set_index("dimension").reindex(DIMS)
        x = np.arange(5) + (j - (len(names) - 1) / 2) * step
        err = [rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]]
        ax.errorbar(x, rows["mean"], yerr=err, fmt="o", label=g)
    ax.set_xticks(range(5), ZH, fontfamily=family)
    out = Path(tempfile.mkdtemp())
    fig.savefig(out / "means.png", dpi=DPI, bbox_inches="tight")
    fig = Figure(figsize=(7, 12))
    ax = fig.add_subplot()
    wide = desc.pivot(index="group", columns="dimension", values="mean").reindex(columns=DIMS)
    im = ax.imshow(wide.to_numpy(), cmap="cividis", aspect="auto")
    for i in range(wide.shape[0]):
        for j in range(5):
            ax.text(j, i, f"{wide.iloc[i, j]:.2f}", ha="center", va="center")
    ax.set_xticks(range(5), ZH, fontfamily=family)
    ax.set_yticks(range(len(wide)), wide.index, fontfamily=family)
    fig.colorbar(im, ax=ax)
    fig.savefig(out / "heat.png", dpi=DPI, bbox_inches="tight")
    t["means_heatmap"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    fig = Figure()
    ax = fig.add_subplot()
    ax.boxplot([scores.loc[scores["dimension"] == d, "score"].to_numpy() for d in DIMS])
    ax.set_xticks(range(1, 6), ZH, fontfamily=family)
    fig.savefig(io.BytesIO(), format="png", dpi=DPI)
    t["distributions"] = time.perf_counter() - t1
    t["total"] = time.perf_counter() - t0
    return {"times": t, "peak_mb": peak_mb(), "png_chars": sizes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="8 communities, 20,000 respondents")
    ap.add_argument("--n", type=int, default=None, help="respondents (default 200,000)")
    ap.add_argument("--groups", type=int, default=None, help="communities (default 40)")
    ap.add_argument("--worker", choices=["ours", "baseline"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = args.n or (20_000 if args.quick else 200_000)
    groups = args.groups or (8 if args.quick else 40)
    if args.worker:
        run = run_ours if args.worker == "ours" else run_baseline
        print(json.dumps(run(n, groups)))
        return
    results = {}
    for side in ("ours", "baseline"):
        cmd = [sys.executable, __file__, "--worker", side, "--n", str(n), "--groups", str(groups)]
        env = {**os.environ, "MPLBACKEND": "Agg"}
        out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
        results[side] = json.loads(out.stdout.strip().splitlines()[-1])
    steps = ["font", "radar_per_group", "means_heatmap", "distributions", "total"]
    print(f"charts: {groups} communities, {n:,} respondents x 5 dimensions, dpi {DPI}")
    print(f"{'step':<18}{'ours (s)':>10}{'baseline (s)':>14}{'ratio':>8}")
    for step in steps:
        a, b = results["ours"]["times"][step], results["baseline"]["times"][step]
        print(f"{step:<18}{a:>10.3f}{b:>14.3f}{a / b:>8.2f}")
    print(
        f"{'peak RSS (MB)':<18}{results['ours']['peak_mb']:>10.0f}"
        f"{results['baseline']['peak_mb']:>14.0f}"
    )
    RESULTS.mkdir(exist_ok=True)
    payload = {
        "n": n,
        "groups": groups,
        "dpi": DPI,
        "python": platform.python_version(),
        "machine": platform.machine(),
        **results,
    }
    (RESULTS / "bench_plot.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
