"""Small networks on sentence-encoder vectors, fitted by scikit-learn, kept as plain arrays.

The encoder head's second kind (:class:`~analysis.text.encoder_head.EncoderClassifier` with
``kind="mlp"``): a few networks of one hidden layer (ReLU), each from its own random start,
whose probabilities are averaged. On the development folds a network reads the encoder's
vectors better than a logistic regression (``docs/validation.md``): the classes are not
linearly separable in the encoder's space, and averaging networks from several starts
smooths the variance of any one.

scikit-learn's :class:`~sklearn.neural_network.MLPClassifier` fits them (Adam, L2 penalty
``alpha``, early stopping on a tenth of the passages when every class has ten); prediction
needs only numpy, so a saved head is plain JSON and loads without refitting.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.text.model_file import softmax

__all__ = ["Networks", "fit_networks"]

#: Decimals a weight keeps, fitted and saved alike (the probabilities move by less than 1e-5).
_DECIMALS = 6


@dataclass(frozen=True)
class Networks:
    """Fitted networks: the inputs' centre and scale, and each network's layers.

    Attributes
    ----------
    classes : numpy.ndarray
        Labels in the order of the output columns.
    mean, scale : numpy.ndarray
        Inputs are standardised as ``(x - mean) / scale`` before the first layer.
    layers : list of tuple of numpy.ndarray
        Per network ``(W1, b1, W2, b2)``: hidden = ReLU(x W1 + b1), logits = hidden W2 + b2.
    """

    classes: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    layers: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]

    def predict_proba(self, vectors: np.ndarray) -> np.ndarray:
        """The networks' mean probability of each class (columns: :attr:`classes`)."""
        z = (vectors - self.mean) / self.scale
        total = np.zeros((len(z), len(self.classes)))
        for w1, b1, w2, b2 in self.layers:
            total += softmax(np.maximum(z @ w1 + b1, 0.0) @ w2 + b2)
        return total / len(self.layers)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data (weights rounded to six decimals)."""

        def rounded(a: np.ndarray) -> list[Any]:
            return np.round(a, _DECIMALS).tolist()  # type: ignore[no-any-return]

        return {
            "classes": [str(c) for c in self.classes],
            "mean": rounded(self.mean),
            "scale": rounded(self.scale),
            "layers": [[rounded(a) for a in layer] for layer in self.layers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Networks:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            classes=np.asarray(data["classes"], dtype=object),
            mean=np.asarray(data["mean"], dtype=float),
            scale=np.asarray(data["scale"], dtype=float),
            layers=[
                tuple(np.asarray(a, dtype=float) for a in layer)  # type: ignore[misc]
                for layer in data["layers"]
            ],
        )


def fit_networks(
    vectors: np.ndarray,
    labels: Sequence[str],
    *,
    hidden_units: int = 256,
    alpha: float = 1.0,
    networks: int = 3,
) -> Networks:
    """Fit ``networks`` one-hidden-layer networks, the k-th from random start ``k``.

    Parameters
    ----------
    vectors
        One row per passage.
    labels
        The passages' labels (at least two distinct).
    hidden_units
        Units of the hidden layer.
    alpha
        L2 penalty (scikit-learn's ``alpha``).
    networks
        Networks averaged.

    Returns
    -------
    Networks
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    vectors = np.asarray(vectors, dtype=np.float64)
    mean = vectors.mean(axis=0)
    scale = vectors.std(axis=0)
    scale[scale < 1e-6] = 1.0  # a constant input carries nothing; keep it finite
    z = (vectors - mean) / scale
    labels = [str(v) for v in labels]
    layers = []
    classes = np.asarray(sorted(set(labels)), dtype=object)
    # early stopping holds out a tenth of the passages, stratified: only when every class
    # can spare some
    early = len(labels) >= 100 and min(labels.count(c) for c in classes) >= 10
    for seed in range(networks):
        with warnings.catch_warnings():
            # without early stopping (few passages) Adam runs its 300 epochs and says it has
            # not converged: the weights are still those of the last epoch, as documented
            warnings.simplefilter("ignore", ConvergenceWarning)
            net = MLPClassifier(
                hidden_layer_sizes=(hidden_units,),
                alpha=alpha,
                max_iter=300,
                early_stopping=early,
                random_state=seed,
            ).fit(z, labels)
        w1, w2 = net.coefs_
        b1, b2 = net.intercepts_
        if len(classes) == 2:
            # scikit-learn keeps one logistic output for the second class: as two softmax
            # logits it is (0, z)
            w2 = np.hstack([np.zeros_like(w2), w2])
            b2 = np.concatenate([[0.0], b2])
        layers.append(tuple(np.round(a, _DECIMALS) for a in (w1, b1, w2, b2)))
    # rounded as saved, so that a head read back predicts exactly what the fitted one did
    return Networks(classes, np.round(mean, _DECIMALS), np.round(scale, _DECIMALS), layers)
