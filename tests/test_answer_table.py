"""Moments and polychoric tables from the counts of answer patterns, against the rows."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import analysis.stats.item_moments as item_moments
import analysis.stats.polychoric as polychoric_mod
from analysis.core.errors import InputError
from analysis.stats.answer_table import answer_table
from analysis.stats.item_moments import ItemBlock

FIELDS = (
    "pair_n",
    "pair_mean",
    "pair_m2",
    "complete_mean",
    "complete_m2",
    "pair_ss",
)


def _answers(n: int, k: int, missing: float, seed: int = 0, cats: int = 5) -> np.ndarray:
    rng = np.random.default_rng(seed)
    trait = rng.normal(size=(n, 1))
    x = np.clip(np.round(3 + trait + rng.normal(size=(n, k))), 1, cats)
    x[rng.random((n, k)) < missing] = np.nan
    return x


def _cases() -> list[np.ndarray]:
    few = _answers(7, 4, 0.5, seed=3)
    few[:, 0] = np.nan
    few[0, 0] = 3.0
    none_complete = _answers(40, 3, 0.0, seed=4)
    none_complete[:20, 0] = np.nan
    none_complete[20:, 1] = np.nan
    return [
        _answers(2000, 5, 0.03),
        _answers(300, 3, 0.3, seed=1) - 3,  # negative and zero answers
        _answers(50, 2, 0.0, seed=2, cats=7),
        few,
        none_complete,
    ]


@pytest.mark.parametrize("x", _cases())
def test_moments_from_answer_patterns_equal_the_row_sums(x, monkeypatch):
    items = [f"q{j}" for j in range(x.shape[1])]
    assert answer_table(x) is not None
    fast = ItemBlock.from_matrix(items, x)
    monkeypatch.setattr(item_moments, "answer_table", lambda x: None)
    rows = ItemBlock.from_matrix(items, x)
    assert fast.n_any == rows.n_any
    assert fast.complete_n == rows.complete_n
    for name in FIELDS:
        assert_allclose(getattr(fast, name), getattr(rows, name), rtol=1e-12, atol=1e-9)
    for missing in ("pairwise", "listwise"):
        assert_allclose(fast.covariance(missing)[0], rows.covariance(missing)[0], rtol=1e-12)
        assert_allclose(fast.correlation(missing), rows.correlation(missing), rtol=1e-12)


@pytest.mark.parametrize(
    "x",
    [
        np.array([[1.0, 2.5], [2.0, 3.0]]),  # not whole numbers
        np.full((3, 2), np.nan),  # nothing answered
        np.array([[1.0, np.inf], [2.0, 3.0]]),
        np.array([[1.0, 100.0], [2.0, 3.0]]),  # a wide range
        _answers(100, 12, 0.0),  # too many patterns to count
    ],
)
def test_answers_that_are_not_a_handful_of_whole_numbers_are_left_to_the_rows(x):
    assert answer_table(x) is None


def _polychoric_both(x: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> list:
    df = pd.DataFrame(x, columns=[f"q{j}" for j in range(x.shape[1])])
    out = []
    for fast in (True, False):
        with monkeypatch.context() as m:
            if not fast:
                m.setattr(polychoric_mod, "answer_table", lambda x: None)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    r = polychoric_mod.polychoric(df)
                    out.append((r.rho, r.tau, r.n, r.smoothed))
                except InputError as exc:
                    out.append(str(exc))
            out[-1] = (out[-1], [(str(w.message), w.filename) for w in caught])
    return out


@pytest.mark.parametrize(
    "case", ["plain", "unequal-maxima", "shifted", "flat", "fraction", "smoothed"]
)
def test_polychoric_from_answer_patterns_is_the_same(case, monkeypatch):
    x = _answers(800, 4, 0.05)
    if case == "smoothed":  # every pair at -0.9: not positive definite, smoothed, warned
        monkeypatch.setattr(polychoric_mod, "_pair", lambda *a: -0.9)
    if case == "unequal-maxima":
        x[:, 1] = np.minimum(x[:, 1], 4)
    elif case == "shifted":
        x = x + 2
    elif case == "flat":
        x[:, 2] = 3
    elif case == "fraction":
        x[0, 0] = 2.5
    (fast, fast_warn), (rows, rows_warn) = _polychoric_both(x, monkeypatch)
    assert fast_warn == rows_warn
    assert all(filename == __file__ for _, filename in fast_warn)
    assert bool(fast_warn) == (case == "smoothed")
    if isinstance(rows, str):
        assert fast == rows
        return
    pd.testing.assert_frame_equal(fast[0], rows[0], check_exact=True)
    pd.testing.assert_frame_equal(fast[1], rows[1], check_exact=True)
    assert fast[2:] == rows[2:]


def test_columns_or_a_matrix_give_the_same_table_and_polychoric():
    x = _answers(500, 4, 0.05, seed=7)
    whole = answer_table(x)
    parts = answer_table([np.ascontiguousarray(x[:, j]) for j in range(4)])
    np.testing.assert_array_equal(whole.counts, parts.counts)
    assert whole.lowest == parts.lowest
    assert answer_table([x[:, 0], x[:10, 1]]) is None  # columns of different lengths
    got = polychoric_mod.polychoric_from_table(parts, ["a", "b", "c", "d"])
    want = polychoric_mod.polychoric(pd.DataFrame(x, columns=["a", "b", "c", "d"]))
    pd.testing.assert_frame_equal(got.rho, want.rho, check_exact=True)
    assert got.n == want.n


def test_reliability_from_answer_patterns_equals_reliability_from_the_rows(monkeypatch):
    import analysis.survey.psychometrics as psychometrics
    from analysis.survey.reading import read_survey

    x = _answers(400, 4, 0.05, seed=8)
    export = pd.DataFrame(x, columns=[f"q{j}" for j in range(4)]).astype(object)
    export = export.where(export.notna(), "")
    export.insert(0, "id", [str(i) for i in range(len(x))])
    export.insert(1, "group", "a")
    codebook = {
        "id_column": "id",
        "group_column": "group",
        "scale": {"min": 1, "max": 5},
        "items": [{"column": f"q{j}", "id": f"q{j}", "dimension": "masses"} for j in range(4)],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        survey = read_survey(export, codebook=codebook)
    fast = psychometrics.reliability(survey)
    for module in (psychometrics, item_moments, polychoric_mod):
        monkeypatch.setattr(module, "answer_table", lambda columns: None)
    rows = psychometrics.reliability(survey)
    pd.testing.assert_frame_equal(fast, rows, check_exact=False, rtol=1e-12)
