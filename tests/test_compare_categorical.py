"""Tests of the chi-square test of independence (analysis.chi_square)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import analysis as an
from analysis.core.errors import InputError, SmallSampleWarning

R = Path(__file__).parent / "data" / "r"


@pytest.fixture(scope="module")
def hair_eye() -> pd.DataFrame:
    return pd.read_csv(R / "HairEyeColor.csv")


def test_hair_eye_matches_r_and_statsmodels(hair_eye):
    from statsmodels.stats.contingency_tables import Table

    res = an.chi_square(hair_eye, "Hair", "Eye", weights="Freq")
    row = res.table.iloc[0]
    # R 4.3: chisq.test(margin.table(HairEyeColor, c(1, 2)))
    #   X-squared = 138.29, df = 9, p-value < 2.2e-16
    assert_allclose(row.statistic, 138.29, atol=5e-3)
    assert row.df == 9
    assert row.p_value < 2.2e-16
    assert row.n == 592
    assert not row.yates
    # effectsize 0.8.3 (tests/r/effectsize.R): cramers_v(tab) adjusted 0.270483152912,
    #   one-sided CI [0.220454855988, 1]; adjust = FALSE: 0.279044623343 [0.231148833891, 1]
    assert_allclose(row.cramers_v, 0.270483152912, rtol=1e-9)
    assert_allclose([row.cramers_v_ci_low, row.cramers_v_ci_high], [0.220454855988, 1], atol=1e-6)
    assert "V_adj = .27, one-sided 95% CI [.22, 1.00]" in res.summary("en")
    raw = an.chi_square(hair_eye, "Hair", "Eye", weights="Freq", adjust_v=False).table.iloc[0]
    assert_allclose(raw.cramers_v, np.sqrt(row.statistic / (592 * 3)))
    assert_allclose(raw.cramers_v, 0.279044623343, rtol=1e-9)
    assert_allclose(raw.cramers_v_ci_low, 0.231148833891, atol=1e-6)
    two = an.chi_square(hair_eye, "Hair", "Eye", weights="Freq", v_alternative="two-sided")
    # cramers_v(tab, alternative = "two.sided"): [0.212408089615, 0.310693242015]
    assert_allclose(
        two.table[["cramers_v_ci_low", "cramers_v_ci_high"]].iloc[0],
        [0.212408089615, 0.310693242015],
        atol=1e-6,
    )
    wide = hair_eye.pivot_table(index="Hair", columns="Eye", values="Freq", aggfunc="sum")
    ref = Table(wide.to_numpy())
    got = res.cells.pivot(index="row", columns="col", values="std_residual")
    assert_allclose(got.loc[wide.index, wide.columns].to_numpy(), ref.standardized_resids)
    pearson = res.cells.pivot(index="row", columns="col", values="residual")
    assert_allclose(pearson.loc[wide.index, wide.columns].to_numpy(), ref.resid_pearson)
    assert "χ²(9, N = 592) = 138.29, p < .001" in res.summary("en")


def test_two_by_two_uses_yates_and_says_so(hair_eye):
    sub = hair_eye[hair_eye.Hair.isin(["Black", "Blond"]) & hair_eye.Eye.isin(["Brown", "Blue"])]
    res = an.chi_square(sub, "Hair", "Eye", weights="Freq")
    wide = sub.pivot_table(index="Hair", columns="Eye", values="Freq", aggfunc="sum")
    ref = stats.chi2_contingency(wide.to_numpy(), correction=True)
    assert_allclose(res.table.statistic.iloc[0], ref.statistic)
    assert res.table.yates.iloc[0]
    assert "Yates" in res.summary("en")
    assert "Yates" in res.summary("zh")
    plain = stats.chi2_contingency(wide.to_numpy(), correction=False)
    # Cramér's V from the uncorrected statistic (as effectsize), here unadjusted by name
    raw = an.chi_square(sub, "Hair", "Eye", weights="Freq", adjust_v=False)
    assert_allclose(raw.table.cramers_v.iloc[0], np.sqrt(plain.statistic / wide.to_numpy().sum()))


def test_respondent_rows_and_small_expected_warning():
    data = pd.DataFrame({"a": list("xxyyzz") * 2, "b": list("pqpqpq") * 2})
    with pytest.warns(SmallSampleWarning, match="below 5; use Fisher's exact test"):
        res = an.chi_square(data, "a", "b")
    assert res.table.n.iloc[0] == 12


def test_yates_refused_for_larger_tables(hair_eye):
    with pytest.raises(InputError, match="2x2 tables only"):
        an.chi_square(hair_eye, "Hair", "Eye", weights="Freq", yates=True)
