"""Confirmatory factor analysis, checked against lavaan.

Reference numbers: R 4.2.2 Patched (2022-11-10 r83330), lavaan 0.6-14, default ML
(``estimator = "ML"``, ``likelihood = "normal"``, expected information), printed with
``sprintf("%.10f")`` from ``fitMeasures``, ``standardizedSolution``, ``parameterEstimates``
and ``modindices``. The calls::

    HS <- read.csv("HolzingerSwineford1939.csv")      # shared/datasets/r/lavaan
    HS.model <- 'visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9'
    fit <- cfa(HS.model, data = HS)
    bfi <- read.csv("bfi.csv")                          # shared/datasets/r/psych
    rev <- c("A1","C4","C5","E1","E2","O2","O5"); bfi[rev] <- 7 - bfi[rev]
    bfi.model <- 'agree =~ A1+A2+A3+A4+A5; consc =~ C1+C2+C3+C4+C5;
                  extra =~ E1+E2+E3+E4+E5; neuro =~ N1+N2+N3+N4+N5; open =~ O1+O2+O3+O4+O5'
    fit2 <- cfa(bfi.model, data = bfi)                  # listwise: 2436 of 2800 rows
    # CR and AVE from the std.all loadings:
    # sum(l)^2 / (sum(l)^2 + sum(1 - l^2)), mean(l^2)

The published lavaan tutorial values for HS agree (chi-square 85.306, df 24, CFI 0.931, TLI
0.896, RMSEA 0.092 [0.071, 0.114], SRMR 0.065). Tests reading the shared R data skip when it
is absent.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

from analysis.stats.sem import fit_cfa

TOL = 1e-4
HS = SHARED_R / "lavaan" / "HolzingerSwineford1939.csv"
BFI = SHARED_R / "psych" / "bfi.csv"
HS_MODEL = {
    "visual": ["x1", "x2", "x3"],
    "textual": ["x4", "x5", "x6"],
    "speed": ["x7", "x8", "x9"],
}
BFI_REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
BFI_MODEL = {
    f: [f"{f[0].upper()}{i}" for i in range(1, 6)]
    for f in ("agree", "consc", "extra", "neuro", "open")
}

# lavaan 0.6-14, fitMeasures(fit, c("chisq","df","pvalue","cfi","tli","rmsea",
# "rmsea.ci.lower","rmsea.ci.upper","srmr","baseline.chisq","baseline.df"))
HS_FIT = {
    "chi2": 85.3055217700,
    "df": 24,
    "p_value": 0.0000000085,
    "cfi": 0.9305596518,
    "tli": 0.8958394777,
    "rmsea": 0.0921214845,
    "rmsea_ci_low": 0.0714184904,
    "rmsea_ci_high": 0.1136780168,
    "srmr": 0.0652050572,
    "baseline_chi2": 918.8515892924,
    "baseline_df": 36,
}
# standardizedSolution(fit): est.std and se of the loadings
HS_STD = [
    (0.7718804204, 0.0549727287),
    (0.4236009920, 0.0596191166),
    (0.5811323239, 0.0551393082),
    (0.8515822224, 0.0225430949),
    (0.8550654464, 0.0223412497),
    (0.8380100739, 0.0233551780),
    (0.5695146840, 0.0531548677),
    (0.7230444328, 0.0505305776),
    (0.6650092188, 0.0510943401),
]
# parameterEstimates(fit): unstandardised loadings (markers 1) and SEs
HS_EST = [
    (1.0, 0.0),
    (0.5535002938, 0.0996651188),
    (0.7293702098, 0.1091097031),
    (1.0, 0.0),
    (1.1130765781, 0.0654201086),
    (0.9261462366, 0.0554488562),
    (1.0, 0.0),
    (1.1799508395, 0.1649865720),
    (1.0815301569, 0.1511674381),
]
HS_RESID = [0.5490539732, 1.1338390165, 0.8443240457, 0.3711729928, 0.4462550703]
HS_RESID += [0.3562026643, 0.7993916383, 0.4876970838, 0.5661312936]
HS_CORR = {("visual", "textual"): 0.4585093004, ("visual", "speed"): 0.4705345445}
HS_CORR[("textual", "speed")] = 0.2829847304
HS_CR_AVE = {
    "visual": (0.6258384444, 0.3709839872),
    "textual": (0.8850013355, 0.7195300277),
    "speed": (0.6913735808, 0.4297924960),
}
# modindices(fit, sort. = TRUE)[1:5]
HS_MI = [
    ("visual", "=~", "x9", 36.4110306521),
    ("x7", "~~", "x8", 34.1450893603),
    ("visual", "=~", "x7", 18.6306384638),
    ("x8", "~~", "x9", 14.9463917380),
    ("textual", "=~", "x3", 9.1508947961),
]

BFI_FIT = {
    "chi2": 4165.4674363849,
    "df": 265,
    "cfi": 0.7823656819,
    "tli": 0.7536215267,
    "rmsea": 0.0777314465,
    "rmsea_ci_low": 0.0756590963,
    "rmsea_ci_high": 0.0798222699,
    "srmr": 0.0753411710,
    "baseline_chi2": 18222.1157318356,
    "n": 2436,
}
BFI_STD = [0.3440913728, 0.6480617502, 0.7494322933, 0.5099533603, 0.6873612814]
BFI_STD += [0.5507532763, 0.5919430342, 0.5459687548, 0.7022878831, 0.6202563516]
BFI_STD += [0.5640669941, 0.6988501897, 0.6270618927, 0.7031655920, 0.5533884425]
BFI_STD += [0.8249081405, 0.8027093659, 0.7205156957, 0.5729323638, 0.5027232306]
BFI_STD += [0.5641229517, 0.4175174044, 0.7239186637, 0.2325561139, 0.4606366245]
BFI_STD_SE = [0.0203605617, 0.0149011531, 0.0128715123, 0.0176985098, 0.0140843786]
BFI_STD_SE += [0.0176957197, 0.0169345183, 0.0177831426, 0.0149753608, 0.0164109840]
BFI_STD_SE += [0.0164284226, 0.0134986963, 0.0150849346, 0.0134040415, 0.0166471277]
BFI_STD_SE += [0.0095757662, 0.0100408311, 0.0119506386, 0.0154657794, 0.0169229973]
BFI_STD_SE += [0.0195953302, 0.0213348566, 0.0186689492, 0.0232758733, 0.0207892469]
BFI_CR_AVE = {
    "agree": (0.7316762376, 0.3665099256),
    "consc": (0.7409415375, 0.3659467642),
    "extra": (0.7674807444, 0.4000900794),
    "neuro": (0.8198930424, 0.4849881549),
    "open": (0.6075316583, 0.2565764330),
}
BFI_CORR = {("agree", "extra"): 0.6825374703, ("neuro", "open"): -0.1120656840}


def _cr_ave(loadings: np.ndarray) -> tuple[float, float]:
    s = loadings.sum() ** 2
    return s / (s + (1 - loadings**2).sum()), float(np.mean(loadings**2))


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    if not HS.exists():
        pytest.skip(f"shared R data not found: {HS}")
    return pd.read_csv(HS)[[f"x{i}" for i in range(1, 10)]]


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    if not BFI.exists():
        pytest.skip(f"shared R data not found: {BFI}")
    data = pd.read_csv(BFI)[[it for items in BFI_MODEL.values() for it in items]]
    data[BFI_REVERSED] = 7 - data[BFI_REVERSED]
    return data


@pytest.fixture(scope="module")
def hs_fit(hs):
    return fit_cfa(hs.cov(ddof=0), len(hs), HS_MODEL)


@pytest.fixture(scope="module")
def bfi_fit(bfi):
    complete = bfi.dropna()
    return fit_cfa(complete.cov(ddof=0), len(complete), BFI_MODEL)


# --------------------------------------------------------------------- stats layer


def test_hs_fit_indices_equal_lavaan(hs_fit):
    assert hs_fit.converged
    for name, value in HS_FIT.items():
        assert_allclose(hs_fit.indices[name], value, atol=TOL, err_msg=name)


def test_hs_estimates_and_standardised_loadings_equal_lavaan(hs_fit):
    loads = hs_fit.std_loadings()
    assert_allclose(loads[["loading", "se"]].to_numpy(), HS_STD, atol=TOL)
    assert_allclose(loads[["est", "est_se"]].to_numpy(), HS_EST, atol=TOL)
    e = hs_fit.estimates
    resid = e[(e["op"] == "~~") & e["lhs"].str.startswith("x")]["est"]
    assert_allclose(resid, HS_RESID, atol=TOL)
    corr = hs_fit.factor_correlations()
    for (a, b), value in HS_CORR.items():
        assert_allclose(corr.loc[a, b], value, atol=TOL)


def test_hs_cr_ave_and_modification_indices_equal_lavaan(hs_fit):
    loads = hs_fit.std_loadings()
    for factor, expected in HS_CR_AVE.items():
        got = _cr_ave(loads.loc[loads["factor"] == factor, "loading"].to_numpy())
        assert_allclose(got, expected, atol=TOL)
    mi = hs_fit.modification_indices().head(5)
    assert list(mi[["lhs", "op", "rhs"]].itertuples(index=False, name=None)) == [
        m[:3] for m in HS_MI
    ]
    # lavaan's optimiser (nlminb) stops with a small non-zero gradient and the index squares
    # the score, so the indices agree to the 3 decimals lavaan prints (relative 1e-5), not 1e-4
    assert_allclose(mi["mi"], [m[3] for m in HS_MI], rtol=1e-5)


def test_bfi_listwise_equals_lavaan(bfi_fit):
    for name, value in BFI_FIT.items():
        assert_allclose(bfi_fit.indices[name], value, atol=TOL, err_msg=name)
    loads = bfi_fit.std_loadings()
    assert_allclose(loads["loading"], BFI_STD, atol=TOL)
    assert_allclose(loads["se"], BFI_STD_SE, atol=TOL)
    for factor, expected in BFI_CR_AVE.items():
        got = _cr_ave(loads.loc[loads["factor"] == factor, "loading"].to_numpy())
        assert_allclose(got, expected, atol=TOL)
    corr = bfi_fit.factor_correlations()
    for (a, b), value in BFI_CORR.items():
        assert_allclose(corr.loc[a, b], value, atol=TOL)


# --------------------------------------------------------------------- survey face


def _bfi_codebook(items=None, **extra):
    import analysis as an

    dims = dict(zip("ACENO", an.SERVICE_FIVE.ids, strict=True))
    spec = {
        "id_column": "rownames",
        "scale": {"min": 1, "max": 6},
        "missing": ["NA"],
        "items": [
            {"column": c, "id": c.lower(), "dimension": dims[c[0]], "reverse": c in BFI_REVERSED}
            for c in (items or [it for its in BFI_MODEL.values() for it in its])
        ],
    }
    spec.update(extra)
    return an.load_codebook(spec)


@pytest.fixture(scope="module")
def bfi_survey():
    import analysis as an

    if not BFI.exists():
        pytest.skip(f"shared R data not found: {BFI}")
    return an.read_survey(BFI, codebook=_bfi_codebook())


@pytest.fixture(scope="module")
def bfi_result(bfi_survey):
    import analysis as an

    with pytest.warns(an.DataQualityWarning, match="364 of 2800 respondents left out"):
        return an.cfa(bfi_survey, modification_indices=True)


def test_survey_cfa_reverses_items_and_equals_lavaan(bfi_result):
    fit = bfi_result.fit.iloc[0]
    assert fit["estimator"] == "ML"
    assert fit["missing"] == "listwise"
    assert (fit["n"], fit["n_dropped"]) == (2436, 364)
    for name, value in BFI_FIT.items():
        assert_allclose(fit[name], value, atol=TOL, err_msg=name)
    assert_allclose(bfi_result.loadings["loading"], BFI_STD, atol=TOL)
    assert_allclose(bfi_result.loadings["se"], BFI_STD_SE, atol=TOL)
    assert not bfi_result.loadings["heywood"].any()
    assert_allclose(
        bfi_result.reliability[["cr", "ave"]].to_numpy(), list(BFI_CR_AVE.values()), atol=TOL
    )


def test_fornell_larcker_and_htmt(bfi_result, bfi):
    fl = bfi_result.fornell_larcker.to_numpy()
    assert_allclose(np.diag(fl), bfi_result.reliability["sqrt_ave"])
    assert_allclose(fl[0, 2], BFI_CORR[("agree", "extra")], atol=TOL)
    # HTMT by hand (Henseler et al. 2015, eq. 6) from the listwise correlations
    r = bfi.dropna().corr().to_numpy()
    a, e = np.arange(0, 5), np.arange(10, 15)
    mono = [r[np.ix_(b, b)][np.triu_indices(5, 1)].mean() for b in (a, e)]
    expected = r[np.ix_(a, e)].mean() / np.sqrt(mono[0] * mono[1])
    assert_allclose(bfi_result.htmt.iloc[0, 2], expected, rtol=1e-12)
    assert np.isnan(bfi_result.htmt.iloc[0, 0])


def test_summary_gives_the_apa_line_in_both_languages(bfi_result):
    en = bfi_result.summary("en")
    assert en.splitlines()[0] == (
        "χ²/df = 15.72, CFI = .782, TLI = .754, RMSEA = .078, 90% CI [.076, .080], SRMR = .075"
    )
    assert "Maximum likelihood, listwise deletion (364" in en
    zh = bfi_result.summary("zh")
    assert "90% 置信区间 [.076, .080]" in zh
    assert "最大似然" in zh
    html = bfi_result._repr_html_()
    assert "验证性因子分析" in html
    assert "Fornell-Larcker" in html
    assert bfi_result.modification_indices["mi"].is_monotonic_decreasing


def test_two_item_dimension_fits_within_the_model_and_one_item_is_skipped(tmp_path):
    import analysis as an

    if not BFI.exists():
        pytest.skip(f"shared R data not found: {BFI}")
    items = ["A1", "A2", "C1", "C2", "C3", "E1", "E2", "E3", "N1"]
    survey = an.read_survey(BFI, codebook=_bfi_codebook(items))
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = an.cfa(survey)
    text = " ".join(str(w.message) for w in record)
    assert any(w.category is an.SmallSampleWarning for w in record)
    assert "only two items" in text
    assert "has 1 item" in text
    assert len(result.model) == 3


def test_single_underidentified_dimension_is_a_clear_error():
    import analysis as an

    if not BFI.exists():
        pytest.skip(f"shared R data not found: {BFI}")
    survey = an.read_survey(BFI, codebook=_bfi_codebook(["A1", "A2"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(an.InputError, match="three items"):
            an.cfa(survey)


def test_non_positive_definite_matrix_is_named(hs):
    from analysis.stats.sem import ModelError

    data = hs.assign(x10=hs["x1"] + hs["x2"])
    model = {**HS_MODEL, "visual": ["x1", "x2", "x3", "x10"]}
    with pytest.raises(ModelError, match="not positive definite"):
        fit_cfa(data.cov(ddof=0), len(data), model)


def test_heywood_case_is_flagged(hs):
    from analysis.survey.factor_analysis import _result

    # a near-duplicate item drives a residual variance to (or below) zero
    rng = np.random.default_rng(1)
    data = hs.assign(x3=hs["x1"] + rng.normal(0, 0.01, len(hs)))
    fitted = fit_cfa(data.cov(ddof=0), len(data), HS_MODEL)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = _result(fitted, data, HS_MODEL, 0, "ML", "listwise", False)
    if result.loadings["heywood"].any():
        assert any("Heywood" in str(w.message) for w in record)
    assert result.loadings.loc[2, "residual_variance"] < 0.01


# --------------------------------------------------------------------- invariance

# lavaan 0.6-14, fitMeasures(m, c("chisq","df","cfi","rmsea","srmr")) for
# cfa(HS.model, data = HS, group = "school", group.equal = ...) with group.equal = "",
# "loadings", c("loadings","intercepts"), c("loadings","intercepts","residuals")
# (tests/r/measurement.R prints them)
HS_INVARIANCE = {
    "configural": (115.8513438756, 48, 0.9233983804, 0.0969148568, 0.0678640118),
    "metric": (124.0435441800, 54, 0.9209234686, 0.0928365359, 0.0716515838),
    "scalar": (164.1028309252, 60, 0.8824718127, 0.1073710981, 0.0824470586),
    "strict": (181.5113452303, 69, 0.8729789157, 0.1040891263, 0.0882626495),
}
# the same calls, fitMeasures(m, c("tli","rmsea.ci.lower","rmsea.ci.upper"))
HS_INVARIANCE_TLI_CI = {
    "configural": (0.8850975706, 0.0745052868, 0.1195828259),
    "metric": (0.8945646248, 0.0713961318, 0.1144111023),
    "scalar": (0.8589661752, 0.0879038595, 0.1271943798),
    "strict": (0.8674562599, 0.0857749841, 0.1226813659),
}


def _hs_survey(tmp_path, frame):
    import analysis as an

    path = tmp_path / "hs.csv"
    # the codebook's scales are whole answers: round the test scores (1 to 10)
    items = [f"x{i}" for i in range(1, 10)]
    frame.assign(**{c: frame[c].round().clip(-10, 20).astype(int) for c in items}).to_csv(
        path, index=False
    )
    codebook = an.load_codebook(
        {
            "id_column": "id",
            "group_column": "school",
            "scale": {"min": -10, "max": 20},
            "items": [
                {"column": f"x{i}", "id": f"x{i}", "dimension": dim}
                for dim, i in zip(
                    ["reform"] * 3 + ["development"] * 3 + ["livelihood"] * 3,
                    range(1, 10),
                    strict=True,
                )
            ],
        }
    )
    return an.read_survey(path, codebook=codebook)


@pytest.fixture(scope="module")
def hs_raw():
    if not HS.exists():
        pytest.skip(f"shared R data not found: {HS}")
    return pd.read_csv(HS)


def test_invariance_levels_equal_lavaan(hs_raw):
    from analysis.stats.invariance import fit_invariance
    from analysis.survey.measurement_invariance import decide

    frames = {g: x for g, x in hs_raw.groupby("school")}
    table = decide(fit_invariance(frames, HS_MODEL, levels=list(HS_INVARIANCE)))
    assert list(table["level"]) == list(HS_INVARIANCE)
    got = table[["chi2", "df", "cfi", "rmsea", "srmr"]].to_numpy()
    assert_allclose(got, list(HS_INVARIANCE.values()), atol=TOL)
    got = table[["tli", "rmsea_ci_low", "rmsea_ci_high"]].to_numpy()
    assert_allclose(got, list(HS_INVARIANCE_TLI_CI.values()), atol=TOL)
    assert table["converged"].all()
    assert_allclose(table.loc[1, "delta_chi2"], 124.0435441800 - 115.8513438756, atol=TOL)
    assert_allclose(table.loc[2, "delta_srmr"], 0.0824470586 - 0.0716515838, atol=TOL)
    # Chen (2007): metric holds (ΔCFI -.002); scalar does not (ΔCFI -.038 with ΔSRMR .011,
    # although ΔRMSEA .0145 stays under .015); strict holds against scalar (ΔCFI -.0095)
    assert list(table["holds"]) == [True, True, False, True]


def test_invariance_names_groups_too_small_and_says_what_to_do(tmp_path, hs_raw):
    import analysis as an

    frame = hs_raw.copy()
    frame.loc[frame.index[:12], "school"] = "Tiny"
    survey = _hs_survey(tmp_path, frame)
    with pytest.warns(an.SmallSampleWarning, match=r"Tiny \(n = 12\).*Pool small groups"):
        result = an.invariance(survey, levels=["configural", "metric"])
    assert isinstance(result, an.InvarianceResult)
    assert len(result.table) == 2
    assert result.table["converged"].all()
    assert result.left_out == ["Tiny"]
    assert "srmr" in result.table
    assert "delta_srmr" in result.table
    en, zh = result.summary("en"), result.summary("zh")
    assert "Chen, 2007" in en
    assert "ΔSRMR ≥ .030" in en
    assert "Tiny (n = 12)" in en
    assert "Pool them" in en
    assert "Tiny (n = 12)" in zh
    assert "合并" in zh
    assert "判断标准" in zh
    assert "metric: χ²(" in en
    assert "→ holds" in en
    assert "测量等值性检验" in result._repr_html_()
    with (
        pytest.warns(an.SmallSampleWarning),
        pytest.raises(an.InputError, match="at least two are needed"),
    ):
        an.invariance(survey, groups=["Tiny", "Pasteur"], min_group_n=200)
