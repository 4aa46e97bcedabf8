"""Tests of analysis.survey.describe: frequencies, sample profile, 满意率 and the index.

References: counts recomputed with pandas from the export; Wilson intervals from
scipy.stats.binomtest(...).proportion_ci(method="wilson"), the interval of R's
prop.test(x, n, correct = FALSE)$conf.int.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import analysis as an
from analysis.core.errors import CodebookError, InputError
from analysis.stats.categorical import wilson_ci

LABELS = {"非常不满意": 1, "不满意": 2, "一般": 3, "满意": 4, "非常满意": 5}


def _survey(satisfied=None):  # type: ignore[no-untyped-def]
    export = pd.DataFrame(
        {
            "id": [str(i) for i in range(8)],
            "社区": ["甲"] * 4 + ["乙"] * 4,
            "性别": ["男", "女", "女", "", "男", "男", "女", "女"],
            "q1": ["满意", "非常满意", "一般", "(跳过)", "不满意", "满意", "(空)", "满意"],
            "q2": ["非常同意", "同意", "不同意", "非常不同意", "一般", "同意", "同意", "(空)"],
        }
    )
    scale = {"min": 1, "max": 5, "labels": LABELS}
    if satisfied is not None:
        scale["satisfied"] = satisfied
    agree = {"非常不同意": 1, "不同意": 2, "一般": 3, "同意": 4, "非常同意": 5}
    cb = {
        "id_column": "id",
        "group_column": "社区",
        "scale": scale,
        "scales": {"agree": {"min": 1, "max": 5, "labels": agree}},
        "missing": {"skipped": ["(跳过)"], "no_answer": ["(空)"]},
        "covariates": [{"column": "性别", "id": "gender"}],
        "items": [
            {"column": "q1", "id": "q1", "dimension": "reform"},
            {"column": "q2", "id": "q2", "dimension": "reform", "reverse": True, "scale": "agree"},
        ],
    }
    return an.read_survey(export, codebook=cb)


def test_frequencies_follow_spss_percentages():
    f = an.frequencies(_survey(), ["q1"]).set_index("answer")
    # 8 respondents: 1 非常满意, 3 满意, 1 一般, 1 不满意, 0 非常不满意, 1 skipped, 1 no answer
    expected = {"非常不满意": 0, "不满意": 1, "一般": 1, "满意": 3, "非常满意": 1}
    assert f["frequency"].to_dict() == {**expected, "(跳过)": 1, "(未作答)": 1}
    assert_allclose(f.loc["满意", "percent"], 100 * 3 / 8)
    assert_allclose(f.loc["满意", "valid_percent"], 100 * 3 / 6)
    assert_allclose(f.loc["非常满意", "cumulative_percent"], 100.0)
    assert_allclose(f.loc["一般", "cumulative_percent"], 100 * 2 / 6)
    assert f.loc["(跳过)", "missing_kind"] == "skipped"
    assert np.isnan(f.loc["(跳过)", "valid_percent"])
    assert_allclose(f["percent"].sum(), 100.0)


def test_frequencies_show_reverse_items_as_answered():
    f = an.frequencies(_survey(), ["q2"]).set_index("answer")
    assert f.loc["非常同意", "frequency"] == 1
    assert f.loc["同意", "frequency"] == 3
    assert f.loc["同意", "value"] == 4


def test_frequencies_by_group_and_covariates():
    f = an.frequencies(_survey(), ["gender"], by="group")
    jia = f[f.group == "甲"].set_index("answer")
    assert jia["frequency"].to_dict() == {"女": 2, "男": 1, "(未作答)": 1}
    assert_allclose(jia.loc["女", "valid_percent"], 100 * 2 / 3)
    with pytest.raises(InputError, match="neither an item nor a covariate"):
        an.frequencies(_survey(), ["nope"])


def test_sample_profile_counts_each_covariate():
    p = an.sample_profile(_survey())
    assert list(p.columns) == ["item_id", "question", "answer", "n", "percent"]
    assert p.set_index("answer")["n"].to_dict() == {"女": 4, "男": 3, "(未作答)": 1}
    assert_allclose(p.set_index("answer").loc["女", "percent"], 50.0)


def test_wilson_interval_matches_scipy_and_r():
    lo, hi = wilson_ci(45, 80)
    ref = stats.binomtest(45, 80).proportion_ci(method="wilson")
    assert_allclose([lo, hi], [ref.low, ref.high])
    # R 4.x: prop.test(45, 80, correct = FALSE)$conf.int gives the same Wilson score
    # interval, 0.4534 0.6659 (the closed form; the 0.4532/0.6677 quoted in the issue is not
    # the Wilson interval of 45/80)
    assert_allclose([lo, hi], [0.4534, 0.6659], atol=5e-5)
    for x, n in [(0, 10), (10, 10), (3, 7)]:
        ref = stats.binomtest(x, n).proportion_ci(method="wilson", confidence_level=0.9)
        assert_allclose(wilson_ci(x, n, conf_level=0.9), [ref.low, ref.high], atol=1e-12)


def test_satisfaction_rate_index_and_interval():
    sat = an.satisfaction(_survey())
    jia = sat[(sat.group == "甲")].set_index("item_id", drop=False)
    # q1 in 甲: 满意, 非常满意, 一般 (one skipped): 2 of 3 satisfied; mean 4
    q1 = jia.loc["q1"]
    assert (q1.n, q1.n_satisfied) == (3, 2)
    assert_allclose(q1.satisfaction_rate, 2 / 3)
    ref = stats.binomtest(2, 3).proportion_ci(method="wilson")
    assert_allclose([q1.ci_low, q1.ci_high], [ref.low, ref.high])
    assert_allclose(q1.satisfaction_index, (4 - 1) / 4 * 100)
    # q2 reverse-keyed: 非常不同意 and 不同意 are favourable; 甲 answered 非常同意, 同意,
    # 不同意, 非常不同意 -> scored 1, 2, 4, 5: 2 of 4 satisfied
    q2 = jia.loc["q2"]
    assert (q2.n, q2.n_satisfied) == (4, 2)
    dim = sat[(sat.group == "甲") & sat.item_id.isna()].iloc[0]
    assert (dim.n, dim.n_satisfied) == (7, 4)  # pooled over the items
    scores = an.score_survey(_survey())
    m = scores[scores.group == "甲"].score.mean()
    assert_allclose(dim["mean"], m)
    assert_allclose(dim.satisfaction_index, (m - 1) / 4 * 100)


def test_satisfied_labels_are_declared_in_the_codebook():
    only_top = an.satisfaction(_survey(satisfied=["非常满意"]), by=None)
    q1 = only_top.set_index("item_id", drop=False).loc["q1"]
    assert (q1.n, q1.n_satisfied) == (6, 1)
    assert (only_top.group == "all").all()
    numbers = an.satisfaction(_survey(satisfied=[5]), by=None)
    assert numbers.set_index("item_id", drop=False).loc["q1"].n_satisfied == 1
    with pytest.raises(CodebookError, match="satisfied"):
        _survey(satisfied=["很满意"])
