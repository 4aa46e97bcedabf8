"""Correlations as R's ``cor.test`` and ``psych::corr.test`` report them.

* :func:`cor_test`: Pearson's r with the t test and the Fisher-z interval, or Spearman's ρ
  with R's p value (exact permutation distribution for n ≤ 9, the AS 89 Edgeworth series
  for 10 ≤ n ≤ 1290, the t approximation with ties or beyond 1290 respondents);
* :func:`correlation_matrix`: every pair of columns, pairwise-complete, with p values
  (adjusted across the pairs as psych does by default: Holm), Fisher-z intervals and the
  usual stars.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.core import apa
from analysis.core.errors import InputError, check_columns, check_option
from analysis.core.words import Lang
from analysis.report.display import Displayable

__all__ = [
    "CorrelationMatrix",
    "CorrelationResult",
    "cor_test",
    "correlation_matrix",
    "spearman_pvalue",
    "stars",
]

Method = Literal["pearson", "spearman"]
Alternative = Literal["two-sided", "greater", "less"]

# Edgeworth-series coefficients of AS 89 (Best & Roberts, 1975)
_AS89 = (0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932, 0.0879, 0.0151, 0.0072, 0.0831,
         0.0131, 4.6e-4)  # fmt: skip


@functools.lru_cache(maxsize=9)
def _perm_sums(n: int) -> np.ndarray:
    """Σ (i - π_i)² over all n! permutations π (n ≤ 9), sorted."""
    perms = np.array(list(itertools.permutations(range(n))), dtype=np.int16)
    d = perms - np.arange(n, dtype=np.int16)
    return np.sort((d.astype(np.int32) ** 2).sum(axis=1))


def _prho(n: int, s: float, lower_tail: bool) -> float:
    """P(S ≥ s) (or P(S < s) when ``lower_tail``) for S = Σ d² under independence.

    The algorithm of R's ``prho`` (AS 89 as changed in R): exact enumeration for n ≤ 9,
    the Edgeworth series of Best & Roberts (1975) otherwise.
    """
    from scipy.special import ndtr

    start = 0.0 if lower_tail else 1.0
    if n <= 1 or s <= 0:
        return start
    n3 = n * (n * n - 1.0) / 3.0  # largest possible S
    if s > n3:
        return 1.0 - start
    if n <= 9:
        sums = _perm_sums(n)
        upper = sums.size - np.searchsorted(sums, s, side="left")  # count of S ≥ s
        count = sums.size - upper if lower_tail else upper
        return float(count / sums.size)
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _AS89
    b = 1.0 / n
    x = (6.0 * (s - 1) * b / (n * n - 1.0) - 1.0) * np.sqrt(n - 1.0)
    y = x * x
    u = (
        x
        * b
        * (
            c1
            + b * (c2 + c3 * b)
            + y
            * (
                -c4
                + b * (c5 + c6 * b)
                - y * b * (c7 + c8 * b - y * (c9 - c10 * b + y * b * (c11 - c12 * y)))
            )
        )
    )
    y = u / np.exp(y / 2.0)
    tail = ndtr(x) if lower_tail else ndtr(-x)
    return float(min(max((-y if lower_tail else y) + tail, 0.0), 1.0))


def spearman_pvalue(
    rho: float, n: int, *, ties: bool = False, alternative: Alternative = "two-sided"
) -> tuple[float, str]:
    """R's ``cor.test(method = "spearman")`` p value for ρ from n pairs.

    Parameters
    ----------
    rho
        Spearman's ρ (Pearson's r of the mid-ranks).
    n
        Number of complete pairs.
    ties
        Whether either variable has ties: then, as R, the t approximation is used.
    alternative
        ``"two-sided"``, ``"greater"`` (positive association) or ``"less"``.

    Returns
    -------
    p : float
    method : str
        ``"exact"`` (n ≤ 9), ``"edgeworth"`` (AS 89, 10 ≤ n ≤ 1290) or ``"t"``.

    Notes
    -----
    S = (n³ - n)(1 - ρ)/6. Without ties and n ≤ 1290, R evaluates P(S ≥ round(S)) (or
    P(S < round(S) + 2) for the lower tail) by its ``prho``: every permutation for n ≤ 9,
    the Edgeworth series of AS 89 (Best & Roberts, 1975) above. Otherwise
    t = ρ √((n - 2)/(1 - ρ²)) on n - 2 df. The two-sided p doubles the tail on the side
    of S and is capped at 1.

    References
    ----------
    Best, D. J., & Roberts, D. E. (1975). Algorithm AS 89: The upper tail probabilities of
    Spearman's rho. *Applied Statistics, 24*(3), 377-379.
    """
    from scipy import stats

    check_option("alternative", alternative, ("two-sided", "greater", "less"), owner="spearman")
    if n < 3 or not np.isfinite(rho):
        return float("nan"), "t"
    q = (n**3 - n) * (1 - rho) / 6
    exact = not ties and n <= 1290

    def tail(lower: bool) -> float:
        if exact:
            return _prho(n, round(q) + 2 * lower, lower)
        r = 1 - q / ((n * (n**2 - 1)) / 6)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = r / np.sqrt((1 - r**2) / (n - 2))
        return float(stats.t.sf(t, n - 2) if lower else stats.t.cdf(t, n - 2))

    if alternative == "greater":
        p = tail(True)
    elif alternative == "less":
        p = tail(False)
    else:
        p = min(2 * tail(q <= (n**3 - n) / 6), 1.0)
    method = "t" if not exact else ("exact" if n <= 9 else "edgeworth")
    return float(p), method


def _fisher_ci(r: float, n: int, conf_level: float, alternative: str) -> tuple[float, float]:
    """Fisher-z interval of a correlation (R's ``cor.test``; NaN for n ≤ 3)."""
    from scipy.special import ndtri

    if n <= 3 or not np.isfinite(r):
        return float("nan"), float("nan")
    z = np.arctanh(np.clip(r, -1.0, 1.0))
    sigma = 1 / np.sqrt(n - 3)
    if alternative == "greater":
        return float(np.tanh(z - sigma * ndtri(conf_level))), 1.0
    if alternative == "less":
        return -1.0, float(np.tanh(z + sigma * ndtri(conf_level)))
    half = sigma * ndtri((1 + conf_level) / 2)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def _pair(x: np.ndarray, y: np.ndarray, method: str, alternative: str, conf_level: float):
    from scipy import stats

    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = int(ok.sum())
    row: dict[str, Any] = {"n": n, "method": method}
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {**row, "estimate": np.nan, "statistic": np.nan, "df": np.nan,
                "p_value": np.nan, "ci_low": np.nan, "ci_high": np.nan, "p_method": ""}  # fmt: skip
    if method == "spearman":
        ties = min(len(np.unique(x)), len(np.unique(y))) < n
        x, y = stats.rankdata(x), stats.rankdata(y)
    r = float(np.corrcoef(x, y)[0, 1])
    lo, hi = _fisher_ci(r, n, conf_level, alternative)
    if method == "spearman":
        p, how = spearman_pvalue(r, n, ties=ties, alternative=alternative)  # type: ignore[arg-type]
        stat, df = (n**3 - n) * (1 - r) / 6, np.nan
    else:
        df = n - 2
        with np.errstate(divide="ignore"):
            stat = np.sqrt(df) * r / np.sqrt(1 - r**2)
        if alternative == "greater":
            p = stats.t.sf(stat, df)
        elif alternative == "less":
            p = stats.t.cdf(stat, df)
        else:
            p = 2 * stats.t.sf(abs(stat), df)
        how = "t"
    return {**row, "estimate": r, "statistic": float(stat), "df": df, "p_value": float(p),
            "ci_low": lo, "ci_high": hi, "p_method": how}  # fmt: skip


@dataclass(frozen=True)
class CorrelationResult(Displayable):
    """Result of :func:`cor_test`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row: ``x``, ``y``, ``method``, ``n``, ``estimate`` (r or ρ), ``statistic``
        (t for Pearson, S for Spearman, as R), ``df``, ``p_value``, ``p_method`` (``t``,
        ``exact``, ``edgeworth``), ``ci_low``, ``ci_high`` (Fisher z), ``alternative``.
    params : Mapping
    """

    table: pd.DataFrame
    params: Mapping[str, Any]

    def summary(self, lang: Lang = "zh") -> str:
        """APA sentence, e.g. ``r(28) = .37, p = .043, 95% CI [.01, .64]``."""
        check_option("lang", lang, ("zh", "en"), owner="CorrelationResult.summary")
        row = self.table.iloc[0]
        return _sentence(row, self.params["conf_level"], lang)


def _sentence(row: pd.Series, conf_level: float, lang: Lang) -> str:
    est = apa.format_number(row["estimate"], leading_zero=False)
    if row["method"] == "pearson":
        head = f"r({apa.format_df(row['n'] - 2)}) = {est}"
    else:
        head = f"ρ = {est}, N = {int(row['n'])}"
    ci = apa.format_ci(row["ci_low"], row["ci_high"], conf_level, leading_zero=False)
    text = f"{head}, {apa.format_p(row['p_value'])}"
    if row["method"] == "pearson":
        text += f", {ci}"
    how = {
        "zh": {"t": "t 近似", "exact": "精确置换分布", "edgeworth": "AS 89 Edgeworth 级数"},
        "en": {"t": "t approximation", "exact": "exact permutation distribution",
               "edgeworth": "AS 89 Edgeworth series"},
    }[lang].get(row["p_method"], "")  # fmt: skip
    if lang == "zh":
        name = "Pearson 相关" if row["method"] == "pearson" else "Spearman 等级相关"
        p_note = f"（p 值：{how}）" if row["method"] == "spearman" else ""
        return f"{row['x']} 与 {row['y']} 的{name}：{text}{p_note}。"
    name = "Pearson correlation" if row["method"] == "pearson" else "Spearman rank correlation"
    p_note = f" (p from the {how})" if row["method"] == "spearman" else ""
    return f"{name} of {row['x']} and {row['y']}: {text}{p_note}."


def _numeric(data: pd.DataFrame, col: str, owner: str) -> np.ndarray:
    values = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
    if np.isfinite(values).sum() == 0:
        raise InputError(f"{owner}: column {col!r} has no numeric values")
    return values


def cor_test(
    data: pd.DataFrame,
    x: str,
    y: str,
    *,
    method: Method = "pearson",
    alternative: Alternative = "two-sided",
    conf_level: float = 0.95,
) -> CorrelationResult:
    """Test one correlation, as R's ``cor.test``.

    Parameters
    ----------
    data
        One row per respondent (or community).
    x, y
        Numeric columns; pairs with a missing value are dropped.
    method
        ``"pearson"`` or ``"spearman"``.
    alternative
        ``"two-sided"``, ``"greater"`` or ``"less"``.
    conf_level
        Level of the Fisher-z interval.

    Returns
    -------
    CorrelationResult

    Notes
    -----
    Pearson: t = r √(n - 2) / √(1 - r²) on n - 2 df; interval tanh(atanh r ± z σ) with
    σ = 1/√(n - 3) (``cor.test``; none for n ≤ 3). Spearman: ρ is Pearson's r of the
    mid-ranks; its p value is R's (:func:`spearman_pvalue`: exact or Edgeworth without
    ties, t approximation with ties, where R warns "Cannot compute exact p-value with
    ties"); the Fisher-z interval of ρ is the one ``psych::corr.test`` reports (R's
    ``cor.test`` gives none for ρ).
    """
    check_columns(data, [x, y], owner="cor_test")
    check_option("method", method, ("pearson", "spearman"), owner="cor_test")
    check_option("alternative", alternative, ("two-sided", "greater", "less"), owner="cor_test")
    row = _pair(
        _numeric(data, x, "cor_test"), _numeric(data, y, "cor_test"), method, alternative,
        conf_level,
    )  # fmt: skip
    if row["n"] < 3:
        raise InputError(f"cor_test: {x!r} and {y!r} have {row['n']} complete pairs; need 3")
    table = pd.DataFrame([{"x": x, "y": y, **row, "alternative": alternative}])
    params = {"method": method, "alternative": alternative, "conf_level": conf_level}
    return CorrelationResult(table=table, params=params)


def stars(p: float) -> str:
    """``***`` p < .001, ``**`` p < .01, ``*`` p < .05, else empty (R's usual legend)."""
    if not np.isfinite(p):
        return ""
    return "***" if p < 0.001 else "**" if p < 0.01 else "*" if p < 0.05 else ""


@dataclass(frozen=True)
class CorrelationMatrix(Displayable):
    """Result of :func:`correlation_matrix`.

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per pair: ``x``, ``y``, ``n``, ``estimate``, ``p_value``, ``p_adj``,
        ``ci_low``, ``ci_high`` (Fisher z, unadjusted), ``stars`` (from ``p_adj``),
        ``p_method``.
    matrix : pandas.DataFrame
        The lower triangle as printed in papers: ``.35**`` (stars from the adjusted p);
        the diagonal is ``—``.
    params : Mapping
    """

    pairs: pd.DataFrame
    matrix: pd.DataFrame
    params: Mapping[str, Any]

    def summary(self, lang: Lang = "zh") -> str:
        """What the stars mean and how p was adjusted."""
        check_option("lang", lang, ("zh", "en"), owner="CorrelationMatrix.summary")
        adjust = self.params["p_adjust"] or "none"
        name = "Pearson" if self.params["method"] == "pearson" else "Spearman"
        if lang == "zh":
            adj = "未校正" if adjust == "none" else f"经 {adjust} 校正"
            return (
                f"{name} 相关矩阵（成对删除）；* p < .05，** p < .01，*** p < .001（{adj}的 p）。"
            )
        adj = "unadjusted" if adjust == "none" else f"{adjust}-adjusted"
        return (
            f"{name} correlations (pairwise complete); * p < .05, ** p < .01, *** p < .001 "
            f"({adj} p)."
        )


def correlation_matrix(
    data: pd.DataFrame,
    columns: Sequence[str],
    *,
    method: Method = "pearson",
    p_adjust: str | None = "holm",
    conf_level: float = 0.95,
) -> CorrelationMatrix:
    """Correlations of every pair of ``columns`` with p values, intervals and stars.

    Parameters
    ----------
    data
        One row per respondent.
    columns
        Numeric columns, in the order of the matrix.
    method
        ``"pearson"`` or ``"spearman"``.
    p_adjust
        Adjustment across the pairs: ``"holm"`` (default, as ``psych::corr.test``),
        ``"bonferroni"``, ``"fdr_bh"`` or ``"none"``.
    conf_level
        Level of the Fisher-z intervals.

    Returns
    -------
    CorrelationMatrix

    Notes
    -----
    Each pair uses the respondents who answered both (``use = "pairwise"``). For Pearson,
    p and the interval are those of ``cor.test`` on the pair; for Spearman, p is R's
    ``cor.test`` p (:func:`spearman_pvalue`) where ``psych::corr.test`` would use the t
    approximation throughout. Stars follow the adjusted p.
    """
    from analysis.stats.multitest import adjust_p

    columns = list(columns)
    check_columns(data, columns, owner="correlation_matrix")
    check_option("method", method, ("pearson", "spearman"), owner="correlation_matrix")
    if len(columns) < 2:
        raise InputError("correlation_matrix: needs at least two columns")
    values = {c: _numeric(data, c, "correlation_matrix") for c in columns}
    rows = []
    for a, b in itertools.combinations(columns, 2):
        rows.append(
            {"x": a, "y": b, **_pair(values[a], values[b], method, "two-sided", conf_level)}
        )
    pairs = pd.DataFrame(rows)
    pairs["p_adj"] = adjust_p(pairs["p_value"].to_numpy(dtype=float), p_adjust)
    pairs["stars"] = [stars(p) for p in pairs["p_adj"]]
    pairs = pairs[["x", "y", "n", "estimate", "p_value", "p_adj", "ci_low", "ci_high", "stars",
                   "p_method"]]  # fmt: skip
    matrix = pd.DataFrame("", index=columns, columns=columns)
    for c in columns:
        matrix.loc[c, c] = "—"
    for r in pairs.itertuples():
        cell = apa.format_number(r.estimate, leading_zero=False) + r.stars
        matrix.loc[r.y, r.x] = cell
    params = {"method": method, "p_adjust": p_adjust, "conf_level": conf_level}
    return CorrelationMatrix(pairs=pairs, matrix=matrix, params=params)
