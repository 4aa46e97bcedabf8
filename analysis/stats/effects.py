"""Effect sizes and their confidence intervals.

Two groups: Cohen's d, Hedges' g, rank-biserial r. k groups: noncentrality intervals of the
F test and the proportion of variance explained (the parameter η² and ω² estimate). Any
statistic: stratified percentile bootstrap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = [
    "bootstrap_ci",
    "cohen_d",
    "cramers_v",
    "f_ncp_ci",
    "hedges_g",
    "pvaf_ci",
    "pve_ci",
    "rank_biserial",
    "t_ncp_ci",
]


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


def t_ncp_ci(t: float, df: float, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Two-sided interval of the noncentrality parameter of an observed t.

    The limits solve P(T' ≤ t | δ) = 1 - α/2 and α/2 with T' ~ t(df, δ) (Steiger & Fouladi,
    1997), as effectsize's ``.get_ncp_t``.
    """
    from scipy import optimize, stats

    if not (np.isfinite(t) and np.isfinite(df) and df > 0):
        return np.nan, np.nan
    tail = (1 - conf_level) / 2

    def solve(prob: float) -> float:
        def gap(delta: float) -> float:
            value = float(stats.nct.cdf(t, df, delta))
            if np.isnan(value):  # far in a tail, where scipy's series gives up
                value = 0.0 if delta > t else 1.0
            return value - prob

        width = 5.0 + abs(t) / 2
        lo, hi = t - width, t + width
        while gap(lo) < 0:
            lo -= width
        while gap(hi) > 0:
            hi += width
        return float(optimize.brentq(gap, lo, hi, xtol=1e-12))

    return solve(1 - tail), solve(tail)


def hedges_g(
    n_a: float,
    mean_a: float,
    var_a: float,
    n_b: float,
    mean_b: float,
    var_b: float,
    *,
    conf_level: float = 0.95,
) -> tuple[float, float, float]:
    """Hedges' g (bias-corrected d) with the noncentral-t interval of ``effectsize``.

    Parameters
    ----------
    n_a, mean_a, var_a, n_b, mean_b, var_b
        Size, mean and unbiased variance of groups a and b.
    conf_level
        Coverage of the two-sided interval.

    Returns
    -------
    tuple of float
        ``(g, ci_low, ci_high)``.

    Notes
    -----
    g = J d with J = Γ(df/2) / (√(df/2) Γ((df - 1)/2)), df = n_a + n_b - 2 (exact form;
    ≈ 1 - 3 / (4 df - 1)). Interval: the noncentrality interval [δ_L, δ_U] of the pooled
    t = d / √(1/n_a + 1/n_b) (:func:`t_ncp_ci`), times √(1/n_a + 1/n_b) and J, as R's
    ``effectsize::hedges_g(pooled_sd = TRUE)`` (Steiger & Fouladi, 1997; exact under
    normality, where the normal approximation of Hedges & Olkin is too narrow in small
    groups).
    """
    from scipy.special import gammaln

    d = cohen_d(n_a, mean_a, var_a, n_b, mean_b, var_b)
    df = n_a + n_b - 2
    j = float(np.exp(gammaln(df / 2) - np.log(np.sqrt(df / 2)) - gammaln((df - 1) / 2)))
    h = np.sqrt(1 / n_a + 1 / n_b)
    lo, hi = t_ncp_ci(d / h, df, conf_level=conf_level)
    return j * d, float(j * lo * h), float(j * hi * h)


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


def f_ncp_ci(f: float, df1: float, df2: float, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Two-sided CI of the noncentrality parameter λ of an observed F statistic.

    Parameters
    ----------
    f
        Observed F.
    df1, df2
        Numerator and denominator degrees of freedom (need not be whole: Welch,
        Brown-Forsythe).
    conf_level
        Coverage; each tail gets (1 - conf_level) / 2.

    Returns
    -------
    tuple of float
        ``(lambda_low, lambda_high)``. A limit is 0 when even λ = 0 puts the observed F below
        its quantile (F too small); both are NaN when F or a df is not finite and positive
        (F = 0 is allowed).

    Notes
    -----
    Confidence interval inversion of the noncentral F (Steiger, 2004, section 3; the method
    of MBESS ``conf.limits.ncf`` and effectsize ``.get_ncp_F``): λ_low solves
    P(F' ≤ F | λ) = 1 - α/2 and λ_high solves P(F' ≤ F | λ) = α/2, where F' ~ F(df1, df2, λ)
    and α = 1 - conf_level. The probability falls as λ grows, so each limit is a single root,
    found with :func:`scipy.optimize.brentq` after doubling the bracket.

    References
    ----------
    Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and tests of
    close fit in the analysis of variance and contrast analysis. *Psychological Methods*,
    9(2), 164-182.
    """
    from scipy import optimize, stats

    values = (f, df1, df2)
    if not all(np.isfinite(v) for v in values) or f < 0 or df1 <= 0 or df2 <= 0:
        return np.nan, np.nan
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be between 0 and 1, got {conf_level!r}")

    def cdf(lam: float) -> float:
        if lam <= 0:
            return float(stats.f.cdf(f, df1, df2))
        return float(stats.ncf.cdf(f, df1, df2, lam))

    def solve(prob: float) -> float:
        if cdf(0.0) <= prob:
            return 0.0  # the observed F is at or below this quantile already at λ = 0
        hi = max(10.0, 2.0 * f * df1)
        while cdf(hi) > prob:
            hi *= 2.0
        return float(optimize.brentq(lambda lam: cdf(lam) - prob, 0.0, hi, xtol=1e-10))

    tail = (1 - conf_level) / 2
    return solve(1 - tail), solve(tail)


def pvaf_ci(
    f: float, df1: float, df2: float, n: float, *, conf_level: float = 0.95
) -> tuple[float, float]:
    """Two-sided CI of the proportion of variance explained by the groups (population η²).

    Parameters
    ----------
    f
        Observed F of the one-way test.
    df1, df2
        Its degrees of freedom.
    n
        Total sample size N (sum of the group sizes the F was computed from).
    conf_level
        Coverage; each tail gets (1 - conf_level) / 2.

    Returns
    -------
    tuple of float
        ``(low, high)`` in [0, 1]; NaN when :func:`f_ncp_ci` is.

    Notes
    -----
    In a fixed-effects one-way design λ = Σ n_i (μ_i - μ)² / σ² = N f², and the population
    proportion of variance accounted for is P = f² / (1 + f²) = λ / (λ + N) (Steiger, 2004,
    eqs. 10-14). The interval of λ from :func:`f_ncp_ci` is mapped through this increasing
    function, as MBESS ``ci.pvaf`` does. P is the parameter that both sample η² (biased
    upwards) and ω² estimate, so this one interval goes with either; ω² itself equals
    λ̂ / (λ̂ + N) at the moment estimate λ̂ = df1 (F - 1), so it lies inside the interval
    whenever it is not negative.

    effectsize (R) converts limits as λ / (λ + df2) instead, from a pseudo-F rebuilt from
    each point estimate, and by default reports a one-sided interval with upper limit 1;
    its limits are a little higher than these, the difference vanishing as N grows.

    References
    ----------
    Steiger, J. H. (2004). Beyond the F test: Effect size confidence intervals and tests of
    close fit in the analysis of variance and contrast analysis. *Psychological Methods*,
    9(2), 164-182.
    """
    if not (np.isfinite(n) and n > 0):
        return np.nan, np.nan
    lam_lo, lam_hi = f_ncp_ci(f, df1, df2, conf_level=conf_level)
    if np.isnan(lam_lo):
        return np.nan, np.nan
    lo, hi = lam_lo / (lam_lo + n), lam_hi / (lam_hi + n)
    return float(np.clip(lo, 0.0, 1.0)), float(np.clip(hi, 0.0, 1.0))


def pve_ci(
    estimate: float,
    df1: float,
    df2: float,
    *,
    conf_level: float = 0.95,
    alternative: str = "greater",
) -> tuple[float, float]:
    """Interval of η², ε² or ω² as R's ``effectsize`` computes it (method "ncp").

    Parameters
    ----------
    estimate
        The point estimate (η², ε² or ω², negative values count as 0).
    df1, df2
        Degrees of freedom of the F test the estimate goes with (the Welch df after
        Welch's ANOVA).
    conf_level
        Coverage.
    alternative
        ``"greater"`` (effectsize's default: one-sided, upper limit 1) or ``"two-sided"``.

    Returns
    -------
    tuple of float

    Notes
    -----
    effectsize rebuilds an F from the estimate, F* = (e/df1) / ((1 - e)/df2), finds the
    noncentrality interval of F* (:func:`f_ncp_ci`; at level 2 conf_level - 1 for a
    one-sided interval) and maps each limit λ to λ / (λ + df2)
    (``effectsize:::.F_to_pve``, version 0.8.3).
    """
    if not (np.isfinite(estimate) and np.isfinite(df1) and np.isfinite(df2)):
        return np.nan, np.nan
    e = min(max(float(estimate), 0.0), 1.0 - 1e-12)
    f_star = (e / df1) / ((1 - e) / df2)
    level = conf_level if alternative == "two-sided" else 2 * conf_level - 1
    lam_lo, lam_hi = f_ncp_ci(f_star, df1, df2, conf_level=level)
    lo = float(lam_lo / (lam_lo + df2))
    hi = 1.0 if alternative == "greater" else float(lam_hi / (lam_hi + df2))
    return lo, hi


def chi2_ncp_ci(chi2: float, df: float, *, conf_level: float = 0.95) -> tuple[float, float]:
    """Two-sided interval of the noncentrality of an observed χ² (as effectsize)."""
    from scipy import optimize, stats

    if not (np.isfinite(chi2) and chi2 >= 0 and df > 0):
        return np.nan, np.nan

    def cdf(lam: float) -> float:
        return float(stats.chi2.cdf(chi2, df) if lam <= 0 else stats.ncx2.cdf(chi2, df, lam))

    def solve(prob: float) -> float:
        if cdf(0.0) <= prob:
            return 0.0
        hi = max(10.0, 2.0 * chi2)
        while cdf(hi) > prob:
            hi *= 2.0
        return float(optimize.brentq(lambda lam: cdf(lam) - prob, 0.0, hi, xtol=1e-10))

    tail = (1 - conf_level) / 2
    return solve(1 - tail), solve(tail)


def cramers_v(
    chi2: float,
    n: float,
    n_rows: int,
    n_cols: int,
    *,
    adjust: bool = True,
    conf_level: float = 0.95,
    alternative: str = "greater",
) -> tuple[float, float, float]:
    """Cramér's V with its interval, as R's ``effectsize::cramers_v`` (0.8.3).

    Parameters
    ----------
    chi2
        Pearson's χ² of the table.
    n
        Total count.
    n_rows, n_cols
        Table dimensions.
    adjust
        Bias-corrected V (Bergsma, 2013; effectsize's default) or the classical
        √(χ² / (n (min(r, c) - 1))).
    conf_level, alternative
        Coverage; ``"greater"`` (default, one-sided with upper limit 1) or ``"two-sided"``.

    Returns
    -------
    tuple of float
        ``(v, ci_low, ci_high)``.

    Notes
    -----
    φ = √(χ²/n); adjusted, φ̃² = max(0, φ² - (r - 1)(c - 1)/(n - 1)),
    r̃ = r - (r - 1)²/(n - 1), c̃ = c - (c - 1)²/(n - 1), V = φ̃ / √(min(r̃, c̃) - 1).
    The interval maps the noncentrality interval of χ² (:func:`chi2_ncp_ci`) through the
    same formulas.

    References
    ----------
    Bergsma, W. (2013). A bias-correction for Cramér's V and Tschuprow's T. *Journal of the
    Korean Statistical Society, 42*(3), 323-328.
    """
    df = (n_rows - 1) * (n_cols - 1)

    def to_v(chi: float) -> float:
        phi2 = chi / n
        if adjust:
            phi2 = max(0.0, phi2 - df / (n - 1))
            k = min(n_rows - (n_rows - 1) ** 2 / (n - 1), n_cols - (n_cols - 1) ** 2 / (n - 1))
        else:
            k = min(n_rows, n_cols)
        return float(np.sqrt(phi2 / (k - 1)))

    level = conf_level if alternative == "two-sided" else 2 * conf_level - 1
    lam_lo, lam_hi = chi2_ncp_ci(chi2, df, conf_level=level)
    hi = 1.0 if alternative == "greater" else min(to_v(lam_hi), 1.0)
    return to_v(chi2), min(to_v(lam_lo), 1.0), hi
