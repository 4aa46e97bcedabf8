"""Tests of the ordered logit (analysis.stats.nesting).

References: R's MASS output written as numbers with the call, and statsmodels called
directly. Data: tests/data/r/ (public R data sets, see the README there). ICC and mixed
models are tested in test_multilevel.py.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import InputError

R = Path(__file__).parent / "data" / "r"


@pytest.fixture(scope="module")
def dyestuff() -> pd.DataFrame:
    return pd.read_csv(R / "Dyestuff.csv")


def test_ordered_logit_housing_matches_polr():
    h = pd.read_csv(R / "housing.csv")
    h = h.loc[h.index.repeat(h.Freq)].reset_index(drop=True)
    for col, levels in (
        ("Infl", ["Low", "Medium", "High"]),
        ("Type", ["Tower", "Apartment", "Atrium", "Terrace"]),
        ("Cont", ["Low", "High"]),
    ):
        h[col] = pd.Categorical(h[col], categories=levels)
    res = an.ordered_logit(h, "Sat ~ Infl + Type + Cont", levels=["Low", "Medium", "High"])
    c = res.coefficients.set_index("term")
    # R 4.3, MASS 7.3: polr(Sat ~ Infl + Type + Cont, weights = Freq, data = housing)
    #   InflMedium 0.5664 (SE 0.1047), InflHigh 1.2888 (0.1272), TypeApartment -0.5724 (0.1192),
    #   TypeAtrium -0.3662 (0.1552), TypeTerrace -1.0910 (0.1515), ContHigh 0.3603 (0.0955)
    #   Intercepts Low|Medium -0.4961 (0.1248), Medium|High 0.6907; Residual Deviance 3479.149
    fixed = c[c.kind == "fixed"]
    assert_allclose(fixed.estimate, [0.5664, 1.2888, -0.5724, -0.3662, -1.0910, 0.3603], atol=1e-4)
    assert_allclose(fixed.se, [0.1047, 0.1272, 0.1192, 0.1552, 0.1515, 0.0955], atol=1e-4)
    thr = c[c.kind == "threshold"]
    assert_allclose(thr.estimate, [-0.4961, 0.6907], atol=1e-4)
    assert_allclose(thr.se.iloc[0], 0.1248, atol=1e-4)
    assert_allclose(res.fit.deviance.iloc[0], 3479.149, atol=1e-3)
    assert_allclose(fixed.odds_ratio, np.exp(fixed.estimate))


def test_ordered_logit_threshold_se_by_delta_method_matches_simulation_free_check():
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    rng = np.random.default_rng(11)
    x = rng.normal(size=400)
    latent = 0.8 * x + rng.logistic(size=400)
    y = np.digitize(latent, [-1.0, 0.0, 1.0])
    data = pd.DataFrame({"y": y, "x": x})
    res = an.ordered_logit(data, "y ~ x")
    thr = res.coefficients[res.coefficients.kind == "threshold"]
    # reparametrise statsmodels' fit directly: θ_2 - θ_1 = exp(a_2), so Var(θ_2) =
    # Var(a_1) + e^{2 a_2} Var(a_2) + 2 e^{a_2} Cov(a_1, a_2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in exp at the first steps
        ref = OrderedModel(data["y"], data[["x"]], distr="logit").fit(method="bfgs", disp=False)
    cov = ref.cov_params().to_numpy()[1:, 1:]
    a = ref.params.to_numpy()[1:]
    var2 = cov[0, 0] + np.exp(2 * a[1]) * cov[1, 1] + 2 * np.exp(a[1]) * cov[0, 1]
    assert_allclose(thr.se.iloc[1], np.sqrt(var2), rtol=1e-4)


def test_ordered_logit_needs_three_categories():
    data = pd.DataFrame({"y": [0, 1] * 10, "x": np.arange(20.0)})
    with pytest.raises(InputError, match="2 categories"):
        an.ordered_logit(data, "y ~ x")
