"""The encoder head's networks (analysis.text.mlp): fitted by scikit-learn, kept as arrays."""

from __future__ import annotations

import json
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from analysis.text.mlp import Networks, fit_networks


def _data(n: int = 300, classes: int = 3, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Vectors whose class is not linearly separable: the sign pattern of two coordinates."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    code = (x[:, 0] > 0).astype(int) + (x[:, 0] * x[:, 1] > 0).astype(int)
    return x, [f"c{k % classes}" for k in code]


def test_the_arrays_predict_what_scikit_learn_predicts() -> None:
    x, y = _data()
    nets = fit_networks(x, y, hidden_units=16, alpha=0.01, networks=2)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    expected = np.mean(
        [
            MLPClassifier(
                hidden_layer_sizes=(16,),
                alpha=0.01,
                max_iter=300,
                early_stopping=True,
                random_state=seed,
            )
            .fit(z, y)
            .predict_proba(z)
            for seed in range(2)
        ],
        axis=0,
    )
    # the weights keep six decimals: probabilities move by far less than a label needs
    np.testing.assert_allclose(nets.predict_proba(x), expected, atol=1e-4)
    assert list(nets.classes) == ["c0", "c1", "c2"]


def test_a_saved_head_predicts_exactly_what_the_fitted_one_did() -> None:
    x, y = _data()
    nets = fit_networks(x, y, hidden_units=16, networks=3)
    back = Networks.from_dict(json.loads(json.dumps(nets.to_dict())))
    assert np.array_equal(back.predict_proba(x), nets.predict_proba(x))
    again = fit_networks(x, y, hidden_units=16, networks=3)
    assert np.array_equal(again.predict_proba(x), nets.predict_proba(x))


def test_two_classes_give_two_columns_and_small_data_no_early_stopping() -> None:
    x, y = _data(n=40, classes=2)
    nets = fit_networks(x, y, hidden_units=8, networks=1)
    proba = nets.predict_proba(x)
    assert proba.shape == (40, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    net = MLPClassifier(hidden_layer_sizes=(8,), alpha=1.0, max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(z, y)
    np.testing.assert_allclose(proba, net.predict_proba(z), atol=1e-4)


def test_networks_read_what_a_logistic_regression_cannot() -> None:
    from sklearn.linear_model import LogisticRegression

    # exclusive or of two signs: no line separates the classes
    rng = np.random.default_rng(0)
    x, test_x = rng.normal(size=(2000, 8)), rng.normal(size=(2000, 8))
    y, test_y = ([f"c{int(v[0] * v[1] > 0)}" for v in a] for a in (x, test_x))
    nets = fit_networks(x, y, hidden_units=32, alpha=0.01)
    linear = LogisticRegression(max_iter=2000).fit(x, y)
    net_acc = np.mean(nets.classes[nets.predict_proba(test_x).argmax(axis=1)] == test_y)
    assert linear.score(test_x, test_y) < 0.6
    assert net_acc > 0.85
