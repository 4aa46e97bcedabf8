"""Tests of keyness, dimension_table and cooccurrence against scipy/statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy.stats import chi2_contingency
from scipy.stats.contingency import association

import analysis as an
from analysis.core.errors import InputError, SmallSampleWarning
from analysis.stats.multitest import adjust_p
from analysis.text.textstats import cooccurrence, dimension_table, keyness


def token_frame() -> pd.DataFrame:
    counts = {
        "东湖": {"网格": 30, "党员": 20, "养老": 2, "食堂": 0, "改革": 8},
        "桂花": {"网格": 5, "党员": 25, "养老": 15, "食堂": 9, "改革": 7},
        "长青": {"网格": 10, "党员": 12, "养老": 11, "食堂": 6, "改革": 0},
    }
    rows = [(g, t) for g, c in counts.items() for t, n in c.items() for _ in range(n)]
    return pd.DataFrame(rows, columns=["community", "token"])


def test_keyness_matches_scipy_per_token() -> None:
    tokens = token_frame()
    out = keyness(tokens, group="community", min_freq=1)
    assert out.columns.tolist() == [
        "group",
        "token",
        "n_target",
        "n_reference",
        "total_target",
        "total_reference",
        "g2",
        "chi2",
        "p_value",
        "p_adj",
        "log_ratio",
        "pct_diff",
        "direction",
    ]
    for row in out.itertuples():
        a, b, c, d = row.n_target, row.n_reference, row.total_target, row.total_reference
        table = np.array([[a, b], [c - a, d - b]])
        # reference: scipy.stats.chi2_contingency called directly on the 2x2 table
        g2, p, _, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        x2, _, _, _ = chi2_contingency(table, correction=False)
        sign = 1 if a / c >= b / d else -1  # signed by direction, as quanteda does
        assert_allclose(row.g2, sign * g2, rtol=1e-10, atol=1e-12)
        assert_allclose(row.p_value, p, rtol=1e-10)
        assert_allclose(row.chi2, sign * x2, rtol=1e-10, atol=1e-12)
        assert row.direction == ("over" if sign > 0 else "under")
        a0, b0 = max(a, 0.5), max(b, 0.5)
        assert_allclose(row.log_ratio, np.log2((a0 / c) / (b0 / d)))


def test_keyness_bh_matches_statsmodels_and_sorting() -> None:
    from statsmodels.stats.multitest import multipletests

    out = keyness(token_frame(), group="community", target="东湖", min_freq=1)
    assert set(out["group"]) == {"东湖"}
    assert out["g2"].is_monotonic_decreasing
    # reference: statsmodels multipletests(method="fdr_bh")
    assert_allclose(out["p_adj"], multipletests(out["p_value"], method="fdr_bh")[1])
    top = out.iloc[0]
    assert (top["token"], top["direction"]) == ("网格", "over")
    assert out.loc[out["token"] == "食堂", "direction"].item() == "under"
    assert out.loc[out["token"] == "食堂", "n_target"].item() == 0


def test_keyness_pct_diff_and_zero_reference() -> None:
    out = keyness(token_frame(), group="community", target="东湖", min_freq=1)
    row = out.loc[out["token"] == "党员"].iloc[0]
    a, b, c, d = row[["n_target", "n_reference", "total_target", "total_reference"]]
    assert_allclose(row["pct_diff"], 100 * (a / c - b / d) / (b / d))
    alone = keyness(token_frame(), group="community", target="桂花", min_freq=1)
    assert alone["pct_diff"].notna().all()


def test_keyness_from_documents_uses_content_tokens() -> None:
    docs = pd.DataFrame(
        {
            "doc_id": list("abcd"),
            "text": [
                "网格员入户走访。网格员巡查。",
                "网格员上门服务。",
                "长者食堂开餐。",
                "长者食堂送餐。",
            ],
            "community": ["东湖", "东湖", "长青", "长青"],
        }
    )
    out = keyness(docs, group="community", min_freq=2)
    assert "。" not in set(out["token"])
    east = out.loc[out["group"] == "东湖"].set_index("token")
    assert east.loc["网格员", "n_target"] == 3
    assert east.loc["网格员", "direction"] == "over"


def test_keyness_errors() -> None:
    with pytest.raises(InputError, match="group column 'district'"):
        keyness(token_frame(), group="district")
    with pytest.raises(InputError, match="target '滨江'"):
        keyness(token_frame(), group="community", target="滨江", min_freq=1)


def test_keyness_adjustment_is_bh_and_keeps_nan() -> None:
    from statsmodels.stats.multitest import multipletests

    p = np.array([0.01, np.nan, 0.04, 0.03, 0.5])
    out = adjust_p(p, "bh")
    assert np.isnan(out[1])
    ok = ~np.isnan(p)
    assert_allclose(out[ok], multipletests(p[ok], method="fdr_bh")[1])


def scores_frame() -> pd.DataFrame:
    counts = {
        "东湖": [12, 3, 20, 35, 30],
        "桂花": [4, 2, 18, 22, 60],
        "长青": [25, 8, 40, 30, 28],
    }
    rows = [
        {"doc_id": f"{g}-1", "community": g, "dimension": d, "n_hits": n, "weighted_hits": n / 2}
        for g, ns in counts.items()
        for d, n in zip(an.SERVICE_FIVE.ids, ns, strict=True)
    ]
    return pd.DataFrame(rows)


def test_dimension_table_matches_scipy_and_statsmodels() -> None:
    import statsmodels.api as sm

    res = dimension_table(scores_frame(), group="community")
    obs = res.counts.to_numpy()
    assert res.counts.index.tolist() == list(an.SERVICE_FIVE.ids)
    # references: scipy chi2_contingency / association and statsmodels Table, called directly
    stat, p, dof, expected = chi2_contingency(obs, correction=False)
    test = res.test.iloc[0]
    assert_allclose([test["statistic"], test["p_value"]], [stat, p], rtol=1e-10)
    assert test["df"] == dof
    assert_allclose(test["cramers_v"], association(obs, method="cramer"), rtol=1e-10)
    assert_allclose(res.cells["expected"], expected.ravel(), rtol=1e-10)
    table = sm.stats.Table(obs)
    assert_allclose(res.cells["adj_residual"], np.asarray(table.standardized_resids).ravel())
    assert_allclose(res.cells["residual"], np.asarray(table.resid_pearson).ravel())
    assert res.cells.columns.tolist() == [
        "dimension",
        "group",
        "n_hits",
        "expected",
        "residual",
        "adj_residual",
    ]


def test_dimension_table_small_expected_warns() -> None:
    frame = scores_frame()
    frame["n_hits"] = frame["n_hits"] // 10 + 1
    with pytest.warns(SmallSampleWarning, match="expected counts are below 5"):
        dimension_table(frame, group="community")


def test_dimension_table_errors() -> None:
    with pytest.raises(InputError, match="column 'district' not in text_scores"):
        dimension_table(scores_frame(), group="district")
    one = scores_frame().query("community == '东湖'")
    with pytest.raises(InputError, match="at least two dimensions and two groups"):
        dimension_table(one, group="community")


def test_cooccurrence_counts_sentences() -> None:
    docs = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "text": ["网格员入户走访，发展党员。网格员巡查。", "网格员入户走访。发展党员。"],
        }
    )
    edges = cooccurrence(docs, window="sentence")
    assert edges.columns.tolist() == [
        "term_a",
        "term_b",
        "dimension_a",
        "dimension_b",
        "n",
        "n_a",
        "n_b",
        "jaccard",
    ]
    pair = edges.set_index(["term_a", "term_b"])
    assert pair.loc[("入户走访", "网格员"), "n"] == 2
    assert pair.loc[("入户走访", "网格员"), "n_b"] == 3
    assert pair.loc[("入户走访", "发展党员"), "n"] == 1
    assert pair.loc[("入户走访", "发展党员"), "dimension_b"] == "members"
    assert_allclose(pair.loc[("入户走访", "网格员"), "jaccard"], 2 / (2 + 3 - 2))
    by_doc = cooccurrence(docs, window="document").set_index(["term_a", "term_b"])
    assert by_doc.loc[("入户走访", "发展党员"), "n"] == 2
