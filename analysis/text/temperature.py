"""Temperature scaling: probabilities that mean what they say, labels left as they are.

A classifier can rank labels well and still state 0.9 where it is right 87% of the time
(:func:`~analysis.text.probability_checks.calibration_summary`); an ensemble that averages
three distributions states too little. Temperature scaling (Guo et al. 2017, "On Calibration
of Modern Neural Networks") fixes that with one number per method: the probabilities are
raised to the power ``1 / T`` and renormalised, ``T > 1`` softening them, ``T < 1``
sharpening them. For a softmax model this is dividing its scores by ``T``. The order of the
labels in a row never changes, so neither does any label, macro-F1 or confusion matrix: only
the stated probabilities, the shares estimated from them, and a secondary label's threshold
in multi-label output.

``T`` is learnt by minimising the negative log-likelihood of the true labels on predictions
the model did not train on: out-of-fold predictions of grouped cross-validation
(:func:`~analysis.text.evaluation.grouped_cv_predict`), never the test documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.optimize import minimize_scalar

from analysis.core.errors import ConfigError, InputError

__all__ = ["fit_temperature", "mean_log_loss", "method_temperature", "temper"]

#: ``T`` is searched on this range (its logarithm, evenly): far beyond any useful value.
BOUNDS = (0.05, 20.0)
#: Floor of a true label's probability in the log-likelihood: one confident error must not
#: decide ``T`` alone.
_FLOOR = 1e-12


def temper(proba: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities raised to ``1 / temperature`` and renormalised, row by row.

    Parameters
    ----------
    proba
        Non-negative probabilities, one row per text (rows sum to one, or are all zero).
    temperature
        ``T > 0``; 1 returns the probabilities unchanged.

    Returns
    -------
    numpy.ndarray
        Same shape; an all-zero row stays zero.

    Examples
    --------
    >>> temper(np.array([[0.8, 0.2]]), 2.0).round(3)
    array([[0.667, 0.333]])
    """
    proba = np.asarray(proba, dtype=float)
    if not np.isfinite(temperature) or temperature <= 0:
        raise InputError(f"a temperature must be a positive number; got {temperature!r}")
    if proba.ndim != 2 or (proba.size and (proba.min() < 0 or not np.isfinite(proba).all())):
        raise InputError("temper: expected a 2-D array of non-negative, finite probabilities")
    if temperature == 1.0 or proba.size == 0:
        return proba.copy()
    # in logs, shifted by each row's maximum: 0.001 ** 20 would underflow to 0
    with np.errstate(divide="ignore"):
        logs = np.log(proba) / temperature
    top = logs.max(axis=1, keepdims=True)
    live = np.isfinite(top).ravel()
    out = np.zeros_like(proba)
    powered = np.exp(logs[live] - top[live])
    out[live] = powered / powered.sum(axis=1, keepdims=True)
    return out


def method_temperature(
    temperatures: Mapping[str, float] | None,
    method: str,
    methods: Sequence[str],
    owner: str,
) -> float:
    """The temperature ``temperatures`` gives ``method`` (1 when it gives none).

    ``methods`` are the methods ``owner`` (a model's name, for the message) has
    probabilities for; a temperature for any other method, or one that is not a positive
    number, is a :class:`ConfigError`.
    """
    if not temperatures:
        return 1.0
    unknown = sorted(set(temperatures) - set(methods))
    if unknown:
        raise ConfigError(
            f"the {owner}'s temperatures name methods {unknown}; it has probabilities for "
            f"{list(methods)} only"
        )
    value = temperatures.get(method, 1.0)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not np.isfinite(number) or number <= 0:
        raise ConfigError(
            f"the {owner}'s temperature of {method!r} must be a positive number; got {value!r}"
        )
    return number


def _true_column(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    classes = [str(c) for c in classes]
    if proba.ndim != 2 or proba.shape != (len(y_true), len(classes)):
        raise InputError(
            f"fit_temperature: probabilities of shape {proba.shape} do not match "
            f"{len(y_true)} labels and {len(classes)} classes"
        )
    position = {c: k for k, c in enumerate(classes)}
    unknown = sorted({str(v) for v in y_true} - set(position))
    if unknown:
        raise InputError(f"fit_temperature: labels {unknown} are not among the classes {classes}")
    return np.fromiter((position[str(v)] for v in y_true), dtype=np.intp, count=len(y_true))


def mean_log_loss(
    y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str], temperature: float = 1.0
) -> float:
    """Mean negative log-likelihood of the true labels under tempered probabilities."""
    proba = np.asarray(proba, dtype=float)
    column = _true_column(y_true, proba, classes)
    tempered = temper(proba, temperature)
    return float(-np.log(np.maximum(tempered[np.arange(len(column)), column], _FLOOR)).mean())


def fit_temperature(y_true: Sequence[str], proba: np.ndarray, classes: Sequence[str]) -> float:
    """The temperature that minimises the log-loss of ``proba`` on the labels ``y_true``.

    Parameters
    ----------
    y_true
        True labels, one per row.
    proba
        Out-of-sample probabilities (columns ``classes``).
    classes
        Column labels of ``proba``.

    Returns
    -------
    float
        ``T`` within :data:`BOUNDS`, rounded to four decimals so a saved model reads the
        same number back.

    Raises
    ------
    InputError
        No rows, shapes that do not match, or a label outside ``classes``.
    """
    proba = np.asarray(proba, dtype=float)
    if len(y_true) == 0:
        raise InputError("fit_temperature: no labelled predictions to learn a temperature from")
    _true_column(y_true, proba, classes)
    low, high = np.log(BOUNDS[0]), np.log(BOUNDS[1])
    best = minimize_scalar(
        lambda log_t: mean_log_loss(y_true, proba, classes, float(np.exp(log_t))),
        bounds=(low, high),
        method="bounded",
        options={"xatol": 1e-6},
    )
    return round(float(np.exp(best.x)), 4)
