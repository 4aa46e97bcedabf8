"""Polychoric correlations, ordinal alpha and omega-hierarchical, checked against psych.

Reference numbers: R 4.2.2 Patched (2022-11-10 r83330), psych 2.2.9 (GPArotation for the
oblimin rotation), printed by tests/r/measurement.R::

    bfi <- read.csv("bfi.csv")                      # shared/datasets/r/psych
    rev <- c("A1","C4","C5","E1","E2","O2","O5"); bfi[rev] <- 7 - bfi[rev]
    pc <- polychoric(bfi[paste0("A", 1:5)])         # defaults: global = TRUE, smooth = TRUE
    alpha(pc$rho)$total$raw_alpha                   # ordinal alpha
    omega(bfi[items[1:10]], nfactors = 3)           # omega_h, omega.tot, ECV (minres, oblimin)

psych finds each polychoric correlation with ``optimize`` (tolerance about 1e-4) and the
minres loadings with ``optim`` (L-BFGS-B, factr 1e7); the toolkit solves both to tight
tolerances, so the correlations agree to 1e-4, alpha to 1e-5 and omega_h to 1e-4.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SHARED_R
from numpy.testing import assert_allclose

from analysis.stats.omega import omega_hierarchical
from analysis.stats.polychoric import _bvn_cdf, alpha_from_corr, polychoric

BFI = SHARED_R / "psych" / "bfi.csv"
REVERSED = ["A1", "C4", "C5", "E1", "E2", "O2", "O5"]
ITEMS = [f"{s}{i}" for s in "ACENO" for i in range(1, 6)]

# polychoric(A)$rho, lower triangle by rows
A_RHO = [
    [0.408463791129],
    [0.322517432337, 0.555450998317],
    [0.175442426081, 0.389714342882, 0.408068897892],
    [0.227839531060, 0.448821008499, 0.572856416904, 0.355285890439],
]
# polychoric(A)$tau, row A1
A1_TAU = [-1.88887898502, -1.22890028288, -0.736860977691, -0.318639363964, 0.436662234004]
ORDINAL_ALPHA = {"A": 0.7589921786, "C": 0.7674083518}
# omega(bfi[items[1:n]], nfactors = nf): omega_h, omega.tot, ECV
OMEGA = {
    (10, 3): (0.4303985959, 0.7988479915, 0.3966142767),
    (15, 3): (0.5428334747, 0.8481397689, 0.4260254802),
    (25, 5): (0.4617096034, 0.8748095110, 0.2428707823),
}


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    if not BFI.exists():
        pytest.skip(f"shared R data not found: {BFI}")
    data = pd.read_csv(BFI)[ITEMS]
    data[REVERSED] = 7 - data[REVERSED]
    return data


def test_bivariate_normal_cdf_by_owens_t():
    from scipy.stats import multivariate_normal

    cases = [(0.3, -0.5, 0.4), (-1.0, -2.0, -0.7), (0.0, 0.0, 0.5), (1.2, 0.0, 0.95)]
    for h, k, r in cases:
        expected = multivariate_normal([0, 0], [[1, r], [r, 1]]).cdf([h, k])
        assert_allclose(_bvn_cdf(np.array(h), np.array(k), r), expected, atol=1e-7)
    # exact: P(X<=0, Y<=0) = 1/4 + asin(r)/(2 pi)
    assert_allclose(
        _bvn_cdf(np.array(0.0), np.array(0.0), 0.5), 0.25 + np.arcsin(0.5) / (2 * np.pi)
    )


def test_polychoric_equals_psych(bfi):
    result = polychoric(bfi[[f"A{i}" for i in range(1, 6)]])
    rho = result.rho.to_numpy()
    for i, row in enumerate(A_RHO, start=1):
        assert_allclose(rho[i, : len(row)], row, atol=1e-4)
    assert_allclose(result.tau.loc["A1"], A1_TAU, atol=1e-8)
    assert not result.smoothed
    assert result.n == 2800 - int(bfi[[f"A{i}" for i in range(1, 6)]].isna().all(axis=1).sum())


@pytest.mark.parametrize("scale", ["A", "C"])
def test_ordinal_alpha_equals_psych(bfi, scale):
    rho = polychoric(bfi[[f"{scale}{i}" for i in range(1, 6)]]).rho
    assert_allclose(alpha_from_corr(rho), ORDINAL_ALPHA[scale], atol=1e-5)


@pytest.mark.parametrize(("n_items", "nfactors"), list(OMEGA), ids=["AC", "ACE", "all"])
def test_omega_hierarchical_equals_psych(bfi, n_items, nfactors):
    corr = bfi[ITEMS[:n_items]].corr().to_numpy()  # pairwise, as psych
    got = omega_hierarchical(corr, nfactors)
    expected = OMEGA[(n_items, nfactors)]
    assert_allclose(got["omega_h"], expected[0], atol=1e-4)
    assert_allclose(got["omega_total"], expected[1], atol=1e-5)
    assert_allclose(got["ecv"], expected[2], atol=1e-4)


def test_polychoric_refuses_continuous_answers():
    from analysis.core.errors import InputError

    frame = pd.DataFrame({"a": np.arange(1, 21) % 10 + 1, "b": np.arange(20) % 10 + 1})
    with pytest.raises(InputError, match="at most 8"):
        polychoric(frame)
    with pytest.raises(InputError, match="whole-number"):
        polychoric(frame / 3)


def test_reliability_table_gives_ordinal_alpha_and_omega_h(bfi):
    import analysis as an

    dims = dict(zip("ACENO", an.SERVICE_FIVE.ids, strict=True))
    codebook = an.load_codebook(
        {
            "id_column": "rownames",
            "scale": {"min": 1, "max": 6},
            "missing": ["NA"],
            "items": [
                {"column": c, "id": c.lower(), "dimension": dims[c[0]], "reverse": c in REVERSED}
                for c in ITEMS
            ],
        }
    )
    survey = an.read_survey(BFI, codebook=codebook)
    table = an.reliability(survey)
    got = table.set_index("dimension")["alpha_ordinal"]
    assert_allclose(got[dims["A"]], ORDINAL_ALPHA["A"], atol=1e-5)
    assert_allclose(got[dims["C"]], ORDINAL_ALPHA["C"], atol=1e-5)
    # five items per dimension: no group factors to set apart, so no omega_h
    assert table["omega_h"].isna().all()
    assert list(table.columns[table.columns.get_loc("omega") :][:3]) == [
        "omega",
        "alpha_ordinal",
        "omega_h",
    ]
