"""Tests of analysis.stats.compare, .oneway and .compare_result: omnibus tests, post hoc
pairs, effect sizes, results.

Reference values come from R (printed output written here with the call that produced it)
or from scipy / statsmodels / pingouin called directly in the test. The R data sets are
copies in tests/data/r/ (see the README there).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats
from test_effects import bisect_ncp  # the plain bisection reference for noncentral-F limits

import analysis as an
from analysis.core.errors import ConfigError, DataQualityWarning, InputError, SmallSampleWarning

R = Path(__file__).parent / "data" / "r"


@pytest.fixture(scope="module")
def plants() -> pd.DataFrame:
    return pd.read_csv(R / "PlantGrowth.csv")


@pytest.fixture(scope="module")
def sprays() -> pd.DataFrame:
    return pd.read_csv(R / "InsectSprays.csv")


def groups_of(frame: pd.DataFrame, dv: str, between: str) -> list[np.ndarray]:
    return [g[dv].to_numpy(float) for _, g in frame.groupby(between, sort=True)]


# ------------------------------------------------------------------ omnibus


def test_welch_matches_r_and_statsmodels(plants):
    from statsmodels.stats.oneway import anova_oneway

    res = an.compare_groups(plants, dv="weight", between="group", method="welch")
    row = res.table.iloc[0]
    # R 4.3: oneway.test(weight ~ group, PlantGrowth)
    #   F = 5.181, num df = 2, denom df = 17.128, p-value = 0.01739
    assert_allclose(
        [row.statistic, row.df1, row.df2, row.p_value], [5.181, 2, 17.128, 0.01739], rtol=2e-4
    )
    ref = anova_oneway(plants.weight, plants.group, use_var="unequal")
    assert_allclose([row.statistic, row.df2, row.p_value], [ref.statistic, ref.df[1], ref.pvalue])
    assert row.method == "welch"


def test_anova_matches_r_and_scipy(plants):
    res = an.compare_groups(plants, dv="weight", between="group", method="anova")
    row = res.table.iloc[0]
    # R 4.3: summary(aov(weight ~ group, PlantGrowth))
    #   group Df 2 Sum Sq 3.766 Mean Sq 1.8832 F 4.846 Pr(>F) 0.0159; Residuals 27 10.492
    assert_allclose([row.statistic, row.p_value], [4.846, 0.0159], rtol=1e-3)
    ref = stats.f_oneway(*groups_of(plants, "weight", "group"))
    assert_allclose([row.statistic, row.p_value], [ref.statistic, ref.pvalue])
    assert (row.df1, row.df2) == (2, 27)
    # eta2 = 3.766 / (3.766 + 10.492); omega2 = (3.766 - 2 * 0.3886) / (14.258 + 0.3886)
    ssb, ssw = 3.76634, 10.49209
    msw = ssw / 27
    assert_allclose(row.eta2, ssb / (ssb + ssw), rtol=1e-5)
    assert_allclose(row.omega2, (ssb - 2 * msw) / (ssb + ssw + msw), rtol=1e-5)
    assert_allclose(row.epsilon2, (ssb - 2 * msw) / (ssb + ssw), rtol=1e-5)
    assert row.effect_type == "omega2"


def test_brown_forsythe_spss_df_matches_statsmodels(plants):
    from statsmodels.stats.oneway import anova_oneway

    res = an.compare_groups(plants, dv="weight", between="group", method="brown-forsythe")
    row = res.table.iloc[0]
    ref = anova_oneway(plants.weight, plants.group, use_var="bf")
    # statsmodels' df2 / pvalue2 are the SPSS variant: df1 = k - 1, Satterthwaite df2
    assert_allclose(
        [row.statistic, row.df1, row.df2, row.p_value],
        [ref.statistic, ref.df2[0], ref.df2[1], ref.pvalue2],
    )


def test_kruskal_insect_sprays_matches_r(sprays):
    res = an.compare_groups(sprays, dv="count", between="spray", method="kruskal")
    row = res.table.iloc[0]
    # R 4.3: kruskal.test(count ~ spray, InsectSprays)
    #   Kruskal-Wallis chi-squared = 54.691, df = 5, p-value = 1.511e-10
    assert_allclose([row.statistic, row.p_value], [54.691, 1.511e-10], rtol=2e-4)
    ref = stats.kruskal(*groups_of(sprays, "count", "spray"))
    assert_allclose([row.statistic, row.p_value], [ref.statistic, ref.pvalue])
    assert_allclose(row.epsilon2_h, ref.statistic / (72 - 1))
    assert row.effect_type == "epsilon2_h"
    assert row.effect_ci_low < row.effect_size < row.effect_ci_high


def test_kruskal_drops_missing_and_counts_them():
    air = pd.read_csv(R / "airquality.csv")
    res = an.compare_groups(air, dv="Ozone", between="Month", method="kruskal")
    row = res.table.iloc[0]
    # R 4.3: kruskal.test(Ozone ~ Month, airquality)
    #   Kruskal-Wallis chi-squared = 29.267, df = 4, p-value = 6.901e-06
    assert_allclose([row.statistic, row.p_value], [29.267, 6.901e-06], rtol=2e-4)
    assert row.n_dropped == 37
    assert row.n == 116


def test_levene_and_shapiro_match_scipy(plants):
    res = an.compare_groups(plants, dv="weight", between="group")
    a = res.assumptions.set_index(["test", "group"], drop=False)
    gs = groups_of(plants, "weight", "group")
    mean_c = stats.levene(*gs, center="mean")
    median_c = stats.levene(*gs, center="median")
    # R 4.3: car::leveneTest(weight ~ group, PlantGrowth): F value 1.1192, Pr(>F) 0.3412
    assert_allclose(median_c.statistic, 1.1192, rtol=1e-4)
    lm = a[a.test == "levene_mean"].iloc[0]
    lmed = a[a.test == "levene_median"].iloc[0]
    assert_allclose([lm.statistic, lm.p_value], [mean_c.statistic, mean_c.pvalue])
    assert_allclose([lmed.statistic, lmed.p_value], [median_c.statistic, median_c.pvalue])
    sw = a[a.test == "shapiro"]
    for name, values in zip(sorted(plants.group.unique()), gs, strict=True):
        ref = stats.shapiro(values)
        got = sw[sw.group == name].iloc[0]
        assert_allclose([got.statistic, got.p_value], [ref.statistic, ref.pvalue])


@pytest.mark.parametrize("method", ["anova", "welch", "brown-forsythe"])
def test_f_tests_fill_omega2_interval(plants, method):
    res = an.compare_groups(
        plants, dv="weight", between="group", method=method, effect_alternative="two-sided"
    )
    row = res.table.iloc[0]
    assert row.effect_type == "omega2"
    # effectsize's interval: F* rebuilt from ω² (of the test that ran) and its df, λ limits
    # by plain bisection, mapped to λ / (λ + df2) (R values in tests/test_effectsize_r.py)
    omega = row.effect_size
    f_star = (omega / 2) / ((1 - omega) / row.df2)
    lam = [bisect_ncp(f_star, 2, row.df2, p) for p in (0.975, 0.025)]
    assert_allclose(
        [row.effect_ci_low, row.effect_ci_high], [x / (x + row.df2) for x in lam], atol=1e-8
    )
    assert 0 <= row.effect_ci_low < row.effect_size < row.effect_ci_high < 1
    if method == "anova":
        assert row.effect_size == row.omega2


@pytest.mark.parametrize("method", ["welch", "brown-forsythe"])
def test_omega2_after_welch_comes_from_its_f(method):
    # very unequal variances and sizes: ω² reported with the test is that of its own F and
    # df (as effectsize::omega_squared(oneway.test(...))), not of the ANOVA sums of squares
    rng = np.random.default_rng(3)
    sizes, sds, means = (4, 30, 6, 12), (2.0, 0.2, 1.5, 0.3), (1.0, 2.0, 1.3, 2.4)
    data = pd.DataFrame(
        {
            "g": np.repeat(list("abcd"), sizes),
            "y": np.concatenate(
                [rng.normal(m, s, n) for m, s, n in zip(means, sds, sizes, strict=True)]
            ),
        }
    )
    row = an.compare_groups(data, dv="y", between="g", method=method).table.iloc[0]
    anova = an.compare_groups(data, dv="y", between="g", method="anova").table.iloc[0]
    assert row.statistic != pytest.approx(anova.statistic, rel=0.05)
    f, df1, df2 = row.statistic, row.df1, row.df2
    assert_allclose(row.effect_size, (f - 1) * df1 / (f * df1 + df2 + 1))
    assert_allclose(row.omega2, anova.omega2)  # the sums-of-squares ω² stays in its column
    assert row.effect_ci_low <= row.effect_size <= row.effect_ci_high == 1


def test_omega2_interval_with_anova_matches_printed_form(plants):
    res = an.compare_groups(plants, dv="weight", between="group", method="anova")
    row = res.table.iloc[0]
    # effectsize 0.8.3: omega_squared(aov(weight ~ group, PlantGrowth)): 0.204, [0.00238, 1]
    assert_allclose([row.effect_ci_low, row.effect_ci_high], [0.00238215532281, 1], atol=1e-6)
    assert "ω² = .20, one-sided 95% CI [.00, 1.00]" in res.summary("en")
    assert "ω² = .20, 单侧 95% CI [.00, 1.00]（n = 30，k = 3）" in res.summary("zh")


def test_omega2_interval_conf_level_changes_width(plants):
    rows = [
        an.compare_groups(
            plants, dv="weight", between="group", method="anova", conf_level=level,
            effect_alternative="two-sided",
        ).table.iloc[0]
        for level in (0.80, 0.90, 0.95, 0.99)
    ]  # fmt: skip
    lows = [r.effect_ci_low for r in rows]
    highs = [r.effect_ci_high for r in rows]
    assert np.all(np.diff(lows) <= 0)
    assert np.all(np.diff(highs) > 0)
    res = an.compare_groups(plants, dv="weight", between="group", method="anova", conf_level=0.9)
    assert "90% CI [" in res.summary("en")
    assert "90% CI [" in res.summary("zh")


def test_negative_omega2_has_interval_clipped_at_zero():
    rng = np.random.default_rng(7)
    data = pd.DataFrame({"g": np.repeat(list("abcd"), 15), "y": rng.normal(3, 1, 60)})
    # shift the groups so that every mean equals the grand mean: F = 0, ω² < 0
    data["y"] -= data.groupby("g")["y"].transform("mean")
    data["y"] += 3
    for method in ("anova", "welch", "brown-forsythe"):
        row = an.compare_groups(data, dv="y", between="g", method=method).table.iloc[0]
        assert row.omega2 < 0
        assert (row.effect_ci_low, row.effect_ci_high) == (0, 1)  # one-sided by default
        two = an.compare_groups(
            data, dv="y", between="g", method=method, effect_alternative="two-sided"
        ).table.iloc[0]
        # as effectsize: a negative estimate counts as 0, so F* = 0 and both limits are 0
        assert (two.effect_ci_low, two.effect_ci_high) == (0, 0)


def test_two_groups_hedges_g_interval_follows_conf_level(plants):
    sub = plants[plants.group.isin(["trt1", "trt2"])]
    r95, r90 = (
        an.compare_groups(sub, dv="weight", between="group", conf_level=c).table.iloc[0]
        for c in (0.95, 0.90)
    )
    assert r95.effect_type == r90.effect_type == "hedges_g"
    # effectsize 0.8.3: hedges_g(weight ~ group, two, ci = 0.95 / 0.9), noncentral t
    assert_allclose([r95.effect_ci_low, r95.effect_ci_high], [-2.21258703202, -0.3370902798],
                    atol=1e-6)  # fmt: skip
    assert_allclose([r90.effect_ci_low, r90.effect_ci_high], [-2.06044618788, -0.486463885102],
                    atol=1e-6)  # fmt: skip


# ------------------------------------------------------------------ post hoc


def test_tukey_kramer_matches_r_and_scipy(plants):
    res = an.compare_groups(plants, dv="weight", between="group", method="anova")
    ph = res.posthoc
    assert list(ph.method.unique()) == ["tukey"]
    # R 4.3: TukeyHSD(aov(weight ~ group, PlantGrowth))
    #             diff        lwr       upr     p adj
    # trt1-ctrl -0.371 -1.0622161 0.3202161 0.3908711
    # trt2-ctrl  0.494 -0.1972161 1.1852161 0.1979960
    # trt2-trt1  0.865  0.1737839 1.5562161 0.0120064
    assert_allclose(ph["diff"], [-0.371, 0.494, 0.865], atol=1e-12)
    assert_allclose(ph.ci_low, [-1.0622161, -0.1972161, 0.1737839], atol=2e-5)
    assert_allclose(ph.ci_high, [0.3202161, 1.1852161, 1.5562161], atol=2e-5)
    assert_allclose(ph.p_adj, [0.3908711, 0.1979960, 0.0120064], atol=2e-6)
    ref = stats.tukey_hsd(*groups_of(plants, "weight", "group"))
    ci = ref.confidence_interval()
    # scipy's [i, j] is mean_i - mean_j; ours is mean_b - mean_a for a < b
    for row, (i, j) in zip(ph.itertuples(), [(0, 1), (0, 2), (1, 2)], strict=True):
        assert_allclose(row.p_value, ref.pvalue[j, i], atol=1e-6)
        assert_allclose([row.ci_low, row.ci_high], [ci.low[j, i], ci.high[j, i]], atol=1e-5)


def test_tukey_kramer_unbalanced_matches_statsmodels(sprays):
    from statsmodels.stats.multicomp import pairwise_tukeyhsd

    sub = sprays.iloc[[i for i in range(len(sprays)) if i % 12 not in (0, 5, 7) or i < 24]]
    res = an.compare_groups(sub, dv="count", between="spray", method="anova")
    ref = pairwise_tukeyhsd(sub["count"].to_numpy(float), sub["spray"].to_numpy())
    assert_allclose(res.posthoc["diff"], ref.meandiffs)
    assert_allclose(res.posthoc.p_adj, ref.pvalues, atol=1e-5)
    assert_allclose(res.posthoc.ci_low, ref.confint[:, 0], atol=1e-4)
    assert_allclose(res.posthoc.ci_high, ref.confint[:, 1], atol=1e-4)


def test_games_howell_matches_pingouin(sprays):
    pg = pytest.importorskip("pingouin")
    res = an.compare_groups(sprays, dv="count", between="spray", method="welch")
    ph = res.posthoc
    ref = pg.pairwise_gameshowell(data=sprays, dv="count", between="spray")
    assert list(ph.group_a) == list(ref.A)
    assert list(ph.group_b) == list(ref.B)
    # pingouin's diff and T are mean(A) - mean(B); ours are mean(B) - mean(A)
    assert_allclose(ph["diff"], -ref["diff"])
    assert_allclose(ph.statistic, -ref["T"])
    assert_allclose(ph.df, ref["df"])
    assert_allclose(ph.p_value, ref["pval"], atol=2e-6)
    assert (ph.p_adj == ph.p_value).all()


def test_games_howell_ci_from_scipy_quantile(plants):
    from scipy.stats import studentized_range

    res = an.compare_groups(plants, dv="weight", between="group", method="welch")
    ph = res.posthoc
    crit = studentized_range.ppf(0.95, 3, ph.df.to_numpy()) / np.sqrt(2)
    assert_allclose(ph.ci_low, ph["diff"] - crit * ph.se, atol=1e-5)
    assert_allclose(ph.ci_high, ph["diff"] + crit * ph.se, atol=1e-5)
    # the significant pair (trt2 vs trt1) has a CI excluding 0, the others include it
    assert ((ph.ci_low > 0) == (ph.p_adj < 0.05)).all()


def test_dunn_two_groups_equals_kruskal(sprays):
    sub = sprays[sprays.spray.isin(["A", "C"])]
    # two groups get no post hoc pairs by default: Dunn's test is asked for by name
    res = an.compare_groups(sub, dv="count", between="spray", method="kruskal", posthoc="dunn")
    z = res.posthoc.statistic.iloc[0]
    ref = stats.kruskal(*groups_of(sub, "count", "spray"))
    # with two groups Dunn's tie-corrected z² is the tie-corrected H
    assert_allclose(z**2, ref.statistic)
    assert_allclose(res.posthoc.p_value.iloc[0], ref.pvalue)


def test_dunn_formula_and_holm(sprays):
    from statsmodels.stats.multitest import multipletests

    res = an.compare_groups(sprays, dv="count", between="spray", method="kruskal")
    ph = res.posthoc
    ranks = stats.rankdata(sprays["count"])
    _, counts = np.unique(sprays["count"], return_counts=True)
    n_total = len(sprays)
    sigma2 = n_total * (n_total + 1) / 12 - (counts**3 - counts).sum() / (12 * (n_total - 1))
    mean_rank = pd.Series(ranks).groupby(sprays["spray"].to_numpy()).mean()
    z_a_c = (mean_rank["C"] - mean_rank["A"]) / np.sqrt(sigma2 * (1 / 12 + 1 / 12))
    got = ph[(ph.group_a == "A") & (ph.group_b == "C")].iloc[0]
    assert_allclose(got.statistic, z_a_c)
    assert_allclose(ph.p_adj, multipletests(ph.p_value, method="holm")[1])


@pytest.mark.parametrize(
    ("how", "ref_method"), [("bonferroni", "bonferroni"), ("lsd", None)], ids=["bonf", "lsd"]
)
def test_lsd_and_bonferroni(plants, how, ref_method):
    from statsmodels.stats.multitest import multipletests

    res = an.compare_groups(plants, dv="weight", between="group", method="anova", posthoc=how)
    ph = res.posthoc
    gs = dict(zip(sorted(plants.group.unique()), groups_of(plants, "weight", "group"), strict=True))
    msw = sum(((g - g.mean()) ** 2).sum() for g in gs.values()) / 27
    t = (gs["trt2"].mean() - gs["trt1"].mean()) / np.sqrt(msw * (2 / 10))
    assert_allclose(ph.statistic.iloc[2], t)
    assert_allclose(ph.p_value.iloc[2], 2 * stats.t.sf(abs(t), 27))
    expected = ph.p_value if ref_method is None else multipletests(ph.p_value, method=ref_method)[1]
    assert_allclose(ph.p_adj, expected)


def test_versus_grand_mean_pooled_matches_statsmodels_contrast(plants):
    import statsmodels.formula.api as smf

    res = an.compare_groups(plants, dv="weight", between="group", method="anova")
    gm = res.grand_mean
    fit = smf.ols("weight ~ C(group) - 1", data=plants).fit()
    n = plants.group.value_counts().sort_index().to_numpy()
    for i in range(3):
        contrast = np.eye(3)[i] - n / n.sum()
        ref = fit.t_test(contrast)
        assert_allclose(gm.statistic.iloc[i], float(np.squeeze(ref.tvalue)))
        assert_allclose(gm.p_value.iloc[i], float(np.squeeze(ref.pvalue)))


def test_versus_grand_mean_welch_two_equal_groups_is_welch_t(plants):
    sub = plants[plants.group.isin(["ctrl", "trt1"])]
    res = an.compare_groups(sub, dv="weight", between="group", method="welch")
    ref = stats.ttest_ind(
        sub.weight[sub.group == "trt1"], sub.weight[sub.group == "ctrl"], equal_var=False
    )
    assert_allclose(res.grand_mean.statistic.iloc[1], ref.statistic)
    assert_allclose(res.grand_mean.p_value.iloc[1], ref.pvalue)


def test_compact_letters_insect_sprays(sprays):
    res = an.compare_groups(sprays, dv="count", between="spray", method="kruskal")
    letters = dict(zip(res.letters.group, res.letters.letters, strict=True))
    ph = res.posthoc
    # groups share a letter exactly when the pair is not significant
    for row in ph.itertuples():
        share = bool(set(letters[row.group_a]) & set(letters[row.group_b]))
        assert share == (row.p_adj >= 0.05), (row.group_a, row.group_b)


# ------------------------------------------------------------------ two groups


def test_two_groups_welch_hedges_g(plants):
    # two groups: Welch's t test (t² = Welch's F), t and g of the first group minus the second
    sub = plants[plants.group.isin(["trt1", "trt2"])]
    res = an.compare_groups(sub, dv="weight", between="group", method="welch")
    row = res.table.iloc[0]
    a, b = (sub.weight[sub.group == g].to_numpy() for g in ("trt1", "trt2"))
    t = stats.ttest_ind(a, b, equal_var=False)
    assert row.method == "welch_t"
    assert_allclose([row.statistic, row.df1, row.p_value], [t.statistic, t.df, t.pvalue])
    assert np.isnan(row.df2)
    sp = np.sqrt(((a.size - 1) * a.var(ddof=1) + (b.size - 1) * b.var(ddof=1)) / 18)
    d = (a.mean() - b.mean()) / sp
    assert_allclose(row.effect_size, d * (1 - 3 / (4 * 18 - 1)), rtol=1e-3)
    assert row.effect_type == "hedges_g"
    assert row.effect_ci_low < row.effect_size < row.effect_ci_high
    assert res.posthoc.empty


def test_two_groups_kruskal_rank_biserial(sprays):
    sub = sprays[sprays.spray.isin(["A", "C"])]
    res = an.compare_groups(sub, dv="count", between="spray", method="kruskal", n_boot=200)
    row = res.table.iloc[0]
    a, c = (sub["count"][sub.spray == g].to_numpy() for g in ("A", "C"))
    u = stats.mannwhitneyu(c, a).statistic
    assert_allclose(row.effect_size, 2 * u / (a.size * c.size) - 1)
    assert row.effect_type == "rank_biserial"
    assert row.effect_ci_low <= row.effect_size <= row.effect_ci_high


# ------------------------------------------------------------------ by, auto, weights


def long_scores(seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for dim, shift in (("members", 0.0), ("reform", 0.4), ("masses", 0.0)):
        for g, mu in (("东湖", 3.5), ("桂花", 3.8), ("和平里", 3.2), ("新华", 3.6)):
            for i in range(30):
                value = mu + shift * (g == "桂花") + rng.normal(0, 0.5)
                rows.append((f"{g}{i}", g, dim, round(float(value), 3), 4))
    return pd.DataFrame(rows, columns=["respondent_id", "group", "dimension", "score", "n_items"])


def test_by_dimension_framework_order_and_holm_across_dimensions():
    from statsmodels.stats.multitest import multipletests

    data = long_scores()
    data.loc[[0, 5], "score"] = np.nan
    before = data.copy()
    res = an.compare_groups(data, dv="score", between="group", by="dimension")
    pd.testing.assert_frame_equal(data, before)
    assert list(res.table.dimension) == ["reform", "masses", "members"]
    assert_allclose(res.table.p_adj, multipletests(res.table.p_value, method="holm")[1])
    assert res.table.set_index("dimension").n_dropped.to_dict() == {
        "reform": 0,
        "masses": 0,
        "members": 2,
    }
    assert (res.table.method == "welch").all()
    assert res.params["chosen"]["reform"]["method"] == "welch"
    assert len(res.posthoc) == 3 * 6
    assert set(res.descriptives.columns) >= {"dimension", "group", "n", "mean", "sd", "se"}
    for dim, part in data.groupby("dimension"):
        ref = stats.f_oneway(*[g.score.dropna() for _, g in part.groupby("group")])
        got = an.compare_groups(part, dv="score", between="group", method="anova").table
        assert_allclose(got.statistic.iloc[0], ref.statistic)
        assert dim in set(res.table.dimension)


def test_auto_chooses_kruskal_for_a_likert_item(sprays):
    data = long_scores()
    data["item"] = np.clip(np.round(data.score), 1, 5)
    res = an.compare_groups(data, dv="item", between="group", by="dimension")
    assert (res.table.method == "kruskal").all()
    assert res.table.reason.str.contains("distinct values").all()
    assert (res.posthoc.method == "dunn").all()


def test_auto_with_weights_never_ignores_them():
    data = long_scores()
    data["item"] = np.clip(np.round(data.score), 1, 5)
    data["w"] = np.random.default_rng(2).uniform(0.5, 2.0, len(data))
    res = an.compare_groups(data, dv="item", between="group", by="dimension", weights="w")
    assert (res.table.method == "welch").all()
    assert res.table.reason.str.contains("weights were given").all()
    assert (res.posthoc.method == "games-howell").all()


def test_descriptives_ci_and_quantiles(plants):
    res = an.compare_groups(plants, dv="weight", between="group")
    d = res.descriptives.set_index("group")
    x = plants.weight[plants.group == "ctrl"].to_numpy()
    ci = stats.t.interval(0.95, x.size - 1, loc=x.mean(), scale=stats.sem(x))
    assert_allclose([d.loc["ctrl", "ci_low"], d.loc["ctrl", "ci_high"]], ci)
    assert_allclose(
        d.loc["ctrl", ["median", "q1", "q3"]].astype(float), np.quantile(x, [0.5, 0.25, 0.75])
    )
    assert_allclose(d.loc["ctrl", "sd"], x.std(ddof=1))


def test_weights_constant_equal_unweighted_and_match_descrstatsw(plants):
    from statsmodels.stats.weightstats import DescrStatsW

    base = an.compare_groups(plants, dv="weight", between="group", method="welch")
    w = plants.assign(w=2.5)
    same = an.compare_groups(w, dv="weight", between="group", method="welch", weights="w")
    assert_allclose(same.table.statistic, base.table.statistic)
    assert_allclose(same.posthoc.p_value, base.posthoc.p_value)
    rng = np.random.default_rng(3)
    ww = plants.assign(w=rng.uniform(0.5, 2.0, len(plants)))
    res = an.compare_groups(ww, dv="weight", between="group", method="welch", weights="w")
    d = res.descriptives.set_index("group")
    part = ww[ww.group == "trt1"]
    n_eff = part.w.sum() ** 2 / (part.w**2).sum()
    # frequency weights rescaled to sum to Kish's n_eff, variance with ddof = 1
    scaled = part.w.to_numpy() * n_eff / part.w.sum()
    ref = DescrStatsW(part.weight.to_numpy(), weights=scaled, ddof=1)
    assert_allclose(d.loc["trt1", "mean"], ref.mean)
    assert_allclose(d.loc["trt1", "sd"], ref.std)
    assert_allclose(d.loc["trt1", "n_eff"], n_eff)


@pytest.mark.parametrize(
    ("method", "posthoc"),
    [("kruskal", "auto"), ("welch", "tukey"), ("anova", "dunn"), ("anova", "lsd")],
    ids=["kruskal", "tukey", "dunn", "lsd"],
)
def test_weights_refused_where_unsupported(plants, method, posthoc):
    with pytest.raises(ConfigError, match="cannot take weights"):
        an.compare_groups(
            plants.assign(w=1.0),
            dv="weight",
            between="group",
            method=method,
            posthoc=posthoc,
            weights="w",
        )


# ------------------------------------------------------------------ errors, warnings


def test_bad_option_message(plants):
    with pytest.raises(ConfigError, match=r"'method' parameter of compare_groups must be one of"):
        an.compare_groups(plants, dv="weight", between="group", method="ttest")


def test_missing_column_message(plants):
    with pytest.raises(InputError, match=r"dv='score' not in data; columns are rownames, weight"):
        an.compare_groups(plants, dv="score", between="group")


def test_non_numeric_dv_names_row_and_value(plants):
    bad = plants.astype({"weight": object})
    bad.loc[7, "weight"] = "很满意"
    with pytest.raises(
        InputError, match=r"row 7, column 'weight': got '很满意'; expected a number"
    ):
        an.compare_groups(bad, dv="weight", between="group")


def test_small_group_excluded_with_warning(plants):
    data = pd.concat([plants, pd.DataFrame({"weight": [5.0], "group": ["solo"]})])
    with pytest.warns(SmallSampleWarning, match="solo"):
        res = an.compare_groups(data, dv="weight", between="group", method="welch")
    assert res.table.k.iloc[0] == 3
    assert res.table.n_groups_excluded.iloc[0] == 1
    assert "solo" in set(res.descriptives.group)


def test_no_warnings_leak_on_degenerate_slice():
    data = pd.DataFrame({"group": ["a", "a", "b"], "score": [1.0, 2.0, 3.0]})
    with pytest.warns(SmallSampleWarning):
        res = an.compare_groups(data, dv="score", between="group")
    assert np.isnan(res.table.statistic.iloc[0])
    assert "not tested" in res.summary("en")


# ------------------------------------------------------------------ result object


def test_summary_never_prints_p_000(sprays):
    res = an.compare_groups(sprays, dv="count", between="spray", method="kruskal")
    for lang in ("zh", "en"):
        text = res.summary(lang)
        assert "p < .001" in text
        assert ".000" not in text
    assert "H(5) = 54.69" in res.summary("en")
    assert "Kruskal-Wallis 检验显示各组差异显著" in res.summary("zh")


def test_result_is_frozen_and_renders(plants):
    data = long_scores()
    res = an.compare_groups(data, dv="score", between="group", by="dimension")
    with pytest.raises(AttributeError):
        res.table = None  # type: ignore[misc]
    html = res._repr_html_()
    assert "服务改革" in html
    assert "<table" in html
    frame = res.to_frame()
    assert list(frame.label_zh) == ["服务改革", "服务群众", "服务党员"]
    assert "服务改革：" in res.summary("zh")
    assert res.summary("en").startswith("Service reform:")
    assert "效应量 95% CI 下限" in html
    assert "95% CI 上限" in html


def test_html_labels_follow_the_confidence_level():
    data = long_scores()
    html = an.compare_groups(data, dv="score", between="group", conf_level=0.9)._repr_html_()
    assert "90% CI 下限" in html
    assert "效应量 90% CI 上限" in html
    assert "95%" not in html


def test_rerun_from_params_gives_same_table(plants):
    res = an.compare_groups(plants, dv="weight", between="group", method="auto")
    keys = ("dv", "between", "by", "method", "posthoc", "p_adjust", "weights", "conf_level")
    again = an.compare_groups(plants, **{k: res.params[k] for k in keys})
    pd.testing.assert_frame_equal(res.table, again.table)


def test_shuffling_rows_changes_nothing(plants):
    res = an.compare_groups(plants, dv="weight", between="group")
    shuffled = plants.sample(frac=1.0, random_state=4)
    again = an.compare_groups(shuffled, dv="weight", between="group")
    assert_allclose(res.table.statistic, again.table.statistic)
    assert_allclose(res.posthoc.p_value, again.posthoc.p_value)


def test_import_analysis_stays_light():
    import subprocess
    import sys

    code = "import analysis, sys; print('scipy' in sys.modules, 'statsmodels' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_welch_with_a_constant_group_warns_and_gives_nan():
    data = pd.DataFrame({"group": list("aaabbbccc"), "score": [3.0] * 3 + [1.0, 2.0, 3.5] * 2})
    with pytest.warns(DataQualityWarning, match="no variation.*'a'"):
        res = an.compare_groups(data, dv="score", between="group", method="welch")
    assert np.isnan(res.table.statistic.iloc[0])
    assert "no variation" in res.table.reason.iloc[0]


def test_no_runtime_warnings_for_constant_group():
    data = pd.DataFrame({"group": list("aaabbbccc"), "score": [3.0] * 3 + [1.0, 2.0, 3.0] * 2})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = an.compare_groups(data, dv="score", between="group", method="anova")
    assert res.table.k.iloc[0] == 3


# ------------------------------------------------------------------ studentized range


@pytest.mark.parametrize("k", [2, 3, 7, 50, 500])
def test_fast_studentized_range_matches_scipy(k):
    from scipy.stats import studentized_range

    from analysis.stats.posthoc import studentized_range_isf, studentized_range_sf

    q = np.array([0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0])
    for df in (2.0, 5.0, 17.3, 100.0, 1000.0, np.inf):
        ref = studentized_range.sf(q, k, df)
        got = studentized_range_sf(q, k, np.full(q.shape, df))
        keep = ref > 1e-8
        assert_allclose(got[keep], ref[keep], rtol=2e-5, atol=1e-6)
        assert_allclose(got[~keep], ref[~keep], atol=1e-8)
    for df in (3.0, 17.128, 250.0):
        ref_q = studentized_range.isf(0.05, k, df)
        assert_allclose(studentized_range_isf(0.05, k, np.array([df])), ref_q, rtol=3e-5)


def test_fast_studentized_range_exact_for_two_groups():
    from analysis.stats.posthoc import studentized_range_sf

    # for k = 2, Q = √2 |T_df| exactly, so P(Q ≥ q) = 2 P(T_df ≥ q / √2)
    q = np.linspace(0.1, 12, 60)
    for df in (1.0, 3.0, 40.0, 1e5):
        exact = 2 * stats.t.sf(q / np.sqrt(2), df)
        assert_allclose(studentized_range_sf(q, 2, np.full(q.shape, df)), exact, rtol=1e-5)


def test_studentized_range_tables_computed_where_needed_give_the_full_tables_values():
    from analysis.stats import posthoc

    q = np.array([0.3, 2.9, 3.7, 5.2, 11.0])
    df = np.array([4.5, 80.0, 3e5, np.inf, 2.0])
    for cache in (posthoc._log_sf_inf, posthoc._t_range_grid, posthoc._isf_grid):
        cache.cache_clear()
    lazy_p = posthoc.studentized_range_sf(q, 4, df)
    lazy_q = posthoc.studentized_range_isf(0.05, 4, df)
    table = posthoc._log_sf_inf(4)
    assert not table.done.all()  # only the blocks around these values were computed
    table.ensure(np.arange(table.grid.size))
    for grid in (*posthoc._t_range_grid(), posthoc._isf_grid(4, 0.05)):
        grid.ensure(np.arange(grid.grid.size))
    assert np.array_equal(posthoc.studentized_range_sf(q, 4, df), lazy_p)
    assert np.array_equal(posthoc.studentized_range_isf(0.05, 4, df), lazy_q)


def test_p_adjust_matches_statsmodels():
    from statsmodels.stats.multitest import multipletests

    from analysis.stats.multitest import adjust_p

    p = np.random.default_rng(0).uniform(0, 0.2, 40) ** 2
    for ours, theirs in (("holm", "holm"), ("bonferroni", "bonferroni"), ("fdr_bh", "fdr_bh")):
        assert_allclose(adjust_p(p, ours), multipletests(p, method=theirs)[1])


@pytest.mark.parametrize("seed", range(5))
def test_compact_letters_property_on_random_patterns(seed):
    from analysis.stats.posthoc import compact_letters

    rng = np.random.default_rng(seed)
    k = 40
    mean = rng.normal(size=k)
    # significance more likely for far-apart means, with random exceptions
    gap = np.abs(mean[:, None] - mean[None, :])
    sig = (gap + rng.normal(0, 0.4, (k, k))) > 1.0
    sig = np.triu(sig, 1)
    sig = sig | sig.T
    groups = [f"g{i}" for i in range(k)]
    letters = {
        g: set(re.findall(r"[a-zA-Z]\d*", v)) for g, v in compact_letters(groups, mean, sig).items()
    }
    for i in range(k):
        for j in range(i + 1, k):
            share = bool(letters[groups[i]] & letters[groups[j]])
            assert share == (not sig[i, j])
    top = groups[int(np.argmax(mean))]
    assert "a" in letters[top]


def test_two_groups_report_cohen_d_and_hedges_g_like_pingouin():
    pg = pytest.importorskip("pingouin")
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 30), rng.normal(0.5, 1.3, 40)
    data = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 40, "y": np.r_[a, b]})
    row = an.compare_groups(data, dv="y", between="g", method="welch").table.iloc[0]
    # pingouin.compute_effsize(a, b): d with the pooled SD, first group minus second (as the
    # t statistic); its g uses the approximate J, ours the exact gamma-function correction,
    # so g agrees to about 1e-5
    assert_allclose(row["cohen_d"], pg.compute_effsize(a, b, eftype="cohen"), rtol=1e-12)
    assert_allclose(row["effect_size"], pg.compute_effsize(a, b, eftype="hedges"), rtol=1e-4)
    assert row["effect_type"] == "hedges_g"


# ---------------------------------------------------------------- rows in, fast paths


@pytest.mark.parametrize(
    "values",
    [
        ["b", "a", None, "c", "a"],
        [None, None],
        [],
        ["桂花社区", "梅园社区", "Z", "a", "", "桂花社区"],
        [f"g{i}" for i in range(300)] * 3,
    ],
)
@pytest.mark.parametrize("dtype", ["str", pd.StringDtype("python"), pd.StringDtype("pyarrow")])
def test_text_columns_become_the_categoricals_pandas_makes(values, dtype):
    from analysis.stats.groups import _categories

    col = pd.Series(values, dtype=dtype)
    got, want = _categories(col), pd.Categorical(col)
    assert got.dtype == want.dtype
    assert got.categories.dtype == want.categories.dtype
    assert got.codes.dtype == want.codes.dtype
    np.testing.assert_array_equal(got.codes, want.codes)


def test_arrow_chunks_listed_again_are_encoded_alike():
    import pyarrow as pa

    from analysis.stats.groups import _categories

    part = pa.array(["梅园", "桂花", None, "梅园"], type=pa.large_string())
    chunked = pa.chunked_array([part, part.slice(1), part, pa.array(["竹林"], pa.large_string())])
    col = pd.Series(pd.array(chunked, dtype="str"))
    got, want = _categories(col), pd.Categorical(col)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got.codes, want.codes)


@pytest.mark.parametrize("layout", ["together", "interleaved"])
def test_rows_of_one_by_value_are_its_rows(layout):
    from analysis.stats.compare import _rows_of
    from analysis.stats.groups import prepare

    dims = ["a", "b", "c"] * 4 if layout == "interleaved" else ["a"] * 4 + ["b"] * 4 + ["c"] * 4
    data = pd.DataFrame(
        {
            "score": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 1.0, 2.0, 3.0],
            "group": pd.Series(["x", "y", "x", None, "y", "x"] * 2, dtype="str"),
            "dimension": pd.Series(dims, dtype="str"),
        }
    )
    frame, dropped = prepare(data, dv="score", between="group", by="dimension", weights=None)
    assert sum(dropped.values()) == 1
    for key in ["a", "b", "c", "z"]:
        pd.testing.assert_frame_equal(_rows_of(frame, key), frame[frame["_by"] == key])
