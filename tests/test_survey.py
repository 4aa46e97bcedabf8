"""Scores, reliability and item analysis, checked against R psych, pingouin, scipy, statsmodels.

The reference data are the five agreeableness items of psych::bfi (public R data, copied
into tests/data/survey/bfi_agreeableness.csv; A1 is reverse-keyed, answers 1-6, "NA" for
missing).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis.core.errors import ConfigError, DataQualityWarning, SmallSampleWarning
from analysis.survey.codebook_file import load_codebook
from analysis.survey.psychometrics import item_analysis, reliability
from analysis.survey.reading import read_survey
from analysis.survey.scores import score_survey, weighted_descriptives

DATA = Path(__file__).parent / "data" / "survey"
BFI = DATA / "bfi_agreeableness.csv"
A_ITEMS = ["A1", "A2", "A3", "A4", "A5"]


def bfi_codebook(**extra):
    spec = {
        "id_column": "rownames",
        "scale": {"min": 1, "max": 6},
        "missing": ["NA"],
        "items": [
            {"column": c, "id": c.lower(), "dimension": "masses", "reverse": c == "A1"}
            for c in A_ITEMS
        ],
    }
    spec.update(extra)
    return load_codebook(spec)


@pytest.fixture(scope="module")
def bfi():
    return read_survey(BFI, codebook=bfi_codebook())


@pytest.fixture(scope="module")
def bfi_frame():
    d = pd.read_csv(BFI)[A_ITEMS].astype("float64")
    d["A1"] = 7 - d["A1"]
    return d


# --------------------------------------------------------------------------- R psych


def test_alpha_matches_r_psych_published_output(bfi):
    # R psych: alpha(bfi[1:5], check.keys=TRUE) prints (printed output as in psych's docs)
    #   raw_alpha 0.70  std.alpha 0.71  average_r 0.33
    rel = reliability(bfi).iloc[0]
    assert_allclose(rel["alpha"], 0.70, atol=0.005)
    assert_allclose(rel["alpha_std"], 0.71, atol=0.005)
    assert_allclose(rel["average_r"], 0.33, atol=0.005)
    assert rel["missing"] == "pairwise"


def test_item_statistics_match_r_psych_published_output(bfi):
    # R psych: alpha(bfi[1:5], check.keys=TRUE), printed output (2 decimals)
    #   Reliability if an item is dropped: raw_alpha A1- .72 A2 .62 A3 .60 A4 .69 A5 .64
    #                                      std.alpha A1- .73 A2 .63 A3 .61 A4 .69 A5 .66
    #   Item statistics: n 2784 2773 2774 2781 2784; r.drop .31 .56 .59 .39 .49;
    #                    mean 4.6 4.8 4.6 4.7 4.6; sd 1.4 1.2 1.3 1.5 1.3
    items = item_analysis(bfi)
    assert items["n"].tolist() == [2784, 2773, 2774, 2781, 2784]
    assert_allclose(items["alpha_if_deleted"], [0.72, 0.62, 0.60, 0.69, 0.64], atol=0.005)
    assert_allclose(items["alpha_std_if_deleted"], [0.73, 0.63, 0.61, 0.69, 0.66], atol=0.005)
    assert_allclose(items["citc"], [0.31, 0.56, 0.59, 0.39, 0.49], atol=0.005)
    assert_allclose(items["mean"], [4.6, 4.8, 4.6, 4.7, 4.6], atol=0.05)
    assert_allclose(items["sd"], [1.4, 1.2, 1.3, 1.5, 1.3], atol=0.05)
    assert items["reverse"].tolist() == [True, False, False, False, False]


# --------------------------------------------------------------------------- pingouin / scipy


def test_respondents_without_a_group_are_kept_for_everything_but_comparisons(bfi, tmp_path):
    # the R bfi data with a group column left empty for every 7th respondent: before, those
    # 400 rows were quarantined and alpha moved away from psych's value for all 2,800
    frame = pd.read_csv(BFI)
    frame["community"] = np.where(np.arange(len(frame)) % 7 == 0, "", "甲社区")
    frame.loc[frame.index % 2 == 1, "community"] = frame["community"].replace("甲社区", "乙社区")
    path = tmp_path / "bfi.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(DataQualityWarning, match="400 respondent"):
        grouped = read_survey(path, codebook=bfi_codebook(group_column="community"))
    assert len(grouped.responses) == len(bfi.responses)
    assert grouped.responses["group"].isna().sum() == 400
    assert_allclose(reliability(grouped)["alpha"], reliability(bfi)["alpha"], rtol=1e-12)
    scores = score_survey(grouped)
    assert scores["group"].isna().sum() == 400
    assert "nan" not in set(scores["group"].dropna())
    import analysis as an

    res = an.compare_groups(scores, dv="score", between="group")
    assert set(res.descriptives["group"]) == {"甲社区", "乙社区"}
    assert (
        res.descriptives["n"].sum()
        == scores["score"].notna().sum() - scores.loc[scores["group"].isna(), "score"].notna().sum()
    )


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_alpha_and_feldt_ci_match_pingouin(bfi, bfi_frame, missing):
    pg = pytest.importorskip("pingouin")
    alpha, ci = pg.cronbach_alpha(bfi_frame.dropna(how="all"), nan_policy=missing)
    rel = reliability(bfi, missing=missing).iloc[0]
    assert_allclose(rel["alpha"], alpha, rtol=1e-10)
    # pingouin rounds its interval to 3 decimals
    assert_allclose([rel["ci_low"], rel["ci_high"]], ci, atol=5e-4)
    assert rel["missing"] == missing


def test_listwise_n_and_alpha_from_numpy(bfi, bfi_frame):
    complete = bfi_frame.dropna()
    rel = reliability(bfi, missing="listwise").iloc[0]
    assert rel["n"] == len(complete)
    cov = np.cov(complete.to_numpy(), rowvar=False)
    k = cov.shape[0]
    assert_allclose(rel["alpha"], k / (k - 1) * (1 - np.trace(cov) / cov.sum()), rtol=1e-12)


def test_citc_and_alpha_if_deleted_listwise_match_direct_computation(bfi, bfi_frame):
    pg = pytest.importorskip("pingouin")
    from scipy.stats import pearsonr

    complete = bfi_frame.dropna()
    items = item_analysis(bfi, missing="listwise")
    for i, col in enumerate(A_ITEMS):
        rest = complete.drop(columns=col)
        r = pearsonr(complete[col], rest.sum(axis=1)).statistic
        assert_allclose(items["citc"].iloc[i], r, rtol=1e-10)
        a, _ = pg.cronbach_alpha(rest)
        assert_allclose(items["alpha_if_deleted"].iloc[i], a, rtol=1e-10)


def test_discrimination_is_welch_t_between_27_percent_groups(bfi, bfi_frame):
    from scipy.stats import ttest_ind

    items = item_analysis(bfi)
    total = bfi_frame.mean(axis=1)  # mean of answered items
    lo, hi = total.quantile([0.27, 0.73])
    for i, col in enumerate(A_ITEMS):
        res = ttest_ind(
            bfi_frame.loc[total >= hi, col].dropna(),
            bfi_frame.loc[total <= lo, col].dropna(),
            equal_var=False,
        )
        assert_allclose(items["discrimination_t"].iloc[i], res.statistic, rtol=1e-10)
        assert_allclose(items["discrimination_p"].iloc[i], res.pvalue, rtol=1e-8, atol=1e-300)


# --------------------------------------------------------------------------- statsmodels


def test_omega_matches_statsmodels_principal_axis_loadings(bfi, bfi_frame):
    from statsmodels.multivariate.factor import Factor

    complete = bfi_frame.dropna().to_numpy()
    fit = Factor(complete, n_factor=1, method="pa", smc=True).fit(maxiter=2000, tol=1e-12)
    lam = np.abs(fit.loadings[:, 0])
    # psych's omega total: 1 - sum of uniquenesses / observed variance of the standardised sum
    r = np.corrcoef(complete, rowvar=False)
    omega = 1 - np.sum(1 - lam**2) / r.sum()
    rel = reliability(bfi, missing="listwise").iloc[0]
    assert_allclose(rel["omega"], omega, rtol=1e-6)


def test_kmo_and_bartlett_against_partial_correlations(bfi, bfi_frame):
    pytest.importorskip("pingouin")  # registers DataFrame.pcorr
    from scipy.stats import chi2

    complete = bfi_frame.dropna()
    r = complete.corr().to_numpy()
    p = complete.pcorr().to_numpy()
    off = ~np.eye(5, dtype=bool)
    kmo = (r[off] ** 2).sum() / ((r[off] ** 2).sum() + (p[off] ** 2).sum())
    n = len(complete)
    stat = -(n - 1 - (2 * 5 + 5) / 6) * np.log(np.linalg.det(r))
    rel = reliability(bfi, missing="listwise").iloc[0]
    assert_allclose(rel["kmo"], kmo, rtol=1e-10)
    assert_allclose(rel["bartlett_chi2"], stat, rtol=1e-10)
    assert rel["bartlett_df"] == 10
    assert_allclose(rel["bartlett_p"], chi2.sf(stat, 10), atol=1e-300)


# --------------------------------------------------------------------------- scores


def test_mean_scores_respect_min_answered(bfi, bfi_frame):
    scores = score_survey(bfi, min_answered=0.8)
    answered = bfi_frame.notna().sum(axis=1).to_numpy()
    expected = np.where(answered >= 4, bfi_frame.mean(axis=1).to_numpy(), np.nan)
    assert_allclose(scores["score"].to_numpy(), expected, rtol=1e-12)
    assert scores["n_items"].tolist() == answered.tolist()
    assert list(scores.columns) == ["respondent_id", "group", "dimension", "score", "n_items"]


def test_sum_and_z_scores(bfi, bfi_frame):
    from scipy.stats import zscore

    mean = score_survey(bfi, min_answered=1.0)["score"].to_numpy()
    total = score_survey(bfi, method="sum", min_answered=1.0)["score"].to_numpy()
    complete = bfi_frame.notna().all(axis=1).to_numpy()
    assert_allclose(total[complete], bfi_frame[complete].sum(axis=1), rtol=1e-12)
    z = score_survey(bfi, method="z", min_answered=1.0)["score"].to_numpy()
    assert_allclose(z[complete], zscore(mean[complete], ddof=1), rtol=1e-10)


def test_scores_in_framework_order_with_weights(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("id,g,w,a,b,c\n1,x,1,1,2,3\n2,x,3,4,4,4\n3,y,2,5,5,5\n", encoding="utf-8")
    cb = load_codebook(
        {
            "id_column": "id",
            "group_column": "g",
            "weight_column": "w",
            "scale": {"min": 1, "max": 5},
            "items": [
                {"column": "c", "id": "c", "dimension": "members"},
                {"column": "a", "id": "a", "dimension": "reform"},
                {"column": "b", "id": "b", "dimension": "reform"},
            ],
        }
    )
    scores = score_survey(read_survey(csv, codebook=cb))
    assert scores["dimension"].unique().tolist() == ["reform", "members"]
    assert scores["weight"].tolist() == [1, 3, 2, 1, 3, 2]


def test_weighted_descriptives_match_statsmodels():
    from statsmodels.stats.weightstats import DescrStatsW

    rng = np.random.default_rng(7)
    x = rng.normal(3, 1, 50)
    w = rng.uniform(0.2, 3, 50)
    scores = pd.DataFrame({"group": "a", "dimension": "reform", "score": x, "weight": w})
    out = weighted_descriptives(scores).iloc[0]
    # reliability weights: ddof = V2 / V1 in statsmodels' weighted variance
    ref = DescrStatsW(x, weights=w, ddof=(w**2).sum() / w.sum())
    assert_allclose(out["mean"], ref.mean, rtol=1e-12)
    assert_allclose(out["sd"], ref.std, rtol=1e-12)
    assert_allclose(out["n_eff"], w.sum() ** 2 / (w**2).sum(), rtol=1e-12)
    assert out["n"] == 50


def test_options_are_validated(bfi):
    with pytest.raises(ConfigError, match="'method' parameter of score_survey"):
        score_survey(bfi, method="median")
    with pytest.raises(ConfigError, match="'missing' parameter of reliability"):
        reliability(bfi, missing="available")
    with pytest.raises(ConfigError, match="min_answered"):
        score_survey(bfi, min_answered=2)


def test_single_item_dimension_warns(tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("a,b,c\n1,2,1\n3,4,4\n5,5,4\n", encoding="utf-8")
    cb = load_codebook(
        {
            "scale": {"min": 1, "max": 5},
            "items": [
                {"column": "a", "id": "a", "dimension": "reform"},
                {"column": "b", "id": "b", "dimension": "members"},
                {"column": "c", "id": "c", "dimension": "members"},
            ],
        }
    )
    with pytest.warns(SmallSampleWarning, match="'reform' has 1 items"):
        rel = reliability(read_survey(csv, codebook=cb))
    assert np.isnan(rel["alpha"].iloc[0])
    assert np.isfinite(rel["alpha"].iloc[1])


def test_inputs_are_not_mutated(bfi):
    before = bfi.responses.copy()
    score_survey(bfi, method="z")
    reliability(bfi)
    item_analysis(bfi, missing="listwise")
    pd.testing.assert_frame_equal(bfi.responses, before)


def test_shuffling_rows_changes_no_statistic(bfi):
    shuffled = bfi.with_(responses=bfi.responses.sample(frac=1, random_state=3))
    pd.testing.assert_frame_equal(reliability(bfi), reliability(shuffled))
    a = score_survey(bfi).sort_values("respondent_id").reset_index(drop=True)
    b = score_survey(shuffled).sort_values("respondent_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_tiny_groups_give_no_warnings():
    # three respondents per 27% group with almost no spread: scipy's ttest_ind would warn
    export = pd.DataFrame(
        {"q1": [4, 5, 3, 2, 4, 1], "q2": [4, 4, 3, 2, 5, 2], "q3": [5, 4, 2, 1, 4, 2]}
    )
    cb = {
        "scale": {"min": 1, "max": 5},
        "items": [{"column": c, "id": c, "dimension": "masses"} for c in export],
    }
    items = item_analysis(read_survey(export, codebook=cb))  # filterwarnings = error
    assert items["discrimination_t"].notna().all()


@pytest.mark.parametrize(
    "module",
    [
        "analysis.survey.codebook_file",
        "analysis.survey.scores",
        "analysis.survey.psychometrics",
        "analysis.survey.quality",
        "analysis.survey.reading",
        "analysis.io.platforms",
    ],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=4, max_size=4),
        min_size=1,
        max_size=12,
    )
)
def test_any_answers_give_statistics_without_warnings_or_errors(answers):
    export = pd.DataFrame(
        [["" if v is None else str(v) for v in row] for row in answers],
        columns=["a", "b", "c", "d"],
    )
    export.insert(0, "id", [f"r{i}" for i in range(len(answers))])
    cb = {
        "id_column": "id",
        "scale": {"min": 1, "max": 5},
        "min_answered": 0.5,
        "items": [{"column": c, "id": c, "dimension": "masses"} for c in "abcd"],
    }
    import warnings

    survey = read_survey(export, codebook=cb)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallSampleWarning)  # ours, expected on tiny data
        for missing in ("pairwise", "listwise"):
            rel = reliability(survey, missing=missing)
            items = item_analysis(survey, missing=missing)
            assert len(rel) == 1
            assert len(items) == 4
    scores = score_survey(survey, method="z")
    assert len(scores) == len(answers)
    ok = scores["score"].notna()
    assert (scores.loc[ok, "n_items"] >= 2).all()


def test_kmo_and_bartlett_are_not_reported_for_two_items(bfi):
    import analysis as an

    two = bfi.responses.copy()
    cb = bfi.codebook
    rel = an.reliability(bfi)
    assert rel["kmo"].notna().all()  # five items per dimension
    items = {dim: [it.id for it in cb.items_for(dim)][:2] for dim in cb.dimensions}
    moments = an.ItemMoments.from_frame(two, items)
    small = an.reliability(moments)
    assert small["n_items"].eq(2).all()
    assert small[["kmo", "bartlett_chi2", "bartlett_df", "bartlett_p"]].isna().all().all()
    assert small["alpha"].notna().all()
