"""The encoder head: a classifier on sentence-encoder vectors (optional extra).

:class:`EncoderClassifier` is a scikit-learn estimator over raw texts: it embeds them with
the sentence encoder (:mod:`analysis.text.encoder`, the ``encoder`` extra) and classifies
the vectors with a logistic regression (``kind="logistic"``) or a few small networks
(``kind="mlp"``, :mod:`analysis.text.mlp`), ``none`` a trained class. The encoder sees the
whole passage at once, so it has no tokens to show as evidence; the lexicon hits and the
trained model stay the evidence in :func:`~analysis.text.classify.classify_texts`.

It also carries the weights of the ``"encoder_ensemble"`` method (encoder head, trained
model, lexicon rule), chosen on development folds by ``scripts/validate_text.py``.

A fitted head is saved as plain JSON (coefficients or network weights, classes, the training data's
fingerprint, the encoder's identity); the default head ships in
``analysis/resources/models`` and loads on first use (:func:`default_encoder_head`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from analysis.core.errors import ConfigError, InputError, check_option
from analysis.core.provenance import __version__
from analysis.text.mlp import Networks, fit_networks
from analysis.text.model_file import (
    fit_multinomial,
    read_model_json,
    softmax,
    texts_of,
    write_model_json,
)
from analysis.text.temperature import method_temperature

__all__ = ["EncoderClassifier", "default_encoder_head"]

FORMAT = "analysis-encoder-head/1"
KINDS = ("logistic", "mlp")
_DEFAULT_HEAD = "service-five-encoder-head.json.gz"
#: Parts of the ``"encoder_ensemble"``, in the order of ``ensemble_weights``.
PARTS = ("encoder", "model", "lexicon")
#: The methods whose probabilities come from this head, each with its own temperature.
TEMPERED_METHODS = ("encoder", "encoder_ensemble")


class EncoderClassifier(ClassifierMixin, BaseEstimator):
    """Classify texts by their sentence-encoder vectors.

    Parameters
    ----------
    kind
        ``"logistic"`` (default): a logistic regression; ``"mlp"``: ``networks`` networks of
        one hidden layer, their probabilities averaged (:mod:`analysis.text.mlp`), which read
        the vectors better given a few thousand labelled passages (``docs/validation.md``).
    C
        Inverse regularisation strength of the logistic regression.
    class_weight
        ``"balanced"`` (default) or ``None``, as in scikit-learn (logistic only).
    hidden_units, alpha, networks
        The networks' hidden units, L2 penalty and number (``kind="mlp"`` only).
    prefix, variant
        The encoder's instruction prefix and model variant
        (:class:`~analysis.text.encoder.SentenceEncoder`).
    ensemble_weights
        Weights of the encoder head, the trained model and the lexicon rule in the
        ``"encoder_ensemble"`` method (summing to 1).
    cache_dir
        On-disk embedding cache used by :meth:`fit` and :meth:`predict_proba` (``None``:
        none).
    temperatures
        Temperature of the ``"encoder"`` and ``"encoder_ensemble"`` methods' probabilities
        in :func:`~analysis.text.classify.classify_texts` (a method left out keeps 1), as
        :class:`~analysis.text.classifier.DimensionClassifier`'s ``temperatures``.

    Attributes
    ----------
    classes_ : numpy.ndarray
        Labels in the order of :meth:`predict_proba`'s columns.
    info_ : dict
        Provenance: encoder identity, training fingerprint, passage counts.

    Examples
    --------
    >>> head = EncoderClassifier(C=10.0)  # doctest: +SKIP
    >>> head.fit(["推行一站式服务", "本条例施行"], ["reform", "none"]).classes_  # doctest: +SKIP
    array(['none', 'reform'], dtype=object)
    """

    def __init__(
        self,
        *,
        kind: str = "logistic",
        C: float = 100.0,
        class_weight: str | None = "balanced",
        prefix: str = "query",
        variant: str = "original",
        ensemble_weights: tuple[float, float, float] = (0.5, 0.1, 0.4),
        cache_dir: str | Path | None = None,
        temperatures: Mapping[str, float] | None = None,
        hidden_units: int = 256,
        alpha: float = 1.0,
        networks: int = 3,
    ) -> None:
        self.kind = kind
        self.C = C
        self.class_weight = class_weight
        self.prefix = prefix
        self.variant = variant
        self.ensemble_weights = ensemble_weights
        self.cache_dir = cache_dir
        self.temperatures = temperatures
        self.hidden_units = hidden_units
        self.alpha = alpha
        self.networks = networks

    def encoder(self) -> Any:
        """This process's :class:`~analysis.text.encoder.SentenceEncoder` for the head."""
        from analysis.text.encoder import sentence_encoder

        return sentence_encoder(self.variant, self.prefix)

    def embed(self, X: Sequence[str]) -> np.ndarray:
        """The encoder's vectors of ``X`` (through the disk cache when set)."""
        return self.encoder().embed(texts_of(X), cache_dir=self.cache_dir)

    def temperature(self, method: str) -> float:
        """The temperature of ``method``'s probabilities (1 when none was learnt)."""
        return method_temperature(self.temperatures, method, TEMPERED_METHODS, "encoder head")

    def weights(self) -> dict[str, float]:
        """``ensemble_weights`` by part name, checked."""
        w = [float(v) for v in self.ensemble_weights]
        if len(w) != len(PARTS) or min(w) < 0 or abs(sum(w) - 1) > 1e-6:
            raise ConfigError(
                f"ensemble_weights must be three non-negative weights (encoder, model, "
                f"lexicon) summing to 1; got {self.ensemble_weights}"
            )
        return dict(zip(PARTS, w, strict=True))

    def fit(
        self, X: Sequence[str], y: Sequence[str], *, embeddings: np.ndarray | None = None
    ) -> EncoderClassifier:
        """Fit on texts ``X`` with labels ``y``; ``embeddings`` may pass their vectors."""
        from analysis.text.classifier import training_fingerprint

        texts = texts_of(X)
        labels = [str(v) for v in y]
        if len(labels) != len(texts):
            raise InputError(f"got {len(texts)} texts but {len(labels)} labels")
        if len(set(labels)) < 2:
            raise InputError("a classifier needs at least two different labels to learn from")
        self.weights()
        encoder = self.encoder()
        # float64 either way: a head fitted on the texts and one fitted on their vectors
        # (the encoder gives float32) must be the same head
        vectors = _checked(self.embed(texts) if embeddings is None else embeddings, len(texts))
        check_option("kind", self.kind, KINDS, owner="EncoderClassifier")
        for name in ("coef_", "intercept_", "networks_"):
            self.__dict__.pop(name, None)  # a refit of another kind leaves nothing behind
        if self.kind == "mlp":
            self.networks_ = fit_networks(
                vectors,
                labels,
                hidden_units=self.hidden_units,
                alpha=self.alpha,
                networks=self.networks,
            )
            self.classes_ = self.networks_.classes
        else:
            self.classes_, self.coef_, self.intercept_ = fit_multinomial(
                vectors, labels, self.C, self.class_weight
            )
        self.info_ = {
            "encoder": encoder.identity,
            "kind": self.kind,
            "training_fingerprint": training_fingerprint(texts, labels),
            "n_passages": len(texts),
            "label_counts": {c: labels.count(c) for c in sorted(set(labels))},
            "analysis_version": __version__,
        }
        return self

    def predict_proba(
        self, X: Sequence[str], *, embeddings: np.ndarray | None = None
    ) -> np.ndarray:
        """Probability of each class (columns in the order of ``classes_``)."""
        self._check_fitted()
        texts = texts_of(X)
        if embeddings is None:
            identity = self.encoder().identity
            if identity != self.info_.get("encoder"):
                raise ConfigError(
                    f"this encoder head was trained on vectors of {self.info_.get('encoder')!r}"
                    f", but the installed encoder is {identity!r}: install the version it was "
                    "trained with or retrain it (train_encoder_classifier)"
                )
            embeddings = self.embed(texts)
        # float64, as in fit
        vectors = _checked(embeddings, len(texts))
        if hasattr(self, "networks_"):
            return self.networks_.predict_proba(vectors)
        return softmax(vectors @ self.coef_.T + self.intercept_)

    def predict(self, X: Sequence[str], *, embeddings: np.ndarray | None = None) -> np.ndarray:
        """The most probable label of each text."""
        return self.classes_[self.predict_proba(X, embeddings=embeddings).argmax(axis=1)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_") and not hasattr(self, "networks_"):
            raise ConfigError("this EncoderClassifier is not fitted yet: call fit() first")

    # ------------------------------------------------------------------ saving
    def to_dict(self) -> dict[str, Any]:
        """Everything needed to predict, as plain JSON-ready data."""
        self._check_fitted()
        fitted: dict[str, Any] = (
            {"networks": self.networks_.to_dict()}
            if hasattr(self, "networks_")
            else {
                "coef": np.round(self.coef_, 7).tolist(),
                "intercept": np.round(self.intercept_, 7).tolist(),
            }
        )
        return {
            "format": FORMAT,
            "params": {
                "kind": self.kind,
                "hidden_units": self.hidden_units,
                "alpha": self.alpha,
                "networks": self.networks,
                "C": self.C,
                "class_weight": self.class_weight,
                "prefix": self.prefix,
                "variant": self.variant,
                "ensemble_weights": [float(w) for w in self.ensemble_weights],
                "temperatures": None if self.temperatures is None else dict(self.temperatures),
            },
            # a copy: editing the saved data must not edit the fitted head
            "info": copy.deepcopy(self.info_),
            "classes": [str(c) for c in self.classes_],
            **fitted,
        }

    def save(self, path: str | Path) -> Path:
        """Write the head as JSON (gzip-compressed when the name ends in ``.gz``)."""
        return write_model_json(self.to_dict(), path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EncoderClassifier:
        """Rebuild a fitted head from :meth:`to_dict` output."""
        if data.get("format") != FORMAT:
            raise ConfigError(f"not a saved encoder head (format {data.get('format')!r})")
        params = dict(data["params"])
        params["ensemble_weights"] = tuple(params["ensemble_weights"])
        head = cls(**params)
        head.classes_ = np.asarray(data["classes"], dtype=object)
        if "networks" in data:
            head.networks_ = Networks.from_dict(data["networks"])
        else:  # a logistic head (heads saved before networks have no kind: logistic)
            head.coef_ = np.asarray(data["coef"], dtype=float)
            head.intercept_ = np.asarray(data["intercept"], dtype=float)
        head.info_ = copy.deepcopy(dict(data["info"]))
        return head

    @classmethod
    def load(cls, path: str | Path) -> EncoderClassifier:
        """Read a head written by :meth:`save`."""
        return cls.from_dict(read_model_json(path))


def _checked(embeddings: np.ndarray, n: int) -> np.ndarray:
    vectors = np.asarray(embeddings, dtype=np.float64)
    if vectors.ndim != 2 or len(vectors) != n:
        raise InputError(f"embeddings must be a 2-d array with one row per text ({n})")
    return vectors


#: The packaged head, read once per process (:func:`default_encoder_head`).
_LOADED: dict[str, EncoderClassifier] = {}


def default_encoder_head() -> EncoderClassifier:
    """The packaged encoder head for the ``service-five`` lexicon (loaded once, on first use).

    Trained on the labelled corpus passages; its figures on held-out documents are in
    ``docs/validation.md``. Reading it needs no encoder; predicting does (the extra).
    """
    if _DEFAULT_HEAD not in _LOADED:
        path = Path(str(resources.files("analysis") / "resources" / "models" / _DEFAULT_HEAD))
        if not path.exists():
            raise ConfigError(f"the packaged encoder head {path} is missing; reinstall analysis")
        _LOADED[_DEFAULT_HEAD] = EncoderClassifier.load(path)
    return _LOADED[_DEFAULT_HEAD]
