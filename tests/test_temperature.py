"""Temperature scaling of a method's probabilities (analysis.text.temperature)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from analysis.core.errors import InputError
from analysis.text.temperature import fit_temperature, mean_log_loss, temper

CLASSES = ["a", "b", "c", "d"]


def _sample(n: int, true_temperature: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores whose softmax a model states, and labels drawn from softmax(scores / T0)."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=2.5, size=(n, len(CLASSES)))
    truth = softmax(scores / true_temperature, axis=1)
    draws = (truth.cumsum(axis=1) > rng.random((n, 1))).argmax(axis=1)
    return softmax(scores, axis=1), np.asarray(CLASSES, dtype=object)[draws]


def test_tempering_a_softmax_divides_its_scores() -> None:
    scores = np.array([[2.0, 0.5, -1.0, 0.0], [0.0, 0.0, 3.0, 1.0]])
    for t in (0.5, 1.7, 4.0):
        np.testing.assert_allclose(
            temper(softmax(scores, axis=1), t), softmax(scores / t, axis=1), rtol=1e-12
        )


def test_tempering_by_hand_and_the_identity() -> None:
    # 0.8 ** 0.5 / (0.8 ** 0.5 + 0.2 ** 0.5) = 2 / 3
    np.testing.assert_allclose(temper(np.array([[0.8, 0.2]]), 2.0), [[2 / 3, 1 / 3]])
    p = np.array([[0.1, 0.6, 0.3]])
    np.testing.assert_array_equal(temper(p, 1.0), p)


def test_tempering_never_changes_a_label_and_keeps_zero_rows() -> None:
    rng = np.random.default_rng(3)
    p = rng.dirichlet(np.ones(4), size=200)
    p[7] = 0.0
    for t in (0.2, 0.7, 3.0):
        q = temper(p, t)
        np.testing.assert_array_equal(
            q[[i for i in range(200) if i != 7]].argmax(axis=1),
            np.delete(p, 7, axis=0).argmax(axis=1),
        )
        np.testing.assert_allclose(np.delete(q, 7, axis=0).sum(axis=1), 1.0)
        assert not q[7].any()


def test_a_very_sharp_temperature_does_not_underflow() -> None:
    q = temper(np.array([[1e-3, 2e-3, 0.997]]), 0.05)
    assert np.isfinite(q).all()
    assert q.sum() == pytest.approx(1.0)


def test_the_fitted_temperature_recovers_the_one_that_made_the_labels() -> None:
    for true_t in (0.6, 1.0, 2.0):
        proba, y = _sample(20_000, true_t, seed=int(true_t * 10))
        assert fit_temperature(y, proba, CLASSES) == pytest.approx(true_t, rel=0.05)


def test_the_fitted_temperature_is_the_minimum_of_the_log_loss() -> None:
    proba, y = _sample(2_000, 1.6, seed=11)
    fitted = fit_temperature(y, proba, CLASSES)
    grid = np.exp(np.linspace(np.log(0.3), np.log(5.0), 801))
    losses = [mean_log_loss(y, proba, CLASSES, t) for t in grid]
    assert mean_log_loss(y, proba, CLASSES, fitted) <= min(losses) + 1e-9
    assert fitted == pytest.approx(grid[int(np.argmin(losses))], rel=0.01)


def test_the_temperature_agrees_with_scikit_learn() -> None:
    # scikit-learn >= 1.8 fits temperature scaling for CalibratedClassifierCV(method=
    # "temperature"); its private calibrator takes the same log-probabilities and gives
    # the inverse temperature
    calibration = pytest.importorskip("sklearn.calibration")
    if not hasattr(calibration, "_TemperatureScaling"):
        pytest.skip("this scikit-learn has no temperature scaling")
    proba, y = _sample(3_000, 0.7, seed=5)
    codes = np.searchsorted(CLASSES, y)
    beta = float(calibration._TemperatureScaling().fit(proba, codes).beta_)
    assert fit_temperature(y, proba, CLASSES) == pytest.approx(1 / beta, rel=1e-3)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_a_temperature_must_be_positive(bad: float) -> None:
    with pytest.raises(InputError, match="positive"):
        temper(np.array([[0.5, 0.5]]), bad)


def test_errors_name_what_does_not_match() -> None:
    with pytest.raises(InputError, match="not among the classes"):
        fit_temperature(["a", "z"], np.full((2, 4), 0.25), CLASSES)
    with pytest.raises(InputError, match="shape"):
        fit_temperature(["a"], np.full((1, 3), 1 / 3), CLASSES)
    with pytest.raises(InputError, match="no labelled"):
        fit_temperature([], np.zeros((0, 4)), CLASSES)
    with pytest.raises(InputError, match="non-negative"):
        temper(np.array([[1.2, -0.2]]), 2.0)
