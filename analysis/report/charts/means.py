"""Group x dimension means and t intervals for the group charts, from descriptives or raw
scores.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.errors import InputError
from analysis.report.charts.base import _numeric, _require


def _t_ci(mean: np.ndarray, sd: np.ndarray, n: np.ndarray, confidence: float) -> np.ndarray:
    from scipy import stats

    with np.errstate(divide="ignore", invalid="ignore"):
        se = sd / np.sqrt(n)
        crit = np.where(n > 1, stats.t.ppf(0.5 + confidence / 2, np.maximum(n - 1, 1)), np.nan)
    return crit * se


def _describe(
    data: pd.DataFrame,
    *,
    group: str | None,
    dimension: str,
    value: str,
    confidence: float,
    owner: str,
) -> pd.DataFrame:
    """Per (group, dimension): n, mean, sd, ci_low, ci_high from raw scores (t interval)."""
    keys = [k for k in (group, dimension) if k is not None]
    frame = data[keys].copy()
    frame["_v"] = _numeric(data, value, owner=owner)
    frame = frame.dropna(subset=["_v"])
    grouped = frame.groupby(keys, sort=False, observed=True, dropna=True)["_v"]
    out = grouped.agg(n="count", mean="mean").reset_index()
    sd = grouped.std(ddof=1).reindex(pd.MultiIndex.from_frame(out[keys])).to_numpy()
    out["sd"] = sd
    half = _t_ci(out["mean"].to_numpy(), sd, out["n"].to_numpy(float), confidence)
    out["ci_low"] = out["mean"] - half
    out["ci_high"] = out["mean"] + half
    return out


def _means_table(
    data: pd.DataFrame,
    *,
    group: str,
    dimension: str,
    value: str | None,
    owner: str,
) -> tuple[pd.DataFrame, str]:
    """Group x dimension means from descriptives (``mean``) or raw scores (``score``)."""
    if value is None:
        _require(data, [], owner=owner)
        if "mean" not in data.columns and "score" not in data.columns:
            found = ", ".join(repr(str(c)) for c in list(data.columns)[:12])
            raise InputError(
                f"{owner}: data has no column 'mean' (descriptives) or 'score' (raw scores); "
                f"columns found: {found or 'none'}. Pass value= to name the column.",
                column="mean",
            )
        value = "mean" if "mean" in data.columns else "score"
    _require(data, [group, dimension, value], owner=owner)
    if value == "mean" or not data.duplicated([group, dimension]).any():
        table = data[[group, dimension]].copy()
        table["mean"] = _numeric(data, value, owner=owner)
        if "n" in data.columns:
            table["n"] = pd.to_numeric(data["n"], errors="coerce")
        return table, "descriptives"
    table = _describe(
        data, group=group, dimension=dimension, value=value, confidence=0.95, owner=owner
    )
    return table[[group, dimension, "mean", "n"]], "scores"


def _overall_means(
    data: pd.DataFrame,
    table: pd.DataFrame,
    kind: str,
    *,
    dimension: str,
    value: str | None,
    owner: str,
) -> pd.Series:
    """Overall mean per dimension: respondent-level mean (n-weighted when from descriptives)."""
    if kind == "scores":
        col = value or "score"
        vals = _numeric(data, col, owner=owner)
        frame = pd.DataFrame({"d": data[dimension].to_numpy(), "v": vals.to_numpy()}).dropna()
        return frame.groupby("d", sort=False)["v"].mean()
    if "n" in table.columns and table["n"].notna().all() and (table["n"] > 0).all():
        frame = table.assign(_w=table["mean"] * table["n"]).dropna(subset=["mean"])
        sums = frame.groupby(dimension, sort=False)[["_w", "n"]].sum()
        return sums["_w"] / sums["n"]
    return table.dropna(subset=["mean"]).groupby(dimension, sort=False)["mean"].mean()
