"""cor_test and correlation_matrix against R's cor.test and psych::corr.test.

Expected numbers printed by tests/r/correlation.R (R 4.2.2 Patched r83330, stats;
psych 2.2.9). Spearman p without ties is R's exact/Edgeworth (AS 89) value, not the
t approximation of scipy.stats.spearmanr.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

import analysis as an
from analysis.stats.association import spearman_pvalue

X30 = [20, 10, 3, 8, 24, 25, 12, 7, 13, 18, 4, 28, 30, 17, 2, 26, 21, 29, 19, 5, 27, 16, 11,
       14, 23, 1, 6, 22, 15, 9]  # fmt: skip
Y30 = [11.83, 3.2, -3.61, 6.24, 15.52, -3.89, 2.39, -5.26, 3.42, -3.66, 1.65, 10.06, 8.67,
       -2.09, -2.43, 0.89, -3.07, 12.53, -1.84, 11.21, 15.72, -10.06, 6.25, -3.63, 8.77, 0.72,
       -13.69, 6.27, 3.5, 11.03]  # fmt: skip
X8 = [6, 1, 2, 5, 3, 7, 4, 8]
Y8 = [2, 7, 8, 3, 4, 5, 6, 1]


def frame(x, y):
    return pd.DataFrame({"x": x, "y": y})


def test_spearman_n30_edgeworth_as_r():
    res = an.cor_test(frame(X30, Y30), "x", "y", method="spearman")
    row = res.table.iloc[0]
    # cor.test(x30, y30, method = "spearman"): rho 0.381090100111, S 2782, p 0.0385315557752
    assert_allclose(row.estimate, 0.381090100111, rtol=1e-10)
    assert_allclose(row.statistic, 2782, rtol=1e-12)
    assert_allclose(row.p_value, 0.0385315557752, rtol=1e-9)
    assert row.p_method == "edgeworth"
    greater = an.cor_test(frame(X30, Y30), "x", "y", method="spearman", alternative="greater")
    assert_allclose(greater.table.p_value.iloc[0], 0.0192657778876, rtol=1e-9)
    assert "Edgeworth" in res.summary("en")
    assert "ρ = .38, N = 30, p = .039" in res.summary()


def test_spearman_n8_exact_as_r():
    res = an.cor_test(frame(X8, Y8), "x", "y", method="spearman")
    # cor.test(x8, y8, method = "spearman"): rho -0.7857142857143, S 150, p 0.0279265873016
    assert_allclose(res.table.p_value.iloc[0], 0.0279265873016, rtol=1e-12)
    assert res.table.p_method.iloc[0] == "exact"
    less = an.cor_test(frame(X8, Y8), "x", "y", method="spearman", alternative="less")
    assert_allclose(less.table.p_value.iloc[0], 0.0139632936508, rtol=1e-12)


def test_spearman_with_ties_uses_t_as_r():
    x = np.round(np.array(X30) / 3)
    res = an.cor_test(frame(x, Y30), "x", "y", method="spearman")
    # suppressWarnings(cor.test(round(x30 / 3), y30, method = "spearman"))
    assert_allclose(res.table.estimate.iloc[0], 0.402326679319, rtol=1e-10)
    assert_allclose(res.table.p_value.iloc[0], 0.0275182208014, rtol=1e-9)
    assert res.table.p_method.iloc[0] == "t"


def test_exact_distribution_small_n():
    # every permutation of n = 4: S = 0 (rho = 1) has probability 1/24
    assert_allclose(spearman_pvalue(1.0, 4, alternative="greater")[0], 1 / 24)


def test_pearson_fisher_z_interval_as_r():
    res = an.cor_test(frame(X30, Y30), "x", "y")
    row = res.table.iloc[0]
    # cor.test(x30, y30): r 0.3982316506354, t 2.2972621350246, p 0.0292885815551,
    #   95% CI 0.0443212204489 0.6633321997639
    assert_allclose([row.estimate, row.statistic, row.p_value], [0.3982316506354,
                    2.2972621350246, 0.0292885815551], rtol=1e-10)  # fmt: skip
    assert_allclose([row.ci_low, row.ci_high], [0.0443212204489, 0.6633321997639], rtol=1e-10)
    assert row.df == 28
    assert res.summary().endswith("r(28) = .40, p = .029, 95% CI [.04, .66]。")
    one = an.cor_test(frame(X30, Y30), "x", "y", conf_level=0.9, alternative="greater")
    # cor.test(x30, y30, conf.level = 0.9, alternative = "greater"): p 0.0146442907776,
    #   CI 0.1731486399381 1
    assert_allclose(one.table.p_value.iloc[0], 0.0146442907776, rtol=1e-10)
    assert_allclose([one.table.ci_low.iloc[0], one.table.ci_high.iloc[0]], [0.1731486399381, 1])


@pytest.mark.skipif(not (SHARED_R / "datasets" / "attitude.csv").exists(), reason="no shared data")
def test_correlation_matrix_as_psych_corr_test():
    att = pd.read_csv(SHARED_R / "datasets" / "attitude.csv")
    res = an.correlation_matrix(att, ["rating", "complaints", "learning", "raises"])
    p = res.pairs.set_index(["x", "y"])
    # corr.test(a[, c("rating", "complaints", "learning", "raises")])$ci and $p (upper: Holm)
    assert_allclose(p.loc[("rating", "complaints"), ["ci_low", "estimate", "ci_high"]],
                    [0.662012769871, 0.825417569542, 0.913913891354], rtol=1e-10)  # fmt: skip
    assert_allclose(p.loc[("learning", "raises"), "p_value"], 1.38387688420e-04, rtol=1e-9)
    assert_allclose(
        p.p_adj,
        [1.19260932497e-07, 0.000693442346942, 0.001000033990373, 0.001000033990373,
         0.000263375386683, 0.000553550753681],
        rtol=1e-9,
    )  # fmt: skip
    assert res.matrix.loc["complaints", "rating"] == ".83***"
    assert res.matrix.loc["raises", "rating"] == ".59**"
    assert res.matrix.loc["rating", "rating"] == "—"
    assert "holm" in res.summary("en")
