"""ICC, design effect, mixed models, centring and cluster-robust OLS against R.

Every expected number comes from ``tests/r/mixed_models.R`` (its output is kept beside it in
``tests/r/mixed_models.Rout``), run with R 4.2.2, lme4 1.1-31, lmerTest 3.1-3, sandwich
3.0-2, lmtest 0.9-40. lme4's default optimiser stops when the REML criterion changes by about
1e-8, which leaves random-slope variances a few 1e-5 from the optimum; the script therefore
also minimises lme4's own deviance function (``devFunOnly = TRUE``) with
``optim(method = "BFGS", reltol = 1e-16)`` and evaluates the model there
(``lmerControl(optimizer = NULL)``): the "polished" numbers below. Where the two differ the
test says so.

Data: ``tests/data/r/Dyestuff.csv`` (lme4::Dyestuff) and nlme::MathAchieve from the shared
R data sets (``../shared/datasets/r/nlme/MathAchieve.csv``, 7185 pupils in 160 schools); the
MathAchieve tests skip when that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import ConfigError, InputError, SmallSampleWarning
from analysis.report.display import result_to_html

R = Path(__file__).parent / "data" / "r"
MATH = SHARED_R / "nlme" / "MathAchieve.csv"
RTOL = 1e-6  # converged REML: lme4's deviance function optimised to reltol 1e-16


@pytest.fixture(scope="module")
def dyestuff() -> pd.DataFrame:
    return pd.read_csv(R / "Dyestuff.csv")


@pytest.fixture(scope="module")
def math() -> pd.DataFrame:
    if not MATH.exists():
        pytest.skip(f"shared R data sets not found at {MATH}")
    return pd.read_csv(MATH)


# ---------------------------------------------------------------------- icc


def test_icc_dyestuff_equals_closed_form_and_lme4(dyestuff):
    with pytest.warns(SmallSampleWarning, match="only 6 clusters"):
        out = an.icc(dyestuff, "Yield", "Batch")
    row = out.iloc[0]
    # balanced design: REML = ANOVA. R: a <- anova(lm(Yield ~ factor(Batch), Dyestuff))
    #   tau2 = (MSB - MSW) / 5 = 1764.05, sigma2 = MSW = 2451.25
    # R 4.2.2, lme4 1.1-31: lmer(Yield ~ 1 + (1 | Batch), Dyestuff) polished:
    #   Batch 1764.05000643, Residual 2451.24999861
    assert_allclose([row.var_between, row.var_within], [1764.05, 2451.25], rtol=RTOL)
    groups = dyestuff.groupby("Batch").Yield
    msb = 5 * groups.mean().var(ddof=1)
    msw = groups.var(ddof=1).mean()
    assert_allclose(row.icc1, (msb - msw) / (msb + 4 * msw), rtol=RTOL)
    assert_allclose(row.icc2, (msb - msw) / msb, rtol=1e-8)  # ICC(2) = (MSB - MSW) / MSB
    assert_allclose(row.design_effect, 1 + 4 * row.icc1)
    assert (row.n0, row.kish_size, row.n_groups) == (5.0, 5.0, 6)
    assert row.converged


def test_icc_mathachieve_unequal_sizes_matches_r(math):
    out = an.icc(math, "MathAch", "School").iloc[0]
    # R 4.2.2, lme4 1.1-31: lmer(MathAch ~ 1 + (1 | School), MathAchieve) polished:
    #   School 8.61402476591, Residual 39.14832189759 (lmer default: 8.61402483715)
    # nj <- table(School); n0 <- (N - sum(nj^2)/N)/(J - 1); nw <- sum(nj^2)/N
    #   icc1 0.18035179105837, n0 44.886690038209, nw 48.016283924843
    #   icc2 n0*icc1/(1 + (n0 - 1)*icc1) = 0.90806009629281
    #   Kish deff 1 + (nw - 1)*icc1 = 9.4794710147542
    assert_allclose(out.var_between, 8.61402476591, rtol=RTOL)
    assert_allclose(out.var_within, 39.14832189759, rtol=RTOL)
    assert_allclose(out.icc1, 0.18035179105837, rtol=RTOL)
    assert_allclose(
        [out.n0, out.kish_size, out.mean_group_size], [44.886690038209, 48.016283924843, 44.90625]
    )
    assert_allclose(out.icc2, 0.90806009629281, rtol=RTOL)
    assert_allclose(out.design_effect, 9.4794710147542, rtol=RTOL)


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
    assert set(out.columns) >= {"icc1", "icc2", "design_effect", "n0", "kish_size", "optimizer"}


def test_icc_missing_column_message(dyestuff):
    with pytest.raises(InputError, match=r"icc: column\(s\) 'score' not in data"):
        an.icc(dyestuff, "score", "Batch")


# ---------------------------------------------------------------------- mixed models


def test_random_intercept_se_is_lme4s_not_the_joint_hessian(math):
    res = an.mixed_model(math, "MathAch ~ SES", groups="School")
    c = res.coefficients.set_index("term")
    # R 4.2.2, lme4 1.1-31, lmerTest 3.1-3: summary(lmer(MathAch ~ SES + (1 | School))) polished
    #   (Intercept) 12.65748026384 SE 0.187985120230 df  148.302308778 t 67.3323518815
    #   SES          2.39019585485 SE 0.105719081622 df 6838.077497679 t 22.6089350964
    #   School 4.76817280697, Residual 37.03439880191; REMLcrit 46645.169312552
    #   (statsmodels MixedLM's SE of SES from the joint Hessian: 0.10748)
    assert_allclose(c.estimate, [12.65748026384, 2.39019585485], rtol=RTOL)
    assert_allclose(c.se, [0.187985120230, 0.105719081622], rtol=RTOL)
    assert_allclose(c.df, [148.302308778, 6838.077497679], rtol=RTOL)
    assert_allclose(c.statistic, [67.3323518815, 22.6089350964], rtol=RTOL)
    f = res.fit.iloc[0]
    assert_allclose([f.var_between, f.var_within], [4.76817280697, 37.03439880191], rtol=RTOL)
    assert_allclose(f.deviance, 46645.169312552, rtol=1e-12)
    assert_allclose(f.aic, 46653.169312552, rtol=1e-12)  # AIC(m1), REML log-likelihood
    assert (f.estimation, f.df_method, f.n, f.n_groups) == ("REML", "satterthwaite", 7185, 160)
    # Wald z by name; R: confint(m1, parm = "beta_", method = "Wald")
    wald = an.mixed_model(math, "MathAch ~ SES", groups="School", ddf="wald")
    w = wald.coefficients
    assert np.isinf(w.df).all()
    assert_allclose(w.ci_low, [12.28903619856, 2.18299026239], rtol=RTOL)
    assert_allclose(w.ci_high, [13.02592432912, 2.59740144731], rtol=RTOL)


def test_level_two_predictor_reml_and_ml(math):
    res = an.mixed_model(math, "MathAch ~ SES + MEANSES", groups="School")
    c = res.coefficients
    # R: summary(lmer(MathAch ~ SES + MEANSES + (1 | School))) polished
    #   estimates 12.66126179416 2.19116533567 3.67503733986
    #   SE 0.149372555286 0.108667290286 0.377660682306
    #   df 153.694685185 7021.509694274 182.282728223
    #   p 6.16471974990e-131 6.04063061284e-88 2.75108385503e-18
    #   School 2.6924210820, Residual 37.0190646134
    assert_allclose(c.estimate, [12.66126179416, 2.19116533567, 3.67503733986], rtol=RTOL)
    assert_allclose(c.se, [0.149372555286, 0.108667290286, 0.377660682306], rtol=RTOL)
    assert_allclose(c.df, [153.694685185, 7021.509694274, 182.282728223], rtol=RTOL)
    assert_allclose(
        c.p_value, [6.16471974990e-131, 6.04063061284e-88, 2.75108385503e-18], rtol=1e-3
    )  # a relative 1e-6 in t = 84.76 moves p by 1e-4
    assert_allclose(res.fit.var_between.iloc[0], 2.6924210820, rtol=RTOL)
    # same model, REML = FALSE: School 2.64693245318, Residual 37.01402915799,
    #   SE 0.148409603899 0.108659899363 0.375423678457, df 155.641747998 7022.497366869
    #   184.982644381, deviance 46563.804850858, AIC 46573.804850858
    ml = an.mixed_model(math, "MathAch ~ SES + MEANSES", groups="School", reml=False)
    m = ml.coefficients
    assert_allclose(m.se, [0.148409603899, 0.108659899363, 0.375423678457], rtol=RTOL)
    assert_allclose(m.df, [155.641747998, 7022.497366869, 184.982644381], rtol=RTOL)
    f = ml.fit.iloc[0]
    assert_allclose([f.var_between, f.var_within], [2.64693245318, 37.01402915799], rtol=RTOL)
    assert_allclose([f.deviance, f.aic], [46563.804850858, 46573.804850858], rtol=1e-12)
    assert f.estimation == "ML"


def test_random_slope_matches_lmer_and_satterthwaite(math):
    res = an.mixed_model(math, "MathAch ~ SES + MEANSES", groups="School", random_slopes=["SES"])
    c = res.coefficients
    # R: summary(lmer(MathAch ~ SES + MEANSES + (1 + SES | School))), isSingular FALSE, polished
    #   estimates 12.65130004760 2.19034989226 3.78122146817
    #   SE 0.150610583184 0.121847923853 0.382608390385
    #   df 152.960154008 178.205866120 181.768022499
    #   VarCorr: (Intercept) 2.695316339932, SES 0.453068832803, cov -0.233921179606,
    #   corr -0.211681341673, Residual 36.795616232866; REMLcrit 46561.417907638
    #   (lmer's default stop: SES variance 0.453049378181, 4e-5 from the optimum, with a
    #   REML criterion 1.2e-8 higher; df 178.205487604)
    assert_allclose(c.estimate, [12.65130004760, 2.19034989226, 3.78122146817], rtol=1e-7)
    assert_allclose(c.se, [0.150610583184, 0.121847923853, 0.382608390385], rtol=RTOL)
    assert_allclose(c.df, [152.960154008, 178.205866120, 181.768022499], rtol=1e-5)
    r = res.random
    assert list(r.component) == ["School"] * 3 + ["Residual"]
    assert list(r.effect[:3]) == ["(Intercept)", "SES", "(Intercept)"]
    assert_allclose(
        r.variance,
        [2.695316339932, 0.453068832803, -0.233921179606, 36.795616232866],
        rtol=1e-5,
    )
    assert_allclose(r["corr"].iloc[2], -0.211681341673, rtol=1e-5)
    assert_allclose(res.fit.deviance.iloc[0], 46561.417907638, rtol=1e-12)
    assert res.fit.converged.iloc[0]
    assert not res.fit.singular.iloc[0]
    # against lmer's default stop (control = lmerControl(optCtrl = list(xtol_abs = 1e-12,
    # ftol_abs = 1e-14))): estimates 12.65130035414 2.19034994916 3.78121820294,
    # SE 0.150610624268 0.121847396277 0.382608536771, df 152.959857797 178.205487604
    # 181.767507864: fixed effects, SEs and df agree to 1e-5; only the slope variance
    # (0.453049378181) sits 4e-5 away, where lme4 stopped early
    assert_allclose(c.estimate, [12.65130035414, 2.19034994916, 3.78121820294], rtol=1e-5)
    assert_allclose(c.se, [0.150610624268, 0.121847396277, 0.382608536771], rtol=1e-5)
    assert_allclose(c.df, [152.959857797, 178.205487604, 181.767507864], rtol=1e-5)


def test_group_mean_centring_then_random_slope(math):
    data = an.center(math, "SES", by="School")
    expected = math.SES - math.groupby("School").SES.transform("mean")
    assert_allclose(data.SES_cwc, expected)
    assert "SES_cwc" not in math.columns  # input untouched
    res = an.mixed_model(
        data, "MathAch ~ SES_cwc + MEANSES", groups="School", random_slopes="SES_cwc"
    )
    # R: ma$cSES <- ma$SES - ave(ma$SES, ma$School)
    #   summary(lmer(MathAch ~ cSES + MEANSES + (1 + cSES | School))) polished
    #   estimates 12.64543777031 2.19128577240 5.89629584876
    #   SE 0.149233145139 0.128030882239 0.360038744474
    #   df 153.738333547 155.441561343 152.926969301
    #   VarCorr 2.693067575044, 0.685838170491, -0.264481573710; Residual 36.713173213953
    c = res.coefficients
    assert_allclose(c.estimate, [12.64543777031, 2.19128577240, 5.89629584876], rtol=1e-7)
    assert_allclose(c.se, [0.149233145139, 0.128030882239, 0.360038744474], rtol=RTOL)
    assert_allclose(c.df, [153.738333547, 155.441561343, 152.926969301], rtol=1e-5)
    assert_allclose(
        res.random.variance,
        [2.693067575044, 0.685838170491, -0.264481573710, 36.713173213953],
        rtol=1e-5,
    )


def test_center_grand_mean_and_missing():
    d = pd.DataFrame({"c": ["a", "a", "b", "b"], "x": [1.0, np.nan, 3.0, 5.0]})
    out = an.center(d, ["x"])
    assert_allclose(out.x_cgm, [-2.0, np.nan, 0.0, 2.0])
    out = an.center(d, "x", by="c")
    assert_allclose(out.x_cm, [1.0, 1.0, 4.0, 4.0])
    with pytest.raises(InputError, match="center: column 'c' is not numeric"):
        an.center(d, "c")


def test_standard_errors_are_gls_at_the_estimates():
    # an independent check on simulated data: Cov(β̂) = (X'V⁻¹X)⁻¹ with V built densely
    rng = np.random.default_rng(7)
    g = np.repeat(np.arange(15), rng.integers(8, 30, 15))
    age = rng.uniform(20, 80, g.size)
    party = rng.integers(0, 2, g.size)
    y = 3 + 0.01 * age + 0.3 * party + rng.normal(0, 0.4, 15)[g] + rng.normal(0, 0.8, g.size)
    data = pd.DataFrame({"score": y, "age": age, "party": party, "group": g})
    res = an.mixed_model(data, "score ~ age + party", groups="group", ddf="wald")
    f = res.fit.iloc[0]
    x = np.column_stack([np.ones(g.size), age, party])
    v = f.var_between * (g[:, None] == g[None, :]) + f.var_within * np.eye(g.size)
    vinv = np.linalg.inv(v)
    cov = np.linalg.inv(x.T @ vinv @ x)
    beta = cov @ x.T @ vinv @ y
    c = res.coefficients
    assert_allclose(c.estimate, beta, rtol=1e-9)
    assert_allclose(c.se, np.sqrt(np.diag(cov)), rtol=1e-9)


def test_mixed_model_errors(math):
    with pytest.raises(ConfigError, match=r"random_slopes \['age'\] are not fixed-effect terms"):
        an.mixed_model(math, "MathAch ~ SES", groups="School", random_slopes=["age"])
    with pytest.raises(ConfigError, match="ddf"):
        an.mixed_model(math, "MathAch ~ SES", groups="School", ddf="kenward")
    with pytest.raises(InputError, match=r"mixed_model: column\(s\) 'community'"):
        an.mixed_model(math, "MathAch ~ SES", groups="community")
    twice = math.assign(SES2=2 * math.SES)
    with pytest.raises(InputError, match="rank-deficient"):
        an.mixed_model(twice, "MathAch ~ SES + SES2", groups="School")
    with pytest.raises(ConfigError, match="could not be read"):
        an.mixed_model(math, "MathAch ~ nothing_here", groups="School")


def test_mixed_model_summary_and_display(math):
    res = an.mixed_model(math, "MathAch ~ SES + MEANSES", groups="School", random_slopes=["SES"])
    en = res.summary("en")
    assert en.startswith("Linear mixed model, REML, Satterthwaite df, random slopes: SES;")
    assert "N = 7185 in 160 School clusters" in en
    assert "SES: b = 2.19, SE = 0.12, t(178.21) = 17.98, p < .001, 95% CI [1.95, 2.43]" in en
    zh = res.summary()
    assert zh.startswith("线性混合模型，限制性最大似然估计（REML），Satterthwaite 自由度 t 检验")
    assert "SES：b = 2.19，SE = 0.12，t(178.21) = 17.98，p < .001，95% 置信区间 [1.95, 2.43]" in zh
    wald = an.mixed_model(math, "MathAch ~ SES", groups="School", ddf="wald").summary("en")
    assert "Wald z tests" in wald
    assert "SES: b = 2.39, SE = 0.11, z = 22.61, p < .001" in wald
    page = result_to_html(res, lang="en")
    for text in ("Linear mixed model", "Random effects", "ICC and design effect",
                 "Weighted size Σn²/N (Kish design effect)", "ANOVA group size n₀"):  # fmt: skip
        assert text in page
    assert "随机效应方差成分" in result_to_html(res)
    assert isinstance(res, an.stats.nesting.ModelResult)


# ---------------------------------------------------------------------- cluster-robust OLS


def test_regression_cluster_robust_matches_sandwich(math):
    res = an.regression(math, "MathAch ~ SES + MEANSES + Sex", cluster="School")
    c = res.coefficients.set_index("term")
    # R 4.2.2, sandwich 3.0-2, lmtest 0.9-40: ols <- lm(MathAch ~ SES + MEANSES + Sex)
    #   coeftest(ols, vcov. = vcovCL(ols, cluster = ~School, type = "HC1"), df = 159)
    #   (Intercept) 12.113291728011 SE 0.169296827241; SES 2.148757360914 0.127917511189
    #   MEANSES 3.475718900469 0.345923871877; SexMale 1.299059036005 0.230323571824
    #   SexMale p = 7.5865e-08 (df = 159), 1.7636e-08 (df = 7181, coeftest's default)
    #   coefci(..., df = 159): SexMale [0.844170853942, 1.75394721807]
    order = ["Intercept", "SES", "MEANSES", "Sex[T.Male]"]
    assert_allclose(
        c.loc[order, "estimate"], [12.113291728011, 2.148757360914, 3.475718900469, 1.299059036005]
    )
    assert_allclose(
        c.loc[order, "se"],
        [0.169296827241, 0.127917511189, 0.345923871877, 0.230323571824],
        rtol=1e-9,
    )
    assert (c.df == 159).all()
    assert_allclose(c.loc["Sex[T.Male]", "p_value"], 7.5865e-08, rtol=1e-4)
    assert_allclose(c.loc["Sex[T.Male]", ["ci_low", "ci_high"]], [0.844170853942, 1.75394721807])
    resid = an.regression(
        math, "MathAch ~ SES + MEANSES + Sex", cluster="School", cluster_df="residual"
    )
    r = resid.coefficients.set_index("term")
    assert (r.df == 7181).all()
    assert_allclose(r.loc["Sex[T.Male]", "p_value"], 1.7636e-08, rtol=1e-4)
    # coefci(ols, vcov. = vcovCL(...)): SES [1.898001380943, 2.39951334088]
    assert_allclose(r.loc["SES", ["ci_low", "ci_high"]], [1.898001380943, 2.39951334088])
    assert res.fit.n_clusters.iloc[0] == 160
    assert res.fit.se_type.iloc[0] == "CR1"
    assert "cluster-robust SEs by School (CR1, 160 clusters, t tests on 159 df)" in res.summary(
        "en"
    )
    assert "按 School 聚类稳健标准误（CR1" in res.summary()


def test_regression_classical_matches_lm(math):
    res = an.regression(math, "MathAch ~ SES + MEANSES + Sex")
    c = res.coefficients.set_index("term")
    # R: summary(lm(MathAch ~ SES + MEANSES + Sex))$coefficients, Std. Error
    assert_allclose(
        c.loc[["Intercept", "SES", "MEANSES", "Sex[T.Male]"], "se"],
        [0.101776373506, 0.111961073408, 0.210874048813, 0.148403263463],
        rtol=1e-9,
    )
    assert (c.df == 7181).all()
    assert "classical SEs" in res.summary("en")


def test_regression_errors(math):
    with pytest.raises(InputError, match=r"regression: column\(s\) 'community'"):
        an.regression(math, "MathAch ~ SES", cluster="community")
    with pytest.raises(ConfigError, match="cluster_df"):
        an.regression(math, "MathAch ~ SES", cluster="School", cluster_df="stata")


@pytest.mark.parametrize("module", ["multilevel", "linear"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(
        importlib.import_module(f"analysis.stats.{module}"), optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0
    assert result.failed == 0


def test_singular_fit_variance_at_zero_matches_lmer():
    aq = pd.read_csv(R / "airquality.csv")
    # R 4.2.2, lme4 1.1-31, lmerTest 3.1-3 (tests/r/mixed_models.R):
    #   lmer(Wind ~ Temp + (1 | Day), airquality): boundary (singular) fit, Day variance 0,
    #   Residual 9.8731372103; estimates 23.233688114821 -0.170464441219,
    #   SE 2.1123946831793 0.0269260592641, df 150.999999999 151.000000000
    #   lmer(Ozone ~ Temp + (1 | Day), airquality): not singular, Day 96.7894376286,
    #   Residual 471.1053484770; SE 17.705712700778 0.224544121678, df 108.299873614 105.560758883
    res = an.mixed_model(aq, "Wind ~ Temp", groups="Day")
    assert res.random.variance.iloc[0] == 0.0
    assert res.fit.singular.iloc[0]
    assert_allclose(res.random.variance.iloc[1], 9.8731372103, rtol=1e-9)
    c = res.coefficients
    assert_allclose(c.estimate, [23.233688114821, -0.170464441219], rtol=1e-9)
    assert_allclose(c.se, [2.1123946831793, 0.0269260592641], rtol=1e-9)
    assert_allclose(c.df, [151.0, 151.0], rtol=1e-6)
    assert "singular fit" in res.summary("en")
    ozone = an.mixed_model(aq, "Ozone ~ Temp", groups="Day")  # 37 rows without Ozone dropped
    assert ozone.fit.n.iloc[0] == 116
    assert not ozone.fit.singular.iloc[0]
    assert_allclose(ozone.random.variance, [96.7894376286, 471.1053484770], rtol=RTOL)
    assert_allclose(ozone.coefficients.se, [17.705712700778, 0.224544121678], rtol=RTOL)
    assert_allclose(ozone.coefficients.df, [108.299873614, 105.560758883], rtol=RTOL)


def test_three_random_effects_match_lmer(math):
    res = an.mixed_model(
        math, "MathAch ~ SES + Minority", groups="School", random_slopes=["SES", "Minority[T.Yes]"]
    )
    # R: summary(lmer(MathAch ~ SES + Minority + (1 + SES + Minority | School))) polished
    #   VarCorr: 3.461722217139 (Intercept), 0.268410582691 SES, 1.544507345713 MinorityYes,
    #   covariances -0.232382754669 (Int, SES), 0.733364326470 (Int, Min), -0.533762161210
    #   (SES, Min); Residual 35.794589086405; REMLcrit 46429.982264628
    #   (Intercept) 13.49104256328 SE 0.174606715509 df 141.854723418
    #   SES          2.10571151057 SE 0.114158781945 df 154.715193859
    #   MinorityYes -3.07628860815 SE 0.242236509722 df 118.286318075
    c = res.coefficients.set_index("term").loc[["Intercept", "SES", "Minority[T.Yes]"]]
    assert_allclose(c.estimate, [13.49104256328, 2.10571151057, -3.07628860815], rtol=RTOL)
    assert_allclose(c.se, [0.174606715509, 0.114158781945, 0.242236509722], rtol=RTOL)
    assert_allclose(c.df, [141.854723418, 154.715193859, 118.286318075], rtol=1e-5)
    expected = [3.461722217139, 0.268410582691, 1.544507345713, -0.232382754669,
                0.733364326470, -0.533762161210, 35.794589086405]  # fmt: skip
    assert_allclose(res.random.variance, expected, rtol=1e-5)
    assert_allclose(res.fit.deviance.iloc[0], 46429.982264628, rtol=1e-12)
