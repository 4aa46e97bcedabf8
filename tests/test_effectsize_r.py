"""Effect sizes and their intervals against R's effectsize, and the decision sentence.

Expected numbers printed by tests/r/effectsize.R (R 4.2.2 Patched r83330, effectsize 0.8.3
from Debian's r-cran-effectsize). effectsize finds noncentrality limits with optim
(abstol 1e-9), so its limits agree with our root-finding to about 1e-7: tolerance 1e-6.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

import analysis as an

DATA = SHARED_R / "datasets"
pytestmark = pytest.mark.skipif(not DATA.exists(), reason="shared R data sets not present")
TOL = 1e-6


@pytest.fixture(scope="module")
def plants() -> pd.DataFrame:
    return pd.read_csv(DATA / "PlantGrowth.csv")


def test_omega2_anova_as_effectsize(plants):
    row = an.compare_groups(plants, dv="weight", between="group", method="anova").table.iloc[0]
    # omega_squared(aov(weight ~ group, pg)): 0.20407884599, one-sided [0.00238215532281, 1]
    assert_allclose(row.effect_size, 0.20407884599, rtol=1e-9)
    assert_allclose([row.effect_ci_low, row.effect_ci_high], [0.00238215532281, 1], atol=TOL)
    two = an.compare_groups(
        plants, dv="weight", between="group", method="anova", effect_alternative="two-sided"
    ).table.iloc[0]
    # omega_squared(a, alternative = "two.sided"): [0, 0.433999657986]
    assert_allclose([two.effect_ci_low, two.effect_ci_high], [0, 0.433999657986], atol=TOL)
    ninety = an.compare_groups(
        plants, dv="weight", between="group", method="anova", conf_level=0.9,
        effect_alternative="two-sided",
    ).table.iloc[0]  # fmt: skip
    # omega_squared(a, ci = 0.9, alternative = "two.sided"): [0.00238215532281, 0.395988673005]
    assert_allclose([ninety.effect_ci_low, ninety.effect_ci_high],
                    [0.00238215532281, 0.395988673005], atol=TOL)  # fmt: skip


def test_omega2_after_welch_as_effectsize(plants):
    row = an.compare_groups(plants, dv="weight", between="group", method="welch").table.iloc[0]
    # omega_squared(oneway.test(weight ~ group, pg)): 0.293500812509, [0, 1]
    assert_allclose(row.effect_size, 0.293500812509, rtol=1e-9)
    assert_allclose([row.effect_ci_low, row.effect_ci_high], [0, 1], atol=TOL)
    two = an.compare_groups(
        plants, dv="weight", between="group", method="welch", effect_alternative="two-sided"
    ).table.iloc[0]
    # alternative = "two.sided": [0, 0.558130250494]
    assert_allclose([two.effect_ci_low, two.effect_ci_high], [0, 0.558130250494], atol=TOL)
    sprays = pd.read_csv(DATA / "InsectSprays.csv")
    w = an.compare_groups(sprays, dv="count", between="spray", method="welch").table.iloc[0]
    # omega_squared(oneway.test(count ~ spray, ins)): 0.829481014208, [0.719423360394, 1]
    assert_allclose(w.effect_size, 0.829481014208, rtol=1e-9)
    assert_allclose(w.effect_ci_low, 0.719423360394, atol=TOL)
    a = an.compare_groups(sprays, dv="count", between="spray", method="anova").table.iloc[0]
    # omega_squared(aov(count ~ spray, ins)): 0.700637903553, [0.591863425575, 1]
    assert_allclose([a.effect_size, a.effect_ci_low], [0.700637903553, 0.591863425575], atol=TOL)


def test_hedges_g_noncentral_t_as_effectsize(plants):
    two = plants[plants.group.isin(["ctrl", "trt1"])]
    row = an.compare_groups(two, dv="weight", between="group").table.iloc[0]
    # hedges_g(weight ~ group, data = ct): 0.510184064086, [-0.35214310204, 1.35896042237]
    assert row.effect_type == "hedges_g"
    assert_allclose(row.effect_size, 0.510184064086, rtol=1e-9)
    assert_allclose([row.effect_ci_low, row.effect_ci_high], [-0.35214310204, 1.35896042237],
                    atol=TOL)  # fmt: skip


def test_decision_words_follow_the_adjusted_p():
    # three dimensions: one with unadjusted p just under .05, two null; Holm lifts it above
    rng = np.random.default_rng(5)
    rows = []
    for dim, shift in (("reform", 0.0), ("masses", 0.0), ("members", 0.55)):
        for g in ("甲", "乙"):
            for v in rng.normal(3 + (shift if g == "乙" else 0), 1, 30):
                rows.append((dim, g, v))
    data = pd.DataFrame(rows, columns=["dimension", "group", "score"])
    for seed in range(200):  # find data where the decision flips under Holm
        rng = np.random.default_rng(seed)
        data["score"] = [
            rng.normal(3 + (0.55 if (d == "members" and g == "乙") else 0), 1)
            for d, g in zip(data.dimension, data.group, strict=True)
        ]
        res = an.compare_groups(data, dv="score", between="group", by="dimension")
        t = res.table.set_index("dimension")
        if t.loc["members", "p_value"] < 0.05 <= t.loc["members", "p_adj"]:
            break
    else:  # pragma: no cover
        pytest.fail("no seed gave a flip")
    zh = res.summary("zh")
    line = next(part for part in zh.splitlines() if "服务党员" in part or "党员" in part)
    assert "两组差异不显著" in line
    assert "Holm 校正后" in line
    assert "据此判断" in line
    en = next(part for part in res.summary("en").splitlines() if "did not differ" in part)
    assert "used for the decision" in en
    unadjusted = an.compare_groups(
        data, dv="score", between="group", by="dimension", p_adjust="none"
    )
    assert "两组差异显著" in unadjusted.summary("zh")
