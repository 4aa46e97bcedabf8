"""Per-group summaries for :func:`analysis.stats.compare.compare_groups`.

Each function takes the internal frame of one ``by`` value, with columns ``_y`` (value),
``_g`` (group) and ``_w`` (weight, 1 when unweighted).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["assumptions", "descriptives", "ranks", "summaries", "weighted_quantiles"]

SHAPIRO_MAX_N = 5000


def summaries(sub: pd.DataFrame, weighted: bool) -> pd.DataFrame:
    """Per group: ``n``, ``mean``, ``var`` (ddof 1) and ``n_eff``, indexed by group.

    Notes
    -----
    Weighted: mean = Σ w y / Σ w, n_eff = (Σ w)² / Σ w² (Kish), and
    var = Σ w (y - mean)² / Σ w · n_eff / (n_eff - 1).
    """
    g = sub.groupby("_g", sort=True, observed=True)
    if not weighted:
        out = g["_y"].agg(["count", "mean", "var"])
        out.columns = ["n", "mean", "var"]
        out["n_eff"] = out["n"].astype(float)
        return out
    tmp = sub.assign(_wy=sub["_w"] * sub["_y"], _w2=sub["_w"] ** 2)
    s = tmp.groupby("_g", sort=True, observed=True)[["_w", "_wy", "_w2"]].sum()
    mean = s["_wy"] / s["_w"]
    own_mean = mean.reindex(sub["_g"].to_numpy()).to_numpy()
    dev2 = (sub["_y"] - own_mean) ** 2 * sub["_w"]
    ss = dev2.groupby(sub["_g"], sort=True, observed=True).sum()
    n_eff = s["_w"] ** 2 / s["_w2"]
    out = pd.DataFrame(
        {
            "n": g["_y"].count(),
            "mean": mean,
            # Σw(y - m)² / Σw · n_eff / (n_eff - 1): unbiased under the effective sample size
            "var": ss / s["_w"] * n_eff / (n_eff - 1),
            "n_eff": n_eff,
        }
    )
    return out


def ranks(sub: pd.DataFrame) -> dict[str, Any]:
    """Mid-ranks over the pooled values: per-group rank sums, mean ranks and sizes, and
    the tie term Σ (t³ - t)."""
    y = sub["_y"]
    r = y.rank(method="average")
    counts = y.value_counts().to_numpy(dtype=float)
    rs = r.groupby(sub["_g"], sort=True, observed=True).agg(["sum", "mean", "count"])
    return {
        "rank_sum": rs["sum"].to_numpy(dtype=float),
        "mean_rank": rs["mean"].to_numpy(dtype=float),
        "n": rs["count"].to_numpy(dtype=float),
        "tie_sum": float((counts**3 - counts).sum()),
        "total_n": float(len(y)),
    }


def descriptives(
    sub: pd.DataFrame, summ: pd.DataFrame, weighted: bool, level: float
) -> pd.DataFrame:
    """The ``descriptives`` frame of :class:`analysis.CompareResult` for one ``by`` value.

    Notes
    -----
    CI = mean ± t_{(1+level)/2, n_eff - 1} · sd / √n_eff; quantiles are pandas' linear
    interpolation (R type 7), or weighted quantiles when weighted.
    """
    from scipy import stats

    n_eff = summ["n_eff"].to_numpy(dtype=float)
    sd = np.sqrt(summ["var"].to_numpy(dtype=float))
    se = sd / np.sqrt(n_eff)
    with np.errstate(invalid="ignore", divide="ignore"):
        crit = stats.t.isf((1 - level) / 2, np.where(n_eff > 1, n_eff - 1, np.nan))
    mean = summ["mean"].to_numpy(dtype=float)
    if weighted:
        q = weighted_quantiles(sub, summ.index)
    else:
        grouped = sub.groupby("_g", sort=True, observed=True)["_y"]
        q = grouped.quantile([0.5, 0.25, 0.75]).unstack()
        q.columns = ["median", "q1", "q3"]
        q = q.reindex(summ.index)
    return pd.DataFrame(
        {
            "group": summ.index.to_numpy(),
            "n": summ["n"].to_numpy(dtype=int),
            "n_eff": n_eff,
            "mean": mean,
            "sd": sd,
            "se": se,
            "ci_low": mean - crit * se,
            "ci_high": mean + crit * se,
            "median": q["median"].to_numpy(dtype=float),
            "q1": q["q1"].to_numpy(dtype=float),
            "q3": q["q3"].to_numpy(dtype=float),
        }
    )


def weighted_quantiles(sub: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """Weighted quantiles: the smallest y whose cumulative weight share reaches p."""
    rows = {}
    for g, part in sub.groupby("_g", sort=True, observed=True):
        order = np.argsort(part["_y"].to_numpy(), kind="mergesort")
        y = part["_y"].to_numpy()[order]
        cw = np.cumsum(part["_w"].to_numpy()[order])
        share = cw / cw[-1]
        rows[g] = [y[np.searchsorted(share, p - 1e-12)] for p in (0.5, 0.25, 0.75)]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["median", "q1", "q3"])
    return out.reindex(index)


def assumptions(sub: pd.DataFrame, summ: pd.DataFrame) -> pd.DataFrame:
    """Levene's test centred on means and on medians (Brown-Forsythe), and Shapiro-Wilk
    per group (3 ≤ n ≤ 5000), each with a note on what its sample size lets it say."""
    from scipy import stats

    from analysis.stats import omnibus

    rows = []
    for test, center in (("levene_mean", "mean"), ("levene_median", "median")):
        centre = sub.groupby("_g", sort=True, observed=True)["_y"].transform(center)
        dev = (sub["_y"] - centre).abs()
        g = dev.groupby(sub["_g"], sort=True, observed=True).agg(["count", "mean", "var"])
        if (g["var"] > 0).any():
            res = omnibus.anova(
                g["count"].to_numpy(float), g["mean"].to_numpy(float), g["var"].to_numpy(float)
            )
        else:
            res = {"statistic": np.nan, "df1": np.nan, "df2": np.nan, "p_value": np.nan}
        rows.append(
            {
                "test": test,
                "group": None,
                **{c: res[c] for c in ("statistic", "df1", "df2", "p_value")},
                "n": int(g["count"].sum()),
                "note": "unweighted" if test == "levene_mean" else "Brown-Forsythe variant",
            }
        )
    for grp, part in sub.groupby("_g", sort=True, observed=True):
        y = part["_y"].to_numpy()
        note = "large n: tiny departures from normality become significant; judge by a Q-Q plot"
        stat, p = np.nan, np.nan
        if y.size < 3 or np.ptp(y) == 0:
            note = "not computed: fewer than 3 values or no variation"
        elif y.size > SHAPIRO_MAX_N:
            note = f"not computed: n > {SHAPIRO_MAX_N}, where the test only reflects n"
        else:
            stat, p = stats.shapiro(y)
            if y.size < 50:
                note = "small n: low power to detect non-normality"
        rows.append(
            {
                "test": "shapiro",
                "group": grp,
                "statistic": float(stat),
                "df1": np.nan,
                "df2": np.nan,
                "p_value": float(p),
                "n": int(y.size),
                "note": note,
            }
        )
    return pd.DataFrame(rows)
