"""Tests of two-group comparisons (independent-samples t tests) and of how effect sizes
are printed in :meth:`analysis.CompareResult.summary`.

R numbers are printed output with the call that produced it; scipy is called directly as an
independent reference.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import analysis as an
from analysis.stats import omnibus

# R's datasets::sleep (Cushny & Peebles, 1905; R help page ?sleep): extra hours of sleep
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


@pytest.fixture
def sleep() -> pd.DataFrame:
    return pd.DataFrame({"group": ["1"] * 10 + ["2"] * 10, "extra": SLEEP_1 + SLEEP_2})


def test_welch_t_matches_r_and_scipy(sleep):
    row = an.compare_groups(sleep, dv="extra", between="group").table.iloc[0]
    # R 4.x: t.test(extra ~ group, data = sleep)
    #   t = -1.8608, df = 17.776, p-value = 0.07939
    assert_allclose([row.statistic, row.df1, row.p_value], [-1.8608, 17.776, 0.07939], rtol=1e-4)
    ref = stats.ttest_ind(SLEEP_1, SLEEP_2, equal_var=False)
    assert_allclose([row.statistic, row.df1, row.p_value], [ref.statistic, ref.df, ref.pvalue])
    assert row.method == "welch_t"
    assert np.isnan(row.df2)
    assert row.k == 2
    assert row.n == 20


@pytest.mark.parametrize(
    ("method", "expected"),
    [("welch", "welch_t"), ("brown-forsythe", "welch_t"), ("anova", "student_t")],
    ids=["welch", "brown-forsythe", "anova"],
)
def test_two_group_t_squared_is_the_f_of_the_same_groups(sleep, method, expected):
    row = an.compare_groups(sleep, dv="extra", between="group", method=method).table.iloc[0]
    assert row.method == expected
    n = np.array([10.0, 10.0])
    mean = np.array([np.mean(SLEEP_1), np.mean(SLEEP_2)])
    var = np.array([np.var(SLEEP_1, ddof=1), np.var(SLEEP_2, ddof=1)])
    f = {
        "welch": omnibus.welch_anova,
        "brown-forsythe": omnibus.brown_forsythe,
        "anova": omnibus.anova,
    }[method](n, mean, var)
    assert_allclose(row.statistic**2, f["statistic"])
    assert_allclose(row.df1, f["df2"])
    assert_allclose(row.p_value, f["p_value"])


def test_student_t_matches_r_and_scipy(sleep):
    row = an.compare_groups(sleep, dv="extra", between="group", method="anova").table.iloc[0]
    # R 4.x: t.test(extra ~ group, data = sleep, var.equal = TRUE)
    #   t = -1.8608, df = 18, p-value = 0.07919
    assert_allclose([row.statistic, row.df1, row.p_value], [-1.8608, 18, 0.07919], rtol=1e-4)
    ref = stats.ttest_ind(SLEEP_1, SLEEP_2, equal_var=True)
    assert_allclose([row.statistic, row.p_value], [ref.statistic, ref.pvalue])


def test_two_groups_hedges_g_is_first_minus_second(sleep):
    row = an.compare_groups(sleep, dv="extra", between="group").table.iloc[0]
    a, b = np.array(SLEEP_1), np.array(SLEEP_2)
    sp = np.sqrt((9 * a.var(ddof=1) + 9 * b.var(ddof=1)) / 18)
    d = (a.mean() - b.mean()) / sp
    assert_allclose(row.cohen_d, d)
    assert_allclose(row.effect_size, d * (1 - 3 / (4 * 18 - 1)), rtol=1e-3)
    assert row.effect_type == "hedges_g"
    assert np.sign(row.effect_size) == np.sign(row.statistic)


def test_two_groups_have_no_post_hoc_section_unless_asked(sleep):
    res = an.compare_groups(sleep, dv="extra", between="group")
    assert res.posthoc.empty
    assert res.letters is None
    assert "Post hoc" not in res.summary("en")
    assert "事后比较" not in res.summary("zh")
    asked = an.compare_groups(sleep, dv="extra", between="group", posthoc="games-howell")
    assert len(asked.posthoc) == 1


def test_two_group_summary_reads_like_an_spss_t_test(sleep):
    res = an.compare_groups(sleep, dv="extra", between="group")
    en, zh = res.summary("en"), res.summary("zh")
    g = res.table.effect_size.iloc[0]
    lo, hi = res.table.effect_ci_low.iloc[0], res.table.effect_ci_high.iloc[0]
    tail = f"t(17.78) = -1.86, p = .079, g = {g:.2f}, 95% CI [{lo:.2f}, {hi:.2f}]"
    assert tail in en
    assert tail in zh
    assert "Welch's t test" in en
    assert zh.startswith("独立样本 t 检验（Welch）显示两组差异不显著")
    assert "F(" not in en
    assert "方差分析" not in zh
    student = an.compare_groups(sleep, dv="extra", between="group", method="anova")
    assert "t(18) = -1.86, p = .079" in student.summary("en")
    assert student.summary("zh").startswith("独立样本 t 检验显示")


def test_two_groups_by_dimension_with_three_groups_elsewhere(sleep):
    three = sleep.assign(dim="x")
    two = sleep.assign(dim="y")
    extra = pd.DataFrame({"group": ["3"] * 5, "extra": [1.0, 2, 3, 4, 5], "dim": "x"})
    res = an.compare_groups(pd.concat([three, extra, two]), dv="extra", between="group", by="dim")
    assert res.table.set_index("dim").method.to_dict() == {"x": "welch", "y": "welch_t"}
    assert set(res.posthoc.dim) == {"x"}


# ------------------------------------------------------------------ negative ω²


def test_negative_omega2_is_printed_as_zero_inside_its_interval():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"g": np.repeat(list("abcd"), 15), "y": rng.normal(3, 1, 60)})
    data["y"] -= data.groupby("g")["y"].transform("mean")
    data["y"] += 3 + data["g"].map({"a": -0.15, "b": -0.05, "c": 0.05, "d": 0.15})
    res = an.compare_groups(data, dv="y", between="g", method="anova")
    row = res.table.iloc[0]
    assert row.omega2 < 0
    raw = f"{row.omega2:.2f}".replace("0.", ".")
    en, zh = res.summary("en"), res.summary("zh")
    assert f"ω² = .00 (estimate {raw} is negative, reported as 0)" in en
    assert f"ω² = .00（估计值 {raw} 为负，按 0 报告）" in zh
    lo, hi = (float(x) for x in re.search(r"CI \[([-.\d]+), ([-.\d]+)\]", en).groups())
    assert lo <= 0.0 <= hi
    assert f"ω² = {raw}" not in en


# ------------------------------------------------------------------ reports


def test_two_community_report_says_which_is_higher_from_the_t_test():
    from analysis.report.community import group_document
    from analysis.report.compose import ReportInputs

    rng = np.random.default_rng(3)
    scores = pd.DataFrame(
        {
            "group": ["甲社区"] * 30 + ["乙社区"] * 30,
            "dimension": "reform",
            "score": np.r_[rng.normal(80, 5, 30), rng.normal(70, 5, 30)],
        }
    )
    res = an.compare_groups(scores, dv="score", between="group", by="dimension")
    assert res.table.method.iloc[0] == "welch_t"
    assert res.posthoc.empty
    overall = pd.DataFrame({"dimension": ["reform"], "mean": [75.0]})
    inputs = ReportInputs(
        title="示例",
        title_en="Demo",
        lang="zh",
        min_cell=5,
        framework=an.SERVICE_FIVE,
        tables={
            "survey_descriptives": res.descriptives,
            "survey_overall": overall,
            "survey_compare": res.table,
            "survey_posthoc": res.posthoc,
        },
        counts={},
        params={},
        summaries={},
        figures={},
        colophon=(),
        group_label="group",
    )
    doc = group_document(inputs, "甲社区")
    lines = [p for s in doc.sections for p in s.paragraphs]
    assert any("本社区显著高于乙社区" in p for p in lines), lines
