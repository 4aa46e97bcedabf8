"""factorial_anova against R's car::Anova and effectsize::eta_squared.

Expected numbers printed by tests/r/anova.R (R 4.2.2 Patched r83330, car 3.1-1,
effectsize 0.8.3) on ToothGrowth without rows 1, 2, 3, 31 and 45 (unbalanced, so that
Types II and III differ). effectsize's limits come from optim: tolerance 1e-6.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import ConfigError

TG = SHARED_R / "datasets" / "ToothGrowth.csv"
pytestmark = pytest.mark.skipif(not TG.exists(), reason="shared R data sets not present")


@pytest.fixture(scope="module")
def tooth() -> pd.DataFrame:
    tg = pd.read_csv(TG)
    tg["dose_f"] = tg["dose"].astype(str)
    return tg.drop(index=[0, 1, 2, 30, 44])


def test_type_2_as_car(tooth):
    res = an.factorial_anova(tooth, "len ~ supp * dose_f")
    t = res.table.set_index("term")
    # Anova(lm(len ~ supp * dose_f, tg2), type = 2)
    assert_allclose(t.sum_sq, [171.252408121, 2120.817155232, 107.047085509, 672.426460317],
                    rtol=1e-9)  # fmt: skip
    assert_allclose(t.statistic[:3], [12.47923526681, 77.27242065794, 3.90028315324], rtol=1e-9)
    assert_allclose(t.p_value[:3], [9.07994038838e-04, 7.04095405914e-16, 2.68017808270e-02],
                    rtol=1e-7)  # fmt: skip
    # eta_squared(Anova(m, type = 2), partial = TRUE): one-sided intervals
    assert_allclose(t.partial_eta2[:3], [0.202982929320, 0.759266804881, 0.137332544616],
                    rtol=1e-9)  # fmt: skip
    assert_allclose(t.ci_low[:3], [0.06008469713935, 0.65781001804609, 0.00958107075933],
                    atol=1e-6)  # fmt: skip
    assert (t.ci_high[:3] == 1).all()
    assert "supp: F(1, 49) = 12.48, p < .001, η²p = .20, 单侧 95% CI [.06, 1.00]" in res.summary()


def test_type_3_sum_contrasts_as_car(tooth):
    res = an.factorial_anova(tooth, "len ~ supp * dose_f", type=3)
    t = res.table.set_index("term")
    # options(contrasts = c("contr.sum", "contr.poly")); Anova(m3, type = 3)
    assert_allclose(t.sum_sq, [183.485397015, 2132.006002035, 107.047085509, 672.426460317],
                    rtol=1e-9)  # fmt: skip
    assert_allclose(t.statistic[:3], [13.37065833114, 77.68008865267, 3.90028315324], rtol=1e-9)
    assert_allclose(t.partial_eta2[:3], [0.214374173512, 0.760227258333, 0.137332544616],
                    rtol=1e-9)  # fmt: skip
    assert_allclose(t.ci_low[:3], [0.06770105548506, 0.65913243128700, 0.00958107075933],
                    atol=1e-6)  # fmt: skip
    assert "Type III" in res.summary("en")


def test_ancova_as_car(tooth):
    res = an.factorial_anova(tooth, "len ~ supp + dose")
    t = res.table.set_index("term")
    # Anova(lm(len ~ supp + dose, tg2), type = 2); eta_squared(..., partial = TRUE)
    assert_allclose(t.statistic[:2], [8.08159176244, 104.06923889642], rtol=1e-9)
    assert_allclose(t.partial_eta2[:2], [0.134510280526, 0.666814547391], rtol=1e-9)
    assert_allclose(t.ci_low[:2], [0.0236279870145, 0.5418938957054], atol=1e-6)
    assert res.params["n"] == 55


def test_options_are_checked(tooth):
    with pytest.raises(ConfigError):
        an.factorial_anova(tooth, "len ~ supp", type=1)
