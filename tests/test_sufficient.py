"""Sufficient statistics merged across partitions give the in-memory results.

The data are split into 3-7 random partitions, statistics are built per partition and merged
in different orders, and every table of ``compare_groups`` and ``reliability`` is compared
with the same call on the rows: floating columns to 1e-12 (absolute and relative), all other
columns exactly. Data: the demo survey (data/raw/demo) and psych::bfi from the shared R data
sets (skipped where ``../shared/datasets/r`` is absent).
"""

from __future__ import annotations

import dataclasses
import pickle
import random
import subprocess
import sys
import warnings
from functools import reduce

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO, SHARED_R
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import ConfigError, InputError, SmallSampleWarning
from analysis.stats.oneway import NO_BOOT, ORDINAL_MAX_VALUES
from analysis.stats.sufficient import MIN_VALUES

TOL = 1e-12
TABLES = ("table", "posthoc", "descriptives", "assumptions", "letters", "grand_mean")
BFI = SHARED_R / "psych" / "bfi.csv"
BFI_DIMENSIONS = dict(zip("ACENO", an.SERVICE_FIVE.ids, strict=True))
BFI_REVERSED = {"A1", "C4", "C5", "E1", "E2", "O2", "O5"}


# ----------------------------------------------------------------------------- data


@pytest.fixture(scope="module")
def demo_survey() -> an.SurveyData:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return an.read_survey(DEMO / "survey.xlsx", codebook=DEMO / "codebook.yaml")


@pytest.fixture(scope="module")
def demo_scores(demo_survey: an.SurveyData) -> pd.DataFrame:
    scores = an.score_survey(demo_survey)
    weights = np.random.default_rng(7).uniform(0.5, 2.0, scores["respondent_id"].nunique())
    scores["weight"] = scores["respondent_id"].map(
        dict(zip(scores["respondent_id"].unique(), weights, strict=True))
    )
    return scores


@pytest.fixture(scope="module")
def bfi_survey() -> an.SurveyData:
    if not BFI.exists():
        pytest.skip("shared R data sets not available")
    codebook = an.load_codebook(
        {
            "id_column": "rownames",
            "scale": {"min": 1, "max": 6},
            "missing": ["NA"],
            "items": [
                {"column": f"{d}{i}", "id": f"{d}{i}".lower(), "dimension": dim,
                 "reverse": f"{d}{i}" in BFI_REVERSED}
                for d, dim in BFI_DIMENSIONS.items()
                for i in range(1, 6)
            ],
        }
    )  # fmt: skip
    return an.read_survey(BFI, codebook=codebook)


@pytest.fixture(scope="module")
def bfi_scores() -> pd.DataFrame:
    """Mean of the five items of each psych::bfi scale, compared across education levels
    (1-5, missing for some: float labels), weighted by age / 30."""
    if not BFI.exists():
        pytest.skip("shared R data sets not available")
    bfi = pd.read_csv(BFI)
    parts = [
        pd.DataFrame(
            {
                "dimension": dim,
                "score": bfi[[f"{d}{i}" for i in range(1, 6)]].mean(axis=1),
                "group": bfi["education"],
                "weight": bfi["age"] / 30,
            }
        )
        for d, dim in BFI_DIMENSIONS.items()
    ]
    return pd.concat(parts, ignore_index=True)


def split(frame: pd.DataFrame, parts: int, seed: int) -> list[pd.DataFrame]:
    """Random partitions of the rows, each in a shuffled order."""
    rng = np.random.default_rng(seed)
    label = rng.integers(0, parts, len(frame))
    order = rng.permutation(len(frame))
    shuffled = frame.iloc[order]
    return [shuffled[label[order] == i] for i in range(parts)]


def merged(items: list, order: str, seed: int):
    """Merge in one of several orders: balanced tree, left fold, right fold, random."""
    if order == "combine":
        return type(items[0]).combine(items)
    if order == "left":
        return reduce(lambda a, b: a.merge(b), items)
    if order == "right":
        return reduce(lambda a, b: b.merge(a), items[::-1])
    pool = list(items)
    rnd = random.Random(seed)
    while len(pool) > 1:
        a = pool.pop(rnd.randrange(len(pool)))
        b = pool.pop(rnd.randrange(len(pool)))
        pool.append(a.merge(b))
    return pool[0]


def group_moments(frame: pd.DataFrame, parts: int, seed: int, order: str, **kw):
    chunks = split(frame, parts, seed)
    built = [an.GroupMoments.from_frame(c, dv="score", between="group", **kw) for c in chunks]
    return merged(built, order, seed)


def assert_same_frame(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(want.columns), what
    assert len(got) == len(want), what
    for col in want.columns:
        g, w = got[col], want[col]
        if pd.api.types.is_float_dtype(w) and pd.api.types.is_float_dtype(g):
            assert_allclose(g.to_numpy(float), w.to_numpy(float), rtol=TOL, atol=TOL,
                            err_msg=f"{what}: {col}")  # fmt: skip
        else:
            assert g.dtype == w.dtype, f"{what}: {col}"
            assert g.tolist() == w.tolist(), f"{what}: {col}"


def assert_same_result(got: an.CompareResult, want: an.CompareResult, *, boot: bool) -> None:
    """Every table equal; with ``boot`` the bootstrap interval is NaN and noted instead."""
    for name in TABLES:
        g, w = getattr(got, name), getattr(want, name)
        if w is None:
            assert g is None, name
            continue
        if name == "table" and boot:
            assert g["effect_ci_low"].isna().all()
            assert g["effect_ci_high"].isna().all()
            assert g["reason"].str.endswith(NO_BOOT).all()
            assert (g["reason"].str.removesuffix(f"; {NO_BOOT}") == w["reason"]).all()
            g = g.drop(columns=["reason", "effect_ci_low", "effect_ci_high"])
            w = w.drop(columns=["reason", "effect_ci_low", "effect_ci_high"])
        assert_same_frame(g, w, name)


# ----------------------------------------------------------------------------- compare

CASES = [
    pytest.param({"method": "anova"}, id="anova-tukey"),
    pytest.param({"method": "welch"}, id="welch-games-howell"),
    pytest.param({"method": "brown-forsythe"}, id="brown-forsythe"),
    pytest.param({"method": "anova", "posthoc": "lsd"}, id="lsd"),
    pytest.param({"method": "anova", "posthoc": "bonferroni"}, id="bonferroni"),
    pytest.param({"method": "kruskal"}, id="kruskal-dunn"),
    pytest.param({"method": "welch", "posthoc": "dunn"}, id="welch-dunn"),
    pytest.param({"method": "auto", "letters": True}, id="auto"),
]


@pytest.mark.parametrize("options", CASES)
@pytest.mark.parametrize(
    ("parts", "order"), [(3, "combine"), (5, "left"), (7, "random")], ids=["3", "5", "7"]
)
def test_compare_groups_from_moments_equals_rows_demo(demo_scores, options, parts, order):
    want = an.compare_groups(demo_scores, dv="score", between="group", by="dimension", **options)
    moments = group_moments(demo_scores, parts, parts, order, by="dimension")
    got = an.compare_groups(moments, **options)
    assert_same_result(got, want, boot=options["method"] == "kruskal")


@pytest.mark.parametrize("options", CASES)
def test_compare_groups_from_moments_equals_rows_bfi(bfi_scores, options):
    want = an.compare_groups(bfi_scores, dv="score", between="group", by="dimension", **options)
    moments = group_moments(bfi_scores, 6, 11, "right", by="dimension")
    got = an.compare_groups(moments, dv="score", by="dimension", **options)
    assert_same_result(got, want, boot=options["method"] == "kruskal")


@pytest.mark.parametrize("method", ["anova", "welch", "brown-forsythe"])
@pytest.mark.parametrize("data", ["demo_scores", "bfi_scores"])
def test_weighted_moments_equal_weighted_rows(request, data, method):
    frame = request.getfixturevalue(data)
    kw = {"method": method, "weights": "weight"}
    want = an.compare_groups(frame, dv="score", between="group", by="dimension", **kw)
    moments = group_moments(frame, 4, 3, "random", by="dimension", weights="weight")
    assert_same_result(an.compare_groups(moments, method=method), want, boot=False)


def test_two_groups_without_by_and_with_missing_values(demo_scores):
    # two communities, no by: Hedges' g and the rank-biserial r; missing scores are counted
    frame = demo_scores[demo_scores["group"].isin(["桂花社区", "东湖社区"])].copy()
    frame = frame[frame["dimension"] == "masses"]
    frame.loc[frame.index[::9], "score"] = np.nan
    for method, boot in (("welch", False), ("kruskal", True)):
        want = an.compare_groups(frame, dv="score", between="group", method=method)
        got = an.compare_groups(group_moments(frame, 3, 5, "left"), method=method)
        assert_same_result(got, want, boot=boot)
        assert got.table["n_dropped"].iloc[0] == frame["score"].isna().sum() > 0
        # without a bootstrap the tables are identical, reason included
        want = an.compare_groups(frame, dv="score", between="group", method=method, n_boot=0)
        got = an.compare_groups(group_moments(frame, 3, 5, "left"), method=method, n_boot=0)
        assert_same_result(got, want, boot=False)


def test_small_and_flat_groups_are_handled_as_with_rows():
    # a group of one (left out, with the same warning) and a group without variation split
    # across partitions (Welch not computed, as with rows)
    frame = pd.DataFrame(
        {
            "group": ["a"] * 6 + ["b"] * 6 + ["c"] + ["d"] * 5,
            "score": [0.1] * 6 + [1.0, 2.0, 2.5, 3.0, 3.5, 4.0, 3.0, 2.0, 2.5, 3.5, 4.5, 1.0],
        }
    )
    for method in ("anova", "welch", "kruskal"):
        with warnings.catch_warnings(record=True) as rows_warned:
            warnings.simplefilter("always")
            want = an.compare_groups(frame, dv="score", between="group", method=method)
        with warnings.catch_warnings(record=True) as moments_warned:
            warnings.simplefilter("always")
            got = an.compare_groups(group_moments(frame, 4, 2, "combine"), method=method)
        said = [(w.category, str(w.message)) for w in rows_warned]
        assert [(w.category, str(w.message)) for w in moments_warned] == said
        assert SmallSampleWarning in [c for c, _ in said]
        assert (method == "welch") == ("no variation" in str(said))
        assert_same_result(got, want, boot=method == "kruskal")


# ----------------------------------------------------------------------------- merging


def test_merge_is_associative_and_commutative(demo_scores):
    a, b, c = (
        an.GroupMoments.from_frame(part, dv="score", between="group", by="dimension")
        for part in split(demo_scores, 3, 0)
    )
    left, right = a.merge(b).merge(c), a.merge(b.merge(c))
    swapped = c.merge(a).merge(b)
    for other in (right, swapped):
        assert_same_frame(other.table, left.table, "moments")
        assert_same_frame(other.values.table, left.values.table, "value counts")
        assert other.dropped == left.dropped


def test_item_merge_is_associative(demo_survey):
    parts = [
        an.item_moments(dataclasses.replace(demo_survey, responses=p))
        for p in split(demo_survey.responses, 3, 4)
    ]
    left = parts[0].merge(parts[1]).merge(parts[2])
    right = parts[0].merge(parts[1].merge(parts[2]))
    for dim, block in left.blocks.items():
        other = right.blocks[dim]
        for name in ("pair_n", "pair_mean", "pair_m2", "complete_mean", "complete_m2"):
            assert_allclose(getattr(other, name), getattr(block, name), rtol=TOL, atol=TOL)
        assert (other.n_any, other.complete_n) == (block.n_any, block.complete_n)


def test_statistics_pickle(demo_scores, demo_survey):
    moments = group_moments(demo_scores, 3, 1, "combine", by="dimension", weights="weight")
    back = pickle.loads(pickle.dumps(moments))
    assert_same_frame(back.table, moments.table, "moments")
    assert_same_result(
        an.compare_groups(back, method="welch"),
        an.compare_groups(moments, method="welch"),
        boot=False,
    )
    items = an.item_moments(demo_survey)
    assert_same_frame(
        an.reliability(pickle.loads(pickle.dumps(items))), an.reliability(items), "reliability"
    )


def test_parts_from_different_columns_do_not_merge(demo_scores):
    a = an.GroupMoments.from_frame(demo_scores, dv="score", between="group", by="dimension")
    b = an.GroupMoments.from_frame(demo_scores, dv="n_items", between="group", by="dimension")
    with pytest.raises(ConfigError, match="different columns"):
        a.merge(b)
    with pytest.raises(ConfigError, match="dv='n_items', but the GroupMoments"):
        an.compare_groups(a, dv="n_items")
    with pytest.raises(ConfigError, match="'dv' parameter of compare_groups is required"):
        an.compare_groups(demo_scores, between="group")


# ----------------------------------------------------------------------------- rank tests


@pytest.fixture(scope="module")
def continuous() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    return pd.DataFrame(
        {"group": np.repeat(list("abc"), 200), "score": rng.normal(size=600), "d": "reform"}
    )


def test_rank_tests_on_continuous_values_raise_a_clear_error(continuous):
    moments = an.GroupMoments.from_frame(
        continuous, dv="score", between="group", by="d", max_values=50
    )
    assert moments.values.overflow == {"reform": 600}
    with pytest.raises(InputError, match=r"Kruskal-Wallis test of 'score' for d 'reform'.*"
                       r"method='welch'"):  # fmt: skip
        an.compare_groups(moments, method="kruskal")
    with pytest.raises(InputError, match=r"Dunn's test .*max_values=50"):
        an.compare_groups(moments, method="welch", posthoc="dunn")
    # auto sees more than 7 distinct values and takes Welch's ANOVA, as with rows
    want = an.compare_groups(continuous, dv="score", between="group", by="d")
    got = an.compare_groups(moments)
    assert_same_frame(got.table, want.table, "table")
    assert_same_frame(got.posthoc, want.posthoc, "posthoc")
    # what needs the values is NaN with a note, never silently wrong
    assert got.descriptives[["median", "q1", "q3"]].isna().all().all()
    assert got.assumptions["statistic"].isna().all()
    assert got.assumptions["note"].str.contains("not available from sufficient").all()


def test_value_counts_overflow_when_merged(continuous):
    parts = [
        an.GroupMoments.from_frame(p, dv="score", between="group", max_values=400)
        for p in split(continuous, 3, 1)
    ]
    assert all(not p.values.overflow for p in parts)
    merged_parts = an.GroupMoments.combine(parts)
    assert list(merged_parts.values.overflow) == [0]
    assert merged_parts.values.overflow[0] > 400
    assert merged_parts.values.table.empty


def test_max_values_is_more_than_the_auto_rule():
    assert MIN_VALUES > ORDINAL_MAX_VALUES
    frame = pd.DataFrame({"group": list("aabb"), "score": [1.0, 2.0, 3.0, 4.0]})
    with pytest.raises(ConfigError, match="'max_values' parameter"):
        an.GroupMoments.from_frame(frame, dv="score", between="group", max_values=5)


# ----------------------------------------------------------------------------- reliability


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize("data", ["demo_survey", "bfi_survey"])
@pytest.mark.parametrize(("parts", "order"), [(3, "left"), (7, "random")], ids=["3", "7"])
def test_reliability_from_item_moments_equals_rows(request, data, missing, parts, order):
    survey = request.getfixturevalue(data)
    want = an.reliability(survey, missing=missing)
    built = [
        an.item_moments(dataclasses.replace(survey, responses=p))
        for p in split(survey.responses, parts, parts)
    ]
    got = an.reliability(merged(built, order, parts), missing=missing)
    # ordinal alpha needs the answers' two-way tables, which moments do not keep: NaN there
    assert got["alpha_ordinal"].isna().all()
    assert want["alpha_ordinal"].notna().all()
    drop = ["alpha_ordinal"]
    assert_same_frame(got.drop(columns=drop), want.drop(columns=drop), "reliability")


def test_in_memory_path_imports_no_dask():
    code = (
        "import sys, pandas as pd, analysis as an\n"
        "d = pd.DataFrame({'group': list('aabbcc'), 'score': [1., 2., 2., 3., 3., 5.]})\n"
        "m = an.GroupMoments.from_frame(d, dv='score', between='group')\n"
        "an.compare_groups(m, method='kruskal', n_boot=0)\n"
        "an.compare_groups(d, dv='score', between='group')\n"
        "assert not any(k.split('.')[0] == 'dask' for k in sys.modules), 'dask imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
@pytest.mark.parametrize("data", ["demo_survey", "bfi_survey"])
def test_item_analysis_from_item_moments_equals_rows(request, data, missing):
    survey = request.getfixturevalue(data)
    want = an.item_analysis(survey, missing=missing)
    built = [
        an.item_moments(dataclasses.replace(survey, responses=p))
        for p in split(survey.responses, 5, 8)
    ]
    got = an.item_analysis(merged(built, "random", 8), missing=missing)
    # the 区分度 needs each respondent's total: NaN from moments
    disc = ["discrimination_t", "discrimination_p"]
    assert got[disc].isna().all().all()
    assert_same_frame(got.drop(columns=disc), want.drop(columns=disc), "item analysis")


def test_statistics_without_a_single_value():
    frame = pd.DataFrame({"group": list("aabb"), "score": np.nan})
    moments = an.GroupMoments.from_frame(frame, dv="score", between="group")
    assert moments.table.empty
    assert moments.dropped == {0: 4}
    # a comparison without two groups says so: its row is all NaN (issue 17)
    with pytest.warns(an.SmallSampleWarning, match="fewer than two groups of 'group'"):
        row = an.compare_groups(moments).table.iloc[0]
    assert (row["k"], row["n"], row["n_dropped"]) == (0, 0, 4)
    assert row["reason"] == "fewer than two groups with at least 2 values"
