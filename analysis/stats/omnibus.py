"""Omnibus tests of k independent groups from group summaries.

Every function takes arrays ``n`` (group sizes, possibly Kish effective sizes), ``mean`` and
``var`` (unbiased variances, ddof = 1) and returns a plain dict, so that hundreds of groups
cost a few vector operations. Kruskal-Wallis takes mean ranks and the tie term instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "anova",
    "brown_forsythe",
    "kruskal_from_ranks",
    "student_t",
    "welch_anova",
    "welch_t",
]


def _sums_of_squares(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> tuple[float, ...]:
    total_n = float(n.sum())
    grand = float((n * mean).sum() / total_n)
    ss_between = float((n * (mean - grand) ** 2).sum())
    ss_within = float(((n - 1) * var).sum())
    return total_n, grand, ss_between, ss_within


def anova(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> dict[str, Any]:
    """Classical one-way ANOVA (equal variances) with eta², omega² and epsilon².

    Notes
    -----
    F = (SS_b / (k - 1)) / (SS_w / (N - k)), SS_b = Σ n_i (m_i - m)², SS_w = Σ (n_i - 1) s_i².
    η² = SS_b / SS_t; ω² = (SS_b - (k - 1) MS_w) / (SS_t + MS_w);
    ε² = (SS_b - (k - 1) MS_w) / SS_t (Okada, 2013).
    """
    from scipy import stats

    k = len(n)
    total_n, _, ssb, ssw = _sums_of_squares(n, mean, var)
    df1, df2 = k - 1, total_n - k
    msw = ssw / df2
    f = (ssb / df1) / msw if msw > 0 else np.inf
    return {
        "statistic": f,
        "df1": float(df1),
        "df2": float(df2),
        "p_value": float(stats.f.sf(f, df1, df2)),
        **effect_sizes_ss(ssb, ssw, k, total_n),
        "ms_within": msw,
    }


def effect_sizes_ss(ssb: float, ssw: float, k: int, total_n: float) -> dict[str, float]:
    """η², ω² and ε² from the sums of squares of a one-way design."""
    df1, df2 = k - 1, total_n - k
    msw = ssw / df2 if df2 > 0 else np.nan
    sst = ssb + ssw
    if sst <= 0:
        return {"eta2": np.nan, "omega2": np.nan, "epsilon2": np.nan}
    return {
        "eta2": ssb / sst,
        "omega2": (ssb - df1 * msw) / (sst + msw),
        "epsilon2": (ssb - df1 * msw) / sst,
    }


def welch_anova(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> dict[str, Any]:
    """Welch's (1951) heteroscedastic one-way ANOVA.

    Notes
    -----
    w_i = n_i / s_i², m_w = Σ w_i m_i / Σ w_i, A = Σ w_i (m_i - m_w)² / (k - 1),
    λ = Σ (1 - w_i / Σ w)² / (n_i - 1), F = A / (1 + 2 (k - 2) λ / (k² - 1)),
    df1 = k - 1, df2 = (k² - 1) / (3 λ). Same as R's ``oneway.test(var.equal = FALSE)``.
    """
    from scipy import stats

    k = len(n)
    w = n / var
    sw = w.sum()
    mw = (w * mean).sum() / sw
    a = (w * (mean - mw) ** 2).sum() / (k - 1)
    lam = ((1 - w / sw) ** 2 / (n - 1)).sum()
    f = a / (1 + 2 * (k - 2) * lam / (k**2 - 1))
    df2 = (k**2 - 1) / (3 * lam)
    return {
        "statistic": float(f),
        "df1": float(k - 1),
        "df2": float(df2),
        "p_value": float(stats.f.sf(f, k - 1, df2)),
    }


def welch_t(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> dict[str, Any]:
    """Welch's independent-samples t test of two groups, group a (first) minus group b.

    Notes
    -----
    t = (m_a - m_b) / √(s_a²/n_a + s_b²/n_b), df = (s_a²/n_a + s_b²/n_b)² /
    Σ (s_i²/n_i)² / (n_i - 1) (Welch-Satterthwaite), p two-sided. As R's
    ``t.test(y ~ g)`` and ``scipy.stats.ttest_ind(a, b, equal_var=False)``; t² equals
    Welch's F (and the Brown-Forsythe F*) of the same two groups, with the same df and p.
    """
    from scipy import stats

    v = var / n
    se2 = float(v.sum())
    t = float((mean[0] - mean[1]) / np.sqrt(se2))
    df = se2**2 / float((v**2 / (n - 1)).sum())
    return {
        "statistic": t,
        "df1": float(df),
        "df2": np.nan,
        "p_value": float(2 * stats.t.sf(abs(t), df)),
    }


def student_t(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> dict[str, Any]:
    """Student's independent-samples t test (pooled variance), group a minus group b.

    Notes
    -----
    t = (m_a - m_b) / (s_p √(1/n_a + 1/n_b)), s_p² = Σ (n_i - 1) s_i² / (n_a + n_b - 2),
    df = n_a + n_b - 2, p two-sided; t² is the one-way ANOVA F of the two groups. As R's
    ``t.test(y ~ g, var.equal = TRUE)``.
    """
    from scipy import stats

    df = float(n.sum() - 2)
    pooled = float(((n - 1) * var).sum()) / df
    se = np.sqrt(pooled * float((1 / n).sum()))
    t = float((mean[0] - mean[1]) / se) if se > 0 else np.copysign(np.inf, mean[0] - mean[1])
    return {
        "statistic": t,
        "df1": df,
        "df2": np.nan,
        "p_value": float(2 * stats.t.sf(abs(t), df)),
    }


def brown_forsythe(n: np.ndarray, mean: np.ndarray, var: np.ndarray) -> dict[str, Any]:
    """Brown-Forsythe (1974) test of equal means, with SPSS's degrees of freedom.

    Notes
    -----
    F* = Σ n_i (m_i - m)² / Σ (1 - n_i / N) s_i², df1 = k - 1 (as SPSS prints; Mehrotra's
    1997 correction of df1 is not applied), df2 = (Σ c_i)² / Σ c_i² / (n_i - 1) with
    c_i = (1 - n_i / N) s_i² (Satterthwaite).
    """
    from scipy import stats

    k = len(n)
    total_n, _, ssb, _ = _sums_of_squares(n, mean, var)
    c = (1 - n / total_n) * var
    f = ssb / c.sum()
    df2 = c.sum() ** 2 / (c**2 / (n - 1)).sum()
    return {
        "statistic": float(f),
        "df1": float(k - 1),
        "df2": float(df2),
        "p_value": float(stats.f.sf(f, k - 1, df2)),
    }


def kruskal_from_ranks(
    n: np.ndarray, rank_sum: np.ndarray, tie_sum: float, total_n: float
) -> dict[str, Any]:
    """Kruskal-Wallis H with the tie correction, and ε²_H.

    Parameters
    ----------
    n, rank_sum
        Group sizes and sums of mid-ranks (ranks over the pooled sample).
    tie_sum
        Σ (t³ - t) over tied sets of the pooled sample.
    total_n
        Pooled sample size N.

    Notes
    -----
    H = [12 / (N (N + 1)) Σ R_i² / n_i - 3 (N + 1)] / [1 - Σ (t³ - t) / (N³ - N)],
    df = k - 1. ε²_H = H / (N - 1) = H / ((N² - 1) / (N + 1)) (Tomczak & Tomczak, 2014);
    η²_H = (H - k + 1) / (N - k).
    """
    from scipy import stats

    k = len(n)
    h = 12.0 / (total_n * (total_n + 1)) * (rank_sum**2 / n).sum() - 3 * (total_n + 1)
    correction = 1 - tie_sum / (total_n**3 - total_n)
    h = h / correction if correction > 0 else np.nan
    return {
        "statistic": float(h),
        "df1": float(k - 1),
        "df2": np.nan,
        "p_value": float(stats.chi2.sf(h, k - 1)),
        "epsilon2_h": float(h / (total_n - 1)),
        "eta2_h": float((h - k + 1) / (total_n - k)),
    }
