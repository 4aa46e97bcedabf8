"""Tests of ICC, random-intercept models and the ordered logit (analysis.stats.nesting).

References: R's lme4 and MASS output written as numbers with the call, and statsmodels
called directly. Data: tests/data/r/ (public R data sets, see the README there).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import InputError, SmallSampleWarning

R = Path(__file__).parent / "data" / "r"


@pytest.fixture(scope="module")
def dyestuff() -> pd.DataFrame:
    return pd.read_csv(R / "Dyestuff.csv")


def test_icc_dyestuff_matches_lme4(dyestuff):
    with pytest.warns(SmallSampleWarning, match="only 6 clusters"):
        out = an.icc(dyestuff, "Yield", "Batch")
    row = out.iloc[0]
    # R 4.3, lme4 1.1: lmer(Yield ~ 1 + (1 | Batch), Dyestuff, REML = TRUE)
    #   Batch (Intercept) Variance 1764.0 Std.Dev. 42.00; Residual 2451.3 49.51
    assert_allclose([row.var_between, row.var_within], [1764.0, 2451.3], rtol=2e-3)
    assert_allclose(row.icc1, 1764.0 / (1764.0 + 2451.3), rtol=2e-3)
    # balanced design: REML equals the ANOVA estimator, and ICC(2) = (MSB - MSW) / MSB
    groups = dyestuff.groupby("Batch").Yield
    msb = 5 * groups.mean().var(ddof=1)
    msw = groups.var(ddof=1).mean()
    assert_allclose(row.icc2, (msb - msw) / msb, rtol=2e-3)
    assert_allclose(row.design_effect, 1 + 4 * row.icc1)
    assert row.converged
    assert row.n_groups == 6


def test_icc_by_dimension_and_lead_columns():
    rng = np.random.default_rng(5)
    rows = []
    for dim, tau in (("reform", 0.6), ("members", 0.0001)):
        effects = rng.normal(0, tau, 12)
        for g in range(12):
            for _ in range(20):
                rows.append((f"c{g}", dim, 3 + effects[g] + rng.normal(0, 1)))
    data = pd.DataFrame(rows, columns=["group", "dimension", "score"])
    out = an.icc(data, "score", "group", by="dimension")
    assert list(out.dimension) == ["reform", "members"]
    assert out.icc1.iloc[0] > 0.1
    assert out.icc1.iloc[1] < 0.05
    assert set(out.columns) >= {"icc1", "icc2", "design_effect", "optimizer"}


def test_mixed_model_matches_statsmodels_and_mathachieve_shape():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(7)
    n_groups, size = 15, 25
    g = np.repeat(np.arange(n_groups), size)
    age = rng.uniform(20, 80, g.size)
    party = rng.integers(0, 2, g.size)
    years = rng.uniform(0, 30, g.size)
    u = rng.normal(0, 0.4, n_groups)[g]
    y = 3 + 0.01 * age + 0.3 * party + 0.02 * years + u + rng.normal(0, 0.8, g.size)
    data = pd.DataFrame(
        {"score": y, "age": age, "party": party, "years": years, "group": g.astype(str)}
    )
    res = an.mixed_model(data, "score ~ age + C(party) + years", groups="group")
    model = smf.mixedlm("score ~ age + C(party) + years", data, groups=data["group"])
    # on this design statsmodels' default L-BFGS fails (singular matrix): the fallback is used
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(np.linalg.LinAlgError):
            model.fit(reml=True, method="lbfgs")
    assert res.fit.optimizer.iloc[0] != "lbfgs"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = model.fit(reml=True, method=res.fit.optimizer.iloc[0])
    c = res.coefficients.set_index("term")
    assert_allclose(c.estimate.to_numpy(), ref.fe_params.to_numpy(), rtol=1e-4)
    assert_allclose(c.se.to_numpy(), ref.bse_fe.to_numpy(), rtol=1e-3)
    assert c.loc["C(party)[T.1]", "p_value"] < 0.05
    assert_allclose(res.fit.var_between.iloc[0], float(ref.cov_re.iloc[0, 0]), rtol=1e-3)


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


def test_icc_missing_column_message(dyestuff):
    with pytest.raises(InputError, match=r"icc: column\(s\) 'score' not in data"):
        an.icc(dyestuff, "score", "Batch")
