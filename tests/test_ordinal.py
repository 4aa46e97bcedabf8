"""Polychoric correlations, ordinal alpha and omega-hierarchical, checked against psych.

Reference numbers: R 4.2.2 Patched (2022-11-10 r83330), psych 2.2.9 (GPArotation for the
oblimin rotation), printed by tests/r/measurement.R::

    bfi <- read.csv("bfi.csv")                      # shared/datasets/r/psych
    rev <- c("A1","C4","C5","E1","E2","O2","O5"); bfi[rev] <- 7 - bfi[rev]
    pc <- polychoric(bfi[paste0("A", 1:5)])         # defaults: global = TRUE, smooth = TRUE
    alpha(pc$rho)$total$raw_alpha                   # ordinal alpha
    omega(bfi[items[1:10]], nfactors = 3)           # omega_h, omega.tot, ECV (minres, oblimin)

psych finds each polychoric correlation with ``optimize`` (tolerance about 1e-4) and the
minres loadings with ``optim`` (L-BFGS-B, factr 1e7); the toolkit solves both to tight
tolerances, so the correlations agree to 1e-4, alpha to 1e-5 and omega_h to 1e-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

from analysis.stats.omega import omega_hierarchical
from analysis.stats.polychoric import _bvn_cdf, alpha_from_corr, polychoric

BFI = SHARED_R / "psych" / "bfi.csv"
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
ITEMS = [f"{s}{i}" for s in "ACENO" for i in range(1, 6)]

# polychoric(A)$rho, lower triangle by rows
A_RHO = [
    [0.408463791129],
    [0.322517432337, 0.555450998317],
    [0.175442426081, 0.389714342882, 0.408068897892],
    [0.227839531060, 0.448821008499, 0.572856416904, 0.355285890439],
]
# polychoric(A)$tau, row A1
A1_TAU = [-1.88887898502, -1.22890028288, -0.736860977691, -0.318639363964, 0.436662234004]
ORDINAL_ALPHA = {"A": 0.7589921786, "C": 0.7674083518}
# omega(bfi[items[1:n]], nfactors = nf): omega_h, omega.tot, ECV
OMEGA = {
    (10, 3): (0.4303985959, 0.7988479915, 0.3966142767),
    (15, 3): (0.5428334747, 0.8481397689, 0.4260254802),
    (25, 5): (0.4617096034, 0.8748095110, 0.2428707823),
}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    if not BFI.exists():
        pytest.skip(f"shared R data not found: {BFI}")
    data = pd.read_csv(BFI)[ITEMS]
    data[REVERSED] = 7 - data[REVERSED]
    return data


def test_bivariate_normal_cdf_by_owens_t():
    from scipy.stats import multivariate_normal

    cases = [(0.3, -0.5, 0.4), (-1.0, -2.0, -0.7), (0.0, 0.0, 0.5), (1.2, 0.0, 0.95)]
    for h, k, r in cases:
        expected = multivariate_normal([0, 0], [[1, r], [r, 1]]).cdf([h, k])
        assert_allclose(_bvn_cdf(np.array(h), np.array(k), r), expected, atol=1e-7)
    # exact: P(X<=0, Y<=0) = 1/4 + asin(r)/(2 pi)
    assert_allclose(
        _bvn_cdf(np.array(0.0), np.array(0.0), 0.5), 0.25 + np.arcsin(0.5) / (2 * np.pi)
    )


def test_polychoric_equals_psych(bfi):
    result = polychoric(bfi[[f"A{i}" for i in range(1, 6)]])
    rho = result.rho.to_numpy()
    for i, row in enumerate(A_RHO, start=1):
        assert_allclose(rho[i, : len(row)], row, atol=1e-4)
    assert_allclose(result.tau.loc["A1"], A1_TAU, atol=1e-8)
    assert not result.smoothed
    assert result.n == 2800 - int(bfi[[f"A{i}" for i in range(1, 6)]].isna().all(axis=1).sum())


@pytest.mark.parametrize("scale", ["A", "C"])
def test_ordinal_alpha_equals_psych(bfi, scale):
    rho = polychoric(bfi[[f"{scale}{i}" for i in range(1, 6)]]).rho
    assert_allclose(alpha_from_corr(rho), ORDINAL_ALPHA[scale], atol=1e-5)


@pytest.mark.parametrize(("n_items", "nfactors"), list(OMEGA), ids=["AC", "ACE", "all"])
def test_omega_hierarchical_equals_psych(bfi, n_items, nfactors):
    corr = bfi[ITEMS[:n_items]].corr().to_numpy()  # pairwise, as psych
    got = omega_hierarchical(corr, nfactors)
    expected = OMEGA[(n_items, nfactors)]
    assert_allclose(got["omega_h"], expected[0], atol=1e-4)
    assert_allclose(got["omega_total"], expected[1], atol=1e-5)
    assert_allclose(got["ecv"], expected[2], atol=1e-4)


def test_polychoric_refuses_continuous_answers():
    from analysis.core.errors import InputError

    frame = pd.DataFrame({"a": np.arange(1, 21) % 10 + 1, "b": np.arange(20) % 10 + 1})
    with pytest.raises(InputError, match="at most 8"):
        polychoric(frame)
    with pytest.raises(InputError, match="whole-number"):
        polychoric(frame / 3)


def test_reliability_table_gives_ordinal_alpha_and_omega_h(bfi):
    import analysis as an

    dims = dict(zip("ACENO", an.SERVICE_FIVE.ids, strict=True))
    codebook = an.load_codebook(
        {
            "id_column": "rownames",
            "scale": {"min": 1, "max": 6},
            "missing": ["NA"],
            "items": [
                {"column": c, "id": c.lower(), "dimension": dims[c[0]], "reverse": c in REVERSED}
                for c in ITEMS
            ],
        }
    )
    survey = an.read_survey(BFI, codebook=codebook)
    table = an.reliability(survey)
    got = table.set_index("dimension")["alpha_ordinal"]
    assert_allclose(got[dims["A"]], ORDINAL_ALPHA["A"], atol=1e-5)
    assert_allclose(got[dims["C"]], ORDINAL_ALPHA["C"], atol=1e-5)
    # five items per dimension: no group factors to set apart, so no omega_h
    assert table["omega_h"].isna().all()
    assert list(table.columns[table.columns.get_loc("omega") :][:3]) == [
        "omega",
        "alpha_ordinal",
        "omega_h",
    ]


# --------------------------------------------------------------------- WLSMV
# R 4.2.2, lavaan 0.6-14 (tests/r/measurement.R):
#   fit <- cfa(model, data = bfi, ordered = TRUE, estimator = "WLSMV")   # listwise
#   parameterEstimates(fit), standardizedSolution(fit), fitMeasures(fit, c("chisq", "df",
#   "chisq.scaled", "chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
#   "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "srmr", "cfi", "tli", "rmsea",
#   "baseline.chisq.scaled")), lavInspect(fit, "gamma")
AC_MODEL = {"agree": ITEMS[:5], "consc": ITEMS[5:10]}
WLSMV_AC = {
    "n": 2632,
    "est": [
        1.0,
        1.7694547174,
        1.9276455224,
        1.3964576108,
        1.6553832401,
        1.0,
        1.1156648963,
        0.9967633485,
        1.2138536389,
        1.0821175297,
    ],
    "est_se": [
        0.0,
        0.0857170154,
        0.0909709799,
        0.0753576635,
        0.0815654794,
        0.0,
        0.0359742973,
        0.0346933923,
        0.0403554451,
        0.0357654714,
    ],
    "loading": [
        0.4081683553,
        0.7222354218,
        0.7868039025,
        0.5699898062,
        0.6756750545,
        0.5948015502,
        0.6635992099,
        0.5928763849,
        0.7220020262,
        0.6436451842,
    ],
    "se": [
        0.0185703276,
        0.0132993429,
        0.0120987348,
        0.017056767,
        0.0135892233,
        0.0156149263,
        0.0144673231,
        0.0151476983,
        0.0139674264,
        0.0143224106,
    ],
    "corr": 0.3706650843,
    "fit": {
        "chi2": 449.2777991958,
        "df": 34,
        "chi2_scaled": 593.4956893698,
        "scaling_factor": 0.7642758149,
        "cfi": 0.9464576148,
        "tli": 0.9291350785,
        "rmsea": 0.0790857959,
        "rmsea_ci_low": 0.0735717538,
        "rmsea_ci_high": 0.0847321353,
        "srmr": 0.0506166251,
        "cfi_naive": 0.9747849569,
        "tli_naive": 0.9666271489,
        "rmsea_naive": 0.0681348767,
        "baseline_chi2": 10494.5847103642,
    },
}
# lavInspect(fit, "sampstat")$cov[1:3, 1:3] and diag(lavInspect(fit, "gamma")) of A1~~A2..A4
AC_POLY = {("A2", "A1"): 0.410177783298, ("A3", "A1"): 0.323901205107}
AC_GAMMA = [0.683295970635, 0.807906206786, 1.120211070533]
# the five-factor model on all 25 items (2436 listwise)
WLSMV_BFI = {
    "chi2": 6055.9405201975,
    "chi2_scaled": 6049.2750053717,
    "scaling_factor": 1.0155907728,
    "cfi": 0.8244567080,
    "tli": 0.8012717449,
    "rmsea": 0.0946786478,
    "rmsea_ci_low": 0.0926155481,
    "rmsea_ci_high": 0.0967573119,
    "srmr": 0.0827418258,
    "baseline_chi2": 33250.7037221304,
}
BFI_WLSMV_STD = [0.3580644935, 0.6783621151, 0.7696550001, 0.5553759429, 0.7904762009]
BFI_WLSMV_STD += [0.5985884326, 0.6049572087, 0.5390807987, 0.7523652464, 0.7141775787]
BFI_WLSMV_STD += [0.5397262859, 0.7331409775, 0.6875886839, 0.7441612606, 0.6227380266]
BFI_WLSMV_STD += [0.8627528760, 0.8256422792, 0.7382492947, 0.7044914480, 0.5585484490]
BFI_WLSMV_STD += [0.6552965072, 0.4366946046, 0.8248558104, 0.1676015121, 0.4781123164]


def _relative(got: dict, expected: dict) -> None:
    for name, value in expected.items():
        # chi-squares in the thousands: relative; indices: absolute
        tol = {"rtol": 1e-6} if abs(value) > 10 else {"atol": 1e-5}
        assert_allclose(got[name], value, err_msg=name, **tol)


def test_polychoric_gamma_equals_lavaan(bfi):
    from analysis.stats.dwls import polychoric_gamma

    rho, gamma, _ = polychoric_gamma(bfi[ITEMS[:10]].dropna())
    for (a, b), value in AC_POLY.items():
        assert_allclose(rho.loc[a, b], value, atol=1e-8)
    # pairs in lower-triangle order: (A2,A1), (A3,A1), (A3,A2), (A4,A1) …
    assert_allclose(np.diag(gamma)[[0, 1, 3]], AC_GAMMA, rtol=1e-6)


def test_wlsmv_two_factors_equals_lavaan(bfi):
    from analysis.stats.dwls import fit_cfa_dwls

    fit = fit_cfa_dwls(bfi[ITEMS[:10]].dropna(), AC_MODEL)
    assert fit.converged
    assert fit.n == WLSMV_AC["n"]
    loads = fit.std_loadings()
    for col in ("est", "est_se", "loading", "se"):
        assert_allclose(loads[col], WLSMV_AC[col], atol=1e-4, err_msg=col)
    assert_allclose(fit.factor_correlations().iloc[0, 1], WLSMV_AC["corr"], atol=1e-6)
    _relative(fit.indices, WLSMV_AC["fit"])


def test_wlsmv_five_factors_equals_lavaan(bfi):
    from analysis.stats.dwls import fit_cfa_dwls

    factors = ["agree", "consc", "extra", "neuro", "open"]
    model = {f: ITEMS[5 * i : 5 * i + 5] for i, f in enumerate(factors)}
    fit = fit_cfa_dwls(bfi.dropna(), model)
    assert_allclose(fit.std_loadings()["loading"], BFI_WLSMV_STD, atol=1e-5)
    _relative(fit.indices, WLSMV_BFI)


def test_survey_cfa_with_wlsmv_says_so(bfi):
    import warnings

    import analysis as an

    codebook = an.load_codebook(
        {
            "id_column": "rownames",
            "scale": {"min": 1, "max": 6},
            "missing": ["NA"],
            "items": [
                {"column": c, "id": c.lower(), "dimension": d, "reverse": c in REVERSED}
                for c, d in zip(ITEMS[:10], ["reform"] * 5 + ["development"] * 5, strict=True)
            ],
        }
    )
    survey = an.read_survey(BFI, codebook=codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", an.DataQualityWarning)
        result = an.cfa(survey, estimator="WLSMV")
    fit = result.fit.iloc[0]
    assert fit["estimator"] == "WLSMV"
    assert_allclose(fit["cfi"], WLSMV_AC["fit"]["cfi"], atol=1e-5)
    assert_allclose(result.loadings["loading"], WLSMV_AC["loading"], atol=1e-4)
    en = result.summary("en")
    assert "WLSMV" in en
    assert "polychoric" in en
    assert "χ²(34, N = 2632) = 593.50" in en
    assert "多分格相关" in result.summary("zh")
    with pytest.raises(an.InputError, match="modification indices"):
        an.cfa(survey, estimator="WLSMV", modification_indices=True)


# --------------------------------------------------------------------- FIML
# R 4.2.2, lavaan 0.6-14 (tests/r/measurement.R):
#   fit <- cfa('agree =~ A1+A2+A3+A4+A5; consc =~ C1+C2+C3+C4+C5', data = bfi,
#              missing = "fiml")                        # 2800 respondents
FIML_AC = {
    "est": [
        1.0,
        1.4914936654,
        1.8734358197,
        1.4115490854,
        1.5221124304,
        1.0,
        1.2001310575,
        1.0704410185,
        1.3708715262,
        1.4454567915,
    ],
    "est_se": [
        0.0,
        0.089410648,
        0.1148999246,
        0.096884083,
        0.0973193391,
        0.0,
        0.0548729879,
        0.0541505807,
        0.0661292965,
        0.0752493007,
    ],
    "loading": [
        0.3691248666,
        0.6614741335,
        0.7481157581,
        0.4958511855,
        0.6287479281,
        0.5380192704,
        0.6079440917,
        0.554762892,
        0.6659290752,
        0.5928203651,
    ],
    "se": [
        0.0194919652,
        0.0150708451,
        0.0137176932,
        0.0175203441,
        0.0151852131,
        0.0177175404,
        0.0166969051,
        0.0170905648,
        0.0156971873,
        0.0168548901,
    ],
}
FIML_FIT = {
    "chi2": 536.8239392840,
    "df": 34,
    "cfi": 0.9093963973,
    "tli": 0.8800834671,
    "rmsea": 0.0726757461,
    "rmsea_ci_low": 0.0673249323,
    "rmsea_ci_high": 0.0781607850,
    "srmr": 0.0427541120,
    "baseline_chi2": 5594.7124229179,
    "loglik": -45064.7510999247,
    "loglik_unrestricted": -44796.3391302828,
}


def test_fiml_equals_lavaan(bfi):
    from analysis.stats.fiml import fit_cfa_fiml

    fit = fit_cfa_fiml(bfi, AC_MODEL)
    assert fit.converged
    assert fit.n == 2800
    loads = fit.std_loadings()
    for col in ("est", "est_se", "loading", "se"):
        assert_allclose(loads[col], FIML_AC[col], atol=1e-5, err_msg=col)
    _relative(fit.indices, FIML_FIT)


def test_survey_cfa_with_fiml_keeps_partial_answers_and_states_the_rule(bfi):
    import warnings

    import analysis as an

    codebook = an.load_codebook(
        {
            "id_column": "rownames",
            "scale": {"min": 1, "max": 6},
            "missing": ["NA"],
            "min_answered": 0.0,
            "items": [
                {"column": c, "id": c.lower(), "dimension": d, "reverse": c in REVERSED}
                for c, d in zip(ITEMS[:10], ["reform"] * 5 + ["development"] * 5, strict=True)
            ],
        }
    )
    survey = an.read_survey(BFI, codebook=codebook)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = an.cfa(survey, missing="fiml")
    fit = result.fit.iloc[0]
    assert (fit["missing"], fit["n"], fit["n_dropped"]) == ("fiml", 2800, 0)
    assert_allclose(fit["cfi"], FIML_FIT["cfi"], atol=1e-6)
    assert_allclose(result.loadings["loading"], FIML_AC["loading"], atol=1e-5)
    assert "full-information ML" in result.summary("en")
    assert "全信息最大似然" in result.summary("zh")
    with pytest.raises(an.InputError, match="fiml"):
        an.cfa(survey, missing="fiml", estimator="WLSMV")
