"""reliability() against R psych with missing answers: KMO, Bartlett, omega, alpha.

Expected numbers printed by tests/r/psych_reliability.R (R 4.2.2 Patched r83330,
psych 2.2.9) on the agreeableness items of psych::bfi (A1 reversed, 2,800 respondents,
some answers missing). psych computes KMO, Bartlett and omega from
cor(x, use = "pairwise") and n = nrow(x); alpha from cov2cor of the pairwise covariances.
"""

from __future__ import annotations

import pandas as pd
import pytest
from numpy.testing import assert_allclose
from test_survey import A_ITEMS, BFI, bfi_codebook

from analysis import ItemMoments, read_survey, reliability


@pytest.fixture(scope="module")
def bfi():
    return read_survey(BFI, codebook=bfi_codebook())


def test_pairwise_matches_psych(bfi):
    rel = reliability(bfi).iloc[0]
    assert rel["n"] == 2800
    # cortest.bartlett(x)$chisq  (R not square: cor(x, use = "pairwise"), n = 2800)
    assert_allclose(rel["bartlett_chi2"], 2604.18656986, rtol=1e-9)
    assert rel["bartlett_df"] == 10
    # KMO(x)$MSA
    assert_allclose(rel["kmo"], 0.763910555664, rtol=1e-9)
    # omega(x, nfactors = 1)$omega.tot  (psych's default omega(x) has 3 group factors:
    # 0.756746796782, not comparable with a one-factor omega)
    assert_allclose(rel["omega"], 0.722943136475, atol=1e-6)
    # alpha(x)$total: raw_alpha 0.7030184461, std.alpha 0.7130285787, average_r 0.3319676571
    assert_allclose(rel["alpha"], 0.7030184461, rtol=1e-9)
    assert_allclose(rel["alpha_std"], 0.7130285787, rtol=1e-9)
    assert_allclose(rel["average_r"], 0.3319676571, rtol=1e-9)


def test_listwise_matches_psych(bfi):
    rel = reliability(bfi, missing="listwise").iloc[0]
    # xc <- na.omit(x): nrow 2709; cortest.bartlett(xc); KMO(xc); omega(xc, nfactors = 1)
    assert rel["n"] == 2709
    assert_allclose(rel["bartlett_chi2"], 2530.3630316, rtol=1e-9)
    assert_allclose(rel["kmo"], 0.764025060188, rtol=1e-9)
    assert_allclose(rel["omega"], 0.723724356915, atol=1e-6)


def test_merged_partitions_give_the_same_pairwise_correlations(bfi):
    frame = pd.read_csv(BFI)[A_ITEMS].astype("float64")
    frame["A1"] = 7 - frame["A1"]
    parts = [
        ItemMoments.from_frame(frame.iloc[cut : cut + 600], {"masses": A_ITEMS})
        for cut in range(0, len(frame), 600)
    ]
    merged = reliability(ItemMoments.combine(parts)).iloc[0]
    whole = reliability(bfi).iloc[0]
    for col in ("alpha", "alpha_std", "omega", "kmo", "bartlett_chi2"):
        assert_allclose(merged[col], whole[col], rtol=1e-10)
    corr = ItemMoments.combine(parts).blocks["masses"].correlation("pairwise")
    assert_allclose(corr, frame.corr().to_numpy(), rtol=1e-12)  # pandas: pairwise as R
