"""Tests of entropy weights, IPA and the text x survey correlation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import analysis as an
from analysis.core.errors import InputError, SmallSampleWarning
from analysis.stats.association import spearman_pvalue


def community_table(seed: int = 2, m: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for g in range(m):
        for dim, spread in (("reform", 0.8), ("development", 0.2), ("members", 0.5)):
            rows.append((f"c{g:02d}", dim, 3.5 + rng.normal(0, spread)))
    return pd.DataFrame(rows, columns=["group", "dimension", "score"])


def entropy_by_loops(wide: pd.DataFrame, shift: float) -> tuple[np.ndarray, np.ndarray]:
    """Textbook 熵权法, written out with plain loops as an independent reference."""
    m, k = wide.shape
    weights_raw = []
    norm_cols = []
    for j in range(k):
        col = wide.iloc[:, j].tolist()
        lo, hi = min(col), max(col)
        z = [(v - lo) / (hi - lo) + shift for v in col]
        s = sum(z)
        e = -sum((v / s) * np.log(v / s) for v in z) / np.log(m)
        weights_raw.append(1 - e)
        norm_cols.append([v - shift for v in z])
    w = np.array(weights_raw) / sum(weights_raw)
    index = [100 * sum(w[j] * norm_cols[j][i] for j in range(k)) for i in range(m)]
    return w, np.array(index)


def test_entropy_weights_match_textbook_loops():
    data = community_table()
    res = an.entropy_weights(data)
    wide = data.pivot_table(index="group", columns="dimension", values="score")
    wide = wide[["reform", "development", "members"]]
    w, index = entropy_by_loops(wide, 1e-4)
    assert list(res.weights.dimension) == ["reform", "development", "members"]
    assert_allclose(res.weights.weight, w)
    assert_allclose(res.weights.weight.sum(), 1.0)
    got = res.scores.set_index("group").loc[wide.index, "index"]
    assert_allclose(got, index)
    assert res.scores["rank"].iloc[0] == 1


def test_entropy_constant_dimension_gets_zero_weight_and_negative_reverses():
    data = community_table()
    data.loc[data.dimension == "members", "score"] = 4.0
    res = an.entropy_weights(data)
    assert_allclose(res.weights.set_index("dimension").weight["members"], 0.0)
    rev = an.entropy_weights(community_table(), negative=("reform",))
    plain = an.entropy_weights(community_table())
    a = rev.scores.set_index("group")["index"]
    b = plain.scores.set_index("group")["index"]
    assert not np.allclose(a.sort_index(), b.sort_index())


def test_entropy_needs_complete_table():
    data = community_table().iloc[1:]
    with pytest.raises(InputError, match="has no 'score' on dimension 'reform'"):
        an.entropy_weights(data)


def ipa_data(seed: int = 4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for r in range(200):
        overall = rng.normal(3.5, 0.7)
        for dim, beta, imp in (
            ("reform", 0.9, 4.5),
            ("livelihood", 0.2, 3.0),
            ("members", 0.5, 4.0),
        ):
            rows.append(
                (
                    r,
                    dim,
                    3 + beta * (overall - 3.5) + rng.normal(0, 0.5),
                    imp + rng.normal(0, 0.3),
                    overall,
                )
            )
    return pd.DataFrame(
        rows, columns=["respondent_id", "dimension", "score", "importance", "overall"]
    )


def test_ipa_stated_and_derived():
    data = ipa_data()
    stated = an.ipa(data)
    assert list(stated.dimension) == ["reform", "livelihood", "members"]
    means = data.groupby("dimension")[["score", "importance"]].mean()
    assert_allclose(stated.set_index("dimension").performance, means.score[stated.dimension])
    assert_allclose(stated.set_index("dimension").importance, means.importance[stated.dimension])
    derived = an.ipa(data, method="derived", overall="overall")
    part = data[data.dimension == "reform"]
    ref = stats.pearsonr(part.score, part.overall).statistic
    assert_allclose(derived.importance.iloc[0], ref)
    assert derived.importance_type.eq("derived").all()


@pytest.mark.parametrize(
    ("imp", "perf", "quadrant"),
    [
        (5.0, 2.0, "concentrate"),
        (5.0, 5.0, "keep_up"),
        (1.0, 2.0, "low_priority"),
        (1.0, 5.0, "overkill"),
    ],
    ids=["concentrate", "keep", "low", "overkill"],
)
def test_ipa_quadrants_with_fixed_cross(imp, perf, quadrant):
    data = pd.DataFrame({"dimension": ["reform"], "score": [perf], "importance": [imp]})
    out = an.ipa(data, cross=(3.0, 3.0))
    assert out.quadrant.iloc[0] == quadrant


def test_text_survey_correlation_matches_spearmanr_rho_and_r_p():
    rng = np.random.default_rng(9)
    groups = [f"c{i}" for i in range(14)]
    text_rows, survey_rows = [], []
    for dim in ("reform", "members"):
        emphasis = rng.uniform(0, 1, len(groups))
        for g, e in zip(groups, emphasis, strict=True):
            for doc in range(2):
                text_rows.append((f"{g}-{doc}", g, dim, e + rng.normal(0, 0.05)))
            for r in range(5):
                survey_rows.append((f"{g}-{r}", g, dim, 3 + e + rng.normal(0, 0.3)))
    texts = pd.DataFrame(text_rows, columns=["doc_id", "group", "dimension", "score"])
    survey = pd.DataFrame(survey_rows, columns=["respondent_id", "group", "dimension", "score"])
    out = an.text_survey_correlation(texts, survey, n_boot=500)
    assert list(out.dimension) == ["reform", "members"]
    t = texts[texts.dimension == "reform"].groupby("group").score.mean()
    s = survey[survey.dimension == "reform"].groupby("group").score.mean()
    ref = stats.spearmanr(t, s[t.index])
    row = out.iloc[0]
    assert_allclose(row.rho, ref.statistic)
    # 14 communities without ties: R's cor.test uses the AS 89 Edgeworth series, not t
    # (the series itself is checked against R in tests/test_association_r.py)
    assert row.p_method == "edgeworth"
    assert_allclose(row.p_value, spearman_pvalue(ref.statistic, 14)[0])
    assert abs(row.p_value - ref.pvalue) < 0.02
    assert row.ci_low <= row.rho <= row.ci_high
    assert row.n_groups == 14


def test_text_survey_correlation_warns_for_few_communities():
    texts = pd.DataFrame(
        {"group": list("abcde"), "dimension": "reform", "score": [0.1, 0.4, 0.2, 0.5, 0.3]}
    )
    survey = pd.DataFrame(
        {"group": list("abcde"), "dimension": "reform", "score": [3.0, 4.1, 3.3, 4.4, 3.9]}
    )
    texts = texts.rename(columns={"group": "community"})
    with pytest.warns(SmallSampleWarning, match="fewer than 10 communities"):
        out = an.text_survey_correlation(texts, survey, text_group="community", n_boot=200)
    assert_allclose(out.rho.iloc[0], 1.0)
