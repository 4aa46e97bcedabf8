"""Tests of the effect-size intervals in analysis.stats.effects.

The noncentral-F intervals are checked three ways: against a plain bisection over the
noncentrality parameter written here (scipy.stats.ncf.cdf only), against statsmodels'
independent implementation, and against effectsize output printed by R (source cited next
to each number).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from analysis.stats import effects


def bisect_ncp(f: float, df1: float, df2: float, prob: float) -> float:
    """λ with P(F' ≤ f | λ) = prob by plain bisection; 0 if already below at λ = 0."""

    def cdf(lam: float) -> float:
        return stats.f.cdf(f, df1, df2) if lam == 0 else stats.ncf.cdf(f, df1, df2, lam)

    if cdf(0.0) <= prob:
        return 0.0
    lo, hi = 0.0, 1.0
    while cdf(hi) > prob:
        lo, hi = hi, hi * 2
    for _ in range(200):
        mid = (lo + hi) / 2
        if cdf(mid) > prob:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


CASES = [
    # (F, df1, df2, conf_level): PlantGrowth ANOVA and Welch (R: aov, oneway.test), a
    # fractional df2, a large survey (large λ), a small F whose lower limit is 0
    (4.846087862380138, 2, 27, 0.95),
    (5.18097240811319, 2, 17.12841861664413, 0.95),
    (2.7, 4, 33.6, 0.90),
    (50.0, 300, 100_000, 0.95),
    (1.3, 5, 60, 0.99),
    (0.4, 3, 40, 0.95),
]


@pytest.mark.parametrize(("f", "df1", "df2", "level"), CASES)
def test_ncp_interval_matches_plain_bisection(f, df1, df2, level):
    lo, hi = effects.f_ncp_ci(f, df1, df2, conf_level=level)
    tail = (1 - level) / 2
    ref_lo = bisect_ncp(f, df1, df2, 1 - tail)
    ref_hi = bisect_ncp(f, df1, df2, tail)
    assert_allclose([lo, hi], [ref_lo, ref_hi], rtol=1e-7, atol=1e-8)
    # and the definition itself: the observed F sits at the 1 - α/2 and α/2 quantiles
    if lo > 0:
        assert_allclose(stats.ncf.cdf(f, df1, df2, lo), 1 - tail, atol=1e-8)
    assert_allclose(stats.ncf.cdf(f, df1, df2, hi), tail, atol=1e-8)


@pytest.mark.parametrize(("f", "df1", "df2", "level"), CASES)
def test_pvaf_interval_is_lambda_over_lambda_plus_n(f, df1, df2, level):
    n = df1 + df2 + 1
    tail = (1 - level) / 2
    lam = [bisect_ncp(f, df1, df2, 1 - tail), bisect_ncp(f, df1, df2, tail)]
    expected = [x / (x + n) for x in lam]  # Steiger (2004); MBESS ci.pvaf
    assert_allclose(effects.pvaf_ci(f, df1, df2, n, conf_level=level), expected, rtol=1e-7)


def test_ncp_interval_matches_statsmodels():
    from statsmodels.stats.oneway import confint_noncentrality

    # statsmodels stops at a looser tolerance (its limits are off by ~2e-5 relative; ours
    # put the cdf at .975 / .025 to 1e-12), and it does not clip at 0, so a clear effect
    f, df = 4.846087862380138, (2, 27)
    ref = confint_noncentrality(f, df, alpha=0.05)
    assert_allclose(effects.f_ncp_ci(f, *df), ref, rtol=1e-4)
    ref = confint_noncentrality(f, df, alpha=0.20)
    assert_allclose(effects.f_ncp_ci(f, *df, conf_level=0.80), ref, rtol=1e-4)


@pytest.mark.parametrize(
    ("f", "df1", "df2", "printed_low"),
    [
        # report::report(anova(lm(Sepal.Width ~ Species, data = iris))):
        #   "F(2, 147) = 49.16, p < .001; Eta2 = 0.40, 95% CI [0.30, 1.00]"
        (49.16, 2, 147, 0.30),
        # report::report(anova(lm(wt ~ as.factor(am) * as.factor(cyl), data = mtcars))):
        #   "F(1, 26) = 45.39, p < .001; Eta2 (partial) = 0.64, 95% CI [0.43, 1.00]"
        (45.39, 1, 26, 0.43),
        #   "F(2, 26) = 11.53, p < .001; Eta2 (partial) = 0.47, 95% CI [0.21, 1.00]"
        (11.53, 2, 26, 0.21),
        #   "F(2, 26) = 0.11, p = 0.899; Eta2 (partial) = 8.13e-03, 95% CI [0.00, 1.00]"
        (0.11, 2, 26, 0.00),
    ],
)
def test_lower_limits_match_effectsize_printed_by_r(f, df1, df2, printed_low):
    # Printed in the snapshot tests of the R package report, which calls effectsize:
    # https://rdrr.io/cran/report/f/tests/testthat/_snaps/windows/report.aov.md
    # effectsize's default is one-sided ("greater"): its 95% lower limit is the lower limit
    # of a two-sided 90% interval (ci.level = 2 * ci - 1), and it converts λ with
    # λ / (λ + df_error) (.F_to_pve in R/convert_stat_to_anova.R,
    # https://github.com/easystats/effectsize), so that conversion is applied here.
    lam_lo, _ = effects.f_ncp_ci(f, df1, df2, conf_level=0.90)
    assert abs(lam_lo / (lam_lo + df2) - printed_low) <= 0.005  # printed to 2 decimals


def test_small_f_gives_zero_limits_and_bad_input_nan():
    # F below its α/2 quantile at λ = 0: both limits 0
    f = stats.f.ppf(0.01, 2, 27)
    assert effects.f_ncp_ci(f, 2, 27) == (0.0, 0.0)
    assert effects.pvaf_ci(0.0, 2, 27, 30) == (0.0, 0.0)
    for bad in [(np.nan, 2, 27), (np.inf, 2, 27), (3.0, 0, 27), (-1.0, 2, 27)]:
        assert all(np.isnan(effects.f_ncp_ci(*bad)))
    assert all(np.isnan(effects.pvaf_ci(3.0, 2, 27, np.nan)))
    with pytest.raises(ValueError, match="conf_level"):
        effects.f_ncp_ci(3.0, 2, 27, conf_level=1.5)


def test_pvaf_interval_holds_omega2_and_narrows_with_level():
    # ω² = (F - 1) df1 / (F df1 + df2 + 1) is P at λ = df1 (F - 1): inside when not negative
    df1, df2 = 3, 56
    n = df1 + df2 + 1
    for f in (0.5, 1.0, 1.2, 2.0, 4.0, 10.0, 40.0):
        omega2 = (f - 1) * df1 / (f * df1 + df2 + 1)
        lo, hi = effects.pvaf_ci(f, df1, df2, n)
        assert 0 <= lo <= hi <= 1
        if omega2 >= 0:
            assert lo <= omega2 <= hi
        else:
            assert lo == 0
            assert omega2 < lo
    widths = [
        np.subtract(*effects.pvaf_ci(6.0, df1, df2, n, conf_level=c)[::-1])
        for c in (0.8, 0.9, 0.95, 0.99)
    ]
    assert np.all(np.diff(widths) > 0)


def test_hedges_g_interval_follows_conf_level():
    args = (10, 5.0, 1.2, 12, 6.1, 0.9)
    g95, lo95, hi95 = effects.hedges_g(*args)
    g90, lo90, hi90 = effects.hedges_g(*args, conf_level=0.90)
    assert g95 == g90
    # noncentral-t limits (as effectsize): nested, and each limit puts the observed t at
    # the right quantile of t(df, δ)
    assert lo95 < lo90 < g95 < hi90 < hi95
    h = np.sqrt(1 / 10 + 1 / 12)
    j = g95 / effects.cohen_d(*args)
    t = g95 / j / h
    assert_allclose(stats.nct.cdf(t, 20, lo95 / j / h), 0.975, rtol=1e-9)
    assert_allclose(stats.nct.cdf(t, 20, hi95 / j / h), 0.025, rtol=1e-9)
