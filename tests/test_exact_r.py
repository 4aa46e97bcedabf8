"""fisher_test against R's fisher.test.

Expected numbers printed by tests/r/fisher.R (R 4.2.2 Patched r83330, stats). p values are
exact sums and agree to 1e-9; R finds the odds ratio and its limits with uniroot
(tolerance ε^¼ on ψ or 1/ψ), which we mimic: agreement to 5e-5 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import analysis as an
from analysis.core.errors import InputError, SmallSampleWarning


def frame(values, n_rows, n_cols):
    """R's matrix(values, n_rows) (filled by column) as one row per cell with a count."""
    m = np.array(values).reshape(n_cols, n_rows).T
    cells = [(f"r{i}", f"c{j}", m[i, j]) for i in range(n_rows) for j in range(n_cols)]
    return pd.DataFrame(cells, columns=["a", "b", "n"])


def test_tea_tasting():
    res = an.fisher_test(frame([3, 1, 1, 3], 2, 2), "a", "b", weights="n")
    row = res.table.iloc[0]
    # fisher.test(matrix(c(3, 1, 1, 3), 2)): p 0.485714285714, OR 6.408308867006,
    #   CI 0.211732915306 621.933750545417
    assert_allclose(row.p_value, 0.485714285714, rtol=1e-9)
    assert_allclose([row.odds_ratio, row.ci_low, row.ci_high],
                    [6.408308867006, 0.211732915306, 621.933750545417], rtol=5e-5)  # fmt: skip
    greater = an.fisher_test(frame([3, 1, 1, 3], 2, 2), "a", "b", weights="n",
                             alternative="greater").table.iloc[0]  # fmt: skip
    # alternative = "greater": p 0.242857142857, CI 0.313569264110 Inf
    assert_allclose(greater.p_value, 0.242857142857, rtol=1e-9)
    assert_allclose(greater.ci_low, 0.313569264110, rtol=5e-5)
    assert np.isinf(greater.ci_high)
    assert "OR = 6.41" in res.summary("en")


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({}, [0.015220074043603, 0.046730254484181, 0.000716323602878, 0.652166445091904]),
        ({"conf_level": 0.9},
         [0.01522007404360, 0.04673025448418, 0.00144518884973, 0.48726420954531]),
        ({"alternative": "less"}, [0.0076100370218, 0.0467302544842, 0.0, 0.4872642095453]),
    ],
)  # fmt: skip
def test_small_two_by_two(kw, expected):
    # fisher.test(matrix(c(2, 7, 8, 1), 2), ...)
    row = an.fisher_test(frame([2, 7, 8, 1], 2, 2), "a", "b", weights="n", **kw).table.iloc[0]
    assert_allclose(row.p_value, expected[0], rtol=1e-9)
    assert_allclose([row.odds_ratio, row.ci_low, row.ci_high], expected[1:], rtol=5e-5)


def test_zero_cell():
    row = an.fisher_test(frame([0, 5, 4, 3], 2, 2), "a", "b", weights="n").table.iloc[0]
    # fisher.test(matrix(c(0, 5, 4, 3), 2)): p 0.0808080808081, OR 0, CI 0 1.74611727231
    assert_allclose([row.p_value, row.odds_ratio, row.ci_low], [0.0808080808081, 0, 0], atol=1e-12)
    assert_allclose(row.ci_high, 1.7461172723100, rtol=5e-5)


@pytest.mark.parametrize(
    ("values", "shape", "p"),
    [
        ([3, 0, 2, 1, 4, 5], (2, 3), 0.471328671329),
        ([3, 2, 1, 4, 6, 2, 1, 3, 5], (3, 3), 0.325318365603),
        ([5, 2, 1, 4, 6, 2, 1, 3, 9, 2, 1, 3], (3, 4), 0.0367067163746),
    ],
)
def test_r_by_c(values, shape, p):
    res = an.fisher_test(frame(values, *shape), "a", "b", weights="n")
    assert_allclose(res.table.p_value.iloc[0], p, rtol=1e-9)
    assert "odds_ratio" not in res.table.columns


def test_respondent_rows_and_errors():
    rows = pd.DataFrame({"a": list("xxxyyy"), "b": list("ppqqqq")})
    res = an.fisher_test(rows, "a", "b")
    assert res.table.n.iloc[0] == 6
    with pytest.raises(InputError, match="2x2 tables only"):
        an.fisher_test(frame([3, 0, 2, 1, 4, 5], 2, 3), "a", "b", weights="n", alternative="less")
    with pytest.raises(InputError, match="whole numbers"):
        an.fisher_test(rows.assign(w=0.5), "a", "b", weights="w")


def test_chi_square_warning_points_to_fisher():
    rows = pd.DataFrame({"a": list("xxxyyy"), "b": list("ppqqqq")})
    with pytest.warns(SmallSampleWarning, match="fisher_test"):
        an.chi_square(rows, "a", "b")


def test_too_large_table_says_what_to_do():
    # R's ?fisher.test Job satisfaction table (4x4, N = 104): R's FEXACT gives p 0.7827;
    # enumerating it here would take minutes, so the user is sent to chi_square instead
    job = frame([1, 2, 1, 0, 3, 3, 6, 1, 10, 10, 14, 9, 6, 7, 12, 11], 4, 4)
    with pytest.raises(InputError, match="too large to enumerate exactly; use chi_square"):
        an.fisher_test(job, "a", "b", weights="n")
