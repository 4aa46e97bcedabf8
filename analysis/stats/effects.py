"""Effect sizes for two groups and percentile bootstrap intervals."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["bootstrap_ci", "cohen_d", "hedges_g", "rank_biserial"]


def cohen_d(
    n_a: float, mean_a: float, var_a: float, n_b: float, mean_b: float, var_b: float
) -> float:
    """Cohen's d of group b against group a with the pooled SD.

    Notes
    -----
    d = (m_b - m_a) / s_p, s_p² = ((n_a - 1) s_a² + (n_b - 1) s_b²) / (n_a + n_b - 2).
    """
    pooled = ((n_a - 1) * var_a + (n_b - 1) * var_b) / (n_a + n_b - 2)
    return float((mean_b - mean_a) / np.sqrt(pooled))


def hedges_g(
    n_a: float, mean_a: float, var_a: float, n_b: float, mean_b: float, var_b: float
) -> tuple[float, float, float]:
    """Hedges' g (bias-corrected d) with a normal-approximation 95% CI.

    Returns
    -------
    tuple of float
        ``(g, ci_low, ci_high)``.

    Notes
    -----
    g = J d with J = Γ(df/2) / (√(df/2) Γ((df - 1)/2)), df = n_a + n_b - 2 (exact form;
    ≈ 1 - 3 / (4 df - 1)). SE(g) = √((n_a + n_b)/(n_a n_b) + g² / (2 (n_a + n_b)))
    (Hedges & Olkin, 1985, eq. 5.14).
    """
    from scipy.special import gammaln

    d = cohen_d(n_a, mean_a, var_a, n_b, mean_b, var_b)
    df = n_a + n_b - 2
    j = float(np.exp(gammaln(df / 2) - np.log(np.sqrt(df / 2)) - gammaln((df - 1) / 2)))
    g = j * d
    se = np.sqrt((n_a + n_b) / (n_a * n_b) + g**2 / (2 * (n_a + n_b)))
    return g, float(g - 1.959963984540054 * se), float(g + 1.959963984540054 * se)


def rank_biserial(n_a: float, n_b: float, rank_sum_b: float) -> float:
    """Rank-biserial correlation of group b over group a from the Mann-Whitney U.

    Notes
    -----
    U_b = R_b - n_b (n_b + 1) / 2 (ranks of the pooled two groups), r = 2 U_b / (n_a n_b) - 1:
    the share of pairs where b is larger minus the share where a is larger (Kerby, 2014).
    """
    u_b = rank_sum_b - n_b * (n_b + 1) / 2
    return float(2 * u_b / (n_a * n_b) - 1)


def bootstrap_ci(
    groups: Sequence[np.ndarray],
    statistic: Callable[[Sequence[np.ndarray]], float],
    *,
    n_boot: int = 1000,
    conf_level: float = 0.95,
    seed: int | None = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI, resampling within each group (stratified).

    Parameters
    ----------
    groups
        One array of observations per group.
    statistic
        Function of the list of resampled groups.
    n_boot
        Resamples.
    conf_level
        Coverage.
    seed
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    tuple of float
        ``(ci_low, ci_high)``; NaN when ``n_boot`` is 0.
    """
    if n_boot <= 0:
        return np.nan, np.nan
    rng = np.random.default_rng(seed)
    values = np.empty(n_boot)
    for i in range(n_boot):
        values[i] = statistic([g[rng.integers(0, g.size, g.size)] for g in groups])
    values = values[np.isfinite(values)]
    if values.size == 0:
        return np.nan, np.nan
    tail = (1 - conf_level) / 2 * 100
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)
