"""Tests of design-based survey inference (SurveyDesign, survey_*, chi_square(design=)).

Every expected number is R's ``survey`` package on the ``api`` data (copies in
``tests/data/r``), printed by ``tests/r/survey_design.R`` (run it from the repository root:
``Rscript tests/r/survey_design.R``); its whole output is pasted below, unedited. The
designs, as in that script:

    dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
    dclus1 <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = apiclus1)
    dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
    dw     <- svydesign(id = ~1, weights = ~pw, data = apistrat)        # weights only
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import AnalysisWarning, ConfigError, InputError

pytest.importorskip("svy")

DATA = Path(__file__).parent / "data" / "r"

R_OUTPUT = """
# R version 4.2.2 Patched (2022-11-10 r83330), survey 4.1.1
# ---- dstrat
dstrat_mean_api00_est = [662.287363159321]
dstrat_mean_api00_se = [9.40894080278458]
dstrat_ci_api00 = [643.732188272086, 680.842538046555]
dstrat_total_enroll_est = [3687177.53243828]
dstrat_total_enroll_se = [114641.71610078]
dstrat_degf = [197]
dstrat_by_stype_api00_est = [674.43, 625.82, 636.6]
dstrat_by_stype_api00_se = [12.3824797939073, 14.9371291853931, 16.2147073081845]
dstrat_ttest = [82.7835854421896, 3.8683819081027, 196, 0.000149054470775807]
dstrat_wald_stype = [3.59797299752796, 2, 195, 0.02921200312445]
dstrat_chisq_F = [17.2474439638888, 1.82867150416358, 360.248286320226, 2.03504635946516e-07]
dstrat_chisq_Chisq = [26.7535340358907, 2, 3.23243841628865e-08]
dstrat_chisq_adjWald = [16.0501333330189, 2, 196, 3.50563970444123e-07]
dstrat_ciprop_logit = [0.827948011001957, 0.0243447801130748, 0.774539654351568, 0.870814854544508]
dstrat_ciprop_mean = [0.827948011415824, 0.0243447801130748, 0.779938180972881, 0.875957841858766]
dstrat_mean_schwide_est = [0.172051988584176, 0.827948011415824]
dstrat_mean_schwide_se = [0.0243447801130748, 0.0243447801130748]
dstrat_by_ciprop_logit = [0.91, 0.51999999999977, 0.699999999999754, 0.0284351962063673, 0.0689676349228163, 0.0638374303471832, 0.835445944244483, 0.383379516621297, 0.558829150581904, 0.952688893981645, 0.653693359751078, 0.811254786979948]
dstrat_by_stype_total_enroll_est = [1842584.34184265, 997128.525190352, 847464.665405275]
dstrat_by_stype_total_enroll_se = [72581.3345757523, 69239.3959522504, 55502.9637938562]
# ---- dclus1
dclus1_mean_api00_est = [644.169398907104]
dclus1_mean_api00_se = [23.542240693781]
dclus1_ci_api00 = [593.676314463326, 694.662483350882]
dclus1_total_enroll_est = [3404940.13452911]
dclus1_total_enroll_se = [932235.027041214]
dclus1_degf = [14]
dclus1_by_stype_api00_est = [648.868055555556, 618.571428571429, 631.44]
dclus1_by_stype_api00_se = [22.3624088938319, 38.0202493594075, 31.6094652272455]
dclus1_ttest = [41.3190217391304, 2.10898984779292, 13, 0.0549088170890467]
dclus1_wald_stype = [1.27820074251778, 2, 12, 0.313879768243218]
dclus1_chisq_F = [5.19336954147488, 1.49463977770746, 20.9249568879044, 0.0217474623707969]
dclus1_chisq_Chisq = [11.9408920807453, 2, 0.00555326330311322]
dclus1_chisq_adjWald = [2.22955441484534, 2, 13, 0.147057886901249]
dclus1_ciprop_logit = [0.87431693988704, 0.0203594772446274, 0.823798892379034, 0.911900077021223]
dclus1_ciprop_mean = [0.87431693989071, 0.0203594772446274, 0.830650204123468, 0.917983675657953]
dclus1_mean_schwide_est = [0.12568306010929, 0.87431693989071]
dclus1_mean_schwide_se = [0.0203594772446274, 0.0203594772446274]
dclus1_by_ciprop_logit = [0.916666666666661, 0.785714285714142, 0.679999999999901, 0.0209842789524908, 0.0914619099888493, 0.109502248398045, 0.859206537056401, 0.503687967865637, 0.412455444697252, 0.95198680147212, 0.929812572364626, 0.86545626165112]
dclus1_by_stype_total_enroll_est = [2109717.12683487, 535594.86956787, 759628.138126372]
dclus1_by_stype_total_enroll_se = [631349.386275109, 226716.59470641, 213635.484268131]
# ---- dclus2
dclus2_mean_api00_est = [670.811808118081]
dclus2_mean_api00_se = [30.0990273768366]
dclus2_ci_api00 = [609.930778741016, 731.692837495146]
dclus2_total_enroll_est = [2639272.93]
dclus2_total_enroll_se = [799637.773648358]
dclus2_degf = [39]
dclus2_by_stype_api00_est = [692.810400866739, 598.340659340659, 642.352]
dclus2_by_stype_api00_se = [29.926604237403, 17.694167126091, 45.0913163003311]
dclus2_ttest = [138.154101543143, 5.26028622488898, 38, 5.8728541151217e-06]
dclus2_wald_stype = [9.88803390269673, 2, 37, 0.000362805317669842]
dclus2_chisq_F = [11.8727451425609, 1.38249880859244, 53.9174535351051, 0.000322114662438083]
dclus2_chisq_Chisq = [53.9086683447049, 2, 6.97802144090656e-06]
dclus2_chisq_adjWald = [2.72281478274767, 2, 38, 0.0785077502721671]
dclus2_ciprop_logit = [0.751291512848065, 0.0663949884342883, 0.595507870747193, 0.861074379853113]
dclus2_ciprop_mean = [0.751291512915129, 0.0663949884342883, 0.616994972673149, 0.88558805315711]
dclus2_mean_schwide_est = [0.248708487084871, 0.751291512915129]
dclus2_mean_schwide_se = [0.0663949884342883, 0.0663949884342883]
dclus2_by_ciprop_logit = [0.930660888407086, 0.148351648353786, 0.527999999976431, 0.0386967961710213, 0.0853752848310942, 0.188592130111556, 0.798706508114106, 0.0388868772179234, 0.187487648326567, 0.97844890888412, 0.42855694026957, 0.844309982847838]
dclus2_by_stype_total_enroll_est = [1161343.98, 715486.12, 762442.83]
dclus2_by_stype_total_enroll_se = [334451.848375505, 338720.988139057, 291735.041830149]
# ---- dw
dw_mean_api00_est = [662.287363159321]
dw_mean_api00_se = [9.58542887637313]
dw_ci_api00 = [643.385313957097, 681.189412361544]
dw_total_enroll_est = [3687177.53243828]
dw_total_enroll_se = [117624.755264105]
dw_degf = [199]
dw_by_stype_api00_est = [674.43, 625.82, 636.6]
dw_by_stype_api00_se = [12.493433491319, 15.340783886466, 16.5023890458656]
dw_ttest = [82.7835854421896, 3.80348484177651, 198, 0.000190006803463294]
dw_wald_stype = [3.48298368285407, 2, 197, 0.0326203706818197]
dw_chisq_F = [16.7195776045142, 1.8381238078121, 365.786637754609, 2.97784922764313e-07]
dw_chisq_Chisq = [26.7535340358907, 2, 5.4799892508714e-08]
dw_chisq_adjWald = [13.9627389149981, 2, 198, 2.12470234481058e-06]
dw_ciprop_logit = [0.827948011001957, 0.0260686796653517, 0.770348721302493, 0.873473500516447]
dw_ciprop_mean = [0.827948011415824, 0.0260686796653517, 0.776541707949731, 0.879354314881916]
dw_mean_schwide_est = [0.172051988584176, 0.827948011415824]
dw_mean_schwide_se = [0.0260686796653517, 0.0260686796653517]
dw_by_ciprop_logit = [0.91, 0.51999999999977, 0.699999999999754, 0.0286899909008255, 0.0708313873020688, 0.0649700356136441, 0.834595547818563, 0.379838505470978, 0.556155392201376, 0.952966351529177, 0.657082380533537, 0.81290876567368]
dw_by_stype_total_enroll_est = [1842584.34184265, 997128.525190352, 847464.665405275]
dw_by_stype_total_enroll_se = [149745.691025874, 141582.577211516, 118397.385530872]
# ---- calibration on dclus1
post_mean_api00_est = [642.310788211582]
post_mean_api00_se = [23.9204864450904]
post_total_enroll_est = [3680892.94511905]
post_total_enroll_se = [406292.636294802]
post_weights_first5 = [53.9285714285714, 30.7013888888889, 30.7013888888889, 30.7013888888889, 30.7013888888889]
rake_mean_api00_est = [641.230320926572]
rake_mean_api00_se = [23.7036168880041]
rake_total_enroll_est = [3647280.14813187]
rake_total_enroll_se = [400603.256860168]
rake_weights_first5 = [50.3294011185593, 29.8706754919752, 29.8706754919752, 29.8706754919752, 29.8706754919752]
rake_weight_totals_stype = [4420.99999987704, 755.000000030285, 1018.00000009267]
rake_by_stype_api00_est = [647.446579228623, 621.291861054518, 629.021538266974]
rake_by_stype_api00_se = [22.8084121941144, 36.7431448772897, 29.9628809595741]
post_chisq_F = [4.71173822420016, 1.62902495449919, 22.8063493629887, 0.0250898362410908]
"""  # noqa: E501 (R output, verbatim)


def _parse(text: str) -> dict[str, np.ndarray]:
    out = {}
    for line in text.splitlines():
        m = re.fullmatch(r"(\w+) = \[(.*)\]", line.strip())
        if m:
            out[m[1]] = np.array([float(v) for v in m[2].split(", ")])
    return out


R = _parse(R_OUTPUT)
TOL = {"rtol": 1e-6, "atol": 0}

DESIGNS = {
    "dstrat": ("apistrat.csv", an.SurveyDesign(weights="pw", strata="stype", fpc="fpc")),
    "dclus1": ("apiclus1.csv", an.SurveyDesign(weights="pw", psu="dnum", fpc="fpc")),
    "dclus2": (
        "apiclus2.csv",
        an.SurveyDesign(weights="pw", psu="dnum", ssu="snum", fpc="fpc1", fpc_ssu="fpc2"),
    ),
    "dw": ("apistrat.csv", an.SurveyDesign(weights="pw")),
}


@pytest.fixture(scope="module")
def api() -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(DATA / name) for name in ("apistrat.csv", "apiclus1.csv", "apiclus2.csv")
    }


def _case(api, name):
    file, design = DESIGNS[name]
    return api[file], design


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_means_totals_and_intervals_match_r(api, name):
    data, design = _case(api, name)
    row = an.survey_means(data, "api00", design=design).table.iloc[0]
    assert_allclose(row.estimate, R[f"{name}_mean_api00_est"][0], **TOL)
    assert_allclose(row.se, R[f"{name}_mean_api00_se"][0], **TOL)
    assert_allclose([row.ci_low, row.ci_high], R[f"{name}_ci_api00"], **TOL)
    assert row.df == R[f"{name}_degf"][0]
    total = an.survey_totals(data, "enroll", design=design).table.iloc[0]
    assert_allclose(total.estimate, R[f"{name}_total_enroll_est"][0], **TOL)
    assert_allclose(total.se, R[f"{name}_total_enroll_se"][0], **TOL)


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_domain_means_and_totals_match_svyby(api, name):
    data, design = _case(api, name)
    t = an.survey_means(data, "api00", design=design, by="stype").table
    assert t.group.tolist() == ["E", "H", "M"]
    assert_allclose(t.estimate, R[f"{name}_by_stype_api00_est"], **TOL)
    assert_allclose(t.se, R[f"{name}_by_stype_api00_se"], **TOL)
    t = an.survey_totals(data, "enroll", design=design, by="stype").table
    assert_allclose(t.estimate, R[f"{name}_by_stype_total_enroll_est"], **TOL)
    assert_allclose(t.se, R[f"{name}_by_stype_total_enroll_se"], **TOL)


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_two_groups_match_svyttest(api, name):
    data, design = _case(api, name)
    res = an.survey_compare(data, "api00", "sch.wide", design=design)
    diff, t, df, p = R[f"{name}_ttest"]
    pair = res.pairs.iloc[0]
    assert (pair.group_a, pair.group_b) == ("No", "Yes")
    assert_allclose([pair.difference, pair.t, pair.df, pair.p_value], [diff, t, df, p], **TOL)
    test = res.test.iloc[0]
    assert_allclose([test.statistic, test.p_value], [t**2, p], **TOL)


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_wald_across_groups_matches_regtermtest(api, name):
    data, design = _case(api, name)
    test = an.survey_compare(data, "api00", "stype", design=design).test.iloc[0]
    f, df1, df2, p = R[f"{name}_wald_stype"]
    assert_allclose([test.statistic, test.df1, test.df2, test.p_value], [f, df1, df2, p], **TOL)
    assert test.method == "design-wald"


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_rao_scott_matches_svychisq(api, name):
    data, design = _case(api, name)
    row = an.chi_square(data, "sch.wide", "stype", design=design).table.iloc[0]
    f, ndf, ddf, p = R[f"{name}_chisq_F"]
    assert_allclose([row.statistic, row.df1, row.df2, row.p_value], [f, ndf, ddf, p], **TOL)
    row = an.chi_square(data, "sch.wide", "stype", design=design, statistic="chisq").table.iloc[0]
    x2, df, p = R[f"{name}_chisq_Chisq"]
    assert_allclose([row.statistic, row.df, row.p_value], [x2, df, p], **TOL)


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_proportions_match_svyciprop(api, name):
    data, design = _case(api, name)
    t = an.survey_proportions(data, "sch.wide", design=design).table.set_index("level")
    assert_allclose(t.estimate, R[f"{name}_mean_schwide_est"], **TOL)
    assert_allclose(t.se, R[f"{name}_mean_schwide_se"], **TOL)
    est, se, low, high = R[f"{name}_ciprop_logit"]
    assert_allclose([t.estimate["Yes"], t.se["Yes"]], [est, se], **TOL)
    assert_allclose([t.ci_low["Yes"], t.ci_high["Yes"]], [low, high], **TOL)
    t = an.survey_proportions(data, "sch.wide", design=design, method="mean").table
    assert_allclose(
        t[t.level == "Yes"][["ci_low", "ci_high"]].iloc[0], R[f"{name}_ciprop_mean"][2:], **TOL
    )


@pytest.mark.parametrize("name", list(DESIGNS), ids=list(DESIGNS))
def test_domain_proportions_match_svyby_svyciprop(api, name):
    data, design = _case(api, name)
    t = an.survey_proportions(data, "sch.wide", design=design, by="stype").table
    yes = t[t.level == "Yes"]
    assert yes.group.tolist() == ["E", "H", "M"]
    est, se, low, high = np.split(R[f"{name}_by_ciprop_logit"], 4)
    assert_allclose(yes.estimate, est, **TOL)
    assert_allclose(yes.se, se, **TOL)
    assert_allclose(yes.ci_low, low, **TOL)
    assert_allclose(yes.ci_high, high, **TOL)


POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
POP_SCHWIDE = {"No": 1072, "Yes": 5122}


def test_post_stratification_matches_r(api):
    data, design = _case(api, "dclus1")
    post = design.post_stratify("stype", POP_TYPES)
    row = an.survey_means(data, "api00", design=post).table.iloc[0]
    assert_allclose(
        [row.estimate, row.se], [R["post_mean_api00_est"][0], R["post_mean_api00_se"][0]], **TOL
    )
    row = an.survey_totals(data, "enroll", design=post).table.iloc[0]
    assert_allclose(
        [row.estimate, row.se], [R["post_total_enroll_est"][0], R["post_total_enroll_se"][0]], **TOL
    )
    assert_allclose(an.calibrated_weights(data, post).iloc[:5], R["post_weights_first5"], **TOL)
    row = an.chi_square(data, "sch.wide", "stype", design=post).table.iloc[0]
    assert_allclose([row.statistic, row.df1, row.df2, row.p_value], R["post_chisq_F"], **TOL)
    assert design.calibration == ()  # the original design is unchanged


def test_raking_matches_r(api):
    data, design = _case(api, "dclus1")
    raked = design.rake({"stype": POP_TYPES, "sch.wide": POP_SCHWIDE})
    row = an.survey_means(data, "api00", design=raked).table.iloc[0]
    assert_allclose(
        [row.estimate, row.se], [R["rake_mean_api00_est"][0], R["rake_mean_api00_se"][0]], **TOL
    )
    row = an.survey_totals(data, "enroll", design=raked).table.iloc[0]
    assert_allclose(
        [row.estimate, row.se], [R["rake_total_enroll_est"][0], R["rake_total_enroll_se"][0]], **TOL
    )
    w = an.calibrated_weights(data, raked)
    assert_allclose(w.iloc[:5], R["rake_weights_first5"], **TOL)
    assert_allclose(w.groupby(data.stype).sum(), R["rake_weight_totals_stype"], **TOL)
    t = an.survey_means(data, "api00", design=raked, by="stype").table
    assert_allclose(t.estimate, R["rake_by_stype_api00_est"], **TOL)
    assert_allclose(t.se, R["rake_by_stype_api00_se"], **TOL)


# ------------------------------------------------------------------ display and words


def test_results_name_the_method_in_both_languages(api):
    data, design = _case(api, "dclus1")
    res = an.chi_square(data, "sch.wide", "stype", design=design)
    assert "Rao-Scott" in res.summary("en")
    assert "Taylor linearisation" in res.summary("en")
    assert "Rao-Scott 二阶校正 F" in res.summary("zh")
    assert "Taylor 线性化" in res.summary("zh")
    assert "clusters dnum" in res.summary("en")
    assert "以 dnum 为抽样单元" in res.summary("zh")
    html = res._repr_html_()
    assert "Rao-Scott" in html
    assert "加权频数" in html
    cmp = an.survey_compare(data, "api00", "stype", design=design)
    assert cmp.summary("en").startswith("Wald test of equal group means, design-based")
    assert "F(2, 12) = 1.28, p = .314" in cmp.summary("en")
    assert "两两结果" in cmp._repr_html_()
    post = an.survey_means(data, "api00", design=design.post_stratify("stype", POP_TYPES))
    assert "post-stratified" in post.summary("en")
    assert "事后分层" in post.summary("zh")
    assert "基于抽样设计的估计" in post._repr_html_()


def test_compare_by_dimension_in_long_scores(api):
    data, design = _case(api, "dstrat")
    long = pd.concat(
        [data.assign(dimension=v, score=data[v]) for v in ("api00", "api99")], ignore_index=True
    )
    res = an.survey_compare(long, "score", "stype", design=design, by="dimension")
    assert res.test.dimension.tolist() == ["api00", "api99"]
    one = an.survey_compare(data, "api00", "stype", design=design)
    assert_allclose(res.test.statistic.iloc[0], one.test.statistic.iloc[0], rtol=1e-12)
    assert set(res.pairs.dimension) == {"api00", "api99"}
    assert (res.pairs.p_adj >= res.pairs.p_value).all()


def test_missing_answers_are_a_domain(api):
    # R 4.2.2, survey 4.1.1: a <- apiclus1; a$enroll[a$snum < 500] <- NA
    #   svytotal(~enroll, svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = a),
    #            na.rm = TRUE)  ->  total 3199116, SE 959030
    data, design = _case(api, "dclus1")
    gappy = data.assign(enroll=data.enroll.where(data.snum >= 500))
    row = an.survey_totals(gappy, "enroll", design=design).table.iloc[0]
    assert_allclose([row.estimate, row.se], [3199116, 959030], rtol=5e-7)


def test_fpc_as_sampling_fraction_equals_population_size(api):
    data, design = _case(api, "dstrat")
    frac = data.assign(f=data.groupby("stype").stype.transform("size") / data.fpc)
    by_frac = an.survey_means(
        frac, "api00", design=an.SurveyDesign(weights="pw", strata="stype", fpc="f")
    )
    by_size = an.survey_means(data, "api00", design=design)
    assert_allclose(by_frac.table.se, by_size.table.se, rtol=1e-12)


# ------------------------------------------------------------------ errors


def test_design_errors_say_what_is_wrong(api):
    data, design = _case(api, "dstrat")
    with pytest.raises(InputError, match=r"column\(s\) 'nope' not in data"):
        an.survey_means(data, "nope", design=design)
    bad = data.assign(pw=data.pw.where(data.index != 4, -1.0))
    with pytest.raises(
        InputError, match=r"column 'pw', row 5: got -1.0; expected a positive weight"
    ):
        an.survey_means(bad, "api00", design=design)
    gap = data.assign(stype=data.stype.where(data.index != 2))
    with pytest.raises(InputError, match=r"design column 'stype' is missing in row 3"):
        an.survey_means(gap, "api00", design=design)
    small = data.assign(fpc=10.0)
    with pytest.raises(InputError, match=r"population smaller than the sample"):
        an.survey_means(small, "api00", design=design)
    text = data.astype({"api00": object})
    text.loc[0, "api00"] = "很好"
    with pytest.raises(InputError, match=r"column 'api00', row 1: got '很好'; expected a number"):
        an.survey_means(text, "api00", design=design)
    with pytest.raises(InputError, match=r"lack level\(s\) 'M'"):
        an.survey_means(data, "api00", design=design.post_stratify("stype", {"E": 1, "H": 2}))
    with pytest.raises(ConfigError, match=r"ssu needs psu"):
        an.SurveyDesign(weights="pw", ssu="snum")
    with pytest.raises(ConfigError, match=r"must be positive"):
        design.rake({"stype": {"E": 0}})
    with pytest.raises(ConfigError, match=r"'method' parameter of survey_proportions"):
        an.survey_proportions(data, "sch.wide", design=design, method="wilson")
    with pytest.raises(ConfigError, match=r"not both"):
        an.chi_square(data, "sch.wide", "stype", weights="pw", design=design)
    with pytest.raises(ConfigError, match=r"design must be an analysis.SurveyDesign"):
        an.survey_means(data, "api00", design={"weights": "pw"})


def test_missing_svy_names_the_extra(monkeypatch, api):
    import builtins

    real = builtins.__import__

    def no_svy(name, *args, **kwargs):
        if name == "svy" or name.startswith("svy."):
            raise ImportError("No module named 'svy'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_svy)
    data, design = _case(api, "dw")
    with pytest.raises(ConfigError, match=r'pip install "analysis\[design\]"'):
        an.survey_means(data, "api00", design=design)


def test_fractional_count_weights_point_to_the_design(api):
    data, _ = _case(api, "dw")
    with pytest.warns(AnalysisWarning, match=r"design=SurveyDesign\(weights=\.\.\.\)"):
        an.chi_square(data, "sch.wide", "stype", weights="pw")


def test_weighted_descriptives_se_is_the_weights_only_linearisation(api):
    # The weights-only special case needs no svy: R's svyby(~api00, ~stype, dw, svymean),
    # dw <- svydesign(id = ~1, weights = ~pw, data = apistrat) (R output above), and with
    # 33 answers missing, R 4.2.2, survey 4.1.1:
    #   a$api00[a$snum %% 7 == 0] <- NA
    #   svyby(~api00, ~stype, svydesign(id = ~1, weights = ~pw, data = a), svymean,
    #         na.rm = TRUE)  ->  se 13.2539421203629, 16.0009027614663, 18.2219950584632
    from analysis.survey.scores import weighted_descriptives

    data, _ = _case(api, "dw")
    scores = pd.DataFrame(
        {"group": data.stype, "dimension": "api", "score": data.api00, "weight": data.pw}
    )
    out = weighted_descriptives(scores).sort_values("group")
    assert_allclose(out["mean"], R["dw_by_stype_api00_est"], **TOL)
    assert_allclose(out["se"], R["dw_by_stype_api00_se"], **TOL)
    gappy = scores.assign(score=scores.score.where(data.snum % 7 != 0))
    out = weighted_descriptives(gappy).sort_values("group")
    assert_allclose(out["se"], [13.2539421203629, 16.0009027614663, 18.2219950584632], **TOL)
    both = pd.concat([scores, gappy.assign(dimension="gappy")], ignore_index=True)
    out = weighted_descriptives(both).set_index(["dimension", "group"]).sort_index()
    assert_allclose(out.loc["api", "se"], R["dw_by_stype_api00_se"], **TOL)
    design = an.SurveyDesign(weights="weight")
    ref = an.survey_means(gappy, "score", design=design, by="group").table
    assert_allclose(out.loc["gappy", "se"], ref.se, rtol=1e-10)


# ------------------------------------------------------------------ codebook and scores


def test_codebook_design_columns_reach_the_scores(api, tmp_path):
    data, _ = _case(api, "dstrat")
    export = pd.DataFrame(
        {
            "序号": data.cds.astype(str),
            "所在社区": data["sch.wide"],
            "街道": data.stype,
            "权重": data.pw,
            "街道社区数": data.fpc,
            "q1": np.clip(np.round(data.api00 / 180), 1, 5).astype(int),
        }
    )
    csv = tmp_path / "survey.csv"
    export.to_csv(csv, index=False)
    cb = an.load_codebook(
        {
            "id_column": "序号",
            "group_column": "所在社区",
            "weight_column": "权重",
            "strata_column": "街道",
            "fpc_column": "街道社区数",
            "scale": {"min": 1, "max": 5},
            "items": [{"column": "q1", "id": "q1", "dimension": "masses"}],
        }
    )
    survey = an.read_survey(csv, codebook=cb)
    assert survey.design == an.SurveyDesign(weights="weight", strata="stratum", fpc="fpc")
    scores = an.score_survey(survey)
    got = an.survey_means(scores, "score", design=survey.design).table.iloc[0]
    ref = an.survey_means(export, "q1", design=an.SurveyDesign("权重", "街道", fpc="街道社区数"))
    assert_allclose([got.estimate, got.se], ref.table[["estimate", "se"]].iloc[0], rtol=1e-12)
    res = an.survey_compare(scores, "score", "group", design=survey.design, by="dimension")
    assert res.test.dimension.tolist() == ["masses"]


def test_codebook_design_problems_are_quarantined(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text(
        "id,g,st,f,a\n1,x,s1,10,1\n2,x,,10,2\n3,y,s2,abc,3\n4,y,s2,10,4\n", encoding="utf-8"
    )
    cb = an.load_codebook(
        {
            "id_column": "id",
            "group_column": "g",
            "strata_column": "st",
            "fpc_column": "f",
            "scale": {"min": 1, "max": 5},
            "items": [{"column": "a", "id": "a", "dimension": "reform"}],
        }
    )
    with pytest.warns(an.DataQualityWarning, match="2 of 4 rows quarantined"):
        survey = an.read_survey(csv, codebook=cb)
    assert survey.responses.respondent_id.tolist() == ["1", "4"]
    assert set(survey.quarantine.problem) == {"stratum is missing", "fpc must be a number > 0"}
    assert survey.design == an.SurveyDesign(strata="stratum", fpc="fpc")


def test_a_study_with_a_design_writes_design_based_tables(api, tmp_path):
    import warnings

    data, _ = _case(api, "dclus1")
    export = pd.DataFrame(
        {
            "序号": np.arange(1, len(data) + 1),
            "所在社区": data.stype.map({"E": "甲社区", "H": "乙社区", "M": "丙社区"}),
            "学区": data.dnum,
            "权重": data.pw,
            "学区总数": data.fpc,
            "q1": np.clip(np.round(data.api00 / 180), 1, 5).astype(int),
            "q2": np.clip(np.round(data.api99 / 180), 1, 5).astype(int),
        }
    )
    export.to_csv(tmp_path / "survey.csv", index=False)
    (tmp_path / "codebook.yaml").write_text(
        "id_column: 序号\ngroup_column: 所在社区\nweight_column: 权重\npsu_column: 学区\n"
        "fpc_column: 学区总数\nscale: {min: 1, max: 5}\nitems:\n"
        "  - {column: q1, id: q1, dimension: reform}\n"
        "  - {column: q2, id: q2, dimension: livelihood}\n",
        encoding="utf-8",
    )
    (tmp_path / "study.yaml").write_text(
        "title: t\nsurvey: {path: survey.csv, codebook: codebook.yaml}\n"
        "report: {formats: [xlsx], per_group: false}\noutput: out\n",
        encoding="utf-8",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = an.run_study(tmp_path / "study.yaml")
    test = res.tables["survey_design_compare"]
    assert test.dimension.tolist() == ["reform", "livelihood"]
    frame = export.assign(g=export["所在社区"], y=(export.q1 + 0.0))
    ref = an.survey_compare(
        frame, "y", "g", design=an.SurveyDesign("权重", psu="学区", fpc="学区总数")
    ).test.iloc[0]
    assert_allclose(test.statistic.iloc[0], ref.statistic, rtol=1e-10)
    assert test.df2.iloc[0] == 12  # 15 districts - 1 stratum - 3 communities + 1
    written = pd.read_csv(res.output / "tables" / "survey_design_pairs.csv", encoding="utf-8-sig")
    assert len(written) == 6  # 3 pairs x 2 dimensions


@pytest.mark.parametrize(
    ("rule", "se"),
    # R 4.2.2, survey 4.1.1: d <- apiclus1; d$st <- ifelse(d$dnum == d$dnum[1], "a", "b")
    #   options(survey.lonely.psu = rule)
    #   SE(svymean(~api00, svydesign(id = ~dnum, strata = ~st, weights = ~pw, data = d)))
    [("adjust", 23.8327154615478), ("average", 33.6383894200688), ("remove", 23.7859332671245)],
    ids=["adjust", "average", "remove"],
)
def test_lonely_psu_rules_match_r(api, rule, se):
    data, _ = _case(api, "dclus1")
    data = data.assign(st=np.where(data.dnum == data.dnum.iloc[0], "a", "b"))
    design = an.SurveyDesign(weights="pw", strata="st", psu="dnum", lonely_psu=rule)
    row = an.survey_means(data, "api00", design=design).table.iloc[0]
    assert_allclose(row.se, se, **TOL)
    assert row.df == 13
    with pytest.raises(InputError, match=r"a stratum has a single sampling unit .*st=a"):
        an.survey_means(
            data, "api00", design=an.SurveyDesign(weights="pw", strata="st", psu="dnum")
        )
