"""Ordered logit and the Brant test against R (ordinal::clm; Brant 1990 computed in R).

The R script that printed every expected number: tests/r/ordered_logit.R
(R 4.2.2 Patched r83330, ordinal 2022.11.16, MASS 7.3-58.2). Data: ../shared/datasets/r.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

import analysis as an
from analysis.stats.cumulative_logit import brant_test

SURVEY = SHARED_R / "MASS" / "survey.csv"
BFI = SHARED_R / "psych" / "bfi.csv"
pytestmark = pytest.mark.skipif(not SURVEY.exists(), reason="shared R data sets not present")


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    # "None" is an answer (Exer), not a missing value; the one empty Smoke cell is missing
    return pd.read_csv(SURVEY, keep_default_na=False, na_values=["NA", ""])


def test_ordered_logit_equals_clm_survey(survey):
    res = an.ordered_logit(survey, "Exer ~ Sex + Age", levels=["None", "Some", "Freq"])
    c = res.coefficients.set_index("term")
    # clm(Exer ~ Sex + Age, data = s); coef(f); sqrt(diag(vcov(f))); logLik(f)
    assert_allclose(c.estimate["Sex[T.Male]"], 0.41879326959013, atol=1e-8)
    assert_allclose(c.estimate["Age"], -0.00625952440328, atol=1e-8)
    assert_allclose(c.estimate["None|Some"], -2.12059380366096, atol=1e-8)
    assert_allclose(c.estimate["Some|Freq"], 0.14468638945520, atol=1e-8)
    assert_allclose(
        c.se[["None|Some", "Some|Freq", "Sex[T.Male]", "Age"]],
        [0.4588447329372, 0.4263124934422, 0.2517194084781, 0.0190788578077],
        rtol=1e-6,
    )
    fit = res.fit.iloc[0]
    assert_allclose(fit.log_likelihood, -222.489704148, atol=1e-8)
    assert fit.n == 236  # one respondent without Sex is dropped, as R's na.omit
    assert fit.converged
    assert fit.max_gradient < 1e-8


def test_ordered_logit_equals_clm_bfi_six_levels():
    bfi = pd.read_csv(BFI)
    res = an.ordered_logit(bfi, "A2 ~ gender + age", levels=[1, 2, 3, 4, 5, 6])
    # clm(A2 ~ gender + age, data = b) with A2 an ordered factor 1..6
    assert_allclose(
        res.coefficients.estimate,
        [
            0.7022191481600,
            0.0170434314616,
            -2.4675463102383,
            -1.1080700982588,
            -0.4108481671048,
            0.8732507799704,
            2.4748510481788,
        ],
        atol=1e-7,
    )
    assert_allclose(res.fit.log_likelihood.iloc[0], -3879.32062823, atol=1e-7)
    assert list(res.coefficients.term[2:]) == ["1|2", "2|3", "3|4", "4|5", "5|6"]


def test_brant_equals_hand_run_in_r(survey):
    out = brant_test(survey, "Exer ~ Sex + Age", levels=["None", "Some", "Freq"])
    # brant_by_hand(Exer ~ Sex + Age, s, 3) in tests/r/ordered_logit.R
    assert_allclose(out.table.chi2, [3.694336740263, 2.983249365542, 0.752586137989], rtol=1e-7)
    assert list(out.table.df) == [2, 1, 1]
    assert "χ²(2) = 3.69, p = .158" in out.summary()
    assert "not rejected" in out.summary("en")


def test_brant_six_levels():
    bfi = pd.read_csv(BFI)
    out = an.brant_test(bfi, "A2 ~ gender + age", levels=[1, 2, 3, 4, 5, 6])
    # brant_by_hand(A2 ~ gender + age, b, 6)
    assert_allclose(out.table.chi2, [8.254513949784, 0.982629437656, 7.272698442972], rtol=1e-7)
    assert list(out.table.df) == [8, 4, 4]
